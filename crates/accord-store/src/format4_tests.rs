//! Store format 4: the `models` table, and a format-3 file whose model
//! views are moved into it in place.

use super::format_support::{touch, user_version};
use super::models::{model_digest, ModelRecord, ModelStore, NewModel};
use super::*;
use accord_core::event::Batch;

fn view_names(path: &std::path::Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut stmt = conn
        .prepare("SELECT name FROM views ORDER BY name")
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// `path` made a format-3 file holding two models as a format-3 build
/// stored them (views `model/<n>` at the head they were trained at,
/// `model/latest`, `model/adopted`), beside a report view and a view whose
/// name only looks like a model's.
fn make_format_3(path: &std::path::Path) {
    let mut store = SqliteStore::create_or_open(path).unwrap();
    let mut batch = Batch::default();
    batch.push(&touch("T1", 1));
    let mut tx = store.begin().unwrap();
    tx.append(&batch).unwrap();
    tx.commit().unwrap();
    store
        .put_views(
            1,
            &[
                ("model/1", b"{\"v\":1}"),
                ("model/latest", b"2"),
                ("model/adopted", b"1"),
                ("model/1x", b"not a model"),
                ("report/kpi", b"kpi"),
            ],
        )
        .unwrap();
    store.put_views(7, &[("model/2", b"{\"v\":2}")]).unwrap();
    drop(store);
    rusqlite::Connection::open(path)
        .unwrap()
        .execute_batch("DROP TABLE models; PRAGMA user_version = 3;")
        .unwrap();
}

#[test]
fn a_format_3_file_has_its_model_views_moved_into_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v3.db");
    make_format_3(&path);
    let before = std::fs::read(&path).unwrap();
    let store = SqliteStore::open_read_only(&path).unwrap();
    assert_eq!(store.models().unwrap(), vec![], "no models table yet: none");
    assert_eq!(store.latest_model_version().unwrap(), None);
    drop(store);
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "read-only: untouched"
    );
    assert_eq!(user_version(&path), 3);

    let store = SqliteStore::open_existing(&path).unwrap();
    assert_eq!(user_version(&path), 5);
    assert_eq!(store.head().unwrap(), 1, "the log is kept");
    let record = |version: u32, head: u64, body: &[u8]| ModelRecord {
        version,
        trained_at: None,
        head,
        digest: model_digest(body),
        artifact: body.to_vec(),
    };
    assert_eq!(
        store.models().unwrap(),
        vec![record(1, 1, b"{\"v\":1}"), record(2, 7, b"{\"v\":2}")]
    );
    assert_eq!(store.latest_model_version().unwrap(), Some(2));
    assert_eq!(
        view_names(&path),
        ["model/1x", "report/kpi"],
        "the model views, model/latest and model/adopted (format 5: adoption is an event) are gone; the others stay"
    );
    drop(store);
    // Opened again: format 5 already, nothing moves twice.
    let store = SqliteStore::open_existing(&path).unwrap();
    assert_eq!(store.models().unwrap().len(), 2);
}

#[test]
fn a_model_version_is_stored_once_and_its_bytes_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.db");
    let mut store = SqliteStore::create_or_open(&path).unwrap();
    let m = NewModel {
        version: 3,
        trained_at: 1_700_000_000,
        head: 0,
        artifact: b"abc".to_vec(),
    };
    // The digest worked out by hand is not the point here: that it is the
    // one stored and checked is.
    assert_eq!(store.add_model(&m).unwrap(), model_digest(b"abc"));
    let again = NewModel {
        artifact: b"other".to_vec(),
        ..m.clone()
    };
    match store.add_model(&again) {
        Err(StoreError::ModelExists { version: 3, .. }) => {}
        other => panic!("expected ModelExists, got {other:?}"),
    }
    let got = store.model(3).unwrap().unwrap();
    assert_eq!(
        (got.trained_at, got.artifact.as_slice()),
        (Some(1_700_000_000), &b"abc"[..])
    );
    assert_eq!(store.model(4).unwrap(), None);
    drop(store);
    // The file holds a model and nothing else: it is kept.
    assert!(path.exists());

    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("UPDATE models SET artifact = x'616264' WHERE version = 3")
        .unwrap();
    let store = SqliteStore::open_existing(&path).unwrap();
    match store.model(3) {
        Err(StoreError::ModelDamaged { version: 3, .. }) => {}
        other => panic!("expected ModelDamaged, got {other:?}"),
    }
    assert!(matches!(
        store.models(),
        Err(StoreError::ModelDamaged { version: 3, .. })
    ));
}

#[test]
fn a_format_4_file_loses_its_adopted_view_and_keeps_its_models() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v4.db");
    let mut store = SqliteStore::create_or_open(&path).unwrap();
    let mut batch = Batch::default();
    batch.push(&touch("T1", 1));
    let mut tx = store.begin().unwrap();
    tx.append(&batch).unwrap();
    tx.commit().unwrap();
    store
        .add_model(&NewModel {
            version: 1,
            trained_at: 1_700_000_000,
            head: 1,
            artifact: b"{\"v\":1}".to_vec(),
        })
        .unwrap();
    store
        .put_views(1, &[("model/adopted", b"1"), ("report/kpi", b"kpi")])
        .unwrap();
    drop(store);
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("PRAGMA user_version = 4;")
        .unwrap();

    let before = std::fs::read(&path).unwrap();
    drop(SqliteStore::open_read_only(&path).unwrap());
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "read-only: untouched"
    );
    assert_eq!(user_version(&path), 4);

    let store = SqliteStore::open_existing(&path).unwrap();
    assert_eq!(user_version(&path), 5);
    assert_eq!(store.head().unwrap(), 1, "no event appended");
    assert_eq!(view_names(&path), ["report/kpi"]);
    assert_eq!(store.models().unwrap().len(), 1, "the model is kept");
}
