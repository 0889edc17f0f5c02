//! lxbsmd: reads BSM records from a source (the lxbsm kernel device, a FIFO,
//! a file or stdin), keeps them in trail files as OpenBSM's auditd does, and
//! fans them out live to subscribers on a Unix socket.
//!
//! Signals: SIGTERM and SIGINT write what the source already holds, close
//! and rename the trail, and exit 0; SIGHUP and SIGUSR1 rotate the trail
//! (as auditd's `audit -n`). End of input (stdin, a regular file) shuts
//! down as SIGTERM does; a FIFO never ends, whatever its writers do.

use bsm_writer::daemon::config::{ConfigError, ControlFile};
use bsm_writer::daemon::fanout::Fanout;
use bsm_writer::daemon::source::{SourcePath, SourceReader};
use bsm_writer::records::{self, DaemonEvent};
use bsm_writer::{LowSpacePolicy, TrailConfig, TrailError, TrailWriter, control};
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

/// Set by SIGTERM and SIGINT.
static STOP: AtomicBool = AtomicBool::new(false);
/// Set by SIGHUP and SIGUSR1.
static ROTATE: AtomicBool = AtomicBool::new(false);

#[derive(Debug, Parser)]
#[command(
    name = "lxbsmd",
    version,
    about = "Keep BSM audit trails from a record source and fan records out to live subscribers",
    after_help = "Signals: SIGTERM/SIGINT close and rename the trail and exit; SIGHUP/SIGUSR1 rotate."
)]
struct Args {
    /// Where records come from: a FIFO, a character device such as
    /// /dev/lxbsm, a regular file, or - for stdin.
    #[arg(long, value_name = "PATH|-")]
    source: PathBuf,
    /// The trail directory [default: the config's dir:, else /var/audit].
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
    /// Rotate trails at this size, as audit_control's filesz (e.g. 2M; 0 is
    /// no limit).
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    filesz: Option<u64>,
    /// A Unix stream socket on which live subscribers get every record.
    #[arg(long, value_name = "PATH")]
    socket: Option<PathBuf>,
    /// An audit_control-style file (dir, filesz, expire-after, flags,
    /// naflags, policy, minfree); command-line options override it.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Records queued for each subscriber; a subscriber that falls further
    /// behind loses records, with a drop notice giving the count.
    #[arg(long, value_name = "RECORDS", default_value_t = 4096)]
    subscriber_queue: usize,
}

fn parse_size(value: &str) -> Result<u64, String> {
    control::parse_size(value).map_err(|err| err.to_string())
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

/// The trail configuration: the config file's values, overridden by the
/// command line.
fn trail_config(args: &Args) -> Result<TrailConfig, ConfigError> {
    let control = match &args.config {
        Some(path) => ControlFile::load(path)?,
        None => ControlFile::default(),
    };
    let mut config = TrailConfig::default();
    if let Some(dir) = args.dir.clone().or(control.dir) {
        config.dir = dir;
    }
    config.file_size_limit = args
        .filesz
        .or(control.file_size_limit)
        .filter(|limit| *limit > 0);
    config.expire_after = control.expire_after;
    config.min_free_percent = control.min_free_percent.unwrap_or(0);
    // audit_control's cnt: go on without the records that do not fit.
    if control
        .policy
        .is_some_and(|policy| policy.continue_on_failure)
    {
        config.low_space = LowSpacePolicy::Drop;
    }
    Ok(config)
}

fn run(args: &Args) -> Result<(), String> {
    let config = trail_config(args).map_err(|err| err.to_string())?;
    install_signal_handlers()?;
    // The source and the socket first: a daemon that cannot read or serve
    // leaves no trail behind.
    let reader = SourceReader::spawn(&SourcePath::from_arg(&args.source), &STOP)
        .map_err(|err| err.to_string())?;
    let fanout = match &args.socket {
        Some(path) => {
            Some(Fanout::listen(path, args.subscriber_queue).map_err(|err| err.to_string())?)
        }
        None => None,
    };
    let trails = match TrailWriter::open(config) {
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
    let mut daemon = Daemon { trails, fanout };
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
    daemon.write_own(DaemonEvent::Startup)?;

    let outcome = daemon.pump(&reader);
    // After a failure the reader may still be waiting for input: stop it.
    STOP.store(true, Ordering::Relaxed);
    let source_outcome = reader.finish();
    daemon.shut_down()?;
    outcome?;
    source_outcome.map_err(|err| format!("reading {}: {err}", args.source.display()))
}

struct Daemon {
    trails: TrailWriter,
    fanout: Option<Fanout>,
}

impl Daemon {
    /// Writes records from the source until it ends (end of input, or the
    /// stop flag), rotating when asked.
    fn pump(&mut self, reader: &SourceReader) -> Result<(), String> {
        let mut written = Vec::new();
        loop {
            if ROTATE.swap(false, Ordering::Relaxed) {
                let closed = self.trails.rotate().map_err(|err| err.to_string())?;
                self.after_rotation(&closed)?;
            }
            match reader.batches.recv_timeout(SIGNAL_CHECK) {
                Ok(batch) => {
                    written.clear();
                    for record in batch.records() {
                        if self.write(&record)? {
                            written.push(record);
                        }
                    }
                    self.publish(written.drain(..))?;
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return Ok(()),
            }
        }
    }

    /// Writes one record; false when the minfree rule dropped it (policy
    /// cnt). Without cnt, a record that finds no space waits for space.
    fn write(&mut self, record: &[u8]) -> Result<bool, String> {
        let mut waiting = false;
        loop {
            match self.trails.write_record(record) {
                Ok(outcome) => {
                    if let Some(closed) = &outcome.rotated {
                        self.after_rotation(closed)?;
                    }
                    if waiting {
                        eprintln!(
                            "lxbsmd: space again in {}; writing",
                            self.trails.dir().display()
                        );
                    }
                    return Ok(outcome.dropped.is_none());
                }
                Err(err @ (TrailError::LowSpace { .. } | TrailError::NoSpace { .. })) => {
                    if STOP.load(Ordering::Relaxed) {
                        return Err(format!("stopped while waiting for space: {err}"));
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

    fn after_rotation(&mut self, closed: &Path) -> Result<(), String> {
        eprintln!("lxbsmd: closed {}", closed.display());
        for expired in self.trails.expire().map_err(|err| err.to_string())? {
            eprintln!("lxbsmd: expired {}", expired.display());
        }
        Ok(())
    }

    fn publish(&self, records: impl IntoIterator<Item = Bytes>) -> Result<(), String> {
        match &self.fanout {
            Some(fanout) => fanout.publish(records).map_err(|err| err.to_string()),
            None => Ok(()),
        }
    }

    /// Writes and publishes one of the daemon's own records.
    fn write_own(&mut self, event: DaemonEvent<'_>) -> Result<(), String> {
        let record = records::audit_daemon(event, PROGRAM)
            .and_then(|builder| builder.close())
            .map_err(|err| err.to_string())?;
        if self.write(&record)? {
            self.publish([Bytes::from(record)])?;
        }
        Ok(())
    }

    /// Writes the shutdown record, closes the trail and the socket.
    fn shut_down(mut self) -> Result<(), String> {
        self.write_own(DaemonEvent::Shutdown)?;
        let stats = self.trails.stats();
        let closed = self.trails.close().map_err(|err| err.to_string())?;
        eprintln!(
            "lxbsmd: closed {}; {} records written, {} dropped for lack of space",
            closed.display(),
            stats.records_written,
            stats.records_dropped
        );
        if let Some(fanout) = self.fanout {
            fanout.close(SUBSCRIBER_GRACE);
        }
        Ok(())
    }
}

extern "C" fn on_signal(signal: libc::c_int) {
    // Only atomic stores here: they are async-signal-safe.
    match signal {
        libc::SIGHUP | libc::SIGUSR1 => ROTATE.store(true, Ordering::Relaxed),
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
