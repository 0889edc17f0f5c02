//! Splitting a trail read from any `std::io::Read`, in bounded memory.
//!
//! Items come out as [`OwnedItem`]s over `bytes::Bytes`, so that an item can
//! be kept after the splitter has moved on.

use crate::bytes_view::Text;
use crate::error::{Error, ErrorKind, Result};
use crate::ids;
use crate::record::Record;
use crate::resync::{ReadOptions, ResyncSplitter};
#[cfg(doc)]
use crate::split::DEFAULT_MAX_RECORD_SIZE;
use crate::split::TrailItem;
use crate::token::{File32, File64, Token};
use crate::window::StreamWindow;
use bytes::Bytes;
use std::io::Read;

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

/// The fields of a standalone file token that [`OwnedFile`] keeps.
struct FileFields {
    seconds: u64,
    milliseconds: u64,
    name_len: usize,
}

impl FileFields {
    fn of(token: &Token<'_>) -> Self {
        let (seconds, milliseconds, name_len) = match token {
            Token::File(f) => (
                u64::from(f.seconds),
                u64::from(f.milliseconds),
                f.name.raw().len(),
            ),
            Token::OtherFile64(f) => (f.seconds, f.milliseconds, f.name.raw().len()),
            _ => (0, 0, 0),
        };
        FileFields {
            seconds,
            milliseconds,
            name_len,
        }
    }
}

impl OwnedFile {
    fn new(bytes: Bytes, fields: FileFields, offset: u64) -> Self {
        OwnedFile {
            name_at: bytes.len() - fields.name_len,
            bytes,
            offset,
            seconds: fields.seconds,
            milliseconds: fields.milliseconds,
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
/// It is the [`ResyncSplitter`] over a [`StreamWindow`], stopped at the
/// first damage: it yields the error and ends. It holds at most one item
/// plus one read chunk in memory; records larger than the size limit
/// ([`DEFAULT_MAX_RECORD_SIZE`] unless set) are reported as damage rather
/// than buffered.
#[derive(Debug)]
pub struct StreamSplitter<R> {
    splitter: ResyncSplitter<StreamWindow<R>>,
    stopped: bool,
}

impl<R: Read> StreamSplitter<R> {
    pub fn new(reader: R) -> Self {
        Self::with_options(reader, ReadOptions::default())
    }

    pub fn with_max_record_size(mut self, limit: u32) -> Self {
        self.splitter.set_max_record_size(limit);
        self
    }

    fn with_options(reader: R, options: ReadOptions) -> Self {
        StreamSplitter {
            splitter: ResyncSplitter::new("stream", StreamWindow::new(reader), options),
            stopped: false,
        }
    }

    /// The trail offset of the next unread item.
    pub const fn offset(&self) -> u64 {
        self.splitter.next_offset()
    }
}

impl<R: Read> Iterator for StreamSplitter<R> {
    type Item = Result<OwnedItem>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.stopped {
            return None;
        }
        let offset = self.splitter.next_offset();
        let item = match self.splitter.next_item() {
            Ok(Ok(Some(item))) => item,
            Ok(Ok(None)) => {
                self.stopped = true;
                return None;
            }
            Ok(Err(error)) => {
                self.stopped = true;
                return Some(Err(error));
            }
            Err(err) => {
                self.stopped = true;
                return Some(Err(Error::new(ErrorKind::Io(err.kind()), None, offset)));
            }
        };
        let owned = match item {
            TrailItem::Record(record) => Owned::Record {
                header_len: record.header_len(),
            },
            TrailItem::File(file) => Owned::File(FileFields::of(&file.token)),
        };
        let bytes = self.splitter.take_pending();
        Some(Ok(match owned {
            Owned::Record { header_len } => OwnedItem::Record(OwnedRecord {
                bytes,
                offset,
                header_len,
            }),
            Owned::File(fields) => OwnedItem::File(OwnedFile::new(bytes, fields, offset)),
        }))
    }
}

/// What is kept of an item before its bytes are taken from the window.
enum Owned {
    Record { header_len: usize },
    File(FileFields),
}
