//! The signed-in person behind a request, and what they may do: Admin-only work, the
//! Developer Hub, and sudo mode (SPEC §12, §13).

use crate::clock;
use crate::db::models::merchant::Merchant;
use crate::db::models::user::{Role, User};
use crate::error::Error;

/// The signed-in person behind a request.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user: User,
    pub merchant: Merchant,
    pub jti: String,
    /// When the password was last entered for this session (sudo mode).
    pub sudo_at: Option<i64>,
    /// Set when a management key acts, not a person (SPEC §17): `user` is then a
    /// Developer named after the key, never stored, so the audit log and `created_by`
    /// name the key; and nobody can be asked for a password.
    pub machine: Option<Machine>,
}

/// The management key behind a request (SPEC §17): what the key policy needs to know
/// beyond the Developer role it acts with.
#[derive(Debug, Clone)]
pub struct Machine {
    pub key_id: String,
    /// The `live` grant: it may also create and roll live keys.
    pub live: bool,
}

/// How long an entered password allows dangerous changes (SPEC §12).
pub const SUDO_SECS: i64 = 15 * 60;

/// How the audit log names a management key acting: `mgk_… (Deploy pipeline)`.
pub fn machine_actor(key_id: &str, key_name: &str) -> String {
    format!("{key_id} ({key_name})")
}

impl Principal {
    /// A management key acting for `merchant` as a Developer would: the stand-in user
    /// carries the key's id and, as its "email", how the audit log names the key.
    pub fn machine(merchant: Merchant, key_id: &str, key_name: &str, live: bool) -> Self {
        let user = User {
            id: key_id.to_owned(),
            merchant_id: merchant.id.clone(),
            email: machine_actor(key_id, key_name),
            password_hash: String::new(),
            role: Role::Developer.as_str().to_owned(),
            active: true,
            failed_logins: 0,
            locked_until: None,
            created_at: merchant.created_at,
            totp_secret: None,
            totp_last_step: None,
        };
        Self {
            user,
            merchant,
            jti: String::new(),
            sudo_at: None,
            machine: Some(Machine {
                key_id: key_id.to_owned(),
                live,
            }),
        }
    }

    pub fn role(&self) -> Role {
        self.user.role()
    }

    pub fn require_admin(&self) -> Result<(), Error> {
        if self.role() == Role::Admin {
            Ok(())
        } else {
            Err(Error::forbidden("Only an Admin can do this."))
        }
    }

    /// Sudo mode: dangerous changes (live keys, the team) need the password entered in the
    /// last 15 minutes, at sign-in or again when asked.
    pub fn require_sudo(&self) -> Result<(), Error> {
        match self.sudo_at {
            Some(at) if clock::now() - at < SUDO_SECS => Ok(()),
            _ => Err(Error::ReauthenticationRequired),
        }
    }

    pub fn require_hub(&self) -> Result<(), Error> {
        if self.role().can_use_hub() {
            Ok(())
        } else {
            Err(Error::forbidden(
                "The Developer Hub is for Admins and Developers; ask an Admin to change your role.",
            ))
        }
    }
}
