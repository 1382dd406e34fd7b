//! The key-management API of SPEC §6, for user tokens (never API keys). It calls the same
//! service functions as the Hub pages.

use actix_web::{HttpRequest, web};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::body::{Body, FromBody, JsonObject, NoFields};
use super::context::{self, ApiResult, Created, Query};
use super::envelope::ApiError;
use super::extract::ApiUser;
use super::list::{self, List, Page};
use crate::accounts::Principal;
use crate::db::DbConn;
use crate::error::Error;
use crate::keys::Mode;
use crate::keys::config::{KeyDraft, MAX_EXPIRY_DAYS, MAX_RATE_LIMIT};
use crate::keys::lifecycle;
use crate::keys::model::{ApiKey, CreatedKey, KeyObject, KeyStatus};
use crate::keys::permissions::{self, Access};
use crate::keys::service::{self, KeyFilter, KeyPatch, Reveal};
use crate::keys::usage;
use crate::state::AppState;
use crate::versions;

super::describe::described!(
    KeyObject,
    NewKey,
    RolledKey,
    CreateKeyParams,
    UpdateKeyParams,
    RollParams,
    KeyUsage
);

/// Newest first, paged on (`created_at`, `id`) like every list: key ids are not ordered.
pub async fn list_keys(
    req: HttpRequest,
    ApiUser(who): ApiUser,
    query: Query,
) -> ApiResult<List<KeyObject>> {
    let page = Page::from_query(&query)?;
    let param = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let mut filter = KeyFilter::default();
    if let Some(m) = param("mode") {
        filter.mode = Some(Mode::parse(m).ok_or_else(|| bad_filter("mode", "test or live"))?);
    }
    if let Some(s) = param("status") {
        filter.status = Some(
            KeyStatus::parse(s)
                .ok_or_else(|| bad_filter("status", "active, suspended, revoked or expired"))?,
        );
    }
    let (after, fetch) = (page.starting_after.clone(), page.fetch());
    let keys = AppState::of(&req)
        .db
        .run(move |c| service::list_keys_page(c, &who, &filter, after.as_deref(), fetch))
        .await?;
    context::ok(list::list(keys.iter().map(ApiKey::view).collect(), &page))
}

fn bad_filter(field: &'static str, allowed: &str) -> ApiError {
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
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(crate::keys::config::IP_PATTERN)),
        )
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
    /// Makes a webhook endpoint bound to this key (all its events); the answer then
    /// holds `webhook_secret` beside `secret_key`.
    #[schema(schema_with = webhook_url)]
    pub webhook_url: Option<String>,
}

/// What `CreateKeyParams` reads, ready for the service.
pub struct NewKeyDraft(KeyDraft, Option<String>);

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

fn with_secret(created: &CreatedKey) -> NewKey {
    NewKey {
        key: created.key.view(),
        secret_key: created.secret.clone(),
        webhook_secret: None,
    }
}

pub async fn create_key(
    req: HttpRequest,
    ApiUser(who): ApiUser,
    JsonObject(NewKeyDraft(draft, webhook_url)): JsonObject<NewKeyDraft>,
) -> ApiResult<Created<NewKey>> {
    let ip = AppState::client_ip(&req);
    let live = draft.mode == "live";
    let webhook_url = match webhook_url {
        Some(url) => Some({
            // Whoever may not make the endpoint is told so before the URL is looked up.
            crate::webhooks::endpoints::require_manage(&who, live)?;
            super::webhooks::checked_url(&req, &url, live)
                .await
                .map_err(|e| match e {
                    Error::Invalid(mut f) => {
                        Error::field("webhook_url", f.remove("url").unwrap_or_default())
                    }
                    other => other,
                })?
        }),
        None => None,
    };
    let sealer = AppState::of(&req).webhooks.sealer.clone();
    let (created, webhook_secret) = AppState::of(&req)
        .db
        .run(move |c| {
            crate::db::transaction(c, |c| {
                // This response is the one reveal.
                let created = service::create_key(c, &who, draft, Reveal::InThisAnswer, &ip)?;
                let webhook_secret = match webhook_url {
                    Some(url) => Some(crate::webhooks::endpoints::create_for_key(
                        c,
                        &who,
                        &sealer,
                        &created.key,
                        url,
                        &ip,
                    )?),
                    None => None,
                };
                Ok((created, webhook_secret))
            })
        })
        .await?;
    let mut answer = with_secret(&created);
    answer.webhook_secret = webhook_secret;
    context::created(answer)
}

pub async fn get_key(
    req: HttpRequest,
    ApiUser(who): ApiUser,
    id: web::Path<String>,
) -> ApiResult<KeyObject> {
    let key = AppState::of(&req)
        .db
        .run(move |c| service::get_key(c, &who, &id))
        .await?;
    context::ok(key.view())
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
}

pub struct KeyChange(KeyPatch);

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
        }))
    }
}

pub async fn update_key(
    req: HttpRequest,
    ApiUser(who): ApiUser,
    id: web::Path<String>,
    JsonObject(KeyChange(patch)): JsonObject<KeyChange>,
) -> ApiResult<KeyObject> {
    let ip = AppState::client_ip(&req);
    let key = AppState::of(&req)
        .db
        .run(move |c| service::update_key(c, &who, &id, patch, &ip))
        .await?;
    context::ok(key.view())
}

type StatusChange = fn(&mut DbConn, &Principal, &str, &str) -> Result<ApiKey, Error>;

/// Suspend, reactivate and revoke: one service call, the key back.
async fn change_status(
    req: HttpRequest,
    who: Principal,
    id: String,
    change: StatusChange,
) -> ApiResult<KeyObject> {
    let ip = AppState::client_ip(&req);
    let key = AppState::of(&req)
        .db
        .run(move |c| change(c, &who, &id, &ip))
        .await?;
    context::ok(key.view())
}

pub async fn suspend_key(
    req: HttpRequest,
    ApiUser(who): ApiUser,
    id: web::Path<String>,
    _: NoFields,
) -> ApiResult<KeyObject> {
    change_status(req, who, id.into_inner(), lifecycle::suspend_key).await
}

pub async fn reactivate_key(
    req: HttpRequest,
    ApiUser(who): ApiUser,
    id: web::Path<String>,
    _: NoFields,
) -> ApiResult<KeyObject> {
    change_status(req, who, id.into_inner(), lifecycle::reactivate_key).await
}

/// How long the old key keeps working after a roll.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RollParams {
    /// 0 (default), 3600, 86400 or 604800 seconds.
    #[schema(schema_with = grace)]
    pub grace_period_seconds: Option<i64>,
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

pub async fn roll_key(
    req: HttpRequest,
    ApiUser(who): ApiUser,
    id: web::Path<String>,
    JsonObject(p): JsonObject<RollParams>,
) -> ApiResult<Created<RolledKey>> {
    let grace = p.grace_period_seconds.unwrap_or(0);
    let ip = AppState::client_ip(&req);
    let (created, old) = AppState::of(&req)
        .db
        .run(move |c| {
            // This response is the one reveal, marked in the roll's own transaction.
            let created = lifecycle::roll_key(c, &who, &id, grace, Reveal::InThisAnswer, &ip)?;
            let old = service::get_key(c, &who, &id)?;
            Ok((created, old))
        })
        .await?;
    context::created(RolledKey {
        key: with_secret(&created),
        rolled_from: old.view(),
    })
}

pub async fn revoke_key(
    req: HttpRequest,
    ApiUser(who): ApiUser,
    id: web::Path<String>,
    _: NoFields,
) -> ApiResult<KeyObject> {
    change_status(req, who, id.into_inner(), lifecycle::revoke_key).await
}

impl super::describe::BodySchema for NewKeyDraft {
    type Schema = CreateKeyParams;
}

impl super::describe::BodySchema for KeyChange {
    type Schema = UpdateKeyParams;
}

/// A key's requests over a period, by status class (SPEC §10, usage per key).
#[derive(Serialize, ToSchema)]
pub struct KeyUsage {
    #[schema(pattern = "^key_usage$")]
    object: &'static str,
    key_id: String,
    /// `24h` (hourly buckets) or `30d` (daily buckets, UTC days).
    #[schema(pattern = "^(24h|30d)$")]
    period: &'static str,
    /// Oldest first; every bucket of the period, zeros included.
    buckets: Vec<UsageBucket>,
    /// The sums of the buckets.
    totals: UsageTotals,
}

/// Requests in one hour or day, by status class.
#[derive(Serialize, ToSchema)]
pub struct UsageBucket {
    /// The start of the hour or day (RFC 3339, UTC).
    start: String,
    #[serde(rename = "2xx")]
    class_2xx: i64,
    #[serde(rename = "4xx")]
    class_4xx: i64,
    #[serde(rename = "5xx")]
    class_5xx: i64,
}

/// Requests over the whole period, by status class.
#[derive(Serialize, ToSchema)]
pub struct UsageTotals {
    #[serde(rename = "2xx")]
    class_2xx: i64,
    #[serde(rename = "4xx")]
    class_4xx: i64,
    #[serde(rename = "5xx")]
    class_5xx: i64,
}

pub async fn get_key_usage(
    req: HttpRequest,
    ApiUser(who): ApiUser,
    id: web::Path<String>,
) -> ApiResult<KeyUsage> {
    let query = web::Query::<Vec<(String, String)>>::from_query(req.query_string())
        .map_err(|_| bad_filter("period", "24h or 30d"))?;
    let period = match query.iter().find(|(k, _)| k == "period") {
        None => usage::Period::Day,
        Some((_, p)) => {
            usage::Period::parse(p).ok_or_else(|| bad_filter("period", "24h or 30d"))?
        }
    };
    let (key_id, buckets) = AppState::of(&req)
        .db
        .run(move |c| {
            let key = service::get_key(c, &who, &id)?;
            let buckets = usage::report(c, &key.row.id, period, crate::clock::now())?;
            Ok((key.row.id, buckets))
        })
        .await?;
    let sum = |f: fn(&usage::Bucket) -> i64| buckets.iter().map(f).sum::<i64>();
    let totals = UsageTotals {
        class_2xx: sum(|b| b.class_2xx),
        class_4xx: sum(|b| b.class_4xx),
        class_5xx: sum(|b| b.class_5xx),
    };
    context::ok(KeyUsage {
        object: "key_usage",
        key_id,
        period: period.as_str(),
        buckets: buckets
            .iter()
            .map(|b| UsageBucket {
                start: crate::clock::rfc3339(b.start),
                class_2xx: b.class_2xx,
                class_4xx: b.class_4xx,
                class_5xx: b.class_5xx,
            })
            .collect(),
        totals,
    })
}
