//! `rejections`: why sales turns MQLs down.
//!
//! Sales rejections are transitions from `mql` to `recycled` or
//! `disqualified` made by a rep (a `rep_id`); counted by the month of the
//! transition and its reason (`(none)` without one), with each reason's share
//! of the month's rejections. With a period, the rejections made inside it:
//! the cells count them per (day, reason code).

use std::collections::BTreeMap;

use accord_core::domain::{Month, RejectionReason, Stage};

use crate::cells::{day, in_days, DayMap, Days, Months};
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

/// Rejections per (day, reason code): [recycled, disqualified].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Cells(pub(crate) DayMap<[i64; 2]>);

impl Cells {
    /// A transition (never changes once recorded): a sales rejection when it
    /// goes from `mql` to `recycled` or `disqualified` with a rep.
    pub(crate) fn transition(&mut self, p: &Projections, t: u32) {
        let tr = &p.transitions;
        let slot = match tr.to_stage(t) {
            Stage::Recycled => 0,
            Stage::Disqualified => 1,
            _ => return,
        };
        if tr.from_stage(t) == Stage::Mql && tr.rep[t as usize] != NONE {
            let key = (day(tr.at[t as usize]), u32::from(tr.reason[t as usize]));
            self.0.entry(key).or_default()[slot] += 1;
        }
    }

    pub(crate) fn table(&self, period: &Period) -> Table {
        let mut cells: BTreeMap<(Month, &str), [u64; 2]> = BTreeMap::new();
        let mut months = Months::default();
        for (&(d, reason), c) in in_days(&self.0, Days::of(period)) {
            let name =
                RejectionReason::from_code(reason as u8).map_or("(none)", RejectionReason::as_str);
            let cell = cells.entry((months.of(d), name)).or_default();
            cell[0] += c[0] as u64;
            cell[1] += c[1] as u64;
        }
        render(cells)
    }
}

/// The rejections table from its cells: [recycled, disqualified] per (month, reason).
fn render(cells: BTreeMap<(Month, &str), [u64; 2]>) -> Table {
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
