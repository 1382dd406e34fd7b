//! What every key-authenticated handler shares: its scope, the blocking runner, bodies and
//! list queries.

use actix_web::body::BoxBody;
use actix_web::{HttpRequest, HttpResponse, Responder, http::StatusCode, web};
use serde::Serialize;

use super::envelope::{self, ApiError};
use super::gate::KeyAuth;
use super::list::{self, List, Page};
use crate::db::DbConn;
use crate::db::models::objects::Scope;
use crate::error::Error;
use crate::state::AppState;

/// A successful answer: its status and the `data` of the envelope, typed, so the route
/// table can name the type each handler returns (and the OpenAPI document describe it).
pub struct Reply<T> {
    pub status: StatusCode,
    pub data: T,
}

impl<T: Serialize> Responder for Reply<T> {
    type Body = BoxBody;

    fn respond_to(self, _: &HttpRequest) -> HttpResponse {
        envelope::with_status(self.status, self.data)
    }
}

/// What every API handler returns.
pub type ApiResult<T> = Result<Reply<T>, ApiError>;
pub type Query = web::Query<Vec<(String, String)>>;

/// The merchant and mode of the key.
pub fn scope(auth: &KeyAuth) -> Scope {
    Scope {
        merchant_id: auth.merchant_id().to_owned(),
        livemode: auth.livemode(),
        acting_key: Some(auth.key_id.clone()),
        spend_limits: auth.spend_limits.clone(),
    }
}

/// Runs domain work for this key's scope on the blocking pool.
pub async fn run<T, F>(req: &HttpRequest, auth: &KeyAuth, work: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut DbConn, &Scope) -> Result<T, Error> + Send + 'static,
    T: Send + 'static,
{
    let scope = scope(auth);
    Ok(AppState::of(req).db.run(move |c| work(c, &scope)).await?)
}

/// Reads one object by id for this key's scope through the instance's read cache
/// (`db::read_cache`): from memory when it was read before and has not changed since,
/// else `getter` on the blocking pool, whose answer is kept.
pub async fn read_by_id<T>(
    req: &HttpRequest,
    auth: &KeyAuth,
    id: String,
    getter: Getter<T>,
) -> Result<T, ApiError>
where
    T: Clone + Send + Sync + 'static,
{
    let objects = &AppState::of(req).objects;
    let in_scope = (auth.merchant_id(), auth.livemode());
    if let Some(hit) = objects.get::<T>(in_scope, &id) {
        return Ok(hit);
    }
    let started = objects.read_starts();
    let (found, id) = run(req, auth, move |c, s| Ok((getter(c, s, &id)?, id))).await?;
    objects.put(in_scope, &id, started, found.clone());
    Ok(found)
}

/// A new object, answered with 201; serialized as the object itself.
#[derive(Serialize)]
#[serde(transparent)]
pub struct Created<T>(pub T);

/// 201 with the new object.
pub fn created<T>(data: T) -> ApiResult<Created<T>> {
    Ok(Reply {
        status: StatusCode::CREATED,
        data: Created(data),
    })
}

/// 200 with the object.
/// An operation that changes a key's status (suspend, reactivate, revoke): the actor,
/// the object's id and the client's address (for the audit log).
pub type StatusChange<T> =
    fn(&mut DbConn, &crate::accounts::Principal, &str, &str) -> Result<T, Error>;

/// Runs a [`StatusChange`] off the async workers and answers the object as `view` shows
/// it: the API keys' and the management keys' suspend, reactivate and revoke.
pub async fn change_status<T: Send + 'static, V>(
    req: &HttpRequest,
    who: crate::accounts::Principal,
    id: String,
    change: StatusChange<T>,
    view: fn(&T) -> V,
) -> ApiResult<V> {
    let ip = AppState::client_ip(req);
    let changed = AppState::of(req)
        .db
        .run(move |c| change(c, &who, &id, &ip))
        .await?;
    ok(view(&changed))
}

pub fn ok<T>(data: T) -> ApiResult<T> {
    Ok(Reply {
        status: StatusCode::OK,
        data,
    })
}

pub type Lister<T> = fn(&mut DbConn, &Scope, Option<&str>, i64) -> Result<Vec<T>, Error>;
pub type Getter<T> = fn(&mut DbConn, &Scope, &str) -> Result<T, Error>;

/// A paginated list; `starting_after` must name an object of the same kind in scope.
pub async fn list_page<T: Send + 'static>(
    req: &HttpRequest,
    auth: &KeyAuth,
    query: &[(String, String)],
    lister: Lister<T>,
    getter: Getter<T>,
) -> ApiResult<List<T>> {
    let page = Page::from_query(query)?;
    let rows = run(req, auth, move |c, s| {
        check_cursor(c, s, &page, getter)?;
        Ok((
            lister(c, s, page.starting_after.as_deref(), page.fetch())?,
            page,
        ))
    })
    .await?;
    ok(list::list(rows.0, &rows.1))
}

pub fn check_cursor<T>(
    c: &mut DbConn,
    s: &Scope,
    page: &Page,
    getter: Getter<T>,
) -> Result<(), Error> {
    if let Some(cursor) = &page.starting_after {
        match getter(c, s, cursor) {
            Err(Error::NotFound) => {
                return Err(Error::field(
                    "starting_after",
                    "no such object in this list",
                ));
            }
            other => {
                other?;
            }
        }
    }
    Ok(())
}
