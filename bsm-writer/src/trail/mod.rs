//! Trail files as OpenBSM's auditd keeps them.
//!
//! - A directory (default `/var/audit`) holds the trails. The open trail is
//!   `START.not_terminated`; closing renames it `START.END` (UTC times,
//!   `YYYYMMDDHHMMSS`). A name never runs ahead of the clock: START is the
//!   second the trail opened (at rotation, the old trail's END), and the
//!   final name is widened, if need be, to span its records' header times
//!   (START down to the earliest, END up to the latest), so that a reader
//!   skipping trails by name never skips a record inside its time window.
//!   No two trails start in the same second: a rotation by size that comes
//!   within the second its trail opened waits for the next second, the
//!   trail growing past `filesz` meanwhile by at most one second's records
//!   (as FreeBSD's trails pass filesz until auditd rotates them); a
//!   rotation on demand, or a start-up, in a second already taken waits
//!   for the next one.
//! - Each trail begins with a file token (0x11) naming the previous trail
//!   by its final path (empty for the first trail of a run) and ends with
//!   one naming the next trail by its `.not_terminated` path (empty at
//!   shutdown), as Solaris's auditd writes them.
//! - `current` is a symlink to the open trail while a writer runs.
//! - On start-up, trails left open by a crash lose their partial last item
//!   and become `START.crash_recovery`.
//! - Rotation happens at the size limit (filesz; the closing file token
//!   stays within it) and on demand; expiry follows `expire-after`; the
//!   minimum-free-space rule stops or drops, and counts what it drops.
//! - Every item goes to the file in one write; a failed or short write is
//!   cut off again, so the file always ends with whole items.
//!
//! One [`TrailWriter`] at a time holds a directory (flock).

mod current;
mod dir;
mod expire;
mod file;
mod recover;
mod space;

pub use bsm_format::{TrailName, TrailState};
pub use current::current_link;
pub use expire::Expiry;
pub use recover::{RecoveredTrail, recover};

use crate::control::ExpireAfter;
use crate::error::TrailError;
use crate::time::AuditTime;
use crate::token;
use bsm_format::{DEFAULT_MAX_RECORD_SIZE, Record};
use dir::TrailDir;
use file::{AppendError, OpenTrail};
use space::{SpaceGuard, Verdict};
use std::num::NonZeroU64;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// When trail data is flushed to disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FsyncPolicy {
    /// Never: the kernel writes back when it likes. A crash of the writer
    /// loses nothing, a crash of the machine may.
    Never,
    /// When a trail is closed (rotation, shutdown), with the directory.
    AtRotation,
    /// After every record, and at rotation.
    EveryRecord,
    /// After at least this many bytes of records, and at rotation.
    EveryBytes(NonZeroU64),
}

/// What happens to records while free space is short.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LowSpacePolicy {
    /// Refuse them with an error, so that the producer can stop.
    Stop,
    /// Drop and count them, and go on.
    Drop,
}

/// Where and how trails are kept.
#[derive(Debug, Clone, PartialEq)]
pub struct TrailConfig {
    /// The trail directory (`dir`); created if missing.
    pub dir: PathBuf,
    /// Rotate before a trail would exceed this many bytes (`filesz`).
    pub file_size_limit: Option<u64>,
    /// Remove closed trails by this rule when [`TrailWriter::expire`] runs.
    pub expire_after: Option<ExpireAfter>,
    /// Keep this percentage of the file system free (`minfree`); 0 is off.
    pub min_free_percent: u8,
    pub low_space: LowSpacePolicy,
    pub fsync: FsyncPolicy,
    /// Use a directory that other users may write to, or that another
    /// user owns; by default such a directory is refused
    /// ([`TrailError::UnsafeDir`]): others could plant trails or links in it.
    pub allow_shared_dir: bool,
    /// Make a new directory 0750 and trails 0640, for the audit group, as
    /// auditd does (the default); if false, 0700 and 0600: for the owner
    /// alone, as a collector keeps other hosts' trails.
    pub group_readable: bool,
}

impl TrailConfig {
    /// Trails in `dir`, with no rotation by size, no expiry, no free-space
    /// rule, and fsync at rotation.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        TrailConfig {
            dir: dir.into(),
            file_size_limit: None,
            expire_after: None,
            min_free_percent: 0,
            low_space: LowSpacePolicy::Stop,
            fsync: FsyncPolicy::AtRotation,
            allow_shared_dir: false,
            group_readable: true,
        }
    }
}

impl Default for TrailConfig {
    /// As [`TrailConfig::new`] in auditd's `/var/audit`.
    fn default() -> Self {
        TrailConfig::new("/var/audit")
    }
}

/// Why a record was dropped.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DropReason {
    /// Free space was below minfree.
    LowSpace { free_percent: f64 },
    /// The file system was full.
    NoSpace,
}

/// What [`TrailWriter::write_record`] did.
#[derive(Debug, Clone, PartialEq)]
pub struct WriteOutcome {
    /// The trail that a rotation before the record closed, at its final path.
    pub rotated: Option<PathBuf>,
    /// Why the record was dropped (policy [`LowSpacePolicy::Drop`]); `None`
    /// when it was written.
    pub dropped: Option<DropReason>,
}

/// Counts since the writer opened.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct TrailStats {
    pub records_written: u64,
    pub bytes_written: u64,
    pub records_dropped: u64,
    pub rotations: u64,
}

/// Writes whole records into the trails of a directory.
///
/// Dropping a writer without [`TrailWriter::close`] leaves its trail open,
/// whole, to be recovered as after a crash.
#[derive(Debug)]
pub struct TrailWriter {
    config: TrailConfig,
    dir: TrailDir,
    trail: OpenTrail,
    /// A second in which a rotation by size found its START taken: not
    /// looked for again within it.
    start_taken_at: Option<u64>,
    space: SpaceGuard,
    unsynced: u64,
    stats: TrailStats,
    recovered: Vec<RecoveredTrail>,
}

impl TrailWriter {
    /// Locks the directory, recovers trails left open by a crash, and opens
    /// a new trail.
    pub fn open(config: TrailConfig) -> Result<TrailWriter, TrailError> {
        let dir = TrailDir::lock(&config.dir, config.allow_shared_dir, config.group_readable)?;
        let recovered = recover::recover_locked(&dir)?;
        let start = wait_for_free_start(&dir, None)?;
        let trail = open_trail(&dir, start, b"")?;
        current::point_at(&dir, &trail.path)?;
        if config.fsync != FsyncPolicy::Never {
            dir.sync()?;
        }
        Ok(TrailWriter {
            space: SpaceGuard::new(config.min_free_percent),
            config,
            dir,
            trail,
            start_taken_at: None,
            unsynced: 0,
            stats: TrailStats::default(),
            recovered,
        })
    }

    /// The trail directory, as an absolute path.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The open trail's path.
    pub fn current_path(&self) -> &Path {
        &self.trail.path
    }

    pub fn stats(&self) -> TrailStats {
        self.stats
    }

    /// What recovery did when the writer opened.
    pub fn recovered(&self) -> &[RecoveredTrail] {
        &self.recovered
    }

    /// Appends one whole record (header to trailer), rotating first if it
    /// would take the trail past the size limit.
    ///
    /// Under [`LowSpacePolicy::Stop`] a record that finds too little space is
    /// refused with [`TrailError::LowSpace`] or [`TrailError::NoSpace`];
    /// under [`LowSpacePolicy::Drop`] it is counted and reported in the
    /// outcome. Either way the trail ends with whole records.
    pub fn write_record(&mut self, record: &[u8]) -> Result<WriteOutcome, TrailError> {
        let seconds = check_record(record)?;
        let verdict = self.admit(record.len() as u64)?;
        if let Verdict::Low { free_percent } = verdict {
            return self.refuse(
                None,
                DropReason::LowSpace { free_percent },
                TrailError::LowSpace {
                    dir: self.dir.path().to_path_buf(),
                    free_percent,
                    min_free_percent: self.config.min_free_percent,
                },
            );
        }
        let start = match self.rotation_due(record.len()) {
            true => self.free_start()?,
            false => None,
        };
        let rotated = if let Some(start) = start {
            match self.rotate_at(start) {
                Ok(closed) => Some(closed),
                // The next trail found no room for its file token: as full
                // a file system as for the record itself.
                Err(error @ TrailError::NoSpace { .. }) => {
                    return self.refuse(None, DropReason::NoSpace, error);
                }
                Err(err) => return Err(err),
            }
        } else {
            None
        };
        // What is left of the reserve is for the daemon's own records.
        let appended = match self.trail.reserve_whole() {
            true => self.trail.append(record),
            false => Err(AppendError::NoSpace),
        };
        match appended {
            Ok(()) => {}
            Err(AppendError::NoSpace) => {
                let error = AppendError::NoSpace.into_trail_error(&self.trail);
                return self.refuse(rotated, DropReason::NoSpace, error);
            }
            Err(err) => return Err(err.into_trail_error(&self.trail)),
        }
        self.trail.count_record(seconds);
        self.stats.records_written += 1;
        self.stats.bytes_written += record.len() as u64;
        self.sync_after_record(record.len() as u64)?;
        Ok(WriteOutcome {
            rotated,
            dropped: None,
        })
    }

    /// Appends the whole records that lie back to back in `records` as
    /// [`TrailWriter::write_record`] would one by one (rotation, the space
    /// rules and their policy), but each run of them that needs no rotation
    /// in one write: a batch from the network costs one system call, not
    /// one per record. Under [`FsyncPolicy::EveryRecord`] a run is synced
    /// once, after its last record.
    ///
    /// On an error the records before the one it concerns are written
    /// (`stats().records_written` counts them), and the trail ends with
    /// whole records.
    pub fn write_records(&mut self, records: &[u8]) -> Result<(), TrailError> {
        let mut run = Run::default();
        let mut at = 0;
        while at < records.len() {
            let parsed = match Record::parse(&records[at..], 0) {
                Ok(parsed) if parsed.bytes().len() <= DEFAULT_MAX_RECORD_SIZE as usize => parsed,
                bad => {
                    // what came before it goes in, as one by one it would
                    self.write_run(&records[run.start..at], &run.seconds)?;
                    return Err(match bad {
                        Ok(parsed) => TrailError::RecordTooLarge {
                            size: parsed.bytes().len(),
                            limit: DEFAULT_MAX_RECORD_SIZE,
                        },
                        Err(err) => TrailError::NotARecord(err),
                    });
                }
            };
            let len = parsed.bytes().len();
            let seconds = parsed.header().seconds;
            let record = &records[at..at + len];
            if self.rotation_due_after(&run, len) {
                self.write_run(&records[run.start..at], &run.seconds)?;
                run = Run {
                    start: at,
                    ..Run::default()
                };
                if self.rotation_due_after(&run, len) {
                    // It rotates, and is judged, alone.
                    self.write_record(record)?;
                    at += len;
                    run.start = at;
                    continue;
                }
            }
            run.seconds.push(seconds);
            run.len += len;
            at += len;
        }
        self.write_run(&records[run.start..], &run.seconds)
    }

    /// Appends a run of whole records (whose header seconds are `seconds`)
    /// in one write; where the space rules or a full file system stop it,
    /// the records go one by one, so that as many as fit are written and
    /// the rest meet the policy.
    fn write_run(&mut self, run: &[u8], seconds: &[u64]) -> Result<(), TrailError> {
        if run.is_empty() {
            return Ok(());
        }
        let verdict = self.admit(run.len() as u64)?;
        let whole = matches!(verdict, Verdict::Enough)
            && self.trail.reserve_whole()
            && match self.trail.append(run) {
                Ok(()) => true,
                Err(AppendError::NoSpace) => false,
                Err(err) => return Err(err.into_trail_error(&self.trail)),
            };
        if !whole {
            let mut at = 0;
            while at < run.len() {
                let len = record_len(&run[at..])?;
                self.write_record(&run[at..at + len])?;
                at += len;
            }
            return Ok(());
        }
        for &second in seconds {
            self.trail.count_record(second);
        }
        self.stats.records_written += seconds.len() as u64;
        self.stats.bytes_written += run.len() as u64;
        self.sync_after_record(run.len() as u64)
    }

    /// Appends one of the writer's own records (a drop notice, a shutdown
    /// record) whatever the free-space rules say, into the space reserved
    /// for them when the file system is full, and syncs it: the record of a
    /// loss must outlast the loss. No rotation first.
    pub fn write_accounting_record(&mut self, record: &[u8]) -> Result<(), TrailError> {
        let seconds = check_record(record)?;
        self.trail
            .append(record)
            .map_err(|err| err.into_trail_error(&self.trail))?;
        self.trail.count_record(seconds);
        self.stats.records_written += 1;
        self.stats.bytes_written += record.len() as u64;
        if self.config.fsync == FsyncPolicy::Never {
            return Ok(());
        }
        self.trail.sync()
    }

    /// Closes the open trail and opens the next (on demand, e.g. on a
    /// signal); returns the closed trail's final path. In the second the
    /// open trail started, this waits for the next one.
    pub fn rotate(&mut self) -> Result<PathBuf, TrailError> {
        let start = wait_for_free_start(&self.dir, Some(self.trail.start))?;
        self.rotate_at(start)
    }

    /// Rotates to a new trail starting at `start`, a second no trail has.
    fn rotate_at(&mut self, start: u64) -> Result<PathBuf, TrailError> {
        let closed = self.final_path(start)?;
        let mut next = open_trail(&self.dir, start, closed.as_os_str().as_bytes())?;
        let closed_len = self.trail.len;
        let undo = |trail: &mut OpenTrail, next: &OpenTrail| {
            // Best effort: a leftover is recovered as a crashed trail later.
            let _ = trail.rewind(closed_len);
            let _ = std::fs::remove_file(&next.path);
        };
        if let Err(err) = append_file_token(&mut self.trail, next.path.as_os_str().as_bytes()) {
            undo(&mut self.trail, &next);
            return Err(err);
        }
        if self.config.fsync != FsyncPolicy::Never
            && let Err(err) = self.trail.sync()
        {
            undo(&mut self.trail, &next);
            return Err(err);
        }
        if let Err(err) = self.rename_closed(&closed) {
            undo(&mut self.trail, &next);
            return Err(err);
        }
        std::mem::swap(&mut self.trail, &mut next);
        self.stats.rotations += 1;
        self.unsynced = 0;
        current::point_at(&self.dir, &self.trail.path)?;
        if self.config.fsync != FsyncPolicy::Never {
            self.dir.sync()?;
        }
        Ok(closed)
    }

    /// Removes the closed trails that the `expire-after` rule expires now,
    /// oldest first. Nothing without a rule. An error is a trail directory
    /// that cannot be read; trails that cannot be removed are listed in the
    /// [`Expiry`].
    pub fn expire(&mut self) -> Result<Expiry, TrailError> {
        match &self.config.expire_after {
            Some(rule) => expire::expire(&self.dir, rule, SystemTime::now()),
            None => Ok(Expiry::default()),
        }
    }

    /// Ends the open trail with an empty file token, renames it to its
    /// final name, and removes `current`; returns the final path.
    pub fn close(mut self) -> Result<PathBuf, TrailError> {
        append_file_token(&mut self.trail, b"")?;
        if self.config.fsync != FsyncPolicy::Never {
            self.trail.sync()?;
        }
        let closed = self.final_path(unix_now())?;
        self.rename_closed(&closed)?;
        current::remove(&self.dir)?;
        if self.config.fsync != FsyncPolicy::Never {
            self.dir.sync()?;
        }
        Ok(closed)
    }

    /// Reports a record that was not written: counted under Drop, an error
    /// under Stop.
    fn refuse(
        &mut self,
        rotated: Option<PathBuf>,
        reason: DropReason,
        error: TrailError,
    ) -> Result<WriteOutcome, TrailError> {
        match self.config.low_space {
            LowSpacePolicy::Stop => Err(error),
            LowSpacePolicy::Drop => {
                self.stats.records_dropped += 1;
                Ok(WriteOutcome {
                    rotated,
                    dropped: Some(reason),
                })
            }
        }
    }

    /// Makes what was written so far durable now (the open trail's data
    /// fsynced), whatever the fsync policy: for a caller that acknowledges
    /// records to their producer only once they are on disk.
    pub fn sync(&mut self) -> Result<(), TrailError> {
        self.unsynced = 0;
        self.trail.sync()
    }

    /// What the free-space rule says of `len` more bytes.
    fn admit(&mut self, len: u64) -> Result<Verdict, TrailError> {
        self.space
            .admit(self.dir.handle(), len)
            .map_err(|source| TrailError::Io {
                action: "check free space of",
                path: self.dir.path().to_path_buf(),
                source,
            })
    }

    /// Whether a record of `len` bytes, and the closing file token after
    /// it, would take a trail with records in it past the size limit.
    fn rotation_due(&self, len: usize) -> bool {
        self.rotation_due_after(&Run::default(), len)
    }

    /// As [`TrailWriter::rotation_due`], with the records of `run` (not yet
    /// written) before it.
    fn rotation_due_after(&self, run: &Run, len: usize) -> bool {
        // The closing token names a path as long as the open trail's.
        let closing = file_token_len(self.trail.path.as_os_str().len());
        self.config.file_size_limit.is_some_and(|limit| {
            self.trail.records + run.seconds.len() as u64 > 0
                && self.trail.len + (run.len + len + closing) as u64 > limit
        })
    }

    fn sync_after_record(&mut self, len: u64) -> Result<(), TrailError> {
        match self.config.fsync {
            FsyncPolicy::EveryRecord => self.trail.sync(),
            FsyncPolicy::EveryBytes(limit) => {
                self.unsynced += len;
                if self.unsynced >= limit.get() {
                    self.unsynced = 0;
                    self.trail.sync()
                } else {
                    Ok(())
                }
            }
            FsyncPolicy::Never | FsyncPolicy::AtRotation => Ok(()),
        }
    }

    /// Now, if no trail starts in this second (the open one included);
    /// `None` otherwise, and then for the rest of the second.
    fn free_start(&mut self) -> Result<Option<u64>, TrailError> {
        let now = unix_now();
        if now == self.trail.start || self.start_taken_at == Some(now) {
            return Ok(None);
        }
        if start_taken(&self.dir, now)? {
            self.start_taken_at = Some(now);
            return Ok(None);
        }
        Ok(Some(now))
    }

    /// The open trail's path once closed at `end`: the name spans the
    /// trail's life and its records' times. Should that name be taken (a
    /// trail whose START was widened down to ours), the START the trail
    /// opened with, which no other trail has, is kept instead.
    fn final_path(&self, end: u64) -> Result<PathBuf, TrailError> {
        let (earliest, latest) = self
            .trail
            .record_times
            .unwrap_or((self.trail.start, self.trail.start));
        let end = end.max(latest).max(self.trail.start);
        let widened = TrailName {
            start: self.trail.start.min(earliest),
            state: TrailState::Closed { end },
        };
        let opened = TrailName {
            start: self.trail.start,
            ..widened
        };
        let mut name = widened.file_name();
        if self.dir.exists(name.as_ref())? {
            name = opened.file_name();
        }
        Ok(self.dir.path().join(name))
    }

    /// Renames the open trail to `closed`, which must be free.
    fn rename_closed(&self, closed: &Path) -> Result<(), TrailError> {
        let from = self.trail.path.file_name().unwrap_or_default();
        self.dir
            .rename_new(from, closed.file_name().unwrap_or_default())
    }
}

/// How many times opening or an asked-for rotation waits for the next
/// second before it calls the name taken.
const START_WAITS: u32 = 3;

/// A second that no trail of `dir` starts in (nor `open`, the open
/// trail's start): now, or, waiting for the clock, one of the next few.
fn wait_for_free_start(dir: &TrailDir, open: Option<u64>) -> Result<u64, TrailError> {
    let mut now = unix_now();
    for _ in 0..START_WAITS {
        if open != Some(now) && !start_taken(dir, now)? {
            return Ok(now);
        }
        sleep_to_next_second();
        now = unix_now();
    }
    Err(TrailError::NameTaken {
        path: dir.path().join(
            TrailName {
                start: now,
                state: TrailState::Open,
            }
            .file_name(),
        ),
    })
}

/// Whether a trail of `dir` starts at `second`.
fn start_taken(dir: &TrailDir, second: u64) -> Result<bool, TrailError> {
    Ok(dir.trails()?.iter().any(|trail| trail.name.start == second))
}

fn sleep_to_next_second() {
    let into_second = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |since| since.subsec_nanos());
    let rest = 1_000_000_000 - u64::from(into_second);
    std::thread::sleep(std::time::Duration::from_nanos(rest + 1_000_000));
}

fn unix_now() -> u64 {
    AuditTime::now().seconds
}

/// Bytes of a file token naming a path of `name_len` bytes.
const fn file_token_len(name_len: usize) -> usize {
    // id, seconds, milliseconds, length, name, NUL.
    1 + 4 + 4 + 2 + name_len + 1
}

/// Creates the trail starting at `start` and writes its opening file token
/// naming `previous`.
fn open_trail(dir: &TrailDir, start: u64, previous: &[u8]) -> Result<OpenTrail, TrailError> {
    let mut trail = OpenTrail::create(dir, start)?;
    if let Err(err) = append_file_token(&mut trail, previous) {
        // Best effort: a leftover is recovered as a crashed trail later.
        let _ = std::fs::remove_file(&trail.path);
        return Err(err);
    }
    Ok(trail)
}

fn append_file_token(trail: &mut OpenTrail, name: &[u8]) -> Result<(), TrailError> {
    let token = token::file(name, AuditTime::now()).map_err(TrailError::FileToken)?;
    trail
        .append(token.as_bytes())
        .map_err(|err| err.into_trail_error(trail))
}

/// Refuses anything but exactly one whole record that readers accept;
/// gives its header's seconds.
/// Records of a batch gathered to go out in one write.
#[derive(Debug, Default)]
struct Run {
    /// Where the run starts in the batch.
    start: usize,
    /// Its bytes.
    len: usize,
    /// Each record's header seconds.
    seconds: Vec<u64>,
}

/// The length of the record at the start of `bytes`, as its header says.
fn record_len(bytes: &[u8]) -> Result<usize, TrailError> {
    Ok(Record::parse(bytes, 0)
        .map_err(TrailError::NotARecord)?
        .bytes()
        .len())
}

fn check_record(record: &[u8]) -> Result<u64, TrailError> {
    if record.len() > DEFAULT_MAX_RECORD_SIZE as usize {
        return Err(TrailError::RecordTooLarge {
            size: record.len(),
            limit: DEFAULT_MAX_RECORD_SIZE,
        });
    }
    let parsed = Record::parse(record, 0).map_err(TrailError::NotARecord)?;
    if parsed.bytes().len() != record.len() {
        return Err(TrailError::TrailingBytes {
            size: parsed.header().size,
            given: record.len(),
        });
    }
    Ok(parsed.header().seconds)
}
