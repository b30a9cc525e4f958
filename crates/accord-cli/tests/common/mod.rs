//! What the CLI tests share: running the real binary and reading its output.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The binary under test (`ACCORD_BIN` overrides, e.g. an older build).
pub fn bin() -> PathBuf {
    std::env::var_os("ACCORD_BIN")
        .map_or_else(|| env!("CARGO_BIN_EXE_accord").into(), PathBuf::from)
}

/// `accord args` in `cwd`, with no colour and no database from the
/// environment, ready to run or spawn.
pub fn command(args: &[&str], cwd: &Path) -> Command {
    let mut c = Command::new(bin());
    c.args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env_remove("ACCORD_DB")
        .env_remove("ACCORD_WAIT");
    c
}

/// Runs `accord args` in `cwd` to its end.
pub fn accord(args: &[&str], cwd: &Path) -> Output {
    command(args, cwd).output().expect("the accord binary runs")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Its standard output, after asserting it succeeded.
pub fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "stdout:\n{}\nstderr:\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// The stored databases older builds wrote (tests/fixtures/README.md).
pub const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

/// The fixture `name` copied into `dir` as `a.db`, to be migrated or read.
pub fn copy_fixture(name: &str, dir: &Path) -> PathBuf {
    let db = dir.join("a.db");
    std::fs::copy(format!("{FIXTURES}/{name}"), &db).unwrap();
    db
}

/// `PRAGMA user_version`, read from the file's header (bytes 60..64,
/// big-endian), without opening the file through SQLite.
pub fn user_version(db: &Path) -> u32 {
    let bytes = std::fs::read(db).unwrap();
    u32::from_be_bytes(bytes[60..64].try_into().unwrap())
}
