//! Token decoding, zero-copy: the tokens nearly every real record is made
//! of go through fixed-layout fast paths ([`fixed`]); every other id, and
//! every damaged token, through the general nom decoder ([`general`]), which
//! names the exact fault. Both give the same token for the same bytes.

pub(crate) mod fixed;
mod general;

use crate::error::Result;
use crate::token::Token;

/// Decodes the token at the start of `input`, returning it and its length.
///
/// `input` should end where the token's record body ends (just before the
/// trailer): a token of unknown id takes every remaining byte. Errors carry
/// offsets relative to the start of `input`.
#[inline]
pub fn decode_token(input: &[u8]) -> Result<(Token<'_>, usize)> {
    let mut len = 0;
    if let Some(Ok(token)) = fixed::decode(input, &mut len) {
        return Ok((token, len));
    }
    general::decode_token_general(input)
}
