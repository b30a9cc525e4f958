//! The projections every report reads: the event stream folded once into
//! compact, columnar, interned arrays.
//!
//! Every id (lead, account, rep, campaign, asset, opportunity) is interned to a
//! dense `u32` the first time any event names it, so events may arrive in any
//! order (a touch before its lead, a close before its opportunity): `apply`
//! only writes the columns of the event's own row and the per-lead running
//! facts (furthest funnel stage reached, first entry per stage), each in O(1).
//!
//! What needs an order across events (a lead's touches and transitions in
//! (time, id) order, the leads of an account, the MQL entries with their next
//! entry and decision) lives in [`Derived`], built from the columns on the
//! first read after a change and shared by every report of that read.

use std::sync::OnceLock;

use accord_core::domain::{
    Channel, JourneyStage, OpportunityKind, Persona, Region, RejectionReason, Stage, Team,
    Timestamp, TouchKind,
};
use accord_core::event::{packed_key, Event, EventKind, WonOrLost};
use rustc_hash::FxHashMap;

/// "No value" in a `u32` id column.
pub const NONE: u32 = u32::MAX;
/// "No value" in a vocabulary (`u8` code) column.
pub const NO_CODE: u8 = u8::MAX;
/// A lead's persona that the agreement declares (not one of the contract's).
pub const DECLARED_PERSONA: u8 = u8::MAX - 1;
/// "Not known yet" in a time column.
pub const NO_TIME: i64 = i64::MIN;
/// "Never" for a first-entry time.
pub const NEVER: i64 = i64::MAX;

/// Strings to dense indexes and back. Ids of the common packed shape
/// (`L0000001`: see [`accord_core::event::packed_key`]) with a number below
/// 2²⁴ are found by direct address in a table per prefix and width, others of
/// that shape by their packed integer, and any other id by its text: the
/// lookup is on the hot path of a fold (every touch names its lead).
#[derive(Clone, Debug, Default)]
pub struct Interner {
    /// Per (prefix, width) group: index by number (`NONE`: absent).
    direct: Vec<(i64, Vec<u32>)>,
    packed: FxHashMap<i64, u32>,
    index: FxHashMap<Box<str>, u32>,
    names: Vec<Box<str>>,
}

/// The kind whose key space the interner packs ids in (any one kind will do:
/// an interner holds ids of one kind only).
const PACK_KIND: EventKind = EventKind::LeadCreated;
const NUMBER_BITS: u32 = 40;
const DIRECT_LIMIT: i64 = 1 << 24;

impl Interner {
    /// The index of `name`, adding it when new (`true` in the second place).
    pub fn intern(&mut self, name: &str) -> (u32, bool) {
        let next = u32::try_from(self.names.len()).expect("fewer than 2^32 - 1 ids of one kind");
        let i = match packed_key::pack(PACK_KIND, name) {
            Some(key) if key & ((1 << NUMBER_BITS) - 1) < DIRECT_LIMIT => {
                let (group, number) = (key >> NUMBER_BITS, (key & (DIRECT_LIMIT - 1)) as usize);
                let table = match self.direct.iter().position(|(g, _)| *g == group) {
                    Some(t) => &mut self.direct[t].1,
                    None => {
                        self.direct.push((group, Vec::new()));
                        &mut self.direct.last_mut().expect("just pushed").1
                    }
                };
                if table.len() <= number {
                    table.resize(
                        (number + 1).max(table.len() * 2).min(DIRECT_LIMIT as usize),
                        NONE,
                    );
                }
                if table[number] == NONE {
                    table[number] = next;
                }
                table[number]
            }
            Some(key) => *self.packed.entry(key).or_insert(next),
            None => *self.index.entry(name.into()).or_insert(next),
        };
        if i != next {
            return (i, false);
        }
        assert!(i != NONE, "id space of one kind exhausted");
        self.names.push(name.into());
        (i, true)
    }

    pub fn get(&self, name: &str) -> Option<u32> {
        match packed_key::pack(PACK_KIND, name) {
            Some(key) if key & ((1 << NUMBER_BITS) - 1) < DIRECT_LIMIT => {
                let group = key >> NUMBER_BITS;
                let number = (key & (DIRECT_LIMIT - 1)) as usize;
                let (_, table) = self.direct.iter().find(|(g, _)| *g == group)?;
                table.get(number).copied().filter(|&i| i != NONE)
            }
            Some(key) => self.packed.get(&key).copied(),
            None => self.index.get(name).copied(),
        }
    }

    pub fn name(&self, i: u32) -> &str {
        &self.names[i as usize]
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// Many short strings in one buffer (touch and transition ids, for tie-breaks).
#[derive(Clone, Debug, Default)]
pub struct Arena {
    text: String,
    ends: Vec<u64>,
}

impl Arena {
    fn push(&mut self, s: &str) {
        self.text.push_str(s);
        self.ends.push(self.text.len() as u64);
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The text and the end of each string in it (for the snapshot).
    pub(crate) fn parts(&self) -> (&str, &[u64]) {
        (&self.text, &self.ends)
    }

    /// An arena from [`Arena::parts`], if the ends are ascending within the
    /// text and on character boundaries.
    pub(crate) fn from_parts(text: String, ends: Vec<u64>) -> Option<Arena> {
        let mut last = 0;
        for &e in &ends {
            if e < last || e > text.len() as u64 || !text.is_char_boundary(e as usize) {
                return None;
            }
            last = e;
        }
        (last == text.len() as u64).then_some(Arena { text, ends })
    }

    pub fn get(&self, i: u32) -> &str {
        let i = i as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..self.ends[i] as usize]
    }
}

/// Lifecycle stages that have a first-entry time kept per lead (the funnel's).
pub const FUNNEL_STAGES: [Stage; 6] = [
    Stage::Lead,
    Stage::Mql,
    Stage::Sal,
    Stage::Sql,
    Stage::Opportunity,
    Stage::Customer,
];

/// Leads, one slot per interned lead id.
#[derive(Clone, Debug, Default)]
pub struct Leads {
    pub ids: Interner,
    /// `NO_TIME` until the lead's creation event is seen.
    pub created_at: Vec<i64>,
    pub source_channel: Vec<u8>,
    pub region: Vec<u8>,
    /// The persona's code, [`DECLARED_PERSONA`] for one the contract does not
    /// name, `NO_CODE` for none.
    pub persona: Vec<u8>,
    pub account: Vec<u32>,
    /// Furthest funnel rank entered by a transition (0 = lead only).
    pub reached: Vec<u8>,
    pub ever_recycled: Vec<bool>,
    pub ever_disqualified: Vec<bool>,
    /// Earliest transition into each funnel stage (`NEVER` if none); for
    /// `lead` the creation time is folded in when read ([`Leads::first_entry`]).
    pub first_entry: Vec<[i64; 6]>,
}

impl Leads {
    pub(crate) fn slot(&mut self, id: &str) -> u32 {
        let (i, new) = self.ids.intern(id);
        if new {
            self.created_at.push(NO_TIME);
            self.source_channel.push(NO_CODE);
            self.region.push(NO_CODE);
            self.persona.push(NO_CODE);
            self.account.push(NONE);
            self.reached.push(0);
            self.ever_recycled.push(false);
            self.ever_disqualified.push(false);
            self.first_entry.push([NEVER; 6]);
        }
        i
    }

    pub fn len(&self) -> usize {
        self.created_at.len()
    }

    pub fn is_empty(&self) -> bool {
        self.created_at.is_empty()
    }

    /// Whether the lead's creation event has been seen (reports about leads
    /// count only those, like a join on the leads table).
    pub fn is_created(&self, lead: u32) -> bool {
        self.created_at[lead as usize] != NO_TIME
    }

    /// First entry into funnel stage number `rank` (`lead` = 0): the earliest
    /// transition into it, and for `lead` also the creation time.
    pub fn first_entry(&self, lead: u32, rank: usize) -> Option<i64> {
        let mut t = self.first_entry[lead as usize][rank];
        if rank == 0 && self.is_created(lead) {
            t = t.min(self.created_at[lead as usize]);
        }
        (t != NEVER).then_some(t)
    }

    /// The word of a channel code (empty for none).
    pub fn channel_name(&self, code: u8) -> &'static str {
        Channel::from_code(code).map_or("", Channel::as_str)
    }
}

/// Touches, in log order.
#[derive(Clone, Debug, Default)]
pub struct Touches {
    pub ids: Arena,
    pub lead: Vec<u32>,
    pub at: Vec<i64>,
    pub kind: Vec<u8>,
    pub channel: Vec<u8>,
    pub campaign: Vec<u32>,
    pub content: Vec<u32>,
}

impl Touches {
    pub fn len(&self) -> usize {
        self.lead.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lead.is_empty()
    }

    pub fn is_sales(&self, t: u32) -> bool {
        TouchKind::from_code(self.kind[t as usize]).is_some_and(TouchKind::is_sales)
    }
}

/// Stage transitions, in log order.
#[derive(Clone, Debug, Default)]
pub struct Transitions {
    pub ids: Arena,
    pub lead: Vec<u32>,
    pub at: Vec<i64>,
    pub from: Vec<u8>,
    pub to: Vec<u8>,
    pub rep: Vec<u32>,
    pub reason: Vec<u8>,
}

impl Transitions {
    pub fn len(&self) -> usize {
        self.lead.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lead.is_empty()
    }

    pub fn to_stage(&self, i: u32) -> Stage {
        Stage::from_code(self.to[i as usize]).expect("stored stage code")
    }

    pub fn from_stage(&self, i: u32) -> Stage {
        Stage::from_code(self.from[i as usize]).expect("stored stage code")
    }

    pub fn reason(&self, i: u32) -> Option<RejectionReason> {
        RejectionReason::from_code(self.reason[i as usize])
    }
}

/// An opportunity's state as of the latest event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OppStatus {
    Open,
    Won,
    Lost,
}

/// Opportunities, one slot per interned id.
#[derive(Clone, Debug, Default)]
pub struct Opportunities {
    pub ids: Interner,
    /// Whether the creation event has been seen (only those are reported).
    pub created: Vec<bool>,
    pub account: Vec<u32>,
    pub primary_lead: Vec<u32>,
    pub owner: Vec<u32>,
    pub kind: Vec<u8>,
    pub created_at: Vec<i64>,
    pub amount_cents: Vec<i64>,
    pub status: Vec<OppStatus>,
    pub closed_at: Vec<i64>,
}

impl Opportunities {
    pub(crate) fn slot(&mut self, id: &str) -> u32 {
        let (i, new) = self.ids.intern(id);
        if new {
            self.created.push(false);
            self.account.push(NONE);
            self.primary_lead.push(NONE);
            self.owner.push(NONE);
            self.kind.push(NO_CODE);
            self.created_at.push(NO_TIME);
            self.amount_cents.push(0);
            self.status.push(OppStatus::Open);
            self.closed_at.push(NO_TIME);
        }
        i
    }

    pub fn len(&self) -> usize {
        self.created.len()
    }

    pub fn is_empty(&self) -> bool {
        self.created.is_empty()
    }

    pub fn is_new_business(&self, o: u32) -> bool {
        OpportunityKind::from_code(self.kind[o as usize]) == Some(OpportunityKind::NewBusiness)
    }
}

/// Reps: the name and team of those recorded.
#[derive(Clone, Debug, Default)]
pub struct Reps {
    pub ids: Interner,
    pub name: Vec<Option<Box<str>>>,
    pub team: Vec<Option<Team>>,
}

impl Reps {
    pub(crate) fn slot(&mut self, id: &str) -> u32 {
        let (i, new) = self.ids.intern(id);
        if new {
            self.name.push(None);
            self.team.push(None);
        }
        i
    }
}

/// Campaigns: the cost of those recorded.
#[derive(Clone, Debug, Default)]
pub struct Campaigns {
    pub ids: Interner,
    pub cost_cents: Vec<Option<i64>>,
}

impl Campaigns {
    pub(crate) fn slot(&mut self, id: &str) -> u32 {
        let (i, new) = self.ids.intern(id);
        if new {
            self.cost_cents.push(None);
        }
        i
    }
}

/// Assets of the content library (and ids only seen on touches).
#[derive(Clone, Debug, Default)]
pub struct Contents {
    pub ids: Interner,
    pub published: Vec<bool>,
    pub title: Vec<Box<str>>,
    pub kind: Vec<u8>,
    pub persona: Vec<u8>,
    pub journey: Vec<u8>,
}

impl Contents {
    pub(crate) fn slot(&mut self, id: &str) -> u32 {
        let (i, new) = self.ids.intern(id);
        if new {
            self.published.push(false);
            self.title.push("".into());
            self.kind.push(NO_CODE);
            self.persona.push(NO_CODE);
            self.journey.push(NO_CODE);
        }
        i
    }

    pub fn persona(&self, c: u32) -> Option<Persona> {
        Persona::from_code(self.persona[c as usize])
    }

    pub fn journey(&self, c: u32) -> Option<JourneyStage> {
        JourneyStage::from_code(self.journey[c as usize])
    }
}

/// Everything the reports read, folded from the log.
#[derive(Debug, Default)]
pub struct Projections {
    pub leads: Leads,
    pub touches: Touches,
    pub transitions: Transitions,
    pub opps: Opportunities,
    pub accounts: Interner,
    pub reps: Reps,
    pub campaigns: Campaigns,
    pub contents: Contents,
    /// MQL targets by (region code, month); the latest event for a key wins.
    pub targets: FxHashMap<(u8, accord_core::domain::Month), u32>,
    /// The latest `occurred_at` of any event applied: the data's as-of time.
    pub as_of: Option<Timestamp>,
    /// Events applied.
    pub events: u64,
    derived: OnceLock<crate::derived::Derived>,
}

impl Clone for Projections {
    fn clone(&self) -> Self {
        Projections {
            leads: self.leads.clone(),
            touches: self.touches.clone(),
            transitions: self.transitions.clone(),
            opps: self.opps.clone(),
            accounts: self.accounts.clone(),
            reps: self.reps.clone(),
            campaigns: self.campaigns.clone(),
            contents: self.contents.clone(),
            targets: self.targets.clone(),
            as_of: self.as_of,
            events: self.events,
            derived: OnceLock::new(),
        }
    }
}

fn opt_code<T>(v: Option<T>, code: impl Fn(T) -> u8) -> u8 {
    v.map_or(NO_CODE, code)
}

impl Projections {
    /// Folds every event of an iterator, in order.
    pub fn from_events<'a>(events: impl IntoIterator<Item = &'a Event>) -> Projections {
        let mut p = Projections::default();
        for e in events {
            p.apply(e);
        }
        p
    }

    /// Folds one event in. O(1) amortised: it appends to or overwrites the
    /// event's own row and updates the per-lead running facts; orders across
    /// events are rebuilt on the next read.
    pub fn apply(&mut self, event: &Event) {
        if self.derived.get().is_some() {
            self.derived = OnceLock::new();
        }
        // The reports read the facts: an adopted agreement, a routing
        // decision, a match or time away changes none of their cells (and an
        // adoption's wall-clock time must not move their as-of time).
        if !event.kind().is_contract_fact() {
            return;
        }
        self.events += 1;
        let at = event.occurred_at();
        if self.as_of.is_none_or(|t| at > t) {
            self.as_of = Some(at);
        }
        match event {
            Event::AccountRecorded(a) => {
                self.accounts.intern(a.id.as_str());
            }
            Event::RepRecorded(r) => {
                let i = self.reps.slot(r.id.as_str()) as usize;
                self.reps.name[i] = Some(r.name.as_str().into());
                self.reps.team[i] = Some(r.team);
            }
            Event::CampaignRecorded(c) => {
                let i = self.campaigns.slot(c.id.as_str()) as usize;
                self.campaigns.cost_cents[i] = Some(c.cost.cents());
            }
            Event::ContentPublished(c) => {
                let i = self.contents.slot(c.id.as_str()) as usize;
                let k = &mut self.contents;
                k.published[i] = true;
                k.title[i] = c.title.as_str().into();
                k.kind[i] = c.kind.code();
                k.persona[i] = c.persona.core().map_or(NO_CODE, |p| p.code());
                k.journey[i] = c.journey_stage.code();
            }
            Event::TargetSet(t) => {
                self.targets
                    .insert((t.region.code(), t.month), t.mql_target);
            }
            Event::LeadCreated(l) => {
                let account = l
                    .account
                    .as_ref()
                    .map_or(NONE, |a| self.accounts.intern(a.as_str()).0);
                let i = self.leads.slot(l.id.as_str()) as usize;
                let leads = &mut self.leads;
                leads.created_at[i] = l.created_at.unix_seconds();
                leads.source_channel[i] = l.source_channel.code();
                leads.region[i] = l.region.code();
                leads.persona[i] = l
                    .persona
                    .as_ref()
                    .map_or(NO_CODE, |p| p.core().map_or(DECLARED_PERSONA, |p| p.code()));
                leads.account[i] = account;
            }
            Event::Touched(t) => {
                let lead = self.leads.slot(t.lead.as_str());
                let campaign = t
                    .campaign
                    .as_ref()
                    .map_or(NONE, |c| self.campaigns.slot(c.as_str()));
                let content = t
                    .content
                    .as_ref()
                    .map_or(NONE, |c| self.contents.slot(c.as_str()));
                let ts = &mut self.touches;
                ts.ids.push(t.id.as_str());
                ts.lead.push(lead);
                ts.at.push(t.occurred_at.unix_seconds());
                ts.kind.push(t.kind.code());
                ts.channel.push(opt_code(t.channel, Channel::code));
                ts.campaign.push(campaign);
                ts.content.push(content);
            }
            Event::StageChanged(s) => {
                // The reports count the contract's stages: a move into or out
                // of a stage the agreement declares itself is not theirs.
                let (Some(from), Some(to)) = (s.from.core(), s.to.core()) else {
                    return;
                };
                let lead = self.leads.slot(s.lead.as_str());
                let rep = s.rep.as_ref().map_or(NONE, |r| self.reps.slot(r.as_str()));
                let at = s.occurred_at.unix_seconds();
                let tr = &mut self.transitions;
                tr.ids.push(s.id.as_str());
                tr.lead.push(lead);
                tr.at.push(at);
                tr.from.push(from.code());
                tr.to.push(to.code());
                tr.rep.push(rep);
                let reason = s.reason.as_ref().and_then(|r| r.core());
                tr.reason.push(opt_code(reason, RejectionReason::code));
                let l = lead as usize;
                match to {
                    Stage::Recycled => self.leads.ever_recycled[l] = true,
                    Stage::Disqualified => self.leads.ever_disqualified[l] = true,
                    stage => {
                        let rank = stage.funnel_rank().expect("a funnel stage");
                        let leads = &mut self.leads;
                        leads.reached[l] = leads.reached[l].max(rank);
                        let first = &mut leads.first_entry[l][usize::from(rank)];
                        *first = (*first).min(at);
                    }
                }
            }
            Event::OpportunityCreated(o) => {
                let account = self.accounts.intern(o.account.as_str()).0;
                let lead = o
                    .primary_lead
                    .as_ref()
                    .map_or(NONE, |l| self.leads.slot(l.as_str()));
                let owner = self.reps.slot(o.owner_rep.as_str());
                let i = self.opps.slot(o.id.as_str()) as usize;
                let op = &mut self.opps;
                op.created[i] = true;
                op.account[i] = account;
                op.primary_lead[i] = lead;
                op.owner[i] = owner;
                op.kind[i] = o.kind.code();
                op.created_at[i] = o.created_at.unix_seconds();
                op.amount_cents[i] = o.amount.cents();
            }
            Event::OpportunityClosed(c) => {
                let i = self.opps.slot(c.id.as_str()) as usize;
                self.opps.status[i] = match c.won {
                    WonOrLost::Won => OppStatus::Won,
                    WonOrLost::Lost => OppStatus::Lost,
                };
                self.opps.closed_at[i] = c.closed_at.unix_seconds();
            }
            // Not a contract fact: skipped above.
            _ => {}
        }
    }

    /// The cross-event orders, built on first use after a change.
    pub fn derived(&self) -> &crate::derived::Derived {
        self.derived
            .get_or_init(|| crate::derived::Derived::build(self))
    }

    /// Region of a created lead.
    pub fn lead_region(&self, lead: u32) -> Option<Region> {
        Region::from_code(self.leads.region[lead as usize])
    }
}
