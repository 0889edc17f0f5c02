//! praudit and auditreduce on bsm:// inputs, against a real collector on
//! loopback: a stored trail prints as the file on the collector's disk
//! does, a host's live stream as it is stored, and what cannot be read is
//! an error that names the address.

#![cfg(feature = "remote")]

use std::fs;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bsm_net::collector::{Collector, CollectorConfig};
use bsm_net::sender::{SenderConfig, Session};
use bsm_net::tls::{self, TlsFiles};
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};

struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// A CA and the certificates of one test: the collector (localhost),
/// host-a (a sender) and alice (an analyst, of a CA of her own).
fn certificates(dir: &Path) {
    let authority = |stem: &str| {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        fs::write(
            dir.join(format!("{stem}.crt")),
            params.self_signed(&key).unwrap().pem(),
        )
        .unwrap();
        (params, key)
    };
    let senders = authority("ca");
    let analysts = authority("analysts-ca");
    for (name, (params, key)) in [
        ("localhost", &senders),
        ("host-a", &senders),
        ("alice", &analysts),
    ] {
        let own = KeyPair::generate().unwrap();
        let cert = CertificateParams::new(vec![name.to_owned()])
            .unwrap()
            .signed_by(&own, &Issuer::from_params(params, key))
            .unwrap();
        fs::write(dir.join(format!("{name}.crt")), cert.pem()).unwrap();
        let key = dir.join(format!("{name}.key"));
        fs::write(&key, own.serialize_pem()).unwrap();
        // a private key others may read is refused
        std::fs::set_permissions(&key, std::os::unix::fs::PermissionsExt::from_mode(0o600))
            .unwrap();
    }
}

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/sample.bsm")
}

/// A collector on 127.0.0.1 holding the sample's 200 records as host-a's.
struct Running {
    runtime: tokio::runtime::Runtime,
    addr: SocketAddr,
    scratch: Scratch,
}

fn start() -> Running {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let scratch = Scratch(
        std::env::temp_dir().join(format!("bsm-reader-remote-{}-{nanos}", std::process::id())),
    );
    fs::create_dir_all(&scratch.0).unwrap();
    let dir = &scratch.0;
    certificates(dir);
    fs::write(dir.join("allow"), "127.0.0.1\n").unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let files = |name: &str| TlsFiles {
        cert: dir.join(format!("{name}.crt")),
        key: dir.join(format!("{name}.key")),
        ca: dir.join("ca.crt"),
    };
    let collector = Arc::new(
        Collector::new(CollectorConfig {
            allow_list: dir.join("allow"),
            dir: dir.join("remote"),
            own_dir: dir.join("collector"),
            tls: files("localhost"),
            analyst_ca: Some(dir.join("analysts-ca.crt")),
            silence: Duration::from_secs(90),
        })
        .unwrap(),
    );
    let addr = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::watch::channel(false);
        // the collector serves until the runtime is dropped
        std::mem::forget(stop);
        tokio::spawn(collector.serve(listener, stopped));
        let mut session = Session::connect(&SenderConfig {
            collector: addr,
            collector_name: "localhost".to_owned(),
            host: "host-a".to_owned(),
            bind: None,
            tls: tls::client_config(&files("host-a")).unwrap(),
        })
        .await
        .unwrap();
        assert_eq!(
            session.ship(&fs::read(sample()).unwrap(), 0).await.unwrap(),
            200
        );
        session.close().await.unwrap();
        addr
    });
    Running {
        runtime,
        addr,
        scratch,
    }
}

impl Running {
    /// The host's stored trail (there is one: the collector did not restart).
    fn stored_trail(&self) -> PathBuf {
        let trails = bsm_format::list_trail_dir(&self.scratch.0.join("remote/host-a")).unwrap();
        assert_eq!(trails.len(), 1, "{trails:?}");
        trails[0].path.clone()
    }

    /// A tool with alice's identity in its environment.
    fn tool(&self, name: &str) -> Command {
        let dir = &self.scratch.0;
        let mut command = Command::new(name);
        command
            .env("TZ", "UTC")
            .env("BSM_NET_CERT", dir.join("alice.crt"))
            .env("BSM_NET_KEY", dir.join("alice.key"))
            .env("BSM_NET_CA", dir.join("ca.crt"))
            .env("BSM_NET_NAME", "alice")
            .env("BSM_NET_COLLECTOR_NAME", "localhost")
            .stdin(Stdio::null());
        command
    }

    fn url(&self, path: &str) -> String {
        format!("bsm://{}/{path}", self.addr)
    }
}

fn run(mut command: Command) -> Output {
    command.output().unwrap()
}

const PRAUDIT: &str = env!("CARGO_BIN_EXE_praudit");
const AUDITREDUCE: &str = env!("CARGO_BIN_EXE_auditreduce");

/// praudit -l's lines for records only (file tokens left out).
fn record_lines(stdout: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(stdout)
        .lines()
        .filter(|line| !line.starts_with("file,"))
        .map(str::to_owned)
        .collect()
}

#[test]
fn a_stored_trail_prints_as_the_file_on_the_collectors_disk() {
    let running = start();
    let trail = running.stored_trail();
    let name = trail.file_name().unwrap().to_str().unwrap().to_owned();
    let url = running.url(&format!("host-a/{name}"));

    let mut remote = running.tool(PRAUDIT);
    remote.args(["-l", &url]);
    let remote = run(remote);
    assert!(
        remote.status.success(),
        "{}",
        String::from_utf8_lossy(&remote.stderr)
    );
    let mut local = running.tool(PRAUDIT);
    local.arg("-l").arg(&trail);
    let local = run(local);
    assert_eq!(remote.stdout, local.stdout);
    // and its records are the sample's, as shipped
    let mut sample_printed = running.tool(PRAUDIT);
    sample_printed.arg("-l").arg(sample());
    let sample_printed = run(sample_printed);
    assert_eq!(
        record_lines(&remote.stdout),
        record_lines(&sample_printed.stdout)
    );
    assert_eq!(record_lines(&remote.stdout).len(), 200);

    // auditreduce writes the same records from the collector as from the file
    let mut reduced_remote = running.tool(AUDITREDUCE);
    reduced_remote.args(["-m", "AUE_OPEN_R", &url]);
    let reduced_remote = run(reduced_remote);
    assert!(
        reduced_remote.status.success(),
        "{}",
        String::from_utf8_lossy(&reduced_remote.stderr)
    );
    let mut reduced_local = running.tool(AUDITREDUCE);
    reduced_local.args(["-m", "AUE_OPEN_R"]).arg(&trail);
    let reduced_local = run(reduced_local);
    assert!(
        !reduced_local.stdout.is_empty(),
        "the sample has AUE_OPEN_R records"
    );
    assert_eq!(reduced_remote.stdout, reduced_local.stdout);
    drop(running.runtime);
}

#[test]
fn a_hosts_live_stream_prints_its_records_as_they_are_stored() {
    let running = start();
    let mut follow = running.tool(PRAUDIT);
    follow
        .args(["-l", &running.url("host-a")])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = follow.spawn().unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let (lines_tx, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in stdout.lines() {
            if lines_tx.send(line.unwrap()).is_err() {
                return;
            }
        }
    });
    let mut printed = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while printed
        .iter()
        .filter(|line: &&String| !line.starts_with("file,"))
        .count()
        < 200
    {
        let left = deadline.saturating_duration_since(Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) => printed.push(line),
            Err(_) => {
                let _ = child.kill();
                panic!("the follow printed {} lines in 30 s", printed.len());
            }
        }
    }
    // still following: nothing ends it but the analyst
    assert!(
        child.try_wait().unwrap().is_none(),
        "praudit ended the follow"
    );
    child.kill().unwrap();
    child.wait().unwrap();
    let mut sample_printed = running.tool(PRAUDIT);
    sample_printed.arg("-l").arg(sample());
    assert_eq!(
        record_lines(printed.join("\n").as_bytes()),
        record_lines(&run(sample_printed).stdout)
    );
    drop(running.runtime);
}

#[test]
fn what_cannot_be_read_is_an_error_naming_the_address() {
    let running = start();
    let url = running.url("host-a/20260101000000.not_terminated");
    let mut missing = running.tool(PRAUDIT);
    missing.arg(&url);
    let missing = run(missing);
    assert_eq!(missing.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(
        stderr.contains(&format!(
            "praudit: {url}: the collector refused: host-a has no trail \"20260101000000.not_terminated\""
        )),
        "{stderr}"
    );

    let mut anonymous = Command::new(PRAUDIT);
    anonymous
        .arg(running.url("host-a"))
        .env_remove("BSM_NET_CERT")
        .stdin(Stdio::null());
    let anonymous = run(anonymous);
    assert_eq!(anonymous.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&anonymous.stderr).contains("BSM_NET_CERT is not set"),
        "{}",
        String::from_utf8_lossy(&anonymous.stderr)
    );
    drop(running.runtime);
}
