//! Splitting a trail into records and standalone file tokens.
//!
//! [`Splitter`] works over a byte slice (a whole file or a memory map) and
//! borrows from it. [`crate::stream::StreamSplitter`] does the same over any
//! `std::io::Read` in bounded memory. Both rest on [`frame`], which finds how
//! long the next item is from its first bytes.

use crate::decode::decode_token;
use crate::error::{Error, ErrorKind, Result};
use crate::ids;
use crate::record::Record;
use crate::token::Token;

/// The default largest record a splitter accepts: a corrupt size field must
/// not make a stream reader buffer gigabytes.
pub const DEFAULT_MAX_RECORD_SIZE: u32 = 64 << 20;

/// What the first bytes of an item say about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frame {
    /// The item is `len` bytes long; `record` is false for a file token.
    Complete { len: usize, record: bool },
    /// At least `total` bytes are needed to know or to hold the item.
    NeedMore { total: usize },
    /// No valid item starts here.
    Invalid { kind: ErrorKind, token_id: u8 },
}

/// Frames the item at the start of `input`, looking at no more than its
/// first few bytes. `max_record_size` bounds what a header may claim.
pub fn frame(input: &[u8], max_record_size: u32) -> Frame {
    let Some(&id) = input.first() else {
        return Frame::NeedMore { total: 1 };
    };
    match id {
        ids::FILE | ids::OTHER_FILE64 => {
            // id, seconds and milliseconds (32- or 64-bit), then the name length.
            let fixed = if id == ids::FILE { 11 } else { 19 };
            match input.get(fixed - 2..fixed) {
                Some(&[hi, lo]) => Frame::Complete {
                    len: fixed + usize::from(u16::from_be_bytes([hi, lo])),
                    record: false,
                },
                _ => Frame::NeedMore { total: fixed },
            }
        }
        ids::HEADER32 | ids::HEADER32_EX | ids::HEADER64 | ids::HEADER64_EX => {
            let Some(&[b0, b1, b2, b3]) = input.get(1..5) else {
                return Frame::NeedMore { total: 5 };
            };
            let size = u32::from_be_bytes([b0, b1, b2, b3]);
            if (size as usize) < min_record_size(id) {
                Frame::Invalid {
                    kind: ErrorKind::RecordTooSmall(size),
                    token_id: id,
                }
            } else if size > max_record_size {
                Frame::Invalid {
                    kind: ErrorKind::RecordTooLarge {
                        size,
                        limit: max_record_size,
                    },
                    token_id: id,
                }
            } else {
                Frame::Complete {
                    len: size as usize,
                    record: true,
                }
            }
        }
        other => Frame::Invalid {
            kind: ErrorKind::NotAHeader(other),
            token_id: other,
        },
    }
}

/// The smallest record a header of this id can start: the header with an
/// IPv4 host where it has one, and a trailer.
const fn min_record_size(header_id: u8) -> usize {
    let header = match header_id {
        ids::HEADER32 => 18,
        ids::HEADER32_EX => 26,
        ids::HEADER64 => 26,
        _ => 34,
    };
    header + ids::TRAILER_LEN
}

/// An item of a trail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrailItem<'a> {
    Record(Record<'a>),
    /// A standalone file token (0x11 or 0x78), as auditd writes at the start
    /// and end of a trail file.
    File(FileItem<'a>),
}

impl<'a> TrailItem<'a> {
    /// The item's byte offset in the trail.
    pub const fn offset(&self) -> u64 {
        match self {
            TrailItem::Record(r) => r.offset(),
            TrailItem::File(f) => f.offset,
        }
    }

    /// The item's bytes.
    pub const fn bytes(&self) -> &'a [u8] {
        match self {
            TrailItem::Record(r) => r.bytes(),
            TrailItem::File(f) => f.bytes,
        }
    }
}

/// A standalone file token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileItem<'a> {
    pub offset: u64,
    pub bytes: &'a [u8],
    /// A [`Token::File`] or [`Token::OtherFile64`].
    pub token: Token<'a>,
}

/// Checks and wraps a complete item of `bytes` (as framed by [`frame`]).
///
/// A record must have a trailer that agrees with its header; a standalone
/// file token must have a name that is one NUL-terminated string.
#[inline(always)]
pub fn parse_item(bytes: &[u8], record: bool, offset: u64) -> Result<TrailItem<'_>> {
    if record {
        return Record::parse(bytes, offset).map(TrailItem::Record);
    }
    let (token, _) = decode_token(bytes).map_err(|err| err.shifted(offset))?;
    let name = match &token {
        Token::File(f) => f.name.raw(),
        Token::OtherFile64(f) => f.name.raw(),
        _ => &[],
    };
    // A file token has no size field or trailer to check it by; a name that
    // is one C string is what tells a real one from a damaged length.
    match name.iter().position(|&b| b == 0) {
        Some(end) if end + 1 == name.len() => {}
        _ => return Err(Error::new(ErrorKind::FileName, Some(bytes[0]), offset)),
    }
    Ok(TrailItem::File(FileItem {
        offset,
        bytes,
        token,
    }))
}

/// Splits a trail held in memory into records and file tokens, each with its
/// offset. At the first damage it yields the error and then ends; a reader
/// that resynchronises can [`Splitter::resume_at`] a later position.
#[derive(Debug, Clone)]
pub struct Splitter<'a> {
    input: &'a [u8],
    position: usize,
    base_offset: u64,
    max_record_size: u32,
    stopped: bool,
}

impl<'a> Splitter<'a> {
    pub fn new(input: &'a [u8]) -> Self {
        Splitter {
            input,
            position: 0,
            base_offset: 0,
            max_record_size: u32::MAX,
            stopped: false,
        }
    }

    /// Adds `base` to every offset reported: for input that is a window of a larger trail.
    pub fn with_base_offset(mut self, base: u64) -> Self {
        self.base_offset = base;
        self
    }

    /// Refuses records larger than `limit` bytes as damage.
    pub fn with_max_record_size(mut self, limit: u32) -> Self {
        self.max_record_size = limit;
        self
    }

    /// The position in the input of the next item.
    pub const fn position(&self) -> usize {
        self.position
    }

    /// Continues splitting at `position`, after an error or not.
    pub fn resume_at(&mut self, position: usize) {
        self.position = position.min(self.input.len());
        self.stopped = false;
    }

    fn fail(&mut self, kind: ErrorKind, token_id: Option<u8>) -> Option<Result<TrailItem<'a>>> {
        self.stopped = true;
        Some(Err(Error::new(
            kind,
            token_id,
            self.base_offset + self.position as u64,
        )))
    }
}

impl<'a> Iterator for Splitter<'a> {
    type Item = Result<TrailItem<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.stopped || self.position >= self.input.len() {
            return None;
        }
        let rest = &self.input[self.position..];
        match frame(rest, self.max_record_size) {
            Frame::Complete { len, record } if len <= rest.len() => {
                let offset = self.base_offset + self.position as u64;
                match parse_item(&rest[..len], record, offset) {
                    Ok(item) => {
                        self.position += len;
                        Some(Ok(item))
                    }
                    Err(err) => {
                        self.stopped = true;
                        Some(Err(err))
                    }
                }
            }
            Frame::Complete { len: total, .. } | Frame::NeedMore { total } => self.fail(
                ErrorKind::Truncated {
                    needed: total - rest.len(),
                },
                rest.first().copied(),
            ),
            Frame::Invalid { kind, token_id } => self.fail(kind, Some(token_id)),
        }
    }
}
