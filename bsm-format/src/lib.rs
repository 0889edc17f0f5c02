#![forbid(unsafe_code)]
//! bsm-format: every token of Sun's Basic Security Module audit format.

pub mod tables;
