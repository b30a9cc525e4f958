//! Each lead's features as known at its scoring time, and its outcome.
//!
//! The scoring time of a lead is its creation plus `cutoff_days`. A feature
//! reads only what the log says happened at or before it: the lead's fields
//! at creation, the account it was created with or matched to by then (if
//! created by then; the log holds one record per account and one match per
//! lead, one key one event), the touches and stage changes up to then. The
//! outcome (label) is whether the lead reached `stage` (or a later funnel
//! stage) within `within_days` of creation; a lead whose window had not
//! ended by the log's last event time has none (it is not used), and a lead
//! that reached the stage before its scoring time is left out (nothing left
//! to predict).
//!
//! One definition serves training and the live engine: [`CutoffFacts`]
//! takes a lead's touches, stage changes and account match, keeping only
//! what happened by the cut-off, and `Columns::push` turns those facts, the
//! lead and its account as of the cut-off into a feature row. The
//! [`Collector`] feeds them from the log's events (training, from a scan);
//! [`of_history`] feeds them from the engine's rows of one lead (a live
//! prediction, and `lead.predicted` in the agreement's rules).

use std::collections::HashMap;

use accord_core::domain::{Named, Stage, TouchKind, Vocabulary};
use accord_core::event::{Account, Event, Lead};
use accord_model::table::{Column, Frame, Interner};

use crate::history::LeadHistory;

const DAY: i64 = 86_400;

/// What is predicted and when.
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    pub stage: Named<Stage>,
    pub within_days: i64,
    pub cutoff_days: i64,
}

impl Params {
    /// Whether a transition to `to` reaches the predicted stage.
    pub fn reaches(&self, to: &Named<Stage>) -> bool {
        if to == &self.stage {
            return true;
        }
        match (
            self.stage.core().and_then(Stage::funnel_rank),
            to.core().and_then(Stage::funnel_rank),
        ) {
            (Some(want), Some(got)) => got >= want,
            _ => false,
        }
    }
}

/// What a lead's features read of its history: only what happened at or
/// before its cut-off (creation + `cutoff_days`). Each `take_*` ignores a
/// fact dated after it, so the order facts arrive in does not matter.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CutoffFacts {
    cutoff: i64,
    /// The account the engine matched the lead to, by the cut-off.
    matched: Option<String>,
    touches: [u32; TouchKind::ALL.len()],
    first_touch: Option<i64>,
    /// The campaigns touched, as numbers the feeder gives (one per id).
    campaigns: Vec<u32>,
    /// Highest funnel rank reached by the cut-off (0: `lead`).
    stage_rank: u8,
}

impl CutoffFacts {
    /// No fact yet about a lead whose cut-off is `cutoff` (Unix seconds).
    pub fn new(cutoff: i64) -> CutoffFacts {
        CutoffFacts {
            cutoff,
            ..CutoffFacts::default()
        }
    }

    pub fn cutoff(&self) -> i64 {
        self.cutoff
    }

    /// A match to `account` made at `at`; the first one by the cut-off counts.
    pub fn take_match(&mut self, at: i64, account: &str) {
        if at <= self.cutoff && self.matched.is_none() {
            self.matched = Some(account.to_owned());
        }
    }

    /// A touch of `kind` at `at`, of campaign number `campaign`.
    pub fn take_touch(&mut self, at: i64, kind: TouchKind, campaign: Option<u32>) {
        if at > self.cutoff {
            return;
        }
        self.touches[kind.code() as usize] += 1;
        self.first_touch = Some(self.first_touch.map_or(at, |f| f.min(at)));
        if let Some(c) = campaign {
            if !self.campaigns.contains(&c) {
                self.campaigns.push(c);
            }
        }
    }

    /// A stage change to `to` at `at`.
    pub fn take_stage(&mut self, at: i64, to: &Named<Stage>) {
        if at > self.cutoff {
            return;
        }
        if let Some(rank) = to.core().and_then(Stage::funnel_rank) {
            self.stage_rank = self.stage_rank.max(rank);
        }
    }

    /// The id of the lead's account as of the cut-off: the one it was
    /// created with, else the one matched by then.
    pub fn account_id<'a>(&'a self, lead: &'a Lead) -> Option<&'a str> {
        lead.account
            .as_ref()
            .map(|a| a.as_str())
            .or(self.matched.as_deref())
    }
}

/// The cut-off of `lead` under `params`.
pub fn cutoff_of(lead: &Lead, params: &Params) -> i64 {
    lead.created_at.unix_seconds() + params.cutoff_days * DAY
}

/// What is kept of a lead while the log is read.
#[derive(Clone, Debug)]
struct LeadRow {
    lead: Lead,
    facts: CutoffFacts,
    reached_at: Option<i64>,
}

/// Reads the log, event by event, into the leads' features.
#[derive(Debug)]
pub struct Collector {
    params: Params,
    accounts: HashMap<String, Account>,
    leads: Vec<LeadRow>,
    index: HashMap<String, usize>,
    /// Campaign ids as the numbers `CutoffFacts` keeps.
    campaigns: HashMap<String, u32>,
    /// The latest time any event carries: the log's end.
    end: i64,
}

/// The leads' features and outcomes, in order of creation.
#[derive(Debug)]
pub struct Dataset {
    pub leads: Vec<String>,
    pub created: Vec<i64>,
    pub frame: Frame,
    /// `None`: the window had not ended (or the stage was reached before
    /// the scoring time).
    pub label: Vec<Option<bool>>,
    pub end: i64,
}

impl Collector {
    pub fn new(params: Params) -> Collector {
        Collector {
            params,
            accounts: HashMap::new(),
            leads: Vec::new(),
            index: HashMap::new(),
            campaigns: HashMap::new(),
            end: i64::MIN,
        }
    }

    pub fn apply(&mut self, event: &Event) {
        let at = event_time(event);
        if let Some(t) = at {
            self.end = self.end.max(t);
        }
        match event {
            Event::AccountRecorded(a) => {
                // The latest record, as the engine keeps it.
                self.accounts.insert(a.id.as_str().to_owned(), a.clone());
            }
            Event::LeadCreated(l) => {
                let id = l.id.as_str().to_owned();
                if self.index.contains_key(&id) {
                    return;
                }
                self.index.insert(id, self.leads.len());
                self.leads.push(LeadRow {
                    lead: l.clone(),
                    facts: CutoffFacts::new(cutoff_of(l, &self.params)),
                    reached_at: None,
                });
            }
            Event::AccountMatched(m) => {
                if let Some(&r) = self.index.get(m.lead.as_str()) {
                    let f = &mut self.leads[r].facts;
                    f.take_match(m.matched_at.unix_seconds(), m.account.as_str());
                }
            }
            Event::Touched(t) => {
                let Some(&r) = self.index.get(t.lead.as_str()) else {
                    return;
                };
                let campaign = t.campaign.as_ref().map(|c| {
                    let next = self.campaigns.len() as u32;
                    *self.campaigns.entry(c.as_str().to_owned()).or_insert(next)
                });
                let f = &mut self.leads[r].facts;
                f.take_touch(t.occurred_at.unix_seconds(), t.kind, campaign);
            }
            Event::StageChanged(s) => {
                let Some(&r) = self.index.get(s.lead.as_str()) else {
                    return;
                };
                let when = s.occurred_at.unix_seconds();
                let row = &mut self.leads[r];
                if self.params.reaches(&s.to) {
                    row.reached_at = Some(row.reached_at.map_or(when, |t| t.min(when)));
                }
                row.facts.take_stage(when, &s.to);
            }
            _ => {}
        }
    }

    /// The features and outcomes of every lead, by creation time then id.
    pub fn finish(self) -> Dataset {
        let mut order: Vec<usize> = (0..self.leads.len()).collect();
        order.sort_by(|&a, &b| {
            let (la, lb) = (&self.leads[a].lead, &self.leads[b].lead);
            la.created_at
                .cmp(&lb.created_at)
                .then(la.id.as_str().cmp(lb.id.as_str()))
        });
        let p = &self.params;
        let mut cols = Columns::default();
        let mut label = Vec::with_capacity(order.len());
        let mut leads = Vec::with_capacity(order.len());
        let mut created = Vec::with_capacity(order.len());
        for &i in &order {
            let row = &self.leads[i];
            let c = row.lead.created_at.unix_seconds();
            let cutoff = row.facts.cutoff();
            let window_end = c + p.within_days * DAY;
            let account = row
                .facts
                .account_id(&row.lead)
                .and_then(|a| self.accounts.get(a));
            cols.push(&row.lead, &row.facts, account);
            label.push(match row.reached_at {
                Some(t) if t <= cutoff => None,
                Some(t) if t <= window_end => Some(true),
                _ if window_end <= self.end => Some(false),
                _ => None,
            });
            leads.push(row.lead.id.as_str().to_owned());
            created.push(c);
        }
        Dataset {
            leads,
            created,
            frame: cols.finish(),
            label,
            end: self.end,
        }
    }
}

fn event_time(e: &Event) -> Option<i64> {
    Some(match e {
        Event::LeadCreated(l) => l.created_at.unix_seconds(),
        Event::Touched(t) => t.occurred_at.unix_seconds(),
        Event::StageChanged(s) => s.occurred_at.unix_seconds(),
        Event::OpportunityCreated(o) => o.created_at.unix_seconds(),
        Event::OpportunityClosed(o) => o.closed_at.unix_seconds(),
        _ => return None,
    })
}

/// The features of one lead from the engine's rows of it, as a frame of
/// one row: the same facts (`CutoffFacts`, fed from the engine's rows
/// instead of the log) and the same row (`Columns::push`) as training reads.
pub fn of_history(h: &LeadHistory<'_>, params: &Params) -> Frame {
    let l = h.lead();
    let mut facts = CutoffFacts::new(cutoff_of(l, params));
    if let Some(m) = h.matched() {
        facts.take_match(m.matched_at.unix_seconds(), m.account.as_str());
    }
    for (at, kind, campaign) in h.touches() {
        facts.take_touch(at, kind, campaign);
    }
    for (at, to) in h.stages() {
        facts.take_stage(at, to);
    }
    let account = facts.account_id(l).and_then(|a| h.account(a));
    let mut cols = Columns::default();
    cols.push(l, &facts, account);
    cols.finish()
}

/// [`of_history`] of lead `lead` of `engine`; `None` when the engine knows
/// no such lead.
pub fn of_engine(engine: &crate::Engine, params: &Params, lead: &str) -> Option<Frame> {
    Some(of_history(&engine.lead_history(lead)?, params))
}

/// The feature columns, filled lead by lead.
#[derive(Default)]
pub(crate) struct Columns {
    seniority: Interner,
    persona: Interner,
    industry: Interner,
    employees: Vec<f64>,
    country: Interner,
    region: Interner,
    channel: Interner,
    campaign: Interner,
    has_title: Vec<f64>,
    has_company: Vec<f64>,
    weekday: Interner,
    account_industry: Interner,
    account_employees: Vec<f64>,
    account_revenue: Vec<f64>,
    account_tier: Interner,
    touches: Vec<Vec<f64>>,
    touches_all: Vec<f64>,
    sales_touches: Vec<f64>,
    campaigns: Vec<f64>,
    first_touch_hours: Vec<f64>,
    stage: Interner,
}

const WEEKDAYS: [&str; 7] = ["thu", "fri", "sat", "sun", "mon", "tue", "wed"];

impl Columns {
    /// The one definition of a lead's feature row: its fields at creation,
    /// `facts` (what happened by its cut-off) and `account`, its account's
    /// record, read only when created by the cut-off.
    fn push(&mut self, l: &Lead, row: &CutoffFacts, account: Option<&Account>) {
        let cutoff = row.cutoff;
        let account = account.filter(|a| a.created_at.unix_seconds() <= cutoff);
        self.seniority.push(Some(l.seniority.word()));
        self.persona.push(l.persona.as_ref().map(Named::as_str));
        self.industry.push(l.industry_reported.map(|i| i.word()));
        self.employees
            .push(l.employees_reported.map_or(f64::NAN, |e| e as f64));
        self.country.push(Some(l.country.as_str()));
        self.region.push(Some(l.region.word()));
        self.channel.push(Some(l.source_channel.word()));
        self.campaign
            .push(l.source_campaign.as_ref().map(|c| c.as_str()));
        self.has_title.push(f64::from(u8::from(l.title.is_some())));
        self.has_company
            .push(f64::from(u8::from(l.company_name.is_some())));
        let days = l.created_at.unix_seconds().div_euclid(DAY);
        self.weekday
            .push(Some(WEEKDAYS[days.rem_euclid(7) as usize]));
        self.account_industry
            .push(account.map(|a| a.industry.word()));
        self.account_employees.push(
            account
                .and_then(|a| a.employees)
                .map_or(f64::NAN, |e| e as f64),
        );
        self.account_revenue.push(
            account
                .and_then(|a| a.annual_revenue)
                .map_or(f64::NAN, |m| m.cents() as f64 / 100.0),
        );
        self.account_tier.push(account.map(|a| a.tier.word()));
        if self.touches.is_empty() {
            self.touches = vec![Vec::new(); TouchKind::ALL.len()];
        }
        let mut all = 0u32;
        let mut sales = 0u32;
        for (k, col) in TouchKind::ALL.iter().zip(&mut self.touches) {
            let n = row.touches[k.code() as usize];
            col.push(f64::from(n));
            all += n;
            if k.is_sales() {
                sales += n;
            }
        }
        self.touches_all.push(f64::from(all));
        self.sales_touches.push(f64::from(sales));
        self.campaigns.push(row.campaigns.len() as f64);
        self.first_touch_hours
            .push(row.first_touch.map_or(f64::NAN, |t| {
                (t - l.created_at.unix_seconds()) as f64 / 3600.0
            }));
        debug_assert!(row.first_touch.is_none_or(|t| t <= cutoff));
        self.stage.push(
            Stage::ALL
                .get(usize::from(row.stage_rank))
                .map(|s| s.word()),
        );
    }

    pub(crate) fn finish(self) -> Frame {
        let mut f = Frame::default();
        f.push("seniority", self.seniority.finish());
        f.push("persona", self.persona.finish());
        f.push("industry", self.industry.finish());
        f.push("employees", Column::Numeric(self.employees));
        f.push("country", self.country.finish());
        f.push("region", self.region.finish());
        f.push("source_channel", self.channel.finish());
        f.push("source_campaign", self.campaign.finish());
        f.push("has_title", Column::Numeric(self.has_title));
        f.push("has_company", Column::Numeric(self.has_company));
        f.push("created_weekday", self.weekday.finish());
        f.push("account_industry", self.account_industry.finish());
        f.push("account_employees", Column::Numeric(self.account_employees));
        f.push("account_revenue", Column::Numeric(self.account_revenue));
        f.push("account_tier", self.account_tier.finish());
        let touches = if self.touches.is_empty() {
            vec![Vec::new(); TouchKind::ALL.len()]
        } else {
            self.touches
        };
        for (k, col) in TouchKind::ALL.iter().zip(touches) {
            f.push(&format!("touches_{}", k.word()), Column::Numeric(col));
        }
        f.push("touches", Column::Numeric(self.touches_all));
        f.push("sales_touches", Column::Numeric(self.sales_touches));
        f.push("campaigns_touched", Column::Numeric(self.campaigns));
        f.push(
            "hours_to_first_touch",
            Column::Numeric(self.first_touch_hours),
        );
        f.push("stage_at_cutoff", self.stage.finish());
        f
    }
}
