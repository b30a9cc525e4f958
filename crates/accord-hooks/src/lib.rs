//! Signed, at-least-once webhooks.
//!
//! - `kind`: the event types (`lead.mql`, …) and which log events they are
//!   (`classify`: imported history never; ingested events, the engine's
//!   decisions and persons' actions).
//! - `payload`: the body of a delivery (accord's JSON, or Slack's
//!   `{"text": …}`), with a won deal's shared credit.
//! - `fanout`: the log after a stored cursor turned into outbox rows, rows
//!   and cursor in one transaction.
//! - `worker`: due deliveries claimed, signed, sent and recorded
//!   (`round`, `run_until`), over a `Transport`; `http`: the real one.
//! - `thread`: the delivery thread `accord run` and `accord serve` start
//!   (`spawn`: its own store connection, the real transport, a stop flag).
//! - `sign`: `X-Accord-Signature` (`signature`, `verify`), secrets.
//! - `schedule`: the retry schedule and its jitter.
//! - `subscribe`: a subscription checked and stored.
//!
//! Storage is `accord_store::HookStore`. Docs: docs/webhooks.md.

pub mod fanout;
pub mod http;
pub mod kind;
pub mod payload;
pub mod schedule;
pub mod sign;
pub mod subscribe;
pub mod thread;
pub mod worker;

pub use kind::{classify, Kind};
pub use payload::Format;
pub use schedule::Schedule;

#[cfg(test)]
mod tests;
