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
                ids: ids_at(b, 1),
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
                ids: ids_at(b, 1),
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
                ids: ids_at(b, 1),
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
            let (path, end) = text_at(i, 1)?;
            out!(Token::Path(Path { path }), end)
        }
        ids::TEXT => {
            let (text, end) = text_at(i, 1)?;
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

/// The header at the start of a record, straight into a HeaderView.
#[inline(always)]
pub(crate) fn header(i: &[u8]) -> Option<(crate::view::HeaderView, usize)> {
    use crate::view::HeaderView;
    let b = i.first_chunk::<18>()?;
    let (size, version, event, modifier) = (u32_at(b, 1), b[5], u16_at(b, 6), u16_at(b, 8));
    let (host, seconds, milliseconds, len) = match b[0] {
        ids::HEADER32 => (None, u64::from(u32_at(b, 10)), u64::from(u32_at(b, 14)), 18),
        ids::HEADER64 => {
            let b = i.first_chunk::<26>()?;
            (None, u64_at(b, 10), u64_at(b, 18), 26)
        }
        ids::HEADER32_EX | ids::HEADER64_EX => {
            let wide = b[0] == ids::HEADER64_EX;
            let (host, at) = match u32_at(b, 10) {
                ids::AU_IPV4 => (IpAddr::V4(v4_at(b, 14)), 18),
                ids::AU_IPV6 => (IpAddr::V6(v6_at(i.first_chunk::<30>()?, 14)), 30),
                _ => return None,
            };
            let t = i.get(at..)?;
            if wide {
                let t = t.first_chunk::<16>()?;
                (Some(host), u64_at(t, 0), u64_at(t, 8), at + 16)
            } else {
                let t = t.first_chunk::<8>()?;
                (
                    Some(host),
                    u64::from(u32_at(t, 0)),
                    u64::from(u32_at(t, 4)),
                    at + 8,
                )
            }
        }
        _ => return None,
    };
    Some((
        HeaderView {
            id: b[0],
            size,
            version,
            event,
            modifier,
            host,
            seconds,
            milliseconds,
        },
        len,
    ))
}

/// The length of the token at the start of `i` when it is one of the common
/// tokens and complete; None otherwise (the caller then decodes it).
#[inline(always)]
pub(crate) fn skip(i: &[u8]) -> Option<usize> {
    let &id = i.first()?;
    let len = match id {
        ids::HEADER32 => 18,
        ids::TRAILER => 7,
        ids::SUBJECT32 | ids::PROCESS32 => 37,
        ids::SUBJECT64 | ids::PROCESS64 => 41,
        ids::RETURN32 => 6,
        ids::RETURN64 => 10,
        ids::ATTR32 => 29,
        ids::ATTR64 => 33,
        ids::SOCK_INET32 => 9,
        ids::SOCK_INET128 => 21,
        ids::PATH | ids::TEXT => {
            3 + usize::from(u16::from_be_bytes(*i.get(1..)?.first_chunk::<2>()?))
        }
        ids::ARG32 => 8 + usize::from(u16::from_be_bytes(*i.get(6..)?.first_chunk::<2>()?)),
        ids::SUBJECT32_EX | ids::PROCESS32_EX => {
            match u32::from_be_bytes(*i.get(33..)?.first_chunk::<4>()?) {
                ids::AU_IPV4 => 41,
                ids::AU_IPV6 => 53,
                _ => return None,
            }
        }
        ids::SOCKET_EX => match u16::from_be_bytes(*i.get(5..)?.first_chunk::<2>()?) {
            4 => 19,
            16 => 43,
            _ => return None,
        },
        _ => return None,
    };
    (len <= i.len()).then_some(len)
}

/// The fast paths against the general decoder, which is the reference.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::decode_token_general;
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
            if let Some((view, len)) = header(&bytes) {
                let (token, general_len) = decode_token_general(&bytes).map_err(|e| {
                    TestCaseError::fail(format!("general decoder refused: {e}"))
                })?;
                prop_assert_eq!(token.as_header(), Some(view));
                prop_assert_eq!(general_len, len);
            }
        }
    }
}
