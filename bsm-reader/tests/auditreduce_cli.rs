//! The auditreduce binary as a user runs it: one test per option, on records
//! of every header, subject and process form built with bsm-format's
//! encoder; one test per OpenBSM defect; pass-through; merging; trail
//! directories; errors.
//!
//! Each record carries a sequence token with its index, so the records an
//! option selects can be named. What each option should select is computed
//! from the values the records were built from (`Spec`), never from
//! auditreduce's own output.

use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use bsm_format::{
    Header32, Header32Ex, Header64, Header64Ex, Ipc, Path as PathToken, ProcessIds, Return32,
    Return64, Sequence, SockInet32, SockInet128, Socket, SocketEx, Splitter, Subject32,
    Subject32Ex, Subject64, Subject64Ex, Text, Token, TrailItem, Zone, encode_record,
};

const BASE_SECONDS: u32 = 1_700_000_000; // 2023-11-14 22:13:20 UTC
const AUE_EXIT: u16 = 1;
const AUE_KILL: u16 = 15;
const AUE_EXECVE: u16 = 23;
const AUE_OPEN_R: u16 = 72;
const EVENTS: [u16; 4] = [AUE_EXECVE, AUE_OPEN_R, AUE_KILL, AUE_EXIT];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HeaderForm {
    H32,
    H32ExV4,
    H32ExV6,
    H64,
    H64ExV6,
}
const HEADERS: [HeaderForm; 5] = [
    HeaderForm::H32,
    HeaderForm::H32ExV4,
    HeaderForm::H32ExV6,
    HeaderForm::H64,
    HeaderForm::H64ExV6,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SubjectForm {
    S32,
    S32ExV4,
    S32ExV6,
    S64,
    S64ExV6,
}
const SUBJECTS: [SubjectForm; 5] = [
    SubjectForm::S32,
    SubjectForm::S32ExV4,
    SubjectForm::S32ExV6,
    SubjectForm::S64,
    SubjectForm::S64ExV6,
];

#[derive(Debug, Clone, Copy)]
enum Result_ {
    Ok32,
    Fail32,
    Ok64,
    Fail64,
    Missing,
}

#[derive(Debug, Clone, Copy)]
enum Sock {
    Plain,
    ExV4,
    ExV6,
    Inet32,
    Inet128,
}

/// What one test record holds.
#[derive(Debug, Clone)]
struct Spec {
    index: u32,
    header: HeaderForm,
    subject: SubjectForm,
    event: u16,
    millis: u64,
    ids: ProcessIds,
    /// A process token (the process acted upon): its form and ids.
    process: Option<(SubjectForm, ProcessIds)>,
    result: Result_,
    path: Option<&'static str>,
    ipc: Option<(u8, u32)>,
    socket: Option<Sock>,
    zone: Option<&'static str>,
}

impl Spec {
    fn time_ms(&self) -> i64 {
        i64::from(BASE_SECONDS) * 1000 + i64::from(self.index) * 60_000 + self.millis as i64
    }

    fn success(&self) -> Option<bool> {
        match self.result {
            Result_::Ok32 | Result_::Ok64 => Some(true),
            Result_::Fail32 | Result_::Fail64 => Some(false),
            Result_::Missing => None,
        }
    }

    /// Every subject and process token's ids.
    fn all_ids(&self) -> Vec<ProcessIds> {
        let mut all = vec![self.ids];
        all.extend(self.process.map(|(_, ids)| ids));
        all
    }

    /// The socket ends: (address, port) pairs.
    fn socket_ends(&self) -> Vec<(IpAddr, u16)> {
        let index = self.index as u16;
        let v4 = |a, b, c, d| IpAddr::V4(Ipv4Addr::new(a, b, c, d));
        match self.socket {
            None => vec![],
            Some(Sock::Plain) => vec![(v4(10, 0, 0, 2), 40000 + index), (v4(10, 0, 0, 254), 22)],
            Some(Sock::ExV4) => vec![(v4(10, 0, 0, 3), 41000 + index), (v4(192, 0, 2, 80), 443)],
            Some(Sock::ExV6) => vec![
                (IpAddr::V6(v6("2001:db8::2")), 42000 + index),
                (IpAddr::V6(v6("2001:db8::80")), 443),
            ],
            Some(Sock::Inet32) => vec![(v4(192, 0, 2, 53), 53)],
            Some(Sock::Inet128) => vec![(IpAddr::V6(v6("2001:db8::53")), 53)],
        }
    }
}

fn v6(text: &str) -> Ipv6Addr {
    text.parse().unwrap()
}

/// 75 records: every header form with every subject form, three times,
/// each third with other object tokens.
fn specs() -> Vec<Spec> {
    (0..75u32)
        .map(|i| {
            let auid = [1000, 2000, 0][i as usize % 3];
            let ids = ProcessIds {
                auid,
                euid: auid + 1,
                egid: 100 + i % 2,
                ruid: auid + 2,
                rgid: 200 + i % 2,
                pid: 300 + i % 4,
                sid: 7,
            };
            let group = i / 25;
            Spec {
                index: i,
                header: HEADERS[i as usize % 5],
                subject: SUBJECTS[(i as usize / 5) % 5],
                event: EVENTS[i as usize % 4],
                millis: u64::from(i * 7 % 1000),
                ids,
                process: (group == 1).then(|| {
                    let target = ProcessIds {
                        auid: if i % 2 == 0 { auid } else { 3000 },
                        pid: 4000 + i % 3,
                        ..ids
                    };
                    (SUBJECTS[i as usize % 5], target)
                }),
                result: if i % 7 == 6 {
                    Result_::Missing
                } else {
                    [
                        Result_::Ok32,
                        Result_::Fail32,
                        Result_::Ok64,
                        Result_::Fail64,
                    ][i as usize % 4]
                },
                path: (group == 0)
                    .then(|| ["/etc/passwd", "/home/alice/notes", "/etc/shadow"][i as usize % 3]),
                ipc: (group == 2).then(|| (1 + (i % 3) as u8, 10 + i % 2)),
                socket: (group == 2).then(|| {
                    [
                        Sock::Plain,
                        Sock::ExV4,
                        Sock::ExV6,
                        Sock::Inet32,
                        Sock::Inet128,
                    ][i as usize % 5]
                }),
                zone: (group == 2).then(|| ["global", "web01", "db02"][i as usize % 3]),
            }
        })
        .collect()
}

fn subject_token(form: SubjectForm, ids: ProcessIds, process: bool) -> Token<'static> {
    let v4 = Ipv4Addr::new(192, 0, 2, 11);
    let addr6 = IpAddr::V6(v6("2001:db8::11"));
    match (form, process) {
        (SubjectForm::S32, false) => Token::Subject32(Subject32 {
            ids,
            port: 5,
            addr: v4,
        }),
        (SubjectForm::S32, true) => Token::Process32(Subject32 {
            ids,
            port: 5,
            addr: v4,
        }),
        (SubjectForm::S64, false) => Token::Subject64(Subject64 {
            ids,
            port: 5,
            addr: v4,
        }),
        (SubjectForm::S64, true) => Token::Process64(Subject64 {
            ids,
            port: 5,
            addr: v4,
        }),
        (SubjectForm::S32ExV4 | SubjectForm::S32ExV6, _) => {
            let addr = if form == SubjectForm::S32ExV4 {
                IpAddr::V4(v4)
            } else {
                addr6
            };
            let token = Subject32Ex { ids, port: 5, addr };
            if process {
                Token::Process32Ex(token)
            } else {
                Token::Subject32Ex(token)
            }
        }
        (SubjectForm::S64ExV6, _) => {
            let token = Subject64Ex {
                ids,
                port: 5,
                addr: addr6,
            };
            if process {
                Token::Process64Ex(token)
            } else {
                Token::Subject64Ex(token)
            }
        }
    }
}

fn header_token(spec: &Spec) -> Token<'static> {
    let seconds = BASE_SECONDS + spec.index * 60;
    let (size, version, event, modifier) = (0, 11, spec.event, 0);
    match spec.header {
        HeaderForm::H32 => Token::Header32(Header32 {
            size,
            version,
            event,
            modifier,
            seconds,
            milliseconds: spec.millis as u32,
        }),
        HeaderForm::H32ExV4 | HeaderForm::H32ExV6 => Token::Header32Ex(Header32Ex {
            size,
            version,
            event,
            modifier,
            host: if spec.header == HeaderForm::H32ExV4 {
                IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1))
            } else {
                IpAddr::V6(v6("2001:db8::1"))
            },
            seconds,
            milliseconds: spec.millis as u32,
        }),
        HeaderForm::H64 => Token::Header64(Header64 {
            size,
            version,
            event,
            modifier,
            seconds: u64::from(seconds),
            milliseconds: spec.millis,
        }),
        HeaderForm::H64ExV6 => Token::Header64Ex(Header64Ex {
            size,
            version,
            event,
            modifier,
            host: IpAddr::V6(v6("2001:db8::1")),
            seconds: u64::from(seconds),
            milliseconds: spec.millis,
        }),
    }
}

fn socket_token(spec: &Spec) -> Option<Token<'static>> {
    let ends = spec.socket_ends();
    let four = |addr: IpAddr| match addr {
        IpAddr::V4(v4) => v4,
        IpAddr::V6(_) => unreachable!("an IPv4 end"),
    };
    Some(match spec.socket? {
        Sock::Plain => Token::Socket(Socket {
            socket_type: 2,
            local_port: ends[0].1,
            local_addr: four(ends[0].0),
            remote_port: ends[1].1,
            remote_addr: four(ends[1].0),
        }),
        Sock::ExV4 | Sock::ExV6 => Token::SocketEx(SocketEx {
            domain: if matches!(spec.socket, Some(Sock::ExV4)) {
                2
            } else {
                26
            },
            socket_type: 2,
            local_port: ends[0].1,
            local_addr: ends[0].0,
            remote_port: ends[1].1,
            remote_addr: ends[1].0,
        }),
        Sock::Inet32 => Token::SockInet32(SockInet32 {
            family: 2,
            port: ends[0].1,
            addr: four(ends[0].0),
        }),
        Sock::Inet128 => Token::SockInet128(SockInet128 {
            family: 26,
            port: ends[0].1,
            addr: match ends[0].0 {
                IpAddr::V6(v6) => v6,
                IpAddr::V4(_) => unreachable!("an IPv6 end"),
            },
        }),
    })
}

fn encode(spec: &Spec) -> Vec<u8> {
    let path_bytes = spec.path.map(|p| [p.as_bytes(), b"\0"].concat());
    let zone_bytes = spec.zone.map(|z| [z.as_bytes(), b"\0"].concat());
    let mut body = vec![Token::Sequence(Sequence {
        sequence: spec.index,
    })];
    body.push(subject_token(spec.subject, spec.ids, false));
    if let Some((form, ids)) = spec.process {
        body.push(subject_token(form, ids, true));
    }
    if let Some(path) = &path_bytes {
        body.push(Token::Path(PathToken {
            path: Text::from_raw(path),
        }));
    }
    if let Some((ipc_type, id)) = spec.ipc {
        body.push(Token::Ipc(Ipc { ipc_type, id }));
    }
    body.extend(socket_token(spec));
    if let Some(zone) = &zone_bytes {
        body.push(Token::Zone(Zone {
            zone: Text::from_raw(zone),
        }));
    }
    match spec.result {
        Result_::Ok32 => body.push(Token::Return32(Return32 {
            status: 0,
            value: 3,
        })),
        Result_::Fail32 => body.push(Token::Return32(Return32 {
            status: 13,
            value: u32::MAX,
        })),
        Result_::Ok64 => body.push(Token::Return64(Return64 {
            status: 0,
            value: 3,
        })),
        Result_::Fail64 => body.push(Token::Return64(Return64 {
            status: 2,
            value: u64::MAX,
        })),
        Result_::Missing => {}
    }
    let mut out = Vec::new();
    encode_record(&header_token(spec), &body, &mut out).unwrap();
    out
}

fn trail(specs: &[Spec]) -> Vec<u8> {
    specs.iter().flat_map(encode).collect()
}

/// A temporary directory, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("bsm-auditreduce-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn auditreduce(args: &[&str], inputs: &[&Path]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_auditreduce"))
        .args(args)
        .args(inputs)
        .env("TZ", "UTC")
        .args(
            ["--audit-event", "--audit-class"]
                .iter()
                .zip(["audit_event", "audit_class"])
                .flat_map(|(flag, file)| {
                    [
                        flag.to_string(),
                        Path::new(env!("CARGO_MANIFEST_DIR"))
                            .join("../../shared/conformance/etc")
                            .join(file)
                            .display()
                            .to_string(),
                    ]
                }),
        )
        .output()
        .unwrap()
}

/// The sequence numbers of the records in auditreduce's output, which must
/// be whole records and nothing else.
fn selected(output: &Output) -> BTreeSet<u32> {
    let mut indices = BTreeSet::new();
    for item in Splitter::new(&output.stdout) {
        let TrailItem::Record(record) = item.expect("output is whole records") else {
            panic!("a file token in selected output");
        };
        let sequence = record
            .tokens()
            .find_map(|t| match t {
                Ok(Token::Sequence(s)) => Some(s.sequence),
                _ => None,
            })
            .expect("every test record has a sequence token");
        indices.insert(sequence);
    }
    indices
}

fn expect(specs: &[Spec], wanted: impl Fn(&Spec) -> bool) -> BTreeSet<u32> {
    specs
        .iter()
        .filter(|s| wanted(s))
        .map(|s| s.index)
        .collect()
}

/// Runs auditreduce with `args` on the 75-record trail and checks that it
/// selects exactly the records `wanted` accepts, and some but not all.
fn check_option(args: &[&str], wanted: impl Fn(&Spec) -> bool) {
    let specs = specs();
    let dir = TempDir::new(&args.join("_").replace(['/', '^', '~', ',', '='], "_"));
    let file = dir.file("trail.bsm", &trail(&specs));
    let output = auditreduce(args, &[&file]);
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let expected = expect(&specs, wanted);
    assert!(
        !expected.is_empty() && expected.len() < specs.len(),
        "{args:?}: the test should select some records, not all"
    );
    assert_eq!(selected(&output), expected, "{args:?}");
}

fn every_form_is_among(specs: &[Spec], chosen: &BTreeSet<u32>) {
    for form in HEADERS {
        assert!(
            specs
                .iter()
                .any(|s| s.header == form && chosen.contains(&s.index)),
            "no {form:?} record selected"
        );
    }
    for form in SUBJECTS {
        assert!(
            specs
                .iter()
                .any(|s| s.subject == form && chosen.contains(&s.index)),
            "no {form:?} record selected"
        );
    }
}

#[test]
fn minus_u_by_number_selects_every_header_and_subject_form() {
    check_option(&["-u", "1000"], |s| {
        s.all_ids().iter().all(|ids| ids.auid == 1000)
    });
    let specs = specs();
    every_form_is_among(
        &specs,
        &expect(&specs, |s| s.all_ids().iter().all(|ids| ids.auid == 1000)),
    );
}

#[test]
fn minus_u_by_name() {
    // root is uid 0 on every host.
    check_option(&["-u", "root"], |s| {
        s.all_ids().iter().all(|ids| ids.auid == 0)
    });
}

#[test]
fn minus_e_f_g_r_read_every_subject_and_process_form() {
    check_option(&["-e", "1001"], |s| {
        s.all_ids().iter().all(|ids| ids.euid == 1001)
    });
    check_option(&["-f", "101"], |s| {
        s.all_ids().iter().all(|ids| ids.egid == 101)
    });
    check_option(&["-g", "200"], |s| {
        s.all_ids().iter().all(|ids| ids.rgid == 200)
    });
    check_option(&["-r", "2002"], |s| {
        s.all_ids().iter().all(|ids| ids.ruid == 2002)
    });
}

#[test]
fn minus_j_reads_the_subjects_pid() {
    check_option(&["-j", "301"], |s| s.ids.pid == 301);
}

#[test]
fn minus_o_pid_reads_the_process_tokens_pid() {
    check_option(&["-o", "pid=4001"], |s| {
        s.process.is_some_and(|(_, ids)| ids.pid == 4001)
    });
}

#[test]
fn minus_m_by_name_number_repeated_and_listed() {
    check_option(&["-m", "AUE_EXECVE"], |s| s.event == AUE_EXECVE);
    check_option(&["-m", "72"], |s| s.event == AUE_OPEN_R);
    check_option(&["-m", "AUE_EXECVE", "-m", "AUE_KILL"], |s| {
        matches!(s.event, AUE_EXECVE | AUE_KILL)
    });
    check_option(&["-m", "AUE_EXIT,AUE_OPEN_R"], |s| {
        matches!(s.event, AUE_EXIT | AUE_OPEN_R)
    });
    let specs = specs();
    every_form_is_among(&specs, &expect(&specs, |s| s.event == AUE_EXECVE));
}

#[test]
fn minus_c_classes_by_outcome_of_either_return_width() {
    // AUE_EXECVE is pc,ex; AUE_KILL and AUE_EXIT pc; AUE_OPEN_R fr.
    let process_class = |s: &Spec| s.event != AUE_OPEN_R;
    check_option(&["-c", "fr"], |s| s.event == AUE_OPEN_R);
    check_option(&["-c", "+pc"], |s| {
        process_class(s) && s.success() != Some(false)
    });
    check_option(&["-c", "-pc"], |s| {
        process_class(s) && s.success() != Some(true)
    });
    check_option(&["-c", "ex,-fr"], |s| {
        s.event == AUE_EXECVE || (s.event == AUE_OPEN_R && s.success() != Some(true))
    });
}

#[test]
fn minus_a_and_minus_b_bound_the_time() {
    // Record i is at 2023-11-14 22:13:20 UTC plus i minutes (and i*7 ms).
    check_option(&["-a", "20231114225320"], |s| s.index >= 40);
    check_option(&["-b", "20231114225320"], |s| s.index < 40);
    // 2023-11-14 23:00:00 and 23:50:00 UTC.
    let (eleven, ten_to_midnight) = (1_700_002_800_000, 1_700_005_800_000);
    check_option(&["-a", "2023111423", "-b", "202311142350"], |s| {
        (eleven..ten_to_midnight).contains(&s.time_ms())
    });
    check_option(&["-a", "20231114225320", "-v"], |s| s.index < 40);
}

#[test]
fn minus_d_selects_one_day() {
    // Records 0..=106 would reach past midnight; the 75 here end at 23:27.
    let specs = specs();
    let dir = TempDir::new("day");
    let file = dir.file("trail.bsm", &trail(&specs));
    let all: BTreeSet<u32> = specs.iter().map(|s| s.index).collect();
    assert_eq!(selected(&auditreduce(&["-d", "20231114"], &[&file])), all);
    assert!(selected(&auditreduce(&["-d", "20231115"], &[&file])).is_empty());
    assert!(selected(&auditreduce(&["-d", "20231113"], &[&file])).is_empty());
    let both = auditreduce(&["-d", "20231114", "-a", "20231114"], &[&file]);
    assert_eq!(both.status.code(), Some(64), "-d excludes -a");
}

#[test]
fn minus_cap_a_lifts_the_time_and_passes_records_through_byte_for_byte() {
    let specs = specs();
    let dir = TempDir::new("all");
    let bytes = trail(&specs);
    let file = dir.file("trail.bsm", &bytes);
    let output = auditreduce(&["-A"], &[&file]);
    assert!(output.status.success());
    assert_eq!(output.stdout, bytes);
    let lifted = auditreduce(&["-A", "-a", "20300101"], &[&file]);
    assert_eq!(lifted.stdout, bytes, "-A overrides -a");
}

#[test]
fn pass_through_of_every_conformance_trail() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance");
    let mut checked = 0;
    for sub in ["reference", "extra"] {
        for entry in std::fs::read_dir(dir.join(sub)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|ext| ext != "bsm") {
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            let records: Vec<u8> = Splitter::new(&bytes)
                .map_while(Result::ok)
                .filter_map(|item| match item {
                    TrailItem::Record(record) => Some(record.bytes().to_vec()),
                    TrailItem::File(_) => None,
                })
                .flatten()
                .collect();
            if records.is_empty() {
                continue;
            }
            let output = auditreduce(&["-A"], &[&path]);
            assert!(output.status.success(), "{}", path.display());
            assert_eq!(output.stdout, records, "{}", path.display());
            checked += 1;
        }
    }
    assert!(checked > 50, "only {checked} trails");
}

#[test]
fn minus_o_file_first_matching_rule_decides() {
    check_option(&["-o", "file=^/etc/"], |s| {
        s.path.is_some_and(|p| p.starts_with("/etc/"))
    });
    check_option(&["-o", "file=~shadow,^/etc/"], |s| {
        s.path == Some("/etc/passwd")
    });
    check_option(&["-o", "file=~^/etc/,."], |s| {
        s.path == Some("/home/alice/notes")
    });
}

#[test]
fn minus_o_ipc_objects() {
    check_option(&["-o", "msgqid=10"], |s| s.ipc == Some((1, 10)));
    check_option(&["-o", "semid=11"], |s| s.ipc == Some((2, 11)));
    check_option(&["-o", "shmid=10"], |s| s.ipc == Some((3, 10)));
}

#[test]
fn minus_o_sock_by_port_address_or_both() {
    let has = |s: &Spec, addr: Option<IpAddr>, port: Option<u16>| {
        s.socket_ends()
            .iter()
            .any(|&(a, p)| addr.is_none_or(|w| w == a) && port.is_none_or(|w| w == p))
    };
    check_option(&["-o", "sock=443"], |s| has(s, None, Some(443)));
    check_option(&["-o", "sock=53"], |s| has(s, None, Some(53)));
    check_option(&["-o", "sock=10.0.0.254"], |s| {
        has(s, Some(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 254))), None)
    });
    check_option(&["-o", "sock=[2001:db8::80]:443"], |s| {
        has(s, Some(IpAddr::V6(v6("2001:db8::80"))), Some(443))
    });
}

#[test]
fn minus_z_zone_glob() {
    check_option(&["-z", "web*"], |s| s.zone == Some("web01"));
    check_option(&["-z", "[dg]*"], |s| {
        matches!(s.zone, Some("db02" | "global"))
    });
}

#[test]
fn minus_v_inverts() {
    check_option(&["-v", "-u", "1000"], |s| {
        !s.all_ids().iter().all(|ids| ids.auid == 1000)
    });
    check_option(&["-v", "-m", "AUE_EXECVE", "-u", "2000"], |s| {
        !(s.event == AUE_EXECVE && s.all_ids().iter().all(|ids| ids.auid == 2000))
    });
}

#[test]
fn criteria_combine() {
    check_option(&["-m", "AUE_OPEN_R", "-u", "1000", "-c", "+fr"], |s| {
        s.event == AUE_OPEN_R
            && s.all_ids().iter().all(|ids| ids.auid == 1000)
            && s.success() != Some(false)
    });
}

// The OpenBSM defects the issue lists, each shown answered right.

#[test]
fn defect_subject32_ex_is_seen_by_minus_u() {
    let specs: Vec<Spec> = specs()
        .into_iter()
        .filter(|s| s.subject == SubjectForm::S32ExV4 && s.process.is_none())
        .collect();
    let dir = TempDir::new("ex-subject");
    let file = dir.file("trail.bsm", &trail(&specs));
    let expected = expect(&specs, |s| s.ids.auid == 1000);
    assert!(!expected.is_empty());
    assert_eq!(selected(&auditreduce(&["-u", "1000"], &[&file])), expected);
}

#[test]
fn defect_header32_ex_is_seen_by_minus_m() {
    let specs: Vec<Spec> = specs()
        .into_iter()
        .filter(|s| matches!(s.header, HeaderForm::H32ExV4 | HeaderForm::H32ExV6))
        .collect();
    let dir = TempDir::new("ex-header");
    let file = dir.file("trail.bsm", &trail(&specs));
    let expected = expect(&specs, |s| s.event == AUE_EXECVE);
    assert!(!expected.is_empty());
    assert_eq!(
        selected(&auditreduce(&["-m", "AUE_EXECVE"], &[&file])),
        expected
    );
}

#[test]
fn defect_a_bad_token_does_not_stop_selection_for_the_rest() {
    let specs = specs();
    let mut bytes = encode(&specs[0]);
    // A record whose body token has an unknown arbitrary-data unit: framed
    // and trailed properly, but its token cannot be read.
    let bad_body = [0x21u8, 2, 7, 1, 0];
    let size = (18 + bad_body.len() + 7) as u32;
    let mut bad = vec![0x14];
    bad.extend_from_slice(&size.to_be_bytes());
    bad.extend_from_slice(&[11, 0, 23, 0, 0]);
    bad.extend_from_slice(&BASE_SECONDS.to_be_bytes());
    bad.extend_from_slice(&[0, 0, 0, 0]);
    bad.extend_from_slice(&bad_body);
    bad.extend_from_slice(&[0x13, 0xb1, 0x05]);
    bad.extend_from_slice(&size.to_be_bytes());
    let bad_offset = bytes.len();
    bytes.extend_from_slice(&bad);
    for spec in &specs[1..] {
        bytes.extend_from_slice(&encode(spec));
    }
    let dir = TempDir::new("sticky");
    let file = dir.file("trail.bsm", &bytes);
    let output = auditreduce(&["-u", "1000"], &[&file]);
    assert_eq!(
        selected(&output),
        expect(&specs, |s| s.all_ids().iter().all(|ids| ids.auid == 1000))
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("record at byte offset {bad_offset}")),
        "{stderr}"
    );
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn defect_sock_matches_something() {
    check_option(&["-o", "sock=22"], |s| {
        s.socket_ends().iter().any(|&(_, p)| p == 22)
    });
}

#[test]
fn defect_an_unknown_user_name_is_an_error_not_everything() {
    let specs = specs();
    let dir = TempDir::new("unknown-user");
    let file = dir.file("trail.bsm", &trail(&specs));
    for (flag, kind) in [
        ("-u", "user"),
        ("-e", "user"),
        ("-r", "user"),
        ("-f", "group"),
        ("-g", "group"),
    ] {
        let output = auditreduce(&[flag, "no-such-account-here"], &[&file]);
        assert_eq!(output.status.code(), Some(64), "{flag}");
        assert!(output.stdout.is_empty(), "{flag}: nothing selected");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(&format!("unknown {kind} 'no-such-account-here' ({flag})")),
            "{stderr}"
        );
    }
}

#[test]
fn bad_values_are_clear_errors() {
    let specs = specs();
    let dir = TempDir::new("bad-values");
    let file = dir.file("trail.bsm", &trail(&specs));
    for (args, message) in [
        (&["-a", "2023-11-14"][..], "bad time '2023-11-14'"),
        (&["-b", "20231332"][..], "bad time '20231332'"),
        (&["-d", "2023111"][..], "bad date '2023111'"),
        (&["-m", "AUE_NOPE"][..], "unknown event 'AUE_NOPE'"),
        (&["-c", "zz"][..], "bad class flags 'zz'"),
        (&["-o", "file=(oops"][..], "bad regular expression '(oops'"),
        (&["-o", "sock=host"][..], "bad socket 'host'"),
        (&["-o", "colour=red"][..], "unknown object type 'colour'"),
        (&["-o", "pid=x"][..], "bad pid 'x'"),
        (&["--print=q"][..], "bad --print mode 'q'"),
    ] {
        let output = auditreduce(args, &[&file]);
        assert_eq!(output.status.code(), Some(64), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
}

#[test]
fn unreadable_and_damaged_inputs_are_reported_and_the_rest_delivered() {
    let specs = specs();
    let dir = TempDir::new("damaged");
    let mut bytes = trail(&specs);
    let second = encode(&specs[0]).len();
    bytes[second + 1] ^= 0xff; // record 1's size
    let cut = bytes.len() - 5; // the last record cut short
    bytes.truncate(cut);
    let file = dir.file("trail.bsm", &bytes);
    let missing = dir.0.join("missing.bsm");
    let output = auditreduce(&["-A"], &[&file, &missing]);
    assert_eq!(output.status.code(), Some(1));
    let expected: BTreeSet<u32> = (0..75).filter(|&i| i != 1 && i != 74).collect();
    assert_eq!(selected(&output), expected);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("damaged region at byte offset {second}")),
        "{stderr}"
    );
    assert!(stderr.contains("missing.bsm"), "{stderr}");
}

#[test]
fn several_inputs_are_merged_in_time_order() {
    let specs = specs();
    let dir = TempDir::new("merge");
    let even: Vec<Spec> = specs.iter().filter(|s| s.index % 2 == 0).cloned().collect();
    let odd: Vec<Spec> = specs.iter().filter(|s| s.index % 2 == 1).cloned().collect();
    let a = dir.file("a.bsm", &trail(&odd));
    let b = dir.file("b.bsm", &trail(&even));
    let output = auditreduce(&["-A"], &[&a, &b]);
    assert!(output.status.success());
    assert_eq!(output.stdout, trail(&specs), "records interleaved by time");
}

#[test]
fn a_trail_directory_is_read_through_its_names_and_skipped_by_them() {
    let specs = specs();
    let dir = TempDir::new("trail-dir");
    // Three trails of 25 records each, named START.END as auditd names
    // them; record i is at 22:13:20 + i minutes.
    let names = [
        "20231114221320.20231114223720",
        "20231114223820.20231114230220",
        "20231114230320.not_terminated",
    ];
    for (chunk, name) in specs.chunks(25).zip(names) {
        dir.file(name, &trail(chunk));
    }
    // Not trails: ignored.
    dir.file("notes.txt", b"not a trail");
    std::os::unix::fs::symlink(dir.0.join(names[2]), dir.0.join("current")).unwrap();
    let output = auditreduce(&["-A"], &[&dir.0]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(output.stdout, trail(&specs));
    // A file the range excludes by its name is not even opened: make the
    // first one unreadable garbage and select after it.
    dir.file(names[0], b"\x14garbage that is no trail");
    let output = auditreduce(&["-a", "20231114223820"], &[&dir.0]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(selected(&output), (25..75).collect());
}

#[test]
fn count_summarises_events_users_and_results() {
    let specs = specs();
    let dir = TempDir::new("count");
    let file = dir.file("trail.bsm", &trail(&specs));
    let output = auditreduce(&["--count", "-m", "AUE_EXECVE"], &[&file]);
    assert!(output.status.success());
    let text = String::from_utf8_lossy(&output.stdout);
    let execs = specs.iter().filter(|s| s.event == AUE_EXECVE).count();
    assert!(text.starts_with(&format!("records: {execs}\n")), "{text}");
    assert!(
        text.contains(&format!("{execs:>12}  AUE_EXECVE (23)")),
        "{text}"
    );
    let by_auid = |auid| {
        specs
            .iter()
            .filter(|s| s.event == AUE_EXECVE && s.ids.auid == auid)
            .count()
    };
    assert!(
        text.contains(&format!("{:>12}  1000\n", by_auid(1000))) || text.contains("(1000)"),
        "{text}"
    );
    let successes = specs
        .iter()
        .filter(|s| s.event == AUE_EXECVE && s.success() == Some(true))
        .count();
    assert!(
        text.contains(&format!("{successes:>12}  success")),
        "{text}"
    );
}

#[test]
fn print_reuses_praudits_printer() {
    let trail_path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/conformance/extra/multi_trail.bsm");
    let expected = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/conformance/extra/multi_trail.nl.txt"),
    )
    .unwrap();
    // No criterion: file tokens pass through, as praudit prints them.
    let output = auditreduce(&["--print=nl"], &[&trail_path]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&output.stdout), expected);
    let json = auditreduce(&["--print=json", "-A"], &[&trail_path]);
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&json.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), 3, "three records, no file tokens under -A");
    assert!(lines.iter().all(|line| line["tokens"].is_array()));
}

/// A FIFO stands for a live source (/dev/lxbsm, lxbsmd's output): each
/// selected record must come out while auditreduce waits for the next.
#[test]
fn a_live_stream_gets_each_selected_record_while_the_input_stays_open() {
    use std::io::{Read, Write};
    use std::process::Stdio;
    use std::time::Duration;

    let dir = TempDir::new("fifo");
    let fifo = dir.0.join("live");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success(),
        "mkfifo failed"
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_auditreduce"))
        .args(["-u", "1000"])
        .arg(&fifo)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut writer = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
    let (chunks_tx, chunks_rx) = std::sync::mpsc::channel();
    let mut stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        let mut buffer = [0u8; 4096];
        while let Ok(n @ 1..) = stdout.read(&mut buffer) {
            if chunks_tx.send(buffer[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    // Records 0, 1, 2 have auids 1000, 2000 and 0: only the first of each
    // three is selected, and it must arrive before the next is written.
    let specs = specs();
    for spec in &specs[..9] {
        let record = encode(spec);
        writer.write_all(&record).unwrap();
        writer.flush().unwrap();
        if spec.ids.auid == 1000 {
            let mut got = Vec::new();
            while got.len() < record.len() {
                got.extend(
                    chunks_rx
                        .recv_timeout(Duration::from_secs(10))
                        .unwrap_or_else(|_| {
                            panic!("record {}: nothing while the FIFO stays open", spec.index)
                        }),
                );
            }
            assert_eq!(got, record, "record {}", spec.index);
        }
    }
    drop(writer);
    let status = child.wait().unwrap();
    assert!(status.success());
    assert!(chunks_rx.try_recv().is_err(), "nothing else is selected");
}

#[test]
fn files_of_a_trail_directory_not_named_as_trails_are_named_as_skipped() {
    let dir = TempDir::new("unnamed");
    let records = trail(&specs());
    dir.file("exported.bsm", &records);
    dir.file("20240101000000.20240101010000", &records);
    let output = auditreduce(&["--count"], &[&dir.0]);
    assert_eq!(output.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("1 file(s) skipped") && stderr.contains("exported.bsm"),
        "{stderr}"
    );
    assert!(!stderr.contains("20240101000000"), "{stderr}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.starts_with(&format!("records: {}\n", specs().len())),
        "only the trail is read: {stdout}"
    );
}

#[test]
fn minus_b_is_strictly_before_its_time() {
    // Record 0 is at 2023-11-14 22:13:20.000 UTC exactly, record 1 a minute
    // later: -b at record 0's second selects nothing, a second later only
    // record 0; -a at it takes it (a deliberate deviation, in the README).
    let dir = TempDir::new("strict-before");
    let file = dir.file("trail", &trail(&specs()));
    let counted = |args: &[&str]| {
        let mut args = args.to_vec();
        args.push("--count");
        let output = auditreduce(&args, &[&file]);
        assert!(output.status.success(), "{args:?}");
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(counted(&["-b", "20231114221320"]), "records: 0");
    assert_eq!(counted(&["-b", "20231114221321"]), "records: 1");
    assert_eq!(
        counted(&["-a", "20231114221320", "-b", "20231114221321"]),
        "records: 1"
    );
}
