//! `accord ingest`: events and sales actions judged by the agreement in
//! force as they arrive.

use std::io::BufRead;
use std::process::ExitCode;

use accord_engine::live::{self, Outcome};

use super::report::Bars;
use super::{open_store, write_stdout, CmdResult, DbArgs};

/// Judge and store events as they arrive, one JSON object per line.
///
/// Each line is an event (a lead created, a touch, an opportunity, a rep,
/// an account, time away, ...) or a sales action (accept, qualify, reject,
/// reassign), in the format of docs/wire.md, e.g.
///
///   {"type":"touched","touch_id":"T9","lead_id":"L1","occurred_at":"2026-04-01T09:00:00Z","kind":"demo_request","channel":"direct"}
///   {"type":"accept","transition_id":"S9","lead_id":"L1","rep_id":"R0001","occurred_at":"2026-04-01T10:00:00Z"}
///
/// The agreement in force (`accord agreement adopt`) decides what follows
/// each event: the lead's score, its account, its stage, its owner. Every
/// decision is stored after the line that caused it, naming the agreement
/// version that made it. Imported history is never judged again.
///
/// A bad line (not JSON, an unknown field, a lead that does not exist, an
/// action the agreement does not allow) is refused with its line number and
/// the field at fault; nothing of it is stored, and the other lines go on.
/// A line sent twice is stored once. Lines are committed in chunks of 4,096:
/// what is reported is durable.
///
/// Exit code: 0 when every line was stored or already stored, 1 when any
/// was refused.
///
/// Examples:
///   accord ingest events.jsonl
///   tail -f events.jsonl | accord ingest - --decisions
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The file of JSON lines, or `-` for standard input.
    #[arg(value_name = "FILE|-")]
    input: String,
    /// Print each decision the engine made as a JSON line on stdout (the
    /// format of `accord export events`).
    #[arg(long)]
    decisions: bool,
    #[command(flatten)]
    db: DbArgs,
}

pub fn run(args: Args) -> CmdResult {
    let reader: Box<dyn BufRead + Send> = if args.input == "-" {
        Box::new(std::io::BufReader::new(std::io::stdin()))
    } else {
        let file = std::fs::File::open(&args.input)
            .map_err(|e| format!("cannot read {}: {e}", args.input))?;
        Box::new(std::io::BufReader::new(file))
    };
    let mut store = open_store(&args.db)?;
    let started = std::time::Instant::now();
    let mut engine = live::load(&store, &mut Bars::new())?;
    let loaded = started.elapsed();
    if engine.agreement().is_none() {
        eprintln!(
            "note: no agreement is adopted in {}: events are stored, nothing is decided, actions are refused (run `accord agreement adopt` first)",
            args.db.db.display()
        );
    }
    let shown = if args.input == "-" {
        "stdin".to_string()
    } else {
        args.input.clone()
    };
    // Set by the reading thread (`live::ingest_beside`) when a read fails.
    let read_error = std::sync::Arc::new(std::sync::Mutex::new(None::<String>));
    let failed = read_error.clone();
    let source = shown.clone();
    let lines = reader
        .lines()
        .enumerate()
        .map_while(move |(i, line)| match line {
            Ok(l) => Some((i as u64 + 1, l)),
            Err(e) => {
                *failed.lock().expect("not poisoned") =
                    Some(format!(
                        "{source}:{}: cannot read the line: {e}; the lines before it were judged and stored, none after it was read",
                        i + 1
                    ));
                None
            }
        })
        // Nothing after an unreadable line: `map_while` alone would go on
        // with the next line when asked again.
        .fuse()
        .filter(|(_, l)| !l.trim().is_empty());
    let mut out = String::new();
    let fed = std::time::Instant::now();
    let summary = live::ingest_beside(
        &mut store,
        &mut engine,
        lines,
        &mut |number, outcome, fired| {
            if args.decisions {
                live::decision_lines(fired, &mut out);
            }
            match outcome {
            Outcome::Stored { decisions } if args.decisions => {
                live::decision_lines(decisions, &mut out);
            }
            Outcome::Invalid(e) => eprintln!("{shown}:{number}: {e}"),
            Outcome::Refused(r) => eprintln!("{shown}:{number}: refused: {r}"),
            Outcome::Conflict { key } => eprintln!(
                "{shown}:{number}: refused: {key} is stored with other content (ids are unique; send a new id)"
            ),
            _ => {}
        }
            if out.len() > 1 << 16 {
                let _ = write_stdout(&out);
                out.clear();
            }
        },
    )?;
    let fed = fed.elapsed().as_secs_f64();
    // The process ends soon after: not freeing the state's allocations one
    // by one saves seconds (see `replay`).
    std::mem::forget(engine);
    write_stdout(&out)?;
    if let Some(e) = read_error.lock().expect("not poisoned").take() {
        return Err(e.into());
    }
    eprintln!(
        "{} lines: {} stored, {} already stored, {} refused; {} decisions",
        summary.lines, summary.stored, summary.duplicates, summary.refused, summary.decisions
    );
    eprintln!(
        "judged and stored in {fed:.2} s ({:.0} lines/s), after loading the state from the log in {:.2} s",
        summary.lines as f64 / fed.max(1e-9),
        loaded.as_secs_f64()
    );
    Ok(if summary.refused > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
