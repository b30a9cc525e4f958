//! A stored event whose values parsing could never produce (found by
//! fuzzing the event codec) is a damaged log: `accord report` names the
//! position and the value, instead of overflowing or reporting nonsense.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use accord_core::domain::{Money, Timestamp};
use accord_core::event::{Batch, Event};
use accord_store::{AppendTx, EventStore, SqliteStore};

const KIT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/bench");

fn accord(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("ACCORD_DB")
        .output()
        .expect("the accord binary runs")
}

/// The tiny fixture imported, then one more event appended by `damage`
/// (changed from the first stored event it applies to) through the store.
fn damaged(damage: impl Fn(&Event) -> Option<Event>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let fixture = PathBuf::from(KIT).join("fixtures/tiny");
    let out = accord(
        &["import", fixture.to_str().unwrap(), "--db", "accord.db"],
        dir.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut store = SqliteStore::create_or_open(&dir.path().join("accord.db")).unwrap();
    let mut bad = None;
    store
        .scan(&mut |e| {
            if bad.is_none() {
                bad = damage(&e);
            }
        })
        .unwrap();
    let mut batch = Batch::default();
    batch.push(&bad.expect("an event to damage"));
    let mut tx = store.begin().unwrap();
    tx.append(&batch).unwrap();
    tx.commit().unwrap();
    dir
}

fn assert_damaged(dir: &Path, what: &str) {
    let out = accord(&["report", "funnel"], dir);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stderr: {stderr}");
    assert!(
        stderr.contains("is damaged") && stderr.contains(what),
        "stderr: {stderr}"
    );
}

#[test]
fn a_stored_timestamp_past_year_9999_is_a_damaged_log() {
    let dir = damaged(|e| match e {
        Event::LeadCreated(lead) => {
            let mut lead = lead.clone();
            lead.id = accord_core::domain::LeadId::parse("L9999999").unwrap();
            // Year 35,000,000: the month arithmetic overflows an i32.
            lead.created_at = Timestamp::from_unix_seconds(1 << 50);
            Some(Event::LeadCreated(lead))
        }
        _ => None,
    });
    assert_damaged(dir.path(), "timestamp 1125899906842624");
}

#[test]
fn a_stored_amount_beyond_what_parsing_accepts_is_a_damaged_log() {
    let dir = damaged(|e| match e {
        Event::OpportunityCreated(opportunity) => {
            let mut opportunity = opportunity.clone();
            opportunity.id = accord_core::domain::OpportunityId::parse("O9999999").unwrap();
            opportunity.amount = Money::from_cents(i64::MAX);
            Some(Event::OpportunityCreated(opportunity))
        }
        _ => None,
    });
    assert_damaged(dir.path(), "amount 9223372036854775807");
}
