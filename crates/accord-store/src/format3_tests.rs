//! Store format 3: the webhooks' tables, and a format-2 file migrated in
//! place (its log untouched, the tables added empty).

use super::format_support::{append, touch, user_version};
use super::hooks::{Attempt, DeliveryState, HookStore, NewDelivery, NewSubscription};
use super::*;

fn tables(path: &std::path::Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut stmt = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'hook%' ORDER BY name")
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// `path` made a format-2 file, as the format-2 build wrote it.
fn make_format_2(path: &std::path::Path) {
    let mut store = SqliteStore::create_or_open(path).unwrap();
    append(&mut store, &[touch("T1", 1), touch("T2", 2)]);
    store.seal().unwrap();
    drop(store);
    rusqlite::Connection::open(path)
        .unwrap()
        .execute_batch(
            "DROP TABLE hook_outbox; DROP TABLE hook_subscriptions; DROP TABLE hook_cursor;
             PRAGMA user_version = 2;",
        )
        .unwrap();
}

#[test]
fn a_format_2_file_is_read_as_it_is_and_migrated_when_opened_to_write() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v2.db");
    make_format_2(&path);
    let before = std::fs::read(&path).unwrap();
    let store = SqliteStore::open_read_only(&path).unwrap();
    assert_eq!(store.head().unwrap(), 1);
    drop(store);
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert_eq!(user_version(&path), 2);
    assert!(tables(&path).is_empty());

    let mut store = SqliteStore::open_existing(&path).unwrap();
    assert_eq!(user_version(&path), 5);
    assert_eq!(
        tables(&path),
        ["hook_cursor", "hook_outbox", "hook_subscriptions"]
    );
    let mut n = 0;
    store.scan(&mut |_| n += 1).unwrap();
    assert_eq!(n, 2);
    assert_eq!(store.hook_cursor().unwrap(), 0);
    // The new tables work: a subscription starts at the log's head (1).
    let events = vec!["lead.mql".to_string()];
    let sub = store
        .create_subscription(&NewSubscription {
            url: "http://127.0.0.1:1/",
            events: &events,
            format: "json",
            secret: "whsec_x",
            created_at: 7,
        })
        .unwrap();
    assert_eq!((sub.id, sub.start_seq, sub.events.clone()), (1, 1, events));
    drop(store);
    // Opened again: already format 3.
    let store = SqliteStore::create_or_open(&path).unwrap();
    assert_eq!(store.subscriptions().unwrap().len(), 1);
}

#[test]
fn the_outbox_claims_in_per_key_order_and_records_only_the_current_claim() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::create_or_open(&dir.path().join("a.db")).unwrap();
    append(&mut store, &[touch("T1", 1)]);
    let events = vec!["lead.mql".to_string()];
    let sub = store
        .create_subscription(&NewSubscription {
            url: "http://127.0.0.1:1/",
            events: &events,
            format: "json",
            secret: "s",
            created_at: 0,
        })
        .unwrap();
    let row = |id: &str, key: &str| NewDelivery {
        subscription: sub.id,
        seq: 2,
        event_id: id.into(),
        event_type: "lead.mql".into(),
        order_key: key.into(),
        body: b"{}".to_vec(),
    };
    assert!(store
        .fan_out(
            0,
            2,
            &[
                row("a", "L1"),
                row("b", "L2"),
                row("c", "L1"),
                row("a", "L1")
            ]
        )
        .unwrap());
    // The repeated (subscription, event) pair is stored once.
    assert_eq!(store.pending_count().unwrap(), 3);
    // Due: a (first of L1) and b (first of L2); c waits behind a.
    let claimed = store.claim_due(10, 40, 10).unwrap();
    let ids: Vec<&str> = claimed
        .iter()
        .map(|c| c.delivery.event_id.as_str())
        .collect();
    assert_eq!(ids, ["a", "b"]);
    assert_eq!(
        (claimed[0].url.as_str(), claimed[0].secret.as_str()),
        ("http://127.0.0.1:1/", "s")
    );
    // a fails and is retried at 20: c still waits (a is pending).
    let a = claimed[0].delivery.id;
    let retry = Attempt::Retry {
        status: Some(500),
        error: "HTTP 500".into(),
        next_at: 20,
    };
    assert!(store.record(a, 1, 11, &retry).unwrap());
    // c's own time (0, from the fan-out) has passed, but c cannot be
    // claimed before a: the next due is a's retry at 20 (b is leased to 40).
    assert_eq!(store.next_due().unwrap(), Some(20), "c waits behind a");
    assert!(store.claim_due(19, 49, 10).unwrap().is_empty());
    let again = store.claim_due(20, 50, 10).unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].delivery.attempts, 2);
    assert!(store
        .record(a, 2, 21, &Attempt::Delivered { status: 204 })
        .unwrap());
    let c = store.claim_due(21, 51, 10).unwrap();
    assert_eq!(c[0].delivery.event_id, "c");
    let dead = Attempt::Dead {
        status: None,
        error: "refused".into(),
    };
    assert!(store.record(c[0].delivery.id, 1, 22, &dead).unwrap());
    let listed = store.deliveries(DeliveryState::Dead, 10).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].last_error.as_deref(), Some("refused"));
    assert_eq!(store.delivery(a).unwrap().unwrap().last_status, Some(204));
    assert_eq!(store.next_due().unwrap(), Some(40), "b is leased until 40");
}
