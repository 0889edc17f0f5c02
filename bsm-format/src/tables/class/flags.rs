//! Class-flag strings, as in audit_control's `flags:` and audit_user: `lo,+ad,-fc,^fr,^-ex`.
//! A bare name selects a class for success and failure, `+` for success only, `-` for failure
//! only; a leading `^` removes instead of adds. Items apply left to right.

use std::cmp::Reverse;

use serde::Serialize;

use super::{AuditClass, ClassTable};
use crate::tables::error::TableError;

/// The classes audited on success and on failure, kept apart.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Preselection {
    pub success: u32,
    pub failure: u32,
}

impl Preselection {
    /// Whether an event in `class_mask` with this outcome is selected.
    pub fn matches(&self, class_mask: u32, success: bool) -> bool {
        let selected = if success { self.success } else { self.failure };
        selected & class_mask != 0
    }
}

impl ClassTable {
    /// Parses a class-flags string; blanks around items and empty items are ignored.
    pub fn parse_flags(&self, flags: &str) -> Result<Preselection, TableError> {
        let mut selection = Preselection::default();
        for item in flags
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
        {
            let (remove, rest) = match item.strip_prefix('^') {
                Some(rest) => (true, rest),
                None => (false, item),
            };
            let (on_success, on_failure, name) = if let Some(name) = rest.strip_prefix('+') {
                (true, false, name)
            } else if let Some(name) = rest.strip_prefix('-') {
                (false, true, name)
            } else {
                (true, true, rest)
            };
            if name.is_empty() {
                return Err(TableError::MissingClassName(item.to_owned()));
            }
            let mask = self
                .by_name(name)
                .ok_or_else(|| TableError::UnknownClass(name.to_owned()))?
                .mask;
            let apply = |selected: &mut u32| {
                if remove {
                    *selected &= !mask;
                } else {
                    *selected |= mask;
                }
            };
            if on_success {
                apply(&mut selection.success);
            }
            if on_failure {
                apply(&mut selection.failure);
            }
        }
        Ok(selection)
    }

    /// The shortest-reading flags string for `selection`, ordered by class mask: `name` for a
    /// class selected both ways, `+name` for success only, `-name` for failure only. Bits that
    /// no class covers are left out, so `parse_flags` gives `selection` back whenever it is
    /// made of this table's classes.
    pub fn format_flags(&self, selection: Preselection) -> String {
        // Widest classes first, so that `all` (or any wide class) stands in for its parts.
        let mut candidates: Vec<&AuditClass> =
            self.iter().filter(|class| class.mask != 0).collect();
        candidates.sort_by_key(|class| (Reverse(class.mask.count_ones()), class.mask));

        let mut covered = Preselection::default();
        let mut chosen: Vec<(u32, &'static str, &str)> = Vec::new();
        for class in candidates {
            let on_success = class.mask & selection.success == class.mask;
            let on_failure = class.mask & selection.failure == class.mask;
            let adds_success = on_success && class.mask & !covered.success != 0;
            let adds_failure = on_failure && class.mask & !covered.failure != 0;
            if !adds_success && !adds_failure {
                continue;
            }
            let prefix = match (on_success, on_failure) {
                (true, true) => "",
                (true, false) => "+",
                _ => "-",
            };
            if on_success {
                covered.success |= class.mask;
            }
            if on_failure {
                covered.failure |= class.mask;
            }
            chosen.push((class.mask, prefix, &class.name));
        }

        chosen.sort_by_key(|&(mask, ..)| mask);
        let items: Vec<String> = chosen
            .iter()
            .map(|(_, prefix, name)| format!("{prefix}{name}"))
            .collect();
        items.join(",")
    }
}
