//! The parts of the daemon `lxbsmd`: its audit_control-style configuration
//! and audit_user overrides, reading the record source, setting up the lxbsm
//! kernel device, and fanning records out to live subscribers.

pub mod audit_user;
pub mod config;
pub mod device;
pub mod fanout;
pub mod source;
