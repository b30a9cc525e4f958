//! The SLA both ways, counted per MQL entry (a lead qualified twice counts twice).
//!
//! `sla_followup` (sales' side): each MQL entry at time t, with its routed rep
//! (`(unassigned)` when none), has a follow-up window from t (inclusive) to
//! the lead's next MQL entry (exclusive) or for ever; its *first follow-up* is
//! the earliest sales touch of the lead, by any rep, in that window. It was
//! followed up in time when that is at most the agreement's follow-up hours
//! after t, and decided in time when its decision (the lead's next transition)
//! is at most the agreement's decide hours after t. One row per (MQL month,
//! rep) and a `(all)` row per month.
//!
//! `sla_marketing` (marketing's side): MQL entries by the lead's region and the
//! entry's month against the month's MQL target; an entry is accepted when its
//! decision is `sal`, rejected when it is `recycled` or `disqualified` (any
//! time later, by anyone). One row per (region, month) with a target or
//! entries.
//!
//! With a period, both count the MQL entries made inside it (their follow-ups
//! and decisions may come later), and `sla_marketing` keeps the targets of the
//! months that overlap it: the cells are keyed by the entry's day. All time
//! reads sla_followup's rows from a total per (month, rep) kept beside the
//! day cells, changed by the same entries.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use accord_core::domain::{Month, Region, Stage};
use rustc_hash::FxHashMap;

use crate::cells::{add, day, in_days, month, Day, DayMap, Days, Months};
use crate::projection::{Projections, Transitions, NONE};
use crate::stats::{select_rank, sorted_rank, DayMultisets, Multisets};
use crate::table::{ColumnKind as K, Table, Value};
use crate::{Period, ReportTerms, ALL};

pub(crate) const FOLLOWUP_COLUMNS: &[(&str, K)] = &[
    ("mql_month", K::Text),
    ("rep_id", K::Text),
    ("mqls", K::Int),
    ("followed_up_24h", K::Int),
    ("followed_up_24h_rate", K::Rate),
    ("never_followed_up", K::Int),
    ("median_first_touch_minutes", K::Float),
    ("decided_48h", K::Int),
    ("decided_48h_rate", K::Rate),
];

/// One transition into `mql`, with what both SLA reports read of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MqlEntry {
    pub at: i64,
    /// The rep it was routed to (`NONE`: unassigned).
    pub rep: u32,
    /// The earliest sales touch of the lead at or after `at` and before
    /// the lead's next MQL entry.
    pub first_follow_up: Option<i64>,
    /// The lead's next transition (which leaves `mql`): its stage and time.
    pub decision: Option<(Stage, i64)>,
}

impl MqlEntry {
    pub fn accepted(&self) -> bool {
        matches!(self.decision, Some((Stage::Sal, _)))
    }

    pub fn rejected(&self) -> bool {
        matches!(
            self.decision,
            Some((Stage::Recycled | Stage::Disqualified, _))
        )
    }
}

/// A lead's MQL entries, from its transitions `seq` in (time, id) order and
/// the times of its sales touches `sales_at`, ascending.
pub fn mql_entries<'a>(
    tr: &'a Transitions,
    seq: &'a [u32],
    sales_at: &'a [i64],
) -> impl Iterator<Item = MqlEntry> + 'a {
    seq.iter().enumerate().filter_map(move |(k, &t)| {
        if tr.to_stage(t) != Stage::Mql {
            return None;
        }
        let at = tr.at[t as usize];
        let next_entry = seq[k + 1..]
            .iter()
            .find(|&&n| tr.to_stage(n) == Stage::Mql)
            .map(|&n| tr.at[n as usize]);
        let first_follow_up = sales_at
            .get(sales_at.partition_point(|&s| s < at))
            .copied()
            .filter(|&s| next_entry.is_none_or(|n| s < n));
        Some(MqlEntry {
            at,
            rep: tr.rep[t as usize],
            first_follow_up,
            decision: seq.get(k + 1).map(|&d| (tr.to_stage(d), tr.at[d as usize])),
        })
    })
}

/// Follow-up counters: mqls, followed up in time, never followed up,
/// decided in time.
pub(crate) type FollowCounts = [i64; 4];

/// The `rep` of the `(all)` rows of sla_followup.
const ALL_REPS: u32 = NONE - 1;

/// Both SLA reports' cells, keyed by the MQL entry's day.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Cells {
    /// Per (day, routed rep).
    pub(crate) followup: DayMap<FollowCounts>,
    /// Seconds from entry to first follow-up, per (day, routed rep).
    pub(crate) seconds: DayMultisets,
    /// Per (day, the lead's region code): mqls, accepted, rejected.
    pub(crate) marketing: DayMap<[i64; 3]>,
    /// The follow-up cells over all time, per [`total_keys`]: made from the
    /// day cells when first read, then kept current with them.
    total: OnceLock<FollowTotal>,
}

/// sla_followup's rows over all time: counts and the seconds to first
/// follow-up per (month, rep), `ALL_REPS` for the `(all)` rows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct FollowTotal {
    counts: BTreeMap<(Month, u32), FollowCounts>,
    seconds: Multisets<(Month, u32)>,
}

/// The rows of all time an entry of day `d` routed to `rep` counts in.
fn total_keys(d: Day, rep: u32) -> [(Month, u32); 2] {
    let m = month(d);
    [(m, rep), (m, ALL_REPS)]
}

impl Cells {
    /// The cells read back from a snapshot (the total made when first read).
    pub(crate) fn of_days(
        followup: DayMap<FollowCounts>,
        seconds: DayMultisets,
        marketing: DayMap<[i64; 3]>,
    ) -> Cells {
        Cells {
            followup,
            seconds,
            marketing,
            total: OnceLock::new(),
        }
    }

    /// The follow-up total, made from the day cells if not yet made.
    fn total(&self) -> &FollowTotal {
        self.total.get_or_init(|| {
            let mut total = FollowTotal::default();
            for (&(d, rep), c) in &self.followup {
                for k in total_keys(d, rep) {
                    add(total.counts.entry(k).or_default(), *c, 1);
                }
            }
            for ((d, rep), values) in self.seconds.iter() {
                for k in total_keys(d, rep) {
                    total.seconds.extend(k, values);
                }
            }
            total.seconds.flush();
            total
        })
    }

    /// Makes the totals now rather than at the first all-time read.
    pub(crate) fn make_totals(&self) {
        self.total();
    }

    /// What a lead's MQL entries add (`sign` 1) or take back (-1); `seq` and
    /// `sales_at` as for [`mql_entries`].
    pub(crate) fn lead(
        &mut self,
        p: &Projections,
        terms: &ReportTerms,
        seq: &[u32],
        sales_at: &[i64],
        lead: u32,
        sign: i64,
    ) {
        let follow_s = terms.follow_up_hours * 3600.0;
        let decide_s = terms.decide_hours * 3600.0;
        let created = p.leads.is_created(lead);
        for e in mql_entries(&p.transitions, seq, sales_at) {
            let d = day(e.at);
            let decided = e
                .decision
                .is_some_and(|(_, at)| ((at - e.at) as f64) <= decide_s);
            let seconds = e.first_follow_up.map(|f| f - e.at);
            let (in_time, never) = match seconds {
                Some(s) => ((s as f64) <= follow_s, false),
                None => (false, true),
            };
            let counts = [true, in_time, never, decided].map(i64::from);
            self.follow_up(d, e.rep, counts, seconds, sign);
            if created {
                let region = u32::from(p.leads.region[lead as usize]);
                let counts = [1, i64::from(e.accepted()), i64::from(e.rejected())];
                add(self.marketing.entry((d, region)).or_default(), counts, sign);
            }
        }
    }

    /// One MQL entry's follow-up into (or out of) its day's cells and the
    /// total.
    fn follow_up(
        &mut self,
        d: Day,
        rep: u32,
        counts: FollowCounts,
        seconds: Option<i64>,
        sign: i64,
    ) {
        add(self.followup.entry((d, rep)).or_default(), counts, sign);
        if let Some(s) = seconds {
            self.seconds.change((d, rep), s, sign);
        }
        let Some(total) = self.total.get_mut() else {
            return;
        };
        for k in total_keys(d, rep) {
            add(total.counts.entry(k).or_default(), counts, sign);
            if let Some(s) = seconds {
                total.seconds.change(k, s, sign);
            }
        }
    }

    pub(crate) fn flush(&mut self) {
        self.seconds.flush();
        if let Some(total) = self.total.get_mut() {
            total.seconds.flush();
        }
    }

    /// sla_followup: a row per (month, rep) and a `(all)` row per month.
    pub(crate) fn followup(&self, p: &Projections, period: &Period) -> Table {
        let name = |rep| match rep {
            ALL_REPS => ALL,
            NONE => "(unassigned)",
            r => p.reps.ids.name(r),
        };
        if period.is_all() {
            let t = self.total();
            let lines = t.counts.iter().filter(|(_, c)| c[0] > 0).map(|(&k, c)| {
                let median = sorted_rank(t.seconds.get(&k), 1, 2);
                (k.0, name(k.1).to_owned(), FollowUpLine::of(c, median))
            });
            return render_followup(lines.collect());
        }
        let days = Days::of(period);
        let mut rows: FxHashMap<(Month, u32), (FollowCounts, Vec<i64>)> = FxHashMap::default();
        let mut months = Months::default();
        for (&(d, rep), c) in in_days(&self.followup, days) {
            let m = months.of(d);
            for r in [rep, ALL_REPS] {
                add(&mut rows.entry((m, r)).or_default().0, *c, 1);
            }
        }
        for ((d, rep), seconds) in self.seconds.in_days(days) {
            let m = months.of(d);
            for r in [rep, ALL_REPS] {
                rows.entry((m, r)).or_default().1.extend_from_slice(seconds);
            }
        }
        let lines =
            rows.into_iter()
                .filter(|(_, (c, _))| c[0] > 0)
                .map(|((m, rep), (c, mut seconds))| {
                    let median = select_rank(&mut seconds, 1, 2);
                    (m, name(rep).to_owned(), FollowUpLine::of(&c, median))
                });
        render_followup(lines.collect())
    }

    /// sla_marketing: a row per (region, month) with entries or a target.
    pub(crate) fn marketing(&self, p: &Projections, period: &Period) -> Table {
        let mut cells: FxHashMap<(u8, Month), [u64; 3]> = FxHashMap::default();
        let mut months = Months::default();
        for (&(d, region), c) in in_days(&self.marketing, Days::of(period)) {
            let cell = cells.entry((region as u8, months.of(d))).or_default();
            for (a, &b) in cell.iter_mut().zip(c) {
                *a += b as u64;
            }
        }
        render_marketing(p, period, cells.into_iter().filter(|(_, c)| c[0] > 0))
    }
}

/// One (MQL month, rep) row of sla_followup.
struct FollowUpLine {
    pub mqls: u64,
    pub in_time: u64,
    pub never: u64,
    pub median_minutes: Option<f64>,
    pub decided: u64,
}

impl FollowUpLine {
    /// A row from its counts and its median seconds to first follow-up.
    fn of(c: &FollowCounts, median_seconds: Option<i64>) -> FollowUpLine {
        FollowUpLine {
            mqls: c[0] as u64,
            in_time: c[1] as u64,
            never: c[2] as u64,
            median_minutes: median_seconds.map(|s| s as f64 / 60.0),
            decided: c[3] as u64,
        }
    }
}

/// The sla_followup table, rows by (month, rep name).
fn render_followup(mut rows: Vec<(Month, String, FollowUpLine)>) -> Table {
    rows.sort_unstable_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    let mut t = Table::new("sla_followup", FOLLOWUP_COLUMNS);
    for (month, rep, c) in rows {
        t.push(vec![
            Value::Text(month.to_string()),
            Value::Text(rep),
            Value::Int(c.mqls as i64),
            Value::Int(c.in_time as i64),
            Value::ratio(c.in_time, c.mqls),
            Value::Int(c.never as i64),
            Value::opt_float(c.median_minutes),
            Value::Int(c.decided as i64),
            Value::ratio(c.decided, c.mqls),
        ]);
    }
    t
}

#[derive(Default, Clone, Copy)]
struct Marketing {
    mqls: u64,
    accepted: u64,
    rejected: u64,
}

/// The sla_marketing table from its cells: [mqls, accepted, rejected] per
/// (region code, month), joined with the targets of months in `period`.
fn render_marketing(
    p: &Projections,
    period: &Period,
    cells: impl Iterator<Item = ((u8, Month), [u64; 3])>,
) -> Table {
    type Row = (Option<u32>, Option<Marketing>);
    let mut rows: BTreeMap<(&str, Month), Row> = BTreeMap::new();
    let region = |code: u8| Region::from_code(code).map_or("", Region::as_str);
    for (&(r, month), &target) in &p.targets {
        if period.overlaps_month(month) {
            rows.entry((region(r), month)).or_default().0 = Some(target);
        }
    }
    for ((r, month), [mqls, accepted, rejected]) in cells {
        rows.entry((region(r), month)).or_default().1 = Some(Marketing {
            mqls,
            accepted,
            rejected,
        });
    }
    let mut t = Table::new(
        "sla_marketing",
        &[
            ("region", K::Text),
            ("month", K::Text),
            ("mql_target", K::Int),
            ("mqls", K::Int),
            ("attainment", K::Rate),
            ("met", K::Bool),
            ("accepted", K::Int),
            ("rejected", K::Int),
            ("acceptance_rate", K::Rate),
        ],
    );
    for ((region, month), (target, counts)) in rows {
        let c = counts.unwrap_or_default();
        t.push(vec![
            Value::text(region),
            Value::Text(month.to_string()),
            target.map_or(Value::Null, |n| Value::Int(i64::from(n))),
            Value::Int(c.mqls as i64),
            target.map_or(Value::Null, |n| Value::ratio(c.mqls, u64::from(n))),
            target.map_or(Value::Null, |n| Value::Bool(c.mqls >= u64::from(n))),
            Value::Int(c.accepted as i64),
            Value::Int(c.rejected as i64),
            Value::ratio(c.accepted, c.mqls),
        ]);
    }
    t
}
