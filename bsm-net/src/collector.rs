//! The collector: allow-listed, mutually authenticated senders' records
//! into one trail directory per sender, acknowledged once on disk; every
//! refusal a record in the collector's own trail.
//!
//! A connection goes through, in order: the allow-list on the peer's
//! address (before any TLS byte is read: a refused peer is closed at once);
//! the TLS 1.3 handshake, which requires a client certificate the CA
//! signed; the Hello, whose host name the certificate must name. Each of
//! them refuses with an AUE_ACCEPT record (socket_ex with both ends, a text
//! token saying why, return EACCES). Then the sender's records, numbered
//! from 0 per host, are written with the host's `TrailWriter`, synced, and
//! acknowledged. Beside the trails the collector keeps the position after
//! the last acknowledged batch (its number, and where it ends: the trail,
//! by inode, and its length); at start-up it adds the records the trails hold
//! past that point (written, not yet acknowledged, when the collector was
//! killed), so the number it tells a sender that comes back is exactly the
//! records on its disk: nothing is asked twice, nothing skipped.
//!
//! A peer whose certificate the analysts' CA signed is an analyst instead:
//! see the `analyst` module for what it may ask.

mod analyst;

use std::collections::HashMap;
use std::fs;
use std::io::{self, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use bsm_format::{Splitter, TrailItem};
use bsm_writer::records::{self, Subject};
use bsm_writer::{TrailConfig, TrailError, TrailWriter};
use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{broadcast, watch};
use tokio_rustls::TlsAcceptor;
use tokio_util::codec::{Framed, LengthDelimitedCodec};

use crate::allow::{AllowList, AllowListError};
use crate::protocol::{self, Message, VERSION};
use crate::tls::{self, Role, ServerTls, TlsError, TlsFiles};

/// How long a peer may take over its handshake and Hello.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a sender may stay silent by default (it sends heartbeats more
/// often).
pub const SILENCE: Duration = Duration::from_secs(90);
/// The event of the collector's notices about a sender: gone silent, back.
/// (The range audit_event leaves to sites; not in OpenBSM's table.)
pub const SENDER_NOTICE_EVENT: u16 = 43510;
/// The event of the collector's records of what analysts read.
pub const ANALYST_ACCESS_EVENT: u16 = 43511;
/// Batches of a host's records held for its followers that lag behind;
/// one further behind is told so and dropped.
const FOLLOW_BACKLOG: usize = 64;
/// The file, in a sender's trail directory, that keeps the number of the
/// next record the collector expects from it.
const NEXT_FILE: &str = ".bsmnet-next";

#[derive(Debug, Clone)]
pub struct CollectorConfig {
    /// The allow-list file (re-read by [`Collector::reload`]).
    pub allow_list: PathBuf,
    /// Where the senders' trail directories go: `DIR/HOST`.
    pub dir: PathBuf,
    /// The collector's own trail directory (refusals).
    pub own_dir: PathBuf,
    pub tls: TlsFiles,
    /// The CA that signs analysts' certificates (PEM), who may list, fetch
    /// and follow the stored trails; none, no analyst.
    pub analyst_ca: Option<PathBuf>,
    /// A sender silent this long (no frame, connected or not) is noted in
    /// the collector's trail, and its coming back too.
    pub silence: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum CollectorError {
    #[error(transparent)]
    AllowList(#[from] AllowListError),
    #[error(transparent)]
    Tls(#[from] TlsError),
    #[error(transparent)]
    Trail(#[from] TrailError),
    #[error("{0}")]
    Record(String),
}

/// One sender's trails and what the collector has of them.
struct HostTrails {
    writer: TrailWriter,
    /// The number of the next record expected.
    next: u64,
    connected: bool,
    /// When the last frame came (or the host was first seen).
    last_seen: Instant,
    /// Its silence is in the trail, its coming back is not yet.
    silent: bool,
    /// Each stored batch, for the analysts following the host.
    live: broadcast::Sender<Bytes>,
}

pub struct Collector {
    config: CollectorConfig,
    allow: RwLock<AllowList>,
    tls: ServerTls,
    acceptor: TlsAcceptor,
    notices: Arc<Notices>,
    hosts: Mutex<HashMap<String, Arc<Mutex<HostTrails>>>>,
}

/// Why a connection ended early, for the log.
type Refusal = String;

impl Collector {
    pub fn new(config: CollectorConfig) -> Result<Collector, CollectorError> {
        let allow = AllowList::load(&config.allow_list)?;
        let tls = tls::server_tls(&config.tls, config.analyst_ca.as_deref())?;
        let acceptor = TlsAcceptor::from(Arc::clone(&tls.config));
        let own = TrailWriter::open(private_trails(&config.own_dir))?;
        let subject = Subject::current().map_err(|err| CollectorError::Record(err.to_string()))?;
        Ok(Collector {
            config,
            allow: RwLock::new(allow),
            tls,
            acceptor,
            notices: Arc::new(Notices {
                own: Mutex::new(own),
                subject,
            }),
            hosts: Mutex::new(HashMap::new()),
        })
    }

    /// Re-reads the allow-list (SIGHUP); a list that does not parse leaves
    /// the old one in force. Returns the number of rules.
    pub fn reload(&self) -> Result<usize, AllowListError> {
        let list = AllowList::load(&self.config.allow_list)?;
        let rules = list.len();
        *self.allow.write().unwrap_or_else(|e| e.into_inner()) = list;
        Ok(rules)
    }

    /// Accepts connections until `stop` turns true; each is served on a task
    /// of its own.
    pub async fn serve(
        self: Arc<Self>,
        listener: TcpListener,
        mut stop: watch::Receiver<bool>,
    ) -> io::Result<()> {
        let mut watch = tokio::time::interval(self.config.silence / 4);
        loop {
            let (stream, peer) = tokio::select! {
                _ = watch.tick() => {
                    self.note_silent_hosts();
                    continue;
                }
                accepted = listener.accept() => match accepted {
                    Ok(accepted) => accepted,
                    Err(err) => {
                        // Out of descriptors and the like: say so, go on.
                        eprintln!("bsmcollectd: accept: {err}");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                },
                _ = stop.changed() => return Ok(()),
            };
            let collector = Arc::clone(&self);
            tokio::spawn(async move { collector.connection(stream, peer).await });
        }
    }

    /// Closes every trail (the senders' and the collector's own).
    pub fn close(self) -> Result<(), CollectorError> {
        let hosts = self.hosts.into_inner().unwrap_or_else(|e| e.into_inner());
        for (host, trails) in hosts {
            if let Ok(trails) = Arc::try_unwrap(trails) {
                let trails = trails.into_inner().unwrap_or_else(|e| e.into_inner());
                if let Err(err) = trails.writer.close() {
                    eprintln!("bsmcollectd: {host}: {err}");
                }
            }
        }
        match Arc::try_unwrap(self.notices) {
            Ok(notices) => {
                notices
                    .own
                    .into_inner()
                    .unwrap_or_else(|e| e.into_inner())
                    .close()?;
            }
            // A connection's task still holds it: its trail is recovered at
            // the next start, as after a crash.
            Err(_) => eprintln!("bsmcollectd: the collector's own trail is still in use"),
        }
        Ok(())
    }

    async fn connection(&self, stream: TcpStream, peer: SocketAddr) {
        let local = stream.local_addr().unwrap_or(peer);
        let admitted = self
            .allow
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .admits(peer.ip())
            .cloned();
        if admitted.is_none() {
            drop(stream);
            let why = format!(
                "bsmcollectd: refused: {} is not on the allow-list {}",
                peer.ip(),
                self.config.allow_list.display()
            );
            self.refuse(local, peer, &why);
            return;
        }
        match tokio::time::timeout(HANDSHAKE_TIMEOUT, self.session(stream, peer)).await {
            Ok(Ok(())) => {}
            Ok(Err(why)) => self.refuse(local, peer, &why),
            Err(_) => self.refuse(
                local,
                peer,
                "bsmcollectd: refused: no handshake and Hello within 10 s",
            ),
        }
    }

    /// The TLS handshake and Hello (under the handshake timeout); then a
    /// sender's records or an analyst's request, in a task of their own,
    /// without it.
    async fn session(&self, stream: TcpStream, peer: SocketAddr) -> Result<(), Refusal> {
        let local = stream.local_addr().unwrap_or(peer);
        let tls = self
            .acceptor
            .accept(stream)
            .await
            .map_err(|err| format!("bsmcollectd: refused: TLS: {err}"))?;
        let chain: Vec<_> = tls
            .get_ref()
            .1
            .peer_certificates()
            .map(|chain| chain.iter().map(|cert| cert.clone().into_owned()).collect())
            .unwrap_or_default();
        let mut framed = Framed::new(tls, protocol::codec());
        let host = match framed.next().await {
            Some(Ok(frame)) => match Message::decode(frame.freeze()) {
                Ok(Message::Hello { version, host }) if version == VERSION => host,
                Ok(Message::Hello { version, .. }) => {
                    return Err(format!(
                        "bsmcollectd: refused: protocol version {version}, not {VERSION}"
                    ));
                }
                Ok(other) => return Err(format!("bsmcollectd: refused: {other:?} before Hello")),
                Err(err) => return Err(format!("bsmcollectd: refused: {err}")),
            },
            Some(Err(err)) => return Err(format!("bsmcollectd: refused: reading Hello: {err}")),
            None => return Err("bsmcollectd: refused: closed before Hello".to_owned()),
        };
        tls::certificate_names(&chain, &host)
            .map_err(|err| format!("bsmcollectd: refused: host {host}: {err}"))?;
        match self.tls.role(&chain) {
            Some(Role::Sender) => self.sender_session(framed, host, local, peer).await,
            Some(Role::Analyst) => self.analyst_session(framed, host, peer).await,
            None => Err(format!(
                "bsmcollectd: refused: {host}: a certificate of neither the senders' nor the analysts' CA"
            )),
        }
    }

    /// A sender's session: where the collector stands, then its records.
    async fn sender_session(
        &self,
        mut framed: Connection,
        host: String,
        local: SocketAddr,
        peer: SocketAddr,
    ) -> Result<(), Refusal> {
        let trails = self
            .host_trails(&host)
            .map_err(|err| format!("bsmcollectd: refused: host {host}: {err}"))?;
        let next = {
            let mut trails = trails.lock().unwrap_or_else(|e| e.into_inner());
            if trails.connected {
                return Err(format!(
                    "bsmcollectd: refused: host {host} is connected already"
                ));
            }
            trails.connected = true;
            if trails.silent {
                trails.silent = false;
                self.notice(&format!(
                    "bsmcollectd: {host} back after {} s of silence, from {peer}",
                    trails.last_seen.elapsed().as_secs()
                ));
            }
            trails.last_seen = Instant::now();
            trails.next
        };
        eprintln!("bsmcollectd: {host} connected from {peer}, resuming at record {next}");
        if let Err(err) = framed.send(Message::Welcome { next }.encode()).await {
            trails.lock().unwrap_or_else(|e| e.into_inner()).connected = false;
            return Err(format!("bsmcollectd: {host}: {err}"));
        }
        let silence = self.config.silence;
        let notices = Arc::clone(&self.notices);
        tokio::spawn(async move {
            let ends = Ends { local, peer };
            let outcome = receive(&mut framed, &trails, silence, &host, &notices, ends).await;
            if let Err(why) = &outcome {
                // the sender learns why (a full disk, a bad frame), not
                // only that the connection went
                let why = why.clone();
                let _ = framed.send(Message::Refused { why }.encode()).await;
            }
            trails.lock().unwrap_or_else(|e| e.into_inner()).connected = false;
            match outcome {
                Ok(()) => eprintln!("bsmcollectd: {host} ({peer}) closed the connection"),
                Err(err) => eprintln!("bsmcollectd: {host} ({peer}): {err}; connection dropped"),
            }
        });
        Ok(())
    }

    /// The trails of `host`, opened on first use (its directory made 0700).
    fn host_trails(&self, host: &str) -> Result<Arc<Mutex<HostTrails>>, String> {
        let mut hosts = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(trails) = hosts.get(host) {
            return Ok(Arc::clone(trails));
        }
        let dir = self.config.dir.join(host);
        let writer = TrailWriter::open(private_trails(&dir)).map_err(|err| err.to_string())?;
        let next = stored_count(&dir)
            .map_err(|err| format!("{}: {err}", dir.join(NEXT_FILE).display()))?;
        // From now on the records go into the trail just opened.
        write_position(&writer, next)
            .map_err(|err| format!("{}: {err}", dir.join(NEXT_FILE).display()))?;
        let trails = Arc::new(Mutex::new(HostTrails {
            writer,
            next,
            connected: false,
            last_seen: Instant::now(),
            silent: false,
            live: broadcast::channel(FOLLOW_BACKLOG).0,
        }));
        hosts.insert(host.to_owned(), Arc::clone(&trails));
        Ok(trails)
    }

    /// Notes, once, each host silent past the configured silence.
    fn note_silent_hosts(&self) {
        let hosts = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
        for (host, trails) in hosts.iter() {
            let mut trails = trails.lock().unwrap_or_else(|e| e.into_inner());
            let quiet = trails.last_seen.elapsed();
            if !trails.silent && quiet >= self.config.silence {
                trails.silent = true;
                self.notice(&format!(
                    "bsmcollectd: {host} silent for {} s ({})",
                    quiet.as_secs(),
                    if trails.connected {
                        "connected"
                    } else {
                        "not connected"
                    }
                ));
            }
        }
    }

    /// A notice about a sender in the collector's own trail, and the log.
    fn notice(&self, text: &str) {
        self.notices.write(SENDER_NOTICE_EVENT, text);
    }

    /// Writes a refusal into the collector's own trail, and the log.
    fn refuse(&self, local: SocketAddr, peer: SocketAddr, why: &str) {
        self.notices.refuse(Ends { local, peer }, why);
    }
}

/// A peer's connection, inside TLS, in frames.
type Connection = Framed<tokio_rustls::server::TlsStream<TcpStream>, LengthDelimitedCodec>;

/// The two ends of a connection: the collector's, the peer's.
#[derive(Debug, Clone, Copy)]
struct Ends {
    local: SocketAddr,
    peer: SocketAddr,
}

/// The collector's own trail, for what it has to say about senders.
struct Notices {
    own: Mutex<TrailWriter>,
    subject: Subject,
}

impl Notices {
    /// A refusal in the collector's own trail, and the log.
    fn refuse(&self, ends: Ends, why: &str) {
        eprintln!("{why} ({})", ends.peer);
        let record = records::refused_connection(&self.subject, ends.local, ends.peer, why)
            .and_then(|builder| builder.close());
        self.keep(record, "refusal");
    }

    /// A notice in the collector's own trail, and the log.
    fn write(&self, event: u16, text: &str) {
        eprintln!("{text}");
        let subject = &self.subject;
        let record = bsm_writer::token::subject32_ex(
            subject.ids,
            u32::try_from(subject.terminal_port).unwrap_or(0),
            subject.terminal_addr,
        )
        .and_then(|subject| {
            bsm_writer::RecordBuilder::new(event)
                .with(subject)
                .with(bsm_writer::token::text(text)?)
                .with(bsm_writer::token::return32(0, 0)?)
                .close()
        });
        self.keep(record, "notice");
    }

    /// Writes a record of the collector's own into its trail; a record
    /// that cannot be made or written is said in the log.
    fn keep(&self, record: Result<Vec<u8>, impl std::fmt::Display>, what: &str) {
        let written = match record {
            Ok(record) => self
                .own
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .write_record(&record)
                .map(drop)
                .map_err(|err| err.to_string()),
            Err(err) => Err(err.to_string()),
        };
        if let Err(err) = written {
            eprintln!("bsmcollectd: the {what} is not in the trail: {err}");
        }
    }
}

/// A sender's records until it goes: each batch written, synced, then
/// acknowledged.
async fn receive(
    framed: &mut Connection,
    trails: &Mutex<HostTrails>,
    silence: Duration,
    host: &str,
    notices: &Notices,
    ends: Ends,
) -> Result<(), String> {
    loop {
        let frame = match tokio::time::timeout(silence, framed.next()).await {
            Err(_) => return Err(format!("silent for {} s", silence.as_secs())),
            Ok(None) => return Ok(()),
            Ok(Some(Err(err))) => return Err(format!("reading: {err}")),
            Ok(Some(Ok(frame))) => frame,
        };
        trails.lock().unwrap_or_else(|e| e.into_inner()).last_seen = Instant::now();
        match Message::decode(frame.freeze()).map_err(|err| err.to_string())? {
            Message::Heartbeat => {}
            Message::Records {
                first,
                count,
                records,
            } => {
                let next = tokio::task::block_in_place(|| {
                    let mut trails = trails.lock().unwrap_or_else(|e| e.into_inner());
                    if first > trails.next {
                        // Records the collector never had (its trails were
                        // lost, or the sender's state is not of them): kept,
                        // and the gap is news.
                        notices.write(SENDER_NOTICE_EVENT, &format!(
                            "bsmcollectd: {host} sent records from {first} on, but {} was the next expected: {} records missing",
                            trails.next,
                            first - trails.next
                        ));
                        trails.next = first;
                    }
                    store(&mut trails, first, count, &records)
                })?;
                framed
                    .send(Message::Ack { next }.encode())
                    .await
                    .map_err(|err| format!("acknowledging: {err}"))?;
            }
            Message::List { .. } | Message::Fetch { .. } | Message::Follow { .. } => {
                let why = format!(
                    "bsmcollectd: refused: {host}'s certificate is a sender's; only analysts may list, fetch or follow"
                );
                notices.refuse(ends, &why);
                return Err(why);
            }
            other => return Err(format!("unexpected {other:?}")),
        }
    }
}

/// Stores the records of a batch that the collector has not yet, hands
/// them to the host's followers, and returns the number of the next one
/// expected. A batch that is not whole records, as many as it says, is
/// refused before any of it is written.
fn store(trails: &mut HostTrails, first: u64, count: u32, records: &Bytes) -> Result<u64, String> {
    let skip = trails.next - first;
    let mut records_seen = 0u64;
    let mut new_from = records.len();
    for item in Splitter::new(records) {
        match item {
            Ok(TrailItem::Record(record)) => {
                if records_seen == skip {
                    new_from = record.offset() as usize;
                }
                records_seen += 1;
            }
            Ok(TrailItem::File(file)) => {
                return Err(format!("a file token at byte {} of a batch", file.offset));
            }
            Err(err) => return Err(format!("a damaged batch: {err}")),
        }
    }
    if records_seen != u64::from(count) {
        return Err(format!("a batch of {records_seen} records said {count}"));
    }
    if records_seen <= skip {
        return Ok(trails.next);
    }
    // One write for the batch (the writer splits it only to rotate). Under
    // its Stop policy a record is written or the write fails.
    let before = trails.writer.stats().records_written;
    let written = trails.writer.write_records(&records[new_from..]);
    trails.next += trails.writer.stats().records_written - before;
    if let Err(err) = written {
        // (a full disk): what went in before is made durable, as it is
        // counted in `next`
        if trails.writer.stats().records_written > before {
            let _ = trails.writer.sync();
            let _ = write_position(&trails.writer, trails.next);
        }
        return Err(err.to_string());
    }
    trails.writer.sync().map_err(|err| err.to_string())?;
    write_position(&trails.writer, trails.next)
        .map_err(|err| format!("keeping the position: {err}"))?;
    // No follower, no one to tell.
    let _ = trails.live.send(records.slice(new_from..));
    Ok(trails.next)
}

/// Trails for the collector alone: the directory made 0700, trails 0600
/// (other hosts' records, and who read them).
fn private_trails(dir: &Path) -> TrailConfig {
    TrailConfig {
        group_readable: false,
        ..TrailConfig::new(dir)
    }
}

/// The position after the last acknowledged batch: the next record's
/// number, and the trail it ended in (by inode: a trail keeps it when it
/// is renamed at close or recovery, while its START may be widened down
/// to its records' times) and that trail's length then.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Position {
    next: u64,
    trail_inode: u64,
    trail_len: u64,
}

fn read_position(dir: &Path) -> io::Result<Option<Position>> {
    let text = match fs::read_to_string(dir.join(NEXT_FILE)) {
        Ok(text) => text,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(err),
    };
    let numbers: Vec<u64> = text
        .split_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "not a position"))?;
    match numbers[..] {
        [next, trail_inode, trail_len] => Ok(Some(Position {
            next,
            trail_inode,
            trail_len,
        })),
        _ => Err(io::Error::new(io::ErrorKind::InvalidData, "not a position")),
    }
}

/// The records of the trail at `path` from byte `from` on.
fn records_in(path: &Path, from: u64) -> io::Result<u64> {
    let bytes = fs::read(path)?;
    let mut count = 0;
    for item in Splitter::new(&bytes) {
        match item {
            Ok(TrailItem::Record(record)) if record.offset() >= from => count += 1,
            Ok(_) => {}
            // recovery has cut what was damaged; stop at anything else
            Err(_) => break,
        }
    }
    Ok(count)
}

/// The number of records the host's trails hold: the kept position, plus
/// the records its trail got after it (a crash between a batch's write
/// and its acknowledgement); without a position, every record of every
/// trail. A host's trails rotate only when the collector restarts, and
/// the position moves to the new trail then (see `host_trails`), so no
/// other trail can hold records past the position.
fn stored_count(dir: &Path) -> io::Result<u64> {
    use std::os::unix::fs::MetadataExt;
    let trails = bsm_format::list_trail_dir(dir)?;
    let Some(at) = read_position(dir)? else {
        let mut count = 0;
        for trail in &trails {
            count += records_in(&trail.path, 0)?;
        }
        return Ok(count);
    };
    for trail in &trails {
        if fs::metadata(&trail.path)?.ino() == at.trail_inode {
            return Ok(at.next + records_in(&trail.path, at.trail_len)?);
        }
    }
    Err(io::Error::new(
        io::ErrorKind::NotFound,
        "the trail of the last acknowledged records is gone",
    ))
}

/// Replaces the position file whole (a new file, synced, renamed over).
fn write_position(writer: &TrailWriter, next: u64) -> io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let trail = fs::metadata(writer.current_path())?;
    let dir = writer.dir();
    let temporary = dir.join(format!("{NEXT_FILE}.new"));
    let mut file = fs::File::create(&temporary)?;
    writeln!(file, "{next} {} {}", trail.ino(), trail.len())?;
    file.sync_all()?;
    fs::rename(&temporary, dir.join(NEXT_FILE))?;
    fs::File::open(dir)?.sync_all()
}
