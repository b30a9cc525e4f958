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
    for (i, facts) in engine.facts_from(start) {
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

    #[test]
    fn cursors_read_back_and_refuse_anything_else() {
        assert_eq!(Cursor::parse("p0"), Some(Cursor(0)));
        assert_eq!(Cursor::parse("p42"), Some(Cursor(42)));
        assert_eq!(Cursor(17).to_text(), "p17");
        for bad in ["", "p", "42", "p-1", "p+1", "px", "p99999999999999999999", "P1"] {
            assert_eq!(Cursor::parse(bad), None, "{bad}");
        }
    }
}
