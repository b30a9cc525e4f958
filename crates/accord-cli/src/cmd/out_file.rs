//! An output file a command writes (`export --out`, `import --rejects`):
//! checked before any work is done (never the database or its journals,
//! never a folder, never an existing file without --force), written under a
//! temporary name beside it and renamed into place only when complete.

use std::ffi::OsString;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

/// Where an output path leads, before anything is created.
pub struct Place {
    /// The canonical folder joined with the file name.
    pub target: PathBuf,
    /// The target with symlinks resolved (a link to a file is that file).
    pub resolved: PathBuf,
    pub exists: bool,
    parent: PathBuf,
    name: OsString,
}

/// Why an output file may not be written where asked.
pub enum Refused {
    /// It exists and --force was not given.
    Exists,
    /// It is the database or one of its journal files.
    Database,
    Io(io::Error),
}

impl Place {
    /// Resolves `path`; its folder must exist.
    pub fn of(path: &Path) -> io::Result<Place> {
        let name = path
            .file_name()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file name"))?
            .to_owned();
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let parent = std::fs::canonicalize(parent)
            .map_err(|e| io::Error::new(e.kind(), format!("folder {}: {e}", parent.display())))?;
        let target = parent.join(&name);
        let exists = std::fs::symlink_metadata(&target).is_ok();
        let resolved = if exists {
            std::fs::canonicalize(&target).unwrap_or_else(|_| target.clone())
        } else {
            target.clone()
        };
        Ok(Place {
            target,
            resolved,
            exists,
            parent,
            name,
        })
    }

    /// Checks the place against the database `db` and `force`, and creates
    /// the temporary file beside it: its path and the open file.
    pub fn open_temp(&self, db: &Path, force: bool) -> Result<(PathBuf, File), Refused> {
        // The database and its journal files: replacing them loses the log.
        if is_database_file(&self.resolved, db) {
            return Err(Refused::Database);
        }
        if self.exists && std::fs::metadata(&self.resolved).is_ok_and(|m| m.is_dir()) {
            return Err(Refused::Io(io::Error::new(
                io::ErrorKind::IsADirectory,
                "it is a folder",
            )));
        }
        if self.exists && !force {
            return Err(Refused::Exists);
        }
        temp_beside(&self.parent, &self.name).map_err(Refused::Io)
    }
}

/// Is `file` (resolved) the database `db` or one of its journal files?
/// Writing an output over them would lose the log.
fn is_database_file(file: &Path, db: &Path) -> bool {
    let Some(db_file) = super::canonical(db) else {
        return false;
    };
    let db_name = db_file.file_name().unwrap_or_default().to_string_lossy();
    file.parent() == db_file.parent()
        && file.file_name().is_some_and(|n| {
            let n = n.to_string_lossy();
            ["", "-wal", "-shm", "-journal"]
                .iter()
                .any(|suffix| n.eq_ignore_ascii_case(&format!("{db_name}{suffix}")))
        })
}

/// A new temporary file beside the output `name` in `parent`, renamed into
/// place once written whole.
fn temp_beside(parent: &Path, name: &std::ffi::OsStr) -> io::Result<(PathBuf, File)> {
    let temp = parent.join(format!(
        ".{}.accord-{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temp)?;
    Ok((temp, file))
}
