//! The event log behind one storage interface.
//!
//! The log is append-only. Every event has a unique key (kind + id); appending
//! a key that is already stored is a no-op when the bytes are the same and a
//! *conflict* when they differ — a conflicting event is never stored. Appends
//! happen inside a transaction: nothing is visible or durable until `commit`,
//! and dropping an uncommitted transaction rolls it back.
//!
//! Beside the log, a store keeps *views*: bytes derived from the log (a
//! finished report, say), each tagged with the log's head it was computed at,
//! so a reader can tell a current view from a stale one without replaying.
//!
//! `SqliteStore` is the embedded backend. A PostgreSQL backend will implement
//! the same traits; nothing SQLite-specific crosses this crate's API.

pub mod hooks;
pub mod models;
mod sqlite;
pub mod tokens;

use accord_core::event::{Batch, DecodeError, Event, EventKind, Origin};

pub use hooks::HookStore;
pub use models::{ModelRecord, ModelStore, NewModel};
pub use sqlite::{Access, SqliteStore, SqliteTx};
pub use tokens::{NewToken, TokenRecord, TokenStore};

/// Why the store could not do what was asked, in words a user can act on.
/// No backend type or message crosses this boundary except in `Backend`,
/// the last resort for what the others do not name.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no database at {path}")]
    Missing { path: String },
    #[error("{path} is {what}, not a database file")]
    NotAFile { path: String, what: &'static str },
    #[error("{path}: the folder {folder} does not exist")]
    NoFolder { path: String, folder: String },
    #[error("{path}: not an accord database ({what})")]
    NotAccord { path: String, what: &'static str },
    #[error("{path}: written by a newer accord (store format {found}, this build reads up to {supported})")]
    TooNew {
        path: String,
        found: i64,
        supported: i64,
    },
    #[error("another accord process is writing to {path}; waited {waited_secs} s")]
    Busy { path: String, waited_secs: u64 },
    #[error("{path} cannot be written (a read-only file or folder)")]
    ReadOnly { path: String },
    #[error("{path} cannot be opened, or the files kept beside it ({path}-wal, {path}-shm, {path}-journal) cannot be created: check the folder's permissions")]
    CannotOpen { path: String },
    #[error("{path} was removed or replaced while accord had it open; nothing was written: run the command again")]
    Replaced { path: String },
    #[error("{path}: the disk is full; nothing was committed")]
    Full { path: String },
    #[error(
        "{path}: the database file is damaged (its pages do not read back); nothing was changed"
    )]
    Corrupt { path: String },
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("stored event at log position {seq} is damaged: {source}")]
    Damaged { seq: i64, source: DecodeError },
    #[error("{path}: a model v{version} is stored already; nothing was stored")]
    ModelExists { path: String, version: u32 },
    #[error("{path}: stored model v{version} is damaged (its bytes do not match their digest)")]
    ModelDamaged { path: String, version: u32 },
    #[error("{path}: storage error: {detail}")]
    Backend { path: String, detail: String },
}

/// What `scan_entries_between` calls with each event's origin and stored bytes.
pub type VisitEntry<'a> = dyn FnMut(&Origin, &[u8]) -> Result<(), StoreError> + 'a;

/// A stored event and where it came from.
pub type Entry = (Origin, Event);

/// What happened to each event of an appended batch.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AppendOutcome {
    /// Events newly stored.
    pub appended: usize,
    /// Events whose key was already stored with the same bytes (no-ops).
    pub duplicates: usize,
    /// Positions in the batch of events whose key was already stored with
    /// different bytes; they were not stored.
    pub conflicts: Vec<usize>,
}

/// Events stored, per kind.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub by_kind: Vec<(EventKind, u64)>,
}

impl Counts {
    pub fn get(&self, kind: EventKind) -> u64 {
        self.by_kind
            .iter()
            .find(|(k, _)| *k == kind)
            .map_or(0, |(_, n)| *n)
    }

    pub fn total(&self) -> u64 {
        self.by_kind.iter().map(|(_, n)| n).sum()
    }
}

/// An open write transaction on the log.
pub trait AppendTx {
    /// Appends a batch; duplicates are skipped, conflicts reported and skipped.
    fn append(&mut self, batch: &Batch) -> Result<AppendOutcome, StoreError>;
    /// The log's head as this transaction sees it: the head when it began
    /// (no other writer appends while it is open) moved by its own appends.
    /// A writer that decided from the log up to some head checks here that
    /// nothing was appended since, before it appends what it decided.
    fn head(&self) -> u64;
    /// Makes every append of this transaction durable and visible, at once.
    fn commit(self) -> Result<(), StoreError>;
}

/// The log, as every backend offers it.
pub trait EventStore {
    type Tx<'a>: AppendTx
    where
        Self: 'a;

    /// Starts the one write transaction (writers are serialised).
    fn begin(&mut self) -> Result<Self::Tx<'_>, StoreError>;

    /// Ids stored for one kind of event, in id order.
    fn ids(&self, kind: EventKind) -> Result<Vec<String>, StoreError>;

    /// Events stored per kind.
    fn counts(&self) -> Result<Counts, StoreError>;

    /// Visits the stored bytes of the events of the batches numbered
    /// `after + 1 ..= upto`, in log order: with `after` = a head already
    /// folded and `upto` = the current head, exactly the events that arrived
    /// in between.
    fn scan_bytes_between(
        &self,
        after: u64,
        upto: u64,
        visit: &mut dyn FnMut(&[u8]) -> Result<(), StoreError>,
    ) -> Result<(), StoreError>;

    /// Visits the events of the batches numbered `after + 1 ..= upto` as
    /// [`EventStore::scan_bytes_between`] does, each with its origin.
    fn scan_entries_between(
        &self,
        after: u64,
        upto: u64,
        visit: &mut VisitEntry<'_>,
    ) -> Result<(), StoreError>;

    /// Visits the events of batches `after + 1 ..= upto`, decoded, each with its origin.
    fn scan_decoded_entries_between(
        &self,
        after: u64,
        upto: u64,
        visit: &mut dyn FnMut(&Origin, Event),
    ) -> Result<(), StoreError> {
        let mut index: i64 = 0;
        self.scan_entries_between(after, upto, &mut |origin, bytes| {
            index += 1;
            let event = Event::decode(bytes)
                .map_err(|source| StoreError::Damaged { seq: index, source })?;
            visit(origin, event);
            Ok(())
        })
    }

    /// The number of the batch that stored the event with this key, if stored.
    fn seq_of(&self, kind: EventKind, id: &str) -> Result<Option<u64>, StoreError>;

    /// For each key, whether it may be stored: `false` only when it is
    /// certainly not (as of this read), `true` when [`EventStore::seq_of`]
    /// must tell. One call for many keys: new keys, the common case of a
    /// live feed, cost no lookup each.
    fn may_be_stored(&self, keys: &[(EventKind, &str)]) -> Result<Vec<bool>, StoreError> {
        keys.iter()
            .map(|&(kind, id)| Ok(self.seq_of(kind, id)?.is_some()))
            .collect()
    }

    /// The digest ([`accord_core::event::digest`]) of the stored bytes of the
    /// event with this key, if stored: what the append compares to tell a
    /// duplicate from a conflict, without decoding the event's chunk.
    fn stored_digest(&self, kind: EventKind, id: &str) -> Result<Option<u64>, StoreError> {
        Ok(self
            .find(kind, id)?
            .map(|(_, event)| accord_core::event::digest(&event.to_bytes())))
    }

    /// The stored event with this key, decoded, and its origin.
    fn find(&self, kind: EventKind, id: &str) -> Result<Option<Entry>, StoreError> {
        let Some(seq) = self.seq_of(kind, id)? else {
            return Ok(None);
        };
        let mut found = None;
        let mut key = String::new();
        self.scan_decoded_entries_between(seq.saturating_sub(1), seq, &mut |origin, event| {
            key.clear();
            event.write_id(&mut key);
            if found.is_none() && event.kind() == kind && key == id {
                found = Some((origin.clone(), event));
            }
        })?;
        Ok(found)
    }

    /// Visits the stored bytes of every event in log order (the order of appending).
    fn scan_bytes(
        &self,
        visit: &mut dyn FnMut(&[u8]) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.scan_bytes_between(0, u64::MAX, visit)
    }

    /// The log's position: the largest batch number stored, 0 for an empty
    /// log. Every committed append that stores a new event moves it forward;
    /// one that stores nothing (duplicates only) leaves it where it was, so a
    /// view computed at this head is current until it moves. Read it before
    /// scanning: a view computed after reading it can only be too new for its
    /// head (and recomputed), never too old.
    fn head(&self) -> Result<u64, StoreError>;

    /// A stored view: the head it was computed at and its bytes, or `None`.
    fn view(&self, name: &str) -> Result<Option<(u64, Vec<u8>)>, StoreError>;

    /// Replaces the named views, all computed at `head`, in one transaction
    /// (all or none). Views are derived data kept beside the log so readers
    /// need not refold it: they are never part of the log, its idempotency
    /// index or its counts, and may be dropped at any time.
    fn put_views(&mut self, head: u64, views: &[(&str, &[u8])]) -> Result<(), StoreError>;

    /// Visits every event in log order, decoded.
    fn scan(&self, visit: &mut dyn FnMut(Event)) -> Result<(), StoreError> {
        self.scan_between(0, u64::MAX, visit)
    }

    /// Visits the events of batches `after + 1 ..= upto`, decoded (see
    /// [`EventStore::scan_bytes_between`]).
    fn scan_between(
        &self,
        after: u64,
        upto: u64,
        visit: &mut dyn FnMut(Event),
    ) -> Result<(), StoreError> {
        let mut index: i64 = 0;
        self.scan_bytes_between(after, upto, &mut |bytes| {
            index += 1;
            let event = Event::decode(bytes)
                .map_err(|source| StoreError::Damaged { seq: index, source })?;
            visit(event);
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod format_support;

#[cfg(test)]
mod format2_tests;

#[cfg(test)]
mod format3_tests;

#[cfg(test)]
mod format4_tests;
