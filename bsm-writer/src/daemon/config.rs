//! lxbsmd's configuration file, in audit_control(5) style.
//!
//! One `key:value` per line; `#` starts a comment; blank lines are ignored.
//! Keys: `dir`, `filesz`, `expire-after`, `flags`, `naflags`, `policy`,
//! `minfree`, and lxbsmd's own `io_uring` (`deny`, the default, or
//! `allow`) and `block-from` (see [`crate::daemon::block_list`]). Unlike auditd, lxbsmd keeps a single trail directory, so a
//! second `dir:` line is an error rather than a fallback. Every error names
//! the file and the line.

use crate::control::{self, ExpireAfter};
use crate::daemon::block_list::{self, BlockRule};
use bsm_format::tables::{ClassTable, Preselection};
use std::fmt;
use std::path::{Path, PathBuf};

/// The audit policies of audit_control's `policy:` line (OpenBSM's names).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Policy {
    /// `cnt`: keep going when records cannot be written (lxbsmd drops and
    /// counts them when space is short) instead of stopping.
    pub continue_on_failure: bool,
    /// `ahlt`: halt when records cannot be written (lxbsmd stops).
    pub halt_on_failure: bool,
    /// The other OpenBSM policies (`argv`, `arge`, `seq`, `trail`, `group`,
    /// `path`, `zonename`, `perzone`, `public`) concern the record producer,
    /// not the daemon; they are accepted and kept by name.
    pub producer_policies: Vec<String>,
}

const PRODUCER_POLICIES: &[&str] = &[
    "argv", "arge", "seq", "trail", "group", "path", "zonename", "perzone", "public",
];

/// What an audit_control file sets; `None` where it is silent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ControlFile {
    pub dir: Option<PathBuf>,
    /// `filesz`; `Some(0)` means no size limit, as in audit_control.
    pub file_size_limit: Option<u64>,
    pub expire_after: Option<ExpireAfter>,
    /// `flags`: classes audited for attributable events. lxbsmd sets them
    /// in the lxbsm device (see [`crate::daemon::device`]); other
    /// producers preselect for themselves.
    pub flags: Option<Preselection>,
    /// `naflags`: classes audited for non-attributable events (for the
    /// lxbsm device: tasks whose auid is unset).
    pub naflags: Option<Preselection>,
    /// See [`ControlFile::policy_or_default`].
    pub policy: Option<Policy>,
    /// `minfree`: a percentage, 0 to 100.
    pub min_free_percent: Option<u8>,
    /// `io_uring:allow`: the lxbsm device lets audited tasks use io_uring,
    /// whose operations it does not record; `io_uring:deny` (the default)
    /// refuses them io_uring, and records each refusal.
    pub io_uring_allowed: Option<bool>,
    /// `block-from`: the remote networks whose data the lxbsm device
    /// denies, every line's entries in file order.
    pub block_from: Vec<BlockRule>,
}

/// A configuration file that could not be read or has a bad line.
#[derive(Debug)]
pub enum ConfigError {
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    Line {
        path: PathBuf,
        /// 1-based.
        line: usize,
        problem: String,
    },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Read { path, source } => {
                write!(f, "cannot read {}: {source}", path.display())
            }
            ConfigError::Line {
                path,
                line,
                problem,
            } => write!(f, "{}:{line}: {problem}", path.display()),
        }
    }
}

impl std::error::Error for ConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ConfigError::Read { source, .. } => Some(source),
            ConfigError::Line { .. } => None,
        }
    }
}

impl ControlFile {
    /// The `policy:` line, or OpenBSM auditd's default without one: `cnt`.
    pub fn policy_or_default(&self) -> Policy {
        self.policy.clone().unwrap_or(Policy {
            continue_on_failure: true,
            ..Policy::default()
        })
    }

    /// Reads and parses the file at `path`.
    pub fn load(path: &Path) -> Result<ControlFile, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        ControlFile::parse(&text, ClassTable::builtin()).map_err(|(line, problem)| {
            ConfigError::Line {
                path: path.to_path_buf(),
                line,
                problem,
            }
        })
    }

    /// Parses audit_control text, naming classes from `classes`; an error
    /// gives the 1-based line number and the problem.
    pub fn parse(text: &str, classes: &ClassTable) -> Result<ControlFile, (usize, String)> {
        let mut control = ControlFile::default();
        for (index, line) in text.lines().enumerate() {
            control
                .apply_line(line, classes)
                .map_err(|problem| (index + 1, problem))?;
        }
        Ok(control)
    }

    fn apply_line(&mut self, line: &str, classes: &ClassTable) -> Result<(), String> {
        let line = line
            .split_once('#')
            .map_or(line, |(before, _)| before)
            .trim();
        if line.is_empty() {
            return Ok(());
        }
        let (key, value) = line
            .split_once(':')
            .ok_or_else(|| format!("expected key:value, found {line:?}"))?;
        let (key, value) = (key.trim(), value.trim());
        match key {
            "dir" => {
                if self.dir.is_some() {
                    return Err("a second dir: line (lxbsmd keeps one trail directory)".into());
                }
                if value.is_empty() {
                    return Err("dir: needs a directory".into());
                }
                self.dir = Some(PathBuf::from(value));
            }
            "filesz" => {
                self.file_size_limit = Some(control::parse_size(value).map_err(|e| e.to_string())?)
            }
            "expire-after" => {
                self.expire_after = Some(
                    value
                        .parse()
                        .map_err(|e: crate::ValueError| e.to_string())?,
                )
            }
            "flags" => self.flags = Some(parse_flags(value, classes)?),
            "naflags" => self.naflags = Some(parse_flags(value, classes)?),
            "policy" => self.policy = Some(parse_policy(value)?),
            "minfree" => {
                let percent = value
                    .parse::<u8>()
                    .ok()
                    .filter(|percent| *percent <= 100)
                    .ok_or_else(|| format!("minfree: {value:?} is not a percentage (0 to 100)"))?;
                self.min_free_percent = Some(percent);
            }
            "io_uring" => {
                self.io_uring_allowed = Some(match value {
                    "allow" => true,
                    "deny" => false,
                    _ => return Err(format!("io_uring: {value:?} is neither allow nor deny")),
                })
            }
            "block-from" => {
                let first_id = self.block_from.len() as u32 + 1;
                self.block_from
                    .extend(block_list::parse_entries(value, first_id)?);
                block_list::check_unique(&self.block_from)?;
            }
            _ => return Err(format!("unknown key {key:?}")),
        }
        Ok(())
    }
}

fn parse_flags(value: &str, classes: &ClassTable) -> Result<Preselection, String> {
    classes
        .parse_flags(value)
        .map_err(|err| format!("class flags {value:?}: {err}"))
}

fn parse_policy(value: &str) -> Result<Policy, String> {
    let mut policy = Policy::default();
    for name in value
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
    {
        match name {
            "cnt" => policy.continue_on_failure = true,
            "ahlt" => policy.halt_on_failure = true,
            _ if PRODUCER_POLICIES.contains(&name) => {
                policy.producer_policies.push(name.to_owned())
            }
            _ => return Err(format!("unknown policy {name:?}")),
        }
    }
    if policy.continue_on_failure && policy.halt_on_failure {
        return Err("policies cnt and ahlt contradict each other".into());
    }
    Ok(policy)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ControlFile, (usize, String)> {
        ControlFile::parse(text, ClassTable::builtin())
    }

    #[test]
    fn io_uring_is_allowed_or_denied_and_nothing_else() {
        assert_eq!(
            parse("io_uring:allow\n").unwrap().io_uring_allowed,
            Some(true)
        );
        assert_eq!(
            parse("io_uring: deny\n").unwrap().io_uring_allowed,
            Some(false)
        );
        assert_eq!(parse("flags:lo\n").unwrap().io_uring_allowed, None);
        let (line, problem) = parse("flags:lo\nio_uring:yes\n").unwrap_err();
        assert_eq!(line, 2);
        assert!(problem.contains("neither allow nor deny"), "{problem}");
    }

    #[test]
    fn reads_every_key() {
        let control = parse(
            "# audit_control\n\ndir:/var/audit\nflags:lo,+ad\nnaflags:lo\n\
             policy:cnt,argv\nminfree:5\nfilesz:2M # rotate\nexpire-after:10d OR 1G\n",
        )
        .unwrap();
        assert_eq!(control.dir, Some(PathBuf::from("/var/audit")));
        assert_eq!(control.file_size_limit, Some(2 << 20));
        assert_eq!(control.min_free_percent, Some(5));
        let policy = control.policy.unwrap();
        assert!(policy.continue_on_failure);
        assert_eq!(policy.producer_policies, ["argv"]);
        assert!(control.flags.unwrap().success != 0);
        assert!(control.expire_after.is_some());
    }

    #[test]
    fn block_from_lines_add_up_in_file_order() {
        let control =
            parse("block-from:10.0.0.0/8\nflags:lo\nblock-from: ::1 port 22, 192.0.2.1\n").unwrap();
        let rules: Vec<String> = control.block_from.iter().map(ToString::to_string).collect();
        assert_eq!(
            rules,
            [
                "rule 1: 10.0.0.0/8",
                "rule 2: ::1/128 port 22",
                "rule 3: 192.0.2.1/32"
            ]
        );
        let (line, problem) = parse("block-from:10.0.0.0/8\nblock-from:10.0.0.0/8\n").unwrap_err();
        assert_eq!(line, 2);
        assert!(problem.contains("repeats rule 1"), "{problem}");
    }

    #[test]
    fn bad_lines_name_their_number() {
        for (text, line) in [
            ("dir:/a\nnonsense\n", 2),
            ("\n\nfilesz:12Q\n", 3),
            ("flags:lo,nosuchclass\n", 1),
            ("minfree:101\n", 1),
            ("policy:cnt,ahlt\n", 1),
            ("dir:/a\ndir:/b\n", 2),
            ("colour:blue\n", 1),
            ("flags:lo\nblock-from:10.1.2.3/8\n", 2),
        ] {
            assert_eq!(parse(text).unwrap_err().0, line, "{text:?}");
        }
    }
}
