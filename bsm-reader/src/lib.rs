//! Reading BSM trails, and the tools praudit and auditreduce built on it.
//!
//! The reader ([`reader`]) knows nothing of output; the printer knows nothing
//! of files.

pub mod reader;
mod window;

pub use reader::{Damage, Event, ReadOptions, TrailReader};

pub mod printer;
pub use bsm_format::TrailItem;
