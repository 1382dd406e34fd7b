//! `/settings/keys`: the key policy's page (SPEC §17), for Admins. It shows the rules for
//! live keys and how many keys are outside them, and saves changes through the same
//! operation as `PATCH /api/v1/key-policy` (loosening asks for the password again).

use actix_session::Session;
use actix_web::HttpRequest;
use actix_web::http::StatusCode;
use askama::Template;
use serde::Deserialize;

use crate::error::Error;
use crate::keys::Mode;
use crate::keys::key_policy::{self, KeyPolicy, PolicyPatch, RULE_LIFETIME};
use crate::keys::service::{self, KeyFilter};
use crate::state::AppState;
use crate::web::form::{Form, FormState, Response};
use crate::web::page::{self, Layout, SignedIn};

#[derive(Template)]
#[template(path = "settings/keys.html")]
pub struct KeyPolicyPage {
    pub layout: Layout,
    pub form: FormState,
    pub policy: KeyPolicy,
    /// Live keys that break a rule (made before it).
    pub outside: usize,
    pub notice: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

fn form_of(policy: &KeyPolicy) -> FormState {
    let on = |b: bool| if b { "on" } else { "" };
    FormState::default()
        .with(
            RULE_LIFETIME,
            &policy
                .live_max_lifetime_days
                .map(|d| d.to_string())
                .unwrap_or_default(),
        )
        .with(
            "live_require_allowed_ips",
            on(policy.live_require_allowed_ips),
        )
        .with("live_require_signature", on(policy.live_require_signature))
}

/// The policy and the count of live keys outside it.
async fn current(
    req: &HttpRequest,
    who: &crate::accounts::Principal,
) -> Result<(KeyPolicy, usize), Error> {
    let actor = who.clone();
    page::state(req)
        .db
        .run(move |c| {
            let policy = key_policy::get_policy(c, &actor)?;
            let filter = KeyFilter {
                mode: Some(Mode::Live),
                status: None,
            };
            let keys = service::list_keys(c, &actor, &filter)?;
            Ok((policy, keys.iter().filter(|k| k.outside_policy).count()))
        })
        .await
}

pub async fn show_key_policy(
    req: HttpRequest,
    session: Session,
    SignedIn(who): SignedIn,
    q: actix_web::web::Query<DoneQuery>,
) -> Response {
    who.require_admin()?;
    let (policy, outside) = current(&req, &who).await?;
    let page = KeyPolicyPage {
        layout: Layout::signed_in(&who, &session, "key_policy"),
        form: form_of(&policy),
        policy,
        outside,
        notice: (q.done.as_deref() == Some("saved"))
            .then_some("Key policy saved. It applies to live keys created or edited from now on."),
    };
    Ok(page::ok(&page))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PolicyForm {
    live_max_lifetime_days: String,
    live_require_allowed_ips: String,
    live_require_signature: String,
}

pub async fn update_key_policy(
    req: HttpRequest,
    session: Session,
    SignedIn(who): SignedIn,
    form: Form<PolicyForm>,
) -> Response {
    who.require_admin()?;
    let form = form.into_inner();
    let patch = PolicyPatch {
        max_lifetime_days: Some(Some(form.live_max_lifetime_days.clone())),
        require_allowed_ips: Some(form.live_require_allowed_ips == "on"),
        require_signature: Some(form.live_require_signature == "on"),
    };
    let (actor, ip) = (who.clone(), AppState::client_ip(&req));
    match page::state(&req)
        .db
        .run(move |c| key_policy::update_policy(c, &actor, patch, &ip))
        .await
    {
        Ok(_) => Ok(page::see_other("/settings/keys?done=saved")),
        Err(Error::Invalid(errors)) => {
            let (policy, outside) = current(&req, &who).await?;
            let kept = FormState::default()
                .with(RULE_LIFETIME, &form.live_max_lifetime_days)
                .with("live_require_allowed_ips", &form.live_require_allowed_ips)
                .with("live_require_signature", &form.live_require_signature)
                .errors(errors);
            let page = KeyPolicyPage {
                layout: Layout::signed_in(&who, &session, "key_policy"),
                form: kept,
                policy,
                outside,
                notice: None,
            };
            Ok(page::render(StatusCode::BAD_REQUEST, &page))
        }
        Err(e) => Err(e.into()),
    }
}
