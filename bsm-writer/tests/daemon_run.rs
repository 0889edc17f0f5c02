//! The daemon run in process (`bsm_writer::daemon::run`), its signals as
//! flags: the same loop the `lxbsmd` binary runs, without a process.

mod common;

use bsm_format::{Splitter, TrailItem};
use bsm_writer::daemon::run::{DaemonOptions, Signals, run};
use bsm_writer::records::event_number;
use common::{ScratchDir, read_trail, test_record};
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

const PATIENCE: Duration = Duration::from_secs(60);

/// Flags of its own for each test (the loop holds them for 'static).
fn signals() -> Signals {
    let flag = || &*Box::leak(Box::new(AtomicBool::new(false)));
    Signals {
        stop: flag(),
        rotate: flag(),
        reload: flag(),
    }
}

fn options(scratch: &ScratchDir, source: &Path) -> DaemonOptions {
    // An empty audit_user, so that the host's is not read.
    let audit_user = scratch.path.join("audit_user");
    fs::write(&audit_user, "").unwrap();
    DaemonOptions {
        source: source.to_path_buf(),
        dir: Some(scratch.path.join("trails")),
        allow_shared_dir: false,
        filesz: None,
        socket: None,
        socket_group: None,
        max_subscribers: 1,
        max_subscribers_per_user: 1,
        subscriber_queue: 16,
        config: None,
        audit_user: Some(audit_user),
        queue_limit: None,
        priority_boost: 0,
        halt_command: None,
        hold_back: None,
        traces: Vec::new(),
    }
}

/// The closed trails (START.END, END a time), oldest first.
fn closed_trails(dir: &Path) -> Vec<PathBuf> {
    let mut trails: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            let name = path.file_name().unwrap().to_str().unwrap();
            matches!(name.split_once('.'), Some((start, end))
                if start.len() == 14 && end.len() == 14 && end.bytes().all(|b| b.is_ascii_digit()))
        })
        .collect();
    trails.sort();
    trails
}

/// The event numbers of a trail's records, in order.
fn events(path: &Path) -> Vec<u16> {
    let bytes = fs::read(path).unwrap();
    Splitter::new(&bytes)
        .filter_map(|item| match item.unwrap() {
            TrailItem::Record(record) => Some(record.event()),
            TrailItem::File(_) => None,
        })
        .collect()
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + PATIENCE;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_file_source_is_kept_whole_between_the_daemons_startup_and_shutdown_records() {
    const RECORDS: u32 = 1000;
    let scratch = ScratchDir::new("run-file");
    let source = scratch.path.join("source.bsm");
    let bytes: Vec<u8> = (0..RECORDS).flat_map(|n| test_record(n, 0)).collect();
    fs::write(&source, bytes).unwrap();

    let outcome = run(&options(&scratch, &source), &signals());

    assert_eq!(outcome, Ok(()), "the end of a file ends the daemon");
    let trails = closed_trails(&scratch.path.join("trails"));
    assert_eq!(trails.len(), 1, "one trail, closed: {trails:?}");
    let contents = read_trail(&trails[0]);
    assert_eq!(contents.sequences, (0..RECORDS).collect::<Vec<_>>());
    assert!(contents.damage.is_none());
    let events = events(&trails[0]);
    assert_eq!(events.len(), RECORDS as usize + 2);
    assert_eq!(events[0], event_number("AUE_audit_startup").unwrap());
    assert_eq!(
        *events.last().unwrap(),
        event_number("AUE_audit_shutdown").unwrap()
    );
}

#[test]
fn rotate_and_stop_requests_reach_the_loop_and_nothing_read_is_lost() {
    let scratch = ScratchDir::new("run-fifo");
    let fifo = scratch.path.join("source");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let dir = scratch.path.join("trails");
    let signals = signals();
    let options = options(&scratch, &fifo);
    let daemon = thread::spawn(move || run(&options, &signals));
    // lxbsmd holds the FIFO open for reading and writing: this open does not
    // wait once it runs, and waits for it before.
    let mut writer = OpenOptions::new().write(true).open(&fifo).unwrap();
    let sent_in_current = |dir: &Path| read_trail(&dir.join("current")).sequences.len();
    for n in 0..10 {
        writer.write_all(&test_record(n, 0)).unwrap();
    }
    wait_until("the first ten records in the trail", || {
        dir.join("current").exists() && sent_in_current(&dir) == 10
    });
    signals.rotate.store(true, Ordering::Relaxed);
    wait_until("a rotation", || closed_trails(&dir).len() == 1);
    for n in 10..20 {
        writer.write_all(&test_record(n, 0)).unwrap();
    }
    signals.stop.store(true, Ordering::Relaxed);
    let outcome = daemon.join().unwrap();

    assert_eq!(outcome, Ok(()));
    let trails = closed_trails(&dir);
    assert_eq!(trails.len(), 2, "{trails:?}");
    let sequences: Vec<u32> = trails
        .iter()
        .flat_map(|trail| read_trail(trail).sequences)
        .collect();
    assert_eq!(sequences, (0..20).collect::<Vec<_>>());
}

#[test]
fn held_back_records_stay_in_the_source_until_released_and_none_is_lost() {
    let scratch = ScratchDir::new("run-hold");
    let fifo = scratch.path.join("source");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let dir = scratch.path.join("trails");
    let signals = signals();
    let hold_back = Arc::new(AtomicBool::new(false));
    let mut options = options(&scratch, &fifo);
    options.hold_back = Some(Arc::clone(&hold_back));
    let daemon = thread::spawn(move || run(&options, &signals));
    let mut writer = OpenOptions::new().write(true).open(&fifo).unwrap();
    let sent_in_current = |dir: &Path| read_trail(&dir.join("current")).sequences.len();
    for n in 0..5 {
        writer.write_all(&test_record(n, 0)).unwrap();
    }
    wait_until("the first five records in the trail", || {
        dir.join("current").exists() && sent_in_current(&dir) == 5
    });
    hold_back.store(true, Ordering::Relaxed);
    // The loop looks at the flag before each batch: give it a turn.
    thread::sleep(Duration::from_millis(300));
    for n in 5..10 {
        writer.write_all(&test_record(n, 0)).unwrap();
    }
    thread::sleep(Duration::from_millis(800));
    assert_eq!(sent_in_current(&dir), 5, "nothing is taken while held back");
    hold_back.store(false, Ordering::Relaxed);
    wait_until("the held-back records in the trail", || {
        sent_in_current(&dir) == 10
    });
    signals.stop.store(true, Ordering::Relaxed);
    assert_eq!(daemon.join().unwrap(), Ok(()));
    let sequences: Vec<u32> = closed_trails(&dir)
        .iter()
        .flat_map(|trail| read_trail(trail).sequences)
        .collect();
    assert_eq!(sequences, (0..10).collect::<Vec<_>>());
}

#[test]
fn a_trace_without_the_lxbsm_device_is_refused_before_starting() {
    let scratch = ScratchDir::new("daemon-trace-no-device");
    let source = scratch.path.join("records.bsm");
    fs::write(&source, b"").unwrap();
    let mut options = options(&scratch, &source);
    options.traces = vec![bsm_writer::daemon::device::Trace {
        pid: std::process::id(),
        children: false,
        classes: 0,
    }];
    let err = run(&options, &signals()).unwrap_err();
    assert!(err.contains("--trace-pid needs the lxbsm device"), "{err}");
    assert!(!scratch.path.join("trails").exists(), "started anyway");
}
