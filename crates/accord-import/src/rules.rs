//! The contract's rules across rows, checked after a row parses and before
//! its events go to the store:
//! - nothing happens after the bound (`as_of`, or the present): `after_as_of`,
//!   `in_future`;
//! - a lead's touches and transitions are not before its `created_at`:
//!   `before_lead_created`;
//! - a lead's transitions come in (`occurred_at`, `transition_id`) order
//!   (`out_of_order`), each from the stage the previous one went to, starting
//!   at `lead` (`stage_chain`);
//! - an opportunity row (one or two events) repeating an id with other
//!   content is one `duplicate_id`, and none of its events is stored.
//!
//! The state (each lead's creation, stage and last transition; stored
//! transition ids; stored opportunities' digests) starts from the store and
//! moves only with accepted rows, so a refused row never makes another bad.
//! A transition whose id is already stored or accepted in this import is not
//! chain-checked: the store decides it (a replay, or a `duplicate_id`).

use accord_core::domain::{Stage, Timestamp, TransitionId};
use accord_core::event::{digest, packed_key, Event, EventKind};
use accord_store::{EventStore, StoreError};
use rustc_hash::FxHashMap;

use crate::contract::{IdSet, Problem, RowError};
use crate::folder::{Bound, BoundSource, CLOCK_SKEW_SECONDS};

/// A lead as far as the rules need it.
struct LeadState {
    created_at: Timestamp,
    stage: Stage,
    /// The latest transition accepted or stored: (time, id).
    last: Option<(Timestamp, TransitionId)>,
}

/// Leads by id: packable ids (`L0000001`) by their packed key, others by text.
#[derive(Default)]
struct LeadBook {
    packed: FxHashMap<i64, LeadState>,
    other: FxHashMap<Box<str>, LeadState>,
}

impl LeadBook {
    fn get_mut(&mut self, id: &str) -> Option<&mut LeadState> {
        match packed_key::pack(EventKind::LeadCreated, id) {
            Some(key) => self.packed.get_mut(&key),
            None => self.other.get_mut(id),
        }
    }

    /// Keeps the first state of a lead (a repeated lead id is the store's
    /// business: the first one stays).
    fn insert_first(&mut self, id: &str, state: LeadState) {
        match packed_key::pack(EventKind::LeadCreated, id) {
            Some(key) => {
                self.packed.entry(key).or_insert(state);
            }
            None => {
                if !self.other.contains_key(id) {
                    self.other.insert(id.into(), state);
                }
            }
        }
    }
}

#[derive(Default)]
struct OpportunitySeen {
    /// Digest of the stored OpportunityCreated event.
    stored: Option<u64>,
    /// Digest of this import's first row of the id (all its events), and its line.
    row: Option<(u64, u64)>,
}

/// The cross-row rules' state for one import.
pub struct Rules {
    bound: Bound,
    leads: LeadBook,
    /// Transition ids stored or accepted in this import.
    transitions: IdSet,
    opportunities: FxHashMap<Box<str>, OpportunitySeen>,
    /// Leads with a refused transition row: the first such line.
    refused: FxHashMap<Box<str>, u64>,
}

/// What loading the stored state cost.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Loaded {
    pub events_scanned: u64,
}

impl Rules {
    pub fn new(bound: Bound) -> Rules {
        Rules {
            bound,
            leads: LeadBook::default(),
            transitions: IdSet::new(EventKind::StageChanged),
            opportunities: FxHashMap::default(),
            refused: FxHashMap::default(),
        }
    }

    /// Reads the state of what `store` holds: one pass over the log, decoding
    /// only leads, transitions and opportunities (touches are skipped
    /// undecoded). Nothing to do on an empty store.
    pub fn load<S: EventStore>(&mut self, store: &S) -> Result<Loaded, StoreError> {
        let counts = store.counts()?;
        let wanted = [
            EventKind::LeadCreated,
            EventKind::StageChanged,
            EventKind::OpportunityCreated,
        ];
        if wanted.iter().all(|&k| counts.get(k) == 0) {
            return Ok(Loaded::default());
        }
        let codes = wanted.map(EventKind::code);
        let mut loaded = Loaded::default();
        let mut index: i64 = 0;
        let mut transitions: Vec<accord_core::event::Transition> = Vec::new();
        store.scan_bytes(&mut |bytes| {
            index += 1;
            loaded.events_scanned += 1;
            if !bytes.first().is_some_and(|c| codes.contains(c)) {
                return Ok(());
            }
            let event = Event::decode(bytes)
                .map_err(|source| StoreError::Damaged { seq: index, source })?;
            match event {
                Event::LeadCreated(lead) => self.leads.insert_first(
                    lead.id.as_str(),
                    LeadState {
                        created_at: lead.created_at,
                        stage: Stage::Lead,
                        last: None,
                    },
                ),
                Event::StageChanged(t) => transitions.push(t),
                Event::OpportunityCreated(o) => {
                    self.opportunities
                        .entry(o.id.as_str().into())
                        .or_default()
                        .stored = Some(digest(bytes));
                }
                _ => {}
            }
            Ok(())
        })?;
        // The log's order is the order of imports, not of time: each lead's
        // stage is the one its latest transition went to.
        for t in transitions {
            self.transitions.insert(t.id.as_str());
            if let Some(lead) = self.leads.get_mut(t.lead.as_str()) {
                let later = lead
                    .last
                    .as_ref()
                    .is_none_or(|(at, id)| (t.occurred_at, &t.id) > (*at, id));
                if later {
                    lead.stage = t.to;
                    lead.last = Some((t.occurred_at, t.id));
                }
            }
        }
        Ok(loaded)
    }

    /// Checks a parsed row's events against the rules and, when they pass,
    /// takes them into the state.
    pub fn admit(&mut self, line: u64, events: &[Event]) -> Result<(), RowError> {
        for event in events {
            self.within_bound(event)?;
        }
        match events.first() {
            Some(Event::LeadCreated(lead)) => self.leads.insert_first(
                lead.id.as_str(),
                LeadState {
                    created_at: lead.created_at,
                    stage: Stage::Lead,
                    last: None,
                },
            ),
            Some(Event::Touched(touch)) => {
                if let Some(lead) = self.leads.get_mut(touch.lead.as_str()) {
                    not_before_creation(lead, touch.lead.as_str(), touch.occurred_at)?;
                }
            }
            Some(Event::StageChanged(t)) => {
                if self.transitions.contains(t.id.as_str()) {
                    return Ok(());
                }
                let refused = self.refused.get(t.lead.as_str()).copied();
                if let Some(lead) = self.leads.get_mut(t.lead.as_str()) {
                    not_before_creation(lead, t.lead.as_str(), t.occurred_at)?;
                    chain(lead, t, refused)?;
                    lead.stage = t.to;
                    lead.last = Some((t.occurred_at, t.id.clone()));
                }
                self.transitions.insert(t.id.as_str());
            }
            Some(Event::OpportunityCreated(o)) => {
                let mut bytes = Vec::with_capacity(128);
                events[0].encode(&mut bytes);
                let created = digest(&bytes);
                for e in &events[1..] {
                    e.encode(&mut bytes);
                }
                let row = digest(&bytes);
                let seen = self.opportunities.entry(o.id.as_str().into()).or_default();
                match seen.row {
                    Some((first, _)) if first == row => {}
                    Some((_, first_line)) => {
                        return Err(RowError::new(
                            Problem::DuplicateId,
                            format!(
                            "opportunity {} is at line {first_line} already, with other content",
                            o.id
                        ),
                        ))
                    }
                    None if seen.stored.is_some_and(|stored| stored != created) => {
                        return Err(RowError::new(
                            Problem::DuplicateId,
                            format!(
                                "opportunity {} is already stored with different content",
                                o.id
                            ),
                        ))
                    }
                    None => seen.row = Some((row, line)),
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Notes a transition row that was refused (`lead` as written in it), so
    /// that a later row of the lead that does not chain says why.
    pub fn refused_transition(&mut self, lead: Option<&str>, line: u64) {
        if let Some(lead) = lead.filter(|l| !l.is_empty()) {
            if !self.refused.contains_key(lead) {
                self.refused.insert(lead.into(), line);
            }
        }
    }

    fn within_bound(&self, event: &Event) -> Result<(), RowError> {
        let at = event.occurred_at();
        if at <= self.bound.at {
            return Ok(());
        }
        let column = time_column(event);
        Err(match self.bound.source {
            BoundSource::AsOf => RowError::new(
                Problem::AfterAsOf,
                format!(
                    "column `{column}`: {at} is after the data's as_of {} (meta.json): nothing happens after it",
                    self.bound.at
                ),
            ),
            BoundSource::Now => RowError::new(
                Problem::InFuture,
                format!(
                    "column `{column}`: {at} is in the future (later than now plus {} minutes, {})",
                    CLOCK_SKEW_SECONDS / 60,
                    self.bound.at
                ),
            ),
        })
    }
}

/// The column a row's event time comes from.
fn time_column(event: &Event) -> &'static str {
    match event {
        Event::AccountRecorded(_) | Event::LeadCreated(_) | Event::OpportunityCreated(_) => {
            "created_at"
        }
        Event::RepRecorded(_) => "hired_at",
        Event::CampaignRecorded(_) => "started_at",
        Event::ContentPublished(_) => "published_at",
        Event::TargetSet(_) => "month",
        Event::Touched(_) | Event::StageChanged(_) => "occurred_at",
        Event::OpportunityClosed(_) => "closed_at",
    }
}

fn not_before_creation(lead: &LeadState, id: &str, at: Timestamp) -> Result<(), RowError> {
    if at < lead.created_at {
        return Err(RowError::new(
            Problem::BeforeLeadCreated,
            format!(
                "column `occurred_at`: {at} is before lead {id} was created ({})",
                lead.created_at
            ),
        ));
    }
    Ok(())
}

fn chain(
    lead: &LeadState,
    t: &accord_core::event::Transition,
    refused: Option<u64>,
) -> Result<(), RowError> {
    let after_refused = refused
        .map(|line| format!("; its transition at line {line} was refused"))
        .unwrap_or_default();
    if let Some((at, id)) = &lead.last {
        if (t.occurred_at, &t.id) < (*at, id) {
            return Err(RowError::new(
                Problem::OutOfOrder,
                format!(
                    "column `occurred_at`: {} is before the lead's previous transition {id} at {at} (a lead's transitions go in time order){after_refused}",
                    t.occurred_at
                ),
            ));
        }
    }
    if t.from != lead.stage {
        let since = match &lead.last {
            Some((at, id)) => format!("since {id} at {at}"),
            None => format!("since it was created at {}", lead.created_at),
        };
        return Err(RowError::new(
            Problem::StageChain,
            format!(
                "column `from_stage`: the lead is in `{}` ({since}), not `{}`{after_refused}",
                lead.stage, t.from
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use accord_core::domain::*;
    use accord_core::event::Transition;

    fn at(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    fn rules() -> Rules {
        let mut rules = Rules::new(Bound {
            at: at("2026-04-01T00:00:00Z"),
            source: BoundSource::AsOf,
        });
        rules.leads.insert_first(
            "L1",
            LeadState {
                created_at: at("2025-01-01T00:00:00Z"),
                stage: Stage::Lead,
                last: None,
            },
        );
        rules
    }

    fn step(id: &str, from: Stage, to: Stage, time: &str) -> Vec<Event> {
        vec![Event::StageChanged(Transition {
            id: TransitionId::parse(id).unwrap(),
            lead: LeadId::parse("L1").unwrap(),
            from,
            to,
            occurred_at: at(time),
            rep: None,
            reason: None,
        })]
    }

    fn problem(r: Result<(), RowError>) -> Option<Problem> {
        r.err().map(|e| e.problem)
    }

    #[test]
    fn ties_in_time_go_by_transition_id() {
        let mut r = rules();
        let t = "2025-02-01T00:00:00Z";
        assert_eq!(
            problem(r.admit(2, &step("S2", Stage::Lead, Stage::Mql, t))),
            None
        );
        assert_eq!(
            problem(r.admit(3, &step("S1", Stage::Mql, Stage::Sal, t))),
            Some(Problem::OutOfOrder)
        );
        assert_eq!(
            problem(r.admit(4, &step("S3", Stage::Mql, Stage::Sal, t))),
            None
        );
    }

    #[test]
    fn a_refused_transition_leaves_the_lead_where_it_was() {
        let mut r = rules();
        assert_eq!(
            problem(r.admit(
                2,
                &step("S1", Stage::Mql, Stage::Sal, "2025-02-01T00:00:00Z")
            )),
            Some(Problem::StageChain)
        );
        assert_eq!(
            problem(r.admit(
                3,
                &step("S2", Stage::Lead, Stage::Mql, "2024-02-01T00:00:00Z")
            )),
            Some(Problem::BeforeLeadCreated)
        );
        assert_eq!(
            problem(r.admit(
                4,
                &step("S3", Stage::Lead, Stage::Mql, "2026-05-01T00:00:00Z")
            )),
            Some(Problem::AfterAsOf)
        );
        assert_eq!(
            problem(r.admit(
                5,
                &step("S4", Stage::Lead, Stage::Mql, "2025-02-01T00:00:00Z")
            )),
            None
        );
        // A replayed id is the store's to judge, not the chain's.
        assert_eq!(
            problem(r.admit(
                6,
                &step("S4", Stage::Lead, Stage::Mql, "2025-02-01T00:00:00Z")
            )),
            None
        );
    }
}
