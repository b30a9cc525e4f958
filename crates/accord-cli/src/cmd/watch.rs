//! `accord watch`: every all-time report kept up to date as events arrive.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use accord_report::Live;
use accord_store::{EventStore, SqliteStore};

use super::report::{build_live, fold_log, store_reports, view_stamp, Agreement};
use super::{open_for_reading, CmdResult, DbArgs};

/// Keep every report up to date as events arrive.
///
/// Folds the log once and stores the eleven all-time reports in the
/// database, then watches it: whatever a later `accord import` (or any other
/// writer) appends is folded in as one batch and the reports are stored
/// again, in milliseconds even at a million leads. Meanwhile `accord report`
/// prints the stored reports without touching the log.
///
/// Runs until stopped (Ctrl-C); stopping loses nothing, since the reports
/// are derived from the log. The agreement is read again every second: when
/// it changes (and is valid), every report is recomputed under its terms.
///
/// Examples:
///   accord watch &
///   accord import exports/2026-04-02/
///   accord report funnel
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The agreement whose terms the reports use [default: accord.toml if
    /// present, else the default agreement].
    #[arg(long, value_name = "FILE")]
    agreement: Option<std::path::PathBuf>,
    /// How often to look for new events, in milliseconds.
    #[arg(long, default_value_t = 10, value_name = "MS", value_parser = clap::value_parser!(u64).range(1..=60_000))]
    interval: u64,
    #[command(flatten)]
    db: DbArgs,
}

pub fn run(args: Args) -> CmdResult {
    let agreement = Agreement::read(args.agreement.as_deref())?;
    let terms = agreement.terms()?;
    let mut stamp = view_stamp(&agreement);
    let mut rejected_stamp = String::new();
    let mut store = open_for_reading(&args.db)?;

    let started = Instant::now();
    let mut head = store.head()?;
    let projections = fold_log(&store, head)?;
    let mut live = build_live(terms, projections);
    if store.access() == accord_store::Access::ReadOnly {
        eprintln!(
            "note: {} cannot be written: the reports are kept up to date here but not stored",
            args.db.db.display()
        );
    }
    let mut stored = store_or_warn(&mut store, &live, head, &stamp, true);
    eprintln!(
        "{} events folded and every report {} in {:.2} s; watching {} for new events (Ctrl-C to stop)",
        live.projections().events,
        if stored { "stored" } else { "computed" },
        started.elapsed().as_secs_f64(),
        args.db.db.display()
    );

    let interval = Duration::from_millis(args.interval);
    let reread_every = (1000 / args.interval).max(1);
    for round in 1u64.. {
        std::thread::sleep(interval);
        if round % reread_every == 0 {
            let changed = Agreement::read(args.agreement.as_deref())
                .ok()
                .map(|a| {
                    let new_stamp = view_stamp(&a);
                    (a, new_stamp)
                })
                .filter(|(_, s)| *s != stamp && *s != rejected_stamp);
            if let Some((agreement, new_stamp)) = changed {
                match agreement.terms() {
                    Ok(terms) => {
                        let t0 = Instant::now();
                        live = build_live(terms, live.into_projections());
                        stamp = new_stamp;
                        stored = store_or_warn(&mut store, &live, head, &stamp, stored);
                        eprintln!(
                            "the agreement changed: every report recomputed under its terms in {:.2} s",
                            t0.elapsed().as_secs_f64()
                        );
                    }
                    Err(e) => {
                        eprintln!("note: keeping the previous terms: {e}");
                        rejected_stamp = new_stamp;
                    }
                }
            }
        }
        let now = store.head()?;
        if now == head {
            if !stored {
                stored = store_or_warn(&mut store, &live, head, &stamp, stored);
            }
            continue;
        }
        let t0 = Instant::now();
        let mut batch = Vec::new();
        store.scan_between(head, now, &mut |event| batch.push(event))?;
        let read = t0.elapsed();
        live.apply(&batch);
        let applied = t0.elapsed();
        head = now;
        stored = store_or_warn(&mut store, &live, head, &stamp, stored);
        let total = t0.elapsed();
        eprintln!(
            "+{} events (log position {head}): every report up to date in {:.1} ms (read {:.1}, apply {:.1}, store {:.1})",
            batch.len(),
            ms(total),
            ms(read),
            ms(applied - read),
            ms(total - applied)
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Stores the reports; a failure (the database busy with a long import) is
/// retried on the next round, and reported once, not every round. A
/// database that cannot be written is not tried.
fn store_or_warn(
    store: &mut SqliteStore,
    live: &Live,
    head: u64,
    stamp: &str,
    was_stored: bool,
) -> bool {
    if store.access() == accord_store::Access::ReadOnly {
        return false;
    }
    match store_reports(store, live, head, stamp).1 {
        Ok(()) => true,
        Err(e) => {
            if was_stored {
                eprintln!("note: reports not stored yet, retrying: {e}");
            }
            false
        }
    }
}
