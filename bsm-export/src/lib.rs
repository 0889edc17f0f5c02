#![deny(unsafe_code)]
//! BSM trails as Apache Parquet, for the query engines fleets run
//! (DuckDB, Spark, Trino, Athena): one row per record in a documented,
//! versioned table ([`schema`]), laid out in Hive partitions by host and
//! UTC date ([`export`]).
//!
//! [`query`] runs SQL over the exported table in process (DataFusion).
//!
//! The reading, selection and damage reports are bsm-reader's: an
//! [`export::ExportSink`] is handed to its reading loop like any output.
//!
//! ```no_run
//! use bsm_export::export::{ExportSink, Exporter};
//! use bsm_export::rows::Naming;
//! use bsm_format::tables::EventTable;
//! use bsm_reader::reduce::{Reduction, open_inputs};
//! use bsm_reader::{Parallelism, ReadOptions};
//! use std::num::NonZeroUsize;
//! use std::path::{Path, PathBuf};
//!
//! let naming = Naming { events: EventTable::builtin(), users: Default::default() };
//! let mut exporter = Exporter::new(Path::new("/tmp/audit-table"), &naming)?;
//! let (readers, _) = open_inputs("example", &[PathBuf::from("fixtures/sample.bsm")],
//!                                (None, None), ReadOptions::default());
//! for mut reader in readers {
//!     exporter.set_origin("web1", reader.source());
//!     let mut sink = ExportSink(&mut exporter);
//!     let mut reduction = Reduction::new("example", None, &mut sink);
//!     reduction.read(&mut reader, Parallelism::new(NonZeroUsize::MIN))?;
//!     reduction.finish()?;
//! }
//! let files = exporter.close()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod export;
pub mod query;
pub mod rows;
pub mod schema;
