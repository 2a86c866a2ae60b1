//! Probes for a load balancer or an orchestrator: `/healthz` answers while the process serves
//! requests; `/readyz` answers 200 only when the database answers and the search index is built,
//! else 503 with what is not ready. Neither needs a session, and neither shows anything private.
//! `/metrics` (Prometheus, behind its bearer token) is declared here too: see `metrics.rs`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::AppState;

route_table! {
    pub(crate) fn build, ROUTES;
    "/healthz" => get(live);
    "/readyz" => get(ready);
    "/metrics" => get(crate::metrics::scrape);
}

/// How long the database may take to answer the readiness query.
const DB_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

pub async fn live() -> &'static str {
    "ok"
}

pub async fn ready(State(state): State<AppState>) -> Response {
    let db = tokio::time::timeout(DB_TIMEOUT, state.db.ping())
        .await
        .is_ok_and(|r| r.is_ok());
    let search = state.search.is_ready();
    let status = if db && search {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let word = |ok: bool| if ok { "ok" } else { "unavailable" };
    (
        status,
        Json(json!({
            "ready": db && search,
            "database": word(db),
            "search_index": if search { "ok" } else { "building" },
        })),
    )
        .into_response()
}
