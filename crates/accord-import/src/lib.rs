//! Import of the CSV contract into the event log.
//!
//! `import_folder` takes a folder looked over by `Folder::inspect` (which
//! files, the time bound from meta.json or the present), reads the contract's
//! files in reference order, turns every row into typed events (or refuses it
//! with a `Problem` naming file, line and column: `contract.rs` for one row,
//! `rules.rs` for the rules across rows and against the stored events), and
//! appends them in one store transaction:
//! - strict (default): if any row is refused, nothing is committed;
//! - `skip_invalid`: the valid rows are committed and every refused row is
//!   returned;
//! - `dry_run`: everything an import does, appends included, then a rollback.
//!
//! The caller's `before_commit` runs after the last append and before the
//! commit (the CLI writes its rejects file there), so nothing that can fail
//! is left for after the commit.
//!
//! Parsing runs on the calling thread while a second thread appends batches to
//! the store, so the two costs overlap. Re-importing the same files is a no-op:
//! every event has its key, and the store skips a key it already holds with the
//! same content (and refuses one with different content, reported here as
//! `duplicate_id`).

pub mod contract;
pub mod folder;
mod rows;
pub mod rules;

use std::io;
use std::path::{Path, PathBuf};

use accord_core::event::{Batch, Event, EventKind};
use accord_store::{AppendTx, EventStore, StoreError};
use contract::{parse_row, remember, Known, Row, RowError};
pub use contract::{FileKind, Problem};
pub use folder::{Bound, BoundSource, Folder, Warning, CLOCK_SKEW_SECONDS};
pub use rows::{read_rows, EachRow};
use rules::{Loaded, Rules};

/// Events per appended batch: large enough to amortise a store round trip,
/// small enough to keep memory flat (a batch is ~0.5 MB).
pub const BATCH_EVENTS: usize = 8_192;
/// Batches in flight between the parser and the writer.
pub const QUEUE_BATCHES: usize = 4;

#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Commit the valid rows and return the refused ones instead of failing.
    pub skip_invalid: bool,
    /// Read and check every row, store nothing.
    pub dry_run: bool,
}

/// A refused row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejected {
    pub file: &'static str,
    /// Physical line of the row's start (the header is line 1).
    pub line: u64,
    pub problem: Problem,
    pub message: String,
    /// For `unknown_reference`: the file the missing record would be in.
    pub refers_to: Option<FileKind>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileSummary {
    pub file: &'static str,
    pub rows: u64,
    pub appended: u64,
    pub duplicates: u64,
    pub rejected: u64,
}

#[derive(Clone, Debug, Default)]
pub struct ImportReport {
    pub files: Vec<FileSummary>,
    /// Contract files not present in the folder.
    pub missing: Vec<&'static str>,
    /// Every refused row, in file order then line order.
    pub rejected: Vec<Rejected>,
    /// Whether the transaction was committed.
    pub committed: bool,
    /// What reading the stored state for the cross-row rules cost.
    pub loaded: Loaded,
}

impl ImportReport {
    pub fn rows(&self) -> u64 {
        self.files.iter().map(|f| f.rows).sum()
    }
    pub fn appended(&self) -> u64 {
        self.files.iter().map(|f| f.appended).sum()
    }
    pub fn duplicates(&self) -> u64 {
        self.files.iter().map(|f| f.duplicates).sum()
    }
    /// Rows read and not refused.
    pub fn accepted(&self) -> u64 {
        self.rows() - self.rejected.len() as u64
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("{path}:{line}: {source}")]
    Csv {
        path: PathBuf,
        line: u64,
        source: csv::Error,
    },
    #[error("{path}:1: the header does not match the contract\n  expected: {expected}\n     found: {found}")]
    Header {
        path: PathBuf,
        expected: String,
        found: String,
    },
    #[error("{dir}: holds none of the contract's files ({})", FileKind::ORDER.map(|f| f.file_name()).join(", "))]
    NoContractFiles { dir: PathBuf },
    #[error("{path}: {reason} (meta.json is optional: fix it or remove it)")]
    Meta { path: PathBuf, reason: String },
    /// What the caller had to do before the commit failed; nothing was committed.
    #[error("{0}; nothing was imported")]
    BeforeCommit(Box<dyn std::error::Error + Send + Sync>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Told about progress as files are read (a progress bar, or nothing).
pub trait Progress {
    fn file_started(&mut self, _file: &'static str, _bytes: u64) {}
    /// Called every few thousand rows with the byte offset reached.
    fn advanced(&mut self, _bytes_read: u64, _rows: u64) {}
    fn file_finished(&mut self, _summary: &FileSummary) {}
}

/// Reports nothing.
pub struct Silent;
impl Progress for Silent {}

/// Where each event of a batch came from.
struct Origin {
    file: usize,
    line: u64,
}

struct Chunk {
    batch: Batch,
    origins: Vec<Origin>,
}

/// What the parser sends the writer.
enum Message {
    Chunk(Chunk),
    /// Every row is read and sent.
    Finished,
}

/// What the writer thread found.
#[derive(Default)]
struct WriteResult {
    /// (file index, appended, duplicates)
    per_file: Vec<(u64, u64)>,
    /// Events refused by the store as conflicts: (file index, line, key).
    conflicts: Vec<(usize, u64, String)>,
}

/// Called once every row is read and appended, only when the import is
/// about to commit: whatever must not fail after the commit (writing the
/// rejects file) is done here; an error rolls the import back.
pub type BeforeCommit<'a> =
    &'a mut dyn FnMut(&ImportReport) -> Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// Imports every contract file of `dir` into `store`, the rows' time bound
/// being meta.json's `as_of` or the present (this machine's clock).
pub fn import_dir<S: EventStore + Send>(
    store: &mut S,
    dir: &Path,
    options: &Options,
    progress: &mut dyn Progress,
) -> Result<ImportReport, ImportError> {
    let folder = Folder::inspect(dir, now())?;
    import_folder(store, &folder, options, progress, &mut |_| Ok(()))
}

/// The present, from the system clock (a clock before 1970 reads as 1970).
pub fn now() -> accord_core::domain::Timestamp {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    accord_core::domain::Timestamp::from_unix_seconds(seconds)
}

/// Imports every contract file of `folder` into `store`.
///
/// A dry run takes the same path as an import, appends included, and rolls
/// back at the end, so it finds exactly what the import would.
pub fn import_folder<S: EventStore + Send>(
    store: &mut S,
    folder: &Folder,
    options: &Options,
    progress: &mut dyn Progress,
    before_commit: BeforeCommit<'_>,
) -> Result<ImportReport, ImportError> {
    let present = &folder.present;
    let mut known = Known::default();
    for (kind, set) in [
        (EventKind::RepRecorded, &mut known.reps),
        (EventKind::AccountRecorded, &mut known.accounts),
        (EventKind::CampaignRecorded, &mut known.campaigns),
        (EventKind::ContentPublished, &mut known.content),
        (EventKind::LeadCreated, &mut known.leads),
    ] {
        for id in store.ids(kind)? {
            set.insert(&id);
        }
    }
    let mut rules = Rules::new(folder.bound);
    let loaded = rules.load(store)?;

    let files = present.len();
    let (to_writer, from_parser) = crossbeam_channel::bounded::<Message>(QUEUE_BATCHES);
    let (to_parser, from_writer) = crossbeam_channel::bounded::<WriteResult>(1);
    let (decide, decision) = crossbeam_channel::bounded::<bool>(1);
    // The store moves to the writer thread: a transaction cannot cross threads.
    std::thread::scope(|scope| {
        let writer = scope.spawn(move || write_all(store, from_parser, to_parser, decision, files));
        let driven = (|| {
            let parsed = parse_files(
                &folder.dir,
                present,
                &mut known,
                &mut rules,
                &to_writer,
                progress,
            )
            .map_err(Stop::Failed)?;
            to_writer
                .send(Message::Finished)
                .map_err(|_| Stop::Writer)?;
            let written = from_writer.recv().map_err(|_| Stop::Writer)?;
            let mut report = merge(folder, parsed, written);
            report.loaded = loaded;
            let commit = !options.dry_run && (report.rejected.is_empty() || options.skip_invalid);
            if commit {
                if let Err(e) = before_commit(&report) {
                    let _ = decide.send(false);
                    return Err(Stop::Failed(ImportError::BeforeCommit(e)));
                }
            }
            decide.send(commit).map_err(|_| Stop::Writer)?;
            Ok(report)
        })();
        // Unblocks the writer whatever happened above.
        drop(to_writer);
        drop(decide);
        let written = writer.join().expect("the writer thread does not panic");
        match (driven, written) {
            // The writer stopped on a store error: that is what went wrong.
            (_, Err(e)) => Err(ImportError::Store(e)),
            (Err(Stop::Failed(e)), Ok(_)) => Err(e),
            (Err(Stop::Writer), Ok(_)) => unreachable!("the writer stops early only on an error"),
            (Ok(mut report), Ok(committed)) => {
                report.committed = committed;
                Ok(report)
            }
        }
    })
}

/// Why the parser side stopped before the end.
enum Stop {
    Failed(ImportError),
    /// The writer is gone; its own result says why.
    Writer,
}

/// The parser's and the writer's findings as one report: every refused row
/// once, in file then line order.
fn merge(folder: &Folder, mut parsed: Parsed, written: WriteResult) -> ImportReport {
    for (file, line, key) in written.conflicts {
        parsed.rejected.push(Rejected {
            file: folder.present[file].file_name(),
            line,
            problem: Problem::DuplicateId,
            message: format!("{key} is already stored with different content"),
            refers_to: None,
        });
    }
    let order = |r: &Rejected| {
        (
            FileKind::ORDER.iter().position(|k| k.file_name() == r.file),
            r.line,
        )
    };
    // Stable: a row's first finding stays first.
    parsed.rejected.sort_by_key(order);
    parsed.rejected.dedup_by_key(|r| order(r));
    for (i, summary) in parsed.files.iter_mut().enumerate() {
        summary.appended = written.per_file[i].0;
        summary.duplicates = written.per_file[i].1;
        summary.rejected = parsed
            .rejected
            .iter()
            .filter(|r| r.file == summary.file)
            .count() as u64;
    }
    ImportReport {
        files: parsed.files,
        missing: folder.missing.iter().map(|k| k.file_name()).collect(),
        rejected: parsed.rejected,
        committed: false,
        loaded: Loaded::default(),
    }
}

/// The writer thread: appends every batch in one transaction; once the
/// parser is finished, reports what the store found and commits only when
/// told to (dropping the transaction rolls it back).
fn write_all<S: EventStore>(
    store: &mut S,
    from_parser: crossbeam_channel::Receiver<Message>,
    to_parser: crossbeam_channel::Sender<WriteResult>,
    decision: crossbeam_channel::Receiver<bool>,
    files: usize,
) -> Result<bool, StoreError> {
    let mut tx = store.begin()?;
    let mut result = WriteResult {
        per_file: vec![(0, 0); files],
        ..WriteResult::default()
    };
    for message in &from_parser {
        let chunk = match message {
            Message::Chunk(chunk) => chunk,
            Message::Finished => {
                if to_parser.send(result).is_err() {
                    return Ok(false);
                }
                if decision.recv() == Ok(true) {
                    tx.commit()?;
                    return Ok(true);
                }
                return Ok(false);
            }
        };
        let outcome = tx.append(&chunk.batch)?;
        for &i in &outcome.conflicts {
            let (kind, id, _) = chunk.batch.get(i);
            let origin = &chunk.origins[i];
            result
                .conflicts
                .push((origin.file, origin.line, format!("{kind} {id}")));
        }
        // A batch never spans two files (the parser flushes at each file's
        // end), so its counts belong to its first event's file.
        let first = chunk.origins.first().map_or(0, |o| o.file);
        result.per_file[first].0 += outcome.appended as u64;
        result.per_file[first].1 += outcome.duplicates as u64;
    }
    // The parser stopped without finishing: roll back.
    Ok(false)
}

struct Parsed {
    files: Vec<FileSummary>,
    rejected: Vec<Rejected>,
}

fn parse_files(
    dir: &Path,
    present: &[FileKind],
    known: &mut Known,
    rules: &mut Rules,
    to_writer: &crossbeam_channel::Sender<Message>,
    progress: &mut dyn Progress,
) -> Result<Parsed, ImportError> {
    let mut parsed = Parsed {
        files: Vec::new(),
        rejected: Vec::new(),
    };
    let mut chunk = Chunk {
        batch: Batch::default(),
        origins: Vec::with_capacity(BATCH_EVENTS),
    };
    let mut events: Vec<Event> = Vec::with_capacity(2);
    for (file_index, &kind) in present.iter().enumerate() {
        let path = dir.join(kind.file_name());
        let (mut reader, bytes) = rows::open(&path)?;
        progress.file_started(kind.file_name(), bytes);
        let csv_err = |source: csv::Error, line: u64| ImportError::Csv {
            path: path.clone(),
            line,
            source,
        };
        // A StringRecord checks UTF-8 once per row, not once per field.
        let mut record = csv::StringRecord::new();
        let columns = kind.columns();
        rows::check_header(&mut reader, &mut record, &path, kind)?;
        if kind == FileKind::Reps {
            // A rep may name a manager further down the file.
            known.reps = contract::valid_reps(&path, &known.reps).map_err(|e| csv_err(e, 0))?;
        }
        let mut summary = FileSummary {
            file: kind.file_name(),
            ..FileSummary::default()
        };
        loop {
            let line = reader.position().line();
            match reader.read_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) if matches!(e.kind(), csv::ErrorKind::Utf8 { .. }) => {
                    summary.rows += 1;
                    parsed.rejected.push(Rejected {
                        file: kind.file_name(),
                        line,
                        problem: Problem::BadText,
                        message: "the row is not valid UTF-8".into(),
                        refers_to: None,
                    });
                    continue;
                }
                Err(e) => return Err(csv_err(e, line)),
            }
            summary.rows += 1;
            if summary.rows.is_multiple_of(16_384) {
                progress.advanced(reader.position().byte(), summary.rows);
            }
            let checked = if record.len() != columns.len() {
                Err(RowError::new(
                    Problem::WrongFieldCount,
                    format!(
                        "the row has {} fields, the header {}",
                        record.len(),
                        columns.len()
                    ),
                ))
            } else {
                events.clear();
                let row = Row {
                    record: &record,
                    columns,
                };
                parse_row(kind, &row, known, &mut events).and_then(|()| rules.admit(line, &events))
            };
            if let Err(e) = checked {
                if kind == FileKind::Transitions {
                    rules.refused_transition(record.get(1), line);
                }
                parsed.rejected.push(Rejected {
                    file: kind.file_name(),
                    line,
                    problem: e.problem,
                    message: e.message,
                    refers_to: e.refers_to,
                });
                continue;
            }
            for event in &events {
                remember(event, known);
                chunk.batch.push(event);
                chunk.origins.push(Origin {
                    file: file_index,
                    line,
                });
            }
            if chunk.batch.len() >= BATCH_EVENTS {
                let full = std::mem::replace(
                    &mut chunk,
                    Chunk {
                        batch: Batch::default(),
                        origins: Vec::with_capacity(BATCH_EVENTS),
                    },
                );
                if to_writer.send(Message::Chunk(full)).is_err() {
                    // The writer stopped on a store error; it reports it.
                    return Ok(parsed);
                }
            }
        }
        // A batch never spans two files, so per-file counts stay exact.
        if !chunk.batch.is_empty() {
            let full = std::mem::replace(
                &mut chunk,
                Chunk {
                    batch: Batch::default(),
                    origins: Vec::with_capacity(BATCH_EVENTS),
                },
            );
            if to_writer.send(Message::Chunk(full)).is_err() {
                return Ok(parsed);
            }
        }
        progress.advanced(bytes, summary.rows);
        progress.file_finished(&summary);
        parsed.files.push(summary);
    }
    Ok(parsed)
}

/// A line from a file as an error shows it: escaped, cut after `max`
/// characters with how many more there were.
fn for_terminal(text: &str, max: usize) -> String {
    match accord_core::shown::for_terminal(text, max) {
        (shown, 0) => shown,
        (shown, cut) => format!("{shown}… ({cut} more characters)"),
    }
}
