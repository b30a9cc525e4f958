//! One module per subcommand. Each exposes `Args` (clap) and `run(Args)`.

pub mod agreement;
pub mod check;
pub mod demo;
pub mod export;
pub mod hook;
pub mod import;
pub mod ingest;
pub mod init;
pub mod lead;
pub mod match_cmd;
pub mod model;
mod out_file;
pub mod replay;
pub mod report;
pub mod run;
pub mod serve;
pub mod sla;
pub mod tick;
pub mod token;

use std::path::{Path, PathBuf};
use std::time::Duration;

use accord_store::{SqliteStore, StoreError};

/// What a subcommand returns: an exit code on success, or an error that
/// `main` prints once as `error: ...` and maps to exit code 1.
pub type CmdResult = Result<std::process::ExitCode, Box<dyn std::error::Error>>;

/// The database options shared by every command that reads or writes the log.
#[derive(clap::Args)]
pub struct DbArgs {
    /// The embedded database file. Only commands that store events create
    /// it (import, demo); the others refuse a missing file.
    #[arg(
        long,
        env = "ACCORD_DB",
        default_value = "accord.db",
        value_name = "FILE"
    )]
    pub db: PathBuf,
    /// Seconds a write waits for another accord process writing to the same
    /// database before giving up.
    #[arg(long, env = "ACCORD_WAIT", default_value_t = 30, value_name = "SECS")]
    pub wait: u64,
}

/// Why a database could not be opened: the store's reason, with the next
/// step when there is no database at all.
#[derive(Debug)]
pub enum DbError {
    Missing { path: PathBuf },
    Store(StoreError),
}

impl std::fmt::Display for DbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DbError::Missing { path } => {
                write!(f, "no database at {}", path.display())?;
                let demo = Path::new("accord-demo.db");
                if path == Path::new("accord.db") && demo.is_file() {
                    write!(
                        f,
                        " (`accord demo` made accord-demo.db: add --db accord-demo.db)"
                    )
                } else {
                    write!(
                        f,
                        " (run `accord import DIR --db {0}` or `accord demo --db {0}` first)",
                        path.display()
                    )
                }
            }
            DbError::Store(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for DbError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            DbError::Missing { .. } => None,
            DbError::Store(e) => Some(e),
        }
    }
}

impl From<StoreError> for DbError {
    fn from(e: StoreError) -> DbError {
        match e {
            StoreError::Missing { path } => DbError::Missing { path: path.into() },
            e => DbError::Store(e),
        }
    }
}

fn with_wait(
    store: Result<SqliteStore, StoreError>,
    args: &DbArgs,
) -> Result<SqliteStore, DbError> {
    let mut store = store?;
    store.set_write_wait(Duration::from_secs(args.wait))?;
    Ok(store)
}

/// For commands that store events: the database, created when missing (and
/// removed again if this process created it and stored nothing).
pub fn open_store(args: &DbArgs) -> Result<SqliteStore, DbError> {
    with_wait(SqliteStore::create_or_open(&args.db), args)
}

/// For commands that read: an existing database, never created; read-only
/// when the file or its folder cannot be written (views are then not stored).
pub fn open_for_reading(args: &DbArgs) -> Result<SqliteStore, DbError> {
    with_wait(SqliteStore::open_for_reading(&args.db), args)
}

/// For `import --dry-run`: the existing database, never created; with none
/// at the path, an empty log in memory (a note on stderr names the path, so a
/// mistyped one is seen).
pub fn open_store_for_dry_run(args: &DbArgs) -> Result<SqliteStore, DbError> {
    match open_for_reading(args) {
        Err(DbError::Missing { path }) => {
            eprintln!(
                "note: no database at {}: checking against an empty log (nothing is created)",
                path.display()
            );
            Ok(SqliteStore::open_in_memory()?)
        }
        other => other,
    }
}

/// Writes `text` to stdout. A reader that stopped early (`accord … | head`)
/// is not an error: the rest is dropped.
pub fn write_stdout(text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// A CSV field, quoted when it holds a comma, a quote or a line break.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// Where `path` is or would be: symlinks and `..` resolved, whether or not
/// the file exists yet (its folder must).
pub fn canonical(path: &std::path::Path) -> Option<std::path::PathBuf> {
    if let Ok(existing) = std::fs::canonicalize(path) {
        return Some(existing);
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => std::path::Path::new("."),
    };
    Some(std::fs::canonicalize(parent).ok()?.join(path.file_name()?))
}
