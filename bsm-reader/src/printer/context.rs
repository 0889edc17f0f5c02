//! What the printer looks things up in: the event table, user and group
//! names, and the time zone. Built once per run and shared by reference.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::path::Path;

use bsm_format::tables::{AuditEvent, ClassTable, EventTable, TableError};

use super::time::Zone;
use crate::accounts::{AccountNames, HOST_GROUP, HOST_PASSWD, IdHasher};

/// Where praudit finds the host's event table.
pub const HOST_AUDIT_EVENT: &str = "/etc/security/audit_event";

/// The tables and settings that turn numbers into names.
#[derive(Debug, Clone)]
pub struct PrintContext {
    events: Vec<AuditEvent>,
    event_by_number: HashMap<u16, usize, BuildHasherDefault<IdHasher>>,
    users: AccountNames,
    groups: AccountNames,
    zone: Zone,
}

impl PrintContext {
    /// The host's context: events from `audit_event` if that file exists
    /// (read leniently, against the builtin class table, since the printer
    /// needs no class masks), else OpenBSM's sample table built into
    /// bsm-format; names from /etc/passwd and /etc/group; the local time
    /// zone. Pass `None` for the builtin event table.
    ///
    /// Fails if `audit_event` cannot be read (a missing file too: a table
    /// named is a table wanted) or parsed.
    pub fn new(audit_event: Option<&Path>) -> Result<Self, TableError> {
        let table = match audit_event {
            Some(path) => EventTable::load_lenient(path, ClassTable::builtin())?,
            None => EventTable::builtin().clone(),
        };
        Ok(PrintContext::with_events(&table)
            .with_users(AccountNames::load(Path::new(HOST_PASSWD)))
            .with_groups(AccountNames::load(Path::new(HOST_GROUP))))
    }

    /// The builtin event table, no user or group names (every id prints as a
    /// number), the local time zone: nothing read from the host.
    pub fn builtin() -> Self {
        PrintContext::with_events(EventTable::builtin())
    }

    /// A context with `events`, no names and the local time zone.
    pub fn with_events(events: &EventTable) -> Self {
        let mut context = PrintContext {
            events: Vec::with_capacity(events.len()),
            event_by_number: HashMap::default(),
            users: AccountNames::default(),
            groups: AccountNames::default(),
            zone: Zone::Local,
        };
        for event in events {
            let index = context.events.len();
            // As EventTable::by_number and OpenBSM: the first line wins.
            context.event_by_number.entry(event.number).or_insert(index);
            context.events.push(event.clone());
        }
        context
    }

    /// Shows times in `zone` instead of the local one.
    pub fn with_zone(mut self, zone: Zone) -> Self {
        self.zone = zone;
        self
    }

    /// Takes user names from passwd(5)-format `text` instead.
    pub fn with_passwd(self, text: &str) -> Self {
        self.with_users(AccountNames::parse(text))
    }

    /// Takes group names from group(5)-format `text` instead.
    pub fn with_group(self, text: &str) -> Self {
        self.with_groups(AccountNames::parse(text))
    }

    fn with_users(mut self, users: AccountNames) -> Self {
        self.users = users;
        self
    }

    fn with_groups(mut self, groups: AccountNames) -> Self {
        self.groups = groups;
        self
    }

    /// The event numbered `number`, if the table has it.
    pub fn event(&self, number: u16) -> Option<&AuditEvent> {
        self.event_by_number
            .get(&number)
            .and_then(|&index| self.events.get(index))
    }

    pub fn user_name(&self, uid: u32) -> Option<&str> {
        self.users.name(uid)
    }

    pub fn group_name(&self, gid: u32) -> Option<&str> {
        self.groups.name(gid)
    }

    pub fn zone(&self) -> Zone {
        self.zone
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_events_resolve() {
        let context = PrintContext::new(None).unwrap_or_else(|_| PrintContext::builtin());
        let open = context.event(72);
        assert_eq!(open.map(|e| e.name.as_str()), Some("AUE_OPEN_R"));
        assert_eq!(open.map(|e| e.description.as_str()), Some("open(2) - read"));
        assert!(context.event(65000).is_none());
    }

    #[test]
    fn a_missing_event_file_is_an_error() {
        let context = PrintContext::new(Some(Path::new("/nonexistent/audit_event")));
        assert!(context.is_err());
    }

    #[test]
    fn names_come_from_the_given_text() {
        let context = PrintContext::builtin()
            .with_passwd("alice:x:1000:1000::/home/alice:/bin/sh\n")
            .with_group("staff:x:20:\n");
        assert_eq!(context.user_name(1000), Some("alice"));
        assert_eq!(context.group_name(20), Some("staff"));
        assert_eq!(context.user_name(0), None);
    }
}
