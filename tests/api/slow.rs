//! Slow clients cannot hold a connection (SPEC §12): a head or a body that does not
//! arrive in time is answered 408 and the connection is closed. The test shortens the
//! limits (5 s and 10 s by default) so it does not wait long; it times nothing itself.

use std::time::Duration;

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::on_both_backends;
use crate::payments::{admin_token, make_key};
use crate::support::*;

/// Everything the server sends until it closes the connection (10 s at most).
async fn read_until_closed(stream: &mut TcpStream) -> String {
    let mut got = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut got)).await;
    assert!(
        read.is_ok(),
        "the server kept the connection open: {}",
        String::from_utf8_lossy(&got)
    );
    String::from_utf8_lossy(&got).into_owned()
}

async fn with_short_limits(backend: Backend) -> Option<TestApp> {
    if backend == Backend::Postgres && !postgres_configured() {
        return None;
    }
    Some(
        spawn_app_with(backend, |s| {
            s.head_timeout = Duration::from_secs(1);
            s.body_timeout = Duration::from_millis(1500);
        })
        .await,
    )
}

on_both_backends! {
    async fn a_body_that_trickles_is_refused_with_408_and_the_connection_closed(app) {
        let backend = app.backend;
        drop(app);
        let Some(app) = with_short_limits(backend).await else { return };
        let token = admin_token(&app).await;
        let key = make_key(&app, &token, json!({"name": "s", "permissions": "*"})).await;
        let mut stream = TcpStream::connect(app.address.trim_start_matches("http://")).await.unwrap();
        let head = format!(
            "POST /api/v1/customers HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {}\r\n\
             Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"na",
            key.secret
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        let answer = read_until_closed(&mut stream).await;
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
        assert!(answer.contains("\"request_timeout\""), "{answer}");
        // Nothing was created from the half body.
        let res = app.client.get(app.url("/api/v1/customers")).bearer_auth(&key.secret).send().await.unwrap();
        let list: serde_json::Value = res.json().await.unwrap();
        assert_eq!(list["data"]["data"], json!([]));
    }

    async fn a_head_that_never_ends_is_refused_with_408(app) {
        let backend = app.backend;
        drop(app);
        let Some(app) = with_short_limits(backend).await else { return };
        let mut stream = TcpStream::connect(app.address.trim_start_matches("http://")).await.unwrap();
        stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: loc").await.unwrap();
        let answer = read_until_closed(&mut stream).await;
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer:?}");
        // The server still answers everyone else.
        assert_eq!(app.get("/healthz").await.status(), 200);
    }
}
