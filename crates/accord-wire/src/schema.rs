//! The schema's names: every line type and its fields, in the order
//! `write_event` writes them. The one list both directions use (the reader
//! refuses any other field, the writer's order is tested against it).
//! `docs/wire.md` describes each field.

use accord_core::contract::FileKind;
use accord_core::event::EventKind;

/// Fields every line may have, before its type's own.
pub const HEADER: [&str; 3] = ["v", "type", "origin"];

/// What a line's `"type"` names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineType {
    Event(EventKind),
    Accept,
    Qualify,
    Reject,
    Reassign,
}

impl LineType {
    /// Every type, events in `EventKind` order, then the actions.
    pub const ALL: [LineType; 23] = [
        LineType::Event(EventKind::AccountRecorded),
        LineType::Event(EventKind::RepRecorded),
        LineType::Event(EventKind::CampaignRecorded),
        LineType::Event(EventKind::ContentPublished),
        LineType::Event(EventKind::TargetSet),
        LineType::Event(EventKind::LeadCreated),
        LineType::Event(EventKind::Touched),
        LineType::Event(EventKind::StageChanged),
        LineType::Event(EventKind::OpportunityCreated),
        LineType::Event(EventKind::OpportunityClosed),
        LineType::Event(EventKind::AgreementAdopted),
        LineType::Event(EventKind::OwnerAssigned),
        LineType::Event(EventKind::AccountMatched),
        LineType::Event(EventKind::RepAway),
        LineType::Event(EventKind::ClockBreached),
        LineType::Event(EventKind::MqlTargetMissed),
        LineType::Event(EventKind::AcceptanceMissed),
        LineType::Event(EventKind::Escalated),
        LineType::Event(EventKind::ModelAdopted),
        LineType::Accept,
        LineType::Qualify,
        LineType::Reject,
        LineType::Reassign,
    ];

    /// The `"type"` word: an event kind's `as_str`, or the action's verb.
    pub fn name(self) -> &'static str {
        match self {
            LineType::Event(kind) => kind.as_str(),
            LineType::Accept => "accept",
            LineType::Qualify => "qualify",
            LineType::Reject => "reject",
            LineType::Reassign => "reassign",
        }
    }

    pub fn parse(word: &str) -> Option<LineType> {
        LineType::ALL.into_iter().find(|t| t.name() == word)
    }

    /// Is it a decision (the engine's or a person's), written by export but
    /// never taken as an input?
    pub fn is_decision(self) -> bool {
        matches!(
            self,
            LineType::Event(
                EventKind::AgreementAdopted
                    | EventKind::OwnerAssigned
                    | EventKind::AccountMatched
                    | EventKind::ClockBreached
                    | EventKind::MqlTargetMissed
                    | EventKind::AcceptanceMissed
                    | EventKind::Escalated
                    | EventKind::ModelAdopted
            )
        )
    }

    /// The type's own fields, in the written order.
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            LineType::Event(kind) => event_fields(kind),
            LineType::Accept | LineType::Qualify => DECISION,
            LineType::Reject => REJECT,
            LineType::Reassign => REASSIGN,
        }
    }
}

/// An event kind's fields, in the written order: for a record of the CSV
/// contract, its columns (an opportunity's line holds the creation only).
pub fn event_fields(kind: EventKind) -> &'static [&'static str] {
    match kind {
        EventKind::AccountRecorded => FileKind::Accounts.columns(),
        EventKind::RepRecorded => FileKind::Reps.columns(),
        EventKind::CampaignRecorded => FileKind::Campaigns.columns(),
        EventKind::ContentPublished => FileKind::Content.columns(),
        EventKind::TargetSet => FileKind::Targets.columns(),
        EventKind::LeadCreated => FileKind::Leads.columns(),
        EventKind::Touched => FileKind::Touches.columns(),
        EventKind::StageChanged => FileKind::Transitions.columns(),
        EventKind::OpportunityCreated => &[
            "opportunity_id",
            "account_id",
            "primary_lead_id",
            "owner_rep_id",
            "kind",
            "created_at",
            "amount_usd",
        ],
        EventKind::OpportunityClosed => &["opportunity_id", "stage", "closed_at", "lost_reason"],
        EventKind::AgreementAdopted => &["version", "digest", "text", "adopted_at", "by"],
        EventKind::OwnerAssigned => &[
            "assignment_id",
            "lead_id",
            "rep_id",
            "rule",
            "assigned_at",
            "tried",
            "eligible",
        ],
        EventKind::AccountMatched => &[
            "lead_id",
            "account_id",
            "confidence",
            "how",
            "evidence",
            "matched_at",
        ],
        EventKind::RepAway => &["away_id", "rep_id", "from", "until"],
        EventKind::ClockBreached => &["breach_id", "lead_id", "entry_id", "clock", "rep_id", "due"],
        EventKind::MqlTargetMissed => &[
            "miss_id",
            "region",
            "month",
            "mql_target",
            "mqls",
            "judged_at",
        ],
        EventKind::AcceptanceMissed => &[
            "miss_id",
            "region",
            "month",
            "accepted",
            "decided",
            "judged_at",
        ],
        EventKind::ModelAdopted => &[
            "number",
            "model_version",
            "digest",
            "artifact",
            "adopted_at",
            "by",
        ],
        EventKind::Escalated => &[
            "escalation_id",
            "step",
            "on",
            "cause",
            "lead_id",
            "region",
            "month",
            "notify",
            "person",
            "at",
        ],
    }
}

const DECISION: &[&str] = &["transition_id", "lead_id", "rep_id", "occurred_at", "by"];
const REJECT: &[&str] = &[
    "transition_id",
    "lead_id",
    "rep_id",
    "occurred_at",
    "reason",
    "by",
];
const REASSIGN: &[&str] = &["assignment_id", "lead_id", "rep_id", "occurred_at", "by"];

/// The fields of one item of an `owner_assigned` line's `tried` list.
pub const RULE_TRIED: &[&str] = &["rule", "matched", "excluded"];
/// The fields of one item of a `tried` item's `excluded` list.
pub const EXCLUDED: &[&str] = &["rep_id", "why"];
