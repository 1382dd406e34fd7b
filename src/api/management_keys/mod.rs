//! The management-key API of SPEC §17, for an Admin's user token (never a key, and never
//! a management key): make one (the answer alone holds its secret), list, show, suspend,
//! reactivate and revoke. It calls the same operations as the Hub page. `acting` is the
//! other half: a management key presented on the routes that accept one.

pub mod acting;
mod json;

use actix_web::{HttpRequest, web};

use crate::api::body::{JsonObject, NoFields};
use crate::api::context::{self, ApiResult, Created, Query};
use crate::api::extract::ApiUser;
use crate::api::list::{self, List, Page};
use crate::keys::management::service::{self, ManagementKey, ManagementKeyObject};
use crate::state::AppState;
use json::{NewManagementKey, NewManagementKeyDraft};

/// Newest first, paged on (`created_at`, `id`) like every list.
pub async fn list_management_keys(
    req: HttpRequest,
    ApiUser(who): ApiUser,
    query: Query,
) -> ApiResult<List<ManagementKeyObject>> {
    let page = Page::from_query(&query)?;
    let (after, fetch) = (page.starting_after.clone(), page.fetch());
    let keys = AppState::of(&req)
        .db
        .run(move |c| service::list_page(c, &who, after.as_deref(), fetch))
        .await?;
    context::ok(list::list(
        keys.iter().map(ManagementKey::view).collect(),
        &page,
    ))
}

pub async fn create_management_key(
    req: HttpRequest,
    ApiUser(who): ApiUser,
    JsonObject(NewManagementKeyDraft(draft)): JsonObject<NewManagementKeyDraft>,
) -> ApiResult<Created<NewManagementKey>> {
    let ip = AppState::client_ip(&req);
    // This response is the one reveal.
    let created = AppState::of(&req)
        .db
        .run(move |c| service::create(c, &who, draft, &ip))
        .await?;
    context::created(NewManagementKey {
        key: created.key.view(),
        secret: created.secret,
    })
}

pub async fn retrieve_management_key(
    req: HttpRequest,
    ApiUser(who): ApiUser,
    id: web::Path<String>,
) -> ApiResult<ManagementKeyObject> {
    let key = AppState::of(&req)
        .db
        .run(move |c| service::get(c, &who, &id))
        .await?;
    context::ok(key.view())
}

pub async fn suspend_management_key(
    req: HttpRequest,
    ApiUser(who): ApiUser,
    id: web::Path<String>,
    _: NoFields,
) -> ApiResult<ManagementKeyObject> {
    context::change_status(
        &req,
        who,
        id.into_inner(),
        service::suspend,
        ManagementKey::view,
    )
    .await
}

pub async fn reactivate_management_key(
    req: HttpRequest,
    ApiUser(who): ApiUser,
    id: web::Path<String>,
    _: NoFields,
) -> ApiResult<ManagementKeyObject> {
    context::change_status(
        &req,
        who,
        id.into_inner(),
        service::reactivate,
        ManagementKey::view,
    )
    .await
}

pub async fn revoke_management_key(
    req: HttpRequest,
    ApiUser(who): ApiUser,
    id: web::Path<String>,
    _: NoFields,
) -> ApiResult<ManagementKeyObject> {
    context::change_status(
        &req,
        who,
        id.into_inner(),
        service::revoke,
        ManagementKey::view,
    )
    .await
}
