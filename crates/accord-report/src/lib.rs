//! accord's closed-loop reports, computed from projections of the event log.
//!
//! # Shape
//!
//! The log is folded once into [`Projections`] ([`Projections::apply`] per
//! event, O(1) each): leads, touches and transitions as interned,
//! struct-of-arrays columns indexed by dense `u32`s, plus the per-lead running
//! facts (furthest funnel stage, first entry per stage). [`Live`] keeps the
//! cross-event orders (a lead's touches in time order, an account's leads)
//! and every report's day-keyed cells ([`cells`]) current as events arrive;
//! each report's module says what its cells are, what a lead, opportunity,
//! touch or transition adds to them, and how they become a table, for all
//! time and any period alike. [`Live::table`] answers by name. [`Table`]
//! renders to CSV, JSON and aligned text.
//!
//! # The reports (the product's own definitions)
//!
//! General rules, shared by all of them:
//! - A *month* is the UTC calendar month `YYYY-MM` of a timestamp.
//! - Rows are in ascending byte order of their key columns unless a report
//!   says otherwise, so `(all)` comes first and `(no campaign)` before `(none)`.
//! - A rate is a fraction, null when its denominator is 0. A sum over nothing
//!   is 0; an average or quantile over nothing is null.
//! - Durations are fractional: seconds / 3600 (hours) or / 86400 (days).
//! - Quantiles are nearest-rank: the value at rank ⌈q·n⌉ (at least 1) of the
//!   sorted values, computed in integers ([`stats::nearest_rank`]).
//! - A *sales touch* is a touch of a sales kind (call, e-mail, meeting); every
//!   other touch is a *marketing touch*.
//! - The *first entry* into a stage is the earliest transition into it (for
//!   `lead`, also the creation time). An *MQL entry* is one transition into
//!   `mql`; its *decision* is the lead's next transition in (time, id) order.
//! - Money is kept in cents; fractional credits are summed unrounded and each
//!   sum is rounded to cents once.
//!
//! The agreement's terms used by reports come in as [`ReportTerms`] (follow-up
//! and decide hours, attribution lookback and half-life): no report hard-codes
//! them. Each report module documents its definition and its period rule:
//! [`funnel`], [`velocity`], [`sla`] (`sla_followup`, `sla_marketing`),
//! [`attribution`] (`attribution_campaign`, `attribution_channel`),
//! [`content`] (`content`, `content_gaps`), [`leaderboard`], [`rejections`],
//! [`kpi`] (`kpi`, and accord's own `kpi_outcomes`).
//!
//! # Periods
//!
//! A [`Period`] is a half-open UTC interval `[from, until)` of whole days;
//! the CLI's `--from DATE --to DATE` includes both days. Each report states
//! which time it selects on (cohort, entry, close, event time) and keys its
//! cells by that time's day, so a period is the sum of its days' cells, never
//! a pass over the log; [`Period::ALL`] sums every cell.

pub mod attribution;
pub mod cells;
pub mod compare;
pub mod content;
pub mod derived;
pub mod funnel;
pub mod kpi;
pub mod leaderboard;
pub mod live;
pub mod models;
pub mod projection;
pub mod rejections;
pub mod sla;
pub mod snapshot;
pub mod stats;
pub mod table;
pub mod velocity;
pub mod won_by;

use std::borrow::Cow;

use accord_core::domain::{Month, Timestamp, DAY_SECONDS};

pub use live::Live;
pub use models::Models;
pub use projection::Projections;
pub use table::{Column, ColumnKind, Table, Value};

/// A digest of the report definitions (this crate's sources, taken at build
/// time): two builds with the same digest compute the same reports, so a
/// stored report stamped with it may be reused.
pub const DEFINITIONS_DIGEST: &str = env!("ACCORD_REPORT_SOURCE_DIGEST");

/// The key of a roll-up row.
pub const ALL: &str = "(all)";

/// Every report, in the order `report all` writes them.
/// The kit's eleven, then accord's own (`kpi_outcomes`).
pub const REPORTS: [&str; 12] = [
    "funnel",
    "velocity",
    "sla_followup",
    "sla_marketing",
    "attribution_campaign",
    "attribution_channel",
    "content",
    "content_gaps",
    "leaderboard",
    "rejections",
    "kpi",
    "kpi_outcomes",
];

/// The agreement's terms that reports depend on.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ReportTerms {
    /// Sales follows up an MQL within this many hours.
    pub follow_up_hours: f64,
    /// Sales accepts or rejects an MQL within this many hours.
    pub decide_hours: f64,
    /// Attribution looks back this many days before an opportunity's creation.
    pub lookback_days: u32,
    /// Time-decay attribution halves a touch's weight every this many days.
    pub half_life_days: f64,
    /// The attribution models the reports show (every one is computed;
    /// [`Models::show`] takes the others' columns out).
    pub models: Models,
}

impl Default for ReportTerms {
    /// The default agreement's terms (`accord init`): 24 h follow-up, 48 h
    /// decision, 90-day lookback, 7-day half-life, all five models.
    fn default() -> Self {
        ReportTerms {
            follow_up_hours: 24.0,
            decide_hours: 48.0,
            lookback_days: 90,
            half_life_days: 7.0,
            models: Models::ALL,
        }
    }
}

/// The agreement's terms report `name` counts by, as (name, value). Its
/// columns keep the contract's names whatever the terms (`followed_up_24h`
/// counts follow-ups within `follow_up_hours`, be it 1 or 24), so every
/// rendering says them: the text title ([`describe_terms`]) and the JSON.
pub fn terms_used(name: &str, terms: &ReportTerms) -> Vec<(Cow<'static, str>, f64)> {
    match name {
        "sla_followup" => vec![
            ("follow_up_hours".into(), terms.follow_up_hours),
            ("decide_hours".into(), terms.decide_hours),
        ],
        "kpi_outcomes" => vec![("lookback_days".into(), f64::from(terms.lookback_days))],
        "attribution_campaign" | "attribution_channel" | "content" => vec![
            ("lookback_days".into(), f64::from(terms.lookback_days)),
            ("half_life_days".into(), terms.half_life_days),
        ],
        _ => Vec::new(),
    }
}

/// A table's terms for people: "follow-up within 1 h, decision within 48 h".
pub fn describe_terms(table: &Table) -> String {
    let parts: Vec<String> = table
        .terms
        .iter()
        .map(|(name, v)| match &**name {
            "follow_up_hours" => format!("follow-up within {v} h"),
            "decide_hours" => format!("decision within {v} h"),
            "lookback_days" => format!("touches up to {v} days before the opportunity"),
            "half_life_days" => format!("time-decay half-life {v} days"),
            other => format!("{other} {v}"),
        })
        .collect();
    parts.join(", ")
}

/// A half-open UTC interval `[from, until)`; `None` is unbounded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Period {
    pub from: Option<Timestamp>,
    pub until: Option<Timestamp>,
}

impl Period {
    pub const ALL: Period = Period {
        from: None,
        until: None,
    };

    /// The days `from` to `to` (`YYYY-MM-DD`, UTC), both included.
    pub fn from_dates(from: Option<&str>, to: Option<&str>) -> Result<Period, String> {
        let day = |s: &str| {
            Timestamp::parse(&format!("{s}T00:00:00Z"))
                .map_err(|_| format!("{} is not a date of the form YYYY-MM-DD", quoted(s)))
        };
        let period = Period {
            from: from.map(day).transpose()?,
            until: to
                .map(|s| day(s).map(|t| t.plus_seconds(DAY_SECONDS)))
                .transpose()?,
        };
        if let (Some(f), Some(u)) = (period.from, period.until) {
            if u <= f {
                return Err("--to is before --from".to_owned());
            }
        }
        Ok(period)
    }

    pub fn is_all(&self) -> bool {
        self.from.is_none() && self.until.is_none()
    }

    /// Whether a time (UTC seconds) is inside.
    pub fn contains(&self, t: i64) -> bool {
        self.from.is_none_or(|f| t >= f.unix_seconds())
            && self.until.is_none_or(|u| t < u.unix_seconds())
    }

    /// Whether any instant of `month` is inside.
    pub fn overlaps_month(&self, month: Month) -> bool {
        self.from.is_none_or(|f| month.next().start() > f)
            && self.until.is_none_or(|u| month.start() < u)
    }

    /// `all time`, `2025-04-01 to 2025-06-30`, `from 2025-04-01`, `until 2025-06-30`.
    pub fn describe(&self) -> String {
        let day = |t: Timestamp| t.to_string()[..10].to_owned();
        let last = |u: Timestamp| day(u.plus_seconds(-DAY_SECONDS));
        match (self.from, self.until) {
            (None, None) => "all time".to_owned(),
            (Some(f), None) => format!("from {}", day(f)),
            (None, Some(u)) => format!("until {}", last(u)),
            (Some(f), Some(u)) => format!("{} to {}", day(f), last(u)),
        }
    }
}

/// A value given by the user, quoted for a message: in backticks, control
/// characters escaped, cut after 64 characters (an id or a date that is
/// 100 KB long is not echoed whole, from the command line or a request).
pub fn quoted(value: &str) -> String {
    match accord_core::shown::for_terminal(value, 64) {
        (shown, 0) => format!("`{shown}`"),
        (shown, _) => format!("`{shown}…` ({} bytes)", value.len()),
    }
}

/// A report name that does not exist.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownReport(pub String);

impl std::fmt::Display for UnknownReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "unknown report {} (one of: {})",
            quoted(&self.0),
            REPORTS.join(", ")
        )
    }
}

impl std::error::Error for UnknownReport {}

#[cfg(test)]
mod funnel_tests;
#[cfg(test)]
mod outcomes_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod totals_tests;
