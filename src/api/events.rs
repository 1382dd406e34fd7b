//! /events and /whoami

use actix_web::{HttpRequest, web};

use serde::Serialize;

use super::context::{self, ApiResult, Query};
use super::envelope;
use super::gate::KeyAuth;
use super::list::{self, Page};
use crate::keys::KeyKind;
use crate::keys::permissions::{Level, Resource};
use crate::payments::events;

pub async fn get_event(req: HttpRequest, auth: KeyAuth, id: web::Path<String>) -> ApiResult {
    context::ok(context::run(&req, &auth, move |c, s| events::get(c, s, &id)).await?)
}

/// `?type=payment.succeeded` filters.
pub async fn list_events(req: HttpRequest, auth: KeyAuth, query: Query) -> ApiResult {
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

/// What `GET /whoami` answers.
#[derive(Serialize)]
struct Whoami<'a> {
    object: &'static str,
    key_id: &'a str,
    key_type: &'static str,
    mode: &'static str,
    livemode: bool,
    scopes: Vec<String>,
    merchant: WhoamiMerchant<'a>,
}

#[derive(Serialize)]
struct WhoamiMerchant<'a> {
    id: &'a str,
    name: &'a str,
}

/// Which key this is, its mode, scopes and merchant.
pub async fn whoami(auth: KeyAuth) -> ApiResult {
    let k = &auth.0;
    // A publishable key can do no more than read plans, whatever its pair may do.
    let scopes = match k.kind {
        KeyKind::Secret => k.access.scopes(),
        KeyKind::Publishable if k.access.allows(Resource::Plans, Level::Read) => {
            vec!["plans:read".to_owned()]
        }
        KeyKind::Publishable => vec![],
    };
    Ok(envelope::ok(Whoami {
        object: "whoami",
        key_id: &k.key_id,
        key_type: if k.kind == KeyKind::Secret {
            "secret"
        } else {
            "publishable"
        },
        mode: k.mode.as_str(),
        livemode: auth.livemode(),
        scopes,
        merchant: WhoamiMerchant {
            id: &k.merchant_id,
            name: &k.merchant_name,
        },
    }))
}
