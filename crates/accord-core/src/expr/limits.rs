//! Bounds on a rule's text, checked before the text reaches `cel`: its
//! parser and evaluator, and accord's checker, recurse once per nesting level
//! and per operator of a chain (`1 + 1 + …` is a chain as deep as it is
//! long), so an unbounded rule can overflow the stack. Within these bounds
//! every rule compiles on a small stack, and the work per rule is bounded.

use super::ExprError;

/// Bytes in one rule at most. A real rule is a line or two (the starter
/// agreement's longest is under 120 bytes).
pub const MAX_RULE_BYTES: usize = 2048;
/// Brackets (`(`, `[`, `{`) open at once at most.
pub const MAX_RULE_DEPTH: usize = 16;
/// Operators in one rule at most (`&&`, `||`, `!`, `==`, `<`, `+`, `-`, `.`,
/// `?`, `in`, …): each can add a level to the parsed tree.
pub const MAX_RULE_OPERATORS: usize = 64;

/// List and map items written inside a rule's comprehensions (`all`,
/// `exists`, `exists_one`, `map`, `filter`) at most, in all; comprehensions
/// do not nest. Checked on the parsed rule (by the checker): the sample
/// evaluation runs every loop, and nested loops over long lists made one
/// rule cost seconds.
pub const MAX_ITERATED_ITEMS: usize = 32;

/// The compiled size of a rule's regular expression (`matches`) at most:
/// 64 KiB holds any pattern a rule needs (`(?i)^(cfo|ceo|chief .* officer)$`
/// compiles to a few KiB) and fails fast on repetitions like `\w{500}`.
pub const MAX_REGEX_BYTES: usize = 64 * 1024;

/// The first bound `source` breaks, as an error pointing at where.
pub(super) fn check(source: &str) -> Option<ExprError> {
    if source.len() > MAX_RULE_BYTES {
        return Some(error(
            0..source.len(),
            format!(
                "the rule is {} bytes long: a rule is at most {MAX_RULE_BYTES} bytes",
                source.len()
            ),
            "too long",
            "split it into several rules, or use `in [...]` for a list of values",
        ));
    }
    let bytes = source.as_bytes();
    let mut depth = 0usize;
    let mut operators = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let len = match b {
            b'\'' | b'"' => {
                // Skip a string literal; an unterminated one is cel's to report.
                let raw = i > 0 && matches!(bytes[i - 1], b'r' | b'R');
                match skip_string(bytes, i, raw) {
                    Some(end) => end - i,
                    None => return None,
                }
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_RULE_DEPTH {
                    return Some(error(
                        i..i + 1,
                        format!("the rule nests brackets more than {MAX_RULE_DEPTH} deep"),
                        "too deep",
                        "write it flatter: split it into several rules",
                    ));
                }
                1
            }
            b')' | b']' | b'}' => {
                depth = depth.saturating_sub(1);
                1
            }
            b'&' | b'|' | b'=' | b'!' | b'<' | b'>' | b'+' | b'-' | b'*' | b'/' | b'%' | b'?'
            | b'.' => {
                operators += 1;
                // Two-character operators count once.
                match bytes.get(i + 1) {
                    Some(b'&' | b'|' | b'=') if b != b'.' => 2,
                    _ => 1,
                }
            }
            b'i' if is_word(bytes, i, b"in") => {
                operators += 1;
                2
            }
            c if c.is_ascii_alphanumeric() || c == b'_' => {
                // Skip the rest of a word, so `min` is not `in`.
                bytes[i..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
                    .count()
            }
            _ => 1,
        };
        if operators > MAX_RULE_OPERATORS {
            return Some(error(
                i..i + len,
                format!("the rule has more than {MAX_RULE_OPERATORS} operators"),
                "one too many",
                "split it into several rules, or use `in [...]` for a list of values",
            ));
        }
        i += len;
    }
    None
}

/// `word` stands alone at `i`.
fn is_word(bytes: &[u8], i: usize, word: &[u8]) -> bool {
    let ident = |c: &u8| c.is_ascii_alphanumeric() || *c == b'_';
    bytes[i..].starts_with(word)
        && (i == 0 || !ident(&bytes[i - 1]))
        && !bytes.get(i + word.len()).is_some_and(ident)
}

/// The end of the string literal opening at `i` (after its closing quote).
fn skip_string(bytes: &[u8], i: usize, raw: bool) -> Option<usize> {
    let q = bytes[i];
    let triple = bytes[i..].starts_with(&[q, q, q]);
    let mut j = i + if triple { 3 } else { 1 };
    while j < bytes.len() {
        let c = bytes[j];
        if c == b'\\' && !raw {
            j += 2;
            continue;
        }
        if c == q && (!triple || bytes[j..].starts_with(&[q, q, q])) {
            return Some(j + if triple { 3 } else { 1 });
        }
        j += 1;
    }
    None
}

fn error(span: std::ops::Range<usize>, message: String, label: &str, help: &str) -> ExprError {
    ExprError {
        span,
        message,
        label: label.into(),
        help: Some(help.into()),
    }
}
