//! `accord init`: write the starter agreement, so a team starts from terms
//! that work with the reference data and edits from there.

use std::path::PathBuf;
use std::process::ExitCode;

use accord_core::agreement::DEFAULT_AGREEMENT;

/// Write a commented starter agreement (`accord.toml`) to DIR.
#[derive(clap::Args)]
pub struct Args {
    /// The directory to write `accord.toml` into.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Overwrite an existing `accord.toml`.
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: Args) -> super::CmdResult {
    let path = args.dir.join("accord.toml");
    if path.exists() && !args.force {
        return Err(format!(
            "{} already exists; keep it, or pass --force to replace it with the starter agreement",
            path.display()
        )
        .into());
    }
    std::fs::create_dir_all(&args.dir)
        .map_err(|e| format!("cannot create {}: {e}", args.dir.display()))?;
    std::fs::write(&path, DEFAULT_AGREEMENT)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    println!(
        "wrote {} (the starter agreement between marketing and sales)",
        path.display()
    );
    println!(
        "next: read and edit it with both teams, then run `accord check {}`",
        path.display()
    );
    Ok(ExitCode::SUCCESS)
}
