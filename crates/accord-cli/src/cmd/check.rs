//! `accord check`: validate an agreement file and list every problem, each
//! with its place in the file and how to fix it.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use accord_core::agreement;

/// Validate an agreement file (stages, rules, SLA...) and report every problem.
#[derive(clap::Args)]
pub struct Args {
    /// The agreement file.
    #[arg(default_value = "accord.toml")]
    pub file: PathBuf,
}

pub fn run(args: Args) -> super::CmdResult {
    let shown = args.file.display().to_string();
    let source = std::fs::read_to_string(&args.file).map_err(|e| {
        format!("cannot read {shown}: {e} (run `accord init` to create a starter agreement)")
    })?;
    match agreement::parse(&source, &shown) {
        Ok(a) => {
            println!("ok: {shown} — {}", a.summary());
            Ok(ExitCode::SUCCESS)
        }
        Err(diagnostics) => {
            let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            eprint!("{}", diagnostics.render(color));
            let n = diagnostics.len();
            eprintln!(
                "error: {shown} has {n} error{}",
                if n == 1 { "" } else { "s" }
            );
            Ok(ExitCode::FAILURE)
        }
    }
}
