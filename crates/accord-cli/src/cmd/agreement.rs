//! `accord agreement adopt|log|show`: agreement versions, kept as events in
//! the log. The rules are `accord_engine::agreement`'s; this module reads
//! the file, opens the store and prints.

use std::path::PathBuf;
use std::process::ExitCode;

use accord_engine::agreement::{self, Version};
use accord_engine::AgreementText;

use super::check::read_agreement;
use super::{open_for_reading, open_store, write_stdout, CmdResult, DbArgs};

/// Adopt an agreement file as the next version, list versions, print one
///
/// Adopting makes an agreement the one in force: from then on, events that
/// arrive live (`accord ingest`, the HTTP API) are judged by it — scored,
/// staged, matched and routed under its rules — and each decision names the
/// version that made it. History already in the log (imported from CSV,
/// or decided under an earlier version) is never re-judged.
///
/// Each adoption is an event in the log holding the whole text and its
/// SHA-256, so what was in force at any moment can always be read back.
///
/// Examples:
///   accord agreement adopt                    adopt accord.toml
///   accord agreement adopt new.toml --by "Ann Lee (VP Sales)"
///   accord agreement log                      every version, oldest first
///   accord agreement show 1 > v1.toml         the text of version 1
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(subcommand)]
    command: Sub,
}

#[derive(clap::Subcommand)]
enum Sub {
    Adopt(AdoptArgs),
    Log(LogArgs),
    Show(ShowArgs),
}

/// Make an agreement file the one in force (the next version)
///
/// The file must be valid (`accord check` passes); an invalid one is refused
/// with its problems, and nothing is stored. Adopting the text already in
/// force stores nothing and says which version it is. Any other text becomes
/// the next version (1, 2, ...), even one that was in force before.
///
/// From the moment of adoption, events that arrive live are judged by this
/// version; imported history and earlier decisions stay as they are.
/// Prints the version and the SHA-256 of the file's bytes.
///
/// The database is created when missing.
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct AdoptArgs {
    /// The agreement file.
    #[arg(default_value = "accord.toml")]
    file: PathBuf,
    /// Who adopts it (a name, kept with the version; up to 100 characters).
    #[arg(long, value_name = "NAME")]
    by: Option<String>,
    #[command(flatten)]
    db: DbArgs,
}

/// List the adopted versions, oldest first (the last is in force)
///
/// Columns: version, adopted_at (UTC), by, name and effective date (as the
/// text says), sha256 of the text.
#[derive(clap::Args)]
pub struct LogArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    #[command(flatten)]
    db: DbArgs,
}

/// Print the stored text of a version (default: the one in force)
///
/// The bytes printed are exactly those adopted: `accord agreement show 2 >
/// old.toml` gives back the file as it was.
#[derive(clap::Args)]
pub struct ShowArgs {
    /// The version number (see `accord agreement log`).
    version: Option<u32>,
    #[command(flatten)]
    db: DbArgs,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Table,
    Csv,
    Json,
}

/// Why a version could not be shown.
#[derive(Debug, thiserror::Error)]
enum ShowError {
    #[error(
        "no agreement has been adopted in {db} yet (run `accord agreement adopt FILE --db {db}`)"
    )]
    NoneAdopted { db: String },
    #[error("no agreement version {version} in {db}: versions are 1 to {last} (see `accord agreement log`)")]
    NoSuchVersion { version: u32, last: u32, db: String },
}

pub fn run(args: Args) -> CmdResult {
    match args.command {
        Sub::Adopt(a) => adopt(a),
        Sub::Log(a) => log(a),
        Sub::Show(a) => show(a),
    }
}

fn adopt(args: AdoptArgs) -> CmdResult {
    let shown = args.file.display().to_string();
    let text = AgreementText::new(read_agreement(&args.file)?, shown.clone());
    let mut store = open_store(&args.db)?;
    let now = accord_import::now();
    let adopted = agreement::adopt(&mut store, &text, args.by.as_deref(), now)?;
    let line = if adopted.already_in_force {
        format!(
            "{shown} is already in force as v{} (sha256 {}); nothing stored\n",
            adopted.version, adopted.digest
        )
    } else {
        format!(
            "adopted {shown} as v{} (sha256 {}); events that arrive from now on are judged by it\n",
            adopted.version, adopted.digest
        )
    };
    write_stdout(&line)?;
    Ok(ExitCode::SUCCESS)
}

fn log(args: LogArgs) -> CmdResult {
    let store = open_for_reading(&args.db)?;
    let versions = agreement::versions(&store)?;
    let mut text = match args.format {
        Format::Table => table(&versions),
        Format::Csv => csv(&versions)?,
        Format::Json => json(&versions),
    };
    if !text.ends_with('\n') {
        text.push('\n');
    }
    write_stdout(&text)?;
    Ok(ExitCode::SUCCESS)
}

fn show(args: ShowArgs) -> CmdResult {
    let store = open_for_reading(&args.db)?;
    let db = args.db.db.display().to_string();
    let versions = agreement::versions(&store)?;
    let Some(last) = versions.last().map(|v| v.number) else {
        return Err(ShowError::NoneAdopted { db }.into());
    };
    let wanted = args.version.unwrap_or(last);
    let Some(adoption) = agreement::adoption(&store, wanted)? else {
        return Err(ShowError::NoSuchVersion {
            version: wanted,
            last,
            db,
        }
        .into());
    };
    write_stdout(adoption.text.as_str())?;
    Ok(ExitCode::SUCCESS)
}

const COLUMNS: [&str; 6] = ["version", "adopted_at", "by", "name", "effective", "sha256"];

/// A version's cells, in [`COLUMNS`] order (text from the log made safe to print).
fn cells(v: &Version) -> [String; 6] {
    let safe = |s: &str| accord_core::shown::for_terminal(s, 200).0;
    [
        v.number.to_string(),
        v.adopted_at.to_string(),
        v.by.as_deref().map(safe).unwrap_or_default(),
        v.name.as_deref().map(safe).unwrap_or_default(),
        v.effective.as_deref().map(safe).unwrap_or_default(),
        v.digest.clone(),
    ]
}

fn table(versions: &[Version]) -> String {
    if versions.is_empty() {
        return "no agreement adopted yet (run `accord agreement adopt FILE`)\n".into();
    }
    let rows: Vec<[String; 6]> = versions.iter().map(cells).collect();
    let mut widths = COLUMNS.map(|c| c.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[&str]| {
        let mut out = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            if i + 1 == cells.len() {
                out.push_str(cell);
            } else {
                out.push_str(&format!("{cell:<w$}  "));
            }
        }
        out.push('\n');
        out
    };
    let mut out = line(&COLUMNS);
    for row in &rows {
        out.push_str(&line(&row.each_ref().map(String::as_str)));
    }
    out
}

fn csv(versions: &[Version]) -> Result<String, Box<dyn std::error::Error>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(COLUMNS)?;
    for v in versions {
        w.write_record(cells(v))?;
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8(bytes)?)
}

fn json(versions: &[Version]) -> String {
    let list: Vec<serde_json::Value> = versions
        .iter()
        .map(|v| {
            serde_json::json!({
                "version": v.number,
                "adopted_at": v.adopted_at.to_string(),
                "by": v.by,
                "name": v.name,
                "effective": v.effective,
                "sha256": v.digest,
            })
        })
        .collect();
    let mut out = serde_json::to_string_pretty(&list).expect("JSON of strings and numbers");
    out.push('\n');
    out
}
