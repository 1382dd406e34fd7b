//! The dashboard: server-rendered pages for people signed in with a browser.

pub mod account;
pub mod assets;
pub mod audit;
pub mod auth;
pub mod chart;
pub mod client_examples;
pub mod customers;
pub mod docs;
mod docs_schema;
pub mod events;
pub mod form;
pub mod invitations;
pub mod key_policy;
pub mod key_usage;
pub mod keys;
pub mod listing;
pub mod logs;
pub mod management_keys;
pub mod overview;
pub mod page;
pub mod password_reset;
pub mod payments;
pub mod plans;
pub mod refunds;
pub mod return_path;
pub mod setup;
pub mod shown;
pub mod subscriptions;
pub mod team;
pub mod two_factor;
pub mod webhooks;

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
        .route("/login/2fa", web::post().to(auth::submit_code))
        .route("/logout", web::post().to(auth::logout))
        .route("/team", web::get().to(team::list_members))
        .route("/team/invitations", web::post().to(team::invite))
        .route(
            "/team/invitations/{id}/resend",
            web::post().to(team::resend_invitation),
        )
        .route(
            "/team/invitations/{id}/revoke",
            web::post().to(team::revoke_invitation),
        )
        .route(
            "/invitations/{token}",
            web::get().to(invitations::show_invitation),
        )
        .route(
            "/invitations/{token}",
            web::post().to(invitations::accept_invitation),
        )
        .route(
            "/forgot-password",
            web::get().to(password_reset::show_forgot),
        )
        .route(
            "/forgot-password",
            web::post().to(password_reset::submit_forgot),
        )
        .route(
            "/password-reset/{token}",
            web::get().to(password_reset::show_reset),
        )
        .route(
            "/password-reset/{token}",
            web::post().to(password_reset::submit_reset),
        )
        .route("/team/{id}/role", web::post().to(team::change_role))
        .route(
            "/team/{id}/deactivate",
            web::get().to(team::confirm_deactivate),
        )
        .route(
            "/team/{id}/deactivate",
            web::post().to(team::deactivate_member),
        )
        .route(
            "/team/{id}/reactivate",
            web::post().to(team::reactivate_member),
        )
        .route("/team/{id}/unlock", web::post().to(team::unlock_member))
        .route(
            "/team/require-2fa",
            web::post().to(team::require_two_factor),
        )
        .route("/account", web::get().to(account::show_account))
        .route(
            "/account/password",
            web::post().to(account::change_password),
        )
        .route(
            "/account/sessions/{handle}/end",
            web::post().to(account::end_session),
        )
        .route(
            "/account/sign-out-everywhere",
            web::get().to(account::confirm_sign_out_everywhere),
        )
        .route(
            "/account/sign-out-everywhere",
            web::post().to(account::sign_out_everywhere),
        )
        .route(
            "/account/notifications",
            web::post().to(account::save_notifications),
        )
        .route("/account/sudo", web::post().to(account::confirm_password))
        .route("/account/2fa", web::get().to(two_factor::show_two_factor))
        .route(
            "/account/2fa",
            web::post().to(two_factor::enable_two_factor),
        )
        .route(
            "/account/2fa/disable",
            web::post().to(two_factor::disable_two_factor),
        )
        .route(
            "/account/2fa/recovery-codes",
            web::post().to(two_factor::regenerate_codes),
        )
        .route("/audit", web::get().to(audit::list_audit))
        .route("/docs/api", web::get().to(docs::show_reference))
        .route("/keys", web::get().to(keys::list_keys))
        .route("/keys", web::post().to(keys::create_key))
        .route("/keys/new", web::get().to(keys::new_key))
        .route("/keys/{id}", web::get().to(keys::show_key))
        .route("/keys/{id}/reveal", web::get().to(keys::reveal_key))
        .route("/keys/{id}/edit", web::get().to(keys::edit_key))
        .route("/keys/{id}/edit", web::post().to(keys::update_key))
        .route("/keys/{id}/suspend", web::post().to(keys::suspend_key))
        .route(
            "/keys/{id}/reactivate",
            web::post().to(keys::reactivate_key),
        )
        .route("/keys/{id}/roll", web::get().to(keys::confirm_roll))
        .route("/keys/{id}/roll", web::post().to(keys::roll_key))
        .route(
            "/keys/{id}/restrict",
            web::get().to(key_usage::confirm_restrict),
        )
        .route(
            "/keys/{id}/restrict",
            web::post().to(key_usage::restrict_key),
        )
        .route("/keys/{id}/revoke", web::get().to(keys::confirm_revoke))
        .route("/keys/{id}/revoke", web::post().to(keys::revoke_key))
        .route("/settings/keys", web::get().to(key_policy::show_key_policy))
        .route(
            "/settings/keys",
            web::post().to(key_policy::update_key_policy),
        )
        .route("/logs", web::get().to(logs::list_logs))
        .route("/logs/{request_id}", web::get().to(logs::show_log))
        .route("/webhooks", web::get().to(webhooks::list_endpoints))
        .route("/webhooks", web::post().to(webhooks::create_endpoint))
        .route("/webhooks/new", web::get().to(webhooks::new_endpoint))
        .route("/webhooks/{id}", web::get().to(webhooks::show_endpoint))
        .route(
            "/webhooks/{id}/edit",
            web::get().to(webhooks::edit_endpoint),
        )
        .route(
            "/webhooks/{id}/edit",
            web::post().to(webhooks::update_endpoint),
        )
        .route(
            "/webhooks/{id}/test",
            web::post().to(webhooks::test_endpoint),
        )
        .route(
            "/webhooks/{id}/disable",
            web::post().to(webhooks::disable_endpoint),
        )
        .route(
            "/webhooks/{id}/enable",
            web::post().to(webhooks::enable_endpoint),
        )
        .route("/webhooks/{id}/roll", web::post().to(webhooks::roll_secret))
        .route(
            "/webhooks/{id}/delete",
            web::get().to(webhooks::confirm_delete),
        )
        .route(
            "/webhooks/{id}/delete",
            web::post().to(webhooks::delete_endpoint),
        )
        .route(
            "/webhooks/{id}/deliveries/{delivery}",
            web::get().to(webhooks::show_delivery),
        )
        .route(
            "/webhooks/{id}/deliveries/{delivery}/resend",
            web::post().to(webhooks::resend_delivery),
        )
        .route("/payments", web::get().to(payments::list_payments))
        .route("/payments/{id}", web::get().to(payments::show_payment))
        .route(
            "/payments/{id}/refund",
            web::get().to(refunds::confirm_refund),
        )
        .route(
            "/payments/{id}/refund",
            web::post().to(refunds::refund_payment),
        )
        .route("/customers", web::get().to(customers::list_customers))
        .route("/customers/{id}", web::get().to(customers::show_customer))
        .route("/plans", web::get().to(plans::list_plans))
        .route(
            "/subscriptions",
            web::get().to(subscriptions::list_subscriptions),
        )
        .route(
            "/subscriptions/{id}",
            web::get().to(subscriptions::show_subscription),
        )
        .route(
            "/subscriptions/{id}/cancel",
            web::get().to(subscriptions::confirm_cancel),
        )
        .route(
            "/subscriptions/{id}/cancel",
            web::post().to(subscriptions::cancel_subscription),
        )
        .route(
            "/subscriptions/{id}/cancel-at-period-end",
            web::get().to(subscriptions::confirm_cancel_at_period_end),
        )
        .route(
            "/subscriptions/{id}/cancel-at-period-end",
            web::post().to(subscriptions::cancel_at_period_end),
        )
        .route("/events", web::get().to(events::list_events))
        .route("/events/{id}", web::get().to(events::show_event))
        .route("/static/{file}", web::get().to(assets::serve))
        .configure(management_keys::routes);
}
