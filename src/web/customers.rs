//! The dashboard's customers (SPEC §10, §14): search by name or email, and a customer's
//! page with their payments and subscriptions (with their plans).

use actix_session::Session;
use actix_web::{HttpRequest, web};
use askama::Template;
use serde::Deserialize;

use super::form::Response;
use super::listing::{Listing, PAGE_ROWS};
use super::page::{self, Layout, SignedIn};
use super::payments::{PaymentLine, scope_of};
use super::shown::Time;
use super::subscriptions::SubscriptionLine;
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

#[derive(Template)]
#[template(path = "dashboard/customers.html")]
pub struct CustomersPage {
    pub layout: Layout,
    pub list: Listing<CustomerLine>,
    pub search: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CustomerQuery {
    /// Text in the name or the email (`email` was its name before names were searched).
    #[serde(alias = "email")]
    q: String,
}

pub async fn list_customers(
    req: HttpRequest,
    session: Session,
    SignedIn(who): SignedIn,
    q: web::Query<CustomerQuery>,
) -> Response {
    let text: String =
        q.q.trim()
            .chars()
            .filter(|c| !c.is_control())
            .take(200)
            .collect();
    let (scope, before, search) = (
        scope_of(&who, &req),
        page::cursor(&req),
        Some(text.clone()).filter(|e| !e.is_empty()),
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
        search: text,
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
        payments: payments.iter().map(|p| PaymentLine::of(p, None)).collect(),
        subscriptions: subscriptions
            .rows
            .iter()
            .map(|s| SubscriptionLine::of(s, &subscriptions))
            .collect(),
    }))
}
