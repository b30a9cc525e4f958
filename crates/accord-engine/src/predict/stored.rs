//! Models stored beside the log, as views: `model/<n>` (an `Artifact` as
//! JSON), `model/latest` (n of the newest) and `model/adopted` (n of the
//! one in use), written together in one transaction.
//!
//! A model is derived from the log: the learner is deterministic, so the
//! same log, stage, window and cut-off train the same model again.

use accord_store::EventStore;

use super::{Artifact, PredictError};

pub const LATEST: &str = "model/latest";
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
pub fn next_version<S: EventStore>(store: &S) -> Result<u32, PredictError> {
    Ok(number(store, LATEST)?.unwrap_or(0) + 1)
}

/// Stores `a` as its version, the newest; adopted too when `adopt`.
pub fn store_model<S: EventStore>(
    store: &mut S,
    a: &Artifact,
    adopt: bool,
) -> Result<(), PredictError> {
    let name = format!("model/{}", a.version);
    let body = serde_json::to_vec(a).expect("an artifact serialises");
    let v = a.version.to_string();
    let mut views: Vec<(&str, &[u8])> = vec![(&name, &body), (LATEST, v.as_bytes())];
    if adopt {
        views.push((ADOPTED, v.as_bytes()));
    }
    store.put_views(a.head, &views)?;
    Ok(())
}

/// Stored version `n`.
pub fn load_model<S: EventStore>(store: &S, n: u32) -> Result<Artifact, PredictError> {
    let name = format!("model/{n}");
    let (_, body) = store.view(&name)?.ok_or_else(|| PredictError::Damaged {
        name: name.clone(),
        message: "not stored".into(),
    })?;
    let a: Artifact = serde_json::from_slice(&body).map_err(|e| PredictError::Damaged {
        name: name.clone(),
        message: e.to_string(),
    })?;
    // Checks the weights against the encoder as a model read alone is.
    accord_model::Model::from_json(&a.model.to_json())?;
    Ok(a)
}

/// The adopted model, if any.
pub fn adopted<S: EventStore>(store: &S) -> Result<Option<Artifact>, PredictError> {
    match number(store, ADOPTED)? {
        None => Ok(None),
        Some(n) => load_model(store, n).map(Some),
    }
}
