//! lxbsm-submit: makes one BSM record for the calling process (subject,
//! text tokens, return) and puts it into the lxbsm kernel device's stream,
//! as an application would with BSD's audit(2) (for scripts, PAM `exec`
//! hooks and daemons without a BSM library). Needs CAP_AUDIT_WRITE.
//!
//! ```text
//! lxbsm-submit --event AUE_su --text "su to root" --errno 13
//! lxbsm-submit --event 32800 --text "login from 192.0.2.7" --print | praudit
//! ```

use bsm_format::tables::EventTable;
use bsm_writer::records::{self, Outcome, Subject};
use bsm_writer::submit;
use clap::Parser;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(version, about = "Submit one BSM record to the lxbsm kernel device")]
struct Args {
    /// The event: an AUE_* name of the event table, or a number.
    #[arg(long, value_parser = parse_event)]
    event: u16,
    /// A text token; repeat for more, in order.
    #[arg(long)]
    text: Vec<String>,
    /// A failure with this Linux errno (default: success).
    #[arg(long, conflicts_with = "value")]
    errno: Option<i32>,
    /// The success's return value.
    #[arg(long, default_value_t = 0)]
    value: u32,
    /// The device to write to.
    #[arg(long, default_value = submit::DEVICE)]
    device: PathBuf,
    /// Write the record to stdout instead of the device.
    #[arg(long)]
    print: bool,
}

fn parse_event(text: &str) -> Result<u16, String> {
    if let Ok(number) = text.parse::<u16>() {
        return Ok(number);
    }
    EventTable::builtin()
        .by_name(text)
        .map(|event| event.number)
        .ok_or_else(|| format!("{text:?} is neither an event number nor in the event table"))
}

fn main() -> ExitCode {
    let args = Args::parse();
    let outcome = match args.errno {
        Some(linux_errno) => Outcome::Failure { linux_errno },
        None => Outcome::Success { value: args.value },
    };
    let texts: Vec<&str> = args.text.iter().map(String::as_str).collect();
    let record = Subject::current()
        .and_then(|subject| records::application(args.event, &subject, &texts, outcome))
        .and_then(|builder| builder.close());
    let record = match record {
        Ok(record) => record,
        Err(err) => {
            eprintln!("lxbsm-submit: {err}");
            return ExitCode::FAILURE;
        }
    };
    let result = if args.print {
        std::io::stdout()
            .write_all(&record)
            .map_err(|err| format!("stdout: {err}"))
    } else {
        submit::submit(&args.device, &record).map_err(|err| err.to_string())
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("lxbsm-submit: {err}");
            ExitCode::FAILURE
        }
    }
}
