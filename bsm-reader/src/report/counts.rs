//! The reports that count records by one key: the summary, events, users,
//! failures, programs, hosts and time; and the list of logins.

use std::any::Any;
use std::collections::{BTreeMap, BTreeSet};
use std::hash::Hash;
use std::net::IpAddr;

use chrono::{Duration, NaiveDateTime, Timelike};

use super::table::{Cell, Table};
use super::{EventRole, Facts, Map, Names, Set, Summable, Tally, TimeBucket, Wants};

pub(super) const SUMMARY_COLUMNS: &[&str] = &["item", "value"];
pub(super) const EVENT_COLUMNS: &[&str] = &["event", "name", "records", "failed"];
pub(super) const USER_COLUMNS: &[&str] = &[
    "auid",
    "auid_name",
    "euid",
    "euid_name",
    "records",
    "failed",
];
pub(super) const LOGIN_COLUMNS: &[&str] = &[
    "time",
    "event",
    "auid",
    "auid_name",
    "euid",
    "pid",
    "session",
    "terminal_port",
    "terminal_addr",
    "result",
];
pub(super) const FAILED_COLUMNS: &[&str] = &["event", "name", "status", "error", "records"];
pub(super) const EXECUTABLE_COLUMNS: &[&str] =
    &["path", "execs", "failed", "users", "min_args", "max_args"];
pub(super) const HOST_COLUMNS: &[&str] =
    &["host", "records", "socket", "terminal", "first", "last"];
pub(super) const TIME_COLUMNS: &[&str] = &["start", "records", "failed"];

/// Records and failures.
#[derive(Debug, Clone, Copy, Default)]
struct Count {
    records: u64,
    failed: u64,
}

impl Count {
    fn add(&mut self, facts: &Facts<'_>) {
        self.records += 1;
        self.failed += u64::from(facts.failed());
    }
}

impl Count {
    fn merge(&mut self, other: Count) {
        self.records += other.records;
        self.failed += other.failed;
    }
}

/// `later` as a tally of type T, if it is one.
fn same<T: Summable>(later: Box<dyn Summable>) -> Option<T> {
    let later: Box<dyn Any> = later;
    later.downcast::<T>().ok().map(|later| *later)
}

/// Adds the counts of `later` into `counts`.
fn merge_counts<K: Eq + Hash>(counts: &mut Map<K, Count>, later: Map<K, Count>) {
    for (key, count) in later {
        counts.entry(key).or_default().merge(count);
    }
}

/// The earliest and latest record time seen.
#[derive(Debug, Clone, Copy, Default)]
struct Span {
    first: Option<i64>,
    last: Option<i64>,
}

impl Span {
    fn merge(&mut self, other: Span) {
        self.add(other.first);
        self.add(other.last);
    }

    fn add(&mut self, time_ms: Option<i64>) {
        if let Some(ms) = time_ms {
            self.first = Some(self.first.map_or(ms, |first| first.min(ms)));
            self.last = Some(self.last.map_or(ms, |last| last.max(ms)));
        }
    }
}

#[derive(Debug, Default)]
pub(super) struct Summary {
    count: Count,
    span: Span,
    events: Set<u16>,
    users: Set<u32>,
    processes: Set<u32>,
    hosts: Set<IpAddr>,
}

impl Tally for Summary {
    fn wants(&self, _event: u16, _names: &Names<'_>) -> Option<Wants> {
        Some(Wants::SUBJECT.and(Wants::OUTCOME).and(Wants::REMOTE))
    }

    fn add(&mut self, facts: &Facts<'_>, _names: &Names<'_>) {
        self.count.add(facts);
        self.span.add(facts.time_ms);
        self.events.insert(facts.event);
        if let Some(subject) = facts.subject {
            self.users.insert(subject.auid);
            self.processes.insert(subject.pid);
        }
        self.hosts.extend(facts.remote.iter().copied());
        self.hosts.extend(facts.terminal_addr());
    }

    fn table(&self, names: &Names<'_>) -> Table {
        let mut table = Table::new(SUMMARY_COLUMNS);
        let rows: [(&str, Cell); 8] = [
            ("records", self.count.records.into()),
            ("first", names.time(self.span.first)),
            ("last", names.time(self.span.last)),
            ("events", (self.events.len() as u64).into()),
            ("users", (self.users.len() as u64).into()),
            ("processes", (self.processes.len() as u64).into()),
            ("failures", self.count.failed.into()),
            ("hosts", (self.hosts.len() as u64).into()),
        ];
        for (item, value) in rows {
            table.push(vec![item.into(), value]);
        }
        table
    }

    /// The summary's rows are fixed: nothing to sort or cut.
    fn arrange(&self, _table: &mut Table, _key: Option<usize>, _top: Option<usize>) {}
}

/// Rows of a map in key order, then most records first.
fn by_records<K: Ord + Clone>(counts: &Map<K, Count>) -> Vec<(K, Count)> {
    let mut rows: Vec<(K, Count)> = counts.iter().map(|(k, c)| (k.clone(), *c)).collect();
    rows.sort_by(|a, b| b.1.records.cmp(&a.1.records).then_with(|| a.0.cmp(&b.0)));
    rows
}

#[derive(Debug, Default)]
pub(super) struct Events {
    counts: Map<u16, Count>,
}

impl Tally for Events {
    fn wants(&self, _event: u16, _names: &Names<'_>) -> Option<Wants> {
        Some(Wants::OUTCOME)
    }

    fn add(&mut self, facts: &Facts<'_>, _names: &Names<'_>) {
        self.counts.entry(facts.event).or_default().add(facts);
    }

    fn table(&self, names: &Names<'_>) -> Table {
        let mut table = Table::new(EVENT_COLUMNS);
        for (event, count) in by_records(&self.counts) {
            table.push(vec![
                u64::from(event).into(),
                names.event_name(event),
                count.records.into(),
                count.failed.into(),
            ]);
        }
        table
    }
}

/// Records by (audit user, effective user); records without a subject
/// under neither.
#[derive(Debug, Default)]
pub(super) struct Users {
    counts: Map<Option<(u32, u32)>, Count>,
}

impl Tally for Users {
    fn wants(&self, _event: u16, _names: &Names<'_>) -> Option<Wants> {
        Some(Wants::SUBJECT.and(Wants::OUTCOME))
    }

    fn add(&mut self, facts: &Facts<'_>, _names: &Names<'_>) {
        let key = facts.subject.map(|subject| (subject.auid, subject.euid));
        self.counts.entry(key).or_default().add(facts);
    }

    fn table(&self, names: &Names<'_>) -> Table {
        let mut table = Table::new(USER_COLUMNS);
        for (key, count) in by_records(&self.counts) {
            let ids: [Cell; 4] = match key {
                Some((auid, euid)) => [
                    Names::user_id(auid),
                    names.user_name(auid),
                    Names::user_id(euid),
                    names.user_name(euid),
                ],
                None => [Cell::Empty, "no subject".into(), Cell::Empty, Cell::Empty],
            };
            let mut row = ids.to_vec();
            row.extend([count.records.into(), count.failed.into()]);
            table.push(row);
        }
        table
    }
}

/// Each login-class record, in the order read.
#[derive(Debug, Default)]
pub(super) struct Logins {
    rows: Vec<Vec<Cell>>,
}

impl Tally for Logins {
    fn wants(&self, event: u16, names: &Names<'_>) -> Option<Wants> {
        names
            .is_login(event)
            .then_some(Wants::SUBJECT.and(Wants::OUTCOME))
    }

    fn add(&mut self, facts: &Facts<'_>, names: &Names<'_>) {
        if !names.is_login(facts.event) {
            return;
        }
        let mut row = vec![names.time(facts.time_ms), names.event_name(facts.event)];
        match facts.subject {
            Some(subject) => row.extend([
                Names::user_id(subject.auid),
                names.user_name(subject.auid),
                Names::user_id(subject.euid),
                u64::from(subject.pid).into(),
                u64::from(subject.sid).into(),
                subject.terminal_port.into(),
                subject.terminal_addr.to_string().into(),
            ]),
            None => row.extend(std::iter::repeat_n(Cell::Empty, 7)),
        }
        row.push(match facts.outcome {
            Some(outcome) => Names::error_name(outcome.status),
            None => Cell::Empty,
        });
        self.rows.push(row);
    }

    fn table(&self, _names: &Names<'_>) -> Table {
        Table {
            columns: LOGIN_COLUMNS.to_vec(),
            rows: self.rows.clone(),
        }
    }
}

/// Failures by (event, error).
#[derive(Debug, Default)]
pub(super) struct Failed {
    counts: Map<(u16, u8), Count>,
}

impl Tally for Failed {
    fn wants(&self, _event: u16, _names: &Names<'_>) -> Option<Wants> {
        Some(Wants::OUTCOME)
    }

    fn add(&mut self, facts: &Facts<'_>, _names: &Names<'_>) {
        if let Some(outcome) = facts.outcome.filter(|outcome| !outcome.is_success()) {
            self.counts
                .entry((facts.event, outcome.status))
                .or_default()
                .add(facts);
        }
    }

    fn table(&self, names: &Names<'_>) -> Table {
        let mut table = Table::new(FAILED_COLUMNS);
        for ((event, status), count) in by_records(&self.counts) {
            table.push(vec![
                u64::from(event).into(),
                names.event_name(event),
                u64::from(status).into(),
                Names::error_name(status),
                count.records.into(),
            ]);
        }
        table
    }
}

#[derive(Debug, Clone, Default)]
struct Program {
    count: Count,
    users: BTreeSet<u32>,
    args: Option<(u32, u32)>,
}

/// Execs by the program's path (the record's first path token).
#[derive(Debug, Default)]
pub(super) struct Executables {
    programs: Map<Vec<u8>, Program>,
}

impl Tally for Executables {
    fn wants(&self, event: u16, names: &Names<'_>) -> Option<Wants> {
        (names.role(event) == EventRole::Exec).then_some(
            Wants::SUBJECT
                .and(Wants::OUTCOME)
                .and(Wants::PATHS)
                .and(Wants::EXEC_ARGS),
        )
    }

    fn add(&mut self, facts: &Facts<'_>, names: &Names<'_>) {
        if names.role(facts.event) != EventRole::Exec {
            return;
        }
        let Some(path) = facts.paths.first() else {
            return;
        };
        let program = self.programs.entry(path.to_vec()).or_default();
        program.count.add(facts);
        if let Some(subject) = facts.subject {
            program.users.insert(subject.auid);
        }
        if let Some((count, _)) = facts.exec_args {
            program.args = Some(match program.args {
                None => (count, count),
                Some((min, max)) => (min.min(count), max.max(count)),
            });
        }
    }

    fn table(&self, _names: &Names<'_>) -> Table {
        let mut rows: Vec<(&Vec<u8>, &Program)> = self.programs.iter().collect();
        rows.sort_by(|a, b| {
            b.1.count
                .records
                .cmp(&a.1.count.records)
                .then_with(|| a.0.cmp(b.0))
        });
        let mut table = Table::new(EXECUTABLE_COLUMNS);
        for (path, program) in rows {
            let (min, max) = program.args.unzip();
            table.push(vec![
                String::from_utf8_lossy(path).into_owned().into(),
                program.count.records.into(),
                program.count.failed.into(),
                (program.users.len() as u64).into(),
                min.map(u64::from).into(),
                max.map(u64::from).into(),
            ]);
        }
        table
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Host {
    records: u64,
    socket: u64,
    terminal: u64,
    span: Span,
}

/// Records naming each remote address, by where it was seen.
#[derive(Debug, Default)]
pub(super) struct Hosts {
    hosts: Map<IpAddr, Host>,
}

impl Tally for Hosts {
    fn wants(&self, _event: u16, _names: &Names<'_>) -> Option<Wants> {
        Some(Wants::SUBJECT.and(Wants::REMOTE))
    }

    fn add(&mut self, facts: &Facts<'_>, _names: &Names<'_>) {
        let terminal = facts.terminal_addr();
        let mut seen: Vec<IpAddr> = facts.remote.iter().copied().chain(terminal).collect();
        seen.sort_unstable();
        seen.dedup();
        for addr in seen {
            let host = self.hosts.entry(addr).or_default();
            host.records += 1;
            host.socket += u64::from(facts.remote.contains(&addr));
            host.terminal += u64::from(terminal == Some(addr));
            host.span.add(facts.time_ms);
        }
    }

    fn table(&self, names: &Names<'_>) -> Table {
        let mut rows: Vec<(&IpAddr, &Host)> = self.hosts.iter().collect();
        rows.sort_by(|a, b| b.1.records.cmp(&a.1.records).then_with(|| a.0.cmp(b.0)));
        let mut table = Table::new(HOST_COLUMNS);
        for (addr, host) in rows {
            table.push(vec![
                addr.to_string().into(),
                host.records.into(),
                host.socket.into(),
                host.terminal.into(),
                names.time(host.span.first),
                names.time(host.span.last),
            ]);
        }
        table
    }
}

/// Buckets between the first and the last are filled in (with zeros) up to
/// this many: a silent hour is news, a year of minutes is not a table.
const MAX_FILLED_BUCKETS: usize = 100_000;

/// Records per bucket of wall-clock time.
#[derive(Debug)]
pub(super) struct Histogram {
    bucket: TimeBucket,
    counts: BTreeMap<NaiveDateTime, Count>,
    untimed: Count,
    /// The last second looked up and its bucket: records come in time
    /// order, and a time zone lookup costs more than the rest of a record.
    last: Option<(i64, NaiveDateTime)>,
}

impl Histogram {
    pub(super) fn new(bucket: TimeBucket) -> Self {
        Histogram {
            bucket,
            counts: BTreeMap::new(),
            untimed: Count::default(),
            last: None,
        }
    }

    /// The bucket of `ms`, if it has a wall-clock time.
    fn bucket_of(&mut self, ms: i64, names: &Names<'_>) -> Option<NaiveDateTime> {
        let second = ms.div_euclid(1000);
        match self.last {
            Some((last, start)) if last == second => Some(start),
            _ => {
                let start = self.start_of(names.wall_clock(ms)?);
                self.last = Some((second, start));
                Some(start)
            }
        }
    }

    fn start_of(&self, time: NaiveDateTime) -> NaiveDateTime {
        let minute = time
            .with_second(0)
            .and_then(|t| t.with_nanosecond(0))
            .unwrap_or(time);
        match self.bucket {
            TimeBucket::Minute => minute,
            TimeBucket::Hour => minute.with_minute(0).unwrap_or(minute),
            TimeBucket::Day => time.date().and_hms_opt(0, 0, 0).unwrap_or(minute),
        }
    }

    fn step(&self) -> Duration {
        match self.bucket {
            TimeBucket::Minute => Duration::minutes(1),
            TimeBucket::Hour => Duration::hours(1),
            TimeBucket::Day => Duration::days(1),
        }
    }

    fn label(&self, start: NaiveDateTime) -> String {
        let format = match self.bucket {
            TimeBucket::Minute | TimeBucket::Hour => "%Y-%m-%d %H:%M",
            TimeBucket::Day => "%Y-%m-%d",
        };
        start.format(format).to_string()
    }
}

impl Tally for Histogram {
    fn wants(&self, _event: u16, _names: &Names<'_>) -> Option<Wants> {
        Some(Wants::OUTCOME)
    }

    fn add(&mut self, facts: &Facts<'_>, names: &Names<'_>) {
        match facts.time_ms.and_then(|ms| self.bucket_of(ms, names)) {
            Some(start) => self.counts.entry(start).or_default().add(facts),
            None => self.untimed.add(facts),
        }
    }

    fn table(&self, _names: &Names<'_>) -> Table {
        let mut table = Table::new(TIME_COLUMNS);
        let (Some(first), Some(last)) = (self.counts.keys().next(), self.counts.keys().last())
        else {
            return table;
        };
        let span = (*last - *first).num_seconds() / self.step().num_seconds().max(1);
        let fill = usize::try_from(span).is_ok_and(|span| span < MAX_FILLED_BUCKETS);
        let mut push = |start: NaiveDateTime, count: Count| {
            table.push(vec![
                self.label(start).into(),
                count.records.into(),
                count.failed.into(),
            ]);
        };
        if fill {
            let mut start = *first;
            while start <= *last {
                push(start, self.counts.get(&start).copied().unwrap_or_default());
                start += self.step();
            }
        } else {
            for (start, count) in &self.counts {
                push(*start, *count);
            }
        }
        if self.untimed.records > 0 {
            table.push(vec![
                "no time".into(),
                self.untimed.records.into(),
                self.untimed.failed.into(),
            ]);
        }
        table
    }
}

impl Summable for Summary {
    fn merge(&mut self, later: Box<dyn Summable>) {
        if let Some(later) = same::<Summary>(later) {
            self.count.merge(later.count);
            self.span.merge(later.span);
            self.events.extend(later.events);
            self.users.extend(later.users);
            self.processes.extend(later.processes);
            self.hosts.extend(later.hosts);
        }
    }
}

impl Summable for Events {
    fn merge(&mut self, later: Box<dyn Summable>) {
        if let Some(later) = same::<Events>(later) {
            merge_counts(&mut self.counts, later.counts);
        }
    }
}

impl Summable for Users {
    fn merge(&mut self, later: Box<dyn Summable>) {
        if let Some(later) = same::<Users>(later) {
            merge_counts(&mut self.counts, later.counts);
        }
    }
}

impl Summable for Logins {
    /// In input order: the later rows after these.
    fn merge(&mut self, later: Box<dyn Summable>) {
        if let Some(later) = same::<Logins>(later) {
            self.rows.extend(later.rows);
        }
    }
}

impl Summable for Failed {
    fn merge(&mut self, later: Box<dyn Summable>) {
        if let Some(later) = same::<Failed>(later) {
            merge_counts(&mut self.counts, later.counts);
        }
    }
}

impl Summable for Executables {
    fn merge(&mut self, later: Box<dyn Summable>) {
        if let Some(later) = same::<Executables>(later) {
            for (path, program) in later.programs {
                let mine = self.programs.entry(path).or_default();
                mine.count.merge(program.count);
                mine.users.extend(program.users);
                mine.args = match (mine.args, program.args) {
                    (Some((a, b)), Some((c, d))) => Some((a.min(c), b.max(d))),
                    (mine, theirs) => mine.or(theirs),
                };
            }
        }
    }
}

impl Summable for Hosts {
    fn merge(&mut self, later: Box<dyn Summable>) {
        if let Some(later) = same::<Hosts>(later) {
            for (addr, host) in later.hosts {
                let mine = self.hosts.entry(addr).or_default();
                mine.records += host.records;
                mine.socket += host.socket;
                mine.terminal += host.terminal;
                mine.span.merge(host.span);
            }
        }
    }
}

impl Summable for Histogram {
    fn merge(&mut self, later: Box<dyn Summable>) {
        if let Some(later) = same::<Histogram>(later) {
            for (start, count) in later.counts {
                self.counts.entry(start).or_default().merge(count);
            }
            self.untimed.merge(later.untimed);
        }
    }
}
