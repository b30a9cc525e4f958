//! One JSON object read as its fields' names and exact texts, then each
//! field turned into a typed value by the domain's own parser, or a
//! `WireError` naming the field's JSON pointer.
//!
//! The object is read once by serde_json into (name, raw text) pairs: a
//! string without escapes is borrowed from the line, a number keeps its
//! digits (money given as `1234.50` is parsed from those digits, never
//! through a float).

use std::borrow::Cow;
use std::fmt;

use accord_core::expr::did_you_mean;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use crate::error::{push_token, reworded, shown, Problem, WireError};

/// The fields of one JSON object, in the order given.
pub(crate) struct Fields<'a> {
    items: Vec<(Cow<'a, str>, &'a RawValue)>,
    /// The object's own JSON pointer (`""` for the line, `/tried/0` inside).
    base: String,
    /// Refuse ids starting with `~` (an input from outside).
    pub(crate) input: bool,
}

/// A value as it was given: a string's text (escapes resolved), or the
/// JSON text of anything else (a number's digits, `true`, `{…}`).
pub(crate) enum Raw<'a> {
    Str(Cow<'a, str>),
    Other(&'a str),
}

impl<'a> Fields<'a> {
    /// Reads `text` as one JSON object with nothing after it.
    pub(crate) fn parse(text: &'a str, base: String, input: bool) -> Result<Fields<'a>, WireError> {
        let mut de = serde_json::Deserializer::from_str(text);
        let items = de
            .deserialize_map(ObjectVisitor)
            .and_then(|items| de.end().map(|()| items))
            .map_err(|e| syntax(&base, &e))?;
        Ok(Fields { items, base, input })
    }

    /// A nested object: the raw text of a field or list item at `pointer`.
    pub(crate) fn nested(
        &self,
        raw: &'a RawValue,
        pointer: String,
    ) -> Result<Fields<'a>, WireError> {
        if !raw.get().starts_with('{') {
            return Err(WireError::at(
                &pointer,
                Problem::BadValue,
                format!("expected an object, got {}", shown(raw.get())),
            ));
        }
        Fields::parse(raw.get(), pointer, self.input)
    }

    /// The names given, in order.
    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        self.items.iter().map(|(k, _)| k.as_ref())
    }

    /// The JSON pointer of field `name` of this object.
    pub(crate) fn pointer(&self, name: &str) -> String {
        let mut p = self.base.clone();
        push_token(&mut p, name);
        p
    }

    /// Refuses a field in none of the `allowed` lists (naming the closest
    /// allowed one; `what` says what has the fields) and a field given
    /// twice. At most 64 names in all.
    pub(crate) fn check_names(
        &self,
        allowed: &[&[&str]],
        what: &dyn Fn() -> String,
    ) -> Result<(), WireError> {
        let mut seen = 0u64;
        for name in self.names() {
            let mut at = None;
            let mut offset = 0;
            for list in allowed {
                if let Some(i) = list.iter().position(|a| *a == name) {
                    at = Some(offset + i);
                    break;
                }
                offset += list.len();
            }
            let Some(at) = at else {
                let all = || allowed.iter().flat_map(|list| list.iter().copied());
                let hint = match did_you_mean(name, all()) {
                    Some(near) => format!("; did you mean `{near}`?"),
                    None => format!(" (its fields: {})", all().collect::<Vec<_>>().join(", ")),
                };
                return Err(WireError::at(
                    &shown(&self.pointer(name)),
                    Problem::UnknownField,
                    format!("{} has no field `{}`{hint}", what(), shown(name)),
                ));
            };
            if seen & (1 << at) != 0 {
                return Err(WireError::at(
                    &self.pointer(name),
                    Problem::DuplicateField,
                    "given twice".into(),
                ));
            }
            seen |= 1 << at;
        }
        Ok(())
    }

    /// The raw text of a field; `None` when absent or null.
    pub(crate) fn raw(&self, name: &str) -> Option<&'a RawValue> {
        self.items
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| *v)
            .filter(|v| v.get() != "null")
    }

    /// A field's value; `None` when absent or null.
    pub(crate) fn value(&self, name: &str) -> Result<Option<Raw<'a>>, WireError> {
        self.raw(name)
            .map(|raw| read_raw(raw).map_err(|e| syntax(&self.pointer(name), &e)))
            .transpose()
    }

    pub(crate) fn missing(&self, name: &str) -> WireError {
        WireError::at(
            &self.pointer(name),
            Problem::Missing,
            "required, but missing".into(),
        )
    }

    pub(crate) fn bad(&self, name: &str, message: String) -> WireError {
        WireError::at(&self.pointer(name), Problem::BadValue, message)
    }

    /// A string field; `None` when absent or null.
    pub(crate) fn opt_str(&self, name: &str) -> Result<Option<Cow<'a, str>>, WireError> {
        match self.value(name)? {
            None => Ok(None),
            Some(Raw::Str(s)) => Ok(Some(s)),
            Some(Raw::Other(text)) => {
                Err(self.bad(name, format!("expected a string, got {}", shown(text))))
            }
        }
    }

    /// A string field parsed by `parse`; `None` when absent or null.
    pub(crate) fn opt<T, E: fmt::Display>(
        &self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<Option<T>, WireError> {
        match self.opt_str(name)? {
            None => Ok(None),
            Some(s) => parse(&s)
                .map(Some)
                .map_err(|e| self.bad(name, reworded(&s, e.to_string()))),
        }
    }

    pub(crate) fn req<T, E: fmt::Display>(
        &self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<T, WireError> {
        self.opt(name, parse)?.ok_or_else(|| self.missing(name))
    }

    /// An id; from outside (`input`), one starting with `~` is refused.
    pub(crate) fn opt_id<T, E: fmt::Display>(
        &self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<Option<T>, WireError> {
        let Some(s) = self.opt_str(name)? else {
            return Ok(None);
        };
        if self.input && s.starts_with('~') {
            return Err(WireError::at(
                &self.pointer(name),
                Problem::EngineId,
                format!(
                    "`{}`: ids starting with `~` are the engine's; an id from outside may not start with `~`",
                    shown(&s)
                ),
            ));
        }
        parse(&s)
            .map(Some)
            .map_err(|e| self.bad(name, reworded(&s, e.to_string())))
    }

    pub(crate) fn id<T, E: fmt::Display>(
        &self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<T, WireError> {
        self.opt_id(name, parse)?.ok_or_else(|| self.missing(name))
    }

    /// A word of a closed vocabulary.
    pub(crate) fn opt_word<T>(
        &self,
        name: &str,
        parse: fn(&str) -> Option<T>,
        words: &[&str],
    ) -> Result<Option<T>, WireError> {
        self.opt(name, |s| {
            parse(s).ok_or_else(|| {
                let hint = did_you_mean(s, words.iter().copied())
                    .map(|w| format!("; did you mean `{w}`?"))
                    .unwrap_or_default();
                format!("`{s}` is not one of {}{hint}", words.join(", "))
            })
        })
    }

    pub(crate) fn word<T>(
        &self,
        name: &str,
        parse: fn(&str) -> Option<T>,
        words: &[&str],
    ) -> Result<T, WireError> {
        self.opt_word(name, parse, words)?
            .ok_or_else(|| self.missing(name))
    }

    /// A JSON number's digits; `None` when absent or null.
    pub(crate) fn opt_number(&self, name: &str) -> Result<Option<&'a str>, WireError> {
        match self.value(name)? {
            None => Ok(None),
            Some(Raw::Other(text))
                if text.starts_with(|c: char| c == '-' || c.is_ascii_digit()) =>
            {
                Ok(Some(text))
            }
            Some(Raw::Str(s)) => Err(self.bad(
                name,
                format!("expected a number, got the string \"{}\"", shown(&s)),
            )),
            Some(Raw::Other(text)) => {
                Err(self.bad(name, format!("expected a number, got {}", shown(text))))
            }
        }
    }

    /// A whole number ≥ 0 that fits `T` (`i64`, `u32`).
    pub(crate) fn opt_count<T: std::str::FromStr>(
        &self,
        name: &str,
    ) -> Result<Option<T>, WireError> {
        match self.opt_number(name)? {
            None => Ok(None),
            Some(text) => match text.parse::<T>() {
                Ok(n) if !text.starts_with('-') => Ok(Some(n)),
                _ => Err(self.bad(name, format!("`{}` is not a whole number ≥ 0", shown(text)))),
            },
        }
    }

    pub(crate) fn count<T: std::str::FromStr>(&self, name: &str) -> Result<T, WireError> {
        self.opt_count(name)?.ok_or_else(|| self.missing(name))
    }

    /// Dollars as the contract writes them (`1234.50`), as a string or a
    /// JSON number; `None` when absent or null.
    pub(crate) fn opt_text_or_number(&self, name: &str) -> Result<Option<Cow<'a, str>>, WireError> {
        match self.value(name)? {
            None => Ok(None),
            Some(Raw::Str(s)) => Ok(Some(s)),
            Some(Raw::Other(text))
                if text.starts_with(|c: char| c == '-' || c.is_ascii_digit()) =>
            {
                Ok(Some(Cow::Borrowed(text)))
            }
            Some(Raw::Other(text)) => Err(self.bad(
                name,
                format!("expected a number or a string, got {}", shown(text)),
            )),
        }
    }

    /// A list: each item's raw text and pointer; `None` when absent or null.
    pub(crate) fn opt_list(
        &self,
        name: &str,
    ) -> Result<Option<Vec<(&'a RawValue, String)>>, WireError> {
        let Some(raw) = self.raw(name) else {
            return Ok(None);
        };
        if !raw.get().starts_with('[') {
            return Err(self.bad(name, format!("expected a list, got {}", shown(raw.get()))));
        }
        let items: Vec<&'a RawValue> =
            serde_json::from_str(raw.get()).map_err(|e| syntax(&self.pointer(name), &e))?;
        let pointer = self.pointer(name);
        Ok(Some(
            items
                .into_iter()
                .enumerate()
                .map(|(i, item)| (item, format!("{pointer}/{i}")))
                .collect(),
        ))
    }
}

/// A string's text, or the JSON text of another value.
pub(crate) fn read_raw(raw: &RawValue) -> Result<Raw<'_>, serde_json::Error> {
    let text = raw.get();
    if let Some(inner) = text.strip_prefix('"') {
        if !inner.contains('\\') {
            // serde_json checked the string: no escapes means its text is the line's.
            return Ok(Raw::Str(Cow::Borrowed(&inner[..inner.len() - 1])));
        }
        return serde_json::from_str::<String>(text).map(|s| Raw::Str(Cow::Owned(s)));
    }
    Ok(Raw::Other(text))
}

/// A serde_json error as a `WireError`: at a column of the line for the
/// line itself, at the field's pointer inside it.
fn syntax(base: &str, e: &serde_json::Error) -> WireError {
    let text = e.to_string();
    // serde_json says "<what> at line L column C": keep <what>.
    let what = match text.rfind(" at line ") {
        Some(at) => &text[..at],
        None => &text,
    };
    if base.is_empty() {
        WireError {
            problem: Problem::Syntax,
            place: crate::Place::Column(e.column().max(1)),
            message: format!("not a JSON object: {what}"),
        }
    } else {
        WireError::at(base, Problem::BadValue, what.to_owned())
    }
}

/// Reads an object's (name, raw value) pairs, names borrowed when unescaped.
struct ObjectVisitor;

impl<'de> Visitor<'de> for ObjectVisitor {
    type Value = Vec<(Cow<'de, str>, &'de RawValue)>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::with_capacity(map.size_hint().unwrap_or(16));
        while let Some(Name(name)) = map.next_key()? {
            let value: &'de RawValue = map.next_value()?;
            items.push((name, value));
        }
        Ok(items)
    }
}

struct Name<'a>(Cow<'a, str>);

impl<'de> de::Deserialize<'de> for Name<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct NameVisitor;
        impl<'de> Visitor<'de> for NameVisitor {
            type Value = Name<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Name<'de>, E> {
                Ok(Name(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Name<'de>, E> {
                Ok(Name(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Name<'de>, E> {
                Ok(Name(Cow::Owned(v)))
            }
        }
        d.deserialize_str(NameVisitor)
    }
}
