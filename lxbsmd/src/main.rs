//! lxbsmd: reads BSM records from a source (the lxbsm kernel device, a FIFO,
//! a file or stdin), keeps them in trail files as OpenBSM's auditd does, and
//! fans them out live to subscribers on a Unix socket.
//!
//! Signals: SIGTERM and SIGINT write what the source already holds, close
//! and rename the trail, and exit 0; SIGUSR1 rotates the trail (as
//! auditd's `audit -n`); SIGHUP re-reads the preselection (flags, naflags,
//! policy, audit_user) into the lxbsm device and rotates (as auditd's
//! `audit -s`); the trail settings (dir, filesz, expire-after, minfree)
//! take effect at the next start. End of input (stdin, a regular file)
//! shuts down as SIGTERM does; a FIFO never ends, whatever its writers do.
//!
//! When the source is the lxbsm device (recognised by its ioctls, whatever
//! its path), lxbsmd sets its preselection and policy from the
//! configuration at start-up (see `bsm_writer::daemon::device`), quiesces
//! it at shutdown, and logs its counters.
//!
//! While records find no space under policy `cnt`, lxbsmd says so once,
//! counts what it drops, and, when space returns, writes a drop notice
//! (AUE_audit_recovery, `lxbsmd: N records dropped`) into the trail.
//! Under policy `ahlt` a record that cannot be written halts the host (or
//! runs `--halt-command`): lxbsmd first writes an AUE_audit_shutdown record
//! saying why into the trail's reserve, syncs, and exits non-zero.
//!
//! With `--ship`, every record leaves the host as it is written, to a
//! bsmcollectd (see `ship`).

mod ship;

use bsm_format::tables::ClassTable;
use bsm_format::tables::accounts::{AccountNames, HOST_GROUP};
use bsm_writer::control;
use bsm_writer::daemon::device::Trace;
use bsm_writer::daemon::run::{DaemonOptions, Signals, run, trail_dir};
use clap::Parser;
use ship::{ShipArgs, Shipper};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

/// The most records a subscriber's queue may hold: each queue is
/// allocated whole when the subscriber connects.
const MAX_SUBSCRIBER_QUEUE: i64 = 1 << 16;

/// Set by SIGTERM and SIGINT.
static STOP: AtomicBool = AtomicBool::new(false);
/// Set by SIGHUP and SIGUSR1.
static ROTATE: AtomicBool = AtomicBool::new(false);
/// Set by SIGHUP.
static RELOAD: AtomicBool = AtomicBool::new(false);
static SIGNALS: Signals = Signals {
    stop: &STOP,
    rotate: &ROTATE,
    reload: &RELOAD,
};

#[derive(Debug, Parser)]
#[command(
    name = "lxbsmd",
    version,
    about = "Keep BSM audit trails from a record source and fan records out to live subscribers",
    after_help = "Signals: SIGTERM/SIGINT close and rename the trail and exit; SIGUSR1 rotates; \
                  SIGHUP re-applies the preselection to the lxbsm device and rotates."
)]
struct Args {
    /// Where records come from: a FIFO, a character device such as
    /// /dev/lxbsm, a regular file, or - for stdin. The lxbsm device is
    /// recognised by its ioctls and gets its preselection and policy from
    /// --config and --audit-user.
    #[arg(long, value_name = "PATH|-")]
    source: PathBuf,
    /// The trail directory [default: the config's dir:, else /var/audit].
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
    /// Use a trail directory that other users may write to, or that another
    /// user owns (refused by default: they could plant trails or links in it).
    #[arg(long)]
    allow_shared_dir: bool,
    /// Rotate trails at this size, as audit_control's filesz (e.g. 2M; 0 is
    /// no limit).
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    filesz: Option<u64>,
    /// A Unix stream socket on which live subscribers get every record. It
    /// is made 0600 whatever the umask (0660 with --socket-group), and only
    /// root, lxbsmd's user and the socket's group may subscribe.
    #[arg(long, value_name = "PATH")]
    socket: Option<PathBuf>,
    /// The socket's group (a name from /etc/group, or a number): its members
    /// may subscribe too.
    #[arg(long, value_name = "GROUP", requires = "socket")]
    socket_group: Option<String>,
    /// Subscribers at once on the socket; more are refused.
    #[arg(long, value_name = "N", default_value_t = 64,
          value_parser = clap::value_parser!(u16).range(1..))]
    max_subscribers: u16,
    /// Subscribers at once from one user id; more are refused.
    #[arg(long, value_name = "N", default_value_t = 16,
          value_parser = clap::value_parser!(u16).range(1..))]
    max_subscribers_per_user: u16,
    /// An audit_control-style file (dir, filesz, expire-after, flags,
    /// naflags, policy, minfree); command-line options override it.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Records queued for each subscriber; a subscriber that falls further
    /// behind loses records, with a drop notice giving the count.
    #[arg(long, value_name = "RECORDS", default_value_t = 4096,
          value_parser = clap::value_parser!(u32).range(1..=MAX_SUBSCRIBER_QUEUE))]
    subscriber_queue: u32,
    /// Per-user overrides for the lxbsm device, as audit_user(5)
    /// (name:always:never) [default: /etc/security/audit_user if present].
    #[arg(long, value_name = "FILE")]
    audit_user: Option<PathBuf>,
    /// The bytes the lxbsm device's queue may hold (e.g. 256K) [default:
    /// the device's].
    #[arg(long, value_name = "SIZE", value_parser = parse_queue_limit)]
    queue_limit: Option<u64>,
    /// How much to lower lxbsmd's nice value, as Linux auditd's
    /// priority_boost: the daemon must keep up with the tasks it audits
    /// (with a blocking policy they wait for it; exiting ones cannot).
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u8).range(0..=39))]
    priority_boost: u8,
    /// Under policy ahlt, run this shell command instead of halting the
    /// system (reboot(2)) when a record cannot be written; lxbsmd then
    /// exits with an error.
    #[arg(long, value_name = "COMMAND")]
    halt_command: Option<String>,
    /// Trace process PID through the lxbsm device while lxbsmd runs: its
    /// open, creat, close, read, write and lseek calls are recorded (for
    /// `bsmreport --io`) whatever the flags say, and nobody else's
    /// because of it. Repeat for several (at most 16).
    #[arg(long, value_name = "PID")]
    trace_pid: Vec<u32>,
    /// With --trace-pid: trace the processes' descendants too.
    #[arg(long, requires = "trace_pid")]
    trace_children: bool,
    /// With --trace-pid: also the events of these audit classes (as
    /// audit_control's flags, e.g. ex,nt).
    #[arg(long, value_name = "FLAGS", requires = "trace_pid")]
    trace_classes: Option<String>,
    #[command(flatten)]
    ship: ShipArgs,
}

fn parse_size(value: &str) -> Result<u64, String> {
    control::parse_size(value).map_err(|err| err.to_string())
}

/// The most bytes the lxbsm device's queue may be asked to hold.
const MAX_QUEUE_LIMIT: u64 = 16 << 30;

fn parse_queue_limit(value: &str) -> Result<u64, String> {
    let limit = parse_size(value)?;
    if !(1..=MAX_QUEUE_LIMIT).contains(&limit) {
        return Err(format!(
            "{value}: the queue limit must be from 1 byte to 16G"
        ));
    }
    Ok(limit)
}

/// The traces --trace-pid, --trace-children and --trace-classes ask for.
fn traces(args: &Args) -> Result<Vec<Trace>, String> {
    let classes = match &args.trace_classes {
        Some(flags) => {
            let mask = ClassTable::builtin()
                .parse_flags(flags)
                .map_err(|err| format!("--trace-classes {flags}: {err}"))?;
            mask.success | mask.failure
        }
        None => 0,
    };
    Ok(args
        .trace_pid
        .iter()
        .map(|&pid| Trace {
            pid,
            children: args.trace_children,
            classes,
        })
        .collect())
}

/// The id of a group given by name or number.
fn group_id(group: &str) -> Result<u32, String> {
    if let Ok(id) = group.parse() {
        return Ok(id);
    }
    AccountNames::load(Path::new(HOST_GROUP))
        .id(group)
        .ok_or_else(|| format!("--socket-group {group}: no such group in {HOST_GROUP}"))
}

/// sysexits(3)'s EX_USAGE: a bad command line, as praudit, auditreduce and
/// bsmreport exit.
const EX_USAGE: u8 = 64;

fn main() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(args) => args,
        Err(err) => {
            let _ = err.print();
            return if err.use_stderr() {
                ExitCode::from(EX_USAGE)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let options = match options(&args) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("lxbsmd: {message}");
            return ExitCode::from(EX_USAGE);
        }
    };
    match serve(&args, &options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("lxbsmd: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Runs the daemon (and its shipper) until a signal stops it.
fn serve(args: &Args, options: &DaemonOptions) -> Result<(), String> {
    install_signal_handlers()?;
    let shipper = args
        .ship
        .start(&trail_dir(options)?, options.hold_back.clone())?;
    let outcome = run(options, &SIGNALS);
    let shipped = shipper.map_or(Ok(()), Shipper::finish);
    outcome.and(shipped)
}

fn options(args: &Args) -> Result<DaemonOptions, String> {
    Ok(DaemonOptions {
        source: args.source.clone(),
        dir: args.dir.clone(),
        allow_shared_dir: args.allow_shared_dir,
        filesz: args.filesz,
        socket: args.socket.clone(),
        socket_group: args.socket_group.as_deref().map(group_id).transpose()?,
        max_subscribers: args.max_subscribers.into(),
        max_subscribers_per_user: args.max_subscribers_per_user.into(),
        subscriber_queue: args.subscriber_queue as usize,
        config: args.config.clone(),
        audit_user: args.audit_user.clone(),
        queue_limit: args.queue_limit,
        priority_boost: args.priority_boost,
        halt_command: args.halt_command.clone(),
        hold_back: args.ship.hold_back(),
        traces: traces(args)?,
    })
}

extern "C" fn on_signal(signal: libc::c_int) {
    // Only atomic stores here: they are async-signal-safe.
    match signal {
        libc::SIGHUP => {
            RELOAD.store(true, Ordering::Relaxed);
            ROTATE.store(true, Ordering::Relaxed);
        }
        libc::SIGUSR1 => ROTATE.store(true, Ordering::Relaxed),
        _ => STOP.store(true, Ordering::Relaxed),
    }
}

fn install_signal_handlers() -> Result<(), String> {
    for signal in [libc::SIGTERM, libc::SIGINT, libc::SIGHUP, libc::SIGUSR1] {
        // SAFETY: an all-zero sigaction is a valid value (empty mask, no
        // flags) that is filled in below before use.
        let mut action: libc::sigaction = unsafe { std::mem::zeroed() };
        action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
        // Restart interrupted reads and writes; the loops look at the flags
        // on their own schedule.
        action.sa_flags = libc::SA_RESTART;
        // SAFETY: `action.sa_mask` is a valid sigset_t owned by us.
        unsafe { libc::sigemptyset(&mut action.sa_mask) };
        // SAFETY: `action` is fully initialised and the handler only does
        // async-signal-safe atomic stores; the old action is not wanted.
        if unsafe { libc::sigaction(signal, &action, std::ptr::null_mut()) } != 0 {
            return Err(format!(
                "cannot install the handler of signal {signal}: {}",
                std::io::Error::last_os_error()
            ));
        }
    }
    Ok(())
}
