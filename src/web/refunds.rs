//! A refund from a payment's page (SPEC §14): the Refund form asks (GET) for a
//! confirmation page that says what goes back in the payment's currency ("Refund 12.50
//! USD of 42.00 USD?"), and its button posts the refund. A refused amount goes back to
//! the payment's page with the sentence beside the Amount field.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, web};
use askama::Template;
use serde::Deserialize;

use super::form::{Form, FormState, Response};
use super::page::{self, Layout, SignedIn};
use super::payments::{payment_page, scope_of};
use crate::accounts::Principal;
use crate::currencies;
use crate::error::{Error, FieldErrors};
use crate::payments::browse;
use crate::state::AppState;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RefundForm {
    amount: String,
}

#[derive(Template)]
#[template(path = "dashboard/refund.html")]
pub struct ConfirmPage {
    pub layout: Layout,
    pub payment_id: String,
    /// "Refund 12.50 USD of 42.00 USD?" or "Refund the remaining 42.00 USD?"
    pub question: String,
    /// What was refunded before, when something was ("10.00 USD of 42.00 USD").
    pub earlier: Option<String>,
    /// The figure the button posts, in the major unit (`12.50`).
    pub amount: String,
    /// What the button says ("Refund 12.50 USD").
    pub button: String,
    pub livemode: bool,
}

/// The payment's page again with the refused amount kept and the reason beside it:
/// 400 for an amount that is wrong, 409 for a payment that cannot be refunded (as the
/// API answers).
async fn refused(
    req: &HttpRequest,
    session: &Session,
    who: &Principal,
    id: String,
    typed: &str,
    e: Error,
) -> Response {
    let (status, errors): (_, FieldErrors) = match e {
        Error::Invalid(errors) => (
            StatusCode::BAD_REQUEST,
            errors.into_values().map(|m| ("amount", m)).collect(),
        ),
        Error::InvalidState(why) => (StatusCode::CONFLICT, FieldErrors::from([("amount", why)])),
        other => return Err(other.into()),
    };
    let kept = FormState::default().with("amount", typed).errors(errors);
    let page = payment_page(req, session, who, id, kept).await?;
    Ok(page::render(status, &page))
}

/// `GET /payments/{id}/refund?amount=…`: what the refund would do, before it is done.
pub async fn confirm_refund(
    req: HttpRequest,
    session: Session,
    SignedIn(who): SignedIn,
    id: web::Path<String>,
    q: web::Query<RefundForm>,
) -> Response {
    let (id, typed) = (id.into_inner(), q.into_inner().amount);
    let (actor, scope, pid, asked) = (who.clone(), scope_of(&who, &req), id.clone(), typed.clone());
    let plan = page::state(&req)
        .db
        .run(move |c| browse::plan_refund(c, &actor, &scope, &pid, &asked))
        .await;
    let plan = match plan {
        Ok(plan) => plan,
        Err(e) => return refused(&req, &session, &who, id, &typed, e).await,
    };
    let p = &plan.payment;
    let (amount, total) = (
        currencies::display(plan.amount, &p.currency),
        currencies::display(p.amount, &p.currency),
    );
    let question = if plan.everything {
        format!("Refund the remaining {amount}?")
    } else {
        format!("Refund {amount} of {total}?")
    };
    Ok(page::ok(&ConfirmPage {
        layout: Layout::signed_in(&who, &session, "payments").in_mode(&req),
        payment_id: p.id.clone(),
        question,
        earlier: (p.amount_refunded > 0).then(|| {
            format!(
                "{} of {total}",
                currencies::display(p.amount_refunded, &p.currency)
            )
        }),
        amount: currencies::major(plan.amount, &p.currency),
        button: format!("Refund {amount}"),
        livemode: p.livemode,
    }))
}

/// `POST /payments/{id}/refund`: the confirmation's button (an empty amount refunds
/// everything left).
pub async fn refund_payment(
    req: HttpRequest,
    session: Session,
    SignedIn(who): SignedIn,
    id: web::Path<String>,
    form: Form<RefundForm>,
) -> Response {
    let (id, typed) = (id.into_inner(), form.into_inner().amount);
    let (actor, scope, pid, asked, ip) = (
        who.clone(),
        scope_of(&who, &req),
        id.clone(),
        typed.clone(),
        AppState::client_ip(&req),
    );
    let outcome = page::state(&req)
        .db
        .run(move |c| browse::refund(c, &actor, &scope, &pid, &asked, &ip))
        .await;
    match outcome {
        Ok(_) => Ok(page::see_other(&format!(
            "/payments/{id}?{}done=refunded",
            if page::mode_is_live(&req) {
                "mode=live&"
            } else {
                ""
            }
        ))),
        Err(e) => refused(&req, &session, &who, id, &typed, e).await,
    }
}
