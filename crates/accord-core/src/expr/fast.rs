//! The compiled evaluator: a rule lowered into accord's own typed tree
//! ([`Node`], built by `lower`) and evaluated over a [`Scope`] without
//! allocating. Its semantics are cel's, operator by operator (the
//! differential test in `fast_tests` holds the two together):
//!
//! - `&&` / `||` evaluate the left side, stop if it decides, else evaluate
//!   the right side; an error on the right is the result, an error on the
//!   left is forgiven only when the right side decides (`error || true`);
//! - ints overflow into an error; a zero divisor is an error;
//! - a timestamp is whole seconds in `0001-01-01..=9999-12-31` after
//!   arithmetic (else an overflow), a duration fits in i64 nanoseconds;
//! - a record's timestamp outside chrono's range reads as the epoch (as
//!   `eval` hands it to cel);
//! - equality across types is false, except ints and doubles, compared as
//!   doubles; ordering a NaN is an error.

use std::cmp::Ordering;

use super::schema::Var;

/// What a rule reads: the engine implements this over its own state (no
/// `Record` building).
pub trait Scope {
    /// The value of field number `field` (index into the Object's `fields`)
    /// of the record `var` (`Var::Lead/Account/Touch/Rep/Event`). An absent
    /// record reads as all-zero values. The value must have the field's type.
    fn field(&self, var: Var, field: usize) -> Val<'_>;
    /// `now`, seconds since the Unix epoch.
    fn now(&self) -> i64;
}

/// A field's value, as a [`Scope`] gives it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Val<'a> {
    Bool(bool),
    Int(i64),
    Double(f64),
    Str(&'a str),
    /// Seconds since the Unix epoch, UTC.
    Timestamp(i64),
}

/// A value during evaluation: a [`Val`] or a duration (seconds).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum V<'a> {
    Bool(bool),
    Int(i64),
    Double(f64),
    Str(&'a str),
    Ts(i64),
    Dur(i64),
}

/// A constant of the lowered tree (a literal, or a folded
/// `timestamp('…')` / `duration('…')`).
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Lit {
    Bool(bool),
    Int(i64),
    Double(f64),
    Str(Box<str>),
    Ts(i64),
    Dur(i64),
}

impl Lit {
    fn v(&self) -> V<'_> {
        match self {
            Lit::Bool(b) => V::Bool(*b),
            Lit::Int(i) => V::Int(*i),
            Lit::Double(d) => V::Double(*d),
            Lit::Str(s) => V::Str(s),
            Lit::Ts(t) => V::Ts(*t),
            Lit::Dur(d) => V::Dur(*d),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Cmp {
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Arith {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Text {
    Contains,
    StartsWith,
    EndsWith,
}

/// A rule lowered for [`Scope`]s.
#[derive(Debug)]
pub struct Compiled(pub(super) Node);

/// A lowered rule: field reads resolved to indexes, literals folded.
#[derive(Debug)]
pub(super) enum Node {
    Lit(Lit),
    Field(Var, usize),
    Now,
    Threshold,
    Not(Box<Node>),
    And(Box<(Node, Node)>),
    Or(Box<(Node, Node)>),
    Cond(Box<(Node, Node, Node)>),
    /// `==` (false) or `!=` (true).
    Eq(Box<(Node, Node)>, bool),
    Cmp(Cmp, Box<(Node, Node)>),
    Arith(Arith, Box<(Node, Node)>),
    Neg(Box<Node>),
    /// `x in [literals]`.
    In(Box<Node>, Box<[Lit]>),
    Size(Box<Node>),
    Text(Text, Box<(Node, Node)>),
    Matches(Box<Node>, Box<regex::Regex>),
}

impl Node {
    /// Whether the node reads `var`'s field `index` (every field: `None`).
    fn reads_field(&self, var: Var, index: Option<usize>) -> bool {
        let r = |n: &Node| n.reads_field(var, index);
        match self {
            Node::Field(v, i) => *v == var && index.is_none_or(|x| x == *i),
            Node::Lit(_) | Node::Now | Node::Threshold => false,
            Node::Not(a) | Node::Neg(a) | Node::In(a, _) | Node::Size(a) | Node::Matches(a, _) => {
                r(a)
            }
            Node::And(ab)
            | Node::Or(ab)
            | Node::Eq(ab, _)
            | Node::Cmp(_, ab)
            | Node::Arith(_, ab)
            | Node::Text(_, ab) => r(&ab.0) || r(&ab.1),
            Node::Cond(c) => r(&c.0) || r(&c.1) || r(&c.2),
        }
    }

    /// The conjuncts of a chain of `&&` (the node itself when it is not one).
    fn conjuncts<'a>(&'a self, out: &mut Vec<&'a Node>) {
        match self {
            Node::And(ab) => {
                ab.0.conjuncts(out);
                ab.1.conjuncts(out);
            }
            n => out.push(n),
        }
    }
}

impl Compiled {
    /// See [`super::Expr::fields_read`].
    pub(super) fn fields_read(&self, var: Var, fields: usize) -> Vec<usize> {
        (0..fields)
            .filter(|&i| self.0.reads_field(var, Some(i)))
            .collect()
    }

    /// See [`super::Expr::false_whatever`].
    pub(super) fn false_whatever(&self, var: Var, scope: &dyn Scope, mql: i64) -> bool {
        let mut all = Vec::new();
        self.0.conjuncts(&mut all);
        all.into_iter()
            .any(|n| !n.reads_field(var, None) && test(n, scope, mql) == Ok(false))
    }

    /// See [`super::Expr::pinned`].
    pub(super) fn pinned(
        &self,
        var: Var,
        field: usize,
        scope: &dyn Scope,
        mql: i64,
    ) -> Option<String> {
        let mut all = Vec::new();
        self.0.conjuncts(&mut all);
        all.into_iter().find_map(|n| {
            let Node::Eq(ab, false) = n else {
                return None;
            };
            let other = match (&ab.0, &ab.1) {
                (Node::Field(v, i), other) | (other, Node::Field(v, i))
                    if *v == var && *i == field =>
                {
                    other
                }
                _ => return None,
            };
            if other.reads_field(var, None) {
                return None;
            }
            match eval(other, scope, mql) {
                Ok(V::Str(s)) => Some(s.to_owned()),
                _ => None,
            }
        })
    }
}

/// Why an evaluation failed; turned into cel's words by `eval::failure`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Fault {
    /// cel's operator name: `add`, `sub`, `mul`, `div`, `rem`, `negate`.
    Overflow(&'static str),
    DivisionByZero,
    RemainderByZero,
    /// Two values that do not order (a NaN); true where the side is an int.
    NotComparable(Cmp, bool, bool),
    /// The scope gave a value of another type than the field's, or an
    /// operator met types the lowering does not let through.
    Type,
}

/// The first and last second a cel timestamp may hold after arithmetic.
const MIN_TS: i64 = -62_135_596_800; // 0001-01-01T00:00:00Z
const MAX_TS: i64 = 253_402_300_799; // 9999-12-31T23:59:59Z

type R<'a> = Result<V<'a>, Fault>;

/// Evaluates a bool rule.
pub(super) fn test(node: &Node, scope: &dyn Scope, mql: i64) -> Result<bool, Fault> {
    match eval(node, scope, mql)? {
        V::Bool(b) => Ok(b),
        _ => Err(Fault::Type),
    }
}

fn boolean(r: R<'_>) -> Result<bool, Fault> {
    match r? {
        V::Bool(b) => Ok(b),
        _ => Err(Fault::Type),
    }
}

/// A timestamp as cel sees a record's: outside chrono's range, the epoch.
fn instant(secs: i64) -> i64 {
    if chrono::DateTime::from_timestamp(secs, 0).is_some() {
        secs
    } else {
        0
    }
}

fn field<'a>(scope: &'a dyn Scope, var: Var, index: usize) -> R<'a> {
    let ty = var
        .object()
        .ok_or(Fault::Type)?
        .fields
        .get(index)
        .ok_or(Fault::Type)?
        .ty;
    use super::schema::FieldType as F;
    Ok(match (scope.field(var, index), ty) {
        (Val::Bool(b), F::Bool) => V::Bool(b),
        (Val::Int(i), F::Int) => V::Int(i),
        (Val::Double(d), F::Double) => V::Double(d),
        (Val::Str(s), F::String) => V::Str(s),
        (Val::Timestamp(t), F::Timestamp) => V::Ts(instant(t)),
        _ => return Err(Fault::Type),
    })
}

pub(super) fn eval<'a>(node: &'a Node, scope: &'a dyn Scope, mql: i64) -> R<'a> {
    let ev = |n: &'a Node| eval(n, scope, mql);
    match node {
        Node::Lit(l) => Ok(l.v()),
        Node::Field(var, index) => field(scope, *var, *index),
        Node::Now => Ok(V::Ts(instant(scope.now()))),
        Node::Threshold => Ok(V::Int(mql)),
        Node::Not(a) => Ok(V::Bool(!boolean(ev(a))?)),
        Node::And(ab) => {
            let left = boolean(ev(&ab.0));
            if left == Ok(false) {
                return Ok(V::Bool(false));
            }
            let right = boolean(ev(&ab.1))?;
            match (left, right) {
                (Ok(_), r) => Ok(V::Bool(r)),
                (Err(_), false) => Ok(V::Bool(false)),
                (Err(e), true) => Err(e),
            }
        }
        Node::Or(ab) => {
            let left = boolean(ev(&ab.0));
            if left == Ok(true) {
                return Ok(V::Bool(true));
            }
            let right = boolean(ev(&ab.1))?;
            match (left, right) {
                (Ok(_), r) => Ok(V::Bool(r)),
                (Err(_), true) => Ok(V::Bool(true)),
                (Err(e), false) => Err(e),
            }
        }
        Node::Cond(c) => {
            if boolean(ev(&c.0))? {
                ev(&c.1)
            } else {
                ev(&c.2)
            }
        }
        Node::Eq(ab, negated) => {
            let (a, b) = (ev(&ab.0)?, ev(&ab.1)?);
            Ok(V::Bool(equal(a, b) != *negated))
        }
        Node::Cmp(op, ab) => {
            let (a, b) = (ev(&ab.0)?, ev(&ab.1)?);
            let ord = order(*op, a, b)?;
            Ok(V::Bool(match op {
                Cmp::Lt => ord == Ordering::Less,
                Cmp::Le => ord != Ordering::Greater,
                Cmp::Gt => ord == Ordering::Greater,
                Cmp::Ge => ord != Ordering::Less,
            }))
        }
        Node::Arith(op, ab) => {
            let (a, b) = (ev(&ab.0)?, ev(&ab.1)?);
            arith(*op, a, b)
        }
        Node::Neg(a) => match ev(a)? {
            V::Int(i) => i.checked_neg().map(V::Int).ok_or(Fault::Overflow("negate")),
            V::Double(d) => Ok(V::Double(-d)),
            _ => Err(Fault::Type),
        },
        Node::In(a, list) => {
            let a = ev(a)?;
            Ok(V::Bool(list.iter().any(|l| equal(a, l.v()))))
        }
        Node::Size(a) => match ev(a)? {
            V::Str(s) => Ok(V::Int(s.chars().count() as i64)),
            _ => Err(Fault::Type),
        },
        Node::Text(op, ab) => match (ev(&ab.0)?, ev(&ab.1)?) {
            (V::Str(s), V::Str(t)) => Ok(V::Bool(match op {
                Text::Contains => s.contains(t),
                Text::StartsWith => s.starts_with(t),
                Text::EndsWith => s.ends_with(t),
            })),
            _ => Err(Fault::Type),
        },
        Node::Matches(a, re) => match ev(a)? {
            V::Str(s) => Ok(V::Bool(re.is_match(s))),
            _ => Err(Fault::Type),
        },
    }
}

/// cel's `==`: false across types, but ints and doubles compare as doubles.
fn equal(a: V<'_>, b: V<'_>) -> bool {
    match (a, b) {
        (V::Int(x), V::Double(y)) => (x as f64) == y,
        (V::Double(x), V::Int(y)) => x == (y as f64),
        (a, b) => a == b,
    }
}

/// cel's ordering: same types, or an int and a double; a NaN does not order.
fn order(op: Cmp, a: V<'_>, b: V<'_>) -> Result<Ordering, Fault> {
    let doubles = |x: f64, y: f64, xi: bool, yi: bool| {
        x.partial_cmp(&y).ok_or(Fault::NotComparable(op, xi, yi))
    };
    match (a, b) {
        (V::Int(x), V::Int(y)) => Ok(x.cmp(&y)),
        (V::Double(x), V::Double(y)) => doubles(x, y, false, false),
        (V::Int(x), V::Double(y)) => doubles(x as f64, y, true, false),
        (V::Double(x), V::Int(y)) => doubles(x, y as f64, false, true),
        (V::Str(x), V::Str(y)) => Ok(x.cmp(y)),
        (V::Ts(x), V::Ts(y)) | (V::Dur(x), V::Dur(y)) => Ok(x.cmp(&y)),
        (V::Bool(x), V::Bool(y)) => Ok(x.cmp(&y)),
        _ => Err(Fault::Type),
    }
}

fn name(op: Arith) -> &'static str {
    match op {
        Arith::Add => "add",
        Arith::Sub => "sub",
        Arith::Mul => "mul",
        Arith::Div => "div",
        Arith::Rem => "rem",
    }
}

/// A timestamp result: within cel's range, else an overflow of `op`.
fn ts(t: Option<i64>, op: Arith) -> R<'static> {
    match t {
        Some(t) if (MIN_TS..=MAX_TS).contains(&t) => Ok(V::Ts(t)),
        _ => Err(Fault::Overflow(name(op))),
    }
}

/// A duration result: within i64 nanoseconds, else an overflow of `op`.
fn dur(d: Option<i64>, op: Arith) -> R<'static> {
    match d {
        Some(d) if d.checked_mul(1_000_000_000).is_some() => Ok(V::Dur(d)),
        _ => Err(Fault::Overflow(name(op))),
    }
}

fn arith(op: Arith, a: V<'_>, b: V<'_>) -> R<'static> {
    use Arith::*;
    let overflow = Fault::Overflow(name(op));
    match (op, a, b) {
        (Div, V::Int(_), V::Int(0)) => Err(Fault::DivisionByZero),
        (Rem, V::Int(_), V::Int(0)) => Err(Fault::RemainderByZero),
        (_, V::Int(x), V::Int(y)) => match op {
            Add => x.checked_add(y),
            Sub => x.checked_sub(y),
            Mul => x.checked_mul(y),
            Div => x.checked_div(y),
            Rem => x.checked_rem(y),
        }
        .map(V::Int)
        .ok_or(overflow),
        (_, V::Double(x), V::Double(y)) => match op {
            Add => Ok(V::Double(x + y)),
            Sub => Ok(V::Double(x - y)),
            Mul => Ok(V::Double(x * y)),
            Div => Ok(V::Double(x / y)),
            Rem => Err(Fault::Type),
        },
        (Add, V::Ts(t), V::Dur(d)) | (Add, V::Dur(d), V::Ts(t)) => ts(t.checked_add(d), op),
        (Sub, V::Ts(t), V::Dur(d)) => ts(t.checked_sub(d), op),
        (Sub, V::Ts(x), V::Ts(y)) => dur(x.checked_sub(y), op),
        (Add, V::Dur(x), V::Dur(y)) => dur(x.checked_add(y), op),
        (Sub, V::Dur(x), V::Dur(y)) => dur(x.checked_sub(y), op),
        _ => Err(Fault::Type),
    }
}
