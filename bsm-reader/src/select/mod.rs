//! Which records auditreduce selects: OpenBSM's criteria, read from every
//! token variant.
//!
//! OpenBSM's auditreduce looks only at header32, subject32, process32 and
//! return32, so `_ex` and 64-bit records slip through its filters unseen.
//! Here each criterion reads every form: the header (32/64-bit, `_ex` or
//! not) gives the event and the time, subject and process tokens of any
//! width and address family give the ids, and return32 or return64 the
//! outcome. The rules are OpenBSM's otherwise:
//!
//! - a record is selected when it passes every criterion given;
//! - a criterion on a token's contents needs such a token in the record:
//!   `-u` selects nothing from a record without subject or process token;
//! - `-u`, `-e`, `-f`, `-g`, `-r` must hold for every subject and process
//!   token of the record; `-j` reads the subject's pid, `-o pid=` the
//!   process token's (the process acted upon);
//! - `-o file=` rules apply to every path token, and the first rule whose
//!   regular expression matches a path decides (`~` rejects); a path that
//!   no rule matches rejects the record;
//! - `-o msgqid=`, `semid=`, `shmid=` need an IPC token of that kind with
//!   that id;
//! - `-c` compares the event's classes with the success or the failure
//!   classes, as the return token says; with no return token, with either;
//! - `-A` lifts the time criteria; `-v` selects what the rest rejects.
//!
//! Beyond OpenBSM: `-o sock=` selects records with a socket token whose
//! local or remote end has the given port, address, or both (OpenBSM
//! accepts the option and matches nothing); `-z` takes a glob of zone names.

#[cfg(feature = "cli")]
mod args;
mod objects;
mod options;
mod when;

use bsm_format::tables::{EventTable, Preselection};
use bsm_format::{Error as FormatError, ProcessIds, Record, decode_token, ids, wire};

#[cfg(feature = "cli")]
pub use args::SelectionArgs;
pub use objects::{PathRules, PatternError, SocketEndpoint, ZoneGlob};
pub use options::{HOST_AUDIT_CLASS, SelectionOptions, UNSET_NAME, load_tables, table_path};
pub use when::{TimeError, day_bounds, parse_instant};

/// The selection criteria, one field per option.
#[derive(Debug, Clone, Default)]
pub struct Criteria {
    /// `-A`: every time (the time criteria below are ignored).
    pub all_times: bool,
    /// `-a`: on or after this time, in milliseconds since the epoch.
    pub after: Option<i64>,
    /// `-b`: before this time, in milliseconds since the epoch.
    pub before: Option<i64>,
    /// `-c`: events of these classes, on success or on failure.
    pub classes: Option<Preselection>,
    /// `-m`: one of these events (any event when empty).
    pub events: Vec<u16>,
    /// `-u`
    pub auid: Option<u32>,
    /// `-e`
    pub euid: Option<u32>,
    /// `-f`
    pub egid: Option<u32>,
    /// `-g`
    pub rgid: Option<u32>,
    /// `-r`
    pub ruid: Option<u32>,
    /// `-j`: the subject's process id.
    pub subject_pid: Option<u32>,
    /// `-o pid=`: the id of the process acted upon (a process token).
    pub process_pid: Option<u32>,
    /// `-o msgqid=`
    pub msgqid: Option<u32>,
    /// `-o semid=`
    pub semid: Option<u32>,
    /// `-o shmid=`
    pub shmid: Option<u32>,
    /// `-o file=`
    pub files: Option<PathRules>,
    /// `-o sock=`
    pub socket: Option<SocketEndpoint>,
    /// `-z`
    pub zone: Option<ZoneGlob>,
    /// `-v`: select the records the criteria reject.
    pub invert: bool,
}

impl Criteria {
    /// True when no option was given at all: everything passes, file
    /// tokens included (with any option, even `-A`, only records do).
    pub fn is_unset(&self) -> bool {
        !self.all_times
            && self.after.is_none()
            && self.before.is_none()
            && !self.invert
            && !self.asks_about_events()
            && !self.asks_about_tokens()
    }

    fn asks_about_events(&self) -> bool {
        self.classes.is_some() || !self.events.is_empty()
    }

    fn asks_about_ids(&self) -> bool {
        self.auid.is_some()
            || self.euid.is_some()
            || self.egid.is_some()
            || self.rgid.is_some()
            || self.ruid.is_some()
    }

    fn asks_about_ipc(&self) -> bool {
        self.msgqid.is_some() || self.semid.is_some() || self.shmid.is_some()
    }

    fn asks_about_tokens(&self) -> bool {
        self.asks_about_ids()
            || self.subject_pid.is_some()
            || self.process_pid.is_some()
            || self.asks_about_ipc()
            || self.files.is_some()
            || self.socket.is_some()
            || self.zone.is_some()
    }
}

/// Bits of [`Selector::by_event`].
const EVENT_LISTED: u8 = 1;
const CLASS_ON_SUCCESS: u8 = 2;
const CLASS_ON_FAILURE: u8 = 4;

/// IPC object types of the IPC token.
const IPC_MESSAGE_QUEUE: u8 = 1;
const IPC_SEMAPHORE: u8 = 2;
const IPC_SHARED_MEMORY: u8 = 3;

/// Criteria made ready to test records quickly.
#[derive(Debug)]
pub struct Selector {
    criteria: Criteria,
    /// Per event number: listed by `-m`, in the `-c` classes on success, on
    /// failure. Looked up once per record instead of searching lists.
    by_event: Box<[u8]>,
    /// The token ids the criteria read; the others are stepped over.
    wanted: [bool; 256],
    needs_tokens: bool,
    /// The kinds of token ([`Seen`] bits) a record must hold to be selected.
    required: u16,
}

impl Selector {
    /// `events` gives each event's classes, for `-c`.
    pub fn new(criteria: Criteria, events: &EventTable) -> Self {
        let mut by_event = vec![0u8; usize::from(u16::MAX) + 1].into_boxed_slice();
        for &event in &criteria.events {
            by_event[usize::from(event)] |= EVENT_LISTED;
        }
        if let Some(classes) = criteria.classes {
            for event in events.iter() {
                let bits = &mut by_event[usize::from(event.number)];
                if classes.matches(event.mask, true) {
                    *bits |= CLASS_ON_SUCCESS;
                }
                if classes.matches(event.mask, false) {
                    *bits |= CLASS_ON_FAILURE;
                }
            }
        }
        let mut wanted = [false; 256];
        let mut want = |list: &[u8]| list.iter().for_each(|&id| wanted[usize::from(id)] = true);
        if criteria.asks_about_ids() || criteria.subject_pid.is_some() {
            want(&[
                ids::SUBJECT32,
                ids::SUBJECT64,
                ids::SUBJECT32_EX,
                ids::SUBJECT64_EX,
            ]);
        }
        if criteria.asks_about_ids() || criteria.process_pid.is_some() {
            want(&[
                ids::PROCESS32,
                ids::PROCESS64,
                ids::PROCESS32_EX,
                ids::PROCESS64_EX,
            ]);
        }
        if criteria.classes.is_some() {
            want(&[ids::RETURN32, ids::RETURN64]);
        }
        if criteria.asks_about_ipc() {
            want(&[ids::IPC]);
        }
        if criteria.files.is_some() {
            want(&[ids::PATH]);
        }
        if criteria.zone.is_some() {
            want(&[ids::ZONE]);
        }
        if criteria.socket.is_some() {
            want(&[
                ids::SOCKET,
                ids::SOCKET_EX,
                ids::SOCK_INET32,
                ids::SOCK_INET128,
            ]);
        }
        let mut required = 0;
        for (asked, kind) in [
            (criteria.subject_pid.is_some(), Seen::SUBJECT),
            (criteria.process_pid.is_some(), Seen::PROCESS),
            (criteria.msgqid.is_some(), Seen::MESSAGE_QUEUE),
            (criteria.semid.is_some(), Seen::SEMAPHORE),
            (criteria.shmid.is_some(), Seen::SHARED_MEMORY),
            (criteria.files.is_some(), Seen::PATH),
            (criteria.zone.is_some(), Seen::ZONE),
            (criteria.socket.is_some(), Seen::SOCKET),
        ] {
            if asked {
                required |= kind;
            }
        }
        Selector {
            needs_tokens: wanted.contains(&true),
            required,
            criteria,
            by_event,
            wanted,
        }
    }

    pub fn criteria(&self) -> &Criteria {
        &self.criteria
    }

    /// Whether `record` is selected (after `-v`). A token that does not
    /// decode, where the criteria need to read on, is an error: the record
    /// can be neither selected nor rejected.
    pub fn selects(&self, record: &Record<'_>) -> Result<bool, FormatError> {
        Ok(self.matches(record)? != self.criteria.invert)
    }

    fn matches(&self, record: &Record<'_>) -> Result<bool, FormatError> {
        let criteria = &self.criteria;
        if !criteria.all_times && (criteria.after.is_some() || criteria.before.is_some()) {
            let header = record.header();
            let time = i64::try_from(header.seconds)
                .unwrap_or(i64::MAX)
                .saturating_mul(1000)
                .saturating_add(i64::try_from(header.milliseconds).unwrap_or(i64::MAX));
            if criteria.after.is_some_and(|after| time < after)
                || criteria.before.is_some_and(|before| time >= before)
            {
                return Ok(false);
            }
        }
        let event_bits = self.by_event[usize::from(record.event())];
        if !criteria.events.is_empty() && event_bits & EVENT_LISTED == 0 {
            return Ok(false);
        }
        if !self.needs_tokens {
            return Ok(criteria.classes.is_none()
                || event_bits & (CLASS_ON_SUCCESS | CLASS_ON_FAILURE) != 0);
        }
        let mut seen = Seen::default();
        for token in record.token_bytes() {
            let token = token?;
            if self.wanted[usize::from(token[0])] && !self.token_passes(token, &mut seen)? {
                return Ok(false);
            }
        }
        let class_bits = match seen.success {
            Some(true) => CLASS_ON_SUCCESS,
            Some(false) => CLASS_ON_FAILURE,
            None => CLASS_ON_SUCCESS | CLASS_ON_FAILURE,
        };
        Ok((criteria.classes.is_none() || event_bits & class_bits != 0)
            && seen.kinds & self.required == self.required
            // The id criteria read subjects and processes alike.
            && (!criteria.asks_about_ids() || seen.kinds & (Seen::SUBJECT | Seen::PROCESS) != 0))
    }

    /// Checks one wanted token (its bytes, id first) and notes what it
    /// showed; false rejects the record. The fields read sit at the same
    /// offsets in every form of a token, so most are read in place.
    #[inline(never)]
    fn token_passes(&self, token: &[u8], seen: &mut Seen) -> Result<bool, FormatError> {
        let criteria = &self.criteria;
        Ok(match token[0] {
            ids::SUBJECT32 | ids::SUBJECT64 | ids::SUBJECT32_EX | ids::SUBJECT64_EX => {
                seen.kinds |= Seen::SUBJECT;
                wire::process_ids(token).is_some_and(|ids| {
                    self.ids_pass(&ids) && criteria.subject_pid.is_none_or(|pid| ids.pid == pid)
                })
            }
            ids::PROCESS32 | ids::PROCESS64 | ids::PROCESS32_EX | ids::PROCESS64_EX => {
                seen.kinds |= Seen::PROCESS;
                wire::process_ids(token).is_some_and(|ids| {
                    self.ids_pass(&ids) && criteria.process_pid.is_none_or(|pid| ids.pid == pid)
                })
            }
            ids::RETURN32 | ids::RETURN64 => {
                seen.success
                    .get_or_insert(wire::return_status(token) == Some(0));
                true
            }
            ids::IPC => {
                let (kind, id) = wire::ipc_object(token).unwrap_or_default();
                let (wanted, kind) = match kind {
                    IPC_MESSAGE_QUEUE => (criteria.msgqid, Seen::MESSAGE_QUEUE),
                    IPC_SEMAPHORE => (criteria.semid, Seen::SEMAPHORE),
                    IPC_SHARED_MEMORY => (criteria.shmid, Seen::SHARED_MEMORY),
                    // An IPC object of no known kind matches no IPC criterion.
                    _ => return Ok(!criteria.asks_about_ipc()),
                };
                seen.kinds |= kind;
                wanted.is_none_or(|wanted| id == wanted)
            }
            ids::PATH => {
                seen.kinds |= Seen::PATH;
                criteria
                    .files
                    .as_ref()
                    .is_none_or(|rules| rules.accepts(wire::counted_text(token).bytes()))
            }
            ids::ZONE => {
                seen.kinds |= Seen::ZONE;
                criteria
                    .zone
                    .as_ref()
                    .is_none_or(|glob| glob.matches(wire::counted_text(token).bytes()))
            }
            _ => {
                if let Some(endpoint) = &criteria.socket
                    && endpoint.matches_token(&decode_token(token)?.0)
                {
                    seen.kinds |= Seen::SOCKET;
                }
                true
            }
        })
    }

    /// The id criteria against a subject's or process's ids.
    fn ids_pass(&self, ids: &ProcessIds) -> bool {
        let criteria = &self.criteria;
        criteria.auid.is_none_or(|wanted| ids.auid == wanted)
            && criteria.euid.is_none_or(|wanted| ids.euid == wanted)
            && criteria.egid.is_none_or(|wanted| ids.egid == wanted)
            && criteria.ruid.is_none_or(|wanted| ids.ruid == wanted)
            && criteria.rgid.is_none_or(|wanted| ids.rgid == wanted)
    }
}

/// What a record's wanted tokens showed.
#[derive(Debug, Default)]
struct Seen {
    /// The kinds of token met (the constants below).
    kinds: u16,
    /// The first return token's outcome.
    success: Option<bool>,
}

impl Seen {
    const SUBJECT: u16 = 1;
    const PROCESS: u16 = 1 << 1;
    const MESSAGE_QUEUE: u16 = 1 << 2;
    const SEMAPHORE: u16 = 1 << 3;
    const SHARED_MEMORY: u16 = 1 << 4;
    const PATH: u16 = 1 << 5;
    const ZONE: u16 = 1 << 6;
    const SOCKET: u16 = 1 << 7;
}
