//! Audit events (audit_event): the number in a record header, its `AUE_` name, the description
//! praudit prints, and the classes it belongs to.

use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

use serde::Serialize;

use super::class::ClassTable;
use super::error::{LineProblem, TableError};
use super::table_file::{self, at_line, in_file, required};

/// OpenBSM's sample audit_event, the table used when no host file is given.
const BUILTIN_EVENTS: &str = include_str!("../../data/audit_event");

/// One line of audit_event: `number:AUE_NAME:description:classes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEvent {
    pub number: u16,
    pub name: String,
    pub description: String,
    /// The class list as written, e.g. `lo,ex`.
    pub classes: String,
    /// The union of the masks of the listed classes.
    pub mask: u32,
}

/// The events of one audit_event file, in file order, with O(1) lookups.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventTable {
    events: Vec<AuditEvent>,
    by_number: HashMap<u16, usize>,
    by_name: HashMap<String, usize>,
}

/// How a class list treats a name the class table lacks.
#[derive(Debug, Clone, Copy)]
enum UnknownClasses {
    Reject,
    Ignore,
}

impl EventTable {
    /// OpenBSM's sample audit_event resolved against [`ClassTable::builtin`], parsed on first use.
    /// The sample lists class `ua`, which the sample audit_class lacks, so it is read leniently
    /// (see [`EventTable::parse_lenient`]).
    pub fn builtin() -> &'static EventTable {
        static BUILTIN: OnceLock<EventTable> = OnceLock::new();
        // The tests prove the sample parses; an empty table stands in for a panic regardless.
        BUILTIN.get_or_init(|| {
            EventTable::parse_lenient(BUILTIN_EVENTS, ClassTable::builtin()).unwrap_or_default()
        })
    }

    /// Parses the text of an audit_event file; a class name missing from `classes` is an error.
    pub fn parse(text: &str, classes: &ClassTable) -> Result<EventTable, TableError> {
        EventTable::parse_with(text, classes, UnknownClasses::Reject)
    }

    /// Parses like [`EventTable::parse`], except that a class name missing from `classes` adds
    /// no bits to the event's mask instead of failing. Stock files need this: OpenBSM's sample
    /// audit_event uses class `ua`, which its sample audit_class does not define. (OpenBSM itself
    /// then gives the whole event mask 0; keeping the known classes' bits is more useful.)
    pub fn parse_lenient(text: &str, classes: &ClassTable) -> Result<EventTable, TableError> {
        EventTable::parse_with(text, classes, UnknownClasses::Ignore)
    }

    /// Reads and parses a host audit_event file such as /etc/security/audit_event, strictly.
    pub fn load(path: impl AsRef<Path>, classes: &ClassTable) -> Result<EventTable, TableError> {
        let path = path.as_ref();
        EventTable::parse(&table_file::read(path)?, classes).map_err(in_file(path))
    }

    /// Reads and parses a host audit_event file leniently, as [`EventTable::parse_lenient`].
    pub fn load_lenient(
        path: impl AsRef<Path>,
        classes: &ClassTable,
    ) -> Result<EventTable, TableError> {
        let path = path.as_ref();
        EventTable::parse_lenient(&table_file::read(path)?, classes).map_err(in_file(path))
    }

    /// The event numbered `number`; like OpenBSM, the first line wins when numbers repeat.
    pub fn by_number(&self, number: u16) -> Option<&AuditEvent> {
        self.by_number
            .get(&number)
            .and_then(|&index| self.events.get(index))
    }

    /// The event called `name` (e.g. `AUE_OPEN_R`); the first line wins when names repeat.
    pub fn by_name(&self, name: &str) -> Option<&AuditEvent> {
        self.by_name
            .get(name)
            .and_then(|&index| self.events.get(index))
    }

    /// Every event line in file order, repeated numbers included.
    pub fn iter(&self) -> std::slice::Iter<'_, AuditEvent> {
        self.events.iter()
    }

    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    fn parse_with(
        text: &str,
        classes: &ClassTable,
        unknown: UnknownClasses,
    ) -> Result<EventTable, TableError> {
        let mut table = EventTable::default();
        for (line_number, line) in table_file::data_lines(text) {
            let event = parse_line(line, classes, unknown).map_err(at_line(line_number))?;
            table.push(event);
        }
        Ok(table)
    }

    fn push(&mut self, event: AuditEvent) {
        let index = self.events.len();
        self.by_number.entry(event.number).or_insert(index);
        self.by_name.entry(event.name.clone()).or_insert(index);
        self.events.push(event);
    }
}

impl<'a> IntoIterator for &'a EventTable {
    type Item = &'a AuditEvent;
    type IntoIter = std::slice::Iter<'a, AuditEvent>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

fn parse_line(
    line: &str,
    classes: &ClassTable,
    unknown: UnknownClasses,
) -> Result<AuditEvent, LineProblem> {
    let [number, name, description, class_list] =
        table_file::split_fields(line, ["number", "name", "description", "classes"])?;
    let number = parse_number(required(number, "number")?)?;
    let name = required(name, "name")?;
    let class_list = required(class_list, "classes")?;
    Ok(AuditEvent {
        number,
        name: name.to_owned(),
        description: description.to_owned(),
        classes: class_list.to_owned(),
        mask: class_mask(class_list, classes, unknown)?,
    })
}

fn parse_number(field: &str) -> Result<u16, LineProblem> {
    // u16's parser would also take a `+` sign.
    if !field.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(LineProblem::BadNumber(field.to_owned()));
    }
    field
        .parse()
        .map_err(|_| LineProblem::NumberOutOfRange(field.to_owned()))
}

fn class_mask(
    class_list: &str,
    classes: &ClassTable,
    unknown: UnknownClasses,
) -> Result<u32, LineProblem> {
    let mut mask = 0;
    for name in class_list
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
    {
        match (classes.by_name(name), unknown) {
            (Some(class), _) => mask |= class.mask,
            (None, UnknownClasses::Ignore) => {}
            (None, UnknownClasses::Reject) => {
                return Err(LineProblem::UnknownClass(name.to_owned()));
            }
        }
    }
    Ok(mask)
}
