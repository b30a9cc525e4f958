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
    // `symlink_metadata`, not `exists`: a link to nothing is something there.
    if path.symlink_metadata().is_ok() && !args.force {
        return Err(format!(
            "{} already exists; keep it, or pass --force to replace it with the starter agreement",
            path.display()
        )
        .into());
    }
    std::fs::create_dir_all(&args.dir)
        .map_err(|e| format!("cannot create {}: {e}", args.dir.display()))?;
    let cannot = |e: std::io::Error| format!("cannot write {}: {e}", path.display());
    if args.force {
        // Whole or not at all: written beside, then renamed over the old one.
        let partial = args.dir.join(".accord.toml.partial");
        std::fs::write(&partial, DEFAULT_AGREEMENT)
            .and_then(|()| std::fs::rename(&partial, &path))
            .map_err(|e| {
                let _ = std::fs::remove_file(&partial);
                cannot(e)
            })?;
    } else {
        // Created new, never through a link or over a file made meanwhile.
        use std::io::Write;
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .and_then(|mut f| f.write_all(DEFAULT_AGREEMENT.as_bytes()))
            .map_err(cannot)?;
    }
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
