//! Helpers of the trail tests: scratch directories, test records, and
//! reading a trail back with bsm-format.
// Each test file uses a part of these.
#![allow(dead_code)]

use bsm_format::{Splitter, Token, TrailItem};
use bsm_writer::{AuditTime, RecordBuilder, token};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// A fresh directory under the system's temp directory, removed on drop.
pub struct ScratchDir {
    pub path: PathBuf,
}

impl ScratchDir {
    pub fn new(label: &str) -> ScratchDir {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let path = std::env::temp_dir().join(format!(
            "bsm-writer-{label}-{}-{}-{nanos}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        fs::create_dir_all(&path).unwrap();
        ScratchDir { path }
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.path);
    }
}

/// A record carrying `sequence` and `padding` bytes of text.
pub fn test_record(sequence: u32, padding: usize) -> Vec<u8> {
    RecordBuilder::new(72)
        .at(AuditTime::now())
        .with(token::sequence(sequence).unwrap())
        .with(token::text("x".repeat(padding)).unwrap())
        .with(token::return32(0, 0).unwrap())
        .close()
        .unwrap()
}

/// What a trail holds, read back with bsm-format's splitter.
#[derive(Debug, Default)]
pub struct TrailContents {
    /// The names of the file tokens, in order.
    pub file_names: Vec<Vec<u8>>,
    /// The sequence numbers of the records, in order.
    pub sequences: Vec<u32>,
    /// Where each item starts: file tokens `'f'`, records `'r'`.
    pub kinds: String,
    /// The damage that ended the split, if any.
    pub damage: Option<bsm_format::Error>,
}

pub fn read_trail(path: &Path) -> TrailContents {
    let bytes = fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut contents = TrailContents::default();
    for item in Splitter::new(&bytes) {
        match item {
            Ok(TrailItem::File(file)) => {
                let Token::File(token) = file.token else {
                    panic!("{}: a 64-bit file token", path.display());
                };
                contents.file_names.push(token.name.bytes().to_vec());
                contents.kinds.push('f');
            }
            Ok(TrailItem::Record(record)) => {
                let sequence = record.body().find_map(|token| match token {
                    Ok(Token::Sequence(s)) => Some(s.sequence),
                    _ => None,
                });
                contents.sequences.extend(sequence);
                contents.kinds.push('r');
            }
            Err(err) => contents.damage = Some(err),
        }
    }
    contents
}

/// The names of the entries of `dir`, sorted.
pub fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}
