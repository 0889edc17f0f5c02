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
//!
//! Records are numbered from 0 per host; the collector acknowledges only
//! what it has written and synced, and a sender that reconnects resumes at
//! the Welcome's number, so a record is neither lost nor stored twice.

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
}

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
    #[error("a host name that is not UTF-8")]
    HostName,
}

const HELLO: u8 = 1;
const WELCOME: u8 = 2;
const RECORDS: u8 = 3;
const ACK: u8 = 4;
const HEARTBEAT: u8 = 5;

impl Message {
    pub fn encode(&self) -> Bytes {
        let mut out = BytesMut::new();
        match self {
            Message::Hello { version, host } => {
                out.put_u8(HELLO);
                out.put_u8(*version);
                let host = &host.as_bytes()[..host.len().min(usize::from(u16::MAX))];
                out.put_u16(host.len() as u16);
                out.put_slice(host);
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
                need(&frame, 3, "Hello")?;
                let version = frame.get_u8();
                let len = usize::from(frame.get_u16());
                need(&frame, len, "Hello")?;
                let host = frame.split_to(len);
                let host = String::from_utf8(host.to_vec()).map_err(|_| ProtocolError::HostName)?;
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
        ] {
            assert_eq!(Message::decode(message.encode()), Ok(message));
        }
    }

    #[test]
    fn frames_of_another_shape_are_errors() {
        let decode = |bytes: &'static [u8]| Message::decode(Bytes::from_static(bytes));
        assert_eq!(decode(b""), Err(ProtocolError::Empty));
        assert_eq!(decode(&[9]), Err(ProtocolError::UnknownType(9)));
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
    }
}
