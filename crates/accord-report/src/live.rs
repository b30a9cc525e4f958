//! Every report over any period, kept up to date as events arrive.
//!
//! [`Live`] holds the [`Projections`], the cross-event indexes that the
//! reports need in an order (a lead's touches and transitions in (time, id)
//! order, an account's leads and opportunities), and each report's cells,
//! keyed by the UTC day of the time its period selects on ([`crate::cells`]).
//! What a report's cells are, what each contributor adds to them and how they
//! become a table is written once, in the report's own module; this one only
//! orchestrates. [`Live::table`] sums the cells of the days of a period (all
//! of them for [`crate::Period::ALL`]): a period never reads the log.
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
//! 2. subtracts their contributions, computed from the state before (from
//!    the cells of the days they were on);
//! 3. folds the events into the projections and indexes;
//! 4. adds their contributions, computed from the state after.
//!
//! All sums are exact (integer counts, cents, seconds, and attribution credit
//! in fixed point of 10⁻⁹ cent), and the duration quantiles come from sorted
//! per-day multisets, so the cells after any sequence of batches equal those
//! of one fold of the same events in any order: that is the invariant the
//! tests check.
//!
//! A batch costs about its own size plus the windows of the won opportunities
//! it touches, never a pass over the whole history. Building from scratch
//! ([`Live::build`]) folds every event without the diffing, then adds every
//! contributor once.

use std::cmp::Ordering;

use accord_core::event::Event;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::attribution::{has_marketing, keep_marketing, window_touches, TouchIndex};
use crate::derived::time_then_id;
use crate::projection::{OppStatus, Projections, NONE};
use crate::table::Table;
use crate::{
    attribution, content, funnel, kpi, leaderboard, rejections, sla, velocity, Period, ReportTerms,
    UnknownReport,
};

/// The orders across events that the contributions read.
#[derive(Clone, Debug, Default)]
pub(crate) struct Indexes {
    /// Every touch of a lead, in (time, touch id) order.
    pub(crate) lead_touches: Vec<Vec<u32>>,
    /// The times of a lead's sales touches, ascending.
    pub(crate) lead_sales_at: Vec<Vec<i64>>,
    /// A lead's transitions, in (time, transition id) order.
    pub(crate) lead_transitions: Vec<Vec<u32>>,
    /// Created leads per account.
    pub(crate) account_leads: Vec<Vec<u32>>,
    /// Created opportunities per account.
    pub(crate) account_opps: Vec<Vec<u32>>,
    /// Created opportunities per primary lead.
    pub(crate) lead_opps: FxHashMap<u32, Vec<u32>>,
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

impl TouchIndex for Indexes {
    fn account_leads(&self, account: u32) -> &[u32] {
        &self.account_leads[account as usize]
    }

    fn lead_touches(&self, lead: u32) -> &[u32] {
        &self.lead_touches[lead as usize]
    }
}

/// Every report's cells (see each module).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Cells {
    pub(crate) funnel: funnel::Cells,
    pub(crate) velocity: velocity::Cells,
    pub(crate) sla: sla::Cells,
    pub(crate) kpi: kpi::Cells,
    pub(crate) rejections: rejections::Cells,
    pub(crate) leaderboard: leaderboard::Cells,
    pub(crate) attribution: attribution::Cells,
    pub(crate) content: content::Cells,
}

impl Cells {
    /// A touch: content use (never changes once recorded).
    fn touch(&mut self, p: &Projections, t: u32) {
        self.content.touch(p, t);
    }

    /// A transition: kpi stage counts and sales rejections (never change).
    fn transition(&mut self, p: &Projections, t: u32) {
        self.kpi.transition(p, t);
        self.rejections.transition(p, t);
    }

    /// What a lead contributes (`sign` 1) or no longer contributes (-1).
    fn lead(&mut self, p: &Projections, ix: &Indexes, terms: &ReportTerms, lead: u32, sign: i64) {
        self.funnel.lead(p, lead, sign);
        self.velocity.lead(p, lead, sign);
        self.kpi.lead(p, lead, sign);
        let l = lead as usize;
        let (seq, sales_at) = (&ix.lead_transitions[l], &ix.lead_sales_at[l]);
        self.sla.lead(p, terms, seq, sales_at, lead, sign);
    }

    /// What an opportunity contributes: kpi pipeline (influenced when its
    /// window holds a marketing touch) and closes, the owner's leaderboard
    /// line, and for a win its content influence (touches of any kind in its
    /// window) and attribution (the marketing ones).
    fn opp(
        &mut self,
        p: &Projections,
        ix: &Indexes,
        terms: &ReportTerms,
        o: u32,
        sign: i64,
        window: &mut Vec<(i64, u32)>,
    ) {
        if !p.opps.created[o as usize] {
            return;
        }
        window_touches(p, terms, ix, o, window);
        self.kpi.opp(p, o, sign, has_marketing(p, window));
        self.leaderboard.opp(p, o, sign);
        if p.opps.status[o as usize] == OppStatus::Won {
            self.content.win(p, o, sign, window);
            keep_marketing(p, window);
            self.attribution.win(p, terms, o, sign, window);
        }
    }

    /// Takes in the cells that only opportunities write (kpi is shared:
    /// added), from a fold of the opportunities alone.
    fn take_opps(&mut self, other: Cells) {
        self.kpi.merge(other.kpi);
        self.leaderboard = other.leaderboard;
        self.attribution = other.attribution;
        self.content.influence = other.content.influence;
    }

    /// Makes the all-time totals from the day cells, so that they are kept
    /// current from now on (otherwise the first all-time read makes them).
    fn make_totals(&self) {
        self.velocity.make_totals();
        self.sla.make_totals();
        self.content.make_totals();
    }

    fn flush(&mut self) {
        self.velocity.flush();
        self.sla.flush();
        self.leaderboard.flush();
    }
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
    /// A state put together from its parts (the snapshot's reader).
    pub(crate) fn from_parts(
        terms: ReportTerms,
        p: Projections,
        ix: Indexes,
        cells: Cells,
    ) -> Live {
        cells.make_totals();
        Live {
            terms,
            p,
            ix,
            cells,
            window: Vec::new(),
        }
    }

    /// The indexes and the cells (the snapshot's writer).
    pub(crate) fn parts(&self) -> (&Indexes, &Cells) {
        (&self.ix, &self.cells)
    }

    /// Nothing folded yet.
    pub fn new(terms: ReportTerms) -> Live {
        let live = Live::empty(terms);
        live.cells.make_totals();
        live
    }

    /// Nothing folded, and no all-time totals yet.
    fn empty(terms: ReportTerms) -> Live {
        Live {
            terms,
            p: Projections::default(),
            ix: Indexes::default(),
            cells: Cells::default(),
            window: Vec::new(),
        }
    }

    /// Folds a whole history at once: every event into the projections, then
    /// the indexes in one pass, then every contributor once.
    pub fn build(terms: ReportTerms, p: Projections) -> Live {
        // The totals are made from the day cells at the end.
        let mut live = Live::empty(terms);
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
                let mut cells = Cells::default();
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
        live.cells.make_totals();
        live
    }

    pub fn projections(&self) -> &Projections {
        &self.p
    }

    /// The projections, to build again under other terms ([`Live::build`]).
    pub fn into_projections(self) -> Projections {
        self.p
    }

    /// The terms the reports are computed under.
    pub fn terms(&self) -> &ReportTerms {
        &self.terms
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

    /// One opportunity's attribution explained ([`attribution::explain`])
    /// from the orders kept here: nothing is built on the first call.
    pub fn explain_opportunity(
        &self,
        terms: &ReportTerms,
        opportunity_id: &str,
    ) -> Result<(Table, String), String> {
        attribution::explain_in(&self.p, terms, &self.ix, opportunity_id)
    }

    /// The won opportunities crediting one key of an attribution report
    /// ([`crate::won_by::won_by`]), from the attribution cells' index of
    /// each key's wins: a lookup, whatever the key.
    pub fn won_by(
        &self,
        by: crate::won_by::By,
        key: &str,
        period: &Period,
        limit: usize,
    ) -> Result<(Table, usize), String> {
        let code = crate::won_by::code_of(&self.p, by, key)?;
        Ok(crate::won_by::listed(
            &self.p,
            &self.cells.attribution,
            by,
            code,
            period,
            limit,
        ))
    }

    /// Report `name` over `period`, from the cells of its days.
    pub fn table(&self, name: &str, period: &Period) -> Result<Table, UnknownReport> {
        table_of(&self.p, &self.cells, &self.terms, name, period)
    }

    /// The funnel over `period` of the leads `filter` keeps.
    pub fn funnel(&self, period: &Period, filter: &funnel::Filter) -> Table {
        funnel_of(&self.p, &self.cells, &self.terms, period, filter)
    }
}

/// The funnel of the leads `filter` keeps, as [`table_of`] renders it
/// unfiltered.
pub(crate) fn funnel_of(
    p: &Projections,
    c: &Cells,
    terms: &ReportTerms,
    period: &Period,
    filter: &funnel::Filter,
) -> Table {
    let mut table = c.funnel.table(p, period, filter);
    table.terms = crate::terms_used("funnel", terms);
    terms.models.show(&mut table);
    table
}

/// Report `name` over `period` from the cells (and the catalog of `p` that
/// the rendering reads): the one reading of [`Live`] and of a snapshot's
/// cells part.
pub(crate) fn table_of(
    p: &Projections,
    c: &Cells,
    terms: &ReportTerms,
    name: &str,
    period: &Period,
) -> Result<Table, UnknownReport> {
    let mut table = match name {
        "funnel" => return Ok(funnel_of(p, c, terms, period, &funnel::Filter::ALL)),
        "velocity" => c.velocity.table(period),
        "sla_followup" => c.sla.followup(p, period),
        "sla_marketing" => c.sla.marketing(p, period),
        "attribution_campaign" => c.attribution.campaigns(p, period),
        "attribution_channel" => c.attribution.channels(period),
        "content" => c.content.table(p, period),
        "content_gaps" => c.content.gaps(p, period),
        "leaderboard" => c.leaderboard.table(p, period),
        "rejections" => c.rejections.table(period),
        "kpi" => c.kpi.table(period),
        "kpi_outcomes" => c.kpi.outcomes(period),
        other => return Err(UnknownReport(other.to_owned())),
    };
    table.terms = crate::terms_used(name, terms);
    terms.models.show(&mut table);
    Ok(table)
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
