//! Splitting a trail with every damaged region reported and skipped.
//!
//! After damage the splitter resynchronises on the next plausible record: a
//! header id whose size lands on a trailer that agrees with it. Everything in
//! between is one [`Damage`], with its input, offset and length. This is the
//! one splitter over streams: bsm-reader's `TrailReader` and lxbsmd read
//! through it, and [`crate::StreamSplitter`] is it, stopped at the first
//! damage.

use crate::error::{Error, ErrorKind};
use crate::ids;
use crate::record::{Record, RecordShape};
use crate::split::{DEFAULT_MAX_RECORD_SIZE, Frame, TrailItem, frame, parse_item};
use crate::token::Token;
use crate::window::{StreamWindow, Window};
use std::fmt;
use std::io;
use std::time::Duration;

/// How often a followed input is polled for more bytes.
const FOLLOW_POLL: Duration = Duration::from_millis(200);

/// A region of an input that holds no intact record; or, with `length` 0,
/// a record delivered all the same, whose one fault (a bad trailer magic,
/// with the trailer's id and size right) did not touch its contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damage {
    /// The input's name (its path, or `stdin`).
    pub source: String,
    /// The byte offset where the region (or the flawed record) starts.
    pub offset: u64,
    /// The region's length in bytes; 0 for a flawed record delivered.
    pub length: u64,
    /// What was wrong at its start.
    pub error: Error,
}

impl fmt::Display for Damage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.length == 0 {
            return write!(
                f,
                "{}: record at byte offset {} delivered despite its {} at byte offset {}",
                self.source, self.offset, self.error.kind, self.error.offset
            );
        }
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

/// What the splitter yields.
#[derive(Debug)]
pub enum Event<'a> {
    Item(TrailItem<'a>),
    Damage(Damage),
}

/// Options of a [`ResyncSplitter`].
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

/// Splits one input into records, file tokens and damaged regions.
#[derive(Debug)]
pub struct ResyncSplitter<W> {
    source: String,
    window: W,
    /// The trail offset of `window.data()[0]`.
    offset: u64,
    /// Bytes of the item last returned, consumed on the next call.
    pending: usize,
    /// The item last returned, kept so that [`ResyncSplitter::current`] can
    /// give it again.
    current: Option<CurrentItem>,
    options: ReadOptions,
    started: bool,
    /// What was wrong with the record last returned though it was whole
    /// (a bad trailer magic), reported on the next call.
    flaw: Option<Damage>,
}

/// What [`ResyncSplitter::current`] rebuilds from the pending bytes.
#[derive(Debug, Clone, Copy)]
enum CurrentItem {
    Record(RecordShape),
    File,
}

enum Next {
    Item { len: usize, record: bool },
    Wait,
    Bad(Error),
}

impl<W: Window> ResyncSplitter<W> {
    /// `source` names the input in [`Damage`] reports.
    pub fn new(source: impl Into<String>, window: W, options: ReadOptions) -> Self {
        ResyncSplitter {
            source: source.into(),
            window,
            offset: 0,
            pending: 0,
            current: None,
            options,
            started: false,
            flaw: None,
        }
    }

    /// The input's name, as used in [`Damage`].
    pub fn source(&self) -> &str {
        &self.source
    }

    pub fn window(&self) -> &W {
        &self.window
    }

    pub const fn options(&self) -> &ReadOptions {
        &self.options
    }

    pub(crate) fn set_max_record_size(&mut self, limit: u32) {
        self.options.max_record_size = limit;
    }

    /// The trail offset of the next unread item.
    pub const fn next_offset(&self) -> u64 {
        self.offset + self.pending as u64
    }

    /// Whether the next item is already in memory whole, so that
    /// [`ResyncSplitter::next_event`] will not wait on the input for it. A
    /// caller that buffers its output flushes it when this is false: on a
    /// live stream, that is before the splitter waits.
    pub fn next_item_at_hand(&self) -> bool {
        let rest = self.window.data().get(self.pending..).unwrap_or_default();
        match frame(rest, self.options.max_record_size) {
            Frame::Complete { len, .. } => len <= rest.len(),
            Frame::NeedMore { .. } => false,
            // Damage: resynchronising may read on, but there is output to
            // come either way (the damage report at least).
            Frame::Invalid { .. } => true,
        }
    }

    /// The next record, file token or damaged region; `None` at the end.
    ///
    /// An I/O error ends the input; it is returned as an `Err`.
    #[inline]
    pub fn next_event(&mut self) -> io::Result<Option<Event<'_>>> {
        if let Some(damage) = self.start()? {
            return Ok(Some(Event::Damage(damage)));
        }
        if let Some(flaw) = self.flaw.take() {
            return Ok(Some(Event::Damage(flaw)));
        }
        match self.next_checked(true)? {
            Ok(true) => Ok(self.current().map(Event::Item)),
            Ok(false) => Ok(None),
            Err(error) => self.damage(error).map(|d| Some(Event::Damage(d))),
        }
    }

    /// The next record or file token, `None` at the end, or what is wrong
    /// at the current position, which is left as it is (the caller stops).
    #[inline]
    pub fn next_item(&mut self) -> io::Result<Result<Option<TrailItem<'_>>, Error>> {
        if let Some(damage) = self.start()? {
            return Ok(Err(damage.error));
        }
        Ok(match self.next_checked(false)? {
            Ok(true) => Ok(self.current()),
            Ok(false) => Ok(None),
            Err(error) => Err(error),
        })
    }

    /// The record or file token that the splitter returned last, again;
    /// `None` if it returned anything else. This lets a caller that holds
    /// several splitters (a merge) keep their items without keeping borrows
    /// of them.
    #[inline]
    pub fn current(&self) -> Option<TrailItem<'_>> {
        let data = self.window.data().get(..self.pending)?;
        match self.current? {
            CurrentItem::Record(shape) => {
                Record::with_shape(data, self.offset, shape).map(TrailItem::Record)
            }
            CurrentItem::File => parse_item(data, false, self.offset).ok(),
        }
    }

    /// For walks of a whole input in memory: consumes the item last handed
    /// out, so that [`ResyncSplitter::unread`] starts at the next item;
    /// false if the input is a stream, splitting has not started, or the
    /// item handed out has a flaw still to report.
    pub fn settle(&mut self) -> bool {
        // A flaw of the item handed out is reported by the next call first.
        if !(self.started && self.window.holds_all()) || self.flaw.is_some() {
            return false;
        }
        self.consume(self.pending);
        self.pending = 0;
        self.current = None;
        true
    }

    /// After [`ResyncSplitter::settle`]: the unread bytes and the trail
    /// offset of their first.
    pub fn unread(&self) -> (&[u8], u64) {
        (self.window.data(), self.offset)
    }

    /// After [`ResyncSplitter::settle`]: moves past `n` bytes of intact
    /// items that the caller walked itself in [`ResyncSplitter::unread`].
    pub fn skip_walked(&mut self, n: usize) {
        self.consume(n);
    }

    /// On the first call, skips to the first record under `sync_at_start`;
    /// an input with no record at all is damage all the same.
    #[inline]
    fn start(&mut self) -> io::Result<Option<Damage>> {
        self.consume(self.pending);
        self.pending = 0;
        self.current = None;
        if self.started {
            return Ok(None);
        }
        self.started = true;
        if !self.options.sync_at_start {
            return Ok(None);
        }
        self.window.want(1)?;
        let first = self.window.data().first().copied();
        self.skip_to_record()?;
        if self.offset > 0 && self.window.data().is_empty() {
            return Ok(Some(Damage {
                source: self.source.clone(),
                offset: 0,
                length: self.offset,
                error: Error::new(ErrorKind::NotAHeader(first.unwrap_or(0)), first, 0),
            }));
        }
        Ok(None)
    }

    /// Frames and checks the item at the current position: true when it is
    /// pending, false at the end of input. With `keep_flawed`, a record whose
    /// only fault is its trailer's magic is pending too, its fault in
    /// `self.flaw`.
    #[inline]
    fn next_checked(&mut self, keep_flawed: bool) -> io::Result<Result<bool, Error>> {
        loop {
            self.window.want(1)?;
            if self.window.data().is_empty() {
                if self.wait_for_more()? {
                    continue;
                }
                return Ok(Ok(false));
            }
            match self.frame_next()? {
                Next::Item { len, record } => {
                    let offset = self.offset;
                    // Check first, keeping only owned results, so that the
                    // borrow of the window can be returned by `current`.
                    let bytes = &self.window.data()[..len];
                    let shape = match parse_item(bytes, record, offset) {
                        Ok(TrailItem::Record(r)) => Some(r.shape()),
                        Ok(TrailItem::File(_)) => None,
                        Err(error) => match Record::parse_despite_magic(bytes, offset) {
                            Some(r) if keep_flawed => {
                                self.flaw = Some(Damage {
                                    source: self.source.clone(),
                                    offset,
                                    length: 0,
                                    error,
                                });
                                Some(r.shape())
                            }
                            _ => return Ok(Err(error)),
                        },
                    };
                    self.pending = len;
                    self.current = Some(match shape {
                        Some(shape) => CurrentItem::Record(shape),
                        None => CurrentItem::File,
                    });
                    return Ok(Ok(true));
                }
                Next::Wait => continue,
                Next::Bad(error) => return Ok(Err(error)),
            }
        }
    }

    /// Frames the item at the current position, reading as much as it needs.
    #[inline]
    fn frame_next(&mut self) -> io::Result<Next> {
        loop {
            let data = self.window.data();
            let (total, record) = match frame(data, self.options.max_record_size) {
                Frame::Complete { len, record } => (len, Some(record)),
                Frame::NeedMore { total } => (total, None),
                Frame::Invalid { kind, token_id } => {
                    return Ok(Next::Bad(Error::new(kind, Some(token_id), self.offset)));
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
                let error = Error::new(
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
    fn damage(&mut self, error: Error) -> io::Result<Damage> {
        let start = self.offset;
        self.consume(1);
        self.skip_to_record()?;
        Ok(Damage {
            source: self.source.clone(),
            offset: start,
            length: self.offset - start,
            error,
        })
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

    #[inline]
    pub(crate) fn consume(&mut self, n: usize) {
        let n = n.min(self.window.data().len());
        self.window.advance(n);
        self.offset += n as u64;
    }
}

impl<R: io::Read> ResyncSplitter<StreamWindow<R>> {
    /// The bytes of the item last returned, consumed and shared with the
    /// window's buffer rather than copied.
    #[inline]
    pub(crate) fn take_pending(&mut self) -> bytes::Bytes {
        let taken = self.window.split_to(self.pending);
        self.offset += taken.len() as u64;
        self.pending = 0;
        self.current = None;
        taken
    }
}
