//! The errors of this crate: building tokens and records, keeping trail
//! files, and reading audit_control values.

use std::io;
use std::path::PathBuf;

/// Why a token or a record could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// A C string field holds a NUL byte; libbsm would silently cut the
    /// string there, so we refuse it instead.
    #[error("{token} token: {field} has a NUL byte at position {position}")]
    InteriorNul {
        token: &'static str,
        field: &'static str,
        position: usize,
    },
    /// A value the token cannot represent.
    #[error("{token} token: {problem}")]
    Invalid {
        token: &'static str,
        problem: String,
    },
    /// bsm-format's encoder refused the token (a field too long for its
    /// length field, fields that disagree).
    #[error("{token} token: {source}")]
    Encode {
        token: &'static str,
        source: bsm_format::Error,
    },
    /// A time whose seconds or milliseconds exceed the 32-bit fields of the
    /// token (use the 64-bit form).
    #[error("{token} token: time {seconds} s {milliseconds} ms does not fit 32-bit fields")]
    TimeOutOfRange {
        token: &'static str,
        seconds: u64,
        milliseconds: u64,
    },
    /// The record is longer than a header's u32 size field can say.
    #[error("record of {size} bytes is too large for a header's 32-bit size")]
    RecordTooLarge { size: usize },
    /// An `AUE_*` name that the built-in event table lacks.
    #[error("event {0} is not in the event table")]
    UnknownEvent(&'static str),
    /// The running process's credentials could not be read.
    #[error("cannot read process credentials from {path}: {problem}")]
    Credentials { path: &'static str, problem: String },
}

/// Why a trail operation failed. Every variant names the file or directory,
/// and the byte offset where one applies.
#[derive(Debug, thiserror::Error)]
pub enum TrailError {
    /// A file-system operation failed.
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        source: io::Error,
    },
    /// Writing failed; the file was cut back to `offset`, its last whole item.
    #[error("cannot write {} at offset {offset}: {source}", path.display())]
    Write {
        path: PathBuf,
        offset: u64,
        source: io::Error,
    },
    /// The record was written but syncing it to disk failed.
    #[error("record written to {} but not synced at offset {offset}: {source}", path.display())]
    Sync {
        path: PathBuf,
        offset: u64,
        source: io::Error,
    },
    /// A failed write left a partial item that could not be cut off; no
    /// record is appended until the cut succeeds.
    #[error("cannot cut {} back to offset {offset} after a failed write: {source}", path.display())]
    Cut {
        path: PathBuf,
        offset: u64,
        source: io::Error,
    },
    /// The file system is full: the record was not written (policy: stop).
    #[error("no space left for {}: record not written at offset {offset}", path.display())]
    NoSpace { path: PathBuf, offset: u64 },
    /// Free space is below minfree: the record was not written (policy: stop).
    #[error("{} has {free_percent:.1}% free, below minfree {min_free_percent}%: record not written", dir.display())]
    LowSpace {
        dir: PathBuf,
        free_percent: f64,
        min_free_percent: u8,
    },
    /// Another writer holds the trail directory.
    #[error("another writer holds the trail directory {}", dir.display())]
    Busy { dir: PathBuf },
    /// The trail directory may be written by other users, who could plant
    /// trails or links in it.
    #[error(
        "{} is {what} (mode {mode:o}, owner uid {owner}): other users could plant files in \
         it; make it 0750 and owned by root or the daemon's user, or allow it explicitly",
        dir.display()
    )]
    UnsafeDir {
        dir: PathBuf,
        what: &'static str,
        mode: u32,
        owner: u32,
    },
    /// A file in the trail directory is not a regular file (a symlink, a
    /// FIFO, a device): it is left alone.
    #[error("{} is not a regular file; left alone", path.display())]
    NotRegular { path: PathBuf },
    /// A trail file name that should be free is taken.
    #[error("{} already exists", path.display())]
    NameTaken { path: PathBuf },
    /// The bytes given to the writer are not one whole record.
    #[error("not a record: {0}")]
    NotARecord(bsm_format::Error),
    /// The bytes given hold a whole record and more.
    #[error("not one record: {given} bytes given, the header says {size}")]
    TrailingBytes { size: u32, given: usize },
    /// The record exceeds the largest record a reader accepts.
    #[error("record of {size} bytes exceeds the limit of {limit} bytes")]
    RecordTooLarge { size: usize, limit: u32 },
    /// A file token could not be built (a path too long for it).
    #[error("file token: {0}")]
    FileToken(BuildError),
}

/// A value of audit_control syntax (a size, an `expire-after` rule) that
/// does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {what} `{value}`: {problem}")]
pub struct ValueError {
    pub what: &'static str,
    pub value: String,
    pub problem: &'static str,
}
