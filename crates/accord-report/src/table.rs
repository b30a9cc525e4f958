//! A report's result: named, typed columns and rows of typed values, with the
//! three renderings a user asks for (CSV for machines and the kit's comparer,
//! JSON for programs, an aligned table for people) and a compact binary form
//! (`encode` / `decode`) for keeping finished reports beside the log.

use std::borrow::Cow;
use std::fmt::Write as _;

use accord_core::domain::Timestamp;

/// How a column's values are meant: it decides the human rendering (a rate is a
/// percentage, money gets a dollar sign); CSV and JSON print the raw value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnKind {
    Text,
    Int,
    /// A plain fractional number (hours, days, minutes, a ratio that is not a rate).
    Float,
    /// A fraction between 0 and 1, shown as a percentage to people.
    Rate,
    Money,
    Bool,
    Timestamp,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    /// Borrowed for the reports' own columns, owned when decoded.
    pub name: Cow<'static, str>,
    pub kind: ColumnKind,
}

/// One cell.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Float(f64),
    /// US dollars in whole cents (sums of fractional credits are rounded to
    /// cents once, when the value is made).
    Money(i64),
    Text(String),
    Bool(bool),
    Timestamp(Timestamp),
}

impl Value {
    pub fn text(s: impl Into<String>) -> Value {
        Value::Text(s.into())
    }

    /// `Float`, or `Null` for nothing (an average or quantile over nothing).
    pub fn opt_float(v: Option<f64>) -> Value {
        v.map_or(Value::Null, Value::Float)
    }

    /// `numerator / denominator` as a float, `Null` when the denominator is 0.
    pub fn ratio(numerator: u64, denominator: u64) -> Value {
        if denominator == 0 {
            Value::Null
        } else {
            Value::Float(numerator as f64 / denominator as f64)
        }
    }

    /// Dollars rounded half away from zero to whole cents.
    pub fn money_from_dollars(dollars: f64) -> Value {
        Value::Money(dollars_to_cents(dollars))
    }

    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            Value::Int(i) => Some(i as f64),
            Value::Float(f) => Some(f),
            Value::Money(c) => Some(c as f64 / 100.0),
            _ => None,
        }
    }
}

/// Rounds dollars to whole cents, half away from zero (as SQL `round(x, 2)`).
pub fn dollars_to_cents(dollars: f64) -> i64 {
    (dollars * 100.0).round() as i64
}

/// A report's result.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub name: String,
    /// The agreement's terms the cells were counted under, as (name, value),
    /// e.g. `("follow_up_hours", 1.0)`: column names keep the contract's
    /// wording (`followed_up_24h`) whatever the terms, so these say what the
    /// numbers mean ([`crate::terms_used`]). Empty for reports without terms.
    pub terms: Vec<(Cow<'static, str>, f64)>,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Value>>,
}

impl Table {
    /// The first `n` rows only (a preview).
    pub fn head(mut self, n: usize) -> Table {
        self.rows.truncate(n);
        self
    }

    pub fn new(name: &str, columns: &[(&'static str, ColumnKind)]) -> Table {
        Table {
            name: name.to_owned(),
            terms: Vec::new(),
            columns: columns
                .iter()
                .map(|&(name, kind)| Column {
                    name: Cow::Borrowed(name),
                    kind,
                })
                .collect(),
            rows: Vec::new(),
        }
    }

    pub fn push(&mut self, row: Vec<Value>) {
        debug_assert_eq!(row.len(), self.columns.len(), "row width of {}", self.name);
        self.rows.push(row);
    }

    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    /// RFC 4180 CSV with a header row and `\n` line endings; nulls are empty
    /// fields, floats the shortest text that reads back as the same number.
    pub fn to_csv(&self) -> String {
        let mut out = String::with_capacity(64 * (self.rows.len() + 1));
        for (i, c) in self.columns.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            push_csv_field(&mut out, &c.name);
        }
        out.push('\n');
        let mut cell = String::new();
        for row in &self.rows {
            for (i, v) in row.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                cell.clear();
                write_raw(&mut cell, v);
                push_csv_field(&mut out, &cell);
            }
            out.push('\n');
        }
        out
    }

    /// JSON text: an object with the report's name, the agreement's terms
    /// its cells were counted under, and its rows as an array of objects,
    /// one per row, keys in column order (null for nulls, numbers as numbers,
    /// money in dollars, timestamps in the contract's form).
    pub fn to_json(&self) -> String {
        let mut out = String::from("{\"report\": ");
        out.push_str(&serde_json::Value::from(self.name.as_str()).to_string());
        out.push_str(", \"terms\": {");
        for (i, (name, value)) in self.terms.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str(&serde_json::Value::from(&**name).to_string());
            out.push_str(": ");
            out.push_str(&json_value(&Value::Float(*value)).to_string());
        }
        out.push_str("}, \"rows\": [");
        for (r, row) in self.rows.iter().enumerate() {
            out.push_str(if r == 0 { "\n  {" } else { ",\n  {" });
            for (i, (c, v)) in self.columns.iter().zip(row).enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&serde_json::Value::from(&*c.name).to_string());
                out.push_str(": ");
                out.push_str(&json_value(v).to_string());
            }
            out.push('}');
        }
        out.push_str(if self.rows.is_empty() {
            "]}\n"
        } else {
            "\n]}\n"
        });
        out
    }

    /// Aligned columns for people under a title line: thousands separators,
    /// rates as percentages, money as `$1,234.50`, nulls as `-`.
    pub fn to_text(&self, caption: &str) -> String {
        let cells: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|row| {
                self.columns
                    .iter()
                    .zip(row)
                    .map(|(c, v)| human(c.kind, v))
                    .collect()
            })
            .collect();
        let widths: Vec<usize> = self
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                cells
                    .iter()
                    .map(|r| r[i].chars().count())
                    .chain([c.name.chars().count()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let mut out = String::new();
        let _ = writeln!(out, "{caption}");
        let line = |out: &mut String, texts: &[String]| {
            let mut l = String::new();
            for (i, (t, c)) in texts.iter().zip(&self.columns).enumerate() {
                if i > 0 {
                    l.push_str("  ");
                }
                let pad = widths[i] - t.chars().count();
                let right = !matches!(
                    c.kind,
                    ColumnKind::Text | ColumnKind::Timestamp | ColumnKind::Bool
                );
                if right {
                    l.extend(std::iter::repeat_n(' ', pad));
                    l.push_str(t);
                } else {
                    l.push_str(t);
                    l.extend(std::iter::repeat_n(' ', pad));
                }
            }
            out.push_str(l.trim_end());
            out.push('\n');
        };
        let header: Vec<String> = self.columns.iter().map(|c| c.name.to_string()).collect();
        line(&mut out, &header);
        let rule: Vec<String> = widths.iter().map(|&w| "-".repeat(w)).collect();
        line(&mut out, &rule);
        for r in &cells {
            line(&mut out, r);
        }
        let _ = writeln!(
            out,
            "({} row{})",
            self.rows.len(),
            if self.rows.len() == 1 { "" } else { "s" }
        );
        out
    }
}

/// The binary form of a table: `ACT` and a version byte, then the name, the
/// terms (count, then each name and its value's 8 bits; since version 2), the
/// columns (name, kind) and the rows, each with its number of cells and each
/// cell a tag and its value. Integers are zigzag varints, floats their 8 bits
/// (little-endian), text a varint length and UTF-8. Kinds and tags are stored:
/// never renumber them; a change of layout takes a new version.
mod codec {
    use super::{ColumnKind, Value};

    pub const MAGIC: &[u8; 3] = b"ACT";
    pub const VERSION: u8 = 2;
    /// Version 1 had no terms; it still reads (as a table without terms).
    pub const VERSION_WITHOUT_TERMS: u8 = 1;

    pub const NULL: u8 = 0;
    pub const INT: u8 = 1;
    pub const FLOAT: u8 = 2;
    pub const MONEY: u8 = 3;
    pub const TEXT: u8 = 4;
    pub const FALSE: u8 = 5;
    pub const TRUE: u8 = 6;
    pub const TIMESTAMP: u8 = 7;

    pub fn kind_code(kind: ColumnKind) -> u8 {
        match kind {
            ColumnKind::Text => 0,
            ColumnKind::Int => 1,
            ColumnKind::Float => 2,
            ColumnKind::Rate => 3,
            ColumnKind::Money => 4,
            ColumnKind::Bool => 5,
            ColumnKind::Timestamp => 6,
        }
    }

    pub fn kind_from_code(code: u8) -> Option<ColumnKind> {
        Some(match code {
            0 => ColumnKind::Text,
            1 => ColumnKind::Int,
            2 => ColumnKind::Float,
            3 => ColumnKind::Rate,
            4 => ColumnKind::Money,
            5 => ColumnKind::Bool,
            6 => ColumnKind::Timestamp,
            _ => return None,
        })
    }

    pub fn put_uint(out: &mut Vec<u8>, mut v: u64) {
        while v >= 0x80 {
            out.push((v as u8) | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
    }

    pub fn put_int(out: &mut Vec<u8>, v: i64) {
        put_uint(out, ((v << 1) ^ (v >> 63)) as u64);
    }

    pub fn put_str(out: &mut Vec<u8>, s: &str) {
        put_uint(out, s.len() as u64);
        out.extend_from_slice(s.as_bytes());
    }

    pub fn put_value(out: &mut Vec<u8>, v: &Value) {
        match v {
            Value::Null => out.push(NULL),
            Value::Int(i) => {
                out.push(INT);
                put_int(out, *i);
            }
            Value::Float(f) => {
                out.push(FLOAT);
                out.extend_from_slice(&f.to_bits().to_le_bytes());
            }
            Value::Money(c) => {
                out.push(MONEY);
                put_int(out, *c);
            }
            Value::Text(s) => {
                out.push(TEXT);
                put_str(out, s);
            }
            Value::Bool(b) => out.push(if *b { TRUE } else { FALSE }),
            Value::Timestamp(t) => {
                out.push(TIMESTAMP);
                put_int(out, t.unix_seconds());
            }
        }
    }

    /// Reads the parts back; every failure says what it was reading.
    pub struct Reader<'a> {
        pub bytes: &'a [u8],
        pub pos: usize,
    }

    impl Reader<'_> {
        pub fn remaining(&self) -> usize {
            self.bytes.len() - self.pos
        }

        pub fn take(&mut self, n: usize, what: &dyn Fn() -> String) -> Result<&[u8], String> {
            if n > self.remaining() {
                return Err(format!(
                    "truncated: {} needs {n} bytes at offset {}, {} left",
                    what(),
                    self.pos,
                    self.remaining()
                ));
            }
            let out = &self.bytes[self.pos..self.pos + n];
            self.pos += n;
            Ok(out)
        }

        pub fn byte(&mut self, what: &dyn Fn() -> String) -> Result<u8, String> {
            Ok(self.take(1, what)?[0])
        }

        pub fn uint(&mut self, what: &dyn Fn() -> String) -> Result<u64, String> {
            let mut v = 0u64;
            for shift in (0..64).step_by(7) {
                let b = self.byte(what)?;
                if shift == 63 && b > 1 {
                    return Err(format!("{}: varint overflows 64 bits", what()));
                }
                v |= u64::from(b & 0x7F) << shift;
                if b < 0x80 {
                    return Ok(v);
                }
            }
            Err(format!("{}: varint longer than 10 bytes", what()))
        }

        pub fn int(&mut self, what: &dyn Fn() -> String) -> Result<i64, String> {
            let z = self.uint(what)?;
            Ok((z >> 1) as i64 ^ -((z & 1) as i64))
        }

        /// A count of things each at least `min_bytes` long: no larger than
        /// what is left could hold (so a damaged count never allocates much).
        pub fn count(
            &mut self,
            min_bytes: usize,
            what: &dyn Fn() -> String,
        ) -> Result<usize, String> {
            let n = self.uint(what)?;
            let fits = (self.remaining() / min_bytes.max(1)) as u64;
            if n > fits {
                return Err(format!(
                    "{}: {n} claimed, only {} bytes left",
                    what(),
                    self.remaining()
                ));
            }
            Ok(n as usize)
        }

        pub fn string(&mut self, what: &dyn Fn() -> String) -> Result<String, String> {
            let len = self.count(1, what)?;
            let bytes = self.take(len, what)?;
            String::from_utf8(bytes.to_vec()).map_err(|e| format!("{}: not UTF-8 ({e})", what()))
        }
    }
}

impl Table {
    /// The binary form (see `codec`): exact, so a decoded table renders
    /// byte for byte as the one encoded.
    pub fn encode(&self) -> Vec<u8> {
        use codec::*;
        let mut out = Vec::with_capacity(64 + 16 * self.rows.len() * self.columns.len());
        out.extend_from_slice(MAGIC);
        out.push(VERSION);
        put_str(&mut out, &self.name);
        put_uint(&mut out, self.terms.len() as u64);
        for (name, value) in &self.terms {
            put_str(&mut out, name);
            out.extend_from_slice(&value.to_bits().to_le_bytes());
        }
        put_uint(&mut out, self.columns.len() as u64);
        for c in &self.columns {
            put_str(&mut out, &c.name);
            out.push(kind_code(c.kind));
        }
        put_uint(&mut out, self.rows.len() as u64);
        for row in &self.rows {
            put_uint(&mut out, row.len() as u64);
            for v in row {
                put_value(&mut out, v);
            }
        }
        out
    }

    /// Reads `encode`'s form back. Any bytes are safe to give it: damaged
    /// ones, or a row whose width is not the table's, are an `Err` naming
    /// what is wrong, never a panic.
    pub fn decode(bytes: &[u8]) -> Result<Table, String> {
        use codec::*;
        let mut r = Reader { bytes, pos: 0 };
        let magic = r.take(MAGIC.len(), &|| "the magic".into())?;
        if magic != MAGIC {
            return Err(format!("not an encoded table (starts {magic:02x?})"));
        }
        let version = r.byte(&|| "the version".into())?;
        if version != VERSION && version != VERSION_WITHOUT_TERMS {
            return Err(format!(
                "table encoding version {version}, this build reads {VERSION_WITHOUT_TERMS} and {VERSION}"
            ));
        }
        let name = r.string(&|| "the table name".into())?;
        let mut terms = Vec::new();
        if version >= VERSION {
            // A term is at least a length byte and 8 bytes of value.
            let n = r.count(9, &|| "the term count".into())?;
            for i in 0..n {
                let what = || format!("term {i}");
                let name = r.string(&what)?;
                let b = r.take(8, &what)?;
                let bits = u64::from_le_bytes(b.try_into().map_err(|_| what())?);
                terms.push((Cow::Owned(name), f64::from_bits(bits)));
            }
        }
        // A column is at least a length byte and a kind byte.
        let width = r.count(2, &|| "the column count".into())?;
        let mut columns = Vec::with_capacity(width);
        for i in 0..width {
            let name = r.string(&|| format!("column {i}'s name"))?;
            let code = r.byte(&|| format!("column {i}'s kind"))?;
            let kind =
                kind_from_code(code).ok_or_else(|| format!("column {i}: unknown kind {code}"))?;
            columns.push(Column {
                name: Cow::Owned(name),
                kind,
            });
        }
        // A row is at least its cell count.
        let height = r.count(1, &|| "the row count".into())?;
        let mut rows = Vec::with_capacity(height);
        for n in 0..height {
            let cells = r.count(1, &|| format!("row {n}'s cell count"))?;
            if cells != width {
                return Err(format!(
                    "row {n} has {cells} cells, the table {width} columns"
                ));
            }
            let mut row = Vec::with_capacity(cells);
            for i in 0..cells {
                let what = || format!("row {n}, column {i}");
                let value = match r.byte(&what)? {
                    NULL => Value::Null,
                    INT => Value::Int(r.int(&what)?),
                    FLOAT => {
                        let b = r.take(8, &what)?;
                        let bits = u64::from_le_bytes(b.try_into().map_err(|_| what())?);
                        Value::Float(f64::from_bits(bits))
                    }
                    MONEY => Value::Money(r.int(&what)?),
                    TEXT => Value::Text(r.string(&what)?),
                    FALSE => Value::Bool(false),
                    TRUE => Value::Bool(true),
                    TIMESTAMP => Value::Timestamp(Timestamp::from_unix_seconds(r.int(&what)?)),
                    tag => return Err(format!("{}: unknown value tag {tag}", what())),
                };
                row.push(value);
            }
            rows.push(row);
        }
        if r.remaining() > 0 {
            return Err(format!("{} bytes after the last row", r.remaining()));
        }
        Ok(Table {
            name,
            terms,
            columns,
            rows,
        })
    }
}

fn write_raw(out: &mut String, v: &Value) {
    match v {
        Value::Null => {}
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Float(f) if f.is_finite() => {
            let _ = write!(out, "{f}");
        }
        Value::Float(_) => {}
        Value::Money(c) => write_cents(out, *c),
        Value::Text(s) => out.push_str(s),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Timestamp(t) => {
            let _ = write!(out, "{t}");
        }
    }
}

fn write_cents(out: &mut String, cents: i64) {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    let _ = write!(out, "{sign}{}.{:02}", abs / 100, abs % 100);
}

fn push_csv_field(out: &mut String, s: &str) {
    if s.contains([',', '"', '\n', '\r']) {
        out.push('"');
        for ch in s.chars() {
            if ch == '"' {
                out.push('"');
            }
            out.push(ch);
        }
        out.push('"');
    } else {
        out.push_str(s);
    }
}

fn json_value(v: &Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        Value::Null => J::Null,
        Value::Int(i) => J::from(*i),
        Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
        Value::Money(c) => {
            serde_json::Number::from_f64(*c as f64 / 100.0).map_or(J::Null, J::Number)
        }
        Value::Text(s) => J::String(s.clone()),
        Value::Bool(b) => J::Bool(*b),
        Value::Timestamp(t) => J::String(t.to_string()),
    }
}

/// `1234567` → `1,234,567` (the digits of a non-negative integer part).
fn group_thousands(digits: &str) -> String {
    // The first group holds what is left over from threes (1..=3 digits).
    let head = match digits.len() % 3 {
        0 => digits.len().min(3),
        r => r,
    };
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    out.push_str(&digits[..head]);
    let mut rest = &digits[head..];
    while !rest.is_empty() {
        out.push(',');
        out.push_str(&rest[..3]);
        rest = &rest[3..];
    }
    out
}

/// A number with `decimals` places and thousands separators.
fn grouped(v: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, v.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let sign = if v < 0.0 && s.bytes().any(|b| b.is_ascii_digit() && b != b'0') {
        "-"
    } else {
        ""
    };
    if frac.is_empty() {
        format!("{sign}{}", group_thousands(int))
    } else {
        format!("{sign}{}.{frac}", group_thousands(int))
    }
}

/// Cents for people: `$1,234.50`, `-$0.05`.
pub fn human_money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!(
        "{sign}${}.{:02}",
        group_thousands(&(abs / 100).to_string()),
        abs % 100
    )
}

fn human(kind: ColumnKind, v: &Value) -> String {
    match (kind, v) {
        (_, Value::Null) => "-".to_owned(),
        (_, Value::Money(c)) => human_money(*c),
        (ColumnKind::Rate, Value::Float(f)) => format!("{}%", grouped(f * 100.0, 1)),
        (_, Value::Float(f)) => {
            let decimals = match f.abs() {
                a if a >= 100.0 => 1,
                a if a >= 1.0 || a == 0.0 => 2,
                _ => 4,
            };
            grouped(*f, decimals)
        }
        (_, Value::Int(i)) => {
            let s = group_thousands(&i.unsigned_abs().to_string());
            if *i < 0 {
                format!("-{s}")
            } else {
                s
            }
        }
        (_, other) => {
            let mut s = String::new();
            write_raw(&mut s, other);
            s
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Table {
        let mut t = Table::new(
            "x",
            &[
                ("name", ColumnKind::Text),
                ("n", ColumnKind::Int),
                ("rate", ColumnKind::Rate),
                ("amount_usd", ColumnKind::Money),
                ("ok", ColumnKind::Bool),
            ],
        );
        t.push(vec![
            Value::text("Pricing, \"explained\""),
            Value::Int(1_234_567),
            Value::Float(0.25),
            Value::Money(123_450),
            Value::Bool(true),
        ]);
        t.push(vec![
            Value::text("Ærø"),
            Value::Int(0),
            Value::Null,
            Value::Money(-5),
            Value::Null,
        ]);
        t
    }

    #[test]
    fn csv_quotes_and_prints_raw_values() {
        assert_eq!(
            sample().to_csv(),
            "name,n,rate,amount_usd,ok\n\"Pricing, \"\"explained\"\"\",1234567,0.25,1234.50,true\nÆrø,0,,-0.05,\n"
        );
    }

    #[test]
    fn json_has_numbers_and_nulls() {
        let mut t = sample();
        t.terms = vec![
            ("follow_up_hours".into(), 1.0),
            ("half_life_days".into(), 7.5),
        ];
        let j: serde_json::Value = serde_json::from_str(&t.to_json()).unwrap();
        assert_eq!(j["report"], "x");
        assert_eq!(j["terms"]["follow_up_hours"], 1.0);
        assert_eq!(j["terms"]["half_life_days"], 7.5);
        let rows = &j["rows"];
        assert_eq!(rows[0]["n"], 1_234_567);
        assert_eq!(rows[0]["amount_usd"], 1234.5);
        assert_eq!(rows[1]["rate"], serde_json::Value::Null);
        assert_eq!(rows[0]["ok"], true);
        let text = sample().to_json();
        assert!(
            text.find("\"name\"").unwrap() < text.find("\"n\"").unwrap(),
            "{text}"
        );
        assert_eq!(
            Table::new("e", &[]).to_json(),
            "{\"report\": \"e\", \"terms\": {}, \"rows\": []}\n"
        );
    }

    #[test]
    fn text_is_for_people() {
        let s = sample().to_text("x — all time");
        assert!(s.contains("1,234,567"), "{s}");
        assert!(s.contains("25.0%"), "{s}");
        assert!(s.contains("$1,234.50"), "{s}");
        assert!(s.contains("-$0.05"), "{s}");
        assert_eq!(grouped(-0.001, 2), "0.00");
        assert_eq!(grouped(12345.678, 1), "12,345.7");
        for (n, s) in [(0, "0"), (999, "999"), (1000, "1,000"), (123456, "123,456")] {
            assert_eq!(group_thousands(&n.to_string()), s);
        }
    }

    #[test]
    fn floats_round_trip() {
        let mut s = String::new();
        write_raw(&mut s, &Value::Float(2.2857141666666667));
        assert_eq!(s, "2.2857141666666667");
        s.clear();
        write_raw(&mut s, &Value::Float(1.0));
        assert_eq!(s.parse::<f64>().unwrap(), 1.0);
    }
}

#[cfg(test)]
mod codec_tests {
    use super::*;
    use proptest::prelude::*;

    /// Equality with floats compared by their bits (NaN == NaN, 0.0 != -0.0).
    fn same(a: &Table, b: &Table) -> bool {
        let cell = |x: &Value, y: &Value| match (x, y) {
            (Value::Float(x), Value::Float(y)) => x.to_bits() == y.to_bits(),
            (Value::Float(_), _) | (_, Value::Float(_)) => false,
            (x, y) => x == y,
        };
        a.name == b.name
            && a.terms.len() == b.terms.len()
            && a.terms
                .iter()
                .zip(&b.terms)
                .all(|(x, y)| x.0 == y.0 && x.1.to_bits() == y.1.to_bits())
            && a.columns == b.columns
            && a.rows.len() == b.rows.len()
            && a.rows
                .iter()
                .zip(&b.rows)
                .all(|(r, s)| r.len() == s.len() && r.iter().zip(s).all(|(x, y)| cell(x, y)))
    }

    fn kind() -> impl Strategy<Value = ColumnKind> {
        prop_oneof![
            Just(ColumnKind::Text),
            Just(ColumnKind::Int),
            Just(ColumnKind::Float),
            Just(ColumnKind::Rate),
            Just(ColumnKind::Money),
            Just(ColumnKind::Bool),
            Just(ColumnKind::Timestamp),
        ]
    }

    fn value() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Null),
            any::<i64>().prop_map(Value::Int),
            any::<f64>().prop_map(Value::Float),
            // Every bit pattern, NaN payloads included.
            any::<u64>().prop_map(|b| Value::Float(f64::from_bits(b))),
            any::<i64>().prop_map(Value::Money),
            any::<String>().prop_map(Value::Text),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|s| Value::Timestamp(Timestamp::from_unix_seconds(s))),
        ]
    }

    fn table() -> impl Strategy<Value = Table> {
        (
            any::<String>(),
            proptest::collection::vec((any::<String>(), any::<u64>()), 0..3),
            proptest::collection::vec((any::<String>(), kind()), 0..6),
        )
            .prop_flat_map(|(name, terms, columns)| {
                let width = columns.len();
                let rows = proptest::collection::vec(
                    proptest::collection::vec(value(), width..=width),
                    0..8,
                );
                (Just(name), Just(terms), Just(columns), rows)
            })
            .prop_map(|(name, terms, columns, rows)| Table {
                name,
                terms: terms
                    .into_iter()
                    .map(|(n, bits)| (Cow::Owned(n), f64::from_bits(bits)))
                    .collect(),
                columns: columns
                    .into_iter()
                    .map(|(name, kind)| Column {
                        name: Cow::Owned(name),
                        kind,
                    })
                    .collect(),
                rows,
            })
    }

    fn sample() -> Table {
        let mut t = Table::new(
            "sla_followup",
            &[
                ("stage", ColumnKind::Text),
                ("leads", ColumnKind::Int),
                ("rate", ColumnKind::Rate),
                ("amount_usd", ColumnKind::Money),
                ("ok", ColumnKind::Bool),
                ("at", ColumnKind::Timestamp),
            ],
        );
        t.push(vec![
            Value::text("MQL, \"hot\""),
            Value::Int(-1_234_567),
            Value::Float(2.2857141666666667),
            Value::Money(123_450),
            Value::Bool(true),
            Value::Timestamp(Timestamp::from_unix_seconds(1_743_465_600)),
        ]);
        t.push(vec![
            Value::text("Ærø"),
            Value::Null,
            Value::Float(-0.0),
            Value::Money(-5),
            Value::Bool(false),
            Value::Null,
        ]);
        t.terms = vec![
            ("follow_up_hours".into(), 1.0),
            ("decide_hours".into(), 48.0),
        ];
        t
    }

    #[test]
    fn a_report_table_round_trips_and_renders_the_same() {
        let t = sample();
        let back = Table::decode(&t.encode()).unwrap();
        assert!(same(&t, &back), "{back:?}");
        assert_eq!(back.to_csv(), t.to_csv());
        assert_eq!(back.to_json(), t.to_json());
        assert_eq!(back.to_text("x"), t.to_text("x"));
        let empty = Table::new("e", &[]);
        assert_eq!(Table::decode(&empty.encode()).unwrap(), empty);
    }

    #[test]
    fn a_version_1_table_reads_without_terms() {
        // Version 1 is version 2 without the term count after the name.
        let mut t = sample();
        t.terms.clear();
        let v2 = t.encode();
        let name_end = 4 + 1 + t.name.len();
        assert_eq!(v2[name_end], 0, "no terms");
        let mut v1 = v2[..name_end].to_vec();
        v1[3] = 1;
        v1.extend_from_slice(&v2[name_end + 1..]);
        let back = Table::decode(&v1).unwrap();
        assert!(same(&t, &back), "{back:?}");
        v1[3] = 3;
        assert!(Table::decode(&v1).unwrap_err().contains("version 3"));
    }

    #[test]
    fn every_truncation_is_an_error() {
        let bytes = sample().encode();
        for n in 0..bytes.len() {
            let err = Table::decode(&bytes[..n]).expect_err("truncated");
            assert!(!err.is_empty());
        }
    }

    #[test]
    fn damage_is_named() {
        let bytes = sample().encode();
        let err = Table::decode(b"not a table").unwrap_err();
        assert!(err.contains("not an encoded table"), "{err}");
        let mut newer = bytes.clone();
        newer[3] = 3;
        let err = Table::decode(&newer).unwrap_err();
        assert!(err.contains("version 3"), "{err}");
        let mut longer = bytes.clone();
        longer.push(0);
        let err = Table::decode(&longer).unwrap_err();
        assert!(err.contains("after the last row"), "{err}");
        // A row claiming more cells than the table has columns.
        let mut t = sample();
        t.rows[1].push(Value::Null);
        let err = Table::decode(&t.encode()).unwrap_err();
        assert!(err.contains("row 1 has 7 cells"), "{err}");
        // A count far beyond the bytes left: refused before allocating.
        let mut huge = b"ACT\x01\x00".to_vec();
        huge.extend_from_slice(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]);
        let err = Table::decode(&huge).unwrap_err();
        assert!(err.contains("column count"), "{err}");
        let mut huge = b"ACT\x02\x00".to_vec();
        huge.extend_from_slice(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]);
        let err = Table::decode(&huge).unwrap_err();
        assert!(err.contains("term count"), "{err}");
        // A varint running past 64 bits.
        let mut long = b"ACT\x01".to_vec();
        long.extend_from_slice(&[0xff; 11]);
        let err = Table::decode(&long).unwrap_err();
        assert!(err.contains("64 bits"), "{err}");
    }

    proptest! {
        #[test]
        fn any_table_round_trips_bit_for_bit(t in table()) {
            let bytes = t.encode();
            let back = Table::decode(&bytes).unwrap();
            prop_assert!(same(&t, &back), "{:?} != {:?}", t, back);
            prop_assert_eq!(back.encode(), bytes);
        }

        #[test]
        fn any_truncation_or_flip_of_an_encoding_never_panics(
            t in table(), cut in any::<prop::sample::Index>(), flip in any::<(prop::sample::Index, u8)>()
        ) {
            let bytes = t.encode();
            let n = cut.index(bytes.len() + 1);
            if n < bytes.len() {
                prop_assert!(Table::decode(&bytes[..n]).is_err());
            }
            let mut damaged = bytes.clone();
            let at = flip.0.index(damaged.len());
            damaged[at] ^= flip.1;
            let _ = Table::decode(&damaged);
        }

        #[test]
        fn any_bytes_decode_without_panicking(
            body in proptest::collection::vec(any::<u8>(), 0..256)
        ) {
            prop_assert!(Table::decode(&body).is_err() || body.starts_with(b"ACT\x01"));
            // Past the header too, where the interesting failures are.
            let mut bytes = b"ACT\x01".to_vec();
            bytes.extend_from_slice(&body);
            let _ = Table::decode(&bytes);
        }
    }
}
