//! A database written by the format-2 binary (accord 8f64212, see
//! tests/fixtures/README.md): read as it is when it cannot be written,
//! migrated to format 3 (the tokens table) in place when it can, the same
//! numbers either way; and tokens made, listed and revoked in it.

mod common;

use common::{accord, copy_fixture, text, user_version, FIXTURES};

use accord_store::{EventStore, SqliteStore, TokenStore};

#[test]
fn a_format_2_file_is_read_as_it_is_and_migrated_when_written() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    let db = copy_fixture("store-v2.db", cwd);
    assert_eq!(user_version(&db), 2);
    {
        let store = SqliteStore::open_read_only(&db).unwrap();
        assert_eq!(
            store.counts().unwrap().total(),
            89,
            "87 imported, an adoption, an ingested lead"
        );
        assert_eq!(store.tokens().unwrap(), vec![], "no tokens table yet: none");
    }
    assert_eq!(user_version(&db), 2, "reading it read-only changes nothing");
    // The funnel the format-2 binary printed, from the migrated file.
    let out = accord(&["report", "funnel", "--db", "a.db"], cwd);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let expected =
        std::fs::read_to_string(format!("{FIXTURES}/store-v2.report-funnel.txt")).unwrap();
    assert_eq!(text(&out.stdout), expected);
    assert_eq!(
        user_version(&db),
        5,
        "migrated on the first write-enabled open"
    );

    let out = accord(
        &[
            "token", "create", "--role", "rep", "--rep", "R0002", "--label", "sean", "--db", "a.db",
        ],
        cwd,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let token = text(&out.stdout).trim().to_owned();
    assert!(
        token.starts_with("acc_") && token.len() == 4 + 64,
        "{token}"
    );
    let store = SqliteStore::open_read_only(&db).unwrap();
    let tokens = store.tokens().unwrap();
    assert_eq!(tokens.len(), 1);
    assert_eq!(
        (
            tokens[0].role.as_str(),
            tokens[0].rep.as_deref(),
            tokens[0].label.as_deref()
        ),
        ("rep", Some("R0002"), Some("sean"))
    );
    assert_eq!(
        tokens[0].hash,
        accord_serve::auth::hash(&token),
        "only the hash is stored"
    );
    assert_eq!(
        store.counts().unwrap().total(),
        89,
        "no event added or lost"
    );
    drop(store);

    let out = accord(&["token", "list", "--db", "a.db"], cwd);
    let listed = text(&out.stdout);
    assert!(
        listed.contains("rep") && listed.contains("R0002") && !listed.contains(&token),
        "{listed}"
    );
    let out = accord(&["token", "revoke", "1", "--db", "a.db"], cwd);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = accord(&["token", "revoke", "1", "--db", "a.db"], cwd);
    assert!(!out.status.success(), "revoked twice");
    let out = accord(&["token", "create", "--role", "rep", "--db", "a.db"], cwd);
    assert!(text(&out.stderr).contains("--rep"), "{}", text(&out.stderr));
}

#[test]
fn a_format_1_file_takes_a_token_after_both_steps() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    let db = copy_fixture("store-v1.db", cwd);
    assert_eq!(user_version(&db), 1);
    let out = accord(
        &["token", "create", "--role", "analyst", "--db", "a.db"],
        cwd,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(user_version(&db), 5);
    let store = SqliteStore::open_read_only(&db).unwrap();
    assert_eq!(store.tokens().unwrap().len(), 1);
    assert_eq!(store.counts().unwrap().total(), 87);
}
