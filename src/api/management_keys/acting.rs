//! A management key presented on a route that takes a user token (SPEC §17): refused
//! where the route table does not accept one, else checked through the verified-key
//! cache and answered with the gate's codes, or turned into the acting principal.

use actix_web::HttpRequest;
use actix_web::http::StatusCode;
use serde_json::json;

use crate::accounts::Principal;
use crate::api::envelope::ApiError;
use crate::keys::management::verify::{self, Refusal};
use crate::state::AppState;
use crate::telemetry::{ApiCall, InlineId};
use crate::{clock, net};

/// Put on a request by the route table where a management key holding this scope may
/// stand in for a user token.
#[derive(Debug, Clone, Copy)]
pub struct AcceptsManagementKey(pub crate::keys::management::Scope);

/// The principal a management key acts as here, or the refusal to answer.
pub async fn acting(
    req: &HttpRequest,
    state: &AppState,
    token: &str,
    accepts: Option<AcceptsManagementKey>,
) -> Result<Principal, ApiError> {
    let Some(AcceptsManagementKey(needed)) = accepts else {
        return Err(ApiError::invalid_token().details(json!({
            "hint": "Management keys (mk_…) work only on /api/v1/api-keys and /api/v1/webhook-endpoints; this route needs a user token"
        })));
    };
    let ip = net::client_ip(req, &state.trusted_proxies);
    let now = clock::now();
    match verify::authenticate(&state.keys, token, ip, needed, now).await? {
        Ok((principal, record)) => {
            // Its use shows on its page: noted in memory, written in batches.
            state.usage.record(&record.key_id, now, ip);
            ApiCall::note(req, |call| {
                call.key_id = Some(InlineId::new(&record.key_id))
            });
            Ok(principal)
        }
        Err(refusal) => Err(refused(refusal)),
    }
}

fn refused(r: Refusal) -> ApiError {
    match r {
        Refusal::Invalid(msg) => ApiError::new(StatusCode::UNAUTHORIZED, "invalid_api_key", msg),
        Refusal::Expired => ApiError::new(
            StatusCode::UNAUTHORIZED,
            "api_key_expired",
            "This management key has expired. An Admin can make a new one in the Developer Hub.",
        ),
        Refusal::Suspended => ApiError::new(
            StatusCode::FORBIDDEN,
            "api_key_suspended",
            "This management key is suspended. An Admin can reactivate it in the Developer Hub.",
        ),
        Refusal::IpNotAllowed(ip) => ApiError::new(
            StatusCode::FORBIDDEN,
            "ip_not_allowed",
            "This management key may not be used from your address.",
        )
        .details(json!({ "your_ip": ip })),
        Refusal::OutsideScope(scope) => ApiError::new(
            StatusCode::FORBIDDEN,
            "insufficient_scope",
            format!(
                "This management key does not hold the {} scope this route needs.",
                scope.as_str()
            ),
        )
        .details(json!({ "required_scope": scope.as_str() })),
    }
}
