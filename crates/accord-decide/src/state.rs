//! What the engine knows: every lead, account, rep, asset and opportunity
//! it has seen, in rows reached by interned ids. Changed only by
//! [`crate::Engine::apply`], the one path of both replay and live ingest.

use accord_core::domain::*;
use accord_core::event::{AccountMatch, Assignment, Lead, Origin};
use rustc_hash::FxHashMap;

/// "No row" in a `u32` reference.
pub(crate) const NONE: u32 = u32::MAX;

/// Ids interned to dense row numbers, in the order first seen.
#[derive(Default)]
pub(crate) struct Ids {
    map: FxHashMap<Box<str>, u32>,
}

impl Ids {
    pub(crate) fn get(&self, id: &str) -> Option<u32> {
        self.map.get(id).copied()
    }
    /// The row of `id`, and whether it is new.
    pub(crate) fn intern(&mut self, id: &str) -> (u32, bool) {
        if let Some(&i) = self.map.get(id) {
            return (i, false);
        }
        let i = self.map.len() as u32;
        self.map.insert(id.into(), i);
        (i, true)
    }
}

/// A lead as the engine keeps it.
pub(crate) struct LeadRow {
    pub lead: Lead,
    /// `email`'s domain, lower-cased.
    pub email_domain: Box<str>,
    pub free_mail: bool,
    pub stage: Named<Stage>,
    pub stage_since: Timestamp,
    /// The account: as the lead arrived with it, else as matched.
    pub account: u32,
    pub matched: Option<AccountMatch>,
    pub owner: u32,
    pub assignment: Option<(Assignment, Origin)>,
    /// Routing found no eligible rep: routed again at the lead's next event.
    pub waiting: bool,
    pub touches: Vec<TouchRow>,
    pub history: Vec<Step>,
}

/// A touch, as scoring and `lead show` read it.
#[derive(Clone, Debug)]
pub(crate) struct TouchRow {
    pub id: TouchId,
    pub at: i64,
    pub kind: TouchKind,
    pub channel: Option<Channel>,
    pub campaign: Option<CampaignId>,
    pub content: Option<ContentId>,
    pub rep: Option<RepId>,
}

/// One stage change of a lead, and who or what made it.
#[derive(Clone, Debug)]
pub(crate) struct Step {
    pub id: TransitionId,
    pub at: Timestamp,
    pub from: Named<Stage>,
    pub to: Named<Stage>,
    pub rep: Option<RepId>,
    pub reason: Option<Named<RejectionReason>>,
    pub origin: Origin,
}

pub(crate) struct AccountRow {
    pub account: accord_core::event::Account,
}

pub(crate) struct RepRow {
    pub rep: accord_core::event::Rep,
}

#[derive(Default)]
pub(crate) struct State {
    pub lead_ids: Ids,
    pub leads: Vec<LeadRow>,
    pub account_ids: Ids,
    /// `None` until the account's record arrives (a lead may name it first).
    pub accounts: Vec<Option<AccountRow>>,
    pub rep_ids: Ids,
    pub reps: Vec<Option<RepRow>>,
    /// Recorded reps' rows in id order (byte order of the id): the order
    /// routing considers them in.
    pub rep_order: Vec<u32>,
    /// Reps' time away, `[from, until)`, by rep row (a rep may be marked
    /// away before their record arrives).
    pub away: FxHashMap<u32, Vec<(i64, i64)>>,
    pub matcher: crate::matching::Matcher,
    pub content: FxHashMap<Box<str>, accord_core::event::Content>,
    /// Opportunity id → its primary lead's row (or NONE).
    pub opportunities: FxHashMap<Box<str>, u32>,
    /// The largest n of the engine's `~n` stage changes and assignments.
    pub last_transition: u64,
    pub last_assignment: u64,
    /// Round robin: per routing rule, the rep it chose last.
    pub cursors: FxHashMap<Box<str>, u32>,
    /// Leads routed to a rep per local day: (rep row, day number) → count.
    pub loads: FxHashMap<(u32, i64), u32>,
    /// The latest time of any event applied.
    pub clock: i64,
    /// Events applied.
    pub events: u64,
    /// Both sides' SLA: clocks, tallies, timers.
    pub sla: crate::sla::Sla,
}

impl State {
    pub(crate) fn account_row(&mut self, id: &AccountId) -> u32 {
        let (i, new) = self.account_ids.intern(id.as_str());
        if new {
            self.accounts.push(None);
        }
        i
    }

    pub(crate) fn rep_row(&mut self, id: &str) -> u32 {
        let (i, new) = self.rep_ids.intern(id);
        if new {
            self.reps.push(None);
        }
        i
    }

    pub(crate) fn rep(&self, row: u32) -> Option<&accord_core::event::Rep> {
        self.reps.get(row as usize)?.as_ref().map(|r| &r.rep)
    }

    pub(crate) fn account(&self, row: u32) -> Option<&accord_core::event::Account> {
        if row == NONE {
            return None;
        }
        self.accounts
            .get(row as usize)?
            .as_ref()
            .map(|a| &a.account)
    }

    pub(crate) fn away_at(&self, rep: u32, t: i64) -> bool {
        self.away
            .get(&rep)
            .is_some_and(|v| v.iter().any(|&(from, until)| from <= t && t < until))
    }

    pub(crate) fn rep_id(&self, row: u32) -> Option<&RepId> {
        self.rep(row).map(|r| &r.id)
    }
}

/// The `n` of an engine-made id `~n`.
pub(crate) fn engine_number(id: &str) -> Option<u64> {
    id.strip_prefix('~')?.parse().ok()
}
