//! bsmexport as a user runs it: partitions, selection, damaged input, an
//! unwritable output directory.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use arrow_array::cast::AsArray;
use arrow_array::types::UInt64Type;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/sample.bsm")
}

fn scratch(label: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("bsmexport-{label}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn bsmexport(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bsmexport"))
        .args(args)
        .output()
        .unwrap()
}

/// Every .parquet file under `dir`, and the offsets of their rows.
fn exported(dir: &Path) -> (Vec<PathBuf>, Vec<u64>) {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut offsets = Vec::new();
    for file in files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "parquet"))
    {
        let reader = ParquetRecordBatchReaderBuilder::try_new(fs::File::open(file).unwrap())
            .unwrap()
            .build()
            .unwrap();
        for batch in reader {
            let batch = batch.unwrap();
            let column = batch
                .column_by_name("offset")
                .unwrap()
                .as_primitive::<UInt64Type>();
            offsets.extend(column.values().iter().copied());
        }
    }
    (files, offsets)
}

#[test]
fn the_sample_trail_is_one_partition_of_its_host_and_day() {
    let out = scratch("partition");
    let output = bsmexport(&[
        "--out",
        out.to_str().unwrap(),
        "--host",
        "web1",
        sample().to_str().unwrap(),
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let (files, offsets) = exported(&out);
    assert_eq!(
        files,
        [out.join("host=web1/date=2023-11-14/part-0.parquet")]
    );
    // 200 records (fixtures/README.md), in trail order
    assert_eq!(offsets.len(), 200);
    assert!(offsets.windows(2).all(|w| w[0] < w[1]));
    // a second run into it is refused without --append
    let again = bsmexport(&[
        "--out",
        out.to_str().unwrap(),
        "--host",
        "web1",
        sample().to_str().unwrap(),
    ]);
    assert_eq!(again.status.code(), Some(64));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--append"));
    // the sample as another host's: a file of its own, beside
    let other = bsmexport(&[
        "--out",
        out.to_str().unwrap(),
        "--append",
        "--host",
        "web2",
        "-m",
        "AUE_EXECVE",
        sample().to_str().unwrap(),
    ]);
    assert!(other.status.success());
    let (files, offsets) = exported(&out);
    assert_eq!(files.len(), 2);
    assert!(files[1].ends_with("host=web2/date=2023-11-14/part-0.parquet"));
    // the sample holds 13 execve records (fixtures/README.md)
    assert_eq!(offsets.len(), 200 + 13);
}

#[test]
fn append_twice_over_a_growing_trail_loses_no_row_and_doubles_none() {
    let dir = scratch("append");
    let bytes = fs::read(sample()).unwrap();
    let trail = dir.join("current.bsm");
    let table = dir.join("table");
    let run = || {
        let output = bsmexport(&[
            "--out",
            table.to_str().unwrap(),
            "--append",
            "--host",
            "h",
            trail.to_str().unwrap(),
        ]);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    // the file token (52 bytes) and the first records, then all of it,
    // then once more with nothing new: cut at a record's start
    let mut cut = 52;
    while cut < bytes.len() / 2 {
        cut += u32::from_be_bytes([
            bytes[cut + 1],
            bytes[cut + 2],
            bytes[cut + 3],
            bytes[cut + 4],
        ]) as usize;
    }
    fs::write(&trail, &bytes[..cut]).unwrap();
    run();
    let (_, first) = exported(&table);
    assert!(!first.is_empty() && first.len() < 200);
    fs::write(&trail, &bytes).unwrap();
    let said = run();
    assert!(
        said.contains(&format!("{} exported before, skipped", first.len())),
        "{said}"
    );
    let said = run();
    assert!(said.contains("0 records in 0 files"), "{said}");
    let (files, mut offsets) = exported(&table);
    assert_eq!(files.len(), 2, "one file a run that had rows: {files:?}");
    offsets.sort();
    let before = offsets.len();
    offsets.dedup();
    assert_eq!(offsets.len(), before, "no row twice");
    assert_eq!(offsets.len(), 200, "no row lost");
}

#[test]
fn a_run_that_died_leaves_no_file_an_engine_reads_and_append_clears_it() {
    let dir = scratch("died");
    let table = dir.join("table");
    let part = table.join("host=h/date=2023-11-14");
    fs::create_dir_all(&part).unwrap();
    fs::write(part.join(".part-0.parquet.tmp"), b"half a file").unwrap();
    let output = bsmexport(&[
        "--out",
        table.to_str().unwrap(),
        "--append",
        "--host",
        "h",
        sample().to_str().unwrap(),
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let (files, offsets) = exported(&table);
    assert_eq!(files, [part.join("part-0.parquet")]);
    assert_eq!(offsets.len(), 200);
}

#[test]
fn a_damaged_trail_exports_every_intact_record_and_fails() {
    let out = scratch("damaged");
    let mut bytes = fs::read(sample()).unwrap();
    // a file token of 52 bytes, then the first record: break its header id
    bytes[52] = 0x00;
    let trail = out.join("damaged.bsm");
    fs::write(&trail, &bytes).unwrap();
    let table = out.join("table");
    let output = bsmexport(&[
        "--out",
        table.to_str().unwrap(),
        "--host",
        "h",
        trail.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("damaged region at byte offset 52"),
        "{stderr}"
    );
    let (_, offsets) = exported(&table);
    assert_eq!(offsets.len(), 199, "all but the damaged record");
}

#[test]
fn an_unwritable_output_directory_is_a_clear_error_with_nothing_left_behind() {
    let out = scratch("unwritable");
    let blocker = out.join("not-a-dir");
    fs::write(&blocker, b"").unwrap();
    let table = blocker.join("table");
    let output = bsmexport(&["--out", table.to_str().unwrap(), sample().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(table.to_str().unwrap()), "{stderr}");
    assert_eq!(
        fs::read_dir(&out).unwrap().count(),
        1,
        "nothing but the blocker"
    );
}

#[test]
fn a_bad_option_is_a_usage_error() {
    assert_eq!(bsmexport(&["--bogus"]).status.code(), Some(64));
    assert_eq!(
        bsmexport(&["--out", "/tmp/x", "-m", "AUE_NO_SUCH"])
            .status
            .code(),
        Some(64)
    );
}

#[test]
fn a_run_that_died_between_renames_is_taken_out_whole_and_exported_again() {
    let dir = scratch("died-renaming");
    // a trail of two days: the sample (2023-11-14) then a corpus record
    // (2008-12-28), so that one run writes two files
    let mut bytes = fs::read(sample()).unwrap();
    bytes.extend(
        fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../shared/conformance/reference/subject32_record.bsm"),
        )
        .unwrap(),
    );
    let trail = dir.join("two-days.bsm");
    fs::write(&trail, &bytes).unwrap();
    let table = dir.join("table");
    let export = || {
        let output = bsmexport(&[
            "--out",
            table.to_str().unwrap(),
            "--append",
            "--host",
            "h",
            trail.to_str().unwrap(),
        ]);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    export();
    let (files, offsets) = exported(&table);
    assert_eq!(files.len(), 2);
    assert_eq!(offsets.len(), 201);
    // as if the run had died before its second rename
    let later = files
        .iter()
        .find(|f| f.to_string_lossy().contains("date=2023-11-14"))
        .unwrap();
    fs::remove_file(later).unwrap();
    let said = export();
    assert!(said.contains("left 1 of its 2 files"), "{said}");
    let (files, mut offsets) = exported(&table);
    assert_eq!(files.len(), 2);
    offsets.sort();
    assert_eq!(offsets.len(), 201, "no record lost or doubled");
    offsets.dedup();
    assert_eq!(offsets.len(), 201, "every record once");
}

#[test]
fn query_runs_sql_over_the_table_with_host_and_date_from_the_partitions() {
    let dir = scratch("query");
    let table = dir.join("table");
    let table = table.to_str().unwrap();
    let sample = sample();
    let sample = sample.to_str().unwrap();
    for args in [
        vec!["--out", table, "--host", "web1", sample],
        vec![
            "--out",
            table,
            "--append",
            "--host",
            "web2",
            "-m",
            "AUE_EXECVE",
            sample,
        ],
    ] {
        assert!(bsmexport(&args).status.success());
    }
    let output = bsmexport(&[
        "--out",
        table,
        "--query",
        "select host, event_name, count(*) as n from audit where date = '2023-11-14' \
         group by host, event_name order by host, n desc, event_name",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let rows: Vec<Vec<String>> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|line| line.starts_with('|'))
        .map(|line| {
            line.trim_matches('|')
                .split('|')
                .map(|cell| cell.trim().to_owned())
                .collect()
        })
        .collect();
    // the header, web1's 13 events (fixtures/README.md), web2's execs
    assert_eq!(rows[0], ["host", "event_name", "n"]);
    assert_eq!(rows[1], ["web1", "AUE_OPEN_R", "65"]);
    assert_eq!(rows[2], ["web1", "AUE_CONNECT", "26"]);
    assert_eq!(rows.len(), 1 + 13 + 1);
    assert_eq!(rows[14], ["web2", "AUE_EXECVE", "13"]);
    let bad = bsmexport(&["--out", table, "--query", "select nothing from nowhere"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--query"));
}
