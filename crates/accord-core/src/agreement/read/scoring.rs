//! `[scoring]`: fit and behaviour rules with their points, thresholds, and
//! engagement decay.

use super::*;

impl Reader<'_> {
    /// An array of tables of rules, each with a unique `name`.
    pub(super) fn rule_tables<'a, 'i>(
        &mut self,
        v: &'a Val<'i>,
        path: &str,
    ) -> Option<Vec<Tbl<'a, 'i>>> {
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

    pub(super) fn score_rules(
        &mut self,
        v: &Val<'_>,
        path: &str,
        kind: RuleKind,
    ) -> Option<Vec<ScoreRule>> {
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

    pub(super) fn scoring(&mut self, v: &Val<'_>) -> Option<Scoring> {
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

    pub(super) fn engagement(&mut self, v: &Val<'_>) -> Option<Engagement> {
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
                        (true, Some(p)) => {
                            let kind = TouchKind::parse(kind).expect("a marketing touch kind");
                            out.push((kind, p as u32))
                        }
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
}
