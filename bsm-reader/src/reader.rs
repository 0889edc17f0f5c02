//! Reading a trail: records and file tokens in order, with every damaged
//! region reported and skipped (by bsm-format's [`ResyncSplitter`]), from a
//! memory-mapped file, a stream or bytes; and the fast walks of a mapped
//! input, on one thread or several.

use crate::pieces;
use crate::window::{InputWindow, MappedData};
pub use bsm_format::{Damage, Event, ReadOptions};
use bsm_format::{Record, ResyncSplitter, TrailItem, Window};
use memmap2::Mmap;
use std::convert::Infallible;
use std::fs::File;
use std::io::{self, Read};
use std::num::NonZeroUsize;
use std::os::unix::fs::FileTypeExt;
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

/// Reads one input.
pub struct TrailReader {
    splitter: ResyncSplitter<InputWindow>,
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
                    InputWindow::mapped(MappedData::Owned(Vec::new())),
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
                InputWindow::mapped(MappedData::Map(map)),
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
        Self::from_window(source.into(), InputWindow::stream(reader), options)
    }

    /// Reads bytes already in memory.
    pub fn from_bytes(source: impl Into<String>, bytes: Vec<u8>, options: ReadOptions) -> Self {
        Self::from_window(
            source.into(),
            InputWindow::mapped(MappedData::Owned(bytes)),
            options,
        )
    }

    fn from_window(source: String, window: InputWindow, options: ReadOptions) -> Self {
        TrailReader {
            splitter: ResyncSplitter::new(source, window, options),
        }
    }

    /// Whether all of the input is in memory (a mapped file or bytes),
    /// rather than read as a stream.
    pub fn is_mapped(&self) -> bool {
        self.splitter.window().holds_all()
    }

    /// Whether the next item is already in memory whole (see
    /// [`ResyncSplitter::next_item_at_hand`]).
    pub fn next_item_at_hand(&self) -> bool {
        self.splitter.next_item_at_hand()
    }

    /// The input's name, as used in [`bsm_format::Damage`].
    pub fn source(&self) -> &str {
        self.splitter.source()
    }

    /// The next record, file token or damaged region; `None` at the end.
    ///
    /// An I/O error ends the input; it is returned as an `Err`.
    pub fn next_event(&mut self) -> io::Result<Option<Event<'_>>> {
        self.splitter.next_event()
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
            if self.splitter.settle() {
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
        let max_size = self.splitter.options().max_record_size as usize;
        loop {
            let (data, offset) = self.splitter.unread();
            let walked = pieces::walk(data, 0, VISIT_BATCH, offset, max_size, |record| {
                visit(Event::Item(TrailItem::Record(record)))
            })
            .map_err(VisitError::Visit)?;
            // Give the window a turn to release the pages behind.
            self.splitter.skip_walked(walked.end);
            if !walked.intact || self.splitter.unread().0.is_empty() {
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
            if self.splitter.settle() {
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
        let max_size = self.splitter.options().max_record_size as usize;
        let piece = parallelism.piece_bytes.max(1);
        loop {
            let (data, base) = self.splitter.unread();
            if data.is_empty() {
                return Ok(());
            }
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
            self.splitter.skip_walked(at);
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
        self.splitter.current()
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
