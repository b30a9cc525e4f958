//! The `models` table (store format 4) behind [`ModelStore`], and the
//! format 3 → 4 step that moves the `model/<n>` views into it.

use rusqlite::{params, Connection, OptionalExtension};

use super::SqliteStore;
use crate::models::{model_digest, ModelRecord, ModelStore, NewModel};
use crate::StoreError;

/// One row per trained model; never updated once inserted.
pub(crate) const MODELS_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS models (
    version INTEGER PRIMARY KEY CHECK (version > 0),
    trained_at INTEGER,
    head INTEGER NOT NULL,
    digest INTEGER NOT NULL,
    artifact BLOB NOT NULL
);
";

/// Format 3 → 4: creates `models`, moves every `model/<n>` view (a
/// format-3 build's stored artifact, `n` its version, the view's head the
/// head it was trained at) into it, and drops those views and
/// `model/latest` (the highest version is read from the table now).
/// `model/adopted` is left to the caller. Runs inside the migration's
/// transaction. Returns how many models moved.
pub(crate) fn migrate_models_3_to_4(conn: &Connection) -> rusqlite::Result<usize> {
    conn.execute_batch(MODELS_SCHEMA)?;
    let has_views = conn
        .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'views'")?
        .exists([])?;
    if !has_views {
        return Ok(0);
    }
    let mut moved = Vec::new();
    {
        let mut stmt =
            conn.prepare("SELECT name, head, body FROM views WHERE name GLOB 'model/[0-9]*'")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, Vec<u8>>(2)?,
            ))
        })?;
        for row in rows {
            let (name, head, body) = row?;
            // Only names that are a version number: anything else stays.
            let Ok(version) = name["model/".len()..].parse::<u32>() else {
                continue;
            };
            if version == 0 || name["model/".len()..] != version.to_string() {
                continue;
            }
            moved.push((name, version, head, body));
        }
    }
    for (name, version, head, body) in &moved {
        conn.execute(
            "INSERT INTO models (version, trained_at, head, digest, artifact) VALUES (?1, NULL, ?2, ?3, ?4)",
            params![version, head, model_digest(body) as i64, body],
        )?;
        conn.execute("DELETE FROM views WHERE name = ?1", params![name])?;
    }
    conn.execute("DELETE FROM views WHERE name = 'model/latest'", [])?;
    Ok(moved.len())
}

/// Format 4 → 5: which model is in use became an event of the log
/// (`model_adopted`, carrying the artifact), so the view `model/adopted`
/// that said it is deleted. No event is appended: a migrated file has no
/// model in use until `accord model adopt N` (the models stay stored).
/// Runs inside the migration's transaction.
pub(crate) fn migrate_models_4_to_5(conn: &Connection) -> rusqlite::Result<()> {
    let has_views = conn
        .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'views'")?
        .exists([])?;
    if has_views {
        conn.execute("DELETE FROM views WHERE name = 'model/adopted'", [])?;
    }
    Ok(())
}

impl SqliteStore {
    fn has_models(&self) -> Result<bool, StoreError> {
        self.conn
            .prepare_cached("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'models'")
            .and_then(|mut s| s.exists([]))
            .map_err(|e| self.fail(e))
    }

    fn checked(&self, r: (i64, Option<i64>, i64, i64, Vec<u8>)) -> Result<ModelRecord, StoreError> {
        let (version, trained_at, head, digest, artifact) = r;
        let m = ModelRecord {
            version: version as u32,
            trained_at,
            head: head.max(0) as u64,
            digest: digest as u64,
            artifact,
        };
        if model_digest(&m.artifact) != m.digest {
            return Err(StoreError::ModelDamaged {
                path: self.path.clone(),
                version: m.version,
            });
        }
        Ok(m)
    }
}

const SELECT: &str = "SELECT version, trained_at, head, digest, artifact FROM models";

impl ModelStore for SqliteStore {
    fn add_model(&mut self, m: &NewModel) -> Result<u64, StoreError> {
        self.check_still_here()?;
        let digest = model_digest(&m.artifact);
        let inserted = self
            .conn
            .execute(
                "INSERT INTO models (version, trained_at, head, digest, artifact) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (version) DO NOTHING",
                params![m.version, m.trained_at, m.head as i64, digest as i64, m.artifact],
            )
            .map_err(|e| self.fail(e))?;
        if inserted == 0 {
            return Err(StoreError::ModelExists {
                path: self.path.clone(),
                version: m.version,
            });
        }
        // A file holding a model is kept, as one holding events.
        self.stored.set(true);
        Ok(digest)
    }

    fn model(&self, version: u32) -> Result<Option<ModelRecord>, StoreError> {
        if !self.has_models()? {
            return Ok(None);
        }
        let row = self
            .conn
            .prepare_cached(&format!("{SELECT} WHERE version = ?1"))
            .and_then(|mut s| {
                s.query_row([version], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })
                .optional()
            })
            .map_err(|e| self.fail(e))?;
        row.map(|r| self.checked(r)).transpose()
    }

    fn models(&self) -> Result<Vec<ModelRecord>, StoreError> {
        if !self.has_models()? {
            return Ok(Vec::new());
        }
        let mut stmt = self
            .conn
            .prepare_cached(&format!("{SELECT} ORDER BY version"))
            .map_err(|e| self.fail(e))?;
        let rows: Vec<_> = stmt
            .query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .map_err(|e| self.fail(e))?
            .collect::<Result<_, _>>()
            .map_err(|e| self.fail(e))?;
        rows.into_iter().map(|r| self.checked(r)).collect()
    }

    fn latest_model_version(&self) -> Result<Option<u32>, StoreError> {
        if !self.has_models()? {
            return Ok(None);
        }
        let v: Option<i64> = self
            .conn
            .query_row("SELECT max(version) FROM models", [], |r| r.get(0))
            .map_err(|e| self.fail(e))?;
        Ok(v.map(|v| v as u32))
    }
}
