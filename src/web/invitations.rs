//! `/invitations/{token}` (SPEC §14): the invitee chooses their password and is signed
//! in; when the team requires two-factor sign-in, its set-up comes next (the
//! require-2FA hold sends them there). A link that does not work any more gets a page
//! that says why and what to do; so does a reset link (`password_reset`).

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::form::{Form, FormState, Response};
use super::page::{self, Layout};
use crate::accounts::{self, OpenInvitation, Refusal};
use crate::error::Error;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "auth/invitation.html")]
pub struct InvitationPage {
    pub layout: Layout,
    pub form: FormState,
    pub invitation: OpenInvitation,
    pub action: String,
}

#[derive(Template)]
#[template(path = "auth/link_refused.html")]
pub struct RefusedPage {
    pub layout: Layout,
    pub title: &'static str,
    pub message: String,
    /// Where to go from here: (path, label).
    pub next: Vec<(&'static str, &'static str)>,
}

/// Which kind of link was refused.
#[derive(Clone, Copy)]
pub enum LinkKind {
    Invitation,
    Reset,
}

/// The page for a link that does not work: 404 for an unknown one, 409 when the email
/// has an account, else 410 Gone.
pub fn refused(session: &Session, kind: LinkKind, refusal: Refusal) -> HttpResponse {
    use LinkKind::*;
    let sign_in = ("/login", "Sign in");
    let forgot = ("/forgot-password", "Ask for a new reset link");
    let (status, title, message, next) = match (kind, refusal) {
        (Invitation, Refusal::Unknown) => (
            StatusCode::NOT_FOUND,
            "This invitation link does not work",
            "Paydesk knows no invitation with this link. Check that you opened the whole link from the mail; if an Admin sent you a newer invitation, use the link in that one.".to_owned(),
            vec![],
        ),
        (Invitation, Refusal::Used) => (
            StatusCode::GONE,
            "This invitation was used already",
            "Its link worked once, when the invitation was accepted. Sign in with the email it was sent to and the password chosen then.".to_owned(),
            vec![sign_in],
        ),
        (Invitation, Refusal::Expired(at)) => (
            StatusCode::GONE,
            "This invitation expired",
            format!("Its link worked until {} (invitations last 72 hours). Ask an Admin of the team to resend it from Team.", crate::clock::display(at)),
            vec![],
        ),
        (Invitation, Refusal::Revoked) => (
            StatusCode::GONE,
            "This invitation was withdrawn",
            "An Admin of the team withdrew it, so its link no longer works. Ask them for a new invitation if you should join.".to_owned(),
            vec![],
        ),
        (Invitation, _) => (
            StatusCode::CONFLICT,
            "You have a Paydesk account already",
            "Someone with this email already has a Paydesk account, so this invitation cannot make another. Sign in instead; if you forgot the password, use Forgot password on the sign-in page.".to_owned(),
            vec![sign_in],
        ),
        (Reset, Refusal::Used) => (
            StatusCode::GONE,
            "This reset link was used already",
            "Each reset link works once. Sign in with your new password, or ask for another link.".to_owned(),
            vec![sign_in, forgot],
        ),
        (Reset, Refusal::Expired(at)) => (
            StatusCode::GONE,
            "This reset link expired",
            format!("It worked until {}: reset links last 30 minutes. Ask for a new one.", crate::clock::display(at)),
            vec![forgot],
        ),
        (Reset, Refusal::PasswordChanged) => (
            StatusCode::GONE,
            "This reset link no longer works",
            "The password was changed after this link was sent. Sign in with the current password, or ask for a new link.".to_owned(),
            vec![sign_in, forgot],
        ),
        (Reset, _) => (
            StatusCode::NOT_FOUND,
            "This reset link does not work",
            "Paydesk knows no reset link like this one. Check that you opened the whole link from the mail, or ask for a new one.".to_owned(),
            vec![forgot],
        ),
    };
    page::render(
        status,
        &RefusedPage {
            layout: Layout::anonymous(session),
            title,
            message,
            next,
        },
    )
}

pub async fn show_invitation(
    req: HttpRequest,
    session: Session,
    path: web::Path<String>,
) -> Response {
    let token = path.into_inner();
    let t = token.clone();
    let found = page::state(&req)
        .db
        .run(move |c| accounts::open_invitation(c, &t))
        .await?;
    match found {
        Ok((_, invitation)) => Ok(page::ok(&InvitationPage {
            layout: Layout::anonymous(&session),
            form: FormState::default(),
            invitation,
            action: format!("/invitations/{token}"),
        })),
        Err(refusal) => Ok(refused(&session, LinkKind::Invitation, refusal)),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AcceptForm {
    password: String,
}

pub async fn accept_invitation(
    req: HttpRequest,
    session: Session,
    path: web::Path<String>,
    form: Form<AcceptForm>,
) -> Response {
    let state = page::state(&req);
    let token = path.into_inner();
    let password = form.into_inner().password;
    let hash = accounts::hash_new_password(&password).await?;
    let (t, ip, tokens) = (
        token.clone(),
        AppState::client_ip(&req),
        state.tokens.clone(),
    );
    let result = state
        .db
        .run(move |c| accounts::accept_invitation(c, &tokens, &t, &password, hash, &ip))
        .await;
    match result {
        Ok(Ok(issued)) => {
            page::begin_session(&session, &issued.token);
            Ok(page::see_other("/"))
        }
        Ok(Err(refusal)) => Ok(refused(&session, LinkKind::Invitation, refusal)),
        Err(Error::Invalid(errors)) => {
            let t = token.clone();
            let found = state
                .db
                .run(move |c| accounts::open_invitation(c, &t))
                .await?;
            let Ok((_, invitation)) = found else {
                return Err(Error::NotFound.into());
            };
            let page = InvitationPage {
                layout: Layout::anonymous(&session),
                form: FormState::default().errors(errors),
                invitation,
                action: format!("/invitations/{token}"),
            };
            Ok(page::render(StatusCode::BAD_REQUEST, &page))
        }
        Err(e) => Err(e.into()),
    }
}
