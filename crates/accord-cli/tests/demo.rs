//! `accord demo` through the real binary: nothing to install, a populated database.

use std::process::Command;

use accord_core::event::EventKind;
use accord_store::{EventStore, SqliteStore};

#[test]
fn the_demo_generates_imports_and_reports() {
    let dir = tempfile::tempdir().unwrap();
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_accord"))
            .args(["demo", "--leads", "800", "--seed", "3", "--db", "demo.db"])
            .current_dir(dir.path())
            .output()
            .expect("the accord binary runs")
    };
    let out = run();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("800 leads"), "{stdout}");
    assert!(stdout.contains("kpi"), "{stdout}");
    let counts = SqliteStore::open(&dir.path().join("demo.db"))
        .unwrap()
        .counts()
        .unwrap();
    assert_eq!(counts.get(EventKind::LeadCreated), 800);
    assert!(counts.get(EventKind::Touched) > 800);

    // The demo's database is replaced, not appended to.
    let again = run();
    assert!(again.status.success());
    let counts_again = SqliteStore::open(&dir.path().join("demo.db"))
        .unwrap()
        .counts()
        .unwrap();
    assert_eq!(counts_again, counts);
}
