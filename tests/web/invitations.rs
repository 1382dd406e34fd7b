//! Invitations through a real SMTP server (SPEC §14): Team → Invite mails a link that
//! works once, for 72 hours, where the invitee chooses their own password.

use super::*;
use crate::with_smtp_on_both_backends;

/// The path of the link in a mail that starts with `prefix` (`/invitations/`), checking
/// that it is absolute on the app's own address.
pub fn link_in(app: &TestApp, mail: &ReceivedMail, prefix: &str) -> String {
    let absolute = format!("{}{prefix}", app.address);
    let at = mail
        .text
        .find(&absolute)
        .unwrap_or_else(|| panic!("no {absolute} link in:\n{}", mail.text));
    let link = mail.text[at + app.address.len()..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    assert!(link.len() > prefix.len() + 20, "a long token: {link}");
    link
}

/// Team → Invite, as this (Admin) browser; returns the Team page it lands on.
async fn invite(app: &TestApp, email: &str, role: &str) -> String {
    let res = app
        .post_form(
            "/team",
            "/team/invitations",
            &[("email", email), ("role", role)],
        )
        .await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let to = location(&res).to_owned();
    assert!(to.starts_with("/team?done=invited&invitation=inv_"), "{to}");
    app.get_html(&to).await
}

fn audited(app: &TestApp, action: &str) -> Vec<(String, String)> {
    use paydesk::db::schema::audit_log;
    let mut conn = app.db().conn().unwrap();
    audit_log::table
        .filter(audit_log::action.eq(action))
        .select((audit_log::actor, audit_log::target))
        .load(&mut *conn)
        .unwrap()
}

with_smtp_on_both_backends! {
    async fn an_invitation_arrives_works_once_and_the_invitee_signs_in_with_their_password(app, smtp) {
        app.setup_admin().await;
        let team = invite(&app, "New@Acme.test", "viewer").await;
        assert!(team.contains("Invitation sent to new@acme.test."), "the notice names the invitee: {team}");
        let row = &team[team.find("data-invitation=\"new@acme.test\"").expect("listed as pending")..];
        assert!(row.contains("Viewer") && row.contains("admin@acme.test"), "{row}");
        assert!(row.contains("data-testid=\"resend\"") && row.contains("data-testid=\"revoke\""));

        let mail = smtp.wait_for("new@acme.test", "invited").await;
        assert_eq!(mail.subject, "You are invited to join Acme on Paydesk");
        assert!(mail.text.contains("admin@acme.test invited you to join Acme on Paydesk as a Viewer."), "{}", mail.text);
        let link = link_in(&app, &mail, "/invitations/");
        let token = link.trim_start_matches("/invitations/");
        {
            use paydesk::db::schema::invitations;
            let mut conn = app.db().conn().unwrap();
            let stored: String = invitations::table.select(invitations::token_hash).first(&mut *conn).unwrap();
            assert_eq!(stored, paydesk::crypto::hash(token), "only the token's hash is stored");
        }

        let invitee = app.browser();
        let page = invitee.get_html(&link).await;
        assert!(page.contains("Join Acme on Paydesk") && page.contains("admin@acme.test invited you as a Viewer"), "{page}");
        assert!(page.contains("<strong>new@acme.test</strong>"));
        // A password that breaks the rule: said beside the field; the link still works.
        let res = invitee.post_form(&link, &link, &[("password", "short")]).await;
        assert_eq!(res.status(), 400);
        let html = res.text().await.unwrap();
        assert!(html.contains("id=\"password-error\">Use at least 12 characters."), "{html}");

        let chosen = "the invitee's own passphrase";
        let res = invitee.post_form(&link, &link, &[("password", chosen)]).await;
        assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
        assert_eq!(location(&res), "/");
        assert_eq!(invitee.get("/").await.status(), 200, "signed in");
        assert_eq!(invitee.get("/audit").await.status(), 403, "as a Viewer");

        // Once only.
        let again = app.browser();
        let res = again.get(&link).await;
        assert_eq!(res.status(), 410);
        let html = res.text().await.unwrap();
        assert!(html.contains("This invitation was used already") && html.contains("href=\"/login\""), "{html}");
        let res = again.post_form("/login", &link, &[("password", "someone else's password")]).await;
        assert_eq!(res.status(), 410);

        // They sign in with the password they chose; nobody else set one.
        assert_eq!(again.sign_in("new@acme.test", PASSWORD).await.status(), 401);
        assert_eq!(again.sign_in("new@acme.test", chosen).await.status(), 303);
        let team = app.get_html("/team").await;
        assert!(!team.contains("data-invitation=\"new@acme.test\""), "no longer pending");
        assert!(team.contains("data-email=\"new@acme.test\""), "a member now");
        assert_eq!(audited(&app, "team.invited"), [("admin@acme.test".to_owned(), "new@acme.test".to_owned())]);
        assert_eq!(audited(&app, "team.invitation_accepted"), [("new@acme.test".to_owned(), "new@acme.test".to_owned())]);
        assert!(!mail.raw.contains(chosen));
    }

    async fn resend_replaces_the_link_and_revoke_ends_it(app, smtp) {
        app.setup_admin().await;
        invite(&app, "dev@acme.test", "developer").await;
        let first = link_in(&app, &smtp.wait_for("dev@acme.test", "invited").await, "/invitations/");
        let id = {
            use paydesk::db::schema::invitations;
            let mut conn = app.db().conn().unwrap();
            invitations::table.select(invitations::id).first::<String>(&mut *conn).unwrap()
        };
        let res = app.post_form("/team", &format!("/team/invitations/{id}/resend"), &[]).await;
        assert_eq!(res.status(), 303);
        assert!(app.get_html(location(&res)).await.contains("A new invitation was sent to dev@acme.test"));
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        let second = loop {
            let links: Vec<String> = smtp.mails_to("dev@acme.test").iter().map(|m| link_in(&app, m, "/invitations/")).collect();
            if let Some(new) = links.into_iter().find(|l| *l != first) {
                break new;
            }
            assert!(std::time::Instant::now() < deadline, "no second invitation: {:#?}", smtp.mails());
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        };
        let visitor = app.browser();
        let res = visitor.get(&first).await;
        assert_eq!(res.status(), 404, "the first link stopped working");
        assert!(res.text().await.unwrap().contains("This invitation link does not work"));
        assert_eq!(visitor.get(&second).await.status(), 200);

        let res = app.post_form("/team", &format!("/team/invitations/{id}/revoke"), &[]).await;
        assert_eq!(res.status(), 303);
        assert!(app.get_html(location(&res)).await.contains("The invitation was withdrawn"));
        let res = visitor.get(&second).await;
        assert_eq!(res.status(), 410);
        assert!(res.text().await.unwrap().contains("This invitation was withdrawn"));
        assert!(!app.get_html("/team").await.contains("data-invitation=\"dev@acme.test\""));
        assert_eq!(audited(&app, "team.invitation_resent").len(), 1);
        assert_eq!(audited(&app, "team.invitation_revoked").len(), 1);
        // A second revoke finds nothing.
        let res = app.post_form("/team", &format!("/team/invitations/{id}/revoke"), &[]).await;
        assert_eq!(res.status(), 404);
    }

    async fn an_expired_invitation_is_refused_with_a_clear_page(app, smtp) {
        app.setup_admin().await;
        invite(&app, "late@acme.test", "viewer").await;
        let link = link_in(&app, &smtp.wait_for("late@acme.test", "invited").await, "/invitations/");
        {
            use paydesk::db::schema::invitations;
            let mut conn = app.db().conn().unwrap();
            diesel::update(invitations::table)
                .set(invitations::expires_at.eq(paydesk::clock::now() - 1))
                .execute(&mut *conn)
                .unwrap();
        }
        let visitor = app.browser();
        let res = visitor.get(&link).await;
        assert_eq!(res.status(), 410);
        let html = res.text().await.unwrap();
        assert!(html.contains("This invitation expired") && html.contains("invitations last 72 hours"), "{html}");
        let res = visitor.post_form("/login", &link, &[("password", "a long enough password")]).await;
        assert_eq!(res.status(), 410);
        assert_eq!(visitor.sign_in("late@acme.test", "a long enough password").await.status(), 401);
        assert!(app.get_html("/team").await.contains("expired"), "Team shows it expired, to resend");
    }

    async fn a_deactivated_member_invited_again_comes_back_with_the_password_they_choose(app, smtp) {
        app.setup_admin().await;
        app.add_member("dev@acme.test", "developer").await;
        let id = user_id(&app, "dev@acme.test");
        app.post_form(&format!("/team/{id}/deactivate"), &format!("/team/{id}/deactivate"), &[]).await;
        invite(&app, "dev@acme.test", "viewer").await;
        let link = link_in(&app, &smtp.wait_for("dev@acme.test", "invited").await, "/invitations/");
        let back = app.browser();
        let chosen = "back again with a new passphrase";
        assert_eq!(back.post_form(&link, &link, &[("password", chosen)]).await.status(), 303);
        assert_eq!(user_id(&app, "dev@acme.test"), id, "one account, history kept");
        let other = app.browser();
        assert_eq!(other.sign_in("dev@acme.test", PASSWORD).await.status(), 401, "the old password is gone");
        assert_eq!(other.sign_in("dev@acme.test", chosen).await.status(), 303);
        assert_eq!(other.get("/audit").await.status(), 403, "now a Viewer");
    }

    async fn when_the_team_requires_two_factor_the_invitee_sets_it_up_next(app, smtp) {
        app.setup_admin().await;
        super::account::enroll(&app).await;
        let res = app.post_form("/team", "/team/require-2fa", &[("required", "on")]).await;
        assert_eq!(res.status(), 303);
        invite(&app, "new@acme.test", "developer").await;
        let link = link_in(&app, &smtp.wait_for("new@acme.test", "invited").await, "/invitations/");
        let invitee = app.browser();
        assert!(invitee.get_html(&link).await.contains("Your team requires two-factor sign-in"));
        let res = invitee.post_form(&link, &link, &[("password", "the invitee's own passphrase")]).await;
        assert_eq!(res.status(), 303);
        let res = invitee.get("/keys").await;
        assert_eq!((res.status().as_u16(), location(&res)), (303, "/account/2fa"), "held at the set-up");
        assert!(invitee.get_html("/account/2fa").await.contains("Your team requires"));
    }

    async fn an_admin_who_joins_is_announced_to_the_admins_already_there(app, smtp) {
        app.setup_admin().await;
        invite(&app, "boss@acme.test", "admin").await;
        let link = link_in(&app, &smtp.wait_for("boss@acme.test", "invited").await, "/invitations/");
        assert!(app.browser().post_form(&link, &link, &[("password", "the new admin's passphrase")]).await.status() == 303);
        let mail = smtp.wait_for("admin@acme.test", "joined Acme as an Admin").await;
        assert_eq!(mail.subject, "boss@acme.test joined Acme as an Admin");
        assert!(mail.text.contains("accepted the invitation admin@acme.test sent"), "{}", mail.text);
        use paydesk::db::schema::mail_outbox;
        let mut conn = app.db().conn().unwrap();
        let announced: Vec<String> = mail_outbox::table
            .filter(mail_outbox::kind.eq("admin_added"))
            .select(mail_outbox::recipient)
            .load(&mut *conn)
            .unwrap();
        assert_eq!(announced, ["admin@acme.test"], "to the Admins already there, not the new one");
    }
}
