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
//! use bsm_reader::Sink;
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
//!         TrailItem::File(file) => printer.file_token(&file)?,
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

mod escape;

use std::io::{self, Write};

use bsm_format::{FileItem, Record, Token};

pub use crate::accounts::{HOST_GROUP, HOST_PASSWD};
use crate::sink::{Sink, SinkError};
pub use context::{HOST_AUDIT_EVENT, PrintContext};
pub use time::Zone;

use fields::Fields;
use time::{Clock, Rfc3339Clock};

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

impl PrintOptions {
    /// praudit's mode letters as one word (`l`, `r`, `s`, `n`, `x`, e.g.
    /// `ls`; none for the default form), or `json`: auditreduce's
    /// `--print=MODES`.
    pub fn from_modes(modes: &str, delimiter: &str) -> Result<PrintOptions, String> {
        let mut options = PrintOptions {
            delimiter: delimiter.to_owned(),
            ..PrintOptions::default()
        };
        if modes == "json" {
            options.format = Format::Json;
            return Ok(options);
        }
        for mode in modes.chars() {
            match mode {
                'l' => options.one_line = true,
                'r' => options.raw = true,
                's' => options.short = true,
                'n' => options.numeric = true,
                'x' => options.format = Format::Xml,
                _ => {
                    return Err(format!(
                        "bad --print mode '{mode}': expected letters of lrsnx, or json"
                    ));
                }
            }
        }
        if options.raw && options.short {
            return Err("--print: r and s exclude each other".to_owned());
        }
        Ok(options)
    }
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

/// Prints trail items to `out`, in the form its options name.
///
/// Output is gathered in the printer's own buffer and written to `out` in
/// blocks of about 64 KiB, so `out` need not be buffered; [`Sink::flush`]
/// writes what is pending at once (for a followed trail), [`Sink::finish`]
/// ends the document, and dropping the printer writes what is left, ignoring
/// errors as `BufWriter` does.
pub struct Printer<'ctx, W: Write> {
    /// `None` only once [`Printer::into_inner`] has taken it.
    out: Option<W>,
    form: &'static dyn Form,
    pen: Pen<'ctx>,
}

/// How much output the printer gathers before it writes to `out`.
const WRITE_THRESHOLD: usize = 64 * 1024;

/// One output form (text, XML, JSON lines): how a document starts and ends
/// and how each item is written.
trait Form {
    /// What starts the document.
    fn prologue(&self) -> &'static [u8] {
        b""
    }

    /// What ends it.
    fn epilogue(&self) -> &'static [u8] {
        b""
    }

    /// Writes a record. If a token fails to decode, the tokens before it
    /// are written, the record is closed (its `-l` line ended, its XML
    /// element closed, its JSON token list ended by an `error` entry), and
    /// the decode error is returned.
    fn record(&self, pen: &mut Pen<'_>, record: &Record<'_>) -> Result<(), bsm_format::Error>;

    /// Writes a standalone file token, as praudit prints one between
    /// records: a line (or element) of its own.
    fn file_token(&self, pen: &mut Pen<'_>, token: &Token<'_>);

    /// Writes a token outside any record, as libbsm's token printer does.
    fn bare_token(&self, pen: &mut Pen<'_>, token: &Token<'_>);
}

/// What a form writes with: the buffer, the options, the tables and clocks.
struct Pen<'ctx> {
    buf: Vec<u8>,
    options: PrintOptions,
    context: &'ctx PrintContext,
    clock: Clock,
    rfc3339: Rfc3339Clock,
}

impl Pen<'_> {
    /// The field writer of the text form, or of XML (`xml`: strings escaped).
    fn fields(&mut self, xml: bool) -> Fields<'_> {
        Fields {
            buf: &mut self.buf,
            options: &self.options,
            context: self.context,
            clock: &mut self.clock,
            xml,
        }
    }
}

impl<'ctx, W: Write> Printer<'ctx, W> {
    pub fn new(out: W, options: PrintOptions, context: &'ctx PrintContext) -> Self {
        let form: &'static dyn Form = match options.format {
            Format::Text => &text::TextForm,
            Format::Xml => &xml::XmlForm,
            Format::Json => &json::JsonForm,
        };
        Printer {
            out: Some(out),
            form,
            pen: Pen {
                buf: Vec::with_capacity(WRITE_THRESHOLD + 4096),
                clock: Clock::new(context.zone()),
                rfc3339: Rfc3339Clock::default(),
                options,
                context,
            },
        }
    }

    pub fn options(&self) -> &PrintOptions {
        &self.pen.options
    }

    /// Prints a token outside any record, as libbsm's token printer does: a
    /// line of its own, ending in the delimiter under `-l`. Under `-x` a
    /// header opens `<record …>` and a trailer closes it.
    pub fn bare_token(&mut self, token: &Token<'_>) -> io::Result<()> {
        self.form.bare_token(&mut self.pen, token);
        self.write_if_full()
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
            Some(out) if !self.pen.buf.is_empty() => out.write_all(&self.pen.buf),
            _ => Ok(()),
        };
        self.pen.buf.clear();
        outcome
    }

    fn write_if_full(&mut self) -> io::Result<()> {
        if self.pen.buf.len() >= WRITE_THRESHOLD {
            self.write_pending()
        } else {
            Ok(())
        }
    }
}

impl<W: Write> Sink for Printer<'_, W> {
    /// Starts the output: the XML prologue and `<audit>` under `-x`.
    fn begin(&mut self) -> io::Result<()> {
        self.pen.buf.extend_from_slice(self.form.prologue());
        self.write_if_full()
    }

    /// Prints one record; a token that fails to decode ends it (see
    /// [`SinkError::Damaged`]).
    fn record(&mut self, record: &Record<'_>) -> Result<(), SinkError> {
        let outcome = self.form.record(&mut self.pen, record);
        self.write_if_full()?;
        outcome.map_err(|error| SinkError::Damaged {
            outcome: "damaged record",
            error,
        })
    }

    fn file_token(&mut self, file: &FileItem<'_>) -> io::Result<()> {
        self.form.file_token(&mut self.pen, &file.token);
        self.write_if_full()
    }

    /// Writes what is pending to `out` and flushes `out`.
    fn flush(&mut self) -> io::Result<()> {
        self.write_pending()?;
        match self.out.as_mut() {
            Some(out) => out.flush(),
            None => Ok(()),
        }
    }

    /// Ends the output (`</audit>` under `-x`), writes it all and flushes `out`.
    fn finish(&mut self) -> io::Result<()> {
        self.pen.buf.extend_from_slice(self.form.epilogue());
        self.flush()
    }
}

impl<W: Write> Drop for Printer<'_, W> {
    fn drop(&mut self) {
        // As BufWriter: a caller that wants the error calls flush or finish.
        let _ = self.write_pending();
    }
}

/// A one-item line (a file or bare token in text): with `-l` the item ends
/// in the delimiter too.
fn end_text_item(pen: &mut Pen<'_>) {
    if pen.options.one_line {
        pen.buf.extend_from_slice(pen.options.delimiter.as_bytes());
    }
    pen.buf.push(b'\n');
}
