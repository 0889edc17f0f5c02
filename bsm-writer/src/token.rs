//! Typed token constructors, in the spirit of libbsm's `au_to_*`.
//!
//! Each constructor returns the token's bytes ([`EncodedToken`], like
//! libbsm's `token_t`) as bsm-format's encoder writes them, which is
//! libbsm's layout. Strings are C strings, as libbsm writes them: a NUL is
//! appended and counted in the length, and a string that holds a NUL itself
//! is refused (libbsm would cut it there without a word).
//!
//! Headers and trailers are written by [`crate::RecordBuilder::close`]; their
//! constructors here take the record size explicitly, for token streams.

use crate::error::BuildError;
use crate::time::AuditTime;
use bsm_format::{
    Arbitrary, Arg32, Arg64, Attr32, Attr64, AttrSolaris, Bytes, DataUnit, ExecStrings, Exit,
    File32, File64, Groups, Header32, Header32Ex, Header64, Header64Ex, Identity, InAddr, InAddrEx,
    IpHeader, IpPort, Ipc, IpcPerm, NewGroups, OLD_GROUPS_COUNT, Opaque, Path, PrintFormat,
    Privilege, ProcessIds, Return32, Return64, Rights, Sequence, SockInet32, SockInet128, SockUnix,
    Socket, SocketEx, StringList, Subject32, Subject32Ex, Subject64, Subject64Ex, Text, TextToken,
    Token, Trailer, U32List, U64List, Unknown, UseOfPrivilege, Uuid, Zone, encode_token,
    encoded_len, ids,
};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

/// The header version libbsm writes (`AUDIT_HEADER_VERSION_OPENBSM`).
pub const HEADER_VERSION: u8 = 11;

/// The bytes of one token, id first.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EncodedToken {
    bytes: Vec<u8>,
}

impl EncodedToken {
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }
}

/// Encodes `token` with bsm-format's encoder; `name` names it in errors.
fn encode(name: &'static str, token: &Token<'_>) -> Result<EncodedToken, BuildError> {
    let mut bytes = Vec::with_capacity(encoded_len(token));
    encode_token(token, &mut bytes).map_err(|source| BuildError::Encode {
        token: name,
        source,
    })?;
    Ok(EncodedToken { bytes })
}

/// `text` with its NUL terminator, as libbsm's `strlen + 1` writes it.
fn c_string(token: &'static str, field: &'static str, text: &[u8]) -> Result<Vec<u8>, BuildError> {
    if let Some(position) = text.iter().position(|&b| b == 0) {
        return Err(BuildError::InteriorNul {
            token,
            field,
            position,
        });
    }
    let mut raw = Vec::with_capacity(text.len() + 1);
    raw.extend_from_slice(text);
    raw.push(0);
    Ok(raw)
}

/// Strings one after the other, each with its NUL, and their count.
fn c_string_list<S: AsRef<[u8]>>(
    token: &'static str,
    strings: &[S],
) -> Result<(u32, Vec<u8>), BuildError> {
    let count = u32::try_from(strings.len()).map_err(|_| BuildError::Invalid {
        token,
        problem: format!("{} strings exceed the u32 count", strings.len()),
    })?;
    let mut raw = Vec::new();
    for string in strings {
        raw.extend(c_string(token, "string", string.as_ref())?);
    }
    Ok((count, raw))
}

fn u32_time(token: &'static str, time: AuditTime) -> Result<(u32, u32), BuildError> {
    match (
        u32::try_from(time.seconds),
        u32::try_from(time.milliseconds),
    ) {
        (Ok(seconds), Ok(milliseconds)) => Ok((seconds, milliseconds)),
        _ => Err(BuildError::TimeOutOfRange {
            token,
            seconds: time.seconds,
            milliseconds: time.milliseconds,
        }),
    }
}

/// 0x11: a file token naming a trail file (`au_to_file`); `name` may be
/// empty, which auditd writes when the neighbouring trail is unknown.
pub fn file(name: impl AsRef<[u8]>, time: AuditTime) -> Result<EncodedToken, BuildError> {
    let (seconds, milliseconds) = u32_time("file", time)?;
    let name = c_string("file", "name", name.as_ref())?;
    encode(
        "file",
        &Token::File(File32 {
            seconds,
            milliseconds,
            name: Text::from_raw(&name),
        }),
    )
}

/// 0x78: Solaris's file token with 64-bit time.
pub fn other_file64(name: impl AsRef<[u8]>, time: AuditTime) -> Result<EncodedToken, BuildError> {
    let name = c_string("other_file64", "name", name.as_ref())?;
    encode(
        "other_file64",
        &Token::OtherFile64(File64 {
            seconds: time.seconds,
            milliseconds: time.milliseconds,
            name: Text::from_raw(&name),
        }),
    )
}

/// 0x13: the trailer of a record of `size` bytes.
pub fn trailer(size: u32) -> Result<EncodedToken, BuildError> {
    encode(
        "trailer",
        &Token::Trailer(Trailer {
            magic: ids::TRAILER_MAGIC,
            size,
        }),
    )
}

/// 0x14: a 32-bit header for a record of `size` bytes (`au_to_header32_tm`).
pub fn header32(
    size: u32,
    event: u16,
    modifier: u16,
    time: AuditTime,
) -> Result<EncodedToken, BuildError> {
    let (seconds, milliseconds) = u32_time("header32", time)?;
    encode(
        "header32",
        &Token::Header32(Header32 {
            size,
            version: HEADER_VERSION,
            event,
            modifier,
            seconds,
            milliseconds,
        }),
    )
}

/// 0x15: a 32-bit header with the host's address (`au_to_header32_ex_tm`).
pub fn header32_ex(
    size: u32,
    event: u16,
    modifier: u16,
    host: IpAddr,
    time: AuditTime,
) -> Result<EncodedToken, BuildError> {
    let (seconds, milliseconds) = u32_time("header32_ex", time)?;
    encode(
        "header32_ex",
        &Token::Header32Ex(Header32Ex {
            size,
            version: HEADER_VERSION,
            event,
            modifier,
            host,
            seconds,
            milliseconds,
        }),
    )
}

/// 0x74: a 64-bit header (`au_to_header64_tm`).
pub fn header64(
    size: u32,
    event: u16,
    modifier: u16,
    time: AuditTime,
) -> Result<EncodedToken, BuildError> {
    encode(
        "header64",
        &Token::Header64(Header64 {
            size,
            version: HEADER_VERSION,
            event,
            modifier,
            seconds: time.seconds,
            milliseconds: time.milliseconds,
        }),
    )
}

/// 0x79: a 64-bit header with the host's address.
pub fn header64_ex(
    size: u32,
    event: u16,
    modifier: u16,
    host: IpAddr,
    time: AuditTime,
) -> Result<EncodedToken, BuildError> {
    encode(
        "header64_ex",
        &Token::Header64Ex(Header64Ex {
            size,
            version: HEADER_VERSION,
            event,
            modifier,
            host,
            seconds: time.seconds,
            milliseconds: time.milliseconds,
        }),
    )
}

/// 0x21: arbitrary data (`au_to_data`), each value written big-endian in
/// `unit`'s width. Unlike libbsm, which copies host-order memory, this
/// writes what readers decode.
pub fn arbitrary(
    format: PrintFormat,
    unit: DataUnit,
    values: &[u64],
) -> Result<EncodedToken, BuildError> {
    let count = u8::try_from(values.len()).map_err(|_| BuildError::Invalid {
        token: "arbitrary",
        problem: format!("{} values exceed the u8 count", values.len()),
    })?;
    let width = unit.size();
    let mut data = Vec::with_capacity(values.len() * width);
    for &value in values {
        let fits = width == 8 || value >> (8 * width) == 0;
        if !fits {
            return Err(BuildError::Invalid {
                token: "arbitrary",
                problem: format!("value {value} does not fit a {width}-byte unit"),
            });
        }
        data.extend_from_slice(&value.to_be_bytes()[8 - width..]);
    }
    encode(
        "arbitrary",
        &Token::Arbitrary(Arbitrary {
            format,
            unit,
            count,
            data: Bytes(&data),
        }),
    )
}

/// 0x22: a System V IPC object (`au_to_ipc`); `ipc_type` is 1 message
/// queue, 2 semaphore, 3 shared memory.
pub fn ipc(ipc_type: u8, id: u32) -> Result<EncodedToken, BuildError> {
    encode("ipc", &Token::Ipc(Ipc { ipc_type, id }))
}

/// 0x23: a path (`au_to_path`).
pub fn path(path: impl AsRef<[u8]>) -> Result<EncodedToken, BuildError> {
    let raw = c_string("path", "path", path.as_ref())?;
    encode(
        "path",
        &Token::Path(Path {
            path: Text::from_raw(&raw),
        }),
    )
}

/// 0x24: the subject of the event, terminal port 32-bit, IPv4 terminal
/// address (`au_to_subject32`).
pub fn subject32(ids: ProcessIds, port: u32, addr: Ipv4Addr) -> Result<EncodedToken, BuildError> {
    encode(
        "subject32",
        &Token::Subject32(Subject32 { ids, port, addr }),
    )
}

/// 0x26: the process the event acts on (`au_to_process32`).
pub fn process32(ids: ProcessIds, port: u32, addr: Ipv4Addr) -> Result<EncodedToken, BuildError> {
    encode(
        "process32",
        &Token::Process32(Subject32 { ids, port, addr }),
    )
}

/// 0x75: as [`subject32`] with a 64-bit terminal port.
pub fn subject64(ids: ProcessIds, port: u64, addr: Ipv4Addr) -> Result<EncodedToken, BuildError> {
    encode(
        "subject64",
        &Token::Subject64(Subject64 { ids, port, addr }),
    )
}

/// 0x77: as [`process32`] with a 64-bit terminal port.
pub fn process64(ids: ProcessIds, port: u64, addr: Ipv4Addr) -> Result<EncodedToken, BuildError> {
    encode(
        "process64",
        &Token::Process64(Subject64 { ids, port, addr }),
    )
}

/// 0x7a: the subject with an IPv4 or IPv6 terminal address
/// (`au_to_subject32_ex`).
pub fn subject32_ex(ids: ProcessIds, port: u32, addr: IpAddr) -> Result<EncodedToken, BuildError> {
    encode(
        "subject32_ex",
        &Token::Subject32Ex(Subject32Ex { ids, port, addr }),
    )
}

/// 0x7b: the target process with an IPv4 or IPv6 terminal address.
pub fn process32_ex(ids: ProcessIds, port: u32, addr: IpAddr) -> Result<EncodedToken, BuildError> {
    encode(
        "process32_ex",
        &Token::Process32Ex(Subject32Ex { ids, port, addr }),
    )
}

/// 0x7c: as [`subject32_ex`] with a 64-bit terminal port.
pub fn subject64_ex(ids: ProcessIds, port: u64, addr: IpAddr) -> Result<EncodedToken, BuildError> {
    encode(
        "subject64_ex",
        &Token::Subject64Ex(Subject64Ex { ids, port, addr }),
    )
}

/// 0x7d: as [`process32_ex`] with a 64-bit terminal port.
pub fn process64_ex(ids: ProcessIds, port: u64, addr: IpAddr) -> Result<EncodedToken, BuildError> {
    encode(
        "process64_ex",
        &Token::Process64Ex(Subject64Ex { ids, port, addr }),
    )
}

/// 0x27: the outcome (`au_to_return32`); `status` is a BSM errno (0 is
/// success; see `bsm_format::tables::errno::from_linux`).
pub fn return32(status: u8, value: u32) -> Result<EncodedToken, BuildError> {
    encode("return32", &Token::Return32(Return32 { status, value }))
}

/// 0x72: the outcome with a 64-bit value (`au_to_return64`).
pub fn return64(status: u8, value: u64) -> Result<EncodedToken, BuildError> {
    encode("return64", &Token::Return64(Return64 { status, value }))
}

/// 0x28: free text (`au_to_text`).
pub fn text(text: impl AsRef<[u8]>) -> Result<EncodedToken, BuildError> {
    let raw = c_string("text", "text", text.as_ref())?;
    encode(
        "text",
        &Token::Text(TextToken {
            text: Text::from_raw(&raw),
        }),
    )
}

/// 0x29: opaque bytes (`au_to_opaque`), written as they are.
pub fn opaque(data: &[u8]) -> Result<EncodedToken, BuildError> {
    encode("opaque", &Token::Opaque(Opaque { data: Bytes(data) }))
}

/// 0x2a: an IPv4 address (`au_to_in_addr`).
pub fn in_addr(addr: Ipv4Addr) -> Result<EncodedToken, BuildError> {
    encode("in_addr", &Token::InAddr(InAddr { addr }))
}

/// 0x7e: an address with its type (`au_to_in_addr_ex`).
pub fn in_addr_ex(addr: IpAddr) -> Result<EncodedToken, BuildError> {
    encode("in_addr_ex", &Token::InAddrEx(InAddrEx { addr }))
}

/// 0x2b: an IPv4 header (`au_to_ip`).
pub fn ip(header: IpHeader) -> Result<EncodedToken, BuildError> {
    encode("ip", &Token::Ip(header))
}

/// 0x2c: an IP port (`au_to_iport`), the u16 written big-endian. libbsm's
/// callers pass the port already in network order, so on a little-endian
/// host port 80 appears as 0x5000: pass `port.to_be()` to match that.
pub fn ip_port(port: u16) -> Result<EncodedToken, BuildError> {
    encode("ip_port", &Token::IpPort(IpPort { port }))
}

/// 0x2d: a system-call argument (`au_to_arg32`).
pub fn arg32(number: u8, text: impl AsRef<[u8]>, value: u32) -> Result<EncodedToken, BuildError> {
    let raw = c_string("arg32", "text", text.as_ref())?;
    encode(
        "arg32",
        &Token::Arg32(Arg32 {
            number,
            value,
            text: Text::from_raw(&raw),
        }),
    )
}

/// 0x71: a 64-bit system-call argument (`au_to_arg64`).
pub fn arg64(number: u8, text: impl AsRef<[u8]>, value: u64) -> Result<EncodedToken, BuildError> {
    let raw = c_string("arg64", "text", text.as_ref())?;
    encode(
        "arg64",
        &Token::Arg64(Arg64 {
            number,
            value,
            text: Text::from_raw(&raw),
        }),
    )
}

/// 0x2e: an IPv4 socket's type and both ends.
pub fn socket(
    socket_type: u16,
    local: SocketAddrV4,
    remote: SocketAddrV4,
) -> Result<EncodedToken, BuildError> {
    encode(
        "socket",
        &Token::Socket(Socket {
            socket_type,
            local_port: local.port(),
            local_addr: *local.ip(),
            remote_port: remote.port(),
            remote_addr: *remote.ip(),
        }),
    )
}

/// 0x7f: a socket's BSM domain and type and both ends (`au_to_socket_ex`,
/// whose caller converts domain and type to BSM values, as
/// `bsm_format::tables::socket` does). Both ends must be of one family.
pub fn socket_ex(
    domain: u16,
    socket_type: u16,
    local: SocketAddr,
    remote: SocketAddr,
) -> Result<EncodedToken, BuildError> {
    encode(
        "socket_ex",
        &Token::SocketEx(SocketEx {
            domain,
            socket_type,
            local_port: local.port(),
            local_addr: local.ip(),
            remote_port: remote.port(),
            remote_addr: remote.ip(),
        }),
    )
}

/// 0x80: an IPv4 socket address (`au_to_sock_inet32`); `family` is written
/// as given, which libbsm takes unconverted from `sin_family`.
pub fn sock_inet32(family: u16, addr: SocketAddrV4) -> Result<EncodedToken, BuildError> {
    encode(
        "sock_inet32",
        &Token::SockInet32(SockInet32 {
            family,
            port: addr.port(),
            addr: *addr.ip(),
        }),
    )
}

/// 0x81: an IPv6 socket address (`au_to_sock_inet128`).
pub fn sock_inet128(family: u16, addr: SocketAddrV6) -> Result<EncodedToken, BuildError> {
    encode(
        "sock_inet128",
        &Token::SockInet128(SockInet128 {
            family,
            port: addr.port(),
            addr: *addr.ip(),
        }),
    )
}

/// 0x82: a Unix-domain socket path (`au_to_sock_unix`).
pub fn sock_unix(family: u16, path: impl AsRef<[u8]>) -> Result<EncodedToken, BuildError> {
    let raw = c_string("sock_unix", "path", path.as_ref())?;
    encode(
        "sock_unix",
        &Token::SockUnix(SockUnix {
            family,
            path: Text::from_raw(&raw),
        }),
    )
}

/// 0x2f: a sequence number (`au_to_seq`).
pub fn sequence(sequence: u32) -> Result<EncodedToken, BuildError> {
    encode("sequence", &Token::Sequence(Sequence { sequence }))
}

/// 0x32: System V IPC permissions (`au_to_ipc_perm`).
pub fn ipc_perm(perm: IpcPerm) -> Result<EncodedToken, BuildError> {
    encode("ipc_perm", &Token::IpcPerm(perm))
}

/// 0x38: a privilege set (`au_to_privset`).
pub fn privilege(
    set: impl AsRef<[u8]>,
    privileges: impl AsRef<[u8]>,
) -> Result<EncodedToken, BuildError> {
    let set = c_string("privilege", "set", set.as_ref())?;
    let privileges = c_string("privilege", "privileges", privileges.as_ref())?;
    encode(
        "privilege",
        &Token::Privilege(Privilege {
            set: Text::from_raw(&set),
            privileges: Text::from_raw(&privileges),
        }),
    )
}

/// 0x39: use of a privilege (`au_to_upriv`); `success` is 1 if it was
/// granted, 0 if not.
pub fn use_of_privilege(
    success: u8,
    privilege: impl AsRef<[u8]>,
) -> Result<EncodedToken, BuildError> {
    let raw = c_string("use_of_privilege", "privilege", privilege.as_ref())?;
    encode(
        "use_of_privilege",
        &Token::UseOfPrivilege(UseOfPrivilege {
            success,
            privilege: Text::from_raw(&raw),
        }),
    )
}

fn gid_bytes(gids: &[u32]) -> Vec<u8> {
    gids.iter().flat_map(|gid| gid.to_be_bytes()).collect()
}

/// 0x3b: the group list (`au_to_newgroups`), at most 65535 gids.
pub fn groups(gids: &[u32]) -> Result<EncodedToken, BuildError> {
    let raw = gid_bytes(gids);
    encode(
        "groups",
        &Token::NewGroups(NewGroups {
            gids: U32List::from_raw(&raw),
        }),
    )
}

/// 0x34: the old Solaris group token of exactly 16 gids.
pub fn old_groups(gids: &[u32; OLD_GROUPS_COUNT]) -> Result<EncodedToken, BuildError> {
    let raw = gid_bytes(gids);
    encode(
        "old_groups",
        &Token::Groups(Groups {
            gids: U32List::from_raw(&raw),
        }),
    )
}

/// 0x3c: the arguments of an exec (`au_to_exec_args`).
pub fn exec_args<S: AsRef<[u8]>>(args: &[S]) -> Result<EncodedToken, BuildError> {
    let (count, raw) = c_string_list("exec_args", args)?;
    encode(
        "exec_args",
        &Token::ExecArgs(ExecStrings {
            strings: StringList::from_raw(count, &raw),
        }),
    )
}

/// 0x3d: the environment of an exec (`au_to_exec_env`).
pub fn exec_env<S: AsRef<[u8]>>(env: &[S]) -> Result<EncodedToken, BuildError> {
    let (count, raw) = c_string_list("exec_env", env)?;
    encode(
        "exec_env",
        &Token::ExecEnv(ExecStrings {
            strings: StringList::from_raw(count, &raw),
        }),
    )
}

/// 0x3e: file attributes with a 32-bit device (`au_to_attr32`).
pub fn attr32(attr: Attr32) -> Result<EncodedToken, BuildError> {
    encode("attr32", &Token::Attr32(attr))
}

/// 0x73: file attributes with a 64-bit device (`au_to_attr64`).
pub fn attr64(attr: Attr64) -> Result<EncodedToken, BuildError> {
    encode("attr64", &Token::Attr64(attr))
}

/// 0x31: Solaris's pre-7 attribute token, all fields 32-bit.
pub fn attr_solaris(attr: AttrSolaris) -> Result<EncodedToken, BuildError> {
    encode("attr_solaris", &Token::Attr(attr))
}

/// 0x52: a process's exit (`au_to_exit`: the status, then the return value).
pub fn exit(status: u32, value: u32) -> Result<EncodedToken, BuildError> {
    encode("exit", &Token::Exit(Exit { status, value }))
}

/// 0x60: a zone name (`au_to_zonename`).
pub fn zone(name: impl AsRef<[u8]>) -> Result<EncodedToken, BuildError> {
    let raw = c_string("zone", "name", name.as_ref())?;
    encode(
        "zone",
        &Token::Zone(Zone {
            zone: Text::from_raw(&raw),
        }),
    )
}

/// 0x84: an argument that is a UUID (`au_to_arg_uuid`).
pub fn arg_uuid(
    number: u8,
    uuid: [u8; 16],
    text: impl AsRef<[u8]>,
) -> Result<EncodedToken, BuildError> {
    let raw = c_string("arg_uuid", "text", text.as_ref())?;
    encode(
        "arg_uuid",
        &Token::ArgUuid(Uuid {
            number,
            uuid,
            text: Text::from_raw(&raw),
        }),
    )
}

/// 0x85: a return value that is a UUID (`au_to_ret_uuid`).
pub fn ret_uuid(
    number: u8,
    uuid: [u8; 16],
    text: impl AsRef<[u8]>,
) -> Result<EncodedToken, BuildError> {
    let raw = c_string("ret_uuid", "text", text.as_ref())?;
    encode(
        "ret_uuid",
        &Token::RetUuid(Uuid {
            number,
            uuid,
            text: Text::from_raw(&raw),
        }),
    )
}

/// 0x83: FreeBSD Capsicum rights; the word count must match the version in
/// the first word's top bits.
pub fn rights(words: &[u64]) -> Result<EncodedToken, BuildError> {
    let raw: Vec<u8> = words.iter().flat_map(|word| word.to_be_bytes()).collect();
    encode(
        "rights",
        &Token::Rights(Rights {
            words: U64List::from_raw(&raw),
        }),
    )
}

/// A macOS code-signing identity, the fields of the 0xed token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeSigningIdentity<'a> {
    pub signer_type: u32,
    pub signing_id: &'a [u8],
    pub signing_id_truncated: u8,
    pub team_id: &'a [u8],
    pub team_id_truncated: u8,
    pub cdhash: &'a [u8],
}

/// 0xed: a macOS code-signing identity, as XNU writes it; the ids are C
/// strings, the cdhash raw bytes.
pub fn identity(identity: &CodeSigningIdentity<'_>) -> Result<EncodedToken, BuildError> {
    let signing_id = c_string("identity", "signing id", identity.signing_id)?;
    let team_id = c_string("identity", "team id", identity.team_id)?;
    encode(
        "identity",
        &Token::Identity(Identity {
            signer_type: identity.signer_type,
            signing_id: Text::from_raw(&signing_id),
            signing_id_truncated: identity.signing_id_truncated,
            team_id: Text::from_raw(&team_id),
            team_id_truncated: identity.team_id_truncated,
            cdhash: Bytes(identity.cdhash),
        }),
    )
}

/// A token of an id no reader decodes: the id, then `bytes` as they are.
/// Ids of known tokens are refused.
pub fn unknown(id: u8, bytes: &[u8]) -> Result<EncodedToken, BuildError> {
    encode(
        "unknown",
        &Token::Unknown(Unknown {
            id,
            bytes: Bytes(bytes),
        }),
    )
}
