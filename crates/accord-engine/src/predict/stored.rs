//! Models stored beside the log in the store's `models` table (store format
//! 4), each an `Artifact` as JSON under its version, with the head it was
//! trained at and the artifact's digest. Which model is in use is the view
//! `model/adopted` (its version number).
//!
//! A model is derived from the log: the learner is deterministic, so the
//! same log, stage, window and cut-off train the same model again.

use accord_store::{EventStore, ModelStore, NewModel};

use super::{Artifact, PredictError};

pub const ADOPTED: &str = "model/adopted";

fn number<S: EventStore>(store: &S, name: &str) -> Result<Option<u32>, PredictError> {
    let Some((_, body)) = store.view(name)? else {
        return Ok(None);
    };
    let text = String::from_utf8_lossy(&body);
    text.trim()
        .parse()
        .map(Some)
        .map_err(|_| PredictError::Damaged {
            name: name.to_owned(),
            message: format!("{text:?} is not a version number"),
        })
}

/// The next version number.
pub fn next_version<S: ModelStore>(store: &S) -> Result<u32, PredictError> {
    Ok(store.latest_model_version()?.unwrap_or(0) + 1)
}

/// Stores `a` as its version, trained at `trained_at` (Unix seconds); then
/// adopts it when `adopt`.
pub fn store_model<S: EventStore + ModelStore>(
    store: &mut S,
    a: &Artifact,
    trained_at: i64,
    adopt: bool,
) -> Result<(), PredictError> {
    let artifact = serde_json::to_vec(a).expect("an artifact serialises");
    store.add_model(&NewModel {
        version: a.version,
        trained_at,
        head: a.head,
        artifact,
    })?;
    if adopt {
        let v = a.version.to_string();
        store.put_views(a.head, &[(ADOPTED, v.as_bytes())])?;
    }
    Ok(())
}

/// The artifact of a stored model's bytes, checked as a model read alone is.
pub fn decode(version: u32, bytes: &[u8]) -> Result<Artifact, PredictError> {
    let damaged = |message: String| PredictError::Damaged {
        name: format!("v{version}"),
        message,
    };
    let a: Artifact = serde_json::from_slice(bytes).map_err(|e| damaged(e.to_string()))?;
    if a.version != version {
        return Err(damaged(format!("its artifact says v{}", a.version)));
    }
    accord_model::Model::from_json(&a.model.to_json())?;
    Ok(a)
}

/// Stored version `n`.
pub fn load_model<S: ModelStore>(store: &S, n: u32) -> Result<Artifact, PredictError> {
    let m = store.model(n)?.ok_or(PredictError::NotStored(n))?;
    decode(n, &m.artifact)
}

/// The adopted model, if any.
pub fn adopted<S: EventStore + ModelStore>(store: &S) -> Result<Option<Artifact>, PredictError> {
    match number(store, ADOPTED)? {
        None => Ok(None),
        Some(n) => load_model(store, n).map(Some),
    }
}

/// Puts stored version `n` in use. Fails when it is not stored, or does not
/// read back as a model.
pub fn adopt<S: EventStore + ModelStore>(store: &mut S, n: u32) -> Result<Artifact, PredictError> {
    let a = load_model(store, n)?;
    let head = store.head()?;
    let v = n.to_string();
    store.put_views(head, &[(ADOPTED, v.as_bytes())])?;
    Ok(a)
}

/// A stored model, as `accord model list` shows it.
#[derive(Clone, Debug, serde::Serialize, PartialEq)]
pub struct Listed {
    pub version: u32,
    /// Unix seconds; `None` for a model moved from a format-3 file.
    pub trained_at: Option<i64>,
    /// The log head it was trained at.
    pub head: u64,
    pub stage: String,
    pub within_days: i64,
    pub cutoff_days: i64,
    pub test_roc_auc: Option<f64>,
    pub adopted: bool,
}

/// Every stored model, by version, and which one is adopted.
pub fn list<S: EventStore + ModelStore>(store: &S) -> Result<Vec<Listed>, PredictError> {
    let adopted = number(store, ADOPTED)?;
    store
        .models()?
        .into_iter()
        .map(|m| {
            let a = decode(m.version, &m.artifact)?;
            Ok(Listed {
                version: m.version,
                trained_at: m.trained_at,
                head: m.head,
                stage: a.stage,
                within_days: a.within_days,
                cutoff_days: a.cutoff_days,
                test_roc_auc: a.test.roc_auc,
                adopted: adopted == Some(m.version),
            })
        })
        .collect()
}
