//! XML character data: what the text and XML field writers share for
//! strings in `-x` output (see the XML form's module doc for the rules).

/// U+FFFD, what stands in for what XML 1.0 cannot carry.
const REPLACEMENT: &[u8] = "\u{fffd}".as_bytes();

/// Writes `bytes` as XML character data, fit for element content and for
/// attribute values alike (see the module doc for what changes). With
/// `skip_nul`, NUL bytes are dropped instead of replaced. `'` needs no
/// escape (attribute values are in double quotes); with `apostrophe` it
/// is `&apos;` all the same, where OpenBSM's own XML escaper writes that
/// (exec args and env).
pub(super) fn push_escaped(buf: &mut Vec<u8>, bytes: &[u8], skip_nul: bool, apostrophe: bool) {
    for chunk in bytes.utf8_chunks() {
        let valid = chunk.valid();
        let mut copied_to = 0;
        for (at, ch) in valid.char_indices() {
            let replacement: &[u8] = match ch {
                '&' => b"&amp;",
                '<' => b"&lt;",
                '>' => b"&gt;",
                '"' => b"&quot;",
                '\'' if apostrophe => b"&apos;",
                '\t' => b"&#9;",
                '\n' => b"&#10;",
                '\r' => b"&#13;",
                '\0' if skip_nul => b"",
                '\0'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => REPLACEMENT,
                _ => continue,
            };
            buf.extend_from_slice(&valid.as_bytes()[copied_to..at]);
            buf.extend_from_slice(replacement);
            copied_to = at + ch.len_utf8();
        }
        buf.extend_from_slice(&valid.as_bytes()[copied_to..]);
        if !chunk.invalid().is_empty() {
            buf.extend_from_slice(REPLACEMENT);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(bytes: &[u8], skip_nul: bool) -> String {
        let mut buf = Vec::new();
        push_escaped(&mut buf, bytes, skip_nul, false);
        String::from_utf8(buf).unwrap_or_else(|_| "<not UTF-8>".into())
    }

    #[test]
    fn markup_characters_become_entities() {
        assert_eq!(escaped(b"a&b<c>\"d'e", false), "a&amp;b&lt;c&gt;&quot;d'e");
    }

    #[test]
    fn whitespace_controls_become_references() {
        assert_eq!(escaped(b"a\tb\nc\rd", false), "a&#9;b&#10;c&#13;d");
    }

    #[test]
    fn forbidden_characters_and_bad_bytes_become_replacement_characters() {
        assert_eq!(
            escaped(b"a\0b\x01c\x7f", false),
            "a\u{fffd}b\u{fffd}c\u{7f}"
        );
        assert_eq!(escaped(b"a\0b", true), "ab");
        assert_eq!(escaped(b"\xff\xc3", false), "\u{fffd}\u{fffd}");
        assert_eq!(escaped("é\u{ffff}".as_bytes(), false), "é\u{fffd}");
    }
}
