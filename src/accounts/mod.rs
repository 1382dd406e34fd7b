//! People and their sessions: first-run setup, passwords, sign-in with lockout, JWT
//! sessions, and the team an Admin manages. No HTTP here; `web/`, `api/` and the CLI
//! call these functions on the blocking pool.

pub mod device;
mod password;
pub mod passwords;
mod principal;
mod recovery;
pub mod secrets;
mod sessions;
mod setup;
mod sign_in;
mod team;
pub mod throttle;
pub mod tokens;
pub mod two_factor;
pub mod validate;

pub use password::*;
pub use principal::*;
pub use recovery::*;
pub use sessions::*;
pub use setup::*;
pub use sign_in::*;
pub use team::*;
