//! What the command-line tools share: a bad command line exits 64
//! (sysexits(3)'s EX_USAGE, as OpenBSM's auditreduce exits), in praudit,
//! auditreduce and bsmreport alike.

use std::process::ExitCode;

use clap::Parser;

/// sysexits(3)'s EX_USAGE.
pub const EX_USAGE: u8 = 64;

/// The parsed command line; `Err` is the status to exit with after clap
/// has printed what it had to say (help and version exit 0).
pub fn parse_args<P: Parser>() -> Result<P, ExitCode> {
    P::try_parse().map_err(|err| {
        let _ = err.print();
        if err.use_stderr() {
            ExitCode::from(EX_USAGE)
        } else {
            ExitCode::SUCCESS
        }
    })
}
