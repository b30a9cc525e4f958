//! `accord report NAME`: the closed-loop reports, folded from the event log.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use accord_core::agreement;
use accord_report::{attribution, funnel, Period, Projections, ReportTerms, Table, REPORTS};
use accord_store::EventStore;

use super::{open_store, CmdResult, DbArgs};

/// Print a closed-loop report, or write them all.
///
/// Reports: funnel, velocity, sla_followup, sla_marketing,
/// attribution_campaign, attribution_channel, content, content_gaps,
/// leaderboard, rejections, kpi — or `all`. Definitions: docs/reports.md.
///
/// Examples:
///   accord report funnel
///   accord report kpi --format csv --from 2025-04-01 --to 2025-06-30
///   accord report all --out reports/
///   accord report attribution_campaign --explain O000042
///   accord report funnel --explain 2025-04,paid_search,mql
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The report's name, or `all`.
    name: String,
    /// Output format (default: table on the terminal, csv with --out).
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// First day of the period (YYYY-MM-DD, UTC, included).
    #[arg(long, value_name = "DATE")]
    from: Option<String>,
    /// Last day of the period (YYYY-MM-DD, UTC, included).
    #[arg(long, value_name = "DATE")]
    to: Option<String>,
    /// Write DIR/<report>.csv (or .json) instead of printing.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Show what a number is made of: an OPPORTUNITY_ID for the attribution
    /// reports, COHORT_MONTH,CHANNEL,STAGE for the funnel.
    #[arg(long, value_name = "KEY")]
    explain: Option<String>,
    /// Leads listed by `funnel --explain`.
    #[arg(long, default_value_t = 20, value_name = "N")]
    limit: usize,
    /// The agreement whose terms (SLA hours, attribution window) the reports
    /// use [default: accord.toml if present, else the default agreement].
    #[arg(long, value_name = "FILE")]
    agreement: Option<PathBuf>,
    #[command(flatten)]
    db: DbArgs,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Table,
    Csv,
    Json,
}

pub fn run(args: Args) -> CmdResult {
    let names: Vec<&str> = if args.name == "all" {
        REPORTS.to_vec()
    } else if let Some(&n) = REPORTS.iter().find(|&&n| n == args.name) {
        vec![n]
    } else {
        return Err(accord_report::UnknownReport(args.name.clone()).into());
    };
    let period = Period::from_dates(args.from.as_deref(), args.to.as_deref())?;
    let terms = terms(args.agreement.as_deref())?;
    if !args.db.db.exists() {
        return Err(format!(
            "no database at {} (import data first: accord import DIR --db {0})",
            args.db.db.display()
        )
        .into());
    }

    let started = Instant::now();
    let store = open_store(&args.db)?;
    let mut projections = Projections::default();
    store.scan(&mut |event| projections.apply(&event))?;
    let loaded = started.elapsed();

    let as_of = projections
        .as_of
        .map_or_else(|| "no events".to_owned(), |t| format!("as of {t}"));
    let caption = |table: &Table, note: &str| {
        format!("{} — {} — {as_of}{note}", table.name, period.describe())
    };

    if let Some(key) = &args.explain {
        let (table, note) = match names[..] {
            ["funnel"] => {
                let (t, total) = funnel::explain(&projections, &period, key, args.limit)
                    .map_err(|e| format!("--explain: {e}"))?;
                let note = format!(
                    " — {key}: {total} lead{}, {} shown",
                    if total == 1 { "" } else { "s" },
                    t.rows.len()
                );
                (t, note)
            }
            ["attribution_campaign" | "attribution_channel"] => {
                let t = attribution::explain(&projections, &terms, key)
                    .map_err(|e| format!("--explain: {e}"))?;
                (t, format!(" — opportunity {key}"))
            }
            _ => {
                return Err(
                    "--explain works with funnel, attribution_campaign and attribution_channel"
                        .into(),
                )
            }
        };
        print(
            &table,
            args.format.unwrap_or(Format::Table),
            &caption(&table, &note),
        )?;
        return Ok(ExitCode::SUCCESS);
    }

    if let Some(dir) = &args.out {
        let format = args.format.unwrap_or(Format::Csv);
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        for name in &names {
            let table = accord_report::report(name, &projections, &terms, &period)?;
            let (ext, body) = match format {
                Format::Json => ("json", table.to_json()),
                Format::Csv => ("csv", table.to_csv()),
                Format::Table => ("txt", table.to_text(&caption(&table, ""))),
            };
            let path = dir.join(format!("{name}.{ext}"));
            std::fs::write(&path, body)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
        eprintln!(
            "wrote {} report{} to {} ({} events read in {:.2} s, reports in {:.2} s)",
            names.len(),
            if names.len() == 1 { "" } else { "s" },
            dir.display(),
            projections.events,
            loaded.as_secs_f64(),
            (started.elapsed() - loaded).as_secs_f64()
        );
        return Ok(ExitCode::SUCCESS);
    }

    let format = args.format.unwrap_or(Format::Table);
    for (i, name) in names.iter().enumerate() {
        let table = accord_report::report(name, &projections, &terms, &period)?;
        if i > 0 && format == Format::Table {
            println!();
        }
        print(&table, format, &caption(&table, ""))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn print(table: &Table, format: Format, caption: &str) -> Result<(), Box<dyn std::error::Error>> {
    use std::io::Write;
    let body = match format {
        Format::Table => table.to_text(caption),
        Format::Csv => table.to_csv(),
        Format::Json => table.to_json(),
    };
    let mut out = std::io::stdout().lock();
    match out.write_all(body.as_bytes()).and_then(|()| out.flush()) {
        // A closed pipe (`accord report funnel | head`) is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// The report terms of the agreement in `file`, or of `accord.toml` when it
/// exists, or of the default agreement.
pub(crate) fn terms(file: Option<&Path>) -> Result<ReportTerms, Box<dyn std::error::Error>> {
    let default = Path::new("accord.toml");
    let chosen = file.or_else(|| default.exists().then_some(default));
    let (source, shown) = match chosen {
        Some(path) => (
            std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?,
            path.display().to_string(),
        ),
        None => (
            agreement::DEFAULT_AGREEMENT.to_owned(),
            "(default agreement)".to_owned(),
        ),
    };
    let a = agreement::parse(&source, &shown).map_err(|d| {
        format!(
            "{shown} is not a valid agreement (run `accord check {shown}`):\n{}",
            d.render(false)
        )
    })?;
    Ok(ReportTerms {
        follow_up_hours: f64::from(a.sla_sales_follow_up_hours()),
        decide_hours: f64::from(a.sla_sales_decide_hours()),
        lookback_days: a.attribution_lookback_days(),
        half_life_days: a.attribution_half_life_days(),
    })
}
