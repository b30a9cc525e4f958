//! The retry schedule: how long after a failed attempt the next one is made.
//!
//! The default, `10s,30s,2m,10m,1h,6h`: the first attempt as soon as the
//! event is fanned out; after it fails, the second 10 s later, then 30 s,
//! 2 min, 10 min, 1 h and 6 h after each failure; when the seventh attempt
//! fails, the delivery is a dead letter. Each wait gets a random jitter of
//! up to a fifth of itself added (10 s waits 10 to 12 s), so receivers that
//! come back up are not hit by every sender at the same second.

use std::fmt;

/// Waits between attempts, in seconds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schedule {
    steps: Vec<u64>,
}

/// The default schedule's text.
pub const DEFAULT: &str = "10s,30s,2m,10m,1h,6h";

/// Why a schedule's text was refused, naming the item.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error("the retry schedule is empty: give waits such as {DEFAULT}")]
    Empty,
    #[error("item {position} of the retry schedule, `{item}`, is not a wait such as 10s, 2m or 6h (1 s to 7 days)")]
    BadItem { position: usize, item: String },
    #[error("the retry schedule has {0} waits; at most 20")]
    TooLong(usize),
}

impl Default for Schedule {
    fn default() -> Schedule {
        Schedule::parse(DEFAULT).expect("the default parses")
    }
}

impl Schedule {
    /// `10s,30s,2m,…`: each a number and a unit (`s`, `m`, `h`; a bare
    /// number is seconds), from 1 s to 7 days.
    pub fn parse(text: &str) -> Result<Schedule, ScheduleError> {
        if text.trim().is_empty() {
            return Err(ScheduleError::Empty);
        }
        let steps = text
            .split(',')
            .enumerate()
            .map(|(n, item)| {
                parse_wait(item.trim()).ok_or_else(|| ScheduleError::BadItem {
                    position: n + 1,
                    item: accord_core::shown::for_terminal(item, 40).0,
                })
            })
            .collect::<Result<Vec<u64>, _>>()?;
        if steps.len() > 20 {
            return Err(ScheduleError::TooLong(steps.len()));
        }
        Ok(Schedule { steps })
    }

    /// The waits, in seconds.
    pub fn steps(&self) -> &[u64] {
        &self.steps
    }

    /// Attempts in all before a dead letter: the first and one per wait.
    pub fn attempts(&self) -> u32 {
        self.steps.len() as u32 + 1
    }

    /// After attempt number `attempts` (1 for the first) failed: seconds
    /// until the next, jitter included (`random` any number: the jitter is
    /// `random` modulo a fifth of the wait, plus one); `None` when the
    /// schedule is spent.
    pub fn wait_after(&self, attempts: u32, random: u64) -> Option<u64> {
        let step = *self.steps.get((attempts.max(1) - 1) as usize)?;
        Some(step + random % (step / 5 + 1))
    }
}

fn parse_wait(item: &str) -> Option<u64> {
    let (digits, unit) = match item.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => item.split_at(i),
        None => (item, "s"),
    };
    let n: u64 = digits.parse().ok()?;
    let secs = n.checked_mul(match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3_600,
        _ => return None,
    })?;
    (1..=7 * 86_400).contains(&secs).then_some(secs)
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (n, s) in self.steps.iter().enumerate() {
            if n > 0 {
                f.write_str(",")?;
            }
            match s {
                s if s % 3_600 == 0 => write!(f, "{}h", s / 3_600)?,
                s if s % 60 == 0 => write!(f, "{}m", s / 60)?,
                s => write!(f, "{s}s")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_default_schedule_in_seconds() {
        let s = Schedule::default();
        assert_eq!(s.steps(), &[10, 30, 120, 600, 3_600, 21_600]);
        assert_eq!(s.attempts(), 7);
        assert_eq!(s.to_string(), DEFAULT);
        // After the first failure: 10 s plus 0..=2 s of jitter.
        assert_eq!(s.wait_after(1, 0), Some(10));
        assert_eq!(s.wait_after(1, 2), Some(12));
        assert_eq!(s.wait_after(1, 3), Some(10));
        // After the sixth: 6 h plus up to 4,320 s (a fifth).
        assert_eq!(s.wait_after(6, 4_320), Some(21_600 + 4_320));
        assert_eq!(s.wait_after(6, 4_321), Some(21_600));
        // The seventh failure: dead.
        assert_eq!(s.wait_after(7, 0), None);
    }

    #[test]
    fn bad_schedules_name_the_item() {
        assert_eq!(
            Schedule::parse("10s,3x"),
            Err(ScheduleError::BadItem {
                position: 2,
                item: "3x".into()
            })
        );
        assert_eq!(
            Schedule::parse("0s"),
            Err(ScheduleError::BadItem {
                position: 1,
                item: "0s".into()
            })
        );
        assert_eq!(
            Schedule::parse("8d"),
            Err(ScheduleError::BadItem {
                position: 1,
                item: "8d".into()
            })
        );
        assert_eq!(Schedule::parse(" "), Err(ScheduleError::Empty));
        assert_eq!(
            Schedule::parse("1,2m,3h").unwrap().steps(),
            &[1, 120, 10_800]
        );
    }

    proptest! {
        #[test]
        fn jitter_stays_within_a_fifth(attempt in 1u32..=6, random in any::<u64>()) {
            let s = Schedule::default();
            let step = s.steps()[attempt as usize - 1];
            let wait = s.wait_after(attempt, random).unwrap();
            prop_assert!(wait >= step && wait <= step + step / 5);
        }
    }
}
