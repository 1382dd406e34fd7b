//! The audit log page (Admins and Developers): the merchant's entries, newest first,
//! filtered by action prefix, actor and target, 50 a page with an "Older" link (keyset on
//! the time-ordered entry id); each target links to its key, endpoint or the team.

use actix_session::Session;
use actix_web::{HttpRequest, web};
use askama::Template;
use serde::Deserialize;

use super::form::Response;
use super::listing::Listing;
use super::page::{self, Layout, SignedIn};
use super::shown::Time;
use crate::db::models::audit::{AuditEntry, AuditFilter};

/// Entries per page.
const PAGE_SIZE: i64 = 50;

#[derive(Template)]
#[template(path = "audit/index.html")]
pub struct AuditPage {
    pub layout: Layout,
    pub list: Listing<AuditRow>,
    pub action: String,
    pub actor: String,
    pub target: String,
}

pub struct AuditRow {
    pub time: Time,
    pub actor: String,
    pub action: String,
    pub target: String,
    /// Where the target can be seen, when it still exists.
    pub link: Option<String>,
    pub ip: String,
    pub detail: String,
}

impl From<AuditEntry> for AuditRow {
    fn from(e: AuditEntry) -> Self {
        Self {
            time: Time::at(e.created_at),
            actor: e.actor,
            action: e.action,
            target: e.target,
            link: None,
            ip: e.ip,
            detail: e.detail,
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AuditQuery {
    action: String,
    actor: String,
    target: String,
    before: String,
}

/// Where a target opens: its key, its endpoint, or Team for a member (Admins only).
fn link_for(target: &str, is_admin: bool) -> Option<String> {
    if target.starts_with("key_") {
        Some(format!("/keys/{target}"))
    } else if target.starts_with("we_") {
        Some(format!("/webhooks/{target}"))
    } else if is_admin && (target.starts_with("usr_") || target.contains('@')) {
        Some("/team".into())
    } else {
        None
    }
}

pub async fn list_audit(
    req: HttpRequest,
    session: Session,
    SignedIn(who): SignedIn,
    q: web::Query<AuditQuery>,
) -> Response {
    who.require_hub()?;
    let q = q.into_inner();
    let filter = AuditFilter {
        action_prefix: q.action.trim().to_owned(),
        actor: q.actor.trim().to_owned(),
        target: q.target.trim().to_owned(),
        before: Some(q.before.trim().to_owned()).filter(|b| !b.is_empty()),
    };
    let merchant_id = who.merchant.id.clone();
    let chosen = filter.clone();
    let (entries, existing) = page::state(&req)
        .db
        .run(move |c| {
            // One more than a page tells whether an older page exists.
            let entries = AuditEntry::page_for_merchant(c, &merchant_id, &chosen, PAGE_SIZE + 1)?;
            let targets: Vec<String> = entries.iter().map(|e| e.target.clone()).collect();
            let existing = AuditEntry::existing_targets(c, &merchant_id, &targets)?;
            Ok((entries, existing))
        })
        .await?;
    let is_admin = who.role() == crate::db::models::user::Role::Admin;
    let list = Listing::sized(&req, entries, |e| &e.id, PAGE_SIZE).map(|e| {
        let link = existing
            .contains(&e.target)
            .then(|| link_for(&e.target, is_admin))
            .flatten();
        AuditRow {
            link,
            ..AuditRow::from(e)
        }
    });
    Ok(page::ok(&AuditPage {
        layout: Layout::signed_in(&who, &session, "audit"),
        list,
        action: filter.action_prefix,
        actor: filter.actor,
        target: filter.target,
    }))
}
