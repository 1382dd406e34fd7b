//! The dashboard: server-rendered pages for people signed in with a browser.

pub mod assets;
pub mod audit;
pub mod auth;
pub mod form;
pub mod overview;
pub mod page;
pub mod setup;
pub mod team;

use actix_web::web;

/// Every dashboard route. Each handler that needs a person takes `SignedIn`, which
/// redirects anonymous visitors to /login, so forgetting a check cannot open a page.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.app_data(form::config())
        .route("/", web::get().to(overview::show_overview))
        .route("/setup", web::get().to(setup::show_setup))
        .route("/setup", web::post().to(setup::submit_setup))
        .route("/login", web::get().to(auth::show_login))
        .route("/login", web::post().to(auth::submit_login))
        .route("/logout", web::post().to(auth::logout))
        .route("/team", web::get().to(team::list_members))
        .route("/team", web::post().to(team::add_member))
        .route("/team/{id}/role", web::post().to(team::change_role))
        .route(
            "/team/{id}/deactivate",
            web::post().to(team::deactivate_member),
        )
        .route("/audit", web::get().to(audit::list_audit))
        .route("/static/{file}", web::get().to(assets::serve));
}
