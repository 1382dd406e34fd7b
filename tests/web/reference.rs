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

#[tokio::test]
async fn the_reference_has_a_table_of_contents_by_tag_linking_each_operation() {
    let app = spawn_app(Backend::Sqlite).await;
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
