//! Property tests: round trips in both directions, no panics on any input,
//! and whole records through `encode_record` and the splitters.

use bsm_format::ids::{self, is_known};
use bsm_format::{
    Arbitrary, Arg32, Arg64, Attr32, Attr64, AttrSolaris, Bytes, DEFAULT_MAX_RECORD_SIZE, DataUnit,
    ExecStrings, Exit, File32, File64, Groups, Header32, Header32Ex, Header64, Header64Ex,
    Identity, InAddr, InAddrEx, IpHeader, IpPort, Ipc, IpcPerm, NewGroups, OLD_GROUPS_COUNT,
    Opaque, OwnedItem, Path, PrintFormat, Privilege, ProcessIds, Record, Return32, Return64,
    Rights, Sequence, SockInet32, SockInet128, SockUnix, Socket, SocketEx, Splitter,
    StreamSplitter, StringList, Subject32, Subject32Ex, Subject64, Subject64Ex, Text, TextToken,
    Token, TrailItem, Trailer, U32List, U64List, Unknown, UseOfPrivilege, Uuid, Zone, decode_token,
    encode_record, encode_token, encoded_len,
};
use proptest::collection::vec;
use proptest::prelude::*;
use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

// ---------------------------------------------------------------------------
// Owned token specifications

/// One per `Token` variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    File,
    OtherFile64,
    Trailer,
    Header32,
    Header32Ex,
    Header64,
    Header64Ex,
    Arbitrary,
    Ipc,
    Path,
    Subject32,
    Process32,
    Subject64,
    Process64,
    Subject32Ex,
    Process32Ex,
    Subject64Ex,
    Process64Ex,
    Return32,
    Return64,
    Text,
    Opaque,
    InAddr,
    InAddrEx,
    Ip,
    IpPort,
    Arg32,
    Arg64,
    Socket,
    SocketEx,
    SockInet32,
    SockInet128,
    SockUnix,
    Sequence,
    IpcPerm,
    Privilege,
    UseOfPrivilege,
    NewGroups,
    Groups,
    ExecArgs,
    ExecEnv,
    Attr32,
    Attr64,
    Attr,
    Exit,
    Zone,
    ArgUuid,
    RetUuid,
    Rights,
    Identity,
    Unknown,
}

const KINDS: [Kind; 51] = [
    Kind::File,
    Kind::OtherFile64,
    Kind::Trailer,
    Kind::Header32,
    Kind::Header32Ex,
    Kind::Header64,
    Kind::Header64Ex,
    Kind::Arbitrary,
    Kind::Ipc,
    Kind::Path,
    Kind::Subject32,
    Kind::Process32,
    Kind::Subject64,
    Kind::Process64,
    Kind::Subject32Ex,
    Kind::Process32Ex,
    Kind::Subject64Ex,
    Kind::Process64Ex,
    Kind::Return32,
    Kind::Return64,
    Kind::Text,
    Kind::Opaque,
    Kind::InAddr,
    Kind::InAddrEx,
    Kind::Ip,
    Kind::IpPort,
    Kind::Arg32,
    Kind::Arg64,
    Kind::Socket,
    Kind::SocketEx,
    Kind::SockInet32,
    Kind::SockInet128,
    Kind::SockUnix,
    Kind::Sequence,
    Kind::IpcPerm,
    Kind::Privilege,
    Kind::UseOfPrivilege,
    Kind::NewGroups,
    Kind::Groups,
    Kind::ExecArgs,
    Kind::ExecEnv,
    Kind::Attr32,
    Kind::Attr64,
    Kind::Attr,
    Kind::Exit,
    Kind::Zone,
    Kind::ArgUuid,
    Kind::RetUuid,
    Kind::Rights,
    Kind::Identity,
    Kind::Unknown,
];

const HEADER_KINDS: [Kind; 4] = [
    Kind::Header32,
    Kind::Header32Ex,
    Kind::Header64,
    Kind::Header64Ex,
];

/// The owned field values of one token: numbers (cut to each field's
/// width), two addresses of the same family, and byte buffers that
/// `normalize` has made valid for the kind.
#[derive(Debug, Clone)]
struct Spec {
    kind: Kind,
    n: [u64; 10],
    a: IpAddr,
    b: IpAddr,
    bufs: [Vec<u8>; 3],
}

/// Ids the crate keeps as opaque `Unknown` tokens.
fn unknown_ids() -> Vec<u8> {
    (0..=255u8).filter(|&id| !is_known(id)).collect()
}

fn addr(v6: bool, octets: [u8; 16]) -> IpAddr {
    if v6 {
        IpAddr::V6(Ipv6Addr::from(octets))
    } else {
        IpAddr::V4(Ipv4Addr::new(octets[0], octets[1], octets[2], octets[3]))
    }
}

fn v4(n: u64) -> Ipv4Addr {
    Ipv4Addr::from(n as u32)
}

/// Bytes of `len` taken from `src`, cycled (or a pattern if `src` is empty).
fn sized(src: &[u8], len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| {
            if src.is_empty() {
                i as u8
            } else {
                src[i % src.len()]
            }
        })
        .collect()
}

/// Makes the buffers satisfy what the encoder accepts and the decoder reads
/// back identically.
fn normalize(mut s: Spec) -> Spec {
    match s.kind {
        Kind::Arbitrary => {
            let unit = DataUnit::from_byte((s.n[1] % 4) as u8).unwrap();
            let count = s.n[2] as u8;
            s.bufs[0] = sized(&s.bufs[0], usize::from(count) * unit.size());
        }
        Kind::SockUnix => {
            let mut path: Vec<u8> = s.bufs[0].iter().copied().filter(|&b| b != 0).collect();
            path.truncate(104);
            path.push(0);
            s.bufs[0] = path;
        }
        Kind::ExecArgs | Kind::ExecEnv => {
            // About one byte in eight becomes a NUL, so there are several
            // strings, empty ones among them; the last one is terminated.
            let mut raw: Vec<u8> = s.bufs[0]
                .iter()
                .map(|&b| if b % 8 == 0 { 0 } else { b })
                .collect();
            if raw.last().is_some_and(|&b| b != 0) {
                raw.push(0);
            }
            s.bufs[0] = raw;
        }
        Kind::Rights => {
            let version = s.n[0] % 4;
            let first = (s.n[1] & !(3 << 62)) | (version << 62);
            let mut raw = Vec::new();
            raw.extend_from_slice(&first.to_be_bytes());
            for i in 0..=version as usize {
                raw.extend_from_slice(&s.n[2 + i].to_be_bytes());
            }
            assert_eq!(raw.len(), 8 * Rights::word_count(first));
            s.bufs[0] = raw;
        }
        Kind::NewGroups => {
            let whole = s.bufs[0].len() / 4 * 4;
            s.bufs[0].truncate(whole);
        }
        Kind::Groups => s.bufs[0] = sized(&s.bufs[0], 4 * OLD_GROUPS_COUNT),
        _ => {}
    }
    s
}

fn spec_of(kinds: Vec<Kind>) -> impl Strategy<Value = Spec> {
    (
        prop::sample::select(kinds),
        prop::array::uniform10(any::<u64>()),
        any::<bool>(),
        any::<[u8; 16]>(),
        any::<[u8; 16]>(),
        vec(any::<u8>(), 0..300),
        vec(any::<u8>(), 0..40),
        vec(any::<u8>(), 0..40),
    )
        .prop_map(|(kind, n, v6, a, b, buf0, buf1, buf2)| {
            normalize(Spec {
                kind,
                n,
                a: addr(v6, a),
                b: addr(v6, b),
                bufs: [buf0, buf1, buf2],
            })
        })
}

fn any_spec() -> impl Strategy<Value = Spec> {
    spec_of(KINDS.to_vec())
}

/// Any kind that may stand anywhere in a record body (not `Unknown`, which
/// runs to the trailer).
fn body_spec() -> impl Strategy<Value = Spec> {
    spec_of(
        KINDS
            .iter()
            .copied()
            .filter(|&k| k != Kind::Unknown)
            .collect(),
    )
}

fn header_spec() -> impl Strategy<Value = Spec> {
    spec_of(HEADER_KINDS.to_vec())
}

fn unknown_spec() -> impl Strategy<Value = Spec> {
    spec_of(vec![Kind::Unknown])
}

fn ids_of(n: &[u64; 10]) -> ProcessIds {
    ProcessIds {
        auid: n[0] as u32,
        euid: (n[0] >> 32) as u32,
        egid: n[1] as u32,
        ruid: (n[1] >> 32) as u32,
        rgid: n[2] as u32,
        pid: (n[2] >> 32) as u32,
        sid: n[3] as u32,
    }
}

fn uuid_of(n: &[u64; 10]) -> [u8; 16] {
    let mut uuid = [0; 16];
    uuid[..8].copy_from_slice(&n[4].to_be_bytes());
    uuid[8..].copy_from_slice(&n[5].to_be_bytes());
    uuid
}

/// The borrowed token that `s` describes.
fn token(s: &Spec) -> Token<'_> {
    let n = &s.n;
    let [b0, b1, b2] = &s.bufs;
    let t0 = Text::from_raw(b0);
    let t1 = Text::from_raw(b1);
    match s.kind {
        Kind::File => Token::File(File32 {
            seconds: n[0] as u32,
            milliseconds: n[1] as u32,
            name: t0,
        }),
        Kind::OtherFile64 => Token::OtherFile64(File64 {
            seconds: n[0],
            milliseconds: n[1],
            name: t0,
        }),
        Kind::Trailer => Token::Trailer(Trailer {
            magic: n[0] as u16,
            size: n[1] as u32,
        }),
        Kind::Header32 => Token::Header32(Header32 {
            size: n[0] as u32,
            version: n[1] as u8,
            event: n[2] as u16,
            modifier: n[3] as u16,
            seconds: n[4] as u32,
            milliseconds: n[5] as u32,
        }),
        Kind::Header32Ex => Token::Header32Ex(Header32Ex {
            size: n[0] as u32,
            version: n[1] as u8,
            event: n[2] as u16,
            modifier: n[3] as u16,
            host: s.a,
            seconds: n[4] as u32,
            milliseconds: n[5] as u32,
        }),
        Kind::Header64 => Token::Header64(Header64 {
            size: n[0] as u32,
            version: n[1] as u8,
            event: n[2] as u16,
            modifier: n[3] as u16,
            seconds: n[4],
            milliseconds: n[5],
        }),
        Kind::Header64Ex => Token::Header64Ex(Header64Ex {
            size: n[0] as u32,
            version: n[1] as u8,
            event: n[2] as u16,
            modifier: n[3] as u16,
            host: s.a,
            seconds: n[4],
            milliseconds: n[5],
        }),
        Kind::Arbitrary => Token::Arbitrary(Arbitrary {
            format: PrintFormat::from_byte(n[0] as u8),
            unit: DataUnit::from_byte((n[1] % 4) as u8).unwrap(),
            count: n[2] as u8,
            data: Bytes(b0),
        }),
        Kind::Ipc => Token::Ipc(Ipc {
            ipc_type: n[0] as u8,
            id: n[1] as u32,
        }),
        Kind::Path => Token::Path(Path { path: t0 }),
        Kind::Subject32 | Kind::Process32 => {
            let v = Subject32 {
                ids: ids_of(n),
                port: n[4] as u32,
                addr: v4(n[5]),
            };
            if s.kind == Kind::Subject32 {
                Token::Subject32(v)
            } else {
                Token::Process32(v)
            }
        }
        Kind::Subject64 | Kind::Process64 => {
            let v = Subject64 {
                ids: ids_of(n),
                port: n[4],
                addr: v4(n[5]),
            };
            if s.kind == Kind::Subject64 {
                Token::Subject64(v)
            } else {
                Token::Process64(v)
            }
        }
        Kind::Subject32Ex | Kind::Process32Ex => {
            let v = Subject32Ex {
                ids: ids_of(n),
                port: n[4] as u32,
                addr: s.a,
            };
            if s.kind == Kind::Subject32Ex {
                Token::Subject32Ex(v)
            } else {
                Token::Process32Ex(v)
            }
        }
        Kind::Subject64Ex | Kind::Process64Ex => {
            let v = Subject64Ex {
                ids: ids_of(n),
                port: n[4],
                addr: s.a,
            };
            if s.kind == Kind::Subject64Ex {
                Token::Subject64Ex(v)
            } else {
                Token::Process64Ex(v)
            }
        }
        Kind::Return32 => Token::Return32(Return32 {
            status: n[0] as u8,
            value: n[1] as u32,
        }),
        Kind::Return64 => Token::Return64(Return64 {
            status: n[0] as u8,
            value: n[1],
        }),
        Kind::Text => Token::Text(TextToken { text: t0 }),
        Kind::Opaque => Token::Opaque(Opaque { data: Bytes(b0) }),
        Kind::InAddr => Token::InAddr(InAddr { addr: v4(n[0]) }),
        Kind::InAddrEx => Token::InAddrEx(InAddrEx { addr: s.a }),
        Kind::Ip => Token::Ip(IpHeader {
            version: n[0] as u8,
            tos: (n[0] >> 8) as u8,
            length: (n[0] >> 16) as u16,
            id: (n[0] >> 32) as u16,
            offset: (n[0] >> 48) as u16,
            ttl: n[1] as u8,
            protocol: (n[1] >> 8) as u8,
            checksum: (n[1] >> 16) as u16,
            source: v4(n[2]),
            destination: v4(n[3]),
        }),
        Kind::IpPort => Token::IpPort(IpPort { port: n[0] as u16 }),
        Kind::Arg32 => Token::Arg32(Arg32 {
            number: n[0] as u8,
            value: n[1] as u32,
            text: t0,
        }),
        Kind::Arg64 => Token::Arg64(Arg64 {
            number: n[0] as u8,
            value: n[1],
            text: t0,
        }),
        Kind::Socket => Token::Socket(Socket {
            socket_type: n[0] as u16,
            local_port: n[1] as u16,
            local_addr: v4(n[2]),
            remote_port: n[3] as u16,
            remote_addr: v4(n[4]),
        }),
        Kind::SocketEx => Token::SocketEx(SocketEx {
            domain: n[0] as u16,
            socket_type: n[1] as u16,
            local_port: n[2] as u16,
            local_addr: s.a,
            remote_port: n[3] as u16,
            remote_addr: s.b,
        }),
        Kind::SockInet32 => Token::SockInet32(SockInet32 {
            family: n[0] as u16,
            port: n[1] as u16,
            addr: v4(n[2]),
        }),
        Kind::SockInet128 => Token::SockInet128(SockInet128 {
            family: n[0] as u16,
            port: n[1] as u16,
            addr: Ipv6Addr::from(u128::from(n[2]) << 64 | u128::from(n[3])),
        }),
        Kind::SockUnix => Token::SockUnix(SockUnix {
            family: n[0] as u16,
            path: t0,
        }),
        Kind::Sequence => Token::Sequence(Sequence {
            sequence: n[0] as u32,
        }),
        Kind::IpcPerm => Token::IpcPerm(IpcPerm {
            uid: n[0] as u32,
            gid: n[1] as u32,
            creator_uid: n[2] as u32,
            creator_gid: n[3] as u32,
            mode: n[4] as u32,
            sequence: n[5] as u32,
            key: n[6] as u32,
        }),
        Kind::Privilege => Token::Privilege(Privilege {
            set: t0,
            privileges: t1,
        }),
        Kind::UseOfPrivilege => Token::UseOfPrivilege(UseOfPrivilege {
            success: n[0] as u8,
            privilege: t0,
        }),
        Kind::NewGroups => Token::NewGroups(NewGroups {
            gids: U32List::from_raw(b0),
        }),
        Kind::Groups => Token::Groups(Groups {
            gids: U32List::from_raw(b0),
        }),
        Kind::ExecArgs | Kind::ExecEnv => {
            let count = b0.iter().filter(|&&b| b == 0).count() as u32;
            let strings = ExecStrings {
                strings: StringList::from_raw(count, b0),
            };
            if s.kind == Kind::ExecArgs {
                Token::ExecArgs(strings)
            } else {
                Token::ExecEnv(strings)
            }
        }
        Kind::Attr32 => Token::Attr32(Attr32 {
            mode: n[0] as u32,
            uid: n[1] as u32,
            gid: n[2] as u32,
            fsid: n[3] as u32,
            node_id: n[4],
            device: n[5] as u32,
        }),
        Kind::Attr64 => Token::Attr64(Attr64 {
            mode: n[0] as u32,
            uid: n[1] as u32,
            gid: n[2] as u32,
            fsid: n[3] as u32,
            node_id: n[4],
            device: n[5],
        }),
        Kind::Attr => Token::Attr(AttrSolaris {
            mode: n[0] as u32,
            uid: n[1] as u32,
            gid: n[2] as u32,
            fsid: n[3] as u32,
            node_id: n[4] as u32,
            device: n[5] as u32,
        }),
        Kind::Exit => Token::Exit(Exit {
            status: n[0] as u32,
            value: n[1] as u32,
        }),
        Kind::Zone => Token::Zone(Zone { zone: t0 }),
        Kind::ArgUuid | Kind::RetUuid => {
            let v = Uuid {
                number: n[0] as u8,
                uuid: uuid_of(n),
                text: t1,
            };
            if s.kind == Kind::ArgUuid {
                Token::ArgUuid(v)
            } else {
                Token::RetUuid(v)
            }
        }
        Kind::Rights => Token::Rights(Rights {
            words: U64List::from_raw(b0),
        }),
        Kind::Identity => Token::Identity(Identity {
            signer_type: n[0] as u32,
            signing_id: t0,
            signing_id_truncated: n[1] as u8,
            team_id: t1,
            team_id_truncated: n[2] as u8,
            cdhash: Bytes(b2),
        }),
        Kind::Unknown => {
            let unknown = unknown_ids();
            Token::Unknown(Unknown {
                id: unknown[(n[0] % unknown.len() as u64) as usize],
                bytes: Bytes(b0),
            })
        }
    }
}

fn encode(token: &Token<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    encode_token(token, &mut out).unwrap_or_else(|e| panic!("{token:?} refused: {e}"));
    out
}

fn with_size<'a>(header: &Token<'a>, size: u32) -> Token<'a> {
    let mut header = *header;
    match &mut header {
        Token::Header32(h) => h.size = size,
        Token::Header32Ex(h) => h.size = size,
        Token::Header64(h) => h.size = size,
        Token::Header64Ex(h) => h.size = size,
        other => panic!("not a header: {other:?}"),
    }
    header
}

/// Runs every reading entry point over `b`; none may panic or loop.
fn exercise_everything(b: &[u8]) {
    let _ = decode_token(b);
    if let Ok(record) = Record::parse(b, 0) {
        exercise_record(&record, b.len());
    }

    let mut items = 0;
    for item in Splitter::new(b).take(b.len() + 2) {
        items += 1;
        if let Ok(TrailItem::Record(record)) = item {
            exercise_record(&record, b.len());
        }
    }
    assert!(items <= b.len() + 1, "Splitter yielded {items} items");

    let mut items = 0;
    for item in StreamSplitter::new(b).take(b.len() + 2) {
        items += 1;
        if let Ok(OwnedItem::Record(record)) = item {
            exercise_record(&record.record(), b.len());
        }
    }
    assert!(items <= b.len() + 1, "StreamSplitter yielded {items} items");
}

/// The slice splitter (with the stream splitter's size limit) and the
/// stream splitter give the same items and the same error.
fn splitters_agree(b: &[u8]) -> Result<(), TestCaseError> {
    let from_slice: Vec<_> = Splitter::new(b)
        .with_max_record_size(DEFAULT_MAX_RECORD_SIZE)
        .take(b.len() + 2)
        .map(|item| item.map(|i| (i.offset(), i.bytes().to_vec())))
        .collect();
    let from_stream: Vec<_> = StreamSplitter::new(b)
        .take(b.len() + 2)
        .map(|item| item.map(|i| (i.offset(), i.bytes().to_vec())))
        .collect();
    prop_assert_eq!(from_slice, from_stream);
    Ok(())
}

fn exercise_record(record: &Record<'_>, input_len: usize) {
    let tokens = record.tokens().take(input_len + 2).count();
    assert!(tokens <= record.bytes().len(), "{tokens} tokens");
    let _ = record.body().take(input_len + 2).count();
    let _ = record.subject();
    let _ = record.process();
    let _ = record.return_value();
    let _ = record.paths().take(input_len + 2).count();
    let _ = record.exec_args().map(|a| a.iter().count());
    let _ = record.time();
    let _ = serde_json::to_string(record).unwrap();
}

/// Bytes that start like a record: a header id and a size near the length.
fn headerish_bytes() -> impl Strategy<Value = Vec<u8>> {
    (
        prop::sample::select(vec![
            ids::HEADER32,
            ids::HEADER32_EX,
            ids::HEADER64,
            ids::HEADER64_EX,
        ]),
        vec(any::<u8>(), 0..400),
        -40i64..40,
        prop::sample::select(vec![1u8, 2, 10, 11]),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(id, tail, delta, version, v6, trailer)| {
            let mut b = vec![id, 0, 0, 0, 0, version];
            b.extend_from_slice(&tail);
            let size = (b.len() as i64 + delta).max(0) as u32;
            b[1..5].copy_from_slice(&size.to_be_bytes());
            // Make `_ex` address types plausible more often than not.
            if matches!(id, ids::HEADER32_EX | ids::HEADER64_EX) && b.len() >= 14 {
                b[10..14].copy_from_slice(&(if v6 { 16u32 } else { 4 }).to_be_bytes());
            }
            // And often end the claimed record with a matching trailer.
            let size = size as usize;
            if trailer && size >= 7 && size <= b.len() {
                b[size - 7] = ids::TRAILER;
                b[size - 6..size - 4].copy_from_slice(&ids::TRAILER_MAGIC.to_be_bytes());
                b[size - 4..size].copy_from_slice(&(size as u32).to_be_bytes());
            }
            b
        })
}

/// A valid record (any header form and body) with some bytes changed and
/// possibly cut short.
fn damaged_record() -> impl Strategy<Value = Vec<u8>> {
    (
        header_spec(),
        vec(body_spec(), 0..5),
        vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
        any::<prop::sample::Index>(),
        any::<bool>(),
    )
        .prop_map(|(header, body, changes, cut, do_cut)| {
            let body: Vec<Token<'_>> = body.iter().map(token).collect();
            let mut b = Vec::new();
            encode_record(&token(&header), &body, &mut b).unwrap();
            for (at, value) in changes {
                let i = at.index(b.len());
                b[i] = value;
            }
            if do_cut {
                b.truncate(cut.index(b.len() + 1));
            }
            b
        })
}

// ---------------------------------------------------------------------------
// (a) decode(encode(t)) == t

#[test]
fn every_variant_has_a_kind_and_every_known_id_is_generated() {
    let zeros = Spec {
        kind: Kind::File,
        n: [0; 10],
        a: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        b: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        bufs: [vec![], vec![], vec![]],
    };
    let mut seen = BTreeSet::new();
    for kind in KINDS {
        let spec = normalize(Spec {
            kind,
            ..zeros.clone()
        });
        let t = token(&spec);
        seen.insert(t.id());
        // Each kind is valid for the encoder, even with all-zero fields.
        let bytes = encode(&t);
        assert_eq!(decode_token(&bytes).unwrap(), (t, bytes.len()));
    }
    let known: BTreeSet<u8> = (0..=255u8).filter(|&id| is_known(id)).collect();
    let unknown: Vec<u8> = seen.difference(&known).copied().collect();
    assert_eq!(
        unknown.len(),
        1,
        "exactly one unknown id from Kind::Unknown"
    );
    assert!(known.is_subset(&seen), "missing ids: {:?}", {
        known.difference(&seen).collect::<Vec<_>>()
    });
}

proptest! {
    #[test]
    fn decode_of_encode_gives_the_token_back(spec in any_spec()) {
        let t = token(&spec);
        let mut out = Vec::new();
        encode_token(&t, &mut out).unwrap();
        prop_assert_eq!(out.len(), encoded_len(&t));
        prop_assert_eq!(out[0], t.id());
        // A lone token: an unknown one runs to the end of the input.
        let (decoded, len) = decode_token(&out).unwrap();
        prop_assert_eq!(decoded, t);
        prop_assert_eq!(len, out.len());
        // Known tokens know their own length: bytes after them are left.
        if spec.kind != Kind::Unknown {
            let mut padded = out.clone();
            padded.extend_from_slice(&[0x13, 0xb1, 0x05, 0, 0, 0, 0]);
            let (decoded, len) = decode_token(&padded).unwrap();
            prop_assert_eq!(decoded, t);
            prop_assert_eq!(len, out.len());
        }
    }

    // (b) encode(decode(b)) == b[..len]

    #[test]
    fn encode_of_decode_gives_the_bytes_back(b in vec(any::<u8>(), 0..600)) {
        if let Ok((t, len)) = decode_token(&b) {
            prop_assert!(len >= 1 && len <= b.len());
            prop_assert_eq!(encoded_len(&t), len);
            let mut out = Vec::new();
            encode_token(&t, &mut out).unwrap();
            prop_assert_eq!(&out[..], &b[..len]);
        }
    }

    #[test]
    fn encode_of_decode_gives_the_bytes_back_for_known_ids(
        id in prop::sample::select((0..=255u8).filter(|&id| is_known(id)).collect::<Vec<_>>()),
        rest in vec(any::<u8>(), 0..600),
    ) {
        let mut b = vec![id];
        b.extend_from_slice(&rest);
        if let Ok((t, len)) = decode_token(&b) {
            prop_assert_eq!(t.id(), id);
            prop_assert_eq!(encoded_len(&t), len);
            let mut out = Vec::new();
            encode_token(&t, &mut out).unwrap();
            prop_assert_eq!(&out[..], &b[..len]);
        }
    }

}

// (c) no panics, termination; and both splitters agree on any input.
proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn arbitrary_bytes_never_panic(b in vec(any::<u8>(), 0..2048)) {
        exercise_everything(&b);
        splitters_agree(&b)?;
    }

    #[test]
    fn header_like_bytes_never_panic(b in headerish_bytes()) {
        exercise_everything(&b);
        splitters_agree(&b)?;
    }

    #[test]
    fn damaged_records_never_panic(b in damaged_record()) {
        exercise_everything(&b);
        splitters_agree(&b)?;
    }
}

proptest! {
    // (d) records

    #[test]
    fn encoded_records_split_back_into_their_tokens(
        header in header_spec(),
        body in vec(body_spec(), 0..8),
        last in prop::option::of(unknown_spec()),
    ) {
        let header = token(&header);
        let mut body: Vec<Token<'_>> = body.iter().map(token).collect();
        if let Some(last) = &last {
            body.push(token(last));
        }
        let mut out = Vec::new();
        let size = encode_record(&header, &body, &mut out).unwrap();
        prop_assert_eq!(size as usize, out.len());

        let mut expected = vec![with_size(&header, size)];
        expected.extend_from_slice(&body);
        expected.push(Token::Trailer(Trailer { magic: 0xb105, size }));

        let items: Vec<_> = Splitter::new(&out).collect();
        prop_assert_eq!(items.len(), 1);
        let record = match &items[0] {
            Ok(TrailItem::Record(r)) => *r,
            other => return Err(TestCaseError::fail(format!("expected a record, got {other:?}"))),
        };
        prop_assert_eq!(record.offset(), 0);
        prop_assert_eq!(record.bytes(), &out[..]);
        prop_assert_eq!(record.header().size, size);
        let tokens: Vec<_> = record.tokens().collect::<Result<_, _>>().unwrap();
        prop_assert_eq!(&tokens, &expected);

        // The same through the stream splitter.
        let owned: Vec<_> = StreamSplitter::new(&out[..]).collect();
        prop_assert_eq!(owned.len(), 1);
        let owned = match &owned[0] {
            Ok(OwnedItem::Record(r)) => r.clone(),
            other => return Err(TestCaseError::fail(format!("expected a record, got {other:?}"))),
        };
        prop_assert_eq!(&owned.bytes()[..], &out[..]);
        let tokens: Vec<_> = owned.record().tokens().collect::<Result<_, _>>().unwrap();
        prop_assert_eq!(&tokens, &expected);
    }

    #[test]
    fn several_records_split_at_their_boundaries(
        records in vec((header_spec(), vec(body_spec(), 0..4)), 1..5),
    ) {
        let mut trail = Vec::new();
        let mut bounds = Vec::new();
        for (header, body) in &records {
            let body: Vec<Token<'_>> = body.iter().map(token).collect();
            let start = trail.len();
            let size = encode_record(&token(header), &body, &mut trail).unwrap();
            bounds.push((start as u64, size as usize));
        }
        let got: Vec<(u64, usize)> = Splitter::new(&trail)
            .map(|item| {
                let item = item.unwrap();
                (item.offset(), item.bytes().len())
            })
            .collect();
        prop_assert_eq!(&got, &bounds);
        let got: Vec<(u64, usize)> = StreamSplitter::new(&trail[..])
            .map(|item| {
                let item = item.unwrap();
                (item.offset(), item.bytes().len())
            })
            .collect();
        prop_assert_eq!(&got, &bounds);
    }
}
