//! The daemon `lxbsmd` ([`run`]) and its parts: its audit_control-style
//! configuration and audit_user overrides, reading the record source,
//! setting up the lxbsm kernel device, and fanning records out to live
//! subscribers.

pub mod audit_user;
pub mod block_list;
pub mod config;
pub mod device;
pub mod fanout;
pub mod run;
pub mod source;
