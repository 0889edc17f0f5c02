//! Trail files in real directories: naming, rotation, the file tokens that
//! link neighbouring trails, the `current` link, the directory lock, and
//! what the writer refuses.

mod common;

use bsm_writer::trail::{TrailName, TrailState, current_link, recover};
use bsm_writer::{FsyncPolicy, TrailConfig, TrailError, TrailWriter};
use common::{ScratchDir, entries, read_trail, test_record};
use std::fs;
use std::num::NonZeroU64;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

fn config(dir: &Path, file_size_limit: Option<u64>) -> TrailConfig {
    TrailConfig {
        file_size_limit,
        ..TrailConfig::new(dir)
    }
}

/// The trails of `dir` by name, oldest first.
fn trails(dir: &Path) -> Vec<(TrailName, PathBuf)> {
    let mut trails: Vec<_> = entries(dir)
        .into_iter()
        .map(|name| {
            let parsed = TrailName::parse(&name).unwrap_or_else(|| panic!("stray file {name}"));
            (parsed, dir.join(name))
        })
        .collect();
    trails.sort_by_key(|(name, _)| name.start);
    trails
}

fn sleep_to_next_second() {
    let into = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_millis();
    std::thread::sleep(std::time::Duration::from_millis(u64::from(1000 - into) + 5));
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[test]
fn rotation_at_the_size_limit_and_naming() {
    let scratch = ScratchDir::new("rotation");
    let limit = 2048;
    let mut writer = TrailWriter::open(config(&scratch.path, Some(limit))).unwrap();
    let mut rotated = Vec::new();
    // Bursts of 10 records (about 900 bytes), one a second: rotations by
    // size never come within the second a trail opened.
    for sequence in 0..50 {
        if sequence % 10 == 0 {
            sleep_to_next_second();
        }
        let outcome = writer.write_record(&test_record(sequence, 50)).unwrap();
        assert_eq!(outcome.dropped, None);
        rotated.extend(outcome.rotated);
    }
    let stats = writer.stats();
    let last = writer.close().unwrap();
    assert_eq!(stats.records_written, 50);
    assert_eq!(stats.rotations as usize, rotated.len());

    let trails = trails(&scratch.path);
    assert!(trails.len() >= 2, "{} trails", trails.len());
    let paths: Vec<&PathBuf> = trails.iter().map(|(_, path)| path).collect();
    rotated.push(last);
    assert_eq!(paths, rotated.iter().collect::<Vec<_>>());

    let mut sequences = Vec::new();
    for (index, (name, path)) in trails.iter().enumerate() {
        // START.END, END being the next trail's START.
        let TrailState::Closed { end } = name.state else {
            panic!("{} is not closed", path.display());
        };
        match trails.get(index + 1) {
            Some((next, _)) => assert_eq!(end, next.start),
            None => assert!(end >= name.start),
        }
        assert!(
            fs::metadata(path).unwrap().len() <= limit,
            "{}",
            path.display()
        );
        let contents = read_trail(path);
        assert_eq!(contents.damage, None, "{}", path.display());
        sequences.extend(contents.sequences);
    }
    assert_eq!(sequences, (0..50).collect::<Vec<u32>>());
}

#[test]
fn rotations_faster_than_one_a_second_never_name_a_future_second() {
    let scratch = ScratchDir::new("fast-rotation");
    let limit = 2048;
    let opened = unix_now();
    let mut writer = TrailWriter::open(config(&scratch.path, Some(limit))).unwrap();
    // 2,000 records of about 90 bytes: 90 trails' worth, in about a second.
    for sequence in 0..2000 {
        writer.write_record(&test_record(sequence, 50)).unwrap();
    }
    writer.close().unwrap();
    let closed = unix_now();
    let trails = trails(&scratch.path);
    let mut starts: Vec<u64> = trails.iter().map(|(name, _)| name.start).collect();
    starts.dedup();
    assert_eq!(starts.len(), trails.len(), "two trails share a START");
    let mut sequences = Vec::new();
    for (name, path) in &trails {
        let TrailState::Closed { end } = name.state else {
            panic!("{} is not closed", path.display());
        };
        assert!(
            opened <= name.start && name.start <= end && end <= closed,
            "{}",
            path.display()
        );
        sequences.extend(read_trail(path).sequences);
    }
    assert_eq!(sequences, (0..2000).collect::<Vec<u32>>());
}

#[test]
fn a_trail_is_named_to_span_the_times_of_its_records() {
    let scratch = ScratchDir::new("record-times");
    let mut writer = TrailWriter::open(config(&scratch.path, None)).unwrap();
    let now = unix_now();
    // Records stamped an hour before and an hour after the writer's clock,
    // as a producer that lags or runs ahead may send.
    for (sequence, seconds) in [(0, now - 3600), (1, now + 3600)] {
        let record = bsm_writer::RecordBuilder::new(72)
            .at(bsm_writer::AuditTime::new(seconds, 0))
            .with(bsm_writer::token::sequence(sequence).unwrap())
            .with(bsm_writer::token::return32(0, 0).unwrap())
            .close()
            .unwrap();
        writer.write_record(&record).unwrap();
    }
    let closed = writer.close().unwrap();
    let name = TrailName::parse(closed.file_name().unwrap().to_str().unwrap()).unwrap();
    assert_eq!(name.start, now - 3600);
    assert_eq!(name.state, TrailState::Closed { end: now + 3600 });
}

#[test]
fn file_tokens_name_the_neighbouring_trails() {
    let scratch = ScratchDir::new("file-tokens");
    let mut writer = TrailWriter::open(config(&scratch.path, None)).unwrap();
    let dir = writer.dir().to_path_buf();
    let mut opened = vec![writer.current_path().to_path_buf()];
    let mut closed = Vec::new();
    for sequence in 0..3 {
        writer.write_record(&test_record(sequence, 10)).unwrap();
        if sequence < 2 {
            closed.push(writer.rotate().unwrap());
            opened.push(writer.current_path().to_path_buf());
        }
    }
    closed.push(writer.close().unwrap());

    let bytes = |path: &Path| path.as_os_str().as_bytes().to_vec();
    for index in 0..3 {
        let contents = read_trail(&closed[index]);
        assert_eq!(contents.kinds, "frf", "{}", closed[index].display());
        // The opening token names the previous trail by its final name, or
        // nothing; the closing one the next by its open name, or nothing.
        let previous = index
            .checked_sub(1)
            .map_or(Vec::new(), |i| bytes(&closed[i]));
        let next = opened.get(index + 1).map_or(Vec::new(), |path| bytes(path));
        assert_eq!(contents.file_names, [previous, next], "trail {index}");
        assert!(closed[index].starts_with(&dir));
    }
}

#[test]
fn current_link_follows_the_open_trail() {
    let scratch = ScratchDir::new("current");
    let mut writer = TrailWriter::open(config(&scratch.path, None)).unwrap();
    let link = current_link(&scratch.path);
    assert_eq!(fs::read_link(&link).unwrap(), writer.current_path());
    assert!(writer.current_path().is_absolute());

    let closed = writer.rotate().unwrap();
    assert!(closed.exists());
    assert_eq!(fs::read_link(&link).unwrap(), writer.current_path());
    writer.write_record(&test_record(1, 0)).unwrap();
    assert_eq!(read_trail(&link).sequences, [1]);

    writer.close().unwrap();
    assert!(
        fs::symlink_metadata(&link).is_err(),
        "current outlives the writer"
    );
}

#[test]
fn one_writer_per_directory() {
    let scratch = ScratchDir::new("lock");
    let writer = TrailWriter::open(config(&scratch.path, None)).unwrap();
    let err = TrailWriter::open(config(&scratch.path, None)).unwrap_err();
    assert!(matches!(err, TrailError::Busy { .. }), "{err}");
    assert!(
        err.to_string().contains(&*scratch.path.to_string_lossy()),
        "{err}"
    );
    let err = recover(&scratch.path).unwrap_err();
    assert!(matches!(err, TrailError::Busy { .. }), "{err}");
    let first = writer.close().unwrap();

    // Reopened in the same second, the next trail still gets a new name.
    let writer = TrailWriter::open(config(&scratch.path, None)).unwrap();
    let second = writer.close().unwrap();
    let start = |path: &Path| {
        TrailName::parse(path.file_name().unwrap().to_str().unwrap())
            .unwrap()
            .start
    };
    assert!(start(&second) > start(&first));
}

#[test]
fn refuses_what_is_not_one_record() {
    let scratch = ScratchDir::new("refuse");
    let mut writer = TrailWriter::open(config(&scratch.path, None)).unwrap();
    let record = test_record(7, 3);

    let err = writer.write_record(b"hello").unwrap_err();
    assert!(matches!(err, TrailError::NotARecord(_)), "{err}");
    let err = writer
        .write_record(&record[..record.len() - 1])
        .unwrap_err();
    assert!(matches!(err, TrailError::NotARecord(_)), "{err}");
    let mut longer = record.clone();
    longer.push(0);
    let err = writer.write_record(&longer).unwrap_err();
    assert!(
        matches!(err, TrailError::TrailingBytes { given, .. } if given == record.len() + 1),
        "{err}"
    );
    let mut bad_trailer = record.clone();
    *bad_trailer.last_mut().unwrap() ^= 1;
    assert!(writer.write_record(&bad_trailer).is_err());

    writer.write_record(&record).unwrap();
    assert_eq!(writer.stats().records_written, 1);
    let path = writer.close().unwrap();
    let contents = read_trail(&path);
    assert_eq!(
        (contents.kinds.as_str(), contents.sequences),
        ("frf", vec![7])
    );
}

#[test]
fn every_fsync_policy_keeps_the_same_trail() {
    let policies = [
        FsyncPolicy::Never,
        FsyncPolicy::AtRotation,
        FsyncPolicy::EveryRecord,
        FsyncPolicy::EveryBytes(NonZeroU64::new(300).unwrap()),
    ];
    for policy in policies {
        let scratch = ScratchDir::new("fsync");
        let mut writer = TrailWriter::open(TrailConfig {
            fsync: policy,
            ..config(&scratch.path, Some(600))
        })
        .unwrap();
        for sequence in 0..20 {
            writer.write_record(&test_record(sequence, 20)).unwrap();
        }
        writer.close().unwrap();
        let sequences: Vec<u32> = trails(&scratch.path)
            .iter()
            .flat_map(|(_, path)| read_trail(path).sequences)
            .collect();
        assert_eq!(sequences, (0..20).collect::<Vec<_>>(), "{policy:?}");
    }
}

#[test]
fn a_writer_dropped_unclosed_is_recovered_whole() {
    let scratch = ScratchDir::new("dropped");
    let mut writer = TrailWriter::open(config(&scratch.path, None)).unwrap();
    writer.write_record(&test_record(1, 5)).unwrap();
    let open = writer.current_path().to_path_buf();
    drop(writer);
    assert!(open.exists());

    let writer = TrailWriter::open(config(&scratch.path, None)).unwrap();
    let [recovered] = writer.recovered() else {
        panic!("recovered {:?}", writer.recovered());
    };
    assert_eq!((recovered.cut, recovered.damage.is_none()), (0, true));
    assert!(
        recovered
            .path
            .to_str()
            .unwrap()
            .ends_with(".crash_recovery")
    );
    assert_eq!(read_trail(&recovered.path).sequences, [1]);
    writer.close().unwrap();
}

#[test]
fn a_time_window_around_now_finds_every_record_of_fast_rotations() {
    use bsm_format::list_trail_dir;
    let scratch = ScratchDir::new("window");
    let mut writer = TrailWriter::open(config(&scratch.path, Some(4096))).unwrap();
    let now_ms = i64::try_from(unix_now()).unwrap() * 1000;
    for sequence in 0..20_000 {
        writer.write_record(&test_record(sequence, 0)).unwrap();
    }
    writer.close().unwrap();
    // auditreduce -a now-60s -b now+60s DIR: the trails its names let in.
    let (after, before) = (Some(now_ms - 60_000), Some(now_ms + 60_000));
    let mut sequences = Vec::new();
    for file in list_trail_dir(&scratch.path).unwrap() {
        if file.may_hold(after, before) {
            sequences.extend(read_trail(&file.path).sequences);
        }
    }
    assert_eq!(sequences.len(), 20_000);
    assert_eq!(sequences, (0..20_000).collect::<Vec<u32>>());
}

#[test]
fn trails_are_for_the_audit_group_or_for_the_owner_alone() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |path: &Path| fs::metadata(path).unwrap().permissions().mode() & 0o777;
    let scratch = ScratchDir::new("modes");
    for (group_readable, dir_mode, trail_mode) in [(true, 0o750, 0o640), (false, 0o700, 0o600)] {
        let dir = scratch.path.join(format!("audit-{group_readable}"));
        let mut writer = TrailWriter::open(TrailConfig {
            group_readable,
            ..TrailConfig::new(&dir)
        })
        .unwrap();
        writer.write_record(&test_record(1, 0)).unwrap();
        writer.close().unwrap();
        assert_eq!(mode(&dir), dir_mode);
        for (_, trail) in trails(&dir) {
            assert_eq!(mode(&trail), trail_mode, "{}", trail.display());
        }
    }
}

#[test]
fn a_batch_is_kept_as_its_records_one_by_one_would_be() {
    let scratch = ScratchDir::new("batch");
    // records of varied sizes, past the size limit
    let records: Vec<Vec<u8>> = (0..3_000)
        .map(|n| test_record(n, (n as usize * 37) % 300))
        .collect();
    let one_by_one = scratch.path.join("one-by-one");
    let batched = scratch.path.join("batched");
    let mut single_writer = TrailWriter::open(config(&one_by_one, Some(20_000))).unwrap();
    let mut batch_writer = TrailWriter::open(config(&batched, Some(20_000))).unwrap();
    // A trail rotates by size at most once a second (its START must be
    // free): both write within the next second, and rotate once each.
    sleep_to_next_second();
    for record in &records {
        single_writer.write_record(record).unwrap();
    }
    for batch in records.chunks(97) {
        batch_writer.write_records(&batch.concat()).unwrap();
    }
    let single = single_writer.stats();
    let stats = batch_writer.stats();
    single_writer.close().unwrap();
    batch_writer.close().unwrap();
    assert_eq!(stats.records_written, 3_000);
    assert_eq!(stats.records_written, single.records_written);
    assert_eq!(stats.bytes_written, single.bytes_written);
    assert_eq!((stats.rotations, single.rotations), (1, 1));
    // each trail holds the same records (their names follow the clock)
    let records_of = |dir: &Path| -> Vec<Vec<Vec<u8>>> {
        trails(dir)
            .into_iter()
            .map(|(_, path)| record_bytes(&path))
            .collect()
    };
    assert_eq!(records_of(&batched), records_of(&one_by_one));
    assert_eq!(records_of(&batched).concat(), records);
}

#[test]
fn a_batch_with_something_not_a_record_writes_the_records_before_it() {
    let scratch = ScratchDir::new("bad-batch");
    let mut writer = TrailWriter::open(config(&scratch.path, None)).unwrap();
    let good = [test_record(0, 0), test_record(1, 0)];
    let mut batch = good.concat();
    batch.extend_from_slice(b"not a record");
    assert!(matches!(
        writer.write_records(&batch),
        Err(TrailError::NotARecord(_))
    ));
    // the records before the bad bytes are written, whole
    assert_eq!(writer.stats().records_written, 2);
    let closed = writer.close().unwrap();
    assert_eq!(record_bytes(&closed), good);
}

/// The records of the trail at `path`, each as its bytes.
fn record_bytes(path: &Path) -> Vec<Vec<u8>> {
    let bytes = fs::read(path).unwrap();
    bsm_format::Splitter::new(&bytes)
        .filter_map(|item| match item.unwrap() {
            bsm_format::TrailItem::Record(record) => Some(record.bytes().to_vec()),
            bsm_format::TrailItem::File(_) => None,
        })
        .collect()
}
