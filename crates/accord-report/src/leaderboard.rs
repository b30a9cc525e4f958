//! `leaderboard`: each rep's opportunities.
//!
//! Per rep owning at least one opportunity: won deals and revenue, new logos
//! (won `new_business`), average won deal, win rate won / (won + lost), the
//! open pipeline, and the median days from creation to close of the won ones.
//! Rows by won revenue descending, then rep id. With a period: won and lost
//! deals are those closed inside it, the open pipeline the open opportunities
//! created inside it; a rep has a row when one of theirs counts.

use rustc_hash::FxHashMap;

use crate::projection::{OppStatus, Projections};
use crate::stats::median;
use crate::table::{ColumnKind as K, Table, Value};
use crate::Period;

#[derive(Default)]
struct Rep {
    won: u64,
    won_cents: i64,
    new_logos: u64,
    lost: u64,
    open_cents: i64,
    cycle_days: Vec<f64>,
}

pub(crate) const COLUMNS: &[(&str, K)] = &[
    ("rep_id", K::Text),
    ("name", K::Text),
    ("team", K::Text),
    ("won_deals", K::Int),
    ("won_usd", K::Money),
    ("new_logo_deals", K::Int),
    ("avg_won_usd", K::Money),
    ("win_rate", K::Rate),
    ("open_pipeline_usd", K::Money),
    ("median_cycle_days", K::Float),
];

pub fn report(p: &Projections, period: &Period) -> Table {
    let mut reps: FxHashMap<u32, Rep> = FxHashMap::default();
    let o = &p.opps;
    for i in 0..o.len() {
        if !o.created[i] {
            continue;
        }
        let counted = match o.status[i] {
            OppStatus::Open => period.contains(o.created_at[i]),
            OppStatus::Won | OppStatus::Lost => period.contains(o.closed_at[i]),
        };
        if !counted {
            continue;
        }
        let r = reps.entry(o.owner[i]).or_default();
        match o.status[i] {
            OppStatus::Open => r.open_cents += o.amount_cents[i],
            OppStatus::Lost => r.lost += 1,
            OppStatus::Won => {
                r.won += 1;
                r.won_cents += o.amount_cents[i];
                r.new_logos += u64::from(o.is_new_business(i as u32));
                r.cycle_days
                    .push((o.closed_at[i] - o.created_at[i]) as f64 / 86_400.0);
            }
        }
    }
    render(
        p,
        reps.into_iter().map(|(rep, mut r)| {
            let line = Line {
                won: r.won as i64,
                won_cents: r.won_cents,
                new_logos: r.new_logos as i64,
                lost: r.lost as i64,
                open_cents: r.open_cents,
                median_cycle_days: median(&mut r.cycle_days),
            };
            (rep, line)
        }),
    )
}

/// One rep's numbers on the leaderboard.
pub(crate) struct Line {
    pub won: i64,
    pub won_cents: i64,
    pub new_logos: i64,
    pub lost: i64,
    pub open_cents: i64,
    pub median_cycle_days: Option<f64>,
}

/// The leaderboard: the given reps by won revenue descending, then rep id.
pub(crate) fn render(p: &Projections, lines: impl Iterator<Item = (u32, Line)>) -> Table {
    let mut rows: Vec<(u32, Line)> = lines.collect();
    rows.sort_unstable_by(|(a, ra), (b, rb)| {
        rb.won_cents
            .cmp(&ra.won_cents)
            .then_with(|| p.reps.ids.name(*a).cmp(p.reps.ids.name(*b)))
    });
    let mut t = Table::new("leaderboard", COLUMNS);
    for (rep, r) in rows {
        let i = rep as usize;
        let avg = if r.won == 0 {
            Value::Null
        } else {
            Value::money_from_dollars(r.won_cents as f64 / 100.0 / r.won as f64)
        };
        t.push(vec![
            Value::text(p.reps.ids.name(rep)),
            p.reps.name[i].as_deref().map_or(Value::Null, Value::text),
            p.reps.team[i].map_or(Value::Null, |team| Value::text(team.as_str())),
            Value::Int(r.won),
            Value::Money(r.won_cents),
            Value::Int(r.new_logos),
            avg,
            Value::ratio(r.won as u64, (r.won + r.lost) as u64),
            Value::Money(r.open_cents),
            Value::opt_float(r.median_cycle_days),
        ]);
    }
    t
}
