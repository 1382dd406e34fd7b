//! A key's settings as typed (in the Hub's form or the API's JSON), checked: label,
//! permissions, allowed IPs, rate limit, expiry and version pin. Errors name the field.

use std::net::IpAddr;

use ipnetwork::IpNetwork;

use super::permissions::Access;
use super::spend::SpendLimitDraft;
use crate::db::models::spend::SpendLimit;
use crate::error::FieldErrors;
use crate::versions;

pub const DEFAULT_RATE_LIMIT: i32 = 100;
pub const MAX_RATE_LIMIT: i32 = 100_000;
pub const MAX_EXPIRY_DAYS: i64 = 3_650;
const MAX_ALLOWED_IPS: usize = 100;

/// The settings of a key as typed, before checking. Text fields hold what the person or
/// script sent, so errors can name it.
#[derive(Debug, Clone)]
pub struct KeyDraft {
    pub name: String,
    pub mode: String,
    /// Already read by the edge (matrix or JSON); Err holds the message for the field.
    pub permissions: Result<Access, String>,
    pub allowed_ips: Vec<String>,
    pub rate_limit: String,
    pub expires_in_days: String,
    pub api_version: String,
    pub require_signature: bool,
    /// A canary key (SPEC §12): no permissions whatever `permissions` says.
    pub canary: bool,
    /// Spend limits as typed (SPEC §17); empty for none.
    pub spend_limits: Vec<SpendLimitDraft>,
}

impl Default for KeyDraft {
    fn default() -> Self {
        Self {
            name: String::new(),
            mode: "test".into(),
            permissions: Ok(Access::Scoped(Default::default())),
            allowed_ips: vec![],
            rate_limit: String::new(),
            expires_in_days: String::new(),
            api_version: String::new(),
            require_signature: false,
            canary: false,
            spend_limits: vec![],
        }
    }
}

/// A checked configuration.
pub(super) struct KeyConfig {
    pub name: String,
    pub access: Access,
    pub allowed_ips: Vec<IpNetwork>,
    pub rate_limit: i32,
    pub api_version: Option<String>,
    pub require_signature: bool,
    pub canary: bool,
    pub spend_limits: Vec<SpendLimit>,
}

/// A key's label, trimmed: 1 to 100 characters on one line. `missing` is what to say
/// when it is empty. The API keys' and the management keys' forms and bodies share it.
pub(super) fn check_label(label: &str, missing: &str, errors: &mut FieldErrors) -> String {
    let name = label.trim().to_owned();
    if name.is_empty() {
        errors.insert("name", missing.into());
    } else if name.chars().count() > 100 {
        errors.insert("name", "Use at most 100 characters.".into());
    } else if name.chars().any(char::is_control) {
        // A line break or NUL would break lists, logs and exports that show the label.
        errors.insert(
            "name",
            "Use one line of text: no line breaks, tabs or other control characters.".into(),
        );
    }
    name
}

pub(super) fn check_config(draft: &KeyDraft, errors: &mut FieldErrors) -> Option<KeyConfig> {
    let name = check_label(
        &draft.name,
        "Give the key a label, such as \"Production backend\".",
        errors,
    );
    let access = match &draft.permissions {
        // A canary can do nothing: every use is answered like an unknown key.
        _ if draft.canary => Some(Access::Scoped(Default::default())),
        Ok(a) => Some(a.clone()),
        Err(e) => {
            errors.insert("permissions", e.clone());
            None
        }
    };
    let allowed_ips = match parse_allowed_ips(&draft.allowed_ips) {
        Ok(ips) => Some(ips),
        Err(e) => {
            errors.insert("allowed_ips", e);
            None
        }
    };
    let rate_limit = match draft.rate_limit.trim() {
        "" => Some(DEFAULT_RATE_LIMIT),
        text => {
            match text.parse::<i32>() {
                Ok(n) if (1..=MAX_RATE_LIMIT).contains(&n) => Some(n),
                _ => {
                    errors.insert(
                    "rate_limit",
                    format!("Enter a whole number of requests per minute from 1 to {MAX_RATE_LIMIT}."),
                );
                    None
                }
            }
        }
    };
    let api_version = match draft.api_version.trim() {
        "" => None,
        v if versions::is_supported(v) => Some(v.to_owned()),
        v => {
            errors.insert(
                "api_version",
                format!(
                    "{v:?} is not a Paydesk API version; use one of {}.",
                    versions::SUPPORTED.join(", ")
                ),
            );
            None
        }
    };
    let spend_limits = match super::spend::check_limits(&draft.spend_limits) {
        Ok(limits) => Some(limits),
        Err(e) => {
            errors.insert("spend_limits", e);
            None
        }
    };
    Some(KeyConfig {
        spend_limits: spend_limits?,
        name,
        access: access?,
        allowed_ips: allowed_ips?,
        rate_limit: rate_limit?,
        api_version,
        require_signature: draft.require_signature,
        canary: draft.canary,
    })
}

/// The shape of an `allowed_ips` entry, for the OpenAPI document: an IPv4 or IPv6
/// address (hex groups, `::` once; the IPv4-in-IPv6 spellings the parser also takes are
/// left out) with an optional prefix length. Host bits are the parser's alone to judge.
/// An item of an IP allowlist in the OpenAPI document: the `IpAddressOrBlock` schema,
/// held once (the keys' and the management keys' bodies name it).
pub fn ip_item() -> utoipa::openapi::Ref {
    utoipa::openapi::Ref::from_schema_name("IpAddressOrBlock")
}

/// The `IpAddressOrBlock` schema [`ip_item`] refers to.
pub fn ip_item_schema() -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .pattern(Some(IP_PATTERN))
        .description(Some(
            "An IPv4 or IPv6 address, or a CIDR block with no host bits such as `10.0.0.0/24`.",
        ))
        .build()
}

pub const IP_PATTERN: &str = r"^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}(/(3[0-2]|[12]?[0-9]))?|(([0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}|([0-9A-Fa-f]{1,4}:){1,7}:|([0-9A-Fa-f]{1,4}:){1,6}:[0-9A-Fa-f]{1,4}|([0-9A-Fa-f]{1,4}:){1,5}(:[0-9A-Fa-f]{1,4}){1,2}|([0-9A-Fa-f]{1,4}:){1,4}(:[0-9A-Fa-f]{1,4}){1,3}|([0-9A-Fa-f]{1,4}:){1,3}(:[0-9A-Fa-f]{1,4}){1,4}|([0-9A-Fa-f]{1,4}:){1,2}(:[0-9A-Fa-f]{1,4}){1,5}|[0-9A-Fa-f]{1,4}:(:[0-9A-Fa-f]{1,4}){1,6}|:((:[0-9A-Fa-f]{1,4}){1,7}|:))(/(12[0-8]|1[01][0-9]|[1-9]?[0-9]))?)$";

/// IPv4/IPv6 addresses and CIDR blocks, every entry as given: nothing is dropped or
/// rewritten. A blank entry, or a block with host bits set (`10.0.0.5/24`), is an error
/// naming it (with the block meant); so is anything that is not an address or block.
pub fn parse_allowed_ips(entries: &[String]) -> Result<Vec<IpNetwork>, String> {
    let mut good = Vec::new();
    let mut not_ips = Vec::new();
    let mut other = Vec::new();
    for entry in entries.iter().map(|e| e.trim()) {
        match parse_network(entry) {
            Ok(net) => good.push(net),
            Err(None) => not_ips.push(format!("{entry:?}")),
            Err(Some(why)) => other.push(why),
        }
    }
    if !not_ips.is_empty() {
        other.insert(
            0,
            format!("Not an IP address or CIDR block: {}", not_ips.join(", ")),
        );
    }
    if !other.is_empty() {
        let said: Vec<String> = other.iter().map(|o| crate::error::sentence(o)).collect();
        return Err(format!(
            "{} Use entries like 203.0.113.7, 10.0.0.0/24 or 2001:db8::/64.",
            said.join(" ")
        ));
    }
    // `0.0.0.0` is how some providers write "any address" (SPEC §13); kept as a literal
    // it would match no client and lock the key out, so it is stored as no restriction.
    if entries.iter().any(|e| e.trim() == "0.0.0.0") {
        return Ok(Vec::new());
    }
    if good.len() > MAX_ALLOWED_IPS {
        return Err(format!("Use at most {MAX_ALLOWED_IPS} entries."));
    }
    good.dedup();
    Ok(good)
}

/// One entry; `Err(None)` when it is no address or block at all, `Err(Some(why))` when it
/// is one but must be written otherwise.
fn parse_network(entry: &str) -> Result<IpNetwork, Option<String>> {
    if entry.is_empty() {
        return Err(Some("An entry is empty".into()));
    }
    let net: IpNetwork = entry.parse().map_err(|_| None)?;
    // `::ffff:a.b.c.d` is stored as the IPv4 address, matching how requests are read.
    let ip = crate::net::canonical(net.ip());
    let prefix = match (net.ip(), ip) {
        (IpAddr::V6(_), IpAddr::V4(_)) => net.prefix().checked_sub(96).ok_or(None)?,
        _ => net.prefix(),
    };
    let net = IpNetwork::new(ip, prefix).map_err(|_| None)?;
    if net.network() != ip {
        return Err(Some(format!(
            "{entry:?} has host bits set: did you mean {}/{prefix}?",
            net.network()
        )));
    }
    Ok(net)
}

pub(super) fn store_ips(ips: &[IpNetwork]) -> String {
    ips.iter()
        .map(|n| format!("{}/{}", n.network(), n.prefix()))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        /// Any list an attacker sends is parsed entry by entry, all or nothing, without
        /// a panic; what is taken is exactly one network per distinct entry.
        #[test]
        fn any_ip_list_is_taken_whole_or_refused(entries in proptest::collection::vec(
            prop_oneof![
                "[0-9a-f:./ ]{0,45}",
                (any::<[u8; 4]>(), 0u8..=40).prop_map(|(ip, p)| format!("{}.{}.{}.{}/{p}", ip[0], ip[1], ip[2], ip[3])),
                any::<std::net::Ipv6Addr>().prop_map(|ip| ip.to_string()),
            ],
            0..8,
        )) {
            if let Ok(nets) = parse_allowed_ips(&entries) {
                prop_assert!(nets.len() <= entries.len());
                for e in &entries {
                    prop_assert!(!e.trim().is_empty(), "a blank entry was taken");
                }
            }
        }
    }

    use super::*;
    use crate::keys::model::display_network;

    #[test]
    fn a_label_is_one_line_of_at_most_100_characters() {
        let check = |name: &str| {
            let mut errors = FieldErrors::new();
            let draft = KeyDraft {
                name: name.into(),
                ..KeyDraft::default()
            };
            check_config(&draft, &mut errors);
            errors.get("name").cloned()
        };
        assert_eq!(check("Production backend"), None);
        assert_eq!(check(&"é".repeat(100)), None);
        for bad in ["two\nlines", "nul\0", "tab\there", "bell\u{7}"] {
            assert!(check(bad).unwrap().contains("no line breaks"), "{bad:?}");
        }
        assert!(check(&"x".repeat(101)).unwrap().contains("at most 100"));
    }

    #[test]
    fn allowed_ips_accept_addresses_and_blocks_and_name_bad_entries() {
        let ok = parse_allowed_ips(&[
            "203.0.113.7".into(),
            "10.0.0.0/24".into(),
            "2001:db8::/64".into(),
        ])
        .unwrap();
        let shown: Vec<_> = ok.iter().map(|n| display_network(*n)).collect();
        assert_eq!(shown, ["203.0.113.7", "10.0.0.0/24", "2001:db8::/64"]);
        // Nothing is dropped or rewritten: a blank entry and host bits are refused.
        let err = parse_allowed_ips(&["10.0.0.5/24".into(), " ".into()]).unwrap_err();
        assert!(err.contains("did you mean 10.0.0.0/24"), "{err}");
        assert!(!err.contains("?."), "one closing mark: {err}");
        assert!(err.contains("An entry is empty"), "{err}");
        let err = parse_allowed_ips(&["10.0.0.1".into(), "banana".into(), "10.0.0.0/33".into()])
            .unwrap_err();
        assert!(
            err.contains("\"banana\"") && err.contains("\"10.0.0.0/33\""),
            "{err}"
        );
        assert!(!err.contains("\"10.0.0.1\""));
        assert_eq!(parse_allowed_ips(&["0.0.0.0".into()]).unwrap(), vec![]);
        assert_eq!(
            parse_allowed_ips(&[" 0.0.0.0 ".into(), "10.0.0.0/8".into()]).unwrap(),
            vec![]
        );
        assert!(parse_allowed_ips(&["0.0.0.0".into(), "banana".into()]).is_err());
        let mapped = parse_allowed_ips(&["::ffff:192.0.2.1".into()]).unwrap();
        assert_eq!(display_network(mapped[0]), "192.0.2.1");
    }
}
