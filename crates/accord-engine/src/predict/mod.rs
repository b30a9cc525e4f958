//! Predictive scoring over the log: each lead's features as known at its
//! scoring time (`features`, defined in `accord_decide::predict` so that a
//! rule can read a prediction), a model trained on the earlier leads and
//! measured on the later ones, stored beside the log (`stored`).

pub mod explain;
pub mod stored;

pub use accord_decide::predict::{
    features, Artifact, CalibrationRecord, Collector, Damaged, Dataset, InUse, MetricsRecord,
    Params, Scorer,
};

use std::time::{Duration, Instant};

use accord_model::metrics::{calibration, Metrics};
use accord_model::{Model, ModelError};
use accord_store::{EventStore, StoreError};
use serde::Serialize;

/// Why training or evaluating failed.
#[derive(Debug, thiserror::Error)]
pub enum PredictError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Model(#[from] ModelError),
    #[error("{0}")]
    Data(String),
    #[error("no model trained yet (run `accord model train` first)")]
    NoModel,
    #[error("no model v{0} is stored (`accord model list` shows the stored ones)")]
    NotStored(u32),
    #[error("another process adopted a model as adoption {number} meanwhile; nothing stored (try again)")]
    AdoptionRaced { number: u32 },
    #[error(transparent)]
    Damaged(#[from] Damaged),
}

/// Every lead's features and outcome, from the whole log.
pub fn collect<S: EventStore>(store: &S, params: &Params) -> Result<Dataset, StoreError> {
    let mut c = Collector::new(params.clone());
    let head = store.head()?;
    store.scan_decoded_entries_between(0, head, &mut |_, event| c.apply(&event))?;
    Ok(c.finish())
}

/// The leads with an outcome split in creation order: indexes into the
/// dataset of the training leads and of the test leads.
pub fn split(d: &Dataset, fraction: f64) -> (Vec<usize>, Vec<usize>) {
    let labelled: Vec<usize> = (0..d.label.len())
        .filter(|&i| d.label[i].is_some())
        .collect();
    let cut = (fraction * labelled.len() as f64).floor() as usize;
    (labelled[..cut].to_vec(), labelled[cut..].to_vec())
}

/// The outcomes of `rows`.
pub fn labels(d: &Dataset, rows: &[usize]) -> Vec<bool> {
    rows.iter().map(|&i| d.label[i] == Some(true)).collect()
}

/// Trains on the first `fraction` of the leads with an outcome, measures on
/// the rest. `version` and `head` only label the artifact.
pub fn train(
    d: &Dataset,
    params: &Params,
    fraction: f64,
    version: u32,
    head: u64,
) -> Result<Artifact, PredictError> {
    let (tr, te) = split(d, fraction);
    let (ytr, yte) = (labels(d, &tr), labels(d, &te));
    let both = |y: &[bool]| y.iter().any(|&b| b) && y.iter().any(|&b| !b);
    if !both(&ytr) {
        return Err(PredictError::Data(format!(
            "the {} training leads need both outcomes (reached {} within {} days, and not)",
            tr.len(),
            params.stage.as_str(),
            params.within_days
        )));
    }
    if te.is_empty() {
        return Err(PredictError::Data(
            "no test lead: too few leads with an outcome".into(),
        ));
    }
    let train_frame = d.frame.select(&tr);
    let started = Instant::now();
    let model = Model::fit(&train_frame, &ytr, None)?;
    let training: Duration = started.elapsed();
    let p = model.predict(&d.frame.select(&te))?;
    let window = |rows: &[usize]| (d.created[rows[0]], d.created[rows[rows.len() - 1]]);
    Ok(Artifact {
        version,
        head,
        stage: params.stage.as_str().to_owned(),
        within_days: params.within_days,
        cutoff_days: params.cutoff_days,
        train_leads: tr.len(),
        test_leads: te.len(),
        train_window: window(&tr),
        test_window: window(&te),
        train_positives: ytr.iter().filter(|&&b| b).count(),
        training_seconds: training.as_secs_f64(),
        test: Metrics::of(&p, &yte).into(),
        calibration: calibration(&p, &yte).into_iter().map(Into::into).collect(),
        model,
    })
}

/// A stored model and the agreement's rule score measured on the same test
/// leads.
#[derive(Clone, Debug, Serialize)]
pub struct Comparison {
    /// The test leads: leads with an outcome created within the model's
    /// test window, in the log as it is now.
    pub test_leads: usize,
    pub model: MetricsRecord,
    pub calibration: Vec<CalibrationRecord>,
    /// `None` when no agreement is in force (no rule score).
    pub rules: Option<MetricsRecord>,
}

/// Measures `a` and the rule score of `engine` (the engine loaded from the
/// same log) on `a`'s test window, each lead's rule score as of its
/// cut-off (creation + `cutoff_days`), when the model scores it too.
pub fn compare(
    a: &Artifact,
    d: &Dataset,
    engine: &accord_decide::Engine,
) -> Result<Comparison, PredictError> {
    let (from, to) = a.test_window;
    let rows: Vec<usize> = (0..d.leads.len())
        .filter(|&i| d.label[i].is_some() && (from..=to).contains(&d.created[i]))
        .collect();
    if rows.is_empty() {
        return Err(PredictError::Data(
            "no lead with an outcome in the model's test window".into(),
        ));
    }
    let y = labels(d, &rows);
    let p = a.model.predict(&d.frame.select(&rows))?;
    let rule: Option<Vec<f64>> = rows
        .iter()
        .map(|&i| {
            let cutoff = d.created[i] + a.cutoff_days * 86_400;
            engine
                .score_at(
                    &d.leads[i],
                    accord_core::domain::Timestamp::from_unix_seconds(cutoff),
                )
                .map(|(_, _, s)| s as f64)
        })
        .collect();
    Ok(Comparison {
        test_leads: rows.len(),
        model: Metrics::of(&p, &y).into(),
        calibration: calibration(&p, &y).into_iter().map(Into::into).collect(),
        rules: rule.map(|s| Metrics::of(&s, &y).into()),
    })
}

#[cfg(test)]
mod tests;
