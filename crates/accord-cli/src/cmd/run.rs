//! `accord run` (alias `accord watch`): the daemon that keeps everything live.

mod hooks;

use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use accord_engine::run::{wall_clock, Runner, Step, Terms};
use accord_engine::watch::{AgreementChange, Kept};
use accord_store::StoreError;
use signal_hook::consts::{SIGINT, SIGTERM};

use super::report::{read_agreement, Bars};
use super::{open_for_reading, write_stdout, CmdResult, DbArgs};

/// Keep everything live: follow the log, fire due clocks, keep every report current.
///
/// The daemon beside the database. It loads the engine from the log and
/// stores the eleven all-time reports, then, every --interval:
///
///   - applies whatever another process stored (an `accord ingest`, an
///     `accord import`, an adoption) to the engine and to the reports;
///   - fires, by this machine's clock, every SLA clock that ran out
///     (breaches, escalation steps, marketing's month ends), storing each
///     firing in the log as the engine's decision (as `accord tick` does);
///   - stores the reports again, so `accord report` prints them at once,
///     in milliseconds even at a million leads;
///   - and, on a thread of its own, delivers webhooks (`accord hook`): new
///     events fanned out to the subscriptions' outbox, due deliveries sent,
///     signed, failures retried on the --hook-schedule, then dead letters.
///
/// The reports use the terms of the agreement in force in the log (the
/// latest `accord agreement adopt`); before any is adopted, those of the
/// agreement file, read again every second (when it changes and is valid,
/// every report is recomputed under it). Nothing fires before an agreement
/// is adopted. A database that cannot be written is followed and reported
/// on, but nothing fires and nothing is stored.
///
/// Stops on SIGTERM or Ctrl-C: the round in progress finishes (a firing is
/// committed or not started, never half, never twice), then it exits 0 with
/// a line saying so. A second Ctrl-C stops at once (an uncommitted write is
/// rolled back). Started again, it picks up from the log: nothing is lost.
///
/// `accord watch` is the same command (its earlier name; same options).
///
/// Examples:
///   accord run &
///   accord ingest events.jsonl
///   accord report funnel
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The agreement whose terms the reports use until one is adopted
    /// [default: accord.toml if present, else the default agreement].
    #[arg(long, value_name = "FILE")]
    agreement: Option<std::path::PathBuf>,
    /// How often to look for new events and due clocks, in milliseconds.
    #[arg(long, default_value_t = 10, value_name = "MS", value_parser = clap::value_parser!(u64).range(1..=60_000))]
    interval: u64,
    /// Print each firing as a JSON line on stdout (the format of `accord
    /// export events`).
    #[arg(long)]
    decisions: bool,
    /// Waits between a webhook delivery's failed attempts, then a dead
    /// letter: each a number and s, m or h, comma-separated (a random
    /// fifth of each wait is added).
    #[arg(long, value_name = "WAITS", default_value = accord_hooks::schedule::DEFAULT, value_parser = parse_schedule)]
    hook_schedule: accord_hooks::Schedule,
    /// One webhook request's time limit, in seconds (a delivery claimed by
    /// a process that died is sent again 2 × this + 5 s later).
    #[arg(long, value_name = "SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=120))]
    hook_timeout: u64,
    #[command(flatten)]
    db: DbArgs,
}

fn parse_schedule(
    text: &str,
) -> Result<accord_hooks::Schedule, accord_hooks::schedule::ScheduleError> {
    accord_hooks::Schedule::parse(text)
}

/// Longest wait for the write lock in one round: another writer holding it
/// (a long import) is waited for round by round, so a stop stays prompt.
const ROUND_WAIT: Duration = Duration::from_secs(1);

/// Longest sleep between two looks at the stop flag.
const NAP: Duration = Duration::from_millis(50);

pub fn run(args: Args) -> CmdResult {
    // Registered first: a stop asked for while the log loads is honoured
    // once it has loaded.
    let stop = Arc::new(AtomicBool::new(false));
    let signal = Arc::new(AtomicUsize::new(0));
    for sig in [SIGTERM, SIGINT] {
        // A second signal ends the process at once (exit code 1).
        signal_hook::flag::register_conditional_shutdown(sig, 1, Arc::clone(&stop))?;
        signal_hook::flag::register_usize(sig, Arc::clone(&signal), sig as usize)?;
        signal_hook::flag::register(sig, Arc::clone(&stop))?;
    }

    let file = read_agreement(args.agreement.as_deref())?;
    let mut store = open_for_reading(&args.db)?;
    store.set_write_wait(ROUND_WAIT.min(Duration::from_secs(args.db.wait)))?;
    let writable = store.access() != accord_store::Access::ReadOnly;
    if !writable {
        eprintln!(
            "note: {} cannot be written: the reports are kept up to date here but not stored, and nothing fires",
            args.db.db.display()
        );
    }
    let started = Instant::now();
    let (mut runner, kept) = Runner::start(&mut store, &file, writable, &mut Bars::new())?;
    tell(&kept);
    let engine = runner.engine();
    let agreement = match engine.agreement() {
        Some((v, _)) => format!("agreement v{v} in force"),
        None => "no agreement adopted: nothing fires".to_string(),
    };
    eprintln!(
        "loaded {} events ({} leads, engine clock {}, {agreement}) and every report {} under {} in {:.2} s",
        engine.events(),
        engine.lead_count(),
        engine.clock(),
        if runner.watcher().is_stored() { "stored" } else { "computed" },
        terms_shown(&runner.terms(&file)),
        started.elapsed().as_secs_f64()
    );
    eprintln!(
        "{}; watching {} for new events and due clocks (Ctrl-C or SIGTERM to stop)",
        next_due(&runner),
        args.db.db.display()
    );

    let hooks = writable
        .then(|| {
            let config = accord_hooks::worker::Config {
                schedule: args.hook_schedule.clone(),
                timeout: Duration::from_secs(args.hook_timeout),
                ..Default::default()
            };
            hooks::spawn(args.db.db.clone(), config, Arc::clone(&stop))
        })
        .transpose()?;

    let interval = Duration::from_millis(args.interval);
    let mut read_at = Instant::now();
    let mut busy_told = false;
    while !stop.load(Ordering::SeqCst) {
        nap(interval, &runner, &stop);
        if stop.load(Ordering::SeqCst) {
            break;
        }
        if read_at.elapsed() >= Duration::from_secs(1) {
            read_at = Instant::now();
            reread(&mut runner, &mut store, args.agreement.as_deref());
        }
        let t0 = Instant::now();
        match runner.step(&mut store, wall_clock(), &mut Bars::new()) {
            Ok(step) => {
                busy_told = false;
                show(&step, &runner, t0.elapsed(), args.decisions)?;
            }
            Err(accord_engine::Error::Store(e @ StoreError::Busy { .. }))
            | Err(accord_engine::Error::Tick(accord_engine::live::TickError::Store(
                e @ StoreError::Busy { .. },
            ))) => {
                if !busy_told {
                    eprintln!("note: waiting for another writer, retrying every round: {e}");
                    busy_told = true;
                }
            }
            Err(e) => {
                stop.store(true, Ordering::SeqCst);
                return Err(e.into());
            }
        }
    }
    if let Some(hooks) = hooks {
        let _ = hooks.join();
    }
    let by = match signal.load(Ordering::SeqCst) {
        s if s == SIGTERM as usize => "SIGTERM",
        _ => "Ctrl-C",
    };
    // The next start resumes from here instead of folding the whole log.
    let snapshot = match runner.save_snapshot(&mut store) {
        Ok(()) => "saved".to_owned(),
        Err(e) => format!("not saved ({e})"),
    };
    eprintln!(
        "stopped ({by}): the log is at position {}, every firing due so far stored, every report {}, the reports' snapshot {snapshot}",
        runner.head(),
        if runner.watcher().is_stored() {
            "stored"
        } else {
            "left to the next reader"
        }
    );
    Ok(ExitCode::SUCCESS)
}

/// Sleeps one interval, or until the next firing is due, in naps that
/// look at the stop flag.
fn nap(interval: Duration, runner: &Runner, stop: &AtomicBool) {
    let mut wake = Instant::now() + interval;
    // Due at second s: fires once the clock is past s. A firing already due
    // that the last round did not store (the store busy, say) waits for the
    // next round like everything else, never a busy loop.
    if let Some(due) = runner.next_due() {
        let secs = due.seconds_since(wall_clock());
        if secs > 0 {
            wake = wake.min(Instant::now() + Duration::from_secs(secs as u64 + 1));
        }
    }
    loop {
        let now = Instant::now();
        if now >= wake || stop.load(Ordering::SeqCst) {
            return;
        }
        std::thread::sleep((wake - now).min(NAP));
    }
}

/// The agreement file read again (used while none is adopted).
fn reread(
    runner: &mut Runner,
    store: &mut accord_store::SqliteStore,
    path: Option<&std::path::Path>,
) {
    // A file that cannot be read (being saved, say) is read next time.
    let Ok(file) = read_agreement(path) else {
        return;
    };
    let t0 = Instant::now();
    match runner.file_agreement(store, &file, &mut Bars::new()) {
        AgreementChange::Unchanged => {}
        AgreementChange::Applied(kept) => {
            tell(&kept);
            eprintln!(
                "the agreement changed: every report recomputed under its terms in {:.2} s",
                t0.elapsed().as_secs_f64()
            );
        }
        AgreementChange::Refused(e) => eprintln!("note: keeping the previous terms: {e}"),
    }
}

fn show(
    step: &Step,
    runner: &Runner,
    took: Duration,
    decisions: bool,
) -> Result<(), std::io::Error> {
    if let Some(kept) = &step.kept {
        tell(kept);
    }
    if let Some((v, change)) = &step.adopted {
        match change {
            AgreementChange::Applied(kept) => {
                tell(kept);
                eprintln!("the agreement changed: version {v} adopted, every report recomputed under its terms");
            }
            AgreementChange::Refused(e) => {
                eprintln!("note: agreement v{v} adopted, but this build cannot read its terms; keeping the previous ones: {e}")
            }
            AgreementChange::Unchanged => {}
        }
    }
    if !step.moved() {
        return Ok(());
    }
    if decisions && !step.fired.is_empty() {
        let mut out = String::new();
        accord_engine::live::decision_lines(&step.fired, &mut out);
        write_stdout(&out)?;
    }
    let (fired, next) = match step.fired.len() {
        0 => (String::new(), String::new()),
        n => (
            format!(", {n} firing{} stored", if n == 1 { "" } else { "s" }),
            format!("; {}", next_due(runner)),
        ),
    };
    eprintln!(
        "+{} events{fired} (log position {}): every report up to date in {:.1} ms{next}",
        step.followed,
        runner.head(),
        took.as_secs_f64() * 1000.0
    );
    Ok(())
}

fn next_due(runner: &Runner) -> String {
    runner.next_due().map_or_else(
        || "no clock pending".to_string(),
        |t| format!("next firing due at {t}"),
    )
}

fn terms_shown(terms: &Terms) -> String {
    match terms {
        Terms::Adopted(v) => format!("the terms of agreement v{v}"),
        Terms::File(shown) => format!("the terms of {shown}"),
    }
}

/// A failure to store the reports (the database busy with a long import) is
/// retried on the next round, and told once, not every round.
fn tell(kept: &Kept) {
    if let Kept::Failed { error, first: true } = kept {
        eprintln!("note: reports not stored yet, retrying: {error}");
    }
}
