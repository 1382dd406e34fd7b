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

use actix_web::{middleware::from_fn, web};

/// Every `/api/v1` route, from the route table. The envelope middleware gives each
/// response its `Request-Id` and turns every refusal, including unknown paths and
/// methods, into the JSON envelope.
pub fn routes(cfg: &mut web::ServiceConfig) {
    let scope = routes::mount(web::scope("/api/v1"))
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
        .default_service(web::to(envelope::unknown_route))
        .wrap(from_fn(envelope::request_id));
    cfg.service(scope);
}
