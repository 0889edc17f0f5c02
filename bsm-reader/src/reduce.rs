//! The reading loop every tool shares: inputs opened (trail directories
//! expanded, skipped by name where the time window allows), read one by one
//! or merged by time, records selected, and the selected ones handed to a
//! [`Sink`]; damage and unreadable input reported on standard error, named
//! by source and byte offset, and remembered for the exit status.

use std::io;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};

use bsm_format::{
    Error as FormatError, Record, RecordShape, TrailItem, list_trail_dir, unnamed_files,
};

use crate::merge::{MergedEvent, MergedReader};
use crate::select::{Criteria, Selector};
use crate::sink::{Part, Parts, Sink, SinkError};
use crate::{Damage, Event, Parallelism, ReadOptions, Run, Step, TrailReader, VisitError};

/// Opens the inputs named (`-` is standard input; none named, standard
/// input alone; with the `remote` feature, `bsm://` addresses are a
/// collector's trails, see `bsm_net::fetch`), expanding trail directories into the trails that may hold
/// records of `window` (after, before; milliseconds). Inputs that cannot be
/// opened are reported as `tool: path: error`; the flag is false if any was.
pub fn open_inputs(
    tool: &str,
    named: &[PathBuf],
    window: (Option<i64>, Option<i64>),
    options: ReadOptions,
) -> (Vec<TrailReader>, bool) {
    let mut readers = Vec::new();
    let mut intact = true;
    let stdin_only = [PathBuf::from("-")];
    let named = if named.is_empty() {
        &stdin_only[..]
    } else {
        named
    };
    let (after, before) = window;
    for path in named {
        if path == Path::new("-") {
            readers.push(TrailReader::from_reader(
                "stdin",
                Box::new(io::stdin()),
                options,
            ));
            continue;
        }
        #[cfg(feature = "remote")]
        if let Some(address) = path
            .to_str()
            .filter(|text| bsm_net::fetch::RemoteAddress::is_remote(text))
        {
            let opened = bsm_net::fetch::Identity::from_env()
                .and_then(|identity| bsm_net::fetch::RemoteReader::open(address, &identity));
            match opened {
                Ok(remote) => {
                    readers.push(TrailReader::from_reader(address, Box::new(remote), options))
                }
                Err(err) => {
                    eprintln!("{tool}: {address}: {err}");
                    intact = false;
                }
            }
            continue;
        }
        let files = if path.is_dir() {
            warn_of_unnamed_files(tool, path);
            match list_trail_dir(path) {
                Ok(files) => files
                    .into_iter()
                    .filter(|file| file.may_hold(after, before))
                    .map(|file| file.path)
                    .collect(),
                Err(err) => {
                    eprintln!("{tool}: {}: {err}", path.display());
                    intact = false;
                    continue;
                }
            }
        } else {
            vec![path.clone()]
        };
        for file in files {
            match TrailReader::open(&file, options) {
                Ok(reader) => readers.push(reader),
                Err(err) => {
                    eprintln!("{tool}: {}: {err}", file.display());
                    intact = false;
                }
            }
        }
    }
    (readers, intact)
}

/// Names on standard error the files of trail directory `dir` that are not
/// read because they are not named as auditd names trails.
fn warn_of_unnamed_files(tool: &str, dir: &Path) {
    /// Names shown before "and N more".
    const SHOWN: usize = 5;
    let Ok(skipped) = unnamed_files(dir) else {
        return; // listing the trails will say why
    };
    if skipped.is_empty() {
        return;
    }
    let mut names: Vec<String> = skipped
        .iter()
        .take(SHOWN)
        .map(|file| {
            file.file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    if skipped.len() > SHOWN {
        names.push(format!("and {} more", skipped.len() - SHOWN));
    }
    eprintln!(
        "{tool}: {}: warning: {} file(s) skipped, not named as auditd names trails \
         (START.END, e.g. 20231114221320.20231114231320; name a file to read it): {}",
        dir.display(),
        skipped.len(),
        names.join(", ")
    );
}

/// The time window of `criteria` that trail names can be skipped by.
pub fn name_window(criteria: &Criteria) -> (Option<i64>, Option<i64>) {
    if criteria.all_times {
        (None, None)
    } else {
        (criteria.after, criteria.before)
    }
}

/// Beyond this many threads the walk of one input waits on memory.
const MAX_THREADS: NonZeroUsize = NonZeroUsize::new(8).unwrap();

/// One selection thread per core, up to eight.
pub fn default_threads() -> NonZeroUsize {
    std::thread::available_parallelism().map_or(NonZeroUsize::MIN, |cores| cores.min(MAX_THREADS))
}

/// Selection and output of the items read, and whether all was well.
pub struct Reduction<'a> {
    tool: &'a str,
    /// `None`: every record (praudit).
    selector: Option<&'a Selector>,
    pass_file_tokens: bool,
    sink: &'a mut dyn Sink,
    /// The sink's per-record work, to run on the selection threads.
    parts: Option<&'a dyn Parts>,
    intact: bool,
}

impl<'a> Reduction<'a> {
    /// Hands `sink` what `selector` selects (everything without one); file
    /// tokens pass only when nothing is selected, as auditreduce does.
    /// Messages start with `tool`.
    pub fn new(tool: &'a str, selector: Option<&'a Selector>, sink: &'a mut dyn Sink) -> Self {
        Reduction {
            tool,
            selector,
            pass_file_tokens: selector.is_none_or(|selector| selector.criteria().is_unset()),
            sink,
            parts: None,
            intact: true,
        }
    }

    /// Has the selection threads of a mapped input do the sink's work on
    /// each record too, through `parts` (made with the sink), handing the
    /// sink the filled parts instead of the records.
    pub fn with_parts(mut self, parts: &'a dyn Parts) -> Self {
        self.parts = Some(parts);
        self
    }

    /// Notes that some input could not be opened.
    pub fn note_failed_input(&mut self) {
        self.intact = false;
    }

    /// Reads one input to its end. Selection, the costly part, runs on the
    /// threads `parallelism` allows over a mapped input; the selected
    /// records go to the sink here, in order. A stream's output is flushed
    /// whenever the reader is about to wait for more. Only output errors
    /// are returned.
    pub fn read(&mut self, reader: &mut TrailReader, parallelism: Parallelism) -> io::Result<()> {
        let source = reader.source().to_owned();
        let parts = self.parts;
        let outcome = match self.selector {
            Some(selector) if reader.is_mapped() => reader.fold_each_event(
                parallelism,
                &|| Selection::new(parts.map(|parts| parts.new_part())),
                &|selection: &mut Selection<'_>, record| selection.judge(selector, &record),
                |step| match step {
                    Step::Run(run) => self.run(&source, run),
                    Step::Event(event) => self.event(&source, event),
                },
            ),
            _ => {
                // One closure may not hold the reduction twice: the pause
                // flushes through a second, shared borrow of the sink.
                let this = std::cell::RefCell::new(&mut *self);
                reader.for_each_event_pausing(
                    |event| this.borrow_mut().event(&source, event),
                    || this.borrow_mut().sink.flush(),
                )
            }
        };
        match outcome {
            Ok(()) => Ok(()),
            Err(VisitError::Visit(err)) => Err(err),
            Err(VisitError::Read(err)) => {
                self.failed(&source, &err);
                Ok(())
            }
        }
    }

    /// Reads several inputs merged by record time.
    pub fn read_merged(&mut self, readers: Vec<TrailReader>) -> io::Result<()> {
        let sources: Vec<String> = readers.iter().map(|r| r.source().to_owned()).collect();
        let mut inputs = MergedReader::new(readers);
        while let Some((index, event)) = inputs.next_event() {
            match event {
                MergedEvent::Item(item) => self.item(&sources[index], item)?,
                MergedEvent::Damage(damage) => self.damage(&damage),
                MergedEvent::Failed { source, error } => self.failed(&source, &error),
            }
        }
        Ok(())
    }

    /// Ends the sink's output; false if any input was damaged or unreadable
    /// or a record could not be taken whole.
    pub fn finish(self) -> io::Result<bool> {
        self.sink.finish()?;
        Ok(self.intact)
    }

    fn item(&mut self, source: &str, item: TrailItem<'_>) -> io::Result<()> {
        match item {
            TrailItem::Record(record) => {
                let selected = match self.selector {
                    None => Ok(true),
                    Some(selector) => selector.selects(&record),
                };
                match selected {
                    Ok(true) => self.selected(source, &record),
                    Ok(false) => Ok(()),
                    Err(err) => {
                        self.unjudged(source, record.offset(), &err);
                        Ok(())
                    }
                }
            }
            TrailItem::File(file) => {
                if self.pass_file_tokens {
                    self.sink.file_token(&file)?;
                }
                Ok(())
            }
        }
    }

    fn event(&mut self, source: &str, event: Event<'_>) -> io::Result<()> {
        match event {
            Event::Item(item) => self.item(source, item),
            Event::Damage(damage) => {
                self.damage(&damage);
                Ok(())
            }
        }
    }

    /// Hands over the records another thread selected from a run: as runs
    /// of bytes to a sink that copies them, else rebuilt from the shapes the
    /// thread's parse found, not parsed again.
    fn run(&mut self, source: &str, mut run: Run<'_, Selection<'_>>) -> io::Result<()> {
        for (offset, err) in &run.folded.unjudged {
            self.unjudged(source, *offset, err);
        }
        if let Some(part) = run.folded.part.take() {
            return self.sink.take_part(part);
        }
        let bytes_at = |offset: u64, len: usize| {
            let start = (offset - run.offset) as usize;
            &run.bytes[start..start + len]
        };
        if let Some(out) = self.sink.byte_runs() {
            return out.write_runs(&run.folded.joined(bytes_at));
        }
        for &(offset, shape) in &run.folded.selected {
            let record = Record::with_shape(bytes_at(offset, shape.len()), offset, shape)
                .ok_or_else(|| io::Error::other("a selected record changed its length"))?;
            self.selected(source, &record)?;
        }
        Ok(())
    }

    fn selected(&mut self, source: &str, record: &Record<'_>) -> io::Result<()> {
        match self.sink.record(record) {
            Ok(()) => Ok(()),
            Err(SinkError::Io(err)) => Err(err),
            Err(problem) => {
                self.intact = false;
                eprintln!(
                    "{}: {source}: record at byte offset {}: {problem}",
                    self.tool,
                    record.offset()
                );
                Ok(())
            }
        }
    }

    fn unjudged(&mut self, source: &str, offset: u64, err: &FormatError) {
        self.intact = false;
        eprintln!(
            "{}: {source}: record at byte offset {offset} skipped, damaged token: {err}",
            self.tool
        );
    }

    fn damage(&mut self, damage: &Damage) {
        self.intact = false;
        eprintln!("{}: {damage}", self.tool);
    }

    fn failed(&mut self, source: &str, error: &io::Error) {
        self.intact = false;
        eprintln!("{}: {source}: read failed: {error}", self.tool);
    }
}

/// What a thread made of a run of records: the selected ones, by offset
/// and shape (as [`Record::parse`] found them), or added to the sink's
/// part; and those that could not be judged (or added).
struct Selection<'p> {
    selected: Vec<(u64, RecordShape)>,
    part: Option<Box<dyn Part + 'p>>,
    unjudged: Vec<(u64, FormatError)>,
}

impl<'p> Selection<'p> {
    fn new(part: Option<Box<dyn Part + 'p>>) -> Self {
        Selection {
            selected: Vec::new(),
            part,
            unjudged: Vec::new(),
        }
    }

    fn judge(&mut self, selector: &Selector, record: &Record<'_>) {
        match selector.selects(record) {
            Ok(true) => match &mut self.part {
                Some(part) => {
                    if let Err(err) = part.add(record) {
                        self.unjudged.push((record.offset(), err));
                    }
                }
                None => self.selected.push((record.offset(), record.shape())),
            },
            Ok(false) => {}
            Err(err) => self.unjudged.push((record.offset(), err)),
        }
    }

    /// The selected records' bytes, neighbours joined into one slice.
    fn joined<'b>(&self, bytes_at: impl Fn(u64, usize) -> &'b [u8]) -> Vec<&'b [u8]> {
        let mut spans: Vec<(u64, usize)> = Vec::new();
        for &(offset, shape) in &self.selected {
            match spans.last_mut() {
                Some((start, len)) if *start + *len as u64 == offset => *len += shape.len(),
                _ => spans.push((offset, shape.len())),
            }
        }
        spans
            .into_iter()
            .map(|(offset, len)| bytes_at(offset, len))
            .collect()
    }
}
