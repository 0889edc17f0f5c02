//! The pieces of a JSON line: keys, numbers, strings, addresses, lists.
//!
//! The printer writes JSON itself rather than through serde_json, for
//! speed: serde_json escapes every field name byte by byte and goes through
//! `io::Write` for each piece, which made `--json` three times slower than
//! the text form. Here a key and its punctuation go out as one constant,
//! and strings are scanned for bytes to escape eight at a time. The output
//! is serde_json's compact form, byte for byte (the tests hold it so).

use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr};

use bsm_format::{Bytes, StringList, Text, U32List, U64List};

/// `key!("auid")` is `,"auid":`, the text before a field that is not an
/// object's first.
macro_rules! key {
    ($name:literal) => {
        concat!(",\"", $name, "\":").as_bytes()
    };
}
pub(super) use key;

/// Appends to the printer's buffer.
pub(super) struct JsonOut<'b> {
    pub(super) buf: &'b mut Vec<u8>,
}

impl JsonOut<'_> {
    pub(super) fn raw(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// `{"token":"NAME"`: a token object, left open for its fields.
    pub(super) fn open_token(&mut self, name: &str) {
        self.raw(b"{\"token\":\"");
        self.raw(name.as_bytes());
        self.raw(b"\"");
    }

    /// An integer; one a JSON reader would round (beyond 2^53 - 1) is a
    /// string of its digits, as bsm-format serialises it.
    pub(super) fn number(&mut self, key: &[u8], value: impl itoa::Integer) {
        self.raw(key);
        let mut digits = itoa::Buffer::new();
        let digits = digits.format(value).as_bytes();
        if beyond_safe_integers(digits) {
            self.buf.push(b'"');
            self.raw(digits);
            self.buf.push(b'"');
        } else {
            self.raw(digits);
        }
    }

    pub(super) fn string(&mut self, key: &[u8], value: &str) {
        self.raw(key);
        write_escaped(self.buf, value);
    }

    /// Text as UTF-8, invalid bytes replaced (as bsm-format serialises it).
    pub(super) fn text(&mut self, key: &[u8], value: &Text<'_>) {
        self.string(key, &value.to_str_lossy());
    }

    pub(super) fn ipv4(&mut self, key: &[u8], value: Ipv4Addr) {
        self.raw(key);
        self.buf.push(b'"');
        let mut digits = itoa::Buffer::new();
        for (i, octet) in value.octets().into_iter().enumerate() {
            if i > 0 {
                self.buf.push(b'.');
            }
            self.raw(digits.format(octet).as_bytes());
        }
        self.buf.push(b'"');
    }

    pub(super) fn ip(&mut self, key: &[u8], value: IpAddr) {
        match value {
            IpAddr::V4(v4) => self.ipv4(key, v4),
            IpAddr::V6(v6) => {
                let mut text = String::with_capacity(39);
                let _ = write!(text, "{v6}");
                self.string(key, &text);
            }
        }
    }

    /// Lower-case hex, as bsm-format serialises opaque bytes.
    pub(super) fn hex(&mut self, key: &[u8], value: &Bytes<'_>) {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        self.raw(key);
        self.buf.push(b'"');
        for &byte in value.as_slice() {
            self.buf.push(DIGITS[usize::from(byte >> 4)]);
            self.buf.push(DIGITS[usize::from(byte & 0xf)]);
        }
        self.buf.push(b'"');
    }

    pub(super) fn strings(&mut self, key: &[u8], value: &StringList<'_>) {
        self.raw(key);
        self.list(value.iter(), |out, string| {
            write_escaped(out.buf, &String::from_utf8_lossy(string))
        });
    }

    pub(super) fn u32s(&mut self, key: &[u8], value: &U32List<'_>) {
        self.raw(key);
        self.list(value.iter(), |out, n| out.number(b"", n));
    }

    pub(super) fn u64s(&mut self, key: &[u8], value: &U64List<'_>) {
        self.raw(key);
        self.list(value.iter(), |out, n| out.number(b"", n));
    }

    fn list<T>(&mut self, items: impl Iterator<Item = T>, mut each: impl FnMut(&mut Self, T)) {
        self.buf.push(b'[');
        for (i, item) in items.enumerate() {
            if i > 0 {
                self.buf.push(b',');
            }
            each(self, item);
        }
        self.buf.push(b']');
    }

    pub(super) fn close(&mut self) {
        self.buf.push(b'}');
    }
}

/// Appends `text` as a JSON string, escaped as serde_json escapes.
pub(super) fn write_escaped(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut clean_from = 0;
    let mut at = 0;
    while at < bytes.len() {
        if let Some(word) = bytes.get(at..at + 8)
            && !word_needs_escape(word)
        {
            at += 8;
            continue;
        }
        let byte = bytes[at];
        if needs_escape(byte) {
            out.extend_from_slice(&bytes[clean_from..at]);
            push_escape(out, byte);
            clean_from = at + 1;
        }
        at += 1;
    }
    out.extend_from_slice(&bytes[clean_from..]);
    out.push(b'"');
}

fn needs_escape(byte: u8) -> bool {
    byte < 0x20 || byte == b'"' || byte == b'\\'
}

/// Whether any of eight bytes is a control character, `"` or `\`, by the
/// has-zero-byte and has-byte-less-than bit tricks (exact for "any").
fn word_needs_escape(word: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let mut eight = [0; 8];
    eight.copy_from_slice(word);
    let w = u64::from_le_bytes(eight);
    let has_zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    let control = w.wrapping_sub(ONES * 0x20) & !w & HIGHS;
    let quote = has_zero(w ^ (ONES * u64::from(b'"')));
    let backslash = has_zero(w ^ (ONES * u64::from(b'\\')));
    control | quote | backslash != 0
}

fn push_escape(out: &mut Vec<u8>, byte: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let short = match byte {
        b'"' => b'"',
        b'\\' => b'\\',
        0x08 => b'b',
        0x0c => b'f',
        b'\n' => b'n',
        b'\r' => b'r',
        b'\t' => b't',
        _ => {
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(byte >> 4)]);
            out.push(HEX[usize::from(byte & 0xf)]);
            return;
        }
    };
    out.extend_from_slice(&[b'\\', short]);
}

/// Whether the unsigned decimal `digits` exceed 2^53 - 1.
fn beyond_safe_integers(digits: &[u8]) -> bool {
    const MAX: &[u8] = b"9007199254740991";
    digits.len() > MAX.len() || (digits.len() == MAX.len() && digits > MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn escaped(text: &str) -> String {
        let mut out = Vec::new();
        write_escaped(&mut out, text);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn integers_a_json_reader_would_round_are_strings() {
        let written = |value: u64| {
            let mut buf = Vec::new();
            JsonOut { buf: &mut buf }.number(b"", value);
            String::from_utf8(buf).unwrap()
        };
        let max = bsm_format::exact::MAX_SAFE_INTEGER;
        assert_eq!(written(max), "9007199254740991");
        assert_eq!(written(max + 1), "\"9007199254740992\"");
        assert_eq!(written(u64::MAX), "\"18446744073709551615\"");
        assert_eq!(written(0), "0");
    }

    #[test]
    fn escapes_as_serde_json_does() {
        for text in [
            "",
            "plain",
            "\"quoted\"",
            "back\\slash",
            "\u{0}\u{1}\u{8}\u{9}\u{a}\u{c}\u{d}\u{1f}\u{7f}",
            "exactly8",
            "sixteen bytes!!\"",
            "ünïcødé \u{2028} ✓",
        ] {
            assert_eq!(
                escaped(text),
                serde_json::to_string(text).unwrap(),
                "{text:?}"
            );
        }
    }

    #[test]
    fn ipv4_addresses_as_display_writes_them() {
        for addr in ["0.0.0.0", "255.255.255.255", "10.0.42.7"] {
            let mut buf = Vec::new();
            JsonOut { buf: &mut buf }.ipv4(b"", addr.parse().unwrap());
            assert_eq!(buf, format!("\"{addr}\"").as_bytes());
        }
    }

    proptest! {
        #[test]
        fn any_string_escapes_as_serde_json_does(text in any::<String>()) {
            prop_assert_eq!(escaped(&text), serde_json::to_string(&text).unwrap());
        }

        #[test]
        fn strings_full_of_escapes_escape_as_serde_json_does(
            text in proptest::collection::vec(
                prop_oneof![
                    Just('"'), Just('\\'), Just('a'), Just('é'),
                    (0u8..0x20).prop_map(char::from),
                ],
                0..40,
            ).prop_map(String::from_iter)
        ) {
            prop_assert_eq!(escaped(&text), serde_json::to_string(&text).unwrap());
        }
    }
}
