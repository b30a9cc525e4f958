//! A database written by the format-1 binary (accord d1bd426, see
//! tests/fixtures/README.md): read as it is when it cannot be written,
//! migrated in place when it can, and the same numbers either way.

mod common;

use common::{accord, copy_fixture, text, user_version, FIXTURES};

use std::path::Path;
use std::process::{Command, Output};

use accord_store::{EventStore, SqliteStore};

const KIT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/bench");

/// `accord report all`'s output from the format-1 binary on the fixture.
fn v1_report() -> String {
    std::fs::read_to_string(format!("{FIXTURES}/store-v1.report-all.txt")).unwrap()
}

/// `accord report all`'s output without accord's own report, which came
/// after the format-1 binary: its eleven reports, in its words. The rest is
/// `kpi_outcomes`, whose all-time figures follow from the kpi section
/// (8 leads, 6 opportunities: 75.0 %; 4 won, 1 lost: 80.0 %).
fn kits_reports(stdout: &[u8]) -> String {
    let out = text(stdout);
    let (kit, own) = out
        .split_once("\nkpi_outcomes — all time")
        .expect("kpi_outcomes follows the kit's reports");
    let all = own.lines().find(|l| l.starts_with("(all)")).unwrap();
    let figures: Vec<&str> = all.split_whitespace().collect();
    assert_eq!(
        figures[..7],
        ["(all)", "8", "6", "75.0%", "4", "1", "80.0%"]
    );
    kit.to_owned()
}

fn events(db: &Path) -> u64 {
    SqliteStore::open_read_only(db)
        .unwrap()
        .counts()
        .unwrap()
        .total()
}

#[test]
fn the_fixture_is_a_format_1_file_of_the_tiny_data() {
    let dir = tempfile::tempdir().unwrap();
    let db = copy_fixture("store-v1.db", dir.path());
    assert_eq!(user_version(&db), 1);
    assert_eq!(events(&db), 87, "the tiny fixture's 87 events");
    assert_eq!(user_version(&db), 1, "reading it read-only changes nothing");
}

#[test]
fn a_migrated_file_reports_the_same_numbers_and_takes_imports() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    let db = copy_fixture("store-v1.db", cwd);

    let out = accord(&["report", "all", "--db", "a.db"], cwd);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(kits_reports(&out.stdout), v1_report());
    assert_eq!(
        user_version(&db),
        5,
        "migrated on the first write-enabled open"
    );

    // The same import again: every event a duplicate.
    let tiny = format!("{KIT}/fixtures/tiny");
    let out = accord(&["import", &tiny, "--db", "a.db"], cwd);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(events(&db), 87);
    let out = accord(&["report", "all", "--db", "a.db"], cwd);
    assert_eq!(kits_reports(&out.stdout), v1_report());

    // New rows: one more touch of a stored lead.
    let more = cwd.join("more");
    std::fs::create_dir(&more).unwrap();
    for entry in std::fs::read_dir(&tiny).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), more.join(entry.file_name())).unwrap();
        }
    }
    let mut touches = std::fs::read_to_string(more.join("touches.csv")).unwrap();
    touches.push_str("T00000999,L0000001,2025-04-06T10:00:00Z,page_view,direct,,,\n");
    std::fs::write(more.join("touches.csv"), touches).unwrap();
    let out = accord(&["import", "more", "--db", "a.db"], cwd);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(events(&db), 88);
    assert_eq!(user_version(&db), 5);
    let store = SqliteStore::open_read_only(&db).unwrap();
    let mut origins = Vec::new();
    store
        .scan_entries_between(0, u64::MAX, &mut |o, _| {
            origins.push(o.clone());
            Ok(())
        })
        .unwrap();
    assert_eq!(origins.len(), 88);
    assert!(origins
        .iter()
        .all(|o| *o == accord_core::event::Origin::Imported));
}

#[test]
fn an_agreement_adopted_into_a_format_1_file_migrates_it() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    let db = copy_fixture("store-v1.db", cwd);
    assert!(accord(&["init"], cwd).status.success());
    let out = accord(&["agreement", "adopt", "--db", "a.db"], cwd);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(user_version(&db), 5);
    assert_eq!(events(&db), 88);
    let out = accord(&["report", "all", "--db", "a.db"], cwd);
    assert_eq!(
        kits_reports(&out.stdout),
        v1_report(),
        "an adoption changes no report"
    );
}

/// Runs accord as an unprivileged user when the tests run as root (for
/// whom permissions do not stop writes); `None` when that is impossible.
fn as_unprivileged(args: &[&str], cwd: &Path) -> Option<Output> {
    let id = Command::new("id")
        .arg("-u")
        .output()
        .ok()
        .map(|o| text(&o.stdout));
    if id != Some("0\n".into()) {
        return Some(accord(args, cwd));
    }
    if Command::new("setpriv").arg("--version").output().is_err() {
        eprintln!("skipped: running as root and setpriv is not installed");
        return None;
    }
    let out = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_accord"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env_remove("ACCORD_DB")
        .output()
        .unwrap();
    Some(out)
}

fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn a_read_only_format_1_file_is_read_without_being_changed() {
    let dir = tempfile::tempdir().unwrap();
    chmod(dir.path(), 0o755);
    let sub = dir.path().join("ro");
    std::fs::create_dir(&sub).unwrap();
    let db = copy_fixture("store-v1.db", &sub);
    let before = std::fs::read(&db).unwrap();
    chmod(&db, 0o444);
    chmod(&sub, 0o555);

    let Some(out) = as_unprivileged(&["report", "all", "--db", "a.db"], &sub) else {
        return;
    };
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(kits_reports(&out.stdout), v1_report());
    assert_eq!(
        text(&out.stderr),
        "note: reports not stored for the next read: a.db cannot be written (a read-only file or folder)\n"
    );
    let tiny = format!("{KIT}/fixtures/tiny");
    let out = as_unprivileged(&["import", &tiny, "--dry-run", "--db", "a.db"], &sub).unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = as_unprivileged(&["import", &tiny, "--db", "a.db"], &sub).unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        "error: a.db cannot be written (a read-only file or folder)\n"
    );
    chmod(&sub, 0o755);
    assert_eq!(std::fs::read(&db).unwrap(), before, "not a byte changed");
    assert_eq!(
        std::fs::read_dir(&sub).unwrap().count(),
        1,
        "nothing left beside it"
    );
}
