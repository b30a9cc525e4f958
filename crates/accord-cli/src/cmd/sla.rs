//! `accord sla`: both sides' promises now — sales' open and breached
//! clocks, the escalations fired, marketing's months against their targets.

use std::fmt::Write;
use std::process::ExitCode;

use accord_core::domain::Timestamp;
use accord_decide::{ClockFilter, ClockLine};
use accord_engine::live;

use super::report::Bars;
use super::{csv_field, open_for_reading, write_stdout, CmdResult, DbArgs};

/// Both sides' SLA: sales' clocks, escalations, marketing's targets.
///
/// Sales promised to follow up every MQL within `follow_up_hours` and to
/// accept or reject it within `decide_hours` (`[sla.sales]`); each MQL
/// entry starts both clocks. A clock is `open` (time left shown), `met`
/// (stopped in time) or `breached` (ran out first: its breach event, `~n`,
/// is stored by the engine; a breach in imported history shows none).
/// Marketing promised MQLs per region and month and a share that sales
/// accepts (`[sla.marketing]`): each month shows its MQLs so far, the pace
/// projected to month end, and whether it was judged missed.
///
/// Lists open and breached clocks by default; `--all` adds met ones. The
/// table shows the latest 50 clocks and the latest 20 escalations;
/// `--format csv` prints every clock (only the clocks); `json` prints
/// everything.
/// Times are as of the latest event in the log unless `--now` says.
///
/// Examples:
///   accord sla
///   accord sla --rep R0007
///   accord sla --team ae --breached --format csv
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Only clocks of leads this rep owns.
    #[arg(long, value_name = "REP")]
    rep: Option<String>,
    /// Only clocks of leads owned by reps of this team (sdr, ae, am, manager).
    #[arg(long, value_name = "TEAM")]
    team: Option<String>,
    /// Only breached clocks.
    #[arg(long)]
    breached: bool,
    /// Met clocks too.
    #[arg(long, conflicts_with = "breached")]
    all: bool,
    /// The time to show clocks at, e.g. 2026-03-02T09:00:00Z [default: the
    /// latest event's time].
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    now: Option<Timestamp>,
    /// `table` for people, `csv` or `json` for programs.
    #[arg(long, default_value = "table", value_parser = ["table", "csv", "json"])]
    format: String,
    #[command(flatten)]
    db: DbArgs,
}

/// The table shows the latest clocks only (a history holds thousands).
const TABLE_CLOCKS: usize = 50;

/// An RFC 3339 time in UTC, for `--now`.
pub fn parse_time(s: &str) -> Result<Timestamp, String> {
    Timestamp::parse(s).map_err(|e| {
        format!(
            "{}: {e} (write a UTC time such as 2026-03-02T09:00:00Z)",
            accord_report::quoted(s)
        )
    })
}

pub fn run(args: Args) -> CmdResult {
    let store = open_for_reading(&args.db)?;
    let engine = live::load(&store, &mut Bars::new())?;
    if engine.agreement().is_none() {
        return Err("no agreement is in force: the SLA is the agreement's; adopt one with `accord agreement adopt FILE`".into());
    }
    let now = args.now.unwrap_or_else(|| engine.clock());
    let filter = ClockFilter {
        rep: args.rep.clone(),
        team: args.team.clone(),
        breached: args.breached,
        all: args.all,
    };
    let report = engine.sla_report(now, &filter);
    let clocks = &report.clocks;
    let mut o = String::new();
    match args.format.as_str() {
        "json" => o = serde_json::to_string_pretty(&report)? + "\n",
        "csv" => {
            o.push_str("lead_id,entry_id,clock,owner,team,started_at,due,state,seconds_left,stopped_at,breach_id,attempts\n");
            for c in clocks {
                let _ = writeln!(
                    o,
                    "{},{},{},{},{},{},{},{},{},{},{},{}",
                    csv_field(&c.lead),
                    csv_field(&c.entry),
                    c.clock,
                    csv_field(c.owner.as_deref().unwrap_or("")),
                    c.team.as_deref().unwrap_or(""),
                    c.started_at,
                    c.due,
                    c.state,
                    c.seconds_left.map_or(String::new(), |s| s.to_string()),
                    c.stopped_at.as_deref().unwrap_or(""),
                    c.breach.as_deref().unwrap_or(""),
                    c.attempts.map_or(String::new(), |a| a.to_string()),
                );
            }
        }
        _ => {
            let _ = writeln!(o, "Sales' clocks as of {now}:");
            let hidden = clocks.len().saturating_sub(TABLE_CLOCKS);
            if hidden > 0 {
                let _ = writeln!(
                    o,
                    "  ({hidden} earlier clocks not shown: `--format csv` lists every one)"
                );
            }
            for c in &clocks[hidden..] {
                let _ = writeln!(o, "  {}  {}", c.lead, clock_words(c));
            }
            if clocks.is_empty() {
                let _ = writeln!(o, "  none");
            }
            let escalations = &report.escalations;
            if args.rep.is_none() && args.team.is_none() {
                let _ = writeln!(o, "\nEscalations ({}):", escalations.len());
                for e in escalations.iter().rev().take(20) {
                    let about = e
                        .lead
                        .clone()
                        .or_else(|| {
                            Some(format!("{} {}", e.region.as_deref()?, e.month.as_deref()?))
                        })
                        .unwrap_or_default();
                    let person = e
                        .person
                        .as_ref()
                        .map(|p| format!(" ({p})"))
                        .unwrap_or_default();
                    let _ = writeln!(
                        o,
                        "  {}  {}  {} of {about}: {} told{person}",
                        e.at, e.step, e.on, e.notify
                    );
                }
                let _ = writeln!(o, "\nMarketing's months:");
                let _ = writeln!(
                    o,
                    "  {:<7} {:<6} {:>6} {:>6} {:>10} {:>9} {:>10}",
                    "month", "region", "target", "mqls", "attainment", "projected", "accepted"
                );
                for m in &report.marketing {
                    let pct = |x: Option<f64>| {
                        x.map_or("-".to_string(), |v| format!("{:.0}%", v * 100.0))
                    };
                    let missed = match (m.target_missed, m.acceptance_missed) {
                        (true, true) => "  target and acceptance missed",
                        (true, false) => "  target missed",
                        (false, true) => "  acceptance missed",
                        _ => "",
                    };
                    let _ = writeln!(
                        o,
                        "  {:<7} {:<6} {:>6} {:>6} {:>10} {:>9} {:>10}{missed}",
                        m.month,
                        m.region,
                        m.mql_target.map_or("-".to_string(), |t| t.to_string()),
                        m.mqls,
                        pct(m.attainment),
                        m.projected.map_or("-".to_string(), |p| p.to_string()),
                        pct(m.acceptance_rate),
                    );
                }
            }
        }
    }
    write_stdout(&o)?;
    Ok(ExitCode::SUCCESS)
}

/// One clock in words: `follow_up  due 2026-03-03T09:00:00Z  open, 5h 12m left  (attempts 1 of 3)  owner R0007`.
pub fn clock_words(c: &ClockLine) -> String {
    let state = match c.state {
        "open" => format!("open, {} left", span(c.seconds_left.unwrap_or(0))),
        "met" => format!("met at {}", c.stopped_at.as_deref().unwrap_or("?")),
        _ => {
            let late = c
                .stopped_at
                .as_ref()
                .map(|t| format!(", done late at {t}"))
                .unwrap_or_default();
            match &c.breach {
                Some(id) => format!("BREACHED ({id}){late}"),
                None => format!("breached (history, not escalated){late}"),
            }
        }
    };
    let attempts = match (c.attempts, c.attempts_promised) {
        (Some(a), Some(p)) => format!("  attempts {a} of {p}"),
        _ => String::new(),
    };
    let owner = c
        .owner
        .as_deref()
        .map(|o| format!("  owner {o}"))
        .unwrap_or_default();
    format!(
        "{:<9} entry {}  due {}  {state}{attempts}{owner}",
        c.clock, c.entry, c.due
    )
}

/// Seconds as `2d 3h`, `5h 12m` or `40m`.
fn span(s: i64) -> String {
    let (d, h, m) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60);
    if d > 0 {
        format!("{d}d {h}h")
    } else if h > 0 {
        format!("{h}h {m}m")
    } else {
        format!("{m}m")
    }
}
