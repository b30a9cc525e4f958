//! Reps' time: the local day a lead is counted against a rep's capacity,
//! and whether the rep is at work, in the time zone of the rep's region
//! (`[routing.hours]`; without it, UTC days and always at work).

use accord_core::agreement::WorkingHours;
use accord_core::domain::Region;
use chrono::{Datelike, Offset, TimeZone, Timelike};
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
        // Without hours: always at work.
        assert!(Clock::new(None).at_work(Region::Na, ts("2026-01-10T03:00:00Z")));
    }
}
