//! `accord report NAME`: the closed-loop reports.
//!
//! All-time reports are stored beside the log as views (`report/<name>`),
//! each tagged with the log head and the agreement terms it was computed
//! with; a read whose views are current decodes them and folds nothing. When
//! the log has moved (or the terms differ), the read folds the log once,
//! computes all eleven reports with [`Live`] and stores them again. A period
//! (`--from`/`--to`) or `--explain` folds the log and computes what it asks.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use accord_core::agreement;
use accord_core::event::{Event, EventKind};
use accord_report::{attribution, funnel, Live, Period, Projections, ReportTerms, Table, REPORTS};
use accord_store::EventStore;

use super::{open_for_reading, CmdResult, DbArgs};

/// Print a closed-loop report, or write them all.
///
/// Reports: funnel, velocity, sla_followup, sla_marketing,
/// attribution_campaign, attribution_channel, content, content_gaps,
/// leaderboard, rejections, kpi — or `all`. Definitions: docs/reports.md.
///
/// All-time reports are kept in the database: the first read after new
/// events computes all eleven from the log and stores them, later reads print
/// them in milliseconds (`accord watch` keeps them current as imports land).
/// A period or --explain is computed from the log each time.
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
    /// Write DIR/<report>.csv (or .json) instead of printing; earlier reports
    /// there are replaced. A folder holding the CSV contract's files is refused.
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
    let agreement = Agreement::read(args.agreement.as_deref())?;
    let started = Instant::now();
    let mut store = open_for_reading(&args.db)?;
    if period.is_all() && args.explain.is_none() {
        return all_time(&mut store, &args, &names, &agreement, started);
    }
    let terms = agreement.terms()?;
    let head = store.head()?;
    // Touches are nine events in ten. Reports that do not read them skip
    // them undecoded, when the stored reports (current at this head) can
    // tell the as-of time that the skipped touches would have moved.
    let needs_touches =
        args.explain.is_some() || names.iter().any(|n| accord_report::reads_touches(n));
    let known_as_of = if needs_touches {
        None
    } else {
        stored_view(&store, "kpi", head, &view_stamp(&agreement))?.map(|(as_of, _)| as_of)
    };
    let projections = fold_log_skipping(&store, head, known_as_of.is_some())?;
    let loaded = started.elapsed();

    let as_of = known_as_of.unwrap_or_else(|| describe_as_of(&projections));
    let caption = |table: &Table, note: &str| {
        format!(
            "{} — {} — {as_of}{}{note}",
            table.name,
            period.describe(),
            terms_note(table)
        )
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
                let (t, outcome) = attribution::explain(&projections, &terms, key)
                    .map_err(|e| format!("--explain: {e}"))?;
                (t, format!(" — opportunity {key} {outcome}"))
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

    let tables: Vec<Table> = names
        .iter()
        .map(|name| accord_report::report(name, &projections, &terms, &period))
        .collect::<Result<_, _>>()?;
    let caption = |table: &Table| caption(table, "");
    if let Some(dir) = &args.out {
        write_dir(dir, args.format.unwrap_or(Format::Csv), &tables, &caption)?;
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

    print_all(&tables, args.format.unwrap_or(Format::Table), &caption)?;
    Ok(ExitCode::SUCCESS)
}

/// All-time reports: from the stored views when they are current, else
/// computed from the log and stored for the next read.
fn all_time(
    store: &mut accord_store::SqliteStore,
    args: &Args,
    names: &[&str],
    agreement: &Agreement,
    started: Instant,
) -> CmdResult {
    let head = store.head()?;
    let stamp = view_stamp(agreement);
    let mut tables = Vec::with_capacity(names.len());
    let mut as_of = String::new();
    for name in names {
        match stored_view(store, name, head, &stamp)? {
            Some((at, table)) => {
                as_of = at;
                tables.push(table);
            }
            None => break,
        }
    }
    let source = if tables.len() == names.len() {
        format!("stored views read in {:.1} ms", ms(started))
    } else {
        let projections = fold_log(store, head)?;
        let events = projections.events;
        let read = started.elapsed();
        let live = build_live(agreement.terms()?, projections);
        let (all, stored) = store_reports(store, &live, head, &stamp);
        // Stored reports only save the next read some work: a database that
        // cannot take them (read-only, busy) still gets its reports.
        let kept = match stored {
            Ok(()) => "stored for the next read",
            Err(e) => {
                eprintln!("note: reports not stored for the next read: {e}");
                "not stored"
            }
        };
        as_of = describe_as_of(live.projections());
        tables = names
            .iter()
            .map(|n| {
                all.iter()
                    .find(|t| t.name == *n)
                    .cloned()
                    .expect("every report")
            })
            .collect();
        format!(
            "{events} events read in {:.2} s, reports in {:.2} s, {kept}",
            read.as_secs_f64(),
            (started.elapsed() - read).as_secs_f64()
        )
    };
    let caption =
        |table: &Table| format!("{} — all time — {as_of}{}", table.name, terms_note(table));
    if let Some(dir) = &args.out {
        let format = args.format.unwrap_or(Format::Csv);
        write_dir(dir, format, &tables, &caption)?;
        eprintln!(
            "wrote {} report{} to {} ({source})",
            tables.len(),
            if tables.len() == 1 { "" } else { "s" },
            dir.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    print_all(&tables, args.format.unwrap_or(Format::Table), &caption)?;
    if std::env::var_os("ACCORD_TIMING").is_some() {
        eprintln!("{source}");
    }
    Ok(ExitCode::SUCCESS)
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

fn describe_as_of(p: &Projections) -> String {
    p.as_of
        .map_or_else(|| "no events".to_owned(), |t| format!("as of {t}"))
}

/// The log up to `head` folded into projections, with a progress bar on a
/// terminal (a million leads take a few seconds).
pub(crate) fn fold_log(
    store: &accord_store::SqliteStore,
    head: u64,
) -> Result<Projections, Box<dyn std::error::Error>> {
    fold_log_skipping(store, head, false)
}

/// [`fold_log`], leaving out every touch (undecoded) when `skip_touches`.
fn fold_log_skipping(
    store: &accord_store::SqliteStore,
    head: u64,
    skip_touches: bool,
) -> Result<Projections, Box<dyn std::error::Error>> {
    let counts = store.counts()?;
    let total = if skip_touches {
        counts.total() - counts.get(EventKind::Touched)
    } else {
        counts.total()
    };
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
    // Two threads: this one reads, decompresses and decodes the log; the
    // other folds the events in, chunk by chunk, in log order.
    const CHUNK: usize = 4096;
    let (send, receive) = std::sync::mpsc::sync_channel::<Vec<Event>>(8);
    let projections = std::thread::scope(|scope| {
        let folder = scope.spawn(move || {
            let mut projections = Projections::default();
            for chunk in receive {
                for event in &chunk {
                    projections.apply(event);
                }
                bar.set_position(projections.events);
            }
            bar.finish_and_clear();
            projections
        });
        let mut chunk = Vec::with_capacity(CHUNK);
        let mut index: i64 = 0;
        let scanned = store.scan_bytes_between(0, head, &mut |bytes| {
            index += 1;
            if skip_touches && bytes.first() == Some(&EventKind::Touched.code()) {
                return Ok(());
            }
            let event = Event::decode(bytes)
                .map_err(|source| accord_store::StoreError::Damaged { seq: index, source })?;
            chunk.push(event);
            if chunk.len() == CHUNK {
                // The folder only stops early by panicking, which join reports.
                let _ = send.send(std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK)));
            }
            Ok(())
        });
        if !chunk.is_empty() {
            let _ = send.send(chunk);
        }
        drop(send);
        let projections = folder.join().expect("the fold does not panic");
        scanned.map(|()| projections)
    })?;
    Ok(projections)
}

/// [`Live::build`] with a spinner on a terminal.
pub(crate) fn build_live(terms: ReportTerms, projections: Projections) -> Live {
    let spinner =
        indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
    spinner.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .expect("a valid template"),
    );
    spinner.set_message("computing every report");
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    let live = Live::build(terms, projections);
    spinner.finish_and_clear();
    live
}

/// Every all-time report of `live`, and the outcome of storing them as the
/// views of log position `head`.
pub(crate) fn store_reports(
    store: &mut accord_store::SqliteStore,
    live: &Live,
    head: u64,
    stamp: &str,
) -> (Vec<Table>, Result<(), accord_store::StoreError>) {
    let as_of = describe_as_of(live.projections());
    let all: Vec<Table> = REPORTS
        .iter()
        .map(|name| live.table(name).expect("REPORTS are all known"))
        .collect();
    let bodies: Vec<(String, Vec<u8>)> = all
        .iter()
        .map(|t| (format!("report/{}", t.name), view_body(stamp, &as_of, t)))
        .collect();
    let views: Vec<(&str, &[u8])> = bodies
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let stored = store.put_views(head, &views);
    (all, stored)
}

/// What a stored report depends on besides the log: the report definitions
/// (a digest of their code) and the agreement's text (a digest of it, so that
/// a current report is found without parsing the agreement).
pub(crate) fn view_stamp(agreement: &Agreement) -> String {
    format!(
        "accord {} report views 1; definitions {}; agreement {:016x}",
        env!("CARGO_PKG_VERSION"),
        accord_report::DEFINITIONS_DIGEST,
        accord_core::event::digest(&agreement.source)
    )
}

/// A view's bytes: the stamp line, the as-of line, then the encoded table.
fn view_body(stamp: &str, as_of: &str, table: &Table) -> Vec<u8> {
    let mut body = format!("{stamp}\n{as_of}\n").into_bytes();
    body.extend(table.encode());
    body
}

/// The stored report `name` with its as-of line, if it was computed at
/// `head` with the same stamp; a damaged view counts as absent.
fn stored_view(
    store: &accord_store::SqliteStore,
    name: &str,
    head: u64,
    stamp: &str,
) -> Result<Option<(String, Table)>, Box<dyn std::error::Error>> {
    let Some((at, body)) = store.view(&format!("report/{name}"))? else {
        return Ok(None);
    };
    if at != head {
        return Ok(None);
    }
    let mut parts = body.splitn(3, |&b| b == b'\n');
    let (Some(s), Some(as_of), Some(encoded)) = (parts.next(), parts.next(), parts.next()) else {
        return Ok(None);
    };
    if s != stamp.as_bytes() {
        return Ok(None);
    }
    let Ok(table) = Table::decode(encoded) else {
        return Ok(None);
    };
    Ok(Some((String::from_utf8_lossy(as_of).into_owned(), table)))
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
pub(crate) struct Agreement {
    source: Vec<u8>,
    shown: String,
}

impl Agreement {
    pub(crate) fn read(file: Option<&Path>) -> Result<Agreement, Box<dyn std::error::Error>> {
        let default = Path::new("accord.toml");
        let chosen = file.or_else(|| default.exists().then_some(default));
        Ok(match chosen {
            Some(path) => Agreement {
                // Capped and checked as `accord check` reads it.
                source: super::check::read_agreement(path)?,
                shown: path.display().to_string(),
            },
            None => Agreement {
                source: agreement::DEFAULT_AGREEMENT.as_bytes().to_vec(),
                shown: "(default agreement)".to_owned(),
            },
        })
    }

    /// Its report terms; an invalid agreement is an error naming the file.
    pub(crate) fn terms(&self) -> Result<ReportTerms, Box<dyn std::error::Error>> {
        let shown = &self.shown;
        let a = agreement::parse_bytes(&self.source, shown).map_err(|d| {
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
}
