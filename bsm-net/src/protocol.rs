//! The wire protocol between a sender and the collector, inside TLS.
//!
//! Frames are length-prefixed (tokio-util's `LengthDelimitedCodec`: a
//! big-endian u32 length, then the frame), at most [`MAX_FRAME`] bytes.
//! A frame is a type byte and its fields, integers big-endian:
//!
//! | type | message | fields |
//! |---|---|---|
//! | 1 | Hello (sender) | version u8, host name (u16 length, bytes) |
//! | 2 | Welcome (collector) | the sequence number it expects next, u64 |
//! | 3 | Records (sender) | sequence number of the first, u64; count, u32; the records back to back |
//! | 4 | Ack (collector) | every record before this sequence number is on disk, u64 |
//! | 5 | Heartbeat (sender) | none |
//! | 6 | List (analyst) | host, or empty for every host (u16 length, bytes) |
//! | 7 | Listing (collector) | count u16; each: host, trail name (u16 length, bytes), length u64 |
//! | 8 | Fetch (analyst) | host, trail name |
//! | 9 | Follow (analyst) | host |
//! | 10 | Data (collector) | trail bytes |
//! | 11 | End (collector) | none |
//! | 12 | Refused (collector) | why (u16 length, bytes) |
//!
//! Records are numbered from 0 per host; the collector acknowledges only
//! what it has written and synced, and a sender that reconnects resumes at
//! the Welcome's number, so a record is neither lost nor stored twice.
//!
//! Both a sender and an analyst start with Hello, naming what their
//! certificate names; the CA that signed it says which one it is. A sender
//! is answered with Welcome. An analyst asks one thing: a List is answered
//! with Listings then End; a Fetch with a stored trail's bytes in Data
//! frames then End; a Follow with the host's current trail from its start
//! and then its records as they are stored, until either end closes. What
//! the collector will not do is answered with Refused.

use bytes::{Buf, BufMut, Bytes, BytesMut};
use tokio_util::codec::LengthDelimitedCodec;

/// The protocol version this crate speaks.
pub const VERSION: u8 = 1;

/// The largest frame: a batch of records (each at most 16 MiB... in
/// practice far less) plus its fields.
pub const MAX_FRAME: usize = 4 << 20;

/// The largest batch of record bytes a sender puts in one frame.
pub const MAX_BATCH: usize = MAX_FRAME - 64;

/// The frame codec both ends use.
pub fn codec() -> LengthDelimitedCodec {
    LengthDelimitedCodec::builder()
        .max_frame_length(MAX_FRAME)
        .new_codec()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    Hello {
        version: u8,
        host: String,
    },
    Welcome {
        next: u64,
    },
    Records {
        first: u64,
        count: u32,
        records: Bytes,
    },
    Ack {
        next: u64,
    },
    Heartbeat,
    List {
        host: String,
    },
    Listing {
        trails: Vec<StoredTrail>,
    },
    Fetch {
        host: String,
        trail: String,
    },
    Follow {
        host: String,
    },
    Data {
        bytes: Bytes,
    },
    End,
    Refused {
        why: String,
    },
}

/// A trail the collector keeps, as a Listing names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTrail {
    pub host: String,
    /// Its file name (`START.END`, `START.not_terminated`, ...).
    pub name: String,
    /// Its length in bytes when listed.
    pub len: u64,
}

/// The most trails one Listing frame names (each at most about 128 KiB).
pub const LISTING_TRAILS: usize = 24;

/// A frame that is not a message of this protocol.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProtocolError {
    #[error("an empty frame")]
    Empty,
    #[error("unknown message type {0}")]
    UnknownType(u8),
    #[error("a {0} frame cut short")]
    Short(&'static str),
    #[error("a {0} frame with {1} bytes too many")]
    Trailing(&'static str, usize),
    #[error("a name that is not UTF-8")]
    HostName,
    #[error("a Listing of more than {LISTING_TRAILS} trails")]
    LongListing,
}

const HELLO: u8 = 1;
const WELCOME: u8 = 2;
const RECORDS: u8 = 3;
const ACK: u8 = 4;
const HEARTBEAT: u8 = 5;
const LIST: u8 = 6;
const LISTING: u8 = 7;
const FETCH: u8 = 8;
const FOLLOW: u8 = 9;
const DATA: u8 = 10;
const END: u8 = 11;
const REFUSED: u8 = 12;

/// A name, cut at 65,535 bytes, after its u16 length.
fn put_name(out: &mut BytesMut, name: &str) {
    let name = &name.as_bytes()[..name.len().min(usize::from(u16::MAX))];
    out.put_u16(name.len() as u16);
    out.put_slice(name);
}

fn get_name(frame: &mut Bytes, message: &'static str) -> Result<String, ProtocolError> {
    if frame.len() < 2 {
        return Err(ProtocolError::Short(message));
    }
    let len = usize::from(frame.get_u16());
    if frame.len() < len {
        return Err(ProtocolError::Short(message));
    }
    String::from_utf8(frame.split_to(len).to_vec()).map_err(|_| ProtocolError::HostName)
}

impl Message {
    pub fn encode(&self) -> Bytes {
        let mut out = BytesMut::new();
        match self {
            Message::Hello { version, host } => {
                out.put_u8(HELLO);
                out.put_u8(*version);
                put_name(&mut out, host);
            }
            Message::Welcome { next } => {
                out.put_u8(WELCOME);
                out.put_u64(*next);
            }
            Message::Records {
                first,
                count,
                records,
            } => {
                out.reserve(13 + records.len());
                out.put_u8(RECORDS);
                out.put_u64(*first);
                out.put_u32(*count);
                out.put_slice(records);
            }
            Message::Ack { next } => {
                out.put_u8(ACK);
                out.put_u64(*next);
            }
            Message::Heartbeat => out.put_u8(HEARTBEAT),
            Message::List { host } => {
                out.put_u8(LIST);
                put_name(&mut out, host);
            }
            Message::Listing { trails } => {
                out.put_u8(LISTING);
                out.put_u16(trails.len().min(LISTING_TRAILS) as u16);
                for trail in trails.iter().take(LISTING_TRAILS) {
                    put_name(&mut out, &trail.host);
                    put_name(&mut out, &trail.name);
                    out.put_u64(trail.len);
                }
            }
            Message::Fetch { host, trail } => {
                out.put_u8(FETCH);
                put_name(&mut out, host);
                put_name(&mut out, trail);
            }
            Message::Follow { host } => {
                out.put_u8(FOLLOW);
                put_name(&mut out, host);
            }
            Message::Data { bytes } => {
                out.reserve(1 + bytes.len());
                out.put_u8(DATA);
                out.put_slice(bytes);
            }
            Message::End => out.put_u8(END),
            Message::Refused { why } => {
                out.put_u8(REFUSED);
                put_name(&mut out, why);
            }
        }
        out.freeze()
    }

    pub fn decode(mut frame: Bytes) -> Result<Message, ProtocolError> {
        if frame.is_empty() {
            return Err(ProtocolError::Empty);
        }
        let kind = frame.get_u8();
        let need = |frame: &Bytes, n: usize, name| {
            if frame.len() < n {
                Err(ProtocolError::Short(name))
            } else {
                Ok(())
            }
        };
        let done = |frame: &Bytes, name| {
            if frame.is_empty() {
                Ok(())
            } else {
                Err(ProtocolError::Trailing(name, frame.len()))
            }
        };
        let message = match kind {
            HELLO => {
                need(&frame, 1, "Hello")?;
                let version = frame.get_u8();
                let host = get_name(&mut frame, "Hello")?;
                done(&frame, "Hello")?;
                Message::Hello { version, host }
            }
            WELCOME => {
                need(&frame, 8, "Welcome")?;
                let next = frame.get_u64();
                done(&frame, "Welcome")?;
                Message::Welcome { next }
            }
            RECORDS => {
                need(&frame, 12, "Records")?;
                let first = frame.get_u64();
                let count = frame.get_u32();
                Message::Records {
                    first,
                    count,
                    records: frame,
                }
            }
            ACK => {
                need(&frame, 8, "Ack")?;
                let next = frame.get_u64();
                done(&frame, "Ack")?;
                Message::Ack { next }
            }
            HEARTBEAT => {
                done(&frame, "Heartbeat")?;
                Message::Heartbeat
            }
            LIST => {
                let host = get_name(&mut frame, "List")?;
                done(&frame, "List")?;
                Message::List { host }
            }
            LISTING => {
                need(&frame, 2, "Listing")?;
                let count = usize::from(frame.get_u16());
                if count > LISTING_TRAILS {
                    return Err(ProtocolError::LongListing);
                }
                let mut trails = Vec::with_capacity(count);
                for _ in 0..count {
                    let host = get_name(&mut frame, "Listing")?;
                    let name = get_name(&mut frame, "Listing")?;
                    need(&frame, 8, "Listing")?;
                    trails.push(StoredTrail {
                        host,
                        name,
                        len: frame.get_u64(),
                    });
                }
                done(&frame, "Listing")?;
                Message::Listing { trails }
            }
            FETCH => {
                let host = get_name(&mut frame, "Fetch")?;
                let trail = get_name(&mut frame, "Fetch")?;
                done(&frame, "Fetch")?;
                Message::Fetch { host, trail }
            }
            FOLLOW => {
                let host = get_name(&mut frame, "Follow")?;
                done(&frame, "Follow")?;
                Message::Follow { host }
            }
            DATA => Message::Data { bytes: frame },
            END => {
                done(&frame, "End")?;
                Message::End
            }
            REFUSED => {
                let why = get_name(&mut frame, "Refused")?;
                done(&frame, "Refused")?;
                Message::Refused { why }
            }
            other => return Err(ProtocolError::UnknownType(other)),
        };
        Ok(message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_have_the_documented_bytes() {
        // worked out from the table above
        assert_eq!(
            Message::Hello {
                version: 1,
                host: "h1".into()
            }
            .encode()[..],
            [1, 1, 0, 2, b'h', b'1']
        );
        assert_eq!(
            Message::Ack { next: 258 }.encode()[..],
            [4, 0, 0, 0, 0, 0, 0, 1, 2]
        );
        assert_eq!(
            Message::Records {
                first: 1,
                count: 2,
                records: Bytes::from_static(b"xy")
            }
            .encode()[..],
            [3, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2, b'x', b'y']
        );
        assert_eq!(Message::Heartbeat.encode()[..], [5]);
        assert_eq!(
            Message::Fetch {
                host: "h".into(),
                trail: "t".into()
            }
            .encode()[..],
            [8, 0, 1, b'h', 0, 1, b't']
        );
        assert_eq!(
            Message::Listing {
                trails: vec![StoredTrail {
                    host: "h".into(),
                    name: "n".into(),
                    len: 3
                }]
            }
            .encode()[..],
            [7, 0, 1, 0, 1, b'h', 0, 1, b'n', 0, 0, 0, 0, 0, 0, 0, 3]
        );
        assert_eq!(Message::End.encode()[..], [11]);
    }

    #[test]
    fn every_message_decodes_to_itself() {
        for message in [
            Message::Hello {
                version: VERSION,
                host: "collector.example".into(),
            },
            Message::Welcome { next: u64::MAX },
            Message::Records {
                first: 7,
                count: 0,
                records: Bytes::new(),
            },
            Message::Ack { next: 0 },
            Message::Heartbeat,
            Message::List {
                host: String::new(),
            },
            Message::Listing {
                trails: vec![
                    StoredTrail {
                        host: "a".into(),
                        name: "20261207101010.not_terminated".into(),
                        len: 0,
                    };
                    LISTING_TRAILS
                ],
            },
            Message::Follow { host: "a".into() },
            Message::Data {
                bytes: Bytes::from_static(b"\x14"),
            },
            Message::End,
            Message::Refused { why: "no".into() },
        ] {
            assert_eq!(Message::decode(message.encode()), Ok(message));
        }
    }

    #[test]
    fn frames_of_another_shape_are_errors() {
        let decode = |bytes: &'static [u8]| Message::decode(Bytes::from_static(bytes));
        assert_eq!(decode(b""), Err(ProtocolError::Empty));
        assert_eq!(decode(&[99]), Err(ProtocolError::UnknownType(99)));
        assert_eq!(
            decode(&[1, 1, 0, 5, b'h']),
            Err(ProtocolError::Short("Hello"))
        );
        assert_eq!(decode(&[2, 0, 0]), Err(ProtocolError::Short("Welcome")));
        assert_eq!(
            decode(&[5, 0]),
            Err(ProtocolError::Trailing("Heartbeat", 1))
        );
        assert_eq!(decode(&[1, 1, 0, 1, 0xff]), Err(ProtocolError::HostName));
        assert_eq!(decode(&[7, 0xff, 0xff]), Err(ProtocolError::LongListing));
        assert_eq!(decode(&[9, 0]), Err(ProtocolError::Short("Follow")));
        assert_eq!(decode(&[11, 0]), Err(ProtocolError::Trailing("End", 1)));
    }
}
