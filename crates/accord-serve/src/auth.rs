//! API tokens: made (`accord token create`), shown once, stored as their
//! SHA-256 only; a request's bearer token hashed and compared in constant
//! time with every live token's hash.

use std::sync::{Arc, RwLock};

use accord_store::{NewToken, TokenRecord, TokenStore};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::roles::Role;

/// What every token starts with (tells an accord token in a leaked text).
pub const TOKEN_PREFIX: &str = "acc_";

/// Why a token could not be made.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("role `{0}` is not one of admin, marketing_ops, sales_manager, rep, analyst")]
    UnknownRole(String),
    #[error("a {0} token acts as a rep: give --rep REP_ID")]
    NeedsRep(&'static str),
    #[error("--rep: a rep id is 1 to 64 bytes without spaces or control characters")]
    BadRep,
    #[error("--label: at most 200 characters without control characters")]
    BadLabel,
    #[error("no random bytes from the operating system: {0}")]
    Random(String),
    #[error(transparent)]
    Store(#[from] accord_store::StoreError),
}

/// A new token: its text (shown once) and its stored id.
pub struct Created {
    pub id: u64,
    pub token: String,
}

/// SHA-256 of a token's text.
pub fn hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// Makes and stores a token of `role`: 256 random bits, shown as hex after
/// [`TOKEN_PREFIX`]; only the hash is stored.
pub fn create(
    store: &mut impl TokenStore,
    role: &str,
    rep: Option<&str>,
    label: Option<&str>,
    now: i64,
) -> Result<Created, TokenError> {
    let role = Role::parse(role).ok_or_else(|| TokenError::UnknownRole(role.to_owned()))?;
    let rep = match (role.needs_rep(), rep) {
        (true, None) => return Err(TokenError::NeedsRep(role.as_str())),
        (_, Some(r)) => {
            if r.is_empty()
                || r.len() > 64
                || r.chars().any(|c| c.is_whitespace() || c.is_control())
            {
                return Err(TokenError::BadRep);
            }
            Some(r.to_owned())
        }
        (false, None) => None,
    };
    if let Some(l) = label {
        if l.chars().count() > 200 || l.chars().any(char::is_control) {
            return Err(TokenError::BadLabel);
        }
    }
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| TokenError::Random(e.to_string()))?;
    let token = format!(
        "{TOKEN_PREFIX}{}",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    );
    let id = store.add_token(&NewToken {
        hash: hash(&token),
        role: role.as_str().to_owned(),
        rep,
        label: label.map(str::to_owned),
        created_at: now,
    })?;
    Ok(Created { id, token })
}

/// Who is calling.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    pub token_id: u64,
    pub role: Role,
    pub rep: Option<String>,
    pub label: Option<String>,
}

/// Why a token does not log in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    /// No token, live or revoked, has this text.
    Unknown,
    /// The token was revoked.
    Revoked,
}

/// The tokens, as the server checks them (reloaded from the store every
/// second by the engine thread: a revocation takes effect within it).
/// Revoked ones are kept apart, only to tell a revoked token from an
/// unknown one at login.
#[derive(Clone, Default)]
pub struct Tokens(Arc<RwLock<Known>>);

#[derive(Default)]
struct Known {
    live: Vec<TokenRecord>,
    revoked: Vec<[u8; 32]>,
}

impl Tokens {
    pub fn set(&self, records: Vec<TokenRecord>) {
        let (revoked, live): (Vec<_>, Vec<_>) =
            records.into_iter().partition(TokenRecord::is_revoked);
        let revoked = revoked.into_iter().map(|t| t.hash).collect();
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = Known { live, revoked };
    }

    /// The caller a bearer token names: every live hash compared in
    /// constant time (no early exit), so the time taken tells nothing of
    /// how much of a hash matched.
    pub fn caller(&self, token: &str) -> Option<Caller> {
        self.check(token).ok()
    }

    /// As [`Tokens::caller`], saying why a token is refused.
    pub fn check(&self, token: &str) -> Result<Caller, Refused> {
        let h = hash(token);
        let known = self.0.read().unwrap_or_else(|e| e.into_inner());
        let mut found = None;
        for t in known.live.iter() {
            if bool::from(t.hash.ct_eq(&h)) {
                found = Some(t);
            }
        }
        if let Some(t) = found {
            return to_caller(t).ok_or(Refused::Unknown);
        }
        let mut revoked = false;
        for r in known.revoked.iter() {
            revoked |= bool::from(r.ct_eq(&h));
        }
        Err(if revoked {
            Refused::Revoked
        } else {
            Refused::Unknown
        })
    }

    /// The caller of the live token `id` (a session's token): `None` once
    /// it is revoked.
    pub fn by_id(&self, id: u64) -> Option<Caller> {
        let known = self.0.read().unwrap_or_else(|e| e.into_inner());
        known.live.iter().find(|t| t.id == id).and_then(to_caller)
    }

    pub fn is_empty(&self) -> bool {
        self.0
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .live
            .is_empty()
    }
}

fn to_caller(t: &TokenRecord) -> Option<Caller> {
    Some(Caller {
        token_id: t.id,
        role: Role::parse(&t.role)?,
        rep: t.rep.clone(),
        label: t.label.clone(),
    })
}
