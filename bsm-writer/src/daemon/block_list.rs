//! audit_control's `block-from:` lines: the remote networks whose data the
//! lxbsm device denies (kernel-source/lxbsm.h, `LXBSM_IOC_ADD_BLOCK`).
//!
//! ```text
//! block-from: 203.0.113.0/24, 198.51.100.7 port 22
//! block-from: 2001:db8::/32 port 443
//! ```
//!
//! Each line holds one or more entries separated by commas: a network in
//! CIDR notation (a bare address is one host), optionally followed by
//! `port N` (the peer's port; without it, any port). Entries are numbered
//! from 1 in file order; the number is the rule's id, which the device's
//! denial records name ("lxbsm: blocked by rule 2: 198.51.100.7/32 port 22").
//! A network with bits set past its prefix (`10.1.2.3/8`) is an error, as
//! is the same network and port twice.

use ipnet::IpNet;
use std::fmt;
use std::net::IpAddr;

/// One entry of a `block-from:` line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BlockRule {
    /// The rule's number: its position among all entries, from 1.
    pub id: u32,
    pub net: IpNet,
    /// The peer's port; `None`: any.
    pub port: Option<u16>,
}

impl fmt::Display for BlockRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "rule {}: {}", self.id, self.net)?;
        if let Some(port) = self.port {
            write!(f, " port {port}")?;
        }
        Ok(())
    }
}

/// Parses the value of a `block-from:` line; `next_id` is the id of its
/// first entry.
pub fn parse_entries(value: &str, next_id: u32) -> Result<Vec<BlockRule>, String> {
    let mut rules = Vec::new();
    for (index, entry) in value.split(',').map(str::trim).enumerate() {
        if entry.is_empty() {
            return Err(format!("block-from: an empty entry in {value:?}"));
        }
        let id = next_id + index as u32;
        rules.push(parse_entry(entry, id)?);
    }
    Ok(rules)
}

fn parse_entry(entry: &str, id: u32) -> Result<BlockRule, String> {
    let mut words = entry.split_whitespace();
    let net_text = words.next().unwrap_or_default();
    let port = match (words.next(), words.next(), words.next()) {
        (None, _, _) => None,
        (Some("port"), Some(port), None) => Some(
            port.parse::<u16>()
                .ok()
                .filter(|port| *port != 0)
                .ok_or_else(|| format!("block-from: {port:?} is not a port (1 to 65535)"))?,
        ),
        _ => {
            return Err(format!(
                "block-from: {entry:?} is not NETWORK or NETWORK port N"
            ));
        }
    };
    let net = parse_net(net_text)?;
    Ok(BlockRule { id, net, port })
}

fn parse_net(text: &str) -> Result<IpNet, String> {
    let net = match text.parse::<IpNet>() {
        Ok(net) => net,
        Err(_) => match text.parse::<IpAddr>() {
            Ok(addr) => IpNet::from(addr),
            Err(_) => {
                return Err(format!(
                    "block-from: {text:?} is neither a network (CIDR) nor an address"
                ));
            }
        },
    };
    if net.trunc() != net {
        return Err(format!(
            "block-from: {text} has bits set past its prefix (the network is {})",
            net.trunc()
        ));
    }
    Ok(net)
}

/// Refuses a second rule for the same network and port.
pub fn check_unique(rules: &[BlockRule]) -> Result<(), String> {
    for (index, rule) in rules.iter().enumerate() {
        if let Some(earlier) = rules[..index]
            .iter()
            .find(|earlier| earlier.net == rule.net && earlier.port == rule.port)
        {
            return Err(format!("block-from: {} repeats {}", rule, earlier));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(text: &str) -> IpNet {
        text.parse().unwrap()
    }

    #[test]
    fn entries_are_networks_with_an_optional_port_numbered_in_order() {
        let rules = parse_entries(
            " 203.0.113.0/24, 198.51.100.7 port 22 ,2001:db8::/32 port 443",
            4,
        )
        .unwrap();
        assert_eq!(
            rules,
            [
                BlockRule {
                    id: 4,
                    net: net("203.0.113.0/24"),
                    port: None
                },
                BlockRule {
                    id: 5,
                    net: net("198.51.100.7/32"),
                    port: Some(22)
                },
                BlockRule {
                    id: 6,
                    net: net("2001:db8::/32"),
                    port: Some(443)
                },
            ]
        );
        assert_eq!(parse_entries("::1", 1).unwrap()[0].net, net("::1/128"));
        assert_eq!(rules[1].to_string(), "rule 5: 198.51.100.7/32 port 22");
    }

    #[test]
    fn bad_entries_say_what_is_wrong() {
        for (value, problem) in [
            (
                "10.1.2.3/8",
                "bits set past its prefix (the network is 10.0.0.0/8)",
            ),
            ("10.0.0.0/33", "neither a network"),
            ("example.org", "neither a network"),
            ("10.0.0.0/8 port 0", "not a port"),
            ("10.0.0.0/8 port 65536", "not a port"),
            ("10.0.0.0/8 22", "not NETWORK or NETWORK port N"),
            ("10.0.0.0/8 port 22 extra", "not NETWORK or NETWORK port N"),
            ("10.0.0.0/8,,10.0.0.1", "an empty entry"),
            ("", "an empty entry"),
        ] {
            let err = parse_entries(value, 1).unwrap_err();
            assert!(err.contains(problem), "{value:?}: {err}");
        }
    }

    #[test]
    fn the_same_network_and_port_twice_is_refused() {
        let rules = parse_entries("10.0.0.0/8, 10.0.0.0/8 port 22, 10.0.0.0/8", 1).unwrap();
        let err = check_unique(&rules).unwrap_err();
        assert!(err.contains("rule 3: 10.0.0.0/8 repeats rule 1"), "{err}");
        assert!(check_unique(&rules[..2]).is_ok());
    }
}
