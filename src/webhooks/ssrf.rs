//! Where webhooks may go (SPEC §9): only to globally reachable addresses, checked when an
//! endpoint is created and again at every delivery, and the connection goes to the
//! address that was checked (no second lookup an attacker could answer differently).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use url::Url;

/// Whether an address is globally reachable per IANA's special-purpose registries.
/// IPv4-mapped IPv6 addresses are judged as the IPv4 address they carry.
pub fn globally_reachable(ip: IpAddr) -> bool {
    match crate::net::canonical(ip) {
        IpAddr::V4(v4) => v4_global(v4),
        IpAddr::V6(v6) => v6_global(v6),
    }
}

fn v4_global(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // CGNAT 100.64/10
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments 192.0.0/24
        || (a == 198 && (b == 18 || b == 19)) // benchmarking 198.18/15
        || a >= 240) // reserved 240/4
}

fn v6_global(ip: Ipv6Addr) -> bool {
    if let Some(v4) = embedded_v4(ip) {
        return v4_global(v4);
    }
    let s = ip.segments();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (s[0] & 0xfe00) == 0xfc00 // unique local fc00::/7
        || (s[0] & 0xffc0) == 0xfe80 // link-local fe80::/10
        || (s[0] & 0xffc0) == 0xfec0 // site-local fec0::/10 (deprecated, still routed inside sites)
        || (s[0] == 0x64 && s[1] == 0xff9b) // NAT64 64:ff9b::/96 and /48
        || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation 2001:db8::/32
        || (s[0] == 0x3fff && s[1] < 0x1000) // documentation 3fff::/20
        || (s[0] == 0x2001 && s[1] < 0x0200) // IETF protocol assignments 2001::/23, Teredo 2001::/32
        || s[0] == 0x0100 && s[1] == 0 && s[2] == 0 && s[3] == 0) // discard-only 100::/64
}

/// The IPv4 address an IPv6 address carries where a router or the host's stack may take
/// it to that IPv4 address: IPv4-compatible `::a.b.c.d` (not `::` and `::1`),
/// IPv4-translated `::ffff:0:a.b.c.d` and 6to4 `2002:aabb:ccdd::/48`. (`::ffff:a.b.c.d`
/// is already judged as IPv4 by `canonical`.)
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let v4 = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    match s {
        [0, 0, 0, 0, 0, 0, 0, 0 | 1] => None,
        [0, 0, 0, 0, 0, 0, hi, lo] | [0, 0, 0, 0, 0xffff, 0, hi, lo] => Some(v4(hi, lo)),
        [0x2002, hi, lo, ..] => Some(v4(hi, lo)),
        _ => None,
    }
}

/// The form `check_form` takes, for the OpenAPI document: `http(s)://`, a host with no
/// user info, then a path, query or fragment without white space or control characters.
pub const URL_PATTERN: &str =
    r"^https?://[^/?#@\\\s\x00-\x1f\x7f-\x9f]+([/?#\\][^\s\x00-\x1f\x7f-\x9f]*)?$";

/// Checks a URL's form for an endpoint: `https` (or `http` in test mode), a host, no
/// user info.
pub fn check_form(url: &str, live: bool) -> Result<Url, String> {
    // What `URL_PATTERN` says, checked as sent: the parser would forgive case and spaces.
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err("must start with https://".into());
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("must not contain spaces or control characters".into());
    }
    let rest = url.split_once("://").map_or("", |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#', '\\']).next().unwrap_or("");
    if authority.is_empty() {
        return Err("must name a host".into());
    }
    if authority.contains('@') {
        return Err("must not hold a user name or password".into());
    }
    let parsed = Url::parse(url)
        .map_err(|_| "must be a full URL such as https://example.com/webhooks".to_owned())?;
    match parsed.scheme() {
        "https" => {}
        "http" if !live => {}
        "http" => return Err("must use https:// for a live endpoint".into()),
        _ => return Err("must start with https://".into()),
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err("must name a host".into());
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err("must not hold a user name or password".into());
    }
    Ok(parsed)
}

/// A new endpoint URL, checked for form and for where it resolves now; the URL to
/// store, or what is wrong with it.
pub async fn checked(url: &str, live: bool, allow_private: bool) -> Result<String, String> {
    let parsed = check_form(url, live)?;
    resolve(&parsed, allow_private).await?;
    Ok(parsed.to_string())
}

/// Resolves the URL's host and returns the address to connect to, refusing the URL if
/// any address it resolves to is not globally reachable (unless `allow_private`).
pub async fn resolve(url: &Url, allow_private: bool) -> Result<SocketAddr, String> {
    let host = url
        .host_str()
        .ok_or("no host")?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let port = url.port_or_known_default().ok_or("no port")?;
    let addrs: Vec<SocketAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => tokio::net::lookup_host((host.as_str(), port))
            .await
            .map_err(|e| format!("{host} does not resolve: {e}"))?
            .collect(),
    };
    let first = *addrs
        .first()
        .ok_or_else(|| format!("{host} resolves to no address"))?;
    if !allow_private && let Some(bad) = addrs.iter().find(|a| !globally_reachable(a.ip())) {
        return Err(format!(
            "resolves to {} ({host}), which is not a public address; to test with a \
             receiver on your own machine, start Paydesk with PAYDESK_WEBHOOK_ALLOW_PRIVATE=true \
             (development only)",
            bad.ip()
        ));
    }
    Ok(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_loopback_link_local_and_special_addresses_are_refused() {
        for bad in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "192.0.2.1",
            "198.18.0.1",
            "240.0.0.1",
            "::1",
            "::",
            "fc00::1",
            "fd12::1",
            "fe80::1",
            "64:ff9b::1.2.3.4",
            "2001:db8::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "ff02::1",
            // IPv4-compatible ::/96, IPv4-translated ::ffff:0:0:0/96 and 6to4 2002::/16
            // carrying an address that is not public
            "::127.0.0.1",
            "::10.0.0.1",
            "::169.254.169.254",
            "::ffff:0:127.0.0.1",
            "::ffff:0:192.168.0.1",
            "2002:7f00:1::1",
            "2002:a00:1::1",
            "2002:a9fe:a9fe::1",
            // NAT64 64:ff9b::/96 with a private address inside (and any other)
            "64:ff9b::127.0.0.1",
            "64:ff9b::10.0.0.1",
            "64:ff9b:1::1",
            // Teredo 2001::/32, site-local fec0::/10, documentation 3fff::/20
            "2001::1",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2",
            "fec0::1",
            "feff::1",
            "3fff::1",
        ] {
            assert!(!globally_reachable(bad.parse().unwrap()), "{bad} taken");
        }
        for good in [
            "93.184.216.34",
            "1.1.1.1",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
            "::8.8.8.8",
            "::ffff:0:8.8.8.8",
            "2002:808:808::1",
            "2a00:1450:4001::1",
        ] {
            assert!(globally_reachable(good.parse().unwrap()), "{good} refused");
        }
    }

    #[test]
    fn urls_must_be_https_for_live() {
        assert!(check_form("https://example.com/hook", true).is_ok());
        assert!(check_form("http://example.com/hook", false).is_ok());
        assert!(check_form("http://example.com/hook", true).is_err());
        assert!(check_form("ftp://example.com", false).is_err());
        assert!(check_form("https://user:pw@example.com", false).is_err());
        assert!(check_form("not a url", false).is_err());
        assert!(check_form(" https://example.com/hook", false).is_err());
        assert!(check_form("HTTPS://example.com/hook", false).is_err());
        assert!(check_form("https://example.com/a b", false).is_err());
        let schema = serde_json::json!({"type": "string", "pattern": URL_PATTERN});
        let validator = jsonschema::validator_for(&schema).unwrap();
        let pattern = |url: &str| validator.is_valid(&serde_json::json!(url));
        for (url, ok) in [
            ("https://example.com/hook?x=1", true),
            ("http://[::1]:8080/", true),
            ("https://user@example.com/", false),
            ("https://a\\b@example.com/", true),
            ("https:///path", false),
            ("https://\u{f}host/", false),
            ("https://host/\u{85}", false),
        ] {
            assert_eq!(pattern(url), ok, "{url}");
            if ok {
                assert!(check_form(url, false).is_ok(), "{url}");
            } else {
                assert!(check_form(url, false).is_err(), "{url}");
            }
        }
    }
}
