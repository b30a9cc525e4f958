use super::*;
use accord_core::domain::*;
use accord_core::event::{Batch, Event, Touch};
use proptest::prelude::*;

fn touch(id: &str, lead: &str, at: i64) -> Event {
    Event::Touched(Touch {
        id: TouchId::parse(id).unwrap(),
        lead: LeadId::parse(lead).unwrap(),
        occurred_at: Timestamp::from_unix_seconds(at),
        kind: TouchKind::PageView,
        channel: Some(Channel::Direct),
        campaign: None,
        content: None,
        rep: None,
    })
}

fn batch(events: &[Event]) -> Batch {
    let mut b = Batch::default();
    for e in events {
        b.push(e);
    }
    b
}

fn all(store: &SqliteStore) -> Vec<Event> {
    let mut out = Vec::new();
    store.scan(&mut |e| out.push(e)).unwrap();
    out
}

#[test]
fn appending_the_same_event_twice_stores_it_once() {
    let mut store = SqliteStore::open_in_memory().unwrap();
    let events = [touch("T1", "L1", 10), touch("T2", "L1", 20)];
    let mut tx = store.begin().unwrap();
    let first = tx.append(&batch(&events)).unwrap();
    let again = tx.append(&batch(&events)).unwrap();
    tx.commit().unwrap();
    assert_eq!(first.appended, 2);
    assert_eq!(again.appended, 0);
    assert_eq!(again.duplicates, 2);
    assert_eq!(all(&store), events.to_vec());
    assert_eq!(store.counts().unwrap().get(EventKind::Touched), 2);
}

#[test]
fn a_different_event_under_a_stored_key_is_a_conflict_and_not_stored() {
    let mut store = SqliteStore::open_in_memory().unwrap();
    let mut tx = store.begin().unwrap();
    tx.append(&batch(&[touch("T1", "L1", 10)])).unwrap();
    let out = tx
        .append(&batch(&[touch("T2", "L1", 5), touch("T1", "L2", 10)]))
        .unwrap();
    tx.commit().unwrap();
    assert_eq!(out.appended, 1);
    assert_eq!(out.conflicts, vec![1]);
    assert_eq!(
        all(&store),
        vec![touch("T1", "L1", 10), touch("T2", "L1", 5)]
    );
}

#[test]
fn an_uncommitted_transaction_leaves_nothing() {
    let mut store = SqliteStore::open_in_memory().unwrap();
    {
        let mut tx = store.begin().unwrap();
        tx.append(&batch(&[touch("T1", "L1", 10)])).unwrap();
    }
    assert!(all(&store).is_empty());
    assert_eq!(store.counts().unwrap().total(), 0);
    assert!(store.ids(EventKind::Touched).unwrap().is_empty());
}

#[test]
fn a_committed_log_survives_reopening_and_a_foreign_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("accord.db");
    {
        let mut store = SqliteStore::create_or_open(&path).unwrap();
        let mut tx = store.begin().unwrap();
        tx.append(&batch(&[touch("T1", "L1", 10)])).unwrap();
        tx.commit().unwrap();
    }
    let store = SqliteStore::create_or_open(&path).unwrap();
    assert_eq!(all(&store), vec![touch("T1", "L1", 10)]);
    assert_eq!(store.ids(EventKind::Touched).unwrap(), vec!["T1"]);

    let foreign = dir.path().join("other.db");
    let conn = rusqlite::Connection::open(&foreign).unwrap();
    conn.execute_batch("CREATE TABLE t (x)").unwrap();
    drop(conn);
    let err = SqliteStore::create_or_open(&foreign)
        .err()
        .expect("refused");
    assert!(err.to_string().contains("not an accord database"), "{err}");
}

proptest! {
    #[test]
    fn replaying_any_sequence_of_batches_changes_nothing(
        specs in proptest::collection::vec(
            proptest::collection::vec((0u8..20, 0i64..100), 0..8), 1..5)
    ) {
        // Ids repeat across batches; the same id always carries the same content
        // here, so every repeat is a duplicate and never a conflict.
        let batches: Vec<Vec<Event>> = specs.iter().map(|b| {
            b.iter().map(|(n, _)| touch(&format!("T{n}"), "L1", i64::from(*n) * 7)).collect()
        }).collect();
        let mut store = SqliteStore::open_in_memory().unwrap();
        let mut tx = store.begin().unwrap();
        for b in &batches { tx.append(&batch(b)).unwrap(); }
        tx.commit().unwrap();
        let log = all(&store);
        let counts = store.counts().unwrap();
        let head = store.head().unwrap();

        let mut tx = store.begin().unwrap();
        for b in &batches {
            let out = tx.append(&batch(b)).unwrap();
            prop_assert_eq!(out.appended, 0);
            prop_assert!(out.conflicts.is_empty());
        }
        tx.commit().unwrap();
        prop_assert_eq!(all(&store), log.clone());
        prop_assert_eq!(store.counts().unwrap(), counts);
        prop_assert_eq!(store.head().unwrap(), head);
        // Every distinct id is stored exactly once.
        let mut ids: Vec<String> = batches.iter().flatten().map(|e| e.id()).collect();
        ids.sort();
        ids.dedup();
        prop_assert_eq!(log.len(), ids.len());
    }
}

proptest! {
    /// The store against a model: a map from key to content. Ids are drawn
    /// from a small space in any order (runs, out-of-order singles, repeats
    /// inside a batch, text ids), and content varies so conflicts happen.
    #[test]
    fn the_store_behaves_like_a_map_from_key_to_content(
        batches in proptest::collection::vec(
            proptest::collection::vec((0u32..40, 0i64..3, any::<bool>()), 0..12), 1..6)
    ) {
        let mut store = SqliteStore::open_in_memory().unwrap();
        let mut model: std::collections::BTreeMap<String, Event> = Default::default();
        let mut log: Vec<Event> = Vec::new();
        for spec in &batches {
            // One transaction a batch: cached maxima are read back from the
            // database in each new transaction.
            let mut tx = store.begin().unwrap();
            let events: Vec<Event> = spec.iter().map(|(n, at, text)| {
                let id = if *text { format!("t-{n}") } else { format!("T{n:03}") };
                touch(&id, "L1", *at)
            }).collect();
            let out = tx.append(&batch(&events)).unwrap();
            let (mut appended, mut duplicates, mut conflicts) = (0, 0, vec![]);
            for (i, e) in events.iter().enumerate() {
                match model.get(&e.id()) {
                    None => { model.insert(e.id(), e.clone()); log.push(e.clone()); appended += 1; }
                    Some(stored) if stored == e => duplicates += 1,
                    Some(_) => conflicts.push(i),
                }
            }
            prop_assert_eq!(out.appended, appended);
            prop_assert_eq!(out.duplicates, duplicates);
            prop_assert_eq!(out.conflicts, conflicts);
            tx.commit().unwrap();
        }
        prop_assert_eq!(all(&store), log);
        let ids = store.ids(EventKind::Touched).unwrap();
        let expected: Vec<String> = model.keys().cloned().collect();
        prop_assert_eq!(ids, expected);
        prop_assert_eq!(store.counts().unwrap().get(EventKind::Touched), model.len() as u64);
    }
}

#[test]
fn a_damaged_chunk_is_reported_not_believed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("accord.db");
    {
        let mut store = SqliteStore::create_or_open(&path).unwrap();
        let mut tx = store.begin().unwrap();
        tx.append(&batch(&[touch("T1", "L1", 10)])).unwrap();
        tx.commit().unwrap();
    }
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute("UPDATE log SET events = x'0500000001'", [])
        .unwrap();
    drop(conn);
    let store = SqliteStore::create_or_open(&path).unwrap();
    let err = store.scan(&mut |_| {}).expect_err("refused");
    assert!(err.to_string().contains("damaged"), "{err}");
}

#[test]
fn the_head_moves_only_when_an_event_is_stored() {
    let mut store = SqliteStore::open_in_memory().unwrap();
    assert_eq!(store.head().unwrap(), 0);
    let events = [touch("T1", "L1", 10), touch("T2", "L1", 20)];
    let mut tx = store.begin().unwrap();
    tx.append(&batch(&events)).unwrap();
    tx.commit().unwrap();
    let first = store.head().unwrap();
    assert!(first > 0);

    // A batch of duplicates only writes no log row.
    let mut tx = store.begin().unwrap();
    let out = tx.append(&batch(&events)).unwrap();
    assert_eq!(out.duplicates, 2);
    tx.commit().unwrap();
    assert_eq!(store.head().unwrap(), first);
    let rows: i64 = store
        .conn_for_tests()
        .query_row("SELECT count(*) FROM log", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 1);

    let mut tx = store.begin().unwrap();
    tx.append(&batch(&[touch("T1", "L1", 10), touch("T3", "L1", 30)]))
        .unwrap();
    tx.commit().unwrap();
    let second = store.head().unwrap();
    assert!(second > first);

    // A conflict alone stores nothing either.
    let mut tx = store.begin().unwrap();
    let out = tx.append(&batch(&[touch("T3", "L2", 30)])).unwrap();
    assert_eq!(out.conflicts, vec![0]);
    tx.commit().unwrap();
    assert_eq!(store.head().unwrap(), second);

    // An uncommitted append does not move it.
    {
        let mut tx = store.begin().unwrap();
        tx.append(&batch(&[touch("T4", "L1", 40)])).unwrap();
    }
    assert_eq!(store.head().unwrap(), second);
}

/// A transaction sees the head it began at, moved by its own appends only:
/// 0, then 1 after a batch, still 1 after duplicates, 2 after the next batch;
/// what it reports before its commit is the head the log has after it.
#[test]
fn a_transaction_sees_its_own_head() {
    let mut store = SqliteStore::open_in_memory().unwrap();
    let mut tx = store.begin().unwrap();
    assert_eq!(tx.head(), 0);
    tx.append(&batch(&[touch("T1", "L1", 10)])).unwrap();
    assert_eq!(tx.head(), 1);
    tx.append(&batch(&[touch("T1", "L1", 10)])).unwrap();
    assert_eq!(tx.head(), 1);
    tx.append(&batch(&[touch("T2", "L1", 20)])).unwrap();
    assert_eq!(tx.head(), 2);
    tx.commit().unwrap();
    assert_eq!(store.head().unwrap(), 2);
    // Dropped uncommitted: the next one begins where the log is.
    {
        let mut tx = store.begin().unwrap();
        tx.append(&batch(&[touch("T3", "L1", 30)])).unwrap();
        assert_eq!(tx.head(), 3);
    }
    assert_eq!(store.begin().unwrap().head(), 2);
}

#[test]
fn views_round_trip_and_are_replaced_whole() {
    let mut store = SqliteStore::open_in_memory().unwrap();
    assert_eq!(store.view("funnel").unwrap(), None);
    store
        .put_views(3, &[("funnel", b"one"), ("sla", b"")])
        .unwrap();
    assert_eq!(store.view("funnel").unwrap(), Some((3, b"one".to_vec())));
    assert_eq!(store.view("sla").unwrap(), Some((3, Vec::new())));
    assert_eq!(store.view("velocity").unwrap(), None);

    store.put_views(7, &[("funnel", b"two")]).unwrap();
    assert_eq!(store.view("funnel").unwrap(), Some((7, b"two".to_vec())));
    // Views not named are left as they were.
    assert_eq!(store.view("sla").unwrap(), Some((3, Vec::new())));
    // Any u64 head reads back as written.
    store.put_views(u64::MAX, &[("sla", b"x")]).unwrap();
    assert_eq!(store.view("sla").unwrap(), Some((u64::MAX, b"x".to_vec())));
}

#[test]
fn views_are_not_part_of_the_log() {
    let mut store = SqliteStore::open_in_memory().unwrap();
    let mut tx = store.begin().unwrap();
    tx.append(&batch(&[touch("T1", "L1", 10)])).unwrap();
    tx.commit().unwrap();
    let (head, counts) = (store.head().unwrap(), store.counts().unwrap());
    store.put_views(head, &[("funnel", b"bytes")]).unwrap();
    assert_eq!(store.head().unwrap(), head);
    assert_eq!(store.counts().unwrap(), counts);
    assert_eq!(all(&store), vec![touch("T1", "L1", 10)]);
    assert_eq!(store.ids(EventKind::Touched).unwrap(), vec!["T1"]);
}

#[test]
fn put_views_is_all_or_nothing() {
    let mut store = SqliteStore::open_in_memory().unwrap();
    store.put_views(1, &[("a", b"old")]).unwrap();
    // Make the second insert fail: a trigger refusing one name.
    store
        .conn_for_tests()
        .execute_batch(
            "CREATE TRIGGER refuse BEFORE INSERT ON views WHEN new.name = 'b'
             BEGIN SELECT raise(ABORT, 'refused'); END;",
        )
        .unwrap();
    store
        .put_views(2, &[("a", b"new"), ("b", b"x")])
        .expect_err("refused");
    assert_eq!(store.view("a").unwrap(), Some((1, b"old".to_vec())));
    assert_eq!(store.view("b").unwrap(), None);
}

#[test]
fn a_view_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("accord.db");
    {
        let mut store = SqliteStore::create_or_open(&path).unwrap();
        let mut tx = store.begin().unwrap();
        tx.append(&batch(&[touch("T1", "L1", 10)])).unwrap();
        tx.commit().unwrap();
        let head = store.head().unwrap();
        store.put_views(head, &[("funnel", b"table")]).unwrap();
    }
    let store = SqliteStore::create_or_open(&path).unwrap();
    let head = store.head().unwrap();
    assert_eq!(
        store.view("funnel").unwrap(),
        Some((head, b"table".to_vec()))
    );
}

#[test]
fn a_database_from_before_views_gets_them_without_needing_the_write_lock() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("accord.db");
    let old = |path: &std::path::Path| {
        let mut store = SqliteStore::create_or_open(path).unwrap();
        let mut tx = store.begin().unwrap();
        tx.append(&batch(&[touch("T1", "L1", 10)])).unwrap();
        tx.commit().unwrap();
        drop(store);
        let conn = rusqlite::Connection::open(path).unwrap();
        conn.execute_batch("DROP TABLE views").unwrap();
    };
    let has_views = |path: &std::path::Path| -> bool {
        rusqlite::Connection::open(path)
            .unwrap()
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'views'",
                [],
                |r| r.get::<_, i64>(0),
            )
            .unwrap()
            == 1
    };

    // Opened freely: the table is added.
    old(&path);
    assert!(!has_views(&path));
    let store = SqliteStore::create_or_open(&path).unwrap();
    assert!(has_views(&path));
    assert_eq!(store.view("funnel").unwrap(), None);
    drop(store);

    // Opened while another process writes: it opens at once, reads, and has
    // no views; the first put_views (once the writer is done) adds the table.
    let path = dir.path().join("busy.db");
    old(&path);
    let writer = rusqlite::Connection::open(&path).unwrap();
    writer.execute_batch("BEGIN IMMEDIATE").unwrap();
    let started = std::time::Instant::now();
    let mut store = SqliteStore::create_or_open(&path).unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    assert_eq!(all(&store), vec![touch("T1", "L1", 10)]);
    assert_eq!(store.view("funnel").unwrap(), None);
    writer.execute_batch("COMMIT").unwrap();
    drop(writer);
    assert!(!has_views(&path));
    let head = store.head().unwrap();
    store.put_views(head, &[("funnel", b"t")]).unwrap();
    assert_eq!(store.view("funnel").unwrap(), Some((head, b"t".to_vec())));
}

#[test]
fn a_database_opened_read_only_without_views_still_opens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("accord.db");
    {
        let mut store = SqliteStore::create_or_open(&path).unwrap();
        let mut tx = store.begin().unwrap();
        tx.append(&batch(&[touch("T1", "L1", 10)])).unwrap();
        tx.commit().unwrap();
    }
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("DROP TABLE views")
        .unwrap();
    // Opened read-only (file permissions would not do: tests may run as root).
    let mut store = SqliteStore::open_read_only(&path).unwrap();
    assert_eq!(all(&store), vec![touch("T1", "L1", 10)]);
    assert_eq!(store.head().unwrap(), 1);
    assert_eq!(store.view("funnel").unwrap(), None);
    let err = store
        .put_views(1, &[("funnel", b"t")])
        .expect_err("read-only");
    assert!(matches!(err, StoreError::ReadOnly { .. }), "{err:?}");
    // A transaction reads; its first append is refused.
    let mut tx = store.begin().unwrap();
    let err = tx
        .append(&batch(&[touch("T2", "L1", 20)]))
        .expect_err("read-only");
    assert!(matches!(err, StoreError::ReadOnly { .. }), "{err:?}");
}

/// A scan between two heads visits exactly the events appended in between,
/// in log order; the bounds are batch numbers, not event counts.
#[test]
fn a_scan_between_heads_sees_only_what_arrived_in_between() {
    let mut store = SqliteStore::open_in_memory().unwrap();
    let mut heads = vec![store.head().unwrap()];
    let batches = [
        vec![touch("T1", "L1", 10), touch("T2", "L1", 20)],
        vec![touch("T3", "L2", 30)],
        vec![
            touch("T4", "L1", 40),
            touch("T5", "L3", 50),
            touch("T6", "L3", 60),
        ],
    ];
    for events in &batches {
        let mut tx = store.begin().unwrap();
        tx.append(&batch(events)).unwrap();
        tx.commit().unwrap();
        heads.push(store.head().unwrap());
    }
    let between = |after: u64, upto: u64| {
        let mut seen = Vec::new();
        store
            .scan_between(after, upto, &mut |e| seen.push(e))
            .unwrap();
        seen
    };
    for i in 0..batches.len() {
        for j in i..=batches.len() {
            let expected: Vec<Event> = batches[i..j].iter().flatten().cloned().collect();
            assert_eq!(between(heads[i], heads[j]), expected, "({i}, {j}]");
        }
    }
    assert_eq!(between(heads[3], u64::MAX), Vec::<Event>::new());
    assert_eq!(between(0, u64::MAX).len(), 6);
}

#[test]
fn opening_without_creating_refuses_a_missing_file_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("typo.db");
    for open in [
        SqliteStore::open_existing,
        SqliteStore::open_read_only,
        SqliteStore::open_for_reading,
    ] {
        let err = open(&path).err().expect("refused");
        assert!(matches!(err, StoreError::Missing { .. }), "{err:?}");
        assert_eq!(
            err.to_string(),
            format!("no database at {}", path.display())
        );
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn a_created_file_that_never_stored_events_is_removed_on_drop() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    {
        let mut store = SqliteStore::create_or_open(&path).unwrap();
        let mut tx = store.begin().unwrap();
        tx.append(&batch(&[touch("T1", "L1", 10)])).unwrap();
        drop(tx); // rolled back, as a failed import is
        assert!(path.exists());
    }
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing left"
    );

    // Committed events keep it, in WAL mode from then on.
    {
        let mut store = SqliteStore::create_or_open(&path).unwrap();
        let mut tx = store.begin().unwrap();
        tx.append(&batch(&[touch("T1", "L1", 10)])).unwrap();
        tx.commit().unwrap();
    }
    let store = SqliteStore::open_existing(&path).unwrap();
    assert_eq!(all(&store), vec![touch("T1", "L1", 10)]);
    let mode: String = store
        .conn_for_tests()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    drop(store);

    // A file that was there before is never removed, even when empty.
    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, b"").unwrap();
    drop(SqliteStore::create_or_open(&empty).unwrap());
    assert!(empty.exists());
}

#[test]
fn racing_creators_make_one_schema() {
    for round in 0..20 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("race.db");
        let handles: Vec<_> = (0..4)
            .map(|n| {
                let path = path.clone();
                std::thread::spawn(move || {
                    let mut store = SqliteStore::create_or_open(&path)?;
                    let mut tx = store.begin()?;
                    tx.append(&batch(&[touch(&format!("T{n}"), "L1", 10)]))?;
                    tx.commit()
                })
            })
            .collect();
        for h in handles {
            h.join()
                .unwrap()
                .unwrap_or_else(|e| panic!("round {round}: {e}"));
        }
        let store = SqliteStore::open_existing(&path).unwrap();
        assert_eq!(store.counts().unwrap().total(), 4);
    }
}

#[test]
fn a_writer_waits_then_says_who_holds_the_lock() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("busy.db");
    drop(SqliteStore::create_or_open(&path).map(|mut s| {
        let mut tx = s.begin().unwrap();
        tx.append(&batch(&[touch("T1", "L1", 10)])).unwrap();
        tx.commit().unwrap();
    }));
    let holder = rusqlite::Connection::open(&path).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let mut store = SqliteStore::open_existing(&path).unwrap();
    store
        .set_write_wait(std::time::Duration::from_millis(1_200))
        .unwrap();
    let started = std::time::Instant::now();
    let err = store.begin().err().expect("busy");
    assert!(started.elapsed() >= std::time::Duration::from_millis(1_000));
    assert_eq!(
        err.to_string(),
        format!(
            "another accord process is writing to {}; waited 1 s",
            path.display()
        )
    );
}

#[test]
fn files_that_are_not_databases_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("leads.csv");
    std::fs::write(&text, "lead_id,email\nL1,a@b.c\n".repeat(200)).unwrap();
    let err = SqliteStore::create_or_open(&text).err().unwrap();
    assert!(matches!(err, StoreError::NotAccord { .. }), "{err}");
    assert!(err.to_string().contains("not a SQLite database"), "{err}");
    let err = SqliteStore::create_or_open(dir.path()).err().unwrap();
    assert_eq!(
        err.to_string(),
        format!("{} is a folder, not a database file", dir.path().display())
    );
    #[cfg(unix)]
    {
        let err = SqliteStore::create_or_open(std::path::Path::new("/dev/null"))
            .err()
            .unwrap();
        assert!(matches!(err, StoreError::NotAFile { .. }), "{err}");
    }
    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, b"").unwrap();
    let err = SqliteStore::open_read_only(&empty).err().unwrap();
    assert!(err.to_string().contains("an empty file"), "{err}");
}

#[test]
fn a_key_above_everything_stored_in_its_group_is_certainly_new() {
    let mut store = SqliteStore::open_in_memory().unwrap();
    // T10 and T30 stored; T20 lies between them in the group of `T` + 2
    // digits; `t-1` does not pack and is looked up exactly.
    let events = [
        touch("T10", "L1", 10),
        touch("T30", "L1", 20),
        touch("t-1", "L1", 30),
    ];
    let mut tx = store.begin().unwrap();
    tx.append(&batch(&events)).unwrap();
    tx.commit().unwrap();
    let k = EventKind::Touched;
    let keys = [
        (k, "T30"),                      // stored: may be
        (k, "T31"),                      // above the group's largest: certainly not
        (k, "T20"),                      // below it, not stored: may be (seq_of tells)
        (k, "T5"),                       // another width, a group with nothing stored
        (k, "t-1"),                      // unpacked, stored
        (k, "t-2"),                      // unpacked, not stored
        (EventKind::LeadCreated, "T10"), // another kind
    ];
    assert_eq!(
        store.may_be_stored(&keys).unwrap(),
        [true, false, true, false, true, false, false]
    );
    assert_eq!(store.seq_of(k, "T20").unwrap(), None);
}

#[test]
fn the_stored_digest_is_the_digest_of_the_stored_bytes_wherever_the_key_is_kept() {
    let mut store = SqliteStore::open_in_memory().unwrap();
    let (t10, t30, t20, odd) = (
        touch("T10", "L1", 10),
        touch("T30", "L1", 20),
        touch("T20", "L1", 30),
        touch("t-1", "L1", 40),
    );
    // T10 and T30 in a run; T20, below the run's largest, kept alone;
    // `t-1` does not pack.
    for events in [
        vec![t10.clone(), t30.clone()],
        vec![t20.clone(), odd.clone()],
    ] {
        let mut tx = store.begin().unwrap();
        tx.append(&batch(&events)).unwrap();
        tx.commit().unwrap();
    }
    let k = EventKind::Touched;
    let d = |e: &Event| Some(accord_core::event::digest(&e.to_bytes()));
    assert_eq!(store.stored_digest(k, "T10").unwrap(), d(&t10));
    assert_eq!(store.stored_digest(k, "T30").unwrap(), d(&t30));
    assert_eq!(store.stored_digest(k, "T20").unwrap(), d(&t20));
    assert_eq!(store.stored_digest(k, "t-1").unwrap(), d(&odd));
    assert_ne!(d(&t10), d(&t30));
    for absent in ["T11", "T31", "t-2"] {
        assert_eq!(store.stored_digest(k, absent).unwrap(), None, "{absent}");
    }
}
