//! Records into the columns of [`crate::schema`], a batch at a time.

use std::net::IpAddr;
use std::sync::Arc;

use arrow_array::builder::{
    BinaryBuilder, StringBuilder, TimestampMillisecondBuilder, UInt8Builder, UInt16Builder,
    UInt32Builder, UInt64Builder,
};
use arrow_array::{ArrayRef, ListArray, RecordBatch, StructArray};
use arrow_buffer::{NullBuffer, OffsetBuffer};
use arrow_schema::{ArrowError, DataType, Field, Fields};
use bsm_format::tables::{EventTable, errno};
use bsm_format::{Error as FormatError, HeaderView, Record, Text, Token, decode_token};
use bsm_reader::accounts::AccountNames;

use crate::schema::{self, arg_fields, attr_fields, process_fields, socket_fields, token_fields};

/// Where a record came from.
#[derive(Debug, Clone, Copy)]
pub struct Origin<'a> {
    pub host: &'a str,
    pub source: &'a str,
}

/// The tables rows are named with.
#[derive(Debug)]
pub struct Naming<'t> {
    pub events: &'t EventTable,
    pub users: AccountNames,
}

/// A list column's offsets.
#[derive(Debug)]
struct Offsets(Vec<i32>);

impl Default for Offsets {
    fn default() -> Self {
        Offsets(vec![0])
    }
}

impl Offsets {
    /// Ends a row whose list has `len` items in all so far.
    fn end_row(&mut self, len: usize) {
        self.0.push(i32::try_from(len).unwrap_or(i32::MAX));
    }

    fn take(&mut self) -> OffsetBuffer<i32> {
        OffsetBuffer::new(std::mem::take(self).0.into())
    }
}

/// A list of strings.
#[derive(Debug, Default)]
struct StringList {
    items: StringBuilder,
    offsets: Offsets,
    len: usize,
}

impl StringList {
    fn push(&mut self, value: &str) {
        self.items.append_value(value);
        self.len += 1;
    }

    fn end_row(&mut self) {
        self.offsets.end_row(self.len);
    }

    fn finish(&mut self) -> Result<ArrayRef, ArrowError> {
        let item = Arc::new(Field::new("item", DataType::Utf8, true));
        Ok(Arc::new(ListArray::try_new(
            item,
            self.offsets.take(),
            Arc::new(self.items.finish()),
            None,
        )?))
    }
}

/// The seven ids and the terminal, of a subject or a process.
#[derive(Debug, Default)]
struct Ids {
    ids: [UInt32Builder; 7],
    terminal_port: UInt64Builder,
    terminal_addr: StringBuilder,
}

impl Ids {
    fn push(&mut self, token: Option<bsm_format::SubjectView>) {
        match token {
            Some(s) => {
                let values = [s.auid, s.euid, s.egid, s.ruid, s.rgid, s.pid, s.sid];
                for (builder, value) in self.ids.iter_mut().zip(values) {
                    builder.append_value(value);
                }
                self.terminal_port.append_value(s.terminal_port);
                append_addr(&mut self.terminal_addr, s.terminal_addr);
            }
            None => {
                for builder in &mut self.ids {
                    builder.append_null();
                }
                self.terminal_port.append_null();
                self.terminal_addr.append_null();
            }
        }
    }

    fn finish(&mut self) -> Vec<ArrayRef> {
        let mut arrays: Vec<ArrayRef> = self
            .ids
            .iter_mut()
            .map(|builder| Arc::new(builder.finish()) as ArrayRef)
            .collect();
        arrays.push(Arc::new(self.terminal_port.finish()));
        arrays.push(Arc::new(self.terminal_addr.finish()));
        arrays
    }
}

/// A list-of-struct column's children, offsets and length.
#[derive(Debug, Default)]
struct Args {
    number: UInt8Builder,
    text: StringBuilder,
    value: UInt64Builder,
    offsets: Offsets,
    len: usize,
}

#[derive(Debug, Default)]
struct Sockets {
    token: StringBuilder,
    domain: UInt16Builder,
    socket_type: UInt16Builder,
    local_addr: StringBuilder,
    local_port: UInt16Builder,
    remote_addr: StringBuilder,
    remote_port: UInt16Builder,
    path: StringBuilder,
    offsets: Offsets,
    len: usize,
}

/// One socket token's ends, as the `sockets` struct holds them.
#[derive(Debug, Default)]
struct SocketRow<'a> {
    token: &'a str,
    domain: Option<u16>,
    socket_type: Option<u16>,
    local: Option<(IpAddr, u16)>,
    remote: Option<(IpAddr, u16)>,
    path: Option<String>,
}

impl Sockets {
    fn push(&mut self, row: SocketRow<'_>) {
        self.token.append_value(row.token);
        self.domain.append_option(row.domain);
        self.socket_type.append_option(row.socket_type);
        append_addr_option(&mut self.local_addr, row.local.map(|(addr, _)| addr));
        self.local_port
            .append_option(row.local.map(|(_, port)| port));
        append_addr_option(&mut self.remote_addr, row.remote.map(|(addr, _)| addr));
        self.remote_port
            .append_option(row.remote.map(|(_, port)| port));
        self.path.append_option(row.path);
        self.len += 1;
    }
}

#[derive(Debug, Default)]
struct Attrs {
    fields: [UInt32Builder; 4],
    node_id: UInt64Builder,
    device: UInt64Builder,
    present: Vec<bool>,
}

#[derive(Debug, Default)]
struct Others {
    id: UInt8Builder,
    bytes: BinaryBuilder,
    offsets: Offsets,
    len: usize,
}

/// A batch of rows being built.
#[derive(Debug, Default)]
pub struct Rows {
    rows: usize,
    host: StringBuilder,
    source: StringBuilder,
    offset: UInt64Builder,
    time: TimestampMillisecondBuilder,
    event: UInt16Builder,
    event_name: StringBuilder,
    event_classes: StringBuilder,
    modifier: UInt16Builder,
    version: UInt8Builder,
    header_addr: StringBuilder,
    subject: Ids,
    auid_name: StringBuilder,
    euid_name: StringBuilder,
    process: Ids,
    process_present: Vec<bool>,
    return_status: UInt8Builder,
    return_value: UInt64Builder,
    error: StringBuilder,
    paths: StringList,
    texts: StringList,
    exec_args: StringList,
    exec_env: StringList,
    args: Args,
    sockets: Sockets,
    attr: Attrs,
    others: Others,
    /// Record times of the rows, for the caller's ordering.
    times: Vec<Option<i64>>,
}

/// What a record's body holds, first of each where only one is kept.
#[derive(Default)]
struct Seen {
    subject: Option<bsm_format::SubjectView>,
    process: Option<bsm_format::SubjectView>,
    outcome: Option<bsm_format::ReturnView>,
    attr: bool,
}

impl Rows {
    pub fn len(&self) -> usize {
        self.rows
    }

    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Milliseconds since the epoch of each row so far.
    pub fn times(&self) -> &[Option<i64>] {
        &self.times
    }

    /// Adds a row for `record`, whose header the caller read (`time`: its
    /// ms since the epoch); a token that does not decode is the error, and
    /// nothing of the record is added.
    pub fn push(
        &mut self,
        origin: Origin<'_>,
        record: &Record<'_>,
        header: &HeaderView,
        time: Option<i64>,
        naming: &Naming<'_>,
    ) -> Result<(), FormatError> {
        // Every token decoded first: a row is added whole or not at all.
        let tokens = record
            .token_bytes()
            .map(|bytes| {
                let bytes = bytes?;
                Ok((decode_token(bytes)?.0, bytes))
            })
            .collect::<Result<Vec<(Token<'_>, &[u8])>, FormatError>>()?;
        self.times.push(time);
        self.host.append_value(origin.host);
        self.source.append_value(origin.source);
        self.offset.append_value(record.offset());
        self.time.append_option(time);
        self.event.append_value(header.event);
        let known = naming.events.by_number(header.event);
        self.event_name
            .append_option(known.map(|event| event.name.as_str()));
        self.event_classes
            .append_option(known.map(|event| event.classes.as_str()));
        self.modifier.append_value(header.modifier);
        self.version.append_value(header.version);
        append_addr_option(&mut self.header_addr, header.host);

        let mut seen = Seen::default();
        for (token, bytes) in &tokens {
            if !self.cover(token, &mut seen) {
                self.others.id.append_value(bytes[0]);
                self.others.bytes.append_value(bytes);
                self.others.len += 1;
            }
        }
        self.subject.push(seen.subject);
        let name = |id: Option<u32>| id.and_then(|id| naming.users.name(id)).map(str::to_owned);
        self.auid_name
            .append_option(name(seen.subject.map(|s| s.auid)));
        self.euid_name
            .append_option(name(seen.subject.map(|s| s.euid)));
        self.process.push(seen.process);
        self.process_present.push(seen.process.is_some());
        self.return_status
            .append_option(seen.outcome.map(|outcome| outcome.status));
        self.return_value
            .append_option(seen.outcome.map(|outcome| outcome.value));
        self.error
            .append_option(
                seen.outcome
                    .filter(|outcome| !outcome.is_success())
                    .map(|outcome| {
                        errno::by_bsm(outcome.status).map_or_else(
                            || format!("error {}", outcome.status),
                            |e| e.name.to_owned(),
                        )
                    }),
            );
        if !seen.attr {
            for builder in &mut self.attr.fields {
                builder.append_null();
            }
            self.attr.node_id.append_null();
            self.attr.device.append_null();
        }
        self.attr.present.push(seen.attr);
        self.paths.end_row();
        self.texts.end_row();
        self.exec_args.end_row();
        self.exec_env.end_row();
        self.args.offsets.end_row(self.args.len);
        self.sockets.offsets.end_row(self.sockets.len);
        self.others.offsets.end_row(self.others.len);
        self.rows += 1;
        Ok(())
    }

    /// Puts `token` in its columns; false if it is kept whole instead.
    fn cover(&mut self, token: &Token<'_>, seen: &mut Seen) -> bool {
        match token {
            Token::Path(path) => text_into(&mut self.paths, &path.path),
            Token::Text(text) => text_into(&mut self.texts, &text.text),
            Token::ExecArgs(exec) => strings_into(&mut self.exec_args, &exec.strings),
            Token::ExecEnv(exec) => strings_into(&mut self.exec_env, &exec.strings),
            Token::Arg32(arg) => self.arg(arg.number, &arg.text, u64::from(arg.value)),
            Token::Arg64(arg) => self.arg(arg.number, &arg.text, arg.value),
            Token::Socket(s) => {
                self.sockets.push(SocketRow {
                    token: "socket",
                    socket_type: Some(s.socket_type),
                    local: Some((IpAddr::V4(s.local_addr), s.local_port)),
                    remote: Some((IpAddr::V4(s.remote_addr), s.remote_port)),
                    ..SocketRow::default()
                });
                true
            }
            Token::SocketEx(s) => {
                self.sockets.push(SocketRow {
                    token: "socket_ex",
                    domain: Some(s.domain),
                    socket_type: Some(s.socket_type),
                    local: Some((s.local_addr, s.local_port)),
                    remote: Some((s.remote_addr, s.remote_port)),
                    path: None,
                });
                true
            }
            Token::SockInet32(s) => {
                self.sockets.push(SocketRow {
                    token: "sock_inet32",
                    domain: Some(s.family),
                    remote: Some((IpAddr::V4(s.addr), s.port)),
                    ..SocketRow::default()
                });
                true
            }
            Token::SockInet128(s) => {
                self.sockets.push(SocketRow {
                    token: "sock_inet128",
                    domain: Some(s.family),
                    remote: Some((IpAddr::V6(s.addr), s.port)),
                    ..SocketRow::default()
                });
                true
            }
            Token::SockUnix(s) => {
                self.sockets.push(SocketRow {
                    token: "sock_unix",
                    domain: Some(s.family),
                    path: Some(s.path.to_str_lossy().into_owned()),
                    ..SocketRow::default()
                });
                std::str::from_utf8(s.path.bytes()).is_ok()
            }
            Token::Attr32(a) if !seen.attr => {
                self.attr_row(
                    [a.mode, a.uid, a.gid, a.fsid],
                    a.node_id,
                    u64::from(a.device),
                );
                seen.attr = true;
                true
            }
            Token::Attr64(a) if !seen.attr => {
                self.attr_row([a.mode, a.uid, a.gid, a.fsid], a.node_id, a.device);
                seen.attr = true;
                true
            }
            Token::Attr(a) if !seen.attr => {
                let ids = [a.mode, a.uid, a.gid, a.fsid];
                self.attr_row(ids, u64::from(a.node_id), u64::from(a.device));
                seen.attr = true;
                true
            }
            other => {
                if seen.subject.is_none()
                    && let Some(subject) = other.as_subject()
                {
                    seen.subject = Some(subject);
                    return true;
                }
                if seen.process.is_none()
                    && let Some(process) = other.as_process()
                {
                    seen.process = Some(process);
                    return true;
                }
                if seen.outcome.is_none()
                    && let Some(outcome) = other.as_return()
                {
                    seen.outcome = Some(outcome);
                    return true;
                }
                false
            }
        }
    }

    fn arg(&mut self, number: u8, text: &Text<'_>, value: u64) -> bool {
        self.args.number.append_value(number);
        self.args.text.append_value(text.to_str_lossy());
        self.args.value.append_value(value);
        self.args.len += 1;
        std::str::from_utf8(text.bytes()).is_ok()
    }

    fn attr_row(&mut self, ids: [u32; 4], node_id: u64, device: u64) {
        for (builder, value) in self.attr.fields.iter_mut().zip(ids) {
            builder.append_value(value);
        }
        self.attr.node_id.append_value(node_id);
        self.attr.device.append_value(device);
    }

    /// The rows so far as a batch of [`schema::schema`]; the builder is
    /// empty again.
    pub fn finish(&mut self) -> Result<RecordBatch, ArrowError> {
        let utc = self.time.finish().with_timezone("UTC");
        let mut columns: Vec<ArrayRef> = vec![
            Arc::new(self.host.finish()),
            Arc::new(self.source.finish()),
            Arc::new(self.offset.finish()),
            Arc::new(utc),
            Arc::new(self.event.finish()),
            Arc::new(self.event_name.finish()),
            Arc::new(self.event_classes.finish()),
            Arc::new(self.modifier.finish()),
            Arc::new(self.version.finish()),
            Arc::new(self.header_addr.finish()),
        ];
        columns.extend(self.subject.finish());
        columns.push(Arc::new(self.auid_name.finish()));
        columns.push(Arc::new(self.euid_name.finish()));
        columns.push(Arc::new(StructArray::try_new(
            process_fields(),
            self.process.finish(),
            Some(NullBuffer::from(std::mem::take(&mut self.process_present))),
        )?));
        columns.push(Arc::new(self.return_status.finish()));
        columns.push(Arc::new(self.return_value.finish()));
        columns.push(Arc::new(self.error.finish()));
        columns.push(self.paths.finish()?);
        columns.push(self.texts.finish()?);
        columns.push(self.exec_args.finish()?);
        columns.push(self.exec_env.finish()?);
        let args = &mut self.args;
        columns.push(list_of_structs(
            arg_fields(),
            vec![
                Arc::new(args.number.finish()),
                Arc::new(args.text.finish()),
                Arc::new(args.value.finish()),
            ],
            &mut args.offsets,
        )?);
        args.len = 0;
        let s = &mut self.sockets;
        columns.push(list_of_structs(
            socket_fields(),
            vec![
                Arc::new(s.token.finish()),
                Arc::new(s.domain.finish()),
                Arc::new(s.socket_type.finish()),
                Arc::new(s.local_addr.finish()),
                Arc::new(s.local_port.finish()),
                Arc::new(s.remote_addr.finish()),
                Arc::new(s.remote_port.finish()),
                Arc::new(s.path.finish()),
            ],
            &mut s.offsets,
        )?);
        s.len = 0;
        let a = &mut self.attr;
        let mut attr: Vec<ArrayRef> = a
            .fields
            .iter_mut()
            .map(|builder| Arc::new(builder.finish()) as ArrayRef)
            .collect();
        attr.push(Arc::new(a.node_id.finish()));
        attr.push(Arc::new(a.device.finish()));
        columns.push(Arc::new(StructArray::try_new(
            attr_fields(),
            attr,
            Some(NullBuffer::from(std::mem::take(&mut a.present))),
        )?));
        let o = &mut self.others;
        columns.push(list_of_structs(
            token_fields(),
            vec![Arc::new(o.id.finish()), Arc::new(o.bytes.finish())],
            &mut o.offsets,
        )?);
        o.len = 0;
        for list in [
            &mut self.paths,
            &mut self.texts,
            &mut self.exec_args,
            &mut self.exec_env,
        ] {
            list.len = 0;
        }
        self.rows = 0;
        self.times.clear();
        RecordBatch::try_new(schema::schema(), columns)
    }
}

/// Appends `addr` as text to `builder` (an IPv4 address without the
/// formatting machinery: one is in nearly every record).
fn append_addr(builder: &mut StringBuilder, addr: IpAddr) {
    match addr {
        IpAddr::V4(v4) => {
            let mut text = [0u8; 15];
            let mut len = 0;
            for (i, octet) in v4.octets().into_iter().enumerate() {
                if i > 0 {
                    text[len] = b'.';
                    len += 1;
                }
                let digits = [octet / 100, octet / 10 % 10, octet % 10];
                let skip = if octet >= 100 {
                    0
                } else if octet >= 10 {
                    1
                } else {
                    2
                };
                for digit in &digits[skip..] {
                    text[len] = b'0' + digit;
                    len += 1;
                }
            }
            builder.append_value(std::str::from_utf8(&text[..len]).unwrap_or_default());
        }
        IpAddr::V6(v6) => builder.append_value(v6.to_string()),
    }
}

fn append_addr_option(builder: &mut StringBuilder, addr: Option<IpAddr>) {
    match addr {
        Some(addr) => append_addr(builder, addr),
        None => builder.append_null(),
    }
}

/// Appends a text token's text to a list; false if it was not UTF-8 (and
/// the token must be kept whole too).
fn text_into(list: &mut StringList, text: &Text<'_>) -> bool {
    list.push(&text.to_str_lossy());
    std::str::from_utf8(text.bytes()).is_ok()
}

fn strings_into(list: &mut StringList, strings: &bsm_format::StringList<'_>) -> bool {
    let mut utf8 = true;
    for string in strings.iter() {
        list.push(&String::from_utf8_lossy(string));
        utf8 &= std::str::from_utf8(string).is_ok();
    }
    utf8
}

fn list_of_structs(
    fields: Fields,
    children: Vec<ArrayRef>,
    offsets: &mut Offsets,
) -> Result<ArrayRef, ArrowError> {
    let values = StructArray::try_new(fields.clone(), children, None)?;
    let item = Arc::new(Field::new("item", DataType::Struct(fields), true));
    Ok(Arc::new(ListArray::try_new(
        item,
        offsets.take(),
        Arc::new(values),
        None,
    )?))
}
