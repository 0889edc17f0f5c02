//! bsmship: ship BSM trails to a bsmcollectd, every record once.
//!
//! With `--dir`, an auditd-style trail directory is shipped from the
//! position in `--state` (kept there after every acknowledgement), and
//! with `--follow` followed as it grows and rotates until SIGTERM. With
//! files instead, their records are numbered from 0 in the order given;
//! the collector says how many it has and only the rest are sent: name the
//! same files (and more) again to resume.
//!
//! `bsmship list|fetch|follow bsm://COLLECTOR/...` are the analyst's side:
//! what the collector stores, one trail, or a host's live records, on
//! standard output for praudit and auditreduce.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use bsm_net::fetch::{Archive, Identity, RemoteAddress};
use bsm_net::follow::{FollowConfig, Spool, WhenFull, follow_dir};
use bsm_net::sender::{SenderConfig, Session};
use bsm_net::tls::{self, TlsFiles};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "bsmship",
    version,
    about = "Ship BSM audit trails to a bsmcollectd over mutual TLS",
    after_help = "Analysts: bsmship list|fetch|follow bsm://COLLECTOR[:PORT]/... (see bsmship list --help)."
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

/// The analyst's side, as `bsmship list|fetch|follow`.
#[derive(Parser)]
#[command(
    name = "bsmship",
    version,
    about = "Read what a bsmcollectd stores, as an analyst"
)]
struct AnalystArgs {
    #[command(subcommand)]
    command: AnalystCommand,
    #[command(flatten)]
    identity: IdentityArgs,
}

#[derive(Subcommand)]
enum AnalystCommand {
    /// List the stored trails: host, trail, bytes, a line each.
    List {
        #[arg(value_name = "ADDRESS", help = "bsm://COLLECTOR[:PORT][/HOST]")]
        address: String,
    },
    /// Write one stored trail to standard output (or --output).
    Fetch {
        #[arg(value_name = "ADDRESS", help = "bsm://COLLECTOR[:PORT]/HOST/TRAIL")]
        address: String,
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Write a host's records as the collector stores them (its current
    /// trail from the start, then each new record) until interrupted.
    Follow {
        #[arg(value_name = "ADDRESS", help = "bsm://COLLECTOR[:PORT]/HOST")]
        address: String,
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

/// The analyst's certificate; praudit and auditreduce take the same from
/// the environment for bsm:// inputs.
#[derive(clap::Args)]
struct IdentityArgs {
    /// The analyst's certificate chain (PEM), of the analysts' CA.
    #[arg(long, global = true, value_name = "FILE", env = "BSM_NET_CERT")]
    cert: Option<PathBuf>,
    /// Its private key (PEM).
    #[arg(long, global = true, value_name = "FILE", env = "BSM_NET_KEY")]
    key: Option<PathBuf>,
    /// The CA that signs the collector's certificate (PEM).
    #[arg(long, global = true, value_name = "FILE", env = "BSM_NET_CA")]
    ca: Option<PathBuf>,
    /// The analyst's name, as its certificate names it.
    #[arg(long, global = true, value_name = "NAME", env = "BSM_NET_NAME")]
    name: Option<String>,
    /// The name in the collector's certificate, if not the address's.
    #[arg(
        long,
        global = true,
        value_name = "NAME",
        env = "BSM_NET_COLLECTOR_NAME"
    )]
    collector_name: Option<String>,
}

fn main() -> ExitCode {
    let analyst = std::env::args_os().nth(1).is_some_and(|first| {
        ["list", "fetch", "follow"]
            .iter()
            .any(|name| first == *name)
    });
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("bsmship: {err}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = if analyst {
        runtime.block_on(read(AnalystArgs::parse()))
    } else {
        runtime.block_on(run(Args::parse()))
    };
    match outcome {
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

async fn read(args: AnalystArgs) -> Result<(), String> {
    let given = args.identity;
    let missing = |what: &str, var: &str| format!("--{what} (or {var}) is needed");
    let identity = Identity {
        tls: TlsFiles {
            cert: given.cert.ok_or_else(|| missing("cert", "BSM_NET_CERT"))?,
            key: given.key.ok_or_else(|| missing("key", "BSM_NET_KEY"))?,
            ca: given.ca.ok_or_else(|| missing("ca", "BSM_NET_CA"))?,
        },
        name: given.name.ok_or_else(|| missing("name", "BSM_NET_NAME"))?,
        collector_name: given.collector_name,
    };
    let parse = |text: &str| RemoteAddress::parse(text).map_err(|err| err.to_string());
    let connect = |address: &RemoteAddress| {
        let config = identity.config(address);
        async move {
            Archive::connect(&config.map_err(|err| err.to_string())?)
                .await
                .map_err(|err| err.to_string())
        }
    };
    let host_of = |address: &RemoteAddress, text: &str| {
        address
            .host
            .clone()
            .ok_or_else(|| format!("{text}: no host after the collector"))
    };
    match args.command {
        AnalystCommand::List { address: text } => {
            let address = parse(&text)?;
            if address.trail.is_some() {
                return Err(format!("{text}: list takes a host, not a trail"));
            }
            let host = address.host.clone().unwrap_or_default();
            let trails = connect(&address)
                .await?
                .list(&host)
                .await
                .map_err(|err| err.to_string())?;
            let mut out = String::new();
            for trail in trails {
                out.push_str(&format!("{}\t{}\t{}\n", trail.host, trail.name, trail.len));
            }
            print!("{out}");
            Ok(())
        }
        AnalystCommand::Fetch {
            address: text,
            output,
        } => {
            let address = parse(&text)?;
            let host = host_of(&address, &text)?;
            let trail = address.trail.clone().ok_or_else(|| {
                format!("{text}: no trail after the host (bsmship list names them)")
            })?;
            let stream = connect(&address)
                .await?
                .fetch(&host, &trail)
                .await
                .map_err(|err| err.to_string())?;
            write_out(stream, output).await
        }
        AnalystCommand::Follow {
            address: text,
            output,
        } => {
            let address = parse(&text)?;
            let host = host_of(&address, &text)?;
            if address.trail.is_some() {
                return Err(format!("{text}: follow takes a host, not a trail"));
            }
            let stream = connect(&address)
                .await?
                .follow(&host)
                .await
                .map_err(|err| err.to_string())?;
            write_out(stream, output).await
        }
    }
}

/// The stream's bytes to `output`, or to standard output if it is not a
/// terminal (a trail is binary: pipe it into praudit).
async fn write_out(
    mut stream: bsm_net::fetch::TrailStream,
    output: Option<PathBuf>,
) -> Result<(), String> {
    use std::io::{IsTerminal, Write};
    let mut out: Box<dyn Write> = match &output {
        Some(path) => Box::new(
            std::fs::File::create(path).map_err(|err| format!("{}: {err}", path.display()))?,
        ),
        None if std::io::stdout().is_terminal() => {
            return Err(
                "standard output is a terminal: pipe the trail into praudit, or give --output"
                    .to_owned(),
            );
        }
        None => Box::new(std::io::stdout().lock()),
    };
    let named = |err: std::io::Error| match &output {
        Some(path) => format!("{}: {err}", path.display()),
        None => format!("standard output: {err}"),
    };
    while let Some(bytes) = stream.next().await.map_err(|err| err.to_string())? {
        out.write_all(&bytes).map_err(named)?;
        // a follower's reader sees each batch as it comes
        out.flush().map_err(named)?;
    }
    out.flush().map_err(named)
}
