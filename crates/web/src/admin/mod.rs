//! The back office `/admin`.

use crate::AppState;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new().layer(axum::middleware::from_fn(crate::auth::reject_cross_site))
}
