//! An open trail file that only ever ends with whole items: each item goes
//! out in one write, and a write that fails or comes up short is cut off
//! again before anything else is written.

use crate::error::TrailError;
use crate::trail::dir::TrailDir;
use bsm_format::{TrailName, TrailState};
use std::fs::File;
use std::io::{self, Write};
use std::path::PathBuf;

/// Bytes kept allocated past the end of the trail (fallocate, keeping the
/// size), so that the daemon's own records — drop notices, the shutdown
/// record, the closing file token — still fit when the file system fills.
const RESERVE: u64 = 16 * 1024;

/// Why an item was not appended; the file still ends with whole items
/// unless this is `Cut`.
#[derive(Debug)]
pub(crate) enum AppendError {
    /// The file system is full (or the quota exhausted).
    NoSpace,
    Io(io::Error),
    /// Cutting off a partial item failed; [`OpenTrail::append`] retries the
    /// cut before the next write.
    Cut(io::Error),
}

impl AppendError {
    /// The trail error for a failed append to `trail`.
    pub(crate) fn into_trail_error(self, trail: &OpenTrail) -> TrailError {
        let (path, offset) = (trail.path.clone(), trail.len);
        match self {
            AppendError::NoSpace => TrailError::NoSpace { path, offset },
            AppendError::Io(source) => TrailError::Write {
                path,
                offset,
                source,
            },
            AppendError::Cut(source) => TrailError::Cut {
                path,
                offset,
                source,
            },
        }
    }
}

/// The trail being written.
#[derive(Debug)]
pub(crate) struct OpenTrail {
    file: File,
    pub(crate) path: PathBuf,
    pub(crate) start: u64,
    /// Bytes of whole items in the file.
    pub(crate) len: u64,
    /// Records appended (file tokens not counted).
    pub(crate) records: u64,
    /// The earliest and latest header seconds of those records, which the
    /// trail's final name must span.
    pub(crate) record_times: Option<(u64, u64)>,
    /// A failed write left bytes past `len` that are not cut off yet.
    cut_pending: bool,
    /// Allocated up to here (the reserve's end); `None` where the file
    /// system cannot allocate ahead.
    reserved_to: Option<u64>,
}

impl OpenTrail {
    /// Creates `dir/START.not_terminated`, which must not exist.
    pub(crate) fn create(dir: &TrailDir, start: u64) -> Result<OpenTrail, TrailError> {
        let name = TrailName {
            start,
            state: TrailState::Open,
        }
        .file_name();
        let path = dir.path().join(&name);
        let file =
            dir.create_new(name.as_ref(), dir.trail_mode())
                .map_err(|source| match source.kind() {
                    io::ErrorKind::AlreadyExists => TrailError::NameTaken { path: path.clone() },
                    _ => TrailError::Io {
                        action: "create",
                        path: path.clone(),
                        source,
                    },
                })?;
        Ok(OpenTrail {
            file,
            path,
            start,
            len: 0,
            records: 0,
            record_times: None,
            cut_pending: false,
            reserved_to: Some(0),
        })
    }

    /// Whether the reserve is whole, renewing it if it has run low; false
    /// when the file system has no room for it, and so none for ordinary
    /// records. Always true where the file system cannot allocate ahead.
    pub(crate) fn reserve_whole(&mut self) -> bool {
        let Some(reserved_to) = self.reserved_to else {
            return true;
        };
        if reserved_to >= self.len + RESERVE / 2 {
            return true;
        }
        let flags = rustix::fs::FallocateFlags::KEEP_SIZE;
        match rustix::fs::fallocate(&self.file, flags, self.len, RESERVE) {
            Ok(()) => {
                self.reserved_to = Some(self.len + RESERVE);
                true
            }
            Err(rustix::io::Errno::NOSPC | rustix::io::Errno::DQUOT) => false,
            // No fallocate here (or another failure): go on without one.
            Err(_) => {
                self.reserved_to = None;
                true
            }
        }
    }

    /// Appends `item` whole, or leaves the file as it was.
    pub(crate) fn append(&mut self, item: &[u8]) -> Result<(), AppendError> {
        if self.cut_pending {
            self.cut()?;
        }
        // A write interrupted by a signal may have written part of the
        // item: cut that off and try once more before calling it failed.
        for attempt in 0..2 {
            match self.file.write(item) {
                Ok(written) if written == item.len() => {
                    self.len += item.len() as u64;
                    return Ok(());
                }
                Ok(_) if attempt == 0 => self.cut()?,
                Ok(_) => {
                    self.cut()?;
                    return Err(AppendError::NoSpace);
                }
                Err(err) if err.kind() == io::ErrorKind::Interrupted => self.cut()?,
                Err(err) => {
                    // A failed write writes nothing, but be sure.
                    self.cut()?;
                    return Err(match err.kind() {
                        io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => {
                            AppendError::NoSpace
                        }
                        _ => AppendError::Io(err),
                    });
                }
            }
        }
        Err(AppendError::Io(io::ErrorKind::Interrupted.into()))
    }

    /// Notes a record of header time `seconds` as appended.
    pub(crate) fn count_record(&mut self, seconds: u64) {
        self.records += 1;
        self.record_times = Some(match self.record_times {
            None => (seconds, seconds),
            Some((earliest, latest)) => (earliest.min(seconds), latest.max(seconds)),
        });
    }

    /// Takes back the items appended after the first `len` bytes.
    pub(crate) fn rewind(&mut self, len: u64) -> Result<(), AppendError> {
        self.len = self.len.min(len);
        self.cut()
    }

    /// Cuts the file back to its whole items.
    fn cut(&mut self) -> Result<(), AppendError> {
        self.cut_pending = true;
        self.file.set_len(self.len).map_err(AppendError::Cut)?;
        self.cut_pending = false;
        Ok(())
    }

    /// Flushes the file's data to disk.
    pub(crate) fn sync(&self) -> Result<(), TrailError> {
        self.file.sync_data().map_err(|source| TrailError::Sync {
            path: self.path.clone(),
            offset: self.len,
            source,
        })
    }
}
