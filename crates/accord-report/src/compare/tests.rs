use super::*;
use crate::ColumnKind as K;

fn period(from: &str, to: &str) -> Period {
    Period::from_dates(Some(from), Some(to)).unwrap()
}

fn names(t: &Table) -> Vec<&str> {
    t.columns.iter().map(|c| &*c.name).collect()
}

fn kpi(rows: &[(&str, i64, i64)]) -> Table {
    let mut t = Table::new(
        "kpi",
        &[("month", K::Text), ("leads", K::Int), ("won_usd", K::Money)],
    );
    for &(m, leads, cents) in rows {
        t.push(vec![Value::text(m), Value::Int(leads), Value::Money(cents)]);
    }
    t
}

#[test]
fn the_previous_period_has_the_same_days_and_ends_the_day_before() {
    assert_eq!(
        previous(&period("2025-11-01", "2025-11-30")),
        Some(period("2025-10-02", "2025-10-31"))
    );
    assert_eq!(
        previous(&period("2025-10-01", "2025-12-31")),
        Some(period("2025-07-01", "2025-09-30"))
    );
    // 37 days across the year end.
    assert_eq!(
        previous(&period("2025-12-15", "2026-01-20")),
        Some(period("2025-11-08", "2025-12-14"))
    );
    // A leap day counts.
    assert_eq!(
        previous(&period("2024-03-01", "2024-03-31")),
        Some(period("2024-01-30", "2024-02-29"))
    );
    assert_eq!(
        previous(&period("2025-11-05", "2025-11-05")),
        Some(period("2025-11-04", "2025-11-04"))
    );
    assert_eq!(
        previous(&Period::from_dates(Some("2025-11-01"), None).unwrap()),
        None
    );
    assert_eq!(
        previous(&Period::from_dates(None, Some("2025-11-01")).unwrap()),
        None
    );
    assert_eq!(previous(&Period::ALL), None);
}

#[test]
fn months_pair_from_the_end_and_all_with_all() {
    // A quarter: Oct–Dec against Jul–Sep.
    let now = period("2025-10-01", "2025-12-31");
    let before = previous(&now).unwrap();
    let current = kpi(&[
        ("(all)", 30, 500),
        ("2025-10", 10, 0),
        ("2025-11", 12, 500),
        ("2025-12", 8, 0),
    ]);
    let previous_table = kpi(&[
        ("(all)", 20, 1000),
        ("2025-07", 5, 1000),
        ("2025-09", 15, 0),
    ]);
    let t = compare(&current, &previous_table, &now, &before);
    assert_eq!(
        names(&t),
        [
            "month",
            "month_previous",
            "leads",
            "leads_previous",
            "leads_change",
            "won_usd",
            "won_usd_previous",
            "won_usd_change"
        ]
    );
    let row = |m: &str, p: &str, l: [i64; 3], w: [i64; 3]| {
        vec![
            Value::text(m),
            Value::text(p),
            Value::Int(l[0]),
            Value::Int(l[1]),
            Value::Int(l[2]),
            Value::Money(w[0]),
            Value::Money(w[1]),
            Value::Money(w[2]),
        ]
    };
    assert_eq!(
        t.rows,
        [
            row("(all)", "(all)", [30, 20, 10], [500, 1000, -500]),
            row("2025-10", "2025-07", [10, 5, 5], [0, 1000, -1000]),
            // August had no row: a sum over nothing is 0.
            row("2025-11", "2025-08", [12, 0, 12], [500, 0, 500]),
            row("2025-12", "2025-09", [8, 15, -7], [0, 0, 0]),
        ]
    );
}

#[test]
fn a_row_only_the_previous_period_has_comes_last_with_its_months() {
    // March (31 days) against 30 January to 28 February: January's two
    // days pair with no month of the period.
    let now = period("2025-03-01", "2025-03-31");
    let before = previous(&now).unwrap();
    assert_eq!(before, period("2025-01-29", "2025-02-28"));
    let t = compare(
        &kpi(&[("2025-03", 4, 0)]),
        &kpi(&[("2025-01", 1, 0), ("2025-02", 3, 0)]),
        &now,
        &before,
    );
    let months: Vec<(&Value, &Value)> = t.rows.iter().map(|r| (&r[0], &r[1])).collect();
    assert_eq!(
        months,
        [
            (&Value::text("2025-03"), &Value::text("2025-02")),
            (&Value::Null, &Value::text("2025-01")),
        ]
    );
    assert_eq!(
        t.rows[1][2..5],
        [Value::Int(0), Value::Int(1), Value::Int(-1)]
    );
}

/// A rep, its win rate, won deals and average won deal.
type RepRow<'a> = (&'a str, Option<f64>, Option<i64>, Option<i64>);

#[test]
fn rates_change_in_points_and_nulls_stay_null() {
    let table = |rows: &[RepRow]| {
        let mut t = Table::new(
            "leaderboard",
            &[
                ("rep_id", K::Text),
                ("name", K::Text),
                ("won_deals", K::Int),
                ("avg_won_usd", K::Money),
                ("win_rate", K::Rate),
                ("median_cycle_days", K::Float),
            ],
        );
        for &(rep, rate, deals, avg) in rows {
            t.push(vec![
                Value::text(rep),
                Value::text(format!("name of {rep}")),
                deals.map_or(Value::Null, Value::Int),
                avg.map_or(Value::Null, Value::Money),
                Value::opt_float(rate),
                Value::opt_float(rate.map(|r| r * 100.0)),
            ]);
        }
        t
    };
    let now = period("2025-11-01", "2025-11-30");
    let before = previous(&now).unwrap();
    let t = compare(
        &table(&[
            ("R1", Some(0.25), Some(2), Some(500)),
            ("R2", None, Some(0), None),
        ]),
        &table(&[
            ("R1", Some(0.2), Some(1), Some(300)),
            ("R3", Some(0.5), Some(1), Some(100)),
        ]),
        &now,
        &before,
    );
    assert_eq!(
        names(&t),
        [
            "rep_id",
            "name",
            "won_deals",
            "won_deals_previous",
            "won_deals_change",
            "avg_won_usd",
            "avg_won_usd_previous",
            "avg_won_usd_change",
            "win_rate",
            "win_rate_previous",
            "win_rate_change",
            "median_cycle_days",
            "median_cycle_days_previous",
            "median_cycle_days_change"
        ]
    );
    assert_eq!(t.columns[10].kind, K::Rate);
    let r1 = &t.rows[0];
    assert_eq!(
        r1[..8],
        [
            Value::text("R1"),
            Value::text("name of R1"),
            Value::Int(2),
            Value::Int(1),
            Value::Int(1),
            Value::Money(500),
            Value::Money(300),
            Value::Money(200),
        ]
    );
    let Value::Float(points) = r1[10] else {
        panic!("{r1:?}")
    };
    assert!((points - 0.05).abs() < 1e-12, "{points}");
    // R2: no previous row. Counts are 0 before; an average and a rate null.
    let r2 = &t.rows[1];
    assert_eq!(
        r2[2..8],
        [
            Value::Int(0),
            Value::Int(0),
            Value::Int(0),
            Value::Null,
            Value::Null,
            Value::Null,
        ]
    );
    assert_eq!(r2[8..11], [Value::Null, Value::Null, Value::Null]);
    // R3: only before; its name comes from the previous period.
    let r3 = &t.rows[2];
    assert_eq!(
        r3[..5],
        [
            Value::text("R3"),
            Value::text("name of R3"),
            Value::Int(0),
            Value::Int(1),
            Value::Int(-1),
        ]
    );
    assert_eq!(r3[8..11], [Value::Null, Value::Float(0.5), Value::Null]);
    assert_eq!(t.rows.len(), 3);
}

#[test]
fn timestamps_get_a_previous_value_and_no_change() {
    let table = |at: Option<i64>| {
        let mut t = Table::new(
            "content",
            &[("content_id", K::Text), ("last_used_at", K::Timestamp)],
        );
        t.push(vec![
            Value::text("K0001"),
            at.map_or(Value::Null, |s| {
                Value::Timestamp(Timestamp::from_unix_seconds(s))
            }),
        ]);
        t
    };
    let now = period("2025-11-01", "2025-11-30");
    let t = compare(
        &table(Some(100)),
        &table(None),
        &now,
        &previous(&now).unwrap(),
    );
    assert_eq!(
        names(&t),
        ["content_id", "last_used_at", "last_used_at_previous"]
    );
    assert_eq!(t.rows[0][2], Value::Null);
}

#[test]
fn every_report_names_key_columns_of_its_own() {
    for name in crate::REPORTS {
        assert!(!key_columns(name).is_empty(), "{name}");
    }
    assert!(key_columns("nope").is_empty());
}
