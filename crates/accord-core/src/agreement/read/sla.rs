//! `[sla]`: sales' follow-up and decision promises, marketing's monthly MQL
//! targets and acceptance share, and the escalation ladder.

use super::*;

impl Reader<'_> {
    pub(super) fn sla(&mut self, v: &Val<'_>) -> Option<Sla> {
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

    pub(super) fn sales(&mut self, v: &Val<'_>) -> Option<SalesSla> {
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

    pub(super) fn marketing(&mut self, v: &Val<'_>) -> Option<MarketingSla> {
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

    pub(super) fn escalation(&mut self, v: &Val<'_>) -> Option<Vec<EscalationStep>> {
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
}
