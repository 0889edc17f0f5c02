//! The generated trail is what the benchmarks claim it is, and the bundled
//! sample trail is the generator's output.

use bsm_benches::{AUIDS, EVENTS, SAMPLE_RECORDS, SAMPLE_SEED, generate_trail, write_trail};
use bsm_format::{Splitter, Token, TrailItem};
use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

/// What a trail holds, counted.
#[derive(Debug, Default)]
struct Census {
    records: usize,
    files: Vec<String>,
    tokens: usize,
    events: BTreeMap<u16, usize>,
    auids: BTreeSet<u32>,
    ids: BTreeMap<u8, usize>,
    failures: usize,
    header32_ex_v4: usize,
    header32_ex_v6: usize,
    subject32_ex_v4: usize,
    subject32_ex_v6: usize,
    socket_ex_v6: usize,
    exec_arg_counts: BTreeSet<u32>,
    last_time_ms: u64,
}

/// Splits and decodes every token, panicking at the first error.
fn census(trail: &[u8]) -> Census {
    let mut c = Census::default();
    for item in Splitter::new(trail) {
        match item.expect("the trail splits without error") {
            TrailItem::File(file) => match file.token {
                Token::File(f) => c.files.push(f.name.to_str_lossy().into_owned()),
                other => panic!("unexpected file token {other:?}"),
            },
            TrailItem::Record(record) => {
                c.records += 1;
                *c.events.entry(record.event()).or_default() += 1;
                let header = record.header();
                assert!(header.milliseconds < 1000);
                let time_ms = header.seconds * 1000 + header.milliseconds;
                assert!(time_ms >= c.last_time_ms, "time goes backwards");
                c.last_time_ms = time_ms;
                let mut count = 0;
                for token in record.tokens() {
                    let token = token.expect("every token decodes");
                    count += 1;
                    *c.ids.entry(token.id()).or_default() += 1;
                    match token {
                        Token::Header32Ex(h) if h.host.is_ipv4() => c.header32_ex_v4 += 1,
                        Token::Header32Ex(_) => c.header32_ex_v6 += 1,
                        Token::Subject32Ex(s) => match s.addr {
                            IpAddr::V4(_) => c.subject32_ex_v4 += 1,
                            IpAddr::V6(_) => c.subject32_ex_v6 += 1,
                        },
                        Token::SocketEx(s) if s.local_addr.is_ipv6() => c.socket_ex_v6 += 1,
                        Token::ExecArgs(e) => {
                            c.exec_arg_counts.insert(e.strings.count());
                            assert_eq!(e.strings.iter().count(), e.strings.count() as usize);
                        }
                        _ => {}
                    }
                }
                c.tokens += count;
                assert_eq!(
                    record.tokens().last().map(|t| t.unwrap().id()),
                    Some(0x13),
                    "a record ends with its trailer"
                );
                let subject = record.subject().expect("every record has a subject");
                assert!(AUIDS.contains(&subject.auid));
                c.auids.insert(subject.auid);
                let ret = record.return_value().expect("every record has a return");
                if !ret.is_success() {
                    c.failures += 1;
                }
            }
        }
    }
    c
}

#[test]
fn generated_trail_has_the_documented_mix() {
    const RECORDS: usize = 50_000;
    let trail = generate_trail(RECORDS, bsm_benches::BENCH_SEED);
    let c = census(&trail);
    eprintln!(
        "{} bytes, {} records, {:.1} bytes/record, {} tokens; events {:?}; ids {:?}; failures {}",
        trail.len(),
        c.records,
        trail.len() as f64 / c.records as f64,
        c.tokens,
        c.events,
        c.ids
            .iter()
            .map(|(id, n)| format!("{id:#04x}:{n}"))
            .collect::<Vec<_>>(),
        c.failures,
    );
    assert_eq!(c.records, RECORDS);
    assert_eq!(c.files.len(), 2, "a file token at each end");
    assert!(c.files[0].ends_with(".not_terminated"), "{:?}", c.files);
    assert!(c.files[1].starts_with(&c.files[0][..25]), "{:?}", c.files);

    // 90–130 bytes a record, so that a million records make 90–130 MB.
    let per_record = trail.len() / RECORDS;
    assert!(
        (90..=130).contains(&per_record),
        "{per_record} bytes/record"
    );

    assert!(c.events.len() >= 10, "event types: {:?}", c.events);
    assert_eq!(c.events.len(), EVENTS.len());
    assert!(c.auids.len() >= 20, "auids: {:?}", c.auids);
    assert!(c.failures > RECORDS / 100 && c.failures < RECORDS / 5);

    let has = |id: u8| c.ids.get(&id).copied().unwrap_or(0) > 0;
    for (id, name) in [
        (0x14, "header32"),
        (0x15, "header32_ex"),
        (0x74, "header64"),
        (0x24, "subject32"),
        (0x7a, "subject32_ex"),
        (0x75, "subject64"),
        (0x23, "path"),
        (0x3e, "attr32"),
        (0x2d, "arg32"),
        (0x3c, "exec args"),
        (0x7f, "socket_ex"),
        (0x80, "socket-inet"),
        (0x81, "socket-inet6"),
        (0x27, "return32"),
        (0x72, "return64"),
    ] {
        assert!(has(id), "no {name} token");
    }
    assert!(c.header32_ex_v4 > 0 && c.header32_ex_v6 > 0);
    assert!(c.subject32_ex_v4 > 0 && c.subject32_ex_v6 > 0);
    assert!(c.socket_ex_v6 > 0);
    assert_eq!(
        c.exec_arg_counts.iter().copied().collect::<Vec<_>>(),
        vec![2, 3, 4, 5, 6],
        "exec args of 2 to 6 strings"
    );
}

#[test]
fn generation_is_deterministic_and_seeded() {
    let a = generate_trail(2000, 42);
    assert_eq!(a, generate_trail(2000, 42));
    assert_ne!(a, generate_trail(2000, 43));
    let mut streamed = Vec::new();
    let n = write_trail(&mut streamed, 2000, 42).unwrap();
    assert_eq!(n as usize, a.len());
    assert_eq!(streamed, a);
}

#[test]
fn empty_trail_is_two_file_tokens() {
    let trail = generate_trail(0, 1);
    let c = census(&trail);
    assert_eq!((c.records, c.files.len()), (0, 2));
}

/// `fixtures/sample.bsm` is `gen-trail fixtures/sample.bsm 200 1`, as
/// fixtures/README.md says.
#[test]
fn sample_fixture_is_the_generator_output() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/sample.bsm");
    let fixture = std::fs::read(path).expect("fixtures/sample.bsm is present");
    let expected = generate_trail(SAMPLE_RECORDS, SAMPLE_SEED);
    assert!(
        fixture == expected,
        "fixtures/sample.bsm differs from generate_trail({SAMPLE_RECORDS}, {SAMPLE_SEED}); \
         regenerate it with the command in fixtures/README.md"
    );
    assert!(fixture.len() < 64 * 1024);
    let c = census(&fixture);
    assert_eq!(c.records, SAMPLE_RECORDS);
    assert_eq!(c.files.len(), 2);
    assert!(c.events.len() >= 10, "event types: {:?}", c.events);
}
