//! Time as the product sees it: Unix seconds in storage, RFC 3339 (UTC) when shown.

use chrono::{DateTime, SecondsFormat, Utc};

/// Now, in Unix seconds.
pub fn now() -> i64 {
    Utc::now().timestamp()
}

/// Now, in Unix milliseconds.
pub fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

/// `2026-11-22T13:01:17Z`.
pub fn rfc3339(unix: i64) -> String {
    DateTime::<Utc>::from_timestamp(unix, 0)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// `2026-11-22 13:01:17 UTC`, for sentences (messages, mails); pages show a moment
/// through `web::shown::Time`, the same text in a `<time>` element.
pub fn display(unix: i64) -> String {
    DateTime::<Utc>::from_timestamp(unix, 0)
        .unwrap_or_default()
        .format("%Y-%m-%d %H:%M:%S UTC")
        .to_string()
}
