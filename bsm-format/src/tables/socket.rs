//! BSM socket domains and types (OpenBSM's `audit_domain.h`, `audit_socket_type.h`) and the Linux
//! values they stand for. BSM numbers follow Solaris: BSM_PF_INET6 is 26 where Linux's AF_INET6 is
//! 10, and BSM_SOCK_STREAM is 2 where Linux's SOCK_STREAM is 1.

use serde::Serialize;

/// The domain OpenBSM writes for a host domain it has no BSM number for.
pub const DOMAIN_UNKNOWN: u16 = 700;

/// The socket type OpenBSM writes for a host type it has no BSM number for.
pub const TYPE_UNKNOWN: u16 = 500;

/// A BSM socket domain or type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SocketConstant {
    pub bsm: u16,
    /// The symbol without its `BSM_` prefix, e.g. `PF_INET6`.
    pub name: &'static str,
    /// The Linux value, where Linux has the domain or type.
    pub linux: Option<u16>,
}

const fn constant(bsm: u16, name: &'static str, linux: Option<u16>) -> SocketConstant {
    SocketConstant { bsm, name, linux }
}

/// Every BSM socket domain, by BSM number.
pub static DOMAINS: &[SocketConstant] = DOMAIN_TABLE;

const DOMAIN_TABLE: &[SocketConstant] = &[
    constant(0, "PF_UNSPEC", Some(0)),
    constant(1, "PF_LOCAL", Some(1)),
    constant(2, "PF_INET", Some(2)),
    constant(3, "PF_IMPLINK", None),
    constant(4, "PF_PUP", None),
    constant(5, "PF_CHAOS", None),
    constant(6, "PF_NS", None),
    constant(7, "PF_NBS", None),
    constant(8, "PF_ECMA", None),
    constant(9, "PF_DATAKIT", None),
    constant(10, "PF_CCITT", None),
    constant(11, "PF_SNA", Some(22)),
    constant(12, "PF_DECnet", Some(12)),
    constant(13, "PF_DLI", None),
    constant(14, "PF_LAT", None),
    constant(15, "PF_HYLINK", None),
    constant(16, "PF_APPLETALK", Some(5)),
    constant(17, "PF_NIT", None),
    constant(18, "PF_802", None),
    constant(19, "PF_OSI", None),
    constant(20, "PF_X25", Some(9)),
    constant(21, "PF_OSINET", None),
    constant(22, "PF_GOSIP", None),
    constant(23, "PF_IPX", Some(4)),
    // Linux's PF_ROUTE is another name for PF_NETLINK, and libbsm maps it so.
    constant(24, "PF_ROUTE", Some(16)),
    constant(25, "PF_LINK", None),
    constant(26, "PF_INET6", Some(10)),
    constant(27, "PF_KEY", Some(15)),
    constant(28, "PF_NCA", None),
    constant(29, "PF_POLICY", None),
    constant(30, "PF_INET_OFFLOAD", None),
    constant(500, "PF_NETBIOS", None),
    constant(501, "PF_ISO", None),
    constant(502, "PF_XTP", None),
    constant(503, "PF_COIP", None),
    constant(504, "PF_CNT", None),
    constant(505, "PF_RTIP", None),
    constant(506, "PF_SIP", None),
    constant(507, "PF_PIP", None),
    constant(508, "PF_ISDN", Some(34)),
    constant(509, "PF_E164", None),
    constant(510, "PF_NATM", None),
    constant(511, "PF_ATM", None),
    constant(512, "PF_NETGRAPH", None),
    constant(513, "PF_SLOW", None),
    constant(514, "PF_SCLUSTER", None),
    constant(515, "PF_ARP", None),
    constant(516, "PF_BLUETOOTH", Some(31)),
    constant(518, "PF_AX25", Some(3)),
    constant(519, "PF_ROSE", Some(11)),
    constant(520, "PF_NETBEUI", Some(13)),
    constant(521, "PF_SECURITY", Some(14)),
    constant(522, "PF_PACKET", Some(17)),
    constant(523, "PF_ASH", Some(18)),
    constant(524, "PF_ECONET", Some(19)),
    constant(525, "PF_ATMSVC", Some(20)),
    constant(526, "PF_IRDA", Some(23)),
    constant(527, "PF_PPPOX", Some(24)),
    constant(528, "PF_WANPIPE", Some(25)),
    constant(529, "PF_LLC", Some(26)),
    constant(530, "PF_CAN", Some(29)),
    constant(531, "PF_TIPC", Some(30)),
    constant(532, "PF_IUCV", Some(32)),
    constant(533, "PF_RXRPC", Some(33)),
    constant(534, "PF_PHONET", Some(35)),
];

/// Every BSM socket type, by BSM number.
pub static TYPES: &[SocketConstant] = TYPE_TABLE;

const TYPE_TABLE: &[SocketConstant] = &[
    constant(1, "SOCK_DGRAM", Some(2)),
    constant(2, "SOCK_STREAM", Some(1)),
    constant(4, "SOCK_RAW", Some(3)),
    constant(5, "SOCK_RDM", Some(4)),
    constant(6, "SOCK_SEQPACKET", Some(5)),
];

/// One past the largest BSM domain (BSM_PF_PHONET, 534) or type.
const BSM_LIMIT: usize = 535;

/// One past the largest Linux address family (AF_MCTP, 45) or socket type (SOCK_PACKET, 10).
const LINUX_LIMIT: usize = 46;

/// Position in `table` of each BSM number, built and checked at compile time.
const fn index_by_bsm(table: &[SocketConstant]) -> [Option<u8>; BSM_LIMIT] {
    assert!(table.len() <= u8::MAX as usize);
    let mut index = [None; BSM_LIMIT];
    let mut position = 0;
    while position < table.len() {
        let bsm = table[position].bsm as usize;
        assert!(index[bsm].is_none(), "BSM value listed twice");
        index[bsm] = Some(position as u8);
        position += 1;
    }
    index
}

/// Position in `table` of each Linux value, built and checked at compile time.
const fn index_by_linux(table: &[SocketConstant]) -> [Option<u8>; LINUX_LIMIT] {
    let mut index = [None; LINUX_LIMIT];
    let mut position = 0;
    while position < table.len() {
        if let Some(linux) = table[position].linux {
            let linux = linux as usize;
            assert!(index[linux].is_none(), "Linux value listed twice");
            index[linux] = Some(position as u8);
        }
        position += 1;
    }
    index
}

const DOMAIN_BY_BSM: [Option<u8>; BSM_LIMIT] = index_by_bsm(DOMAIN_TABLE);
const DOMAIN_BY_LINUX: [Option<u8>; LINUX_LIMIT] = index_by_linux(DOMAIN_TABLE);
const TYPE_BY_BSM: [Option<u8>; BSM_LIMIT] = index_by_bsm(TYPE_TABLE);
const TYPE_BY_LINUX: [Option<u8>; LINUX_LIMIT] = index_by_linux(TYPE_TABLE);

fn lookup(
    table: &'static [SocketConstant],
    index: &[Option<u8>],
    value: u16,
) -> Option<&'static SocketConstant> {
    let position = index.get(usize::from(value)).copied().flatten()?;
    table.get(usize::from(position))
}

/// The BSM socket domain numbered `bsm`.
pub fn domain(bsm: u16) -> Option<&'static SocketConstant> {
    lookup(DOMAINS, &DOMAIN_BY_BSM, bsm)
}

/// The BSM name of domain `bsm`, e.g. `PF_INET6` for 26.
pub fn domain_name(bsm: u16) -> Option<&'static str> {
    domain(bsm).map(|domain| domain.name)
}

/// The Linux address family for BSM domain `bsm`.
pub fn domain_to_linux(bsm: u16) -> Option<u16> {
    domain(bsm).and_then(|domain| domain.linux)
}

/// The BSM domain for Linux address family `linux`; `None` where BSM has none (write
/// [`DOMAIN_UNKNOWN`]).
pub fn domain_from_linux(linux: u16) -> Option<u16> {
    lookup(DOMAINS, &DOMAIN_BY_LINUX, linux).map(|domain| domain.bsm)
}

/// The BSM socket type numbered `bsm`.
pub fn socket_type(bsm: u16) -> Option<&'static SocketConstant> {
    lookup(TYPES, &TYPE_BY_BSM, bsm)
}

/// The BSM name of socket type `bsm`, e.g. `SOCK_STREAM` for 2.
pub fn type_name(bsm: u16) -> Option<&'static str> {
    socket_type(bsm).map(|socket_type| socket_type.name)
}

/// The Linux socket type for BSM type `bsm`.
pub fn type_to_linux(bsm: u16) -> Option<u16> {
    socket_type(bsm).and_then(|socket_type| socket_type.linux)
}

/// The BSM socket type for Linux type `linux` (without SOCK_NONBLOCK or SOCK_CLOEXEC); `None`
/// where BSM has none (write [`TYPE_UNKNOWN`]).
pub fn type_from_linux(linux: u16) -> Option<u16> {
    lookup(TYPES, &TYPE_BY_LINUX, linux).map(|socket_type| socket_type.bsm)
}
