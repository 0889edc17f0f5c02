//! lxbsmd end to end: a real daemon process, a real FIFO, a real Unix
//! socket. Expected values come from what the tests send.

mod common;

use bsm_format::{Splitter, Token, TrailItem};
use bsm_writer::daemon::fanout::parse_drop_notice_text;
use bsm_writer::records::event_number;
use common::{ScratchDir, test_record};
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// Long enough for a loaded debug build; a passing test waits far less.
const PATIENCE: Duration = Duration::from_secs(120);

/// What a stream of records holds, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Item {
    /// A test record, by its sequence number.
    Sent(u32),
    /// lxbsmd's own record (startup, shutdown, recovery), by event.
    Daemon(u16),
    /// A drop notice and its count.
    Dropped(u64),
    /// A file token.
    File,
    /// A record of the warm-up before the test proper.
    WarmUp,
}

const WARM_UP: &str = "warm-up";

/// A record without a sequence number, sent until the subscribers are
/// known to be registered.
fn warm_up_record() -> Vec<u8> {
    bsm_writer::RecordBuilder::new(72)
        .with(bsm_writer::token::text(WARM_UP).unwrap())
        .with(bsm_writer::token::return32(0, 0).unwrap())
        .close()
        .unwrap()
}

fn items(bytes: &[u8], what: &str) -> Vec<Item> {
    let notice_event = event_number("AUE_audit_recovery").unwrap();
    let mut items = Vec::new();
    for item in Splitter::new(bytes) {
        match item.unwrap_or_else(|err| panic!("{what}: {err}")) {
            TrailItem::File(_) => items.push(Item::File),
            TrailItem::Record(record) => {
                let mut sequence = None;
                let mut text = None;
                for token in record.body() {
                    match token.unwrap() {
                        Token::Sequence(s) => sequence = Some(s.sequence),
                        Token::Text(t) => text = Some(t.text.bytes().to_vec()),
                        _ => {}
                    }
                }
                let notice = text.as_deref().and_then(parse_drop_notice_text);
                items.push(match (sequence, notice) {
                    (Some(sequence), _) => Item::Sent(sequence),
                    (None, _) if text.as_deref() == Some(WARM_UP.as_bytes()) => Item::WarmUp,
                    (None, Some(count)) if record.event() == notice_event => Item::Dropped(count),
                    (None, _) => Item::Daemon(record.event()),
                });
            }
        }
    }
    items
}

fn sent(items: &[Item]) -> Vec<u32> {
    items
        .iter()
        .filter_map(|item| match item {
            Item::Sent(sequence) => Some(*sequence),
            _ => None,
        })
        .collect()
}

fn daemon_events(items: &[Item]) -> Vec<u16> {
    items
        .iter()
        .filter_map(|item| match item {
            Item::Daemon(event) => Some(*event),
            _ => None,
        })
        .collect()
}

struct Daemon {
    child: Child,
    stderr: PathBuf,
}

impl Daemon {
    fn start(scratch: &Path, args: &[&str]) -> Daemon {
        let stderr = scratch.join("lxbsmd.stderr");
        let child = Command::new(env!("CARGO_BIN_EXE_lxbsmd"))
            .args(args)
            .stdin(Stdio::null())
            .stderr(File::create(&stderr).unwrap())
            .spawn()
            .unwrap();
        Daemon { child, stderr }
    }

    fn signal(&self, signal: libc::c_int) {
        let pid = libc::pid_t::try_from(self.child.id()).unwrap();
        // SAFETY: kill has no memory effects; the pid is our own child's,
        // not yet waited for.
        assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
    }

    fn wait(mut self) -> (ExitStatus, String) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return (status, fs::read_to_string(&self.stderr).unwrap());
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!(
                    "lxbsmd did not exit: {}",
                    fs::read_to_string(&self.stderr).unwrap()
                );
            }
            thread::sleep(Duration::from_millis(20));
        }
    }

    fn stop(self) -> String {
        self.signal(libc::SIGTERM);
        let (status, stderr) = self.wait();
        assert!(status.success(), "{status}: {stderr}");
        stderr
    }
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success());
}

/// Opens the FIFO for writing. lxbsmd holds it open for reading and
/// writing, so this does not wait; before lxbsmd runs it waits for it.
fn fifo_writer(path: &Path) -> File {
    OpenOptions::new().write(true).open(path).unwrap()
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + PATIENCE;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        thread::sleep(Duration::from_millis(20));
    }
}

/// The test records of the open trail, read through `current`.
fn sent_in_current(dir: &Path) -> usize {
    fs::read(dir.join("current"))
        .map(|bytes| sent(&items(&bytes, "current")).len())
        .unwrap_or(0)
}

/// The closed trails of `dir` (`START.END`), oldest first.
fn closed_trails(dir: &Path) -> Vec<PathBuf> {
    let mut trails: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| is_closed_name(path.file_name().unwrap().to_str().unwrap()))
        .collect();
    trails.sort();
    trails
}

fn is_closed_name(name: &str) -> bool {
    let parts: Vec<&str> = name.split('.').collect();
    parts.len() == 2
        && parts
            .iter()
            .all(|part| part.len() == 14 && part.bytes().all(|b| b.is_ascii_digit()))
}

fn write_records(out: &mut impl Write, sequences: std::ops::Range<u32>) {
    for sequence in sequences {
        out.write_all(&test_record(sequence, 0)).unwrap();
    }
}

#[test]
fn fifo_records_reach_the_trail_and_sigterm_renames_it() {
    let scratch = ScratchDir::new("lxbsmd-fifo");
    let fifo = scratch.path.join("source");
    let dir = scratch.path.join("trails");
    let overridden = scratch.path.join("not-this-dir");
    let config = scratch.path.join("audit_control");
    fs::write(
        &config,
        format!(
            "# overridden by --dir\ndir:{}\nflags:lo,+ad\npolicy:cnt\n",
            overridden.display()
        ),
    )
    .unwrap();
    mkfifo(&fifo);
    let daemon = Daemon::start(
        &scratch.path,
        &[
            "--source",
            fifo.to_str().unwrap(),
            "--dir",
            dir.to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
        ],
    );
    const SENT: u32 = 1000;
    let mut writer = fifo_writer(&fifo);
    write_records(&mut writer, 0..SENT / 2);
    // A writer that comes and goes does not end a FIFO source.
    drop(writer);
    write_records(&mut fifo_writer(&fifo), SENT / 2..SENT);
    // SIGTERM right away: lxbsmd takes what the FIFO holds first.
    let stderr = daemon.stop();

    assert!(!overridden.exists(), "--dir must override the config's dir");
    let trails = closed_trails(&dir);
    assert_eq!(trails.len(), 1, "{:?}", common::entries(&dir));
    assert_eq!(
        common::entries(&dir).len(),
        1,
        "no current link or open trail left"
    );
    let items = items(&fs::read(&trails[0]).unwrap(), "trail");
    assert_eq!(sent(&items), (0..SENT).collect::<Vec<_>>(), "{stderr}");
    assert_eq!(
        daemon_events(&items),
        [
            event_number("AUE_audit_startup").unwrap(),
            event_number("AUE_audit_shutdown").unwrap()
        ]
    );
    // Opening and closing file tokens, and nothing else besides records.
    assert_eq!(items.len(), SENT as usize + 2 + 2);
    assert_eq!((items[0], items[items.len() - 1]), (Item::File, Item::File));
}

#[test]
fn sighup_rotates() {
    let scratch = ScratchDir::new("lxbsmd-hup");
    let fifo = scratch.path.join("source");
    let dir = scratch.path.join("trails");
    mkfifo(&fifo);
    let daemon = Daemon::start(
        &scratch.path,
        &[
            "--source",
            fifo.to_str().unwrap(),
            "--dir",
            dir.to_str().unwrap(),
        ],
    );
    let mut writer = fifo_writer(&fifo);
    write_records(&mut writer, 0..10);
    wait_until("10 records in the first trail", || {
        sent_in_current(&dir) == 10
    });
    daemon.signal(libc::SIGHUP);
    wait_until("the rotation", || closed_trails(&dir).len() == 1);
    write_records(&mut writer, 10..25);
    let stderr = daemon.stop();

    let trails = closed_trails(&dir);
    assert_eq!(trails.len(), 2, "{stderr}");
    let first = items(&fs::read(&trails[0]).unwrap(), "first trail");
    let second = items(&fs::read(&trails[1]).unwrap(), "second trail");
    assert_eq!(sent(&first), (0..10).collect::<Vec<_>>());
    assert_eq!(sent(&second), (10..25).collect::<Vec<_>>());
    assert_eq!(
        daemon_events(&first),
        [event_number("AUE_audit_startup").unwrap()]
    );
    assert_eq!(
        daemon_events(&second),
        [event_number("AUE_audit_shutdown").unwrap()]
    );
    // The second trail starts where the first ends.
    let name = |path: &Path| path.file_name().unwrap().to_str().unwrap().to_owned();
    let (first_name, second_name) = (name(&trails[0]), name(&trails[1]));
    assert_eq!(first_name.split('.').nth(1), second_name.split('.').next());
}

#[test]
fn damage_in_the_source_is_reported_and_skipped() {
    let scratch = ScratchDir::new("lxbsmd-damage");
    let fifo = scratch.path.join("source");
    let dir = scratch.path.join("trails");
    mkfifo(&fifo);
    let daemon = Daemon::start(
        &scratch.path,
        &[
            "--source",
            fifo.to_str().unwrap(),
            "--dir",
            dir.to_str().unwrap(),
        ],
    );
    let record_len = test_record(0, 0).len();
    let mut writer = fifo_writer(&fifo);
    write_records(&mut writer, 0..5);
    writer.write_all(&[0xff; 13]).unwrap();
    write_records(&mut writer, 5..10);
    // Half a record, then whole ones.
    writer
        .write_all(&test_record(99, 0)[..record_len / 2])
        .unwrap();
    write_records(&mut writer, 10..15);
    let stderr = daemon.stop();

    let trails = closed_trails(&dir);
    let items = items(&fs::read(&trails[0]).unwrap(), "trail");
    assert_eq!(sent(&items), (0..15).collect::<Vec<_>>(), "{stderr}");
    let first_damage = 5 * record_len;
    let second_damage = 10 * record_len + 13;
    for offset in [first_damage, second_damage] {
        assert!(
            stderr.contains(&format!("damaged region at byte offset {offset},")),
            "offset {offset}: {stderr}"
        );
    }
}

#[test]
fn bad_config_line_names_file_and_line() {
    let scratch = ScratchDir::new("lxbsmd-config");
    let config = scratch.path.join("audit_control");
    fs::write(&config, "# comment\ndir:/tmp\nfilesz:12Q\n").unwrap();
    let daemon = Daemon::start(
        &scratch.path,
        &["--source", "-", "--config", config.to_str().unwrap()],
    );
    let (status, stderr) = daemon.wait();
    assert!(!status.success());
    assert!(
        stderr.contains(&format!("{}:3:", config.display())),
        "{stderr}"
    );
}

/// Reads a subscriber's socket to the end; `slow` makes it sleep between
/// small reads while set. Returns everything received.
fn subscribe(
    socket: &Path,
    slow: Option<Arc<AtomicBool>>,
    received: Arc<Mutex<(usize, Instant)>>,
) -> JoinHandle<Vec<u8>> {
    let mut stream = UnixStream::connect(socket).unwrap();
    thread::spawn(move || {
        let mut all = Vec::new();
        let mut buffer = vec![0; 64 * 1024];
        loop {
            let slow_now = slow
                .as_ref()
                .is_some_and(|slow| slow.load(Ordering::Relaxed));
            let want = if slow_now { 1024 } else { buffer.len() };
            let got = stream.read(&mut buffer[..want]).unwrap();
            if got == 0 {
                return all;
            }
            all.extend_from_slice(&buffer[..got]);
            *received.lock().unwrap() = (all.len(), Instant::now());
            if slow_now {
                thread::sleep(Duration::from_millis(20));
            }
        }
    })
}

#[test]
fn slow_subscriber_gets_exact_drop_notices_and_the_trail_gets_everything() {
    const SENT: u32 = 1_000_000;
    let scratch = ScratchDir::new("lxbsmd-fanout");
    let fifo = scratch.path.join("source");
    let dir = scratch.path.join("trails");
    let socket = scratch.path.join("live");
    mkfifo(&fifo);
    let daemon = Daemon::start(
        &scratch.path,
        &[
            "--source",
            fifo.to_str().unwrap(),
            "--dir",
            dir.to_str().unwrap(),
            "--socket",
            socket.to_str().unwrap(),
            "--filesz",
            "2M",
            "--subscriber-queue",
            "65536",
        ],
    );
    wait_until("the socket", || UnixStream::connect(&socket).is_ok());
    let record_len = test_record(0, 0).len();
    let fast_received = Arc::new(Mutex::new((0, Instant::now())));
    let slow_received = Arc::new(Mutex::new((0, Instant::now())));
    let slow = Arc::new(AtomicBool::new(true));
    let fast = subscribe(&socket, None, Arc::clone(&fast_received));
    let slow_subscriber = subscribe(&socket, Some(Arc::clone(&slow)), Arc::clone(&slow_received));
    // A connection is made before lxbsmd accepts it, and a subscriber gets
    // the records published after that: warm up until both get records.
    let mut writer = fifo_writer(&fifo);
    let warm_up = warm_up_record();
    wait_until("both subscribers to get warm-up records", || {
        writer.write_all(&warm_up).unwrap();
        thread::sleep(Duration::from_millis(50));
        fast_received.lock().unwrap().0 > 0 && slow_received.lock().unwrap().0 > 0
    });
    // Both get every warm-up record sent after they were registered.
    thread::sleep(Duration::from_millis(200));
    let warm_up_bytes = fast_received.lock().unwrap().0;
    wait_until("the warm-up records at the slow subscriber", || {
        slow_received.lock().unwrap().0 == warm_up_bytes
    });
    write_records(&mut writer, 0..SENT);
    wait_until("every record at the fast subscriber", || {
        fast_received.lock().unwrap().0 >= warm_up_bytes + SENT as usize * record_len
    });
    // Let the slow one catch up, then send one more record: it carries the
    // notice for whatever the slow one lost at the end.
    slow.store(false, Ordering::Relaxed);
    wait_until("the slow subscriber to drain its queue", || {
        slow_received.lock().unwrap().1.elapsed() > Duration::from_millis(500)
    });
    write_records(&mut writer, SENT..SENT + 1);
    wait_until("the last record at the fast subscriber", || {
        fast_received.lock().unwrap().0 >= warm_up_bytes + (SENT as usize + 1) * record_len
    });
    wait_until("the last record at the slow subscriber", || {
        slow_received.lock().unwrap().1.elapsed() > Duration::from_millis(500)
    });
    let stderr = daemon.stop();
    let everything: Vec<u32> = (0..=SENT).collect();

    let mut trail_sent = Vec::new();
    for trail in closed_trails(&dir) {
        trail_sent.extend(sent(&items(&fs::read(&trail).unwrap(), "trail")));
    }
    assert!(
        closed_trails(&dir).len() > 1,
        "2M trails must rotate: {stderr}"
    );
    assert_eq!(trail_sent, everything, "the trail has every record");

    let fast = items(&fast.join().unwrap(), "fast subscriber");
    assert_eq!(
        sent(&fast),
        everything,
        "the fast subscriber has every record"
    );
    assert!(!fast.iter().any(|item| matches!(item, Item::Dropped(_))));

    let slow = items(&slow_subscriber.join().unwrap(), "slow subscriber");
    let mut next = 0;
    let mut missed = 0;
    let mut notices = 0;
    for item in &slow {
        match *item {
            Item::Dropped(count) => {
                missed += count;
                notices += 1;
            }
            Item::Sent(sequence) => {
                assert_eq!(
                    u64::from(sequence - next),
                    missed,
                    "records lost before {sequence} without a notice saying so"
                );
                next = sequence + 1;
                missed = 0;
            }
            Item::Daemon(_) | Item::File | Item::WarmUp => {}
        }
    }
    assert_eq!(next, SENT + 1, "the slow subscriber got the last record");
    assert!(notices > 0, "the slow subscriber must have lost records");
    assert_eq!(
        sent(&slow)[0],
        0,
        "the slow subscriber's records start with the first"
    );
}
