//! The SLA board: sales' clocks a caller may see, the most urgent first,
//! the escalations fired (latest first) and marketing's months against
//! their targets, at a time. What `GET /v1/sla` answers; the clocks'
//! states and deadlines are the engine's (`accord_decide::sla_view`).

use accord_core::domain::Timestamp;
use accord_decide::{ClockFilter, ClockLine, Engine, EscalationLine, MarketingLine};
use serde::Serialize;

/// Which clocks a board lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Listed {
    /// Running, not yet due: the nearest deadline first.
    Open,
    /// Ran out before they were met: the latest deadline first.
    Breached,
}

/// What a board is asked for.
#[derive(Clone, Debug)]
pub struct BoardQuery {
    pub listed: Listed,
    /// Only the clocks of leads this rep owns.
    pub owner: Option<String>,
    /// The owners whose leads the caller may see (`None`: every lead).
    pub visible_owners: Option<Vec<String>>,
    /// Clocks and escalations listed at most.
    pub limit: usize,
}

/// The board.
#[derive(Clone, Debug, Serialize)]
pub struct Board {
    pub as_of: String,
    /// Open clocks the caller may see (all of them, not only those listed).
    pub open: usize,
    /// Breached clocks the caller may see.
    pub breached: usize,
    /// Up to `limit` clocks of the state asked for, the most urgent first.
    pub clocks: Vec<ClockLine>,
    /// Escalations the caller may see.
    pub escalations_total: usize,
    /// Up to `limit` of them, the latest first.
    pub escalations: Vec<EscalationLine>,
    /// Marketing's months (every region; not about any lead).
    pub marketing: Vec<MarketingLine>,
}

/// The board at `now`.
pub fn board(engine: &Engine, now: Timestamp, q: &BoardQuery) -> Board {
    let filter = ClockFilter {
        rep: q.owner.clone(),
        ..ClockFilter::default()
    };
    let sees = |owner: Option<&str>| {
        q.visible_owners
            .as_ref()
            .is_none_or(|v| owner.is_some_and(|o| v.iter().any(|r| r == o)))
    };
    let lines: Vec<ClockLine> = engine
        .clock_lines(now, &filter)
        .into_iter()
        .filter(|c| sees(c.owner.as_deref()))
        .collect();
    let open = lines.iter().filter(|c| c.state == "open").count();
    let breached = lines.len() - open;
    let want = match q.listed {
        Listed::Open => "open",
        Listed::Breached => "breached",
    };
    let mut clocks: Vec<ClockLine> = lines.into_iter().filter(|c| c.state == want).collect();
    // RFC 3339 UTC times of one width sort as text; ties by lead, clock.
    match q.listed {
        Listed::Open => {
            clocks.sort_by(|a, b| (&a.due, &a.lead, a.clock).cmp(&(&b.due, &b.lead, b.clock)))
        }
        Listed::Breached => {
            clocks.sort_by(|a, b| (&b.due, &a.lead, a.clock).cmp(&(&a.due, &b.lead, b.clock)))
        }
    }
    clocks.truncate(q.limit);
    let escalations: Vec<EscalationLine> = engine
        .escalations()
        .into_iter()
        .filter(|e| match (&q.visible_owners, &e.lead) {
            (None, _) => true,
            (Some(v), Some(lead)) => crate::leads::visible(engine, lead, Some(v)),
            (Some(_), None) => false,
        })
        .collect();
    let escalations_total = escalations.len();
    Board {
        as_of: now.to_string(),
        open,
        breached,
        clocks,
        escalations_total,
        escalations: escalations.into_iter().rev().take(q.limit).collect(),
        marketing: engine.marketing_lines(now),
    }
}
