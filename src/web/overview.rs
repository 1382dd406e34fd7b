//! The overview every signed-in person (Viewers too) lands on (SPEC §10): today's volume,
//! successful payments and failure rate, and a 30-day chart, in the page's mode.

use actix_session::Session;
use actix_web::HttpRequest;
use askama::Template;

use super::chart::{self, Bar, Chart};
use super::form::Response;
use super::page::{self, Layout, SignedIn};
use super::payments::scope_of;
use crate::accounts;
use crate::currencies;
use crate::db::models::user::User;
use crate::payments::browse::{self, Day};

#[derive(Template)]
#[template(path = "overview.html")]
pub struct OverviewPage {
    pub layout: Layout,
    pub merchant_name: String,
    pub verified: bool,
    pub members: usize,
    pub role: &'static str,
    /// Today's successful volume, per currency (`12.34 USD`).
    pub volume: Vec<String>,
    pub succeeded: i64,
    pub failed: i64,
    /// Failed ÷ all payments today, as `2.5 %`, or `—` when there were none.
    pub failure_rate: String,
    /// API requests today answered 4xx or 5xx ÷ all, from the keys' hourly counters.
    pub error_rate: String,
    pub requests_today: i64,
    pub chart: Chart,
    /// The chart's numbers: day, succeeded, failed, volume.
    pub rows: Vec<(String, i64, i64, String)>,
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
    let (merchant_id, scope) = (who.merchant.id.clone(), scope_of(&who, &req));
    let now = crate::clock::now();
    let (members, days, usage) = page::state(&req)
        .db
        .run(move |c| {
            Ok((
                User::list_for_merchant(c, &merchant_id)?.len(),
                browse::last_30_days(c, &scope, now)?,
                crate::db::models::request_log::merchant_usage_since(
                    c,
                    &scope.merchant_id,
                    scope.livemode,
                    now - now.rem_euclid(86_400),
                )?,
            ))
        })
        .await?;
    let requests_today: i64 = usage.iter().sum();
    let today = days.last().cloned().unwrap_or_default();
    let total = today.succeeded + today.failed;
    let money = |d: &Day| {
        d.volume
            .iter()
            .map(|(cur, amount)| currencies::display(*amount, cur))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let rows = days
        .iter()
        .map(|d| {
            let label = crate::clock::display(d.start)[..10].to_owned();
            (label, d.succeeded, d.failed, money(d))
        })
        .collect();
    let bars: Vec<Bar> = days
        .iter()
        .map(|d| Bar {
            label: crate::clock::display(d.start)[..10].to_owned(),
            values: vec![d.succeeded, d.failed],
        })
        .collect();
    let mode = if page::mode_is_live(&req) {
        "live"
    } else {
        "test"
    };
    let empty = format!(
        "No {mode} payments in the last 30 days. Payments made with a {mode} secret key show here, one bar a day."
    );
    let chart = chart::stacked(
        &chart::Spec {
            id: "payments-30d",
            title: "Payments per day, last 30 days",
            description: "Stacked bars: successful payments, then failed payments, for each of the last 30 days (UTC). The same numbers are in the table below.",
            series: &[("Succeeded", "series-ok"), ("Failed", "series-bad")],
            x_title: "Day (UTC)",
            y_title: "Payments",
            empty: &empty,
        },
        &bars,
    );
    Ok(page::ok(&OverviewPage {
        layout: Layout::signed_in(&who, &session, "overview").in_mode(&req),
        merchant_name: who.merchant.name.clone(),
        verified: who.merchant.verified,
        members,
        role: who.role().label(),
        volume: today
            .volume
            .iter()
            .map(|(cur, amount)| currencies::display(*amount, cur))
            .collect(),
        succeeded: today.succeeded,
        failed: today.failed,
        failure_rate: if total == 0 {
            "—".into()
        } else {
            format!("{:.1} %", today.failed as f64 * 100.0 / total as f64)
        },
        error_rate: if requests_today == 0 {
            "—".into()
        } else {
            format!(
                "{:.1} %",
                (usage[1] + usage[2]) as f64 * 100.0 / requests_today as f64
            )
        },
        requests_today,
        chart,
        rows,
    }))
}
