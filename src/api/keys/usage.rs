//! `GET /api-keys/{id}/usage`: a key's requests per hour or per day, by status class.

use actix_web::{HttpRequest, web};
use serde::Serialize;
use utoipa::ToSchema;

use super::json::bad_filter;
use crate::api::context::{self, ApiResult};
use crate::api::extract::ApiUser;
use crate::keys::service::{self};
use crate::keys::usage;
use crate::state::AppState;

crate::api::describe::described!(KeyUsage);

/// A key's requests over a period, by status class (SPEC §10, usage per key).
#[derive(Serialize, ToSchema)]
pub struct KeyUsage {
    #[schema(pattern = "^key_usage$")]
    object: &'static str,
    key_id: String,
    /// `24h` (hourly buckets) or `30d` (daily buckets, UTC days).
    #[schema(pattern = "^(24h|30d)$")]
    period: &'static str,
    /// Oldest first; every bucket of the period, zeros included.
    buckets: Vec<UsageBucket>,
    /// The sums of the buckets.
    totals: UsageTotals,
}

/// Requests in one hour or day, by status class.
#[derive(Serialize, ToSchema)]
pub struct UsageBucket {
    /// The start of the hour or day (RFC 3339, UTC).
    start: String,
    #[serde(rename = "2xx")]
    class_2xx: i64,
    #[serde(rename = "4xx")]
    class_4xx: i64,
    #[serde(rename = "5xx")]
    class_5xx: i64,
}

/// Requests over the whole period, by status class.
#[derive(Serialize, ToSchema)]
pub struct UsageTotals {
    #[serde(rename = "2xx")]
    class_2xx: i64,
    #[serde(rename = "4xx")]
    class_4xx: i64,
    #[serde(rename = "5xx")]
    class_5xx: i64,
}

pub async fn get_key_usage(
    req: HttpRequest,
    ApiUser(who): ApiUser,
    id: web::Path<String>,
) -> ApiResult<KeyUsage> {
    let query = web::Query::<Vec<(String, String)>>::from_query(req.query_string())
        .map_err(|_| bad_filter("period", "24h or 30d"))?;
    let period = match query.iter().find(|(k, _)| k == "period") {
        None => usage::Period::Day,
        Some((_, p)) => {
            usage::Period::parse(p).ok_or_else(|| bad_filter("period", "24h or 30d"))?
        }
    };
    let (key_id, buckets) = AppState::of(&req)
        .db
        .run(move |c| {
            let key = service::get_key(c, &who, &id)?;
            let buckets = usage::report(c, &key.row.id, period, crate::clock::now())?;
            Ok((key.row.id, buckets))
        })
        .await?;
    let sum = |f: fn(&usage::Bucket) -> i64| buckets.iter().map(f).sum::<i64>();
    let totals = UsageTotals {
        class_2xx: sum(|b| b.class_2xx),
        class_4xx: sum(|b| b.class_4xx),
        class_5xx: sum(|b| b.class_5xx),
    };
    context::ok(KeyUsage {
        object: "key_usage",
        key_id,
        period: period.as_str(),
        buckets: buckets
            .iter()
            .map(|b| UsageBucket {
                start: crate::clock::rfc3339(b.start),
                class_2xx: b.class_2xx,
                class_4xx: b.class_4xx,
                class_5xx: b.class_5xx,
            })
            .collect(),
        totals,
    })
}
