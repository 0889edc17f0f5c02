//! Decodes the token at the start of the input and checks that it encodes
//! back to the same bytes; then does the same for the token after it, and so
//! on while tokens decode (so that whole-record seeds exercise every token
//! type they hold, not just their header).
//!
//! Panics (findings) when:
//! - `decode_token` (or anything after it) panics;
//! - a decoded token does not re-encode with `encode_token` to exactly the
//!   bytes it was decoded from (`data[..len]`), or `encoded_len` disagrees;
//! - an unknown token does not take the whole input;
//! - the re-encoded bytes do not decode to the same token, or a shorter
//!   prefix of them decodes too (a token's length must follow from its bytes);
//! - serialising the token with serde_json fails.
#![no_main]

use bsm_format::{Token, decode_token, encode_token, encoded_len};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut rest = data;
    while let Some(len) = check_token(rest) {
        rest = &rest[len..];
    }
});

/// Checks the token at the start of `data`; returns its length if it decodes.
fn check_token(data: &[u8]) -> Option<usize> {
    let (token, len) = decode_token(data).ok()?;
    assert!(
        len >= 1 && len <= data.len(),
        "length {len} of {} bytes",
        data.len()
    );
    assert_eq!(token.id(), data[0], "id of {token:?}");
    if let Token::Unknown(u) = &token {
        assert_eq!(len, data.len(), "an unknown token takes every byte");
        assert_eq!(u.bytes.0, &data[1..]);
    }

    let mut out = Vec::new();
    encode_token(&token, &mut out).unwrap_or_else(|e| panic!("re-encoding {token:?}: {e}"));
    assert_eq!(
        out,
        &data[..len],
        "{token:?} does not re-encode to its bytes"
    );
    assert_eq!(encoded_len(&token), len, "encoded_len of {token:?}");

    let (again, again_len) =
        decode_token(&out).unwrap_or_else(|e| panic!("re-encoded {token:?} does not decode: {e}"));
    assert_eq!(again, token);
    assert_eq!(again_len, len);
    if !matches!(token, Token::Unknown(_))
        && let Ok((short, short_len)) = decode_token(&out[..len - 1])
    {
        panic!("{token:?} minus its last byte decodes as {short:?} ({short_len} bytes)");
    }

    // Views, lists and formatting.
    let _ = format!("{token:?}");
    if let Some(header) = token.as_header() {
        let _ = header.time();
    }
    let _ = token.as_subject();
    let _ = token.as_process();
    let _ = token.as_return();
    match &token {
        Token::ExecArgs(e) | Token::ExecEnv(e) => {
            assert_eq!(
                e.strings.iter().count(),
                e.strings.count() as usize,
                "{token:?}"
            );
        }
        Token::NewGroups(bsm_format::NewGroups { gids })
        | Token::Groups(bsm_format::Groups { gids }) => assert_eq!(gids.iter().count(), gids.len()),
        Token::Rights(r) => assert_eq!(r.words.iter().count(), r.words.len()),
        Token::Arbitrary(a) => assert_eq!(a.values().count(), usize::from(a.count)),
        _ => {}
    }

    let _ = serde_json::to_string(&token).expect("serialising a token");
    Some(len)
}
