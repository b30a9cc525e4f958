//! What a rule reads, from the engine's rows: one [`RuleScope`] per
//! evaluation, whose fields are read on demand (a score is computed only
//! when a rule reads it).

use accord_core::agreement::Agreement;
use accord_core::expr::{
    Expr, FieldType, Object, Scope, Val, Var, ACCOUNT, EVENT, LEAD, REP, TOUCH,
};

use crate::fields::{
    AccountKey, EventKey, LeadKey, RepKey, TouchKey, ACCOUNT_KEYS, EVENT_KEYS, LEAD_KEYS, REP_KEYS,
    TOUCH_KEYS,
};
use crate::state::{State, TouchRow, NONE};

/// The event a stage criterion reacts to.
#[derive(Clone, Copy, Debug)]
pub(crate) struct EventRec<'a> {
    pub kind: &'static str,
    pub reason: &'a str,
    pub rep: &'a str,
    pub at: i64,
}

/// The records one evaluation sees.
#[derive(Clone, Copy)]
pub(crate) struct RuleScope<'a> {
    pub state: &'a State,
    pub agreement: &'a Agreement,
    pub lead: u32,
    pub touch: Option<&'a TouchRow>,
    pub rep: u32,
    pub event: Option<EventRec<'a>>,
    pub now: i64,
    /// Inside a scoring or persona rule the scores read 0: a score cannot
    /// depend on itself.
    pub scores: bool,
    /// Inside a persona rule `lead.persona` reads the persona the lead
    /// gave ('' when none): the classification cannot depend on itself.
    pub classifying: bool,
}

impl<'a> RuleScope<'a> {
    pub(crate) fn new(state: &'a State, agreement: &'a Agreement, lead: u32, now: i64) -> Self {
        RuleScope {
            state,
            agreement,
            lead,
            touch: None,
            rep: NONE,
            event: None,
            now,
            scores: true,
            classifying: false,
        }
    }

    pub(crate) fn field(&self, var: Var, field: usize) -> Val<'a> {
        match var {
            Var::Lead => match LEAD_KEYS.get(field).copied().flatten() {
                Some(k) => self.lead_field(k, field),
                None => zero(&LEAD, field),
            },
            Var::Account => match ACCOUNT_KEYS.get(field).copied().flatten() {
                Some(k) => self.account_field(k, field),
                None => zero(&ACCOUNT, field),
            },
            Var::Touch => match TOUCH_KEYS.get(field).copied().flatten() {
                Some(k) => self.touch_field(k, field),
                None => zero(&TOUCH, field),
            },
            Var::Rep => match REP_KEYS.get(field).copied().flatten() {
                Some(k) => self.rep_field(k, field),
                None => zero(&REP, field),
            },
            Var::Event => match EVENT_KEYS.get(field).copied().flatten() {
                Some(k) => self.event_field(k, field),
                None => zero(&EVENT, field),
            },
            Var::Now => Val::Timestamp(self.now),
            Var::MqlThreshold => Val::Int(i64::from(self.agreement.mql_threshold())),
        }
    }

    fn account_row(&self) -> u32 {
        if self.lead == NONE {
            return NONE;
        }
        self.state.leads[self.lead as usize].account
    }

    fn lead_field(&self, key: LeadKey, field: usize) -> Val<'a> {
        let s = |x: Option<&'a str>| Val::Str(x.unwrap_or(""));
        if self.lead == NONE {
            return zero(&LEAD, field);
        }
        let row = &self.state.leads[self.lead as usize];
        let l = &row.lead;
        let account = self.state.account(row.account);
        match key {
            LeadKey::Id => Val::Str(l.id.as_str()),
            LeadKey::Email => Val::Str(l.email.as_str()),
            LeadKey::EmailDomain => Val::Str(&row.email_domain),
            LeadKey::FreeMail => Val::Bool(row.free_mail),
            LeadKey::FullName => s(l.full_name.as_ref().map(|t| t.as_str())),
            LeadKey::Title => s(l.title.as_ref().map(|t| t.as_str())),
            LeadKey::Seniority => Val::Str(l.seniority.as_str()),
            LeadKey::Persona if self.classifying => s(l.persona.as_ref().map(|p| p.as_str())),
            LeadKey::Persona => {
                Val::Str(crate::score::persona(self.state, self.agreement, self.lead))
            }
            LeadKey::CompanyName => s(l.company_name.as_ref().map(|t| t.as_str())),
            LeadKey::Website => s(l.website.as_ref().map(|t| t.as_str())),
            LeadKey::Employees => Val::Int(
                l.employees_reported
                    .or_else(|| account.and_then(|a| a.employees))
                    .unwrap_or(0),
            ),
            LeadKey::Industry => s(l
                .industry_reported
                .or_else(|| account.map(|a| a.industry))
                .map(|i| i.as_str())),
            LeadKey::Country => Val::Str(l.country.as_str()),
            LeadKey::Region => Val::Str(l.region.as_str()),
            LeadKey::SourceChannel => Val::Str(l.source_channel.as_str()),
            LeadKey::SourceCampaignId => s(l.source_campaign.as_ref().map(|c| c.as_str())),
            LeadKey::CreatedAt => Val::Timestamp(l.created_at.unix_seconds()),
            LeadKey::Stage => Val::Str(row.stage.as_str()),
            LeadKey::FitScore | LeadKey::EngagementScore | LeadKey::Score if !self.scores => {
                Val::Int(0)
            }
            LeadKey::FitScore => Val::Int(crate::score::fit(self.state, self.agreement, self.lead)),
            LeadKey::EngagementScore => Val::Int(crate::score::engagement(
                self.state,
                self.agreement,
                self.lead,
                self.now,
            )),
            LeadKey::Score => Val::Int(crate::score::score(
                self.state,
                self.agreement,
                self.lead,
                self.now,
            )),
            LeadKey::AccountId => s(account.map(|a| a.id.as_str())),
            LeadKey::Predicted => Val::Double(crate::predict::predicted(self.state, self.lead)),
        }
    }

    fn account_field(&self, key: AccountKey, field: usize) -> Val<'a> {
        let Some(a) = self.state.account(self.account_row()) else {
            return zero(&ACCOUNT, field);
        };
        match key {
            AccountKey::Id => Val::Str(a.id.as_str()),
            AccountKey::Name => Val::Str(a.name.as_str()),
            AccountKey::Domain => Val::Str(a.domain.as_str()),
            AccountKey::Industry => Val::Str(a.industry.as_str()),
            AccountKey::Employees => Val::Int(a.employees.unwrap_or(0)),
            AccountKey::AnnualRevenueUsd => {
                Val::Double(a.annual_revenue.map_or(0.0, |m| m.cents() as f64 / 100.0))
            }
            AccountKey::Country => Val::Str(a.country.as_str()),
            AccountKey::Region => Val::Str(a.region.as_str()),
            AccountKey::Tier => Val::Str(a.tier.as_str()),
            AccountKey::OwnerRepId => Val::Str(a.owner_rep.as_ref().map_or("", |r| r.as_str())),
            AccountKey::Named => Val::Bool(a.owner_rep.is_some()),
        }
    }

    fn touch_field(&self, key: TouchKey, field: usize) -> Val<'a> {
        let Some(t) = self.touch else {
            return zero(&TOUCH, field);
        };
        let names = &self.state.names;
        let content = || self.state.content_of(t);
        let s = |x: Option<&'a str>| Val::Str(x.unwrap_or(""));
        match key {
            TouchKey::Kind => Val::Str(t.kind.as_str()),
            TouchKey::Channel => s(t.channel.map(|c| c.as_str())),
            TouchKey::CampaignId => s(names.name(self.state.names_of(t).campaign)),
            TouchKey::ContentId => s(names.name(self.state.names_of(t).content)),
            TouchKey::RepId => s(names.name(self.state.names_of(t).rep)),
            TouchKey::OccurredAt => Val::Timestamp(t.at),
            TouchKey::ContentKind => s(content().map(|c| c.kind.as_str())),
            TouchKey::JourneyStage => s(content().map(|c| c.journey_stage.as_str())),
            TouchKey::Persona => s(content().map(|c| c.persona.as_str())),
        }
    }

    fn rep_field(&self, key: RepKey, field: usize) -> Val<'a> {
        let Some(r) = self.state.rep(self.rep) else {
            return zero(&REP, field);
        };
        match key {
            RepKey::Id => Val::Str(r.id.as_str()),
            RepKey::Team => Val::Str(r.team.as_str()),
            RepKey::Region => Val::Str(r.region.as_str()),
            RepKey::Vertical => Val::Str(r.vertical.map_or("", |v| v.as_str())),
            RepKey::CapacityPerDay => Val::Int(i64::from(r.capacity_per_day)),
        }
    }

    fn event_field(&self, key: EventKey, field: usize) -> Val<'a> {
        let Some(e) = self.event else {
            return zero(&EVENT, field);
        };
        match key {
            EventKey::Kind => Val::Str(e.kind),
            EventKey::Reason => Val::Str(e.reason),
            EventKey::RepId => Val::Str(e.rep),
            EventKey::OccurredAt => Val::Timestamp(e.at),
        }
    }

    /// Does `expr` hold here? A rule that fails while evaluated (an
    /// overflow: the checker let everything else through) does not hold.
    pub(crate) fn holds(&self, expr: &Expr) -> bool {
        let threshold = i64::from(self.agreement.mql_threshold());
        expr.test(self, threshold).unwrap_or(false)
    }
}

impl Scope for RuleScope<'_> {
    fn field(&self, var: Var, field: usize) -> Val<'_> {
        RuleScope::field(self, var, field)
    }
    fn now(&self) -> i64 {
        self.now
    }
}

/// The zero value of the field at `field` of `object` (an absent record
/// reads as all zeros).
fn zero(object: &Object, field: usize) -> Val<'static> {
    match object.fields.get(field).map(|f| f.ty) {
        Some(FieldType::Bool) => Val::Bool(false),
        Some(FieldType::Int) => Val::Int(0),
        Some(FieldType::Double) => Val::Double(0.0),
        Some(FieldType::Timestamp) => Val::Timestamp(0),
        Some(FieldType::String) | None => Val::Str(""),
    }
}
