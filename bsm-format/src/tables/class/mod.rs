//! Audit classes (audit_class): named 32-bit masks that group events for preselection.

mod flags;

use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

use serde::Serialize;

use super::error::{LineProblem, TableError};
use super::table_file::{self, at_line, in_file, required};

pub use flags::Preselection;

/// OpenBSM's sample audit_class, the table used when no host file is given.
const BUILTIN_CLASSES: &str = include_str!("../../../data/audit_class");

/// One line of audit_class: `mask:name:description`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditClass {
    pub mask: u32,
    pub name: String,
    pub description: String,
}

/// The audit classes of one audit_class file, in file order, with O(1) lookups.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClassTable {
    classes: Vec<AuditClass>,
    by_name: HashMap<String, usize>,
    by_mask: HashMap<u32, usize>,
}

impl ClassTable {
    /// OpenBSM's sample audit_class, parsed on first use.
    pub fn builtin() -> &'static ClassTable {
        static BUILTIN: OnceLock<ClassTable> = OnceLock::new();
        // The tests prove the sample parses; an empty table stands in for a panic regardless.
        BUILTIN.get_or_init(|| ClassTable::parse(BUILTIN_CLASSES).unwrap_or_default())
    }

    /// Parses the text of an audit_class file.
    pub fn parse(text: &str) -> Result<ClassTable, TableError> {
        let mut table = ClassTable::default();
        for (line_number, line) in table_file::data_lines(text) {
            table.push(parse_line(line).map_err(at_line(line_number))?);
        }
        Ok(table)
    }

    /// Reads and parses a host audit_class file such as /etc/security/audit_class.
    pub fn load(path: impl AsRef<Path>) -> Result<ClassTable, TableError> {
        let path = path.as_ref();
        ClassTable::parse(&table_file::read(path)?).map_err(in_file(path))
    }

    /// The class called `name`; the first one if the file repeats the name.
    pub fn by_name(&self, name: &str) -> Option<&AuditClass> {
        self.by_name
            .get(name)
            .and_then(|&index| self.classes.get(index))
    }

    /// The class whose mask is exactly `mask`; the first one if several share it.
    pub fn by_mask(&self, mask: u32) -> Option<&AuditClass> {
        self.by_mask
            .get(&mask)
            .and_then(|&index| self.classes.get(index))
    }

    /// The classes in file order.
    pub fn iter(&self) -> std::slice::Iter<'_, AuditClass> {
        self.classes.iter()
    }

    pub fn len(&self) -> usize {
        self.classes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.classes.is_empty()
    }

    fn push(&mut self, class: AuditClass) {
        let index = self.classes.len();
        self.by_name.entry(class.name.clone()).or_insert(index);
        self.by_mask.entry(class.mask).or_insert(index);
        self.classes.push(class);
    }
}

impl<'a> IntoIterator for &'a ClassTable {
    type Item = &'a AuditClass;
    type IntoIter = std::slice::Iter<'a, AuditClass>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

fn parse_line(line: &str) -> Result<AuditClass, LineProblem> {
    let [mask, name, description] =
        table_file::split_fields(line, ["mask", "name", "description"])?;
    Ok(AuditClass {
        mask: parse_mask(required(mask, "mask")?)?,
        name: required(name, "name")?.to_owned(),
        description: description.to_owned(),
    })
}

/// A class mask: `0x` and up to eight hex digits as the files write it, or decimal.
fn parse_mask(field: &str) -> Result<u32, LineProblem> {
    let bad_mask = || LineProblem::BadMask(field.to_owned());
    let (digits, radix) = match field
        .strip_prefix("0x")
        .or_else(|| field.strip_prefix("0X"))
    {
        Some(hex) => (hex, 16),
        None => (field, 10),
    };
    // from_str_radix would also take a sign, which no mask has.
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return Err(bad_mask());
    }
    u32::from_str_radix(digits, radix).map_err(|_| bad_mask())
}
