//! Management keys (SPEC §17): keys for machines (a deploy pipeline) that manage API keys
//! and webhook endpoints without a person. `mk_` + 32 base62 characters + 6 of CRC32, as
//! §3 (`keys/format.rs`'s checksum); only SHA-256 is stored. They act as a Developer
//! would (the one policy, `keys/policy.rs`), within their scopes, and expire within 90
//! days. The operations are in `service`, the check of a presented key in `verify`.

pub mod service;
pub mod verify;

use super::format;
use crate::ids::random_base62;

/// What the cache keeps about a management key beyond a key record's common fields.
#[derive(Debug, Clone)]
pub struct MachineGrant {
    pub merchant: crate::db::models::merchant::Merchant,
    pub name: String,
    pub scopes: Vec<Scope>,
    pub live: bool,
}

/// What every management key starts with.
pub const PREFIX: &str = "mk_";
/// What every management key's id starts with (never `mk_`: an id is not a secret).
pub const ID_PREFIX: &str = "mgk_";
/// The longest a management key may live, in days; it must have an expiry.
pub const MAX_DAYS: i64 = 90;
/// The pattern secret scanners can use for management keys (README).
pub const SCAN_PATTERN: &str = r"\bmk_[0-9A-Za-z]{38}\b";

const RANDOM_LEN: usize = 32;
const CHECKSUM_LEN: usize = 6;
/// Characters after `mk_`: the random part and the checksum.
pub const BODY_LEN: usize = RANDOM_LEN + CHECKSUM_LEN;

/// A new management key string.
pub fn generate() -> String {
    let body = format!("{PREFIX}{}", random_base62(RANDOM_LEN));
    let sum = format::checksum(&body);
    format!("{body}{sum}")
}

/// Whether `key` is a well-formed management key with a valid checksum. No I/O; never
/// panics.
pub fn well_formed(key: &str) -> bool {
    let Some(rest) = key.strip_prefix(PREFIX) else {
        return false;
    };
    if rest.len() != RANDOM_LEN + CHECKSUM_LEN || !rest.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return false;
    }
    // All ASCII from here, so slicing at byte offsets is safe.
    let (body, sum) = key.split_at(PREFIX.len() + RANDOM_LEN);
    format::checksum(body) == sum
}

/// What the Hub shows after the reveal: `mk_…Wx9Z`.
pub fn hint(key: &str) -> String {
    let tail = key.get(key.len().saturating_sub(4)..).unwrap_or("");
    format!("{PREFIX}…{tail}")
}

/// The things a management key may manage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Area {
    ApiKeys,
    WebhookEndpoints,
}

/// One scope of a management key: an area, read or write (write includes read).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Scope {
    pub area: Area,
    pub write: bool,
}

impl Scope {
    pub const API_KEYS_READ: Scope = Scope::new(Area::ApiKeys, false);
    pub const API_KEYS_WRITE: Scope = Scope::new(Area::ApiKeys, true);
    pub const WEBHOOKS_READ: Scope = Scope::new(Area::WebhookEndpoints, false);
    pub const WEBHOOKS_WRITE: Scope = Scope::new(Area::WebhookEndpoints, true);
    /// Every scope, in the order forms and documents list them.
    pub const ALL: [Scope; 4] = [
        Scope::API_KEYS_READ,
        Scope::API_KEYS_WRITE,
        Scope::WEBHOOKS_READ,
        Scope::WEBHOOKS_WRITE,
    ];

    pub const fn new(area: Area, write: bool) -> Self {
        Self { area, write }
    }

    pub fn as_str(self) -> &'static str {
        match (self.area, self.write) {
            (Area::ApiKeys, false) => "api_keys:read",
            (Area::ApiKeys, true) => "api_keys:write",
            (Area::WebhookEndpoints, false) => "webhook_endpoints:read",
            (Area::WebhookEndpoints, true) => "webhook_endpoints:write",
        }
    }

    /// What the Hub's form says beside the scope's checkbox.
    pub fn label(self) -> &'static str {
        match (self.area, self.write) {
            (Area::ApiKeys, false) => "Read API keys and their usage",
            (Area::ApiKeys, true) => "Create, edit, suspend, roll and revoke API keys",
            (Area::WebhookEndpoints, false) => "Read webhook endpoints and deliveries",
            (Area::WebhookEndpoints, true) => {
                "Create, edit, test and delete webhook endpoints; resend deliveries"
            }
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|scope| scope.as_str() == s)
    }

    /// Whether holding `self` allows what `needed` asks for.
    pub fn covers(self, needed: Scope) -> bool {
        self.area == needed.area && (self.write || !needed.write)
    }
}

/// Scopes as stored: space-separated, each once, in [`Scope::ALL`]'s order.
pub fn store_scopes(scopes: &[Scope]) -> String {
    Scope::ALL
        .into_iter()
        .filter(|s| scopes.contains(s))
        .map(Scope::as_str)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Stored scopes read back; anything unknown is dropped (grants least).
pub fn parse_scopes(stored: &str) -> Vec<Scope> {
    stored.split_whitespace().filter_map(Scope::parse).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_have_the_documented_shape_and_a_checksum() {
        let key = generate();
        assert!(key.starts_with("mk_"));
        assert_eq!(key.len(), 3 + 32 + 6);
        assert!(well_formed(&key));
        for i in 3..key.len() {
            let mut bytes = key.clone().into_bytes();
            bytes[i] = if bytes[i] == b'a' { b'b' } else { b'a' };
            assert!(
                !well_formed(&String::from_utf8(bytes).unwrap()),
                "typo at {i}"
            );
        }
        assert!(!well_formed("mk_"));
        assert!(!well_formed(&key.replace("mk_", "sk_")));
        assert!(!well_formed(&format!("{key}é")));
        assert_eq!(hint(&key), format!("mk_…{}", &key[key.len() - 4..]));
    }

    #[test]
    fn write_includes_read_of_the_same_area_only() {
        assert!(Scope::API_KEYS_WRITE.covers(Scope::API_KEYS_READ));
        assert!(Scope::API_KEYS_READ.covers(Scope::API_KEYS_READ));
        assert!(!Scope::API_KEYS_READ.covers(Scope::API_KEYS_WRITE));
        assert!(!Scope::WEBHOOKS_WRITE.covers(Scope::API_KEYS_READ));
        let stored = store_scopes(&[Scope::WEBHOOKS_READ, Scope::API_KEYS_WRITE]);
        assert_eq!(stored, "api_keys:write webhook_endpoints:read");
        assert_eq!(
            parse_scopes(&stored),
            vec![Scope::API_KEYS_WRITE, Scope::WEBHOOKS_READ]
        );
    }
}
