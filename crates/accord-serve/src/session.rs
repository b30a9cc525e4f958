//! The dashboard's logins: a token exchanged once for a session cookie.
//!
//! A session is held in this process's memory only (a restart logs every
//! browser out), keyed by the SHA-256 of its cookie's value, and lasts
//! [`crate::Limits::session_secs`] after its login. It names the token it
//! was opened with, never a role: each request acts with that token's role
//! as the tokens are now, so revoking the token ends its sessions within
//! the second the tokens are reloaded. A change (any method but GET and
//! HEAD) made with the cookie must carry the session's CSRF token in
//! [`CSRF_HEADER`]: a page on another site can make a browser send the
//! cookie, never read the CSRF token (it is only in the login's and
//! `GET /v1/session`'s JSON).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use subtle::ConstantTimeEq;

use crate::auth::{self, Caller, Tokens};

/// The cookie's name.
pub const COOKIE: &str = "accord_session";
/// The header a change made with the cookie carries the CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Sessions held at most; beyond it the one ending first is dropped.
pub const MAX_SESSIONS: usize = 10_000;

/// A new session: the cookie's value and the CSRF token (each shown once).
pub struct Opened {
    pub id: String,
    pub csrf: String,
}

/// Why a cookie does not act.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ended {
    /// Unknown, expired or logged out.
    Gone,
    /// Its token was revoked since the login.
    Revoked,
}

struct Session {
    token_id: u64,
    csrf: String,
    ends: Instant,
}

/// Every open session.
#[derive(Clone, Default)]
pub struct Sessions(Arc<Mutex<HashMap<[u8; 32], Session>>>);

impl Sessions {
    /// Opens a session for `caller`'s token, lasting `lifetime`.
    pub fn open(&self, caller: &Caller, lifetime: Duration) -> Result<Opened, auth::TokenError> {
        let (id, csrf) = (random_hex()?, random_hex()?);
        let now = Instant::now();
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_SESSIONS {
            map.retain(|_, s| s.ends > now);
        }
        if map.len() >= MAX_SESSIONS {
            if let Some(first) = map.iter().min_by_key(|(_, s)| s.ends).map(|(k, _)| *k) {
                map.remove(&first);
            }
        }
        map.insert(
            auth::hash(&id),
            Session {
                token_id: caller.token_id,
                csrf: csrf.clone(),
                ends: now + lifetime,
            },
        );
        Ok(Opened { id, csrf })
    }

    /// The caller a cookie's value acts as, and the session's CSRF token.
    pub fn caller(&self, id: &str, tokens: &Tokens) -> Result<(Caller, String), Ended> {
        let key = auth::hash(id);
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let Some(s) = map.get(&key) else {
            return Err(Ended::Gone);
        };
        if s.ends <= Instant::now() {
            map.remove(&key);
            return Err(Ended::Gone);
        }
        match tokens.by_id(s.token_id) {
            Some(caller) => Ok((caller, s.csrf.clone())),
            None => {
                map.remove(&key);
                Err(Ended::Revoked)
            }
        }
    }

    /// Ends a session (logout); nothing when there is none.
    pub fn close(&self, id: &str) {
        let key = auth::hash(id);
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&key);
    }
}

/// Whether `sent` is the session's CSRF token (constant time).
pub fn csrf_matches(sent: &str, expected: &str) -> bool {
    sent.len() == expected.len() && bool::from(sent.as_bytes().ct_eq(expected.as_bytes()))
}

/// The value of cookie `name` in a `Cookie` header's text.
pub fn cookie<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header
        .split(';')
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
}

/// The `Set-Cookie` value that holds a session (`None`: the one that ends it).
pub fn set_cookie(id: Option<&str>, lifetime: Duration) -> String {
    match id {
        Some(id) => format!(
            "{COOKIE}={id}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}",
            lifetime.as_secs()
        ),
        None => format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"),
    }
}

fn random_hex() -> Result<String, auth::TokenError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| auth::TokenError::Random(e.to_string()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cookie_is_found_among_others_by_its_exact_name() {
        let h = "a=1; accord_session_x=2;accord_session=abc ; b=3";
        assert_eq!(cookie(h, COOKIE), Some("abc"));
        assert_eq!(cookie("accord_session_x=2", COOKIE), None);
        assert_eq!(cookie("", COOKIE), None);
    }

    #[test]
    fn the_csrf_check_wants_the_whole_token() {
        assert!(csrf_matches("abcd", "abcd"));
        assert!(!csrf_matches("abc", "abcd"));
        assert!(!csrf_matches("", "abcd"));
        assert!(!csrf_matches("abce", "abcd"));
    }
}
