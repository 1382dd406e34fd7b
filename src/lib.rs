//! Paydesk: merchant dashboard, Developer Hub and payments API in one binary.
//!
//! HTTP lives at the edges (`api/`, `web/`), rules in the middle (`accounts/`, `keys/`),
//! storage at the bottom (`db/`).

pub mod accounts;
pub mod api;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod currencies;
pub mod db;
pub mod deadline;
pub mod error;
pub mod events;
pub mod health;
pub mod ids;
pub mod keys;
pub mod mail;
pub mod maps;
pub mod net;
pub mod payments;
pub mod retry;
pub mod schema;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod versions;
pub mod web;
pub mod webhooks;
