//! The SLA acting: events folded into the clocks and tallies ([`Engine`]'s
//! `sla_apply`, called by `apply`), and time passing ([`Engine::tick`]):
//! breaches at their deadlines, escalation steps, month ends. Rules:
//! docs/engine.md, "SLA clocks".

use accord_core::agreement::{Role, Trigger};
use accord_core::domain::*;
use accord_core::event::*;

use crate::sla::{verdict, Cause, Due, Entry, Timer, Verdict};
use crate::state::{engine_number, NONE, NO_KEY};
use crate::{Decided, Engine};

impl Engine {
    /// Folds `event` into the SLA state (an `owner_assigned`: `reproject`,
    /// from `Engine::assigned`).
    pub(crate) fn sla_apply(&mut self, event: &Event, origin: &Origin) {
        let agreement = self.in_force.as_ref().map(|f| &f.agreement);
        let st = &mut self.state;
        match event {
            Event::AgreementAdopted(a) => {
                if st.sla.since.is_none() {
                    st.sla.since = Some(a.adopted_at.unix_seconds());
                }
                // The pending escalation steps, timed again by the
                // agreement this adoption put in force.
                if let Some(f) = self.in_force.as_ref().filter(|f| f.version == a.version) {
                    st.sla.adopted(&f.agreement, &st.names, st.clock);
                }
                let waiting = std::mem::take(&mut st.sla.awaiting);
                for e in waiting {
                    self.set_deadlines(e);
                }
            }
            Event::TargetSet(t) => {
                st.sla.targets.insert((t.region, t.month), t.mql_target);
                st.sla.month_end(t.region, t.month);
            }
            // A sales touch stops the follow-up clock: in `State::touched`.
            Event::StageChanged(t) => {
                let Some(i) = st.lead_ids.get(t.lead.as_str()) else {
                    return;
                };
                let at = t.occurred_at.unix_seconds();
                st.sla.moved(i, at, t.to.as_str());
                if t.to.is(Stage::Mql) {
                    let row = &st.leads[i as usize];
                    let entry = Entry {
                        lead: i,
                        id: st.keys.key(t.id.as_str()),
                        at,
                        imported: matches!(origin, Origin::Imported),
                        region: row.lead.region,
                        month: t.occurred_at.month(),
                        follow_up: unset(at),
                        decide: unset(at),
                        attempts: 0,
                        closed: false,
                        prev: NONE,
                    };
                    let n = st.sla.entries.len() as u32;
                    st.sla.enter(entry, agreement);
                    // Touches applied before the entry (an import appends
                    // touches first) count in its window, and no longer in
                    // the previous entry's.
                    let sales = st.touches[i as usize]
                        .iter()
                        .filter(|t| t.kind.is_sales())
                        .map(|t| t.at);
                    let prev = st.sla.entries[n as usize].prev;
                    if prev != NONE {
                        st.sla.follow_up_from(prev, at, sales.clone());
                    }
                    st.sla.follow_up_from(n, i64::MAX, sales);
                    if agreement.is_some() {
                        self.set_deadlines(n);
                    } else {
                        self.state.sla.awaiting.push(n);
                    }
                } else if verdict(t.to.as_str()) == Verdict::Rejected
                    && !matches!(origin, Origin::Imported)
                {
                    let cause = Cause {
                        id: NO_KEY,
                        on: Trigger::Rejected,
                        at,
                        lead: i,
                        clock: None,
                        region: None,
                        month: None,
                        reason: NONE,
                        steps: 0,
                    };
                    let reason = t.reason.as_ref().map(|r| r.as_str());
                    let (keys, names) = (&mut st.keys, &mut st.names);
                    st.sla
                        .caused(cause, t.id.as_str(), keys, names, agreement, reason);
                }
            }
            Event::ClockBreached(b) => {
                if let Some(n) = engine_number(b.id.as_str()) {
                    st.sla.ids.breach = st.sla.ids.breach.max(n);
                }
                let entry = st
                    .lead_ids
                    .get(b.lead.as_str())
                    .and_then(|i| st.sla.find_entry(&st.keys, i, b.entry.as_str()));
                if let Some(e) = entry {
                    let key = st.keys.key(b.id.as_str());
                    let cause = st.sla.breached(e, b.clock, key, b.due.unix_seconds());
                    let (keys, names) = (&mut st.keys, &mut st.names);
                    st.sla
                        .caused(cause, b.id.as_str(), keys, names, agreement, None);
                }
            }
            Event::MqlTargetMissed(m) => {
                if let Some(n) = engine_number(m.id.as_str()) {
                    st.sla.ids.target_miss = st.sla.ids.target_miss.max(n);
                }
                st.sla.missed.entry((m.region, m.month)).or_default().0 = true;
                let cause = Cause {
                    id: NO_KEY,
                    on: Trigger::MqlTargetMissed,
                    at: m.judged_at.unix_seconds(),
                    lead: NONE,
                    clock: None,
                    region: Some(m.region),
                    month: Some(m.month),
                    reason: NONE,
                    steps: 0,
                };
                let (keys, names) = (&mut st.keys, &mut st.names);
                st.sla
                    .caused(cause, m.id.as_str(), keys, names, agreement, None);
            }
            Event::AcceptanceMissed(m) => {
                if let Some(n) = engine_number(m.id.as_str()) {
                    st.sla.ids.acceptance_miss = st.sla.ids.acceptance_miss.max(n);
                }
                st.sla.missed.entry((m.region, m.month)).or_default().1 = true;
            }
            Event::Escalated(e) => {
                if let Some(n) = engine_number(e.id.as_str()) {
                    st.sla.ids.escalation = st.sla.ids.escalation.max(n);
                }
                let step = st.names.intern(e.step.as_str());
                if let Some(c) = st.sla.cause_of(e.on, e.cause.as_str()) {
                    st.sla.escalated.insert((c, step));
                }
                let lead = e.lead.as_ref();
                let fired = crate::sla::Fired {
                    id: st.keys.key(e.id.as_str()),
                    cause: st.keys.key(e.cause.as_str()),
                    at: e.at.unix_seconds(),
                    month: e.month,
                    lead_key: lead.map_or(NO_KEY, |l| st.keys.key(l.as_str())),
                    lead: lead
                        .and_then(|l| st.lead_ids.get(l.as_str()))
                        .unwrap_or(NONE),
                    step,
                    person: e
                        .person
                        .as_ref()
                        .map_or(NONE, |p| st.names.intern(p.as_str())),
                    on: e.on,
                    notify: e.notify,
                    region: e.region,
                };
                st.sla.fired.push(fired);
            }
            _ => {}
        }
    }

    /// Works out an entry's deadlines under the agreement in force, from
    /// the entry's time, in the zone of the lead's owner then.
    fn set_deadlines(&mut self, n: u32) {
        let Some(f) = self.in_force.as_ref() else {
            return;
        };
        let st = &mut self.state;
        let e = &st.sla.entries[n as usize];
        let region = zone_region(st, e.lead);
        let sales = &f.agreement.sla.sales;
        let due = |d: accord_core::agreement::Duration| {
            let secs = d.as_seconds() as i64;
            if sales.business_hours {
                f.clock.add_working(region, e.at, secs)
            } else {
                e.at + secs
            }
        };
        let (follow_up, decide) = (due(sales.follow_up), due(sales.decide));
        let e = &mut st.sla.entries[n as usize];
        e.follow_up.due = follow_up;
        e.decide.due = decide;
        st.sla.arm(n);
    }

    /// After a reassignment at `at`: in business hours, the open clocks of
    /// the lead's latest entry keep their working time left, counted from
    /// now in the new owner's zone.
    pub(crate) fn reproject(&mut self, lead: u32, old_owner: u32, at: i64) {
        let Some(f) = self.in_force.as_ref() else {
            return;
        };
        if !f.agreement.sla.sales.business_hours {
            return;
        }
        let st = &mut self.state;
        let Some(&n) = st.sla.latest.get(&lead) else {
            return;
        };
        let new_owner = st.leads[lead as usize].owner;
        if new_owner == old_owner {
            return;
        }
        let lead_region = st.leads[lead as usize].lead.region;
        let region_of = |owner: u32| st.rep(owner).map_or(lead_region, |r| r.region);
        let (old, new) = (region_of(old_owner), region_of(new_owner));
        let mut changed = false;
        let e = &mut st.sla.entries[n as usize];
        let from = at.max(e.at);
        for c in SlaClock::ALL {
            let clock = e.clock_mut(c);
            if clock.stopped.is_some() || clock.breached() || clock.due <= at {
                continue;
            }
            let left = f.clock.working_between(old, from, clock.due);
            clock.due = f.clock.add_working(new, from, left);
            changed = true;
        }
        if changed {
            st.sla.arm(n);
        }
    }

    /// Fires everything due strictly before `now` (seconds since the
    /// epoch): clocks that ran out, escalation steps, month ends. Each
    /// firing is a decision at its own due time, applied before the next,
    /// returned in time order for storing. The engine's clock moves to the
    /// last firing's time, never to `now` itself. No agreement in force:
    /// nothing fires, nothing is lost (it fires once one is).
    pub fn tick(&mut self, now: Timestamp) -> Vec<Decided> {
        let Some(version) = self.in_force.as_ref().map(|f| f.version) else {
            return Vec::new();
        };
        let origin = Origin::Engine { agreement: version };
        let mut out = Vec::new();
        while let Some(timer) = self.state.sla.pop_due(now.unix_seconds()) {
            for event in self.firings(timer) {
                self.decided(event, &origin, &mut out);
            }
        }
        out
    }

    /// When the next firing may be due, if anything is pending and an
    /// agreement is in force: a caller that keeps time (`accord run`)
    /// sleeps until then. (A timer whose clock was met meanwhile fires
    /// nothing.)
    pub fn next_due(&self) -> Option<Timestamp> {
        self.in_force.as_ref()?;
        self.state
            .sla
            .timers
            .peek()
            .map(|t| Timestamp::from_unix_seconds(t.0.at))
    }

    /// What a timer fires, if anything.
    fn firings(&self, timer: Timer) -> Vec<Event> {
        let f = self.in_force.as_ref().expect("ticking needs an agreement");
        let st = &self.state;
        let sla = &st.sla;
        let at = Timestamp::from_unix_seconds(timer.at);
        match timer.what {
            Due::Breach { entry, clock: c } => {
                let e = &sla.entries[entry as usize];
                let clock = e.clock(c);
                if clock.met()
                    || clock.breached()
                    || clock.due != timer.at
                    || !sla.answerable(e, clock.due)
                {
                    return Vec::new();
                }
                let row = &st.leads[e.lead as usize];
                vec![Event::ClockBreached(ClockBreach {
                    id: engine_id(sla.ids.breach),
                    lead: row.lead.id.clone(),
                    entry: TransitionId::parse(&st.keys.id(e.id)).expect("a stored id"),
                    clock: c,
                    rep: st.rep_id(row.owner).cloned(),
                    due: at,
                })]
            }
            Due::Step { cause, step } => {
                let p = &sla.steps[step as usize];
                // Stale: an adoption timed the step again, or dropped it.
                if p.dropped || p.at != timer.at {
                    return Vec::new();
                }
                if sla.escalated.contains(&(cause, p.name)) {
                    return Vec::new();
                }
                let cause = &sla.causes[cause as usize];
                // A step after its cause does not fire once the clock was
                // met, late, before it.
                if let Some((entry, c)) = cause.clock {
                    let stopped = sla.entries[entry as usize].clock(c).stopped;
                    if timer.at > cause.at && stopped.is_some_and(|s| s < timer.at) {
                        return Vec::new();
                    }
                }
                let owner = if cause.lead == NONE {
                    NONE
                } else {
                    st.leads[cause.lead as usize].owner
                };
                let person = match p.notify {
                    Role::RepManager => st.rep(owner).and_then(|r| r.manager.clone()),
                    _ => None,
                };
                vec![Event::Escalated(Escalation {
                    id: engine_id(sla.ids.escalation),
                    step: Text::parse(st.names.name(p.name).expect("an interned name"))
                        .expect("a step name is short text"),
                    on: cause.on,
                    cause: Text::parse(&st.keys.id(cause.id)).expect("an id it was"),
                    lead: (cause.lead != NONE)
                        .then(|| st.leads[cause.lead as usize].lead.id.clone()),
                    region: cause.region,
                    month: cause.month,
                    notify: p.notify,
                    person,
                    at,
                })]
            }
            Due::MonthEnd { month, region } => {
                let region = Region::from_code(region).expect("a region's own code");
                let tally = sla
                    .tallies
                    .get(&(region, month))
                    .cloned()
                    .unwrap_or_default();
                let answerable = tally.live > 0 || sla.since.is_some_and(|s| timer.at >= s);
                let Some(target) = sla.target(region, month, &f.agreement) else {
                    return Vec::new();
                };
                if !answerable {
                    return Vec::new();
                }
                let (target_missed, acceptance_missed) = sla
                    .missed
                    .get(&(region, month))
                    .copied()
                    .unwrap_or_default();
                let mut out = Vec::new();
                if tally.mqls < target && !target_missed {
                    out.push(Event::MqlTargetMissed(TargetMiss {
                        id: engine_id(sla.ids.target_miss),
                        region,
                        month,
                        target,
                        mqls: tally.mqls,
                        judged_at: at,
                    }));
                }
                let (accepted, decided) = (
                    tally.accepted_in_month,
                    tally.accepted_in_month + tally.rejected_in_month,
                );
                let rate = f.agreement.sla.marketing.min_acceptance_rate;
                if decided > 0
                    && f64::from(accepted) < rate * f64::from(decided)
                    && !acceptance_missed
                {
                    out.push(Event::AcceptanceMissed(AcceptanceMiss {
                        id: engine_id(sla.ids.acceptance_miss),
                        region,
                        month,
                        accepted,
                        decided,
                        judged_at: at,
                    }));
                }
                out
            }
        }
    }
}

/// A clock not yet given its deadline.
fn unset(at: i64) -> crate::sla::Clock {
    crate::sla::Clock {
        due: at,
        stopped: None,
        breach: crate::state::NO_KEY,
    }
}

/// The region whose zone a lead's clocks run in: its owner's, else its own.
fn zone_region(st: &crate::state::State, lead: u32) -> Region {
    let row = &st.leads[lead as usize];
    st.rep(row.owner).map_or(row.lead.region, |r| r.region)
}

/// The id after `last`: `~(last + 1)`.
fn engine_id(last: u64) -> DecisionId {
    DecisionId::parse(&format!("~{}", last + 1)).expect("a valid id")
}
