//! Leads listed with filters and a cursor: what `accord leads` prints and
//! `GET /v1/leads` answers. A lead's position in the order first seen never
//! changes (leads are only added), so a cursor is the position to go on
//! from: a page read later continues where the previous one stopped, and
//! leads created meanwhile come at the end.

use accord_core::domain::Timestamp;
use accord_decide::{Engine, LeadFacts, LeadSummary};

/// Which leads, how many, from where.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LeadQuery {
    pub stage: Option<String>,
    pub owner: Option<String>,
    /// Scores at least / at most (0 to 100).
    pub min_score: Option<i64>,
    pub max_score: Option<i64>,
    pub account: Option<String>,
    /// Created at or after / strictly before.
    pub created_from: Option<Timestamp>,
    pub created_to: Option<Timestamp>,
    /// Only leads owned by one of these reps (`None`: everyone's).
    pub visible_owners: Option<Vec<String>>,
    /// A cursor from an earlier page (`None`: from the first lead).
    pub cursor: Option<Cursor>,
    /// At most this many leads (`None`: all).
    pub limit: Option<usize>,
}

/// Where a page goes on from: a position in the order first seen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor(pub usize);

impl Cursor {
    /// The cursor's text, as a client sends it back.
    pub fn to_text(self) -> String {
        format!("p{}", self.0)
    }

    /// A cursor's text read back (`None`: not a cursor).
    pub fn parse(text: &str) -> Option<Cursor> {
        let digits = text.strip_prefix('p')?;
        if digits.is_empty() || digits.len() > 19 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok().map(Cursor)
    }
}

/// One page of leads.
#[derive(Clone, Debug)]
pub struct LeadPage {
    pub leads: Vec<LeadSummary>,
    /// Where the next page starts, when there may be more.
    pub next: Option<Cursor>,
}

impl LeadQuery {
    /// Whether a lead's facts pass the filters that need no score.
    fn takes(&self, f: &LeadFacts<'_>) -> bool {
        self.stage.as_deref().is_none_or(|s| s == f.stage)
            && self.owner.as_deref().is_none_or(|o| Some(o) == f.owner)
            && self.account.as_deref().is_none_or(|a| Some(a) == f.account)
            && self.created_from.is_none_or(|t| f.created_at >= t)
            && self.created_to.is_none_or(|t| f.created_at < t)
            && self
                .visible_owners
                .as_ref()
                .is_none_or(|v| f.owner.is_some_and(|o| v.iter().any(|r| r == o)))
    }

    fn scores(&self, s: &LeadSummary) -> bool {
        self.min_score.is_none_or(|m| s.score >= m) && self.max_score.is_none_or(|m| s.score <= m)
    }
}

/// The page `query` asks for.
pub fn query(engine: &Engine, query: &LeadQuery) -> LeadPage {
    let limit = query.limit.unwrap_or(usize::MAX);
    let start = query.cursor.map_or(0, |c| c.0);
    let mut leads = Vec::new();
    let mut next = None;
    // Owner and stage are judged on each lead's row first; `takes` then
    // judges the facts of what is left by every filter.
    let owners: Option<Vec<&str>> = match (&query.owner, &query.visible_owners) {
        (Some(o), _) => Some(vec![o.as_str()]),
        (None, Some(v)) => Some(v.iter().map(String::as_str).collect()),
        (None, None) => None,
    };
    for (i, facts) in engine.facts_where(start, owners.as_deref(), query.stage.as_deref()) {
        if !query.takes(&facts) {
            continue;
        }
        let summary = engine.summary_of(i, &facts);
        if !query.scores(&summary) {
            continue;
        }
        if leads.len() == limit {
            next = Some(Cursor(i));
            break;
        }
        leads.push(summary);
    }
    LeadPage { leads, next }
}

/// Whether a lead is visible to someone who sees `visible_owners`' leads
/// (`None`: every lead): an unknown lead and a lead out of sight are told
/// apart by no one but the engine.
pub fn visible(engine: &Engine, id: &str, visible_owners: Option<&[String]>) -> bool {
    let Some(f) = engine.lead_facts(id) else {
        return false;
    };
    visible_owners.is_none_or(|v| f.owner.is_some_and(|o| v.iter().any(|r| r == o)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use accord_core::event::{Event, Origin};
    use proptest::prelude::*;

    #[test]
    fn cursors_read_back_and_refuse_anything_else() {
        assert_eq!(Cursor::parse("p0"), Some(Cursor(0)));
        assert_eq!(Cursor::parse("p42"), Some(Cursor(42)));
        assert_eq!(Cursor(17).to_text(), "p17");
        for bad in [
            "",
            "p",
            "42",
            "p-1",
            "p+1",
            "px",
            "p99999999999999999999",
            "P1",
        ] {
            assert_eq!(Cursor::parse(bad), None, "{bad}");
        }
    }

    /// An engine holding `leads`: (stage, owner number, account number,
    /// day of March created), without an agreement (every score 0).
    fn engine(leads: &[(u8, u8, u8, u8)]) -> Engine {
        let mut e = Engine::new();
        for r in ["R1", "R2"] {
            let line = serde_json::json!({"type": "rep_recorded", "rep_id": r, "name": r, "email": format!("{r}@x.example"),
                "team": "sdr", "region": "EMEA", "capacity_per_day": 5, "hired_at": "2024-01-01T00:00:00Z"});
            let Ok(accord_wire::Input::Event(event)) = accord_wire::parse_line(&line.to_string())
            else {
                panic!("a valid line");
            };
            e.apply(&event, &Origin::Ingested);
        }
        for (i, &(stage, owner, account, day)) in leads.iter().enumerate() {
            let line = serde_json::json!({
                "type": "lead_created", "lead_id": format!("L{i}"), "email": format!("p{i}@x.example"),
                "seniority": "vp", "country": "GB", "region": "EMEA", "source_channel": "referral",
                "created_at": format!("2026-03-{:02}T10:00:00Z", day + 1), "account_id": format!("A{account}")
            });
            let Ok(accord_wire::Input::Event(event)) = accord_wire::parse_line(&line.to_string())
            else {
                panic!("a valid line");
            };
            e.apply(&event, &Origin::Ingested);
            if owner > 0 {
                let a = serde_json::json!({"v": 1, "type": "owner_assigned", "origin": {"person": null}, "assignment_id": format!("A{i}"),
                    "lead_id": format!("L{i}"), "rep_id": format!("R{owner}"), "rule": null,
                    "assigned_at": format!("2026-03-{:02}T11:00:00Z", day + 1), "tried": [], "eligible": []});
                let (event, origin): (Event, Origin) =
                    accord_wire::parse_exported(&a.to_string()).expect("an exported line");
                e.apply(&event, &origin);
            }
            if stage > 0 {
                let s = serde_json::json!({"type": "stage_changed", "transition_id": format!("S{i}"), "lead_id": format!("L{i}"),
                    "from_stage": "lead", "to_stage": "mql", "occurred_at": format!("2026-03-{:02}T12:00:00Z", day + 1)});
                let Ok(accord_wire::Input::Event(event)) = accord_wire::parse_line(&s.to_string())
                else {
                    panic!("a valid line");
                };
                e.apply(&event, &Origin::Ingested);
            }
        }
        e
    }

    proptest! {
        /// Pages of any size, followed by their cursors, list exactly the
        /// leads a plain filter over every lead in order finds.
        #[test]
        fn pages_followed_by_their_cursors_list_what_a_plain_filter_finds(
            leads in proptest::collection::vec((0u8..2, 0u8..3, 0u8..3, 0u8..9), 0..40),
            stage in proptest::option::of(0u8..2),
            owner in proptest::option::of(1u8..3),
            visible in proptest::option::of(proptest::collection::vec(1u8..3, 0..2)),
            account in proptest::option::of(0u8..3),
            from in proptest::option::of(0u8..9),
            to in proptest::option::of(0u8..9),
            limit in 1usize..7,
        ) {
            let e = engine(&leads);
            let day = |d: u8| Timestamp::parse(&format!("2026-03-{:02}T10:00:00Z", d + 1)).unwrap();
            let stage_name = |s: u8| if s == 0 { "lead" } else { "mql" };
            let mut q = LeadQuery {
                stage: stage.map(|s| stage_name(s).to_owned()),
                owner: owner.map(|o| format!("R{o}")),
                account: account.map(|a| format!("A{a}")),
                created_from: from.map(day),
                created_to: to.map(day),
                visible_owners: visible.clone().map(|v| v.iter().map(|o| format!("R{o}")).collect()),
                limit: Some(limit),
                ..Default::default()
            };
            let expected: Vec<String> = leads
                .iter()
                .enumerate()
                .filter(|(_, &(s, o, a, d))| {
                    stage.is_none_or(|x| x == s)
                        && owner.is_none_or(|x| x == o)
                        && account.is_none_or(|x| x == a)
                        && from.is_none_or(|x| d >= x)
                        && to.is_none_or(|x| d < x)
                        && visible.as_ref().is_none_or(|v| o > 0 && v.contains(&o))
                })
                .map(|(i, _)| format!("L{i}"))
                .collect();
            let mut got = Vec::new();
            let mut pages = 0;
            loop {
                let page = query(&e, &q);
                prop_assert!(page.leads.len() <= limit);
                got.extend(page.leads.into_iter().map(|l| l.id));
                pages += 1;
                match page.next {
                    Some(c) => q.cursor = Some(c),
                    None => break,
                }
                prop_assert!(pages <= leads.len() + 1);
            }
            prop_assert_eq!(got, expected);
        }
    }
}
