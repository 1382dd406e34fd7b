//! Server-drawn bar charts (SPEC §10): an accessible SVG (`role="img"`, a title and a
//! description), stacked bars per series, no script and no external asset. The numbers
//! are also given to the page as a table for screen readers.

/// One bar: its label (a day, an hour) and a value per series.
pub struct Bar {
    pub label: String,
    pub values: Vec<i64>,
}

/// A chart ready for a template: `svg` is markup built here from numbers only (every
/// text in it is escaped), so the template may output it unescaped.
pub struct Chart {
    pub svg: String,
    pub series: Vec<&'static str>,
    pub bars: Vec<Bar>,
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A stacked bar chart; `classes` names each series' CSS class (colours live in the
/// stylesheet, so the CSP needs no inline style).
pub fn stacked(
    id: &str,
    title: &str,
    description: &str,
    series: Vec<&'static str>,
    classes: &[&str],
    bars: Vec<Bar>,
) -> Chart {
    const W: f64 = 600.0;
    const H: f64 = 160.0;
    const BOTTOM: f64 = 20.0;
    let top = bars
        .iter()
        .map(|b| b.values.iter().sum::<i64>())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let step = W / bars.len().max(1) as f64;
    let mut svg = format!(
        r#"<svg id="{id}" class="chart" viewBox="0 0 {W} {H}" role="img" aria-labelledby="{id}-title {id}-desc" preserveAspectRatio="none"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        escape(title),
        escape(description)
    );
    svg.push_str(&format!(
        r#"<line class="axis" x1="0" y1="{y}" x2="{W}" y2="{y}"/>"#,
        y = H - BOTTOM
    ));
    for (i, bar) in bars.iter().enumerate() {
        let x = i as f64 * step + step * 0.15;
        let mut y = H - BOTTOM;
        for (value, class) in bar.values.iter().zip(classes) {
            if *value <= 0 {
                continue;
            }
            let h = (*value as f64 / top) * (H - BOTTOM - 8.0);
            y -= h;
            svg.push_str(&format!(
                r#"<rect class="{class}" x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}"><title>{}: {value}</title></rect>"#,
                escape(&bar.label),
                w = step * 0.7
            ));
        }
    }
    svg.push_str(&format!(
        r#"<text class="tick" x="0" y="{H}">{}</text><text class="tick" x="{W}" y="{H}" text-anchor="end">{}</text><text class="tick" x="0" y="10">{}</text></svg>"#,
        escape(bars.first().map_or("", |b| b.label.as_str())),
        escape(bars.last().map_or("", |b| b.label.as_str())),
        top as i64
    ));
    Chart { svg, series, bars }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chart_is_labelled_and_escapes_its_text() {
        let chart = stacked(
            "c",
            "Payments <per> day",
            "desc",
            vec!["ok", "bad"],
            &["s-ok", "s-bad"],
            vec![
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
        assert!(chart.svg.contains(r#"role="img""#));
        assert!(chart.svg.contains("Payments &lt;per&gt; day"));
        assert!(chart.svg.contains("a&amp;b: 3") && chart.svg.contains("a&amp;b: 1"));
        assert_eq!(
            chart.svg.matches("<rect").count(),
            2,
            "zero values draw nothing"
        );
    }
}
