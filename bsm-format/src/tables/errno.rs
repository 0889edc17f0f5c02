//! BSM error numbers (OpenBSM's `audit_errno.h`): the status byte of a return token. They follow
//! Solaris, not the host: BSM_ERRNO_EAGAIN is 11 but BSM_ERRNO_ECONNREFUSED is 146 (Linux 111).

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Serialize;

/// The status byte OpenBSM writes for a host errno it has no BSM number for.
pub const UNKNOWN: u8 = 250;

/// What praudit prints for a status byte that no BSM errno has.
pub const UNRECOGNIZED_DESCRIPTION: &str = "Unrecognized BSM error";

/// One BSM errno.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BsmErrno {
    /// The status byte in a return token.
    pub bsm: u8,
    /// The symbol without its `BSM_ERRNO_` prefix, e.g. `EAGAIN`.
    pub name: &'static str,
    /// What praudit prints after `failure : `: glibc's strerror text where Linux has the errno
    /// (praudit ran on glibc Linux for our reference outputs), OpenBSM's own text otherwise.
    pub description: &'static str,
    /// The Linux errno (x86_64 and the generic ABI), where Linux has one.
    pub linux: Option<i32>,
}

const fn entry(
    bsm: u8,
    name: &'static str,
    description: &'static str,
    linux: Option<i32>,
) -> BsmErrno {
    BsmErrno {
        bsm,
        name,
        description,
        linux,
    }
}

/// Every BSM errno, by BSM number. Besides OpenBSM's own list this has ENODATA, ETIME, ENOSR and
/// ENETUNREACH, which audit_errno.h numbers but OpenBSM's table forgets (so its praudit prints
/// them as unrecognized and its libbsm writes Linux's as UNKNOWN); we give them their meaning.
/// Texts marked "sic" are OpenBSM's, slips included, as its praudit prints them.
pub static ERRNOS: &[BsmErrno] = ERRNO_TABLE;

const ERRNO_TABLE: &[BsmErrno] = &[
    entry(0, "ESUCCESS", "Success", Some(0)),
    entry(1, "EPERM", "Operation not permitted", Some(1)),
    entry(2, "ENOENT", "No such file or directory", Some(2)),
    entry(3, "ESRCH", "No such process", Some(3)),
    entry(4, "EINTR", "Interrupted system call", Some(4)),
    entry(5, "EIO", "Input/output error", Some(5)),
    entry(6, "ENXIO", "No such device or address", Some(6)),
    entry(7, "E2BIG", "Argument list too long", Some(7)),
    entry(8, "ENOEXEC", "Exec format error", Some(8)),
    entry(9, "EBADF", "Bad file descriptor", Some(9)),
    entry(10, "ECHILD", "No child processes", Some(10)),
    entry(11, "EAGAIN", "Resource temporarily unavailable", Some(11)),
    entry(12, "ENOMEM", "Cannot allocate memory", Some(12)),
    entry(13, "EACCES", "Permission denied", Some(13)),
    entry(14, "EFAULT", "Bad address", Some(14)),
    entry(15, "ENOTBLK", "Block device required", Some(15)),
    entry(16, "EBUSY", "Device or resource busy", Some(16)),
    entry(17, "EEXIST", "File exists", Some(17)),
    entry(18, "EXDEV", "Invalid cross-device link", Some(18)),
    entry(19, "ENODEV", "No such device", Some(19)),
    entry(20, "ENOTDIR", "Not a directory", Some(20)),
    entry(21, "EISDIR", "Is a directory", Some(21)),
    entry(22, "EINVAL", "Invalid argument", Some(22)),
    entry(23, "ENFILE", "Too many open files in system", Some(23)),
    entry(24, "EMFILE", "Too many open files", Some(24)),
    entry(25, "ENOTTY", "Inappropriate ioctl for device", Some(25)),
    entry(26, "ETXTBSY", "Text file busy", Some(26)),
    entry(27, "EFBIG", "File too large", Some(27)),
    entry(28, "ENOSPC", "No space left on device", Some(28)),
    entry(29, "ESPIPE", "Illegal seek", Some(29)),
    entry(30, "EROFS", "Read-only file system", Some(30)),
    entry(31, "EMLINK", "Too many links", Some(31)),
    entry(32, "EPIPE", "Broken pipe", Some(32)),
    entry(33, "EDOM", "Numerical argument out of domain", Some(33)),
    entry(34, "ERANGE", "Numerical result out of range", Some(34)),
    entry(35, "ENOMSG", "No message of desired type", Some(42)),
    entry(36, "EIDRM", "Identifier removed", Some(43)),
    entry(37, "ECHRNG", "Channel number out of range", Some(44)),
    entry(38, "EL2NSYNC", "Level 2 not synchronized", Some(45)),
    entry(39, "EL3HLT", "Level 3 halted", Some(46)),
    entry(40, "EL3RST", "Level 3 reset", Some(47)),
    entry(41, "ELNRNG", "Link number out of range", Some(48)),
    entry(42, "EUNATCH", "Protocol driver not attached", Some(49)),
    entry(43, "ENOCSI", "No CSI structure available", Some(50)),
    entry(44, "EL2HLT", "Level 2 halted", Some(51)),
    entry(45, "EDEADLK", "Resource deadlock avoided", Some(35)),
    entry(46, "ENOLCK", "No locks available", Some(37)),
    entry(47, "ECANCELED", "Operation canceled", Some(125)),
    entry(48, "ENOTSUP", "Operation not supported", Some(95)),
    entry(49, "EDQUOT", "Disk quota exceeded", Some(122)),
    entry(50, "EBADE", "Invalid exchange", Some(52)),
    entry(51, "EBADR", "Invalid request descriptor", Some(53)),
    entry(52, "EXFULL", "Exchange full", Some(54)),
    entry(53, "ENOANO", "No anode", Some(55)),
    entry(54, "EBADRQC", "Invalid request code", Some(56)),
    entry(55, "EBADSLT", "Invalid slot", Some(57)),
    entry(56, "EDEADLOCK", "Resource deadlock avoided", Some(35)),
    entry(57, "EBFONT", "Bad font file format", Some(59)),
    entry(58, "EOWNERDEAD", "Owner died", Some(130)),
    entry(59, "ENOTRECOVERABLE", "State not recoverable", Some(131)),
    entry(60, "ENOSTR", "Device not a stream", Some(60)),
    entry(61, "ENODATA", "No data available", Some(61)),
    entry(62, "ETIME", "Timer expired", Some(62)),
    entry(63, "ENOSR", "Out of streams resources", Some(63)),
    entry(64, "ENONET", "Machine is not on the network", Some(64)),
    entry(65, "ENOPKG", "Package not installed", Some(65)),
    entry(66, "EREMOTE", "Object is remote", Some(66)),
    entry(67, "ENOLINK", "Link has been severed", Some(67)),
    entry(68, "EADV", "Advertise error", Some(68)),
    entry(69, "ESRMNT", "Srmount error", Some(69)),
    entry(70, "ECOMM", "Communication error on send", Some(70)),
    entry(71, "EPROTO", "Protocol error", Some(71)),
    entry(72, "ELOCKUNMAPPED", "Locked lock was unmapped", None),
    entry(73, "ENOTACTIVE", "Facility is not active", None),
    entry(74, "EMULTIHOP", "Multihop attempted", Some(72)),
    entry(77, "EBADMSG", "Bad message", Some(74)),
    entry(78, "ENAMETOOLONG", "File name too long", Some(36)),
    entry(
        79,
        "EOVERFLOW",
        "Value too large for defined data type",
        Some(75),
    ),
    entry(80, "ENOTUNIQ", "Name not unique on network", Some(76)),
    entry(81, "EBADFD", "File descriptor in bad state", Some(77)),
    entry(82, "EREMCHG", "Remote address changed", Some(78)),
    entry(
        83,
        "ELIBACC",
        "Can not access a needed shared library",
        Some(79),
    ),
    entry(
        84,
        "ELIBBAD",
        "Accessing a corrupted shared library",
        Some(80),
    ),
    entry(85, "ELIBSCN", ".lib section in a.out corrupted", Some(81)),
    entry(
        86,
        "ELIBMAX",
        "Attempting to link in too many shared libraries",
        Some(82),
    ),
    entry(
        87,
        "ELIBEXEC",
        "Cannot exec a shared library directly",
        Some(83),
    ),
    entry(
        88,
        "EILSEQ",
        "Invalid or incomplete multibyte or wide character",
        Some(84),
    ),
    entry(89, "ENOSYS", "Function not implemented", Some(38)),
    entry(90, "ELOOP", "Too many levels of symbolic links", Some(40)),
    entry(
        91,
        "ERESTART",
        "Interrupted system call should be restarted",
        Some(85),
    ),
    entry(92, "ESTRPIPE", "Streams pipe error", Some(86)),
    entry(93, "ENOTEMPTY", "Directory not empty", Some(39)),
    entry(94, "EUSERS", "Too many users", Some(87)),
    entry(95, "ENOTSOCK", "Socket operation on non-socket", Some(88)),
    entry(96, "EDESTADDRREQ", "Destination address required", Some(89)),
    entry(97, "EMSGSIZE", "Message too long", Some(90)),
    entry(98, "EPROTOTYPE", "Protocol wrong type for socket", Some(91)),
    entry(99, "ENOPROTOOPT", "Protocol not available", Some(92)),
    entry(120, "EPROTONOSUPPORT", "Protocol not supported", Some(93)),
    entry(
        121,
        "ESOCKTNOSUPPORT",
        "Socket type not supported",
        Some(94),
    ),
    entry(122, "EOPNOTSUPP", "Operation not supported", Some(95)),
    entry(
        123,
        "EPFNOSUPPORT",
        "Protocol family not supported",
        Some(96),
    ),
    entry(
        124,
        "EAFNOSUPPORT",
        "Address family not supported by protocol",
        Some(97),
    ),
    entry(125, "EADDRINUSE", "Address already in use", Some(98)),
    entry(
        126,
        "EADDRNOTAVAIL",
        "Cannot assign requested address",
        Some(99),
    ),
    entry(127, "ENETDOWN", "Network is down", Some(100)),
    entry(128, "ENETUNREACH", "Network is unreachable", Some(101)),
    entry(
        129,
        "ENETRESET",
        "Network dropped connection on reset",
        Some(102),
    ),
    entry(
        130,
        "ECONNABORTED",
        "Software caused connection abort",
        Some(103),
    ),
    entry(131, "ECONNRESET", "Connection reset by peer", Some(104)),
    entry(132, "ENOBUFS", "No buffer space available", Some(105)),
    entry(
        133,
        "EISCONN",
        "Transport endpoint is already connected",
        Some(106),
    ),
    entry(
        134,
        "ENOTCONN",
        "Transport endpoint is not connected",
        Some(107),
    ),
    entry(
        143,
        "ESHUTDOWN",
        "Cannot send after transport endpoint shutdown",
        Some(108),
    ),
    entry(
        144,
        "ETOOMANYREFS",
        "Too many references: cannot splice",
        Some(109),
    ),
    entry(145, "ETIMEDOUT", "Connection timed out", Some(110)),
    entry(146, "ECONNREFUSED", "Connection refused", Some(111)),
    entry(147, "EHOSTDOWN", "Host is down", Some(112)),
    entry(148, "EHOSTUNREACH", "No route to host", Some(113)),
    entry(149, "EALREADY", "Operation already in progress", Some(114)),
    entry(150, "EINPROGRESS", "Operation now in progress", Some(115)),
    entry(151, "ESTALE", "Stale file handle", Some(116)),
    entry(190, "EPROCLIM", "Too many processes", None),
    entry(191, "EBADRPC", "RPC struct is bad", None),
    entry(192, "ERPCMISMATCH", "RPC version wrong", None),
    entry(193, "EPROGUNAVAIL", "RPC prog. not avail", None),
    entry(194, "EPROGMISMATCH", "RPC version wrong", None), // sic: same as ERPCMISMATCH
    entry(195, "EPROCUNAVAIL", "Bad procedure for program", None),
    entry(196, "EFTYPE", "Inappropriate file type or format", None),
    entry(197, "EAUTH", "Authenticateion error", None), // sic
    entry(198, "ENEEDAUTH", "Need authenticator", None),
    entry(199, "ENOATTR", "Attribute not found", None),
    entry(200, "EDOOFUS", "Programming error", None),
    entry(201, "EJUSTRETURN", "Just return", None),
    entry(202, "ENOIOCTL", "ioctl not handled by this layer", None),
    entry(203, "EDIRIOCTL", "do direct ioctl in GEOM", None),
    entry(204, "EPWROFF", "Device power is off", None),
    entry(205, "EDEVERR", "Device error", None),
    entry(206, "EBADEXEC", "Bad executable", None),
    entry(207, "EBADARCH", "Bad CPU type in executable", None),
    entry(208, "ESHLIBVERS", "Shared library version mismatch", None),
    entry(209, "EBADMACHO", "Malformed Macho file", None),
    entry(210, "EPOLICY", "Operation failed by policy", None),
    entry(211, "EDOTDOT", "RFS specific error", Some(73)),
    entry(212, "EUCLEAN", "Structure needs cleaning", Some(117)),
    entry(213, "ENOTNAM", "Not a XENIX named type file", Some(118)),
    entry(214, "ENAVAIL", "No XENIX semaphores available", Some(119)),
    entry(215, "EISNAM", "Is a named type file", Some(120)),
    entry(216, "EREMOTEIO", "Remote I/O error", Some(121)),
    entry(217, "ENOMEDIUM", "No medium found", Some(123)),
    entry(218, "EMEDIUMTYPE", "Wrong medium type", Some(124)),
    entry(219, "ENOKEY", "Required key not available", Some(126)),
    entry(220, "EKEYEXPIRED", "Key has expired", Some(127)),
    entry(221, "EKEYREVOKED", "Key has been revoked", Some(128)),
    entry(
        222,
        "EKEYREJECTED",
        "Key was rejected by service",
        Some(129),
    ),
    entry(223, "ENOTCAPABLE", "Capabilities insufficient", None),
    entry(224, "ECAPMODE", "Not permitted in capability mode", None),
    entry(225, "EINTEGRITY", "Integrity check failed", None),
];

/// One past the largest Linux errno (EHWPOISON, 133).
const LINUX_ERRNO_LIMIT: usize = 134;

/// Position in [`ERRNO_TABLE`] of each BSM number, built and checked at compile time.
const BY_BSM: [Option<u8>; 256] = {
    assert!(ERRNO_TABLE.len() <= u8::MAX as usize);
    let mut index = [None; 256];
    let mut position = 0;
    while position < ERRNO_TABLE.len() {
        let bsm = ERRNO_TABLE[position].bsm as usize;
        assert!(index[bsm].is_none(), "BSM errno listed twice");
        index[bsm] = Some(position as u8);
        position += 1;
    }
    index
};

/// Position in [`ERRNO_TABLE`] of the BSM errno for each Linux errno. Where Linux has one number
/// for two BSM errnos (EDEADLK/EDEADLOCK 35, EOPNOTSUPP/ENOTSUP 95) the lower BSM number wins,
/// as in OpenBSM's libbsm, so that we write what it writes.
const BY_LINUX: [Option<u8>; LINUX_ERRNO_LIMIT] = {
    let mut index = [None; LINUX_ERRNO_LIMIT];
    let mut position = 0;
    while position < ERRNO_TABLE.len() {
        if let Some(linux) = ERRNO_TABLE[position].linux {
            let linux = linux as usize;
            if index[linux].is_none() {
                index[linux] = Some(position as u8);
            }
        }
        position += 1;
    }
    index
};

/// The BSM errno with status byte `bsm`.
pub fn by_bsm(bsm: u8) -> Option<&'static BsmErrno> {
    BY_BSM[usize::from(bsm)].and_then(|position| ERRNOS.get(usize::from(position)))
}

/// The BSM errno called `name` (`EAGAIN`, or Linux's other name for it, `EWOULDBLOCK`).
pub fn by_name(name: &str) -> Option<&'static BsmErrno> {
    static BY_NAME: OnceLock<HashMap<&'static str, &'static BsmErrno>> = OnceLock::new();
    let by_name = BY_NAME.get_or_init(|| ERRNOS.iter().map(|errno| (errno.name, errno)).collect());
    let name = if name == "EWOULDBLOCK" {
        "EAGAIN"
    } else {
        name
    };
    by_name.get(name).copied()
}

/// The BSM errno to write for Linux errno `linux`; `None` where BSM has none (write [`UNKNOWN`]).
pub fn from_linux(linux: i32) -> Option<&'static BsmErrno> {
    let position = usize::try_from(linux)
        .ok()
        .and_then(|linux| BY_LINUX.get(linux).copied().flatten())?;
    ERRNOS.get(usize::from(position))
}

/// What praudit prints after `failure : ` for status byte `bsm`.
pub fn describe(bsm: u8) -> &'static str {
    by_bsm(bsm).map_or(UNRECOGNIZED_DESCRIPTION, |errno| errno.description)
}
