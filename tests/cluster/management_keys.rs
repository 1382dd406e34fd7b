//! Management keys on two instances of one PostgreSQL database (SPEC §17, §8): a change
//! made on one instance is refused or applied on the other through the same
//! invalidation as every key (the tests poll for up to 2 s and then assert).

use serde_json::json;

use super::{admin_token, poll_until, two_instances};

#[tokio::test]
async fn a_management_key_revoked_on_one_instance_is_refused_on_the_other() {
    let Some((pg, a, b)) = two_instances(&[]).await else {
        return;
    };
    let token = admin_token(&pg.url, &a).await;
    let (s, made) = a
        .call(
            "POST",
            "/api/v1/management-keys",
            &token,
            Some(json!({"name": "Deploy", "scopes": ["api_keys:read"], "expires_in_days": 30})),
        )
        .await;
    assert_eq!(s, 201, "{made}");
    let id = made["data"]["id"].as_str().unwrap();
    let mk = made["data"]["secret"].as_str().unwrap();
    // B knows the key (and caches it).
    for _ in 0..2 {
        assert_eq!(b.call("GET", "/api/v1/api-keys", mk, None).await.0, 200);
    }
    let path = format!("/api/v1/management-keys/{id}");
    let (s, _) = a
        .call("POST", &format!("{path}/suspend"), &token, None)
        .await;
    assert_eq!(s, 200);
    let seen = poll_until((403, "api_key_suspended"), || {
        b.call("GET", "/api/v1/api-keys", mk, None)
    })
    .await;
    assert_eq!((seen.0, seen.1.as_str()), (403, "api_key_suspended"));
    let (s, _) = a
        .call("POST", &format!("{path}/reactivate"), &token, None)
        .await;
    assert_eq!(s, 200);
    let seen = poll_until((200, ""), || b.call("GET", "/api/v1/api-keys", mk, None)).await;
    assert_eq!(seen.0, 200);
    let (s, _) = a.call("DELETE", &path, &token, None).await;
    assert_eq!(s, 200);
    let seen = poll_until((401, "invalid_api_key"), || {
        b.call("GET", "/api/v1/api-keys", mk, None)
    })
    .await;
    assert_eq!((seen.0, seen.1.as_str()), (401, "invalid_api_key"));
    for _ in 0..20 {
        assert_eq!(b.call("GET", "/api/v1/api-keys", mk, None).await.0, 401);
    }
}
