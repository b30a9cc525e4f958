//! `rejections`: why sales turns MQLs down.
//!
//! Sales rejections are transitions from `mql` to `recycled` or
//! `disqualified` made by a rep (a `rep_id`); counted by the month of the
//! transition and its reason (`(none)` without one), with each reason's share
//! of the month's rejections. With a period, the rejections made inside it.

use std::collections::BTreeMap;

use accord_core::domain::{Month, RejectionReason, Stage, Timestamp};

use crate::projection::{Projections, NONE};
use crate::table::{ColumnKind as K, Table, Value};
use crate::Period;

pub(crate) const COLUMNS: &[(&str, K)] = &[
    ("month", K::Text),
    ("reason", K::Text),
    ("rejections", K::Int),
    ("recycled", K::Int),
    ("disqualified", K::Int),
    ("share", K::Rate),
];

pub fn report(p: &Projections, period: &Period) -> Table {
    // (month, reason word) → [recycled, disqualified]
    let mut cells: BTreeMap<(Month, &str), [u64; 2]> = BTreeMap::new();
    let tr = &p.transitions;
    for i in 0..tr.len() as u32 {
        let slot = match tr.to_stage(i) {
            Stage::Recycled => 0,
            Stage::Disqualified => 1,
            _ => continue,
        };
        let at = tr.at[i as usize];
        if tr.from_stage(i) != Stage::Mql || tr.rep[i as usize] == NONE || !period.contains(at) {
            continue;
        }
        let month = Timestamp::from_unix_seconds(at).month();
        let reason = tr.reason(i).map_or("(none)", RejectionReason::as_str);
        cells.entry((month, reason)).or_default()[slot] += 1;
    }
    render(cells)
}

/// The rejections table from its cells: [recycled, disqualified] per (month, reason).
pub(crate) fn render(cells: BTreeMap<(Month, &str), [u64; 2]>) -> Table {
    let mut per_month: BTreeMap<Month, u64> = BTreeMap::new();
    for (&(month, _), c) in &cells {
        *per_month.entry(month).or_default() += c[0] + c[1];
    }
    let mut t = Table::new("rejections", COLUMNS);
    for ((month, reason), [recycled, disqualified]) in cells {
        let n = recycled + disqualified;
        t.push(vec![
            Value::Text(month.to_string()),
            Value::text(reason),
            Value::Int(n as i64),
            Value::Int(recycled as i64),
            Value::Int(disqualified as i64),
            Value::ratio(n, per_month[&month]),
        ]);
    }
    t
}
