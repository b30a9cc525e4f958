//! The log folded into [`Projections`]: one thread reads, decompresses and
//! decodes the log, another folds the events in, chunk by chunk, in log
//! order. Progress goes through [`Progress`] (a bar on a terminal).

use accord_core::event::{Event, EventKind};
use accord_report::Projections;
use accord_store::{EventStore, StoreError};

/// Told how a long computation advances: a fold of the log (called from the
/// folding thread, hence `Send`), then the reports computed from it.
pub trait Progress: Send {
    /// The fold starts; `total` events will be folded.
    fn started(&mut self, _total: u64) {}
    /// `folded` events are folded so far (every few thousand).
    fn advanced(&mut self, _folded: u64) {}
    /// Every event is folded.
    fn finished(&mut self) {}
    /// Every all-time report is being computed from the folded log.
    fn computing(&mut self) {}
    /// The reports are computed.
    fn computed(&mut self) {}
}

/// No progress shown.
pub struct Quiet;
impl Progress for Quiet {}

/// Events decoded before they are handed to the folding thread.
const CHUNK: usize = 4096;
/// Chunks in flight between the two threads.
const IN_FLIGHT: usize = 8;

/// The log up to `head` folded into projections.
pub fn fold_log<S: EventStore>(
    store: &S,
    head: u64,
    progress: &mut dyn Progress,
) -> Result<Projections, StoreError> {
    fold_log_skipping(store, head, false, progress)
}

/// [`fold_log`], leaving out every touch (undecoded) when `skip_touches`:
/// touches are nine events in ten, and several reports do not read them.
pub fn fold_log_skipping<S: EventStore>(
    store: &S,
    head: u64,
    skip_touches: bool,
    progress: &mut dyn Progress,
) -> Result<Projections, StoreError> {
    let counts = store.counts()?;
    let total = if skip_touches {
        counts.total() - counts.get(EventKind::Touched)
    } else {
        counts.total()
    };
    progress.started(total);
    let (send, receive) = std::sync::mpsc::sync_channel::<Vec<Event>>(IN_FLIGHT);
    std::thread::scope(|scope| {
        let folder = scope.spawn(move || {
            let mut projections = Projections::default();
            for chunk in receive {
                for event in &chunk {
                    projections.apply(event);
                }
                progress.advanced(projections.events);
            }
            progress.finished();
            projections
        });
        let mut chunk = Vec::with_capacity(CHUNK);
        let mut index: i64 = 0;
        let scanned = store.scan_bytes_between(0, head, &mut |bytes| {
            index += 1;
            if skip_touches && bytes.first() == Some(&EventKind::Touched.code()) {
                return Ok(());
            }
            let event = Event::decode(bytes)
                .map_err(|source| StoreError::Damaged { seq: index, source })?;
            chunk.push(event);
            if chunk.len() == CHUNK {
                // The folder only stops early by panicking, which join reports.
                let _ = send.send(std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK)));
            }
            Ok(())
        });
        if !chunk.is_empty() {
            let _ = send.send(chunk);
        }
        drop(send);
        let projections = folder.join().expect("the fold does not panic");
        scanned.map(|()| projections)
    })
}
