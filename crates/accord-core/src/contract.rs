//! The kit's CSV contract in one place: its files, their order and their
//! columns. The importer reads by it, the generator writes by it, and the
//! wire format's lines for these records carry the same field names.

use crate::event::EventKind;

/// One file of the contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    Reps,
    Accounts,
    Campaigns,
    Content,
    Leads,
    Touches,
    Transitions,
    Opportunities,
    Targets,
}

impl FileKind {
    /// Import order: every file comes after the files it references
    /// (accounts name an owner rep, so reps come first).
    pub const ORDER: [FileKind; 9] = [
        FileKind::Reps,
        FileKind::Accounts,
        FileKind::Campaigns,
        FileKind::Content,
        FileKind::Leads,
        FileKind::Touches,
        FileKind::Transitions,
        FileKind::Opportunities,
        FileKind::Targets,
    ];

    pub fn file_name(self) -> &'static str {
        match self {
            FileKind::Reps => "reps.csv",
            FileKind::Accounts => "accounts.csv",
            FileKind::Campaigns => "campaigns.csv",
            FileKind::Content => "content.csv",
            FileKind::Leads => "leads.csv",
            FileKind::Touches => "touches.csv",
            FileKind::Transitions => "transitions.csv",
            FileKind::Opportunities => "opportunities.csv",
            FileKind::Targets => "targets.csv",
        }
    }

    /// The kind of the event a row's id names (targets have no id).
    pub fn event_kind(self) -> Option<EventKind> {
        match self {
            FileKind::Reps => Some(EventKind::RepRecorded),
            FileKind::Accounts => Some(EventKind::AccountRecorded),
            FileKind::Campaigns => Some(EventKind::CampaignRecorded),
            FileKind::Content => Some(EventKind::ContentPublished),
            FileKind::Leads => Some(EventKind::LeadCreated),
            FileKind::Touches => Some(EventKind::Touched),
            FileKind::Transitions => Some(EventKind::StageChanged),
            FileKind::Opportunities => Some(EventKind::OpportunityCreated),
            FileKind::Targets => None,
        }
    }

    /// The header, column by column, in the contract's order.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            FileKind::Reps => &[
                "rep_id",
                "name",
                "email",
                "team",
                "region",
                "vertical",
                "manager_id",
                "capacity_per_day",
                "hired_at",
            ],
            FileKind::Accounts => &[
                "account_id",
                "name",
                "domain",
                "industry",
                "employees",
                "annual_revenue_usd",
                "country",
                "region",
                "tier",
                "owner_rep_id",
                "created_at",
            ],
            FileKind::Campaigns => &[
                "campaign_id",
                "name",
                "channel",
                "started_at",
                "ended_at",
                "cost_usd",
            ],
            FileKind::Content => &[
                "content_id",
                "title",
                "kind",
                "persona",
                "journey_stage",
                "published_at",
                "owner_team",
            ],
            FileKind::Leads => &[
                "lead_id",
                "email",
                "full_name",
                "title",
                "seniority",
                "persona",
                "company_name",
                "website",
                "employees_reported",
                "industry_reported",
                "country",
                "region",
                "source_channel",
                "source_campaign_id",
                "created_at",
                "account_id",
            ],
            FileKind::Touches => &[
                "touch_id",
                "lead_id",
                "occurred_at",
                "kind",
                "channel",
                "campaign_id",
                "content_id",
                "rep_id",
            ],
            FileKind::Transitions => &[
                "transition_id",
                "lead_id",
                "from_stage",
                "to_stage",
                "occurred_at",
                "rep_id",
                "reason",
            ],
            FileKind::Opportunities => &[
                "opportunity_id",
                "account_id",
                "primary_lead_id",
                "owner_rep_id",
                "kind",
                "created_at",
                "stage",
                "closed_at",
                "amount_usd",
                "lost_reason",
            ],
            FileKind::Targets => &["region", "month", "mql_target"],
        }
    }
}
