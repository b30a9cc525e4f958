//! Opening a database file: what may be opened, created or written, and
//! every failure in words.
//!
//! - `create_or_open` (commands that store events): creates the file when
//!   missing (`O_EXCL`, so two processes never both think they made it) and
//!   the schema when the file has none, inside `BEGIN IMMEDIATE` with the
//!   check repeated under the lock, so racing creators make one schema.
//! - `open_existing`: read-write, never creates anything.
//! - `open_read_only`: never writes; in a read-only folder, where SQLite
//!   cannot make the `-shm` file a WAL reader needs, it falls back to
//!   `immutable=1` when no write-ahead log holds anything.
//! - `open_for_reading`: read-write when the file allows it (views can be
//!   stored), read-only otherwise.
//!
//! Opening a file of store format 1, 2 or 3 for writing (`create_or_open`,
//! `open_existing`) migrates it to format 4 in one transaction (`migrate`:
//! 1 → 2 adds one column to `log`, no row rewritten; 2 → 3 adds the
//! `tokens` table and the webhooks' tables, empty; 3 → 4 adds `models` and
//! moves the model views into it); read-only, it is read
//! as it is and left so.
//!
//! A database this process created stays in rollback-journal mode until its
//! first commit that stores events (then it switches to WAL), and is removed
//! on drop when nothing was ever stored in it: a failed first import leaves
//! no empty file behind. The removal happens under the write lock and only
//! when the path still names the file this process opened; every writer
//! checks the same after taking the lock, so no one writes into a removed
//! file.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags};

use super::hooks::{migrate_hooks_2_to_3, HOOKS_SCHEMA};
use super::models::{migrate_models_3_to_4, migrate_models_4_to_5, MODELS_SCHEMA};
use super::tokens::{MIGRATE_2_TO_3_TOKENS, TOKENS_SCHEMA};
use super::{SqliteStore, APPLICATION_ID, FORMAT_VERSION, SCHEMA, VIEWS_TABLE};

/// Format 1 → 2: the origins of each row's events (NULL: all imported).
const MIGRATE_1_TO_2: &str = "ALTER TABLE log ADD COLUMN origins BLOB;";
use crate::StoreError;

/// How long a write waits for another process's write to finish.
pub(crate) const WRITE_WAIT: Duration = Duration::from_secs(30);
/// How long storing views waits: they are optional, a reader must not stall.
pub(crate) const VIEWS_WAIT: Duration = Duration::from_secs(1);

/// Whether a store may write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    ReadWrite,
    ReadOnly,
}

/// A file's identity (device, inode) on Unix: tells whether a path still
/// names the file that was opened. Elsewhere every file looks the same.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FileId(u64, u64);

pub(crate) fn file_id(path: &Path) -> Option<FileId> {
    let meta = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some(FileId(meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        Some(FileId(0, 0))
    }
}

/// Whether `path` is a regular file (true), missing (false), or refused.
fn exists(path: &Path, shown: &str) -> Result<bool, StoreError> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => Ok(true),
        Ok(m) if m.is_dir() => Err(StoreError::NotAFile {
            path: shown.into(),
            what: "a folder",
        }),
        Ok(_) => Err(StoreError::NotAFile {
            path: shown.into(),
            what: "a device, pipe or socket",
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            // Looked at again without following links: a link to nothing, or
            // a file another process created since (a racing first import).
            match std::fs::symlink_metadata(path) {
                Ok(m) if m.file_type().is_symlink() => {
                    return Err(StoreError::NotAFile {
                        path: shown.into(),
                        what: "a link to a missing file",
                    })
                }
                Ok(m) if m.is_file() => return Ok(true),
                _ => {}
            }
            let folder = path.parent().filter(|p| !p.as_os_str().is_empty());
            match folder {
                Some(folder) if !folder.is_dir() => Err(StoreError::NoFolder {
                    path: shown.into(),
                    folder: folder.display().to_string(),
                }),
                _ => Ok(false),
            }
        }
        Err(source) => Err(StoreError::Io {
            path: shown.into(),
            source,
        }),
    }
}

/// A backend error, named for the user.
pub(crate) fn classify(path: &str, waited: Duration, e: rusqlite::Error) -> StoreError {
    let path = path.to_owned();
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Busy {
            path,
            waited_secs: waited.as_secs(),
        },
        Some(ErrorCode::ReadOnly) => StoreError::ReadOnly { path },
        Some(ErrorCode::CannotOpen | ErrorCode::PermissionDenied) => {
            StoreError::CannotOpen { path }
        }
        Some(ErrorCode::DiskFull) => StoreError::Full { path },
        Some(ErrorCode::DatabaseCorrupt) => StoreError::Corrupt { path },
        Some(ErrorCode::NotADatabase) => StoreError::NotAccord {
            path,
            what: "not a SQLite database: a text or CSV file?",
        },
        _ => StoreError::Backend {
            path,
            detail: e.to_string(),
        },
    }
}

impl SqliteStore {
    /// Opens the database at `path`, creating it (file and schema) when
    /// missing; for commands that store events.
    pub fn create_or_open(path: &Path) -> Result<SqliteStore, StoreError> {
        let shown = path.display().to_string();
        let created = !exists(path, &shown)?
            && match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path)
            {
                Ok(_) => true,
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => false,
                Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
                    return Err(StoreError::ReadOnly { path: shown })
                }
                Err(source) => {
                    return Err(StoreError::Io {
                        path: shown,
                        source,
                    })
                }
            };
        let mut store = match SqliteStore::connect(path, shown, Access::ReadWrite) {
            Ok(store) => store,
            Err(e) => {
                if created {
                    let _ = std::fs::remove_file(path);
                }
                return Err(e);
            }
        };
        // From here on, drop removes the file if nothing gets stored.
        store.created = created;
        store.create_schema()?;
        store.migrate()?;
        Ok(store)
    }

    /// Opens an existing database for reading and writing; never creates.
    pub fn open_existing(path: &Path) -> Result<SqliteStore, StoreError> {
        let shown = path.display().to_string();
        if !exists(path, &shown)? {
            return Err(StoreError::Missing { path: shown });
        }
        let mut store = SqliteStore::connect(path, shown, Access::ReadWrite)?;
        store.require_schema()?;
        store.migrate()?;
        Ok(store)
    }

    /// Opens an existing database without ever writing to it.
    pub fn open_read_only(path: &Path) -> Result<SqliteStore, StoreError> {
        let shown = path.display().to_string();
        if !exists(path, &shown)? {
            return Err(StoreError::Missing { path: shown });
        }
        let store = match SqliteStore::connect(path, shown.clone(), Access::ReadOnly) {
            Err(StoreError::CannotOpen { .. } | StoreError::ReadOnly { .. })
                if !has_wal_content(path) =>
            {
                // A WAL database in a folder that cannot be written: SQLite
                // cannot make the -shm file. With no write-ahead log to
                // read, the file alone is the database.
                SqliteStore::connect_immutable(path, shown)?
            }
            other => other?,
        };
        store.require_schema()?;
        Ok(store)
    }

    /// Opens an existing database to read, and to store views when the file
    /// can be written (read-only otherwise: storing views then fails with
    /// `ReadOnly`).
    pub fn open_for_reading(path: &Path) -> Result<SqliteStore, StoreError> {
        match SqliteStore::open_existing(path) {
            Err(StoreError::ReadOnly { .. } | StoreError::CannotOpen { .. }) => {
                SqliteStore::open_read_only(path)
            }
            other => other,
        }
    }

    /// Whether this store may write.
    pub fn access(&self) -> Access {
        self.access
    }

    fn connect(path: &Path, shown: String, access: Access) -> Result<SqliteStore, StoreError> {
        // Never SQLITE_OPEN_CREATE (the file exists), never URI names (a
        // path is a path).
        let flags = match access {
            Access::ReadWrite => OpenFlags::SQLITE_OPEN_READ_WRITE,
            Access::ReadOnly => OpenFlags::SQLITE_OPEN_READ_ONLY,
        } | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let before = file_id(path);
        let conn = Connection::open_with_flags(path, flags)
            .map_err(|e| classify(&shown, Duration::ZERO, e))?;
        SqliteStore::prepare(conn, shown, access, path, before)
    }

    fn connect_immutable(path: &Path, shown: String) -> Result<SqliteStore, StoreError> {
        let absolute = std::path::absolute(path).map_err(|source| StoreError::Io {
            path: shown.clone(),
            source,
        })?;
        let uri = format!("file:{}?immutable=1", uri_escape(&absolute));
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let before = file_id(path);
        let conn = Connection::open_with_flags(uri, flags)
            .map_err(|e| classify(&shown, Duration::ZERO, e))?;
        SqliteStore::prepare(conn, shown, Access::ReadOnly, path, before)
    }

    fn prepare(
        conn: Connection,
        shown: String,
        access: Access,
        path: &Path,
        before: Option<FileId>,
    ) -> Result<SqliteStore, StoreError> {
        let store = SqliteStore::with(conn, shown, path, access);
        let fail = |e| classify(&store.path, Duration::ZERO, e);
        let conn = &store.conn;
        // One snapshot: a creator racing this open commits all or nothing of it.
        let header = (|| -> rusqlite::Result<(i64, i64, i64)> {
            conn.execute_batch("BEGIN")?;
            let read = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0));
            let header = (|| {
                Ok((
                    read("PRAGMA application_id")?,
                    read("PRAGMA user_version")?,
                    read("SELECT count(*) FROM sqlite_master")?,
                ))
            })();
            let _ = conn.execute_batch("COMMIT");
            header
        })();
        let (app_id, version, tables) = header.map_err(fail)?;
        if tables > 0 && app_id != APPLICATION_ID {
            return Err(StoreError::NotAccord {
                path: store.path.clone(),
                what: "another application's SQLite database: it holds tables but no accord marker",
            });
        }
        if version > FORMAT_VERSION {
            return Err(StoreError::TooNew {
                path: store.path.clone(),
                found: version,
                supported: FORMAT_VERSION,
            });
        }
        let mut store = store;
        store.id = before;
        if tables > 0 {
            store.format = version;
        }
        if before.is_none() || file_id(path) != before {
            return Err(StoreError::Replaced {
                path: store.path.clone(),
            });
        }
        store
            .conn
            .execute_batch(
                "PRAGMA foreign_keys = ON;
                 PRAGMA cache_size = -262144;
                 PRAGMA temp_store = MEMORY;",
            )
            .map_err(|e| classify(&store.path, Duration::ZERO, e))?;
        store.set_wait(WRITE_WAIT)?;
        if access == Access::ReadWrite && tables > 0 {
            store
                .conn
                .execute_batch("PRAGMA synchronous = FULL;")
                .map_err(|e| store.fail(e))?;
            if store.head_sql().map_err(|e| store.fail(e))? > 0 {
                store.use_wal();
            }
            store.add_views_table()?;
        }
        Ok(store)
    }

    /// Refuses a file without the schema (an empty file is not a database
    /// to read, and only `create_or_open` may give it one).
    fn require_schema(&self) -> Result<(), StoreError> {
        let tables: i64 = self
            .conn
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
            .map_err(|e| self.fail(e))?;
        if tables == 0 {
            return Err(StoreError::NotAccord {
                path: self.path.clone(),
                what: "an empty file",
            });
        }
        Ok(())
    }

    /// Creates the schema if the file has none, atomically: the check is
    /// repeated under the write lock, so of two racing creators one creates
    /// and the other finds it made.
    fn create_schema(&mut self) -> Result<(), StoreError> {
        let tables: i64 = self
            .conn
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
            .map_err(|e| self.fail(e))?;
        if tables > 0 {
            return Ok(());
        }
        // The page size is chosen before the first table exists.
        self.conn
            .execute_batch("PRAGMA page_size = 8192; PRAGMA synchronous = FULL; BEGIN IMMEDIATE;")
            .map_err(|e| self.fail(e))?;
        let made = (|| {
            self.check_still_here()?;
            let tables: i64 = self
                .conn
                .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
                .map_err(|e| self.fail(e))?;
            if tables == 0 {
                self.conn
                    .execute_batch(&format!(
                        "{SCHEMA}{TOKENS_SCHEMA}
                         {HOOKS_SCHEMA}{MODELS_SCHEMA}
                         PRAGMA application_id = {APPLICATION_ID};
                         PRAGMA user_version = {FORMAT_VERSION};"
                    ))
                    .map_err(|e| self.fail(e))?;
            } else {
                let app_id: i64 = self
                    .conn
                    .query_row("PRAGMA application_id", [], |r| r.get(0))
                    .map_err(|e| self.fail(e))?;
                if app_id != APPLICATION_ID {
                    return Err(StoreError::NotAccord {
                        path: self.path.clone(),
                        what: "another application's SQLite database: it holds tables but no accord marker",
                    });
                }
            }
            self.conn.execute_batch("COMMIT").map_err(|e| self.fail(e))
        })();
        if made.is_err() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        made
    }

    /// Brings a file of an earlier store format to this build's, in one
    /// transaction under the write lock (the format is read again under it:
    /// of two processes opening one file, one migrates). Format 1 → 2 adds
    /// the nullable `log.origins` column, which only changes the schema: no
    /// row is rewritten, and format-1 rows read as imported. Format 2 → 3
    /// adds the `tokens` table (`tokens::MIGRATE_2_TO_3_TOKENS`) and the
    /// webhooks' tables (`hooks::migrate_hooks_2_to_3`), empty. Format 3 → 4
    /// adds the `models` table and moves the `model/<n>` views into it
    /// (`models::migrate_models_3_to_4`). Format 4 → 5 (the event kind
    /// `model_adopted`, which an older build could not read) deletes the
    /// view `model/adopted` (`models::migrate_models_4_to_5`). All steps a
    /// file needs run in the one transaction. On failure
    /// (read-only, busy, disk full) nothing is changed and the error says why.
    fn migrate(&mut self) -> Result<(), StoreError> {
        // Read again: a file created by a racing process after `prepare`
        // read the header may be of format 1.
        self.format = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.fail(e))?;
        if self.format >= FORMAT_VERSION {
            return Ok(());
        }
        self.conn
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(|e| self.fail(e))?;
        let migrated = (|| {
            self.check_still_here()?;
            let version: i64 = self
                .conn
                .query_row("PRAGMA user_version", [], |r| r.get(0))
                .map_err(|e| self.fail(e))?;
            if version == 1 {
                self.conn
                    .execute_batch(MIGRATE_1_TO_2)
                    .map_err(|e| self.fail(e))?;
            }
            if (1..3).contains(&version) {
                // Format 2 → 3: the tokens' table, then the webhooks' tables.
                self.conn
                    .execute_batch(MIGRATE_2_TO_3_TOKENS)
                    .map_err(|e| self.fail(e))?;
                migrate_hooks_2_to_3(&self.conn).map_err(|e| self.fail(e))?;
            }
            if (1..4).contains(&version) {
                // Format 3 → 4: the models' table, the model views moved in.
                migrate_models_3_to_4(&self.conn).map_err(|e| self.fail(e))?;
            }
            if (1..5).contains(&version) {
                // Format 4 → 5: model adoption is an event; its view goes.
                migrate_models_4_to_5(&self.conn).map_err(|e| self.fail(e))?;
            }
            if (1..FORMAT_VERSION).contains(&version) {
                self.conn
                    .execute_batch(&format!("PRAGMA user_version = {FORMAT_VERSION};"))
                    .map_err(|e| self.fail(e))?;
            }
            self.conn
                .execute_batch("COMMIT")
                .map_err(|e| self.fail(e))?;
            Ok(version.max(FORMAT_VERSION))
        })();
        match migrated {
            Ok(format) => {
                self.format = format;
                Ok(())
            }
            Err(e) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(e)
            }
        }
    }

    /// Adds the views table to a database from before it existed. Views
    /// are optional: a file opened read-only, or while another process
    /// writes, opens without them rather than waiting or failing.
    fn add_views_table(&self) -> Result<(), StoreError> {
        if self.has_views().map_err(|e| self.fail(e))? {
            return Ok(());
        }
        self.set_wait(Duration::ZERO)?;
        let created = self.conn.execute_batch(VIEWS_TABLE);
        self.set_wait(self.write_wait)?;
        match created {
            Ok(()) => Ok(()),
            Err(e) => match self.fail(e) {
                StoreError::ReadOnly { .. } | StoreError::Busy { .. } => Ok(()),
                e => Err(e),
            },
        }
    }

    pub(crate) fn set_wait(&self, wait: Duration) -> Result<(), StoreError> {
        self.wait.set(wait);
        self.conn.busy_timeout(wait).map_err(|e| self.fail(e))
    }

    /// Switches to WAL (best effort: it only makes later writes cheaper).
    pub(crate) fn use_wal(&self) {
        let _ = self
            .conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0));
    }

    /// Fails with `Replaced` unless the path still names the opened file.
    pub(crate) fn check_still_here(&self) -> Result<(), StoreError> {
        if self.id.is_some() && file_id(Path::new(&self.path_os)) != self.id {
            return Err(StoreError::Replaced {
                path: self.path.clone(),
            });
        }
        Ok(())
    }

    /// Removes the file this store created when nothing was ever stored in
    /// it: under the write lock (not waiting for it: a file someone else is
    /// writing is theirs now), and only while the path still names it.
    pub(crate) fn remove_if_unused(&self) {
        let removed = (|| -> Result<(), StoreError> {
            self.set_wait(Duration::ZERO)?;
            self.conn
                .execute_batch("BEGIN IMMEDIATE")
                .map_err(|e| self.fail(e))?;
            let tables: i64 = self
                .conn
                .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
                .map_err(|e| self.fail(e))?;
            let holds = |table: &str| {
                self.conn
                    .prepare(&format!("SELECT 1 FROM {table}"))
                    .and_then(|mut s| s.exists([]))
                    .map_err(|e| self.fail(e))
            };
            let unused = self.check_still_here().is_ok()
                && (tables == 0
                    || (self.head_sql().map_err(|e| self.fail(e))? == 0
                        && !holds("views")?
                        && !holds("tokens")?
                        && !holds("models")?));
            if unused {
                let _ = std::fs::remove_file(&self.path_os);
            }
            Ok(())
        })();
        let _ = removed;
        let _ = self.conn.execute_batch("ROLLBACK");
    }
}

/// Whether a write-ahead log beside `path` holds anything.
fn has_wal_content(path: &Path) -> bool {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    std::fs::metadata(wal).is_ok_and(|m| m.len() > 0)
}

/// `path` as the path of a `file:` URI: every byte but the unreserved ones
/// and `/` percent-encoded.
fn uri_escape(path: &Path) -> String {
    let bytes = path.as_os_str().as_encoded_bytes();
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
