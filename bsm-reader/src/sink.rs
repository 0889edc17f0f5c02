//! Where the records read from trails go: the one interface the tools'
//! outputs share (praudit's text, XML and JSON printers, auditreduce's
//! record copy and counter), as grep-searcher's `Sink` is ripgrep's.
//!
//! The reading loop ([`crate::reduce`]) hands a sink every selected record
//! and file token, in trail order, and reports damage itself; a sink only
//! writes.

use std::fmt;
use std::io::{self, BufWriter, IoSlice, Write};

use bsm_format::{FileItem, Record};

/// A consumer of trail items.
pub trait Sink {
    /// Starts the output (XML's prologue).
    fn begin(&mut self) -> io::Result<()> {
        Ok(())
    }

    /// Takes one record. A [`SinkError::Damaged`] record was taken as far
    /// as its tokens decode; the caller reports it and goes on.
    fn record(&mut self, record: &Record<'_>) -> Result<(), SinkError>;

    /// Takes a file token found between records (a trail's start or end).
    fn file_token(&mut self, file: &FileItem<'_>) -> io::Result<()>;

    /// Sends what was taken so far on its way: the reader is about to wait
    /// for more input (a live stream).
    fn flush(&mut self) -> io::Result<()>;

    /// Ends the output after the last item (`</audit>`, the counts) and
    /// flushes it.
    fn finish(&mut self) -> io::Result<()>;

    /// A sink that takes records as their bytes alone, for the caller to
    /// hand over runs of whole records unparsed. `None`: records go one by
    /// one to [`Sink::record`].
    fn byte_runs(&mut self) -> Option<&mut dyn ByteRuns> {
        None
    }

    /// Takes a part that [`Parts`] made and a selection thread filled, in
    /// input order; a sink that makes no parts is never given one.
    fn take_part(&mut self, part: Box<dyn Part + '_>) -> io::Result<()> {
        let _ = part;
        Err(io::Error::other("this output takes no parts"))
    }
}

/// A sink's work on each record done on the selection threads: each thread
/// adds the records it selects to a part of its own, and the parts go to
/// [`Sink::take_part`] in input order. For outputs whose sums do not depend
/// on order across pieces (counts, histograms), as a report's are.
pub trait Parts: Sync {
    fn new_part(&self) -> Box<dyn Part + '_>;
}

/// One thread's share of a [`Parts`] sink's work.
pub trait Part: Send {
    /// Adds a selected record; a token that does not decode is the error.
    fn add(&mut self, record: &Record<'_>) -> Result<(), bsm_format::Error>;

    /// What was summed, for the sink to take back.
    fn into_any(self: Box<Self>) -> Box<dyn std::any::Any>;
}

/// Takes runs of whole records, each a slice of the input, back to back.
pub trait ByteRuns {
    fn write_runs(&mut self, runs: &[&[u8]]) -> io::Result<()>;
}

/// Why a sink could not take a record whole.
#[derive(Debug)]
pub enum SinkError {
    /// Writing the output failed: this record's or earlier output.
    Io(io::Error),
    /// A token of the record failed to decode (the error names its id and
    /// byte offset); `outcome` says what the sink made of the record, e.g.
    /// "damaged record" (printed up to that token).
    Damaged {
        outcome: &'static str,
        error: bsm_format::Error,
    },
}

impl fmt::Display for SinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SinkError::Io(error) => write!(f, "cannot write output: {error}"),
            SinkError::Damaged { outcome, error } => write!(f, "{outcome}: {error}"),
        }
    }
}

impl std::error::Error for SinkError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SinkError::Io(error) => Some(error),
            SinkError::Damaged { error, .. } => Some(error),
        }
    }
}

impl From<io::Error> for SinkError {
    fn from(error: io::Error) -> Self {
        SinkError::Io(error)
    }
}

/// Records and file tokens copied as they are: auditreduce's default output,
/// itself a trail.
#[derive(Debug)]
pub struct RecordCopy<W: Write> {
    out: BufWriter<W>,
}

/// Slices per `writev`: Linux's IOV_MAX.
const SLICES_PER_WRITE: usize = 1024;

impl<W: Write> RecordCopy<W> {
    pub fn new(out: W) -> Self {
        RecordCopy {
            out: BufWriter::with_capacity(256 * 1024, out),
        }
    }
}

impl<W: Write> Sink for RecordCopy<W> {
    fn record(&mut self, record: &Record<'_>) -> Result<(), SinkError> {
        Ok(self.out.write_all(record.bytes())?)
    }

    fn file_token(&mut self, file: &FileItem<'_>) -> io::Result<()> {
        self.out.write_all(file.bytes)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    fn finish(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    fn byte_runs(&mut self) -> Option<&mut dyn ByteRuns> {
        Some(self)
    }
}

impl<W: Write> ByteRuns for RecordCopy<W> {
    /// Straight from the input, many runs a system call: copying the
    /// records into the buffer would cost more than selecting them.
    fn write_runs(&mut self, runs: &[&[u8]]) -> io::Result<()> {
        self.out.flush()?;
        for chunk in runs.chunks(SLICES_PER_WRITE) {
            let mut slices: Vec<IoSlice<'_>> = chunk.iter().map(|run| IoSlice::new(run)).collect();
            write_all_vectored(self.out.get_mut(), &mut slices)?;
        }
        Ok(())
    }
}

/// `write_all` for several slices (std's own is not stable yet).
fn write_all_vectored(out: &mut impl Write, mut slices: &mut [IoSlice<'_>]) -> io::Result<()> {
    while !slices.is_empty() {
        match out.write_vectored(slices) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(written) => IoSlice::advance_slices(&mut slices, written),
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    Ok(())
}
