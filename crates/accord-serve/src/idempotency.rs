//! `Idempotency-Key`: the response to a request is kept, by token and key,
//! for [`crate::limits::Limits::idempotency_secs`]; the same key with the
//! same body replays it, with another body is refused (422). Kept in the
//! server's memory: a restart forgets them (events with ids need no key).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

/// Keys kept at most (the oldest are dropped first beyond this).
pub const MAX_KEYS: usize = 100_000;

/// A kept response.
#[derive(Clone)]
pub struct Kept {
    pub body_hash: [u8; 32],
    pub status: u16,
    pub body: Vec<u8>,
    at: Instant,
}

#[derive(Default)]
pub struct Idempotency(Mutex<HashMap<(u64, String), Kept>>);

pub fn body_hash(body: &[u8]) -> [u8; 32] {
    Sha256::digest(body).into()
}

impl Idempotency {
    /// The response kept for `key`, if any and still fresh.
    pub fn get(&self, token: u64, key: &str, keep: Duration) -> Option<Kept> {
        let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.get(&(token, key.to_owned()))
            .filter(|k| k.at.elapsed() < keep)
            .cloned()
    }

    pub fn put(
        &self,
        token: u64,
        key: &str,
        body_hash: [u8; 32],
        status: u16,
        body: Vec<u8>,
        keep: Duration,
    ) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_KEYS {
            map.retain(|_, k| k.at.elapsed() < keep);
            if map.len() >= MAX_KEYS {
                if let Some(oldest) = map.iter().min_by_key(|(_, k)| k.at).map(|(k, _)| k.clone()) {
                    map.remove(&oldest);
                }
            }
        }
        map.insert(
            (token, key.to_owned()),
            Kept {
                body_hash,
                status,
                body,
                at: Instant::now(),
            },
        );
    }
}
