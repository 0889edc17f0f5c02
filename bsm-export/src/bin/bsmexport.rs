//! bsmexport: BSM audit trails as Parquet files partitioned by host and
//! date, for DuckDB, Spark, Trino and the like. Records are first selected
//! with auditreduce's flags.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use bsm_export::export::{ExportSink, Exporter};
use bsm_export::rows::Naming;
use bsm_export::schema::SCHEMA_VERSION;
use bsm_reader::ReadOptions;
use bsm_reader::accounts::{AccountNames, HOST_PASSWD};
use bsm_reader::cli::{EX_USAGE, parse_args};
use bsm_reader::reduce::{Reduction, name_window, open_inputs};
use bsm_reader::select::SelectionArgs;
use clap::Parser;

#[derive(Parser)]
#[command(
    name = "bsmexport",
    version,
    about = "Export BSM audit trails as Parquet, partitioned by host and date",
    long_about = "Export BSM audit trails (FreeBSD, macOS, Solaris, Linux lxbsm) as Apache Parquet \
                  files for query engines: one row per record (the table is documented in \
                  bsm-export's schema module and the README), in OUT/host=HOST/date=YYYY-MM-DD/\
                  part-N.parquet (UTC dates), zstd-compressed. Records are first selected with \
                  auditreduce's flags. Inputs are files, trail directories or '-' for standard \
                  input; with --collector, each input is a collector's directory whose \
                  subdirectories are hosts (bsmcollectd's /var/audit/remote). A file is renamed \
                  into place only when complete. Damaged regions are reported on standard error \
                  and skipped, every intact record exported, and the exit status is then 1; a \
                  bad option exits 64.",
    after_help = "Examples:\n  bsmexport --out /srv/audit-table --host web1 /var/audit\n  \
                  bsmexport --out /srv/audit-table --query \"select auid, count(*) from audit where event_name = 'AUE_EXECVE' group by 1\"\n  \
                  duckdb -c \"select event_name, count(*) from read_parquet('/srv/audit-table/**/*.parquet', hive_partitioning = true) group by 1\""
)]
struct Cli {
    #[command(flatten)]
    selection: SelectionArgs,

    /// The directory the partitions go under (made if missing).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,

    /// Instead of exporting, run SQL over the table in --out (as `audit`;
    /// host and date from the partitions, a filter on them skipping whole
    /// directories) and print the result, e.g. "select auid, count(*) from
    /// audit where event_name = 'AUE_EXECVE' group by 1".
    #[arg(long, value_name = "SQL", conflicts_with_all = ["files", "host", "collector", "append"])]
    query: Option<String>,

    /// The host the trails came from [default: this host's name].
    #[arg(long, value_name = "NAME", conflicts_with = "collector")]
    host: Option<String>,

    /// Each input is a collector's directory: its subdirectories are the
    /// hosts' trail directories, named by host.
    #[arg(long)]
    collector: bool,

    /// Add to the export in OUT: of each trail (host and path as given
    /// before), only what the files there do not cover yet; a trail now
    /// shorter than that was replaced and is exported whole. Without it, an
    /// OUT that holds an export is refused.
    #[arg(long)]
    append: bool,

    /// The passwd file that names users in auid_name and euid_name.
    #[arg(long, value_name = "FILE", default_value = HOST_PASSWD)]
    passwd: PathBuf,

    /// Trail files or directories ('-' for standard input).
    #[arg(value_name = "FILE")]
    files: Vec<PathBuf>,
}

fn main() -> ExitCode {
    let cli = match parse_args::<Cli>() {
        Ok(cli) => cli,
        Err(status) => return status,
    };
    if let Some(sql) = &cli.query {
        return match bsm_export::query::query(&cli.out, sql) {
            Ok(table) => {
                println!("{table}");
                ExitCode::SUCCESS
            }
            Err(err) => {
                eprintln!("bsmexport: --query: {err}");
                ExitCode::FAILURE
            }
        };
    }
    match run(&cli) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(Failure::Usage(message)) => {
            eprintln!("bsmexport: {message}");
            ExitCode::from(EX_USAGE)
        }
        Err(Failure::Run(message)) => {
            eprintln!("bsmexport: {message}");
            ExitCode::FAILURE
        }
    }
}

enum Failure {
    Usage(String),
    Run(String),
}

/// The (host, input) pairs to read.
fn inputs(cli: &Cli) -> Result<Vec<(String, PathBuf)>, Failure> {
    if !cli.collector {
        let host = cli.host.clone().unwrap_or_else(this_host);
        return Ok(cli
            .files
            .iter()
            .map(|path| (host.clone(), path.clone()))
            .collect());
    }
    let mut inputs = Vec::new();
    for collector in &cli.files {
        let entries = std::fs::read_dir(collector)
            .map_err(|err| Failure::Run(format!("{}: {err}", collector.display())))?;
        let mut hosts: Vec<(String, PathBuf)> = entries
            .filter_map(Result::ok)
            .filter(|entry| entry.file_type().is_ok_and(|kind| kind.is_dir()))
            .map(|entry| {
                (
                    entry.file_name().to_string_lossy().into_owned(),
                    entry.path(),
                )
            })
            .collect();
        hosts.sort();
        inputs.extend(hosts);
    }
    Ok(inputs)
}

/// Whether `out` holds a file of an export.
fn holds_export(out: &Path) -> bool {
    let mut dirs = vec![out.to_owned()];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|ext| ext == "parquet") {
                return true;
            }
        }
    }
    false
}

/// This host's name, as the kernel has it.
fn this_host() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|name| name.trim().to_owned())
        .ok()
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "localhost".to_owned())
}

/// Reads, selects and exports; false if any input was damaged or unreadable.
fn run(cli: &Cli) -> Result<bool, Failure> {
    let (events, _, selector) = cli.selection.selector().map_err(Failure::Usage)?;
    let naming = Naming {
        events: &events,
        users: AccountNames::load(Path::new(&cli.passwd)),
    };
    let inputs = inputs(cli)?;
    let mut exporter =
        Exporter::new(&cli.out, &naming).map_err(|err| Failure::Run(err.to_string()))?;
    if cli.append {
        exporter
            .resume()
            .map_err(|err| Failure::Run(err.to_string()))?;
    } else if holds_export(&cli.out) {
        return Err(Failure::Usage(format!(
            "{} holds an export already: --append adds to it without doubling a row",
            cli.out.display()
        )));
    }
    let parallelism = cli.selection.parallelism();
    let mut intact = true;
    let stdin_only = [(
        cli.host.clone().unwrap_or_else(this_host),
        PathBuf::from("-"),
    )];
    let inputs = if inputs.is_empty() && !cli.collector {
        &stdin_only[..]
    } else {
        &inputs[..]
    };
    for (host, path) in inputs {
        let (readers, opened) = open_inputs(
            "bsmexport",
            std::slice::from_ref(path),
            name_window(selector.criteria()),
            ReadOptions::default(),
        );
        intact &= opened;
        for mut reader in readers {
            exporter.set_origin(host, reader.source());
            let length = std::fs::metadata(reader.source()).map(|m| m.len());
            if exporter.resumes_at() > 0
                && length
                    .as_ref()
                    .is_ok_and(|&len| len < exporter.resumes_at())
            {
                eprintln!(
                    "bsmexport: {}: shorter than the {} bytes exported of it before: replaced, \
                     exported whole",
                    reader.source(),
                    exporter.resumes_at()
                );
                exporter.restart_trail();
            }
            let mut sink = ExportSink(&mut exporter);
            let mut reduction = Reduction::new("bsmexport", Some(&selector), &mut sink);
            reduction
                .read(&mut reader, parallelism)
                .map_err(|err| Failure::Run(err.to_string()))?;
            intact &= reduction
                .finish()
                .map_err(|err| Failure::Run(err.to_string()))?;
        }
    }
    let (exported, skipped) = (exporter.exported(), exporter.skipped());
    let files = exporter
        .close()
        .map_err(|err| Failure::Run(err.to_string()))?;
    eprintln!(
        "bsmexport: {exported} records in {} files under {} (schema version {SCHEMA_VERSION}){}",
        files.len(),
        cli.out.display(),
        if cli.append {
            format!("; {skipped} exported before, skipped")
        } else {
            String::new()
        }
    );
    Ok(intact)
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }
}
