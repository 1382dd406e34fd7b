//! The key-management API of SPEC §6, for user tokens (never API keys). It calls the same
//! service functions as the Hub pages.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::Value;

use super::auth::ApiUser;
use super::body::{JsonObject, NoFields};
use super::context::Query;
use super::envelope::{self, ApiError};
use super::list::{self, Page};
use crate::accounts::Principal;
use crate::db::DbConn;
use crate::error::Error;
use crate::keys::Mode;
use crate::keys::config::KeyDraft;
use crate::keys::lifecycle;
use crate::keys::model::{ApiKey, CreatedKey, KeyStatus};
use crate::keys::permissions::Access;
use crate::keys::service::{self, KeyFilter, KeyPatch};
use crate::state::AppState;

/// A number sent as JSON, as the text the service checks ("" when absent or null).
fn number_text(v: &Option<Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::Number(n)) => n.to_string(),
        // Anything else fails the service's number check with the field named.
        Some(other) => format!("{other}"),
    }
}

/// Newest first, paged on (`created_at`, `id`) like every list: key ids are not ordered.
pub async fn list_keys(
    req: HttpRequest,
    ApiUser(who): ApiUser,
    query: Query,
) -> Result<HttpResponse, ApiError> {
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
    let keys = AppState::of(&req)
        .db
        .run(move |c| service::list_keys(c, &who, &filter))
        .await?;
    let start = match &page.starting_after {
        None => 0,
        Some(cursor) => {
            keys.iter()
                .position(|k| &k.row.id == cursor)
                .ok_or_else(|| Error::field("starting_after", "no such object in this list"))?
                + 1
        }
    };
    let rows: Vec<Value> = keys[start..]
        .iter()
        .take(page.fetch() as usize)
        .map(ApiKey::to_json)
        .collect();
    Ok(envelope::ok(list::list(rows, &page)))
}

fn bad_filter(field: &'static str, allowed: &str) -> ApiError {
    crate::error::Error::field(field, format!("use {allowed}")).into()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateBody {
    name: Option<String>,
    mode: Option<String>,
    permissions: Option<Value>,
    allowed_ips: Option<Vec<String>>,
    rate_limit: Option<Value>,
    expires_in_days: Option<Value>,
    api_version: Option<String>,
    require_signature: Option<bool>,
}

fn with_secret(created: &CreatedKey) -> Value {
    let mut obj = created.key.to_json();
    obj["secret_key"] = Value::String(created.secret.clone());
    obj
}

pub async fn create_key(
    req: HttpRequest,
    ApiUser(who): ApiUser,
    JsonObject(b): JsonObject<CreateBody>,
) -> Result<HttpResponse, ApiError> {
    let draft = KeyDraft {
        name: b.name.unwrap_or_default(),
        mode: b.mode.unwrap_or_else(|| "test".into()),
        permissions: match &b.permissions {
            None => Err("required: \"*\" or an object such as {\"payments\":\"write\"}".into()),
            Some(v) => Access::from_json(v),
        },
        allowed_ips: b.allowed_ips.unwrap_or_default(),
        rate_limit: number_text(&b.rate_limit),
        expires_in_days: number_text(&b.expires_in_days),
        api_version: b.api_version.unwrap_or_default(),
        require_signature: b.require_signature.unwrap_or(false),
    };
    let ip = AppState::client_ip(&req);
    let created = AppState::of(&req)
        .db
        .run(move |c| {
            let created = service::create_key(c, &who, draft, &ip)?;
            // This response is the one reveal.
            service::claim_reveal(c, &who, &created.key.row.id)?;
            Ok(created)
        })
        .await?;
    Ok(envelope::with_status(
        StatusCode::CREATED,
        with_secret(&created),
    ))
}

pub async fn get_key(
    req: HttpRequest,
    ApiUser(who): ApiUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let key = AppState::of(&req)
        .db
        .run(move |c| service::get_key(c, &who, &id))
        .await?;
    Ok(envelope::ok(key.to_json()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateBody {
    name: Option<String>,
    permissions: Option<Value>,
    allowed_ips: Option<Vec<String>>,
    rate_limit: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    api_version: Option<Option<String>>,
    require_signature: Option<bool>,
}

/// Tells `"field": null` (Some(None)) from an absent field (None).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

pub async fn update_key(
    req: HttpRequest,
    ApiUser(who): ApiUser,
    id: web::Path<String>,
    JsonObject(b): JsonObject<UpdateBody>,
) -> Result<HttpResponse, ApiError> {
    let patch = KeyPatch {
        name: b.name,
        permissions: b.permissions.as_ref().map(Access::from_json),
        allowed_ips: b.allowed_ips,
        rate_limit: b.rate_limit.as_ref().map(|_| number_text(&b.rate_limit)),
        // `"api_version": null` removes the pin.
        api_version: b.api_version.map(Option::unwrap_or_default),
        require_signature: b.require_signature,
    };
    let ip = AppState::client_ip(&req);
    let key = AppState::of(&req)
        .db
        .run(move |c| service::update_key(c, &who, &id, patch, &ip))
        .await?;
    Ok(envelope::ok(key.to_json()))
}

type StatusChange = fn(&mut DbConn, &Principal, &str, &str) -> Result<ApiKey, Error>;

/// Suspend, reactivate and revoke: one service call, the key back.
async fn change_status(
    req: HttpRequest,
    who: Principal,
    id: String,
    change: StatusChange,
) -> Result<HttpResponse, ApiError> {
    let ip = AppState::client_ip(&req);
    let key = AppState::of(&req)
        .db
        .run(move |c| change(c, &who, &id, &ip))
        .await?;
    Ok(envelope::ok(key.to_json()))
}

pub async fn suspend_key(
    req: HttpRequest,
    ApiUser(who): ApiUser,
    id: web::Path<String>,
    _: NoFields,
) -> Result<HttpResponse, ApiError> {
    change_status(req, who, id.into_inner(), lifecycle::suspend_key).await
}

pub async fn reactivate_key(
    req: HttpRequest,
    ApiUser(who): ApiUser,
    id: web::Path<String>,
    _: NoFields,
) -> Result<HttpResponse, ApiError> {
    change_status(req, who, id.into_inner(), lifecycle::reactivate_key).await
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RollBody {
    grace_period_seconds: Option<i64>,
}

/// The roll body is optional: no body means a grace period of 0.
pub async fn roll_key(
    req: HttpRequest,
    ApiUser(who): ApiUser,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let body: RollBody = if body.iter().all(u8::is_ascii_whitespace) {
        RollBody::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| envelope::body_error(&e))?
    };
    let grace = body.grace_period_seconds.unwrap_or(0);
    let ip = AppState::client_ip(&req);
    let (created, old) = AppState::of(&req)
        .db
        .run(move |c| {
            let created = lifecycle::roll_key(c, &who, &id, grace, &ip)?;
            service::claim_reveal(c, &who, &created.key.row.id)?;
            let old = service::get_key(c, &who, &id)?;
            Ok((created, old))
        })
        .await?;
    let mut data = with_secret(&created);
    data["rolled_from"] = old.to_json();
    Ok(envelope::with_status(StatusCode::CREATED, data))
}

pub async fn revoke_key(
    req: HttpRequest,
    ApiUser(who): ApiUser,
    id: web::Path<String>,
    _: NoFields,
) -> Result<HttpResponse, ApiError> {
    change_status(req, who, id.into_inner(), lifecycle::revoke_key).await
}
