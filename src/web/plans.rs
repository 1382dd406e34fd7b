//! The dashboard's plans (SPEC §14): what subscriptions bill, newest first, paged like
//! every list. Everyone on the team sees them, as they see subscriptions.

use actix_session::Session;
use actix_web::HttpRequest;
use askama::Template;

use super::form::Response;
use super::listing::{Listing, PAGE_ROWS};
use super::page::{self, Layout, SignedIn};
use super::payments::scope_of;
use super::shown::Time;
use crate::currencies;
use crate::payments::{browse, views};

/// `month` or `year`, as the plan's price says it.
fn interval(p: &views::Plan) -> &'static str {
    match p.interval {
        views::Interval::Month => "month",
        views::Interval::Year => "year",
    }
}

/// A plan as a subscription names it: `Pro · 20.00 USD / month`.
pub fn plan_label(p: &views::Plan) -> String {
    format!("{} · {}", p.name, price(p))
}

/// `20.00 USD / month`.
pub fn price(p: &views::Plan) -> String {
    format!(
        "{} / {}",
        currencies::display(p.amount, &p.currency),
        interval(p)
    )
}

pub struct PlanLine {
    pub id: String,
    pub name: String,
    pub price: String,
    pub interval: &'static str,
    pub created: Time,
}

#[derive(Template)]
#[template(path = "dashboard/plans.html")]
pub struct PlansPage {
    pub layout: Layout,
    pub list: Listing<PlanLine>,
}

pub async fn list_plans(req: HttpRequest, session: Session, SignedIn(who): SignedIn) -> Response {
    let (scope, before) = (scope_of(&who, &req), page::cursor(&req));
    let rows = page::state(&req)
        .db
        .run(move |c| browse::plans(c, &scope, before.as_deref(), PAGE_ROWS + 1))
        .await?;
    let lines = rows
        .iter()
        .map(|p| PlanLine {
            id: p.id.clone(),
            name: p.name.clone(),
            price: currencies::display(p.amount, &p.currency),
            interval: interval(p),
            created: Time::parse(&p.created_at),
        })
        .collect();
    Ok(page::ok(&PlansPage {
        layout: Layout::signed_in(&who, &session, "plans").in_mode(&req),
        list: Listing::of(&req, lines, |p: &PlanLine| &p.id),
    }))
}
