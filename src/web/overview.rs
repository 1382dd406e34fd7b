//! The overview every signed-in person (Viewers too) lands on.

use actix_session::Session;
use actix_web::HttpRequest;
use askama::Template;

use super::form::Response;
use super::page::{self, Layout, SignedIn};
use crate::accounts::{self, Principal};
use crate::db::models::user::User;

#[derive(Template)]
#[template(path = "overview.html")]
pub struct OverviewPage {
    pub layout: Layout,
    pub merchant_name: String,
    pub verified: bool,
    pub members: usize,
    pub role: &'static str,
}

pub async fn show_overview(req: HttpRequest, session: Session, who: Option<SignedIn>) -> Response {
    let Some(SignedIn(who)) = who else {
        let state = page::state(&req);
        let target = if state.db.run(accounts::needs_setup).await? {
            "/setup"
        } else {
            "/login"
        };
        return Ok(page::see_other(target));
    };
    let merchant_id = who.merchant.id.clone();
    let members = page::state(&req)
        .db
        .run(move |c| Ok(User::list_for_merchant(c, &merchant_id)?.len()))
        .await?;
    Ok(page::ok(&overview(&who, &session, members)))
}

fn overview(who: &Principal, session: &Session, members: usize) -> OverviewPage {
    OverviewPage {
        layout: Layout::signed_in(who, session, "overview"),
        merchant_name: who.merchant.name.clone(),
        verified: who.merchant.verified,
        members,
        role: who.role().label(),
    }
}
