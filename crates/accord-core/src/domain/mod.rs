//! Domain types: the nouns both teams use, as values that can only be valid.

mod time;
mod values;
mod vocab;

pub use time::{Month, MonthError, Timestamp, TimestampError, DAY_SECONDS, HOUR_SECONDS};
pub(crate) use values::is_valid_id;
pub use values::{
    AccountId, CampaignId, ContentId, Country, DecisionId, Document, Domain, Email, LeadId, Money,
    OpportunityId, RepId, Text, TouchId, TransitionId, ValueError, MAX_DOCUMENT_BYTES,
    MAX_ID_BYTES, MAX_TEXT_BYTES,
};
pub use vocab::{
    Channel, ContentKind, Industry, JourneyStage, LostReason, Named, OpportunityKind,
    OpportunityStage, OwnerTeam, Persona, Region, RejectionReason, Seniority, Stage, Team, Tier,
    TouchKind, Vocabulary, WordError, MAX_WORD_BYTES,
};
