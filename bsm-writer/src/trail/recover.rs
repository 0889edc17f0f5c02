//! Crash recovery: a trail still named `START.not_terminated` when no
//! writer runs was left by a crash. Its partial last item, if any, is cut
//! off, and it is renamed `START.crash_recovery`, as auditd does.

use crate::error::TrailError;
use crate::trail::current;
use crate::trail::dir::TrailDir;
use bsm_format::TrailFile;
use bsm_format::{ErrorKind, StreamSplitter};
use bsm_format::{TrailName, TrailState};
use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

/// What recovery did with one trail.
#[derive(Debug)]
pub struct RecoveredTrail {
    /// Its new path, `START.crash_recovery`.
    pub path: PathBuf,
    /// Bytes kept: whole records and file tokens (and, with `damage`,
    /// everything after it too).
    pub kept: u64,
    /// Bytes of a partial last item (or zero fill after the last whole
    /// item, as a power cut can leave) that were cut off.
    pub cut: u64,
    /// Damage before the end of the file, left in place for a reader to
    /// report: recovery cuts only what cannot be anything but a partial end.
    pub damage: Option<bsm_format::Error>,
}

/// Recovers every trail that a crashed writer left open in `dir`, and
/// removes the stale `current` link. Fails with [`TrailError::Busy`] while a
/// writer holds the directory.
/// The directory must be private to its owner, as for a writer.
pub fn recover(dir: impl AsRef<Path>) -> Result<Vec<RecoveredTrail>, TrailError> {
    recover_locked(&TrailDir::lock(dir.as_ref(), false, true)?)
}

pub(crate) fn recover_locked(dir: &TrailDir) -> Result<Vec<RecoveredTrail>, TrailError> {
    let mut recovered = Vec::new();
    for trail in dir.trails()? {
        if trail.name.state == TrailState::Open {
            recovered.push(recover_trail(dir, &trail)?);
        }
    }
    current::remove(dir)?;
    dir.sync()?;
    Ok(recovered)
}

fn recover_trail(dir: &TrailDir, trail: &TrailFile) -> Result<RecoveredTrail, TrailError> {
    let io_error = |action| {
        move |source| TrailError::Io {
            action,
            path: trail.path.clone(),
            source,
        }
    };
    let file = dir.open_regular(trail.file_name())?;
    let len = file.metadata().map_err(io_error("stat"))?.len();
    let (whole, damage) = whole_items(&file, &trail.path)?;
    let partial_end = match &damage {
        None => false,
        Some(err) if matches!(err.kind, ErrorKind::Truncated { .. }) => true,
        Some(_) => zeros_after(&file, whole, len).map_err(io_error("read"))?,
    };
    let (kept, damage) = if partial_end {
        file.set_len(whole).map_err(io_error("cut"))?;
        file.sync_data().map_err(io_error("sync"))?;
        (whole, None)
    } else {
        (len, damage)
    };

    let renamed = TrailName {
        start: trail.name.start,
        state: TrailState::CrashRecovered,
    };
    let path = trail.path.with_file_name(renamed.file_name());
    dir.rename_new(trail.file_name(), renamed.file_name().as_ref())?;
    Ok(RecoveredTrail {
        path,
        kept,
        cut: len.saturating_sub(kept),
        damage,
    })
}

/// The length of the run of whole items at the start of `file`, and the
/// damage that ends it before the end of the file, if any.
fn whole_items(file: &File, path: &Path) -> Result<(u64, Option<bsm_format::Error>), TrailError> {
    let mut whole = 0;
    for item in StreamSplitter::new(file) {
        match item {
            Ok(item) => whole = item.offset() + item.bytes().len() as u64,
            Err(err) => {
                if let ErrorKind::Io(kind) = err.kind {
                    return Err(TrailError::Io {
                        action: "read",
                        path: path.to_path_buf(),
                        source: kind.into(),
                    });
                }
                return Ok((whole, Some(err)));
            }
        }
    }
    Ok((whole, None))
}

/// Whether the bytes of `file` from `from` to `len` are all zero.
fn zeros_after(file: &File, from: u64, len: u64) -> io::Result<bool> {
    let mut buffer = vec![0; 64 * 1024];
    let mut at = from;
    while at < len {
        let read = file.read_at(&mut buffer, at)?;
        if read == 0 {
            break;
        }
        if buffer[..read].iter().any(|&b| b != 0) {
            return Ok(false);
        }
        at += read as u64;
    }
    Ok(true)
}
