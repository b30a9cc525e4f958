//! The library every front end of accord stands on (the CLI today, the HTTP
//! server next): given a store that implements [`accord_store::EventStore`]
//! and an agreement's text, it folds the log, answers reports, keeps the
//! stored reports current and follows the log as it grows. It knows no
//! terminal, file or clock: progress goes through [`Progress`],
//! failures are typed ([`Error`]), and front ends read the files, draw the
//! progress and print.
//!
//! - [`terms`]: the agreement's text and the report terms it sets.
//! - [`agreement`]: agreement versions as events (adopt, the versions, the one in force).
//! - [`fold`]: the log folded into `Projections` (decode and fold on two threads).
//! - [`stored`]: the all-time reports stored beside the log, and when they are current.
//! - [`reports`]: what a report request reads (stored views, the log, with or
//!   without touches) and what it answers.
//! - [`snapshot`]: the reports' state stored beside the log, and resumed from it.
//! - [`watch`]: the step of a loop that keeps every report current as events arrive.
//! - [`live`]: the engine's state loaded from the log, inputs judged and stored as they
//!   arrive, and due clocks fired and stored (`tick`).
//! - [`leads`]: leads listed with filters and a cursor (`accord leads`, `GET /v1/leads`).
//! - [`predict`]: the leads' features as known at scoring time, a model trained on them and stored
//!   beside the log, measured against the agreement's rule score, a lead's prediction explained.
//! - [`run`]: the daemon's step: the engine and the reports kept at the log's head as time passes.

pub mod agreement;
pub mod fold;
pub mod leads;
pub mod live;
pub mod predict;
pub mod reports;
pub mod run;
pub mod sla;
pub mod snapshot;
pub mod stored;
pub mod terms;
pub mod watch;

pub use fold::{fold_log, fold_log_skipping, Progress, Quiet};
pub use terms::{AgreementText, InvalidAgreement};

use accord_store::StoreError;

/// Why a report request failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Agreement(#[from] InvalidAgreement),
    #[error(transparent)]
    UnknownReport(#[from] accord_report::UnknownReport),
    /// `--explain KEY` that names nothing the report can explain (the
    /// report's own words, e.g. an unknown opportunity).
    #[error("--explain: {0}")]
    Explain(String),
    #[error("--explain works with funnel, attribution_campaign and attribution_channel")]
    CannotExplain,
    /// A channel, region or persona filter on a report other than the funnel.
    #[error("only the funnel is filtered by channel, region and persona")]
    FilterNotFunnel,
    /// `won_by` on a report other than attribution's.
    #[error("won_by lists the won opportunities of attribution_campaign or attribution_channel")]
    WonByNotAttribution,
    /// `won_by` with `explain` or `compare`.
    #[error("won_by goes with neither explain nor compare")]
    WonByAlone,
    /// `--compare previous` without a period of both ends.
    #[error("--compare previous needs both --from and --to: the previous period has the same number of days and ends the day before --from")]
    CompareNeedsPeriod,
    /// `--compare` with `--explain`.
    #[error(
        "--compare and --explain cannot be used together: --explain shows one number of one period"
    )]
    CompareExplained,
    /// Two adoptions at once: the other stored this version first.
    #[error("another process adopted agreement version {version} at the same moment; nothing was stored: run the command again")]
    AdoptionRaced { version: u32 },
    /// Firing due clocks stored nothing (`live::tick`).
    #[error(transparent)]
    Tick(#[from] live::TickError),
    /// The engine holds a version whose adoption the log does not (a log
    /// changed under a running process).
    #[error("agreement version {version} is in force but its adoption is not in the log")]
    NotAdopted { version: u32 },
    /// `--by` that is not a name.
    #[error("--by: a name is 1 to {max} characters without control characters, got `{got}`")]
    BadName { max: usize, got: String },
}

#[cfg(test)]
mod test_events;
#[cfg(test)]
mod tests;
