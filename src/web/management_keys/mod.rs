//! The Hub's management keys (SPEC §17), an Admin's: the list, a key's page (its scopes,
//! status, use and history) with suspend, reactivate and revoke, and in `create` the
//! form whose answer shows the key once. Every page calls the operations the API does.

mod create;

use actix_session::Session;
use actix_web::{HttpRequest, web};
use askama::Template;
use serde::Deserialize;

use crate::db::DbConn;
use crate::error::Error;
use crate::keys::management::service::{self, ManagementKey};
use crate::keys::model::KeyStatus;
use crate::state::AppState;
use crate::web::audit::AuditRow;
use crate::web::form::{Empty, Form, Response};
use crate::web::listing::{Listing, PAGE_ROWS};
use crate::web::page::{self, Layout, SignedIn};
use crate::web::shown::Time;

/// The management keys' pages.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/management-keys", web::get().to(list_keys))
        .route("/management-keys", web::post().to(create::create_key))
        .route("/management-keys/new", web::get().to(create::new_key))
        .route("/management-keys/{id}", web::get().to(show_key))
        .route("/management-keys/{id}/suspend", web::post().to(suspend_key))
        .route(
            "/management-keys/{id}/reactivate",
            web::post().to(reactivate_key),
        )
        .route(
            "/management-keys/{id}/revoke",
            web::get().to(confirm_revoke),
        )
        .route("/management-keys/{id}/revoke", web::post().to(revoke_key));
}

/// One management key as its list row and page show it.
pub struct KeyLine {
    pub id: String,
    pub name: String,
    pub scopes: Vec<&'static str>,
    pub live: bool,
    pub allowed_ips: String,
    pub secret_hint: String,
    pub status: &'static str,
    pub active: bool,
    pub suspended: bool,
    pub revoked: bool,
    pub expires: Time,
    pub created: Time,
    pub created_by: String,
    pub last_used: Option<Time>,
    pub last_used_ip: String,
    pub request_count: i64,
}

impl KeyLine {
    fn of(k: &ManagementKey) -> Self {
        let ips = k.allowed_ip_strings();
        Self {
            id: k.row.id.clone(),
            name: k.row.name.clone(),
            scopes: k.scopes.iter().map(|s| s.as_str()).collect(),
            live: k.row.live,
            allowed_ips: if ips.is_empty() {
                "Any address".into()
            } else {
                ips.join(", ")
            },
            secret_hint: k.row.secret_hint.clone(),
            status: k.status.as_str(),
            active: k.status == KeyStatus::Active,
            suspended: k.status == KeyStatus::Suspended,
            revoked: k.status == KeyStatus::Revoked,
            expires: Time::at(k.row.expires_at),
            created: Time::at(k.row.created_at),
            created_by: k.row.created_by.clone(),
            last_used: k.row.last_used_at.map(Time::at),
            last_used_ip: k.row.last_used_ip.clone().unwrap_or_default(),
            request_count: k.row.request_count,
        }
    }
}

#[derive(Template)]
#[template(path = "hub/management/list.html")]
pub struct ListPage {
    pub layout: Layout,
    pub list: Listing<KeyLine>,
    pub notice: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

fn notice(done: Option<&str>) -> Option<&'static str> {
    match done {
        Some("revoked") => {
            Some("Management key revoked. Requests with it are refused from now on.")
        }
        Some("suspended") => {
            Some("Management key suspended. Requests with it are refused until it is reactivated.")
        }
        Some("reactivated") => Some("Management key reactivated."),
        Some("exists") => Some(
            "This form was sent already: the key it made is below. Its secret was shown then and cannot be shown again.",
        ),
        _ => None,
    }
}

pub async fn list_keys(
    req: HttpRequest,
    session: Session,
    SignedIn(who): SignedIn,
    q: web::Query<DoneQuery>,
) -> Response {
    let (actor, before) = (who.clone(), page::cursor(&req));
    let keys = page::state(&req)
        .db
        .run(move |c| service::list_page(c, &actor, before.as_deref(), PAGE_ROWS + 1))
        .await?;
    Ok(page::ok(&ListPage {
        layout: Layout::signed_in(&who, &session, "management-keys"),
        list: Listing::of(&req, keys, |k| &k.row.id).map(|k| KeyLine::of(&k)),
        notice: notice(q.done.as_deref()),
    }))
}

#[derive(Template)]
#[template(path = "hub/management/detail.html")]
pub struct DetailPage {
    pub layout: Layout,
    pub key: KeyLine,
    pub notice: Option<&'static str>,
    /// What the key did (it is the actor), newest first.
    pub actions: Vec<AuditRow>,
    /// What was done to it (created, suspended, …), newest first.
    pub history: Vec<AuditRow>,
    /// `/audit?actor=…`: every action of the key.
    pub audit_link: String,
}

pub async fn show_key(
    req: HttpRequest,
    session: Session,
    SignedIn(who): SignedIn,
    id: web::Path<String>,
    q: web::Query<DoneQuery>,
) -> Response {
    let actor = who.clone();
    let (key, actions, history) = page::state(&req)
        .db
        .run(move |c| {
            let key = service::get(c, &actor, &id)?;
            let actions = service::actions(c, &actor, &key)?;
            let history = service::history(c, &actor, &key.row.id)?;
            Ok((key, actions, history))
        })
        .await?;
    let audit_link = format!(
        "/audit?actor={}",
        percent(&crate::accounts::machine_actor(&key.row.id, &key.row.name))
    );
    Ok(page::ok(&DetailPage {
        layout: Layout::signed_in(&who, &session, "management-keys"),
        key: KeyLine::of(&key),
        notice: notice(q.done.as_deref()),
        actions: actions.into_iter().map(AuditRow::from).collect(),
        history: history.into_iter().map(AuditRow::from).collect(),
        audit_link,
    }))
}

/// Query-string encoding of a value.
fn percent(value: &str) -> String {
    serde_urlencoded::to_string([("v", value)])
        .map(|s| s.trim_start_matches("v=").to_owned())
        .unwrap_or_default()
}

#[derive(Template)]
#[template(path = "hub/management/revoke.html")]
pub struct RevokePage {
    pub layout: Layout,
    pub key: KeyLine,
}

pub async fn confirm_revoke(
    req: HttpRequest,
    session: Session,
    SignedIn(who): SignedIn,
    id: web::Path<String>,
) -> Response {
    let actor = who.clone();
    let key = page::state(&req)
        .db
        .run(move |c| service::get(c, &actor, &id))
        .await?;
    Ok(page::ok(&RevokePage {
        layout: Layout::signed_in(&who, &session, "management-keys"),
        key: KeyLine::of(&key),
    }))
}

type StatusChange =
    fn(&mut DbConn, &crate::accounts::Principal, &str, &str) -> Result<ManagementKey, Error>;

/// Suspend, reactivate, revoke: one operation, then back to the key (or the list).
async fn change(
    req: HttpRequest,
    who: crate::accounts::Principal,
    id: String,
    op: StatusChange,
    done: &str,
) -> Response {
    let ip = AppState::client_ip(&req);
    let key = page::state(&req)
        .db
        .run(move |c| op(c, &who, &id, &ip))
        .await?;
    Ok(page::see_other(&format!(
        "/management-keys/{}?done={done}",
        key.row.id
    )))
}

pub async fn suspend_key(
    req: HttpRequest,
    SignedIn(who): SignedIn,
    id: web::Path<String>,
    _: Form<Empty>,
) -> Response {
    change(req, who, id.into_inner(), service::suspend, "suspended").await
}

pub async fn reactivate_key(
    req: HttpRequest,
    SignedIn(who): SignedIn,
    id: web::Path<String>,
    _: Form<Empty>,
) -> Response {
    change(
        req,
        who,
        id.into_inner(),
        service::reactivate,
        "reactivated",
    )
    .await
}

pub async fn revoke_key(
    req: HttpRequest,
    SignedIn(who): SignedIn,
    id: web::Path<String>,
    _: Form<Empty>,
) -> Response {
    change(req, who, id.into_inner(), service::revoke, "revoked").await
}
