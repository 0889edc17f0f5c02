//! Fast paths for the tokens that make up nearly every real record (headers,
//! subjects, path, attribute, return, exec args, sockets, trailer).
//!
//! Each reads a fixed-size array (`first_chunk`) once, then its fields at
//! constant offsets: one length check per token, no bounds checks and no
//! per-field error paths. `None` means "not handled here": the caller takes
//! the general decoder, which handles every id and reports the exact error.
//! A token decoded here is the one the general decoder gives, field for field.

use crate::bytes_view::{StringList, Text};
use crate::ids;
use crate::token::*;
use crate::wire::{COUNTED_TEXT_AT, PROCESS_IDS_AT};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

#[inline(always)]
fn u16_at<const N: usize>(b: &[u8; N], at: usize) -> u16 {
    u16::from_be_bytes([b[at], b[at + 1]])
}
#[inline(always)]
fn u32_at<const N: usize>(b: &[u8; N], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}
#[inline(always)]
fn u64_at<const N: usize>(b: &[u8; N], at: usize) -> u64 {
    (u64::from(u32_at(b, at)) << 32) | u64::from(u32_at(b, at + 4))
}
#[inline(always)]
fn v4_at<const N: usize>(b: &[u8; N], at: usize) -> Ipv4Addr {
    Ipv4Addr::from(u32_at(b, at))
}
#[inline(always)]
fn v6_at<const N: usize>(b: &[u8; N], at: usize) -> Ipv6Addr {
    let mut o = [0u8; 16];
    o.copy_from_slice(&b[at..at + 16]);
    Ipv6Addr::from(o)
}
#[inline(always)]
fn ids_at<const N: usize>(b: &[u8; N], at: usize) -> ProcessIds {
    ProcessIds {
        auid: u32_at(b, at),
        euid: u32_at(b, at + 4),
        egid: u32_at(b, at + 8),
        ruid: u32_at(b, at + 12),
        rgid: u32_at(b, at + 16),
        pid: u32_at(b, at + 20),
        sid: u32_at(b, at + 24),
    }
}

/// `len u16, bytes[len]` at `at`; returns the text and the end offset.
#[inline(always)]
fn text_at(i: &[u8], at: usize) -> Option<(Text<'_>, usize)> {
    let len = usize::from(u16::from_be_bytes(*i.get(at..)?.first_chunk::<2>()?));
    let raw = i.get(at + 2..at + 2 + len)?;
    Some((Text::from_raw(raw), at + 2 + len))
}

/// Decodes a common token at the start of `i` and adds its length to `pos`.
///
/// Each arm returns the finished token at once (the `out!` macro): built in
/// place in the caller's return value, it is not moved through a local, which
/// would make LLVM merge all variants into one byte-by-byte copy.
#[inline(always)]
pub(crate) fn decode<'a>(i: &'a [u8], pos: &mut usize) -> Option<crate::error::Result<Token<'a>>> {
    let &id = i.first()?;
    macro_rules! out {
        ($t:expr, $n:expr) => {{
            let n = $n;
            *pos += n;
            return Some(Ok($t));
        }};
    }
    match id {
        ids::HEADER32 => {
            let b = i.first_chunk::<18>()?;
            out!(
                Token::Header32(Header32 {
                    size: u32_at(b, 1),
                    version: b[5],
                    event: u16_at(b, 6),
                    modifier: u16_at(b, 8),
                    seconds: u32_at(b, 10),
                    milliseconds: u32_at(b, 14),
                }),
                18
            )
        }
        ids::HEADER32_EX => {
            let b = i.first_chunk::<14>()?;
            match u32_at(b, 10) {
                ids::AU_IPV4 => {
                    let b = i.first_chunk::<30>()?;
                    out!(
                        Token::Header32Ex(Header32Ex {
                            size: u32_at(b, 1),
                            version: b[5],
                            event: u16_at(b, 6),
                            modifier: u16_at(b, 8),
                            host: IpAddr::V4(v4_at(b, 14)),
                            seconds: u32_at(b, 18),
                            milliseconds: u32_at(b, 22),
                        }),
                        26
                    )
                }
                ids::AU_IPV6 => {
                    let b = i.first_chunk::<38>()?;
                    out!(
                        Token::Header32Ex(Header32Ex {
                            size: u32_at(b, 1),
                            version: b[5],
                            event: u16_at(b, 6),
                            modifier: u16_at(b, 8),
                            host: IpAddr::V6(v6_at(b, 14)),
                            seconds: u32_at(b, 30),
                            milliseconds: u32_at(b, 34),
                        }),
                        38
                    )
                }
                _ => None,
            }
        }
        ids::HEADER64 => {
            let b = i.first_chunk::<26>()?;
            out!(
                Token::Header64(Header64 {
                    size: u32_at(b, 1),
                    version: b[5],
                    event: u16_at(b, 6),
                    modifier: u16_at(b, 8),
                    seconds: u64_at(b, 10),
                    milliseconds: u64_at(b, 18),
                }),
                26
            )
        }
        ids::TRAILER => {
            let b = i.first_chunk::<7>()?;
            out!(
                Token::Trailer(Trailer {
                    magic: u16_at(b, 1),
                    size: u32_at(b, 3),
                }),
                7
            )
        }
        ids::SUBJECT32 | ids::PROCESS32 => {
            let b = i.first_chunk::<37>()?;
            let s = Subject32 {
                ids: ids_at(b, PROCESS_IDS_AT),
                port: u32_at(b, 29),
                addr: v4_at(b, 33),
            };
            let t = if id == ids::SUBJECT32 {
                Token::Subject32(s)
            } else {
                Token::Process32(s)
            };
            out!(t, 37)
        }
        ids::SUBJECT64 | ids::PROCESS64 => {
            let b = i.first_chunk::<41>()?;
            let s = Subject64 {
                ids: ids_at(b, PROCESS_IDS_AT),
                port: u64_at(b, 29),
                addr: v4_at(b, 37),
            };
            let t = if id == ids::SUBJECT64 {
                Token::Subject64(s)
            } else {
                Token::Process64(s)
            };
            out!(t, 41)
        }
        ids::SUBJECT32_EX | ids::PROCESS32_EX => {
            let b = i.first_chunk::<37>()?;
            let (addr, len) = match u32_at(b, 33) {
                ids::AU_IPV4 => (IpAddr::V4(v4_at(i.first_chunk::<41>()?, 37)), 41),
                ids::AU_IPV6 => (IpAddr::V6(v6_at(i.first_chunk::<53>()?, 37)), 53),
                _ => return None,
            };
            let s = Subject32Ex {
                ids: ids_at(b, PROCESS_IDS_AT),
                port: u32_at(b, 29),
                addr,
            };
            let t = if id == ids::SUBJECT32_EX {
                Token::Subject32Ex(s)
            } else {
                Token::Process32Ex(s)
            };
            out!(t, len)
        }
        ids::RETURN32 => {
            let b = i.first_chunk::<6>()?;
            out!(
                Token::Return32(Return32 {
                    status: b[1],
                    value: u32_at(b, 2),
                }),
                6
            )
        }
        ids::RETURN64 => {
            let b = i.first_chunk::<10>()?;
            out!(
                Token::Return64(Return64 {
                    status: b[1],
                    value: u64_at(b, 2),
                }),
                10
            )
        }
        ids::ATTR32 => {
            let b = i.first_chunk::<29>()?;
            out!(
                Token::Attr32(Attr32 {
                    mode: u32_at(b, 1),
                    uid: u32_at(b, 5),
                    gid: u32_at(b, 9),
                    fsid: u32_at(b, 13),
                    node_id: u64_at(b, 17),
                    device: u32_at(b, 25),
                }),
                29
            )
        }
        ids::PATH => {
            let (path, end) = text_at(i, COUNTED_TEXT_AT)?;
            out!(Token::Path(Path { path }), end)
        }
        ids::TEXT => {
            let (text, end) = text_at(i, COUNTED_TEXT_AT)?;
            out!(Token::Text(TextToken { text }), end)
        }
        ids::ARG32 => {
            let b = i.first_chunk::<6>()?;
            let (text, end) = text_at(i, 6)?;
            out!(
                Token::Arg32(Arg32 {
                    number: b[1],
                    value: u32_at(b, 2),
                    text,
                }),
                end
            )
        }
        ids::SOCK_INET32 => {
            let b = i.first_chunk::<9>()?;
            out!(
                Token::SockInet32(SockInet32 {
                    family: u16_at(b, 1),
                    port: u16_at(b, 3),
                    addr: v4_at(b, 5),
                }),
                9
            )
        }
        ids::SOCK_INET128 => {
            let b = i.first_chunk::<21>()?;
            out!(
                Token::SockInet128(SockInet128 {
                    family: u16_at(b, 1),
                    port: u16_at(b, 3),
                    addr: v6_at(b, 5),
                }),
                21
            )
        }
        ids::SOCKET_EX => {
            let b = i.first_chunk::<9>()?;
            let (domain, socket_type, local_port) = (u16_at(b, 1), u16_at(b, 3), u16_at(b, 7));
            let (local_addr, remote_port, remote_addr, len) = match u16_at(b, 5) {
                4 => {
                    let b = i.first_chunk::<19>()?;
                    (
                        IpAddr::V4(v4_at(b, 9)),
                        u16_at(b, 13),
                        IpAddr::V4(v4_at(b, 15)),
                        19,
                    )
                }
                16 => {
                    let b = i.first_chunk::<43>()?;
                    (
                        IpAddr::V6(v6_at(b, 9)),
                        u16_at(b, 25),
                        IpAddr::V6(v6_at(b, 27)),
                        43,
                    )
                }
                _ => return None,
            };
            out!(
                Token::SocketEx(SocketEx {
                    domain,
                    socket_type,
                    local_port,
                    local_addr,
                    remote_port,
                    remote_addr,
                }),
                len
            )
        }
        ids::EXEC_ARGS | ids::EXEC_ENV => {
            let b = i.first_chunk::<5>()?;
            let count = u32_at(b, 1);
            let body = &i[5..];
            let mut end = 0;
            for _ in 0..count {
                end += body.get(end..)?.iter().position(|&c| c == 0)? + 1;
            }
            let strings = StringList::from_raw(count, &body[..end]);
            let t = if id == ids::EXEC_ARGS {
                Token::ExecArgs(ExecStrings { strings })
            } else {
                Token::ExecEnv(ExecStrings { strings })
            };
            out!(t, 5 + end)
        }
        _ => None,
    }
}

/// The length of the header at the start of a record, read from its id and,
/// in the `_ex` forms, its address type; None when `i` does not start with a
/// whole header of a known form.
#[inline(always)]
pub(crate) fn header_len(i: &[u8]) -> Option<usize> {
    let b = i.first_chunk::<14>()?;
    let len = match b[0] {
        ids::HEADER32 => 18,
        ids::HEADER64 => 26,
        ids::HEADER32_EX | ids::HEADER64_EX => {
            let address = match u32_at(b, 10) {
                ids::AU_IPV4 => 4,
                ids::AU_IPV6 => 16,
                _ => return None,
            };
            let time = if b[0] == ids::HEADER64_EX { 16 } else { 8 };
            14 + address + time
        }
        _ => return None,
    };
    (len <= i.len()).then_some(len)
}

/// The longest header: header64_ex with an IPv6 host.
const MAX_HEADER_LEN: usize = 46;

/// The fields of the header at the start of `i`, which [`header_len`]
/// accepted: the record keeps only its bytes, and the fields are read when
/// asked for, at the offsets its form gives.
pub(crate) fn header_fields(i: &[u8]) -> crate::view::HeaderView {
    let mut b = [0u8; MAX_HEADER_LEN];
    let n = i.len().min(MAX_HEADER_LEN);
    b[..n].copy_from_slice(&i[..n]);
    let id = b[0];
    let (host, time_at) = match id {
        ids::HEADER32_EX | ids::HEADER64_EX if u32_at(&b, 10) == ids::AU_IPV6 => {
            (Some(IpAddr::V6(v6_at(&b, 14))), 30)
        }
        ids::HEADER32_EX | ids::HEADER64_EX => (Some(IpAddr::V4(v4_at(&b, 14))), 18),
        _ => (None, 10),
    };
    let (seconds, milliseconds) = if matches!(id, ids::HEADER64 | ids::HEADER64_EX) {
        (u64_at(&b, time_at), u64_at(&b, time_at + 8))
    } else {
        (
            u64::from(u32_at(&b, time_at)),
            u64::from(u32_at(&b, time_at + 4)),
        )
    };
    crate::view::HeaderView {
        id,
        size: u32_at(&b, 1),
        version: b[5],
        event: u16_at(&b, 6),
        modifier: u16_at(&b, 8),
        host,
        seconds,
        milliseconds,
    }
}

/// How the length of a common token is found, by id: a table lookup rather
/// than a branch per id, so that records whose tokens vary in form (subject32,
/// subject64) do not make the walk mispredict.
#[derive(Clone, Copy)]
enum Extent {
    /// Not a common token: the general decoder finds its length.
    Unknown,
    Fixed(u8),
    /// `base` plus a u16 count at `at`.
    Counted {
        at: u8,
        base: u8,
    },
    /// `base` plus the address length (4 or 16) given as a u32 type at `at`.
    Addressed {
        at: u8,
        base: u8,
    },
    /// `base` plus two addresses whose length (4 or 16) is a u16 type at `at`.
    TwoAddressed {
        at: u8,
        base: u8,
    },
}

const EXTENTS: [Extent; 256] = {
    let mut t = [Extent::Unknown; 256];
    t[ids::HEADER32 as usize] = Extent::Fixed(18);
    t[ids::TRAILER as usize] = Extent::Fixed(7);
    t[ids::SUBJECT32 as usize] = Extent::Fixed(37);
    t[ids::PROCESS32 as usize] = Extent::Fixed(37);
    t[ids::SUBJECT64 as usize] = Extent::Fixed(41);
    t[ids::PROCESS64 as usize] = Extent::Fixed(41);
    t[ids::RETURN32 as usize] = Extent::Fixed(6);
    t[ids::RETURN64 as usize] = Extent::Fixed(10);
    t[ids::ATTR32 as usize] = Extent::Fixed(29);
    t[ids::ATTR64 as usize] = Extent::Fixed(33);
    t[ids::SOCK_INET32 as usize] = Extent::Fixed(9);
    t[ids::SOCK_INET128 as usize] = Extent::Fixed(21);
    t[ids::PATH as usize] = Extent::Counted { at: 1, base: 3 };
    t[ids::TEXT as usize] = Extent::Counted { at: 1, base: 3 };
    t[ids::ARG32 as usize] = Extent::Counted { at: 6, base: 8 };
    t[ids::SUBJECT32_EX as usize] = Extent::Addressed { at: 33, base: 37 };
    t[ids::PROCESS32_EX as usize] = Extent::Addressed { at: 33, base: 37 };
    t[ids::SUBJECT64_EX as usize] = Extent::Addressed { at: 37, base: 41 };
    t[ids::PROCESS64_EX as usize] = Extent::Addressed { at: 37, base: 41 };
    t[ids::SOCKET_EX as usize] = Extent::TwoAddressed { at: 5, base: 11 };
    t
};

/// The length of the token at the start of `i` when it is one of the common
/// tokens and complete; None otherwise (the caller then decodes it).
#[inline(always)]
pub(crate) fn skip(i: &[u8]) -> Option<usize> {
    let &id = i.first()?;
    let address_len =
        |kind: u32| matches!(kind, ids::AU_IPV4 | ids::AU_IPV6).then_some(kind as usize);
    let len = match EXTENTS[usize::from(id)] {
        Extent::Fixed(len) => usize::from(len),
        Extent::Counted { at, base } => {
            let count = i.get(usize::from(at)..)?.first_chunk::<2>()?;
            usize::from(base) + usize::from(u16::from_be_bytes(*count))
        }
        Extent::Addressed { at, base } => {
            let kind = i.get(usize::from(at)..)?.first_chunk::<4>()?;
            usize::from(base) + address_len(u32::from_be_bytes(*kind))?
        }
        Extent::TwoAddressed { at, base } => {
            let kind = i.get(usize::from(at)..)?.first_chunk::<2>()?;
            usize::from(base) + 2 * address_len(u32::from(u16::from_be_bytes(*kind)))?
        }
        Extent::Unknown => return None,
    };
    (len <= i.len()).then_some(len)
}

/// The fast paths against the general decoder, which is the reference.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::general::decode_token_general;
    use proptest::prelude::*;

    const COMMON_IDS: &[u8] = &[
        ids::HEADER32,
        ids::HEADER32_EX,
        ids::HEADER64,
        ids::HEADER64_EX,
        ids::TRAILER,
        ids::SUBJECT32,
        ids::PROCESS32,
        ids::SUBJECT64,
        ids::PROCESS64,
        ids::SUBJECT32_EX,
        ids::PROCESS32_EX,
        ids::SUBJECT64_EX,
        ids::PROCESS64_EX,
        ids::RETURN32,
        ids::RETURN64,
        ids::ATTR32,
        ids::ATTR64,
        ids::PATH,
        ids::TEXT,
        ids::ARG32,
        ids::EXEC_ARGS,
        ids::EXEC_ENV,
        ids::SOCKET_EX,
        ids::SOCK_INET32,
        ids::SOCK_INET128,
    ];

    /// A common id, then bytes biased to small values so that lengths,
    /// counts and address types often make sense.
    fn token_bytes() -> impl Strategy<Value = Vec<u8>> {
        (
            prop::sample::select(COMMON_IDS),
            prop::collection::vec(
                prop_oneof![Just(0u8), Just(4u8), Just(16u8), 1u8..8, any::<u8>()],
                0..96,
            ),
        )
            .prop_map(|(id, rest)| [vec![id], rest].concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4_000))]

        #[test]
        fn fast_decode_agrees_with_the_general_decoder(bytes in token_bytes()) {
            let mut len = 0;
            if let Some(Ok(token)) = decode(&bytes, &mut len) {
                prop_assert_eq!(decode_token_general(&bytes), Ok((token, len)));
            }
        }

        #[test]
        fn fast_skip_agrees_with_the_general_decoder(bytes in token_bytes()) {
            if let Some(len) = skip(&bytes) {
                let general = decode_token_general(&bytes).map(|(_, n)| n);
                prop_assert_eq!(general, Ok(len));
            }
        }

        #[test]
        fn fast_header_agrees_with_the_general_decoder(bytes in token_bytes()) {
            let general = decode_token_general(&bytes)
                .ok()
                .and_then(|(token, len)| Some((token.as_header()?, len)));
            match (header_len(&bytes), general) {
                (Some(len), Some((view, general_len))) => {
                    prop_assert_eq!(header_fields(&bytes), view);
                    prop_assert_eq!(general_len, len);
                }
                // A header the general decoder reads must be read here too:
                // records keep only its length and read its fields later.
                (None, None) => {}
                (fast, general) => {
                    return Err(TestCaseError::fail(format!("fast {fast:?}, general {general:?}")));
                }
            }
        }
    }
}
