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
//! - serialising a record or a file token with serde_json fails.
#![no_main]

use bsm_format::{
    DEFAULT_MAX_RECORD_SIZE, Error, OwnedItem, Record, Splitter, StreamSplitter, Token, TrailItem,
    encode_record, encode_token, encoded_len,
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
    assert_eq!(limited.len(), unlimited.len(), "limited vs unlimited item count");
    for (l, u) in limited.iter().zip(&unlimited) {
        match (l, u) {
            (Ok(l), Ok(u)) => assert_eq!((l.offset(), l.bytes()), *u),
            (Err(l), Err(u)) => assert_eq!(l.offset, u.offset, "error offsets: {l} vs {u}"),
            _ => panic!("limited {l:?} vs unlimited {u:?}"),
        }
    }

    // The stream splitter as callers use it, over a reader that has it all.
    compare_stream(&limited, StreamSplitter::new(data), "whole");

    // Over a reader that hands out 1 to 13 bytes at a time, with a small limit
    // (on both sides) so that real records meet it too.
    let small: Vec<_> = Splitter::new(data).with_max_record_size(SMALL_LIMIT).collect();
    let chunk = 1 + data.len() % 13;
    compare_stream(
        &small,
        StreamSplitter::new(Chunked { data, chunk }).with_max_record_size(SMALL_LIMIT),
        "chunked",
    );
});

/// The record size limit of the chunked comparison.
const SMALL_LIMIT: u32 = 1024;

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
    assert!(matches!(token, Token::File(_) | Token::OtherFile64(_)), "{token:?}");
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
    assert_eq!(tokens[0].as_header().as_ref(), Some(record.header()));

    if complete {
        assert_eq!(position, bytes.len(), "tokens do not cover the record");
        let (header, rest) = tokens.split_first().unwrap();
        let (trailer, body) = rest.split_last().expect("a record has a trailer");
        assert!(matches!(trailer, Token::Trailer(_)), "last token {trailer:?}");
        let mut out = Vec::new();
        let size = encode_record(header, body, &mut out)
            .unwrap_or_else(|e| panic!("encode_record: {e}"));
        assert_eq!(size as usize, bytes.len());
        assert_eq!(out, bytes, "encode_record does not rebuild the record");
    }

    // The body iterator is the token iterator without the header and, when
    // every token decodes, without the trailer (a damaged token ends both).
    let all: Vec<_> = record.tokens().collect();
    let body: Vec<_> = record.body().collect();
    let body_end = if complete { all.len() - 1 } else { all.len() };
    assert_eq!(body, all[1..body_end], "body() vs tokens()");

    // The accessors.
    let _ = record.event();
    let _ = record.time();
    let _ = record.header().time();
    let _ = record.subject();
    let _ = record.process();
    if let Some(ret) = record.return_value() {
        let _ = ret.is_success();
    }
    for path in record.paths() {
        let _ = path.to_str_lossy();
    }
    if let Some(args) = record.exec_args() {
        assert_eq!(args.iter().count(), args.count() as usize, "exec args count");
    }

    let _ = serde_json::to_string(record).expect("serialising a record");
}
