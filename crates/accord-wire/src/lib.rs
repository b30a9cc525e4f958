//! accord's wire format: one JSON object per line, versioned (`"v": 1`),
//! for what comes from outside (`accord ingest`, the HTTP API) and for what
//! goes out (`accord export events`), so an exported log feeds back in.
//!
//! - [`parse_line`]: an input line → an [`Input`] (an event from outside or
//!   a person's [`Action`]), or a [`WireError`] naming the JSON pointer of
//!   the bad field (`/email`) or the column of a syntax error. The caller
//!   adds the line number.
//! - [`write_event`]: an event and its [`Origin`] → one line, fields in a
//!   fixed order ([`schema`]).
//! - [`parse_exported`]: a line as `write_event` writes it, of any kind
//!   (the engine's decisions too), with its origin.
//!
//! Every value goes through the domain's own parser (`Email::parse`,
//! `Timestamp::parse`, `Money::parse`, the vocabularies' `parse`), so a
//! value valid here is exactly a value valid in the CSV contract. The
//! schema is written down in `docs/wire.md`; field names are the contract's
//! column names where one exists.
//!
//! No I/O: the caller reads lines (at most [`MAX_LINE_BYTES`] each) and
//! writes them.

mod error;
mod fields;
mod read;
pub mod schema;
mod write;

#[cfg(test)]
mod tests;

pub use error::{Place, Problem, WireError};
pub use read::{parse_exported, parse_line};
pub use write::{write_event, write_origin};

use accord_core::action::Action;
use accord_core::event::Event;

/// The version of the format this build reads and writes. A line may say
/// `"v": 1` or leave it out; any other version is refused.
pub const SCHEMA_VERSION: u32 = 1;

/// The longest input line, in bytes (without its line break), refused
/// before it is parsed.
pub const MAX_LINE_BYTES: usize = 64 * 1024;

/// The longest line [`parse_exported`] reads: an adopted agreement's text
/// (up to 1 MiB) with every character escaped.
pub const MAX_EXPORTED_LINE_BYTES: usize = 8 * 1024 * 1024;

/// What one input line asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    /// A fact from outside: a lead, a touch, a stage change, a record, …
    Event(Event),
    /// A person's action, which the engine checks against the agreement
    /// before it stores the event it makes.
    Action(Action),
}
