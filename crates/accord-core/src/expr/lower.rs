//! Lowering a checked cel tree into accord's own typed tree ([`Node`]):
//! field reads become (record, field index), literals are kept or folded
//! (`timestamp('…')`, `duration('…')` to seconds), a `matches` pattern is
//! compiled once. What is not lowered stays on the cel path for that rule,
//! with the reason in [`Lowered::Fallback`].

use cel::common::ast::{operators as op, CallExpr, Expr as Ast, IdedExpr, LiteralValue};

use super::fast::{Arith, Cmp, Compiled, Lit, Node, Text};
use super::schema::{Var, ACCOUNT, EVENT, LEAD, REP, TOUCH};
use super::MAX_REGEX_BYTES;

/// How a rule is evaluated.
#[derive(Debug)]
pub enum Lowered {
    /// By accord's evaluator, without allocating.
    Fast(Compiled),
    /// Through cel, because of what the reason says.
    Fallback(String),
}

/// The static type of a lowered node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ty {
    Bool,
    Int,
    Double,
    Str,
    Ts,
    Dur,
}

/// A lowered node and its type.
type Typed = (Node, Ty);
type Out = Result<Typed, String>;

/// Lowers a checked bool rule.
pub(super) fn lower(root: &IdedExpr) -> Lowered {
    match node(root) {
        Ok((n, Ty::Bool)) => Lowered::Fast(Compiled(n)),
        Ok((_, ty)) => Lowered::Fallback(format!("the rule gives a {ty:?}, not a bool")),
        Err(reason) => Lowered::Fallback(reason),
    }
}

/// The variables a rule names, as a bit per [`Var::ALL`] index (a
/// comprehension variable that shadows one counts as reading it).
pub(super) fn reads(e: &IdedExpr) -> u8 {
    match &e.expr {
        Ast::Ident(name) => Var::ALL
            .iter()
            .position(|v| v.name() == name)
            .map_or(0, |i| 1 << i),
        Ast::Select(s) => reads(&s.operand),
        Ast::Call(c) => {
            c.target.as_deref().map_or(0, reads) | c.args.iter().fold(0, |m, a| m | reads(a))
        }
        Ast::List(l) => l.elements.iter().fold(0, |m, a| m | reads(a)),
        Ast::Map(m) => m.entries.iter().fold(0, |acc, entry| match &entry.expr {
            cel::common::ast::EntryExpr::MapEntry(me) => acc | reads(&me.key) | reads(&me.value),
            cel::common::ast::EntryExpr::StructField(f) => acc | reads(&f.value),
        }),
        Ast::Struct(s) => s.entries.iter().fold(0, |acc, entry| match &entry.expr {
            cel::common::ast::EntryExpr::MapEntry(me) => acc | reads(&me.key) | reads(&me.value),
            cel::common::ast::EntryExpr::StructField(f) => acc | reads(&f.value),
        }),
        Ast::Comprehension(c) => [
            &c.iter_range,
            &c.accu_init,
            &c.loop_cond,
            &c.loop_step,
            &c.result,
        ]
        .into_iter()
        .fold(0, |m, a| m | reads(a)),
        Ast::Literal(_) | Ast::Unspecified => 0,
    }
}

fn record(name: &str) -> Option<(Var, &'static super::schema::Object)> {
    Some(match name {
        "lead" => (Var::Lead, &LEAD),
        "account" => (Var::Account, &ACCOUNT),
        "touch" => (Var::Touch, &TOUCH),
        "rep" => (Var::Rep, &REP),
        "event" => (Var::Event, &EVENT),
        _ => return None,
    })
}

fn literal(l: &LiteralValue) -> Result<(Lit, Ty), String> {
    Ok(match l {
        LiteralValue::Boolean(b) => (Lit::Bool(*b.inner()), Ty::Bool),
        LiteralValue::Int(i) => (Lit::Int(*i.inner()), Ty::Int),
        LiteralValue::Double(d) => (Lit::Double(*d.inner()), Ty::Double),
        LiteralValue::String(s) => (Lit::Str(Box::from(&**s)), Ty::Str),
        LiteralValue::UInt(_) => return Err("a uint literal".into()),
        LiteralValue::Bytes(_) => return Err("a bytes literal".into()),
        LiteralValue::Null => return Err("null".into()),
    })
}

fn node(e: &IdedExpr) -> Out {
    match &e.expr {
        Ast::Literal(l) => literal(l).map(|(l, ty)| (Node::Lit(l), ty)),
        Ast::Ident(name) => match name.as_str() {
            "now" => Ok((Node::Now, Ty::Ts)),
            "mql_threshold" => Ok((Node::Threshold, Ty::Int)),
            other => Err(format!("`{other}` is read as a whole")),
        },
        Ast::Select(sel) => {
            let found = match &sel.operand.expr {
                Ast::Ident(var) if !sel.test => record(var)
                    .and_then(|(v, obj)| obj.field(&sel.field).map(|(i, f)| (v, i, f.ty))),
                _ => None,
            };
            let Some((var, index, ty)) = found else {
                return Err(format!("the selection `.{}`", sel.field));
            };
            use super::schema::FieldType as F;
            let ty = match ty {
                F::Bool => Ty::Bool,
                F::Int => Ty::Int,
                F::Double => Ty::Double,
                F::String => Ty::Str,
                F::Timestamp => Ty::Ts,
            };
            Ok((Node::Field(var, index), ty))
        }
        Ast::Call(call) => self::call(e, call),
        Ast::List(_) => Err("a list outside `in`".into()),
        Ast::Map(_) => Err("a map".into()),
        Ast::Comprehension(_) => Err("a comprehension (`all`, `exists`, ...)".into()),
        Ast::Struct(_) => Err("a message".into()),
        Ast::Unspecified => Err("an unspecified node".into()),
    }
}

fn pair(a: &IdedExpr, b: &IdedExpr) -> Result<(Typed, Typed), String> {
    Ok((node(a)?, node(b)?))
}

fn numeric(t: Ty) -> bool {
    matches!(t, Ty::Int | Ty::Double)
}

fn call(e: &IdedExpr, call: &CallExpr) -> Out {
    let name = call.func_name.as_str();
    let args = &call.args;
    let unsupported = || Err(format!("`{}` is not lowered", name.trim_matches('_')));
    match (name, call.target.as_deref(), args.len()) {
        (op::LOGICAL_AND | op::LOGICAL_OR, None, 2) => {
            let ((a, ta), (b, tb)) = pair(&args[0], &args[1])?;
            if (ta, tb) != (Ty::Bool, Ty::Bool) {
                return unsupported();
            }
            let ab = Box::new((a, b));
            let n = if name == op::LOGICAL_AND {
                Node::And(ab)
            } else {
                Node::Or(ab)
            };
            Ok((n, Ty::Bool))
        }
        (op::LOGICAL_NOT, None, 1) => match node(&args[0])? {
            (a, Ty::Bool) => Ok((Node::Not(Box::new(a)), Ty::Bool)),
            _ => unsupported(),
        },
        (op::CONDITIONAL, None, 3) => {
            let (c, tc) = node(&args[0])?;
            let ((a, ta), (b, tb)) = pair(&args[1], &args[2])?;
            if tc != Ty::Bool || ta != tb {
                return unsupported();
            }
            Ok((Node::Cond(Box::new((c, a, b))), ta))
        }
        (op::EQUALS | op::NOT_EQUALS, None, 2) => {
            let ((a, _), (b, _)) = pair(&args[0], &args[1])?;
            Ok((Node::Eq(Box::new((a, b)), name == op::NOT_EQUALS), Ty::Bool))
        }
        (op::LESS | op::LESS_EQUALS | op::GREATER | op::GREATER_EQUALS, None, 2) => {
            let ((a, ta), (b, tb)) = pair(&args[0], &args[1])?;
            if !(ta == tb || (numeric(ta) && numeric(tb))) {
                return unsupported();
            }
            let cmp = match name {
                op::LESS => Cmp::Lt,
                op::LESS_EQUALS => Cmp::Le,
                op::GREATER => Cmp::Gt,
                _ => Cmp::Ge,
            };
            Ok((Node::Cmp(cmp, Box::new((a, b))), Ty::Bool))
        }
        (op::ADD | op::SUBSTRACT | op::MULTIPLY | op::DIVIDE | op::MODULO, None, 2) => {
            let ((a, ta), (b, tb)) = pair(&args[0], &args[1])?;
            let arith = match name {
                op::ADD => Arith::Add,
                op::SUBSTRACT => Arith::Sub,
                op::MULTIPLY => Arith::Mul,
                op::DIVIDE => Arith::Div,
                _ => Arith::Rem,
            };
            let ty = match (arith, ta, tb) {
                (_, Ty::Int, Ty::Int) => Ty::Int,
                (a, Ty::Double, Ty::Double) if a != Arith::Rem => Ty::Double,
                (Arith::Add, Ty::Ts, Ty::Dur) | (Arith::Add, Ty::Dur, Ty::Ts) => Ty::Ts,
                (Arith::Sub, Ty::Ts, Ty::Dur) => Ty::Ts,
                (Arith::Sub, Ty::Ts, Ty::Ts) => Ty::Dur,
                (Arith::Add | Arith::Sub, Ty::Dur, Ty::Dur) => Ty::Dur,
                _ => return unsupported(),
            };
            Ok((Node::Arith(arith, Box::new((a, b))), ty))
        }
        (op::NEGATE, None, 1) => match node(&args[0])? {
            (a, ty @ (Ty::Int | Ty::Double)) => Ok((Node::Neg(Box::new(a)), ty)),
            _ => unsupported(),
        },
        (op::IN, None, 2) => {
            let (a, _) = node(&args[0])?;
            let Ast::List(list) = &args[1].expr else {
                return Err("`in` something other than a list literal".into());
            };
            if !list.optional_indices.is_empty() {
                return unsupported();
            }
            let mut lits = Vec::with_capacity(list.elements.len());
            for x in &list.elements {
                match &x.expr {
                    Ast::Literal(l) => lits.push(literal(l)?.0),
                    _ => return Err("`in` a list that is not all literals".into()),
                }
            }
            Ok((Node::In(Box::new(a), lits.into()), Ty::Bool))
        }
        ("size", target, n) if (target.is_some() && n == 0) || (target.is_none() && n == 1) => {
            match node(target.unwrap_or_else(|| &args[0]))? {
                (a, Ty::Str) => Ok((Node::Size(Box::new(a)), Ty::Int)),
                _ => unsupported(),
            }
        }
        ("contains" | "startsWith" | "endsWith", Some(target), 1) => {
            let ((a, ta), (b, tb)) = pair(target, &args[0])?;
            if (ta, tb) != (Ty::Str, Ty::Str) {
                return unsupported();
            }
            let text = match name {
                "contains" => Text::Contains,
                "startsWith" => Text::StartsWith,
                _ => Text::EndsWith,
            };
            Ok((Node::Text(text, Box::new((a, b))), Ty::Bool))
        }
        ("matches", Some(target), 1) => matches(target, &args[0]),
        ("matches", None, 2) => matches(&args[0], &args[1]),
        ("timestamp" | "duration", None, 1) => fold(e),
        _ => unsupported(),
    }
}

/// `text.matches('pattern')`, the pattern compiled now.
fn matches(text: &IdedExpr, pattern: &IdedExpr) -> Out {
    let (a, ta) = node(text)?;
    let Ast::Literal(LiteralValue::String(p)) = &pattern.expr else {
        return Err("`matches` with a pattern that is not a literal".into());
    };
    if ta != Ty::Str {
        return Err("`matches` on something other than a string".into());
    }
    let re = regex::RegexBuilder::new(p)
        .size_limit(MAX_REGEX_BYTES)
        .build()
        .map_err(|e| format!("`matches` with a pattern that does not compile: {e}"))?;
    Ok((Node::Matches(Box::new(a), Box::new(re)), Ty::Bool))
}

/// `timestamp('…')` or `duration('…')` of a literal, folded to seconds by
/// cel itself, so the value is cel's. Fractions of a second are not lowered.
fn fold(e: &IdedExpr) -> Out {
    let Ast::Call(c) = &e.expr else {
        return Err("not a call".into());
    };
    if !matches!(&c.args[0].expr, Ast::Literal(LiteralValue::String(_))) {
        return Err(format!(
            "`{}` of something other than a literal",
            c.func_name
        ));
    }
    let ctx = cel::Context::default();
    match cel::Value::resolve(e, &ctx) {
        Ok(cel::Value::Timestamp(t)) if t.timestamp_subsec_nanos() == 0 => {
            Ok((Node::Lit(Lit::Ts(t.timestamp())), Ty::Ts))
        }
        Ok(cel::Value::Duration(d)) if d.subsec_nanos() == 0 => {
            Ok((Node::Lit(Lit::Dur(d.num_seconds())), Ty::Dur))
        }
        _ => Err(format!(
            "`{}` of a literal that is not whole seconds",
            c.func_name
        )),
    }
}
