//! One token as a JSON object: `{"token":"NAME",FIELDS…}`, with the names
//! and values of bsm-format's serde serialisation (the tests hold the two
//! equal byte for byte).

use bsm_format::{
    Arbitrary, DataUnit, Header32, Header32Ex, Header64, Header64Ex, PrintFormat, ProcessIds,
    Token, Uuid, format_uuid,
};

use super::out::{JsonOut, key};

pub(super) fn write_token(out: &mut JsonOut<'_>, token: &Token<'_>) {
    match token {
        Token::File(t) => {
            out.open_token("file");
            out.number(key!("seconds"), t.seconds);
            out.number(key!("milliseconds"), t.milliseconds);
            out.text(key!("name"), &t.name);
        }
        Token::OtherFile64(t) => {
            out.open_token("other_file64");
            out.number(key!("seconds"), t.seconds);
            out.number(key!("milliseconds"), t.milliseconds);
            out.text(key!("name"), &t.name);
        }
        Token::Trailer(t) => {
            out.open_token("trailer");
            out.number(key!("magic"), t.magic);
            out.number(key!("size"), t.size);
        }
        Token::Header32(t) => header32(out, t),
        Token::Header32Ex(t) => header32_ex(out, t),
        Token::Header64(t) => header64(out, t),
        Token::Header64Ex(t) => header64_ex(out, t),
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
        Token::Return32(t) => {
            out.open_token("return32");
            out.number(key!("status"), t.status);
            out.number(key!("value"), t.value);
        }
        Token::Return64(t) => {
            out.open_token("return64");
            out.number(key!("status"), t.status);
            out.number(key!("value"), t.value);
        }
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
        Token::Arg32(t) => {
            out.open_token("arg32");
            out.number(key!("number"), t.number);
            out.number(key!("value"), t.value);
            out.text(key!("text"), &t.text);
        }
        Token::Arg64(t) => {
            out.open_token("arg64");
            out.number(key!("number"), t.number);
            out.number(key!("value"), t.value);
            out.text(key!("text"), &t.text);
        }
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
        Token::Attr32(t) => {
            out.open_token("attr32");
            out.number(key!("mode"), t.mode);
            out.number(key!("uid"), t.uid);
            out.number(key!("gid"), t.gid);
            out.number(key!("fsid"), t.fsid);
            out.number(key!("node_id"), t.node_id);
            out.number(key!("device"), t.device);
        }
        Token::Attr64(t) => {
            out.open_token("attr64");
            out.number(key!("mode"), t.mode);
            out.number(key!("uid"), t.uid);
            out.number(key!("gid"), t.gid);
            out.number(key!("fsid"), t.fsid);
            out.number(key!("node_id"), t.node_id);
            out.number(key!("device"), t.device);
        }
        Token::Attr(t) => {
            out.open_token("attr");
            out.number(key!("mode"), t.mode);
            out.number(key!("uid"), t.uid);
            out.number(key!("gid"), t.gid);
            out.number(key!("fsid"), t.fsid);
            out.number(key!("node_id"), t.node_id);
            out.number(key!("device"), t.device);
        }
        Token::Exit(t) => {
            out.open_token("exit");
            out.number(key!("status"), t.status);
            out.number(key!("value"), t.value);
        }
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

fn process_ids(out: &mut JsonOut<'_>, ids: &ProcessIds) {
    out.number(key!("auid"), ids.auid);
    out.number(key!("euid"), ids.euid);
    out.number(key!("egid"), ids.egid);
    out.number(key!("ruid"), ids.ruid);
    out.number(key!("rgid"), ids.rgid);
    out.number(key!("pid"), ids.pid);
    out.number(key!("sid"), ids.sid);
}

/// The fields every header form starts with.
fn header_start(
    out: &mut JsonOut<'_>,
    name: &str,
    size: u32,
    version: u8,
    event: u16,
    modifier: u16,
) {
    out.open_token(name);
    out.number(key!("size"), size);
    out.number(key!("version"), version);
    out.number(key!("event"), event);
    out.number(key!("modifier"), modifier);
}

fn header32(out: &mut JsonOut<'_>, t: &Header32) {
    header_start(out, "header32", t.size, t.version, t.event, t.modifier);
    out.number(key!("seconds"), t.seconds);
    out.number(key!("milliseconds"), t.milliseconds);
}

fn header32_ex(out: &mut JsonOut<'_>, t: &Header32Ex) {
    header_start(out, "header32_ex", t.size, t.version, t.event, t.modifier);
    out.ip(key!("host"), t.host);
    out.number(key!("seconds"), t.seconds);
    out.number(key!("milliseconds"), t.milliseconds);
}

fn header64(out: &mut JsonOut<'_>, t: &Header64) {
    header_start(out, "header64", t.size, t.version, t.event, t.modifier);
    out.number(key!("seconds"), t.seconds);
    out.number(key!("milliseconds"), t.milliseconds);
}

fn header64_ex(out: &mut JsonOut<'_>, t: &Header64Ex) {
    header_start(out, "header64_ex", t.size, t.version, t.event, t.modifier);
    out.ip(key!("host"), t.host);
    out.number(key!("seconds"), t.seconds);
    out.number(key!("milliseconds"), t.milliseconds);
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
