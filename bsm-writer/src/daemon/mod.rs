//! The parts of the daemon `lxbsmd`: its audit_control-style configuration,
//! reading the record source, and fanning records out to live subscribers.

pub mod config;
pub mod fanout;
pub mod source;
