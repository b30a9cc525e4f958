//! The log folded into [`Projections`]: one thread reads, decompresses and
//! decodes the log, another folds the events in, chunk by chunk, in log
//! order. Progress goes through [`Progress`] (a bar on a terminal).

use accord_core::event::{DecodeError, Event, EventKind, Origin};
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
    /// The stored snapshot of the reports' state could not be read: it is
    /// rebuilt from the log (and stored again).
    fn snapshot_damaged(&mut self, _error: &accord_report::snapshot::SnapshotError) {}
    /// The reports' state could not be stored as a snapshot (a read-only or
    /// busy database, a full disk): nothing is lost, the next start folds
    /// the log again.
    fn snapshot_not_saved(&mut self, _error: &StoreError) {}
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
    decoded_beside(store, head, skip_touches, move |chunks| {
        let mut projections = Projections::default();
        for chunk in chunks {
            for (_, event) in chunk.iter() {
                projections.apply(event);
            }
            progress.advanced(projections.events);
        }
        progress.finished();
        projections
    })
}

type Decoded<T> = Vec<(Origin, T)>;

/// Decoded events, in log order, handed to the folding thread. Dropped
/// there, it goes back to the decoding thread, which frees the events
/// (their allocations are that thread's: freeing them on the folding
/// thread cost it a tenth of its time) and fills the vector again.
pub(crate) struct Chunk<T = Event> {
    events: Decoded<T>,
    back: std::sync::mpsc::Sender<Decoded<T>>,
}

impl<T> std::ops::Deref for Chunk<T> {
    type Target = [(Origin, T)];
    fn deref(&self) -> &Self::Target {
        &self.events
    }
}

impl<T> std::ops::DerefMut for Chunk<T> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.events
    }
}

impl<T> Drop for Chunk<T> {
    fn drop(&mut self) {
        // The decoding thread has finished when this fails: the events are
        // freed here then.
        let _ = self.back.send(std::mem::take(&mut self.events));
    }
}

/// Runs `fold` on a second thread over the log's events up to `head`, in
/// log order and in chunks, each event with its origin, while the calling
/// thread reads, decompresses and decodes them (leaving touches out,
/// undecoded, when `skip_touches`). A damaged event ends the scan with its
/// error; `fold` then sees the events before it.
pub(crate) fn decoded_beside<S, T, F>(
    store: &S,
    head: u64,
    skip_touches: bool,
    fold: F,
) -> Result<T, StoreError>
where
    S: EventStore,
    T: Send,
    F: FnOnce(&mut dyn Iterator<Item = Chunk>) -> T + Send,
{
    read_beside(
        store,
        head,
        |_, bytes| {
            if skip_touches && bytes.first() == Some(&EventKind::Touched.code()) {
                return Ok(None);
            }
            Event::decode(bytes).map(Some)
        },
        fold,
    )
}

/// [`decoded_beside`] with the calling thread's reading of each event's
/// origin and bytes given: `read` returns the item the fold sees (`None`:
/// skipped).
pub(crate) fn read_beside<S, I, T, R, F>(
    store: &S,
    head: u64,
    mut read: R,
    fold: F,
) -> Result<T, StoreError>
where
    S: EventStore,
    I: Send,
    T: Send,
    R: FnMut(&Origin, &[u8]) -> Result<Option<I>, DecodeError>,
    F: FnOnce(&mut dyn Iterator<Item = Chunk<I>>) -> T + Send,
{
    let (send, receive) = std::sync::mpsc::sync_channel::<Chunk<I>>(IN_FLIGHT);
    let (back, returned) = std::sync::mpsc::channel::<Decoded<I>>();
    let fresh = || match returned.try_recv() {
        Ok(mut used) => {
            used.clear();
            used
        }
        Err(_) => Vec::with_capacity(CHUNK),
    };
    std::thread::scope(|scope| {
        let folder = scope.spawn(move || fold(&mut receive.into_iter()));
        let mut chunk = fresh();
        let mut index: i64 = 0;
        let scanned = store.scan_entries_between(0, head, &mut |origin, bytes| {
            index += 1;
            let Some(item) =
                read(origin, bytes).map_err(|source| StoreError::Damaged { seq: index, source })?
            else {
                return Ok(());
            };
            chunk.push((origin.clone(), item));
            if chunk.len() == CHUNK {
                let events = std::mem::replace(&mut chunk, fresh());
                // The folder only stops early by panicking, which join reports.
                let _ = send.send(Chunk {
                    events,
                    back: back.clone(),
                });
            }
            Ok(())
        });
        if !chunk.is_empty() {
            let _ = send.send(Chunk {
                events: chunk,
                back,
            });
        }
        drop(send);
        let folded = folder.join().expect("the fold does not panic");
        scanned.map(|()| folded)
    })
}
