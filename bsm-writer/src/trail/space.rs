//! The minimum-free-space rule (audit_control's `minfree`): records are
//! written only while the trail's file system keeps more than a given
//! percentage of its blocks free.
//!
//! Asking the file system for every record would cost a system call each,
//! so the guard keeps a budget of the bytes that can still be written, takes
//! what it admits off it, and asks again when the budget runs out or after
//! [`RECHECK_BYTES`] (other processes use the file system too).
#![allow(unsafe_code)]

use std::fs::File;
use std::io;
use std::mem::MaybeUninit;
use std::os::fd::AsRawFd;

/// Bytes admitted between two looks at the file system.
const RECHECK_BYTES: u64 = 64 * 1024;

/// Whether a write may go ahead.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Verdict {
    Enough,
    Low { free_percent: f64 },
}

#[derive(Debug)]
pub(crate) struct SpaceGuard {
    min_free_percent: u8,
    /// Bytes that may be written before the free space falls to minfree.
    budget: u64,
    admitted_since_check: u64,
    checked: bool,
    free_percent: f64,
}

impl SpaceGuard {
    pub(crate) fn new(min_free_percent: u8) -> Self {
        SpaceGuard {
            min_free_percent,
            budget: 0,
            admitted_since_check: 0,
            checked: false,
            free_percent: 100.0,
        }
    }

    /// Admits `len` bytes if the file system of `dir` keeps minfree after them.
    pub(crate) fn admit(&mut self, dir: &File, len: u64) -> io::Result<Verdict> {
        if self.min_free_percent == 0 {
            return Ok(Verdict::Enough);
        }
        if !self.checked || len > self.budget || self.admitted_since_check >= RECHECK_BYTES {
            self.check(dir)?;
        }
        if len > self.budget {
            return Ok(Verdict::Low {
                free_percent: self.free_percent,
            });
        }
        self.budget -= len;
        self.admitted_since_check += len;
        Ok(Verdict::Enough)
    }

    fn check(&mut self, dir: &File) -> io::Result<()> {
        let space = FileSystemSpace::of(dir)?;
        let reserve = space.total / 100 * u64::from(self.min_free_percent)
            + space.total % 100 * u64::from(self.min_free_percent) / 100;
        self.budget = space.available.saturating_sub(reserve);
        self.free_percent = if space.total == 0 {
            0.0
        } else {
            space.available as f64 * 100.0 / space.total as f64
        };
        self.admitted_since_check = 0;
        self.checked = true;
        Ok(())
    }
}

/// A file system's size and the bytes an unprivileged writer may still use.
struct FileSystemSpace {
    total: u64,
    available: u64,
}

impl FileSystemSpace {
    // The block counts are u32 on some targets and u64 on others.
    #[allow(clippy::useless_conversion)]
    fn of(file: &File) -> io::Result<FileSystemSpace> {
        let mut stats = MaybeUninit::<libc::statvfs>::uninit();
        // SAFETY: the descriptor is open for as long as `file` is borrowed,
        // and `stats` points to writable memory of the size fstatvfs fills.
        let result = unsafe { libc::fstatvfs(file.as_raw_fd(), stats.as_mut_ptr()) };
        if result != 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: fstatvfs returned 0, so it filled in the whole structure.
        let stats = unsafe { stats.assume_init() };
        let block = u64::from(stats.f_frsize);
        Ok(FileSystemSpace {
            total: u64::from(stats.f_blocks).saturating_mul(block),
            available: u64::from(stats.f_bavail).saturating_mul(block),
        })
    }
}
