//! Predictive scoring, pure and in process (no Python, no I/O but reading a
//! CSV in `table::read_csv`).
//!
//! - `table`: a `Frame` of named columns, numeric (`f64`, NaN = missing) or
//!   categorical (interned levels), read from a CSV with its delimiter
//!   detected and each column's kind inferred.
//! - `encode`: an `Encoder` fitted on training rows only (numeric columns
//!   signed-log transformed when skewed, standardised, missing values as an
//!   indicator; categorical columns one-hot over their frequent levels, the
//!   rest and unseen ones as "other").
//! - `logistic`: L2-regularised logistic regression fitted by Newton's
//!   method over the encoded rows' sparse structure (one fixed default
//!   penalty, `DEFAULT_LAMBDA`).
//! - `metrics`: ROC AUC, PR AUC (average precision), calibration by decile,
//!   lift at the top decile.
//! - `model`: a fitted `Model` (encoder + weights), its predictions, per-row
//!   explanations (each column's contribution to the log-odds relative to
//!   the average training row) and its JSON form.
//! - `evaluate`: a table, a target and a split → the metrics on the test rows.

pub mod encode;
pub mod evaluate;
pub mod logistic;
pub mod metrics;
pub mod model;
pub mod split;
pub mod table;

pub use encode::{Cell, ColumnUse, Encoder, RowPlan};
pub use evaluate::{evaluate, Evaluation};
pub use metrics::{Calibration, Metrics};
pub use model::{Contribution, Explanation, Model};
pub use split::Split;
pub use table::{Column, Frame, Kind};

/// What can go wrong, each naming its place.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: line {line}: {message}")]
    Csv {
        path: String,
        line: u64,
        message: String,
    },
    #[error("{path}: empty file (no header line)")]
    Empty { path: String },
    #[error("no column named {name:?} (columns: {known})")]
    NoColumn { name: String, known: String },
    #[error("target column {name:?}: {message}")]
    Target { name: String, message: String },
    #[error("split {text:?}: {message} (expected temporal:FRACTION or random:FRACTION:SEED)")]
    Split { text: String, message: String },
    #[error("{0}")]
    Data(String),
    #[error("model: {0}")]
    Format(String),
}
