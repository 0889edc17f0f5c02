//! praudit: print the contents of BSM audit trails.
//!
//! Flags and output follow OpenBSM's praudit; damaged regions are reported on
//! standard error with their file, offset and length, every intact record is
//! still printed, and the exit status is then 1.

use bsm_reader::cli::{EX_USAGE, parse_args};
use bsm_reader::printer::{Format, HOST_AUDIT_EVENT, PrintContext, PrintOptions, Printer};
use bsm_reader::reduce::{Reduction, open_inputs};
use bsm_reader::{Parallelism, ReadOptions, Sink};
use clap::Parser;
use std::io::{self, BufWriter};
use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "praudit",
    version,
    about = "Print the contents of BSM audit trails",
    long_about = "Print the contents of BSM audit trails (FreeBSD, macOS, Solaris, Linux lxbsm) \
                  as text, XML or JSON lines. Reads the named files in order, or standard input \
                  when none is named or the name is '-'. Damaged regions are reported on standard \
                  error with their file, byte offset and length; every intact record is still \
                  printed, and the exit status is then 1. An input bsm://COLLECTOR[:PORT]/HOST/TRAIL \
                  is a trail a bsmcollectd stores, bsm://COLLECTOR[:PORT]/HOST a host's live \
                  records there, read as the analyst of BSM_NET_CERT, BSM_NET_KEY, BSM_NET_CA \
                  and BSM_NET_NAME (and BSM_NET_COLLECTOR_NAME if its certificate names the \
                  collector otherwise)."
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

    /// Trail files to print ('-' for standard input, bsm:// for a collector's).
    #[arg(value_name = "FILE")]
    files: Vec<PathBuf>,
}

fn main() -> ExitCode {
    let cli = match parse_args::<Cli>() {
        Ok(cli) => cli,
        Err(status) => return status,
    };
    // A table named but missing or bad is a usage error, as in auditreduce.
    let events = cli
        .audit_event
        .clone()
        .or_else(|| Some(PathBuf::from(HOST_AUDIT_EVENT)).filter(|p| p.exists()));
    let context = match PrintContext::new(events.as_deref()) {
        Ok(context) => context,
        Err(err) => {
            eprintln!("praudit: event table: {err}");
            return ExitCode::from(EX_USAGE);
        }
    };
    match run(&cli, &context) {
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
fn run(cli: &Cli, context: &PrintContext) -> io::Result<bool> {
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
        context,
    );
    printer.begin()?;
    let mut reduction = Reduction::new("praudit", None, &mut printer);
    // In the order named, not merged, each opened when its turn comes (a
    // FIFO's open waits for a writer).
    let stdin_only = [PathBuf::from("-")];
    let named = if cli.files.is_empty() {
        &stdin_only[..]
    } else {
        &cli.files[..]
    };
    for path in named {
        let (readers, opened) = open_inputs(
            "praudit",
            std::slice::from_ref(path),
            (None, None),
            read_options,
        );
        if !opened {
            reduction.note_failed_input();
        }
        for mut reader in readers {
            reduction.read(&mut reader, Parallelism::new(NonZeroUsize::MIN))?;
        }
    }
    reduction.finish()
}
