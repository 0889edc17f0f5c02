//! `--ship`: every record lxbsmd writes leaves the host as it is written,
//! to a bsmcollectd. bsm-net's sender follows lxbsmd's own trail directory
//! on a thread of its own, so that the trail is the spool: what the
//! collector has not acknowledged is on disk, and a restart of either side
//! resumes from the position kept in the state file.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::thread::JoinHandle;
use std::time::Duration;

use bsm_net::follow::{FollowConfig, Position, Spool, WhenFull, follow_dir};
use bsm_net::sender::SenderConfig;
use bsm_net::tls::{self, TlsFiles};
use tokio::sync::watch;

/// How often the trail directory is looked at for new records.
const POLL: Duration = Duration::from_millis(100);

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum WhenSpoolFull {
    /// Take no more records from the source until the collector has caught
    /// up (the lxbsm device's queue policy then applies).
    Block,
    /// Ship on, passing over the oldest unshipped records (they stay in the
    /// local trail); a loss record with their count is shipped instead.
    Drop,
}

#[derive(Debug, clap::Args)]
pub struct ShipArgs {
    /// Ship every record to this bsmcollectd as it is written, over mutual
    /// TLS 1.3 (with --ship-cert, --ship-key, --ship-ca).
    #[arg(long, value_name = "ADDR:PORT")]
    ship: Option<SocketAddr>,
    /// The name in the collector's certificate [default: the address].
    #[arg(long, value_name = "NAME", requires = "ship")]
    ship_collector_name: Option<String>,
    /// The host to ship as; the certificate must name it [default: the
    /// host name].
    #[arg(long, value_name = "NAME", requires = "ship")]
    ship_host: Option<String>,
    /// This host's certificate chain (PEM).
    #[arg(long, value_name = "FILE", requires = "ship")]
    ship_cert: Option<PathBuf>,
    /// Its private key (PEM).
    #[arg(long, value_name = "FILE", requires = "ship")]
    ship_key: Option<PathBuf>,
    /// The CA that signs the collector's certificate (PEM).
    #[arg(long, value_name = "FILE", requires = "ship")]
    ship_ca: Option<PathBuf>,
    /// Where the acknowledged position is kept [default: .bsmship-state in
    /// the trail directory].
    #[arg(long, value_name = "FILE", requires = "ship")]
    ship_state: Option<PathBuf>,
    /// The most bytes of trail left unacknowledged while the collector is
    /// away or slow.
    #[arg(long, value_name = "BYTES", default_value_t = 1 << 30)]
    ship_spool: u64,
    /// What a full spool does.
    #[arg(long, value_enum, default_value_t = WhenSpoolFull::Drop)]
    ship_when_full: WhenSpoolFull,
}

/// The shipping thread, running.
pub struct Shipper {
    stop: watch::Sender<bool>,
    thread: JoinHandle<Result<Position, String>>,
}

impl ShipArgs {
    /// The flag lxbsmd holds records back by, when a full spool blocks.
    pub fn hold_back(&self) -> Option<Arc<AtomicBool>> {
        (self.ship.is_some() && self.ship_when_full == WhenSpoolFull::Block)
            .then(|| Arc::new(AtomicBool::new(false)))
    }

    /// Starts shipping `dir` when `--ship` is given.
    pub fn start(
        &self,
        dir: &Path,
        hold_back: Option<Arc<AtomicBool>>,
    ) -> Result<Option<Shipper>, String> {
        let Some(collector) = self.ship else {
            return Ok(None);
        };
        let required = |file: &Option<PathBuf>, option: &str| {
            file.clone().ok_or_else(|| format!("--ship needs {option}"))
        };
        let files = TlsFiles {
            cert: required(&self.ship_cert, "--ship-cert")?,
            key: required(&self.ship_key, "--ship-key")?,
            ca: required(&self.ship_ca, "--ship-ca")?,
        };
        let host = match &self.ship_host {
            Some(host) => host.clone(),
            None => std::fs::read_to_string("/proc/sys/kernel/hostname")
                .map(|name| name.trim().to_owned())
                .map_err(|err| format!("the host name (give --ship-host): {err}"))?,
        };
        let when_full = match &hold_back {
            Some(flag) => WhenFull::Block(Arc::clone(flag)),
            None => WhenFull::Drop,
        };
        let config = FollowConfig {
            sender: SenderConfig {
                collector,
                collector_name: self
                    .ship_collector_name
                    .clone()
                    .unwrap_or_else(|| collector.ip().to_string()),
                host,
                bind: None,
                tls: tls::client_config(&files).map_err(|err| err.to_string())?,
            },
            dir: dir.to_path_buf(),
            state: self
                .ship_state
                .clone()
                .unwrap_or_else(|| dir.join(".bsmship-state")),
            poll: POLL,
            follow: true,
            spool: Some(Spool {
                limit: self.ship_spool,
                when_full,
            }),
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|err| format!("the shipping runtime: {err}"))?;
        let (stop, stopped) = watch::channel(false);
        let thread = std::thread::Builder::new()
            .name("ship".to_owned())
            .spawn(move || {
                let shipped = runtime.block_on(follow_dir(&config, stopped));
                // Said at once: lxbsmd writes on, and says it again at exit.
                shipped.map_err(|err| {
                    eprintln!("lxbsmd: shipping stopped: {err}");
                    err.to_string()
                })
            })
            .map_err(|err| format!("the shipping thread: {err}"))?;
        Ok(Some(Shipper { stop, thread }))
    }
}

impl Shipper {
    /// Ships what the trails hold if the collector is there, and ends.
    pub fn finish(self) -> Result<(), String> {
        let _ = self.stop.send(true);
        let position = self
            .thread
            .join()
            .map_err(|_| "the shipping thread panicked".to_owned())??;
        eprintln!(
            "lxbsmd: {} records shipped and acknowledged in all",
            position.next
        );
        Ok(())
    }
}
