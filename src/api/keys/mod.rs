//! The key-management API of SPEC §6, for user tokens (never API keys). It calls the same
//! service functions as the Hub pages. The bodies it reads and answers are in `json`, a
//! key's usage in `usage`.

mod json;
mod policy;
mod spend;
mod usage;

use actix_web::{HttpRequest, web};

use crate::api::body::{JsonObject, NoFields};
use crate::api::context::{self, ApiResult, Created, Query};
use crate::api::extract::ApiUser;
use crate::api::list::{self, List, Page};
use crate::keys::Mode;
use crate::keys::lifecycle;
use crate::keys::model::{ApiKey, KeyObject, KeyStatus};
use crate::keys::service::{self, KeyFilter, Reveal};
use crate::state::AppState;
use crate::webhooks::bound;
use json::{KeyChange, NewKey, NewKeyDraft, RollParams, RolledKey, bad_filter, with_secret};

pub use policy::{get_key_policy, update_key_policy};
pub use usage::get_key_usage;

crate::api::describe::described!(KeyObject);

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

pub async fn create_key(
    req: HttpRequest,
    ApiUser(who): ApiUser,
    JsonObject(NewKeyDraft(draft, webhook_url)): JsonObject<NewKeyDraft>,
) -> ApiResult<Created<NewKey>> {
    let ip = AppState::client_ip(&req);
    let live = draft.mode == "live";
    let state = AppState::of(&req);
    let webhook_url = match webhook_url {
        Some(url) => {
            match bound::checked_url(
                &who,
                &url,
                live,
                state.webhooks.allow_private,
                "webhook_url",
            )
            .await
            {
                Ok(url) => Some(url),
                // Every wrong field at once: the key's settings are checked too.
                Err(crate::error::Error::Invalid(mut fields)) => {
                    let mut errors = crate::keys::service::draft_errors(&draft);
                    errors.append(&mut fields);
                    return Err(crate::error::Error::Invalid(errors).into());
                }
                Err(e) => return Err(e.into()),
            }
        }
        None => None,
    };
    let sealer = state.webhooks.sealer.clone();
    // This response is the one reveal.
    let (created, webhook_secret) = state
        .db
        .run(move |c| {
            bound::create_key(
                c,
                &who,
                &sealer,
                draft,
                webhook_url,
                Reveal::InThisAnswer,
                &ip,
            )
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

pub async fn suspend_key(
    req: HttpRequest,
    ApiUser(who): ApiUser,
    id: web::Path<String>,
    _: NoFields,
) -> ApiResult<KeyObject> {
    context::change_status(
        &req,
        who,
        id.into_inner(),
        lifecycle::suspend_key,
        ApiKey::view,
    )
    .await
}

pub async fn reactivate_key(
    req: HttpRequest,
    ApiUser(who): ApiUser,
    id: web::Path<String>,
    _: NoFields,
) -> ApiResult<KeyObject> {
    context::change_status(
        &req,
        who,
        id.into_inner(),
        lifecycle::reactivate_key,
        ApiKey::view,
    )
    .await
}

pub async fn roll_key(
    req: HttpRequest,
    ApiUser(who): ApiUser,
    id: web::Path<String>,
    JsonObject(p): JsonObject<RollParams>,
) -> ApiResult<Created<RolledKey>> {
    let grace = p.grace_period_seconds.unwrap_or(0);
    let roll_publishable = p.roll_publishable.unwrap_or(false);
    let ip = AppState::client_ip(&req);
    let (created, old) = AppState::of(&req)
        .db
        .run(move |c| {
            // This response is the one reveal, marked in the roll's own transaction.
            let created = lifecycle::roll_key(
                c,
                &who,
                &id,
                grace,
                roll_publishable,
                Reveal::InThisAnswer,
                &ip,
            )?;
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
    context::change_status(
        &req,
        who,
        id.into_inner(),
        lifecycle::revoke_key,
        ApiKey::view,
    )
    .await
}
