//! `paydesk webhooks listen`: local testing without a public URL. It polls
//! `GET /api/v1/events` with a test secret key and posts each new event to a local URL,
//! with the headers and signature of a real delivery, signed with a secret it prints at
//! start (or the one given, so a receiver's configuration can stay the same).

use std::time::{Duration, Instant};

use serde_json::Value;

/// What the command needs.
pub struct Listen {
    pub api_url: String,
    pub api_key: String,
    pub forward_to: String,
    pub secret: String,
    pub every: Duration,
}

/// A new `whsec_` secret for a listening session.
pub fn new_secret() -> String {
    format!("whsec_{}", crate::ids::random_base62(32))
}

/// Checks what can be checked before the first request: a test secret key, URLs.
pub fn check(l: &Listen) -> Result<(), String> {
    if !l.api_key.starts_with("sk_test_") || crate::keys::format::parse(&l.api_key).is_none() {
        return Err(
            "--api-key must be a test secret key (sk_test_…); listen never forwards live events"
                .into(),
        );
    }
    for (name, url) in [("--api-url", &l.api_url), ("--forward-to", &l.forward_to)] {
        let parsed = url::Url::parse(url).map_err(|_| format!("{name} {url:?} is not a URL"))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(format!(
                "{name} {url:?} must start with http:// or https://"
            ));
        }
    }
    if !l.secret.starts_with("whsec_") || l.secret.len() < 20 {
        return Err("--secret must be a whsec_… secret".into());
    }
    Ok(())
}

async fn newest_events(client: &reqwest::Client, l: &Listen) -> Result<Vec<Value>, String> {
    let url = format!(
        "{}/api/v1/events?limit=100",
        l.api_url.trim_end_matches('/')
    );
    let res = client
        .get(&url)
        .bearer_auth(&l.api_key)
        .send()
        .await
        .map_err(|e| format!("cannot reach {url}: {e}"))?;
    let status = res.status();
    let bytes = res
        .bytes()
        .await
        .map_err(|e| format!("{url} did not answer: {e}"))?;
    let body: Value =
        serde_json::from_slice(&bytes).map_err(|e| format!("{url} did not answer JSON: {e}"))?;
    if !status.is_success() {
        return Err(format!(
            "{url} answered {status}: {}",
            body["error"]["message"].as_str().unwrap_or("(no message)")
        ));
    }
    Ok(body["data"]["data"].as_array().cloned().unwrap_or_default())
}

/// Runs until the process is stopped; an error reaching the API ends it.
pub async fn run(l: Listen) -> Result<(), String> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .user_agent("Paydesk-Webhooks/1 (listen)")
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| e.to_string())?;
    // Events from before the start are not forwarded.
    let mut seen = newest_events(&client, &l)
        .await?
        .first()
        .and_then(|e| e["id"].as_str().map(str::to_owned))
        .unwrap_or_default();
    println!("Ready. Forwarding {} events to {}", l.api_url, l.forward_to);
    println!("Signing secret for this session: {}", l.secret);
    loop {
        tokio::time::sleep(l.every).await;
        let events = newest_events(&client, &l).await?;
        let fresh: Vec<&Value> = events
            .iter()
            .filter(|e| e["id"].as_str().is_some_and(|id| id > seen.as_str()))
            .collect();
        if fresh.len() == events.len() && events.len() == 100 && !seen.is_empty() {
            println!("warning: more than 100 events since the last look; older ones were skipped");
        }
        for event in fresh.into_iter().rev() {
            let id = event["id"].as_str().unwrap_or_default().to_owned();
            let body = serde_json::to_vec(event).unwrap_or_default();
            let started = Instant::now();
            let signature = crate::keys::signature::sign(&l.secret, crate::clock::now_ms(), &body);
            let outcome = client
                .post(&l.forward_to)
                .header("Content-Type", "application/json")
                .header("Paydesk-Event-Id", &id)
                .header("Paydesk-Delivery-Id", crate::ids::time_ordered_id("whd"))
                .header("Paydesk-Signature", signature)
                .body(body)
                .send()
                .await;
            let kind = event["type"].as_str().unwrap_or("?");
            match outcome {
                Ok(res) => println!(
                    "{id} {kind} -> {} ({} ms)",
                    res.status().as_u16(),
                    started.elapsed().as_millis()
                ),
                Err(e) => println!("{id} {kind} -> not delivered: {e}"),
            }
            seen = id;
        }
    }
}
