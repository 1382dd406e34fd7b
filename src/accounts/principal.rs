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
}

/// How long an entered password allows dangerous changes (SPEC §12).
pub const SUDO_SECS: i64 = 15 * 60;

impl Principal {
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
