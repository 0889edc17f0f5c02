//! The lxbsm kernel device (`/dev/lxbsm`, kernel-source/lxbsm.h): telling it
//! apart from other sources, setting its preselection and policy from the
//! configuration, quiescing it at shutdown, and reading its counters.
//!
//! What lxbsmd sets, at start-up once its trail is open (under a blocking
//! policy audited tasks wait for a reader), and on SIGHUP:
//!
//! - the success and failure masks from `flags` (the module's load-time
//!   masks, `lo,ex,fc,fd,fr,fw,fm,cl,nt,pc,ad`, without a `flags:` line);
//! - the per-auid overrides: cleared, then one for the unset auid
//!   (4294967295, a task no login has claimed: Linux's non-attributable
//!   tasks) giving it exactly `naflags`, if there is a `naflags:` line,
//!   then one per audit_user line (a line for the unset auid wins);
//! - the policy: `arge` sets the exec-environment bit; without `cnt`
//!   (`ahlt`, or a policy line without either) audited tasks wait for room
//!   in the queue (the block bit) so that nothing is lost, as lxbsmd itself
//!   waits for trail space; with `cnt` (also OpenBSM's default when there
//!   is no `policy:` line) records that find the queue full are dropped and
//!   counted. `argv` needs nothing: exec records always carry the args;
//!   `io_uring:allow` sets the io_uring bit (audited tasks may use io_uring,
//!   whose operations the module does not record; without it they get
//!   EPERM and each refusal is recorded);
//! - the queue limit, if one is given;
//! - the block list from the `block-from:` lines: rules the device has and
//!   the configuration lacks are removed, missing ones added (the others,
//!   and their denial counts, stay), so that a reload opens no gap. The
//!   configuration is the list's one source: rules another tool added
//!   through the device go at lxbsmd's next start or SIGHUP. The list
//!   outlives lxbsmd: a stopped reader does not lift the denials.
//!
//! At shutdown lxbsmd sets both masks to zero and clears the overrides
//! before it drains the queue, as auditd turns auditing off (`AUC_NOAUDIT`)
//! when it stops: the drain ends, and no record is made that no one reads.

#![allow(unsafe_code)]

use crate::daemon::audit_user::AuditUserFile;
use crate::daemon::block_list::BlockRule;
use crate::daemon::config::ControlFile;
use bsm_format::tables::Preselection;
use ipnet::IpNet;
use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::fs::FileTypeExt;

/// `LXBSM_IOC_MAGIC`.
const MAGIC: u32 = 0xb5;

// The fields of an ioctl number (asm-generic/ioctl.h, x86_64's layout).
const IOC_NRSHIFT: u32 = 0;
const IOC_TYPESHIFT: u32 = 8;
const IOC_SIZESHIFT: u32 = 16;
const IOC_DIRSHIFT: u32 = 30;
const IOC_NONE: u32 = 0;
const IOC_WRITE: u32 = 1;
const IOC_READ: u32 = 2;

/// `_IOC(dir, LXBSM_IOC_MAGIC, nr, size)`.
const fn ioc(dir: u32, nr: u32, size: usize) -> libc::Ioctl {
    ((dir << IOC_DIRSHIFT)
        | ((size as u32) << IOC_SIZESHIFT)
        | (MAGIC << IOC_TYPESHIFT)
        | (nr << IOC_NRSHIFT)) as libc::Ioctl
}

const GET_STATS: libc::Ioctl = ioc(IOC_READ, 1, size_of::<DeviceStats>());
const SET_QLIMIT: libc::Ioctl = ioc(IOC_WRITE, 4, size_of::<u64>());
const SET_MASK: libc::Ioctl = ioc(IOC_WRITE, 6, size_of::<Mask>());
const SET_AUID_MASK: libc::Ioctl = ioc(IOC_WRITE, 7, size_of::<AuidMask>());
const CLEAR_AUID_MASKS: libc::Ioctl = ioc(IOC_NONE, 8, 0);
const SET_POLICY: libc::Ioctl = ioc(IOC_WRITE, 10, size_of::<u32>());
const ADD_BLOCK: libc::Ioctl = ioc(IOC_WRITE, 13, size_of::<RawBlockRule>());
const DEL_BLOCK: libc::Ioctl = ioc(IOC_WRITE, 14, size_of::<RawBlockRule>());
const GET_BLOCK: libc::Ioctl = ioc(IOC_READ | IOC_WRITE, 16, size_of::<RawBlockList>());
const TRACE: libc::Ioctl = ioc(IOC_WRITE, 17, size_of::<RawTrace>());

/// `struct lxbsm_trace`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct RawTrace {
    pid: u32,
    flags: u32,
    classes: u32,
    reserved: u32,
}

/// `LXBSM_TRACE_CHILDREN`, `LXBSM_TRACE_IO`.
const TRACE_CHILDREN: u32 = 0x1;
const TRACE_IO: u32 = 0x2;

/// One process traced through the device: its open, creat, close, read,
/// write and lseek calls and the events of `classes` are recorded
/// whatever the masks say for others, and with `children` its
/// descendants' too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Trace {
    pub pid: u32,
    pub children: bool,
    pub classes: u32,
}

/// `LXBSM_POLICY_BLOCK`: a task whose record finds the queue full waits.
pub const POLICY_BLOCK: u32 = 0x1;
/// `LXBSM_POLICY_ARGE`: exec records carry the environment.
pub const POLICY_ARGE: u32 = 0x2;
/// `LXBSM_POLICY_URING`: audited tasks may use io_uring (unrecorded).
pub const POLICY_URING: u32 = 0x4;
/// `LXBSM_DEFAULT_MASK`: lo,ex,fc,fd,fr,fw,fm,cl,nt,pc,ad, the masks at load.
pub const DEFAULT_MASK: u32 = 0x4000_19fb;
/// `LXBSM_MAX_AUID_MASKS`.
pub const MAX_AUID_MASKS: usize = 64;
/// The auid of a task no login has claimed (`AUDIT_UID_UNSET`).
pub const UNSET_AUID: u32 = u32::MAX;
/// `LXBSM_MAX_BLOCK_RULES`.
pub const MAX_BLOCK_RULES: usize = 16384;
const AF_INET: u32 = 2;
const AF_INET6: u32 = 10;

/// `struct lxbsm_stats`: the device's counters.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeviceStats {
    /// Records queued since load, loss notices included.
    pub records: u64,
    pub bytes: u64,
    /// Records dropped (queue full, no memory).
    pub drops: u64,
    pub loss_notices: u64,
    /// Drops no loss notice has reported yet.
    pub pending_lost: u64,
    pub queue_records: u64,
    pub queue_bytes: u64,
    pub queue_limit: u64,
    pub read_records: u64,
    pub read_bytes: u64,
    /// Times an audited task waited (block policy).
    pub blocked: u64,
    pub buffer_size: u64,
}

/// `struct lxbsm_mask`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Mask {
    success: u32,
    failure: u32,
}

/// `struct lxbsm_auid_mask`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct AuidMask {
    auid: u32,
    always_success: u32,
    always_failure: u32,
    never_success: u32,
    never_failure: u32,
}

/// `struct lxbsm_block_rule`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct RawBlockRule {
    family: u32,
    prefix: u32,
    addr: [u8; 16],
    port: u32,
    id: u32,
    denials: u64,
}

impl RawBlockRule {
    fn new(rule: &BlockRule) -> RawBlockRule {
        let mut raw = RawBlockRule {
            prefix: u32::from(rule.net.prefix_len()),
            port: u32::from(rule.port.unwrap_or(0)),
            id: rule.id,
            ..RawBlockRule::default()
        };
        match rule.net {
            IpNet::V4(net) => {
                raw.family = AF_INET;
                raw.addr[..4].copy_from_slice(&net.network().octets());
            }
            IpNet::V6(net) => {
                raw.family = AF_INET6;
                raw.addr = net.network().octets();
            }
        }
        raw
    }

    /// The same rule (the denial count aside).
    fn same(&self, other: &RawBlockRule) -> bool {
        (self.family, self.prefix, self.addr, self.port, self.id)
            == (other.family, other.prefix, other.addr, other.port, other.id)
    }
}

/// `struct lxbsm_block_list`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
struct RawBlockList {
    count: u32,
    total: u32,
    rules: u64,
}

/// What bringing the device's block list in line with the configuration did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BlockSync {
    pub added: usize,
    pub removed: usize,
    pub kept: usize,
}

/// A per-auid override and where it comes from, for error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuidOverride {
    pub auid: u32,
    pub always: Preselection,
    pub never: Preselection,
    /// `FILE:LINE` of an audit_user line, or `naflags`.
    pub origin: String,
}

/// Everything lxbsmd sets in the device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceSettings {
    pub mask: Preselection,
    pub overrides: Vec<AuidOverride>,
    pub policy: u32,
    /// Bytes the queue may hold; `None` leaves the device's limit alone.
    pub queue_limit: Option<u64>,
    /// The block list (`block-from:` lines).
    pub block: Vec<BlockRule>,
}

impl DeviceSettings {
    /// The settings that `control`, `users` and the queue limit call for
    /// (see the module's documentation); an error when there are more
    /// overrides than the device holds.
    pub fn new(
        control: &ControlFile,
        users: &AuditUserFile,
        queue_limit: Option<u64>,
    ) -> Result<DeviceSettings, String> {
        let mask = control.flags.unwrap_or(Preselection {
            success: DEFAULT_MASK,
            failure: DEFAULT_MASK,
        });
        let mut overrides: Vec<AuidOverride> = Vec::new();
        if let Some(naflags) = control.naflags {
            // (global | always) & ~never is exactly naflags.
            overrides.push(AuidOverride {
                auid: UNSET_AUID,
                always: naflags,
                never: Preselection {
                    success: !naflags.success,
                    failure: !naflags.failure,
                },
                origin: "naflags".to_owned(),
            });
        }
        for entry in &users.entries {
            overrides.retain(|earlier| earlier.auid != entry.auid);
            overrides.push(AuidOverride {
                auid: entry.auid,
                always: entry.always,
                never: entry.never,
                origin: format!("{}:{}", users.path.display(), entry.line),
            });
        }
        if overrides.len() > MAX_AUID_MASKS {
            return Err(format!(
                "{} per-auid overrides (audit_user lines and naflags), the device holds {MAX_AUID_MASKS}",
                overrides.len()
            ));
        }
        let policy = control.policy_or_default();
        let mut bits = 0;
        if !policy.continue_on_failure {
            bits |= POLICY_BLOCK;
        }
        if policy.producer_policies.iter().any(|name| name == "arge") {
            bits |= POLICY_ARGE;
        }
        if control.io_uring_allowed == Some(true) {
            bits |= POLICY_URING;
        }
        if control.block_from.len() > MAX_BLOCK_RULES {
            return Err(format!(
                "{} block-from entries, the device holds {MAX_BLOCK_RULES}",
                control.block_from.len()
            ));
        }
        Ok(DeviceSettings {
            mask,
            overrides,
            policy: bits,
            queue_limit,
            block: control.block_from.clone(),
        })
    }
}

/// An open lxbsm device, for its ioctls.
#[derive(Debug)]
pub struct LxbsmDevice {
    file: File,
}

impl LxbsmDevice {
    /// The lxbsm device open as `file`, if it is one: a character device
    /// that answers `LXBSM_IOC_GET_STATS`. The device keeps a descriptor of
    /// its own (a duplicate: no second reader slot).
    pub fn probe(file: &File) -> io::Result<Option<LxbsmDevice>> {
        if !file.metadata()?.file_type().is_char_device() {
            return Ok(None);
        }
        let device = LxbsmDevice {
            file: file.try_clone()?,
        };
        match device.read_stats() {
            Ok(_) => Ok(Some(device)),
            // What other character devices answer to an ioctl they lack.
            Err(err) if matches!(err.raw_os_error(), Some(libc::ENOTTY | libc::EINVAL)) => Ok(None),
            Err(err) => Err(err),
        }
    }

    /// Another handle on the same open device.
    pub fn try_clone(&self) -> io::Result<LxbsmDevice> {
        Ok(LxbsmDevice {
            file: self.file.try_clone()?,
        })
    }

    /// The device's counters.
    pub fn stats(&self) -> io::Result<DeviceStats> {
        self.read_stats().map_err(named("LXBSM_IOC_GET_STATS"))
    }

    /// The counters, or the device's error as it is.
    fn read_stats(&self) -> io::Result<DeviceStats> {
        let mut stats = DeviceStats::default();
        // SAFETY: GET_STATS writes one `struct lxbsm_stats`, which
        // `DeviceStats` mirrors field for field (#[repr(C)], no padding);
        // `stats` is valid for writes for the call.
        unsafe { self.ioctl(GET_STATS, &mut stats as *mut DeviceStats) }?;
        Ok(stats)
    }

    /// Sets masks, overrides, policy, queue limit and block list; an error
    /// names the setting (and the audit_user line or rule) the device
    /// refused.
    pub fn apply(&self, settings: &DeviceSettings) -> io::Result<BlockSync> {
        self.set_mask(settings.mask)?;
        self.clear_auid_masks()?;
        for entry in &settings.overrides {
            let mask = AuidMask {
                auid: entry.auid,
                always_success: entry.always.success,
                always_failure: entry.always.failure,
                never_success: entry.never.success,
                never_failure: entry.never.failure,
            };
            // SAFETY: SET_AUID_MASK reads one `struct lxbsm_auid_mask`,
            // which `AuidMask` mirrors (#[repr(C)], no padding); `mask`
            // lives across the call.
            unsafe { self.ioctl(SET_AUID_MASK, &mask as *const AuidMask) }.map_err(|err| {
                io::Error::new(
                    err.kind(),
                    format!(
                        "LXBSM_IOC_SET_AUID_MASK for auid {} ({}): {err}",
                        entry.auid, entry.origin
                    ),
                )
            })?;
        }
        let policy = settings.policy;
        // SAFETY: SET_POLICY reads one __u32; `policy` lives across the call.
        unsafe { self.ioctl(SET_POLICY, &policy as *const u32) }
            .map_err(named("LXBSM_IOC_SET_POLICY"))?;
        if let Some(limit) = settings.queue_limit {
            // SAFETY: SET_QLIMIT reads one __u64; `limit` lives across the
            // call.
            unsafe { self.ioctl(SET_QLIMIT, &limit as *const u64) }.map_err(|err| {
                io::Error::new(
                    err.kind(),
                    format!("LXBSM_IOC_SET_QLIMIT to {limit} bytes: {err}"),
                )
            })?;
        }
        self.sync_block_list(&settings.block)
    }

    /// Removes the rules `rules` lacks, then adds the missing ones.
    fn sync_block_list(&self, rules: &[BlockRule]) -> io::Result<BlockSync> {
        let wanted: Vec<RawBlockRule> = rules.iter().map(RawBlockRule::new).collect();
        let present = match self.block_rules() {
            Ok(present) => present,
            // A module without a block list, and none asked for.
            Err(err) if err.raw_os_error() == Some(libc::ENOTTY) && wanted.is_empty() => {
                return Ok(BlockSync::default());
            }
            Err(err) => return Err(named("LXBSM_IOC_GET_BLOCK")(err)),
        };
        let mut sync = BlockSync::default();
        for rule in &present {
            if wanted.iter().any(|want| want.same(rule)) {
                sync.kept += 1;
                continue;
            }
            // SAFETY: DEL_BLOCK reads one `struct lxbsm_block_rule`, which
            // `RawBlockRule` mirrors (#[repr(C)], no padding); `rule` lives
            // across the call.
            unsafe { self.ioctl(DEL_BLOCK, rule as *const RawBlockRule) }
                .map_err(named("LXBSM_IOC_DEL_BLOCK"))?;
            sync.removed += 1;
        }
        for (rule, raw) in rules.iter().zip(&wanted) {
            if present.iter().any(|have| have.same(raw)) {
                continue;
            }
            // SAFETY: as for DEL_BLOCK.
            unsafe { self.ioctl(ADD_BLOCK, raw as *const RawBlockRule) }.map_err(|err| {
                let why = match err.raw_os_error() {
                    Some(libc::EOPNOTSUPP) => {
                        " (the module could not redirect the socket hooks: see its load messages)"
                    }
                    _ => "",
                };
                io::Error::new(
                    err.kind(),
                    format!("LXBSM_IOC_ADD_BLOCK for {rule}: {err}{why}"),
                )
            })?;
            sync.added += 1;
        }
        Ok(sync)
    }

    /// The rules the device holds, with their denial counts.
    fn block_rules(&self) -> io::Result<Vec<RawBlockRule>> {
        let mut capacity = 64;
        loop {
            let mut rules = vec![RawBlockRule::default(); capacity];
            let mut list = RawBlockList {
                count: capacity as u32,
                total: 0,
                rules: rules.as_mut_ptr() as u64,
            };
            // SAFETY: GET_BLOCK reads and writes one `struct
            // lxbsm_block_list` (mirrored by `RawBlockList`) and writes at
            // most `count` rules at `rules`, which has room for `capacity`.
            unsafe { self.ioctl(GET_BLOCK, &mut list as *mut RawBlockList) }?;
            if list.total <= list.count {
                rules.truncate(list.count as usize);
                return Ok(rules);
            }
            // Rules were added meanwhile: ask again with room for all.
            capacity = list.total as usize;
        }
    }

    /// The denial count of each of the device's rules, by rule id (none
    /// from a module without a block list).
    pub fn block_denials(&self) -> io::Result<Vec<(u32, u64)>> {
        match self.block_rules() {
            Ok(rules) => Ok(rules.iter().map(|rule| (rule.id, rule.denials)).collect()),
            Err(err) if err.raw_os_error() == Some(libc::ENOTTY) => Ok(Vec::new()),
            Err(err) => Err(named("LXBSM_IOC_GET_BLOCK")(err)),
        }
    }

    /// Starts tracing `trace.pid` (see [`Trace`]); ESRCH if there is no
    /// such process, ENOSPC past the device's 16 traces.
    pub fn trace(&self, trace: &Trace) -> io::Result<()> {
        let raw = RawTrace {
            pid: trace.pid,
            flags: TRACE_IO | if trace.children { TRACE_CHILDREN } else { 0 },
            classes: trace.classes,
            reserved: 0,
        };
        // SAFETY: TRACE reads one `struct lxbsm_trace`, which `RawTrace`
        // mirrors (#[repr(C)], four u32, no padding); `raw` lives across
        // the call.
        unsafe { self.ioctl(TRACE, &raw as *const RawTrace) }.map_err(named("LXBSM_IOC_TRACE"))
    }

    /// Ends every trace (a module without traces has none to end).
    fn end_traces(&self) -> io::Result<()> {
        let raw = RawTrace::default();
        // SAFETY: as in `trace`.
        match unsafe { self.ioctl(TRACE, &raw as *const RawTrace) } {
            Err(err) if err.raw_os_error() == Some(libc::ENOTTY) => Ok(()),
            outcome => outcome.map_err(named("LXBSM_IOC_TRACE")),
        }
    }

    /// Stops auditing: both masks zero, no overrides, no traces.
    pub fn quiesce(&self) -> io::Result<()> {
        self.set_mask(Preselection::default())?;
        self.clear_auid_masks()?;
        self.end_traces()
    }

    fn set_mask(&self, mask: Preselection) -> io::Result<()> {
        let mask = Mask {
            success: mask.success,
            failure: mask.failure,
        };
        // SAFETY: SET_MASK reads one `struct lxbsm_mask`, which `Mask`
        // mirrors (#[repr(C)], no padding); `mask` lives across the call.
        unsafe { self.ioctl(SET_MASK, &mask as *const Mask) }.map_err(named("LXBSM_IOC_SET_MASK"))
    }

    fn clear_auid_masks(&self) -> io::Result<()> {
        // SAFETY: CLEAR_AUID_MASKS takes no argument; the null pointer is
        // never read.
        unsafe { self.ioctl(CLEAR_AUID_MASKS, std::ptr::null::<u8>()) }
            .map_err(named("LXBSM_IOC_CLEAR_AUID_MASKS"))
    }

    /// Calls ioctl `request` on the device with `argument`.
    ///
    /// # Safety
    ///
    /// `argument` must point to memory of the type and size `request`
    /// reads or writes, valid for the call.
    unsafe fn ioctl<T>(&self, request: libc::Ioctl, argument: *const T) -> io::Result<()> {
        // SAFETY: the descriptor is open for as long as `self` lives; the
        // caller vouches for `argument`.
        let result = unsafe { libc::ioctl(self.file.as_raw_fd(), request, argument) };
        if result < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }
}

/// Puts the request's name in front of an error.
fn named(request: &'static str) -> impl Fn(io::Error) -> io::Error {
    move |err| io::Error::new(err.kind(), format!("{request}: {err}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::daemon::audit_user::AuditUserEntry;
    use bsm_format::tables::ClassTable;
    use std::path::PathBuf;

    #[test]
    fn ioctl_numbers_match_lxbsm_h() {
        // _IOR/_IOW(0xb5, nr, size): direction << 30 | size << 16 | 0xb5 << 8 | nr,
        // with struct lxbsm_stats 12 × 8 = 96 bytes, struct lxbsm_mask 8,
        // struct lxbsm_auid_mask 20.
        assert_eq!(GET_STATS, 0x8060_b501);
        assert_eq!(SET_QLIMIT, 0x4008_b504);
        assert_eq!(SET_MASK, 0x4008_b506);
        assert_eq!(SET_AUID_MASK, 0x4014_b507);
        assert_eq!(CLEAR_AUID_MASKS, 0x0000_b508);
        assert_eq!(SET_POLICY, 0x4004_b50a);
        // struct lxbsm_block_rule: 4 + 4 + 16 + 4 + 4 + 8 = 40 (0x28) bytes;
        // struct lxbsm_block_list: 4 + 4 + 8 = 16; _IOWR is direction 3.
        assert_eq!(size_of::<RawBlockRule>(), 40);
        assert_eq!(ADD_BLOCK, 0x4028_b50d);
        assert_eq!(DEL_BLOCK, 0x4028_b50e);
        assert_eq!(GET_BLOCK, 0xc010_b510);
        // struct lxbsm_trace: four u32, 16 bytes.
        assert_eq!(size_of::<RawTrace>(), 16);
        assert_eq!(TRACE, 0x4010_b511);
    }

    #[test]
    fn block_rules_are_laid_out_as_lxbsm_h_says() {
        let settings = DeviceSettings::new(
            &control("block-from: 192.0.2.0/24, 2001:db8::/32 port 443\n"),
            &no_users(),
            None,
        )
        .unwrap();
        let raw: Vec<RawBlockRule> = settings.block.iter().map(RawBlockRule::new).collect();
        let mut v4 = [0u8; 16];
        v4[..4].copy_from_slice(&[192, 0, 2, 0]);
        assert_eq!(
            raw[0],
            RawBlockRule {
                family: 2,
                prefix: 24,
                addr: v4,
                port: 0,
                id: 1,
                denials: 0
            }
        );
        let mut v6 = [0u8; 16];
        v6[..4].copy_from_slice(&[0x20, 0x01, 0x0d, 0xb8]);
        assert_eq!(
            raw[1],
            RawBlockRule {
                family: 10,
                prefix: 32,
                addr: v6,
                port: 443,
                id: 2,
                denials: 0
            }
        );
        let renumbered = RawBlockRule { id: 7, ..raw[0] };
        assert!(!raw[0].same(&renumbered));
        assert!(raw[0].same(&RawBlockRule {
            denials: 9,
            ..raw[0]
        }));
    }

    #[test]
    fn default_mask_is_the_load_time_classes() {
        let classes = ClassTable::builtin()
            .parse_flags("lo,ex,fc,fd,fr,fw,fm,cl,nt,pc,ad")
            .unwrap();
        assert_eq!(
            (classes.success, classes.failure),
            (DEFAULT_MASK, DEFAULT_MASK)
        );
    }

    fn control(text: &str) -> ControlFile {
        ControlFile::parse(text, ClassTable::builtin()).unwrap()
    }

    fn flags(text: &str) -> Preselection {
        ClassTable::builtin().parse_flags(text).unwrap()
    }

    fn no_users() -> AuditUserFile {
        AuditUserFile {
            path: PathBuf::from("/etc/security/audit_user"),
            entries: Vec::new(),
        }
    }

    #[test]
    fn flags_and_policy_map_to_masks_and_bits() {
        let settings = DeviceSettings::new(
            &control("flags:lo,+ex,-fc\npolicy:cnt,arge\n"),
            &no_users(),
            Some(1 << 20),
        )
        .unwrap();
        assert_eq!(settings.mask, flags("lo,+ex,-fc"));
        assert_eq!(settings.policy, POLICY_ARGE);
        assert_eq!(settings.queue_limit, Some(1 << 20));
        assert!(settings.overrides.is_empty());

        for (policy, bits) in [
            ("", 0),
            ("policy:cnt\n", 0),
            ("policy:argv\n", POLICY_BLOCK),
            ("policy:ahlt,arge\n", POLICY_BLOCK | POLICY_ARGE),
            ("io_uring:deny\n", 0),
            ("policy:cnt\nio_uring:allow\n", POLICY_URING),
        ] {
            let settings = DeviceSettings::new(&control(policy), &no_users(), None).unwrap();
            assert_eq!(settings.policy, bits, "{policy:?}");
            assert_eq!(settings.mask.success, DEFAULT_MASK, "no flags: line");
        }
    }

    #[test]
    fn naflags_govern_the_unset_auid_and_audit_user_lines_win() {
        let users = AuditUserFile {
            path: PathBuf::from("/etc/security/audit_user"),
            entries: vec![
                AuditUserEntry {
                    auid: 1000,
                    always: flags("ex"),
                    never: flags("all"),
                    line: 3,
                },
                AuditUserEntry {
                    auid: UNSET_AUID,
                    always: flags("lo"),
                    never: Preselection::default(),
                    line: 5,
                },
            ],
        };
        let settings =
            DeviceSettings::new(&control("flags:lo,ex\nnaflags:+na\n"), &users, None).unwrap();
        let origins: Vec<(u32, &str)> = settings
            .overrides
            .iter()
            .map(|entry| (entry.auid, entry.origin.as_str()))
            .collect();
        assert_eq!(
            origins,
            [
                (1000, "/etc/security/audit_user:3"),
                (UNSET_AUID, "/etc/security/audit_user:5")
            ]
        );

        let settings = DeviceSettings::new(&control("naflags:+na\n"), &no_users(), None).unwrap();
        let naflags = &settings.overrides[0];
        // What the kernel computes for a task of that auid.
        let effective = |global: u32, always: u32, never: u32| (global | always) & !never;
        let na = flags("+na");
        assert_eq!(
            effective(
                settings.mask.success,
                naflags.always.success,
                naflags.never.success
            ),
            na.success
        );
        assert_eq!(
            effective(
                settings.mask.failure,
                naflags.always.failure,
                naflags.never.failure
            ),
            na.failure
        );
    }

    #[test]
    fn too_many_overrides_are_refused() {
        let users = AuditUserFile {
            path: PathBuf::from("audit_user"),
            entries: (0..=MAX_AUID_MASKS as u32)
                .map(|auid| AuditUserEntry {
                    auid,
                    always: Preselection::default(),
                    never: flags("all"),
                    line: auid as usize + 1,
                })
                .collect(),
        };
        let err = DeviceSettings::new(&control(""), &users, None).unwrap_err();
        assert!(err.contains("65 per-auid overrides"), "{err}");
    }

    #[test]
    fn other_files_are_not_the_device() {
        let file = File::open("/dev/null").unwrap();
        assert!(LxbsmDevice::probe(&file).unwrap().is_none());
        let file = File::open("/proc/self/status").unwrap();
        assert!(LxbsmDevice::probe(&file).unwrap().is_none());
    }
}
