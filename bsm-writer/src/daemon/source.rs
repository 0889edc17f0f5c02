//! Reading records from lxbsmd's source on a thread of their own.
//!
//! The source (a FIFO, a character device such as `/dev/lxbsm`, a regular
//! file, or stdin) is split into whole records by bsm-reader's
//! [`TrailReader`], which reports damaged regions with their byte offsets
//! and resynchronises on the next intact record, so no intact record is
//! lost. Records travel to the daemon's main thread in batches over a
//! bounded channel: the main thread never blocks in a read, so signals are
//! handled at once, and a full channel holds the producer back rather than
//! losing anything.
//!
//! A batch is handed over when it is large, and whenever the source has no
//! bytes waiting, so that a trickle of records is never held back.
//!
//! A FIFO is opened for reading and writing, so that it never reports end of
//! input when a writer closes it: producers may come and go.

#![allow(unsafe_code)]

use bsm_reader::{Event, ReadOptions, TrailItem, TrailReader};
use bytes::{Bytes, BytesMut};
use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::os::fd::{AsFd, AsRawFd, RawFd};
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};

/// A batch is handed over once it holds this many bytes of records.
const BATCH_BYTES: usize = 256 * 1024;
/// Batches in flight between the reader and the main thread.
const BATCHES_IN_FLIGHT: usize = 8;
/// How long a wait for input lasts before the stop flag is looked at again.
const POLL_INTERVAL_MS: libc::c_int = 100;

/// Where records come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourcePath {
    Stdin,
    Path(PathBuf),
}

impl SourcePath {
    /// `-` is stdin.
    pub fn from_arg(arg: &Path) -> SourcePath {
        if arg == Path::new("-") {
            SourcePath::Stdin
        } else {
            SourcePath::Path(arg.to_path_buf())
        }
    }

    fn name(&self) -> String {
        match self {
            SourcePath::Stdin => "stdin".to_owned(),
            SourcePath::Path(path) => path.display().to_string(),
        }
    }
}

/// Whole records read from the source, back to back.
#[derive(Debug)]
pub struct RecordBatch {
    bytes: Bytes,
    /// Where each record ends in `bytes`.
    ends: Vec<usize>,
}

impl RecordBatch {
    /// Each record's bytes, sharing the batch's buffer.
    pub fn records(&self) -> impl Iterator<Item = Bytes> + '_ {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(self.ends.iter().copied())
            .map(|(start, end)| self.bytes.slice(start..end))
    }
}

/// The reader thread: batches of records arrive on `batches`; when it ends
/// (end of input, the stop flag, or an error) the channel closes and
/// [`SourceReader::finish`] gives the outcome.
pub struct SourceReader {
    pub batches: Receiver<RecordBatch>,
    thread: JoinHandle<io::Result<()>>,
}

impl SourceReader {
    /// Opens the source and starts reading it. Once `stop` is set, the
    /// reader takes what a pipe or device already holds and then ends; a
    /// regular file ends at once.
    pub fn spawn(source: &SourcePath, stop: &'static AtomicBool) -> io::Result<SourceReader> {
        let (file, regular) = open(source)?;
        let (sender, batches) = sync_channel(BATCHES_IN_FLIGHT);
        let pending = Arc::new(Mutex::new(PendingBatch::new(sender)));
        let input = PolledInput {
            file,
            regular,
            stop,
            pending: Arc::clone(&pending),
        };
        let name = source.name();
        let thread = thread::Builder::new()
            .name("lxbsmd-source".into())
            .spawn(move || read_records(name, input, &pending))?;
        Ok(SourceReader { batches, thread })
    }

    /// Waits for the reader thread after its channel has closed: the read
    /// error that ended it, if any.
    pub fn finish(self) -> io::Result<()> {
        drop(self.batches);
        self.thread
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the source reader panicked")))
    }
}

/// The source, and whether it is a regular file.
fn open(source: &SourcePath) -> io::Result<(File, bool)> {
    let file = match source {
        SourcePath::Stdin => {
            // A duplicate, so that dropping the File leaves fd 0 alone.
            File::from(io::stdin().as_fd().try_clone_to_owned()?)
        }
        SourcePath::Path(path) => {
            let is_fifo = std::fs::metadata(path)
                .map_err(|err| with_path(err, "cannot open", path))?
                .file_type()
                .is_fifo();
            OpenOptions::new()
                .read(true)
                .write(is_fifo)
                .open(path)
                .map_err(|err| with_path(err, "cannot open", path))?
        }
    };
    let regular = file.metadata()?.is_file();
    Ok((file, regular))
}

fn with_path(err: io::Error, action: &str, path: &Path) -> io::Error {
    io::Error::new(err.kind(), format!("{action} {}: {err}", path.display()))
}

/// The records read since the last hand-over.
struct PendingBatch {
    bytes: BytesMut,
    ends: Vec<usize>,
    sender: SyncSender<RecordBatch>,
}

impl PendingBatch {
    fn new(sender: SyncSender<RecordBatch>) -> Self {
        PendingBatch {
            bytes: BytesMut::with_capacity(BATCH_BYTES),
            ends: Vec::new(),
            sender,
        }
    }

    fn push(&mut self, record: &[u8]) -> io::Result<()> {
        self.bytes.extend_from_slice(record);
        self.ends.push(self.bytes.len());
        if self.bytes.len() >= BATCH_BYTES {
            self.hand_over()?;
        }
        Ok(())
    }

    /// Sends what is pending, waiting while the channel is full.
    fn hand_over(&mut self) -> io::Result<()> {
        if self.ends.is_empty() {
            return Ok(());
        }
        let batch = RecordBatch {
            bytes: std::mem::replace(&mut self.bytes, BytesMut::with_capacity(BATCH_BYTES))
                .freeze(),
            ends: std::mem::take(&mut self.ends),
        };
        self.sender.send(batch).map_err(|_| {
            io::Error::new(
                io::ErrorKind::BrokenPipe,
                "the daemon stopped taking records",
            )
        })
    }
}

/// Locks the pending batch. Only the reader thread touches it (the mutex
/// is there because [`TrailReader`] wants a `Send` input), so it is never
/// contended, and a poisoned lock only means a panic already ended the
/// thread.
fn lock(pending: &Mutex<PendingBatch>) -> std::sync::MutexGuard<'_, PendingBatch> {
    pending.lock().unwrap_or_else(PoisonError::into_inner)
}

fn read_records(name: String, input: PolledInput, pending: &Mutex<PendingBatch>) -> io::Result<()> {
    let mut reader = TrailReader::from_reader(name, Box::new(input), ReadOptions::default());
    while let Some(event) = reader.next_event()? {
        match event {
            Event::Item(TrailItem::Record(record)) => lock(pending).push(record.bytes())?,
            // A file token belongs to the trail it came from; the trails
            // lxbsmd writes get their own.
            Event::Item(TrailItem::File(_)) => {}
            Event::Damage(damage) => eprintln!("lxbsmd: {damage}; resynchronised"),
        }
    }
    lock(pending).hand_over()
}

/// The source as [`TrailReader`] reads it: a read waits for input in short
/// polls so that the stop flag is seen, and hands over the pending batch
/// before it would wait.
struct PolledInput {
    file: File,
    regular: bool,
    stop: &'static AtomicBool,
    pending: Arc<Mutex<PendingBatch>>,
}

impl Read for PolledInput {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let fd = self.file.as_raw_fd();
        loop {
            let stopping = self.stop.load(Ordering::Relaxed);
            if !(stopping && self.regular) && wait_for_input(fd, 0)? {
                return self.file.read(buf);
            }
            lock(&self.pending).hand_over()?;
            if stopping {
                return Ok(0);
            }
            wait_for_input(fd, POLL_INTERVAL_MS)?;
        }
    }
}

/// Whether `fd` has input (or an end or error to report) within
/// `timeout_ms`; false when a signal cut the wait short.
fn wait_for_input(fd: RawFd, timeout_ms: libc::c_int) -> io::Result<bool> {
    let mut poll_fd = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: `poll_fd` is a valid pollfd for the duration of the call, and
    // the count of 1 matches it.
    let ready = unsafe { libc::poll(&mut poll_fd, 1, timeout_ms) };
    if ready < 0 {
        let err = io::Error::last_os_error();
        return if err.kind() == io::ErrorKind::Interrupted {
            Ok(false)
        } else {
            Err(err)
        };
    }
    Ok(ready > 0 && poll_fd.revents != 0)
}
