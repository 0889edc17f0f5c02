//! audit_user(5): per-user preselection, one `name:always:never` a line
//! (`#` starts a comment; blank lines are ignored), as OpenBSM reads it.
//! `always` and `never` are class flags as in audit_control's `flags:`.
//!
//! A name is looked up in passwd; one that is not there but is a number is
//! taken as the auid itself (a system without passwd entries, such as a
//! minimal guest, can still name its users). A user on two lines is an
//! error rather than a silent choice between them. Every error names the
//! file and the line.

use crate::daemon::config::ConfigError;
use bsm_format::tables::accounts::AccountNames;
use bsm_format::tables::{ClassTable, Preselection};
use std::path::{Path, PathBuf};

/// Where OpenBSM keeps the file.
pub const DEFAULT_PATH: &str = "/etc/security/audit_user";

/// One line of audit_user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditUserEntry {
    pub auid: u32,
    /// Classes audited for this user whatever the global flags say.
    pub always: Preselection,
    /// Classes never audited for this user.
    pub never: Preselection,
    /// 1-based.
    pub line: usize,
}

/// The entries of one audit_user file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditUserFile {
    pub path: PathBuf,
    pub entries: Vec<AuditUserEntry>,
}

impl AuditUserFile {
    /// Reads and parses the file at `path`, naming users from `accounts`.
    pub fn load(path: &Path, accounts: &AccountNames) -> Result<AuditUserFile, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let entries =
            parse(&text, ClassTable::builtin(), accounts).map_err(|(line, problem)| {
                ConfigError::Line {
                    path: path.to_path_buf(),
                    line,
                    problem,
                }
            })?;
        Ok(AuditUserFile {
            path: path.to_path_buf(),
            entries,
        })
    }
}

/// Parses audit_user text; an error gives the 1-based line and the problem.
pub fn parse(
    text: &str,
    classes: &ClassTable,
    accounts: &AccountNames,
) -> Result<Vec<AuditUserEntry>, (usize, String)> {
    let mut entries: Vec<AuditUserEntry> = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        let line = line
            .split_once('#')
            .map_or(line, |(before, _)| before)
            .trim();
        if line.is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split(':').map(str::trim).collect();
        let &[name, always, never] = fields.as_slice() else {
            return Err((
                number,
                format!("expected name:always-flags:never-flags, found {line:?}"),
            ));
        };
        let auid = accounts
            .id(name)
            .or_else(|| name.parse().ok())
            .ok_or_else(|| (number, format!("unknown user {name:?}")))?;
        let flags = |value: &str| {
            classes
                .parse_flags(value)
                .map_err(|err| (number, format!("class flags {value:?}: {err}")))
        };
        let entry = AuditUserEntry {
            auid,
            always: flags(always)?,
            never: flags(never)?,
            line: number,
        };
        if let Some(earlier) = entries.iter().find(|earlier| earlier.auid == auid) {
            return Err((
                number,
                format!(
                    "user {name:?} (auid {auid}) already has line {}",
                    earlier.line
                ),
            ));
        }
        entries.push(entry);
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accounts() -> AccountNames {
        AccountNames::parse("root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n")
    }

    fn parse_text(text: &str) -> Result<Vec<AuditUserEntry>, (usize, String)> {
        parse(text, ClassTable::builtin(), &accounts())
    }

    #[test]
    fn names_numbers_and_flags() {
        let entries = parse_text(
            "# audit_user\nroot:lo,ad:no\n\nalice : +ex : all # quiet\n2000::-fc,^-fc,fr\n",
        )
        .unwrap();
        let flags = |text| ClassTable::builtin().parse_flags(text).unwrap();
        assert_eq!(
            entries,
            [
                AuditUserEntry {
                    auid: 0,
                    always: flags("lo,ad"),
                    never: Preselection::default(),
                    line: 2,
                },
                AuditUserEntry {
                    auid: 1000,
                    always: flags("+ex"),
                    never: flags("all"),
                    line: 4,
                },
                AuditUserEntry {
                    auid: 2000,
                    always: Preselection::default(),
                    never: flags("fr"),
                    line: 5,
                },
            ]
        );
    }

    #[test]
    fn bad_lines_name_their_number() {
        for (text, line, problem) in [
            ("root:lo\n", 1, "expected name:always-flags:never-flags"),
            ("root:lo:no\n\nbob:lo:no\n", 3, "unknown user \"bob\""),
            ("\nalice:lo,nosuch:no\n", 2, "nosuch"),
            ("alice:lo:no\n1000:ex:no\n", 2, "already has line 1"),
            ("root:lo:no:extra\n", 1, "expected"),
        ] {
            let (number, message) = parse_text(text).unwrap_err();
            assert_eq!(number, line, "{text:?}");
            assert!(message.contains(problem), "{text:?}: {message}");
        }
    }
}
