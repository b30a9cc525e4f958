//! The SLA's decisions: a sales clock that ran out, a month whose MQL target
//! or acceptance share marketing missed, and an escalation step fired. The
//! engine makes them (ids `~n`); they are never sent from outside.

use super::{DecodeError, Field, Reader};
use crate::agreement::{Role, Trigger};
use crate::domain::*;

/// Which of sales' two clocks (ordered: follow-up first).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SlaClock {
    /// Follow up an MQL within `follow_up_hours`.
    FollowUp,
    /// Accept or reject it within `decide_hours`.
    Decide,
}

impl SlaClock {
    pub const ALL: [SlaClock; 2] = [SlaClock::FollowUp, SlaClock::Decide];

    pub fn as_str(self) -> &'static str {
        match self {
            SlaClock::FollowUp => "follow_up",
            SlaClock::Decide => "decide",
        }
    }

    pub fn from_name(s: &str) -> Option<SlaClock> {
        SlaClock::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The escalation trigger its breach fires.
    pub fn trigger(self) -> Trigger {
        match self {
            SlaClock::FollowUp => Trigger::FollowUpBreach,
            SlaClock::Decide => Trigger::DecideBreach,
        }
    }
}

impl std::fmt::Display for SlaClock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A closed set stored as its position in `ALL`: never reorder `ALL`.
macro_rules! stored_by_position {
    ($($t:ty),+) => {$(
        impl Field for $t {
            fn put(&self, out: &mut Vec<u8>) {
                let i = <$t>::ALL.iter().position(|x| x == self).expect("a member of ALL");
                out.push(i as u8);
            }
            fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
                <$t>::ALL.get(usize::from(r.u8()?)).copied().ok_or(DecodeError::BadTag)
            }
        }
    )+};
}
stored_by_position!(SlaClock, Trigger, Role);

record! {
    /// A sales clock of an MQL entry that ran out before it was met: at
    /// `due`, exactly, whenever the engine noticed.
    ClockBreach {
        id: DecisionId,
        lead: LeadId,
        /// The transition into mql that started the clock.
        entry: TransitionId,
        clock: SlaClock,
        /// The lead's owner when the clock ran out.
        rep: Option<RepId>,
        due: Timestamp,
    }
}

record! {
    /// A region's month closed with fewer MQLs than its target.
    TargetMiss {
        id: DecisionId,
        region: Region,
        month: Month,
        target: u32,
        mqls: u32,
        /// The first second of the next month.
        judged_at: Timestamp,
    }
}

record! {
    /// A region's month closed with sales accepting a smaller share of its
    /// decided MQLs than `min_acceptance_rate`.
    AcceptanceMiss {
        id: DecisionId,
        region: Region,
        month: Month,
        accepted: u32,
        decided: u32,
        /// The first second of the next month.
        judged_at: Timestamp,
    }
}

record! {
    /// One step of the agreement's escalation chain fired: who is told, of what.
    Escalation {
        id: DecisionId,
        /// The step's `name` in the agreement.
        step: Text,
        on: Trigger,
        /// The id of the event that set it off: a breach (`~n`) or a rejection.
        cause: Text,
        lead: Option<LeadId>,
        region: Option<Region>,
        month: Option<Month>,
        notify: Role,
        /// The person in that role when the data names one (a rep's manager).
        person: Option<RepId>,
        at: Timestamp,
    }
}
