//! The route table: every `/api/v1` route with the permission it needs (SPEC §4 and §6).
//! `mount` builds the API from this table alone, and wraps each key route in the gate
//! with its policy, so a route without an entry cannot exist.

use actix_web::http::Method;
use actix_web::middleware::from_fn;
use actix_web::{Route, Scope, web};

use super::gate::{self, KeyPolicy};
use super::{auth, client_sessions, customers, events, keys, payments, plans, subscriptions};
use crate::keys::permissions::{Level, Resource};

/// Who may call a route.
#[derive(Debug, Clone, Copy)]
pub enum Guard {
    /// An API key, checked by the gate.
    Key(KeyPolicy),
    /// A user token from /auth/login (the handler's `ApiUser` checks it and the role).
    UserToken,
    /// Anyone: only `POST /auth/login`.
    Public,
}

pub struct Endpoint {
    pub method: Method,
    pub path: &'static str,
    pub guard: Guard,
    /// The handler as a route answering the given method (the table's, or HEAD for GET).
    pub route: fn(Method) -> Route,
}

const fn needs(resource: Resource, level: Level) -> Guard {
    Guard::Key(KeyPolicy {
        needs: Some((resource, level)),
        publishable: false,
    })
}

const fn publishable(resource: Option<(Resource, Level)>) -> Guard {
    Guard::Key(KeyPolicy {
        needs: resource,
        publishable: true,
    })
}

macro_rules! endpoint {
    ($method:ident $path:literal, $guard:expr, $handler:path) => {
        Endpoint {
            method: Method::$method,
            path: $path,
            guard: $guard,
            route: |method| web::route().method(method).to($handler),
        }
    };
}

/// The table. More specific paths come before `{id}` paths they would otherwise match.
pub fn table() -> Vec<Endpoint> {
    use Level::{Read, Write};
    use Resource::*;
    vec![
        endpoint!(POST "/auth/login", Guard::Public, auth::login),
        endpoint!(POST "/auth/logout", Guard::UserToken, auth::logout),
        endpoint!(GET "/api-keys", Guard::UserToken, keys::list_keys),
        endpoint!(POST "/api-keys", Guard::UserToken, keys::create_key),
        endpoint!(GET "/api-keys/{id}", Guard::UserToken, keys::get_key),
        endpoint!(PATCH "/api-keys/{id}", Guard::UserToken, keys::update_key),
        endpoint!(DELETE "/api-keys/{id}", Guard::UserToken, keys::revoke_key),
        endpoint!(POST "/api-keys/{id}/suspend", Guard::UserToken, keys::suspend_key),
        endpoint!(POST "/api-keys/{id}/reactivate", Guard::UserToken, keys::reactivate_key),
        endpoint!(POST "/api-keys/{id}/roll", Guard::UserToken, keys::roll_key),
        endpoint!(GET "/whoami", publishable(None), events::whoami),
        endpoint!(POST "/client-session", needs(ClientSessions, Write), client_sessions::create_client_session),
        endpoint!(PATCH "/client-session/{id}", needs(ClientSessions, Write), client_sessions::update_client_session),
        endpoint!(GET "/customers", needs(Customers, Read), customers::list_customers),
        endpoint!(POST "/customers", needs(Customers, Write), customers::create_customer),
        endpoint!(GET "/customers/{id}", needs(Customers, Read), customers::get_customer),
        endpoint!(PATCH "/customers/{id}", needs(Customers, Write), customers::update_customer),
        endpoint!(GET "/plans", publishable(Some((Plans, Read))), plans::list_plans),
        endpoint!(POST "/plans", needs(Plans, Write), plans::create_plan),
        endpoint!(GET "/plans/{id}", publishable(Some((Plans, Read))), plans::get_plan),
        endpoint!(GET "/payments", needs(Payments, Read), payments::list_payments),
        endpoint!(POST "/payments", needs(Payments, Write), payments::create_payment),
        endpoint!(GET "/payments/{id}", needs(Payments, Read), payments::get_payment),
        endpoint!(POST "/payments/refund/{id}", needs(Refunds, Write), payments::refund_payment),
        endpoint!(GET "/refunds", needs(Refunds, Read), payments::list_refunds),
        endpoint!(GET "/refunds/{id}", needs(Refunds, Read), payments::get_refund),
        endpoint!(GET "/balance", needs(Balance, Read), payments::get_balance),
        endpoint!(GET "/subscriptions/search", needs(Subscriptions, Read), subscriptions::search_subscriptions),
        endpoint!(POST "/subscriptions", needs(Subscriptions, Write), subscriptions::create_subscription),
        endpoint!(PATCH "/subscriptions", needs(Subscriptions, Write), subscriptions::update_subscription_by_body),
        endpoint!(GET "/subscriptions/{id}", needs(Subscriptions, Read), subscriptions::get_subscription),
        endpoint!(PATCH "/subscriptions/{id}", needs(Subscriptions, Write), subscriptions::update_subscription),
        endpoint!(POST "/subscriptions/cancel/{id}", needs(SubscriptionCancellation, Write), subscriptions::cancel_subscription),
        endpoint!(POST "/subscriptions/schedule-cancel/{id}", needs(SubscriptionCancellation, Write), subscriptions::schedule_cancel_subscription),
        endpoint!(GET "/events", needs(Events, Read), events::list_events),
        endpoint!(GET "/events/{id}", needs(Events, Read), events::get_event),
    ]
}

/// Adds every route of the table to `scope`, one resource per path, each key route behind
/// the gate with its own policy. `HEAD` answers wherever `GET` does (actix sends no body
/// for it); any other method is 405 with `Allow` naming the ones that work.
pub fn mount(mut scope: Scope) -> Scope {
    let table = table();
    let mut paths: Vec<&'static str> = Vec::new();
    for e in &table {
        if !paths.contains(&e.path) {
            paths.push(e.path);
        }
    }
    for path in paths {
        let mut resource = web::resource(path);
        let mut allowed: Vec<&str> = Vec::new();
        for e in table.iter().filter(|e| e.path == path) {
            let mut routes = vec![(e.route)(e.method.clone())];
            allowed.push(e.method.as_str());
            if e.method == Method::GET {
                routes.push((e.route)(Method::HEAD));
                allowed.push("HEAD");
            }
            for route in routes {
                resource = resource.route(match e.guard {
                    Guard::Key(policy) => {
                        route.wrap(from_fn(move |req, next| gate::check(req, next, policy)))
                    }
                    Guard::UserToken | Guard::Public => route,
                });
            }
        }
        let allow = allowed.join(", ");
        resource = resource.default_service(web::to(move || {
            let allow = allow.clone();
            async move {
                actix_web::HttpResponse::MethodNotAllowed()
                    .insert_header((actix_web::http::header::ALLOW, allow))
                    .finish()
            }
        }));
        scope = scope.service(resource);
    }
    scope
}
