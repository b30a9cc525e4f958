//! `accord export events`: the log as JSON lines of accord's wire format
//! (docs/wire.md), in log order, so a history can be fed to `accord ingest`
//! elsewhere.
//!
//! To a file, the lines go to a temporary file beside it, made durable and
//! renamed into place at the end: a failed or interrupted export leaves no
//! half-written file, and an existing file is replaced only with --force
//! (never the database itself).

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use accord_core::domain::Timestamp;
use accord_core::event::{Event, Origin};
use accord_store::{EventStore, SqliteStore, StoreError};

use super::out_file::{Place, Refused};
use super::{open_for_reading, CmdResult, DbArgs};

/// Write the log out.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    what: What,
}

#[derive(clap::Subcommand)]
enum What {
    Events(EventsArgs),
}

/// Write every stored event as one JSON line of accord's wire format
/// (docs/wire.md), in log order: the same lines `accord ingest` reads, so a
/// history exported here can be ingested elsewhere.
///
/// Each line names its type and where the event came from ("origin":
/// imported, ingested, {"engine": N} or {"person": WHO}). The engine's
/// decisions (agreement_adopted, owner_assigned, account_matched) are
/// written too; `accord ingest` refuses them, since the engine that reads
/// the export decides again.
///
/// Examples:
///   accord export events > history.jsonl
///   accord export events --from 2026-01-01 --out recent.jsonl
///   accord export events --db crm.db --out - | gzip > history.jsonl.gz
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct EventsArgs {
    /// Only events whose time is at or after T: YYYY-MM-DDTHH:MM:SSZ, or a
    /// day YYYY-MM-DD (from its 00:00:00Z). An event's time is when it
    /// happened (a lead's created_at, a touch's occurred_at, a target's
    /// first day of the month, …).
    #[arg(long, value_name = "T")]
    from: Option<String>,
    /// Write to FILE instead of standard output (`-`: standard output). An
    /// existing file is replaced only with --force.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Replace an existing --out file.
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    db: DbArgs,
}

pub fn run(args: Args) -> CmdResult {
    match args.what {
        What::Events(args) => events(args),
    }
}

fn events(args: EventsArgs) -> CmdResult {
    let from = args.from.as_deref().map(parse_from).transpose()?;
    let to_file = args.out.as_deref().filter(|p| *p != Path::new("-"));
    // Checked before the log is read: a refused --out costs nothing.
    let mut file = to_file
        .map(|path| OutFile::create(path, &args.db.db, args.force))
        .transpose()?;
    let started = Instant::now();
    let store = open_for_reading(&args.db)?;
    let total = store.counts()?.total();
    let bar = progress(total);

    let mut stdout = io::stdout().lock();
    let sink: &mut dyn Write = match file.as_mut() {
        Some(f) => &mut f.writer,
        None => &mut stdout,
    };
    let mut lines = Lines::new(sink);
    let mut seen = 0u64;
    scan_with_origin(&store, &mut |event, origin| {
        seen += 1;
        if seen & 0xFFFF == 0 {
            bar.set_position(seen);
        }
        if from.is_none_or(|from| event.occurred_at() >= from) {
            lines.push(&event, &origin);
        }
    })?;
    bar.finish_and_clear();
    let written = lines.finish()?;
    let place = match (file, &args.out) {
        (Some(file), _) => {
            file.finish()?;
            args.out
                .as_deref()
                .unwrap_or(Path::new("-"))
                .display()
                .to_string()
        }
        _ => "standard output".to_owned(),
    };
    eprintln!(
        "exported {written} of {seen} events to {place} in {:.2} s",
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

/// Every stored event in log order, with where it came from.
fn scan_with_origin(
    store: &SqliteStore,
    visit: &mut dyn FnMut(Event, Origin),
) -> Result<(), StoreError> {
    store.scan_decoded_entries_between(0, u64::MAX, &mut |origin, event| {
        visit(event, origin.clone())
    })
}

/// `--from`: a time, or a day from its first second.
fn parse_from(text: &str) -> Result<Timestamp, ExportError> {
    Timestamp::parse(text)
        .or_else(|_| Timestamp::parse(&format!("{text}T00:00:00Z")))
        .map_err(|_| ExportError::From {
            text: accord_core::shown::for_terminal(text, 64).0,
        })
}

fn progress(total: u64) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(total),
        indicatif::ProgressDrawTarget::stderr(),
    );
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "exporting [{bar:30}] {percent:>3}% {human_pos}/{human_len} events ETA {eta}",
        )
        .expect("a valid template")
        .progress_chars("=> "),
    );
    bar
}

/// Lines gathered in a buffer and written in large pieces. The scan cannot
/// be stopped from inside, so after a failed write (a full disk) the rest is
/// only counted, and the failure is returned at the end; a reader that
/// stopped early (`accord export events | head`) is not a failure.
struct Lines<'w> {
    sink: &'w mut dyn Write,
    buf: String,
    written: u64,
    failed: Option<io::Error>,
    closed: bool,
}

const FLUSH_BYTES: usize = 1 << 20;

impl<'w> Lines<'w> {
    fn new(sink: &'w mut dyn Write) -> Lines<'w> {
        Lines {
            sink,
            buf: String::with_capacity(FLUSH_BYTES + 4096),
            written: 0,
            failed: None,
            closed: false,
        }
    }

    fn push(&mut self, event: &Event, origin: &Origin) {
        if self.failed.is_some() || self.closed {
            return;
        }
        accord_wire::write_event(event, origin, &mut self.buf);
        self.buf.push('\n');
        self.written += 1;
        if self.buf.len() >= FLUSH_BYTES {
            self.flush();
        }
    }

    fn flush(&mut self) {
        match self.sink.write_all(self.buf.as_bytes()) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => self.closed = true,
            Err(e) => self.failed = Some(e),
        }
        self.buf.clear();
    }

    /// Writes what is left; the lines written, or the first failure.
    fn finish(mut self) -> Result<u64, io::Error> {
        self.flush();
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        match self.sink.flush() {
            Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(e),
            _ => Ok(self.written),
        }
    }
}

#[derive(Debug, thiserror::Error)]
enum ExportError {
    #[error("--from `{text}` is not a time (YYYY-MM-DDTHH:MM:SSZ) or a day (YYYY-MM-DD)")]
    From { text: String },
    #[error("{path} already exists; accord does not replace it (--force replaces it, or choose another --out file)")]
    Exists { path: PathBuf },
    #[error("{path} is the database ({db}): choose another --out file")]
    Database { path: PathBuf, db: PathBuf },
    #[error("cannot write {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
}

/// The --out file: written beside its path under a temporary name, made
/// durable and renamed into place by `finish`; removed if never finished.
struct OutFile {
    path: PathBuf,
    target: PathBuf,
    temp: PathBuf,
    writer: io::BufWriter<File>,
    done: bool,
}

impl OutFile {
    fn create(path: &Path, db: &Path, force: bool) -> Result<OutFile, ExportError> {
        let io = |source| ExportError::Io {
            path: path.to_path_buf(),
            source,
        };
        let place = Place::of(path).map_err(io)?;
        let (temp, file) = place.open_temp(db, force).map_err(|r| match r {
            Refused::Exists => ExportError::Exists {
                path: path.to_path_buf(),
            },
            Refused::Database => ExportError::Database {
                path: path.to_path_buf(),
                db: db.to_path_buf(),
            },
            Refused::Io(e) => io(e),
        })?;
        Ok(OutFile {
            path: path.to_path_buf(),
            target: place.target,
            temp,
            writer: io::BufWriter::new(file),
            done: false,
        })
    }

    /// Makes the written lines durable and puts them in place.
    fn finish(mut self) -> Result<(), ExportError> {
        let io = |source| ExportError::Io {
            path: self.path.clone(),
            source,
        };
        self.writer.flush().map_err(io)?;
        self.writer.get_ref().sync_all().map_err(io)?;
        std::fs::rename(&self.temp, &self.target).map_err(io)?;
        self.done = true;
        Ok(())
    }
}

impl Drop for OutFile {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}
