//! The permission model of SPEC §3: one level per resource, Write includes Read, or `*`
//! for full access. `RESOURCES` is the one table the pages, the key API and the request
//! gate read.

use std::collections::BTreeMap;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    None,
    Read,
    Write,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::None => "none",
            Level::Read => "read",
            Level::Write => "write",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Level::None => "None",
            Level::Read => "Read",
            Level::Write => "Write",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "none" => Some(Level::None),
            "read" => Some(Level::Read),
            "write" => Some(Level::Write),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Resource {
    ClientSessions,
    Customers,
    Plans,
    Payments,
    Refunds,
    Balance,
    Subscriptions,
    SubscriptionCancellation,
    Events,
}

/// One row of the permission table.
pub struct ResourceInfo {
    pub resource: Resource,
    pub name: &'static str,
    pub label: &'static str,
    pub group: &'static str,
    /// The levels this resource offers, always starting with None.
    pub levels: &'static [Level],
}

use Level::{None as N, Read as R, Write as W};

pub const RESOURCES: &[ResourceInfo] = &[
    ResourceInfo {
        resource: Resource::ClientSessions,
        name: "client_sessions",
        label: "Client sessions",
        group: "Main",
        levels: &[N, W],
    },
    ResourceInfo {
        resource: Resource::Customers,
        name: "customers",
        label: "Customers",
        group: "Main",
        levels: &[N, R, W],
    },
    ResourceInfo {
        resource: Resource::Plans,
        name: "plans",
        label: "Plans",
        group: "Main",
        levels: &[N, R, W],
    },
    ResourceInfo {
        resource: Resource::Payments,
        name: "payments",
        label: "Payments",
        group: "Payments",
        levels: &[N, R, W],
    },
    ResourceInfo {
        resource: Resource::Refunds,
        name: "refunds",
        label: "Refunds",
        group: "Payments",
        levels: &[N, R, W],
    },
    ResourceInfo {
        resource: Resource::Balance,
        name: "balance",
        label: "Balance",
        group: "Payments",
        levels: &[N, R],
    },
    ResourceInfo {
        resource: Resource::Subscriptions,
        name: "subscriptions",
        label: "Subscriptions",
        group: "Subscriptions",
        levels: &[N, R, W],
    },
    ResourceInfo {
        resource: Resource::SubscriptionCancellation,
        name: "subscription_cancellation",
        label: "Subscription cancellation",
        group: "Subscriptions",
        levels: &[N, W],
    },
    ResourceInfo {
        resource: Resource::Events,
        name: "events",
        label: "Events",
        group: "Developers",
        levels: &[N, R],
    },
];

/// The groups in display order.
pub const GROUPS: &[&str] = &["Main", "Payments", "Subscriptions", "Developers"];

impl Resource {
    pub fn info(self) -> &'static ResourceInfo {
        RESOURCES
            .iter()
            .find(|r| r.resource == self)
            .expect("every resource is in RESOURCES")
    }

    pub fn name(self) -> &'static str {
        self.info().name
    }

    pub fn from_name(name: &str) -> Option<Self> {
        RESOURCES
            .iter()
            .find(|r| r.name == name)
            .map(|r| r.resource)
    }

    pub fn offers(self, level: Level) -> bool {
        self.info().levels.contains(&level)
    }
}

/// What a key may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// `*`: everything, including resources added later.
    Full,
    /// Listed resources at their level; anything absent is None.
    Scoped(BTreeMap<Resource, Level>),
}

impl Access {
    /// True when this access covers `level` on `resource` (Write covers Read).
    pub fn allows(&self, resource: Resource, level: Level) -> bool {
        match self {
            Access::Full => true,
            Access::Scoped(map) => map.get(&resource).copied().unwrap_or(Level::None) >= level,
        }
    }

    pub fn level(&self, resource: Resource) -> Level {
        match self {
            Access::Full => *resource.info().levels.last().unwrap_or(&Level::None),
            Access::Scoped(map) => map.get(&resource).copied().unwrap_or(Level::None),
        }
    }

    /// Scope strings: `["*"]` or `["customers:read", …]`, in table order.
    pub fn scopes(&self) -> Vec<String> {
        match self {
            Access::Full => vec!["*".into()],
            Access::Scoped(map) => map
                .iter()
                .filter(|(_, l)| **l != Level::None)
                .map(|(r, l)| format!("{}:{}", r.name(), l.as_str()))
                .collect(),
        }
    }

    /// The stored form: scope strings joined by spaces (`*` for full access).
    pub fn to_storage(&self) -> String {
        self.scopes().join(" ")
    }

    /// Reads the stored form. Unknown or malformed entries grant nothing (deny by default).
    pub fn from_storage(s: &str) -> Self {
        if s.trim() == "*" {
            return Access::Full;
        }
        let map = s
            .split_whitespace()
            .filter_map(|scope| parse_scope(scope).ok())
            .collect();
        Access::Scoped(map)
    }

    /// `{"customers":"read",…}` or `"*"` for the API.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Access::Full => serde_json::Value::String("*".into()),
            Access::Scoped(map) => serde_json::Value::Object(
                map.iter()
                    .filter(|(_, l)| **l != Level::None)
                    .map(|(r, l)| (r.name().to_owned(), l.as_str().into()))
                    .collect(),
            ),
        }
    }

    /// Reads `"*"` or `{"resource":"level",…}`; the error names the first bad entry.
    /// `schema` describes the same for the OpenAPI document.
    pub fn from_json(value: &serde_json::Value) -> Result<Self, String> {
        match value {
            serde_json::Value::String(s) if s == "*" => Ok(Access::Full),
            serde_json::Value::Object(entries) => {
                let mut map = BTreeMap::new();
                for (name, level) in entries {
                    let level = level.as_str().ok_or_else(|| {
                        format!("{name}: the level must be a string (none, read or write)")
                    })?;
                    let (resource, level) = parse_entry(name, level)?;
                    map.insert(resource, level);
                }
                Ok(Access::Scoped(map))
            }
            _ => Err("use \"*\" or an object such as {\"payments\":\"write\"}".into()),
        }
    }

    /// A short summary for tables: `Full access`, `customers:read, payments:write`, `No access`.
    pub fn summary(&self) -> String {
        match self {
            Access::Full => "Full access".into(),
            Access::Scoped(_) => {
                let scopes = self.scopes();
                if scopes.is_empty() {
                    "No access".into()
                } else {
                    scopes.join(", ")
                }
            }
        }
    }
}

impl fmt::Display for Access {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.summary())
    }
}

/// `resource:level` → its parts, checked against the table.
pub fn parse_scope(scope: &str) -> Result<(Resource, Level), String> {
    let (name, level) = scope
        .split_once(':')
        .ok_or_else(|| format!("{scope:?} is not resource:level"))?;
    parse_entry(name, level)
}

fn parse_entry(name: &str, level: &str) -> Result<(Resource, Level), String> {
    let resource = Resource::from_name(name).ok_or_else(|| format!("unknown resource {name:?}"))?;
    let parsed = Level::parse(level)
        .ok_or_else(|| format!("{name}: unknown level {level:?}; use none, read or write"))?;
    if !resource.offers(parsed) {
        let offered: Vec<_> = resource.info().levels.iter().map(|l| l.as_str()).collect();
        return Err(format!(
            "{name} has no {level} level; use {}",
            offered.join(" or ")
        ));
    }
    Ok((resource, parsed))
}

/// The `Permissions` schema, which the OpenAPI document holds once (it is named in
/// three places).
pub fn schema() -> utoipa::openapi::Ref {
    utoipa::openapi::Ref::from_schema_name("Permissions")
}

/// `"*"`, or an object naming resources and their levels (only the levels each offers).
pub fn permissions_schema() -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
    let mut scoped = ObjectBuilder::new()
        .schema_type(Type::Object)
        .additional_properties(Some(
            utoipa::openapi::schema::AdditionalProperties::FreeForm(false),
        ));
    for info in RESOURCES {
        let levels: Vec<&str> = info.levels.iter().map(|l| l.as_str()).collect();
        scoped = scoped.property(
            info.name,
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(levels)),
        );
    }
    OneOfBuilder::new()
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(["*"])),
        )
        .item(scoped)
        .description(Some(
            "`\"*\"` for full access, or levels per resource such as `{\"payments\":\"write\"}`.",
        ))
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_includes_read_and_full_access_includes_everything() {
        let a = Access::from_storage("customers:write balance:read");
        assert!(a.allows(Resource::Customers, Level::Read));
        assert!(a.allows(Resource::Customers, Level::Write));
        assert!(a.allows(Resource::Balance, Level::Read));
        assert!(!a.allows(Resource::Payments, Level::Read));
        assert!(Access::Full.allows(Resource::Events, Level::Read));
        assert_eq!(a.to_storage(), "customers:write balance:read");
        assert_eq!(Access::from_storage("*"), Access::Full);
    }

    #[test]
    fn levels_a_resource_does_not_offer_are_refused() {
        assert!(
            parse_scope("balance:write")
                .unwrap_err()
                .contains("balance has no write level")
        );
        assert!(parse_scope("client_sessions:read").is_err());
        assert!(
            parse_scope("nope:read")
                .unwrap_err()
                .contains("unknown resource")
        );
        let json = serde_json::json!({"payments": "write", "events": "read"});
        let access = Access::from_json(&json).unwrap();
        assert_eq!(access.to_json(), json);
        assert!(Access::from_json(&serde_json::json!({"payments": 1})).is_err());
        assert!(Access::from_json(&serde_json::json!("all")).is_err());
    }

    #[test]
    fn stored_garbage_grants_nothing() {
        let a = Access::from_storage("customers:admin ???  payments");
        assert_eq!(a, Access::Scoped(BTreeMap::new()));
        assert_eq!(a.summary(), "No access");
    }

    #[test]
    fn every_resource_offers_none_first() {
        for r in RESOURCES {
            assert_eq!(r.levels[0], Level::None, "{}", r.name);
            assert!(GROUPS.contains(&r.group));
        }
    }
}
