//! Decodes BSM trails and prints one JSON object per record or file token.
//!
//! Usage: `bsmdump [FILE...]` (no file, or `-`: standard input). Damage is
//! reported on standard error with the file and byte offset; the exit code
//! is then 1, and every intact record before it has been printed.

use bsm_format::{Error, OwnedItem, StreamSplitter};
use serde::Serialize;
use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::process::ExitCode;

#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Line<'a> {
    Record(bsm_format::Record<'a>),
    File {
        offset: u64,
        token: bsm_format::Token<'a>,
    },
}

fn dump(name: &str, input: impl Read, out: &mut impl Write) -> io::Result<Option<Error>> {
    for item in StreamSplitter::new(input) {
        let item = match item {
            Ok(item) => item,
            Err(err) => return Ok(Some(err)),
        };
        match &item {
            OwnedItem::Record(owned) => {
                serde_json::to_writer(&mut *out, &Line::Record(owned.record()))?
            }
            OwnedItem::File(file) => serde_json::to_writer(
                &mut *out,
                &Line::File {
                    offset: file.offset(),
                    token: file.token(),
                },
            )?,
        }
        out.write_all(b"\n")
            .map_err(|e| io::Error::new(e.kind(), format!("{name}: {e}")))?;
    }
    Ok(None)
}

fn main() -> ExitCode {
    let mut names: Vec<String> = std::env::args().skip(1).collect();
    if names.is_empty() {
        names.push("-".into());
    }
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut failed = false;
    for name in &names {
        let result = if name == "-" {
            dump("stdin", io::stdin().lock(), &mut out)
        } else {
            match File::open(name) {
                Ok(file) => dump(name, file, &mut out),
                Err(err) => {
                    eprintln!("bsmdump: {name}: {err}");
                    failed = true;
                    continue;
                }
            }
        };
        match result {
            Ok(None) => {}
            Ok(Some(damage)) => {
                eprintln!("bsmdump: {name}: {damage}");
                failed = true;
            }
            Err(err) => {
                eprintln!("bsmdump: {name}: {err}");
                return ExitCode::FAILURE;
            }
        }
    }
    if out.flush().is_err() || failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
