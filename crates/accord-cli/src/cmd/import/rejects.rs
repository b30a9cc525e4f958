//! The rejects file of `import --skip-invalid`. Checked before anything is
//! read (never an existing file without --force, never one of the input
//! folder's contract files nor the database, even with --force; a folder
//! that exists and can be written), written
//! to a temporary file beside it before the commit, and renamed into place
//! after it: a commit never happens without its list of bad rows, and no
//! file appears for an import that did not commit.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use accord_import::{FileKind, Folder, ImportReport};

use crate::cmd::out_file::{Place, Refused};

#[derive(Debug, thiserror::Error)]
pub enum RejectsError {
    #[error("{path} already exists; accord does not replace it (--force replaces it, or choose another --rejects file)")]
    Exists { path: PathBuf },
    #[error("{path} is an input of this import ({input}): choose another --rejects file")]
    Input { path: PathBuf, input: PathBuf },
    #[error("{path} is the database ({db}): choose another --rejects file")]
    Database { path: PathBuf, db: PathBuf },
    #[error("cannot write the rejects file {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("the import is committed, but renaming its list of bad rows {temp} to {path} failed ({source}): the list is in {temp}")]
    Rename {
        temp: PathBuf,
        path: PathBuf,
        source: io::Error,
    },
}

pub struct Rejects {
    /// As the user wrote it (for messages).
    path: PathBuf,
    /// Where it goes: the canonical folder joined with the file name.
    target: PathBuf,
    temp: PathBuf,
    file: Option<File>,
    written: bool,
}

impl Rejects {
    /// Checks `path` and opens its temporary file beside it.
    pub fn prepare(
        path: &Path,
        folder: &Folder,
        db: &Path,
        force: bool,
    ) -> Result<Rejects, RejectsError> {
        let io = |source| RejectsError::Io {
            path: path.to_path_buf(),
            source,
        };
        let place = Place::of(path).map_err(io)?;
        let resolved = &place.resolved;
        if let Ok(dir) = std::fs::canonicalize(&folder.dir) {
            let inputs = FileKind::ORDER
                .iter()
                .map(|k| k.file_name())
                .chain(["meta.json"]);
            for input in inputs {
                // Case-insensitive: on macOS and Windows Leads.csv is leads.csv.
                let same = resolved.parent() == Some(dir.as_path())
                    && resolved
                        .file_name()
                        .is_some_and(|n| n.to_string_lossy().eq_ignore_ascii_case(input));
                if same {
                    return Err(RejectsError::Input {
                        path: path.to_path_buf(),
                        input: folder.dir.join(input),
                    });
                }
            }
        }
        let (temp, file) = place.open_temp(db, force).map_err(|r| match r {
            Refused::Exists => RejectsError::Exists {
                path: path.to_path_buf(),
            },
            Refused::Database => RejectsError::Database {
                path: path.to_path_buf(),
                db: db.to_path_buf(),
            },
            Refused::Io(e) => io(e),
        })?;
        Ok(Rejects {
            path: path.to_path_buf(),
            target: place.target,
            temp,
            file: Some(file),
            written: false,
        })
    }

    /// Writes every refused row (file,line,problem,message as RFC 4180 CSV)
    /// to the temporary file and makes it durable: called before the commit.
    pub fn write(&mut self, report: &ImportReport) -> Result<(), RejectsError> {
        let io = |source| RejectsError::Io {
            path: self.path.clone(),
            source,
        };
        let Some(file) = self.file.as_mut() else {
            return Ok(());
        };
        let mut w = csv::Writer::from_writer(io::BufWriter::new(&mut *file));
        let rows = std::iter::once(["file", "line", "problem", "message"].map(String::from)).chain(
            report.rejected.iter().map(|r| {
                [
                    r.file.to_owned(),
                    r.line.to_string(),
                    r.problem.to_string(),
                    r.message.clone(),
                ]
            }),
        );
        for row in rows {
            w.write_record(&row).map_err(|e| io(e.into()))?;
        }
        w.flush().map_err(io)?;
        let mut buffered = w.into_inner().map_err(|e| io(e.into_error()))?;
        buffered.flush().map_err(io)?;
        drop(buffered);
        file.sync_all().map_err(io)?;
        self.written = true;
        Ok(())
    }

    /// After the commit: puts the written list in place. Returns whether there
    /// was one (with no bad rows nothing is written and nothing replaced).
    pub fn finish(mut self) -> Result<bool, RejectsError> {
        self.file = None;
        if !self.written {
            return Ok(false);
        }
        std::fs::rename(&self.temp, &self.target).map_err(|source| RejectsError::Rename {
            temp: self.temp.clone(),
            path: self.path.clone(),
            source,
        })?;
        self.written = false;
        Ok(true)
    }
}

impl Drop for Rejects {
    /// An import that did not commit leaves no file behind (and a committed
    /// one whose rename failed keeps its list, as the error says).
    fn drop(&mut self) {
        if !self.written || self.file.is_some() {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}
