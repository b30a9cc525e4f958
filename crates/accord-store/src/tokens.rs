//! API tokens beside the log (store format 3): who may call the HTTP API.
//! Only a token's SHA-256 is stored; the token itself is shown once, by
//! whoever made it. A revoked token keeps its row (listed, never valid).
//! Roles are words here: what they allow is the server's business.

use crate::StoreError;

/// A token to store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewToken {
    /// SHA-256 of the token's text.
    pub hash: [u8; 32],
    pub role: String,
    /// The rep the token acts as (a rep's or a sales manager's token).
    pub rep: Option<String>,
    pub label: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
}

/// A stored token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenRecord {
    pub id: u64,
    pub hash: [u8; 32],
    pub role: String,
    pub rep: Option<String>,
    pub label: Option<String>,
    pub created_at: i64,
    /// When it was revoked (unix seconds), if it was.
    pub revoked_at: Option<i64>,
}

impl TokenRecord {
    pub fn is_revoked(&self) -> bool {
        self.revoked_at.is_some()
    }
}

/// The tokens, as every backend keeps them.
pub trait TokenStore {
    /// Stores a token; its id.
    fn add_token(&mut self, token: &NewToken) -> Result<u64, StoreError>;
    /// Every token, revoked ones included, by id. A file of a format
    /// before tokens (opened read-only) has none.
    fn tokens(&self) -> Result<Vec<TokenRecord>, StoreError>;
    /// Revokes token `id` at `at`: `false` when there is no such token or
    /// it was revoked before (its first revocation time is kept).
    fn revoke_token(&mut self, id: u64, at: i64) -> Result<bool, StoreError>;
}
