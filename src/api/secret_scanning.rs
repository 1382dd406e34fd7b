//! `POST /api/v1/secret-scanning/report` (SPEC §12): leaked-key reports in GitHub's
//! secret-scanning partner format, array in and array out (one of the two answers that
//! are not envelopes). No authentication: anyone who finds a key may report it; what it
//! does is revoke a key that is already public. Rate limited per client IP.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;
use serde_json::Value;

use super::envelope::ApiError;
use crate::crypto;
use crate::error::ErrorCode;
use crate::keys::exposure;
use crate::state::AppState;

/// Reports per client IP per minute.
pub const PER_MINUTE: u32 = 30;
/// Tokens per report.
pub const MAX_ITEMS: usize = 1000;
/// A report may be larger than other bodies: 1000 tokens with their URLs.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// One token's answer: its SHA-256, its type as reported, and whether it was ours.
#[derive(Serialize)]
struct Answer {
    token_hash: String,
    token_type: String,
    label: &'static str,
}

struct Reported {
    token: String,
    kind: String,
    url: String,
    source: String,
}

fn invalid(message: &str) -> ApiError {
    ApiError::of(ErrorCode::InvalidRequest, message.to_owned())
}

/// `[{"token","type","url","source"}]`: `token` required; the rest strings if present.
fn read(body: &[u8]) -> Result<Vec<Reported>, ApiError> {
    let value: Value = serde_json::from_slice(body).map_err(|e| super::envelope::body_error(&e))?;
    let Value::Array(items) = value else {
        return Err(ApiError::of(
            ErrorCode::InvalidJson,
            "A report is a JSON array of {\"token\",\"type\",\"url\",\"source\"} objects.",
        ));
    };
    if items.len() > MAX_ITEMS {
        return Err(invalid("A report holds at most 1000 tokens."));
    }
    items
        .into_iter()
        .map(|item| {
            let Value::Object(map) = item else {
                return Err(invalid("Each reported item is an object with a token."));
            };
            let text = |name: &str| match map.get(name) {
                None | Some(Value::Null) => Ok(String::new()),
                Some(Value::String(s)) if s.chars().count() <= 2048 => Ok(s.clone()),
                Some(_) => Err(invalid(
                    "token, type, url and source are strings (at most 2048 characters).",
                )),
            };
            let token = text("token")?;
            if token.is_empty() {
                return Err(invalid("Each reported item needs a token."));
            }
            Ok(Reported {
                token,
                kind: text("type")?,
                url: text("url")?,
                source: text("source")?,
            })
        })
        .collect()
}

pub async fn report(req: HttpRequest, body: web::Bytes) -> Result<HttpResponse, ApiError> {
    let state = AppState::of(&req).clone();
    let ip = AppState::client_ip(&req);
    let quota = state
        .rate_limits
        .take(&format!("secret-scanning:{ip}"), PER_MINUTE)
        .await;
    if !quota.allowed {
        return Err(ApiError::of(
            ErrorCode::RateLimited,
            format!("At most {PER_MINUTE} reports a minute from one address."),
        )
        .retry_after(quota.reset_secs));
    }
    let reported = read(&body)?;
    let answers = state
        .db
        .run(move |c| {
            reported
                .iter()
                .map(|r| {
                    let label = exposure::report(c, &r.token, &r.url, &r.source)?;
                    Ok(Answer {
                        token_hash: crypto::hash(&r.token),
                        token_type: r.kind.clone(),
                        label: label.as_str(),
                    })
                })
                .collect::<Result<Vec<_>, crate::error::Error>>()
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(answers))
}
