//! The closed schema a rule is checked against: the records (`lead`,
//! `account`, `touch`, `rep`, `event`), their fields and types, the top-level
//! variables each kind of rule sees, and the agreement's own vocabularies.

use super::checker::Ty;

/// The type of a field in the rule schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldType {
    Bool,
    Int,
    Double,
    String,
    /// A UTC instant; compare with `now` or `timestamp('2025-04-01T00:00:00Z')`.
    Timestamp,
}

impl FieldType {
    pub(super) fn ty(self) -> Ty {
        match self {
            FieldType::Bool => Ty::Bool,
            FieldType::Int => Ty::Int,
            FieldType::Double => Ty::Double,
            FieldType::String => Ty::String,
            FieldType::Timestamp => Ty::Timestamp,
        }
    }
}

/// Where the allowed values of a string field come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Vocab {
    /// Any string (names, ids, e-mail addresses).
    Open,
    /// A fixed list, from the data contract (regions, tiers, seniorities...).
    Fixed(&'static str, &'static [&'static str]),
    /// The stages the agreement declares.
    Stages,
    /// The personas the agreement declares.
    Personas,
    /// The journey stages the agreement declares.
    JourneyStages,
    /// The rejection reasons the agreement's sales SLA declares.
    RejectionReasons,
}

/// One field of an [`Object`].
#[derive(Debug, PartialEq)]
pub struct Field {
    pub name: &'static str,
    pub ty: FieldType,
    pub vocab: Vocab,
}

/// A record type a rule can read: `lead`, `account`, `touch`, `rep`, `event`.
#[derive(Debug, PartialEq)]
pub struct Object {
    pub name: &'static str,
    pub fields: &'static [Field],
}

impl Object {
    pub fn field(&self, name: &str) -> Option<(usize, &'static Field)> {
        self.fields.iter().enumerate().find(|(_, f)| f.name == name)
    }
}

const fn f(name: &'static str, ty: FieldType) -> Field {
    Field {
        name,
        ty,
        vocab: Vocab::Open,
    }
}
const fn v(name: &'static str, vocab: Vocab) -> Field {
    Field {
        name,
        ty: FieldType::String,
        vocab,
    }
}

use crate::domain::{Channel, ContentKind, Industry, Region, Seniority, Team, Tier, TouchKind};
use FieldType::{Bool as B, Double as D, Int as I, String as S, Timestamp as T};

// The vocabularies are the domain's (one source of truth: `crate::domain`).
pub const REGIONS: &[&str] = Region::WORDS;
pub const INDUSTRIES: &[&str] = Industry::WORDS;
pub const TIERS: &[&str] = Tier::WORDS;
pub const TEAMS: &[&str] = Team::WORDS;
pub const CHANNELS: &[&str] = Channel::WORDS;
pub const SENIORITIES: &[&str] = Seniority::WORDS;
pub const CONTENT_KINDS: &[&str] = ContentKind::WORDS;
/// The marketing kinds come first in `TouchKind`, then the three sales kinds.
pub const MARKETING_TOUCH_KINDS: &[&str] = TouchKind::WORDS.split_at(12).0;
pub const TOUCH_KINDS: &[&str] = TouchKind::WORDS;
/// What happened to a lead that a stage criterion can react to.
pub const EVENT_KINDS: &[&str] = &[
    "created",
    "touched",
    "scored",
    "accepted",
    "rejected",
    "qualified",
    "opportunity_created",
    "opportunity_won",
    "opportunity_lost",
    "recycle_timer",
];

/// `lead`: a person, with the scores accord derived for them.
pub static LEAD: Object = Object {
    name: "lead",
    fields: &[
        f("id", S),
        f("email", S),
        f("email_domain", S),
        f("free_mail", B),
        f("full_name", S),
        f("title", S),
        v("seniority", Vocab::Fixed("seniority", SENIORITIES)),
        v("persona", Vocab::Personas),
        f("company_name", S),
        f("website", S),
        f("employees", I),
        v("industry", Vocab::Fixed("industry", INDUSTRIES)),
        f("country", S),
        v("region", Vocab::Fixed("region", REGIONS)),
        v("source_channel", Vocab::Fixed("channel", CHANNELS)),
        f("source_campaign_id", S),
        f("created_at", T),
        v("stage", Vocab::Stages),
        f("fit_score", I),
        f("engagement_score", I),
        f("score", I),
        f("account_id", S),
        f("predicted", D),
    ],
};

/// `account`: the lead's company in the CRM (all zero values when none).
pub static ACCOUNT: Object = Object {
    name: "account",
    fields: &[
        f("id", S),
        f("name", S),
        f("domain", S),
        v("industry", Vocab::Fixed("industry", INDUSTRIES)),
        f("employees", I),
        f("annual_revenue_usd", D),
        f("country", S),
        v("region", Vocab::Fixed("region", REGIONS)),
        v("tier", Vocab::Fixed("tier", TIERS)),
        f("owner_rep_id", S),
        f("named", B),
    ],
};

/// `touch`: one interaction, for engagement rules.
pub static TOUCH: Object = Object {
    name: "touch",
    fields: &[
        v("kind", Vocab::Fixed("touch kind", TOUCH_KINDS)),
        v("channel", Vocab::Fixed("channel", CHANNELS)),
        f("campaign_id", S),
        f("content_id", S),
        f("rep_id", S),
        f("occurred_at", T),
        v("content_kind", Vocab::Fixed("content kind", CONTENT_KINDS)),
        v("journey_stage", Vocab::JourneyStages),
        v("persona", Vocab::Personas),
    ],
};

/// `rep`: a candidate owner, for routing rules.
pub static REP: Object = Object {
    name: "rep",
    fields: &[
        f("id", S),
        v("team", Vocab::Fixed("team", TEAMS)),
        v("region", Vocab::Fixed("region", REGIONS)),
        v("vertical", Vocab::Fixed("industry", INDUSTRIES)),
        f("capacity_per_day", I),
    ],
};

/// `event`: the sales action or timer a stage criterion reacts to.
pub static EVENT: Object = Object {
    name: "event",
    fields: &[
        v("kind", Vocab::Fixed("event kind", EVENT_KINDS)),
        v("reason", Vocab::RejectionReasons),
        f("rep_id", S),
        f("occurred_at", T),
    ],
};

/// Every record type, for documentation and tests.
pub static OBJECTS: [&Object; 5] = [&LEAD, &ACCOUNT, &TOUCH, &REP, &EVENT];

/// A top-level name a rule can use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Var {
    Lead,
    Account,
    Touch,
    Rep,
    Event,
    /// `now`: the instant the rule is evaluated at (a timestamp).
    Now,
    /// `mql_threshold`: the agreement's MQL score threshold (an int).
    MqlThreshold,
}

impl Var {
    /// The schema object of a record variable; `None` for `now` and
    /// `mql_threshold`.
    pub fn object(self) -> Option<&'static Object> {
        match self {
            Var::Lead => Some(&LEAD),
            Var::Account => Some(&ACCOUNT),
            Var::Touch => Some(&TOUCH),
            Var::Rep => Some(&REP),
            Var::Event => Some(&EVENT),
            Var::Now | Var::MqlThreshold => None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Var::Lead => "lead",
            Var::Account => "account",
            Var::Touch => "touch",
            Var::Rep => "rep",
            Var::Event => "event",
            Var::Now => "now",
            Var::MqlThreshold => "mql_threshold",
        }
    }
    pub(super) fn ty(self) -> Ty {
        match self {
            Var::Lead => Ty::Object(&LEAD),
            Var::Account => Ty::Object(&ACCOUNT),
            Var::Touch => Ty::Object(&TOUCH),
            Var::Rep => Ty::Object(&REP),
            Var::Event => Ty::Object(&EVENT),
            Var::Now => Ty::Timestamp,
            Var::MqlThreshold => Ty::Int,
        }
    }
    pub(super) const ALL: [Var; 7] = [
        Var::Lead,
        Var::Account,
        Var::Touch,
        Var::Rep,
        Var::Event,
        Var::Now,
        Var::MqlThreshold,
    ];
}

/// Where a rule is written; decides which variables it sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleKind {
    /// `[stages.X] when`: may the lead enter stage X now?
    StageEntry,
    /// `[personas.X] when`: does the lead belong to persona X?
    Persona,
    /// `[[scoring.fit]] when`: does the lead look like our best customers?
    Fit,
    /// `[[scoring.engagement.rules]] when`: does this touch earn the points?
    Engagement,
    /// `[[routing.rules]] when`: is this rep eligible for this lead?
    Routing,
}

impl RuleKind {
    /// The variables a rule of this kind sees, in documentation order.
    pub fn variables(self) -> &'static [Var] {
        match self {
            RuleKind::StageEntry => &[
                Var::Lead,
                Var::Account,
                Var::Event,
                Var::Now,
                Var::MqlThreshold,
            ],
            RuleKind::Persona | RuleKind::Fit => &[Var::Lead, Var::Account],
            RuleKind::Engagement => &[Var::Lead, Var::Account, Var::Touch, Var::Now],
            RuleKind::Routing => &[Var::Lead, Var::Account, Var::Rep],
        }
    }

    /// How an error message names this kind of rule.
    pub fn describe(self) -> &'static str {
        match self {
            RuleKind::StageEntry => "a stage criterion",
            RuleKind::Persona => "a persona rule",
            RuleKind::Fit => "a fit rule",
            RuleKind::Engagement => "an engagement rule",
            RuleKind::Routing => "a routing rule",
        }
    }
}

/// The names an agreement declares, which some string fields must use.
#[derive(Clone, Debug, Default)]
pub struct Vocabularies {
    pub stages: Vec<String>,
    pub personas: Vec<String>,
    pub journey_stages: Vec<String>,
    pub rejection_reasons: Vec<String>,
}

impl Vocabularies {
    pub(super) fn values(&self, vocab: Vocab) -> Option<(String, Vec<&str>)> {
        fn own<'a>(what: &str, list: &'a [String]) -> Option<(String, Vec<&'a str>)> {
            Some((what.to_string(), list.iter().map(String::as_str).collect()))
        }
        match vocab {
            Vocab::Open => None,
            Vocab::Fixed(what, list) => Some((what.to_string(), list.to_vec())),
            Vocab::Stages => own("declared stage", &self.stages),
            Vocab::Personas => own("declared persona", &self.personas),
            Vocab::JourneyStages => own("declared journey stage", &self.journey_stages),
            Vocab::RejectionReasons => own("declared rejection reason", &self.rejection_reasons),
        }
    }
}
