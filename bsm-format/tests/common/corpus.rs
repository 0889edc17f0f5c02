//! OpenBSM's conformance corpus, as the crates' tests find it: beside the
//! checkout, in `shared/conformance`. Included by each crate's tests with
//! `#[path]`, so that all of them read the same files the same way.

use std::fs;
use std::path::{Path, PathBuf};

pub fn conformance_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance")
}

/// Every `.bsm` file of the corpus, sorted; panics (never skips) if the
/// corpus is missing.
pub fn corpus() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for sub in ["reference", "extra"] {
        let dir = conformance_dir().join(sub);
        let entries = fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("conformance corpus missing at {}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("directory entry").path();
            if path.extension().is_some_and(|e| e == "bsm") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// A file of one bare token (`*_token*`), not of a whole record.
pub fn is_bare_token(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.contains("_token") && !n.contains("_record"))
}
