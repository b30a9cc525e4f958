//! The webhook event types, and which log events they are.

use accord_core::domain::Stage;
use accord_core::event::{Event, Origin, WonOrLost};

/// A webhook event type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A lead entered `mql` (a stage change into mql).
    LeadMql,
    /// A lead's owner set: by a routing rule, or a person's reassignment.
    LeadRouted,
    /// Sales accepted an MQL (mql → sal).
    LeadAccepted,
    /// Sales rejected an MQL (mql → recycled or disqualified by a rep), with its reason.
    LeadRejected,
    /// A sales clock (follow-up or decide) ran out.
    SlaBreached,
    /// A step of the agreement's escalation chain fired.
    SlaEscalated,
    /// An opportunity closed won, with its shared credit.
    OpportunityWon,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::LeadMql,
        Kind::LeadRouted,
        Kind::LeadAccepted,
        Kind::LeadRejected,
        Kind::SlaBreached,
        Kind::SlaEscalated,
        Kind::OpportunityWon,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::LeadMql => "lead.mql",
            Kind::LeadRouted => "lead.routed",
            Kind::LeadAccepted => "lead.accepted",
            Kind::LeadRejected => "lead.rejected",
            Kind::SlaBreached => "sla.breached",
            Kind::SlaEscalated => "sla.escalated",
            Kind::OpportunityWon => "opportunity.won",
        }
    }

    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// Every name, comma-separated (for messages).
    pub fn names() -> String {
        Kind::ALL.map(Kind::as_str).join(", ")
    }
}

/// The webhook event a stored event is, if any. Imported history is never
/// sent: only what happens while accord runs (ingested events, the engine's
/// decisions, persons' actions).
pub fn classify(origin: &Origin, event: &Event) -> Option<Kind> {
    if *origin == Origin::Imported {
        return None;
    }
    match event {
        Event::StageChanged(t) if t.to.is(Stage::Mql) => Some(Kind::LeadMql),
        Event::StageChanged(t) if t.from.is(Stage::Mql) && t.rep.is_some() => {
            if t.to.is(Stage::Sal) {
                Some(Kind::LeadAccepted)
            } else if t.to.is(Stage::Recycled) || t.to.is(Stage::Disqualified) {
                Some(Kind::LeadRejected)
            } else {
                None
            }
        }
        Event::OwnerAssigned(_) => Some(Kind::LeadRouted),
        Event::ClockBreached(_) => Some(Kind::SlaBreached),
        Event::Escalated(_) => Some(Kind::SlaEscalated),
        Event::OpportunityClosed(c) if c.won == WonOrLost::Won => Some(Kind::OpportunityWon),
        _ => None,
    }
}
