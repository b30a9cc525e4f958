//! `leaderboard`: each rep's opportunities.
//!
//! Per rep owning at least one opportunity: won deals and revenue, new logos
//! (won `new_business`), average won deal, win rate won / (won + lost), the
//! open pipeline, and the median days from creation to close of the won ones.
//! Rows by won revenue descending, then rep id. With a period: won and lost
//! deals are those closed inside it, the open pipeline the open opportunities
//! created inside it; a rep has a row when one of theirs counts. The cells
//! are keyed by (that day, owner), and keep the won deals' cycles sorted per
//! cell for the median.

use rustc_hash::FxHashMap;

use crate::cells::{add, day, in_days, DayMap, Days};
use crate::projection::{OppStatus, Projections};
use crate::stats::{select_rank, DayMultisets};
use crate::table::{ColumnKind as K, Table, Value};
use crate::Period;

/// Counted opportunities, won, won cents, new logos, lost, open cents.
pub(crate) type Counts = [i64; 6];

/// The leaderboard's cells.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Cells {
    pub(crate) reps: DayMap<Counts>,
    /// Seconds from creation to close of won deals, per (close day, owner).
    pub(crate) cycle: DayMultisets,
}

impl Cells {
    /// What an opportunity adds (`sign` 1) or takes back (-1) to its owner:
    /// an open one on its creation day, a closed one on its close day.
    pub(crate) fn opp(&mut self, p: &Projections, o: u32, sign: i64) {
        let (op, i) = (&p.opps, o as usize);
        if !op.created[i] {
            return;
        }
        let amount = op.amount_cents[i];
        let (at, counts) = match op.status[i] {
            OppStatus::Open => (op.created_at[i], [1, 0, 0, 0, 0, amount]),
            OppStatus::Lost => (op.closed_at[i], [1, 0, 0, 0, 1, 0]),
            OppStatus::Won => {
                let logo = i64::from(op.is_new_business(o));
                (op.closed_at[i], [1, 1, amount, logo, 0, 0])
            }
        };
        let key = (day(at), op.owner[i]);
        add(self.reps.entry(key).or_default(), counts, sign);
        if op.status[i] == OppStatus::Won {
            self.cycle
                .change(key, op.closed_at[i] - op.created_at[i], sign);
        }
    }

    pub(crate) fn flush(&mut self) {
        self.cycle.flush();
    }

    pub(crate) fn table(&self, p: &Projections, period: &Period) -> Table {
        let days = Days::of(period);
        let mut reps: FxHashMap<u32, (Counts, Vec<i64>)> = FxHashMap::default();
        for (&(_, rep), c) in in_days(&self.reps, days) {
            add(&mut reps.entry(rep).or_default().0, *c, 1);
        }
        for ((_, rep), cycles) in self.cycle.in_days(days) {
            reps.entry(rep).or_default().1.extend_from_slice(cycles);
        }
        let lines =
            reps.into_iter()
                .filter(|(_, (c, _))| c[0] > 0)
                .map(|(rep, (c, mut cycles))| {
                    let line = Line {
                        won: c[1],
                        won_cents: c[2],
                        new_logos: c[3],
                        lost: c[4],
                        open_cents: c[5],
                        median_cycle_days: select_rank(&mut cycles, 1, 2)
                            .map(|s| s as f64 / 86_400.0),
                    };
                    (rep, line)
                });
        render(p, lines)
    }
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

/// One rep's numbers on the leaderboard.
struct Line {
    won: i64,
    won_cents: i64,
    new_logos: i64,
    lost: i64,
    open_cents: i64,
    median_cycle_days: Option<f64>,
}

/// The leaderboard: the given reps by won revenue descending, then rep id.
fn render(p: &Projections, lines: impl Iterator<Item = (u32, Line)>) -> Table {
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
