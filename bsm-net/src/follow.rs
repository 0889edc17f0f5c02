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
use std::time::Duration;

use bsm_format::{Splitter, TrailItem, TrailState, list_trail_dir};
use tokio::sync::watch;

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
            [next, trail_start, trail_inode, offset] => Ok(Position {
                next,
                trail_start,
                trail_inode,
                offset,
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
            "{} {} {} {}",
            self.next, self.trail_start, self.trail_inode, self.offset
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
    /// Keep following after catching up (else return then).
    pub follow: bool,
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

fn read_chunk(path: &Path, offset: u64, closed: bool) -> io::Result<Chunk> {
    let mut file = fs::File::open(path)?;
    let len = file.metadata()?.len();
    if len < offset {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
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

/// Ships what the directory holds past the saved position, and with
/// `follow` what comes after, until `stop`; the position is saved after
/// every acknowledged chunk.
pub async fn follow_dir(
    config: &FollowConfig,
    mut stop: watch::Receiver<bool>,
) -> Result<Position, SendError> {
    let io_error = |err: io::Error| SendError::Records(err.to_string());
    let mut position = Position::load(&config.state).map_err(io_error)?;
    let mut session = Session::connect(&config.sender).await?;
    if session.next < position.next {
        return Err(SendError::Protocol(format!(
            "the collector holds {} records of this host, fewer than the {} it acknowledged",
            session.next, position.next
        )));
    }
    loop {
        let trails = list_trail_dir(&config.dir).map_err(io_error)?;
        let inodes: Vec<u64> = trails
            .iter()
            .map(|trail| fs::metadata(&trail.path).map_or(0, |meta| meta.ino()))
            .collect();
        let current = inodes
            .iter()
            .position(|&inode| position.trail_inode != 0 && inode == position.trail_inode)
            .or_else(|| {
                trails
                    .iter()
                    .position(|trail| trail.name.start > position.trail_start)
            });
        let mut progressed = false;
        if let Some(at) = current {
            let trail = &trails[at];
            if inodes[at] != position.trail_inode {
                // the first trail, or the one after a finished trail
                position.trail_start = trail.name.start;
                position.trail_inode = inodes[at];
                position.offset = 0;
            }
            let closed = !matches!(trail.name.state, TrailState::Open);
            let chunk = read_chunk(&trail.path, position.offset, closed).map_err(io_error)?;
            if chunk.count > 0 {
                let end = session.ship_records(&chunk.records, position.next).await?;
                debug_assert_eq!(end, position.next + chunk.count);
                position.next = end;
                progressed = true;
            }
            if chunk.end != position.offset {
                position.offset = chunk.end;
                progressed = true;
            }
            if chunk.finished && at + 1 < trails.len() {
                position.trail_start = trails[at + 1].name.start;
                position.trail_inode = inodes[at + 1];
                position.offset = 0;
                progressed = true;
            }
            if progressed {
                position.store(&config.state).map_err(io_error)?;
            }
        }
        if progressed {
            continue;
        }
        if !config.follow || *stop.borrow() {
            session.close().await?;
            return Ok(position);
        }
        tokio::select! {
            _ = tokio::time::sleep(config.poll) => session.heartbeat().await?,
            _ = stop.changed() => {
                session.close().await?;
                return Ok(position);
            }
        }
    }
}
