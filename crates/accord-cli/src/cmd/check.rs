//! `accord check` (placeholder until implemented).

use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {}

pub fn run(_args: Args) -> super::CmdResult {
    Ok(ExitCode::SUCCESS)
}
