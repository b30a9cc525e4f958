//! Limits on what a caller may send: the body's size, an events batch's
//! length, and requests per token per second (a token bucket).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

/// The limits a server runs with (docs/api.md, "Limits").
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Largest request body, in bytes (413 beyond it).
    pub body_bytes: usize,
    /// Most events in one `POST /v1/events` (413 beyond it).
    pub batch_events: usize,
    /// Requests per second a token may make, sustained (429 beyond it).
    pub rate_per_sec: f64,
    /// Requests a token may make at once after a quiet spell.
    pub burst: f64,
    /// Leads in one page at most.
    pub page_leads: usize,
    /// How long an `Idempotency-Key`'s response is kept, in seconds.
    pub idempotency_secs: u64,
    /// How long a dashboard session lasts after its login, in seconds.
    pub session_secs: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            body_bytes: 4 << 20,
            batch_events: 1_000,
            rate_per_sec: 200.0,
            burst: 400.0,
            page_leads: 1_000,
            idempotency_secs: 24 * 3600,
            session_secs: 12 * 3600,
        }
    }
}

/// Each token's bucket: (tokens left, when last filled).
#[derive(Default)]
pub struct RateLimiter(Mutex<HashMap<u64, (f64, Instant)>>);

impl RateLimiter {
    /// Takes one request from `token`'s bucket: `Err(seconds)` to wait
    /// when it is empty.
    pub fn take(&self, token: u64, limits: &Limits) -> Result<(), u64> {
        let now = Instant::now();
        let mut buckets = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let (left, at) = buckets.entry(token).or_insert((limits.burst, now));
        *left =
            (*left + now.duration_since(*at).as_secs_f64() * limits.rate_per_sec).min(limits.burst);
        *at = now;
        if *left >= 1.0 {
            *left -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - *left) / limits.rate_per_sec).ceil().max(1.0) as u64)
        }
    }
}
