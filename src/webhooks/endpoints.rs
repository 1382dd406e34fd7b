//! Webhook endpoints: create (the secret is returned once), list, get, update, disable,
//! delete, roll the secret (the old one signs too during a grace period).

use serde::Serialize;
use utoipa::ToSchema;

use crate::accounts::Principal;
use crate::clock;
use crate::crypto::Sealer;
use crate::db::DbConn;
use crate::db::models::audit::AuditEntry;
use crate::db::models::webhooks::EndpointRow;
use crate::error::Error;

/// The grace periods a roll offers: the same as for keys.
pub use crate::keys::lifecycle::ROLL_GRACE_SECONDS;

/// A webhook endpoint as the API shows it (never its secret).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WebhookEndpoint {
    #[schema(pattern = "^we_")]
    pub id: String,
    #[schema(pattern = "^webhook_endpoint$")]
    pub object: &'static str,
    pub url: String,
    pub description: String,
    /// Event types, or `["*"]` for all.
    pub enabled_events: Vec<String>,
    /// The key whose events only it receives, if bound.
    pub api_key: Option<String>,
    pub api_version: Option<String>,
    /// `enabled` or `disabled`.
    #[schema(pattern = "^(enabled|disabled)$")]
    pub status: String,
    #[schema(pattern = "^(test|live)$")]
    pub mode: &'static str,
    pub livemode: bool,
    #[schema(schema_with = crate::schema::timestamp)]
    pub created_at: String,
    /// Why Paydesk disabled it, when it did (every delivery failing for 3 days, or its
    /// key revoked).
    pub disabled_reason: Option<String>,
}

pub fn view(r: &EndpointRow) -> WebhookEndpoint {
    WebhookEndpoint {
        id: r.id.clone(),
        object: "webhook_endpoint",
        url: r.url.clone(),
        description: r.description.clone(),
        enabled_events: r
            .enabled_events
            .split_whitespace()
            .map(str::to_owned)
            .collect(),
        api_key: r.api_key_id.clone(),
        api_version: r.api_version.clone(),
        status: r.status.clone(),
        mode: if r.livemode { "live" } else { "test" },
        livemode: r.livemode,
        created_at: clock::rfc3339(r.created_at),
        disabled_reason: r.disabled_reason.clone(),
    }
}

/// A checked new endpoint (its URL already checked for form and address).
pub struct NewEndpoint {
    pub url: String,
    pub description: String,
    pub enabled_events: Vec<String>,
    pub livemode: bool,
    pub api_key: Option<String>,
}

fn new_secret() -> String {
    format!("whsec_{}", crate::ids::random_base62(32))
}

fn audit(
    conn: &mut DbConn,
    actor: &Principal,
    action: &str,
    r: &EndpointRow,
    ip: &str,
    detail: &str,
) -> Result<(), Error> {
    AuditEntry::record(
        conn,
        Some(&actor.merchant.id),
        &actor.user.email,
        action,
        &r.id,
        ip,
        detail,
    )?;
    Ok(())
}

/// Live endpoints are Admins' to create, edit, enable or roll (SPEC §9). The edges ask
/// this before they look a new URL up, so a refused caller makes no DNS lookup (§13).
pub fn require_manage(actor: &Principal, livemode: bool) -> Result<(), Error> {
    crate::keys::policy::may_manage_endpoint(actor, livemode)
}

pub fn create(
    conn: &mut DbConn,
    actor: &Principal,
    sealer: &Sealer,
    input: NewEndpoint,
    ip: &str,
) -> Result<(WebhookEndpoint, String), Error> {
    require_manage(actor, input.livemode)?;
    super::check_events(&input.enabled_events)?;
    if input.livemode && !actor.merchant.verified {
        return Err(Error::LiveModeUnavailable(
            "Live mode needs a verified merchant.".into(),
        ));
    }
    // Payloads follow the bound key's pinned version, else the version current now
    // (kept, so a later release does not change what the receiver parses).
    let mut api_version = crate::versions::CURRENT.to_owned();
    if let Some(key) = &input.api_key {
        let k = crate::keys::service::get_key(conn, actor, key).map_err(|e| match e {
            Error::NotFound => Error::field("api_key", "no such key"),
            other => other,
        })?;
        if (k.mode == crate::keys::Mode::Live) != input.livemode {
            return Err(Error::field("api_key", "the key is of the other mode"));
        }
        if let Some(pin) = k.row.api_version {
            api_version = pin;
        }
    }
    let secret = new_secret();
    let row = EndpointRow {
        id: crate::ids::new_id("we"),
        merchant_id: actor.merchant.id.clone(),
        livemode: input.livemode,
        url: input.url,
        description: input.description,
        enabled_events: input.enabled_events.join(" "),
        api_key_id: input.api_key,
        api_version: Some(api_version),
        status: "enabled".into(),
        secret_sealed: sealer.seal(secret.as_bytes()),
        old_secret_sealed: None,
        old_secret_until: None,
        created_at: clock::now(),
        created_by: actor.user.email.clone(),
        failing_since: None,
        disabled_reason: None,
    };
    crate::db::transaction(conn, |conn| {
        row.insert(conn)?;
        audit(conn, actor, "webhook_endpoint.created", &row, ip, &row.url)
    })?;
    Ok((view(&row), secret))
}

pub fn list(conn: &mut DbConn, actor: &Principal) -> Result<Vec<WebhookEndpoint>, Error> {
    actor.require_hub()?;
    Ok(EndpointRow::list(conn, &actor.merchant.id)?
        .iter()
        .map(view)
        .collect())
}

/// One page of endpoints, newest first, after the endpoint `starting_after` (which must
/// be one of this merchant's), `fetch` at most.
pub fn list_page(
    conn: &mut DbConn,
    actor: &Principal,
    starting_after: Option<&str>,
    fetch: i64,
) -> Result<Vec<WebhookEndpoint>, Error> {
    actor.require_hub()?;
    let after = match starting_after {
        None => None,
        Some(id) => Some(crate::db::cursor(
            EndpointRow::find(conn, &actor.merchant.id, id),
            |row| (row.created_at, row.id),
        )?),
    };
    let after = after.as_ref().map(|(at, id)| (*at, id.as_str()));
    Ok(EndpointRow::page(conn, &actor.merchant.id, after, fetch)?
        .iter()
        .map(view)
        .collect())
}

pub fn get(conn: &mut DbConn, actor: &Principal, id: &str) -> Result<EndpointRow, Error> {
    actor.require_hub()?;
    Ok(EndpointRow::find(conn, &actor.merchant.id, id)?)
}

/// What may change: url (checked by the caller), description, events, status.
pub struct EndpointPatch {
    pub url: Option<String>,
    pub description: Option<String>,
    pub enabled_events: Option<Vec<String>>,
    pub status: Option<String>,
}

pub fn update(
    conn: &mut DbConn,
    actor: &Principal,
    id: &str,
    patch: EndpointPatch,
    ip: &str,
) -> Result<WebhookEndpoint, Error> {
    use crate::db::schema::webhook_endpoints as we;
    use diesel::prelude::*;
    let row = get(conn, actor, id)?;
    // Disabling is anyone's (like suspending a key); every other change of a live
    // endpoint is an Admin's.
    let only_disables = patch.url.is_none()
        && patch.description.is_none()
        && patch.enabled_events.is_none()
        && patch.status.as_deref() == Some("disabled");
    if !only_disables {
        require_manage(actor, row.livemode)?;
    }
    if let Some(events) = &patch.enabled_events {
        super::check_events(events)?;
    }
    crate::db::transaction(conn, |conn| {
        if let Some(url) = &patch.url {
            diesel::update(we::table.find(&row.id))
                .set(we::url.eq(url))
                .execute(conn)?;
        }
        if let Some(d) = &patch.description {
            diesel::update(we::table.find(&row.id))
                .set(we::description.eq(d))
                .execute(conn)?;
        }
        if let Some(events) = &patch.enabled_events {
            diesel::update(we::table.find(&row.id))
                .set(we::enabled_events.eq(events.join(" ")))
                .execute(conn)?;
        }
        if let Some(status) = &patch.status {
            // A person's choice replaces Paydesk's reason, and enabling starts afresh.
            EndpointRow::set_status(conn, &row.id, status, None)?;
        }
        audit(conn, actor, "webhook_endpoint.updated", &row, ip, "")
    })?;
    Ok(view(&get(conn, actor, id)?))
}

pub fn delete(
    conn: &mut DbConn,
    actor: &Principal,
    id: &str,
    ip: &str,
) -> Result<WebhookEndpoint, Error> {
    use crate::db::schema::{webhook_deliveries as wd, webhook_endpoints as we};
    use diesel::prelude::*;
    let row = get(conn, actor, id)?;
    crate::db::transaction(conn, |conn| {
        crate::db::models::webhook_attempts::AttemptRow::delete_for_pending_of(conn, &row.id)?;
        diesel::delete(
            wd::table
                .filter(wd::endpoint_id.eq(&row.id))
                .filter(wd::status.eq("pending")),
        )
        .execute(conn)?;
        diesel::delete(we::table.find(&row.id)).execute(conn)?;
        audit(conn, actor, "webhook_endpoint.deleted", &row, ip, &row.url)
    })?;
    let mut shown = view(&row);
    shown.status = "disabled".into();
    Ok(shown)
}

/// A new secret; the old one keeps signing (a second `v1=`) for `grace` seconds.
pub fn roll_secret(
    conn: &mut DbConn,
    actor: &Principal,
    sealer: &Sealer,
    id: &str,
    grace: i64,
    ip: &str,
) -> Result<(WebhookEndpoint, String), Error> {
    let row = get(conn, actor, id)?;
    require_manage(actor, row.livemode)?;
    if !ROLL_GRACE_SECONDS.contains(&grace) {
        return Err(Error::field(
            "grace_period_seconds",
            "Choose 0, 3600, 86400 or 604800 seconds.",
        ));
    }
    let secret = new_secret();
    let old = (grace > 0).then_some(row.secret_sealed.as_str());
    crate::db::transaction(conn, |conn| {
        EndpointRow::set_secret(
            conn,
            &row.id,
            &sealer.seal(secret.as_bytes()),
            old,
            old.map(|_| clock::now() + grace),
        )?;
        audit(
            conn,
            actor,
            "webhook_endpoint.secret_rolled",
            &row,
            ip,
            &format!("grace {grace} s"),
        )
    })?;
    Ok((view(&get(conn, actor, id)?), secret))
}

/// The endpoints bound to a key (shown on its page).
pub fn bound_to(
    conn: &mut DbConn,
    actor: &Principal,
    key_id: &str,
) -> Result<Vec<EndpointRow>, Error> {
    Ok(EndpointRow::list(conn, &actor.merchant.id)?
        .into_iter()
        .filter(|e| e.api_key_id.as_deref() == Some(key_id))
        .collect())
}

/// An endpoint whose every attempt has failed for this long is disabled (SPEC §9).
pub const DISABLE_AFTER_FAILING_SECONDS: i64 = 3 * 86_400;

/// Records an attempt's outcome on its endpoint. A delivery ends the run of failures; a
/// failure starts one, and a run that has lasted 3 days disables the endpoint: audited,
/// announced as `webhook_endpoint.disabled` to the merchant's other endpoints, and shown
/// as a banner. Returns whether this call disabled it (one instance does).
pub fn note_attempt(
    conn: &mut DbConn,
    endpoint_id: &str,
    delivered: bool,
    now: i64,
) -> Result<bool, Error> {
    use crate::db::schema::webhook_endpoints as we;
    use diesel::prelude::*;
    let Some(row) = EndpointRow::by_id(conn, endpoint_id).optional()? else {
        return Ok(false);
    };
    match (delivered, row.failing_since) {
        (true, None) => Ok(false),
        (true, Some(_)) => {
            diesel::update(we::table.find(&row.id))
                .set(we::failing_since.eq(None::<i64>))
                .execute(conn)?;
            Ok(false)
        }
        (false, None) => {
            diesel::update(we::table.find(&row.id).filter(we::failing_since.is_null()))
                .set(we::failing_since.eq(Some(now)))
                .execute(conn)?;
            Ok(false)
        }
        (false, Some(since)) if now - since >= DISABLE_AFTER_FAILING_SECONDS => {
            crate::db::transaction(conn, |conn| {
                let reason = format!(
                    "Paydesk disabled it: every delivery failed from {} until {}. Fix the receiver, then enable it.",
                    clock::display(since),
                    clock::display(now)
                );
                // Only the instance whose update finds it enabled announces it.
                let changed =
                    diesel::update(we::table.find(&row.id).filter(we::status.eq("enabled")))
                        .set((we::status.eq("disabled"), we::disabled_reason.eq(&reason)))
                        .execute(conn)?;
                if changed == 0 {
                    return Ok(false);
                }
                AuditEntry::record(
                    conn,
                    Some(&row.merchant_id),
                    "paydesk",
                    "webhook_endpoint.disabled",
                    &row.id,
                    "",
                    &format!("{} — failing for 3 days", row.url),
                )?;
                let now_row = EndpointRow::by_id(conn, &row.id)?;
                let scope =
                    crate::db::models::objects::Scope::new(row.merchant_id.clone(), row.livemode);
                crate::events::emit_about_key(
                    conn,
                    &scope,
                    "webhook_endpoint.disabled",
                    &view(&now_row),
                    row.api_key_id.as_deref(),
                )?;
                mail_disabled(conn, &row, &reason)?;
                Ok(true)
            })
        }
        (false, Some(_)) => Ok(false),
    }
}

/// Tells the Admins that Paydesk disabled this endpoint, and why.
fn mail_disabled(conn: &mut DbConn, row: &EndpointRow, reason: &str) -> Result<(), Error> {
    use crate::mail::notify::{Kind, Notice, notify};
    let mode = if row.livemode { "live" } else { "test" };
    notify(
        conn,
        &row.merchant_id,
        Kind::WebhookDisabled,
        None,
        &Notice {
            subject: format!("Webhook endpoint {} was disabled", row.url),
            text: format!(
                "The {mode} webhook endpoint {} ({}) receives no more events. {reason}",
                row.url, row.id
            ),
            link: Some(&format!("/webhooks/{}", row.id)),
        },
    )?;
    Ok(())
}
