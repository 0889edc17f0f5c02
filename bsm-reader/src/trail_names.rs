//! Trail directories as auditd keeps them: files named by their start and
//! end times, so that a time range can skip files without opening them.
//!
//! The names are bsm-format's [`TrailName`]s, the same rules the writer
//! names its files by.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use bsm_format::{TrailName, TrailState};

/// One trail file of a directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrailFile {
    pub path: PathBuf,
    /// When it was opened, in seconds since the epoch.
    pub start: i64,
    /// When it was closed; `None` while open or after a crash.
    pub end: Option<i64>,
}

impl TrailFile {
    /// Whether the file may hold records at or after `after` and before
    /// `before` (milliseconds since the epoch), judging by its name.
    ///
    /// Only a closed trail's name bounds its records (our writer widens
    /// the name to span them): an open or crash-recovered trail's START is
    /// when it was opened, and a producer may hand over records stamped
    /// earlier, so such a trail is always read.
    pub fn may_hold(&self, after: Option<i64>, before: Option<i64>) -> bool {
        let Some(end) = self.end else {
            return true;
        };
        // A record of the end second can be up to 999 ms past it.
        let ends_before = |after: i64| end.saturating_add(1).saturating_mul(1000) <= after;
        let starts_after = |before: i64| self.start.saturating_mul(1000) >= before;
        !after.is_some_and(ends_before) && !before.is_some_and(starts_after)
    }
}

/// The trail files of `dir`, oldest first. Other entries (the `current`
/// link, anything not named like a trail) are left out.
pub fn list_trail_dir(dir: &Path) -> io::Result<Vec<TrailFile>> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_symlink() {
            continue;
        }
        let name = entry.file_name();
        if let Some((start, end)) = name.to_str().and_then(parse_trail_name) {
            files.push(TrailFile {
                path: entry.path(),
                start,
                end,
            });
        }
    }
    files.sort_by(|a, b| (a.start, &a.path).cmp(&(b.start, &b.path)));
    Ok(files)
}

/// The start and end of a trail file name; `None` if it is not one.
pub fn parse_trail_name(name: &str) -> Option<(i64, Option<i64>)> {
    let name = TrailName::parse(name)?;
    let seconds = |s: u64| i64::try_from(s).ok();
    let end = match name.state {
        TrailState::Closed { end } => Some(seconds(end)?),
        TrailState::Open | TrailState::CrashRecovered => None,
    };
    Some((seconds(name.start)?, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOV_14_22_13_20: i64 = 1_700_000_000;

    #[test]
    fn names_as_auditd_writes_them() {
        assert_eq!(
            parse_trail_name("20231114221320.20231114231320"),
            Some((NOV_14_22_13_20, Some(NOV_14_22_13_20 + 3600)))
        );
        assert_eq!(
            parse_trail_name("20231114221320.not_terminated"),
            Some((NOV_14_22_13_20, None))
        );
        assert_eq!(
            parse_trail_name("20231114221320.crash_recovery"),
            Some((NOV_14_22_13_20, None))
        );
        for other in [
            "current",
            "audit_control",
            "20231114221320",
            "20231114221320.later",
            "2023111422132.20231114231320",
            "20231314221320.20231114231320",
        ] {
            assert_eq!(parse_trail_name(other), None, "{other}");
        }
    }

    #[test]
    fn files_wholly_outside_the_range_are_skipped() {
        let file = TrailFile {
            path: PathBuf::new(),
            start: 100,
            end: Some(200),
        };
        let ms = |s: i64| Some(s * 1000);
        assert!(file.may_hold(None, None));
        assert!(file.may_hold(ms(150), ms(160)));
        assert!(file.may_hold(ms(200), None), "records of the end second");
        assert!(file.may_hold(Some(200_999), None));
        assert!(!file.may_hold(ms(201), None));
        assert!(file.may_hold(None, Some(100_001)));
        assert!(!file.may_hold(None, ms(100)), "before is exclusive");
        let open = TrailFile { end: None, ..file };
        assert!(open.may_hold(ms(1_000_000), None));
        assert!(
            open.may_hold(None, ms(50)),
            "an open trail may hold records stamped before it opened"
        );
    }
}
