//! One-line records for the common events of user-space programs: login and
//! logout, su, exec, file and socket events, and the audit daemon's own
//! startup, shutdown and recovery records.
//!
//! Each function returns a [`RecordBuilder`] holding the tokens, timed now;
//! call [`RecordBuilder::close`] for the bytes, after [`RecordBuilder::at`] or
//! [`RecordBuilder::host`] if wanted. Event numbers come from bsm-format's
//! built-in event table, by `AUE_*` name. Host values (errno, socket family
//! and type) are converted to BSM's as libbsm does.
//!
//! ```
//! use bsm_writer::records::{self, Outcome, Subject};
//!
//! let me = Subject::current()?;
//! let bytes = records::login(&me, Outcome::SUCCESS, "alice")?.close()?;
//! # assert_eq!(bytes[0], 0x14);
//! # Ok::<(), bsm_writer::BuildError>(())
//! ```

use crate::error::BuildError;
use crate::record::RecordBuilder;
use crate::token::{self, EncodedToken};
use bsm_format::tables::{EventTable, errno, socket};
use bsm_format::{Attr32, Attr64, ProcessIds};
use std::fs::{self, Metadata};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// An audit user or session id the kernel never set (Linux's -1, OpenBSM's
/// `AU_DEFAUDITID`).
const UNSET_AUDIT_ID: u32 = u32::MAX;

/// Who did it: the subject token's ids and terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subject {
    pub ids: ProcessIds,
    pub terminal_port: u64,
    pub terminal_addr: IpAddr,
}

impl Subject {
    /// The running process: its user and group ids, its audit user and
    /// session from Linux's `/proc/self/loginuid` and `sessionid` (unset if
    /// the kernel has no audit support), and an unknown terminal.
    pub fn current() -> Result<Subject, BuildError> {
        let credentials = Credentials::current()?;
        Ok(Subject {
            ids: ProcessIds {
                auid: read_audit_id("/proc/self/loginuid")?,
                euid: credentials.euid,
                egid: credentials.egid,
                ruid: credentials.ruid,
                rgid: credentials.rgid,
                pid: std::process::id(),
                sid: read_audit_id("/proc/self/sessionid")?,
            },
            terminal_port: 0,
            terminal_addr: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        })
    }

    /// subject32_ex, or subject64_ex when the port needs 64 bits.
    fn token(&self) -> Result<EncodedToken, BuildError> {
        match u32::try_from(self.terminal_port) {
            Ok(port) => token::subject32_ex(self.ids, port, self.terminal_addr),
            Err(_) => token::subject64_ex(self.ids, self.terminal_port, self.terminal_addr),
        }
    }
}

/// How the event ended: the return token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Success, with the call's return value.
    Success { value: u32 },
    /// Failure with a Linux errno, written as its BSM errno (or BSM's
    /// "unknown", 250) and the return value -1.
    Failure { linux_errno: i32 },
}

impl Outcome {
    pub const SUCCESS: Outcome = Outcome::Success { value: 0 };

    fn token(self) -> Result<EncodedToken, BuildError> {
        match self {
            Outcome::Success { value } => token::return32(0, value),
            Outcome::Failure { linux_errno } => {
                let status = errno::from_linux(linux_errno).map_or(errno::UNKNOWN, |e| e.bsm);
                token::return32(status, u32::MAX)
            }
        }
    }
}

/// A file's attributes: the attribute token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileAttr {
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    /// The file system's device.
    pub fsid: u32,
    pub node_id: u64,
    /// The device a device file stands for.
    pub device: u64,
}

impl FileAttr {
    /// The attributes of a file as `std::fs::metadata` gives them.
    pub fn from_metadata(metadata: &Metadata) -> Result<FileAttr, BuildError> {
        let fsid = u32::try_from(metadata.dev()).map_err(|_| BuildError::Invalid {
            token: "attr32",
            problem: format!("file system device {} does not fit 32 bits", metadata.dev()),
        })?;
        Ok(FileAttr {
            mode: metadata.mode(),
            uid: metadata.uid(),
            gid: metadata.gid(),
            fsid,
            node_id: metadata.ino(),
            device: metadata.rdev(),
        })
    }

    /// attr32, or attr64 when the device needs 64 bits.
    fn token(&self) -> Result<EncodedToken, BuildError> {
        match u32::try_from(self.device) {
            Ok(device) => token::attr32(Attr32 {
                mode: self.mode,
                uid: self.uid,
                gid: self.gid,
                fsid: self.fsid,
                node_id: self.node_id,
                device,
            }),
            Err(_) => token::attr64(Attr64 {
                mode: self.mode,
                uid: self.uid,
                gid: self.gid,
                fsid: self.fsid,
                node_id: self.node_id,
                device: self.device,
            }),
        }
    }
}

/// The number of the event called `name` in the built-in event table.
pub fn event_number(name: &'static str) -> Result<u16, BuildError> {
    EventTable::builtin()
        .by_name(name)
        .map(|event| event.number)
        .ok_or(BuildError::UnknownEvent(name))
}

fn record(name: &'static str) -> Result<RecordBuilder, BuildError> {
    Ok(RecordBuilder::new(event_number(name)?))
}

/// Any event by number: subject, one text token per entry of `texts`,
/// return (for an application's own events, e.g. through
/// [`crate::submit`]).
pub fn application(
    event: u16,
    subject: &Subject,
    texts: &[&str],
    outcome: Outcome,
) -> Result<RecordBuilder, BuildError> {
    let mut builder = RecordBuilder::new(event).with(subject.token()?);
    for text in texts {
        builder = builder.with(token::text(text)?);
    }
    Ok(builder.with(outcome.token()?))
}

/// AUE_login: subject, text, return.
pub fn login(subject: &Subject, outcome: Outcome, text: &str) -> Result<RecordBuilder, BuildError> {
    Ok(record("AUE_login")?
        .with(subject.token()?)
        .with(token::text(text)?)
        .with(outcome.token()?))
}

/// AUE_logout: subject, text, return (success).
pub fn logout(subject: &Subject, text: &str) -> Result<RecordBuilder, BuildError> {
    Ok(record("AUE_logout")?
        .with(subject.token()?)
        .with(token::text(text)?)
        .with(Outcome::SUCCESS.token()?))
}

/// AUE_su: subject, text (e.g. the target user), return.
pub fn su(subject: &Subject, outcome: Outcome, text: &str) -> Result<RecordBuilder, BuildError> {
    Ok(record("AUE_su")?
        .with(subject.token()?)
        .with(token::text(text)?)
        .with(outcome.token()?))
}

/// AUE_EXECVE: exec args, path, attribute (if given), subject, return, in
/// the order of the BSD kernels.
pub fn exec<S: AsRef<[u8]>>(
    subject: &Subject,
    path: impl AsRef<[u8]>,
    args: &[S],
    attr: Option<&FileAttr>,
    outcome: Outcome,
) -> Result<RecordBuilder, BuildError> {
    let mut builder = record("AUE_EXECVE")?
        .with(token::exec_args(args)?)
        .with(token::path(path)?);
    if let Some(attr) = attr {
        builder.write(&attr.token()?);
    }
    Ok(builder.with(subject.token()?).with(outcome.token()?))
}

/// File events with one path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileEvent {
    OpenRead,
    OpenReadCreate,
    OpenWrite,
    OpenWriteCreate,
    OpenReadWrite,
    OpenReadWriteCreate,
    Create,
    Unlink,
    Mkdir,
    Rmdir,
    Chmod,
    Chown,
    Truncate,
}

impl FileEvent {
    /// The event's `AUE_*` name.
    pub const fn name(self) -> &'static str {
        match self {
            FileEvent::OpenRead => "AUE_OPEN_R",
            FileEvent::OpenReadCreate => "AUE_OPEN_RC",
            FileEvent::OpenWrite => "AUE_OPEN_W",
            FileEvent::OpenWriteCreate => "AUE_OPEN_WC",
            FileEvent::OpenReadWrite => "AUE_OPEN_RW",
            FileEvent::OpenReadWriteCreate => "AUE_OPEN_RWC",
            FileEvent::Create => "AUE_CREAT",
            FileEvent::Unlink => "AUE_UNLINK",
            FileEvent::Mkdir => "AUE_MKDIR",
            FileEvent::Rmdir => "AUE_RMDIR",
            FileEvent::Chmod => "AUE_CHMOD",
            FileEvent::Chown => "AUE_CHOWN",
            FileEvent::Truncate => "AUE_TRUNCATE",
        }
    }
}

/// A file event: path, attribute (if given), subject, return.
pub fn file(
    event: FileEvent,
    subject: &Subject,
    path: impl AsRef<[u8]>,
    attr: Option<&FileAttr>,
    outcome: Outcome,
) -> Result<RecordBuilder, BuildError> {
    let mut builder = record(event.name())?.with(token::path(path)?);
    if let Some(attr) = attr {
        builder.write(&attr.token()?);
    }
    Ok(builder.with(subject.token()?).with(outcome.token()?))
}

/// AUE_RENAME: both paths, attribute of the source (if given), subject,
/// return.
pub fn rename(
    subject: &Subject,
    from: impl AsRef<[u8]>,
    to: impl AsRef<[u8]>,
    attr: Option<&FileAttr>,
    outcome: Outcome,
) -> Result<RecordBuilder, BuildError> {
    let mut builder = record("AUE_RENAME")?
        .with(token::path(from)?)
        .with(token::path(to)?);
    if let Some(attr) = attr {
        builder.write(&attr.token()?);
    }
    Ok(builder.with(subject.token()?).with(outcome.token()?))
}

/// Socket events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SocketEvent {
    Connect,
    Bind,
    Accept,
}

impl SocketEvent {
    /// The event's `AUE_*` name.
    pub const fn name(self) -> &'static str {
        match self {
            SocketEvent::Connect => "AUE_CONNECT",
            SocketEvent::Bind => "AUE_BIND",
            SocketEvent::Accept => "AUE_ACCEPT",
        }
    }
}

/// A socket event naming one address (the peer of connect and accept, the
/// local address of bind): the descriptor argument, socket-inet or
/// socket-inet6 (family as Linux's, as libbsm writes it), subject, return.
pub fn socket_address(
    event: SocketEvent,
    subject: &Subject,
    fd: u32,
    addr: SocketAddr,
    outcome: Outcome,
) -> Result<RecordBuilder, BuildError> {
    let address = match addr {
        SocketAddr::V4(v4) => token::sock_inet32(LINUX_AF_INET, v4)?,
        SocketAddr::V6(v6) => token::sock_inet128(LINUX_AF_INET6, v6)?,
    };
    Ok(record(event.name())?
        .with(token::arg32(1, "fd", fd)?)
        .with(address)
        .with(subject.token()?)
        .with(outcome.token()?))
}

/// A socket event naming both ends: the descriptor argument, socket_ex (the
/// Linux socket type and the address family converted to BSM's), subject,
/// return. Both ends must be of one family.
pub fn socket_endpoints(
    event: SocketEvent,
    subject: &Subject,
    fd: u32,
    linux_socket_type: libc::c_int,
    local: SocketAddr,
    remote: SocketAddr,
    outcome: Outcome,
) -> Result<RecordBuilder, BuildError> {
    let family = match local {
        SocketAddr::V4(_) => LINUX_AF_INET,
        SocketAddr::V6(_) => LINUX_AF_INET6,
    };
    let domain = socket::domain_from_linux(family).unwrap_or(socket::DOMAIN_UNKNOWN);
    let socket_type = u16::try_from(linux_socket_type)
        .ok()
        .and_then(socket::type_from_linux)
        .unwrap_or(socket::TYPE_UNKNOWN);
    Ok(record(event.name())?
        .with(token::arg32(1, "fd", fd)?)
        .with(token::socket_ex(domain, socket_type, local, remote)?)
        .with(subject.token()?)
        .with(outcome.token()?))
}

/// A connection a server accepted and then refused (a collector's
/// allow-list, a failed TLS handshake): AUE_ACCEPT with socket_ex (both
/// ends; TCP), a text token saying why, subject, return EACCES.
pub fn refused_connection(
    subject: &Subject,
    local: SocketAddr,
    remote: SocketAddr,
    why: &str,
) -> Result<RecordBuilder, BuildError> {
    let family = match local {
        SocketAddr::V4(_) => LINUX_AF_INET,
        SocketAddr::V6(_) => LINUX_AF_INET6,
    };
    let domain = socket::domain_from_linux(family).unwrap_or(socket::DOMAIN_UNKNOWN);
    let stream = u16::try_from(libc::SOCK_STREAM)
        .ok()
        .and_then(socket::type_from_linux)
        .unwrap_or(socket::TYPE_UNKNOWN);
    Ok(record(SocketEvent::Accept.name())?
        .with(token::socket_ex(domain, stream, local, remote)?)
        .with(token::text(why)?)
        .with(subject.token()?)
        .with(
            Outcome::Failure {
                linux_errno: libc::EACCES,
            }
            .token()?,
        ))
}

// Linux's address families, as sin_family holds them.
const LINUX_AF_INET: u16 = libc::AF_INET as u16;
const LINUX_AF_INET6: u16 = libc::AF_INET6 as u16;

/// The audit daemon's own records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DaemonEvent<'a> {
    Startup,
    Shutdown,
    /// Start-up after a crash, naming the trail recovered, if one was.
    Recovery {
        recovered: Option<&'a Path>,
    },
    /// The end before a halt of the system (policy `ahlt`): why.
    Halt {
        reason: &'a str,
    },
}

/// What a recovery record says of the records a crashed daemon had read
/// from its source and not yet written.
pub const RECOVERY_LOSS_TEXT: &str = "records read from the source but not yet written at the crash are missing; their number \
     is unknown";

/// How the last record before a halt (policy `ahlt`) begins its reason.
pub const HALT_TEXT: &str = "halting the system: a record cannot be written (policy ahlt)";

/// The record auditd writes about itself (AUE_audit_startup, _shutdown,
/// _recovery): subject32_ex of the daemon (audit id its real uid, session
/// its pid), text `PROGRAM::Audit startup` (or shutdown, recovery), the
/// recovered trail's path, return success.
pub fn audit_daemon(event: DaemonEvent<'_>, program: &str) -> Result<RecordBuilder, BuildError> {
    let (name, what, recovered) = match event {
        DaemonEvent::Startup => ("AUE_audit_startup", "startup", None),
        DaemonEvent::Shutdown => ("AUE_audit_shutdown", "shutdown", None),
        DaemonEvent::Recovery { recovered } => ("AUE_audit_recovery", "recovery", recovered),
        DaemonEvent::Halt { .. } => ("AUE_audit_shutdown", "shutdown", None),
    };
    let credentials = Credentials::current()?;
    let pid = std::process::id();
    let ids = ProcessIds {
        auid: credentials.ruid,
        euid: credentials.euid,
        egid: credentials.egid,
        ruid: credentials.ruid,
        rgid: credentials.rgid,
        pid,
        sid: pid,
    };
    let mut builder = record(name)?
        .with(token::subject32_ex(
            ids,
            0,
            IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        )?)
        .with(token::text(format!("{program}::Audit {what}"))?);
    if let Some(path) = recovered {
        builder.write(&token::path(path.as_os_str().as_bytes())?);
    }
    match event {
        DaemonEvent::Recovery { .. } => {
            builder.write(&token::text(RECOVERY_LOSS_TEXT)?);
        }
        DaemonEvent::Halt { reason } => {
            builder.write(&token::text(format!("{HALT_TEXT}: {reason}"))?);
        }
        DaemonEvent::Startup | DaemonEvent::Shutdown => {}
    }
    Ok(builder.with(token::return32(0, 0)?))
}

/// The running process's real and effective ids.
struct Credentials {
    ruid: u32,
    euid: u32,
    rgid: u32,
    egid: u32,
}

impl Credentials {
    const STATUS: &'static str = "/proc/self/status";

    /// From the `Uid:` and `Gid:` lines of `/proc/self/status` (real,
    /// effective, saved, file system).
    fn current() -> Result<Credentials, BuildError> {
        let status = fs::read_to_string(Self::STATUS).map_err(|err| BuildError::Credentials {
            path: Self::STATUS,
            problem: err.to_string(),
        })?;
        let (ruid, euid) = Self::pair(&status, "Uid:")?;
        let (rgid, egid) = Self::pair(&status, "Gid:")?;
        Ok(Credentials {
            ruid,
            euid,
            rgid,
            egid,
        })
    }

    fn pair(status: &str, label: &str) -> Result<(u32, u32), BuildError> {
        let problem = || BuildError::Credentials {
            path: Self::STATUS,
            problem: format!("no readable `{label}` line"),
        };
        let line = status
            .lines()
            .find_map(|line| line.strip_prefix(label))
            .ok_or_else(problem)?;
        let mut ids = line.split_whitespace().map(str::parse::<u32>);
        match (ids.next(), ids.next()) {
            (Some(Ok(real)), Some(Ok(effective))) => Ok((real, effective)),
            _ => Err(problem()),
        }
    }
}

/// An audit id from a `/proc/self` file; unset when the kernel has none.
fn read_audit_id(path: &'static str) -> Result<u32, BuildError> {
    match fs::read_to_string(path) {
        Ok(text) => text.trim().parse().map_err(|_| BuildError::Credentials {
            path,
            problem: format!("`{}` is not a number", text.trim()),
        }),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(UNSET_AUDIT_ID),
        Err(err) => Err(BuildError::Credentials {
            path,
            problem: err.to_string(),
        }),
    }
}
