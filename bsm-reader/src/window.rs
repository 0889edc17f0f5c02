//! The bytes of one input that the reader can see: all of a memory-mapped
//! file at once, or bsm-format's bounded [`StreamWindow`] over a stream
//! (stdin, a FIFO, a device, a file being followed).

use bsm_format::{StreamWindow, Window};
use memmap2::Mmap;
use std::io::{self, Read};

/// How far a mapped input is read before the pages behind are given back,
/// so that memory stays bounded whatever the trail's size.
const RELEASE_STEP: usize = 8 << 20;

pub(crate) enum InputWindow {
    /// A whole input in memory; `position` is where the unread part starts,
    /// and pages before `released` have been given back to the kernel.
    Mapped {
        data: MappedData,
        position: usize,
        released: usize,
    },
    Stream(StreamWindow<Box<dyn Read + Send>>),
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

impl InputWindow {
    pub(crate) fn mapped(data: MappedData) -> Self {
        if let MappedData::Map(map) = &data {
            // A hint only: reading ahead is what the kernel would do anyway.
            let _ = map.advise(memmap2::Advice::Sequential);
        }
        InputWindow::Mapped {
            data,
            position: 0,
            released: 0,
        }
    }

    pub(crate) fn stream(reader: Box<dyn Read + Send>) -> Self {
        InputWindow::Stream(StreamWindow::new(reader))
    }
}

impl Window for InputWindow {
    fn data(&self) -> &[u8] {
        match self {
            InputWindow::Mapped { data, position, .. } => &data.as_slice()[*position..],
            InputWindow::Stream(stream) => stream.data(),
        }
    }

    fn advance(&mut self, n: usize) {
        match self {
            InputWindow::Mapped {
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
            InputWindow::Stream(stream) => stream.advance(n),
        }
    }

    fn want(&mut self, n: usize) -> io::Result<()> {
        match self {
            InputWindow::Mapped { .. } => Ok(()),
            InputWindow::Stream(stream) => stream.want(n),
        }
    }

    fn exhausted(&self) -> bool {
        match self {
            InputWindow::Mapped { .. } => true,
            InputWindow::Stream(stream) => stream.exhausted(),
        }
    }

    fn rearm(&mut self) {
        if let InputWindow::Stream(stream) = self {
            stream.rearm();
        }
    }

    fn holds_all(&self) -> bool {
        matches!(self, InputWindow::Mapped { .. })
    }
}
