//! The trail directory: locked by one writer at a time, listed for its
//! trail files, synced after renames.

use crate::error::TrailError;
use bsm_format::TrailName;
use std::fs::{self, DirBuilder, File, TryLockError};
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

/// A new trail directory's mode: trails are for root and the audit group.
const DIR_MODE: u32 = 0o750;

/// A trail file found in the directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TrailFile {
    pub(crate) name: TrailName,
    pub(crate) path: PathBuf,
}

/// The directory, locked (flock) for as long as this lives, so that no two
/// writers, and no recovery and a writer, work in it at once.
#[derive(Debug)]
pub(crate) struct TrailDir {
    path: PathBuf,
    handle: File,
}

impl TrailDir {
    /// Creates `path` if needed and locks it.
    pub(crate) fn lock(path: &Path) -> Result<TrailDir, TrailError> {
        let io_error = |action| {
            move |source| TrailError::Io {
                action,
                path: path.to_path_buf(),
                source,
            }
        };
        DirBuilder::new()
            .recursive(true)
            .mode(DIR_MODE)
            .create(path)
            .map_err(io_error("create directory"))?;
        // Trail names in file tokens and the `current` link are absolute.
        let path = std::path::absolute(path).map_err(io_error("resolve"))?;
        let handle = File::open(&path).map_err(io_error("open directory"))?;
        match handle.try_lock() {
            Ok(()) => Ok(TrailDir { path, handle }),
            Err(TryLockError::WouldBlock) => Err(TrailError::Busy { dir: path }),
            Err(TryLockError::Error(source)) => Err(TrailError::Io {
                action: "lock",
                path,
                source,
            }),
        }
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// The open directory, for file-system queries.
    pub(crate) fn handle(&self) -> &File {
        &self.handle
    }

    /// The trail files, in no particular order.
    pub(crate) fn trails(&self) -> Result<Vec<TrailFile>, TrailError> {
        let io_error = |source| TrailError::Io {
            action: "list",
            path: self.path.clone(),
            source,
        };
        let mut trails = Vec::new();
        for entry in fs::read_dir(&self.path).map_err(io_error)? {
            let entry = entry.map_err(io_error)?;
            let name = entry.file_name();
            let Some(name) = name.to_str().and_then(TrailName::parse) else {
                continue;
            };
            trails.push(TrailFile {
                name,
                path: entry.path(),
            });
        }
        Ok(trails)
    }

    /// Makes the directory's entries (renames, new files) durable.
    pub(crate) fn sync(&self) -> Result<(), TrailError> {
        self.handle.sync_all().map_err(|source| TrailError::Io {
            action: "sync directory",
            path: self.path.clone(),
            source,
        })
    }
}
