//! `accord init` through the real binary: the starter agreement it writes
//! checks clean, and it never overwrites a file without `--force`.

use std::process::{Command, Output};

fn accord(args: &[&str], dir: &std::path::Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("the accord binary runs")
}

#[test]
fn the_starter_agreement_checks_clean() {
    let dir = tempfile::tempdir().unwrap();
    let out = accord(&["init"], dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("accord.toml"), "{stdout}");
    assert!(
        stdout.contains("accord check"),
        "says the next step: {stdout}"
    );
    let written = std::fs::read_to_string(dir.path().join("accord.toml")).unwrap();
    assert_eq!(written, accord_core::agreement::DEFAULT_AGREEMENT);

    let out = accord(&["check"], dir.path());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        stdout.trim(),
        "ok: accord.toml — 8 stages, 4 personas, 18 scoring rules, 4 routing rules, SLA 24h/48h"
    );
}

#[test]
fn init_into_a_named_directory() {
    let dir = tempfile::tempdir().unwrap();
    let out = accord(&["init", "team/agreement"], dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = accord(&["check", "team/agreement/accord.toml"], dir.path());
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn init_refuses_to_overwrite_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("accord.toml");
    std::fs::write(&path, "# our own agreement\n").unwrap();

    let out = accord(&["init"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("already exists"), "{stderr}");
    assert!(stderr.contains("--force"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "# our own agreement\n"
    );

    let out = accord(&["init", "--force"], dir.path());
    assert!(out.status.success());
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        accord_core::agreement::DEFAULT_AGREEMENT
    );
}

#[test]
fn init_never_writes_through_a_link() {
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = dir.path().join("elsewhere.toml");
    std::os::unix::fs::symlink(&elsewhere, dir.path().join("accord.toml")).unwrap();
    let out = accord(&["init"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));
    assert!(!elsewhere.exists(), "written through a link to nothing");
    // --force replaces the link with the file, and leaves the link's target alone.
    std::fs::write(&elsewhere, "mine").unwrap();
    let out = accord(&["init", "--force"], dir.path());
    assert!(out.status.success());
    assert_eq!(std::fs::read_to_string(&elsewhere).unwrap(), "mine");
    let written = dir.path().join("accord.toml");
    assert!(!written.symlink_metadata().unwrap().is_symlink());
    assert!(std::fs::read_to_string(written).unwrap().contains("[sla"));
    assert!(!dir.path().join(".accord.toml.partial").exists());
}
