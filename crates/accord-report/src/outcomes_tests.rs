//! `kpi_outcomes`, `kpi` and the won opportunities attribution lists, on a log small enough to work out by hand.

// Amounts in cents are written dollars_cents (`1_000_00` is $1,000.00).
#![allow(clippy::inconsistent_digit_grouping)]

use accord_core::domain::{Channel, TouchKind};
use accord_core::event::Event;

use crate::tests::{account, closed, col, int, lead, opportunity, report, text, touch, DAY, HOUR};
use crate::{compare, Live, Period, Projections, ReportTerms, Table, Value};

/// Days from 2025-04-01 (day 0). Accounts A1..A3.
/// - L5 (A3) created 2024-12-02 (day -120), a page view on day -110;
///   L1 (A1) on day 0 with a page view an hour later; L2 (A2) on day 1 with
///   a sales call only; L3 (no account) on day 2; L4 (A3) on day 34
///   (5 May) with a page view that day.
/// - O1 (A1, $1,000) created day 4, won day 19: the page view of day 0 is
///   in its window, influenced.
/// - O2 (A2, $2,000) created day 5, lost day 32 (3 May): a sales touch only.
/// - O3 (A3, $4,000) created day 9, open: L5's page view is 119 days
///   before (outside the 90-day lookback), L4's is after: not influenced.
/// - O4 (A1, $500) created day 39 (10 May), won day 41: L1's page view of
///   day 0 is 39 days before, influenced.
fn log() -> Vec<Event> {
    let page = TouchKind::PageView;
    let web = Some(Channel::OrganicSearch);
    vec![
        account("A1"),
        account("A2"),
        account("A3"),
        lead("L5", -120 * DAY, Channel::OrganicSearch, Some("A3")),
        touch("T5", "L5", -110 * DAY, page, web, None, None),
        lead("L1", 0, Channel::PaidSearch, Some("A1")),
        touch("T1", "L1", HOUR, page, web, None, None),
        lead("L2", DAY, Channel::Outbound, Some("A2")),
        touch(
            "T2",
            "L2",
            DAY + HOUR,
            TouchKind::SalesCall,
            None,
            None,
            None,
        ),
        lead("L3", 2 * DAY, Channel::OrganicSearch, None),
        opportunity("O1", "A1", Some("L1"), 4 * DAY, 1_000_00),
        opportunity("O2", "A2", Some("L2"), 5 * DAY, 2_000_00),
        opportunity("O3", "A3", Some("L5"), 9 * DAY, 4_000_00),
        closed("O1", true, 19 * DAY),
        closed("O2", false, 32 * DAY),
        lead("L4", 34 * DAY, Channel::OrganicSearch, Some("A3")),
        touch("T4", "L4", 34 * DAY + HOUR, page, web, None, None),
        opportunity("O4", "A1", Some("L1"), 39 * DAY, 500_00),
        closed("O4", true, 41 * DAY),
    ]
}

fn outcomes(events: &[Event], period: &Period) -> Table {
    let p = Projections::from_events(events);
    report("kpi_outcomes", &p, &ReportTerms::default(), period).unwrap()
}

fn rate(t: &Table, row: usize, name: &str) -> Option<f64> {
    col(t, row, name).as_f64()
}

fn money(t: &Table, row: usize, name: &str) -> i64 {
    match col(t, row, name) {
        Value::Money(c) => *c,
        other => panic!("{name} is {other:?}"),
    }
}

#[test]
fn all_time_and_each_month_worked_out_by_hand() {
    let t = outcomes(&log(), &Period::ALL);
    let months: Vec<String> = (0..t.rows.len()).map(|r| text(&t, r, "month")).collect();
    assert_eq!(months, ["(all)", "2024-12", "2025-04", "2025-05"]);
    // (all): 5 leads, 4 opportunities; 2 won, 1 lost; $7,500 created, of
    // which O1 + O4 = $1,500 influenced.
    assert_eq!(int(&t, 0, "leads"), 5);
    assert_eq!(int(&t, 0, "opportunities"), 4);
    assert_eq!(rate(&t, 0, "lead_to_opportunity"), Some(0.8));
    assert_eq!(int(&t, 0, "won_deals"), 2);
    assert_eq!(int(&t, 0, "lost_deals"), 1);
    assert_eq!(rate(&t, 0, "win_rate"), Some(2.0 / 3.0));
    assert_eq!(money(&t, 0, "pipeline_created_usd"), 7_500_00);
    assert_eq!(money(&t, 0, "marketing_influenced_pipeline_usd"), 1_500_00);
    assert_eq!(rate(&t, 0, "marketing_influenced_share"), Some(0.2));
    // December 2024: one lead, nothing closed: the win rate is null, not 0.
    assert_eq!(rate(&t, 1, "lead_to_opportunity"), Some(0.0));
    assert_eq!(rate(&t, 1, "win_rate"), None);
    assert_eq!(rate(&t, 1, "marketing_influenced_share"), None);
    // April: 3 leads, O1..O3 created ($7,000, $1,000 influenced), O1 won.
    assert_eq!(int(&t, 2, "leads"), 3);
    assert_eq!(rate(&t, 2, "lead_to_opportunity"), Some(1.0));
    assert_eq!(rate(&t, 2, "win_rate"), Some(1.0));
    assert_eq!(money(&t, 2, "marketing_influenced_pipeline_usd"), 1_000_00);
    assert_eq!(rate(&t, 2, "marketing_influenced_share"), Some(1.0 / 7.0));
    // May: L4, O4 ($500, influenced); O4 won, O2 lost.
    assert_eq!(rate(&t, 3, "win_rate"), Some(0.5));
    assert_eq!(money(&t, 3, "marketing_influenced_pipeline_usd"), 500_00);
}

#[test]
fn a_period_and_its_change_against_the_previous_one() {
    let may = Period::from_dates(Some("2025-05-01"), Some("2025-05-31")).unwrap();
    let before = compare::previous(&may).unwrap();
    let current = outcomes(&log(), &may);
    let previous = outcomes(&log(), &before);
    let t = compare::compare(&current, &previous, &may, &before);
    assert_eq!(text(&t, 0, "month"), "(all)");
    // May against 1..30 April: win rate 1/2 against 1/1 (O1 closed 20 April).
    assert_eq!(rate(&t, 0, "win_rate"), Some(0.5));
    assert_eq!(rate(&t, 0, "win_rate_previous"), Some(1.0));
    assert_eq!(rate(&t, 0, "win_rate_change"), Some(-0.5));
    // 1 opportunity of 1 lead, against 3 of 3: no change.
    assert_eq!(rate(&t, 0, "lead_to_opportunity_change"), Some(0.0));
    // $500 influenced against $1,000.
    assert_eq!(money(&t, 0, "marketing_influenced_pipeline_usd"), 500_00);
    assert_eq!(
        money(&t, 0, "marketing_influenced_pipeline_usd_previous"),
        1_000_00
    );
    assert_eq!(
        money(&t, 0, "marketing_influenced_pipeline_usd_change"),
        -500_00
    );
}

/// A marketing touch arriving after the opportunity (dated inside its
/// window) makes it influenced; the cells follow batch by batch.
#[test]
fn a_late_touch_inside_the_window_makes_an_opportunity_influenced() {
    let mut events = log();
    let late = touch(
        "T9",
        "L2",
        5 * DAY - HOUR,
        TouchKind::EmailClick,
        Some(Channel::Email),
        None,
        None,
    );
    let mut live = Live::new(ReportTerms::default());
    live.apply(&events);
    let t = live.table("kpi_outcomes", &Period::ALL).unwrap();
    assert_eq!(money(&t, 0, "marketing_influenced_pipeline_usd"), 1_500_00);
    live.apply(std::slice::from_ref(&late));
    let t = live.table("kpi_outcomes", &Period::ALL).unwrap();
    // O2's $2,000 is now influenced too.
    assert_eq!(money(&t, 0, "marketing_influenced_pipeline_usd"), 3_500_00);
    events.push(late);
    assert_eq!(t, outcomes(&events, &Period::ALL));
}

/// The kit's kpi keeps exactly its columns.
#[test]
fn kpi_keeps_the_kits_columns() {
    let t = outcomes(&log(), &Period::ALL);
    assert_eq!(t.name, "kpi_outcomes");
    let p = Projections::from_events(&log());
    let k = report("kpi", &p, &ReportTerms::default(), &Period::ALL).unwrap();
    let names: Vec<&str> = k.columns.iter().map(|c| &*c.name).collect();
    assert_eq!(
        names,
        [
            "month",
            "leads",
            "mqls",
            "sals",
            "sqls",
            "opportunities",
            "pipeline_created_usd",
            "marketing_sourced_pipeline_usd",
            "won_deals",
            "won_usd",
            "lost_deals"
        ]
    );
}

/// The kit's `kpi` of the same log, with L1 going to mql (day 0) and sal
/// (day 1) and L3 to mql (day 3), worked out by hand: per month leads, mqls,
/// sals, sqls, opportunities, pipeline, marketing-sourced pipeline (primary
/// lead not `outbound`: O1, O3, O4), won deals and amount, lost deals.
#[test]
fn the_kits_kpi_of_the_same_log() {
    use crate::tests::stage;
    use accord_core::domain::Stage;
    let mut events = log();
    events.push(stage(
        "S1",
        "L1",
        Stage::Lead,
        Stage::Mql,
        2 * HOUR,
        None,
        None,
    ));
    events.push(stage("S2", "L1", Stage::Mql, Stage::Sal, DAY, None, None));
    events.push(stage(
        "S3",
        "L3",
        Stage::Lead,
        Stage::Mql,
        3 * DAY,
        None,
        None,
    ));
    let p = Projections::from_events(&events);
    let t = report("kpi", &p, &ReportTerms::default(), &Period::ALL).unwrap();
    type Row = (&'static str, [i64; 10]);
    let want: [Row; 4] = [
        ("(all)", [5, 2, 1, 0, 4, 7_500_00, 5_500_00, 2, 1_500_00, 1]),
        ("2024-12", [1, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        (
            "2025-04",
            [3, 2, 1, 0, 3, 7_000_00, 5_000_00, 1, 1_000_00, 0],
        ),
        ("2025-05", [1, 0, 0, 0, 1, 500_00, 500_00, 1, 500_00, 1]),
    ];
    assert_eq!(t.rows.len(), want.len());
    for (r, (month, counts)) in want.iter().enumerate() {
        assert_eq!(text(&t, r, "month"), *month);
        let got: Vec<i64> = t.columns[1..]
            .iter()
            .map(|c| match col(&t, r, &c.name) {
                Value::Int(n) | Value::Money(n) => *n,
                other => panic!("{} is {other:?}", c.name),
            })
            .collect();
        assert_eq!(got, counts, "{month}");
    }
    assert_eq!(
        t.columns.iter().map(|c| &*c.name).collect::<Vec<_>>(),
        [
            "month",
            "leads",
            "mqls",
            "sals",
            "sqls",
            "opportunities",
            "pipeline_created_usd",
            "marketing_sourced_pipeline_usd",
            "won_deals",
            "won_usd",
            "lost_deals"
        ]
    );
}

/// O1 ($1,000, won day 19) and O4 ($500, won day 41) have L1's page view
/// (organic search, no campaign) in their windows; O2 was lost, O3 is open.
#[test]
fn the_won_opportunities_crediting_a_key_largest_first() {
    use crate::won_by::By;
    let live = Live::build(ReportTerms::default(), Projections::from_events(&log()));
    let list = |by, key: &str, period: &Period| {
        let (t, total) = live.won_by(by, key, period, 10).unwrap();
        let rows: Vec<(String, i64, i64)> = (0..t.rows.len())
            .map(|r| {
                let Value::Money(cents) = col(&t, r, "amount_usd") else {
                    panic!("amount")
                };
                (text(&t, r, "opportunity_id"), *cents, int(&t, r, "touches"))
            })
            .collect();
        (rows, total)
    };
    let both = (
        vec![("O1".to_owned(), 1_000_00, 1), ("O4".to_owned(), 500_00, 1)],
        2,
    );
    assert_eq!(list(By::Channel, "organic_search", &Period::ALL), both);
    assert_eq!(list(By::Campaign, "(no campaign)", &Period::ALL), both);
    assert_eq!(list(By::Channel, "(none)", &Period::ALL), (vec![], 0));
    assert_eq!(list(By::Channel, "email", &Period::ALL), (vec![], 0));
    let may = Period::from_dates(Some("2025-05-01"), Some("2025-05-31")).unwrap();
    assert_eq!(
        list(By::Channel, "organic_search", &may),
        (vec![("O4".to_owned(), 500_00, 1)], 1)
    );
    let (t, total) = live
        .won_by(By::Channel, "organic_search", &Period::ALL, 1)
        .unwrap();
    assert_eq!((t.rows.len(), total), (1, 2));
    assert_eq!(
        live.won_by(By::Campaign, "C9", &Period::ALL, 10)
            .unwrap_err(),
        "no campaign `C9` in the log"
    );
    assert_eq!(
        live.won_by(By::Channel, "tv", &Period::ALL, 10)
            .unwrap_err(),
        "unknown channel `tv`"
    );
}

/// Days from 2025-04-01 (day 0). One lead and one opportunity per account
/// (B1..B7), every opportunity created on day 10 (the 90-day window is
/// [day -80, day 10]); `event` is the rare channel, `C7` the rare campaign:
/// - P1 ($3,000, won day 20): two emails.
/// - P2 ($5,000, won day 21): an email, and an event of campaign C7.
/// - P4 ($2,000, won day 40, in May): an event. Recorded before P3, so that
///   its place among the opportunities comes first: the tie with P3 is put
///   in id order all the same.
/// - P3 ($2,000, won day 22): two events and an email (and a sales call,
///   which attribution does not credit).
/// - P5 ($9,000, won day 23): an event on day -100 (before its window) and
///   an email.
/// - P6 ($1,000, won day 24): an event on day 12 (after its creation): no
///   touch in its window, so `(none)`.
/// - P7 ($8,000, lost day 20): an event; not won, never listed.
fn rare_log() -> Vec<Event> {
    use crate::tests::campaign;
    let t = |id: &str, lead: &str, day: i64, channel: Channel, c: Option<&str>| {
        let kind = TouchKind::EmailClick;
        touch(id, lead, day * DAY, kind, Some(channel), c, None)
    };
    let (email, event) = (Channel::Email, Channel::Event);
    let mut log = vec![campaign("C7", 100_00)];
    for (n, a) in ["B1", "B2", "B3", "B4", "B5", "B6", "B7"]
        .iter()
        .enumerate()
    {
        log.push(account(a));
        let l = format!("M{}", n + 1);
        log.push(lead(&l, -120 * DAY, Channel::Webinar, Some(a)));
    }
    log.extend([
        t("U1", "M1", 1, email, None),
        t("U2", "M1", 2, email, None),
        t("U3", "M2", 1, email, None),
        t("U4", "M2", 3, event, Some("C7")),
        t("U5", "M3", 2, event, None),
        t("U6", "M3", 4, event, None),
        t("U7", "M3", 5, email, None),
        touch("U8", "M3", 6 * DAY, TouchKind::SalesCall, None, None, None),
        t("U9", "M4", 3, event, None),
        t("U10", "M5", -100, event, None),
        t("U11", "M5", 5, email, None),
        t("U12", "M6", 12, event, None),
        t("U13", "M7", 1, event, None),
        opportunity("P1", "B1", Some("M1"), 10 * DAY, 3_000_00),
        opportunity("P2", "B2", Some("M2"), 10 * DAY, 5_000_00),
        opportunity("P4", "B4", Some("M4"), 10 * DAY, 2_000_00),
        opportunity("P3", "B3", Some("M3"), 10 * DAY, 2_000_00),
        opportunity("P5", "B5", Some("M5"), 10 * DAY, 9_000_00),
        opportunity("P6", "B6", Some("M6"), 10 * DAY, 1_000_00),
        opportunity("P7", "B7", Some("M7"), 10 * DAY, 8_000_00),
        closed("P1", true, 20 * DAY),
        closed("P2", true, 21 * DAY),
        closed("P4", true, 40 * DAY),
        closed("P3", true, 22 * DAY),
        closed("P5", true, 23 * DAY),
        closed("P6", true, 24 * DAY),
        closed("P7", false, 20 * DAY),
    ]);
    log
}

type Listed = (Vec<(String, i64, i64)>, usize);

/// `won_by` as (opportunity, cents, touches) rows and the total.
fn listed(live: &Live, by: crate::won_by::By, key: &str, period: &Period, limit: usize) -> Listed {
    let (t, total) = live.won_by(by, key, period, limit).unwrap();
    let rows = (0..t.rows.len())
        .map(|r| {
            (
                text(&t, r, "opportunity_id"),
                money(&t, r, "amount_usd"),
                int(&t, r, "touches"),
            )
        })
        .collect();
    (rows, total)
}

fn rows(list: &[(&str, i64, i64)]) -> Vec<(String, i64, i64)> {
    list.iter().map(|&(o, c, n)| (o.to_owned(), c, n)).collect()
}

/// The answers worked out by hand from [`rare_log`].
fn check_rare(live: &Live) {
    use crate::won_by::By::{Campaign, Channel as Ch};
    let all = &Period::ALL;
    let april = Period::from_dates(Some("2025-04-01"), Some("2025-04-30")).unwrap();
    let may = Period::from_dates(Some("2025-05-01"), Some("2025-05-31")).unwrap();
    let event = rows(&[
        ("P2", 5_000_00, 1),
        ("P3", 2_000_00, 2),
        ("P4", 2_000_00, 1),
    ]);
    assert_eq!(listed(live, Ch, "event", all, 10), (event.clone(), 3));
    // The limit cuts after the tie is put in id order: P3 before P4.
    assert_eq!(listed(live, Ch, "event", all, 2), (event[..2].to_vec(), 3));
    assert_eq!(listed(live, Ch, "event", all, 0), (vec![], 3));
    assert_eq!(
        listed(live, Ch, "event", &april, 10),
        (event[..2].to_vec(), 2)
    );
    assert_eq!(
        listed(live, Ch, "event", &may, 10),
        (event[2..].to_vec(), 1)
    );
    assert_eq!(
        listed(live, Campaign, "C7", all, 10),
        (rows(&[("P2", 5_000_00, 1)]), 1)
    );
    assert_eq!(
        listed(live, Ch, "(none)", all, 10),
        (rows(&[("P6", 1_000_00, 0)]), 1)
    );
    assert_eq!(
        listed(live, Campaign, "(none)", all, 10),
        (rows(&[("P6", 1_000_00, 0)]), 1)
    );
    let email = rows(&[
        ("P5", 9_000_00, 1),
        ("P2", 5_000_00, 1),
        ("P1", 3_000_00, 2),
        ("P3", 2_000_00, 1),
    ]);
    assert_eq!(listed(live, Ch, "email", all, 10), (email, 4));
    let no_campaign = rows(&[
        ("P5", 9_000_00, 1),
        ("P2", 5_000_00, 1),
        ("P1", 3_000_00, 2),
        ("P3", 2_000_00, 3),
        ("P4", 2_000_00, 1),
    ]);
    assert_eq!(
        listed(live, Campaign, "(no campaign)", all, 10),
        (no_campaign, 5)
    );
    assert_eq!(listed(live, Ch, "webinar", all, 10), (vec![], 0));
}

#[test]
fn a_rare_keys_wins_are_found_exactly_largest_first() {
    let log = rare_log();
    let built = Live::build(ReportTerms::default(), Projections::from_events(&log));
    check_rare(&built);
    // The same from the fold without a `Live` (the engine's path without a
    // watcher).
    let p = Projections::from_events(&log);
    let (t, total) = crate::won_by::won_by(
        &p,
        &ReportTerms::default(),
        p.derived(),
        crate::won_by::By::Channel,
        "event",
        &Period::ALL,
        2,
    )
    .unwrap();
    assert_eq!(
        (
            text(&t, 0, "opportunity_id"),
            text(&t, 1, "opportunity_id"),
            total
        ),
        ("P2".into(), "P3".into(), 3)
    );
}

/// The index is kept batch by batch (touches arriving after the win, an
/// amount changed by a close, the log in any order), equals one build's,
/// and comes back whole from a snapshot.
#[test]
fn the_wins_index_live_equals_a_fold_and_survives_a_snapshot() {
    let terms = ReportTerms::default();
    let mut log = rare_log();
    // P2's event (its only C7 touch) arrives last, after P2 was won.
    let late = log
        .iter()
        .position(|e| matches!(e, Event::Touched(t) if t.id.as_str() == "U4"))
        .unwrap();
    let u4 = log.remove(late);
    log.push(u4);
    let mut live = Live::new(terms);
    let cut = log.len() - 1;
    for batch in [&log[..cut / 3], &log[cut / 3..cut / 2], &log[cut / 2..cut]] {
        live.apply(batch);
    }
    // Before U4: P2 credits no event, the event list is P3 and P4.
    assert_eq!(
        listed(&live, crate::won_by::By::Channel, "event", &Period::ALL, 10),
        (rows(&[("P3", 2_000_00, 2), ("P4", 2_000_00, 1)]), 2)
    );
    live.apply(&log[cut..]);
    check_rare(&live);
    let built = Live::build(terms, Projections::from_events(&log));
    assert_eq!(
        live.parts().1.attribution.wins,
        built.parts().1.attribution.wins
    );
    let snap = live.to_snapshot();
    let read = Live::from_snapshot(&snap.cells, &snap.bulk, terms).unwrap();
    assert_eq!(
        read.parts().1.attribution.wins,
        live.parts().1.attribution.wins
    );
    check_rare(&read);
}
