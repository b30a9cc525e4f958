//! `accord demo`: a realistic company's year, generated, imported and shown.
//! Needs nothing installed: the generator is accord's own (accord-gen).
//!
//! The demo replaces its database, so it must know it is its own: a demo
//! database carries the view `meta/demo`, stored at the log's head when the
//! demo finished. A file is replaced only when it is missing or is such a
//! database with nothing appended since (or with --force). The new database
//! is built in a temporary file beside the target and renamed over it only
//! when complete: a failed or killed demo leaves the old file as it was.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use accord_import::{import_dir, Options, Silent};
use accord_report::Period;
use accord_store::{EventStore, SqliteStore};

use super::import::group;
use super::CmdResult;

/// The view that marks a database as a demo's (its head: the log's when the
/// demo finished).
const DEMO_MARK: &str = "meta/demo";

/// Generate a B2B company's year (accounts, reps, campaigns, content, leads,
/// touches, stage changes, opportunities, targets), import it into a fresh
/// database and print the headline numbers.
///
/// The data is seeded: the same --leads and --seed give the same company.
///
/// Then it serves the dashboard and the API on the database (as `accord
/// serve`), with a login for each of an admin, a sales manager, a marketing
/// ops user and a rep printed with the address; Ctrl-C stops it. With
/// --no-serve it prints the numbers and exits; explore them with
/// `accord report <name> --db <FILE>`.
#[derive(clap::Args)]
pub struct Args {
    /// Leads in the generated year (≈19 touches each).
    #[arg(long, default_value_t = 10_000, value_name = "N")]
    leads: u64,
    /// Seed of the generator.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// The demo's database. An earlier demo's database there is replaced;
    /// any other file (a database with your data, anything else) is refused
    /// unless --force.
    #[arg(long, default_value = "accord-demo.db", value_name = "FILE")]
    db: PathBuf,
    /// Keep the generated CSV files in DIR, a new or empty folder (they are
    /// deleted otherwise).
    #[arg(long, value_name = "DIR")]
    keep_csv: Option<PathBuf>,
    /// Replace --db whatever it holds, and write into a --keep-csv folder
    /// that is not empty.
    #[arg(long)]
    force: bool,
    /// Print the numbers and exit, without serving the dashboard.
    #[arg(long)]
    no_serve: bool,
    /// The address the dashboard and the API listen on.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
    listen: std::net::SocketAddr,
}

pub fn run(args: Args) -> CmdResult {
    let started = Instant::now();
    check_target(&args.db, args.force)?;
    if let Some(dir) = &args.keep_csv {
        check_csv_dir(dir, args.force)?;
    }
    let csv = Scratch {
        path: match &args.keep_csv {
            Some(dir) => dir.clone(),
            None => std::env::temp_dir().join(format!("accord-demo-{}", std::process::id())),
        },
        remove: args.keep_csv.is_none(),
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
        &csv.path,
    )?;
    let generated = started.elapsed();

    let building = TempDb::beside(&args.db)?;
    let mut store = SqliteStore::create_or_open(&building.path)?;
    let report = import_dir(&mut store, &csv.path, &Options::default(), &mut Silent)?;
    drop(csv);
    if !report.committed {
        let first = report
            .rejected
            .first()
            .map(|r| format!("{}:{}: {}: {}", r.file, r.line, r.problem, r.message))
            .unwrap_or_default();
        return Err(format!("the generated data did not import (a bug): {first}").into());
    }
    // The demo's agreement in force, so a lead can be explained (and the
    // engine judges whatever is ingested into the demo's database next).
    let agreement = super::report::read_agreement(None)?;
    accord_engine::agreement::adopt(
        &mut store,
        &agreement,
        Some("accord demo"),
        accord_import::now(),
    )?;
    train_demo_model(&mut store)?;
    let head = store.head()?;
    let mark = format!("leads={} seed={}", args.leads, args.seed);
    store.put_views(head, &[(DEMO_MARK, mark.as_bytes())])?;
    let imported = started.elapsed() - generated;

    let projections = accord_engine::fold_log(&store, head, &mut accord_engine::Quiet)?;
    let engine = accord_engine::live::load(&store, &mut accord_engine::Quiet)?;
    let example = accord_engine::live::example_lead(&engine);
    let logins = if args.no_serve {
        Vec::new()
    } else {
        make_logins(&mut store, &engine, example.as_deref())?
    };
    store.seal()?;
    drop(store);
    building.install(&args.db)?;

    let terms = super::report::read_agreement(None)?.terms()?;
    let period = Period::from_dates(None, None)?;
    let live = accord_report::Live::build(terms, projections);

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
        let table = live.table(name, &period)?;
        let (table, caption) = if name == "kpi" {
            (table, "kpi — the year, then month by month".to_owned())
        } else {
            (table.head(8), format!("{name} — first 8 rows"))
        };
        outln!("{}", table.to_text(&caption));
    }
    if let Some(report) = example.as_ref().and_then(|id| engine.explain(id)) {
        outln!(
            "One lead, as its rep reads it before calling (accord lead show {} --db {}):\n",
            report.id,
            args.db.display()
        );
        outln!("{}", super::lead::render(&report));
    }
    outln!("Next:");
    outln!(
        "  accord leads --stage mql --min-score 70 --db {}",
        args.db.display()
    );
    outln!("  accord sla --db {}", args.db.display());
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
    if args.no_serve {
        return Ok(ExitCode::SUCCESS);
    }
    let agreement = super::report::read_agreement(None)?;
    let limits = accord_serve::Limits::default();
    let db = args.db.clone();
    super::serve::serve(&args.db, agreement, args.listen, limits, |server| {
        let mut o = format!(
            "\nThe dashboard: http://{}/  (the API: http://{}/docs)\nLog in with one of these tokens (kept in {}; `accord token revoke` ends one):\n",
            server.addr,
            server.addr,
            db.display()
        );
        for l in &logins {
            o.push_str(&format!("  {:<28} {}\n", l.who, l.token));
        }
        o.push_str("Ctrl-C stops the server.\n");
        let _ = super::write_stdout(&o);
    })?;
    // What the demo's own server stored (fired clocks, a user's clicks)
    // keeps the database the demo's: the mark follows the log's head.
    let mut store = SqliteStore::open_existing(&args.db)?;
    let head = store.head()?;
    store.put_views(head, &[(DEMO_MARK, mark.as_bytes())])?;
    eprintln!("stopped: the demo's database is {}", args.db.display());
    Ok(ExitCode::SUCCESS)
}

/// One login the demo prints.
struct Login {
    who: String,
    token: String,
}

/// Tokens for an admin, a sales manager, a marketing ops user and a rep:
/// the rep owning the example lead (else any rep with a lead), their
/// manager (else the rep acts as one).
fn make_logins(
    store: &mut SqliteStore,
    engine: &accord_decide::Engine,
    example: Option<&str>,
) -> Result<Vec<Login>, Box<dyn std::error::Error>> {
    let rep = example
        .and_then(|id| engine.lead_facts(id))
        .and_then(|f| f.owner.map(str::to_owned))
        .or_else(|| engine.summaries().find_map(|l| l.owner))
        .ok_or("the generated data has no lead with an owner (a bug)")?;
    let manager = engine.manager_of(&rep).unwrap_or_else(|| rep.clone());
    let now = accord_import::now().unix_seconds();
    let mut logins = Vec::new();
    for (role, rep_id, who) in [
        ("admin", None, "admin".to_owned()),
        (
            "sales_manager",
            Some(manager.as_str()),
            format!("sales manager ({manager})"),
        ),
        ("marketing_ops", None, "marketing ops".to_owned()),
        ("rep", Some(rep.as_str()), format!("rep ({rep})")),
    ] {
        let made =
            accord_serve::auth::create(store, role, rep_id, Some(&format!("demo {who}")), now)?;
        logins.push(Login {
            who,
            token: made.token,
        });
    }
    Ok(logins)
}

/// Refuses a target the demo must not replace: anything but a missing file
/// or an earlier demo's database with nothing appended since, unless forced;
/// a folder or a device even then.
fn check_target(db: &Path, force: bool) -> Result<(), String> {
    let refuse = |why: String| {
        Err(format!(
            "{why}; the demo replaces its database, so it refuses this one: choose another --db, or add --force to replace it"
        ))
    };
    let folder = db.parent().filter(|p| !p.as_os_str().is_empty());
    if let Some(folder) = folder.filter(|f| !f.is_dir()) {
        return Err(format!(
            "{}: the folder {} does not exist",
            db.display(),
            folder.display()
        ));
    }
    match std::fs::metadata(db) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(format!("{}: {e}", db.display())),
        Ok(m) if m.is_dir() => {
            return Err(format!("{} is a folder, not a database file", db.display()))
        }
        Ok(m) if !m.is_file() => return Err(format!("{} is not a regular file", db.display())),
        Ok(_) if force => return Ok(()),
        Ok(_) => {}
    }
    let store = match SqliteStore::open_read_only(db) {
        Ok(store) => store,
        Err(e) => return refuse(e.to_string()),
    };
    let (head, events) = match (store.head(), store.counts()) {
        (Ok(head), Ok(counts)) => (head, counts.total()),
        (Err(e), _) | (_, Err(e)) => return refuse(e.to_string()),
    };
    match store.view(DEMO_MARK) {
        Ok(Some((at, _))) if at == head => Ok(()),
        Ok(Some(_)) => refuse(format!(
            "{} is an earlier demo's database with events imported since ({} events in all)",
            db.display(),
            group(events)
        )),
        Ok(None) => refuse(format!(
            "{} is an accord database that is not a demo's ({} events)",
            db.display(),
            group(events)
        )),
        Err(e) => refuse(e.to_string()),
    }
}

/// Refuses a --keep-csv folder that holds anything, unless forced (the
/// generator writes the contract's nine files there, over any of the same name).
fn check_csv_dir(dir: &Path, force: bool) -> Result<(), String> {
    match std::fs::read_dir(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(format!("--keep-csv {}: {e}", dir.display())),
        Ok(mut entries) => match entries.next() {
            Some(entry) if !force => Err(format!(
                "--keep-csv {}: the folder is not empty (it holds {}); choose a new or empty folder, or add --force to write the CSV files over any of the same name",
                dir.display(),
                entry.map_or_else(|_| "entries".into(), |e| e.file_name().to_string_lossy().into_owned())
            )),
            _ => Ok(()),
        },
    }
}

/// A folder removed when dropped (the generated CSV files, unless kept).
struct Scratch {
    path: PathBuf,
    remove: bool,
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if self.remove {
            // Best effort: a leftover temporary folder is not worth failing for.
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// The new database, built beside the target and renamed over it when
/// complete; removed when dropped before that.
struct TempDb {
    path: PathBuf,
    installed: bool,
}

impl TempDb {
    fn beside(target: &Path) -> Result<TempDb, String> {
        let name = target
            .file_name()
            .ok_or_else(|| format!("{}: not a file name", target.display()))?;
        let mut temp = std::ffi::OsString::from(".");
        temp.push(name);
        temp.push(format!(".demo-{}.tmp", std::process::id()));
        let path = target.with_file_name(temp);
        remove_with_companions(&path);
        Ok(TempDb {
            path,
            installed: false,
        })
    }

    /// Renames the finished database over `target`. The target's own
    /// journal files go first, so that none is ever read as the new file's.
    fn install(mut self, target: &Path) -> Result<(), String> {
        for suffix in ["-wal", "-shm", "-journal"] {
            let mut companion = target.as_os_str().to_owned();
            companion.push(suffix);
            match std::fs::remove_file(&companion) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(format!(
                        "cannot replace {}: {}: {e}",
                        target.display(),
                        Path::new(&companion).display()
                    ))
                }
                _ => {}
            }
        }
        std::fs::rename(&self.path, target)
            .map_err(|e| format!("cannot replace {}: {e}", target.display()))?;
        self.installed = true;
        Ok(())
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        if !self.installed {
            remove_with_companions(&self.path);
        }
    }
}

fn remove_with_companions(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(p);
    }
}

/// Trains a model on the demo's log (reaching opportunity within 90 days,
/// from what was known 7 days after creation) and adopts it, so that the
/// demo's leads carry predictions. `None` when the data is too small to
/// train on (both outcomes needed): the demo goes on without one.
fn train_demo_model(
    store: &mut accord_store::SqliteStore,
) -> Result<Option<u32>, Box<dyn std::error::Error>> {
    use accord_engine::predict::{self, stored, Params};
    let params = Params {
        stage: accord_core::domain::Named::parse("opportunity").expect("a stage"),
        within_days: 90,
        cutoff_days: 7,
    };
    let head = store.head()?;
    let d = predict::collect(store, &params)?;
    let version = stored::next_version(store)?;
    let a = match predict::train(&d, &params, 0.8, version, head) {
        Ok(a) => a,
        Err(predict::PredictError::Data(_)) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let now = accord_import::now();
    stored::store_model(store, &a, now.unix_seconds())?;
    stored::adopt(store, version, Some("accord demo"), now)?;
    Ok(Some(version))
}
