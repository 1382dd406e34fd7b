//! The Developer Hub's key list, filtered by mode and status.

use actix_session::Session;
use actix_web::{HttpRequest, web};
use askama::Template;
use serde::Deserialize;

use super::view::KeyRow;
use crate::keys::Mode;
use crate::keys::model::KeyStatus;
use crate::keys::service::{self, KeyFilter};
use crate::web::form::Response;
use crate::web::listing::{Listing, PAGE_ROWS};
use crate::web::page::{self, Layout, SignedIn};

#[derive(Template)]
#[template(path = "hub/list.html")]
pub struct KeysPage {
    pub layout: Layout,
    pub list: Listing<KeyRow>,
    pub mode: String,
    pub status: String,
    pub notice: Option<String>,
}

#[derive(Deserialize)]
pub struct ListQuery {
    mode: Option<String>,
    status: Option<String>,
    done: Option<String>,
}

pub async fn list_keys(
    req: HttpRequest,
    session: Session,
    SignedIn(who): SignedIn,
    q: web::Query<ListQuery>,
) -> Response {
    who.require_hub()?;
    let q = q.into_inner();
    // The mode filter defaults to the header's switch (test unless `?mode=live`);
    // `all` shows both. Unknown filter values show everything rather than an error page.
    let filter = KeyFilter {
        mode: match q.mode.as_deref() {
            None | Some("") => Some(Mode::Test),
            Some(m) => Mode::parse(m),
        },
        status: q.status.as_deref().and_then(KeyStatus::parse),
    };
    // Paged in the database like every list: newest first, `before` the last one shown.
    let (actor, chosen, before) = (who.clone(), filter.clone(), page::cursor(&req));
    let keys = page::state(&req)
        .db
        .run(move |c| service::list_keys_page(c, &actor, &chosen, before.as_deref(), PAGE_ROWS + 1))
        .await?;
    let notice = match q.done.as_deref() {
        Some("revoked") => {
            Some("Key revoked. Requests with it are refused from now on.".to_string())
        }
        _ => None,
    };
    Ok(page::ok(&KeysPage {
        layout: Layout::signed_in(&who, &session, "keys").in_mode(&req),
        list: Listing::of(&req, keys, |k| &k.row.id).map(|k| KeyRow::of(&k)),
        mode: filter
            .mode
            .map(|m| m.as_str().to_string())
            .unwrap_or_else(|| "all".into()),
        status: filter
            .status
            .map(|s| s.as_str().to_string())
            .unwrap_or_default(),
        notice,
    }))
}
