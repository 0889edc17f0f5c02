#![forbid(unsafe_code)]
//! bsm-format: every token of Sun's Basic Security Module audit format.
//!
//! - [`Token`]: one variant per token id, borrowing strings and data from the
//!   input; [`decode_token`] and [`encode_token`] convert both ways, byte for byte.
//! - [`Record`]: the header fields at hand and a lazy token iterator, with
//!   accessors ([`Record::subject`], [`Record::return_value`], …) that see
//!   through the 32-bit, 64-bit and `_ex` forms.
//! - [`Splitter`] (over a slice) and [`StreamSplitter`] (over `io::Read`):
//!   a trail as records and file tokens with their offsets.
//! - [`tables`]: events, classes, errno values and socket constants.
//!
//! No input makes this crate panic or loop: every failure is an [`Error`]
//! that names the token id and the byte offset.

mod bytes_view;
mod decode;
mod encode;
mod error;
pub mod ids;
mod record;
mod split;
mod stream;
pub mod tables;
mod token;
mod view;

pub use bytes_view::{Bytes, StringList, Text, U32List, U64List};
pub use decode::decode_token;
pub use encode::{encode_record, encode_token, encoded_len};
pub use error::{Error, ErrorKind, Result, TrailerFault};
pub use record::{Record, Tokens};
pub use split::{DEFAULT_MAX_RECORD_SIZE, FileItem, Frame, Splitter, TrailItem, frame, parse_item};
pub use stream::{OwnedFile, OwnedItem, OwnedRecord, StreamSplitter};
pub use token::*;
pub use view::{HeaderView, ReturnView, SubjectView};
