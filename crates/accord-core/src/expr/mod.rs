//! Rule expressions: the CEL that an agreement's criteria, scoring and routing
//! rules are written in, and accord's own static checker for it.
//!
//! This is the only module that knows about the `cel` crate (it is 0.x and
//! breaks between minors: keep it behind this wall). The rest of accord sees
//! [`Expr`] (a compiled, checked rule, evaluated with [`Expr::test`] over a
//! [`Scope`] without allocating), [`Record`] / [`Value`] / [`Bindings`] (data
//! a rule reads, for callers without a `Scope` of their own) and
//! [`Evaluator`] (the same over `Bindings`).
//!
//! cel parses and checks; after the checks, `lower` turns the rule into
//! accord's own tree, which `fast` evaluates. A construct not lowered keeps
//! the rule on the cel path ([`Lowered::Fallback`]), so lowering changes
//! speed, never results.
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

mod checker;
mod eval;
mod fast;
mod limits;
mod lower;
mod schema;

pub use limits::{
    MAX_ITERATED_ITEMS, MAX_REGEX_BYTES, MAX_RULE_BYTES, MAX_RULE_DEPTH, MAX_RULE_OPERATORS,
};

pub use eval::{Bindings, EvalError, Evaluator, Record, RecordError, Value};
pub use fast::{Compiled, Scope, Val};
pub use lower::Lowered;
pub use schema::*;

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

/// A problem in an expression. `span` is a byte range in the expression text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExprError {
    pub span: Range<usize>,
    pub message: String,
    pub label: String,
    pub help: Option<String>,
}

/// Names longer than this get no "did you mean": comparing two names costs
/// the product of their lengths, and a typo is in a name someone typed.
const MAX_SUGGEST_BYTES: usize = 64;

/// The best match for `word` among `candidates`, if one is close enough to be
/// a likely typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    if word.len() > MAX_SUGGEST_BYTES {
        return None;
    }
    let lower = word.to_lowercase();
    candidates
        .into_iter()
        .filter(|c| c.len() <= MAX_SUGGEST_BYTES)
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
    /// The rule in accord's own tree, or why it stays on the cel path.
    lowered: Arc<Lowered>,
    /// The variables the rule names, a bit per [`Var::ALL`] index.
    reads: u8,
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
    ///
    /// Never panics, whatever `source` is: a rule longer than
    /// [`MAX_RULE_BYTES`], nested deeper than [`MAX_RULE_DEPTH`] or with more
    /// than [`MAX_RULE_OPERATORS`] operators is refused before it is parsed.
    pub fn compile(
        source: &str,
        kind: RuleKind,
        vocab: &Vocabularies,
    ) -> Result<Expr, Vec<ExprError>> {
        if let Some(e) = limits::check(source) {
            return Err(vec![e]);
        }
        let program = match cel::Program::compile(source) {
            Ok(p) => p,
            Err(errors) => return Err(parse_errors(source, &errors)),
        };
        let mut errors = checker::check(source, &program, kind, vocab);
        if errors.is_empty() {
            // The walker passed: run the rule once on a sample record to catch
            // what it does not model.
            if let Some(message) = eval::sample_problem(&program, vocab) {
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
                lowered: Arc::new(lower::lower(program.expression())),
                reads: lower::reads(program.expression()),
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

    /// How the rule is evaluated: lowered, or on the cel path and why.
    pub fn lowered(&self) -> &Lowered {
        &self.lowered
    }

    /// Evaluates a bool rule; `mql_threshold` comes from the agreement.
    /// A lowered rule allocates nothing unless it fails.
    pub fn test(&self, scope: &dyn Scope, mql_threshold: i64) -> Result<bool, EvalError> {
        match &*self.lowered {
            Lowered::Fast(compiled) => {
                fast::test(&compiled.0, scope, mql_threshold).map_err(|fault| EvalError {
                    source_text: self.source.clone(),
                    message: eval::fault_message(fault),
                })
            }
            Lowered::Fallback(_) => self.test_cel(scope, mql_threshold),
        }
    }

    /// Evaluates the rule through cel, whether or not it is lowered: the
    /// reference [`Expr::test`] is held to (tests, benches), and the path of
    /// a rule that is not lowered. Allocates.
    pub fn test_cel(&self, scope: &dyn Scope, mql_threshold: i64) -> Result<bool, EvalError> {
        eval::with_evaluator(mql_threshold, |ev| ev.eval_scope(self, scope))
    }

    /// The fields of record `var` the rule reads, by index in its schema
    /// object, ascending: the rule's value is the same for two records of
    /// `var` that agree on these, everything else being the same. `None`
    /// when the rule is not lowered (not known: any field may be read).
    pub fn fields_read(&self, var: Var) -> Option<Vec<usize>> {
        let Some(object) = var.object() else {
            return Some(Vec::new());
        };
        match &*self.lowered {
            Lowered::Fast(c) => Some(c.fields_read(var, object.fields.len())),
            Lowered::Fallback(_) => None,
        }
    }

    /// Whether the rule is false in `scope` whatever record `var` holds:
    /// a conjunct of its top `&&` chain that reads nothing of `var` is
    /// false there (cel's `&&` is false when either side is, even when the
    /// other fails). `false` when not known so (or the rule is not lowered).
    pub fn false_whatever(&self, var: Var, scope: &dyn Scope, mql_threshold: i64) -> bool {
        match &*self.lowered {
            Lowered::Fast(c) => c.false_whatever(var, scope, mql_threshold),
            Lowered::Fallback(_) => false,
        }
    }

    /// The text a conjunct of the rule's top `&&` chain pins `var`'s string
    /// field `field` to: a conjunct `var.field == e` (or `e == var.field`)
    /// where `e` reads nothing of `var` and is a string in `scope`. The
    /// rule is then false for every record whose field holds another text
    /// (cel's `&&` is false when either side is, even when the other
    /// fails). `None` when there is no such conjunct, `e` fails or is not
    /// a string, or the rule is not lowered.
    pub fn pinned(
        &self,
        var: Var,
        field: &str,
        scope: &dyn Scope,
        mql_threshold: i64,
    ) -> Option<String> {
        let (index, f) = var.object()?.field(field)?;
        if f.ty != schema::FieldType::String {
            return None;
        }
        match &*self.lowered {
            Lowered::Fast(c) => c.pinned(var, index, scope, mql_threshold),
            Lowered::Fallback(_) => None,
        }
    }

    /// Whether the rule reads `now`.
    pub fn reads_now(&self) -> bool {
        self.reads(Var::Now)
    }

    /// Whether the rule names `var` (a record, `now` or `mql_threshold`).
    pub fn reads(&self, var: Var) -> bool {
        let bit = Var::ALL.iter().position(|v| *v == var).unwrap_or(0);
        self.reads & (1 << bit) != 0
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
            ExprError {
                span: start..end,
                message: format!("expression does not parse: {}", parse_message(&e.msg)),
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

/// cel's parser message in words: its internal errors (a recursion limit
/// reached, a bad escape) come as Rust debug text, and the end of the text
/// as `<EOF>`.
fn parse_message(msg: &str) -> String {
    let msg = msg.strip_prefix("Syntax error: ").unwrap_or(msg);
    if msg.contains("Recursion limit") {
        return "it nests too deeply".into();
    }
    if msg.starts_with("invalid string literal") {
        return "a string has an invalid escape (`\\\\` is a backslash, `\\'` a quote)".into();
    }
    if msg.starts_with("invalid bytes literal") {
        return "a bytes literal has an invalid escape".into();
    }
    if msg == "UNKNOWN" || msg.contains("Error(") || msg.contains("Error {") {
        return "it is not a valid expression here".into();
    }
    msg.replace(
        "mismatched input '<EOF>' expecting",
        "the rule ends too soon, expecting",
    )
    .replace("'<EOF>'", "the end of the rule")
    .replace("<EOF>", "the end of the rule")
}

#[cfg(test)]
mod fast_tests;
#[cfg(test)]
mod tests;
