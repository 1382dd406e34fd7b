//! Mail through a real SMTP server (SPEC §14): notifications reach the merchant's Admins,
//! name the key and hold no secret.

use serde_json::json;

use crate::payments::{admin_token, make_key};
use crate::with_smtp_on_both_backends;

with_smtp_on_both_backends! {
    async fn a_reported_key_mails_each_admin_its_name_and_no_secret(app, smtp) {
        let token = admin_token(&app).await;
        app.create_user("second@acme.test", "admin", "Acme");
        app.create_user("dev@acme.test", "developer", "Acme");
        let leaked = make_key(&app, &token, json!({"name": "checkout", "permissions": "*"})).await;
        let url = "https://github.com/acme/shop/blob/main/.env";
        let res = app
            .client
            .post(app.url("/api/v1/secret-scanning/report"))
            .json(&json!([{"token": leaked.secret, "type": "paydesk_secret_key", "url": url, "source": "content"}]))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let hash = paydesk::crypto::hash(&leaked.secret);
        let hint = format!("sk_test_…{}", &leaked.secret[leaked.secret.len() - 4..]);
        for admin in ["admin@acme.test", "second@acme.test"] {
            let mail = smtp.wait_for(admin, "checkout").await;
            assert_eq!(mail.subject, "Key checkout was found public and revoked");
            assert_eq!(mail.from, "paydesk@localhost");
            for part in ["\"checkout\"", &hint, &leaked.id, url, "revoked"] {
                assert!(mail.text.contains(part), "{part} missing from:\n{}", mail.text);
            }
            assert!(
                mail.text.contains(&format!("{}/keys/{}", app.address, leaked.id)),
                "the key's page is linked:\n{}",
                mail.text
            );
            for secret in [leaked.secret.as_str(), hash.as_str(), &leaked.secret[8..]] {
                assert!(!mail.raw.contains(secret), "a secret in the mail:\n{}", mail.raw);
                assert!(!mail.text.contains(secret), "a secret in the mail:\n{}", mail.text);
            }
        }
        assert!(smtp.mails_to("dev@acme.test").is_empty(), "Developers get no key notices");
        assert_eq!(smtp.mails().len(), 2, "one mail per Admin: {:#?}", smtp.mails());
    }

    async fn an_expiring_key_and_a_canary_are_told_once_each(app, smtp) {
        let token = admin_token(&app).await;
        let short = make_key(&app, &token, json!({"name": "short-lived", "permissions": "*", "expires_in_days": 5})).await;
        let mail = smtp.wait_for("admin@acme.test", "Key short-lived expires on").await;
        let hint = format!("sk_test_…{}", &short.secret[short.secret.len() - 4..]);
        assert!(mail.text.contains(&hint) && mail.text.contains(&short.id), "{}", mail.text);
        assert!(!mail.raw.contains(&short.secret), "{}", mail.raw);

        let canary = make_key(&app, &token, json!({"name": "trap", "canary": true})).await;
        for _ in 0..3 {
            let res = app.client.get(app.url("/api/v1/whoami")).bearer_auth(&canary.secret).send().await.unwrap();
            assert_eq!(res.status(), 401);
        }
        let mail = smtp.wait_for("admin@acme.test", "Canary key trap was triggered").await;
        assert!(mail.text.contains("used from 127.0.0.1"), "{}", mail.text);
        assert!(!mail.raw.contains(&canary.secret), "{}", mail.raw);
        // Housekeeping went on running (every 200 ms here) while the canary was used:
        // the expiry was still told once.
        let told: Vec<String> = smtp.mails().into_iter().map(|m| m.subject).collect();
        assert_eq!(told.iter().filter(|s| s.contains("expires on")).count(), 1, "{told:?}");
        assert_eq!(told.iter().filter(|s| s.contains("Canary")).count(), 1, "{told:?}");
    }
}
