//! The Developer Hub pages: the key list, the create form with its permission matrix, the
//! show-once page, key detail, edit, and the suspend/reactivate/roll/revoke actions.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, web};
use askama::Template;
use serde::Deserialize;

use super::audit::AuditRow;
use super::form::{Empty, Form, FormState, Response};
use super::page::{self, FormPairs, Layout, PageError, SignedIn};
use crate::accounts::Principal;
use crate::db::DbConn;
use crate::db::models::forms::Submitted;
use crate::db::models::user::Role;
use crate::error::{Error, FieldErrors};
use crate::keys::config::{self, KeyDraft};
use crate::keys::lifecycle::{self, ROLL_GRACE_SECONDS};
use crate::keys::model::{ApiKey, CreatedKey, KeyStatus};
use crate::keys::permissions::{GROUPS, Level, RESOURCES};
use crate::keys::service::{self, KeyFilter, KeyPatch};
use crate::keys::{Access, Mode, Resource};
use crate::state::AppState;
use crate::{clock, versions};

/// Session slot for a secret between the create/roll POST and the show-once page.
const REVEAL_KEY: &str = "reveal";
/// How long a secret may wait in the (encrypted) session cookie for its page.
const REVEAL_WITHIN_MS: i64 = 10 * 60 * 1000;

/// A secret waiting for its show-once page: for this key, this person, a short while.
#[derive(serde::Serialize, serde::Deserialize)]
struct PendingReveal {
    key_id: String,
    secret: String,
    /// The signing secret of the webhook endpoint the form's URL made, if any.
    #[serde(default)]
    webhook_secret: Option<String>,
    user_id: String,
    at_ms: i64,
}

fn hold_secret(
    session: &Session,
    who: &Principal,
    created: &CreatedKey,
    webhook_secret: Option<String>,
) {
    let pending = PendingReveal {
        key_id: created.key.row.id.clone(),
        secret: created.secret.clone(),
        webhook_secret,
        user_id: who.user.id.clone(),
        at_ms: clock::now_ms(),
    };
    let _ = session.insert(REVEAL_KEY, pending);
}

// ---------- the list ----------

pub struct KeyRow {
    pub id: String,
    pub name: String,
    pub mode: &'static str,
    pub publishable_key: String,
    pub secret_hint: String,
    pub status: &'static str,
    /// What the status badge says: the status, or "rolling — expires …" for a rolled
    /// key in its grace period and "rolled" once that is over.
    pub badge: String,
    pub permissions: String,
    pub created: String,
    pub last_used: String,
    pub canary: bool,
    /// Where a reported leak was found (the key was revoked then).
    pub exposed_url: Option<String>,
    pub last_used_ip: String,
}

impl KeyRow {
    fn of(k: &ApiKey) -> Self {
        Self {
            id: k.row.id.clone(),
            name: k.row.name.clone(),
            mode: k.mode.as_str(),
            publishable_key: k.row.publishable_key.clone(),
            secret_hint: k.row.secret_hint.clone(),
            status: k.status.as_str(),
            badge: badge(k),
            permissions: k.access.summary(),
            created: clock::display(k.row.created_at),
            last_used: k
                .row
                .last_used_at
                .map(clock::display)
                .unwrap_or_else(|| "Never".into()),
            canary: k.row.canary,
            exposed_url: k.row.exposed_url.clone(),
            last_used_ip: k.row.last_used_ip.clone().unwrap_or_default(),
        }
    }
}

/// A rolled key still works until its grace period ends: say so, rather than a plain
/// "active" that hides the deadline.
fn badge(k: &ApiKey) -> String {
    match (k.status, &k.row.rolled_to, k.row.expires_at) {
        (KeyStatus::Active, Some(_), Some(at)) => {
            format!("rolling — expires {}", clock::display(at))
        }
        // Suspended says more than "rolling": the key does not work now.
        (KeyStatus::Suspended, Some(_), Some(at)) => {
            format!("suspended — rolled, expires {}", clock::display(at))
        }
        (KeyStatus::Expired, Some(_), _) => "rolled".into(),
        (status, _, _) => status.as_str().into(),
    }
}

#[derive(Template)]
#[template(path = "hub/list.html")]
pub struct KeysPage {
    pub layout: Layout,
    pub keys: Vec<KeyRow>,
    pub mode: String,
    pub status: String,
    pub notice: Option<String>,
}

#[derive(Deserialize)]
pub struct ListQuery {
    mode: Option<String>,
    status: Option<String>,
    done: Option<String>,
}

pub async fn list_keys(
    req: HttpRequest,
    session: Session,
    SignedIn(who): SignedIn,
    q: web::Query<ListQuery>,
) -> Response {
    who.require_hub()?;
    let q = q.into_inner();
    // The mode filter defaults to the header's switch (test unless `?mode=live`);
    // `all` shows both. Unknown filter values show everything rather than an error page.
    let filter = KeyFilter {
        mode: match q.mode.as_deref() {
            None | Some("") => Some(Mode::Test),
            Some(m) => Mode::parse(m),
        },
        status: q.status.as_deref().and_then(KeyStatus::parse),
    };
    let (actor, chosen) = (who.clone(), filter.clone());
    let keys = page::state(&req)
        .db
        .run(move |c| service::list_keys(c, &actor, &chosen))
        .await?;
    let notice = match q.done.as_deref() {
        Some("revoked") => {
            Some("Key revoked. Requests with it are refused from now on.".to_string())
        }
        _ => None,
    };
    Ok(page::ok(&KeysPage {
        layout: Layout::signed_in(&who, &session, "keys").in_mode(&req),
        keys: keys.iter().map(KeyRow::of).collect(),
        mode: filter
            .mode
            .map(|m| m.as_str().to_string())
            .unwrap_or_else(|| "all".into()),
        status: filter
            .status
            .map(|s| s.as_str().to_string())
            .unwrap_or_default(),
        notice,
    }))
}

// ---------- the permission matrix, shared by create and edit ----------

pub struct MatrixGroup {
    pub name: &'static str,
    pub rows: Vec<MatrixRow>,
}

pub struct MatrixRow {
    pub field: String,
    pub name: &'static str,
    pub label: &'static str,
    pub cells: Vec<MatrixCell>,
}

pub struct MatrixCell {
    pub level: &'static str,
    pub label: &'static str,
    pub offered: bool,
    pub checked: bool,
}

fn matrix(selected: impl Fn(Resource) -> Level) -> Vec<MatrixGroup> {
    GROUPS
        .iter()
        .map(|group| MatrixGroup {
            name: group,
            rows: RESOURCES
                .iter()
                .filter(|r| r.group == *group)
                .map(|r| {
                    let current = selected(r.resource);
                    MatrixRow {
                        field: format!("perm_{}", r.name),
                        name: r.name,
                        label: r.label,
                        cells: [Level::None, Level::Read, Level::Write]
                            .into_iter()
                            .map(|level| MatrixCell {
                                level: level.as_str(),
                                label: level.label(),
                                offered: r.levels.contains(&level),
                                checked: level == current,
                            })
                            .collect(),
                    }
                })
                .collect(),
        })
        .collect()
}

/// A submitted key form, read from its raw pairs (the matrix has a field per resource).
pub struct KeyForm(Vec<(String, String)>);

impl KeyForm {
    fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    fn full_access(&self) -> bool {
        self.get("access") == "full"
    }

    fn level(&self, r: Resource) -> Level {
        Level::parse(self.get(&format!("perm_{}", r.name()))).unwrap_or(Level::None)
    }

    fn access(&self) -> Result<Access, String> {
        if self.full_access() {
            return Ok(Access::Full);
        }
        let mut map = std::collections::BTreeMap::new();
        for info in RESOURCES {
            let raw = self.get(&format!("perm_{}", info.name));
            let level = if raw.is_empty() {
                Level::None
            } else {
                Level::parse(raw)
                    .ok_or_else(|| format!("{}: choose None, Read or Write", info.label))?
            };
            if !info.levels.contains(&level) {
                return Err(format!("{} has no {} level.", info.label, level.label()));
            }
            map.insert(info.resource, level);
        }
        Ok(Access::Scoped(map))
    }

    /// The text box, split on commas and whitespace; empty pieces are no entries.
    fn allowed_ips(&self) -> Vec<String> {
        self.get("allowed_ips")
            .split([',', '\n', '\r', ' ', '\t'])
            .filter(|piece| !piece.is_empty())
            .map(str::to_owned)
            .collect()
    }

    fn draft(&self) -> KeyDraft {
        KeyDraft {
            name: self.get("name").into(),
            mode: self.get("mode").into(),
            permissions: self.access(),
            allowed_ips: self.allowed_ips(),
            rate_limit: self.get("rate_limit").into(),
            expires_in_days: self.get("expires_in_days").into(),
            api_version: self.get("api_version").into(),
            require_signature: self.get("require_signature") == "on",
            canary: self.get("canary") == "on",
        }
    }

    /// What the person typed, to show again beside the errors.
    fn kept(&self) -> FormState {
        [
            "name",
            "mode",
            "allowed_ips",
            "rate_limit",
            "expires_in_days",
            "api_version",
            "form_token",
            "canary",
            "require_signature",
            "webhook_url",
        ]
        .into_iter()
        .fold(FormState::default(), |f, name| f.with(name, self.get(name)))
    }
}

// ---------- create ----------

#[derive(Template)]
#[template(path = "hub/new.html")]
pub struct NewKeyPage {
    pub layout: Layout,
    pub form: FormState,
    pub matrix: Vec<MatrixGroup>,
    pub full_access: bool,
    pub live_note: Option<&'static str>,
    pub versions: &'static [&'static str],
}

fn live_note(who: &Principal) -> Option<&'static str> {
    if who.role() != Role::Admin {
        Some("Only an Admin can create live keys.")
    } else if !who.merchant.verified {
        Some("Live keys are available once your account is verified.")
    } else {
        None
    }
}

fn new_key_page(
    who: &Principal,
    session: &Session,
    form: FormState,
    matrix: Vec<MatrixGroup>,
    full_access: bool,
) -> NewKeyPage {
    NewKeyPage {
        layout: Layout::signed_in(who, session, "keys"),
        form,
        matrix,
        full_access,
        live_note: live_note(who),
        versions: versions::SUPPORTED,
    }
}

pub async fn new_key(session: Session, SignedIn(who): SignedIn) -> Response {
    who.require_hub()?;
    let form = FormState::default()
        .with("mode", "test")
        .with("rate_limit", &config::DEFAULT_RATE_LIMIT.to_string())
        // Single-use: the same form sent twice makes one key.
        .with("form_token", &crate::ids::random_base62(24));
    Ok(page::ok(&new_key_page(
        &who,
        &session,
        form,
        matrix(|_| Level::None),
        false,
    )))
}

pub async fn create_key(
    req: HttpRequest,
    session: Session,
    SignedIn(who): SignedIn,
    form: Result<Form<Vec<(String, String)>>, PageError>,
) -> Response {
    who.require_hub()?;
    let form = match form {
        Ok(form) => KeyForm(form.into_inner()),
        // Signed out and in again since the form was loaded: show it again as typed.
        Err(PageError::FormExpired(FormPairs(pairs))) => {
            let form = KeyForm(pairs);
            let errors = FieldErrors::from([("_form", page::FORM_EXPIRED.to_owned())]);
            let page = new_key_page(
                &who,
                &session,
                form.kept().errors(errors),
                matrix(|r| form.level(r)),
                form.full_access(),
            );
            return Ok(page::render(StatusCode::FORBIDDEN, &page));
        }
        Err(e) => return Err(e),
    };
    // A webhook URL is checked (form, and where it resolves) before anything is made.
    let webhook_url = match form.get("webhook_url").trim() {
        "" => None,
        url => {
            // Whoever may not make the endpoint is told so before the URL is looked up.
            let live = form.get("mode") == "live";
            let allow = page::state(&req).webhooks.allow_private;
            let checked = match crate::webhooks::endpoints::require_manage(&who, live) {
                Ok(()) => crate::webhooks::ssrf::checked(url, live, allow)
                    .await
                    .map_err(|e| {
                        (
                            StatusCode::BAD_REQUEST,
                            "webhook_url",
                            format!("This URL {e}."),
                        )
                    }),
                Err(e) => Err((StatusCode::FORBIDDEN, "mode", e.to_string())),
            };
            match checked {
                Ok(url) => Some(url),
                Err((status, field, message)) => {
                    let errors = FieldErrors::from([(field, message)]);
                    let page = new_key_page(
                        &who,
                        &session,
                        form.kept().errors(errors),
                        matrix(|r| form.level(r)),
                        form.full_access(),
                    );
                    return Ok(page::render(status, &page));
                }
            }
        }
    };
    let (actor, draft, ip) = (who.clone(), form.draft(), AppState::client_ip(&req));
    let token = form.get("form_token").to_owned();
    let sealer = page::state(&req).webhooks.sealer.clone();
    match page::state(&req)
        .db
        .run(move |c| {
            let make = |c: &mut DbConn| {
                let created =
                    service::create_key(c, &actor, draft, service::Reveal::OnShowOncePage, &ip)?;
                let webhook_secret = match webhook_url {
                    Some(url) => Some(
                        crate::webhooks::endpoints::create_for_key(
                            c,
                            &actor,
                            &sealer,
                            &created.key,
                            url,
                            &ip,
                        )
                        .map_err(|e| match e {
                            Error::Invalid(mut f) => Error::field(
                                "webhook_url",
                                f.pop_first().map(|(_, m)| m).unwrap_or_default(),
                            ),
                            other => other,
                        })?,
                    ),
                    None => None,
                };
                let id = created.key.row.id.clone();
                Ok::<_, Error>((Box::new((created, webhook_secret)), id))
            };
            if token.is_empty() {
                return crate::db::transaction(c, |c| {
                    make(c).map(|(made, _)| Submitted::Created(made))
                });
            }
            crate::db::models::forms::submit_once(c, &token, &actor.user.id, make)
        })
        .await
    {
        Ok(Submitted::Created(made)) => {
            let (created, webhook_secret) = *made;
            hold_secret(&session, &who, &created, webhook_secret);
            Ok(page::see_other(&format!(
                "/keys/{}/reveal",
                created.key.row.id
            )))
        }
        // Sent twice: one key, shown (its secret too, if this browser still holds it).
        Ok(Submitted::Already(id)) => Ok(page::see_other(&format!("/keys/{id}/reveal"))),
        Err(e) => {
            let (status, errors) = match e {
                Error::Invalid(errors) => (StatusCode::BAD_REQUEST, errors),
                // Live mode refusals belong beside the mode field.
                Error::LiveModeUnavailable(msg) | Error::Forbidden(msg) => {
                    (StatusCode::FORBIDDEN, FieldErrors::from([("mode", msg)]))
                }
                other => return Err(other.into()),
            };
            let page = new_key_page(
                &who,
                &session,
                form.kept().errors(errors),
                matrix(|r| form.level(r)),
                form.full_access(),
            );
            Ok(page::render(status, &page))
        }
    }
}

// ---------- show once ----------

#[derive(Template)]
#[template(path = "hub/reveal.html")]
pub struct RevealPage {
    pub layout: Layout,
    pub key: KeyRow,
    pub secret: Option<String>,
    /// The signing secret of the key's webhook endpoint, when the form made one.
    pub webhook_secret: Option<String>,
    /// Where the API is (`PAYDESK_PUBLIC_URL` or this request's origin) + `/api/v1`.
    pub base_url: String,
}

/// Shows the secret held in the session once: the session slot is emptied and the key
/// marked revealed in the database, so a reload, a back button, a second instance or a
/// replayed cookie shows only the hint.
pub async fn reveal_key(
    req: HttpRequest,
    session: Session,
    SignedIn(who): SignedIn,
    id: web::Path<String>,
) -> Response {
    who.require_hub()?;
    let id = id.into_inner();
    let held = session
        .remove_as::<PendingReveal>(REVEAL_KEY)
        .and_then(Result::ok)
        .filter(|p| p.key_id == id && p.user_id == who.user.id)
        .filter(|p| clock::now_ms() - p.at_ms < REVEAL_WITHIN_MS)
        .map(|p| (p.secret, p.webhook_secret));
    let actor = who.clone();
    let key_id = id.clone();
    let has_secret = held.is_some();
    let (key, first) = page::state(&req)
        .db
        .run(move |c| {
            let key = service::get_key(c, &actor, &key_id)?;
            let first = has_secret && service::claim_reveal(c, &actor, &key_id)?;
            Ok((key, first))
        })
        .await?;
    let (secret, webhook_secret) = match held.filter(|_| first) {
        Some((secret, webhook)) => (Some(secret), webhook),
        None => (None, None),
    };
    let page = RevealPage {
        layout: Layout::signed_in(&who, &session, "keys"),
        key: KeyRow::of(&key),
        secret,
        webhook_secret,
        base_url: format!("{}/api/v1", crate::state::AppState::origin(&req)),
    };
    Ok(page::ok(&page))
}

// ---------- detail ----------

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
    pub expires: String,
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
    pub usage: super::key_usage::UsagePanel,
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
    let (key, history, webhooks, usage) = page::state(&req)
        .db
        .run(move |c| {
            let key = service::get_key(c, &actor, &id)?;
            let labels = [(key.row.id.clone(), key.row.name.clone())].into();
            let usage = super::key_usage::panel(c, &key, &labels, period, clock::now())?;
            Ok((
                key,
                service::key_history(c, &actor, &id)?,
                crate::webhooks::endpoints::bound_to(c, &actor, &id)?,
                usage,
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
    let page = DetailPage {
        layout: Layout::signed_in(&who, &session, "keys"),
        full_access: key.access == Access::Full,
        permissions,
        allowed_ips: key.allowed_ip_strings(),
        rate_limit: key.row.rate_limit,
        expires: key
            .row
            .expires_at
            .map(clock::display)
            .unwrap_or_else(|| "Never".into()),
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
        can_manage: key.status != KeyStatus::Revoked,
        can_change: key.status != KeyStatus::Revoked
            && (key.mode == Mode::Test || who.role() == Role::Admin),
        // Rolling makes a new pair: live pairs are an Admin's to make, and a key is
        // rolled once (its successor is rolled next).
        can_roll: matches!(key.status, KeyStatus::Active | KeyStatus::Suspended)
            && key.row.rolled_to.is_none()
            && (key.mode == Mode::Test || who.role() == Role::Admin),
        webhooks: webhooks
            .into_iter()
            .map(|e| (e.id, e.url, e.status))
            .collect(),
        expiring: expiring_in(&key, clock::now()),
        usage,
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

// ---------- a key that cannot take the action ----------

#[derive(Template)]
#[template(path = "hub/unavailable.html")]
pub struct UnavailablePage {
    pub layout: Layout,
    pub key: KeyRow,
    /// "edited", "rolled", "revoked".
    pub verb: &'static str,
    pub reason: String,
}

/// Why this key cannot be edited / rolled / revoked by this person now, if it cannot.
fn refusal(who: &Principal, key: &ApiKey, action: &str) -> Option<String> {
    let live_admin_only = key.mode == Mode::Live && who.role() != Role::Admin;
    match action {
        "revoke" if key.status == KeyStatus::Revoked => Some(
            "This key is revoked already: every request made with it is refused. Revoked keys stay listed for the record.".into(),
        ),
        _ if key.status == KeyStatus::Revoked => Some(format!(
            "This key is revoked, so it can no longer be {}. Revoked keys stay listed for the record; create a new key if you need one.",
            if action == "edit" { "edited" } else { "rolled" }
        )),
        "edit" if live_admin_only => Some("Only an Admin can edit a live key.".into()),
        "roll" if live_admin_only => Some("Only an Admin can roll a live key.".into()),
        "roll" if key.row.rolled_to.is_some() => Some(format!(
            "This key was already rolled; roll its successor {} instead.",
            key.row.rolled_to.as_deref().unwrap_or_default()
        )),
        "roll" if key.status == KeyStatus::Expired => {
            Some("This key has expired; only active or suspended keys can be rolled.".into())
        }
        _ => None,
    }
}

fn unavailable(
    who: &Principal,
    session: &Session,
    key: &ApiKey,
    verb: &'static str,
    reason: String,
) -> actix_web::HttpResponse {
    page::render(
        StatusCode::CONFLICT,
        &UnavailablePage {
            layout: Layout::signed_in(who, session, "keys"),
            key: KeyRow::of(key),
            verb,
            reason,
        },
    )
}

// ---------- edit ----------

#[derive(Template)]
#[template(path = "hub/edit.html")]
pub struct EditPage {
    pub layout: Layout,
    pub key: KeyRow,
    pub form: FormState,
    pub matrix: Vec<MatrixGroup>,
    pub full_access: bool,
    pub versions: &'static [&'static str],
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
    let page = EditPage {
        layout: Layout::signed_in(&who, &session, "keys"),
        form,
        matrix: matrix(|r| key.access.level(r)),
        full_access: key.access == Access::Full,
        versions: versions::SUPPORTED,
        key: KeyRow::of(&key),
    };
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
            let page = EditPage {
                layout: Layout::signed_in(&who, &session, "keys"),
                form: form.kept().errors(errors),
                matrix: matrix(|r| form.level(r)),
                full_access: form.full_access(),
                versions: versions::SUPPORTED,
                key: KeyRow::of(&key),
            };
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
        Err(e @ (Error::Invalid(_) | Error::InvalidState(_))) => {
            let (status, errors) = match e {
                Error::Invalid(errors) => (StatusCode::BAD_REQUEST, errors),
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
            let page = EditPage {
                layout: Layout::signed_in(&who, &session, "keys"),
                form: form.kept().errors(errors),
                matrix: matrix(|r| form.level(r)),
                full_access: form.full_access(),
                versions: versions::SUPPORTED,
                key: KeyRow::of(&key),
            };
            Ok(page::render(status, &page))
        }
        Err(e) => Err(e.into()),
    }
}

// ---------- status actions ----------

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RollForm {
    pub(super) grace_period_seconds: String,
}

type StatusChange = fn(&mut DbConn, &Principal, &str, &str) -> Result<ApiKey, Error>;

/// Suspend, reactivate, revoke: check the form, make the change, go to `done(id)`.
async fn change_status(
    req: HttpRequest,
    who: Principal,
    id: String,
    change: StatusChange,
    done: fn(&str) -> String,
) -> Response {
    let (key_id, ip) = (id.clone(), AppState::client_ip(&req));
    page::state(&req)
        .db
        .run(move |c| change(c, &who, &key_id, &ip))
        .await?;
    Ok(page::see_other(&done(&id)))
}

pub async fn suspend_key(
    req: HttpRequest,
    SignedIn(who): SignedIn,
    id: web::Path<String>,
    _: Form<Empty>,
) -> Response {
    change_status(req, who, id.into_inner(), lifecycle::suspend_key, |id| {
        format!("/keys/{id}?done=suspended")
    })
    .await
}

pub async fn reactivate_key(
    req: HttpRequest,
    SignedIn(who): SignedIn,
    id: web::Path<String>,
    _: Form<Empty>,
) -> Response {
    change_status(req, who, id.into_inner(), lifecycle::reactivate_key, |id| {
        format!("/keys/{id}?done=reactivated")
    })
    .await
}

pub async fn revoke_key(
    req: HttpRequest,
    SignedIn(who): SignedIn,
    id: web::Path<String>,
    _: Form<Empty>,
) -> Response {
    change_status(req, who, id.into_inner(), lifecycle::revoke_key, |_| {
        "/keys?done=revoked".into()
    })
    .await
}

#[derive(Template)]
#[template(path = "hub/confirm.html")]
pub struct ConfirmPage {
    pub layout: Layout,
    pub key: KeyRow,
    /// `revoke` or `roll`.
    pub action: &'static str,
    pub grace_choices: Vec<(i64, &'static str)>,
    pub error: Option<String>,
}

/// The roll forms' choices (keys and webhook secrets): seconds and their words.
pub(super) fn grace_choices() -> Vec<(i64, &'static str)> {
    ROLL_GRACE_SECONDS
        .iter()
        .copied()
        .zip(["Immediately", "In 1 hour", "In 24 hours", "In 7 days"])
        .collect()
}

async fn confirm_page(
    req: &HttpRequest,
    session: &Session,
    who: &Principal,
    id: String,
    action: &'static str,
    error: Option<String>,
) -> Result<ConfirmPage, Error> {
    let actor = who.clone();
    let key = page::state(req)
        .db
        .run(move |c| service::get_key(c, &actor, &id))
        .await?;
    Ok(ConfirmPage {
        layout: Layout::signed_in(who, session, "keys"),
        key: KeyRow::of(&key),
        action,
        grace_choices: grace_choices(),
        error,
    })
}

/// The GET of roll and revoke: the confirmation, or why the key cannot take it.
async fn confirm(
    req: HttpRequest,
    session: Session,
    who: Principal,
    id: String,
    action: &'static str,
) -> Response {
    who.require_hub()?;
    let actor = who.clone();
    let key = page::state(&req)
        .db
        .run(move |c| service::get_key(c, &actor, &id))
        .await?;
    if let Some(reason) = refusal(&who, &key, action) {
        return Ok(unavailable(&who, &session, &key, action, reason));
    }
    Ok(page::ok(&ConfirmPage {
        layout: Layout::signed_in(&who, &session, "keys"),
        key: KeyRow::of(&key),
        action,
        grace_choices: grace_choices(),
        error: None,
    }))
}

pub async fn confirm_revoke(
    req: HttpRequest,
    session: Session,
    SignedIn(who): SignedIn,
    id: web::Path<String>,
) -> Response {
    confirm(req, session, who, id.into_inner(), "revoke").await
}

pub async fn confirm_roll(
    req: HttpRequest,
    session: Session,
    SignedIn(who): SignedIn,
    id: web::Path<String>,
) -> Response {
    confirm(req, session, who, id.into_inner(), "roll").await
}

pub async fn roll_key(
    req: HttpRequest,
    session: Session,
    SignedIn(who): SignedIn,
    id: web::Path<String>,
    form: Form<RollForm>,
) -> Response {
    let id = id.into_inner();
    let Ok(grace) = form.grace_period_seconds.parse::<i64>() else {
        let page = confirm_page(
            &req,
            &session,
            &who,
            id,
            "roll",
            Some("Choose when the old key stops working.".into()),
        )
        .await?;
        return Ok(page::render(StatusCode::BAD_REQUEST, &page));
    };
    let (actor, key_id, ip) = (who.clone(), id.clone(), AppState::client_ip(&req));
    match page::state(&req)
        .db
        .run(move |c| {
            lifecycle::roll_key(
                c,
                &actor,
                &key_id,
                grace,
                service::Reveal::OnShowOncePage,
                &ip,
            )
        })
        .await
    {
        Ok(created) => {
            hold_secret(&session, &who, &created, None);
            Ok(page::see_other(&format!(
                "/keys/{}/reveal",
                created.key.row.id
            )))
        }
        Err(Error::Invalid(errors)) => {
            let message = errors.into_values().next();
            let page = confirm_page(&req, &session, &who, id, "roll", message).await?;
            Ok(page::render(StatusCode::BAD_REQUEST, &page))
        }
        Err(e) => Err(e.into()),
    }
}
