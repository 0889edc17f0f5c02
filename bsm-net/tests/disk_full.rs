//! A collector whose disk fills (a small tmpfs, mounted here: the test
//! needs root, as CI has): no acknowledged record is lost, the sender
//! keeps its records and resumes, and once there is room again the
//! collector holds every record once, in order.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use bsm_format::{Splitter, TrailItem};
use bsm_net::follow::{FollowConfig, Position, follow_dir};
use bsm_writer::{TrailConfig, TrailWriter};
use tokio::sync::watch;

use common::*;

/// A tmpfs mounted over a directory, unmounted when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(dir: &Path, size: &str) -> Tmpfs {
        fs::create_dir_all(dir).unwrap();
        let status = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0700"),
                "tmpfs",
            ])
            .arg(dir)
            .status()
            .unwrap();
        assert!(status.success(), "mount -t tmpfs: {status}");
        Tmpfs(dir.to_owned())
    }

    /// More room, as an administrator would make.
    fn grow(&self, size: &str) {
        let status = Command::new("mount")
            .args(["-o", &format!("remount,size={size}")])
            .arg(&self.0)
            .status()
            .unwrap();
        assert!(status.success(), "remount: {status}");
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

fn record_count(bytes: &[u8]) -> usize {
    Splitter::new(bytes)
        .filter(|item| matches!(item, Ok(TrailItem::Record(_))))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_at_the_collector_loses_no_acknowledged_record_and_shipping_resumes() {
    if !rustix::process::geteuid().is_root() {
        // Loud, not silent: the CI runs as root and so runs this.
        eprintln!("SKIPPED: mounting a tmpfs needs root");
        return;
    }
    const RECORDS: u32 = 50_000;
    let scratch = Scratch::new("disk-full");
    let authority = Authority::new();
    let files = authority.issue("host-a", false, &authority, &scratch.0, "host-a");
    // over 2 MiB of records for 1 MiB of collector disk
    let records = trail(RECORDS);
    assert!(records.len() > 2 << 20);
    let audit = scratch.0.join("audit");
    let mut writer = TrailWriter::open(TrailConfig::new(&audit)).unwrap();
    for item in Splitter::new(records.as_slice()) {
        let TrailItem::Record(record) = item.unwrap() else {
            unreachable!()
        };
        writer.write_record(record.bytes()).unwrap();
    }
    writer.close().unwrap();

    let disk = Tmpfs::mount(&scratch.0.join("remote"), "1m");
    let running = start(&scratch.0, &authority).await;
    let host_dir = running.dir.join("host-a");
    let state = scratch.0.join("bsmship.state");
    let config = FollowConfig {
        sender: sender(running.addr, ALLOWED, "host-a", &files),
        dir: audit,
        state: state.clone(),
        poll: Duration::from_millis(20),
        follow: true,
        spool: None,
    };
    let (stop, stopped) = watch::channel(false);
    let following = tokio::spawn(async move { follow_dir(&config, stopped).await });

    // The disk fills: what is stored stops growing short of the whole.
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut last = (0, Instant::now());
    let stalled_at = loop {
        assert!(
            Instant::now() < deadline,
            "the collector's disk never filled"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
        if !host_dir.exists() {
            continue;
        }
        let stored = record_count(&stored_records(&host_dir));
        if stored != last.0 {
            last = (stored, Instant::now());
        } else if stored > 0 && last.1.elapsed() > Duration::from_secs(2) {
            break stored;
        }
    };
    assert!(
        stalled_at < RECORDS as usize,
        "all {stalled_at} records fitted"
    );
    // Whatever the sender holds as acknowledged is on the collector's disk,
    // byte for byte.
    let acknowledged = Position::load(&state).unwrap().next as usize;
    let stored = stored_records(&host_dir);
    assert!(
        record_count(&stored) >= acknowledged,
        "{acknowledged} acknowledged, {} stored",
        record_count(&stored)
    );
    assert!(
        records.starts_with(&stored),
        "what is stored is the records' start"
    );

    // Room again: shipping resumes where the collector's disk says.
    disk.grow("16m");
    let deadline = Instant::now() + Duration::from_secs(90);
    while record_count(&stored_records(&host_dir)) < RECORDS as usize {
        assert!(Instant::now() < deadline, "shipping never resumed");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    stop.send(true).unwrap();
    let position = following.await.unwrap().unwrap();
    assert_eq!(position.next, u64::from(RECORDS));
    running.stop().await;
    let stored = stored_records(&host_dir);
    assert_eq!(stored.len(), records.len(), "every record once");
    assert!(stored == records, "byte for byte, in order");
    drop(disk);
}
