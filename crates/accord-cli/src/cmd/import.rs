//! `accord import DIR`: the CSV contract into the event log, all or nothing.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use accord_import::{import_dir, FileSummary, ImportReport, Options, Progress};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{open_store, open_store_for_dry_run, CmdResult, DbArgs};

/// Import a folder in the CSV contract (accounts.csv, reps.csv, campaigns.csv,
/// content.csv, leads.csv, touches.csv, transitions.csv, opportunities.csv,
/// targets.csv) into the event log.
///
/// The import is one transaction: if any row is bad, nothing is stored and
/// every bad row is listed as FILE:LINE: PROBLEM: DETAIL (exit 1). With
/// --skip-invalid the valid rows are stored and the bad ones are written to a
/// rejects CSV. Importing the same files again changes nothing: every row has
/// an id, and a stored id is skipped.
#[derive(clap::Args)]
pub struct Args {
    /// Folder holding the contract's CSV files.
    dir: PathBuf,
    #[command(flatten)]
    db: DbArgs,
    /// Read and check every row, but store nothing.
    #[arg(long, conflicts_with = "skip_invalid")]
    dry_run: bool,
    /// Store the valid rows and write the refused ones to --rejects.
    #[arg(long)]
    skip_invalid: bool,
    /// Where --skip-invalid writes refused rows (file,line,problem,message).
    #[arg(long, default_value = "accord-rejects.csv", value_name = "FILE")]
    rejects: PathBuf,
    /// Bad rows listed on stderr before the rest are only counted (0: all).
    #[arg(long, default_value_t = 50, value_name = "N")]
    max_errors: usize,
}

pub fn run(args: Args) -> CmdResult {
    let mut store = if args.dry_run {
        open_store_for_dry_run(&args.db)?
    } else {
        open_store(&args.db)?
    };
    let started = Instant::now();
    let mut progress = Bar::new();
    let report = import_dir(
        &mut store,
        &args.dir,
        &Options {
            skip_invalid: args.skip_invalid,
            dry_run: args.dry_run,
        },
        &mut progress,
    )?;
    progress.done();
    let elapsed = started.elapsed();
    let mut err = std::io::stderr().lock();

    if !report.rejected.is_empty() && !args.skip_invalid {
        let shown = if args.max_errors == 0 {
            report.rejected.len()
        } else {
            args.max_errors.min(report.rejected.len())
        };
        for r in &report.rejected[..shown] {
            writeln!(err, "{}:{}: {}: {}", r.file, r.line, r.problem, r.message)?;
        }
        if shown < report.rejected.len() {
            writeln!(
                err,
                "… and {} more bad rows (--max-errors 0 lists them all)",
                report.rejected.len() - shown
            )?;
        }
        writeln!(
            err,
            "error: {} bad rows in {}; nothing was imported. Fix them, or use --skip-invalid to store the {} valid rows and write the bad ones to a rejects file.",
            report.rejected.len(),
            args.dir.display(),
            report.rows() - report.rejected.len() as u64,
        )?;
        return Ok(ExitCode::FAILURE);
    }

    if args.dry_run {
        println!(
            "checked {} rows in {:.1} s: all valid (--dry-run: nothing stored)",
            group(report.rows()),
            elapsed.as_secs_f64()
        );
        return Ok(ExitCode::SUCCESS);
    }
    if args.skip_invalid && !report.rejected.is_empty() {
        write_rejects(&args.rejects, &report)?;
    }
    print_summary(&report, &args, elapsed)?;
    Ok(ExitCode::SUCCESS)
}

fn write_rejects(path: &PathBuf, report: &ImportReport) -> std::io::Result<()> {
    let mut w = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(w, "file,line,problem,message")?;
    for r in &report.rejected {
        writeln!(
            w,
            "{},{},{},\"{}\"",
            r.file,
            r.line,
            r.problem,
            r.message.replace('"', "\"\"")
        )?;
    }
    w.flush()
}

fn print_summary(report: &ImportReport, args: &Args, elapsed: Duration) -> std::io::Result<()> {
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
        group(report.rows()),
        args.dir.display(),
        args.db.db.display(),
        secs,
        group((report.rows() as f64 / secs) as u64),
        group(report.appended()),
        group(report.duplicates()),
    )?;
    if !report.rejected.is_empty() {
        writeln!(
            out,
            "skipped {} bad rows, listed in {}",
            group(report.rejected.len() as u64),
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

/// A progress bar per file on a terminal; nothing when stderr is not one.
struct Bar {
    bar: Option<ProgressBar>,
}

impl Bar {
    fn new() -> Bar {
        Bar { bar: None }
    }

    fn done(&mut self) {
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
