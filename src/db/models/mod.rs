//! One file per stored entity: its row type and the queries that touch its table.

pub mod api_key;
pub mod audit;
pub mod forms;
pub mod idempotency;
pub mod invitation;
pub mod mail;
pub mod merchant;
pub mod notices;
pub mod objects;
pub mod password_reset;
pub mod request_log;
pub mod session;
pub mod user;
pub mod webhooks;
