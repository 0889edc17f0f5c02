//! bsmship: ship BSM trails to a bsmcollectd, every record once.
//!
//! With `--dir`, an auditd-style trail directory is shipped from the
//! position in `--state` (kept there after every acknowledgement), and
//! with `--follow` followed as it grows and rotates until SIGTERM. With
//! files instead, their records are numbered from 0 in the order given;
//! the collector says how many it has and only the rest are sent: name the
//! same files (and more) again to resume.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use bsm_net::follow::{FollowConfig, Spool, WhenFull, follow_dir};
use bsm_net::sender::{SenderConfig, Session};
use bsm_net::tls::{self, TlsFiles};
use clap::Parser;

#[derive(Parser)]
#[command(
    name = "bsmship",
    version,
    about = "Ship BSM audit trails to a bsmcollectd over mutual TLS"
)]
struct Args {
    /// The collector.
    #[arg(long, value_name = "ADDR:PORT")]
    to: SocketAddr,
    /// The name in the collector's certificate.
    #[arg(long, value_name = "NAME")]
    collector_name: String,
    /// The host to ship as (this sender's certificate must name it).
    #[arg(long, value_name = "NAME")]
    host: String,
    /// Connect from this local address.
    #[arg(long, value_name = "ADDR")]
    bind: Option<std::net::IpAddr>,
    /// This sender's certificate chain (PEM).
    #[arg(long, value_name = "FILE")]
    cert: PathBuf,
    /// Its private key (PEM).
    #[arg(long, value_name = "FILE")]
    key: PathBuf,
    /// The CA that signs the collector's certificate (PEM).
    #[arg(long, value_name = "FILE")]
    ca: PathBuf,
    /// An auditd-style trail directory to ship (with --state).
    #[arg(long, value_name = "DIR", conflicts_with = "files", requires = "state")]
    dir: Option<PathBuf>,
    /// Where the shipped position is kept (with --dir).
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// With --dir: keep following the directory until SIGTERM or SIGINT.
    #[arg(long, requires = "dir")]
    follow: bool,
    /// With --follow: the most bytes of trail left unshipped while the
    /// collector is away; past it the oldest are passed over and a loss
    /// record with their count is shipped in their place.
    #[arg(long, value_name = "BYTES", requires = "follow")]
    spool_limit: Option<u64>,
    /// Trail files, in order.
    #[arg(value_name = "FILE", required_unless_present = "dir")]
    files: Vec<PathBuf>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("bsmship: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("bsmship: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), String> {
    let config = SenderConfig {
        collector: args.to,
        collector_name: args.collector_name,
        host: args.host,
        bind: args.bind.map(|ip| SocketAddr::new(ip, 0)),
        tls: tls::client_config(&TlsFiles {
            cert: args.cert,
            key: args.key,
            ca: args.ca,
        })
        .map_err(|err| err.to_string())?,
    };
    if let (Some(dir), Some(state)) = (args.dir, args.state) {
        let spool = args.spool_limit.map(|limit| Spool {
            limit,
            when_full: WhenFull::Drop,
        });
        return follow(config, dir, state, args.follow, spool).await;
    }
    let mut session = Session::connect(&config)
        .await
        .map_err(|err| err.to_string())?;
    let mut number = 0;
    for file in &args.files {
        let trail = std::fs::read(file).map_err(|err| format!("{}: {err}", file.display()))?;
        number = session
            .ship(&trail, number)
            .await
            .map_err(|err| format!("{}: {err}", file.display()))?;
    }
    session.close().await.map_err(|err| err.to_string())?;
    eprintln!("bsmship: {number} records, all acknowledged");
    Ok(())
}

async fn follow(
    config: SenderConfig,
    dir: PathBuf,
    state: PathBuf,
    follow: bool,
    spool: Option<Spool>,
) -> Result<(), String> {
    use tokio::signal::unix::{SignalKind, signal};
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut terminate = signal(SignalKind::terminate()).map_err(|err| err.to_string())?;
    let mut interrupt = signal(SignalKind::interrupt()).map_err(|err| err.to_string())?;
    tokio::spawn(async move {
        tokio::select! {
            _ = terminate.recv() => {}
            _ = interrupt.recv() => {}
        }
        let _ = stop.send(true);
    });
    let config = FollowConfig {
        sender: config,
        dir,
        state,
        poll: std::time::Duration::from_millis(200),
        follow,
        spool,
    };
    let position = follow_dir(&config, stopped)
        .await
        .map_err(|err| err.to_string())?;
    eprintln!(
        "bsmship: {} records shipped and acknowledged in all; at byte {} of the trail started at {}",
        position.next, position.offset, position.trail_start
    );
    Ok(())
}
