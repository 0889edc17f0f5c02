//! bsm-format's throughput on the generated benchmark trail (about 124 MB,
//! one million records; see `bsm_benches`).
//!
//! - `split`: [`Splitter`] over the whole trail, counting records.
//! - `decode_all`: split, and decode every token of every record.
//! - `stream_split`: [`StreamSplitter`] over a `&[u8]` reader.
//! - `accessors`: `subject()` and `return_value()` of every record, as an IDS
//!   would read a trail.
//!
//! Every benchmark reports bytes of trail per second; divide the record count
//! printed at the start by the time per iteration for records per second.

use bsm_benches::{BENCH_RECORDS, BENCH_SEED, generate_trail};
use bsm_format::{Splitter, StreamSplitter, TrailItem};
use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Duration;

fn split(trail: &[u8]) -> usize {
    let mut records = 0;
    for item in Splitter::new(trail) {
        if let TrailItem::Record(record) = item.expect("the trail splits") {
            black_box(&record);
            records += 1;
        }
    }
    records
}

fn decode_all(trail: &[u8]) -> usize {
    let mut tokens = 0;
    for item in Splitter::new(trail) {
        if let TrailItem::Record(record) = item.expect("the trail splits") {
            for token in record.tokens() {
                black_box(token.expect("every token decodes"));
                tokens += 1;
            }
        }
    }
    tokens
}

fn stream_split(trail: &[u8]) -> usize {
    let mut records = 0;
    for item in StreamSplitter::new(trail) {
        if let bsm_format::OwnedItem::Record(record) = item.expect("the trail splits") {
            black_box(&record);
            records += 1;
        }
    }
    records
}

fn accessors(trail: &[u8]) -> u64 {
    let mut failures = 0;
    for item in Splitter::new(trail) {
        if let TrailItem::Record(record) = item.expect("the trail splits") {
            let subject = black_box(record.subject());
            let ret = black_box(record.return_value());
            if subject.is_some() && ret.is_some_and(|r| !r.is_success()) {
                failures += 1;
            }
        }
    }
    failures
}

fn format(c: &mut Criterion) {
    let trail = generate_trail(BENCH_RECORDS, BENCH_SEED);
    let records = split(&trail);
    let tokens = decode_all(&trail);
    eprintln!(
        "benchmark trail: {} bytes, {records} records, {tokens} tokens ({:.1} bytes/record)",
        trail.len(),
        trail.len() as f64 / records as f64
    );
    assert_eq!(records, BENCH_RECORDS);

    let mut group = c.benchmark_group("format");
    group
        .throughput(Throughput::Bytes(trail.len() as u64))
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    group.bench_function("split", |b| b.iter(|| split(black_box(&trail))));
    group.bench_function("decode_all", |b| b.iter(|| decode_all(black_box(&trail))));
    group.bench_function("stream_split", |b| {
        b.iter(|| stream_split(black_box(&trail)))
    });
    group.bench_function("accessors", |b| b.iter(|| accessors(black_box(&trail))));
    group.finish();
}

criterion_group!(benches, format);
criterion_main!(benches);
