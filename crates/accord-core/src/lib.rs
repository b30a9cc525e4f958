//! accord's pure core: the domain types, the events of the log, and (in
//! `agreement`) the agreement both teams sign. No I/O, no clock, no database:
//! time and events come in as values, so the same log and agreement always give
//! the same state.

pub mod action;
pub mod agreement;
pub mod contract;
pub mod domain;
pub mod event;
pub mod expr;
pub mod shown;
