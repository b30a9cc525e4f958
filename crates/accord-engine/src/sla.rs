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

/// The board at `now`. Clocks and escalations are judged on the engine's
/// numbers and only those listed become lines: at 1M leads a board of
/// 150,000 clocks answers in milliseconds, not seconds.
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
    let page = engine.clock_page(now, &filter, &sees, q.listed == Listed::Breached, q.limit);
    // An escalation about no lead (a missed target) is for those who see
    // every lead.
    let (escalations_total, escalations) =
        engine.escalation_page(&sees, q.visible_owners.is_none(), q.limit);
    Board {
        as_of: now.to_string(),
        open: page.open,
        breached: page.breached,
        clocks: page.clocks,
        escalations_total,
        escalations,
        marketing: engine.marketing_lines(now),
    }
}
