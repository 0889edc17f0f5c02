//! The one error type of this crate.

use std::fmt;

/// What went wrong, where: the byte offset from the start of the input (the
/// trail), and the id of the token being read, if one was.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind}{}, at byte offset {offset}", TokenIdSuffix(*.token_id))]
pub struct Error {
    pub kind: ErrorKind,
    pub token_id: Option<u8>,
    pub offset: u64,
}

impl Error {
    pub const fn new(kind: ErrorKind, token_id: Option<u8>, offset: u64) -> Self {
        Error {
            kind,
            token_id,
            offset,
        }
    }

    /// The same error, with its offset moved by `base` (a record's position in the trail).
    pub const fn shifted(mut self, base: u64) -> Self {
        self.offset += base;
        self
    }
}

struct TokenIdSuffix(Option<u8>);

impl fmt::Display for TokenIdSuffix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(id) => write!(f, " in token 0x{id:02x}"),
            None => Ok(()),
        }
    }
}

/// The kinds of failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The input ends before the token or record does. `needed` is exact
    /// for records and fixed-size tokens, a lower bound for tokens with
    /// variable-length fields.
    #[error("truncated: {needed} more bytes needed")]
    Truncated { needed: usize },
    /// An `_ex` address type other than 4 (IPv4) or 16 (IPv6).
    #[error("invalid address type {0}")]
    AddressType(u32),
    /// An arbitrary-data unit other than 0–3.
    #[error("invalid arbitrary-data unit {0}")]
    DataUnit(u8),
    /// A string that should end in a NUL does not.
    #[error("string without terminating NUL")]
    MissingNul,
    /// A standalone file token whose name is not one NUL-terminated string,
    /// which is what auditd writes: most likely a damaged length.
    #[error("file token name is not one NUL-terminated string")]
    FileName,
    /// A record does not begin with a header token.
    #[error("expected a header or file token, found id 0x{0:02x}")]
    NotAHeader(u8),
    /// A header's size is too small to hold a header and a trailer.
    #[error("record size {0} is too small")]
    RecordTooSmall(u32),
    /// A header's size is larger than the reader accepts.
    #[error("record size {size} exceeds the limit of {limit} bytes")]
    RecordTooLarge { size: u32, limit: u32 },
    /// The bytes where the trailer should be are not one, or disagree with the header.
    #[error("bad trailer: {0}")]
    BadTrailer(TrailerFault),
    /// A field's value cannot be encoded in the width the token gives it.
    #[error("{field} is too long to encode ({len} bytes or items)")]
    TooLong { field: &'static str, len: usize },
    /// A token's fields disagree with each other (encoding).
    #[error("inconsistent token: {0}")]
    Inconsistent(&'static str),
    /// Reading the input failed.
    #[error("read failed: {0}")]
    Io(std::io::ErrorKind),
}

/// How a trailer disagrees with its record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrailerFault {
    /// No trailer id (0x13) at the end of the record.
    Missing { found: u8 },
    /// The magic number is not 0xb105.
    Magic(u16),
    /// The trailer's size differs from the header's.
    Size { header: u32, trailer: u32 },
}

impl fmt::Display for TrailerFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrailerFault::Missing { found } => {
                write!(f, "expected trailer id 0x13, found 0x{found:02x}")
            }
            TrailerFault::Magic(magic) => write!(f, "magic 0x{magic:04x}, expected 0xb105"),
            TrailerFault::Size { header, trailer } => {
                write!(
                    f,
                    "trailer size {trailer} differs from header size {header}"
                )
            }
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
