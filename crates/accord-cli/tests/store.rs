//! Database files through the real binary: only commands that store events
//! create a database, nothing leaves an empty one behind, a database that
//! cannot be written is still read, racing writers wait for each other, and
//! what is not an accord database is named and left alone.
//!
//! `ACCORD_BIN=/path/to/accord` runs these against another build (to see
//! them fail on an older one).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use accord_store::{EventStore, SqliteStore};

const KIT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/bench");

fn bin() -> PathBuf {
    std::env::var_os("ACCORD_BIN")
        .map_or_else(|| env!("CARGO_BIN_EXE_accord").into(), PathBuf::from)
}

fn command(args: &[&str], cwd: &Path) -> Command {
    let mut cmd = Command::new(bin());
    cmd.args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env_remove("ACCORD_DB")
        .env_remove("ACCORD_WAIT");
    cmd
}

fn accord(args: &[&str], cwd: &Path) -> Output {
    command(args, cwd).output().expect("the accord binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn tiny() -> String {
    format!("{KIT}/fixtures/tiny")
}

fn events(db: &Path) -> u64 {
    SqliteStore::open_read_only(db)
        .expect("the database opens")
        .counts()
        .expect("counts read")
        .total()
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A folder with the tiny fixture, one reps.csv row made bad.
fn bad_data(dir: &Path) -> PathBuf {
    let data = dir.join("bad");
    std::fs::create_dir(&data).unwrap();
    for entry in std::fs::read_dir(tiny()).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), data.join(entry.file_name())).unwrap();
        }
    }
    let reps = std::fs::read_to_string(data.join("reps.csv")).unwrap();
    std::fs::write(data.join("reps.csv"), reps.replacen("R0001,", "R 0001,", 1)).unwrap();
    data
}

#[test]
fn reading_a_missing_database_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = accord(&["report", "kpi", "--db", "typo.db"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        "error: no database at typo.db (run `accord import DIR --db typo.db` or `accord demo --db typo.db` first)\n"
    );

    let mut watch = command(&["watch", "--db", "typo.db", "--interval", "5"], dir.path())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // It exits at once; a watcher that started is stopped after a second.
    let started = std::time::Instant::now();
    while watch.try_wait().unwrap().is_none() && started.elapsed().as_secs() < 2 {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let _ = watch.kill();
    let watched = watch.wait_with_output().unwrap();
    assert_eq!(watched.status.code(), Some(1), "{}", text(&watched.stderr));
    assert!(text(&watched.stderr).contains("error: no database at typo.db"));

    // A dry run checks against an empty log, says so, and creates nothing.
    let out = accord(
        &["import", &tiny(), "--dry-run", "--db", "typo.db"],
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("note: no database at typo.db: checking against an empty log"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(entries(dir.path()), Vec::<String>::new());
}

#[test]
fn a_failed_first_import_leaves_no_database() {
    let dir = tempfile::tempdir().unwrap();
    let bad = bad_data(dir.path());
    let out = accord(
        &["import", bad.to_str().unwrap(), "--db", "new.db"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("nothing was imported"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(entries(dir.path()), vec!["bad"]);

    // A database that was there keeps everything, and stays.
    let out = accord(&["import", &tiny(), "--db", "kept.db"], dir.path());
    assert!(out.status.success());
    let out = accord(
        &["import", bad.to_str().unwrap(), "--db", "kept.db"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(events(&dir.path().join("kept.db")), 87);
}

#[test]
fn racing_imports_into_a_fresh_database_both_succeed() {
    for round in 0..6 {
        let dir = tempfile::tempdir().unwrap();
        let spawn = || {
            command(&["import", &tiny(), "--db", "race.db"], dir.path())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (a, b) = (spawn(), spawn());
        for out in [a.wait_with_output().unwrap(), b.wait_with_output().unwrap()] {
            assert!(out.status.success(), "round {round}: {}", text(&out.stderr));
        }
        assert_eq!(events(&dir.path().join("race.db")), 87);
    }
}

#[test]
fn a_writer_that_cannot_get_the_lock_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let out = accord(&["import", &tiny(), "--db", "busy.db"], dir.path());
    assert!(out.status.success());
    let holder = rusqlite_holder(&dir.path().join("busy.db"));
    let started = std::time::Instant::now();
    let out = command(&["import", &tiny(), "--db", "busy.db"], dir.path())
        .env("ACCORD_WAIT", "1")
        .output()
        .unwrap();
    assert!(started.elapsed() >= std::time::Duration::from_secs(1));
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        "error: another accord process is writing to busy.db; waited 1 s\n"
    );
    drop(holder);
}

/// Holds the write lock of `db` until dropped (as a running import does).
fn rusqlite_holder(db: &Path) -> impl Drop {
    struct Holder(std::process::Child);
    impl Drop for Holder {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    // python3's sqlite3 takes the lock in another process, as another
    // accord would.
    let mut child = Command::new("python3")
        .args([
            "-c",
            "import sqlite3,sys,time\nc=sqlite3.connect(sys.argv[1],isolation_level=None)\nc.execute('BEGIN IMMEDIATE')\nprint('locked',flush=True)\ntime.sleep(60)",
        ])
        .arg(db)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs");
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    assert_eq!(line, "locked\n");
    Holder(child)
}

/// Runs accord as an unprivileged user when the tests run as root (for
/// whom permissions do not stop writes); `None` when that is impossible.
fn as_unprivileged(args: &[&str], cwd: &Path) -> Option<Output> {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .ok()
        .map(|o| text(&o.stdout))
        == Some("0\n".into());
    if !root {
        return Some(accord(args, cwd));
    }
    let setpriv = Command::new("setpriv").arg("--version").output();
    if setpriv.is_err() {
        eprintln!("skipped: running as root and setpriv is not installed");
        return None;
    }
    let mut cmd = Command::new("setpriv");
    cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(bin())
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env_remove("ACCORD_DB");
    Some(cmd.output().unwrap())
}

fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn a_database_that_cannot_be_written_is_still_read() {
    let dir = tempfile::tempdir().unwrap();
    chmod(dir.path(), 0o755);
    for (folder, file_mode, folder_mode) in [("ro-folder", 0o644, 0o555), ("ro-file", 0o444, 0o777)]
    {
        let sub = dir.path().join(folder);
        std::fs::create_dir(&sub).unwrap();
        let out = accord(&["import", &tiny(), "--db", "a.db"], &sub);
        assert!(out.status.success());
        chmod(&sub.join("a.db"), file_mode);
        chmod(&sub, folder_mode);

        let Some(out) = as_unprivileged(&["report", "kpi", "--db", "a.db"], &sub) else {
            return;
        };
        assert!(out.status.success(), "{folder}: {}", text(&out.stderr));
        assert!(text(&out.stdout).starts_with("kpi — all time — as of 2026-03-30T23:00:00Z\n"));
        assert!(
            text(&out.stdout).contains("\n2026-03 "),
            "{}",
            text(&out.stdout)
        );
        assert_eq!(
            text(&out.stderr),
            "note: reports not stored for the next read: a.db cannot be written (a read-only file or folder)\n",
            "{folder}"
        );
        // A period and a dry run read too.
        let out = as_unprivileged(
            &["report", "funnel", "--from", "2026-01-01", "--db", "a.db"],
            &sub,
        )
        .unwrap();
        assert!(out.status.success(), "{folder}: {}", text(&out.stderr));
        let out = as_unprivileged(&["import", &tiny(), "--dry-run", "--db", "a.db"], &sub).unwrap();
        assert!(out.status.success(), "{folder}: {}", text(&out.stderr));
        // Writing is refused in words.
        let out = as_unprivileged(&["import", &tiny(), "--db", "a.db"], &sub).unwrap();
        assert_eq!(out.status.code(), Some(1));
        assert_eq!(
            text(&out.stderr),
            "error: a.db cannot be written (a read-only file or folder)\n",
            "{folder}"
        );
        chmod(&sub, 0o755);
        assert_eq!(events(&sub.join("a.db")), 87);
    }
}

#[test]
fn what_is_not_an_accord_database_is_named_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("leads.csv");
    std::fs::copy(format!("{KIT}/fixtures/tiny/leads.csv"), &csv).unwrap();
    std::fs::create_dir(dir.path().join("folder")).unwrap();
    // A database from a newer accord.
    let out = accord(&["import", &tiny(), "--db", "newer.db"], dir.path());
    assert!(out.status.success());
    let set = Command::new("python3")
        .args([
            "-c",
            "import sqlite3,sys\nsqlite3.connect(sys.argv[1]).execute('PRAGMA user_version = 6')",
        ])
        .arg(dir.path().join("newer.db"))
        .status()
        .expect("python3 runs");
    assert!(set.success());
    // A database cut short (a copy that did not finish).
    let whole = std::fs::read(dir.path().join("newer.db")).unwrap();
    let out = accord(&["import", &tiny(), "--db", "whole.db"], dir.path());
    assert!(out.status.success());
    let bytes = std::fs::read(dir.path().join("whole.db")).unwrap();
    std::fs::write(dir.path().join("cut.db"), &bytes[..bytes.len() / 2]).unwrap();
    std::fs::remove_file(dir.path().join("whole.db")).unwrap();

    let cases: [(&str, &str); 4] = [
        ("leads.csv", "error: leads.csv: not an accord database (not a SQLite database: a text or CSV file?)\n"),
        ("folder", "error: folder is a folder, not a database file\n"),
        ("newer.db", "error: newer.db: written by a newer accord (store format 6, this build reads up to 5)\n"),
        ("cut.db", "error: cut.db: the database file is damaged (its pages do not read back); nothing was changed\n"),
    ];
    for (db, message) in cases {
        let before = std::fs::read(dir.path().join(db)).ok();
        for args in [
            vec!["import", &tiny(), "--db", db],
            vec!["report", "kpi", "--db", db],
        ] {
            let out = accord(&args, dir.path());
            assert_eq!(out.status.code(), Some(1), "{args:?}");
            assert_eq!(text(&out.stderr), message, "{args:?}");
        }
        assert_eq!(
            std::fs::read(dir.path().join(db)).ok(),
            before,
            "{db} unchanged"
        );
    }
    drop(whole);

    // A folder that does not exist, a link to nothing: named, nothing made.
    let out = accord(&["import", &tiny(), "--db", "nodir/a.db"], dir.path());
    assert_eq!(
        text(&out.stderr),
        "error: nodir/a.db: the folder nodir does not exist\n"
    );
    std::os::unix::fs::symlink("gone.db", dir.path().join("link.db")).unwrap();
    let out = accord(&["import", &tiny(), "--db", "link.db"], dir.path());
    assert_eq!(
        text(&out.stderr),
        "error: link.db is a link to a missing file, not a database file\n"
    );
    assert!(!dir.path().join("gone.db").exists() && !dir.path().join("nodir").exists());

    // A device: nothing is written beside it either.
    let journal_before = Path::new("/dev/null-journal").exists();
    let out = accord(&["import", &tiny(), "--db", "/dev/null"], dir.path());
    if !journal_before && Path::new("/dev/null-journal").exists() {
        let _ = std::fs::remove_file("/dev/null-journal");
        panic!("an import into /dev/null wrote /dev/null-journal");
    }
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        "error: /dev/null is a device, pipe or socket, not a database file\n"
    );
}
