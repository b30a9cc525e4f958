//! The agreement: the one versioned file (`accord.toml`) that marketing and
//! sales sign together. It defines the lifecycle stages and their entry
//! criteria, the buyer personas and journey stages, scoring (fit and
//! engagement, the MQL threshold), routing, the two-way SLA with its
//! escalation chain, and the attribution settings.
//!
//! [`parse`] turns the file's text into a typed [`Agreement`] or into
//! [`Diagnostics`] listing every problem with its place in the file. After
//! that nothing re-checks: durations are [`Duration`]s, names are known to
//! exist, rules are compiled and type-checked [`Expr`]s.
//!
//! What must not leak in: I/O. This module never reads a file, a clock or the
//! environment; the caller passes the text and the path (only used in
//! messages). [`DEFAULT_AGREEMENT`] is the starter file `accord init` writes;
//! its comments document the format for people.

mod diagnostic;
mod excerpt;
mod print;
mod read;
mod sniff;

pub use diagnostic::{Diagnostic, Diagnostics};
pub use sniff::thousands;

use crate::domain::TouchKind;
use crate::expr::{Evaluator, Expr};

/// The starter agreement that `accord init` writes. Its terms are the ones the
/// reference reports assume (24 h follow-up, 48 h decision, 90-day lookback,
/// 7-day half-life).
pub const DEFAULT_AGREEMENT: &str = include_str!("default.toml");

/// The only format version this code reads.
pub const FORMAT_VERSION: u32 = 1;

/// The lifecycle stages every agreement defines: the engine and the reports
/// know them by name. An agreement may add its own.
pub const CORE_STAGES: [&str; 8] = [
    "lead",
    "mql",
    "sal",
    "sql",
    "opportunity",
    "customer",
    "recycled",
    "disqualified",
];

/// The largest agreement file read, in bytes (1 MiB). The starter agreement
/// is about 12 KB and a large real one with hundreds of rules stays under
/// 200 KB; past 1 MiB the file is not an agreement someone wrote. The bound
/// keeps the cost of checking any input (also one sent over the network) to
/// milliseconds and a few megabytes of memory.
pub const MAX_FILE_BYTES: usize = 1 << 20;
/// Problems listed at most; the rest are counted ("and N more").
pub const MAX_ERRORS_SHOWN: usize = 50;
/// Rules in one list at most (`[[scoring.fit]]`, `[[scoring.engagement.rules]]`,
/// `[[routing.rules]]`, `[[sla.escalation]]`).
pub const MAX_RULES: usize = 200;
/// Names in one table or list at most (stages, personas, journey stages,
/// rejection reasons, touch kinds, regions, models).
pub const MAX_NAMES: usize = 100;
/// Bytes of rule text (every `when` together) at most: 128 KiB holds 600
/// rules of 200 bytes, far more than an agreement needs, and bounds the
/// work of parsing rules (cel's parser takes a few microseconds a token).
pub const MAX_RULES_BYTES: usize = 128 * 1024;
/// The limits on one rule, checked by [`crate::expr::Expr::compile`].
pub use crate::expr::{
    MAX_ITERATED_ITEMS, MAX_REGEX_BYTES, MAX_RULE_BYTES, MAX_RULE_DEPTH, MAX_RULE_OPERATORS,
};

/// Parses and validates an agreement. `path` only names the file in messages.
///
/// Never panics, whatever `source` is, and its cost is bounded: text longer
/// than [`MAX_FILE_BYTES`] is refused at once, text that is plainly not TOML
/// (a CSV file, JSON) gets one message saying what it looks like.
pub fn parse(source: &str, path: &str) -> Result<Agreement, Diagnostics> {
    if source.len() > MAX_FILE_BYTES {
        let head = sniff::head(source);
        return Err(Diagnostics::new(
            path,
            head,
            vec![sniff::too_large(source.len() as u64)],
        ));
    }
    read::read(source).map_err(|items| Diagnostics::new(path, source, items))
}

/// [`parse`] for raw bytes, as read from a file or a request: refuses bytes
/// that are not UTF-8 text (or are binary), naming the first bad byte's line,
/// column and offset. Never panics.
pub fn parse_bytes(bytes: &[u8], path: &str) -> Result<Agreement, Diagnostics> {
    if bytes.len() > MAX_FILE_BYTES {
        let head = String::from_utf8_lossy(&bytes[..bytes.len().min(200)]);
        let head = sniff::head(&head);
        return Err(Diagnostics::new(
            path,
            head,
            vec![sniff::too_large(bytes.len() as u64)],
        ));
    }
    match sniff::text(bytes) {
        Ok(text) => parse(text, path),
        Err(wrong) => {
            let (shown, problem) = *wrong;
            Err(Diagnostics::new(path, &shown, vec![problem]))
        }
    }
}

/// A length of time, to the second.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Duration {
    seconds: u64,
}

impl Duration {
    pub const fn from_hours(hours: u32) -> Duration {
        Duration {
            seconds: hours as u64 * 3600,
        }
    }
    pub const fn from_days(days: u32) -> Duration {
        Duration {
            seconds: days as u64 * 86_400,
        }
    }
    pub const fn as_seconds(self) -> u64 {
        self.seconds
    }
    /// Whole hours (durations in an agreement are whole hours or days).
    pub const fn hours(self) -> u32 {
        (self.seconds / 3600) as u32
    }
    /// Whole days.
    pub const fn days(self) -> u32 {
        (self.seconds / 86_400) as u32
    }
}

/// Declares a closed set of names as an enum that prints and parses them.
macro_rules! named {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub const NAMES: &'static [&'static str] = &[$($text),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
            pub fn from_name(s: &str) -> Option<$name> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

named!(
    /// A sales team (the kit's `team` vocabulary).
    Team { Sdr = "sdr", Ae = "ae", Am = "am", Manager = "manager" }
);
named!(
    /// How a routing rule picks among eligible reps.
    Assign { RoundRobin = "round_robin", LeastLoaded = "least_loaded" }
);
named!(
    /// What starts an escalation.
    Trigger {
        FollowUpBreach = "follow_up_breach",
        DecideBreach = "decide_breach",
        MqlTargetMissed = "mql_target_missed",
        Rejected = "rejected",
    }
);
named!(
    /// Who an escalation notifies.
    Role {
        RepManager = "rep_manager",
        SalesDirector = "sales_director",
        MarketingDirector = "marketing_director",
        MarketingOps = "marketing_ops",
    }
);
named!(
    /// A multi-touch attribution model.
    Model {
        FirstTouch = "first_touch",
        LastTouch = "last_touch",
        Linear = "linear",
        UShaped = "u_shaped",
        TimeDecay = "time_decay",
    }
);

/// A parsed, valid agreement.
#[derive(Clone, Debug, PartialEq)]
pub struct Agreement {
    /// Format version ([`FORMAT_VERSION`]).
    pub version: u32,
    pub name: String,
    /// The date it applies from, `YYYY-MM-DD`.
    pub effective: String,
    /// In file order; contains every [`CORE_STAGES`] name, all reachable from `lead`.
    pub stages: Vec<Stage>,
    pub personas: Vec<Persona>,
    pub journey_stages: Vec<JourneyStage>,
    pub scoring: Scoring,
    pub routing: Routing,
    pub sla: Sla,
    pub attribution: Attribution,
}

/// A lifecycle stage and its entry criterion.
#[derive(Clone, Debug, PartialEq)]
pub struct Stage {
    pub name: String,
    pub description: String,
    /// The stages a lead may enter this one from (each declared).
    pub from: Vec<String>,
    /// The entry criterion ([`crate::expr::RuleKind::StageEntry`]).
    pub when: Expr,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Persona {
    pub name: String,
    pub description: String,
    /// Classifies a lead whose persona is not known ([`crate::expr::RuleKind::Persona`]).
    pub when: Option<Expr>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct JourneyStage {
    pub name: String,
    pub description: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Scoring {
    /// 0..=100.
    pub mql_threshold: u32,
    pub fit: Vec<ScoreRule>,
    pub engagement: Engagement,
}

/// Points given when a rule matches. Points are -100..=100.
#[derive(Clone, Debug, PartialEq)]
pub struct ScoreRule {
    pub name: String,
    pub when: Expr,
    pub points: i32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Engagement {
    /// > 0: a touch's points halve every this many days.
    pub half_life_days: f64,
    /// Points per marketing touch kind (0..=100), in file order.
    pub points: Vec<(TouchKind, u32)>,
    pub rules: Vec<ScoreRule>,
}

impl Engagement {
    /// The points a touch of `kind` earns before decay (0 for unlisted kinds).
    pub fn points_for(&self, kind: TouchKind) -> u32 {
        self.points
            .iter()
            .find(|(k, _)| *k == kind)
            .map_or(0, |(_, p)| *p)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Routing {
    /// Tried in order.
    pub rules: Vec<RoutingRule>,
    /// The stage whose entry routes a lead that has no owner (`lead`: when it
    /// is created). A declared stage; `mql` when the file does not say.
    pub on: String,
    /// Working hours and time zones; `None`: reps are always at work and a
    /// day (for capacity) is a UTC day.
    pub hours: Option<WorkingHours>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RoutingRule {
    pub name: String,
    /// Only reps of this team are eligible; `None`: any team.
    pub team: Option<Team>,
    /// Is this rep eligible for this lead ([`crate::expr::RuleKind::Routing`]).
    pub when: Expr,
    pub assign: Assign,
    /// Does a rep who took `capacity_per_day` leads today stop being
    /// eligible under this rule (true unless the file says otherwise)?
    pub respect_capacity: bool,
}

/// When reps are at work, in their own time zone.
#[derive(Clone, Debug, PartialEq)]
pub struct WorkingHours {
    /// Per region, an IANA time zone name (`America/New_York`); a region not
    /// listed is in UTC.
    pub zones: Vec<(String, String)>,
    /// The days at work: 0 = Monday ... 6 = Sunday, ascending, no repeats.
    pub days: Vec<u8>,
    /// Minutes after local midnight: at work from `start_minute` (inclusive)
    /// to `end_minute` (exclusive); start < end.
    pub start_minute: u32,
    pub end_minute: u32,
}

impl WorkingHours {
    /// The names of the days in the file, indexed as [`WorkingHours::days`].
    pub const DAY_NAMES: [&'static str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    /// The days when `[routing.hours]` does not say: Monday to Friday.
    pub const DEFAULT_DAYS: [u8; 5] = [0, 1, 2, 3, 4];
    /// The start when `[routing.hours]` does not say: 09:00.
    pub const DEFAULT_START_MINUTE: u32 = 9 * 60;
    /// The end when `[routing.hours]` does not say: 17:00.
    pub const DEFAULT_END_MINUTE: u32 = 17 * 60;
}

#[derive(Clone, Debug, PartialEq)]
pub struct Sla {
    pub sales: SalesSla,
    pub marketing: MarketingSla,
    /// In file order.
    pub escalation: Vec<EscalationStep>,
}

/// Sales' promise to marketing.
#[derive(Clone, Debug, PartialEq)]
pub struct SalesSla {
    /// Follow up an MQL within this (> 0).
    pub follow_up: Duration,
    /// With at least this many attempts (>= 1).
    pub follow_up_attempts: u32,
    /// Accept or reject an MQL within this (> 0) of its MQL entry.
    pub decide: Duration,
    /// The reasons a rejection may give (non-empty, no duplicates).
    pub rejection_reasons: Vec<String>,
    /// Count both clocks in working hours (`[routing.hours]`) in the time
    /// zone of the owner's region, instead of around the clock.
    pub business_hours: bool,
}

/// Marketing's promise to sales.
#[derive(Clone, Debug, PartialEq)]
pub struct MarketingSla {
    /// 0..=1: the share of MQLs that sales should accept.
    pub min_acceptance_rate: f64,
    /// Per region, for months without an imported `targets.csv` row.
    pub default_monthly_mql_targets: Vec<(String, u32)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EscalationStep {
    pub name: String,
    pub on: Trigger,
    /// For [`Trigger::Rejected`]: the (declared) reasons that trigger it.
    pub reasons: Vec<String>,
    /// After the breach (may be zero: at once).
    pub after: Duration,
    pub notify: Role,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Attribution {
    /// Touches this long before an opportunity's creation count (> 0).
    pub lookback: Duration,
    /// > 0.
    pub half_life_days: f64,
    pub models: Vec<Model>,
}

impl Agreement {
    pub fn sla_sales_follow_up_hours(&self) -> u32 {
        self.sla.sales.follow_up.hours()
    }
    pub fn sla_sales_decide_hours(&self) -> u32 {
        self.sla.sales.decide.hours()
    }
    pub fn sla_sales_follow_up_attempts(&self) -> u32 {
        self.sla.sales.follow_up_attempts
    }
    pub fn attribution_lookback_days(&self) -> u32 {
        self.attribution.lookback.days()
    }
    pub fn attribution_half_life_days(&self) -> f64 {
        self.attribution.half_life_days
    }
    pub fn mql_threshold(&self) -> u32 {
        self.scoring.mql_threshold
    }
    pub fn stage(&self, name: &str) -> Option<&Stage> {
        self.stages.iter().find(|s| s.name == name)
    }
    pub fn persona(&self, name: &str) -> Option<&Persona> {
        self.personas.iter().find(|p| p.name == name)
    }
    pub fn rejection_reasons(&self) -> &[String] {
        &self.sla.sales.rejection_reasons
    }
    /// Scoring rules: fit rules, engagement points per kind, engagement rules.
    pub fn scoring_rule_count(&self) -> usize {
        self.scoring.fit.len()
            + self.scoring.engagement.points.len()
            + self.scoring.engagement.rules.len()
    }
    /// Every rule of the agreement: stage criteria, persona rules, fit rules,
    /// engagement rules, routing rules, each in file order.
    pub fn rules(&self) -> impl Iterator<Item = &Expr> {
        let stages = self.stages.iter().map(|s| &s.when);
        let personas = self.personas.iter().filter_map(|p| p.when.as_ref());
        let fit = self.scoring.fit.iter().map(|r| &r.when);
        let engagement = self.scoring.engagement.rules.iter().map(|r| &r.when);
        let routing = self.routing.rules.iter().map(|r| &r.when);
        stages
            .chain(personas)
            .chain(fit)
            .chain(engagement)
            .chain(routing)
    }
    /// An evaluator for this agreement's rules (its constants bound once).
    pub fn evaluator(&self) -> Evaluator {
        Evaluator::new(i64::from(self.scoring.mql_threshold))
    }
    /// The agreement as TOML text (without comments); parses back to an
    /// equal agreement.
    pub fn to_toml(&self) -> String {
        print::print(self)
    }
    /// One line for `accord check`: what the agreement holds.
    pub fn summary(&self) -> String {
        format!(
            "{} stages, {} personas, {} scoring rules, {} routing rules, SLA {}h/{}h",
            self.stages.len(),
            self.personas.len(),
            self.scoring_rule_count(),
            self.routing.rules.len(),
            self.sla_sales_follow_up_hours(),
            self.sla_sales_decide_hours()
        )
    }
}

#[cfg(test)]
mod tests;
