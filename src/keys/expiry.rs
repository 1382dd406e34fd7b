//! Expiry notices (SPEC §9): `api_key.expiring` 7 days and 1 day before a key's
//! `expires_at`, and `api_key.expired` once it has passed, each sent once per key and
//! audited (so they show in the key's activity). Run by every instance's housekeeping;
//! `lifecycle_notices` makes "once" hold across instances.
//!
//! A notice that is already late is sent for the nearest stage only: a key made to
//! expire in 12 hours gets the 1-day warning, not the 7-day one too. Rolled keys (their
//! expiry is the end of the roll's grace period) and canaries get none.

use super::model::ApiKey;
use crate::db::DbConn;
use crate::db::models::api_key::ApiKeyRow;
use crate::db::models::audit::AuditEntry;
use crate::db::models::notices::Notice;
use crate::error::Error;

const DAY: i64 = 86_400;

/// The notice due for a key expiring at `expires_at`, if any: its kind and event type.
pub fn due(expires_at: i64, now: i64) -> Option<(&'static str, &'static str)> {
    let left = expires_at - now;
    if left <= 0 {
        Some(("expired", "api_key.expired"))
    } else if left <= DAY {
        Some(("expiring_1d", "api_key.expiring"))
    } else if left <= 7 * DAY {
        Some(("expiring_7d", "api_key.expiring"))
    } else {
        None
    }
}

/// Sends the notices due now; returns how many this call sent.
pub fn send_notices(conn: &mut DbConn, now: i64) -> Result<usize, Error> {
    use crate::db::schema::api_keys as k;
    use diesel::prelude::*;
    // Keys within 7 days of their expiry, either side (older ones were noticed before,
    // or expired before notices existed).
    let keys: Vec<ApiKeyRow> = k::table
        .filter(k::expires_at.le(now + 7 * DAY))
        .filter(k::expires_at.gt(now - 7 * DAY))
        .filter(k::status.ne("revoked"))
        .filter(k::canary.eq(false))
        .filter(k::rolled_to.is_null())
        .select(ApiKeyRow::as_select())
        .load(conn)?;
    let mut sent = 0;
    for row in keys {
        let Some((kind, event)) = row.expires_at.and_then(|at| due(at, now)) else {
            continue;
        };
        if Notice::sent(conn, &row.id, kind)? {
            continue;
        }
        let fresh = crate::db::transaction(conn, |c| {
            if !Notice::claim(c, &row.id, kind, now)? {
                return Ok::<_, Error>(false);
            }
            let detail = match kind {
                "expired" => format!("{} — expired", row.name),
                _ => format!(
                    "{} — expires {}",
                    row.name,
                    crate::clock::display(row.expires_at.unwrap_or(now))
                ),
            };
            AuditEntry::record(
                c,
                Some(&row.merchant_id),
                "paydesk",
                event,
                &row.id,
                "",
                &detail,
            )?;
            let scope =
                crate::db::models::objects::Scope::new(row.merchant_id.clone(), row.mode == "live");
            let view = ApiKey::from_row(row.clone(), now).view();
            crate::events::emit_about_key(c, &scope, event, &view, Some(&row.id))?;
            // One mail per key: at the 7-day stage, or the 1-day one when it came first.
            if kind == "expiring_7d"
                || (kind == "expiring_1d" && !Notice::sent(c, &row.id, "expiring_7d")?)
            {
                mail_expiring(c, &row, now)?;
            }
            Ok(true)
        })?;
        sent += usize::from(fresh);
    }
    Ok(sent)
}

fn mail_expiring(conn: &mut DbConn, row: &ApiKeyRow, now: i64) -> Result<(), Error> {
    use crate::mail::notify::{Kind, Notice as Told, key_words, notify};
    let when = crate::clock::display(row.expires_at.unwrap_or(now));
    notify(
        conn,
        &row.merchant_id,
        Kind::KeyExpiring,
        None,
        &Told {
            subject: format!("Key {} expires on {when}", row.name),
            text: format!(
                "The {} expires on {when}. From then on requests made with it fail. \
                 Roll it, or create a new key and use it instead, before then.",
                key_words(row)
            ),
            link: Some(&format!("/keys/{}", row.id)),
        },
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_notice_due_is_the_nearest_stage() {
        let now = 1_000_000;
        assert_eq!(due(now + 8 * DAY, now), None);
        assert_eq!(due(now + 7 * DAY, now).unwrap().0, "expiring_7d");
        assert_eq!(due(now + 2 * DAY, now).unwrap().0, "expiring_7d");
        assert_eq!(due(now + DAY, now).unwrap().0, "expiring_1d");
        assert_eq!(due(now + 1, now).unwrap().0, "expiring_1d");
        assert_eq!(due(now, now).unwrap(), ("expired", "api_key.expired"));
    }
}
