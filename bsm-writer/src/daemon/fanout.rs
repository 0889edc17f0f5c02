//! Live subscribers: every record written to the trail is also sent to each
//! client connected to a Unix stream socket (the real-time mode for
//! intrusion detection, like FreeBSD's auditpipe).
//!
//! A slow subscriber never holds up the trail. Each has a bounded queue and
//! a writer thread of its own; the daemon only ever tries to queue. When a
//! queue is full the record is dropped for that subscriber and counted, and
//! the next record it does get is preceded by a drop notice: an
//! AUE_audit_recovery record whose text token reads
//! `lxbsmd: N records dropped`, N being the exact count since the previous
//! record it got. The notice and that record share one queue entry, so a
//! notice always arrives with the record after the gap.
//!
//! The stream is the whole audit trail, so the socket is for root, the
//! daemon's user and, with a group, that group: it is 0600 (0660 with a
//! group) whatever the umask, each peer's credentials are checked at
//! accept (SO_PEERCRED), and subscribers are bounded in all and per user,
//! so that idle connections cannot make the daemon grow without end.

use crate::records::event_number;
use crate::{AuditTime, BuildError, RecordBuilder, token};
use bytes::Bytes;
use std::fs::DirBuilder;
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::{DirBuilderExt, FileTypeExt, MetadataExt, PermissionsExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender, TryRecvError, TrySendError, sync_channel};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// How long the accept loop rests after a failed accept.
const ACCEPT_RETRY: Duration = Duration::from_millis(100);

/// The event of a drop notice.
pub const DROP_NOTICE_EVENT: &str = "AUE_audit_recovery";

/// The text of a drop notice for `count` records.
pub fn drop_notice_text(count: u64) -> String {
    format!("lxbsmd: {count} records dropped")
}

/// A drop notice for `count` records: an AUE_audit_recovery record with
/// [`drop_notice_text`] and return 0.
pub fn drop_notice(count: u64) -> Result<Vec<u8>, BuildError> {
    RecordBuilder::new(event_number(DROP_NOTICE_EVENT)?)
        .at(AuditTime::now())
        .with(token::text(drop_notice_text(count))?)
        .with(token::return32(0, 0)?)
        .close()
}

/// The records dropped, if `text` is a drop notice's text.
pub fn parse_drop_notice_text(text: &[u8]) -> Option<u64> {
    std::str::from_utf8(text)
        .ok()?
        .strip_prefix("lxbsmd: ")?
        .strip_suffix(" records dropped")?
        .parse()
        .ok()
}

struct Subscriber {
    queue: SyncSender<Bytes>,
    /// Records dropped since the last one queued.
    dropped: u64,
    /// The subscriber's user, for the per-user bound.
    uid: u32,
    writer: JoinHandle<()>,
}

/// The socket and its subscribers.
pub struct Fanout {
    path: PathBuf,
    subscribers: Arc<Mutex<Vec<Subscriber>>>,
}

impl Fanout {
    /// Listens on `path` as `access` says, giving each subscriber a queue
    /// of `queue_len` records (at least one).
    ///
    /// The socket is made in a private directory beside `path`, given its
    /// mode and group there, and only then renamed to `path`: whatever the
    /// umask, nobody can connect before its mode is set. A socket left at
    /// `path` by an earlier run is replaced; one that still answers is an
    /// error if it is ours (another lxbsmd), and replaced if another user
    /// made it (a squatter). A directory that others may write to without
    /// the sticky bit is refused: anyone could swap the socket there.
    pub fn listen(path: &Path, queue_len: usize, access: SocketAccess) -> io::Result<Fanout> {
        // Fail now rather than at the first drop if notices cannot be made.
        drop_notice(0).map_err(|err| io::Error::new(io::ErrorKind::NotFound, err.to_string()))?;
        check_socket_dir(path)?;
        check_existing_socket(path)?;
        let listener = bind_private(path, access.group)?;
        let subscribers = Arc::new(Mutex::new(Vec::new()));
        let accepted = Arc::clone(&subscribers);
        let queue_len = queue_len.max(1);
        thread::Builder::new()
            .name("lxbsmd-accept".into())
            .spawn(move || accept(listener, &accepted, queue_len, &access))?;
        Ok(Fanout {
            path: path.to_path_buf(),
            subscribers,
        })
    }

    /// Queues `records` for every subscriber, dropping and counting those a
    /// full queue cannot take.
    pub fn publish(&self, records: impl IntoIterator<Item = Bytes>) -> Result<(), BuildError> {
        let mut subscribers = lock(&self.subscribers);
        if subscribers.is_empty() {
            return Ok(());
        }
        for record in records {
            let mut index = 0;
            while index < subscribers.len() {
                let subscriber = &mut subscribers[index];
                let entry = if subscriber.dropped == 0 {
                    record.clone()
                } else {
                    let mut entry = drop_notice(subscriber.dropped)?;
                    entry.extend_from_slice(&record);
                    Bytes::from(entry)
                };
                match subscriber.queue.try_send(entry) {
                    Ok(()) => subscriber.dropped = 0,
                    Err(TrySendError::Full(_)) => subscriber.dropped += 1,
                    Err(TrySendError::Disconnected(_)) => {
                        // Its writer thread ended: the client went away.
                        subscribers.swap_remove(index);
                        continue;
                    }
                }
                index += 1;
            }
        }
        Ok(())
    }

    /// Stops taking subscribers and lets each writer send what is queued,
    /// waiting at most `grace` for all of them; removes the socket.
    pub fn close(self, grace: Duration) {
        let _ = std::fs::remove_file(&self.path);
        let subscribers = std::mem::take(&mut *lock(&self.subscribers));
        let deadline = Instant::now() + grace;
        let writers: Vec<JoinHandle<()>> = subscribers
            .into_iter()
            .map(|subscriber| subscriber.writer)
            .collect();
        // Their queues are closed now; each writer ends once it has sent
        // what is queued, or its client fails.
        while writers.iter().any(|writer| !writer.is_finished()) && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(10));
        }
    }
}

fn lock(subscribers: &Mutex<Vec<Subscriber>>) -> std::sync::MutexGuard<'_, Vec<Subscriber>> {
    // A panic while holding the list leaves it whole (every change is one
    // Vec operation), so a poisoned lock is still usable.
    subscribers.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Who may subscribe, and how many at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SocketAccess {
    /// The socket's group: with one, the socket is 0660 and the group's
    /// members may subscribe; without, it is 0600.
    pub group: Option<u32>,
    /// Subscribers at once, in all.
    pub max_subscribers: usize,
    /// Subscribers at once with the same user id.
    pub max_per_user: usize,
}

impl Default for SocketAccess {
    /// 0600, at most 64 subscribers, 16 per user.
    fn default() -> Self {
        SocketAccess {
            group: None,
            max_subscribers: 64,
            max_per_user: 16,
        }
    }
}

impl SocketAccess {
    /// The socket file's mode.
    pub fn mode(&self) -> u32 {
        if self.group.is_some() { 0o660 } else { 0o600 }
    }

    /// Whether a peer with these credentials may subscribe: root, the
    /// daemon's own user, or a member of the socket's group. The mode
    /// already keeps others out; this holds even if the mode is changed.
    fn admits(&self, peer: &PeerCredentials) -> bool {
        peer.uid == 0
            || peer.uid == rustix::process::geteuid().as_raw()
            || self
                .group
                .is_some_and(|group| peer.gid == group || peer_in_group(peer.pid, group))
    }
}

fn check_socket_dir(path: &Path) -> io::Result<()> {
    let dir = socket_dir(path);
    let metadata = std::fs::metadata(dir)
        .map_err(|err| io::Error::new(err.kind(), format!("{}: {err}", dir.display())))?;
    let mode = metadata.permissions().mode();
    if mode & 0o002 != 0 && mode & 0o1000 == 0 {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!(
                "{} is writable by every user and not sticky: anyone could replace the socket \
                 there; use a directory of its own (e.g. /run/lxbsmd)",
                dir.display()
            ),
        ));
    }
    Ok(())
}

fn socket_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// Refuses a path that is not a socket, and a socket that answers and is
/// ours; says so when it replaces another user's.
fn check_existing_socket(path: &Path) -> io::Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(metadata) if metadata.file_type().is_socket() => {
            if UnixStream::connect(path).is_ok() {
                if metadata.uid() == rustix::process::geteuid().as_raw() {
                    return Err(io::Error::new(
                        io::ErrorKind::AddrInUse,
                        format!("{} is in use by a running daemon", path.display()),
                    ));
                }
                eprintln!(
                    "lxbsmd: {} answers but belongs to uid {}, not to lxbsmd: replacing it",
                    path.display(),
                    metadata.uid()
                );
            }
            Ok(())
        }
        Ok(_) => Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{} exists and is not a socket", path.display()),
        )),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(err) => Err(err),
    }
}

/// Binds and listens in a new 0700 directory beside `path`, sets the
/// socket's mode and group, and renames it to `path`.
fn bind_private(path: &Path, group: Option<u32>) -> io::Result<UnixListener> {
    let named = |action: &str, at: &Path| {
        let at = at.to_path_buf();
        let action = action.to_owned();
        move |err: io::Error| {
            io::Error::new(
                err.kind(),
                format!("cannot {action} {}: {err}", at.display()),
            )
        }
    };
    let file_name = path.file_name().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} names no file", path.display()),
        )
    })?;
    let private = socket_dir(path).join(format!(
        ".{}.{}.new",
        file_name.to_string_lossy(),
        std::process::id()
    ));
    // A leftover of a run that died here is ours to clear.
    let _ = std::fs::remove_dir_all(&private);
    DirBuilder::new()
        .mode(0o700)
        .create(&private)
        .map_err(named("create", &private))?;
    let made = private.join("socket");
    let bound = (|| {
        let listener = UnixListener::bind(&made).map_err(named("listen on", &made))?;
        let mode = if group.is_some() { 0o660 } else { 0o600 };
        std::fs::set_permissions(&made, std::fs::Permissions::from_mode(mode))
            .map_err(named("set the mode of", &made))?;
        if let Some(group) = group {
            std::os::unix::fs::chown(&made, None, Some(group))
                .map_err(named("set the group of", &made))?;
        }
        std::fs::rename(&made, path).map_err(named("rename the socket to", path))?;
        Ok(listener)
    })();
    let _ = std::fs::remove_dir_all(&private);
    bound
}

/// A connected peer's process, user and group (SO_PEERCRED).
#[derive(Debug, Clone, Copy)]
struct PeerCredentials {
    pid: u32,
    uid: u32,
    gid: u32,
}

fn peer_credentials(client: &UnixStream) -> io::Result<PeerCredentials> {
    let credentials = rustix::net::sockopt::socket_peercred(client)?;
    Ok(PeerCredentials {
        pid: credentials.pid.as_raw_nonzero().get().unsigned_abs(),
        uid: credentials.uid.as_raw(),
        gid: credentials.gid.as_raw(),
    })
}

/// Whether process `pid` has `group` among its supplementary groups.
fn peer_in_group(pid: u32, group: u32) -> bool {
    let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) else {
        return false;
    };
    status
        .lines()
        .find_map(|line| line.strip_prefix("Groups:"))
        .is_some_and(|groups| groups.split_whitespace().any(|id| id.parse() == Ok(group)))
}

/// Logs refused subscribers at most once a second, with a count.
struct RefusalLog {
    refused: u64,
    last: Option<Instant>,
}

impl RefusalLog {
    fn refuse(&mut self, why: &str) {
        self.refused += 1;
        if self
            .last
            .is_none_or(|last| last.elapsed() >= Duration::from_secs(1))
        {
            eprintln!(
                "lxbsmd: refused a subscriber: {why} ({} refused so far)",
                self.refused
            );
            self.last = Some(Instant::now());
        }
    }
}

fn accept(
    listener: UnixListener,
    subscribers: &Mutex<Vec<Subscriber>>,
    queue_len: usize,
    access: &SocketAccess,
) {
    let mut refusals = RefusalLog {
        refused: 0,
        last: None,
    };
    for client in listener.incoming() {
        let client = match client {
            Ok(client) => client,
            Err(err) => {
                eprintln!("lxbsmd: accepting a subscriber: {err}");
                // A lasting error (no file descriptors left) would
                // otherwise spin and flood the log.
                thread::sleep(ACCEPT_RETRY);
                continue;
            }
        };
        let peer = match peer_credentials(&client) {
            Ok(peer) => peer,
            Err(err) => {
                refusals.refuse(&format!("no peer credentials: {err}"));
                continue;
            }
        };
        if !access.admits(&peer) {
            refusals.refuse(&format!(
                "uid {} (pid {}) is neither root, lxbsmd's user nor in the socket's group",
                peer.uid, peer.pid
            ));
            continue;
        }
        let mut list = lock(subscribers);
        // Writers of clients that went away end on their own; their
        // entries would otherwise count until the next publish.
        list.retain(|subscriber| !subscriber.writer.is_finished());
        if list.len() >= access.max_subscribers {
            drop(list);
            refusals.refuse(&format!(
                "{} subscribers already (--max-subscribers)",
                access.max_subscribers
            ));
            continue;
        }
        if list.iter().filter(|s| s.uid == peer.uid).count() >= access.max_per_user {
            drop(list);
            refusals.refuse(&format!(
                "uid {} has {} subscribers already (--max-subscribers-per-user)",
                peer.uid, access.max_per_user
            ));
            continue;
        }
        // Subscribers only listen; what they send is never read.
        let _ = client.shutdown(std::net::Shutdown::Read);
        let (queue, queued) = sync_channel(queue_len);
        match thread::Builder::new()
            .name("lxbsmd-subscriber".into())
            .spawn(move || send_records(client, &queued))
        {
            Ok(writer) => list.push(Subscriber {
                queue,
                dropped: 0,
                uid: peer.uid,
                writer,
            }),
            Err(err) => eprintln!("lxbsmd: cannot start a subscriber's writer: {err}"),
        }
    }
}

/// Writes queued records to the client until the queue closes or the client
/// fails, flushing whenever the queue runs empty.
fn send_records(client: UnixStream, queued: &Receiver<Bytes>) {
    let mut out = BufWriter::with_capacity(64 * 1024, client);
    loop {
        let entry = match queued.try_recv() {
            Ok(entry) => entry,
            Err(TryRecvError::Empty) => {
                if out.flush().is_err() {
                    return;
                }
                match queued.recv() {
                    Ok(entry) => entry,
                    Err(_) => return,
                }
            }
            Err(TryRecvError::Disconnected) => {
                let _ = out.flush();
                return;
            }
        };
        if out.write_all(&entry).is_err() {
            return;
        }
    }
}
