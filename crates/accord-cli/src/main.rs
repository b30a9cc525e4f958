//! The `accord` command: a thin shell over the core, the store and the importer.
//! Each subcommand lives in `cmd/<name>.rs`; this file only parses arguments and
//! maps errors to an exit code.

mod cmd;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// mimalloc, not the system's allocator: the engine makes and frees millions
/// of small rows, on two threads (the log decoded on one, applied on the
/// other); glibc's arenas spent a third of a replay's CPU there
/// (BENCHMARKS.md, "mimalloc").
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// accord: one agreement and one event log that marketing and sales run together.
#[derive(Parser)]
#[command(name = "accord", version, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Demo(cmd::demo::Args),
    Init(cmd::init::Args),
    Check(cmd::check::Args),
    Import(cmd::import::Args),
    Match(cmd::match_cmd::Args),
    Report(cmd::report::Args),
    #[command(visible_alias = "watch")]
    Run(cmd::run::Args),
    Tick(cmd::tick::Args),
    Ingest(cmd::ingest::Args),
    Lead(cmd::lead::LeadArgs),
    Leads(cmd::lead::LeadsArgs),
    Replay(cmd::replay::Args),
    Export(cmd::export::Args),
    Agreement(cmd::agreement::Args),
    Sla(cmd::sla::Args),
    Hook(cmd::hook::Args),
    Serve(cmd::serve::Args),
    Token(cmd::token::Args),
    Model(cmd::model::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Demo(args) => cmd::demo::run(args),
        Command::Init(args) => cmd::init::run(args),
        Command::Check(args) => cmd::check::run(args),
        Command::Import(args) => cmd::import::run(args),
        Command::Match(args) => cmd::match_cmd::run(args),
        Command::Report(args) => cmd::report::run(args),
        Command::Run(args) => cmd::run::run(args),
        Command::Tick(args) => cmd::tick::run(args),
        Command::Ingest(args) => cmd::ingest::run(args),
        Command::Lead(args) => cmd::lead::run_lead(args),
        Command::Leads(args) => cmd::lead::run_leads(args),
        Command::Replay(args) => cmd::replay::run(args),
        Command::Export(args) => cmd::export::run(args),
        Command::Agreement(args) => cmd::agreement::run(args),
        Command::Sla(args) => cmd::sla::run(args),
        Command::Hook(args) => cmd::hook::run(args),
        Command::Serve(args) => cmd::serve::run(args),
        Command::Token(args) => cmd::token::run(args),
        Command::Model(args) => cmd::model::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}
