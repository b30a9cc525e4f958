//! The `tokens` table (store format 3) behind [`TokenStore`].

use rusqlite::params;

use super::SqliteStore;
use crate::tokens::{NewToken, TokenRecord, TokenStore};
use crate::StoreError;

/// The tokens table: one row per API token, its SHA-256 and its role.
pub(crate) const TOKENS_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS tokens (
    id INTEGER PRIMARY KEY,
    hash BLOB NOT NULL UNIQUE CHECK (length(hash) = 32),
    role TEXT NOT NULL,
    rep TEXT,
    label TEXT,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);
";

/// Format 2 → 3, the tokens' step: the table added, nothing else touched.
pub(crate) const MIGRATE_2_TO_3_TOKENS: &str = TOKENS_SCHEMA;

impl SqliteStore {
    fn has_tokens(&self) -> Result<bool, StoreError> {
        self.conn
            .prepare_cached("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'tokens'")
            .and_then(|mut s| s.exists([]))
            .map_err(|e| self.fail(e))
    }
}

impl TokenStore for SqliteStore {
    fn add_token(&mut self, t: &NewToken) -> Result<u64, StoreError> {
        self.check_still_here()?;
        self.conn
            .execute(
                "INSERT INTO tokens (hash, role, rep, label, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![&t.hash[..], t.role, t.rep, t.label, t.created_at],
            )
            .map_err(|e| self.fail(e))?;
        // A file holding a token is kept, as one holding events.
        self.stored.set(true);
        Ok(self.conn.last_insert_rowid() as u64)
    }

    fn tokens(&self) -> Result<Vec<TokenRecord>, StoreError> {
        if !self.has_tokens()? {
            return Ok(Vec::new());
        }
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, hash, role, rep, label, created_at, revoked_at FROM tokens ORDER BY id",
            )
            .map_err(|e| self.fail(e))?;
        let rows = stmt
            .query_map([], |r| {
                let hash: Vec<u8> = r.get(1)?;
                Ok(TokenRecord {
                    id: r.get::<_, i64>(0)? as u64,
                    hash: hash.try_into().unwrap_or([0; 32]),
                    role: r.get(2)?,
                    rep: r.get(3)?,
                    label: r.get(4)?,
                    created_at: r.get(5)?,
                    revoked_at: r.get(6)?,
                })
            })
            .map_err(|e| self.fail(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.fail(e))
    }

    fn revoke_token(&mut self, id: u64, at: i64) -> Result<bool, StoreError> {
        self.check_still_here()?;
        let n = self
            .conn
            .execute(
                "UPDATE tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
                params![id as i64, at],
            )
            .map_err(|e| self.fail(e))?;
        Ok(n == 1)
    }
}
