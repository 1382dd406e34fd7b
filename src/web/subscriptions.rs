//! The dashboard's subscriptions (SPEC §10, §14): the list by status with each one's
//! customer and plan by name, a subscription's page, and Cancel / Cancel at period end
//! (Admins and Developers; each asks first and is audited).

use actix_session::Session;
use actix_web::{HttpRequest, web};
use askama::Template;
use serde::Deserialize;

use super::form::{Empty, Form, Response};
use super::listing::{Listing, PAGE_ROWS};
use super::page::{self, Layout, SignedIn};
use super::payments::{customer_name, scope_of};
use super::plans::plan_label;
use super::shown::Time;
use crate::accounts::Principal;
use crate::error::Error;
use crate::payments::browse::{self, Named};
use crate::payments::subscriptions::{self, Cancel};
use crate::payments::views;
use crate::state::AppState;

pub struct SubscriptionLine {
    pub id: String,
    pub customer: String,
    /// The customer's name or email (empty: show the id).
    pub customer_name: String,
    pub plan: String,
    /// `Pro · 20.00 USD / month` (empty: show the id).
    pub plan_label: String,
    pub status: String,
    pub period_end: Time,
    pub ends: bool,
    pub created: Time,
}

impl SubscriptionLine {
    /// A subscription's line, with the names `named` loaded for its page.
    pub fn of<T>(s: &views::Subscription, named: &Named<T>) -> Self {
        Self {
            id: s.id.clone(),
            customer: s.customer.clone(),
            customer_name: customer_name(named.customers.get(&s.customer)),
            plan: s.plan.clone(),
            plan_label: named.plans.get(&s.plan).map(plan_label).unwrap_or_default(),
            status: s.status.clone(),
            period_end: Time::parse(&s.current_period_end),
            ends: s.cancel_at_period_end,
            created: Time::parse(&s.created_at),
        }
    }
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
    let named = page::state(&req)
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
    let lines = named
        .rows
        .iter()
        .map(|s| SubscriptionLine::of(s, &named))
        .collect();
    Ok(page::ok(&SubscriptionsPage {
        layout: Layout::signed_in(&who, &session, "subscriptions").in_mode(&req),
        list: Listing::of(&req, lines, |s: &SubscriptionLine| &s.id),
        status,
    }))
}

#[derive(Template)]
#[template(path = "dashboard/subscription.html")]
pub struct SubscriptionPage {
    pub layout: Layout,
    pub sub: SubscriptionLine,
    /// The customer's email, when the line shows their name.
    pub customer_email: String,
    pub canceled_at: Option<Time>,
    /// Admins and Developers, while it is active.
    pub can_cancel: bool,
    pub notice: Option<&'static str>,
}

/// The subscription and the names it points to, or 404 outside this scope.
async fn load(req: &HttpRequest, who: &Principal, id: String) -> Result<SubscriptionLoaded, Error> {
    let scope = scope_of(who, req);
    let named = page::state(req)
        .db
        .run(move |c| browse::subscription(c, &scope, &id))
        .await?;
    let sub = named.rows.first().cloned().ok_or(Error::NotFound)?;
    let line = SubscriptionLine::of(&sub, &named);
    let customer_email = named
        .customers
        .get(&sub.customer)
        .and_then(|c| c.email.clone())
        .filter(|e| *e != line.customer_name)
        .unwrap_or_default();
    Ok(SubscriptionLoaded {
        sub,
        line,
        customer_email,
    })
}

struct SubscriptionLoaded {
    sub: views::Subscription,
    line: SubscriptionLine,
    customer_email: String,
}

pub async fn show_subscription(
    req: HttpRequest,
    session: Session,
    SignedIn(who): SignedIn,
    id: web::Path<String>,
) -> Response {
    let found = load(&req, &who, id.into_inner()).await?;
    let done = page::query_pairs(&req)
        .into_iter()
        .find(|(k, _)| k == "done")
        .map(|(_, v)| v);
    Ok(page::ok(&SubscriptionPage {
        layout: Layout::signed_in(&who, &session, "subscriptions").in_mode(&req),
        can_cancel: who.role().can_use_hub() && found.sub.status == "active",
        canceled_at: found.sub.canceled_at.as_deref().map(Time::parse),
        notice: match done.as_deref() {
            Some("canceled") => Some("Subscription canceled."),
            Some("cancel_at_period_end") => {
                Some("The subscription ends at the end of its current period.")
            }
            _ => None,
        },
        sub: found.line,
        customer_email: found.customer_email,
    }))
}

#[derive(Template)]
#[template(path = "dashboard/subscription_cancel.html")]
pub struct ConfirmPage {
    pub layout: Layout,
    pub sub: SubscriptionLine,
    /// Whose subscription and to what, as the question names them.
    pub who: String,
    pub plan: String,
    pub at_period_end: bool,
}

fn refuse_viewers(who: &Principal) -> Result<(), Error> {
    if who.role().can_use_hub() {
        Ok(())
    } else {
        Err(Error::forbidden(
            "Only Admins and Developers can cancel subscriptions.",
        ))
    }
}

async fn confirm(
    req: HttpRequest,
    session: Session,
    who: Principal,
    id: String,
    how: Cancel,
) -> Response {
    refuse_viewers(&who)?;
    let found = load(&req, &who, id).await?;
    let mode = Layout::signed_in(&who, &session, "subscriptions").in_mode(&req);
    if found.sub.status != "active" {
        return Ok(page::see_other(&format!(
            "/subscriptions/{}{}",
            found.sub.id, mode.mode_query
        )));
    }
    let or_id = |name: &str, id: &str| {
        if name.is_empty() {
            id.to_owned()
        } else {
            name.to_owned()
        }
    };
    Ok(page::ok(&ConfirmPage {
        layout: mode,
        who: or_id(&found.line.customer_name, &found.line.customer),
        plan: or_id(&found.line.plan_label, &found.line.plan),
        sub: found.line,
        at_period_end: how == Cancel::AtPeriodEnd,
    }))
}

async fn cancel(req: HttpRequest, who: Principal, id: String, how: Cancel) -> Response {
    let (scope, sid, ip) = (scope_of(&who, &req), id.clone(), AppState::client_ip(&req));
    page::state(&req)
        .db
        .run(move |c| subscriptions::cancel_by(c, &who, &scope, &sid, how, &ip))
        .await?;
    let done = match how {
        Cancel::Now => "canceled",
        Cancel::AtPeriodEnd => "cancel_at_period_end",
    };
    let live = if page::mode_is_live(&req) {
        "mode=live&"
    } else {
        ""
    };
    Ok(page::see_other(&format!(
        "/subscriptions/{id}?{live}done={done}"
    )))
}

pub async fn confirm_cancel(
    req: HttpRequest,
    session: Session,
    SignedIn(who): SignedIn,
    id: web::Path<String>,
) -> Response {
    confirm(req, session, who, id.into_inner(), Cancel::Now).await
}

pub async fn confirm_cancel_at_period_end(
    req: HttpRequest,
    session: Session,
    SignedIn(who): SignedIn,
    id: web::Path<String>,
) -> Response {
    confirm(req, session, who, id.into_inner(), Cancel::AtPeriodEnd).await
}

pub async fn cancel_subscription(
    req: HttpRequest,
    SignedIn(who): SignedIn,
    id: web::Path<String>,
    _: Form<Empty>,
) -> Response {
    cancel(req, who, id.into_inner(), Cancel::Now).await
}

pub async fn cancel_at_period_end(
    req: HttpRequest,
    SignedIn(who): SignedIn,
    id: web::Path<String>,
    _: Form<Empty>,
) -> Response {
    cancel(req, who, id.into_inner(), Cancel::AtPeriodEnd).await
}
