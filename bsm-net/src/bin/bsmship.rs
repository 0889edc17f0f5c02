//! bsmship: ship BSM trail files to a bsmcollectd, every record once.
//!
//! The records of the files named are numbered from 0, in the order given;
//! the collector says how many it has, and only the rest are sent, each
//! batch kept until acknowledged. Name the same files (and more) again to
//! resume after a failure.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

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
    /// Trail files, in order.
    #[arg(value_name = "FILE", required = true)]
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
    eprintln!("bsmship: {number} records, all acknowledged");
    Ok(())
}
