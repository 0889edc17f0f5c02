//! A record: its header fields at hand, its tokens decoded lazily.

use crate::bytes_view::{StringList, Text};
use crate::decode::decode_token;
use crate::error::{Error, ErrorKind, Result, TrailerFault};
use crate::ids;
use crate::token::{Path, Token};
use crate::view::{HeaderView, ReturnView, SubjectView};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

/// One record, borrowing its bytes from the trail.
///
/// Construction checks the framing: a header token whose size is the record's
/// length, and a trailer that agrees. The header's fields and the tokens in
/// between are decoded only when asked for: a record is its bytes, its
/// offset and its header's length, small enough to pass in registers to
/// whatever looks at millions of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record<'a> {
    bytes: &'a [u8],
    offset: u64,
    header_len: usize,
}

impl<'a> Record<'a> {
    /// Checks and wraps `bytes`, which must hold exactly one record. `offset`
    /// is the record's position in its trail, used in errors.
    #[inline]
    pub fn parse(bytes: &'a [u8], offset: u64) -> Result<Self> {
        match Self::parse_fast(bytes, offset) {
            Some(record) => Ok(record),
            None => Self::parse_general(bytes, offset),
        }
    }

    /// A sound record with a header the fast path reads; None for anything
    /// else, which [`Record::parse_general`] then checks (and reports).
    #[inline(always)]
    fn parse_fast(bytes: &'a [u8], offset: u64) -> Option<Self> {
        let header_len = crate::decode::fixed::header_len(bytes)?;
        let size = u32::from_be_bytes(*bytes.get(1..)?.first_chunk::<4>()?);
        if (size as usize) < header_len + ids::TRAILER_LEN {
            return None;
        }
        let bytes = bytes.get(..size as usize)?;
        check_trailer(bytes, size).ok()?;
        Some(Record {
            bytes,
            offset,
            header_len,
        })
    }

    #[inline(never)]
    fn parse_general(bytes: &'a [u8], offset: u64) -> Result<Self> {
        let (header_token, header_len) = decode_token(bytes).map_err(|err| {
            // A header cut short by its own size field, with all of that size
            // at hand, is a size too small, not a truncated input.
            let claimed = bytes
                .get(1..5)
                .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
            match (err.kind, claimed) {
                (ErrorKind::Truncated { .. }, Some(size))
                    if ids::is_header(bytes[0]) && size as usize <= bytes.len() =>
                {
                    Error::new(ErrorKind::RecordTooSmall(size), Some(bytes[0]), offset)
                }
                _ => err.shifted(offset),
            }
        })?;
        let header = header_token
            .as_header()
            .ok_or_else(|| Error::new(ErrorKind::NotAHeader(header_token.id()), None, offset))?;
        let size = header.size as usize;
        if size < header_len + ids::TRAILER_LEN {
            return Err(Error::new(
                ErrorKind::RecordTooSmall(header.size),
                Some(header.id),
                offset,
            ));
        }
        if size > bytes.len() {
            return Err(Error::new(
                ErrorKind::Truncated {
                    needed: size - bytes.len(),
                },
                Some(header.id),
                offset,
            ));
        }
        let bytes = &bytes[..size];
        let trailer_at = size - ids::TRAILER_LEN;
        check_trailer(bytes, header.size).map_err(|fault| {
            Error::new(
                ErrorKind::BadTrailer(fault),
                Some(ids::TRAILER),
                offset + trailer_at as u64,
            )
        })?;
        Ok(Record {
            bytes,
            offset,
            header_len,
        })
    }

    /// A record whose one fault is its trailer's magic number (the trailer
    /// id and size agree with the header): the record is intact, and a
    /// reader delivers it, saying what was wrong ([`crate::ResyncSplitter`]).
    /// `None` for any other record, sound or not.
    pub fn parse_despite_magic(bytes: &'a [u8], offset: u64) -> Option<Self> {
        let (header_token, header_len) = decode_token(bytes).ok()?;
        let size = header_token.as_header()?.size;
        let record = bytes.get(..size as usize)?;
        if record.len() < header_len + ids::TRAILER_LEN {
            return None;
        }
        match check_trailer(record, size) {
            Err(TrailerFault::Magic(_)) => Some(Record {
                bytes: record,
                offset,
                header_len,
            }),
            _ => None,
        }
    }

    /// What [`Record::parse`] found, to rebuild the record over the same
    /// bytes later without checking them again.
    pub const fn shape(&self) -> RecordShape {
        RecordShape {
            header_len: self.header_len,
            len: self.bytes.len(),
        }
    }

    /// Rebuilds a record that [`Record::parse`] checked, from its bytes and
    /// [`Record::shape`]. `None` if `bytes` is not as long as the record was.
    pub fn with_shape(bytes: &'a [u8], offset: u64, shape: RecordShape) -> Option<Self> {
        (bytes.len() == shape.len).then(|| Self::from_checked(bytes, offset, shape.header_len))
    }

    /// Rebuilds a record from the parts of one that [`Record::parse`] checked.
    pub(crate) const fn from_checked(bytes: &'a [u8], offset: u64, header_len: usize) -> Self {
        Record {
            bytes,
            offset,
            header_len,
        }
    }

    pub(crate) const fn header_len(&self) -> usize {
        self.header_len
    }

    /// The record's bytes, header to trailer.
    pub const fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The record's byte offset in its trail.
    pub const fn offset(&self) -> u64 {
        self.offset
    }

    /// The header's fields, read from its bytes.
    pub fn header(&self) -> HeaderView {
        crate::decode::fixed::header_fields(self.bytes)
    }

    /// The event number (`AUE_*`), at the same place in every header form.
    #[inline]
    pub fn event(&self) -> u16 {
        match self.bytes {
            [_, _, _, _, _, _, high, low, ..] => u16::from_be_bytes([*high, *low]),
            _ => 0,
        }
    }

    /// The record time, to the millisecond.
    pub fn time(&self) -> Option<DateTime<Utc>> {
        self.header().time()
    }

    /// Every token, header and trailer included, decoded as iterated.
    pub fn tokens(&self) -> Tokens<'a> {
        Tokens {
            bytes: self.bytes,
            offset: self.offset,
            position: 0,
            body_end: self.bytes.len() - ids::TRAILER_LEN,
            done: false,
        }
    }

    /// The tokens between header and trailer.
    pub fn body(&self) -> Tokens<'a> {
        Tokens {
            position: self.header_len,
            bytes: &self.bytes[..self.bytes.len() - ids::TRAILER_LEN],
            ..self.tokens()
        }
    }

    /// The first subject token, of any form.
    ///
    /// This and the other accessors look only at the tokens that decode: a
    /// damaged token ends their search (iterate [`Record::tokens`] to see the error).
    pub fn subject(&self) -> Option<SubjectView> {
        self.first_of(|id| {
            matches!(
                id,
                ids::SUBJECT32 | ids::SUBJECT64 | ids::SUBJECT32_EX | ids::SUBJECT64_EX
            )
        })?
        .as_subject()
    }

    /// The first process token, of any form.
    pub fn process(&self) -> Option<SubjectView> {
        self.decoded().find_map(|t| t.as_process())
    }

    /// The return token's status and value, of either width.
    pub fn return_value(&self) -> Option<ReturnView> {
        self.first_of(|id| matches!(id, ids::RETURN32 | ids::RETURN64))?
            .as_return()
    }

    /// The path tokens, in order.
    pub fn paths(&self) -> impl Iterator<Item = Text<'a>> + 'a {
        self.decoded().filter_map(|t| match t {
            Token::Path(Path { path }) => Some(path),
            _ => None,
        })
    }

    /// The first exec args token's strings.
    pub fn exec_args(&self) -> Option<StringList<'a>> {
        self.decoded().find_map(|t| match t {
            Token::ExecArgs(e) => Some(e.strings),
            _ => None,
        })
    }

    /// The body tokens whose id `wanted` accepts, decoded; the others are
    /// stepped over by their length without being built, which is what
    /// makes selection cheap. A token that does not decode (wanted or not)
    /// is yielded as the error and ends the iteration.
    pub fn tokens_where<F: Fn(u8) -> bool>(&self, wanted: F) -> TokensWhere<'a, F> {
        TokensWhere {
            body: &self.bytes[..self.bytes.len() - ids::TRAILER_LEN],
            offset: self.offset,
            position: self.header_len,
            wanted,
        }
    }

    /// The bytes of each body token, id first, delimited but not decoded:
    /// for callers that read a field or two at known offsets (auditreduce's
    /// ids, statuses, paths). A token whose length cannot be read is yielded
    /// as the error and ends the iteration.
    #[inline]
    pub fn token_bytes(&self) -> TokenBytes<'a> {
        let body = &self.bytes[..self.bytes.len() - ids::TRAILER_LEN];
        TokenBytes {
            rest: body.get(self.header_len..).unwrap_or_default(),
            end_offset: self.offset + body.len() as u64,
        }
    }

    /// The first body token whose id `wanted` accepts; it stops at the first
    /// token that does not decode, as [`Record::decoded`] does.
    #[inline]
    fn first_of(&self, wanted: impl Fn(u8) -> bool) -> Option<Token<'a>> {
        self.tokens_where(wanted).next()?.ok()
    }

    fn decoded(&self) -> impl Iterator<Item = Token<'a>> + 'a {
        self.body().map_while(Result::ok)
    }
}

/// See [`Record::token_bytes`].
#[derive(Debug, Clone)]
pub struct TokenBytes<'a> {
    /// The tokens not yet yielded, up to the trailer.
    rest: &'a [u8],
    /// The trail offset of the trailer, where `rest` ends.
    end_offset: u64,
}

impl<'a> Iterator for TokenBytes<'a> {
    type Item = Result<&'a [u8]>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let rest = self.rest;
        if rest.is_empty() {
            return None;
        }
        let len = match crate::decode::fixed::skip(rest) {
            Some(len) => len,
            None => match decode_token(rest) {
                Ok((_, len)) => len,
                Err(error) => {
                    let at = self.end_offset - rest.len() as u64;
                    self.rest = &[];
                    return Some(Err(error.shifted(at)));
                }
            },
        };
        let (token, tail) = rest.split_at_checked(len)?;
        self.rest = tail;
        Some(Ok(token))
    }
}

/// See [`Record::tokens_where`].
#[derive(Debug, Clone)]
pub struct TokensWhere<'a, F> {
    /// The record up to its trailer.
    body: &'a [u8],
    offset: u64,
    position: usize,
    wanted: F,
}

impl<'a, F: Fn(u8) -> bool> Iterator for TokensWhere<'a, F> {
    type Item = Result<Token<'a>>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let rest = self.body.get(self.position..).filter(|r| !r.is_empty())?;
            if (self.wanted)(rest[0]) {
                return Some(match decode_token(rest) {
                    Ok((token, len)) => {
                        self.position += len;
                        Ok(token)
                    }
                    Err(error) => Err(self.stop(error)),
                });
            }
            match crate::decode::fixed::skip(rest) {
                Some(len) => self.position += len,
                None => match decode_token(rest) {
                    Ok((_, len)) => self.position += len,
                    Err(error) => return Some(Err(self.stop(error))),
                },
            }
        }
    }
}

impl<F> TokensWhere<'_, F> {
    /// Places a token's error at its offset in the trail and ends the walk.
    fn stop(&mut self, error: Error) -> Error {
        let at = self.offset + self.position as u64;
        self.position = self.body.len();
        error.shifted(at)
    }
}

/// The framing of a checked record: see [`Record::shape`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordShape {
    header_len: usize,
    len: usize,
}

impl RecordShape {
    /// The record's length in bytes.
    pub const fn len(&self) -> usize {
        self.len
    }

    /// Whether the record has no bytes (never, for a checked record).
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// Checks the trailer that ends `record` (at least a trailer's length long,
/// as both callers ensure) against the header's size.
#[inline(always)]
fn check_trailer(record: &[u8], header_size: u32) -> Result<(), TrailerFault> {
    let Some(&[id, m0, m1, s0, s1, s2, s3]) = record.last_chunk::<{ ids::TRAILER_LEN }>() else {
        return Err(TrailerFault::Missing { found: 0 });
    };
    let magic = u16::from_be_bytes([m0, m1]);
    let size = u32::from_be_bytes([s0, s1, s2, s3]);
    if id != ids::TRAILER {
        Err(TrailerFault::Missing { found: id })
    } else if magic != ids::TRAILER_MAGIC {
        Err(TrailerFault::Magic(magic))
    } else if size != header_size {
        Err(TrailerFault::Size {
            header: header_size,
            trailer: size,
        })
    } else {
        Ok(())
    }
}

/// Serialises as `{"offset", "time", "header", "tokens": [...]}`, `time`
/// being RFC 3339 in UTC with milliseconds (null if out of range); a token
/// that fails to decode ends the list with `{"error": "..."}`.
impl Serialize for Record<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let time = self
            .time()
            .map(|t| t.to_rfc3339_opts(SecondsFormat::Millis, true));
        let mut state = serializer.serialize_struct("Record", 4)?;
        state.serialize_field("offset", &crate::exact::Exact(self.offset))?;
        state.serialize_field("time", &time)?;
        state.serialize_field("header", &self.header())?;
        state.serialize_field("tokens", &SerializeTokens(self.tokens()))?;
        state.end()
    }
}

struct SerializeTokens<'a>(Tokens<'a>);

impl Serialize for SerializeTokens<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.clone().map(|item| match item {
            Ok(token) => TokenOrError::Token(token),
            Err(err) => TokenOrError::Error {
                error: err.to_string(),
            },
        }))
    }
}

#[derive(Serialize)]
#[serde(untagged)]
enum TokenOrError<'a> {
    Token(Token<'a>),
    Error {
        #[serde(rename = "error")]
        error: String,
    },
}

/// The tokens of a record. After an error it yields nothing more.
#[derive(Debug, Clone)]
pub struct Tokens<'a> {
    bytes: &'a [u8],
    offset: u64,
    position: usize,
    body_end: usize,
    done: bool,
}

impl<'a> Iterator for Tokens<'a> {
    type Item = Result<Token<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let at = self.position;
        // The header was checked when the record was made; it and the body
        // tokens end where the trailer starts, which bounds unknown tokens.
        let end = if at < self.body_end {
            self.body_end
        } else {
            self.bytes.len()
        };
        if at == self.bytes.len() {
            self.done = true;
            return None;
        }
        // Common tokens straight into the return value: building them in a
        // local and moving them costs more than decoding them.
        if let Some(found) = crate::decode::fixed::decode(&self.bytes[at..end], &mut self.position)
        {
            return Some(found);
        }
        match decode_token(&self.bytes[at..end]) {
            Ok((token, len)) => {
                self.position += len;
                Some(Ok(token))
            }
            Err(err) => {
                self.done = true;
                Some(Err(err.shifted(self.offset + at as u64)))
            }
        }
    }
}
