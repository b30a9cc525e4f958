//! Store format 2: each event's origin, and format-1 files read and migrated.

use super::format_support::{touch, user_version};
use super::*;
use accord_core::domain::*;
use accord_core::event::{Batch, Event, Origin};
use proptest::prelude::*;

fn person(by: &str) -> Origin {
    Origin::Person {
        by: Some(Text::parse(by).unwrap()),
    }
}

fn entries(store: &SqliteStore) -> Vec<(Origin, Event)> {
    let mut out = Vec::new();
    store
        .scan_decoded_entries_between(0, u64::MAX, &mut |o, e| out.push((o.clone(), e)))
        .unwrap();
    out
}

fn append(store: &mut SqliteStore, events: &[(Event, Origin)]) -> AppendOutcome {
    let mut b = Batch::default();
    for (e, o) in events {
        b.push_from(e, o);
    }
    let mut tx = store.begin().unwrap();
    let out = tx.append(&b).unwrap();
    tx.commit().unwrap();
    out
}

/// The stored `origins` of every log row, in order.
fn stored_origins(path: &std::path::Path) -> Vec<Option<Vec<u8>>> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut stmt = conn
        .prepare("SELECT origins FROM log ORDER BY seq")
        .unwrap();
    let rows = stmt.query_map([], |r| r.get(0)).unwrap();
    rows.map(Result::unwrap).collect()
}

#[test]
fn each_event_keeps_its_origin_and_imported_rows_store_none() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("accord.db");
    let mut store = SqliteStore::create_or_open(&path).unwrap();
    let eng = Origin::Engine { agreement: 3 };
    append(&mut store, &[(touch("T1", 1), Origin::Imported)]);
    let out = append(
        &mut store,
        &[
            (touch("T2", 2), Origin::Ingested),
            (touch("T1", 1), Origin::Ingested), // a duplicate: not stored
            (touch("T3", 3), Origin::Ingested),
            (touch("T4", 4), eng.clone()),
            (touch("T5", 5), person("R0001")),
        ],
    );
    assert_eq!((out.appended, out.duplicates), (4, 1));
    assert_eq!(
        entries(&store),
        vec![
            (Origin::Imported, touch("T1", 1)),
            (Origin::Ingested, touch("T2", 2)),
            (Origin::Ingested, touch("T3", 3)),
            (eng, touch("T4", 4)),
            (person("R0001"), touch("T5", 5)),
        ]
    );
    // The bytes scanned for reports are the events alone.
    let mut plain = Vec::new();
    store.scan(&mut |e| plain.push(e)).unwrap();
    assert_eq!(plain.len(), 5);
    drop(store);
    // Row 1: NULL. Row 2: runs 2 × ingested (1), 1 × engine v3 (2, 3),
    // 1 × person "R0001" (4, length 5, the bytes).
    assert_eq!(
        stored_origins(&path),
        vec![
            None,
            Some(vec![2, 1, 1, 2, 3, 1, 4, 5, b'R', b'0', b'0', b'0', b'1'])
        ]
    );
}

#[test]
fn the_same_bytes_from_another_origin_are_a_duplicate_not_a_conflict() {
    let mut store = SqliteStore::open_in_memory().unwrap();
    append(&mut store, &[(touch("T1", 1), Origin::Imported)]);
    let out = append(&mut store, &[(touch("T1", 1), Origin::Ingested)]);
    assert_eq!(
        (out.appended, out.duplicates, out.conflicts.len()),
        (0, 1, 0)
    );
    let out = append(&mut store, &[(touch("T1", 2), Origin::Ingested)]);
    assert_eq!(out.conflicts, vec![0]);
    assert_eq!(entries(&store), vec![(Origin::Imported, touch("T1", 1))]);
}

#[test]
fn an_event_is_found_by_its_key_with_its_origin() {
    let mut store = SqliteStore::open_in_memory().unwrap();
    // T1, T5: one run; T3: out of order (event_keys); "x-9": another shape.
    append(
        &mut store,
        &[
            (touch("T1", 1), Origin::Imported),
            (touch("T5", 5), Origin::Imported),
        ],
    );
    append(&mut store, &[(touch("T3", 3), Origin::Ingested)]);
    append(&mut store, &[(touch("x-9", 9), person("ann"))]);
    let find = |id: &str| store.find(EventKind::Touched, id).unwrap();
    assert_eq!(store.seq_of(EventKind::Touched, "T5").unwrap(), Some(1));
    assert_eq!(find("T5"), Some((Origin::Imported, touch("T5", 5))));
    assert_eq!(find("T3"), Some((Origin::Ingested, touch("T3", 3))));
    assert_eq!(find("x-9"), Some((person("ann"), touch("x-9", 9))));
    // Inside the run's range but not in it; another kind; never stored.
    assert_eq!(find("T2"), None);
    assert_eq!(store.find(EventKind::LeadCreated, "T1").unwrap(), None);
    assert_eq!(find("T6"), None);
    assert_eq!(find("y"), None);
}

#[test]
fn damaged_origins_are_reported_not_believed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("accord.db");
    let mut store = SqliteStore::create_or_open(&path).unwrap();
    append(
        &mut store,
        &[
            (touch("T1", 1), Origin::Ingested),
            (touch("T2", 2), Origin::Ingested),
        ],
    );
    drop(store);
    for (blob, says) in [
        (&[1u8, 1][..], "origins of 1 events, 2 were written"),
        (&[3, 1], "origins of 3 events, 2 were written"),
        (&[2, 9], "unknown tag"),
        (&[0, 1, 2, 1], "origin run of 0 events"),
    ] {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute("UPDATE log SET origins = ?1", [blob]).unwrap();
        drop(conn);
        let store = SqliteStore::open_existing(&path).unwrap();
        let err = store
            .scan_entries_between(0, u64::MAX, &mut |_, _| Ok(()))
            .expect_err("damaged");
        let message = err.to_string();
        assert!(message.contains("log position 1 is damaged"), "{message}");
        assert!(message.contains(says), "{message}");
    }
}

/// Makes `path` a format-1 file as the format-1 build wrote it: no `origins`
/// column, `user_version` 1, imported events only.
fn make_format_1(path: &std::path::Path, events: &[Event]) {
    let mut store = SqliteStore::create_or_open(path).unwrap();
    let pairs: Vec<_> = events
        .iter()
        .map(|e| (e.clone(), Origin::Imported))
        .collect();
    append(&mut store, &pairs);
    store.seal().unwrap();
    drop(store);
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(
        "ALTER TABLE log DROP COLUMN origins;
         DROP TABLE hook_outbox; DROP TABLE hook_subscriptions; DROP TABLE hook_cursor;
         DROP TABLE tokens;
         PRAGMA user_version = 1;",
    )
    .unwrap();
}

#[test]
fn a_format_1_file_is_read_as_it_is_and_migrated_when_opened_to_write() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v1.db");
    make_format_1(&path, &[touch("T1", 1), touch("T2", 2)]);
    let before = std::fs::read(&path).unwrap();

    // Read-only: read as format 1, every event imported, nothing changed.
    let store = SqliteStore::open_read_only(&path).unwrap();
    assert_eq!(
        entries(&store),
        vec![
            (Origin::Imported, touch("T1", 1)),
            (Origin::Imported, touch("T2", 2))
        ]
    );
    assert_eq!(
        store.find(EventKind::Touched, "T2").unwrap(),
        Some((Origin::Imported, touch("T2", 2)))
    );
    drop(store);
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert_eq!(user_version(&path), 1);

    // For writing: migrated, the old row kept as it was, new origins stored.
    let mut store = SqliteStore::open_existing(&path).unwrap();
    assert_eq!(user_version(&path), 5);
    append(
        &mut store,
        &[
            (touch("T3", 3), Origin::Ingested),
            (touch("T1", 1), person("x")),
        ],
    );
    assert_eq!(
        entries(&store),
        vec![
            (Origin::Imported, touch("T1", 1)),
            (Origin::Imported, touch("T2", 2)),
            (Origin::Ingested, touch("T3", 3)),
        ]
    );
    drop(store);
    assert_eq!(stored_origins(&path), vec![None, Some(vec![1, 1])]);
    // Opened again: already format 3, nothing to do.
    let store = SqliteStore::create_or_open(&path).unwrap();
    assert_eq!(entries(&store).len(), 3);
}

#[test]
fn a_file_newer_than_format_5_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v6.db");
    make_format_1(&path, &[touch("T1", 1)]);
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("PRAGMA user_version = 6")
        .unwrap();
    for open in [
        SqliteStore::open_existing,
        SqliteStore::open_read_only,
        SqliteStore::create_or_open,
    ] {
        match open(&path) {
            Err(StoreError::TooNew {
                found: 6,
                supported: 5,
                ..
            }) => {}
            other => panic!("expected TooNew, got {:?}", other.map(|_| ())),
        }
    }
    assert_eq!(user_version(&path), 6);
}

proptest! {
    /// Whatever the origins of a batch's events and whichever are already
    /// stored, each stored event reads back with the origin it was stored with.
    #[test]
    fn origins_read_back_as_stored(
        batches in proptest::collection::vec(
            proptest::collection::vec((0u8..12, 0u8..4), 1..8), 1..5)
    ) {
        let origin = |o: u8| match o {
            0 => Origin::Imported,
            1 => Origin::Ingested,
            2 => Origin::Engine { agreement: 1 },
            _ => Origin::Person { by: None },
        };
        let mut store = SqliteStore::open_in_memory().unwrap();
        let mut expected: Vec<(Origin, Event)> = Vec::new();
        for b in &batches {
            let pairs: Vec<(Event, Origin)> = b
                .iter()
                .map(|&(id, o)| (touch(&format!("T{id}"), i64::from(id)), origin(o)))
                .collect();
            for (e, o) in &pairs {
                if !expected.iter().any(|(_, x)| x == e) {
                    expected.push((o.clone(), e.clone()));
                }
            }
            append(&mut store, &pairs);
        }
        prop_assert_eq!(entries(&store), expected);
    }
}
