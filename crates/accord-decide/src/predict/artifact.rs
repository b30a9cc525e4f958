//! What a training stores and an adoption carries: the model and how it was
//! made and measured, as JSON. Read once, checked as a whole
//! ([`Artifact::decode`]): a damaged one is a [`Damaged`], never a model.

use accord_core::domain::Named;
use accord_model::metrics::{Calibration, Metrics};
use accord_model::Model;
use serde::{Deserialize, Serialize};

use super::features::Params;

/// A stored model (or its adoption) that does not read back as one.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("stored model {name}: {message}")]
pub struct Damaged {
    /// What was read: `v3`, `model adoption M2`, …
    pub name: String,
    pub message: String,
}

/// What a training stored: the model and how it was made and measured.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Artifact {
    pub version: u32,
    /// The log's head it was trained at.
    pub head: u64,
    pub stage: String,
    pub within_days: i64,
    pub cutoff_days: i64,
    /// Leads with an outcome, split in creation order.
    pub train_leads: usize,
    pub test_leads: usize,
    /// Creation times (Unix seconds) of the first and last training lead,
    /// and of the first and last test lead.
    pub train_window: (i64, i64),
    pub test_window: (i64, i64),
    pub train_positives: usize,
    pub training_seconds: f64,
    pub test: MetricsRecord,
    pub calibration: Vec<CalibrationRecord>,
    pub model: Model,
}

/// `Metrics`, as stored.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct MetricsRecord {
    pub rows: usize,
    pub positives: usize,
    pub roc_auc: Option<f64>,
    pub pr_auc: Option<f64>,
    pub lift_top_decile: Option<f64>,
}

impl From<Metrics> for MetricsRecord {
    fn from(m: Metrics) -> Self {
        MetricsRecord {
            rows: m.rows,
            positives: m.positives,
            roc_auc: m.roc_auc,
            pr_auc: m.pr_auc,
            lift_top_decile: m.lift_top_decile,
        }
    }
}

/// `Calibration`, as stored.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct CalibrationRecord {
    pub decile: usize,
    pub rows: usize,
    pub predicted: f64,
    pub observed: f64,
}

impl From<Calibration> for CalibrationRecord {
    fn from(c: Calibration) -> Self {
        CalibrationRecord {
            decile: c.decile,
            rows: c.rows,
            predicted: c.predicted,
            observed: c.observed,
        }
    }
}

impl Artifact {
    /// The artifact of stored version `version`'s bytes (JSON), checked as
    /// a model read alone is (its format, its weights against its encoder)
    /// and against the version it is stored as.
    pub fn decode(version: u32, bytes: &[u8]) -> Result<Artifact, Damaged> {
        let damaged = |message: String| Damaged {
            name: format!("v{version}"),
            message,
        };
        let a: Artifact = serde_json::from_slice(bytes).map_err(|e| damaged(e.to_string()))?;
        if a.version != version {
            return Err(damaged(format!("its artifact says v{}", a.version)));
        }
        Model::from_json(&a.model.to_json()).map_err(|e| damaged(e.to_string()))?;
        a.params()?;
        Ok(a)
    }

    /// What the model predicts and when.
    pub fn params(&self) -> Result<Params, Damaged> {
        Ok(Params {
            stage: Named::parse(&self.stage).map_err(|e| Damaged {
                name: format!("v{}", self.version),
                message: e.to_string(),
            })?,
            within_days: self.within_days,
            cutoff_days: self.cutoff_days,
        })
    }
}
