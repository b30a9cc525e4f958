//! One contract file read row by row through the contract's parsing, for
//! callers that want the typed records without storing them (`accord match
//! --evaluate`). The header check is the import's own.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use accord_core::event::Event;

use crate::contract::{self, parse_row, remember, Known, Row, RowError};
use crate::{for_terminal, FileKind, ImportError, Problem, Progress};

/// A CSV reader over `path` as the import reads it (no header handling of
/// its own, rows of any length), and the file's size.
pub(crate) fn open(path: &Path) -> Result<(csv::Reader<BufReader<File>>, u64), ImportError> {
    let io_err = |source| ImportError::Io {
        path: path.to_path_buf(),
        source,
    };
    let handle = File::open(path).map_err(io_err)?;
    let bytes = handle.metadata().map_err(io_err)?.len();
    let reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(1 << 20)
        .from_reader(BufReader::with_capacity(1 << 20, handle));
    Ok((reader, bytes))
}

/// Reads the first line into `record` and checks it is `kind`'s header.
pub(crate) fn check_header(
    reader: &mut csv::Reader<BufReader<File>>,
    record: &mut csv::StringRecord,
    path: &Path,
    kind: FileKind,
) -> Result<(), ImportError> {
    let columns = kind.columns();
    let header_ok = reader
        .read_record(record)
        .map_err(|source| ImportError::Csv {
            path: path.to_path_buf(),
            line: 1,
            source,
        })?;
    let found: Vec<String> = record.iter().map(str::to_owned).collect();
    if !header_ok || found.iter().map(String::as_str).ne(columns.iter().copied()) {
        return Err(ImportError::Header {
            path: path.to_path_buf(),
            expected: columns.join(","),
            found: if header_ok {
                for_terminal(&found.join(","), 200)
            } else {
                "nothing: the file is empty".into()
            },
        });
    }
    Ok(())
}

/// What `read_rows` hands its caller for each row: the row's line and its
/// events, or why the contract refuses it.
pub type EachRow<'a> = &'a mut dyn FnMut(u64, Result<&[Event], RowError>);

/// Reads every data row of `path` (a `kind` file): each is parsed against
/// `known` (references to records read or stored before), and either its
/// events are handed to `each` with the row's line and remembered in
/// `known`, or the row's problem is. Only the contract's checks of one row
/// apply, not the rules across rows. Returns the number of data rows.
pub fn read_rows(
    path: &Path,
    kind: FileKind,
    known: &mut Known,
    progress: &mut dyn Progress,
    each: EachRow<'_>,
) -> Result<u64, ImportError> {
    let (mut reader, bytes) = open(path)?;
    progress.file_started(kind.file_name(), bytes);
    let mut record = csv::StringRecord::new();
    check_header(&mut reader, &mut record, path, kind)?;
    if kind == FileKind::Reps {
        // A rep may name a manager further down the file.
        known.reps =
            contract::valid_reps(path, &known.reps).map_err(|source| ImportError::Csv {
                path: path.to_path_buf(),
                line: 0,
                source,
            })?;
    }
    let columns = kind.columns();
    let mut events: Vec<Event> = Vec::with_capacity(2);
    let mut rows: u64 = 0;
    loop {
        let line = reader.position().line();
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) if matches!(e.kind(), csv::ErrorKind::Utf8 { .. }) => {
                rows += 1;
                each(
                    line,
                    Err(RowError::new(
                        Problem::BadText,
                        "the row is not valid UTF-8".into(),
                    )),
                );
                continue;
            }
            Err(source) => {
                return Err(ImportError::Csv {
                    path: path.to_path_buf(),
                    line,
                    source,
                })
            }
        }
        rows += 1;
        if rows.is_multiple_of(16_384) {
            progress.advanced(reader.position().byte(), rows);
        }
        if record.len() != columns.len() {
            each(
                line,
                Err(RowError::new(
                    Problem::WrongFieldCount,
                    format!(
                        "the row has {} fields, the header {}",
                        record.len(),
                        columns.len()
                    ),
                )),
            );
            continue;
        }
        events.clear();
        let row = Row {
            record: &record,
            columns,
        };
        match parse_row(kind, &row, known, &mut events) {
            Ok(()) => {
                for event in &events {
                    remember(event, known);
                }
                each(line, Ok(&events));
            }
            Err(e) => each(line, Err(e)),
        }
    }
    progress.advanced(bytes, rows);
    Ok(rows)
}
