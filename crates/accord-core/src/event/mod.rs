//! Events: the immutable facts of the log, and their stored form.
//!
//! Everything that happens — an account, rep, campaign or asset recorded, a
//! target set, a lead created, a touch, a stage change, an opportunity created
//! or closed — is one `Event`. Each has an `EventKey` (its kind and id) that is
//! unique in the log: appending a key that is already stored is a no-op when the
//! content is the same, and a conflict when it differs.
//!
//! `Event::encode` writes the compact binary form that the store keeps;
//! `Event::decode` reads it back. Decoding re-parses every value, so a damaged
//! log is reported, never silently believed.

mod assignment_head;
mod codec;
mod origin;
pub mod packed_key;
mod packed_touch;

pub use origin::{decode_runs as decode_origin_runs, encode_runs as encode_origin_runs, Origin};

use std::fmt;

pub use assignment_head::AssignmentHead;
pub use codec::digest;
use codec::{put_i64, put_str, put_u64, Reader};
pub use packed_touch::PackedTouch;

use crate::domain::*;

/// Why stored bytes could not be read back as an event.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("event bytes end early")]
    Truncated,
    #[error("bad varint in event bytes")]
    BadVarint,
    #[error("text in event bytes is not UTF-8")]
    BadText,
    #[error("unknown tag in event bytes")]
    BadTag,
    #[error("trailing bytes after an event")]
    Trailing,
    #[error("stored value is not valid: {0}")]
    BadValue(String),
}

/// A value that has a stored binary form.
trait Field: Sized {
    fn put(&self, out: &mut Vec<u8>);
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError>;
}

macro_rules! text_field {
    ($($t:ty),+) => {$(
        impl Field for $t {
            fn put(&self, out: &mut Vec<u8>) {
                put_str(out, self.as_str());
            }
            fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
                <$t>::parse(r.str()?).map_err(|e| DecodeError::BadValue(e.to_string()))
            }
        }
    )+};
}
text_field!(
    AccountId,
    RepId,
    CampaignId,
    ContentId,
    LeadId,
    TouchId,
    TransitionId,
    OpportunityId,
    Text,
    Email,
    Domain,
    Country,
    DecisionId,
    Document
);

macro_rules! vocab_field {
    ($($t:ty),+) => {$(
        impl Field for $t {
            fn put(&self, out: &mut Vec<u8>) {
                out.push(self.code());
            }
            fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
                <$t>::from_code(r.u8()?).ok_or(DecodeError::BadTag)
            }
        }
    )+};
}
vocab_field!(
    Stage,
    Region,
    Industry,
    Tier,
    Team,
    Channel,
    Seniority,
    Persona,
    JourneyStage,
    ContentKind,
    OwnerTeam,
    TouchKind,
    OpportunityKind,
    OpportunityStage,
    RejectionReason
);

/// A declared word (not one of the contract's) is stored as this byte and
/// its text; a contract word as its one-byte code (always below it).
const DECLARED_WORD: u8 = 0xFF;

impl<T: Vocabulary> Field for Named<T> {
    fn put(&self, out: &mut Vec<u8>) {
        match self {
            Named::Core(c) => out.push(c.code()),
            Named::Declared(w) => {
                out.push(DECLARED_WORD);
                put_str(out, w);
            }
        }
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        match r.u8()? {
            DECLARED_WORD => {
                Named::parse(r.str()?).map_err(|e| DecodeError::BadValue(e.to_string()))
            }
            code => T::from_code(code)
                .map(Named::Core)
                .ok_or(DecodeError::BadTag),
        }
    }
}

/// The most items a stored list holds (the candidates of a routing decision).
pub const MAX_LIST_ITEMS: usize = 1_024;

impl<T: Field> Field for Vec<T> {
    fn put(&self, out: &mut Vec<u8>) {
        put_u64(out, self.len() as u64);
        for item in self {
            item.put(out);
        }
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let n = r.u64()?;
        if n > MAX_LIST_ITEMS as u64 {
            return Err(DecodeError::BadValue(format!("a list of {n} items")));
        }
        (0..n).map(|_| T::get(r)).collect()
    }
}

/// The instants `Timestamp::parse` can give (years 1000 to 9999): a stored
/// one outside is damage, and would overflow the calendar arithmetic.
const FIRST_SECOND: i64 = -30_610_224_000; // 1000-01-01T00:00:00Z
const LAST_SECOND: i64 = 253_402_300_799; // 9999-12-31T23:59:59Z

/// The amounts `Money::parse` can give (at most 15 whole digits and 2 of
/// cents): a stored one beyond is damage, and sums of such overflow.
const MAX_CENTS: i64 = 99_999_999_999_999_999;

impl Field for Timestamp {
    fn put(&self, out: &mut Vec<u8>) {
        put_i64(out, self.unix_seconds());
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let seconds = r.i64()?;
        if !(FIRST_SECOND..=LAST_SECOND).contains(&seconds) {
            return Err(DecodeError::BadValue(format!(
                "timestamp {seconds} is outside years 1000 to 9999"
            )));
        }
        Ok(Timestamp::from_unix_seconds(seconds))
    }
}

impl Field for Month {
    fn put(&self, out: &mut Vec<u8>) {
        put_i64(out, i64::from(self.year()));
        out.push(self.month_of_year() as u8);
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let year = r.i64()?;
        let month = r.u8()?;
        i32::try_from(year)
            .ok()
            .and_then(|y| Month::from_year_month(y, u32::from(month)))
            .ok_or_else(|| DecodeError::BadValue(format!("month {year}-{month}")))
    }
}

impl Field for Money {
    fn put(&self, out: &mut Vec<u8>) {
        put_i64(out, self.cents());
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let cents = r.i64()?;
        if !(-MAX_CENTS..=MAX_CENTS).contains(&cents) {
            return Err(DecodeError::BadValue(format!(
                "amount {cents} cents is beyond 15 digits of dollars"
            )));
        }
        Ok(Money::from_cents(cents))
    }
}

impl Field for i64 {
    fn put(&self, out: &mut Vec<u8>) {
        put_i64(out, *self);
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        r.i64()
    }
}

impl Field for u32 {
    fn put(&self, out: &mut Vec<u8>) {
        put_u64(out, u64::from(*self));
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        u32::try_from(r.u64()?).map_err(|_| DecodeError::BadValue("u32 out of range".into()))
    }
}

impl<T: Field> Field for Option<T> {
    fn put(&self, out: &mut Vec<u8>) {
        match self {
            None => out.push(0),
            Some(v) => {
                out.push(1);
                v.put(out);
            }
        }
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        match r.u8()? {
            0 => Ok(None),
            1 => T::get(r).map(Some),
            _ => Err(DecodeError::BadTag),
        }
    }
}

/// Defines a record: a struct of typed fields, and its encoding in field order.
macro_rules! record {
    ($(#[$doc:meta])* $name:ident { $($(#[$fdoc:meta])* $field:ident : $ty:ty),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub struct $name { $($(#[$fdoc])* pub $field: $ty),+ }

        impl Field for $name {
            fn put(&self, out: &mut Vec<u8>) {
                $(self.$field.put(out);)+
            }
            fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
                Ok($name { $($field: <$ty>::get(r)?),+ })
            }
        }
    };
}

mod sla;
pub use sla::{AcceptanceMiss, ClockBreach, Escalation, SlaClock, TargetMiss};

record! {
    /// A company in the CRM.
    Account {
        id: AccountId,
        name: Text,
        domain: Domain,
        industry: Industry,
        employees: Option<i64>,
        annual_revenue: Option<Money>,
        country: Country,
        region: Region,
        tier: Tier,
        /// The named-account owner, if any.
        owner_rep: Option<RepId>,
        created_at: Timestamp,
    }
}

record! {
    /// A member of the sales team.
    Rep {
        id: RepId,
        name: Text,
        email: Email,
        team: Team,
        region: Region,
        /// The industry this rep covers; `None` covers any.
        vertical: Option<Industry>,
        manager: Option<RepId>,
        /// New leads the rep can take per day (0 for managers).
        capacity_per_day: u32,
        hired_at: Timestamp,
    }
}

record! {
    Campaign {
        id: CampaignId,
        name: Text,
        channel: Channel,
        started_at: Timestamp,
        ended_at: Option<Timestamp>,
        cost: Money,
    }
}

record! {
    /// An asset of the content library.
    Content {
        id: ContentId,
        title: Text,
        kind: ContentKind,
        persona: Named<Persona>,
        journey_stage: JourneyStage,
        published_at: Timestamp,
        owner_team: OwnerTeam,
    }
}

record! {
    /// Marketing's side of the SLA: MQLs promised for a region in a month.
    Target {
        region: Region,
        month: Month,
        mql_target: u32,
    }
}

record! {
    /// A person, as they filled in a form or were entered by a rep.
    Lead {
        id: LeadId,
        email: Email,
        full_name: Option<Text>,
        title: Option<Text>,
        seniority: Seniority,
        persona: Option<Named<Persona>>,
        company_name: Option<Text>,
        website: Option<Text>,
        employees_reported: Option<i64>,
        industry_reported: Option<Industry>,
        country: Country,
        region: Region,
        source_channel: Channel,
        source_campaign: Option<CampaignId>,
        created_at: Timestamp,
        /// The CRM's reconciled company of this lead.
        account: Option<AccountId>,
    }
}

record! {
    /// An interaction: marketing kinds carry a channel, sales kinds a rep.
    Touch {
        id: TouchId,
        lead: LeadId,
        occurred_at: Timestamp,
        kind: TouchKind,
        channel: Option<Channel>,
        campaign: Option<CampaignId>,
        content: Option<ContentId>,
        rep: Option<RepId>,
    }
}

record! {
    /// A lifecycle stage change after creation.
    Transition {
        id: TransitionId,
        lead: LeadId,
        from: Named<Stage>,
        to: Named<Stage>,
        occurred_at: Timestamp,
        /// Into `mql`: the rep it was routed to; out of `mql` with a rep: a sales decision.
        rep: Option<RepId>,
        reason: Option<Named<RejectionReason>>,
    }
}

record! {
    Opportunity {
        id: OpportunityId,
        account: AccountId,
        primary_lead: Option<LeadId>,
        owner_rep: RepId,
        kind: OpportunityKind,
        created_at: Timestamp,
        amount: Money,
    }
}

record! {
    /// An opportunity won or lost.
    OpportunityClosed {
        id: OpportunityId,
        won: WonOrLost,
        closed_at: Timestamp,
        /// Free text: CRMs keep their own lost-reason lists (the contract's
        /// vocabulary is the common core, not a closed set).
        lost_reason: Option<Text>,
    }
}

record! {
    /// An agreement adopted: from `adopted_at` its rules decide what happens
    /// to events that arrive live. Versions count up from 1 in adoption order.
    Adoption {
        version: u32,
        /// SHA-256 of `text`, in lower-case hex.
        digest: Text,
        text: Document,
        adopted_at: Timestamp,
        /// Who adopted it, as they said.
        by: Option<Text>,
    }
}

record! {
    /// A predictive model put in use (`accord model adopt`, or `accord model
    /// train` unless `--no-adopt`): the artifact itself is carried, as an
    /// agreement's adoption carries its text, so the log alone gives the
    /// same predictions on replay. Adoptions count up from 1 (`number`, the
    /// key `M<number>`); the latest is in use. ~10 KB at 100k leads.
    ModelAdoption {
        number: u32,
        /// The model's version in the store's `models` table.
        model_version: u32,
        /// SHA-256 of `artifact`, in lower-case hex.
        digest: Text,
        /// The artifact as JSON (`accord_decide::predict::Artifact`).
        artifact: Document,
        adopted_at: Timestamp,
        /// Who adopted it, as they said.
        by: Option<Text>,
    }
}

record! {
    /// A lead's owner set: by a routing rule (the engine), or by a person
    /// (a reassignment). `rep` is `None` when no rep was eligible: the lead
    /// waits unowned until a rep is.
    Assignment {
        id: DecisionId,
        lead: LeadId,
        rep: Option<RepId>,
        /// The routing rule that chose the rep; `None` for a person's reassignment.
        rule: Option<Text>,
        assigned_at: Timestamp,
        /// The rules tried before and including the one that fired, in order.
        tried: Vec<RuleTried>,
        /// The firing rule's eligible reps in the order considered (the
        /// chosen one among them), at most [`MAX_CANDIDATES`].
        eligible: Vec<RepId>,
    }
}

/// Candidates or excluded reps recorded per routing rule at most.
pub const MAX_CANDIDATES: usize = 16;

record! {
    /// One routing rule as tried for a lead.
    RuleTried {
        rule: Text,
        /// Reps of the rule's team whose `when` held.
        matched: u32,
        /// Reps among `matched` left out, and why (at most [`MAX_CANDIDATES`]).
        excluded: Vec<Excluded>,
    }
}

record! {
    /// A rep whose team and rule fit the lead but who could not take it.
    Excluded {
        rep: RepId,
        why: Exclusion,
    }
}

/// Why a rep that fits a routing rule was not eligible.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Exclusion {
    /// Took `capacity_per_day` leads on this day (in the rep's time zone).
    AtCapacity,
    /// Outside the working hours of the rep's time zone.
    OutsideHours,
    /// Marked away for this time.
    Away,
}

impl Exclusion {
    pub fn as_str(self) -> &'static str {
        match self {
            Exclusion::AtCapacity => "at_capacity",
            Exclusion::OutsideHours => "outside_hours",
            Exclusion::Away => "away",
        }
    }
}

impl Field for Exclusion {
    fn put(&self, out: &mut Vec<u8>) {
        out.push(match self {
            Exclusion::AtCapacity => 0,
            Exclusion::OutsideHours => 1,
            Exclusion::Away => 2,
        });
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        match r.u8()? {
            0 => Ok(Exclusion::AtCapacity),
            1 => Ok(Exclusion::OutsideHours),
            2 => Ok(Exclusion::Away),
            _ => Err(DecodeError::BadTag),
        }
    }
}

record! {
    /// A lead matched to an account by the engine (a lead that arrives with
    /// its account needs none).
    AccountMatch {
        /// The lead's id: a lead is matched once, when it arrives.
        lead: LeadId,
        account: AccountId,
        /// Per mille: 1000 = certain.
        confidence: u32,
        how: MatchedBy,
        /// What matched: the domain, or the company name as normalised.
        evidence: Text,
        matched_at: Timestamp,
    }
}

/// What a lead was matched to its account on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MatchedBy {
    EmailDomain,
    Website,
    CompanyName,
}

impl MatchedBy {
    pub fn as_str(self) -> &'static str {
        match self {
            MatchedBy::EmailDomain => "email_domain",
            MatchedBy::Website => "website",
            MatchedBy::CompanyName => "company_name",
        }
    }
}

impl Field for MatchedBy {
    fn put(&self, out: &mut Vec<u8>) {
        out.push(match self {
            MatchedBy::EmailDomain => 0,
            MatchedBy::Website => 1,
            MatchedBy::CompanyName => 2,
        });
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        match r.u8()? {
            0 => Ok(MatchedBy::EmailDomain),
            1 => Ok(MatchedBy::Website),
            2 => Ok(MatchedBy::CompanyName),
            _ => Err(DecodeError::BadTag),
        }
    }
}

record! {
    /// A rep out of office from `from` until `until`: routing skips them.
    Away {
        id: DecisionId,
        rep: RepId,
        from: Timestamp,
        until: Timestamp,
    }
}

/// How an opportunity closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WonOrLost {
    Won,
    Lost,
}

impl Field for WonOrLost {
    fn put(&self, out: &mut Vec<u8>) {
        out.push(match self {
            WonOrLost::Won => 1,
            WonOrLost::Lost => 0,
        });
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        match r.u8()? {
            1 => Ok(WonOrLost::Won),
            0 => Ok(WonOrLost::Lost),
            _ => Err(DecodeError::BadTag),
        }
    }
}

/// The kind of an event; with the id it forms the event's unique key.
/// The numbers are stored: never reuse or renumber them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum EventKind {
    AccountRecorded = 1,
    RepRecorded = 2,
    CampaignRecorded = 3,
    ContentPublished = 4,
    TargetSet = 5,
    LeadCreated = 6,
    Touched = 7,
    StageChanged = 8,
    OpportunityCreated = 9,
    OpportunityClosed = 10,
    AgreementAdopted = 11,
    OwnerAssigned = 12,
    AccountMatched = 13,
    RepAway = 14,
    ClockBreached = 15,
    MqlTargetMissed = 16,
    AcceptanceMissed = 17,
    Escalated = 18,
    ModelAdopted = 19,
}

impl EventKind {
    pub const ALL: [EventKind; 19] = [
        EventKind::AccountRecorded,
        EventKind::RepRecorded,
        EventKind::CampaignRecorded,
        EventKind::ContentPublished,
        EventKind::TargetSet,
        EventKind::LeadCreated,
        EventKind::Touched,
        EventKind::StageChanged,
        EventKind::OpportunityCreated,
        EventKind::OpportunityClosed,
        EventKind::AgreementAdopted,
        EventKind::OwnerAssigned,
        EventKind::AccountMatched,
        EventKind::RepAway,
        EventKind::ClockBreached,
        EventKind::MqlTargetMissed,
        EventKind::AcceptanceMissed,
        EventKind::Escalated,
        EventKind::ModelAdopted,
    ];

    pub fn code(self) -> u8 {
        self as u8
    }

    pub fn from_code(code: u8) -> Option<EventKind> {
        EventKind::ALL.iter().copied().find(|k| k.code() == code)
    }

    /// One of the kit contract's facts (accounts to closed opportunities):
    /// what the reports count. The others (adoptions, the engine's
    /// decisions other than stage changes, time away) they pass over.
    pub fn is_contract_fact(self) -> bool {
        self.code() <= EventKind::OpportunityClosed.code()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::AccountRecorded => "account_recorded",
            EventKind::RepRecorded => "rep_recorded",
            EventKind::CampaignRecorded => "campaign_recorded",
            EventKind::ContentPublished => "content_published",
            EventKind::TargetSet => "target_set",
            EventKind::LeadCreated => "lead_created",
            EventKind::Touched => "touched",
            EventKind::StageChanged => "stage_changed",
            EventKind::OpportunityCreated => "opportunity_created",
            EventKind::OpportunityClosed => "opportunity_closed",
            EventKind::AgreementAdopted => "agreement_adopted",
            EventKind::OwnerAssigned => "owner_assigned",
            EventKind::AccountMatched => "account_matched",
            EventKind::RepAway => "rep_away",
            EventKind::ClockBreached => "clock_breached",
            EventKind::MqlTargetMissed => "mql_target_missed",
            EventKind::AcceptanceMissed => "acceptance_missed",
            EventKind::Escalated => "escalated",
            EventKind::ModelAdopted => "model_adopted",
        }
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One fact of the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    AccountRecorded(Account),
    RepRecorded(Rep),
    CampaignRecorded(Campaign),
    ContentPublished(Content),
    TargetSet(Target),
    LeadCreated(Lead),
    Touched(Touch),
    StageChanged(Transition),
    OpportunityCreated(Opportunity),
    OpportunityClosed(OpportunityClosed),
    AgreementAdopted(Adoption),
    OwnerAssigned(Assignment),
    AccountMatched(AccountMatch),
    RepAway(Away),
    ClockBreached(ClockBreach),
    MqlTargetMissed(TargetMiss),
    AcceptanceMissed(AcceptanceMiss),
    Escalated(Escalation),
    ModelAdopted(ModelAdoption),
}

/// Ids of the events the engine makes start with this (`~1`, `~2`, ...);
/// ids from outside may not, so the two never collide.
pub const ENGINE_ID_PREFIX: char = '~';

/// The unique key of an event: its kind and its id. A target's id is
/// `REGION:YYYY-MM` (targets are keyed by region and month).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EventKey {
    pub kind: EventKind,
    pub id: String,
}

impl fmt::Display for EventKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind, self.id)
    }
}

impl Event {
    pub fn kind(&self) -> EventKind {
        match self {
            Event::AccountRecorded(_) => EventKind::AccountRecorded,
            Event::RepRecorded(_) => EventKind::RepRecorded,
            Event::CampaignRecorded(_) => EventKind::CampaignRecorded,
            Event::ContentPublished(_) => EventKind::ContentPublished,
            Event::TargetSet(_) => EventKind::TargetSet,
            Event::LeadCreated(_) => EventKind::LeadCreated,
            Event::Touched(_) => EventKind::Touched,
            Event::StageChanged(_) => EventKind::StageChanged,
            Event::OpportunityCreated(_) => EventKind::OpportunityCreated,
            Event::OpportunityClosed(_) => EventKind::OpportunityClosed,
            Event::AgreementAdopted(_) => EventKind::AgreementAdopted,
            Event::OwnerAssigned(_) => EventKind::OwnerAssigned,
            Event::AccountMatched(_) => EventKind::AccountMatched,
            Event::RepAway(_) => EventKind::RepAway,
            Event::ClockBreached(_) => EventKind::ClockBreached,
            Event::MqlTargetMissed(_) => EventKind::MqlTargetMissed,
            Event::AcceptanceMissed(_) => EventKind::AcceptanceMissed,
            Event::Escalated(_) => EventKind::Escalated,
            Event::ModelAdopted(_) => EventKind::ModelAdopted,
        }
    }

    /// The id part of the key.
    pub fn id(&self) -> String {
        let mut out = String::new();
        self.write_id(&mut out);
        out
    }

    /// The id part of the key, borrowed when the event holds it as text
    /// (every kind but a target, an adoption and a model's).
    pub fn id_text(&self) -> std::borrow::Cow<'_, str> {
        let mut out = String::new();
        match self.write_id_or_text(&mut out) {
            Some(id) => std::borrow::Cow::Borrowed(id),
            None => std::borrow::Cow::Owned(out),
        }
    }

    /// Appends the id part of the key to `out` (no allocation for most kinds).
    pub fn write_id(&self, out: &mut String) {
        if let Some(id) = self.write_id_or_text(out) {
            out.push_str(id);
        }
    }

    /// The id when the event holds it as text; else written into `out`.
    fn write_id_or_text(&self, out: &mut String) -> Option<&str> {
        let id = match self {
            Event::AccountRecorded(e) => e.id.as_str(),
            Event::RepRecorded(e) => e.id.as_str(),
            Event::CampaignRecorded(e) => e.id.as_str(),
            Event::ContentPublished(e) => e.id.as_str(),
            Event::TargetSet(e) => {
                use std::fmt::Write;
                write!(out, "{}:{}", e.region, e.month).expect("writing to a String");
                return None;
            }
            Event::LeadCreated(e) => e.id.as_str(),
            Event::Touched(e) => e.id.as_str(),
            Event::StageChanged(e) => e.id.as_str(),
            Event::OpportunityCreated(e) => e.id.as_str(),
            Event::OpportunityClosed(e) => e.id.as_str(),
            Event::AgreementAdopted(e) => {
                use std::fmt::Write;
                write!(out, "V{}", e.version).expect("writing to a String");
                return None;
            }
            Event::OwnerAssigned(e) => e.id.as_str(),
            Event::AccountMatched(e) => e.lead.as_str(),
            Event::RepAway(e) => e.id.as_str(),
            Event::ClockBreached(e) => e.id.as_str(),
            Event::MqlTargetMissed(e) => e.id.as_str(),
            Event::AcceptanceMissed(e) => e.id.as_str(),
            Event::Escalated(e) => e.id.as_str(),
            Event::ModelAdopted(e) => {
                use std::fmt::Write;
                write!(out, "M{}", e.number).expect("writing to a String");
                return None;
            }
        };
        Some(id)
    }

    pub fn key(&self) -> EventKey {
        EventKey {
            kind: self.kind(),
            id: self.id(),
        }
    }

    /// When it happened (for records: when the thing came to be; for a
    /// target: the first instant of its month).
    pub fn occurred_at(&self) -> Timestamp {
        match self {
            Event::AccountRecorded(e) => e.created_at,
            Event::RepRecorded(e) => e.hired_at,
            Event::CampaignRecorded(e) => e.started_at,
            Event::ContentPublished(e) => e.published_at,
            Event::TargetSet(e) => e.month.start(),
            Event::LeadCreated(e) => e.created_at,
            Event::Touched(e) => e.occurred_at,
            Event::StageChanged(e) => e.occurred_at,
            Event::OpportunityCreated(e) => e.created_at,
            Event::OpportunityClosed(e) => e.closed_at,
            Event::AgreementAdopted(e) => e.adopted_at,
            Event::OwnerAssigned(e) => e.assigned_at,
            Event::AccountMatched(e) => e.matched_at,
            Event::RepAway(e) => e.from,
            Event::ClockBreached(e) => e.due,
            Event::MqlTargetMissed(e) => e.judged_at,
            Event::AcceptanceMissed(e) => e.judged_at,
            Event::Escalated(e) => e.at,
            Event::ModelAdopted(e) => e.adopted_at,
        }
    }

    /// Appends the stored form: the kind's code, then the record's fields.
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.push(self.kind().code());
        match self {
            Event::AccountRecorded(e) => e.put(out),
            Event::RepRecorded(e) => e.put(out),
            Event::CampaignRecorded(e) => e.put(out),
            Event::ContentPublished(e) => e.put(out),
            Event::TargetSet(e) => e.put(out),
            Event::LeadCreated(e) => e.put(out),
            Event::Touched(e) => e.put(out),
            Event::StageChanged(e) => e.put(out),
            Event::OpportunityCreated(e) => e.put(out),
            Event::OpportunityClosed(e) => e.put(out),
            Event::AgreementAdopted(e) => e.put(out),
            Event::OwnerAssigned(e) => e.put(out),
            Event::AccountMatched(e) => e.put(out),
            Event::RepAway(e) => e.put(out),
            Event::ClockBreached(e) => e.put(out),
            Event::MqlTargetMissed(e) => e.put(out),
            Event::AcceptanceMissed(e) => e.put(out),
            Event::Escalated(e) => e.put(out),
            Event::ModelAdopted(e) => e.put(out),
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64);
        self.encode(&mut out);
        out
    }

    /// Reads one event from exactly `bytes`.
    pub fn decode(bytes: &[u8]) -> Result<Event, DecodeError> {
        let mut r = Reader::new(bytes);
        let kind = EventKind::from_code(r.u8()?).ok_or(DecodeError::BadTag)?;
        let event = match kind {
            EventKind::AccountRecorded => Event::AccountRecorded(Field::get(&mut r)?),
            EventKind::RepRecorded => Event::RepRecorded(Field::get(&mut r)?),
            EventKind::CampaignRecorded => Event::CampaignRecorded(Field::get(&mut r)?),
            EventKind::ContentPublished => Event::ContentPublished(Field::get(&mut r)?),
            EventKind::TargetSet => Event::TargetSet(Field::get(&mut r)?),
            EventKind::LeadCreated => Event::LeadCreated(Field::get(&mut r)?),
            EventKind::Touched => Event::Touched(Field::get(&mut r)?),
            EventKind::StageChanged => Event::StageChanged(Field::get(&mut r)?),
            EventKind::OpportunityCreated => Event::OpportunityCreated(Field::get(&mut r)?),
            EventKind::OpportunityClosed => Event::OpportunityClosed(Field::get(&mut r)?),
            EventKind::AgreementAdopted => Event::AgreementAdopted(Field::get(&mut r)?),
            EventKind::OwnerAssigned => Event::OwnerAssigned(Field::get(&mut r)?),
            EventKind::AccountMatched => Event::AccountMatched(Field::get(&mut r)?),
            EventKind::RepAway => Event::RepAway(Field::get(&mut r)?),
            EventKind::ClockBreached => Event::ClockBreached(Field::get(&mut r)?),
            EventKind::MqlTargetMissed => Event::MqlTargetMissed(Field::get(&mut r)?),
            EventKind::AcceptanceMissed => Event::AcceptanceMissed(Field::get(&mut r)?),
            EventKind::Escalated => Event::Escalated(Field::get(&mut r)?),
            EventKind::ModelAdopted => Event::ModelAdopted(Field::get(&mut r)?),
        };
        if !r.is_empty() {
            return Err(DecodeError::Trailing);
        }
        Ok(event)
    }
}

/// Events encoded for appending, in one flat buffer (no allocation per event),
/// each with its origin.
#[derive(Default)]
pub struct Batch {
    kinds: Vec<EventKind>,
    ids: String,
    id_ends: Vec<usize>,
    bytes: Vec<u8>,
    byte_ends: Vec<usize>,
    /// Where the origin changes: (first event, origin), by event. Before
    /// the first change, and with none, events are `Imported`; a batch of
    /// imported events holds none.
    origins: Vec<(usize, Origin)>,
}

/// Events are imported unless said otherwise.
static IMPORTED: Origin = Origin::Imported;

impl Batch {
    /// Adds an imported event (history read from CSV).
    pub fn push(&mut self, event: &Event) {
        if !self.origins.is_empty() {
            self.set_origin(&Origin::Imported);
        }
        self.push_bytes(event);
    }

    /// Adds an event that came from `origin`.
    pub fn push_from(&mut self, event: &Event, origin: &Origin) {
        self.set_origin(origin);
        self.push_bytes(event);
    }

    /// Makes the next event's origin `origin`.
    fn set_origin(&mut self, origin: &Origin) {
        let current = self.origins.last().map_or(&IMPORTED, |(_, o)| o);
        if current != origin {
            self.origins.push((self.kinds.len(), origin.clone()));
        }
    }

    fn push_bytes(&mut self, event: &Event) {
        self.kinds.push(event.kind());
        event.write_id(&mut self.ids);
        self.id_ends.push(self.ids.len());
        event.encode(&mut self.bytes);
        self.byte_ends.push(self.bytes.len());
    }

    pub fn len(&self) -> usize {
        self.kinds.len()
    }

    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty()
    }

    /// Bytes of encoded events held.
    pub fn encoded_len(&self) -> usize {
        self.bytes.len()
    }

    /// The `i`-th event: its kind, id and stored bytes.
    pub fn get(&self, i: usize) -> (EventKind, &str, &[u8]) {
        let id_start = if i == 0 { 0 } else { self.id_ends[i - 1] };
        let byte_start = if i == 0 { 0 } else { self.byte_ends[i - 1] };
        (
            self.kinds[i],
            &self.ids[id_start..self.id_ends[i]],
            &self.bytes[byte_start..self.byte_ends[i]],
        )
    }

    /// The `i`-th event's origin.
    pub fn origin(&self, i: usize) -> &Origin {
        let at = self.origins.partition_point(|(first, _)| *first <= i);
        at.checked_sub(1).map_or(&IMPORTED, |k| &self.origins[k].1)
    }

    /// Whether every event is `Imported`.
    pub fn all_imported(&self) -> bool {
        self.origins.is_empty()
    }

    pub fn clear(&mut self) {
        self.origins.clear();
        self.kinds.clear();
        self.ids.clear();
        self.id_ends.clear();
        self.bytes.clear();
        self.byte_ends.clear();
    }
}

/// Frames events into one stored chunk: each event as a varint length and its bytes.
pub fn frame(out: &mut Vec<u8>, event_bytes: &[u8]) {
    put_u64(out, event_bytes.len() as u64);
    out.extend_from_slice(event_bytes);
}

/// Splits a stored chunk back into its events' bytes.
pub fn unframe(chunk: &[u8]) -> impl Iterator<Item = Result<&[u8], DecodeError>> {
    let mut pos = 0usize;
    std::iter::from_fn(move || {
        if pos >= chunk.len() {
            return None;
        }
        let mut r = Reader::new(&chunk[pos..]);
        let item = r.u64().and_then(|n| {
            let header = r.position();
            let start = pos + header;
            let end = start
                .checked_add(n as usize)
                .filter(|&e| e <= chunk.len())
                .ok_or(DecodeError::Truncated)?;
            pos = end;
            Ok(&chunk[start..end])
        });
        if item.is_err() {
            pos = chunk.len();
        }
        Some(item)
    })
}

#[cfg(test)]
mod tests;
