//! Several trails read as one, records in time order, as illumos's
//! auditreduce merges them (OpenBSM's only concatenates).
//!
//! Each input is read in its own order; at each step the input whose next
//! item is earliest gives it (ties go to the input named first). An input
//! that is itself out of order is not sorted, only interleaved.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::io;

use bsm_format::{Token, TrailItem};

use crate::reader::{Damage, Event, TrailReader};

/// What a merged read yields.
#[derive(Debug)]
pub enum MergedEvent<'a> {
    Item(TrailItem<'a>),
    Damage(Damage),
    /// An input failed to read; it is dropped and the others go on.
    Failed {
        source: String,
        error: io::Error,
    },
}

/// Reads several trails merged by time.
pub struct MergedReader {
    readers: Vec<TrailReader>,
    /// The inputs whose current item is waiting, earliest first: time in
    /// milliseconds, input index.
    waiting: BinaryHeap<Reverse<(u64, usize)>>,
    /// Inputs that must be read before the next item can be chosen: at the
    /// start every one, later the one that gave the last item.
    to_read: Vec<usize>,
}

impl MergedReader {
    pub fn new(readers: Vec<TrailReader>) -> Self {
        let to_read = (0..readers.len()).rev().collect();
        MergedReader {
            readers,
            waiting: BinaryHeap::new(),
            to_read,
        }
    }

    /// The next item, damaged region or failure of any input, with the index
    /// of its input; `None` once every input has ended.
    pub fn next_event(&mut self) -> Option<(usize, MergedEvent<'_>)> {
        while let Some(&index) = self.to_read.last() {
            match self.readers[index].next_event() {
                Ok(None) => {
                    self.to_read.pop();
                }
                Ok(Some(Event::Damage(damage))) => {
                    // The input stays to be read: its next item may follow.
                    return Some((index, MergedEvent::Damage(damage)));
                }
                Ok(Some(Event::Item(item))) => {
                    let time = item_time(&item);
                    self.waiting.push(Reverse((time, index)));
                    self.to_read.pop();
                }
                Err(error) => {
                    self.to_read.pop();
                    let source = self.readers[index].source().to_owned();
                    return Some((index, MergedEvent::Failed { source, error }));
                }
            }
        }
        let Reverse((_, index)) = self.waiting.pop()?;
        self.to_read.push(index);
        let item = self.readers[index].current()?;
        Some((index, MergedEvent::Item(item)))
    }
}

/// An item's time in milliseconds since the epoch (saturating; a file token
/// of another form than 0x11 and 0x78 cannot occur here).
fn item_time(item: &TrailItem<'_>) -> u64 {
    let (seconds, milliseconds) = match item {
        TrailItem::Record(record) => {
            let header = record.header();
            (header.seconds, header.milliseconds)
        }
        TrailItem::File(file) => match file.token {
            Token::File(f) => (u64::from(f.seconds), u64::from(f.milliseconds)),
            Token::OtherFile64(f) => (f.seconds, f.milliseconds),
            _ => (0, 0),
        },
    };
    seconds.saturating_mul(1000).saturating_add(milliseconds)
}
