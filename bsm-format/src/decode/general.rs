//! The general decoder: every token id, with nom, and the exact error
//! (token id, byte offset, what was missing) for damaged input.
//!
//! Every parser borrows from the input. The number parsers are nom's
//! streaming ones, so running out of input says how many bytes were missing:
//! exactly for fixed-size tokens, at least that many for the others.

use crate::bytes_view::{Bytes, StringList, Text, U32List, U64List};
use crate::error::{Error, ErrorKind, Result};
use crate::ids;
use crate::token::*;
use nom::bytes::streaming::take;
use nom::error::{ErrorKind as NomKind, ParseError};
use nom::number::streaming::{be_u8, be_u16, be_u32, be_u64};
use nom::{Err as NomErr, IResult, Needed};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Why a parser stopped, before the token's offset is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    Short,
    AddressType(u32),
    DataUnit(u8),
    MissingNul,
}

impl<I> ParseError<I> for Fault {
    fn from_error_kind(_: I, _: NomKind) -> Self {
        Fault::Short
    }

    fn append(_: I, _: NomKind, other: Self) -> Self {
        other
    }
}

type PResult<'a, T> = IResult<&'a [u8], T, Fault>;

fn fail<T>(fault: Fault) -> PResult<'static, T> {
    Err(NomErr::Failure(fault))
}

/// Every token id, and the exact error for damaged input.
#[inline(never)]
pub(crate) fn decode_token_general(input: &[u8]) -> Result<(Token<'_>, usize)> {
    let Some((&id, body)) = input.split_first() else {
        return Err(Error::new(ErrorKind::Truncated { needed: 1 }, None, 0));
    };
    match token_body(id, body) {
        Ok((rest, token)) => Ok((token, input.len() - rest.len())),
        Err(err) => {
            let kind = match to_error_kind(err) {
                // nom knows what the field being read lacks; a fixed-size
                // token's whole length says what the token lacks.
                ErrorKind::Truncated { needed } => ErrorKind::Truncated {
                    needed: fixed_body_len(id)
                        .map_or(needed, |len| needed.max(1 + len - input.len().min(1 + len))),
                },
                kind => kind,
            };
            Err(Error::new(kind, Some(id), 0))
        }
    }
}

/// The length after the id of tokens whose layout has no variable part.
const fn fixed_body_len(id: u8) -> Option<usize> {
    Some(match id {
        ids::TRAILER => 6,
        ids::HEADER32 => 17,
        ids::HEADER64 => 25,
        ids::IPC => 5,
        ids::SUBJECT32 | ids::PROCESS32 => 36,
        ids::SUBJECT64 | ids::PROCESS64 => 40,
        ids::RETURN32 => 5,
        ids::RETURN64 => 9,
        ids::IN_ADDR => 4,
        ids::IP => 20,
        ids::IP_PORT => 2,
        ids::SOCKET => 14,
        ids::SOCK_INET32 => 8,
        ids::SOCK_INET128 => 20,
        ids::SEQUENCE => 4,
        ids::IPC_PERM => 28,
        ids::ATTR32 => 28,
        ids::ATTR64 => 32,
        ids::ATTR => 24,
        ids::EXIT => 8,
        ids::GROUPS => 64,
        _ => return None,
    })
}

fn to_error_kind(err: NomErr<Fault>) -> ErrorKind {
    match err {
        NomErr::Incomplete(Needed::Size(n)) => ErrorKind::Truncated { needed: n.get() },
        NomErr::Incomplete(Needed::Unknown) => ErrorKind::Truncated { needed: 1 },
        NomErr::Error(fault) | NomErr::Failure(fault) => match fault {
            Fault::Short => ErrorKind::Truncated { needed: 1 },
            Fault::AddressType(t) => ErrorKind::AddressType(t),
            Fault::DataUnit(u) => ErrorKind::DataUnit(u),
            Fault::MissingNul => ErrorKind::MissingNul,
        },
    }
}

fn token_body(id: u8, i: &[u8]) -> PResult<'_, Token<'_>> {
    match id {
        ids::FILE => file32(i),
        ids::OTHER_FILE64 => file64(i),
        ids::TRAILER => trailer(i),
        ids::HEADER32 => header32(i),
        ids::HEADER32_EX => header32_ex(i),
        ids::HEADER64 => header64(i),
        ids::HEADER64_EX => header64_ex(i),
        ids::ARBITRARY => arbitrary(i),
        ids::IPC => ipc(i),
        ids::PATH => wrap(text(i), |path| Token::Path(Path { path })),
        ids::SUBJECT32 => wrap(subject32(i), Token::Subject32),
        ids::PROCESS32 => wrap(subject32(i), Token::Process32),
        ids::SUBJECT64 => wrap(subject64(i), Token::Subject64),
        ids::PROCESS64 => wrap(subject64(i), Token::Process64),
        ids::SUBJECT32_EX => wrap(subject32_ex(i), Token::Subject32Ex),
        ids::PROCESS32_EX => wrap(subject32_ex(i), Token::Process32Ex),
        ids::SUBJECT64_EX => wrap(subject64_ex(i), Token::Subject64Ex),
        ids::PROCESS64_EX => wrap(subject64_ex(i), Token::Process64Ex),
        ids::RETURN32 => return32(i),
        ids::RETURN64 => return64(i),
        ids::TEXT => wrap(text(i), |text| Token::Text(TextToken { text })),
        ids::OPAQUE => wrap(counted(i), |data| {
            Token::Opaque(Opaque { data: Bytes(data) })
        }),
        ids::IN_ADDR => wrap(ipv4(i), |addr| Token::InAddr(InAddr { addr })),
        ids::IN_ADDR_EX => wrap(address_ex(i), |addr| Token::InAddrEx(InAddrEx { addr })),
        ids::IP => ip_header(i),
        ids::IP_PORT => wrap(be_u16(i), |port| Token::IpPort(IpPort { port })),
        ids::ARG32 => arg32(i),
        ids::ARG64 => arg64(i),
        ids::SOCKET => socket(i),
        ids::SOCKET_EX => socket_ex(i),
        ids::SOCK_INET32 => sock_inet32(i),
        ids::SOCK_INET128 => sock_inet128(i),
        ids::SOCK_UNIX => sock_unix(i),
        ids::SEQUENCE => wrap(be_u32(i), |sequence| Token::Sequence(Sequence { sequence })),
        ids::IPC_PERM => ipc_perm(i),
        ids::PRIVILEGE => privilege(i),
        ids::USE_OF_PRIVILEGE => use_of_privilege(i),
        ids::NEW_GROUPS => new_groups(i),
        ids::GROUPS => wrap(take(4 * OLD_GROUPS_COUNT)(i), |raw| {
            Token::Groups(Groups {
                gids: U32List::from_raw(raw),
            })
        }),
        ids::EXEC_ARGS => wrap(string_list(i), |strings| {
            Token::ExecArgs(ExecStrings { strings })
        }),
        ids::EXEC_ENV => wrap(string_list(i), |strings| {
            Token::ExecEnv(ExecStrings { strings })
        }),
        ids::ATTR32 => attr32(i),
        ids::ATTR64 => attr64(i),
        ids::ATTR => attr_solaris(i),
        ids::EXIT => exit(i),
        ids::ZONE => wrap(text(i), |zone| Token::Zone(Zone { zone })),
        ids::ARG_UUID => wrap(uuid(i), Token::ArgUuid),
        ids::RET_UUID => wrap(uuid(i), Token::RetUuid),
        ids::RIGHTS => rights(i),
        ids::IDENTITY => identity(i),
        id => Ok((
            &i[i.len()..],
            Token::Unknown(Unknown {
                id,
                bytes: Bytes(i),
            }),
        )),
    }
}

fn wrap<'a, T, U>(result: PResult<'a, T>, f: impl FnOnce(T) -> U) -> PResult<'a, U> {
    result.map(|(rest, value)| (rest, f(value)))
}

/// `len u16, bytes[len]`.
fn counted(i: &[u8]) -> PResult<'_, &[u8]> {
    let (i, len) = be_u16(i)?;
    take(len)(i)
}

fn text(i: &[u8]) -> PResult<'_, Text<'_>> {
    wrap(counted(i), Text::from_raw)
}

fn ipv4(i: &[u8]) -> PResult<'_, Ipv4Addr> {
    wrap(be_u32(i), Ipv4Addr::from)
}

fn ipv6(i: &[u8]) -> PResult<'_, Ipv6Addr> {
    let (i, raw) = take(16usize)(i)?;
    let mut octets = [0u8; 16];
    octets.copy_from_slice(raw);
    Ok((i, Ipv6Addr::from(octets)))
}

/// An address whose family is given by an address-type value (4 or 16).
fn address_of_type(i: &[u8], adtype: u32) -> PResult<'_, IpAddr> {
    match adtype {
        ids::AU_IPV4 => wrap(ipv4(i), IpAddr::V4),
        ids::AU_IPV6 => wrap(ipv6(i), IpAddr::V6),
        other => fail(Fault::AddressType(other)),
    }
}

/// `adtype u32, addr[adtype]`.
fn address_ex(i: &[u8]) -> PResult<'_, IpAddr> {
    let (i, adtype) = be_u32(i)?;
    address_of_type(i, adtype)
}

/// Bytes up to and including the first NUL.
fn nul_terminated(i: &[u8]) -> PResult<'_, &[u8]> {
    match i.iter().position(|&b| b == 0) {
        Some(end) => Ok((&i[end + 1..], &i[..=end])),
        None => fail(Fault::MissingNul),
    }
}

fn file32(i: &[u8]) -> PResult<'_, Token<'_>> {
    let (i, seconds) = be_u32(i)?;
    let (i, milliseconds) = be_u32(i)?;
    let (i, name) = text(i)?;
    Ok((
        i,
        Token::File(File32 {
            seconds,
            milliseconds,
            name,
        }),
    ))
}

fn file64(i: &[u8]) -> PResult<'_, Token<'_>> {
    let (i, seconds) = be_u64(i)?;
    let (i, milliseconds) = be_u64(i)?;
    let (i, name) = text(i)?;
    Ok((
        i,
        Token::OtherFile64(File64 {
            seconds,
            milliseconds,
            name,
        }),
    ))
}

fn trailer(i: &[u8]) -> PResult<'_, Token<'_>> {
    let (i, magic) = be_u16(i)?;
    let (i, size) = be_u32(i)?;
    Ok((i, Token::Trailer(Trailer { magic, size })))
}

/// `size u32, version u8, event u16, modifier u16`: the start of every header.
fn header_start(i: &[u8]) -> PResult<'_, (u32, u8, u16, u16)> {
    let (i, size) = be_u32(i)?;
    let (i, version) = be_u8(i)?;
    let (i, event) = be_u16(i)?;
    let (i, modifier) = be_u16(i)?;
    Ok((i, (size, version, event, modifier)))
}

fn header32(i: &[u8]) -> PResult<'_, Token<'_>> {
    let (i, (size, version, event, modifier)) = header_start(i)?;
    let (i, seconds) = be_u32(i)?;
    let (i, milliseconds) = be_u32(i)?;
    Ok((
        i,
        Token::Header32(Header32 {
            size,
            version,
            event,
            modifier,
            seconds,
            milliseconds,
        }),
    ))
}

fn header32_ex(i: &[u8]) -> PResult<'_, Token<'_>> {
    let (i, (size, version, event, modifier)) = header_start(i)?;
    let (i, host) = address_ex(i)?;
    let (i, seconds) = be_u32(i)?;
    let (i, milliseconds) = be_u32(i)?;
    Ok((
        i,
        Token::Header32Ex(Header32Ex {
            size,
            version,
            event,
            modifier,
            host,
            seconds,
            milliseconds,
        }),
    ))
}

fn header64(i: &[u8]) -> PResult<'_, Token<'_>> {
    let (i, (size, version, event, modifier)) = header_start(i)?;
    let (i, seconds) = be_u64(i)?;
    let (i, milliseconds) = be_u64(i)?;
    Ok((
        i,
        Token::Header64(Header64 {
            size,
            version,
            event,
            modifier,
            seconds,
            milliseconds,
        }),
    ))
}

fn header64_ex(i: &[u8]) -> PResult<'_, Token<'_>> {
    let (i, (size, version, event, modifier)) = header_start(i)?;
    let (i, host) = address_ex(i)?;
    let (i, seconds) = be_u64(i)?;
    let (i, milliseconds) = be_u64(i)?;
    Ok((
        i,
        Token::Header64Ex(Header64Ex {
            size,
            version,
            event,
            modifier,
            host,
            seconds,
            milliseconds,
        }),
    ))
}

fn arbitrary(i: &[u8]) -> PResult<'_, Token<'_>> {
    let (i, format) = be_u8(i)?;
    let (i, unit_byte) = be_u8(i)?;
    let Some(unit) = DataUnit::from_byte(unit_byte) else {
        return fail(Fault::DataUnit(unit_byte));
    };
    let (i, count) = be_u8(i)?;
    let (i, data) = take(usize::from(count) * unit.size())(i)?;
    Ok((
        i,
        Token::Arbitrary(Arbitrary {
            format: PrintFormat::from_byte(format),
            unit,
            count,
            data: Bytes(data),
        }),
    ))
}

fn ipc(i: &[u8]) -> PResult<'_, Token<'_>> {
    let (i, ipc_type) = be_u8(i)?;
    let (i, id) = be_u32(i)?;
    Ok((i, Token::Ipc(Ipc { ipc_type, id })))
}

fn process_ids(i: &[u8]) -> PResult<'_, ProcessIds> {
    let (i, auid) = be_u32(i)?;
    let (i, euid) = be_u32(i)?;
    let (i, egid) = be_u32(i)?;
    let (i, ruid) = be_u32(i)?;
    let (i, rgid) = be_u32(i)?;
    let (i, pid) = be_u32(i)?;
    let (i, sid) = be_u32(i)?;
    Ok((
        i,
        ProcessIds {
            auid,
            euid,
            egid,
            ruid,
            rgid,
            pid,
            sid,
        },
    ))
}

fn subject32(i: &[u8]) -> PResult<'_, Subject32> {
    let (i, ids) = process_ids(i)?;
    let (i, port) = be_u32(i)?;
    let (i, addr) = ipv4(i)?;
    Ok((i, Subject32 { ids, port, addr }))
}

fn subject64(i: &[u8]) -> PResult<'_, Subject64> {
    let (i, ids) = process_ids(i)?;
    let (i, port) = be_u64(i)?;
    let (i, addr) = ipv4(i)?;
    Ok((i, Subject64 { ids, port, addr }))
}

fn subject32_ex(i: &[u8]) -> PResult<'_, Subject32Ex> {
    let (i, ids) = process_ids(i)?;
    let (i, port) = be_u32(i)?;
    let (i, addr) = address_ex(i)?;
    Ok((i, Subject32Ex { ids, port, addr }))
}

fn subject64_ex(i: &[u8]) -> PResult<'_, Subject64Ex> {
    let (i, ids) = process_ids(i)?;
    let (i, port) = be_u64(i)?;
    let (i, addr) = address_ex(i)?;
    Ok((i, Subject64Ex { ids, port, addr }))
}

fn return32(i: &[u8]) -> PResult<'_, Token<'_>> {
    let (i, status) = be_u8(i)?;
    let (i, value) = be_u32(i)?;
    Ok((i, Token::Return32(Return32 { status, value })))
}

fn return64(i: &[u8]) -> PResult<'_, Token<'_>> {
    let (i, status) = be_u8(i)?;
    let (i, value) = be_u64(i)?;
    Ok((i, Token::Return64(Return64 { status, value })))
}

fn ip_header(i: &[u8]) -> PResult<'_, Token<'_>> {
    let (i, version) = be_u8(i)?;
    let (i, tos) = be_u8(i)?;
    let (i, length) = be_u16(i)?;
    let (i, id) = be_u16(i)?;
    let (i, offset) = be_u16(i)?;
    let (i, ttl) = be_u8(i)?;
    let (i, protocol) = be_u8(i)?;
    let (i, checksum) = be_u16(i)?;
    let (i, source) = ipv4(i)?;
    let (i, destination) = ipv4(i)?;
    Ok((
        i,
        Token::Ip(IpHeader {
            version,
            tos,
            length,
            id,
            offset,
            ttl,
            protocol,
            checksum,
            source,
            destination,
        }),
    ))
}

fn arg32(i: &[u8]) -> PResult<'_, Token<'_>> {
    let (i, number) = be_u8(i)?;
    let (i, value) = be_u32(i)?;
    let (i, text) = text(i)?;
    Ok((
        i,
        Token::Arg32(Arg32 {
            number,
            value,
            text,
        }),
    ))
}

fn arg64(i: &[u8]) -> PResult<'_, Token<'_>> {
    let (i, number) = be_u8(i)?;
    let (i, value) = be_u64(i)?;
    let (i, text) = text(i)?;
    Ok((
        i,
        Token::Arg64(Arg64 {
            number,
            value,
            text,
        }),
    ))
}

fn socket(i: &[u8]) -> PResult<'_, Token<'_>> {
    let (i, socket_type) = be_u16(i)?;
    let (i, local_port) = be_u16(i)?;
    let (i, local_addr) = ipv4(i)?;
    let (i, remote_port) = be_u16(i)?;
    let (i, remote_addr) = ipv4(i)?;
    Ok((
        i,
        Token::Socket(Socket {
            socket_type,
            local_port,
            local_addr,
            remote_port,
            remote_addr,
        }),
    ))
}

fn socket_ex(i: &[u8]) -> PResult<'_, Token<'_>> {
    let (i, domain) = be_u16(i)?;
    let (i, socket_type) = be_u16(i)?;
    let (i, adtype) = be_u16(i)?;
    let (i, local_port) = be_u16(i)?;
    let (i, local_addr) = address_of_type(i, u32::from(adtype))?;
    let (i, remote_port) = be_u16(i)?;
    let (i, remote_addr) = address_of_type(i, u32::from(adtype))?;
    Ok((
        i,
        Token::SocketEx(SocketEx {
            domain,
            socket_type,
            local_port,
            local_addr,
            remote_port,
            remote_addr,
        }),
    ))
}

fn sock_inet32(i: &[u8]) -> PResult<'_, Token<'_>> {
    let (i, family) = be_u16(i)?;
    let (i, port) = be_u16(i)?;
    let (i, addr) = ipv4(i)?;
    Ok((i, Token::SockInet32(SockInet32 { family, port, addr })))
}

fn sock_inet128(i: &[u8]) -> PResult<'_, Token<'_>> {
    let (i, family) = be_u16(i)?;
    let (i, port) = be_u16(i)?;
    let (i, addr) = ipv6(i)?;
    Ok((i, Token::SockInet128(SockInet128 { family, port, addr })))
}

fn sock_unix(i: &[u8]) -> PResult<'_, Token<'_>> {
    let (i, family) = be_u16(i)?;
    let (i, path) = nul_terminated(i)?;
    Ok((
        i,
        Token::SockUnix(SockUnix {
            family,
            path: Text::from_raw(path),
        }),
    ))
}

fn ipc_perm(i: &[u8]) -> PResult<'_, Token<'_>> {
    let (i, uid) = be_u32(i)?;
    let (i, gid) = be_u32(i)?;
    let (i, creator_uid) = be_u32(i)?;
    let (i, creator_gid) = be_u32(i)?;
    let (i, mode) = be_u32(i)?;
    let (i, sequence) = be_u32(i)?;
    let (i, key) = be_u32(i)?;
    Ok((
        i,
        Token::IpcPerm(IpcPerm {
            uid,
            gid,
            creator_uid,
            creator_gid,
            mode,
            sequence,
            key,
        }),
    ))
}

fn privilege(i: &[u8]) -> PResult<'_, Token<'_>> {
    let (i, set) = text(i)?;
    let (i, privileges) = text(i)?;
    Ok((i, Token::Privilege(Privilege { set, privileges })))
}

fn use_of_privilege(i: &[u8]) -> PResult<'_, Token<'_>> {
    let (i, success) = be_u8(i)?;
    let (i, privilege) = text(i)?;
    Ok((
        i,
        Token::UseOfPrivilege(UseOfPrivilege { success, privilege }),
    ))
}

fn new_groups(i: &[u8]) -> PResult<'_, Token<'_>> {
    let (i, count) = be_u16(i)?;
    let (i, raw) = take(4 * usize::from(count))(i)?;
    Ok((
        i,
        Token::NewGroups(NewGroups {
            gids: U32List::from_raw(raw),
        }),
    ))
}

fn string_list(i: &[u8]) -> PResult<'_, StringList<'_>> {
    let (body, count) = be_u32(i)?;
    let mut rest = body;
    for _ in 0..count {
        (rest, _) = nul_terminated(rest)?;
    }
    let raw = &body[..body.len() - rest.len()];
    Ok((rest, StringList::from_raw(count, raw)))
}

fn attr32(i: &[u8]) -> PResult<'_, Token<'_>> {
    let (i, (mode, uid, gid, fsid)) = attr_start(i)?;
    let (i, node_id) = be_u64(i)?;
    let (i, device) = be_u32(i)?;
    Ok((
        i,
        Token::Attr32(Attr32 {
            mode,
            uid,
            gid,
            fsid,
            node_id,
            device,
        }),
    ))
}

fn attr64(i: &[u8]) -> PResult<'_, Token<'_>> {
    let (i, (mode, uid, gid, fsid)) = attr_start(i)?;
    let (i, node_id) = be_u64(i)?;
    let (i, device) = be_u64(i)?;
    Ok((
        i,
        Token::Attr64(Attr64 {
            mode,
            uid,
            gid,
            fsid,
            node_id,
            device,
        }),
    ))
}

fn attr_solaris(i: &[u8]) -> PResult<'_, Token<'_>> {
    let (i, (mode, uid, gid, fsid)) = attr_start(i)?;
    let (i, node_id) = be_u32(i)?;
    let (i, device) = be_u32(i)?;
    Ok((
        i,
        Token::Attr(AttrSolaris {
            mode,
            uid,
            gid,
            fsid,
            node_id,
            device,
        }),
    ))
}

/// `mode, uid, gid, fsid`, all u32: the start of every attribute token.
fn attr_start(i: &[u8]) -> PResult<'_, (u32, u32, u32, u32)> {
    let (i, mode) = be_u32(i)?;
    let (i, uid) = be_u32(i)?;
    let (i, gid) = be_u32(i)?;
    let (i, fsid) = be_u32(i)?;
    Ok((i, (mode, uid, gid, fsid)))
}

fn exit(i: &[u8]) -> PResult<'_, Token<'_>> {
    let (i, status) = be_u32(i)?;
    let (i, value) = be_u32(i)?;
    Ok((i, Token::Exit(Exit { status, value })))
}

fn uuid(i: &[u8]) -> PResult<'_, Uuid<'_>> {
    let (i, number) = be_u8(i)?;
    let (i, raw) = take(16usize)(i)?;
    let mut uuid = [0u8; 16];
    uuid.copy_from_slice(raw);
    let (i, text) = text(i)?;
    Ok((i, Uuid { number, uuid, text }))
}

fn rights(i: &[u8]) -> PResult<'_, Token<'_>> {
    let (_, first) = be_u64(i)?;
    let (i, raw) = take(8 * Rights::word_count(first))(i)?;
    Ok((
        i,
        Token::Rights(Rights {
            words: U64List::from_raw(raw),
        }),
    ))
}

fn identity(i: &[u8]) -> PResult<'_, Token<'_>> {
    let (i, signer_type) = be_u32(i)?;
    let (i, signing_id) = text(i)?;
    let (i, signing_id_truncated) = be_u8(i)?;
    let (i, team_id) = text(i)?;
    let (i, team_id_truncated) = be_u8(i)?;
    let (i, cdhash) = counted(i)?;
    Ok((
        i,
        Token::Identity(Identity {
            signer_type,
            signing_id,
            signing_id_truncated,
            team_id,
            team_id_truncated,
            cdhash: Bytes(cdhash),
        }),
    ))
}
