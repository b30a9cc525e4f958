//! `accord demo`: a realistic company's year, generated, imported and shown.
//! Needs nothing installed: the generator is accord's own (accord-gen).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use accord_import::{import_dir, Options, Silent};
use accord_report::{Period, Projections};
use accord_store::{EventStore, SqliteStore};

use super::import::group;
use super::CmdResult;

/// Generate a B2B company's year (accounts, reps, campaigns, content, leads,
/// touches, stage changes, opportunities, targets), import it into a fresh
/// database and print the headline numbers.
///
/// The data is seeded: the same --leads and --seed give the same company.
/// Afterwards, explore it with `accord report <name> --db <FILE>`.
#[derive(clap::Args)]
pub struct Args {
    /// Leads in the generated year (≈19 touches each).
    #[arg(long, default_value_t = 10_000, value_name = "N")]
    leads: u64,
    /// Seed of the generator.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// The demo's database; it is replaced on every run.
    #[arg(long, default_value = "accord-demo.db", value_name = "FILE")]
    db: PathBuf,
    /// Keep the generated CSV files in DIR (they are deleted otherwise).
    #[arg(long, value_name = "DIR")]
    keep_csv: Option<PathBuf>,
}

pub fn run(args: Args) -> CmdResult {
    let started = Instant::now();
    let csv_dir = match &args.keep_csv {
        Some(dir) => dir.clone(),
        None => std::env::temp_dir().join(format!("accord-demo-{}", std::process::id())),
    };
    eprintln!(
        "generating a year of {} leads (seed {}) …",
        group(args.leads),
        args.seed
    );
    let summary = accord_gen::generate(
        &accord_gen::Config {
            leads: args.leads,
            seed: args.seed,
        },
        &csv_dir,
    )?;
    let generated = started.elapsed();

    for suffix in ["", "-wal", "-shm"] {
        let mut path = args.db.clone().into_os_string();
        path.push(suffix);
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(format!("cannot replace {}: {e}", args.db.display()).into())
            }
            _ => {}
        }
    }
    let mut store = SqliteStore::open(&args.db)?;
    let report = import_dir(&mut store, &csv_dir, &Options::default(), &mut Silent)?;
    if args.keep_csv.is_none() {
        // Best effort: a leftover temporary folder is not worth failing for.
        let _ = std::fs::remove_dir_all(&csv_dir);
    }
    if !report.committed {
        let first = report
            .rejected
            .first()
            .map(|r| format!("{}:{}: {}: {}", r.file, r.line, r.problem, r.message))
            .unwrap_or_default();
        return Err(format!("the generated data did not import (a bug): {first}").into());
    }
    let imported = started.elapsed() - generated;

    let mut projections = Projections::default();
    store.scan(&mut |event| projections.apply(&event))?;
    let terms = super::report::Agreement::read(None)?.terms()?;
    let period = Period::from_dates(None, None)?;

    // Built whole, then written once: `accord demo | head` must not panic.
    let mut text = String::new();
    macro_rules! outln {
        ($($arg:tt)*) => {{
            use std::fmt::Write as _;
            writeln!(text, $($arg)*).expect("writing to a String");
        }};
    }
    outln!(
        "A B2B company's year: {} accounts, {} reps, {} campaigns, {} content assets,",
        group(summary.accounts),
        group(summary.reps),
        group(summary.campaigns),
        group(summary.content)
    );
    outln!(
        "{} leads, {} touches, {} stage changes, {} opportunities.",
        group(summary.leads),
        group(summary.touches),
        group(summary.transitions),
        group(summary.opportunities)
    );
    outln!(
        "Generated in {:.1} s, imported {} events into {} in {:.1} s.\n",
        generated.as_secs_f64(),
        group(report.appended()),
        args.db.display(),
        imported.as_secs_f64()
    );
    for name in ["kpi", "sla_marketing", "leaderboard"] {
        let table = accord_report::report(name, &projections, &terms, &period)?;
        let (table, caption) = if name == "kpi" {
            (table, "kpi — the year, then month by month".to_owned())
        } else {
            (table.head(8), format!("{name} — first 8 rows"))
        };
        outln!("{}", table.to_text(&caption));
    }
    outln!("Next:");
    outln!("  accord report funnel --db {}", args.db.display());
    outln!(
        "  accord report attribution_campaign --db {}",
        args.db.display()
    );
    outln!(
        "  accord report all --db {} --out reports/",
        args.db.display()
    );
    outln!("  accord init && accord check     # the agreement both teams sign");
    super::write_stdout(&text)?;
    Ok(ExitCode::SUCCESS)
}
