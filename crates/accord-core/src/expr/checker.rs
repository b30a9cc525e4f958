//! accord's static checker: infers a type for every node of a parsed rule
//! against the closed schema, and reports what cannot work.

use std::ops::Range;

use cel::common::ast::{ComprehensionExpr, Expr as Node, IdedExpr, LiteralValue};

use super::schema::*;
use super::{did_you_mean, ExprError, MAX_ITERATED_ITEMS, MAX_REGEX_BYTES};

/// A type the checker infers.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Ty {
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
    pub(super) fn name(&self) -> String {
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

/// Infers the type of every node of `program` (parsed from `source`) and
/// returns every problem found, including a rule that is not a bool.
pub(super) fn check(
    source: &str,
    program: &cel::Program,
    kind: RuleKind,
    vocab: &Vocabularies,
) -> Vec<ExprError> {
    let mut checker = Checker {
        source,
        info: program.source_info(),
        chars: source.char_indices().map(|(b, _)| b).collect(),
        kind,
        vocab,
        locals: Vec::new(),
        iterating: false,
        iterated: 0,
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
    checker.errors
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
    /// Inside a comprehension (`all`, `exists`, `map`...).
    iterating: bool,
    /// List and map items written inside the comprehensions so far.
    iterated: usize,
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
            let mut end = self.byte(stop.saturating_add(1)).max(s);
            // A selection is recorded at its dot: cover the field name too.
            if let Node::Select(sel) = &e.expr {
                if let Some(rest) = self.source.get(s..).and_then(|r| r.strip_prefix('.')) {
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
                    let rest = self.source.get(r.end..).unwrap_or("");
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
                if !self.iteration_within_limits(e) {
                    return Ty::Error;
                }
                self.iterating = true;
                let ty = self.comprehension(c);
                self.iterating = false;
                ty
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

    /// Refuses a comprehension inside another, and more than
    /// [`MAX_ITERATED_ITEMS`] list or map items written inside the rule's
    /// comprehensions in all: the sample evaluation runs the loops, and
    /// nested loops over long lists made one rule take seconds.
    fn iteration_within_limits(&mut self, e: &IdedExpr) -> bool {
        if self.iterating {
            let span = self.span(e);
            self.error(
                span,
                "`all`, `exists`, `exists_one`, `map` and `filter` cannot be nested".into(),
                "inside another".into(),
                Some("write the inner condition without iterating, e.g. with `in [...]`".into()),
            );
            return false;
        }
        // `e` is a comprehension: its items are those of its parts.
        self.iterated += items(e);
        if self.iterated > MAX_ITERATED_ITEMS {
            let span = self.span(e);
            self.error(
                span,
                format!(
                    "the lists iterated by `all`, `exists`, `map`... hold more than {MAX_ITERATED_ITEMS} items in all"
                ),
                "too many items".into(),
                Some("iterate a short list, e.g. `[lead.region, account.region].exists(r, r == 'EMEA')`; test a value against a long list with `in [...]`".into()),
            );
            return false;
        }
        true
    }

    fn comprehension(&mut self, c: &ComprehensionExpr) -> Ty {
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

    /// Refuses a literal regular expression that compiles to more than
    /// [`MAX_REGEX_BYTES`]: cel compiles it with regex's default limit of
    /// 10 MB, which took ~90 ms for `\w{500}\w{500}`, per rule. A small
    /// limit fails as soon as it is passed. Syntax errors are left to the
    /// sample evaluation, which reports them.
    fn pattern_within_limits(&mut self, arg: &IdedExpr) {
        let Node::Literal(LiteralValue::String(pattern)) = &arg.expr else {
            return;
        };
        let built = regex::RegexBuilder::new(pattern)
            .size_limit(MAX_REGEX_BYTES)
            .build();
        if let Err(regex::Error::CompiledTooBig(_)) = built {
            let span = self.span(arg);
            self.error(
                span,
                format!("the regular expression is too large: it compiles to more than {} KiB", MAX_REGEX_BYTES / 1024),
                "too large".into(),
                Some("use fewer or smaller repetitions (`{n}`), or test the value with `in [...]`, `startsWith`, `contains`".into()),
            );
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
                if name == "matches" {
                    self.pattern_within_limits(&args[0]);
                }
                Ty::Bool
            }
            ("matches", None, 2) => {
                for a in args {
                    let t = self.infer(a);
                    self.expect(a, &t, &Ty::String, name);
                }
                self.pattern_within_limits(&args[1]);
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

/// The list and map items written in `e` (in literals, at any depth).
fn items(e: &IdedExpr) -> usize {
    match &e.expr {
        Node::List(l) => l.elements.len() + l.elements.iter().map(items).sum::<usize>(),
        Node::Map(m) => m.entries.len() * 2,
        Node::Call(c) => {
            c.target.iter().map(|t| items(t)).sum::<usize>()
                + c.args.iter().map(items).sum::<usize>()
        }
        Node::Select(s) => items(&s.operand),
        Node::Comprehension(c) => [
            &c.iter_range,
            &c.accu_init,
            &c.loop_cond,
            &c.loop_step,
            &c.result,
        ]
        .into_iter()
        .map(items)
        .sum(),
        _ => 0,
    }
}
