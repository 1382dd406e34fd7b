//! Team (Admin only): invite someone (again, after they were deactivated), resend or
//! revoke an invitation, change a role, deactivate after a confirmation, reactivate.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, web};
use askama::Template;
use serde::Deserialize;

use super::form::{Empty, Form, FormState, Response};
use super::page::{self, Layout, SignedIn};
use super::shown::Time;
use crate::accounts::{self, NewInvitation, PendingInvitation, Principal};
use crate::db::models::user::{Role, User};
use crate::error::Error;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "team/index.html")]
pub struct TeamPage {
    pub layout: Layout,
    pub members: Vec<MemberRow>,
    pub invitations: Vec<InvitationRow>,
    pub roles: [Role; 3],
    pub form: FormState,
    pub notice: Option<String>,
    pub require_2fa: bool,
}

pub struct MemberRow {
    pub id: String,
    pub email: String,
    pub role: Role,
    pub active: bool,
    pub is_you: bool,
    pub created: Time,
    /// Locked out by failed sign-ins until this time (shown): the Admin may unlock.
    pub locked_until: Option<Time>,
}

pub struct InvitationRow {
    pub id: String,
    pub email: String,
    pub role: Role,
    pub invited_by: String,
    /// When the link stops working (or stopped: `expired`).
    pub expires: Time,
    pub expired: bool,
}

impl From<PendingInvitation> for InvitationRow {
    fn from(i: PendingInvitation) -> Self {
        Self {
            expires: Time::at(i.expires_at),
            expired: i.expired,
            id: i.id,
            email: i.email,
            role: i.role,
            invited_by: i.invited_by,
        }
    }
}

async fn team_page(
    req: &HttpRequest,
    session: &Session,
    who: &Principal,
    form: FormState,
    notice: Option<String>,
) -> Result<TeamPage, Error> {
    let merchant_id = who.merchant.id.clone();
    let (users, invitations) = page::state(req)
        .db
        .run(move |c| {
            let users = User::list_for_merchant(c, &merchant_id)?;
            let mut locked = Vec::with_capacity(users.len());
            for u in &users {
                locked.push(accounts::throttle::locked_until_anywhere(c, &u.email)?);
            }
            let invitations = accounts::pending_invitations(c, &merchant_id)?;
            Ok((
                users.into_iter().zip(locked).collect::<Vec<_>>(),
                invitations,
            ))
        })
        .await?;
    let invitations: Vec<InvitationRow> = invitations.into_iter().map(Into::into).collect();
    let members: Vec<MemberRow> = users
        .into_iter()
        .map(|(u, locked)| MemberRow {
            locked_until: locked.map(Time::at),
            is_you: u.id == who.user.id,
            role: u.role(),
            created: Time::at(u.created_at),
            id: u.id,
            email: u.email,
            active: u.active,
        })
        .collect();
    // Messages name the member or invitee they are about, looked up by id in the lists
    // (never text from the link itself).
    let query = page::query_pairs(req);
    let id_of = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let named = id_of("member")
        .and_then(|id| members.iter().find(|m| m.id == id).map(|m| m.email.clone()))
        .or_else(|| {
            id_of("invitation").and_then(|id| {
                invitations
                    .iter()
                    .find(|i| i.id == id)
                    .map(|i| i.email.clone())
            })
        })
        .unwrap_or_else(|| "The member".to_owned());
    let notice = notice.map(|n| n.replace("{member}", &named));
    Ok(TeamPage {
        require_2fa: who.merchant.require_2fa,
        layout: Layout::signed_in(who, session, "team"),
        members,
        invitations,
        roles: Role::ALL,
        form,
        notice,
    })
}

#[derive(Deserialize)]
pub struct TeamQuery {
    done: Option<String>,
}

pub async fn list_members(
    req: HttpRequest,
    session: Session,
    SignedIn(who): SignedIn,
    query: web::Query<TeamQuery>,
) -> Response {
    who.require_admin()?;
    // `{member}` is the member the change was about, named from the team's own list.
    let notice = match query.done.as_deref() {
        Some("invited") => Some(
            "Invitation sent to {member}. Its link works once, for 72 hours; they choose their own password."
                .into(),
        ),
        Some("resent") => Some(
            "A new invitation was sent to {member}; the earlier link no longer works.".into(),
        ),
        Some("revoked") => Some("The invitation was withdrawn; its link no longer works.".into()),
        Some("role") => Some("{member}'s role changed; it applies on their next request.".into()),
        Some("deactivated") => Some(
            "{member} was deactivated and signed out everywhere. Reactivate brings them back."
                .into(),
        ),
        Some("reactivated") => {
            Some("{member} was reactivated: they can sign in again with their password.".into())
        }
        Some("unlocked") => Some("{member}'s sign-in was unlocked; they can sign in now.".into()),
        Some("two_factor") => Some(
            "Saved. Members without two-factor sign-in are asked to set it up on their next page."
                .into(),
        ),
        _ => None,
    };
    // An invitee is a Developer unless the Admin says otherwise (least privilege).
    let form = FormState::default().with("role", "developer");
    let page = team_page(&req, &session, &who, form, notice).await?;
    Ok(page::ok(&page))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct InviteForm {
    email: String,
    role: String,
}

/// Team → Invite: the invitation is mailed; every wrong field is shown beside it.
pub async fn invite(
    req: HttpRequest,
    session: Session,
    SignedIn(who): SignedIn,
    form: Form<InviteForm>,
) -> Response {
    who.require_admin()?;
    let ip = AppState::client_ip(&req);
    let InviteForm { email, role } = form.into_inner();
    let kept = FormState::default()
        .with("email", &email)
        .with("role", &role);
    let actor = who.clone();
    match page::state(&req)
        .db
        .run(move |c| accounts::invite(c, &actor, NewInvitation { email, role }, &ip))
        .await
    {
        Ok(invitation) => Ok(page::see_other(&format!(
            "/team?done=invited&invitation={}",
            invitation.id
        ))),
        Err(Error::Invalid(errors)) => {
            let page = team_page(&req, &session, &who, kept.errors(errors), None).await?;
            Ok(page::render(StatusCode::BAD_REQUEST, &page))
        }
        Err(e) => Err(e.into()),
    }
}

/// A new link for an open invitation (the old one stops working).
pub async fn resend_invitation(
    req: HttpRequest,
    SignedIn(who): SignedIn,
    path: web::Path<String>,
    _: Form<Empty>,
) -> Response {
    let ip = AppState::client_ip(&req);
    let id = path.into_inner();
    let invitation = page::state(&req)
        .db
        .run(move |c| accounts::resend_invitation(c, &who, &id, &ip))
        .await?;
    Ok(page::see_other(&format!(
        "/team?done=resent&invitation={}",
        invitation.id
    )))
}

pub async fn revoke_invitation(
    req: HttpRequest,
    SignedIn(who): SignedIn,
    path: web::Path<String>,
    _: Form<Empty>,
) -> Response {
    let ip = AppState::client_ip(&req);
    let id = path.into_inner();
    page::state(&req)
        .db
        .run(move |c| accounts::revoke_invitation(c, &who, &id, &ip))
        .await?;
    Ok(page::see_other("/team?done=revoked"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RoleForm {
    role: String,
}

pub async fn change_role(
    req: HttpRequest,
    SignedIn(who): SignedIn,
    path: web::Path<String>,
    form: Form<RoleForm>,
) -> Response {
    let state = page::state(&req);
    let ip = AppState::client_ip(&req);
    let role = form.into_inner().role;
    let target = path.into_inner();
    let path_id = target.clone();
    state
        .db
        .run(move |c| accounts::change_role(c, &who, &target, &role, &ip))
        .await?;
    Ok(page::see_other(&format!(
        "/team?done=role&member={}",
        path_id
    )))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RequireForm {
    required: String,
}

pub async fn require_two_factor(
    req: HttpRequest,
    SignedIn(who): SignedIn,
    form: Form<RequireForm>,
) -> Response {
    let required = form.required == "on";
    let ip = AppState::client_ip(&req);
    page::state(&req)
        .db
        .run(move |c| accounts::set_require_two_factor(c, &who, required, &ip))
        .await?;
    Ok(page::see_other("/team?done=two_factor"))
}

pub async fn unlock_member(
    req: HttpRequest,
    SignedIn(who): SignedIn,
    path: web::Path<String>,
    _: Form<Empty>,
) -> Response {
    let ip = AppState::client_ip(&req);
    let target = path.into_inner();
    let path_id = target.clone();
    page::state(&req)
        .db
        .run(move |c| accounts::unlock(c, &who, &target, &ip))
        .await?;
    Ok(page::see_other(&format!(
        "/team?done=unlocked&member={}",
        path_id
    )))
}

pub async fn deactivate_member(
    req: HttpRequest,
    SignedIn(who): SignedIn,
    path: web::Path<String>,
    _: Form<Empty>,
) -> Response {
    let state = page::state(&req);
    let ip = AppState::client_ip(&req);
    let target = path.into_inner();
    let path_id = target.clone();
    state
        .db
        .run(move |c| accounts::deactivate(c, &who, &target, &ip))
        .await?;
    Ok(page::see_other(&format!(
        "/team?done=deactivated&member={}",
        path_id
    )))
}

#[derive(Template)]
#[template(path = "team/deactivate.html")]
pub struct DeactivatePage {
    pub layout: Layout,
    pub id: String,
    pub email: String,
    pub role: Role,
}

/// Asks before deactivating: the button on Team leads here, and this page's form posts.
pub async fn confirm_deactivate(
    req: HttpRequest,
    session: Session,
    SignedIn(who): SignedIn,
    path: web::Path<String>,
) -> Response {
    who.require_admin()?;
    let (merchant_id, target) = (who.merchant.id.clone(), path.into_inner());
    let user = page::state(&req)
        .db
        .run(move |c| Ok(User::find(c, &target)?))
        .await?;
    if user.merchant_id != merchant_id {
        return Err(Error::NotFound.into());
    }
    if !user.active {
        return Ok(page::see_other("/team"));
    }
    Ok(page::ok(&DeactivatePage {
        layout: Layout::signed_in(&who, &session, "team"),
        role: user.role(),
        id: user.id,
        email: user.email,
    }))
}

pub async fn reactivate_member(
    req: HttpRequest,
    SignedIn(who): SignedIn,
    path: web::Path<String>,
    _: Form<Empty>,
) -> Response {
    let ip = AppState::client_ip(&req);
    let target = path.into_inner();
    let path_id = target.clone();
    page::state(&req)
        .db
        .run(move |c| accounts::reactivate(c, &who, &target, &ip))
        .await?;
    Ok(page::see_other(&format!(
        "/team?done=reactivated&member={}",
        path_id
    )))
}
