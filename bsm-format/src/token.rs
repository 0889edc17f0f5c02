//! The token model: one [`Token`] variant per token id.
//!
//! Variants mirror the wire format one to one (32- and 64-bit forms, `_ex`
//! forms) so that every decoded token encodes back to the same bytes. Callers
//! that want one view of all forms use the accessors of [`crate::Record`] and
//! [`crate::view`].
//!
//! # Serialised field names
//! Tokens serialise (serde) as objects with a `"token"` tag holding the
//! variant name in snake case (`"header32"`, `"subject32_ex"`, `"exec_args"`,
//! …) and the struct fields below under the names written here. Strings are
//! UTF-8 (invalid bytes replaced), opaque bytes are lower-case hex, addresses
//! are their textual form. These names are stable.

use crate::bytes_view::{Bytes, StringList, Text, U32List, U64List};
use crate::ids;
use serde::Serialize;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// One token of a BSM trail, borrowing its variable-length fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "token", rename_all = "snake_case")]
pub enum Token<'a> {
    /// 0x11: names the neighbouring trail file.
    File(File32<'a>),
    /// 0x78: a file token with 64-bit time (Solaris).
    OtherFile64(File64<'a>),
    /// 0x13: ends a record.
    Trailer(Trailer),
    /// 0x14
    Header32(Header32),
    /// 0x15
    Header32Ex(Header32Ex),
    /// 0x74
    Header64(Header64),
    /// 0x79
    Header64Ex(Header64Ex),
    /// 0x21
    Arbitrary(Arbitrary<'a>),
    /// 0x22: System V IPC object.
    Ipc(Ipc),
    /// 0x23
    Path(Path<'a>),
    /// 0x24
    Subject32(Subject32),
    /// 0x26
    Process32(Subject32),
    /// 0x75
    Subject64(Subject64),
    /// 0x77
    Process64(Subject64),
    /// 0x7a
    Subject32Ex(Subject32Ex),
    /// 0x7b
    Process32Ex(Subject32Ex),
    /// 0x7c
    Subject64Ex(Subject64Ex),
    /// 0x7d
    Process64Ex(Subject64Ex),
    /// 0x27
    Return32(Return32),
    /// 0x72
    Return64(Return64),
    /// 0x28
    Text(TextToken<'a>),
    /// 0x29
    Opaque(Opaque<'a>),
    /// 0x2a
    InAddr(InAddr),
    /// 0x7e
    InAddrEx(InAddrEx),
    /// 0x2b: an IPv4 header.
    Ip(IpHeader),
    /// 0x2c
    IpPort(IpPort),
    /// 0x2d
    Arg32(Arg32<'a>),
    /// 0x71
    Arg64(Arg64<'a>),
    /// 0x2e
    Socket(Socket),
    /// 0x7f
    SocketEx(SocketEx),
    /// 0x80
    SockInet32(SockInet32),
    /// 0x81
    SockInet128(SockInet128),
    /// 0x82
    SockUnix(SockUnix<'a>),
    /// 0x2f
    Sequence(Sequence),
    /// 0x32
    IpcPerm(IpcPerm),
    /// 0x38
    Privilege(Privilege<'a>),
    /// 0x39
    UseOfPrivilege(UseOfPrivilege<'a>),
    /// 0x3b: a counted group list.
    NewGroups(NewGroups<'a>),
    /// 0x34: the old Solaris group token, always 16 gids.
    Groups(Groups<'a>),
    /// 0x3c
    ExecArgs(ExecStrings<'a>),
    /// 0x3d
    ExecEnv(ExecStrings<'a>),
    /// 0x3e
    Attr32(Attr32),
    /// 0x73
    Attr64(Attr64),
    /// 0x31: the pre-Solaris 7 attribute token (32-bit node id).
    Attr(AttrSolaris),
    /// 0x52
    Exit(Exit),
    /// 0x60
    Zone(Zone<'a>),
    /// 0x84
    ArgUuid(Uuid<'a>),
    /// 0x85
    RetUuid(Uuid<'a>),
    /// 0x83: FreeBSD Capsicum rights.
    Rights(Rights<'a>),
    /// 0xed: macOS code-signing identity.
    Identity(Identity<'a>),
    /// Any other id: its bytes up to the record's trailer.
    Unknown(Unknown<'a>),
}

impl Token<'_> {
    /// The token's id byte.
    pub fn id(&self) -> u8 {
        match self {
            Token::File(_) => ids::FILE,
            Token::OtherFile64(_) => ids::OTHER_FILE64,
            Token::Trailer(_) => ids::TRAILER,
            Token::Header32(_) => ids::HEADER32,
            Token::Header32Ex(_) => ids::HEADER32_EX,
            Token::Header64(_) => ids::HEADER64,
            Token::Header64Ex(_) => ids::HEADER64_EX,
            Token::Arbitrary(_) => ids::ARBITRARY,
            Token::Ipc(_) => ids::IPC,
            Token::Path(_) => ids::PATH,
            Token::Subject32(_) => ids::SUBJECT32,
            Token::Process32(_) => ids::PROCESS32,
            Token::Subject64(_) => ids::SUBJECT64,
            Token::Process64(_) => ids::PROCESS64,
            Token::Subject32Ex(_) => ids::SUBJECT32_EX,
            Token::Process32Ex(_) => ids::PROCESS32_EX,
            Token::Subject64Ex(_) => ids::SUBJECT64_EX,
            Token::Process64Ex(_) => ids::PROCESS64_EX,
            Token::Return32(_) => ids::RETURN32,
            Token::Return64(_) => ids::RETURN64,
            Token::Text(_) => ids::TEXT,
            Token::Opaque(_) => ids::OPAQUE,
            Token::InAddr(_) => ids::IN_ADDR,
            Token::InAddrEx(_) => ids::IN_ADDR_EX,
            Token::Ip(_) => ids::IP,
            Token::IpPort(_) => ids::IP_PORT,
            Token::Arg32(_) => ids::ARG32,
            Token::Arg64(_) => ids::ARG64,
            Token::Socket(_) => ids::SOCKET,
            Token::SocketEx(_) => ids::SOCKET_EX,
            Token::SockInet32(_) => ids::SOCK_INET32,
            Token::SockInet128(_) => ids::SOCK_INET128,
            Token::SockUnix(_) => ids::SOCK_UNIX,
            Token::Sequence(_) => ids::SEQUENCE,
            Token::IpcPerm(_) => ids::IPC_PERM,
            Token::Privilege(_) => ids::PRIVILEGE,
            Token::UseOfPrivilege(_) => ids::USE_OF_PRIVILEGE,
            Token::NewGroups(_) => ids::NEW_GROUPS,
            Token::Groups(_) => ids::GROUPS,
            Token::ExecArgs(_) => ids::EXEC_ARGS,
            Token::ExecEnv(_) => ids::EXEC_ENV,
            Token::Attr32(_) => ids::ATTR32,
            Token::Attr64(_) => ids::ATTR64,
            Token::Attr(_) => ids::ATTR,
            Token::Exit(_) => ids::EXIT,
            Token::Zone(_) => ids::ZONE,
            Token::ArgUuid(_) => ids::ARG_UUID,
            Token::RetUuid(_) => ids::RET_UUID,
            Token::Rights(_) => ids::RIGHTS,
            Token::Identity(_) => ids::IDENTITY,
            Token::Unknown(u) => u.id,
        }
    }
}

/// 0x11: `sec u32, msec u32, len u16, name[len]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct File32<'a> {
    pub seconds: u32,
    pub milliseconds: u32,
    pub name: Text<'a>,
}

/// 0x78: as 0x11 with 64-bit seconds and milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct File64<'a> {
    #[serde(serialize_with = "crate::exact::u64")]
    pub seconds: u64,
    #[serde(serialize_with = "crate::exact::u64")]
    pub milliseconds: u64,
    pub name: Text<'a>,
}

/// 0x13: `magic u16, size u32`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Trailer {
    pub magic: u16,
    /// The record's size in bytes, as in its header.
    pub size: u32,
}

/// 0x14: `size u32, version u8, event u16, modifier u16, sec u32, msec u32`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Header32 {
    pub size: u32,
    pub version: u8,
    pub event: u16,
    pub modifier: u16,
    pub seconds: u32,
    pub milliseconds: u32,
}

/// 0x15: as 0x14 with the host address (`adtype u32, addr`) before the time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Header32Ex {
    pub size: u32,
    pub version: u8,
    pub event: u16,
    pub modifier: u16,
    pub host: IpAddr,
    pub seconds: u32,
    pub milliseconds: u32,
}

/// 0x74: as 0x14 with 64-bit seconds and milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Header64 {
    pub size: u32,
    pub version: u8,
    pub event: u16,
    pub modifier: u16,
    #[serde(serialize_with = "crate::exact::u64")]
    pub seconds: u64,
    #[serde(serialize_with = "crate::exact::u64")]
    pub milliseconds: u64,
}

/// 0x79: as 0x15 with 64-bit seconds and milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Header64Ex {
    pub size: u32,
    pub version: u8,
    pub event: u16,
    pub modifier: u16,
    pub host: IpAddr,
    #[serde(serialize_with = "crate::exact::u64")]
    pub seconds: u64,
    #[serde(serialize_with = "crate::exact::u64")]
    pub milliseconds: u64,
}

/// How an arbitrary-data token asks to be printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PrintFormat {
    Binary,
    Octal,
    Decimal,
    Hex,
    String,
    /// A value libbsm does not define; kept so the token re-encodes.
    Other(u8),
}

impl PrintFormat {
    pub const fn from_byte(b: u8) -> Self {
        match b {
            0 => PrintFormat::Binary,
            1 => PrintFormat::Octal,
            2 => PrintFormat::Decimal,
            3 => PrintFormat::Hex,
            4 => PrintFormat::String,
            other => PrintFormat::Other(other),
        }
    }

    pub const fn to_byte(self) -> u8 {
        match self {
            PrintFormat::Binary => 0,
            PrintFormat::Octal => 1,
            PrintFormat::Decimal => 2,
            PrintFormat::Hex => 3,
            PrintFormat::String => 4,
            PrintFormat::Other(b) => b,
        }
    }
}

/// The size of one item of arbitrary data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DataUnit {
    Byte,
    Short,
    Int32,
    Int64,
}

impl DataUnit {
    pub const fn from_byte(b: u8) -> Option<Self> {
        match b {
            0 => Some(DataUnit::Byte),
            1 => Some(DataUnit::Short),
            2 => Some(DataUnit::Int32),
            3 => Some(DataUnit::Int64),
            _ => None,
        }
    }

    pub const fn to_byte(self) -> u8 {
        match self {
            DataUnit::Byte => 0,
            DataUnit::Short => 1,
            DataUnit::Int32 => 2,
            DataUnit::Int64 => 3,
        }
    }

    /// Bytes per item.
    pub const fn size(self) -> usize {
        match self {
            DataUnit::Byte => 1,
            DataUnit::Short => 2,
            DataUnit::Int32 => 4,
            DataUnit::Int64 => 8,
        }
    }
}

/// 0x21: `how-to-print u8, unit u8, count u8, data[count × unit size]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Arbitrary<'a> {
    pub format: PrintFormat,
    pub unit: DataUnit,
    pub count: u8,
    pub data: Bytes<'a>,
}

impl Arbitrary<'_> {
    /// The items, read big-endian at full width.
    pub fn values(&self) -> impl Iterator<Item = u64> + '_ {
        self.data
            .0
            .chunks_exact(self.unit.size())
            .map(|chunk| chunk.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
    }
}

/// 0x22: `type u8 (1 msg, 2 sem, 3 shm), id u32`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Ipc {
    pub ipc_type: u8,
    pub id: u32,
}

/// 0x23: `len u16, path[len]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Path<'a> {
    pub path: Text<'a>,
}

/// The seven ids that subject and process tokens share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
pub struct ProcessIds {
    pub auid: u32,
    pub euid: u32,
    pub egid: u32,
    pub ruid: u32,
    pub rgid: u32,
    pub pid: u32,
    pub sid: u32,
}

/// 0x24 / 0x26: the ids, `port u32, addr 4 bytes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Subject32 {
    #[serde(flatten)]
    pub ids: ProcessIds,
    pub port: u32,
    pub addr: Ipv4Addr,
}

/// 0x75 / 0x77: the ids, `port u64, addr 4 bytes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Subject64 {
    #[serde(flatten)]
    pub ids: ProcessIds,
    #[serde(serialize_with = "crate::exact::u64")]
    pub port: u64,
    pub addr: Ipv4Addr,
}

/// 0x7a / 0x7b: the ids, `port u32, adtype u32, addr`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Subject32Ex {
    #[serde(flatten)]
    pub ids: ProcessIds,
    pub port: u32,
    pub addr: IpAddr,
}

/// 0x7c / 0x7d: the ids, `port u64, adtype u32, addr`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Subject64Ex {
    #[serde(flatten)]
    pub ids: ProcessIds,
    #[serde(serialize_with = "crate::exact::u64")]
    pub port: u64,
    pub addr: IpAddr,
}

/// 0x27: `status u8, value u32`. `status` is a BSM errno (0 is success).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Return32 {
    pub status: u8,
    pub value: u32,
}

/// 0x72: `status u8, value u64`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Return64 {
    pub status: u8,
    #[serde(serialize_with = "crate::exact::u64")]
    pub value: u64,
}

/// 0x28: `len u16, text[len]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TextToken<'a> {
    pub text: Text<'a>,
}

/// 0x29: `len u16, data[len]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Opaque<'a> {
    pub data: Bytes<'a>,
}

/// 0x2a: `addr 4 bytes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct InAddr {
    pub addr: Ipv4Addr,
}

/// 0x7e: `adtype u32, addr`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct InAddrEx {
    pub addr: IpAddr,
}

/// 0x2b: a 20-byte IPv4 header, fields as on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct IpHeader {
    pub version: u8,
    pub tos: u8,
    pub length: u16,
    pub id: u16,
    pub offset: u16,
    pub ttl: u8,
    pub protocol: u8,
    pub checksum: u16,
    pub source: Ipv4Addr,
    pub destination: Ipv4Addr,
}

/// 0x2c: `port u16`, in network byte order as libbsm stores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct IpPort {
    pub port: u16,
}

/// 0x2d: `arg number u8, value u32, len u16, text[len]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Arg32<'a> {
    pub number: u8,
    pub value: u32,
    pub text: Text<'a>,
}

/// 0x71: `arg number u8, value u64, len u16, text[len]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Arg64<'a> {
    pub number: u8,
    #[serde(serialize_with = "crate::exact::u64")]
    pub value: u64,
    pub text: Text<'a>,
}

/// 0x2e: `type u16, lport u16, laddr 4, rport u16, raddr 4`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Socket {
    pub socket_type: u16,
    pub local_port: u16,
    pub local_addr: Ipv4Addr,
    pub remote_port: u16,
    pub remote_addr: Ipv4Addr,
}

/// 0x7f: `domain u16, type u16, adtype u16, lport u16, laddr, rport u16, raddr`.
///
/// Both addresses have the family that `adtype` gives; the encoder refuses a
/// token whose two addresses differ in family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SocketEx {
    /// A BSM domain (`BSM_PF_*`), not the host's.
    pub domain: u16,
    /// A BSM socket type (`BSM_SOCK_*`), not the host's.
    pub socket_type: u16,
    pub local_port: u16,
    pub local_addr: IpAddr,
    pub remote_port: u16,
    pub remote_addr: IpAddr,
}

/// 0x80: `family u16, port u16, addr 4`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SockInet32 {
    pub family: u16,
    pub port: u16,
    pub addr: Ipv4Addr,
}

/// 0x81: `family u16, port u16, addr 16`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SockInet128 {
    pub family: u16,
    pub port: u16,
    pub addr: Ipv6Addr,
}

/// 0x82: `family u16, path` up to and including its NUL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SockUnix<'a> {
    pub family: u16,
    pub path: Text<'a>,
}

/// 0x2f: `sequence number u32`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Sequence {
    pub sequence: u32,
}

/// 0x32: System V IPC permissions, seven u32s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct IpcPerm {
    pub uid: u32,
    pub gid: u32,
    pub creator_uid: u32,
    pub creator_gid: u32,
    pub mode: u32,
    pub sequence: u32,
    pub key: u32,
}

/// 0x38: `len u16, set name[len], len u16, privileges[len]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Privilege<'a> {
    pub set: Text<'a>,
    pub privileges: Text<'a>,
}

/// 0x39: `success u8, len u16, privilege[len]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct UseOfPrivilege<'a> {
    pub success: u8,
    pub privilege: Text<'a>,
}

/// 0x3b: `count u16, gid u32 × count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct NewGroups<'a> {
    pub gids: U32List<'a>,
}

/// 0x34: `gid u32 × 16`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Groups<'a> {
    pub gids: U32List<'a>,
}

/// Number of gids in an old-style (0x34) group token.
pub const OLD_GROUPS_COUNT: usize = 16;

/// 0x3c / 0x3d: `count u32`, then `count` NUL-terminated strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ExecStrings<'a> {
    pub strings: StringList<'a>,
}

/// 0x3e: `mode, uid, gid, fsid u32, node id u64, device u32`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Attr32 {
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub fsid: u32,
    #[serde(serialize_with = "crate::exact::u64")]
    pub node_id: u64,
    pub device: u32,
}

/// 0x73: as 0x3e with a 64-bit device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Attr64 {
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub fsid: u32,
    #[serde(serialize_with = "crate::exact::u64")]
    pub node_id: u64,
    #[serde(serialize_with = "crate::exact::u64")]
    pub device: u64,
}

/// 0x31: `mode, uid, gid, fsid, node id, device`, all u32.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AttrSolaris {
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub fsid: u32,
    pub node_id: u32,
    pub device: u32,
}

/// 0x52: `status u32, return u32`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Exit {
    pub status: u32,
    pub value: u32,
}

/// 0x60: `len u16, name[len]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Zone<'a> {
    pub zone: Text<'a>,
}

/// 0x84 / 0x85: `number u8, uuid 16 bytes, len u16, text[len]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Uuid<'a> {
    pub number: u8,
    #[serde(serialize_with = "serialize_uuid")]
    pub uuid: [u8; 16],
    pub text: Text<'a>,
}

fn serialize_uuid<S: serde::Serializer>(uuid: &[u8; 16], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&format_uuid(uuid))
}

/// The canonical 8-4-4-4-12 text form of a UUID.
pub fn format_uuid(uuid: &[u8; 16]) -> String {
    let mut text = String::with_capacity(36);
    for (i, b) in uuid.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            text.push('-');
        }
        text.push_str(&format!("{b:02x}"));
    }
    text
}

/// 0x83: the words of a FreeBSD `cap_rights_t`.
///
/// The top two bits of the first word hold the version; a version-`v`
/// structure has `v + 2` words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rights<'a> {
    pub words: U64List<'a>,
}

impl Rights<'_> {
    /// Number of u64 words that a rights token whose first word is `first` holds.
    pub const fn word_count(first: u64) -> usize {
        (first >> 62) as usize + 2
    }
}

/// 0xed: `signer type u32, len u16, signing id[len], truncated u8,
/// len u16, team id[len], truncated u8, len u16, cdhash[len]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Identity<'a> {
    pub signer_type: u32,
    pub signing_id: Text<'a>,
    pub signing_id_truncated: u8,
    pub team_id: Text<'a>,
    pub team_id_truncated: u8,
    pub cdhash: Bytes<'a>,
}

/// A token of an id this crate does not decode; `bytes` are everything after
/// the id up to the record's trailer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Unknown<'a> {
    pub id: u8,
    pub bytes: Bytes<'a>,
}
