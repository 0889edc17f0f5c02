//! Trail file names as auditd gives them: `START.not_terminated` while a
//! trail is open, `START.END` once it is closed, and `START.crash_recovery`
//! when it was found open after a crash. START and END are UTC times
//! written `YYYYMMDDHHMMSS`. The writer names files by these rules and the
//! reader skips files by them.

use chrono::{DateTime, NaiveDateTime, Timelike};

const NOT_TERMINATED: &str = "not_terminated";
const CRASH_RECOVERY: &str = "crash_recovery";
const STAMP_FORMAT: &str = "%Y%m%d%H%M%S";

/// Where a trail file is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TrailState {
    /// Being written, or left open by a crash.
    Open,
    /// Closed at `end` (seconds since the epoch).
    Closed { end: u64 },
    /// Recovered after a crash.
    CrashRecovered,
}

/// A trail file's name: its start time (seconds since the epoch) and state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TrailName {
    pub start: u64,
    pub state: TrailState,
}

impl TrailName {
    /// Reads a file name; `None` for anything that is not a trail's name.
    pub fn parse(file_name: &str) -> Option<TrailName> {
        let (start, suffix) = file_name.split_once('.')?;
        let start = parse_stamp(start)?;
        let state = match suffix {
            NOT_TERMINATED => TrailState::Open,
            CRASH_RECOVERY => TrailState::CrashRecovered,
            end => TrailState::Closed {
                end: parse_stamp(end)?,
            },
        };
        Some(TrailName { start, state })
    }

    /// The file name.
    pub fn file_name(&self) -> String {
        let suffix = match self.state {
            TrailState::Open => NOT_TERMINATED.to_owned(),
            TrailState::Closed { end } => format_stamp(end),
            TrailState::CrashRecovered => CRASH_RECOVERY.to_owned(),
        };
        format!("{}.{suffix}", format_stamp(self.start))
    }
}

/// Seconds since the epoch as `YYYYMMDDHHMMSS` in UTC (the epoch itself for
/// a time chrono cannot hold).
pub fn format_stamp(seconds: u64) -> String {
    i64::try_from(seconds)
        .ok()
        .and_then(|seconds| DateTime::from_timestamp(seconds, 0))
        .unwrap_or_default()
        .format(STAMP_FORMAT)
        .to_string()
}

/// `YYYYMMDDHHMMSS` in UTC as seconds since the epoch; `None` unless it is
/// 14 digits naming a real time (no leap second) from 1970 on.
pub fn parse_stamp(stamp: &str) -> Option<u64> {
    if stamp.len() != 14 || !stamp.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let time = NaiveDateTime::parse_from_str(stamp, STAMP_FORMAT).ok()?;
    if time.nanosecond() >= 1_000_000_000 {
        return None;
    }
    u64::try_from(time.and_utc().timestamp()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_round_trip_known_dates() {
        // Dates worked out by hand: 2023-11-14 22:13:20 is 1700000000.
        assert_eq!(format_stamp(0), "19700101000000");
        assert_eq!(format_stamp(1_700_000_000), "20231114221320");
        assert_eq!(parse_stamp("20231114221320"), Some(1_700_000_000));
        // 2000-02-29 exists, 1900 is out of range, 2023-02-29 does not exist.
        assert_eq!(parse_stamp("20000229000000"), Some(951_782_400));
        assert_eq!(parse_stamp("20230229000000"), None);
        assert_eq!(parse_stamp("19000101000000"), None);
        assert_eq!(parse_stamp("20231114246000"), None);
        assert_eq!(parse_stamp("2023111422132"), None);
        assert_eq!(parse_stamp("2023111422132x"), None);
    }

    #[test]
    fn names_parse_and_format() {
        let open = TrailName::parse("20231114221320.not_terminated").unwrap();
        assert_eq!(open.state, TrailState::Open);
        assert_eq!(open.file_name(), "20231114221320.not_terminated");
        let closed = TrailName::parse("20231114221320.20231114221420").unwrap();
        assert_eq!(closed.state, TrailState::Closed { end: 1_700_000_060 });
        let crashed = TrailName::parse("20231114221320.crash_recovery").unwrap();
        assert_eq!(crashed.state, TrailState::CrashRecovered);
        assert_eq!(crashed.file_name(), "20231114221320.crash_recovery");
        for other in ["current", "20231114221320", "20231114221320.log", ".x"] {
            assert_eq!(TrailName::parse(other), None, "{other}");
        }
    }
}
