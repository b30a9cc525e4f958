//! Trained models beside the log (store format 4): each a versioned
//! artifact with the log position it was trained at and a digest of its
//! bytes, checked on every read. The artifact's bytes are opaque here (the
//! engine writes JSON): the store keeps them, it does not interpret them.
//! A model's row is never changed once stored.

use crate::StoreError;

/// A model to store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewModel {
    pub version: u32,
    /// When it was trained (Unix seconds).
    pub trained_at: i64,
    /// The log's head it was trained at.
    pub head: u64,
    pub artifact: Vec<u8>,
}

/// A stored model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelRecord {
    pub version: u32,
    /// When it was trained (Unix seconds); `None` for a model moved from a
    /// format-3 view, which did not record it.
    pub trained_at: Option<i64>,
    pub head: u64,
    /// `accord_core::event::digest` of the artifact's bytes.
    pub digest: u64,
    pub artifact: Vec<u8>,
}

/// The digest a model's artifact is stored and checked with.
pub fn model_digest(artifact: &[u8]) -> u64 {
    accord_core::event::digest(artifact)
}

/// The models, as every backend keeps them.
pub trait ModelStore {
    /// Stores a new model. Fails with `ModelExists` when its version is
    /// taken (nothing is stored then); returns its digest.
    fn add_model(&mut self, model: &NewModel) -> Result<u64, StoreError>;
    /// Model `version`, its digest checked (`ModelDamaged` when the bytes do
    /// not match it), or `None`.
    fn model(&self, version: u32) -> Result<Option<ModelRecord>, StoreError>;
    /// Every stored model, by version, digests checked. A file of a format
    /// before models (opened read-only) has none.
    fn models(&self) -> Result<Vec<ModelRecord>, StoreError>;
    /// The highest stored version, if any.
    fn latest_model_version(&self) -> Result<Option<u32>, StoreError>;
}
