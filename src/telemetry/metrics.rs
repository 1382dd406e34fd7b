//! Prometheus metrics (SPEC §11), through the `metrics` facade and its Prometheus
//! exporter. Exactly these series:
//! `paydesk_http_requests_total{route,method,status}`,
//! `paydesk_http_request_duration_seconds` (histogram, by route),
//! `paydesk_gate_refusals_total{code}`, `paydesk_key_cache_total{result}`,
//! `paydesk_rate_limit_backend{backend}`, `paydesk_webhook_deliveries_total{result}`,
//! `paydesk_request_log_dropped_total`, `paydesk_db_pool_connections{state}`.
//!
//! Counters of things that keep their own count (the key cache, the pool, the limiter)
//! are sampled when `/metrics` is read, so the hot path pays nothing for them.

use std::cell::RefCell;
use std::sync::OnceLock;

use actix_web::http::Method;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::maps::FastMap;

/// Latency buckets, seconds: 0.5 ms to 10 s.
const BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// The process's recorder (one per process: the `metrics` facade is global), installed
/// on first use.
pub fn handle() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Full("paydesk_http_request_duration_seconds".into()),
                BUCKETS,
            )
            .expect("constant buckets are valid")
            .build_recorder();
        let handle = recorder.handle();
        // Another recorder may already be installed (a test harness); ours still renders.
        let _ = metrics::set_global_recorder(recorder);
        describe();
        handle
    })
}

fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        "paydesk_http_requests_total",
        "HTTP requests answered, by route pattern, method and status."
    );
    describe_histogram!(
        "paydesk_http_request_duration_seconds",
        metrics::Unit::Seconds,
        "Time to answer, by route pattern."
    );
    describe_counter!(
        "paydesk_gate_refusals_total",
        "API requests the gate refused, by error code."
    );
    describe_counter!(
        "paydesk_key_cache_total",
        "Key lookups: hit, miss (read the database) or negative (known unknown)."
    );
    describe_gauge!(
        "paydesk_rate_limit_backend",
        "1 for where rate limits are counted now: local or redis."
    );
    describe_counter!(
        "paydesk_webhook_deliveries_total",
        "Webhook delivery attempts, by result."
    );
    describe_counter!(
        "paydesk_request_log_dropped_total",
        "Request log lines dropped because the buffer was full."
    );
    describe_gauge!(
        "paydesk_db_pool_connections",
        "Database pool connections, by state (idle, active)."
    );
    // Every series exists from the start, at zero.
    metrics::counter!("paydesk_request_log_dropped_total").absolute(0);
    for result in ["delivered", "failed"] {
        metrics::counter!("paydesk_webhook_deliveries_total", "result" => result).absolute(0);
    }
    for code in GATE_CODES {
        metrics::counter!("paydesk_gate_refusals_total", "code" => code).absolute(0);
    }
}

/// The codes the gate refuses with, so their series read 0 before the first refusal
/// (a rate of refusals needs a starting point).
const GATE_CODES: [&str; 11] = [
    "missing_authorization",
    "invalid_api_key",
    "api_key_expired",
    "signature_invalid",
    "signature_required",
    "api_key_suspended",
    "ip_not_allowed",
    "rate_limited",
    "invalid_version",
    "insufficient_scope",
    "forbidden",
];

/// The method as a label: the standard ones by name, anything else `OTHER`, so a client
/// inventing methods cannot grow the series without end.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

/// One route's series: its latency histogram and its counters by (method, status).
struct RouteSeries {
    duration: metrics::Histogram,
    requests: FastMap<(&'static str, u16), metrics::Counter>,
}

thread_local! {
    /// Each worker thread keeps the handles it has used, by route pattern: after the
    /// first request of a kind, recording is a map lookup and two atomic updates, not a
    /// registry lookup with freshly built labels. Routes are patterns and statuses are
    /// three digits, so the map stays small.
    static SERIES: RefCell<FastMap<String, RouteSeries>> = RefCell::new(FastMap::default());
}

/// One answered request.
pub fn request(route: &str, method: &Method, status: u16, seconds: f64) {
    let method = method_label(method);
    let record = |one: &mut RouteSeries| {
        one.requests
            .entry((method, status))
            .or_insert_with(|| {
                metrics::counter!(
                    "paydesk_http_requests_total",
                    "route" => route.to_owned(),
                    "method" => method,
                    "status" => status.to_string()
                )
            })
            .increment(1);
        one.duration.record(seconds);
    };
    SERIES.with_borrow_mut(|series| {
        // One lookup for a known route (the route is hashed for each).
        if let Some(one) = series.get_mut(route) {
            return record(one);
        }
        let duration = metrics::histogram!(
            "paydesk_http_request_duration_seconds",
            "route" => route.to_owned()
        );
        record(series.entry(route.to_owned()).or_insert(RouteSeries {
            duration,
            requests: FastMap::default(),
        }));
    });
}

/// One request refused by the gate with `code`.
pub fn gate_refusal(code: &'static str) {
    metrics::counter!("paydesk_gate_refusals_total", "code" => code).increment(1);
}

/// What is sampled when the metrics are read.
pub struct Sample {
    pub key_cache_hit: u64,
    pub key_cache_miss: u64,
    pub key_cache_negative: u64,
    pub rate_limit_backend: &'static str,
    pub pool_idle: u32,
    pub pool_active: u32,
}

/// The Prometheus text exposition, with `sample` recorded first.
pub fn render(sample: &Sample) -> String {
    let handle = handle();
    for (result, n) in [
        ("hit", sample.key_cache_hit),
        ("miss", sample.key_cache_miss),
        ("negative", sample.key_cache_negative),
    ] {
        metrics::counter!("paydesk_key_cache_total", "result" => result).absolute(n);
    }
    for backend in ["local", "redis"] {
        let on = f64::from(u8::from(backend == sample.rate_limit_backend));
        metrics::gauge!("paydesk_rate_limit_backend", "backend" => backend).set(on);
    }
    metrics::gauge!("paydesk_db_pool_connections", "state" => "idle").set(sample.pool_idle);
    metrics::gauge!("paydesk_db_pool_connections", "state" => "active").set(sample.pool_active);
    handle.render()
}

/// One webhook delivery attempt: `delivered` or `failed` (each failed attempt counts).
pub fn webhook_attempt(result: &'static str) {
    metrics::counter!("paydesk_webhook_deliveries_total", "result" => result).increment(1);
}

/// Lines dropped from the request log's buffer since start, also kept here so the count
/// can be read without the exporter.
static LOG_DROPPED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// `n` request log lines dropped because the buffer was full.
pub fn request_log_dropped(n: u64) {
    LOG_DROPPED.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
    metrics::counter!("paydesk_request_log_dropped_total").increment(n);
}

/// Lines dropped since start.
pub fn request_log_dropped_so_far() -> u64 {
    LOG_DROPPED.load(std::sync::atomic::Ordering::Relaxed)
}
