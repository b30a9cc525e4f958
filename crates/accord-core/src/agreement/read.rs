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

mod access;
mod attribution;
mod routing;
mod scoring;
mod sla;
mod stages;

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

impl Reader<'_> {
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
