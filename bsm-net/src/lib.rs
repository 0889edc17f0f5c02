//! bsm-net: BSM records off the host, to a collector only allow-listed,
//! mutually authenticated peers reach.
//!
//! - [`allow`]: the collector's allow-list of peer networks (CIDR).
//! - [`tls`]: mutual TLS 1.3 (rustls), the sender's host in its certificate.
//! - [`protocol`]: the frames inside TLS: Hello, Welcome, Records, Ack,
//!   Heartbeat; records numbered per host.
//! - [`collector`]: the collector (`bsmcollectd`): refusals recorded in its
//!   own trail, each sender's records in its own trail directory,
//!   acknowledged once synced.
//! - [`sender`]: the sender's side (`bsmship`): resumes where the
//!   collector's disk says.
//! - [`fetch`]: the analyst's side: list, fetch, follow; `bsm://`
//!   addresses as byte streams for praudit and auditreduce.
//! - [`follow`]: a trail directory followed as it grows and rotates, the
//!   sender's position kept on disk after every acknowledgement.

pub mod allow;
pub mod collector;
pub mod fetch;
pub mod follow;
pub mod protocol;
pub mod sender;
pub mod tls;
