//! The daemon lxbsmd itself: from a record source (the lxbsm device, a
//! FIFO, a file, stdin) into trail files and out to live subscribers, with
//! its own records (startup, recovery, drops, shutdown, halt), as the
//! binary `lxbsmd` runs it and the tests run it in process.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::RecvTimeoutError;
use std::time::Duration;

use bsm_format::tables::ClassTable;
use bsm_format::tables::accounts::{AccountNames, HOST_PASSWD};
use bytes::Bytes;

use super::audit_user::{self, AuditUserFile};
use super::config::{ConfigError, ControlFile};
use super::device::{DeviceSettings, LxbsmDevice, Trace};
use super::fanout::{self, Fanout, SocketAccess};
use super::source::{Source, SourcePath, SourceReader};
use crate::records::{self, DaemonEvent};
use crate::{DropReason, LowSpacePolicy, TrailConfig, TrailError, TrailWriter};

/// The program name in the daemon's own records (`lxbsmd::Audit startup`).
const PROGRAM: &str = "lxbsmd";
/// How often the loop looks at the signal flags while the source is idle.
const SIGNAL_CHECK: Duration = Duration::from_millis(100);
/// How long subscribers get to take their queued records at shutdown.
const SUBSCRIBER_GRACE: Duration = Duration::from_secs(2);
/// How often a record that finds no space (policy without cnt) tries again.
const SPACE_RETRY: Duration = Duration::from_secs(1);

/// What the command line says, checked.
#[derive(Debug, Clone)]
pub struct DaemonOptions {
    /// The record source (`-` for stdin).
    pub source: PathBuf,
    /// The trail directory, over the configuration's `dir:`.
    pub dir: Option<PathBuf>,
    /// Use a trail directory others may write to or own.
    pub allow_shared_dir: bool,
    /// Rotation size, over the configuration's `filesz:` (0: no limit).
    pub filesz: Option<u64>,
    /// The live socket.
    pub socket: Option<PathBuf>,
    /// The group that may subscribe too.
    pub socket_group: Option<u32>,
    pub max_subscribers: usize,
    pub max_subscribers_per_user: usize,
    /// Records queued per subscriber.
    pub subscriber_queue: usize,
    /// The audit_control-style file.
    pub config: Option<PathBuf>,
    /// The audit_user file [default: audit_user's DEFAULT_PATH if present].
    pub audit_user: Option<PathBuf>,
    /// The lxbsm device's queue limit in bytes.
    pub queue_limit: Option<u64>,
    /// How much to lower the nice value.
    pub priority_boost: u8,
    /// Policy ahlt: run this instead of halting.
    pub halt_command: Option<String>,
    /// While set, the daemon takes no records from the source (a shipper
    /// whose spool is full sets it): the source, and under the lxbsm
    /// device the kernel's queue policy, hold them back.
    pub hold_back: Option<Arc<AtomicBool>>,
    /// Processes traced through the lxbsm device while the daemon runs.
    pub traces: Vec<Trace>,
}

/// The trail directory the daemon writes: the command line's, the
/// configuration's `dir:`, or the default.
pub fn trail_dir(options: &DaemonOptions) -> Result<PathBuf, String> {
    let settings = Settings::load(options).map_err(|err| err.to_string())?;
    Ok(settings.trail_config(options).dir)
}

/// The requests that come as signals: set from a signal handler (or a
/// test), looked at by the daemon's loop.
#[derive(Debug, Clone, Copy)]
pub struct Signals {
    /// SIGTERM, SIGINT: write what the source holds, close and exit.
    pub stop: &'static AtomicBool,
    /// SIGUSR1 (and SIGHUP): rotate the trail.
    pub rotate: &'static AtomicBool,
    /// SIGHUP: re-apply the configuration to the device.
    pub reload: &'static AtomicBool,
}

/// The configuration files, read.
struct Settings {
    control: ControlFile,
    users: AuditUserFile,
}

impl Settings {
    fn load(options: &DaemonOptions) -> Result<Settings, ConfigError> {
        let control = match &options.config {
            Some(path) => ControlFile::load(path)?,
            None => ControlFile::default(),
        };
        let default_users = Path::new(audit_user::DEFAULT_PATH);
        let users_path = match &options.audit_user {
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
    fn trail_config(&self, options: &DaemonOptions) -> TrailConfig {
        let control = &self.control;
        let mut config = TrailConfig::default();
        if let Some(dir) = options.dir.clone().or(control.dir.clone()) {
            config.dir = dir;
        }
        config.file_size_limit = options
            .filesz
            .or(control.file_size_limit)
            .filter(|limit| *limit > 0);
        config.expire_after = control.expire_after;
        config.allow_shared_dir = options.allow_shared_dir;
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
        let block = device
            .apply(&settings)
            .map_err(|err| format!("the lxbsm device: {err}"))?;
        eprintln!(
            "lxbsmd: lxbsm device preselection applied: flags {:?} (success {:#x}, failure {:#x}), \
             {} per-auid overrides, policy {:#x}, {} block rules ({} added, {} removed)",
            ClassTable::builtin().format_flags(settings.mask),
            settings.mask.success,
            settings.mask.failure,
            settings.overrides.len(),
            settings.policy,
            settings.block.len(),
            block.added,
            block.removed
        );
        Ok(())
    }

    /// Whether the files ask for anything only the lxbsm device can do.
    fn wants_device(&self) -> bool {
        self.control.flags.is_some()
            || self.control.naflags.is_some()
            || !self.users.entries.is_empty()
            || !self.control.block_from.is_empty()
    }
}

/// Runs the daemon until the source ends or `signals.stop` is set.
pub fn run(options: &DaemonOptions, signals: &Signals) -> Result<(), String> {
    let settings = Settings::load(options).map_err(|err| err.to_string())?;
    // Before any thread starts: Linux keeps a nice value per thread, and
    // new threads inherit their creator's.
    boost_priority(options.priority_boost);
    // The source is read only once everything else is ready: a daemon that
    // fails to start takes no records from it.
    let source =
        Source::open(&SourcePath::from_arg(&options.source)).map_err(|err| err.to_string())?;
    if source.device().is_none() && (settings.wants_device() || options.queue_limit.is_some()) {
        eprintln!(
            "lxbsmd: {} is not the lxbsm device: flags, naflags, audit_user and the queue limit \
             are not applied",
            options.source.display()
        );
    }
    if source.device().is_none() && !options.traces.is_empty() {
        return Err(format!(
            "--trace-pid needs the lxbsm device as the source, not {}",
            options.source.display()
        ));
    }
    let fanout = match &options.socket {
        Some(path) => {
            let access = SocketAccess {
                group: options.socket_group,
                max_subscribers: options.max_subscribers,
                max_per_user: options.max_subscribers_per_user,
            };
            let queue_len = options.subscriber_queue;
            Some(Fanout::listen(path, queue_len, access).map_err(|err| err.to_string())?)
        }
        None => None,
    };
    let trails = match TrailWriter::open(settings.trail_config(options)) {
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
        options,
        signals,
        dropped_in_spell: 0,
        unpublished: Vec::new(),
        stopped_waiting: false,
        halt_on_failure: settings.control.policy_or_default().halt_on_failure,
        holding_back: false,
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
            .configure(device, options.queue_limit)
            .and_then(|()| start_traces(device, &options.traces))
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

    let reader = source.start(signals.stop).map_err(|err| err.to_string());
    let outcome = match &reader {
        Ok(reader) => daemon.pump(reader),
        Err(err) => Err(err.clone()),
    };
    // After a failure the reader may still be waiting for input: stop it.
    signals.stop.store(true, Ordering::Relaxed);
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
    source_outcome?.map_err(|err| format!("reading {}: {err}", options.source.display()))
}

struct Daemon<'a> {
    trails: TrailWriter,
    fanout: Option<Fanout>,
    /// The lxbsm device, when it is the source.
    device: Option<LxbsmDevice>,
    /// Where the settings come from, for SIGHUP.
    options: &'a DaemonOptions,
    /// Stop, rotate and reload requests.
    signals: &'a Signals,
    /// Records dropped for lack of space since the last one written.
    dropped_in_spell: u64,
    /// Records written and not yet published, in trail order.
    unpublished: Vec<Bytes>,
    /// A stop came while a record waited for space (policy without cnt):
    /// the records after it are counted as dropped, not waited for.
    stopped_waiting: bool,
    /// Policy `ahlt`: a record that cannot be written halts the system.
    halt_on_failure: bool,
    /// Records are being held back in the source (see `hold_back`).
    holding_back: bool,
}

impl Daemon<'_> {
    /// Writes records from the source until it ends (end of input, or the
    /// stop flag), rotating and reloading when asked.
    fn pump(&mut self, reader: &SourceReader) -> Result<(), String> {
        loop {
            if self.signals.reload.swap(false, Ordering::Relaxed) {
                self.reload();
            }
            if self.signals.rotate.swap(false, Ordering::Relaxed) {
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
            if self.held_back() {
                std::thread::sleep(SIGNAL_CHECK);
                continue;
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

    /// Whether records are to stay in the source for now; never once
    /// stopping, so that the last drain ends.
    fn held_back(&mut self) -> bool {
        let Some(hold_back) = &self.options.hold_back else {
            return false;
        };
        let held = hold_back.load(Ordering::Relaxed) && !self.signals.stop.load(Ordering::Relaxed);
        if held != self.holding_back {
            self.holding_back = held;
            match held {
                true => eprintln!("lxbsmd: the shipping spool is full; records wait in the source"),
                false => eprintln!("lxbsmd: the shipping spool has room; taking records again"),
            }
        }
        held
    }

    /// Re-reads the configuration into the device; a file that does not
    /// parse leaves the device as it was, and the daemon running.
    fn reload(&self) {
        let Some(device) = &self.device else {
            return;
        };
        let applied = Settings::load(self.options)
            .map_err(|err| err.to_string())
            .and_then(|settings| settings.configure(device, self.options.queue_limit));
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
                    if self.signals.stop.load(Ordering::Relaxed) {
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
        let halted = match &self.options.halt_command {
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
            match device.block_denials() {
                Ok(denials) => {
                    for (id, count) in denials {
                        eprintln!("lxbsmd: block rule {id}: {count} denials");
                    }
                }
                Err(err) => eprintln!("lxbsmd: block list counters: {err}"),
            }
        }
        closed?;
        shutdown_record
    }
}

/// Starts the traces asked for, and says so; they end when the device is
/// quiesced at stop.
fn start_traces(device: &LxbsmDevice, traces: &[Trace]) -> Result<(), String> {
    for trace in traces {
        device
            .trace(trace)
            .map_err(|err| format!("--trace-pid {}: {err}", trace.pid))?;
        eprintln!(
            "lxbsmd: tracing the I/O of pid {}{}",
            trace.pid,
            if trace.children {
                " and its descendants"
            } else {
                ""
            }
        );
    }
    Ok(())
}

/// Lowers the nice value by `boost`; without the privilege to, says so and
/// runs at the priority it has.
fn boost_priority(boost: u8) {
    if boost == 0 {
        return;
    }
    // Linux keeps a nice value per thread: this is the calling thread's,
    // which the threads started after it inherit.
    if let Err(err) = rustix::process::setpriority_process(None, -i32::from(boost)) {
        eprintln!("lxbsmd: cannot raise the priority by {boost}: {err}");
    }
}
