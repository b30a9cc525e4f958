//! A report's result: named, typed columns and rows of typed values, with the
//! three renderings a user asks for (CSV for machines and the kit's comparer,
//! JSON for programs, an aligned table for people).

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
    pub name: &'static str,
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
            columns: columns
                .iter()
                .map(|&(name, kind)| Column { name, kind })
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
            push_csv_field(&mut out, c.name);
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

    /// JSON text: an array of objects, one per row, keys in column order
    /// (null for nulls, numbers as numbers, money in dollars, timestamps in
    /// the contract's form).
    pub fn to_json(&self) -> String {
        let mut out = String::from("[");
        for (r, row) in self.rows.iter().enumerate() {
            out.push_str(if r == 0 { "\n  {" } else { ",\n  {" });
            for (i, (c, v)) in self.columns.iter().zip(row).enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&serde_json::Value::from(c.name).to_string());
                out.push_str(": ");
                out.push_str(&json_value(v).to_string());
            }
            out.push('}');
        }
        out.push_str(if self.rows.is_empty() { "]\n" } else { "\n]\n" });
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
        let header: Vec<String> = self.columns.iter().map(|c| c.name.to_owned()).collect();
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

fn human(kind: ColumnKind, v: &Value) -> String {
    match (kind, v) {
        (_, Value::Null) => "-".to_owned(),
        (_, Value::Money(c)) => {
            let sign = if *c < 0 { "-" } else { "" };
            let abs = c.unsigned_abs();
            format!(
                "{sign}${}.{:02}",
                group_thousands(&(abs / 100).to_string()),
                abs % 100
            )
        }
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
        let j: serde_json::Value = serde_json::from_str(&sample().to_json()).unwrap();
        assert_eq!(j[0]["n"], 1_234_567);
        assert_eq!(j[0]["amount_usd"], 1234.5);
        assert_eq!(j[1]["rate"], serde_json::Value::Null);
        assert_eq!(j[0]["ok"], true);
        let text = sample().to_json();
        assert!(
            text.find("\"name\"").unwrap() < text.find("\"n\"").unwrap(),
            "{text}"
        );
        assert_eq!(Table::new("e", &[]).to_json(), "[]\n");
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
