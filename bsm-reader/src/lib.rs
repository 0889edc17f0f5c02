#![deny(unsafe_code)]
//! Reading BSM trails, and the tools praudit, auditreduce and bsmreport built on it.
//!
//! The reader ([`reader`], [`merge`]) knows nothing of
//! output; the outputs ([`printer`], [`count`], [`report`], [`sink::RecordCopy`]) are
//! [`Sink`]s and know nothing of files; the selection ([`select`]) only
//! answers whether a record is wanted; [`reduce`] joins them, for every
//! tool.

#[cfg(feature = "cli")]
pub mod cli;
pub mod count;
pub mod merge;
mod pieces;
pub mod printer;
pub mod reader;
pub mod reduce;
pub mod report;
pub mod select;
pub mod sink;
mod window;

pub use bsm_format::TrailItem;
/// User and group names (bsm-format's, where the writer reads them too).
pub use bsm_format::tables::accounts;
pub use reader::{Damage, Event, Parallelism, ReadOptions, Run, Step, TrailReader, VisitError};
pub use sink::{Sink, SinkError};
