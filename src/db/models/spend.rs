//! Spend limits as stored (SPEC §17): a key's limits (JSON in `api_keys.spend_limits`) and
//! the counter of each UTC window (`key_spend`), added to by a conditional UPDATE inside
//! the payment's or refund's transaction, so the total holds across instances.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::DbConn;
use crate::db::schema::key_spend;

/// What a limit counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SpendResource {
    Payments,
    Refunds,
}

impl SpendResource {
    pub const ALL: [SpendResource; 2] = [SpendResource::Payments, SpendResource::Refunds];

    pub fn as_str(self) -> &'static str {
        match self {
            SpendResource::Payments => "payments",
            SpendResource::Refunds => "refunds",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// The UTC window a limit counts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SpendPeriod {
    Hour,
    Day,
}

impl SpendPeriod {
    pub const ALL: [SpendPeriod; 2] = [SpendPeriod::Hour, SpendPeriod::Day];

    pub fn as_str(self) -> &'static str {
        match self {
            SpendPeriod::Hour => "hour",
            SpendPeriod::Day => "day",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }

    pub fn seconds(self) -> i64 {
        match self {
            SpendPeriod::Hour => 3_600,
            SpendPeriod::Day => 86_400,
        }
    }

    /// The start of the window `now` (Unix seconds) is in; it ends one period later.
    pub fn window_start(self, now: i64) -> i64 {
        now - now.rem_euclid(self.seconds())
    }
}

/// One limit: at most `amount` (minor units of `currency`) of `resource` per `period`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SpendLimit {
    pub resource: SpendResource,
    /// A lower-case ISO 4217 code, such as `usd` (one of `Currency`).
    #[schema(schema_with = crate::schema::currency)]
    pub currency: String,
    /// In minor units (cents for `usd`).
    // The maximum is keys::spend::MAX_AMOUNT (a test holds them equal).
    #[schema(minimum = 1, maximum = 1_000_000_000_000_i64)]
    pub amount: i64,
    pub period: SpendPeriod,
}

impl SpendLimit {
    /// The limits stored for a key (`''` or a JSON array). Our own writing: an unreadable
    /// value would be a bug, and is read as no limits rather than a key that cannot work.
    pub fn parse_stored(text: &str) -> Vec<SpendLimit> {
        if text.is_empty() {
            return Vec::new();
        }
        serde_json::from_str(text).unwrap_or_default()
    }

    pub fn to_storage(limits: &[SpendLimit]) -> String {
        if limits.is_empty() {
            return String::new();
        }
        serde_json::to_string(limits).unwrap_or_default()
    }
}

/// Adds `amount` to the key's counter for this limit's window starting at `window`,
/// unless that would pass the limit: one conditional UPDATE, and when it changed nothing
/// (the window's row may not exist yet) the row is made at 0 and the UPDATE runs again.
/// False when the limit would be passed (nothing was added).
///
/// The UPDATE runs on the concrete connection, so its prepared statement is cached: a
/// payment within an existing window pays for one cached statement. On PostgreSQL two
/// first payments of a window both make the row; `ON CONFLICT DO NOTHING` waits for the
/// other's commit, and the second UPDATE then sees its row.
pub fn try_add(
    conn: &mut DbConn,
    key_id: &str,
    limit: &SpendLimit,
    window: i64,
    amount: i64,
) -> QueryResult<bool> {
    use key_spend::dsl as s;
    let add = |conn: &mut DbConn| {
        crate::on_backend!(conn, |c| diesel::update(
            s::key_spend
                .filter(s::key_id.eq(key_id))
                .filter(s::resource.eq(limit.resource.as_str()))
                .filter(s::currency.eq(&limit.currency))
                .filter(s::period.eq(limit.period.as_str()))
                .filter(s::window_start.eq(window))
                .filter((s::used + amount).le(limit.amount)),
        )
        .set(s::used.eq(s::used + amount))
        .execute(c))
    };
    if add(conn)? == 1 {
        return Ok(true);
    }
    crate::on_backend!(conn, |c| diesel::insert_into(s::key_spend)
        .values((
            s::key_id.eq(key_id),
            s::resource.eq(limit.resource.as_str()),
            s::currency.eq(&limit.currency),
            s::period.eq(limit.period.as_str()),
            s::window_start.eq(window),
            s::used.eq(0i64),
        ))
        .on_conflict_do_nothing()
        .execute(c))?;
    Ok(add(conn)? == 1)
}

/// What the key has used of this limit in the window starting at `window` (0 if none).
pub fn used(conn: &mut DbConn, key_id: &str, limit: &SpendLimit, window: i64) -> QueryResult<i64> {
    use key_spend::dsl as s;
    let rows: Vec<i64> = s::key_spend
        .filter(s::key_id.eq(key_id))
        .filter(s::resource.eq(limit.resource.as_str()))
        .filter(s::currency.eq(&limit.currency))
        .filter(s::period.eq(limit.period.as_str()))
        .filter(s::window_start.eq(window))
        .select(s::used)
        .load(conn)?;
    Ok(rows.into_iter().next().unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_start_on_the_utc_hour_and_day() {
        let t = 1_764_700_000; // 2025-12-02T18:26:40Z
        assert_eq!(SpendPeriod::Hour.window_start(t), t - t % 3_600);
        assert_eq!(SpendPeriod::Day.window_start(t) % 86_400, 0);
        assert!(SpendPeriod::Day.window_start(t) <= t);
    }

    #[test]
    fn limits_round_trip_through_storage() {
        let limits = vec![SpendLimit {
            resource: SpendResource::Refunds,
            currency: "usd".into(),
            amount: 500_000,
            period: SpendPeriod::Day,
        }];
        let text = SpendLimit::to_storage(&limits);
        assert_eq!(SpendLimit::parse_stored(&text), limits);
        assert_eq!(SpendLimit::to_storage(&[]), "");
        assert!(SpendLimit::parse_stored("").is_empty());
    }
}
