//! Rule expressions: the CEL that an agreement's criteria, scoring and routing
//! rules are written in, and accord's own static checker for it.
//!
//! This is the only module that knows about the `cel` crate (it is 0.x and
//! breaks between minors: keep it behind this wall). The rest of accord sees
//! [`Expr`] (a compiled, checked rule), [`Record`] / [`Value`] (the data a rule
//! reads) and [`Evaluator`] (one root context, a cheap inner scope per record).
//!
//! `cel` only type-checks at run time, so [`Expr::compile`] does three things:
//! 1. parses the text (syntax errors keep their position in the expression);
//! 2. walks the parsed tree and infers a type for every node against the
//!    CLOSED schema below ([`OBJECTS`], [`RuleKind::variables`]): an unknown
//!    variable or field, an operator applied to the wrong types, a rule that is
//!    not a bool, a string literal that is not in a field's vocabulary
//!    (`lead.seniority == 'studnet'`) are all errors, with "did you mean";
//! 3. evaluates the rule once on a typed sample record, to catch what the
//!    walker does not model (a bad regular expression, an overload the walker
//!    lets through).
//!
//! The schema tables here are the single source of truth for the variables a
//! rule sees; the starter agreement (`agreement/default.toml`) documents them
//! for people, and a unit test keeps the two in step.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use cel::common::ast::{Expr as Node, IdedExpr, LiteralValue};

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
    fn ty(self) -> Ty {
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
    fn ty(self) -> Ty {
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
    const ALL: [Var; 7] = [
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
    fn values(&self, vocab: Vocab) -> Option<(String, Vec<&str>)> {
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

/// A problem in an expression. `span` is a byte range in the expression text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExprError {
    pub span: Range<usize>,
    pub message: String,
    pub label: String,
    pub help: Option<String>,
}

/// The best match for `word` among `candidates`, if one is close enough to be
/// a likely typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = word.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&lower, &c.to_lowercase()), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// A checked, compiled rule. Cheap to clone; equal when the text and kind are.
#[derive(Clone)]
pub struct Expr {
    source: String,
    kind: RuleKind,
    program: Arc<cel::Program>,
}

impl fmt::Debug for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Expr({:?}, {:?})", self.kind, self.source)
    }
}

impl PartialEq for Expr {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind && self.source == other.source
    }
}

impl Expr {
    /// Parses, statically checks and sample-evaluates `source` as a rule of
    /// `kind`, which must yield a bool. Returns every error found.
    pub fn compile(
        source: &str,
        kind: RuleKind,
        vocab: &Vocabularies,
    ) -> Result<Expr, Vec<ExprError>> {
        let program = match cel::Program::compile(source) {
            Ok(p) => p,
            Err(errors) => return Err(parse_errors(source, &errors)),
        };
        let mut checker = Checker {
            source,
            info: program.source_info(),
            chars: source.char_indices().map(|(b, _)| b).collect(),
            kind,
            vocab,
            locals: Vec::new(),
            errors: Vec::new(),
        };
        let root = program.expression();
        let ty = checker.infer(root);
        if !matches!(ty, Ty::Bool | Ty::Dyn | Ty::Error) {
            let span = checker.span(root);
            checker.error(
                span,
                format!(
                    "{} must be true or false, but this is {}",
                    kind.describe(),
                    ty.name()
                ),
                format!("this is {}", ty.name()),
                Some(
                    "compare it with something, e.g. `lead.score >= 60` or `lead.region == 'EMEA'`"
                        .into(),
                ),
            );
        }
        let mut errors = checker.errors;
        if errors.is_empty() {
            // The walker passed: run the rule once on a sample record to catch
            // what it does not model.
            let evaluator = Evaluator::new(SAMPLE_MQL_THRESHOLD);
            let samples = Samples::new(vocab);
            let result = evaluator.eval_program(&program, &samples.bindings());
            let problem = match result {
                Ok(cel::Value::Bool(_)) => None,
                Ok(other) => Some(format!(
                    "it gave {other:?} on a sample record, not true or false"
                )),
                Err(e) => Some(format!("it failed on a sample record: {e}")),
            };
            if let Some(message) = problem {
                errors.push(ExprError {
                    span: 0..source.len(),
                    message: format!("{} cannot be evaluated: {message}", kind.describe()),
                    label: "fails when evaluated".into(),
                    help: Some("check the operand types and function arguments".into()),
                });
            }
        }
        if errors.is_empty() {
            Ok(Expr {
                source: source.to_string(),
                kind,
                program: Arc::new(program),
            })
        } else {
            errors.sort_by_key(|e| (e.span.start, e.span.end));
            Err(errors)
        }
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    pub fn kind(&self) -> RuleKind {
        self.kind
    }
}

fn parse_errors(source: &str, errors: &cel::ParseErrors) -> Vec<ExprError> {
    let mut out: Vec<ExprError> = errors
        .errors
        .iter()
        .map(|e| {
            // `pos` is (line from 1, column from 1) in characters.
            let (line, col) = (e.pos.0.max(1) as usize, e.pos.1.max(1) as usize);
            let mut start = 0;
            for (i, l) in source.split_inclusive('\n').enumerate() {
                if i + 1 == line {
                    start += l.char_indices().nth(col - 1).map_or(l.trim_end_matches('\n').len(), |(b, _)| b);
                    break;
                }
                start += l.len();
            }
            let start = start.min(source.len());
            let end = source[start..].chars().next().map_or(start, |c| start + c.len_utf8());
            let message = e.msg.strip_prefix("Syntax error: ").unwrap_or(&e.msg);
            ExprError {
                span: start..end,
                message: format!("expression does not parse: {message}"),
                label: "here".into(),
                help: Some("rules are CEL: e.g. `lead.score >= 60 && lead.region in ['NA', 'EMEA']`; strings take 'single quotes'".into()),
            }
        })
        .collect();
    out.dedup_by(|a, b| a.span == b.span);
    if out.is_empty() {
        out.push(ExprError {
            span: 0..source.len(),
            message: "expression does not parse".into(),
            label: "here".into(),
            help: None,
        });
    }
    out
}

/// A type the checker infers.
#[derive(Clone, Debug, PartialEq)]
enum Ty {
    Bool,
    Int,
    UInt,
    Double,
    String,
    Bytes,
    Timestamp,
    Duration,
    Null,
    List(Box<Ty>),
    Map,
    Object(&'static Object),
    /// Unknown statically (e.g. a map value): anything goes.
    Dyn,
    /// Already reported: stay quiet about what follows from it.
    Error,
}

impl Ty {
    fn name(&self) -> String {
        match self {
            Ty::Bool => "a bool".into(),
            Ty::Int => "an int".into(),
            Ty::UInt => "a uint".into(),
            Ty::Double => "a double".into(),
            Ty::String => "a string".into(),
            Ty::Bytes => "bytes".into(),
            Ty::Timestamp => "a timestamp".into(),
            Ty::Duration => "a duration".into(),
            Ty::Null => "null".into(),
            Ty::List(t) => match **t {
                Ty::Dyn => "a list".into(),
                ref t => format!("a list of {}", t.plural()),
            },
            Ty::Map => "a map".into(),
            Ty::Object(o) => format!("a {} record", o.name),
            Ty::Dyn | Ty::Error => "a value".into(),
        }
    }
    fn plural(&self) -> String {
        match self {
            Ty::Bool => "bools".into(),
            Ty::Int => "ints".into(),
            Ty::Double => "doubles".into(),
            Ty::String => "strings".into(),
            Ty::Timestamp => "timestamps".into(),
            other => format!("({})", other.name()),
        }
    }
    fn loose(&self) -> bool {
        matches!(self, Ty::Dyn | Ty::Error)
    }
    fn numeric(&self) -> bool {
        matches!(self, Ty::Int | Ty::UInt | Ty::Double)
    }
}

struct Checker<'a> {
    source: &'a str,
    info: &'a cel::common::ast::SourceInfo,
    /// Byte offset of each character: cel positions count characters.
    chars: Vec<usize>,
    kind: RuleKind,
    vocab: &'a Vocabularies,
    /// Comprehension variables in scope, innermost last.
    locals: Vec<(String, Ty)>,
    errors: Vec<ExprError>,
}

const KNOWN_FUNCTIONS: &[&str] = &[
    "size",
    "contains",
    "startsWith",
    "endsWith",
    "matches",
    "int",
    "double",
    "string",
    "timestamp",
    "duration",
    "has",
    "exists",
    "all",
    "exists_one",
    "map",
    "filter",
    "getFullYear",
    "getMonth",
    "getDayOfMonth",
    "getDayOfWeek",
    "getDayOfYear",
    "getHours",
    "getMinutes",
    "getSeconds",
];

impl Checker<'_> {
    fn byte(&self, char_index: u32) -> usize {
        self.chars
            .get(char_index as usize)
            .copied()
            .unwrap_or(self.source.len())
    }

    /// The bytes a node and everything under it cover.
    fn span(&self, e: &IdedExpr) -> Range<usize> {
        let mut span: Option<Range<usize>> = None;
        self.collect_span(e, &mut span);
        span.unwrap_or(0..self.source.len())
    }

    fn collect_span(&self, e: &IdedExpr, acc: &mut Option<Range<usize>>) {
        if let Some((start, stop)) = self.info.offset_for(e.id) {
            let s = self.byte(start);
            let mut end = self.byte(stop + 1).max(s);
            // A selection is recorded at its dot: cover the field name too.
            if let Node::Select(sel) = &e.expr {
                if self.source[s..].starts_with('.') {
                    let rest = &self.source[s + 1..];
                    let skipped = rest.len() - rest.trim_start().len();
                    end = end
                        .max(s + 1 + skipped + sel.field.len())
                        .min(self.source.len());
                }
            }
            // A call's recorded token is its name or the operator; its
            // arguments extend it below. Add a closing parenthesis if it
            // directly follows.
            *acc = Some(match acc.take() {
                Some(r) => r.start.min(s)..r.end.max(end),
                None => s..end,
            });
        }
        match &e.expr {
            Node::Call(c) => {
                if let Some(t) = &c.target {
                    self.collect_span(t, acc);
                }
                for a in &c.args {
                    self.collect_span(a, acc);
                }
                if let Some(r) = acc.as_mut() {
                    let rest = &self.source[r.end..];
                    let trimmed = rest.trim_start();
                    if trimmed.starts_with(')') && !c.func_name.starts_with('_') {
                        r.end += rest.len() - trimmed.len() + 1;
                    }
                }
            }
            Node::Select(s) => self.collect_span(&s.operand, acc),
            Node::List(l) => l.elements.iter().for_each(|x| self.collect_span(x, acc)),
            Node::Comprehension(c) => self.collect_span(&c.iter_range, acc),
            _ => {}
        }
    }

    fn error(&mut self, span: Range<usize>, message: String, label: String, help: Option<String>) {
        self.errors.push(ExprError {
            span,
            message,
            label,
            help,
        });
    }

    fn infer(&mut self, e: &IdedExpr) -> Ty {
        match &e.expr {
            Node::Literal(l) => match l {
                LiteralValue::Boolean(_) => Ty::Bool,
                LiteralValue::Bytes(_) => Ty::Bytes,
                LiteralValue::Double(_) => Ty::Double,
                LiteralValue::Int(_) => Ty::Int,
                LiteralValue::Null => Ty::Null,
                LiteralValue::String(_) => Ty::String,
                LiteralValue::UInt(_) => Ty::UInt,
            },
            Node::Ident(name) => self.ident(e, name),
            Node::Select(sel) => {
                let operand = self.infer(&sel.operand);
                let ty = match operand {
                    Ty::Object(obj) => match obj.field(&sel.field) {
                        Some((_, field)) => field.ty.ty(),
                        None => {
                            let span = self.span(e);
                            let help =
                                match did_you_mean(&sel.field, obj.fields.iter().map(|f| f.name)) {
                                    Some(s) => format!("did you mean `{}.{s}`?", obj.name),
                                    None => format!(
                                        "the fields of `{}` are: {}",
                                        obj.name,
                                        obj.fields
                                            .iter()
                                            .map(|f| f.name)
                                            .collect::<Vec<_>>()
                                            .join(", ")
                                    ),
                                };
                            self.error(
                                span,
                                format!("`{}` has no field `{}`", obj.name, sel.field),
                                "unknown field".into(),
                                Some(help),
                            );
                            Ty::Error
                        }
                    },
                    Ty::Map | Ty::Dyn | Ty::Error => Ty::Dyn,
                    other => {
                        let span = self.span(e);
                        self.error(
                            span,
                            format!(
                                "`.{}` selects a field, but this is {}",
                                sel.field,
                                other.name()
                            ),
                            "not a record".into(),
                            None,
                        );
                        Ty::Error
                    }
                };
                if sel.test {
                    Ty::Bool
                } else {
                    ty
                }
            }
            Node::Call(call) => self.call(e, call),
            Node::List(list) => {
                let types: Vec<Ty> = list.elements.iter().map(|x| self.infer(x)).collect();
                match types.first() {
                    Some(first) if types.iter().all(|t| t == first) => {
                        Ty::List(Box::new(first.clone()))
                    }
                    _ => Ty::List(Box::new(Ty::Dyn)),
                }
            }
            Node::Map(m) => {
                for entry in &m.entries {
                    if let cel::common::ast::EntryExpr::MapEntry(me) = &entry.expr {
                        self.infer(&me.key);
                        self.infer(&me.value);
                    }
                }
                Ty::Map
            }
            Node::Comprehension(c) => {
                let range = self.infer(&c.iter_range);
                let elem = match &range {
                    Ty::List(t) => (**t).clone(),
                    Ty::Map => Ty::String,
                    Ty::Dyn | Ty::Error => Ty::Dyn,
                    other => {
                        let span = self.span(&c.iter_range);
                        self.error(
                            span,
                            format!(
                                "only a list or a map can be iterated, but this is {}",
                                other.name()
                            ),
                            "not a list".into(),
                            None,
                        );
                        Ty::Error
                    }
                };
                let accu = self.infer(&c.accu_init);
                self.locals.push((c.iter_var.clone(), elem));
                if let Some(v2) = &c.iter_var2 {
                    self.locals.push((v2.clone(), Ty::Dyn));
                }
                self.locals.push((c.accu_var.clone(), accu));
                self.infer(&c.loop_cond);
                let step = self.infer(&c.loop_step);
                if let Some(last) = self.locals.last_mut() {
                    if last.1 != step {
                        // e.g. `map` builds a list whose element type comes from the step.
                        last.1 = step;
                    }
                }
                let result = self.infer(&c.result);
                self.locals.pop();
                if c.iter_var2.is_some() {
                    self.locals.pop();
                }
                self.locals.pop();
                result
            }
            Node::Struct(s) => {
                let span = self.span(e);
                self.error(
                    span,
                    format!(
                        "message construction `{}{{...}}` is not supported in rules",
                        s.type_name
                    ),
                    "not supported".into(),
                    None,
                );
                Ty::Error
            }
            Node::Unspecified => Ty::Dyn,
        }
    }

    fn ident(&mut self, e: &IdedExpr, name: &str) -> Ty {
        if let Some((_, ty)) = self.locals.iter().rev().find(|(n, _)| n == name) {
            return ty.clone();
        }
        let allowed = self.kind.variables();
        if let Some(var) = allowed.iter().find(|v| v.name() == name) {
            return var.ty();
        }
        let span = self.span(e);
        let names: Vec<&str> = allowed.iter().map(|v| v.name()).collect();
        if Var::ALL.iter().any(|v| v.name() == name) {
            self.error(
                span,
                format!("`{name}` is not available in {}", self.kind.describe()),
                "not available here".into(),
                Some(format!(
                    "{} can use: {}",
                    self.kind.describe(),
                    names.join(", ")
                )),
            );
        } else {
            let help = match did_you_mean(name, names.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("{} can use: {}", self.kind.describe(), names.join(", ")),
            };
            self.error(
                span,
                format!("unknown name `{name}`"),
                "unknown name".into(),
                Some(help),
            );
        }
        Ty::Error
    }

    fn call(&mut self, e: &IdedExpr, call: &cel::common::ast::CallExpr) -> Ty {
        use cel::common::ast::operators as op;
        let name = call.func_name.as_str();
        let args = &call.args;
        match (name, call.target.as_deref(), args.len()) {
            (op::LOGICAL_AND | op::LOGICAL_OR, None, 2)
            | (op::LOGICAL_NOT, None, 1)
            | (op::NOT_STRICTLY_FALSE, None, 1) => {
                for a in args {
                    let t = self.infer(a);
                    self.expect(a, &t, &Ty::Bool, name);
                }
                Ty::Bool
            }
            (op::CONDITIONAL, None, 3) => {
                let c = self.infer(&args[0]);
                self.expect(&args[0], &c, &Ty::Bool, name);
                let a = self.infer(&args[1]);
                let b = self.infer(&args[2]);
                if a.loose() || a == Ty::Null {
                    b
                } else if b.loose() || b == Ty::Null || a == b {
                    a
                } else {
                    let span = self.span(e);
                    self.error(
                        span,
                        format!("the branches of `?:` differ: {} and {}", a.name(), b.name()),
                        "mixed types".into(),
                        None,
                    );
                    Ty::Error
                }
            }
            (op::EQUALS | op::NOT_EQUALS, None, 2) => {
                let a = self.infer(&args[0]);
                let b = self.infer(&args[1]);
                let comparable = a.loose()
                    || b.loose()
                    || a == b
                    || a == Ty::Null
                    || b == Ty::Null
                    || (a.numeric() && b.numeric())
                    || matches!((&a, &b), (Ty::List(_), Ty::List(_)));
                if !comparable {
                    let span = self.span(e);
                    self.error(
                        span,
                        format!("this compares {} with {}: it is never equal", a.name(), b.name()),
                        "mismatched types".into(),
                        Some("compare values of the same type; convert with int(), double() or string()".into()),
                    );
                }
                self.check_vocab(&args[0], &args[1]);
                self.check_vocab(&args[1], &args[0]);
                Ty::Bool
            }
            (op::LESS | op::LESS_EQUALS | op::GREATER | op::GREATER_EQUALS, None, 2) => {
                let a = self.infer(&args[0]);
                let b = self.infer(&args[1]);
                let ok = a.loose()
                    || b.loose()
                    || (a.numeric() && b.numeric())
                    || (a == b
                        && matches!(a, Ty::String | Ty::Timestamp | Ty::Duration | Ty::Bool));
                if !ok {
                    let span = self.span(e);
                    self.error(
                        span,
                        format!("{} and {} cannot be ordered", a.name(), b.name()),
                        "mismatched types".into(),
                        Some("order numbers with numbers, timestamps with timestamps (e.g. `lead.created_at < now - duration('720h')`)".into()),
                    );
                }
                Ty::Bool
            }
            (op::ADD | op::SUBSTRACT | op::MULTIPLY | op::DIVIDE | op::MODULO, None, 2) => {
                let a = self.infer(&args[0]);
                let b = self.infer(&args[1]);
                self.arithmetic(e, name, a, b)
            }
            (op::NEGATE, None, 1) => {
                let a = self.infer(&args[0]);
                if a.numeric() || a.loose() || a == Ty::Duration {
                    a
                } else {
                    let span = self.span(e);
                    self.error(
                        span,
                        format!("{} cannot be negated", a.name()),
                        "not a number".into(),
                        None,
                    );
                    Ty::Error
                }
            }
            (op::IN, None, 2) => {
                let a = self.infer(&args[0]);
                let b = self.infer(&args[1]);
                match &b {
                    Ty::List(elem) => {
                        if !(a.loose()
                            || elem.loose()
                            || **elem == a
                            || (a.numeric() && elem.numeric()))
                        {
                            let span = self.span(e);
                            self.error(
                                span,
                                format!("this looks for {} in {}: never found", a.name(), b.name()),
                                "mismatched types".into(),
                                None,
                            );
                        }
                    }
                    Ty::Map | Ty::Dyn | Ty::Error => {}
                    other => {
                        let span = self.span(&args[1]);
                        self.error(
                            span,
                            format!(
                                "`in` needs a list or a map on its right, but this is {}",
                                other.name()
                            ),
                            "not a list".into(),
                            Some("write a list: `lead.region in ['NA', 'EMEA']`".into()),
                        );
                    }
                }
                self.check_vocab(&args[0], &args[1]);
                Ty::Bool
            }
            (op::INDEX, None, 2) => {
                let a = self.infer(&args[0]);
                let i = self.infer(&args[1]);
                match a {
                    Ty::List(elem) => {
                        if !(i.loose() || i == Ty::Int || i == Ty::UInt) {
                            let span = self.span(&args[1]);
                            self.error(
                                span,
                                format!("a list index must be an int, not {}", i.name()),
                                "not an int".into(),
                                None,
                            );
                        }
                        *elem
                    }
                    Ty::Map | Ty::Dyn | Ty::Error => Ty::Dyn,
                    Ty::Object(o) => {
                        let span = self.span(e);
                        self.error(
                            span,
                            format!(
                                "index `{}` with a field name instead: `{}.field`",
                                o.name, o.name
                            ),
                            "indexing a record".into(),
                            None,
                        );
                        Ty::Error
                    }
                    other => {
                        let span = self.span(e);
                        self.error(
                            span,
                            format!("{} cannot be indexed", other.name()),
                            "not a list or map".into(),
                            None,
                        );
                        Ty::Error
                    }
                }
            }
            ("size", target, n) if (target.is_some() && n == 0) || (target.is_none() && n == 1) => {
                let arg = target.unwrap_or_else(|| &args[0]);
                let t = self.infer(arg);
                if !(t.loose() || matches!(t, Ty::String | Ty::Bytes | Ty::List(_) | Ty::Map)) {
                    let span = self.span(arg);
                    self.error(
                        span,
                        format!("size() needs a string, list or map, not {}", t.name()),
                        "no size".into(),
                        None,
                    );
                }
                Ty::Int
            }
            ("contains" | "startsWith" | "endsWith" | "matches", Some(target), 1) => {
                let t = self.infer(target);
                let a = self.infer(&args[0]);
                self.expect(target, &t, &Ty::String, name);
                self.expect(&args[0], &a, &Ty::String, name);
                Ty::Bool
            }
            ("matches", None, 2) => {
                for a in args {
                    let t = self.infer(a);
                    self.expect(a, &t, &Ty::String, name);
                }
                Ty::Bool
            }
            ("int" | "double" | "string" | "timestamp" | "duration", None, 1) => {
                let t = self.infer(&args[0]);
                let ok = t.loose()
                    || match name {
                        "timestamp" => matches!(t, Ty::String | Ty::Timestamp | Ty::Int),
                        "duration" => matches!(t, Ty::String | Ty::Duration),
                        "int" => matches!(
                            t,
                            Ty::Int | Ty::UInt | Ty::Double | Ty::String | Ty::Timestamp
                        ),
                        "double" => matches!(t, Ty::Int | Ty::UInt | Ty::Double | Ty::String),
                        _ => !matches!(t, Ty::List(_) | Ty::Map | Ty::Object(_)),
                    };
                if !ok {
                    let span = self.span(&args[0]);
                    self.error(
                        span,
                        format!("{name}() cannot convert {}", t.name()),
                        "cannot convert".into(),
                        None,
                    );
                }
                match name {
                    "int" => Ty::Int,
                    "double" => Ty::Double,
                    "string" => Ty::String,
                    "timestamp" => Ty::Timestamp,
                    _ => Ty::Duration,
                }
            }
            (
                "getFullYear" | "getMonth" | "getDayOfMonth" | "getDayOfWeek" | "getDayOfYear"
                | "getHours" | "getMinutes" | "getSeconds",
                Some(target),
                0 | 1,
            ) => {
                let t = self.infer(target);
                if !(t.loose()
                    || t == Ty::Timestamp
                    || (t == Ty::Duration
                        && matches!(name, "getHours" | "getMinutes" | "getSeconds")))
                {
                    let span = self.span(target);
                    self.error(
                        span,
                        format!("{name}() needs a timestamp, not {}", t.name()),
                        "not a timestamp".into(),
                        None,
                    );
                }
                for a in args {
                    let t = self.infer(a);
                    self.expect(a, &t, &Ty::String, name);
                }
                Ty::Int
            }
            _ => {
                if let Some(t) = call.target.as_deref() {
                    self.infer(t);
                }
                for a in args {
                    self.infer(a);
                }
                let span = self.span(e);
                let shown = name.trim_matches('_');
                let help = match did_you_mean(shown, KNOWN_FUNCTIONS.iter().copied()) {
                    Some(s) if s != shown => format!("did you mean `{s}`?"),
                    _ => format!("rules can call: {}", KNOWN_FUNCTIONS.join(", ")),
                };
                self.error(
                    span,
                    format!("unknown function `{shown}` (or wrong number of arguments)"),
                    "unknown function".into(),
                    Some(help),
                );
                Ty::Error
            }
        }
    }

    fn arithmetic(&mut self, e: &IdedExpr, name: &str, a: Ty, b: Ty) -> Ty {
        use cel::common::ast::operators as op;
        if a.loose() || b.loose() {
            return if a.loose() { b } else { a };
        }
        let result = match (name, &a, &b) {
            (_, Ty::Int, Ty::Int) => Some(Ty::Int),
            (_, Ty::UInt, Ty::UInt) => Some(Ty::UInt),
            (n, Ty::Double, Ty::Double) if n != op::MODULO => Some(Ty::Double),
            (op::ADD, Ty::String, Ty::String) => Some(Ty::String),
            (op::ADD, Ty::List(_), Ty::List(_)) => Some(a.clone()),
            (op::ADD | op::SUBSTRACT, Ty::Duration, Ty::Duration) => Some(Ty::Duration),
            (op::ADD | op::SUBSTRACT, Ty::Timestamp, Ty::Duration) => Some(Ty::Timestamp),
            (op::ADD, Ty::Duration, Ty::Timestamp) => Some(Ty::Timestamp),
            (op::SUBSTRACT, Ty::Timestamp, Ty::Timestamp) => Some(Ty::Duration),
            _ => None,
        };
        result.unwrap_or_else(|| {
            let span = self.span(e);
            let symbol = name.trim_matches('_');
            let help = if a.numeric() && b.numeric() {
                "CEL does not mix ints and doubles: convert one side with double() or int()".to_string()
            } else {
                format!("`{symbol}` works on two numbers of the same type, two strings (`+` only), or timestamps and durations")
            };
            self.error(
                span,
                format!("`{symbol}` cannot combine {} and {}", a.name(), b.name()),
                "mismatched types".into(),
                Some(help),
            );
            Ty::Error
        })
    }

    fn expect(&mut self, e: &IdedExpr, got: &Ty, want: &Ty, func: &str) {
        if got.loose() || got == want {
            return;
        }
        let span = self.span(e);
        let what = match func.trim_matches('_') {
            "&&" | "||" | "!" | "@not_strictly_false" => "a condition".to_string(),
            "?:" => "the condition of `?:`".to_string(),
            other => format!("`{other}`"),
        };
        self.error(
            span,
            format!("{what} needs {}, but this is {}", want.name(), got.name()),
            format!("{} here", got.name()),
            None,
        );
    }

    /// When `field` is a vocabulary field (`lead.seniority`) and `other` is a
    /// string literal or a list of them, check each literal is a known value.
    fn check_vocab(&mut self, field: &IdedExpr, other: &IdedExpr) {
        let Node::Select(sel) = &field.expr else {
            return;
        };
        let Node::Ident(var) = &sel.operand.expr else {
            return;
        };
        let Some(obj) = OBJECTS.iter().find(|o| o.name == var) else {
            return;
        };
        if self.locals.iter().any(|(n, _)| n == var) {
            return;
        }
        let Some((_, fdef)) = obj.field(&sel.field) else {
            return;
        };
        let Some((what, values)) = self.vocab.values(fdef.vocab) else {
            return;
        };
        let literals: Vec<&IdedExpr> = match &other.expr {
            Node::Literal(LiteralValue::String(_)) => vec![other],
            Node::List(l) => l.elements.iter().collect(),
            _ => return,
        };
        for lit in literals {
            let Node::Literal(LiteralValue::String(s)) = &lit.expr else {
                continue;
            };
            let s: &str = s.as_ref();
            if s.is_empty() || values.contains(&s) {
                continue;
            }
            let span = self.span(lit);
            let help = match did_you_mean(s, values.iter().copied()) {
                Some(m) => format!(
                    "did you mean '{m}'? (`{}.{}` is one of: {})",
                    obj.name,
                    fdef.name,
                    values.join(", ")
                ),
                None => format!(
                    "`{}.{}` is one of: {}",
                    obj.name,
                    fdef.name,
                    values.join(", ")
                ),
            };
            self.error(
                span,
                format!("'{s}' is not a {what}"),
                format!("not a {what}"),
                Some(help),
            );
        }
    }
}

/// A value a rule reads. Absent data is never null in a rule: a record's
/// unset field reads as its zero value (`''`, `0`, `0.0`, `false`, the epoch),
/// so `lead.employees >= 200` is simply false for an unknown company size.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Bool(bool),
    Int(i64),
    Double(f64),
    String(String),
    /// Seconds since the Unix epoch, UTC.
    Timestamp(i64),
}

impl Value {
    fn zero(ty: FieldType) -> Value {
        match ty {
            FieldType::Bool => Value::Bool(false),
            FieldType::Int => Value::Int(0),
            FieldType::Double => Value::Double(0.0),
            FieldType::String => Value::String(String::new()),
            FieldType::Timestamp => Value::Timestamp(0),
        }
    }
    fn ty(&self) -> FieldType {
        match self {
            Value::Bool(_) => FieldType::Bool,
            Value::Int(_) => FieldType::Int,
            Value::Double(_) => FieldType::Double,
            Value::String(_) => FieldType::String,
            Value::Timestamp(_) => FieldType::Timestamp,
        }
    }
    fn to_cel(&self) -> cel::Value {
        match self {
            Value::Bool(b) => cel::Value::Bool(*b),
            Value::Int(i) => cel::Value::Int(*i),
            Value::Double(d) => cel::Value::Float(*d),
            Value::String(s) => cel::Value::String(Arc::new(s.clone())),
            Value::Timestamp(secs) => cel_timestamp(*secs),
        }
    }
}

fn cel_timestamp(secs: i64) -> cel::Value {
    let utc = chrono::FixedOffset::east_opt(0).expect("0 is a valid offset");
    let at = chrono::DateTime::from_timestamp(secs, 0).unwrap_or_default();
    cel::Value::Timestamp(at.with_timezone(&utc))
}

/// A field was set that the schema does not have, or with the wrong type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{object}.{field}`: {problem}")]
pub struct RecordError {
    pub object: &'static str,
    pub field: String,
    pub problem: &'static str,
}

/// One `lead`, `account`, `touch`, `rep` or `event` as a rule sees it: every
/// field of its [`Object`], each starting at its zero value.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    object: &'static Object,
    values: Vec<Value>,
}

impl Record {
    pub fn new(object: &'static Object) -> Record {
        Record {
            object,
            values: object.fields.iter().map(|f| Value::zero(f.ty)).collect(),
        }
    }

    /// Sets a field; refuses a field the schema lacks or a value of the wrong type.
    pub fn set(&mut self, field: &str, value: Value) -> Result<&mut Self, RecordError> {
        let Some((i, def)) = self.object.field(field) else {
            return Err(RecordError {
                object: self.object.name,
                field: field.to_string(),
                problem: "no such field",
            });
        };
        if def.ty != value.ty() {
            return Err(RecordError {
                object: self.object.name,
                field: field.to_string(),
                problem: "wrong type",
            });
        }
        self.values[i] = value;
        Ok(self)
    }

    pub fn get(&self, field: &str) -> Option<&Value> {
        self.object.field(field).map(|(i, _)| &self.values[i])
    }

    fn to_cel(&self) -> cel::Value {
        let map: std::collections::HashMap<cel::objects::Key, cel::Value> = self
            .object
            .fields
            .iter()
            .zip(&self.values)
            .map(|(f, v)| (cel::objects::Key::from(f.name), v.to_cel()))
            .collect();
        cel::Value::Map(cel::objects::Map { map: Arc::new(map) })
    }
}

/// The records one evaluation sees. Unset records read as all-zero records.
#[derive(Clone, Copy, Debug, Default)]
pub struct Bindings<'a> {
    pub lead: Option<&'a Record>,
    pub account: Option<&'a Record>,
    pub touch: Option<&'a Record>,
    pub rep: Option<&'a Record>,
    pub event: Option<&'a Record>,
    /// Seconds since the Unix epoch.
    pub now: i64,
}

/// A rule failed while being evaluated (it passed the static check, so this is
/// rare: e.g. an integer overflow).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("rule `{source_text}` failed: {message}")]
pub struct EvalError {
    pub source_text: String,
    pub message: String,
}

/// Evaluates rules: one root context (the standard library and the agreement's
/// constants), and per evaluation a cheap inner scope holding the records.
pub struct Evaluator {
    root: cel::Context<'static, 'static>,
}

impl Evaluator {
    pub fn new(mql_threshold: i64) -> Evaluator {
        let mut root = cel::Context::default();
        root.add_variable_from_value(Var::MqlThreshold.name(), cel::Value::Int(mql_threshold));
        Evaluator { root }
    }

    /// Evaluates a bool rule.
    pub fn eval_bool(&self, expr: &Expr, bindings: &Bindings<'_>) -> Result<bool, EvalError> {
        match self.eval_program(&expr.program, bindings) {
            Ok(cel::Value::Bool(b)) => Ok(b),
            Ok(other) => Err(EvalError {
                source_text: expr.source.clone(),
                message: format!("gave {other:?}, not a bool"),
            }),
            Err(e) => Err(EvalError {
                source_text: expr.source.clone(),
                message: e.to_string(),
            }),
        }
    }

    fn eval_program(
        &self,
        program: &cel::Program,
        b: &Bindings<'_>,
    ) -> Result<cel::Value, cel::ExecutionError> {
        let mut scope = self.root.new_inner_scope();
        let records = [
            (&LEAD, b.lead),
            (&ACCOUNT, b.account),
            (&TOUCH, b.touch),
            (&REP, b.rep),
            (&EVENT, b.event),
        ];
        for (object, record) in records {
            let value = match record {
                Some(r) => r.to_cel(),
                None => Record::new(object).to_cel(),
            };
            scope.add_variable_from_value(object.name, value);
        }
        scope.add_variable_from_value(Var::Now.name(), cel_timestamp(b.now));
        program.execute(&scope)
    }
}

const SAMPLE_MQL_THRESHOLD: i64 = 60;

/// Typed sample records for the compile-time evaluation: every string field
/// holds a value of its vocabulary, every number a small positive value.
struct Samples {
    lead: Record,
    account: Record,
    touch: Record,
    rep: Record,
    event: Record,
}

impl Samples {
    fn new(vocab: &Vocabularies) -> Samples {
        let make = |object: &'static Object| {
            let mut r = Record::new(object);
            for (i, field) in object.fields.iter().enumerate() {
                r.values[i] = match field.ty {
                    FieldType::Bool => Value::Bool(true),
                    FieldType::Int => Value::Int(50),
                    FieldType::Double => Value::Double(1_000_000.0),
                    // 2025-10-01T00:00:00Z
                    FieldType::Timestamp => Value::Timestamp(1_759_276_800),
                    FieldType::String => Value::String(
                        vocab
                            .values(field.vocab)
                            .and_then(|(_, v)| v.first().map(|s| s.to_string()))
                            .unwrap_or_else(|| format!("sample_{}", field.name)),
                    ),
                };
            }
            r
        };
        Samples {
            lead: make(&LEAD),
            account: make(&ACCOUNT),
            touch: make(&TOUCH),
            rep: make(&REP),
            event: make(&EVENT),
        }
    }

    fn bindings(&self) -> Bindings<'_> {
        Bindings {
            lead: Some(&self.lead),
            account: Some(&self.account),
            touch: Some(&self.touch),
            rep: Some(&self.rep),
            event: Some(&self.event),
            now: 1_760_000_000,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab() -> Vocabularies {
        Vocabularies {
            stages: ["lead", "mql", "sal"].map(String::from).to_vec(),
            personas: ["executive_buyer", "finance"].map(String::from).to_vec(),
            journey_stages: ["awareness", "decision"].map(String::from).to_vec(),
            rejection_reasons: ["no_budget", "student"].map(String::from).to_vec(),
        }
    }

    fn errors(src: &str, kind: RuleKind) -> Vec<ExprError> {
        Expr::compile(src, kind, &vocab()).expect_err("should not compile")
    }

    fn first(src: &str, kind: RuleKind) -> (String, String, Option<String>) {
        let e = errors(src, kind).remove(0);
        (src[e.span.clone()].to_string(), e.message, e.help)
    }

    #[test]
    fn good_rules_compile() {
        for (src, kind) in [
            ("lead.score >= mql_threshold && lead.seniority != 'student'", RuleKind::StageEntry),
            ("event.kind == 'rejected' && event.reason in ['no_budget']", RuleKind::StageEntry),
            ("lead.employees >= 200 && account.tier in ['enterprise', 'strategic']", RuleKind::Fit),
            ("lead.title.contains('CFO') || lead.title.matches('(?i)finance')", RuleKind::Persona),
            ("touch.kind == 'pricing_page_view' && now - touch.occurred_at < duration('720h')", RuleKind::Engagement),
            ("account.named && rep.id == account.owner_rep_id", RuleKind::Routing),
            ("[lead.region, account.region].exists(r, r == 'EMEA')", RuleKind::Fit),
            ("size(lead.email_domain) > 0 && double(lead.employees) * 1.5 > account.annual_revenue_usd", RuleKind::Fit),
            ("true", RuleKind::StageEntry),
        ] {
            if let Err(e) = Expr::compile(src, kind, &vocab()) {
                panic!("{src}: {e:?}");
            }
        }
    }

    #[test]
    fn unknown_field_suggests_the_closest() {
        let (text, msg, help) = first("lead.seniorty == 'vp'", RuleKind::Fit);
        assert_eq!(text, "lead.seniorty");
        assert_eq!(msg, "`lead` has no field `seniorty`");
        assert_eq!(help.as_deref(), Some("did you mean `lead.seniority`?"));
    }

    #[test]
    fn type_errors_are_found_statically() {
        let (text, msg, _) = first("lead.employees + 'x' > 0", RuleKind::Fit);
        assert_eq!(text, "lead.employees + 'x'");
        assert_eq!(msg, "`+` cannot combine an int and a string");
        let (_, msg, _) = first("lead.employees + 1", RuleKind::Fit);
        assert_eq!(msg, "a fit rule must be true or false, but this is an int");
        let (_, msg, _) = first("lead.score > 'high'", RuleKind::Fit);
        assert_eq!(msg, "an int and a string cannot be ordered");
    }

    #[test]
    fn variables_depend_on_where_the_rule_is() {
        let (text, msg, _) = first("touch.kind == 'chat'", RuleKind::Fit);
        assert_eq!(text, "touch");
        assert_eq!(msg, "`touch` is not available in a fit rule");
        let (_, msg, help) = first("laed.score > 1", RuleKind::Fit);
        assert_eq!(msg, "unknown name `laed`");
        assert_eq!(help.as_deref(), Some("did you mean `lead`?"));
    }

    #[test]
    fn literals_are_checked_against_vocabularies() {
        let (text, msg, help) = first("lead.seniority == 'studnet'", RuleKind::Fit);
        assert_eq!(text, "'studnet'");
        assert_eq!(msg, "'studnet' is not a seniority");
        assert!(help.unwrap().starts_with("did you mean 'student'?"));
        let (_, msg, _) = first(
            "event.reason in ['no_budget', 'too_expensive']",
            RuleKind::StageEntry,
        );
        assert_eq!(msg, "'too_expensive' is not a declared rejection reason");
        let (_, msg, _) = first("lead.persona == 'cfo'", RuleKind::Fit);
        assert_eq!(msg, "'cfo' is not a declared persona");
    }

    #[test]
    fn syntax_errors_keep_their_position() {
        let errs = errors("lead.score >= && true", RuleKind::Fit);
        assert!(
            errs[0].message.starts_with("expression does not parse"),
            "{errs:?}"
        );
        assert_eq!(errs[0].span.start, 14);
    }

    #[test]
    fn sample_evaluation_catches_what_the_walker_misses() {
        let errs = errors("lead.title.matches('[')", RuleKind::Persona);
        assert!(errs[0].message.contains("cannot be evaluated"), "{errs:?}");
    }

    #[test]
    fn evaluator_reads_records_and_zero_values() {
        let vocab = vocab();
        let expr = Expr::compile(
            "lead.score >= mql_threshold && lead.employees == 0 && now > lead.created_at",
            RuleKind::StageEntry,
            &vocab,
        )
        .unwrap();
        let mut lead = Record::new(&LEAD);
        lead.set("score", Value::Int(70))
            .unwrap()
            .set("created_at", Value::Timestamp(100))
            .unwrap();
        let ev = Evaluator::new(60);
        let b = Bindings {
            lead: Some(&lead),
            now: 200,
            ..Bindings::default()
        };
        assert_eq!(ev.eval_bool(&expr, &b), Ok(true));
        lead.set("score", Value::Int(59)).unwrap();
        let b = Bindings {
            lead: Some(&lead),
            now: 200,
            ..Bindings::default()
        };
        assert_eq!(ev.eval_bool(&expr, &b), Ok(false));
        assert!(lead.set("scroe", Value::Int(1)).is_err());
        assert!(lead.set("score", Value::String("x".into())).is_err());
    }
}
