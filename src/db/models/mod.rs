//! One file per stored entity: its row type and the queries that touch its table.

pub mod api_key;
pub mod audit;
pub mod events;
pub mod forms;
pub mod idempotency;
pub mod invitation;
pub mod mail;
pub mod merchant;
pub mod notices;
pub mod objects;
pub mod password_reset;
pub mod request_log;
pub mod scope;
pub mod session;
pub mod user;
pub mod webhook_attempts;
pub mod webhooks;
