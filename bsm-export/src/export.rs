//! Rows into Parquet files laid out for query engines: Hive partitions
//! `host=HOST/date=YYYY-MM-DD/part-N.parquet` (the UTC date of the
//! record; `date=unknown` for a time out of range), zstd pages, row groups
//! of [`ROW_GROUP_ROWS`], rows in time order within each batch (trails are
//! in time order already). A file is written under a hidden temporary
//! name and renamed when it is complete: no half-written file is ever
//! under a name an engine reads.
//!
//! Each file says, in its key-value metadata under [`SOURCES_KEY`], how
//! far into which trail of which host its rows go (`HOST\tTRAIL\tEND`
//! lines, END the byte after the last record exported). That is the
//! checkpoint of `--append` ([`Exporter::resume`]): the files themselves,
//! so that no file can be in the table without its checkpoint, nor the
//! other way round; a later run skips what they cover and never writes a
//! row twice. A run's files are renamed one after the other at its end;
//! each names its run and how many files the run has ([`RUN_KEY`]), and a
//! run found with some missing (it died between two renames) is taken out
//! whole and exported again.

use std::collections::HashMap;
use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};

use arrow_array::{RecordBatch, UInt32Array};
use arrow_schema::ArrowError;
use bsm_format::{FileItem, Record};
use bsm_reader::sink::{Sink, SinkError};
use chrono::DateTime;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::errors::ParquetError;
use parquet::file::metadata::KeyValue;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::file::reader::{FileReader, SerializedFileReader};

use crate::rows::{Naming, Origin, Rows};
use crate::schema::{self, SCHEMA_VERSION, SCHEMA_VERSION_KEY};

/// The key-value metadata key of a file's sources (see the module doc).
pub const SOURCES_KEY: &str = "bsm-export.sources";

/// The key-value metadata key of a file's run: `ID FILES`.
pub const RUN_KEY: &str = "bsm-export.run";

/// How far each (host, trail) was exported: the end of its last record.
pub type ResumePoints = HashMap<(String, String), u64>;

/// Rows a row group holds: large enough for scans, small enough to skip.
pub const ROW_GROUP_ROWS: usize = 1 << 20;

/// Rows built before they are handed to the file's writer.
const BATCH_ROWS: usize = 1 << 16;

const DAY_MS: i64 = 86_400_000;

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("{path}: {source}")]
    Parquet { path: PathBuf, source: ParquetError },
    #[error("building a batch: {0}")]
    Arrow(#[from] ArrowError),
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> ExportError + '_ {
    move |source| ExportError::Io {
        path: path.to_owned(),
        source,
    }
}

/// One partition's file being written.
struct Part {
    host: String,
    /// The UTC day of the partition (ms of its midnight), `None`: unknown.
    day: Option<i64>,
    rows: Rows,
    writer: ArrowWriter<File>,
    temporary: PathBuf,
    path: PathBuf,
    /// The end of the last record of each trail written here.
    sources: ResumePoints,
}

impl Part {
    fn flush(&mut self) -> Result<(), ExportError> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let order = time_order(self.rows.times());
        let mut batch = self.rows.finish()?;
        if let Some(order) = order {
            batch = arrow_select::take::take_record_batch(&batch, &UInt32Array::from(order))?;
        }
        self.write(&batch)
    }

    fn write(&mut self, batch: &RecordBatch) -> Result<(), ExportError> {
        self.writer
            .write(batch)
            .map_err(|source| ExportError::Parquet {
                path: self.temporary.clone(),
                source,
            })
    }

    /// Finishes the file (the `files`th of run `run`) and gives it its name.
    fn close(mut self, run: &str, files: usize) -> Result<PathBuf, ExportError> {
        self.flush()?;
        self.writer
            .append_key_value_metadata(KeyValue::new(RUN_KEY.to_owned(), format!("{run} {files}")));
        let mut sources: Vec<String> = self
            .sources
            .iter()
            .map(|((host, trail), end)| format!("{}\t{}\t{end}", escape(host), escape(trail)))
            .collect();
        sources.sort();
        self.writer
            .append_key_value_metadata(KeyValue::new(SOURCES_KEY.to_owned(), sources.join("\n")));
        self.writer.close().map_err(|source| ExportError::Parquet {
            path: self.temporary.clone(),
            source,
        })?;
        fs::rename(&self.temporary, &self.path).map_err(io_error(&self.path))?;
        Ok(self.path)
    }
}

/// The row order that sorts `times` (stably; untimed rows last), or
/// `None` if they are in order already.
fn time_order(times: &[Option<i64>]) -> Option<Vec<u32>> {
    let key = |time: &Option<i64>| time.unwrap_or(i64::MAX);
    if times.windows(2).all(|pair| key(&pair[0]) <= key(&pair[1])) {
        return None;
    }
    let mut order: Vec<u32> = (0..times.len() as u32).collect();
    order.sort_by_key(|&row| key(&times[row as usize]));
    Some(order)
}

/// Trails into partitioned Parquet files under one directory.
pub struct Exporter<'n> {
    out: PathBuf,
    naming: &'n Naming<'n>,
    properties: WriterProperties,
    parts: Vec<Part>,
    /// The part the last record went to.
    current: Option<usize>,
    host: String,
    source: String,
    exported: u64,
    /// What earlier runs exported (`--append`).
    resume: ResumePoints,
    /// Records of the current trail before this offset are exported already.
    skip_below: u64,
    skipped: u64,
}

impl<'n> Exporter<'n> {
    /// Exports under `out`, made if missing; records are named with `naming`.
    pub fn new(out: &Path, naming: &'n Naming<'n>) -> Result<Self, ExportError> {
        fs::create_dir_all(out).map_err(io_error(out))?;
        // Dictionaries for the text columns, whose values repeat (hosts,
        // events, paths); not for numbers, where they cost more than zstd
        // gains after them.
        // Min and max per column chunk of the columns queries filter on
        // (time, event, users, process), for pruning; for every column
        // they cost a tenth of the export.
        let mut properties = WriterProperties::builder()
            .set_dictionary_enabled(false)
            .set_statistics_enabled(EnabledStatistics::None);
        for column in schema::dictionary_columns() {
            properties = properties.set_column_dictionary_enabled(column, true);
        }
        for column in ["time", "event", "auid", "euid", "pid", "return_status"] {
            properties = properties.set_column_statistics_enabled(
                parquet::schema::types::ColumnPath::from(column),
                EnabledStatistics::Chunk,
            );
        }
        let properties = properties
            .set_compression(Compression::ZSTD(ZstdLevel::default()))
            .set_max_row_group_size(ROW_GROUP_ROWS)
            .set_key_value_metadata(Some(vec![KeyValue::new(
                SCHEMA_VERSION_KEY.to_owned(),
                SCHEMA_VERSION.to_owned(),
            )]))
            .build();
        Ok(Exporter {
            out: out.to_owned(),
            naming,
            properties,
            parts: Vec::new(),
            current: None,
            host: String::new(),
            source: String::new(),
            exported: 0,
            resume: ResumePoints::new(),
            skip_below: 0,
            skipped: 0,
        })
    }

    /// Continues the export in `out` (`--append`): what its files cover
    /// (their [`SOURCES_KEY`] metadata) is skipped. Temporary files of a
    /// run that died are left out of the count, and removed.
    pub fn resume(&mut self) -> Result<(), ExportError> {
        self.resume = resume_points(&self.out)?;
        Ok(())
    }

    /// Records skipped as exported by an earlier run.
    pub fn skipped(&self) -> u64 {
        self.skipped
    }

    /// The host and trail the records that follow come from.
    pub fn set_origin(&mut self, host: &str, source: &str) {
        host.clone_into(&mut self.host);
        source.clone_into(&mut self.source);
        self.current = None;
        // Offsets name the same bytes again only in a file.
        self.skip_below = match Path::new(source).is_file() {
            true => self
                .resume
                .get(&(host.to_owned(), source.to_owned()))
                .copied()
                .unwrap_or(0),
            false => 0,
        };
    }

    /// Where the current trail's export starts: 0, or the end of what an
    /// earlier run exported of it (a trail now shorter than that was
    /// replaced, and is exported whole).
    pub fn resumes_at(&self) -> u64 {
        self.skip_below
    }

    /// The current trail is shorter than what was exported of it.
    pub fn restart_trail(&mut self) {
        self.skip_below = 0;
    }

    /// Rows exported so far.
    pub fn exported(&self) -> u64 {
        self.exported
    }

    /// Adds `record`'s row to its partition's file. A record whose tokens
    /// do not all decode is the error (and not exported).
    pub fn add(&mut self, record: &Record<'_>) -> Result<(), AddError> {
        let end = record.offset() + record.bytes().len() as u64;
        if end <= self.skip_below {
            self.skipped += 1;
            return Ok(());
        }
        let header = record.header();
        let time = header.time().map(|time| time.timestamp_millis());
        let day = time.map(|ms| ms.div_euclid(DAY_MS) * DAY_MS);
        let index = match self.current {
            Some(index) if self.parts[index].day == day && self.parts[index].host == self.host => {
                index
            }
            _ => self.part(day).map_err(AddError::Export)?,
        };
        self.current = Some(index);
        let origin = Origin {
            host: &self.host,
            source: &self.source,
        };
        let part = &mut self.parts[index];
        part.rows
            .push(origin, record, &header, time, self.naming)
            .map_err(AddError::Damaged)?;
        self.exported += 1;
        let covered = part
            .sources
            .entry((self.host.clone(), self.source.clone()))
            .or_default();
        *covered = (*covered).max(end);
        if part.rows.len() >= BATCH_ROWS {
            part.flush().map_err(AddError::Export)?;
        }
        Ok(())
    }

    /// The index of the part of (current host, `day`), opened if need be.
    fn part(&mut self, day: Option<i64>) -> Result<usize, ExportError> {
        if let Some(index) = self
            .parts
            .iter()
            .position(|part| part.day == day && part.host == self.host)
        {
            return Ok(index);
        }
        let date = day.and_then(DateTime::from_timestamp_millis).map_or_else(
            || "unknown".to_owned(),
            |d| d.format("%Y-%m-%d").to_string(),
        );
        let dir = self
            .out
            .join(format!("host={}", partition_value(&self.host)))
            .join(format!("date={date}"));
        fs::create_dir_all(&dir).map_err(io_error(&dir))?;
        let number = next_part_number(&dir)?;
        let path = dir.join(format!("part-{number}.parquet"));
        let temporary = dir.join(format!(".part-{number}.parquet.tmp"));
        let file = File::create_new(&temporary).map_err(io_error(&temporary))?;
        let writer = ArrowWriter::try_new(file, schema::schema(), Some(self.properties.clone()))
            .map_err(|source| ExportError::Parquet {
                path: temporary.clone(),
                source,
            })?;
        self.parts.push(Part {
            host: self.host.clone(),
            day,
            rows: Rows::default(),
            writer,
            temporary,
            path,
            sources: ResumePoints::new(),
        });
        Ok(self.parts.len() - 1)
    }

    /// Finishes every file; returns their paths.
    pub fn close(self) -> Result<Vec<PathBuf>, ExportError> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |since| since.as_nanos());
        let run = format!("{nanos:x}-{}", std::process::id());
        let files = self.parts.len();
        self.parts
            .into_iter()
            .map(|part| part.close(&run, files))
            .collect()
    }
}

/// What the finished files under `out` cover; temporary files of a run
/// that died are removed (their rows were never in the table).
fn resume_points(out: &Path) -> Result<ResumePoints, ExportError> {
    // run → (its files' count, the files found, what they cover)
    let mut runs: HashMap<String, (usize, Vec<PathBuf>, Vec<Covered>)> = HashMap::new();
    let mut dirs = vec![out.to_owned()];
    while let Some(dir) = dirs.pop() {
        for entry in fs::read_dir(&dir).map_err(io_error(&dir))? {
            let path = entry.map_err(io_error(&dir))?.path();
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            if path.is_dir() {
                dirs.push(path);
            } else if name.starts_with(".part-") && name.ends_with(".tmp") {
                fs::remove_file(&path).map_err(io_error(&path))?;
            } else if name.starts_with("part-") && name.ends_with(".parquet") {
                let (run, files, sources) = file_checkpoint(&path)?;
                let entry = runs.entry(run).or_insert((files, Vec::new(), Vec::new()));
                entry.1.push(path);
                entry.2.extend(sources);
            }
        }
    }
    let mut points = ResumePoints::new();
    for (run, (files, found, sources)) in runs {
        if found.len() < files {
            // died between two renames: out whole, exported again
            eprintln!(
                "bsm-export: run {run} left {} of its {files} files; they are removed and \
                 their trails exported again",
                found.len()
            );
            for path in found {
                fs::remove_file(&path).map_err(io_error(&path))?;
            }
            continue;
        }
        for (key, end) in sources {
            let covered = points.entry(key).or_default();
            *covered = (*covered).max(end);
        }
    }
    Ok(points)
}

/// A (host, trail) exported up to an end offset.
type Covered = ((String, String), u64);

/// A finished file's run, its run's file count, and the sources it covers.
type Checkpoint = (String, usize, Vec<Covered>);

fn file_checkpoint(path: &Path) -> Result<Checkpoint, ExportError> {
    let parquet = |source| ExportError::Parquet {
        path: path.to_owned(),
        source,
    };
    let file = File::open(path).map_err(io_error(path))?;
    let reader = SerializedFileReader::new(file).map_err(parquet)?;
    let metadata = reader.metadata().file_metadata().key_value_metadata();
    let value = |key: &str| {
        metadata
            .into_iter()
            .flatten()
            .find(|kv| kv.key == key)
            .and_then(|kv| kv.value.clone())
    };
    // A file without a run stands alone.
    let (run, files) = value(RUN_KEY)
        .and_then(|run| {
            let (id, files) = run.split_once(' ')?;
            Some((id.to_owned(), files.parse::<usize>().ok()?))
        })
        .unwrap_or_else(|| (path.display().to_string(), 1));
    let lines = value(SOURCES_KEY).unwrap_or_default();
    let mut sources = Vec::new();
    for line in lines.lines() {
        let mut fields = line.splitn(3, '\t');
        if let (Some(host), Some(trail), Some(end)) = (fields.next(), fields.next(), fields.next())
            && let Ok(end) = end.parse::<u64>()
        {
            sources.push(((unescape(host), unescape(trail)), end));
        }
    }
    Ok((run, files, sources))
}

/// A name in a sources line: `\`, tab and newline escaped.
fn escape(name: &str) -> String {
    name.replace('\\', "\\\\")
        .replace('\t', "\\t")
        .replace('\n', "\\n")
}

fn unescape(field: &str) -> String {
    let mut name = String::with_capacity(field.len());
    let mut chars = field.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            name.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => name.push('\t'),
            Some('n') => name.push('\n'),
            Some(other) => name.push(other),
            None => name.push('\\'),
        }
    }
    name
}

/// Why a record was not exported.
#[derive(Debug)]
pub enum AddError {
    Damaged(bsm_format::Error),
    Export(ExportError),
}

/// A host name as a partition directory's value: what is not a letter,
/// digit, `-`, `_` or `.` becomes `_`, so that no name escapes the tree.
fn partition_value(host: &str) -> String {
    let value: String = host
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    match value.as_str() {
        "" | "." | ".." => "_".to_owned(),
        _ => value,
    }
}

/// One more than the largest N of `part-N.parquet` (or its temporary) in
/// `dir`: a later run never overwrites an earlier one's file.
fn next_part_number(dir: &Path) -> Result<u64, ExportError> {
    let mut next = 0;
    for entry in fs::read_dir(dir).map_err(io_error(dir))? {
        let entry = entry.map_err(io_error(dir))?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let number = name
            .trim_start_matches('.')
            .strip_prefix("part-")
            .and_then(|rest| rest.split('.').next())
            .and_then(|n| n.parse::<u64>().ok());
        if let Some(number) = number {
            next = next.max(number + 1);
        }
    }
    Ok(next)
}

/// An [`Exporter`] as the reading loop's [`Sink`]; the files are closed
/// with [`Exporter::close`] after the last input.
pub struct ExportSink<'e, 'n>(pub &'e mut Exporter<'n>);

impl Sink for ExportSink<'_, '_> {
    fn record(&mut self, record: &Record<'_>) -> Result<(), SinkError> {
        match self.0.add(record) {
            Ok(()) => Ok(()),
            Err(AddError::Damaged(error)) => Err(SinkError::Damaged {
                outcome: "record not exported, damaged token",
                error,
            }),
            Err(AddError::Export(error)) => Err(SinkError::Io(io::Error::other(error))),
        }
    }

    fn file_token(&mut self, _file: &FileItem<'_>) -> io::Result<()> {
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_in_sources_lines_survive_tabs_and_newlines() {
        for name in ["plain", "a\tb", "c\nd", "back\\slash\\t"] {
            assert_eq!(unescape(&escape(name)), name);
            assert!(!escape(name).contains(['\t', '\n']));
        }
    }

    #[test]
    fn host_names_cannot_leave_the_partition_tree() {
        assert_eq!(partition_value("web1.example"), "web1.example");
        assert_eq!(partition_value("../etc"), ".._etc");
        assert_eq!(partition_value(".."), "_");
        assert_eq!(partition_value("a/b c"), "a_b_c");
    }

    #[test]
    fn rows_out_of_time_order_are_sorted_stably_untimed_last() {
        assert_eq!(time_order(&[Some(1), Some(2), Some(2)]), None);
        assert_eq!(
            time_order(&[Some(3), None, Some(1), Some(3)]),
            Some(vec![2, 0, 3, 1])
        );
    }
}
