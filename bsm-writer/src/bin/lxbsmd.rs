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

use bsm_format::tables::ClassTable;
use bsm_reader::accounts::{AccountNames, HOST_GROUP, HOST_PASSWD};
use bsm_writer::daemon::audit_user::{self, AuditUserFile};
use bsm_writer::daemon::config::{ConfigError, ControlFile};
use bsm_writer::daemon::device::{DeviceSettings, LxbsmDevice};
use bsm_writer::daemon::fanout::{self, Fanout, SocketAccess};
use bsm_writer::daemon::source::{Source, SourcePath, SourceReader};
use bsm_writer::records::{self, DaemonEvent};
use bsm_writer::{DropReason, LowSpacePolicy, TrailConfig, TrailError, TrailWriter, control};
use bytes::Bytes;
use clap::Parser;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::RecvTimeoutError;
use std::time::Duration;

/// The program name in the daemon's own records (`lxbsmd::Audit startup`).
const PROGRAM: &str = "lxbsmd";
/// How often the main loop looks at the signal flags while no records come.
const SIGNAL_CHECK: Duration = Duration::from_millis(100);
/// How long shutdown waits for subscribers to take their queued records.
const SUBSCRIBER_GRACE: Duration = Duration::from_secs(2);
/// How often a record refused for lack of space is tried again.
const SPACE_RETRY: Duration = Duration::from_secs(1);

/// The most records a subscriber's queue may hold: each queue is
/// allocated whole when the subscriber connects.
const MAX_SUBSCRIBER_QUEUE: i64 = 1 << 16;

/// Set by SIGTERM and SIGINT.
static STOP: AtomicBool = AtomicBool::new(false);
/// Set by SIGHUP and SIGUSR1.
static ROTATE: AtomicBool = AtomicBool::new(false);
/// Set by SIGHUP.
static RELOAD: AtomicBool = AtomicBool::new(false);

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

/// The id of a group given by name or number.
fn group_id(group: &str) -> Result<u32, String> {
    if let Ok(id) = group.parse() {
        return Ok(id);
    }
    AccountNames::load(Path::new(HOST_GROUP))
        .id(group)
        .ok_or_else(|| format!("--socket-group {group}: no such group in {HOST_GROUP}"))
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("lxbsmd: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The configuration files, read.
struct Settings {
    control: ControlFile,
    users: AuditUserFile,
}

impl Settings {
    fn load(args: &Args) -> Result<Settings, ConfigError> {
        let control = match &args.config {
            Some(path) => ControlFile::load(path)?,
            None => ControlFile::default(),
        };
        let default_users = Path::new(audit_user::DEFAULT_PATH);
        let users_path = match &args.audit_user {
            Some(path) => Some(path.as_path()),
            None => default_users.exists().then_some(default_users),
        };
        let users = match users_path {
            Some(path) => AuditUserFile::load(path, &AccountNames::load(Path::new(HOST_PASSWD)))?,
            None => AuditUserFile::default(),
        };
        Ok(Settings { control, users })
    }

    /// The trail configuration: the config file's values, overridden by
    /// the command line.
    fn trail_config(&self, args: &Args) -> TrailConfig {
        let control = &self.control;
        let mut config = TrailConfig::default();
        if let Some(dir) = args.dir.clone().or(control.dir.clone()) {
            config.dir = dir;
        }
        config.file_size_limit = args
            .filesz
            .or(control.file_size_limit)
            .filter(|limit| *limit > 0);
        config.expire_after = control.expire_after;
        config.allow_shared_dir = args.allow_shared_dir;
        config.min_free_percent = control.min_free_percent.unwrap_or(0);
        // audit_control's cnt: go on without the records that do not fit.
        if control.policy_or_default().continue_on_failure {
            config.low_space = LowSpacePolicy::Drop;
        }
        config
    }

    /// Sets the device's preselection, policy and queue limit, and says so.
    fn configure(&self, device: &LxbsmDevice, queue_limit: Option<u64>) -> Result<(), String> {
        let settings = DeviceSettings::new(&self.control, &self.users, queue_limit)?;
        device
            .apply(&settings)
            .map_err(|err| format!("the lxbsm device: {err}"))?;
        eprintln!(
            "lxbsmd: lxbsm device preselection applied: flags {:?} (success {:#x}, failure {:#x}), \
             {} per-auid overrides, policy {:#x}",
            ClassTable::builtin().format_flags(settings.mask),
            settings.mask.success,
            settings.mask.failure,
            settings.overrides.len(),
            settings.policy
        );
        Ok(())
    }

    /// Whether the files ask for anything only the lxbsm device can do.
    fn wants_device(&self) -> bool {
        self.control.flags.is_some()
            || self.control.naflags.is_some()
            || !self.users.entries.is_empty()
    }
}

fn run(args: &Args) -> Result<(), String> {
    let settings = Settings::load(args).map_err(|err| err.to_string())?;
    install_signal_handlers()?;
    // Before any thread starts: Linux keeps a nice value per thread, and
    // new threads inherit their creator's.
    boost_priority(args.priority_boost);
    // The source is read only once everything else is ready: a daemon that
    // fails to start takes no records from it.
    let source =
        Source::open(&SourcePath::from_arg(&args.source)).map_err(|err| err.to_string())?;
    if source.device().is_none() && (settings.wants_device() || args.queue_limit.is_some()) {
        eprintln!(
            "lxbsmd: {} is not the lxbsm device: flags, naflags, audit_user and the queue limit \
             are not applied",
            args.source.display()
        );
    }
    let fanout = match &args.socket {
        Some(path) => {
            let access = SocketAccess {
                group: args.socket_group.as_deref().map(group_id).transpose()?,
                max_subscribers: args.max_subscribers.into(),
                max_per_user: args.max_subscribers_per_user.into(),
            };
            let queue_len = args.subscriber_queue as usize;
            Some(Fanout::listen(path, queue_len, access).map_err(|err| err.to_string())?)
        }
        None => None,
    };
    let trails = match TrailWriter::open(settings.trail_config(args)) {
        Ok(trails) => trails,
        Err(err) => {
            if let Some(fanout) = fanout {
                fanout.close(Duration::ZERO);
            }
            return Err(err.to_string());
        }
    };
    for recovered in trails.recovered() {
        eprintln!(
            "lxbsmd: recovered a trail left open as {}: {} bytes kept, {} cut off",
            recovered.path.display(),
            recovered.kept,
            recovered.cut
        );
    }
    let mut daemon = Daemon {
        trails,
        fanout,
        device: None,
        args,
        dropped_in_spell: 0,
        unpublished: Vec::new(),
        stopped_waiting: false,
        halt_on_failure: settings.control.policy_or_default().halt_on_failure,
    };
    let recovered: Vec<PathBuf> = daemon
        .trails
        .recovered()
        .iter()
        .map(|recovered| recovered.path.clone())
        .collect();
    for path in &recovered {
        daemon.write_own(DaemonEvent::Recovery {
            recovered: Some(path),
        })?;
    }
    // The device is set only now that its records have somewhere to go:
    // under a blocking policy, audited tasks would wait for a reader that
    // never comes.
    if let Some(device) = source.device() {
        let configured = settings
            .configure(device, args.queue_limit)
            .and_then(|()| device.try_clone().map_err(|err| err.to_string()));
        match configured {
            Ok(handle) => daemon.device = Some(handle),
            Err(err) => {
                if let Err(shut_down) = daemon.shut_down() {
                    eprintln!("lxbsmd: {shut_down}");
                }
                return Err(err);
            }
        }
    }
    daemon.write_own(DaemonEvent::Startup)?;

    let reader = source.start(&STOP).map_err(|err| err.to_string());
    let outcome = match &reader {
        Ok(reader) => daemon.pump(reader),
        Err(err) => Err(err.clone()),
    };
    // After a failure the reader may still be waiting for input: stop it.
    STOP.store(true, Ordering::Relaxed);
    let source_outcome = reader.map(SourceReader::finish);
    let unwritten = daemon.stopped_waiting.then_some(daemon.dropped_in_spell);
    let shut_down = daemon.shut_down();
    outcome?;
    shut_down?;
    if let Some(count) = unwritten {
        return Err(format!(
            "{count} records read from the source were not written for lack of space (policy \
             without cnt); their count is in the trail"
        ));
    }
    source_outcome?.map_err(|err| format!("reading {}: {err}", args.source.display()))
}

struct Daemon<'a> {
    trails: TrailWriter,
    fanout: Option<Fanout>,
    /// The lxbsm device, when it is the source.
    device: Option<LxbsmDevice>,
    /// Where the settings come from, for SIGHUP.
    args: &'a Args,
    /// Records dropped for lack of space since the last one written.
    dropped_in_spell: u64,
    /// Records written and not yet published, in trail order.
    unpublished: Vec<Bytes>,
    /// A stop came while a record waited for space (policy without cnt):
    /// the records after it are counted as dropped, not waited for.
    stopped_waiting: bool,
    /// Policy `ahlt`: a record that cannot be written halts the system.
    halt_on_failure: bool,
}

impl Daemon<'_> {
    /// Writes records from the source until it ends (end of input, or the
    /// stop flag), rotating and reloading when asked.
    fn pump(&mut self, reader: &SourceReader) -> Result<(), String> {
        loop {
            if RELOAD.swap(false, Ordering::Relaxed) {
                self.reload();
            }
            if ROTATE.swap(false, Ordering::Relaxed) {
                // A trail that cannot be switched is still a trail to
                // write into: say so and go on.
                match self.trails.rotate() {
                    Ok(closed) => self.after_rotation(&closed),
                    Err(err) => eprintln!(
                        "lxbsmd: cannot rotate: {err}; writing on into {}",
                        self.trails.current_path().display()
                    ),
                }
            }
            match reader.batches.recv_timeout(SIGNAL_CHECK) {
                Ok(batch) => {
                    for record in batch.records() {
                        self.write(record)?;
                    }
                    self.publish()?;
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return Ok(()),
            }
        }
    }

    /// Re-reads the configuration into the device; a file that does not
    /// parse leaves the device as it was, and the daemon running.
    fn reload(&self) {
        let Some(device) = &self.device else {
            return;
        };
        let applied = Settings::load(self.args)
            .map_err(|err| err.to_string())
            .and_then(|settings| settings.configure(device, self.args.queue_limit));
        if let Err(err) = applied {
            eprintln!("lxbsmd: reload: {err}");
        }
    }

    /// Writes one record, to be published unless the minfree rule dropped
    /// it (policy cnt); the first one written after drops is followed by a
    /// drop notice (trying the notice only once space is back keeps it out
    /// of the drop count). Without cnt, a record that finds no space waits.
    fn write(&mut self, record: Bytes) -> Result<(), String> {
        match self.write_whole(&record)? {
            None => {
                self.unpublished.push(record);
                if self.dropped_in_spell > 0 {
                    self.write_drop_notice()?;
                }
            }
            Some(reason) => {
                if self.dropped_in_spell == 0 && !self.stopped_waiting {
                    let dir = self.trails.dir().display();
                    match reason {
                        DropReason::LowSpace { free_percent } => eprintln!(
                            "lxbsmd: {dir} has {free_percent:.1}% free, below minfree; dropping \
                             records until there is space (policy cnt)"
                        ),
                        DropReason::NoSpace => eprintln!(
                            "lxbsmd: {dir} is full; dropping records until there is space (policy cnt)"
                        ),
                    }
                }
                self.dropped_in_spell += 1;
            }
        }
        Ok(())
    }

    /// Reports the records dropped since the last one written, in the
    /// trail and on stderr; if the notice itself finds no space, the next
    /// record written brings it.
    fn write_drop_notice(&mut self) -> Result<(), String> {
        let notice = fanout::drop_notice(self.dropped_in_spell).map_err(|err| err.to_string())?;
        if self.write_whole(&notice)?.is_none() {
            eprintln!(
                "lxbsmd: space again in {}; {} records were dropped",
                self.trails.dir().display(),
                self.dropped_in_spell
            );
            self.dropped_in_spell = 0;
            self.unpublished.push(Bytes::from(notice));
        }
        Ok(())
    }

    /// Writes one record into the trail: `None` when written, the reason
    /// when dropped.
    fn write_whole(&mut self, record: &[u8]) -> Result<Option<DropReason>, String> {
        if self.stopped_waiting {
            return Ok(Some(DropReason::NoSpace));
        }
        let mut waiting = false;
        loop {
            match self.trails.write_record(record) {
                Ok(outcome) => {
                    if let Some(closed) = &outcome.rotated {
                        self.after_rotation(closed);
                    }
                    if waiting {
                        eprintln!(
                            "lxbsmd: space again in {}; writing",
                            self.trails.dir().display()
                        );
                    }
                    return Ok(outcome.dropped);
                }
                Err(err) if self.halt_on_failure => return Err(self.halt(&err.to_string())),
                Err(err @ (TrailError::LowSpace { .. } | TrailError::NoSpace { .. })) => {
                    if STOP.load(Ordering::Relaxed) {
                        // Stopping: what is left is counted, not waited
                        // for; the shutdown notes the count in the trail.
                        if !self.stopped_waiting {
                            eprintln!(
                                "lxbsmd: stopping while waiting for space ({err}); the records \
                                 not written are counted"
                            );
                            self.stopped_waiting = true;
                        }
                        return Ok(Some(DropReason::NoSpace));
                    }
                    if !waiting {
                        eprintln!("lxbsmd: {err}; waiting for space (policy without cnt)");
                        waiting = true;
                    }
                    std::thread::sleep(SPACE_RETRY);
                }
                Err(err) => return Err(err.to_string()),
            }
        }
    }

    /// Policy `ahlt`, as audit_control(5): notes why in the trail (its
    /// reserve, synced), then halts the system, or runs --halt-command.
    /// Returns the error lxbsmd exits with if it is still running.
    fn halt(&mut self, problem: &str) -> String {
        let notice = records::audit_daemon(DaemonEvent::Halt { reason: problem }, PROGRAM)
            .and_then(|builder| builder.close())
            .map_err(|err| err.to_string());
        let noted = match self.write_accounting(notice) {
            Ok(()) => "noted in the trail".to_owned(),
            Err(err) => format!("not noted in the trail: {err}"),
        };
        eprintln!("lxbsmd: {problem}; halting (policy ahlt), {noted}");
        let halted = match &self.args.halt_command {
            Some(command) => match std::process::Command::new("/bin/sh")
                .args(["-c", command])
                .status()
            {
                Ok(status) if status.success() => "ran the halt command".to_owned(),
                Ok(status) => format!("the halt command failed: {status}"),
                Err(err) => format!("cannot run the halt command: {err}"),
            },
            None => {
                rustix::fs::sync();
                match rustix::system::reboot(rustix::system::RebootCommand::Halt) {
                    Ok(()) => "halted".to_owned(),
                    Err(err) => format!("cannot halt the system: {err}"),
                }
            }
        };
        format!("{problem}: policy ahlt: {halted}")
    }

    /// Says which trail closed and expires old ones. A trail that cannot
    /// be removed is reported, and tried again after the next rotation:
    /// auditing goes on.
    fn after_rotation(&mut self, closed: &Path) {
        eprintln!("lxbsmd: closed {}", closed.display());
        match self.trails.expire() {
            Ok(expiry) => {
                for path in expiry.removed {
                    eprintln!("lxbsmd: expired {}", path.display());
                }
                for err in expiry.failed {
                    eprintln!("lxbsmd: expiry: {err}");
                }
            }
            Err(err) => eprintln!("lxbsmd: expiry: {err}"),
        }
    }

    /// Sends the records written since the last call to the subscribers.
    fn publish(&mut self) -> Result<(), String> {
        let records = self.unpublished.drain(..);
        match &self.fanout {
            Some(fanout) => fanout.publish(records).map_err(|err| err.to_string()),
            None => Ok(()),
        }
    }

    /// Writes one of the daemon's own records about its losses or its end,
    /// into the trail's reserve if need be, and publishes it.
    fn write_accounting(&mut self, record: Result<Vec<u8>, String>) -> Result<(), String> {
        let record = record?;
        self.trails
            .write_accounting_record(&record)
            .map_err(|err| err.to_string())?;
        self.unpublished.push(Bytes::from(record));
        self.publish()
    }

    /// Writes and publishes one of the daemon's own records.
    fn write_own(&mut self, event: DaemonEvent<'_>) -> Result<(), String> {
        let record = records::audit_daemon(event, PROGRAM)
            .and_then(|builder| builder.close())
            .map_err(|err| err.to_string())?;
        self.write(Bytes::from(record))?;
        self.publish()
    }

    /// Writes the shutdown record, closes the trail and the socket, and
    /// logs the device's counters. The trail is closed even when the
    /// shutdown record cannot be written (no space, and stopping).
    fn shut_down(mut self) -> Result<(), String> {
        if self.dropped_in_spell > 0 {
            let dropped = self.dropped_in_spell;
            match self.write_accounting(fanout::drop_notice(dropped).map_err(|e| e.to_string())) {
                Ok(()) => eprintln!(
                    "lxbsmd: shutting down; {dropped} records dropped for lack of space, noted in \
                     the trail"
                ),
                Err(err) => eprintln!(
                    "lxbsmd: {dropped} records dropped for lack of space; the notice is not in \
                     the trail: {err}"
                ),
            }
            self.dropped_in_spell = 0;
        }
        let shutdown_record = self.write_accounting(
            records::audit_daemon(DaemonEvent::Shutdown, PROGRAM)
                .and_then(|builder| builder.close())
                .map_err(|err| err.to_string()),
        );
        if let Err(err) = &shutdown_record {
            eprintln!("lxbsmd: no shutdown record: {err}");
        }
        let stats = self.trails.stats();
        let closed = self.trails.close().map_err(|err| err.to_string());
        if let Ok(closed) = &closed {
            eprintln!(
                "lxbsmd: closed {}; {} records written, {} dropped for lack of space",
                closed.display(),
                stats.records_written,
                stats.records_dropped
            );
        }
        if let Some(fanout) = self.fanout {
            fanout.close(SUBSCRIBER_GRACE);
        }
        if let Some(device) = &self.device {
            match device.stats() {
                Ok(counters) => eprintln!(
                    "lxbsmd: lxbsm device: {} records queued since load, {} dropped, {} loss \
                     notices, {} read",
                    counters.records, counters.drops, counters.loss_notices, counters.read_records
                ),
                Err(err) => eprintln!("lxbsmd: lxbsm device counters: {err}"),
            }
        }
        closed?;
        shutdown_record
    }
}

/// Lowers the nice value by `boost`; without the privilege to, says so and
/// runs at the priority it has.
fn boost_priority(boost: u8) {
    if boost == 0 {
        return;
    }
    // SAFETY: setpriority takes plain integers and has no memory effects;
    // who 0 is the calling thread.
    let result = unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, -libc::c_int::from(boost)) };
    if result != 0 {
        eprintln!(
            "lxbsmd: cannot raise the priority by {boost}: {}",
            std::io::Error::last_os_error()
        );
    }
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
