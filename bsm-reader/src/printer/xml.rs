//! praudit's `-x` form: a record is a `<record>` element holding one element
//! per token.
//!
//! Element and attribute names, attribute order and spacing are OpenBSM's.
//! Where OpenBSM's output is not well-formed XML we differ (deviation 3 of
//! bsm-format.md):
//! - every string is escaped: `&` `<` `>` `"` as predefined entities
//!   (`'` needs none, attribute values being in double quotes: it is left
//!   plain, as OpenBSM leaves it, except in exec args and env, which
//!   OpenBSM's own escaper writes as `&apos;`), tab, newline and carriage
//!   return as character references
//!   (`&#9;` `&#10;` `&#13;`, so that parsers keep them);
//! - characters that XML 1.0 forbids even as references (the C0 controls
//!   other than tab, newline and carriage return, and U+FFFE, U+FFFF) and
//!   bytes that are not UTF-8 are each replaced by U+FFFD; NUL bytes inside
//!   counted strings are skipped, as praudit's text form skips them;
//! - tokens OpenBSM prints without an element get one: `<IPC …/>` (OpenBSM
//!   runs the name into the first attribute), `<arg_uuid …/>`,
//!   `<ret_uuid …/>`, `<privilege …/>`, `<use_of_privilege …/>`,
//!   `<group><gid>…</gid>…</group>` (OpenBSM closes the group after every
//!   gid), `<unknown id="0x33">0x…</unknown>`, and for the tokens OpenBSM
//!   cannot decode `<attribute …/>` (0x31), `<group>` (0x34), `<file>`
//!   (0x78), `<rights><word>…</word>…</rights>` and `<identity …/>`;
//! - header32_ex has its proper attributes (deviation 1: OpenBSM prints the
//!   text form inside `<record `).

use bsm_format::{HeaderView, ProcessIds, Record, Token};

use super::Pen;
use super::fields::{Attribute, Fields, IpField, print_format_name};
use super::scalars::{
    push_alternate_hex, push_hex_word, push_memory, push_octal, push_prefixed_hex, push_uuid,
};

/// praudit's `-x`: the document is `<audit>`, a record is an element.
pub(super) struct XmlForm;

impl super::Form for XmlForm {
    fn prologue(&self) -> &'static [u8] {
        b"<?xml version='1.0' ?>\n<audit>\n"
    }

    fn epilogue(&self) -> &'static [u8] {
        b"</audit>\n"
    }

    fn record(&self, pen: &mut Pen<'_>, record: &Record<'_>) -> Result<(), bsm_format::Error> {
        let token_end: &[u8] = if pen.options.one_line { b"" } else { b"\n" };
        let mut outcome = Ok(());
        let mut closed = false;
        let mut tokens = record.tokens().peekable();
        let mut first = true;
        while let Some(item) = tokens.next() {
            let token = match item {
                Ok(token) => token,
                Err(error) => {
                    outcome = Err(error);
                    break;
                }
            };
            // The record's trailer is its last token; only it closes the element.
            let role = match token {
                _ if first => Role::RecordStart,
                Token::Trailer(_) if tokens.peek().is_none() => Role::RecordEnd,
                _ => Role::Body,
            };
            first = false;
            closed = role == Role::RecordEnd;
            write_token(&mut pen.fields(true), &token, role);
            pen.buf.extend_from_slice(token_end);
        }
        if !closed {
            pen.buf.extend_from_slice(b"</record>");
            pen.buf.extend_from_slice(token_end);
        }
        if pen.options.one_line {
            pen.buf.push(b'\n');
        }
        outcome
    }

    fn file_token(&self, pen: &mut Pen<'_>, token: &Token<'_>) {
        write_token(&mut pen.fields(true), token, Role::Body);
        pen.buf.push(b'\n');
    }

    fn bare_token(&self, pen: &mut Pen<'_>, token: &Token<'_>) {
        write_token(&mut pen.fields(true), token, Role::Bare);
        pen.buf.push(b'\n');
    }
}

/// Where a token stands, which decides how headers and trailers print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    /// The record's header: opens `<record …>`.
    RecordStart,
    /// The record's trailer: closes `</record>`.
    RecordEnd,
    /// Any other token of a record. A header or trailer here (a damaged or
    /// odd record) becomes an empty `<header …/>` or `<trailer …/>`
    /// element, so the document stays well-formed.
    Body,
    /// A token on its own, as libbsm's token printer shows it: a header
    /// opens `<record …>` and a trailer closes it, fragments meant to be
    /// joined.
    Bare,
}

/// Writes one token as an element, without what follows it.
pub(super) fn write_token(s: &mut Fields<'_>, token: &Token<'_>, role: Role) {
    match token {
        Token::File(file) => {
            file_element(
                s,
                file.seconds.into(),
                file.milliseconds.into(),
                file.name.raw(),
            );
        }
        Token::OtherFile64(file) => {
            file_element(s, file.seconds, file.milliseconds, file.name.raw())
        }
        Token::Trailer(trailer) => match role {
            Role::Body => {
                open(s, b"trailer");
                attribute(s, b"size", |s| s.unsigned(trailer.size));
                s.push(b"/>");
            }
            Role::RecordStart | Role::RecordEnd | Role::Bare => s.push(b"</record>"),
        },
        Token::Header32(_) | Token::Header32Ex(_) | Token::Header64(_) | Token::Header64Ex(_) => {
            if let Some(header) = token.as_header() {
                header_element(s, header, role);
            }
        }
        Token::Arbitrary(data) => {
            open(s, b"arbitrary");
            attribute(s, b"print", |s| match print_format_name(data.format) {
                Some(name) => s.push(name.as_bytes()),
                None => s.unsigned(data.format.to_byte()),
            });
            // praudit gives the unit's size in bytes here, not its name.
            attribute(s, b"type", |s| s.unsigned(data.unit.size() as u64));
            attribute(s, b"count", |s| s.unsigned(data.count));
            s.push(b">");
            s.arbitrary_items(data);
            s.push(b"</arbitrary>");
        }
        Token::Ipc(ipc) => {
            open(s, b"IPC");
            attribute(s, b"ipc-type", |s| s.ipc_type(ipc.ipc_type));
            attribute(s, b"ipc-id", |s| s.unsigned(ipc.id));
            s.push(b"/>");
        }
        Token::Path(path) => content_element(s, b"path", |s| s.counted_text(path.path.raw())),
        Token::Subject32(x) => {
            // OpenBSM puts a space between port and address for this form only.
            process_element(s, b"subject", &x.ids, |s| {
                s.unsigned(x.port);
                s.push(b" ");
                s.ipv4(x.addr);
            });
        }
        Token::Process32(x) => process_element(s, b"process", &x.ids, |s| {
            s.unsigned(x.port);
            s.ipv4(x.addr);
        }),
        Token::Subject64(x) => process_element(s, b"subject", &x.ids, |s| {
            s.unsigned(x.port);
            s.ipv4(x.addr);
        }),
        Token::Process64(x) => process_element(s, b"process", &x.ids, |s| {
            s.unsigned(x.port);
            s.ipv4(x.addr);
        }),
        Token::Subject32Ex(x) => process_element(s, b"subject", &x.ids, |s| {
            s.unsigned(x.port);
            s.ip(x.addr);
        }),
        Token::Process32Ex(x) => process_element(s, b"process", &x.ids, |s| {
            s.unsigned(x.port);
            s.ip(x.addr);
        }),
        Token::Subject64Ex(x) => process_element(s, b"subject", &x.ids, |s| {
            s.unsigned(x.port);
            s.ip(x.addr);
        }),
        Token::Process64Ex(x) => process_element(s, b"process", &x.ids, |s| {
            s.unsigned(x.port);
            s.ip(x.addr);
        }),
        Token::Return32(ret) => {
            open(s, b"return");
            attribute(s, b"errval", |s| s.return_status(ret.status));
            attribute(s, b"retval", |s| s.unsigned(ret.value));
            s.push(b"/>");
        }
        Token::Return64(ret) => {
            open(s, b"return");
            attribute(s, b"errval", |s| s.return_status(ret.status));
            attribute(s, b"retval", |s| s.signed(ret.value as i64));
            s.push(b"/>");
        }
        Token::Text(text) => content_element(s, b"text", |s| s.counted_text(text.text.raw())),
        Token::Opaque(opaque) => {
            content_element(s, b"opaque", |s| push_memory(s.buf, opaque.data.as_slice()))
        }
        Token::InAddr(addr) => content_element(s, b"ip_address", |s| s.ipv4(addr.addr)),
        Token::InAddrEx(addr) => content_element(s, b"ip_address", |s| s.ip(addr.addr)),
        Token::Ip(ip) => {
            open(s, b"ip");
            attribute(s, b"version", |s| IpField::Byte(ip.version).write(s));
            attribute(s, b"service_type", |s| IpField::Byte(ip.tos).write(s));
            attribute(s, b"len", |s| s.unsigned(ip.length));
            attribute(s, b"id", |s| s.unsigned(ip.id));
            attribute(s, b"offset", |s| s.unsigned(ip.offset));
            attribute(s, b"time_to_live", |s| IpField::Byte(ip.ttl).write(s));
            attribute(s, b"protocol", |s| IpField::Byte(ip.protocol).write(s));
            attribute(s, b"cksum", |s| s.unsigned(ip.checksum));
            attribute(s, b"src_addr", |s| s.ipv4(ip.source));
            attribute(s, b"dest_addr", |s| s.ipv4(ip.destination));
            s.push(b"/>");
        }
        Token::IpPort(port) => {
            content_element(s, b"ip_port", |s| {
                push_alternate_hex(s.buf, port.port.into())
            });
        }
        Token::Arg32(arg) => argument_element(s, arg.number, arg.value.into(), arg.text.raw()),
        Token::Arg64(arg) => argument_element(s, arg.number, arg.value, arg.text.raw()),
        Token::Socket(socket) => {
            open(s, b"socket");
            attribute(s, b"sock_type", |s| s.unsigned(socket.socket_type));
            attribute(s, b"lport", |s| s.unsigned(socket.local_port));
            attribute(s, b"laddr", |s| s.ipv4(socket.local_addr));
            attribute(s, b"fport", |s| s.unsigned(socket.remote_port));
            attribute(s, b"faddr", |s| s.ipv4(socket.remote_addr));
            s.push(b"/>");
        }
        Token::SocketEx(socket) => {
            // OpenBSM's order: the remote address before the remote port.
            open(s, b"socket");
            attribute(s, b"sock_dom", |s| {
                push_alternate_hex(s.buf, socket.domain.into())
            });
            attribute(s, b"sock_type", |s| {
                push_alternate_hex(s.buf, socket.socket_type.into())
            });
            attribute(s, b"lport", |s| {
                push_alternate_hex(s.buf, socket.local_port.into())
            });
            attribute(s, b"laddr", |s| s.ip(socket.local_addr));
            attribute(s, b"faddr", |s| s.ip(socket.remote_addr));
            attribute(s, b"fport", |s| {
                push_alternate_hex(s.buf, socket.remote_port.into())
            });
            s.push(b"/>");
        }
        Token::SockInet32(socket) => {
            open(s, b"socket-inet");
            attribute(s, b"type", |s| s.unsigned(socket.family));
            attribute(s, b"port", |s| s.unsigned(socket.port));
            attribute(s, b"addr", |s| s.ipv4(socket.addr));
            s.push(b"/>");
        }
        Token::SockInet128(socket) => {
            open(s, b"socket-inet6");
            attribute(s, b"type", |s| s.unsigned(socket.family));
            attribute(s, b"port", |s| s.unsigned(socket.port));
            attribute(s, b"addr", |s| s.ip(socket.addr.into()));
            s.push(b"/>");
        }
        Token::SockUnix(socket) => {
            // OpenBSM writes an empty port attribute for local sockets.
            open(s, b"socket-unix");
            attribute(s, b"type", |s| s.unsigned(socket.family));
            attribute(s, b"port", |_| {});
            attribute(s, b"addr", |s| s.string(socket.path.bytes()));
            s.push(b"/>");
        }
        Token::Sequence(sequence) => {
            open(s, b"sequence");
            attribute(s, b"seq-num", |s| s.unsigned(sequence.sequence));
            s.push(b"/>");
        }
        Token::IpcPerm(perm) => {
            open(s, b"IPC_perm");
            attribute(s, b"uid", |s| s.user(perm.uid));
            attribute(s, b"gid", |s| s.group(perm.gid));
            attribute(s, b"creator-uid", |s| s.user(perm.creator_uid));
            attribute(s, b"creator-gid", |s| s.group(perm.creator_gid));
            attribute(s, b"mode", |s| push_octal(s.buf, perm.mode.into()));
            attribute(s, b"seq", |s| s.unsigned(perm.sequence));
            attribute(s, b"key", |s| s.unsigned(perm.key));
            s.push(b"/>");
        }
        Token::Privilege(privilege) => {
            open(s, b"privilege");
            attribute(s, b"type", |s| s.counted_text(privilege.set.raw()));
            attribute(s, b"priv", |s| s.counted_text(privilege.privileges.raw()));
            s.push(b"/>");
        }
        Token::UseOfPrivilege(privilege) => {
            open(s, b"use_of_privilege");
            attribute(s, b"status", |s| s.privilege_outcome(privilege.success));
            attribute(s, b"name", |s| s.counted_text(privilege.privilege.raw()));
            s.push(b"/>");
        }
        Token::NewGroups(groups) => group_element(s, groups.gids.iter()),
        Token::Groups(groups) => group_element(s, groups.gids.iter()),
        Token::ExecArgs(exec) => exec_element(s, b"exec_args", b"arg", exec.strings.iter()),
        Token::ExecEnv(exec) => exec_element(s, b"exec_env", b"env", exec.strings.iter()),
        Token::Attr32(attr) => {
            let fields = Attribute::new(attr.mode, attr.uid, attr.gid, attr.fsid, attr.node_id);
            attribute_element(s, fields, attr.device.into());
        }
        Token::Attr64(attr) => {
            let fields = Attribute::new(attr.mode, attr.uid, attr.gid, attr.fsid, attr.node_id);
            attribute_element(s, fields, attr.device);
        }
        Token::Attr(attr) => {
            let fields = Attribute::new(
                attr.mode,
                attr.uid,
                attr.gid,
                attr.fsid,
                attr.node_id.into(),
            );
            attribute_element(s, fields, attr.device.into());
        }
        Token::Exit(exit) => {
            open(s, b"exit");
            attribute(s, b"errval", |s| {
                s.push(b"Error ");
                s.unsigned(exit.status);
            });
            attribute(s, b"retval", |s| s.unsigned(exit.value));
            s.push(b"/>");
        }
        Token::Zone(zone) => {
            open(s, b"zone");
            attribute(s, b"name", |s| s.counted_text(zone.zone.raw()));
            s.push(b"/>");
        }
        Token::ArgUuid(uuid) => uuid_element(s, b"arg_uuid", b"arg_uuid-num", uuid),
        Token::RetUuid(uuid) => uuid_element(s, b"ret_uuid", b"ret_uuid-num", uuid),
        Token::Rights(rights) => {
            s.push(b"<rights>");
            for word in rights.words.iter() {
                content_element(s, b"word", |s| push_hex_word(s.buf, word));
            }
            s.push(b"</rights>");
        }
        Token::Identity(identity) => {
            open(s, b"identity");
            attribute(s, b"signer-type", |s| s.unsigned(identity.signer_type));
            attribute(s, b"signing-id", |s| {
                s.counted_text(identity.signing_id.raw())
            });
            attribute(s, b"signing-id-truncated", |s| {
                s.unsigned(identity.signing_id_truncated)
            });
            attribute(s, b"team-id", |s| s.counted_text(identity.team_id.raw()));
            attribute(s, b"team-id-truncated", |s| {
                s.unsigned(identity.team_id_truncated)
            });
            attribute(s, b"cdhash", |s| {
                push_memory(s.buf, identity.cdhash.as_slice())
            });
            s.push(b"/>");
        }
        Token::Unknown(unknown) => {
            s.push(b"<unknown id=\"0x");
            super::scalars::push_hex_byte(s.buf, unknown.id);
            s.push(b"\">");
            push_memory(s.buf, unknown.bytes.as_slice());
            s.push(b"</unknown>");
        }
    }
}

/// `<name ` — attributes follow, each with its trailing space, as OpenBSM.
fn open(s: &mut Fields<'_>, name: &[u8]) {
    s.push(b"<");
    s.push(name);
    s.push(b" ");
}

/// `name="value" `.
fn attribute(s: &mut Fields<'_>, name: &[u8], value: impl FnOnce(&mut Fields<'_>)) {
    s.push(name);
    s.push(b"=\"");
    value(s);
    s.push(b"\" ");
}

/// `<name>content</name>`.
fn content_element(s: &mut Fields<'_>, name: &[u8], content: impl FnOnce(&mut Fields<'_>)) {
    s.push(b"<");
    s.push(name);
    s.push(b">");
    content(s);
    s.push(b"</");
    s.push(name);
    s.push(b">");
}

fn header_element(s: &mut Fields<'_>, header: HeaderView, role: Role) {
    let nested = role == Role::Body;
    open(s, if nested { b"header" } else { b"record" });
    if nested {
        attribute(s, b"size", |s| s.unsigned(header.size));
    }
    attribute(s, b"version", |s| s.unsigned(header.version));
    attribute(s, b"event", |s| s.event(header.event));
    attribute(s, b"modifier", |s| s.unsigned(header.modifier));
    if let Some(host) = header.host {
        attribute(s, b"host", |s| s.ip(host));
    }
    attribute(s, b"time", |s| s.seconds(header.seconds));
    attribute(s, b"msec", |s| s.milliseconds(header.milliseconds));
    s.push(if nested { b"/>" } else { b">" });
}

fn file_element(s: &mut Fields<'_>, seconds: u64, milliseconds: u64, name: &[u8]) {
    open(s, b"file");
    attribute(s, b"time", |s| s.seconds(seconds));
    attribute(s, b"msec", |s| s.milliseconds(milliseconds));
    s.push(b">");
    s.counted_text(name);
    s.push(b"</file>");
}

fn process_element(
    s: &mut Fields<'_>,
    name: &[u8],
    ids: &ProcessIds,
    terminal: impl FnOnce(&mut Fields<'_>),
) {
    open(s, name);
    attribute(s, b"audit-uid", |s| s.user(ids.auid));
    attribute(s, b"uid", |s| s.user(ids.euid));
    attribute(s, b"gid", |s| s.group(ids.egid));
    attribute(s, b"ruid", |s| s.user(ids.ruid));
    attribute(s, b"rgid", |s| s.group(ids.rgid));
    attribute(s, b"pid", |s| s.unsigned(ids.pid));
    attribute(s, b"sid", |s| s.unsigned(ids.sid));
    attribute(s, b"tid", terminal);
    s.push(b"/>");
}

fn argument_element(s: &mut Fields<'_>, number: u8, value: u64, text: &[u8]) {
    open(s, b"argument");
    attribute(s, b"arg-num", |s| s.unsigned(number));
    attribute(s, b"value", |s| push_prefixed_hex(s.buf, value));
    attribute(s, b"desc", |s| s.counted_text(text));
    s.push(b"/>");
}

fn group_element(s: &mut Fields<'_>, gids: impl Iterator<Item = u32>) {
    s.push(b"<group>");
    for gid in gids {
        content_element(s, b"gid", |s| s.group(gid));
    }
    s.push(b"</group>");
}

fn exec_element<'a>(
    s: &mut Fields<'_>,
    name: &[u8],
    item: &[u8],
    strings: impl Iterator<Item = &'a [u8]>,
) {
    s.push(b"<");
    s.push(name);
    s.push(b">");
    for string in strings {
        content_element(s, item, |s| s.escaped_string(string));
    }
    s.push(b"</");
    s.push(name);
    s.push(b">");
}

fn attribute_element(s: &mut Fields<'_>, attr: Attribute, device: u64) {
    open(s, b"attribute");
    attribute(s, b"mode", |s| push_octal(s.buf, attr.mode.into()));
    attribute(s, b"uid", |s| s.user(attr.uid));
    attribute(s, b"gid", |s| s.group(attr.gid));
    attribute(s, b"fsid", |s| s.unsigned(attr.fsid));
    attribute(s, b"nodeid", |s| s.signed(attr.node_id as i64));
    attribute(s, b"device", |s| s.unsigned(device));
    s.push(b"/>");
}

fn uuid_element(s: &mut Fields<'_>, name: &[u8], number_name: &[u8], uuid: &bsm_format::Uuid<'_>) {
    open(s, name);
    attribute(s, number_name, |s| s.unsigned(uuid.number));
    attribute(s, b"uuid", |s| push_uuid(s.buf, &uuid.uuid));
    attribute(s, b"desc", |s| s.counted_text(uuid.text.raw()));
    s.push(b"/>");
}
