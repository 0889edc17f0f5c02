//! Lookup tables: audit events, audit classes, BSM errno values and socket constants.

pub mod accounts;
pub mod class;
pub mod errno;
mod error;
pub mod event;
pub mod socket;
mod table_file;

pub use class::{AuditClass, ClassTable, Preselection};
pub use errno::BsmErrno;
pub use error::{LineProblem, TableError};
pub use event::{AuditEvent, EventTable};
pub use socket::SocketConstant;
