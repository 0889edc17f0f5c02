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

use crate::records::event_number;
use crate::{AuditTime, BuildError, RecordBuilder, token};
use bytes::Bytes;
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::FileTypeExt;
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
    writer: JoinHandle<()>,
}

/// The socket and its subscribers.
pub struct Fanout {
    path: PathBuf,
    subscribers: Arc<Mutex<Vec<Subscriber>>>,
}

impl Fanout {
    /// Listens on `path`, giving each subscriber a queue of `queue_len`
    /// records. A socket left at `path` by an earlier run is replaced; one
    /// that still answers is an error.
    pub fn listen(path: &Path, queue_len: usize) -> io::Result<Fanout> {
        // Fail now rather than at the first drop if notices cannot be made.
        drop_notice(0).map_err(|err| io::Error::new(io::ErrorKind::NotFound, err.to_string()))?;
        remove_stale_socket(path)?;
        let listener = UnixListener::bind(path).map_err(|err| {
            io::Error::new(
                err.kind(),
                format!("cannot listen on {}: {err}", path.display()),
            )
        })?;
        let subscribers = Arc::new(Mutex::new(Vec::new()));
        let accepted = Arc::clone(&subscribers);
        let queue_len = queue_len.max(1);
        thread::Builder::new()
            .name("lxbsmd-accept".into())
            .spawn(move || accept(listener, &accepted, queue_len))?;
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

fn remove_stale_socket(path: &Path) -> io::Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(metadata) if metadata.file_type().is_socket() => {
            if UnixStream::connect(path).is_ok() {
                return Err(io::Error::new(
                    io::ErrorKind::AddrInUse,
                    format!("{} is in use by a running daemon", path.display()),
                ));
            }
            std::fs::remove_file(path)
        }
        Ok(_) => Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{} exists and is not a socket", path.display()),
        )),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(err) => Err(err),
    }
}

fn accept(listener: UnixListener, subscribers: &Mutex<Vec<Subscriber>>, queue_len: usize) {
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
        // Subscribers only listen; what they send is never read.
        let _ = client.shutdown(std::net::Shutdown::Read);
        let (queue, queued) = sync_channel(queue_len);
        match thread::Builder::new()
            .name("lxbsmd-subscriber".into())
            .spawn(move || send_records(client, &queued))
        {
            Ok(writer) => lock(subscribers).push(Subscriber {
                queue,
                dropped: 0,
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
