//! The collector's allow-list: the peer networks that may connect at all,
//! checked on the peer's address at accept, before any TLS byte is read.
//!
//! One rule a line, a network in CIDR form (`10.1.0.0/16`, `2001:db8::/32`)
//! or a single address (`127.0.0.2`, `::1`); `#` starts a comment. An IPv4
//! peer reached through an IPv6 socket (`::ffff:a.b.c.d`) is judged by its
//! IPv4 address.

use std::fmt;
use std::fs;
use std::net::IpAddr;
use std::path::Path;

use ipnet::IpNet;

/// A network peers may connect from, and where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub network: IpNet,
    /// Its line in the allow-list file (1-based).
    pub line: usize,
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (line {})", self.network, self.line)
    }
}

/// The rules of one allow-list file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowList {
    rules: Vec<Rule>,
}

/// A line of an allow-list that is not a network.
#[derive(Debug, thiserror::Error)]
pub enum AllowListError {
    #[error("{path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: line {line}: {text:?} is not a network (a.b.c.d/n, x:y::/n or an address)")]
    Line {
        path: String,
        line: usize,
        text: String,
    },
}

impl AllowList {
    /// Parses the text of an allow-list; `path` names it in errors.
    pub fn parse(text: &str, path: &str) -> Result<AllowList, AllowListError> {
        let mut rules = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let rule = line.split('#').next().unwrap_or_default().trim();
            if rule.is_empty() {
                continue;
            }
            let network = rule
                .parse::<IpNet>()
                .or_else(|_| rule.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| AllowListError::Line {
                    path: path.to_owned(),
                    line: index + 1,
                    text: rule.to_owned(),
                })?;
            rules.push(Rule {
                network: network.trunc(),
                line: index + 1,
            });
        }
        Ok(AllowList { rules })
    }

    pub fn load(path: &Path) -> Result<AllowList, AllowListError> {
        let name = path.display().to_string();
        let text = fs::read_to_string(path).map_err(|source| AllowListError::Read {
            path: name.clone(),
            source,
        })?;
        AllowList::parse(&text, &name)
    }

    /// The first rule that lets `peer` in; `None`: refuse it.
    pub fn admits(&self, peer: IpAddr) -> Option<&Rule> {
        let peer = match peer {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(peer, IpAddr::V4),
            v4 => v4,
        };
        self.rules.iter().find(|rule| rule.network.contains(&peer))
    }

    pub fn len(&self) -> usize {
        self.rules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn networks_and_addresses_of_both_families_admit_their_peers_only() {
        let list = AllowList::parse(
            "# lab\n127.0.0.2\n10.1.0.0/16  # the fleet\n\n2001:db8::/32\n",
            "allow",
        )
        .unwrap();
        assert_eq!(list.len(), 3);
        assert_eq!(list.admits(addr("127.0.0.2")).map(|r| r.line), Some(2));
        assert_eq!(list.admits(addr("127.0.0.3")), None);
        assert_eq!(list.admits(addr("10.1.255.7")).map(|r| r.line), Some(3));
        assert_eq!(list.admits(addr("10.2.0.1")), None);
        assert_eq!(list.admits(addr("2001:db8:1::5")).map(|r| r.line), Some(5));
        assert_eq!(list.admits(addr("2001:db9::5")), None);
        assert_eq!(
            list.admits(addr("::ffff:127.0.0.2")).map(|r| r.line),
            Some(2),
            "a mapped IPv4 peer is judged as IPv4"
        );
    }

    #[test]
    fn a_bad_line_is_named() {
        let err = AllowList::parse("127.0.0.1\n10.0.0.0/33\n", "allow.conf").unwrap_err();
        assert_eq!(
            err.to_string(),
            "allow.conf: line 2: \"10.0.0.0/33\" is not a network (a.b.c.d/n, x:y::/n or an address)"
        );
    }

    #[test]
    fn an_empty_list_admits_nobody() {
        let list = AllowList::parse("# nobody yet\n", "allow").unwrap();
        assert!(list.is_empty());
        assert_eq!(list.admits(addr("127.0.0.1")), None);
    }
}
