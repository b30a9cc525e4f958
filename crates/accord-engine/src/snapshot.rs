//! The reports' state ([`Live`]) stored beside the log with the log position
//! it reflects, so that a process (a report read, a restarted `accord run`)
//! resumes from it and folds only the events after it, instead of the whole
//! log.
//!
//! A snapshot is stored as views: `live/manifest` (the stamp line, then the
//! number of parts) and `live/part/N`, the bytes of
//! [`Live::to_snapshot`] cut into parts of at most [`PART_BYTES`] (a
//! database value has a size limit), all written in one transaction at one
//! head. The stamp is the reports' stamp (this build, the report
//! definitions, the agreement's text) plus the snapshot format: a snapshot
//! under any other stamp is ignored and rebuilt, never trusted; a damaged
//! one (a part missing or at another head, bytes that fail their digest) is
//! reported through [`Progress::snapshot_damaged`] and rebuilt.

use accord_report::snapshot::{SnapshotError, FORMAT};
use accord_report::{Live, ReportTerms};
use accord_store::{EventStore, StoreError};

use crate::fold::{fold_log, Progress};

/// The largest part of a stored snapshot.
pub const PART_BYTES: usize = 256 << 20;
/// Events folded onto a loaded snapshot per batch.
const BATCH: usize = 100_000;

const MANIFEST: &str = "live/manifest";

fn part_name(i: usize) -> String {
    format!("live/part/{i}")
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

/// Stores `live`, the state at log position `head`, as the snapshot.
pub fn save<S: EventStore>(
    store: &mut S,
    live: &Live,
    head: u64,
    reports_stamp: &str,
) -> Result<(), StoreError> {
    let bytes = live.to_snapshot();
    let parts: Vec<&[u8]> = bytes.chunks(PART_BYTES).collect();
    // Parts beyond this snapshot's count, left by a larger one, are emptied.
    let before = stored_count(store)?.unwrap_or(0);
    let manifest = format!("{}\n{}\n", snapshot_stamp(reports_stamp), parts.len());
    let names: Vec<String> = (0..parts.len().max(before)).map(part_name).collect();
    let mut views: Vec<(&str, &[u8])> = vec![(MANIFEST, manifest.as_bytes())];
    for (i, name) in names.iter().enumerate() {
        views.push((name, parts.get(i).copied().unwrap_or(&[])));
    }
    store.put_views(head, &views)
}

/// The number of parts the stored manifest names, whatever its stamp.
fn stored_count<S: EventStore>(store: &S) -> Result<Option<usize>, StoreError> {
    Ok(store.view(MANIFEST)?.and_then(|(_, body)| {
        let text = String::from_utf8(body).ok()?;
        text.lines().nth(1)?.parse().ok()
    }))
}

/// The stored snapshot, if it is of this stamp and whole.
pub fn load<S: EventStore>(
    store: &S,
    reports_stamp: &str,
    terms: ReportTerms,
) -> Result<Found, StoreError> {
    let Some((head, manifest)) = store.view(MANIFEST)? else {
        return Ok(Found::Absent);
    };
    let text = String::from_utf8_lossy(&manifest);
    let mut lines = text.lines();
    if lines.next() != Some(snapshot_stamp(reports_stamp).as_str()) {
        return Ok(Found::Absent);
    }
    let damaged = || Found::Damaged(SnapshotError::NotASnapshot);
    let Some(count) = lines.next().and_then(|n| n.parse::<usize>().ok()) else {
        return Ok(damaged());
    };
    let mut bytes = Vec::new();
    for i in 0..count {
        match store.view(&part_name(i))? {
            Some((at, part)) if at == head => bytes.extend_from_slice(&part),
            _ => return Ok(damaged()),
        }
    }
    Ok(match Live::from_snapshot(&bytes, terms) {
        Ok(live) => Found::Loaded {
            live: Box::new(live),
            head,
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
