//! praudit's printer: records, file tokens and bare tokens as praudit's text
//! (`-r`, `-s`, `-n`, `-l`, `-d`), XML (`-x`) or JSON lines (`--json`).
//!
//! The printer knows nothing of files: the caller splits the trail and hands
//! over each item. Output is byte-for-byte OpenBSM praudit's, except where
//! `shared/docs/bsm-format.md` lists an OpenBSM bug we do not copy
//! (header32_ex forms, arbitrary data read big-endian at full width,
//! well-formed XML, every gid of a group token) and for the tokens OpenBSM
//! cannot decode, which get a form of their own.
//!
//! ```
//! use bsm_reader::printer::{PrintContext, PrintOptions, Printer, Zone};
//! use bsm_format::{Splitter, TrailItem};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let trail: Vec<u8> = Vec::new();
//! let context = PrintContext::new(None)?.with_zone(Zone::utc());
//! let mut printer = Printer::new(Vec::new(), PrintOptions::default(), &context);
//! printer.begin()?;
//! for item in Splitter::new(&trail) {
//!     match item? {
//!         TrailItem::Record(record) => printer.record(&record)?,
//!         TrailItem::File(file) => printer.file_token(&file.token)?,
//!     }
//! }
//! printer.finish()?;
//! # Ok(())
//! # }
//! ```

mod context;
mod fields;
pub mod json;
mod scalars;
#[cfg(test)]
mod tests;
mod text;
mod time;
mod xml;

use std::fmt;
use std::io::{self, Write};

use bsm_format::{Record, Token};

pub use crate::accounts::{HOST_GROUP, HOST_PASSWD};
pub use context::{HOST_AUDIT_EVENT, PrintContext};
pub use time::Zone;

use fields::Sink;
use time::{Clock, Rfc3339Clock};
use xml::Role;

/// The output form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// praudit's default: a token's fields joined by the delimiter.
    #[default]
    Text,
    /// praudit's `-x`.
    Xml,
    /// One JSON object per line (see [`json`]).
    Json,
}

/// praudit's flags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintOptions {
    pub format: Format,
    /// `-r`: token ids, event numbers, raw times and statuses, numeric ids.
    pub raw: bool,
    /// `-s`: events by `AUE_` name instead of description.
    pub short: bool,
    /// `-n`: user and group ids as numbers.
    pub numeric: bool,
    /// `-l`: one record a line.
    pub one_line: bool,
    /// `-d`: what separates fields (and, with `-l`, tokens).
    pub delimiter: String,
}

impl Default for PrintOptions {
    fn default() -> Self {
        PrintOptions {
            format: Format::Text,
            raw: false,
            short: false,
            numeric: false,
            one_line: false,
            delimiter: ",".to_owned(),
        }
    }
}

/// Why a record could not be printed whole.
#[derive(Debug)]
pub enum PrintError {
    /// Writing the output failed: this record's or, as the printer writes
    /// in blocks, earlier output.
    Io(io::Error),
    /// A token of the record failed to decode. The tokens before it were
    /// printed, and the record's line (`-l`) or element (`-x`) was closed;
    /// the error names the token id and its byte offset in the trail.
    Token(bsm_format::Error),
}

impl fmt::Display for PrintError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PrintError::Io(error) => write!(f, "cannot write output: {error}"),
            PrintError::Token(error) => write!(f, "damaged token: {error}"),
        }
    }
}

impl std::error::Error for PrintError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            PrintError::Io(error) => Some(error),
            PrintError::Token(error) => Some(error),
        }
    }
}

impl From<io::Error> for PrintError {
    fn from(error: io::Error) -> Self {
        PrintError::Io(error)
    }
}

/// Prints trail items to `out`.
///
/// Output is gathered in the printer's own buffer and written to `out` in
/// blocks of about 64 KiB, so `out` need not be buffered; [`Printer::flush`]
/// writes what is pending at once (for a followed trail), [`Printer::finish`]
/// ends the document, and dropping the printer writes what is left, ignoring
/// errors as `BufWriter` does.
#[derive(Debug)]
pub struct Printer<'ctx, W: Write> {
    /// `None` only once [`Printer::into_inner`] has taken it.
    out: Option<W>,
    options: PrintOptions,
    context: &'ctx PrintContext,
    clock: Clock,
    rfc3339: Rfc3339Clock,
    buf: Vec<u8>,
}

/// How much output the printer gathers before it writes to `out`.
const WRITE_THRESHOLD: usize = 64 * 1024;

impl<'ctx, W: Write> Printer<'ctx, W> {
    pub fn new(out: W, options: PrintOptions, context: &'ctx PrintContext) -> Self {
        Printer {
            out: Some(out),
            options,
            clock: Clock::new(context.zone()),
            rfc3339: Rfc3339Clock::default(),
            context,
            buf: Vec::with_capacity(WRITE_THRESHOLD + 4096),
        }
    }

    pub fn options(&self) -> &PrintOptions {
        &self.options
    }

    /// Starts the output: the XML prologue and `<audit>` under `-x`.
    pub fn begin(&mut self) -> io::Result<()> {
        if self.options.format == Format::Xml {
            self.buf
                .extend_from_slice(b"<?xml version='1.0' ?>\n<audit>\n");
        }
        self.write_if_full()
    }

    /// Ends the output (`</audit>` under `-x`), writes it all and flushes `out`.
    pub fn finish(&mut self) -> io::Result<()> {
        if self.options.format == Format::Xml {
            self.buf.extend_from_slice(b"</audit>\n");
        }
        self.flush()
    }

    /// Writes what is pending to `out` and flushes `out`.
    pub fn flush(&mut self) -> io::Result<()> {
        self.write_pending()?;
        match self.out.as_mut() {
            Some(out) => out.flush(),
            None => Ok(()),
        }
    }

    /// Writes what is pending and gives back the writer, without finishing
    /// the document.
    pub fn into_inner(mut self) -> io::Result<W> {
        self.write_pending()?;
        self.out
            .take()
            .ok_or_else(|| io::Error::other("the printer's writer was already taken"))
    }

    fn write_pending(&mut self) -> io::Result<()> {
        let outcome = match self.out.as_mut() {
            Some(out) if !self.buf.is_empty() => out.write_all(&self.buf),
            _ => Ok(()),
        };
        self.buf.clear();
        outcome
    }

    fn write_if_full(&mut self) -> io::Result<()> {
        if self.buf.len() >= WRITE_THRESHOLD {
            self.write_pending()
        } else {
            Ok(())
        }
    }

    /// Prints one record. If a token fails to decode, the tokens before it
    /// are printed, the record is closed (its `-l` line ended, its XML
    /// element closed, its JSON token list ended by an `error` entry), and
    /// the decode error is returned for the caller to report.
    pub fn record(&mut self, record: &Record<'_>) -> Result<(), PrintError> {
        let outcome = match self.options.format {
            Format::Text => self.text_record(record),
            Format::Xml => self.xml_record(record),
            Format::Json => self.json_record(record),
        };
        self.write_if_full()?;
        outcome.map_err(PrintError::Token)
    }

    /// Prints a standalone file token (0x11 or 0x78), as praudit prints one
    /// between records: a line (or element) of its own.
    pub fn file_token(&mut self, token: &Token<'_>) -> io::Result<()> {
        match self.options.format {
            Format::Text => {
                text::write_token(&mut self.sink(), token);
                self.end_text_item();
            }
            Format::Xml => {
                xml::write_token(&mut self.sink(), token, Role::Body);
                self.buf.push(b'\n');
            }
            Format::Json => json::write_file_token(&mut self.buf, &mut self.rfc3339, token),
        }
        self.write_if_full()
    }

    /// Prints a token outside any record, as libbsm's token printer does: a
    /// line of its own, ending in the delimiter under `-l`. Under `-x` a
    /// header opens `<record …>` and a trailer closes it.
    pub fn bare_token(&mut self, token: &Token<'_>) -> io::Result<()> {
        match self.options.format {
            Format::Text => {
                text::write_token(&mut self.sink(), token);
                self.end_text_item();
            }
            Format::Xml => {
                xml::write_token(&mut self.sink(), token, Role::Bare);
                self.buf.push(b'\n');
            }
            Format::Json => json::write_bare_token(&mut self.buf, token),
        }
        self.write_if_full()
    }

    fn sink(&mut self) -> Sink<'_> {
        Sink {
            buf: &mut self.buf,
            options: &self.options,
            context: self.context,
            clock: &mut self.clock,
            xml: self.options.format == Format::Xml,
        }
    }

    /// A one-item line: with `-l` the item ends in the delimiter too.
    fn end_text_item(&mut self) {
        if self.options.one_line {
            self.buf
                .extend_from_slice(self.options.delimiter.as_bytes());
        }
        self.buf.push(b'\n');
    }

    fn text_record(&mut self, record: &Record<'_>) -> Result<(), bsm_format::Error> {
        let one_line = self.options.one_line;
        let mut outcome = Ok(());
        for item in record.tokens() {
            match item {
                Ok(token) => {
                    let mut sink = self.sink();
                    text::write_token(&mut sink, &token);
                    if one_line {
                        sink.delimiter();
                    } else {
                        sink.push(b"\n");
                    }
                }
                Err(error) => {
                    outcome = Err(error);
                    break;
                }
            }
        }
        if one_line {
            self.buf.push(b'\n');
        }
        outcome
    }

    fn xml_record(&mut self, record: &Record<'_>) -> Result<(), bsm_format::Error> {
        let token_end: &[u8] = if self.options.one_line { b"" } else { b"\n" };
        let mut outcome = Ok(());
        let mut closed = false;
        let mut tokens = record.tokens().peekable();
        let mut first = true;
        while let Some(item) = tokens.next() {
            let token = match item {
                Ok(token) => token,
                Err(error) => {
                    outcome = Err(error);
                    break;
                }
            };
            // The record's trailer is its last token; only it closes the element.
            let role = match token {
                _ if first => Role::RecordStart,
                Token::Trailer(_) if tokens.peek().is_none() => Role::RecordEnd,
                _ => Role::Body,
            };
            first = false;
            closed = role == Role::RecordEnd;
            xml::write_token(&mut self.sink(), &token, role);
            self.buf.extend_from_slice(token_end);
        }
        if !closed {
            self.buf.extend_from_slice(b"</record>");
            self.buf.extend_from_slice(token_end);
        }
        if self.options.one_line {
            self.buf.push(b'\n');
        }
        outcome
    }

    fn json_record(&mut self, record: &Record<'_>) -> Result<(), bsm_format::Error> {
        let event = self.context.event(record.event());
        json::write_record(&mut self.buf, &mut self.rfc3339, record, event)
    }
}

impl<W: Write> Drop for Printer<'_, W> {
    fn drop(&mut self) {
        // As BufWriter: a caller that wants the error calls flush or finish.
        let _ = self.write_pending();
    }
}
