//! JSON lines (`--json`): one object per record or file token.
//!
//! # Record lines
//! ```text
//! {"offset":0,"time":"2023-11-14T22:13:20.123Z","header":{…},
//!  "event":{"name":"AUE_OPEN_R","description":"open(2) - read","classes":"fr"},
//!  "tokens":[{"token":"header32",…},…,{"token":"trailer",…}]}
//! ```
//! - `offset`, `time`, `header` and `tokens` are bsm-format's serialisation
//!   of a record (`Record`'s `Serialize`): `offset` is the record's byte
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
//! JSON output ignores `-r`, `-s`, `-n`, `-l` and `-d`: ids and times are
//! always numbers and names are in `event`.

use std::cell::Cell;

use bsm_format::tables::AuditEvent;
use bsm_format::{Error, Record, Token};
use chrono::{DateTime, SecondsFormat};
use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

/// A record with the printer's additions; remembers the first token that
/// failed to decode while it serialises.
pub(super) struct RecordLine<'r, 'a> {
    pub(super) record: &'r Record<'a>,
    pub(super) event: Option<&'r AuditEvent>,
    pub(super) decode_error: Cell<Option<Error>>,
}

impl Serialize for RecordLine<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let time = self
            .record
            .time()
            .map(|t| t.to_rfc3339_opts(SecondsFormat::Millis, true));
        let mut line = serializer.serialize_struct("Record", 5)?;
        line.serialize_field("offset", &self.record.offset())?;
        line.serialize_field("time", &time)?;
        line.serialize_field("header", self.record.header())?;
        line.serialize_field("event", &self.event.map(EventNames::from))?;
        line.serialize_field("tokens", &Tokens(self))?;
        line.end()
    }
}

#[derive(Serialize)]
struct EventNames<'e> {
    name: &'e str,
    description: &'e str,
    classes: &'e str,
}

impl<'e> From<&'e AuditEvent> for EventNames<'e> {
    fn from(event: &'e AuditEvent) -> Self {
        EventNames {
            name: &event.name,
            description: &event.description,
            classes: &event.classes,
        }
    }
}

struct Tokens<'l, 'r, 'a>(&'l RecordLine<'r, 'a>);

impl Serialize for Tokens<'_, '_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let line = self.0;
        serializer.collect_seq(line.record.tokens().map(|item| match item {
            Ok(token) => TokenOrError::Token(token),
            Err(error) => {
                let message = error.to_string();
                line.decode_error.set(Some(error));
                TokenOrError::Error { error: message }
            }
        }))
    }
}

#[derive(Serialize)]
#[serde(untagged)]
enum TokenOrError<'a> {
    Token(Token<'a>),
    Error { error: String },
}

/// A standalone file token with its time in RFC 3339.
#[derive(Serialize)]
pub(super) struct FileLine<'t, 'a> {
    time: Option<String>,
    file: &'t Token<'a>,
}

impl<'t, 'a> FileLine<'t, 'a> {
    pub(super) fn new(file: &'t Token<'a>) -> Self {
        let (seconds, milliseconds) = match file {
            Token::File(f) => (u64::from(f.seconds), u64::from(f.milliseconds)),
            Token::OtherFile64(f) => (f.seconds, f.milliseconds),
            _ => (0, 0),
        };
        let time = i64::try_from(seconds)
            .ok()
            .and_then(|s| s.checked_mul(1000))
            .zip(i64::try_from(milliseconds).ok())
            .and_then(|(ms, extra)| ms.checked_add(extra))
            .and_then(DateTime::from_timestamp_millis)
            .filter(|_| matches!(file, Token::File(_) | Token::OtherFile64(_)))
            .map(|t| t.to_rfc3339_opts(SecondsFormat::Millis, true));
        FileLine { time, file }
    }
}
