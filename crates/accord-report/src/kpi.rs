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

use crate::cells::{add, day, Day, Days, Months};
use crate::projection::{OppStatus, Projections, NONE};
use crate::table::{ColumnKind as K, Table, Value};
use crate::{Period, ALL};

/// A month's (or a day's) counters, in column order (see the indexes below).
pub(crate) type Counts = [i64; 11];
const LEADS: usize = 0;
const MQLS: usize = 1;
const SALS: usize = 2;
const SQLS: usize = 3;
const OPPS: usize = 4;
const PIPELINE: usize = 5;
const MARKETING: usize = 6;
const WON: usize = 7;
const WON_CENTS: usize = 8;
const LOST: usize = 9;
/// Pipeline of opportunities created with a marketing touch in their window
/// (`kpi_outcomes` only; the kit's `kpi` has no such column).
const INFLUENCED: usize = 10;

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
            self.at(p.leads.created_at[lead as usize])[LEADS] += sign;
        }
    }

    /// A transition into `mql`, `sal` or `sql`, on its day (never changes).
    pub(crate) fn transition(&mut self, p: &Projections, t: u32) {
        let counter = match p.transitions.to_stage(t) {
            Stage::Mql => MQLS,
            Stage::Sal => SALS,
            Stage::Sql => SQLS,
            _ => return,
        };
        self.at(p.transitions.at[t as usize])[counter] += 1;
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
        let mut created = [0; 11];
        created[OPPS] = 1;
        created[PIPELINE] = amount;
        created[MARKETING] = amount * i64::from(marketing);
        created[INFLUENCED] = amount * i64::from(influenced);
        add(self.at(op.created_at[i]), created, sign);
        let mut closed = [0; 11];
        match op.status[i] {
            OppStatus::Open => return,
            OppStatus::Lost => closed[LOST] = 1,
            OppStatus::Won => {
                closed[WON] = 1;
                closed[WON_CENTS] = amount;
            }
        }
        add(self.at(op.closed_at[i]), closed, sign);
    }

    /// Adds another fold's cells in.
    pub(crate) fn merge(&mut self, other: Cells) {
        for (d, k) in other.0 {
            add(self.0.entry(d).or_default(), k, 1);
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
                add(months.entry(month_of.of(d)).or_default(), *k, 1);
            }
        }
        months
    }
}

/// The rows of both tables: `(all)` (the sum), then each month with any
/// counter not zero.
fn rows(months: BTreeMap<Month, Counts>) -> Vec<(String, Counts)> {
    let months: Vec<(Month, Counts)> = months
        .into_iter()
        .filter(|(_, k)| k.iter().any(|&n| n != 0))
        .collect();
    let mut total: Counts = [0; 11];
    for (_, k) in &months {
        add(&mut total, *k, 1);
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
        let mut row = vec![Value::Text(label)];
        row.extend(
            COLUMNS[1..]
                .iter()
                .zip(k)
                .map(|(&(_, kind), n)| match kind {
                    K::Money => Value::Money(n),
                    _ => Value::Int(n),
                }),
        );
        t.push(row);
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
        let n = |i: usize| k[i].max(0) as u64;
        t.push(vec![
            Value::Text(label),
            Value::Int(k[LEADS]),
            Value::Int(k[OPPS]),
            Value::ratio(n(OPPS), n(LEADS)),
            Value::Int(k[WON]),
            Value::Int(k[LOST]),
            Value::ratio(n(WON), n(WON) + n(LOST)),
            Value::Money(k[PIPELINE]),
            Value::Money(k[INFLUENCED]),
            Value::ratio(n(INFLUENCED), n(PIPELINE)),
        ]);
    }
    t
}
