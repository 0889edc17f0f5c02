//! praudit: print the contents of BSM audit trails.
//!
//! Flags and output follow OpenBSM's praudit; damaged regions are reported on
//! standard error with their file, offset and length, every intact record is
//! still printed, and the exit status is then 1.

use bsm_reader::printer::{Format, PrintContext, PrintError, PrintOptions, Printer};
use bsm_reader::{Event, ReadOptions, TrailItem, TrailReader, VisitError};
use clap::Parser;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Where a host keeps its event table.
const HOST_AUDIT_EVENT: &str = "/etc/security/audit_event";

#[derive(Parser)]
#[command(
    name = "praudit",
    version,
    about = "Print the contents of BSM audit trails",
    long_about = "Print the contents of BSM audit trails (FreeBSD, macOS, Solaris, Linux lxbsm) \
                  as text, XML or JSON lines. Reads the named files in order, or standard input \
                  when none is named or the name is '-'. Damaged regions are reported on standard \
                  error with their file, byte offset and length; every intact record is still \
                  printed, and the exit status is then 1."
)]
struct Cli {
    /// Print a whole record on one line, the delimiter after every token.
    #[arg(short = 'l')]
    one_line: bool,

    /// Raw form: token ids, event numbers, times as seconds and msec, numeric ids.
    #[arg(short = 'r', conflicts_with = "short")]
    raw: bool,

    /// Short form: events by their AUE_ name instead of their description.
    #[arg(short = 's')]
    short: bool,

    /// Print user and group ids as numbers instead of names.
    #[arg(short = 'n')]
    numeric: bool,

    /// Print XML (always well-formed: all text escaped).
    #[arg(short = 'x', conflicts_with = "json")]
    xml: bool,

    /// Separate fields (and, with -l, tokens) with DEL instead of ','.
    #[arg(short = 'd', value_name = "DEL", default_value = ",")]
    delimiter: String,

    /// Input starts mid-record (piped from tail): skip to the first whole record.
    #[arg(short = 'p')]
    pipe: bool,

    /// Follow: at the end of input wait for more, as for a growing trail or a
    /// live device (/dev/lxbsm, /dev/auditpipe), until interrupted.
    #[arg(short = 'f')]
    follow: bool,

    /// Print one JSON object per record (field names in bsm-reader's printer::json).
    #[arg(long)]
    json: bool,

    /// Event table to use [default: /etc/security/audit_event if it exists,
    /// else OpenBSM's sample table built in].
    #[arg(long, value_name = "FILE")]
    audit_event: Option<PathBuf>,

    /// Trail files to print ('-' for standard input).
    #[arg(value_name = "FILE")]
    files: Vec<PathBuf>,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            // OpenBSM's praudit exits 1 on a usage error; help and version are no error.
            return if err.use_stderr() {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match run(&cli) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("praudit: {err}");
            ExitCode::FAILURE
        }
    }
}

/// Prints every input; false if any was damaged or unreadable.
fn run(cli: &Cli) -> io::Result<bool> {
    let events = cli
        .audit_event
        .clone()
        .or_else(|| Some(PathBuf::from(HOST_AUDIT_EVENT)).filter(|p| p.exists()));
    let context = PrintContext::new(events.as_deref())
        .map_err(|err| io::Error::other(format!("event table: {err}")))?;
    let options = PrintOptions {
        format: if cli.json {
            Format::Json
        } else if cli.xml {
            Format::Xml
        } else {
            Format::Text
        },
        raw: cli.raw,
        short: cli.short,
        numeric: cli.numeric,
        one_line: cli.one_line,
        delimiter: cli.delimiter.clone(),
    };
    let read_options = ReadOptions {
        sync_at_start: cli.pipe,
        follow: cli.follow,
        ..ReadOptions::default()
    };
    let stdout = io::stdout();
    let mut printer = Printer::new(
        BufWriter::with_capacity(256 * 1024, stdout.lock()),
        options,
        &context,
    );
    printer.begin()?;
    let mut intact = true;
    let stdin_only = [PathBuf::from("-")];
    let files = if cli.files.is_empty() {
        &stdin_only[..]
    } else {
        &cli.files[..]
    };
    for path in files {
        let reader = if path == Path::new("-") {
            Ok(TrailReader::from_reader(
                "stdin",
                Box::new(io::stdin()),
                read_options,
            ))
        } else {
            TrailReader::open(path, read_options)
        };
        match reader {
            Ok(mut reader) => intact &= print_trail(&mut reader, &mut printer)?,
            Err(err) => {
                eprintln!("praudit: {}: {err}", path.display());
                intact = false;
            }
        }
    }
    printer.finish()?;
    Ok(intact)
}

/// Prints one input; false if it was damaged or could not be read to its end.
/// A stream may be live (a FIFO, a device, `-f`): what was printed goes out
/// whenever the reader is about to wait for more.
fn print_trail<W: Write>(
    reader: &mut TrailReader,
    printer: &mut Printer<'_, W>,
) -> io::Result<bool> {
    let mut trail = TrailPrinter {
        source: reader.source().to_owned(),
        printer,
        intact: true,
    };
    let outcome = if reader.is_mapped() {
        reader.for_each_event(|event| trail.event(event))
    } else {
        loop {
            match reader.next_event() {
                Ok(Some(event)) => trail.event(event)?,
                Ok(None) => break Ok(()),
                Err(err) => break Err(VisitError::Read(err)),
            }
            if !reader.next_item_at_hand() {
                trail.printer.flush()?;
            }
        }
    };
    match outcome {
        Ok(()) => Ok(trail.intact),
        Err(VisitError::Visit(err)) => Err(err),
        Err(VisitError::Read(err)) => {
            eprintln!("praudit: {}: read failed: {err}", trail.source);
            Ok(false)
        }
    }
}

/// Prints the events of one input, noting damage.
struct TrailPrinter<'p, 'c, W: Write> {
    source: String,
    printer: &'p mut Printer<'c, W>,
    intact: bool,
}

impl<W: Write> TrailPrinter<'_, '_, W> {
    fn event(&mut self, event: Event<'_>) -> io::Result<()> {
        match event {
            Event::Item(TrailItem::Record(record)) => match self.printer.record(&record) {
                Ok(()) => {}
                Err(PrintError::Io(err)) => return Err(err),
                Err(PrintError::Token(err)) => {
                    eprintln!("praudit: {}: damaged record: {err}", self.source);
                    self.intact = false;
                }
            },
            Event::Item(TrailItem::File(file)) => self.printer.file_token(&file.token)?,
            Event::Damage(damage) => {
                eprintln!("praudit: {damage}");
                self.intact = false;
            }
        }
        Ok(())
    }
}
