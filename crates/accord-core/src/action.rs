//! A person's actions on a lead: requests the engine checks against the
//! agreement in force before anything is stored. An action the agreement
//! allows becomes an event of origin `Person`; one it does not is refused
//! with the rule that refuses it, and nothing is stored.
//!
//! Every action carries the id of the event it makes, so a retried action
//! is a no-op, as a re-imported row is.

use crate::domain::{
    DecisionId, LeadId, Named, RejectionReason, RepId, Text, Timestamp, TransitionId,
};

/// What a person asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// A rep accepts a lead (the stage whose criterion reads `event.kind == 'accepted'`).
    Accept(Decision),
    /// A rep qualifies a lead (`event.kind == 'qualified'`).
    Qualify(Decision),
    /// A rep rejects a lead with one of the agreement's rejection reasons
    /// (`event.kind == 'rejected'`, `event.reason`).
    Reject {
        decision: Decision,
        reason: Named<RejectionReason>,
    },
    /// A lead's owner changed by hand: the only way an owner changes once set.
    Reassign {
        id: DecisionId,
        lead: LeadId,
        /// The new owner.
        rep: RepId,
        at: Timestamp,
        by: Option<Text>,
    },
}

/// A sales decision on a lead: the transition it makes, by which rep, when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    /// The id of the stage change it makes.
    pub id: TransitionId,
    pub lead: LeadId,
    pub rep: RepId,
    pub at: Timestamp,
    /// Who did it, if not the rep themself (a manager, an integration).
    pub by: Option<Text>,
}

impl Action {
    pub fn lead(&self) -> &LeadId {
        match self {
            Action::Accept(d) | Action::Qualify(d) | Action::Reject { decision: d, .. } => &d.lead,
            Action::Reassign { lead, .. } => lead,
        }
    }

    pub fn at(&self) -> Timestamp {
        match self {
            Action::Accept(d) | Action::Qualify(d) | Action::Reject { decision: d, .. } => d.at,
            Action::Reassign { at, .. } => *at,
        }
    }

    /// The word a stage criterion reads in `event.kind` for this action
    /// (the wire format names the action itself `accept`, `qualify`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            Action::Accept(_) => "accepted",
            Action::Qualify(_) => "qualified",
            Action::Reject { .. } => "rejected",
            Action::Reassign { .. } => "reassigned",
        }
    }
}
