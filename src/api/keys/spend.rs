//! `spend_limits` in the key-management bodies (SPEC §17): read as typed, each entry an
//! object of `resource`, `currency`, `amount` and `period`, checked by the one validator
//! the Hub's form uses too.

use serde_json::Value;

use crate::api::body::Body;
use crate::keys::spend::{MAX_LIMITS, SpendLimitDraft, check_limits};

/// The limits sent (None: absent; `null` or `[]` is no limits). Every bad entry is named
/// at once in `details.fields.spend_limits`.
pub(super) fn read_spend_limits(b: &mut Body) -> Option<Vec<SpendLimitDraft>> {
    let cleared = b.is_null("spend_limits");
    let Some(value) = b.raw("spend_limits") else {
        return cleared.then(Vec::new);
    };
    let Value::Array(items) = value else {
        return b.fail_none(
            "spend_limits",
            "must be a list of limits such as [{\"resource\":\"payments\",\"currency\":\"usd\",\"amount\":500000,\"period\":\"day\"}]",
        );
    };
    if items.len() > MAX_LIMITS {
        return b.fail_none("spend_limits", &format!("at most {MAX_LIMITS} limits"));
    }
    let mut drafts = Vec::new();
    let mut shape = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let Value::Object(map) = item else {
            shape.push(format!("Limit {} must be an object.", i + 1));
            continue;
        };
        let unknown: Vec<&str> = map
            .keys()
            .map(String::as_str)
            .filter(|k| !["resource", "currency", "amount", "period"].contains(k))
            .collect();
        if !unknown.is_empty() {
            shape.push(format!(
                "Limit {} has unknown fields: {}.",
                i + 1,
                unknown.join(", ")
            ));
        }
        let text = |name: &str| match map.get(name) {
            Some(Value::String(s)) => s.clone(),
            // Anything else cannot parse, and is named by the validator.
            Some(other) => other.to_string(),
            None => String::new(),
        };
        drafts.push(SpendLimitDraft {
            resource: text("resource"),
            currency: text("currency"),
            amount: match map.get("amount") {
                Some(Value::Number(n)) => match crate::api::body::whole_number(n) {
                    Some(whole) => whole.to_string(),
                    None => "not a whole number".into(),
                },
                _ => "not a whole number".into(),
            },
            period: text("period"),
            in_major_units: false,
        });
    }
    let checked = check_limits(&drafts).err();
    let problems: Vec<String> = shape.into_iter().chain(checked).collect();
    if problems.is_empty() {
        Some(drafts)
    } else {
        b.fail_none("spend_limits", &problems.join(" "))
    }
}

/// The schema: a list of limits, at most one per resource, currency and period, each a
/// `SpendLimit` (the shape the key's answer shows them in).
pub(super) fn schema() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::ArrayBuilder;
    ArrayBuilder::new()
        .items(utoipa::openapi::Ref::from_schema_name("SpendLimit"))
        .max_items(Some(MAX_LIMITS))
        .description(Some(
            "Spend limits: at most `amount` (minor units) of payments or refunds in `currency` \
             per UTC hour or day, one limit per resource, currency and period. A payment or \
             refund that would pass one is refused with 403 `spend_limit_exceeded`. Empty or \
             null for none.",
        ))
        .build()
}
