#![forbid(unsafe_code)]
//! bsm-format: every token of Sun's Basic Security Module audit format.
//!
//! - [`Token`]: one variant per token id, borrowing strings and data from the
//!   input; [`decode_token`] and [`encode_token`] convert both ways, byte for byte.
//! - [`Record`]: the header fields at hand and a lazy token iterator, with
//!   accessors ([`Record::subject`], [`Record::return_value`], …) that see
//!   through the 32-bit, 64-bit and `_ex` forms.
//! - [`Splitter`] (over a slice) and [`StreamSplitter`] (over `io::Read`):
//!   a trail as records and file tokens with their offsets, up to the first
//!   damage; [`ResyncSplitter`] reports each damaged region and goes on.
//! - [`tables`]: events, classes, errno values and socket constants.
//! - serde: tokens and records serialise with stable field names; in JSON
//!   (any human-readable format) a 64-bit value beyond 2^53 - 1 is a decimal
//!   string, so that jq and JavaScript read it exactly ([`exact`]).
//!
//! No input makes this crate panic or loop: every failure is an [`Error`]
//! that names the token id and the byte offset.
//!
//! ```
//! use bsm_format::*;
//! use std::net::Ipv4Addr;
//!
//! // Build a record: header, subject, path, return; sizes are filled in.
//! let header = Token::Header32(Header32 {
//!     size: 0, version: 11, event: 72, modifier: 0,
//!     seconds: 1_700_000_000, milliseconds: 123,
//! });
//! let ids = ProcessIds { auid: 1000, euid: 0, egid: 0, ruid: 1000, rgid: 1000, pid: 42, sid: 7 };
//! let body = [
//!     Token::Subject32(Subject32 { ids, port: 0, addr: Ipv4Addr::LOCALHOST }),
//!     Token::Path(Path { path: Text::from_raw(b"/etc/passwd\0") }),
//!     Token::Return32(Return32 { status: 0, value: 3 }),
//! ];
//! let mut trail = Vec::new();
//! encode_record(&header, &body, &mut trail)?;
//!
//! // Read it back.
//! for item in Splitter::new(&trail) {
//!     let TrailItem::Record(record) = item? else { continue };
//!     assert_eq!(record.event(), 72);
//!     assert_eq!(record.subject().map(|s| s.auid), Some(1000));
//!     assert!(record.return_value().is_some_and(|r| r.is_success()));
//!     assert_eq!(record.paths().next().map(|p| p.bytes()), Some(&b"/etc/passwd"[..]));
//!     assert_eq!(record.time().map(|t| t.to_rfc3339()), Some("2023-11-14T22:13:20.123+00:00".into()));
//! }
//! # Ok::<(), bsm_format::Error>(())
//! ```

/// The workspace README's Rust blocks, compiled as doctests so that an
/// example pasted from it builds.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

mod bytes_view;
mod decode;
mod encode;
mod error;
pub mod exact;
pub mod ids;
mod record;
mod resync;
mod split;
mod stream;
pub mod tables;
mod token;
mod trail_dir;
mod trail_name;
mod view;
mod window;
pub mod wire;

pub use bytes_view::{Bytes, StringList, Text, U32List, U64List};
pub use decode::decode_token;
pub use encode::{encode_record, encode_token, encoded_len};
pub use error::{Error, ErrorKind, Result, TrailerFault};
pub use record::{Record, RecordShape, TokenBytes, Tokens, TokensWhere};
pub use resync::{Damage, Event, ReadOptions, ResyncSplitter};
pub use split::{DEFAULT_MAX_RECORD_SIZE, FileItem, Frame, Splitter, TrailItem, frame, parse_item};
pub use stream::{OwnedFile, OwnedItem, OwnedRecord, StreamSplitter};
pub use token::{
    Arbitrary, Arg32, Arg64, Attr32, Attr64, AttrSolaris, DataUnit, ExecStrings, Exit, File32,
    File64, Groups, Header32, Header32Ex, Header64, Header64Ex, Identity, InAddr, InAddrEx,
    IpHeader, IpPort, Ipc, IpcPerm, NewGroups, OLD_GROUPS_COUNT, Opaque, Path, PrintFormat,
    Privilege, ProcessIds, Return32, Return64, Rights, Sequence, SockInet32, SockInet128, SockUnix,
    Socket, SocketEx, Subject32, Subject32Ex, Subject64, Subject64Ex, TextToken, Token, Trailer,
    Unknown, UseOfPrivilege, Uuid, Zone, format_uuid,
};
pub use trail_dir::{TrailFile, list_trail_dir, trail_entries, unnamed_files};
pub use trail_name::{TrailName, TrailState, format_stamp, parse_stamp};
pub use view::{HeaderView, ReturnView, SubjectView};
pub use window::{BytesWindow, StreamWindow, Window};
