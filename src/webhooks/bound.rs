//! A key made with its own webhook endpoint (SPEC §9's `webhook_url`), one operation for
//! the Hub's form and the key-management API: the role is asked before the URL is looked
//! up (§13), then the key and its endpoint are made in one transaction.

use super::endpoints::{self, NewEndpoint};
use super::ssrf;
use crate::accounts::Principal;
use crate::crypto::Sealer;
use crate::db::DbConn;
use crate::error::Error;
use crate::keys::config::KeyDraft;
use crate::keys::model::CreatedKey;
use crate::keys::service::{self, Reveal};

/// A webhook URL `actor` may point an endpoint of this mode at: the role first, so a
/// refused caller makes no DNS lookup, then the URL's form and where it resolves
/// (refusals name `field`).
pub async fn checked_url(
    actor: &Principal,
    url: &str,
    live: bool,
    allow_private: bool,
    field: &'static str,
) -> Result<String, Error> {
    endpoints::require_manage(actor, live)?;
    ssrf::checked(url, live, allow_private)
        .await
        .map_err(|e| Error::field(field, e))
}

/// Makes the key and, with a checked `webhook_url`, its bound endpoint (all events), in
/// one transaction. Returns the endpoint's signing secret beside the key.
pub fn create_key(
    conn: &mut DbConn,
    actor: &Principal,
    sealer: &Sealer,
    draft: KeyDraft,
    webhook_url: Option<String>,
    reveal: Reveal,
    ip: &str,
) -> Result<(CreatedKey, Option<String>), Error> {
    crate::db::transaction(conn, |conn| {
        let created = service::create_key(conn, actor, draft, reveal, ip)?;
        let Some(url) = webhook_url else {
            return Ok((created, None));
        };
        let input = NewEndpoint {
            url,
            description: format!("Key {}", created.key.row.name),
            enabled_events: vec!["*".into()],
            livemode: created.key.mode == crate::keys::Mode::Live,
            api_key: Some(created.key.row.id.clone()),
        };
        let secret = endpoints::create(conn, actor, sealer, input, ip)
            .map_err(|e| match e {
                Error::Invalid(mut f) => Error::field(
                    "webhook_url",
                    f.pop_first().map(|(_, m)| m).unwrap_or_default(),
                ),
                other => other,
            })?
            .1;
        Ok((created, Some(secret)))
    })
}
