//! The reader's accessors: a value as a table, a string, a number, a
//! duration, a list or a rule, each reporting a wrong value with its place
//! and an example, and the limits on how much a file may hold.

use super::*;

impl<'s> Reader<'s> {
    pub(super) fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    /// Only the first line of a span: a table's span can cover many lines.
    pub(super) fn first_line(&self, span: Range<usize>) -> Range<usize> {
        let end = self
            .src
            .get(span.clone())
            .and_then(|s| s.find('\n'))
            .map_or(span.end, |i| span.start + i);
        span.start..end
    }

    /// Reports a table or list longer than `max` at its first extra item;
    /// the caller then reads none of it, so the work stays bounded.
    pub(super) fn too_many(
        &mut self,
        n: usize,
        max: usize,
        path: &str,
        what: &str,
        extra: Range<usize>,
    ) -> bool {
        if n <= max {
            return false;
        }
        let span = self.first_line(extra);
        self.push(
            Diagnostic::new(
                span,
                format!("`{path}` has {n} {what}: an agreement takes at most {max}"),
                "one too many",
            )
            .help(format!("keep at most {max} {what} in `{path}`")),
        );
        true
    }

    /// [`Self::too_many`] for the entries of a table.
    pub(super) fn too_many_keys(&mut self, t: &Tbl<'_, '_>, max: usize, what: &str) -> bool {
        let n = t.t.len();
        if n <= max {
            return false;
        }
        let extra = entries(t.t)
            .get(max)
            .map_or(t.span.clone(), |(k, _)| k.span());
        self.too_many(n, max, &t.path, what, extra)
    }

    /// An optional boolean key of `t` (`path` names it in messages).
    pub(super) fn flag(
        &mut self,
        t: &Tbl<'_, '_>,
        key: &str,
        path: &str,
        default: bool,
    ) -> Option<bool> {
        match t.t.get(key) {
            Some(v) => match v.get_ref() {
                DeValue::Boolean(b) => Some(*b),
                _ => {
                    // The example shows the value that changes something.
                    self.wrong_type(v, path, "a boolean", if default { "false" } else { "true" });
                    None
                }
            },
            None => Some(default),
        }
    }

    pub(super) fn wrong_type(&mut self, v: &Val<'_>, path: &str, want: &str, example: &str) {
        let span = self.first_line(v.span());
        self.push(
            Diagnostic::new(
                span,
                format!("`{path}` must be {want}, not {}", type_name(v.get_ref())),
                format!("expected {want}"),
            )
            .help(format!("for example: {path} = {example}")),
        );
    }

    pub(super) fn table<'a, 'i>(&mut self, v: &'a Val<'i>, path: &str) -> Option<Tbl<'a, 'i>> {
        match v.get_ref() {
            DeValue::Table(t) => Some(Tbl {
                t,
                span: v.span(),
                path: path.to_string(),
            }),
            _ => {
                self.wrong_type(
                    v,
                    path,
                    "a table",
                    &format!("{{ ... }}  (or a [{path}] section)"),
                );
                None
            }
        }
    }

    /// Reports keys not in `allowed`, with the closest allowed key.
    pub(super) fn check_keys(&mut self, t: &Tbl<'_, '_>, allowed: &[&str]) {
        for (k, _) in entries(t.t) {
            let key: &str = k.get_ref();
            if allowed.contains(&key) {
                continue;
            }
            let help = match did_you_mean(key, allowed.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("{} takes: {}", t.header(), allowed.join(", ")),
            };
            self.push(
                Diagnostic::new(
                    k.span(),
                    format!("unknown key `{key}` in {}", t.header()),
                    "unknown key",
                )
                .help(help),
            );
        }
    }

    pub(super) fn get<'a, 'i>(
        &mut self,
        t: &Tbl<'a, 'i>,
        key: &str,
        example: &str,
    ) -> Option<&'a Val<'i>> {
        let found = t.t.get(key);
        // A misspelt key is reported once, as unknown with a suggestion.
        let misspelt =
            t.t.iter()
                .any(|(k, _)| k.get_ref() != key && did_you_mean(k.get_ref(), [key]).is_some());
        if found.is_none() && !misspelt {
            let span = self.first_line(t.span.clone());
            self.push(
                Diagnostic::new(
                    span,
                    format!("{} is missing `{key}`", t.header()),
                    format!("`{key}` missing"),
                )
                .help(format!("add: {key} = {example}")),
            );
        }
        found
    }

    pub(super) fn string(&mut self, v: &Val<'_>, path: &str) -> Option<String> {
        match v.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            _ => {
                self.wrong_type(v, path, "a string", "\"...\"");
                None
            }
        }
    }

    pub(super) fn name_string(&mut self, v: &Val<'_>, path: &str) -> Option<String> {
        let s = self.string(v, path)?;
        if s.trim().is_empty() {
            self.push(
                Diagnostic::new(v.span(), format!("`{path}` is empty"), "empty")
                    .help("give it a name, e.g. \"senior_title\""),
            );
            return None;
        }
        Some(s)
    }

    pub(super) fn int(
        &mut self,
        v: &Val<'_>,
        path: &str,
        range: RangeInclusive<i64>,
        what: &str,
    ) -> Option<i64> {
        let n = match v.get_ref() {
            DeValue::Integer(i) => {
                i64::from_str_radix(&i.as_str().replace('_', ""), i.radix()).ok()
            }
            _ => {
                self.wrong_type(v, path, "an integer", &range.start().max(&1).to_string());
                return None;
            }
        };
        match n {
            Some(n) if range.contains(&n) => Some(n),
            _ => {
                let shown = self.src.get(v.span()).unwrap_or("this");
                self.push(
                    Diagnostic::new(
                        v.span(),
                        format!("`{path}` is {shown}, but {what}"),
                        "out of range",
                    )
                    .help(format!(
                        "use a value in {}..={}",
                        range.start(),
                        range.end()
                    )),
                );
                None
            }
        }
    }

    /// A duration in whole hours (or days): must be > 0 unless `zero_ok`.
    pub(super) fn duration(
        &mut self,
        v: &Val<'_>,
        path: &str,
        unit_hours: u32,
        zero_ok: bool,
    ) -> Option<Duration> {
        let unit = if unit_hours == 24 { "days" } else { "hours" };
        let min = if zero_ok { 0 } else { 1 };
        let what = if zero_ok {
            format!("a duration cannot be negative ({unit})")
        } else {
            format!("a duration must be positive ({unit})")
        };
        let n = self.int(v, path, min..=100_000, &what)? as u32;
        Some(if unit_hours == 24 {
            Duration::from_days(n)
        } else {
            Duration::from_hours(n)
        })
    }

    pub(super) fn float(
        &mut self,
        v: &Val<'_>,
        path: &str,
        ok: impl Fn(f64) -> bool,
        what: &str,
        example: &str,
    ) -> Option<f64> {
        let x = match v.get_ref() {
            DeValue::Float(x) => x.as_str().replace('_', "").parse::<f64>().ok(),
            DeValue::Integer(i) => i64::from_str_radix(&i.as_str().replace('_', ""), i.radix())
                .ok()
                .map(|n| n as f64),
            _ => {
                self.wrong_type(v, path, "a number", example);
                return None;
            }
        };
        match x {
            Some(x) if x.is_finite() && ok(x) => Some(x),
            _ => {
                let shown = self.src.get(v.span()).unwrap_or("this");
                self.push(
                    Diagnostic::new(
                        v.span(),
                        format!("`{path}` is {shown}, but {what}"),
                        "out of range",
                    )
                    .help(format!("for example: {path} = {example}")),
                );
                None
            }
        }
    }

    /// A list of strings, each with its span; reports duplicates.
    pub(super) fn str_list(
        &mut self,
        v: &Val<'_>,
        path: &str,
        example: &str,
    ) -> Option<Vec<(String, Range<usize>)>> {
        let DeValue::Array(items) = v.get_ref() else {
            self.wrong_type(v, path, "an array of strings", example);
            return None;
        };
        if let Some(extra) = items.get(MAX_NAMES) {
            self.too_many(items.len(), MAX_NAMES, path, "items", extra.span());
            return None;
        }
        let mut out: Vec<(String, Range<usize>)> = Vec::new();
        let mut ok = true;
        for item in items.iter() {
            match item.get_ref() {
                DeValue::String(s) => {
                    if let Some((_, first)) = out.iter().find(|(x, _)| x == s.as_ref()) {
                        let first = first.clone();
                        self.push(
                            Diagnostic::new(
                                item.span(),
                                format!("`{s}` is listed twice in `{path}`"),
                                "duplicate",
                            )
                            .related(first, "first listed here")
                            .help("remove one of them"),
                        );
                        ok = false;
                    } else {
                        out.push((s.to_string(), item.span()));
                    }
                }
                _ => {
                    self.wrong_type(item, &format!("each item of `{path}`"), "a string", example);
                    ok = false;
                }
            }
        }
        ok.then_some(out)
    }

    /// Checks `name` against a closed set; reports with a suggestion.
    pub(super) fn one_of(
        &mut self,
        name: &str,
        span: Range<usize>,
        what: &str,
        known: &[&str],
    ) -> bool {
        if known.contains(&name) {
            return true;
        }
        let help = match did_you_mean(name, known.iter().copied()) {
            Some(s) => format!(
                "did you mean `{s}`? ({what} is one of: {})",
                known.join(", ")
            ),
            None => format!("{what} is one of: {}", known.join(", ")),
        };
        self.push(
            Diagnostic::new(
                span,
                format!("unknown {what} `{name}`"),
                format!("unknown {what}"),
            )
            .help(help),
        );
        false
    }

    /// Compiles a rule, mapping the expression's error spans into the file.
    pub(super) fn expr(&mut self, v: &Val<'_>, path: &str, kind: RuleKind) -> Option<Expr> {
        let text = self.string(v, path)?;
        let before = self.rule_bytes;
        self.rule_bytes += text.len();
        if self.rule_bytes > MAX_RULES_BYTES {
            // Said once, at the first rule past the budget; the rest are not compiled.
            if before <= MAX_RULES_BYTES {
                let span = self.first_line(v.span());
                self.push(
                    Diagnostic::new(
                        span,
                        format!(
                            "the rules hold more than {} KiB of text in all: the rest are not checked",
                            MAX_RULES_BYTES / 1024
                        ),
                        "past the limit",
                    )
                    .help("an agreement's rules are short conditions: shorten or remove some"),
                );
            }
            return None;
        }
        match Expr::compile(&text, kind, &self.vocab) {
            Ok(e) => Some(e),
            Err(errors) => {
                let span = v.span();
                let inner = self.inner_start(span.clone(), &text);
                for e in errors {
                    let file_span = match inner {
                        Some(start) => start + e.span.start..start + e.span.end,
                        None => self.first_line(span.clone()),
                    };
                    self.push(
                        Diagnostic::new(file_span, format!("in `{path}`: {}", e.message), e.label)
                            .maybe_help(e.help),
                    );
                }
                None
            }
        }
    }

    /// Where a string value's text starts in the file, when the file holds it
    /// verbatim (no escapes), so that offsets inside it map one to one.
    pub(super) fn inner_start(&self, span: Range<usize>, text: &str) -> Option<usize> {
        let raw = self.src.get(span.clone())?;
        let mut start = span.start
            + if raw.starts_with("\"\"\"") || raw.starts_with("'''") {
                3
            } else {
                1
            };
        if raw.starts_with("\"\"\"") || raw.starts_with("'''") {
            let rest = self.src.get(start..)?;
            if rest.starts_with("\r\n") {
                start += 2;
            } else if rest.starts_with('\n') {
                start += 1;
            }
        }
        (self.src.get(start..start + text.len()) == Some(text)).then_some(start)
    }
}
