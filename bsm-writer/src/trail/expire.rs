//! Expiry: removing closed trails, oldest first, while the `expire-after`
//! rule holds, as auditd does after each rotation.
//!
//! As in OpenBSM, all trail files count towards the total size, the open one
//! too; a trail's age runs from the end time in its name, or from its last
//! modification for a crash-recovered trail; the open trail is never removed.

use crate::control::ExpireAfter;
use crate::error::TrailError;
use crate::trail::dir::TrailDir;
use bsm_format::TrailState;
use std::fs;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// What one round of expiry did.
#[derive(Debug, Default)]
pub struct Expiry {
    /// The trails removed, oldest first.
    pub removed: Vec<PathBuf>,
    /// The trails the rule expired that could not be removed; the younger
    /// ones were still considered, as if these were gone.
    pub failed: Vec<TrailError>,
}

/// Removes the trails of `dir` that `rule` expires at `now`. A trail that
/// cannot be removed does not hold back the others.
pub(crate) fn expire(
    dir: &TrailDir,
    rule: &ExpireAfter,
    now: SystemTime,
) -> Result<Expiry, TrailError> {
    let mut total = 0u64;
    let mut closed = Vec::new();
    for trail in dir.trails()? {
        let metadata = fs::symlink_metadata(&trail.path).map_err(|source| TrailError::Io {
            action: "stat",
            path: trail.path.clone(),
            source,
        })?;
        if !metadata.is_file() {
            continue;
        }
        total += metadata.len();
        let closed_at = match trail.name.state {
            TrailState::Open => continue,
            TrailState::Closed { end } => UNIX_EPOCH + Duration::from_secs(end),
            TrailState::CrashRecovered => metadata.modified().map_err(|source| TrailError::Io {
                action: "stat",
                path: trail.path.clone(),
                source,
            })?,
        };
        closed.push((closed_at, trail, metadata.len()));
    }
    closed.sort_by(|a, b| (a.0, &a.1.path).cmp(&(b.0, &b.1.path)));

    let mut expiry = Expiry::default();
    for (closed_at, trail, size) in closed {
        let age = now.duration_since(closed_at).unwrap_or_default();
        if rule.expires(age, total) {
            // The size rule counts a trail that would not go as gone, so that
            // one stuck trail does not expire all the younger ones.
            total -= size;
            match dir.remove_if_present(trail.file_name()) {
                Ok(()) => expiry.removed.push(trail.path),
                Err(err) => expiry.failed.push(err),
            }
        }
    }
    Ok(expiry)
}
