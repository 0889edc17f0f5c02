//! Damaged input: trails cut at every offset, corrupted sizes and trailers,
//! garbage between records, failing readers, and resuming after damage.

use bsm_format::{
    Arbitrary, Bytes, DataUnit, Error, ErrorKind, ExecStrings, File32, File64, Header32,
    Header32Ex, Header64, Header64Ex, OwnedItem, Path, PrintFormat, ProcessIds, Return32, Return64,
    Splitter, StreamSplitter, StringList, Subject32, Subject32Ex, Subject64, Subject64Ex, Text,
    TextToken, Token, TrailItem, TrailerFault, Unknown, encode_record, encode_token,
};
use std::io::{self, Read};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::PathBuf;

// ---------------------------------------------------------------------------
// trails and their known item boundaries

/// One item of a trail as built: where it starts and its bytes. `prefix` is
/// how many bytes a splitter needs to learn the item's length (5 for a
/// header's size, 11 or 19 for a file token's name length).
#[derive(Debug, Clone)]
struct Item {
    offset: usize,
    bytes: Vec<u8>,
    prefix: usize,
}

impl Item {
    fn end(&self) -> usize {
        self.offset + self.bytes.len()
    }
}

struct Trail {
    bytes: Vec<u8>,
    items: Vec<Item>,
}

impl Trail {
    fn new() -> Self {
        Trail {
            bytes: Vec::new(),
            items: Vec::new(),
        }
    }

    fn push(&mut self, bytes: Vec<u8>, prefix: usize) {
        self.items.push(Item {
            offset: self.bytes.len(),
            bytes: bytes.clone(),
            prefix,
        });
        self.bytes.extend_from_slice(&bytes);
    }

    fn file(&mut self, token: Token<'_>) {
        let prefix = match token {
            Token::File(_) => 11,
            Token::OtherFile64(_) => 19,
            other => panic!("not a file token: {other:?}"),
        };
        let mut bytes = Vec::new();
        encode_token(&token, &mut bytes).unwrap();
        self.push(bytes, prefix);
    }

    fn record(&mut self, header: Token<'_>, body: &[Token<'_>]) {
        let mut bytes = Vec::new();
        let size = encode_record(&header, body, &mut bytes).unwrap();
        assert_eq!(size as usize, bytes.len());
        self.push(bytes, 5);
    }
}

const IDS: ProcessIds = ProcessIds {
    auid: 1000,
    euid: 1000,
    egid: 20,
    ruid: 1000,
    rgid: 20,
    pid: 321,
    sid: 100,
};

const V6: IpAddr = IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 7));
const V4: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 168, 1, 10));

fn h32(event: u16) -> Token<'static> {
    Token::Header32(Header32 {
        size: 0,
        version: 11,
        event,
        modifier: 0,
        seconds: 1_700_000_000,
        milliseconds: 123,
    })
}

fn ok_return() -> Token<'static> {
    Token::Return32(Return32 {
        status: 0,
        value: 0,
    })
}

/// A file token, six records of different header and subject forms, an
/// other_file64 token and a closing file token.
fn built_trail() -> Trail {
    let mut t = Trail::new();
    t.file(Token::File(File32 {
        seconds: 1_700_000_000,
        milliseconds: 0,
        name: Text::from_raw(b"/var/audit/20231114221320.not_terminated\0"),
    }));
    // header32 + subject32 + path + return32
    t.record(
        h32(72),
        &[
            Token::Subject32(Subject32 {
                ids: IDS,
                port: 0x1234,
                addr: Ipv4Addr::new(10, 0, 0, 1),
            }),
            Token::Path(Path {
                path: Text::from_raw(b"/etc/passwd\0"),
            }),
            ok_return(),
        ],
    );
    // header32_ex (IPv4) + subject32_ex (IPv6) + text + return64
    t.record(
        Token::Header32Ex(Header32Ex {
            size: 0,
            version: 11,
            event: 32800,
            modifier: 0,
            host: V4,
            seconds: 1_700_000_001,
            milliseconds: 5,
        }),
        &[
            Token::Subject32Ex(Subject32Ex {
                ids: IDS,
                port: 22,
                addr: V6,
            }),
            Token::Text(TextToken {
                text: Text::from_raw(b"login ok\0"),
            }),
            Token::Return64(Return64 {
                status: 0,
                value: 1 << 40,
            }),
        ],
    );
    // header64 + subject64 + exec args + return32
    t.record(
        Token::Header64(Header64 {
            size: 0,
            version: 10,
            event: 23,
            modifier: 0,
            seconds: 1_700_000_002,
            milliseconds: 999,
        }),
        &[
            Token::Subject64(Subject64 {
                ids: IDS,
                port: 1 << 33,
                addr: Ipv4Addr::LOCALHOST,
            }),
            Token::ExecArgs(ExecStrings {
                strings: StringList::from_raw(3, b"/bin/ls\0\0-la\0"),
            }),
            ok_return(),
        ],
    );
    // header64_ex (IPv6) + subject64_ex (IPv4) + process32_ex (IPv6) + return32
    t.record(
        Token::Header64Ex(Header64Ex {
            size: 0,
            version: 11,
            event: 9,
            modifier: 1,
            host: V6,
            seconds: 1_700_000_003,
            milliseconds: 0,
        }),
        &[
            Token::Subject64Ex(Subject64Ex {
                ids: IDS,
                port: 7,
                addr: V4,
            }),
            Token::Process32Ex(Subject32Ex {
                ids: IDS,
                port: 8,
                addr: V6,
            }),
            ok_return(),
        ],
    );
    t.file(Token::OtherFile64(File64 {
        seconds: 1_700_000_004,
        milliseconds: 1,
        name: Text::from_raw(b"other\0"),
    }));
    // header32_ex (IPv6) + process64 + arbitrary + return32
    t.record(
        Token::Header32Ex(Header32Ex {
            size: 0,
            version: 2,
            event: 2,
            modifier: 0,
            host: V6,
            seconds: 1_700_000_005,
            milliseconds: 77,
        }),
        &[
            Token::Process64(Subject64 {
                ids: IDS,
                port: 3,
                addr: Ipv4Addr::new(10, 9, 8, 7),
            }),
            Token::Arbitrary(Arbitrary {
                format: PrintFormat::Hex,
                unit: DataUnit::Short,
                count: 2,
                data: Bytes(&[1, 2, 3, 4]),
            }),
            ok_return(),
        ],
    );
    // header32 + an unknown token running to the trailer
    t.record(
        h32(6),
        &[Token::Unknown(Unknown {
            id: 0x99,
            bytes: Bytes(&[0x13, 0xb1, 0x05, 0x00]),
        })],
    );
    t.file(Token::File(File32 {
        seconds: 1_700_000_060,
        milliseconds: 0,
        name: Text::from_raw(b"/var/audit/20231114221320.20231114221420\0"),
    }));
    t
}

fn conformance_file(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/conformance/extra")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("missing {}: {e}", path.display()))
}

/// multi_trail.bsm with its item boundaries as praudit shows them
/// (`multi_trail.r.txt`): a 52-byte file token, records of 112, 103 and 76
/// bytes, and a 52-byte file token (name length 0x29).
fn multi_trail() -> Trail {
    let bytes = conformance_file("multi_trail.bsm");
    assert_eq!(bytes.len(), 395);
    let mut items = Vec::new();
    let mut offset = 0;
    for (len, prefix) in [(52, 11), (112, 5), (103, 5), (76, 5), (52, 11)] {
        items.push(Item {
            offset,
            bytes: bytes[offset..offset + len].to_vec(),
            prefix,
        });
        offset += len;
    }
    assert_eq!(offset, bytes.len());
    Trail { bytes, items }
}

// ---------------------------------------------------------------------------
// splitting, as (offset, bytes) or the error

type Got = Vec<Result<(u64, Vec<u8>), Error>>;

fn split_slice(b: &[u8]) -> Got {
    let mut splitter = Splitter::new(b);
    let got: Got = splitter
        .by_ref()
        .take(b.len() + 2)
        .map(|item| item.map(|i| (i.offset(), i.bytes().to_vec())))
        .collect();
    assert!(splitter.next().is_none(), "Splitter goes on after None");
    got
}

fn split_stream(reader: impl Read) -> Got {
    let mut splitter = StreamSplitter::new(reader);
    let got: Got = splitter
        .by_ref()
        .take(100_000)
        .map(|item| item.map(|i| (i.offset(), i.bytes().to_vec())))
        .collect();
    assert!(
        splitter.next().is_none(),
        "StreamSplitter goes on after None"
    );
    got
}

/// A reader that hands out one byte per call.
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

/// A reader that gives `data`, then fails with `kind` instead of ending.
struct FailsAfter<'a> {
    data: &'a [u8],
    kind: io::ErrorKind,
}

impl Read for FailsAfter<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.data.is_empty() {
            return Err(io::Error::new(self.kind, "device gone"));
        }
        let n = buf.len().min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

/// A reader that is interrupted before every successful read.
struct Interrupting<'a> {
    data: &'a [u8],
    interrupt: bool,
}

impl Read for Interrupting<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.interrupt = !self.interrupt;
        if self.interrupt {
            return Err(io::ErrorKind::Interrupted.into());
        }
        let n = buf.len().min(self.data.len()).min(3);
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

/// What splitting `trail` cut at `cut` must give: the items that end at or
/// before the cut, then (unless the cut falls between items) one Truncated
/// error at the start of the cut item.
fn expected_at_cut(trail: &Trail, cut: usize) -> Got {
    let mut expected: Got = trail
        .items
        .iter()
        .filter(|item| item.end() <= cut)
        .map(|item| Ok((item.offset as u64, item.bytes.clone())))
        .collect();
    if let Some(item) = trail
        .items
        .iter()
        .find(|item| item.offset < cut && cut < item.end())
    {
        let have = cut - item.offset;
        let needed = if have >= item.prefix {
            // The length was readable: all that is missing of the item.
            item.end() - cut
        } else {
            // Not even the length: what is missing of the length's prefix.
            item.prefix - have
        };
        expected.push(Err(Error::new(
            ErrorKind::Truncated { needed },
            Some(item.bytes[0]),
            item.offset as u64,
        )));
    }
    expected
}

fn check_whole(trail: &Trail) {
    let expected = expected_at_cut(trail, trail.bytes.len());
    assert_eq!(expected.len(), trail.items.len());
    assert_eq!(split_slice(&trail.bytes), expected);
    assert_eq!(split_stream(&trail.bytes[..]), expected);
    assert_eq!(split_stream(OneByte(&trail.bytes)), expected);
}

fn check_every_cut(trail: &Trail, split: impl Fn(&[u8]) -> Got) {
    for cut in 0..=trail.bytes.len() {
        let got = split(&trail.bytes[..cut]);
        assert_eq!(got, expected_at_cut(trail, cut), "cut at {cut}");
    }
}

// ---------------------------------------------------------------------------
// truncation at every offset

#[test]
fn built_trail_splits_into_its_items() {
    let trail = built_trail();
    assert_eq!(trail.items.len(), 9);
    check_whole(&trail);
}

#[test]
fn multi_trail_splits_into_its_items() {
    let trail = multi_trail();
    check_whole(&trail);
    // The first record is praudit's `header,112,11,72,…`.
    let first = Splitter::new(&trail.bytes).nth(1).unwrap().unwrap();
    match first {
        TrailItem::Record(r) => {
            assert_eq!((r.header().size, r.event()), (112, 72));
            assert_eq!(r.subject().unwrap().auid, 1000);
        }
        other => panic!("expected a record, got {other:?}"),
    }
}

#[test]
fn built_trail_truncated_at_every_offset_slice_splitter() {
    check_every_cut(&built_trail(), split_slice);
}

#[test]
fn built_trail_truncated_at_every_offset_stream_splitter() {
    check_every_cut(&built_trail(), |b| split_stream(b));
}

#[test]
fn built_trail_truncated_at_every_offset_one_byte_reads() {
    check_every_cut(&built_trail(), |b| split_stream(OneByte(b)));
}

#[test]
fn multi_trail_truncated_at_every_offset_slice_splitter() {
    check_every_cut(&multi_trail(), split_slice);
}

#[test]
fn multi_trail_truncated_at_every_offset_stream_splitter() {
    check_every_cut(&multi_trail(), |b| split_stream(b));
}

#[test]
fn multi_trail_truncated_at_every_offset_one_byte_reads() {
    check_every_cut(&multi_trail(), |b| split_stream(OneByte(b)));
}

#[test]
fn interrupted_reads_are_retried() {
    let trail = built_trail();
    let got = split_stream(Interrupting {
        data: &trail.bytes,
        interrupt: false,
    });
    assert_eq!(got, expected_at_cut(&trail, trail.bytes.len()));
}

// ---------------------------------------------------------------------------
// corrupted sizes and trailers

/// Offset of the size field's first byte in item `i`.
fn size_at(trail: &Trail, i: usize) -> usize {
    trail.items[i].offset + 1
}

fn set_u32(bytes: &mut [u8], at: usize, value: u32) {
    bytes[at..at + 4].copy_from_slice(&value.to_be_bytes());
}

/// Splitting `bytes` gives items `0..good` of `trail`, then `err`, then ends.
fn assert_split(bytes: &[u8], trail: &Trail, good: usize, err: Error) {
    let mut expected: Got = trail.items[..good]
        .iter()
        .map(|item| Ok((item.offset as u64, item.bytes.clone())))
        .collect();
    expected.push(Err(err));
    assert_eq!(split_slice(bytes), expected, "Splitter");
    assert_eq!(split_stream(bytes), expected, "StreamSplitter");
}

#[test]
fn header_size_too_small_for_any_record() {
    let trail = built_trail();
    let mut bytes = trail.bytes.clone();
    set_u32(&mut bytes, size_at(&trail, 2), 10);
    let err = Error::new(
        ErrorKind::RecordTooSmall(10),
        Some(0x15),
        trail.items[2].offset as u64,
    );
    assert_split(&bytes, &trail, 2, err);
}

#[test]
fn header_size_smaller_than_header_plus_trailer() {
    // Item 2's header32_ex with an IPv4 host is 26 bytes: 32 cannot hold it
    // and a trailer.
    let trail = built_trail();
    let mut bytes = trail.bytes.clone();
    set_u32(&mut bytes, size_at(&trail, 2), 32);
    let err = Error::new(
        ErrorKind::RecordTooSmall(32),
        Some(0x15),
        trail.items[2].offset as u64,
    );
    assert_split(&bytes, &trail, 2, err);
}

/// Item 4's header64_ex with an IPv6 host is 46 bytes long; a size of 41
/// passes the splitter's smallest-record check (34 + 7, for an IPv4 host)
/// but cannot hold the header itself. That is a record too small, not a
/// truncated input: the whole trail is there.
#[test]
fn header_size_smaller_than_its_own_header_is_too_small_not_truncated() {
    let trail = built_trail();
    assert_eq!(trail.items[4].bytes[0], 0x79);
    let mut bytes = trail.bytes.clone();
    set_u32(&mut bytes, size_at(&trail, 4), 41);
    let err = Error::new(
        ErrorKind::RecordTooSmall(41),
        Some(0x79),
        trail.items[4].offset as u64,
    );
    assert_split(&bytes, &trail, 4, err);
}

#[test]
fn header_size_larger_than_the_data() {
    let trail = built_trail();
    let last = trail.items.len() - 2; // the final record, before the file token
    let mut bytes = trail.bytes.clone();
    // Cut the trail at the end of that record, then claim 1000 more bytes.
    bytes.truncate(trail.items[last].end());
    let size = trail.items[last].bytes.len() as u32 + 1000;
    set_u32(&mut bytes, size_at(&trail, last), size);
    let err = Error::new(
        ErrorKind::Truncated { needed: 1000 },
        Some(0x14),
        trail.items[last].offset as u64,
    );
    assert_split(&bytes, &trail, last, err);
}

#[test]
fn header_size_reaching_into_the_next_record_finds_no_trailer() {
    // Item 1's size grown by 7: where its trailer should be now lies the
    // first 7 bytes of item 2, whose first byte is header32_ex's id.
    let trail = built_trail();
    let mut bytes = trail.bytes.clone();
    let size = trail.items[1].bytes.len() as u32 + 7;
    set_u32(&mut bytes, size_at(&trail, 1), size);
    let err = Error::new(
        ErrorKind::BadTrailer(TrailerFault::Missing { found: 0x15 }),
        Some(0x13),
        trail.items[2].offset as u64,
    );
    assert_split(&bytes, &trail, 1, err);
}

#[test]
fn header_size_larger_than_the_stream_limit() {
    let trail = built_trail();
    let mut bytes = trail.bytes.clone();
    set_u32(&mut bytes, size_at(&trail, 1), 0xffff_0000);
    let expected_err = Error::new(
        ErrorKind::RecordTooLarge {
            size: 0xffff_0000,
            limit: 64 << 20,
        },
        Some(0x14),
        trail.items[1].offset as u64,
    );
    let got = split_stream(&bytes[..]);
    assert_eq!(got.len(), 2);
    assert_eq!(got[1], Err(expected_err));
    // The slice splitter has no limit unless asked: the size overruns the data.
    let got = split_slice(&bytes);
    assert_eq!(
        got[1].as_ref().unwrap_err().kind,
        ErrorKind::Truncated {
            needed: 0xffff_0000 - (bytes.len() - trail.items[1].offset)
        }
    );
    let limited: Vec<_> = Splitter::new(&bytes).with_max_record_size(4096).collect();
    assert_eq!(
        limited[1].as_ref().unwrap_err().kind,
        ErrorKind::RecordTooLarge {
            size: 0xffff_0000,
            limit: 4096
        }
    );
}

#[test]
fn trailer_size_mismatch() {
    let trail = built_trail();
    let item = &trail.items[3];
    let trailer_at = item.end() - 7;
    let mut bytes = trail.bytes.clone();
    let header = item.bytes.len() as u32;
    set_u32(&mut bytes, trailer_at + 3, header + 1);
    let err = Error::new(
        ErrorKind::BadTrailer(TrailerFault::Size {
            header,
            trailer: header + 1,
        }),
        Some(0x13),
        trailer_at as u64,
    );
    assert_split(&bytes, &trail, 3, err);
}

#[test]
fn trailer_bad_magic() {
    let trail = built_trail();
    let item = &trail.items[6]; // the record after the other_file64 token
    assert_eq!(item.bytes[0], 0x15);
    let trailer_at = item.end() - 7;
    let mut bytes = trail.bytes.clone();
    bytes[trailer_at + 1] = 0xde;
    bytes[trailer_at + 2] = 0xad;
    let err = Error::new(
        ErrorKind::BadTrailer(TrailerFault::Magic(0xdead)),
        Some(0x13),
        trailer_at as u64,
    );
    assert_split(&bytes, &trail, 6, err);
}

// ---------------------------------------------------------------------------
// garbage, resuming, I/O errors

/// The trail with `garbage` inserted before item `at`.
fn with_garbage(trail: &Trail, at: usize, garbage: &[u8]) -> Vec<u8> {
    let split = trail.items[at].offset;
    let mut bytes = trail.bytes[..split].to_vec();
    bytes.extend_from_slice(garbage);
    bytes.extend_from_slice(&trail.bytes[split..]);
    bytes
}

#[test]
fn garbage_between_records_is_not_a_header() {
    let trail = built_trail();
    let garbage = [0xde, 0xad, 0xbe, 0xef, 0x00];
    let bytes = with_garbage(&trail, 3, &garbage);
    let at = trail.items[3].offset as u64;
    let err = Error::new(ErrorKind::NotAHeader(0xde), Some(0xde), at);
    assert_split(&bytes, &trail, 3, err);
}

#[test]
fn resume_at_continues_after_garbage() {
    let trail = built_trail();
    let garbage = [0xde, 0xad, 0xbe, 0xef, 0x00];
    let bytes = with_garbage(&trail, 3, &garbage);
    let damaged_at = trail.items[3].offset;

    let mut splitter = Splitter::new(&bytes);
    for item in &trail.items[..3] {
        assert_eq!(
            splitter.next().unwrap().unwrap().offset(),
            item.offset as u64
        );
    }
    let err = splitter.next().unwrap().unwrap_err();
    assert_eq!(err.offset, damaged_at as u64);
    assert!(splitter.next().is_none(), "stopped after the error");

    // Resynchronise: skip one byte at a time to the next header id, as a
    // reader would, and resume there.
    let resync = (damaged_at + 1..bytes.len())
        .find(|&i| matches!(bytes[i], 0x14 | 0x15 | 0x74 | 0x79))
        .unwrap();
    assert_eq!(resync, damaged_at + garbage.len());
    splitter.resume_at(resync);
    assert_eq!(splitter.position(), resync);
    let rest: Vec<_> = splitter
        .map(|item| {
            let item = item.unwrap();
            (item.offset(), item.bytes().to_vec())
        })
        .collect();
    let expected: Vec<_> = trail.items[3..]
        .iter()
        .map(|item| ((item.offset + garbage.len()) as u64, item.bytes.clone()))
        .collect();
    assert_eq!(rest, expected);
}

#[test]
fn resume_at_continues_after_a_damaged_record() {
    let trail = built_trail();
    let mut bytes = trail.bytes.clone();
    // Break record 2's trailer magic.
    let trailer_at = trail.items[2].end() - 7;
    bytes[trailer_at + 1] = 0;
    let mut splitter = Splitter::new(&bytes);
    assert_eq!(splitter.by_ref().take(2).filter(Result::is_ok).count(), 2);
    let err = splitter.next().unwrap().unwrap_err();
    assert_eq!(err.offset, trailer_at as u64);
    assert!(splitter.next().is_none());
    splitter.resume_at(trail.items[3].offset);
    let offsets: Vec<u64> = splitter.map(|i| i.unwrap().offset()).collect();
    let expected: Vec<u64> = trail.items[3..].iter().map(|i| i.offset as u64).collect();
    assert_eq!(offsets, expected);
}

#[test]
fn resume_at_past_the_end_ends() {
    let trail = built_trail();
    let mut splitter = Splitter::new(&trail.bytes);
    splitter.resume_at(trail.bytes.len() + 100);
    assert!(splitter.next().is_none());
}

#[test]
fn io_error_from_the_reader_is_reported_at_the_pending_item() {
    let trail = built_trail();
    for &cut in &[0, trail.items[2].offset, trail.items[2].offset + 10] {
        let reader = FailsAfter {
            data: &trail.bytes[..cut],
            kind: io::ErrorKind::ConnectionReset,
        };
        let mut expected: Got = trail
            .items
            .iter()
            .filter(|item| item.end() <= cut)
            .map(|item| Ok((item.offset as u64, item.bytes.clone())))
            .collect();
        // The error is at the first item the reader did not finish giving.
        let pending = trail.items.iter().find(|item| item.end() > cut).unwrap();
        expected.push(Err(Error::new(
            ErrorKind::Io(io::ErrorKind::ConnectionReset),
            None,
            pending.offset as u64,
        )));
        assert_eq!(split_stream(reader), expected, "failing after {cut} bytes");
    }
}

// ---------------------------------------------------------------------------
// error text

#[test]
fn error_display_names_token_id_and_offset() {
    // A file token of exactly 123 bytes (11 + a name of 111 bytes and its
    // NUL), then a header32 whose size (10) cannot hold a record.
    let mut name = [b'x'; 112];
    name[111] = 0;
    let mut bytes = Vec::new();
    encode_token(
        &Token::File(File32 {
            seconds: 0,
            milliseconds: 0,
            name: Text::from_raw(&name),
        }),
        &mut bytes,
    )
    .unwrap();
    assert_eq!(bytes.len(), 123);
    bytes.extend_from_slice(&[
        0x14, // header32 id
        0x00, 0x00, 0x00, 0x0a, // size 10
        0x0b, 0x00, 0x48, 0x00, 0x00, 0x65, 0x53, 0xf1, 0x00, 0x00, 0x00, 0x00, 0x7b,
    ]);
    let err = Splitter::new(&bytes).nth(1).unwrap().unwrap_err();
    let text = err.to_string();
    assert!(text.contains("offset 123"), "{text}");
    assert!(text.contains("0x14"), "{text}");
    assert!(text.contains("10"), "{text}");

    // A bad trailer names the trailer id and the trailer's own offset.
    let trail = built_trail();
    let mut bytes = trail.bytes.clone();
    let trailer_at = trail.items[1].end() - 7;
    bytes[trailer_at + 2] ^= 0xff;
    let err = Splitter::new(&bytes).nth(1).unwrap().unwrap_err();
    let text = err.to_string();
    assert!(text.contains(&format!("offset {trailer_at}")), "{text}");
    assert!(text.contains("0x13"), "{text}");

    // A token error inside a record names that token and its trail offset.
    let record = match Splitter::new(&trail.bytes).nth(2).unwrap().unwrap() {
        TrailItem::Record(r) => r,
        other => panic!("expected a record, got {other:?}"),
    };
    let mut damaged = record.bytes().to_vec();
    // The subject32_ex after the 26-byte header32_ex: its address type at
    // 26 + 1 + 28 + 4.
    set_u32(&mut damaged, 26 + 33, 9);
    let damaged =
        bsm_format::Record::parse(&damaged, record.offset()).expect("framing still holds");
    let err = damaged.tokens().find_map(Result::err).unwrap();
    assert_eq!(err.kind, ErrorKind::AddressType(9));
    let text = err.to_string();
    assert!(
        text.contains(&format!("offset {}", record.offset() + 26)),
        "{text}"
    );
    assert!(text.contains("0x7a"), "{text}");
}

#[test]
fn owned_items_from_the_stream_keep_their_tokens() {
    let trail = built_trail();
    let items: Vec<OwnedItem> = StreamSplitter::new(&trail.bytes[..])
        .map(Result::unwrap)
        .collect();
    assert_eq!(items.len(), trail.items.len());
    match &items[0] {
        OwnedItem::File(f) => match f.token() {
            Token::File(t) => assert_eq!(t.seconds, 1_700_000_000),
            other => panic!("expected a file token, got {other:?}"),
        },
        other => panic!("expected a file, got {other:?}"),
    }
    match &items[5] {
        OwnedItem::File(f) => assert!(matches!(f.token(), Token::OtherFile64(_))),
        other => panic!("expected a file, got {other:?}"),
    }
    match &items[3] {
        OwnedItem::Record(r) => {
            let args = r.record().exec_args().unwrap();
            assert_eq!(
                args.iter().collect::<Vec<_>>(),
                [&b"/bin/ls"[..], &b""[..], &b"-la"[..]]
            );
        }
        other => panic!("expected a record, got {other:?}"),
    }
}

#[test]
fn a_standalone_file_token_whose_name_is_not_one_c_string_is_damage() {
    // 0x11, seconds 0, msec 0, name length 3, "ab" without its NUL.
    let bytes = [0x11, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x03, b'a', b'b', b'c'];
    let err = Splitter::new(&bytes).next().unwrap().unwrap_err();
    assert_eq!(err, Error::new(ErrorKind::FileName, Some(0x11), 0));
    // Two NULs: the length runs past the name auditd wrote.
    let bytes = [0x11, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x03, b'a', 0, 0];
    let err = Splitter::new(&bytes).next().unwrap().unwrap_err();
    assert_eq!(err.kind, ErrorKind::FileName);
}

#[test]
fn owned_record_drops_bytes_after_the_record_size() {
    // The smallest record (header32 of size 25, trailer), then one stray byte.
    let bytes = [
        0x14, 0x00, 0x00, 0x00, 0x19, 0x0b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, // header32
        0x13, 0xb1, 0x05, 0x00, 0x00, 0x00, 0x19, // trailer
        0x00, // stray
    ];
    let owned = bsm_format::OwnedRecord::new(bytes::Bytes::copy_from_slice(&bytes), 0).unwrap();
    assert_eq!(&owned.bytes()[..], &bytes[..25]);
    let tokens: Vec<_> = owned.record().tokens().collect();
    assert_eq!(tokens.len(), 2);
    assert!(tokens.iter().all(Result::is_ok));
}
