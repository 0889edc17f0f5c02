//! bsmreport: summaries of BSM audit trails, per event, user, file, program,
//! host and time, and the per-process I/O trace, as aureport gives for
//! Linux audit. Records are first selected with auditreduce's flags.

use std::io::{self, BufWriter};
use std::path::PathBuf;
use std::process::ExitCode;

use bsm_reader::accounts::{AccountNames, HOST_PASSWD};
use bsm_reader::cli::{EX_USAGE, parse_args};
use bsm_reader::printer::Zone;
use bsm_reader::reduce::{Reduction, name_window, open_inputs};
use bsm_reader::report::{
    Names, OutputFormat, ReportKind, ReportOptions, ReportParts, Reporter, TimeBucket,
};
use bsm_reader::select::SelectionArgs;
use bsm_reader::{ReadOptions, Sink};
use clap::{ArgGroup, Parser};

#[derive(Parser)]
#[command(
    name = "bsmreport",
    version,
    about = "Summarise BSM audit trails: events, users, logins, failures, files, programs, hosts, time, per-process I/O",
    long_about = "Summarise BSM audit trails (FreeBSD, macOS, Solaris, Linux lxbsm), as aureport \
                  does for Linux audit. Records are first selected with auditreduce's flags \
                  (-u 1000 -a today ...); one report is then made of them, --summary by default. \
                  Inputs are as auditreduce's: files, trail directories, '-' for standard input \
                  (the default), bsm:// for a collector's trails; several are merged in time \
                  order. Damaged regions are reported on standard error and skipped, and the \
                  exit status is then 1; a bad option exits 64.",
    after_help = "Examples (one per report):\n  \
                  bsmreport /var/audit                          records, span, events, users, failures, hosts\n  \
                  bsmreport --events --top 10 --json trail      records and failures per event\n  \
                  bsmreport -u alice -a today --users trail     per audit user and effective user\n  \
                  bsmreport --logins /var/audit                 each login, logout and su, with its terminal\n  \
                  bsmreport --failed --csv trail                failures per event and error\n  \
                  bsmreport --files -o 'file=^/etc/' trail      per path: opens, reads, writes, bytes\n  \
                  bsmreport --executables trail                 execs per program, argument counts\n  \
                  bsmreport --hosts trail                       remote addresses (socket and terminal tokens)\n  \
                  bsmreport --time=minute --follow /dev/stdin   records per minute, as they come\n  \
                  bsmreport --io -j 4242 trail                  what process 4242 read and wrote, per file\n\n\
                  TIME is YYYYMMDD[HH[MM[SS]]] in local time, or now, recent, today, yesterday, \
                  this-week, this-month, this-year (see auditreduce --help). The unset audit id \
                  is -1 (or unset) for -u. Exit status: 0, 1 if input was damaged or unreadable, \
                  64 for a bad command line.",
    group(ArgGroup::new("report").args([
        "summary", "per_event", "users", "logins", "failed", "files", "executables", "hosts",
        "time", "io",
    ])),
    group(ArgGroup::new("output").args(["json", "csv"])),
)]
struct Cli {
    #[command(flatten)]
    selection: SelectionArgs,

    /// Records, time span, events, users, processes, failures and hosts (the default).
    #[arg(long)]
    summary: bool,

    /// Records and failures per event.
    #[arg(long = "events")]
    per_event: bool,

    /// Records and failures per audit user and effective user, with names.
    #[arg(long)]
    users: bool,

    /// Each login, logout and su (events of the lo class), with its terminal.
    #[arg(long)]
    logins: bool,

    /// Failures per event and error.
    #[arg(long)]
    failed: bool,

    /// Per path: records, opens, reads, writes, lseeks, closes, bytes read and written.
    #[arg(long)]
    files: bool,

    /// Execs per program path: failures, users, fewest and most arguments.
    #[arg(long)]
    executables: bool,

    /// Remote addresses from socket and terminal tokens.
    #[arg(long)]
    hosts: bool,

    /// Records per minute, hour (the default) or day, gaps shown as zeros.
    #[arg(
        long,
        value_name = "BUCKET",
        num_args = 0..=1,
        default_missing_value = "hour",
        require_equals = true
    )]
    time: Option<TimeBucket>,

    /// The I/O trace: per process and file, the opens, reads, writes, lseeks
    /// and closes, bytes read and written (from the return values), first and
    /// last time, and a total per process.
    #[arg(long)]
    io: bool,

    /// One JSON object per row, one per line.
    #[arg(long)]
    json: bool,

    /// Comma-separated values with a header line.
    #[arg(long)]
    csv: bool,

    /// Keep the first N rows (with --io, N processes).
    #[arg(long, value_name = "N")]
    top: Option<usize>,

    /// Order rows by column KEY, numbers largest first (with --io, processes
    /// by their total and files within them).
    #[arg(long, value_name = "KEY")]
    sort: Option<String>,

    /// Wait for more input at its end, and write the report so far each
    /// time it pauses (auditreduce's -f is the group flag, so long only).
    #[arg(long)]
    follow: bool,

    /// Show times in UTC instead of local time.
    #[arg(long)]
    utc: bool,

    /// Trail files or directories ('-' for standard input, bsm:// for a collector's).
    #[arg(value_name = "FILE")]
    files_in: Vec<PathBuf>,
}

impl Cli {
    fn kind(&self) -> ReportKind {
        let flags = [
            (self.per_event, ReportKind::Events),
            (self.users, ReportKind::Users),
            (self.logins, ReportKind::Logins),
            (self.failed, ReportKind::Failed),
            (self.files, ReportKind::Files),
            (self.executables, ReportKind::Executables),
            (self.hosts, ReportKind::Hosts),
            (self.io, ReportKind::Io),
        ];
        if let Some(bucket) = self.time {
            return ReportKind::Time(bucket);
        }
        flags
            .into_iter()
            .find_map(|(given, kind)| given.then_some(kind))
            .unwrap_or(ReportKind::Summary)
    }

    fn report_options(&self) -> ReportOptions {
        ReportOptions {
            format: if self.json {
                OutputFormat::Json
            } else if self.csv {
                OutputFormat::Csv
            } else {
                OutputFormat::Text
            },
            sort: self.sort.clone(),
            top: self.top,
            at_pauses: self.follow,
            ..ReportOptions::new(self.kind())
        }
    }
}

fn main() -> ExitCode {
    let cli = match parse_args::<Cli>() {
        Ok(cli) => cli,
        Err(status) => return status,
    };
    match run(&cli) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(Failure::Usage(message)) => {
            eprintln!("bsmreport: {message}");
            ExitCode::from(EX_USAGE)
        }
        Err(Failure::Io(err)) if err.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(Failure::Io(err)) => {
            eprintln!("bsmreport: {err}");
            ExitCode::FAILURE
        }
    }
}

enum Failure {
    Usage(String),
    Io(io::Error),
}

impl From<io::Error> for Failure {
    fn from(err: io::Error) -> Self {
        Failure::Io(err)
    }
}

/// Reads, selects and reports; false if any input was damaged or unreadable.
fn run(cli: &Cli) -> Result<bool, Failure> {
    let (events, classes, selector) = cli.selection.selector().map_err(Failure::Usage)?;
    let options = cli.report_options();
    options.check().map_err(Failure::Usage)?;
    let options_kind = options.kind;
    let names = Names::new(
        &events,
        Some(&classes),
        AccountNames::load(HOST_PASSWD.as_ref()),
    )
    .with_zone(if cli.utc { Zone::utc() } else { Zone::Local });

    let read_options = ReadOptions {
        follow: cli.follow,
        ..ReadOptions::default()
    };
    let (mut readers, opened) = open_inputs(
        "bsmreport",
        &cli.files_in,
        name_window(selector.criteria()),
        read_options,
    );
    let stdout = io::stdout();
    let mut reporter = Reporter::new(
        BufWriter::with_capacity(64 * 1024, stdout.lock()),
        options,
        &names,
    );
    reporter.begin()?;
    // The reports whose sums add up are tallied on the selection threads.
    let parts = ReportParts::new(options_kind, &names);
    let mut reduction = Reduction::new("bsmreport", Some(&selector), &mut reporter);
    if let Some(parts) = &parts {
        reduction = reduction.with_parts(parts);
    }
    if !opened {
        reduction.note_failed_input();
    }
    if readers.len() == 1 {
        reduction.read(&mut readers[0], cli.selection.parallelism())?;
    } else {
        reduction.read_merged(readers)?;
    }
    Ok(reduction.finish()?)
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
