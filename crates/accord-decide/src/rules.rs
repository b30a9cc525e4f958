//! What a rule reads, from the engine's rows: one [`RuleScope`] per
//! evaluation, whose fields are read on demand (a score is computed only
//! when a rule reads it).

use accord_core::agreement::Agreement;
use accord_core::expr::{Expr, Scope, Val, Var, ACCOUNT, EVENT, LEAD, REP, TOUCH};

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
            Var::Lead => self.lead_field(LEAD.fields[field].name),
            Var::Account => self.account_field(ACCOUNT.fields[field].name),
            Var::Touch => self.touch_field(TOUCH.fields[field].name),
            Var::Rep => self.rep_field(REP.fields[field].name),
            Var::Event => self.event_field(EVENT.fields[field].name),
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

    fn lead_field(&self, name: &str) -> Val<'a> {
        let s = |x: Option<&'a str>| Val::Str(x.unwrap_or(""));
        if self.lead == NONE {
            return zero(&LEAD, name);
        }
        let row = &self.state.leads[self.lead as usize];
        let l = &row.lead;
        let account = self.state.account(row.account);
        match name {
            "id" => Val::Str(l.id.as_str()),
            "email" => Val::Str(l.email.as_str()),
            "email_domain" => Val::Str(&row.email_domain),
            "free_mail" => Val::Bool(row.free_mail),
            "full_name" => s(l.full_name.as_ref().map(|t| t.as_str())),
            "title" => s(l.title.as_ref().map(|t| t.as_str())),
            "seniority" => Val::Str(l.seniority.as_str()),
            "persona" if self.classifying => s(l.persona.as_ref().map(|p| p.as_str())),
            "persona" => Val::Str(crate::score::persona(self.state, self.agreement, self.lead)),
            "company_name" => s(l.company_name.as_ref().map(|t| t.as_str())),
            "website" => s(l.website.as_ref().map(|t| t.as_str())),
            "employees" => Val::Int(
                l.employees_reported
                    .or_else(|| account.and_then(|a| a.employees))
                    .unwrap_or(0),
            ),
            "industry" => s(l
                .industry_reported
                .or_else(|| account.map(|a| a.industry))
                .map(|i| i.as_str())),
            "country" => Val::Str(l.country.as_str()),
            "region" => Val::Str(l.region.as_str()),
            "source_channel" => Val::Str(l.source_channel.as_str()),
            "source_campaign_id" => s(l.source_campaign.as_ref().map(|c| c.as_str())),
            "created_at" => Val::Timestamp(l.created_at.unix_seconds()),
            "stage" => Val::Str(row.stage.as_str()),
            "fit_score" | "engagement_score" | "score" if !self.scores => Val::Int(0),
            "fit_score" => Val::Int(crate::score::fit(self.state, self.agreement, self.lead)),
            "engagement_score" => Val::Int(crate::score::engagement(
                self.state,
                self.agreement,
                self.lead,
                self.now,
            )),
            "score" => Val::Int(crate::score::score(
                self.state,
                self.agreement,
                self.lead,
                self.now,
            )),
            "account_id" => s(account.map(|a| a.id.as_str())),
            _ => zero(&LEAD, name),
        }
    }

    fn account_field(&self, name: &str) -> Val<'a> {
        let Some(a) = self.state.account(self.account_row()) else {
            return zero(&ACCOUNT, name);
        };
        match name {
            "id" => Val::Str(a.id.as_str()),
            "name" => Val::Str(a.name.as_str()),
            "domain" => Val::Str(a.domain.as_str()),
            "industry" => Val::Str(a.industry.as_str()),
            "employees" => Val::Int(a.employees.unwrap_or(0)),
            "annual_revenue_usd" => {
                Val::Double(a.annual_revenue.map_or(0.0, |m| m.cents() as f64 / 100.0))
            }
            "country" => Val::Str(a.country.as_str()),
            "region" => Val::Str(a.region.as_str()),
            "tier" => Val::Str(a.tier.as_str()),
            "owner_rep_id" => Val::Str(a.owner_rep.as_ref().map_or("", |r| r.as_str())),
            "named" => Val::Bool(a.owner_rep.is_some()),
            _ => zero(&ACCOUNT, name),
        }
    }

    fn touch_field(&self, name: &str) -> Val<'a> {
        let Some(t) = self.touch else {
            return zero(&TOUCH, name);
        };
        let names = &self.state.names;
        let content = || self.state.content_of(t);
        let s = |x: Option<&'a str>| Val::Str(x.unwrap_or(""));
        match name {
            "kind" => Val::Str(t.kind.as_str()),
            "channel" => s(t.channel.map(|c| c.as_str())),
            "campaign_id" => s(names.name(t.campaign)),
            "content_id" => s(names.name(t.content)),
            "rep_id" => s(names.name(t.rep)),
            "occurred_at" => Val::Timestamp(t.at),
            "content_kind" => s(content().map(|c| c.kind.as_str())),
            "journey_stage" => s(content().map(|c| c.journey_stage.as_str())),
            "persona" => s(content().map(|c| c.persona.as_str())),
            _ => zero(&TOUCH, name),
        }
    }

    fn rep_field(&self, name: &str) -> Val<'a> {
        let Some(r) = self.state.rep(self.rep) else {
            return zero(&REP, name);
        };
        match name {
            "id" => Val::Str(r.id.as_str()),
            "team" => Val::Str(r.team.as_str()),
            "region" => Val::Str(r.region.as_str()),
            "vertical" => Val::Str(r.vertical.map_or("", |v| v.as_str())),
            "capacity_per_day" => Val::Int(i64::from(r.capacity_per_day)),
            _ => zero(&REP, name),
        }
    }

    fn event_field(&self, name: &str) -> Val<'a> {
        let Some(e) = self.event else {
            return zero(&EVENT, name);
        };
        match name {
            "kind" => Val::Str(e.kind),
            "reason" => Val::Str(e.reason),
            "rep_id" => Val::Str(e.rep),
            "occurred_at" => Val::Timestamp(e.at),
            _ => zero(&EVENT, name),
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

/// The zero value of a field (an absent record reads as all zeros).
fn zero(object: &accord_core::expr::Object, name: &str) -> Val<'static> {
    use accord_core::expr::FieldType;
    match object.field(name).map(|(_, f)| f.ty) {
        Some(FieldType::Bool) => Val::Bool(false),
        Some(FieldType::Int) => Val::Int(0),
        Some(FieldType::Double) => Val::Double(0.0),
        Some(FieldType::Timestamp) => Val::Timestamp(0),
        Some(FieldType::String) | None => Val::Str(""),
    }
}
