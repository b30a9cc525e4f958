//! The reports' state ([`Live`]) stored beside the log with the log position
//! it reflects, so that a process (a report read, a restarted `accord run`)
//! resumes from it and folds only the events after it, instead of the whole
//! log.
//!
//! A snapshot is stored as views, all written in one transaction at one
//! head: `live/manifest` (the stamp line, then `cells N` and `bulk M`, the
//! number of pieces of each part) and the parts of [`Live::to_snapshot`] cut
//! into pieces of at most [`PART_BYTES`] (a database value has a size
//! limit): `live/cells/I` and `live/bulk/I`. A read at the snapshot's head
//! loads the cells part alone ([`cells_at`]). The stamp is the reports'
//! stamp (this build, the report definitions, the agreement's text) plus the
//! snapshot format: a snapshot under any other stamp is ignored and rebuilt,
//! never trusted; a damaged one (a piece missing or at another head, bytes
//! that fail their digest) is reported through
//! [`Progress::snapshot_damaged`] and rebuilt.

use accord_report::snapshot::{ReportCells, SnapshotError, FORMAT};
use accord_report::{Live, ReportTerms};
use accord_store::{EventStore, StoreError};

use crate::fold::{fold_log, Progress};

/// The largest piece of a stored snapshot.
pub const PART_BYTES: usize = 256 << 20;
/// Events folded onto a loaded snapshot per batch.
const BATCH: usize = 100_000;

const MANIFEST: &str = "live/manifest";

fn piece_name(part: &str, i: usize) -> String {
    format!("live/{part}/{i}")
}

/// The stamp of a snapshot of reports stamped `reports_stamp`.
pub fn snapshot_stamp(reports_stamp: &str) -> String {
    format!("{reports_stamp}; live snapshot {FORMAT}")
}

/// What [`load`] found.
#[derive(Debug)]
pub enum Found {
    /// A snapshot of this stamp, taken at log position `head`.
    Loaded { live: Box<Live>, head: u64 },
    /// None stored, or one under another stamp (another build or agreement).
    Absent,
    /// One under this stamp that cannot be read.
    Damaged(SnapshotError),
}

/// How [`resume`] got its state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resumed {
    /// From the snapshot at `at`, then `folded` newer events.
    Snapshot { at: u64, folded: u64 },
    /// From the whole log (no usable snapshot).
    Log,
}

/// The stored manifest: its head, whether it is of this stamp, and the
/// pieces of each part.
struct Manifest {
    head: u64,
    ours: bool,
    cells: usize,
    bulk: usize,
}

fn manifest<S: EventStore>(store: &S, stamp: &str) -> Result<Option<Manifest>, StoreError> {
    let Some((head, body)) = store.view(MANIFEST)? else {
        return Ok(None);
    };
    let text = String::from_utf8_lossy(&body);
    let mut lines = text.lines();
    let ours = lines.next() == Some(snapshot_stamp(stamp).as_str());
    let mut count = |word: &str| {
        lines
            .next()
            .and_then(|l| l.strip_prefix(word))
            .and_then(|n| n.trim().parse().ok())
    };
    let (cells, bulk) = (count("cells"), count("bulk"));
    Ok(Some(Manifest {
        head,
        ours: ours && cells.is_some() && bulk.is_some(),
        cells: cells.unwrap_or(0),
        bulk: bulk.unwrap_or(0),
    }))
}

/// Stores `live`, the state at log position `head`, as the snapshot.
pub fn save<S: EventStore>(
    store: &mut S,
    live: &Live,
    head: u64,
    reports_stamp: &str,
) -> Result<(), StoreError> {
    let snap = live.to_snapshot();
    let cells: Vec<&[u8]> = snap.cells.chunks(PART_BYTES).collect();
    let bulk: Vec<&[u8]> = snap.bulk.chunks(PART_BYTES).collect();
    // Pieces beyond this snapshot's counts, left by a larger one, are emptied.
    let before = manifest(store, reports_stamp)?;
    let text = format!(
        "{}\ncells {}\nbulk {}\n",
        snapshot_stamp(reports_stamp),
        cells.len(),
        bulk.len()
    );
    let mut named: Vec<(String, &[u8])> = Vec::new();
    for (part, pieces, old) in [
        ("cells", &cells, before.as_ref().map_or(0, |m| m.cells)),
        ("bulk", &bulk, before.as_ref().map_or(0, |m| m.bulk)),
    ] {
        for i in 0..pieces.len().max(old) {
            named.push((piece_name(part, i), pieces.get(i).copied().unwrap_or(&[])));
        }
    }
    let mut views: Vec<(&str, &[u8])> = vec![(MANIFEST, text.as_bytes())];
    views.extend(named.iter().map(|(n, b)| (n.as_str(), *b)));
    store.put_views(head, &views)
}

/// The pieces of `part` joined, if every one is at `head`.
fn part<S: EventStore>(
    store: &S,
    part: &str,
    count: usize,
    head: u64,
) -> Result<Option<Vec<u8>>, StoreError> {
    let mut bytes = Vec::new();
    for i in 0..count {
        match store.view(&piece_name(part, i))? {
            Some((at, piece)) if at == head => bytes.extend_from_slice(&piece),
            _ => return Ok(None),
        }
    }
    Ok(Some(bytes))
}

/// Every report, from the stored snapshot's cells part alone, when the
/// snapshot is of this stamp and at log position `head` (none otherwise, or
/// when the part cannot be read: [`resume`] then tells and rebuilds).
pub fn cells_at<S: EventStore>(
    store: &S,
    head: u64,
    reports_stamp: &str,
    terms: ReportTerms,
) -> Result<Option<ReportCells>, StoreError> {
    let Some(m) = manifest(store, reports_stamp)? else {
        return Ok(None);
    };
    if !m.ours || m.head != head {
        return Ok(None);
    }
    Ok(part(store, "cells", m.cells, head)?
        .and_then(|bytes| ReportCells::from_snapshot(&bytes, terms).ok()))
}

/// The stored snapshot, if it is of this stamp and whole.
pub fn load<S: EventStore>(
    store: &S,
    reports_stamp: &str,
    terms: ReportTerms,
) -> Result<Found, StoreError> {
    let Some(m) = manifest(store, reports_stamp)? else {
        return Ok(Found::Absent);
    };
    if !m.ours {
        return Ok(Found::Absent);
    }
    let damaged = || Found::Damaged(SnapshotError::NotASnapshot);
    let (Some(cells), Some(bulk)) = (
        part(store, "cells", m.cells, m.head)?,
        part(store, "bulk", m.bulk, m.head)?,
    ) else {
        return Ok(damaged());
    };
    Ok(match Live::from_snapshot(&cells, &bulk, terms) {
        Ok(live) => Found::Loaded {
            live: Box::new(live),
            head: m.head,
        },
        Err(e) => Found::Damaged(e),
    })
}

/// The reports' state at log position `head`: the stored snapshot with the
/// events after it folded in when there is a usable one at or before
/// `head`, else the whole log folded.
pub fn resume<S: EventStore>(
    store: &S,
    head: u64,
    terms: ReportTerms,
    reports_stamp: &str,
    progress: &mut dyn Progress,
) -> Result<(Live, Resumed), StoreError> {
    match load(store, reports_stamp, terms)? {
        Found::Loaded { live, head: at } if at <= head => {
            let mut live = *live;
            let folded = fold_after(store, &mut live, at, head)?;
            return Ok((live, Resumed::Snapshot { at, folded }));
        }
        Found::Damaged(e) => progress.snapshot_damaged(&e),
        Found::Loaded { .. } | Found::Absent => {}
    }
    let projections = fold_log(store, head, progress)?;
    progress.computing();
    let live = Live::build(terms, projections);
    progress.computed();
    Ok((live, Resumed::Log))
}

/// Folds the events after position `at` up to `head` into `live`, in
/// batches; returns how many.
fn fold_after<S: EventStore>(
    store: &S,
    live: &mut Live,
    at: u64,
    head: u64,
) -> Result<u64, StoreError> {
    let mut batch = Vec::new();
    let mut folded = 0;
    store.scan_between(at, head, &mut |event| {
        batch.push(event);
        if batch.len() == BATCH {
            live.apply(&batch);
            folded += batch.len() as u64;
            batch.clear();
        }
    })?;
    live.apply(&batch);
    folded += batch.len() as u64;
    Ok(folded)
}
