//! Leaked and canary keys (SPEC §12). A secret key reported public (GitHub's
//! secret-scanning partner format) is revoked at once with `revoked_reason: "exposed"`,
//! and so is a management key (SPEC §17, audited as `management_key.exposed`);
//! a canary key is never revoked: any use of it, or a report of it, is the signal. Both
//! are audited and raise an event (`api_key.exposed`, `api_key.canary_triggered`).

use diesel::prelude::*;
use serde::Serialize;

use crate::clock;
use crate::db::models::api_key::ApiKeyRow;
use crate::db::models::audit::AuditEntry;
use crate::db::models::management_key::ManagementKeyRow;
use crate::db::models::objects::Scope;
use crate::db::schema::{api_keys, canary_triggers};
use crate::db::{DbConn, changes};
use crate::error::Error;
use crate::keys::KeyKind;
use crate::keys::token::{Token, recognise};
use crate::mail::notify::{Kind, Notice, key_words, notify};

/// A canary raises at most one event per client IP per hour; each use still counts.
const CANARY_QUIET_SECS: i64 = 60 * 60;

/// The canary uses this instance has passed on in the last hour, by key and client IP,
/// so a flood of uses writes nothing but the usage counter (SPEC §13). Bounded: past
/// its capacity the oldest are forgotten, and the database's trigger row still keeps
/// the hour.
pub struct CanaryWatch(moka::sync::Cache<(String, Option<std::net::IpAddr>), ()>);

impl Default for CanaryWatch {
    fn default() -> Self {
        Self(
            moka::sync::Cache::builder()
                .max_capacity(100_000)
                .time_to_live(std::time::Duration::from_secs(CANARY_QUIET_SECS as u64))
                .build(),
        )
    }
}

impl CanaryWatch {
    /// True for the first use of this canary from this address in the hour (on this
    /// instance): only that one is passed to [`canary_used`].
    pub fn first_in_hour(&self, key_id: &str, ip: Option<std::net::IpAddr>) -> bool {
        self.0
            .entry((key_id.to_owned(), ip))
            .or_insert(())
            .is_fresh()
    }
}

/// What a report says about one token (GitHub's labels).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Label {
    TruePositive,
    FalsePositive,
}

impl Label {
    pub fn as_str(self) -> &'static str {
        match self {
            Label::TruePositive => "true_positive",
            Label::FalsePositive => "false_positive",
        }
    }
}

/// The object of `api_key.exposed` and `api_key.canary_triggered` events.
#[derive(Serialize)]
struct KeyUse<'a> {
    object: &'static str,
    api_key: &'a str,
    name: &'a str,
    at: String,
    ip: Option<&'a str>,
    user_agent: Option<&'a str>,
    path: Option<&'a str>,
    url: Option<&'a str>,
}

fn scope(row: &ApiKeyRow) -> Scope {
    Scope::new(row.merchant_id.clone(), row.mode == "live")
}

/// One reported token: ours and secret (a secret key or a management key) → revoked
/// (or, for a canary, triggered). Publishable keys are public by design and anything
/// else is not ours: false positives.
pub fn report(conn: &mut DbConn, token: &str, url: &str, source: &str) -> Result<Label, Error> {
    match recognise(token) {
        Some(Token::Api(shape)) if shape.kind == KeyKind::Secret => {
            report_secret_key(conn, token, url, source)
        }
        Some(Token::Management) => report_management_key(conn, token, url, source),
        _ => Ok(Label::FalsePositive),
    }
}

/// A reported management key: revoked at once (every instance's cache told), audited
/// with secret scanning as the actor, and the Admins mailed.
fn report_management_key(
    conn: &mut DbConn,
    token: &str,
    url: &str,
    source: &str,
) -> Result<Label, Error> {
    let hash = crate::crypto::hash(token);
    let Some((row, _)) = ManagementKeyRow::find_for_request(conn, &hash)? else {
        return Ok(Label::FalsePositive);
    };
    if row.status == "revoked" {
        return Ok(Label::TruePositive);
    }
    crate::db::transaction(conn, |conn| {
        if !ManagementKeyRow::set_status(
            conn,
            &row.id,
            &["active", "suspended"],
            "revoked",
            clock::now(),
        )? {
            // Revoked meanwhile: nothing more to do.
            return Ok(());
        }
        changes::announce(conn, changes::key(&row.id))?;
        AuditEntry::record(
            conn,
            Some(&row.merchant_id),
            "secret-scanning",
            "management_key.exposed",
            &row.id,
            "",
            &format!("found public at {url} (reported by {source}); revoked"),
        )?;
        // The place it was found may quote the key itself: never in a mail.
        let place = url.replace(token, "[the key]");
        notify(
            conn,
            &row.merchant_id,
            Kind::KeyExposed,
            None,
            &Notice {
                subject: format!("Management key {} was found public and revoked", row.name),
                text: format!(
                    "Paydesk revoked the management key {} ({}) at once: it was reported \
                     public at {place} (by {source}). Requests made with it now fail.\n\n\
                     Create a new management key, use it where the old one was used, and \
                     remove the old one from where it was found.",
                    row.name, row.secret_hint
                ),
                link: Some(&format!("/management-keys/{}", row.id)),
            },
        )?;
        Ok::<_, Error>(())
    })?;
    Ok(Label::TruePositive)
}

/// A reported secret key: revoked with `revoked_reason: "exposed"` (a canary: triggered).
fn report_secret_key(
    conn: &mut DbConn,
    token: &str,
    url: &str,
    source: &str,
) -> Result<Label, Error> {
    let hash = crate::crypto::hash(token);
    let found: Vec<ApiKeyRow> = api_keys::table
        .filter(api_keys::secret_hash.eq(&hash))
        .select(ApiKeyRow::as_select())
        .load(conn)?;
    let Some(row) = found.into_iter().next() else {
        return Ok(Label::FalsePositive);
    };
    if row.canary {
        // The place it was found may quote the key itself: not in the audit or a mail.
        let place = url.replace(token, "[the key]");
        triggered(conn, &row, None, None, None, Some(&place))?;
        return Ok(Label::TruePositive);
    }
    if row.status == "revoked" {
        return Ok(Label::TruePositive);
    }
    crate::db::transaction(conn, |conn| {
        ApiKeyRow::set_status(
            conn,
            &row.id,
            &["active", "suspended"],
            "revoked",
            clock::now(),
        )?;
        ApiKeyRow::set_revoked_reason(conn, &row.id, "exposed", Some(url))?;
        crate::db::models::webhooks::EndpointRow::disable_bound_to(conn, &row.id)?;
        changes::announce(conn, changes::key(&row.id))?;
        AuditEntry::record(
            conn,
            Some(&row.merchant_id),
            "secret-scanning",
            "api_key.exposed",
            &row.id,
            "",
            &format!("found public at {url} (reported by {source}); revoked"),
        )?;
        crate::events::emit_about_key(
            conn,
            &scope(&row),
            "api_key.exposed",
            &KeyUse {
                object: "api_key_exposure",
                api_key: &row.id,
                name: &row.name,
                at: clock::rfc3339(clock::now()),
                ip: None,
                user_agent: None,
                path: None,
                url: Some(url),
            },
            Some(&row.id),
        )?;
        // The place it was found may quote the key itself: never in a mail.
        let place = url.replace(token, "[the key]");
        notify(
            conn,
            &row.merchant_id,
            Kind::KeyExposed,
            None,
            &Notice {
                subject: format!("Key {} was found public and revoked", row.name),
                text: format!(
                    "Paydesk revoked the {} at once: it was reported public at {place} \
                     (by {source}). Requests made with it now fail.\n\n\
                     Create a new key, use it where the old one was used, and remove the \
                     old one from where it was found.",
                    key_words(&row)
                ),
                link: Some(&format!("/keys/{}", row.id)),
            },
        )?;
        Ok::<_, Error>(())
    })?;
    Ok(Label::TruePositive)
}

/// A canary was used (from `ip`, with `user_agent`, at `path`) or reported (at `url`):
/// audited and raised as an event at most once per canary and client IP per hour.
pub fn triggered(
    conn: &mut DbConn,
    row: &ApiKeyRow,
    ip: Option<&str>,
    user_agent: Option<&str>,
    path: Option<&str>,
    url: Option<&str>,
) -> Result<(), Error> {
    let now = clock::now();
    let detail = match url {
        Some(url) => format!("reported public at {url}"),
        None => format!(
            "used from {} ({}) at {}",
            ip.unwrap_or("?"),
            user_agent.unwrap_or("no user agent"),
            path.unwrap_or("?")
        ),
    };
    crate::db::transaction(conn, |conn| {
        // One trigger per canary and origin per hour, across instances: the row is the
        // record of the last one. Uses in between were counted, not written.
        let origin = ip.unwrap_or("report");
        let last: Vec<i64> = canary_triggers::table
            .filter(canary_triggers::key_id.eq(&row.id))
            .filter(canary_triggers::ip.eq(origin))
            .select(canary_triggers::at)
            .load(conn)?;
        if last.first().is_some_and(|at| now - at < CANARY_QUIET_SECS) {
            return Ok(());
        }
        diesel::delete(
            canary_triggers::table
                .filter(canary_triggers::key_id.eq(&row.id))
                .filter(canary_triggers::ip.eq(origin)),
        )
        .execute(conn)?;
        diesel::insert_into(canary_triggers::table)
            .values((
                canary_triggers::key_id.eq(&row.id),
                canary_triggers::ip.eq(origin),
                canary_triggers::at.eq(now),
            ))
            .execute(conn)?;
        AuditEntry::record(
            conn,
            Some(&row.merchant_id),
            "canary",
            "api_key.canary_triggered",
            &row.id,
            ip.unwrap_or(""),
            &detail,
        )?;
        crate::events::emit_about_key(
            conn,
            &scope(row),
            "api_key.canary_triggered",
            &KeyUse {
                object: "api_key_use",
                api_key: &row.id,
                name: &row.name,
                at: clock::rfc3339(now),
                ip,
                user_agent,
                path,
                url,
            },
            Some(&row.id),
        )?;
        notify(
            conn,
            &row.merchant_id,
            Kind::CanaryTriggered,
            None,
            &Notice {
                subject: format!("Canary key {} was triggered", row.name),
                text: format!(
                    "The canary {} was {detail}. A canary is never used by your own \
                     code: whoever holds it found it where you planted it. Paydesk tells \
                     you once an hour per address.",
                    key_words(row)
                ),
                link: Some(&format!("/keys/{}", row.id)),
            },
        )?;
        Ok::<_, Error>(())
    })
}

/// `triggered` for a use seen by the gate: the key is looked up by id first.
pub fn canary_used(
    conn: &mut DbConn,
    key_id: &str,
    ip: Option<&str>,
    user_agent: Option<&str>,
    path: &str,
) -> Result<(), Error> {
    let row: ApiKeyRow = crate::db::one(
        api_keys::table
            .filter(api_keys::id.eq(key_id))
            .select(ApiKeyRow::as_select())
            .load(conn),
    )?;
    triggered(conn, &row, ip, user_agent, Some(path), None)
}
