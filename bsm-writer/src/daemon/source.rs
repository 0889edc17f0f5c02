//! Reading records from lxbsmd's source on a thread of their own.
//!
//! The source (a FIFO, a character device such as `/dev/lxbsm`, a regular
//! file, or stdin) is split into whole records by bsm-format's
//! [`ResyncSplitter`], which reports damaged regions with their byte offsets
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
//!
//! The lxbsm device is recognised (see [`LxbsmDevice::probe`]); at stop it
//! is quiesced before the last drain, so that the drain ends. Its reads
//! are never smaller than 64 KiB: the device refuses a read that
//! cannot take its next whole record.

#![allow(unsafe_code)]

use crate::daemon::device::LxbsmDevice;
use bsm_format::{Event, ReadOptions, ResyncSplitter, StreamWindow, TrailItem};
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
const BATCH_BYTES: usize = 64 * 1024;
/// Batches in flight between the reader and the main thread. Records read
/// from the source and not yet in the trail — what a SIGKILL loses — are
/// at most these, the one being written and the one being filled:
/// 256 KiB.
const BATCHES_IN_FLIGHT: usize = 2;
/// How long a wait for input lasts before the stop flag is looked at again.
const POLL_INTERVAL_MS: libc::c_int = 100;
/// The smallest read asked of the source: `LXBSM_MAX_RECORD`, which always
/// takes the lxbsm device's next record.
const MIN_READ: usize = 65536;

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

/// The source, open and not yet read: what it holds stays there until
/// [`Source::start`], so a daemon that fails to start takes nothing.
pub struct Source {
    name: String,
    file: File,
    regular: bool,
    device: Option<LxbsmDevice>,
}

impl Source {
    /// Opens the source and tells whether it is the lxbsm device.
    pub fn open(source: &SourcePath) -> io::Result<Source> {
        let (file, regular) = open(source)?;
        let name = source.name();
        let device = LxbsmDevice::probe(&file)
            .map_err(|err| io::Error::new(err.kind(), format!("{name}: {err}")))?;
        Ok(Source {
            name,
            file,
            regular,
            device,
        })
    }

    /// The lxbsm device, when the source is one.
    pub fn device(&self) -> Option<&LxbsmDevice> {
        self.device.as_ref()
    }

    /// Starts reading on a thread of its own. Once `stop` is set, the
    /// reader takes what a pipe or device already holds and then ends (the
    /// lxbsm device quiesced first); a regular file ends at once.
    pub fn start(self, stop: &'static AtomicBool) -> io::Result<SourceReader> {
        let (sender, batches) = sync_channel(BATCHES_IN_FLIGHT);
        let pending = Arc::new(Mutex::new(PendingBatch::new(sender)));
        let input = PolledInput {
            file: self.file,
            regular: self.regular,
            stop,
            quiesce: self.device,
            pending: Arc::clone(&pending),
        };
        let name = self.name;
        let thread = thread::Builder::new()
            .name("lxbsmd-source".into())
            .spawn(move || read_records(name, Box::new(MinimumReads::new(input)), &pending))?;
        Ok(SourceReader { batches, thread })
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
    // The lxbsm device has one reader at a time.
    let hint = if err.raw_os_error() == Some(rustix::io::Errno::BUSY.raw_os_error()) {
        " (another process is reading it; the device has one reader)"
    } else {
        ""
    };
    io::Error::new(
        err.kind(),
        format!("{action} {}: {err}{hint}", path.display()),
    )
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
/// lets the splitter's input and the splitting loop share it), so it is
/// never contended, and a poisoned lock only means a panic already ended the
/// thread.
fn lock(pending: &Mutex<PendingBatch>) -> std::sync::MutexGuard<'_, PendingBatch> {
    pending.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Splits `input` into records for the daemon until it ends; whatever ends
/// it, the records read before are handed over.
fn read_records(
    name: String,
    input: Box<dyn Read + Send>,
    pending: &Mutex<PendingBatch>,
) -> io::Result<()> {
    let mut reader = ResyncSplitter::new(name, StreamWindow::new(input), ReadOptions::default());
    let outcome = loop {
        match reader.next_event() {
            Ok(Some(Event::Item(TrailItem::Record(record)))) => {
                if let Err(err) = lock(pending).push(record.bytes()) {
                    break Err(err);
                }
            }
            // A file token belongs to the trail it came from; the trails
            // lxbsmd writes get their own.
            Ok(Some(Event::Item(TrailItem::File(_)))) => {}
            Ok(Some(Event::Damage(damage))) => eprintln!("lxbsmd: {damage}; resynchronised"),
            Ok(None) => break Ok(()),
            Err(err) => break Err(err),
        }
    };
    let handed_over = lock(pending).hand_over();
    outcome.and(handed_over)
}

/// The source as the splitter reads it: a read waits for input in short
/// polls so that the stop flag is seen, and hands over the pending batch
/// before it would wait.
struct PolledInput {
    file: File,
    regular: bool,
    stop: &'static AtomicBool,
    /// The lxbsm device, until it has been quiesced at stop.
    quiesce: Option<LxbsmDevice>,
    pending: Arc<Mutex<PendingBatch>>,
}

impl Read for PolledInput {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let fd = self.file.as_raw_fd();
        loop {
            let stopping = self.stop.load(Ordering::Relaxed);
            if stopping && let Some(device) = self.quiesce.take() {
                // No new records from here on, so the drain below ends.
                if let Err(err) = device.quiesce() {
                    eprintln!("lxbsmd: cannot quiesce the lxbsm device: {err}");
                }
            }
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

/// Reads of at least [`MIN_READ`] bytes from the inner reader, whatever
/// buffer the caller gives: a smaller one is filled from a staging buffer.
struct MinimumReads<R> {
    inner: R,
    staged: Vec<u8>,
    /// The unread part of `staged`.
    start: usize,
    end: usize,
}

impl<R: Read> MinimumReads<R> {
    fn new(inner: R) -> Self {
        MinimumReads {
            inner,
            staged: vec![0; MIN_READ],
            start: 0,
            end: 0,
        }
    }
}

impl<R: Read> Read for MinimumReads<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.start == self.end {
            if buf.len() >= MIN_READ {
                return self.inner.read(buf);
            }
            self.end = self.inner.read(&mut self.staged)?;
            self.start = 0;
        }
        let count = buf.len().min(self.end - self.start);
        buf[..count].copy_from_slice(&self.staged[self.start..self.start + count]);
        self.start += count;
        Ok(count)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{RecordBuilder, token};
    use std::io::Cursor;

    fn record(text: &str) -> Vec<u8> {
        RecordBuilder::new(72)
            .with(token::text(text).unwrap())
            .with(token::return32(0, 0).unwrap())
            .close()
            .unwrap()
    }

    /// Gives its bytes, then fails as a device that went away.
    struct FailsAtEnd(Cursor<Vec<u8>>);

    impl Read for FailsAtEnd {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            match self.0.read(buf)? {
                0 => Err(io::Error::other("the device went away")),
                got => Ok(got),
            }
        }
    }

    #[test]
    fn records_read_before_an_error_are_handed_over() {
        let records: Vec<Vec<u8>> = ["one", "two", "three"].map(record).into();
        let (sender, batches) = sync_channel(BATCHES_IN_FLIGHT);
        let pending = Mutex::new(PendingBatch::new(sender));
        let input = FailsAtEnd(Cursor::new(records.concat()));
        let outcome = read_records("test".into(), Box::new(input), &pending);
        assert!(outcome.is_err());
        drop(pending);
        let received: Vec<Bytes> = batches
            .iter()
            .flat_map(|batch| batch.records().collect::<Vec<_>>())
            .collect();
        assert_eq!(received, records);
    }

    /// Refuses reads smaller than MIN_READ, as the lxbsm device refuses a
    /// buffer that cannot take its next record; gives one record a read.
    struct WholeRecordsOnly(Vec<Vec<u8>>);

    impl Read for WholeRecordsOnly {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if buf.len() < MIN_READ {
                return Err(io::Error::from_raw_os_error(libc::EMSGSIZE));
            }
            if self.0.is_empty() {
                return Ok(0);
            }
            let record = self.0.remove(0);
            buf[..record.len()].copy_from_slice(&record);
            Ok(record.len())
        }
    }

    #[test]
    fn small_reads_are_served_from_a_full_size_read() {
        let records: Vec<Vec<u8>> = ["first", "second"].map(record).into();
        let mut input = MinimumReads::new(WholeRecordsOnly(records.clone()));
        let mut got = Vec::new();
        let mut small = [0; 7];
        loop {
            match input.read(&mut small).unwrap() {
                0 => break,
                count => got.extend_from_slice(&small[..count]),
            }
        }
        assert_eq!(got, records.concat());

        let mut input = MinimumReads::new(WholeRecordsOnly(records.clone()));
        let mut large = vec![0; MIN_READ];
        let count = input.read(&mut large).unwrap();
        assert_eq!(
            &large[..count],
            &records[0][..],
            "a large buffer is read into directly"
        );
    }
}
