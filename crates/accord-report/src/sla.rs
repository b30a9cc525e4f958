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
//! months that overlap it.

use std::collections::BTreeMap;

use accord_core::domain::{Month, Region, Timestamp};
use rustc_hash::FxHashMap;

use crate::derived::MqlEntry;
use crate::projection::{Projections, NONE};
use crate::stats::median;
use crate::table::{ColumnKind as K, Table, Value};
use crate::{Period, ReportTerms, ALL};

/// The first sales touch of the entry's lead in its follow-up window.
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

pub fn first_follow_up(p: &Projections, e: &MqlEntry) -> Option<i64> {
    let d = p.derived();
    let span = d.touches_by_lead.span(e.lead);
    let times = &d.touch_at[span.clone()];
    let touches = &d.touches_by_lead.items()[span];
    let start = times.partition_point(|&t| t < e.at);
    times[start..]
        .iter()
        .zip(&touches[start..])
        .take_while(|&(&at, _)| e.next_entry_at.is_none_or(|n| at < n))
        .find(|&(_, &t)| p.touches.is_sales(t))
        .map(|(&at, _)| at)
}

#[derive(Default)]
struct FollowUp {
    mqls: u64,
    in_time: u64,
    never: u64,
    minutes: Vec<f64>,
    decided: u64,
}

impl FollowUp {
    fn merge(&mut self, o: &FollowUp) {
        self.mqls += o.mqls;
        self.in_time += o.in_time;
        self.never += o.never;
        self.minutes.extend_from_slice(&o.minutes);
        self.decided += o.decided;
    }
}

pub fn followup(p: &Projections, terms: &ReportTerms, period: &Period) -> Table {
    let follow_s = terms.follow_up_hours * 3600.0;
    let decide_s = terms.decide_hours * 3600.0;
    let mut cells: FxHashMap<(Month, u32), FollowUp> = FxHashMap::default();
    for e in &p.derived().mql_entries {
        if !period.contains(e.at) {
            continue;
        }
        let c = cells
            .entry((Timestamp::from_unix_seconds(e.at).month(), e.rep))
            .or_default();
        c.mqls += 1;
        match first_follow_up(p, e) {
            Some(first) => {
                let s = (first - e.at) as f64;
                c.in_time += u64::from(s <= follow_s);
                c.minutes.push(s / 60.0);
            }
            None => c.never += 1,
        }
        if let Some((_, at)) = e.decision {
            c.decided += u64::from(((at - e.at) as f64) <= decide_s);
        }
    }
    let mut rows: BTreeMap<(Month, String), FollowUp> = BTreeMap::new();
    for ((month, rep), c) in cells {
        let name = if rep == NONE {
            "(unassigned)".to_owned()
        } else {
            p.reps.ids.name(rep).to_owned()
        };
        rows.entry((month, ALL.to_owned())).or_default().merge(&c);
        rows.insert((month, name), c);
    }
    let lines = rows.into_iter().map(|((month, rep), mut c)| {
        let line = FollowUpLine {
            mqls: c.mqls,
            in_time: c.in_time,
            never: c.never,
            median_minutes: median(&mut c.minutes),
            decided: c.decided,
        };
        (month, rep, line)
    });
    render_followup(lines.collect())
}

/// One (MQL month, rep) row of sla_followup.
pub(crate) struct FollowUpLine {
    pub mqls: u64,
    pub in_time: u64,
    pub never: u64,
    pub median_minutes: Option<f64>,
    pub decided: u64,
}

/// The sla_followup table, rows by (month, rep name).
pub(crate) fn render_followup(mut rows: Vec<(Month, String, FollowUpLine)>) -> Table {
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

pub fn marketing(p: &Projections, period: &Period) -> Table {
    let mut cells: FxHashMap<(u8, Month), Marketing> = FxHashMap::default();
    for e in &p.derived().mql_entries {
        if !period.contains(e.at) || !p.leads.is_created(e.lead) {
            continue;
        }
        let region = p.leads.region[e.lead as usize];
        let c = cells
            .entry((region, Timestamp::from_unix_seconds(e.at).month()))
            .or_default();
        c.mqls += 1;
        c.accepted += u64::from(e.accepted());
        c.rejected += u64::from(e.rejected());
    }
    // (region word, month) → (target, counts)
    let cells = cells
        .into_iter()
        .map(|(key, c)| (key, [c.mqls, c.accepted, c.rejected]));
    render_marketing(p, period, cells)
}

/// The sla_marketing table from its cells: [mqls, accepted, rejected] per
/// (region code, month), joined with the targets of months in `period`.
pub(crate) fn render_marketing(
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
