#![deny(unsafe_code)]
//! bsm-writer: building BSM audit records as libbsm does, and keeping trail
//! files as OpenBSM's auditd does.
//!
//! - [`token`]: a typed constructor for every token bsm-format knows, each
//!   giving the token's bytes exactly as libbsm writes them.
//! - [`RecordBuilder`]: `au_open`/`au_write`/`au_close`; closing adds the
//!   header (32- or 64-bit, with the host address or not) and the trailer,
//!   sized.
//! - [`records`]: one-line records for logins, su, exec, file and socket
//!   events.
//! - [`trail`]: [`TrailWriter`] keeps a trail directory: naming, file
//!   tokens, rotation, the `current` link, crash recovery, expiry, minimum
//!   free space, fsync policy; records reach the file whole or not at all.
//! - [`control`]: audit_control's size and `expire-after` syntax.
//! - [`daemon`]: the parts of the daemon `lxbsmd`.
//! - [`submit`]: a record from an application into the lxbsm kernel
//!   device's stream (its `audit(2)`).
//!
//! ```no_run
//! use bsm_writer::records::{self, Outcome, Subject};
//! use bsm_writer::{TrailConfig, TrailWriter};
//!
//! let mut trails = TrailWriter::open(TrailConfig::new("/var/audit"))?;
//! let record = records::login(&Subject::current()?, Outcome::SUCCESS, "alice")?.close()?;
//! trails.write_record(&record)?;
//! trails.close()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod control;
pub mod daemon;
mod error;
mod record;
pub mod records;
pub mod submit;
mod time;
pub mod token;
pub mod trail;

pub use error::{BuildError, TrailError, ValueError};
pub use record::{HeaderWidth, RecordBuilder};
pub use time::AuditTime;
pub use trail::{
    DropReason, FsyncPolicy, LowSpacePolicy, TrailConfig, TrailStats, TrailWriter, WriteOutcome,
};
