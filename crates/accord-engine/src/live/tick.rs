//! Time passing without an input: the engine fires what is due and the
//! firings are stored, decided from every stored event.
//!
//! The engine must have applied every event in the log before it decides
//! (a touch stored by another process may have met the clock that would
//! otherwise breach). So [`tick`] decides while holding the write lock:
//! inside the write transaction it checks that the log's head is the one
//! the engine reached; if another writer appended since, it lets the lock
//! go, applies their events ([`follow`]) and tries again. A firing is
//! either committed with its batch or not decided at all.

use accord_core::domain::Timestamp;
use accord_core::event::{Batch, Event};
use accord_decide::{Decided, Engine};
use accord_store::{AppendTx, EventStore, StoreError};

/// Why a tick stored nothing.
#[derive(Debug, thiserror::Error)]
pub enum TickError {
    /// The store failed before the engine decided anything: the engine is
    /// as it was; try again.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The engine fired, but storing the firings failed (the disk full, the
    /// database read-only): nothing was stored, and the engine holds
    /// decisions the log does not. Load the engine again before going on.
    #[error("{source}")]
    NotStored { fired: usize, source: StoreError },
    /// A firing's key is stored already: the engine and the log disagree
    /// (nothing was stored; load the engine again).
    #[error("the engine fired {key}, which the log holds already; nothing was stored (the engine is behind the log: load it again)")]
    Collided { key: String },
}

/// Applies the events stored after `*head` up to `upto` to the engine, in
/// log order (nothing is judged: others decided them), handing each to
/// `seen` after it is applied; `*head` becomes `upto`. Returns how many.
pub fn follow<S: EventStore>(
    store: &S,
    engine: &mut Engine,
    head: &mut u64,
    upto: u64,
    seen: &mut dyn FnMut(Event),
) -> Result<u64, StoreError> {
    let mut n = 0u64;
    if upto > *head {
        store.scan_decoded_entries_between(*head, upto, &mut |origin, event| {
            engine.apply(&event, origin);
            n += 1;
            seen(event);
        })?;
        *head = upto;
    }
    Ok(n)
}

/// Fires everything due strictly before `now` ([`Engine::tick`]) and stores
/// the firings in one transaction, committed before this returns, each with
/// the origin the engine gave it. `*head` is the log's head the engine has
/// applied everything up to; events another writer stored after it are
/// applied first (each handed to `seen`, in log order), and `*head` ends at
/// the log's head after the commit. Nothing due: no write lock is taken and
/// nothing is stored.
pub fn tick<S: EventStore>(
    store: &mut S,
    engine: &mut Engine,
    head: &mut u64,
    now: Timestamp,
    seen: &mut dyn FnMut(Event),
) -> Result<Vec<Decided>, TickError> {
    loop {
        let stored = store.head()?;
        follow(store, engine, head, stored, seen)?;
        if engine.next_due().is_none_or(|due| due >= now) {
            return Ok(Vec::new());
        }
        let mut tx = store.begin()?;
        if tx.head() != *head {
            // Another writer appended between the read and the lock.
            drop(tx);
            continue;
        }
        let fired = engine.tick(now);
        if fired.is_empty() {
            return Ok(fired);
        }
        let mut batch = Batch::default();
        for (event, origin) in &fired {
            batch.push_from(event, origin);
        }
        let not_stored = |source| TickError::NotStored {
            fired: fired.len(),
            source,
        };
        let outcome = tx.append(&batch).map_err(not_stored)?;
        if outcome.appended != fired.len() {
            // Under the lock at the engine's head, a stored key is the
            // engine's mistake: say which, store nothing.
            let at = outcome.conflicts.first().copied().unwrap_or(0);
            return Err(TickError::Collided {
                key: fired[at].0.key().to_string(),
            });
        }
        let after = tx.head();
        tx.commit().map_err(not_stored)?;
        *head = after;
        return Ok(fired);
    }
}
