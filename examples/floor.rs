//! The floor of SPEC §15: a bare actix-web server that scripts/instr.sh counts beside Paydesk.
//!
//! `GET /healthz` answers a small JSON; `GET /whoami` hashes the bearer token with SHA-256,
//! looks the digest up in a `HashMap` filled at start with one known token, and answers JSON.
//! Nothing else: no middleware, no database, no logging, so its instruction counts are what
//! the framework itself costs for the same two routes.
//!
//!     cargo run --release --example floor -- [PORT]     (or FLOOR_PORT; default 8090)
//!
//! The known token is `FLOOR_TOKEN` (default `floor-token`). Binds 127.0.0.1 only.

use std::collections::HashMap;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use sha2::{Digest, Sha256};

/// Digest of a token → who it belongs to.
struct Keys(HashMap<[u8; 32], String>);

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

async fn whoami(req: HttpRequest, keys: web::Data<Keys>) -> HttpResponse {
    let token = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    match token.and_then(|t| keys.0.get(&digest(t))) {
        Some(name) => {
            HttpResponse::Ok().json(serde_json::json!({ "ok": true, "data": { "name": name } }))
        }
        None => HttpResponse::Unauthorized().json(serde_json::json!({ "ok": false })),
    }
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let port: u16 = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("FLOOR_PORT").ok())
        .map(|p| p.parse().expect("the port is a number"))
        .unwrap_or(8090);
    let token = std::env::var("FLOOR_TOKEN").unwrap_or_else(|_| "floor-token".to_owned());
    let keys = web::Data::new(Keys(HashMap::from([(digest(&token), "floor".to_owned())])));
    HttpServer::new(move || {
        App::new()
            .app_data(keys.clone())
            .route("/healthz", web::get().to(healthz))
            .route("/whoami", web::get().to(whoami))
    })
    .bind(("127.0.0.1", port))?
    .run()
    .await
}
