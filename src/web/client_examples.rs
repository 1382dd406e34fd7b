//! The reference's examples in the client libraries (SPEC §16): each operation's call in
//! Python, Node and PHP, derived from its operationId (the library's resource and method),
//! its path parameters (the arguments) and the sample body the curl example sends. The one
//! place that says which method of `sdks/*` an operation is.

use serde_json::{Map, Value};

/// The libraries' resources: the name an operationId gives one (singular, plural) and the
/// resource's snake_case name (`client.api_keys`; `apiKeys` in Node and PHP).
const RESOURCES: &[(&str, &str, &str)] = &[
    ("ApiKey", "ApiKeys", "api_keys"),
    ("WebhookEndpoint", "WebhookEndpoints", "webhook_endpoints"),
    ("WebhookDelivery", "WebhookDeliveries", "webhook_deliveries"),
    ("ManagementKey", "ManagementKeys", "management_keys"),
    ("KeyPolicy", "KeyPolicy", "key_policy"),
    ("ClientSession", "ClientSessions", "client_sessions"),
    ("Customer", "Customers", "customers"),
    ("Payment", "Payments", "payments"),
    ("Refund", "Refunds", "refunds"),
    ("Plan", "Plans", "plans"),
    ("Subscription", "Subscriptions", "subscriptions"),
    ("Balance", "Balance", "balance"),
    ("Event", "Events", "events"),
];

/// Operations no library has, and why (the libraries' coverage tests excuse the same).
pub const NOT_IN_LIBRARIES: &[(&str, &str)] = &[
    (
        "login",
        "signing a person in is the dashboard's job; pass the token it gives to the client as its key",
    ),
    ("logout", "the other half of signing in"),
    (
        "reportLeakedKeys",
        "it is for secret scanners, which send GitHub's format",
    ),
    (
        "retrieveOpenApiDocument",
        "it is the document the libraries are checked against",
    ),
];

/// A library's method for an operation, in snake_case: `payments.refund`,
/// `webhook_endpoints.roll_secret`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub resource: String,
    pub method: String,
}

impl Call {
    /// Whether the method answers a list that pages by itself.
    fn lists(&self) -> bool {
        self.method == "list" || self.method == "search"
    }
}

/// The method for an operation: the resource its operationId names, and its verb
/// (`delete` for every DELETE; `retrieve…Usage` is `usage`) followed by what comes after
/// the resource's name (`rollWebhookEndpointSecret` → `roll_secret`). `None` for an
/// operation no library has.
pub fn call(operation_id: &str, http_method: &str) -> Option<Call> {
    if NOT_IN_LIBRARIES.iter().any(|(id, _)| *id == operation_id) {
        return None;
    }
    if operation_id == "whoami" {
        return Some(Call {
            resource: "whoami".into(),
            method: "retrieve".into(),
        });
    }
    let split = operation_id.find(|c: char| c.is_ascii_uppercase())?;
    let (verb, rest) = operation_id.split_at(split);
    let (name, resource) = RESOURCES
        .iter()
        .flat_map(|(one, many, snake)| [(*one, *snake), (*many, *snake)])
        .filter(|(name, _)| rest.starts_with(name))
        .max_by_key(|(name, _)| name.len())?;
    let suffix = snake(&rest[name.len()..]);
    let method = if http_method.eq_ignore_ascii_case("delete") {
        "delete".to_owned()
    } else if suffix.is_empty() {
        verb.to_owned()
    } else if verb == "retrieve" {
        suffix
    } else {
        format!("{verb}_{suffix}")
    };
    Some(Call {
        resource: resource.to_owned(),
        method,
    })
}

/// One example: the language's name on the page, a slug for its test id, the code.
pub struct Example {
    pub language: &'static str,
    pub slug: &'static str,
    pub code: String,
}

/// The operation in each library; `args` are the path parameters' sample values in path
/// order, `body` the sample parameters (body or query), `token` whether it takes a user
/// token (then the client is `user`, else `client`). Empty when no library has it.
pub fn examples(
    operation_id: &str,
    http_method: &str,
    args: &[Value],
    body: &Map<String, Value>,
    token: bool,
) -> Vec<Example> {
    let Some(call) = call(operation_id, http_method) else {
        return Vec::new();
    };
    let mut params = body.clone();
    if call.lists() && !params.contains_key("limit") {
        params.insert("limit".into(), 10.into());
    }
    let who = if token { "user" } else { "client" };
    vec![
        Example {
            language: "Python",
            slug: "python",
            code: python(&call, who, args, &params),
        },
        Example {
            language: "Node",
            slug: "node",
            code: node(&call, who, args, &params),
        },
        Example {
            language: "PHP",
            slug: "php",
            code: php(&call, who, args, &params),
        },
    ]
}

/// How each library is made, shown once above the operations.
pub fn setup(origin: &str) -> Vec<Example> {
    vec![
        Example {
            language: "Python",
            slug: "python",
            code: format!(
                "# pip install ./sdks/python\nimport os, paydesk\n\nclient = paydesk.Paydesk(os.environ[\"PAYDESK_SECRET_KEY\"], base_url=\"{origin}\")\n# Key management: a user token (POST /api/v1/auth/login) or a management key.\nuser = paydesk.Paydesk(os.environ[\"PAYDESK_USER_TOKEN\"], base_url=\"{origin}\")"
            ),
        },
        Example {
            language: "Node",
            slug: "node",
            code: format!(
                "// npm install ./sdks/node\nimport {{ Paydesk }} from \"paydesk\";\n\nconst client = new Paydesk(process.env.PAYDESK_SECRET_KEY, {{ baseUrl: \"{origin}\" }});\n// Key management: a user token (POST /api/v1/auth/login) or a management key.\nconst user = new Paydesk(process.env.PAYDESK_USER_TOKEN, {{ baseUrl: \"{origin}\" }});"
            ),
        },
        Example {
            language: "PHP",
            slug: "php",
            code: format!(
                "// composer install (in sdks/php), then require 'vendor/autoload.php';\n$client = new \\Paydesk\\PaydeskClient(getenv('PAYDESK_SECRET_KEY'), ['base_url' => '{origin}']);\n// Key management: a user token (POST /api/v1/auth/login) or a management key.\n$user = new \\Paydesk\\PaydeskClient(getenv('PAYDESK_USER_TOKEN'), ['base_url' => '{origin}']);"
            ),
        },
    ]
}

/// `AtPeriodEnd` → `at_period_end`.
fn snake(camel: &str) -> String {
    let mut out = String::new();
    for (i, c) in camel.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// `roll_secret` → `rollSecret`.
fn camel(snake: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn python(call: &Call, who: &str, args: &[Value], params: &Map<String, Value>) -> String {
    let mut parts: Vec<String> = args.iter().map(py_value).collect();
    parts.extend(params.iter().map(|(k, v)| format!("{k}={}", py_value(v))));
    let expr = format!(
        "{who}.{}.{}({})",
        call.resource,
        call.method,
        parts.join(", ")
    );
    if call.lists() {
        format!("for item in {expr}.auto_paging_iter():\n    print(item.id)")
    } else {
        format!("result = {expr}")
    }
}

fn node(call: &Call, who: &str, args: &[Value], params: &Map<String, Value>) -> String {
    let method = match call.method.as_str() {
        "delete" => "del".to_owned(),
        m => camel(m),
    };
    let mut parts: Vec<String> = args.iter().map(js_value).collect();
    if !params.is_empty() {
        parts.push(js_value(&Value::Object(params.clone())));
    }
    let expr = format!(
        "{who}.{}.{method}({})",
        camel(&call.resource),
        parts.join(", ")
    );
    if call.lists() {
        format!("for await (const item of {expr}) {{\n  console.log(item.id);\n}}")
    } else {
        format!("const result = await {expr};")
    }
}

fn php(call: &Call, who: &str, args: &[Value], params: &Map<String, Value>) -> String {
    let method = match call.method.as_str() {
        "list" => "all".to_owned(),
        m => camel(m),
    };
    let mut parts: Vec<String> = args.iter().map(php_value).collect();
    if !params.is_empty() {
        parts.push(php_value(&Value::Object(params.clone())));
    }
    let expr = format!(
        "${who}->{}->{method}({})",
        camel(&call.resource),
        parts.join(", ")
    );
    if call.lists() {
        format!(
            "foreach ({expr}->autoPagingIterator() as $item) {{\n    echo $item->id, \"\\n\";\n}}"
        )
    } else {
        format!("$result = {expr};")
    }
}

fn py_value(v: &Value) -> String {
    match v {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Array(items) => format!("[{}]", join(items.iter().map(py_value))),
        Value::Object(map) => format!(
            "{{{}}}",
            join(
                map.iter()
                    .map(|(k, v)| format!("{}: {}", Value::from(k.as_str()), py_value(v)))
            )
        ),
        // JSON's numbers and strings are Python's.
        other => other.to_string(),
    }
}

fn js_value(v: &Value) -> String {
    match v {
        Value::Array(items) => format!("[{}]", join(items.iter().map(js_value))),
        Value::Object(map) if map.is_empty() => "{}".into(),
        Value::Object(map) => format!(
            "{{ {} }}",
            join(map.iter().map(|(k, v)| {
                let key = if is_identifier(k) {
                    k.clone()
                } else {
                    Value::from(k.as_str()).to_string()
                };
                format!("{key}: {}", js_value(v))
            }))
        ),
        other => other.to_string(),
    }
}

fn php_value(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::String(s) => php_string(s),
        Value::Array(items) => format!("[{}]", join(items.iter().map(php_value))),
        Value::Object(map) => format!(
            "[{}]",
            join(
                map.iter()
                    .map(|(k, v)| format!("{} => {}", php_string(k), php_value(v)))
            )
        ),
        other => other.to_string(),
    }
}

fn php_string(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
}

fn join(parts: impl Iterator<Item = String>) -> String {
    parts.collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn of(id: &str, method: &str) -> String {
        let c = call(id, method).unwrap();
        format!("{}.{}", c.resource, c.method)
    }

    #[test]
    fn operation_ids_name_their_resource_and_method() {
        assert_eq!(of("createCustomer", "post"), "customers.create");
        assert_eq!(of("searchSubscriptions", "get"), "subscriptions.search");
        assert_eq!(
            of("cancelSubscriptionAtPeriodEnd", "post"),
            "subscriptions.cancel_at_period_end"
        );
        assert_eq!(of("revokeApiKey", "delete"), "api_keys.delete");
        assert_eq!(of("retrieveApiKeyUsage", "get"), "api_keys.usage");
        assert_eq!(
            of("rollWebhookEndpointSecret", "post"),
            "webhook_endpoints.roll_secret"
        );
        assert_eq!(
            of("listWebhookDeliveries", "get"),
            "webhook_deliveries.list"
        );
        assert_eq!(of("updateKeyPolicy", "patch"), "key_policy.update");
        assert_eq!(of("whoami", "get"), "whoami.retrieve");
        assert_eq!(call("login", "post"), None);
        assert_eq!(call("frobnicateWidget", "post"), None);
    }

    #[test]
    fn each_language_writes_the_call_in_its_idiom() {
        let body = json!({"email": "jenny@example.com", "metadata": {"it's": true}});
        let body = body.as_object().unwrap();
        let ex = examples("updateCustomer", "patch", &[json!("cus_123")], body, false);
        assert_eq!(
            ex[0].code,
            r#"result = client.customers.update("cus_123", email="jenny@example.com", metadata={"it's": True})"#
        );
        assert_eq!(
            ex[1].code,
            r#"const result = await client.customers.update("cus_123", { email: "jenny@example.com", metadata: { "it's": true } });"#
        );
        assert_eq!(
            ex[2].code,
            r#"$result = $client->customers->update('cus_123', ['email' => 'jenny@example.com', 'metadata' => ['it\'s' => true]]);"#
        );
        let gone = examples(
            "revokeApiKey",
            "delete",
            &[json!("key_1")],
            &Map::new(),
            true,
        );
        assert!(gone[1].code.contains("user.apiKeys.del(\"key_1\")"));
        assert!(gone[2].code.contains("$user->apiKeys->delete('key_1')"));
        let list = examples("listCustomers", "get", &[], &Map::new(), false);
        assert!(
            list[0]
                .code
                .contains("client.customers.list(limit=10).auto_paging_iter()")
        );
        assert!(
            list[1]
                .code
                .contains("for await (const item of client.customers.list({ limit: 10 }))")
        );
        assert!(
            list[2]
                .code
                .contains("$client->customers->all(['limit' => 10])->autoPagingIterator()")
        );
    }
}
