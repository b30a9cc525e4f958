//! `accord agreement adopt|log|show` through the real binary. Digests are
//! checked against coreutils' `sha256sum`, not against accord's own.

mod common;

use common::{accord, text};

use std::path::{Path, PathBuf};
use std::process::Command;

/// The SHA-256 of a file as coreutils computes it.
fn sha256sum(path: &Path) -> String {
    let out = Command::new("sha256sum")
        .arg(path)
        .output()
        .expect("sha256sum runs");
    text(&out.stdout)[..64].to_owned()
}

/// A folder with accord.toml (`accord init`'s) and changed.toml (the same
/// with one more comment line).
fn folder() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = accord(&["init"], dir.path());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let first = dir.path().join("accord.toml");
    let changed = dir.path().join("changed.toml");
    let mut source = std::fs::read(&first).unwrap();
    source.extend_from_slice(b"\n# a comment changes the text\n");
    std::fs::write(&changed, source).unwrap();
    (dir, first, changed)
}

#[test]
fn the_same_file_twice_is_one_version_a_changed_one_the_next() {
    let (dir, first, changed) = folder();
    let cwd = dir.path();
    let (sha1, sha2) = (sha256sum(&first), sha256sum(&changed));

    let out = accord(&["agreement", "adopt", "--by", "Ann Lee"], cwd);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        format!("adopted accord.toml as v1 (sha256 {sha1}); events that arrive from now on are judged by it\n")
    );
    assert!(
        cwd.join("accord.db").is_file(),
        "adopt creates the database"
    );

    let out = accord(&["agreement", "adopt", "accord.toml"], cwd);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        format!("accord.toml is already in force as v1 (sha256 {sha1}); nothing stored\n")
    );

    let out = accord(&["agreement", "adopt", "changed.toml"], cwd);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        format!("adopted changed.toml as v2 (sha256 {sha2}); events that arrive from now on are judged by it\n")
    );

    // The log lists both, oldest first.
    let out = accord(&["agreement", "log", "--format", "csv"], cwd);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let log = text(&out.stdout);
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), 3, "{log}");
    assert_eq!(lines[0], "version,adopted_at,by,name,effective,sha256");
    let row = |line: &str| line.split(',').map(str::to_owned).collect::<Vec<_>>();
    let (v1, v2) = (row(lines[1]), row(lines[2]));
    assert_eq!(v1[0], "1");
    assert_eq!(v1[2], "Ann Lee");
    // As the file accord init writes says.
    assert_eq!(v1[3], "Marketing and sales agreement");
    assert_eq!(v1[4], "2025-04-01");
    assert_eq!(v1[5], sha1);
    assert_eq!(v2[0], "2");
    assert_eq!(v2[2], "");
    assert_eq!(v2[5], sha2);
    // adopted_at: a UTC time of today.
    assert_eq!(v1[1].len(), 20, "{}", v1[1]);
    assert!(
        v1[1].ends_with('Z') && v1[1] <= v2[1],
        "{} {}",
        v1[1],
        v2[1]
    );

    let out = accord(&["agreement", "log", "--format", "json"], cwd);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json[0]["version"], 1);
    assert_eq!(json[0]["by"], "Ann Lee");
    assert_eq!(json[1]["by"], serde_json::Value::Null);
    assert_eq!(json[1]["sha256"], sha2.as_str());

    let out = accord(&["agreement", "log"], cwd);
    let table = text(&out.stdout);
    assert!(
        table.starts_with("version  adopted_at            by       name"),
        "{table}"
    );
    assert_eq!(table.lines().count(), 3, "{table}");
    assert!(
        table.lines().nth(2).unwrap().starts_with("2        "),
        "{table}"
    );
}

#[test]
fn show_prints_the_text_as_adopted() {
    let (dir, first, changed) = folder();
    let cwd = dir.path();
    assert!(accord(&["agreement", "adopt"], cwd).status.success());
    assert!(accord(&["agreement", "adopt", "changed.toml"], cwd)
        .status
        .success());

    let out = accord(&["agreement", "show", "1"], cwd);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(out.stdout, std::fs::read(&first).unwrap());
    let out = accord(&["agreement", "show"], cwd);
    assert_eq!(
        out.stdout,
        std::fs::read(&changed).unwrap(),
        "the one in force"
    );

    let out = accord(&["agreement", "show", "3"], cwd);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        "error: no agreement version 3 in accord.db: versions are 1 to 2 (see `accord agreement log`)\n"
    );
}

#[test]
fn an_invalid_file_is_refused_and_nothing_stored() {
    let (dir, _, _) = folder();
    let cwd = dir.path();
    assert!(accord(&["agreement", "adopt"], cwd).status.success());
    std::fs::write(cwd.join("bad.toml"), "[sla\n").unwrap();
    let before = std::fs::read(cwd.join("accord.db")).unwrap();

    let out = accord(&["agreement", "adopt", "bad.toml"], cwd);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with(
            "error: bad.toml is not a valid agreement (run `accord check bad.toml`):\n"
        ),
        "{stderr}"
    );
    assert_eq!(text(&out.stdout), "");
    let out = accord(&["agreement", "log", "--format", "csv"], cwd);
    assert_eq!(text(&out.stdout).lines().count(), 2, "still one version");
    assert_eq!(std::fs::read(cwd.join("accord.db")).unwrap(), before);

    // A bad --by is refused before anything is stored, too.
    let out = accord(&["agreement", "adopt", "changed.toml", "--by", " "], cwd);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        "error: --by: a name is 1 to 100 characters without control characters, got ``\n"
    );
    let out = accord(&["agreement", "log", "--format", "csv"], cwd);
    assert_eq!(text(&out.stdout).lines().count(), 2, "still one version");
}

#[test]
fn without_versions_log_says_so_and_show_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    let out = accord(&["agreement", "log"], cwd);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).starts_with("error: no database at accord.db"),
        "{}",
        text(&out.stderr)
    );
    assert!(!cwd.join("accord.db").exists(), "log creates nothing");

    // A database with history but no adopted agreement.
    let tiny = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/bench/fixtures/tiny"
    );
    assert!(accord(&["import", tiny], cwd).status.success());
    let out = accord(&["agreement", "log"], cwd);
    assert!(out.status.success());
    assert_eq!(
        text(&out.stdout),
        "no agreement adopted yet (run `accord agreement adopt FILE`)\n"
    );
    let out = accord(&["agreement", "log", "--format", "csv"], cwd);
    assert_eq!(
        text(&out.stdout),
        "version,adopted_at,by,name,effective,sha256\n"
    );
    let out = accord(&["agreement", "show"], cwd);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        "error: no agreement has been adopted in accord.db yet (run `accord agreement adopt FILE --db accord.db`)\n"
    );
}

#[test]
fn help_says_what_adopting_means() {
    let dir = tempfile::tempdir().unwrap();
    let out = accord(&["agreement", "adopt", "--help"], dir.path());
    let help = text(&out.stdout);
    assert!(
        help.contains("events that arrive live are judged by this\nversion"),
        "{help}"
    );
    assert!(
        help.contains("imported history and earlier decisions stay as they are"),
        "{help}"
    );
    let out = accord(&["agreement", "--help"], dir.path());
    let help = text(&out.stdout);
    for sub in ["adopt", "log", "show"] {
        assert!(help.contains(&format!("\n  {sub} ")), "{help}");
    }
}
