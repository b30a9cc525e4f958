//! One module per subcommand. Each exposes `Args` (clap) and `run(Args)`.

pub mod check;
pub mod demo;
pub mod import;
pub mod init;
pub mod report;
pub mod watch;

use std::path::PathBuf;

use accord_store::SqliteStore;

/// What a subcommand returns: an exit code on success, or an error that
/// `main` prints once as `error: ...` and maps to exit code 1.
pub type CmdResult = Result<std::process::ExitCode, Box<dyn std::error::Error>>;

/// The database option shared by every command that reads or writes the log.
#[derive(clap::Args)]
pub struct DbArgs {
    /// The embedded database file (created if missing).
    #[arg(
        long,
        env = "ACCORD_DB",
        default_value = "accord.db",
        value_name = "FILE"
    )]
    pub db: PathBuf,
}

pub fn open_store(args: &DbArgs) -> Result<SqliteStore, accord_store::StoreError> {
    SqliteStore::open(&args.db)
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
