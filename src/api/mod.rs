//! The JSON API under `/api/v1`: the envelope and its errors, the gate, the route table,
//! and one handler file per resource.

pub mod auth;
pub mod body;
pub mod client_sessions;
pub mod context;
pub mod customers;
pub mod describe;
pub mod envelope;
pub mod events;
pub mod extract;
pub mod gate;
pub mod idempotency;
pub mod keys;
pub mod list;
pub mod management_keys;
mod mount;
pub mod openapi;
mod openapi_components;
mod openapi_ids;
pub mod payments;
pub mod plans;
pub mod routes;
pub mod secret_scanning;
mod strict;
pub mod subscriptions;
pub mod tags;
pub mod webhooks;

use actix_web::web;

/// Where the API is mounted.
pub const PREFIX: &str = "/api/v1";

/// Whether `path` is the API's (the scope at [`PREFIX`] takes it): the edge gives those
/// requests their `ApiCall` and their answers the envelope (`envelope::finish`).
pub fn serves(path: &str) -> bool {
    path.strip_prefix(PREFIX)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Every `/api/v1` route, from the route table. The edge gives each request its id, and
/// `envelope::finish` turns every refusal, including unknown paths and methods, into the
/// JSON envelope carrying it.
pub fn routes(cfg: &mut web::ServiceConfig) {
    let scope = mount::mount(web::scope(PREFIX))
        .service(
            web::resource("/openapi.json")
                .route(web::get().to(openapi::serve))
                .route(web::head().to(openapi::serve)),
        )
        .service(
            web::resource("/secret-scanning/report")
                .app_data(web::PayloadConfig::new(secret_scanning::BODY_LIMIT))
                .route(web::post().to(secret_scanning::report)),
        )
        .app_data(envelope::json_config())
        .app_data(web::PayloadConfig::new(envelope::BODY_LIMIT))
        .default_service(web::to(envelope::unknown_route));
    cfg.service(scope);
}
