//! What several Hub pages show of a key: its row (with the status badge), and the page
//! saying why a key cannot take an action.

use actix_session::Session;
use actix_web::http::StatusCode;
use askama::Template;

use crate::accounts::Principal;
use crate::clock;
use crate::db::models::user::Role;
use crate::keys::Mode;
use crate::keys::model::{ApiKey, KeyStatus};
use crate::web::page::{self, Layout};

pub struct KeyRow {
    pub id: String,
    pub name: String,
    pub mode: &'static str,
    pub publishable_key: String,
    pub secret_hint: String,
    pub status: &'static str,
    /// What the status badge says: the status, or "rolling — expires …" for a rolled
    /// key in its grace period and "rolled" once that is over.
    pub badge: String,
    pub permissions: String,
    pub created: String,
    pub last_used: String,
    pub canary: bool,
    /// Where a reported leak was found (the key was revoked then).
    pub exposed_url: Option<String>,
    pub last_used_ip: String,
}

impl KeyRow {
    pub(super) fn of(k: &ApiKey) -> Self {
        Self {
            id: k.row.id.clone(),
            name: k.row.name.clone(),
            mode: k.mode.as_str(),
            publishable_key: k.row.publishable_key.clone(),
            secret_hint: k.row.secret_hint.clone(),
            status: k.status.as_str(),
            badge: badge(k),
            permissions: k.access.summary(),
            created: clock::display(k.row.created_at),
            last_used: k
                .row
                .last_used_at
                .map(clock::display)
                .unwrap_or_else(|| "Never".into()),
            canary: k.row.canary,
            exposed_url: k.row.exposed_url.clone(),
            last_used_ip: k.row.last_used_ip.clone().unwrap_or_default(),
        }
    }
}

/// A rolled key still works until its grace period ends: say so, rather than a plain
/// "active" that hides the deadline.
fn badge(k: &ApiKey) -> String {
    match (k.status, &k.row.rolled_to, k.row.expires_at) {
        (KeyStatus::Active, Some(_), Some(at)) => {
            format!("rolling — expires {}", clock::display(at))
        }
        // Suspended says more than "rolling": the key does not work now.
        (KeyStatus::Suspended, Some(_), Some(at)) => {
            format!("suspended — rolled, expires {}", clock::display(at))
        }
        (KeyStatus::Expired, Some(_), _) => "rolled".into(),
        (status, _, _) => status.as_str().into(),
    }
}

#[derive(Template)]
#[template(path = "hub/unavailable.html")]
pub struct UnavailablePage {
    pub layout: Layout,
    pub key: KeyRow,
    /// "edited", "rolled", "revoked".
    pub verb: &'static str,
    pub reason: String,
}

/// Why this key cannot be edited / rolled / revoked by this person now, if it cannot.
pub(super) fn refusal(who: &Principal, key: &ApiKey, action: &str) -> Option<String> {
    let live_admin_only = key.mode == Mode::Live && who.role() != Role::Admin;
    match action {
        "revoke" if key.status == KeyStatus::Revoked => Some(
            "This key is revoked already: every request made with it is refused. Revoked keys stay listed for the record.".into(),
        ),
        _ if key.status == KeyStatus::Revoked => Some(format!(
            "This key is revoked, so it can no longer be {}. Revoked keys stay listed for the record; create a new key if you need one.",
            if action == "edit" { "edited" } else { "rolled" }
        )),
        "edit" if live_admin_only => Some("Only an Admin can edit a live key.".into()),
        "roll" if live_admin_only => Some("Only an Admin can roll a live key.".into()),
        "roll" if key.row.rolled_to.is_some() => Some(format!(
            "This key was already rolled; roll its successor {} instead.",
            key.row.rolled_to.as_deref().unwrap_or_default()
        )),
        "roll" if key.status == KeyStatus::Expired => {
            Some("This key has expired; only active or suspended keys can be rolled.".into())
        }
        _ => None,
    }
}

pub(super) fn unavailable(
    who: &Principal,
    session: &Session,
    key: &ApiKey,
    verb: &'static str,
    reason: String,
) -> actix_web::HttpResponse {
    page::render(
        StatusCode::CONFLICT,
        &UnavailablePage {
            layout: Layout::signed_in(who, session, "keys"),
            key: KeyRow::of(key),
            verb,
            reason,
        },
    )
}
