//! auditreduce: select records from BSM audit trails.
//!
//! Options follow OpenBSM's auditreduce, read from every token variant (see
//! bsm_reader::select). Several inputs are merged in time order; a trail
//! directory is read through auditd's file names. Selected records go out
//! unchanged, for praudit, or printed with `--print`, or counted with
//! `--count`. Damaged regions are reported on standard error and skipped,
//! and the exit status is then 1.

use std::cell::OnceCell;
use std::fs::File;
use std::io::{self, BufWriter, IoSlice, Write};
use std::num::NonZeroUsize;
use std::ops::Range;
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use bsm_format::tables::{ClassTable, EventTable};
use bsm_format::{Error as FormatError, Record, TrailItem};
use bsm_reader::accounts::{AccountNames, HOST_GROUP, HOST_PASSWD};
use bsm_reader::count::Counts;
use bsm_reader::merge::{MergedEvent, MergedReader};
use bsm_reader::printer::{Format, PrintContext, PrintError, PrintOptions, Printer};
use bsm_reader::select::{
    Criteria, PathRules, Selector, SocketEndpoint, ZoneGlob, day_bounds, parse_instant,
};
use bsm_reader::trail_names::list_trail_dir;
use bsm_reader::{Damage, Event, Parallelism, ReadOptions, Run, Step, TrailReader, VisitError};
use chrono::Local;
use clap::Parser;

/// Where a host keeps its audit tables.
const HOST_AUDIT_EVENT: &str = "/etc/security/audit_event";
const HOST_AUDIT_CLASS: &str = "/etc/security/audit_class";

/// sysexits' EX_USAGE, OpenBSM auditreduce's status for a bad command line.
const EX_USAGE: u8 = 64;

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
                  and skipped; the exit status is then 1. A bad option exits 64.",
    after_help = "TIME is YYYYMMDD[HH[MM[SS]]] in local time (TZ is honoured), or one of now, \
                  recent (10 minutes ago), today, yesterday, this-week (since Sunday), \
                  this-month, this-year."
)]
struct Cli {
    /// Select records of any time (lifts -a, -b and -d).
    #[arg(short = 'A')]
    all: bool,

    /// Select records at or after TIME.
    #[arg(short = 'a', value_name = "TIME")]
    after: Option<String>,

    /// Select records before TIME.
    #[arg(short = 'b', value_name = "TIME")]
    before: Option<String>,

    /// Select records of events in these audit classes (audit_control flags:
    /// lo,+fw,-fr, ...; + success only, - failure only, as the return token says).
    #[arg(short = 'c', value_name = "FLAGS", allow_hyphen_values = true)]
    classes: Option<String>,

    /// Select records of one day, YYYYMMDD in local time.
    #[arg(short = 'd', value_name = "DATE", conflicts_with_all = ["after", "before"])]
    day: Option<String>,

    /// Select records whose effective user is USER (a name or a number).
    #[arg(short = 'e', value_name = "USER")]
    euid: Option<String>,

    /// Select records whose effective group is GROUP (a name or a number).
    #[arg(short = 'f', value_name = "GROUP")]
    egid: Option<String>,

    /// Select records whose real group is GROUP (a name or a number).
    #[arg(short = 'g', value_name = "GROUP")]
    rgid: Option<String>,

    /// Select records whose subject is process PID.
    #[arg(short = 'j', value_name = "PID")]
    subject_pid: Option<u32>,

    /// Select records of EVENT (an AUE_ name or a number); repeat or separate
    /// with commas for several.
    #[arg(short = 'm', value_name = "EVENT")]
    events: Vec<String>,

    /// Select records by object: file=RE[,[~]RE...] (POSIX extended regular
    /// expressions; the first that matches a path decides, ~ rejects),
    /// msgqid=ID, semid=ID, shmid=ID, pid=PID (a process acted upon),
    /// sock=PORT|ADDR|ADDR:PORT|[ADDR6]:PORT (either end of a socket).
    #[arg(short = 'o', value_name = "TYPE=VALUE")]
    objects: Vec<String>,

    /// Select records whose real user is USER (a name or a number).
    #[arg(short = 'r', value_name = "USER")]
    ruid: Option<String>,

    /// Select records whose audit user is USER (a name or a number).
    #[arg(short = 'u', value_name = "USER")]
    auid: Option<String>,

    /// Select the records the other criteria reject.
    #[arg(short = 'v')]
    invert: bool,

    /// Select records whose zone name matches GLOB.
    #[arg(short = 'z', value_name = "GLOB")]
    zone: Option<String>,

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

    /// Event table [default: /etc/security/audit_event if it exists, else
    /// OpenBSM's sample table built in].
    #[arg(long, value_name = "FILE")]
    audit_event: Option<PathBuf>,

    /// Class table for -c [default: /etc/security/audit_class if it exists,
    /// else OpenBSM's sample table built in].
    #[arg(long, value_name = "FILE")]
    audit_class: Option<PathBuf>,

    /// Threads that select from one mapped input at once [default: the
    /// cores available, at most 8].
    #[arg(long, value_name = "N")]
    threads: Option<NonZeroUsize>,

    /// Trail files or directories ('-' for standard input).
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
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return if err.use_stderr() {
                ExitCode::from(EX_USAGE)
            } else {
                ExitCode::SUCCESS
            };
        }
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
        let classes = match table_path(&cli.audit_class, HOST_AUDIT_CLASS) {
            Some(path) => ClassTable::load(&path)
                .map_err(|e| UsageError(format!("{}: {e}", path.display())))?,
            None => ClassTable::builtin().clone(),
        };
        let events = match table_path(&cli.audit_event, HOST_AUDIT_EVENT) {
            Some(path) => EventTable::load_lenient(&path, &classes)
                .map_err(|e| UsageError(format!("{}: {e}", path.display())))?,
            None => EventTable::builtin().clone(),
        };
        let criteria = criteria(cli, &events, &classes)?;
        let output = match (&cli.print, cli.count) {
            (Some(modes), _) => Output::Print(print_options(modes, &cli.delimiter)?),
            (None, true) => Output::Count,
            (None, false) => Output::Records,
        };
        Ok(Setup {
            selector: Selector::new(criteria, &events),
            events,
            output,
        })
    }
}

/// The table file to load: the one named, else the host's if it exists.
fn table_path(named: &Option<PathBuf>, host: &str) -> Option<PathBuf> {
    named
        .clone()
        .or_else(|| Some(PathBuf::from(host)).filter(|path| path.exists()))
}

fn criteria(cli: &Cli, events: &EventTable, classes: &ClassTable) -> Result<Criteria, UsageError> {
    let now = Local::now();
    let mut criteria = Criteria {
        all_times: cli.all,
        invert: cli.invert,
        subject_pid: cli.subject_pid,
        ..Criteria::default()
    };
    if let Some(after) = &cli.after {
        criteria.after = Some(parse_instant(after, now)?);
    }
    if let Some(before) = &cli.before {
        criteria.before = Some(parse_instant(before, now)?);
    }
    if let Some(day) = &cli.day {
        let (start, end) = day_bounds(day)?;
        criteria.after = Some(start);
        criteria.before = Some(end);
    }
    if let Some(flags) = &cli.classes {
        criteria.classes = Some(
            classes
                .parse_flags(flags)
                .map_err(|e| UsageError(format!("bad class flags '{flags}' (-c): {e}")))?,
        );
    }
    for event in cli.events.iter().flat_map(|list| list.split(',')) {
        criteria.events.push(event_number(event.trim(), events)?);
    }
    let users = LazyAccounts::new(HOST_PASSWD);
    let groups = LazyAccounts::new(HOST_GROUP);
    criteria.auid = account_id(&cli.auid, "user", "-u", &users)?;
    criteria.euid = account_id(&cli.euid, "user", "-e", &users)?;
    criteria.ruid = account_id(&cli.ruid, "user", "-r", &users)?;
    criteria.egid = account_id(&cli.egid, "group", "-f", &groups)?;
    criteria.rgid = account_id(&cli.rgid, "group", "-g", &groups)?;
    for object in &cli.objects {
        add_object(&mut criteria, object)?;
    }
    criteria.zone = cli.zone.as_deref().map(ZoneGlob::new);
    Ok(criteria)
}

fn event_number(event: &str, events: &EventTable) -> Result<u16, UsageError> {
    if let Ok(number) = event.parse::<u16>() {
        return Ok(number);
    }
    events
        .by_name(event)
        .map(|known| known.number)
        .ok_or_else(|| UsageError(format!("unknown event '{event}' (-m)")))
}

/// Account names, read from the host's file on first use.
struct LazyAccounts {
    path: &'static str,
    names: OnceCell<AccountNames>,
}

impl LazyAccounts {
    fn new(path: &'static str) -> Self {
        LazyAccounts {
            path,
            names: OnceCell::new(),
        }
    }

    fn get(&self) -> &AccountNames {
        self.names
            .get_or_init(|| AccountNames::load(Path::new(self.path)))
    }
}

/// A user or group given by number or name; an unknown name is an error
/// (OpenBSM silently drops the criterion and selects everything).
fn account_id(
    given: &Option<String>,
    kind: &str,
    flag: &str,
    accounts: &LazyAccounts,
) -> Result<Option<u32>, UsageError> {
    let Some(given) = given else {
        return Ok(None);
    };
    if let Ok(id) = given.parse::<u32>() {
        return Ok(Some(id));
    }
    accounts
        .get()
        .id(given)
        .map(Some)
        .ok_or_else(|| UsageError(format!("unknown {kind} '{given}' ({flag})")))
}

fn add_object(criteria: &mut Criteria, object: &str) -> Result<(), UsageError> {
    let (kind, value) = object
        .split_once('=')
        .ok_or_else(|| UsageError(format!("bad object '{object}' (-o): expected TYPE=VALUE")))?;
    let id = || {
        value
            .parse::<u32>()
            .map_err(|_| UsageError(format!("bad {kind} '{value}' (-o): expected a number")))
    };
    match kind {
        "file" => criteria.files = Some(PathRules::parse(value)?),
        "msgqid" => criteria.msgqid = Some(id()?),
        "semid" => criteria.semid = Some(id()?),
        "shmid" => criteria.shmid = Some(id()?),
        "pid" => criteria.process_pid = Some(id()?),
        "sock" => criteria.socket = Some(SocketEndpoint::parse(value)?),
        _ => {
            return Err(UsageError(format!(
                "unknown object type '{kind}' (-o): expected file, msgqid, pid, semid, shmid or sock"
            )));
        }
    }
    Ok(())
}

fn print_options(modes: &str, delimiter: &str) -> Result<PrintOptions, UsageError> {
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
                return Err(UsageError(format!(
                    "bad --print mode '{mode}': expected letters of lrsnx, or json"
                )));
            }
        }
    }
    if options.raw && options.short {
        return Err(UsageError("--print: r and s exclude each other".to_owned()));
    }
    Ok(options)
}

/// Reads, selects and writes; false if any input was damaged or unreadable.
fn run(cli: &Cli, setup: &Setup) -> io::Result<bool> {
    let (mut readers, opened) = open_inputs(cli, setup.selector.criteria());
    // Standard output unwrapped: Rust's stdout is line-buffered, which would
    // copy the binary records it is given once more, looking for newlines.
    let out = BufWriter::with_capacity(
        256 * 1024,
        File::from(io::stdout().as_fd().try_clone_to_owned()?),
    );
    let context;
    let sink = match &setup.output {
        Output::Records => Sink::Records(out),
        Output::Count => Sink::Count(Counts::default(), out),
        Output::Print(options) => {
            context = PrintContext::new(
                cli.audit_event
                    .as_deref()
                    .or_else(|| Some(Path::new(HOST_AUDIT_EVENT)).filter(|path| path.exists())),
            )
            .map_err(|err| io::Error::other(format!("event table: {err}")))?;
            let mut printer = Printer::new(out, options.clone(), &context);
            printer.begin()?;
            Sink::Print(printer)
        }
    };
    let mut reduction = Reduction {
        selector: &setup.selector,
        pass_file_tokens: setup.selector.criteria().is_unset(),
        sink,
        intact: opened,
    };
    if readers.len() == 1 {
        // One input needs no merge. Selection, the costly part, runs on
        // several threads over a mapped input; the selected records are
        // written, counted or printed here, in order.
        let mut reader = readers.remove(0);
        let source = reader.source().to_owned();
        let selector = &setup.selector;
        let outcome = if reader.is_mapped() {
            reader.fold_each_event(
                Parallelism::new(cli.threads.unwrap_or_else(default_threads)),
                &Selection::default,
                &|selection: &mut Selection, record| selection.judge(selector, &record),
                |step| match step {
                    Step::Run(run) => reduction.run(&source, run),
                    Step::Event(event) => reduction.event(&source, event),
                },
            )
        } else {
            // A stream may be live (a FIFO, /dev/lxbsm): what was selected
            // goes out whenever the reader is about to wait for more.
            loop {
                match reader.next_event() {
                    Ok(Some(event)) => reduction.event(&source, event)?,
                    Ok(None) => break Ok(()),
                    Err(err) => break Err(VisitError::Read(err)),
                }
                if !reader.next_item_at_hand() {
                    reduction.sink.flush()?;
                }
            }
        };
        match outcome {
            Ok(()) => {}
            Err(VisitError::Visit(err)) => return Err(err),
            Err(VisitError::Read(err)) => reduction.failed(&source, &err),
        }
    } else {
        let sources: Vec<String> = readers.iter().map(|r| r.source().to_owned()).collect();
        let mut inputs = MergedReader::new(readers);
        while let Some((index, event)) = inputs.next_event() {
            match event {
                MergedEvent::Item(item) => reduction.item(&sources[index], item)?,
                MergedEvent::Damage(damage) => reduction.damage(&damage),
                MergedEvent::Failed { source, error } => reduction.failed(&source, &error),
            }
        }
    }
    reduction.sink.finish(&setup.events)?;
    Ok(reduction.intact)
}

/// Selection and output of the items read, and whether all was well.
struct Reduction<'s, 'c, W: Write> {
    selector: &'s Selector,
    pass_file_tokens: bool,
    sink: Sink<'c, W>,
    intact: bool,
}

impl<W: Write> Reduction<'_, '_, W> {
    /// Selects and writes an item; only output errors are returned, the
    /// rest is reported.
    fn item(&mut self, source: &str, item: TrailItem<'_>) -> io::Result<()> {
        match item {
            TrailItem::Record(record) => match self.selector.selects(&record) {
                Ok(true) => self.selected(source, &record),
                Ok(false) => Ok(()),
                Err(err) => {
                    self.unjudged(source, record.offset(), &err);
                    Ok(())
                }
            },
            TrailItem::File(file) => {
                if self.pass_file_tokens {
                    self.sink.file_token(&file)?;
                }
                Ok(())
            }
        }
    }

    fn event(&mut self, source: &str, event: Event<'_>) -> io::Result<()> {
        match event {
            Event::Item(item) => self.item(source, item),
            Event::Damage(damage) => {
                self.damage(&damage);
                Ok(())
            }
        }
    }

    /// Writes the records another thread selected from a run.
    fn run(&mut self, source: &str, run: Run<'_, Selection>) -> io::Result<()> {
        for (offset, err) in &run.folded.unjudged {
            self.unjudged(source, *offset, err);
        }
        let span_bytes = |span: &Range<u64>| {
            let start = (span.start - run.offset) as usize;
            &run.bytes[start..start + (span.end - span.start) as usize]
        };
        if let Sink::Records(out) = &mut self.sink {
            // Straight from the input, many spans a system call: copying the
            // records into the buffer would cost more than selecting them.
            out.flush()?;
            for spans in run.folded.spans.chunks(SPANS_PER_WRITE) {
                let mut slices: Vec<IoSlice<'_>> = spans
                    .iter()
                    .map(|span| IoSlice::new(span_bytes(span)))
                    .collect();
                write_all_vectored(out.get_mut(), &mut slices)?;
            }
            return Ok(());
        }
        for span in &run.folded.spans {
            let mut records = span_bytes(span);
            let mut offset = span.start;
            while !records.is_empty() {
                // The run's records were parsed once already: this cannot fail.
                let record = Record::parse(records, offset).map_err(io::Error::other)?;
                let len = record.bytes().len();
                self.selected(source, &record)?;
                records = &records[len..];
                offset += len as u64;
            }
        }
        Ok(())
    }

    fn selected(&mut self, source: &str, record: &Record<'_>) -> io::Result<()> {
        if let Err(problem) = self.sink.record(record)? {
            self.intact = false;
            eprintln!(
                "auditreduce: {source}: record at byte offset {}: {problem}",
                record.offset()
            );
        }
        Ok(())
    }

    fn unjudged(&mut self, source: &str, offset: u64, err: &FormatError) {
        self.intact = false;
        eprintln!(
            "auditreduce: {source}: record at byte offset {offset} skipped, damaged token: {err}"
        );
    }

    fn damage(&mut self, damage: &Damage) {
        self.intact = false;
        eprintln!("auditreduce: {damage}");
    }

    fn failed(&mut self, source: &str, error: &io::Error) {
        self.intact = false;
        eprintln!("auditreduce: {source}: read failed: {error}");
    }
}

/// Slices per `writev`: Linux's IOV_MAX.
const SPANS_PER_WRITE: usize = 1024;

/// `write_all` for several slices (std's own is not stable yet).
fn write_all_vectored(out: &mut impl Write, mut slices: &mut [IoSlice<'_>]) -> io::Result<()> {
    while !slices.is_empty() {
        match out.write_vectored(slices) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(written) => IoSlice::advance_slices(&mut slices, written),
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    Ok(())
}

/// What a thread made of a run of records: the selected ones, as spans of
/// trail offsets (neighbours joined), and those that could not be judged.
#[derive(Debug, Default)]
struct Selection {
    spans: Vec<Range<u64>>,
    unjudged: Vec<(u64, FormatError)>,
}

impl Selection {
    fn judge(&mut self, selector: &Selector, record: &Record<'_>) {
        let start = record.offset();
        match selector.selects(record) {
            Ok(true) => {
                let end = start + record.bytes().len() as u64;
                match self.spans.last_mut() {
                    Some(span) if span.end == start => span.end = end,
                    _ => self.spans.push(start..end),
                }
            }
            Ok(false) => {}
            Err(err) => self.unjudged.push((start, err)),
        }
    }
}

/// Beyond this many threads the walk of one input waits on memory.
const MAX_THREADS: NonZeroUsize = NonZeroUsize::new(8).unwrap();

/// One thread per core, up to [`MAX_THREADS`].
fn default_threads() -> NonZeroUsize {
    std::thread::available_parallelism().map_or(NonZeroUsize::MIN, |cores| cores.min(MAX_THREADS))
}

/// Opens the inputs, trail directories expanded; false if any failed.
fn open_inputs(cli: &Cli, criteria: &Criteria) -> (Vec<TrailReader>, bool) {
    let options = ReadOptions::default();
    let mut readers = Vec::new();
    let mut intact = true;
    let stdin_only = [PathBuf::from("-")];
    let named = if cli.files.is_empty() {
        &stdin_only[..]
    } else {
        &cli.files[..]
    };
    let (after, before) = if criteria.all_times {
        (None, None)
    } else {
        (criteria.after, criteria.before)
    };
    for path in named {
        if path == Path::new("-") {
            readers.push(TrailReader::from_reader(
                "stdin",
                Box::new(io::stdin()),
                options,
            ));
            continue;
        }
        let files = if path.is_dir() {
            match list_trail_dir(path) {
                Ok(files) => files
                    .into_iter()
                    .filter(|file| file.may_hold(after, before))
                    .map(|file| file.path)
                    .collect(),
                Err(err) => {
                    eprintln!("auditreduce: {}: {err}", path.display());
                    intact = false;
                    continue;
                }
            }
        } else {
            vec![path.clone()]
        };
        for file in files {
            match TrailReader::open(&file, options) {
                Ok(reader) => readers.push(reader),
                Err(err) => {
                    eprintln!("auditreduce: {}: {err}", file.display());
                    intact = false;
                }
            }
        }
    }
    (readers, intact)
}

/// Where selected records go.
enum Sink<'c, W: Write> {
    Records(BufWriter<W>),
    Count(Counts, BufWriter<W>),
    Print(Printer<'c, BufWriter<W>>),
}

impl<W: Write> Sink<'_, W> {
    /// Takes one selected record. An error that is not the output's is the
    /// record's own (a damaged token), reported by the caller.
    fn record(&mut self, record: &Record<'_>) -> io::Result<Result<(), String>> {
        match self {
            Sink::Records(out) => out.write_all(record.bytes()).map(Ok),
            Sink::Count(counts, _) => Ok(counts
                .add(record)
                .map_err(|err| format!("record not counted, damaged token: {err}"))),
            Sink::Print(printer) => match printer.record(record) {
                Ok(()) => Ok(Ok(())),
                Err(PrintError::Io(err)) => Err(err),
                Err(PrintError::Token(err)) => Ok(Err(format!("damaged record: {err}"))),
            },
        }
    }

    fn file_token(&mut self, file: &bsm_format::FileItem<'_>) -> io::Result<()> {
        match self {
            Sink::Records(out) => out.write_all(file.bytes),
            Sink::Count(..) => Ok(()),
            Sink::Print(printer) => printer.file_token(&file.token),
        }
    }

    /// Sends what was written so far on its way (counts wait for the end).
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Sink::Records(out) => out.flush(),
            Sink::Count(..) => Ok(()),
            Sink::Print(printer) => printer.flush(),
        }
    }

    fn finish(self, events: &EventTable) -> io::Result<()> {
        match self {
            Sink::Records(mut out) => out.flush(),
            Sink::Count(counts, mut out) => {
                let users = AccountNames::load(Path::new(HOST_PASSWD));
                out.write_all(counts.render(events, &users).as_bytes())?;
                out.flush()
            }
            Sink::Print(mut printer) => printer.finish(),
        }
    }
}
