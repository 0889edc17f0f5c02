//! The `current` symlink in the trail directory, which points to the open
//! trail while a writer runs and is absent otherwise, as with auditd.

use crate::error::TrailError;
use crate::trail::dir::TrailDir;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

const CURRENT: &str = "current";
/// Made and then renamed over `current`, so that readers never miss it.
const CURRENT_NEXT: &str = ".current.next";

/// The path of the `current` symlink in `dir`.
pub fn current_link(dir: &Path) -> PathBuf {
    dir.join(CURRENT)
}

/// Points `dir/current` at `trail` (an absolute path, as auditd writes it).
pub(crate) fn point_at(dir: &TrailDir, trail: &Path) -> Result<(), TrailError> {
    let next = OsStr::new(CURRENT_NEXT);
    dir.remove_if_present(next)?;
    dir.symlink(trail, next)?;
    dir.rename_over(next, OsStr::new(CURRENT))
}

/// Removes `dir/current`, and the replacement a crash may have left
/// half-made, if there are any.
pub(crate) fn remove(dir: &TrailDir) -> Result<(), TrailError> {
    dir.remove_if_present(OsStr::new(CURRENT_NEXT))?;
    dir.remove_if_present(OsStr::new(CURRENT))
}
