//! Server-drawn bar charts (SPEC §10, §14), the one way pages draw them (the overview's
//! payments, a key's requests): stacked bars in an accessible SVG (`role="img"`, a title
//! and a description), no script and no external asset, with labelled axes — time along
//! x (first and last bucket, and what a bucket is), the count along y (0 and the tallest
//! bar) — and an empty state that says so instead of an axis up to a lone "1". The axis
//! labels are HTML beside the SVG, so they stay readable at any width while the bars
//! stretch. The numbers are also given to the page as a table for screen readers.

use std::fmt::Write;

/// One bar: its label (a day, an hour) and a value per series.
pub struct Bar {
    pub label: String,
    pub values: Vec<i64>,
}

/// What a chart says about itself.
pub struct Spec<'a> {
    /// Prefix of the title's and description's ids (`{id}-title`, `{id}-desc`).
    pub id: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    /// Each series' name (for a bar's tooltip) and CSS class (its colour: the stylesheet
    /// holds colours, so the CSP needs no inline style).
    pub series: &'a [(&'a str, &'a str)],
    /// What the x axis counts in: `Day (UTC)`, `Hour (UTC)`.
    pub x_title: &'a str,
    /// What the bars count: `Payments`, `Requests`.
    pub y_title: &'a str,
    /// Shown in place of the bars when every value is zero.
    pub empty: &'a str,
}

/// A chart ready for a template: `html` is markup built here from numbers and escaped
/// text only, so the template may output it unescaped (`|safe`).
pub struct Chart {
    pub html: String,
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A stacked bar chart of `bars`, one value per series in each.
pub fn stacked(spec: &Spec, bars: &[Bar]) -> Chart {
    const W: f64 = 600.0;
    const H: f64 = 160.0;
    let top = bars
        .iter()
        .map(|b| b.values.iter().sum::<i64>())
        .max()
        .unwrap_or(0);
    let mut html = String::from(r#"<figure class="chart-box">"#);
    if top <= 0 {
        let _ = write!(
            html,
            r#"<p class="chart-empty" id="{id}-desc" data-testid="{id}-empty">{}</p></figure>"#,
            escape(spec.empty),
            id = spec.id,
        );
        return Chart { html };
    }
    let _ = write!(
        html,
        r#"<div class="chart-y" aria-hidden="true"><span class="chart-y-title">{}</span><span class="chart-max">{top}</span><span class="chart-zero">0</span></div>"#,
        escape(spec.y_title)
    );
    let _ = write!(
        html,
        r#"<svg role="img" aria-labelledby="{id}-title {id}-desc" class="chart" viewBox="0 0 {W} {H}" preserveAspectRatio="none" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        escape(spec.title),
        escape(spec.description),
        id = spec.id,
    );
    // The axes: y at the left edge, x along the bottom, and a faint line at the maximum.
    let _ = write!(
        html,
        r#"<line class="grid" x1="0" y1="0.5" x2="{W}" y2="0.5"/><line class="axis" x1="0.5" y1="0" x2="0.5" y2="{H}"/><line class="axis" x1="0" y1="{y}" x2="{W}" y2="{y}"/>"#,
        y = H - 0.5
    );
    let step = W / bars.len().max(1) as f64;
    for (i, bar) in bars.iter().enumerate() {
        let x = i as f64 * step + step * 0.15;
        let mut y = H;
        for (value, (name, class)) in bar.values.iter().zip(spec.series) {
            if *value <= 0 {
                continue;
            }
            let h = (*value as f64 / top as f64) * H;
            y -= h;
            let _ = write!(
                html,
                r#"<rect class="{class}" x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}"><title>{}: {value} {}</title></rect>"#,
                escape(&bar.label),
                escape(&name.to_lowercase()),
                w = step * 0.7
            );
        }
    }
    html.push_str("</svg>");
    let _ = write!(
        html,
        r#"<div class="chart-x" aria-hidden="true"><span>{}</span><span class="chart-x-title">{}</span><span>{}</span></div></figure>"#,
        escape(bars.first().map_or("", |b| b.label.as_str())),
        escape(spec.x_title),
        escape(bars.last().map_or("", |b| b.label.as_str())),
    );
    Chart { html }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> Spec<'static> {
        Spec {
            id: "c",
            title: "Payments <per> day",
            description: "desc",
            series: &[("Succeeded", "s-ok"), ("Failed", "s-bad")],
            x_title: "Day (UTC)",
            y_title: "Payments",
            empty: "No payments in these 30 days.",
        }
    }

    #[test]
    fn the_chart_is_labelled_and_escapes_its_text() {
        let chart = stacked(
            &spec(),
            &[
                Bar {
                    label: "a&b".into(),
                    values: vec![3, 1],
                },
                Bar {
                    label: "c".into(),
                    values: vec![0, 0],
                },
            ],
        );
        let html = chart.html;
        assert!(html.contains(r#"role="img""#));
        assert!(html.contains("Payments &lt;per&gt; day"));
        assert!(html.contains("a&amp;b: 3 succeeded") && html.contains("a&amp;b: 1 failed"));
        assert_eq!(html.matches("<rect").count(), 2, "zero values draw nothing");
        // The axes: time along x from the first to the last bar, the count along y to its
        // maximum (the tallest bar, 4).
        assert!(html.contains(r#"<span class="chart-y-title">Payments</span><span class="chart-max">4</span><span class="chart-zero">0</span>"#), "{html}");
        assert!(
            html.contains(
                r#"<span>a&amp;b</span><span class="chart-x-title">Day (UTC)</span><span>c</span>"#
            ),
            "{html}"
        );
    }

    #[test]
    fn nothing_to_draw_says_so() {
        let html = stacked(
            &spec(),
            &[Bar {
                label: "a".into(),
                values: vec![0, 0],
            }],
        )
        .html;
        assert!(html.contains("No payments in these 30 days."), "{html}");
        assert!(
            !html.contains("<svg") && !html.contains("chart-max"),
            "{html}"
        );
    }
}
