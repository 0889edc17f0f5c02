//! Reading a trail: records and file tokens in order, with every damaged
//! region reported and skipped.
//!
//! After damage the reader resynchronises on the next plausible record: a
//! header id whose size lands on a trailer that agrees with it. Everything in
//! between is one [`Damage`], with its file, offset and length.

use crate::window::{MappedData, Window};
use bsm_format::{
    DEFAULT_MAX_RECORD_SIZE, Error as FormatError, ErrorKind, Frame, Record, RecordShape, Token,
    TrailItem, frame, ids, parse_item,
};
use memmap2::Mmap;
use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::time::Duration;

/// How often a followed input is polled for more bytes.
const FOLLOW_POLL: Duration = Duration::from_millis(200);

/// A region of an input that holds no intact record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damage {
    /// The input's name (its path, or `stdin`).
    pub source: String,
    /// The byte offset where the region starts.
    pub offset: u64,
    /// The region's length in bytes.
    pub length: u64,
    /// What was wrong at its start.
    pub error: FormatError,
}

impl fmt::Display for Damage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: damaged region at byte offset {}, {} bytes skipped: {}",
            self.source, self.offset, self.length, self.error.kind
        )?;
        match (self.error.token_id, self.error.kind) {
            (_, ErrorKind::NotAHeader(_)) | (None, _) => {}
            (Some(id), _) => write!(f, " (token 0x{id:02x})")?,
        }
        if self.error.offset != self.offset {
            write!(f, " at byte offset {}", self.error.offset)?;
        }
        Ok(())
    }
}

/// What the reader yields.
#[derive(Debug)]
pub enum Event<'a> {
    Item(TrailItem<'a>),
    Damage(Damage),
}

/// Options of a [`TrailReader`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadOptions {
    /// Skip, without calling it damage, whatever precedes the first record
    /// (praudit's `-p`, for input that starts mid-record, such as `tail`'s).
    pub sync_at_start: bool,
    /// At the end of input, wait for more instead of ending (praudit's `-f`).
    pub follow: bool,
    /// Larger records are treated as damage.
    pub max_record_size: u32,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            sync_at_start: false,
            follow: false,
            max_record_size: DEFAULT_MAX_RECORD_SIZE,
        }
    }
}

/// Reads one input.
pub struct TrailReader {
    source: String,
    window: Window,
    /// The trail offset of `window.data()[0]`.
    offset: u64,
    /// Bytes of the item last returned, consumed on the next call.
    pending: usize,
    /// The item last returned, kept so that [`TrailReader::current`] can
    /// give it again.
    current: Option<CurrentItem>,
    options: ReadOptions,
    started: bool,
}

impl TrailReader {
    /// Opens a file: memory-mapped when it is a regular file (and not
    /// followed), read as a stream otherwise (a FIFO, a character device).
    pub fn open(path: &Path, options: ReadOptions) -> io::Result<Self> {
        let file = File::open(path)?;
        let source = path.display().to_string();
        let metadata = file.metadata()?;
        if metadata.is_file() && !options.follow {
            if metadata.len() == 0 {
                return Ok(Self::from_window(
                    source,
                    Window::mapped(MappedData::Owned(Vec::new())),
                    options,
                ));
            }
            // SAFETY: the map is read-only and private to this reader. A trail
            // truncated by another process while mapped would fault (SIGBUS); trail
            // files are only appended to, and a growing trail is followed with
            // `follow`, which reads instead of mapping.
            let map = unsafe { Mmap::map(&file)? };
            return Ok(Self::from_window(
                source,
                Window::mapped(MappedData::Map(map)),
                options,
            ));
        }
        Ok(Self::from_reader(source, Box::new(file), options))
    }

    /// Reads a stream, such as standard input.
    pub fn from_reader(
        source: impl Into<String>,
        reader: Box<dyn Read + Send>,
        options: ReadOptions,
    ) -> Self {
        Self::from_window(source.into(), Window::stream(reader), options)
    }

    /// Reads bytes already in memory.
    pub fn from_bytes(source: impl Into<String>, bytes: Vec<u8>, options: ReadOptions) -> Self {
        Self::from_window(
            source.into(),
            Window::mapped(MappedData::Owned(bytes)),
            options,
        )
    }

    fn from_window(source: String, window: Window, options: ReadOptions) -> Self {
        TrailReader {
            source,
            window,
            offset: 0,
            pending: 0,
            current: None,
            options,
            started: false,
        }
    }

    /// The input's name, as used in [`Damage`].
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The next record, file token or damaged region; `None` at the end.
    ///
    /// An I/O error ends the input; it is returned as an `Err`.
    pub fn next_event(&mut self) -> io::Result<Option<Event<'_>>> {
        self.consume(self.pending);
        self.pending = 0;
        self.current = None;
        if !self.started {
            self.started = true;
            if self.options.sync_at_start {
                self.window.want(1)?;
                let first = self.window.data().first().copied();
                self.skip_to_record()?;
                // Skipping into a record is what -p is for; an input with no
                // record at all is damage all the same.
                if self.offset > 0 && self.window.data().is_empty() {
                    return Ok(Some(Event::Damage(Damage {
                        source: self.source.clone(),
                        offset: 0,
                        length: self.offset,
                        error: FormatError::new(
                            ErrorKind::NotAHeader(first.unwrap_or(0)),
                            first,
                            0,
                        ),
                    })));
                }
            }
        }
        loop {
            self.window.want(1)?;
            if self.window.data().is_empty() {
                if self.wait_for_more()? {
                    continue;
                }
                return Ok(None);
            }
            match self.frame_next()? {
                Next::Item { len, record } => {
                    let offset = self.offset;
                    // Check first, keeping only owned results, so that the
                    // borrow of the window can be returned below.
                    let checked = match parse_item(&self.window.data()[..len], record, offset) {
                        Ok(TrailItem::Record(r)) => Ok(Some(r.shape())),
                        Ok(TrailItem::File(_)) => Ok(None),
                        Err(error) => Err(error),
                    };
                    let shape = match checked {
                        Ok(shape) => shape,
                        Err(error) => return self.damage(error).map(Some),
                    };
                    self.pending = len;
                    self.current = Some(match shape {
                        Some(shape) => CurrentItem::Record(shape),
                        None => CurrentItem::File,
                    });
                    return Ok(self.current().map(Event::Item));
                }
                Next::Wait => continue,
                Next::Bad(error) => return self.damage(error).map(Some),
            }
        }
    }

    /// Calls `visit` with every event to the end of the input, as
    /// [`TrailReader::next_event`] would give them, and stops early at the
    /// first error of reading or of `visit`.
    ///
    /// For a mapped input this is the fast way through: whole stretches of
    /// intact items are split straight from the map, and only damage goes
    /// through the resynchronising reader.
    pub fn for_each_event<E>(
        &mut self,
        mut visit: impl FnMut(Event<'_>) -> Result<(), E>,
    ) -> Result<(), VisitError<E>> {
        loop {
            if self.started && self.window.is_mapped() {
                self.consume(self.pending);
                self.pending = 0;
                self.current = None;
                self.visit_intact(&mut visit)?;
            }
            match self.next_event().map_err(VisitError::Read)? {
                Some(event) => visit(event).map_err(VisitError::Visit)?,
                None => return Ok(()),
            }
        }
    }

    /// Visits the intact records of a mapped input from the current
    /// position, up to the end or to anything else (a file token, damage),
    /// which is left for `next_event`.
    fn visit_intact<E>(
        &mut self,
        visit: &mut impl FnMut(Event<'_>) -> Result<(), E>,
    ) -> Result<(), VisitError<E>> {
        let max_size = self.options.max_record_size as usize;
        loop {
            let data = self.window.data();
            let mut used = 0;
            let mut stopped = false;
            // Record::parse checks the header against its trailer itself, so
            // a record needs no separate framing here.
            while used < VISIT_BATCH {
                let Some(rest) = data.get(used..).filter(|rest| !rest.is_empty()) else {
                    stopped = true;
                    break;
                };
                match Record::parse(rest, self.offset + used as u64) {
                    Ok(record) if record.bytes().len() <= max_size => {
                        used += record.bytes().len();
                        visit(Event::Item(TrailItem::Record(record))).map_err(VisitError::Visit)?;
                    }
                    _ => {
                        stopped = true;
                        break;
                    }
                }
            }
            // Give the window a turn to release the pages behind.
            self.consume(used);
            if stopped {
                return Ok(());
            }
        }
    }

    /// The record or file token that [`TrailReader::next_event`] returned
    /// last, again; `None` if it returned anything else. This lets a caller
    /// that holds several readers (a merge) keep their items without
    /// keeping borrows of them.
    pub fn current(&self) -> Option<TrailItem<'_>> {
        let data = self.window.data().get(..self.pending)?;
        match self.current? {
            CurrentItem::Record(shape) => {
                Record::with_shape(data, self.offset, shape).map(TrailItem::Record)
            }
            CurrentItem::File => parse_item(data, false, self.offset).ok(),
        }
    }

    /// Frames the item at the current position, reading as much as it needs.
    fn frame_next(&mut self) -> io::Result<Next> {
        loop {
            let data = self.window.data();
            let (total, record) = match frame(data, self.options.max_record_size) {
                Frame::Complete { len, record } => (len, Some(record)),
                Frame::NeedMore { total } => (total, None),
                Frame::Invalid { kind, token_id } => {
                    return Ok(Next::Bad(FormatError::new(
                        kind,
                        Some(token_id),
                        self.offset,
                    )));
                }
            };
            if let (Some(record), true) = (record, total <= data.len()) {
                return Ok(Next::Item { len: total, record });
            }
            self.window.want(total)?;
            if self.window.data().len() < total {
                if self.wait_for_more()? {
                    return Ok(Next::Wait);
                }
                let error = FormatError::new(
                    ErrorKind::Truncated {
                        needed: total - self.window.data().len(),
                    },
                    self.window.data().first().copied(),
                    self.offset,
                );
                return Ok(Next::Bad(error));
            }
        }
    }

    /// At the end of the input: when following, waits and returns true.
    fn wait_for_more(&mut self) -> io::Result<bool> {
        if !self.options.follow || !self.window.exhausted() {
            return Ok(false);
        }
        std::thread::sleep(FOLLOW_POLL);
        self.window.rearm();
        Ok(true)
    }

    /// Skips from the current (damaged) position to the next plausible record.
    fn damage(&mut self, error: FormatError) -> io::Result<Event<'_>> {
        let start = self.offset;
        self.consume(1);
        self.skip_to_record()?;
        Ok(Event::Damage(Damage {
            source: self.source.clone(),
            offset: start,
            length: self.offset - start,
            error,
        }))
    }

    /// Advances to the next position where a whole, consistent item starts,
    /// or to the end of the input.
    fn skip_to_record(&mut self) -> io::Result<()> {
        loop {
            self.window.want(1)?;
            let data = self.window.data();
            if data.is_empty() {
                return Ok(());
            }
            match data
                .iter()
                .position(|&b| ids::is_header(b) || ids::is_file(b))
            {
                Some(0) => {
                    if self.item_starts_here()? {
                        return Ok(());
                    }
                    self.consume(1);
                }
                Some(skip) => self.consume(skip),
                None => {
                    let len = data.len();
                    self.consume(len);
                }
            }
        }
    }

    /// True if a record whose trailer agrees with its header starts at the
    /// current position; or a file token whose name is a non-empty C string
    /// and which is followed by the end of input or by another item's id
    /// (a file token has no size or trailer of its own to check).
    fn item_starts_here(&mut self) -> io::Result<bool> {
        loop {
            let data = self.window.data();
            match frame(data, self.options.max_record_size) {
                Frame::Complete { len, record }
                    if len < data.len()
                        || (len == data.len() && (record || self.window.exhausted())) =>
                {
                    return Ok(match parse_item(&data[..len], record, self.offset) {
                        Ok(TrailItem::Record(_)) => true,
                        Ok(TrailItem::File(file)) => {
                            let named = match file.token {
                                Token::File(f) => f.name.raw().len() > 1,
                                Token::OtherFile64(f) => f.name.raw().len() > 1,
                                _ => false,
                            };
                            named
                                && data
                                    .get(len)
                                    .is_none_or(|&next| ids::is_header(next) || ids::is_file(next))
                        }
                        Err(_) => false,
                    });
                }
                Frame::Complete { len, .. } => {
                    // A file token needs one byte past it, to see what follows.
                    let total = len + 1;
                    self.window.want(total)?;
                    if self.window.data().len() < len {
                        return Ok(false);
                    }
                    if self.window.data().len() < total && !self.window.exhausted() {
                        return Ok(false);
                    }
                    if self.window.data().len() == len {
                        continue;
                    }
                }
                Frame::NeedMore { total } => {
                    self.window.want(total)?;
                    if self.window.data().len() < total {
                        return Ok(false);
                    }
                }
                Frame::Invalid { .. } => return Ok(false),
            }
        }
    }

    fn consume(&mut self, n: usize) {
        let n = n.min(self.window.data().len());
        self.window.advance(n);
        self.offset += n as u64;
    }
}

/// How many bytes of a mapped input [`TrailReader::for_each_event`] reads
/// between two turns of the window (which releases the pages behind).
const VISIT_BATCH: usize = 1 << 20;

/// Why [`TrailReader::for_each_event`] stopped early.
#[derive(Debug)]
pub enum VisitError<E> {
    /// Reading the input failed.
    Read(io::Error),
    /// The visitor returned an error.
    Visit(E),
}

/// What [`TrailReader::current`] rebuilds from the pending bytes.
#[derive(Debug, Clone, Copy)]
enum CurrentItem {
    Record(RecordShape),
    File,
}

enum Next {
    Item { len: usize, record: bool },
    Wait,
    Bad(FormatError),
}
