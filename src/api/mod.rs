//! The JSON API under `/api/v1`: the envelope and its errors, and the handlers.

pub mod auth;
pub mod envelope;
pub mod keys;

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
            .service(
                web::resource("/api-keys")
                    .route(web::get().to(keys::list_keys))
                    .route(web::post().to(keys::create_key)),
            )
            .service(
                web::resource("/api-keys/{id}")
                    .route(web::get().to(keys::get_key))
                    .route(web::patch().to(keys::update_key))
                    .route(web::delete().to(keys::revoke_key)),
            )
            .service(
                web::resource("/api-keys/{id}/suspend").route(web::post().to(keys::suspend_key)),
            )
            .service(
                web::resource("/api-keys/{id}/reactivate")
                    .route(web::post().to(keys::reactivate_key)),
            )
            .service(web::resource("/api-keys/{id}/roll").route(web::post().to(keys::roll_key)))
            .default_service(web::to(envelope::unknown_route)),
    );
}
