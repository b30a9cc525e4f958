//! `accord import` through the real binary: atomicity, the kit's dirty rows,
//! --skip-invalid, idempotent re-import.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use accord_core::event::Event;
use accord_store::{EventStore, SqliteStore};

const KIT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/bench");

fn accord(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .output()
        .expect("the accord binary runs")
}

fn log(db: &Path) -> Vec<Event> {
    let store = SqliteStore::open(db).expect("the database opens");
    let mut events = Vec::new();
    store.scan(&mut |e| events.push(e)).expect("the log reads");
    events
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs the kit's generator (needs python3 with numpy and duckdb, which
/// `.ci/run` installs).
fn generate(out: &Path, leads: &str, dirty: bool) {
    let mut cmd = Command::new("python3");
    cmd.arg(format!("{KIT}/gen.py"))
        .args(["--leads", leads, "--seed", "7", "--out"])
        .arg(out);
    if dirty {
        cmd.args(["--dirty", "1"]);
    }
    let status = cmd.output().expect("python3 runs");
    assert!(
        status.status.success(),
        "gen.py failed (pip install numpy duckdb): {}",
        text(&status.stderr)
    );
}

#[test]
fn importing_twice_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let tiny = PathBuf::from(KIT).join("fixtures/tiny");
    let first = accord(&["import", tiny.to_str().unwrap()], dir.path());
    assert!(first.status.success(), "{}", text(&first.stderr));
    let db = dir.path().join("accord.db");
    let before = log(&db);
    assert_eq!(before.len(), 87, "82 rows, 5 of them closed opportunities");

    let again = accord(&["import", tiny.to_str().unwrap()], dir.path());
    assert!(again.status.success(), "{}", text(&again.stderr));
    assert!(
        text(&again.stdout).contains("0 new events, 87 already stored"),
        "{}",
        text(&again.stdout)
    );
    assert_eq!(log(&db), before);
}

#[test]
fn a_bad_header_names_the_file_and_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::write(
        data.join("reps.csv"),
        "rep_id,name,mail,team,region,vertical,manager_id,capacity_per_day,hired_at\n",
    )
    .unwrap();
    let out = accord(&["import", "data"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("reps.csv:1: the header does not match"),
        "{err}"
    );
    assert!(err.contains("expected: rep_id,name,email"), "{err}");
    assert!(log(&dir.path().join("accord.db")).is_empty());
}

#[test]
fn an_empty_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = accord(&["import", "."], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("holds none of the contract's files"));
}

/// Every row of the kit's dirty manifest is reported at its file and line with
/// its problem, nothing is stored; --skip-invalid stores exactly the clean rows.
#[test]
fn dirty_rows_are_all_reported_and_skip_invalid_keeps_exactly_the_clean_ones() {
    let dir = tempfile::tempdir().unwrap();
    let dirty = dir.path().join("dirty");
    let clean = dir.path().join("clean");
    generate(&dirty, "3000", true);
    generate(&clean, "3000", false);

    let manifest: BTreeSet<(String, u64, String)> =
        csv::Reader::from_path(dirty.join("dirty_manifest.csv"))
            .unwrap()
            .records()
            .map(|r| {
                let r = r.unwrap();
                (r[0].to_owned(), r[1].parse().unwrap(), r[2].to_owned())
            })
            .collect();
    assert!(manifest.len() > 100, "the generator wrote bad rows");

    let strict = accord(
        &["import", "dirty", "--db", "strict.db", "--max-errors", "0"],
        dir.path(),
    );
    assert_eq!(strict.status.code(), Some(1));
    let reported: BTreeSet<(String, u64, String)> = text(&strict.stderr)
        .lines()
        .filter(|l| !l.starts_with("error:"))
        .map(|l| {
            let mut parts = l.splitn(4, ':');
            let file = parts.next().unwrap().to_owned();
            let line = parts.next().unwrap().parse().unwrap();
            let problem = parts.next().unwrap().trim().to_owned();
            (file, line, problem)
        })
        .collect();
    assert_eq!(reported, manifest);
    assert!(
        log(&dir.path().join("strict.db")).is_empty(),
        "nothing stored"
    );

    let skip = accord(
        &[
            "import",
            "dirty",
            "--db",
            "skip.db",
            "--skip-invalid",
            "--rejects",
            "rejects.csv",
        ],
        dir.path(),
    );
    assert!(skip.status.success(), "{}", text(&skip.stderr));
    let rejects: BTreeSet<(String, u64, String)> =
        csv::Reader::from_path(dir.path().join("rejects.csv"))
            .unwrap()
            .records()
            .map(|r| {
                let r = r.unwrap();
                (r[0].to_owned(), r[1].parse().unwrap(), r[2].to_owned())
            })
            .collect();
    assert_eq!(rejects, manifest);

    let reference = accord(&["import", "clean", "--db", "clean.db"], dir.path());
    assert!(reference.status.success(), "{}", text(&reference.stderr));
    assert_eq!(
        log(&dir.path().join("skip.db")),
        log(&dir.path().join("clean.db")),
        "the stored rows are exactly the clean rows, in order"
    );
}

/// CRM exports are not sorted managers first: a rep may name a manager listed
/// further down; a rep whose manager's row is bad is refused with it.
#[test]
fn reps_may_name_a_manager_listed_later() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let header = "rep_id,name,email,team,region,vertical,manager_id,capacity_per_day,hired_at\n";
    std::fs::write(
        data.join("reps.csv"),
        format!(
            "{header}\
             R0002,Ana Ruiz,ana@example.com,sdr,NA,,R0001,20,2024-01-01T09:00:00Z\n\
             R0001,Bo Li,bo@example.com,manager,NA,,,0,2023-01-01T09:00:00Z\n"
        ),
    )
    .unwrap();
    let out = accord(&["import", "data"], dir.path());
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(log(&dir.path().join("accord.db")).len(), 2);

    std::fs::write(
        data.join("reps.csv"),
        format!(
            "{header}\
             R0004,Cy Ode,cy@example.com,sdr,NA,,R0003,20,2024-01-01T09:00:00Z\n\
             R0003,Di Ng,not-an-email,manager,NA,,,0,2023-01-01T09:00:00Z\n"
        ),
    )
    .unwrap();
    let out = accord(&["import", "data", "--db", "bad.db"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("reps.csv:2: unknown_reference"), "{err}");
    assert!(err.contains("reps.csv:3: bad_email"), "{err}");
}
