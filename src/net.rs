//! The client's IP address: the peer, unless the peer is a trusted proxy, in which case
//! the nearest untrusted address in `X-Forwarded-For`.

use std::net::IpAddr;

use actix_web::HttpRequest;
use ipnetwork::IpNetwork;

/// `::ffff:a.b.c.d` is the IPv4 address it wraps.
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    }
}

pub fn client_ip(req: &HttpRequest, trusted: &[IpNetwork]) -> Option<IpAddr> {
    let peer = canonical(req.peer_addr()?.ip());
    if !is_trusted(peer, trusted) {
        return Some(peer);
    }
    // Every X-Forwarded-For line, in order: a proxy may add its own line rather than
    // append to the client's, and the client's line must not be taken for the truth.
    let header = req
        .headers()
        .get_all("x-forwarded-for")
        .map(|v| v.to_str().unwrap_or("invalid"))
        .collect::<Vec<_>>()
        .join(",");
    let mut client = peer;
    // Walk from the nearest hop outwards; stop at the first address we do not trust.
    for hop in header.rsplit(',') {
        match hop.trim().parse::<IpAddr>() {
            Ok(ip) => {
                client = canonical(ip);
                if !is_trusted(client, trusted) {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    Some(client)
}

pub fn is_trusted(ip: IpAddr, trusted: &[IpNetwork]) -> bool {
    trusted.iter().any(|net| net.contains(ip))
}

/// For logs and the audit log.
pub fn client_ip_string(req: &HttpRequest, trusted: &[IpNetwork]) -> String {
    client_ip(req, trusted)
        .map(|ip| ip.to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// Raises the soft limit on open files to the hard one (SPEC §12) and returns the
/// connection cap to use: the configured one, kept at least 256 below that limit.
pub fn connection_cap(configured: u32) -> u32 {
    let limit = match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => limit,
        Err(e) => {
            tracing::warn!(error = %e, "could not raise the open-file limit");
            rlimit::getrlimit(rlimit::Resource::NOFILE).map_or(1024, |(soft, _)| soft)
        }
    };
    let room = limit.saturating_sub(256).max(1);
    let cap = u64::from(configured).min(room) as u32;
    if cap < configured {
        tracing::warn!(
            configured,
            cap,
            open_file_limit = limit,
            "PAYDESK_MAX_CONNECTIONS is above the open-file limit; capped"
        );
    }
    cap
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn req(peer: &str, xff: Option<&str>) -> HttpRequest {
        let mut r = TestRequest::default().peer_addr(peer.parse().unwrap());
        if let Some(x) = xff {
            r = r.insert_header(("x-forwarded-for", x));
        }
        r.to_http_request()
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let trusted: Vec<IpNetwork> = vec!["10.0.0.0/8".parse().unwrap()];
        let ip = |p, x| client_ip(&req(p, x), &trusted).unwrap().to_string();
        assert_eq!(ip("203.0.113.9:1", Some("1.2.3.4")), "203.0.113.9");
        assert_eq!(ip("10.0.0.1:1", Some("1.2.3.4")), "1.2.3.4");
        assert_eq!(
            ip("10.0.0.1:1", Some("6.6.6.6, 1.2.3.4, 10.0.0.2")),
            "1.2.3.4"
        );
        assert_eq!(ip("10.0.0.1:1", None), "10.0.0.1");
        assert_eq!(ip("[::ffff:192.0.2.1]:1", None), "192.0.2.1");
        // Two header lines: the proxy's own (last) line is the one believed.
        let two = TestRequest::default()
            .peer_addr("10.0.0.1:1".parse().unwrap())
            .append_header(("x-forwarded-for", "203.0.113.7"))
            .append_header(("x-forwarded-for", "198.51.100.2"))
            .to_http_request();
        assert_eq!(
            client_ip(&two, &trusted).unwrap().to_string(),
            "198.51.100.2"
        );
    }
}
