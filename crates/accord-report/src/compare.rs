//! A report over a period beside the same report over the previous period
//! (`--compare previous`): each figure with its previous value and the
//! change, so a reader (the CLI, the dashboard's trend arrows) gets both
//! from one table. Works on finished tables: whatever computed them.
//!
//! - The previous period has the same number of days and ends the day
//!   before the period starts ([`previous`]).
//! - Rows are joined by the report's key columns ([`key_columns`]). A month
//!   key (`cohort_month`, `mql_month`, `month`) is joined by its place
//!   counted from the end of its period: the period's last month with the
//!   previous period's last month, and so on back (a quarter's December
//!   with September); `(all)` with `(all)`. The month compared with is shown
//!   in a key column `<month>_previous` right after it.
//! - Each number column `c` (counts, money, rates, hours, …) gets
//!   `c_previous` and `c_change` (this period's value less the previous one;
//!   for a rate, the difference in points as a fraction: 0.25 against 0.20
//!   is 0.05); the change is null when either side is. A timestamp or a
//!   boolean gets `c_previous` only. Other text columns (a title, a name)
//!   describe the key and are shown once.
//! - A row only one period has still appears: on the side without it,
//!   counts and money are 0 (a sum over nothing), while rates, averages,
//!   quantiles, timestamps, booleans and looked-up values (`cost_usd`,
//!   `mql_target`, `avg_won_usd`) are null. Rows come in the report's order
//!   for this period, then the rows only the previous period has, in its
//!   order.

use std::borrow::Cow;
use std::collections::HashMap;

use accord_core::domain::Timestamp;

use crate::{Column, ColumnKind, Period, Table, Value};

/// The period of the same number of days ending the day before `period`
/// starts; `None` unless `period` has both ends.
pub fn previous(period: &Period) -> Option<Period> {
    let (from, until) = (period.from?, period.until?);
    let length = until.seconds_since(from);
    Some(Period {
        from: Some(from.plus_seconds(-length)),
        until: Some(from),
    })
}

/// The columns that identify a row of report `name` (empty for a name
/// that is not a report).
pub fn key_columns(name: &str) -> &'static [&'static str] {
    match name {
        "funnel" => &["cohort_month", "source_channel"],
        "velocity" => &["from_stage", "to_stage", "source_channel"],
        "sla_followup" => &["mql_month", "rep_id"],
        "sla_marketing" => &["region", "month"],
        "attribution_campaign" => &["campaign_id"],
        "attribution_channel" => &["channel"],
        "content" => &["content_id"],
        "content_gaps" => &["persona", "journey_stage"],
        "leaderboard" => &["rep_id"],
        "rejections" => &["month", "reason"],
        "kpi" | "kpi_outcomes" => &["month"],
        _ => &[],
    }
}

/// Key columns holding a month (`YYYY-MM` or `(all)`).
fn is_month_key(column: &str) -> bool {
    matches!(column, "cohort_month" | "mql_month" | "month")
}

/// Number columns that are not sums: null, not 0, where a period lacks the row.
fn is_not_a_sum(column: &str) -> bool {
    matches!(column, "cost_usd" | "mql_target" | "avg_won_usd")
}

/// The months a bounded period touches, as month numbers (year × 12 +
/// month − 1): its first and its last.
fn month_span(period: &Period) -> (i64, i64) {
    let index = |t: Timestamp| {
        let m = t.month();
        i64::from(m.year()) * 12 + i64::from(m.month_of_year()) - 1
    };
    let from = period.from.expect("a bounded period");
    let until = period.until.expect("a bounded period");
    (index(from), index(until.plus_seconds(-1).max(from)))
}

fn month_number(text: &str) -> Option<i64> {
    let m = accord_core::domain::Month::parse(text).ok()?;
    Some(i64::from(m.year()) * 12 + i64::from(m.month_of_year()) - 1)
}

fn month_text(number: i64) -> String {
    format!(
        "{:04}-{:02}",
        number.div_euclid(12),
        number.rem_euclid(12) + 1
    )
}

/// One part of a row's join key.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum KeyPart {
    /// A month, by its place counted back from its period's last month.
    MonthBack(i64),
    /// Any other value, by its text (`(all)` included).
    Text(Option<String>),
}

fn key_text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::Text(s) => Some(s.clone()),
        // Every report's keys are text; anything else joins by its form.
        other => Some(format!("{other:?}")),
    }
}

/// What the comparison does with a column of the report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Key {
        month: bool,
    },
    /// Text describing the key: shown once.
    Attribute,
    /// A number: value, previous, change.
    Number,
    /// A timestamp or boolean: value, previous.
    Other,
}

/// `current` (the report over `period`) beside `previous` (the same report,
/// under the same terms, over `previous_period`). Both periods have both
/// ends. Columns of `current` missing from `previous` compare with nulls.
pub fn compare(
    current: &Table,
    previous: &Table,
    period: &Period,
    previous_period: &Period,
) -> Table {
    let keys = key_columns(&current.name);
    let roles: Vec<Role> = current
        .columns
        .iter()
        .map(|c| {
            if keys.contains(&&*c.name) {
                Role::Key {
                    month: is_month_key(&c.name),
                }
            } else {
                match c.kind {
                    ColumnKind::Text => Role::Attribute,
                    ColumnKind::Int | ColumnKind::Float | ColumnKind::Rate | ColumnKind::Money => {
                        Role::Number
                    }
                    ColumnKind::Bool | ColumnKind::Timestamp => Role::Other,
                }
            }
        })
        .collect();
    // Where each of current's columns is in previous.
    let in_previous: Vec<Option<usize>> = current
        .columns
        .iter()
        .map(|c| previous.column_index(&c.name))
        .collect();
    let (first, last) = month_span(period);
    let (previous_first, previous_last) = month_span(previous_period);

    let join_key = |row: &[Value], at: &dyn Fn(usize) -> Option<usize>, last: i64| {
        roles
            .iter()
            .enumerate()
            .filter_map(|(i, role)| {
                let Role::Key { month } = *role else {
                    return None;
                };
                let v = at(i).and_then(|j| row.get(j)).unwrap_or(&Value::Null);
                let text = key_text(v);
                Some(match (month, text.as_deref().and_then(month_number)) {
                    (true, Some(m)) => KeyPart::MonthBack(last - m),
                    _ => KeyPart::Text(text),
                })
            })
            .collect::<Vec<KeyPart>>()
    };
    let current_at = |i: usize| Some(i);
    let previous_at = |i: usize| in_previous[i];

    let mut previous_rows: HashMap<Vec<KeyPart>, usize> = HashMap::new();
    for (r, row) in previous.rows.iter().enumerate() {
        previous_rows
            .entry(join_key(row, &previous_at, previous_last))
            .or_insert(r);
    }

    let mut out = Table {
        name: current.name.clone(),
        terms: current.terms.clone(),
        columns: Vec::new(),
        rows: Vec::new(),
    };
    for (c, role) in current.columns.iter().zip(&roles) {
        out.columns.push(c.clone());
        let suffixed = |suffix: &str, kind| Column {
            name: Cow::Owned(format!("{}_{suffix}", c.name)),
            kind,
        };
        match role {
            Role::Key { month: true } => out.columns.push(suffixed("previous", ColumnKind::Text)),
            Role::Key { month: false } | Role::Attribute => {}
            Role::Number => {
                out.columns.push(suffixed("previous", c.kind));
                out.columns.push(suffixed("change", c.kind));
            }
            Role::Other => out.columns.push(suffixed("previous", c.kind)),
        }
    }

    // A month counted back from a period's last month, as text when it is
    // one of the period's months.
    let month_back = |back: i64, first: i64, last: i64| {
        let m = last - back;
        if (first..=last).contains(&m) {
            Value::Text(month_text(m))
        } else {
            Value::Null
        }
    };
    let mut matched = vec![false; previous.rows.len()];
    let mut emit = |now: Option<&[Value]>, before: Option<&[Value]>, key: &[KeyPart]| {
        let mut row = Vec::with_capacity(out.columns.len());
        let mut key_part = key.iter();
        for (i, (c, role)) in current.columns.iter().zip(&roles).enumerate() {
            let this = now.map(|r| r[i].clone());
            let that = before.map(|r| {
                in_previous[i]
                    .and_then(|j| r.get(j))
                    .cloned()
                    .unwrap_or(Value::Null)
            });
            // The value a period without the row has.
            let absent = || match c.kind {
                ColumnKind::Int if !is_not_a_sum(&c.name) => Value::Int(0),
                ColumnKind::Money if !is_not_a_sum(&c.name) => Value::Money(0),
                _ => Value::Null,
            };
            match role {
                Role::Key { month } => {
                    let part = key_part.next().expect("one key part per key column");
                    match (month, part) {
                        (true, KeyPart::MonthBack(back)) => {
                            row.push(this.unwrap_or_else(|| month_back(*back, first, last)));
                            row.push(that.unwrap_or_else(|| {
                                month_back(*back, previous_first, previous_last)
                            }));
                        }
                        (true, KeyPart::Text(_)) => {
                            // `(all)` (or any text that is not a month): the same on both sides.
                            let v = this.or(that).unwrap_or(Value::Null);
                            row.push(v.clone());
                            row.push(v);
                        }
                        (false, _) => row.push(this.or(that).unwrap_or(Value::Null)),
                    }
                }
                Role::Attribute => row.push(this.or(that).unwrap_or(Value::Null)),
                Role::Number => {
                    let this = this.unwrap_or_else(absent);
                    let that = that.unwrap_or_else(absent);
                    let change = difference(&this, &that);
                    row.extend([this, that, change]);
                }
                Role::Other => {
                    row.push(this.unwrap_or(Value::Null));
                    row.push(that.unwrap_or(Value::Null));
                }
            }
        }
        out.rows.push(row);
    };
    for row in &current.rows {
        let key = join_key(row, &current_at, last);
        let before = previous_rows.get(&key).map(|&r| {
            matched[r] = true;
            previous.rows[r].as_slice()
        });
        emit(Some(row), before, &key);
    }
    for (r, row) in previous.rows.iter().enumerate() {
        if !matched[r] {
            let key = join_key(row, &previous_at, previous_last);
            // Two rows of the previous period with one key: the first is compared.
            if previous_rows.get(&key) == Some(&r) {
                emit(None, Some(row), &key);
            }
        }
    }
    out
}

/// `a − b` for two numbers of one kind; null when either is null.
fn difference(a: &Value, b: &Value) -> Value {
    match (a, b) {
        (Value::Int(a), Value::Int(b)) => Value::Int(a - b),
        (Value::Money(a), Value::Money(b)) => Value::Money(a - b),
        (Value::Null, _) | (_, Value::Null) => Value::Null,
        (a, b) => match (a.as_f64(), b.as_f64()) {
            (Some(a), Some(b)) => Value::Float(a - b),
            _ => Value::Null,
        },
    }
}

#[cfg(test)]
mod tests;
