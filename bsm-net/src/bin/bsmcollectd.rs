//! bsmcollectd: receive BSM records from allow-listed, mutually
//! authenticated senders (bsmship) into one trail directory per sender.
//!
//! Signals: SIGHUP re-reads the allow-list; SIGTERM and SIGINT stop
//! accepting, let the connections end and close every trail.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use bsm_net::collector::{Collector, CollectorConfig};
use bsm_net::tls::TlsFiles;
use clap::Parser;
use tokio::net::TcpListener;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::watch;

#[derive(Parser)]
#[command(
    name = "bsmcollectd",
    version,
    about = "Receive BSM audit records from allow-listed senders over mutual TLS",
    after_help = "Signals: SIGHUP re-reads the allow-list; SIGTERM/SIGINT stop and close the trails."
)]
struct Args {
    /// Address to listen on (repeat for several, e.g. IPv4 and IPv6).
    #[arg(long, value_name = "ADDR:PORT", default_value = "[::]:7878")]
    listen: Vec<SocketAddr>,
    /// The allow-list: one network (CIDR) or address a line; others are
    /// refused before TLS, and each refusal is recorded.
    #[arg(long, value_name = "FILE")]
    allow: PathBuf,
    /// Where each sender's trails go, as DIR/HOST.
    #[arg(long, value_name = "DIR", default_value = "/var/audit/remote")]
    dir: PathBuf,
    /// The collector's own trail (refusals, notices, analysts' requests).
    #[arg(long, value_name = "DIR", default_value = "/var/audit/collector")]
    own_dir: PathBuf,
    /// The collector's certificate chain (PEM).
    #[arg(long, value_name = "FILE")]
    cert: PathBuf,
    /// Its private key (PEM).
    #[arg(long, value_name = "FILE")]
    key: PathBuf,
    /// The CA that signs the senders' certificates (PEM).
    #[arg(long, value_name = "FILE")]
    ca: PathBuf,
    /// The CA that signs analysts' certificates (PEM): they may list, fetch
    /// and follow the stored trails (`bsmship list|fetch|follow`). It must
    /// not be the senders' CA. Without it, no one may.
    #[arg(long, value_name = "FILE")]
    analyst_ca: Option<PathBuf>,
    /// Note in the collector's trail a sender silent this long (seconds),
    /// and its coming back.
    #[arg(long, value_name = "SECONDS", default_value_t = 90,
          value_parser = clap::value_parser!(u64).range(1..))]
    silence: u64,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("bsmcollectd: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("bsmcollectd: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), String> {
    let collector = Arc::new(
        Collector::new(CollectorConfig {
            allow_list: args.allow,
            dir: args.dir,
            own_dir: args.own_dir,
            tls: TlsFiles {
                cert: args.cert,
                key: args.key,
                ca: args.ca,
            },
            analyst_ca: args.analyst_ca,
            silence: std::time::Duration::from_secs(args.silence),
        })
        .map_err(|err| err.to_string())?,
    );
    let mut hangup = signal(SignalKind::hangup()).map_err(|err| err.to_string())?;
    let mut terminate = signal(SignalKind::terminate()).map_err(|err| err.to_string())?;
    let mut interrupt = signal(SignalKind::interrupt()).map_err(|err| err.to_string())?;
    let (stop, stopped) = watch::channel(false);
    let mut serving = Vec::new();
    for addr in &args.listen {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|err| format!("listening on {addr}: {err}"))?;
        eprintln!("bsmcollectd: listening on {addr}");
        serving.push(tokio::spawn(
            Arc::clone(&collector).serve(listener, stopped.clone()),
        ));
    }
    loop {
        tokio::select! {
            _ = hangup.recv() => match collector.reload() {
                Ok(rules) => eprintln!("bsmcollectd: allow-list reloaded: {rules} rules"),
                Err(err) => eprintln!("bsmcollectd: reload: {err}; the old allow-list stays"),
            },
            _ = terminate.recv() => break,
            _ = interrupt.recv() => break,
        }
    }
    let _ = stop.send(true);
    for task in serving {
        let _ = task.await;
    }
    // Connections still open are ended with the process; what they wrote
    // is synced and acknowledged already.
    let collector = Arc::try_unwrap(collector)
        .map_err(|_| "connections still open at shutdown; their trails stay open".to_owned())?;
    collector.close().map_err(|err| err.to_string())
}
