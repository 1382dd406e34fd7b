//! Spend limits on secret keys (SPEC §17): reading them as typed (every bad entry named
//! at once), whether an edit widens them, counting a payment or refund against them in
//! its own transaction, and what a key has used for its page.

use crate::clock;
use crate::currencies;
use crate::db::DbConn;
use crate::db::models::scope::Scope;
use crate::db::models::spend::{self, SpendLimit, SpendPeriod, SpendResource};
use crate::error::{Error, SpendRefusal};

/// The most a limit may be: the largest payment the API takes.
pub const MAX_AMOUNT: i64 = 1_000_000_000_000;
/// Limits per key: one per resource, currency and period is plenty.
pub const MAX_LIMITS: usize = 10;

/// One limit as typed (in the Hub's form or the API's JSON), before checking.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SpendLimitDraft {
    pub resource: String,
    pub currency: String,
    pub amount: String,
    pub period: String,
    /// The amount as a person types money in the Hub, in the currency's major unit
    /// ("100.00", "5000" for jpy); the API's is in minor units (SPEC §17).
    pub in_major_units: bool,
}

impl SpendLimitDraft {
    pub fn of(limit: &SpendLimit) -> Self {
        Self {
            resource: limit.resource.as_str().into(),
            currency: limit.currency.clone(),
            amount: limit.amount.to_string(),
            period: limit.period.as_str().into(),
            in_major_units: false,
        }
    }
}

/// The limits, checked: all of them, or one message of sentences naming every bad entry
/// ("Limit 2: …").
pub fn check_limits(drafts: &[SpendLimitDraft]) -> Result<Vec<SpendLimit>, String> {
    let mut problems = Vec::new();
    let mut limits: Vec<SpendLimit> = Vec::new();
    if drafts.len() > MAX_LIMITS {
        return Err(format!("Set at most {MAX_LIMITS} spend limits."));
    }
    for (i, d) in drafts.iter().enumerate() {
        let n = i + 1;
        let resource = SpendResource::parse(d.resource.trim());
        if resource.is_none() {
            problems.push(format!(
                "Limit {n}: choose what it counts, payments or refunds."
            ));
        }
        let currency = d.currency.trim().to_ascii_lowercase();
        let currency_ok = currencies::is_supported(&currency);
        if !currency_ok {
            problems.push(format!(
                "Limit {n}: use a lower-case ISO 4217 currency code Paydesk accepts, such as usd."
            ));
        }
        let typed = d.amount.trim();
        let amount = if d.in_major_units {
            currencies::parse_major(typed, &currency)
        } else {
            typed.parse::<i64>().ok().filter(|a| *a >= 1)
        };
        if amount.is_none() && d.in_major_units {
            let example =
                currencies::major(100 * 10_i64.pow(currencies::exponent(&currency)), &currency);
            problems.push(format!(
                "Limit {n}: enter the amount as a number such as {example}."
            ));
        } else if amount.is_none() {
            problems.push(format!(
                "Limit {n}: enter the amount as a whole number of minor units (cents for usd) from 1 to {MAX_AMOUNT}."
            ));
        } else if amount.is_some_and(|a| a > MAX_AMOUNT) {
            let most = if d.in_major_units {
                currencies::major(MAX_AMOUNT, &currency)
            } else {
                MAX_AMOUNT.to_string()
            };
            problems.push(format!("Limit {n}: the most a limit may be is {most}."));
        }
        let amount = amount.filter(|a| *a <= MAX_AMOUNT);
        let period = SpendPeriod::parse(d.period.trim());
        if period.is_none() {
            problems.push(format!("Limit {n}: choose a period, hour or day (UTC)."));
        }
        if let (Some(resource), true, Some(amount), Some(period)) =
            (resource, currency_ok, amount, period)
        {
            let limit = SpendLimit {
                resource,
                currency,
                amount,
                period,
            };
            if let Some(first) = limits.iter().position(|l| same_window(l, &limit)) {
                problems.push(format!(
                    "Limit {n} repeats limit {}: one limit per resource, currency and period.",
                    first + 1
                ));
            } else {
                limits.push(limit);
            }
        }
    }
    if problems.is_empty() {
        // One order for storage and for counting (counter rows locked in one order).
        limits.sort_by(|a, b| {
            (a.resource, &a.currency, a.period).cmp(&(b.resource, &b.currency, b.period))
        });
        Ok(limits)
    } else {
        Err(problems.join(" "))
    }
}

fn same_window(a: &SpendLimit, b: &SpendLimit) -> bool {
    a.resource == b.resource && a.currency == b.currency && a.period == b.period
}

/// Whether `new` lets the key move more money than `old`: a limit raised or removed.
pub fn widens(old: &[SpendLimit], new: &[SpendLimit]) -> bool {
    old.iter().any(|o| {
        new.iter()
            .find(|n| same_window(o, n))
            .is_none_or(|n| n.amount > o.amount)
    })
}

/// "100.00 USD of payments per day", for audit lines and pages.
pub fn describe(limit: &SpendLimit) -> String {
    format!(
        "{} of {} per {}",
        currencies::display(limit.amount, &limit.currency),
        limit.resource.as_str(),
        limit.period.as_str()
    )
}

/// Counts `amount` of `resource` in `currency` against the acting key's limits, inside
/// the caller's transaction: a conditional UPDATE per limit that applies. When one would
/// be passed the error says by how much, and the caller's transaction rolls back (with
/// whatever this added to the other limits).
pub fn count(
    conn: &mut DbConn,
    scope: &Scope,
    resource: SpendResource,
    currency: &str,
    amount: i64,
) -> Result<(), Error> {
    let Some(key_id) = &scope.acting_key else {
        return Ok(());
    };
    let now = clock::now();
    for limit in scope
        .spend_limits
        .iter()
        .filter(|l| l.resource == resource && l.currency == currency)
    {
        let window = limit.period.window_start(now);
        if !spend::try_add(conn, key_id, limit, window, amount)? {
            let used = spend::used(conn, key_id, limit, window)?;
            return Err(Error::SpendLimitExceeded(Box::new(SpendRefusal {
                resource: resource.as_str(),
                period: limit.period.as_str(),
                limit: limit.amount,
                used,
                currency: limit.currency.clone(),
                resets_at: window + limit.period.seconds(),
            })));
        }
    }
    Ok(())
}

/// One limit of a key and what the key has used of it in the current window.
#[derive(Debug, Clone)]
pub struct SpendUse {
    pub limit: SpendLimit,
    pub used: i64,
    /// When the current window ends (Unix seconds).
    pub resets_at: i64,
}

/// Each of the key's limits with its current window's use (for the key's page).
pub fn usage(
    conn: &mut DbConn,
    key_id: &str,
    limits: &[SpendLimit],
    now: i64,
) -> Result<Vec<SpendUse>, Error> {
    limits
        .iter()
        .map(|limit| {
            let window = limit.period.window_start(now);
            Ok(SpendUse {
                used: spend::used(conn, key_id, limit, window)?,
                resets_at: window + limit.period.seconds(),
                limit: limit.clone(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_maximum_is_the_checked_one() {
        use utoipa::PartialSchema;
        let schema = serde_json::to_value(crate::db::models::spend::SpendLimit::schema()).unwrap();
        assert_eq!(schema["properties"]["amount"]["maximum"], MAX_AMOUNT);
    }

    fn draft(resource: &str, currency: &str, amount: &str, period: &str) -> SpendLimitDraft {
        SpendLimitDraft {
            resource: resource.into(),
            currency: currency.into(),
            amount: amount.into(),
            period: period.into(),
            in_major_units: false,
        }
    }

    #[test]
    fn every_bad_entry_is_named_at_once() {
        let err = check_limits(&[
            draft("payments", "usd", "10000", "day"),
            draft("coffee", "usd", "-1", "week"),
            draft("refunds", "zzz", "5", "hour"),
        ])
        .unwrap_err();
        assert!(err.contains("Limit 2: choose what it counts"), "{err}");
        assert!(err.contains("Limit 2: enter the amount"), "{err}");
        assert!(err.contains("Limit 2: choose a period"), "{err}");
        assert!(err.contains("Limit 3: use a lower-case ISO 4217"), "{err}");
        assert!(!err.contains("Limit 1"), "{err}");
        let twice = check_limits(&[
            draft("payments", "usd", "1", "day"),
            draft("payments", "usd", "2", "day"),
        ])
        .unwrap_err();
        assert!(twice.contains("Limit 2 repeats limit 1"), "{twice}");
    }

    #[test]
    fn raising_or_removing_a_limit_widens_and_lowering_or_adding_does_not() {
        let limits = |list: &[(&str, i64)]| {
            check_limits(
                &list
                    .iter()
                    .map(|(p, a)| draft("payments", "usd", &a.to_string(), p))
                    .collect::<Vec<_>>(),
            )
            .unwrap()
        };
        let old = limits(&[("day", 10_000)]);
        assert!(widens(&old, &limits(&[("day", 10_001)])));
        assert!(widens(&old, &[]));
        assert!(widens(&old, &limits(&[("hour", 10_000)])));
        assert!(!widens(&old, &limits(&[("day", 9_000)])));
        assert!(!widens(&old, &limits(&[("day", 10_000), ("hour", 500)])));
        assert!(!widens(&[], &old));
    }
}
