//! One view over the 32-bit, 64-bit and `_ex` forms of a token family, for
//! code that wants the values and not the wire form.

use crate::token::*;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::net::IpAddr;

/// A header of any form (0x14, 0x15, 0x74, 0x79).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct HeaderView {
    pub id: u8,
    pub size: u32,
    pub version: u8,
    pub event: u16,
    pub modifier: u16,
    /// The host address of `_ex` headers.
    pub host: Option<IpAddr>,
    #[serde(serialize_with = "crate::exact::u64")]
    pub seconds: u64,
    /// The sub-second part, in milliseconds (what libbsm writes).
    #[serde(serialize_with = "crate::exact::u64")]
    pub milliseconds: u64,
}

impl HeaderView {
    /// The record time, or `None` if it is out of chrono's range.
    pub fn time(&self) -> Option<DateTime<Utc>> {
        let millis = i64::try_from(self.seconds)
            .ok()?
            .checked_mul(1000)?
            .checked_add(i64::try_from(self.milliseconds).ok()?)?;
        DateTime::from_timestamp_millis(millis)
    }
}

/// A subject or process token of any form (32/64-bit port, IPv4/IPv6 terminal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SubjectView {
    pub auid: u32,
    pub euid: u32,
    pub egid: u32,
    pub ruid: u32,
    pub rgid: u32,
    pub pid: u32,
    pub sid: u32,
    #[serde(serialize_with = "crate::exact::u64")]
    pub terminal_port: u64,
    pub terminal_addr: IpAddr,
}

impl SubjectView {
    fn new(ids: &ProcessIds, terminal_port: u64, terminal_addr: IpAddr) -> Self {
        SubjectView {
            auid: ids.auid,
            euid: ids.euid,
            egid: ids.egid,
            ruid: ids.ruid,
            rgid: ids.rgid,
            pid: ids.pid,
            sid: ids.sid,
            terminal_port,
            terminal_addr,
        }
    }
}

/// A return token of either width.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ReturnView {
    /// A BSM errno; 0 means success.
    pub status: u8,
    #[serde(serialize_with = "crate::exact::u64")]
    pub value: u64,
}

impl ReturnView {
    pub const fn is_success(&self) -> bool {
        self.status == 0
    }
}

impl Token<'_> {
    /// The header fields, if this is a header token.
    pub fn as_header(&self) -> Option<HeaderView> {
        let (id, size, version, event, modifier, host, seconds, milliseconds) = match *self {
            Token::Header32(h) => (
                crate::ids::HEADER32,
                h.size,
                h.version,
                h.event,
                h.modifier,
                None,
                u64::from(h.seconds),
                u64::from(h.milliseconds),
            ),
            Token::Header32Ex(h) => (
                crate::ids::HEADER32_EX,
                h.size,
                h.version,
                h.event,
                h.modifier,
                Some(h.host),
                u64::from(h.seconds),
                u64::from(h.milliseconds),
            ),
            Token::Header64(h) => (
                crate::ids::HEADER64,
                h.size,
                h.version,
                h.event,
                h.modifier,
                None,
                h.seconds,
                h.milliseconds,
            ),
            Token::Header64Ex(h) => (
                crate::ids::HEADER64_EX,
                h.size,
                h.version,
                h.event,
                h.modifier,
                Some(h.host),
                h.seconds,
                h.milliseconds,
            ),
            _ => return None,
        };
        Some(HeaderView {
            id,
            size,
            version,
            event,
            modifier,
            host,
            seconds,
            milliseconds,
        })
    }

    /// The ids and terminal, if this is a subject token of any form.
    pub fn as_subject(&self) -> Option<SubjectView> {
        match self {
            Token::Subject32(s) => Some(SubjectView::new(&s.ids, s.port.into(), s.addr.into())),
            Token::Subject64(s) => Some(SubjectView::new(&s.ids, s.port, s.addr.into())),
            Token::Subject32Ex(s) => Some(SubjectView::new(&s.ids, s.port.into(), s.addr)),
            Token::Subject64Ex(s) => Some(SubjectView::new(&s.ids, s.port, s.addr)),
            _ => None,
        }
    }

    /// The ids and terminal, if this is a process token of any form.
    pub fn as_process(&self) -> Option<SubjectView> {
        match self {
            Token::Process32(s) => Some(SubjectView::new(&s.ids, s.port.into(), s.addr.into())),
            Token::Process64(s) => Some(SubjectView::new(&s.ids, s.port, s.addr.into())),
            Token::Process32Ex(s) => Some(SubjectView::new(&s.ids, s.port.into(), s.addr)),
            Token::Process64Ex(s) => Some(SubjectView::new(&s.ids, s.port, s.addr)),
            _ => None,
        }
    }

    /// The status and value, if this is a return token of either width.
    pub fn as_return(&self) -> Option<ReturnView> {
        match self {
            Token::Return32(r) => Some(ReturnView {
                status: r.status,
                value: r.value.into(),
            }),
            Token::Return64(r) => Some(ReturnView {
                status: r.status,
                value: r.value,
            }),
            _ => None,
        }
    }
}
