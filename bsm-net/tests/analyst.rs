//! Analysts against a real collector on loopback: the stored trails
//! listed, fetched byte for byte and followed live by a certificate of the
//! analysts' CA; a sender's certificate refused and recorded; names looked
//! up, never taken as paths; every request in the collector's own trail.

mod common;

use std::fs;
use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use bsm_format::{Splitter, Token, TrailItem};
use bsm_net::collector::{ANALYST_ACCESS_EVENT, Collector, CollectorConfig};
use bsm_net::fetch::{AnalystConfig, Archive, FetchError, TrailStream};
use bsm_net::sender::Session;
use bsm_net::tls::{self, TlsFiles};

use common::*;

fn analyst(addr: SocketAddr, name: &str, files: &TlsFiles) -> AnalystConfig {
    AnalystConfig {
        collector: addr,
        collector_name: "localhost".to_owned(),
        name: name.to_owned(),
        bind: Some(SocketAddr::new(ALLOWED.parse().unwrap(), 0)),
        tls: tls::client_config(files).unwrap(),
    }
}

/// The records (file tokens left out) of a trail's bytes.
fn records_of(bytes: &[u8]) -> Vec<u8> {
    Splitter::new(bytes)
        .filter_map(|item| match item.unwrap() {
            TrailItem::Record(record) => Some(record.bytes().to_vec()),
            TrailItem::File(_) => None,
        })
        .flatten()
        .collect()
}

/// The text of each analyst-access record of the collector's own trails.
fn accesses(own_dir: &Path) -> Vec<String> {
    let bytes = stored_records(own_dir);
    Splitter::new(&bytes)
        .filter_map(|item| match item.unwrap() {
            TrailItem::Record(record) if record.event() == ANALYST_ACCESS_EVENT => {
                record.tokens().find_map(|token| match token.unwrap() {
                    Token::Text(text) => Some(text.text.to_str_lossy().into_owned()),
                    _ => None,
                })
            }
            _ => None,
        })
        .collect()
}

async fn drain(mut stream: TrailStream) -> Vec<u8> {
    let mut bytes = Vec::new();
    while let Some(piece) = stream.next().await.unwrap() {
        bytes.extend_from_slice(&piece);
    }
    bytes
}

/// Reads a follow until it holds `count` records (or 30 s pass).
async fn follow_until(stream: &mut TrailStream, bytes: &mut Vec<u8>, count: usize) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Splitter::new(bytes.as_slice())
        .filter(|item| matches!(item, Ok(TrailItem::Record(_))))
        .count()
        < count
    {
        let left = deadline.saturating_duration_since(Instant::now());
        let piece = tokio::time::timeout(left, stream.next())
            .await
            .expect("the follow stalled")
            .unwrap()
            .expect("the follow ended");
        bytes.extend_from_slice(&piece);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_analyst_lists_fetches_and_follows_and_every_request_is_recorded() {
    let scratch = Scratch::new("analyst");
    let senders = Authority::new();
    let analysts = Authority::new();
    let running = start_with_analysts(&scratch.0, &senders, &analysts).await;
    let host_files = senders.issue("host-a", false, &senders, &scratch.0, "host-a");
    let host = sender(running.addr, ALLOWED, "host-a", &host_files);
    let records = trail(1_500);
    // (the records carry the time they were made: the first 1,000 of the
    // same 1,500)
    let first_part: Vec<u8> = Splitter::new(records.as_slice())
        .take(1_000)
        .flat_map(|item| match item.unwrap() {
            TrailItem::Record(record) => record.bytes().to_vec(),
            TrailItem::File(_) => unreachable!(),
        })
        .collect();
    let mut session = Session::connect(&host).await.unwrap();
    assert_eq!(session.ship(&first_part, 0).await.unwrap(), 1_000);

    let alice_files = analysts.issue("alice", false, &senders, &scratch.0, "alice");
    let alice = analyst(running.addr, "alice", &alice_files);

    // The listing names what is on disk, with its length.
    let listed = Archive::connect(&alice)
        .await
        .unwrap()
        .list("")
        .await
        .unwrap();
    let on_disk = bsm_format::list_trail_dir(&running.dir.join("host-a")).unwrap();
    assert_eq!(listed.len(), on_disk.len(), "{listed:?}");
    for (listed, file) in listed.iter().zip(&on_disk) {
        assert_eq!(listed.host, "host-a");
        assert_eq!(listed.name, file.file_name().to_str().unwrap());
        assert_eq!(listed.len, fs::metadata(&file.path).unwrap().len());
    }
    let only_a = Archive::connect(&alice)
        .await
        .unwrap()
        .list("host-a")
        .await
        .unwrap();
    assert_eq!(only_a, listed);

    // Each trail fetched is the file, byte for byte.
    for trail in &listed {
        let stream = Archive::connect(&alice)
            .await
            .unwrap()
            .fetch("host-a", &trail.name)
            .await
            .unwrap();
        let fetched = drain(stream).await;
        let file = running.dir.join("host-a").join(&trail.name);
        assert!(fetched == fs::read(&file).unwrap(), "{}", trail.name);
    }

    // A follow gives the current trail, then what is stored after.
    let mut follow = Archive::connect(&alice)
        .await
        .unwrap()
        .follow("host-a")
        .await
        .unwrap();
    let mut followed = Vec::new();
    follow_until(&mut follow, &mut followed, 1_000).await;
    assert_eq!(session.ship(&records, 0).await.unwrap(), 1_500);
    follow_until(&mut follow, &mut followed, 1_500).await;
    assert!(
        records_of(&followed) == records,
        "the followed records are the shipped ones, in order, once"
    );
    drop(follow);
    drop(session);

    let own_dir = running.own_dir.clone();
    running.stop().await;
    let accesses = accesses(&own_dir);
    let said = |what: &str| {
        accesses.iter().any(|text| {
            text.starts_with("bsmcollectd: analyst alice (127.0.0.2:") && text.ends_with(what)
        })
    };
    assert!(said("listed the trails of every host"), "{accesses:?}");
    assert!(said("listed the trails of host-a"), "{accesses:?}");
    for trail in &listed {
        assert!(
            said(&format!("fetched host-a/{}", trail.name)),
            "{accesses:?}"
        );
    }
    assert!(said("follows host-a"), "{accesses:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_senders_certificate_may_not_read_and_the_refusal_is_recorded() {
    let scratch = Scratch::new("not-analyst");
    let senders = Authority::new();
    let analysts = Authority::new();
    let running = start_with_analysts(&scratch.0, &senders, &analysts).await;
    let host_files = senders.issue("host-a", false, &senders, &scratch.0, "host-a");
    let mut session = Session::connect(&sender(running.addr, ALLOWED, "host-a", &host_files))
        .await
        .unwrap();
    session.ship(&trail(10), 0).await.unwrap();
    drop(session);

    let host_b = senders.issue("host-b", false, &senders, &scratch.0, "host-b");
    let error = match Archive::connect(&analyst(running.addr, "host-b", &host_b))
        .await
        .unwrap()
        .fetch("host-a", "x")
        .await
    {
        Ok(_) => panic!("a sender's certificate fetched"),
        Err(err) => err,
    };
    assert!(
        matches!(&error, FetchError::Refused(why) if why.contains("host-b's certificate is a sender's")),
        "{error}"
    );

    let own_dir = running.own_dir.clone();
    running.stop().await;
    let refusals = refusals(&own_dir);
    assert!(
        refusals.iter().any(
            |(peer, why)| *peer == ALLOWED.parse::<std::net::IpAddr>().unwrap()
                && why.contains(
                    "host-b's certificate is a sender's; only analysts may list, fetch or follow"
                )
        ),
        "{refusals:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_an_analysts_ca_an_analyst_is_refused_at_the_handshake() {
    let scratch = Scratch::new("no-analysts");
    let senders = Authority::new();
    let analysts = Authority::new();
    let running = start(&scratch.0, &senders).await;
    let alice = analysts.issue("alice", false, &senders, &scratch.0, "alice");
    let outcome = match Archive::connect(&analyst(running.addr, "alice", &alice)).await {
        Ok(archive) => archive.list("").await.map(drop),
        Err(err) => Err(err),
    };
    assert!(
        outcome.is_err(),
        "an unknown CA's analyst listed the trails"
    );
    let own_dir = running.own_dir.clone();
    running.stop().await;
    let refusals = refusals(&own_dir);
    assert!(
        refusals.iter().any(|(_, why)| why.contains("TLS")),
        "{refusals:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_in_a_request_are_looked_up_not_taken_as_paths() {
    let scratch = Scratch::new("names");
    let senders = Authority::new();
    let analysts = Authority::new();
    let running = start_with_analysts(&scratch.0, &senders, &analysts).await;
    let host_files = senders.issue("host-a", false, &senders, &scratch.0, "host-a");
    let mut session = Session::connect(&sender(running.addr, ALLOWED, "host-a", &host_files))
        .await
        .unwrap();
    session.ship(&trail(10), 0).await.unwrap();
    drop(session);
    // a trail of the collector's own, next to the senders' directories
    let own_trail = bsm_format::list_trail_dir(&running.own_dir).unwrap()[0]
        .file_name()
        .to_str()
        .unwrap()
        .to_owned();
    let alice_files = analysts.issue("alice", false, &senders, &scratch.0, "alice");
    let alice = analyst(running.addr, "alice", &alice_files);

    let refused = |outcome: Result<TrailStream, FetchError>| match outcome {
        Ok(_) => panic!("answered"),
        Err(FetchError::Refused(why)) => why,
        Err(other) => panic!("{other}"),
    };
    let archive = || Archive::connect(&alice);
    let why = refused(
        archive()
            .await
            .unwrap()
            .fetch("host-a", &format!("../../collector/{own_trail}"))
            .await,
    );
    assert!(why.starts_with("host-a has no trail"), "{why}");
    let why = refused(
        archive()
            .await
            .unwrap()
            .fetch("..", &format!("collector/{own_trail}"))
            .await,
    );
    assert_eq!(why, "no trails of a host \"..\"");
    let why = refused(archive().await.unwrap().follow("nobody").await);
    assert_eq!(why, "no trails of a host \"nobody\"");
    running.stop().await;
}

#[test]
fn the_analysts_ca_must_not_be_the_senders() {
    let scratch = Scratch::new("one-ca");
    let senders = Authority::new();
    fs::write(scratch.0.join("allow"), "127.0.0.2\n").unwrap();
    let tls = senders.issue("localhost", false, &senders, &scratch.0, "collector");
    let error = match Collector::new(CollectorConfig {
        allow_list: scratch.0.join("allow"),
        dir: scratch.0.join("remote"),
        own_dir: scratch.0.join("collector"),
        analyst_ca: Some(tls.ca.clone()),
        tls,
        silence: Duration::from_secs(90),
    }) {
        Ok(_) => panic!("one CA for senders and analysts was taken"),
        Err(err) => err.to_string(),
    };
    assert!(error.contains("analysts need a CA of their own"), "{error}");
}
