//! `accord check`: validate an agreement file and list every problem, each
//! with its place in the file and how to fix it.

use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use accord_core::agreement::{self, thousands, MAX_ERRORS_SHOWN, MAX_FILE_BYTES};

/// Validate an agreement file (stages, rules, SLA...) and report every problem
///
/// Each problem is shown with its file:line:column, the line with the place
/// underlined, and how to fix it. Exit code 0 when the agreement is valid,
/// 1 otherwise. A wrong file (too large, binary, not UTF-8, a CSV export,
/// JSON, empty) gets one message saying what it looks like. Every key the
/// file takes (stages, scoring, routing with its working hours and time
/// zones, the SLA, attribution) is explained in the comments of the starter
/// file that `accord init` writes.
///
/// Limits (any input is answered in milliseconds):
///   - the file: at most 1 MiB (1,048,576 bytes) of UTF-8 text;
///   - problems listed: the first 50 in file order, then "and N more";
///   - stages, personas, journey stages, rejection reasons, touch kinds,
///     regions, models: at most 100 each;
///   - rules in one list ([[scoring.fit]], [[scoring.engagement.rules]],
///     [[routing.rules]], [[sla.escalation]]): at most 200;
///   - one rule (CEL): at most 2,048 bytes, brackets nested at most 16 deep,
///     at most 64 operators; `all`, `exists`, `map`... do not nest, and the
///     lists they iterate hold at most 32 items in all; a regular
///     expression (`matches`) compiles to at most 64 KiB;
///   - all rules together: at most 128 KiB of text;
///   - TOML keys and arrays nest at most 80 levels.
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The agreement file.
    #[arg(default_value = "accord.toml")]
    pub file: PathBuf,
}

pub fn run(args: Args) -> super::CmdResult {
    let shown = args.file.display().to_string();
    let bytes = read_agreement(&args.file)?;
    match agreement::parse_bytes(&bytes, &shown) {
        Ok(a) => {
            println!("ok: {shown} — {}", a.summary());
            Ok(ExitCode::SUCCESS)
        }
        Err(diagnostics) => {
            let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            eprint!("{}", diagnostics.render(color));
            let n = diagnostics.len();
            eprintln!(
                "error: {shown} has {n} error{}{}",
                if n == 1 { "" } else { "s" },
                if n > MAX_ERRORS_SHOWN {
                    format!(" (the first {MAX_ERRORS_SHOWN} are listed)")
                } else {
                    String::new()
                }
            );
            Ok(ExitCode::FAILURE)
        }
    }
}

/// Why an agreement file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("cannot read {path}: no such file (run `accord init` to create a starter agreement)")]
    NotFound { path: String },
    #[error("cannot read {path}: it is a directory, not a file (the agreement is a file such as {path}/accord.toml)")]
    IsDirectory { path: String },
    #[error(
        "cannot read {path}: permission denied (the file's permissions do not let you read it)"
    )]
    PermissionDenied { path: String },
    #[error("cannot check {path}: it is {size} bytes, and an agreement is at most 1 MiB (1,048,576 bytes): is this the right file?")]
    TooLarge { path: String, size: String },
    #[error("cannot read {path}: {source}")]
    Other {
        path: String,
        source: std::io::Error,
    },
}

/// Reads an agreement file, at most [`MAX_FILE_BYTES`] of it: a larger file
/// is refused without being read whole.
pub fn read_agreement(path: &Path) -> Result<Vec<u8>, ReadError> {
    let shown = path.display().to_string();
    let fail = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::NotFound => ReadError::NotFound {
            path: shown.clone(),
        },
        std::io::ErrorKind::IsADirectory => ReadError::IsDirectory {
            path: shown.clone(),
        },
        std::io::ErrorKind::PermissionDenied => ReadError::PermissionDenied {
            path: shown.clone(),
        },
        _ => ReadError::Other {
            path: shown.clone(),
            source: e,
        },
    };
    let file = std::fs::File::open(path).map_err(fail)?;
    let meta = file.metadata().map_err(fail)?;
    if meta.is_dir() {
        return Err(ReadError::IsDirectory { path: shown });
    }
    let too_large = |size: String| ReadError::TooLarge {
        path: shown.clone(),
        size,
    };
    if meta.len() > MAX_FILE_BYTES as u64 {
        return Err(too_large(thousands(meta.len())));
    }
    let mut bytes = Vec::new();
    // A device or a pipe has no length: read one byte past the limit to know.
    file.take(MAX_FILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(fail)?;
    if bytes.len() > MAX_FILE_BYTES {
        return Err(too_large(format!(
            "more than {}",
            thousands(MAX_FILE_BYTES as u64)
        )));
    }
    Ok(bytes)
}
