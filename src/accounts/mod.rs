//! People and their sessions: first-run setup, passwords, sign-in with lockout, JWT
//! sessions, and the team an Admin manages. No HTTP here; `web/`, `api/` and the CLI
//! call these functions on the blocking pool.

pub mod passwords;
pub mod service;
pub mod throttle;
pub mod tokens;
pub mod two_factor;
pub mod validate;

pub use service::*;
