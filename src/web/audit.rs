//! The audit log page (Admins and Developers): the latest 200 entries of the merchant.

use actix_session::Session;
use actix_web::HttpRequest;
use askama::Template;

use super::form::Response;
use super::page::{self, Layout, SignedIn};
use crate::db::models::audit::AuditEntry;

#[derive(Template)]
#[template(path = "audit/index.html")]
pub struct AuditPage {
    pub layout: Layout,
    pub entries: Vec<AuditRow>,
}

pub struct AuditRow {
    pub time: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub ip: String,
    pub detail: String,
}

impl From<AuditEntry> for AuditRow {
    fn from(e: AuditEntry) -> Self {
        Self {
            time: crate::clock::rfc3339(e.created_at),
            actor: e.actor,
            action: e.action,
            target: e.target,
            ip: e.ip,
            detail: e.detail,
        }
    }
}

pub async fn list_audit(req: HttpRequest, session: Session, SignedIn(who): SignedIn) -> Response {
    who.require_hub()?;
    let merchant_id = who.merchant.id.clone();
    let entries = page::state(&req)
        .db
        .run(move |c| Ok(AuditEntry::list_for_merchant(c, &merchant_id, 200)?))
        .await?
        .into_iter()
        .map(AuditRow::from)
        .collect();
    Ok(page::ok(&AuditPage {
        layout: Layout::signed_in(&who, &session, "audit"),
        entries,
    }))
}
