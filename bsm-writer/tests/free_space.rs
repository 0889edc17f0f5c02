//! Free space on a small file system of the test's own (a size-limited
//! tmpfs): the minfree rule stops or drops records and says which, a full
//! file system cuts a partial record off, and nothing is lost silently.
//!
//! Mounting needs root. Where it is refused, each test says so on stderr
//! and skips (CI runs as root).

mod common;

use bsm_writer::trail::recover;
use bsm_writer::{DropReason, LowSpacePolicy, TrailConfig, TrailError, TrailWriter};
use common::{ScratchDir, read_trail, test_record};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A tmpfs mounted on a scratch directory, unmounted on drop.
struct Tmpfs {
    scratch: ScratchDir,
}

impl Tmpfs {
    /// Mounts a tmpfs of `size` (as mount's `size=` takes it), or says on
    /// stderr why it cannot and returns `None`.
    fn mount(label: &str, size: &str) -> Option<Tmpfs> {
        let scratch = ScratchDir::new(label);
        let output = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0750"),
                "tmpfs",
            ])
            .arg(&scratch.path)
            .output();
        match output {
            Ok(output) if output.status.success() => Some(Tmpfs { scratch }),
            Ok(output) => {
                eprintln!(
                    "SKIPPED {label}: `mount -t tmpfs` on {} failed ({}): {}",
                    scratch.path.display(),
                    output.status,
                    String::from_utf8_lossy(&output.stderr).trim()
                );
                None
            }
            Err(err) => {
                eprintln!("SKIPPED {label}: cannot run mount: {err}");
                None
            }
        }
    }

    fn path(&self) -> &Path {
        &self.scratch.path
    }

    /// Available and total bytes, from `stat -f`.
    fn space(&self) -> (u64, u64) {
        let output = Command::new("stat")
            .args(["-f", "-c", "%a %b %S"])
            .arg(self.path())
            .output()
            .unwrap();
        let text = String::from_utf8(output.stdout).unwrap();
        let numbers: Vec<u64> = text
            .split_whitespace()
            .map(|n| n.parse().unwrap())
            .collect();
        let [available, total, block] = numbers[..] else {
            panic!("stat -f printed {text:?}");
        };
        (available * block, total * block)
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let status = Command::new("umount").arg(&self.scratch.path).status();
        if !status.is_ok_and(|s| s.success()) {
            eprintln!("cannot unmount {}", self.scratch.path.display());
        }
    }
}

fn writer(dir: &Path, min_free_percent: u8, low_space: LowSpacePolicy) -> TrailWriter {
    when_not_busy(|| {
        TrailWriter::open(TrailConfig {
            min_free_percent,
            low_space,
            ..TrailConfig::new(dir)
        })
    })
}

/// `attempt`, again while the directory's lock is held elsewhere. The tests
/// here run `mount` and `umount` from parallel threads, and a child between
/// fork and exec holds copies of every descriptor, a directory's flock
/// included, for a moment.
fn when_not_busy<T>(attempt: impl Fn() -> Result<T, TrailError>) -> T {
    for _ in 0..200 {
        match attempt() {
            Err(TrailError::Busy { .. }) => {
                std::thread::sleep(std::time::Duration::from_millis(10))
            }
            other => return other.unwrap(),
        }
    }
    panic!("the trail directory stayed locked for 2 s");
}

/// The sequence numbers in all trails of `dir`, in trail order.
fn sequences(dir: &Path) -> Vec<u32> {
    let mut paths: Vec<PathBuf> = common::entries(dir)
        .into_iter()
        .filter(|name| name != "current")
        .map(|name| dir.join(name))
        .collect();
    paths.sort();
    paths
        .iter()
        .flat_map(|path| {
            let contents = read_trail(path);
            assert_eq!(contents.damage, None, "{}", path.display());
            contents.sequences
        })
        .collect()
}

#[test]
fn minfree_stops_then_drops_and_counts() {
    let Some(fs) = Tmpfs::mount("minfree", "1m") else {
        return;
    };
    let (_, total) = fs.space();
    let reserve = total / 2;

    // Stop: records go in until free space would fall below 50 %.
    let mut stopping = writer(fs.path(), 50, LowSpacePolicy::Stop);
    let mut written = 0;
    let error = loop {
        match stopping.write_record(&test_record(written, 1000)) {
            Ok(outcome) => {
                assert_eq!(outcome.dropped, None);
                written += 1;
            }
            Err(err) => break err,
        }
    };
    let TrailError::LowSpace {
        ref dir,
        min_free_percent: 50,
        free_percent,
    } = error
    else {
        panic!("expected low space, got {error}");
    };
    assert_eq!(dir, stopping.dir());
    assert!((45.0..55.0).contains(&free_percent), "{free_percent}");
    assert!(error.to_string().contains("below minfree 50%"), "{error}");
    // It stopped at minfree, give or take a record and a page, far from full.
    let (available, _) = fs.space();
    let slack = 8 * 1024;
    assert!(
        available + slack >= reserve && available <= reserve + slack,
        "{available} bytes free, reserve {reserve}"
    );
    assert_eq!(stopping.stats().records_written, u64::from(written));
    let trail = stopping.close().unwrap();
    assert!(written > 300, "only {written} records");

    // Drop: the records are counted as dropped, none written.
    let mut dropping = writer(fs.path(), 50, LowSpacePolicy::Drop);
    for sequence in 0..50 {
        let outcome = dropping.write_record(&test_record(sequence, 1000)).unwrap();
        assert!(
            matches!(outcome.dropped, Some(DropReason::LowSpace { .. })),
            "{outcome:?}"
        );
    }
    // Space freed: writing goes on, and the counts add up.
    std::fs::remove_file(&trail).unwrap();
    for sequence in 50..60 {
        let outcome = dropping.write_record(&test_record(sequence, 1000)).unwrap();
        assert_eq!(outcome.dropped, None);
    }
    let stats = dropping.stats();
    assert_eq!((stats.records_dropped, stats.records_written), (50, 10));
    dropping.close().unwrap();
    assert_eq!(sequences(fs.path()), (50..60).collect::<Vec<_>>());
}

#[test]
fn a_full_file_system_stops_with_whole_records() {
    let Some(fs) = Tmpfs::mount("enospc-stop", "256k") else {
        return;
    };
    let mut writer = writer(fs.path(), 0, LowSpacePolicy::Stop);
    let mut written = 0;
    let error = loop {
        match writer.write_record(&test_record(written, 3000)) {
            Ok(_) => written += 1,
            Err(err) => break err,
        }
    };
    let TrailError::NoSpace { ref path, offset } = error else {
        panic!("expected no space, got {error}");
    };
    assert_eq!(path, writer.current_path());
    // The partial record was cut off: the file ends at its last whole record.
    assert_eq!(std::fs::metadata(path).unwrap().len(), offset);
    assert!(written > 50, "only {written} records");
    let contents = read_trail(path);
    assert_eq!(contents.damage, None);
    assert_eq!(contents.sequences, (0..written).collect::<Vec<_>>());

    // Left open on a full disk, the trail is recovered whole.
    drop(writer);
    let recovered = when_not_busy(|| recover(fs.path()));
    assert_eq!(recovered.len(), 1);
    assert_eq!((recovered[0].cut, recovered[0].kept), (0, offset));
}

#[test]
fn a_full_file_system_drops_and_counts() {
    let Some(fs) = Tmpfs::mount("enospc-drop", "256k") else {
        return;
    };
    let mut writer = writer(fs.path(), 0, LowSpacePolicy::Drop);
    let attempts = 200;
    let mut written = Vec::new();
    for sequence in 0..attempts {
        let outcome = writer.write_record(&test_record(sequence, 3000)).unwrap();
        match outcome.dropped {
            None => written.push(sequence),
            Some(reason) => assert_eq!(reason, DropReason::NoSpace),
        }
    }
    let stats = writer.stats();
    assert!(
        stats.records_dropped > 0 && stats.records_written > 50,
        "{stats:?}"
    );
    assert_eq!(
        stats.records_dropped + stats.records_written,
        u64::from(attempts)
    );
    let contents = read_trail(writer.current_path());
    assert_eq!(contents.damage, None);
    assert_eq!(contents.sequences, written);
}

#[test]
fn a_rotation_that_finds_the_file_system_full_drops_and_counts() {
    let Some(fs) = Tmpfs::mount("enospc-rotate", "256k") else {
        return;
    };
    let mut writer = TrailWriter::open(TrailConfig {
        file_size_limit: Some(16 * 1024),
        low_space: LowSpacePolicy::Drop,
        ..TrailConfig::new(fs.path())
    })
    .unwrap();
    let attempts = 200;
    let mut written = Vec::new();
    for sequence in 0..attempts {
        // Every fifth record or so needs a new trail, which finds no room
        // once the file system is full.
        let outcome = writer.write_record(&test_record(sequence, 3000)).unwrap();
        match outcome.dropped {
            None => written.push(sequence),
            Some(reason) => assert_eq!(reason, DropReason::NoSpace),
        }
    }
    let stats = writer.stats();
    assert!(
        stats.records_dropped > 0 && stats.records_written > 50,
        "{stats:?}"
    );
    assert_eq!(
        stats.records_dropped + stats.records_written,
        u64::from(attempts)
    );
    writer.close().unwrap();
    assert_eq!(sequences(fs.path()), written);
}
