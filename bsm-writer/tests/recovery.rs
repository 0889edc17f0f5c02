//! Crash recovery: trails left open are cut back to their last whole item
//! and renamed `START.crash_recovery`; and a writer killed with SIGKILL at
//! random moments never leaves more damage than a partial last item.

mod common;

use bsm_writer::trail::{TrailName, TrailState, current_link, recover};
use bsm_writer::{AuditTime, TrailConfig, TrailWriter, token};
use common::{ScratchDir, entries, read_trail, test_record};
use std::fs;
use std::os::unix::fs::symlink;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const OPEN_NAME: &str = "20230101000000.not_terminated";
const RECOVERED_NAME: &str = "20230101000000.crash_recovery";

/// An opening file token and three records.
fn whole_items() -> Vec<u8> {
    let mut bytes = token::file("", AuditTime::new(1_672_531_200, 0))
        .unwrap()
        .into_bytes();
    for sequence in 0..3 {
        bytes.extend(test_record(sequence, 20));
    }
    bytes
}

/// Writes an open trail holding `bytes`, with `current` pointing at it as a
/// crashed writer leaves it, and recovers the directory.
fn recover_trail(label: &str, bytes: &[u8]) -> (ScratchDir, bsm_writer::trail::RecoveredTrail) {
    let scratch = ScratchDir::new(label);
    let open = scratch.path.join(OPEN_NAME);
    fs::write(&open, bytes).unwrap();
    symlink(&open, current_link(&scratch.path)).unwrap();
    let mut recovered = recover(&scratch.path).unwrap();
    assert_eq!(recovered.len(), 1);
    assert_eq!(entries(&scratch.path), [RECOVERED_NAME]);
    (scratch, recovered.remove(0))
}

#[test]
fn a_partial_last_record_is_cut_off() {
    let whole = whole_items();
    let partial = test_record(3, 20);
    for cut in [1, 3, 10, partial.len() - 1] {
        let mut bytes = whole.clone();
        bytes.extend_from_slice(&partial[..cut]);
        let (scratch, recovered) = recover_trail("partial-record", &bytes);
        assert_eq!(recovered.path, scratch.path.join(RECOVERED_NAME));
        assert_eq!(
            (recovered.kept, recovered.cut),
            (whole.len() as u64, cut as u64)
        );
        assert!(recovered.damage.is_none());
        let contents = read_trail(&recovered.path);
        assert_eq!((contents.damage, contents.sequences), (None, vec![0, 1, 2]));
    }
}

#[test]
fn a_partial_file_token_is_cut_off() {
    let whole = whole_items();
    let closing = token::file(
        "/var/audit/20230101000001.not_terminated",
        AuditTime::new(1, 0),
    )
    .unwrap();
    let mut bytes = whole.clone();
    bytes.extend_from_slice(&closing.as_bytes()[..20]);
    let (_scratch, recovered) = recover_trail("partial-file-token", &bytes);
    assert_eq!(recovered.cut, 20);
    assert_eq!(read_trail(&recovered.path).kinds, "frrr");
}

#[test]
fn zero_fill_after_the_last_record_is_cut_off() {
    let whole = whole_items();
    let mut bytes = whole.clone();
    bytes.extend_from_slice(&[0; 5000]);
    let (_scratch, recovered) = recover_trail("zero-fill", &bytes);
    assert_eq!((recovered.kept, recovered.cut), (whole.len() as u64, 5000));
    assert_eq!(read_trail(&recovered.path).damage, None);
}

#[test]
fn damage_before_the_end_is_kept_and_reported() {
    let whole = whole_items();
    let mut bytes = whole.clone();
    bytes.extend_from_slice(b"XYZ");
    bytes.extend(test_record(9, 0));
    let (_scratch, recovered) = recover_trail("damage", &bytes);
    assert_eq!((recovered.kept, recovered.cut), (bytes.len() as u64, 0));
    let damage = recovered.damage.expect("damage reported");
    assert_eq!(damage.offset, whole.len() as u64);
    assert_eq!(
        fs::metadata(&recovered.path).unwrap().len(),
        bytes.len() as u64
    );
}

#[test]
fn a_clean_trail_is_only_renamed() {
    let whole = whole_items();
    let (_scratch, recovered) = recover_trail("clean", &whole);
    assert_eq!((recovered.kept, recovered.cut), (whole.len() as u64, 0));
    assert_eq!(fs::read(&recovered.path).unwrap(), whole);
}

/// Set in the child process that the SIGKILL test spawns: the directory to
/// write trails into until killed.
const CHILD_DIR: &str = "BSM_WRITER_SIGKILL_CHILD_DIR";
const SIGKILL_TEST: &str = "sigkill_at_random_moments_leaves_whole_records";
const KILLS: usize = 20;

/// xorshift64: random enough for kill times, and reproducible from the
/// seed printed.
struct Random(u64);

impl Random {
    fn below(&mut self, limit: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % limit
    }
}

/// In the child: write records until killed, each with its run's number
/// (text) and a sequence number, of varied sizes; every 128th is 240 KB,
/// whose write a kill can cut short.
fn write_until_killed(dir: &Path) -> ! {
    let run = std::env::var("BSM_WRITER_SIGKILL_RUN").unwrap();
    let mut writer = TrailWriter::open(TrailConfig {
        file_size_limit: Some(128 * 1024),
        fsync: bsm_writer::FsyncPolicy::Never,
        ..TrailConfig::new(dir)
    })
    .unwrap();
    let padding = vec![0x5a; 60_000];
    for sequence in 0.. {
        let mut record = bsm_writer::RecordBuilder::new(72)
            .with(token::sequence(sequence).unwrap())
            .with(token::text(format!("run {run}")).unwrap());
        let (pieces, piece_len) = match sequence % 128 {
            127 => (4, padding.len()),
            other => (1, (other % 64 * 37) as usize),
        };
        for _ in 0..pieces {
            record.write(&token::opaque(&padding[..piece_len]).unwrap());
        }
        writer.write_record(&record.close().unwrap()).unwrap();
    }
    unreachable!("the child writes until it is killed")
}

/// Checks the open trails a killed child left: every item whole but perhaps
/// the last. Returns how many ended in a partial item.
fn check_open_trails(dir: &Path) -> usize {
    let mut partial = 0;
    for name in entries(dir) {
        let Some(TrailName {
            state: TrailState::Open,
            ..
        }) = TrailName::parse(&name)
        else {
            continue;
        };
        let contents = read_trail(&dir.join(&name));
        if let Some(damage) = contents.damage {
            assert!(
                matches!(damage.kind, bsm_format::ErrorKind::Truncated { .. }),
                "{name}: damage other than a partial last item: {damage}"
            );
            partial += 1;
        }
    }
    partial
}

#[test]
fn sigkill_at_random_moments_leaves_whole_records() {
    if let Some(dir) = std::env::var_os(CHILD_DIR) {
        write_until_killed(Path::new(&dir));
    }
    let scratch = ScratchDir::new("sigkill");
    let seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    eprintln!("sigkill test: seed {seed:#x}");
    let mut random = Random(seed);
    let mut partial_trails = 0;
    for run in 0..KILLS {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([SIGKILL_TEST, "--exact", "--nocapture", "--test-threads=1"])
            .env(CHILD_DIR, &scratch.path)
            .env("BSM_WRITER_SIGKILL_RUN", run.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(10 + random.below(190)));
        child.kill().unwrap();
        let output = child.wait_with_output().unwrap();
        assert_eq!(
            output.status.signal(),
            Some(9),
            "run {run}: the child ended before the kill: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        partial_trails += check_open_trails(&scratch.path);
    }
    eprintln!("sigkill test: {partial_trails} trails ended in a partial item before recovery");

    recover(&scratch.path).unwrap();
    let mut records_per_run = vec![Vec::new(); KILLS];
    let mut trails = entries(&scratch.path);
    trails.sort_by_key(|name| TrailName::parse(name).map(|n| n.start));
    for name in &trails {
        let parsed = TrailName::parse(name).unwrap_or_else(|| panic!("stray file {name}"));
        assert_ne!(parsed.state, TrailState::Open, "{name} left open");
        let path = scratch.path.join(name);
        let bytes = fs::read(&path).unwrap();
        for item in bsm_format::Splitter::new(&bytes) {
            let item = item.unwrap_or_else(|e| panic!("{name} damaged after recovery: {e}"));
            let bsm_format::TrailItem::Record(record) = item else {
                continue;
            };
            let mut sequence = None;
            let mut run = None;
            for token in record.body() {
                match token.unwrap() {
                    bsm_format::Token::Sequence(s) => sequence = Some(s.sequence),
                    bsm_format::Token::Text(t) => {
                        let text = t.text.to_str_lossy();
                        run = text.split(' ').nth(1).and_then(|r| r.parse::<usize>().ok());
                    }
                    _ => {}
                }
            }
            records_per_run[run.unwrap()].push(sequence.unwrap());
        }
    }
    // Each run's records, across its trails in order, have no gap: nothing
    // but the record being written when the kill came went missing.
    for (run, sequences) in records_per_run.iter().enumerate() {
        let expected: Vec<u32> = (0..sequences.len() as u32).collect();
        assert_eq!(sequences, &expected, "run {run}");
    }
    let total: usize = records_per_run.iter().map(Vec::len).sum();
    eprintln!("sigkill test: {total} records in {} trails", trails.len());
    assert!(total > 0);
}

/// A victim outside the trail directory, and the directory's path.
fn planted(label: &str) -> (ScratchDir, std::path::PathBuf, std::path::PathBuf) {
    let scratch = ScratchDir::new(label);
    let dir = scratch.path.join("trails");
    fs::create_dir(&dir).unwrap();
    let victim = scratch.path.join("victim");
    fs::write(&victim, vec![b'v'; 88]).unwrap();
    (scratch, dir, victim)
}

#[test]
fn a_symlink_planted_as_an_open_trail_is_not_followed() {
    let (_scratch, dir, victim) = planted("planted-symlink");
    symlink(&victim, dir.join(OPEN_NAME)).unwrap();
    let err = TrailWriter::open(TrailConfig::new(&dir)).unwrap_err();
    assert!(err.to_string().contains("not a regular file"), "{err}");
    assert!(err.to_string().contains(OPEN_NAME), "{err}");
    assert_eq!(
        fs::read(&victim).unwrap(),
        vec![b'v'; 88],
        "the victim was touched"
    );
    assert!(
        fs::symlink_metadata(dir.join(OPEN_NAME))
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

#[test]
fn a_fifo_planted_as_an_open_trail_does_not_hold_the_writer() {
    let (_scratch, dir, _victim) = planted("planted-fifo");
    let fifo = dir.join(OPEN_NAME);
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let started = std::time::Instant::now();
    let err = TrailWriter::open(TrailConfig::new(&dir)).unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(err.to_string().contains("not a regular file"), "{err}");
}

#[test]
fn a_trail_directory_others_may_write_is_refused_unless_allowed() {
    use std::os::unix::fs::PermissionsExt;
    let (_scratch, dir, _victim) = planted("shared-dir");
    for mode in [0o777, 0o1777, 0o770] {
        fs::set_permissions(&dir, fs::Permissions::from_mode(mode)).unwrap();
        let err = TrailWriter::open(TrailConfig::new(&dir)).unwrap_err();
        assert!(
            err.to_string().contains("other users could plant"),
            "{mode:o}: {err}"
        );
        assert!(entries(&dir).is_empty(), "{mode:o}: wrote into it");
    }
    let writer = TrailWriter::open(TrailConfig {
        allow_shared_dir: true,
        ..TrailConfig::new(&dir)
    })
    .unwrap();
    writer.close().unwrap();
}
