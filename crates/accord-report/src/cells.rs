//! Day-keyed cells: how every report keeps its sums so that any period is
//! answered from them.
//!
//! A report's cells are keyed by the UTC day of the time its period selects
//! on (a lead's creation, a step's completion, an MQL entry, a win's close…)
//! and by the report's own key (a channel, a rep, a campaign…). A table over
//! a period is the sum of the cells of the days in it; all time is the sum
//! of every cell. Months in the output stay months: a day's month is worked
//! out when the cells are summed, so a month the period covers partly holds
//! only its days inside it. Cells are plain integers in ordered maps, with no
//! pointers, so they can be written out and read back as they are.

use std::collections::btree_map::Range;
use std::collections::BTreeMap;

use accord_core::domain::{Month, Timestamp, DAY_SECONDS};

use crate::Period;

/// Days since 1970-01-01, UTC.
pub type Day = i64;

/// The UTC day of a time (seconds).
pub fn day(t: i64) -> Day {
    t.div_euclid(DAY_SECONDS)
}

/// The month a day is in.
pub fn month(d: Day) -> Month {
    Timestamp::from_unix_seconds(d * DAY_SECONDS).month()
}

/// The days `[from, until)` a period selects. The CLI's periods start and
/// end at midnight; a bound inside a day takes that whole day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Days {
    pub from: Day,
    pub until: Day,
}

impl Days {
    pub fn of(period: &Period) -> Days {
        Days {
            from: period.from.map_or(Day::MIN, |t| day(t.unix_seconds())),
            until: period
                .until
                .map_or(Day::MAX, |t| day(t.unix_seconds() + DAY_SECONDS - 1)),
        }
    }
}

/// Cells keyed by (day, the report's own key).
pub type DayMap<V> = BTreeMap<(Day, u32), V>;

/// The cells of the days in `days`, in (day, key) order.
pub fn in_days<V>(map: &DayMap<V>, days: Days) -> Range<'_, (Day, u32), V> {
    if days.from >= days.until {
        return map.range((0, 0)..(0, 0));
    }
    map.range((days.from, 0)..(days.until, 0))
}

/// Adds `sign` × `values` to a cell.
pub fn add<const N: usize>(cell: &mut [i64; N], values: [i64; N], sign: i64) {
    for (c, v) in cell.iter_mut().zip(values) {
        *c += sign * v;
    }
}

/// A day's month, remembered for the run of cells of one day.
#[derive(Default)]
pub struct Months {
    last: Option<(Day, Month)>,
}

impl Months {
    pub fn of(&mut self, d: Day) -> Month {
        match self.last {
            Some((day, m)) if day == d => m,
            _ => {
                let m = month(d);
                self.last = Some((d, m));
                m
            }
        }
    }
}
