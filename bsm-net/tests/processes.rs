//! bsmcollectd and bsmship as processes, killed with SIGKILL at chosen
//! moments while records flow: afterwards the collector's trails hold
//! exactly the sender's records, byte for byte, in order, none doubled.
//! And an analyst's `bsmship list|fetch|follow` against the collector.

use std::fs;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bsm_format::{Splitter, TrailItem};
use bsm_writer::{RecordBuilder, TrailConfig, TrailWriter, token};
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};

struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// Writes a CA, the collector's certificate (localhost) and host-a's; and
/// an analysts' CA with alice's.
fn certificates(dir: &Path) {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    fs::write(
        dir.join("ca.crt"),
        ca_params.self_signed(&ca_key).unwrap().pem(),
    )
    .unwrap();
    let issuer = Issuer::from_params(&ca_params, &ca_key);
    for (name, stem) in [("localhost", "collector"), ("host-a", "host-a")] {
        let key = KeyPair::generate().unwrap();
        let cert = CertificateParams::new(vec![name.to_owned()])
            .unwrap()
            .signed_by(&key, &issuer)
            .unwrap();
        fs::write(dir.join(format!("{stem}.crt")), cert.pem()).unwrap();
        write_key(&dir.join(format!("{stem}.key")), &key);
    }
    let analysts_key = KeyPair::generate().unwrap();
    let mut analysts = CertificateParams::new(Vec::<String>::new()).unwrap();
    analysts.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    fs::write(
        dir.join("analysts-ca.crt"),
        analysts.self_signed(&analysts_key).unwrap().pem(),
    )
    .unwrap();
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["alice".to_owned()])
        .unwrap()
        .signed_by(&key, &Issuer::from_params(&analysts, &analysts_key))
        .unwrap();
    fs::write(dir.join("alice.crt"), cert.pem()).unwrap();
    write_key(&dir.join("alice.key"), &key);
}

/// A private key, for its owner alone (others' reading it is refused).
fn write_key(path: &Path, key: &KeyPair) {
    fs::write(path, key.serialize_pem()).unwrap();
    std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn collector(dir: &Path, port: u16) -> Child {
    let child = Command::new(env!("CARGO_BIN_EXE_bsmcollectd"))
        .arg("--listen")
        .arg(format!("127.0.0.1:{port}"))
        .arg("--allow")
        .arg(dir.join("allow"))
        .arg("--dir")
        .arg(dir.join("remote"))
        .arg("--own-dir")
        .arg(dir.join("collector"))
        .args([
            "--cert",
            "collector.crt",
            "--key",
            "collector.key",
            "--ca",
            "ca.crt",
            "--analyst-ca",
            "analysts-ca.crt",
        ])
        .current_dir(dir)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(SocketAddr::from(([127, 0, 0, 1], port))).is_err() {
        assert!(Instant::now() < deadline, "bsmcollectd did not listen");
        std::thread::sleep(Duration::from_millis(20));
    }
    child
}

fn sender(dir: &Path, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_bsmship"))
        .arg("--to")
        .arg(format!("127.0.0.1:{port}"))
        .args(["--collector-name", "localhost", "--host", "host-a"])
        .args(["--bind", "127.0.0.2"])
        .args([
            "--cert",
            "host-a.crt",
            "--key",
            "host-a.key",
            "--ca",
            "ca.crt",
        ])
        .args(["--dir", "audit", "--state", "bsmship.state"])
        .current_dir(dir)
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// The records of every trail under `dir`, in the order the trails were
/// opened (their opening file tokens' times: a closed trail's START is
/// widened down to its records' times, which shipped records predate).
fn stored(dir: &Path) -> Vec<u8> {
    let mut trails: Vec<(u64, Vec<u8>)> = bsm_format::list_trail_dir(dir)
        .unwrap()
        .into_iter()
        .map(|trail| {
            let bytes = fs::read(&trail.path).unwrap();
            let opened = match Splitter::new(&bytes).next() {
                Some(Ok(TrailItem::File(file))) => match file.token {
                    bsm_format::Token::File(token) => {
                        u64::from(token.seconds) * 1000 + u64::from(token.milliseconds)
                    }
                    other => panic!("opens with {other:?}"),
                },
                other => panic!("opens with {other:?}"),
            };
            (opened, bytes)
        })
        .collect();
    trails.sort_by_key(|(opened, _)| *opened);
    let mut records = Vec::new();
    for (_, bytes) in trails {
        for item in Splitter::new(&bytes) {
            if let TrailItem::Record(record) = item.unwrap() {
                records.extend_from_slice(record.bytes());
            }
        }
    }
    records
}

/// A small deterministic generator of kill moments.
struct Moments(u64);

impl Moments {
    fn next_ms(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % below
    }
}

fn kill(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn killing_either_side_at_any_moment_loses_and_doubles_nothing() {
    const RECORDS: u32 = 1_000_000;
    const KILLS: usize = 5;
    let dir = std::env::temp_dir().join(format!("bsm-net-kills-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    let scratch = Scratch(dir.clone());
    certificates(&dir);
    fs::write(dir.join("allow"), "127.0.0.2\n").unwrap();
    let mut writer = TrailWriter::open(TrailConfig::new(dir.join("audit"))).unwrap();
    let mut records = Vec::new();
    for n in 0..RECORDS {
        let record = RecordBuilder::new(72)
            .with(token::sequence(n).unwrap())
            .with(token::text(format!("record {n} of the kill test")).unwrap())
            .with(token::return32(0, 0).unwrap())
            .close()
            .unwrap();
        writer.write_record(&record).unwrap();
        records.extend_from_slice(&record);
    }
    writer.close().unwrap();

    let port = free_port();
    let mut moments = Moments(0x5eed);
    let mut server = collector(&dir, port);
    // KILLS times each: the collector, then the sender, at a moment while
    // records flow; then let the sender finish.
    for round in 0..2 * KILLS {
        let mut ship = sender(&dir, port);
        std::thread::sleep(Duration::from_millis(20 + moments.next_ms(150)));
        if round % 2 == 0 {
            kill(&mut server);
            let _ = ship.wait();
            server = collector(&dir, port);
        } else {
            kill(&mut ship);
        }
    }
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let status = sender(&dir, port).wait().unwrap();
        if status.success() {
            break;
        }
        // the collector may not yet have seen the killed sender go
        assert!(Instant::now() < deadline, "bsmship never finished");
        std::thread::sleep(Duration::from_millis(200));
    }
    // SIGTERM: the collector closes its trails.
    terminate(&server);
    let status = server.wait().unwrap();
    assert!(status.success(), "bsmcollectd: {status}");

    let stored = stored(&dir.join("remote/host-a"));
    assert_eq!(stored.len(), records.len(), "every record once");
    assert!(stored == records, "byte for byte, in order");
    drop(scratch);
}

/// SIGTERM: the collector closes its trails.
fn terminate(child: &Child) {
    let pid = rustix::process::Pid::from_child(child);
    rustix::process::kill_process(pid, rustix::process::Signal::TERM).unwrap();
}

/// `bsmship` as an analyst (`list`, `fetch`, `follow`), as `who`.
fn analyst(dir: &Path, who: &str, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_bsmship"));
    command
        .args(args)
        .args([
            "--cert",
            &format!("{who}.crt"),
            "--key",
            &format!("{who}.key"),
        ])
        .args([
            "--ca",
            "ca.crt",
            "--name",
            who,
            "--collector-name",
            "localhost",
        ])
        .current_dir(dir)
        .stdin(Stdio::null());
    command
}

#[test]
fn an_analyst_lists_fetches_and_follows_with_bsmship() {
    let dir = std::env::temp_dir().join(format!("bsm-net-analyst-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    let scratch = Scratch(dir.clone());
    certificates(&dir);
    // the sender from 127.0.0.2, the analyst from 127.0.0.1
    fs::write(dir.join("allow"), "127.0.0.2\n127.0.0.1\n").unwrap();
    let mut writer = TrailWriter::open(TrailConfig::new(dir.join("audit"))).unwrap();
    for n in 0..1_000 {
        let record = RecordBuilder::new(72)
            .with(token::sequence(n).unwrap())
            .with(token::return32(0, 0).unwrap())
            .close()
            .unwrap();
        writer.write_record(&record).unwrap();
    }
    writer.close().unwrap();
    let port = free_port();
    let mut server = collector(&dir, port);
    assert!(sender(&dir, port).wait().unwrap().success());
    let collector_url = format!("bsm://127.0.0.1:{port}");

    let listed = analyst(&dir, "alice", &["list", &collector_url])
        .output()
        .unwrap();
    assert!(
        listed.status.success(),
        "{}",
        String::from_utf8_lossy(&listed.stderr)
    );
    let trails = bsm_format::list_trail_dir(&dir.join("remote/host-a")).unwrap();
    let expected: String = trails
        .iter()
        .map(|trail| {
            format!(
                "host-a\t{}\t{}\n",
                trail.file_name().to_str().unwrap(),
                fs::metadata(&trail.path).unwrap().len()
            )
        })
        .collect();
    assert_eq!(String::from_utf8_lossy(&listed.stdout), expected);

    let current = trails.last().unwrap();
    let name = current.file_name().to_str().unwrap().to_owned();
    let on_disk = fs::read(&current.path).unwrap();
    let fetched = analyst(
        &dir,
        "alice",
        &["fetch", &format!("{collector_url}/host-a/{name}")],
    )
    .output()
    .unwrap();
    assert!(
        fetched.status.success(),
        "{}",
        String::from_utf8_lossy(&fetched.stderr)
    );
    assert!(fetched.stdout == on_disk, "the trail, byte for byte");

    let mut follow = analyst(
        &dir,
        "alice",
        &["follow", &format!("{collector_url}/host-a")],
    )
    .stdout(Stdio::piped())
    .spawn()
    .unwrap();
    let mut stdout = follow.stdout.take().unwrap();
    let mut followed = vec![0; on_disk.len()];
    std::io::Read::read_exact(&mut stdout, &mut followed).unwrap();
    assert!(
        followed == on_disk,
        "the follow starts with the current trail"
    );
    assert!(follow.try_wait().unwrap().is_none(), "the follow went on");
    kill(&mut follow);

    let refused = analyst(&dir, "host-a", &["list", &collector_url])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains(
            "host-a's certificate is a sender's; only analysts may list, fetch or follow"
        ),
        "{stderr}"
    );
    terminate(&server);
    assert!(server.wait().unwrap().success());
    drop(scratch);
}
