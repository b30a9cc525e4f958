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

use accord_core::domain::{Named, Stage, Timestamp, TransitionId};
use accord_core::event::{digest, packed_key, Event, EventKind};
use accord_store::{EventStore, StoreError};
use rustc_hash::FxHashMap;

use crate::contract::{IdSet, Problem, RowError};
use crate::folder::{Bound, BoundSource, CLOCK_SKEW_SECONDS};

/// Where a lead's transitions stand: its stage and latest transition.
struct Chain {
    stage: Named<Stage>,
    /// The latest transition accepted or stored: (time, id).
    last: Option<(Timestamp, TransitionId)>,
}

impl Chain {
    const START: Chain = Chain {
        stage: Named::Core(Stage::Lead),
        last: None,
    };
}

/// A lead's key: its packed key (`L0000001`), or its text for other shapes.
#[derive(Clone, PartialEq, Eq, Hash)]
enum LeadKey {
    /// The packed key, mixed so that sequential ids spread over a hash
    /// table's buckets (a bijection: keys stay distinct).
    Packed(u64),
    Other(Box<str>),
}

impl LeadKey {
    fn of(id: &str) -> LeadKey {
        match packed_key::pack(EventKind::LeadCreated, id) {
            Some(key) => {
                let h = (key as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
                LeadKey::Packed(h ^ (h >> 32))
            }
            None => LeadKey::Other(id.into()),
        }
    }
}

/// Numbers below this may be slots of a dense array, if the array stays
/// within `DENSE_SLACK` slots per lead it holds plus a fixed 1M: sequential
/// ids fill it; a stray huge number goes to the hash map instead.
const DENSE_SLACK: usize = 4;
const DENSE_BASE: usize = 1 << 20;
const NUMBER_BITS: u32 = 40;
const ABSENT: i64 = i64::MIN;

/// Each lead's creation time and, for leads with transitions, its chain.
/// Creation times of ids of the usual shape (prefix and digits) live in one
/// dense array per prefix and width, 8 bytes a lead, so the lookup every
/// touch makes is one index into a small array (a hash map of a million
/// leads cost a third of the import's time in cache misses).
#[derive(Default)]
struct LeadBook {
    /// (packed key >> 40: kind, prefix and width; created_at seconds by number)
    dense: Vec<(i64, Vec<i64>)>,
    dense_leads: usize,
    sparse: FxHashMap<LeadKey, i64>,
    chains: FxHashMap<LeadKey, Chain>,
}

impl LeadBook {
    fn slot(&self, id: &str) -> Option<(usize, usize)> {
        let key = packed_key::pack(EventKind::LeadCreated, id)?;
        let (group, n) = (
            key >> NUMBER_BITS,
            (key & ((1 << NUMBER_BITS) - 1)) as usize,
        );
        let at = self.dense.iter().position(|(g, _)| *g == group)?;
        (n < self.dense[at].1.len()).then_some((at, n))
    }

    fn created_at(&self, id: &str) -> Option<Timestamp> {
        let seconds = match self.slot(id) {
            Some((at, n)) => self.dense[at].1[n],
            None => *self.sparse.get(&LeadKey::of(id))?,
        };
        (seconds != ABSENT).then(|| Timestamp::from_unix_seconds(seconds))
    }

    /// Keeps the first creation of a lead (a repeated lead id is the store's
    /// business: the first one stays).
    fn insert_first(&mut self, id: &str, created_at: Timestamp) {
        if self.created_at(id).is_some() {
            return;
        }
        let seconds = created_at.unix_seconds();
        if let Some(key) = packed_key::pack(EventKind::LeadCreated, id) {
            let (group, n) = (
                key >> NUMBER_BITS,
                (key & ((1 << NUMBER_BITS) - 1)) as usize,
            );
            if n < DENSE_BASE + DENSE_SLACK * self.dense_leads {
                let at = match self.dense.iter().position(|(g, _)| *g == group) {
                    Some(at) => at,
                    None => {
                        self.dense.push((group, Vec::new()));
                        self.dense.len() - 1
                    }
                };
                let slots = &mut self.dense[at].1;
                if slots.len() <= n {
                    slots.resize((n + 1).next_power_of_two(), ABSENT);
                }
                slots[n] = seconds;
                self.dense_leads += 1;
                return;
            }
        }
        self.sparse.insert(LeadKey::of(id), seconds);
    }

    fn chain(&mut self, id: &str) -> &mut Chain {
        self.chains.entry(LeadKey::of(id)).or_insert(Chain::START)
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
        let (leads, transitions, opportunities) = (
            &mut self.leads,
            &mut self.transitions,
            &mut self.opportunities,
        );
        store.scan_bytes(&mut |bytes| {
            index += 1;
            loaded.events_scanned += 1;
            if !bytes.first().is_some_and(|c| codes.contains(c)) {
                return Ok(());
            }
            let event = Event::decode(bytes)
                .map_err(|source| StoreError::Damaged { seq: index, source })?;
            match event {
                Event::LeadCreated(lead) => leads.insert_first(lead.id.as_str(), lead.created_at),
                // The log's order is the order of imports, not of time: a
                // lead's stage is the one its latest transition went to.
                Event::StageChanged(t) => {
                    transitions.insert(t.id.as_str());
                    let chain = leads.chain(t.lead.as_str());
                    let later = chain
                        .last
                        .as_ref()
                        .is_none_or(|(at, id)| (t.occurred_at, &t.id) > (*at, id));
                    if later {
                        chain.stage = t.to.clone();
                        chain.last = Some((t.occurred_at, t.id));
                    }
                }
                Event::OpportunityCreated(o) => {
                    opportunities
                        .entry(o.id.as_str().into())
                        .or_default()
                        .stored = Some(digest(bytes));
                }
                _ => {}
            }
            Ok(())
        })?;
        Ok(loaded)
    }

    /// Checks a parsed row's events against the rules and, when they pass,
    /// takes them into the state.
    pub fn admit(&mut self, line: u64, events: &[Event]) -> Result<(), RowError> {
        self.check(line, events).map_err(|mut e| {
            if let Some(first) = events.first() {
                e.message = format!("{} ({})", e.message, what(first));
            }
            e
        })
    }

    fn check(&mut self, line: u64, events: &[Event]) -> Result<(), RowError> {
        for event in events {
            self.within_bound(event)?;
        }
        match events.first() {
            Some(Event::LeadCreated(lead)) => {
                self.leads.insert_first(lead.id.as_str(), lead.created_at)
            }
            Some(Event::Touched(touch)) => {
                if let Some(created_at) = self.leads.created_at(touch.lead.as_str()) {
                    not_before_creation(created_at, touch.lead.as_str(), touch.occurred_at)?;
                }
            }
            Some(Event::StageChanged(t)) => {
                if self.transitions.contains(t.id.as_str()) {
                    return Ok(());
                }
                let refused = self.refused.get(t.lead.as_str()).copied();
                if let Some(created_at) = self.leads.created_at(t.lead.as_str()) {
                    not_before_creation(created_at, t.lead.as_str(), t.occurred_at)?;
                    let chain = self.leads.chain(t.lead.as_str());
                    check_chain(chain, created_at, t, refused)?;
                    chain.stage = t.to.clone();
                    chain.last = Some((t.occurred_at, t.id.clone()));
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
                            "its id is already stored with different content".into(),
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

/// The row's record in words, for messages: `touch T00000001 of lead L0000001`.
fn what(event: &Event) -> String {
    let id = event.key().id;
    match event {
        Event::AccountRecorded(_) => format!("account {id}"),
        Event::RepRecorded(_) => format!("rep {id}"),
        Event::CampaignRecorded(_) => format!("campaign {id}"),
        Event::ContentPublished(_) => format!("content {id}"),
        Event::TargetSet(t) => format!("target of {} for {}", t.region, t.month),
        Event::LeadCreated(_) => format!("lead {id}"),
        Event::Touched(t) => format!("touch {id} of lead {}", t.lead),
        Event::StageChanged(t) => format!("transition {id} of lead {}", t.lead),
        Event::OpportunityCreated(_) | Event::OpportunityClosed(_) => format!("opportunity {id}"),
        Event::AgreementAdopted(_) => format!("agreement {id}"),
        Event::OwnerAssigned(a) => format!("assignment {id} of lead {}", a.lead),
        Event::AccountMatched(_) => format!("account match of lead {id}"),
        Event::RepAway(a) => format!("time away {id} of rep {}", a.rep),
        Event::ClockBreached(b) => format!("{} breach {id} of lead {}", b.clock, b.lead),
        Event::MqlTargetMissed(m) => format!("missed target {id} of {} for {}", m.region, m.month),
        Event::AcceptanceMissed(m) => {
            format!("missed acceptance {id} of {} for {}", m.region, m.month)
        }
        Event::Escalated(e) => format!("escalation {id} ({})", e.step),
        Event::ModelAdopted(m) => format!("model adoption {id} (v{})", m.model_version),
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
        Event::AgreementAdopted(_) | Event::ModelAdopted(_) => "adopted_at",
        Event::OwnerAssigned(_) => "assigned_at",
        Event::AccountMatched(_) => "matched_at",
        Event::RepAway(_) => "from",
        Event::ClockBreached(_) => "due",
        Event::MqlTargetMissed(_) | Event::AcceptanceMissed(_) => "judged_at",
        Event::Escalated(_) => "at",
    }
}

fn not_before_creation(created_at: Timestamp, id: &str, at: Timestamp) -> Result<(), RowError> {
    if at < created_at {
        return Err(RowError::new(
            Problem::BeforeLeadCreated,
            format!("column `occurred_at`: {at} is before lead {id} was created ({created_at})"),
        ));
    }
    Ok(())
}

fn check_chain(
    lead: &Chain,
    created_at: Timestamp,
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
            None => format!("since it was created at {created_at}"),
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
        rules.leads.insert_first("L1", at("2025-01-01T00:00:00Z"));
        rules
    }

    fn step(id: &str, from: Stage, to: Stage, time: &str) -> Vec<Event> {
        vec![Event::StageChanged(Transition {
            id: TransitionId::parse(id).unwrap(),
            lead: LeadId::parse("L1").unwrap(),
            from: from.into(),
            to: to.into(),
            occurred_at: at(time),
            rep: None,
            reason: None,
        })]
    }

    fn problem(r: Result<(), RowError>) -> Option<Problem> {
        r.err().map(|e| e.problem)
    }

    #[test]
    fn a_stray_huge_lead_number_stays_out_of_the_dense_array() {
        let mut book = LeadBook::default();
        let t = at("2025-01-01T00:00:00Z");
        book.insert_first("L0000001", t);
        book.insert_first("L999999999", t);
        book.insert_first("lead-7", t);
        assert!(book.dense.iter().all(|(_, slots)| slots.len() <= 2));
        for id in ["L0000001", "L999999999", "lead-7"] {
            assert_eq!(book.created_at(id), Some(t), "{id}");
        }
        assert_eq!(book.created_at("L0000002"), None);
        assert_eq!(book.created_at("L1"), None, "another width is another id");
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
