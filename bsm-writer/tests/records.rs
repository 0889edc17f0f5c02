//! The one-line records: event numbers from the event table by name, the
//! tokens in order, host values converted to BSM's, and one record's bytes
//! derived by hand.

use bsm_format::tables::EventTable;
use bsm_format::{ProcessIds, Record, Token};
use bsm_writer::records::{self, DaemonEvent, FileAttr, FileEvent, Outcome, SocketEvent, Subject};
use bsm_writer::{AuditTime, RecordBuilder};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::os::unix::fs::MetadataExt;
use std::path::Path;

fn alice() -> Subject {
    Subject {
        ids: ProcessIds {
            auid: 1000,
            euid: 1000,
            egid: 100,
            ruid: 1000,
            rgid: 100,
            pid: 4242,
            sid: 17,
        },
        terminal_port: 0x0401,
        terminal_addr: IpAddr::V4(Ipv4Addr::new(10, 0, 0, 9)),
    }
}

/// The record's event name and its body tokens.
fn parse(builder: RecordBuilder) -> (String, Vec<u8>) {
    let bytes = builder.close().expect("close");
    let record = Record::parse(&bytes, 0).expect("parse");
    assert_eq!(record.bytes().len(), bytes.len());
    let name = EventTable::builtin()
        .by_number(record.event())
        .map(|event| event.name.clone())
        .expect("event in table");
    (name, bytes)
}

fn body(bytes: &[u8]) -> Vec<Token<'_>> {
    let record = Record::parse(bytes, 0).unwrap();
    record.body().map(Result::unwrap).collect()
}

#[test]
fn login_carries_subject_text_and_return() {
    let (event, bytes) = parse(records::login(&alice(), Outcome::SUCCESS, "alice").unwrap());
    assert_eq!(event, "AUE_login");
    let tokens = body(&bytes);
    let [
        Token::Subject32Ex(subject),
        Token::Text(text),
        Token::Return32(ret),
    ] = tokens[..]
    else {
        panic!("tokens: {tokens:?}");
    };
    assert_eq!(subject.ids, alice().ids);
    assert_eq!(
        (subject.port, subject.addr),
        (0x0401, alice().terminal_addr)
    );
    assert_eq!(text.text.raw(), b"alice\0");
    assert_eq!((ret.status, ret.value), (0, 0));
}

#[test]
fn failures_carry_the_bsm_errno() {
    // Linux ECONNREFUSED is 111, BSM's is 146; the value is -1.
    let failure = Outcome::Failure { linux_errno: 111 };
    let (event, bytes) = parse(records::su(&alice(), failure, "root").unwrap());
    assert_eq!(event, "AUE_su");
    let Some(Token::Return32(ret)) = body(&bytes).last().copied() else {
        panic!("no return token");
    };
    assert_eq!((ret.status, ret.value), (146, u32::MAX));

    // An errno BSM lacks is written as BSM's "unknown", 250.
    let (_, bytes) =
        parse(records::login(&alice(), Outcome::Failure { linux_errno: 4000 }, "x").unwrap());
    let Some(Token::Return32(ret)) = body(&bytes).last().copied() else {
        panic!("no return token");
    };
    assert_eq!(ret.status, 250);
}

#[test]
fn logout_bytes_match_a_hand_derived_record() {
    let bytes = records::logout(&alice(), "bye")
        .unwrap()
        .at(AuditTime::new(1_700_000_000, 123))
        .close()
        .unwrap();
    // header 18 + subject32_ex with IPv4 41 + text 7 + return 6 + trailer 7
    // = 79 = 0x4f; AUE_logout is 6153 = 0x1809.
    let expected: Vec<u8> = [
        &[0x14, 0, 0, 0, 0x4f, 0x0b, 0x18, 0x09, 0, 0][..],
        &[0x65, 0x53, 0xf1, 0x00, 0, 0, 0, 0x7b],
        &[0x7a],
        &[0, 0, 0x03, 0xe8, 0, 0, 0x03, 0xe8, 0, 0, 0, 0x64],
        &[
            0, 0, 0x03, 0xe8, 0, 0, 0, 0x64, 0, 0, 0x10, 0x92, 0, 0, 0, 0x11,
        ],
        &[0, 0, 0x04, 0x01, 0, 0, 0, 4, 10, 0, 0, 9],
        &[0x28, 0, 4],
        b"bye\0",
        &[0x27, 0, 0, 0, 0, 0],
        &[0x13, 0xb1, 0x05, 0, 0, 0, 0x4f],
    ]
    .concat();
    assert_eq!(bytes, expected);
}

#[test]
fn exec_carries_args_path_attr_subject_return() {
    let metadata = std::fs::metadata("/").unwrap();
    let attr = FileAttr::from_metadata(&metadata).unwrap();
    let builder = records::exec(
        &alice(),
        "/bin/ls",
        &["ls", "-l"],
        Some(&attr),
        Outcome::SUCCESS,
    )
    .unwrap();
    let (event, bytes) = parse(builder);
    assert_eq!(event, "AUE_EXECVE");
    let tokens = body(&bytes);
    let [
        Token::ExecArgs(args),
        Token::Path(path),
        Token::Attr32(attr32),
        Token::Subject32Ex(_),
        Token::Return32(_),
    ] = tokens[..]
    else {
        panic!("tokens: {tokens:?}");
    };
    assert_eq!(args.strings.iter().collect::<Vec<_>>(), [&b"ls"[..], b"-l"]);
    assert_eq!(path.path.raw(), b"/bin/ls\0");
    assert_eq!(attr32.mode, metadata.mode());
    assert_eq!(attr32.node_id, metadata.ino());

    // Without attributes there is no attribute token.
    let (_, bytes) =
        parse(records::exec(&alice(), "/bin/true", &["true"], None, Outcome::SUCCESS).unwrap());
    assert_eq!(body(&bytes).len(), 4);
}

#[test]
fn file_events_use_the_table_numbers() {
    let events = [
        (FileEvent::OpenRead, "AUE_OPEN_R", 72),
        (FileEvent::OpenReadWriteCreate, "AUE_OPEN_RWC", 81),
        (FileEvent::Unlink, "AUE_UNLINK", 6),
        (FileEvent::Mkdir, "AUE_MKDIR", 47),
    ];
    for (kind, name, number) in events {
        let bytes = records::file(kind, &alice(), "/tmp/x", None, Outcome::SUCCESS)
            .unwrap()
            .close()
            .unwrap();
        assert_eq!(Record::parse(&bytes, 0).unwrap().event(), number, "{name}");
        assert_eq!(kind.name(), name);
        assert_eq!(records::event_number(name).unwrap(), number);
    }

    let (event, bytes) =
        parse(records::rename(&alice(), "/a", "/b", None, Outcome::SUCCESS).unwrap());
    assert_eq!(event, "AUE_RENAME");
    let paths: Vec<_> = Record::parse(&bytes, 0)
        .unwrap()
        .paths()
        .map(|p| p.bytes().to_vec())
        .collect();
    assert_eq!(paths, [b"/a".to_vec(), b"/b".to_vec()]);

    assert!(records::event_number("AUE_NO_SUCH_EVENT").is_err());
}

#[test]
fn socket_events_carry_inet_or_ex_tokens() {
    let peer: SocketAddr = "192.0.2.7:443".parse().unwrap();
    let (event, bytes) = parse(
        records::socket_address(SocketEvent::Connect, &alice(), 5, peer, Outcome::SUCCESS).unwrap(),
    );
    assert_eq!(event, "AUE_CONNECT");
    let tokens = body(&bytes);
    let [Token::Arg32(fd), Token::SockInet32(inet), ..] = tokens[..] else {
        panic!("tokens: {tokens:?}");
    };
    assert_eq!((fd.number, fd.value, fd.text.raw()), (1, 5, &b"fd\0"[..]));
    // Linux's AF_INET, as libbsm writes sin_family unconverted.
    assert_eq!((inet.family, inet.port), (2, 443));

    let bound: SocketAddr = "[2001:db8::2]:8080".parse().unwrap();
    let (event, bytes) = parse(
        records::socket_address(SocketEvent::Bind, &alice(), 3, bound, Outcome::SUCCESS).unwrap(),
    );
    assert_eq!(event, "AUE_BIND");
    let tokens = body(&bytes);
    let Token::SockInet128(inet6) = tokens[1] else {
        panic!("tokens: {tokens:?}");
    };
    // Linux's AF_INET6 is 10.
    assert_eq!((inet6.family, inet6.port), (10, 8080));

    let local: SocketAddr = "[::1]:22".parse().unwrap();
    let remote: SocketAddr = "[::1]:50000".parse().unwrap();
    let builder = records::socket_endpoints(
        SocketEvent::Accept,
        &alice(),
        4,
        libc::SOCK_STREAM,
        local,
        remote,
        Outcome::Success { value: 6 },
    )
    .unwrap();
    let (event, bytes) = parse(builder);
    assert_eq!(event, "AUE_ACCEPT");
    let tokens = body(&bytes);
    let Token::SocketEx(socket) = tokens[1] else {
        panic!("tokens: {tokens:?}");
    };
    // BSM_PF_INET6 is 26 and BSM_SOCK_STREAM 2 (Linux: 10 and 1).
    assert_eq!((socket.domain, socket.socket_type), (26, 2));
    assert_eq!((socket.local_port, socket.remote_port), (22, 50000));

    let v4: SocketAddr = "10.0.0.1:1".parse().unwrap();
    assert!(
        records::socket_endpoints(
            SocketEvent::Connect,
            &alice(),
            4,
            1,
            v4,
            remote,
            Outcome::SUCCESS
        )
        .is_err()
    );
}

#[test]
fn daemon_records_follow_auditd() {
    let (event, bytes) = parse(records::audit_daemon(DaemonEvent::Startup, "lxbsmd").unwrap());
    assert_eq!(event, "AUE_audit_startup");
    let tokens = body(&bytes);
    let [
        Token::Subject32Ex(subject),
        Token::Text(text),
        Token::Return32(ret),
    ] = tokens[..]
    else {
        panic!("tokens: {tokens:?}");
    };
    // auditd's subject: audit id the real uid, session the pid.
    assert_eq!(subject.ids.auid, subject.ids.ruid);
    assert_eq!(subject.ids.sid, std::process::id());
    assert_eq!(text.text.raw(), b"lxbsmd::Audit startup\0");
    assert_eq!((ret.status, ret.value), (0, 0));

    let recovered = Path::new("/var/audit/20231114221320.crash_recovery");
    let builder = records::audit_daemon(
        DaemonEvent::Recovery {
            recovered: Some(recovered),
        },
        "lxbsmd",
    )
    .unwrap();
    let (event, bytes) = parse(builder);
    assert_eq!(event, "AUE_audit_recovery");
    let record = Record::parse(&bytes, 0).unwrap();
    assert_eq!(
        record.paths().next().map(|p| p.bytes()),
        Some(recovered.as_os_str().as_encoded_bytes())
    );

    let (event, _) = parse(records::audit_daemon(DaemonEvent::Shutdown, "lxbsmd").unwrap());
    assert_eq!(event, "AUE_audit_shutdown");
}

#[test]
fn current_subject_is_this_process() {
    let subject = Subject::current().unwrap();
    assert_eq!(subject.ids.pid, std::process::id());
    // /proc/self belongs to the process's effective user.
    let owner = std::fs::metadata("/proc/self").unwrap();
    assert_eq!(subject.ids.euid, owner.uid());
    assert_eq!(subject.ids.egid, owner.gid());
}

#[test]
fn an_application_record_carries_subject_each_text_and_return() {
    let builder = records::application(
        32800,
        &alice(),
        &["first", "second"],
        Outcome::Failure { linux_errno: 13 },
    )
    .unwrap();
    let (event, bytes) = parse(builder);
    assert_eq!(event, "AUE_openssh");
    let tokens = body(&bytes);
    let [
        Token::Subject32Ex(subject),
        Token::Text(first),
        Token::Text(second),
        Token::Return32(ret),
    ] = tokens[..]
    else {
        panic!("tokens: {tokens:?}");
    };
    assert_eq!(subject.ids, alice().ids);
    assert_eq!(first.text.raw(), b"first\0");
    assert_eq!(second.text.raw(), b"second\0");
    // Linux EACCES is 13, and so is BSM's.
    assert_eq!((ret.status, ret.value), (13, u32::MAX));
}
