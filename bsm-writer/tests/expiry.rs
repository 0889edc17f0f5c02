//! `expire-after`: closed trails are removed, oldest first, by age, by the
//! total size of all trails, or both; the open trail never is.

mod common;

use bsm_writer::control::ExpireAfter;
use bsm_writer::trail::{TrailName, TrailState};
use bsm_writer::{TrailConfig, TrailError, TrailWriter};
use common::{ScratchDir, entries, test_record};
use std::fs::{self, File};
use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// A test record is 40 bytes and its text.
const RECORD_OVERHEAD: usize = 40;
const TRAIL_SIZE: usize = 600;
const DAY: u64 = 24 * 60 * 60;

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A closed trail of `TRAIL_SIZE` bytes that started at `start` and ended
/// an hour later; returns its file name.
fn closed_trail(dir: &Path, start: u64) -> String {
    let name = TrailName {
        start,
        state: TrailState::Closed { end: start + 3600 },
    }
    .file_name();
    let record = test_record(0, TRAIL_SIZE - RECORD_OVERHEAD);
    assert_eq!(record.len(), TRAIL_SIZE);
    fs::write(dir.join(&name), record).unwrap();
    name
}

/// A crash-recovered trail last modified at `modified`.
fn recovered_trail(dir: &Path, start: u64, modified: u64) -> String {
    let name = TrailName {
        start,
        state: TrailState::CrashRecovered,
    }
    .file_name();
    fs::write(
        dir.join(&name),
        test_record(0, TRAIL_SIZE - RECORD_OVERHEAD),
    )
    .unwrap();
    File::options()
        .write(true)
        .open(dir.join(&name))
        .unwrap()
        .set_modified(UNIX_EPOCH + Duration::from_secs(modified))
        .unwrap();
    name
}

/// Opens a writer on a directory a writer of this test just left. The
/// directory's lock may outlive that writer for a moment: a process that
/// another test spawns shares every open file, the lock's too, between its
/// fork and its exec.
fn open_again(config: TrailConfig) -> TrailWriter {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match TrailWriter::open(config.clone()) {
            Err(TrailError::Busy { .. }) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(10));
            }
            outcome => return outcome.unwrap(),
        }
    }
}

/// Opens a writer on `dir` with `rule`, expires, and returns the file names
/// expired and the trails left (the open one included), both sorted.
fn expire(dir: &Path, rule: &str) -> (Vec<String>, Vec<String>) {
    let mut writer = open_again(TrailConfig {
        expire_after: Some(rule.parse().unwrap()),
        ..TrailConfig::new(dir)
    });
    let open = writer.current_path().to_path_buf();
    let expiry = writer.expire().unwrap();
    assert!(expiry.failed.is_empty(), "{:?}", expiry.failed);
    let expired: Vec<String> = expiry
        .removed
        .iter()
        .map(|path| path.file_name().unwrap().to_str().unwrap().to_owned())
        .collect();
    assert!(open.exists(), "the open trail was removed");
    let left = entries(dir)
        .into_iter()
        .filter(|name| name != "current")
        .collect();
    drop(writer);
    (expired, left)
}

#[test]
fn by_age_oldest_first() {
    let scratch = ScratchDir::new("expire-age");
    let dir = &scratch.path;
    let old = closed_trail(dir, 978_307_200); // 2001-01-01
    let crashed = recovered_trail(dir, 978_393_600, 978_400_000);
    let recent = closed_trail(dir, now() - 2 * DAY);

    let (expired, left) = expire(dir, "10d");
    assert_eq!(expired, [old, crashed]);
    assert_eq!(left.len(), 2);
    assert_eq!(left[0], recent);
    assert!(left[1].ends_with(".not_terminated"));
}

#[test]
fn by_total_size_counting_the_open_trail() {
    let scratch = ScratchDir::new("expire-size");
    let dir = &scratch.path;
    let start = now() - 3 * DAY;
    let trails: Vec<String> = (0..3)
        .map(|i| closed_trail(dir, start + i * 7200))
        .collect();

    // 3 × 600 bytes and the open trail's file token exceed 1 KiB until two
    // trails are gone.
    let (expired, left) = expire(dir, "1K");
    assert_eq!(expired, trails[..2]);
    assert_eq!(left[0], trails[2]);
}

#[test]
fn and_needs_both_or_needs_either() {
    let scratch = ScratchDir::new("expire-and");
    let dir = &scratch.path;
    let old: Vec<String> = (0..3)
        .map(|i| closed_trail(dir, 978_307_200 + i * 7200))
        .collect();
    let recent = closed_trail(dir, now() - DAY);

    // Old and over 1536 bytes in all (4 × 600 and the open trail's file
    // token): the two oldest go; the third is old too, but by then the
    // total is under the limit.
    let (expired, left) = expire(dir, "10d AND 1536B");
    assert_eq!(expired, old[..2]);
    assert_eq!(left[..2], [old[2].clone(), recent.clone()]);

    // Old or over 100 KiB: the last old one goes, the recent one stays.
    let (expired, left) = expire(dir, "10d or 100K");
    assert_eq!(expired, [old[2].clone()]);
    assert_eq!(left[0], recent);
}

#[test]
fn the_open_trail_is_never_expired() {
    let scratch = ScratchDir::new("expire-open");
    let dir = &scratch.path;
    closed_trail(dir, now() - DAY);
    let (expired, left) = expire(dir, "1B");
    assert_eq!(expired.len(), 1);
    assert_eq!(left.len(), 1);
    assert!(left[0].ends_with(".not_terminated"));
}

#[test]
fn without_a_rule_nothing_expires() {
    let scratch = ScratchDir::new("expire-none");
    let old = closed_trail(&scratch.path, 978_307_200);
    let mut writer = TrailWriter::open(TrailConfig::new(&scratch.path)).unwrap();
    assert!(writer.expire().unwrap().removed.is_empty());
    writer.close().unwrap();
    assert!(scratch.path.join(old).exists());
}

#[test]
fn rules_parse_as_audit_control_writes_them() {
    let rule: ExpireAfter = "60d OR 5G".parse().unwrap();
    assert_eq!(rule.age, Some(Duration::from_secs(60 * DAY)));
    assert_eq!(rule.total_size, Some(5 << 30));
    let rule: ExpireAfter = "  20M and 1y".parse().unwrap();
    assert_eq!(rule.total_size, Some(20 << 20));
    // A year is 365 days, with a leap day per four years.
    assert_eq!(rule.age, Some(Duration::from_secs(365 * DAY)));
    let rule: ExpireAfter = "4y".parse().unwrap();
    assert_eq!(rule.age, Some(Duration::from_secs(4 * 365 * DAY + DAY)));
    let rule: ExpireAfter = "100".parse().unwrap();
    assert_eq!((rule.age, rule.total_size), (None, Some(100)));

    for bad in [
        "",
        "d",
        "10m",
        "10d 1G",
        "10d OR",
        "10d OR 20d",
        "1G AND 2M",
        "10d OR 1G x",
        "99999999999999999999",
    ] {
        let err = bad.parse::<ExpireAfter>().unwrap_err();
        assert!(
            err.to_string().starts_with("invalid expire-after"),
            "{bad}: {err}"
        );
    }
}

#[test]
fn sizes_parse_as_audit_control_writes_them() {
    use bsm_writer::control::parse_size;
    assert_eq!(parse_size("2M"), Ok(2 << 20));
    assert_eq!(parse_size(" 512K "), Ok(512 << 10));
    assert_eq!(parse_size("100"), Ok(100));
    assert_eq!(parse_size("100B"), Ok(100));
    assert_eq!(parse_size("3G"), Ok(3 << 30));
    for bad in ["", "2m", "2d", "M", "2M extra", "18446744073709551615G"] {
        let err = parse_size(bad).unwrap_err();
        assert!(err.to_string().starts_with("invalid size"), "{bad}: {err}");
    }
}

/// Makes `path` immutable (chattr +i: not even root may remove it), or
/// says on stderr why it cannot and returns false.
fn make_immutable(path: &Path, label: &str) -> bool {
    match std::process::Command::new("chattr")
        .arg("+i")
        .arg(path)
        .output()
    {
        Ok(output) if output.status.success() => true,
        Ok(output) => {
            eprintln!(
                "SKIPPED {label}: chattr +i {} failed: {}",
                path.display(),
                String::from_utf8_lossy(&output.stderr).trim()
            );
            false
        }
        Err(err) => {
            eprintln!("SKIPPED {label}: chattr: {err}");
            false
        }
    }
}

#[test]
fn a_trail_that_cannot_be_removed_neither_stops_expiry_nor_takes_younger_ones_with_it() {
    let scratch = ScratchDir::new("expire-stuck");
    let dir = &scratch.path;
    let start = now() - 3 * DAY;
    let trails: Vec<String> = (0..3)
        .map(|i| closed_trail(dir, start + i * 7200))
        .collect();
    let stuck = dir.join(&trails[0]);
    if !make_immutable(&stuck, "expire-stuck") {
        return;
    }
    let mut writer = TrailWriter::open(TrailConfig {
        expire_after: Some("1K".parse().unwrap()),
        ..TrailConfig::new(dir)
    })
    .unwrap();
    let expiry = writer.expire().unwrap();
    let _ = std::process::Command::new("chattr")
        .arg("-i")
        .arg(&stuck)
        .status();
    // The oldest could not go; the size rule counts it as gone, so the
    // second goes (3 × 600 bytes and the open trail's file token, less the
    // stuck 600, is over 1 KiB) and the youngest stays.
    assert_eq!(expiry.removed, [dir.join(&trails[1])]);
    assert_eq!(expiry.failed.len(), 1);
    let failure = expiry.failed[0].to_string();
    assert!(failure.contains(&trails[0]), "{failure}");
    assert!(stuck.exists());
    assert!(dir.join(&trails[2]).exists());
    writer.close().unwrap();
}
