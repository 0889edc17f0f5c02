//! The time in header and file tokens: seconds and milliseconds since the
//! epoch, as libbsm writes them (`tv_usec / 1000`).

use std::time::{SystemTime, UNIX_EPOCH};

/// A point in time to the millisecond.
///
/// The fields are the raw token fields, so that any decoded header can be
/// rebuilt; [`AuditTime::from_system_time`] keeps `milliseconds` below 1000.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct AuditTime {
    pub seconds: u64,
    pub milliseconds: u64,
}

impl AuditTime {
    pub const fn new(seconds: u64, milliseconds: u64) -> Self {
        AuditTime {
            seconds,
            milliseconds,
        }
    }

    /// The current time.
    pub fn now() -> Self {
        Self::from_system_time(SystemTime::now())
    }

    /// `time` truncated to the millisecond; a time before the epoch (a
    /// broken clock) becomes the epoch, which tokens cannot go below.
    pub fn from_system_time(time: SystemTime) -> Self {
        let since_epoch = time.duration_since(UNIX_EPOCH).unwrap_or_default();
        AuditTime {
            seconds: since_epoch.as_secs(),
            milliseconds: u64::from(since_epoch.subsec_millis()),
        }
    }
}
