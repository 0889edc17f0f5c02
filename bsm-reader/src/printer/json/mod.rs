//! JSON lines (`--json`): one object per record or file token.
//!
//! # Record lines
//! ```text
//! {"offset":0,"time":"2023-11-14T22:13:20.123Z","header":{…},
//!  "event":{"name":"AUE_OPEN_R","description":"open(2) - read","classes":"fr"},
//!  "tokens":[{"token":"header32",…},…,{"token":"trailer",…}]}
//! ```
//! - `offset`, `time`, `header` and `tokens` are as bsm-format serialises
//!   a record (`Record`'s `Serialize`), byte for byte: `offset` is the record's byte
//!   offset in its trail, `time` RFC 3339 in UTC with milliseconds (`null`
//!   if out of range), `header` the header fields of any header form
//!   (`HeaderView`), `tokens` every token with its `"token"` tag
//!   (bsm-format's `Token` names; exec args and env are arrays of strings).
//!   A token that fails to decode ends `tokens` with `{"error":"…"}`.
//! - `event` is added by the printer: the header's event in the event
//!   table, `name` (`AUE_…`), `description` and `classes` (the class list as
//!   the table writes it, e.g. `"fr"` or `"lo,ex"`); `null` if the table
//!   lacks the event.
//!
//! # File-token lines
//! `{"time":"2023-11-14T22:13:20.000Z","file":{"token":"file","seconds":…,
//! "milliseconds":…,"name":"…"}}`: a standalone file token between records.
//!
//! # Bare tokens
//! A token outside any record is its own `Token` object on a line.
//!
//! Integers are JSON numbers, but those beyond 2^53 - 1 (a 64-bit -1 in a
//! return64 token, a large device number), which jq and JavaScript would
//! round, are strings of their decimal digits, as bsm-format serialises
//! them: exact for every reader, and a number wherever that is exact too.
//!
//! JSON output ignores `-r`, `-s`, `-n`, `-l` and `-d`: ids and times are
//! always numbers and names are in `event`.

mod out;
mod tokens;

use bsm_format::tables::AuditEvent;
use bsm_format::{Error, HeaderView, Record, Token};

use super::Pen;
use super::time::Rfc3339Clock;
use out::{JsonOut, key};

/// One JSON object a line.
pub(super) struct JsonForm;

impl super::Form for JsonForm {
    fn record(&self, pen: &mut Pen<'_>, record: &Record<'_>) -> Result<(), Error> {
        let event = pen.context.event(record.event());
        write_record(&mut pen.buf, &mut pen.rfc3339, record, event)
    }

    fn file_token(&self, pen: &mut Pen<'_>, token: &Token<'_>) {
        write_file_token(&mut pen.buf, &mut pen.rfc3339, token);
    }

    fn bare_token(&self, pen: &mut Pen<'_>, token: &Token<'_>) {
        write_bare_token(&mut pen.buf, token);
    }
}

/// Appends a record's line; returns the first token that failed to decode.
fn write_record(
    buf: &mut Vec<u8>,
    clock: &mut Rfc3339Clock,
    record: &Record<'_>,
    event: Option<&AuditEvent>,
) -> Result<(), Error> {
    let header = record.header();
    let mut out = JsonOut { buf };
    out.number(b"{\"offset\":", record.offset());
    out.raw(key!("time"));
    clock.push_json(out.buf, header.seconds, header.milliseconds);
    out.raw(key!("header"));
    write_header(&mut out, &header);
    out.raw(key!("event"));
    match event {
        Some(event) => {
            out.string(b"{\"name\":", &event.name);
            out.string(key!("description"), &event.description);
            out.string(key!("classes"), &event.classes);
            out.close();
        }
        None => out.raw(b"null"),
    }
    out.raw(b",\"tokens\":[");
    let mut outcome = Ok(());
    for (i, item) in record.tokens().enumerate() {
        if i > 0 {
            out.raw(b",");
        }
        match item {
            Ok(token) => tokens::write_token(&mut out, &token),
            Err(error) => {
                out.string(b"{\"error\":", &error.to_string());
                out.close();
                outcome = Err(error);
                break;
            }
        }
    }
    out.raw(b"]}\n");
    outcome
}

/// `HeaderView` as bsm-format serialises it.
fn write_header(out: &mut JsonOut<'_>, header: &HeaderView) {
    out.number(b"{\"id\":", header.id);
    out.number(key!("size"), header.size);
    out.number(key!("version"), header.version);
    out.number(key!("event"), header.event);
    out.number(key!("modifier"), header.modifier);
    match header.host {
        Some(host) => out.ip(key!("host"), host),
        None => out.raw(b",\"host\":null"),
    }
    out.number(key!("seconds"), header.seconds);
    out.number(key!("milliseconds"), header.milliseconds);
    out.close();
}

/// Appends a standalone file token's line: its time, then the token.
fn write_file_token(buf: &mut Vec<u8>, clock: &mut Rfc3339Clock, token: &Token<'_>) {
    let mut out = JsonOut { buf };
    out.raw(b"{\"time\":");
    match token {
        Token::File(file) => {
            clock.push_json(out.buf, file.seconds.into(), file.milliseconds.into())
        }
        Token::OtherFile64(file) => clock.push_json(out.buf, file.seconds, file.milliseconds),
        _ => out.raw(b"null"),
    }
    out.raw(key!("file"));
    tokens::write_token(&mut out, token);
    out.raw(b"}\n");
}

/// Appends a bare token's line.
fn write_bare_token(buf: &mut Vec<u8>, token: &Token<'_>) {
    let mut out = JsonOut { buf };
    tokens::write_token(&mut out, token);
    out.raw(b"\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use bsm_format::{Splitter, TrailItem};
    use chrono::{DateTime, SecondsFormat};
    use serde::Serialize;
    use std::path::Path;

    /// The line as serde_json writes it from bsm-format's serialisation:
    /// what ours must equal.
    #[derive(Serialize)]
    struct ExpectedRecord<'r, 'a> {
        offset: u64,
        time: Option<String>,
        header: &'r HeaderView,
        event: Option<ExpectedEvent<'r>>,
        tokens: Vec<Token<'a>>,
    }

    #[derive(Serialize)]
    struct ExpectedEvent<'e> {
        name: &'e str,
        description: &'e str,
        classes: &'e str,
    }

    #[derive(Serialize)]
    struct ExpectedFile<'t, 'a> {
        time: Option<String>,
        file: &'t Token<'a>,
    }

    fn millis_time(seconds: u64, milliseconds: u64) -> Option<String> {
        DateTime::from_timestamp_millis((seconds * 1000 + milliseconds) as i64)
            .map(|t| t.to_rfc3339_opts(SecondsFormat::Millis, true))
    }

    fn trails() -> Vec<std::path::PathBuf> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut files = vec![root.join("fixtures/sample.bsm")];
        for sub in ["reference", "extra", "etc"] {
            let dir = root.join("../shared/conformance").join(sub);
            let entries = std::fs::read_dir(&dir)
                .unwrap_or_else(|e| panic!("conformance corpus missing at {}: {e}", dir.display()));
            files.extend(
                entries
                    .map(|entry| entry.unwrap().path())
                    .filter(|path| path.extension().is_some_and(|ext| ext == "bsm")),
            );
        }
        files
    }

    /// Every record, file token and bare token of the conformance corpus
    /// and of the bundled sample trail comes out exactly as serde_json
    /// writes bsm-format's serialisation.
    #[test]
    fn lines_are_serde_jsons_byte_for_byte() {
        let events = bsm_format::tables::EventTable::builtin();
        let mut clock = Rfc3339Clock::default();
        let mut lines = 0;
        for file in trails() {
            let bytes = std::fs::read(&file).unwrap();
            let mut ours = Vec::new();
            let mut theirs = Vec::new();
            if !bsm_format::ids::is_header(bytes[0]) && !bsm_format::ids::is_file(bytes[0]) {
                let (token, _) = bsm_format::decode_token(&bytes).unwrap();
                write_bare_token(&mut ours, &token);
                serde_json::to_writer(&mut theirs, &token).unwrap();
                theirs.push(b'\n');
            }
            for item in Splitter::new(&bytes) {
                let Ok(item) = item else { break };
                match item {
                    TrailItem::Record(record) => {
                        let event = events.by_number(record.event());
                        write_record(&mut ours, &mut clock, &record, event).unwrap();
                        let header = record.header();
                        let expected = ExpectedRecord {
                            offset: record.offset(),
                            time: millis_time(header.seconds, header.milliseconds),
                            header: &header,
                            event: event.map(|e| ExpectedEvent {
                                name: &e.name,
                                description: &e.description,
                                classes: &e.classes,
                            }),
                            tokens: record.tokens().collect::<Result<_, _>>().unwrap(),
                        };
                        serde_json::to_writer(&mut theirs, &expected).unwrap();
                    }
                    TrailItem::File(item) => {
                        write_file_token(&mut ours, &mut clock, &item.token);
                        let (seconds, milliseconds) = match item.token {
                            Token::File(f) => (f.seconds.into(), f.milliseconds.into()),
                            Token::OtherFile64(f) => (f.seconds, f.milliseconds),
                            _ => unreachable!("a file item holds a file token"),
                        };
                        let expected = ExpectedFile {
                            time: millis_time(seconds, milliseconds),
                            file: &item.token,
                        };
                        serde_json::to_writer(&mut theirs, &expected).unwrap();
                    }
                }
                theirs.push(b'\n');
                lines += 1;
            }
            assert_eq!(
                String::from_utf8_lossy(&ours),
                String::from_utf8_lossy(&theirs),
                "{}",
                file.display()
            );
        }
        assert!(lines > 300, "only {lines} lines compared");
    }

    /// The variants the corpus lacks, and odd values, as serde_json writes them.
    #[test]
    fn tokens_the_corpus_lacks_are_serde_jsons_byte_for_byte() {
        use bsm_format::{
            Arbitrary, AttrSolaris, Bytes, DataUnit, File64, Groups, Identity, PrintFormat, Rights,
            Text, U32List, U64List,
        };
        let gids = [0u8; 64];
        let words = [0x40u8, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2];
        let tokens = [
            Token::OtherFile64(File64 {
                seconds: 1_700_000_000,
                milliseconds: 5,
                name: Text::from_raw(b"tab\there\0"),
            }),
            Token::Groups(Groups {
                gids: U32List::from_raw(&gids),
            }),
            Token::Attr(AttrSolaris {
                mode: 0o100644,
                uid: 1,
                gid: 2,
                fsid: 3,
                node_id: 4,
                device: 5,
            }),
            Token::Rights(Rights {
                words: U64List::from_raw(&words),
            }),
            Token::Identity(Identity {
                signer_type: 1,
                signing_id: Text::from_raw(b"com.apple.\"quoted\"\0"),
                signing_id_truncated: 0,
                team_id: Text::from_raw(b"\xff\xfe\0"),
                team_id_truncated: 1,
                cdhash: Bytes(&[0xde, 0xad, 0xbe, 0xef]),
            }),
            Token::Arbitrary(Arbitrary {
                format: PrintFormat::Other(9),
                unit: DataUnit::Int64,
                count: 1,
                data: Bytes(&[1, 2, 3, 4, 5, 6, 7, 8]),
            }),
        ];
        for token in tokens {
            let mut ours = Vec::new();
            write_bare_token(&mut ours, &token);
            let mut theirs = serde_json::to_vec(&token).unwrap();
            theirs.push(b'\n');
            assert_eq!(
                String::from_utf8_lossy(&ours),
                String::from_utf8_lossy(&theirs)
            );
        }
    }
}
