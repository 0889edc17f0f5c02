//! The table: one row per record, version [`SCHEMA_VERSION`] (in every
//! file's key-value metadata under [`SCHEMA_VERSION_KEY`]). Columns are
//! added, never changed or removed, within a major version.
//!
//! | column | type | from |
//! |---|---|---|
//! | `host` | string | the host the trail came from (`--host`, or a collector's per-host directory) |
//! | `source` | string | the trail file (or `stdin`) |
//! | `offset` | uint64 | the record's byte offset in it |
//! | `time` | timestamp(ms, UTC), null | the header's time |
//! | `event`, `event_name`, `event_classes` | uint16, string, string | the header's event, named by the event table |
//! | `modifier`, `version` | uint16, uint8 | the header |
//! | `header_addr` | string, null | an `_ex` header's host address |
//! | `auid`, `euid`, `egid`, `ruid`, `rgid`, `pid`, `sid` | uint32, null | the first subject token |
//! | `auid_name`, `euid_name` | string, null | those users' names in the passwd file given |
//! | `terminal_port`, `terminal_addr` | uint64, string, null | the subject's terminal id |
//! | `process` | struct, null | the first process token: the subject's fields, `terminal_port`, `terminal_addr` |
//! | `return_status`, `return_value`, `error` | uint8, uint64, string, null | the first return token; `error` the errno's name for a failure |
//! | `paths`, `texts` | list of string | every path and text token |
//! | `exec_args`, `exec_env` | list of string | the exec args and env tokens |
//! | `args` | list of struct {`number` uint8, `text` string, `value` uint64} | every argument token |
//! | `sockets` | list of struct {`token`, `domain`, `type`, `local_addr`, `local_port`, `remote_addr`, `remote_port`, `path`} | every socket token: `socket`, `socket_ex`, `sock_inet32`, `sock_inet128` (its address as the remote end) and `sock_unix` (its path) |
//! | `attr` | struct {`mode`, `uid`, `gid`, `fsid` uint32, `node_id`, `device` uint64}, null | the first attribute token |
//! | `other_tokens` | list of struct {`id` uint8, `bytes` binary} | every other token, whole: further subjects, processes, returns and attributes, groups, IPC, privileges…, and any token whose text is not UTF-8 (its column holds the text with U+FFFD), so that no information is lost |
//!
//! Times are UTC; addresses are text as Rust writes them (`192.0.2.1`,
//! `2001:db8::1`); strings are UTF-8, invalid bytes replaced.

use std::sync::{Arc, LazyLock};

use arrow_schema::{DataType, Field, Fields, Schema, SchemaRef, TimeUnit};

/// The schema's version.
pub const SCHEMA_VERSION: &str = "1";

/// The Parquet key-value metadata key that holds [`SCHEMA_VERSION`].
pub const SCHEMA_VERSION_KEY: &str = "bsm-export.schema-version";

fn string(name: &str) -> Field {
    Field::new(name, DataType::Utf8, true)
}

fn list_of(name: &str, item: DataType) -> Field {
    Field::new(
        name,
        DataType::List(Arc::new(Field::new("item", item, true))),
        false,
    )
}

/// The subject's fields, also the process struct's.
fn ids_and_terminal() -> Vec<Field> {
    let mut fields: Vec<Field> = ["auid", "euid", "egid", "ruid", "rgid", "pid", "sid"]
        .iter()
        .map(|name| Field::new(*name, DataType::UInt32, true))
        .collect();
    fields.push(Field::new("terminal_port", DataType::UInt64, true));
    fields.push(string("terminal_addr"));
    fields
}

pub(crate) fn process_fields() -> Fields {
    Fields::from(ids_and_terminal())
}

pub(crate) fn arg_fields() -> Fields {
    Fields::from(vec![
        Field::new("number", DataType::UInt8, true),
        string("text"),
        Field::new("value", DataType::UInt64, true),
    ])
}

pub(crate) fn socket_fields() -> Fields {
    Fields::from(vec![
        string("token"),
        Field::new("domain", DataType::UInt16, true),
        Field::new("type", DataType::UInt16, true),
        string("local_addr"),
        Field::new("local_port", DataType::UInt16, true),
        string("remote_addr"),
        Field::new("remote_port", DataType::UInt16, true),
        string("path"),
    ])
}

pub(crate) fn attr_fields() -> Fields {
    Fields::from(vec![
        Field::new("mode", DataType::UInt32, true),
        Field::new("uid", DataType::UInt32, true),
        Field::new("gid", DataType::UInt32, true),
        Field::new("fsid", DataType::UInt32, true),
        Field::new("node_id", DataType::UInt64, true),
        Field::new("device", DataType::UInt64, true),
    ])
}

pub(crate) fn token_fields() -> Fields {
    Fields::from(vec![
        Field::new("id", DataType::UInt8, true),
        Field::new("bytes", DataType::Binary, true),
    ])
}

static SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    let mut fields = vec![
        Field::new("host", DataType::Utf8, false),
        Field::new("source", DataType::Utf8, false),
        Field::new("offset", DataType::UInt64, false),
        Field::new(
            "time",
            DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into())),
            true,
        ),
        Field::new("event", DataType::UInt16, false),
        string("event_name"),
        string("event_classes"),
        Field::new("modifier", DataType::UInt16, false),
        Field::new("version", DataType::UInt8, false),
        string("header_addr"),
    ];
    fields.extend(ids_and_terminal());
    fields.extend([
        string("auid_name"),
        string("euid_name"),
        Field::new("process", DataType::Struct(process_fields()), true),
        Field::new("return_status", DataType::UInt8, true),
        Field::new("return_value", DataType::UInt64, true),
        string("error"),
        list_of("paths", DataType::Utf8),
        list_of("texts", DataType::Utf8),
        list_of("exec_args", DataType::Utf8),
        list_of("exec_env", DataType::Utf8),
        list_of("args", DataType::Struct(arg_fields())),
        list_of("sockets", DataType::Struct(socket_fields())),
        Field::new("attr", DataType::Struct(attr_fields()), true),
        list_of("other_tokens", DataType::Struct(token_fields())),
    ]);
    Arc::new(Schema::new(fields))
});

/// The table's schema.
pub fn schema() -> SchemaRef {
    SCHEMA.clone()
}

/// The leaf columns of text that repeats, dictionary-encoded in the files.
pub(crate) fn dictionary_columns() -> Vec<parquet::schema::types::ColumnPath> {
    let leaf = |path: &[&str]| {
        parquet::schema::types::ColumnPath::new(path.iter().map(|p| (*p).to_owned()).collect())
    };
    vec![
        leaf(&["host"]),
        leaf(&["source"]),
        leaf(&["event_name"]),
        leaf(&["event_classes"]),
        leaf(&["header_addr"]),
        leaf(&["terminal_addr"]),
        leaf(&["auid_name"]),
        leaf(&["euid_name"]),
        leaf(&["error"]),
        leaf(&["paths", "list", "item"]),
        leaf(&["texts", "list", "item"]),
        leaf(&["exec_args", "list", "item"]),
        leaf(&["sockets", "list", "item", "token"]),
        leaf(&["sockets", "list", "item", "local_addr"]),
        leaf(&["sockets", "list", "item", "remote_addr"]),
    ]
}
