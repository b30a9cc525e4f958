//! What a folder to import holds, before any row is read: the contract's
//! files present and missing (with a name that differs only in case, or a
//! near miss, pointed out), files that are no part of the contract, and the
//! time bound of the data (`as_of` from `meta.json`, or the present).

use std::fmt;
use std::path::{Path, PathBuf};

use accord_core::domain::Timestamp;

use crate::contract::FileKind;
use crate::ImportError;

/// How far past the present a timestamp may be when the data has no
/// `meta.json`: the exporting machine's clock may run a little ahead of this
/// one (unsynchronised laptops and VMs drift by minutes; NTP keeps servers
/// within a second). Five minutes covers that; anything later is a mistake
/// (a wrong year, a local time marked `Z`, a placeholder such as 2099).
pub const CLOCK_SKEW_SECONDS: i64 = 5 * 60;

/// Files the reference kit writes beside the contract's that are expected
/// there (not warned about).
const KNOWN_EXTRAS: [&str; 1] = ["dirty_manifest.csv"];

/// The latest time a row may carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bound {
    pub at: Timestamp,
    pub source: BoundSource,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BoundSource {
    /// `as_of` in the folder's meta.json.
    AsOf,
    /// The present (plus the clock skew allowance).
    Now,
}

impl Bound {
    /// `as_of` when meta.json gives one, but never later than the present:
    /// nothing in an export can have happened after it was taken.
    pub fn new(as_of: Option<Timestamp>, now: Timestamp) -> Bound {
        let present = Timestamp::from_unix_seconds(now.unix_seconds() + CLOCK_SKEW_SECONDS);
        match as_of {
            Some(at) if at <= present => Bound {
                at,
                source: BoundSource::AsOf,
            },
            _ => Bound {
                at: present,
                source: BoundSource::Now,
            },
        }
    }
}

/// Something about the folder worth telling before the rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Warning {
    /// A contract file is absent; `like` is a file present under a similar name.
    Missing {
        file: &'static str,
        like: Option<String>,
    },
    /// A CSV file that is no part of the contract (ignored).
    Unknown {
        path: PathBuf,
        like: Option<&'static str>,
    },
    /// meta.json exists but cannot be read: the bound is the present.
    MetaUnreadable { path: PathBuf, reason: String },
    /// meta.json's as_of is in the future: the bound is the present.
    AsOfInFuture { path: PathBuf, as_of: Timestamp },
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::Missing { file, like: None } => write!(f, "no {file} in this folder"),
            Warning::Missing {
                file,
                like: Some(like),
            } => write!(
                f,
                "no {file} in this folder, but {like} is there: did you mean {file}? (file names are case-sensitive)"
            ),
            Warning::Unknown { path, like } => {
                write!(f, "{} is not a file of the contract; it is ignored", path.display())?;
                match like {
                    Some(like) => write!(f, " (did you mean {like}?)"),
                    None => Ok(()),
                }
            }
            Warning::MetaUnreadable { path, reason } => write!(
                f,
                "{}: cannot be read ({reason}); rows are checked against the present instead of as_of",
                path.display()
            ),
            Warning::AsOfInFuture { path, as_of } => write!(
                f,
                "{}: as_of {as_of} is in the future; rows are checked against the present",
                path.display()
            ),
        }
    }
}

/// A folder to import, looked over.
#[derive(Clone, Debug)]
pub struct Folder {
    pub dir: PathBuf,
    /// Contract files present, in import order.
    pub present: Vec<FileKind>,
    /// Contract files absent.
    pub missing: Vec<FileKind>,
    pub warnings: Vec<Warning>,
    pub bound: Bound,
}

impl Folder {
    /// Looks `dir` over; `now` is the present (the caller's clock).
    pub fn inspect(dir: &Path, now: Timestamp) -> Result<Folder, ImportError> {
        let io = |source| ImportError::Io {
            path: dir.to_path_buf(),
            source,
        };
        let mut names: Vec<String> = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(io)? {
            let entry = entry.map_err(io)?;
            if entry.path().is_file() {
                names.push(entry.file_name().to_string_lossy().into_owned());
            }
        }
        names.sort();
        let (present, missing): (Vec<FileKind>, Vec<FileKind>) = FileKind::ORDER
            .into_iter()
            .partition(|k| names.iter().any(|n| n == k.file_name()));
        if present.is_empty() {
            return Err(ImportError::NoContractFiles {
                dir: dir.to_path_buf(),
            });
        }
        let mut warnings = Vec::new();
        for kind in &missing {
            let like = names
                .iter()
                .find(|n| n.eq_ignore_ascii_case(kind.file_name()))
                .cloned();
            warnings.push(Warning::Missing {
                file: kind.file_name(),
                like,
            });
        }
        for name in &names {
            let is_csv = name.to_ascii_lowercase().ends_with(".csv");
            let known = FileKind::ORDER.iter().any(|k| k.file_name() == name)
                || KNOWN_EXTRAS.contains(&name.as_str());
            // A case-mismatched contract name is already told as Missing.
            let case_twin = FileKind::ORDER
                .iter()
                .any(|k| k.file_name().eq_ignore_ascii_case(name));
            if is_csv && !known && !case_twin {
                warnings.push(Warning::Unknown {
                    path: dir.join(name),
                    like: FileKind::ORDER
                        .iter()
                        .map(|k| k.file_name())
                        .find(|k| missing_like(name, k)),
                });
            }
        }
        let meta = dir.join("meta.json");
        let as_of = match std::fs::read(&meta) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => {
                warnings.push(Warning::MetaUnreadable {
                    path: meta.clone(),
                    reason: e.to_string(),
                });
                None
            }
            Ok(bytes) => Some(read_as_of(&meta, &bytes)?),
        };
        let bound = Bound::new(as_of, now);
        if let Some(as_of) = as_of {
            if bound.source == BoundSource::Now {
                warnings.push(Warning::AsOfInFuture {
                    path: meta.clone(),
                    as_of,
                });
            }
        }
        Ok(Folder {
            dir: dir.to_path_buf(),
            present,
            missing,
            warnings,
            bound,
        })
    }
}

/// `as_of` of meta.json: a JSON object whose `as_of`, if any, is a timestamp
/// of the contract's form.
fn read_as_of(path: &Path, bytes: &[u8]) -> Result<Timestamp, ImportError> {
    let bad = |reason: String| ImportError::Meta {
        path: path.to_path_buf(),
        reason,
    };
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| bad(format!("not valid JSON: {e}")))?;
    let field = value
        .as_object()
        .ok_or_else(|| bad("not a JSON object".into()))?
        .get("as_of")
        .ok_or_else(|| bad("has no `as_of`".into()))?;
    let text = field
        .as_str()
        .ok_or_else(|| bad(format!("`as_of` is {field}, not a string")))?;
    Timestamp::parse(text).map_err(|e| bad(format!("`as_of`: {e}")))
}

/// Whether `name` looks like a mistyped `contract` name: the same stem up to
/// a plural, or at most two edits apart.
fn missing_like(name: &str, contract: &str) -> bool {
    let a = name.to_ascii_lowercase();
    let stem = a.trim_end_matches(".csv");
    edits(&a, contract) <= 2 || (stem.len() >= 3 && contract.starts_with(stem))
}

/// Levenshtein distance (names are short).
fn edits(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (diagonal + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            diagonal = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_names_are_suggested() {
        assert!(missing_like("touch.csv", "touches.csv"));
        assert!(missing_like("lead.csv", "leads.csv"));
        assert!(missing_like("oportunities.csv", "opportunities.csv"));
        assert!(!missing_like("invoices.csv", "leads.csv"));
        assert_eq!(edits("kitten", "sitting"), 3);
    }

    #[test]
    fn the_bound_is_as_of_but_never_past_the_present() {
        let now = Timestamp::parse("2026-01-01T00:00:00Z").unwrap();
        let early = Timestamp::parse("2025-01-01T00:00:00Z").unwrap();
        let late = Timestamp::parse("2099-01-01T00:00:00Z").unwrap();
        assert_eq!(Bound::new(Some(early), now).at, early);
        assert_eq!(Bound::new(Some(late), now).source, BoundSource::Now);
        assert_eq!(
            Bound::new(None, now).at.unix_seconds(),
            now.unix_seconds() + CLOCK_SKEW_SECONDS
        );
    }
}
