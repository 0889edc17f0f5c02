//! Every `.bsm` file of OpenBSM's conformance corpus decodes without error,
//! and re-encoding every decoded token gives back the input bytes.

use bsm_format::{Splitter, Token, TrailItem, decode_token, encode_record, encode_token};
use std::fs;

#[path = "common/corpus.rs"]
mod corpus;
use corpus::{conformance_dir, corpus, is_bare_token};

fn reencode(token: &Token<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    encode_token(token, &mut out).unwrap();
    out
}

#[test]
fn corpus_has_all_134_files() {
    assert_eq!(corpus().len(), 134);
}

#[test]
fn bare_tokens_decode_and_reencode_exactly() {
    let mut checked = 0;
    for path in corpus().into_iter().filter(|p| is_bare_token(p)) {
        let bytes = fs::read(&path).unwrap();
        let (token, len) =
            decode_token(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(len, bytes.len(), "{}: token length", path.display());
        assert!(
            !matches!(token, Token::Unknown(_)),
            "{}: decoded as unknown",
            path.display()
        );
        assert_eq!(reencode(&token), bytes, "{}", path.display());
        checked += 1;
    }
    assert_eq!(checked, 27);
}

#[test]
fn records_decode_and_every_token_reencodes_exactly() {
    let mut records = 0;
    for path in corpus().into_iter().filter(|p| !is_bare_token(p)) {
        let bytes = fs::read(&path).unwrap();
        let mut rebuilt = Vec::new();
        for item in Splitter::new(&bytes) {
            let item = item.unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            match item {
                TrailItem::Record(record) => {
                    let mut tokens = Vec::new();
                    for token in record.tokens() {
                        let token = token.unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                        rebuilt.extend(reencode(&token));
                        tokens.push(token);
                    }
                    // The record encoder recomputes the sizes from the tokens alone.
                    let mut from_encoder = Vec::new();
                    let body = &tokens[1..tokens.len() - 1];
                    encode_record(&tokens[0], body, &mut from_encoder).unwrap();
                    assert_eq!(from_encoder, record.bytes(), "{}", path.display());
                    records += 1;
                }
                TrailItem::File(file) => rebuilt.extend(reencode(&file.token)),
            }
        }
        assert_eq!(rebuilt, bytes, "{}", path.display());
    }
    // 107 record files; multi_trail holds 3 records.
    assert_eq!(records, 109);
}

#[test]
fn unknown_token_keeps_its_bytes_up_to_the_trailer() {
    let bytes = fs::read(conformance_dir().join("extra/unknown_token_record.bsm")).unwrap();
    let record = match Splitter::new(&bytes).next().unwrap().unwrap() {
        TrailItem::Record(r) => r,
        other => panic!("expected a record, got {other:?}"),
    };
    let tokens: Vec<_> = record.tokens().map(Result::unwrap).collect();
    match tokens[1] {
        Token::Unknown(u) => {
            assert_eq!(u.id, 0x33);
            assert_eq!(u.bytes.0, &[0xde, 0xad, 0xbe, 0xef]);
        }
        other => panic!("expected unknown, got {other:?}"),
    }
    assert!(matches!(tokens[2], Token::Trailer(_)));
}

/// The cheap walks agree with the full decode: `token_bytes` delimits each
/// body token exactly as its re-encoding, and `tokens_where` yields exactly
/// the body tokens its filter accepts.
#[test]
fn token_walks_agree_with_the_full_decode() {
    let mut records = 0;
    for path in corpus().iter().filter(|p| !is_bare_token(p)) {
        let bytes = fs::read(path).unwrap();
        for item in Splitter::new(&bytes) {
            let Ok(TrailItem::Record(record)) = item else {
                continue;
            };
            let body: Vec<Token<'_>> = record.body().map(Result::unwrap).collect();
            let spans: Vec<&[u8]> = record.token_bytes().map(Result::unwrap).collect();
            let reencoded: Vec<Vec<u8>> = body.iter().map(reencode).collect();
            assert_eq!(spans, reencoded, "{}", path.display());
            let odd_ids: Vec<Token<'_>> = record
                .tokens_where(|id| id % 2 == 1)
                .map(Result::unwrap)
                .collect();
            let expected: Vec<Token<'_>> = body.into_iter().filter(|t| t.id() % 2 == 1).collect();
            assert_eq!(odd_ids, expected, "{}", path.display());
            records += 1;
        }
    }
    assert!(records > 100, "only {records} records");
}
