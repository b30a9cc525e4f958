//! `kpi`: the month-by-month numbers both teams watch.
//!
//! Per month: leads created; transitions into `mql`, `sal` and `sql` (entries,
//! not leads); opportunities created and their amounts, and of those the
//! amount whose primary lead came from a channel other than `outbound`
//! (marketing-sourced); deals won and lost by month of close, and the won
//! amount. One row per month with any of these (touches alone make none) and
//! a `(all)` row first. With a period, each count takes the events inside it.

use std::collections::BTreeMap;

use accord_core::domain::{Channel, Month, Stage, Timestamp};

use crate::projection::{OppStatus, Projections, NONE};
use crate::table::{ColumnKind as K, Table, Value};
use crate::{Period, ALL};

/// A month's counters, in column order (see the indexes below).
pub(crate) type Counts = [i64; 10];
pub(crate) const LEADS: usize = 0;
pub(crate) const MQLS: usize = 1;
pub(crate) const SALS: usize = 2;
pub(crate) const SQLS: usize = 3;
pub(crate) const OPPS: usize = 4;
pub(crate) const PIPELINE: usize = 5;
pub(crate) const MARKETING: usize = 6;
pub(crate) const WON: usize = 7;
pub(crate) const WON_CENTS: usize = 8;
pub(crate) const LOST: usize = 9;

/// The counter a transition into `stage` adds to, if any.
pub(crate) fn entry_counter(stage: Stage) -> Option<usize> {
    match stage {
        Stage::Mql => Some(MQLS),
        Stage::Sal => Some(SALS),
        Stage::Sql => Some(SQLS),
        _ => None,
    }
}

fn month(t: i64) -> Month {
    Timestamp::from_unix_seconds(t).month()
}

pub(crate) const COLUMNS: &[(&str, K)] = &[
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

pub fn report(p: &Projections, period: &Period) -> Table {
    let mut months: BTreeMap<Month, Counts> = BTreeMap::new();
    for l in 0..p.leads.len() as u32 {
        let at = p.leads.created_at[l as usize];
        if p.leads.is_created(l) && period.contains(at) {
            months.entry(month(at)).or_default()[LEADS] += 1;
        }
    }
    let tr = &p.transitions;
    for i in 0..tr.len() as u32 {
        let at = tr.at[i as usize];
        if let Some(k) = entry_counter(tr.to_stage(i)).filter(|_| period.contains(at)) {
            months.entry(month(at)).or_default()[k] += 1;
        }
    }
    let o = &p.opps;
    for i in 0..o.len() {
        if !o.created[i] {
            continue;
        }
        if period.contains(o.created_at[i]) {
            let k = months.entry(month(o.created_at[i])).or_default();
            k[OPPS] += 1;
            k[PIPELINE] += o.amount_cents[i];
            let lead = o.primary_lead[i];
            let marketing = lead != NONE
                && p.leads.is_created(lead)
                && p.leads.source_channel[lead as usize] != Channel::Outbound.code();
            if marketing {
                k[MARKETING] += o.amount_cents[i];
            }
        }
        if o.status[i] != OppStatus::Open && period.contains(o.closed_at[i]) {
            let k = months.entry(month(o.closed_at[i])).or_default();
            if o.status[i] == OppStatus::Won {
                k[WON] += 1;
                k[WON_CENTS] += o.amount_cents[i];
            } else {
                k[LOST] += 1;
            }
        }
    }
    render(months)
}

/// The kpi table from each month's [`Counts`]: a `(all)` row, then one row
/// per month with any counter not zero.
pub(crate) fn render(months: BTreeMap<Month, Counts>) -> Table {
    let months: Vec<(Month, Counts)> = months
        .into_iter()
        .filter(|(_, k)| k.iter().any(|&n| n != 0))
        .collect();
    let mut total: Counts = [0; 10];
    for (_, k) in &months {
        for (t, n) in total.iter_mut().zip(k) {
            *t += n;
        }
    }
    let mut t = Table::new("kpi", COLUMNS);
    let rows = std::iter::once((ALL.to_owned(), total))
        .chain(months.into_iter().map(|(m, k)| (m.to_string(), k)));
    for (label, k) in rows {
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
