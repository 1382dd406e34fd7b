//! The dashboard's payments (SPEC §10): the list (status and date filters), a payment's
//! page with its customer, refunds and events, and the Refund form (Admins and
//! Developers), which leads to the confirmation in `refunds.rs`.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, web};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

use super::form::{FormState, Response};
use super::listing::{Listing, PAGE_ROWS};
use super::page::{self, Layout, SignedIn};
use super::shown::Time;
use crate::accounts::Principal;
use crate::currencies;
use crate::db::models::objects::Scope;
use crate::error::{Error, FieldErrors};
use crate::payments::browse::{self, PaymentFilter};
use crate::payments::views;

/// The scope a dashboard page shows: this merchant, in the page's mode.
pub fn scope_of(who: &Principal, req: &HttpRequest) -> Scope {
    Scope::new(who.merchant.id.clone(), page::mode_is_live(req))
}

pub struct PaymentLine {
    pub id: String,
    pub amount: String,
    pub refunded: String,
    pub status: String,
    /// What the status badge says: `Refunded` or `Partially refunded` once money went
    /// back, else the status.
    pub badge: String,
    pub failure: String,
    pub customer: Option<String>,
    /// The customer's name or email (empty: show the id).
    pub customer_name: String,
    pub card: String,
    pub created: Time,
}

/// What a customer is called on a page: the name, else the email, else nothing (the
/// page shows the id).
pub fn customer_name(c: Option<&views::Customer>) -> String {
    c.and_then(|c| {
        c.name
            .clone()
            .filter(|n| !n.trim().is_empty())
            .or_else(|| c.email.clone())
    })
    .unwrap_or_default()
}

impl PaymentLine {
    /// A payment's line; `customer` is its customer, when loaded.
    pub fn of(p: &views::Payment, customer: Option<&views::Customer>) -> Self {
        Self {
            id: p.id.clone(),
            amount: currencies::display(p.amount, &p.currency),
            refunded: if p.amount_refunded > 0 {
                currencies::display(p.amount_refunded, &p.currency)
            } else {
                String::new()
            },
            status: p.status.clone(),
            badge: if p.refunded {
                "Refunded".into()
            } else if p.amount_refunded > 0 {
                "Partially refunded".into()
            } else {
                p.status.clone()
            },
            failure: p.failure_code.clone().unwrap_or_default(),
            customer: p.customer.clone(),
            customer_name: customer_name(customer),
            card: format!("Visa •••• {}", p.payment_method_details.card.last4),
            created: Time::parse(&p.created_at),
        }
    }
}

#[derive(Template)]
#[template(path = "dashboard/payments.html")]
pub struct PaymentsPage {
    pub layout: Layout,
    pub list: Listing<PaymentLine>,
    pub form: FormState,
    pub filtered: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PaymentQuery {
    status: String,
    from: String,
    to: String,
}

fn day(text: &str) -> Result<Option<i64>, String> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map(|d| {
            Some(
                d.and_hms_opt(0, 0, 0)
                    .unwrap_or_default()
                    .and_utc()
                    .timestamp(),
            )
        })
        .map_err(|_| "Use a date such as 2026-11-29.".to_owned())
}

pub async fn list_payments(
    req: HttpRequest,
    session: Session,
    SignedIn(who): SignedIn,
    q: web::Query<PaymentQuery>,
) -> Response {
    let q = q.into_inner();
    let mut errors = FieldErrors::new();
    let status = match q.status.as_str() {
        "" => None,
        s @ ("succeeded" | "failed") => Some(s.to_owned()),
        _ => {
            errors.insert("status", "Choose succeeded or failed.".into());
            None
        }
    };
    let from = day(&q.from).unwrap_or_else(|e| {
        errors.insert("from", e);
        None
    });
    // "To" is a whole day: up to the end of it.
    let to = day(&q.to).unwrap_or_else(|e| {
        errors.insert("to", e);
        None
    });
    let filter = PaymentFilter {
        status,
        customer: None,
        from,
        to: to.map(|t| t + 86_400),
    };
    let (scope, before) = (scope_of(&who, &req), page::cursor(&req));
    let rows = page::state(&req)
        .db
        .run(move |c| browse::payments(c, &scope, &filter, before.as_deref(), PAGE_ROWS + 1))
        .await?;
    let filtered = !(q.status.is_empty() && q.from.is_empty() && q.to.is_empty());
    let form = FormState::default()
        .with("status", &q.status)
        .with("from", &q.from)
        .with("to", &q.to)
        .errors(errors);
    let lines: Vec<PaymentLine> = rows
        .rows
        .iter()
        .map(|p| PaymentLine::of(p, p.customer.as_ref().and_then(|c| rows.customers.get(c))))
        .collect();
    let page = PaymentsPage {
        layout: Layout::signed_in(&who, &session, "payments").in_mode(&req),
        list: Listing::of(&req, lines, |p| &p.id),
        form,
        filtered,
    };
    let status = if page.form.error("from").is_some()
        || page.form.error("to").is_some()
        || page.form.error("status").is_some()
    {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    Ok(page::render(status, &page))
}

pub struct RefundLine {
    pub id: String,
    pub amount: String,
    pub created: Time,
}

pub struct EventLine {
    pub id: String,
    pub event_type: String,
    pub created: Time,
}

impl EventLine {
    pub fn of(e: &views::Event) -> Self {
        Self {
            id: e.id.clone(),
            event_type: e.event_type.clone(),
            created: Time::parse(&e.created_at),
        }
    }
}

#[derive(Template)]
#[template(path = "dashboard/payment.html")]
pub struct PaymentPage {
    pub layout: Layout,
    pub payment: PaymentLine,
    /// The customer's email, when the line shows their name.
    pub customer_email: String,
    pub refunds: Vec<RefundLine>,
    pub events: Vec<EventLine>,
    /// Shown to Admins and Developers, for a succeeded payment with money left.
    pub can_refund: bool,
    pub refundable: String,
    pub form: FormState,
    pub notice: Option<&'static str>,
}

/// A payment's page; `form` carries a refused refund's amount and messages.
pub async fn payment_page(
    req: &HttpRequest,
    session: &Session,
    who: &Principal,
    id: String,
    form: FormState,
) -> Result<PaymentPage, Error> {
    let scope = scope_of(who, req);
    let detail = page::state(req)
        .db
        .run(move |c| browse::payment(c, &scope, &id))
        .await?;
    let p = &detail.payment;
    let left = p.amount - p.amount_refunded;
    let refunded = page::query_pairs(req)
        .iter()
        .any(|(k, v)| k == "done" && v == "refunded");
    let line = PaymentLine::of(p, detail.customer.as_ref());
    let customer_email = detail
        .customer
        .as_ref()
        .and_then(|c| c.email.clone())
        .filter(|e| *e != line.customer_name)
        .unwrap_or_default();
    Ok(PaymentPage {
        layout: Layout::signed_in(who, session, "payments").in_mode(req),
        can_refund: who.role().can_use_hub() && p.status == "succeeded" && left > 0,
        refundable: currencies::display(left, &p.currency),
        refunds: detail
            .refunds
            .iter()
            .map(|r| RefundLine {
                id: r.id.clone(),
                amount: currencies::display(r.amount, &r.currency),
                created: Time::parse(&r.created_at),
            })
            .collect(),
        events: detail.events.iter().map(EventLine::of).collect(),
        payment: line,
        customer_email,
        form,
        // Test mode moves no money: no bank is told anything (SPEC §14).
        notice: refunded.then_some(if p.livemode {
            "Refund made. The customer's bank shows it in a few days."
        } else {
            "Refund made (test mode: no money moved)."
        }),
    })
}

pub async fn show_payment(
    req: HttpRequest,
    session: Session,
    SignedIn(who): SignedIn,
    id: web::Path<String>,
) -> Response {
    let page = payment_page(&req, &session, &who, id.into_inner(), FormState::default()).await?;
    Ok(page::ok(&page))
}
