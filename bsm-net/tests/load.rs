//! Load: 8 senders × 250,000 records at once into one collector; each
//! host's trails then hold exactly its records, byte for byte, in order.

mod common;

use std::time::Instant;

use bsm_net::sender::Session;
use bsm_writer::{RecordBuilder, token};

use common::*;

const SENDERS: usize = 8;
const RECORDS: u32 = 250_000;

/// Host `host`'s records, each naming its host and number.
fn host_records(host: usize) -> Vec<u8> {
    (0..RECORDS)
        .flat_map(|n| {
            RecordBuilder::new(72)
                .with(token::sequence(n).unwrap())
                .with(token::text(format!("host-{host} record {n}")).unwrap())
                .with(token::return32(0, 0).unwrap())
                .close()
                .unwrap()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_senders_at_once_each_get_every_record_stored_once() {
    let scratch = Scratch::new("load");
    let authority = Authority::new();
    let running = start(&scratch.0, &authority).await;
    let started = Instant::now();
    let mut shipping = Vec::new();
    let mut all = Vec::new();
    for host in 0..SENDERS {
        let name = format!("host-{host}");
        let files = authority.issue(&name, false, &authority, &scratch.0, &name);
        let config = sender(running.addr, ALLOWED, &name, &files);
        let records = host_records(host);
        all.push(records.clone());
        shipping.push(tokio::spawn(async move {
            let mut session = Session::connect(&config).await.unwrap();
            let shipped = session.ship_records(&records, 0).await.unwrap();
            session.close().await.unwrap();
            shipped
        }));
    }
    for task in shipping {
        assert_eq!(task.await.unwrap(), u64::from(RECORDS));
    }
    eprintln!(
        "{} records from {SENDERS} senders in {:.2?} (records made included)",
        SENDERS as u64 * u64::from(RECORDS),
        started.elapsed()
    );
    let dir = running.dir.clone();
    running.stop().await;
    for (host, records) in all.iter().enumerate() {
        let stored = stored_records(&dir.join(format!("host-{host}")));
        assert_eq!(
            stored.len(),
            records.len(),
            "host-{host}: every record once"
        );
        assert!(stored == *records, "host-{host}: byte for byte, in order");
    }
}
