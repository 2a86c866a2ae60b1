//! JSON API `/api/v1`. (Filled in by the API work.)

use crate::AppState;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
}
