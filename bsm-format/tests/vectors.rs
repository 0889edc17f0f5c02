//! Hand-derived vectors: every token's bytes written out field by field from
//! the layout table of `shared/docs/bsm-format.md` (never produced by our
//! encoder), checked against the decoder (value and length) and the encoder
//! (exact bytes), plus whole records and the error cases.

use bsm_format::{
    Arbitrary, Arg32, Arg64, Attr32, Attr64, AttrSolaris, Bytes, DataUnit, Error, ErrorKind,
    ExecStrings, Exit, File32, File64, Groups, Header32, Header32Ex, Header64, Header64Ex,
    Identity, InAddr, InAddrEx, IpHeader, IpPort, Ipc, IpcPerm, NewGroups, Opaque, Path,
    PrintFormat, Privilege, ProcessIds, Record, Return32, Return64, Rights, Sequence, SockInet32,
    SockInet128, SockUnix, Socket, SocketEx, StringList, Subject32, Subject32Ex, Subject64,
    Subject64Ex, Text, TextToken, Token, Trailer, TrailerFault, U32List, U64List, Unknown,
    UseOfPrivilege, Uuid, Zone, decode_token, encode_record, encode_token, encoded_len,
};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

// ---------------------------------------------------------------------------
// helpers

fn text(raw: &[u8]) -> Text<'_> {
    Text::from_raw(raw)
}

/// Decodes `bytes` (alone and followed by junk), expecting `expected` over
/// the whole length, and encodes `expected`, expecting exactly `bytes`.
fn check(bytes: &[u8], expected: Token<'_>) {
    let (token, len) = decode_token(bytes).unwrap_or_else(|e| panic!("decode failed: {e}"));
    assert_eq!(token, expected, "decoded value");
    assert_eq!(len, bytes.len(), "decoded length");

    // Bytes after the token are not part of it.
    let mut padded = bytes.to_vec();
    padded.extend_from_slice(&[0x13, 0xb1, 0x05, 0xaa]);
    let (token, len) = decode_token(&padded).unwrap();
    assert_eq!(token, expected, "decoded value with trailing bytes");
    assert_eq!(len, bytes.len(), "decoded length with trailing bytes");

    let mut out = Vec::new();
    encode_token(&expected, &mut out).unwrap_or_else(|e| panic!("encode failed: {e}"));
    assert_eq!(out, bytes, "encoded bytes");
    assert_eq!(encoded_len(&expected), bytes.len(), "encoded_len");
}

fn encode_err(token: &Token<'_>) -> (Error, Vec<u8>) {
    let mut out = Vec::new();
    let err = encode_token(token, &mut out).expect_err("encoder should refuse");
    (err, out)
}

fn decode_err(bytes: &[u8]) -> Error {
    decode_token(bytes).expect_err("decoder should fail")
}

/// The seven ids of the subject and process vectors, as laid out on the wire.
const IDS: ProcessIds = ProcessIds {
    auid: 1000,
    euid: 1001,
    egid: 20,
    ruid: 1002,
    rgid: 21,
    pid: 4242,
    sid: 77,
};

const DB8_1: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1);
const DB8_2: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 2);

// ---------------------------------------------------------------------------
// file, trailer, headers

#[test]
fn file_token_0x11() {
    let bytes = [
        0x11, // file id
        0x65, 0x53, 0xf1, 0x00, // seconds 1700000000
        0x00, 0x00, 0x00, 0x7b, // msec 123
        0x00, 0x06, // name length 6 (NUL included)
        b't', b'r', b'a', b'i', b'l', 0x00, // "trail\0"
    ];
    check(
        &bytes,
        Token::File(File32 {
            seconds: 1_700_000_000,
            milliseconds: 123,
            name: text(b"trail\0"),
        }),
    );
}

#[test]
fn other_file64_token_0x78() {
    let bytes = [
        0x78, // other_file64 id
        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, // seconds 2^32 + 2
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xe7, // msec 999
        0x00, 0x03, // name length 3
        b'a', b'b', 0x00, // "ab\0"
    ];
    check(
        &bytes,
        Token::OtherFile64(File64 {
            seconds: (1 << 32) + 2,
            milliseconds: 999,
            name: text(b"ab\0"),
        }),
    );
}

#[test]
fn trailer_token() {
    let bytes = [
        0x13, // trailer id
        0xb1, 0x05, // magic
        0x00, 0x00, 0x01, 0x38, // size 312
    ];
    check(
        &bytes,
        Token::Trailer(Trailer {
            magic: 0xb105,
            size: 312,
        }),
    );
}

#[test]
fn header32_token() {
    let bytes = [
        0x14, // header32 id
        0x00, 0x00, 0x00, 0x38, // size 56
        0x0b, // version 11
        0x00, 0x48, // event 72 (AUE_OPEN_R)
        0x01, 0x02, // modifier 0x0102
        0x65, 0x53, 0xf1, 0x00, // seconds 1700000000
        0x00, 0x00, 0x00, 0x7b, // msec 123
    ];
    check(
        &bytes,
        Token::Header32(Header32 {
            size: 56,
            version: 11,
            event: 72,
            modifier: 0x0102,
            seconds: 1_700_000_000,
            milliseconds: 123,
        }),
    );
}

#[test]
fn header32_ex_token_ipv4() {
    let bytes = [
        0x15, // header32_ex id
        0x00, 0x00, 0x01, 0x00, // size 256
        0x0b, // version 11
        0x80, 0x01, // event 32769
        0x00, 0x00, // modifier 0
        0x00, 0x00, 0x00, 0x04, // address type 4 (IPv4)
        0x0a, 0x00, 0x00, 0x01, // host 10.0.0.1
        0x65, 0x53, 0xf1, 0x00, // seconds 1700000000
        0x00, 0x00, 0x03, 0xe7, // msec 999
    ];
    check(
        &bytes,
        Token::Header32Ex(Header32Ex {
            size: 256,
            version: 11,
            event: 32769,
            modifier: 0,
            host: IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)),
            seconds: 1_700_000_000,
            milliseconds: 999,
        }),
    );
}

#[test]
fn header32_ex_token_ipv6() {
    let bytes = [
        0x15, // header32_ex id
        0x00, 0x00, 0x00, 0x40, // size 64
        0x0a, // version 10
        0x00, 0x17, // event 23 (AUE_EXECVE)
        0xff, 0xff, // modifier 0xffff
        0x00, 0x00, 0x00, 0x10, // address type 16 (IPv6)
        0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, // host 2001:db8::1 ...
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, // ... (last 8 bytes)
        0x00, 0x00, 0x00, 0x01, // seconds 1
        0x00, 0x00, 0x00, 0x02, // msec 2
    ];
    check(
        &bytes,
        Token::Header32Ex(Header32Ex {
            size: 64,
            version: 10,
            event: 23,
            modifier: 0xffff,
            host: IpAddr::V6(DB8_1),
            seconds: 1,
            milliseconds: 2,
        }),
    );
}

#[test]
fn header64_token() {
    let bytes = [
        0x74, // header64 id
        0x00, 0x01, 0x00, 0x00, // size 65536
        0x0b, // version 11
        0x00, 0x48, // event 72
        0x00, 0x03, // modifier 3
        0x00, 0x00, 0x00, 0x00, 0x65, 0x53, 0xf1, 0x00, // seconds 1700000000 (u64)
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x7b, // msec 123 (u64)
    ];
    check(
        &bytes,
        Token::Header64(Header64 {
            size: 65536,
            version: 11,
            event: 72,
            modifier: 3,
            seconds: 1_700_000_000,
            milliseconds: 123,
        }),
    );
}

#[test]
fn header64_ex_token_ipv4() {
    let bytes = [
        0x79, // header64_ex id
        0x00, 0x00, 0x00, 0x29, // size 41
        0x0b, // version 11
        0x00, 0x02, // event 2
        0x00, 0x00, // modifier 0
        0x00, 0x00, 0x00, 0x04, // address type 4
        0xc0, 0xa8, 0x01, 0x0a, // host 192.168.1.10
        0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, // seconds 0x0102030405060708
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // msec 0
    ];
    check(
        &bytes,
        Token::Header64Ex(Header64Ex {
            size: 41,
            version: 11,
            event: 2,
            modifier: 0,
            host: IpAddr::V4(Ipv4Addr::new(192, 168, 1, 10)),
            seconds: 0x0102_0304_0506_0708,
            milliseconds: 0,
        }),
    );
}

#[test]
fn header64_ex_token_ipv6() {
    let bytes = [
        0x79, // header64_ex id
        0x00, 0x00, 0x00, 0x35, // size 53
        0x0b, // version 11
        0x00, 0x01, // event 1 (AUE_EXIT)
        0x00, 0x00, // modifier 0
        0x00, 0x00, 0x00, 0x10, // address type 16
        0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // host fe80::1:2 ...
        0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x02, // ...
        0x00, 0x00, 0x00, 0x00, 0x65, 0x53, 0xf1, 0x00, // seconds 1700000000
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x7b, // msec 123
    ];
    check(
        &bytes,
        Token::Header64Ex(Header64Ex {
            size: 53,
            version: 11,
            event: 1,
            modifier: 0,
            host: IpAddr::V6(Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 1, 2)),
            seconds: 1_700_000_000,
            milliseconds: 123,
        }),
    );
}

/// A minimal record, header32 and trailer, 25 bytes, with the version byte
/// set: versions 1 (old Darwin), 2 (Solaris), 10 and 11 are all accepted.
#[test]
fn header_versions_1_2_10_11_are_accepted() {
    for version in [1u8, 2, 10, 11] {
        let mut bytes = [
            0x14, // header32 id
            0x00, 0x00, 0x00, 0x19, // size 25
            0x00, // version: set below
            0x00, 0x48, // event 72
            0x00, 0x00, // modifier 0
            0x65, 0x53, 0xf1, 0x00, // seconds 1700000000
            0x00, 0x00, 0x00, 0x7b, // msec 123
            0x13, // trailer id
            0xb1, 0x05, // magic
            0x00, 0x00, 0x00, 0x19, // size 25
        ];
        bytes[5] = version;
        let header = Token::Header32(Header32 {
            size: 25,
            version,
            event: 72,
            modifier: 0,
            seconds: 1_700_000_000,
            milliseconds: 123,
        });
        check(&bytes[..18], header);
        let record =
            Record::parse(&bytes, 0).unwrap_or_else(|e| panic!("version {version} refused: {e}"));
        assert_eq!(record.header().version, version);
        let tokens: Vec<_> = record.tokens().map(Result::unwrap).collect();
        assert_eq!(
            tokens,
            [
                header,
                Token::Trailer(Trailer {
                    magic: 0xb105,
                    size: 25
                })
            ]
        );
        let mut out = Vec::new();
        let size = encode_record(&header, &[], &mut out).unwrap();
        assert_eq!(size, 25);
        assert_eq!(out, bytes);
    }
}

// ---------------------------------------------------------------------------
// arbitrary data

#[test]
fn arbitrary_bytes_hex() {
    let bytes = [
        0x21, // arbitrary id
        0x03, // how to print: hex
        0x00, // unit: byte
        0x03, // count 3
        0x01, 0x02, 0xff, // data
    ];
    let token = Arbitrary {
        format: PrintFormat::Hex,
        unit: DataUnit::Byte,
        count: 3,
        data: Bytes(&[0x01, 0x02, 0xff]),
    };
    check(&bytes, Token::Arbitrary(token));
    assert_eq!(token.values().collect::<Vec<_>>(), [1, 2, 255]);
}

#[test]
fn arbitrary_shorts_decimal() {
    let bytes = [
        0x21, // arbitrary id
        0x02, // how to print: decimal
        0x01, // unit: short
        0x02, // count 2
        0x01, 0x02, // 0x0102
        0xff, 0xfe, // 0xfffe
    ];
    let token = Arbitrary {
        format: PrintFormat::Decimal,
        unit: DataUnit::Short,
        count: 2,
        data: Bytes(&[0x01, 0x02, 0xff, 0xfe]),
    };
    check(&bytes, Token::Arbitrary(token));
    assert_eq!(token.values().collect::<Vec<_>>(), [0x0102, 0xfffe]);
}

#[test]
fn arbitrary_int32_octal() {
    let bytes = [
        0x21, // arbitrary id
        0x01, // how to print: octal
        0x02, // unit: int32
        0x01, // count 1
        0xde, 0xad, 0xbe, 0xef, // 0xdeadbeef
    ];
    let token = Arbitrary {
        format: PrintFormat::Octal,
        unit: DataUnit::Int32,
        count: 1,
        data: Bytes(&[0xde, 0xad, 0xbe, 0xef]),
    };
    check(&bytes, Token::Arbitrary(token));
    assert_eq!(token.values().collect::<Vec<_>>(), [0xdead_beef]);
}

/// OpenBSM reads int64 items in host order and cuts them to 32 bits
/// (bsm-format.md, bug 2); we read them big-endian at full width.
#[test]
fn arbitrary_int64_binary_values_are_big_endian_full_width() {
    let bytes = [
        0x21, // arbitrary id
        0x00, // how to print: binary
        0x03, // unit: int64
        0x02, // count 2
        0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, // 0x0102030405060708
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // u64::MAX
    ];
    let data = &bytes[4..];
    let token = Arbitrary {
        format: PrintFormat::Binary,
        unit: DataUnit::Int64,
        count: 2,
        data: Bytes(data),
    };
    check(&bytes, Token::Arbitrary(token));
    assert_eq!(
        token.values().collect::<Vec<_>>(),
        [0x0102_0304_0506_0708, u64::MAX]
    );
}

#[test]
fn arbitrary_string_format_and_undefined_format() {
    let string = [
        0x21, // arbitrary id
        0x04, // how to print: string
        0x00, // unit: byte
        0x03, // count 3
        b'h', b'i', 0x00, // "hi\0"
    ];
    check(
        &string,
        Token::Arbitrary(Arbitrary {
            format: PrintFormat::String,
            unit: DataUnit::Byte,
            count: 3,
            data: Bytes(b"hi\0"),
        }),
    );
    let undefined = [
        0x21, // arbitrary id
        0x09, // how to print: 9, not defined by libbsm, kept
        0x01, // unit: short
        0x00, // count 0
    ];
    check(
        &undefined,
        Token::Arbitrary(Arbitrary {
            format: PrintFormat::Other(9),
            unit: DataUnit::Short,
            count: 0,
            data: Bytes(&[]),
        }),
    );
}

// ---------------------------------------------------------------------------
// IPC, path, subjects, processes

#[test]
fn ipc_token() {
    let bytes = [
        0x22, // IPC id
        0x02, // type 2 (semaphore)
        0x00, 0x01, 0x02, 0x03, // id 0x00010203
    ];
    check(
        &bytes,
        Token::Ipc(Ipc {
            ipc_type: 2,
            id: 0x0001_0203,
        }),
    );
}

#[test]
fn path_token() {
    let bytes = [
        0x23, // path id
        0x00, 0x0c, // length 12
        b'/', b'e', b't', b'c', b'/', // "/etc/" ...
        b'p', b'a', b's', b's', b'w', b'd', 0x00, // ... "passwd\0"
    ];
    let token = Path {
        path: text(b"/etc/passwd\0"),
    };
    check(&bytes, Token::Path(token));
    assert_eq!(token.path.bytes(), b"/etc/passwd");
}

#[test]
fn subject32_and_process32_tokens() {
    let mut bytes = [
        0x24, // subject32 id
        0x00, 0x00, 0x03, 0xe8, // auid 1000
        0x00, 0x00, 0x03, 0xe9, // euid 1001
        0x00, 0x00, 0x00, 0x14, // egid 20
        0x00, 0x00, 0x03, 0xea, // ruid 1002
        0x00, 0x00, 0x00, 0x15, // rgid 21
        0x00, 0x00, 0x10, 0x92, // pid 4242
        0x00, 0x00, 0x00, 0x4d, // sid 77
        0x12, 0x34, 0x56, 0x78, // terminal port 0x12345678
        0xc0, 0xa8, 0x01, 0x0a, // terminal addr 192.168.1.10
    ];
    let value = Subject32 {
        ids: IDS,
        port: 0x1234_5678,
        addr: Ipv4Addr::new(192, 168, 1, 10),
    };
    check(&bytes, Token::Subject32(value));
    bytes[0] = 0x26; // process32 id, same layout
    check(&bytes, Token::Process32(value));
}

#[test]
fn subject64_and_process64_tokens() {
    let mut bytes = [
        0x75, // subject64 id
        0x00, 0x00, 0x03, 0xe8, // auid 1000
        0x00, 0x00, 0x03, 0xe9, // euid 1001
        0x00, 0x00, 0x00, 0x14, // egid 20
        0x00, 0x00, 0x03, 0xea, // ruid 1002
        0x00, 0x00, 0x00, 0x15, // rgid 21
        0x00, 0x00, 0x10, 0x92, // pid 4242
        0x00, 0x00, 0x00, 0x4d, // sid 77
        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, // terminal port 2^32 + 2 (u64)
        0x7f, 0x00, 0x00, 0x01, // terminal addr 127.0.0.1
    ];
    let value = Subject64 {
        ids: IDS,
        port: (1 << 32) + 2,
        addr: Ipv4Addr::LOCALHOST,
    };
    check(&bytes, Token::Subject64(value));
    bytes[0] = 0x77; // process64 id
    check(&bytes, Token::Process64(value));
}

#[test]
fn subject32_ex_and_process32_ex_tokens_ipv4() {
    let mut bytes = [
        0x7a, // subject32_ex id
        0x00, 0x00, 0x03, 0xe8, // auid 1000
        0x00, 0x00, 0x03, 0xe9, // euid 1001
        0x00, 0x00, 0x00, 0x14, // egid 20
        0x00, 0x00, 0x03, 0xea, // ruid 1002
        0x00, 0x00, 0x00, 0x15, // rgid 21
        0x00, 0x00, 0x10, 0x92, // pid 4242
        0x00, 0x00, 0x00, 0x4d, // sid 77
        0x00, 0x00, 0x00, 0x16, // terminal port 22
        0x00, 0x00, 0x00, 0x04, // address type 4
        0x0a, 0x01, 0x02, 0x03, // terminal addr 10.1.2.3
    ];
    let value = Subject32Ex {
        ids: IDS,
        port: 22,
        addr: IpAddr::V4(Ipv4Addr::new(10, 1, 2, 3)),
    };
    check(&bytes, Token::Subject32Ex(value));
    bytes[0] = 0x7b; // process32_ex id
    check(&bytes, Token::Process32Ex(value));
}

#[test]
fn subject32_ex_and_process32_ex_tokens_ipv6() {
    let mut bytes = [
        0x7a, // subject32_ex id
        0x00, 0x00, 0x03, 0xe8, // auid 1000
        0x00, 0x00, 0x03, 0xe9, // euid 1001
        0x00, 0x00, 0x00, 0x14, // egid 20
        0x00, 0x00, 0x03, 0xea, // ruid 1002
        0x00, 0x00, 0x00, 0x15, // rgid 21
        0x00, 0x00, 0x10, 0x92, // pid 4242
        0x00, 0x00, 0x00, 0x4d, // sid 77
        0xff, 0xff, 0xff, 0xff, // terminal port 0xffffffff
        0x00, 0x00, 0x00, 0x10, // address type 16
        0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, // 2001:db8::1 ...
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, // ...
    ];
    let value = Subject32Ex {
        ids: IDS,
        port: u32::MAX,
        addr: IpAddr::V6(DB8_1),
    };
    check(&bytes, Token::Subject32Ex(value));
    bytes[0] = 0x7b; // process32_ex id
    check(&bytes, Token::Process32Ex(value));
}

#[test]
fn subject64_ex_and_process64_ex_tokens_ipv4() {
    let mut bytes = [
        0x7c, // subject64_ex id
        0x00, 0x00, 0x03, 0xe8, // auid 1000
        0x00, 0x00, 0x03, 0xe9, // euid 1001
        0x00, 0x00, 0x00, 0x14, // egid 20
        0x00, 0x00, 0x03, 0xea, // ruid 1002
        0x00, 0x00, 0x00, 0x15, // rgid 21
        0x00, 0x00, 0x10, 0x92, // pid 4242
        0x00, 0x00, 0x00, 0x4d, // sid 77
        0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, // terminal port 2^63 + 1 (u64)
        0x00, 0x00, 0x00, 0x04, // address type 4
        0xc0, 0xa8, 0x01, 0x0a, // terminal addr 192.168.1.10
    ];
    let value = Subject64Ex {
        ids: IDS,
        port: (1 << 63) + 1,
        addr: IpAddr::V4(Ipv4Addr::new(192, 168, 1, 10)),
    };
    check(&bytes, Token::Subject64Ex(value));
    bytes[0] = 0x7d; // process64_ex id
    check(&bytes, Token::Process64Ex(value));
}

#[test]
fn subject64_ex_and_process64_ex_tokens_ipv6() {
    let mut bytes = [
        0x7c, // subject64_ex id
        0x00, 0x00, 0x03, 0xe8, // auid 1000
        0x00, 0x00, 0x03, 0xe9, // euid 1001
        0x00, 0x00, 0x00, 0x14, // egid 20
        0x00, 0x00, 0x03, 0xea, // ruid 1002
        0x00, 0x00, 0x00, 0x15, // rgid 21
        0x00, 0x00, 0x10, 0x92, // pid 4242
        0x00, 0x00, 0x00, 0x4d, // sid 77
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x12, 0x34, // terminal port 0x1234
        0x00, 0x00, 0x00, 0x10, // address type 16
        0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, // 2001:db8::2 ...
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, // ...
    ];
    let value = Subject64Ex {
        ids: IDS,
        port: 0x1234,
        addr: IpAddr::V6(DB8_2),
    };
    check(&bytes, Token::Subject64Ex(value));
    bytes[0] = 0x7d; // process64_ex id
    check(&bytes, Token::Process64Ex(value));
}

// ---------------------------------------------------------------------------
// return, text, opaque, addresses, ip

#[test]
fn return32_token() {
    let success = [
        0x27, // return32 id
        0x00, // status 0 (success)
        0x00, 0x00, 0x00, 0x03, // value 3
    ];
    check(
        &success,
        Token::Return32(Return32 {
            status: 0,
            value: 3,
        }),
    );
    let failure = [
        0x27, // return32 id
        0x02, // status 2 (BSM ENOENT)
        0xff, 0xff, 0xff, 0xff, // value -1 as u32
    ];
    check(
        &failure,
        Token::Return32(Return32 {
            status: 2,
            value: u32::MAX,
        }),
    );
}

#[test]
fn return64_token() {
    let bytes = [
        0x72, // return64 id
        0x00, // status 0
        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, // value 2^32
    ];
    check(
        &bytes,
        Token::Return64(Return64 {
            status: 0,
            value: 1 << 32,
        }),
    );
}

#[test]
fn text_token() {
    let bytes = [
        0x28, // text id
        0x00, 0x06, // length 6
        b'h', b'e', b'l', b'l', b'o', 0x00, // "hello\0"
    ];
    check(
        &bytes,
        Token::Text(TextToken {
            text: text(b"hello\0"),
        }),
    );
    let empty = [
        0x28, // text id
        0x00, 0x00, // length 0
    ];
    check(&empty, Token::Text(TextToken { text: text(b"") }));
}

#[test]
fn opaque_token() {
    let bytes = [
        0x29, // opaque id
        0x00, 0x04, // length 4
        0xde, 0xad, 0x00, 0xef, // data
    ];
    check(
        &bytes,
        Token::Opaque(Opaque {
            data: Bytes(&[0xde, 0xad, 0x00, 0xef]),
        }),
    );
}

#[test]
fn in_addr_token() {
    let bytes = [
        0x2a, // in_addr id
        0x0a, 0x00, 0x00, 0x01, // 10.0.0.1
    ];
    check(
        &bytes,
        Token::InAddr(InAddr {
            addr: Ipv4Addr::new(10, 0, 0, 1),
        }),
    );
}

#[test]
fn in_addr_ex_token_ipv4_and_ipv6() {
    let v4 = [
        0x7e, // in_addr_ex id
        0x00, 0x00, 0x00, 0x04, // address type 4
        0xac, 0x10, 0x00, 0x05, // 172.16.0.5
    ];
    check(
        &v4,
        Token::InAddrEx(InAddrEx {
            addr: IpAddr::V4(Ipv4Addr::new(172, 16, 0, 5)),
        }),
    );
    let v6 = [
        0x7e, // in_addr_ex id
        0x00, 0x00, 0x00, 0x10, // address type 16
        0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, // 2001:db8::1 ...
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, // ...
    ];
    check(
        &v6,
        Token::InAddrEx(InAddrEx {
            addr: IpAddr::V6(DB8_1),
        }),
    );
}

#[test]
fn ip_token_20_byte_header() {
    let bytes = [
        0x2b, // ip id
        0x45, // version/ihl
        0x10, // tos
        0x00, 0x54, // total length 84
        0x1c, 0x46, // id
        0x40, 0x00, // fragment offset (DF)
        0x40, // ttl 64
        0x06, // protocol 6 (TCP)
        0xb1, 0xe6, // checksum
        0x0a, 0x00, 0x00, 0x01, // source 10.0.0.1
        0x0a, 0x00, 0x00, 0x02, // destination 10.0.0.2
    ];
    assert_eq!(bytes.len(), 21);
    check(
        &bytes,
        Token::Ip(IpHeader {
            version: 0x45,
            tos: 0x10,
            length: 84,
            id: 0x1c46,
            offset: 0x4000,
            ttl: 64,
            protocol: 6,
            checksum: 0xb1e6,
            source: Ipv4Addr::new(10, 0, 0, 1),
            destination: Ipv4Addr::new(10, 0, 0, 2),
        }),
    );
}

#[test]
fn ip_port_token() {
    let bytes = [
        0x2c, // ip port id
        0x00, 0x16, // port 22 in network order
    ];
    check(&bytes, Token::IpPort(IpPort { port: 22 }));
}

// ---------------------------------------------------------------------------
// arguments, sockets

#[test]
fn arg32_token() {
    let bytes = [
        0x2d, // arg32 id
        0x02, // argument number 2
        0x00, 0x00, 0x01, 0xa4, // value 0o644
        0x00, 0x05, // length 5
        b'm', b'o', b'd', b'e', 0x00, // "mode\0"
    ];
    check(
        &bytes,
        Token::Arg32(Arg32 {
            number: 2,
            value: 0o644,
            text: text(b"mode\0"),
        }),
    );
}

#[test]
fn arg64_token() {
    let bytes = [
        0x71, // arg64 id
        0x01, // argument number 1
        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, // value 2^32
        0x00, 0x03, // length 3
        b'f', b'd', 0x00, // "fd\0"
    ];
    check(
        &bytes,
        Token::Arg64(Arg64 {
            number: 1,
            value: 1 << 32,
            text: text(b"fd\0"),
        }),
    );
}

#[test]
fn socket_token_0x2e() {
    let bytes = [
        0x2e, // socket id
        0x00, 0x02, // type 2
        0x00, 0x50, // local port 80
        0x7f, 0x00, 0x00, 0x01, // local addr 127.0.0.1
        0xc3, 0x50, // remote port 50000
        0x0a, 0x00, 0x00, 0x02, // remote addr 10.0.0.2
    ];
    check(
        &bytes,
        Token::Socket(Socket {
            socket_type: 2,
            local_port: 80,
            local_addr: Ipv4Addr::LOCALHOST,
            remote_port: 50000,
            remote_addr: Ipv4Addr::new(10, 0, 0, 2),
        }),
    );
}

#[test]
fn socket_ex_token_0x7f_ipv4() {
    let bytes = [
        0x7f, // socket_ex id
        0x00, 0x02, // domain 2 (BSM_PF_INET)
        0x00, 0x02, // type 2 (BSM_SOCK_STREAM)
        0x00, 0x04, // address type 4 (u16 here)
        0x00, 0x50, // local port 80
        0xc0, 0xa8, 0x01, 0x0a, // local addr 192.168.1.10
        0xc3, 0x50, // remote port 50000
        0x0a, 0x00, 0x00, 0x02, // remote addr 10.0.0.2
    ];
    check(
        &bytes,
        Token::SocketEx(SocketEx {
            domain: 2,
            socket_type: 2,
            local_port: 80,
            local_addr: IpAddr::V4(Ipv4Addr::new(192, 168, 1, 10)),
            remote_port: 50000,
            remote_addr: IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2)),
        }),
    );
}

#[test]
fn socket_ex_token_0x7f_ipv6() {
    let bytes = [
        0x7f, // socket_ex id
        0x00, 0x1a, // domain 26 (BSM_PF_INET6)
        0x00, 0x01, // type 1 (BSM_SOCK_DGRAM)
        0x00, 0x10, // address type 16
        0x01, 0xbb, // local port 443
        0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, // local 2001:db8::1 ...
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, // ...
        0xd4, 0x31, // remote port 54321
        0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, // remote 2001:db8::2 ...
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, // ...
    ];
    check(
        &bytes,
        Token::SocketEx(SocketEx {
            domain: 26,
            socket_type: 1,
            local_port: 443,
            local_addr: IpAddr::V6(DB8_1),
            remote_port: 54321,
            remote_addr: IpAddr::V6(DB8_2),
        }),
    );
}

#[test]
fn sock_inet32_token() {
    let bytes = [
        0x80, // sock_inet32 id
        0x00, 0x02, // family 2
        0x1f, 0x90, // port 8080
        0x0a, 0x00, 0x00, 0x07, // addr 10.0.0.7
    ];
    check(
        &bytes,
        Token::SockInet32(SockInet32 {
            family: 2,
            port: 8080,
            addr: Ipv4Addr::new(10, 0, 0, 7),
        }),
    );
}

#[test]
fn sock_inet128_token() {
    let bytes = [
        0x81, // sock_inet128 id
        0x00, 0x1a, // family 26
        0x00, 0x35, // port 53
        0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, // 2001:db8::2 ...
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, // ...
    ];
    check(
        &bytes,
        Token::SockInet128(SockInet128 {
            family: 26,
            port: 53,
            addr: DB8_2,
        }),
    );
}

#[test]
fn sock_unix_token_ends_at_first_nul() {
    let bytes = [
        0x82, // sock_unix id
        0x00, 0x01, // family 1 (AF_UNIX)
        b'/', b't', b'm', b'p', b'/', b's', 0x00, // "/tmp/s\0"
    ];
    // `check` also decodes it followed by more bytes: they are not taken.
    check(
        &bytes,
        Token::SockUnix(SockUnix {
            family: 1,
            path: text(b"/tmp/s\0"),
        }),
    );
}

// ---------------------------------------------------------------------------
// sequence, IPC perm, privileges, groups

#[test]
fn sequence_token() {
    let bytes = [
        0x2f, // sequence id
        0x00, 0x00, 0x30, 0x39, // 12345
    ];
    check(&bytes, Token::Sequence(Sequence { sequence: 12345 }));
}

#[test]
fn ipc_perm_token() {
    let bytes = [
        0x32, // IPC perm id
        0x00, 0x00, 0x03, 0xe8, // uid 1000
        0x00, 0x00, 0x00, 0x14, // gid 20
        0x00, 0x00, 0x00, 0x00, // creator uid 0
        0x00, 0x00, 0x00, 0x05, // creator gid 5
        0x00, 0x00, 0x01, 0xb6, // mode 0o666
        0x00, 0x00, 0x00, 0x07, // sequence 7
        0x12, 0x34, 0x56, 0x78, // key 0x12345678
    ];
    check(
        &bytes,
        Token::IpcPerm(IpcPerm {
            uid: 1000,
            gid: 20,
            creator_uid: 0,
            creator_gid: 5,
            mode: 0o666,
            sequence: 7,
            key: 0x1234_5678,
        }),
    );
}

#[test]
fn privilege_token() {
    let bytes = [
        0x38, // privilege id
        0x00, 0x06, // set name length 6
        b'L', b'i', b'm', b'i', b't', 0x00, // "Limit\0"
        0x00, 0x04, // privileges length 4
        b'a', b'l', b'l', 0x00, // "all\0"
    ];
    check(
        &bytes,
        Token::Privilege(Privilege {
            set: text(b"Limit\0"),
            privileges: text(b"all\0"),
        }),
    );
}

#[test]
fn use_of_privilege_token() {
    let bytes = [
        0x39, // use of privilege id
        0x01, // success 1
        0x00, 0x09, // length 9
        b'f', b'i', b'l', b'e', b'_', b'd', b'a', b'c', 0x00, // "file_dac\0"
    ];
    check(
        &bytes,
        Token::UseOfPrivilege(UseOfPrivilege {
            success: 1,
            privilege: text(b"file_dac\0"),
        }),
    );
}

#[test]
fn newgroups_token_three_gids() {
    let bytes = [
        0x3b, // newgroups id
        0x00, 0x03, // count 3
        0x00, 0x00, 0x00, 0x00, // gid 0
        0x00, 0x00, 0x00, 0x05, // gid 5
        0x00, 0x00, 0x00, 0x14, // gid 20
    ];
    let token = NewGroups {
        gids: U32List::from_raw(&bytes[3..]),
    };
    check(&bytes, Token::NewGroups(token));
    assert_eq!(token.gids.iter().collect::<Vec<_>>(), [0, 5, 20]);
}

/// OpenBSM stops at 16 gids and loses its place (bsm-format.md, bug 5); we
/// read all of them.
#[test]
fn newgroups_token_twenty_gids_are_all_read() {
    let bytes = [
        0x3b, // newgroups id
        0x00, 0x14, // count 20
        0x00, 0x00, 0x00, 0x01, // gid 1
        0x00, 0x00, 0x00, 0x02, // gid 2
        0x00, 0x00, 0x00, 0x03, // gid 3
        0x00, 0x00, 0x00, 0x04, // gid 4
        0x00, 0x00, 0x00, 0x05, // gid 5
        0x00, 0x00, 0x00, 0x06, // gid 6
        0x00, 0x00, 0x00, 0x07, // gid 7
        0x00, 0x00, 0x00, 0x08, // gid 8
        0x00, 0x00, 0x00, 0x09, // gid 9
        0x00, 0x00, 0x00, 0x0a, // gid 10
        0x00, 0x00, 0x00, 0x0b, // gid 11
        0x00, 0x00, 0x00, 0x0c, // gid 12
        0x00, 0x00, 0x00, 0x0d, // gid 13
        0x00, 0x00, 0x00, 0x0e, // gid 14
        0x00, 0x00, 0x00, 0x0f, // gid 15
        0x00, 0x00, 0x00, 0x10, // gid 16
        0x00, 0x00, 0x00, 0x11, // gid 17
        0x00, 0x00, 0x00, 0x12, // gid 18
        0x00, 0x00, 0x00, 0x13, // gid 19
        0x00, 0x01, 0x00, 0x00, // gid 65536
    ];
    assert_eq!(bytes.len(), 3 + 80);
    let token = NewGroups {
        gids: U32List::from_raw(&bytes[3..]),
    };
    check(&bytes, Token::NewGroups(token));
    let mut expected: Vec<u32> = (1..=19).collect();
    expected.push(65536);
    assert_eq!(token.gids.iter().collect::<Vec<_>>(), expected);
    assert_eq!(token.gids.len(), 20);
}

#[test]
fn old_groups_token_0x34_sixteen_gids() {
    let bytes = [
        0x34, // old groups id (no count: always 16)
        0x00, 0x00, 0x00, 0x00, // gid 0
        0x00, 0x00, 0x00, 0x01, // gid 1
        0x00, 0x00, 0x00, 0x02, // gid 2
        0x00, 0x00, 0x00, 0x03, // gid 3
        0x00, 0x00, 0x00, 0x04, // gid 4
        0x00, 0x00, 0x00, 0x05, // gid 5
        0x00, 0x00, 0x00, 0x06, // gid 6
        0x00, 0x00, 0x00, 0x07, // gid 7
        0x00, 0x00, 0x00, 0x08, // gid 8
        0x00, 0x00, 0x00, 0x09, // gid 9
        0x00, 0x00, 0x00, 0x0a, // gid 10
        0x00, 0x00, 0x00, 0x0b, // gid 11
        0x00, 0x00, 0x00, 0x0c, // gid 12
        0x00, 0x00, 0x00, 0x0d, // gid 13
        0x00, 0x00, 0x00, 0x0e, // gid 14
        0xff, 0xff, 0xff, 0xfe, // gid 0xfffffffe
    ];
    let token = Groups {
        gids: U32List::from_raw(&bytes[1..]),
    };
    check(&bytes, Token::Groups(token));
    let mut expected: Vec<u32> = (0..=14).collect();
    expected.push(0xffff_fffe);
    assert_eq!(token.gids.iter().collect::<Vec<_>>(), expected);
}

// ---------------------------------------------------------------------------
// exec args / env

#[test]
fn exec_args_token_with_an_empty_string() {
    let bytes = [
        0x3c, // exec args id
        0x00, 0x00, 0x00, 0x03, // count 3
        b'l', b's', 0x00, // "ls"
        0x00, // ""
        b'-', b'l', 0x00, // "-l"
    ];
    let strings = StringList::from_raw(3, &bytes[5..]);
    check(&bytes, Token::ExecArgs(ExecStrings { strings }));
    assert_eq!(
        strings.iter().collect::<Vec<_>>(),
        [&b"ls"[..], &b""[..], &b"-l"[..]]
    );
}

#[test]
fn exec_env_token_several_strings() {
    let bytes = [
        0x3d, // exec env id
        0x00, 0x00, 0x00, 0x04, // count 4
        b'A', b'=', b'1', 0x00, // "A=1"
        b'P', b'A', b'T', b'H', b'=', b'/', b'b', b'i', b'n', 0x00, // "PATH=/bin"
        0x00, // ""
        0x00, // ""
    ];
    let strings = StringList::from_raw(4, &bytes[5..]);
    check(&bytes, Token::ExecEnv(ExecStrings { strings }));
    assert_eq!(
        strings.iter().collect::<Vec<_>>(),
        [&b"A=1"[..], &b"PATH=/bin"[..], &b""[..], &b""[..]]
    );
}

#[test]
fn exec_args_token_with_no_strings() {
    let bytes = [
        0x3c, // exec args id
        0x00, 0x00, 0x00, 0x00, // count 0
    ];
    let strings = StringList::from_raw(0, &[]);
    check(&bytes, Token::ExecArgs(ExecStrings { strings }));
    assert_eq!(strings.iter().count(), 0);
}

// ---------------------------------------------------------------------------
// attributes, exit, zone, uuids

#[test]
fn attr32_token() {
    let bytes = [
        0x3e, // attr32 id
        0x00, 0x00, 0x81, 0xa4, // mode 0o100644
        0x00, 0x00, 0x03, 0xe8, // uid 1000
        0x00, 0x00, 0x00, 0x14, // gid 20
        0x00, 0x00, 0x00, 0x2a, // fsid 42
        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, // node id 2^32 + 2 (u64)
        0x00, 0x00, 0x08, 0x03, // device 0x803 (u32)
    ];
    check(
        &bytes,
        Token::Attr32(Attr32 {
            mode: 0o100644,
            uid: 1000,
            gid: 20,
            fsid: 42,
            node_id: (1 << 32) + 2,
            device: 0x803,
        }),
    );
}

#[test]
fn attr64_token() {
    let bytes = [
        0x73, // attr64 id
        0x00, 0x00, 0x41, 0xed, // mode 0o40755
        0x00, 0x00, 0x00, 0x00, // uid 0
        0x00, 0x00, 0x00, 0x00, // gid 0
        0x00, 0x00, 0x00, 0x01, // fsid 1
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, // node id 2
        0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, // device 2^56 + 3 (u64)
    ];
    check(
        &bytes,
        Token::Attr64(Attr64 {
            mode: 0o40755,
            uid: 0,
            gid: 0,
            fsid: 1,
            node_id: 2,
            device: (1 << 56) + 3,
        }),
    );
}

#[test]
fn attr_solaris_token_0x31_all_u32() {
    let bytes = [
        0x31, // attr (Solaris) id
        0x00, 0x00, 0x81, 0xa4, // mode 0o100644
        0x00, 0x00, 0x00, 0x65, // uid 101
        0x00, 0x00, 0x00, 0x0a, // gid 10
        0x00, 0x00, 0x00, 0x03, // fsid 3
        0x00, 0x01, 0x00, 0x01, // node id 0x10001 (u32)
        0x00, 0x00, 0x00, 0x07, // device 7
    ];
    check(
        &bytes,
        Token::Attr(AttrSolaris {
            mode: 0o100644,
            uid: 101,
            gid: 10,
            fsid: 3,
            node_id: 0x10001,
            device: 7,
        }),
    );
}

#[test]
fn exit_token() {
    let bytes = [
        0x52, // exit id
        0x00, 0x00, 0x00, 0x01, // status 1
        0xff, 0xff, 0xff, 0xfe, // return 0xfffffffe
    ];
    check(
        &bytes,
        Token::Exit(Exit {
            status: 1,
            value: 0xffff_fffe,
        }),
    );
}

#[test]
fn zone_token() {
    let bytes = [
        0x60, // zone id
        0x00, 0x07, // length 7
        b'g', b'l', b'o', b'b', b'a', b'l', 0x00, // "global\0"
    ];
    check(
        &bytes,
        Token::Zone(Zone {
            zone: text(b"global\0"),
        }),
    );
}

#[test]
fn arg_uuid_and_ret_uuid_tokens() {
    let mut bytes = [
        0x84, // arg_uuid id
        0x03, // argument number 3
        0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, // uuid ...
        0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, // ... 16 bytes
        0x00, 0x04, // length 4
        b'u', b'i', b'd', 0x00, // "uid\0"
    ];
    let uuid = [
        0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd,
        0xef,
    ];
    let value = Uuid {
        number: 3,
        uuid,
        text: text(b"uid\0"),
    };
    check(&bytes, Token::ArgUuid(value));
    bytes[0] = 0x85; // ret_uuid id, same layout
    check(&bytes, Token::RetUuid(value));
    assert_eq!(
        bsm_format::format_uuid(&uuid),
        "12345678-9abc-def0-0123-456789abcdef"
    );
}

// ---------------------------------------------------------------------------
// FreeBSD rights, macOS identity

#[test]
fn rights_token_version0_two_words() {
    let bytes = [
        0x83, // rights id
        0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, // word 0: version 00, CAP_READ
        0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // word 1: index bit only
    ];
    let token = Rights {
        words: U64List::from_raw(&bytes[1..]),
    };
    check(&bytes, Token::Rights(token));
    assert_eq!(
        token.words.iter().collect::<Vec<_>>(),
        [0x0200_0000_0000_0001, 0x0400_0000_0000_0000]
    );
}

#[test]
fn rights_token_version1_three_words() {
    let bytes = [
        0x83, // rights id
        0x42, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, // word 0: top bits 01 = version 1
        0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, // word 1
        0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20, // word 2
    ];
    let token = Rights {
        words: U64List::from_raw(&bytes[1..]),
    };
    check(&bytes, Token::Rights(token));
    assert_eq!(token.words.len(), 3);
    assert_eq!(
        token.words.iter().collect::<Vec<_>>(),
        [
            0x4200_0000_0000_0003,
            0x0400_0000_0000_0010,
            0x0800_0000_0000_0020
        ]
    );
    // Only two words present: the third is missing.
    let err = decode_err(&bytes[..17]);
    assert_eq!(err.kind, ErrorKind::Truncated { needed: 8 });
    assert_eq!(err.token_id, Some(0x83));
}

#[test]
fn identity_token_with_20_byte_cdhash() {
    let bytes = [
        0xed, // identity id
        0x00, 0x00, 0x00, 0x01, // signer type 1
        0x00, 0x0f, // signing id length 15
        b'c', b'o', b'm', b'.', b'a', b'p', b'p', b'l', b'e', // "com.apple" ...
        b'.', b'c', b'u', b'r', b'l', 0x00, // ... ".curl\0"
        0x00, // signing id truncated 0
        0x00, 0x0b, // team id length 11
        b'A', b'B', b'C', b'D', b'E', b'1', b'2', b'3', b'4', b'5', 0x00, // "ABCDE12345\0"
        0x01, // team id truncated 1
        0x00, 0x14, // cdhash length 20
        0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, // cdhash ...
        0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf, 0xb0, 0xb1, 0xb2, 0xb3, // ... 20 bytes
    ];
    let cdhash: [u8; 20] = [
        0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae,
        0xaf, 0xb0, 0xb1, 0xb2, 0xb3,
    ];
    let token = Identity {
        signer_type: 1,
        signing_id: text(b"com.apple.curl\0"),
        signing_id_truncated: 0,
        team_id: text(b"ABCDE12345\0"),
        team_id_truncated: 1,
        cdhash: Bytes(&cdhash),
    };
    check(&bytes, Token::Identity(token));
    assert_eq!(token.signing_id.bytes(), b"com.apple.curl");
    assert_eq!(token.team_id.bytes(), b"ABCDE12345");
}

// ---------------------------------------------------------------------------
// unknown ids

#[test]
fn unknown_id_runs_to_the_end_of_the_input() {
    let bytes = [
        0x99, // an id this crate does not know
        0x01, 0x13, 0xb1, 0x05, // its bytes, whatever they look like
    ];
    assert!(!bsm_format::ids::is_known(0x99));
    check_unknown_alone(&bytes);
}

fn check_unknown_alone(bytes: &[u8]) {
    let expected = Token::Unknown(Unknown {
        id: bytes[0],
        bytes: Bytes(&bytes[1..]),
    });
    let (token, len) = decode_token(bytes).unwrap();
    assert_eq!(token, expected);
    assert_eq!(len, bytes.len());
    let mut out = Vec::new();
    encode_token(&expected, &mut out).unwrap();
    assert_eq!(out, bytes);
}

#[test]
fn unknown_id_inside_a_record_runs_up_to_the_trailer() {
    let bytes = [
        0x14, // header32 id
        0x00, 0x00, 0x00, 0x1e, // size 30
        0x0b, // version 11
        0x00, 0x48, // event 72
        0x00, 0x00, // modifier 0
        0x65, 0x53, 0xf1, 0x00, // seconds 1700000000
        0x00, 0x00, 0x00, 0x7b, // msec 123
        0x99, // unknown id
        0x01, 0x13, 0xb1, 0x05, // its 4 bytes (a fake trailer start among them)
        0x13, // trailer id
        0xb1, 0x05, // magic
        0x00, 0x00, 0x00, 0x1e, // size 30
    ];
    assert_eq!(bytes.len(), 30);
    let header = Token::Header32(Header32 {
        size: 30,
        version: 11,
        event: 72,
        modifier: 0,
        seconds: 1_700_000_000,
        milliseconds: 123,
    });
    let unknown = Token::Unknown(Unknown {
        id: 0x99,
        bytes: Bytes(&[0x01, 0x13, 0xb1, 0x05]),
    });
    let trailer = Token::Trailer(Trailer {
        magic: 0xb105,
        size: 30,
    });
    let record = Record::parse(&bytes, 0).unwrap();
    let tokens: Vec<_> = record.tokens().map(Result::unwrap).collect();
    assert_eq!(tokens, [header, unknown, trailer]);

    let mut zero_size = header;
    if let Token::Header32(h) = &mut zero_size {
        h.size = 0;
    }
    let mut out = Vec::new();
    assert_eq!(encode_record(&zero_size, &[unknown], &mut out).unwrap(), 30);
    assert_eq!(out, bytes);
}

// ---------------------------------------------------------------------------
// whole records

/// header32 + subject32_ex (IPv6) + path + return32 + trailer: 99 bytes.
const OPEN_RECORD: [u8; 99] = [
    0x14, // header32 id
    0x00, 0x00, 0x00, 0x63, // size 99
    0x0b, // version 11
    0x00, 0x48, // event 72 (AUE_OPEN_R)
    0x00, 0x00, // modifier 0
    0x65, 0x53, 0xf1, 0x00, // seconds 1700000000
    0x00, 0x00, 0x00, 0x7b, // msec 123
    // offset 18
    0x7a, // subject32_ex id
    0x00, 0x00, 0x03, 0xe8, // auid 1000
    0x00, 0x00, 0x03, 0xe9, // euid 1001
    0x00, 0x00, 0x00, 0x14, // egid 20
    0x00, 0x00, 0x03, 0xea, // ruid 1002
    0x00, 0x00, 0x00, 0x15, // rgid 21
    0x00, 0x00, 0x10, 0x92, // pid 4242
    0x00, 0x00, 0x00, 0x4d, // sid 77
    0x00, 0x00, 0xd4, 0x31, // terminal port 54321
    0x00, 0x00, 0x00, 0x10, // address type 16
    0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, // 2001:db8::1 ...
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, // ...
    // offset 71
    0x23, // path id
    0x00, 0x0c, // length 12
    b'/', b'e', b't', b'c', b'/', b'p', b'a', b's', b's', b'w', b'd', 0x00, // "/etc/passwd\0"
    // offset 86
    0x27, // return32 id
    0x00, // status 0
    0x00, 0x00, 0x00, 0x03, // value 3 (the fd)
    // offset 92
    0x13, // trailer id
    0xb1, 0x05, // magic
    0x00, 0x00, 0x00, 0x63, // size 99
];

fn open_record_tokens(size: u32) -> [Token<'static>; 5] {
    [
        Token::Header32(Header32 {
            size,
            version: 11,
            event: 72,
            modifier: 0,
            seconds: 1_700_000_000,
            milliseconds: 123,
        }),
        Token::Subject32Ex(Subject32Ex {
            ids: IDS,
            port: 54321,
            addr: IpAddr::V6(DB8_1),
        }),
        Token::Path(Path {
            path: Text::from_raw(b"/etc/passwd\0"),
        }),
        Token::Return32(Return32 {
            status: 0,
            value: 3,
        }),
        Token::Trailer(Trailer {
            magic: 0xb105,
            size: 99,
        }),
    ]
}

#[test]
fn whole_record_parses_with_accessors() {
    let record = Record::parse(&OPEN_RECORD, 4096).unwrap();
    assert_eq!(record.offset(), 4096);
    assert_eq!(record.bytes(), &OPEN_RECORD[..]);
    assert_eq!(record.event(), 72);
    assert_eq!(record.header().size, 99);
    assert_eq!(record.header().id, 0x14);
    assert_eq!(record.header().host, None);

    let tokens: Vec<_> = record.tokens().map(Result::unwrap).collect();
    assert_eq!(tokens, open_record_tokens(99));
    let body: Vec<_> = record.body().map(Result::unwrap).collect();
    let all = open_record_tokens(99);
    assert_eq!(body, all[1..all.len() - 1]);

    let subject = record.subject().unwrap();
    assert_eq!(subject.auid, 1000);
    assert_eq!(subject.euid, 1001);
    assert_eq!(subject.egid, 20);
    assert_eq!(subject.ruid, 1002);
    assert_eq!(subject.rgid, 21);
    assert_eq!(subject.pid, 4242);
    assert_eq!(subject.sid, 77);
    assert_eq!(subject.terminal_port, 54321);
    assert_eq!(
        subject.terminal_addr,
        "2001:db8::1".parse::<IpAddr>().unwrap()
    );
    assert!(record.process().is_none());

    let ret = record.return_value().unwrap();
    assert_eq!((ret.status, ret.value), (0, 3));
    assert!(ret.is_success());

    let paths: Vec<_> = record.paths().map(|p| p.bytes()).collect();
    assert_eq!(paths, [&b"/etc/passwd"[..]]);
    assert!(record.exec_args().is_none());
}

#[test]
fn record_time_is_utc_with_milliseconds() {
    let record = Record::parse(&OPEN_RECORD, 0).unwrap();
    let time = record.time().unwrap();
    assert_eq!(
        time.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "2023-11-14T22:13:20.123Z"
    );
    assert_eq!(time.timestamp(), 1_700_000_000);
    assert_eq!(time.timestamp_subsec_millis(), 123);
}

#[test]
fn encode_record_fills_in_both_sizes() {
    let tokens = open_record_tokens(0);
    let mut out = Vec::new();
    let size = encode_record(&tokens[0], &tokens[1..4], &mut out).unwrap();
    assert_eq!(size, 99);
    assert_eq!(out, OPEN_RECORD);
}

#[test]
fn execve_record_exec_args() {
    let bytes = [
        0x14, // header32 id
        0x00, 0x00, 0x00, 0x34, // size 52
        0x0b, // version 11
        0x00, 0x17, // event 23 (AUE_EXECVE)
        0x00, 0x00, // modifier 0
        0x65, 0x53, 0xf1, 0x00, // seconds 1700000000
        0x00, 0x00, 0x00, 0x00, // msec 0
        0x3c, // exec args id
        0x00, 0x00, 0x00, 0x03, // count 3
        b'/', b'u', b's', b'r', b'/', b'b', b'i', b'n', // "/usr/bin" ...
        b'/', b'i', b'd', 0x00, // ... "/id"
        0x00, // ""
        b'-', b'u', 0x00, // "-u"
        0x27, // return32 id
        0x00, // status 0
        0x00, 0x00, 0x00, 0x00, // value 0
        0x13, // trailer id
        0xb1, 0x05, // magic
        0x00, 0x00, 0x00, 0x34, // size 52
    ];
    assert_eq!(bytes.len(), 52);
    let record = Record::parse(&bytes, 0).unwrap();
    assert_eq!(record.event(), 23);
    let args = record.exec_args().unwrap();
    assert_eq!(args.count(), 3);
    assert_eq!(
        args.iter().collect::<Vec<_>>(),
        [&b"/usr/bin/id"[..], &b""[..], &b"-u"[..]]
    );
    assert!(record.subject().is_none());
    assert_eq!(record.paths().count(), 0);
    assert_eq!(record.return_value().unwrap().value, 0);

    let header = Token::Header32(Header32 {
        size: 0,
        version: 11,
        event: 23,
        modifier: 0,
        seconds: 1_700_000_000,
        milliseconds: 0,
    });
    let body = [
        Token::ExecArgs(ExecStrings {
            strings: StringList::from_raw(3, b"/usr/bin/id\0\0-u\0"),
        }),
        Token::Return32(Return32 {
            status: 0,
            value: 0,
        }),
    ];
    let mut out = Vec::new();
    assert_eq!(encode_record(&header, &body, &mut out).unwrap(), 52);
    assert_eq!(out, bytes);
}

#[test]
fn header64_ex_record_time_and_host() {
    let bytes = [
        0x79, // header64_ex id
        0x00, 0x00, 0x00, 0x32, // size 50
        0x0b, // version 11
        0x00, 0x01, // event 1
        0x00, 0x00, // modifier 0
        0x00, 0x00, 0x00, 0x04, // address type 4
        0xc0, 0xa8, 0x01, 0x0a, // host 192.168.1.10
        0x00, 0x00, 0x00, 0x00, 0x65, 0x53, 0xf1, 0x00, // seconds 1700000000
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xf3, // msec 499
        0x52, // exit id
        0x00, 0x00, 0x00, 0x00, // status 0
        0x00, 0x00, 0x00, 0x00, // return 0
        0x13, // trailer id
        0xb1, 0x05, // magic
        0x00, 0x00, 0x00, 0x32, // size 50
    ];
    assert_eq!(bytes.len(), 50);
    let record = Record::parse(&bytes, 0).unwrap();
    assert_eq!(record.header().id, 0x79);
    assert_eq!(
        record.header().host,
        Some(IpAddr::V4(Ipv4Addr::new(192, 168, 1, 10)))
    );
    assert_eq!(
        record
            .time()
            .unwrap()
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "2023-11-14T22:13:20.499Z"
    );
}

// ---------------------------------------------------------------------------
// decoding errors

#[test]
fn ex_address_type_7_is_an_error_with_id_and_offset() {
    let bytes = [
        0x7a, // subject32_ex id
        0x00, 0x00, 0x03, 0xe8, // auid 1000
        0x00, 0x00, 0x03, 0xe9, // euid 1001
        0x00, 0x00, 0x00, 0x14, // egid 20
        0x00, 0x00, 0x03, 0xea, // ruid 1002
        0x00, 0x00, 0x00, 0x15, // rgid 21
        0x00, 0x00, 0x10, 0x92, // pid 4242
        0x00, 0x00, 0x00, 0x4d, // sid 77
        0x00, 0x00, 0x00, 0x16, // terminal port 22
        0x00, 0x00, 0x00, 0x07, // address type 7: invalid
        0x0a, 0x01, 0x02, 0x03, // four more bytes
    ];
    let err = decode_err(&bytes);
    assert_eq!(err, Error::new(ErrorKind::AddressType(7), Some(0x7a), 0));

    // The same token inside a record at trail offset 1000: the error's
    // offset is where the token starts in the trail (1000 + 18).
    let mut record = vec![
        0x14, // header32 id
        0x00, 0x00, 0x00, 0x42, // size 66 = 18 + 41 + 7
        0x0b, // version 11
        0x00, 0x48, // event 72
        0x00, 0x00, // modifier 0
        0x65, 0x53, 0xf1, 0x00, // seconds
        0x00, 0x00, 0x00, 0x7b, // msec
    ];
    record.extend_from_slice(&bytes);
    record.extend_from_slice(&[
        0x13, // trailer id
        0xb1, 0x05, // magic
        0x00, 0x00, 0x00, 0x42, // size 66
    ]);
    assert_eq!(record.len(), 66);
    let parsed = Record::parse(&record, 1000).unwrap();
    let items: Vec<_> = parsed.tokens().collect();
    assert_eq!(items.len(), 2, "the iterator ends after the error");
    assert!(matches!(items[0], Ok(Token::Header32(_))));
    assert_eq!(
        items[1],
        Err(Error::new(ErrorKind::AddressType(7), Some(0x7a), 1018))
    );
    // The accessors see nothing past the damage.
    assert!(parsed.subject().is_none());
}

#[test]
fn ex_address_type_errors_in_headers_sockets_and_in_addr_ex() {
    let header = [
        0x15, // header32_ex id
        0x00, 0x00, 0x00, 0x21, // size 33
        0x0b, // version 11
        0x00, 0x48, // event 72
        0x00, 0x00, // modifier 0
        0x00, 0x00, 0x00, 0x06, // address type 6: invalid
        0x0a, 0x00, 0x00, 0x01, // four bytes
        0x00, 0x00, 0x00, 0x00, // seconds
        0x00, 0x00, 0x00, 0x00, // msec
        0x13, 0xb1, 0x05, 0x00, 0x00, 0x00, 0x21, // trailer, size 33
    ];
    assert_eq!(
        Record::parse(&header, 77).unwrap_err(),
        Error::new(ErrorKind::AddressType(6), Some(0x15), 77)
    );
    let socket = [
        0x7f, // socket_ex id
        0x00, 0x02, // domain
        0x00, 0x02, // type
        0x00, 0x07, // address type 7 (u16)
        0x00, 0x50, // local port
        0x0a, 0x00, 0x00, 0x01, // four bytes
    ];
    assert_eq!(
        decode_err(&socket),
        Error::new(ErrorKind::AddressType(7), Some(0x7f), 0)
    );
    let in_addr_ex = [
        0x7e, // in_addr_ex id
        0x00, 0x00, 0x00, 0x00, // address type 0
        0x0a, 0x00, 0x00, 0x01, // four bytes
    ];
    assert_eq!(
        decode_err(&in_addr_ex),
        Error::new(ErrorKind::AddressType(0), Some(0x7e), 0)
    );
}

#[test]
fn arbitrary_unit_9_is_a_data_unit_error() {
    let bytes = [
        0x21, // arbitrary id
        0x00, // how to print: binary
        0x09, // unit 9: invalid
        0x01, // count 1
        0xff, // data
    ];
    assert_eq!(
        decode_err(&bytes),
        Error::new(ErrorKind::DataUnit(9), Some(0x21), 0)
    );
}

#[test]
fn exec_args_missing_nul_is_an_error() {
    let bytes = [
        0x3c, // exec args id
        0x00, 0x00, 0x00, 0x02, // count 2
        b'a', b'b', 0x00, // "ab"
        b'c', b'd', // "cd" without its NUL
    ];
    assert_eq!(
        decode_err(&bytes),
        Error::new(ErrorKind::MissingNul, Some(0x3c), 0)
    );
    let sock_unix = [
        0x82, // sock_unix id
        0x00, 0x01, // family 1
        b'/', b't', b'm', b'p', // no NUL
    ];
    assert_eq!(
        decode_err(&sock_unix),
        Error::new(ErrorKind::MissingNul, Some(0x82), 0)
    );
}

/// The 37 bytes of a subject32 token (id, 7 ids, port, address).
const SUBJECT32: [u8; 37] = [
    0x24, // subject32 id
    0x00, 0x00, 0x03, 0xe8, // auid 1000
    0x00, 0x00, 0x03, 0xe9, // euid 1001
    0x00, 0x00, 0x00, 0x14, // egid 20
    0x00, 0x00, 0x03, 0xea, // ruid 1002
    0x00, 0x00, 0x00, 0x15, // rgid 21
    0x00, 0x00, 0x10, 0x92, // pid 4242
    0x00, 0x00, 0x00, 0x4d, // sid 77
    0x12, 0x34, 0x56, 0x78, // terminal port
    0xc0, 0xa8, 0x01, // terminal addr, first three bytes ...
    0x0a, // ... and its last
];

#[test]
fn truncated_tokens_say_how_many_bytes_are_missing() {
    // Cut inside the last field (the address): 2 bytes missing.
    assert_eq!(
        decode_err(&SUBJECT32[..35]),
        Error::new(ErrorKind::Truncated { needed: 2 }, Some(0x24), 0)
    );
    // Cut at the last field: all 4 address bytes missing.
    assert_eq!(
        decode_err(&SUBJECT32[..33]).kind,
        ErrorKind::Truncated { needed: 4 }
    );
    // A counted string whose length says 12 but only 5 bytes follow.
    let path = [
        0x23, // path id
        0x00, 0x0c, // length 12
        b'/', b'e', b't', b'c', b'/', // 5 of the 12 bytes
    ];
    assert_eq!(
        decode_err(&path),
        Error::new(ErrorKind::Truncated { needed: 7 }, Some(0x23), 0)
    );
    // The header32 without its last byte.
    let header = [
        0x14, 0x00, 0x00, 0x00, 0x19, 0x0b, 0x00, 0x48, 0x00, 0x00, 0x65, 0x53, 0xf1, 0x00, 0x00,
        0x00, 0x00, // 17 of 18 bytes
    ];
    assert_eq!(decode_err(&header).kind, ErrorKind::Truncated { needed: 1 });
    // Nothing at all: no id to name.
    assert_eq!(
        decode_err(&[]),
        Error::new(ErrorKind::Truncated { needed: 1 }, None, 0)
    );
}

/// A subject32 cut after 10 of its 37 bytes lacks 27 bytes; the decoder
/// reports only the 3 that the field being read (egid) lacks.
#[test]
fn truncated_subject_mid_token_reports_all_missing_bytes() {
    assert_eq!(
        decode_err(&SUBJECT32[..10]),
        Error::new(ErrorKind::Truncated { needed: 27 }, Some(0x24), 0)
    );
}

#[test]
fn trailer_with_bad_magic_is_a_bad_trailer_at_its_offset() {
    let mut bytes = OPEN_RECORD;
    bytes[93] = 0xb1; // magic 0xb106
    bytes[94] = 0x06;
    assert_eq!(
        Record::parse(&bytes, 500).unwrap_err(),
        Error::new(
            ErrorKind::BadTrailer(TrailerFault::Magic(0xb106)),
            Some(0x13),
            592
        )
    );
}

#[test]
fn trailer_with_a_different_size_is_a_bad_trailer_at_its_offset() {
    let mut bytes = OPEN_RECORD;
    bytes[98] = 0x64; // trailer size 100, header says 99
    assert_eq!(
        Record::parse(&bytes, 0).unwrap_err(),
        Error::new(
            ErrorKind::BadTrailer(TrailerFault::Size {
                header: 99,
                trailer: 100
            }),
            Some(0x13),
            92
        )
    );
}

#[test]
fn record_without_a_trailer_id_is_a_bad_trailer() {
    let mut bytes = OPEN_RECORD;
    bytes[92] = 0x14; // where the trailer id should be
    assert_eq!(
        Record::parse(&bytes, 8).unwrap_err(),
        Error::new(
            ErrorKind::BadTrailer(TrailerFault::Missing { found: 0x14 }),
            Some(0x13),
            100
        )
    );
}

#[test]
fn record_parse_refuses_non_headers_small_and_short_records() {
    // A path token where the header should be.
    let path = [0x23, 0x00, 0x02, b'/', 0x00];
    assert_eq!(
        Record::parse(&path, 3).unwrap_err().kind,
        ErrorKind::NotAHeader(0x23)
    );
    // Size 24: one byte short of header32 + trailer.
    let mut small = OPEN_RECORD;
    small[4] = 0x18;
    assert_eq!(
        Record::parse(&small, 0).unwrap_err(),
        Error::new(ErrorKind::RecordTooSmall(24), Some(0x14), 0)
    );
    // Only 90 of the 99 bytes.
    assert_eq!(
        Record::parse(&OPEN_RECORD[..90], 0).unwrap_err(),
        Error::new(ErrorKind::Truncated { needed: 9 }, Some(0x14), 0)
    );
}

// ---------------------------------------------------------------------------
// encoder refusals: nothing is written

#[test]
fn encoder_refuses_text_longer_than_65535() {
    let long = vec![b'x'; 65536];
    let (err, out) = encode_err(&Token::Text(TextToken { text: text(&long) }));
    assert_eq!(
        err.kind,
        ErrorKind::TooLong {
            field: "string",
            len: 65536
        }
    );
    assert_eq!(err.token_id, Some(0x28));
    assert!(out.is_empty());

    // 65535 is the largest that fits: length field 0xffff.
    let longest = &long[..65535];
    let token = Token::Text(TextToken {
        text: text(longest),
    });
    let mut out = Vec::new();
    encode_token(&token, &mut out).unwrap();
    assert_eq!(&out[..3], &[0x28, 0xff, 0xff]);
    assert_eq!(out.len(), 3 + 65535);
    assert_eq!(decode_token(&out).unwrap(), (token, out.len()));
}

#[test]
fn encoder_refuses_socket_ex_with_mixed_families() {
    let (err, out) = encode_err(&Token::SocketEx(SocketEx {
        domain: 2,
        socket_type: 2,
        local_port: 1,
        local_addr: IpAddr::V4(Ipv4Addr::LOCALHOST),
        remote_port: 2,
        remote_addr: IpAddr::V6(Ipv6Addr::LOCALHOST),
    }));
    assert!(matches!(err.kind, ErrorKind::Inconsistent(_)), "{err}");
    assert_eq!(err.token_id, Some(0x7f));
    assert!(out.is_empty());
}

#[test]
fn encoder_refuses_arbitrary_data_of_the_wrong_length() {
    let (err, out) = encode_err(&Token::Arbitrary(Arbitrary {
        format: PrintFormat::Hex,
        unit: DataUnit::Int32,
        count: 2,
        data: Bytes(&[0; 7]),
    }));
    assert!(matches!(err.kind, ErrorKind::Inconsistent(_)), "{err}");
    assert_eq!(err.token_id, Some(0x21));
    assert!(out.is_empty());
}

#[test]
fn encoder_refuses_unknown_token_with_a_known_id() {
    let (err, out) = encode_err(&Token::Unknown(Unknown {
        id: 0x24,
        bytes: Bytes(&[0; 36]),
    }));
    assert!(matches!(err.kind, ErrorKind::Inconsistent(_)), "{err}");
    assert_eq!(err.token_id, Some(0x24));
    assert!(out.is_empty());
}

#[test]
fn encoder_refuses_other_inconsistent_tokens() {
    let refused = [
        // 15 gids in an old group token (always 16).
        Token::Groups(Groups {
            gids: U32List::from_raw(&[0; 60]),
        }),
        // A version-1 first word with only two words.
        Token::Rights(Rights {
            words: U64List::from_raw(&[0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        }),
        // A unix socket path with a NUL before its end, or none.
        Token::SockUnix(SockUnix {
            family: 1,
            path: text(b"/a\0b\0"),
        }),
        Token::SockUnix(SockUnix {
            family: 1,
            path: text(b"/a"),
        }),
        // Exec strings: count 2 but three strings.
        Token::ExecArgs(ExecStrings {
            strings: StringList::from_raw(2, b"a\0b\0c\0"),
        }),
        // Exec strings: the last one without its NUL.
        Token::ExecEnv(ExecStrings {
            strings: StringList::from_raw(2, b"a\0b"),
        }),
        // A gid list that is not whole u32s.
        Token::NewGroups(NewGroups {
            gids: U32List::from_raw(&[0; 6]),
        }),
    ];
    for token in refused {
        let (err, out) = encode_err(&token);
        assert_eq!(err.token_id, Some(token.id()), "{token:?}");
        assert!(out.is_empty(), "{token:?} wrote {out:?}");
    }
}

#[test]
fn encoder_refusal_leaves_existing_output_untouched() {
    let mut out = vec![1, 2, 3];
    let long = vec![0u8; 70000];
    encode_token(&Token::Opaque(Opaque { data: Bytes(&long) }), &mut out).unwrap_err();
    assert_eq!(out, [1, 2, 3]);
}

#[test]
fn encode_record_refusals_write_nothing() {
    let tokens = open_record_tokens(0);
    // A body token the encoder refuses: nothing at all is written, and the
    // error names the token and its offset in the record (18 + 53 = 71).
    let bad = Token::Unknown(Unknown {
        id: 0x23,
        bytes: Bytes(&[]),
    });
    let body = [tokens[1], bad, tokens[3]];
    let mut out = Vec::new();
    let err = encode_record(&tokens[0], &body, &mut out).unwrap_err();
    assert_eq!(err.token_id, Some(0x23));
    assert_eq!(err.offset, 71);
    assert!(out.is_empty());
    // A record must start with a header.
    let err = encode_record(&tokens[2], &[tokens[3]], &mut out).unwrap_err();
    assert!(matches!(err.kind, ErrorKind::Inconsistent(_)), "{err}");
    assert!(out.is_empty());
}

#[test]
fn body_yields_the_tokens_between_header_and_trailer_only() {
    let record = Record::parse(&OPEN_RECORD, 0).unwrap();
    let all: Vec<_> = record.tokens().map(Result::unwrap).collect();
    let body: Vec<_> = record.body().map(Result::unwrap).collect();
    assert_eq!(body, all[1..all.len() - 1]);
    assert!(matches!(all.last(), Some(Token::Trailer(_))));
}
