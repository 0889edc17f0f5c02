//! Trail directories as auditd keeps them: files named by their start and
//! end times ([`TrailName`]), so that a time range can skip files without
//! opening them. The one model of a trail file that the reader (which
//! skips by name) and the writer (which names, recovers and expires) share.

use std::ffi::OsStr;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::trail_name::{TrailName, TrailState};

/// One trail file of a directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrailFile {
    pub name: TrailName,
    pub path: PathBuf,
}

impl TrailFile {
    /// Its name in the directory.
    pub fn file_name(&self) -> &OsStr {
        self.path.file_name().unwrap_or_default()
    }

    /// Whether the file may hold records at or after `after` and before
    /// `before` (milliseconds since the epoch), judging by its name.
    ///
    /// Only a closed trail's name bounds its records (our writer widens
    /// the name to span them): an open or crash-recovered trail's START is
    /// when it was opened, and a producer may hand over records stamped
    /// earlier, so such a trail is always read.
    pub fn may_hold(&self, after: Option<i64>, before: Option<i64>) -> bool {
        let TrailState::Closed { end } = self.name.state else {
            return true;
        };
        let millis = |seconds: u64| {
            i64::try_from(seconds)
                .unwrap_or(i64::MAX)
                .saturating_mul(1000)
        };
        // A record of the end second can be up to 999 ms past it.
        let ends_before = |after: i64| millis(end.saturating_add(1)) <= after;
        let starts_after = |before: i64| millis(self.name.start) >= before;
        !after.is_some_and(ends_before) && !before.is_some_and(starts_after)
    }
}

/// The trail files of `dir` (entries named as trails), in no particular
/// order; symlinks too, for the caller to refuse or skip.
pub fn trail_entries(dir: &Path) -> io::Result<Vec<(TrailFile, fs::FileType)>> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let file_name = entry.file_name();
        if let Some(name) = file_name.to_str().and_then(TrailName::parse) {
            let file = TrailFile {
                name,
                path: entry.path(),
            };
            files.push((file, entry.file_type()?));
        }
    }
    Ok(files)
}

/// The trail files of `dir` to read, oldest first: symlinks and anything
/// not named like a trail (the `current` link) are left out.
pub fn list_trail_dir(dir: &Path) -> io::Result<Vec<TrailFile>> {
    let mut files: Vec<TrailFile> = trail_entries(dir)?
        .into_iter()
        .filter(|(_, kind)| !kind.is_symlink())
        .map(|(file, _)| file)
        .collect();
    files.sort_by(|a, b| (a.name.start, &a.path).cmp(&(b.name.start, &b.path)));
    Ok(files)
}

/// The regular files of `dir` not named as trails, sorted: what a reader of
/// the directory skips and should say it skipped.
pub fn unnamed_files(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let named = entry
            .file_name()
            .to_str()
            .and_then(TrailName::parse)
            .is_some();
        if !named && entry.file_type()?.is_file() {
            files.push(entry.path());
        }
    }
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_wholly_outside_the_range_are_skipped() {
        let file = TrailFile {
            path: PathBuf::new(),
            name: TrailName {
                start: 100,
                state: TrailState::Closed { end: 200 },
            },
        };
        let ms = |s: i64| Some(s * 1000);
        assert!(file.may_hold(None, None));
        assert!(file.may_hold(ms(150), ms(160)));
        assert!(file.may_hold(ms(200), None), "records of the end second");
        assert!(file.may_hold(Some(200_999), None));
        assert!(!file.may_hold(ms(201), None));
        assert!(file.may_hold(None, Some(100_001)));
        assert!(!file.may_hold(None, ms(100)), "before is exclusive");
        let open = TrailFile {
            name: TrailName {
                state: TrailState::Open,
                ..file.name
            },
            ..file
        };
        assert!(open.may_hold(ms(1_000_000), None));
        assert!(
            open.may_hold(None, ms(50)),
            "an open trail may hold records stamped before it opened"
        );
    }

    #[test]
    fn a_directory_lists_its_trails_oldest_first_without_links_or_strangers() {
        let dir = std::env::temp_dir().join(format!("bsm-format-trail-dir-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir(&dir).unwrap();
        for name in [
            "20231114231320.not_terminated",
            "20231114221320.20231114231320",
            "notes.txt",
        ] {
            fs::write(dir.join(name), b"").unwrap();
        }
        std::os::unix::fs::symlink("20231114231320.not_terminated", dir.join("current")).unwrap();
        std::os::unix::fs::symlink("/etc/passwd", dir.join("20231114211320.20231114221320"))
            .unwrap();
        let names: Vec<String> = list_trail_dir(&dir)
            .unwrap()
            .iter()
            .map(|file| file.file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            [
                "20231114221320.20231114231320",
                "20231114231320.not_terminated"
            ]
        );
        assert_eq!(
            trail_entries(&dir).unwrap().len(),
            3,
            "the planted link is an entry"
        );
        assert_eq!(
            unnamed_files(&dir).unwrap(),
            [dir.join("notes.txt")],
            "links are not files skipped"
        );
        fs::remove_dir_all(&dir).unwrap();
    }
}
