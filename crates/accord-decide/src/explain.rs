//! What a rep reads before calling: a lead explained line by line — the
//! score and where each point comes from, every stage move and who or what
//! made it, the owner and the routing rule that chose them, the account and
//! how it was matched, the recent touches and the content viewed.

use accord_core::event::Origin;
use serde::Serialize;

use crate::score;
use crate::state::NONE;
use crate::Engine;

/// Touches listed at most in a report (the most recent).
pub const RECENT_TOUCHES: usize = 10;

#[derive(Clone, Debug, Serialize)]
pub struct LeadReport {
    pub id: String,
    pub name: String,
    pub email: String,
    pub title: String,
    pub company: String,
    pub region: String,
    pub created_at: String,
    pub stage: String,
    pub stage_since: String,
    /// The time the report is computed at (the engine's clock).
    pub as_of: String,
    /// The agreement version the score is computed under.
    pub agreement: Option<u32>,
    pub fit: i64,
    pub engagement: i64,
    pub score: i64,
    pub mql_threshold: Option<u32>,
    pub score_lines: Vec<ScoreLine>,
    pub history: Vec<StepLine>,
    pub owner: Option<String>,
    pub owner_name: Option<String>,
    /// How the owner was chosen: the rule, or who reassigned.
    pub owner_by: Option<String>,
    pub owner_since: Option<String>,
    /// Each routing rule tried, in words.
    pub routing: Vec<String>,
    pub waiting_for_owner: bool,
    pub account: Option<String>,
    pub account_name: Option<String>,
    /// How the account is known: given with the lead, or how it was matched.
    pub account_by: Option<String>,
    pub touches: Vec<TouchLine>,
    pub touch_count: usize,
    /// The SLA clocks of every MQL entry, oldest first.
    pub clocks: Vec<crate::ClockLine>,
}

/// One part of the score.
#[derive(Clone, Debug, Serialize)]
pub struct ScoreLine {
    /// `fit` or `engagement`.
    pub part: &'static str,
    /// The rule (a fit or engagement rule's name, or `kind <touch kind>`).
    pub rule: String,
    /// The touch it is for (engagement), and when.
    pub touch: Option<String>,
    pub at: Option<String>,
    pub points: i64,
    /// The share of the points left after decay (1 for fit).
    pub decay: f64,
    /// points × decay.
    pub value: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct StepLine {
    /// The stage change's id (`~n` when the engine made it).
    pub id: String,
    pub at: String,
    pub from: String,
    pub to: String,
    /// Who or what made the move, in words.
    pub by: String,
    pub reason: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct TouchLine {
    pub at: String,
    pub kind: String,
    pub channel: Option<String>,
    pub content: Option<String>,
    pub rep: Option<String>,
}

impl Engine {
    /// The lead explained at the engine's clock, or `None` for an unknown lead.
    pub fn explain(&self, lead: &str) -> Option<LeadReport> {
        let st = &self.state;
        let i = st.lead_ids.get(lead)?;
        let row = &st.leads[i as usize];
        let l = &row.lead;
        let now = st.clock;
        let text = |t: &Option<accord_core::domain::Text>| {
            t.as_ref().map_or(String::new(), |t| t.to_string())
        };
        let mut report = LeadReport {
            id: l.id.to_string(),
            name: text(&l.full_name),
            email: l.email.to_string(),
            title: text(&l.title),
            company: text(&l.company_name),
            region: l.region.to_string(),
            created_at: l.created_at.to_string(),
            stage: row.stage.to_string(),
            stage_since: row.stage_since.to_string(),
            as_of: self.clock().to_string(),
            agreement: None,
            fit: 0,
            engagement: 0,
            score: 0,
            mql_threshold: None,
            score_lines: Vec::new(),
            history: Vec::new(),
            owner: None,
            owner_name: None,
            owner_by: None,
            owner_since: None,
            routing: Vec::new(),
            waiting_for_owner: row.waiting,
            account: None,
            account_name: None,
            account_by: None,
            touches: Vec::new(),
            touch_count: st.touches[i as usize].len(),
            clocks: self.clocks_of(lead, self.clock()),
        };
        if let Some(f) = &self.in_force {
            let a = &f.agreement;
            report.agreement = Some(f.version);
            report.mql_threshold = Some(a.mql_threshold());
            for (rule, points) in score::fit_rules(st, a, i) {
                report.score_lines.push(ScoreLine {
                    part: "fit",
                    rule: rule.to_string(),
                    touch: None,
                    at: None,
                    points,
                    decay: 1.0,
                    value: points as f64,
                });
            }
            report.fit = report.score_lines.iter().map(|s| s.points).sum();
            let mut sum = 0.0;
            for term in score::terms(st, a, i, now) {
                sum += term.value();
                let mut push = |rule: String, points: i64| {
                    if points != 0 {
                        report.score_lines.push(ScoreLine {
                            part: "engagement",
                            rule,
                            touch: Some(st.keys.id(term.touch.id)),
                            at: Some(
                                accord_core::domain::Timestamp::from_unix_seconds(term.touch.at)
                                    .to_string(),
                            ),
                            points,
                            decay: term.decay,
                            value: points as f64 * term.decay,
                        });
                    }
                };
                push(format!("kind {}", term.touch.kind), term.kind_points);
                for (rule, points) in &term.rules {
                    push(rule.to_string(), *points);
                }
            }
            report.engagement = score::round_half_up(sum);
            report.score = (report.fit + report.engagement).clamp(0, 100);
        }
        for step in &row.history {
            report.history.push(StepLine {
                id: st.keys.id(step.id),
                at: step.at.to_string(),
                from: step.from.to_string(),
                to: step.to.to_string(),
                by: self.mover(step),
                reason: st.names.name(step.reason).map(str::to_string),
            });
        }
        if row.owner != NONE {
            let rep = st.rep(row.owner);
            report.owner = st.rep_id(row.owner).map(|r| r.to_string());
            report.owner_name = rep.map(|r| r.name.to_string());
        }
        if let Some((a, origin)) = row.assignment.as_deref().map(crate::state::assignment) {
            report.owner_by = Some(match (&a.rule, origin) {
                (Some(rule), Origin::Engine { agreement }) => {
                    format!("routing rule `{rule}` (agreement v{agreement})")
                }
                (_, origin) => format!("reassigned by {}", origin.describe()),
            });
            report.owner_since = Some(a.assigned_at.to_string());
            for t in &a.tried {
                let mut line = format!("{}: {} rep(s) fit", t.rule, t.matched);
                if !t.excluded.is_empty() {
                    let ex: Vec<String> = t
                        .excluded
                        .iter()
                        .map(|e| format!("{} {}", e.rep, e.why.as_str().replace('_', " ")))
                        .collect();
                    line.push_str(&format!("; not eligible: {}", ex.join(", ")));
                }
                report.routing.push(line);
            }
            if !a.eligible.is_empty() {
                let reps: Vec<String> = a.eligible.iter().map(|r| r.to_string()).collect();
                report.routing.push(format!(
                    "eligible, in the order considered: {}",
                    reps.join(", ")
                ));
            }
        }
        if let Some(account) = st.account(row.account) {
            report.account = Some(account.id.to_string());
            report.account_name = Some(account.name.to_string());
        } else if let Some(id) = &l.account {
            report.account = Some(id.to_string());
        }
        let matched = row.matched.as_deref().map(crate::state::matched);
        report.account_by = match (&l.account, &matched) {
            (Some(_), _) => Some("given with the lead".into()),
            (None, Some(m)) => Some(format!(
                "matched on {} `{}` (confidence {:.1}%)",
                m.how.as_str().replace('_', " "),
                m.evidence,
                f64::from(m.confidence) / 10.0
            )),
            (None, None) => None,
        };
        for t in st.touches[i as usize].iter().rev().take(RECENT_TOUCHES) {
            let ids = st.names_of(t);
            let content = st.names.name(ids.content).map(|c| {
                st.content_of(t)
                    .map_or_else(|| c.to_string(), |k| format!("{} ({})", k.title, k.kind))
            });
            report.touches.push(TouchLine {
                at: accord_core::domain::Timestamp::from_unix_seconds(t.at).to_string(),
                kind: t.kind.to_string(),
                channel: t.channel.map(|c| c.to_string()),
                content,
                rep: st.names.name(ids.rep).map(str::to_string),
            });
        }
        Some(report)
    }

    /// Who or what made a move, in words.
    fn mover(&self, step: &crate::state::Step) -> String {
        use crate::state::StepOrigin;
        let names = &self.state.names;
        match step.origin {
            StepOrigin::Imported => "imported history".into(),
            StepOrigin::Ingested => "sent from outside".into(),
            StepOrigin::Engine { agreement } => {
                let criterion = self
                    .in_force
                    .as_ref()
                    .filter(|f| f.version == agreement)
                    .and_then(|f| f.agreement.stage(step.to.as_str()))
                    .map(|s| format!(": `{}`", s.when.source().trim()))
                    .unwrap_or_default();
                format!("the agreement v{agreement}{criterion}")
            }
            StepOrigin::Person { by } => match (names.name(step.rep), names.name(by)) {
                (Some(rep), Some(by)) if by != rep => format!("rep {rep} (by {by})"),
                (Some(rep), _) => format!("rep {rep}"),
                (None, Some(by)) => by.to_string(),
                (None, None) => "a person".into(),
            },
        }
    }
}

/// A lead in one line: what `accord leads` lists.
#[derive(Clone, Debug, Serialize)]
pub struct LeadSummary {
    pub id: String,
    pub stage: String,
    pub owner: Option<String>,
    /// The account: as the lead arrived with it, else as matched.
    pub account: Option<String>,
    pub created_at: String,
    pub fit: i64,
    pub engagement: i64,
    pub score: i64,
    /// The earliest deadline of the lead's open SLA clocks.
    pub next_due: Option<String>,
}

/// A lead's facts that cost nothing to read (no score): what a filter
/// looks at before the score is computed.
#[derive(Clone, Copy, Debug)]
pub struct LeadFacts<'a> {
    pub id: &'a str,
    pub stage: &'a str,
    pub owner: Option<&'a str>,
    pub account: Option<&'a str>,
    pub created_at: accord_core::domain::Timestamp,
}

impl Engine {
    /// Every lead in the order first seen, with its scores at the clock
    /// (0 without an agreement in force).
    pub fn summaries(&self) -> impl Iterator<Item = LeadSummary> + '_ {
        self.summaries_from(0).map(|(_, s)| s)
    }

    /// The leads from position `start` on (positions in the order first
    /// seen, which never changes), each with its position, scored only
    /// when `keep` takes its facts.
    pub fn summaries_from<'a>(
        &'a self,
        start: usize,
    ) -> impl Iterator<Item = (usize, LeadSummary)> + 'a {
        self.facts_from(start)
            .map(move |(i, f)| (i, self.summary_of(i, &f)))
    }

    /// The leads' facts from position `start` on, each with its position.
    pub fn facts_from(&self, start: usize) -> impl Iterator<Item = (usize, LeadFacts<'_>)> + '_ {
        let st = &self.state;
        let start = start.min(st.leads.len());
        st.leads[start..]
            .iter()
            .enumerate()
            .map(move |(k, row)| (start + k, self.facts(row)))
    }

    /// [`Engine::facts_from`] of only the leads owned by one of `owners`
    /// (rep ids; `None`: anyone's, including no one's) at stage `stage`
    /// (`None`: any). The others are passed over on their row alone,
    /// without building their facts: a rep's queue among a million leads is
    /// a walk over owner numbers, not a million facts.
    pub fn facts_where<'a>(
        &'a self,
        start: usize,
        owners: Option<&[&str]>,
        stage: Option<&'a str>,
    ) -> impl Iterator<Item = (usize, LeadFacts<'a>)> + 'a {
        let st = &self.state;
        let owners: Option<Vec<u32>> =
            owners.map(|o| o.iter().filter_map(|id| st.rep_ids.get(id)).collect());
        let start = start.min(st.leads.len());
        st.leads[start..]
            .iter()
            .enumerate()
            .filter(move |(_, row)| {
                owners.as_ref().is_none_or(|o| o.contains(&row.owner))
                    && stage.is_none_or(|s| row.stage.as_str() == s)
            })
            .map(move |(k, row)| (start + k, self.facts(row)))
    }

    /// The facts of a lead by its id.
    pub fn lead_facts(&self, id: &str) -> Option<LeadFacts<'_>> {
        let i = self.state.lead_ids.get(id)?;
        Some(self.facts(&self.state.leads[i as usize]))
    }

    fn facts<'a>(&'a self, row: &'a crate::state::LeadRow) -> LeadFacts<'a> {
        let st = &self.state;
        let account = match st.account(row.account) {
            Some(a) => Some(a.id.as_str()),
            None => row.lead.account.as_ref().map(|a| a.as_str()),
        };
        LeadFacts {
            id: row.lead.id.as_str(),
            stage: row.stage.as_str(),
            owner: st.rep_id(row.owner).map(|r| r.as_str()),
            account,
            created_at: row.lead.created_at,
        }
    }

    /// Lead at position `i` in one line, its scores at the clock.
    pub fn summary_of(&self, i: usize, f: &LeadFacts<'_>) -> LeadSummary {
        let st = &self.state;
        let (fit, engagement) = match &self.in_force {
            Some(a) => (
                score::fit(st, &a.agreement, i as u32),
                score::engagement(st, &a.agreement, i as u32, st.clock),
            ),
            None => (0, 0),
        };
        LeadSummary {
            id: f.id.to_owned(),
            stage: f.stage.to_owned(),
            owner: f.owner.map(str::to_owned),
            account: f.account.map(str::to_owned),
            created_at: f.created_at.to_string(),
            fit,
            engagement,
            score: (fit + engagement).clamp(0, 100),
            next_due: self
                .next_deadline(i as u32)
                .map(|t| accord_core::domain::Timestamp::from_unix_seconds(t).to_string()),
        }
    }

    /// The `manager_id` recorded for rep `id`, if any.
    pub fn manager_of(&self, id: &str) -> Option<String> {
        let st = &self.state;
        let row = st.rep_ids.get(id)?;
        st.rep(row)?.manager.as_ref().map(|m| m.to_string())
    }

    /// A sales manager's team: the recorded reps whose `manager_id` is
    /// `manager`, and `manager` themself, in id order.
    pub fn team(&self, manager: &str) -> Vec<String> {
        let st = &self.state;
        let mut team: Vec<String> = st
            .rep_order
            .iter()
            .filter_map(|&r| st.rep(r))
            .filter(|r| {
                r.id.as_str() == manager
                    || r.manager.as_ref().is_some_and(|m| m.as_str() == manager)
            })
            .map(|r| r.id.to_string())
            .collect();
        if !team.iter().any(|r| r == manager) {
            team.push(manager.to_owned());
        }
        team
    }
}
