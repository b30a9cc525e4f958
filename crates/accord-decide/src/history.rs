//! A lead's history as the engine holds it, read-only: what predictive
//! scoring builds a lead's features from (`crate::predict::features`), so
//! that a prediction needs no pass over the log and no state of its own.

use accord_core::domain::{Named, Stage, TouchKind};
use accord_core::event::{Account, AccountMatch, Lead};

use crate::state::{LeadRow, State, TouchRow, NONE};
use crate::Engine;

/// One lead's rows in the engine's state.
pub struct LeadHistory<'a> {
    state: &'a State,
    row: &'a LeadRow,
    touches: &'a [TouchRow],
}

impl<'a> LeadHistory<'a> {
    /// The history of lead row `lead` (a row of `state`).
    pub(crate) fn of(state: &'a State, lead: u32) -> LeadHistory<'a> {
        LeadHistory {
            state,
            row: &state.leads[lead as usize],
            touches: &state.touches[lead as usize],
        }
    }

    /// The lead as created.
    pub fn lead(&self) -> &'a Lead {
        &self.row.lead
    }

    /// The engine's match of the lead to an account, if one was made
    /// (decoded from its stored bytes at each call).
    pub fn matched(&self) -> Option<AccountMatch> {
        self.row.matched.as_deref().map(crate::state::matched)
    }

    /// The latest record of account `id`, if recorded.
    pub fn account(&self, id: &str) -> Option<&'a Account> {
        // Mostly the lead's own (given, else matched): no id looked up.
        if let Some(a) = self.state.account(self.row.account) {
            if a.id.as_str() == id {
                return Some(a);
            }
        }
        let i = self.state.account_ids.get(id)?;
        self.state.accounts[i as usize].as_ref().map(|r| &r.account)
    }

    /// Every touch in arrival order: its time (Unix seconds), kind and
    /// campaign (a number standing for the campaign's id, the same for the
    /// same id).
    pub fn touches(&self) -> impl Iterator<Item = (i64, TouchKind, Option<u32>)> + 'a {
        let state = self.state;
        self.touches.iter().map(move |t| {
            let campaign = state.names_of(t).campaign;
            (t.at, t.kind, (campaign != NONE).then_some(campaign))
        })
    }

    /// Every stage change in order: its time (Unix seconds) and the stage
    /// it went to.
    pub fn stages(&self) -> impl Iterator<Item = (i64, &'a Named<Stage>)> + 'a {
        self.row
            .history
            .iter()
            .map(|s| (s.at.unix_seconds(), &s.to))
    }
}

impl Engine {
    /// The history of lead `id`, if known.
    pub fn lead_history(&self, id: &str) -> Option<LeadHistory<'_>> {
        let i = self.state.lead_ids.get(id)?;
        Some(LeadHistory::of(&self.state, i))
    }
}
