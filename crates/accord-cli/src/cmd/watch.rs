//! `accord watch`: every all-time report kept up to date as events arrive.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use accord_engine::watch::{AgreementChange, Kept, Watcher};

use super::report::{read_agreement, Bars};
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
    let agreement = read_agreement(args.agreement.as_deref())?;
    let terms = agreement.terms()?;
    let mut store = open_for_reading(&args.db)?;

    let started = Instant::now();
    let writable = store.access() != accord_store::Access::ReadOnly;
    if !writable {
        eprintln!(
            "note: {} cannot be written: the reports are kept up to date here but not stored",
            args.db.db.display()
        );
    }
    let (mut watcher, kept) = Watcher::start(
        &mut store,
        terms,
        agreement.stamp(),
        writable,
        &mut Bars::new(),
    )?;
    tell(&kept);
    eprintln!(
        "{} events folded and every report {} in {:.2} s; watching {} for new events (Ctrl-C to stop)",
        watcher.live().projections().events,
        if watcher.is_stored() { "stored" } else { "computed" },
        started.elapsed().as_secs_f64(),
        args.db.db.display()
    );

    let interval = Duration::from_millis(args.interval);
    let reread_every = (1000 / args.interval).max(1);
    for round in 1u64.. {
        std::thread::sleep(interval);
        if round % reread_every == 0 {
            // An agreement that cannot be read (being saved, say) is read next time.
            if let Ok(agreement) = read_agreement(args.agreement.as_deref()) {
                let t0 = Instant::now();
                match watcher.agreement(&mut store, &agreement, &mut Bars::new()) {
                    AgreementChange::Unchanged => {}
                    AgreementChange::Applied(kept) => {
                        tell(&kept);
                        eprintln!(
                            "the agreement changed: every report recomputed under its terms in {:.2} s",
                            t0.elapsed().as_secs_f64()
                        );
                    }
                    AgreementChange::Refused(e) => {
                        eprintln!("note: keeping the previous terms: {e}");
                    }
                }
            }
        }
        let t0 = Instant::now();
        let Some(new) = watcher.new_events(&store)? else {
            if !watcher.is_stored() {
                tell(&watcher.store(&mut store));
            }
            continue;
        };
        let read = t0.elapsed();
        watcher.apply(&new);
        let applied = t0.elapsed();
        tell(&watcher.store(&mut store));
        let total = t0.elapsed();
        eprintln!(
            "+{} events (log position {}): every report up to date in {:.1} ms (read {:.1}, apply {:.1}, store {:.1})",
            new.events.len(),
            watcher.head(),
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

/// A failure to store the reports (the database busy with a long import) is
/// retried on the next round, and told once, not every round.
fn tell(kept: &Kept) {
    if let Kept::Failed { error, first: true } = kept {
        eprintln!("note: reports not stored yet, retrying: {error}");
    }
}
