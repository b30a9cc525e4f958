//! `accord report NAME`: the closed-loop reports.
//!
//! What is read and computed is `accord_engine::reports::answer`'s: stored
//! all-time reports when current, else the log folded and the reports stored
//! again; a period (`--from`/`--to`) or `--explain` from the log; with
//! `--compare previous`, the previous period's figures joined in by
//! `accord_report::compare`. This module reads the agreement file, draws
//! the progress and prints or writes.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use accord_engine::reports::{self, Answer, Comparison, Explanation, Request, Source};
use accord_engine::{AgreementText, Progress};
use accord_report::{funnel, Period, Table, REPORTS};

use super::{open_for_reading, CmdResult, DbArgs};

/// Print a closed-loop report, or write them all.
///
/// Reports: funnel, velocity, sla_followup, sla_marketing,
/// attribution_campaign, attribution_channel, content, content_gaps,
/// leaderboard, rejections, kpi — or `all`. Definitions: docs/reports.md.
///
/// All-time reports are kept in the database: the first read after new
/// events computes all eleven from the log and stores them, later reads print
/// them in milliseconds (`accord run` keeps them current as imports land).
/// A period is read from day-keyed cells, resumed from the snapshot of the
/// reports' state stored in the database plus the events after it (the
/// first read after an import folds the whole log and stores the snapshot);
/// --explain folds the log each time.
///
/// --compare previous puts each figure of a period beside its value over
/// the previous period (as many days, ending the day before --from) and the
/// change: columns <col>_previous and <col>_change (a rate's change is in
/// points: 0.25 against 0.20 is 0.05). Month rows pair from the end of each
/// period (a quarter's December with September, shown in <month>_previous),
/// `(all)` rows with `(all)`; a row only one period has shows 0 counts and
/// null rates on the other side. See docs/reports.md, "Comparing periods".
///
/// Examples:
///   accord report funnel
///   accord report kpi --format csv --from 2025-04-01 --to 2025-06-30
///   accord report kpi --from 2025-10-01 --to 2025-12-31 --compare previous
///   accord report all --out reports/
///   accord report attribution_campaign --explain O000042
///   accord report funnel --explain 2025-04,paid_search,mql
///   accord report funnel --region EMEA --persona finance
///   accord report attribution_channel --won-by webinar --limit 5
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
    /// Write DIR/<report>.csv (or .json) instead of printing; earlier reports
    /// there are replaced. A folder holding the CSV contract's files is refused.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Show what a number is made of: an OPPORTUNITY_ID for the attribution
    /// reports, COHORT_MONTH,CHANNEL,STAGE for the funnel.
    #[arg(long, value_name = "KEY")]
    explain: Option<String>,
    /// The funnel of one source channel's leads only.
    #[arg(long, value_name = "CHANNEL")]
    channel: Option<String>,
    /// The funnel of one region's leads only (NA, EMEA, APAC, LATAM).
    #[arg(long, value_name = "REGION")]
    region: Option<String>,
    /// The funnel of one persona's leads only: a contract persona,
    /// `(declared)` (any the agreement declares) or `(none)`.
    #[arg(long, value_name = "PERSONA")]
    persona: Option<String>,
    /// attribution_campaign / attribution_channel: list the won opportunities
    /// (closed in the period) that credit KEY, a campaign id or a channel
    /// (`(none)`, `(no campaign)`), the largest first, at most --limit.
    #[arg(long, value_name = "KEY")]
    won_by: Option<String>,
    /// Leads listed by `funnel --explain` (opportunities by --won-by).
    #[arg(long, default_value_t = 20, value_name = "N")]
    limit: usize,
    /// Add each figure's value over the previous period of as many days
    /// (ending the day before --from) and its change. Needs --from and --to.
    #[arg(long, value_enum, value_name = "WHAT")]
    compare: Option<CompareWith>,
    /// The agreement whose terms (SLA hours, attribution window and models) the reports
    /// use [default: accord.toml if present, else the default agreement].
    #[arg(long, value_name = "FILE")]
    agreement: Option<PathBuf>,
    #[command(flatten)]
    db: DbArgs,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum CompareWith {
    /// The period of the same length just before.
    Previous,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Table,
    Csv,
    Json,
}

pub fn run(args: Args) -> CmdResult {
    let names = reports::select(&args.name)?;
    let period = Period::from_dates(args.from.as_deref(), args.to.as_deref())?;
    let filter = funnel::Filter::parse(
        args.channel.as_deref(),
        args.region.as_deref(),
        args.persona.as_deref(),
    )?;
    let agreement = read_agreement(args.agreement.as_deref())?;
    let started = Instant::now();
    let mut store = open_for_reading(&args.db)?;
    let request = Request {
        names: &names,
        period,
        explain: args.explain.as_deref(),
        won_by: args.won_by.as_deref(),
        limit: args.limit,
        compare: args
            .compare
            .map(|CompareWith::Previous| Comparison::Previous),
        filter,
    };
    let mut progress = Bars::new();
    let answer = reports::answer(&mut store, &request, &agreement, &mut progress)?;
    let read = progress.read_at.unwrap_or(started).duration_since(started);
    let period = &request.period;
    match answer {
        Answer::AllTime(all) => {
            let source = match all.source {
                Source::Stored => format!("stored views read in {:.1} ms", ms(started)),
                Source::Computed {
                    events,
                    snapshot,
                    stored,
                } => {
                    // Stored reports only save the next read some work: a
                    // database that cannot take them (read-only, busy) still
                    // gets its reports.
                    let kept = match stored {
                        Ok(()) => "stored for the next read",
                        Err(e) => {
                            eprintln!("note: reports not stored for the next read: {e}");
                            "not stored"
                        }
                    };
                    let after = snapshot.map_or(String::new(), |at| {
                        format!(" after the snapshot at log position {at}")
                    });
                    format!(
                        "{events} events read{after} in {:.2} s, reports in {:.2} s, {kept}",
                        read.as_secs_f64(),
                        (started.elapsed() - read).as_secs_f64()
                    )
                }
            };
            let as_of = &all.as_of;
            let caption =
                |table: &Table| format!("{} — all time — {as_of}{}", table.name, terms_note(table));
            if let Some(dir) = &args.out {
                write_dir(
                    dir,
                    args.format.unwrap_or(Format::Csv),
                    &all.tables,
                    &caption,
                )?;
                eprintln!(
                    "wrote {} report{} to {} ({source})",
                    all.tables.len(),
                    if all.tables.len() == 1 { "" } else { "s" },
                    dir.display()
                );
                return Ok(ExitCode::SUCCESS);
            }
            print_all(&all.tables, args.format.unwrap_or(Format::Table), &caption)?;
            if std::env::var_os("ACCORD_TIMING").is_some() {
                eprintln!("{source}");
            }
        }
        Answer::Explained(explained) => {
            let key = request.explain.or(request.won_by).unwrap_or_default();
            let table = &explained.table;
            let note = match explained.what {
                Explanation::Funnel { total } => format!(
                    " — {key}: {total} lead{}, {} shown",
                    if total == 1 { "" } else { "s" },
                    table.rows.len()
                ),
                Explanation::Attribution { outcome } => {
                    format!(" — opportunity {key} {outcome}")
                }
                Explanation::WonBy { total } => format!(
                    " — won opportunities crediting {key}: {total}, {} shown",
                    table.rows.len()
                ),
            };
            let caption = period_caption(table, period, &explained.as_of, &note);
            print(table, args.format.unwrap_or(Format::Table), &caption)?;
        }
        Answer::Period(reports) => {
            let against = reports
                .compared_with
                .map(|before| format!(" — against {}", before.describe()))
                .unwrap_or_default();
            let caption = |table: &Table| period_caption(table, period, &reports.as_of, &against);
            if let Some(dir) = &args.out {
                write_dir(
                    dir,
                    args.format.unwrap_or(Format::Csv),
                    &reports.tables,
                    &caption,
                )?;
                eprintln!(
                    "wrote {} report{} to {} ({} events read from the log in {:.2} s, reports in {:.2} s)",
                    names.len(),
                    if names.len() == 1 { "" } else { "s" },
                    dir.display(),
                    reports.events,
                    read.as_secs_f64(),
                    (started.elapsed() - read).as_secs_f64()
                );
                return Ok(ExitCode::SUCCESS);
            }
            print_all(
                &reports.tables,
                args.format.unwrap_or(Format::Table),
                &caption,
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// "funnel — 2025-04-01 to 2025-06-30 — as of … — terms" and a note.
fn period_caption(table: &Table, period: &Period, as_of: &str, note: &str) -> String {
    format!(
        "{} — {} — {as_of}{}{note}",
        table.name,
        period.describe(),
        terms_note(table)
    )
}

/// " — follow-up within 1 h, decision within 48 h" for a table counted
/// under terms, nothing for one without.
fn terms_note(table: &Table) -> String {
    match accord_report::describe_terms(table) {
        d if d.is_empty() => d,
        d => format!(" — {d}"),
    }
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

/// Progress on stderr: a bar while the log is read (a million leads take a
/// few seconds), a spinner while every report is computed. Records when the
/// log was read, for the timings printed.
pub(crate) struct Bars {
    bar: Option<indicatif::ProgressBar>,
    spinner: Option<indicatif::ProgressBar>,
    pub(crate) read_at: Option<Instant>,
}

impl Bars {
    pub(crate) fn new() -> Bars {
        Bars {
            bar: None,
            spinner: None,
            read_at: None,
        }
    }
}

impl Progress for Bars {
    fn started(&mut self, total: u64) {
        let bar = indicatif::ProgressBar::with_draw_target(
            Some(total),
            indicatif::ProgressDrawTarget::stderr(),
        );
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "reading the log [{bar:30}] {percent:>3}% {human_pos}/{human_len} events ETA {eta}",
            )
            .expect("a valid template")
            .progress_chars("=> "),
        );
        self.bar = Some(bar);
    }

    fn advanced(&mut self, folded: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(folded);
        }
    }

    fn finished(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
        self.read_at = Some(Instant::now());
    }

    fn computing(&mut self) {
        let spinner =
            indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
        spinner.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                .expect("a valid template"),
        );
        spinner.set_message("computing every report");
        spinner.enable_steady_tick(std::time::Duration::from_millis(120));
        self.spinner = Some(spinner);
    }

    fn computed(&mut self) {
        if let Some(spinner) = self.spinner.take() {
            spinner.finish_and_clear();
        }
    }

    fn snapshot_damaged(&mut self, error: &accord_report::snapshot::SnapshotError) {
        eprintln!("note: the stored snapshot of the reports cannot be read ({error}); reading the whole log instead");
    }

    fn snapshot_not_saved(&mut self, error: &accord_store::StoreError) {
        eprintln!("note: the reports' state was not stored as a snapshot ({error}); the next read folds the log again");
    }
}

/// Writes each table to `DIR/<name>.<ext>`, replacing earlier reports of
/// the same name, each file whole or not at all (written beside, then renamed).
/// A folder of the CSV contract is refused: the `content` report would
/// replace its `content.csv`.
fn write_dir(
    dir: &Path,
    format: Format,
    tables: &[Table],
    caption: &dyn Fn(&Table) -> String,
) -> Result<(), Box<dyn std::error::Error>> {
    if let Some(data) = accord_import::contract::FileKind::ORDER
        .iter()
        .map(|k| k.file_name())
        // `content.csv` is also a report's file: the others tell a data folder.
        .filter(|name| !REPORTS.contains(&name.trim_end_matches(".csv")))
        .find(|name| dir.join(name).exists())
    {
        return Err(format!(
            "{} holds {data}: it looks like a folder of imported data, and reports \
             written there could replace its files (content.csv); choose another --out folder",
            dir.display()
        )
        .into());
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    for table in tables {
        let (ext, body) = match format {
            Format::Json => ("json", table.to_json()),
            Format::Csv => ("csv", table.to_csv()),
            Format::Table => ("txt", table.to_text(&caption(table))),
        };
        let path = dir.join(format!("{}.{ext}", table.name));
        let partial = dir.join(format!(".{}.{ext}.partial", table.name));
        std::fs::write(&partial, body)
            .and_then(|()| std::fs::rename(&partial, &path))
            .map_err(|e| {
                let _ = std::fs::remove_file(&partial);
                format!("cannot write {}: {e}", path.display())
            })?;
    }
    Ok(())
}

fn print_all(
    tables: &[Table],
    format: Format,
    caption: &dyn Fn(&Table) -> String,
) -> Result<(), Box<dyn std::error::Error>> {
    for (i, table) in tables.iter().enumerate() {
        if i > 0 && format == Format::Table {
            println!();
        }
        print(table, format, &caption(table))?;
    }
    Ok(())
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

/// The agreement the reports take their terms from: `file`, else
/// `accord.toml` when it exists, else the default agreement. Read, not yet
/// parsed: a current stored report needs only its text.
pub(crate) fn read_agreement(
    file: Option<&Path>,
) -> Result<AgreementText, Box<dyn std::error::Error>> {
    let default = Path::new("accord.toml");
    let chosen = file.or_else(|| default.exists().then_some(default));
    Ok(match chosen {
        // Capped and checked as `accord check` reads it.
        Some(path) => AgreementText::new(
            super::check::read_agreement(path)?,
            path.display().to_string(),
        ),
        None => AgreementText::default_agreement(),
    })
}
