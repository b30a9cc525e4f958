//! `accord match --evaluate DIR`: how well lead-to-account matching finds
//! the accounts a CSV-contract folder already names.

mod evaluation;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use accord_core::event::Event;
use accord_import::contract::{Known, RowError};
use accord_import::{read_rows, FileKind, ImportError};
use accord_match::{
    AccountIndex, EMAIL_EXACT_CONFIDENCE, EMAIL_SUBDOMAIN_CONFIDENCE, FUZZY_MIN_PER_MILLE,
    NAME_CONFIDENCE, WEBSITE_CONFIDENCE,
};
use evaluation::{Evaluation, Format};

use super::import::{group, Bar};
use super::{write_stdout, CmdResult};

/// Match every lead of a CSV-contract folder to an account, ignoring the
/// folder's own answer (leads.csv's account_id), and measure the matches
/// against that answer.
///
/// Matching tries, in order, and the first signal that names exactly one
/// account decides:
///   1. the e-mail domain, folded to its registrable domain with the
///      public-suffix list (ana@mail.northwind.co.uk → northwind.co.uk),
///      equal to an account's domain folded the same way; free-mail
///      addresses (gmail.com, outlook.com, …) never match;
///   2. the website's host (scheme, www., path ignored), folded the same way;
///   3. the company name, normalised (case, accents, punctuation, "&"/"and",
///      legal forms such as Inc, Ltd, GmbH, S.A.): equal to one account's
///      normalised name, or else one edit away (a typo) and clearly the
///      closest by Jaro-Winkler similarity.
///
/// A name that fits several accounts equally is decided by the lead's
/// country, then its reported industry, then its region; else nothing matches.
///
/// Measured:
///   precision  correct matches / matches made
///   recall     correct matches / leads that have an account_id
/// with the counts per reason, and examples of wrong and missed matches.
/// Rows the contract refuses (a bad e-mail, an unknown account) are left out
/// and counted on stderr.
///
/// Examples:
///   accord match --evaluate data/
///   accord match --evaluate data/ --format json --examples 20
#[derive(clap::Args)]
#[command(verbatim_doc_comment, after_help = after_help())]
pub struct Args {
    /// A folder in the CSV contract: accounts.csv and leads.csv are read
    /// (reps.csv and campaigns.csv too when present, for the references of
    /// accounts and leads). Nothing is stored.
    #[arg(long, value_name = "DIR", required = true)]
    evaluate: PathBuf,
    /// table: a summary for people; csv: one `measure,value` line each (no
    /// examples); json: everything, examples included.
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// Wrong and missed matches shown as examples of each (the first in
    /// leads.csv order).
    #[arg(long, default_value_t = 5, value_name = "N")]
    examples: usize,
    /// Also print on stderr how long building the index and matching took
    /// (microseconds per lead: mean, p99, max).
    #[arg(long)]
    timing: bool,
}

fn after_help() -> String {
    format!(
        "Confidence (per mille): e-mail domain {EMAIL_EXACT_CONFIDENCE} (from a sub-domain \
         {EMAIL_SUBDOMAIN_CONFIDENCE}), website {WEBSITE_CONFIDENCE}, company name \
         {NAME_CONFIDENCE} × similarity (a typo matches from a Jaro-Winkler similarity of \
         {FUZZY_MIN_PER_MILLE}‰)."
    )
}

/// Why a folder could not be evaluated.
#[derive(Debug, thiserror::Error)]
pub enum EvaluateError {
    #[error("{path}: no such folder")]
    NoFolder { path: PathBuf },
    #[error("{path}: not found (accord match --evaluate reads accounts.csv and leads.csv)")]
    NoFile { path: PathBuf },
    #[error(transparent)]
    Import(#[from] ImportError),
}

pub fn run(args: Args) -> CmdResult {
    let dir = &args.evaluate;
    if !dir.is_dir() {
        return Err(EvaluateError::NoFolder { path: dir.clone() }.into());
    }
    for needed in [FileKind::Accounts, FileKind::Leads] {
        let path = dir.join(needed.file_name());
        if !path.is_file() {
            return Err(EvaluateError::NoFile { path }.into());
        }
    }
    let mut known = Known::default();
    let mut refused = Refused::default();
    let mut progress = Bar::new();
    for optional in [FileKind::Reps, FileKind::Campaigns] {
        let path = dir.join(optional.file_name());
        if path.is_file() {
            read(
                &path,
                optional,
                &mut known,
                &mut progress,
                &mut refused,
                |_| {},
            )?;
        }
    }

    let started = Instant::now();
    let mut index = AccountIndex::default();
    let mut evaluation = Evaluation::new(args.examples);
    read(
        &dir.join(FileKind::Accounts.file_name()),
        FileKind::Accounts,
        &mut known,
        &mut progress,
        &mut refused,
        |event| {
            if let Event::AccountRecorded(account) = event {
                index.add(account);
                evaluation.account(account);
            }
        },
    )?;
    let index_time = started.elapsed();

    let mut nanos: Vec<u32> = Vec::new();
    read(
        &dir.join(FileKind::Leads.file_name()),
        FileKind::Leads,
        &mut known,
        &mut progress,
        &mut refused,
        |event| {
            if let Event::LeadCreated(lead) = event {
                let started = args.timing.then(Instant::now);
                let found = index.match_lead(lead);
                if let Some(started) = started {
                    nanos.push(u32::try_from(started.elapsed().as_nanos()).unwrap_or(u32::MAX));
                }
                evaluation.lead(lead, found);
            }
        },
    )?;
    progress.done();

    let mut err = std::io::stderr().lock();
    refused.tell(&mut err)?;
    if args.timing {
        timing(&mut err, index.len(), index_time, &mut nanos)?;
    }
    drop(err);
    write_stdout(&evaluation.render(args.format, dir))?;
    Ok(ExitCode::SUCCESS)
}

/// Reads one contract file, handing each parsed event to `each` and
/// counting the rows the contract refuses.
fn read(
    path: &Path,
    kind: FileKind,
    known: &mut Known,
    progress: &mut Bar,
    refused: &mut Refused,
    mut each: impl FnMut(&Event),
) -> Result<(), EvaluateError> {
    read_rows(path, kind, known, progress, &mut |line, row| match row {
        Ok(events) => events.iter().for_each(&mut each),
        Err(e) => refused.add(kind, line, e),
    })?;
    Ok(())
}

/// Rows the contract refused, per file, with the first of each.
#[derive(Default)]
struct Refused {
    files: Vec<(FileKind, u64, String)>,
}

impl Refused {
    fn add(&mut self, kind: FileKind, line: u64, e: RowError) {
        match self.files.iter_mut().find(|(k, _, _)| *k == kind) {
            Some((_, n, _)) => *n += 1,
            None => self.files.push((
                kind,
                1,
                format!("{}:{line}: {}: {}", kind.file_name(), e.problem, e.message),
            )),
        }
    }

    fn tell(&self, err: &mut impl Write) -> std::io::Result<()> {
        for (kind, n, first) in &self.files {
            writeln!(
                err,
                "note: {} {} of {} refused by the contract and left out (first: {first})",
                group(*n),
                if *n == 1 { "row" } else { "rows" },
                kind.file_name(),
            )?;
        }
        Ok(())
    }
}

/// The `--timing` line: index build, then matching time per lead.
fn timing(
    err: &mut impl Write,
    accounts: usize,
    index_time: std::time::Duration,
    nanos: &mut [u32],
) -> std::io::Result<()> {
    if nanos.is_empty() {
        return writeln!(err, "timing: no lead was matched");
    }
    nanos.sort_unstable();
    let total: u64 = nanos.iter().map(|&n| u64::from(n)).sum();
    let micros = |n: f64| n / 1000.0;
    let p99 = nanos[(nanos.len() * 99).div_ceil(100) - 1];
    writeln!(
        err,
        "timing: {} accounts read and indexed in {:.0} ms; {} leads matched in {:.0} ms: \
         {:.2} µs/lead mean, p99 {:.2} µs, max {:.2} µs",
        group(accounts as u64),
        index_time.as_secs_f64() * 1000.0,
        group(nanos.len() as u64),
        total as f64 / 1e6,
        micros(total as f64 / nanos.len() as f64),
        micros(f64::from(p99)),
        micros(f64::from(nanos[nanos.len() - 1])),
    )
}
