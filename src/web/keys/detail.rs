//! A key's page (permissions, limits, history, usage, bound endpoints) and its edit form.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, web};
use askama::Template;
use serde::Deserialize;

use super::form::{KeyForm, MatrixGroup, SpendRow, matrix, spend_rows, with_spend_limits};
use super::view::{KeyRow, refusal, unavailable};
use crate::error::{Error, FieldErrors};
use crate::keys::Access;
use crate::keys::model::{ApiKey, KeyStatus};
use crate::keys::permissions::{Level, RESOURCES};
use crate::keys::policy::KeyAction;
use crate::keys::service::{self, KeyPatch};
use crate::state::AppState;
use crate::web::audit::AuditRow;
use crate::web::form::{Form, FormState, Response};
use crate::web::page::{self, FormPairs, Layout, PageError, SignedIn};
use crate::web::shown::Time;
use crate::{clock, versions};

/// One spend limit on the key's page: what it has used of it in this window.
pub struct SpendLine {
    /// "of payments in USD", for the limit's line.
    pub per: String,
    pub used: String,
    pub limit: String,
    pub resets: Time,
}

pub struct PermissionLine {
    pub label: &'static str,
    pub level: &'static str,
}

#[derive(Template)]
#[template(path = "hub/detail.html")]
pub struct DetailPage {
    pub layout: Layout,
    pub key: KeyRow,
    pub full_access: bool,
    pub permissions: Vec<PermissionLine>,
    pub allowed_ips: Vec<String>,
    pub rate_limit: i32,
    /// None: never expires.
    pub expires: Option<Time>,
    pub api_version: String,
    pub require_signature: bool,
    pub created_by: String,
    pub last_used_ip: String,
    pub rolled_to: Option<String>,
    pub history: Vec<AuditRow>,
    pub notice: Option<&'static str>,
    pub can_manage: bool,
    pub can_roll: bool,
    /// Edit and reactivate: live keys are an Admin's (a Developer may suspend or revoke).
    pub can_change: bool,
    /// Webhook endpoints bound to this key: id, URL, status.
    pub webhooks: Vec<(String, String, String)>,
    /// "in 3 days" when an active key expires within 7 days (SPEC §9's banner).
    pub expiring: Option<String>,
    /// Usage chart, latest requests and least privilege (`key_usage.rs`).
    pub usage: crate::web::key_usage::UsagePanel,
    pub spend: Vec<SpendLine>,
}

#[derive(Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
    /// `24h` (default) or `30d`: the usage chart's period.
    usage: Option<String>,
}

pub async fn show_key(
    req: HttpRequest,
    session: Session,
    SignedIn(who): SignedIn,
    id: web::Path<String>,
    q: web::Query<DoneQuery>,
) -> Response {
    who.require_hub()?;
    let actor = who.clone();
    let id = id.into_inner();
    let period = q
        .usage
        .as_deref()
        .and_then(crate::keys::usage::Period::parse)
        .unwrap_or(crate::keys::usage::Period::Day);
    let (key, history, webhooks, usage, spend) = page::state(&req)
        .db
        .run(move |c| {
            let key = service::get_key(c, &actor, &id)?;
            let labels = [(key.row.id.clone(), key.row.name.clone())].into();
            let usage = crate::web::key_usage::panel(c, &key, &labels, period, clock::now())?;
            let spend = crate::keys::spend::usage(c, &key.row.id, &key.spend_limits, clock::now())?;
            Ok((
                key,
                service::key_history(c, &actor, &id)?,
                crate::webhooks::endpoints::bound_to(c, &actor, &id)?,
                usage,
                spend,
            ))
        })
        .await?;
    let notice = match q.done.as_deref() {
        Some("suspended") => {
            Some("Key suspended. Requests with it are refused until you reactivate it.")
        }
        Some("reactivated") => Some("Key reactivated."),
        Some("updated") => Some("Changes saved. They apply to the very next request."),
        Some("restricted") => Some(
            "Permissions restricted to the scopes the key used. They apply to the very next request.",
        ),
        _ => None,
    };
    let permissions = RESOURCES
        .iter()
        .filter(|r| key.access.level(r.resource) != Level::None)
        .map(|r| PermissionLine {
            label: r.label,
            level: key.access.level(r.resource).label(),
        })
        .collect();
    // The page offers exactly what the key policy allows this person.
    let offered =
        |action| crate::keys::policy::permitted(&who, action, key.mode, Some(&key)).is_ok();
    let page = DetailPage {
        layout: Layout::signed_in(&who, &session, "keys"),
        full_access: key.access == Access::Full,
        permissions,
        allowed_ips: key.allowed_ip_strings(),
        rate_limit: key.row.rate_limit,
        expires: key.row.expires_at.map(Time::at),
        api_version: key
            .row
            .api_version
            .clone()
            .unwrap_or_else(|| format!("Latest ({})", versions::CURRENT)),
        require_signature: key.row.require_signature,
        created_by: key.row.created_by.clone(),
        last_used_ip: key.row.last_used_ip.clone().unwrap_or_default(),
        rolled_to: key.row.rolled_to.clone(),
        history: history.into_iter().map(AuditRow::from).collect(),
        notice,
        can_manage: offered(KeyAction::Suspend) || offered(KeyAction::Revoke),
        can_change: offered(KeyAction::Edit { widens: false }),
        can_roll: offered(KeyAction::Roll),
        webhooks: webhooks
            .into_iter()
            .map(|e| (e.id, e.url, e.status))
            .collect(),
        expiring: expiring_in(&key, clock::now()),
        usage,
        spend: spend
            .into_iter()
            .map(|s| SpendLine {
                per: format!(
                    "of {} per {}",
                    s.limit.resource.as_str(),
                    s.limit.period.as_str()
                ),
                used: crate::currencies::display(s.used, &s.limit.currency),
                limit: crate::currencies::display(s.limit.amount, &s.limit.currency),
                resets: Time::at(s.resets_at),
            })
            .collect(),
        key: KeyRow::of(&key),
    };
    Ok(page::ok(&page))
}

/// "in 3 days", "in 5 hours": when an active key expires within 7 days.
fn expiring_in(key: &ApiKey, now: i64) -> Option<String> {
    let left = key.row.expires_at? - now;
    if key.status != KeyStatus::Active
        || key.row.rolled_to.is_some()
        || !(1..=7 * 86_400).contains(&left)
    {
        return None;
    }
    Some(match left {
        l if l >= 2 * 86_400 => format!("in {} days", (l + 43_200) / 86_400),
        l if l >= 2 * 3_600 => format!("in {} hours", (l + 1_800) / 3_600),
        _ => "within 2 hours".into(),
    })
}

#[derive(Template)]
#[template(path = "hub/edit.html")]
pub struct EditPage {
    pub layout: Layout,
    pub key: KeyRow,
    pub form: FormState,
    pub matrix: Vec<MatrixGroup>,
    pub full_access: bool,
    pub versions: &'static [&'static str],
    pub spend_rows: Vec<SpendRow>,
}

fn edit_page(
    who: &crate::accounts::Principal,
    session: &Session,
    key: &ApiKey,
    form: FormState,
    matrix: Vec<MatrixGroup>,
    full_access: bool,
) -> EditPage {
    EditPage {
        layout: Layout::signed_in(who, session, "keys"),
        spend_rows: spend_rows(&form),
        form,
        matrix,
        full_access,
        versions: versions::SUPPORTED,
        key: KeyRow::of(key),
    }
}

pub async fn edit_key(
    req: HttpRequest,
    session: Session,
    SignedIn(who): SignedIn,
    id: web::Path<String>,
) -> Response {
    who.require_hub()?;
    let actor = who.clone();
    let key = page::state(&req)
        .db
        .run(move |c| service::get_key(c, &actor, &id))
        .await?;
    if let Some(reason) = refusal(&who, &key, "edit") {
        return Ok(unavailable(&who, &session, &key, "edit", reason));
    }
    let form = FormState::default()
        .with("name", &key.row.name)
        .with("allowed_ips", &key.allowed_ip_strings().join("\n"))
        .with("rate_limit", &key.row.rate_limit.to_string())
        .with("api_version", key.row.api_version.as_deref().unwrap_or(""))
        .with(
            "require_signature",
            if key.row.require_signature { "on" } else { "" },
        );
    let form = with_spend_limits(form, &key.spend_limits);
    let page = edit_page(
        &who,
        &session,
        &key,
        form,
        matrix(|r| key.access.level(r)),
        key.access == Access::Full,
    );
    Ok(page::ok(&page))
}

pub async fn update_key(
    req: HttpRequest,
    session: Session,
    SignedIn(who): SignedIn,
    id: web::Path<String>,
    form: Result<Form<Vec<(String, String)>>, PageError>,
) -> Response {
    let id = id.into_inner();
    let form = match form {
        Ok(form) => KeyForm(form.into_inner()),
        Err(PageError::FormExpired(FormPairs(pairs))) => {
            who.require_hub()?;
            let form = KeyForm(pairs);
            let actor = who.clone();
            let key = page::state(&req)
                .db
                .run(move |c| service::get_key(c, &actor, &id))
                .await?;
            let errors = FieldErrors::from([("_form", page::FORM_EXPIRED.to_owned())]);
            let page = edit_page(
                &who,
                &session,
                &key,
                form.kept().errors(errors),
                matrix(|r| form.level(r)),
                form.full_access(),
            );
            return Ok(page::render(StatusCode::FORBIDDEN, &page));
        }
        Err(e) => return Err(e),
    };
    let draft = form.draft();
    let patch = KeyPatch {
        name: Some(draft.name),
        permissions: Some(draft.permissions),
        allowed_ips: Some(draft.allowed_ips),
        rate_limit: Some(draft.rate_limit),
        api_version: Some(draft.api_version),
        require_signature: Some(draft.require_signature),
        spend_limits: Some(draft.spend_limits),
    };
    let (actor, key_id, ip) = (who.clone(), id.clone(), AppState::client_ip(&req));
    match page::state(&req)
        .db
        .run(move |c| service::update_key(c, &actor, &key_id, patch, &ip))
        .await
    {
        Ok(_) => Ok(page::see_other(&format!("/keys/{id}?done=updated"))),
        // Revoked (or otherwise changed) meanwhile: the edits stay on screen, with why
        // they could not be saved, rather than an error page that throws them away.
        Err(e @ (Error::Invalid(_) | Error::InvalidState(_) | Error::PolicyViolation { .. })) => {
            let (status, errors) = match e {
                Error::Invalid(errors) => (StatusCode::BAD_REQUEST, errors),
                Error::PolicyViolation { rule, message } => (
                    StatusCode::BAD_REQUEST,
                    FieldErrors::from([(crate::keys::key_policy::field_of(rule), message)]),
                ),
                other => (
                    page::status_of(&other),
                    FieldErrors::from([(
                        "_form",
                        format!(
                            "Your changes were not saved: {other} Copy anything you need from the form below."
                        ),
                    )]),
                ),
            };
            let actor = who.clone();
            let key = page::state(&req)
                .db
                .run(move |c| service::get_key(c, &actor, &id))
                .await?;
            let page = edit_page(
                &who,
                &session,
                &key,
                form.kept().errors(errors),
                matrix(|r| form.level(r)),
                form.full_access(),
            );
            Ok(page::render(status, &page))
        }
        Err(e) => Err(e.into()),
    }
}
