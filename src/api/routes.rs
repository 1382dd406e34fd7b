//! The route table: every `/api/v1` route with the permission it needs (SPEC §4 and §6).
//! `mount.rs` builds the API from this table alone, and puts each key route behind the
//! gate with its policy, so a route without an entry cannot exist.

use actix_web::http::Method;
use actix_web::{Route, web};

use super::describe::{Shape, shape_of};
use super::gate::{self, KeyPolicy};
use super::tags::Tag;
use super::{
    auth, client_sessions, customers, events, keys, management_keys, payments, plans,
    subscriptions, webhooks,
};
use crate::error::ErrorCode;
use crate::keys::management::{Area, Scope as ManagementScope};
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
    /// The operation's id in the OpenAPI document: verb and resource in camelCase
    /// (`listCustomers`, `refundPayment`). Client libraries are generated from it, so it
    /// never changes once published.
    pub id: &'static str,
    /// The reference's section it is in.
    pub tag: Tag,
    pub method: Method,
    pub path: &'static str,
    pub guard: Guard,
    /// The handler as a route answering the given method (the table's, or HEAD for GET);
    /// a key route's behind the gate, with its policy and its pattern (`gate::guarded`).
    pub route: fn(Method, Option<(KeyPolicy, &'static str)>) -> Route,
    /// What the reference and the OpenAPI document say about it.
    pub doc: Doc,
}

impl Endpoint {
    /// The scope a management key needs here, if one is accepted (SPEC §17): on the key
    /// and webhook-endpoint management routes (deliveries included), reading with GET
    /// and writing otherwise; nowhere else (not on `/management-keys`, nor sign-in).
    pub fn management_scope(&self) -> Option<ManagementScope> {
        if !matches!(self.guard, Guard::UserToken) {
            return None;
        }
        let area = if self.path.starts_with("/api-keys") {
            Area::ApiKeys
        } else if self.path.starts_with("/webhook-") {
            Area::WebhookEndpoints
        } else {
            return None;
        };
        Some(ManagementScope::new(area, self.method != Method::GET))
    }
}

/// An operation's description: the schemas come from the handler's types (`Shape`), the
/// words and the codes beyond those its guard, body and path imply from here.
pub struct Doc {
    pub summary: &'static str,
    pub shape: Shape,
    /// Query parameters besides `limit` and `starting_after`: name, description, values.
    pub filters: &'static [Filter],
    /// Error codes this operation can return beyond the ones every such operation can.
    pub errors: &'static [ErrorCode],
}

pub struct Filter {
    pub name: &'static str,
    pub description: &'static str,
    /// The values it takes; empty for any text.
    pub values: &'static [&'static str],
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

macro_rules! or_none {
    () => {
        &[]
    };
    ($e:expr) => {
        $e
    };
}

macro_rules! endpoint {
    ($tag:ident, $id:literal, $method:ident $path:literal, $guard:expr, $handler:path, $summary:literal
        $(, filters: $filters:expr)? $(, errors: $errors:expr)?) => {
        Endpoint {
            id: $id,
            tag: Tag::$tag,
            method: Method::$method,
            path: $path,
            guard: $guard,
            route: |method, gated| {
                let route = web::route().method(method);
                match gated {
                    Some((policy, pattern)) => route.service(gate::guarded($handler, policy, pattern)),
                    None => route.to($handler),
                }
            },
            doc: Doc {
                summary: $summary,
                shape: shape_of(&$handler),
                filters: or_none!($($filters)?),
                errors: or_none!($($errors)?),
            },
        }
    };
}

const KEY_FILTERS: &[Filter] = &[
    Filter {
        name: "mode",
        description: "Only keys of this mode.",
        values: &["test", "live"],
    },
    Filter {
        name: "status",
        description: "Only keys in this status.",
        values: &["active", "suspended", "revoked", "expired"],
    },
];

const SUBSCRIPTION_FILTERS: &[Filter] = &[
    Filter {
        name: "customer",
        description: "Only this customer's subscriptions (`cus_…`).",
        values: &[],
    },
    Filter {
        name: "status",
        description: "Only subscriptions in this status.",
        values: &["active", "canceled"],
    },
];

const EVENT_FILTERS: &[Filter] = &[Filter {
    name: "type",
    description: "Only events of this type, such as `payment.succeeded`.",
    values: &[],
}];

const USAGE_FILTERS: &[Filter] = &[Filter {
    name: "period",
    description: "`24h` (24 hourly buckets, the default) or `30d` (30 daily buckets).",
    values: &["24h", "30d"],
}];

/// Changes a key cannot take in its status (a revoked key cannot be edited).
const KEY_STATE: &[ErrorCode] = &[ErrorCode::InvalidState];

/// The table. More specific paths come before `{id}` paths they would otherwise match.
pub fn table() -> Vec<Endpoint> {
    use ErrorCode::ReauthenticationRequired;
    use ErrorCode::{InvalidCredentials, InvalidRequest, InvalidState, LiveModeUnavailable};
    use ErrorCode::{
        NotFound, OtpInvalid, OtpRequired, RateLimited, TwoFactorRequired, UnsupportedMediaType,
    };
    use ErrorCode::{PolicyViolation, SpendLimitExceeded};
    use Level::{Read, Write};
    use Resource::*;
    vec![
        endpoint!(Auth, "login", POST "/auth/login", Guard::Public, auth::login, "Sign in for a user token",
            errors: &[InvalidCredentials, OtpRequired, OtpInvalid, TwoFactorRequired, UnsupportedMediaType, RateLimited]),
        endpoint!(Auth, "logout", POST "/auth/logout", Guard::UserToken, auth::logout, "Revoke this user token"),
        endpoint!(ApiKeys, "listApiKeys", GET "/api-keys", Guard::UserToken, keys::list_keys, "List API keys",
            filters: KEY_FILTERS),
        endpoint!(ApiKeys, "createApiKey", POST "/api-keys", Guard::UserToken, keys::create_key, "Create an API key",
            errors: &[LiveModeUnavailable, PolicyViolation]),
        endpoint!(ApiKeys, "retrieveApiKey", GET "/api-keys/{id}", Guard::UserToken, keys::get_key, "Retrieve an API key"),
        endpoint!(ApiKeys, "updateApiKey", PATCH "/api-keys/{id}", Guard::UserToken, keys::update_key, "Update an API key",
            errors: &[InvalidState, PolicyViolation]),
        endpoint!(ApiKeys, "revokeApiKey", DELETE "/api-keys/{id}", Guard::UserToken, keys::revoke_key,
            "Revoke an API key (it stays listed, revoked)", errors: KEY_STATE),
        endpoint!(ApiKeys, "suspendApiKey", POST "/api-keys/{id}/suspend", Guard::UserToken, keys::suspend_key,
            "Suspend an API key", errors: KEY_STATE),
        endpoint!(ApiKeys, "reactivateApiKey", POST "/api-keys/{id}/reactivate", Guard::UserToken, keys::reactivate_key,
            "Reactivate a suspended API key", errors: KEY_STATE),
        endpoint!(ApiKeys, "rollApiKey", POST "/api-keys/{id}/roll", Guard::UserToken, keys::roll_key,
            "Roll an API key: a new pair, the old one ending after a grace period",
            errors: &[InvalidState, PolicyViolation]),
        endpoint!(ApiKeys, "retrieveApiKeyUsage", GET "/api-keys/{id}/usage", Guard::UserToken, keys::get_key_usage,
            "A key's requests per hour (24h) or per day (30d), by status class",
            filters: USAGE_FILTERS, errors: &[InvalidRequest]),
        endpoint!(ApiKeys, "retrieveKeyPolicy", GET "/key-policy", Guard::UserToken, keys::get_key_policy,
            "Retrieve the key policy (rules for live keys; Admin)"),
        endpoint!(ApiKeys, "updateKeyPolicy", PATCH "/key-policy", Guard::UserToken, keys::update_key_policy,
            "Update the key policy (loosening a rule needs a recent sign-in; Admin)"),
        endpoint!(WebhookEndpoints, "listWebhookEndpoints", GET "/webhook-endpoints", Guard::UserToken, webhooks::list_endpoints, "List webhook endpoints"),
        endpoint!(WebhookEndpoints, "createWebhookEndpoint", POST "/webhook-endpoints", Guard::UserToken, webhooks::create_endpoint,
            "Create a webhook endpoint (the answer alone holds its signing secret)", errors: &[LiveModeUnavailable]),
        endpoint!(WebhookEndpoints, "retrieveWebhookEndpoint", GET "/webhook-endpoints/{id}", Guard::UserToken, webhooks::get_endpoint, "Retrieve a webhook endpoint"),
        endpoint!(WebhookEndpoints, "updateWebhookEndpoint", PATCH "/webhook-endpoints/{id}", Guard::UserToken, webhooks::update_endpoint, "Update, disable or enable a webhook endpoint"),
        endpoint!(WebhookEndpoints, "deleteWebhookEndpoint", DELETE "/webhook-endpoints/{id}", Guard::UserToken, webhooks::delete_endpoint, "Delete a webhook endpoint"),
        endpoint!(WebhookEndpoints, "rollWebhookEndpointSecret", POST "/webhook-endpoints/{id}/roll-secret", Guard::UserToken, webhooks::roll_secret,
            "Roll an endpoint's signing secret (the old one also signs during the grace period)"),
        endpoint!(WebhookDeliveries, "listWebhookDeliveries", GET "/webhook-endpoints/{id}/deliveries", Guard::UserToken, webhooks::list_deliveries, "List an endpoint's deliveries"),
        endpoint!(WebhookEndpoints, "testWebhookEndpoint", POST "/webhook-endpoints/{id}/test", Guard::UserToken, webhooks::test_endpoint, "Send a ping event to an endpoint"),
        endpoint!(WebhookDeliveries, "resendWebhookDelivery", POST "/webhook-deliveries/{id}/resend", Guard::UserToken, webhooks::resend_delivery, "Send a delivery's event again"),
        endpoint!(ManagementKeys, "listManagementKeys", GET "/management-keys", Guard::UserToken, management_keys::list_management_keys,
            "List management keys (Admin)"),
        endpoint!(ManagementKeys, "createManagementKey", POST "/management-keys", Guard::UserToken, management_keys::create_management_key,
            "Create a management key (Admin; the answer alone holds its secret)", errors: &[ReauthenticationRequired]),
        endpoint!(ManagementKeys, "retrieveManagementKey", GET "/management-keys/{id}", Guard::UserToken, management_keys::retrieve_management_key,
            "Retrieve a management key (Admin)"),
        endpoint!(ManagementKeys, "revokeManagementKey", DELETE "/management-keys/{id}", Guard::UserToken, management_keys::revoke_management_key,
            "Revoke a management key (it stays listed, revoked)", errors: KEY_STATE),
        endpoint!(ManagementKeys, "suspendManagementKey", POST "/management-keys/{id}/suspend", Guard::UserToken, management_keys::suspend_management_key,
            "Suspend a management key", errors: KEY_STATE),
        endpoint!(ManagementKeys, "reactivateManagementKey", POST "/management-keys/{id}/reactivate", Guard::UserToken, management_keys::reactivate_management_key,
            "Reactivate a suspended management key", errors: &[InvalidState, ReauthenticationRequired]),
        endpoint!(Auth, "whoami", GET "/whoami", publishable(None), events::whoami,
            "Which key this is: its mode, scopes and merchant"),
        endpoint!(ClientSessions, "createClientSession", POST "/client-session", needs(ClientSessions, Write), client_sessions::create_client_session,
            "Create a client session"),
        endpoint!(ClientSessions, "updateClientSession", PATCH "/client-session/{id}", needs(ClientSessions, Write), client_sessions::update_client_session,
            "Update an open client session", errors: &[InvalidState]),
        endpoint!(Customers, "listCustomers", GET "/customers", needs(Customers, Read), customers::list_customers, "List customers"),
        endpoint!(Customers, "createCustomer", POST "/customers", needs(Customers, Write), customers::create_customer, "Create a customer"),
        endpoint!(Customers, "retrieveCustomer", GET "/customers/{id}", needs(Customers, Read), customers::get_customer, "Retrieve a customer"),
        endpoint!(Customers, "updateCustomer", PATCH "/customers/{id}", needs(Customers, Write), customers::update_customer, "Update a customer"),
        endpoint!(Plans, "listPlans", GET "/plans", publishable(Some((Plans, Read))), plans::list_plans, "List plans"),
        endpoint!(Plans, "createPlan", POST "/plans", needs(Plans, Write), plans::create_plan, "Create a plan"),
        endpoint!(Plans, "retrievePlan", GET "/plans/{id}", publishable(Some((Plans, Read))), plans::get_plan, "Retrieve a plan"),
        endpoint!(Payments, "listPayments", GET "/payments", needs(Payments, Read), payments::list_payments, "List payments"),
        endpoint!(Payments, "createPayment", POST "/payments", needs(Payments, Write), payments::create_payment,
            "Create a payment with a test card (a declined card is a failed payment, 201)", errors: &[SpendLimitExceeded]),
        endpoint!(Payments, "retrievePayment", GET "/payments/{id}", needs(Payments, Read), payments::get_payment, "Retrieve a payment"),
        endpoint!(Payments, "refundPayment", POST "/payments/refund/{id}", needs(Refunds, Write), payments::refund_payment,
            "Refund a succeeded payment, in part or in full", errors: &[InvalidState, SpendLimitExceeded]),
        endpoint!(Refunds, "listRefunds", GET "/refunds", needs(Refunds, Read), payments::list_refunds, "List refunds"),
        endpoint!(Refunds, "retrieveRefund", GET "/refunds/{id}", needs(Refunds, Read), payments::get_refund, "Retrieve a refund"),
        endpoint!(Balance, "retrieveBalance", GET "/balance", needs(Balance, Read), payments::get_balance, "Retrieve the balance"),
        endpoint!(Subscriptions, "searchSubscriptions", GET "/subscriptions/search", needs(Subscriptions, Read), subscriptions::search_subscriptions,
            "Search subscriptions", filters: SUBSCRIPTION_FILTERS),
        endpoint!(Subscriptions, "createSubscription", POST "/subscriptions", needs(Subscriptions, Write), subscriptions::create_subscription,
            "Subscribe a customer to a plan"),
        endpoint!(Subscriptions, "updateSubscriptionByBody", PATCH "/subscriptions", needs(Subscriptions, Write), subscriptions::update_subscription_by_body,
            "Update a subscription named in the body", errors: &[InvalidState, NotFound]),
        endpoint!(Subscriptions, "retrieveSubscription", GET "/subscriptions/{id}", needs(Subscriptions, Read), subscriptions::get_subscription,
            "Retrieve a subscription"),
        endpoint!(Subscriptions, "updateSubscription", PATCH "/subscriptions/{id}", needs(Subscriptions, Write), subscriptions::update_subscription,
            "Update a subscription", errors: &[InvalidState]),
        endpoint!(Subscriptions, "cancelSubscription", POST "/subscriptions/cancel/{id}", needs(SubscriptionCancellation, Write), subscriptions::cancel_subscription,
            "Cancel a subscription now", errors: &[InvalidState]),
        endpoint!(Subscriptions, "cancelSubscriptionAtPeriodEnd", POST "/subscriptions/schedule-cancel/{id}", needs(SubscriptionCancellation, Write), subscriptions::schedule_cancel_subscription,
            "Cancel a subscription at the end of its period", errors: &[InvalidState]),
        endpoint!(Events, "listEvents", GET "/events", needs(Events, Read), events::list_events, "List events",
            filters: EVENT_FILTERS),
        endpoint!(Events, "retrieveEvent", GET "/events/{id}", needs(Events, Read), events::get_event, "Retrieve an event"),
    ]
}
