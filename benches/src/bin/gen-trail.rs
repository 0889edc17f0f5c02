//! `gen-trail OUT.bsm [RECORDS] [SEED]`: writes a generated benchmark trail.
//!
//! RECORDS defaults to 1000000 and SEED to the benchmark's seed, so that
//! `gen-trail OUT.bsm` writes the very trail `cargo bench` measures. OUT may
//! be `-` for standard output. SEED may be decimal or `0x` hexadecimal.

use bsm_benches::{BENCH_RECORDS, BENCH_SEED, write_trail};
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

const USAGE: &str = "usage: gen-trail OUT.bsm [RECORDS] [SEED]";

fn parse_u64(text: &str) -> Option<u64> {
    let text = text.replace('_', "");
    match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.is_empty() || args.len() > 3 || args.iter().any(|a| a == "-h" || a == "--help") {
        eprintln!("{USAGE}");
        return if args.iter().any(|a| a == "-h" || a == "--help") {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(2)
        };
    }
    let records = match args
        .get(1)
        .map(|a| parse_u64(a).and_then(|n| usize::try_from(n).ok()))
    {
        None => BENCH_RECORDS,
        Some(Some(n)) => n,
        Some(None) => {
            eprintln!(
                "gen-trail: RECORDS must be a number, not {:?}\n{USAGE}",
                args[1]
            );
            return ExitCode::from(2);
        }
    };
    let seed = match args.get(2).map(|a| parse_u64(a)) {
        None => BENCH_SEED,
        Some(Some(n)) => n,
        Some(None) => {
            eprintln!(
                "gen-trail: SEED must be a number, not {:?}\n{USAGE}",
                args[2]
            );
            return ExitCode::from(2);
        }
    };
    let out = &args[0];
    let result = if out == "-" {
        let stdout = io::stdout();
        let mut writer = BufWriter::new(stdout.lock());
        write_trail(&mut writer, records, seed).and_then(|n| writer.flush().map(|()| n))
    } else {
        File::create(out).and_then(|file| {
            let mut writer = BufWriter::new(file);
            let n = write_trail(&mut writer, records, seed)?;
            writer
                .into_inner()
                .map_err(|e| e.into_error())?
                .sync_all()?;
            Ok(n)
        })
    };
    match result {
        Ok(bytes) => {
            eprintln!(
                "gen-trail: wrote {bytes} bytes, {records} records (seed {seed:#x}) to {out}"
            );
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("gen-trail: {out}: {err}");
            ExitCode::FAILURE
        }
    }
}
