//! What the collector tests share: scratch directories, certificate
//! authorities made with rcgen, a collector on loopback, senders, trails
//! of numbered records, and readers of what was stored.
#![allow(dead_code)]

use bsm_format::{Splitter, Token, TrailItem};
use bsm_net::collector::{Collector, CollectorConfig};
use bsm_net::sender::SenderConfig;
use bsm_net::tls::{self, TlsFiles};
use bsm_writer::{RecordBuilder, token};
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use std::fs;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::watch;

pub const ALLOWED: &str = "127.0.0.2";
pub const REFUSED: &str = "127.0.0.3";

pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(label: &str) -> Scratch {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let path =
            std::env::temp_dir().join(format!("bsm-net-{label}-{}-{nanos}", std::process::id()));
        fs::create_dir_all(&path).unwrap();
        Scratch(path)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// A certificate authority made for one test.
pub struct Authority {
    pub params: CertificateParams,
    pub key: KeyPair,
    pub pem: String,
}

impl Authority {
    pub fn new() -> Authority {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let pem = params.self_signed(&key).unwrap().pem();
        Authority { params, key, pem }
    }

    /// A certificate for `name` signed by this CA (expired if `expired`),
    /// written with its key and the CA `trusted` under `dir/stem.*`.
    pub fn issue(
        &self,
        name: &str,
        expired: bool,
        trusted: &Authority,
        dir: &Path,
        stem: &str,
    ) -> TlsFiles {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(vec![name.to_owned()]).unwrap();
        if expired {
            params.not_before = rcgen::date_time_ymd(2020, 1, 1);
            params.not_after = rcgen::date_time_ymd(2021, 1, 1);
        }
        let issuer = Issuer::from_params(&self.params, &self.key);
        let cert = params.signed_by(&key, &issuer).unwrap();
        let files = TlsFiles {
            cert: dir.join(format!("{stem}.crt")),
            key: dir.join(format!("{stem}.key")),
            ca: dir.join(format!("{stem}-ca.crt")),
        };
        fs::write(&files.cert, cert.pem()).unwrap();
        fs::write(&files.key, key.serialize_pem()).unwrap();
        // a private key others may read is refused
        std::fs::set_permissions(
            &files.key,
            std::os::unix::fs::PermissionsExt::from_mode(0o600),
        )
        .unwrap();
        fs::write(&files.ca, &trusted.pem).unwrap();
        files
    }
}

/// A collector on 127.0.0.1 that admits 127.0.0.2 alone.
pub struct Running {
    pub collector: Arc<Collector>,
    pub addr: SocketAddr,
    pub stop: watch::Sender<bool>,
    pub serving: tokio::task::JoinHandle<std::io::Result<()>>,
    pub dir: PathBuf,
    pub own_dir: PathBuf,
}

pub async fn start(scratch: &Path, authority: &Authority) -> Running {
    start_on(scratch, authority, "127.0.0.1:0").await
}

pub async fn start_on(scratch: &Path, authority: &Authority, listen: &str) -> Running {
    start_with(scratch, authority, listen, Duration::from_secs(90)).await
}

pub async fn start_with(
    scratch: &Path,
    authority: &Authority,
    listen: &str,
    silence: Duration,
) -> Running {
    start_full(scratch, authority, listen, silence, None).await
}

/// A collector as [`start`], whose analysts' certificates `analysts` signs.
pub async fn start_with_analysts(
    scratch: &Path,
    authority: &Authority,
    analysts: &Authority,
) -> Running {
    let ca = scratch.join("analysts-ca.crt");
    fs::write(&ca, &analysts.pem).unwrap();
    start_full(
        scratch,
        authority,
        "127.0.0.1:0",
        Duration::from_secs(90),
        Some(ca),
    )
    .await
}

pub async fn start_full(
    scratch: &Path,
    authority: &Authority,
    listen: &str,
    silence: Duration,
    analyst_ca: Option<PathBuf>,
) -> Running {
    let allow_list = scratch.join("allow");
    if !allow_list.exists() {
        fs::write(&allow_list, format!("# the test's sender\n{ALLOWED}\n")).unwrap();
    }
    let config = CollectorConfig {
        allow_list,
        dir: scratch.join("remote"),
        own_dir: scratch.join("collector"),
        tls: authority.issue("localhost", false, authority, scratch, "collector"),
        analyst_ca,
        silence,
    };
    let (dir, own_dir) = (config.dir.clone(), config.own_dir.clone());
    let collector = Arc::new(Collector::new(config).unwrap());
    let listener = TcpListener::bind(listen).await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = watch::channel(false);
    let serving = tokio::spawn(Arc::clone(&collector).serve(listener, stopped));
    Running {
        collector,
        addr,
        stop,
        serving,
        dir,
        own_dir,
    }
}

impl Running {
    /// Ends as a killed collector would: its trails left open.
    pub async fn crash(self) {
        self.stop.send(true).unwrap();
        self.serving.await.unwrap().unwrap();
        drop(self.collector);
    }

    /// Stops accepting, waits for the connections to end, closes the trails.
    pub async fn stop(self) {
        self.stop.send(true).unwrap();
        self.serving.await.unwrap().unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut collector = self.collector;
        let collector = loop {
            match Arc::try_unwrap(collector) {
                Ok(collector) => break collector,
                Err(still_shared) => {
                    assert!(Instant::now() < deadline, "connections did not end");
                    collector = still_shared;
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
        };
        collector.close().unwrap();
    }
}

pub fn sender(addr: SocketAddr, from: &str, host: &str, files: &TlsFiles) -> SenderConfig {
    if from == "::1" {
        // the system picks ::1 for a connection to ::1
        return SenderConfig {
            bind: None,
            ..sender(addr, ALLOWED, host, files)
        };
    }
    SenderConfig {
        collector: addr,
        collector_name: "localhost".to_owned(),
        host: host.to_owned(),
        bind: Some(SocketAddr::new(from.parse().unwrap(), 0)),
        tls: tls::client_config(files).unwrap(),
    }
}

/// `count` records, each with its sequence number in a sequence token.
pub fn trail(count: u32) -> Vec<u8> {
    (0..count)
        .flat_map(|n| {
            RecordBuilder::new(72)
                .with(token::sequence(n).unwrap())
                .with(token::text(format!("record {n}")).unwrap())
                .with(token::return32(0, 0).unwrap())
                .close()
                .unwrap()
        })
        .collect()
}

/// The records of every trail under `dir`, in the order the trails were
/// opened (their opening file tokens' times: a closed trail's START is
/// widened down to its records' times, which shipped records predate), as
/// bytes.
pub fn stored_records(dir: &Path) -> Vec<u8> {
    let mut trails: Vec<(u64, PathBuf)> = bsm_format::list_trail_dir(dir)
        .unwrap()
        .into_iter()
        .map(|trail| (opened_at(&trail.path), trail.path))
        .collect();
    trails.sort();
    let mut records = Vec::new();
    for (_, name) in trails {
        let bytes = fs::read(&name).unwrap();
        for item in Splitter::new(&bytes) {
            if let TrailItem::Record(record) = item.unwrap() {
                records.extend_from_slice(record.bytes());
            }
        }
    }
    records
}

/// The refusal records of the collector's own trails: the remote address
/// of their socket_ex and their text.
pub fn refusals(own_dir: &Path) -> Vec<(IpAddr, String)> {
    let bytes = stored_records(own_dir);
    let accept = bsm_writer::records::event_number("AUE_ACCEPT").unwrap();
    let mut found = Vec::new();
    for item in Splitter::new(&bytes) {
        let TrailItem::Record(record) = item.unwrap() else {
            continue;
        };
        if record.event() != accept {
            continue;
        }
        let mut remote = None;
        let mut text = String::new();
        for token in record.tokens() {
            match token.unwrap() {
                Token::SocketEx(socket) => remote = Some(socket.remote_addr),
                Token::Text(t) => text = t.text.to_str_lossy().into_owned(),
                _ => {}
            }
        }
        found.push((remote.expect("a socket_ex token"), text));
    }
    found
}

/// When a trail was opened, in milliseconds: its opening file token's time.
pub fn opened_at(path: &Path) -> u64 {
    let bytes = fs::read(path).unwrap();
    match Splitter::new(&bytes).next() {
        Some(Ok(TrailItem::File(file))) => match file.token {
            Token::File(token) => u64::from(token.seconds) * 1000 + u64::from(token.milliseconds),
            other => panic!("{}: opens with {other:?}", path.display()),
        },
        other => panic!("{}: opens with {other:?}", path.display()),
    }
}
