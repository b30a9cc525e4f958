//! Evaluating compiled rules: the records a rule reads and one root context
//! with a cheap inner scope per evaluation.

use std::sync::Arc;

use super::fast::{Fault, Scope, Val};
use super::schema::*;
use super::Expr;

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

    pub fn object(&self) -> &'static Object {
        self.object
    }

    pub fn get(&self, field: &str) -> Option<&Value> {
        self.object.field(field).map(|(i, _)| &self.values[i])
    }

    /// The record `var` as `scope` reads it.
    fn from_scope(object: &'static Object, var: Var, scope: &dyn Scope) -> Record {
        let values = (0..object.fields.len())
            .map(|i| match scope.field(var, i) {
                Val::Bool(b) => Value::Bool(b),
                Val::Int(i) => Value::Int(i),
                Val::Double(d) => Value::Double(d),
                Val::Str(s) => Value::String(s.to_string()),
                Val::Timestamp(t) => Value::Timestamp(t),
            })
            .collect();
        Record { object, values }
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

/// The value of a field as a [`Scope`] gives it.
fn val(value: &Value) -> Val<'_> {
    match value {
        Value::Bool(b) => Val::Bool(*b),
        Value::Int(i) => Val::Int(*i),
        Value::Double(d) => Val::Double(*d),
        Value::String(s) => Val::Str(s),
        Value::Timestamp(t) => Val::Timestamp(*t),
    }
}

/// The zero value of a field, as an absent record reads.
fn zero(ty: FieldType) -> Val<'static> {
    match ty {
        FieldType::Bool => Val::Bool(false),
        FieldType::Int => Val::Int(0),
        FieldType::Double => Val::Double(0.0),
        FieldType::String => Val::Str(""),
        FieldType::Timestamp => Val::Timestamp(0),
    }
}

impl Scope for Bindings<'_> {
    fn field(&self, var: Var, field: usize) -> Val<'_> {
        let (record, object) = match var {
            Var::Lead => (self.lead, &LEAD),
            Var::Account => (self.account, &ACCOUNT),
            Var::Touch => (self.touch, &TOUCH),
            Var::Rep => (self.rep, &REP),
            Var::Event => (self.event, &EVENT),
            Var::Now | Var::MqlThreshold => return Val::Int(0),
        };
        match record {
            Some(r) => r.values.get(field).map_or(Val::Int(0), val),
            None => object.fields.get(field).map_or(Val::Int(0), |f| zero(f.ty)),
        }
    }

    fn now(&self) -> i64 {
        self.now
    }
}

/// A failure of the lowered evaluator in cel's words (one text for both paths).
pub(super) fn fault_message(fault: Fault) -> String {
    use super::fast::Cmp;
    use cel::ExecutionError as E;
    let number = |int: bool| if int { "int" } else { "double" }.to_string();
    match fault {
        Fault::Overflow(op) => failure(&E::Overflow(op, cel::Value::Null, cel::Value::Null)),
        Fault::DivisionByZero => failure(&E::DivisionByZero(cel::Value::Null)),
        Fault::RemainderByZero => failure(&E::RemainderByZero(cel::Value::Null)),
        Fault::NotComparable(op, a, b) => {
            let op = match op {
                Cmp::Lt => "_<_",
                Cmp::Le => "_<=_",
                Cmp::Gt => "_>_",
                Cmp::Ge => "_>=_",
            };
            failure(&E::no_such_overload(op, vec![number(a), number(b)]))
        }
        Fault::Type => "a value has another type than its field's".into(),
    }
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
    mql_threshold: i64,
}

impl Evaluator {
    pub fn new(mql_threshold: i64) -> Evaluator {
        let mut root = cel::Context::default();
        root.add_variable_from_value(Var::MqlThreshold.name(), cel::Value::Int(mql_threshold));
        Evaluator {
            root,
            mql_threshold,
        }
    }

    /// Evaluates a bool rule (lowered when it can be: [`Expr::test`]).
    pub fn eval_bool(&self, expr: &Expr, bindings: &Bindings<'_>) -> Result<bool, EvalError> {
        match &*expr.lowered {
            super::Lowered::Fast(_) => expr.test(bindings, self.mql_threshold),
            super::Lowered::Fallback(_) => self.eval_bool_cel(expr, bindings),
        }
    }

    /// Evaluates a bool rule through cel, over records read from `scope`.
    pub(super) fn eval_scope(&self, expr: &Expr, scope: &dyn Scope) -> Result<bool, EvalError> {
        let records = [
            (Var::Lead, &LEAD),
            (Var::Account, &ACCOUNT),
            (Var::Touch, &TOUCH),
            (Var::Rep, &REP),
            (Var::Event, &EVENT),
        ]
        .map(|(var, object)| Record::from_scope(object, var, scope));
        let bindings = Bindings {
            lead: Some(&records[0]),
            account: Some(&records[1]),
            touch: Some(&records[2]),
            rep: Some(&records[3]),
            event: Some(&records[4]),
            now: scope.now(),
        };
        self.eval_bool_cel(expr, &bindings)
    }

    /// Evaluates a bool rule through cel, lowered or not: the reference
    /// path (tests, benches) and the path of a rule that is not lowered.
    pub fn eval_bool_cel(&self, expr: &Expr, bindings: &Bindings<'_>) -> Result<bool, EvalError> {
        match self.eval_program(&expr.program, bindings) {
            Ok(cel::Value::Bool(b)) => Ok(b),
            Ok(other) => Err(EvalError {
                source_text: expr.source.clone(),
                message: format!("gave {}, not a bool", describe(&other)),
            }),
            Err(e) => Err(EvalError {
                source_text: expr.source.clone(),
                message: failure(&e),
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

thread_local! {
    /// The last evaluator this thread made: cel's root context costs tens
    /// of microseconds to build, the rule itself a few.
    static EVALUATOR: std::cell::RefCell<Option<Evaluator>> = const { std::cell::RefCell::new(None) };
}

/// Calls `f` with an evaluator for `mql_threshold`, made once per thread
/// (and again when the threshold changes). Taken out while `f` runs, so a
/// call within `f` (a `Scope` evaluating a rule) makes its own.
pub(super) fn with_evaluator<T>(mql_threshold: i64, f: impl FnOnce(&Evaluator) -> T) -> T {
    let kept = EVALUATOR
        .with(|cell| cell.borrow_mut().take())
        .filter(|e| e.mql_threshold == mql_threshold);
    let evaluator = kept.unwrap_or_else(|| Evaluator::new(mql_threshold));
    let out = f(&evaluator);
    EVALUATOR.with(|cell| *cell.borrow_mut() = Some(evaluator));
    out
}

const SAMPLE_MQL_THRESHOLD: i64 = 60;

/// Runs `program` once on typed sample records: what went wrong, if anything.
pub(super) fn sample_problem(program: &cel::Program, vocab: &Vocabularies) -> Option<String> {
    let evaluator = Evaluator::new(SAMPLE_MQL_THRESHOLD);
    let samples = Samples::new(vocab);
    match evaluator.eval_program(program, &samples.bindings()) {
        Ok(cel::Value::Bool(_)) => None,
        Ok(other) => Some(format!(
            "it gave {} on a sample record, not true or false",
            describe(&other)
        )),
        Err(e) => Some(format!("it failed on a sample record: {}", failure(&e))),
    }
}

/// A value in words, without cel's debug text (a record is a whole map).
fn describe(v: &cel::Value) -> String {
    match v {
        cel::Value::Int(i) => format!("the int {i}"),
        cel::Value::UInt(u) => format!("the uint {u}"),
        cel::Value::Float(x) => format!("the double {x}"),
        cel::Value::Bool(b) => format!("{b}"),
        cel::Value::Null => "null".into(),
        cel::Value::String(s) if s.chars().count() <= 40 => format!("the string '{s}'"),
        other => format!("a {}", other.type_of()),
    }
}

/// An evaluation error in words: cel's own text quotes whole values as Rust
/// debug text.
fn failure(e: &cel::ExecutionError) -> String {
    use cel::ExecutionError as E;
    let kind = |v: &cel::Value| format!("a {}", v.type_of());
    match e {
        E::InvalidArgumentCount { expected, actual } => {
            format!("a function takes {expected} arguments, not {actual}")
        }
        E::UnsupportedTargetType { target } => {
            format!("a function cannot be applied to {}", kind(target))
        }
        E::NotSupportedAsMethod { method, target } => {
            format!("`{method}` cannot be called on {}", kind(target))
        }
        E::UnsupportedKeyType(v) => format!("{} cannot be a map key", kind(v)),
        E::UnexpectedType { got, want } => format!("it got a {got} where a {want} is needed"),
        E::NoSuchKey(k) => format!("there is no field `{k}`"),
        E::NoSuchOverload(o) => o.to_string(),
        E::UndeclaredReference(name) => format!("`{name}` is not known"),
        E::ValuesNotComparable(a, b) => {
            format!("{} cannot be compared with {}", kind(a), kind(b))
        }
        E::UnsupportedBinaryOperator(op, a, b) => {
            format!("`{op}` cannot be applied to {} and {}", kind(a), kind(b))
        }
        E::UnsupportedIndex(i, v) => format!("{} cannot index {}", kind(i), kind(v)),
        E::FunctionError { function, message } => {
            format!("`{function}` failed: {message}")
        }
        E::DivisionByZero(_) => "it divides by zero".into(),
        E::RemainderByZero(_) => "it takes a remainder by zero".into(),
        E::Overflow(op, _, _) => format!("`{op}` overflows"),
        E::IndexOutOfBounds(_) => "an index is out of bounds".into(),
        E::DuplicateKey(_) => "a map literal repeats a key".into(),
        _ => "it cannot be evaluated".into(),
    }
}

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
