//! People and their sessions: first-run setup, passwords, sign-in with lockout, JWT
//! sessions, the team an Admin manages and invites, and recovery (reset links, the
//! CLI). No HTTP here; `web/`, `api/` and the CLI call these functions on the blocking
//! pool.

pub mod device;
mod invitations;
mod links;
mod password;
pub mod passwords;
mod principal;
mod recovery;
mod reset;
pub mod secrets;
mod sessions;
mod setup;
mod sign_in;
mod team;
pub mod throttle;
pub mod tokens;
pub mod two_factor;
pub mod validate;

pub use invitations::*;
pub use links::Refusal;
pub use password::*;
pub use principal::*;
pub use recovery::*;
pub use reset::*;
pub use sessions::*;
pub use setup::*;
pub use sign_in::*;
pub use team::*;
