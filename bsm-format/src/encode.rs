//! Byte-exact token and record encoding through [`bytes::BufMut`].
//!
//! The layouts are libbsm's (`bsm_token.c`): big-endian integers, counted
//! strings whose length includes the NUL. A token is checked whole before the
//! first byte is written, so a refused token leaves the buffer untouched.

use crate::bytes_view::{StringList, Text};
use crate::error::{Error, ErrorKind, Result};
use crate::ids;
use crate::token::*;
use bytes::BufMut;
use std::net::IpAddr;

/// Appends the encoding of `token` to `out`.
pub fn encode_token(token: &Token<'_>, out: &mut impl BufMut) -> Result<()> {
    check(token).map_err(|kind| Error::new(kind, Some(token.id()), 0))?;
    write(token, out);
    Ok(())
}

/// The number of bytes [`encode_token`] writes for `token`, id included.
pub fn encoded_len(token: &Token<'_>) -> usize {
    1 + match token {
        Token::File(f) => 8 + 2 + f.name.raw().len(),
        Token::OtherFile64(f) => 16 + 2 + f.name.raw().len(),
        Token::Trailer(_) => 6,
        Token::Header32(_) => 17,
        Token::Header32Ex(h) => 17 + 4 + addr_len(h.host),
        Token::Header64(_) => 25,
        Token::Header64Ex(h) => 25 + 4 + addr_len(h.host),
        Token::Arbitrary(a) => 3 + a.data.0.len(),
        Token::Ipc(_) => 5,
        Token::Path(Path { path: t })
        | Token::Text(TextToken { text: t })
        | Token::Zone(Zone { zone: t }) => 2 + t.raw().len(),
        Token::Subject32(_) | Token::Process32(_) => 36,
        Token::Subject64(_) | Token::Process64(_) => 40,
        Token::Subject32Ex(s) | Token::Process32Ex(s) => 36 + addr_len(s.addr),
        Token::Subject64Ex(s) | Token::Process64Ex(s) => 40 + addr_len(s.addr),
        Token::Return32(_) => 5,
        Token::Return64(_) => 9,
        Token::Opaque(o) => 2 + o.data.0.len(),
        Token::InAddr(_) => 4,
        Token::InAddrEx(a) => 4 + addr_len(a.addr),
        Token::Ip(_) => 20,
        Token::IpPort(_) => 2,
        Token::Arg32(a) => 7 + a.text.raw().len(),
        Token::Arg64(a) => 11 + a.text.raw().len(),
        Token::Socket(_) => 14,
        Token::SocketEx(s) => 10 + 2 * addr_len(s.local_addr),
        Token::SockInet32(_) => 8,
        Token::SockInet128(_) => 20,
        Token::SockUnix(s) => 2 + s.path.raw().len(),
        Token::Sequence(_) => 4,
        Token::IpcPerm(_) => 28,
        Token::Privilege(p) => 4 + p.set.raw().len() + p.privileges.raw().len(),
        Token::UseOfPrivilege(u) => 3 + u.privilege.raw().len(),
        Token::NewGroups(g) => 2 + g.gids.raw().len(),
        Token::Groups(g) => g.gids.raw().len(),
        Token::ExecArgs(e) | Token::ExecEnv(e) => 4 + e.strings.raw().len(),
        Token::Attr32(_) => 28,
        Token::Attr64(_) => 32,
        Token::Attr(_) => 24,
        Token::Exit(_) => 8,
        Token::ArgUuid(u) | Token::RetUuid(u) => 19 + u.text.raw().len(),
        Token::Rights(r) => r.words.raw().len(),
        Token::Identity(i) => {
            4 + 2
                + i.signing_id.raw().len()
                + 1
                + 2
                + i.team_id.raw().len()
                + 1
                + 2
                + i.cdhash.0.len()
        }
        Token::Unknown(u) => u.bytes.0.len(),
    }
}

/// Encodes a whole record: `header`, then `body`, then a trailer, with the
/// header's and the trailer's size set to the record's length.
///
/// `header` must be one of the four header variants; its own `size` is ignored.
/// Returns the record's size.
pub fn encode_record(header: &Token<'_>, body: &[Token<'_>], out: &mut impl BufMut) -> Result<u32> {
    let total =
        encoded_len(header) + body.iter().map(encoded_len).sum::<usize>() + ids::TRAILER_LEN;
    let size = u32::try_from(total).map_err(|_| {
        Error::new(
            ErrorKind::TooLong {
                field: "record",
                len: total,
            },
            Some(header.id()),
            0,
        )
    })?;
    let header = with_size(header, size).ok_or_else(|| {
        Error::new(
            ErrorKind::Inconsistent("a record must start with a header token"),
            Some(header.id()),
            0,
        )
    })?;
    check(&header).map_err(|kind| Error::new(kind, Some(header.id()), 0))?;
    let mut offset = encoded_len(&header) as u64;
    for token in body {
        check(token).map_err(|kind| Error::new(kind, Some(token.id()), offset))?;
        offset += encoded_len(token) as u64;
    }
    write(&header, out);
    body.iter().for_each(|token| write(token, out));
    write(
        &Token::Trailer(Trailer {
            magic: ids::TRAILER_MAGIC,
            size,
        }),
        out,
    );
    Ok(size)
}

fn with_size<'a>(header: &Token<'a>, size: u32) -> Option<Token<'a>> {
    let mut header = *header;
    match &mut header {
        Token::Header32(h) => h.size = size,
        Token::Header32Ex(h) => h.size = size,
        Token::Header64(h) => h.size = size,
        Token::Header64Ex(h) => h.size = size,
        _ => return None,
    }
    Some(header)
}

const fn addr_len(addr: IpAddr) -> usize {
    match addr {
        IpAddr::V4(_) => 4,
        IpAddr::V6(_) => 16,
    }
}

const fn adtype(addr: IpAddr) -> u32 {
    match addr {
        IpAddr::V4(_) => ids::AU_IPV4,
        IpAddr::V6(_) => ids::AU_IPV6,
    }
}

/// Refuses tokens whose fields cannot be written in the widths the format
/// gives them, or that would not decode back to themselves.
fn check(token: &Token<'_>) -> Result<(), ErrorKind> {
    match token {
        Token::File(File32 { name: t, .. })
        | Token::OtherFile64(File64 { name: t, .. })
        | Token::Path(Path { path: t })
        | Token::Text(TextToken { text: t })
        | Token::Zone(Zone { zone: t })
        | Token::Arg32(Arg32 { text: t, .. })
        | Token::Arg64(Arg64 { text: t, .. })
        | Token::UseOfPrivilege(UseOfPrivilege { privilege: t, .. })
        | Token::ArgUuid(Uuid { text: t, .. })
        | Token::RetUuid(Uuid { text: t, .. }) => counted_fits("string", t.raw()),
        Token::Privilege(p) => {
            counted_fits("privilege set", p.set.raw())?;
            counted_fits("privileges", p.privileges.raw())
        }
        Token::Identity(i) => {
            counted_fits("signing id", i.signing_id.raw())?;
            counted_fits("team id", i.team_id.raw())?;
            counted_fits("cdhash", i.cdhash.0)
        }
        Token::Opaque(o) => counted_fits("opaque data", o.data.0),
        Token::Arbitrary(a) => {
            if matches!(a.format, PrintFormat::Other(b) if b <= 4) {
                Err(ErrorKind::Inconsistent(
                    "print format Other(0..=4) is not canonical: use the named variant",
                ))
            } else if a.data.0.len() == usize::from(a.count) * a.unit.size() {
                Ok(())
            } else {
                Err(ErrorKind::Inconsistent(
                    "arbitrary data length is not count × unit size",
                ))
            }
        }
        Token::NewGroups(g) => {
            if g.gids.raw().len() % 4 != 0 {
                Err(ErrorKind::Inconsistent(
                    "gid list is not a whole number of u32",
                ))
            } else if u16::try_from(g.gids.len()).is_err() {
                Err(ErrorKind::TooLong {
                    field: "gid list",
                    len: g.gids.len(),
                })
            } else {
                Ok(())
            }
        }
        Token::Groups(g) => {
            if g.gids.raw().len() == 4 * OLD_GROUPS_COUNT {
                Ok(())
            } else {
                Err(ErrorKind::Inconsistent(
                    "an old group token holds exactly 16 gids",
                ))
            }
        }
        Token::ExecArgs(e) | Token::ExecEnv(e) => check_string_list(&e.strings),
        Token::SockUnix(s) => match s.path.raw().iter().position(|&b| b == 0) {
            Some(end) if end + 1 == s.path.raw().len() => Ok(()),
            _ => Err(ErrorKind::Inconsistent(
                "a unix socket path must end at its first and only NUL",
            )),
        },
        Token::SocketEx(s) => {
            if s.local_addr.is_ipv4() == s.remote_addr.is_ipv4() {
                Ok(())
            } else {
                Err(ErrorKind::Inconsistent(
                    "socket local and remote addresses differ in family",
                ))
            }
        }
        Token::Rights(r) => {
            let first = r.words.iter().next().unwrap_or(0);
            if r.words.raw().len() == 8 * Rights::word_count(first) {
                Ok(())
            } else {
                Err(ErrorKind::Inconsistent(
                    "rights word count does not match the version in the first word",
                ))
            }
        }
        Token::Unknown(u) if ids::is_known(u.id) => Err(ErrorKind::Inconsistent(
            "an unknown token must not carry the id of a known token",
        )),
        _ => Ok(()),
    }
}

fn counted_fits(field: &'static str, raw: &[u8]) -> Result<(), ErrorKind> {
    match u16::try_from(raw.len()) {
        Ok(_) => Ok(()),
        Err(_) => Err(ErrorKind::TooLong {
            field,
            len: raw.len(),
        }),
    }
}

fn check_string_list(list: &StringList<'_>) -> Result<(), ErrorKind> {
    let raw = list.raw();
    let nuls = raw.iter().filter(|&&b| b == 0).count();
    if nuls as u64 == u64::from(list.count()) && (raw.is_empty() || raw.ends_with(&[0])) {
        Ok(())
    } else {
        Err(ErrorKind::Inconsistent(
            "exec strings: count differs from the number of NUL-terminated strings",
        ))
    }
}

/// Writes a checked token.
fn write(token: &Token<'_>, out: &mut impl BufMut) {
    out.put_u8(token.id());
    match token {
        Token::File(f) => {
            out.put_u32(f.seconds);
            out.put_u32(f.milliseconds);
            put_text(out, &f.name);
        }
        Token::OtherFile64(f) => {
            out.put_u64(f.seconds);
            out.put_u64(f.milliseconds);
            put_text(out, &f.name);
        }
        Token::Trailer(t) => {
            out.put_u16(t.magic);
            out.put_u32(t.size);
        }
        Token::Header32(h) => {
            put_header_start(out, h.size, h.version, h.event, h.modifier);
            out.put_u32(h.seconds);
            out.put_u32(h.milliseconds);
        }
        Token::Header32Ex(h) => {
            put_header_start(out, h.size, h.version, h.event, h.modifier);
            put_address_ex(out, h.host);
            out.put_u32(h.seconds);
            out.put_u32(h.milliseconds);
        }
        Token::Header64(h) => {
            put_header_start(out, h.size, h.version, h.event, h.modifier);
            out.put_u64(h.seconds);
            out.put_u64(h.milliseconds);
        }
        Token::Header64Ex(h) => {
            put_header_start(out, h.size, h.version, h.event, h.modifier);
            put_address_ex(out, h.host);
            out.put_u64(h.seconds);
            out.put_u64(h.milliseconds);
        }
        Token::Arbitrary(a) => {
            out.put_u8(a.format.to_byte());
            out.put_u8(a.unit.to_byte());
            out.put_u8(a.count);
            out.put_slice(a.data.0);
        }
        Token::Ipc(i) => {
            out.put_u8(i.ipc_type);
            out.put_u32(i.id);
        }
        Token::Path(Path { path: t })
        | Token::Text(TextToken { text: t })
        | Token::Zone(Zone { zone: t }) => put_text(out, t),
        Token::Subject32(s) | Token::Process32(s) => {
            put_ids(out, &s.ids);
            out.put_u32(s.port);
            out.put_slice(&s.addr.octets());
        }
        Token::Subject64(s) | Token::Process64(s) => {
            put_ids(out, &s.ids);
            out.put_u64(s.port);
            out.put_slice(&s.addr.octets());
        }
        Token::Subject32Ex(s) | Token::Process32Ex(s) => {
            put_ids(out, &s.ids);
            out.put_u32(s.port);
            put_address_ex(out, s.addr);
        }
        Token::Subject64Ex(s) | Token::Process64Ex(s) => {
            put_ids(out, &s.ids);
            out.put_u64(s.port);
            put_address_ex(out, s.addr);
        }
        Token::Return32(r) => {
            out.put_u8(r.status);
            out.put_u32(r.value);
        }
        Token::Return64(r) => {
            out.put_u8(r.status);
            out.put_u64(r.value);
        }
        Token::Opaque(o) => put_counted(out, o.data.0),
        Token::InAddr(a) => out.put_slice(&a.addr.octets()),
        Token::InAddrEx(a) => put_address_ex(out, a.addr),
        Token::Ip(ip) => {
            out.put_u8(ip.version);
            out.put_u8(ip.tos);
            out.put_u16(ip.length);
            out.put_u16(ip.id);
            out.put_u16(ip.offset);
            out.put_u8(ip.ttl);
            out.put_u8(ip.protocol);
            out.put_u16(ip.checksum);
            out.put_slice(&ip.source.octets());
            out.put_slice(&ip.destination.octets());
        }
        Token::IpPort(p) => out.put_u16(p.port),
        Token::Arg32(a) => {
            out.put_u8(a.number);
            out.put_u32(a.value);
            put_text(out, &a.text);
        }
        Token::Arg64(a) => {
            out.put_u8(a.number);
            out.put_u64(a.value);
            put_text(out, &a.text);
        }
        Token::Socket(s) => {
            out.put_u16(s.socket_type);
            out.put_u16(s.local_port);
            out.put_slice(&s.local_addr.octets());
            out.put_u16(s.remote_port);
            out.put_slice(&s.remote_addr.octets());
        }
        Token::SocketEx(s) => {
            out.put_u16(s.domain);
            out.put_u16(s.socket_type);
            out.put_u16(adtype(s.local_addr) as u16);
            out.put_u16(s.local_port);
            put_address(out, s.local_addr);
            out.put_u16(s.remote_port);
            put_address(out, s.remote_addr);
        }
        Token::SockInet32(s) => {
            out.put_u16(s.family);
            out.put_u16(s.port);
            out.put_slice(&s.addr.octets());
        }
        Token::SockInet128(s) => {
            out.put_u16(s.family);
            out.put_u16(s.port);
            out.put_slice(&s.addr.octets());
        }
        Token::SockUnix(s) => {
            out.put_u16(s.family);
            out.put_slice(s.path.raw());
        }
        Token::Sequence(s) => out.put_u32(s.sequence),
        Token::IpcPerm(p) => {
            for value in [
                p.uid,
                p.gid,
                p.creator_uid,
                p.creator_gid,
                p.mode,
                p.sequence,
                p.key,
            ] {
                out.put_u32(value);
            }
        }
        Token::Privilege(p) => {
            put_text(out, &p.set);
            put_text(out, &p.privileges);
        }
        Token::UseOfPrivilege(u) => {
            out.put_u8(u.success);
            put_text(out, &u.privilege);
        }
        Token::NewGroups(g) => {
            out.put_u16(g.gids.len() as u16);
            out.put_slice(g.gids.raw());
        }
        Token::Groups(g) => out.put_slice(g.gids.raw()),
        Token::ExecArgs(e) | Token::ExecEnv(e) => {
            out.put_u32(e.strings.count());
            out.put_slice(e.strings.raw());
        }
        Token::Attr32(a) => {
            put_attr_start(out, a.mode, a.uid, a.gid, a.fsid);
            out.put_u64(a.node_id);
            out.put_u32(a.device);
        }
        Token::Attr64(a) => {
            put_attr_start(out, a.mode, a.uid, a.gid, a.fsid);
            out.put_u64(a.node_id);
            out.put_u64(a.device);
        }
        Token::Attr(a) => {
            put_attr_start(out, a.mode, a.uid, a.gid, a.fsid);
            out.put_u32(a.node_id);
            out.put_u32(a.device);
        }
        Token::Exit(e) => {
            out.put_u32(e.status);
            out.put_u32(e.value);
        }
        Token::ArgUuid(u) | Token::RetUuid(u) => {
            out.put_u8(u.number);
            out.put_slice(&u.uuid);
            put_text(out, &u.text);
        }
        Token::Rights(r) => out.put_slice(r.words.raw()),
        Token::Identity(i) => {
            out.put_u32(i.signer_type);
            put_text(out, &i.signing_id);
            out.put_u8(i.signing_id_truncated);
            put_text(out, &i.team_id);
            out.put_u8(i.team_id_truncated);
            put_counted(out, i.cdhash.0);
        }
        Token::Unknown(u) => out.put_slice(u.bytes.0),
    }
}

/// `len u16, bytes`; the length was checked to fit.
fn put_counted(out: &mut impl BufMut, raw: &[u8]) {
    out.put_u16(raw.len() as u16);
    out.put_slice(raw);
}

fn put_text(out: &mut impl BufMut, text: &Text<'_>) {
    put_counted(out, text.raw());
}

fn put_header_start(out: &mut impl BufMut, size: u32, version: u8, event: u16, modifier: u16) {
    out.put_u32(size);
    out.put_u8(version);
    out.put_u16(event);
    out.put_u16(modifier);
}

fn put_ids(out: &mut impl BufMut, ids: &ProcessIds) {
    for value in [
        ids.auid, ids.euid, ids.egid, ids.ruid, ids.rgid, ids.pid, ids.sid,
    ] {
        out.put_u32(value);
    }
}

fn put_attr_start(out: &mut impl BufMut, mode: u32, uid: u32, gid: u32, fsid: u32) {
    for value in [mode, uid, gid, fsid] {
        out.put_u32(value);
    }
}

fn put_address(out: &mut impl BufMut, addr: IpAddr) {
    match addr {
        IpAddr::V4(v4) => out.put_slice(&v4.octets()),
        IpAddr::V6(v6) => out.put_slice(&v6.octets()),
    }
}

fn put_address_ex(out: &mut impl BufMut, addr: IpAddr) {
    out.put_u32(adtype(addr));
    put_address(out, addr);
}
