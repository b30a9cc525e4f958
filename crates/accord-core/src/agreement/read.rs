//! From TOML text to a typed [`Agreement`], collecting every problem on the
//! way instead of stopping at the first (a reviewer wants the whole list).
//!
//! Works on toml's spanned document tree rather than serde derive: serde stops
//! at the first unknown key, and we need the span of every value, including
//! the inside of rule strings, to point at an error within an expression.

use std::borrow::Cow;
use std::collections::HashSet;
use std::ops::{Range, RangeInclusive};

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::diagnostic::Diagnostic;
use super::sniff;
use super::*;
use crate::expr::{self, did_you_mean, RuleKind, Vocabularies};

mod routing;

type Val<'i> = Spanned<DeValue<'i>>;
type Key<'i> = Spanned<Cow<'i, str>>;
/// A stage for the reachability check: name, header span, `from` with spans,
/// and whether its criterion is literally `false`.
type StageNode = (String, Range<usize>, Vec<(String, Range<usize>)>, bool);

pub(super) fn read(src: &str) -> Result<Agreement, Vec<Diagnostic>> {
    if let Some(wrong) = sniff::empty(src).or_else(|| sniff::not_toml(src)) {
        return Err(vec![wrong]);
    }
    let (root, errors) = DeTable::parse_recoverable(src);
    if !errors.is_empty() {
        let mut deep_keys = deep_keys(src);
        return Err(errors
            .iter()
            .map(|e| toml_error(src, e, &mut deep_keys))
            .collect());
    }
    let mut r = Reader {
        src,
        diags: Vec::new(),
        vocab: Vocabularies::default(),
        rule_bytes: 0,
    };
    let root = Tbl {
        t: root.get_ref(),
        span: 0..0,
        path: String::new(),
    };
    let agreement = r.agreement(&root);
    match agreement {
        Some(a) if r.diags.is_empty() => Ok(a),
        _ => {
            if r.diags.is_empty() {
                r.diags
                    .push(Diagnostic::new(0..0, "the agreement is incomplete", "here"));
            }
            Err(r.diags)
        }
    }
}

/// toml's limit on the parts of a dotted key (`a.b.c`).
const TOML_KEY_PARTS: usize = 80;

/// The keys with too many dotted parts, in file order: toml reports them
/// without a place.
fn deep_keys(src: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut offset = 0;
    src.split_inclusive('\n').filter_map(move |line| {
        let start = offset;
        offset += line.len();
        let key = line.split('=').next().unwrap_or(line).trim_end();
        let lead = key.len() - key.trim_start().len();
        (key.matches('.').count() + 1 >= TOML_KEY_PARTS).then(|| start + lead..start + key.len())
    })
}

fn toml_error(
    src: &str,
    e: &toml::de::Error,
    deep_keys: &mut impl Iterator<Item = Range<usize>>,
) -> Diagnostic {
    let mut lines = e.message().trim().lines();
    let first = lines.next().unwrap_or("invalid TOML").trim().to_string();
    let rest: Vec<&str> = lines.map(str::trim).filter(|l| !l.is_empty()).collect();
    if first == "recursion limit" {
        let span = e.span().or_else(|| deep_keys.next()).unwrap_or(0..0);
        return Diagnostic::new(
            span.start.min(src.len())..span.end.min(src.len()),
            format!(
                "TOML syntax: a dotted key has more than {} parts",
                TOML_KEY_PARTS - 1
            ),
            "too many parts",
        )
        .help("write it with [section] headers and shorter keys");
    }
    let span = e.span().unwrap_or(0..0);
    let span = span.start.min(src.len())..span.end.min(src.len());
    let duplicate = first.starts_with("duplicate key");
    let message = match src.get(span.clone()).filter(|k| duplicate && !k.is_empty()) {
        Some(key) => format!("TOML syntax: duplicate key `{}`", key.trim()),
        None => format!("TOML syntax: {first}"),
    };
    Diagnostic::new(span, message, "here").help(if duplicate {
        "each key and each [section] may appear once, also when written as a dotted key (`sla.sales.decide_hours`): remove or rename one (names of stages, personas and rules must be unique)".to_string()
    } else if rest.is_empty() {
        "fix the TOML syntax (https://toml.io): `key = value`, strings in quotes, `[table]` headers"
            .to_string()
    } else {
        rest.join("; ")
    })
}

/// A table and where it is, for messages.
struct Tbl<'a, 'i> {
    t: &'a DeTable<'i>,
    span: Range<usize>,
    /// Dotted path like `sla.sales` (empty for the root).
    path: String,
}

impl Tbl<'_, '_> {
    fn header(&self) -> String {
        if self.path.is_empty() {
            "the top level".into()
        } else {
            format!("[{}]", self.path)
        }
    }
}

struct Reader<'s> {
    src: &'s str,
    diags: Vec<Diagnostic>,
    vocab: Vocabularies,
    /// Bytes of rule text compiled so far (see [`MAX_RULES_BYTES`]).
    rule_bytes: usize,
}

/// The entries of a table in file order.
fn entries<'a, 'i>(t: &'a DeTable<'i>) -> Vec<(&'a Key<'i>, &'a Val<'i>)> {
    let mut v: Vec<_> = t.iter().collect();
    v.sort_by_key(|(k, _)| k.span().start);
    v
}

fn type_name(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

impl<'s> Reader<'s> {
    fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    /// Only the first line of a span: a table's span can cover many lines.
    fn first_line(&self, span: Range<usize>) -> Range<usize> {
        let end = self
            .src
            .get(span.clone())
            .and_then(|s| s.find('\n'))
            .map_or(span.end, |i| span.start + i);
        span.start..end
    }

    /// Reports a table or list longer than `max` at its first extra item;
    /// the caller then reads none of it, so the work stays bounded.
    fn too_many(
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
    fn too_many_keys(&mut self, t: &Tbl<'_, '_>, max: usize, what: &str) -> bool {
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
    fn flag(&mut self, t: &Tbl<'_, '_>, key: &str, path: &str, default: bool) -> Option<bool> {
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

    fn wrong_type(&mut self, v: &Val<'_>, path: &str, want: &str, example: &str) {
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

    fn table<'a, 'i>(&mut self, v: &'a Val<'i>, path: &str) -> Option<Tbl<'a, 'i>> {
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
    fn check_keys(&mut self, t: &Tbl<'_, '_>, allowed: &[&str]) {
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

    fn get<'a, 'i>(&mut self, t: &Tbl<'a, 'i>, key: &str, example: &str) -> Option<&'a Val<'i>> {
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

    fn string(&mut self, v: &Val<'_>, path: &str) -> Option<String> {
        match v.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            _ => {
                self.wrong_type(v, path, "a string", "\"...\"");
                None
            }
        }
    }

    fn name_string(&mut self, v: &Val<'_>, path: &str) -> Option<String> {
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

    fn int(
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
    fn duration(
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

    fn float(
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
    fn str_list(
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
    fn one_of(&mut self, name: &str, span: Range<usize>, what: &str, known: &[&str]) -> bool {
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
    fn expr(&mut self, v: &Val<'_>, path: &str, kind: RuleKind) -> Option<Expr> {
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
    fn inner_start(&self, span: Range<usize>, text: &str) -> Option<usize> {
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

    /// Names declared as the keys of a table (`[stages.<name>]`), quietly.
    fn declared_keys(root: &DeTable<'_>, key: &str) -> Vec<String> {
        match root.get(key).map(|v| v.get_ref()) {
            Some(DeValue::Table(t)) => entries(t)
                .into_iter()
                .take(MAX_NAMES)
                .map(|(k, _)| k.get_ref().to_string())
                .collect(),
            _ => Vec::new(),
        }
    }

    fn declared_reasons(root: &DeTable<'_>) -> Vec<String> {
        let list = root
            .get("sla")
            .and_then(|v| v.get_ref().as_table())
            .and_then(|t| t.get("sales"))
            .and_then(|v| v.get_ref().as_table())
            .and_then(|t| t.get("rejection_reasons"))
            .and_then(|v| v.get_ref().as_array());
        list.map(|a| {
            a.iter()
                .take(MAX_NAMES)
                .filter_map(|v| v.get_ref().as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
    }

    fn agreement(&mut self, root: &Tbl<'_, '_>) -> Option<Agreement> {
        self.vocab = Vocabularies {
            stages: Self::declared_keys(root.t, "stages"),
            personas: Self::declared_keys(root.t, "personas"),
            journey_stages: Self::declared_keys(root.t, "journey_stages"),
            rejection_reasons: Self::declared_reasons(root.t),
        };
        self.check_keys(
            root,
            &[
                "version",
                "name",
                "effective",
                "stages",
                "personas",
                "journey_stages",
                "scoring",
                "routing",
                "sla",
                "attribution",
            ],
        );
        let version = self.get(root, "version", "1").and_then(|v| {
            let n = self.int(v, "version", i64::MIN..=i64::MAX, "")?;
            if n != i64::from(FORMAT_VERSION) {
                self.push(
                    Diagnostic::new(
                        v.span(),
                        format!("unsupported format version {n}"),
                        "unknown version",
                    )
                    .help(format!("this accord reads version = {FORMAT_VERSION}")),
                );
                return None;
            }
            Some(FORMAT_VERSION)
        });
        let name = self
            .get(root, "name", "\"Marketing and sales agreement\"")
            .and_then(|v| self.name_string(v, "name"));
        let effective = self.get(root, "effective", "\"2025-04-01\"").and_then(|v| {
            let s = self.string(v, "effective")?;
            if !valid_date(&s) {
                self.push(
                    Diagnostic::new(
                        v.span(),
                        format!("`effective` is \"{s}\", not a date"),
                        "not YYYY-MM-DD",
                    )
                    .help("write the date it applies from as \"YYYY-MM-DD\", e.g. \"2025-04-01\""),
                );
                return None;
            }
            Some(s)
        });
        let stages = self
            .get(
                root,
                "stages",
                "{ lead = { ... } }  (or [stages.lead] sections)",
            )
            .and_then(|v| self.stages(v));
        let personas = self
            .get(root, "personas", "{ ... }  (or [personas.<name>] sections)")
            .and_then(|v| self.personas(v));
        let journey_stages = self
            .get(
                root,
                "journey_stages",
                "{ ... }  (or [journey_stages.<name>] sections)",
            )
            .and_then(|v| self.journey_stages(v));
        let scoring = self
            .get(root, "scoring", "{ ... }  (or a [scoring] section)")
            .and_then(|v| self.scoring(v));
        let routing = self
            .get(root, "routing", "{ ... }  (or [[routing.rules]] sections)")
            .and_then(|v| self.routing(v));
        let sla = self
            .get(
                root,
                "sla",
                "{ ... }  (or [sla.sales] and [sla.marketing] sections)",
            )
            .and_then(|v| self.sla(v));
        let attribution = self
            .get(
                root,
                "attribution",
                "{ ... }  (or an [attribution] section)",
            )
            .and_then(|v| self.attribution(v));
        Some(Agreement {
            version: version?,
            name: name?,
            effective: effective?,
            stages: stages?,
            personas: personas?,
            journey_stages: journey_stages?,
            scoring: scoring?,
            routing: routing?,
            sla: sla?,
            attribution: attribution?,
        })
    }

    fn stages(&mut self, v: &Val<'_>) -> Option<Vec<Stage>> {
        let t = self.table(v, "stages")?;
        if self.too_many_keys(&t, MAX_NAMES, "stages") {
            return None;
        }
        let mut stages = Vec::new();
        let mut spans: Vec<StageNode> = Vec::new();
        let mut ok = true;
        for (key, value) in entries(t.t) {
            let name = key.get_ref().to_string();
            let path = format!("stages.{name}");
            let Some(st) = self.table(value, &path) else {
                ok = false;
                continue;
            };
            self.check_keys(&st, &["description", "from", "when"]);
            let st = Tbl {
                span: key.span(),
                ..st
            };
            let description = self
                .get(&st, "description", "\"...\"")
                .and_then(|v| self.string(v, &format!("{path}.description")));
            let from = match st.t.get("from") {
                Some(v) => self.str_list(v, &format!("{path}.from"), "[\"lead\"]"),
                None if name == "lead" => Some(Vec::new()),
                None => {
                    self.get(&st, "from", "[\"lead\"]");
                    None
                }
            };
            if let Some(from) = &from {
                for (f, span) in from {
                    let stages = self.vocab.stages.clone();
                    let known: Vec<&str> = stages.iter().map(String::as_str).collect();
                    if !self.one_of(f, span.clone(), "stage", &known) {
                        ok = false;
                    }
                }
            }
            let when = self
                .get(&st, "when", "\"lead.score >= mql_threshold\"")
                .and_then(|v| self.expr(v, &format!("{path}.when"), RuleKind::StageEntry));
            let never = when
                .as_ref()
                .is_some_and(|w: &Expr| w.source().trim() == "false");
            match (description, from, when) {
                (Some(description), Some(from), Some(when)) => {
                    spans.push((name.clone(), key.span(), from.clone(), never));
                    stages.push(Stage {
                        name,
                        description,
                        from: from.into_iter().map(|(f, _)| f).collect(),
                        when,
                    });
                }
                _ => ok = false,
            }
        }
        // The engine and reports know the core stages by name.
        let header = self.first_line(t.span.clone());
        for core in CORE_STAGES {
            if !self.vocab.stages.iter().any(|s| s == core) {
                self.push(
                    Diagnostic::new(
                        header.clone(),
                        format!("stage `{core}` is missing"),
                        "stages are declared here",
                    )
                    .help(format!(
                        "add a [stages.{core}] section: every agreement defines {}",
                        CORE_STAGES.join(", ")
                    )),
                );
                ok = false;
            }
        }
        if !ok {
            return None;
        }
        // Reachability: a stage is reachable when one of its `from` stages is.
        let mut reachable: HashSet<&str> = HashSet::from(["lead"]);
        loop {
            let before = reachable.len();
            for (name, _, from, never) in &spans {
                if !never && from.iter().any(|(f, _)| reachable.contains(f.as_str())) {
                    reachable.insert(name);
                }
            }
            if reachable.len() == before {
                break;
            }
        }
        let mut all_reachable = true;
        for (name, span, from, never) in &spans {
            if reachable.contains(name.as_str()) {
                continue;
            }
            all_reachable = false;
            let help = if *never {
                "its criterion is `false`: give it a condition that can hold".to_string()
            } else if from.is_empty() {
                format!("add `from = [...]` to [stages.{name}] with the stages a lead enters it from, e.g. from = [\"mql\"]")
            } else {
                "none of its `from` stages can be reached either: add a reachable stage to `from`"
                    .to_string()
            };
            self.push(
                Diagnostic::new(
                    span.clone(),
                    format!("stage `{name}` cannot be reached from `lead`"),
                    "unreachable stage",
                )
                .help(help),
            );
        }
        all_reachable.then_some(stages)
    }

    fn personas(&mut self, v: &Val<'_>) -> Option<Vec<Persona>> {
        let t = self.table(v, "personas")?;
        if self.too_many_keys(&t, MAX_NAMES, "personas") {
            return None;
        }
        let mut out = Vec::new();
        let mut ok = true;
        for (key, value) in entries(t.t) {
            let name = key.get_ref().to_string();
            let path = format!("personas.{name}");
            let Some(pt) = self.table(value, &path) else {
                ok = false;
                continue;
            };
            self.check_keys(&pt, &["description", "when"]);
            let pt = Tbl {
                span: key.span(),
                ..pt
            };
            let description = self
                .get(&pt, "description", "\"...\"")
                .and_then(|v| self.string(v, &format!("{path}.description")));
            let when = match pt.t.get("when") {
                Some(v) => self
                    .expr(v, &format!("{path}.when"), RuleKind::Persona)
                    .map(Some),
                None => Some(None),
            };
            match (description, when) {
                (Some(description), Some(when)) => out.push(Persona {
                    name,
                    description,
                    when,
                }),
                _ => ok = false,
            }
        }
        if out.is_empty() && ok {
            self.push(
                Diagnostic::new(
                    self.first_line(t.span.clone()),
                    "no personas are declared",
                    "empty",
                )
                .help(
                    "add at least one [personas.<name>] section, e.g. [personas.executive_buyer]",
                ),
            );
            return None;
        }
        ok.then_some(out)
    }

    fn journey_stages(&mut self, v: &Val<'_>) -> Option<Vec<JourneyStage>> {
        let t = self.table(v, "journey_stages")?;
        if self.too_many_keys(&t, MAX_NAMES, "journey stages") {
            return None;
        }
        let mut out = Vec::new();
        let mut ok = true;
        for (key, value) in entries(t.t) {
            let name = key.get_ref().to_string();
            let path = format!("journey_stages.{name}");
            let Some(jt) = self.table(value, &path) else {
                ok = false;
                continue;
            };
            self.check_keys(&jt, &["description"]);
            let jt = Tbl {
                span: key.span(),
                ..jt
            };
            match self
                .get(&jt, "description", "\"...\"")
                .and_then(|v| self.string(v, &format!("{path}.description")))
            {
                Some(description) => out.push(JourneyStage { name, description }),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    /// An array of tables of rules, each with a unique `name`.
    fn rule_tables<'a, 'i>(&mut self, v: &'a Val<'i>, path: &str) -> Option<Vec<Tbl<'a, 'i>>> {
        let DeValue::Array(items) = v.get_ref() else {
            self.wrong_type(
                v,
                path,
                "an array of tables",
                &format!("[{{ name = \"...\", ... }}]  (or [[{path}]] sections)"),
            );
            return None;
        };
        if let Some(extra) = items.get(MAX_RULES) {
            self.too_many(items.len(), MAX_RULES, path, "rules", extra.span());
            return None;
        }
        let mut out = Vec::new();
        let mut names: Vec<(String, Range<usize>)> = Vec::new();
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            let Some(t) = self.table(item, &format!("{path}[{i}]")) else {
                ok = false;
                continue;
            };
            let t = Tbl {
                path: path.to_string(),
                ..t
            };
            if let Some(DeValue::String(n)) = t.t.get("name").map(|n| n.get_ref()) {
                let span = t.t.get("name").map(|n| n.span()).unwrap_or(t.span.clone());
                if let Some((_, first)) = names.iter().find(|(x, _)| x == n.as_ref()) {
                    let first = first.clone();
                    self.push(
                        Diagnostic::new(span, format!("two rules in [[{path}]] are named `{n}`"), "duplicate name")
                            .related(first, "first used here")
                            .help("give each rule its own name: reports and explanations refer to rules by name"),
                    );
                    ok = false;
                } else {
                    names.push((n.to_string(), span));
                }
            }
            out.push(t);
        }
        ok.then_some(out)
    }

    fn score_rules(&mut self, v: &Val<'_>, path: &str, kind: RuleKind) -> Option<Vec<ScoreRule>> {
        let tables = self.rule_tables(v, path);
        let mut out = Vec::new();
        let mut ok = tables.is_some();
        for t in tables.iter().flatten() {
            self.check_keys(t, &["name", "when", "points"]);
            let name = self
                .get(t, "name", "\"senior_title\"")
                .and_then(|v| self.name_string(v, &format!("{path}.name")));
            let when = self
                .get(t, "when", "\"lead.seniority in ['c_level', 'vp']\"")
                .and_then(|v| self.expr(v, &format!("{path}.when"), kind));
            let points = self.get(t, "points", "10").and_then(|v| {
                self.int(
                    v,
                    &format!("{path}.points"),
                    -100..=100,
                    "points must be within -100..=100",
                )
            });
            match (name, when, points) {
                (Some(name), Some(when), Some(points)) => out.push(ScoreRule {
                    name,
                    when,
                    points: points as i32,
                }),
                _ => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn scoring(&mut self, v: &Val<'_>) -> Option<Scoring> {
        let t = self.table(v, "scoring")?;
        self.check_keys(&t, &["mql_threshold", "fit", "engagement"]);
        let threshold = self.get(&t, "mql_threshold", "60").and_then(|v| {
            self.int(
                v,
                "scoring.mql_threshold",
                0..=100,
                "the MQL threshold must be within 0..=100",
            )
        });
        let fit = self
            .get(
                &t,
                "fit",
                "[{ name = \"...\", when = \"...\", points = 10 }]  (or [[scoring.fit]] sections)",
            )
            .and_then(|v| self.score_rules(v, "scoring.fit", RuleKind::Fit));
        let engagement = self
            .get(
                &t,
                "engagement",
                "{ half_life_days = 30.0 }  (or a [scoring.engagement] section)",
            )
            .and_then(|v| self.engagement(v));
        Some(Scoring {
            mql_threshold: threshold? as u32,
            fit: fit?,
            engagement: engagement?,
        })
    }

    fn engagement(&mut self, v: &Val<'_>) -> Option<Engagement> {
        let t = self.table(v, "scoring.engagement")?;
        self.check_keys(&t, &["half_life_days", "points", "rules"]);
        let half_life = self.get(&t, "half_life_days", "30.0").and_then(|v| {
            self.float(
                v,
                "scoring.engagement.half_life_days",
                |x| x > 0.0,
                "a half-life must be more than 0 days",
                "30.0",
            )
        });
        let points = self
            .get(
                &t,
                "points",
                "{ demo_request = 30 }  (or a [scoring.engagement.points] section)",
            )
            .and_then(|v| {
                let pt = self.table(v, "scoring.engagement.points")?;
                if self.too_many_keys(&pt, MAX_NAMES, "touch kinds") {
                    return None;
                }
                let mut out = Vec::new();
                let mut ok = true;
                for (k, v) in entries(pt.t) {
                    let kind: &str = k.get_ref();
                    let path = format!("scoring.engagement.points.{kind}");
                    let known = self.one_of(
                        kind,
                        k.span(),
                        "marketing touch kind",
                        expr::MARKETING_TOUCH_KINDS,
                    );
                    let points =
                        self.int(v, &path, 0..=100, "points per touch must be within 0..=100");
                    match (known, points) {
                        (true, Some(p)) => out.push((kind.to_string(), p as u32)),
                        _ => ok = false,
                    }
                }
                ok.then_some(out)
            });
        let rules = match t.t.get("rules") {
            Some(v) => self.score_rules(v, "scoring.engagement.rules", RuleKind::Engagement),
            None => Some(Vec::new()),
        };
        Some(Engagement {
            half_life_days: half_life?,
            points: points?,
            rules: rules?,
        })
    }

    fn sla(&mut self, v: &Val<'_>) -> Option<Sla> {
        let t = self.table(v, "sla")?;
        self.check_keys(&t, &["sales", "marketing", "escalation"]);
        let sales = self
            .get(&t, "sales", "{ ... }  (or a [sla.sales] section)")
            .and_then(|v| self.sales(v));
        let marketing = self
            .get(&t, "marketing", "{ ... }  (or a [sla.marketing] section)")
            .and_then(|v| self.marketing(v));
        let escalation = match t.t.get("escalation") {
            Some(v) => self.escalation(v),
            None => Some(Vec::new()),
        };
        Some(Sla {
            sales: sales?,
            marketing: marketing?,
            escalation: escalation?,
        })
    }

    fn sales(&mut self, v: &Val<'_>) -> Option<SalesSla> {
        let t = self.table(v, "sla.sales")?;
        self.check_keys(
            &t,
            &[
                "follow_up_hours",
                "follow_up_attempts",
                "decide_hours",
                "rejection_reasons",
                "business_hours",
            ],
        );
        let business_hours = self.flag(&t, "business_hours", "sla.sales.business_hours", false);
        let follow_up = self
            .get(&t, "follow_up_hours", "24")
            .and_then(|v| self.duration(v, "sla.sales.follow_up_hours", 1, false));
        let attempts = self.get(&t, "follow_up_attempts", "3").and_then(|v| {
            self.int(
                v,
                "sla.sales.follow_up_attempts",
                1..=100,
                "at least one attempt is needed",
            )
        });
        let decide = self
            .get(&t, "decide_hours", "48")
            .and_then(|v| self.duration(v, "sla.sales.decide_hours", 1, false));
        let reasons = self.get(&t, "rejection_reasons", "[\"no_budget\", \"bad_timing\"]").and_then(|v| {
            let list = self.str_list(v, "sla.sales.rejection_reasons", "[\"no_budget\", \"bad_timing\"]")?;
            if list.is_empty() {
                self.push(
                    Diagnostic::new(v.span(), "no rejection reasons are declared", "empty")
                        .help("sales must be able to say why it rejects a lead: list reasons such as \"no_budget\""),
                );
                return None;
            }
            Some(list.into_iter().map(|(s, _)| s).collect())
        });
        if let (Some(f), Some(d), Some(v)) = (follow_up, decide, t.t.get("decide_hours")) {
            if d < f {
                self.push(
                    Diagnostic::new(v.span(), "sales must decide before it has to follow up", "shorter than follow_up_hours")
                        .help("decide_hours is counted from the MQL entry too: make it at least follow_up_hours"),
                );
                return None;
            }
        }
        Some(SalesSla {
            follow_up: follow_up?,
            follow_up_attempts: attempts? as u32,
            decide: decide?,
            rejection_reasons: reasons?,
            business_hours: business_hours?,
        })
    }

    fn marketing(&mut self, v: &Val<'_>) -> Option<MarketingSla> {
        let t = self.table(v, "sla.marketing")?;
        self.check_keys(&t, &["min_acceptance_rate", "default_monthly_mql_targets"]);
        let rate = self.get(&t, "min_acceptance_rate", "0.5").and_then(|v| {
            self.float(
                v,
                "sla.marketing.min_acceptance_rate",
                |x| (0.0..=1.0).contains(&x),
                "a rate is a fraction within 0..=1",
                "0.5",
            )
        });
        let targets = match t.t.get("default_monthly_mql_targets") {
            Some(v) => (|| {
                let tt = self.table(v, "sla.marketing.default_monthly_mql_targets")?;
                if self.too_many_keys(&tt, MAX_NAMES, "regions") {
                    return None;
                }
                let mut out = Vec::new();
                let mut ok = true;
                for (k, v) in entries(tt.t) {
                    let region: &str = k.get_ref();
                    let known = self.one_of(region, k.span(), "region", expr::REGIONS);
                    let n = self.int(
                        v,
                        &format!("sla.marketing.default_monthly_mql_targets.{region}"),
                        0..=10_000_000,
                        "a target cannot be negative",
                    );
                    match (known, n) {
                        (true, Some(n)) => out.push((region.to_string(), n as u32)),
                        _ => ok = false,
                    }
                }
                ok.then_some(out)
            })(),
            None => Some(Vec::new()),
        };
        Some(MarketingSla {
            min_acceptance_rate: rate?,
            default_monthly_mql_targets: targets?,
        })
    }

    fn escalation(&mut self, v: &Val<'_>) -> Option<Vec<EscalationStep>> {
        let tables = self.rule_tables(v, "sla.escalation");
        let mut out = Vec::new();
        let mut ok = tables.is_some();
        for et in tables.iter().flatten() {
            self.check_keys(et, &["name", "on", "after_hours", "notify", "reasons"]);
            let name = self
                .get(et, "name", "\"follow_up_late_manager\"")
                .and_then(|v| self.name_string(v, "sla.escalation.name"));
            let on = self.get(et, "on", "\"follow_up_breach\"").and_then(|v| {
                let s = self.string(v, "sla.escalation.on")?;
                self.one_of(&s, v.span(), "escalation trigger", Trigger::NAMES)
                    .then(|| Trigger::from_name(&s))
                    .flatten()
            });
            let after = self
                .get(et, "after_hours", "0")
                .and_then(|v| self.duration(v, "sla.escalation.after_hours", 1, true));
            let notify = self.get(et, "notify", "\"rep_manager\"").and_then(|v| {
                let s = self.string(v, "sla.escalation.notify")?;
                self.one_of(&s, v.span(), "role", Role::NAMES)
                    .then(|| Role::from_name(&s))
                    .flatten()
            });
            let reasons = match et.t.get("reasons") {
                Some(v) => self.str_list(v, "sla.escalation.reasons", "[\"bad_contact_data\"]").and_then(|list| {
                    let reasons = self.vocab.rejection_reasons.clone();
                    let declared: Vec<&str> = reasons.iter().map(String::as_str).collect();
                    let mut all = true;
                    for (r, span) in &list {
                        if !declared.contains(&r.as_str()) {
                            let help = match did_you_mean(r, declared.iter().copied()) {
                                Some(s) => format!("did you mean `{s}`? Or declare it in [sla.sales] rejection_reasons"),
                                None => "declare it in [sla.sales] rejection_reasons, or use one declared there".into(),
                            };
                            self.push(
                                Diagnostic::new(span.clone(), format!("rejection reason `{r}` is not declared"), "undeclared reason")
                                    .help(help),
                            );
                            all = false;
                        }
                    }
                    if all && on != Some(Trigger::Rejected) && on.is_some() {
                        self.push(
                            Diagnostic::new(v.span(), "`reasons` only applies to on = \"rejected\"", "ignored")
                                .help("remove `reasons`, or set on = \"rejected\""),
                        );
                        all = false;
                    }
                    all.then(|| list.into_iter().map(|(s, _)| s).collect())
                }),
                None => Some(Vec::new()),
            };
            match (name, on, after, notify, reasons) {
                (Some(name), Some(on), Some(after), Some(notify), Some(reasons)) => {
                    out.push(EscalationStep {
                        name,
                        on,
                        reasons,
                        after,
                        notify,
                    })
                }
                _ => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn attribution(&mut self, v: &Val<'_>) -> Option<Attribution> {
        let t = self.table(v, "attribution")?;
        self.check_keys(&t, &["lookback_days", "half_life_days", "models"]);
        let lookback = self
            .get(&t, "lookback_days", "90")
            .and_then(|v| self.duration(v, "attribution.lookback_days", 24, false));
        let half_life = self.get(&t, "half_life_days", "7.0").and_then(|v| {
            self.float(
                v,
                "attribution.half_life_days",
                |x| x > 0.0,
                "a half-life must be more than 0 days",
                "7.0",
            )
        });
        let models = self
            .get(&t, "models", "[\"linear\", \"time_decay\"]")
            .and_then(|v| {
                let list =
                    self.str_list(v, "attribution.models", "[\"linear\", \"time_decay\"]")?;
                let mut out = Vec::new();
                let mut ok = true;
                for (m, span) in list {
                    if self.one_of(&m, span, "attribution model", Model::NAMES) {
                        out.extend(Model::from_name(&m));
                    } else {
                        ok = false;
                    }
                }
                ok.then_some(out)
            });
        Some(Attribution {
            lookback: lookback?,
            half_life_days: half_life?,
            models: models?,
        })
    }
}

fn valid_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: Range<usize>| {
        s.get(r)
            .filter(|p| p.bytes().all(|c| c.is_ascii_digit()))
            .and_then(|p| p.parse::<u32>().ok())
    };
    match (num(0..4), num(5..7), num(8..10)) {
        (Some(_), Some(m), Some(d)) => (1..=12).contains(&m) && (1..=31).contains(&d),
        _ => false,
    }
}
