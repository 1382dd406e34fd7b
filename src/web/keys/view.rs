//! What several Hub pages show of a key: its row (with the status badge), and the page
//! saying why a key cannot take an action.

use actix_session::Session;
use askama::Template;

use crate::accounts::Principal;
use crate::error::Error;
use crate::keys::model::{ApiKey, KeyStatus};
use crate::keys::policy::{self, KeyAction};
use crate::web::page::{self, Layout};
use crate::web::shown::Time;

pub struct KeyRow {
    pub id: String,
    pub name: String,
    pub mode: &'static str,
    pub publishable_key: String,
    pub secret_hint: String,
    pub status: &'static str,
    /// What the status badge says: the status, or "rolling — expires …" for a rolled
    /// key in its grace period and "rolled" once that is over.
    pub badge: Badge,
    /// The badge's colour: the status's, or `rolling` (not the active colour: the key
    /// stops working at the end of its grace period).
    pub badge_class: &'static str,
    pub permissions: String,
    pub created: Time,
    /// None: never used.
    pub last_used: Option<Time>,
    pub canary: bool,
    /// Where a reported leak was found (the key was revoked then).
    pub exposed_url: Option<String>,
    pub last_used_ip: String,
    /// A live key that breaks a rule of the key policy made after it.
    pub outside_policy: bool,
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
            badge_class: match (k.status, &k.row.rolled_to) {
                (KeyStatus::Active, Some(_)) => "rolling",
                (status, _) => status.as_str(),
            },
            permissions: k.access.summary(),
            created: Time::at(k.row.created_at),
            last_used: k.row.last_used_at.map(Time::at),
            canary: k.row.canary,
            exposed_url: k.row.exposed_url.clone(),
            last_used_ip: k.row.last_used_ip.clone().unwrap_or_default(),
            outside_policy: k.outside_policy,
        }
    }
}

/// A key's status badge: a fixed text, and for a rolled key the moment it expires.
pub struct Badge {
    pub text: &'static str,
    pub until: Option<Time>,
}

/// The text is one of this file's constants and `Time` is markup-safe.
impl std::fmt::Display for Badge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.text)?;
        match self.until {
            Some(t) => write!(f, " {t}"),
            None => Ok(()),
        }
    }
}

impl askama::filters::HtmlSafe for Badge {}

/// A rolled key still works until its grace period ends: say so, rather than a plain
/// "active" that hides the deadline.
fn badge(k: &ApiKey) -> Badge {
    let (text, until) = match (k.status, &k.row.rolled_to, k.row.expires_at) {
        (KeyStatus::Active, Some(_), Some(at)) => ("rolling — expires", Some(at)),
        // Suspended says more than "rolling": the key does not work now.
        (KeyStatus::Suspended, Some(_), Some(at)) => ("suspended — rolled, expires", Some(at)),
        (KeyStatus::Expired, Some(_), _) => ("rolled", None),
        (status, _, _) => (status.as_str(), None),
    };
    Badge {
        text,
        until: until.map(Time::at),
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

/// Why this person cannot take `action` on this key now, if they cannot: the one key
/// policy's answer (sudo aside: it is asked for in place when needed).
pub(super) fn refusal(who: &Principal, key: &ApiKey, action: &str) -> Option<Error> {
    let action = match action {
        "edit" => KeyAction::Edit { widens: false },
        "roll" => KeyAction::Roll,
        "revoke" => KeyAction::Revoke,
        "suspend" => KeyAction::Suspend,
        "reactivate" => KeyAction::Reactivate,
        _ => KeyAction::View,
    };
    policy::permitted(who, action, key.mode, Some(key)).err()
}

pub(super) fn unavailable(
    who: &Principal,
    session: &Session,
    key: &ApiKey,
    verb: &'static str,
    refused: Error,
) -> actix_web::HttpResponse {
    // 403 for who is asking, 409 for the key's state: the catalogue's status.
    page::render(
        page::status_of(&refused),
        &UnavailablePage {
            layout: Layout::signed_in(who, session, "keys"),
            key: KeyRow::of(key),
            verb,
            reason: refused.to_string(),
        },
    )
}
