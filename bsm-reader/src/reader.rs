//! Reading a trail: records and file tokens in order, with every damaged
//! region reported and skipped.
//!
//! After damage the reader resynchronises on the next plausible record: a
//! header id whose size lands on a trailer that agrees with it. Everything in
//! between is one [`Damage`], with its file, offset and length.

use crate::pieces;
use crate::window::{MappedData, Window};
use bsm_format::{
    DEFAULT_MAX_RECORD_SIZE, Error as FormatError, ErrorKind, Frame, Record, RecordShape, Token,
    TrailItem, frame, ids, parse_item,
};
use memmap2::Mmap;
use std::convert::Infallible;
use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::num::NonZeroUsize;
use std::os::unix::fs::FileTypeExt;
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
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
    /// followed), read as a stream otherwise (a FIFO, a character device,
    /// or a Unix stream socket such as lxbsmd's live one, connected to).
    pub fn open(path: &Path, options: ReadOptions) -> io::Result<Self> {
        let source = path.display().to_string();
        if std::fs::metadata(path)?.file_type().is_socket() {
            let stream = UnixStream::connect(path).map_err(|err| match err.kind() {
                io::ErrorKind::ConnectionRefused => io::Error::new(
                    err.kind(),
                    "a socket nobody listens on (is lxbsmd running?)",
                ),
                _ => err,
            })?;
            return Ok(Self::from_reader(source, Box::new(stream), options));
        }
        let file = File::open(path)?;
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
            #[allow(unsafe_code)]
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

    /// Whether all of the input is in memory (a mapped file or bytes),
    /// rather than read as a stream.
    pub fn is_mapped(&self) -> bool {
        self.window.is_mapped()
    }

    /// Whether the next item is already in memory whole, so that
    /// [`TrailReader::next_event`] will not wait on the input for it. A
    /// caller that buffers its output flushes it when this is false: on a
    /// live stream, that is before the reader waits.
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
            if self.settle_at_boundary() {
                self.visit_intact(&mut visit)?;
            }
            match self.next_event().map_err(VisitError::Read)? {
                Some(event) => visit(event).map_err(VisitError::Visit)?,
                None => return Ok(()),
            }
        }
    }

    /// As [`TrailReader::for_each_event`], and `pause` is called whenever
    /// a stream (a FIFO, a device, a followed file) is about to wait for
    /// more input, so that what was made of the events so far can go out.
    pub fn for_each_event_pausing<E>(
        &mut self,
        mut visit: impl FnMut(Event<'_>) -> Result<(), E>,
        mut pause: impl FnMut() -> Result<(), E>,
    ) -> Result<(), VisitError<E>> {
        if self.is_mapped() {
            return self.for_each_event(visit);
        }
        loop {
            match self.next_event().map_err(VisitError::Read)? {
                Some(event) => visit(event).map_err(VisitError::Visit)?,
                None => return Ok(()),
            }
            if !self.next_item_at_hand() {
                pause().map_err(VisitError::Visit)?;
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
            let walked = pieces::walk(
                self.window.data(),
                0,
                VISIT_BATCH,
                self.offset,
                max_size,
                |record| visit(Event::Item(TrailItem::Record(record))),
            )
            .map_err(VisitError::Visit)?;
            // Give the window a turn to release the pages behind.
            self.consume(walked.end);
            if !walked.intact || self.window.data().is_empty() {
                return Ok(());
            }
        }
    }

    /// As [`TrailReader::for_each_event`], but the intact records of a
    /// mapped input are folded on several threads at once: each thread
    /// folds the records of a piece of the input into an accumulator that
    /// `new_fold` makes, and `visit` receives the folded runs and the other
    /// events (file tokens, damage) in input order. A stream is read on
    /// this thread alone.
    pub fn fold_each_event<A: Send, E>(
        &mut self,
        parallelism: Parallelism,
        new_fold: &(impl Fn() -> A + Sync),
        fold: &(impl Fn(&mut A, Record<'_>) + Sync),
        mut visit: impl FnMut(Step<'_, A>) -> Result<(), E>,
    ) -> Result<(), VisitError<E>> {
        loop {
            if self.settle_at_boundary() {
                self.fold_intact(parallelism, new_fold, fold, &mut visit)?;
            }
            match self.next_event().map_err(VisitError::Read)? {
                Some(event) => visit(Step::Event(event)).map_err(VisitError::Visit)?,
                None => return Ok(()),
            }
        }
    }

    /// Folds the intact records of a mapped input from the current position,
    /// up to the end or to anything else, which is left for `next_event`.
    ///
    /// The input goes in epochs of [`EPOCH_PIECES`] pieces. In an epoch the
    /// threads take pieces in turn until none is left (so that a slow piece
    /// holds no one up), then the runs are visited in order and the pages
    /// behind are given back; threads are started once per epoch.
    fn fold_intact<A: Send, E>(
        &mut self,
        parallelism: Parallelism,
        new_fold: &(impl Fn() -> A + Sync),
        fold: &(impl Fn(&mut A, Record<'_>) + Sync),
        visit: &mut impl FnMut(Step<'_, A>) -> Result<(), E>,
    ) -> Result<(), VisitError<E>> {
        let max_size = self.options.max_record_size as usize;
        let piece = parallelism.piece_bytes.max(1);
        loop {
            let data = self.window.data();
            if data.is_empty() {
                return Ok(());
            }
            let base = self.offset;
            let epoch = data.len().min(piece.saturating_mul(EPOCH_PIECES));
            let pieces = epoch.div_ceil(piece);
            let piece_end = |k: usize| ((k + 1) * piece).min(epoch);
            let walk_piece = |start: usize, limit: usize| {
                let mut folded = new_fold();
                let Ok(end) =
                    pieces::walk::<Infallible>(data, start, limit, base, max_size, |record| {
                        fold(&mut folded, record);
                        Ok(())
                    });
                (folded, end)
            };
            // Each piece but the first starts at a guessed boundary (None if
            // none was found in it).
            let walked: Vec<Mutex<Option<Walked<A>>>> =
                (0..pieces).map(|_| Mutex::new(None)).collect();
            let taken = AtomicUsize::new(0);
            let work = || {
                loop {
                    let k = taken.fetch_add(1, Ordering::Relaxed);
                    if k >= pieces {
                        return;
                    }
                    let start = match k {
                        0 => Some(0),
                        _ => pieces::guess_boundary(data, k * piece, piece_end(k), max_size),
                    };
                    let result = start.map(|start| {
                        let (folded, end) = walk_piece(start, piece_end(k));
                        Walked { start, folded, end }
                    });
                    *walked[k].lock().unwrap_or_else(PoisonError::into_inner) = result;
                }
            };
            std::thread::scope(|scope| {
                for _ in 1..parallelism.threads.get().min(pieces) {
                    // A thread that cannot be started leaves its share to the others.
                    let _ = std::thread::Builder::new().spawn_scoped(scope, work);
                }
                work();
            });
            // Runs are taken in order from the last confirmed boundary: a
            // piece whose walk started there is taken as it is; one that
            // started elsewhere (a wrong guess) is walked again from there.
            let mut at = 0;
            let mut stopped = false;
            for (k, slot) in walked.into_iter().enumerate() {
                let limit = piece_end(k);
                if at >= limit {
                    continue;
                }
                let (folded, end) = match slot.into_inner().unwrap_or_else(PoisonError::into_inner)
                {
                    Some(walked) if walked.start == at => (walked.folded, walked.end),
                    _ => walk_piece(at, limit),
                };
                visit(Step::Run(Run {
                    bytes: &data[at..end.end],
                    offset: base + at as u64,
                    folded,
                }))
                .map_err(VisitError::Visit)?;
                at = end.end;
                if !end.intact {
                    stopped = true;
                    break;
                }
            }
            self.consume(at);
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

    /// For the walks of a mapped input: consumes the item last handed out
    /// and forgets it, so that the position is the next item's; false if
    /// the input is a stream or reading has not started.
    fn settle_at_boundary(&mut self) -> bool {
        if !(self.started && self.window.is_mapped()) {
            return false;
        }
        self.consume(self.pending);
        self.pending = 0;
        self.current = None;
        true
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

/// How [`TrailReader::fold_each_event`] spreads its work over threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parallelism {
    pub threads: NonZeroUsize,
    /// Bytes of input each thread takes at a time.
    pub piece_bytes: usize,
}

impl Parallelism {
    /// Pieces of 1 MiB: a few hundred microseconds of work each.
    pub fn new(threads: NonZeroUsize) -> Self {
        Parallelism {
            threads,
            piece_bytes: 1 << 20,
        }
    }
}

/// Pieces per epoch of [`TrailReader::fold_each_event`]: the pages of an
/// epoch stay mapped until it is visited, so this bounds memory (32 MiB of
/// 1 MiB pieces); threads start once per epoch, which in a virtual machine
/// can take as long as a piece.
const EPOCH_PIECES: usize = 32;

/// A piece as a thread of [`TrailReader::fold_each_event`] walked it.
struct Walked<A> {
    start: usize,
    folded: A,
    end: pieces::WalkEnd,
}

/// What [`TrailReader::fold_each_event`] gives its visitor, in input order.
#[derive(Debug)]
pub enum Step<'a, A> {
    /// A run of intact records, folded.
    Run(Run<'a, A>),
    /// Anything else, as [`TrailReader::next_event`] gives it.
    Event(Event<'a>),
}

/// Intact records back to back, and what the fold made of them.
#[derive(Debug)]
pub struct Run<'a, A> {
    /// The records' bytes.
    pub bytes: &'a [u8],
    /// The trail offset of `bytes[0]`.
    pub offset: u64,
    pub folded: A,
}

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
