//! API versions (SPEC §5). Responses are built in the current version's shape; for an
//! older version they are transformed down one step at a time, so a new version is one
//! new step here rather than edits across handlers.

use serde_json::Value;

pub const CURRENT: &str = "2026-05-27";
/// Newest first.
pub const SUPPORTED: &[&str] = &["2026-05-27", "2025-06-01"];
pub const DEPRECATED: &[&str] = &["2025-06-01"];

pub fn is_supported(v: &str) -> bool {
    SUPPORTED.contains(&v)
}

/// A `Paydesk-Version` value (surrounding white space ignored) as one of the supported
/// versions; None for anything else. Never panics.
pub fn parse(header: &str) -> Option<&'static str> {
    let asked = header.trim();
    SUPPORTED.iter().copied().find(|v| *v == asked)
}

pub fn is_deprecated(v: &str) -> bool {
    DEPRECATED.contains(&v)
}

/// Turns a body shaped for `from` into the shape of `to`, the version just before it.
struct Step {
    from: &'static str,
    to: &'static str,
    apply: fn(&mut Value),
}

const STEPS: &[Step] = &[Step {
    from: "2026-05-27",
    to: "2025-06-01",
    apply: succeeded_payments_read_paid,
}];

/// Rewrites `body` (current shape) into `target`'s shape. Unknown targets are left alone:
/// versions are checked before any handler runs.
pub fn downgrade(body: &mut Value, target: &str) {
    let mut at = CURRENT;
    while at != target {
        let Some(step) = STEPS.iter().find(|s| s.from == at) else {
            return;
        };
        (step.apply)(body);
        at = step.to;
    }
}

/// 2025-06-01 called a successful payment `paid`, wherever a payment appears (objects,
/// lists, events' `data.object`).
fn succeeded_payments_read_paid(v: &mut Value) {
    match v {
        Value::Object(map) => {
            let is_payment = map.get("object").and_then(Value::as_str) == Some("payment");
            if is_payment && map.get("status").and_then(Value::as_str) == Some("succeeded") {
                map.insert("status".into(), Value::String("paid".into()));
            }
            map.values_mut().for_each(succeeded_payments_read_paid);
        }
        Value::Array(items) => items.iter_mut().for_each(succeeded_payments_read_paid),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_version_header_is_a_supported_version_or_none(header in ".{0,40}") {
            if let Some(v) = parse(&header) {
                prop_assert!(SUPPORTED.contains(&v));
                prop_assert_eq!(header.trim(), v);
            }
        }
    }

    use super::*;
    use serde_json::json;

    #[test]
    fn succeeded_payments_read_paid_only_under_2025_06_01() {
        let body = json!({"ok": true, "data": {"object": "list", "data": [
            {"object": "payment", "status": "succeeded"},
            {"object": "payment", "status": "failed"},
            {"object": "refund", "status": "succeeded"},
            {"object": "event", "data": {"object": {"object": "payment", "status": "succeeded"}}},
        ]}});
        let mut old = body.clone();
        downgrade(&mut old, "2025-06-01");
        let items = &old["data"]["data"];
        assert_eq!(items[0]["status"], "paid");
        assert_eq!(items[1]["status"], "failed");
        assert_eq!(items[2]["status"], "succeeded");
        assert_eq!(items[3]["data"]["object"]["status"], "paid");
        let mut current = body.clone();
        downgrade(&mut current, CURRENT);
        assert_eq!(current, body);
    }

    #[test]
    fn every_supported_version_is_reachable_by_steps() {
        for v in SUPPORTED {
            let mut at = CURRENT;
            while at != *v {
                at = STEPS.iter().find(|s| s.from == at).expect("a step down").to;
            }
        }
    }
}
