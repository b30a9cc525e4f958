//! The SLA as people read it: each clock with its deadline and state
//! (`accord sla`, `accord lead show`), marketing's months against their
//! targets, and the escalations fired.

use accord_core::domain::*;
use accord_core::event::SlaClock;
use serde::Serialize;

use crate::sla::{Clock, Entry};
use crate::state::{State, NONE, NO_KEY};
use crate::Engine;

/// One clock of one MQL entry.
#[derive(Clone, Debug, Serialize)]
pub struct ClockLine {
    pub lead: String,
    /// The transition into mql that started it.
    pub entry: String,
    pub started_at: String,
    /// `follow_up` or `decide`.
    pub clock: &'static str,
    /// The lead's owner now.
    pub owner: Option<String>,
    pub team: Option<String>,
    pub due: String,
    /// `open` (not yet due), `met` (stopped in time) or `breached` (ran
    /// out before it was met).
    pub state: &'static str,
    /// Seconds to the deadline, while open.
    pub seconds_left: Option<i64>,
    /// The first follow-up or the decision, in time or late.
    pub stopped_at: Option<String>,
    /// The breach event, once fired (`None` for a breach in imported
    /// history, which the engine does not answer for, or one not yet
    /// noticed by a tick).
    pub breach: Option<String>,
    /// Follow-up only: sales touches in its window, and how many were promised.
    pub attempts: Option<u32>,
    pub attempts_promised: Option<u32>,
}

/// Which clocks to list.
/// A board's clocks: the counts of each state and the lines listed.
#[derive(Clone, Debug, Default)]
pub struct ClockPage {
    pub open: usize,
    pub breached: usize,
    pub clocks: Vec<ClockLine>,
}

#[derive(Clone, Debug, Default)]
pub struct ClockFilter {
    /// Only the clocks of this owner.
    pub rep: Option<String>,
    /// Only clocks whose owner is in this team.
    pub team: Option<String>,
    /// Only breached clocks.
    pub breached: bool,
    /// Met clocks too (by default: open and breached).
    pub all: bool,
}

/// Marketing's promise for one region and month.
#[derive(Clone, Debug, Serialize)]
pub struct MarketingLine {
    pub region: String,
    pub month: String,
    pub mql_target: Option<u32>,
    pub mqls: u32,
    /// mqls / target.
    pub attainment: Option<f64>,
    /// For the month in progress: mqls at the pace so far, to month end.
    pub projected: Option<u32>,
    pub accepted: u32,
    pub rejected: u32,
    /// accepted / (accepted + rejected).
    pub acceptance_rate: Option<f64>,
    pub min_acceptance_rate: Option<f64>,
    pub target_missed: bool,
    pub acceptance_missed: bool,
}

/// An escalation fired.
#[derive(Clone, Debug, Serialize)]
pub struct EscalationLine {
    pub id: String,
    pub at: String,
    pub step: String,
    pub on: &'static str,
    /// The event that set it off.
    pub cause: String,
    pub lead: Option<String>,
    pub region: Option<String>,
    pub month: Option<String>,
    pub notify: &'static str,
    pub person: Option<String>,
}

/// Both sides' SLA at a time: what `accord sla` shows (and the API will).
#[derive(Clone, Debug, Serialize)]
pub struct SlaReport {
    pub as_of: String,
    pub clocks: Vec<ClockLine>,
    pub escalations: Vec<EscalationLine>,
    pub marketing: Vec<MarketingLine>,
}

impl Engine {
    /// The clocks `filter` selects, the escalations and marketing's months,
    /// at `now`.
    pub fn sla_report(&self, now: Timestamp, filter: &ClockFilter) -> SlaReport {
        SlaReport {
            as_of: now.to_string(),
            clocks: self.clock_lines(now, filter),
            escalations: self.escalations(),
            marketing: self.marketing_lines(now),
        }
    }

    /// Every clock of the lead's MQL entries at `now`, oldest first.
    pub fn clocks_of(&self, lead: &str, now: Timestamp) -> Vec<ClockLine> {
        let st = &self.state;
        let Some(i) = st.lead_ids.get(lead) else {
            return Vec::new();
        };
        let mut entries = Vec::new();
        let mut e = st.sla.latest.get(&i).copied();
        while let Some(n) = e.filter(|&n| n != crate::state::NONE) {
            entries.push(n);
            e = Some(st.sla.entries[n as usize].prev);
        }
        entries.reverse();
        let filter = ClockFilter {
            all: true,
            ..ClockFilter::default()
        };
        entries
            .into_iter()
            .flat_map(|n| self.lines_of(n, now.unix_seconds(), &filter))
            .collect()
    }

    /// The clocks `filter` selects at `now`, in MQL-entry order.
    pub fn clock_lines(&self, now: Timestamp, filter: &ClockFilter) -> Vec<ClockLine> {
        if self.in_force.is_none() {
            return Vec::new();
        }
        (0..self.state.sla.entries.len() as u32)
            .flat_map(|n| self.lines_of(n, now.unix_seconds(), filter))
            .collect()
    }

    fn lines_of(&self, n: u32, now: i64, filter: &ClockFilter) -> Vec<ClockLine> {
        let st = &self.state;
        if st.sla.awaiting.contains(&n) {
            return Vec::new();
        }
        let e = &st.sla.entries[n as usize];
        let owner = st.rep(st.leads[e.lead as usize].owner);
        if filter
            .rep
            .as_deref()
            .is_some_and(|r| owner.is_none_or(|o| o.id.as_str() != r))
            || filter
                .team
                .as_deref()
                .is_some_and(|t| owner.is_none_or(|o| o.team.as_str() != t))
        {
            return Vec::new();
        }
        SlaClock::ALL
            .into_iter()
            .filter_map(|c| {
                let line = self.line(st, e, c, now);
                let keep = match line.state {
                    "breached" => true,
                    "open" => !filter.breached,
                    _ => filter.all && !filter.breached,
                };
                keep.then_some(line)
            })
            .collect()
    }

    fn line(&self, st: &State, e: &Entry, c: SlaClock, now: i64) -> ClockLine {
        let clock: &Clock = e.clock(c);
        let row = &st.leads[e.lead as usize];
        let owner = st.rep(row.owner);
        let state = state_of(clock, now);
        let promised = self
            .in_force
            .as_ref()
            .map(|f| f.agreement.sla.sales.follow_up_attempts);
        ClockLine {
            lead: row.lead.id.to_string(),
            entry: st.keys.id(e.id),
            started_at: ts(e.at),
            clock: c.as_str(),
            owner: owner.map(|r| r.id.to_string()),
            team: owner.map(|r| r.team.to_string()),
            due: ts(clock.due),
            state,
            seconds_left: (state == "open").then_some(clock.due - now),
            stopped_at: clock.stopped.map(ts),
            breach: clock.breached().then(|| st.keys.id(clock.breach)),
            attempts: (c == SlaClock::FollowUp).then_some(e.attempts),
            attempts_promised: promised.filter(|_| c == SlaClock::FollowUp),
        }
    }

    /// Marketing's months at `now`: every region and month with MQL
    /// entries or a target, in month then region order.
    pub fn marketing_lines(&self, now: Timestamp) -> Vec<MarketingLine> {
        let Some(f) = self.in_force.as_ref() else {
            return Vec::new();
        };
        let sla = &self.state.sla;
        let mut keys: Vec<(Month, Region)> = sla
            .tallies
            .keys()
            .chain(sla.targets.keys())
            .map(|&(r, m)| (m, r))
            .filter(|&(m, _)| m.start() <= now)
            .collect();
        keys.sort_unstable_by_key(|&(m, r)| (m, r.code()));
        keys.dedup();
        let min = f.agreement.sla.marketing.min_acceptance_rate;
        keys.into_iter()
            .map(|(month, region)| {
                let t = sla
                    .tallies
                    .get(&(region, month))
                    .cloned()
                    .unwrap_or_default();
                let target = sla.target(region, month, &f.agreement);
                let decided = t.accepted + t.rejected;
                let (start, end) = (
                    month.start().unix_seconds(),
                    month.next().start().unix_seconds(),
                );
                let at = now.unix_seconds();
                let projected = (start < at && at < end).then(|| {
                    (f64::from(t.mqls) * (end - start) as f64 / (at - start) as f64).round() as u32
                });
                let (target_missed, acceptance_missed) = sla
                    .missed
                    .get(&(region, month))
                    .copied()
                    .unwrap_or_default();
                MarketingLine {
                    region: region.to_string(),
                    month: month.to_string(),
                    mql_target: target,
                    mqls: t.mqls,
                    attainment: target
                        .filter(|&n| n > 0)
                        .map(|n| f64::from(t.mqls) / f64::from(n)),
                    projected,
                    accepted: t.accepted,
                    rejected: t.rejected,
                    acceptance_rate: (decided > 0)
                        .then(|| f64::from(t.accepted) / f64::from(decided)),
                    min_acceptance_rate: Some(min),
                    target_missed,
                    acceptance_missed,
                }
            })
            .collect()
    }

    /// The escalations fired, in log order.
    pub fn escalations(&self) -> Vec<EscalationLine> {
        let st = &self.state;
        st.sla
            .fired
            .iter()
            .map(|f| escalation_line(&st.escalation(f)))
            .collect()
    }

    /// The clocks of a board at `now`: how many are open and breached
    /// among those `filter` and `sees` (the owner's rep id, `None` when
    /// the lead has none) let through, and up to `limit` of one state,
    /// the most urgent first: open by nearest deadline, breached by latest
    /// deadline, ties by lead id then clock name. Each clock is judged on
    /// its numbers; lines are built only for those listed.
    pub fn clock_page(
        &self,
        now: Timestamp,
        filter: &ClockFilter,
        sees: &dyn Fn(Option<&str>) -> bool,
        breached: bool,
        limit: usize,
    ) -> ClockPage {
        let mut page = ClockPage::default();
        if self.in_force.is_none() {
            return page;
        }
        let st = &self.state;
        let now = now.unix_seconds();
        // (due, lead id, clock name, entry, clock) of the state listed.
        let mut listed: Vec<(i64, &str, &str, u32, SlaClock)> = Vec::new();
        for (n, e) in st.sla.entries.iter().enumerate() {
            let owner = st.rep(st.leads[e.lead as usize].owner);
            let rep = owner.map(|o| o.id.as_str());
            let off_filter = filter.rep.as_deref().is_some_and(|r| rep != Some(r))
                || filter
                    .team
                    .as_deref()
                    .is_some_and(|t| owner.is_none_or(|o| o.team.as_str() != t));
            if off_filter || !sees(rep) || st.sla.awaiting.contains(&(n as u32)) {
                continue;
            }
            for c in SlaClock::ALL {
                let state = state_of(e.clock(c), now);
                match state {
                    "open" => page.open += 1,
                    "breached" => page.breached += 1,
                    _ => continue,
                }
                if (state == "breached") == breached {
                    let lead = st.leads[e.lead as usize].lead.id.as_str();
                    listed.push((e.clock(c).due, lead, c.as_str(), n as u32, c));
                }
            }
        }
        let order = |a: &(i64, &str, &str, u32, SlaClock), b: &(i64, &str, &str, u32, SlaClock)| {
            let due = if breached {
                b.0.cmp(&a.0)
            } else {
                a.0.cmp(&b.0)
            };
            due.then(a.1.cmp(b.1)).then(a.2.cmp(b.2))
        };
        if listed.len() > limit && limit > 0 {
            listed.select_nth_unstable_by(limit - 1, order);
        }
        listed.truncate(limit);
        listed.sort_unstable_by(order);
        page.clocks = listed
            .into_iter()
            .map(|(_, _, _, n, c)| self.line(st, &st.sla.entries[n as usize], c, now))
            .collect();
        page
    }

    /// The escalations a board shows: how many `sees` lets through (the
    /// lead's owner's rep id, `None` when it has none or the escalation is
    /// about no lead) and the latest `limit` of them, latest first; lines
    /// built only for those.
    pub fn escalation_page(
        &self,
        sees: &dyn Fn(Option<&str>) -> bool,
        unleaded: bool,
        limit: usize,
    ) -> (usize, Vec<EscalationLine>) {
        let st = &self.state;
        let shown = |e: &&crate::sla::Fired| match (e.lead_key, e.lead) {
            (NO_KEY, _) => unleaded,
            (key, i) => {
                // A lead not known when it fired: looked up now.
                let row = if i == NONE {
                    st.lead_ids.get(&st.keys.id(key))
                } else {
                    Some(i)
                };
                row.is_some_and(|i| sees(st.rep(st.leads[i as usize].owner).map(|r| r.id.as_str())))
            }
        };
        let total = st.sla.fired.iter().filter(shown).count();
        let latest = st
            .sla
            .fired
            .iter()
            .rev()
            .filter(shown)
            .take(limit)
            .map(|f| escalation_line(&st.escalation(f)))
            .collect();
        (total, latest)
    }

    /// The earliest deadline of the lead's open clocks.
    pub(crate) fn next_deadline(&self, lead: u32) -> Option<i64> {
        let st = &self.state;
        let &n = st.sla.latest.get(&lead)?;
        if st.sla.awaiting.contains(&n) {
            return None;
        }
        let e = &st.sla.entries[n as usize];
        SlaClock::ALL
            .into_iter()
            .map(|c| e.clock(c))
            .filter(|c| c.stopped.is_none() && !c.breached())
            .map(|c| c.due)
            .min()
    }
}

/// A clock's state at `now`: "breached" (fired, or its deadline passed
/// unmet), "met", else "open".
fn state_of(clock: &Clock, now: i64) -> &'static str {
    if clock.breached() {
        "breached"
    } else if clock.met() {
        "met"
    } else if clock.due < now {
        "breached"
    } else {
        "open"
    }
}

fn escalation_line(e: &accord_core::event::Escalation) -> EscalationLine {
    EscalationLine {
        id: e.id.to_string(),
        at: e.at.to_string(),
        step: e.step.to_string(),
        on: e.on.as_str(),
        cause: e.cause.to_string(),
        lead: e.lead.as_ref().map(|l| l.to_string()),
        region: e.region.map(|r| r.to_string()),
        month: e.month.map(|m| m.to_string()),
        notify: e.notify.as_str(),
        person: e.person.as_ref().map(|p| p.to_string()),
    }
}

fn ts(t: i64) -> String {
    Timestamp::from_unix_seconds(t).to_string()
}
