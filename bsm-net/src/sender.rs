//! The sender's side: connect (from a chosen local address if asked),
//! authenticate, learn where the collector stands, and ship records from
//! there on, in batches, until every one is acknowledged.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bsm_format::{Splitter, TrailItem};
use bytes::{Bytes, BytesMut};
use futures_util::{SinkExt, StreamExt};
use rustls::ClientConfig;
use rustls_pki_types::ServerName;
use tokio::net::{TcpSocket, TcpStream};
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;
use tokio_util::codec::{Framed, LengthDelimitedCodec};

use crate::protocol::{self, MAX_BATCH, Message, VERSION};

/// Batches sent ahead of their acknowledgement.
const WINDOW: usize = 8;
/// How long the collector may take to answer.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Clone)]
pub struct SenderConfig {
    /// The collector's address.
    pub collector: SocketAddr,
    /// The name the collector's certificate must carry.
    pub collector_name: String,
    /// The host this sender ships as (its certificate must name it).
    pub host: String,
    /// The local address to connect from, if not the system's choice.
    pub bind: Option<SocketAddr>,
    pub tls: Arc<ClientConfig>,
}

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("connecting to {0}: {1}")]
    Connect(SocketAddr, std::io::Error),
    #[error("{0:?} is not a host name")]
    Name(String),
    #[error("the collector: {0}")]
    Io(#[from] std::io::Error),
    #[error("the collector: {0}")]
    Protocol(String),
    #[error("the records to ship: {0}")]
    Records(String),
}

/// An authenticated connection, and the number of the next record the
/// collector expects.
pub struct Session {
    framed: Connection,
    pub next: u64,
}

impl Session {
    pub async fn connect(config: &SenderConfig) -> Result<Session, SendError> {
        let mut framed = connect(
            config.collector,
            config.bind,
            &config.collector_name,
            &config.tls,
            &config.host,
        )
        .await?;
        match answer(&mut framed).await? {
            Message::Welcome { next } => Ok(Session { framed, next }),
            other => Err(SendError::Protocol(format!("{other:?} instead of Welcome"))),
        }
    }

    /// Ships the records of `trail` (a whole trail's bytes, file tokens
    /// skipped), numbered from `first`, from the collector's next one on;
    /// returns the number after the last, every one acknowledged.
    pub async fn ship(&mut self, trail: &[u8], first: u64) -> Result<u64, SendError> {
        let mut records = Vec::with_capacity(trail.len());
        for item in Splitter::new(trail) {
            match item {
                Ok(TrailItem::Record(record)) => records.extend_from_slice(record.bytes()),
                Ok(TrailItem::File(_)) => {}
                Err(err) => return Err(SendError::Records(err.to_string())),
            }
        }
        self.ship_records(&records, first).await
    }

    /// Ships whole records back to back (no file tokens), numbered from
    /// `first`, those the collector has already skipped; returns the number
    /// after the last, every one acknowledged.
    pub async fn ship_records(&mut self, records: &[u8], first: u64) -> Result<u64, SendError> {
        let mut number = first;
        let mut batch = BytesMut::new();
        let mut batch_first = number;
        let mut in_flight = 0usize;
        for item in Splitter::new(records) {
            let record = match item {
                Ok(TrailItem::Record(record)) => record,
                Ok(TrailItem::File(file)) => {
                    return Err(SendError::Records(format!(
                        "a file token at byte {} among records",
                        file.offset
                    )));
                }
                Err(err) => return Err(SendError::Records(err.to_string())),
            };
            if number < self.next {
                number += 1;
                batch_first = number;
                continue;
            }
            if !batch.is_empty() && batch.len() + record.bytes().len() > MAX_BATCH {
                self.send_batch(batch_first, number, batch.split().freeze())
                    .await?;
                in_flight += 1;
                batch_first = number;
                if in_flight >= WINDOW {
                    self.acknowledged().await?;
                    in_flight -= 1;
                }
            }
            batch.extend_from_slice(record.bytes());
            number += 1;
        }
        if !batch.is_empty() {
            self.send_batch(batch_first, number, batch.freeze()).await?;
            in_flight += 1;
        }
        while in_flight > 0 {
            self.acknowledged().await?;
            in_flight -= 1;
        }
        Ok(number)
    }

    /// Ends the session cleanly (TLS close_notify), everything sent having
    /// been acknowledged.
    pub async fn close(mut self) -> Result<(), SendError> {
        use tokio::io::AsyncWriteExt;
        self.framed.get_mut().shutdown().await?;
        Ok(())
    }

    /// Tells the collector this sender is alive.
    pub async fn heartbeat(&mut self) -> Result<(), SendError> {
        Ok(self.framed.send(Message::Heartbeat.encode()).await?)
    }

    async fn send_batch(&mut self, first: u64, end: u64, records: Bytes) -> Result<(), SendError> {
        let count = u32::try_from(end - first)
            .map_err(|_| SendError::Records("too many records in a batch".to_owned()))?;
        self.framed
            .send(
                Message::Records {
                    first,
                    count,
                    records,
                }
                .encode(),
            )
            .await?;
        Ok(())
    }

    async fn acknowledged(&mut self) -> Result<(), SendError> {
        match answer(&mut self.framed).await? {
            Message::Ack { next } => {
                self.next = next;
                Ok(())
            }
            other => Err(SendError::Protocol(format!("{other:?} instead of Ack"))),
        }
    }
}

/// A connection to the collector, inside TLS, in frames.
pub(crate) type Connection = Framed<TlsStream<TcpStream>, LengthDelimitedCodec>;

/// Connects (from `bind` if given), authenticates the collector as
/// `collector_name`, and says Hello as `name`.
pub(crate) async fn connect(
    collector: SocketAddr,
    bind: Option<SocketAddr>,
    collector_name: &str,
    tls: &Arc<ClientConfig>,
    name: &str,
) -> Result<Connection, SendError> {
    let socket = match collector {
        SocketAddr::V4(_) => TcpSocket::new_v4(),
        SocketAddr::V6(_) => TcpSocket::new_v6(),
    }
    .map_err(|err| SendError::Connect(collector, err))?;
    if let Some(bind) = bind {
        socket
            .bind(bind)
            .map_err(|err| SendError::Connect(collector, err))?;
    }
    let stream = socket
        .connect(collector)
        .await
        .map_err(|err| SendError::Connect(collector, err))?;
    let server_name = ServerName::try_from(collector_name.to_owned())
        .map_err(|_| SendError::Name(collector_name.to_owned()))?;
    let tls = TlsConnector::from(Arc::clone(tls))
        .connect(server_name, stream)
        .await?;
    let mut framed = Framed::new(tls, protocol::codec());
    framed
        .send(
            Message::Hello {
                version: VERSION,
                host: name.to_owned(),
            }
            .encode(),
        )
        .await?;
    Ok(framed)
}

pub(crate) async fn answer(framed: &mut Connection) -> Result<Message, SendError> {
    match tokio::time::timeout(ANSWER_TIMEOUT, framed.next()).await {
        Err(_) => Err(SendError::Protocol("no answer within 60 s".to_owned())),
        Ok(None) => Err(SendError::Protocol("closed the connection".to_owned())),
        Ok(Some(Err(err))) => Err(SendError::Io(err)),
        Ok(Some(Ok(frame))) => {
            match Message::decode(frame.freeze())
                .map_err(|err| SendError::Protocol(err.to_string()))?
            {
                Message::Refused { why } => Err(SendError::Protocol(format!(
                    "dropped the connection: {why}"
                ))),
                message => Ok(message),
            }
        }
    }
}
