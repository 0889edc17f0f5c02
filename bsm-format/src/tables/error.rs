//! Errors from reading audit_class and audit_event files and class-flag strings.

use std::io;
use std::path::PathBuf;

/// Why a table file, a table line or a flags string was rejected.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    /// The file could not be read at all.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// The file was read but its contents are invalid.
    #[error("{}: {source}", path.display())]
    InFile {
        path: PathBuf,
        #[source]
        source: Box<TableError>,
    },
    /// One line of a table is invalid; `line` counts from 1.
    #[error("line {line}: {problem}")]
    Line { line: usize, problem: LineProblem },
    /// A class-flags string names a class the class table does not have.
    #[error("unknown audit class `{0}`")]
    UnknownClass(String),
    /// A class-flags item is only a prefix (`^`, `+`, `-`, `^+`, `^-`).
    #[error("class flag `{0}` has no class name")]
    MissingClassName(String),
}

/// What is wrong with one line of audit_class or audit_event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LineProblem {
    /// The line stops before this field, or the field is empty.
    #[error("missing field `{0}`")]
    MissingField(&'static str),
    /// The line has more `:`-separated fields than the format has.
    #[error("{found} `:`-separated fields, expected {expected}")]
    TooManyFields { expected: usize, found: usize },
    /// The event number is not a decimal number.
    #[error("bad event number `{0}`")]
    BadNumber(String),
    /// The event number is decimal but does not fit in 16 bits.
    #[error("event number {0} is out of range 0-65535")]
    NumberOutOfRange(String),
    /// The class mask is neither `0x` hexadecimal nor decimal, or exceeds 32 bits.
    #[error("bad class mask `{0}`")]
    BadMask(String),
    /// The event's class list names a class the class table does not have.
    #[error("unknown audit class `{0}`")]
    UnknownClass(String),
}
