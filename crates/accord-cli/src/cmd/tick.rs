//! `accord tick --now T`: time advanced to T; what is due fires and is stored.

use std::process::ExitCode;

use accord_core::domain::Timestamp;
use accord_engine::live;

use super::report::Bars;
use super::{open_for_reading, write_stdout, CmdResult, DbArgs};

/// Fire the clocks due before a given time, and store the firings.
///
/// The engine takes time as a value: it notices a clock that ran out only
/// when told the time. `accord run` tells it the wall clock's time
/// continually; `accord tick --now T` tells it once, so that what was due
/// strictly before T fires: a follow-up or decision clock that ran out is a
/// breach dated at its deadline, each escalation step of the agreement
/// fires at its own time, and a month end judges marketing's targets.
/// Every firing is an event stored in the log (origin: the engine under the
/// agreement in force), so `accord report`, `accord sla` and `accord replay`
/// see it; a tick run twice, or a tick and `accord run` together, never
/// store a firing twice.
///
/// A time before the engine's clock (the latest event) fires nothing: it
/// has all been fired before. A time more than 5 minutes after this
/// machine's clock is refused: a breach stored ahead of time could be
/// contradicted by a touch that arrives before it.
///
/// Prints `N firings stored, next due at T` on stderr; with --decisions each
/// firing as a JSON line on stdout (the format of `accord export events`).
/// Nothing fires before an agreement is adopted (`accord agreement adopt`).
///
/// Examples:
///   accord tick --now 2026-04-02T09:00:00Z
///   accord tick --now 2026-04-02T11:00:00+02:00 --decisions
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The time to advance to, RFC 3339 (2026-04-02T09:00:00Z, or with an
    /// offset: 2026-04-02T11:00:00+02:00). Fractions of a second count: a
    /// clock due at 09:00:00 fires at --now 09:00:00.5.
    #[arg(long, value_name = "TIME", value_parser = parse_now)]
    now: Timestamp,
    /// Print each firing as a JSON line on stdout.
    #[arg(long)]
    decisions: bool,
    #[command(flatten)]
    db: DbArgs,
}

/// How far past this machine's clock `--now` may go (the import's bound too).
const AHEAD_SECS: i64 = 5 * 60;

/// `--now` is too far ahead of the wall clock.
#[derive(Debug, thiserror::Error)]
#[error("--now {now} is more than 5 minutes after this machine's clock ({wall}): a firing stored ahead of time could be contradicted by an event that arrives before it")]
struct AheadOfTime {
    now: Timestamp,
    wall: Timestamp,
}

pub fn run(args: Args) -> CmdResult {
    let wall = accord_engine::run::wall_clock();
    if args.now.seconds_since(wall) > AHEAD_SECS {
        return Err(AheadOfTime {
            now: args.now,
            wall,
        }
        .into());
    }
    let mut store = open_for_reading(&args.db)?;
    let (mut engine, mut head) = live::load_at(&store, &mut Bars::new())?;
    if engine.agreement().is_none() {
        eprintln!(
            "note: no agreement is adopted in {}: nothing fires (run `accord agreement adopt` first)",
            args.db.db.display()
        );
    } else if args.now <= engine.clock() {
        eprintln!(
            "note: --now {} is not after the engine's clock ({}, its latest event): whatever was due before it has fired",
            args.now,
            engine.clock()
        );
    }
    let fired = live::tick(&mut store, &mut engine, &mut head, args.now, &mut |_| {})?;
    if args.decisions {
        let mut out = String::new();
        live::decision_lines(&fired, &mut out);
        write_stdout(&out)?;
    }
    let next = engine.next_due().map_or_else(
        || "nothing pending".to_string(),
        |t| format!("next due at {t}"),
    );
    eprintln!(
        "{} firing{} stored (log position {head}), {next}",
        fired.len(),
        if fired.len() == 1 { "" } else { "s" }
    );
    Ok(ExitCode::SUCCESS)
}

/// Why `--now` is not an RFC 3339 time.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    #[error("`{0}` is not an RFC 3339 time: expected YYYY-MM-DDTHH:MM:SS then Z or an offset, e.g. 2026-04-02T09:00:00Z or 2026-04-02T11:00:00+02:00")]
    Shape(String),
    #[error("`{0}` has no offset: add Z for UTC (e.g. {0}Z) or one like +02:00")]
    NoOffset(String),
    #[error("`{input}`: {date} is not a real date and time (months 01-12, days within the month, hours 00-23, minutes and seconds 00-59)")]
    NotReal { input: String, date: String },
    #[error("`{input}`: the offset {offset} is out of range (-23:59 to +23:59)")]
    Offset { input: String, offset: String },
}

/// An RFC 3339 time (`T` or a space between date and time, any case; an
/// optional fraction of a second, rounded up: a time strictly after a whole
/// second is not before the next one).
pub fn parse_now(input: &str) -> Result<Timestamp, TimeError> {
    let shown = accord_core::shown::for_terminal(input, 60).0;
    let shape = || TimeError::Shape(shown.clone());
    let b = input.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if b.len() < 19
        || !digits(0..4)
        || b[4] != b'-'
        || !digits(5..7)
        || b[7] != b'-'
        || !digits(8..10)
        || !matches!(b[10], b'T' | b't' | b' ')
        || !digits(11..13)
        || b[13] != b':'
        || !digits(14..16)
        || b[16] != b':'
        || !digits(17..19)
    {
        return Err(shape());
    }
    let mut rest = &input[19..];
    let mut fraction = false;
    if let Some(f) = rest.strip_prefix('.') {
        let n = f.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return Err(shape());
        }
        fraction = f[..n].bytes().any(|d| d != b'0');
        rest = &f[n..];
    }
    let offset_secs = match rest {
        "" => return Err(TimeError::NoOffset(shown)),
        "Z" | "z" => 0,
        _ => {
            let o = rest.as_bytes();
            if o.len() != 6 || !matches!(o[0], b'+' | b'-') || o[3] != b':' {
                return Err(shape());
            }
            let (Ok(h), Ok(m)) = (rest[1..3].parse::<i64>(), rest[4..6].parse::<i64>()) else {
                return Err(shape());
            };
            if h > 23 || m > 59 {
                return Err(TimeError::Offset {
                    input: shown,
                    offset: rest.to_string(),
                });
            }
            let sign = if o[0] == b'-' { -1 } else { 1 };
            sign * (h * 3600 + m * 60)
        }
    };
    let utc = format!("{}T{}Z", &input[..10], &input[11..19]);
    let local = Timestamp::parse(&utc).map_err(|_| TimeError::NotReal {
        input: shown.clone(),
        date: input[..19].to_string(),
    })?;
    Ok(local.plus_seconds(-offset_secs + i64::from(fraction)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    #[test]
    fn utc_offsets_and_fractions_are_read_by_hand() {
        assert_eq!(
            parse_now("2026-04-02T09:00:00Z").unwrap(),
            at("2026-04-02T09:00:00Z")
        );
        // 11:00 at +02:00 is 09:00 UTC; 04:30 at -05:30 is 10:00 UTC.
        assert_eq!(
            parse_now("2026-04-02T11:00:00+02:00").unwrap(),
            at("2026-04-02T09:00:00Z")
        );
        assert_eq!(
            parse_now("2026-04-02 04:30:00-05:30").unwrap(),
            at("2026-04-02T10:00:00Z")
        );
        // Across a day and a year: 23:30 on Dec 31 at -01:00 is 00:30 UTC.
        assert_eq!(
            parse_now("2025-12-31t23:30:00-01:00").unwrap(),
            at("2026-01-01T00:30:00Z")
        );
        // 09:00:00.5 is strictly after 09:00:00: not before 09:00:01.
        assert_eq!(
            parse_now("2026-04-02T09:00:00.5Z").unwrap(),
            at("2026-04-02T09:00:01Z")
        );
        assert_eq!(
            parse_now("2026-04-02T09:00:00.000z").unwrap(),
            at("2026-04-02T09:00:00Z")
        );
    }

    #[test]
    fn bad_times_say_what_is_wrong() {
        assert_eq!(
            parse_now("2026-04-02T09:00:00"),
            Err(TimeError::NoOffset("2026-04-02T09:00:00".into()))
        );
        assert_eq!(
            parse_now("2026-02-30T09:00:00Z"),
            Err(TimeError::NotReal {
                input: "2026-02-30T09:00:00Z".into(),
                date: "2026-02-30T09:00:00".into()
            })
        );
        assert_eq!(
            parse_now("2026-04-02T09:00:00+24:00"),
            Err(TimeError::Offset {
                input: "2026-04-02T09:00:00+24:00".into(),
                offset: "+24:00".into()
            })
        );
        for bad in [
            "tomorrow",
            "2026-04-02",
            "2026-4-02T09:00:00Z",
            "2026-04-02T09:00Z",
            "2026-04-02T09:00:00.Z",
            "2026-04-02T09:00:00+0200",
            "2026-04-02T09:00:00 UTC",
            "2026-04-02T09:00:00Zjunk",
            "２０２６-04-02T09:00:00Z",
        ] {
            assert!(
                matches!(parse_now(bad), Err(TimeError::Shape(_))),
                "{bad}: {:?}",
                parse_now(bad)
            );
        }
    }
}
