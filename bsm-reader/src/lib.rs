//! Reading BSM trails, and the tools praudit and auditreduce built on it.
//!
//! The reader ([`reader`], [`merge`], [`trail_names`]) knows nothing of
//! output; the printer ([`printer`]) knows nothing of files; the selection
//! ([`select`]) only answers whether a record is wanted.

pub mod accounts;
pub mod count;
pub mod merge;
mod pieces;
pub mod printer;
pub mod reader;
pub mod select;
pub mod trail_names;
mod window;

pub use bsm_format::TrailItem;
pub use reader::{Damage, Event, Parallelism, ReadOptions, Run, Step, TrailReader, VisitError};
