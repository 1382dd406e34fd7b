//! API keys without HTTP: the key format, the permission table, and the operations the
//! Developer Hub pages and the key-management API share.

pub mod cache;
pub mod config;
pub mod expiry;
pub mod exposure;
pub mod format;
pub mod invalidation;
pub mod key_policy;
pub mod lifecycle;
pub mod limiter;
pub mod management;
pub mod model;
pub mod permissions;
pub mod policy;
pub mod service;
pub mod signature;
pub mod spend;
pub mod token;
pub mod usage;
pub mod verify;

pub use format::{KeyKind, Mode};
pub use permissions::{Access, Level, Resource};
