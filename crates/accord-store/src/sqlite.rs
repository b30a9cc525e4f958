//! The embedded SQLite backend: one file, WAL, full sync on commit.
//!
//! Two tables hold the log:
//! - `log(seq, events)`: chunks of encoded events in append order, one row per
//!   appended batch — the log itself; replay reads it front to back.
//! - `event_ids(kind, id, seq, digest)`: one row per event, the idempotency
//!   index. `digest` (FNV-1a of the event's bytes) tells a replay (same bytes:
//!   no-op) from a conflict (different bytes: refused).
//!
//! `kind_counts` keeps the number of events per kind, updated in the same
//! transaction, so `counts` does not scan.

use std::path::Path;

use accord_core::event::{digest, frame, unframe, Batch, EventKind};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use crate::{AppendOutcome, AppendTx, Counts, EventStore, StoreError};

/// The store format this build writes; `PRAGMA user_version` holds it.
const FORMAT_VERSION: i64 = 1;
/// Marks a database as accord's (`PRAGMA application_id`): "acrd".
const APPLICATION_ID: i64 = 0x6163_7264;

const SCHEMA: &str = "
CREATE TABLE log (
    seq INTEGER PRIMARY KEY,
    event_count INTEGER NOT NULL CHECK (event_count > 0),
    events BLOB NOT NULL
);
CREATE TABLE event_ids (
    kind INTEGER NOT NULL,
    id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    digest INTEGER NOT NULL,
    PRIMARY KEY (kind, id)
) WITHOUT ROWID;
CREATE TABLE kind_counts (
    kind INTEGER PRIMARY KEY,
    events INTEGER NOT NULL
);
";

pub struct SqliteStore {
    conn: Connection,
    path: String,
}

impl SqliteStore {
    /// Opens (creating if missing) the database at `path`.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let display = path.display().to_string();
        let conn = Connection::open(path)?;
        let store = SqliteStore {
            conn,
            path: display,
        };
        store.prepare()?;
        Ok(store)
    }

    /// A private in-memory store (tests).
    pub fn open_in_memory() -> Result<SqliteStore, StoreError> {
        let store = SqliteStore {
            conn: Connection::open_in_memory()?,
            path: ":memory:".into(),
        };
        store.prepare()?;
        Ok(store)
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    fn prepare(&self) -> Result<(), StoreError> {
        let conn = &self.conn;
        let app_id: i64 = conn
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .map_err(|e| StoreError::NotAccord {
                path: self.path.clone(),
                detail: e.to_string(),
            })?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let tables: i64 =
            conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
        if tables == 0 {
            // A new file: choose the page size before the first table exists.
            conn.execute_batch("PRAGMA page_size = 8192;")?;
        } else if app_id != APPLICATION_ID {
            return Err(StoreError::NotAccord {
                path: self.path.clone(),
                detail: "it holds tables but no accord marker".into(),
            });
        } else if version > FORMAT_VERSION {
            return Err(StoreError::TooNew {
                path: self.path.clone(),
                found: version,
                supported: FORMAT_VERSION,
            });
        }
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = FULL;
             PRAGMA foreign_keys = ON;
             PRAGMA cache_size = -262144;
             PRAGMA temp_store = MEMORY;
             PRAGMA busy_timeout = 5000;",
        )?;
        if tables == 0 {
            conn.execute_batch(&format!(
                "BEGIN;
                 {SCHEMA}
                 PRAGMA application_id = {APPLICATION_ID};
                 PRAGMA user_version = {FORMAT_VERSION};
                 COMMIT;"
            ))?;
        }
        Ok(())
    }

    /// Bytes the database occupies on disk (main file; the WAL is checkpointed on close).
    pub fn size_bytes(&self) -> Result<u64, StoreError> {
        let pages: i64 = self
            .conn
            .query_row("PRAGMA page_count", [], |r| r.get(0))?;
        let size: i64 = self
            .conn
            .query_row("PRAGMA page_size", [], |r| r.get(0))?;
        Ok((pages * size) as u64)
    }
}

/// A write transaction on the SQLite log (`BEGIN IMMEDIATE`: the write lock is
/// taken at the start, so `next_seq` cannot be raced).
pub struct SqliteTx<'a> {
    tx: rusqlite::Transaction<'a>,
    next_seq: i64,
    chunk: Vec<u8>,
    added: [u64; 256],
}

impl EventStore for SqliteStore {
    type Tx<'a> = SqliteTx<'a>;

    fn begin(&mut self) -> Result<SqliteTx<'_>, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let last: Option<i64> = tx.query_row("SELECT max(seq) FROM log", [], |r| r.get(0))?;
        Ok(SqliteTx {
            tx,
            next_seq: last.unwrap_or(0) + 1,
            chunk: Vec::new(),
            added: [0; 256],
        })
    }

    fn ids(&self, kind: EventKind) -> Result<Vec<String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id FROM event_ids WHERE kind = ? ORDER BY id")?;
        let rows = stmt.query_map([kind.code()], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn counts(&self) -> Result<Counts, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT kind, events FROM kind_counts ORDER BY kind")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, u8>(0)?, r.get::<_, i64>(1)?)))?;
        let mut counts = Counts::default();
        for row in rows {
            let (code, n) = row?;
            if let Some(kind) = EventKind::from_code(code) {
                counts.by_kind.push((kind, n as u64));
            }
        }
        Ok(counts)
    }

    fn scan_bytes(
        &self,
        visit: &mut dyn FnMut(&[u8]) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT seq, events FROM log ORDER BY seq")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let seq: i64 = row.get(0)?;
            let chunk = row.get_ref(1)?.as_blob().map_err(rusqlite::Error::from)?;
            for bytes in unframe(chunk) {
                let bytes = bytes.map_err(|source| StoreError::Damaged { seq, source })?;
                visit(bytes)?;
            }
        }
        Ok(())
    }
}

impl AppendTx for SqliteTx<'_> {
    fn append(&mut self, batch: &Batch) -> Result<AppendOutcome, StoreError> {
        let mut outcome = AppendOutcome::default();
        self.chunk.clear();
        let seq = self.next_seq;
        {
            let mut insert = self.tx.prepare_cached(
                "INSERT INTO event_ids (kind, id, seq, digest) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT DO NOTHING",
            )?;
            let mut stored = self
                .tx
                .prepare_cached("SELECT digest FROM event_ids WHERE kind = ?1 AND id = ?2")?;
            for i in 0..batch.len() {
                let (kind, id, bytes) = batch.get(i);
                // Stored as a signed 64-bit integer; the bits are what matter.
                let d = digest(bytes) as i64;
                if insert.execute(params![kind.code(), id, seq, d])? == 1 {
                    frame(&mut self.chunk, bytes);
                    self.added[usize::from(kind.code())] += 1;
                    outcome.appended += 1;
                    continue;
                }
                let existing: Option<i64> = stored
                    .query_row(params![kind.code(), id], |r| r.get(0))
                    .optional()?;
                if existing == Some(d) {
                    outcome.duplicates += 1;
                } else {
                    outcome.conflicts.push(i);
                }
            }
        }
        if outcome.appended > 0 {
            self.tx.execute(
                "INSERT INTO log (seq, event_count, events) VALUES (?1, ?2, ?3)",
                params![seq, outcome.appended as i64, &self.chunk],
            )?;
            self.next_seq += 1;
        }
        Ok(outcome)
    }

    fn commit(self) -> Result<(), StoreError> {
        {
            let mut bump = self.tx.prepare_cached(
                "INSERT INTO kind_counts (kind, events) VALUES (?1, ?2)
                 ON CONFLICT (kind) DO UPDATE SET events = events + excluded.events",
            )?;
            for (code, &n) in self.added.iter().enumerate() {
                if n > 0 {
                    bump.execute(params![code as i64, n as i64])?;
                }
            }
        }
        self.tx.commit()?;
        Ok(())
    }
}

