//! Time as values: a UTC instant in whole seconds and a calendar month.
//!
//! The core has no clock: every instant comes in as a value. Parsing accepts
//! exactly the contract's `YYYY-MM-DDTHH:MM:SSZ` form and rejects impossible
//! dates (`2025-06-31`, `24:00:00`), so a `Timestamp` is always a real instant.

use std::fmt;

/// Seconds in an hour and a day, for the fractional-hour arithmetic of reports.
pub const HOUR_SECONDS: i64 = 3_600;
pub const DAY_SECONDS: i64 = 86_400;

/// A UTC instant, whole seconds since 1970-01-01T00:00:00Z.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

/// A UTC calendar month, stored as `year * 12 + (month - 1)` so months order
/// and subtract as integers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month(i32);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not a UTC timestamp of the form YYYY-MM-DDTHH:MM:SSZ")]
pub struct TimestampError {
    pub input: String,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not a month of the form YYYY-MM")]
pub struct MonthError {
    pub input: String,
}

impl Timestamp {
    pub const fn from_unix_seconds(seconds: i64) -> Timestamp {
        Timestamp(seconds)
    }

    pub const fn unix_seconds(self) -> i64 {
        self.0
    }

    /// Parses `YYYY-MM-DDTHH:MM:SSZ` (years 1000..=9999).
    pub fn parse(input: &str) -> Result<Timestamp, TimestampError> {
        parse_timestamp(input.as_bytes()).ok_or_else(|| TimestampError {
            input: input.to_owned(),
        })
    }

    pub fn month(self) -> Month {
        let (year, month, _) = civil_from_days(self.0.div_euclid(DAY_SECONDS));
        Month(year * 12 + month as i32 - 1)
    }

    /// Seconds from `earlier` to `self` (negative when `self` is earlier).
    pub fn seconds_since(self, earlier: Timestamp) -> i64 {
        self.0 - earlier.0
    }

    pub fn plus_seconds(self, seconds: i64) -> Timestamp {
        Timestamp(self.0 + seconds)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.0.div_euclid(DAY_SECONDS);
        let secs = self.0.rem_euclid(DAY_SECONDS);
        let (y, m, d) = civil_from_days(days);
        write!(
            f,
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        )
    }
}

impl Month {
    pub fn from_year_month(year: i32, month: u32) -> Option<Month> {
        ((1..=12).contains(&month) && (1000..=9999).contains(&year))
            .then(|| Month(year * 12 + month as i32 - 1))
    }

    pub fn parse(input: &str) -> Result<Month, MonthError> {
        let b = input.as_bytes();
        let err = || MonthError {
            input: input.to_owned(),
        };
        if b.len() != 7 || b[4] != b'-' {
            return Err(err());
        }
        let year = digits(&b[0..4]).ok_or_else(err)?;
        let month = digits(&b[5..7]).ok_or_else(err)?;
        Month::from_year_month(year as i32, month).ok_or_else(err)
    }

    pub fn year(self) -> i32 {
        self.0.div_euclid(12)
    }

    /// 1..=12
    pub fn month_of_year(self) -> u32 {
        self.0.rem_euclid(12) as u32 + 1
    }

    /// The first instant of the month.
    pub fn start(self) -> Timestamp {
        let days = days_from_civil(self.year(), self.month_of_year(), 1);
        Timestamp(days * DAY_SECONDS)
    }

    pub fn next(self) -> Month {
        Month(self.0 + 1)
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year(), self.month_of_year())
    }
}

fn digits(b: &[u8]) -> Option<u32> {
    let mut n = 0u32;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u32::from(c - b'0');
    }
    Some(n)
}

fn parse_timestamp(b: &[u8]) -> Option<Timestamp> {
    // YYYY-MM-DDTHH:MM:SSZ
    if b.len() != 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || b[19] != b'Z'
    {
        return None;
    }
    let year = digits(&b[0..4])? as i32;
    let month = digits(&b[5..7])?;
    let day = digits(&b[8..10])?;
    let hour = digits(&b[11..13])?;
    let minute = digits(&b[14..16])?;
    let second = digits(&b[17..19])?;
    if year < 1000 || !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(Timestamp(
        days * DAY_SECONDS + i64::from(hour * 3600 + minute * 60 + second),
    ))
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Days since 1970-01-01 for a proleptic Gregorian date, and back
// (Howard Hinnant's civil-calendar algorithms, public domain).
fn days_from_civil(year: i32, month: u32, day: u32) -> i64 {
    let y = i64::from(if month <= 2 { year - 1 } else { year });
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(days: i64) -> (i32, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_the_contract_form() {
        let t = Timestamp::parse("2025-04-01T00:00:00Z").unwrap();
        assert_eq!(t.unix_seconds(), 1_743_465_600);
        assert_eq!(t.to_string(), "2025-04-01T00:00:00Z");
        assert_eq!(t.month().to_string(), "2025-04");
        let t = Timestamp::parse("2024-02-29T23:59:59Z").unwrap();
        assert_eq!(t.to_string(), "2024-02-29T23:59:59Z");
    }

    #[test]
    fn rejects_impossible_instants() {
        for bad in [
            "2025-06-31T00:00:00Z",
            "2025-06-30T24:00:00Z",
            "2025-02-29T00:00:00Z",
            "2025-13-01T00:00:00Z",
            "2025-04-01 00:00:00",
            "2025-04-01T00:00:00",
            "not a date",
            "",
            "2025-04-01T00:00:60Z",
        ] {
            assert!(Timestamp::parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn months_parse_and_step() {
        let m = Month::parse("2025-12").unwrap();
        assert_eq!(m.next().to_string(), "2026-01");
        assert_eq!(m.start().to_string(), "2025-12-01T00:00:00Z");
        assert!(Month::parse("2025-13").is_err());
        assert!(Month::parse("2025-1").is_err());
    }

    proptest! {
        #[test]
        fn print_then_parse_is_identity(s in -2_000_000_000i64..8_000_000_000i64) {
            let t = Timestamp::from_unix_seconds(s);
            prop_assert_eq!(Timestamp::parse(&t.to_string()).unwrap(), t);
            let m = t.month();
            prop_assert!(m.start() <= t && t < m.next().start());
        }
    }
}
