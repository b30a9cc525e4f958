//! `accord export events` through the real binary, on the kit's tiny fixture.

mod common;

use common::{accord, text};

use std::path::{Path, PathBuf};

use accord_core::domain::Timestamp;
use accord_core::event::Event;
use accord_store::{EventStore, SqliteStore};
use accord_wire::{parse_line, Input};

const KIT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/bench");

/// A folder holding `accord.db` with the tiny fixture imported.
fn imported() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let tiny = PathBuf::from(KIT).join("fixtures/tiny");
    let out = accord(&["import", tiny.to_str().unwrap()], dir.path());
    assert!(out.status.success(), "{}", text(&out.stderr));
    dir
}

fn log(db: &Path) -> Vec<Event> {
    let store = SqliteStore::open_for_reading(db).expect("the database opens");
    let mut events = Vec::new();
    store.scan(&mut |e| events.push(e)).expect("the log reads");
    events
}

/// Lines worked out by hand from the fixture's CSV rows.
const EXPECTED: [&str; 7] = [
    r#"{"v":1,"type":"rep_recorded","origin":"imported","rep_id":"R0002","name":"O'Brien, Sean","email":"sean@acme-demo.com","team":"sdr","region":"EMEA","vertical":"software","manager_id":"R0001","capacity_per_day":20,"hired_at":"2024-03-01T09:00:00Z"}"#,
    r#"{"v":1,"type":"rep_recorded","origin":"imported","rep_id":"R0001","name":"Maria Šťastná","email":"maria@acme-demo.com","team":"manager","region":"EMEA","vertical":null,"manager_id":null,"capacity_per_day":0,"hired_at":"2024-01-15T09:00:00Z"}"#,
    r#"{"v":1,"type":"account_recorded","origin":"imported","account_id":"A000001","name":"Northwind Traders, Ltd","domain":"northwind.co.uk","industry":"logistics","employees":850,"annual_revenue_usd":120000000.00,"country":"GB","region":"EMEA","tier":"enterprise","owner_rep_id":"R0003","created_at":"2024-02-01T00:00:00Z"}"#,
    r#"{"v":1,"type":"lead_created","origin":"imported","lead_id":"L0000002","email":"bob@eu.northwind.co.uk","full_name":"Bob \"Bobby\" Smith","title":"IT Manager","seniority":"manager","persona":"technical_buyer","company_name":"Northwind, Ltd.","website":null,"employees_reported":null,"industry_reported":null,"country":"GB","region":"EMEA","source_channel":"paid_search","source_campaign_id":"C0002","created_at":"2025-04-20T08:30:00Z","account_id":"A000001"}"#,
    r#"{"v":1,"type":"touched","origin":"imported","touch_id":"T00000002","lead_id":"L0000001","occurred_at":"2025-04-04T17:00:00Z","kind":"webinar_attended","channel":"webinar","campaign_id":"C0001","content_id":"K0001","rep_id":null}"#,
    r#"{"v":1,"type":"opportunity_closed","origin":"imported","opportunity_id":"O000002","stage":"lost","closed_at":"2025-10-01T09:00:00Z","lost_reason":"no_budget"}"#,
    r#"{"v":1,"type":"target_set","origin":"imported","region":"EMEA","month":"2025-04","mql_target":2}"#,
];

#[test]
fn the_log_is_exported_line_for_event_and_reads_back() {
    let dir = imported();
    let out = accord(&["export", "events"], dir.path());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    let stored = log(&dir.path().join("accord.db"));
    let count = SqliteStore::open_for_reading(&dir.path().join("accord.db"))
        .unwrap()
        .counts()
        .unwrap()
        .total();
    assert_eq!(count, 87, "82 rows, 5 of them closed opportunities");
    assert_eq!(lines.len() as u64, count);
    for expected in EXPECTED {
        assert!(lines.contains(&expected), "missing: {expected}\n{stdout}");
    }
    // Every line feeds back in as the event stored at its place in the log.
    for (i, (line, event)) in lines.iter().zip(&stored).enumerate() {
        assert_eq!(
            parse_line(line),
            Ok(Input::Event(event.clone())),
            "line {}",
            i + 1
        );
    }
    assert!(
        text(&out.stderr).contains("exported 87 of 87 events to standard output"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn from_keeps_the_events_at_or_after_the_time() {
    let dir = imported();
    let out = accord(
        &["export", "events", "--from", "2025-10-01T09:00:00Z"],
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    // O000002 closed exactly at the bound: kept.
    assert!(stdout.contains(EXPECTED[5]), "{stdout}");
    let bound = Timestamp::parse("2025-10-01T09:00:00Z").unwrap();
    let kept: Vec<Event> = log(&dir.path().join("accord.db"))
        .into_iter()
        .filter(|e| e.occurred_at() >= bound)
        .collect();
    let read: Vec<Event> = stdout
        .lines()
        .map(|l| match parse_line(l) {
            Ok(Input::Event(e)) => e,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(read, kept);
    assert!(!read.is_empty() && read.len() < 87, "{}", read.len());

    // A day means its first second: the same as the time above, a day earlier.
    let day = accord(&["export", "events", "--from", "2025-10-02"], dir.path());
    assert!(!text(&day.stdout).contains(EXPECTED[5]));

    let bad = accord(&["export", "events", "--from", "October"], dir.path());
    assert!(!bad.status.success());
    assert!(
        text(&bad.stderr).contains(
            "--from `October` is not a time (YYYY-MM-DDTHH:MM:SSZ) or a day (YYYY-MM-DD)"
        ),
        "{}",
        text(&bad.stderr)
    );
}

#[test]
fn out_writes_a_whole_file_and_replaces_one_only_with_force() {
    let dir = imported();
    let file = dir.path().join("history.jsonl");
    let out = accord(&["export", "events", "--out", "history.jsonl"], dir.path());
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
    let written = std::fs::read_to_string(&file).unwrap();
    assert_eq!(written.lines().count(), 87);
    assert!(written.ends_with('\n'));

    std::fs::write(&file, "mine\n").unwrap();
    let again = accord(&["export", "events", "--out", "history.jsonl"], dir.path());
    assert!(!again.status.success());
    assert!(
        text(&again.stderr).contains("history.jsonl already exists; accord does not replace it"),
        "{}",
        text(&again.stderr)
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "mine\n");

    let forced = accord(
        &["export", "events", "--out", "history.jsonl", "--force"],
        dir.path(),
    );
    assert!(forced.status.success(), "{}", text(&forced.stderr));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), written);

    // The database is never the output, even with --force.
    let db = accord(
        &["export", "events", "--out", "accord.db", "--force"],
        dir.path(),
    );
    assert!(!db.status.success());
    assert!(
        text(&db.stderr).contains("accord.db is the database"),
        "{}",
        text(&db.stderr)
    );
    assert_eq!(log(&dir.path().join("accord.db")).len(), 87);

    // No database: nothing is created, no file is left behind.
    let none = accord(
        &["export", "events", "--db", "none.db", "--out", "x.jsonl"],
        dir.path(),
    );
    assert!(!none.status.success());
    assert!(
        text(&none.stderr).contains("no database at none.db"),
        "{}",
        text(&none.stderr)
    );
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with("accord.db"))
        .collect();
    names.sort();
    assert_eq!(names, ["history.jsonl"]);
}
