//! The agreement acting: a pure engine. Events and time in, decisions out;
//! no I/O, no clock.
//!
//! [`Engine::apply`] folds one stored event into the state: replay and live
//! ingest take the same path. [`Engine::judge`] decides what the agreement
//! in force makes of an event that arrives live (after it was applied):
//! an account match, a stage change, an owner. [`Engine::act`] checks a
//! person's action and gives the event it makes. The decisions are events
//! of origin `Engine`, which the caller stores and applies, so the log
//! holds every decision and replay never decides again.
//!
//! Rules: docs/engine.md.

mod clocks;
mod explain;
mod fields;
mod hash;
mod history;
mod hours;
mod matching;
pub mod predict;
mod route;
#[cfg(test)]
mod route_tests;
mod rules;
mod score;
mod sla;
#[cfg(test)]
mod sla_tests;
mod sla_view;
mod state;
#[cfg(test)]
mod test_events;
#[cfg(test)]
mod tests;

use accord_core::action::Action;
use accord_core::agreement::Agreement;
use accord_core::domain::*;
use accord_core::event::*;

pub use explain::{LeadFacts, LeadReport, LeadSummary, ScoreLine, StepLine, TouchLine};
pub use hash::StateHash;
pub use history::LeadHistory;
pub use sla_view::{ClockFilter, ClockLine, ClockPage, EscalationLine, MarketingLine, SlaReport};

use hours::Clock;
use rules::{EventRec, RuleScope};
use state::{engine_number, LeadRow, State, Step, TouchRow, NONE};

/// Why an input was refused: nothing of it is stored.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("lead {lead} is not known (no lead_created with this id)")]
    UnknownLead { lead: String },
    #[error("rep {rep} is not known (no rep_recorded with this id)")]
    UnknownRep { rep: String },
    #[error("no agreement is in force: adopt one with `accord agreement adopt` first")]
    NoAgreement,
    #[error("lead {lead} is in stage `{stage}`; {what} moves a lead only {into}")]
    NotAllowed {
        lead: String,
        stage: String,
        what: String,
        /// The stages whose criterion the action meets, with their `from` lists.
        into: String,
    },
    #[error("`{reason}` is not a rejection reason of the agreement in force (v{version}): one of {declared}")]
    UndeclaredReason {
        reason: String,
        version: u32,
        declared: String,
    },
    #[error("transition {id} of lead {lead} goes from `{from}`, but the lead is in `{current}`")]
    BrokenChain {
        id: String,
        lead: String,
        from: String,
        current: String,
    },
    #[error("{what} at {at} is before lead {lead} was created ({created})")]
    BeforeCreation {
        what: String,
        lead: String,
        at: Timestamp,
        created: Timestamp,
    },
    #[error("id `{id}`: ids starting with `~` are made by accord")]
    ReservedId { id: String },
    #[error("{what}: accord records these itself; they cannot be sent")]
    Decision { what: &'static str },
}

/// The agreement in force and what the engine derives from it once.
struct InForce {
    version: u32,
    agreement: Agreement,
    clock: Clock,
    /// Each stage's `from` list (by the agreement's stage order) as stored
    /// names: compared with a lead's stage on every event, without
    /// comparing strings for the contract's own stages.
    from: Vec<Vec<Named<Stage>>>,
}

/// The engine: its state and the agreement in force.
#[derive(Default)]
pub struct Engine {
    state: State,
    in_force: Option<InForce>,
    /// The reps each routing rule cannot tell apart ([`route::Classes`]),
    /// made when first routing; dropped when a rep is recorded or another
    /// agreement is put in force.
    classes: Option<route::Classes>,
}

/// What applying an assignment reads of it.
struct Assigned<'a> {
    id: &'a str,
    lead: &'a str,
    rep: Option<&'a str>,
    rule: Option<&'a str>,
    at: i64,
}

/// A decision to store: an event and where it came from.
pub type Decided = (Event, Origin);

/// A stored event as replay reads it ([`Stored::read`]): a touch whose ids
/// all pack, read without a string ([`PackedTouch::decode`]); an
/// assignment, its head read and its bytes kept whole (the engine keeps
/// them as they are); or any event.
pub enum Stored {
    Touch(PackedTouch),
    Assignment(KeptAssignment),
    Event(Event),
}

/// An assignment as replay reads it: its origin's and event's stored bytes
/// ([`state::kept`]), which the lead's row keeps, and its head.
pub struct KeptAssignment {
    bytes: Box<[u8]>,
    /// Where the event's bytes start in `bytes`.
    event: usize,
    head: AssignmentHead,
}

impl Stored {
    /// The event whose origin is `origin` and whose stored bytes are
    /// `bytes`, read as replay needs it: the same state after
    /// [`Engine::apply_stored`] as after [`Engine::apply`] of
    /// `Event::decode(bytes)`, and the same error for damaged bytes.
    pub fn read(origin: &Origin, bytes: &[u8]) -> Result<Stored, DecodeError> {
        if let Some(t) = PackedTouch::decode(bytes) {
            return Ok(Stored::Touch(t));
        }
        if let Some(head) = AssignmentHead::read(bytes) {
            let (bytes, event) = state::kept(origin, bytes);
            return Ok(Stored::Assignment(KeptAssignment { bytes, event, head }));
        }
        Event::decode(bytes).map(Stored::Event)
    }
}

/// Events whose leads are asked into the cache at once, before they are
/// applied ([`Engine::apply_stored`]) or judged ([`Engine::warm`]): enough
/// misses to overlap, few enough to stay cached.
pub const LOOK_AHEAD: usize = 256;

impl Engine {
    pub fn new() -> Engine {
        Engine::default()
    }

    /// Makes room for a log holding `count(kind)` events of each kind,
    /// before it is applied: the state's large arrays and maps then grow
    /// once, instead of being copied (and their fresh memory cleared)
    /// at each doubling. Only capacity: what is applied is unchanged.
    pub fn reserve(&mut self, count: impl Fn(EventKind) -> u64) {
        let n = |kind| usize::try_from(count(kind)).unwrap_or(usize::MAX);
        let st = &mut self.state;
        let leads = n(EventKind::LeadCreated);
        st.leads.reserve(leads);
        st.touches.reserve(leads);
        st.lead_ids.reserve(leads);
        let accounts = n(EventKind::AccountRecorded);
        st.accounts.reserve(accounts);
        st.account_ids.reserve(accounts);
        st.sla.reserve(
            n(EventKind::ClockBreached) + n(EventKind::MqlTargetMissed),
            n(EventKind::Escalated),
        );
    }

    /// Puts `agreement` in force as version `version` (what applying its
    /// adoption does; a backtest puts a draft in force this way).
    pub fn put_in_force(&mut self, version: u32, agreement: Agreement) {
        let clock = Clock::new(agreement.routing.hours.as_ref());
        // A name that is not a storable word is no lead's stage.
        let from = agreement
            .stages
            .iter()
            .map(|s| s.from.iter().filter_map(|x| Named::parse(x).ok()).collect())
            .collect();
        self.in_force = Some(InForce {
            version,
            agreement,
            clock,
            from,
        });
        self.classes = None;
        // Other rules: every kept touch's points are stale.
        self.state.points.invalidate();
    }

    /// The predictive model in use: the latest adoption applied, its
    /// artifact read when it was applied.
    pub fn model(&self) -> Option<&predict::InUse> {
        self.state.model.as_deref()
    }

    /// The agreement in force and its version.
    pub fn agreement(&self) -> Option<(u32, &Agreement)> {
        self.in_force.as_ref().map(|f| (f.version, &f.agreement))
    }

    /// The latest time of any event applied (seconds since the epoch).
    pub fn clock(&self) -> Timestamp {
        Timestamp::from_unix_seconds(self.state.clock)
    }

    /// Events applied.
    pub fn events(&self) -> u64 {
        self.state.events
    }

    /// Leads known.
    pub fn lead_count(&self) -> usize {
        self.state.leads.len()
    }

    /// Asks the cache for what judging these events will read first (each
    /// touched lead's row and its touches), so that their cache misses
    /// overlap here instead of stalling each event in turn: a hint, with no
    /// effect on the state or on any decision. Live ingest calls it for a
    /// window of inputs before judging them (replay does the same in
    /// [`Engine::apply_stored`]). In two steps, as a touches' address is in
    /// the vector asked for in the first.
    pub fn warm<'e>(&self, events: impl IntoIterator<Item = &'e Event>) {
        let st = &self.state;
        let mut rows = [NONE; LOOK_AHEAD];
        let mut n = 0;
        for e in events {
            if let Event::Touched(t) = e {
                if let Some(i) = st.lead_ids.get(t.lead.as_str()) {
                    st.lead_row_ahead(i);
                    if n < rows.len() {
                        rows[n] = i;
                        n += 1;
                    }
                }
            }
        }
        for &i in &rows[..n] {
            st.touches_ahead(i);
        }
    }

    /// Folds one stored event into the state. Never decides, never fails:
    /// the log is the truth (an event about an unknown lead only records
    /// what it can).
    pub fn apply(&mut self, event: &Event, origin: &Origin) {
        if let Event::OwnerAssigned(a) = event {
            let head = Assigned {
                id: a.id.as_str(),
                lead: a.lead.as_str(),
                rep: a.rep.as_ref().map(|r| r.as_str()),
                rule: a.rule.as_ref().map(|r| r.as_str()),
                at: a.assigned_at.unix_seconds(),
            };
            if let Some(i) = self.assigned(head) {
                self.state.leads[i as usize].assignment = Some(state::encoded(event, origin));
            }
            return;
        }
        self.apply_state(event, origin);
        self.sla_apply(event, origin);
    }

    /// [`Engine::apply`] of an assignment, from its head: all but keeping
    /// the assignment in the lead's row, whose row number it gives (the
    /// caller keeps it there: its stored bytes with its origin's).
    fn assigned(&mut self, a: Assigned<'_>) -> Option<u32> {
        let st = &mut self.state;
        st.events += 1;
        st.clock = st.clock.max(a.at);
        if let Some(n) = engine_number(a.id) {
            st.last_assignment = st.last_assignment.max(n);
        }
        let rep = a.rep.map(|r| st.rep_row(r));
        let lead = st.lead_ids.get(a.lead);
        let mut old_owner = NONE;
        if let Some(i) = lead {
            let row = &mut st.leads[i as usize];
            old_owner = row.owner;
            match rep {
                Some(r) => {
                    row.owner = r;
                    row.waiting = false;
                }
                None => row.waiting = row.owner == NONE,
            }
        }
        // A rule's choice counts against the rep's capacity and moves the
        // rule's round robin; a person's does neither.
        if let (Some(r), Some(rule)) = (rep, a.rule) {
            match st.cursors.get_mut(rule) {
                Some(last) => *last = r,
                None => {
                    st.cursors.insert(rule.into(), r);
                }
            }
            if let Some(region) = st.rep(r).map(|x| x.region) {
                let day = match &self.in_force {
                    Some(f) => f.clock.day(region, a.at),
                    None => a.at.div_euclid(86_400),
                };
                *st.loads.entry((r, day)).or_default() += 1;
            }
        }
        if let Some(i) = lead {
            self.reproject(i, old_owner, a.at);
        }
        lead
    }

    /// [`Engine::apply`] of a touch whose ids are packed (what replay reads
    /// for nine events in ten, without a string): the same state after it
    /// as after `apply` of the touch it packs.
    pub fn apply_touch(&mut self, t: &PackedTouch) {
        self.apply_touch_at(t, NONE);
    }

    /// Applies stored events in log order, the same as [`Engine::apply`]
    /// (or [`Engine::apply_touch`]) of each in turn. At millions of leads a
    /// touch's lead row and its touches are each a cache miss; looked up
    /// for a window of touches before any is applied, the misses overlap.
    /// An assignment's kept bytes move into the lead's row (the item is
    /// left with none).
    pub fn apply_stored(&mut self, events: &mut [(Origin, Stored)]) {
        let mut rows = [NONE; LOOK_AHEAD];
        for window in events.chunks_mut(LOOK_AHEAD) {
            // Each touch's lead and the end of its touches are asked into
            // the cache a window ahead, in two steps (the end's address is
            // in the vector), so that the misses overlap.
            for (slot, (_, e)) in rows.iter_mut().zip(window.iter()) {
                *slot = match e {
                    Stored::Touch(t) => self.state.touch_row_ahead(t.lead),
                    Stored::Assignment(_) | Stored::Event(_) => NONE,
                };
            }
            for &row in &rows[..window.len()] {
                self.state.touch_end_ahead(row);
            }
            for (&row, (origin, e)) in rows.iter().zip(window.iter_mut()) {
                match e {
                    Stored::Touch(t) => self.apply_touch_at(t, row),
                    Stored::Assignment(k) => {
                        let b = &k.bytes[k.event..];
                        let h = &k.head;
                        let head = Assigned {
                            id: h.id(b),
                            lead: h.lead(b),
                            rep: h.rep(b),
                            rule: h.rule(b),
                            at: h.assigned_at.unix_seconds(),
                        };
                        if let Some(i) = self.assigned(head) {
                            let kept = std::mem::take(&mut k.bytes);
                            self.state.leads[i as usize].assignment = Some(kept);
                        }
                    }
                    Stored::Event(e) => self.apply(e, origin),
                }
            }
        }
    }

    /// [`Engine::apply_touch`], its lead's row `row` when known (a row, once
    /// given, is the lead's for good), else looked up.
    fn apply_touch_at(&mut self, t: &PackedTouch, row: u32) {
        let st = &mut self.state;
        st.events += 1;
        let at = t.occurred_at.unix_seconds();
        st.clock = st.clock.max(at);
        let lead = match row {
            NONE => st.lead_ids.get_packed(t.lead),
            i => Some(i),
        };
        if let Some(i) = lead {
            let ids = [t.campaign, t.content, t.rep];
            let row = TouchRow {
                id: state::Keys::packed(t.id),
                at,
                names: st.touch_names.intern_packed(ids, &mut st.names),
                kind: t.kind,
                channel: t.channel,
                points: 0,
            };
            st.touched(i, row);
            score::keep_added(st, self.in_force.as_ref().map(|f| &f.agreement), i);
        }
    }

    /// The state's rows (everything but the SLA).
    fn apply_state(&mut self, event: &Event, origin: &Origin) {
        let st = &mut self.state;
        st.events += 1;
        let at = event.occurred_at().unix_seconds();
        if !matches!(event, Event::AgreementAdopted(_) | Event::ModelAdopted(_)) {
            st.clock = st.clock.max(at);
        }
        match event {
            Event::AccountRecorded(a) => {
                let i = st.account_row(&a.id);
                st.accounts[i as usize] = Some(state::AccountRow { account: a.clone() });
                matching::add(&mut st.matcher, a);
            }
            Event::RepRecorded(r) => {
                self.classes = None;
                let i = st.rep_row(r.id.as_str());
                let new = st.reps[i as usize].is_none();
                st.reps[i as usize] = Some(state::RepRow { rep: r.clone() });
                if new {
                    let reps = &st.reps;
                    let pos = st.rep_order.partition_point(|&o| {
                        reps[o as usize].as_ref().map_or("", |x| x.rep.id.as_str()) < r.id.as_str()
                    });
                    st.rep_order.insert(pos, i);
                }
            }
            Event::CampaignRecorded(_) | Event::TargetSet(_) => {}
            Event::ContentPublished(c) => {
                let i = st.names.intern(c.id.as_str());
                st.content.insert(i, c.clone());
                // A touch's rules may read its content.
                st.points.invalidate();
            }
            Event::LeadCreated(l) => {
                let (i, new) = st.lead_ids.intern(l.id.as_str());
                let account = l.account.as_ref().map_or(NONE, |a| st.account_row(a));
                let domain = l.email.domain().to_ascii_lowercase();
                let row = LeadRow {
                    free_mail: matching::is_free_mail(&domain),
                    email_domain: domain.into(),
                    lead: l.clone(),
                    stage: Named::Core(Stage::Lead),
                    stage_since: l.created_at,
                    account,
                    matched: None,
                    owner: NONE,
                    assignment: None,
                    waiting: false,
                    history: Vec::new(),
                };
                if new {
                    st.leads.push(row);
                    st.touches.push(Vec::new());
                } else {
                    st.leads[i as usize] = row;
                    st.touches[i as usize] = Vec::new();
                    st.points.forget(i);
                }
            }
            Event::Touched(t) => {
                if let Some(i) = st.lead_ids.get(t.lead.as_str()) {
                    let names = &mut st.names;
                    let mut name = |s: Option<&str>| s.map_or(NONE, |s| names.intern(s));
                    let ids = state::TouchNames {
                        campaign: name(t.campaign.as_ref().map(|c| c.as_str())),
                        content: name(t.content.as_ref().map(|c| c.as_str())),
                        rep: name(t.rep.as_ref().map(|r| r.as_str())),
                    };
                    let row = TouchRow {
                        id: st.keys.key(t.id.as_str()),
                        at,
                        names: st.touch_names.intern(ids),
                        kind: t.kind,
                        channel: t.channel,
                        points: 0,
                    };
                    st.touched(i, row);
                    score::keep_added(st, self.in_force.as_ref().map(|f| &f.agreement), i);
                }
            }
            Event::StageChanged(t) => {
                if let Some(n) = engine_number(t.id.as_str()) {
                    st.last_transition = st.last_transition.max(n);
                }
                // The contract's move into mql names the rep the lead was
                // routed to: in history from outside, that is its owner.
                let routed = match (&t.rep, origin) {
                    (Some(r), Origin::Imported | Origin::Ingested) if t.to.is(Stage::Mql) => {
                        Some(st.rep_row(r.as_str()))
                    }
                    _ => None,
                };
                if let Some(i) = st.lead_ids.get(t.lead.as_str()) {
                    let row = &mut st.leads[i as usize];
                    if let (Some(r), NONE) = (routed, row.owner) {
                        row.owner = r;
                    }
                    row.stage = t.to.clone();
                    row.stage_since = t.occurred_at;
                    let step = Step {
                        id: st.keys.key(t.id.as_str()),
                        at: t.occurred_at,
                        from: t.from.clone(),
                        to: t.to.clone(),
                        rep: t.rep.as_ref().map_or(NONE, |r| st.names.intern(r.as_str())),
                        reason: t
                            .reason
                            .as_ref()
                            .map_or(NONE, |r| st.names.intern(r.as_str())),
                        origin: state::StepOrigin::of(origin, &mut st.names),
                    };
                    // A lead has a few steps: no room kept for more.
                    row.history.reserve_exact(1);
                    row.history.push(step);
                }
            }
            Event::OpportunityCreated(o) => {
                let lead = o
                    .primary_lead
                    .as_ref()
                    .and_then(|l| st.lead_ids.get(l.as_str()))
                    .unwrap_or(NONE);
                st.opportunities.insert(o.id.as_str().into(), lead);
            }
            Event::OpportunityClosed(_) => {}
            Event::AgreementAdopted(adoption) => {
                // An adopted text was checked when adopted; one that no
                // longer parses (a newer accord's key) leaves the previous
                // agreement in force.
                if let Ok(agreement) =
                    accord_core::agreement::parse(adoption.text.as_str(), "adopted agreement")
                {
                    self.put_in_force(adoption.version, agreement);
                }
            }
            // Applied by `assigned`.
            Event::OwnerAssigned(_) => {}
            Event::AccountMatched(m) => {
                let account = st.account_row(&m.account);
                if let Some(i) = st.lead_ids.get(m.lead.as_str()) {
                    let row = &mut st.leads[i as usize];
                    row.account = account;
                    row.matched = Some(state::encoded(event, origin));
                }
            }
            Event::RepAway(a) => {
                let i = st.rep_row(a.rep.as_str());
                st.away
                    .entry(i)
                    .or_default()
                    .push((a.from.unix_seconds(), a.until.unix_seconds()));
            }
            Event::ModelAdopted(m) => st.model = Some(Box::new(predict::InUse::of(m))),
            // The SLA's own: folded by `sla_apply`.
            Event::ClockBreached(_)
            | Event::MqlTargetMissed(_)
            | Event::AcceptanceMissed(_)
            | Event::Escalated(_) => {}
        }
    }

    /// Checks an event that arrives from outside before it is stored:
    /// `Ok` when it may be stored and applied.
    pub fn check(&self, event: &Event) -> Result<(), Refusal> {
        let st = &self.state;
        let lead_of = |id: &LeadId| {
            st.lead_ids
                .get(id.as_str())
                .ok_or_else(|| Refusal::UnknownLead {
                    lead: id.to_string(),
                })
        };
        match event {
            Event::AgreementAdopted(_) => Err(Refusal::Decision {
                what: "agreement_adopted (use `accord agreement adopt`)",
            }),
            Event::ModelAdopted(_) => Err(Refusal::Decision {
                what: "model_adopted (use `accord model adopt`)",
            }),
            Event::OwnerAssigned(_) => Err(Refusal::Decision {
                what: "owner_assigned (send a `reassign` action)",
            }),
            Event::AccountMatched(_) => Err(Refusal::Decision {
                what: "account_matched",
            }),
            Event::Touched(t) => {
                let l = lead_of(&t.lead)?;
                let created = st.leads[l as usize].lead.created_at;
                if t.occurred_at < created {
                    return Err(Refusal::BeforeCreation {
                        what: format!("touch {}", t.id),
                        lead: t.lead.to_string(),
                        at: t.occurred_at,
                        created,
                    });
                }
                Ok(())
            }
            Event::StageChanged(t) => {
                if t.id.as_str().starts_with('~') {
                    return Err(Refusal::ReservedId {
                        id: t.id.to_string(),
                    });
                }
                let l = lead_of(&t.lead)?;
                let row = &st.leads[l as usize];
                if t.from != row.stage {
                    return Err(Refusal::BrokenChain {
                        id: t.id.to_string(),
                        lead: t.lead.to_string(),
                        from: t.from.to_string(),
                        current: row.stage.to_string(),
                    });
                }
                Ok(())
            }
            Event::RepAway(a) => {
                if a.id.as_str().starts_with('~') {
                    return Err(Refusal::ReservedId {
                        id: a.id.to_string(),
                    });
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// What the agreement in force decides after `event` (just applied,
    /// arrived live). Each decision is applied before the next is made, and
    /// returned for storing in order. No agreement in force: nothing.
    pub fn judge(&mut self, event: &Event) -> Vec<Decided> {
        let Some(version) = self.in_force.as_ref().map(|f| f.version) else {
            return Vec::new();
        };
        let origin = Origin::Engine { agreement: version };
        let mut out = Vec::new();
        // Routed already by this input: a lead routed on creation that found
        // no rep is not routed a second time for the same input.
        let mut routed = false;
        let (lead, kind) = match event {
            Event::LeadCreated(l) => {
                let Some(i) = self.state.lead_ids.get(l.id.as_str()) else {
                    return out;
                };
                if l.account.is_none() {
                    if let Some(m) = self.match_account(i) {
                        self.decided(Event::AccountMatched(m), &origin, &mut out);
                    }
                }
                if self.routes_on_creation() {
                    self.route(i, &origin, &mut out);
                    routed = true;
                }
                (i, "created")
            }
            Event::Touched(t) => match self.state.lead_ids.get(t.lead.as_str()) {
                Some(i) => (i, "touched"),
                None => return out,
            },
            Event::OpportunityCreated(o) => match o
                .primary_lead
                .as_ref()
                .and_then(|l| self.state.lead_ids.get(l.as_str()))
            {
                Some(i) => (i, "opportunity_created"),
                None => return out,
            },
            Event::OpportunityClosed(c) => {
                match self.state.opportunities.get(c.id.as_str()).copied() {
                    Some(i) if i != NONE => (
                        i,
                        match c.won {
                            WonOrLost::Won => "opportunity_won",
                            WonOrLost::Lost => "opportunity_lost",
                        },
                    ),
                    _ => return out,
                }
            }
            Event::StageChanged(t) => {
                // A move made outside (a CRM, a person): routed if it
                // entered the routing stage.
                if let Some(i) = self.state.lead_ids.get(t.lead.as_str()) {
                    self.after_move(i, &origin, &mut out);
                }
                return out;
            }
            _ => return out,
        };
        let at = event.occurred_at().unix_seconds();
        let rec = EventRec {
            kind,
            reason: "",
            rep: "",
            at,
        };
        if let Some(f) = &self.in_force {
            score::keep_points(&mut self.state, &f.agreement, lead);
        }
        if let Some(to) = self.next_stage(lead, rec, at) {
            self.move_lead(lead, to, None, None, at, &origin, &mut out);
        } else if !routed && self.state.leads[lead as usize].waiting {
            self.route(lead, &origin, &mut out);
        }
        out
    }

    /// Checks a person's action against the agreement in force: the event
    /// it makes (origin `Person`), or why not.
    pub fn act(&self, action: &Action) -> Result<Decided, Refusal> {
        let f = self.in_force.as_ref().ok_or(Refusal::NoAgreement)?;
        let st = &self.state;
        let lead = st
            .lead_ids
            .get(action.lead().as_str())
            .ok_or_else(|| Refusal::UnknownLead {
                lead: action.lead().to_string(),
            })?;
        let known_rep = |r: &RepId| {
            st.rep_ids
                .get(r.as_str())
                .filter(|&i| st.rep(i).is_some())
                .ok_or_else(|| Refusal::UnknownRep { rep: r.to_string() })
        };
        match action {
            Action::Reassign {
                id,
                lead: lead_id,
                rep,
                at,
                by,
            } => {
                if id.as_str().starts_with('~') {
                    return Err(Refusal::ReservedId { id: id.to_string() });
                }
                known_rep(rep)?;
                Ok((
                    Event::OwnerAssigned(Assignment {
                        id: id.clone(),
                        lead: lead_id.clone(),
                        rep: Some(rep.clone()),
                        rule: None,
                        assigned_at: *at,
                        tried: Vec::new(),
                        eligible: Vec::new(),
                    }),
                    Origin::Person { by: by.clone() },
                ))
            }
            Action::Accept(d) | Action::Qualify(d) | Action::Reject { decision: d, .. } => {
                if d.id.as_str().starts_with('~') {
                    return Err(Refusal::ReservedId {
                        id: d.id.to_string(),
                    });
                }
                known_rep(&d.rep)?;
                let reason = match action {
                    Action::Reject { reason, .. } => {
                        let declared = f.agreement.rejection_reasons();
                        if !declared.iter().any(|r| r == reason.as_str()) {
                            return Err(Refusal::UndeclaredReason {
                                reason: reason.to_string(),
                                version: f.version,
                                declared: declared.join(", "),
                            });
                        }
                        Some(reason.clone())
                    }
                    _ => None,
                };
                let row = &st.leads[lead as usize];
                let created = row.lead.created_at;
                if d.at < created {
                    return Err(Refusal::BeforeCreation {
                        what: format!("{} {}", action.kind(), d.id),
                        lead: d.lead.to_string(),
                        at: d.at,
                        created,
                    });
                }
                let rec = EventRec {
                    kind: action.kind(),
                    reason: reason.as_ref().map_or("", |r| r.as_str()),
                    rep: d.rep.as_str(),
                    at: d.at.unix_seconds(),
                };
                let Some(to) = self.next_stage(lead, rec, rec.at) else {
                    return Err(self.not_allowed(lead, rec));
                };
                let to = Named::parse(&f.agreement.stages[to].name).expect("stage names are words");
                Ok((
                    Event::StageChanged(Transition {
                        id: d.id.clone(),
                        lead: d.lead.clone(),
                        from: row.stage.clone(),
                        to,
                        occurred_at: d.at,
                        rep: Some(d.rep.clone()),
                        reason,
                    }),
                    Origin::Person {
                        by: Some(d.by.clone().unwrap_or_else(|| {
                            Text::parse(d.rep.as_str()).expect("an id is short text")
                        })),
                    },
                ))
            }
        }
    }

    /// The first stage (in file order) that takes the lead from its
    /// current stage and whose criterion holds for `event` at `now`.
    fn next_stage(&self, lead: u32, event: EventRec<'_>, now: i64) -> Option<usize> {
        let f = self.in_force.as_ref()?;
        let row = &self.state.leads[lead as usize];
        let scope = RuleScope {
            event: Some(event),
            ..RuleScope::new(&self.state, &f.agreement, lead, now)
        };
        f.agreement
            .stages
            .iter()
            .zip(&f.from)
            .position(|(s, from)| from.contains(&row.stage) && scope.holds(&s.when))
    }

    fn not_allowed(&self, lead: u32, event: EventRec<'_>) -> Refusal {
        let f = self.in_force.as_ref().expect("checked by the caller");
        let row = &self.state.leads[lead as usize];
        let scope = RuleScope {
            event: Some(event),
            ..RuleScope::new(&self.state, &f.agreement, lead, event.at)
        };
        let into: Vec<String> = f
            .agreement
            .stages
            .iter()
            .filter(|s| !s.from.is_empty() && scope.holds(&s.when))
            .map(|s| format!("into `{}` (from {})", s.name, s.from.join(", ")))
            .collect();
        Refusal::NotAllowed {
            lead: row.lead.id.to_string(),
            stage: row.stage.to_string(),
            what: format!("`{}`", event.kind),
            into: if into.is_empty() {
                "nowhere: no stage's criterion takes it".into()
            } else {
                into.join("; ")
            },
        }
    }

    fn routes_on_creation(&self) -> bool {
        self.in_force
            .as_ref()
            .is_some_and(|f| f.agreement.routing.on == "lead")
    }

    /// Applies a decision and keeps it for storing.
    fn decided(&mut self, event: Event, origin: &Origin, out: &mut Vec<Decided>) {
        self.apply(&event, origin);
        out.push((event, origin.clone()));
    }

    fn match_account(&self, lead: u32) -> Option<AccountMatch> {
        let row = &self.state.leads[lead as usize];
        matching::find(&self.state.matcher, &row.lead).map(
            |(account, confidence, how, evidence)| AccountMatch {
                lead: row.lead.id.clone(),
                account,
                confidence,
                how,
                evidence,
                matched_at: row.lead.created_at,
            },
        )
    }

    /// Routes a lead with no owner; records the assignment (or that it waits).
    fn route(&mut self, lead: u32, origin: &Origin, out: &mut Vec<Decided>) {
        if self.state.leads[lead as usize].owner != NONE {
            return;
        }
        let f = self.in_force.as_ref().expect("judging needs an agreement");
        let now = self.state.clock;
        let classes = self
            .classes
            .get_or_insert_with(|| route::Classes::new(&self.state, &f.agreement));
        let a = route::route(&self.state, &f.agreement, &f.clock, classes, lead, now);
        self.decided(Event::OwnerAssigned(a), origin, out);
    }

    /// Moves a lead into stage number `to` of the agreement, routing it
    /// first when it enters the routing stage without an owner.
    #[allow(clippy::too_many_arguments)]
    fn move_lead(
        &mut self,
        lead: u32,
        to: usize,
        rep: Option<RepId>,
        reason: Option<Named<RejectionReason>>,
        at: i64,
        origin: &Origin,
        out: &mut Vec<Decided>,
    ) {
        let f = self.in_force.as_ref().expect("judging needs an agreement");
        let to_name = f.agreement.stages[to].name.clone();
        if to_name == f.agreement.routing.on {
            self.route(lead, origin, out);
        }
        let row = &self.state.leads[lead as usize];
        let rep = rep.or_else(|| self.state.rep_id(row.owner).cloned());
        let id = TransitionId::parse(&format!("~{}", self.state.last_transition + 1))
            .expect("a valid id");
        let t = Transition {
            id,
            lead: row.lead.id.clone(),
            from: row.stage.clone(),
            to: Named::parse(&to_name).expect("stage names are words"),
            occurred_at: Timestamp::from_unix_seconds(at),
            rep,
            reason,
        };
        self.decided(Event::StageChanged(t), origin, out);
    }

    /// After a move made outside: route if it entered the routing stage.
    fn after_move(&mut self, lead: u32, origin: &Origin, out: &mut Vec<Decided>) {
        let f = self.in_force.as_ref().expect("judging needs an agreement");
        let row = &self.state.leads[lead as usize];
        if row.stage.as_str() == f.agreement.routing.on || row.waiting {
            self.route(lead, origin, out);
        }
    }

    /// The lead's score at the engine's clock, if the lead and an agreement exist.
    pub fn score(&self, lead: &str) -> Option<(i64, i64, i64)> {
        self.score_at(lead, Timestamp::from_unix_seconds(self.state.clock))
    }

    /// [`Engine::score`] as of `at`: engagement from the lead's touches
    /// dated at or before `at`, decayed to `at`; fit from the lead's rows as
    /// they are now (a model's evaluation scores each lead at its cut-off).
    pub fn score_at(&self, lead: &str, at: Timestamp) -> Option<(i64, i64, i64)> {
        let f = self.in_force.as_ref()?;
        let i = self.state.lead_ids.get(lead)?;
        let fit = score::fit(&self.state, &f.agreement, i);
        let engagement = score::engagement(&self.state, &f.agreement, i, at.unix_seconds());
        Some((fit, engagement, (fit + engagement).clamp(0, 100)))
    }
}
