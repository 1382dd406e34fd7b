//! How pages show things (SPEC §14, "Phones" and "Laptops"): every table cell names its
//! column for the stacked phone layout, times are one format in `<time datetime>`, and a
//! request's latency never reads "0 ms".

use serde_json::json;

use crate::logs::{api_key, call, page_showing};
use crate::on_both_backends;

/// Every data cell of a `.table` with column headers carries `data-label` (what the
/// phone layout prints before the value), unless it spans the row (an empty state), and
/// every such table sits in a `.table-scroll` box (focusable, so it scrolls by keyboard).
/// Read from the templates, so a new page's table is checked without being visited.
#[test]
fn every_data_cell_of_a_table_names_its_column() {
    let mut missing = vec![];
    let mut checked = 0;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut dirs = vec![root];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for table in text.split("<table").skip(1) {
                let table = table.split("</table>").next().unwrap();
                // The permission matrix lays itself out (a grid per resource).
                let tag = table.split('>').next().unwrap();
                if !tag.starts_with(" class=\"table")
                    || tag.contains("data-own-layout")
                    || !table.contains("<thead")
                {
                    continue;
                }
                // Wide tables scroll inside their own box, never the page.
                let before = text[..text.find(&format!("<table{tag}>")).unwrap()].trim_end();
                if !before.ends_with(r#"<div class="table-scroll" tabindex="0">"#) {
                    missing.push(format!(
                        "{}: <table{tag}> outside a .table-scroll",
                        path.display()
                    ));
                }
                let body = table.split("</thead>").nth(1).unwrap_or("");
                for cell in body.split("<td").skip(1) {
                    let tag = cell.split('>').next().unwrap();
                    checked += 1;
                    if !tag.contains("data-label=") && !tag.contains("colspan") {
                        missing.push(format!("{}: <td{tag}>", path.display()));
                    }
                }
            }
        }
    }
    assert!(
        checked > 50,
        "the templates' tables were read ({checked} cells)"
    );
    assert!(
        missing.is_empty(),
        "tables outside .table-scroll, cells without data-label:\n{}",
        missing.join("\n")
    );
}

on_both_backends! {
    async fn times_read_one_way_in_a_time_element_and_latency_is_never_zero(app) {
        app.setup_admin().await;
        let token = app.api_token("admin@acme.test").await;
        let (id, secret) = api_key(&app, &token, json!({"name": "Reader", "permissions": {"customers": "read"}})).await;
        let (_, request) = call(&app, &secret, reqwest::Method::GET, "/api/v1/customers").await;

        let line = page_showing(&app, &format!("/logs/{request}"), &request).await;
        let start = line.find("<time datetime=\"").expect("the time is a <time> element") + 16;
        let machine = &line[start..start + line[start..].find('"').unwrap()];
        let shown = &line[start + machine.len() + 2..start + line[start..].find("</time>").unwrap()];
        // 2026-12-02T02:49:36.123Z (a log line keeps its milliseconds) and 2026-12-02 02:49:36 UTC.
        assert!(machine.ends_with('Z') && machine.len() == 24, "{machine}");
        assert_eq!(shown, format!("{} {} UTC", &machine[..10], &machine[11..19]));

        // The latency is measured in microseconds: a request always takes some.
        let row = &line[line.find(">Latency<").unwrap()..];
        let cell = &row[row.find("<td>").unwrap() + 4..row.find("</td>").unwrap()];
        assert!(cell.ends_with(" ms") && cell != "0 ms", "{cell}");
        let number: f64 = cell.trim_end_matches(" ms").parse().unwrap();
        assert!(number > 0.0, "{cell}");
        if number < 10.0 {
            let digits: String = cell.chars().filter(char::is_ascii_digit).collect();
            assert_eq!(digits.trim_start_matches('0').len(), 2, "two significant digits: {cell}");
        }

        // The same format on the key's page, the team and the audit log.
        for page in [format!("/keys/{id}"), "/team".into(), "/audit".into()] {
            let html = app.get_html(&page).await;
            let at = html.find("<time datetime=\"").unwrap_or_else(|| panic!("{page} shows a <time>"));
            let element = &html[at..at + html[at..].find("</time>").unwrap()];
            assert!(element.contains("Z\">") && element.ends_with(" UTC"), "{page}: {element}");
            assert!(!html.contains("Time (UTC)"), "{page}: the times say UTC themselves");
        }
    }
}
