//! Team (Admin only): add a member (again, after they were deactivated), change a role,
//! deactivate after a confirmation, reactivate.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, web};
use askama::Template;
use serde::Deserialize;

use super::form::{Empty, Form, FormState, Response};
use super::page::{self, Layout, SignedIn};
use super::shown::Time;
use crate::accounts::{self, NewMember, Principal};
use crate::db::models::user::{Role, User};
use crate::error::Error;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "team/index.html")]
pub struct TeamPage {
    pub layout: Layout,
    pub members: Vec<MemberRow>,
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

async fn team_page(
    req: &HttpRequest,
    session: &Session,
    who: &Principal,
    form: FormState,
    notice: Option<String>,
) -> Result<TeamPage, Error> {
    let merchant_id = who.merchant.id.clone();
    let users = page::state(req)
        .db
        .run(move |c| {
            let users = User::list_for_merchant(c, &merchant_id)?;
            let mut locked = Vec::with_capacity(users.len());
            for u in &users {
                locked.push(accounts::throttle::locked_until_anywhere(c, &u.email)?);
            }
            Ok(users.into_iter().zip(locked).collect::<Vec<_>>())
        })
        .await?;
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
    // Messages name the member they are about (never text from the link itself).
    let named = page::query_pairs(req)
        .into_iter()
        .find(|(k, _)| k == "member")
        .and_then(|(_, id)| members.iter().find(|m: &&MemberRow| m.id == id))
        .map_or_else(|| "The member".to_owned(), |m| m.email.clone());
    let notice = notice.map(|n| n.replace("{member}", &named));
    Ok(TeamPage {
        require_2fa: who.merchant.require_2fa,
        layout: Layout::signed_in(who, session, "team"),
        members,
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
        Some("added") => {
            Some("{member} was added. Share the initial password with them privately.".into())
        }
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
    // A new member is a Developer unless the Admin says otherwise (least privilege).
    let form = FormState::default().with("role", "developer");
    let page = team_page(&req, &session, &who, form, notice).await?;
    Ok(page::ok(&page))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AddMemberForm {
    email: String,
    role: String,
    password: String,
}

pub async fn add_member(
    req: HttpRequest,
    session: Session,
    SignedIn(who): SignedIn,
    form: Form<AddMemberForm>,
) -> Response {
    who.require_admin()?;
    let state = page::state(&req);
    let ip = AppState::client_ip(&req);
    let AddMemberForm {
        email,
        role,
        password,
        ..
    } = form.into_inner();
    let kept = FormState::default()
        .with("email", &email)
        .with("role", &role);
    let actor = who.clone();
    let input = NewMember {
        email,
        role,
        password,
    };
    let hash = accounts::hash_new_password(&input.password).await?;
    match state
        .db
        .run(move |c| accounts::add_member(c, &actor, input, hash, &ip))
        .await
    {
        Ok(user) => Ok(page::see_other(&format!(
            "/team?done=added&member={}",
            user.id
        ))),
        Err(Error::Invalid(errors)) => {
            let page = team_page(&req, &session, &who, kept.errors(errors), None).await?;
            Ok(page::render(StatusCode::BAD_REQUEST, &page))
        }
        Err(e) => Err(e.into()),
    }
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
