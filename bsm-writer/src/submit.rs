//! Records from applications into the stream of the lxbsm kernel device:
//! one whole record per `write(2)` on `/dev/lxbsm`, as BSD's `audit(2)`
//! (kernel-source/lxbsm.h). The module checks that the record can be
//! framed and refuses it otherwise; the writer's file must have been
//! opened with `CAP_AUDIT_WRITE`.
//!
//! ```no_run
//! use bsm_writer::records::{self, Outcome, Subject};
//! use bsm_writer::submit;
//!
//! let record = records::su(&Subject::current()?, Outcome::SUCCESS, "to root")?.close()?;
//! submit::submit(submit::DEVICE, &record)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// `LXBSM_DEVICE`.
pub const DEVICE: &str = "/dev/lxbsm";
/// `LXBSM_MAX_APP_RECORD`: the largest record the device takes.
pub const MAX_RECORD: usize = 32768;

/// Why a record was not submitted; each names the device.
#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    #[error("cannot open {} for writing: {source}", path.display())]
    Open { path: PathBuf, source: io::Error },
    /// `EPERM`: the device was opened without `CAP_AUDIT_WRITE`.
    #[error("{}: submitting records needs CAP_AUDIT_WRITE", path.display())]
    NotPermitted { path: PathBuf },
    /// `EINVAL`: the module could not frame the record (or it is larger
    /// than [`MAX_RECORD`]).
    #[error("{} refused the record of {size} bytes as malformed", path.display())]
    Refused { path: PathBuf, size: usize },
    #[error("cannot write to {}: {source}", path.display())]
    Write { path: PathBuf, source: io::Error },
}

/// Writes `record` (one whole BSM record) to the lxbsm device at `device`.
pub fn submit(device: impl AsRef<Path>, record: &[u8]) -> Result<(), SubmitError> {
    let path = device.as_ref().to_path_buf();
    let mut file = match OpenOptions::new().write(true).open(&path) {
        Ok(file) => file,
        Err(source) => return Err(SubmitError::Open { path, source }),
    };
    match file.write(record) {
        Ok(written) if written == record.len() => Ok(()),
        Ok(written) => Err(SubmitError::Write {
            path,
            source: io::Error::other(format!("{written} of {} bytes written", record.len())),
        }),
        Err(err) => Err(match err.raw_os_error() {
            Some(libc::EPERM) => SubmitError::NotPermitted { path },
            Some(libc::EINVAL) => SubmitError::Refused {
                path,
                size: record.len(),
            },
            _ => SubmitError::Write { path, source: err },
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_device_is_named() {
        let err = submit("/nonexistent/lxbsm", b"x").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("cannot open /nonexistent/lxbsm for writing"),
            "{err}"
        );
    }

    #[test]
    fn a_short_or_failed_write_is_reported_not_ignored() {
        // /dev/full fails every write with ENOSPC.
        let err = submit("/dev/full", b"record").unwrap_err();
        assert!(matches!(err, SubmitError::Write { .. }), "{err}");
        assert!(err.to_string().contains("/dev/full"), "{err}");
    }
}
