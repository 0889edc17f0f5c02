//! auditreduce's selection flags (and the tables and threads they are read
//! with) as clap arguments, for every tool that
//! selects as auditreduce does (auditreduce, bsmreport) to flatten into its
//! command line.

use std::num::NonZeroUsize;
use std::path::PathBuf;

use bsm_format::tables::{ClassTable, EventTable};
use clap::Args;

use super::{SelectionOptions, Selector, load_tables};
use crate::Parallelism;
use crate::reduce::default_threads;

/// The selection flags; see auditreduce(1).
#[derive(Debug, Clone, Default, Args)]
pub struct SelectionArgs {
    /// Select records of any time (lifts -a, -b and -d).
    #[arg(short = 'A')]
    pub all: bool,

    /// Select records at or after TIME.
    #[arg(short = 'a', value_name = "TIME")]
    pub after: Option<String>,

    /// Select records before TIME.
    #[arg(short = 'b', value_name = "TIME")]
    pub before: Option<String>,

    /// Select records of events in these audit classes (audit_control flags:
    /// lo,+fw,-fr, ...; + success only, - failure only, as the return token says).
    #[arg(short = 'c', value_name = "FLAGS", allow_hyphen_values = true)]
    pub classes: Option<String>,

    /// Select records of one day, YYYYMMDD in local time.
    #[arg(short = 'd', value_name = "DATE", conflicts_with_all = ["after", "before"])]
    pub day: Option<String>,

    /// Select records whose effective user is USER (a name or a number; -1 for 4294967295).
    #[arg(short = 'e', value_name = "USER", allow_hyphen_values = true)]
    pub euid: Option<String>,

    /// Select records whose effective group is GROUP (a name or a number).
    #[arg(short = 'f', value_name = "GROUP", allow_hyphen_values = true)]
    pub egid: Option<String>,

    /// Select records whose real group is GROUP (a name or a number).
    #[arg(short = 'g', value_name = "GROUP", allow_hyphen_values = true)]
    pub rgid: Option<String>,

    /// Select records whose subject is process PID.
    #[arg(short = 'j', value_name = "PID")]
    pub subject_pid: Option<u32>,

    /// Select records of EVENT (an AUE_ name or a number); repeat or separate
    /// with commas for several.
    #[arg(short = 'm', value_name = "EVENT")]
    pub events: Vec<String>,

    // The help is a string, not a doc comment: its brackets are not links.
    #[arg(
        short = 'o',
        value_name = "TYPE=VALUE",
        help = "Select records by object: file=RE[,[~]RE...] (POSIX extended regular \
                expressions; the first that matches a path decides, ~ rejects), msgqid=ID, \
                semid=ID, shmid=ID, pid=PID (a process acted upon), \
                sock=PORT|ADDR|ADDR:PORT|[ADDR6]:PORT (either end of a socket)."
    )]
    pub objects: Vec<String>,

    /// Select records whose real user is USER (a name or a number).
    #[arg(short = 'r', value_name = "USER", allow_hyphen_values = true)]
    pub ruid: Option<String>,

    /// Select records whose audit user is USER (a name or a number; unset
    /// or -1 for the audit id no login set).
    #[arg(short = 'u', value_name = "USER", allow_hyphen_values = true)]
    pub auid: Option<String>,

    /// Select the records the other criteria reject.
    #[arg(short = 'v')]
    pub invert: bool,

    /// Select records whose zone name matches GLOB.
    #[arg(short = 'z', value_name = "GLOB")]
    pub zone: Option<String>,

    /// Event table [default: /etc/security/audit_event if it exists, else
    /// OpenBSM's sample table built in].
    #[arg(long, value_name = "FILE")]
    pub audit_event: Option<PathBuf>,

    /// Class table for -c [default: /etc/security/audit_class if it exists,
    /// else OpenBSM's sample table built in].
    #[arg(long, value_name = "FILE")]
    pub audit_class: Option<PathBuf>,

    /// Threads that select from one mapped input at once [default: the
    /// cores available, at most 8].
    #[arg(long, value_name = "N")]
    pub threads: Option<NonZeroUsize>,
}

impl SelectionArgs {
    /// The tables named (or the host's, or the built-in ones) and the
    /// selector of the flags; an error is a usage error, naming the flag or
    /// the file.
    pub fn selector(&self) -> Result<(EventTable, ClassTable, Selector), String> {
        let (classes, events) =
            load_tables(self.audit_class.as_deref(), self.audit_event.as_deref())?;
        let criteria = self.options().criteria(&events, &classes)?;
        let selector = Selector::new(criteria, &events);
        Ok((events, classes, selector))
    }

    /// The threads `--threads` asks for, one per core by default.
    pub fn parallelism(&self) -> Parallelism {
        Parallelism::new(self.threads.unwrap_or_else(default_threads))
    }

    pub fn options(&self) -> SelectionOptions {
        SelectionOptions {
            all: self.all,
            after: self.after.clone(),
            before: self.before.clone(),
            classes: self.classes.clone(),
            day: self.day.clone(),
            euid: self.euid.clone(),
            egid: self.egid.clone(),
            rgid: self.rgid.clone(),
            subject_pid: self.subject_pid,
            events: self.events.clone(),
            objects: self.objects.clone(),
            ruid: self.ruid.clone(),
            auid: self.auid.clone(),
            invert: self.invert,
            zone: self.zone.clone(),
        }
    }
}
