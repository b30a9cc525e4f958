//! One module per subcommand. Each exposes `Args` (clap) and `run(Args)`.

pub mod check;
pub mod init;

/// What a subcommand returns: an exit code on success, or an error that
/// `main` prints once as `error: ...` and maps to exit code 1.
pub type CmdResult = Result<std::process::ExitCode, Box<dyn std::error::Error>>;
