//! `/docs/api`, the API reference (SPEC §11, §14): every operation with a curl example,
//! under its tag's heading, reached from a table of contents grouped by tag.

use serde_json::Value;

use crate::support::*;

#[tokio::test]
async fn the_api_reference_shows_every_operation_with_a_curl_example() {
    let app = spawn_app(Backend::Sqlite).await;
    // Public, like the document it renders.
    let html = app.get_html("/docs/api").await;
    let table = paydesk::api::routes::table();
    for e in &table {
        let id = e.id;
        let at = html
            .find(&format!("id=\"{id}\""))
            .unwrap_or_else(|| panic!("{} {} missing", e.method, e.path));
        let article = &html[at..at + html[at..].find("</article>").unwrap()];
        assert!(article.contains(&format!("{} /api/v1{}", e.method, e.path)));
        assert!(
            article.contains(&format!("curl {}/api/v1", app.address))
                || article.contains(&format!("curl -X {} {}/api/v1", e.method, app.address)),
            "{id}: no curl example"
        );
    }
    assert_eq!(
        html.matches("data-testid=\"operation\"").count(),
        table.len() + 2
    );
    assert!(html.contains("sk_test_") && html.contains("invalid_api_key"));
    // Signed in, the header links to it.
    app.setup_admin().await;
    let overview = app.get_html("/").await;
    assert!(overview.contains("href=\"/docs/api\""));
}

/// The `href="#…"` targets in `html`, in order.
fn anchors(html: &str) -> Vec<&str> {
    html.split("href=\"#")
        .skip(1)
        .map(|rest| &rest[..rest.find('"').unwrap()])
        .collect()
}

/// The reference page and the OpenAPI document it is drawn from, as one server serves them.
async fn page_and_document(app: &TestApp) -> (String, Value) {
    let html = app.get_html("/docs/api").await;
    let doc: Value = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    (html, doc)
}

#[tokio::test]
async fn the_reference_has_a_table_of_contents_by_tag_linking_each_operation() {
    let app = spawn_app(Backend::Sqlite).await;
    let (html, doc) = page_and_document(&app).await;

    // The contents come first: before the first operation.
    let start = html
        .find("data-testid=\"toc\"")
        .expect("a table of contents");
    let end = start + html[start..].find("</nav>").unwrap();
    assert!(end < html.find("data-testid=\"operation\"").unwrap());
    let toc = &html[start..end];
    let links = anchors(toc);

    // Each tag of the document is a heading of the page, in the document's order, linked
    // from the contents; its operations follow it, each linked from the contents under
    // that tag's entry.
    let mut previous_heading = 0;
    for tag in doc["tags"].as_array().unwrap() {
        let name = tag["name"].as_str().unwrap();
        let anchor = format!("tag-{}", name.to_lowercase().replace(' ', "-"));
        let heading = format!("<h2 id=\"{anchor}\">{name}</h2>");
        let at = html
            .find(&heading)
            .unwrap_or_else(|| panic!("no heading {heading}"));
        assert!(at > previous_heading, "{name} out of order");
        previous_heading = at;
        let entry = toc
            .find(&format!("href=\"#{anchor}\""))
            .unwrap_or_else(|| panic!("{name} is not in the contents"));
        let entry_end = entry + toc[entry..].find("</ul>").unwrap();
        let next_heading = html[at + 1..]
            .find("<h2 ")
            .map_or(html.len(), |n| at + 1 + n);
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                if op["tags"][0] != name {
                    continue;
                }
                let id = op["operationId"].as_str().unwrap();
                let link = format!("href=\"#{id}\"");
                assert!(
                    toc[entry..entry_end].contains(&link),
                    "{method} {path} ({id}) is not under {name} in the contents"
                );
                let article = html
                    .find(&format!("<article class=\"card operation\" id=\"{id}\""))
                    .unwrap_or_else(|| panic!("no article {id}"));
                assert!(
                    article > at && article < next_heading,
                    "{id} is not in the {name} section"
                );
            }
        }
    }
    // Every link of the contents lands on one element of the page.
    assert!(links.len() > 50, "{} links", links.len());
    for target in links {
        assert_eq!(
            html.matches(&format!("id=\"{target}\"")).count(),
            1,
            "#{target} names {} elements",
            html.matches(&format!("id=\"{target}\"")).count()
        );
    }
    assert!(toc.contains("Create a customer") && toc.contains("POST /customers"));

    // Each cell of the field tables is labelled with its column, for the stacked rows a
    // phone shows; the page's own stylesheet is served.
    let cells = html.matches("<td").count();
    assert!(cells > 100, "{cells} cells");
    assert_eq!(html.matches("<td data-label=\"").count(), cells);
    assert!(html.contains("<link rel=\"stylesheet\" href=\"/static/reference.css\">"));
    let css = app.get("/static/reference.css").await;
    assert_eq!(css.status(), 200);
    assert!(
        css.text()
            .await
            .unwrap()
            .contains(".reference table.fields")
    );
}

/// Each operation's method in the client libraries (SPEC §16), as `sdks/python` names it
/// (`paydesk.OPERATIONS`); Node and PHP write the same in camelCase, with `del` (Node) for
/// a DELETE and `all` (PHP) for `list`.
const LIBRARY_METHODS: &[(&str, &str)] = &[
    ("listApiKeys", "api_keys.list"),
    ("createApiKey", "api_keys.create"),
    ("retrieveApiKey", "api_keys.retrieve"),
    ("updateApiKey", "api_keys.update"),
    ("revokeApiKey", "api_keys.delete"),
    ("suspendApiKey", "api_keys.suspend"),
    ("reactivateApiKey", "api_keys.reactivate"),
    ("rollApiKey", "api_keys.roll"),
    ("retrieveApiKeyUsage", "api_keys.usage"),
    ("listWebhookEndpoints", "webhook_endpoints.list"),
    ("createWebhookEndpoint", "webhook_endpoints.create"),
    ("retrieveWebhookEndpoint", "webhook_endpoints.retrieve"),
    ("updateWebhookEndpoint", "webhook_endpoints.update"),
    ("deleteWebhookEndpoint", "webhook_endpoints.delete"),
    ("rollWebhookEndpointSecret", "webhook_endpoints.roll_secret"),
    ("testWebhookEndpoint", "webhook_endpoints.test"),
    ("listWebhookDeliveries", "webhook_deliveries.list"),
    ("resendWebhookDelivery", "webhook_deliveries.resend"),
    ("whoami", "whoami.retrieve"),
    ("createClientSession", "client_sessions.create"),
    ("updateClientSession", "client_sessions.update"),
    ("listCustomers", "customers.list"),
    ("createCustomer", "customers.create"),
    ("retrieveCustomer", "customers.retrieve"),
    ("updateCustomer", "customers.update"),
    ("listPlans", "plans.list"),
    ("createPlan", "plans.create"),
    ("retrievePlan", "plans.retrieve"),
    ("listPayments", "payments.list"),
    ("createPayment", "payments.create"),
    ("retrievePayment", "payments.retrieve"),
    ("refundPayment", "payments.refund"),
    ("listRefunds", "refunds.list"),
    ("retrieveRefund", "refunds.retrieve"),
    ("retrieveBalance", "balance.retrieve"),
    ("searchSubscriptions", "subscriptions.search"),
    ("createSubscription", "subscriptions.create"),
    ("updateSubscriptionByBody", "subscriptions.update_by_body"),
    ("retrieveSubscription", "subscriptions.retrieve"),
    ("updateSubscription", "subscriptions.update"),
    ("cancelSubscription", "subscriptions.cancel"),
    (
        "cancelSubscriptionAtPeriodEnd",
        "subscriptions.cancel_at_period_end",
    ),
    ("listEvents", "events.list"),
    ("retrieveEvent", "events.retrieve"),
    ("listManagementKeys", "management_keys.list"),
    ("createManagementKey", "management_keys.create"),
    ("retrieveManagementKey", "management_keys.retrieve"),
    ("revokeManagementKey", "management_keys.delete"),
    ("suspendManagementKey", "management_keys.suspend"),
    ("reactivateManagementKey", "management_keys.reactivate"),
    ("retrieveKeyPolicy", "key_policy.retrieve"),
    ("updateKeyPolicy", "key_policy.update"),
];

fn camel(snake: &str) -> String {
    let mut parts = snake.split('_');
    let first = parts.next().unwrap_or("").to_owned();
    parts.fold(first, |mut out, p| {
        let mut chars = p.chars();
        if let Some(c) = chars.next() {
            out.push(c.to_ascii_uppercase());
            out.extend(chars);
        }
        out
    })
}

/// The text of the `<code>` inside the element marked `data-testid="{testid}"` in
/// `article`, unescaped.
fn example_in(article: &str, testid: &str) -> Option<String> {
    let at = article.find(&format!("data-testid=\"{testid}\""))?;
    let code = at + article[at..].find("<code>")? + "<code>".len();
    let end = code + article[code..].find("</code>")?;
    Some(
        article[code..end]
            .replace("&#60;", "<")
            .replace("&lt;", "<")
            .replace("&#62;", ">")
            .replace("&gt;", ">")
            .replace("&#34;", "\"")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&#x27;", "'")
            .replace("&amp;", "&"),
    )
}

#[tokio::test]
async fn every_operation_shows_curl_python_node_and_php() {
    let app = spawn_app(Backend::Sqlite).await;
    let (html, doc) = page_and_document(&app).await;
    let excused = paydesk::web::client_examples::NOT_IN_LIBRARIES;
    let mut shown = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap();
            let at = html
                .find(&format!("<article class=\"card operation\" id=\"{id}\""))
                .unwrap_or_else(|| panic!("no article {id}"));
            let article = &html[at..at + html[at..].find("</article>").unwrap()];
            assert!(article.contains("data-testid=\"curl\""), "{id}: no curl");
            if excused.iter().any(|(e, _)| *e == id) {
                assert!(
                    article.contains("data-testid=\"not-in-libraries\""),
                    "{id}: says nothing of the libraries"
                );
                assert!(!article.contains("data-testid=\"example-"));
                continue;
            }
            let (_, target) = LIBRARY_METHODS
                .iter()
                .find(|(op, _)| *op == id)
                .unwrap_or_else(|| panic!("{method} {path} ({id}) has no library method"));
            let (resource, name) = target.split_once('.').unwrap();
            let python = example_in(article, "example-python")
                .unwrap_or_else(|| panic!("{id}: no Python example"));
            let node = example_in(article, "example-node")
                .unwrap_or_else(|| panic!("{id}: no Node example"));
            let php = example_in(article, "example-php")
                .unwrap_or_else(|| panic!("{id}: no PHP example"));
            let node_method = if name == "delete" {
                "del".to_owned()
            } else {
                camel(name)
            };
            let php_method = if name == "list" {
                "all".to_owned()
            } else {
                camel(name)
            };
            assert!(
                python.contains(&format!(".{resource}.{name}(")),
                "{id}: {python}"
            );
            assert!(
                node.contains(&format!(".{}.{node_method}(", camel(resource))),
                "{id}: {node}"
            );
            assert!(
                php.contains(&format!("->{}->{php_method}(", camel(resource))),
                "{id}: {php}"
            );
            // A user token's operations are called on the `user` client.
            let token = op["security"].to_string().contains("UserToken");
            assert_eq!(python.contains("user."), token, "{id}: {python}");
            // The path's parameters are the arguments, in order.
            if path.contains("{id}") {
                assert!(
                    python.contains("(\"") && php.contains("('"),
                    "{id}: {python}"
                );
            }
            shown += 1;
        }
    }
    assert!(shown >= 44, "{shown} operations with examples");
    // The clients are made once, above the operations, from this server's address.
    let setup = example_in(&html, "setup-python").unwrap();
    assert!(setup.contains(&format!(
        "paydesk.Paydesk(os.environ[\"PAYDESK_SECRET_KEY\"], base_url=\"{}\")",
        app.address
    )));
    assert!(
        example_in(&html, "setup-node")
            .unwrap()
            .contains("new Paydesk(process.env.PAYDESK_SECRET_KEY")
    );
    assert!(
        example_in(&html, "setup-php")
            .unwrap()
            .contains("new \\Paydesk\\PaydeskClient(getenv('PAYDESK_SECRET_KEY')")
    );
    let create = &html[html.find("id=\"createCustomer\"").unwrap()..];
    assert_eq!(
        example_in(create, "example-python").unwrap(),
        "result = client.customers.create(email=\"jenny@example.com\")"
    );
}

#[tokio::test]
async fn a_named_object_type_shows_its_fields_under_it_in_a_line() {
    let app = spawn_app(Backend::Sqlite).await;
    let html = app.get_html("/docs/api").await;
    let at = html.find("id=\"createApiKey\"").unwrap();
    let article = &html[at..at + html[at..].find("</article>").unwrap()];
    let row = |field: &str| {
        let from = article
            .find(&format!("<code>{field}</code></td>"))
            .unwrap_or_else(|| panic!("{field}: {article}"));
        &article[from..from + article[from..].find("</tr>").unwrap()]
    };
    // A spend limit's four fields, under "list of SpendLimit".
    let limits = row("spend_limits");
    assert!(limits.contains("list of SpendLimit"), "{limits}");
    let parts = &limits[limits.find("class=\"hint parts\"").expect("its fields")..];
    for field in ["resource", "currency", "amount", "period"] {
        assert!(
            parts.contains(&format!("<code>{field}</code>")),
            "{field}: {parts}"
        );
    }
    assert!(
        parts.contains("<code>payments</code>") && parts.contains("<code>day</code>"),
        "{parts}"
    );
    // Permissions: the resources of one level set together, not a line each.
    let permissions = row("permissions");
    let parts = &permissions[permissions
        .find("class=\"hint parts\"")
        .expect("its fields")..];
    assert!(
        parts.contains("<code>customers</code>") && parts.contains("<code>payments</code>"),
        "{parts}"
    );
    assert!(parts.matches("one of").count() <= 3, "{parts}");
    // A named string says nothing more; and the lines stay a small share of the page.
    assert!(!row("allowed_ips").contains("class=\"hint parts\""));
    let added: usize = html
        .split("<p class=\"hint parts\">")
        .skip(1)
        .map(|rest| rest.find("</p>").unwrap())
        .sum();
    assert!(added * 20 < html.len(), "{added} of {} bytes", html.len());
}
