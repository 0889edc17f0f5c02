//! The bytes of one input that the reader can see: all of a memory-mapped
//! file at once, or a bounded buffer over a stream (stdin, a FIFO, a device,
//! a file being followed).

use memmap2::Mmap;
use std::io::{self, Read};

/// Bytes asked of a stream at a time; also the smallest buffer kept.
const READ_CHUNK: usize = 256 * 1024;

/// How far a mapped input is read before the pages behind are given back,
/// so that memory stays bounded whatever the trail's size.
const RELEASE_STEP: usize = 8 << 20;

pub(crate) enum Window {
    /// A whole input in memory; `position` is where the unread part starts,
    /// and pages before `released` have been given back to the kernel.
    Mapped {
        data: MappedData,
        position: usize,
        released: usize,
    },
    /// A stream; `buffer[start..end]` holds read bytes not yet consumed.
    Stream {
        reader: Box<dyn Read + Send>,
        buffer: Vec<u8>,
        start: usize,
        end: usize,
        eof: bool,
    },
}

pub(crate) enum MappedData {
    Map(Mmap),
    Owned(Vec<u8>),
}

impl MappedData {
    fn as_slice(&self) -> &[u8] {
        match self {
            MappedData::Map(map) => map,
            MappedData::Owned(bytes) => bytes,
        }
    }
}

impl Window {
    pub(crate) fn mapped(data: MappedData) -> Self {
        if let MappedData::Map(map) = &data {
            // A hint only: reading ahead is what the kernel would do anyway.
            let _ = map.advise(memmap2::Advice::Sequential);
        }
        Window::Mapped {
            data,
            position: 0,
            released: 0,
        }
    }

    pub(crate) fn stream(reader: Box<dyn Read + Send>) -> Self {
        Window::Stream {
            reader,
            buffer: Vec::new(),
            start: 0,
            end: 0,
            eof: false,
        }
    }

    /// Whether all of the input is in memory.
    pub(crate) fn is_mapped(&self) -> bool {
        matches!(self, Window::Mapped { .. })
    }

    /// The unread bytes at hand.
    pub(crate) fn data(&self) -> &[u8] {
        match self {
            Window::Mapped { data, position, .. } => &data.as_slice()[*position..],
            Window::Stream {
                buffer, start, end, ..
            } => &buffer[*start..*end],
        }
    }

    /// Consumes `n` bytes (at most what is at hand).
    pub(crate) fn advance(&mut self, n: usize) {
        match self {
            Window::Mapped {
                data,
                position,
                released,
            } => {
                *position = (*position + n).min(data.as_slice().len());
                if let MappedData::Map(map) = data {
                    let behind = *position / RELEASE_STEP * RELEASE_STEP;
                    if behind > *released {
                        // SAFETY: the map is private and read-only, so dropping
                        // its pages only makes later reads fetch them from the
                        // file again. Nothing borrows bytes before `position`:
                        // items are handed out by `&mut self` calls, and this
                        // one consumes what the previous call handed out.
                        #[allow(unsafe_code)]
                        let _ = unsafe {
                            map.unchecked_advise_range(
                                memmap2::UncheckedAdvice::DontNeed,
                                *released,
                                behind - *released,
                            )
                        };
                        *released = behind;
                    }
                }
            }
            Window::Stream { start, end, .. } => *start = (*start + n).min(*end),
        }
    }

    /// True when no more bytes can come (until [`Window::rearm`]).
    pub(crate) fn exhausted(&self) -> bool {
        match self {
            Window::Mapped { .. } => true,
            Window::Stream { eof, .. } => *eof,
        }
    }

    /// After end of input, lets a followed stream be read again.
    pub(crate) fn rearm(&mut self) {
        if let Window::Stream { eof, .. } = self {
            *eof = false;
        }
    }

    /// Reads until at least `n` bytes are at hand or the input ends.
    pub(crate) fn want(&mut self, n: usize) -> io::Result<()> {
        let Window::Stream {
            reader,
            buffer,
            start,
            end,
            eof,
        } = self
        else {
            return Ok(());
        };
        while *end - *start < n && !*eof {
            // Keep the buffer about one record plus one chunk, whatever the
            // trail's size: move the unconsumed bytes to the front first.
            if *start > 0 {
                buffer.copy_within(*start..*end, 0);
                *end -= *start;
                *start = 0;
            }
            if buffer.len() < n.max(READ_CHUNK) {
                buffer.resize(n.max(READ_CHUNK), 0);
            }
            let read = loop {
                match reader.read(&mut buffer[*end..]) {
                    Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                    other => break other,
                }
            };
            match read? {
                0 => *eof = true,
                got => *end += got,
            }
        }
        Ok(())
    }
}
