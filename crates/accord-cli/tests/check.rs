//! `accord check` through the real binary: every bad agreement under
//! `tests/agreements/` fails with exit code 1 and the messages in its snapshot;
//! the valid ones pass.

use std::path::{Path, PathBuf};
use std::process::Command;

fn agreements_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/agreements")
}

/// Runs `accord check FILE` from the agreements folder, so messages name the
/// file as the user typed it.
fn check(file: &str) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(["check", file])
        .current_dir(agreements_dir())
        .env("NO_COLOR", "1")
        .output()
        .expect("the accord binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn files(prefix: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(agreements_dir())
        .expect("tests/agreements exists")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with(prefix) && n.ends_with(".toml"))
        .collect();
    names.sort();
    names
}

#[test]
fn every_bad_agreement_fails_with_its_snapshot() {
    let bad = files("bad_");
    assert!(bad.len() >= 25, "only {} bad agreements", bad.len());
    for file in bad {
        let (code, stdout, stderr) = check(&file);
        assert_eq!(code, 1, "{file} should fail:\n{stdout}{stderr}");
        assert!(stdout.is_empty(), "{file}: nothing on stdout when failing");
        assert!(
            stderr.contains(&format!("{file}:")),
            "{file}: every error names file:line:column:\n{stderr}"
        );
        assert!(stderr
            .trim_end()
            .lines()
            .last()
            .unwrap_or("")
            .starts_with(&format!("error: {file} has ")));
        let name = file.trim_end_matches(".toml").to_string();
        insta::with_settings!({ prepend_module_to_snapshot => false, snapshot_suffix => "" }, {
            insta::assert_snapshot!(name, stderr);
        });
    }
}

#[test]
fn valid_agreements_pass_with_a_summary() {
    for file in files("ok_") {
        let (code, stdout, stderr) = check(&file);
        assert_eq!(code, 0, "{file}:\n{stderr}");
        assert!(stdout.starts_with(&format!("ok: {file} — ")), "{stdout}");
    }
}

#[test]
fn all_errors_are_reported_in_file_order() {
    let (code, _, stderr) = check("bad_several_errors.toml");
    assert_eq!(code, 1);
    assert!(stderr.contains("has 3 errors"), "{stderr}");
    let positions: Vec<(usize, usize)> = stderr
        .lines()
        .filter_map(|l| l.split("bad_several_errors.toml:").nth(1))
        .filter_map(|rest| {
            let mut it = rest
                .split(|c: char| !c.is_ascii_digit())
                .filter(|s| !s.is_empty());
            Some((it.next()?.parse().ok()?, it.next()?.parse().ok()?))
        })
        .collect();
    let mut sorted = positions.clone();
    sorted.sort();
    assert_eq!(positions, sorted);
}

#[test]
fn a_missing_file_is_a_clear_error() {
    let (code, _, stderr) = check("no_such_file.toml");
    assert_eq!(code, 1);
    assert!(stderr.contains("cannot read no_such_file.toml"), "{stderr}");
}
