//! The embedded SQLite backend: one file, WAL, full sync on commit.
//!
//! Two tables hold the log:
//! - `log(seq, event_count, events, origins)`: chunks of encoded events in
//!   append order, one row per appended batch — the log itself; replay reads
//!   it front to back. A chunk is LZ4-compressed (`lz4_flex`, size
//!   prepended): 40 % fewer bytes to write, sync and read back at 1M leads.
//!   `origins` (format 2) says where the row's events came from, as runs
//!   (`event::encode_origin_runs`); NULL means every event was imported — the
//!   rows of format 1, and every row an import writes, so neither an import
//!   nor a report reads or writes a byte more than in format 1.
//! - the idempotency index: every stored event's key and digest. `digest`
//!   (`event::digest` of the event's bytes) tells a replay (same bytes: no-op) from a
//!   conflict (different bytes: refused). Ids of the common "up to two capital
//!   letters and up to 12 digits" shape (`L0000001`, `12345`) are packed with
//!   the kind into one integer (`packed_key`); the others stay text:
//!   - `key_runs(grp, first, last, seq, data)` and `run_data(id, keys,
//!     digests)`: when a batch's packed
//!     keys all lie above every key stored for their group (kind, prefix and
//!     width) — the case of every import of sequential ids — they are stored
//!     as one run: the key range plus the delta-encoded keys and digests. Runs
//!     of a group never overlap, so a key is looked up with one index seek.
//!     This keeps the index at a few bytes an event and one row a batch.
//!   - `event_keys(key, seq, digest)`: packed keys that arrived out of order.
//!   - `event_ids(kind, id, seq, digest)`: ids of any other shape.
//!
//! `kind_counts` keeps the number of events per kind, updated in the same
//! transaction, so `counts` does not scan.
//!
//! `views(name, head, body)` holds derived views, each with the log head
//! (`max(seq)`) it was computed at. It is not part of the log: no format
//! version covers it, older builds ignore it (their appends move the head, so
//! the views they leave behind read as stale), and it is created on open when
//! missing — or, when the file cannot be written then, by the first
//! `put_views`.

mod hooks;
mod models;
mod open;
mod tokens;

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::time::Duration;

use accord_core::event::{
    decode_origin_runs, digest, encode_origin_runs, frame, packed_key as compact, unframe, Batch,
    DecodeError, EventKind, Origin,
};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use crate::{AppendOutcome, AppendTx, Counts, EventStore, StoreError};
pub use open::Access;
use open::{classify, FileId, VIEWS_WAIT, WRITE_WAIT};

/// The store format this build writes; `PRAGMA user_version` holds it.
/// 1: the log without origins. 2: `log.origins` added. 3: the `tokens`
/// table (`tokens::TOKENS_SCHEMA`) and the webhooks' tables
/// (`hooks::HOOKS_SCHEMA`). 4: the `models` table (`models::MODELS_SCHEMA`),
/// trained models moved out of the views. See `open::migrate`.
const FORMAT_VERSION: i64 = 5;
/// Marks a database as accord's (`PRAGMA application_id`): "acrd".
const APPLICATION_ID: i64 = 0x6163_7264;

const SCHEMA: &str = "
CREATE TABLE log (
    seq INTEGER PRIMARY KEY,
    event_count INTEGER NOT NULL CHECK (event_count > 0),
    events BLOB NOT NULL,
    origins BLOB
);
CREATE TABLE key_runs (
    grp INTEGER NOT NULL,
    first INTEGER NOT NULL,
    last INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    data INTEGER NOT NULL,
    PRIMARY KEY (grp, first)
) WITHOUT ROWID;
-- The runs' keys and digests live apart from the ranges, so that looking a
-- range up never reads the large blobs.
CREATE TABLE run_data (
    id INTEGER PRIMARY KEY,
    keys BLOB NOT NULL,
    digests BLOB NOT NULL
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
CREATE TABLE views (
    name TEXT PRIMARY KEY,
    head INTEGER NOT NULL,
    body BLOB NOT NULL
);
";

/// The views table, for databases created before it existed.
const VIEWS_TABLE: &str = "CREATE TABLE IF NOT EXISTS views (
    name TEXT PRIMARY KEY,
    head INTEGER NOT NULL,
    body BLOB NOT NULL
);";

/// The stored form of a run: keys as a first key and varint gaps, digests as
/// 8 little-endian bytes each.
mod runs {
    pub fn encode_keys(keys: &[i64]) -> Vec<u8> {
        let mut out = Vec::with_capacity(keys.len() + 8);
        let mut prev = 0i64;
        for (n, &k) in keys.iter().enumerate() {
            let gap = if n == 0 { k } else { k - prev };
            debug_assert!(gap > 0 || n == 0, "run keys strictly increase");
            let mut v = gap as u64;
            while v >= 0x80 {
                out.push((v as u8) | 0x80);
                v >>= 7;
            }
            out.push(v as u8);
            prev = k;
        }
        out
    }

    pub fn decode_keys(blob: &[u8]) -> impl Iterator<Item = i64> + '_ {
        let mut pos = 0usize;
        let mut prev = 0i64;
        std::iter::from_fn(move || {
            if pos >= blob.len() {
                return None;
            }
            let mut v = 0u64;
            let mut shift = 0;
            while pos < blob.len() {
                let b = blob[pos];
                pos += 1;
                v |= u64::from(b & 0x7F) << shift;
                shift += 7;
                if b < 0x80 {
                    break;
                }
            }
            prev += v as i64;
            Some(prev)
        })
    }

    pub fn encode_digests(digests: &[i64]) -> Vec<u8> {
        digests.iter().flat_map(|d| d.to_le_bytes()).collect()
    }

    pub fn decode_digests(blob: &[u8]) -> Vec<i64> {
        blob.chunks_exact(8)
            .map(|c| i64::from_le_bytes(c.try_into().expect("8 bytes")))
            .collect()
    }
}

pub struct SqliteStore {
    conn: Connection,
    /// The path as shown in messages.
    path: String,
    path_os: PathBuf,
    access: Access,
    /// Whether this store created the file (and so may remove it unused).
    created: bool,
    /// The file opened, to tell whether the path still names it.
    id: Option<FileId>,
    /// The busy timeout in effect, for messages.
    wait: Cell<Duration>,
    /// How long a write waits for another process's write.
    write_wait: Duration,
    /// Whether a commit of this store stored events.
    stored: Cell<bool>,
    /// The file's store format (a format-1 file opened read-only stays 1).
    format: i64,
}

impl Drop for SqliteStore {
    fn drop(&mut self) {
        if self.created && !self.stored.get() {
            self.remove_if_unused();
        }
    }
}

impl SqliteStore {
    /// A private in-memory store (tests, and dry runs against no database).
    pub fn open_in_memory() -> Result<SqliteStore, StoreError> {
        let conn = Connection::open_in_memory().map_err(|e| classify(":memory:", WRITE_WAIT, e))?;
        let store = SqliteStore::with(conn, ":memory:".into(), Path::new(""), Access::ReadWrite);
        store
            .conn
            .execute_batch(&format!(
                "{SCHEMA}{}{}{}",
                tokens::TOKENS_SCHEMA,
                hooks::HOOKS_SCHEMA,
                models::MODELS_SCHEMA
            ))
            .map_err(|e| store.fail(e))?;
        Ok(store)
    }

    fn with(conn: Connection, shown: String, path: &Path, access: Access) -> SqliteStore {
        SqliteStore {
            conn,
            path: shown,
            path_os: path.to_owned(),
            access,
            created: false,
            id: None,
            wait: Cell::new(Duration::ZERO),
            write_wait: WRITE_WAIT,
            stored: Cell::new(false),
            format: FORMAT_VERSION,
        }
    }

    /// How long a write waits for another process's write to finish
    /// before failing with `Busy` (default 30 s).
    pub fn set_write_wait(&mut self, wait: Duration) -> Result<(), StoreError> {
        self.write_wait = wait;
        self.set_wait(wait)
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    /// A backend error, named for the user.
    fn fail(&self, e: rusqlite::Error) -> StoreError {
        classify(&self.path, self.wait.get(), e)
    }

    /// The log's head (see [`EventStore::head`]), as SQLite reports it.
    fn head_sql(&self) -> rusqlite::Result<u64> {
        let last: Option<i64> = self
            .conn
            .prepare_cached("SELECT max(seq) FROM log")?
            .query_row([], |r| r.get(0))?;
        Ok(last.map_or(0, |seq| seq.max(0) as u64))
    }

    /// Whether the views table exists (a database from before it may lack it).
    fn has_views(&self) -> rusqlite::Result<bool> {
        self.conn
            .prepare_cached("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'views'")?
            .exists([])
    }

    /// The connection, for tests that set up what the API cannot.
    #[cfg(test)]
    pub(crate) fn conn_for_tests(&self) -> &Connection {
        &self.conn
    }

    /// Makes the main file hold everything: checkpoints the write-ahead log
    /// into it and leaves WAL mode, so that the file alone, moved or copied,
    /// is the database (the next writer switches back to WAL).
    pub fn seal(&self) -> Result<(), StoreError> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .and_then(|()| {
                self.conn
                    .query_row("PRAGMA journal_mode = DELETE", [], |r| {
                        r.get::<_, String>(0)
                    })
            })
            .map_err(|e| self.fail(e))
            .map(|_| ())
    }

    /// Bytes the database occupies on disk (main file; the WAL is checkpointed on close).
    pub fn size_bytes(&self) -> Result<u64, StoreError> {
        let read = |pragma: &str| -> Result<i64, StoreError> {
            self.conn
                .query_row(pragma, [], |r| r.get(0))
                .map_err(|e| self.fail(e))
        };
        Ok((read("PRAGMA page_count")? * read("PRAGMA page_size")?) as u64)
    }
}

/// A write transaction on the SQLite log (`BEGIN IMMEDIATE`: the write lock is
/// taken at the start, so `next_seq` cannot be raced).
pub struct SqliteTx<'a> {
    tx: rusqlite::Transaction<'a>,
    conn: &'a Connection,
    /// The store's path and wait, for messages.
    path: &'a str,
    wait: Duration,
    /// Set when a commit stores events.
    stored: &'a Cell<bool>,
    /// Per group (packed key >> 40): the largest packed key stored, if any.
    group_max: rustc_hash::FxHashMap<i64, Option<i64>>,
    /// Per group: its runs as (first, last, data id), by first key; loaded on
    /// first use and kept up to date by this transaction's appends.
    runs: rustc_hash::FxHashMap<i64, Vec<(i64, i64, i64)>>,
    /// Runs decoded for lookups (a few: a replayed batch hits one or two).
    decoded: rustc_hash::FxHashMap<i64, DecodedRun>,
    next_seq: i64,
    chunk: Vec<u8>,
    added: [u64; 256],
}

impl EventStore for SqliteStore {
    type Tx<'a> = SqliteTx<'a>;

    fn begin(&mut self) -> Result<SqliteTx<'_>, StoreError> {
        // Read-only, a transaction still reads (a dry run checks against
        // the log); its first append fails with `ReadOnly`.
        let behavior = match self.access {
            Access::ReadWrite => TransactionBehavior::Immediate,
            Access::ReadOnly => TransactionBehavior::Deferred,
        };
        let tx =
            rusqlite::Transaction::new_unchecked(&self.conn, behavior).map_err(|e| self.fail(e))?;
        // A file removed (unused) by the process that created it is not
        // written into: the path names another file now, or none.
        self.check_still_here()?;
        let last: Option<i64> = tx
            .query_row("SELECT max(seq) FROM log", [], |r| r.get(0))
            .map_err(|e| self.fail(e))?;
        Ok(SqliteTx {
            tx,
            conn: &self.conn,
            path: &self.path,
            wait: self.wait.get(),
            stored: &self.stored,
            group_max: Default::default(),
            runs: Default::default(),
            decoded: Default::default(),
            next_seq: last.unwrap_or(0) + 1,
            chunk: Vec::new(),
            added: [0; 256],
        })
    }

    fn ids(&self, kind: EventKind) -> Result<Vec<String>, StoreError> {
        self.ids_sql(kind).map_err(|e| self.fail(e))
    }

    fn counts(&self) -> Result<Counts, StoreError> {
        self.counts_sql().map_err(|e| self.fail(e))
    }

    fn head(&self) -> Result<u64, StoreError> {
        self.head_sql().map_err(|e| self.fail(e))
    }

    fn view(&self, name: &str) -> Result<Option<(u64, Vec<u8>)>, StoreError> {
        self.view_sql(name).map_err(|e| self.fail(e))
    }

    fn put_views(&mut self, head: u64, views: &[(&str, &[u8])]) -> Result<(), StoreError> {
        if self.access == Access::ReadOnly {
            return Err(StoreError::ReadOnly {
                path: self.path.clone(),
            });
        }
        self.set_wait(VIEWS_WAIT)?;
        let put = self.put_views_sql(head, views);
        self.set_wait(self.write_wait)?;
        put
    }

    fn scan_bytes_between(
        &self,
        after: u64,
        upto: u64,
        visit: &mut dyn FnMut(&[u8]) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let fail = |e| self.fail(e);
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, event_count, events FROM log WHERE seq > ?1 AND seq <= ?2 ORDER BY seq",
        ).map_err(fail)?;
        let bound = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        let mut rows = stmt.query([bound(after), bound(upto)]).map_err(fail)?;
        let mut scratch = ChunkScratch::default();
        while let Some(row) = rows.next().map_err(fail)? {
            let seq: i64 = row.get(0).map_err(fail)?;
            let count: i64 = row.get(1).map_err(fail)?;
            let stored = row
                .get_ref(2)
                .and_then(|v| v.as_blob().map_err(rusqlite::Error::from))
                .map_err(fail)?;
            SqliteStore::visit_chunk(seq, count, stored, &mut scratch, visit)?;
        }
        Ok(())
    }

    fn scan_entries_between(
        &self,
        after: u64,
        upto: u64,
        visit: &mut crate::VisitEntry<'_>,
    ) -> Result<(), StoreError> {
        let fail = |e| self.fail(e);
        // A format-1 file read without migrating has no origins column.
        let sql = if self.format >= 2 {
            "SELECT seq, event_count, events, origins FROM log WHERE seq > ?1 AND seq <= ?2 ORDER BY seq"
        } else {
            "SELECT seq, event_count, events, NULL FROM log WHERE seq > ?1 AND seq <= ?2 ORDER BY seq"
        };
        let mut stmt = self.conn.prepare_cached(sql).map_err(fail)?;
        let bound = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        let mut rows = stmt.query([bound(after), bound(upto)]).map_err(fail)?;
        let mut scratch = ChunkScratch::default();
        while let Some(row) = rows.next().map_err(fail)? {
            let seq: i64 = row.get(0).map_err(fail)?;
            let count: i64 = row.get(1).map_err(fail)?;
            let stored = row
                .get_ref(2)
                .and_then(|v| v.as_blob().map_err(rusqlite::Error::from))
                .map_err(fail)?;
            let origins = row
                .get_ref(3)
                .and_then(|v| v.as_blob_or_null().map_err(rusqlite::Error::from))
                .map_err(fail)?;
            let runs = origin_runs(seq, count, origins)?;
            // Checked above: the runs add up to `count`, which `visit_chunk`
            // checks the chunk holds before visiting any of it.
            let (mut run, mut left) = (0usize, runs[0].0);
            SqliteStore::visit_chunk(seq, count, stored, &mut scratch, &mut |bytes| {
                while left == 0 {
                    run += 1;
                    left = runs[run].0;
                }
                left -= 1;
                visit(&runs[run].1, bytes)
            })?;
        }
        Ok(())
    }

    fn seq_of(&self, kind: EventKind, id: &str) -> Result<Option<u64>, StoreError> {
        self.seq_of_sql(kind, id)
            .map(|seq| seq.map(|s| s.max(0) as u64))
            .map_err(|e| self.fail(e))
    }

    fn stored_digest(&self, kind: EventKind, id: &str) -> Result<Option<u64>, StoreError> {
        self.stored_digest_sql(kind, id)
            .map(|d| d.map(|d| d as u64))
            .map_err(|e| self.fail(e))
    }

    /// A packed key above its group's largest stored key is not stored (two
    /// queries per group and call); any other key is looked up.
    fn may_be_stored(&self, keys: &[(EventKind, &str)]) -> Result<Vec<bool>, StoreError> {
        let mut maxima = rustc_hash::FxHashMap::default();
        keys.iter()
            .map(|&(kind, id)| match compact::pack(kind, id) {
                Some(key) => group_max(&self.conn, &mut maxima, key >> GROUP_SHIFT)
                    .map(|max| max.is_some_and(|m| key <= m))
                    .map_err(|e| self.fail(e)),
                None => Ok(self.seq_of(kind, id)?.is_some()),
            })
            .collect()
    }
}

/// A row's origins as runs that add up to its `count` events (NULL: all imported).
fn origin_runs(
    seq: i64,
    count: i64,
    stored: Option<&[u8]>,
) -> Result<Vec<(u64, Origin)>, StoreError> {
    let Some(stored) = stored else {
        return Ok(vec![(count.max(0) as u64, Origin::Imported)]);
    };
    let damaged = |source| StoreError::Damaged { seq, source };
    let runs = decode_origin_runs(stored).map_err(damaged)?;
    let total = runs
        .iter()
        .try_fold(0u64, |sum, (n, _)| sum.checked_add(*n));
    if total != Some(count.max(0) as u64) {
        return Err(damaged(DecodeError::BadValue(format!(
            "origins of {} events, {count} were written",
            total.map_or_else(|| "too many".into(), |t| t.to_string())
        ))));
    }
    Ok(runs)
}

impl SqliteStore {
    /// Visits the events of one stored chunk, all checked before any is visited.
    fn ids_sql(&self, kind: EventKind) -> rusqlite::Result<Vec<String>> {
        let mut ids = Vec::new();
        let (low, high) = compact::range(kind);
        let mut stmt = self
            .conn
            .prepare_cached("SELECT key FROM event_keys WHERE key >= ?1 AND key < ?2")?;
        let mut rows = stmt.query(params![low, high])?;
        while let Some(row) = rows.next()? {
            ids.push(compact::unpack(row.get(0)?));
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT d.keys FROM key_runs r JOIN run_data d ON d.id = r.data
                 WHERE r.grp >= ?1 AND r.grp < ?2",
        )?;
        let mut rows = stmt.query(params![low >> GROUP_SHIFT, high >> GROUP_SHIFT])?;
        while let Some(row) = rows.next()? {
            let blob = row.get_ref(0)?.as_blob().map_err(rusqlite::Error::from)?;
            for key in runs::decode_keys(blob) {
                ids.push(compact::unpack(key));
            }
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

    fn seq_of_sql(&self, kind: EventKind, id: &str) -> rusqlite::Result<Option<i64>> {
        let Some(key) = compact::pack(kind, id) else {
            return self
                .conn
                .prepare_cached("SELECT seq FROM event_ids WHERE kind = ?1 AND id = ?2")?
                .query_row(params![kind.code(), id], |r| r.get(0))
                .optional();
        };
        let run: Option<(i64, i64, Vec<u8>)> = self
            .conn
            .prepare_cached(
                "SELECT r.last, r.seq, d.keys FROM key_runs r JOIN run_data d ON d.id = r.data
                 WHERE r.grp = ?1 AND r.first <= ?2 ORDER BY r.first DESC LIMIT 1",
            )?
            .query_row(params![key >> GROUP_SHIFT, key], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?;
        if let Some((last, seq, keys)) = run {
            if key <= last && runs::decode_keys(&keys).any(|k| k == key) {
                return Ok(Some(seq));
            }
        }
        self.conn
            .prepare_cached("SELECT seq FROM event_keys WHERE key = ?1")?
            .query_row([key], |r| r.get(0))
            .optional()
    }

    /// [`SqliteStore::seq_of_sql`]'s lookup, reading the digest stored beside the key.
    fn stored_digest_sql(&self, kind: EventKind, id: &str) -> rusqlite::Result<Option<i64>> {
        let Some(key) = compact::pack(kind, id) else {
            return self
                .conn
                .prepare_cached("SELECT digest FROM event_ids WHERE kind = ?1 AND id = ?2")?
                .query_row(params![kind.code(), id], |r| r.get(0))
                .optional();
        };
        let run: Option<(i64, Vec<u8>, Vec<u8>)> = self
            .conn
            .prepare_cached(
                "SELECT r.last, d.keys, d.digests FROM key_runs r JOIN run_data d ON d.id = r.data
                 WHERE r.grp = ?1 AND r.first <= ?2 ORDER BY r.first DESC LIMIT 1",
            )?
            .query_row(params![key >> GROUP_SHIFT, key], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?;
        if let Some((last, keys, digests)) = run {
            if key <= last {
                if let Some(at) = runs::decode_keys(&keys).position(|k| k == key) {
                    return Ok(runs::decode_digests(&digests).get(at).copied());
                }
            }
        }
        self.conn
            .prepare_cached("SELECT digest FROM event_keys WHERE key = ?1")?
            .query_row([key], |r| r.get(0))
            .optional()
    }

    fn counts_sql(&self) -> rusqlite::Result<Counts> {
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

    fn view_sql(&self, name: &str) -> rusqlite::Result<Option<(u64, Vec<u8>)>> {
        if !self.has_views()? {
            return Ok(None);
        }
        self.conn
            .prepare_cached("SELECT head, body FROM views WHERE name = ?1")?
            .query_row([name], |r| {
                // The head is stored as the bits of a u64 (see `put_views`).
                Ok((r.get::<_, i64>(0)? as u64, r.get::<_, Vec<u8>>(1)?))
            })
            .optional()
    }

    fn put_views_sql(&self, head: u64, views: &[(&str, &[u8])]) -> Result<(), StoreError> {
        let fail = |e| self.fail(e);
        let tx = rusqlite::Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)
            .map_err(fail)?;
        self.check_still_here()?;
        tx.execute_batch(VIEWS_TABLE).map_err(fail)?;
        {
            let mut put = tx
                .prepare_cached(
                    "INSERT INTO views (name, head, body) VALUES (?1, ?2, ?3)
                 ON CONFLICT (name) DO UPDATE SET head = excluded.head, body = excluded.body",
                )
                .map_err(fail)?;
            for (name, body) in views {
                put.execute(params![name, head as i64, body])
                    .map_err(fail)?;
            }
        }
        tx.commit().map_err(fail)
    }

    fn visit_chunk(
        seq: i64,
        count: i64,
        stored: &[u8],
        scratch: &mut ChunkScratch,
        visit: &mut dyn FnMut(&[u8]) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let damaged = |what: String| StoreError::Damaged {
            seq,
            source: accord_core::event::DecodeError::BadValue(what),
        };
        let undecompressed = |e: lz4_flex::block::DecompressError| {
            damaged(format!("chunk does not decompress: {e}"))
        };
        let (size, body) = lz4_flex::block::uncompressed_size(stored).map_err(undecompressed)?;
        let text = &mut scratch.text;
        text.clear();
        text.resize(size, 0);
        let written = lz4_flex::block::decompress_into(body, text).map_err(undecompressed)?;
        text.truncate(written);
        // The whole chunk is checked before any of it is visited: a damaged
        // chunk is reported, never half-read.
        let spans = &mut scratch.spans;
        spans.clear();
        let start = text.as_ptr() as usize;
        for bytes in unframe(text) {
            let bytes = bytes.map_err(|source| StoreError::Damaged { seq, source })?;
            let at = bytes.as_ptr() as usize - start;
            spans.push(at..at + bytes.len());
        }
        if spans.len() as i64 != count {
            return Err(damaged(format!(
                "chunk holds {} events, {count} were written",
                spans.len()
            )));
        }
        for span in spans.iter() {
            visit(&text[span.clone()])?;
        }
        Ok(())
    }
}

/// The buffers a scan decompresses each chunk into, kept from chunk to
/// chunk: a chunk's text is a few hundred kilobytes, and a new one per chunk
/// was fresh memory for the kernel to clear each time (a tenth of a replay's
/// reading thread at 1M leads).
#[derive(Default)]
struct ChunkScratch {
    text: Vec<u8>,
    /// Each event's place in `text`.
    spans: Vec<std::ops::Range<usize>>,
}

/// A packed key's group (kind, prefix, width) is its bits above the number.
const GROUP_SHIFT: u32 = 40;

/// A run decoded for lookups: its keys and their digests, in key order.
struct DecodedRun {
    keys: Vec<i64>,
    digests: Vec<i64>,
}

/// The largest packed key stored for a group (runs and single keys), cached.
fn group_max(
    tx: &Connection,
    cache: &mut rustc_hash::FxHashMap<i64, Option<i64>>,
    grp: i64,
) -> rusqlite::Result<Option<i64>> {
    if let Some(max) = cache.get(&grp) {
        return Ok(*max);
    }
    // Runs of a group never overlap, so the one that starts last ends
    // last: one index seek (`max(last)` read every run of the group, and
    // the kit's touches are a group of 4,400 runs at 1M leads).
    let from_runs: Option<i64> = tx
        .prepare_cached("SELECT last FROM key_runs WHERE grp = ?1 ORDER BY first DESC LIMIT 1")?
        .query_row([grp], |r| r.get(0))
        .optional()?;
    let from_keys: Option<i64> = tx
        .prepare_cached("SELECT max(key) FROM event_keys WHERE key >= ?1 AND key < ?2")?
        .query_row(params![grp << GROUP_SHIFT, (grp + 1) << GROUP_SHIFT], |r| {
            r.get(0)
        })?;
    let max = from_runs.max(from_keys);
    cache.insert(grp, max);
    Ok(max)
}

impl SqliteTx<'_> {
    /// The runs of a group, loaded on first use.
    fn group_runs(&mut self, grp: i64) -> rusqlite::Result<&mut Vec<(i64, i64, i64)>> {
        if !self.runs.contains_key(&grp) {
            let mut stmt = self.tx.prepare_cached(
                "SELECT first, last, data FROM key_runs WHERE grp = ?1 ORDER BY first",
            )?;
            let rows = stmt.query_map([grp], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            let runs = rows.collect::<Result<Vec<_>, _>>()?;
            self.runs.insert(grp, runs);
        }
        Ok(self.runs.get_mut(&grp).expect("inserted above"))
    }

    /// The stored digest of a packed key, if stored.
    fn stored_digest(&mut self, key: i64) -> rusqlite::Result<Option<i64>> {
        let grp = key >> GROUP_SHIFT;
        let runs = self.group_runs(grp)?;
        let at = runs.partition_point(|&(first, _, _)| first <= key);
        let run = at
            .checked_sub(1)
            .map(|i| runs[i])
            .filter(|&(_, last, _)| key <= last);
        if let Some((_, _, data)) = run {
            if !self.decoded.contains_key(&data) {
                if self.decoded.len() >= 8 {
                    self.decoded.clear();
                }
                let (keys, digests) = self
                    .tx
                    .prepare_cached("SELECT keys, digests FROM run_data WHERE id = ?1")?
                    .query_row([data], |r| {
                        Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, Vec<u8>>(1)?))
                    })?;
                self.decoded.insert(
                    data,
                    DecodedRun {
                        keys: runs::decode_keys(&keys).collect(),
                        digests: runs::decode_digests(&digests),
                    },
                );
            }
            let decoded = &self.decoded[&data];
            if let Ok(at) = decoded.keys.binary_search(&key) {
                return Ok(Some(decoded.digests[at]));
            }
        }
        self.tx
            .prepare_cached("SELECT digest FROM event_keys WHERE key = ?1")?
            .query_row(params![key], |r| r.get(0))
            .optional()
    }
}

impl AppendTx for SqliteTx<'_> {
    fn append(&mut self, batch: &Batch) -> Result<AppendOutcome, StoreError> {
        self.append_sql(batch)
            .map_err(|e| classify(self.path, self.wait, e))
    }

    fn head(&self) -> u64 {
        (self.next_seq - 1).max(0) as u64
    }

    fn commit(self) -> Result<(), StoreError> {
        let (path, wait, conn, stored) = (self.path, self.wait, self.conn, self.stored);
        let stores_events = self.added.iter().any(|&n| n > 0);
        self.commit_sql().map_err(|e| classify(path, wait, e))?;
        if stores_events {
            stored.set(true);
            // A new database is written in rollback-journal mode until it
            // holds events (see `open`); from then on, WAL.
            let mode: rusqlite::Result<String> =
                conn.query_row("PRAGMA journal_mode", [], |r| r.get(0));
            if mode.is_ok_and(|m| !m.eq_ignore_ascii_case("wal")) {
                let _ = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0));
            }
        }
        Ok(())
    }
}

impl SqliteTx<'_> {
    fn append_sql(&mut self, batch: &Batch) -> rusqlite::Result<AppendOutcome> {
        let mut outcome = AppendOutcome::default();
        let seq = self.next_seq;
        // new[i]: whether event i is stored by this call.
        let mut new = vec![false; batch.len()];
        // Packed keys above their group's maximum, in arrival order per group:
        // (group, key, digest). They become runs.
        let mut runs_out: Vec<(i64, Vec<i64>, Vec<i64>)> = Vec::new();
        // Packed keys new but not above the maximum: stored one by one.
        let mut singles: Vec<(i64, i64)> = Vec::new();
        // Keys stored earlier in this batch (for in-batch repeats off the fast path).
        let mut pending: rustc_hash::FxHashMap<i64, i64> = Default::default();
        // Per group, the largest of those keys (kept as they arrive: no scan).
        let mut pending_max: rustc_hash::FxHashMap<i64, i64> = Default::default();
        for (i, is_new) in new.iter_mut().enumerate() {
            let (kind, id, bytes) = batch.get(i);
            // Stored as a signed 64-bit integer; the bits are what matter.
            let d = digest(bytes) as i64;
            let Some(key) = compact::pack(kind, id) else {
                let inserted = self
                    .tx
                    .prepare_cached(
                        "INSERT INTO event_ids (kind, id, seq, digest) VALUES (?1, ?2, ?3, ?4)
                         ON CONFLICT DO NOTHING",
                    )?
                    .execute(params![kind.code(), id, seq, d])?;
                if inserted == 1 {
                    *is_new = true;
                } else {
                    let existing: Option<i64> = self
                        .tx
                        .prepare_cached("SELECT digest FROM event_ids WHERE kind = ?1 AND id = ?2")?
                        .query_row(params![kind.code(), id], |r| r.get(0))
                        .optional()?;
                    if existing == Some(d) {
                        outcome.duplicates += 1;
                    } else {
                        outcome.conflicts.push(i);
                    }
                }
                continue;
            };
            let grp = key >> GROUP_SHIFT;
            let max = match runs_out.iter().rev().find(|(g, _, _)| *g == grp) {
                Some((_, keys, _)) => keys.last().copied(),
                None => group_max(&self.tx, &mut self.group_max, grp)?,
            };
            let max = max.max(pending_max.get(&grp).copied());
            if max.is_none_or(|m| key > m) {
                // Above everything stored: new, and extends this batch's run.
                match runs_out.iter_mut().rev().find(|(g, _, _)| *g == grp) {
                    Some((_, keys, digests)) => {
                        keys.push(key);
                        digests.push(d);
                    }
                    None => runs_out.push((grp, vec![key], vec![d])),
                }
                *is_new = true;
                continue;
            }
            let existing =
                match runs_out.iter().filter(|(g, _, _)| *g == grp).find_map(
                    |(_, keys, digests)| keys.binary_search(&key).ok().map(|at| digests[at]),
                ) {
                    Some(d) => Some(d),
                    None => match pending.get(&key) {
                        Some(d) => Some(*d),
                        None => self.stored_digest(key)?,
                    },
                };
            match existing {
                None => {
                    pending.insert(key, d);
                    let m = pending_max.entry(grp).or_insert(key);
                    *m = (*m).max(key);
                    singles.push((key, d));
                    *is_new = true;
                }
                Some(e) if e == d => outcome.duplicates += 1,
                Some(_) => outcome.conflicts.push(i),
            }
        }

        if !runs_out.is_empty() || !singles.is_empty() {
            let mut insert_data = self
                .tx
                .prepare_cached("INSERT INTO run_data (keys, digests) VALUES (?1, ?2)")?;
            let mut insert_run = self.tx.prepare_cached(
                "INSERT INTO key_runs (grp, first, last, seq, data) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for (grp, keys, digests) in &runs_out {
                insert_data.execute(params![
                    runs::encode_keys(keys),
                    runs::encode_digests(digests)
                ])?;
                let data = self.tx.last_insert_rowid();
                let (first, last) = (keys[0], keys[keys.len() - 1]);
                insert_run.execute(params![grp, first, last, seq, data])?;
                // Runs of a group only grow upwards: the list stays sorted.
                if let Some(list) = self.runs.get_mut(grp) {
                    list.push((first, last, data));
                }
            }
            let mut insert_key = self
                .tx
                .prepare_cached("INSERT INTO event_keys (key, seq, digest) VALUES (?1, ?2, ?3)")?;
            for (key, d) in &singles {
                insert_key.execute(params![key, seq, d])?;
            }
        }
        for (grp, keys, _) in &runs_out {
            let last = keys.last().copied();
            let entry = self.group_max.entry(*grp).or_insert(None);
            *entry = (*entry).max(last);
        }
        for (key, _) in &singles {
            let entry = self.group_max.entry(key >> GROUP_SHIFT).or_insert(None);
            *entry = (*entry).max(Some(*key));
        }

        // The log chunk keeps the batch's order.
        self.chunk.clear();
        // The stored events' origins, as runs (only when some is not imported).
        let mut origins: Vec<(u64, &Origin)> = Vec::new();
        for (i, _) in new.iter().enumerate().filter(|(_, &n)| n) {
            let (kind, _, bytes) = batch.get(i);
            frame(&mut self.chunk, bytes);
            if !batch.all_imported() {
                let origin = batch.origin(i);
                match origins.last_mut() {
                    Some((n, o)) if *o == origin => *n += 1,
                    _ => origins.push((1, origin)),
                }
            }
            self.added[usize::from(kind.code())] += 1;
            outcome.appended += 1;
        }
        if outcome.appended > 0 {
            let events = lz4_flex::compress_prepend_size(&self.chunk);
            let count = outcome.appended as i64;
            if origins.iter().all(|(_, o)| **o == Origin::Imported) {
                // Imported rows are written as in format 1 (origins NULL).
                self.tx.execute(
                    "INSERT INTO log (seq, event_count, events) VALUES (?1, ?2, ?3)",
                    params![seq, count, events],
                )?;
            } else {
                let mut runs = Vec::new();
                encode_origin_runs(origins.iter().map(|&(n, o)| (n, o)), &mut runs);
                self.tx.execute(
                    "INSERT INTO log (seq, event_count, events, origins) VALUES (?1, ?2, ?3, ?4)",
                    params![seq, count, events, runs],
                )?;
            }
            self.next_seq += 1;
        }
        Ok(outcome)
    }

    fn commit_sql(self) -> rusqlite::Result<()> {
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
        self.tx.commit()
    }
}
