//! Delivery: due deliveries claimed, signed, sent, and their outcome
//! recorded; the loop a long-running process (`accord run`, the server)
//! runs on a thread of its own with its own store connection.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use accord_store::hooks::{Attempt, Claimed};
use accord_store::{EventStore, HookStore, StoreError};

use crate::fanout::{fan_out, FannedOut};
use crate::schedule::Schedule;
use crate::sign::signature;

/// How deliveries are made.
#[derive(Clone, Debug)]
pub struct Config {
    pub schedule: Schedule,
    /// One request's time limit (connect, send, answer).
    pub timeout: Duration,
    /// Deliveries claimed per round at most.
    pub batch: usize,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            schedule: Schedule::default(),
            timeout: Duration::from_secs(10),
            batch: 50,
        }
    }
}

impl Config {
    /// How long a claim holds a delivery: a process that died while sending
    /// leaves it due again this long after the claim. Longer than a request
    /// can take, so a live sender always records before it runs out.
    pub fn lease_secs(&self) -> i64 {
        2 * self.timeout.as_secs().max(1) as i64 + 5
    }
}

/// One request to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request<'a> {
    pub url: &'a str,
    pub headers: Vec<(&'static str, String)>,
    pub body: &'a [u8],
}

/// Sends a request; `Ok(status)` for any HTTP answer, `Err` for no answer
/// (refused, timed out, a TLS failure), in words.
pub trait Transport {
    fn post(&self, request: &Request<'_>, timeout: Duration) -> Result<u16, String>;
}

/// What one round did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Round {
    pub fanned: FannedOut,
    pub delivered: usize,
    /// Failed attempts that will be tried again.
    pub retried: usize,
    /// Failed attempts that made dead letters.
    pub dead: usize,
}

impl Round {
    pub fn moved(&self) -> bool {
        self.fanned.deliveries > 0 || self.delivered + self.retried + self.dead > 0
    }
}

/// The headers of one attempt: content type, the delivery's id (stable
/// across retries and replays: receivers de-duplicate on it), the event
/// type, the attempt number and the signature of `t` and the body.
pub fn headers(claimed: &Claimed, t: i64) -> Vec<(&'static str, String)> {
    let d = &claimed.delivery;
    vec![
        ("Content-Type", "application/json".to_string()),
        (
            "User-Agent",
            concat!("accord-webhooks/", env!("CARGO_PKG_VERSION")).to_string(),
        ),
        ("X-Accord-Delivery", d.id.to_string()),
        ("X-Accord-Event", d.event_type.clone()),
        ("X-Accord-Attempt", d.attempts.to_string()),
        ("X-Accord-Signature", signature(&claimed.secret, t, &d.body)),
    ]
}

/// What an attempt's result makes of the delivery (`random` for the jitter).
pub fn judge(
    result: Result<u16, String>,
    attempts: u32,
    schedule: &Schedule,
    now: i64,
    random: u64,
) -> Attempt {
    let (status, error) = match result {
        Ok(status) if (200..300).contains(&status) => return Attempt::Delivered { status },
        Ok(status) => (Some(status), format!("HTTP {status}")),
        Err(e) => (None, e),
    };
    match schedule.wait_after(attempts, random) {
        Some(wait) => Attempt::Retry {
            status,
            error,
            next_at: now + wait as i64,
        },
        None => Attempt::Dead { status, error },
    }
}

/// One round: fan out, claim what is due at `clock()`, send each, record.
pub fn round<S: EventStore + HookStore>(
    store: &mut S,
    transport: &dyn Transport,
    config: &Config,
    clock: &dyn Fn() -> i64,
    random: &mut dyn FnMut() -> u64,
) -> Result<Round, StoreError> {
    let mut round = Round {
        fanned: fan_out(store)?,
        ..Round::default()
    };
    let now = clock();
    let claimed = store.claim_due(now, now + config.lease_secs(), config.batch)?;
    for c in claimed {
        let t = clock();
        let request = Request {
            url: &c.url,
            headers: headers(&c, t),
            body: &c.delivery.body,
        };
        let result = transport.post(&request, config.timeout);
        let at = clock();
        let outcome = judge(result, c.delivery.attempts, &config.schedule, at, random());
        match outcome {
            Attempt::Delivered { .. } => round.delivered += 1,
            Attempt::Retry { .. } => round.retried += 1,
            Attempt::Dead { .. } => round.dead += 1,
        }
        store.record(c.delivery.id, c.delivery.attempts, at, &outcome)?;
    }
    Ok(round)
}

/// Rounds until `stop` is set: after a round that moved, at once; else a
/// sleep until the next delivery is due, at most `idle` (new events are
/// looked for that often), in naps that look at `stop`. A round that fails
/// (the database busy) is told to `report` and tried again after `idle`.
pub fn run_until<S: EventStore + HookStore>(
    store: &mut S,
    transport: &dyn Transport,
    config: &Config,
    idle: Duration,
    stop: &AtomicBool,
    clock: &dyn Fn() -> i64,
    report: &mut dyn FnMut(Result<&Round, &StoreError>),
) {
    let mut random = jitter_source();
    while !stop.load(Ordering::SeqCst) {
        let wait = match round(store, transport, config, clock, &mut random) {
            Ok(r) => {
                report(Ok(&r));
                if r.moved() {
                    continue;
                }
                match store.next_due() {
                    Ok(Some(due)) => idle.min(Duration::from_secs((due - clock()).max(0) as u64)),
                    _ => idle,
                }
            }
            Err(e) => {
                report(Err(&e));
                idle
            }
        };
        nap(wait, stop);
    }
}

fn nap(wait: Duration, stop: &AtomicBool) {
    let until = std::time::Instant::now() + wait;
    while !stop.load(Ordering::SeqCst) {
        let now = std::time::Instant::now();
        if now >= until {
            return;
        }
        std::thread::sleep((until - now).min(Duration::from_millis(50)));
    }
}

/// Random numbers for the jitter: a xorshift seeded from the OS.
pub fn jitter_source() -> impl FnMut() -> u64 {
    let mut seed = [0u8; 8];
    let _ = getrandom::fill(&mut seed);
    let mut x = u64::from_le_bytes(seed) | 1;
    move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    }
}
