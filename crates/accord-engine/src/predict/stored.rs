//! Models stored beside the log in the store's `models` table (store format
//! 4), each an `Artifact` as JSON under its version, with the head it was
//! trained at and the artifact's digest. Which model is in use is an event
//! of the log (`model_adopted`, store format 5, origin `Person`): it carries
//! the artifact's JSON and its SHA-256, so the log alone gives the same
//! predictions on replay; the latest adoption is in use.
//!
//! A model is derived from the log: the learner is deterministic, so the
//! same log, stage, window and cut-off train the same model again.

use accord_core::domain::{Document, Text, Timestamp};
use accord_core::event::{Event, EventKind, ModelAdoption};
use accord_store::{EventStore, ModelStore, NewModel};

use super::{Artifact, Damaged, PredictError};
use crate::agreement::{append_alone, sha256_hex};

/// The next version number.
pub fn next_version<S: ModelStore>(store: &S) -> Result<u32, PredictError> {
    Ok(store.latest_model_version()?.unwrap_or(0) + 1)
}

/// Stores `a` as its version, trained at `trained_at` (Unix seconds).
pub fn store_model<S: ModelStore>(
    store: &mut S,
    a: &Artifact,
    trained_at: i64,
) -> Result<(), PredictError> {
    let artifact = serde_json::to_vec(a).expect("an artifact serialises");
    store.add_model(&NewModel {
        version: a.version,
        trained_at,
        head: a.head,
        artifact,
    })?;
    Ok(())
}

/// The artifact of a stored model's bytes ([`Artifact::decode`]).
pub fn decode(version: u32, bytes: &[u8]) -> Result<Artifact, PredictError> {
    Ok(Artifact::decode(version, bytes)?)
}

/// Stored version `n`.
pub fn load_model<S: ModelStore>(store: &S, n: u32) -> Result<Artifact, PredictError> {
    let m = store.model(n)?.ok_or(PredictError::NotStored(n))?;
    decode(n, &m.artifact)
}

/// The model an adoption carries.
pub fn of_adoption(m: &ModelAdoption) -> Result<Artifact, PredictError> {
    decode(m.model_version, m.artifact.as_str().as_bytes())
}

/// The latest `model_adopted` event of the log, read by key (no scan).
pub fn latest_adoption<S: EventStore>(store: &S) -> Result<Option<ModelAdoption>, PredictError> {
    let ids = store.ids(EventKind::ModelAdopted)?;
    let Some(n) = ids
        .iter()
        .filter_map(|id| id.strip_prefix('M').and_then(|n| n.parse::<u32>().ok()))
        .max()
    else {
        return Ok(None);
    };
    match store.find(EventKind::ModelAdopted, &format!("M{n}"))? {
        Some((_, Event::ModelAdopted(m))) => Ok(Some(m)),
        _ => Err(Damaged {
            name: format!("model adoption M{n}"),
            message: "not stored as a model adoption".into(),
        }
        .into()),
    }
}

/// The model in use (the latest adoption in the log), if any.
pub fn adopted<S: EventStore>(store: &S) -> Result<Option<Artifact>, PredictError> {
    latest_adoption(store)?
        .as_ref()
        .map(of_adoption)
        .transpose()
}

/// What `adopt` did.
#[derive(Clone, Debug)]
pub struct Adopted {
    pub artifact: Artifact,
    /// The adoption's number (its key `M<number>`).
    pub number: u32,
    /// The same model was in use already: nothing was stored.
    pub already_in_use: bool,
}

/// Puts stored version `n` in use: appends a `model_adopted` event
/// carrying its artifact (origin `Person { by }`), unless it is the one in
/// use. Fails when it is not stored, does not read back as a model, or is
/// larger than an event may carry (1 MiB).
pub fn adopt<S: EventStore + ModelStore>(
    store: &mut S,
    n: u32,
    by: Option<&str>,
    now: Timestamp,
) -> Result<Adopted, PredictError> {
    let stored = store.model(n)?.ok_or(PredictError::NotStored(n))?;
    let artifact = decode(n, &stored.artifact)?;
    let text = std::str::from_utf8(&stored.artifact).map_err(|e| Damaged {
        name: format!("v{n}"),
        message: e.to_string(),
    })?;
    let digest = sha256_hex(text.as_bytes());
    let latest = latest_adoption(store)?;
    if let Some(m) = &latest {
        if m.model_version == n && m.digest.as_str() == digest {
            return Ok(Adopted {
                artifact,
                number: m.number,
                already_in_use: true,
            });
        }
    }
    let number = latest.map_or(1, |m| m.number + 1);
    let by = by
        .map(|b| Text::parse(b.trim()))
        .transpose()
        .map_err(|e| PredictError::Data(format!("--by: {e}")))?;
    let event = Event::ModelAdopted(ModelAdoption {
        number,
        model_version: n,
        digest: Text::parse(&digest).expect("64 hex digits"),
        artifact: Document::parse(text).map_err(|e| {
            PredictError::Data(format!("model v{n} cannot be adopted: its artifact: {e}"))
        })?,
        adopted_at: now,
        by: by.clone(),
    });
    if !append_alone(store, &event, by)? {
        return Err(PredictError::AdoptionRaced { number });
    }
    Ok(Adopted {
        artifact,
        number,
        already_in_use: false,
    })
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

/// Every stored model, by version, and which one is in use (from the log).
pub fn list<S: EventStore + ModelStore>(store: &S) -> Result<Vec<Listed>, PredictError> {
    let adopted = latest_adoption(store)?.map(|m| m.model_version);
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
