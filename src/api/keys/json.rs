//! What the key-management API reads and answers: the create, update and roll bodies
//! (with their schemas) and the answers that hold a secret.

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::api::body::{Body, FromBody};
use crate::api::envelope::ApiError;
use crate::error::Error;
use crate::keys::Mode;
use crate::keys::config::{KeyDraft, MAX_EXPIRY_DAYS, MAX_RATE_LIMIT};
use crate::keys::lifecycle;
use crate::keys::model::{CreatedKey, KeyObject};
use crate::keys::permissions::{self, Access};
use crate::keys::service::KeyPatch;
use crate::versions;

crate::api::describe::described!(
    NewKey,
    RolledKey,
    CreateKeyParams,
    UpdateKeyParams,
    RollParams
);

pub(super) fn bad_filter(field: &'static str, allowed: &str) -> ApiError {
    Error::field(field, format!("use {allowed}")).into()
}

fn mode() -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(["test", "live"]))
        .build()
}

fn label() -> utoipa::openapi::schema::Object {
    crate::schema::text(100, true)
}

fn version() -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
            utoipa::openapi::schema::Type::String,
            utoipa::openapi::schema::Type::Null,
        ]))
        .enum_values(Some(
            versions::SUPPORTED
                .iter()
                .map(|v| Value::from(*v))
                .chain([Value::Null]),
        ))
        .description(Some("Pins the key to an API version; null for none."))
        .build()
}

fn ip_list() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::ArrayBuilder;
    ArrayBuilder::new()
        .items(crate::keys::config::ip_item())
        .max_items(Some(100))
        .description(Some(
            "IPv4 or IPv6 addresses, or CIDR blocks with no host bits such as `10.0.0.0/24` or \
             `2001:db8::/64`, the key may be used from; empty for anywhere, and `0.0.0.0` means \
             anywhere too (it is stored as the empty list). Every other entry must parse.",
        ))
        .build()
}

fn webhook_url() -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .pattern(Some(crate::webhooks::ssrf::URL_PATTERN))
        .max_length(Some(2048))
        .build()
}

fn whole(min: i64, max: i64) -> impl Fn() -> utoipa::openapi::schema::Object {
    move || {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::Integer)
            .minimum(Some(min))
            .maximum(Some(max))
            .build()
    }
}

fn rate_limit_schema() -> utoipa::openapi::schema::Object {
    whole(1, i64::from(MAX_RATE_LIMIT))()
}

fn expiry_schema() -> utoipa::openapi::schema::Object {
    whole(1, MAX_EXPIRY_DAYS)()
}

/// An API version the key may be pinned to: one of the supported, or null (none).
fn read_version(b: &mut Body) -> Option<Option<String>> {
    match b.raw("api_version") {
        // Absent or null: no pin.
        None => Some(None),
        Some(Value::String(v)) if versions::is_supported(&v) => Some(Some(v)),
        Some(_) => b.fail_none(
            "api_version",
            &format!("use one of {}, or null", versions::SUPPORTED.join(", ")),
        ),
    }
}

/// `"*"` or `{"resource":"level"}`, checked here so every bad field is named at once.
fn read_permissions(b: &mut Body) -> Option<Result<Access, String>> {
    let access = b.raw("permissions").map(|v| Access::from_json(&v))?;
    if let Err(e) = &access {
        b.error("permissions", e.clone());
    }
    Some(access)
}

/// The allowed-IP list, each entry checked by the one validator the Hub uses too.
fn read_ips(b: &mut Body) -> Option<Vec<String>> {
    let ips = b.strings("allowed_ips", 100)?;
    if let Err(e) = crate::keys::config::parse_allowed_ips(&ips) {
        b.error("allowed_ips", e);
    }
    Some(ips)
}

/// A new key.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateKeyParams {
    /// A label, such as "Production backend".
    #[schema(schema_with = label)]
    pub name: String,
    /// `test` (default) or `live`.
    #[schema(schema_with = mode)]
    pub mode: Option<String>,
    #[schema(schema_with = permissions::schema)]
    pub permissions: Value,
    #[schema(schema_with = ip_list)]
    pub allowed_ips: Option<Vec<String>>,
    /// Requests per minute (default 100).
    #[schema(schema_with = rate_limit_schema)]
    pub rate_limit: Option<i64>,
    /// Days until the key stops working; none when absent.
    #[schema(schema_with = expiry_schema)]
    pub expires_in_days: Option<i64>,
    #[schema(schema_with = version)]
    pub api_version: Option<String>,
    /// Requests must carry a valid `Paydesk-Signature`.
    pub require_signature: Option<bool>,
    /// A canary: a key with no permissions whose every use answers like an unknown key
    /// (401 `invalid_api_key`) and raises `api_key.canary_triggered`. `permissions` may
    /// then be left out.
    pub canary: Option<bool>,
    #[schema(schema_with = super::spend::schema)]
    pub spend_limits: Option<Vec<Value>>,
    /// Makes a webhook endpoint bound to this key (all its events); the answer then
    /// holds `webhook_secret` beside `secret_key`.
    #[schema(schema_with = webhook_url)]
    pub webhook_url: Option<String>,
}

/// What `CreateKeyParams` reads, ready for the service.
pub struct NewKeyDraft(pub(super) KeyDraft, pub(super) Option<String>);

impl FromBody for NewKeyDraft {
    fn from_body(b: &mut Body) -> Option<Self> {
        let name = b.string("name", true, 100);
        let mode = match b.string("mode", false, 4) {
            Some(m) if Mode::parse(&m).is_none() => b.fail_none("mode", "use test or live"),
            other => Some(other.unwrap_or_else(|| "test".into())),
        };
        let canary = b.bool("canary").unwrap_or(false);
        let permissions = match read_permissions(b) {
            // A canary has no permissions whatever is sent.
            None if canary => Some(Ok(Access::Scoped(Default::default()))),
            None => {
                b.error(
                    "permissions",
                    "required: \"*\" or an object such as {\"payments\":\"write\"}",
                );
                None
            }
            some => some,
        };
        let allowed_ips = read_ips(b);
        let rate_limit = b.int("rate_limit", false, 1, i64::from(MAX_RATE_LIMIT));
        let expires = b.int("expires_in_days", false, 1, MAX_EXPIRY_DAYS);
        let api_version = read_version(b);
        let require_signature = b.bool("require_signature");
        let webhook_url = b.string("webhook_url", false, 2048);
        // A bad list is named in the body's errors, which refuse the request.
        let spend_limits = super::spend::read_spend_limits(b);
        Some(NewKeyDraft(
            KeyDraft {
                name: name?,
                mode: mode?,
                permissions: permissions?,
                allowed_ips: allowed_ips.unwrap_or_default(),
                rate_limit: rate_limit.map(|n| n.to_string()).unwrap_or_default(),
                expires_in_days: expires.map(|n| n.to_string()).unwrap_or_default(),
                api_version: api_version?.unwrap_or_default(),
                require_signature: require_signature.unwrap_or(false),
                canary,
                spend_limits: spend_limits.unwrap_or_default(),
            },
            webhook_url,
        ))
    }
}

/// A key just made (or rolled): the one answer that holds its secret.
#[derive(Serialize, ToSchema)]
pub struct NewKey {
    #[serde(flatten)]
    pub key: KeyObject,
    /// The secret key. It is shown here once and never again.
    #[schema(pattern = "^sk_(test|live)_")]
    pub secret_key: String,
    /// With `webhook_url`: the signing secret of the key's webhook endpoint, shown once.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^whsec_")]
    pub webhook_secret: Option<String>,
}

pub(super) fn with_secret(created: &CreatedKey) -> NewKey {
    NewKey {
        key: created.key.view(),
        secret_key: created.secret.clone(),
        webhook_secret: None,
    }
}

/// What to change in a key; absent fields stay as they are.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateKeyParams {
    #[schema(schema_with = label)]
    pub name: Option<String>,
    #[schema(schema_with = permissions::schema)]
    pub permissions: Option<Value>,
    #[schema(schema_with = ip_list)]
    pub allowed_ips: Option<Vec<String>>,
    #[schema(schema_with = rate_limit_schema)]
    pub rate_limit: Option<i64>,
    /// A version to pin, or null to remove the pin.
    #[schema(schema_with = version)]
    pub api_version: Option<String>,
    pub require_signature: Option<bool>,
    /// The key's spend limits, replacing the ones it has; `[]` or null removes them
    /// (removing or raising one needs sudo on a live key).
    #[schema(schema_with = super::spend::schema)]
    pub spend_limits: Option<Vec<Value>>,
}

pub struct KeyChange(pub(super) KeyPatch);

impl FromBody for KeyChange {
    fn from_body(b: &mut Body) -> Option<Self> {
        let name = b.string("name", false, 100);
        if name.as_deref().is_some_and(|n| n.trim().is_empty()) {
            b.error("name", "must not be empty");
        }
        let permissions = read_permissions(b);
        let allowed_ips = read_ips(b);
        let rate_limit = b.int("rate_limit", false, 1, i64::from(MAX_RATE_LIMIT));
        let cleared = b.is_null("api_version");
        let sent = b.has("api_version");
        let api_version = read_version(b);
        let require_signature = b.bool("require_signature");
        let spend_limits = super::spend::read_spend_limits(b);
        Some(KeyChange(KeyPatch {
            name,
            permissions,
            allowed_ips,
            rate_limit: rate_limit.map(|n| n.to_string()),
            // `"api_version": null` removes the pin.
            api_version: if cleared {
                Some(String::new())
            } else if sent {
                Some(api_version?.unwrap_or_default())
            } else {
                None
            },
            require_signature,
            spend_limits,
        }))
    }
}

/// How long the old key keeps working after a roll, and whether the publishable key is
/// replaced too.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RollParams {
    /// 0 (default), 3600, 86400 or 604800 seconds.
    #[schema(schema_with = grace)]
    pub grace_period_seconds: Option<i64>,
    /// `false` (default): the new secret pairs with the same publishable key, so front
    /// ends keep working unchanged (the key alone now finds the new key; with the old
    /// secret it works until the grace period ends). `true`: a new publishable key too,
    /// the old one ending with the old secret.
    pub roll_publishable: Option<bool>,
}

fn grace() -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::Integer)
        .enum_values(Some(lifecycle::ROLL_GRACE_SECONDS.iter().copied()))
        .build()
}

impl FromBody for RollParams {
    fn from_body(b: &mut Body) -> Option<Self> {
        Some(Self {
            grace_period_seconds: b.int("grace_period_seconds", false, 0, 604_800),
            roll_publishable: b.bool("roll_publishable"),
        })
    }
}

/// The new pair, with the key it replaced.
#[derive(Serialize, ToSchema)]
pub struct RolledKey {
    #[serde(flatten)]
    pub key: NewKey,
    /// The old key, now ending after the grace period.
    pub rolled_from: KeyObject,
}

impl crate::api::describe::BodySchema for NewKeyDraft {
    type Schema = CreateKeyParams;
}

impl crate::api::describe::BodySchema for KeyChange {
    type Schema = UpdateKeyParams;
}
