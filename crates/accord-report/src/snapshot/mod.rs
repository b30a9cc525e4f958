//! A [`Live`] written to bytes and read back, so that a process resumes the
//! reports where another left them instead of folding the whole log again.
//!
//! # Layout
//!
//! Two parts, each `MAGIC` (one per part), the format number (`u32`), the
//! digest of its body (`u64`), then the body:
//!
//! - *cells*: the report terms the cells were computed under, the catalog
//!   every table's rendering reads (reps, campaigns, the content library,
//!   targets, the as-of time: [`projections`]) and every report's day cells
//!   ([`state`]). Small next to the rest: a report read loads only this part
//!   ([`ReportCells`]).
//! - *bulk*: the digest of the cells part it belongs with, then the rows of
//!   leads, touches, transitions, opportunities and accounts column by
//!   column, `Live`'s indexes and the attribution cells' index of each key's
//!   wins (what `won_by` reads): with the cells, a whole [`Live`] that takes
//!   new events, with nothing rebuilt.
//!
//! Numbers are little-endian; a column is its length (`u64`) then its
//! values. A snapshot of another format, a damaged one (digest, lengths,
//! codes, parts that do not belong together) or one under other terms is an
//! error, never a state: the caller builds the reports from the log instead.
//!
//! Whether a snapshot belongs to this build and this agreement at all is the
//! caller's business (it stores the snapshot under a stamp, as it does the
//! reports).

mod codec;
mod projections;
mod state;

use crate::live::{funnel_of, table_of, Cells};
use crate::{Live, Period, Projections, ReportTerms, Table, UnknownReport};
use codec::{In, Out};

/// The layout's number: bumped by any change of what is written.
pub const FORMAT: u32 = 6;
const MAGIC_CELLS: &[u8; 8] = b"accordLC";
const MAGIC_BULK: &[u8; 8] = b"accordLB";

/// Why a snapshot cannot be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SnapshotError {
    #[error("not a snapshot of the reports' state")]
    NotASnapshot,
    #[error("snapshot format {found}; this build reads format {FORMAT}")]
    Format { found: u32 },
    #[error("the snapshot's bytes do not match its digest (it is damaged)")]
    Digest,
    #[error("the snapshot ends early at byte {at}, in its {what}")]
    Truncated { at: usize, what: &'static str },
    #[error("the snapshot's {what} at byte {at} is not valid")]
    Invalid { at: usize, what: &'static str },
    #[error("the snapshot was computed under other report terms")]
    OtherTerms,
    #[error("the snapshot's two parts are not of the same snapshot")]
    Unpaired,
}

/// A snapshot's two parts (see the module docs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    pub cells: Vec<u8>,
    pub bulk: Vec<u8>,
}

/// Every report over any period, read from a snapshot's cells part alone:
/// what a process that only reads reports needs.
#[derive(Debug)]
pub struct ReportCells {
    terms: ReportTerms,
    /// The catalog only (no lead, touch or transition rows).
    p: Projections,
    cells: Cells,
}

impl ReportCells {
    /// The cells part of a snapshot, if whole and computed under `terms`.
    pub fn from_snapshot(cells: &[u8], terms: ReportTerms) -> Result<ReportCells, SnapshotError> {
        let (p, cells) = read_cells_part(cells, &terms)?;
        Ok(ReportCells { terms, p, cells })
    }

    /// Report `name` over `period`, as [`Live::table`] gives it.
    pub fn table(&self, name: &str, period: &Period) -> Result<Table, UnknownReport> {
        table_of(&self.p, &self.cells, &self.terms, name, period)
    }

    /// The funnel over `period` of the leads `filter` keeps, as
    /// [`Live::funnel`] gives it.
    pub fn funnel(&self, period: &Period, filter: &crate::funnel::Filter) -> Table {
        funnel_of(&self.p, &self.cells, &self.terms, period, filter)
    }

    /// The catalog and the as-of time of the snapshot.
    pub fn projections(&self) -> &Projections {
        &self.p
    }
}

impl Live {
    /// The state as bytes (see the module docs).
    pub fn to_snapshot(&self) -> Snapshot {
        let mut body = Out::default();
        write_terms(&mut body, self.terms());
        projections::write_catalog(&mut body, self.projections());
        let (ix, live_cells) = self.parts();
        state::write_cells(&mut body, live_cells);
        let cells = seal(MAGIC_CELLS, &body.bytes);
        let mut bulk = Out::default();
        bulk.u64(accord_core::event::digest(&body.bytes));
        projections::write_bulk(&mut bulk, self.projections());
        state::write_indexes(&mut bulk, ix);
        state::write_wins(&mut bulk, &live_cells.attribution.wins);
        Snapshot {
            cells,
            bulk: seal(MAGIC_BULK, &bulk.bytes),
        }
    }

    /// The state of [`Live::to_snapshot`], if both parts are whole, belong
    /// together and were computed under `terms`.
    pub fn from_snapshot(
        cells: &[u8],
        bulk: &[u8],
        terms: ReportTerms,
    ) -> Result<Live, SnapshotError> {
        let (mut p, mut cells_state) = read_cells_part(cells, &terms)?;
        let body = open(MAGIC_BULK, bulk)?;
        let mut r = In::new(body);
        if r.u64("pairing")? != accord_core::event::digest(&cells[20..]) {
            return Err(SnapshotError::Unpaired);
        }
        projections::read_bulk(&mut r, &mut p)?;
        let ix = state::read_indexes(&mut r)?;
        cells_state.attribution.wins = state::read_wins(&mut r, &p)?;
        if !r.is_done() {
            return Err(r.invalid("end"));
        }
        Ok(Live::from_parts(terms, p, ix, cells_state))
    }
}

/// The terms, catalog and cells of a cells part.
fn read_cells_part(
    bytes: &[u8],
    terms: &ReportTerms,
) -> Result<(Projections, Cells), SnapshotError> {
    let body = open(MAGIC_CELLS, bytes)?;
    let mut r = In::new(body);
    if read_terms(&mut r, terms)? != *terms {
        return Err(SnapshotError::OtherTerms);
    }
    let p = projections::read_catalog(&mut r)?;
    let cells = state::read_cells(&mut r)?;
    if !r.is_done() {
        return Err(r.invalid("end"));
    }
    Ok((p, cells))
}

/// `body` behind its magic, the format and its digest.
fn seal(magic: &[u8; 8], body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 20);
    out.extend_from_slice(magic);
    out.extend_from_slice(&FORMAT.to_le_bytes());
    out.extend_from_slice(&accord_core::event::digest(body).to_le_bytes());
    out.extend_from_slice(body);
    out
}

/// The body of a part, after checking its magic, format and digest.
fn open<'a>(magic: &[u8; 8], bytes: &'a [u8]) -> Result<&'a [u8], SnapshotError> {
    if bytes.len() < 20 || &bytes[..8] != magic {
        return Err(SnapshotError::NotASnapshot);
    }
    let found = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
    if found != FORMAT {
        return Err(SnapshotError::Format { found });
    }
    let digest = u64::from_le_bytes(bytes[12..20].try_into().expect("8 bytes"));
    let body = &bytes[20..];
    if accord_core::event::digest(body) != digest {
        return Err(SnapshotError::Digest);
    }
    Ok(body)
}

fn write_terms(out: &mut Out, t: &ReportTerms) {
    let ReportTerms {
        follow_up_hours,
        decide_hours,
        lookback_days,
        half_life_days,
        // Which models are shown is chosen when a table is rendered: the
        // cells hold every model's credit.
        models: _,
    } = *t;
    out.u64(follow_up_hours.to_bits());
    out.u64(decide_hours.to_bits());
    out.u32(lookback_days);
    out.u64(half_life_days.to_bits());
}

/// The terms the snapshot's cells were computed under, with the models of
/// `now` (they do not change the cells).
fn read_terms(r: &mut In<'_>, now: &ReportTerms) -> Result<ReportTerms, SnapshotError> {
    Ok(ReportTerms {
        models: now.models,
        follow_up_hours: f64::from_bits(r.u64("terms")?),
        decide_hours: f64::from_bits(r.u64("terms")?),
        lookback_days: r.u32("terms")?,
        half_life_days: f64::from_bits(r.u64("terms")?),
    })
}

#[cfg(test)]
mod tests;
