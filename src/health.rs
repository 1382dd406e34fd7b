//! `/healthz` (the process answers) and `/readyz` (the database answers).

use actix_web::{HttpRequest, HttpResponse, http::StatusCode};
use serde_json::json;

use crate::startup::AppState;

pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"ok": true, "data": {"status": "ok"}}))
}

pub async fn readyz(req: HttpRequest) -> HttpResponse {
    let db = AppState::of(&req).db.clone();
    let ready = actix_web::web::block(move || db.ping()).await;
    match ready {
        Ok(Ok(())) => HttpResponse::Ok().json(json!({"ok": true, "data": {"status": "ready"}})),
        _ => HttpResponse::build(StatusCode::SERVICE_UNAVAILABLE).json(json!({
            "ok": false,
            "error": {"code": "database_unavailable", "message": "The database does not answer."}
        })),
    }
}
