//! How pages show values whose format must be the same everywhere (SPEC §14, "Laptops"):
//! a moment (`Time`, always `2026-12-02 02:49:36 UTC` inside
//! `<time datetime="2026-12-02T02:49:36Z">`) and a latency (`latency`, two significant
//! digits below 10 ms, never "0 ms" for a request that took time).
//!
//! A template field of type `Time` renders as the `<time>` element with `{{ field }}`;
//! every page that shows a time holds a `Time`, not a string someone formatted.

use std::fmt;

use chrono::{DateTime, SecondsFormat, Utc};

/// A moment, in Unix milliseconds, as every page shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Time {
    ms: i64,
}

impl Time {
    /// From Unix seconds (how most rows store time).
    pub fn at(unix: i64) -> Self {
        Self {
            ms: unix.saturating_mul(1000),
        }
    }

    /// From Unix milliseconds (request-log lines, delivery schedules); the milliseconds
    /// stay in the machine-readable `datetime`, the text shows whole seconds.
    pub fn at_ms(ms: i64) -> Self {
        Self { ms }
    }

    /// From the RFC 3339 text the API objects carry (`2026-11-22T13:01:17Z`); an
    /// unreadable text (never written by Paydesk) shows as the epoch rather than failing
    /// the page.
    pub fn parse(rfc3339: &str) -> Self {
        Self {
            ms: DateTime::parse_from_rfc3339(rfc3339)
                .map(|t| t.timestamp_millis())
                .unwrap_or_default(),
        }
    }

    fn utc(self) -> DateTime<Utc> {
        DateTime::<Utc>::from_timestamp_millis(self.ms).unwrap_or_default()
    }

    /// `2026-12-02T02:49:36Z`, or with milliseconds when the moment has them.
    pub fn machine(self) -> String {
        let format = if self.ms % 1000 == 0 {
            SecondsFormat::Secs
        } else {
            SecondsFormat::Millis
        };
        self.utc().to_rfc3339_opts(format, true)
    }

    /// `2026-12-02 02:49:36 UTC`: the text a person reads.
    pub fn text(self) -> String {
        self.utc().format("%Y-%m-%d %H:%M:%S UTC").to_string()
    }
}

/// The `<time>` element; only digits, dashes, colons and letters, so nothing to escape.
impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            r#"<time datetime="{}">{}</time>"#,
            self.machine(),
            self.text()
        )
    }
}

impl askama::filters::HtmlSafe for Time {}

/// A latency measured in microseconds: `0.34 ms`, `3.1 ms`, `0.045 ms`; 10 ms and more
/// in whole milliseconds (`42 ms`). Below 10 ms two significant digits, so a request that
/// took any time never reads `0 ms`.
pub fn latency(us: i64) -> String {
    if us >= 9_950 {
        return format!("{} ms", (us + 500) / 1000);
    }
    if us <= 0 {
        return "0 ms".into();
    }
    let ms = us as f64 / 1000.0;
    // Round to two significant digits, then show as many decimals as that needs (the
    // rounding may carry into the next power of ten: 0.0996 → 0.10).
    let scale = |v: f64| 10f64.powi(1 - v.log10().floor() as i32);
    let rounded = (ms * scale(ms)).round() / scale(ms);
    // At most three decimals: the measurement is in microseconds.
    let decimals = (1 - rounded.log10().floor() as i32).clamp(0, 3) as usize;
    format!("{rounded:.decimals$} ms")
}

/// A latency stored in whole milliseconds (rounded down when measured, as webhook
/// deliveries keep it): 0 means it took under a millisecond, which is what the page says
/// rather than `0 ms`; no decimals it does not have.
pub fn latency_whole_ms(ms: i32) -> String {
    if ms <= 0 {
        "under 1 ms".into()
    } else {
        format!("{ms} ms")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use askama::Template;

    #[test]
    fn a_time_is_one_element_with_the_machine_form_and_the_readable_one() {
        let t = Time::at(1_795_920_576); // 2026-11-29T02:49:36Z
        assert_eq!(
            t.to_string(),
            r#"<time datetime="2026-11-29T02:49:36Z">2026-11-29 02:49:36 UTC</time>"#
        );
        assert_eq!(Time::parse("2026-11-29T02:49:36Z"), t);
        let ms = Time::at_ms(1_795_920_576_123);
        assert_eq!(ms.machine(), "2026-11-29T02:49:36.123Z");
        assert_eq!(ms.text(), "2026-11-29 02:49:36 UTC");
    }

    #[derive(Template)]
    #[template(source = "<td>{{ t }}</td>", ext = "html")]
    struct Cell {
        t: Time,
    }

    #[test]
    fn a_template_writes_the_element_unescaped() {
        let html = Cell { t: Time::at(0) }.render().unwrap();
        assert_eq!(
            html,
            r#"<td><time datetime="1970-01-01T00:00:00Z">1970-01-01 00:00:00 UTC</time></td>"#
        );
    }

    #[test]
    fn latencies_keep_two_significant_digits_below_ten_ms() {
        assert_eq!(latency(341), "0.34 ms");
        assert_eq!(latency(3_140), "3.1 ms");
        assert_eq!(latency(45), "0.045 ms");
        assert_eq!(latency(1), "0.001 ms", "a nonzero latency never reads 0 ms");
        assert_eq!(latency(996), "1.0 ms", "rounding carries: two digits still");
        assert_eq!(latency(9_960), "10 ms");
        assert_eq!(latency(42_400), "42 ms");
        assert_eq!(latency(1_250_000), "1250 ms");
        assert_eq!(latency(0), "0 ms");
        assert_eq!(latency_whole_ms(0), "under 1 ms");
        assert_eq!(latency_whole_ms(3), "3 ms");
    }
}
