//! The dashboard's customers (search by email; a customer's page with their payments and
//! subscriptions) and subscriptions (by status), SPEC §10.

use actix_session::Session;
use actix_web::{HttpRequest, web};
use askama::Template;
use serde::Deserialize;

use super::form::Response;
use super::listing::{Listing, PAGE_ROWS};
use super::page::{self, Layout, SignedIn};
use super::payments::{PaymentLine, scope_of};
use super::shown::Time;
use crate::payments::{browse, views};

pub struct CustomerLine {
    pub id: String,
    pub name: String,
    pub email: String,
    pub created: Time,
}

impl CustomerLine {
    fn of(c: &views::Customer) -> Self {
        Self {
            id: c.id.clone(),
            name: c.name.clone().unwrap_or_default(),
            email: c.email.clone().unwrap_or_default(),
            created: Time::parse(&c.created_at),
        }
    }
}

pub struct SubscriptionLine {
    pub id: String,
    pub customer: String,
    pub plan: String,
    pub status: String,
    pub period_end: Time,
    pub ends: bool,
}

impl SubscriptionLine {
    fn of(s: &views::Subscription) -> Self {
        Self {
            id: s.id.clone(),
            customer: s.customer.clone(),
            plan: s.plan.clone(),
            status: s.status.clone(),
            period_end: Time::parse(&s.current_period_end),
            ends: s.cancel_at_period_end,
        }
    }
}

#[derive(Template)]
#[template(path = "dashboard/customers.html")]
pub struct CustomersPage {
    pub layout: Layout,
    pub list: Listing<CustomerLine>,
    pub email: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CustomerQuery {
    email: String,
}

pub async fn list_customers(
    req: HttpRequest,
    session: Session,
    SignedIn(who): SignedIn,
    q: web::Query<CustomerQuery>,
) -> Response {
    let email: String = q
        .email
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    let (scope, before, search) = (
        scope_of(&who, &req),
        page::cursor(&req),
        Some(email.clone()).filter(|e| !e.is_empty()),
    );
    let rows = page::state(&req)
        .db
        .run(move |c| {
            browse::customers(
                c,
                &scope,
                search.as_deref(),
                before.as_deref(),
                PAGE_ROWS + 1,
            )
        })
        .await?;
    let lines = rows.iter().map(CustomerLine::of).collect();
    Ok(page::ok(&CustomersPage {
        layout: Layout::signed_in(&who, &session, "customers").in_mode(&req),
        list: Listing::of(&req, lines, |c: &CustomerLine| &c.id),
        email,
    }))
}

#[derive(Template)]
#[template(path = "dashboard/customer.html")]
pub struct CustomerPage {
    pub layout: Layout,
    pub customer: CustomerLine,
    pub metadata: Vec<(String, String)>,
    pub payments: Vec<PaymentLine>,
    pub subscriptions: Vec<SubscriptionLine>,
}

pub async fn show_customer(
    req: HttpRequest,
    session: Session,
    SignedIn(who): SignedIn,
    id: web::Path<String>,
) -> Response {
    let (scope, id) = (scope_of(&who, &req), id.into_inner());
    let (c, payments, subscriptions) = page::state(&req)
        .db
        .run(move |conn| browse::customer(conn, &scope, &id))
        .await?;
    Ok(page::ok(&CustomerPage {
        layout: Layout::signed_in(&who, &session, "customers").in_mode(&req),
        metadata: c.metadata.clone().into_iter().collect(),
        customer: CustomerLine::of(&c),
        payments: payments.iter().map(PaymentLine::of).collect(),
        subscriptions: subscriptions.iter().map(SubscriptionLine::of).collect(),
    }))
}

#[derive(Template)]
#[template(path = "dashboard/subscriptions.html")]
pub struct SubscriptionsPage {
    pub layout: Layout,
    pub list: Listing<SubscriptionLine>,
    pub status: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SubscriptionQuery {
    status: String,
}

pub async fn list_subscriptions(
    req: HttpRequest,
    session: Session,
    SignedIn(who): SignedIn,
    q: web::Query<SubscriptionQuery>,
) -> Response {
    // An unknown status shows everything rather than an error page (like the key list).
    let status = match q.status.as_str() {
        s @ ("active" | "canceled") => s.to_owned(),
        _ => String::new(),
    };
    let (scope, before, chosen) = (
        scope_of(&who, &req),
        page::cursor(&req),
        Some(status.clone()).filter(|s| !s.is_empty()),
    );
    let rows = page::state(&req)
        .db
        .run(move |c| {
            browse::subscriptions(
                c,
                &scope,
                chosen.as_deref(),
                before.as_deref(),
                PAGE_ROWS + 1,
            )
        })
        .await?;
    let lines = rows.iter().map(SubscriptionLine::of).collect();
    Ok(page::ok(&SubscriptionsPage {
        layout: Layout::signed_in(&who, &session, "subscriptions").in_mode(&req),
        list: Listing::of(&req, lines, |s: &SubscriptionLine| &s.id),
        status,
    }))
}
