//! Trail file names as OpenBSM's auditd gives them: `START.not_terminated`
//! while a trail is open, `START.END` once it is closed, and
//! `START.crash_recovery` when it was found open after a crash. START and
//! END are UTC times written `YYYYMMDDHHMMSS`.

const NOT_TERMINATED: &str = "not_terminated";
const CRASH_RECOVERY: &str = "crash_recovery";

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

const SECONDS_PER_DAY: u64 = 24 * 60 * 60;

/// Seconds since the epoch as `YYYYMMDDHHMMSS` in UTC.
pub fn format_stamp(seconds: u64) -> String {
    let (year, month, day) = civil_from_days(seconds / SECONDS_PER_DAY);
    let of_day = seconds % SECONDS_PER_DAY;
    format!(
        "{year:04}{month:02}{day:02}{:02}{:02}{:02}",
        of_day / 3600,
        of_day / 60 % 60,
        of_day % 60
    )
}

/// `YYYYMMDDHHMMSS` in UTC as seconds since the epoch; `None` unless it is
/// 14 digits naming a real time from 1970 on.
pub fn parse_stamp(stamp: &str) -> Option<u64> {
    if stamp.len() != 14 || !stamp.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let field = |range: std::ops::Range<usize>| stamp[range].parse::<u64>().ok();
    let (year, month, day) = (field(0..4)?, field(4..6)?, field(6..8)?);
    let (hour, minute, second) = (field(8..10)?, field(10..12)?, field(12..14)?);
    if year < 1970 || !(1..=12).contains(&month) || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let days = days_from_civil(year, month, day)?;
    // A day past the month's end comes back as another date.
    (civil_from_days(days) == (year, month, day))
        .then_some(days * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second)
}

// The two conversions below are the usual era-based proleptic Gregorian
// calendar arithmetic (400-year eras of 146097 days, years starting in
// March so that the leap day comes last), restricted to dates from 1970.

/// Days since 1970-01-01 of a date from 1970 on.
fn days_from_civil(year: u64, month: u64, day: u64) -> Option<u64> {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year / 400;
    let year_of_era = year % 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day.checked_sub(1)?;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    (era * 146_097 + day_of_era).checked_sub(719_468)
}

/// The date (year, month, day) of a day counted from 1970-01-01.
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let shifted = days + 719_468;
    let era = shifted / 146_097;
    let day_of_era = shifted % 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = era * 400 + year_of_era + u64::from(month <= 2);
    (year, month, day)
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
    fn every_day_of_four_centuries_round_trips() {
        for days in 0..146_097 * 4 {
            let (year, month, day) = civil_from_days(days);
            assert_eq!(days_from_civil(year, month, day), Some(days));
        }
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
