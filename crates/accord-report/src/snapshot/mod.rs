//! A [`Live`] written to bytes and read back, so that a process resumes the
//! reports where another left them instead of folding the whole log again.
//!
//! # Layout
//!
//! `MAGIC`, the format number (`u32`), the digest of everything after it
//! (`u64`), then the body: the report terms the cells were computed under,
//! the projections column by column ([`projections`]), then what [`Live`]
//! keeps beside them, its indexes and every report's day cells ([`state`]),
//! so that nothing is rebuilt on reading. Numbers are little-endian; a column is its
//! length (`u64`) then its values. A snapshot of another format, a damaged
//! one (digest, lengths, codes) or one under other terms is an error, never
//! a state: the caller builds the reports from the log instead.
//!
//! Whether a snapshot belongs to this build and this agreement at all is the
//! caller's business (it stores the snapshot under a stamp, as it does the
//! reports).

mod codec;
mod projections;
mod state;

use crate::{Live, ReportTerms};
use codec::{In, Out};

/// The layout's number: bumped by any change of what is written.
pub const FORMAT: u32 = 2;
const MAGIC: &[u8; 8] = b"accordLV";

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
}

impl Live {
    /// The state as bytes (see the module docs).
    pub fn to_snapshot(&self) -> Vec<u8> {
        let mut body = Out::default();
        write_terms(&mut body, self.terms());
        projections::write(&mut body, self.projections());
        let (ix, cells) = self.parts();
        state::write_indexes(&mut body, ix);
        state::write_cells(&mut body, cells);
        let mut out = Vec::with_capacity(body.bytes.len() + 20);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT.to_le_bytes());
        out.extend_from_slice(&accord_core::event::digest(&body.bytes).to_le_bytes());
        out.extend_from_slice(&body.bytes);
        out
    }

    /// The state of [`Live::to_snapshot`], if the bytes are whole and were
    /// computed under `terms`.
    pub fn from_snapshot(bytes: &[u8], terms: ReportTerms) -> Result<Live, SnapshotError> {
        let body = open(bytes)?;
        let mut r = In::new(body);
        if read_terms(&mut r, &terms)? != terms {
            return Err(SnapshotError::OtherTerms);
        }
        let p = projections::read(&mut r)?;
        let ix = state::read_indexes(&mut r)?;
        let cells = state::read_cells(&mut r)?;
        if !r.is_done() {
            return Err(r.invalid("end"));
        }
        Ok(Live::from_parts(terms, p, ix, cells))
    }
}

/// The body of a snapshot, after checking its magic, format and digest.
fn open(bytes: &[u8]) -> Result<&[u8], SnapshotError> {
    if bytes.len() < 20 || &bytes[..8] != MAGIC {
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
