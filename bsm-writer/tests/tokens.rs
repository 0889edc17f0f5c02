//! Hand-derived vectors: each expected byte string is written out field by
//! field from the layout table of `shared/docs/bsm-format.md`, never taken
//! from our own output. They cover the constructors the conformance corpus
//! does not reach, strings' NULs and lengths, the record builder's sizes,
//! and the refusals.

use bsm_format::{AttrSolaris, DataUnit, PrintFormat, ProcessIds};
use bsm_writer::token::{self, CodeSigningIdentity};
use bsm_writer::{AuditTime, BuildError, HeaderWidth, RecordBuilder};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4};

/// The pieces, one after the other.
fn cat(pieces: &[&[u8]]) -> Vec<u8> {
    pieces.concat()
}

/// 2023-11-14 22:13:20 UTC, 0x6553f100, and 123 ms.
const TIME: AuditTime = AuditTime::new(1_700_000_000, 123);

#[test]
fn strings_carry_a_counted_nul() {
    let path = token::path("/etc/passwd").unwrap();
    // id, length 12 (11 characters and the NUL), the text, NUL.
    assert_eq!(
        path.as_bytes(),
        cat(&[&[0x23, 0x00, 0x0c], b"/etc/passwd\0"])
    );

    let empty = token::text("").unwrap();
    assert_eq!(empty.as_bytes(), [0x28, 0x00, 0x01, 0x00]);

    let arg = token::arg32(2, "flags", 0x0000_0401).unwrap();
    assert_eq!(
        arg.as_bytes(),
        cat(&[
            &[0x2d, 0x02, 0x00, 0x00, 0x04, 0x01, 0x00, 0x06],
            b"flags\0"
        ])
    );

    let zone = token::zone("global").unwrap();
    assert_eq!(zone.as_bytes(), cat(&[&[0x60, 0x00, 0x07], b"global\0"]));

    let args = token::exec_args(&["ls", "-l"]).unwrap();
    // id, count 2 (u32), each string with its NUL.
    assert_eq!(
        args.as_bytes(),
        cat(&[&[0x3c, 0x00, 0x00, 0x00, 0x02], b"ls\0-l\0"])
    );

    let unix = token::sock_unix(1, "/tmp/s").unwrap();
    assert_eq!(unix.as_bytes(), cat(&[&[0x82, 0x00, 0x01], b"/tmp/s\0"]));
}

#[test]
fn file_tokens() {
    // An empty name is a single NUL, length 1.
    let empty = token::file("", AuditTime::new(0x6553_f13c, 0)).unwrap();
    assert_eq!(
        empty.as_bytes(),
        [0x11, 0x65, 0x53, 0xf1, 0x3c, 0, 0, 0, 0, 0x00, 0x01, 0x00]
    );

    let wide = token::other_file64("/a", AuditTime::new(1_700_000_000, 5)).unwrap();
    assert_eq!(
        wide.as_bytes(),
        cat(&[
            &[0x78],
            &[0, 0, 0, 0, 0x65, 0x53, 0xf1, 0x00],
            &[0, 0, 0, 0, 0, 0, 0, 5],
            &[0x00, 0x03],
            b"/a\0"
        ])
    );
}

#[test]
fn headers_and_trailer() {
    let header = token::header32_ex(
        0x30,
        72,
        0,
        IpAddr::V4(Ipv4Addr::new(192, 168, 1, 10)),
        TIME,
    )
    .unwrap();
    assert_eq!(
        header.as_bytes(),
        cat(&[
            &[0x15, 0x00, 0x00, 0x00, 0x30, 0x0b, 0x00, 0x48, 0x00, 0x00],
            &[0x00, 0x00, 0x00, 0x04, 192, 168, 1, 10],
            &[0x65, 0x53, 0xf1, 0x00, 0x00, 0x00, 0x00, 0x7b],
        ])
    );

    let header = token::header64(0x40, 45000, 1, AuditTime::new(1 << 33, 999)).unwrap();
    assert_eq!(
        header.as_bytes(),
        cat(&[
            &[0x74, 0x00, 0x00, 0x00, 0x40, 0x0b, 0xaf, 0xc8, 0x00, 0x01],
            &[0, 0, 0, 2, 0, 0, 0, 0],
            &[0, 0, 0, 0, 0, 0, 0x03, 0xe7],
        ])
    );

    let trailer = token::trailer(0x2e).unwrap();
    assert_eq!(
        trailer.as_bytes(),
        [0x13, 0xb1, 0x05, 0x00, 0x00, 0x00, 0x2e]
    );
}

#[test]
fn subjects_and_returns() {
    let ids = ProcessIds {
        auid: 1000,
        euid: 0,
        egid: 0,
        ruid: 1000,
        rgid: 1000,
        pid: 42,
        sid: 7,
    };
    let subject = token::subject32_ex(ids, 0x1234, IpAddr::V6(Ipv6Addr::LOCALHOST)).unwrap();
    assert_eq!(
        subject.as_bytes(),
        cat(&[
            &[0x7a],
            &[0, 0, 0x03, 0xe8, 0, 0, 0, 0, 0, 0, 0, 0],
            &[
                0, 0, 0x03, 0xe8, 0, 0, 0x03, 0xe8, 0, 0, 0, 0x2a, 0, 0, 0, 7
            ],
            &[0, 0, 0x12, 0x34],
            &[0, 0, 0, 0x10],
            &[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
        ])
    );

    let ret = token::return64(250, 0xffff_ffff_ffff_fffe).unwrap();
    assert_eq!(
        ret.as_bytes(),
        [0x72, 0xfa, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe]
    );
}

#[test]
fn addresses_and_sockets() {
    let addr = token::in_addr_ex(IpAddr::V4(Ipv4Addr::new(10, 1, 2, 3))).unwrap();
    assert_eq!(addr.as_bytes(), [0x7e, 0, 0, 0, 4, 10, 1, 2, 3]);

    let inet = token::sock_inet32(2, SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 1), 80)).unwrap();
    assert_eq!(inet.as_bytes(), [0x80, 0x00, 0x02, 0x00, 0x50, 10, 0, 0, 1]);

    let local: SocketAddr = "[::1]:8080".parse().unwrap();
    let remote: SocketAddr = "[2001:db8::1]:443".parse().unwrap();
    let socket = token::socket_ex(26, 2, local, remote).unwrap();
    assert_eq!(
        socket.as_bytes(),
        cat(&[
            // id, domain 26 (BSM_PF_INET6), type 2, address type 16 as u16.
            &[0x7f, 0x00, 0x1a, 0x00, 0x02, 0x00, 0x10],
            &[0x1f, 0x90],
            &[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
            &[0x01, 0xbb],
            &[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
        ])
    );

    let port = token::ip_port(0x5000).unwrap();
    assert_eq!(port.as_bytes(), [0x2c, 0x50, 0x00]);
}

#[test]
fn arbitrary_values_are_big_endian_in_their_unit() {
    let data = token::arbitrary(PrintFormat::Hex, DataUnit::Short, &[0x1234, 0xffff]).unwrap();
    assert_eq!(
        data.as_bytes(),
        [0x21, 0x03, 0x01, 0x02, 0x12, 0x34, 0xff, 0xff]
    );

    let wide = token::arbitrary(PrintFormat::Decimal, DataUnit::Int64, &[u64::MAX]).unwrap();
    assert_eq!(
        wide.as_bytes(),
        cat(&[&[0x21, 0x02, 0x03, 0x01], &[0xff; 8]])
    );
}

#[test]
fn tokens_the_corpus_lacks() {
    let groups = token::groups(&[0, 1000]).unwrap();
    assert_eq!(
        groups.as_bytes(),
        [0x3b, 0x00, 0x02, 0, 0, 0, 0, 0, 0, 0x03, 0xe8]
    );

    let gids: [u32; 16] = std::array::from_fn(|i| i as u32);
    let old = token::old_groups(&gids).unwrap();
    let mut expected = vec![0x34];
    for gid in 0..16u8 {
        expected.extend_from_slice(&[0, 0, 0, gid]);
    }
    assert_eq!(old.as_bytes(), expected);

    let attr = token::attr_solaris(AttrSolaris {
        mode: 0o100644,
        uid: 1,
        gid: 2,
        fsid: 3,
        node_id: 4,
        device: 5,
    })
    .unwrap();
    assert_eq!(
        attr.as_bytes(),
        [
            0x31, 0, 0, 0x81, 0xa4, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5
        ]
    );

    // Version 0 in the first word's top bits: two words.
    let rights = token::rights(&[1, 2]).unwrap();
    assert_eq!(
        rights.as_bytes(),
        cat(&[
            &[0x83],
            &[0, 0, 0, 0, 0, 0, 0, 1],
            &[0, 0, 0, 0, 0, 0, 0, 2]
        ])
    );

    let identity = token::identity(&CodeSigningIdentity {
        signer_type: 1,
        signing_id: b"com.x",
        signing_id_truncated: 0,
        team_id: b"TEAM",
        team_id_truncated: 1,
        cdhash: &[0xaa, 0xbb],
    })
    .unwrap();
    assert_eq!(
        identity.as_bytes(),
        cat(&[
            &[0xed, 0, 0, 0, 1],
            &[0x00, 0x06],
            b"com.x\0",
            &[0x00],
            &[0x00, 0x05],
            b"TEAM\0",
            &[0x01],
            &[0x00, 0x02, 0xaa, 0xbb],
        ])
    );

    let exit = token::exit(1, 2).unwrap();
    assert_eq!(exit.as_bytes(), [0x52, 0, 0, 0, 1, 0, 0, 0, 2]);
}

#[test]
fn record_sizes_are_computed() {
    let record = RecordBuilder::new(72)
        .at(TIME)
        .with(token::path("/etc/passwd").unwrap())
        .with(token::return32(0, 3).unwrap())
        .close()
        .unwrap();
    // header 18 + path 15 + return 6 + trailer 7 = 46 = 0x2e.
    assert_eq!(
        record,
        cat(&[
            &[0x14, 0x00, 0x00, 0x00, 0x2e, 0x0b, 0x00, 0x48, 0x00, 0x00],
            &[0x65, 0x53, 0xf1, 0x00, 0x00, 0x00, 0x00, 0x7b],
            &[0x23, 0x00, 0x0c],
            b"/etc/passwd\0",
            &[0x27, 0x00, 0x00, 0x00, 0x00, 0x03],
            &[0x13, 0xb1, 0x05, 0x00, 0x00, 0x00, 0x2e],
        ])
    );

    let host = IpAddr::V6("fe80::1".parse().unwrap());
    let record = RecordBuilder::new(45001)
        .modifier(2)
        .at(AuditTime::new(1, 2))
        .width(HeaderWidth::Bits64)
        .host(host)
        .close()
        .unwrap();
    // header64_ex with IPv6: 1+4+1+2+2+4+16+8+8 = 46, trailer 7: 53 = 0x35.
    assert_eq!(
        record,
        cat(&[
            &[0x79, 0x00, 0x00, 0x00, 0x35, 0x0b, 0xaf, 0xc9, 0x00, 0x02],
            &[0, 0, 0, 0x10],
            &[0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
            &[0, 0, 0, 0, 0, 0, 0, 1],
            &[0, 0, 0, 0, 0, 0, 0, 2],
            &[0x13, 0xb1, 0x05, 0x00, 0x00, 0x00, 0x35],
        ])
    );
}

#[test]
fn refusals_name_the_token_and_the_problem() {
    let err = token::path(b"a\0b").unwrap_err();
    assert!(
        matches!(
            err,
            BuildError::InteriorNul {
                token: "path",
                position: 1,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        "path token: path has a NUL byte at position 1"
    );

    let err = token::arbitrary(PrintFormat::Decimal, DataUnit::Byte, &[256]).unwrap_err();
    assert!(
        err.to_string().contains("256 does not fit a 1-byte unit"),
        "{err}"
    );
    let err = token::arbitrary(PrintFormat::Decimal, DataUnit::Byte, &[0; 256]).unwrap_err();
    assert!(err.to_string().contains("256 values"), "{err}");

    let v4: SocketAddr = "10.0.0.1:1".parse().unwrap();
    let v6: SocketAddr = "[::1]:1".parse().unwrap();
    let err = token::socket_ex(2, 2, v4, v6).unwrap_err();
    assert!(
        matches!(
            err,
            BuildError::Encode {
                token: "socket_ex",
                ..
            }
        ),
        "{err}"
    );

    let err = token::unknown(0x23, &[1, 2]).unwrap_err();
    assert!(
        matches!(
            err,
            BuildError::Encode {
                token: "unknown",
                ..
            }
        ),
        "{err}"
    );

    let err = token::header32(0, 1, 0, AuditTime::new(1 << 32, 0)).unwrap_err();
    assert!(matches!(err, BuildError::TimeOutOfRange { .. }), "{err}");
    let err = RecordBuilder::new(1)
        .at(AuditTime::new(1 << 32, 0))
        .close()
        .unwrap_err();
    assert!(matches!(err, BuildError::TimeOutOfRange { .. }), "{err}");

    // 65534 characters and the NUL fit the u16 length; one more does not.
    assert!(token::text(vec![b'x'; 65534]).is_ok());
    let err = token::text(vec![b'x'; 65535]).unwrap_err();
    assert!(
        matches!(err, BuildError::Encode { token: "text", .. }),
        "{err}"
    );

    let err = token::groups(&vec![0; 65536]).unwrap_err();
    assert!(
        matches!(
            err,
            BuildError::Encode {
                token: "groups",
                ..
            }
        ),
        "{err}"
    );

    let err = token::rights(&[1, 2, 3]).unwrap_err();
    assert!(
        matches!(
            err,
            BuildError::Encode {
                token: "rights",
                ..
            }
        ),
        "{err}"
    );
}
