//! Benchmark support: a deterministic generator of realistic BSM trails.
//!
//! The trail looks like what a busy FreeBSD or macOS host writes: mostly file
//! events (`open`, `stat`, `close`, …), some `execve`, some socket events, from
//! a score of users, with some failures. Every byte is written by
//! [`bsm_format::encode_record`] and [`bsm_format::encode_token`]; this crate
//! never lays out a token by hand.
//!
//! The same `(records, seed)` always gives the same bytes, on every host: the
//! generator uses its own small PRNG ([`SplitMix64`]) and no clock.
//!
//! # What a trail holds
//! - a file token (0x11) first and last, as auditd writes when it opens and
//!   closes a trail file (`/var/audit/START.not_terminated`, then
//!   `/var/audit/START.END`);
//! - `records` records of 14 event types ([`EVENTS`]) from 24 sessions of 20
//!   distinct audit user ids ([`AUIDS`]):
//!   - file events: header, subject, (argument), path(s), (attribute), return;
//!   - `execve`: header, subject, exec args (2–6 strings), path, attribute, return;
//!   - `connect`, `accept`, `bind`: header, subject, socket (`socket_ex` over
//!     IPv4 or IPv6, or `socket-inet` / `socket-inet6`), return;
//! - header32 mostly, header32_ex with an IPv4 or IPv6 host address on about
//!   one record in nine, header64 on one in a hundred;
//! - subject32 mostly, subject32_ex (IPv4 and IPv6 terminals) and subject64
//!   for some sessions; return64 on part of the 64-bit sessions' records;
//! - failures with BSM errno values (ENOENT 2, EACCES 13, EPERM 1, EEXIST 17,
//!   ECONNREFUSED 146, EADDRINUSE 125), return value -1, no attribute token;
//! - times increasing from [`START_SECONDS`] by 0–3 ms per record, with
//!   milliseconds.
//!
//! About 124 bytes per record on average: the benchmark trail of
//! [`BENCH_RECORDS`] records is 124,113,287 bytes.

use bsm_format::{
    Arg32, Attr32, ExecStrings, File32, Header32, Header32Ex, Header64, Path, ProcessIds, Return32,
    Return64, SockInet32, SockInet128, SocketEx, StringList, Subject32, Subject32Ex, Subject64,
    Text, Token, encode_record, encode_token,
};
use std::io::{self, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Records in the benchmark trail.
pub const BENCH_RECORDS: usize = 1_000_000;
/// Seed of the benchmark trail.
pub const BENCH_SEED: u64 = 0x00b5_3b00_c4a1_2024;
/// Records in `fixtures/sample.bsm`.
pub const SAMPLE_RECORDS: usize = 200;
/// Seed of `fixtures/sample.bsm`.
pub const SAMPLE_SEED: u64 = 1;

/// Time of the first record and of the opening file token: 2023-11-14 22:13:20 UTC.
pub const START_SECONDS: u32 = 1_700_000_000;

/// Header version written (OpenBSM ≥ 1.1).
const HEADER_VERSION: u8 = 11;

/// Event numbers used (OpenBSM's `audit_event`).
pub mod event {
    pub const AUE_UNLINK: u16 = 6;
    pub const AUE_ACCESS: u16 = 14;
    pub const AUE_STAT: u16 = 16;
    pub const AUE_READLINK: u16 = 22;
    pub const AUE_EXECVE: u16 = 23;
    pub const AUE_CONNECT: u16 = 32;
    pub const AUE_ACCEPT: u16 = 33;
    pub const AUE_BIND: u16 = 34;
    pub const AUE_RENAME: u16 = 42;
    pub const AUE_MKDIR: u16 = 47;
    pub const AUE_OPEN_R: u16 = 72;
    pub const AUE_OPEN_WC: u16 = 77;
    pub const AUE_OPEN_RW: u16 = 80;
    pub const AUE_CLOSE: u16 = 112;
}

/// BSM errno values used (`audit_errno.h`; Solaris numbering).
mod errno {
    pub const EPERM: u8 = 1;
    pub const ENOENT: u8 = 2;
    pub const EACCES: u8 = 13;
    pub const EEXIST: u8 = 17;
    pub const EADDRINUSE: u8 = 125;
    pub const ECONNREFUSED: u8 = 146;
}

/// BSM socket constants (`audit_domain.h`, `audit_socket_type.h`).
const BSM_PF_INET: u16 = 2;
const BSM_PF_INET6: u16 = 26;
const BSM_SOCK_DGRAM: u16 = 1;
const BSM_SOCK_STREAM: u16 = 2;
/// Host address families in socket-inet tokens, as libbsm copies them from
/// the sockaddr (FreeBSD's values).
const AF_INET: u16 = 2;
const AF_INET6: u16 = 28;

/// The event mix: number and weight per 1000 records.
pub const EVENTS: [(u16, u32); 14] = [
    (event::AUE_OPEN_R, 310),
    (event::AUE_STAT, 120),
    (event::AUE_CLOSE, 120),
    (event::AUE_OPEN_RW, 60),
    (event::AUE_OPEN_WC, 40),
    (event::AUE_ACCESS, 50),
    (event::AUE_READLINK, 30),
    (event::AUE_UNLINK, 20),
    (event::AUE_MKDIR, 10),
    (event::AUE_RENAME, 10),
    (event::AUE_EXECVE, 80),
    (event::AUE_CONNECT, 90),
    (event::AUE_ACCEPT, 40),
    (event::AUE_BIND, 20),
];

/// The audit user ids of the sessions: 20 distinct values, the last one
/// `AU_DEFAUDITID` (-1) for daemons started before any login.
pub const AUIDS: [u32; 20] = [
    0,
    1000,
    1001,
    1002,
    1003,
    1004,
    1005,
    1006,
    1007,
    1008,
    1009,
    1010,
    1011,
    1012,
    1013,
    1014,
    2000,
    2001,
    5005,
    u32::MAX,
];

/// Login names for the home directories of [`AUIDS`].
const USER_NAMES: [&str; 20] = [
    "root", "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy",
    "mallory", "niaj", "olivia", "peggy", "rupert", "build", "deploy", "backup", "www",
];

/// Number of login sessions; more than [`AUIDS`] so that some users have two.
const SESSIONS: usize = 24;

/// The splitmix64 generator: small, fast, and the same everywhere.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    pub const fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A value in `0..n` (`n > 0`), by multiply-shift.
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// An index into a slice of length `len` (`len > 0`).
    pub fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }

    /// A value in `lo..=hi`.
    pub fn range(&mut self, lo: u32, hi: u32) -> u32 {
        lo + self.below(u64::from(hi - lo) + 1) as u32
    }

    /// True `per_mille` times in a thousand.
    pub fn chance(&mut self, per_mille: u32) -> bool {
        self.below(1000) < u64::from(per_mille)
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.index(items.len())]
    }
}

/// The form of a session's subject token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SubjectForm {
    S32,
    S32Ex,
    S64,
}

#[derive(Debug, Clone, Copy)]
struct Session {
    user: usize,
    auid: u32,
    uid: u32,
    gid: u32,
    sid: u32,
    pid_base: u32,
    port: u32,
    addr: IpAddr,
    form: SubjectForm,
    /// How often the session is picked, relative to the others.
    weight: u32,
}

impl Session {
    fn new(index: usize, rng: &mut SplitMix64) -> Self {
        let user = index % AUIDS.len();
        let auid = AUIDS[user];
        let uid = if auid == u32::MAX { 80 } else { auid };
        let gid = match uid {
            0 => 0,
            80 => 80,
            _ => 1000 + (uid % 4),
        };
        let sid = 700 + 37 * index as u32;
        // Local console sessions, ssh over IPv4 and over IPv6, daemons.
        let (form, port, addr) = match index % 8 {
            0 | 5 => (SubjectForm::S32, 0, IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
            1 | 2 | 6 => (
                SubjectForm::S32,
                rng.range(1024, 65535),
                IpAddr::V4(Ipv4Addr::new(192, 0, 2, 10 + index as u8)),
            ),
            3 => (
                SubjectForm::S32Ex,
                rng.range(1024, 65535),
                IpAddr::V4(Ipv4Addr::new(198, 51, 100, 20 + index as u8)),
            ),
            4 => (
                SubjectForm::S32Ex,
                rng.range(1024, 65535),
                IpAddr::V6(Ipv6Addr::new(
                    0x2001,
                    0xdb8,
                    0,
                    0x42,
                    0,
                    0,
                    0,
                    0x100 + index as u16,
                )),
            ),
            _ => (
                SubjectForm::S64,
                rng.range(1024, 65535),
                IpAddr::V4(Ipv4Addr::new(203, 0, 113, 5 + index as u8)),
            ),
        };
        Session {
            user,
            auid,
            uid,
            gid,
            sid,
            pid_base: 1000 + 400 * index as u32,
            port,
            addr,
            form,
            weight: 1 + (index as u32 * 7) % 10,
        }
    }
}

/// Up to 8 body tokens, on the stack.
struct Body<'a> {
    tokens: [Token<'a>; 8],
    len: usize,
}

impl<'a> Body<'a> {
    fn new() -> Self {
        Body {
            tokens: [Token::Sequence(bsm_format::Sequence { sequence: 0 }); 8],
            len: 0,
        }
    }

    fn push(&mut self, token: Token<'a>) {
        self.tokens[self.len] = token;
        self.len += 1;
    }

    fn as_slice(&self) -> &[Token<'a>] {
        &self.tokens[..self.len]
    }
}

/// Where the generator is in the trail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    OpeningFile,
    Records,
    ClosingFile,
    Done,
}

/// Generates a trail item by item; see the crate documentation for the mix.
#[derive(Debug, Clone)]
pub struct TrailGenerator {
    rng: SplitMix64,
    stage: Stage,
    records_left: usize,
    /// Time of the next record, in milliseconds since the epoch.
    time_ms: u64,
    sessions: Vec<Session>,
    session_weight_total: u32,
    /// Text scratch buffers: NUL-terminated paths and exec arguments.
    path: Vec<u8>,
    path2: Vec<u8>,
    args: Vec<u8>,
}

/// Paths read by everybody.
const COMMON_FILES: [&str; 24] = [
    "/etc/passwd",
    "/etc/group",
    "/etc/hosts",
    "/etc/resolv.conf",
    "/etc/nsswitch.conf",
    "/etc/localtime",
    "/etc/ssl/cert.pem",
    "/etc/login.conf.db",
    "/etc/pwd.db",
    "/lib/libc.so.7",
    "/lib/libthr.so.3",
    "/lib/libutil.so.9",
    "/usr/lib/libssl.so.111",
    "/usr/lib/libcrypto.so.111",
    "/usr/share/zoneinfo/UTC",
    "/var/run/ld-elf.so.hints",
    "/usr/local/etc/nginx/nginx.conf",
    "/usr/local/lib/libpcre.so.1",
    "/dev/null",
    "/dev/urandom",
    "/var/log/messages",
    "/var/log/auth.log",
    "/usr/local/share/locale/locale.alias",
    "/var/db/pkg/local.sqlite",
];

const HOME_DIRS: [&str; 8] = [
    "src", "src/bsm", ".cache", ".config", "doc", "mail", "www", "tmp",
];

const HOME_FILES: [&str; 12] = [
    "main.rs",
    "lib.rs",
    "notes.md",
    "Cargo.toml",
    "index.html",
    "style.css",
    "report.pdf",
    "init.lua",
    "inbox",
    "build.log",
    "data.json",
    "a.out",
];

/// Commands run: the path executed and its argv.
const COMMANDS: [(&str, &[&str]); 13] = [
    ("/bin/ls", &["ls", "-la"]),
    ("/bin/cat", &["cat", "/etc/hosts"]),
    ("/usr/bin/grep", &["grep", "-rn", "TODO", "src"]),
    ("/bin/sh", &["sh", "-c", "make -j2 all"]),
    ("/usr/local/bin/git", &["git", "status", "--short"]),
    (
        "/usr/local/bin/python3.11",
        &["python3", "manage.py", "runserver", "0.0.0.0:8000"],
    ),
    (
        "/usr/bin/ssh",
        &["ssh", "-q", "-p", "22", "deploy@192.0.2.80", "uptime"],
    ),
    (
        "/usr/bin/find",
        &["find", "/var/log", "-name", "*.gz", "-mtime", "+7"],
    ),
    ("/usr/bin/id", &["id", "-u"]),
    (
        "/usr/bin/scp",
        &["scp", "-q", "-r", "doc", "backup@192.0.2.90:"],
    ),
    ("/usr/local/bin/cargo", &["cargo", "build", "--release"]),
    ("/usr/sbin/cron", &["cron", "-s"]),
    ("/usr/bin/tar", &["tar", "-czf", "backup.tgz", "doc"]),
];

/// Ports of the services contacted.
const REMOTE_PORTS: [u16; 7] = [22, 53, 80, 443, 5432, 6379, 8080];

impl TrailGenerator {
    pub fn new(records: usize, seed: u64) -> Self {
        let mut rng = SplitMix64::new(seed);
        let sessions: Vec<Session> = (0..SESSIONS).map(|i| Session::new(i, &mut rng)).collect();
        let session_weight_total = sessions.iter().map(|s| s.weight).sum();
        TrailGenerator {
            rng,
            stage: Stage::OpeningFile,
            records_left: records,
            time_ms: u64::from(START_SECONDS) * 1000,
            sessions,
            session_weight_total,
            path: Vec::with_capacity(128),
            path2: Vec::with_capacity(128),
            args: Vec::with_capacity(256),
        }
    }

    /// Appends the next item (a file token or a record) to `out`; false once
    /// the trail is complete.
    pub fn next_item(&mut self, out: &mut Vec<u8>) -> bool {
        match self.stage {
            Stage::OpeningFile => {
                let name = format!("/var/audit/{}.not_terminated\0", stamp(START_SECONDS));
                write_file_token(START_SECONDS, &name, out);
                self.stage = if self.records_left > 0 {
                    Stage::Records
                } else {
                    Stage::ClosingFile
                };
            }
            Stage::Records => {
                self.record(out);
                self.records_left -= 1;
                if self.records_left == 0 {
                    self.stage = Stage::ClosingFile;
                }
            }
            Stage::ClosingFile => {
                // One second after the last record, as at a rotation.
                let end = (self.time_ms / 1000) as u32 + 1;
                let name = format!("/var/audit/{}.{}\0", stamp(START_SECONDS), stamp(end));
                write_file_token(end, &name, out);
                self.stage = Stage::Done;
            }
            Stage::Done => return false,
        }
        true
    }

    fn pick_session(&mut self) -> usize {
        let mut ticket = self.rng.below(u64::from(self.session_weight_total)) as u32;
        for (i, session) in self.sessions.iter().enumerate() {
            if ticket < session.weight {
                return i;
            }
            ticket -= session.weight;
        }
        self.sessions.len() - 1
    }

    fn pick_event(&mut self) -> u16 {
        let mut ticket = self.rng.below(1000) as u32;
        for (number, weight) in EVENTS {
            if ticket < weight {
                return number;
            }
            ticket -= weight;
        }
        event::AUE_OPEN_R
    }

    /// Appends one record.
    fn record(&mut self, out: &mut Vec<u8>) {
        self.time_ms += self.rng.below(4);
        let seconds = (self.time_ms / 1000) as u32;
        let milliseconds = (self.time_ms % 1000) as u32;
        let event = self.pick_event();
        let session_index = self.pick_session();
        let session = self.sessions[session_index];
        let rng = &mut self.rng;

        let header = match rng.below(100) {
            0..=87 => Token::Header32(Header32 {
                size: 0,
                version: HEADER_VERSION,
                event,
                modifier: 0,
                seconds,
                milliseconds,
            }),
            88..=98 => Token::Header32Ex(Header32Ex {
                size: 0,
                version: HEADER_VERSION,
                event,
                modifier: 0,
                host: if rng.chance(300) {
                    IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0x42, 0, 0, 0, 2))
                } else {
                    IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2))
                },
                seconds,
                milliseconds,
            }),
            _ => Token::Header64(Header64 {
                size: 0,
                version: HEADER_VERSION,
                event,
                modifier: 0,
                seconds: u64::from(seconds),
                milliseconds: u64::from(milliseconds),
            }),
        };

        // Root now and then (sudo), else the session's user.
        let (euid, egid) = if session.uid != 0 && rng.chance(30) {
            (0, 0)
        } else {
            (session.uid, session.gid)
        };
        let ids = ProcessIds {
            auid: session.auid,
            euid,
            egid,
            ruid: session.uid,
            rgid: session.gid,
            pid: session.pid_base + rng.range(0, 399),
            sid: session.sid,
        };
        let subject = match (session.form, session.addr) {
            (SubjectForm::S32, IpAddr::V4(addr)) => Token::Subject32(Subject32 {
                ids,
                port: session.port,
                addr,
            }),
            (SubjectForm::S64, IpAddr::V4(addr)) => Token::Subject64(Subject64 {
                ids,
                port: u64::from(session.port),
                addr,
            }),
            (_, addr) => Token::Subject32Ex(Subject32Ex {
                ids,
                port: session.port,
                addr,
            }),
        };
        let wide_return = session.form == SubjectForm::S64 && rng.chance(250);

        // Outcome: BSM errno (0 for success) and the value on success.
        let (status, value, has_attr) = outcome(rng, event);
        let ret = if wide_return {
            Token::Return64(Return64 {
                status,
                value: if status == 0 {
                    u64::from(value)
                } else {
                    u64::MAX
                },
            })
        } else {
            Token::Return32(Return32 {
                status,
                value: if status == 0 { value } else { u32::MAX },
            })
        };

        match event {
            event::AUE_EXECVE => {
                let (path, argv) = rng.pick(&COMMANDS);
                set_text(&mut self.path, path);
                self.args.clear();
                for arg in argv {
                    self.args.extend_from_slice(arg.as_bytes());
                    self.args.push(0);
                }
                let attr = attr_for(&self.path, 0o100755, 0, 0);
                let mut body = Body::new();
                body.push(subject);
                body.push(Token::ExecArgs(ExecStrings {
                    strings: StringList::from_raw(argv.len() as u32, &self.args),
                }));
                body.push(path_token(&self.path));
                if has_attr {
                    body.push(attr);
                }
                body.push(ret);
                encode(&header, &body, out);
            }
            event::AUE_CONNECT | event::AUE_ACCEPT | event::AUE_BIND => {
                let socket = socket_token(rng, event);
                let mut body = Body::new();
                body.push(subject);
                body.push(socket);
                body.push(ret);
                encode(&header, &body, out);
            }
            _ => {
                let mut body = Body::new();
                body.push(subject);
                let (mode, owner) = file_path(rng, &session, event, &mut self.path);
                match event {
                    event::AUE_CLOSE => body.push(Token::Arg32(Arg32 {
                        number: 1,
                        value: rng.range(3, 40),
                        text: Text::from_raw(b"fd\0"),
                    })),
                    event::AUE_MKDIR => body.push(Token::Arg32(Arg32 {
                        number: 2,
                        value: 0o755,
                        text: Text::from_raw(b"mode\0"),
                    })),
                    _ => {}
                }
                body.push(path_token(&self.path));
                if event == event::AUE_RENAME {
                    self.path2.clear();
                    self.path2
                        .extend_from_slice(&self.path[..self.path.len() - 1]);
                    self.path2.extend_from_slice(b".new\0");
                    body.push(path_token(&self.path2));
                }
                if has_attr {
                    let gid = if owner == 0 { 0 } else { session.gid };
                    body.push(attr_for(&self.path, mode, owner, gid));
                }
                body.push(ret);
                encode(&header, &body, out);
            }
        }
    }
}

/// The return status, the value on success, and whether the record carries
/// an attribute token (not when the call failed).
fn outcome(rng: &mut SplitMix64, event: u16) -> (u8, u32, bool) {
    let failure = match event {
        event::AUE_OPEN_R if rng.chance(80) => Some(errno::ENOENT),
        event::AUE_OPEN_R if rng.chance(10) => Some(errno::EACCES),
        event::AUE_STAT if rng.chance(100) => Some(errno::ENOENT),
        event::AUE_ACCESS if rng.chance(200) => Some(errno::ENOENT),
        event::AUE_READLINK if rng.chance(50) => Some(errno::ENOENT),
        event::AUE_OPEN_RW | event::AUE_OPEN_WC if rng.chance(30) => Some(errno::EACCES),
        event::AUE_UNLINK if rng.chance(50) => Some(errno::EPERM),
        event::AUE_MKDIR if rng.chance(60) => Some(errno::EEXIST),
        event::AUE_RENAME if rng.chance(20) => Some(errno::ENOENT),
        event::AUE_EXECVE if rng.chance(15) => Some(errno::EACCES),
        event::AUE_CONNECT if rng.chance(100) => Some(errno::ECONNREFUSED),
        event::AUE_BIND if rng.chance(50) => Some(errno::EADDRINUSE),
        _ => None,
    };
    if let Some(status) = failure {
        return (status, 0, false);
    }
    let value = match event {
        event::AUE_OPEN_R | event::AUE_OPEN_RW | event::AUE_OPEN_WC | event::AUE_ACCEPT => {
            rng.range(3, 40)
        }
        event::AUE_READLINK => rng.range(8, 60),
        _ => 0,
    };
    (0, value, true)
}

/// Fills `buf` with a NUL-terminated path for a file event; returns the
/// file's mode and owner.
fn file_path(rng: &mut SplitMix64, session: &Session, event: u16, buf: &mut Vec<u8>) -> (u32, u32) {
    buf.clear();
    let in_home = match event {
        event::AUE_OPEN_R | event::AUE_STAT | event::AUE_ACCESS | event::AUE_READLINK => {
            session.uid != 0 && session.uid != 80 && rng.chance(300)
        }
        _ => session.uid != 0 && session.uid != 80,
    };
    if event == event::AUE_MKDIR || (in_home && event == event::AUE_UNLINK && rng.chance(300)) {
        // A temporary directory.
        push_str(buf, "/tmp/build.");
        push_hex(buf, rng.next_u64(), 6);
        buf.push(0);
        return (0o040755, session.uid);
    }
    if in_home {
        push_str(buf, "/home/");
        push_str(buf, USER_NAMES[session.user]);
        buf.push(b'/');
        push_str(buf, rng.pick(&HOME_DIRS));
        buf.push(b'/');
        if rng.chance(150) {
            push_str(buf, "f");
            push_hex(buf, rng.next_u64(), 4);
            buf.push(b'_');
        }
        push_str(buf, rng.pick(&HOME_FILES));
        buf.push(0);
        (0o100644, session.uid)
    } else {
        push_str(buf, rng.pick(&COMMON_FILES));
        buf.push(0);
        let mode = if buf.starts_with(b"/dev/") {
            0o020666
        } else {
            0o100644
        };
        (mode, 0)
    }
}

fn socket_token(rng: &mut SplitMix64, event: u16) -> Token<'static> {
    let remote_port = rng.pick(&REMOTE_PORTS);
    let ephemeral = rng.range(49152, 65535) as u16;
    // Connect: from an ephemeral port to a service; accept: from a client to
    // our service port; bind: our service port, no peer.
    let (local_port, remote_port) = match event {
        event::AUE_CONNECT => (ephemeral, remote_port),
        event::AUE_ACCEPT => (remote_port, ephemeral),
        _ => (remote_port, 0),
    };
    let v6 = rng.chance(250);
    let remote_v4 = Ipv4Addr::new(10, 0, rng.range(0, 3) as u8, rng.range(1, 254) as u8);
    let remote_v6 = Ipv6Addr::new(
        0x2001,
        0xdb8,
        0,
        rng.range(0, 3) as u16,
        0,
        0,
        0,
        rng.range(1, 0xfffe) as u16,
    );
    let bound = event == event::AUE_BIND;
    if rng.chance(700) {
        let (local_addr, remote_addr) = match (v6, bound) {
            (false, false) => (Ipv4Addr::new(10, 0, 0, 2).into(), remote_v4.into()),
            (false, true) => (Ipv4Addr::UNSPECIFIED.into(), Ipv4Addr::UNSPECIFIED.into()),
            (true, false) => (
                Ipv6Addr::new(0x2001, 0xdb8, 0, 0x42, 0, 0, 0, 2).into(),
                remote_v6.into(),
            ),
            (true, true) => (Ipv6Addr::UNSPECIFIED.into(), Ipv6Addr::UNSPECIFIED.into()),
        };
        Token::SocketEx(SocketEx {
            domain: if v6 { BSM_PF_INET6 } else { BSM_PF_INET },
            socket_type: if remote_port == 53 {
                BSM_SOCK_DGRAM
            } else {
                BSM_SOCK_STREAM
            },
            local_port,
            local_addr,
            remote_port,
            remote_addr,
        })
    } else {
        // The sockaddr argument: the peer for connect and accept, the local
        // address for bind.
        let port = if bound { local_port } else { remote_port };
        if v6 {
            Token::SockInet128(SockInet128 {
                family: AF_INET6,
                port,
                addr: if bound {
                    Ipv6Addr::UNSPECIFIED
                } else {
                    remote_v6
                },
            })
        } else {
            Token::SockInet32(SockInet32 {
                family: AF_INET,
                port,
                addr: if bound {
                    Ipv4Addr::UNSPECIFIED
                } else {
                    remote_v4
                },
            })
        }
    }
}

fn attr_for(path: &[u8], mode: u32, uid: u32, gid: u32) -> Token<'static> {
    // A stable inode number per path (FNV-1a).
    let node_id = path.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    }) % 4_000_000
        + 2;
    Token::Attr32(Attr32 {
        mode,
        uid,
        gid,
        fsid: 0x5a0b_0801,
        node_id,
        device: 0,
    })
}

fn path_token(raw: &[u8]) -> Token<'_> {
    Token::Path(Path {
        path: Text::from_raw(raw),
    })
}

fn set_text(buf: &mut Vec<u8>, text: &str) {
    buf.clear();
    push_str(buf, text);
    buf.push(0);
}

fn push_str(buf: &mut Vec<u8>, text: &str) {
    buf.extend_from_slice(text.as_bytes());
}

fn push_hex(buf: &mut Vec<u8>, value: u64, digits: u32) {
    for i in (0..digits).rev() {
        buf.push(b"0123456789abcdef"[((value >> (4 * i)) & 0xf) as usize]);
    }
}

fn encode(header: &Token<'_>, body: &Body<'_>, out: &mut Vec<u8>) {
    encode_record(header, body.as_slice(), out).expect("generated records are well formed");
}

fn write_file_token(seconds: u32, name: &str, out: &mut Vec<u8>) {
    let token = Token::File(File32 {
        seconds,
        milliseconds: 0,
        name: Text::from_raw(name.as_bytes()),
    });
    encode_token(&token, out).expect("generated file tokens are well formed");
}

/// `YYYYMMDDhhmmss` in UTC, as auditd names trail files.
fn stamp(seconds: u32) -> String {
    let days = i64::from(seconds / 86_400);
    let rest = seconds % 86_400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}{month:02}{day:02}{:02}{:02}{:02}",
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

/// The whole trail of `records` records from `seed`, in memory.
pub fn generate_trail(records: usize, seed: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(records * 128 + 256);
    let mut generator = TrailGenerator::new(records, seed);
    while generator.next_item(&mut out) {}
    out
}

/// Writes the trail of `records` records from `seed` to `out`, in chunks of
/// about 64 KiB; returns the number of bytes written. The bytes are those of
/// [`generate_trail`].
pub fn write_trail(out: &mut impl Write, records: usize, seed: u64) -> io::Result<u64> {
    const CHUNK: usize = 64 * 1024;
    let mut generator = TrailGenerator::new(records, seed);
    let mut buf = Vec::with_capacity(CHUNK + 4096);
    let mut written = 0u64;
    loop {
        let more = generator.next_item(&mut buf);
        if buf.len() >= CHUNK || !more {
            out.write_all(&buf)?;
            written += buf.len() as u64;
            buf.clear();
        }
        if !more {
            return Ok(written);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamp_is_utc_calendar_time() {
        assert_eq!(stamp(START_SECONDS), "20231114221320");
        assert_eq!(stamp(0), "19700101000000");
        assert_eq!(stamp(951_782_400), "20000229000000");
    }

    #[test]
    fn streaming_matches_in_memory() {
        let trail = generate_trail(3000, 7);
        let mut streamed = Vec::new();
        let written = write_trail(&mut streamed, 3000, 7).unwrap();
        assert_eq!(written as usize, trail.len());
        assert_eq!(streamed, trail);
    }

    #[test]
    fn below_stays_in_range() {
        let mut rng = SplitMix64::new(3);
        assert!((0..10_000).all(|_| rng.below(7) < 7));
        assert!((0..10_000).all(|_| (5..=9).contains(&rng.range(5, 9))));
    }
}
