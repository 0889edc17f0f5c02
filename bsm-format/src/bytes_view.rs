//! Borrowed views of the variable-length fields of tokens.
//!
//! Each view keeps the exact bytes of the trail so that a token re-encodes to
//! the input byte for byte, and decodes its contents on demand.

use serde::{Serialize, Serializer};
use std::borrow::Cow;
use std::fmt;

/// A counted string field: the bytes that the token's u16 length covers.
///
/// libbsm counts the terminating NUL in the length; `raw` keeps it (and any
/// bytes a damaged producer wrote after it), while [`Text::bytes`] gives the
/// text itself. Serialises as a string (invalid UTF-8 replaced).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Text<'a> {
    raw: &'a [u8],
}

impl<'a> Text<'a> {
    /// Wraps the field bytes exactly as they appear in the trail.
    pub const fn from_raw(raw: &'a [u8]) -> Self {
        Text { raw }
    }

    /// The field bytes as in the trail, terminating NUL included.
    pub const fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// The text up to the first NUL (or the whole field if there is none).
    pub fn bytes(&self) -> &'a [u8] {
        match self.raw.iter().position(|&b| b == 0) {
            Some(end) => &self.raw[..end],
            None => self.raw,
        }
    }

    /// The text, with invalid UTF-8 replaced.
    pub fn to_str_lossy(&self) -> Cow<'a, str> {
        String::from_utf8_lossy(self.bytes())
    }
}

impl fmt::Debug for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.to_str_lossy())
    }
}

impl Serialize for Text<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_str_lossy())
    }
}

/// Opaque bytes; serialises as a lower-case hex string.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Bytes<'a>(pub &'a [u8]);

impl<'a> Bytes<'a> {
    pub const fn as_slice(&self) -> &'a [u8] {
        self.0
    }
}

impl fmt::Debug for Bytes<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("0x")?;
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl Serialize for Bytes<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut hex = String::with_capacity(self.0.len() * 2);
        for b in self.0 {
            hex.push(char::from(HEX_DIGITS[usize::from(b >> 4)]));
            hex.push(char::from(HEX_DIGITS[usize::from(b & 0xf)]));
        }
        serializer.serialize_str(&hex)
    }
}

const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// The strings of an exec args or exec env token: `count` NUL-terminated
/// strings, kept as the one byte run they occupy in the trail.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct StringList<'a> {
    count: u32,
    raw: &'a [u8],
}

impl<'a> StringList<'a> {
    /// `raw` must hold exactly `count` NUL-terminated strings; the decoder
    /// guarantees it, and the encoder writes `raw` as it is.
    pub const fn from_raw(count: u32, raw: &'a [u8]) -> Self {
        StringList { count, raw }
    }

    pub const fn count(&self) -> u32 {
        self.count
    }

    /// The strings' bytes, each NUL included, as in the trail.
    pub const fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// The strings, without their NULs.
    pub fn iter(&self) -> impl Iterator<Item = &'a [u8]> + 'a {
        let raw = self.raw;
        let body = raw.strip_suffix(&[0]).unwrap_or(raw);
        body.split(|&b| b == 0).take(self.count as usize)
    }
}

impl fmt::Debug for StringList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.iter().map(String::from_utf8_lossy))
            .finish()
    }
}

impl Serialize for StringList<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter().map(String::from_utf8_lossy))
    }
}

/// A run of big-endian u32 values (group ids), borrowed from the trail.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct U32List<'a> {
    raw: &'a [u8],
}

impl<'a> U32List<'a> {
    /// `raw.len()` must be a multiple of 4; a trailing partial value is ignored.
    pub const fn from_raw(raw: &'a [u8]) -> Self {
        U32List { raw }
    }

    pub const fn raw(&self) -> &'a [u8] {
        self.raw
    }

    pub const fn len(&self) -> usize {
        self.raw.len() / 4
    }

    pub const fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn iter(&self) -> impl Iterator<Item = u32> + 'a {
        self.raw
            .chunks_exact(4)
            .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
    }
}

impl fmt::Debug for U32List<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for U32List<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

/// A run of big-endian u64 values (Capsicum rights words), borrowed.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct U64List<'a> {
    raw: &'a [u8],
}

impl<'a> U64List<'a> {
    /// `raw.len()` must be a multiple of 8; a trailing partial value is ignored.
    pub const fn from_raw(raw: &'a [u8]) -> Self {
        U64List { raw }
    }

    pub const fn raw(&self) -> &'a [u8] {
        self.raw
    }

    pub const fn len(&self) -> usize {
        self.raw.len() / 8
    }

    pub const fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn iter(&self) -> impl Iterator<Item = u64> + 'a {
        self.raw
            .chunks_exact(8)
            .map(|c| u64::from_be_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
    }
}

impl fmt::Debug for U64List<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for U64List<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter().map(crate::exact::Exact))
    }
}
