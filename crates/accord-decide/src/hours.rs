//! Reps' time: the local day a lead is counted against a rep's capacity,
//! whether the rep is at work, and working time between two instants (the
//! SLA clocks in business hours), in the time zone of the rep's region
//! (`[routing.hours]`; without it, UTC days and always at work).

use accord_core::agreement::WorkingHours;
use accord_core::domain::Region;
use chrono::{Datelike, LocalResult, NaiveDate, Offset, TimeZone, Timelike};
use chrono_tz::Tz;

/// Working hours with each region's zone resolved once.
pub(crate) struct Clock {
    zones: [Option<Tz>; 4],
    hours: Option<WorkingHours>,
}

impl Clock {
    pub(crate) fn new(hours: Option<&WorkingHours>) -> Clock {
        let mut zones = [None; 4];
        if let Some(h) = hours {
            for (region, zone) in &h.zones {
                if let (Some(r), Ok(tz)) = (Region::parse(region), zone.parse::<Tz>()) {
                    zones[usize::from(r.code())] = Some(tz);
                }
            }
        }
        Clock {
            zones,
            hours: hours.cloned(),
        }
    }

    /// Seconds to add to UTC for local time in `region` at `t`.
    fn offset(&self, region: Region, t: i64) -> i64 {
        let Some(tz) = self.zones[usize::from(region.code())] else {
            return 0;
        };
        match chrono::DateTime::from_timestamp(t, 0) {
            Some(utc) => i64::from(
                tz.offset_from_utc_datetime(&utc.naive_utc())
                    .fix()
                    .local_minus_utc(),
            ),
            None => 0,
        }
    }

    /// The local day number (days since 1970-01-01 in local time) of `t`.
    pub(crate) fn day(&self, region: Region, t: i64) -> i64 {
        (t + self.offset(region, t)).div_euclid(86_400)
    }

    /// Is a rep of `region` at work at `t`?
    pub(crate) fn at_work(&self, region: Region, t: i64) -> bool {
        let Some(h) = &self.hours else {
            return true;
        };
        let Some(local) = chrono::DateTime::from_timestamp(t + self.offset(region, t), 0) else {
            return false;
        };
        let weekday = local.weekday().num_days_from_monday() as u8;
        let minute = local.hour() * 60 + local.minute();
        h.days.contains(&weekday) && h.start_minute <= minute && minute < h.end_minute
    }
}

impl Clock {
    /// The instant `t` moved on by `seconds` of working time in `region`
    /// (around the clock without working hours). Time outside the hours
    /// does not count: a clock started on a Saturday starts on Monday.
    pub(crate) fn add_working(&self, region: Region, t: i64, seconds: i64) -> i64 {
        let mut t = t;
        let mut left = seconds;
        loop {
            let Some((start, end)) = self.window(region, t) else {
                return t + left;
            };
            let from = start.max(t);
            if from + left <= end {
                return from + left;
            }
            left -= end - from;
            t = end;
        }
    }

    /// Working seconds in `[a, b)` in `region` (`b − a` without hours).
    pub(crate) fn working_between(&self, region: Region, a: i64, b: i64) -> i64 {
        let (mut t, mut total) = (a, 0);
        while t < b {
            let Some((start, end)) = self.window(region, t) else {
                return total + (b - t);
            };
            let from = start.max(t);
            if from >= b {
                break;
            }
            total += end.min(b) - from;
            t = end;
        }
        total
    }

    /// The first working window `[start, end)` (UTC seconds) that ends
    /// after `t`; `None` without working hours (or with no working day).
    fn window(&self, region: Region, t: i64) -> Option<(i64, i64)> {
        let h = self.hours.as_ref()?;
        let local = chrono::DateTime::from_timestamp(t + self.offset(region, t), 0)?.date_naive();
        for k in 0..8 {
            let date = local + chrono::Days::new(k);
            let weekday = date.weekday().num_days_from_monday() as u8;
            if !h.days.contains(&weekday) {
                continue;
            }
            let start = self.utc_of(region, date, h.start_minute);
            let end = self.utc_of(region, date, h.end_minute);
            if end > t {
                return Some((start, end));
            }
        }
        None
    }

    /// The UTC instant of `minute` past local midnight of `date` in
    /// `region`: the earlier one when clocks go back, and one hour later
    /// when the time is skipped as clocks go forward.
    fn utc_of(&self, region: Region, date: NaiveDate, minute: u32) -> i64 {
        let naive = date.and_hms_opt(0, 0, 0).expect("midnight exists")
            + chrono::Duration::minutes(i64::from(minute));
        let Some(tz) = self.zones[usize::from(region.code())] else {
            return naive.and_utc().timestamp();
        };
        match tz.from_local_datetime(&naive) {
            LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.timestamp(),
            LocalResult::None => {
                let later = naive + chrono::Duration::hours(1);
                tz.from_local_datetime(&later)
                    .earliest()
                    .map_or(later.and_utc().timestamp(), |t| t.timestamp())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> i64 {
        accord_core::domain::Timestamp::parse(s)
            .unwrap()
            .unix_seconds()
    }

    fn clock() -> Clock {
        Clock::new(Some(&WorkingHours {
            zones: vec![("NA".into(), "America/New_York".into())],
            days: vec![0, 1, 2, 3, 4],
            start_minute: 8 * 60,
            end_minute: 18 * 60,
        }))
    }

    #[test]
    fn a_reps_day_and_hours_are_local() {
        let c = clock();
        // 2026-01-05 is a Monday. 12:59 UTC is 07:59 in New York (UTC-5).
        assert!(!c.at_work(Region::Na, ts("2026-01-05T12:59:59Z")));
        assert!(c.at_work(Region::Na, ts("2026-01-05T13:00:00Z")));
        assert!(c.at_work(Region::Na, ts("2026-01-05T22:59:59Z")));
        assert!(!c.at_work(Region::Na, ts("2026-01-05T23:00:00Z")));
        // In July New York is UTC-4: 08:00 local is 12:00 UTC.
        assert!(c.at_work(Region::Na, ts("2026-07-06T12:00:00Z")));
        // Saturday.
        assert!(!c.at_work(Region::Na, ts("2026-01-10T15:00:00Z")));
        // EMEA has no zone: UTC, same hours.
        assert!(c.at_work(Region::Emea, ts("2026-01-05T08:00:00Z")));
        // 03:00 UTC on the 6th is still the 5th in New York.
        assert_eq!(
            c.day(Region::Na, ts("2026-01-06T03:00:00Z")),
            c.day(Region::Na, ts("2026-01-05T12:00:00Z"))
        );
        assert_eq!(c.day(Region::Emea, ts("2026-01-06T00:00:00Z")), 20_459);
        // Working time: 2026-01-09 is a Friday; from 17:00 in New York
        // (22:00 UTC) one hour is left that day, then Monday from 08:00
        // (13:00 UTC): 24 working hours end on Wednesday at 11:00 local.
        let fri = ts("2026-01-09T22:00:00Z");
        assert_eq!(
            c.add_working(Region::Na, fri, 24 * 3600),
            ts("2026-01-14T16:00:00Z")
        );
        assert_eq!(
            c.working_between(Region::Na, fri, ts("2026-01-14T16:00:00Z")),
            24 * 3600
        );
        // Started on a Saturday: the clock starts Monday 08:00 local.
        assert_eq!(
            c.add_working(Region::Na, ts("2026-01-10T12:00:00Z"), 3600),
            ts("2026-01-12T14:00:00Z")
        );
        // EMEA in UTC: Monday 17:30 + 1 h = Tuesday 08:30.
        assert_eq!(
            c.add_working(Region::Emea, ts("2026-01-05T17:30:00Z"), 3600),
            ts("2026-01-06T08:30:00Z")
        );
        // Across the spring change (8 March 2026 in New York): Friday 17:00
        // local (22:00 UTC, UTC-5) + 2 h = Monday 09:00 local, 13:00 UTC (UTC-4).
        assert_eq!(
            c.add_working(Region::Na, ts("2026-03-06T22:00:00Z"), 2 * 3600),
            ts("2026-03-09T13:00:00Z")
        );
        // Without hours: always at work.
        assert_eq!(Clock::new(None).add_working(Region::Na, fri, 10), fri + 10);
        assert!(Clock::new(None).at_work(Region::Na, ts("2026-01-10T03:00:00Z")));
    }
}
