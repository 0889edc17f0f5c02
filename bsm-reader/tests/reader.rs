//! The trail reader on intact, truncated and byte-flipped trails, mapped and
//! streamed: every intact record is delivered, every damaged region reported.

use bsm_format::{Splitter, TrailItem};
use bsm_reader::{Damage, Event, Parallelism, ReadOptions, Step, TrailReader};
use std::io::{self, Read};
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};

fn conformance(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/conformance")
        .join(path)
}

/// multi_trail.bsm (file token, 3 records, file token) three times over,
/// plus three record files with `_ex` and 64-bit headers.
fn trail() -> Vec<u8> {
    let multi = std::fs::read(conformance("extra/multi_trail.bsm"))
        .expect("conformance corpus missing beside the checkout");
    let mut trail = Vec::new();
    for _ in 0..3 {
        trail.extend(&multi);
    }
    for name in [
        "extra/header32_ex_record-IPv6.bsm",
        "extra/header64_ex_record-IPv4.bsm",
        "extra/subject64ex_record-IPv6.bsm",
    ] {
        trail.extend(std::fs::read(conformance(name)).unwrap());
    }
    trail
}

/// The items of an intact trail as (offset, bytes).
fn items(trail: &[u8]) -> Vec<(u64, Vec<u8>)> {
    Splitter::new(trail)
        .map(|item| {
            let item = item.unwrap();
            (item.offset(), item.bytes().to_vec())
        })
        .collect()
}

#[derive(Debug, PartialEq, Eq)]
enum Seen {
    Item(u64, Vec<u8>),
    Damage(u64, u64),
}

fn read_all(mut reader: TrailReader) -> (Vec<Seen>, Vec<Damage>) {
    let mut seen = Vec::new();
    let mut damages = Vec::new();
    while let Some(event) = reader.next_event().unwrap() {
        match event {
            Event::Item(item) => seen.push(Seen::Item(item.offset(), item.bytes().to_vec())),
            Event::Damage(damage) => {
                seen.push(Seen::Damage(damage.offset, damage.length));
                damages.push(damage);
            }
        }
    }
    (seen, damages)
}

fn mapped(bytes: &[u8]) -> TrailReader {
    TrailReader::from_bytes("test.bsm", bytes.to_vec(), ReadOptions::default())
}

/// A reader that hands out one byte per call, as a slow pipe might.
struct OneByte<'a>(&'a [u8]);

impl Read for OneByte<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match (self.0.split_first(), buf.first_mut()) {
            (Some((&b, rest)), Some(slot)) => {
                *slot = b;
                self.0 = rest;
                Ok(1)
            }
            _ => Ok(0),
        }
    }
}

fn streamed_one_byte(bytes: &[u8]) -> TrailReader {
    let leaked: &'static [u8] = Box::leak(bytes.to_vec().into_boxed_slice());
    TrailReader::from_reader("stdin", Box::new(OneByte(leaked)), ReadOptions::default())
}

#[test]
fn intact_trail_yields_every_item_and_no_damage() {
    let trail = trail();
    let expected: Vec<Seen> = items(&trail)
        .into_iter()
        .map(|(o, b)| Seen::Item(o, b))
        .collect();
    assert_eq!(expected.len(), 18);
    assert_eq!(read_all(mapped(&trail)).0, expected);
    assert_eq!(read_all(streamed_one_byte(&trail)).0, expected);
}

#[test]
fn truncation_at_every_offset_keeps_every_whole_item_and_reports_the_cut() {
    let trail = trail();
    let all = items(&trail);
    for cut in 0..=trail.len() {
        let cut_trail = &trail[..cut];
        let mut expected: Vec<Seen> = all
            .iter()
            .filter(|(o, b)| *o as usize + b.len() <= cut)
            .map(|(o, b)| Seen::Item(*o, b.clone()))
            .collect();
        if let Some((start, _)) = all
            .iter()
            .find(|(o, b)| (*o as usize) < cut && *o as usize + b.len() > cut)
        {
            expected.push(Seen::Damage(*start, cut as u64 - start));
        }
        let (seen, damages) = read_all(mapped(cut_trail));
        assert_eq!(seen, expected, "cut at {cut} (mapped)");
        for damage in damages {
            assert_eq!(damage.source, "test.bsm");
            assert!(
                damage
                    .to_string()
                    .contains(&format!("offset {}", damage.offset))
            );
        }
        if cut % 7 == 0 {
            let (seen, _) = read_all(streamed_one_byte(cut_trail));
            assert_eq!(seen, expected, "cut at {cut} (one byte per read)");
        }
    }
}

#[test]
fn a_flipped_byte_loses_at_most_the_item_that_holds_it() {
    let trail = trail();
    let all = items(&trail);
    for at in 0..trail.len() {
        let mut flipped = trail.clone();
        flipped[at] ^= 0xff;
        let (seen, damages) = read_all(mapped(&flipped));
        let delivered: Vec<(u64, Vec<u8>)> = seen
            .iter()
            .filter_map(|s| match s {
                Seen::Item(o, b) => Some((*o, b.clone())),
                Seen::Damage(..) => None,
            })
            .collect();
        for (offset, bytes) in &all {
            let holds_flip = (*offset as usize..*offset as usize + bytes.len()).contains(&at);
            if !holds_flip {
                assert!(
                    delivered.contains(&(*offset, bytes.clone())),
                    "flip at {at}: intact item at {offset} not delivered"
                );
            }
        }
        // Damage, if any, covers the flipped byte's item start and nothing intact.
        for damage in &damages {
            let region = damage.offset..damage.offset + damage.length;
            for (offset, bytes) in &all {
                let holds_flip = (*offset as usize..*offset as usize + bytes.len()).contains(&at);
                if !holds_flip {
                    assert!(
                        !region.contains(offset),
                        "flip at {at}: damage {region:?} swallowed the intact item at {offset}"
                    );
                }
            }
        }
    }
}

#[test]
fn garbage_without_any_header_byte_is_one_damaged_region_and_ends() {
    let garbage = vec![0x55u8; 100_000];
    let (seen, damages) = read_all(mapped(&garbage));
    assert_eq!(seen, vec![Seen::Damage(0, 100_000)]);
    assert!(damages[0].to_string().contains("0x55"));
    let (seen, _) = read_all(streamed_one_byte(&garbage[..5000]));
    assert_eq!(seen, vec![Seen::Damage(0, 5000)]);
}

#[test]
fn sync_at_start_skips_a_leading_partial_record_silently() {
    let trail = trail();
    let all = items(&trail);
    // Start in the middle of the first record (offset 52 + 10).
    let start = 62;
    let options = ReadOptions {
        sync_at_start: true,
        ..ReadOptions::default()
    };
    let reader = TrailReader::from_bytes("tail", trail[start..].to_vec(), options);
    let (seen, damages) = read_all(reader);
    assert!(damages.is_empty());
    let expected: Vec<Seen> = all
        .iter()
        .filter(|(o, b)| *o as usize >= start && b[0] == 0x14 || *o as usize > start)
        .map(|(o, b)| Seen::Item(*o - start as u64, b.clone()))
        .collect();
    // The file token right after the first cut record is not a record start,
    // so syncing resumes at the next header.
    let first_header = expected
        .iter()
        .position(|s| matches!(s, Seen::Item(_, b) if b[0] == 0x14))
        .unwrap();
    assert_eq!(seen, expected[first_header..]);
}

#[test]
fn garbage_between_records_is_reported_once_with_its_extent() {
    let trail = trail();
    let all = items(&trail);
    let (second_offset, _) = &all[2];
    let mut damaged = trail[..*second_offset as usize].to_vec();
    damaged.extend([0x14, 0x00, 0x00, 0x00, 0x01, 0xaa, 0xbb, 0x13]);
    damaged.extend(&trail[*second_offset as usize..]);
    let (seen, damages) = read_all(mapped(&damaged));
    assert_eq!(damages.len(), 1);
    assert_eq!(damages[0].offset, *second_offset);
    assert_eq!(damages[0].length, 8);
    assert_eq!(seen.len(), all.len() + 1);
    let text = damages[0].to_string();
    assert!(
        text.starts_with("test.bsm: damaged region at byte offset"),
        "{text}"
    );
}

#[test]
fn records_are_read_from_a_real_file_by_mapping_and_by_following() {
    let dir = std::env::temp_dir().join(format!("bsm-reader-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("trail.bsm");
    let trail = trail();
    std::fs::write(&path, &trail).unwrap();
    let expected: Vec<Seen> = items(&trail)
        .into_iter()
        .map(|(o, b)| Seen::Item(o, b))
        .collect();
    let reader = TrailReader::open(&path, ReadOptions::default()).unwrap();
    assert_eq!(read_all(reader).0, expected);

    // Follow a trail that grows while it is read.
    let half = trail.len() / 2;
    std::fs::write(&path, &trail[..half]).unwrap();
    let follow = ReadOptions {
        follow: true,
        ..ReadOptions::default()
    };
    let mut reader = TrailReader::open(&path, follow).unwrap();
    let writer_path = path.clone();
    let rest = trail[half..].to_vec();
    let writer = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(300));
        use std::io::Write;
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(writer_path)
            .unwrap();
        file.write_all(&rest).unwrap();
    });
    let mut seen = Vec::new();
    while seen.len() < expected.len() {
        match reader.next_event().unwrap() {
            Some(Event::Item(item)) => seen.push(Seen::Item(item.offset(), item.bytes().to_vec())),
            Some(Event::Damage(d)) => panic!("unexpected damage while following: {d}"),
            None => panic!("a followed input never ends"),
        }
    }
    writer.join().unwrap();
    assert_eq!(seen, expected);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn items_are_the_splitters_items() {
    let trail = trail();
    let mut reader = mapped(&trail);
    let mut splitter = Splitter::new(&trail);
    while let Some(event) = reader.next_event().unwrap() {
        let Event::Item(item) = event else {
            panic!("damage in an intact trail")
        };
        let expected = splitter.next().unwrap().unwrap();
        match (item, expected) {
            (TrailItem::Record(a), TrailItem::Record(b)) => {
                assert_eq!(a, b);
                assert_eq!(
                    a.tokens().collect::<Vec<_>>(),
                    b.tokens().collect::<Vec<_>>()
                );
            }
            (TrailItem::File(a), TrailItem::File(b)) => assert_eq!(a, b),
            (a, b) => panic!("{a:?} != {b:?}"),
        }
    }
    assert!(splitter.next().is_none());
}

/// The events of `for_each_event`, which takes the mapped fast path.
fn visit_all(mut reader: TrailReader) -> Vec<Seen> {
    let mut seen = Vec::new();
    reader
        .for_each_event(|event| {
            seen.push(match event {
                Event::Item(item) => Seen::Item(item.offset(), item.bytes().to_vec()),
                Event::Damage(damage) => Seen::Damage(damage.offset, damage.length),
            });
            Ok::<(), ()>(())
        })
        .unwrap();
    seen
}

#[test]
fn for_each_event_gives_what_next_event_gives_on_every_cut_and_flip() {
    let trail = trail();
    for cut in 0..=trail.len() {
        let cut_trail = &trail[..cut];
        assert_eq!(
            visit_all(mapped(cut_trail)),
            read_all(mapped(cut_trail)).0,
            "cut at {cut}"
        );
    }
    for at in 0..trail.len() {
        let mut flipped = trail.clone();
        flipped[at] ^= 0xff;
        assert_eq!(
            visit_all(mapped(&flipped)),
            read_all(mapped(&flipped)).0,
            "flip at {at}"
        );
    }
    let sync = ReadOptions {
        sync_at_start: true,
        ..ReadOptions::default()
    };
    let mid_record = &trail[5..];
    assert_eq!(
        visit_all(TrailReader::from_bytes("t", mid_record.to_vec(), sync)),
        read_all(TrailReader::from_bytes("t", mid_record.to_vec(), sync)).0
    );
}

/// The events of `fold_each_event` with the records of each run listed
/// by the fold, which must agree with the run's bytes and offset.
fn fold_all(mut reader: TrailReader, threads: usize, piece_bytes: usize) -> Vec<Seen> {
    let parallelism = Parallelism {
        threads: NonZeroUsize::new(threads).unwrap(),
        piece_bytes,
    };
    let mut seen = Vec::new();
    reader
        .fold_each_event(
            parallelism,
            &Vec::new,
            &|records: &mut Vec<(u64, Vec<u8>)>, record| {
                records.push((record.offset(), record.bytes().to_vec()));
            },
            |step| {
                match step {
                    Step::Run(run) => {
                        let joined: Vec<u8> = run.folded.iter().flat_map(|r| r.1.clone()).collect();
                        assert_eq!(run.bytes, joined);
                        if let Some(first) = run.folded.first() {
                            assert_eq!(run.offset, first.0);
                        }
                        seen.extend(
                            run.folded
                                .into_iter()
                                .map(|(at, bytes)| Seen::Item(at, bytes)),
                        );
                    }
                    Step::Event(Event::Item(item)) => {
                        seen.push(Seen::Item(item.offset(), item.bytes().to_vec()))
                    }
                    Step::Event(Event::Damage(damage)) => {
                        seen.push(Seen::Damage(damage.offset, damage.length))
                    }
                }
                Ok::<(), ()>(())
            },
        )
        .unwrap();
    seen
}

#[test]
fn fold_each_event_gives_what_next_event_gives_on_every_cut_and_flip() {
    let trail = trail();
    for (threads, piece_bytes) in [(1, 1 << 20), (2, 1), (3, 100), (4, 1 << 20)] {
        assert_eq!(
            fold_all(mapped(&trail), threads, piece_bytes),
            read_all(mapped(&trail)).0,
            "{threads} threads, {piece_bytes}-byte pieces"
        );
    }
    for cut in 0..=trail.len() {
        let cut_trail = &trail[..cut];
        assert_eq!(
            fold_all(mapped(cut_trail), 2, 40),
            read_all(mapped(cut_trail)).0,
            "cut at {cut}"
        );
    }
    for at in 0..trail.len() {
        let mut flipped = trail.clone();
        flipped[at] ^= 0xff;
        assert_eq!(
            fold_all(mapped(&flipped), 3, 40),
            read_all(mapped(&flipped)).0,
            "flip at {at}"
        );
    }
}

/// A header32 record of `size` bytes (at least 28) holding a text token of
/// `text`, padded with zeros.
fn text_record(size: usize, text: &[u8]) -> Vec<u8> {
    let text_len = size - 18 - 3 - 7;
    let mut record = vec![0x14];
    record.extend_from_slice(&(size as u32).to_be_bytes());
    record.extend_from_slice(&[11, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0]);
    record.push(0x28);
    record.extend_from_slice(&(text_len as u16).to_be_bytes());
    record.extend_from_slice(text);
    record.resize(size - 7, 0);
    record.extend_from_slice(&[0x13, 0xb1, 0x05]);
    record.extend_from_slice(&(size as u32).to_be_bytes());
    record
}

#[test]
fn fold_each_event_is_not_fooled_by_records_inside_records() {
    // Records whose text holds whole records: a thread that guesses where
    // a piece starts can land on those, and the walk of the piece before
    // must show the guess wrong.
    let inner = [text_record(40, b"inner one"), text_record(40, b"inner two")].concat();
    let mut trail = Vec::new();
    for n in 0..30 {
        trail.extend(text_record(200 + n, &inner));
        trail.extend(text_record(30 + n, b"plain"));
    }
    let expected = read_all(mapped(&trail)).0;
    assert_eq!(expected.len(), 60);
    for threads in 2..=4 {
        for piece_bytes in [1, 17, 64, 150, 1000] {
            assert_eq!(
                fold_all(mapped(&trail), threads, piece_bytes),
                expected,
                "{threads} threads, {piece_bytes}-byte pieces"
            );
        }
    }
}
