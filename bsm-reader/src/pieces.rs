//! The intact records of a mapped input, cut into pieces that several
//! threads walk at once.
//!
//! Only a walk from a known boundary proves where records start, so every
//! piece after the first starts at a guessed boundary: a record that parses
//! (header, size and trailer agree) and is followed by another or by the
//! end. The guess is confirmed when the walk of the piece before ends
//! exactly there. A wrong guess (a record-shaped pattern inside another
//! record's data) costs the work done on that piece, never a wrong answer:
//! reading goes on from the last confirmed boundary.

use bsm_format::{Record, ids};

/// Where a walk of a piece stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct WalkEnd {
    /// The position after the last record taken.
    pub(crate) end: usize,
    /// False when the walk stopped because what lay at `end` was not an
    /// intact record (a file token, damage, or the end of the input before
    /// `limit`); true when it reached `limit`.
    pub(crate) intact: bool,
}

/// Takes the records of `data` from `start` while they begin before
/// `limit`, each to `take` with its trail offset (`base` + position). The
/// last record may end past `limit`. A record larger than `max_size` counts
/// as not intact.
#[inline]
pub(crate) fn walk<'a, E>(
    data: &'a [u8],
    start: usize,
    limit: usize,
    base: u64,
    max_size: usize,
    mut take: impl FnMut(Record<'a>) -> Result<(), E>,
) -> Result<WalkEnd, E> {
    let mut at = start;
    while at < limit {
        // Record::parse checks the header against its trailer itself, so a
        // record needs no separate framing here.
        match data
            .get(at..)
            .filter(|rest| !rest.is_empty())
            .map(|rest| Record::parse(rest, base + at as u64))
        {
            Some(Ok(record)) if record.bytes().len() <= max_size => {
                at += record.bytes().len();
                take(record)?;
            }
            _ => {
                return Ok(WalkEnd {
                    end: at,
                    intact: false,
                });
            }
        }
    }
    Ok(WalkEnd {
        end: at,
        intact: true,
    })
}

/// The first position in `from..to` that looks like a record boundary: an
/// intact record, followed by another intact record or by the end of
/// `data`.
pub(crate) fn guess_boundary(
    data: &[u8],
    from: usize,
    to: usize,
    max_size: usize,
) -> Option<usize> {
    let intact = |at: usize| {
        data.get(at..)
            .and_then(|rest| Record::parse(rest, 0).ok())
            .map(|record| record.bytes().len())
            .filter(|&len| len <= max_size)
    };
    (from..to.min(data.len())).find(|&at| {
        ids::is_header(data[at])
            && intact(at).is_some_and(|len| at + len == data.len() || intact(at + len).is_some())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A header32 record of `size` bytes (at least 25): header, a text
    /// token of the filler byte, trailer.
    fn record(size: usize, filler: u8) -> Vec<u8> {
        let text_len = size - 18 - 7 - 3;
        let mut r = vec![0x14];
        r.extend_from_slice(&(size as u32).to_be_bytes());
        r.extend_from_slice(&[11, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0]);
        r.push(0x28);
        r.extend_from_slice(&(text_len as u16).to_be_bytes());
        r.extend(std::iter::repeat_n(filler, text_len));
        r.extend_from_slice(&[0x13, 0xb1, 0x05]);
        r.extend_from_slice(&(size as u32).to_be_bytes());
        r
    }

    fn offsets_taken(data: &[u8], start: usize, limit: usize) -> (Vec<u64>, WalkEnd) {
        let mut offsets = Vec::new();
        let end = walk::<()>(data, start, limit, 1000, usize::MAX, |r| {
            offsets.push(r.offset());
            Ok(())
        })
        .unwrap();
        (offsets, end)
    }

    #[test]
    fn a_walk_takes_records_starting_before_its_limit() {
        let data = [record(30, b'a'), record(40, b'b'), record(50, b'c')].concat();
        let (offsets, end) = offsets_taken(&data, 0, 31);
        assert_eq!(offsets, [1000, 1030]);
        assert_eq!(
            end,
            WalkEnd {
                end: 70,
                intact: true
            }
        );
        let (offsets, end) = offsets_taken(&data, 30, data.len());
        assert_eq!(offsets, [1030, 1070]);
        assert_eq!(
            end,
            WalkEnd {
                end: 120,
                intact: true
            }
        );
    }

    #[test]
    fn a_walk_stops_before_what_is_not_a_record() {
        let mut data = [record(30, b'a'), record(40, b'b')].concat();
        data[30 + 39] ^= 1; // the second record's trailer no longer agrees
        let (offsets, end) = offsets_taken(&data, 0, data.len());
        assert_eq!(offsets, [1000]);
        assert_eq!(
            end,
            WalkEnd {
                end: 30,
                intact: false
            }
        );
        // The end of the input before the limit is not intact either.
        let (_, end) = offsets_taken(&data[..30], 0, 60);
        assert_eq!(
            end,
            WalkEnd {
                end: 30,
                intact: false
            }
        );
    }

    #[test]
    fn an_oversized_record_stops_a_walk() {
        let data = [record(30, b'a'), record(40, b'b')].concat();
        let end = walk::<()>(&data, 0, data.len(), 0, 35, |_| Ok(())).unwrap();
        assert_eq!(
            end,
            WalkEnd {
                end: 30,
                intact: false
            }
        );
    }

    #[test]
    fn a_boundary_is_guessed_at_the_next_record() {
        let data = [record(30, b'a'), record(40, b'b'), record(50, b'c')].concat();
        assert_eq!(guess_boundary(&data, 1, data.len(), usize::MAX), Some(30));
        assert_eq!(guess_boundary(&data, 30, data.len(), usize::MAX), Some(30));
        assert_eq!(guess_boundary(&data, 31, data.len(), usize::MAX), Some(70));
        assert_eq!(guess_boundary(&data, 71, data.len(), usize::MAX), None);
        assert_eq!(guess_boundary(&data, 1, 30, usize::MAX), None);
    }

    #[test]
    fn a_record_inside_another_can_be_guessed_and_is_then_not_confirmed() {
        // The filler of the first record's text token holds two whole
        // records: a guess inside it is possible, and the walk of the
        // piece before shows it wrong by ending elsewhere.
        let inner = [record(30, b'x'), record(30, b'y')].concat();
        let mut outer = record(18 + 3 + inner.len() + 7 + 10, b'z');
        outer[21 + 5..21 + 5 + inner.len()].copy_from_slice(&inner);
        let data = [outer.clone(), record(40, b'b')].concat();
        let guess = guess_boundary(&data, 1, outer.len(), usize::MAX);
        assert_eq!(guess, Some(26));
        let (offsets, end) = offsets_taken(&data, 0, 26);
        assert_eq!(offsets, [1000]);
        assert_ne!(end.end, 26);
    }
}
