//! /events and /whoami

use actix_web::{HttpRequest, web};

use serde::Serialize;
use utoipa::ToSchema;

use super::context::{self, ApiResult, Query};
use super::gate::KeyAuth;
use super::list::{self, List, Page};
use crate::keys::KeyKind;
use crate::keys::permissions::{Level, Resource};
use crate::payments::events;
use crate::payments::views::Event;

super::describe::described!(Whoami, Event);

pub async fn get_event(req: HttpRequest, auth: KeyAuth, id: web::Path<String>) -> ApiResult<Event> {
    context::ok(context::run(&req, &auth, move |c, s| events::get(c, s, &id)).await?)
}

/// `?type=payment.succeeded` filters.
pub async fn list_events(req: HttpRequest, auth: KeyAuth, query: Query) -> ApiResult<List<Event>> {
    let page = Page::from_query(&query)?;
    let event_type = query
        .iter()
        .find(|(k, _)| k == "type")
        .map(|(_, v)| v.clone());
    let rows = context::run(&req, &auth, move |c, s| {
        context::check_cursor(c, s, &page, events::get)?;
        Ok((
            events::list(
                c,
                s,
                event_type.as_deref(),
                page.starting_after.as_deref(),
                page.fetch(),
            )?,
            page,
        ))
    })
    .await?;
    context::ok(list::list(rows.0, &rows.1))
}

/// Which key made the request, its mode, scopes and merchant.
#[derive(Serialize, ToSchema)]
pub struct Whoami {
    #[schema(pattern = "^whoami$")]
    object: &'static str,
    #[schema(pattern = "^key_")]
    key_id: String,
    /// `secret` or `publishable`.
    #[schema(pattern = "^(secret|publishable)$")]
    key_type: &'static str,
    /// `test` or `live`.
    #[schema(pattern = "^(test|live)$")]
    mode: &'static str,
    livemode: bool,
    /// Such as `payments:write`; every scope when the key has full access.
    scopes: Vec<String>,
    merchant: WhoamiMerchant,
}

/// The merchant a key belongs to.
#[derive(Serialize, ToSchema)]
pub struct WhoamiMerchant {
    id: String,
    name: String,
}

/// Which key this is, its mode, scopes and merchant.
pub async fn whoami(auth: KeyAuth) -> ApiResult<Whoami> {
    let k = &auth;
    // A publishable key can do no more than read plans, whatever its pair may do.
    let scopes = match k.kind {
        KeyKind::Secret => k.access.scopes(),
        KeyKind::Publishable if k.access.allows(Resource::Plans, Level::Read) => {
            vec!["plans:read".to_owned()]
        }
        KeyKind::Publishable => vec![],
    };
    context::ok(Whoami {
        object: "whoami",
        key_id: k.key_id.clone(),
        key_type: if k.kind == KeyKind::Secret {
            "secret"
        } else {
            "publishable"
        },
        mode: k.mode.as_str(),
        livemode: auth.livemode(),
        scopes,
        merchant: WhoamiMerchant {
            id: k.merchant_id.clone(),
            name: k.merchant_name.clone(),
        },
    })
}
