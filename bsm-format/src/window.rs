//! The bytes of one input that a [`crate::ResyncSplitter`] can see.
//!
//! A [`Window`] is either the whole input at once (bytes in memory, or a
//! memory map, which bsm-reader provides) or a bounded buffer over a stream
//! ([`StreamWindow`]).

use bytes::{Buf, Bytes, BytesMut};
use std::io::{self, Read};

/// Bytes asked of a stream at a time; also the smallest buffer kept.
const READ_CHUNK: usize = 64 * 1024;

/// What a splitter needs of its input.
pub trait Window {
    /// The unread bytes at hand.
    fn data(&self) -> &[u8];
    /// Consumes `n` bytes (at most what is at hand).
    fn advance(&mut self, n: usize);
    /// Reads until at least `n` bytes are at hand or the input ends.
    fn want(&mut self, n: usize) -> io::Result<()>;
    /// True when no more bytes can come (until [`Window::rearm`]).
    fn exhausted(&self) -> bool;
    /// After the end of input, lets a followed stream be read again.
    fn rearm(&mut self);
    /// Whether all of the input is at hand, so that it can be walked as one
    /// slice.
    fn holds_all(&self) -> bool;
}

/// A whole input in memory.
#[derive(Debug, Clone, Default)]
pub struct BytesWindow {
    bytes: Vec<u8>,
    position: usize,
}

impl BytesWindow {
    pub fn new(bytes: Vec<u8>) -> Self {
        BytesWindow { bytes, position: 0 }
    }
}

impl Window for BytesWindow {
    #[inline]
    fn data(&self) -> &[u8] {
        &self.bytes[self.position..]
    }

    #[inline]
    fn advance(&mut self, n: usize) {
        self.position = (self.position + n).min(self.bytes.len());
    }

    #[inline]
    fn want(&mut self, _: usize) -> io::Result<()> {
        Ok(())
    }

    #[inline]
    fn exhausted(&self) -> bool {
        true
    }

    fn rearm(&mut self) {}

    #[inline]
    fn holds_all(&self) -> bool {
        true
    }
}

/// A stream, read into a buffer that holds about one item plus one chunk,
/// whatever the input's size.
#[derive(Debug)]
pub struct StreamWindow<R> {
    reader: R,
    /// Read bytes not yet consumed. Items split off it share its memory.
    buffer: BytesMut,
    eof: bool,
}

impl<R: Read> StreamWindow<R> {
    pub fn new(reader: R) -> Self {
        StreamWindow {
            reader,
            buffer: BytesMut::new(),
            eof: false,
        }
    }

    /// Consumes the first `n` bytes (at most what is at hand) and returns
    /// them without a copy.
    #[inline]
    pub(crate) fn split_to(&mut self, n: usize) -> Bytes {
        let n = n.min(self.buffer.len());
        self.buffer.split_to(n).freeze()
    }
}

impl<R: Read> Window for StreamWindow<R> {
    #[inline]
    fn data(&self) -> &[u8] {
        &self.buffer
    }

    #[inline]
    fn advance(&mut self, n: usize) {
        let n = n.min(self.buffer.len());
        self.buffer.advance(n);
    }

    #[inline]
    fn want(&mut self, n: usize) -> io::Result<()> {
        while self.buffer.len() < n && !self.eof {
            // `reserve` moves the unconsumed bytes to the front when no
            // split-off item still shares the buffer, so that it does not
            // grow with the input.
            let held = self.buffer.len();
            let room = (n - held).max(READ_CHUNK);
            self.buffer.reserve(room);
            self.buffer.resize(held + room, 0);
            let read = loop {
                match self.reader.read(&mut self.buffer[held..]) {
                    Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                    other => break other,
                }
            };
            let got = read.inspect_err(|_| self.buffer.truncate(held))?;
            self.buffer.truncate(held + got);
            if got == 0 {
                self.eof = true;
            }
        }
        Ok(())
    }

    #[inline]
    fn exhausted(&self) -> bool {
        self.eof
    }

    fn rearm(&mut self) {
        self.eof = false;
    }

    #[inline]
    fn holds_all(&self) -> bool {
        false
    }
}
