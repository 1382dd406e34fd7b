//! `GET|PATCH /api/v1/key-policy` (SPEC §17): the merchant's rules for live keys, for an
//! Admin's user token. Loosening a rule needs a recent sign-in (sudo).

use actix_web::HttpRequest;
use utoipa::ToSchema;

use crate::api::body::{Body, FromBody, JsonObject};
use crate::api::context::{self, ApiResult};
use crate::api::extract::ApiUser;
use crate::keys::key_policy::{self, KeyPolicy, MAX_LIFETIME_DAYS, PolicyPatch};
use crate::state::AppState;

crate::api::describe::described!(KeyPolicy, UpdateKeyPolicyParams);

/// Changes to the key policy; absent fields stay as they are.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateKeyPolicyParams {
    /// New live keys must expire within this many days (1 to 3650); null for no maximum.
    #[schema(minimum = 1, maximum = 3650)]
    pub live_max_lifetime_days: Option<i64>,
    /// Live keys must have an IP allowlist.
    pub live_require_allowed_ips: Option<bool>,
    /// Live keys must require signed requests.
    pub live_require_signature: Option<bool>,
}

pub struct PolicyChange(PolicyPatch);

impl FromBody for PolicyChange {
    fn from_body(b: &mut Body) -> Option<Self> {
        let cleared = b.is_null("live_max_lifetime_days");
        let days = b.int("live_max_lifetime_days", false, 1, MAX_LIFETIME_DAYS);
        Some(PolicyChange(PolicyPatch {
            max_lifetime_days: if cleared {
                Some(None)
            } else {
                days.map(|d| Some(d.to_string()))
            },
            require_allowed_ips: b.bool("live_require_allowed_ips"),
            require_signature: b.bool("live_require_signature"),
        }))
    }
}

impl crate::api::describe::BodySchema for PolicyChange {
    type Schema = UpdateKeyPolicyParams;
}

pub async fn get_key_policy(req: HttpRequest, ApiUser(who): ApiUser) -> ApiResult<KeyPolicy> {
    let policy = AppState::of(&req)
        .db
        .run(move |c| key_policy::get_policy(c, &who))
        .await?;
    context::ok(policy)
}

pub async fn update_key_policy(
    req: HttpRequest,
    ApiUser(who): ApiUser,
    JsonObject(PolicyChange(patch)): JsonObject<PolicyChange>,
) -> ApiResult<KeyPolicy> {
    let ip = AppState::client_ip(&req);
    let policy = AppState::of(&req)
        .db
        .run(move |c| key_policy::update_policy(c, &who, patch, &ip))
        .await?;
    context::ok(policy)
}
