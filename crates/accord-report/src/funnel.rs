//! `funnel`: how far each monthly cohort of leads got, per source channel.
//!
//! A cohort is the leads created in a month. A lead *reached* a lifecycle
//! stage when it ever entered it or a later one (lead < mql < sal < sql <
//! opportunity < customer); `recycled` and `disqualified` count leads that ever
//! entered them. Rows: every (month, channel) with leads, a `(all)` channel row
//! per month, a `(all)` month row per channel and (`(all)`, `(all)`), in byte
//! order. With a period, the cohorts are the leads created in it: the cells
//! count leads by creation day and source channel, and what a lead reached
//! is looked up at any time.

use std::collections::BTreeMap;

use accord_core::domain::{Month, Stage, Timestamp};
use rustc_hash::FxHashMap;

use crate::cells::{add, day, in_days, DayMap, Days, Months};
use crate::projection::{Projections, FUNNEL_STAGES};
use crate::table::{ColumnKind as K, Table, Value};
use crate::{Period, ALL};

const COUNTS: usize = 8;
/// Counted per cell: leads, then reached mql…customer, then recycled, disqualified.
pub(crate) type Counts = [u64; COUNTS];

const COLUMNS: &[(&str, K)] = &[
    ("cohort_month", K::Text),
    ("source_channel", K::Text),
    ("leads", K::Int),
    ("mql", K::Int),
    ("sal", K::Int),
    ("sql", K::Int),
    ("opportunity", K::Int),
    ("customer", K::Int),
    ("recycled", K::Int),
    ("disqualified", K::Int),
    ("lead_to_mql", K::Rate),
    ("mql_to_sal", K::Rate),
    ("sal_to_sql", K::Rate),
    ("sql_to_opportunity", K::Rate),
    ("opportunity_to_customer", K::Rate),
    ("lead_to_customer", K::Rate),
];

/// Which counters a lead adds to: slot 0 always, 1..=5 for each stage reached,
/// 6 recycled, 7 disqualified.
fn lead_counts(p: &Projections, lead: u32) -> Counts {
    let l = lead as usize;
    let mut c = [0; COUNTS];
    c[0] = 1;
    for (k, slot) in c.iter_mut().enumerate().take(6).skip(1) {
        *slot = u64::from(usize::from(p.leads.reached[l]) >= k);
    }
    c[6] = u64::from(p.leads.ever_recycled[l]);
    c[7] = u64::from(p.leads.ever_disqualified[l]);
    c
}

fn cohort(p: &Projections, lead: u32) -> Month {
    Timestamp::from_unix_seconds(p.leads.created_at[lead as usize]).month()
}

fn in_period(p: &Projections, period: &Period, lead: u32) -> bool {
    p.leads.is_created(lead) && period.contains(p.leads.created_at[lead as usize])
}

/// The funnel's cells: [`Counts`] per (creation day, source channel code).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Cells(pub(crate) DayMap<[i64; COUNTS]>);

impl Cells {
    /// What a lead adds (`sign` 1) or takes back (-1): once created, to the
    /// cell of its creation day and channel, each counter it reached.
    pub(crate) fn lead(&mut self, p: &Projections, lead: u32, sign: i64) {
        if !p.leads.is_created(lead) {
            return;
        }
        let l = lead as usize;
        let key = (
            day(p.leads.created_at[l]),
            u32::from(p.leads.source_channel[l]),
        );
        let counts = lead_counts(p, lead).map(|n| n as i64);
        add(self.0.entry(key).or_default(), counts, sign);
    }

    pub(crate) fn table(&self, p: &Projections, period: &Period) -> Table {
        let mut cells: FxHashMap<(Month, u8), Counts> = FxHashMap::default();
        let mut months = Months::default();
        for (&(d, channel), c) in in_days(&self.0, Days::of(period)) {
            let cell = cells
                .entry((months.of(d), channel as u8))
                .or_insert([0; COUNTS]);
            for (a, &b) in cell.iter_mut().zip(c) {
                *a += b as u64;
            }
        }
        render(p, cells.into_iter().filter(|(_, c)| c[0] > 0))
    }
}

/// The funnel table from its cells: counts per (cohort month, source channel code).
fn render(p: &Projections, cells: impl Iterator<Item = ((Month, u8), Counts)>) -> Table {
    let mut rows: BTreeMap<(String, String), Counts> = BTreeMap::new();
    rows.insert((ALL.into(), ALL.into()), [0; COUNTS]);
    for ((month, code), counts) in cells {
        let month = month.to_string();
        let channel = p.leads.channel_name(code).to_owned();
        for key in [
            (month.clone(), channel.clone()),
            (month, ALL.into()),
            (ALL.into(), channel),
            (ALL.into(), ALL.into()),
        ] {
            let cell = rows.entry(key).or_insert([0; COUNTS]);
            for (a, b) in cell.iter_mut().zip(counts) {
                *a += b;
            }
        }
    }
    let mut t = Table::new("funnel", COLUMNS);
    for ((month, channel), c) in rows {
        let mut row = vec![Value::Text(month), Value::Text(channel)];
        row.extend(c.iter().map(|&n| Value::Int(n as i64)));
        for (num, den) in [(1, 0), (2, 1), (3, 2), (4, 3), (5, 4), (5, 0)] {
            row.push(Value::ratio(c[num], c[den]));
        }
        t.push(row);
    }
    t
}

/// The leads counted in one cell, `MONTH,CHANNEL,STAGE` (either key may be
/// `(all)`; the stage is a column name from `leads` to `disqualified`): the
/// first `limit` by lead id, and how many there are.
pub fn explain(
    p: &Projections,
    period: &Period,
    cell: &str,
    limit: usize,
) -> Result<(Table, usize), String> {
    let parts: Vec<&str> = cell.split(',').map(str::trim).collect();
    let [month, channel, stage] = parts[..] else {
        return Err(format!(
            "{} is not COHORT_MONTH,CHANNEL,STAGE (e.g. 2025-04,paid_search,mql)",
            crate::quoted(cell)
        ));
    };
    let month = match month {
        ALL => None,
        m => Some(Month::parse(m).map_err(|e| e.to_string())?),
    };
    if channel != ALL && accord_core::domain::Channel::parse(channel).is_none() {
        return Err(format!("unknown source channel {}", crate::quoted(channel)));
    }
    let slot = match stage {
        "leads" => 0,
        "recycled" => 6,
        "disqualified" => 7,
        s => match Stage::parse(s).and_then(Stage::funnel_rank) {
            Some(r) if r >= 1 => usize::from(r),
            _ => {
                return Err(format!(
                    "unknown funnel stage {} (leads, mql, sal, sql, opportunity, customer, recycled, disqualified)",
                    crate::quoted(stage)
                ))
            }
        },
    };
    let mut matched: Vec<u32> = (0..p.leads.len() as u32)
        .filter(|&l| {
            in_period(p, period, l)
                && month.is_none_or(|m| cohort(p, l) == m)
                && (channel == ALL
                    || p.leads.channel_name(p.leads.source_channel[l as usize]) == channel)
                && lead_counts(p, l)[slot] == 1
        })
        .collect();
    let total = matched.len();
    matched.sort_unstable_by(|&a, &b| p.leads.ids.name(a).cmp(p.leads.ids.name(b)));
    let mut t = Table::new(
        "funnel explain",
        &[
            ("lead_id", K::Text),
            ("created_at", K::Timestamp),
            ("source_channel", K::Text),
            ("furthest_stage", K::Text),
            ("recycled", K::Bool),
            ("disqualified", K::Bool),
        ],
    );
    for &l in matched.iter().take(limit) {
        let i = l as usize;
        t.push(vec![
            Value::text(p.leads.ids.name(l)),
            Value::Timestamp(Timestamp::from_unix_seconds(p.leads.created_at[i])),
            Value::text(p.leads.channel_name(p.leads.source_channel[i])),
            Value::text(FUNNEL_STAGES[usize::from(p.leads.reached[i])].as_str()),
            Value::Bool(p.leads.ever_recycled[i]),
            Value::Bool(p.leads.ever_disqualified[i]),
        ]);
    }
    Ok((t, total))
}
