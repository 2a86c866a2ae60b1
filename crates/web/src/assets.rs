//! Static assets embedded at build time, served under `/static/`.

use crate::AppState;
use axum::Router;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

static ASSETS: &[(&str, &[u8])] = include!(concat!(env!("OUT_DIR"), "/assets.rs"));

route_table! {
    pub(crate) fn build, ROUTES;
    "/static/{*path}" => get(serve);
}

pub fn router() -> Router<AppState> {
    build()
}

async fn serve(Path(path): Path<String>) -> Response {
    let Some((_, bytes)) = ASSETS.iter().find(|(n, _)| *n == path) else {
        return (StatusCode::NOT_FOUND, "未找到该文件").into_response();
    };
    let ctype = match path.rsplit('.').next() {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        _ => "application/octet-stream",
    };
    (
        [
            (header::CONTENT_TYPE, ctype),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        *bytes,
    )
        .into_response()
}
