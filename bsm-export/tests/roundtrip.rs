//! Every record of the conformance corpus and of fixtures/sample.bsm
//! exported, read back with the parquet crate, and every column compared
//! with what bsm-format decodes of the record's bytes; the tokens kept
//! whole re-encode to their bytes, and every body token is accounted for.

use std::collections::HashMap;
use std::fs;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};

use arrow_array::cast::AsArray;
use arrow_array::types::{TimestampMillisecondType, UInt8Type, UInt16Type, UInt32Type, UInt64Type};
use arrow_array::{Array, ListArray, RecordBatch, StructArray};
use bsm_export::export::{ExportSink, Exporter};
use bsm_export::rows::Naming;
use bsm_export::schema::{SCHEMA_VERSION, SCHEMA_VERSION_KEY, schema};
use bsm_format::tables::EventTable;
use bsm_format::{Record, Splitter, Token, TrailItem, decode_token, encode_token};
use bsm_reader::reduce::{Reduction, open_inputs};
use bsm_reader::{Parallelism, ReadOptions};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

fn shared(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/conformance")
        .join(path)
}

/// The trails: the bundled sample and every corpus file that splits into
/// records.
fn trails() -> Vec<PathBuf> {
    let mut files = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/sample.bsm")];
    for dir in ["reference", "extra"] {
        let mut found: Vec<PathBuf> = fs::read_dir(shared(dir))
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "bsm"))
            .filter(|path| {
                let bytes = fs::read(path).unwrap();
                let items: Result<Vec<_>, _> = Splitter::new(&bytes).collect();
                items.is_ok_and(|items| items.iter().any(|i| matches!(i, TrailItem::Record(_))))
            })
            .collect();
        found.sort();
        files.extend(found);
    }
    assert!(files.len() > 40, "the corpus is at ../shared/conformance");
    files
}

fn export(trails: &[PathBuf], out: &Path) -> Vec<PathBuf> {
    let naming = Naming {
        events: EventTable::builtin(),
        users: Default::default(),
    };
    let mut exporter = Exporter::new(out, &naming).unwrap();
    for trail in trails {
        let (readers, opened) = open_inputs(
            "test",
            std::slice::from_ref(trail),
            (None, None),
            ReadOptions::default(),
        );
        assert!(opened);
        for mut reader in readers {
            exporter.set_origin("test-host", reader.source());
            let mut sink = ExportSink(&mut exporter);
            let mut reduction = Reduction::new("test", None, &mut sink);
            reduction
                .read(&mut reader, Parallelism::new(NonZeroUsize::MIN))
                .unwrap();
            assert!(reduction.finish().unwrap(), "{} is intact", trail.display());
        }
    }
    exporter.close().unwrap()
}

fn read_back(files: &[PathBuf]) -> Vec<RecordBatch> {
    let mut batches = Vec::new();
    for file in files {
        let builder =
            ParquetRecordBatchReaderBuilder::try_new(fs::File::open(file).unwrap()).unwrap();
        let metadata = builder
            .metadata()
            .file_metadata()
            .key_value_metadata()
            .unwrap();
        assert!(
            metadata
                .iter()
                .any(|kv| kv.key == SCHEMA_VERSION_KEY
                    && kv.value.as_deref() == Some(SCHEMA_VERSION))
        );
        for batch in builder.build().unwrap() {
            let batch = batch.unwrap();
            assert_eq!(batch.schema().fields(), schema().fields());
            batches.push(batch);
        }
    }
    batches
}

fn strings(list: &ListArray, row: usize) -> Vec<String> {
    let values = list.value(row);
    let values = values.as_string::<i32>();
    (0..values.len())
        .map(|i| values.value(i).to_owned())
        .collect()
}

fn opt_u32(batch: &RecordBatch, column: &str, row: usize) -> Option<u32> {
    let array = batch
        .column_by_name(column)
        .unwrap()
        .as_primitive::<UInt32Type>();
    array.is_valid(row).then(|| array.value(row))
}

/// Checks one exported row against the record it came from.
fn check_row(batch: &RecordBatch, row: usize, record: &Record<'_>) {
    let at = format!(
        "{} at {}",
        batch
            .column_by_name("source")
            .unwrap()
            .as_string::<i32>()
            .value(row),
        record.offset()
    );
    let header = record.header();
    let u16s = |name| {
        batch
            .column_by_name(name)
            .unwrap()
            .as_primitive::<UInt16Type>()
            .value(row)
    };
    assert_eq!(u16s("event"), header.event, "{at}");
    assert_eq!(u16s("modifier"), header.modifier, "{at}");
    let version = batch
        .column_by_name("version")
        .unwrap()
        .as_primitive::<UInt8Type>();
    assert_eq!(version.value(row), header.version, "{at}");
    let time = batch
        .column_by_name("time")
        .unwrap()
        .as_primitive::<TimestampMillisecondType>();
    assert_eq!(
        time.is_valid(row).then(|| time.value(row)),
        header.time().map(|t| t.timestamp_millis()),
        "{at}"
    );
    let subject = record.subject();
    assert_eq!(opt_u32(batch, "auid", row), subject.map(|s| s.auid), "{at}");
    assert_eq!(opt_u32(batch, "pid", row), subject.map(|s| s.pid), "{at}");
    assert_eq!(opt_u32(batch, "sid", row), subject.map(|s| s.sid), "{at}");
    let process = batch.column_by_name("process").unwrap().as_struct();
    assert_eq!(process.is_valid(row), record.process().is_some(), "{at}");
    let outcome = record.return_value();
    let value = batch
        .column_by_name("return_value")
        .unwrap()
        .as_primitive::<UInt64Type>();
    assert_eq!(
        value.is_valid(row).then(|| value.value(row)),
        outcome.map(|o| o.value),
        "{at}"
    );
    let list = |name: &str| batch.column_by_name(name).unwrap().as_list::<i32>().clone();
    let paths: Vec<String> = record
        .paths()
        .map(|p| p.to_str_lossy().into_owned())
        .collect();
    assert_eq!(strings(&list("paths"), row), paths, "{at}");
    let args: Vec<String> = record
        .exec_args()
        .map(|a| {
            a.iter()
                .map(|s| String::from_utf8_lossy(s).into_owned())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(strings(&list("exec_args"), row), args, "{at}");

    // The tokens kept whole re-encode to their bytes; with the covered
    // ones they are every body token.
    let others = list("other_tokens");
    let others_row = others.value(row);
    let others_row: &StructArray = others_row.as_struct();
    let bytes = others_row.column(1).as_binary::<i32>();
    for i in 0..bytes.len() {
        let (token, len) = decode_token(bytes.value(i)).unwrap();
        assert_eq!(len, bytes.value(i).len(), "{at}");
        let mut again = Vec::new();
        encode_token(&token, &mut again).unwrap();
        assert_eq!(again, bytes.value(i), "{at}: kept token re-encodes");
    }
    let tokens: Vec<Token<'_>> = record.body().map(Result::unwrap).collect();
    let n = |pred: &dyn Fn(&Token<'_>) -> bool| tokens.iter().filter(|t| pred(t)).count();
    let in_list = |name: &str| list(name).value(row).len();
    let paths = n(&|t| matches!(t, Token::Path(_)));
    let texts = n(&|t| matches!(t, Token::Text(_)));
    let arguments = n(&|t| matches!(t, Token::Arg32(_) | Token::Arg64(_)));
    let sockets = n(&|t| {
        matches!(
            t,
            Token::Socket(_)
                | Token::SocketEx(_)
                | Token::SockInet32(_)
                | Token::SockInet128(_)
                | Token::SockUnix(_)
        )
    });
    let execs = n(&|t| matches!(t, Token::ExecArgs(_) | Token::ExecEnv(_)));
    assert_eq!(in_list("paths"), paths, "{at}");
    assert_eq!(in_list("texts"), texts, "{at}");
    assert_eq!(in_list("args"), arguments, "{at}");
    assert_eq!(in_list("sockets"), sockets, "{at}");
    let firsts = usize::from(subject.is_some())
        + usize::from(record.process().is_some())
        + usize::from(outcome.is_some())
        + usize::from(batch.column_by_name("attr").unwrap().is_valid(row));
    // Kept whole too: a token whose text is not UTF-8.
    let not_utf8 = n(&|t| {
        let utf8 = |bytes: &[u8]| std::str::from_utf8(bytes).is_ok();
        match t {
            Token::Path(p) => !utf8(p.path.bytes()),
            Token::Text(x) => !utf8(x.text.bytes()),
            Token::Arg32(a) => !utf8(a.text.bytes()),
            Token::Arg64(a) => !utf8(a.text.bytes()),
            Token::SockUnix(u) => !utf8(u.path.bytes()),
            Token::ExecArgs(e) | Token::ExecEnv(e) => !e.strings.iter().all(utf8),
            _ => false,
        }
    });
    let lists = paths + texts + arguments + sockets + execs;
    assert_eq!(
        bytes.len(),
        tokens.len() - lists - firsts + not_utf8,
        "{at}: every body token is in a column or kept whole"
    );
}

#[test]
fn every_record_exports_and_reads_back_as_bsm_format_decodes_it() {
    let out = std::env::temp_dir().join(format!("bsm-export-roundtrip-{}", std::process::id()));
    let _ = fs::remove_dir_all(&out);
    let trails = trails();
    let files = export(&trails, &out);
    let batches = read_back(&files);
    let mut bytes_of: HashMap<String, Vec<u8>> = HashMap::new();
    let mut rows = 0;
    for batch in &batches {
        let sources = batch.column_by_name("source").unwrap().as_string::<i32>();
        let offsets = batch
            .column_by_name("offset")
            .unwrap()
            .as_primitive::<UInt64Type>();
        for row in 0..batch.num_rows() {
            let source = sources.value(row).to_owned();
            let trail = bytes_of
                .entry(source.clone())
                .or_insert_with(|| fs::read(&source).unwrap());
            let offset = offsets.value(row);
            let record = Splitter::new(trail)
                .filter_map(Result::ok)
                .find_map(|item| match item {
                    TrailItem::Record(r) if r.offset() == offset => Some(r),
                    _ => None,
                })
                .unwrap_or_else(|| panic!("{source}: no record at {offset}"));
            check_row(batch, row, &record);
            rows += 1;
        }
    }
    let want: usize = trails
        .iter()
        .map(|trail| {
            let bytes = fs::read(trail).unwrap();
            Splitter::new(&bytes)
                .filter(|item| matches!(item, Ok(TrailItem::Record(_))))
                .count()
        })
        .sum();
    assert_eq!(rows, want, "every record is one row");
    let _ = fs::remove_dir_all(&out);
}
