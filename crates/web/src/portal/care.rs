//! 适老化 (elderly-friendly) mode, after 工信部《互联网网站适老化通用设计规范》: larger type, higher
//! contrast, simpler layout. A visitor switches it on or off with a link in the portal header
//! (`/care?on=1&back=…`, works without JavaScript); the choice is a cookie, so it persists.
//! A middleware reads the cookie into a task-local for the request, and the templates ask
//! `care_mode()` and `care_switch_href()`.

use axum::extract::{Query, Request};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

/// The cookie holding the choice (`1` when on); part of the page cache's key.
pub(crate) const COOKIE: &str = "gk_care";

#[derive(Debug, Clone, Default)]
struct Preference {
    care: bool,
    /// The page being rendered (path and query), where the switch returns to.
    here: String,
}

tokio::task_local! {
    static PREFERENCE: Preference;
}

/// Whether the request asks for 适老化 mode (the one reading of the cookie).
pub(crate) fn care_cookie(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .any(|c| c.trim() == format!("{COOKIE}=1"))
}

/// Runs the request with the visitor's preference in scope.
pub(crate) async fn scope(req: Request, next: Next) -> Response {
    let pref = Preference {
        care: care_cookie(req.headers()),
        here: req
            .uri()
            .path_and_query()
            .map_or_else(|| "/".to_string(), |p| p.as_str().to_string()),
    };
    PREFERENCE.scope(pref, next.run(req)).await
}

/// `{{ care_mode() }}`: whether the page is rendered in 适老化 mode.
pub(crate) fn care_mode() -> bool {
    PREFERENCE.try_with(|p| p.care).unwrap_or(false)
}

/// `{{ care_switch_href() }}`: the link that turns the mode on or off and comes back here.
pub(crate) fn care_switch_href() -> String {
    let (care, here) = PREFERENCE
        .try_with(|p| (p.care, p.here.clone()))
        .unwrap_or((false, "/".into()));
    let back: String = form_urlencoded::byte_serialize(here.as_bytes()).collect();
    format!("/care?on={}&back={back}", if care { 0 } else { 1 })
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct Switch {
    on: String,
    back: String,
}

/// A local path to return to: starts with one `/`, no scheme or host (an open redirect refused).
fn local(back: &str) -> &str {
    if back.starts_with('/') && !back.starts_with("//") && !back.contains('\\') {
        back
    } else {
        "/"
    }
}

/// `GET /care?on=1|0&back=/path`: sets or clears the cookie and goes back.
pub async fn switch(Query(q): Query<Switch>) -> Response {
    let on = q.on == "1";
    let cookie = if on {
        format!("{COOKIE}=1; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly")
    } else {
        format!("{COOKIE}=0; Path=/; Max-Age=0; SameSite=Lax; HttpOnly")
    };
    let mut resp = (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, local(q.back.trim()).to_string())],
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(local("/xxgk?page=2"), "/xxgk?page=2");
        assert_eq!(local("//evil.example/"), "/");
        assert_eq!(local("https://evil.example/"), "/");
        assert_eq!(local("/\\evil"), "/");
    }

    #[test]
    fn the_cookie_is_read_among_others() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=b; gk_care=1; c=d"),
        );
        assert!(care_cookie(&h));
        h.insert(header::COOKIE, HeaderValue::from_static("gk_care=0"));
        assert!(!care_cookie(&h));
    }
}
