//! Import of the CSV contract into the event log.
//!
//! `import_dir` reads the contract's files in reference order, turns every row
//! into typed events (or refuses it with a `Problem` naming file, line and
//! column), and appends them in one store transaction:
//! - strict (default): if any row is refused, nothing is committed;
//! - `skip_invalid`: the valid rows are committed and every refused row is
//!   returned so the caller can write a rejects file.
//!
//! Parsing runs on the calling thread while a second thread appends batches to
//! the store, so the two costs overlap. Re-importing the same files is a no-op:
//! every event has its key, and the store skips a key it already holds with the
//! same content (and refuses one with different content, reported here as
//! `duplicate_id`).

pub mod contract;

use std::fs::File;
use std::io::{self, BufReader};
use std::path::{Path, PathBuf};

use accord_core::event::{Batch, Event, EventKind};
use accord_store::{AppendTx, EventStore, StoreError};
use contract::{parse_row, remember, FileKind, Known, Problem, Row};

pub use contract::Problem as RowProblemKind;

/// Events per appended batch: large enough to amortise a store round trip,
/// small enough to keep memory flat (a batch is ~0.5 MB).
const BATCH_EVENTS: usize = 8_192;
/// Batches in flight between the parser and the writer.
const QUEUE_BATCHES: usize = 4;

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
    /// Every row is read; `rejected` rows were refused by the parser.
    Finished {
        rejected: usize,
    },
}

/// What the writer thread found.
#[derive(Default)]
struct WriteResult {
    /// (file index, appended, duplicates)
    per_file: Vec<(u64, u64)>,
    /// Events refused by the store as conflicts: (file index, line, key).
    conflicts: Vec<(usize, u64, String)>,
    committed: bool,
}

/// Imports every contract file found in `dir` into `store`.
pub fn import_dir<S: EventStore + Send>(
    store: &mut S,
    dir: &Path,
    options: &Options,
    progress: &mut dyn Progress,
) -> Result<ImportReport, ImportError> {
    let present: Vec<FileKind> = FileKind::ORDER
        .into_iter()
        .filter(|k| dir.join(k.file_name()).is_file())
        .collect();
    if present.is_empty() {
        return Err(ImportError::NoContractFiles {
            dir: dir.to_path_buf(),
        });
    }
    let mut report = ImportReport {
        missing: FileKind::ORDER
            .into_iter()
            .filter(|k| !present.contains(k))
            .map(|k| k.file_name())
            .collect(),
        ..ImportReport::default()
    };

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

    let files = present.len();
    let skip_invalid = options.skip_invalid;
    let dry_run = options.dry_run;
    let (to_writer, from_parser) = crossbeam_channel::bounded::<Message>(QUEUE_BATCHES);
    // The store moves to the writer thread: a transaction cannot cross threads.
    let (parsed, written) = std::thread::scope(|scope| {
        let writer =
            scope.spawn(move || write_all(store, from_parser, files, skip_invalid, dry_run));
        let parsed = parse_files(dir, &present, &mut known, &to_writer, progress);
        let rejected = parsed.as_ref().map_or(0, |p| p.rejected.len());
        // If the writer already stopped on an error, it reports that error.
        let _ = to_writer.send(Message::Finished {
            rejected: if parsed.is_ok() { rejected } else { usize::MAX },
        });
        drop(to_writer);
        let written = writer.join().expect("the writer thread does not panic");
        (parsed, written)
    });
    let mut parsed = parsed?;
    let written = written?;
    report.committed = written.committed;

    for (file, line, key) in written.conflicts {
        parsed.rejected.push(Rejected {
            file: present[file].file_name(),
            line,
            problem: Problem::DuplicateId,
            message: format!("{key} is already stored with different content"),
        });
    }
    parsed.rejected.sort_by_key(|r| {
        (
            FileKind::ORDER.iter().position(|k| k.file_name() == r.file),
            r.line,
        )
    });
    for (i, summary) in parsed.files.iter_mut().enumerate() {
        summary.appended = written.per_file[i].0;
        summary.duplicates = written.per_file[i].1;
        summary.rejected = parsed
            .rejected
            .iter()
            .filter(|r| r.file == summary.file)
            .count() as u64;
    }
    report.files = parsed.files;
    report.rejected = parsed.rejected;
    Ok(report)
}

/// The writer thread: appends every batch in one transaction, then commits
/// when nothing was refused (or refused rows are to be skipped).
fn write_all<S: EventStore>(
    store: &mut S,
    from_parser: crossbeam_channel::Receiver<Message>,
    files: usize,
    skip_invalid: bool,
    dry_run: bool,
) -> Result<WriteResult, StoreError> {
    let mut tx = store.begin()?;
    let mut result = WriteResult {
        per_file: vec![(0, 0); files],
        ..WriteResult::default()
    };
    for message in from_parser {
        let chunk = match message {
            Message::Chunk(chunk) => chunk,
            Message::Finished { rejected } => {
                let clean = rejected == 0 && result.conflicts.is_empty();
                if rejected != usize::MAX && (clean || skip_invalid) && !dry_run {
                    tx.commit()?;
                    result.committed = true;
                }
                // Otherwise `tx` drops here, rolling everything back.
                return Ok(result);
            }
        };
        if dry_run {
            continue;
        }
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
    // The parser vanished without finishing: roll back.
    Ok(result)
}

struct Parsed {
    files: Vec<FileSummary>,
    rejected: Vec<Rejected>,
}

fn parse_files(
    dir: &Path,
    present: &[FileKind],
    known: &mut Known,
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
        let io_err = |source| ImportError::Io {
            path: path.clone(),
            source,
        };
        let handle = File::open(&path).map_err(io_err)?;
        let bytes = handle.metadata().map_err(io_err)?.len();
        progress.file_started(kind.file_name(), bytes);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .buffer_capacity(1 << 20)
            .from_reader(BufReader::with_capacity(1 << 20, handle));
        let csv_err = |source: csv::Error, line: u64| ImportError::Csv {
            path: path.clone(),
            line,
            source,
        };
        // A StringRecord checks UTF-8 once per row, not once per field.
        let mut record = csv::StringRecord::new();
        let columns = kind.columns();
        let header_ok = reader.read_record(&mut record).map_err(|e| csv_err(e, 1))?;
        let found: Vec<String> = record.iter().map(str::to_owned).collect();
        if !header_ok || found.iter().map(String::as_str).ne(columns.iter().copied()) {
            return Err(ImportError::Header {
                path: path.clone(),
                expected: columns.join(","),
                found: found.join(","),
            });
        }
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
                    });
                    continue;
                }
                Err(e) => return Err(csv_err(e, line)),
            }
            summary.rows += 1;
            if summary.rows.is_multiple_of(16_384) {
                progress.advanced(reader.position().byte(), summary.rows);
            }
            if record.len() != columns.len() {
                parsed.rejected.push(Rejected {
                    file: kind.file_name(),
                    line,
                    problem: Problem::WrongFieldCount,
                    message: format!(
                        "the row has {} fields, the header {}",
                        record.len(),
                        columns.len()
                    ),
                });
                continue;
            }
            events.clear();
            let row = Row {
                record: &record,
                columns,
            };
            if let Err(e) = parse_row(kind, &row, known, &mut events) {
                parsed.rejected.push(Rejected {
                    file: kind.file_name(),
                    line,
                    problem: e.problem,
                    message: e.message,
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
