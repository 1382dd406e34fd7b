//! The key page's usage panel (SPEC §10): requests per hour for 24 h or per day for 30 d
//! as a server-drawn SVG (title, description, and the numbers as a table), the key's
//! latest 20 requests, the scopes it used beside those it holds, and "Restrict to what
//! it used" (a confirmation, then a normal audited key edit).

use std::collections::HashMap;

use actix_session::Session;
use actix_web::{HttpRequest, web};
use askama::Template;

use super::chart::{self, Bar, Chart};
use super::form::{Empty, Form, Response};
use super::logs::LogLine;
use super::page::{self, Layout, SignedIn};
use crate::db::DbConn;
use crate::db::models::request_log::RequestLogRow;
use crate::error::Error;
use crate::keys::model::ApiKey;
use crate::keys::service::{self, KeyPatch};
use crate::keys::usage::{self, Bucket, Period};
use crate::state::AppState;

/// A bucket as the table shows it.
pub struct BucketRow {
    pub label: String,
    pub class_2xx: i64,
    pub class_4xx: i64,
    pub class_5xx: i64,
}

pub struct UsagePanel {
    /// `24h` or `30d`.
    pub period: &'static str,
    pub title: String,
    pub description: String,
    pub chart: Chart,
    pub rows: Vec<BucketRow>,
    pub latest: Vec<LogLine>,
    /// Scopes used in the last 30 days, and those held now.
    pub used: Vec<String>,
    pub held: Vec<String>,
    /// The permissions "Restrict to what it used" would set, when it is offered.
    pub restrict_to: Option<String>,
}

fn label(start: i64, period: Period) -> String {
    let full = crate::clock::rfc3339(start);
    match period {
        // 2026-11-29T13:00:00Z → 13:00
        Period::Day => full.get(11..16).unwrap_or(&full).to_owned(),
        // → 2026-11-29
        Period::Month => full.get(..10).unwrap_or(&full).to_owned(),
    }
}

/// The chart: one stacked bar per bucket, 2xx / 4xx / 5xx.
fn chart(buckets: &[Bucket], period: Period, title: &str, description: &str) -> Chart {
    let bars: Vec<Bar> = buckets
        .iter()
        .map(|b| Bar {
            label: label(b.start, period),
            values: vec![b.class_2xx, b.class_4xx, b.class_5xx],
        })
        .collect();
    let (x_title, empty) = match period {
        Period::Day => (
            "Hour (UTC)",
            "No requests with this key in the last 24 hours.",
        ),
        Period::Month => (
            "Day (UTC)",
            "No requests with this key in the last 30 days.",
        ),
    };
    chart::stacked(
        &chart::Spec {
            id: "usage",
            title,
            description,
            series: &[
                ("2xx", "series-2xx"),
                ("4xx", "series-4xx"),
                ("5xx", "series-5xx"),
            ],
            x_title,
            y_title: "Requests",
            empty,
        },
        &bars,
    )
}

/// Everything the panel shows, read in one go on the page's connection.
pub fn panel(
    conn: &mut DbConn,
    key: &ApiKey,
    labels: &HashMap<String, String>,
    period: Period,
    now: i64,
) -> Result<UsagePanel, Error> {
    let buckets = usage::report(conn, &key.row.id, period, now)?;
    let used = usage::scopes_used(conn, &key.row.id, now)?;
    let latest = RequestLogRow::latest_for_key(conn, &key.row.id, 20)?
        .into_iter()
        .map(|r| LogLine::of(r, labels))
        .collect();
    let sum = |f: fn(&Bucket) -> i64| buckets.iter().map(f).sum::<i64>();
    let (ok, client, server) = (
        sum(|b| b.class_2xx),
        sum(|b| b.class_4xx),
        sum(|b| b.class_5xx),
    );
    let (span, unit) = match period {
        Period::Day => ("the last 24 hours", "hour"),
        Period::Month => ("the last 30 days", "day"),
    };
    let busiest = buckets
        .iter()
        .filter(|b| b.total() > 0)
        .max_by_key(|b| b.total())
        .map(|b| {
            format!(
                " The busiest {unit} was {} with {} requests.",
                label(b.start, period),
                b.total()
            )
        })
        .unwrap_or_default();
    let title = format!("Requests per {unit}, {span}");
    let description = format!(
        "Stacked bars, one per {unit}: {ok} succeeded (2xx), {client} refused (4xx) and {server} failed (5xx) in {span}.{busiest}"
    );
    Ok(UsagePanel {
        period: period.as_str(),
        chart: chart(&buckets, period, &title, &description),
        title,
        description,
        rows: buckets
            .iter()
            .map(|b| BucketRow {
                label: label(b.start, period),
                class_2xx: b.class_2xx,
                class_4xx: b.class_4xx,
                class_5xx: b.class_5xx,
            })
            .collect(),
        latest,
        restrict_to: usage::restriction(key, &used, now).map(|a| a.summary()),
        held: key.access.scopes(),
        used,
    })
}

#[derive(Template)]
#[template(path = "hub/restrict.html")]
pub struct RestrictPage {
    pub layout: Layout,
    pub key_id: String,
    pub key_name: String,
    pub held: String,
    pub restrict_to: String,
}

/// The key, what it used, and what restricting it would set (an error when not offered).
fn offer(
    conn: &mut DbConn,
    who: &crate::accounts::Principal,
    id: &str,
) -> Result<(ApiKey, crate::keys::permissions::Access), Error> {
    let key = service::get_key(conn, who, id)?;
    let now = crate::clock::now();
    let used = usage::scopes_used(conn, &key.row.id, now)?;
    let access = usage::restriction(&key, &used, now).ok_or_else(|| {
        Error::InvalidState(
            "Restricting is offered for a key at least 7 days old, not revoked, that used some \
             scopes in the last 30 days and holds more than it used."
                .into(),
        )
    })?;
    Ok((key, access))
}

pub async fn confirm_restrict(
    req: HttpRequest,
    session: Session,
    SignedIn(who): SignedIn,
    id: web::Path<String>,
) -> Response {
    who.require_hub()?;
    let actor = who.clone();
    let (key, access) = page::state(&req)
        .db
        .run(move |c| offer(c, &actor, &id))
        .await?;
    Ok(page::ok(&RestrictPage {
        layout: Layout::signed_in(&who, &session, "keys"),
        key_id: key.row.id.clone(),
        key_name: key.row.name.clone(),
        held: key.access.summary(),
        restrict_to: access.summary(),
    }))
}

pub async fn restrict_key(
    req: HttpRequest,
    SignedIn(who): SignedIn,
    id: web::Path<String>,
    _: Form<Empty>,
) -> Response {
    who.require_hub()?;
    let (actor, ip) = (who.clone(), AppState::client_ip(&req));
    let id = page::state(&req)
        .db
        .run(move |c| {
            let (key, access) = offer(c, &actor, &id)?;
            let patch = KeyPatch {
                permissions: Some(Ok(access)),
                ..KeyPatch::default()
            };
            service::update_key(c, &actor, &key.row.id, patch, &ip).map(|k| k.row.id)
        })
        .await?;
    Ok(page::see_other(&format!("/keys/{id}?done=restricted")))
}
