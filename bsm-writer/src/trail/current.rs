//! The `current` symlink in the trail directory, which points to the open
//! trail while a writer runs and is absent otherwise, as with auditd.

use crate::error::TrailError;
use std::fs;
use std::io;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

const CURRENT: &str = "current";
/// Made and then renamed over `current`, so that readers never miss it.
const CURRENT_NEXT: &str = ".current.next";

/// The path of the `current` symlink in `dir`.
pub fn current_link(dir: &Path) -> PathBuf {
    dir.join(CURRENT)
}

/// Points `dir/current` at `trail` (an absolute path, as auditd writes it).
pub(crate) fn point_at(dir: &Path, trail: &Path) -> Result<(), TrailError> {
    let next = dir.join(CURRENT_NEXT);
    remove_if_present(&next)?;
    symlink(trail, &next).map_err(|source| TrailError::Io {
        action: "create symlink",
        path: next.clone(),
        source,
    })?;
    let link = current_link(dir);
    fs::rename(&next, &link).map_err(|source| TrailError::Io {
        action: "rename symlink to",
        path: link,
        source,
    })
}

/// Removes `dir/current`, and the replacement a crash may have left
/// half-made, if there are any.
pub(crate) fn remove(dir: &Path) -> Result<(), TrailError> {
    remove_if_present(&dir.join(CURRENT_NEXT))?;
    remove_if_present(&current_link(dir))
}

fn remove_if_present(path: &Path) -> Result<(), TrailError> {
    match fs::remove_file(path) {
        Err(err) if err.kind() != io::ErrorKind::NotFound => Err(TrailError::Io {
            action: "remove",
            path: path.to_path_buf(),
            source: err,
        }),
        _ => Ok(()),
    }
}
