//! Record times as `ctime(3)` writes them (`Tue Nov 14 22:13:20 2023`), in a
//! chosen time zone, and as RFC 3339 in UTC with milliseconds (JSON), each
//! computed once per distinct second.

use chrono::{
    DateTime, Datelike, FixedOffset, Local, Offset, SecondsFormat, TimeZone, Timelike, Utc,
};

use super::scalars::push_unsigned;

/// The time zone that record times are shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    /// The process's local zone: `TZ` if set, else the system's (as `ctime` does).
    Local,
    /// A fixed offset from UTC, whatever the environment says.
    Fixed(FixedOffset),
}

impl Zone {
    /// UTC, as a fixed zone.
    pub fn utc() -> Zone {
        Zone::Fixed(Utc.fix())
    }
}

const WEEKDAYS: [&[u8; 3]; 7] = [b"Sun", b"Mon", b"Tue", b"Wed", b"Thu", b"Fri", b"Sat"];
const MONTHS: [&[u8; 3]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];

/// Writes ctime text, remembering the last second it formatted: records
/// come in time order, so most share the previous record's second.
#[derive(Debug)]
pub(super) struct Clock {
    zone: Zone,
    cached_second: Option<u64>,
    cached_text: Vec<u8>,
}

impl Clock {
    pub(super) fn new(zone: Zone) -> Self {
        Clock {
            zone,
            cached_second: None,
            cached_text: Vec::with_capacity(32),
        }
    }

    /// The ctime text of `seconds` since the epoch, without ctime's newline.
    /// A time after the year 9999 prints as the number of seconds.
    pub(super) fn push_ctime(&mut self, buf: &mut Vec<u8>, seconds: u64) {
        if self.cached_second != Some(seconds) {
            self.cached_text.clear();
            if !format_ctime(&mut self.cached_text, seconds, self.zone) {
                push_unsigned(&mut self.cached_text, seconds);
            }
            self.cached_second = Some(seconds);
        }
        buf.extend_from_slice(&self.cached_text);
    }
}

/// Writes `2023-11-14T22:13:20.002Z` (chrono's RFC 3339 with milliseconds),
/// remembering the text of the last second.
#[derive(Debug, Default)]
pub(super) struct Rfc3339Clock {
    cached_second: Option<i64>,
    /// Up to the seconds, without the fraction and the `Z`.
    cached_text: String,
}

impl Rfc3339Clock {
    /// Appends the quoted time of `seconds` plus `milliseconds` (which may
    /// exceed 999, as a header may say), or `null` if chrono cannot
    /// represent it.
    pub(super) fn push_json(&mut self, buf: &mut Vec<u8>, seconds: u64, milliseconds: u64) {
        let millis = i64::try_from(seconds)
            .ok()
            .and_then(|s| s.checked_mul(1000))
            .zip(i64::try_from(milliseconds).ok())
            .and_then(|(ms, extra)| ms.checked_add(extra));
        let Some(millis) = millis else {
            buf.extend_from_slice(b"null");
            return;
        };
        let second = millis.div_euclid(1000);
        if self.cached_second != Some(second) {
            let Some(time) = DateTime::from_timestamp(second, 0) else {
                buf.extend_from_slice(b"null");
                return;
            };
            self.cached_text = time.to_rfc3339_opts(SecondsFormat::Secs, true);
            self.cached_text.pop(); // the `Z`
            self.cached_second = Some(second);
        }
        let fraction = millis.rem_euclid(1000) as u32;
        buf.push(b'"');
        buf.extend_from_slice(self.cached_text.as_bytes());
        buf.push(b'.');
        buf.push(b'0' + (fraction / 100) as u8);
        push_two_digits(buf, fraction % 100);
        buf.extend_from_slice(b"Z\"");
    }
}

/// 9999-12-31 23:59:59 UTC. Beyond it ctime's four-digit year no longer
/// holds, and chrono's local-zone code may panic on times it cannot map.
const LAST_CTIME_SECOND: u64 = 253_402_300_799;

/// Formats `%a %b %e %H:%M:%S %Y`; false if the time is out of range.
fn format_ctime(buf: &mut Vec<u8>, seconds: u64, zone: Zone) -> bool {
    if seconds > LAST_CTIME_SECOND {
        return false;
    }
    let Ok(seconds) = i64::try_from(seconds) else {
        return false;
    };
    let Some(utc) = DateTime::from_timestamp(seconds, 0) else {
        return false;
    };
    match zone {
        Zone::Local => push_calendar(buf, &utc.with_timezone(&Local)),
        Zone::Fixed(offset) => push_calendar(buf, &offset.from_utc_datetime(&utc.naive_utc())),
    }
    true
}

fn push_calendar<Tz: TimeZone>(buf: &mut Vec<u8>, time: &DateTime<Tz>) {
    let weekday = time.weekday().num_days_from_sunday() as usize;
    buf.extend_from_slice(WEEKDAYS[weekday % 7]);
    buf.push(b' ');
    buf.extend_from_slice(MONTHS[time.month0() as usize % 12]);
    buf.push(b' ');
    let day = time.day();
    if day < 10 {
        buf.push(b' ');
    }
    push_unsigned(buf, u64::from(day));
    buf.push(b' ');
    push_two_digits(buf, time.hour());
    buf.push(b':');
    push_two_digits(buf, time.minute());
    buf.push(b':');
    push_two_digits(buf, time.second());
    buf.push(b' ');
    // Times are unsigned seconds up to the year 9999: the year is positive.
    push_unsigned(buf, u64::from(time.year().unsigned_abs()));
}

fn push_two_digits(buf: &mut Vec<u8>, value: u32) {
    // Hours, minutes and seconds are below 60 (61 for a leap second).
    buf.push(b'0' + (value / 10 % 10) as u8);
    buf.push(b'0' + (value % 10) as u8);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctime(seconds: u64, zone: Zone) -> String {
        let mut clock = Clock::new(zone);
        let mut buf = Vec::new();
        clock.push_ctime(&mut buf, seconds);
        String::from_utf8(buf).unwrap_or_default()
    }

    #[test]
    fn ctime_text_in_utc() {
        assert_eq!(
            ctime(1_700_000_000, Zone::utc()),
            "Tue Nov 14 22:13:20 2023"
        );
        assert_eq!(
            ctime(1_483_720_878, Zone::utc()),
            "Fri Jan  6 16:41:18 2017"
        );
        assert_eq!(ctime(74565, Zone::utc()), "Thu Jan  1 20:42:45 1970");
        assert_eq!(ctime(0, Zone::utc()), "Thu Jan  1 00:00:00 1970");
    }

    #[test]
    fn fixed_offsets_shift_the_wall_clock() {
        let plus_two = FixedOffset::east_opt(2 * 3600).map_or(Zone::utc(), Zone::Fixed);
        assert_eq!(ctime(1_700_000_000, plus_two), "Wed Nov 15 00:13:20 2023");
    }

    #[test]
    fn times_after_the_year_9999_print_as_numbers() {
        assert_eq!(ctime(u64::MAX, Zone::utc()), "18446744073709551615");
        assert_eq!(
            ctime(LAST_CTIME_SECOND, Zone::utc()),
            "Fri Dec 31 23:59:59 9999"
        );
        assert_eq!(ctime(LAST_CTIME_SECOND + 1, Zone::utc()), "253402300800");
        assert_eq!(ctime(LAST_CTIME_SECOND + 1, Zone::Local), "253402300800");
    }

    #[test]
    fn the_local_zone_formats_too() {
        // Whatever the host's zone, the text has ctime's shape.
        let text = ctime(1_700_000_000, Zone::Local);
        assert_eq!(text.len(), 24, "{text}");
        assert!(text.ends_with(" 2023"), "{text}");
    }

    fn rfc3339(clock: &mut Rfc3339Clock, seconds: u64, milliseconds: u64) -> String {
        let mut buf = Vec::new();
        clock.push_json(&mut buf, seconds, milliseconds);
        String::from_utf8(buf).unwrap_or_default()
    }

    #[test]
    fn rfc3339_times_match_chronos_and_follow_the_second() {
        let mut clock = Rfc3339Clock::default();
        for (seconds, milliseconds) in [
            (1_700_000_000, 2),
            (1_700_000_000, 999),
            (1_700_000_000, 1_500),
            (0, 0),
            (1_700_000_001, 70),
            (253_402_300_799, 999),
            (253_402_300_800, 0),
        ] {
            let expected =
                DateTime::from_timestamp_millis(seconds as i64 * 1000 + milliseconds as i64)
                    .map(|t| format!("\"{}\"", t.to_rfc3339_opts(SecondsFormat::Millis, true)));
            assert_eq!(
                rfc3339(&mut clock, seconds, milliseconds),
                expected.unwrap_or_default()
            );
        }
        assert_eq!(rfc3339(&mut clock, u64::MAX, 0), "null");
        assert_eq!(rfc3339(&mut clock, 1 << 60, 0), "null");
    }

    #[test]
    fn the_cache_follows_the_second() {
        let mut clock = Clock::new(Zone::utc());
        let mut buf = Vec::new();
        clock.push_ctime(&mut buf, 0);
        buf.push(b'|');
        clock.push_ctime(&mut buf, 0);
        buf.push(b'|');
        clock.push_ctime(&mut buf, 1);
        assert_eq!(
            String::from_utf8(buf).unwrap_or_default(),
            "Thu Jan  1 00:00:00 1970|Thu Jan  1 00:00:00 1970|Thu Jan  1 00:00:01 1970"
        );
    }
}
