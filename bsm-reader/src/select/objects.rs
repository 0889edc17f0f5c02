//! The objects of `-o` and `-z`: path rules, socket ends, zone globs.

use std::net::{IpAddr, SocketAddr};

use bsm_format::Token;
use regex::bytes::{Regex, RegexBuilder};

/// Why an `-o` or `-z` value could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    #[error("bad regular expression '{pattern}': {reason}")]
    Regex { pattern: String, reason: String },
    #[error("bad socket '{0}': expected PORT, ADDRESS, ADDRESS:PORT or [IPV6]:PORT")]
    Socket(String),
}

/// `-o file=RE[,[~]RE…]`: POSIX extended regular expressions, tried in order
/// on each path; the first that matches decides, and `~` before it means
/// reject. `\,` is a comma inside an expression.
#[derive(Debug, Clone)]
pub struct PathRules {
    rules: Vec<PathRule>,
}

#[derive(Debug, Clone)]
struct PathRule {
    reject: bool,
    regex: Regex,
}

impl PathRules {
    pub fn parse(text: &str) -> Result<Self, PatternError> {
        let mut rules = Vec::new();
        for piece in split_unescaped_commas(text) {
            let (reject, pattern) = match piece.strip_prefix('~') {
                Some(pattern) => (true, pattern),
                None => (false, piece.as_str()),
            };
            // Paths are bytes, not always UTF-8: match bytes, as regexec does.
            let regex = RegexBuilder::new(pattern)
                .unicode(false)
                .build()
                .map_err(|error| PatternError::Regex {
                    pattern: pattern.to_owned(),
                    reason: error.to_string(),
                })?;
            rules.push(PathRule { reject, regex });
        }
        Ok(PathRules { rules })
    }

    /// Whether `path` passes: the first matching rule says; none rejects.
    pub fn accepts(&self, path: &[u8]) -> bool {
        self.rules
            .iter()
            .find(|rule| rule.regex.is_match(path))
            .is_some_and(|rule| !rule.reject)
    }
}

/// Splits at commas, except those written `\,`, which stay as commas.
fn split_unescaped_commas(text: &str) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut piece = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&',') => {
                chars.next();
                piece.push(',');
            }
            ',' => pieces.push(std::mem::take(&mut piece)),
            _ => piece.push(c),
        }
    }
    pieces.push(piece);
    pieces
}

/// `-o sock=`: a port, an address, or both; a socket token matches when
/// its local or its remote end has them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SocketEndpoint {
    pub addr: Option<IpAddr>,
    pub port: Option<u16>,
}

impl SocketEndpoint {
    /// `22`, `192.0.2.1`, `2001:db8::1`, `192.0.2.1:22` or `[2001:db8::1]:22`.
    pub fn parse(text: &str) -> Result<Self, PatternError> {
        if let Ok(port) = text.parse::<u16>() {
            return Ok(SocketEndpoint {
                addr: None,
                port: Some(port),
            });
        }
        if let Ok(addr) = text.parse::<IpAddr>() {
            return Ok(SocketEndpoint {
                addr: Some(addr.to_canonical()),
                port: None,
            });
        }
        match text.parse::<SocketAddr>() {
            Ok(both) => Ok(SocketEndpoint {
                addr: Some(both.ip().to_canonical()),
                port: Some(both.port()),
            }),
            Err(_) => Err(PatternError::Socket(text.to_owned())),
        }
    }

    /// Whether a socket token of any form has a matching end.
    pub fn matches_token(&self, token: &Token<'_>) -> bool {
        let ends: [(IpAddr, u16); 2] = match token {
            Token::Socket(s) => [
                (s.local_addr.into(), s.local_port),
                (s.remote_addr.into(), s.remote_port),
            ],
            Token::SocketEx(s) => [(s.local_addr, s.local_port), (s.remote_addr, s.remote_port)],
            Token::SockInet32(s) => [(s.addr.into(), s.port); 2],
            Token::SockInet128(s) => [(s.addr.into(), s.port); 2],
            _ => return false,
        };
        ends.iter().any(|&(addr, port)| {
            self.addr.is_none_or(|wanted| addr.to_canonical() == wanted)
                && self.port.is_none_or(|wanted| port == wanted)
        })
    }
}

/// `-z`: a zone-name glob, as fnmatch(3) reads it: `*`, `?`, `[…]` (with
/// `!` or `^` to negate, and ranges) and `\` to quote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneGlob {
    pattern: Vec<u8>,
}

impl ZoneGlob {
    pub fn new(pattern: &str) -> Self {
        ZoneGlob {
            pattern: pattern.as_bytes().to_vec(),
        }
    }

    pub fn matches(&self, name: &[u8]) -> bool {
        let pattern = &self.pattern[..];
        let (mut p, mut n) = (0, 0);
        // Where to resume after the last `*`: pattern position, name position.
        let mut star: Option<(usize, usize)> = None;
        while n < name.len() {
            if pattern.get(p) == Some(&b'*') {
                p += 1;
                star = Some((p, n));
                continue;
            }
            if let Some(next) = step(pattern, p, name[n]) {
                p = next;
                n += 1;
                continue;
            }
            match star {
                Some((after_star, from)) => {
                    p = after_star;
                    n = from + 1;
                    star = Some((after_star, from + 1));
                }
                None => return false,
            }
        }
        pattern[p..].iter().all(|&b| b == b'*')
    }
}

/// If the pattern element at `p` (not a `*`) matches `byte`, the position
/// after the element.
fn step(pattern: &[u8], p: usize, byte: u8) -> Option<usize> {
    match *pattern.get(p)? {
        b'?' => Some(p + 1),
        b'\\' if p + 1 < pattern.len() => (pattern[p + 1] == byte).then_some(p + 2),
        b'[' => match bracket(&pattern[p..], byte) {
            Some((matched, len)) => matched.then_some(p + len),
            // No closing bracket: a plain `[`.
            None => (byte == b'[').then_some(p + 1),
        },
        literal => (literal == byte).then_some(p + 1),
    }
}

/// Reads the bracket expression at the start of `set` (which starts with
/// `[`): whether `byte` is in it, and its length; `None` if it never closes.
fn bracket(set: &[u8], byte: u8) -> Option<(bool, usize)> {
    let mut i = 1;
    let negate = matches!(set.get(i), Some(b'!' | b'^'));
    if negate {
        i += 1;
    }
    let mut found = false;
    let mut first = true;
    loop {
        let c = *set.get(i)?;
        if c == b']' && !first {
            return Some((found != negate, i + 1));
        }
        first = false;
        if set.get(i + 1) == Some(&b'-') && set.get(i + 2).is_some_and(|&end| end != b']') {
            let end = set[i + 2];
            found |= (c..=end).contains(&byte);
            i += 3;
        } else {
            found |= c == byte;
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bsm_format::{SockInet32, SockInet128, Socket, SocketEx};
    use std::net::{Ipv4Addr, Ipv6Addr};

    #[test]
    fn the_first_matching_rule_decides() {
        let rules = PathRules::parse("~^/etc/shadow$,^/etc/,\\.conf$").unwrap();
        assert!(!rules.accepts(b"/etc/shadow"));
        assert!(rules.accepts(b"/etc/passwd"));
        assert!(rules.accepts(b"/usr/local/x.conf"));
        assert!(!rules.accepts(b"/tmp/file"), "no rule matches: rejected");
        let negated_first = PathRules::parse("~/tmp/,/").unwrap();
        assert!(!negated_first.accepts(b"/tmp/x"));
        assert!(negated_first.accepts(b"/home/x"));
    }

    #[test]
    fn escaped_commas_stay_in_the_expression() {
        let rules = PathRules::parse("^/a\\,b$").unwrap();
        assert!(rules.accepts(b"/a,b"));
        assert!(!rules.accepts(b"/a"));
    }

    #[test]
    fn posix_classes_and_bytes_that_are_not_utf8() {
        let rules = PathRules::parse("^/home/[[:alpha:]]+/\\..*rc$").unwrap();
        assert!(rules.accepts(b"/home/alice/.bashrc"));
        assert!(!rules.accepts(b"/home/al1ce/.bashrc"));
        let any = PathRules::parse("^/tmp/.$").unwrap();
        assert!(any.accepts(b"/tmp/\xff"));
    }

    #[test]
    fn bad_expressions_are_refused() {
        assert!(matches!(
            PathRules::parse("/ok,(unclosed"),
            Err(PatternError::Regex { pattern, .. }) if pattern == "(unclosed"
        ));
    }

    #[test]
    fn socket_values() {
        let v4 = Ipv4Addr::new(192, 0, 2, 1);
        let v6: Ipv6Addr = "2001:db8::1".parse().unwrap();
        assert_eq!(
            SocketEndpoint::parse("22").unwrap(),
            SocketEndpoint {
                addr: None,
                port: Some(22)
            }
        );
        assert_eq!(
            SocketEndpoint::parse("192.0.2.1").unwrap().addr,
            Some(v4.into())
        );
        assert_eq!(
            SocketEndpoint::parse("2001:db8::1").unwrap().addr,
            Some(v6.into())
        );
        let both = SocketEndpoint::parse("[2001:db8::1]:443").unwrap();
        assert_eq!((both.addr, both.port), (Some(v6.into()), Some(443)));
        let both = SocketEndpoint::parse("192.0.2.1:22").unwrap();
        assert_eq!((both.addr, both.port), (Some(v4.into()), Some(22)));
        for bad in ["", "port", "70000", "192.0.2.1:", "1.2.3.4.5"] {
            assert!(SocketEndpoint::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn every_socket_form_matches_by_either_end() {
        let local = Ipv4Addr::new(10, 0, 0, 2);
        let remote = Ipv4Addr::new(10, 0, 0, 254);
        let socket = Token::Socket(Socket {
            socket_type: 2,
            local_port: 40000,
            local_addr: local,
            remote_port: 22,
            remote_addr: remote,
        });
        let socket_ex = Token::SocketEx(SocketEx {
            domain: 26,
            socket_type: 2,
            local_port: 40000,
            local_addr: "2001:db8::2".parse().unwrap(),
            remote_port: 443,
            remote_addr: "::ffff:10.0.0.254".parse().unwrap(),
        });
        let inet32 = Token::SockInet32(SockInet32 {
            family: 2,
            port: 53,
            addr: remote,
        });
        let inet128 = Token::SockInet128(SockInet128 {
            family: 26,
            port: 8080,
            addr: "2001:db8::2".parse().unwrap(),
        });
        let wants = |text: &str, token: &Token<'_>| {
            SocketEndpoint::parse(text).unwrap().matches_token(token)
        };
        assert!(wants("22", &socket));
        assert!(wants("40000", &socket));
        assert!(!wants("23", &socket));
        assert!(wants("10.0.0.254:22", &socket));
        assert!(
            !wants("10.0.0.254:40000", &socket),
            "port and address of one end"
        );
        assert!(wants("10.0.0.254", &socket_ex), "IPv4-mapped equals IPv4");
        assert!(wants("[2001:db8::2]:40000", &socket_ex));
        assert!(wants("53", &inet32));
        assert!(wants("2001:db8::2", &inet128));
        assert!(!wants(
            "8080",
            &Token::IpPort(bsm_format::IpPort { port: 8080 })
        ));
    }

    #[test]
    fn zone_globs_as_fnmatch() {
        let glob = |p: &str, name: &str| ZoneGlob::new(p).matches(name.as_bytes());
        assert!(glob("global", "global"));
        assert!(!glob("global", "globalx"));
        assert!(glob("web*", "web01"));
        assert!(glob("web*", "web"));
        assert!(glob("*01", "web01"));
        assert!(glob("w?b[0-9][!a-z]", "web01"));
        assert!(!glob("w?b[0-9][!0-9]", "web01"));
        assert!(glob("*b*1", "web01"));
        assert!(glob("[]x]", "]"));
        assert!(glob("a[", "a["));
        assert!(glob("\\*", "*"));
        assert!(!glob("\\*", "x"));
        assert!(glob("*", ""));
        assert!(!glob("?", ""));
    }
}
