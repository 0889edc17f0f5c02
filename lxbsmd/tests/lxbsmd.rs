//! lxbsmd end to end: a real daemon process, real FIFOs, Unix sockets, small
//! tmpfs mounts and signals. Expected values come from what the tests send.

#[path = "../../bsm-writer/tests/common/mod.rs"]
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
        Daemon::spawn(
            scratch,
            &mut Command::new(env!("CARGO_BIN_EXE_lxbsmd")),
            args,
        )
    }

    /// lxbsmd reading the FIFO `fifo` into the trail directory `dir`, with
    /// `more` arguments.
    fn from_fifo(scratch: &Path, fifo: &Path, dir: &Path, more: &[&str]) -> Daemon {
        let mut args = vec![
            "--source",
            fifo.to_str().unwrap(),
            "--dir",
            dir.to_str().unwrap(),
        ];
        args.extend_from_slice(more);
        Daemon::start(scratch, &args)
    }

    fn spawn(scratch: &Path, command: &mut Command, args: &[&str]) -> Daemon {
        let stderr = scratch.join("lxbsmd.stderr");
        let child = command
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

    fn wait(&mut self) -> (ExitStatus, String) {
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

    fn stop(mut self) -> String {
        self.signal(libc::SIGTERM);
        let (status, stderr) = self.wait();
        assert!(status.success(), "{status}: {stderr}");
        stderr
    }
}

impl Drop for Daemon {
    /// A test that fails midway leaves no daemon behind (one would hold the
    /// test's stdout open).
    fn drop(&mut self) {
        if self.child.try_wait().is_ok_and(|status| status.is_none()) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
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

fn sleep_to_next_second() {
    let into = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_millis();
    thread::sleep(Duration::from_millis(u64::from(1000 - into) + 5));
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
    let daemon = Daemon::from_fifo(
        &scratch.path,
        &fifo,
        &dir,
        &["--config", config.to_str().unwrap()],
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
    let daemon = Daemon::from_fifo(&scratch.path, &fifo, &dir, &[]);
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
    let daemon = Daemon::from_fifo(&scratch.path, &fifo, &dir, &[]);
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
    let mut daemon = Daemon::start(
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
    let daemon = Daemon::from_fifo(
        &scratch.path,
        &fifo,
        &dir,
        &[
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
    // The slow one drains its warm-up before the test records start (it
    // may have been registered before the fast one and got more of them,
    // so their counts need not be equal): nothing arrives for 500 ms.
    wait_until("the warm-up records at both subscribers", || {
        fast_received.lock().unwrap().1.elapsed() > Duration::from_millis(500)
            && slow_received.lock().unwrap().1.elapsed() > Duration::from_millis(500)
    });
    let warm_up_bytes = fast_received.lock().unwrap().0;
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

/// Every trail-named file of `dir` (closed, open or recovered), by name;
/// none before lxbsmd has made the directory.
fn trail_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut trails: Vec<PathBuf> = entries
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            bsm_format::TrailName::parse(path.file_name().unwrap().to_str().unwrap()).is_some()
        })
        .collect();
    trails.sort();
    trails
}

/// The items of every trail of `dir`, in trail order; a damaged trail
/// fails the test.
fn items_of_dir(dir: &Path) -> Vec<Item> {
    trail_files(dir)
        .iter()
        .flat_map(|trail| items(&fs::read(trail).unwrap(), &trail.display().to_string()))
        .collect()
}

/// The test records in the trails of `dir` while lxbsmd runs: a trail
/// renamed or expired between listing and reading is skipped, and each is
/// read up to its last whole record.
fn sent_so_far(dir: &Path) -> Vec<u32> {
    let mut sequences = Vec::new();
    for trail in trail_files(dir) {
        let Ok(bytes) = fs::read(&trail) else {
            continue;
        };
        for item in Splitter::new(&bytes) {
            match item {
                Ok(TrailItem::Record(record)) => {
                    sequences.extend(record.body().find_map(|token| match token {
                        Ok(Token::Sequence(s)) => Some(s.sequence),
                        _ => None,
                    }))
                }
                Ok(TrailItem::File(_)) => {}
                Err(_) => break,
            }
        }
    }
    sequences
}

fn dir_size(dir: &Path) -> u64 {
    trail_files(dir)
        .iter()
        .filter_map(|trail| fs::metadata(trail).ok())
        .map(|metadata| metadata.len())
        .sum()
}

#[test]
fn expire_after_keeps_the_trail_directory_within_its_size() {
    const LIMIT: u64 = 40 * 1024;
    const FILESZ: u64 = 8 * 1024;
    const CHUNK: u32 = 100;
    const SENT: u32 = 1200;
    // A trail passes filesz by at most the records of one second: one chunk.
    let chunk_bytes = u64::from(CHUNK) * test_record(0, 0).len() as u64;
    let scratch = ScratchDir::new("lxbsmd-expire");
    let fifo = scratch.path.join("source");
    let dir = scratch.path.join("trails");
    let config = scratch.path.join("audit_control");
    fs::write(
        &config,
        format!(
            "dir:{}\nfilesz:{FILESZ}\nexpire-after:{LIMIT}\nflags:lo\n",
            dir.display()
        ),
    )
    .unwrap();
    mkfifo(&fifo);
    let daemon = Daemon::start(
        &scratch.path,
        &[
            "--source",
            fifo.to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
        ],
    );
    let mut writer = fifo_writer(&fifo);
    for chunk in 0..SENT / CHUNK {
        write_records(&mut writer, chunk * CHUNK..(chunk + 1) * CHUNK);
        wait_until("the chunk in the trail", || {
            sent_so_far(&dir).contains(&(chunk * CHUNK + CHUNK - 1))
        });
        // Between a rotation and the expiry after it, one more closed trail.
        let size = dir_size(&dir);
        assert!(
            size <= LIMIT + 2 * (FILESZ + chunk_bytes),
            "{size} bytes after chunk {chunk}"
        );
        // Trails rotate at most once a second.
        sleep_to_next_second();
    }
    let stderr = daemon.stop();

    let size = dir_size(&dir);
    // After the last rotation's expiry: at most LIMIT; then the open trail
    // grows by less than FILESZ and a second's records before it is closed.
    assert!(
        size <= LIMIT + FILESZ + chunk_bytes,
        "{size} bytes at the end: {stderr}"
    );
    let expired: Vec<&str> = stderr
        .lines()
        .filter_map(|line| line.strip_prefix("lxbsmd: expired "))
        .collect();
    assert!(!expired.is_empty(), "{stderr}");
    for path in &expired {
        assert!(!Path::new(path).exists(), "{path} still there");
    }
    let closed = stderr.matches("lxbsmd: closed ").count();
    assert_eq!(expired.len() + trail_files(&dir).len(), closed, "{stderr}");
    // What is left is the newest records, none missing.
    let left = sent(&items_of_dir(&dir));
    assert!(left[0] > 0, "the oldest trails expired");
    assert_eq!(left, (left[0]..SENT).collect::<Vec<_>>());
    assert!(
        stderr.contains("is not the lxbsm device: flags"),
        "flags with a FIFO source are noted as not applied: {stderr}"
    );
}

/// A tmpfs of `size` at `path`, unmounted on drop.
struct Tmpfs {
    path: PathBuf,
}

impl Tmpfs {
    /// `None`, with a note, where tmpfs cannot be mounted (not root, or no
    /// permission to mount).
    fn mount(path: &Path, size: &str) -> Option<Tmpfs> {
        // SAFETY: geteuid has no preconditions and cannot fail.
        if unsafe { libc::geteuid() } != 0 {
            eprintln!("skipped: mounting a small tmpfs needs root");
            return None;
        }
        fs::create_dir_all(path).unwrap();
        let output = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(path)
            .output()
            .unwrap();
        if !output.status.success() {
            eprintln!(
                "skipped: cannot mount a tmpfs: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            return None;
        }
        Some(Tmpfs {
            path: path.to_path_buf(),
        })
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.path).status();
    }
}

#[test]
fn minfree_with_cnt_drops_says_so_and_notes_the_count_in_the_trail() {
    const RECORD_PADDING: usize = 1000;
    const FIRST: u32 = 800;
    const SENT: u32 = FIRST + 20;
    let scratch = ScratchDir::new("lxbsmd-minfree-cnt");
    let Some(tmpfs) = Tmpfs::mount(&scratch.path.join("fs"), "1m") else {
        return;
    };
    // Half the file system is the reserve; the filler leaves about 250
    // records of room, and removing it makes room for the rest.
    let filler = tmpfs.path.join("filler");
    fs::write(&filler, vec![1; 256 * 1024]).unwrap();
    let dir = tmpfs.path.join("trails");
    let fifo = scratch.path.join("source");
    let config = scratch.path.join("audit_control");
    fs::write(&config, "minfree:50\npolicy:cnt\nfilesz:100K\n").unwrap();
    mkfifo(&fifo);
    let daemon = Daemon::from_fifo(
        &scratch.path,
        &fifo,
        &dir,
        &["--config", config.to_str().unwrap()],
    );
    let mut writer = fifo_writer(&fifo);
    for sequence in 0..FIRST {
        writer
            .write_all(&test_record(sequence, RECORD_PADDING))
            .unwrap();
    }
    wait_until("lxbsmd to say it drops records", || {
        fs::read_to_string(&daemon.stderr)
            .unwrap()
            .contains("below minfree; dropping records until there is space (policy cnt)")
    });
    fs::remove_file(&filler).unwrap();
    for sequence in FIRST..SENT {
        writer
            .write_all(&test_record(sequence, RECORD_PADDING))
            .unwrap();
    }
    wait_until("the last record in the trail", || {
        sent_so_far(&dir).last() == Some(&(SENT - 1))
    });
    let stderr = daemon.stop();

    let items = items_of_dir(&dir);
    let written = sent(&items);
    assert!(written.len() < FIRST as usize, "records were dropped");
    // Each notice follows the first record written after a gap and counts
    // the records of the gap.
    let mut noted = 0;
    for (index, item) in items.iter().enumerate() {
        if let Item::Dropped(count) = *item {
            let after = sent(&items[..index]);
            let (before_gap, after_gap) = (after[after.len() - 2], after[after.len() - 1]);
            assert_eq!(count, u64::from(after_gap - before_gap - 1), "{items:?}");
            noted += count;
        }
    }
    let dropped = u64::from(SENT) - written.len() as u64;
    assert_eq!(noted, dropped, "every dropped record is in a notice");
    assert!(
        stderr.contains(&format!("{dropped} records were dropped")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("{dropped} dropped for lack of space")),
        "{stderr}"
    );
    assert_eq!(
        daemon_events(&items),
        [
            event_number("AUE_audit_startup").unwrap(),
            event_number("AUE_audit_shutdown").unwrap()
        ]
    );
}

#[test]
fn minfree_without_cnt_waits_and_sigterm_still_closes_the_trail() {
    const RECORD_PADDING: usize = 1000;
    let scratch = ScratchDir::new("lxbsmd-minfree-stop");
    let Some(tmpfs) = Tmpfs::mount(&scratch.path.join("fs"), "512k") else {
        return;
    };
    let dir = tmpfs.path.join("trails");
    let fifo = scratch.path.join("source");
    let config = scratch.path.join("audit_control");
    fs::write(&config, "minfree:50\npolicy:argv\n").unwrap();
    mkfifo(&fifo);
    let mut daemon = Daemon::from_fifo(
        &scratch.path,
        &fifo,
        &dir,
        &["--config", config.to_str().unwrap()],
    );
    // More than fits; the writer blocks once lxbsmd stops taking records,
    // and fails once lxbsmd is gone.
    let mut writer = fifo_writer(&fifo);
    let feeder = thread::spawn(move || {
        for sequence in 0..2000 {
            if writer
                .write_all(&test_record(sequence, RECORD_PADDING))
                .is_err()
            {
                return;
            }
        }
    });
    wait_until("lxbsmd to wait for space", || {
        fs::read_to_string(&daemon.stderr)
            .unwrap()
            .contains("waiting for space (policy without cnt)")
    });
    daemon.signal(libc::SIGTERM);
    let (status, stderr) = daemon.wait();
    feeder.join().unwrap();

    assert!(!status.success(), "records were left unwritten: {stderr}");
    assert!(
        stderr.contains("stopping while waiting for space"),
        "{stderr}"
    );
    let trails = trail_files(&dir);
    assert_eq!(trails, closed_trails(&dir), "every trail closed: {stderr}");
    assert!(!dir.join("current").exists());
    let items = items_of_dir(&dir);
    let written = sent(&items);
    assert!(!written.is_empty());
    assert_eq!(written, (0..written.len() as u32).collect::<Vec<_>>());
    assert_eq!(
        items.last(),
        Some(&Item::File),
        "the trail ends with its file token"
    );
    // The records read and not written are counted in the trail, before
    // the shutdown record.
    let notices: Vec<u64> = items
        .iter()
        .filter_map(|item| match item {
            Item::Dropped(count) => Some(*count),
            _ => None,
        })
        .collect();
    let [dropped] = notices[..] else {
        panic!("one drop notice: {items:?}");
    };
    assert!(
        dropped >= 1 && dropped + written.len() as u64 <= 2000,
        "{dropped}"
    );
    assert!(stderr.contains(&format!("{dropped} records")), "{stderr}");
    assert_eq!(
        daemon_events(&items).last(),
        Some(&event_number("AUE_audit_shutdown").unwrap())
    );
}

#[test]
fn a_full_disk_with_cnt_counts_every_drop_in_the_trail_up_to_the_shutdown() {
    const SENT: u32 = 10_000;
    let scratch = ScratchDir::new("lxbsmd-full-cnt");
    let Some(tmpfs) = Tmpfs::mount(&scratch.path.join("fs"), "256k") else {
        return;
    };
    let dir = tmpfs.path.join("trails");
    let source = scratch.path.join("records.bsm");
    let mut bytes = Vec::new();
    // Records of 40 bytes: once they no longer fit, neither does the
    // shutdown record (about 100), unless space was kept for it.
    for sequence in 0..SENT {
        bytes.extend(test_record(sequence, 0));
    }
    fs::write(&source, bytes).unwrap();
    let config = scratch.path.join("audit_control");
    fs::write(&config, "policy:cnt\n").unwrap();
    // A regular file: lxbsmd reads it all, then shuts down as at SIGTERM.
    let mut daemon = Daemon::start(
        &scratch.path,
        &[
            "--source",
            source.to_str().unwrap(),
            "--dir",
            dir.to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
        ],
    );
    let (status, stderr) = daemon.wait();
    assert!(status.success(), "{stderr}");
    let items = items_of_dir(&dir);
    let written = sent(&items);
    let noted: u64 = items
        .iter()
        .filter_map(|item| match item {
            Item::Dropped(count) => Some(*count),
            _ => None,
        })
        .sum();
    assert!(
        written.len() < SENT as usize,
        "the disk never filled: {stderr}"
    );
    assert_eq!(
        written.len() as u64 + noted,
        u64::from(SENT),
        "every record written or counted in the trail: {stderr}"
    );
    assert_eq!(
        daemon_events(&items),
        [
            event_number("AUE_audit_startup").unwrap(),
            event_number("AUE_audit_shutdown").unwrap()
        ],
        "{stderr}"
    );
    assert_eq!(
        items.last(),
        Some(&Item::File),
        "closed with its file token"
    );
}

#[test]
fn ahlt_halts_when_a_record_cannot_be_written_and_says_why_in_the_trail() {
    const SENT: u32 = 10_000;
    let scratch = ScratchDir::new("lxbsmd-full-ahlt");
    let Some(tmpfs) = Tmpfs::mount(&scratch.path.join("fs"), "256k") else {
        return;
    };
    let dir = tmpfs.path.join("trails");
    let source = scratch.path.join("records.bsm");
    let mut bytes = Vec::new();
    for sequence in 0..SENT {
        bytes.extend(test_record(sequence, 0));
    }
    fs::write(&source, bytes).unwrap();
    let config = scratch.path.join("audit_control");
    fs::write(&config, "policy:ahlt\n").unwrap();
    let halted = scratch.path.join("halted");
    let halt_command = format!("echo halted > {}", halted.display());
    let mut daemon = Daemon::start(
        &scratch.path,
        &[
            "--source",
            source.to_str().unwrap(),
            "--dir",
            dir.to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
            "--halt-command",
            &halt_command,
        ],
    );
    let (status, stderr) = daemon.wait();
    assert!(!status.success(), "a halt is an error exit: {stderr}");
    assert!(
        stderr.contains("policy ahlt: ran the halt command"),
        "{stderr}"
    );
    assert_eq!(fs::read_to_string(&halted).unwrap(), "halted\n");
    let items = items_of_dir(&dir);
    let written = sent(&items);
    assert!(
        written.len() < SENT as usize,
        "the disk never filled: {stderr}"
    );
    assert_eq!(
        written,
        (0..written.len() as u32).collect::<Vec<_>>(),
        "the records before the halt, in order, none dropped"
    );
    assert!(
        !items.iter().any(|item| matches!(item, Item::Dropped(_))),
        "ahlt drops nothing: {stderr}"
    );
    let events = daemon_events(&items);
    assert_eq!(events[0], event_number("AUE_audit_startup").unwrap());
    assert!(
        events[1..]
            .iter()
            .all(|&event| event == event_number("AUE_audit_shutdown").unwrap()),
        "{events:?}"
    );
    let trail_text: Vec<u8> = fs::read_dir(&dir)
        .unwrap()
        .flat_map(|entry| fs::read(entry.unwrap().path()).unwrap_or_default())
        .collect();
    let why = "halting the system: a record cannot be written (policy ahlt): ";
    assert!(
        trail_text
            .windows(why.len())
            .any(|window| window == why.as_bytes()),
        "the halt's reason is in the trail: {stderr}"
    );
}

#[test]
fn a_trail_left_by_sigkill_is_recovered_with_whole_records() {
    let scratch = ScratchDir::new("lxbsmd-kill");
    let fifo = scratch.path.join("source");
    let dir = scratch.path.join("trails");
    mkfifo(&fifo);
    let args = [
        "--source",
        fifo.to_str().unwrap(),
        "--dir",
        dir.to_str().unwrap(),
    ];
    let mut daemon = Daemon::start(&scratch.path, &args);
    // Open for reading too: writes between the two daemons do not fail.
    let mut writer = OpenOptions::new()
        .read(true)
        .write(true)
        .open(&fifo)
        .unwrap();
    write_records(&mut writer, 0..50);
    wait_until("50 records in the trail", || sent_in_current(&dir) == 50);
    daemon.signal(libc::SIGKILL);
    let (status, _) = daemon.wait();
    assert!(!status.success());

    let open = trail_files(&dir);
    assert_eq!(open.len(), 1);
    assert!(open[0].to_str().unwrap().ends_with(".not_terminated"));
    // A write cut short by the crash: half a record after the whole ones.
    let kept = fs::metadata(&open[0]).unwrap().len();
    let half = &test_record(999, 0)[..20];
    OpenOptions::new()
        .append(true)
        .open(&open[0])
        .unwrap()
        .write_all(half)
        .unwrap();

    let daemon = Daemon::start(&scratch.path, &args);
    // Until then `current` still names the damaged trail.
    wait_until("the recovery", || {
        fs::read_to_string(&daemon.stderr)
            .unwrap()
            .contains("recovered a trail")
    });
    write_records(&mut writer, 50..55);
    wait_until("the new records", || sent_in_current(&dir) == 5);
    let stderr = daemon.stop();

    let recovered = open[0].with_extension("crash_recovery");
    assert!(
        stderr.contains(&format!(
            "recovered a trail left open as {}: {kept} bytes kept, {} cut off",
            recovered.display(),
            half.len()
        )),
        "{stderr}"
    );
    assert_eq!(fs::metadata(&recovered).unwrap().len(), kept);
    let before = items(&fs::read(&recovered).unwrap(), "recovered trail");
    assert_eq!(sent(&before), (0..50).collect::<Vec<_>>());
    assert_eq!(
        daemon_events(&before),
        [event_number("AUE_audit_startup").unwrap()]
    );
    let after = items(&fs::read(&closed_trails(&dir)[0]).unwrap(), "new trail");
    assert_eq!(sent(&after), (50..55).collect::<Vec<_>>());
    assert_eq!(
        daemon_events(&after),
        [
            event_number("AUE_audit_recovery").unwrap(),
            event_number("AUE_audit_startup").unwrap(),
            event_number("AUE_audit_shutdown").unwrap()
        ]
    );
    // The records the killed daemon had read and not written are gone
    // uncounted: the recovery record says so.
    let new_trail = fs::read(&closed_trails(&dir)[0]).unwrap();
    let unknown = "their number is unknown";
    assert!(
        new_trail
            .windows(unknown.len())
            .any(|window| window == unknown.as_bytes()),
        "the recovery record says an unknown number may be missing"
    );
}

#[test]
fn bad_lines_in_config_and_audit_user_name_file_and_line() {
    let scratch = ScratchDir::new("lxbsmd-bad-lines");
    let config = scratch.path.join("audit_control");
    let users = scratch.path.join("audit_user");
    for (control, audit_user, bad_file, line) in [
        ("flags:lo\nnaflags:lo,xx\n", "", &config, 2),
        ("minfree:5\n\n\npolicy:cnt,sometimes\n", "", &config, 4),
        ("expire-after:10d AND\n", "", &config, 1),
        (
            "flags:lo\n",
            "# users\nroot:lo:no\nnosuchuser:lo:no\n",
            &users,
            3,
        ),
        ("", "1000:lo\n", &users, 1),
        ("", "1000:lo:no\n1000:ex:no\n", &users, 2),
    ] {
        fs::write(&config, control).unwrap();
        fs::write(&users, audit_user).unwrap();
        let mut daemon = Daemon::start(
            &scratch.path,
            &[
                "--source",
                "-",
                "--dir",
                scratch.path.join("trails").to_str().unwrap(),
                "--config",
                config.to_str().unwrap(),
                "--audit-user",
                users.to_str().unwrap(),
            ],
        );
        let (status, stderr) = daemon.wait();
        assert!(!status.success(), "{control:?} {audit_user:?}");
        assert!(
            stderr.contains(&format!("{}:{line}:", bad_file.display())),
            "{control:?} {audit_user:?}: {stderr}"
        );
        assert!(
            !scratch.path.join("trails").exists(),
            "no trail before the configuration is good"
        );
    }
}

#[test]
fn a_daemon_that_fails_to_start_takes_no_records_from_the_source() {
    let scratch = ScratchDir::new("lxbsmd-no-start");
    let fifo = scratch.path.join("source");
    let dir = scratch.path.join("trails");
    mkfifo(&fifo);
    // Held open for reading and writing: what is in the FIFO stays there
    // between the two daemons.
    let mut holder = OpenOptions::new()
        .read(true)
        .write(true)
        .open(&fifo)
        .unwrap();
    write_records(&mut holder, 0..20);
    let not_a_dir = scratch.path.join("file");
    fs::write(&not_a_dir, "").unwrap();
    let mut failing = Daemon::start(
        &scratch.path,
        &[
            "--source",
            fifo.to_str().unwrap(),
            "--dir",
            not_a_dir.join("trails").to_str().unwrap(),
        ],
    );
    let (status, stderr) = failing.wait();
    assert!(!status.success(), "{stderr}");

    let daemon = Daemon::from_fifo(&scratch.path, &fifo, &dir, &[]);
    wait_until("the records", || sent_in_current(&dir) == 20);
    let stderr = daemon.stop();
    let items = items(&fs::read(&closed_trails(&dir)[0]).unwrap(), "trail");
    assert_eq!(sent(&items), (0..20).collect::<Vec<_>>(), "{stderr}");
}

/// Fills the file system of `dir` with a file of its own until it is full.
fn fill(path: &Path) {
    let mut filler = File::create(path).unwrap();
    let block = vec![1; 4096];
    while filler.write_all(&block).is_ok() {}
}

#[test]
fn a_rotation_that_finds_no_space_leaves_the_daemon_writing() {
    let scratch = ScratchDir::new("lxbsmd-rotate-full");
    let Some(tmpfs) = Tmpfs::mount(&scratch.path.join("fs"), "256k") else {
        return;
    };
    let dir = tmpfs.path.join("trails");
    let fifo = scratch.path.join("source");
    mkfifo(&fifo);
    let daemon = Daemon::from_fifo(&scratch.path, &fifo, &dir, &[]);
    let mut writer = fifo_writer(&fifo);
    write_records(&mut writer, 0..10);
    wait_until("10 records", || sent_in_current(&dir) == 10);
    let filler = tmpfs.path.join("filler");
    fill(&filler);
    daemon.signal(libc::SIGUSR1);
    wait_until("lxbsmd to report the failed rotation", || {
        fs::read_to_string(&daemon.stderr)
            .unwrap()
            .contains("lxbsmd: cannot rotate: ")
    });
    fs::remove_file(&filler).unwrap();
    write_records(&mut writer, 10..20);
    wait_until("20 records", || sent_in_current(&dir) == 20);
    let stderr = daemon.stop();

    let trails = closed_trails(&dir);
    assert_eq!(trails.len(), 1, "{stderr}");
    let items = items(&fs::read(&trails[0]).unwrap(), "trail");
    assert_eq!(sent(&items), (0..20).collect::<Vec<_>>());
}

/// A file bind-mounted on another, unmounted on drop: the target cannot be
/// removed while it is mounted on.
struct BindMount {
    target: PathBuf,
}

impl Drop for BindMount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.target).status();
    }
}

#[test]
fn a_trail_that_cannot_expire_leaves_the_daemon_writing() {
    let scratch = ScratchDir::new("lxbsmd-expire-busy");
    let dir = scratch.path.join("trails");
    fs::create_dir(&dir).unwrap();
    // A closed trail of the year 2000, old enough for any expire-after
    // age, made unremovable (EBUSY) by a bind mount on it.
    let old_trail = dir.join("20000101000000.20000101000001");
    fs::write(&old_trail, test_record(0, 0)).unwrap();
    let source_file = scratch.path.join("bound");
    fs::write(&source_file, "").unwrap();
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("skipped: a bind mount needs root");
        return;
    }
    let status = Command::new("mount")
        .arg("--bind")
        .arg(&source_file)
        .arg(&old_trail)
        .status()
        .unwrap();
    if !status.success() {
        eprintln!("skipped: cannot bind-mount a file");
        return;
    }
    let _bind = BindMount {
        target: old_trail.clone(),
    };
    let fifo = scratch.path.join("source");
    let config = scratch.path.join("audit_control");
    fs::write(&config, "expire-after:1d\n").unwrap();
    mkfifo(&fifo);
    let daemon = Daemon::from_fifo(
        &scratch.path,
        &fifo,
        &dir,
        &["--config", config.to_str().unwrap()],
    );
    let mut writer = fifo_writer(&fifo);
    write_records(&mut writer, 0..10);
    wait_until("10 records", || sent_in_current(&dir) == 10);
    daemon.signal(libc::SIGUSR1);
    wait_until("lxbsmd to report the failed expiry", || {
        fs::read_to_string(&daemon.stderr)
            .unwrap()
            .contains("lxbsmd: expiry: ")
    });
    write_records(&mut writer, 10..20);
    wait_until("20 records", || sent_in_current(&dir) == 10);
    let stderr = daemon.stop();

    assert!(stderr.contains(old_trail.to_str().unwrap()), "{stderr}");
    let mut written = Vec::new();
    for trail in closed_trails(&dir)
        .iter()
        .filter(|trail| **trail != old_trail)
    {
        written.extend(sent(&items(&fs::read(trail).unwrap(), "trail")));
    }
    assert_eq!(written, (0..20).collect::<Vec<_>>(), "{stderr}");
}

#[test]
fn subscribers_beyond_the_descriptor_limit_do_not_make_lxbsmd_spin() {
    use std::os::unix::process::CommandExt;
    /// Enough for lxbsmd's own files and a few subscribers.
    const DESCRIPTORS: libc::rlim_t = 16;
    let scratch = ScratchDir::new("lxbsmd-emfile");
    let fifo = scratch.path.join("source");
    let dir = scratch.path.join("trails");
    let socket = scratch.path.join("live");
    mkfifo(&fifo);
    let mut command = Command::new(env!("CARGO_BIN_EXE_lxbsmd"));
    // SAFETY: the closure runs in the child between fork and exec and only
    // calls setrlimit, which is async-signal-safe, on a local value.
    unsafe {
        command.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: DESCRIPTORS,
                rlim_max: DESCRIPTORS,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let daemon = Daemon::spawn(
        &scratch.path,
        &mut command,
        &[
            "--source",
            fifo.to_str().unwrap(),
            "--dir",
            dir.to_str().unwrap(),
            "--socket",
            socket.to_str().unwrap(),
        ],
    );
    wait_until("the socket", || {
        dir.join("current").exists() && socket.exists()
    });
    // More connections than lxbsmd has descriptors for: the ones it cannot
    // accept stay in the backlog, and every accept fails.
    let clients: Vec<UnixStream> = (0..DESCRIPTORS)
        .map(|_| UnixStream::connect(&socket).unwrap())
        .collect();
    wait_until("a failed accept", || {
        fs::read_to_string(&daemon.stderr)
            .unwrap()
            .contains("accepting a subscriber")
    });
    let failed_before = fs::read_to_string(&daemon.stderr)
        .unwrap()
        .matches("accepting a subscriber")
        .count();
    thread::sleep(Duration::from_secs(1));
    let failed_after = fs::read_to_string(&daemon.stderr)
        .unwrap()
        .matches("accepting a subscriber")
        .count();
    // A retry every 100 ms; a spinning loop fails thousands of times.
    assert!(
        failed_after - failed_before <= 20,
        "{} failed accepts in a second",
        failed_after - failed_before
    );
    let mut writer = fifo_writer(&fifo);
    write_records(&mut writer, 0..10);
    wait_until("10 records", || sent_in_current(&dir) == 10);
    drop(clients);
    let stderr = daemon.stop();
    let items = items(&fs::read(&closed_trails(&dir)[0]).unwrap(), "trail");
    assert_eq!(sent(&items), (0..10).collect::<Vec<_>>(), "{stderr}");
}

/// The nice values of the threads of process `pid` (field 19 of each
/// /proc/PID/task/TID/stat).
fn nice_values(pid: u32) -> Vec<i32> {
    let mut values = Vec::new();
    for task in fs::read_dir(format!("/proc/{pid}/task")).unwrap() {
        let Ok(stat) = fs::read_to_string(task.unwrap().path().join("stat")) else {
            continue;
        };
        // The command may hold blanks; the fields after it do not.
        let after_command = &stat[stat.rfind(')').unwrap() + 2..];
        values.push(after_command.split(' ').nth(16).unwrap().parse().unwrap());
    }
    values
}

#[test]
fn lxbsmd_raises_its_priority_as_auditd_does() {
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("skipped: raising a priority needs root");
        return;
    }
    let base = nice_values(std::process::id())[0];
    for (boost, nice) in [(None, base - 4), (Some("7"), base - 7), (Some("0"), base)] {
        let scratch = ScratchDir::new("lxbsmd-nice");
        let fifo = scratch.path.join("source");
        let dir = scratch.path.join("trails");
        mkfifo(&fifo);
        let mut args = vec![
            "--source",
            fifo.to_str().unwrap(),
            "--dir",
            dir.to_str().unwrap(),
        ];
        if let Some(boost) = boost {
            args.extend(["--priority-boost", boost]);
        }
        let daemon = Daemon::start(&scratch.path, &args);
        // The main thread and the reader thread alike.
        wait_until("the reader thread", || {
            nice_values(daemon.child.id()).len() >= 2
        });
        let values = nice_values(daemon.child.id());
        assert_eq!(values, vec![nice.max(-20); values.len()], "{boost:?}");
        daemon.stop();
    }
}

/// Runs `script` with python3 as the unprivileged user `nobody`, with
/// `args`; `None`, with a note, where that cannot be done (not root, no
/// runuser or python3).
fn as_nobody(script: &str, args: &[&Path]) -> Option<std::process::Output> {
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("skipped: running as another user needs root");
        return None;
    }
    let output = Command::new("runuser")
        .args(["-u", "nobody", "--", "/usr/bin/python3", "-c", script])
        .args(args)
        .stdin(Stdio::null())
        .output();
    match output {
        Ok(output) if output.status.code() != Some(127) && output.status.code() != Some(126) => {
            Some(output)
        }
        other => {
            eprintln!("skipped: runuser -u nobody python3 cannot run: {other:?}");
            None
        }
    }
}

/// Connects to the socket `argv[1]` and reads one byte: exit 0 for a byte,
/// 13 when the connection is not permitted, 3 when lxbsmd closes it, 4 when
/// nothing comes in 20 s.
const CONNECT_AND_READ: &str = "
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(20)
try:
    s.connect(sys.argv[1])
except PermissionError:
    sys.exit(13)
try:
    sys.exit(0 if s.recv(1) else 3)
except socket.timeout:
    sys.exit(4)
";

/// Opens `argv[1]` for reading (exit 0), then for appending (exit 0);
/// 13 when not permitted.
const READ_FILE: &str = "
import sys
try:
    open(sys.argv[1], 'rb').read(1)
except PermissionError:
    sys.exit(13)
";
const APPEND_FILE: &str = "
import sys
try:
    open(sys.argv[1], 'ab').write(b'x')
except PermissionError:
    sys.exit(13)
";

/// lxbsmd started under umask 000, so that nothing it makes is kept from
/// others by the umask.
fn start_under_umask_000(scratch: &Path, args: &[&str]) -> Daemon {
    use std::os::unix::process::CommandExt;
    let mut command = Command::new(env!("CARGO_BIN_EXE_lxbsmd"));
    // SAFETY: the closure runs in the child between fork and exec and only
    // calls umask, which is async-signal-safe and cannot fail.
    unsafe {
        command.pre_exec(|| {
            libc::umask(0);
            Ok(())
        });
    }
    Daemon::spawn(scratch, &mut command, args)
}

fn mode_of(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::symlink_metadata(path).unwrap().permissions().mode() & 0o7777
}

#[test]
fn under_umask_000_the_socket_and_trails_stay_private() {
    let scratch = ScratchDir::new("lxbsmd-umask");
    let fifo = scratch.path.join("source");
    let dir = scratch.path.join("trails");
    let socket = scratch.path.join("live");
    mkfifo(&fifo);
    // The scratch directory must be reachable by nobody, so that only the
    // modes under test keep it out.
    set_mode(&scratch.path, 0o755);
    let daemon = start_under_umask_000(
        &scratch.path,
        &[
            "--source",
            fifo.to_str().unwrap(),
            "--dir",
            dir.to_str().unwrap(),
            "--socket",
            socket.to_str().unwrap(),
        ],
    );
    wait_until("the socket", || {
        dir.join("current").exists() && socket.exists()
    });
    let mut writer = fifo_writer(&fifo);
    write_records(&mut writer, 0..3);
    wait_until("3 records", || sent_in_current(&dir) == 3);
    let trail = fs::read_link(dir.join("current")).unwrap();
    assert_eq!(mode_of(&socket), 0o600, "socket");
    assert_eq!(mode_of(&dir), 0o750, "trail directory");
    assert_eq!(mode_of(&trail), 0o640, "trail");
    if let Some(connect) = as_nobody(CONNECT_AND_READ, &[&socket]) {
        assert_eq!(
            connect.status.code(),
            Some(13),
            "nobody connects: {connect:?}"
        );
        let read = as_nobody(READ_FILE, &[&trail]).unwrap();
        assert_eq!(
            read.status.code(),
            Some(13),
            "nobody reads the trail: {read:?}"
        );
        let append = as_nobody(APPEND_FILE, &[&trail]).unwrap();
        assert_eq!(
            append.status.code(),
            Some(13),
            "nobody writes the trail: {append:?}"
        );
    }
    let stderr = daemon.stop();
    let items = items(&fs::read(&closed_trails(&dir)[0]).unwrap(), "trail");
    assert_eq!(sent(&items), [0, 1, 2], "{stderr}");
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

/// Feeds records into `writer` every 50 ms until `child` exits (at most
/// PATIENCE), and gives its exit code.
fn feed_until_exit(child: &mut Child, writer: &mut File) -> Option<i32> {
    let deadline = Instant::now() + PATIENCE;
    let mut sequence = 1000;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code();
        }
        assert!(Instant::now() < deadline, "the subscriber did not finish");
        write_records(writer, sequence..sequence + 1);
        sequence += 1;
        thread::sleep(Duration::from_millis(50));
    }
}

fn can_run_as_nobody() -> bool {
    as_nobody("", &[]).is_some_and(|output| output.status.success())
}

fn nobody_subscriber(socket: &Path) -> Option<Child> {
    if !can_run_as_nobody() {
        return None;
    }
    Some(
        Command::new("runuser")
            .args(["-u", "nobody", "--", "/usr/bin/python3", "-c"])
            .arg(CONNECT_AND_READ)
            .arg(socket)
            .spawn()
            .unwrap(),
    )
}

#[test]
fn the_socket_group_may_subscribe_and_others_are_refused_by_their_credentials() {
    let scratch = ScratchDir::new("lxbsmd-group");
    set_mode(&scratch.path, 0o755);
    let fifo = scratch.path.join("source");
    let dir = scratch.path.join("trails");
    let socket = scratch.path.join("live");
    mkfifo(&fifo);
    // nobody's own group, nogroup (65534), is the socket's group.
    let daemon = start_under_umask_000(
        &scratch.path,
        &[
            "--source",
            fifo.to_str().unwrap(),
            "--dir",
            dir.to_str().unwrap(),
            "--socket",
            socket.to_str().unwrap(),
            "--socket-group",
            "65534",
        ],
    );
    wait_until("the socket", || {
        dir.join("current").exists() && socket.exists()
    });
    let mut writer = fifo_writer(&fifo);
    assert_eq!(mode_of(&socket), 0o660);
    use std::os::unix::fs::MetadataExt;
    assert_eq!(fs::metadata(&socket).unwrap().gid(), 65534);
    if let Some(mut member) = nobody_subscriber(&socket) {
        assert_eq!(
            feed_until_exit(&mut member, &mut writer),
            Some(0),
            "a member subscribes"
        );
    }
    drop(daemon.stop());

    // Without the group, a socket whose mode someone widened still keeps
    // nobody out: lxbsmd checks the peer's credentials.
    let daemon = Daemon::from_fifo(
        &scratch.path,
        &fifo,
        &dir,
        &["--socket", socket.to_str().unwrap()],
    );
    wait_until("the socket", || {
        dir.join("current").exists() && socket.exists()
    });
    set_mode(&socket, 0o666);
    if let Some(mut other) = nobody_subscriber(&socket) {
        assert_eq!(
            feed_until_exit(&mut other, &mut writer),
            Some(3),
            "closed at once"
        );
    }
    let stderr = daemon.stop();
    if can_run_as_nobody() {
        assert!(
            stderr.contains("refused a subscriber: uid 65534"),
            "{stderr}"
        );
    }
}

#[test]
fn subscribers_are_bounded_per_user() {
    let scratch = ScratchDir::new("lxbsmd-bounds");
    let fifo = scratch.path.join("source");
    let dir = scratch.path.join("trails");
    let socket = scratch.path.join("live");
    mkfifo(&fifo);
    let daemon = Daemon::from_fifo(
        &scratch.path,
        &fifo,
        &dir,
        &[
            "--socket",
            socket.to_str().unwrap(),
            "--max-subscribers-per-user",
            "2",
        ],
    );
    wait_until("the socket", || {
        dir.join("current").exists() && socket.exists()
    });
    let first = UnixStream::connect(&socket).unwrap();
    let second = UnixStream::connect(&socket).unwrap();
    let mut third = UnixStream::connect(&socket).unwrap();
    // The third is closed without a record, while the first two stay.
    third
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut byte = [0];
    assert_eq!(third.read(&mut byte).unwrap(), 0, "the third is closed");
    let stderr = daemon.stop();
    assert!(stderr.contains("--max-subscribers-per-user"), "{stderr}");
    drop((first, second));
}

#[test]
fn size_options_out_of_range_are_refused_before_starting() {
    let scratch = ScratchDir::new("lxbsmd-ranges");
    for (option, value) in [
        ("--subscriber-queue", "1000000000000"),
        ("--subscriber-queue", "0"),
        ("--queue-limit", "0"),
        ("--queue-limit", "17G"),
        ("--max-subscribers", "0"),
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_lxbsmd"))
            .args(["--source", "-", "--dir"])
            .arg(scratch.path.join("trails"))
            .args([option, value])
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(64),
            "{option} {value}: {output:?}"
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(option), "{option} {value}: {stderr}");
        assert!(
            !scratch.path.join("trails").exists(),
            "{option} {value} started"
        );
    }
}

#[test]
fn a_socket_directory_anyone_may_write_is_refused() {
    let scratch = ScratchDir::new("lxbsmd-shared-dir");
    let shared = scratch.path.join("shared");
    fs::create_dir(&shared).unwrap();
    set_mode(&shared, 0o777);
    let mut daemon = Daemon::start(
        &scratch.path,
        &[
            "--source",
            "-",
            "--dir",
            scratch.path.join("trails").to_str().unwrap(),
            "--socket",
            shared.join("live").to_str().unwrap(),
        ],
    );
    let (status, stderr) = daemon.wait();
    assert!(!status.success());
    assert!(
        stderr.contains("writable by every user and not sticky"),
        "{stderr}"
    );
}
