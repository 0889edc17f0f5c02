//! bsmreport's reports: what the selected records say, summed up per event,
//! user, file, program, host or time, or traced per process (`--io`), as
//! aureport does for Linux audit.
//!
//! A [`Reporter`] is a [`Sink`]: the reading loop ([`crate::reduce`]) hands
//! it the records auditreduce's criteria select; each report's tally reads
//! the record's [`Facts`] and, at the end, yields a [`Table`], which is
//! sorted, cut and written as text, JSON or CSV.
//!
//! ```
//! use bsm_format::tables::EventTable;
//! use bsm_reader::report::{Names, ReportKind, ReportOptions, Reporter};
//! use bsm_reader::Sink;
//!
//! let names = Names::new(EventTable::builtin(), None, bsm_reader::accounts::AccountNames::default());
//! let mut out = Vec::new();
//! let mut reporter = Reporter::new(&mut out, ReportOptions::new(ReportKind::Events), &names);
//! reporter.finish()?;
//! assert_eq!(String::from_utf8_lossy(&out), "event  name  records  failed\n");
//! # Ok::<(), std::io::Error>(())
//! ```

mod counts;
mod facts;
mod files;
mod table;

use std::any::Any;
use std::io::{self, Write};
use std::str::FromStr;

use bsm_format::tables::{ClassTable, EventTable, errno};
use bsm_format::{Error as FormatError, FileItem, Record};
use chrono::{DateTime, NaiveDateTime, Utc};

pub use facts::{Facts, Wants};
pub use table::{Cell, OutputFormat, Table};

use crate::accounts::AccountNames;
use crate::printer::Zone;
use crate::select::UNSET_NAME;
use crate::sink::{Part, Parts, Sink, SinkError};

/// The reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    /// Records, time span, events, users, failures, hosts, processes.
    Summary,
    /// Records and failures per event.
    Events,
    /// Records and failures per audit user and effective user.
    Users,
    /// Each login, logout and su (events of the `lo` class), with its
    /// terminal.
    Logins,
    /// Failures per event and error.
    Failed,
    /// Per path: opens, reads, writes, seeks, closes, bytes.
    Files,
    /// Execs per program, with their argument counts.
    Executables,
    /// Remote addresses, from socket and terminal tokens.
    Hosts,
    /// Records per minute, hour or day.
    Time(TimeBucket),
    /// Per process and file: the calls, the bytes and the time span.
    Io,
}

impl ReportKind {
    /// The report's columns (the keys `--sort` takes).
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            ReportKind::Summary => counts::SUMMARY_COLUMNS,
            ReportKind::Events => counts::EVENT_COLUMNS,
            ReportKind::Users => counts::USER_COLUMNS,
            ReportKind::Logins => counts::LOGIN_COLUMNS,
            ReportKind::Failed => counts::FAILED_COLUMNS,
            ReportKind::Files => files::FILE_COLUMNS,
            ReportKind::Executables => counts::EXECUTABLE_COLUMNS,
            ReportKind::Hosts => counts::HOST_COLUMNS,
            ReportKind::Time(_) => counts::TIME_COLUMNS,
            ReportKind::Io => files::IO_COLUMNS,
        }
    }

    /// The report's tally if its sums of separate pieces add up
    /// ([`Summable`]).
    fn summable(self) -> Option<Box<dyn Summable>> {
        Some(match self {
            ReportKind::Summary => Box::<counts::Summary>::default(),
            ReportKind::Events => Box::<counts::Events>::default(),
            ReportKind::Users => Box::<counts::Users>::default(),
            ReportKind::Logins => Box::<counts::Logins>::default(),
            ReportKind::Failed => Box::<counts::Failed>::default(),
            ReportKind::Executables => Box::<counts::Executables>::default(),
            ReportKind::Hosts => Box::<counts::Hosts>::default(),
            ReportKind::Time(bucket) => Box::new(counts::Histogram::new(bucket)),
            // A read's file may be the descriptor an earlier piece opened.
            ReportKind::Files | ReportKind::Io => return None,
        })
    }

    fn tally(self) -> Tallies {
        match (self.summable(), self) {
            (Some(tally), _) => Tallies::Summable(tally),
            (None, ReportKind::Files) => Tallies::InOrder(Box::<files::Files>::default()),
            (None, _) => Tallies::InOrder(Box::<files::Io>::default()),
        }
    }
}

/// The width of a `--time` bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TimeBucket {
    Minute,
    #[default]
    Hour,
    Day,
}

impl FromStr for TimeBucket {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "minute" => Ok(TimeBucket::Minute),
            "hour" => Ok(TimeBucket::Hour),
            "day" => Ok(TimeBucket::Day),
            _ => Err(format!(
                "bad time bucket '{text}': expected minute, hour or day"
            )),
        }
    }
}

/// What to report, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportOptions {
    pub kind: ReportKind,
    pub format: OutputFormat,
    /// The column to order rows by (numbers largest first); `None`: the
    /// report's own order.
    pub sort: Option<String>,
    /// Rows kept (for `--io`, processes kept).
    pub top: Option<usize>,
    /// Write the report so far whenever the input pauses (a followed stream).
    pub at_pauses: bool,
}

impl ReportOptions {
    pub fn new(kind: ReportKind) -> Self {
        ReportOptions {
            kind,
            format: OutputFormat::Text,
            sort: None,
            top: None,
            at_pauses: false,
        }
    }

    /// Checks that the sort key is one of the report's columns.
    pub fn check(&self) -> Result<(), String> {
        match &self.sort {
            Some(key) if !self.kind.columns().contains(&key.as_str()) => Err(format!(
                "unknown sort key '{key}' (--sort): this report's columns are {}",
                self.kind.columns().join(", ")
            )),
            _ => Ok(()),
        }
    }
}

/// The tallies' maps and sets: foldhash, seeded at random per map (a
/// hostile trail cannot choose colliding keys), several times faster than
/// SipHash on the small keys of a report.
type Map<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
type Set<K> = std::collections::HashSet<K, foldhash::fast::RandomState>;

/// What a record's event is, to the file and program reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EventRole {
    Other,
    Open,
    Read,
    Write,
    Seek,
    Close,
    Exec,
}

/// The tables the reports name things with, and each event's role, looked
/// up once by name (the numbers differ between systems' tables).
#[derive(Debug)]
pub struct Names<'t> {
    events: &'t EventTable,
    users: AccountNames,
    zone: Zone,
    roles: Vec<EventRole>,
    logins: Vec<bool>,
    bind_event: Option<u16>,
}

/// OpenBSM's mask of the `lo` class, when no class table names it.
const LOGIN_CLASS_MASK: u32 = 0x0000_1000;

impl<'t> Names<'t> {
    /// `classes` names the `lo` class's mask (OpenBSM's if `None`).
    pub fn new(events: &'t EventTable, classes: Option<&ClassTable>, users: AccountNames) -> Self {
        let login_mask = classes
            .and_then(|classes| classes.by_name("lo"))
            .map_or(LOGIN_CLASS_MASK, |class| class.mask);
        let mut roles = vec![EventRole::Other; usize::from(u16::MAX) + 1];
        let mut logins = vec![false; usize::from(u16::MAX) + 1];
        for event in events.iter() {
            roles[usize::from(event.number)] = role_of(&event.name);
            logins[usize::from(event.number)] = event.mask & login_mask != 0;
        }
        Names {
            events,
            users,
            zone: Zone::Local,
            roles,
            logins,
            bind_event: events.by_name("AUE_BIND").map(|event| event.number),
        }
    }

    /// Times shown in `zone` (local time by default).
    pub fn with_zone(mut self, zone: Zone) -> Self {
        self.zone = zone;
        self
    }

    fn role(&self, event: u16) -> EventRole {
        self.roles[usize::from(event)]
    }

    fn is_login(&self, event: u16) -> bool {
        self.logins[usize::from(event)]
    }

    fn event_name(&self, event: u16) -> Cell {
        self.events
            .by_number(event)
            .map(|known| known.name.as_str())
            .into()
    }

    /// A user id as a number: 4294967295 is -1, as praudit prints it.
    fn user_id(id: u32) -> Cell {
        match id {
            u32::MAX => Cell::Int(-1),
            id => u64::from(id).into(),
        }
    }

    /// A user's name; the unset audit id is [`UNSET_NAME`].
    fn user_name(&self, id: u32) -> Cell {
        if id == u32::MAX {
            return UNSET_NAME.into();
        }
        self.users.name(id).into()
    }

    fn error_name(status: u8) -> Cell {
        match status {
            0 => "success".into(),
            status => errno::by_bsm(status)
                .map_or_else(|| format!("error {status}"), |known| known.name.to_owned())
                .into(),
        }
    }

    /// The wall-clock time of `ms` in the report's zone.
    fn wall_clock(&self, ms: i64) -> Option<NaiveDateTime> {
        let utc: DateTime<Utc> = DateTime::from_timestamp_millis(ms)?;
        Some(match self.zone {
            Zone::Local => utc.with_timezone(&chrono::Local).naive_local(),
            Zone::Fixed(offset) => utc.with_timezone(&offset).naive_local(),
        })
    }

    fn time(&self, ms: Option<i64>) -> Cell {
        ms.and_then(|ms| self.wall_clock(ms))
            .map(|time| time.format("%Y-%m-%d %H:%M:%S%.3f").to_string())
            .into()
    }
}

fn role_of(name: &str) -> EventRole {
    match name {
        "AUE_READ" | "AUE_READV" | "AUE_PREAD" | "AUE_PREADV" => EventRole::Read,
        "AUE_WRITE" | "AUE_WRITEV" | "AUE_PWRITE" | "AUE_PWRITEV" => EventRole::Write,
        "AUE_LSEEK" | "AUE_LLSEEK" => EventRole::Seek,
        "AUE_CLOSE" => EventRole::Close,
        "AUE_EXEC" | "AUE_EXECVE" | "AUE_FEXECVE" | "AUE_MAC_EXECVE" | "AUE_POSIX_SPAWN" => {
            EventRole::Exec
        }
        name if name.starts_with("AUE_OPEN") => EventRole::Open,
        _ => EventRole::Other,
    }
}

/// One report's running sums.
trait Tally: Send + Any {
    /// The facts wanted of a record of `event`; `None`: the record is not
    /// wanted at all.
    fn wants(&self, event: u16, names: &Names<'_>) -> Option<Wants>;

    fn add(&mut self, facts: &Facts<'_>, names: &Names<'_>);

    /// The rows, in the report's own order.
    fn table(&self, names: &Names<'_>) -> Table;

    /// Sorts by column `key` and keeps `top` rows; `--io` keeps its rows
    /// grouped by process.
    fn arrange(&self, table: &mut Table, key: Option<usize>, top: Option<usize>) {
        if let Some(key) = key {
            table.sort_by(key);
        }
        if let Some(top) = top {
            table.truncate(top);
        }
    }
}

/// Adds a record to `tally`, decoding only the tokens it wants.
fn tally_record(
    tally: &mut dyn Tally,
    record: &Record<'_>,
    names: &Names<'_>,
) -> Result<(), FormatError> {
    if let Some(wants) = tally.wants(record.event(), names) {
        let facts = Facts::of(record, wants, names.bind_event)?;
        tally.add(&facts, names);
    }
    Ok(())
}

/// A tally whose sums of separate pieces of the input add up, in input
/// order, to the sums of the whole: it can be kept on several threads.
trait Summable: Tally {
    /// Adds the sums of `later`, a tally of the same report over the input
    /// that follows (one of another report is ignored).
    fn merge(&mut self, later: Box<dyn Summable>);
}

/// A report's tally, summable or kept in input order on one thread.
enum Tallies {
    Summable(Box<dyn Summable>),
    InOrder(Box<dyn Tally>),
}

impl Tallies {
    fn get(&self) -> &dyn Tally {
        match self {
            Tallies::Summable(tally) => tally.as_ref(),
            Tallies::InOrder(tally) => tally.as_ref(),
        }
    }

    fn get_mut(&mut self) -> &mut dyn Tally {
        match self {
            Tallies::Summable(tally) => tally.as_mut(),
            Tallies::InOrder(tally) => tally.as_mut(),
        }
    }
}

/// A summable report's work on the selection threads ([`Reduction::with_parts`]):
/// each thread tallies its pieces, and the [`Reporter`] adds the tallies up.
///
/// [`Reduction::with_parts`]: crate::reduce::Reduction::with_parts
pub struct ReportParts<'n> {
    kind: ReportKind,
    names: &'n Names<'n>,
}

impl<'n> ReportParts<'n> {
    /// `None` for the reports that must see the records in order
    /// (`--files`, `--io`).
    pub fn new(kind: ReportKind, names: &'n Names<'n>) -> Option<Self> {
        kind.summable().map(|_| ReportParts { kind, names })
    }
}

impl Parts for ReportParts<'_> {
    fn new_part(&self) -> Box<dyn Part + '_> {
        Box::new(ReportPart {
            tally: self.kind.summable(),
            names: self.names,
        })
    }
}

/// One thread's tally; `tally` is never `None` (see [`ReportParts::new`]).
struct ReportPart<'n> {
    tally: Option<Box<dyn Summable>>,
    names: &'n Names<'n>,
}

impl Part for ReportPart<'_> {
    fn add(&mut self, record: &Record<'_>) -> Result<(), FormatError> {
        match &mut self.tally {
            Some(tally) => tally_record(tally.as_mut(), record, self.names),
            None => Ok(()),
        }
    }

    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        Box::new(self.tally)
    }
}

/// A report as a [`Sink`]: tallies the records it is given and writes the
/// report when the input ends (and, with `at_pauses`, whenever it pauses).
pub struct Reporter<'n, W: Write> {
    out: W,
    options: ReportOptions,
    names: &'n Names<'n>,
    tally: Tallies,
}

impl<'n, W: Write> Reporter<'n, W> {
    pub fn new(out: W, options: ReportOptions, names: &'n Names<'n>) -> Self {
        Reporter {
            tally: options.kind.tally(),
            out,
            options,
            names,
        }
    }

    /// The report as it stands.
    pub fn table(&self) -> Table {
        let mut table = self.tally.get().table(self.names);
        let key = self
            .options
            .sort
            .as_deref()
            .and_then(|key| table.column(key));
        self.tally.get().arrange(&mut table, key, self.options.top);
        table
    }

    fn write_report(&mut self) -> io::Result<()> {
        let table = self.table();
        table.write(self.options.format, &mut self.out)?;
        self.out.flush()
    }
}

impl<W: Write> Sink for Reporter<'_, W> {
    fn record(&mut self, record: &Record<'_>) -> Result<(), SinkError> {
        tally_record(self.tally.get_mut(), record, self.names).map_err(|error| SinkError::Damaged {
            outcome: "record not reported, damaged token",
            error,
        })
    }

    fn take_part(&mut self, part: Box<dyn Part + '_>) -> io::Result<()> {
        let later = part.into_any().downcast::<Option<Box<dyn Summable>>>();
        match (&mut self.tally, later) {
            (Tallies::Summable(tally), Ok(later)) if later.is_some() => {
                if let Some(later) = *later {
                    tally.merge(later);
                }
                Ok(())
            }
            _ => Err(io::Error::other(
                "a report was given a part of another kind",
            )),
        }
    }

    fn file_token(&mut self, _file: &FileItem<'_>) -> io::Result<()> {
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.options.at_pauses {
            self.write_report()?;
            if self.options.format == OutputFormat::Text {
                self.out.write_all(b"\n")?;
            }
        }
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        self.write_report()
    }
}
