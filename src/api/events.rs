//! /events and /whoami

use actix_web::{HttpRequest, web};

use serde::Serialize;
use utoipa::ToSchema;

use super::context::{self, ApiResult, Query};
use super::gate::KeyAuth;
use super::list::{self, List, Page};
use crate::keys::KeyKind;
use crate::keys::permissions::{Access, Level, Resource};
use crate::payments::events;
use crate::payments::views::Event;

super::describe::described!(Event);

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
pub struct Whoami<'a> {
    #[schema(pattern = "^whoami$")]
    object: &'static str,
    #[schema(pattern = "^key_")]
    key_id: &'a str,
    /// `secret` or `publishable`.
    #[schema(pattern = "^(secret|publishable)$")]
    key_type: &'static str,
    /// `test` or `live`.
    #[schema(pattern = "^(test|live)$")]
    mode: &'static str,
    livemode: bool,
    /// Such as `payments:write`; every scope when the key has full access.
    #[schema(value_type = Vec<String>)]
    scopes: Scopes<'a>,
    merchant: WhoamiMerchant<'a>,
}

/// The merchant a key belongs to.
#[derive(Serialize, ToSchema)]
pub struct WhoamiMerchant<'a> {
    id: &'a str,
    name: &'a str,
}

/// A key's scopes as `whoami` lists them, written straight from its permissions.
struct Scopes<'a>(&'a KeyAuth);

impl Serialize for Scopes<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let k = self.0;
        let mut seq = s.serialize_seq(None)?;
        match k.kind {
            KeyKind::Secret => match &k.access {
                Access::Full => seq.serialize_element("*")?,
                scoped => {
                    for scope in scoped.scopes() {
                        seq.serialize_element(&scope)?;
                    }
                }
            },
            // A publishable key can do no more than read plans, whatever its pair may do.
            KeyKind::Publishable if k.access.allows(Resource::Plans, Level::Read) => {
                seq.serialize_element("plans:read")?;
            }
            KeyKind::Publishable => {}
        }
        seq.end()
    }
}

/// The answer of `whoami`: the key itself, shaped as [`Whoami`] as it is written (so
/// nothing is copied out of the key first).
pub struct WhoamiAnswer(KeyAuth);

impl Serialize for WhoamiAnswer {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let k = &self.0;
        Whoami {
            object: "whoami",
            key_id: &k.key_id,
            key_type: if k.kind == KeyKind::Secret {
                "secret"
            } else {
                "publishable"
            },
            mode: k.mode.as_str(),
            livemode: k.livemode(),
            scopes: Scopes(k),
            merchant: WhoamiMerchant {
                id: &k.merchant_id,
                name: &k.merchant_name,
            },
        }
        .serialize(s)
    }
}

impl super::describe::Describe for WhoamiAnswer {
    fn describe(components: &mut super::describe::Components) -> serde_json::Value {
        super::describe::named::<Whoami<'static>>(components)
    }
}

/// Which key this is, its mode, scopes and merchant.
pub async fn whoami(auth: KeyAuth) -> ApiResult<WhoamiAnswer> {
    context::ok(WhoamiAnswer(auth))
}
