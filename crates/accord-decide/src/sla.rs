//! Both sides' SLA: sales' two clocks per MQL entry, marketing's tallies per
//! region and month, and the timers of what falls due. Folded from events
//! like the rest of the state ([`Sla`] changes only through `Engine::apply`);
//! `Engine::tick` pops the timers. Rules: docs/engine.md, "SLA clocks".

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use accord_core::agreement::{Agreement, EscalationStep, Role, Trigger};
use accord_core::domain::*;
use accord_core::event::SlaClock;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::state::{Keys, Names, NONE, NO_KEY};

/// One MQL entry and its two clocks.
pub(crate) struct Entry {
    pub lead: u32,
    /// The transition into mql (its id's key in `State::keys`).
    pub id: u64,
    pub at: i64,
    /// Imported history (not judged live).
    pub imported: bool,
    pub region: Region,
    pub month: Month,
    pub follow_up: Clock,
    pub decide: Clock,
    /// Sales touches in the follow-up window.
    pub attempts: u32,
    /// A later MQL entry ended the follow-up window.
    pub closed: bool,
    /// The lead's previous entry, or NONE.
    pub prev: u32,
}

impl Entry {
    pub fn clock(&self, which: SlaClock) -> &Clock {
        match which {
            SlaClock::FollowUp => &self.follow_up,
            SlaClock::Decide => &self.decide,
        }
    }
    pub fn clock_mut(&mut self, which: SlaClock) -> &mut Clock {
        match which {
            SlaClock::FollowUp => &mut self.follow_up,
            SlaClock::Decide => &mut self.decide,
        }
    }
}

/// A clock's deadline and how it ended.
#[derive(Clone, Debug)]
pub(crate) struct Clock {
    pub due: i64,
    /// When it was stopped: the first follow-up, or the decision (either
    /// may come after `due`: late).
    pub stopped: Option<i64>,
    /// The key of its breach event's id in `State::keys`, once fired,
    /// else [`NO_KEY`].
    pub breach: u64,
}

impl Clock {
    /// Met in time: stopped at or before its deadline.
    pub fn met(&self) -> bool {
        self.stopped.is_some_and(|t| t <= self.due)
    }
    /// Its breach was fired.
    pub fn breached(&self) -> bool {
        self.breach != NO_KEY
    }
}

/// What an entry's decision was (its lead's next stage change).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    Accepted,
    Rejected,
    /// Any other move out of mql.
    Neither,
}

/// MQL entries of a region's month and how they were decided.
#[derive(Clone, Debug, Default)]
pub(crate) struct Tally {
    pub mqls: u32,
    /// Entries that arrived live.
    pub live: u32,
    /// Entries decided, at any time.
    pub accepted: u32,
    pub rejected: u32,
    /// Entries decided by the end of the month: what its acceptance is
    /// judged on (so a month is judged the same whenever it is judged).
    pub accepted_in_month: u32,
    pub rejected_in_month: u32,
}

/// What set off an escalation: a breach, a missed target or a rejection.
pub(crate) struct Cause {
    /// The key of the event's id in `State::keys` ([`NO_KEY`] until
    /// recorded).
    pub id: u64,
    pub on: Trigger,
    pub at: i64,
    pub lead: u32,
    /// For a clock's breach: the entry and the clock.
    pub clock: Option<(u32, SlaClock)>,
    pub region: Option<Region>,
    pub month: Option<Month>,
    /// A rejection's reason (its number in `State::names`), else [`NONE`]:
    /// which steps escalate it, again at each adoption.
    pub reason: u32,
    /// Its first step in `Sla::steps` (set by [`Sla::caused`]); its steps
    /// run to the next cause's first.
    pub steps: u32,
}

/// One escalation step of a cause: named when the cause is recorded (by
/// the agreement then in force), timed by that agreement and again by each
/// agreement adopted before it falls due (docs/engine.md, "Escalation").
/// A cause's steps are kept in the order they were named (the file order of
/// the agreement then in force), which orders those due at the same second.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Pending {
    /// When it falls due.
    pub at: i64,
    /// The step's name (its number in `State::names`): what a step is
    /// known by from one agreement to the next, never its position.
    pub name: u32,
    pub notify: Role,
    /// An agreement adopted before it fell due has no such step for its
    /// cause: it never fires.
    pub dropped: bool,
}

/// An escalation fired, as numbers (one is kept per breach or rejection
/// escalated: most of the SLA's state at 1M leads): ids as keys in
/// `State::keys`, names in `State::names` (`NONE`: absent).
/// `State::escalation` gives back the event.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Fired {
    pub id: u64,
    pub cause: u64,
    pub at: i64,
    pub month: Option<Month>,
    /// The lead's id as a key, or [`NO_KEY`].
    pub lead_key: u64,
    /// The lead's row, [`NONE`] when there is no lead or it is unknown.
    pub lead: u32,
    pub step: u32,
    pub person: u32,
    pub on: Trigger,
    pub notify: accord_core::agreement::Role,
    pub region: Option<Region>,
}

/// Something that falls due. Ordered by time, then kind (breaches, then
/// escalation steps, then month ends), then the numbers below.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Timer {
    pub at: i64,
    pub what: Due,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Due {
    /// Entry number, clock (follow-up first).
    Breach { entry: u32, clock: SlaClock },
    /// Cause number, the step's index in `Sla::steps`. Stale (fires
    /// nothing) once an adoption timed the step again, or dropped it.
    Step { cause: u32, step: u32 },
    /// The end of a region's month.
    MonthEnd { month: Month, region: u8 },
}

/// The largest n of the engine's `~n` ids of each SLA kind.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct SlaIds {
    pub breach: u64,
    pub target_miss: u64,
    pub acceptance_miss: u64,
    pub escalation: u64,
}

/// A cause's event id as a map key: its [`Keys::known`] key (no
/// allocation: every id the engine and the kit make), else its text.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum CauseId {
    Known(u64),
    Other(Box<str>),
}

impl CauseId {
    fn of(id: &str) -> CauseId {
        match Keys::known(id) {
            Some(key) => CauseId::Known(key),
            None => CauseId::Other(id.into()),
        }
    }
}

#[derive(Default)]
pub(crate) struct Sla {
    pub entries: Vec<Entry>,
    /// Lead row → its latest entry.
    pub latest: FxHashMap<u32, u32>,
    pub timers: BinaryHeap<Reverse<Timer>>,
    pub tallies: FxHashMap<(Region, Month), Tally>,
    /// Targets from `target_set` events.
    pub targets: FxHashMap<(Region, Month), u32>,
    /// Month ends with a pending timer.
    pub month_timers: FxHashSet<(Region, Month)>,
    pub causes: Vec<Cause>,
    /// The causes' steps, in the order the causes were recorded.
    pub steps: Vec<Pending>,
    /// (trigger, the cause's event id) → cause number: ids of different
    /// kinds may be equal (`~1`).
    pub cause_ids: FxHashMap<(Trigger, CauseId), u32>,
    /// The escalations fired, in log order.
    pub fired: Vec<Fired>,
    /// Entries made before any agreement was in force: their deadlines are
    /// set when the first is adopted.
    pub awaiting: Vec<u32>,
    /// (cause, step name's number in `State::names`) of the escalations fired.
    pub escalated: FxHashSet<(u32, u32)>,
    /// Region-months judged missed: (target missed, acceptance missed).
    pub missed: FxHashMap<(Region, Month), (bool, bool)>,
    /// When the first agreement was adopted: imported clocks that ran out
    /// before it are history, never fired.
    pub since: Option<i64>,
    pub ids: SlaIds,
}

impl Sla {
    /// Room for about `causes` causes of escalations and `fired`
    /// escalations fired ([`crate::Engine::reserve`]).
    pub fn reserve(&mut self, causes: usize, fired: usize) {
        self.causes.reserve(causes);
        self.cause_ids.reserve(causes);
        self.fired.reserve(fired);
        self.escalated.reserve(fired);
    }

    /// A new MQL entry of lead `lead` at `at`, with deadlines already worked
    /// out; ends the follow-up window of the lead's previous entry.
    pub fn enter(&mut self, mut entry: Entry, agreement: Option<&Agreement>) {
        let n = self.entries.len() as u32;
        entry.prev = self.latest.get(&entry.lead).copied().unwrap_or(NONE);
        if entry.prev != NONE {
            self.entries[entry.prev as usize].closed = true;
        }
        self.latest.insert(entry.lead, n);
        let tally = self.tallies.entry((entry.region, entry.month)).or_default();
        tally.mqls += 1;
        if !entry.imported {
            tally.live += 1;
        }
        self.month_end(entry.region, entry.month);
        if let Some(a) = agreement {
            for (region, _) in &a.sla.marketing.default_monthly_mql_targets {
                if let Some(r) = Region::parse(region) {
                    self.month_end(r, entry.month);
                }
            }
        }
        self.entries.push(entry);
    }

    /// Sets entry `n`'s clocks to fire at their deadlines.
    pub fn arm(&mut self, n: u32) {
        for c in SlaClock::ALL {
            self.timers.push(Reverse(Timer {
                at: self.entries[n as usize].clock(c).due,
                what: Due::Breach { entry: n, clock: c },
            }));
        }
    }

    /// Makes sure the end of `region`'s `month` is judged.
    pub fn month_end(&mut self, region: Region, month: Month) {
        if self.month_timers.insert((region, month)) {
            self.timers.push(Reverse(Timer {
                at: month.next().start().unix_seconds(),
                what: Due::MonthEnd {
                    month,
                    region: region.code(),
                },
            }));
        }
    }

    /// A sales touch of lead `lead` at `at`: an attempt in the follow-up
    /// window it falls in (the latest entry at or before it, until the
    /// next entry), which stops that clock if it is the earliest. Touches
    /// may arrive in any order (an import appends touches before stage
    /// changes).
    pub fn touched(&mut self, lead: u32, at: i64) {
        let mut e = self.latest.get(&lead).copied().unwrap_or(NONE);
        let mut until = i64::MAX;
        while e != NONE {
            let entry = &mut self.entries[e as usize];
            if entry.at <= at {
                if at < until {
                    entry.attempts += 1;
                    if entry.follow_up.stopped.is_none_or(|s| at < s) {
                        entry.follow_up.stopped = Some(at);
                    }
                }
                return;
            }
            until = entry.at;
            e = entry.prev;
        }
    }

    /// Sets entry `n`'s follow-up from the sales touches already applied
    /// (`sales_touches`: their times, any order) in its window, which ends
    /// at `until` (the lead's next entry).
    pub fn follow_up_from(
        &mut self,
        n: u32,
        until: i64,
        sales_touches: impl Iterator<Item = i64> + Clone,
    ) {
        let entry = &mut self.entries[n as usize];
        let from = entry.at;
        let inside = sales_touches.filter(|&t| from <= t && t < until);
        entry.attempts = inside.clone().count() as u32;
        entry.follow_up.stopped = inside.min();
    }

    /// A stage change of lead `lead` at `at` (before it enters a new
    /// entry): the decision of its latest entry, if still undecided.
    pub fn moved(&mut self, lead: u32, at: i64, to: &str) {
        let Some(&e) = self.latest.get(&lead) else {
            return;
        };
        let entry = &mut self.entries[e as usize];
        if entry.decide.stopped.is_some() {
            return;
        }
        entry.decide.stopped = Some(at);
        let tally = self.tallies.entry((entry.region, entry.month)).or_default();
        let in_month = at < entry.month.next().start().unix_seconds();
        match verdict(to) {
            Verdict::Accepted => {
                tally.accepted += 1;
                tally.accepted_in_month += u32::from(in_month);
            }
            Verdict::Rejected => {
                tally.rejected += 1;
                tally.rejected_in_month += u32::from(in_month);
            }
            Verdict::Neither => {}
        }
    }

    /// The entry of lead `lead` whose transition is `id`.
    pub fn find_entry(&self, keys: &Keys, lead: u32, id: &str) -> Option<u32> {
        let mut e = self.latest.get(&lead).copied().unwrap_or(NONE);
        while e != NONE {
            if keys.is(self.entries[e as usize].id, id) {
                return Some(e);
            }
            e = self.entries[e as usize].prev;
        }
        None
    }

    /// A breach event applied (its id's key `key`, its time `at`): the
    /// clock is marked; gives back the cause, for [`Sla::caused`].
    pub fn breached(&mut self, entry: u32, clock: SlaClock, key: u64, at: i64) -> Cause {
        let e = &mut self.entries[entry as usize];
        e.clock_mut(clock).breach = key;
        Cause {
            id: key,
            on: clock.trigger(),
            at,
            lead: e.lead,
            clock: Some((entry, clock)),
            region: None,
            month: None,
            reason: NONE,
            steps: 0,
        }
    }

    /// Records a cause (its event's id `id`; `cause.id` is set here unless
    /// already a key) and sets each of the agreement's steps that escalate
    /// it (its trigger and, for a rejection, its reason) to fire. A cause
    /// no step escalates is not recorded.
    pub fn caused(
        &mut self,
        mut cause: Cause,
        id: &str,
        keys: &mut Keys,
        names: &mut Names,
        agreement: Option<&Agreement>,
        reason: Option<&str>,
    ) {
        let Some(a) = agreement else {
            return;
        };
        let n = self.causes.len() as u32;
        let first = self.steps.len();
        for step in &a.sla.escalation {
            if !escalates(step, cause.on, reason) {
                continue;
            }
            let at = cause.at + step.after.as_seconds() as i64;
            self.steps.push(Pending {
                at,
                name: names.intern(&step.name),
                notify: step.notify,
                dropped: false,
            });
            self.arm_step(n, self.steps.len() as u32 - 1);
        }
        if self.steps.len() > first {
            if cause.id == NO_KEY {
                cause.id = keys.key(id);
            }
            cause.reason = reason.map_or(NONE, |r| names.intern(r));
            cause.steps = first as u32;
            self.cause_ids.insert((cause.on, CauseId::of(id)), n);
            self.causes.push(cause);
        }
    }

    /// Sets step `step` of cause `cause` to fire at its time.
    fn arm_step(&mut self, cause: u32, step: u32) {
        self.timers.push(Reverse(Timer {
            at: self.steps[step as usize].at,
            what: Due::Step { cause, step },
        }));
    }

    /// Another agreement adopted while the engine's clock is `clock`: each
    /// step not yet fired and not due before `clock` is timed again by
    /// `agreement`, by its name: at its cause's time + that step's
    /// `after_hours`, never before `clock`; or dropped when `agreement` has
    /// no step of that name escalating its cause. Steps due before `clock`
    /// keep their time (time has passed them: they were decided, or are
    /// decided at the next tick, as they were timed).
    pub fn adopted(&mut self, agreement: &Agreement, names: &Names, clock: i64) {
        for n in 0..self.causes.len() {
            let cause = &self.causes[n];
            let end = self
                .causes
                .get(n + 1)
                .map_or(self.steps.len(), |c| c.steps as usize);
            let (on, at, reason) = (cause.on, cause.at, names.name(cause.reason));
            for i in cause.steps as usize..end {
                let p = self.steps[i];
                if p.dropped || p.at < clock || self.escalated.contains(&(n as u32, p.name)) {
                    continue;
                }
                let name = names.name(p.name).expect("a step's name is interned");
                let found = agreement
                    .sla
                    .escalation
                    .iter()
                    .find(|s| s.name == name && escalates(s, on, reason));
                let Some(step) = found else {
                    self.steps[i].dropped = true;
                    continue;
                };
                let timed = Pending {
                    at: (at + step.after.as_seconds() as i64).max(clock),
                    notify: step.notify,
                    ..p
                };
                self.steps[i] = timed;
                // The timer set before stays the step's when it names the
                // same time (a firing reads the rest from the step).
                if timed.at != p.at {
                    self.arm_step(n as u32, i as u32);
                }
            }
        }
    }

    /// The cause numbered for the event `id` of trigger `on`, if recorded.
    pub fn cause_of(&self, on: Trigger, id: &str) -> Option<u32> {
        self.cause_ids.get(&(on, CauseId::of(id))).copied()
    }

    /// Is the engine answerable for this clock: its entry arrived live, or
    /// it ran out after the first agreement was adopted?
    pub fn answerable(&self, entry: &Entry, due: i64) -> bool {
        !entry.imported || self.since.is_some_and(|s| due >= s)
    }

    /// The next timer, if due before `now`.
    pub fn pop_due(&mut self, now: i64) -> Option<Timer> {
        match self.timers.peek() {
            Some(Reverse(t)) if t.at < now => self.timers.pop().map(|Reverse(t)| t),
            _ => None,
        }
    }

    /// The target of a region's month: its `target_set`, else the
    /// agreement's default for the region.
    pub fn target(&self, region: Region, month: Month, agreement: &Agreement) -> Option<u32> {
        self.targets.get(&(region, month)).copied().or_else(|| {
            agreement
                .sla
                .marketing
                .default_monthly_mql_targets
                .iter()
                .find(|(r, _)| r == region.as_str())
                .map(|&(_, n)| n)
        })
    }
}

/// Does `step` escalate a cause of trigger `on` (for a rejection, with
/// reason `reason`)? Asked when the cause is recorded and at each adoption.
pub(crate) fn escalates(step: &EscalationStep, on: Trigger, reason: Option<&str>) -> bool {
    step.on == on
        && (on != Trigger::Rejected || reason.is_some_and(|r| step.reasons.iter().any(|s| s == r)))
}

/// What a move out of mql into `to` says of the MQL.
pub(crate) fn verdict(to: &str) -> Verdict {
    match to {
        "sal" => Verdict::Accepted,
        "recycled" | "disqualified" => Verdict::Rejected,
        _ => Verdict::Neither,
    }
}
