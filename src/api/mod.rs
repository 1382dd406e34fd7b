//! The JSON API under `/api/v1`: the envelope and its errors, and the handlers.

pub mod auth;
pub mod envelope;

use actix_web::{middleware::from_fn, web};

/// Every `/api/v1` route. The envelope middleware gives each response its `Request-Id`
/// and turns every refusal, including unknown paths and methods, into the JSON envelope.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1")
            .wrap(from_fn(envelope::request_id))
            .app_data(envelope::json_config())
            // `resource(..).route(..)` rather than `scope.route(..)`: a resource answers a
            // wrong method with 405, where a bare route would fall through to 404.
            .service(web::resource("/auth/login").route(web::post().to(auth::login)))
            .service(web::resource("/auth/logout").route(web::post().to(auth::logout)))
            .default_service(web::to(envelope::unknown_route)),
    );
}
