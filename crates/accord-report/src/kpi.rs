//! `kpi`: the month-by-month numbers both teams watch.
//!
//! Per month: leads created; transitions into `mql`, `sal` and `sql` (entries,
//! not leads); opportunities created and their amounts, and of those the
//! amount whose primary lead came from a channel other than `outbound`
//! (marketing-sourced); deals won and lost by month of close, and the won
//! amount. One row per month with any of these (touches alone make none) and
//! a `(all)` row first. With a period, each count takes the events inside it:
//! the cells count per day of each event's own time.
//!
//! `kpi_outcomes` is accord's own table (not the kit's): from the same
//! cells, per month and `(all)`, lead-to-opportunity (opportunities created
//! / leads created, both in the period), win rate (won / (won + lost) of the
//! deals closed in it) and marketing-influenced pipeline (the amount of the
//! opportunities created in it whose attribution window,
//! [`crate::attribution::window_touches`], holds a marketing touch).

use std::collections::BTreeMap;

use accord_core::domain::{Channel, Month, Stage};

use crate::cells::{day, Day, Days, Months};
use crate::projection::{OppStatus, Projections, NONE};
use crate::table::{ColumnKind as K, Table, Value};
use crate::{Period, ALL};

/// A month's (or a day's) counters. Each is a sum; what adds to which is
/// [`Cells::lead`], [`Cells::transition`] and [`Cells::opp`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    /// Leads created.
    pub leads: i64,
    /// Transitions into `mql` (entries, not leads).
    pub mqls: i64,
    /// Transitions into `sal`.
    pub sals: i64,
    /// Transitions into `sql`.
    pub sqls: i64,
    /// Opportunities created.
    pub opps: i64,
    /// Their amount, in cents.
    pub pipeline: i64,
    /// The amount of those whose primary lead's channel is not `outbound`.
    pub marketing_sourced: i64,
    /// Deals won, by day of close.
    pub won: i64,
    /// Their amount, in cents.
    pub won_cents: i64,
    /// Deals lost, by day of close.
    pub lost: i64,
    /// The amount of the opportunities created with a marketing touch in
    /// their attribution window (`kpi_outcomes` only; the kit's `kpi` has no
    /// such column).
    pub influenced: i64,
}

impl Counts {
    /// Adds `sign` × `other`, counter by counter.
    fn add(&mut self, other: &Counts, sign: i64) {
        let [a, b] = [self.slots(), other.slots()];
        *self = Counts::from_slots(std::array::from_fn(|i| a[i] + sign * b[i]));
    }

    fn is_zero(&self) -> bool {
        *self == Counts::default()
    }

    /// The counters in a fixed order (how the snapshot writes them).
    pub(crate) fn slots(&self) -> [i64; 11] {
        let Counts {
            leads,
            mqls,
            sals,
            sqls,
            opps,
            pipeline,
            marketing_sourced,
            won,
            won_cents,
            lost,
            influenced,
        } = *self;
        [
            leads,
            mqls,
            sals,
            sqls,
            opps,
            pipeline,
            marketing_sourced,
            won,
            won_cents,
            lost,
            influenced,
        ]
    }

    /// The counters of [`Counts::slots`]' order.
    pub(crate) fn from_slots(s: [i64; 11]) -> Counts {
        let [leads, mqls, sals, sqls, opps, pipeline, marketing_sourced, won, won_cents, lost, influenced] =
            s;
        Counts {
            leads,
            mqls,
            sals,
            sqls,
            opps,
            pipeline,
            marketing_sourced,
            won,
            won_cents,
            lost,
            influenced,
        }
    }
}

const COLUMNS: &[(&str, K)] = &[
    ("month", K::Text),
    ("leads", K::Int),
    ("mqls", K::Int),
    ("sals", K::Int),
    ("sqls", K::Int),
    ("opportunities", K::Int),
    ("pipeline_created_usd", K::Money),
    ("marketing_sourced_pipeline_usd", K::Money),
    ("won_deals", K::Int),
    ("won_usd", K::Money),
    ("lost_deals", K::Int),
];

/// kpi's cells: [`Counts`] per day.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Cells(pub(crate) BTreeMap<Day, Counts>);

impl Cells {
    fn at(&mut self, t: i64) -> &mut Counts {
        self.0.entry(day(t)).or_default()
    }

    /// A created lead, on its creation day.
    pub(crate) fn lead(&mut self, p: &Projections, lead: u32, sign: i64) {
        if p.leads.is_created(lead) {
            self.at(p.leads.created_at[lead as usize]).leads += sign;
        }
    }

    /// A transition into `mql`, `sal` or `sql`, on its day (never changes).
    pub(crate) fn transition(&mut self, p: &Projections, t: u32) {
        let at = p.transitions.at[t as usize];
        match p.transitions.to_stage(t) {
            Stage::Mql => self.at(at).mqls += 1,
            Stage::Sal => self.at(at).sals += 1,
            Stage::Sql => self.at(at).sqls += 1,
            _ => {}
        }
    }

    /// An opportunity: created (with its pipeline, marketing-sourced when its
    /// primary lead's channel is not `outbound`, marketing-influenced when
    /// `influenced`: its attribution window holds a marketing touch) on its
    /// creation day; won or lost on its close day.
    pub(crate) fn opp(&mut self, p: &Projections, o: u32, sign: i64, influenced: bool) {
        let (op, i) = (&p.opps, o as usize);
        if !op.created[i] {
            return;
        }
        let amount = op.amount_cents[i];
        let lead = op.primary_lead[i];
        let marketing = lead != NONE
            && p.leads.is_created(lead)
            && p.leads.source_channel[lead as usize] != Channel::Outbound.code();
        let created = Counts {
            opps: 1,
            pipeline: amount,
            marketing_sourced: amount * i64::from(marketing),
            influenced: amount * i64::from(influenced),
            ..Counts::default()
        };
        self.at(op.created_at[i]).add(&created, sign);
        let closed = match op.status[i] {
            OppStatus::Open => return,
            OppStatus::Lost => Counts {
                lost: 1,
                ..Counts::default()
            },
            OppStatus::Won => Counts {
                won: 1,
                won_cents: amount,
                ..Counts::default()
            },
        };
        self.at(op.closed_at[i]).add(&closed, sign);
    }

    /// Adds another fold's cells in.
    pub(crate) fn merge(&mut self, other: Cells) {
        for (d, k) in other.0 {
            self.0.entry(d).or_default().add(&k, 1);
        }
    }

    pub(crate) fn table(&self, period: &Period) -> Table {
        render(self.months(period))
    }

    /// `kpi_outcomes` over `period`, from the same month sums as `kpi`.
    pub(crate) fn outcomes(&self, period: &Period) -> Table {
        render_outcomes(self.months(period))
    }

    /// Each month's [`Counts`] over the days of `period`.
    fn months(&self, period: &Period) -> BTreeMap<Month, Counts> {
        let days = Days::of(period);
        let mut months: BTreeMap<Month, Counts> = BTreeMap::new();
        if days.from < days.until {
            let mut month_of = Months::default();
            for (&d, k) in self.0.range(days.from..days.until) {
                months.entry(month_of.of(d)).or_default().add(k, 1);
            }
        }
        months
    }
}

/// The rows of both tables: `(all)` (the sum), then each month with any
/// counter not zero.
fn rows(months: BTreeMap<Month, Counts>) -> Vec<(String, Counts)> {
    let months: Vec<(Month, Counts)> = months.into_iter().filter(|(_, k)| !k.is_zero()).collect();
    let mut total = Counts::default();
    for (_, k) in &months {
        total.add(k, 1);
    }
    std::iter::once((ALL.to_owned(), total))
        .chain(months.into_iter().map(|(m, k)| (m.to_string(), k)))
        .collect()
}

/// The kpi table from each month's [`Counts`]: a `(all)` row, then one row
/// per month with any counter not zero.
fn render(months: BTreeMap<Month, Counts>) -> Table {
    let mut t = Table::new("kpi", COLUMNS);
    for (label, k) in rows(months) {
        t.push(vec![
            Value::Text(label),
            Value::Int(k.leads),
            Value::Int(k.mqls),
            Value::Int(k.sals),
            Value::Int(k.sqls),
            Value::Int(k.opps),
            Value::Money(k.pipeline),
            Value::Money(k.marketing_sourced),
            Value::Int(k.won),
            Value::Money(k.won_cents),
            Value::Int(k.lost),
        ]);
    }
    t
}

const OUTCOME_COLUMNS: &[(&str, K)] = &[
    ("month", K::Text),
    ("leads", K::Int),
    ("opportunities", K::Int),
    ("lead_to_opportunity", K::Rate),
    ("won_deals", K::Int),
    ("lost_deals", K::Int),
    ("win_rate", K::Rate),
    ("pipeline_created_usd", K::Money),
    ("marketing_influenced_pipeline_usd", K::Money),
    ("marketing_influenced_share", K::Rate),
];

/// The `kpi_outcomes` table: the same rows as `kpi`. Lead-to-opportunity is
/// opportunities / leads created in the same days (not a cohort's rate: an
/// opportunity counts in the period it was created, whenever its lead was);
/// win rate is won / (won + lost) of the deals closed; the influenced share
/// is influenced pipeline / pipeline created. Each is null over nothing.
fn render_outcomes(months: BTreeMap<Month, Counts>) -> Table {
    let mut t = Table::new("kpi_outcomes", OUTCOME_COLUMNS);
    for (label, k) in rows(months) {
        let n = |v: i64| v.max(0) as u64;
        t.push(vec![
            Value::Text(label),
            Value::Int(k.leads),
            Value::Int(k.opps),
            Value::ratio(n(k.opps), n(k.leads)),
            Value::Int(k.won),
            Value::Int(k.lost),
            Value::ratio(n(k.won), n(k.won) + n(k.lost)),
            Value::Money(k.pipeline),
            Value::Money(k.influenced),
            Value::ratio(n(k.influenced), n(k.pipeline)),
        ]);
    }
    t
}
