//! praudit's default form: a token is its name (its id under `-r`) and its
//! fields, joined by the delimiter.

use std::net::IpAddr;

use bsm_format::{HeaderView, ProcessIds, Record, Token};

use super::fields::{Attribute, Fields, IpField, data_unit_name, print_format_name};
use super::scalars::{
    push_alternate_hex, push_hex_word, push_memory, push_octal, push_prefixed_hex, push_uuid,
};
use super::{Pen, end_text_item};

/// praudit's text: a token a line, or with `-l` a record a line.
pub(super) struct TextForm;

impl super::Form for TextForm {
    fn record(&self, pen: &mut Pen<'_>, record: &Record<'_>) -> Result<(), bsm_format::Error> {
        let one_line = pen.options.one_line;
        let mut outcome = Ok(());
        for item in record.tokens() {
            match item {
                Ok(token) => {
                    let mut fields = pen.fields(false);
                    write_token(&mut fields, &token);
                    if one_line {
                        fields.delimiter();
                    } else {
                        fields.push(b"\n");
                    }
                }
                Err(error) => {
                    outcome = Err(error);
                    break;
                }
            }
        }
        if one_line {
            pen.buf.push(b'\n');
        }
        outcome
    }

    fn file_token(&self, pen: &mut Pen<'_>, token: &Token<'_>) {
        self.bare_token(pen, token);
    }

    fn bare_token(&self, pen: &mut Pen<'_>, token: &Token<'_>) {
        write_token(&mut pen.fields(false), token);
        end_text_item(pen);
    }
}

/// Writes one token, without what follows it (newline or delimiter).
pub(super) fn write_token(s: &mut Fields<'_>, token: &Token<'_>) {
    let id = token.id();
    match token {
        Token::File(file) => {
            file_fields(
                s,
                id,
                file.seconds.into(),
                file.milliseconds.into(),
                file.name.raw(),
            );
        }
        Token::OtherFile64(file) => {
            file_fields(s, id, file.seconds, file.milliseconds, file.name.raw());
        }
        Token::Trailer(trailer) => {
            s.kind(id, "trailer");
            s.delimiter();
            s.unsigned(trailer.size);
        }
        Token::Header32(_) | Token::Header32Ex(_) | Token::Header64(_) | Token::Header64Ex(_) => {
            if let Some(header) = token.as_header() {
                header_fields(s, id, header);
            }
        }
        Token::Arbitrary(data) => {
            s.kind(id, "arbitrary");
            s.delimiter();
            match print_format_name(data.format) {
                Some(name) => s.push(name.as_bytes()),
                None => s.unsigned(data.format.to_byte()),
            }
            s.delimiter();
            s.push(data_unit_name(data.unit).as_bytes());
            s.delimiter();
            s.unsigned(data.count);
            s.delimiter();
            s.arbitrary_items(data);
        }
        Token::Ipc(ipc) => {
            s.kind(id, "IPC");
            s.delimiter();
            s.ipc_type(ipc.ipc_type);
            s.delimiter();
            s.unsigned(ipc.id);
        }
        Token::Path(path) => {
            s.kind(id, "path");
            s.delimiter();
            s.counted_text(path.path.raw());
        }
        Token::Subject32(x) => {
            process_fields(s, id, "subject", &x.ids, x.port.into(), x.addr.into())
        }
        Token::Process32(x) => {
            process_fields(s, id, "process", &x.ids, x.port.into(), x.addr.into())
        }
        Token::Subject64(x) => process_fields(s, id, "subject", &x.ids, x.port, x.addr.into()),
        Token::Process64(x) => process_fields(s, id, "process", &x.ids, x.port, x.addr.into()),
        Token::Subject32Ex(x) => process_fields(s, id, "subject_ex", &x.ids, x.port.into(), x.addr),
        Token::Process32Ex(x) => process_fields(s, id, "process_ex", &x.ids, x.port.into(), x.addr),
        Token::Subject64Ex(x) => process_fields(s, id, "subject_ex", &x.ids, x.port, x.addr),
        Token::Process64Ex(x) => process_fields(s, id, "process_ex", &x.ids, x.port, x.addr),
        Token::Return32(ret) => {
            s.kind(id, "return");
            s.delimiter();
            s.return_status(ret.status);
            s.delimiter();
            s.unsigned(ret.value);
        }
        Token::Return64(ret) => {
            s.kind(id, "return");
            s.delimiter();
            s.return_status(ret.status);
            s.delimiter();
            // praudit prints the 64-bit value with `%lld`.
            s.signed(ret.value as i64);
        }
        Token::Text(text) => {
            s.kind(id, "text");
            s.delimiter();
            s.counted_text(text.text.raw());
        }
        Token::Opaque(opaque) => {
            let bytes = opaque.data.as_slice();
            s.kind(id, "opaque");
            s.delimiter();
            s.unsigned(bytes.len() as u64);
            s.delimiter();
            push_memory(s.buf, bytes);
        }
        Token::InAddr(addr) => {
            s.kind(id, "ip addr");
            s.delimiter();
            s.ipv4(addr.addr);
        }
        Token::InAddrEx(addr) => {
            s.kind(id, "ip addr ex");
            s.delimiter();
            s.ip(addr.addr);
        }
        Token::Ip(ip) => {
            s.kind(id, "ip");
            for field in [
                IpField::Byte(ip.version),
                IpField::Byte(ip.tos),
                IpField::Number(ip.length),
                IpField::Number(ip.id),
                IpField::Number(ip.offset),
                IpField::Byte(ip.ttl),
                IpField::Byte(ip.protocol),
                IpField::Number(ip.checksum),
            ] {
                s.delimiter();
                field.write(s);
            }
            s.delimiter();
            s.ipv4(ip.source);
            s.delimiter();
            s.ipv4(ip.destination);
        }
        Token::IpPort(port) => {
            s.kind(id, "ip port");
            s.delimiter();
            push_alternate_hex(s.buf, port.port.into());
        }
        Token::Arg32(arg) => argument_fields(s, id, arg.number, arg.value.into(), arg.text.raw()),
        Token::Arg64(arg) => argument_fields(s, id, arg.number, arg.value, arg.text.raw()),
        Token::Socket(socket) => {
            s.kind(id, "socket");
            s.delimiter();
            s.unsigned(socket.socket_type);
            s.delimiter();
            s.unsigned(socket.local_port);
            s.delimiter();
            s.ipv4(socket.local_addr);
            s.delimiter();
            s.unsigned(socket.remote_port);
            s.delimiter();
            s.ipv4(socket.remote_addr);
        }
        Token::SocketEx(socket) => {
            // praudit prints the BSM domain and type, and the ports, with `%#x`.
            s.kind(id, "socket");
            s.delimiter();
            push_alternate_hex(s.buf, socket.domain.into());
            s.delimiter();
            push_alternate_hex(s.buf, socket.socket_type.into());
            s.delimiter();
            push_alternate_hex(s.buf, socket.local_port.into());
            s.delimiter();
            s.ip(socket.local_addr);
            s.delimiter();
            push_alternate_hex(s.buf, socket.remote_port.into());
            s.delimiter();
            s.ip(socket.remote_addr);
        }
        Token::SockInet32(socket) => {
            s.kind(id, "socket-inet");
            s.delimiter();
            s.unsigned(socket.family);
            s.delimiter();
            s.unsigned(socket.port);
            s.delimiter();
            s.ipv4(socket.addr);
        }
        Token::SockInet128(socket) => {
            s.kind(id, "socket-inet6");
            s.delimiter();
            s.unsigned(socket.family);
            s.delimiter();
            s.unsigned(socket.port);
            s.delimiter();
            s.ip(socket.addr.into());
        }
        Token::SockUnix(socket) => {
            s.kind(id, "socket-unix");
            s.delimiter();
            s.unsigned(socket.family);
            s.delimiter();
            // The path up to its NUL (praudit's strlen).
            s.string(socket.path.bytes());
        }
        Token::Sequence(sequence) => {
            s.kind(id, "sequence");
            s.delimiter();
            s.unsigned(sequence.sequence);
        }
        Token::IpcPerm(perm) => {
            s.kind(id, "IPC perm");
            s.delimiter();
            s.user(perm.uid);
            s.delimiter();
            s.group(perm.gid);
            s.delimiter();
            s.user(perm.creator_uid);
            s.delimiter();
            s.group(perm.creator_gid);
            s.delimiter();
            push_octal(s.buf, perm.mode.into());
            s.delimiter();
            s.unsigned(perm.sequence);
            s.delimiter();
            s.unsigned(perm.key);
        }
        Token::Privilege(privilege) => {
            s.kind(id, "privilege");
            s.delimiter();
            s.counted_text(privilege.set.raw());
            s.delimiter();
            s.counted_text(privilege.privileges.raw());
        }
        Token::UseOfPrivilege(privilege) => {
            s.kind(id, "use of privilege");
            s.delimiter();
            s.privilege_outcome(privilege.success);
            s.delimiter();
            s.counted_text(privilege.privilege.raw());
        }
        // Deviation 5 of bsm-format.md: every gid, where praudit stops at 16.
        Token::NewGroups(groups) => group_fields(s, id, groups.gids.iter()),
        Token::Groups(groups) => group_fields(s, id, groups.gids.iter()),
        Token::ExecArgs(exec) => exec_fields(s, id, "exec arg", exec.strings.iter()),
        Token::ExecEnv(exec) => exec_fields(s, id, "exec env", exec.strings.iter()),
        Token::Attr32(attr) => {
            let fields = Attribute::new(attr.mode, attr.uid, attr.gid, attr.fsid, attr.node_id);
            attribute_fields(s, id, fields, attr.device.into());
        }
        Token::Attr64(attr) => {
            let fields = Attribute::new(attr.mode, attr.uid, attr.gid, attr.fsid, attr.node_id);
            attribute_fields(s, id, fields, attr.device);
        }
        Token::Attr(attr) => {
            let fields = Attribute::new(
                attr.mode,
                attr.uid,
                attr.gid,
                attr.fsid,
                attr.node_id.into(),
            );
            attribute_fields(s, id, fields, attr.device.into());
        }
        Token::Exit(exit) => {
            s.kind(id, "exit");
            s.delimiter();
            s.push(b"Error ");
            s.unsigned(exit.status);
            s.delimiter();
            s.unsigned(exit.value);
        }
        Token::Zone(zone) => {
            s.kind(id, "zone");
            s.delimiter();
            s.counted_text(zone.zone.raw());
        }
        Token::ArgUuid(uuid) => uuid_fields(s, id, "arg_uuid", uuid),
        Token::RetUuid(uuid) => uuid_fields(s, id, "ret_uuid", uuid),
        Token::Rights(rights) => {
            // OpenBSM cannot decode this; each cap_rights_t word as a bit mask.
            s.kind(id, "rights");
            for word in rights.words.iter() {
                s.delimiter();
                push_hex_word(s.buf, word);
            }
        }
        Token::Identity(identity) => {
            // OpenBSM cannot decode this; the fields in wire order.
            s.kind(id, "identity");
            s.delimiter();
            s.unsigned(identity.signer_type);
            s.delimiter();
            s.counted_text(identity.signing_id.raw());
            s.delimiter();
            s.unsigned(identity.signing_id_truncated);
            s.delimiter();
            s.counted_text(identity.team_id.raw());
            s.delimiter();
            s.unsigned(identity.team_id_truncated);
            s.delimiter();
            push_memory(s.buf, identity.cdhash.as_slice());
        }
        Token::Unknown(unknown) => {
            s.kind(id, "unknown");
            s.delimiter();
            push_memory(s.buf, unknown.bytes.as_slice());
        }
    }
}

fn header_fields(s: &mut Fields<'_>, id: u8, header: HeaderView) {
    s.kind(
        id,
        if header.host.is_some() {
            "header_ex"
        } else {
            "header"
        },
    );
    s.delimiter();
    s.unsigned(header.size);
    s.delimiter();
    s.unsigned(header.version);
    s.delimiter();
    s.event(header.event);
    s.delimiter();
    s.unsigned(header.modifier);
    if let Some(host) = header.host {
        s.delimiter();
        s.ip(host);
    }
    // Deviation 1 of bsm-format.md: header32_ex too prints this form under
    // -r, where praudit prints its XML form.
    s.delimiter();
    s.seconds(header.seconds);
    s.delimiter();
    s.milliseconds(header.milliseconds);
}

fn file_fields(s: &mut Fields<'_>, id: u8, seconds: u64, milliseconds: u64, name: &[u8]) {
    s.kind(id, "file");
    s.delimiter();
    s.seconds(seconds);
    s.delimiter();
    s.milliseconds(milliseconds);
    s.delimiter();
    s.counted_text(name);
}

fn process_fields(
    s: &mut Fields<'_>,
    id: u8,
    name: &str,
    ids: &ProcessIds,
    port: u64,
    addr: IpAddr,
) {
    s.kind(id, name);
    s.delimiter();
    s.user(ids.auid);
    s.delimiter();
    s.user(ids.euid);
    s.delimiter();
    s.group(ids.egid);
    s.delimiter();
    s.user(ids.ruid);
    s.delimiter();
    s.group(ids.rgid);
    s.delimiter();
    s.unsigned(ids.pid);
    s.delimiter();
    s.unsigned(ids.sid);
    s.delimiter();
    s.unsigned(port);
    s.delimiter();
    s.ip(addr);
}

fn argument_fields(s: &mut Fields<'_>, id: u8, number: u8, value: u64, text: &[u8]) {
    s.kind(id, "argument");
    s.delimiter();
    s.unsigned(number);
    s.delimiter();
    push_prefixed_hex(s.buf, value);
    s.delimiter();
    s.counted_text(text);
}

fn group_fields(s: &mut Fields<'_>, id: u8, gids: impl Iterator<Item = u32>) {
    s.kind(id, "group");
    for gid in gids {
        s.delimiter();
        s.group(gid);
    }
}

fn exec_fields<'a>(
    s: &mut Fields<'_>,
    id: u8,
    name: &str,
    strings: impl Iterator<Item = &'a [u8]>,
) {
    s.kind(id, name);
    for string in strings {
        s.delimiter();
        s.string(string);
    }
}

fn attribute_fields(s: &mut Fields<'_>, id: u8, attr: Attribute, device: u64) {
    s.kind(id, "attribute");
    s.delimiter();
    push_octal(s.buf, attr.mode.into());
    s.delimiter();
    s.user(attr.uid);
    s.delimiter();
    s.group(attr.gid);
    s.delimiter();
    s.unsigned(attr.fsid);
    s.delimiter();
    // praudit prints the node id with `%lld`.
    s.signed(attr.node_id as i64);
    s.delimiter();
    s.unsigned(device);
}

fn uuid_fields(s: &mut Fields<'_>, id: u8, name: &str, uuid: &bsm_format::Uuid<'_>) {
    s.kind(id, name);
    s.delimiter();
    s.unsigned(uuid.number);
    s.delimiter();
    push_uuid(s.buf, &uuid.uuid);
    s.delimiter();
    s.counted_text(uuid.text.raw());
}

#[cfg(test)]
mod tests {
    // The conformance test (tests/printer_conformance.rs) checks every token
    // against OpenBSM's output; these cover what the corpus lacks.
    use super::super::{Format, PrintContext, PrintOptions, Printer, Zone};
    use bsm_format::*;

    fn print(token: Token<'_>, options: PrintOptions) -> String {
        let context = PrintContext::builtin()
            .with_zone(Zone::utc())
            .with_passwd("root:x:0:0::/:/bin/sh\n")
            .with_group("wheel:x:0:\n");
        let mut printer = Printer::new(Vec::new(), options, &context);
        let printed = printer.bare_token(&token);
        assert!(printed.is_ok());
        String::from_utf8_lossy(&printer.into_inner().unwrap_or_default()).into_owned()
    }

    fn default_options() -> PrintOptions {
        PrintOptions::default()
    }

    #[test]
    fn ids_print_as_names_unless_numeric() {
        let attr = Token::Attr32(Attr32 {
            mode: 0o100644,
            uid: 0,
            gid: 0,
            fsid: 1,
            node_id: u64::MAX,
            device: 2,
        });
        assert_eq!(
            print(attr, default_options()),
            "attribute,100644,root,wheel,1,-1,2\n"
        );
        let numeric = PrintOptions {
            numeric: true,
            ..default_options()
        };
        assert_eq!(print(attr, numeric), "attribute,100644,0,0,1,-1,2\n");
    }

    #[test]
    fn unmapped_return_statuses() {
        let unknown = Token::Return32(Return32 {
            status: 250,
            value: 1,
        });
        assert_eq!(
            print(unknown, default_options()),
            "return,failure: Unknown error: 250,1\n"
        );
        let no_linux_errno = Token::Return32(Return32 {
            status: 72,
            value: 1,
        });
        assert_eq!(
            print(no_linux_errno, default_options()),
            "return,failure: Unknown error: 72,1\n"
        );
        let negative = Token::Return64(Return64 {
            status: 0,
            value: u64::MAX,
        });
        assert_eq!(print(negative, default_options()), "return,success,-1\n");
    }

    #[test]
    fn tokens_openbsm_cannot_decode() {
        let rights = Token::Rights(Rights {
            words: U64List::from_raw(&[0x02, 0, 0, 0, 0, 0, 0, 0x01, 0x04, 0, 0, 0, 0, 0, 0, 0]),
        });
        assert_eq!(
            print(rights, default_options()),
            "rights,0x0200000000000001,0x0400000000000000\n"
        );
        let identity = Token::Identity(Identity {
            signer_type: 1,
            signing_id: Text::from_raw(b"com.apple.ls\0"),
            signing_id_truncated: 0,
            team_id: Text::from_raw(b"\0"),
            team_id_truncated: 0,
            cdhash: Bytes(&[0xab, 0xcd]),
        });
        assert_eq!(
            print(identity, default_options()),
            "identity,1,com.apple.ls,0,,0,0xabcd\n"
        );
        let groups = Token::Groups(Groups {
            gids: U32List::from_raw(&[0, 0, 0, 0, 0, 0, 0, 20]),
        });
        assert_eq!(print(groups, default_options()), "group,wheel,20\n");
        let file64 = Token::OtherFile64(File64 {
            seconds: 1_700_000_000,
            milliseconds: 5,
            name: Text::from_raw(b"trail\0"),
        });
        let raw = PrintOptions {
            raw: true,
            ..default_options()
        };
        assert_eq!(print(file64, raw), "120,1700000000,5,trail\n");
        let attr = Token::Attr(AttrSolaris {
            mode: 0o40755,
            uid: 7,
            gid: 8,
            fsid: 1,
            node_id: 2,
            device: 3,
        });
        assert_eq!(
            print(attr, default_options()),
            "attribute,40755,7,8,1,2,3\n"
        );
    }

    #[test]
    fn counted_text_skips_nul_bytes_as_praudit() {
        let text = Token::Text(TextToken {
            text: Text::from_raw(b"ab\0cd\0"),
        });
        assert_eq!(print(text, default_options()), "text,abcd\n");
    }

    #[test]
    fn ports_and_ipc_types() {
        let port = Token::IpPort(IpPort { port: 0 });
        assert_eq!(print(port, default_options()), "ip port,0\n");
        let ipc = Token::Ipc(Ipc { ipc_type: 9, id: 1 });
        assert_eq!(print(ipc, default_options()), "IPC,9,1\n");
        let shm = Token::Ipc(Ipc { ipc_type: 3, id: 1 });
        let one_line = PrintOptions {
            one_line: true,
            delimiter: ":".into(),
            format: Format::Text,
            ..default_options()
        };
        assert_eq!(print(shm, one_line), "IPC:Shared Memory IPC:1:\n");
    }
}
