//! Notifications by mail (SPEC §14): the merchant's Admins hear of what happened to
//! their keys, endpoints and team; the person concerned also hears of a sign-in from a
//! new device or of their two-factor being turned off. Each kind is on unless the person
//! switched it off on `/account`. Queued in the transaction of what they report.

use super::{Mail, queue};
use crate::db::DbConn;
use crate::db::models::api_key::ApiKeyRow;
use crate::db::models::mail as store;
use crate::db::models::merchant::Merchant;
use crate::db::models::user::{Role, User};
use crate::error::Error;

/// What a notification is about; each is switched on or off per person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    KeyExposed,
    CanaryTriggered,
    KeyExpiring,
    WebhookDisabled,
    NewDevice,
    TwoFactorOff,
    AdminAdded,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::KeyExposed,
        Kind::CanaryTriggered,
        Kind::KeyExpiring,
        Kind::WebhookDisabled,
        Kind::NewDevice,
        Kind::TwoFactorOff,
        Kind::AdminAdded,
    ];

    /// As stored and as the `/account` form names it.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::KeyExposed => "key_exposed",
            Kind::CanaryTriggered => "canary_triggered",
            Kind::KeyExpiring => "key_expiring",
            Kind::WebhookDisabled => "webhook_disabled",
            Kind::NewDevice => "new_device",
            Kind::TwoFactorOff => "two_factor_off",
            Kind::AdminAdded => "admin_added",
        }
    }

    /// The switch's label on `/account`.
    pub fn label(self) -> &'static str {
        match self {
            Kind::KeyExposed => "A secret key was found public and revoked",
            Kind::CanaryTriggered => "A canary key was used or reported",
            Kind::KeyExpiring => "A key expires within 7 days",
            Kind::WebhookDisabled => "Paydesk disabled a failing webhook endpoint",
            Kind::NewDevice => "Someone signed in from a new device",
            Kind::TwoFactorOff => "Someone turned two-factor sign-in off",
            Kind::AdminAdded => "An Admin was added",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// About one person's account: that person hears of it whatever their role.
    pub fn personal(self) -> bool {
        matches!(self, Kind::NewDevice | Kind::TwoFactorOff)
    }

    /// The kinds `role` may receive, and so sees switches for.
    pub fn for_role(role: Role) -> Vec<Kind> {
        Kind::ALL
            .into_iter()
            .filter(|k| role == Role::Admin || k.personal())
            .collect()
    }
}

/// What to tell: a one-line subject, sentences, and the page to look at.
pub struct Notice<'a> {
    pub subject: String,
    pub text: String,
    pub link: Option<&'a str>,
}

/// Queues `notice` to the active Admins of `merchant_id` (and to `person`, the user it
/// is about, for personal kinds), except those who switched `kind` off; returns how
/// many mails were queued.
pub fn notify(
    conn: &mut DbConn,
    merchant_id: &str,
    kind: Kind,
    person: Option<&str>,
    notice: &Notice<'_>,
) -> Result<usize, Error> {
    let merchant = Merchant::find(conn, merchant_id)?;
    let recipients: Vec<User> = User::list_for_merchant(conn, merchant_id)?
        .into_iter()
        .filter(|u| u.active)
        .filter(|u| u.role() == Role::Admin || (kind.personal() && person == Some(&u.id)))
        .collect();
    if recipients.is_empty() {
        return Ok(0);
    }
    let ids: Vec<&str> = recipients.iter().map(|u| u.id.as_str()).collect();
    let off = store::opted_out_of(conn, kind.as_str(), &ids)?;
    let mut queued = 0;
    for user in recipients.iter().filter(|u| !off.contains(&u.id)) {
        let why = if user.role() == Role::Admin {
            format!("you are an Admin of {}", merchant.name)
        } else {
            "it is about your account".to_owned()
        };
        let text = format!(
            "{}\n\n— Paydesk. You receive this because {why}. Choose which mails you get on your Account page.",
            notice.text.trim_end()
        );
        queue(
            conn,
            &Mail {
                to: user.email.clone(),
                subject: notice.subject.clone(),
                text,
                link: notice.link.map(str::to_owned),
                kind: kind.as_str(),
            },
        )?;
        queued += 1;
    }
    Ok(queued)
}

/// A key as a mail names it: label, mode, kind and hint, never the secret — e.g.
/// `"checkout" (test secret key sk_test_…Wx9Z, key_…)`.
pub fn key_words(row: &ApiKeyRow) -> String {
    format!(
        "{:?} ({} secret key {}, {})",
        row.name, row.mode, row.secret_hint, row.id
    )
}

/// The kinds this person switched off.
pub fn switched_off(conn: &mut DbConn, user_id: &str) -> Result<Vec<Kind>, Error> {
    Ok(store::opted_out(conn, user_id)?
        .iter()
        .filter_map(|k| Kind::parse(k))
        .collect())
}

/// Saves this person's switches: `on` are the kinds they keep; every other kind their
/// role receives is switched off.
pub fn save_switches(conn: &mut DbConn, user: &User, on: &[Kind]) -> Result<(), Error> {
    let off: Vec<&str> = Kind::for_role(user.role())
        .into_iter()
        .filter(|k| !on.contains(k))
        .map(Kind::as_str)
        .collect();
    Ok(store::set_opted_out(conn, &user.id, &off)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_read_back_and_non_admins_get_only_their_own() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(k));
        }
        assert_eq!(Kind::parse("invitation"), None);
        assert_eq!(Kind::for_role(Role::Admin).len(), 7);
        assert_eq!(
            Kind::for_role(Role::Viewer),
            [Kind::NewDevice, Kind::TwoFactorOff]
        );
    }
}
