//! `/healthz` (the process answers) and `/readyz` (what it depends on answers, SPEC §8).

use actix_web::{HttpRequest, HttpResponse, http::StatusCode};
use serde_json::json;

use crate::state::AppState;

/// The same bytes every time, so sent as they are (building them as a `json!` value cost
/// more than the rest of the handler, SPEC §15).
const HEALTHY: &str = r#"{"ok":true,"data":{"status":"ok"}}"#;

pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok()
        .content_type(actix_web::http::header::ContentType::json())
        .body(HEALTHY)
}

/// Each dependency's state. Only the database makes it 503: without Redis the limits are
/// counted per instance, and without the listener keys are read from the database.
pub async fn readyz(req: HttpRequest) -> HttpResponse {
    let state = AppState::of(&req);
    let db = state.db.clone();
    let database = matches!(actix_web::web::block(move || db.ping()).await, Ok(Ok(())));
    let redis = state.rate_limits.readiness().await;
    let data = json!({
        "status": if database { "ready" } else { "unavailable" },
        "database": if database { "ok" } else { "unreachable" },
        "redis": redis,
        "listener": state.listener.describe(),
    });
    if database {
        return HttpResponse::Ok().json(json!({"ok": true, "data": data}));
    }
    HttpResponse::build(StatusCode::SERVICE_UNAVAILABLE).json(json!({
        "ok": false,
        "error": {"code": "database_unavailable", "message": "The database does not answer.", "details": {}},
        "data": data,
    }))
}

#[cfg(test)]
mod tests {
    #[test]
    fn healthz_answers_the_envelope_in_json() {
        let body: serde_json::Value = serde_json::from_str(super::HEALTHY).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"ok": true, "data": {"status": "ok"}})
        );
    }
}
