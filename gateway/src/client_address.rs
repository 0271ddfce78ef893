//! The client's address, for the limits kept per address. Behind a reverse
//! proxy or load balancer, the TCP peer is the proxy: `X-Forwarded-For` is
//! believed only when the peer is one of `TRUSTED_PROXIES`, and then read
//! from the right, skipping trusted hops, so a client cannot choose its
//! address by sending the header itself.

use std::net::{IpAddr, SocketAddr};

use ipnet::IpNet;
use mdsc_core::Error;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// A comma-separated list of addresses and CIDR networks:
    /// `127.0.0.1, 10.0.0.0/8, ::1`.
    pub fn parse(list: &str) -> Result<Self, Error> {
        list.split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                entry
                    .parse::<IpNet>()
                    .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| {
                        Error::config(format!(
                            "TRUSTED_PROXIES: {entry:?} is neither an IP address nor a CIDR network"
                        ))
                    })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn trusts(&self, address: IpAddr) -> bool {
        let address = canonical(address);
        self.0.iter().any(|net| net.contains(&address))
    }

    /// The client behind `peer`: the peer itself unless it is a trusted
    /// proxy; otherwise the right-most `X-Forwarded-For` entry that is not a
    /// trusted proxy. An unreadable entry (which only a client can have
    /// written) stops the walk at the last trusted hop.
    pub fn client_of<'a>(
        &self,
        peer: Option<IpAddr>,
        forwarded_for: impl IntoIterator<Item = &'a str>,
    ) -> Option<IpAddr> {
        let peer = canonical(peer?);
        if !self.trusts(peer) {
            return Some(peer);
        }
        let hops: Vec<&str> = forwarded_for
            .into_iter()
            .flat_map(|header| header.split(','))
            .map(str::trim)
            .filter(|hop| !hop.is_empty())
            .collect();
        let mut client = peer;
        for hop in hops.into_iter().rev() {
            let Some(address) = parse_hop(hop) else {
                break;
            };
            client = canonical(address);
            if !self.trusts(client) {
                break;
            }
        }
        Some(client)
    }
}

/// `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1` or `[2001:db8::1]:443`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|s| s.ip()))
}

/// IPv4 clients of a dual-stack socket arrive as `::ffff:a.b.c.d`.
fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> Option<IpAddr> {
        s.parse().ok()
    }

    fn proxies(list: &str) -> TrustedProxies {
        TrustedProxies::parse(list).unwrap_or_default()
    }

    #[test]
    fn without_trusted_proxies_the_header_is_ignored() {
        let none = TrustedProxies::default();
        assert_eq!(
            none.client_of(ip("203.0.113.9"), ["198.51.100.1"]),
            ip("203.0.113.9")
        );
        assert_eq!(none.client_of(None, ["198.51.100.1"]), None);
    }

    #[test]
    fn behind_a_trusted_proxy_the_rightmost_untrusted_hop_is_the_client() {
        let trusted = proxies("10.0.0.0/8, 127.0.0.1");
        // The client forged a first entry; the proxies appended the rest.
        assert_eq!(
            trusted.client_of(ip("10.0.0.2"), ["6.6.6.6, 203.0.113.7, 10.0.0.1"]),
            ip("203.0.113.7")
        );
        // Several headers read as one list, ports and brackets accepted.
        assert_eq!(
            trusted.client_of(ip("127.0.0.1"), ["[2001:db8::5]:443", "10.1.1.1:80"]),
            ip("2001:db8::5")
        );
        // No header: the proxy is the best we know.
        assert_eq!(
            trusted.client_of(ip("127.0.0.1"), std::iter::empty()),
            ip("127.0.0.1")
        );
        // Garbage stops the walk at the last trusted hop.
        assert_eq!(
            trusted.client_of(ip("10.0.0.2"), ["not-an-ip, 10.0.0.1"]),
            ip("10.0.0.1")
        );
        // An untrusted peer's header is never read.
        assert_eq!(
            trusted.client_of(ip("203.0.113.50"), ["10.0.0.1"]),
            ip("203.0.113.50")
        );
        assert_eq!(
            trusted.client_of(ip("::ffff:10.0.0.3"), ["198.51.100.4"]),
            ip("198.51.100.4")
        );
    }

    #[test]
    fn bad_entries_are_configuration_errors() {
        assert!(TrustedProxies::parse("10.0.0.0/8, nope").is_err());
        assert!(TrustedProxies::parse("").is_ok_and(|p| p.is_empty()));
        assert!(TrustedProxies::parse("::1, 192.168.0.0/16").is_ok());
    }
}
