//! File activity: per path (`--files`) and per process and path (`--io`,
//! the I/O trace). A record's file is its first path token; a read, write,
//! seek or close without one is put to the path its process opened that
//! descriptor on (the open's return value), as the trace of a trail whose
//! reads carry no path must be.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::table::{Cell, Table, sort_rows};
use super::{EventRole, Facts, Map, Names, Tally, Wants};

pub(super) const FILE_COLUMNS: &[&str] = &[
    "path",
    "records",
    "opens",
    "reads",
    "writes",
    "lseeks",
    "closes",
    "read_bytes",
    "written_bytes",
    "failed",
];
pub(super) const IO_COLUMNS: &[&str] = &[
    "pid",
    "command",
    "auid",
    "file",
    "opens",
    "reads",
    "writes",
    "lseeks",
    "closes",
    "read_bytes",
    "written_bytes",
    "first",
    "last",
];

/// The file row that sums a process's files in `--io`.
const TOTAL: &str = "(total)";

/// The calls on one file and what they moved.
#[derive(Debug, Clone, Copy, Default)]
struct FileUse {
    records: u64,
    opens: u64,
    reads: u64,
    writes: u64,
    seeks: u64,
    closes: u64,
    read_bytes: u64,
    written_bytes: u64,
    failed: u64,
    first: Option<i64>,
    last: Option<i64>,
}

impl FileUse {
    fn add(&mut self, facts: &Facts<'_>, role: EventRole) {
        self.records += 1;
        self.failed += u64::from(facts.failed());
        let moved = facts
            .outcome
            .filter(|outcome| outcome.is_success())
            .map_or(0, |outcome| outcome.value);
        match role {
            EventRole::Open => self.opens += 1,
            EventRole::Read => {
                self.reads += 1;
                self.read_bytes += moved;
            }
            EventRole::Write => {
                self.writes += 1;
                self.written_bytes += moved;
            }
            EventRole::Seek => self.seeks += 1,
            EventRole::Close => self.closes += 1,
            EventRole::Exec | EventRole::Other => {}
        }
        if let Some(ms) = facts.time_ms {
            self.first = Some(self.first.map_or(ms, |first| first.min(ms)));
            self.last = Some(self.last.map_or(ms, |last| last.max(ms)));
        }
    }

    fn merge(&mut self, other: &FileUse) {
        self.records += other.records;
        self.opens += other.opens;
        self.reads += other.reads;
        self.writes += other.writes;
        self.seeks += other.seeks;
        self.closes += other.closes;
        self.read_bytes += other.read_bytes;
        self.written_bytes += other.written_bytes;
        self.failed += other.failed;
        self.first = match (self.first, other.first) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.last = self.last.max(other.last);
    }

    /// The call counts and bytes, in the column order both reports share.
    fn calls(&self) -> [Cell; 7] {
        [
            self.opens.into(),
            self.reads.into(),
            self.writes.into(),
            self.seeks.into(),
            self.closes.into(),
            self.read_bytes.into(),
            self.written_bytes.into(),
        ]
    }
}

/// Which path each process's open descriptors stand for.
#[derive(Debug, Default)]
struct OpenFiles {
    paths: Map<(u32, u64), Vec<u8>>,
}

impl OpenFiles {
    /// The record's file, keeping the descriptor table up to date.
    fn file_of<'f>(&mut self, facts: &Facts<'f>, role: EventRole) -> Option<Cow<'f, [u8]>> {
        let pid = facts.subject.map(|subject| subject.pid);
        if let Some(&path) = facts.paths.first() {
            if let (EventRole::Open, Some(pid), Some(outcome)) = (role, pid, facts.outcome)
                && outcome.is_success()
            {
                self.paths.insert((pid, outcome.value), path.to_vec());
            }
            if let (EventRole::Close, Some(pid), Some(fd)) = (role, pid, facts.fd) {
                self.paths.remove(&(pid, fd));
            }
            return Some(Cow::Borrowed(path));
        }
        let key = (pid?, facts.fd?);
        if role == EventRole::Close {
            self.paths.remove(&key).map(Cow::Owned)
        } else {
            self.paths.get(&key).cloned().map(Cow::Owned)
        }
    }
}

/// Adds the record to `file`'s use, the path copied only on first sight.
fn add_use(
    uses: &mut Map<Vec<u8>, FileUse>,
    file: Cow<'_, [u8]>,
    facts: &Facts<'_>,
    role: EventRole,
) {
    match uses.get_mut(&*file) {
        Some(use_) => use_.add(facts, role),
        None => uses.entry(file.into_owned()).or_default().add(facts, role),
    }
}

/// Per path: every record that names it, by role.
#[derive(Debug, Default)]
pub(super) struct Files {
    uses: Map<Vec<u8>, FileUse>,
    open: OpenFiles,
}

impl Tally for Files {
    fn wants(&self, _event: u16, _names: &Names<'_>) -> Option<Wants> {
        Some(
            Wants::SUBJECT
                .and(Wants::OUTCOME)
                .and(Wants::PATHS)
                .and(Wants::FD),
        )
    }

    fn add(&mut self, facts: &Facts<'_>, names: &Names<'_>) {
        let role = names.role(facts.event);
        if let Some(path) = self.open.file_of(facts, role) {
            add_use(&mut self.uses, path, facts, role);
        }
    }

    fn table(&self, _names: &Names<'_>) -> Table {
        let mut rows: Vec<(&Vec<u8>, &FileUse)> = self.uses.iter().collect();
        rows.sort_by(|a, b| b.1.records.cmp(&a.1.records).then_with(|| a.0.cmp(b.0)));
        let mut table = Table::new(FILE_COLUMNS);
        for (path, use_) in rows {
            let mut row = vec![
                String::from_utf8_lossy(path).into_owned().into(),
                use_.records.into(),
            ];
            row.extend(use_.calls());
            row.push(use_.failed.into());
            table.push(row);
        }
        table
    }
}

#[derive(Debug, Default)]
struct Process {
    /// The program it last ran (an exec record's path).
    command: Option<Vec<u8>>,
    auid: Option<u32>,
    files: Map<Vec<u8>, FileUse>,
}

/// Per process, per file: the open, read, write, lseek and close calls.
#[derive(Debug, Default)]
pub(super) struct Io {
    processes: BTreeMap<u32, Process>,
    open: OpenFiles,
}

impl Tally for Io {
    fn wants(&self, event: u16, names: &Names<'_>) -> Option<Wants> {
        (names.role(event) != EventRole::Other).then_some(
            Wants::SUBJECT
                .and(Wants::OUTCOME)
                .and(Wants::PATHS)
                .and(Wants::FD),
        )
    }

    fn add(&mut self, facts: &Facts<'_>, names: &Names<'_>) {
        let Some(subject) = facts.subject else {
            return;
        };
        let role = names.role(facts.event);
        match role {
            EventRole::Other => {}
            EventRole::Exec => {
                if let Some(path) = facts.paths.first().filter(|_| !facts.failed()) {
                    let process = self.processes.entry(subject.pid).or_default();
                    process.command = Some(path.to_vec());
                    process.auid = Some(subject.auid);
                }
            }
            EventRole::Open
            | EventRole::Read
            | EventRole::Write
            | EventRole::Seek
            | EventRole::Close => {
                let file = self
                    .open
                    .file_of(facts, role)
                    .unwrap_or_else(|| match facts.fd {
                        Some(fd) => Cow::Owned(format!("fd {fd}").into_bytes()),
                        None => Cow::Borrowed(b"(unknown)"),
                    });
                let process = self.processes.entry(subject.pid).or_default();
                process.auid = Some(subject.auid);
                add_use(&mut process.files, file, facts, role);
            }
        }
    }

    /// Each process's files by path, then its total; processes by pid.
    fn table(&self, names: &Names<'_>) -> Table {
        let mut table = Table::new(IO_COLUMNS);
        for (pid, process) in &self.processes {
            if process.files.is_empty() {
                continue;
            }
            let command: Cell = process
                .command
                .as_ref()
                .map(|path| String::from_utf8_lossy(path).into_owned())
                .into();
            let auid: Cell = process.auid.map_or(Cell::Empty, Names::user_id);
            let row = |file: &[u8], use_: &FileUse| {
                let mut row = vec![
                    u64::from(*pid).into(),
                    command.clone(),
                    auid.clone(),
                    String::from_utf8_lossy(file).into_owned().into(),
                ];
                row.extend(use_.calls());
                row.extend([names.time(use_.first), names.time(use_.last)]);
                row
            };
            let mut files: Vec<(&Vec<u8>, &FileUse)> = process.files.iter().collect();
            files.sort_unstable_by(|a, b| a.0.cmp(b.0));
            let mut total = FileUse::default();
            for (file, use_) in files {
                table.push(row(file, use_));
                total.merge(use_);
            }
            table.push(row(TOTAL.as_bytes(), &total));
        }
        table
    }

    /// Rows stay grouped by process, the total last: processes are ordered
    /// (and cut to `top`) by their total's `key`, files within by theirs.
    fn arrange(&self, table: &mut Table, key: Option<usize>, top: Option<usize>) {
        let mut groups: Vec<Vec<Vec<Cell>>> = Vec::new();
        for row in std::mem::take(&mut table.rows) {
            let same = groups.last().is_some_and(|group| group[0][0] == row[0]);
            if !same {
                groups.push(Vec::new());
            }
            if let Some(group) = groups.last_mut() {
                group.push(row);
            }
        }
        if let Some(key) = key {
            for group in &mut groups {
                let files = group.len() - 1;
                sort_rows(&mut group[..files], key);
            }
            let numeric = groups
                .iter()
                .any(|group| group[group.len() - 1][key].is_numeric());
            groups.sort_by(|a, b| {
                let order = a[a.len() - 1][key].order(&b[b.len() - 1][key]);
                if numeric { order.reverse() } else { order }
            });
        }
        if let Some(top) = top {
            groups.truncate(top);
        }
        table.rows = groups.into_iter().flatten().collect();
    }
}
