//! Building a record in the spirit of libbsm's `au_open`, `au_write` and
//! `au_close`: tokens are appended, and closing adds the header and trailer
//! with the record's size.

use crate::error::BuildError;
use crate::time::AuditTime;
use crate::token::{self, EncodedToken};
use bsm_format::ids;
use std::net::IpAddr;

/// The width of the header's time fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum HeaderWidth {
    /// 0x14 / 0x15: 32-bit seconds and milliseconds.
    #[default]
    Bits32,
    /// 0x74 / 0x79: 64-bit seconds and milliseconds.
    Bits64,
}

/// A record being built.
///
/// ```
/// use bsm_writer::{AuditTime, RecordBuilder, token};
///
/// let record = RecordBuilder::new(72) // AUE_OPEN_R
///     .at(AuditTime::new(1_700_000_000, 123))
///     .with(token::path("/etc/passwd")?)
///     .with(token::return32(0, 3)?)
///     .close()?;
/// assert_eq!(record.len(), 18 + 15 + 6 + 7);
/// # Ok::<(), bsm_writer::BuildError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordBuilder {
    event: u16,
    modifier: u16,
    time: AuditTime,
    width: HeaderWidth,
    host: Option<IpAddr>,
    body: Vec<u8>,
}

impl RecordBuilder {
    /// A record of `event` (an `AUE_*` number), timed now, with a 32-bit
    /// header and no host address.
    pub fn new(event: u16) -> Self {
        RecordBuilder {
            event,
            modifier: 0,
            time: AuditTime::now(),
            width: HeaderWidth::Bits32,
            host: None,
            body: Vec::new(),
        }
    }

    /// The event modifier (0 unless set).
    pub fn modifier(mut self, modifier: u16) -> Self {
        self.modifier = modifier;
        self
    }

    /// The record's time, instead of the time [`RecordBuilder::new`] took.
    pub fn at(mut self, time: AuditTime) -> Self {
        self.time = time;
        self
    }

    /// The header's time width.
    pub fn width(mut self, width: HeaderWidth) -> Self {
        self.width = width;
        self
    }

    /// Writes an `_ex` header carrying the host's address.
    pub fn host(mut self, host: IpAddr) -> Self {
        self.host = Some(host);
        self
    }

    /// Appends a token (`au_write`).
    pub fn write(&mut self, token: &EncodedToken) -> &mut Self {
        self.body.extend_from_slice(token.as_bytes());
        self
    }

    /// Appends a token, for chained building.
    pub fn with(mut self, token: EncodedToken) -> Self {
        self.write(&token);
        self
    }

    /// The record's bytes: header, the tokens written, trailer (`au_close`).
    pub fn close(self) -> Result<Vec<u8>, BuildError> {
        // Encode the header once with a placeholder size to learn its length.
        let header_len = self.header(0)?.as_bytes().len();
        let total = header_len + self.body.len() + ids::TRAILER_LEN;
        let size = u32::try_from(total).map_err(|_| BuildError::RecordTooLarge { size: total })?;
        let mut record = Vec::with_capacity(total);
        record.extend_from_slice(self.header(size)?.as_bytes());
        record.extend_from_slice(&self.body);
        record.extend_from_slice(token::trailer(size)?.as_bytes());
        Ok(record)
    }

    fn header(&self, size: u32) -> Result<EncodedToken, BuildError> {
        let (event, modifier, time) = (self.event, self.modifier, self.time);
        match (self.width, self.host) {
            (HeaderWidth::Bits32, None) => token::header32(size, event, modifier, time),
            (HeaderWidth::Bits32, Some(host)) => {
                token::header32_ex(size, event, modifier, host, time)
            }
            (HeaderWidth::Bits64, None) => token::header64(size, event, modifier, time),
            (HeaderWidth::Bits64, Some(host)) => {
                token::header64_ex(size, event, modifier, host, time)
            }
        }
    }
}
