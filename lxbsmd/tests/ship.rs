//! lxbsmd --ship: a real daemon process reading a FIFO ships every record
//! it writes to a collector on loopback (bsm-net's, run in the test), over
//! mutual TLS with certificates made here; the collector's copy of the
//! host's records must be the local trail's, byte for byte.

#[path = "../../bsm-writer/tests/common/mod.rs"]
mod common;

use bsm_format::{Splitter, TrailItem};
use bsm_net::collector::{Collector, CollectorConfig};
use bsm_net::tls::TlsFiles;
use common::{ScratchDir, test_record};
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const PATIENCE: Duration = Duration::from_secs(120);

/// A CA and, signed by it, certificates for the collector (`localhost`)
/// and the host `host-a`; returns the collector's files and the host's.
fn certificates(dir: &Path) -> (TlsFiles, TlsFiles) {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    fs::write(dir.join("ca.crt"), ca.self_signed(&ca_key).unwrap().pem()).unwrap();
    let issuer = Issuer::from_params(&ca, &ca_key);
    let issue = |name: &str| {
        let key = KeyPair::generate().unwrap();
        let cert = CertificateParams::new(vec![name.to_owned()])
            .unwrap()
            .signed_by(&key, &issuer)
            .unwrap();
        let files = TlsFiles {
            cert: dir.join(format!("{name}.crt")),
            key: dir.join(format!("{name}.key")),
            ca: dir.join("ca.crt"),
        };
        fs::write(&files.cert, cert.pem()).unwrap();
        fs::write(&files.key, key.serialize_pem()).unwrap();
        // a private key others may read is refused
        std::fs::set_permissions(
            &files.key,
            std::os::unix::fs::PermissionsExt::from_mode(0o600),
        )
        .unwrap();
        files
    };
    (issue("localhost"), issue("host-a"))
}

/// The records (file tokens left out) of the trails in `dir`, oldest first.
fn records_of(dir: &Path) -> Vec<u8> {
    let mut out = Vec::new();
    for trail in bsm_format::list_trail_dir(dir).unwrap() {
        let bytes = fs::read(&trail.path).unwrap();
        for item in Splitter::new(&bytes) {
            match item {
                Ok(TrailItem::Record(record)) => out.extend_from_slice(record.bytes()),
                Ok(TrailItem::File(_)) => {}
                // the open trail's last record may be half written
                Err(_) => break,
            }
        }
    }
    out
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + PATIENCE;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn every_record_lxbsmd_writes_reaches_the_collector_byte_for_byte() {
    const RECORDS: u32 = 5_000;
    let scratch = ScratchDir::new("ship");
    let (collector_files, host_files) = certificates(&scratch.path);
    fs::write(scratch.path.join("allow"), "127.0.0.1/32\n").unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let collector = Arc::new(
        Collector::new(CollectorConfig {
            allow_list: scratch.path.join("allow"),
            dir: scratch.path.join("remote"),
            own_dir: scratch.path.join("collector"),
            tls: collector_files,
            analyst_ca: None,
            silence: Duration::from_secs(90),
        })
        .unwrap(),
    );
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop_collector, collector_stopped) = tokio::sync::watch::channel(false);
    let serving = runtime.spawn(Arc::clone(&collector).serve(listener, collector_stopped));

    let fifo = scratch.path.join("source");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let trails = scratch.path.join("trails");
    let stderr = scratch.path.join("lxbsmd.stderr");
    let path = |p: &PathBuf| p.to_str().unwrap().to_owned();
    let mut daemon = Command::new(env!("CARGO_BIN_EXE_lxbsmd"))
        .args(["--source", &path(&fifo), "--dir", &path(&trails)])
        .args(["--priority-boost", "0"])
        .args([
            "--ship",
            &addr.to_string(),
            "--ship-collector-name",
            "localhost",
        ])
        .args(["--ship-host", "host-a"])
        .args(["--ship-cert", &path(&host_files.cert)])
        .args(["--ship-key", &path(&host_files.key)])
        .args(["--ship-ca", &path(&host_files.ca)])
        .stdin(Stdio::null())
        .stderr(File::create(&stderr).unwrap())
        .spawn()
        .unwrap();
    let mut writer = OpenOptions::new().write(true).open(&fifo).unwrap();
    for n in 0..RECORDS {
        writer.write_all(&test_record(n, 0)).unwrap();
    }
    let remote = scratch.path.join("remote/host-a");
    let shipped = |dir: &Path| {
        if !dir.exists() {
            return 0;
        }
        Splitter::new(&records_of(dir)).count()
    };
    // The startup record and the test's, while lxbsmd runs.
    wait_until("the records at the collector", || {
        shipped(&remote) == RECORDS as usize + 1
    });
    let pid = i32::try_from(daemon.id()).unwrap();
    // SAFETY: kill has no memory effects; the pid is our child's, not yet
    // waited for.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    let status = daemon.wait().unwrap();
    let log = fs::read_to_string(&stderr).unwrap();
    assert!(status.success(), "{status}: {log}");
    assert!(
        log.contains(&format!("{} records shipped and acknowledged", RECORDS + 2)),
        "the shutdown record is shipped before lxbsmd exits: {log}"
    );
    stop_collector.send(true).unwrap();
    runtime.block_on(serving).unwrap().unwrap();

    let local = records_of(&trails);
    assert_eq!(Splitter::new(&local).count(), RECORDS as usize + 2);
    assert!(
        records_of(&remote) == local,
        "the collector's copy is the trail's"
    );
    // The sender's position is kept, 0600, beside the trails.
    let state = fs::metadata(trails.join(".bsmship-state")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(state.permissions().mode() & 0o777, 0o600);
}
