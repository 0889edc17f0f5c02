//! Building BSM records and keeping trail files (issue #5).
