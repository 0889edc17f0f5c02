//! bsm-net's speed on loopback: one sender and eight at once shipping the
//! benchmark trail's records over mutual TLS into an in-process collector
//! (which writes and syncs every batch before acknowledging it), beside the
//! floor of the same run: the same bytes copied over plain TCP.
//!
//! ```text
//! net-speed TRAIL [WORKDIR]
//! ```
//!
//! WORKDIR (default: a directory under /tmp) holds the certificates and
//! the collector's trails; put it on the disk to measure.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use bsm_format::{Splitter, TrailItem};
use bsm_net::collector::{Collector, CollectorConfig};
use bsm_net::sender::{SenderConfig, Session};
use bsm_net::tls::{self, TlsFiles};
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

const SENDERS: usize = 8;

fn pki(dir: &Path) -> (TlsFiles, Vec<TlsFiles>) {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    std::fs::write(dir.join("ca.crt"), ca.self_signed(&ca_key).unwrap().pem()).unwrap();
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
        std::fs::write(&files.cert, cert.pem()).unwrap();
        std::fs::write(&files.key, key.serialize_pem()).unwrap();
        // a private key others may read is refused
        std::fs::set_permissions(
            &files.key,
            std::os::unix::fs::PermissionsExt::from_mode(0o600),
        )
        .unwrap();
        files
    };
    let collector = issue("localhost");
    // host-0 ships alone, host-1 ..= host-8 at once
    let senders = (0..=SENDERS).map(|n| issue(&format!("host-{n}"))).collect();
    (collector, senders)
}

/// The trail's records only, back to back, and how many.
fn records_of(trail: &[u8]) -> (Vec<u8>, u64) {
    let mut records = Vec::with_capacity(trail.len());
    let mut count = 0;
    for item in Splitter::new(trail) {
        if let Ok(TrailItem::Record(record)) = item {
            records.extend_from_slice(record.bytes());
            count += 1;
        }
    }
    (records, count)
}

async fn ship(addr: SocketAddr, host: String, files: &TlsFiles, records: Arc<Vec<u8>>) -> u64 {
    let config = SenderConfig {
        collector: addr,
        collector_name: "localhost".to_owned(),
        host,
        bind: None,
        tls: tls::client_config(files).unwrap(),
    };
    let mut session = Session::connect(&config).await.unwrap();
    let shipped = session.ship_records(&records, 0).await.unwrap();
    session.close().await.unwrap();
    shipped
}

/// The floor: the same bytes over plain TCP on loopback, `streams` at once.
async fn plain_tcp(records: Arc<Vec<u8>>, streams: usize) -> f64 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let receiver = tokio::spawn(async move {
        let mut readers = Vec::new();
        for _ in 0..streams {
            let (mut stream, _) = listener.accept().await.unwrap();
            readers.push(tokio::spawn(async move {
                let mut buffer = vec![0; 1 << 20];
                let mut total = 0;
                loop {
                    let n = stream.read(&mut buffer).await.unwrap();
                    if n == 0 {
                        return total;
                    }
                    total += n;
                }
            }));
        }
        for reader in readers {
            reader.await.unwrap();
        }
    });
    let started = Instant::now();
    let mut writers = Vec::new();
    for _ in 0..streams {
        let records = Arc::clone(&records);
        writers.push(tokio::spawn(async move {
            let mut stream = TcpStream::connect(addr).await.unwrap();
            stream.write_all(&records).await.unwrap();
            stream.shutdown().await.unwrap();
        }));
    }
    for writer in writers {
        writer.await.unwrap();
    }
    receiver.await.unwrap();
    started.elapsed().as_secs_f64()
}

fn row(what: &str, records: u64, bytes: usize, seconds: f64) {
    println!(
        "{what:<40} {seconds:>9.3} s {:>12.0} records/s {:>9.1} MB/s",
        records as f64 / seconds,
        bytes as f64 / seconds / 1e6
    );
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let mut args = std::env::args().skip(1);
    let trail = args.next().expect("usage: net-speed TRAIL [WORKDIR]");
    let work = args.next().map(PathBuf::from).unwrap_or_else(|| {
        std::env::temp_dir().join(format!("bsm-net-speed-{}", std::process::id()))
    });
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    let (records, count) = records_of(&std::fs::read(&trail).unwrap());
    let records = Arc::new(records);
    let (collector_files, sender_files) = pki(&work);
    std::fs::write(work.join("allow"), "127.0.0.1\n").unwrap();
    let collector = Arc::new(
        Collector::new(CollectorConfig {
            allow_list: work.join("allow"),
            dir: work.join("remote"),
            own_dir: work.join("collector"),
            tls: collector_files,
            analyst_ca: None,
            silence: std::time::Duration::from_secs(90),
        })
        .unwrap(),
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = watch::channel(false);
    let serving = tokio::spawn(Arc::clone(&collector).serve(listener, stopped));
    println!(
        "{count} records, {} bytes each way; collector trails in {}",
        records.len(),
        work.display()
    );

    let floor = plain_tcp(Arc::clone(&records), 1).await;
    row("plain TCP, 1 stream (floor)", count, records.len(), floor);
    let started = Instant::now();
    let shipped = ship(
        addr,
        "host-0".to_owned(),
        &sender_files[0],
        Arc::clone(&records),
    )
    .await;
    assert_eq!(shipped, count);
    let one = started.elapsed().as_secs_f64();
    row("bsm-net, 1 sender", count, records.len(), one);
    println!(
        "  one sender: {:.0} % of the plain-TCP floor",
        floor / one * 100.0
    );

    let floor8 = plain_tcp(Arc::clone(&records), SENDERS).await;
    row(
        "plain TCP, 8 streams (floor)",
        count * SENDERS as u64,
        records.len() * SENDERS,
        floor8,
    );
    let started = Instant::now();
    let mut senders = Vec::new();
    for (n, files) in sender_files.iter().enumerate().skip(1) {
        let files = files.clone();
        let records = Arc::clone(&records);
        senders.push(tokio::spawn(async move {
            ship(addr, format!("host-{n}"), &files, records).await
        }));
    }
    for sender in senders {
        assert_eq!(sender.await.unwrap(), count);
    }
    let eight = started.elapsed().as_secs_f64();
    row(
        "bsm-net, 8 senders at once",
        count * SENDERS as u64,
        records.len() * SENDERS,
        eight,
    );
    stop.send(true).unwrap();
    serving.await.unwrap().unwrap();
}
