//! Every report over all time, kept up to date as events arrive.
//!
//! [`Live`] holds the [`Projections`], the cross-event indexes that the
//! reports need in an order (a lead's touches and transitions in (time, id)
//! order, an account's leads and opportunities), and each report's aggregate
//! cells: funnel counts per (cohort month, channel), velocity durations per
//! (step, channel), follow-up cells per (MQL month, rep), attribution credit per
//! key, content use and influence per asset, and so on.
//!
//! # How an update works
//!
//! Every report is a sum, over *contributors*, of what each contributes to its
//! cells. The contributors are leads (funnel, velocity, kpi leads, and the MQL
//! entries of the SLA reports), opportunities (kpi pipeline, leaderboard,
//! attribution and content influence of wins), and single touches or
//! transitions that never change once recorded (content use, kpi stage counts,
//! rejections). [`Live::apply`] takes a batch of events and:
//!
//! 1. finds the leads and opportunities whose contribution the batch may
//!    change (a superset is harmless);
//! 2. subtracts their contributions, computed from the state before;
//! 3. folds the events into the projections and indexes;
//! 4. adds their contributions, computed from the state after.
//!
//! All sums are exact (integer counts, cents, seconds, and attribution credit
//! in fixed point of 10⁻⁹ cent), and the duration quantiles come from sorted
//! multisets, so the cells after any sequence of batches equal those of one
//! fold of the same events in any order: that is the invariant the tests
//! check, against the period-aware reports of the other modules.
//!
//! A batch costs about its own size plus the windows of the won opportunities
//! it touches, never a pass over the whole history. Building from scratch
//! ([`Live::build`]) folds every event without the diffing, then adds every
//! contributor once.

use std::cmp::Ordering;

use accord_core::domain::{Channel, Month, RejectionReason, Stage, Timestamp};
use accord_core::event::Event;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::attribution::{weights, NO_CAMPAIGN, NO_TOUCHES};
use crate::derived::time_then_id;
use crate::kpi;
use crate::projection::{OppStatus, Projections, FUNNEL_STAGES, NONE, NO_TIME};
use crate::table::Table;
use crate::{ReportTerms, UnknownReport, ALL};

const STEPS: usize = FUNNEL_STAGES.len() - 1;
/// Index of the all-channels multiset of a velocity step.
const ALL_CHANNELS: usize = Channel::ALL.len();
/// Follow-up cell key of a month's `(all)` row (`NONE` is unassigned).
const ALL_REPS: u32 = NONE - 1;
/// Attribution credit is kept in units of 10⁻⁹ cent, so that sums are exact
/// and order-free; a sum is rounded to cents once, when rendered.
const UNITS_PER_CENT: f64 = 1e9;

fn month(t: i64) -> Month {
    Timestamp::from_unix_seconds(t).month()
}

/// A multiset of integers that answers nearest-rank quantiles. Changes are
/// queued and merged into the sorted values by [`Multiset::flush`], once per
/// batch: O(n + k log k) for k changes.
#[derive(Clone, Debug, Default)]
struct Multiset {
    sorted: Vec<i64>,
    added: Vec<i64>,
    removed: Vec<i64>,
    sum: i128,
}

impl Multiset {
    fn change(&mut self, v: i64, sign: i64) {
        if sign > 0 {
            self.added.push(v);
            self.sum += i128::from(v);
        } else {
            self.removed.push(v);
            self.sum -= i128::from(v);
        }
    }

    fn flush(&mut self) {
        if self.added.is_empty() && self.removed.is_empty() {
            return;
        }
        self.added.sort_unstable();
        self.removed.sort_unstable();
        let mut out = Vec::with_capacity(self.sorted.len() + self.added.len());
        let (mut i, mut j) = (0, 0);
        let (a, b) = (&self.sorted, &self.added);
        while i < a.len() || j < b.len() {
            if j == b.len() || (i < a.len() && a[i] <= b[j]) {
                out.push(a[i]);
                i += 1;
            } else {
                out.push(b[j]);
                j += 1;
            }
        }
        let mut r = 0;
        let removed = &self.removed;
        out.retain(|&v| {
            while r < removed.len() && removed[r] < v {
                r += 1;
            }
            if r < removed.len() && removed[r] == v {
                r += 1;
                false
            } else {
                true
            }
        });
        debug_assert_eq!(
            out.len() + self.removed.len(),
            self.sorted.len() + self.added.len(),
            "removed a value that was never added"
        );
        self.sorted = out;
        self.added.clear();
        self.removed.clear();
    }

    /// The nearest-rank `num/den` quantile (see [`crate::stats::nearest_rank`]).
    fn quantile(&self, num: usize, den: usize) -> Option<i64> {
        let n = self.sorted.len();
        (n > 0).then(|| self.sorted[(n * num).div_ceil(den).max(1) - 1])
    }

    fn summary(&self, scale: f64) -> Option<crate::stats::Summary> {
        let n = self.sorted.len();
        Some(crate::stats::Summary {
            n,
            mean: self.sum as f64 / n as f64 / scale,
            p50: self.quantile(1, 2)? as f64 / scale,
            p90: self.quantile(9, 10)? as f64 / scale,
            min: *self.sorted.first()? as f64 / scale,
            max: *self.sorted.last()? as f64 / scale,
        })
    }
}

/// The orders across events that the contributions read.
#[derive(Clone, Debug, Default)]
struct Indexes {
    /// Every touch of a lead, in (time, touch id) order.
    lead_touches: Vec<Vec<u32>>,
    /// The times of a lead's sales touches, ascending.
    lead_sales_at: Vec<Vec<i64>>,
    /// A lead's transitions, in (time, transition id) order.
    lead_transitions: Vec<Vec<u32>>,
    /// Created leads per account.
    account_leads: Vec<Vec<u32>>,
    /// Created opportunities per account.
    account_opps: Vec<Vec<u32>>,
    /// Created opportunities per primary lead.
    lead_opps: FxHashMap<u32, Vec<u32>>,
}

impl Indexes {
    fn grow(&mut self, p: &Projections) {
        let leads = p.leads.len();
        if self.lead_touches.len() < leads {
            self.lead_touches.resize_with(leads, Vec::new);
            self.lead_sales_at.resize_with(leads, Vec::new);
            self.lead_transitions.resize_with(leads, Vec::new);
        }
        let accounts = p.accounts.len();
        if self.account_leads.len() < accounts {
            self.account_leads.resize_with(accounts, Vec::new);
            self.account_opps.resize_with(accounts, Vec::new);
        }
    }
}

fn insert_sorted(v: &mut Vec<u32>, x: u32, less: impl Fn(u32, u32) -> bool) {
    let at = if v.last().is_none_or(|&last| less(last, x)) {
        v.len()
    } else {
        v.partition_point(|&y| less(y, x))
    };
    v.insert(at, x);
}

#[derive(Clone, Debug, Default)]
struct FollowCell {
    mqls: i64,
    in_time: i64,
    never: i64,
    decided: i64,
    /// Seconds from entry to first follow-up.
    seconds: Multiset,
}

#[derive(Clone, Debug, Default)]
struct RepCell {
    opps: i64,
    won: i64,
    won_cents: i64,
    new_logos: i64,
    lost: i64,
    open_cents: i64,
    /// Seconds from creation to close of won opportunities.
    cycle: Multiset,
}

#[derive(Clone, Copy, Debug, Default)]
struct Credit {
    opps: i64,
    units: [i128; 5],
}

#[derive(Clone, Copy, Debug)]
struct Usage {
    uses: i64,
    unique_leads: i64,
    sales_uses: i64,
    last_used_at: i64,
}

impl Default for Usage {
    fn default() -> Self {
        Usage {
            uses: 0,
            unique_leads: 0,
            sales_uses: 0,
            last_used_at: NO_TIME,
        }
    }
}

#[derive(Clone, Debug, Default)]
struct Cells {
    funnel: FxHashMap<(Month, u8), [i64; 8]>,
    velocity: Vec<Vec<Multiset>>,
    followup: FxHashMap<(Month, u32), FollowCell>,
    marketing: FxHashMap<(u8, Month), [i64; 3]>,
    kpi: FxHashMap<Month, kpi::Counts>,
    rejections: FxHashMap<(Month, u8), [i64; 2]>,
    reps: FxHashMap<u32, RepCell>,
    by_campaign: FxHashMap<u32, Credit>,
    by_channel: FxHashMap<u32, Credit>,
    usage: Vec<Usage>,
    used_by: FxHashSet<(u32, u32)>,
    /// Per asset: won opportunities influenced and their amount in cents.
    influence: Vec<[i64; 2]>,
}

/// See the module docs.
#[derive(Clone, Debug)]
pub struct Live {
    terms: ReportTerms,
    p: Projections,
    ix: Indexes,
    cells: Cells,
    /// Reused per opportunity: its window's touches as (time, touch).
    window: Vec<(i64, u32)>,
}

impl Live {
    /// Nothing folded yet.
    pub fn new(terms: ReportTerms) -> Live {
        Live {
            terms,
            p: Projections::default(),
            ix: Indexes::default(),
            cells: Cells::empty(),
            window: Vec::new(),
        }
    }

    /// Folds a whole history at once: every event into the projections, then
    /// the indexes in one pass, then every contributor once.
    pub fn build(terms: ReportTerms, p: Projections) -> Live {
        let mut live = Live::new(terms);
        live.p = p;
        let p = &live.p;
        let ix = &mut live.ix;
        ix.grow(p);
        for t in 0..p.touches.len() as u32 {
            let lead = p.touches.lead[t as usize] as usize;
            ix.lead_touches[lead].push(t);
            if p.touches.is_sales(t) {
                ix.lead_sales_at[lead].push(p.touches.at[t as usize]);
            }
        }
        for list in &mut ix.lead_touches {
            sort_by_time_then_id(list, &p.touches.at, &p.touches.ids);
        }
        for list in &mut ix.lead_sales_at {
            list.sort_unstable();
        }
        for t in 0..p.transitions.len() as u32 {
            ix.lead_transitions[p.transitions.lead[t as usize] as usize].push(t);
        }
        for list in &mut ix.lead_transitions {
            sort_by_time_then_id(list, &p.transitions.at, &p.transitions.ids);
        }
        for lead in 0..p.leads.len() as u32 {
            index_lead(ix, p, lead);
        }
        for o in 0..p.opps.len() as u32 {
            index_opp(ix, p, o);
        }
        // Opportunities (their attribution windows are the costliest part)
        // on a second thread, into cells of their own, merged after.
        let (p, ix, terms) = (&live.p, &live.ix, &live.terms);
        let by_opps = std::thread::scope(|scope| {
            let opps = scope.spawn(|| {
                let mut cells = Cells::empty();
                let mut window = Vec::new();
                for o in 0..p.opps.len() as u32 {
                    cells.opp(p, ix, terms, o, 1, &mut window);
                }
                cells
            });
            for t in 0..p.touches.len() as u32 {
                live.cells.touch(p, t);
            }
            for t in 0..p.transitions.len() as u32 {
                live.cells.transition(p, t);
            }
            for lead in 0..p.leads.len() as u32 {
                live.cells.lead(p, ix, terms, lead, 1);
            }
            opps.join()
                .expect("the opportunities' contributions do not panic")
        });
        live.cells.take_opps(by_opps);
        live.cells.flush();
        live
    }

    pub fn projections(&self) -> &Projections {
        &self.p
    }

    /// The terms the cells are computed under.
    pub fn terms(&self) -> &ReportTerms {
        &self.terms
    }

    /// The projections, to build again under other terms ([`Live::build`]).
    pub fn into_projections(self) -> Projections {
        self.p
    }

    /// Folds a batch of new events in and brings every report up to date.
    pub fn apply(&mut self, events: &[Event]) {
        let (leads, opps) = self.dirty(events);
        for &l in &leads {
            self.cells.lead(&self.p, &self.ix, &self.terms, l, -1);
        }
        for &o in &opps {
            self.cells
                .opp(&self.p, &self.ix, &self.terms, o, -1, &mut self.window);
        }
        for e in events {
            self.fold(e);
        }
        for &l in &leads {
            self.cells.lead(&self.p, &self.ix, &self.terms, l, 1);
        }
        for &o in &opps {
            self.cells
                .opp(&self.p, &self.ix, &self.terms, o, 1, &mut self.window);
        }
        self.cells.flush();
    }

    /// The leads and opportunities whose contribution `events` may change,
    /// each once. Ids seen for the first time get their (empty) slots here.
    fn dirty(&mut self, events: &[Event]) -> (Vec<u32>, Vec<u32>) {
        let mut leads = Vec::new();
        let mut opps = Vec::new();
        let mut seen_lead = FxHashSet::default();
        let mut seen_opp = FxHashSet::default();
        let mut mark_opp = |o: u32, opps: &mut Vec<u32>| {
            if seen_opp.insert(o) {
                opps.push(o);
            }
        };
        let lookback = i64::from(self.terms.lookback_days) * 86_400;
        for e in events {
            match e {
                Event::LeadCreated(l) => {
                    let lead = self.p.leads.slot(l.id.as_str());
                    if seen_lead.insert(lead) {
                        leads.push(lead);
                    }
                    let mut accounts = Vec::new();
                    if let Some(a) = &l.account {
                        accounts.push(self.p.accounts.intern(a.as_str()).0);
                    }
                    if self.p.leads.is_created(lead) {
                        accounts.push(self.p.leads.account[lead as usize]);
                    }
                    self.ix.grow(&self.p);
                    for a in accounts.into_iter().filter(|&a| a != NONE) {
                        for &o in &self.ix.account_opps[a as usize] {
                            mark_opp(o, &mut opps);
                        }
                    }
                    for &o in self.ix.lead_opps.get(&lead).into_iter().flatten() {
                        mark_opp(o, &mut opps);
                    }
                }
                Event::Touched(t) => {
                    let lead = self.p.leads.slot(t.lead.as_str());
                    if t.kind.is_sales() && seen_lead.insert(lead) {
                        leads.push(lead);
                    }
                    if !self.p.leads.is_created(lead) {
                        continue;
                    }
                    let account = self.p.leads.account[lead as usize];
                    if account == NONE {
                        continue;
                    }
                    let at = t.occurred_at.unix_seconds();
                    for &o in &self.ix.account_opps[account as usize] {
                        let end = self.p.opps.created_at[o as usize];
                        if (end - lookback..=end).contains(&at) {
                            mark_opp(o, &mut opps);
                        }
                    }
                }
                Event::StageChanged(s) => {
                    let lead = self.p.leads.slot(s.lead.as_str());
                    if seen_lead.insert(lead) {
                        leads.push(lead);
                    }
                }
                Event::OpportunityCreated(o) => {
                    mark_opp(self.p.opps.slot(o.id.as_str()), &mut opps)
                }
                Event::OpportunityClosed(c) => mark_opp(self.p.opps.slot(c.id.as_str()), &mut opps),
                Event::AccountRecorded(_)
                | Event::RepRecorded(_)
                | Event::CampaignRecorded(_)
                | Event::ContentPublished(_)
                | Event::TargetSet(_) => {}
                // Not a contract fact: the reports pass over it.
                _ => {}
            }
        }
        // New slots need their (empty) index entries before contributions run.
        self.ix.grow(&self.p);
        (leads, opps)
    }

    /// One event into the projections, the indexes and the cells of the
    /// contributors that never change (a touch, a transition).
    fn fold(&mut self, event: &Event) {
        let p = &mut self.p;
        let before = (p.touches.len(), p.transitions.len());
        let was_created = match event {
            Event::LeadCreated(l) => p
                .leads
                .ids
                .get(l.id.as_str())
                .is_some_and(|i| p.leads.is_created(i)),
            Event::OpportunityCreated(o) => p
                .opps
                .ids
                .get(o.id.as_str())
                .is_some_and(|i| p.opps.created[i as usize]),
            _ => true,
        };
        p.apply(event);
        self.ix.grow(p);
        let ix = &mut self.ix;
        match event {
            Event::Touched(_) if p.touches.len() > before.0 => {
                let t = before.0 as u32;
                let lead = p.touches.lead[t as usize] as usize;
                let (at, ids) = (&p.touches.at, &p.touches.ids);
                insert_sorted(&mut ix.lead_touches[lead], t, |a, b| {
                    time_then_id(at, ids, a, b) == Ordering::Less
                });
                if p.touches.is_sales(t) {
                    let times = &mut ix.lead_sales_at[lead];
                    let at = p.touches.at[t as usize];
                    times.insert(times.partition_point(|&x| x <= at), at);
                }
                self.cells.touch(p, t);
            }
            Event::StageChanged(_) if p.transitions.len() > before.1 => {
                let t = before.1 as u32;
                let lead = p.transitions.lead[t as usize] as usize;
                let (at, ids) = (&p.transitions.at, &p.transitions.ids);
                insert_sorted(&mut ix.lead_transitions[lead], t, |a, b| {
                    time_then_id(at, ids, a, b) == Ordering::Less
                });
                self.cells.transition(p, t);
            }
            Event::LeadCreated(l) if !was_created => {
                let lead = p.leads.ids.get(l.id.as_str()).expect("just interned");
                index_lead(ix, p, lead);
            }
            Event::OpportunityCreated(o) if !was_created => {
                let i = p.opps.ids.get(o.id.as_str()).expect("just interned");
                index_opp(ix, p, i);
            }
            _ => {}
        }
    }

    /// Report `name` over all time.
    pub fn table(&self, name: &str) -> Result<Table, UnknownReport> {
        let (p, c) = (&self.p, &self.cells);
        let mut table = match name {
            "funnel" => c.funnel(p),
            "velocity" => c.velocity(),
            "sla_followup" => c.followup(p),
            "sla_marketing" => c.marketing(p),
            "attribution_campaign" => c.attribution_campaign(p),
            "attribution_channel" => c.attribution_channel(),
            "content" => c.content(p),
            "content_gaps" => c.content_gaps(p),
            "leaderboard" => c.leaderboard(p),
            "rejections" => c.rejections(),
            "kpi" => c.kpi(),
            other => return Err(UnknownReport(other.to_owned())),
        };
        table.terms = crate::terms_used(name, &self.terms);
        Ok(table)
    }
}

fn sort_by_time_then_id(list: &mut [u32], at: &[i64], ids: &crate::projection::Arena) {
    if list
        .windows(2)
        .any(|w| time_then_id(at, ids, w[0], w[1]) == Ordering::Greater)
    {
        list.sort_unstable_by(|&a, &b| time_then_id(at, ids, a, b));
    }
}

fn index_lead(ix: &mut Indexes, p: &Projections, lead: u32) {
    if p.leads.is_created(lead) {
        let a = p.leads.account[lead as usize];
        if a != NONE {
            ix.account_leads[a as usize].push(lead);
        }
    }
}

fn index_opp(ix: &mut Indexes, p: &Projections, o: u32) {
    let i = o as usize;
    if !p.opps.created[i] {
        return;
    }
    if p.opps.account[i] != NONE {
        ix.account_opps[p.opps.account[i] as usize].push(o);
    }
    if p.opps.primary_lead[i] != NONE {
        ix.lead_opps
            .entry(p.opps.primary_lead[i])
            .or_default()
            .push(o);
    }
}

fn add<const N: usize>(cell: &mut [i64; N], values: [i64; N], sign: i64) {
    for (c, v) in cell.iter_mut().zip(values) {
        *c += sign * v;
    }
}

impl Cells {
    fn empty() -> Cells {
        Cells {
            velocity: vec![vec![Multiset::default(); ALL_CHANNELS + 1]; STEPS],
            ..Cells::default()
        }
    }

    /// Takes in the cells that only opportunities write (kpi rows are shared:
    /// added), from a fold of the opportunities alone.
    fn take_opps(&mut self, other: Cells) {
        for (month, k) in other.kpi {
            add(self.kpi.entry(month).or_default(), k, 1);
        }
        self.reps = other.reps;
        self.by_campaign = other.by_campaign;
        self.by_channel = other.by_channel;
        self.influence = other.influence;
    }

    fn flush(&mut self) {
        for step in &mut self.velocity {
            step.iter_mut().for_each(Multiset::flush);
        }
        self.followup.values_mut().for_each(|c| c.seconds.flush());
        self.reps.values_mut().for_each(|c| c.cycle.flush());
    }

    /// A touch: content use (never changes once recorded).
    fn touch(&mut self, p: &Projections, t: u32) {
        let i = t as usize;
        let c = p.touches.content[i];
        if c == NONE {
            return;
        }
        if self.usage.len() <= c as usize {
            self.usage.resize(c as usize + 1, Usage::default());
        }
        let u = &mut self.usage[c as usize];
        u.uses += 1;
        u.sales_uses += i64::from(p.touches.is_sales(t));
        u.last_used_at = u.last_used_at.max(p.touches.at[i]);
        if self.used_by.insert((c, p.touches.lead[i])) {
            u.unique_leads += 1;
        }
    }

    /// A transition: kpi stage counts and sales rejections.
    fn transition(&mut self, p: &Projections, t: u32) {
        let tr = &p.transitions;
        let at = tr.at[t as usize];
        let to = tr.to_stage(t);
        if let Some(k) = kpi::entry_counter(to) {
            self.kpi.entry(month(at)).or_default()[k] += 1;
        }
        let slot = match to {
            Stage::Recycled => 0,
            Stage::Disqualified => 1,
            _ => return,
        };
        if tr.from_stage(t) == Stage::Mql && tr.rep[t as usize] != NONE {
            self.rejections
                .entry((month(at), tr.reason[t as usize]))
                .or_default()[slot] += 1;
        }
    }

    /// What a lead contributes (`sign` 1) or no longer contributes (-1): its
    /// funnel and velocity facts and its MQL entries.
    fn lead(&mut self, p: &Projections, ix: &Indexes, terms: &ReportTerms, lead: u32, sign: i64) {
        let l = lead as usize;
        let created = p.leads.is_created(lead);
        if created {
            let ch = p.leads.source_channel[l];
            let cohort = month(p.leads.created_at[l]);
            let reached = usize::from(p.leads.reached[l]);
            let mut counts = [0; 8];
            counts[0] = 1;
            for (k, c) in counts.iter_mut().enumerate().take(6).skip(1) {
                *c = i64::from(reached >= k);
            }
            counts[6] = i64::from(p.leads.ever_recycled[l]);
            counts[7] = i64::from(p.leads.ever_disqualified[l]);
            add(self.funnel.entry((cohort, ch)).or_default(), counts, sign);
            self.kpi.entry(cohort).or_default()[kpi::LEADS] += sign;
            for (step, by_channel) in self.velocity.iter_mut().enumerate() {
                if let (Some(a), Some(b)) = (
                    p.leads.first_entry(lead, step),
                    p.leads.first_entry(lead, step + 1),
                ) {
                    if b >= a {
                        by_channel[usize::from(ch)].change(b - a, sign);
                        by_channel[ALL_CHANNELS].change(b - a, sign);
                    }
                }
            }
        }
        let tr = &p.transitions;
        let seq = &ix.lead_transitions[l];
        let sales = &ix.lead_sales_at[l];
        let follow_s = terms.follow_up_hours * 3600.0;
        let decide_s = terms.decide_hours * 3600.0;
        for (k, &t) in seq.iter().enumerate() {
            if tr.to_stage(t) != Stage::Mql {
                continue;
            }
            let at = tr.at[t as usize];
            let next_entry = seq[k + 1..]
                .iter()
                .find(|&&n| tr.to_stage(n) == Stage::Mql)
                .map(|&n| tr.at[n as usize]);
            let decision = seq.get(k + 1).map(|&d| (tr.to_stage(d), tr.at[d as usize]));
            let first = sales
                .get(sales.partition_point(|&s| s < at))
                .copied()
                .filter(|&s| next_entry.is_none_or(|n| s < n));
            let decided = decision.is_some_and(|(_, d)| ((d - at) as f64) <= decide_s);
            let m = month(at);
            for rep in [tr.rep[t as usize], ALL_REPS] {
                let cell = self.followup.entry((m, rep)).or_default();
                cell.mqls += sign;
                cell.decided += sign * i64::from(decided);
                match first {
                    Some(f) => {
                        cell.in_time += sign * i64::from(((f - at) as f64) <= follow_s);
                        cell.seconds.change(f - at, sign);
                    }
                    None => cell.never += sign,
                }
            }
            if created {
                let accepted = matches!(decision, Some((Stage::Sal, _)));
                let rejected = matches!(decision, Some((Stage::Recycled | Stage::Disqualified, _)));
                let cell = self.marketing.entry((p.leads.region[l], m)).or_default();
                add(cell, [1, i64::from(accepted), i64::from(rejected)], sign);
            }
        }
    }

    /// What an opportunity contributes: kpi pipeline and closes, the owner's
    /// leaderboard line, and for a win its attribution and content influence.
    fn opp(
        &mut self,
        p: &Projections,
        ix: &Indexes,
        terms: &ReportTerms,
        o: u32,
        sign: i64,
        window: &mut Vec<(i64, u32)>,
    ) {
        let i = o as usize;
        let op = &p.opps;
        if !op.created[i] {
            return;
        }
        let amount = op.amount_cents[i];
        let lead = op.primary_lead[i];
        let marketing = lead != NONE
            && p.leads.is_created(lead)
            && p.leads.source_channel[lead as usize] != Channel::Outbound.code();
        let k = self.kpi.entry(month(op.created_at[i])).or_default();
        k[kpi::OPPS] += sign;
        k[kpi::PIPELINE] += sign * amount;
        k[kpi::MARKETING] += sign * amount * i64::from(marketing);
        let rep = self.reps.entry(op.owner[i]).or_default();
        rep.opps += sign;
        match op.status[i] {
            OppStatus::Open => rep.open_cents += sign * amount,
            OppStatus::Lost => {
                rep.lost += sign;
                self.kpi.entry(month(op.closed_at[i])).or_default()[kpi::LOST] += sign;
            }
            OppStatus::Won => {
                rep.won += sign;
                rep.won_cents += sign * amount;
                rep.new_logos += sign * i64::from(op.is_new_business(o));
                rep.cycle.change(op.closed_at[i] - op.created_at[i], sign);
                let k = self.kpi.entry(month(op.closed_at[i])).or_default();
                k[kpi::WON] += sign;
                k[kpi::WON_CENTS] += sign * amount;
                window_touches(p, ix, terms, o, window);
                self.influence_of(p, o, sign, window);
                window.retain(|&(_, t)| !p.touches.is_sales(t));
                self.credit(p, terms, o, sign, window);
            }
        }
    }

    fn influence_of(&mut self, p: &Projections, o: u32, sign: i64, window: &[(i64, u32)]) {
        let mut assets: Vec<u32> = window
            .iter()
            .map(|&(_, t)| p.touches.content[t as usize])
            .filter(|&c| c != NONE)
            .collect();
        assets.sort_unstable();
        assets.dedup();
        if let Some(&last) = assets.last() {
            if self.influence.len() <= last as usize {
                self.influence.resize(last as usize + 1, [0; 2]);
            }
        }
        for c in assets {
            add(
                &mut self.influence[c as usize],
                [1, p.opps.amount_cents[o as usize]],
                sign,
            );
        }
    }

    fn credit(
        &mut self,
        p: &Projections,
        terms: &ReportTerms,
        o: u32,
        sign: i64,
        touches: &[(i64, u32)],
    ) {
        let amount = p.opps.amount_cents[o as usize];
        let whole = i128::from(sign) * i128::from(amount) * UNITS_PER_CENT as i128;
        if touches.is_empty() {
            for map in [&mut self.by_campaign, &mut self.by_channel] {
                let c = map.entry(NO_TOUCHES).or_default();
                c.opps += sign;
                c.units.iter_mut().for_each(|u| *u += whole);
            }
            return;
        }
        let mut campaigns: Vec<u32> = Vec::with_capacity(touches.len());
        let mut channels: Vec<u32> = Vec::with_capacity(touches.len());
        for (&(_, t), w) in touches.iter().zip(weights(p, terms, o, touches)) {
            let campaign = match p.touches.campaign[t as usize] {
                NONE => NO_CAMPAIGN,
                c => c,
            };
            let channel = u32::from(p.touches.channel[t as usize]);
            let units =
                w.map(|w| i128::from(sign) * (amount as f64 * w * UNITS_PER_CENT).round() as i128);
            for (map, key) in [
                (&mut self.by_campaign, campaign),
                (&mut self.by_channel, channel),
            ] {
                let c = map.entry(key).or_default();
                for (u, x) in c.units.iter_mut().zip(units) {
                    *u += x;
                }
            }
            campaigns.push(campaign);
            channels.push(channel);
        }
        for (map, mut keys) in [
            (&mut self.by_campaign, campaigns),
            (&mut self.by_channel, channels),
        ] {
            keys.sort_unstable();
            keys.dedup();
            for key in keys {
                map.entry(key).or_default().opps += sign;
            }
        }
    }

    fn funnel(&self, p: &Projections) -> Table {
        let cells = self
            .funnel
            .iter()
            .filter(|(_, c)| c[0] > 0)
            .map(|(&key, c)| (key, c.map(|n| n as u64)));
        crate::funnel::render(p, cells)
    }

    fn velocity(&self) -> Table {
        crate::velocity::render(|step, channel| {
            self.velocity[step][channel.map_or(ALL_CHANNELS, usize::from)].summary(3600.0)
        })
    }

    fn followup(&self, p: &Projections) -> Table {
        let rows = self
            .followup
            .iter()
            .filter(|(_, c)| c.mqls > 0)
            .map(|(&(m, rep), c)| {
                let name = match rep {
                    ALL_REPS => ALL,
                    NONE => "(unassigned)",
                    r => p.reps.ids.name(r),
                };
                let line = crate::sla::FollowUpLine {
                    mqls: c.mqls as u64,
                    in_time: c.in_time as u64,
                    never: c.never as u64,
                    median_minutes: c.seconds.quantile(1, 2).map(|s| s as f64 / 60.0),
                    decided: c.decided as u64,
                };
                (m, name.to_owned(), line)
            });
        crate::sla::render_followup(rows.collect())
    }

    fn marketing(&self, p: &Projections) -> Table {
        let cells = self
            .marketing
            .iter()
            .filter(|(_, c)| c[0] > 0)
            .map(|(&key, c)| (key, c.map(|n| n as u64)));
        crate::sla::render_marketing(p, &crate::Period::ALL, cells)
    }

    fn attribution_campaign(&self, p: &Projections) -> Table {
        crate::attribution::render_campaigns(p, credits(&self.by_campaign))
    }

    fn attribution_channel(&self) -> Table {
        crate::attribution::render_channels(credits(&self.by_channel))
    }

    fn usage_of(&self, c: u32) -> Usage {
        self.usage.get(c as usize).copied().unwrap_or_default()
    }

    fn content(&self, p: &Projections) -> Table {
        crate::content::render(p, |c| {
            let u = self.usage_of(c);
            let [won, won_cents] = self.influence.get(c as usize).copied().unwrap_or_default();
            crate::content::Line {
                uses: u.uses as u64,
                unique_leads: u.unique_leads as u64,
                sales_uses: u.sales_uses as u64,
                influenced_won: won as u64,
                influenced_cents: won_cents,
                last_used_at: u.last_used_at,
            }
        })
    }

    fn content_gaps(&self, p: &Projections) -> Table {
        crate::content::render_gaps(p, |c| self.usage_of(c).uses as u64)
    }

    fn leaderboard(&self, p: &Projections) -> Table {
        let lines = self
            .reps
            .iter()
            .filter(|(_, r)| r.opps > 0)
            .map(|(&rep, r)| {
                let line = crate::leaderboard::Line {
                    won: r.won,
                    won_cents: r.won_cents,
                    new_logos: r.new_logos,
                    lost: r.lost,
                    open_cents: r.open_cents,
                    median_cycle_days: r.cycle.quantile(1, 2).map(|s| s as f64 / 86_400.0),
                };
                (rep, line)
            });
        crate::leaderboard::render(p, lines)
    }

    fn rejections(&self) -> Table {
        let cells = self.rejections.iter().filter_map(|(&(m, reason), c)| {
            let name = RejectionReason::from_code(reason).map_or("(none)", RejectionReason::as_str);
            (c[0] + c[1] > 0).then_some(((m, name), [c[0] as u64, c[1] as u64]))
        });
        crate::rejections::render(cells.collect())
    }

    fn kpi(&self) -> Table {
        kpi::render(self.kpi.iter().map(|(&m, &k)| (m, k)).collect())
    }
}

/// Each key's opportunities and cents per model, as the tables show them.
fn credits(map: &FxHashMap<u32, Credit>) -> impl Iterator<Item = (u32, (i64, [i64; 5]))> + '_ {
    map.iter().map(|(&k, c)| (k, (c.opps, c.units.map(cents))))
}

/// Fixed-point credit in cents, rounded the way a sum of dollars in floating
/// point is (`round(dollars, 2)`): through the nearest dollar value a double
/// holds, so that an exact half cent such as 1213.215 rounds as its double
/// (1213.2149…) does, like the reference and the full fold.
fn cents(units: i128) -> i64 {
    crate::table::dollars_to_cents(units as f64 / (UNITS_PER_CENT * 100.0))
}

/// The touches (any kind) of every created lead of the opportunity's account
/// inside its attribution window, in (time, touch id) order.
fn window_touches(
    p: &Projections,
    ix: &Indexes,
    terms: &ReportTerms,
    o: u32,
    out: &mut Vec<(i64, u32)>,
) {
    out.clear();
    let i = o as usize;
    let account = p.opps.account[i];
    if account == NONE {
        return;
    }
    let end = p.opps.created_at[i];
    let start = end - i64::from(terms.lookback_days) * 86_400;
    let at = &p.touches.at;
    for &lead in &ix.account_leads[account as usize] {
        let touches = &ix.lead_touches[lead as usize];
        let from = touches.partition_point(|&t| at[t as usize] < start);
        for &t in &touches[from..] {
            let when = at[t as usize];
            if when > end {
                break;
            }
            out.push((when, t));
        }
    }
    let ids = &p.touches.ids;
    out.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| ids.get(a.1).cmp(ids.get(b.1))));
}
