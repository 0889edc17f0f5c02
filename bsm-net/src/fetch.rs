//! The analyst's side: list a collector's stored trails, fetch one, or
//! follow a host's records as the collector stores them; and `bsm://`
//! addresses for tools that read a trail as a byte stream (praudit,
//! auditreduce).
//!
//! `bsm://COLLECTOR[:PORT]/HOST/TRAIL` is one stored trail;
//! `bsm://COLLECTOR[:PORT]/HOST` is the host's live stream (its current
//! trail from the start, then each record as it is stored). The identity
//! comes from the environment: see [`Identity::from_env`].

use std::io::{self, Read};
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use rustls::ClientConfig;

use crate::protocol::{Message, StoredTrail};
use crate::sender::{self, Connection, SendError};
use crate::tls::{self, TlsFiles};

/// The collector's port when an address names none.
pub const DEFAULT_PORT: u16 = 7878;
/// How long a collector may take over each frame of a listing or a fetch
/// (a follow waits as long as the host is quiet).
const ANSWER_TIMEOUT: Duration = Duration::from_secs(60);

/// An analyst's connection settings.
#[derive(Clone)]
pub struct AnalystConfig {
    pub collector: SocketAddr,
    /// The name the collector's certificate must carry.
    pub collector_name: String,
    /// The analyst's name, as its certificate names it.
    pub name: String,
    /// The local address to connect from, if not the system's choice.
    pub bind: Option<SocketAddr>,
    pub tls: Arc<ClientConfig>,
}

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error(transparent)]
    Connect(#[from] SendError),
    #[error("the collector refused: {0}")]
    Refused(String),
    #[error(
        "the collector took this certificate for a sender's: only certificates of the analysts' CA may list, fetch or follow"
    )]
    NotAnalyst,
    #[error("the collector: {0}")]
    Protocol(String),
    #[error("{0}")]
    Address(String),
    #[error("{0}")]
    Identity(String),
}

/// An authenticated connection as an analyst, before its one request.
pub struct Archive {
    framed: Connection,
}

impl Archive {
    pub async fn connect(config: &AnalystConfig) -> Result<Archive, FetchError> {
        let framed = sender::connect(
            config.collector,
            config.bind,
            &config.collector_name,
            &config.tls,
            &config.name,
        )
        .await?;
        Ok(Archive { framed })
    }

    /// The stored trails of `host` (of every host if it is empty).
    pub async fn list(self, host: &str) -> Result<Vec<StoredTrail>, FetchError> {
        let mut answers = self
            .ask(Message::List {
                host: host.to_owned(),
            })
            .await?;
        let mut listed = Vec::new();
        loop {
            match answers.answer().await? {
                Message::Listing { trails } => listed.extend(trails),
                Message::End => return Ok(listed),
                other => return Err(unexpected(&other)),
            }
        }
    }

    /// One stored trail of `host`, as it is now.
    pub async fn fetch(self, host: &str, trail: &str) -> Result<TrailStream, FetchError> {
        self.ask(Message::Fetch {
            host: host.to_owned(),
            trail: trail.to_owned(),
        })
        .await?
        .started()
        .await
    }

    /// The records of `host` as they are stored: its current trail from the
    /// start, then the rest as it comes, until the collector or the caller
    /// ends it.
    pub async fn follow(self, host: &str) -> Result<TrailStream, FetchError> {
        let mut stream = self
            .ask(Message::Follow {
                host: host.to_owned(),
            })
            .await?;
        stream.live = true;
        stream.started().await
    }

    async fn ask(mut self, request: Message) -> Result<TrailStream, FetchError> {
        self.framed
            .send(request.encode())
            .await
            .map_err(SendError::from)?;
        Ok(TrailStream {
            framed: self.framed,
            live: false,
            first: None,
            ended: false,
        })
    }
}

/// A trail's bytes as the collector sends them.
pub struct TrailStream {
    framed: Connection,
    live: bool,
    /// The first piece, read to learn whether the request was taken.
    first: Option<Bytes>,
    ended: bool,
}

impl TrailStream {
    /// Waits for the first answer: a refusal is an error here, at once.
    async fn started(mut self) -> Result<TrailStream, FetchError> {
        self.first = self.next().await?;
        if self.first.is_none() {
            self.ended = true;
        }
        Ok(self)
    }

    /// The next piece of the trail; `None` once it is all sent.
    pub async fn next(&mut self) -> Result<Option<Bytes>, FetchError> {
        if let Some(first) = self.first.take() {
            return Ok(Some(first));
        }
        if self.ended {
            return Ok(None);
        }
        match self.answer().await? {
            Message::Data { bytes } => Ok(Some(bytes)),
            Message::End => {
                self.ended = true;
                Ok(None)
            }
            other => Err(unexpected(&other)),
        }
    }

    /// The collector's next message; Refused (also after the Welcome a
    /// sender's certificate gets) is an error.
    async fn answer(&mut self) -> Result<Message, FetchError> {
        let mut taken_for_sender = false;
        loop {
            let frame = if self.live {
                self.framed.next().await
            } else {
                tokio::time::timeout(ANSWER_TIMEOUT, self.framed.next())
                    .await
                    .map_err(|_| FetchError::Protocol("no answer within 60 s".to_owned()))?
            };
            let message = match frame {
                None if taken_for_sender => return Err(FetchError::NotAnalyst),
                None => {
                    return Err(FetchError::Protocol(
                        "closed the connection before the end".to_owned(),
                    ));
                }
                Some(Err(err)) => return Err(FetchError::Protocol(err.to_string())),
                Some(Ok(frame)) => Message::decode(frame.freeze())
                    .map_err(|err| FetchError::Protocol(err.to_string()))?,
            };
            match message {
                Message::Welcome { .. } => taken_for_sender = true,
                Message::Refused { why } => return Err(FetchError::Refused(why)),
                message => return Ok(message),
            }
        }
    }
}

fn unexpected(message: &Message) -> FetchError {
    let kind = match message {
        Message::Data { bytes } => format!("{} bytes of Data", bytes.len()),
        other => format!("{other:?}"),
    };
    FetchError::Protocol(format!("{kind} out of turn"))
}

/// A `bsm://` address: a collector, and a host and trail on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteAddress {
    /// The collector's name or address, as written (brackets dropped).
    pub collector: String,
    pub port: u16,
    pub host: Option<String>,
    pub trail: Option<String>,
}

impl RemoteAddress {
    /// Whether `text` is meant as a `bsm://` address.
    pub fn is_remote(text: &str) -> bool {
        text.starts_with("bsm://")
    }

    pub fn parse(text: &str) -> Result<RemoteAddress, FetchError> {
        let bad = |why: &str| FetchError::Address(format!("{text}: {why}"));
        let rest = text
            .strip_prefix("bsm://")
            .ok_or_else(|| bad("not a bsm:// address"))?;
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        let (collector, port) = if let Some(bracketed) = authority.strip_prefix('[') {
            let (address, after) = bracketed
                .split_once(']')
                .ok_or_else(|| bad("an IPv6 address without its ']'"))?;
            (address, after.strip_prefix(':'))
        } else {
            match authority.rsplit_once(':') {
                Some((name, port)) => (name, Some(port)),
                None => (authority, None),
            }
        };
        if collector.is_empty() {
            return Err(bad("no collector named"));
        }
        let port = match port {
            Some(port) => port.parse().map_err(|_| bad("the port is not a number"))?,
            None => DEFAULT_PORT,
        };
        let mut parts = path.split('/').filter(|part| !part.is_empty());
        let host = parts.next().map(str::to_owned);
        let trail = parts.next().map(str::to_owned);
        if parts.next().is_some() {
            return Err(bad("more than HOST/TRAIL after the collector"));
        }
        Ok(RemoteAddress {
            collector: collector.to_owned(),
            port,
            host,
            trail,
        })
    }

    /// The collector's socket address (the name looked up if need be).
    pub fn socket_addr(&self) -> Result<SocketAddr, FetchError> {
        (self.collector.as_str(), self.port)
            .to_socket_addrs()
            .map_err(|err| FetchError::Address(format!("{}: {err}", self.collector)))?
            .next()
            .ok_or_else(|| FetchError::Address(format!("{}: no address", self.collector)))
    }
}

/// Who an analyst is: a certificate, its key, the CA of the collector's
/// certificate, and the name the certificate bears.
#[derive(Debug, Clone)]
pub struct Identity {
    pub tls: TlsFiles,
    pub name: String,
    /// The name in the collector's certificate, if not the address's.
    pub collector_name: Option<String>,
}

impl Identity {
    /// The identity from `BSM_NET_CERT`, `BSM_NET_KEY`, `BSM_NET_CA` and
    /// `BSM_NET_NAME`, and `BSM_NET_COLLECTOR_NAME` if the collector's
    /// certificate names it otherwise than the address does.
    pub fn from_env() -> Result<Identity, FetchError> {
        let var = |name: &str| {
            std::env::var_os(name).ok_or_else(|| {
                FetchError::Identity(format!(
                    "{name} is not set (a bsm:// address needs BSM_NET_CERT, BSM_NET_KEY, BSM_NET_CA and BSM_NET_NAME)"
                ))
            })
        };
        Ok(Identity {
            tls: TlsFiles {
                cert: PathBuf::from(var("BSM_NET_CERT")?),
                key: PathBuf::from(var("BSM_NET_KEY")?),
                ca: PathBuf::from(var("BSM_NET_CA")?),
            },
            name: var("BSM_NET_NAME")?.to_string_lossy().into_owned(),
            collector_name: std::env::var("BSM_NET_COLLECTOR_NAME").ok(),
        })
    }

    /// The settings to reach the collector of `address` as this analyst.
    pub fn config(&self, address: &RemoteAddress) -> Result<AnalystConfig, FetchError> {
        Ok(AnalystConfig {
            collector: address.socket_addr()?,
            collector_name: self
                .collector_name
                .clone()
                .unwrap_or_else(|| address.collector.clone()),
            name: self.name.clone(),
            bind: None,
            tls: tls::client_config(&self.tls)
                .map_err(|err| FetchError::Identity(err.to_string()))?,
        })
    }
}

/// A trail or live stream of a collector as a blocking byte stream, for
/// the readers of praudit and auditreduce. The connection runs on a thread
/// of its own; an error there is an error of `read`.
pub struct RemoteReader {
    pieces: mpsc::Receiver<io::Result<Bytes>>,
    piece: Bytes,
}

/// How many pieces the connection's thread reads ahead.
const READ_AHEAD: usize = 16;

impl RemoteReader {
    /// Opens `bsm://COLLECTOR[:PORT]/HOST[/TRAIL]` as `identity`: a trail
    /// fetched, or with no trail the host followed. Returns once the
    /// collector has taken the request.
    pub fn open(address: &str, identity: &Identity) -> Result<RemoteReader, FetchError> {
        let parsed = RemoteAddress::parse(address)?;
        let Some(host) = parsed.host.clone() else {
            return Err(FetchError::Address(format!(
                "{address}: no host (bsm://COLLECTOR[:PORT]/HOST[/TRAIL])"
            )));
        };
        let config = identity.config(&parsed)?;
        let (started_tx, started) = mpsc::sync_channel(1);
        let (pieces_tx, pieces) = mpsc::sync_channel(READ_AHEAD);
        let trail = parsed.trail;
        std::thread::Builder::new()
            .name("bsm-remote".to_owned())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime,
                    Err(err) => {
                        let _ = started_tx.send(Err(FetchError::Protocol(err.to_string())));
                        return;
                    }
                };
                runtime.block_on(async move {
                    let opened = async {
                        let archive = Archive::connect(&config).await?;
                        match &trail {
                            Some(trail) => archive.fetch(&host, trail).await,
                            None => archive.follow(&host).await,
                        }
                    };
                    let mut stream = match opened.await {
                        Ok(stream) => {
                            let _ = started_tx.send(Ok(()));
                            stream
                        }
                        Err(err) => {
                            let _ = started_tx.send(Err(err));
                            return;
                        }
                    };
                    loop {
                        let piece = match stream.next().await {
                            Ok(Some(bytes)) => Ok(bytes),
                            Ok(None) => return,
                            Err(err) => Err(io::Error::other(err.to_string())),
                        };
                        let failed = piece.is_err();
                        // the reader gone: nothing more to fetch for
                        if pieces_tx.send(piece).is_err() || failed {
                            return;
                        }
                    }
                });
            })
            .map_err(|err| FetchError::Protocol(err.to_string()))?;
        match started.recv() {
            Ok(Ok(())) => Ok(RemoteReader {
                pieces,
                piece: Bytes::new(),
            }),
            Ok(Err(err)) => Err(err),
            Err(_) => Err(FetchError::Protocol(
                "the connection's thread ended unannounced".to_owned(),
            )),
        }
    }
}

impl Read for RemoteReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.piece.is_empty() {
            match self.pieces.recv() {
                Ok(piece) => self.piece = piece?,
                // the stream's end
                Err(_) => return Ok(0),
            }
        }
        let n = out.len().min(self.piece.len());
        out[..n].copy_from_slice(&self.piece.split_to(n));
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address(
        collector: &str,
        port: u16,
        host: Option<&str>,
        trail: Option<&str>,
    ) -> RemoteAddress {
        RemoteAddress {
            collector: collector.to_owned(),
            port,
            host: host.map(str::to_owned),
            trail: trail.map(str::to_owned),
        }
    }

    #[test]
    fn addresses_name_collector_port_host_and_trail() {
        let parse = |text| RemoteAddress::parse(text).unwrap();
        assert_eq!(
            parse("bsm://collector.example/h1"),
            address("collector.example", DEFAULT_PORT, Some("h1"), None)
        );
        assert_eq!(
            parse("bsm://127.0.0.1:9000/h1/20261207101010.20261207111010"),
            address(
                "127.0.0.1",
                9000,
                Some("h1"),
                Some("20261207101010.20261207111010")
            )
        );
        assert_eq!(parse("bsm://[::1]:9000/"), address("::1", 9000, None, None));
        assert_eq!(
            parse("bsm://[::1]"),
            address("::1", DEFAULT_PORT, None, None)
        );
    }

    #[test]
    fn malformed_addresses_say_what_is_wrong() {
        let error = |text| RemoteAddress::parse(text).unwrap_err().to_string();
        assert_eq!(error("http://x/h"), "http://x/h: not a bsm:// address");
        assert_eq!(error("bsm://:7/h"), "bsm://:7/h: no collector named");
        assert_eq!(
            error("bsm://c:port/h"),
            "bsm://c:port/h: the port is not a number"
        );
        assert_eq!(
            error("bsm://[::1/h"),
            "bsm://[::1/h: an IPv6 address without its ']'"
        );
        assert_eq!(
            error("bsm://c/h/t/x"),
            "bsm://c/h/t/x: more than HOST/TRAIL after the collector"
        );
    }
}
