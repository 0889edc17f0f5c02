//! The times of `-a`, `-b` and `-d`: OpenBSM's `YYYYMMDD[HH[MM[SS]]]` in
//! local time (honouring `TZ`), and ausearch's keywords.

use chrono::{DateTime, Datelike, Days, Duration, Local, NaiveDate, NaiveDateTime, TimeZone};

/// Why a time could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    #[error(
        "bad time '{0}': expected YYYYMMDD[HH[MM[SS]]] or one of now, recent, today, \
         yesterday, this-week, this-month, this-year"
    )]
    Malformed(String),
    #[error("bad time '{0}': no such date or time of day")]
    OutOfRange(String),
    #[error("bad time '{0}': that moment does not exist in the local time zone")]
    NotInLocalTime(String),
    #[error("bad date '{0}': expected YYYYMMDD")]
    MalformedDay(String),
}

/// How far back `recent` reaches, as in ausearch.
const RECENT: Duration = Duration::minutes(10);

/// Reads an `-a` or `-b` time, in milliseconds since the epoch. `now` is
/// the moment the keywords count from.
///
/// Keywords, as ausearch has them: `now`; `recent` (ten minutes ago);
/// `today` and `yesterday` (their midnight); `this-week` (the midnight that
/// began Sunday), `this-month` and `this-year` (the midnight that began
/// their first day).
pub fn parse_instant(text: &str, now: DateTime<Local>) -> Result<i64, TimeError> {
    let today = now.date_naive();
    let midnight = |day: NaiveDate| local_millis(day.and_time(chrono::NaiveTime::MIN), text);
    match text {
        "now" => Ok(now.timestamp_millis()),
        "recent" => Ok((now - RECENT).timestamp_millis()),
        "today" => midnight(today),
        "yesterday" => midnight(today - Days::new(1)),
        "this-week" => {
            midnight(today - Days::new(u64::from(today.weekday().num_days_from_sunday())))
        }
        "this-month" => midnight(today.with_day(1).unwrap_or(today)),
        "this-year" => midnight(today.with_ordinal(1).unwrap_or(today)),
        _ => local_millis(parse_digits(text)?, text),
    }
}

/// The bounds of `-d YYYYMMDD`: that day's local midnight and the next
/// one, in milliseconds since the epoch.
pub fn day_bounds(text: &str) -> Result<(i64, i64), TimeError> {
    if text.len() != 8 {
        return Err(TimeError::MalformedDay(text.to_owned()));
    }
    let start = parse_digits(text).map_err(|_| TimeError::MalformedDay(text.to_owned()))?;
    let next = start
        .checked_add_days(Days::new(1))
        .ok_or_else(|| TimeError::OutOfRange(text.to_owned()))?;
    Ok((local_millis(start, text)?, local_millis(next, text)?))
}

/// `YYYYMMDD[HH[MM[SS]]]`, each part in range.
fn parse_digits(text: &str) -> Result<NaiveDateTime, TimeError> {
    if !matches!(text.len(), 8 | 10 | 12 | 14) || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(TimeError::Malformed(text.to_owned()));
    }
    let part = |range: std::ops::Range<usize>| -> u32 {
        text.get(range)
            .and_then(|digits| digits.parse().ok())
            .unwrap_or(0)
    };
    let year = i32::try_from(part(0..4)).unwrap_or(0);
    NaiveDate::from_ymd_opt(year, part(4..6), part(6..8))
        .and_then(|day| day.and_hms_opt(part(8..10), part(10..12), part(12..14)))
        .ok_or_else(|| TimeError::OutOfRange(text.to_owned()))
}

/// A local wall-clock time in milliseconds since the epoch; of a time that
/// occurs twice (when clocks go back), the first.
fn local_millis(time: NaiveDateTime, text: &str) -> Result<i64, TimeError> {
    Local
        .from_local_datetime(&time)
        .earliest()
        .map(|time| time.timestamp_millis())
        .ok_or_else(|| TimeError::NotInLocalTime(text.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The local zone's midnight of a day, computed another way.
    fn local_midnight(year: i32, month: u32, day: u32) -> i64 {
        Local
            .with_ymd_and_hms(year, month, day, 0, 0, 0)
            .earliest()
            .map(|t| t.timestamp_millis())
            .unwrap_or_default()
    }

    #[test]
    fn digits_of_every_length() {
        let now = Local::now();
        let base = local_midnight(2023, 11, 14);
        assert_eq!(parse_instant("20231114", now), Ok(base));
        assert_eq!(parse_instant("2023111422", now), Ok(base + 22 * 3_600_000));
        assert_eq!(
            parse_instant("202311142213", now),
            Ok(base + (22 * 60 + 13) * 60_000)
        );
        assert_eq!(
            parse_instant("20231114221320", now),
            Ok(base + ((22 * 60 + 13) * 60 + 20) * 1000)
        );
    }

    #[test]
    fn bad_times_are_refused() {
        let now = Local::now();
        for text in [
            "",
            "2023",
            "202311141",
            "2023-11-14",
            "20231114xx",
            "tomorrow",
        ] {
            assert_eq!(
                parse_instant(text, now),
                Err(TimeError::Malformed(text.to_owned()))
            );
        }
        for text in ["20231314", "20230230", "2023111425", "202311142260"] {
            assert_eq!(
                parse_instant(text, now),
                Err(TimeError::OutOfRange(text.to_owned()))
            );
        }
    }

    #[test]
    fn keywords_count_from_now() {
        // Wednesday 2023-11-15 10:30 local time.
        let now = Local
            .with_ymd_and_hms(2023, 11, 15, 10, 30, 0)
            .earliest()
            .unwrap_or_else(Local::now);
        let at = |text| parse_instant(text, now).unwrap_or_default();
        assert_eq!(at("now"), now.timestamp_millis());
        assert_eq!(at("recent"), now.timestamp_millis() - 600_000);
        assert_eq!(at("today"), local_midnight(2023, 11, 15));
        assert_eq!(at("yesterday"), local_midnight(2023, 11, 14));
        assert_eq!(at("this-week"), local_midnight(2023, 11, 12));
        assert_eq!(at("this-month"), local_midnight(2023, 11, 1));
        assert_eq!(at("this-year"), local_midnight(2023, 1, 1));
    }

    #[test]
    fn a_day_runs_from_midnight_to_midnight() {
        assert_eq!(
            day_bounds("20231231"),
            Ok((local_midnight(2023, 12, 31), local_midnight(2024, 1, 1)))
        );
        assert_eq!(
            day_bounds("2023123110"),
            Err(TimeError::MalformedDay("2023123110".to_owned()))
        );
        assert_eq!(
            day_bounds("20231232"),
            Err(TimeError::MalformedDay("20231232".to_owned()))
        );
    }
}
