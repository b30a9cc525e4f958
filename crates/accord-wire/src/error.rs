//! Why a line was refused, and where in it.

use std::fmt;

/// A refused line: what is wrong, where, and a sentence saying it. The
/// caller adds the line number: `line 7: /email: `ana` is not an e-mail address …`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{place}: {message}")]
pub struct WireError {
    pub problem: Problem,
    pub place: Place,
    pub message: String,
}

/// Where in the line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    /// A field, as a JSON pointer (RFC 6901): `/email`, `/tried/0/rule`.
    Field(String),
    /// A character position of the line, from 1 (a syntax error).
    Column(usize),
    /// The line as a whole (too long, not an object).
    Line,
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::Field(pointer) => f.write_str(pointer),
            Place::Column(c) => write!(f, "column {c}"),
            Place::Line => f.write_str("the line"),
        }
    }
}

/// What is wrong with a refused line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Problem {
    /// Longer than the limit (refused unread).
    TooLong,
    /// Not JSON, or not one JSON object.
    Syntax,
    /// A `"v"` other than [`crate::SCHEMA_VERSION`].
    Version,
    /// A `"type"` that is neither an event kind nor an action.
    UnknownType,
    /// A type that only the engine or a person's action makes
    /// (`agreement_adopted`, `owner_assigned`, `account_matched`): written
    /// by export, never taken as an input.
    Decision,
    /// A field the line's type does not have.
    UnknownField,
    /// A field given twice.
    DuplicateField,
    /// A required field absent or null.
    Missing,
    /// A value of the wrong JSON type, or not valid for its field.
    BadValue,
    /// An id starting with `~` in an input: those are the engine's.
    EngineId,
}

impl Problem {
    pub fn as_str(self) -> &'static str {
        match self {
            Problem::TooLong => "too_long",
            Problem::Syntax => "syntax",
            Problem::Version => "version",
            Problem::UnknownType => "unknown_type",
            Problem::Decision => "decision",
            Problem::UnknownField => "unknown_field",
            Problem::DuplicateField => "duplicate_field",
            Problem::Missing => "missing",
            Problem::BadValue => "bad_value",
            Problem::EngineId => "engine_id",
        }
    }
}

impl WireError {
    pub(crate) fn at(pointer: &str, problem: Problem, message: String) -> WireError {
        WireError {
            problem,
            place: Place::Field(pointer.to_owned()),
            message,
        }
    }

    pub(crate) fn line(problem: Problem, message: String) -> WireError {
        WireError {
            problem,
            place: Place::Line,
            message,
        }
    }
}

/// The longest piece of a value quoted in a message, in characters.
const SHOWN_CHARS: usize = 64;

/// `value` safe to repeat in a message: control characters escaped, cut.
pub(crate) fn shown(value: &str) -> String {
    match accord_core::shown::for_terminal(value, SHOWN_CHARS) {
        (text, 0) => text,
        (text, cut) => format!("{text}… ({cut} more characters)"),
    }
}

/// A domain parser's message about `value`, with the value as [`shown`]
/// (the domain's messages quote the whole input).
pub(crate) fn reworded(value: &str, message: String) -> String {
    let safe = shown(value);
    if safe == value {
        message
    } else {
        message.replacen(value, &safe, 1)
    }
}

/// A field name as a JSON pointer token (`~` → `~0`, `/` → `~1`), appended.
pub(crate) fn push_token(pointer: &mut String, name: &str) {
    pointer.push('/');
    for c in name.chars() {
        match c {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            c => pointer.push(c),
        }
    }
}
