//! What every key-authenticated handler shares: its scope, the blocking runner, bodies and
//! list queries.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use serde_json::Value;

use super::envelope::{self, ApiError};
use super::gate::KeyAuth;
use super::list::{self, Page};
use crate::db::DbConn;
use crate::db::models::objects::Scope;
use crate::error::Error;
use crate::state::AppState;

pub type ApiResult = Result<HttpResponse, ApiError>;
pub type Query = web::Query<Vec<(String, String)>>;

/// The merchant and mode of the key.
pub fn scope(auth: &KeyAuth) -> Scope {
    Scope {
        merchant_id: auth.merchant_id().to_owned(),
        livemode: auth.livemode(),
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

pub fn created(object: Value) -> ApiResult {
    Ok(envelope::with_status(StatusCode::CREATED, object))
}

pub fn ok(object: Value) -> ApiResult {
    Ok(envelope::ok(object))
}

type Lister = fn(&mut DbConn, &Scope, Option<&str>, i64) -> Result<Vec<Value>, Error>;
type Getter = fn(&mut DbConn, &Scope, &str) -> Result<Value, Error>;

/// A paginated list; `starting_after` must name an object of the same kind in scope.
pub async fn list_page(
    req: &HttpRequest,
    auth: &KeyAuth,
    query: &[(String, String)],
    lister: Lister,
    getter: Getter,
) -> ApiResult {
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

pub fn check_cursor(c: &mut DbConn, s: &Scope, page: &Page, getter: Getter) -> Result<(), Error> {
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
