//! One token as a JSON object: `{"token":"NAME",FIELDS…}`, with the names
//! and values of bsm-format's serde serialisation (the tests hold the two
//! equal byte for byte).

use bsm_format::{
    Arbitrary, DataUnit, HeaderView, PrintFormat, ProcessIds, Text, Token, Uuid, format_uuid, ids,
};

use super::out::{JsonOut, key};

pub(super) fn write_token(out: &mut JsonOut<'_>, token: &Token<'_>) {
    match token {
        Token::File(t) => file(
            out,
            "file",
            t.seconds.into(),
            t.milliseconds.into(),
            &t.name,
        ),
        Token::OtherFile64(t) => file(out, "other_file64", t.seconds, t.milliseconds, &t.name),
        Token::Trailer(t) => {
            out.open_token("trailer");
            out.number(key!("magic"), t.magic);
            out.number(key!("size"), t.size);
        }
        // as_header gives the view of exactly these four forms.
        Token::Header32(_) | Token::Header32Ex(_) | Token::Header64(_) | Token::Header64Ex(_) => {
            if let Some(view) = token.as_header() {
                header(out, &view);
            }
        }
        Token::Arbitrary(t) => arbitrary(out, t),
        Token::Ipc(t) => {
            out.open_token("ipc");
            out.number(key!("ipc_type"), t.ipc_type);
            out.number(key!("id"), t.id);
        }
        Token::Path(t) => {
            out.open_token("path");
            out.text(key!("path"), &t.path);
        }
        Token::Subject32(t) | Token::Process32(t) => {
            out.open_token(if matches!(token, Token::Subject32(_)) {
                "subject32"
            } else {
                "process32"
            });
            process_ids(out, &t.ids);
            out.number(key!("port"), t.port);
            out.ipv4(key!("addr"), t.addr);
        }
        Token::Subject64(t) | Token::Process64(t) => {
            out.open_token(if matches!(token, Token::Subject64(_)) {
                "subject64"
            } else {
                "process64"
            });
            process_ids(out, &t.ids);
            out.number(key!("port"), t.port);
            out.ipv4(key!("addr"), t.addr);
        }
        Token::Subject32Ex(t) | Token::Process32Ex(t) => {
            out.open_token(if matches!(token, Token::Subject32Ex(_)) {
                "subject32_ex"
            } else {
                "process32_ex"
            });
            process_ids(out, &t.ids);
            out.number(key!("port"), t.port);
            out.ip(key!("addr"), t.addr);
        }
        Token::Subject64Ex(t) | Token::Process64Ex(t) => {
            out.open_token(if matches!(token, Token::Subject64Ex(_)) {
                "subject64_ex"
            } else {
                "process64_ex"
            });
            process_ids(out, &t.ids);
            out.number(key!("port"), t.port);
            out.ip(key!("addr"), t.addr);
        }
        Token::Return32(t) => status_value(out, "return32", t.status.into(), t.value.into()),
        Token::Return64(t) => status_value(out, "return64", t.status.into(), t.value),
        Token::Text(t) => {
            out.open_token("text");
            out.text(key!("text"), &t.text);
        }
        Token::Opaque(t) => {
            out.open_token("opaque");
            out.hex(key!("data"), &t.data);
        }
        Token::InAddr(t) => {
            out.open_token("in_addr");
            out.ipv4(key!("addr"), t.addr);
        }
        Token::InAddrEx(t) => {
            out.open_token("in_addr_ex");
            out.ip(key!("addr"), t.addr);
        }
        Token::Ip(t) => {
            out.open_token("ip");
            out.number(key!("version"), t.version);
            out.number(key!("tos"), t.tos);
            out.number(key!("length"), t.length);
            out.number(key!("id"), t.id);
            out.number(key!("offset"), t.offset);
            out.number(key!("ttl"), t.ttl);
            out.number(key!("protocol"), t.protocol);
            out.number(key!("checksum"), t.checksum);
            out.ipv4(key!("source"), t.source);
            out.ipv4(key!("destination"), t.destination);
        }
        Token::IpPort(t) => {
            out.open_token("ip_port");
            out.number(key!("port"), t.port);
        }
        Token::Arg32(t) => argument(out, "arg32", t.number, t.value.into(), &t.text),
        Token::Arg64(t) => argument(out, "arg64", t.number, t.value, &t.text),
        Token::Socket(t) => {
            out.open_token("socket");
            out.number(key!("socket_type"), t.socket_type);
            out.number(key!("local_port"), t.local_port);
            out.ipv4(key!("local_addr"), t.local_addr);
            out.number(key!("remote_port"), t.remote_port);
            out.ipv4(key!("remote_addr"), t.remote_addr);
        }
        Token::SocketEx(t) => {
            out.open_token("socket_ex");
            out.number(key!("domain"), t.domain);
            out.number(key!("socket_type"), t.socket_type);
            out.number(key!("local_port"), t.local_port);
            out.ip(key!("local_addr"), t.local_addr);
            out.number(key!("remote_port"), t.remote_port);
            out.ip(key!("remote_addr"), t.remote_addr);
        }
        Token::SockInet32(t) => {
            out.open_token("sock_inet32");
            out.number(key!("family"), t.family);
            out.number(key!("port"), t.port);
            out.ipv4(key!("addr"), t.addr);
        }
        Token::SockInet128(t) => {
            out.open_token("sock_inet128");
            out.number(key!("family"), t.family);
            out.number(key!("port"), t.port);
            out.ip(key!("addr"), t.addr.into());
        }
        Token::SockUnix(t) => {
            out.open_token("sock_unix");
            out.number(key!("family"), t.family);
            out.text(key!("path"), &t.path);
        }
        Token::Sequence(t) => {
            out.open_token("sequence");
            out.number(key!("sequence"), t.sequence);
        }
        Token::IpcPerm(t) => {
            out.open_token("ipc_perm");
            out.number(key!("uid"), t.uid);
            out.number(key!("gid"), t.gid);
            out.number(key!("creator_uid"), t.creator_uid);
            out.number(key!("creator_gid"), t.creator_gid);
            out.number(key!("mode"), t.mode);
            out.number(key!("sequence"), t.sequence);
            out.number(key!("key"), t.key);
        }
        Token::Privilege(t) => {
            out.open_token("privilege");
            out.text(key!("set"), &t.set);
            out.text(key!("privileges"), &t.privileges);
        }
        Token::UseOfPrivilege(t) => {
            out.open_token("use_of_privilege");
            out.number(key!("success"), t.success);
            out.text(key!("privilege"), &t.privilege);
        }
        Token::NewGroups(t) => {
            out.open_token("new_groups");
            out.u32s(key!("gids"), &t.gids);
        }
        Token::Groups(t) => {
            out.open_token("groups");
            out.u32s(key!("gids"), &t.gids);
        }
        Token::ExecArgs(t) => {
            out.open_token("exec_args");
            out.strings(key!("strings"), &t.strings);
        }
        Token::ExecEnv(t) => {
            out.open_token("exec_env");
            out.strings(key!("strings"), &t.strings);
        }
        Token::Attr32(t) => attr(
            out,
            "attr32",
            [t.mode, t.uid, t.gid, t.fsid],
            t.node_id,
            t.device.into(),
        ),
        Token::Attr64(t) => attr(
            out,
            "attr64",
            [t.mode, t.uid, t.gid, t.fsid],
            t.node_id,
            t.device,
        ),
        Token::Attr(t) => attr(
            out,
            "attr",
            [t.mode, t.uid, t.gid, t.fsid],
            t.node_id.into(),
            t.device.into(),
        ),
        Token::Exit(t) => status_value(out, "exit", t.status, t.value.into()),
        Token::Zone(t) => {
            out.open_token("zone");
            out.text(key!("zone"), &t.zone);
        }
        Token::ArgUuid(t) => uuid(out, "arg_uuid", t),
        Token::RetUuid(t) => uuid(out, "ret_uuid", t),
        Token::Rights(t) => {
            out.open_token("rights");
            out.u64s(key!("words"), &t.words);
        }
        Token::Identity(t) => {
            out.open_token("identity");
            out.number(key!("signer_type"), t.signer_type);
            out.text(key!("signing_id"), &t.signing_id);
            out.number(key!("signing_id_truncated"), t.signing_id_truncated);
            out.text(key!("team_id"), &t.team_id);
            out.number(key!("team_id_truncated"), t.team_id_truncated);
            out.hex(key!("cdhash"), &t.cdhash);
        }
        Token::Unknown(t) => {
            out.open_token("unknown");
            out.number(key!("id"), t.id);
            out.hex(key!("bytes"), &t.bytes);
        }
    }
    out.close();
}

fn file(out: &mut JsonOut<'_>, name: &str, seconds: u64, milliseconds: u64, file: &Text<'_>) {
    out.open_token(name);
    out.number(key!("seconds"), seconds);
    out.number(key!("milliseconds"), milliseconds);
    out.text(key!("name"), file);
}

/// Return and exit tokens: a status and a value.
fn status_value(out: &mut JsonOut<'_>, name: &str, status: u32, value: u64) {
    out.open_token(name);
    out.number(key!("status"), status);
    out.number(key!("value"), value);
}

fn argument(out: &mut JsonOut<'_>, name: &str, number: u8, value: u64, text: &Text<'_>) {
    out.open_token(name);
    out.number(key!("number"), number);
    out.number(key!("value"), value);
    out.text(key!("text"), text);
}

/// The attribute tokens: mode, uid, gid, fsid, then node id and device.
fn attr(out: &mut JsonOut<'_>, name: &str, ids: [u32; 4], node_id: u64, device: u64) {
    out.open_token(name);
    for (key, value) in [key!("mode"), key!("uid"), key!("gid"), key!("fsid")]
        .into_iter()
        .zip(ids)
    {
        out.number(key, value);
    }
    out.number(key!("node_id"), node_id);
    out.number(key!("device"), device);
}

fn process_ids(out: &mut JsonOut<'_>, ids: &ProcessIds) {
    out.number(key!("auid"), ids.auid);
    out.number(key!("euid"), ids.euid);
    out.number(key!("egid"), ids.egid);
    out.number(key!("ruid"), ids.ruid);
    out.number(key!("rgid"), ids.rgid);
    out.number(key!("pid"), ids.pid);
    out.number(key!("sid"), ids.sid);
}

/// Any header form, from its common view: the `_ex` forms add the host.
fn header(out: &mut JsonOut<'_>, header: &HeaderView) {
    out.open_token(match header.id {
        ids::HEADER32 => "header32",
        ids::HEADER32_EX => "header32_ex",
        ids::HEADER64 => "header64",
        _ => "header64_ex",
    });
    out.number(key!("size"), header.size);
    out.number(key!("version"), header.version);
    out.number(key!("event"), header.event);
    out.number(key!("modifier"), header.modifier);
    if let Some(host) = header.host {
        out.ip(key!("host"), host);
    }
    out.number(key!("seconds"), header.seconds);
    out.number(key!("milliseconds"), header.milliseconds);
}

fn arbitrary(out: &mut JsonOut<'_>, t: &Arbitrary<'_>) {
    out.open_token("arbitrary");
    match t.format {
        PrintFormat::Binary => out.string(key!("format"), "binary"),
        PrintFormat::Octal => out.string(key!("format"), "octal"),
        PrintFormat::Decimal => out.string(key!("format"), "decimal"),
        PrintFormat::Hex => out.string(key!("format"), "hex"),
        PrintFormat::String => out.string(key!("format"), "string"),
        PrintFormat::Other(byte) => {
            out.number(concat!(",\"format\":", "{\"other\":").as_bytes(), byte);
            out.raw(b"}");
        }
    }
    let unit = match t.unit {
        DataUnit::Byte => "byte",
        DataUnit::Short => "short",
        DataUnit::Int32 => "int32",
        DataUnit::Int64 => "int64",
    };
    out.string(key!("unit"), unit);
    out.number(key!("count"), t.count);
    out.hex(key!("data"), &t.data);
}

fn uuid(out: &mut JsonOut<'_>, name: &str, t: &Uuid<'_>) {
    out.open_token(name);
    out.number(key!("number"), t.number);
    out.string(key!("uuid"), &format_uuid(&t.uuid));
    out.text(key!("text"), &t.text);
}
