//! The selection options as a command line gives them (auditreduce's,
//! and every tool's that selects as it does), checked and turned into
//! [`Criteria`]; and the host's event and class tables they are read with.

use std::cell::OnceCell;
use std::path::{Path, PathBuf};

use bsm_format::tables::{ClassTable, EventTable};
use chrono::Local;

use super::{Criteria, PathRules, SocketEndpoint, ZoneGlob, day_bounds, parse_instant};
use crate::accounts::{AccountNames, HOST_GROUP, HOST_PASSWD};

pub use crate::printer::HOST_AUDIT_EVENT;

/// Where a host keeps its class table.
pub const HOST_AUDIT_CLASS: &str = "/etc/security/audit_class";

/// auditreduce's options, as given (users and groups by name or number,
/// times as auditreduce takes them).
#[derive(Debug, Clone, Default)]
pub struct SelectionOptions {
    /// `-A`
    pub all: bool,
    /// `-a`
    pub after: Option<String>,
    /// `-b`
    pub before: Option<String>,
    /// `-c`
    pub classes: Option<String>,
    /// `-d`
    pub day: Option<String>,
    /// `-e`
    pub euid: Option<String>,
    /// `-f`
    pub egid: Option<String>,
    /// `-g`
    pub rgid: Option<String>,
    /// `-j`
    pub subject_pid: Option<u32>,
    /// `-m`, each a name, a number or a comma-separated list of them
    pub events: Vec<String>,
    /// `-o`, each TYPE=VALUE
    pub objects: Vec<String>,
    /// `-r`
    pub ruid: Option<String>,
    /// `-u`
    pub auid: Option<String>,
    /// `-v`
    pub invert: bool,
    /// `-z`
    pub zone: Option<String>,
}

impl SelectionOptions {
    /// The criteria the options stand for; an error names the option.
    pub fn criteria(&self, events: &EventTable, classes: &ClassTable) -> Result<Criteria, String> {
        let now = Local::now();
        let mut criteria = Criteria {
            all_times: self.all,
            invert: self.invert,
            subject_pid: self.subject_pid,
            ..Criteria::default()
        };
        if let Some(after) = &self.after {
            criteria.after = Some(parse_instant(after, now).map_err(|e| e.to_string())?);
        }
        if let Some(before) = &self.before {
            criteria.before = Some(parse_instant(before, now).map_err(|e| e.to_string())?);
        }
        if let Some(day) = &self.day {
            let (start, end) = day_bounds(day).map_err(|e| e.to_string())?;
            criteria.after = Some(start);
            criteria.before = Some(end);
        }
        if let Some(flags) = &self.classes {
            criteria.classes = Some(
                classes
                    .parse_flags(flags)
                    .map_err(|e| format!("bad class flags '{flags}' (-c): {e}"))?,
            );
        }
        for event in self.events.iter().flat_map(|list| list.split(',')) {
            criteria.events.push(event_number(event.trim(), events)?);
        }
        let users = LazyAccounts::new(HOST_PASSWD);
        let groups = LazyAccounts::new(HOST_GROUP);
        criteria.auid = account_id(&self.auid, "user", "-u", &users)?;
        criteria.euid = account_id(&self.euid, "user", "-e", &users)?;
        criteria.ruid = account_id(&self.ruid, "user", "-r", &users)?;
        criteria.egid = account_id(&self.egid, "group", "-f", &groups)?;
        criteria.rgid = account_id(&self.rgid, "group", "-g", &groups)?;
        for object in &self.objects {
            add_object(&mut criteria, object)?;
        }
        criteria.zone = self.zone.as_deref().map(ZoneGlob::new);
        Ok(criteria)
    }
}

/// The class and event tables: the files named, else the host's where it
/// has them, else OpenBSM's sample tables built in.
pub fn load_tables(
    audit_class: Option<&Path>,
    audit_event: Option<&Path>,
) -> Result<(ClassTable, EventTable), String> {
    let classes = match table_path(audit_class, HOST_AUDIT_CLASS) {
        Some(path) => ClassTable::load(&path).map_err(|e| format!("{}: {e}", path.display()))?,
        None => ClassTable::builtin().clone(),
    };
    let events = match table_path(audit_event, HOST_AUDIT_EVENT) {
        Some(path) => EventTable::load_lenient(&path, &classes)
            .map_err(|e| format!("{}: {e}", path.display()))?,
        None => EventTable::builtin().clone(),
    };
    Ok((classes, events))
}

/// The table file to load: the one named, else the host's if it exists.
pub fn table_path(named: Option<&Path>, host: &str) -> Option<PathBuf> {
    named
        .map(Path::to_path_buf)
        .or_else(|| Some(PathBuf::from(host)).filter(|path| path.exists()))
}

fn event_number(event: &str, events: &EventTable) -> Result<u16, String> {
    if let Ok(number) = event.parse::<u16>() {
        return Ok(number);
    }
    events
        .by_name(event)
        .map(|known| known.number)
        .ok_or_else(|| format!("unknown event '{event}' (-m)"))
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

/// How the audit user id no login set (4294967295, which praudit prints
/// as -1) is named in reports and taken by `-u`.
pub const UNSET_NAME: &str = "unset";

/// A user or group given by number or name; -1 is 4294967295, as praudit
/// prints it, and for `-u` "unset" is too. An unknown name is an error
/// (OpenBSM silently drops the criterion and selects everything).
fn account_id(
    given: &Option<String>,
    kind: &str,
    flag: &str,
    accounts: &LazyAccounts,
) -> Result<Option<u32>, String> {
    let Some(given) = given else {
        return Ok(None);
    };
    if let Ok(id) = given.parse::<u32>() {
        return Ok(Some(id));
    }
    if given == "-1" || (flag == "-u" && given == UNSET_NAME) {
        return Ok(Some(u32::MAX));
    }
    accounts
        .get()
        .id(given)
        .map(Some)
        .ok_or_else(|| format!("unknown {kind} '{given}' ({flag})"))
}

fn add_object(criteria: &mut Criteria, object: &str) -> Result<(), String> {
    let (kind, value) = object
        .split_once('=')
        .ok_or_else(|| format!("bad object '{object}' (-o): expected TYPE=VALUE"))?;
    let id = || {
        value
            .parse::<u32>()
            .map_err(|_| format!("bad {kind} '{value}' (-o): expected a number"))
    };
    match kind {
        "file" => criteria.files = Some(PathRules::parse(value).map_err(|e| e.to_string())?),
        "msgqid" => criteria.msgqid = Some(id()?),
        "semid" => criteria.semid = Some(id()?),
        "shmid" => criteria.shmid = Some(id()?),
        "pid" => criteria.process_pid = Some(id()?),
        "sock" => criteria.socket = Some(SocketEndpoint::parse(value).map_err(|e| e.to_string())?),
        _ => {
            return Err(format!(
                "unknown object type '{kind}' (-o): expected file, msgqid, pid, semid, shmid or sock"
            ));
        }
    }
    Ok(())
}
