//! `accord replay`: the engine's state rebuilt from the log, and its hash.

use std::process::ExitCode;
use std::time::Instant;

use accord_engine::live;

use super::report::Bars;
use super::{open_for_reading, write_stdout, CmdResult, DbArgs};

/// Rebuild the engine's state from the log and print its hash.
///
/// Every stored event is applied in log order, decisions included; nothing
/// is decided again, so the state is the one the log records whatever
/// accord's version. The same log under the same agreement always gives the
/// same hash: compare two databases, or a database before and after a
/// change, with it.
///
/// Example: accord replay --db accord.db
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(flatten)]
    db: DbArgs,
}

pub fn run(args: Args) -> CmdResult {
    let store = open_for_reading(&args.db)?;
    let started = Instant::now();
    let engine = live::load(&store, &mut Bars::new())?;
    let hash = engine.state_hash();
    let version = engine
        .agreement()
        .map_or_else(|| "none".to_string(), |(v, _)| format!("v{v}"));
    write_stdout(&format!(
        "state {hash}\n{} events, {} leads, agreement {version}, as of {}\n",
        engine.events(),
        engine.lead_count(),
        engine.clock()
    ))?;
    eprintln!("replayed in {:.2} s", started.elapsed().as_secs_f64());
    // The process ends here: its memory goes back whole. Freeing the state's
    // millions of allocations one by one took a third of a replay.
    std::mem::forget(engine);
    Ok(ExitCode::SUCCESS)
}
