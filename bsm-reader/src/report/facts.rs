//! What the reports read from a record, in one pass over its tokens: who,
//! when, the outcome, the files, the program run and the remote ends.

use std::net::IpAddr;

use bsm_format::{Error as FormatError, Record, ReturnView, SubjectView, Token, ids};

/// Which facts a report reads from a record: only their tokens are decoded,
/// the others stepped over by their length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wants(u8);

impl Wants {
    pub const SUBJECT: Wants = Wants(1);
    pub const OUTCOME: Wants = Wants(2);
    pub const PATHS: Wants = Wants(4);
    pub const EXEC_ARGS: Wants = Wants(8);
    pub const FD: Wants = Wants(16);
    pub const REMOTE: Wants = Wants(32);

    pub const fn and(self, other: Wants) -> Wants {
        Wants(self.0 | other.0)
    }

    const fn has(self, other: Wants) -> bool {
        self.0 & other.0 != 0
    }

    /// Whether tokens of `id` hold a wanted fact.
    fn token(self, id: u8) -> bool {
        match id {
            ids::SUBJECT32 | ids::SUBJECT64 | ids::SUBJECT32_EX | ids::SUBJECT64_EX => {
                self.has(Wants::SUBJECT)
            }
            ids::RETURN32 | ids::RETURN64 => self.has(Wants::OUTCOME),
            ids::PATH => self.has(Wants::PATHS),
            ids::EXEC_ARGS => self.has(Wants::EXEC_ARGS),
            ids::ARG32 | ids::ARG64 => self.has(Wants::FD),
            ids::SOCKET | ids::SOCKET_EX | ids::SOCK_INET32 | ids::SOCK_INET128 => {
                self.has(Wants::REMOTE)
            }
            _ => false,
        }
    }
}

/// A record's facts, borrowing its paths.
#[derive(Debug, Clone, Default)]
pub struct Facts<'a> {
    pub event: u16,
    /// Milliseconds since the epoch.
    pub time_ms: Option<i64>,
    pub subject: Option<SubjectView>,
    pub outcome: Option<ReturnView>,
    /// The path tokens, in order.
    pub paths: Vec<&'a [u8]>,
    /// The exec args token's strings: how many, and the first.
    pub exec_args: Option<(u32, &'a [u8])>,
    /// The argument token called "fd" (the file descriptor acted on).
    pub fd: Option<u64>,
    /// Remote addresses: the far end of socket tokens and the addresses of
    /// socket-address tokens (not for a bind, whose address is local).
    pub remote: Vec<IpAddr>,
}

impl<'a> Facts<'a> {
    /// Reads the facts `wants` names (the event and time always); a token
    /// that does not decode is the error.
    pub fn of(
        record: &Record<'a>,
        wants: Wants,
        bind_event: Option<u16>,
    ) -> Result<Facts<'a>, FormatError> {
        let header = record.header();
        let mut facts = Facts {
            event: header.event,
            time_ms: header.time().map(|time| time.timestamp_millis()),
            ..Facts::default()
        };
        let is_bind = bind_event == Some(header.event);
        for token in record.tokens_where(|id| wants.token(id)) {
            match token? {
                Token::Path(path) => facts.paths.push(path.path.bytes()),
                Token::ExecArgs(args) => {
                    if facts.exec_args.is_none() {
                        let first = args.strings.iter().next().unwrap_or_default();
                        facts.exec_args = Some((args.strings.count(), first));
                    }
                }
                Token::Arg32(arg) if arg.text.bytes() == b"fd" => {
                    facts.fd.get_or_insert(u64::from(arg.value));
                }
                Token::Arg64(arg) if arg.text.bytes() == b"fd" => {
                    facts.fd.get_or_insert(arg.value);
                }
                Token::Socket(socket) => facts.remote.push(IpAddr::V4(socket.remote_addr)),
                Token::SocketEx(socket) => facts.remote.push(socket.remote_addr),
                Token::SockInet32(socket) if !is_bind => facts.remote.push(IpAddr::V4(socket.addr)),
                Token::SockInet128(socket) if !is_bind => {
                    facts.remote.push(IpAddr::V6(socket.addr))
                }
                other => {
                    if let Some(subject) = other.as_subject() {
                        facts.subject.get_or_insert(subject);
                    } else if let Some(outcome) = other.as_return() {
                        facts.outcome.get_or_insert(outcome);
                    }
                }
            }
        }
        facts.remote.retain(|addr| !addr.is_unspecified());
        Ok(facts)
    }

    /// Failed: the return token says so (a record without one did not fail).
    pub fn failed(&self) -> bool {
        self.outcome.is_some_and(|outcome| !outcome.is_success())
    }

    /// The subject's terminal address, if it has one.
    pub fn terminal_addr(&self) -> Option<IpAddr> {
        self.subject
            .map(|subject| subject.terminal_addr)
            .filter(|addr| !addr.is_unspecified())
    }
}
