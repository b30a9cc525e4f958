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
//! what happened by the cut-off, and [`row`] turns those facts, the
//! lead and its account as of the cut-off into a feature row. The
//! [`Collector`] feeds them from the log's events (training, from a scan);
//! [`of_history`] feeds them from the engine's rows of one lead (a live
//! prediction, and `lead.predicted` in the agreement's rules).

use std::collections::HashMap;
use std::sync::LazyLock;

use accord_core::domain::{Named, Stage, TouchKind, Vocabulary};
use accord_core::event::{Account, Event, Lead};
use accord_model::table::{Column, Frame, Interner, Kind};
use accord_model::Cell;

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
        let mut cols = Columns::new();
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
            cols.push(self::row(&row.lead, &row.facts, account));
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

/// What happened to a lead by its cut-off, from the engine's rows of it.
fn facts_of(h: &LeadHistory<'_>, params: &Params) -> CutoffFacts {
    let l = h.lead();
    let mut facts = CutoffFacts::new(cutoff_of(l, params));
    // The match counts only for a lead created without an account
    // (`CutoffFacts::account_id`): decoded only then.
    if l.account.is_none() {
        if let Some(m) = h.matched() {
            facts.take_match(m.matched_at.unix_seconds(), m.account.as_str());
        }
    }
    for (at, kind, campaign) in h.touches() {
        facts.take_touch(at, kind, campaign);
    }
    for (at, to) in h.stages() {
        facts.take_stage(at, to);
    }
    facts
}

/// The features of one lead from the engine's rows of it, as a frame of
/// one row: the same facts (`CutoffFacts`, fed from the engine's rows
/// instead of the log) and the same row ([`row`]) as training reads.
pub fn of_history(h: &LeadHistory<'_>, params: &Params) -> Frame {
    let mut cols = Columns::new();
    cols.push(row_of(h, params));
    cols.finish()
}

/// [`of_history`] as cells in [`names`] order, without a frame (what
/// `lead.predicted` is computed from).
pub fn row_of<'a>(h: &LeadHistory<'a>, params: &Params) -> [Cell<'a>; WIDTH] {
    let l = h.lead();
    let facts = facts_of(h, params);
    let account = facts.account_id(l).and_then(|a| h.account(a));
    row(l, &facts, account)
}

/// [`of_history`] of lead `lead` of `engine`; `None` when the engine knows
/// no such lead.
pub fn of_engine(engine: &crate::Engine, params: &Params, lead: &str) -> Option<Frame> {
    Some(of_history(&engine.lead_history(lead)?, params))
}

/// How many features a lead has.
pub const WIDTH: usize = 20 + TouchKind::ALL.len();

/// The features' names and kinds, in the order [`row`] gives them.
static COLUMNS: LazyLock<Vec<(String, Kind)>> = LazyLock::new(|| {
    use Kind::{Categorical as C, Numeric as N};
    let head = [
        ("seniority", C),
        ("persona", C),
        ("industry", C),
        ("employees", N),
        ("country", C),
        ("region", C),
        ("source_channel", C),
        ("source_campaign", C),
        ("has_title", N),
        ("has_company", N),
        ("created_weekday", C),
        ("account_industry", C),
        ("account_employees", N),
        ("account_revenue", N),
        ("account_tier", C),
    ];
    let tail = [
        ("touches", N),
        ("sales_touches", N),
        ("campaigns_touched", N),
        ("hours_to_first_touch", N),
        ("stage_at_cutoff", C),
    ];
    let named = |list: &[(&str, Kind)]| -> Vec<(String, Kind)> {
        list.iter().map(|&(n, k)| (n.to_owned(), k)).collect()
    };
    let mut all = named(&head);
    all.extend(
        TouchKind::ALL
            .iter()
            .map(|k| (format!("touches_{}", k.word()), N)),
    );
    all.extend(named(&tail));
    assert_eq!(all.len(), WIDTH);
    all
});

/// The features' names, in the order [`row`] gives them.
pub fn names() -> Vec<&'static str> {
    COLUMNS.iter().map(|(n, _)| n.as_str()).collect()
}

/// A row of every feature missing, each of its column's kind.
pub fn blank() -> [Cell<'static>; WIDTH] {
    let mut out = [Cell::Number(f64::NAN); WIDTH];
    for (cell, (_, kind)) in out.iter_mut().zip(COLUMNS.iter()) {
        if *kind == Kind::Categorical {
            *cell = Cell::Level(None);
        }
    }
    out
}

const WEEKDAYS: [&str; 7] = ["thu", "fri", "sat", "sun", "mon", "tue", "wed"];

/// The one definition of a lead's feature row: its fields at creation,
/// `facts` (what happened by its cut-off) and `account`, its account's
/// record, read only when created by the cut-off.
pub fn row<'a>(
    l: &'a Lead,
    facts: &CutoffFacts,
    account: Option<&'a Account>,
) -> [Cell<'a>; WIDTH] {
    let cutoff = facts.cutoff;
    let account = account.filter(|a| a.created_at.unix_seconds() <= cutoff);
    let level = Cell::Level;
    let number = Cell::Number;
    let bit = |b: bool| number(f64::from(u8::from(b)));
    let days = l.created_at.unix_seconds().div_euclid(DAY);
    let mut out = [number(f64::NAN); WIDTH];
    let head = [
        level(Some(l.seniority.word())),
        level(l.persona.as_ref().map(Named::as_str)),
        level(l.industry_reported.map(|i| i.word())),
        number(l.employees_reported.map_or(f64::NAN, |e| e as f64)),
        level(Some(l.country.as_str())),
        level(Some(l.region.word())),
        level(Some(l.source_channel.word())),
        level(l.source_campaign.as_ref().map(|c| c.as_str())),
        bit(l.title.is_some()),
        bit(l.company_name.is_some()),
        level(Some(WEEKDAYS[days.rem_euclid(7) as usize])),
        level(account.map(|a| a.industry.word())),
        number(
            account
                .and_then(|a| a.employees)
                .map_or(f64::NAN, |e| e as f64),
        ),
        number(
            account
                .and_then(|a| a.annual_revenue)
                .map_or(f64::NAN, |m| m.cents() as f64 / 100.0),
        ),
        level(account.map(|a| a.tier.word())),
    ];
    out[..head.len()].copy_from_slice(&head);
    let mut all = 0u32;
    let mut sales = 0u32;
    for (i, k) in TouchKind::ALL.iter().enumerate() {
        let n = facts.touches[k.code() as usize];
        out[head.len() + i] = number(f64::from(n));
        all += n;
        if k.is_sales() {
            sales += n;
        }
    }
    debug_assert!(facts.first_touch.is_none_or(|t| t <= cutoff));
    let tail = [
        number(f64::from(all)),
        number(f64::from(sales)),
        number(facts.campaigns.len() as f64),
        number(facts.first_touch.map_or(f64::NAN, |t| {
            (t - l.created_at.unix_seconds()) as f64 / 3600.0
        })),
        level(
            Stage::ALL
                .get(usize::from(facts.stage_rank))
                .map(|s| s.word()),
        ),
    ];
    out[WIDTH - tail.len()..].copy_from_slice(&tail);
    out
}

/// One feature column, filled lead by lead.
enum Builder {
    Levels(Interner),
    Numbers(Vec<f64>),
}

/// The feature columns, filled lead by lead.
pub(crate) struct Columns {
    columns: Vec<Builder>,
}

impl Columns {
    pub(crate) fn new() -> Columns {
        Columns {
            columns: COLUMNS
                .iter()
                .map(|(_, k)| match k {
                    Kind::Numeric => Builder::Numbers(Vec::new()),
                    Kind::Categorical => Builder::Levels(Interner::default()),
                })
                .collect(),
        }
    }

    /// One lead's row ([`row`]).
    pub(crate) fn push(&mut self, row: [Cell<'_>; WIDTH]) {
        for (b, cell) in self.columns.iter_mut().zip(row) {
            match (b, cell) {
                (Builder::Numbers(v), Cell::Number(x)) => v.push(x),
                (Builder::Levels(i), Cell::Level(l)) => i.push(l),
                _ => unreachable!("`row` gives each column its kind"),
            }
        }
    }

    pub(crate) fn finish(self) -> Frame {
        let mut f = Frame::default();
        for ((name, _), b) in COLUMNS.iter().zip(self.columns) {
            f.push(
                name,
                match b {
                    Builder::Numbers(v) => Column::Numeric(v),
                    Builder::Levels(i) => i.finish(),
                },
            );
        }
        f
    }
}
