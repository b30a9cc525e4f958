//! `accord import DIR`: the CSV contract into the event log, all or nothing.

mod rejects;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use accord_core::domain::{MAX_ID_BYTES, MAX_TEXT_BYTES};
use accord_import::{
    import_folder, FileKind, FileSummary, Folder, ImportReport, Options, Problem, Progress,
    Warning, BATCH_EVENTS, CLOCK_SKEW_SECONDS, QUEUE_BATCHES,
};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use accord_core::event::{Batch, Event};
use accord_import::ImportError;
use accord_store::{AppendTx, EventStore, SqliteStore, StoreError};

use super::{open_store, open_store_for_dry_run, CmdResult, DbArgs};
use rejects::Rejects;

/// Import a folder in the CSV contract (accounts.csv, reps.csv, campaigns.csv,
/// content.csv, leads.csv, touches.csv, transitions.csv, opportunities.csv,
/// targets.csv; meta.json's as_of if present) into the event log.
///
/// The import is one transaction: if any row is bad, nothing is stored and
/// every bad row is listed as FILE:LINE: PROBLEM: DETAIL (exit 1). With
/// --skip-invalid the valid rows are stored and the bad ones are written to a
/// rejects CSV. Importing the same files again changes nothing: every row has
/// an id, and a stored id is skipped.
#[derive(clap::Args)]
#[command(after_help = after_help())]
pub struct Args {
    /// Folder holding the contract's CSV files.
    dir: PathBuf,
    #[command(flatten)]
    db: DbArgs,
    /// Read and check every row against the contract and the stored events,
    /// exactly as the import does, then roll back: nothing is stored.
    #[arg(long, conflicts_with = "skip_invalid")]
    dry_run: bool,
    /// Store the valid rows and write the refused ones to --rejects.
    #[arg(long)]
    skip_invalid: bool,
    /// Where --skip-invalid writes refused rows (CSV: file,line,problem,message).
    /// Written only when there are some; an existing file is refused unless
    /// --force; never one of the input folder's files.
    #[arg(long, default_value = "accord-rejects.csv", value_name = "FILE")]
    rejects: PathBuf,
    /// Replace an existing --rejects file (never one of the input's files).
    #[arg(long)]
    force: bool,
    /// Bad rows listed on stderr before the rest are only counted (0: all).
    #[arg(long, default_value_t = 50, value_name = "N")]
    max_errors: usize,
}

/// The problems a bad row can have, and the limits, for --help.
fn after_help() -> String {
    let mut out = String::from("Problems of a bad row:\n");
    for problem in Problem::ALL {
        out.push_str(&format!(
            "  {:<22} {}\n",
            problem.as_str(),
            problem.meaning()
        ));
    }
    out.push_str(&format!(
        "\nLimits: ids 1 to {MAX_ID_BYTES} bytes without spaces; text fields (names, titles) up to \
         {} KiB; rows dated up to meta.json's as_of, or without it up to now plus {} minutes \
         (any past year is fine); events appended in batches of {} with at most {} in flight.",
        MAX_TEXT_BYTES / 1024,
        CLOCK_SKEW_SECONDS / 60,
        group(BATCH_EVENTS as u64),
        QUEUE_BATCHES,
    ));
    out
}

pub fn run(args: Args) -> CmdResult {
    let folder = Folder::inspect(&args.dir, accord_import::now())?;
    let mut rejects = if args.skip_invalid {
        Some(Rejects::prepare(
            &args.rejects,
            &folder,
            &args.db.db,
            args.force,
        )?)
    } else {
        None
    };
    let mut err = std::io::stderr().lock();
    warn(&mut err, &folder)?;
    drop(err);

    let mut store = if args.dry_run {
        open_store_for_dry_run(&args.db)?
    } else {
        open_store(&args.db)?
    };
    let started = Instant::now();
    let mut progress = Bar::new();
    let mut before_commit =
        |report: &ImportReport| -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
            if let Some(rejects) = rejects.as_mut().filter(|_| !report.rejected.is_empty()) {
                rejects.write(report)?;
            }
            Ok(())
        };
    let options = Options {
        skip_invalid: args.skip_invalid,
        dry_run: args.dry_run,
    };
    let mut report = import_folder(
        &mut store,
        &folder,
        &options,
        &mut progress,
        &mut before_commit,
    );
    if args.dry_run && matches!(report, Err(ImportError::Store(StoreError::ReadOnly { .. }))) {
        // A dry run appends inside a transaction it rolls back, so that it
        // checks exactly what an import would; a database that cannot be
        // written is checked through a copy of its log in memory.
        progress.done();
        eprintln!(
            "note: {} cannot be written: checking against a copy of its log in memory",
            args.db.db.display()
        );
        let mut copy = copy_to_memory(&store)?;
        report = import_folder(
            &mut copy,
            &folder,
            &options,
            &mut progress,
            &mut before_commit,
        );
    }
    progress.done();
    let report = report?;
    let rejects_written = match rejects {
        Some(rejects) if report.committed => rejects.finish()?,
        _ => false,
    };
    let elapsed = started.elapsed();
    let mut err = std::io::stderr().lock();

    if !report.rejected.is_empty() && !args.skip_invalid {
        list_bad_rows(&mut err, &report, &folder, &args)?;
        writeln!(
            err,
            "error: {} bad {} in {}; nothing was imported{}. Fix them, or use --skip-invalid to store the {} valid rows and write the bad ones to a rejects file.",
            group(report.rejected.len() as u64),
            plural(report.rejected.len() as u64, "row", "rows"),
            args.dir.display(),
            if args.dry_run { " (--dry-run)" } else { "" },
            group(report.accepted()),
        )?;
        return Ok(ExitCode::FAILURE);
    }

    if args.dry_run {
        println!(
            "checked {} rows in {:.1} s: all valid, {} new events (--dry-run: nothing stored)",
            group(report.rows()),
            elapsed.as_secs_f64(),
            group(report.appended()),
        );
        return Ok(ExitCode::SUCCESS);
    }
    print_summary(&report, &args, elapsed, rejects_written)?;
    Ok(ExitCode::SUCCESS)
}

/// Every stored event of `store`, with its origin, appended to an empty log in memory.
fn copy_to_memory(store: &SqliteStore) -> Result<SqliteStore, StoreError> {
    let mut copy = SqliteStore::open_in_memory()?;
    let mut tx = copy.begin()?;
    let mut batch = Batch::default();
    let mut seq: i64 = 0;
    store.scan_entries_between(0, u64::MAX, &mut |origin, bytes| {
        seq += 1;
        let event = Event::decode(bytes).map_err(|source| StoreError::Damaged { seq, source })?;
        batch.push_from(&event, origin);
        if batch.len() >= BATCH_EVENTS {
            tx.append(&batch)?;
            batch.clear();
        }
        Ok(())
    })?;
    if !batch.is_empty() {
        tx.append(&batch)?;
    }
    tx.commit()?;
    Ok(copy)
}

/// The folder's warnings, before any row: a contract file under another
/// case first (it explains what follows), then the missing ones in one line.
fn warn(err: &mut impl Write, folder: &Folder) -> std::io::Result<()> {
    let mut absent = Vec::new();
    for w in &folder.warnings {
        match w {
            Warning::Missing { file, like: None } => absent.push(*file),
            _ => writeln!(err, "warning: {w}")?,
        }
    }
    if !absent.is_empty() {
        writeln!(
            err,
            "warning: {} has no {} (only the files present are imported)",
            folder.dir.display(),
            absent.join(", ")
        )?;
    }
    Ok(())
}

/// The bad rows on stderr. Rows that only reference a record of a file the
/// folder lacks are told in one line per file (listed with --max-errors 0).
fn list_bad_rows(
    err: &mut impl Write,
    report: &ImportReport,
    folder: &Folder,
    args: &Args,
) -> std::io::Result<()> {
    let explained = |r: &accord_import::Rejected| {
        r.problem == Problem::UnknownReference
            && r.refers_to.is_some_and(|k| folder.missing.contains(&k))
    };
    for &kind in &folder.missing {
        let n = report
            .rejected
            .iter()
            .filter(|r| explained(r) && r.refers_to == Some(kind))
            .count() as u64;
        if n > 0 {
            writeln!(
                err,
                "{} {} {}, and {} is missing from {}: that explains {} ({})",
                group(n),
                plural(n, "row references", "rows reference"),
                noun(kind),
                kind.file_name(),
                folder.dir.display(),
                if n == report.rejected.len() as u64 {
                    "every bad row"
                } else {
                    plural(n, "it", "them")
                },
                if args.max_errors == 0 {
                    "listed below"
                } else {
                    "not listed; --max-errors 0 lists them"
                },
            )?;
        }
    }
    let listed: Vec<&accord_import::Rejected> = report
        .rejected
        .iter()
        .filter(|r| args.max_errors == 0 || !explained(r))
        .collect();
    let shown = if args.max_errors == 0 {
        listed.len()
    } else {
        args.max_errors.min(listed.len())
    };
    for r in &listed[..shown] {
        writeln!(err, "{}:{}: {}: {}", r.file, r.line, r.problem, r.message)?;
    }
    if shown < listed.len() {
        writeln!(
            err,
            "… and {} more bad rows (--max-errors 0 lists them all)",
            group((listed.len() - shown) as u64)
        )?;
    }
    Ok(())
}

/// What the records of a contract file are called.
fn noun(kind: FileKind) -> &'static str {
    match kind {
        FileKind::Reps => "reps",
        FileKind::Accounts => "accounts",
        FileKind::Campaigns => "campaigns",
        FileKind::Content => "content assets",
        FileKind::Leads => "leads",
        FileKind::Touches => "touches",
        FileKind::Transitions => "transitions",
        FileKind::Opportunities => "opportunities",
        FileKind::Targets => "targets",
    }
}

fn plural(n: u64, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 {
        one
    } else {
        many
    }
}

fn print_summary(
    report: &ImportReport,
    args: &Args,
    elapsed: Duration,
    rejects_written: bool,
) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{:<20} {:>12} {:>12} {:>12} {:>10}",
        "file", "rows", "new events", "already", "rejected"
    )?;
    for f in &report.files {
        writeln!(
            out,
            "{:<20} {:>12} {:>12} {:>12} {:>10}",
            f.file,
            group(f.rows),
            group(f.appended),
            group(f.duplicates),
            group(f.rejected)
        )?;
    }
    for m in &report.missing {
        writeln!(out, "{m:<20} {:>12}", "not present")?;
    }
    let secs = elapsed.as_secs_f64().max(1e-9);
    writeln!(
        out,
        "imported {} rows from {} into {} in {:.1} s ({}/s): {} new events, {} already stored",
        group(report.accepted()),
        args.dir.display(),
        args.db.db.display(),
        secs,
        group((report.rows() as f64 / secs) as u64),
        group(report.appended()),
        group(report.duplicates()),
    )?;
    if rejects_written {
        let n = report.rejected.len() as u64;
        writeln!(
            out,
            "skipped {} bad {}, listed in {}",
            group(n),
            plural(n, "row", "rows"),
            args.rejects.display()
        )?;
    }
    Ok(())
}

/// 1234567 → "1,234,567"
pub fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A progress bar per file on a terminal; nothing when stderr is not one
/// (also `match --evaluate`'s).
pub(crate) struct Bar {
    bar: Option<ProgressBar>,
}

impl Bar {
    pub(crate) fn new() -> Bar {
        Bar { bar: None }
    }

    pub(crate) fn done(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

impl Progress for Bar {
    fn file_started(&mut self, file: &'static str, bytes: u64) {
        self.done();
        let bar = ProgressBar::with_draw_target(Some(bytes), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{prefix:>18} [{bar:30}] {percent:>3}% {msg} ETA {eta}")
                .expect("a valid template")
                .progress_chars("=> "),
        );
        bar.set_prefix(file);
        self.bar = Some(bar);
    }

    fn advanced(&mut self, bytes_read: u64, rows: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(bytes_read);
            let secs = bar.elapsed().as_secs_f64().max(1e-9);
            bar.set_message(format!(
                "{} rows, {} rows/s",
                group(rows),
                group((rows as f64 / secs) as u64)
            ));
        }
    }

    fn file_finished(&mut self, summary: &FileSummary) {
        if let Some(bar) = &self.bar {
            bar.println(format!("{:>18} {} rows", summary.file, group(summary.rows)));
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn groups_thousands() {
        assert_eq!(super::group(0), "0");
        assert_eq!(super::group(999), "999");
        assert_eq!(super::group(1000), "1,000");
        assert_eq!(super::group(1234567), "1,234,567");
    }
}
