//! The Logs pages (Admins and Developers, SPEC §10): the API requests of the merchant's
//! keys, newest first, filtered by key, status class and path, 50 a page; and one request
//! by its `Request-Id`. The lines come from `telemetry::request_log`'s batches.

use std::collections::HashMap;

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, web};
use askama::Template;
use serde::Deserialize;

use super::form::{FormState, Response};
use super::listing::Listing;
use super::page::{self, Layout, SignedIn};
use super::shown::{self, Time};
use crate::db::models::request_log::{LogFilter, RequestLogRow};
use crate::error::{Error, FieldErrors};
use crate::keys::service::{self, KeyFilter};

const PER_PAGE: i64 = 50;

/// One line as the pages show it.
pub struct LogLine {
    pub request_id: String,
    pub time: Time,
    pub key_id: String,
    pub key_label: String,
    pub method: String,
    pub path: String,
    pub status: i32,
    pub error_code: String,
    /// `0.34 ms`.
    pub latency: String,
    pub client_ip: String,
    pub api_version: String,
    pub replayed: bool,
    pub livemode: bool,
}

impl LogLine {
    pub fn of(row: RequestLogRow, labels: &HashMap<String, String>) -> Self {
        Self {
            time: Time::at_ms(row.at_ms),
            key_label: labels
                .get(&row.key_id)
                .cloned()
                .unwrap_or_else(|| row.key_id.clone()),
            key_id: row.key_id,
            request_id: row.request_id,
            method: row.method,
            path: row.path,
            status: row.status,
            error_code: row.error_code.unwrap_or_default(),
            latency: shown::latency(i64::from(row.latency_us)),
            client_ip: row.client_ip.unwrap_or_default(),
            api_version: row.api_version,
            replayed: row.replayed,
            livemode: row.livemode,
        }
    }
}

#[derive(Deserialize)]
pub struct LogsQuery {
    mode: Option<String>,
    key: Option<String>,
    status: Option<String>,
    path: Option<String>,
    before: Option<String>,
}

/// A key the filter offers.
pub struct KeyChoice {
    pub id: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "logs/index.html")]
pub struct LogsPage {
    pub layout: Layout,
    pub list: Listing<LogLine>,
    /// `test` or `live`.
    pub mode: &'static str,
    pub keys: Vec<KeyChoice>,
    pub form: FormState,
    pub filtered: bool,
}

#[derive(Template)]
#[template(path = "logs/show.html")]
pub struct LogPage {
    pub layout: Layout,
    pub line: LogLine,
    pub mode: &'static str,
}

/// `test` unless `?mode=live` (SPEC §10, the test/live switch).
fn mode_of(asked: Option<&str>, errors: &mut FieldErrors) -> bool {
    match asked.unwrap_or("") {
        "" | "test" => false,
        "live" => true,
        _ => {
            errors.insert("mode", "Choose test or live.".into());
            false
        }
    }
}

pub async fn list_logs(
    req: HttpRequest,
    session: Session,
    SignedIn(who): SignedIn,
    q: web::Query<LogsQuery>,
) -> Response {
    who.require_hub()?;
    let q = q.into_inner();
    let mut errors = FieldErrors::new();
    let livemode = mode_of(q.mode.as_deref(), &mut errors);
    let mode = if livemode { "live" } else { "test" };
    let text = |v: &Option<String>| v.as_deref().unwrap_or("").trim().to_owned();
    let (key, status, path, before) = (
        text(&q.key),
        text(&q.status),
        text(&q.path),
        text(&q.before),
    );
    let mut filter = LogFilter::default();
    match status.as_str() {
        "" => {}
        "2xx" => filter.status_class = Some(2),
        "4xx" => filter.status_class = Some(4),
        "5xx" => filter.status_class = Some(5),
        _ => {
            errors.insert("status", "Choose 2xx, 4xx or 5xx.".into());
        }
    }
    if !path.is_empty() {
        if !path.starts_with('/') || path.len() > 200 {
            errors.insert(
                "path",
                "Start the path with / (for example /api/v1/customers), 200 characters at most."
                    .into(),
            );
        } else {
            filter.path_prefix = Some(path.clone());
        }
    }
    let actor = who.clone();
    let merchant_id = who.merchant.id.clone();
    let (key_q, before_q) = (key.clone(), before.clone());
    let (keys, rows, key_known) = page::state(&req)
        .db
        .run(move |c| {
            let keys = service::list_keys(c, &actor, &KeyFilter::default())?;
            let key_known = key_q.is_empty() || keys.iter().any(|k| k.row.id == key_q);
            if !key_known {
                return Ok((keys, Vec::new(), false));
            }
            filter.key_id = Some(key_q).filter(|k| !k.is_empty());
            let before = Some(before_q.as_str()).filter(|b| !b.is_empty());
            let rows =
                RequestLogRow::list(c, &merchant_id, livemode, &filter, before, PER_PAGE + 1)?;
            Ok((keys, rows, true))
        })
        .await?;
    if !key_known {
        errors.insert("key", "No such key; choose one from the list.".into());
    }
    let labels: HashMap<String, String> = keys
        .iter()
        .map(|k| (k.row.id.clone(), k.row.name.clone()))
        .collect();
    let invalid = !errors.is_empty();
    let rows = if invalid { Vec::new() } else { rows };
    let list =
        Listing::sized(&req, rows, |r| &r.request_id, PER_PAGE).map(|r| LogLine::of(r, &labels));
    let page = LogsPage {
        layout: Layout::signed_in(&who, &session, "logs").in_mode(&req),
        list,
        mode,
        keys: keys
            .iter()
            .filter(|k| (k.mode == crate::keys::Mode::Live) == livemode)
            .map(|k| KeyChoice {
                id: k.row.id.clone(),
                label: k.row.name.clone(),
            })
            .collect(),
        filtered: !key.is_empty() || !status.is_empty() || !path.is_empty(),
        form: FormState::default()
            .with("key", &key)
            .with("status", &status)
            .with("path", &path)
            .errors(errors),
    };
    let code = if invalid {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    Ok(page::render(code, &page))
}

pub async fn show_log(
    req: HttpRequest,
    session: Session,
    SignedIn(who): SignedIn,
    id: web::Path<String>,
) -> Response {
    who.require_hub()?;
    let actor = who.clone();
    let merchant_id = who.merchant.id.clone();
    let id = id.into_inner();
    let (row, labels) = page::state(&req)
        .db
        .run(move |c| {
            let row = RequestLogRow::find(c, &merchant_id, &id)?.ok_or(Error::NotFound)?;
            let labels: HashMap<String, String> = match service::get_key(c, &actor, &row.key_id) {
                Ok(k) => [(k.row.id, k.row.name)].into_iter().collect(),
                Err(_) => HashMap::new(),
            };
            Ok((row, labels))
        })
        .await?;
    let line = LogLine::of(row, &labels);
    Ok(page::ok(&LogPage {
        layout: Layout::signed_in(&who, &session, "logs"),
        mode: if line.livemode { "live" } else { "test" },
        line,
    }))
}
