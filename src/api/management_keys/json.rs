//! What the management-key API reads and answers: the create body (with its schema) and
//! the one answer that holds the secret.

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::api::body::{Body, FromBody};
use crate::keys::management::service::{ManagementDraft, ManagementKeyObject, draft_errors};
use crate::keys::management::{MAX_DAYS, Scope};

crate::api::describe::described!(
    ManagementKeyObject,
    NewManagementKey,
    CreateManagementKeyParams
);

fn label() -> utoipa::openapi::schema::Object {
    crate::schema::text(100, true)
}

fn scopes_schema() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(Scope::ALL.map(Scope::as_str))),
        )
        .min_items(Some(1))
        .max_items(Some(Scope::ALL.len()))
        .description(Some(
            "What it may do: `api_keys:read|write`, `webhook_endpoints:read|write` (write includes read).",
        ))
        .build()
}

fn expiry_schema() -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::Integer)
        .minimum(Some(1))
        .maximum(Some(MAX_DAYS))
        .description(Some("Required: days until it stops working, 1 to 90."))
        .build()
}

fn ip_list() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::ArrayBuilder;
    ArrayBuilder::new()
        .items(crate::keys::config::ip_item())
        .max_items(Some(100))
        .description(Some(
            "Addresses or CIDR blocks (no host bits) it may be used from; empty for anywhere.",
        ))
        .build()
}

fn whole(n: &serde_json::Number) -> Option<i64> {
    n.as_i64().or_else(|| {
        n.as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() < 1e15)
            .map(|f| f as i64)
    })
}

/// A new management key.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateManagementKeyParams {
    /// A label, such as "Deploy pipeline".
    #[schema(schema_with = label)]
    pub name: String,
    #[schema(schema_with = scopes_schema)]
    pub scopes: Vec<String>,
    /// Also create and roll live keys (default false). Making a key with it needs a
    /// sign-in from the last 15 minutes.
    pub live: Option<bool>,
    #[schema(schema_with = ip_list)]
    pub allowed_ips: Option<Vec<String>>,
    #[schema(schema_with = expiry_schema)]
    pub expires_in_days: i64,
}

/// What `CreateManagementKeyParams` reads: types here, the rules in the domain.
pub struct NewManagementKeyDraft(pub(super) ManagementDraft);

impl FromBody for NewManagementKeyDraft {
    fn from_body(b: &mut Body) -> Option<Self> {
        let name = b.string("name", false, 1000);
        let scopes = b.strings("scopes", Scope::ALL.len());
        let live = b.bool("live");
        let allowed_ips = b.strings("allowed_ips", 100);
        let expires_in_days = match b.raw("expires_in_days") {
            None | Some(Value::Null) => Some(None),
            // `30.0` is 30, as for every whole number the API reads.
            Some(Value::Number(n)) if whole(&n).is_some() => Some(whole(&n)),
            Some(_) => b.fail_none(
                "expires_in_days",
                &format!("must be a whole number of days from 1 to {MAX_DAYS}"),
            ),
        };
        let draft = ManagementDraft {
            name: name.unwrap_or_default(),
            scopes: scopes.unwrap_or_default(),
            live: live.unwrap_or(false),
            allowed_ips: allowed_ips.unwrap_or_default(),
            expires_in_days: expires_in_days?,
        };
        // Every wrong field at once: the domain's rules too, named beside the types'.
        for (field, message) in draft_errors(&draft) {
            b.error(field, message);
        }
        Some(NewManagementKeyDraft(draft))
    }
}

impl crate::api::describe::BodySchema for NewManagementKeyDraft {
    type Schema = CreateManagementKeyParams;
}

/// A management key just made: the one answer that holds its secret.
#[derive(Serialize, ToSchema)]
pub struct NewManagementKey {
    #[serde(flatten)]
    pub key: ManagementKeyObject,
    /// The management key. It is shown here once and never again.
    #[schema(pattern = "^mk_[0-9A-Za-z]{38}$")]
    pub secret: String,
}
