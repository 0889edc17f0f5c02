//! Splits the input as a trail, with both splitters, and reads every record.
//!
//! Panics (findings) when:
//! - anything in bsm-format panics (slice indexing, overflow with debug
//!   assertions, unwrap, ...) or loops;
//! - `StreamSplitter` (over the whole input at once, and over a reader that
//!   hands out small chunks with a 1 KiB record limit) disagrees with a
//!   `Splitter` of the same limit on any item's offset, bytes or decoded
//!   form, or on the error that ends the trail; or `Splitter` with and
//!   without a limit disagree on an item or on where the trail stops;
//! - a record whose tokens all decode does not re-encode, token by token and
//!   through `encode_record`, to its exact bytes;
//! - an accessor (`subject`, `process`, `return_value`, `paths`, `exec_args`)
//!   differs from a search of the decoded body tokens, or `body()` from
//!   `tokens()` without header and trailer;
//! - `with_base_offset` does not shift every offset, `position()` does not
//!   follow the items, or resynchronising with `resume_at` goes backwards;
//! - `Record::parse` on the raw input disagrees with `OwnedRecord::new` or
//!   with the splitter;
//! - serialising a record or a file token with serde_json fails.
#![no_main]

use bsm_format::{
    DEFAULT_MAX_RECORD_SIZE, Error, OwnedItem, OwnedRecord, Record, Splitter, StreamSplitter,
    Token, TrailItem, encode_record, encode_token, encoded_len,
};
use libfuzzer_sys::fuzz_target;
use std::io::{self, Read};

fuzz_target!(|data: &[u8]| {
    // The slice splitter as callers use it (no size limit), reading everything.
    let mut unlimited = Vec::new();
    for item in Splitter::new(data) {
        match item {
            Ok(TrailItem::Record(record)) => {
                check_record(&record);
                unlimited.push(Ok((record.offset(), record.bytes())));
            }
            Ok(TrailItem::File(file)) => {
                check_file(&file.token, file.bytes);
                unlimited.push(Ok((file.offset, file.bytes)));
            }
            Err(err) => unlimited.push(Err(err)),
        }
    }

    // The slice splitter with the stream splitter's default limit: the two
    // must then agree exactly, errors included.
    let limited: Vec<_> = Splitter::new(data)
        .with_max_record_size(DEFAULT_MAX_RECORD_SIZE)
        .collect();

    // Same items as without a limit; an input shorter than the limit cannot
    // hold a record over it, so only the error kind may differ.
    assert_eq!(
        limited.len(),
        unlimited.len(),
        "limited vs unlimited item count"
    );
    for (l, u) in limited.iter().zip(&unlimited) {
        match (l, u) {
            (Ok(l), Ok(u)) => assert_eq!((l.offset(), l.bytes()), *u),
            (Err(l), Err(u)) => assert_eq!(l.offset, u.offset, "error offsets: {l} vs {u}"),
            _ => panic!("limited {l:?} vs unlimited {u:?}"),
        }
    }

    check_base_offset(data, &unlimited);
    check_resync(data);
    check_parse(data);

    // The stream splitter as callers use it, over a reader that has it all.
    compare_stream(&limited, StreamSplitter::new(data), "whole");

    // Over a reader that hands out 1 to 13 bytes at a time, with a small limit
    // (on both sides) so that real records meet it too.
    let small: Vec<_> = Splitter::new(data)
        .with_max_record_size(SMALL_LIMIT)
        .collect();
    let chunk = 1 + data.len() % 13;
    compare_stream(
        &small,
        StreamSplitter::new(Chunked { data, chunk }).with_max_record_size(SMALL_LIMIT),
        "chunked",
    );
});

/// The record size limit of the chunked comparison.
const SMALL_LIMIT: u32 = 1024;

type Items<'a> = [Result<(u64, &'a [u8]), Error>];

/// With a base offset, every offset moves by it, and `position()` follows the
/// items (and stays at the damage).
fn check_base_offset(data: &[u8], expected: &Items<'_>) {
    const BASE: u64 = 1 << 40;
    let mut splitter = Splitter::new(data).with_base_offset(BASE);
    let mut expected = expected.iter();
    loop {
        let before = splitter.position();
        let Some(item) = splitter.next() else { break };
        match (item, expected.next()) {
            (Ok(item), Some(Ok((offset, bytes)))) => {
                assert_eq!(item.offset(), offset + BASE, "based offset");
                assert_eq!(item.bytes(), *bytes);
                assert_eq!(splitter.position(), before + bytes.len(), "position()");
            }
            (Err(err), Some(Err(want))) => {
                assert_eq!((err.kind, err.token_id), (want.kind, want.token_id));
                assert_eq!(err.offset, want.offset + BASE, "based error offset");
                assert_eq!(splitter.position(), before, "position() after damage");
            }
            (item, want) => panic!("based {item:?} vs {want:?}"),
        }
    }
    assert!(expected.next().is_none(), "based splitter stopped early");
}

/// A reader that resynchronises: after damage, `resume_at` one byte further.
/// Items come in order, each where `position()` said, and each record found
/// is checked like the others.
fn check_resync(data: &[u8]) {
    let mut splitter = Splitter::new(data);
    let mut steps = 0;
    loop {
        steps += 1;
        assert!(steps <= data.len() + 1, "resync does not advance");
        let at = splitter.position();
        match splitter.next() {
            None => break,
            Some(Ok(item)) => {
                assert_eq!(item.offset(), at as u64);
                assert_eq!(item.bytes(), &data[at..at + item.bytes().len()]);
                if at > 0 {
                    match item {
                        TrailItem::Record(record) => check_record(&record),
                        TrailItem::File(file) => check_file(&file.token, file.bytes),
                    }
                }
            }
            Some(Err(err)) => {
                assert!(err.offset >= at as u64, "{err} before {at}");
                assert!(splitter.next().is_none(), "items after damage");
                splitter.resume_at(at + 1);
            }
        }
    }
}

/// `Record::parse` and `OwnedRecord::new` on the raw input (which need not
/// hold exactly one record) agree, and `Record::parse` matches the splitter.
fn check_parse(data: &[u8]) {
    let parsed = Record::parse(data, 7);
    let owned = OwnedRecord::new(bytes::Bytes::copy_from_slice(data), 7);
    match (&parsed, &owned) {
        (Ok(record), Ok(owned)) => {
            check_record(record);
            assert_eq!(owned.record().header(), record.header());
            // Both drop bytes after the record's size.
            assert_eq!(owned.record(), *record, "OwnedRecord::new vs Record::parse");
            assert_eq!(&owned.bytes()[..], record.bytes(), "OwnedRecord::new bytes");
            assert_eq!(
                owned.record().tokens().collect::<Vec<_>>(),
                record.tokens().collect::<Vec<_>>(),
                "OwnedRecord tokens"
            );
        }
        (Err(a), Err(b)) => assert_eq!(a, b),
        _ => panic!("Record::parse {parsed:?} vs OwnedRecord::new {owned:?}"),
    }
    if let Ok(record) = parsed
        && let Some(Ok(TrailItem::Record(split))) = Splitter::new(data).next()
    {
        assert_eq!(split.bytes(), record.bytes(), "Record::parse vs Splitter");
        assert_eq!(split.header(), record.header());
    }
}

/// A reader that hands out at most `chunk` bytes per call.
struct Chunked<'a> {
    data: &'a [u8],
    chunk: usize,
}

impl Read for Chunked<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = buf.len().min(self.chunk).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

fn compare_stream<R: Read>(
    slice: &[Result<TrailItem<'_>, Error>],
    stream: StreamSplitter<R>,
    how: &str,
) {
    let stream: Vec<_> = stream.collect();
    assert_eq!(
        stream.len(),
        slice.len(),
        "{how}: stream yielded {} items, slice {}: {stream:?} vs {slice:?}",
        stream.len(),
        slice.len()
    );
    for (s, l) in stream.iter().zip(slice) {
        match (s, l) {
            (Ok(s), Ok(l)) => {
                assert_eq!(s.offset(), l.offset(), "{how}: offsets");
                assert_eq!(&s.bytes()[..], l.bytes(), "{how}: bytes at {}", l.offset());
                match (s, l) {
                    (OwnedItem::Record(s), TrailItem::Record(l)) => {
                        assert_eq!(s.record(), *l, "{how}: record at {}", l.offset());
                        let _ = serde_json::to_string(&s.record()).expect("serialising a record");
                    }
                    (OwnedItem::File(s), TrailItem::File(l)) => {
                        assert_eq!(s.token(), l.token, "{how}: file token at {}", l.offset);
                    }
                    _ => panic!("{how}: stream {s:?} vs slice {l:?}"),
                }
            }
            (Err(s), Err(l)) => assert_eq!(s, l, "{how}: errors"),
            _ => panic!("{how}: stream {s:?} vs slice {l:?}"),
        }
    }
}

fn check_file(token: &Token<'_>, bytes: &[u8]) {
    assert!(
        matches!(token, Token::File(_) | Token::OtherFile64(_)),
        "{token:?}"
    );
    let mut out = Vec::new();
    encode_token(token, &mut out).unwrap_or_else(|e| panic!("re-encoding {token:?}: {e}"));
    assert_eq!(out, bytes, "file token round trip");
    let _ = serde_json::to_string(token).expect("serialising a file token");
}

fn check_record(record: &Record<'_>) {
    let bytes = record.bytes();
    assert_eq!(record.header().size as usize, bytes.len());

    // Every token, each re-encoded in place.
    let mut position = 0;
    let mut tokens = Vec::new();
    let mut complete = true;
    for item in record.tokens() {
        match item {
            Ok(token) => {
                let _ = format!("{token:?}");
                let mut out = Vec::new();
                encode_token(&token, &mut out)
                    .unwrap_or_else(|e| panic!("re-encoding {token:?} at {position}: {e}"));
                assert_eq!(out.len(), encoded_len(&token), "encoded_len of {token:?}");
                assert_eq!(
                    out,
                    bytes[position..position + out.len()],
                    "token at {position} does not re-encode to its bytes: {token:?}"
                );
                position += out.len();
                tokens.push(token);
            }
            Err(err) => {
                assert!(err.offset >= record.offset(), "{err}");
                complete = false;
            }
        }
    }
    assert!(!tokens.is_empty(), "a record has a header");
    assert_eq!(tokens[0].as_header(), Some(record.header()));

    if complete {
        assert_eq!(position, bytes.len(), "tokens do not cover the record");
        let (header, rest) = tokens.split_first().unwrap();
        let (trailer, body) = rest.split_last().expect("a record has a trailer");
        assert!(
            matches!(trailer, Token::Trailer(_)),
            "last token {trailer:?}"
        );
        let mut out = Vec::new();
        let size =
            encode_record(header, body, &mut out).unwrap_or_else(|e| panic!("encode_record: {e}"));
        assert_eq!(size as usize, bytes.len());
        assert_eq!(out, bytes, "encode_record does not rebuild the record");
    }

    // The body iterator is the token iterator without the header and, when
    // every token decodes, without the trailer (a damaged token ends both).
    let all: Vec<_> = record.tokens().collect();
    let body: Vec<_> = record.body().collect();
    let body_end = if complete { all.len() - 1 } else { all.len() };
    assert_eq!(body, all[1..body_end], "body() vs tokens()");

    // The accessors (which may skip tokens by length rather than decode them)
    // give what a search of the body tokens that decode finds.
    let decoded: Vec<Token<'_>> = record.body().map_while(Result::ok).collect();
    assert_eq!(
        record.subject(),
        decoded.iter().find_map(Token::as_subject),
        "subject()"
    );
    assert_eq!(
        record.process(),
        decoded.iter().find_map(Token::as_process),
        "process()"
    );
    assert_eq!(
        record.return_value(),
        decoded.iter().find_map(Token::as_return),
        "return_value()"
    );
    let paths: Vec<_> = decoded
        .iter()
        .filter_map(|t| match t {
            Token::Path(p) => Some(p.path),
            _ => None,
        })
        .collect();
    assert_eq!(record.paths().collect::<Vec<_>>(), paths, "paths()");
    let exec_args = decoded.iter().find_map(|t| match t {
        Token::ExecArgs(e) => Some(e.strings),
        _ => None,
    });
    assert_eq!(record.exec_args(), exec_args, "exec_args()");
    if let Some(args) = exec_args {
        assert_eq!(
            args.iter().count(),
            args.count() as usize,
            "exec args count"
        );
    }
    if let Some(ret) = record.return_value() {
        let _ = ret.is_success();
    }
    for path in record.paths() {
        let _ = path.to_str_lossy();
    }
    let _ = record.event();
    assert_eq!(record.time(), record.header().time());

    // The shape rebuilds the same record.
    assert_eq!(
        Record::with_shape(bytes, record.offset(), record.shape()),
        Some(*record),
        "with_shape"
    );

    let _ = serde_json::to_string(record).expect("serialising a record");
}
