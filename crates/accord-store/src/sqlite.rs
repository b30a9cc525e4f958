//! The embedded SQLite backend: one file, WAL, full sync on commit.
//!
//! Two tables hold the log:
//! - `log(seq, events)`: chunks of encoded events in append order, one row per
//!   appended batch — the log itself; replay reads it front to back.
//! - the idempotency index, one row per event: `event_keys(key, seq, digest)`
//!   for ids of the common "up to two capital letters and up to 12 digits"
//!   shape (`L0000001`, `12345`), packed with the kind into one integer key —
//!   the cheapest index SQLite has, appended in order for sequential ids — and
//!   `event_ids(kind, id, seq, digest)` for every other id. `digest` (FNV-1a of
//!   the event's bytes) tells a replay (same bytes: no-op) from a conflict
//!   (different bytes: refused).
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
CREATE TABLE event_keys (
    key INTEGER PRIMARY KEY,
    seq INTEGER NOT NULL,
    digest INTEGER NOT NULL
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

/// Packing of (kind, id) into one positive integer for ids of the shape
/// `[A-Z]{0,2}[0-9]{1,12}`. Bits, high to low: kind (4), letters (10: 0, 1..=26,
/// or 27·a + b for two), digit count (4), number (40). Distinct ids give
/// distinct keys (the digit count keeps `L01` apart from `L1`), and ids of one
/// prefix and width sort as their numbers do.
mod compact {
    use accord_core::event::EventKind;

    const NUMBER_BITS: u32 = 40;
    const DIGITS_SHIFT: u32 = NUMBER_BITS;
    const LETTERS_SHIFT: u32 = DIGITS_SHIFT + 4;
    const KIND_SHIFT: u32 = LETTERS_SHIFT + 10;

    pub fn pack(kind: EventKind, id: &str) -> Option<i64> {
        let b = id.as_bytes();
        let letters = b.iter().take_while(|c| c.is_ascii_uppercase()).count();
        let digits = &b[letters..];
        if letters > 2 || digits.is_empty() || digits.len() > 12 {
            return None;
        }
        let mut number: i64 = 0;
        for &c in digits {
            if !c.is_ascii_digit() {
                return None;
            }
            number = number * 10 + i64::from(c - b'0');
        }
        let letter = |c: u8| i64::from(c - b'A' + 1);
        let prefix = match letters {
            0 => 0,
            1 => letter(b[0]),
            _ => letter(b[0]) * 27 + letter(b[1]),
        };
        Some(
            i64::from(kind.code()) << KIND_SHIFT
                | prefix << LETTERS_SHIFT
                | (digits.len() as i64) << DIGITS_SHIFT
                | number,
        )
    }

    /// The id of a packed key (the kind is known from the range it came from).
    pub fn unpack(key: i64) -> String {
        let prefix = (key >> LETTERS_SHIFT) & 0x3FF;
        let width = ((key >> DIGITS_SHIFT) & 0xF) as usize;
        let number = key & ((1 << NUMBER_BITS) - 1);
        let mut id = String::with_capacity(2 + width);
        let letter = |n: i64| char::from(b'A' + (n - 1) as u8);
        match prefix {
            0 => {}
            1..=26 => id.push(letter(prefix)),
            _ => {
                id.push(letter(prefix / 27));
                id.push(letter(prefix % 27));
            }
        }
        id.push_str(&format!("{number:0width$}"));
        id
    }

    /// Keys of one kind lie in `[low, high)`.
    pub fn range(kind: EventKind) -> (i64, i64) {
        let low = i64::from(kind.code()) << KIND_SHIFT;
        (low, low + (1 << KIND_SHIFT))
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use proptest::prelude::*;

        #[test]
        fn shapes_that_pack_and_those_that_do_not() {
            let k = EventKind::Touched;
            assert_eq!(unpack(pack(k, "T00000001").unwrap()), "T00000001");
            assert_eq!(unpack(pack(k, "12").unwrap()), "12");
            assert_eq!(unpack(pack(k, "AB0").unwrap()), "AB0");
            assert_ne!(pack(k, "L01"), pack(k, "L1"));
            assert_ne!(pack(k, "L1"), pack(EventKind::LeadCreated, "L1"));
            for other in ["", "ABC1", "L", "L1a", "l1", "L-1", "1234567890123", "EMEA:2025-04"] {
                assert_eq!(pack(k, other), None, "{other}");
            }
        }

        proptest! {
            #[test]
            fn packing_is_injective_and_ordered(a in "[A-Z]{0,2}[0-9]{1,12}", b in "[A-Z]{0,2}[0-9]{1,12}") {
                let (ka, kb) = (pack(EventKind::LeadCreated, &a).unwrap(), pack(EventKind::LeadCreated, &b).unwrap());
                prop_assert_eq!(unpack(ka), a.clone());
                prop_assert_eq!(ka == kb, a == b);
                let (low, high) = range(EventKind::LeadCreated);
                prop_assert!(low <= ka && ka < high);
                if a.len() == b.len() && a.bytes().take_while(u8::is_ascii_uppercase).count() == b.bytes().take_while(u8::is_ascii_uppercase).count() {
                    prop_assert_eq!(ka < kb, a < b);
                }
            }
        }
    }
}

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
        let mut ids = Vec::new();
        let (low, high) = compact::range(kind);
        let mut stmt = self
            .conn
            .prepare_cached("SELECT key FROM event_keys WHERE key >= ?1 AND key < ?2")?;
        let mut rows = stmt.query(params![low, high])?;
        while let Some(row) = rows.next()? {
            ids.push(compact::unpack(row.get(0)?));
        }
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id FROM event_ids WHERE kind = ?")?;
        let rows = stmt.query_map([kind.code()], |r| r.get::<_, String>(0))?;
        for id in rows {
            ids.push(id?);
        }
        ids.sort_unstable();
        Ok(ids)
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
            let mut insert_key = self.tx.prepare_cached(
                "INSERT INTO event_keys (key, seq, digest) VALUES (?1, ?2, ?3)
                 ON CONFLICT DO NOTHING",
            )?;
            let mut stored_key = self
                .tx
                .prepare_cached("SELECT digest FROM event_keys WHERE key = ?1")?;
            let mut insert_id = self.tx.prepare_cached(
                "INSERT INTO event_ids (kind, id, seq, digest) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT DO NOTHING",
            )?;
            let mut stored_id = self
                .tx
                .prepare_cached("SELECT digest FROM event_ids WHERE kind = ?1 AND id = ?2")?;
            for i in 0..batch.len() {
                let (kind, id, bytes) = batch.get(i);
                // Stored as a signed 64-bit integer; the bits are what matter.
                let d = digest(bytes) as i64;
                let key = compact::pack(kind, id);
                let inserted = match key {
                    Some(key) => insert_key.execute(params![key, seq, d])?,
                    None => insert_id.execute(params![kind.code(), id, seq, d])?,
                };
                if inserted == 1 {
                    frame(&mut self.chunk, bytes);
                    self.added[usize::from(kind.code())] += 1;
                    outcome.appended += 1;
                    continue;
                }
                let existing: Option<i64> = match key {
                    Some(key) => stored_key.query_row(params![key], |r| r.get(0)).optional()?,
                    None => stored_id
                        .query_row(params![kind.code(), id], |r| r.get(0))
                        .optional()?,
                };
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

