//! auditreduce: select records from BSM audit trails.
//!
//! Options follow OpenBSM's auditreduce, read from every token variant (see
//! bsm_reader::select). Several inputs are merged in time order; a trail
//! directory is read through auditd's file names. Selected records go out
//! unchanged, for praudit, or printed with `--print`, or counted with
//! `--count`. Damaged regions are reported on standard error and skipped,
//! and the exit status is then 1.

use std::fs::File;
use std::io::{self, BufWriter};
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use bsm_format::tables::EventTable;
use bsm_reader::accounts::HOST_PASSWD;
use bsm_reader::cli::{EX_USAGE, parse_args};
use bsm_reader::count::Counter;
use bsm_reader::printer::{HOST_AUDIT_EVENT, PrintContext, PrintOptions, Printer};
use bsm_reader::reduce::{Reduction, name_window, open_inputs};
use bsm_reader::select::{SelectionArgs, Selector};
use bsm_reader::sink::RecordCopy;
use bsm_reader::{ReadOptions, Sink};
use clap::Parser;

#[derive(Parser)]
#[command(
    name = "auditreduce",
    version,
    about = "Select records from BSM audit trails",
    long_about = "Select records from BSM audit trails (FreeBSD, macOS, Solaris, Linux lxbsm). \
                  Every criterion reads every token form: 32- and 64-bit, _ex, IPv4 and IPv6. \
                  A record is selected when it meets every criterion given. Inputs are files, \
                  trail directories (read through auditd's START.END file names; files wholly \
                  outside -a/-b are skipped unopened) or '-' for standard input (the default); \
                  several are merged in time order. Selected records are written unchanged to \
                  standard output, for praudit. Damaged regions are reported on standard error \
                  and skipped; the exit status is then 1. A bad option exits 64. \
                  bsm://COLLECTOR[:PORT]/HOST[/TRAIL] inputs are read from a bsmcollectd, as \
                  for praudit (see praudit --help).",
    after_help = "TIME is YYYYMMDD[HH[MM[SS]]] in local time (TZ is honoured), or one of now, \
                  recent (10 minutes ago), today, yesterday, this-week (since Sunday), \
                  this-month, this-year."
)]
struct Cli {
    #[command(flatten)]
    selection: SelectionArgs,

    /// Instead of the records, print how many were selected per event, per
    /// audit user and per result.
    #[arg(long, conflicts_with = "print")]
    count: bool,

    /// Print the selected records as praudit does instead of writing them:
    /// MODES is any of praudit's letters l, r, s, n, x (e.g. --print=ls), or
    /// json; none for praudit's default.
    #[arg(
        long,
        value_name = "MODES",
        num_args = 0..=1,
        default_missing_value = "",
        require_equals = true
    )]
    print: Option<String>,

    /// With --print: what separates fields (praudit's -d).
    #[arg(long, value_name = "DEL", default_value = ",")]
    delimiter: String,

    /// Trail files or directories ('-' for standard input, bsm:// for a collector's).
    #[arg(value_name = "FILE")]
    files: Vec<PathBuf>,
}

/// A problem with the command line, reported with EX_USAGE.
struct UsageError(String);

impl<E: std::fmt::Display> From<E> for UsageError {
    fn from(error: E) -> Self {
        UsageError(error.to_string())
    }
}

fn main() -> ExitCode {
    let cli = match parse_args::<Cli>() {
        Ok(cli) => cli,
        Err(status) => return status,
    };
    let setup = match Setup::new(&cli) {
        Ok(setup) => setup,
        Err(UsageError(message)) => {
            eprintln!("auditreduce: {message}");
            return ExitCode::from(EX_USAGE);
        }
    };
    match run(&cli, &setup) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("auditreduce: {err}");
            ExitCode::FAILURE
        }
    }
}

/// What the command line asks for, checked and looked up.
struct Setup {
    events: EventTable,
    selector: Selector,
    output: Output,
}

enum Output {
    Records,
    Count,
    Print(PrintOptions),
}

impl Setup {
    fn new(cli: &Cli) -> Result<Self, UsageError> {
        let (events, _, selector) = cli.selection.selector()?;
        let output = match (&cli.print, cli.count) {
            (Some(modes), _) => Output::Print(PrintOptions::from_modes(modes, &cli.delimiter)?),
            (None, true) => Output::Count,
            (None, false) => Output::Records,
        };
        Ok(Setup {
            selector,
            events,
            output,
        })
    }
}

/// Reads, selects and writes; false if any input was damaged or unreadable.
fn run(cli: &Cli, setup: &Setup) -> io::Result<bool> {
    let criteria = setup.selector.criteria();
    let (mut readers, opened) = open_inputs(
        "auditreduce",
        &cli.files,
        name_window(criteria),
        ReadOptions::default(),
    );
    // Standard output unwrapped: Rust's stdout is line-buffered, which would
    // copy the binary records it is given once more, looking for newlines.
    let stdout = File::from(io::stdout().as_fd().try_clone_to_owned()?);
    let context;
    let mut sink: Box<dyn Sink> =
        match &setup.output {
            Output::Records => Box::new(RecordCopy::new(stdout)),
            Output::Count => Box::new(Counter::new(
                BufWriter::with_capacity(256 * 1024, stdout),
                &setup.events,
                HOST_PASSWD,
            )),
            Output::Print(options) => {
                context =
                    PrintContext::new(cli.selection.audit_event.as_deref().or_else(|| {
                        Some(Path::new(HOST_AUDIT_EVENT)).filter(|path| path.exists())
                    }))
                    .map_err(|err| io::Error::other(format!("event table: {err}")))?;
                Box::new(Printer::new(
                    BufWriter::with_capacity(256 * 1024, stdout),
                    options.clone(),
                    &context,
                ))
            }
        };
    sink.begin()?;
    let mut reduction = Reduction::new("auditreduce", Some(&setup.selector), sink.as_mut());
    if !opened {
        reduction.note_failed_input();
    }
    if readers.len() == 1 {
        // One input needs no merge.
        reduction.read(&mut readers[0], cli.selection.parallelism())?;
    } else {
        reduction.read_merged(readers)?;
    }
    reduction.finish()
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }
}
