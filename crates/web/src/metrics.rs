//! Prometheus metrics at `/metrics` (text exposition format 0.0.4), off unless a `metrics_token` is
//! configured; a scrape then needs `Authorization: Bearer <token>` (behind a reverse proxy every
//! request comes from loopback, so the client address cannot decide).
//!
//! A small registry of its own (see `docs/decisions.md`): [`record`] counts every request by method,
//! **route template** (axum's matched path, `/admin/items/{id}`, never the raw path, so the number of
//! series is bounded by the route table) and status, with a latency histogram per method and route.
//! The job queue, the search outbox and the crawl of department list pages are read from the
//! database at scrape time.

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Instant;

use crate::AppState;

/// Latency buckets in seconds (upper bounds; `+Inf` is the count).
const BUCKETS: [f64; 12] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

#[derive(Debug, Default, Clone)]
struct Histogram {
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

#[derive(Debug, Default)]
struct Inner {
    /// (method, route, status) → requests.
    requests: BTreeMap<(&'static str, String, u16), u64>,
    /// (method, route) → latency.
    latency: BTreeMap<(&'static str, String), Histogram>,
}

/// The process's request metrics.
#[derive(Debug, Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

/// A method as a label: the standard ones, else `OTHER` (the label set stays bounded).
fn method_label(m: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    for known in [
        Method::GET,
        Method::HEAD,
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
        Method::OPTIONS,
        Method::TRACE,
        Method::CONNECT,
    ] {
        if m == known {
            return match known.as_str() {
                "GET" => "GET",
                "HEAD" => "HEAD",
                "POST" => "POST",
                "PUT" => "PUT",
                "PATCH" => "PATCH",
                "DELETE" => "DELETE",
                "OPTIONS" => "OPTIONS",
                "TRACE" => "TRACE",
                _ => "CONNECT",
            };
        }
    }
    "OTHER"
}

impl Metrics {
    pub fn observe(&self, method: &'static str, route: &str, status: u16, seconds: f64) {
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        *inner
            .requests
            .entry((method, route.to_string(), status))
            .or_default() += 1;
        let h = inner
            .latency
            .entry((method, route.to_string()))
            .or_default();
        h.count += 1;
        h.sum += seconds;
        for (i, le) in BUCKETS.iter().enumerate() {
            if seconds <= *le {
                h.buckets[i] += 1;
            }
        }
    }

    /// The request counters and histograms in the exposition format.
    pub fn render(&self, out: &mut String) {
        let Ok(inner) = self.inner.lock() else {
            return;
        };
        out.push_str("# HELP gongkai_http_requests_total HTTP requests by method, route template and status.\n");
        out.push_str("# TYPE gongkai_http_requests_total counter\n");
        for ((method, route, status), n) in &inner.requests {
            let _ = writeln!(
                out,
                "gongkai_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {n}",
                escape(route)
            );
        }
        out.push_str("# HELP gongkai_http_request_duration_seconds Time to the response head, by method and route template.\n");
        out.push_str("# TYPE gongkai_http_request_duration_seconds histogram\n");
        for ((method, route), h) in &inner.latency {
            let labels = format!("method=\"{method}\",route=\"{}\"", escape(route));
            for (i, le) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "gongkai_http_request_duration_seconds_bucket{{{labels},le=\"{le}\"}} {}",
                    h.buckets[i]
                );
            }
            let _ = writeln!(
                out,
                "gongkai_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "gongkai_http_request_duration_seconds_sum{{{labels}}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "gongkai_http_request_duration_seconds_count{{{labels}}} {}",
                h.count
            );
        }
    }
}

/// A label value escaped for the exposition format.
fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The middleware: times every routed request (the fallback is `unmatched`).
pub async fn record(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = method_label(req.method());
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let response = next.run(req).await;
    state.metrics.observe(
        method,
        &route,
        response.status().as_u16(),
        start.elapsed().as_secs_f64(),
    );
    response
}

/// Whether `presented` is the configured token (compared in constant time, through digests).
fn token_matches(presented: &str, token: &str) -> bool {
    let (a, b) = (Sha256::digest(presented), Sha256::digest(token));
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

/// `GET /metrics`.
pub async fn scrape(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(token) = state.config.metrics_token.as_deref() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    if !presented.is_some_and(|p| token_matches(p, token)) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            "metrics: a bearer token is required\n",
        )
            .into_response();
    }
    let mut out = String::new();
    state.metrics.render(&mut out);
    state.page_cache.render_metrics(&mut out);
    if let Err(e) = database_gauges(&state, &mut out).await {
        tracing::warn!(error = %e, "metrics: the database gauges could not be read");
        out.push_str("# HELP gongkai_metrics_database_up Whether the scrape could read the database.\n# TYPE gongkai_metrics_database_up gauge\ngongkai_metrics_database_up 0\n");
    } else {
        out.push_str("# HELP gongkai_metrics_database_up Whether the scrape could read the database.\n# TYPE gongkai_metrics_database_up gauge\ngongkai_metrics_database_up 1\n");
    }
    (
        [
            (
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        out,
    )
        .into_response()
}

/// The job queue and this node's search outbox lag.
async fn database_gauges(state: &AppState, out: &mut String) -> gongkai_db::DbResult<()> {
    let mut conn = state.db.pool.acquire().await?;
    let now = gongkai_db::now_ms();
    let q = gongkai_db::jobs::queue_stats(&mut conn, now).await?;
    out.push_str("# HELP gongkai_job_queue_depth Jobs in the shared queue by state (due: queued and due now; scheduled: queued for later).\n");
    out.push_str("# TYPE gongkai_job_queue_depth gauge\n");
    for (label, n) in [
        ("due", q.due),
        ("scheduled", q.scheduled),
        ("running", q.running),
        ("failed", q.failed),
    ] {
        let _ = writeln!(out, "gongkai_job_queue_depth{{state=\"{label}\"}} {n}");
    }
    out.push_str("# HELP gongkai_job_queue_oldest_age_seconds How long the oldest due job has waited past its run time.\n");
    out.push_str("# TYPE gongkai_job_queue_oldest_age_seconds gauge\n");
    let _ = writeln!(
        out,
        "gongkai_job_queue_oldest_age_seconds {}",
        seconds(q.oldest_due_run_at.map_or(0, |t| now - t))
    );
    let node = &state.search.node_id;
    let mark = gongkai_db::search_outbox::node_mark(&mut conn, node)
        .await?
        .map_or(0, |(last, _)| last);
    let head = gongkai_db::search_outbox::last_id(&mut conn).await?;
    let oldest = gongkai_db::search_outbox::oldest_after(&mut conn, mark).await?;
    out.push_str("# HELP gongkai_search_outbox_lag_rows Changes in the search outbox this node's index has not applied yet.\n");
    out.push_str("# TYPE gongkai_search_outbox_lag_rows gauge\n");
    let _ = writeln!(
        out,
        "gongkai_search_outbox_lag_rows {}",
        (head - mark).max(0)
    );
    out.push_str("# HELP gongkai_search_outbox_lag_seconds Age of the oldest change this node's index has not applied yet.\n");
    out.push_str("# TYPE gongkai_search_outbox_lag_seconds gauge\n");
    let _ = writeln!(
        out,
        "gongkai_search_outbox_lag_seconds {}",
        seconds(oldest.map_or(0, |t| now - t))
    );
    let lists = gongkai_db::external_lists::crawl_stats(&mut conn).await?;
    out.push_str("# HELP gongkai_crawl_lists Department list pages followed, by the outcome of their last crawl (never: not crawled yet).\n");
    out.push_str("# TYPE gongkai_crawl_lists gauge\n");
    for (outcome, n, _) in &lists {
        let _ = writeln!(
            out,
            "gongkai_crawl_lists{{outcome=\"{}\"}} {n}",
            escape(outcome)
        );
    }
    out.push_str("# HELP gongkai_crawl_oldest_seconds Time since the least recently crawled list page was crawled.\n");
    out.push_str("# TYPE gongkai_crawl_oldest_seconds gauge\n");
    let oldest = lists.iter().filter_map(|(_, _, at)| *at).min();
    let _ = writeln!(
        out,
        "gongkai_crawl_oldest_seconds {}",
        seconds(oldest.map_or(0, |t| now - t))
    );
    Ok(())
}

/// Milliseconds as seconds, never negative.
fn seconds(ms: i64) -> String {
    format!("{:.3}", (ms.max(0) as f64) / 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_histogram_is_cumulative_and_labels_are_escaped() {
        let m = Metrics::default();
        m.observe("GET", "/items/{id}", 200, 0.02);
        m.observe("GET", "/items/{id}", 200, 3.0);
        m.observe("GET", "/items/{id}", 404, 0.001);
        m.observe("POST", "/a\"b", 303, 0.2);
        let mut out = String::new();
        m.render(&mut out);
        assert!(out.contains(
            "gongkai_http_requests_total{method=\"GET\",route=\"/items/{id}\",status=\"200\"} 2"
        ));
        assert!(out.contains("route=\"/a\\\"b\""), "{out}");
        assert!(out.contains(
            "gongkai_http_request_duration_seconds_bucket{method=\"GET\",route=\"/items/{id}\",le=\"0.025\"} 2"
        ));
        assert!(out.contains(
            "gongkai_http_request_duration_seconds_bucket{method=\"GET\",route=\"/items/{id}\",le=\"+Inf\"} 3"
        ));
    }

    #[test]
    fn the_token_must_match_exactly() {
        assert!(token_matches("abc", "abc"));
        assert!(!token_matches("abd", "abc"));
        assert!(!token_matches("", "abc"));
    }
}
