//! The trail directory: locked by one writer at a time, listed for its
//! trail files, synced after renames.
//!
//! Every file in it is reached through the directory's descriptor by name
//! alone (`openat`, `renameat`, `unlinkat`, `symlinkat`), never following
//! a symlink, and only regular files are opened, without blocking: a link
//! or FIFO planted under a trail's name is refused, not followed or waited
//! on. A directory that other users may write to is refused unless the
//! configuration allows it.

use crate::error::TrailError;
use bsm_format::TrailFile;
use rustix::fs::{AtFlags, FileType, Mode, OFlags, RenameFlags};
use rustix::io::Errno;
use std::ffi::OsStr;
use std::fs::{DirBuilder, File, TryLockError};
use std::io;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

/// A new trail directory's mode: trails are for root and the audit group,
/// or for the owner alone.
const DIR_MODE: u32 = 0o750;
const PRIVATE_DIR_MODE: u32 = 0o700;
/// A new trail's mode, likewise.
const TRAIL_MODE: u32 = 0o640;
const PRIVATE_TRAIL_MODE: u32 = 0o600;

/// The directory, locked (flock) for as long as this lives, so that no two
/// writers, and no recovery and a writer, work in it at once.
#[derive(Debug)]
pub(crate) struct TrailDir {
    path: PathBuf,
    handle: File,
    group_readable: bool,
}

impl TrailDir {
    /// Creates `path` if needed (0750, or 0700 unless `group_readable`),
    /// checks who may write to it (unless `allow_shared` says anyone may),
    /// and locks it. Its trails will be 0640, or 0600.
    pub(crate) fn lock(
        path: &Path,
        allow_shared: bool,
        group_readable: bool,
    ) -> Result<TrailDir, TrailError> {
        let io_error = |action| {
            move |source| TrailError::Io {
                action,
                path: path.to_path_buf(),
                source,
            }
        };
        DirBuilder::new()
            .recursive(true)
            .mode(if group_readable {
                DIR_MODE
            } else {
                PRIVATE_DIR_MODE
            })
            .create(path)
            .map_err(io_error("create directory"))?;
        // Trail names in file tokens and the `current` link are absolute.
        let path = std::path::absolute(path).map_err(io_error("resolve"))?;
        let handle = File::open(&path).map_err(io_error("open directory"))?;
        if !allow_shared {
            check_private(&path, &handle)?;
        }
        match handle.try_lock() {
            Ok(()) => Ok(TrailDir {
                path,
                handle,
                group_readable,
            }),
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

    /// The mode a new trail is made with.
    pub(crate) fn trail_mode(&self) -> u32 {
        if self.group_readable {
            TRAIL_MODE
        } else {
            PRIVATE_TRAIL_MODE
        }
    }

    /// The open directory, for file-system queries.
    pub(crate) fn handle(&self) -> &File {
        &self.handle
    }

    /// The trail files, in no particular order (links too: opening one
    /// is refused, see [`TrailDir::open_regular`]).
    pub(crate) fn trails(&self) -> Result<Vec<TrailFile>, TrailError> {
        let entries = bsm_format::trail_entries(&self.path).map_err(|source| TrailError::Io {
            action: "list",
            path: self.path.clone(),
            source,
        })?;
        Ok(entries.into_iter().map(|(file, _)| file).collect())
    }

    /// Opens the regular file `name` for reading and writing; a symlink,
    /// FIFO or device there is [`TrailError::NotRegular`].
    pub(crate) fn open_regular(&self, name: &OsStr) -> Result<File, TrailError> {
        let path = self.path.join(name);
        // O_NONBLOCK: a FIFO must not hold the daemon at start-up.
        let flags = OFlags::RDWR | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
        let fd = match rustix::fs::openat(&self.handle, name, flags, Mode::empty()) {
            Ok(fd) => fd,
            Err(Errno::LOOP) => return Err(TrailError::NotRegular { path }),
            Err(err) => {
                return Err(TrailError::Io {
                    action: "open",
                    path,
                    source: err.into(),
                });
            }
        };
        let stat = rustix::fs::fstat(&fd).map_err(|err| TrailError::Io {
            action: "stat",
            path: path.clone(),
            source: err.into(),
        })?;
        if FileType::from_raw_mode(stat.st_mode) != FileType::RegularFile {
            return Err(TrailError::NotRegular { path });
        }
        // Regular files never block; later reads need no flag.
        rustix::fs::fcntl_setfl(&fd, OFlags::RDWR).map_err(|err| TrailError::Io {
            action: "set flags of",
            path,
            source: err.into(),
        })?;
        Ok(File::from(fd))
    }

    /// Creates the regular file `name` for appending; it must not exist
    /// (as anything, a symlink included).
    pub(crate) fn create_new(&self, name: &OsStr, mode: u32) -> io::Result<File> {
        let flags = OFlags::WRONLY
            | OFlags::APPEND
            | OFlags::CREATE
            | OFlags::EXCL
            | OFlags::NOFOLLOW
            | OFlags::CLOEXEC;
        let fd = rustix::fs::openat(&self.handle, name, flags, Mode::from_raw_mode(mode))?;
        Ok(File::from(fd))
    }

    /// Renames `from` to `to` within the directory; `to` must not exist.
    pub(crate) fn rename_new(&self, from: &OsStr, to: &OsStr) -> Result<(), TrailError> {
        let renamed =
            rustix::fs::renameat_with(&self.handle, from, &self.handle, to, RenameFlags::NOREPLACE);
        let renamed = match renamed {
            // File systems without RENAME_NOREPLACE: check, then rename
            // (the directory lock keeps our own writers out of the gap).
            Err(Errno::INVAL) => {
                if self.exists(to)? {
                    return Err(TrailError::NameTaken {
                        path: self.path.join(to),
                    });
                }
                rustix::fs::renameat(&self.handle, from, &self.handle, to)
            }
            other => other,
        };
        match renamed {
            Ok(()) => Ok(()),
            Err(Errno::EXIST) => Err(TrailError::NameTaken {
                path: self.path.join(to),
            }),
            Err(err) => Err(TrailError::Io {
                action: "rename",
                path: self.path.join(from),
                source: err.into(),
            }),
        }
    }

    /// Renames `from` over `to` (for the `current` link).
    pub(crate) fn rename_over(&self, from: &OsStr, to: &OsStr) -> Result<(), TrailError> {
        rustix::fs::renameat(&self.handle, from, &self.handle, to).map_err(|err| TrailError::Io {
            action: "rename symlink to",
            path: self.path.join(to),
            source: err.into(),
        })
    }

    /// Whether `name` exists, as anything.
    pub(crate) fn exists(&self, name: &OsStr) -> Result<bool, TrailError> {
        match rustix::fs::statat(&self.handle, name, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(_) => Ok(true),
            Err(Errno::NOENT) => Ok(false),
            Err(err) => Err(TrailError::Io {
                action: "stat",
                path: self.path.join(name),
                source: err.into(),
            }),
        }
    }

    /// Removes `name` (a file or a link, never what it points to), if it is
    /// there.
    pub(crate) fn remove_if_present(&self, name: &OsStr) -> Result<(), TrailError> {
        match rustix::fs::unlinkat(&self.handle, name, AtFlags::empty()) {
            Ok(()) | Err(Errno::NOENT) => Ok(()),
            Err(err) => Err(TrailError::Io {
                action: "remove",
                path: self.path.join(name),
                source: err.into(),
            }),
        }
    }

    /// Makes the symlink `name` pointing at `target`.
    pub(crate) fn symlink(&self, target: &Path, name: &OsStr) -> Result<(), TrailError> {
        rustix::fs::symlinkat(target, &self.handle, name).map_err(|err| TrailError::Io {
            action: "create symlink",
            path: self.path.join(name),
            source: err.into(),
        })
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

/// Refuses a directory that users other than its owner may write to, or
/// whose owner is neither root nor us.
fn check_private(path: &Path, handle: &File) -> Result<(), TrailError> {
    let stat = rustix::fs::fstat(handle).map_err(|err| TrailError::Io {
        action: "stat",
        path: path.to_path_buf(),
        source: err.into(),
    })?;
    let mode = stat.st_mode & 0o7777;
    let owner = stat.st_uid;
    let what = if mode & 0o002 != 0 {
        "writable by every user"
    } else if mode & 0o020 != 0 {
        "writable by its group"
    } else if owner != 0 && owner != rustix::process::geteuid().as_raw() {
        "owned by another user"
    } else {
        return Ok(());
    };
    Err(TrailError::UnsafeDir {
        dir: path.to_path_buf(),
        what,
        mode,
        owner,
    })
}
