//! Every list pages in the database (SPEC §13): nothing is loaded whole and paged in
//! memory, so every object is reachable with `limit` and `starting_after`.

use std::collections::HashSet;

use serde_json::{Value, json};

use crate::on_both_backends;
use crate::payments::admin_token;
use crate::support::*;

/// Follows `starting_after` from the first page to the last; the ids in order.
async fn every_page(app: &TestApp, token: &str, path: &str, limit: usize) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    loop {
        let sep = if path.contains('?') { '&' } else { '?' };
        let mut url = format!("{path}{sep}limit={limit}");
        if let Some(last) = ids.last() {
            url.push_str(&format!("&starting_after={last}"));
        }
        let res = app
            .client
            .get(app.url(&url))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{url}");
        let body: Value = res.json().await.unwrap();
        let page = body["data"]["data"].as_array().unwrap();
        assert!(page.len() <= limit);
        ids.extend(page.iter().map(|o| o["id"].as_str().unwrap().to_owned()));
        if !body["data"]["has_more"].as_bool().unwrap() {
            return ids;
        }
    }
}

on_both_backends! {
    async fn every_delivery_of_an_endpoint_is_reachable_past_the_thousandth(app) {
        use paydesk::db::models::webhooks::DeliveryRow;
        let token = admin_token(&app).await;
        let make = |url: &str| app.client.post(app.url("/api/v1/webhook-endpoints")).bearer_auth(&token)
            .json(&json!({"url": url})).send();
        let ep: Value = make("http://127.0.0.1:9/hook").await.unwrap().json().await.unwrap();
        let ep = ep["data"]["id"].as_str().unwrap().to_owned();
        let other: Value = make("http://127.0.0.1:9/other").await.unwrap().json().await.unwrap();
        let other = other["data"]["id"].as_str().unwrap().to_owned();
        let row = |endpoint: &str| DeliveryRow {
            id: paydesk::ids::time_ordered_id("whd"),
            endpoint_id: endpoint.to_owned(),
            event_id: "evt_test".into(),
            event_type: "customer.created".into(),
            status: "failed".into(),
            attempts: 1,
            next_attempt_at: 0,
            last_status: Some(500),
            last_error: None,
            last_latency_ms: Some(1),
            response_body: None,
            created_at: paydesk::clock::now(),
            updated_at: paydesk::clock::now(),
        };
        let foreign = row(&other);
        {
            let mut conn = app.db().conn().unwrap();
            paydesk::db::transaction(&mut conn, |c| {
                for _ in 0..1_005 {
                    row(&ep).insert(c)?;
                }
                foreign.insert(c)
            })
            .unwrap();
        }
        let path = format!("/api/v1/webhook-endpoints/{ep}/deliveries");
        let ids = every_page(&app, &token, &path, 100).await;
        assert_eq!(ids.len(), 1_005);
        assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 1_005, "no delivery twice");
        assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first");
        // Another endpoint's delivery is no cursor here.
        let res = app.client.get(app.url(&format!("{path}?starting_after={}", foreign.id))).bearer_auth(&token).send().await.unwrap();
        assert_eq!(res.status(), 400);
    }

    async fn the_key_list_filters_and_pages_in_the_database(app) {
        let token = admin_token(&app).await;
        let mut made = Vec::new();
        for n in 0..7 {
            let res = app.client.post(app.url("/api/v1/api-keys")).bearer_auth(&token)
                .json(&json!({"name": format!("k{n}"), "permissions": "*"})).send().await.unwrap();
            let v: Value = res.json().await.unwrap();
            made.push(v["data"]["id"].as_str().unwrap().to_owned());
        }
        for id in &made[1..4] {
            let res = app.client.post(app.url(&format!("/api/v1/api-keys/{id}/suspend"))).bearer_auth(&token).send().await.unwrap();
            assert_eq!(res.status(), 200);
        }
        let active = every_page(&app, &token, "/api/v1/api-keys?status=active", 2).await;
        let suspended = every_page(&app, &token, "/api/v1/api-keys?status=suspended", 2).await;
        let all = every_page(&app, &token, "/api/v1/api-keys", 3).await;
        assert_eq!(active.len(), 4);
        assert_eq!(suspended.iter().collect::<HashSet<_>>(), made[1..4].iter().collect::<HashSet<_>>());
        assert_eq!(all.len(), 7);
        assert_eq!(all.iter().collect::<HashSet<_>>().len(), 7);
    }
}
