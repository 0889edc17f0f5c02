//! The collector and the sender over real sockets on loopback: peers bound
//! to 127.0.0.2 (allowed) and 127.0.0.3 (refused), certificates made here
//! with rcgen, trails read back from disk.

mod common;

use std::fs;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::time::{Duration, Instant};

use bsm_format::{Splitter, Token, TrailItem};
use bsm_net::sender::{SenderConfig, Session};
use bsm_net::tls;
use tokio::sync::watch;

use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_allowed_sender_ships_every_record_once_and_resumes_where_the_collector_stands() {
    let scratch = Scratch::new("ship");
    let authority = Authority::new();
    let running = start(&scratch.0, &authority).await;
    let files = authority.issue("host-a", false, &authority, &scratch.0, "host-a");
    let config = sender(running.addr, ALLOWED, "host-a", &files);
    let records = trail(20_000);

    let mut session = Session::connect(&config).await.unwrap();
    assert_eq!(session.next, 0, "a new host starts at record 0");
    assert_eq!(session.ship(&records, 0).await.unwrap(), 20_000);
    drop(session);
    // Again: the collector says it has them all, and nothing is sent twice.
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut again = loop {
        match Session::connect(&config).await {
            Ok(session) => break session,
            // the first connection's end may not have been seen yet
            Err(err) => {
                assert!(Instant::now() < deadline, "{err}");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    };
    assert_eq!(again.next, 20_000);
    assert_eq!(again.ship(&records, 0).await.unwrap(), 20_000);
    drop(again);
    let host_dir = running.dir.join("host-a");
    running.stop().await;

    let stored = stored_records(&host_dir);
    assert_eq!(stored.len(), records.len(), "every record once");
    assert!(stored == records, "byte for byte, in order");
    // other hosts' records are for the collector alone
    use std::os::unix::fs::PermissionsExt;
    let mode = |path: &Path| fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&host_dir), 0o700);
    for trail in bsm_format::list_trail_dir(&host_dir).unwrap() {
        assert_eq!(mode(&trail.path), 0o600, "{}", trail.path.display());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_off_the_allow_list_is_closed_before_tls_and_the_refusal_is_recorded() {
    let scratch = Scratch::new("refused");
    let authority = Authority::new();
    let running = start(&scratch.0, &authority).await;
    let files = authority.issue("host-a", false, &authority, &scratch.0, "host-a");

    let refused = Session::connect(&sender(running.addr, REFUSED, "host-a", &files)).await;
    assert!(refused.is_err(), "the TLS handshake must not complete");
    let own_dir = running.own_dir.clone();
    running.stop().await;

    let refusals = refusals(&own_dir);
    assert_eq!(refusals.len(), 1, "{refusals:?}");
    assert_eq!(refusals[0].0, REFUSED.parse::<IpAddr>().unwrap());
    assert!(
        refusals[0].1.contains("127.0.0.3 is not on the allow-list"),
        "{:?}",
        refusals[0].1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_expired_and_misnamed_certificates_are_refused_and_recorded() {
    let scratch = Scratch::new("certificates");
    let authority = Authority::new();
    let stranger = Authority::new();
    let running = start(&scratch.0, &authority).await;
    let unknown = stranger.issue("host-a", false, &authority, &scratch.0, "unknown");
    let expired = authority.issue("host-a", true, &authority, &scratch.0, "expired");
    let other_host = authority.issue("host-b", false, &authority, &scratch.0, "host-b");

    for (files, why) in [
        (&unknown, "unknown CA"),
        (&expired, "expired"),
        (&other_host, "host-b"),
    ] {
        let mut shipped = false;
        if let Ok(mut session) =
            Session::connect(&sender(running.addr, ALLOWED, "host-a", files)).await
        {
            // TLS 1.3: the client may finish before the server has judged
            // its certificate; the refusal shows at the first exchange.
            shipped = session.ship(&trail(1), 0).await.is_ok();
        }
        assert!(!shipped, "{why}: records were taken");
    }
    let (own_dir, host_dir) = (running.own_dir.clone(), running.dir.join("host-a"));
    running.stop().await;

    let refusals = refusals(&own_dir);
    let texts: Vec<&str> = refusals.iter().map(|(_, text)| text.as_str()).collect();
    assert_eq!(refusals.len(), 3, "{texts:?}");
    assert!(
        refusals
            .iter()
            .all(|(peer, _)| *peer == ALLOWED.parse::<IpAddr>().unwrap())
    );
    assert!(
        texts[0].contains("TLS") && texts[1].contains("TLS"),
        "{texts:?}"
    );
    assert!(texts[2].contains("does not name host-a"), "{texts:?}");
    assert!(
        !host_dir.exists() || stored_records(&host_dir).is_empty(),
        "nothing stored for host-a"
    );
}

/// Connects until the collector has seen the end of this host's last
/// connection (it refuses a host that is connected already).
async fn reconnect(config: &SenderConfig) -> Session {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match Session::connect(config).await {
            Ok(session) => return session,
            Err(err) => {
                assert!(Instant::now() < deadline, "{err}");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_written_but_not_acknowledged_before_a_crash_are_not_asked_for_again() {
    let scratch = Scratch::new("crash");
    let authority = Authority::new();
    let files = authority.issue("host-a", false, &authority, &scratch.0, "host-a");
    let records = trail(110);
    let first_100 = {
        let mut end = 0;
        for (n, item) in Splitter::new(&records).enumerate() {
            let TrailItem::Record(record) = item.unwrap() else {
                unreachable!()
            };
            if n == 100 {
                break;
            }
            end = record.offset() as usize + record.bytes().len();
        }
        end
    };
    let running = start(&scratch.0, &authority).await;
    let config = sender(running.addr, ALLOWED, "host-a", &files);
    let mut session = Session::connect(&config).await.unwrap();
    assert_eq!(session.ship(&records[..first_100], 0).await.unwrap(), 100);
    drop(session);
    let host_dir = running.dir.join("host-a");
    running.crash().await;
    // What a collector killed between a batch's write and its Ack leaves:
    // records 100..105 at the end of its open trail, the position at 100.
    {
        use std::io::Write;
        let open = bsm_format::list_trail_dir(&host_dir)
            .unwrap()
            .into_iter()
            .find(|trail| trail.name.state == bsm_format::TrailState::Open)
            .expect("the crashed collector's open trail");
        let mut file = fs::OpenOptions::new()
            .append(true)
            .open(&open.path)
            .unwrap();
        for (n, item) in Splitter::new(&records).enumerate() {
            let TrailItem::Record(record) = item.unwrap() else {
                unreachable!()
            };
            if (100..105).contains(&n) {
                file.write_all(record.bytes()).unwrap();
            }
        }
    }

    let running = start(&scratch.0, &authority).await;
    let mut session = reconnect(&sender(running.addr, ALLOWED, "host-a", &files)).await;
    assert_eq!(
        session.next, 105,
        "the records on disk, acknowledged or not"
    );
    assert_eq!(session.ship(&records, 0).await.unwrap(), 110);
    drop(session);
    running.stop().await;
    assert!(
        stored_records(&host_dir) == records,
        "all 110, once, in order"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ipv6_peers_are_judged_by_the_list_and_a_reloaded_list_lets_them_in() {
    if std::net::TcpListener::bind("[::1]:0").is_err() {
        eprintln!("skipped: this machine has no IPv6 loopback");
        return;
    }
    let scratch = Scratch::new("ipv6");
    let authority = Authority::new();
    let running = start_on(&scratch.0, &authority, "[::1]:0").await;
    let files = authority.issue("host-a", false, &authority, &scratch.0, "host-a");
    let config = sender(running.addr, "::1", "host-a", &files);

    assert!(
        Session::connect(&config).await.is_err(),
        "::1 is not on the list"
    );
    fs::write(scratch.0.join("allow"), "127.0.0.2\n::1/128\n").unwrap();
    assert_eq!(running.collector.reload().unwrap(), 2);
    let mut session = Session::connect(&config).await.unwrap();
    assert_eq!(session.ship(&trail(10), 0).await.unwrap(), 10);
    drop(session);
    let own_dir = running.own_dir.clone();
    running.stop().await;

    let refusals = refusals(&own_dir);
    assert_eq!(refusals.len(), 1, "{refusals:?}");
    assert_eq!(refusals[0].0, "::1".parse::<IpAddr>().unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_instead_of_tls_is_refused_and_the_collector_serves_the_next_sender() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let scratch = Scratch::new("garbage");
    let authority = Authority::new();
    let running = start(&scratch.0, &authority).await;
    let files = authority.issue("host-a", false, &authority, &scratch.0, "host-a");

    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket
        .bind(SocketAddr::new(ALLOWED.parse().unwrap(), 0))
        .unwrap();
    let mut peer = socket.connect(running.addr).await.unwrap();
    peer.write_all(&[0x42; 1024]).await.unwrap();
    let mut rest = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(15), peer.read_to_end(&mut rest)).await;
    assert!(
        closed.is_ok(),
        "the collector closes a peer that sends garbage"
    );

    let mut session = Session::connect(&sender(running.addr, ALLOWED, "host-a", &files))
        .await
        .unwrap();
    assert_eq!(session.ship(&trail(5), 0).await.unwrap(), 5);
    drop(session);
    let own_dir = running.own_dir.clone();
    running.stop().await;
    let refusals = refusals(&own_dir);
    assert_eq!(refusals.len(), 1, "{refusals:?}");
    assert!(refusals[0].1.contains("TLS"), "{:?}", refusals[0].1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotating_trail_directory_is_shipped_once_in_order_across_restarts_of_the_sender() {
    use bsm_net::follow::{FollowConfig, Position, follow_dir};
    let scratch = Scratch::new("follow");
    let authority = Authority::new();
    let running = start(&scratch.0, &authority).await;
    let files = authority.issue("host-a", false, &authority, &scratch.0, "host-a");
    let audit = scratch.0.join("audit");
    let config = FollowConfig {
        sender: sender(running.addr, ALLOWED, "host-a", &files),
        dir: audit.clone(),
        state: scratch.0.join("bsmship.state"),
        poll: Duration::from_millis(20),
        follow: false,
        spool: None,
    };
    // 3,000 records in 4 KiB trails, the last left open at first.
    let records = trail(3_000);
    let mut writer = bsm_writer::TrailWriter::open(bsm_writer::TrailConfig {
        file_size_limit: Some(4096),
        ..bsm_writer::TrailConfig::new(&audit)
    })
    .unwrap();
    let all: Vec<&[u8]> = Splitter::new(&records)
        .map(|item| match item.unwrap() {
            TrailItem::Record(record) => record.bytes(),
            TrailItem::File(_) => unreachable!(),
        })
        .collect();
    // A trail takes a START of its own second: rotations need the clock
    // to move on.
    for record in &all[..1_000] {
        writer.write_record(record).unwrap();
    }
    std::thread::sleep(Duration::from_millis(1_100));
    for record in &all[1_000..2_000] {
        writer.write_record(record).unwrap();
    }
    let (_stop, stopped) = watch::channel(false);
    let caught_up = follow_dir(&config, stopped.clone()).await.unwrap();
    assert_eq!(caught_up.next, 2_000);
    assert_eq!(Position::load(&config.state).unwrap(), caught_up);
    // More, a rotation or two later; a new sender process picks up there.
    std::thread::sleep(Duration::from_millis(1_100));
    for record in &all[2_000..] {
        writer.write_record(record).unwrap();
    }
    writer.close().unwrap();
    let trails = bsm_format::list_trail_dir(&audit).unwrap().len();
    assert!(trails > 1, "the trails rotated: {trails}");
    let done = follow_dir(&config, stopped).await.unwrap();
    assert_eq!(done.next, 3_000);
    let host_dir = running.dir.join("host-a");
    running.stop().await;
    assert!(
        stored_records(&host_dir) == records,
        "3,000 records once, in order"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sender_gone_silent_is_noted_and_so_is_its_return() {
    let scratch = Scratch::new("silence");
    let authority = Authority::new();
    let running = start_with(
        &scratch.0,
        &authority,
        "127.0.0.1:0",
        Duration::from_secs(1),
    )
    .await;
    let files = authority.issue("host-a", false, &authority, &scratch.0, "host-a");
    let config = sender(running.addr, ALLOWED, "host-a", &files);
    let mut session = Session::connect(&config).await.unwrap();
    assert_eq!(session.ship(&trail(3), 0).await.unwrap(), 3);
    drop(session);
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    let session = reconnect(&config).await;
    drop(session);
    let own_dir = running.own_dir.clone();
    running.stop().await;

    let bytes = stored_records(&own_dir);
    let notices: Vec<String> = Splitter::new(&bytes)
        .filter_map(|item| match item.unwrap() {
            TrailItem::Record(record)
                if record.event() == bsm_net::collector::SENDER_NOTICE_EVENT =>
            {
                record.tokens().find_map(|token| match token.unwrap() {
                    Token::Text(text) => Some(text.text.to_str_lossy().into_owned()),
                    _ => None,
                })
            }
            _ => None,
        })
        .collect();
    assert_eq!(notices.len(), 2, "{notices:?}");
    assert!(
        notices[0].starts_with("bsmcollectd: host-a silent for "),
        "{notices:?}"
    );
    assert!(
        notices[1].starts_with("bsmcollectd: host-a back after "),
        "{notices:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_peer_and_an_oversized_frame_are_dropped_while_others_are_served() {
    use bsm_net::protocol::{self, Message, VERSION};
    use futures_util::{SinkExt, StreamExt};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let scratch = Scratch::new("bad-peers");
    let authority = Authority::new();
    let running = start(&scratch.0, &authority).await;
    let files = authority.issue("host-a", false, &authority, &scratch.0, "host-a");
    let other = authority.issue("host-b", false, &authority, &scratch.0, "host-b");
    let from_allowed = || {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket
            .bind(SocketAddr::new(ALLOWED.parse().unwrap(), 0))
            .unwrap();
        socket
    };

    // A slow-loris peer: connected, and never a TLS byte.
    let mut loris = from_allowed().connect(running.addr).await.unwrap();
    // An authenticated sender that then sends a frame longer than allowed.
    let stream = from_allowed().connect(running.addr).await.unwrap();
    let name = rustls_pki_types::ServerName::try_from("localhost").unwrap();
    let tls = tokio_rustls::TlsConnector::from(tls::client_config(&files).unwrap())
        .connect(name, stream)
        .await
        .unwrap();
    let mut framed = tokio_util::codec::Framed::new(tls, protocol::codec());
    let hello = Message::Hello {
        version: VERSION,
        host: "host-a".to_owned(),
    };
    framed.send(hello.encode()).await.unwrap();
    let welcome = framed.next().await.unwrap().unwrap();
    assert_eq!(
        Message::decode(welcome.freeze()),
        Ok(Message::Welcome { next: 0 })
    );
    let mut tls = framed.into_inner();
    tls.write_all(&(protocol::MAX_FRAME as u32 + 1).to_be_bytes())
        .await
        .unwrap();
    tls.write_all(&[0; 1024]).await.unwrap();
    let mut rest = Vec::new();
    let dropped = tokio::time::timeout(Duration::from_secs(15), tls.read_to_end(&mut rest)).await;
    assert!(dropped.is_ok(), "an oversized frame ends the connection");

    // Meanwhile another sender is served.
    let mut session = Session::connect(&sender(running.addr, ALLOWED, "host-b", &other))
        .await
        .unwrap();
    let shipped = trail(5);
    assert_eq!(session.ship(&shipped, 0).await.unwrap(), 5);
    session.close().await.unwrap();
    // The slow-loris peer is closed after the handshake timeout (10 s).
    let mut byte = [0];
    let closed = tokio::time::timeout(Duration::from_secs(20), loris.read(&mut byte)).await;
    assert!(matches!(closed, Ok(Ok(0)) | Ok(Err(_))), "{closed:?}");
    let (own_dir, host_b) = (running.own_dir.clone(), running.dir.join("host-b"));
    running.stop().await;

    assert!(stored_records(&host_b) == shipped, "host-b's records");
    let refusals = refusals(&own_dir);
    assert_eq!(refusals.len(), 1, "{refusals:?}");
    assert!(
        refusals[0].1.contains("no handshake and Hello within 10 s"),
        "{refusals:?}"
    );
}

/// The text of each sender notice among `bytes`' records.
fn notice_texts(bytes: &[u8]) -> Vec<String> {
    Splitter::new(bytes)
        .filter_map(|item| match item.unwrap() {
            TrailItem::Record(record)
                if record.event() == bsm_net::collector::SENDER_NOTICE_EVENT =>
            {
                record.tokens().find_map(|token| match token.unwrap() {
                    Token::Text(text) => Some(text.text.to_str_lossy().into_owned()),
                    _ => None,
                })
            }
            _ => None,
        })
        .collect()
}

/// The records of `bytes` that are not sender notices.
fn plain_records(bytes: &[u8]) -> Vec<u8> {
    Splitter::new(bytes)
        .filter_map(|item| match item.unwrap() {
            TrailItem::Record(record)
                if record.event() != bsm_net::collector::SENDER_NOTICE_EVENT =>
            {
                Some(record.bytes().to_vec())
            }
            _ => None,
        })
        .flatten()
        .collect()
}

fn write_trail_dir(dir: &Path, records: &[u8]) {
    let mut writer = bsm_writer::TrailWriter::open(bsm_writer::TrailConfig::new(dir)).unwrap();
    for item in Splitter::new(records) {
        let TrailItem::Record(record) = item.unwrap() else {
            unreachable!()
        };
        writer.write_record(record.bytes()).unwrap();
    }
    writer.close().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_spool_passes_over_the_oldest_records_and_ships_their_exact_count() {
    use bsm_net::follow::{FollowConfig, Spool, WhenFull, follow_dir};
    const RECORDS: u32 = 2_000;
    const LIMIT: u64 = 20_000;
    let scratch = Scratch::new("spool");
    let authority = Authority::new();
    let files = authority.issue("host-a", false, &authority, &scratch.0, "host-a");
    // A port nobody listens on yet: the collector comes later.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let records = trail(RECORDS);
    let audit = scratch.0.join("audit");
    write_trail_dir(&audit, &records);
    assert!(
        fs::metadata(bsm_format::list_trail_dir(&audit).unwrap()[0].path.clone())
            .unwrap()
            .len()
            > 2 * LIMIT
    );
    let config = FollowConfig {
        sender: sender(addr, ALLOWED, "host-a", &files),
        dir: audit,
        state: scratch.0.join("bsmship.state"),
        poll: Duration::from_millis(20),
        follow: true,
        spool: Some(Spool {
            limit: LIMIT,
            when_full: WhenFull::Drop,
        }),
    };
    let (stop, stopped) = watch::channel(false);
    let following = tokio::spawn(async move { follow_dir(&config, stopped).await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let running = start_on(&scratch.0, &authority, &addr.to_string()).await;
    let host_dir = running.dir.join("host-a");
    let deadline = Instant::now() + Duration::from_secs(60);
    let shipped = loop {
        let stored = if host_dir.exists() {
            stored_records(&host_dir)
        } else {
            Vec::new()
        };
        // Done when the last record is in, after the notice.
        let tail = plain_records(&stored);
        if !notice_texts(&stored).is_empty() && !tail.is_empty() && records.ends_with(&tail) {
            break stored;
        }
        assert!(Instant::now() < deadline, "the spooled records never came");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    stop.send(true).unwrap();
    following.await.unwrap().unwrap();
    running.stop().await;

    let kept = Splitter::new(&plain_records(&shipped)).count() as u64;
    let notices = notice_texts(&shipped);
    assert_eq!(notices.len(), 1, "{notices:?}");
    let passed = u64::from(RECORDS) - kept;
    assert!(passed > 0 && kept > 0, "passed over {passed}, kept {kept}");
    assert_eq!(
        notices[0],
        format!("bsmship: {passed} records were not shipped: the spool was full ({LIMIT} bytes)")
    );
    // The notice comes first, in the place of the records it counts.
    let first = Splitter::new(&shipped).next().unwrap().unwrap();
    let TrailItem::Record(first) = first else {
        unreachable!()
    };
    assert_eq!(first.event(), bsm_net::collector::SENDER_NOTICE_EVENT);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trail_cut_short_after_shipping_is_told_to_the_collector() {
    use bsm_net::follow::{FollowConfig, follow_dir};
    let scratch = Scratch::new("truncated");
    let authority = Authority::new();
    let running = start(&scratch.0, &authority).await;
    let files = authority.issue("host-a", false, &authority, &scratch.0, "host-a");
    let records = trail(100);
    let audit = scratch.0.join("audit");
    write_trail_dir(&audit, &records);
    let config = FollowConfig {
        sender: sender(running.addr, ALLOWED, "host-a", &files),
        dir: audit.clone(),
        state: scratch.0.join("bsmship.state"),
        poll: Duration::from_millis(20),
        follow: false,
        spool: None,
    };
    let (_stop, stopped) = watch::channel(false);
    assert_eq!(
        follow_dir(&config, stopped.clone()).await.unwrap().next,
        100
    );
    // An intruder cuts the trail after its 50th record.
    let path = bsm_format::list_trail_dir(&audit).unwrap()[0].path.clone();
    let bytes = fs::read(&path).unwrap();
    let cut = Splitter::new(&bytes)
        .filter_map(|item| match item.unwrap() {
            TrailItem::Record(record) => Some(record.offset() as usize + record.bytes().len()),
            TrailItem::File(_) => None,
        })
        .nth(49)
        .unwrap();
    fs::write(&path, &bytes[..cut]).unwrap();
    let after = follow_dir(&config, stopped).await.unwrap();
    let host_dir = running.dir.join("host-a");
    running.stop().await;

    let stored = stored_records(&host_dir);
    let notices = notice_texts(&stored);
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert!(
        notices[0].contains(&format!(
            "{cut} bytes, shorter than the {} already shipped: truncated or replaced",
            bytes.len()
        )),
        "{}",
        notices[0]
    );
    // What the trail holds now is shipped again after the notice.
    let first_fifty: Vec<u8> = Splitter::new(&records)
        .take(50)
        .flat_map(|item| item.unwrap().bytes().to_vec())
        .collect();
    let mut expected = records.clone();
    expected.extend_from_slice(&first_fifty);
    assert!(plain_records(&stored) == expected);
    assert_eq!(after.next, 100 + 1 + 50);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_the_collector_never_had_are_kept_and_the_gap_is_recorded() {
    let scratch = Scratch::new("gap");
    let authority = Authority::new();
    let running = start(&scratch.0, &authority).await;
    let files = authority.issue("host-a", false, &authority, &scratch.0, "host-a");
    let config = sender(running.addr, ALLOWED, "host-a", &files);
    let records = trail(20);
    let split: Vec<&[u8]> = Splitter::new(&records)
        .map(|item| item.unwrap().bytes())
        .collect();
    let mut session = Session::connect(&config).await.unwrap();
    assert_eq!(session.next, 0);
    // The sender's numbers say ten records went before, which this
    // collector never stored.
    let last_ten = split[10..].concat();
    assert_eq!(session.ship_records(&last_ten, 10).await.unwrap(), 20);
    session.close().await.unwrap();
    let (host_dir, own_dir) = (running.dir.join("host-a"), running.own_dir.clone());
    running.stop().await;

    assert!(stored_records(&host_dir) == last_ten);
    let notices = notice_texts(&stored_records(&own_dir));
    assert_eq!(
        notices,
        vec![
            "bsmcollectd: host-a sent records from 10 on, but 0 was the next expected: 10 \
             records missing"
                .to_owned()
        ]
    );
}
