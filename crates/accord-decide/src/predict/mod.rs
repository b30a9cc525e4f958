//! Predictive scoring's definitions, below the engine's rules so that a
//! rule can read a lead's prediction (`lead.predicted`): a lead's features
//! as known at its cut-off (`features`), the artifact a training stores and
//! an adoption carries (`artifact`), and the model in use (`InUse`), read
//! from its adoption once, when the adoption is applied.
//!
//! Training, storing and explaining are `accord_engine::predict`'s.

pub mod artifact;
pub mod features;

use accord_core::event::ModelAdoption;
use accord_model::table::Frame;
use accord_model::RowPlan;

pub use artifact::{Artifact, CalibrationRecord, Damaged, MetricsRecord};
pub use features::{Collector, CutoffFacts, Dataset, Params};

use crate::history::LeadHistory;
use crate::state::State;

/// The model in use: the latest `model_adopted` applied, and its artifact
/// read once when it was applied (a damaged one kept as its error: the log
/// is the truth, and `lead show` says why there is no prediction).
#[derive(Debug)]
pub struct InUse {
    pub adoption: ModelAdoption,
    pub model: Result<Scorer, Damaged>,
}

impl InUse {
    /// Reads `adoption`'s artifact.
    pub fn of(adoption: &ModelAdoption) -> InUse {
        let model = Artifact::decode(
            adoption.model_version,
            adoption.artifact.as_str().as_bytes(),
        )
        .and_then(Scorer::new)
        .map_err(|e| Damaged {
            name: format!(
                "model adoption M{} (v{})",
                adoption.number, adoption.model_version
            ),
            message: e.message,
        });
        InUse {
            adoption: adoption.clone(),
            model,
        }
    }
}

/// An artifact ready to score a lead of the engine.
#[derive(Debug)]
pub struct Scorer {
    pub artifact: Artifact,
    pub params: Params,
    /// Where the model's columns are in a feature row.
    plan: RowPlan,
}

impl Scorer {
    /// `artifact`, checked to read the feature row: every column its
    /// encoder uses is a feature of the kind it was trained on.
    pub fn new(artifact: Artifact) -> Result<Scorer, Damaged> {
        let params = artifact.params()?;
        let damaged = |e: accord_model::ModelError| Damaged {
            name: format!("v{}", artifact.version),
            message: format!("it does not read accord's features: {e}"),
        };
        let plan = artifact
            .model
            .encoder
            .plan(&features::names())
            .map_err(damaged)?;
        artifact
            .model
            .probability(&plan, &features::blank())
            .map_err(damaged)?;
        Ok(Scorer {
            artifact,
            params,
            plan,
        })
    }

    /// The lead's features, as a frame of one row (to explain it).
    pub fn features(&self, h: &LeadHistory<'_>) -> Frame {
        features::of_history(h, &self.params)
    }

    /// The probability the model gives the lead (0..1): the model applied
    /// to the same row as [`Scorer::features`], without building a frame.
    pub fn probability(&self, h: &LeadHistory<'_>) -> f64 {
        self.artifact
            .model
            .probability(&self.plan, &features::row_of(h, &self.params))
            .expect("a model checked against the features when adopted")
    }
}

/// `lead.predicted`: the probability the model in use gives lead row
/// `lead`, computed from its rows now (so current at every evaluation;
/// frozen once the lead's cut-off has passed). 0.0 when no model is in
/// use, when the one adopted does not read back, or for no lead.
pub(crate) fn predicted(state: &State, lead: u32) -> f64 {
    match state.model.as_deref() {
        Some(InUse { model: Ok(s), .. }) if (lead as usize) < state.leads.len() => {
            s.probability(&LeadHistory::of(state, lead))
        }
        _ => 0.0,
    }
}

#[cfg(test)]
mod tests;
