//! Splitting a trail read from any `std::io::Read`, in bounded memory.
//!
//! Items come out as [`OwnedItem`]s over `bytes::Bytes`: the buffer is split,
//! not copied, and an item can be kept after the splitter has moved on.

use crate::bytes_view::Text;
use crate::error::{Error, ErrorKind, Result};
use crate::ids;
use crate::record::Record;
use crate::split::{DEFAULT_MAX_RECORD_SIZE, Frame, TrailItem, frame, parse_item};
use crate::token::{File32, File64, Token};
use bytes::{Bytes, BytesMut};
use std::io::{self, Read};

/// How much is asked of the reader at a time.
const READ_CHUNK: usize = 64 * 1024;

/// A record that owns its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedRecord {
    bytes: Bytes,
    offset: u64,
    header_len: usize,
}

impl OwnedRecord {
    /// Checks `bytes` as one record (see [`Record::parse`]); bytes after the
    /// record's size are not kept.
    pub fn new(bytes: Bytes, offset: u64) -> Result<Self> {
        let record = Record::parse(&bytes, offset)?;
        let header_len = record.header_len();
        let len = record.bytes().len();
        Ok(OwnedRecord {
            bytes: bytes.slice(..len),
            offset,
            header_len,
        })
    }

    /// The borrowed view, to read the header and tokens.
    pub fn record(&self) -> Record<'_> {
        Record::from_checked(&self.bytes, self.offset, self.header_len)
    }

    pub fn bytes(&self) -> &Bytes {
        &self.bytes
    }

    pub const fn offset(&self) -> u64 {
        self.offset
    }
}

/// A standalone file token that owns its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedFile {
    bytes: Bytes,
    offset: u64,
    seconds: u64,
    milliseconds: u64,
    /// Where the name field starts in `bytes`.
    name_at: usize,
}

impl OwnedFile {
    fn new(bytes: Bytes, token: &Token<'_>, offset: u64) -> Self {
        let (seconds, milliseconds, name_len) = match token {
            Token::File(f) => (
                u64::from(f.seconds),
                u64::from(f.milliseconds),
                f.name.raw().len(),
            ),
            Token::OtherFile64(f) => (f.seconds, f.milliseconds, f.name.raw().len()),
            _ => (0, 0, 0),
        };
        let name_at = bytes.len() - name_len;
        OwnedFile {
            bytes,
            offset,
            seconds,
            milliseconds,
            name_at,
        }
    }

    /// The decoded file token.
    pub fn token(&self) -> Token<'_> {
        let name = Text::from_raw(&self.bytes[self.name_at..]);
        match (
            u32::try_from(self.seconds),
            u32::try_from(self.milliseconds),
        ) {
            (Ok(seconds), Ok(milliseconds)) if self.bytes[0] == ids::FILE => Token::File(File32 {
                seconds,
                milliseconds,
                name,
            }),
            _ => Token::OtherFile64(File64 {
                seconds: self.seconds,
                milliseconds: self.milliseconds,
                name,
            }),
        }
    }

    pub fn bytes(&self) -> &Bytes {
        &self.bytes
    }

    pub const fn offset(&self) -> u64 {
        self.offset
    }
}

/// An item of a trail that owns its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OwnedItem {
    Record(OwnedRecord),
    File(OwnedFile),
}

impl OwnedItem {
    pub const fn offset(&self) -> u64 {
        match self {
            OwnedItem::Record(r) => r.offset,
            OwnedItem::File(f) => f.offset,
        }
    }

    pub fn bytes(&self) -> &Bytes {
        match self {
            OwnedItem::Record(r) => &r.bytes,
            OwnedItem::File(f) => &f.bytes,
        }
    }
}

/// Splits a trail read from `R` into owned records and file tokens.
///
/// It holds at most one item plus one read chunk in memory; records larger
/// than the size limit ([`DEFAULT_MAX_RECORD_SIZE`] unless set) are reported
/// as damage rather than buffered. At the first damage it yields the error
/// and ends.
#[derive(Debug)]
pub struct StreamSplitter<R> {
    reader: R,
    buffer: BytesMut,
    scratch: Box<[u8]>,
    offset: u64,
    max_record_size: u32,
    stopped: bool,
}

impl<R: Read> StreamSplitter<R> {
    pub fn new(reader: R) -> Self {
        StreamSplitter {
            reader,
            buffer: BytesMut::new(),
            scratch: vec![0; READ_CHUNK].into_boxed_slice(),
            offset: 0,
            max_record_size: DEFAULT_MAX_RECORD_SIZE,
            stopped: false,
        }
    }

    pub fn with_max_record_size(mut self, limit: u32) -> Self {
        self.max_record_size = limit;
        self
    }

    /// The trail offset of the next unread item.
    pub const fn offset(&self) -> u64 {
        self.offset
    }

    /// Reads until the buffer holds `total` bytes; false at end of input.
    fn fill(&mut self, total: usize) -> io::Result<bool> {
        while self.buffer.len() < total {
            // Read into a scratch chunk and append what came: a reader that
            // returns a few bytes at a time costs only those bytes.
            let read = loop {
                match self.reader.read(&mut self.scratch) {
                    Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                    other => break other,
                }
            }?;
            if read == 0 {
                return Ok(false);
            }
            self.buffer.extend_from_slice(&self.scratch[..read]);
        }
        Ok(true)
    }

    fn fail(&mut self, kind: ErrorKind, token_id: Option<u8>) -> Option<Result<OwnedItem>> {
        self.stopped = true;
        Some(Err(Error::new(kind, token_id, self.offset)))
    }
}

impl<R: Read> Iterator for StreamSplitter<R> {
    type Item = Result<OwnedItem>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.stopped {
            return None;
        }
        loop {
            let (total, record) = match frame(&self.buffer, self.max_record_size) {
                Frame::Complete { len, record } => (len, Some(record)),
                Frame::NeedMore { total } => (total, None),
                Frame::Invalid { kind, token_id } => return self.fail(kind, Some(token_id)),
            };
            match (record, total <= self.buffer.len()) {
                (Some(record), true) => {
                    let bytes = self.buffer.split_to(total).freeze();
                    let offset = self.offset;
                    self.offset += total as u64;
                    return Some(match parse_item(&bytes, record, offset) {
                        Ok(TrailItem::Record(r)) => {
                            let header_len = r.header_len();
                            Ok(OwnedItem::Record(OwnedRecord {
                                bytes,
                                offset,
                                header_len,
                            }))
                        }
                        Ok(TrailItem::File(f)) => {
                            let token = f.token;
                            Ok(OwnedItem::File(OwnedFile::new(
                                bytes.clone(),
                                &token,
                                offset,
                            )))
                        }
                        Err(err) => {
                            self.stopped = true;
                            Err(err)
                        }
                    });
                }
                _ => match self.fill(total) {
                    Ok(true) => {}
                    Ok(false) if self.buffer.is_empty() => {
                        self.stopped = true;
                        return None;
                    }
                    Ok(false) => {
                        let needed = total - self.buffer.len();
                        let id = self.buffer.first().copied();
                        return self.fail(ErrorKind::Truncated { needed }, id);
                    }
                    Err(err) => return self.fail(ErrorKind::Io(err.kind()), None),
                },
            }
        }
    }
}
