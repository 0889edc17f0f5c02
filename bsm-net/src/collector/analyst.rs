//! What an analyst may ask of the collector: the stored trails listed, one
//! of them fetched, a host's records followed as they are stored. Every
//! request is recorded in the collector's own trail (who, from where,
//! what). Names in a request are looked up among what is stored, never
//! joined into a path as given.

use std::fs;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use bsm_format::list_trail_dir;
use bytes::{Bytes, BytesMut};
use futures_util::{SinkExt, StreamExt};
use tokio::io::AsyncReadExt;
use tokio::sync::broadcast::{self, error::RecvError};

use super::{ANALYST_ACCESS_EVENT, Collector, Connection, Refusal};
use crate::protocol::{LISTING_TRAILS, MAX_BATCH, Message, StoredTrail};

impl Collector {
    /// An analyst's one request, answered on a task of its own.
    pub(super) async fn analyst_session(
        &self,
        mut framed: Connection,
        analyst: String,
        peer: SocketAddr,
    ) -> Result<(), Refusal> {
        let refused = |why: String| format!("bsmcollectd: refused: analyst {analyst}: {why}");
        let request = match framed.next().await {
            Some(Ok(frame)) => {
                Message::decode(frame.freeze()).map_err(|err| refused(err.to_string()))?
            }
            Some(Err(err)) => return Err(refused(format!("reading the request: {err}"))),
            None => return Err(refused("closed before asking anything".to_owned())),
        };
        let who = format!("analyst {analyst} ({peer})");
        let answer = match request {
            Message::List { host } => self.list(&host).map(|trails| {
                let what = if host.is_empty() { "every host" } else { &host };
                (
                    format!("listed the trails of {what}"),
                    Answer::Listing(trails),
                )
            }),
            Message::Fetch { host, trail } => self
                .stored_trail(&host, &trail)
                .map(|path| (format!("fetched {host}/{trail}"), Answer::Trail(path))),
            Message::Follow { host } => self
                .follow_start(&host)
                .map(|follow| (format!("follows {host}"), Answer::Follow(follow))),
            other => return Err(refused(format!("{other:?} is not a request"))),
        };
        let (what, answer) = match answer {
            Ok(answer) => answer,
            Err(why) => {
                eprintln!("bsmcollectd: {who}: {why}");
                let _ = framed.send(Message::Refused { why }.encode()).await;
                return Ok(());
            }
        };
        self.notices
            .write(ANALYST_ACCESS_EVENT, &format!("bsmcollectd: {who} {what}"));
        tokio::spawn(async move {
            let outcome = match answer {
                Answer::Listing(trails) => send_listing(&mut framed, trails).await,
                Answer::Trail(path) => send_trail(&mut framed, &path).await,
                Answer::Follow(follow) => send_live(&mut framed, follow).await,
            };
            match outcome {
                Ok(()) => eprintln!("bsmcollectd: {who}: done"),
                Err(err) => eprintln!("bsmcollectd: {who}: {err}; connection dropped"),
            }
        });
        Ok(())
    }

    /// The directory of a host the collector has trails of.
    fn host_dir(&self, host: &str) -> Result<PathBuf, String> {
        let unknown = || format!("no trails of a host {host:?}");
        let entries = fs::read_dir(&self.config.dir)
            .map_err(|err| format!("{}: {err}", self.config.dir.display()))?;
        for entry in entries.flatten() {
            if entry.file_name().to_str() == Some(host)
                && entry.file_type().is_ok_and(|kind| kind.is_dir())
            {
                return Ok(entry.path());
            }
        }
        Err(unknown())
    }

    /// The stored trails of `host`, or of every host if it is empty.
    fn list(&self, host: &str) -> Result<Vec<StoredTrail>, String> {
        let hosts = if host.is_empty() {
            let entries = match fs::read_dir(&self.config.dir) {
                Ok(entries) => entries,
                // no sender yet
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
                Err(err) => return Err(format!("{}: {err}", self.config.dir.display())),
            };
            let mut hosts: Vec<(String, PathBuf)> = entries
                .flatten()
                .filter(|entry| entry.file_type().is_ok_and(|kind| kind.is_dir()))
                .filter_map(|entry| Some((entry.file_name().into_string().ok()?, entry.path())))
                .collect();
            hosts.sort();
            hosts
        } else {
            vec![(host.to_owned(), self.host_dir(host)?)]
        };
        let mut listed = Vec::new();
        for (host, dir) in hosts {
            let trails = list_trail_dir(&dir).map_err(|err| format!("{}: {err}", dir.display()))?;
            for trail in trails {
                let len = fs::metadata(&trail.path)
                    .map_err(|err| format!("{}: {err}", trail.path.display()))?
                    .len();
                listed.push(StoredTrail {
                    host: host.clone(),
                    name: trail.file_name().to_string_lossy().into_owned(),
                    len,
                });
            }
        }
        Ok(listed)
    }

    /// The path of the stored trail `trail` of `host`.
    fn stored_trail(&self, host: &str, trail: &str) -> Result<PathBuf, String> {
        let dir = self.host_dir(host)?;
        list_trail_dir(&dir)
            .map_err(|err| format!("{}: {err}", dir.display()))?
            .into_iter()
            .find(|file| file.file_name().to_str() == Some(trail))
            .map(|file| file.path)
            .ok_or_else(|| format!("{host} has no trail {trail:?}"))
    }

    /// Where a follow of `host` starts: its current trail, as long as it is
    /// now, and every batch stored from now on.
    fn follow_start(&self, host: &str) -> Result<Follow, String> {
        self.host_dir(host)?;
        let trails = self.host_trails(host)?;
        // Under the host's lock no batch is half stored: the trail's length
        // and the subscription meet exactly.
        let trails = trails.lock().unwrap_or_else(|e| e.into_inner());
        let path = trails.writer.current_path().to_owned();
        let len = fs::metadata(&path)
            .map_err(|err| format!("{}: {err}", path.display()))?
            .len();
        Ok(Follow {
            host: host.to_owned(),
            path,
            len,
            live: trails.live.subscribe(),
        })
    }
}

enum Answer {
    Listing(Vec<StoredTrail>),
    Trail(PathBuf),
    Follow(Follow),
}

struct Follow {
    host: String,
    /// The host's current trail, and its length when the follow began.
    path: PathBuf,
    len: u64,
    live: broadcast::Receiver<Bytes>,
}

async fn send(framed: &mut Connection, message: Message) -> Result<(), String> {
    framed
        .send(message.encode())
        .await
        .map_err(|err| format!("sending: {err}"))
}

async fn send_listing(framed: &mut Connection, trails: Vec<StoredTrail>) -> Result<(), String> {
    for chunk in trails.chunks(LISTING_TRAILS) {
        send(
            framed,
            Message::Listing {
                trails: chunk.to_vec(),
            },
        )
        .await?;
    }
    send(framed, Message::End).await
}

/// The first `len` bytes of the file at `path`, in Data frames.
async fn send_file(framed: &mut Connection, path: &Path, len: u64) -> Result<(), String> {
    let failed = |err: std::io::Error| format!("{}: {err}", path.display());
    let mut file = tokio::fs::File::open(path).await.map_err(failed)?;
    let mut left = len;
    while left > 0 {
        let want = usize::try_from(left).unwrap_or(MAX_BATCH).min(MAX_BATCH);
        let mut chunk = BytesMut::zeroed(want);
        let got = file.read(&mut chunk).await.map_err(failed)?;
        if got == 0 {
            return Err(format!(
                "{}: cut to {} bytes while being sent",
                path.display(),
                len - left
            ));
        }
        chunk.truncate(got);
        left -= got as u64;
        send(
            framed,
            Message::Data {
                bytes: chunk.freeze(),
            },
        )
        .await?;
    }
    Ok(())
}

/// A stored trail, whole as it is now, then End.
async fn send_trail(framed: &mut Connection, path: &Path) -> Result<(), String> {
    let len = tokio::fs::metadata(path)
        .await
        .map_err(|err| format!("{}: {err}", path.display()))?
        .len();
    send_file(framed, path, len).await?;
    send(framed, Message::End).await
}

/// The host's current trail, then its records as they are stored, until
/// the analyst goes or falls too far behind (told so), or the collector
/// closes the host's trails (End).
async fn send_live(framed: &mut Connection, mut follow: Follow) -> Result<(), String> {
    if follow.len == 0 {
        // the analyst learns at once that the follow is on
        send(
            framed,
            Message::Data {
                bytes: Bytes::new(),
            },
        )
        .await?;
    }
    send_file(framed, &follow.path, follow.len).await?;
    loop {
        tokio::select! {
            batch = follow.live.recv() => match batch {
                Ok(bytes) => send(framed, Message::Data { bytes }).await?,
                Err(RecvError::Lagged(missed)) => {
                    let why = format!(
                        "fell {missed} batches behind {}'s records; follow again",
                        follow.host
                    );
                    send(framed, Message::Refused { why: why.clone() }).await?;
                    return Err(why);
                }
                Err(RecvError::Closed) => return send(framed, Message::End).await,
            },
            // anything from the analyst, or its going, ends the follow
            _ = framed.next() => return Ok(()),
        }
    }
}
