//! `auditreduce --count`: how many selected records there were per event,
//! per audit user and per result.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::PathBuf;

use bsm_format::tables::{EventTable, errno};
use bsm_format::{Error as FormatError, FileItem, Record, Token, ids};

use crate::accounts::AccountNames;
use crate::select::UNSET_NAME;
use crate::sink::{Sink, SinkError};

/// Counts of records.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub records: u64,
    pub by_event: HashMap<u16, u64>,
    /// By the subject's audit user id; `None` for records without subject.
    pub by_auid: HashMap<Option<u32>, u64>,
    /// By the return status (0 is success); `None` for records without return.
    pub by_result: HashMap<Option<u8>, u64>,
}

impl Counts {
    /// Counts a record. Its subject and return token are read; a token that
    /// does not decode before them is an error and the record is not counted.
    pub fn add(&mut self, record: &Record<'_>) -> Result<(), FormatError> {
        let mut auid = None;
        let mut status = None;
        let wanted = |id| {
            matches!(
                id,
                ids::SUBJECT32
                    | ids::SUBJECT64
                    | ids::SUBJECT32_EX
                    | ids::SUBJECT64_EX
                    | ids::RETURN32
                    | ids::RETURN64
            )
        };
        for token in record.tokens_where(wanted) {
            let token: Token<'_> = token?;
            if let Some(subject) = token.as_subject() {
                auid.get_or_insert(subject.auid);
            } else if let Some(outcome) = token.as_return() {
                status.get_or_insert(outcome.status);
            }
            if auid.is_some() && status.is_some() {
                break;
            }
        }
        self.records += 1;
        *self.by_event.entry(record.event()).or_default() += 1;
        *self.by_auid.entry(auid).or_default() += 1;
        *self.by_result.entry(status).or_default() += 1;
        Ok(())
    }

    /// The summary as text: each section most frequent first, names beside
    /// the numbers where the tables know them.
    pub fn render(&self, events: &EventTable, users: &AccountNames) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "records: {}", self.records);
        out.push_str("by event:\n");
        for (event, count) in sorted(&self.by_event) {
            let name = events.by_number(event).map_or("unknown event", |e| &e.name);
            let _ = writeln!(out, "{count:>12}  {name} ({event})");
        }
        out.push_str("by audit user:\n");
        for (auid, count) in sorted(&self.by_auid) {
            let label = match auid {
                None => "no subject".to_owned(),
                Some(u32::MAX) => format!("{UNSET_NAME} (-1)"),
                Some(auid) => match users.name(auid) {
                    Some(name) => format!("{name} ({auid})"),
                    None => auid.to_string(),
                },
            };
            let _ = writeln!(out, "{count:>12}  {label}");
        }
        out.push_str("by result:\n");
        for (status, count) in sorted(&self.by_result) {
            let label = match status {
                None => "no return token".to_owned(),
                Some(0) => "success".to_owned(),
                Some(status) => match errno::by_bsm(status) {
                    Some(known) => format!("failure: {} ({status})", known.name),
                    None => format!("failure: {status}"),
                },
            };
            let _ = writeln!(out, "{count:>12}  {label}");
        }
        out
    }
}

/// Most frequent first, then by key.
fn sorted<K: Ord + Copy>(counts: &HashMap<K, u64>) -> Vec<(K, u64)> {
    let mut entries: Vec<(K, u64)> = counts.iter().map(|(&k, &n)| (k, n)).collect();
    entries.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    entries
}

/// The counts as a [`Sink`]: written when the input ends, with user names
/// from the passwd file named.
#[derive(Debug)]
pub struct Counter<'e, W: Write> {
    counts: Counts,
    out: W,
    events: &'e EventTable,
    passwd: PathBuf,
}

impl<'e, W: Write> Counter<'e, W> {
    pub fn new(out: W, events: &'e EventTable, passwd: impl Into<PathBuf>) -> Self {
        Counter {
            counts: Counts::default(),
            out,
            events,
            passwd: passwd.into(),
        }
    }
}

impl<W: Write> Sink for Counter<'_, W> {
    fn record(&mut self, record: &Record<'_>) -> Result<(), SinkError> {
        self.counts.add(record).map_err(|error| SinkError::Damaged {
            outcome: "record not counted, damaged token",
            error,
        })
    }

    fn file_token(&mut self, _file: &FileItem<'_>) -> io::Result<()> {
        Ok(())
    }

    /// Counts wait for the end.
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        let users = AccountNames::load(&self.passwd);
        self.out
            .write_all(self.counts.render(self.events, &users).as_bytes())?;
        self.out.flush()
    }
}
