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

#[derive(Default, Clone, Copy)]
struct Kpi {
    leads: u64,
    mqls: u64,
    sals: u64,
    sqls: u64,
    opportunities: u64,
    pipeline_cents: i64,
    marketing_cents: i64,
    won: u64,
    won_cents: i64,
    lost: u64,
}

impl Kpi {
    fn add(&mut self, o: &Kpi) {
        self.leads += o.leads;
        self.mqls += o.mqls;
        self.sals += o.sals;
        self.sqls += o.sqls;
        self.opportunities += o.opportunities;
        self.pipeline_cents += o.pipeline_cents;
        self.marketing_cents += o.marketing_cents;
        self.won += o.won;
        self.won_cents += o.won_cents;
        self.lost += o.lost;
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
    let mut months: BTreeMap<Month, Kpi> = BTreeMap::new();
    for l in 0..p.leads.len() as u32 {
        let at = p.leads.created_at[l as usize];
        if p.leads.is_created(l) && period.contains(at) {
            months.entry(month(at)).or_default().leads += 1;
        }
    }
    let tr = &p.transitions;
    for i in 0..tr.len() as u32 {
        let at = tr.at[i as usize];
        if !period.contains(at) {
            continue;
        }
        let stage = tr.to_stage(i);
        if !matches!(stage, Stage::Mql | Stage::Sal | Stage::Sql) {
            continue;
        }
        let k = months.entry(month(at)).or_default();
        match stage {
            Stage::Mql => k.mqls += 1,
            Stage::Sal => k.sals += 1,
            _ => k.sqls += 1,
        }
    }
    let o = &p.opps;
    for i in 0..o.len() {
        if !o.created[i] {
            continue;
        }
        if period.contains(o.created_at[i]) {
            let k = months.entry(month(o.created_at[i])).or_default();
            k.opportunities += 1;
            k.pipeline_cents += o.amount_cents[i];
            let lead = o.primary_lead[i];
            let marketing = lead != NONE
                && p.leads.is_created(lead)
                && p.leads.source_channel[lead as usize] != Channel::Outbound.code();
            if marketing {
                k.marketing_cents += o.amount_cents[i];
            }
        }
        if o.status[i] != OppStatus::Open && period.contains(o.closed_at[i]) {
            let k = months.entry(month(o.closed_at[i])).or_default();
            if o.status[i] == OppStatus::Won {
                k.won += 1;
                k.won_cents += o.amount_cents[i];
            } else {
                k.lost += 1;
            }
        }
    }
    render_kpis(months)
}

/// The kpi table from counters per month, in column order: leads, mqls,
/// sals, sqls, opportunities, pipeline cents, marketing-sourced cents, won,
/// won cents, lost.
pub(crate) fn render(months: BTreeMap<Month, [i64; 10]>) -> Table {
    let kpis = months.into_iter().map(|(m, k)| {
        let n = |i: usize| k[i] as u64;
        let kpi = Kpi {
            leads: n(0),
            mqls: n(1),
            sals: n(2),
            sqls: n(3),
            opportunities: n(4),
            pipeline_cents: k[5],
            marketing_cents: k[6],
            won: n(7),
            won_cents: k[8],
            lost: n(9),
        };
        (m, kpi)
    });
    render_kpis(kpis.collect())
}

fn render_kpis(months: BTreeMap<Month, Kpi>) -> Table {
    let mut total = Kpi::default();
    for k in months.values() {
        total.add(k);
    }
    let mut t = Table::new("kpi", COLUMNS);
    let rows = std::iter::once((ALL.to_owned(), total))
        .chain(months.into_iter().map(|(m, k)| (m.to_string(), k)));
    for (label, k) in rows {
        t.push(vec![
            Value::Text(label),
            Value::Int(k.leads as i64),
            Value::Int(k.mqls as i64),
            Value::Int(k.sals as i64),
            Value::Int(k.sqls as i64),
            Value::Int(k.opportunities as i64),
            Value::Money(k.pipeline_cents),
            Value::Money(k.marketing_cents),
            Value::Int(k.won as i64),
            Value::Money(k.won_cents),
            Value::Int(k.lost as i64),
        ]);
    }
    t
}
