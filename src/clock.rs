//! Time as the product sees it: Unix seconds in storage, RFC 3339 (UTC) when shown.

use chrono::{DateTime, SecondsFormat, Utc};

/// Since the Unix epoch (zero for a clock set before it). Read from the system clock
/// directly: `Utc::now()` also works out the calendar date, which a timestamp never
/// needs (a few hundred instructions, several times a request: SPEC §15).
fn since_epoch() -> std::time::Duration {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
}

/// Now, in Unix seconds.
pub fn now() -> i64 {
    i64::try_from(since_epoch().as_secs()).unwrap_or(i64::MAX)
}

/// Now, in Unix milliseconds.
pub fn now_ms() -> i64 {
    i64::try_from(since_epoch().as_millis()).unwrap_or(i64::MAX)
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
