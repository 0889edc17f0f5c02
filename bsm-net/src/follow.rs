//! Following an auditd-style trail directory (ours, or a FreeBSD or macOS
//! `/var/audit`): trails in START order, the open one read as it grows,
//! closed and crash-recovered ones to their end, and every record shipped
//! once, in order.
//!
//! The sender keeps its position on disk (a state file: the next record's
//! number, the trail it is in and the byte offset there), and writes it
//! only after the collector acknowledged the records before it. The trail
//! is known by its inode, which it keeps when it is renamed at close
//! (`START.not_terminated` becomes `START.END`, START perhaps widened down
//! to its records' times) or at recovery after a crash, and by its START,
//! so that a restart finds its place whatever happened to the name.

use std::fs;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use bsm_format::{Splitter, TrailFile, TrailItem, TrailState, list_trail_dir};
use tokio::sync::watch;

use crate::collector::SENDER_NOTICE_EVENT;
use crate::sender::{SendError, SenderConfig, Session};

/// Where the sender is: the next record's number, in which trail, where.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Position {
    pub next: u64,
    /// The START of the trail (seconds); 0 before the first trail.
    pub trail_start: u64,
    /// Its inode; 0 before the first trail.
    pub trail_inode: u64,
    /// The byte offset in that trail where the next item starts.
    pub offset: u64,
    /// Records passed over for a full spool, whose loss record has yet to
    /// be acknowledged.
    pub lost: u64,
}

impl Position {
    pub fn load(path: &Path) -> io::Result<Position> {
        let text = match fs::read_to_string(path) {
            Ok(text) => text,
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(Position::default()),
            Err(err) => return Err(err),
        };
        let bad = || {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{}: not a position", path.display()),
            )
        };
        let numbers: Vec<u64> = text
            .split_whitespace()
            .map(str::parse)
            .collect::<Result<_, _>>()
            .map_err(|_| bad())?;
        match numbers[..] {
            [next, trail_start, trail_inode, offset, lost] => Ok(Position {
                next,
                trail_start,
                trail_inode,
                offset,
                lost,
            }),
            _ => Err(bad()),
        }
    }

    /// Replaces the state file whole (0600: it says what was shipped).
    pub fn store(&self, path: &Path) -> io::Result<()> {
        use std::os::unix::fs::OpenOptionsExt;
        let temporary = path.with_extension("new");
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&temporary)?;
        writeln!(
            file,
            "{} {} {} {} {}",
            self.next, self.trail_start, self.trail_inode, self.offset, self.lost
        )?;
        file.sync_all()?;
        fs::rename(&temporary, path)
    }
}

/// What to follow and how.
#[derive(Clone)]
pub struct FollowConfig {
    pub sender: SenderConfig,
    /// The trail directory.
    pub dir: PathBuf,
    /// The sender's state file.
    pub state: PathBuf,
    /// How often an idle directory is looked at again.
    pub poll: Duration,
    /// Keep following after catching up, and reconnecting after any
    /// failure, until stopped (else return at the end, or at a failure).
    pub follow: bool,
    /// What the sender may leave unshipped while the collector is away.
    pub spool: Option<Spool>,
}

/// A bound on the bytes of trail not yet acknowledged.
#[derive(Debug, Clone)]
pub struct Spool {
    pub limit: u64,
    pub when_full: WhenFull,
}

/// What a full spool does.
#[derive(Debug, Clone)]
pub enum WhenFull {
    /// Raise the flag, so that the producer (lxbsmd) takes no more records
    /// until the spool is down to three quarters of its limit.
    Block(Arc<AtomicBool>),
    /// Pass over the oldest unshipped records, down to half the limit, and
    /// ship a loss record with their exact count in their place.
    Drop,
}

/// The records of one trail from `offset` on that are whole now, the
/// offset after them, and whether the trail has ended (closed, and read to
/// its end).
struct Chunk {
    records: Vec<u8>,
    count: u64,
    end: u64,
    finished: bool,
}

/// Reads the records of the trail at `path` from `offset` on, up to about
/// `max_bytes` of it (the item that crosses it included).
fn read_chunk(path: &Path, offset: u64, closed: bool, max_bytes: u64) -> io::Result<Chunk> {
    let mut file = fs::File::open(path)?;
    let len = file.metadata()?.len();
    if len < offset {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            format!(
                "{}: {len} bytes, shorter than the {offset} already shipped: truncated or replaced",
                path.display()
            ),
        ));
    }
    file.seek(SeekFrom::Start(offset))?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    let mut records = Vec::new();
    let mut count = 0;
    let mut used = 0usize;
    for item in Splitter::new(&bytes) {
        if used as u64 >= max_bytes {
            break;
        }
        match item {
            Ok(TrailItem::Record(record)) => {
                records.extend_from_slice(record.bytes());
                count += 1;
                used = record.offset() as usize + record.bytes().len();
            }
            Ok(TrailItem::File(file)) => used = file.offset as usize + file.bytes.len(),
            // a record still being written: the rest comes later
            Err(_) if !closed => break,
            Err(err) => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                        "{}: at byte {}: {err}",
                        path.display(),
                        offset + used as u64
                    ),
                ));
            }
        }
    }
    let end = offset + used as u64;
    Ok(Chunk {
        records,
        count,
        end,
        finished: closed && end == len,
    })
}

/// The first wait before reconnecting; it doubles up to [`RETRY_MAX`].
const RETRY_FIRST: Duration = Duration::from_secs(1);
const RETRY_MAX: Duration = Duration::from_secs(30);

/// Ships what the directory holds past the saved position, and with
/// `follow` what comes after, until `stop`, reconnecting after failures;
/// the position is saved after every acknowledged chunk.
pub async fn follow_dir(
    config: &FollowConfig,
    mut stop: watch::Receiver<bool>,
) -> Result<Position, SendError> {
    let position = Position::load(&config.state).map_err(io_error)?;
    let mut follower = Follower {
        config,
        position,
        complete: false,
    };
    let mut retry = RETRY_FIRST;
    loop {
        match follower.connected(&mut stop, &mut retry).await {
            Ok(()) => return Ok(follower.position),
            Err(err) if !config.follow => return Err(err),
            Err(err) => eprintln!("bsmship: {err}; connecting again in {} s", retry.as_secs()),
        }
        // Away from the collector: the spool is still kept.
        let again = tokio::time::Instant::now() + retry;
        while tokio::time::Instant::now() < again {
            follower.keep_spool(None)?;
            tokio::select! {
                _ = tokio::time::sleep(config.poll) => {}
                _ = stop.changed() => return Ok(follower.position),
            }
        }
        retry = (retry * 2).min(RETRY_MAX);
    }
}

fn io_error(err: io::Error) -> SendError {
    SendError::Records(err.to_string())
}

/// The trails of the directory, with their inodes, and which one the
/// position is in.
struct Listing {
    trails: Vec<TrailFile>,
    inodes: Vec<u64>,
    at: Option<usize>,
}

struct Follower<'a> {
    config: &'a FollowConfig,
    position: Position,
    /// The position's trail was closed and shipped to its end when last
    /// looked at (so that its going, by expiry, is no news).
    complete: bool,
}

impl Follower<'_> {
    /// One session: ships until stopped, caught up (without follow), or a
    /// failure.
    async fn connected(
        &mut self,
        stop: &mut watch::Receiver<bool>,
        retry: &mut Duration,
    ) -> Result<(), SendError> {
        let mut session = Session::connect(&self.config.sender).await?;
        *retry = RETRY_FIRST;
        loop {
            let progressed = self.step(&mut session).await?;
            if progressed {
                continue;
            }
            if !self.config.follow || *stop.borrow() {
                return session.close().await;
            }
            tokio::select! {
                _ = tokio::time::sleep(self.config.poll) => session.heartbeat().await?,
                // Stopping: one more look, so that what the producer wrote
                // last (lxbsmd's shutdown record) goes too.
                changed = stop.changed() => if changed.is_err() {
                    return session.close().await;
                },
            }
        }
    }

    /// Ships what is owed (a loss record), then the next chunk of the
    /// position's trail; true if anything moved.
    async fn step(&mut self, session: &mut Session) -> Result<bool, SendError> {
        if self.position.lost > 0 {
            let limit = self.config.spool.as_ref().map_or(0, |spool| spool.limit);
            let notice = notice(&format!(
                "bsmship: {} records were not shipped: the spool was full ({limit} bytes)",
                self.position.lost
            ))?;
            self.position.next = session.ship_records(&notice, self.position.next).await?;
            self.position.lost = 0;
            self.position.store(&self.config.state).map_err(io_error)?;
        }
        let listing = self.locate(Some(session)).await?;
        let Some(at) = listing.at else {
            return Ok(false);
        };
        let trail = &listing.trails[at];
        let closed = !matches!(trail.name.state, TrailState::Open);
        let chunk = match read_chunk(&trail.path, self.position.offset, closed, u64::MAX) {
            Err(err) if err.kind() == io::ErrorKind::UnexpectedEof => {
                let text = format!("bsmship: {err}; what it holds now is shipped from its start",);
                self.ship_notice(session, &text).await?;
                self.position.offset = 0;
                self.position.store(&self.config.state).map_err(io_error)?;
                return Ok(true);
            }
            other => other.map_err(io_error)?,
        };
        let mut progressed = false;
        if chunk.count > 0 {
            let end = session
                .ship_records(&chunk.records, self.position.next)
                .await?;
            debug_assert_eq!(end, self.position.next + chunk.count);
            self.position.next = end;
            progressed = true;
        }
        if chunk.end != self.position.offset {
            self.position.offset = chunk.end;
            progressed = true;
        }
        self.complete = chunk.finished;
        if chunk.finished && at + 1 < listing.trails.len() {
            self.move_to(&listing, at + 1);
            progressed = true;
        }
        if progressed {
            self.position.store(&self.config.state).map_err(io_error)?;
        }
        self.keep_spool(Some(&listing))?;
        Ok(progressed)
    }

    /// Lists the directory and finds the position's trail, or the first
    /// one after it. A trail that went before it was shipped to its end is
    /// news for the collector (an intruder wiping the trails): with a
    /// session, it gets a notice.
    async fn locate(&mut self, session: Option<&mut Session>) -> Result<Listing, SendError> {
        let (trails, inodes) = list_with_inodes(&self.config.dir).map_err(io_error)?;
        let position = self.position;
        let mut at = inodes
            .iter()
            .position(|&inode| position.trail_inode != 0 && inode == position.trail_inode);
        if at.is_none() && position.trail_inode != 0 && !self.complete {
            if let Some(session) = session {
                let text = format!(
                    "bsmship: the trail started at {} (inode {}) in {} is gone, {} bytes of it shipped",
                    position.trail_start,
                    position.trail_inode,
                    self.config.dir.display(),
                    position.offset
                );
                self.ship_notice(session, &text).await?;
                // From here on the trails after its START are followed.
                self.position.trail_inode = 0;
                self.position.offset = 0;
                self.position.store(&self.config.state).map_err(io_error)?;
            } else {
                // Told once connected again.
                return Ok(Listing {
                    trails,
                    inodes,
                    at: None,
                });
            }
        }
        if at.is_none() {
            at = trails
                .iter()
                .position(|trail| trail.name.start > position.trail_start);
        }
        let listing = Listing { trails, inodes, at };
        if let Some(at) = listing.at
            && listing.inodes[at] != position.trail_inode
        {
            // the first trail, the one after a finished trail, or the one
            // after a trail that went
            self.move_to(&listing, at);
        }
        Ok(listing)
    }

    fn move_to(&mut self, listing: &Listing, at: usize) {
        self.position.trail_start = listing.trails[at].name.start;
        self.position.trail_inode = listing.inodes[at];
        self.position.offset = 0;
        self.complete = false;
    }

    async fn ship_notice(&mut self, session: &mut Session, text: &str) -> Result<(), SendError> {
        eprintln!("{text}");
        self.position.next = session
            .ship_records(&notice(text)?, self.position.next)
            .await?;
        self.position.store(&self.config.state).map_err(io_error)
    }

    /// Keeps the unacknowledged bytes within the spool's limit: raises or
    /// lowers the producer's flag, or passes over the oldest records.
    fn keep_spool(&mut self, listing: Option<&Listing>) -> Result<(), SendError> {
        let Some(spool) = &self.config.spool else {
            return Ok(());
        };
        let owned;
        let listing = match listing {
            Some(listing) => listing,
            None => {
                owned = self.list_quietly().map_err(io_error)?;
                &owned
            }
        };
        let held = self.backlog(listing);
        match &spool.when_full {
            WhenFull::Block(flag) => {
                if held > spool.limit {
                    flag.store(true, Ordering::Relaxed);
                } else if held <= spool.limit / 4 * 3 {
                    flag.store(false, Ordering::Relaxed);
                }
            }
            WhenFull::Drop if held > spool.limit => {
                let passed = self.pass_over(listing, held - spool.limit / 2)?;
                eprintln!(
                    "bsmship: the spool is full ({held} bytes unshipped, limit {}): {passed}                      records passed over",
                    spool.limit
                );
            }
            WhenFull::Drop => {}
        }
        Ok(())
    }

    /// The directory, without notices and without moving the position off
    /// a trail that went (that is told when connected).
    fn list_quietly(&mut self) -> io::Result<Listing> {
        let (trails, inodes) = list_with_inodes(&self.config.dir)?;
        let position = self.position;
        let at = inodes
            .iter()
            .position(|&inode| position.trail_inode != 0 && inode == position.trail_inode)
            .or_else(|| {
                (position.trail_inode == 0)
                    .then(|| {
                        trails
                            .iter()
                            .position(|trail| trail.name.start > position.trail_start)
                    })
                    .flatten()
            });
        Ok(Listing { trails, inodes, at })
    }

    /// The bytes of trail from the position on.
    fn backlog(&self, listing: &Listing) -> u64 {
        let Some(at) = listing.at else {
            return 0;
        };
        listing.trails[at..]
            .iter()
            .enumerate()
            .map(|(k, trail)| {
                let len = fs::metadata(&trail.path).map_or(0, |meta| meta.len());
                match k {
                    0 if listing.inodes[at] == self.position.trail_inode => {
                        len.saturating_sub(self.position.offset)
                    }
                    _ => len,
                }
            })
            .sum()
    }

    /// Moves the position past about `bytes` of records, counting them as
    /// lost (the loss record goes out before the next records); returns
    /// how many.
    fn pass_over(&mut self, listing: &Listing, mut bytes: u64) -> Result<u64, SendError> {
        let mut passed = 0;
        let Some(mut at) = listing.at else {
            return Ok(0);
        };
        if listing.inodes[at] != self.position.trail_inode {
            self.move_to(listing, at);
        }
        while bytes > 0 {
            let trail = &listing.trails[at];
            let closed = !matches!(trail.name.state, TrailState::Open);
            let chunk =
                read_chunk(&trail.path, self.position.offset, closed, bytes).map_err(io_error)?;
            passed += chunk.count;
            bytes = bytes.saturating_sub(chunk.end - self.position.offset);
            let moved = chunk.end != self.position.offset;
            self.position.offset = chunk.end;
            if chunk.finished && at + 1 < listing.trails.len() {
                at += 1;
                self.move_to(listing, at);
            } else if !moved {
                break;
            }
        }
        self.position.lost += passed;
        self.position.store(&self.config.state).map_err(io_error)?;
        Ok(passed)
    }
}

/// The directory's trails in START order, and their inodes (0 for one that
/// went meanwhile).
fn list_with_inodes(dir: &Path) -> io::Result<(Vec<TrailFile>, Vec<u64>)> {
    let trails = list_trail_dir(dir)?;
    let inodes = trails
        .iter()
        .map(|trail| fs::metadata(&trail.path).map_or(0, |meta| meta.ino()))
        .collect();
    Ok((trails, inodes))
}

/// A record of the sender's own, shipped among the host's records.
fn notice(text: &str) -> Result<Vec<u8>, SendError> {
    bsm_writer::RecordBuilder::new(SENDER_NOTICE_EVENT)
        .with(bsm_writer::token::text(text).map_err(|err| SendError::Records(err.to_string()))?)
        .with(bsm_writer::token::return32(0, 0).map_err(|err| SendError::Records(err.to_string()))?)
        .close()
        .map_err(|err| SendError::Records(err.to_string()))
}
