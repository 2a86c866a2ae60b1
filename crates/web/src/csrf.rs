//! **The one CSRF check.** A middleware on the back office (`/admin/…`) and on the portal's form
//! posts verifies every unsafe request (POST, PUT, PATCH, DELETE) before any handler runs; handlers
//! never check a token themselves. The token travels in the header `X-CSRF-Token` or in the body
//! field `csrf_token` (urlencoded or multipart; templates write it with `{{ csrf_field() }}`, the
//! first field of every form). What it must equal depends on who is asking:
//!
//! - a signed-in back-office request: the session's token (`sessions.csrf_token`);
//! - the login form: the double-submit cookie `gk_login_csrf` set by the login page;
//! - a public portal form: the double-submit cookie `gk_form` (visitors have no session,
//!   see `portal/form_token.rs`).
//!
//! A back-office request without a valid session carries no ambient authority to forge: it passes
//! on to the handler, whose `CurrentUser` sends it to the login page. A missing or wrong token is
//! [`AppError::Csrf`] (403) and nothing runs. The JSON API (`/api/v1`) is not behind this layer: it
//! authenticates only by `Authorization: Bearer`, never by cookie. Cross-site posts are also
//! refused outright by [`crate::auth::reject_cross_site`].

use crate::auth::{LOGIN_CSRF_COOKIE, SESSION_COOKIE, constant_time_eq};
use crate::util::sha256_hex;
use crate::{AppError, AppState};
use axum::body::{Body, Bytes};
use axum::extract::{OriginalUri, Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;

/// The form field (and, as `X-CSRF-Token`, the header) that carries the token.
pub const FIELD: &str = "csrf_token";
pub const HEADER: &str = "x-csrf-token";

/// Whether a method changes state and so needs a token.
pub fn is_unsafe(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The middleware: see the module documentation.
pub async fn verify(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if !is_unsafe(req.method()) || !is_listed(&req) {
        return next.run(req).await;
    }
    match check(&state, req).await {
        Ok(req) => next.run(req).await,
        Err(e) => e.into_response(),
    }
}

/// Whether the request reached a route of the table (`crate::routes`) rather than a path's
/// fallback (the 404 of `/{file}`, a 405): only those have a form whose token to check.
fn is_listed(req: &Request) -> bool {
    static LISTED: std::sync::OnceLock<std::collections::HashSet<(Method, String)>> =
        std::sync::OnceLock::new();
    let listed = LISTED.get_or_init(|| {
        crate::routes()
            .into_iter()
            .map(|r| (r.method, r.path))
            .collect()
    });
    match req.extensions().get::<axum::extract::MatchedPath>() {
        Some(matched) => listed.contains(&(req.method().clone(), matched.as_str().to_string())),
        None => true,
    }
}

/// Checks the token of an unsafe request; gives the request back (body restored) when it passes.
async fn check(state: &AppState, req: Request) -> Result<Request, AppError> {
    let path = req
        .extensions()
        .get::<OriginalUri>()
        .map(|u| u.path().to_string())
        .unwrap_or_else(|| req.uri().path().to_string());
    let jar = CookieJar::from_headers(req.headers());
    let cookie = |name: &str| jar.get(name).map(|c| c.value().to_string());
    let expected = if path == "/admin/login" {
        cookie(LOGIN_CSRF_COOKIE).unwrap_or_default()
    } else if path == crate::auth::SECOND_FACTOR_PATH {
        // A sign-in waiting for its code: the waiting session's token.
        match cookie(SESSION_COOKIE) {
            Some(c) => {
                let mut conn = state.db.pool.acquire().await?;
                gongkai_db::auth::pending_session(&mut conn, &sha256_hex(&c))
                    .await?
                    .map(|s| s.csrf_token)
                    .unwrap_or_default()
            }
            None => String::new(),
        }
    } else if path == "/admin" || path.starts_with("/admin/") {
        match session_token(state, cookie(SESSION_COOKIE)).await? {
            Some((user_id, token)) => {
                crate::refusals::note(req.extensions(), user_id);
                token
            }
            // No session: nothing to forge; the handler's `CurrentUser` refuses the request.
            None => return Ok(req),
        }
    } else {
        cookie(crate::portal::FORM_COOKIE).unwrap_or_default()
    };
    let (req, sent) = sent_token(req).await?;
    let sent = sent.unwrap_or_default();
    let sent = sent.trim();
    if expected.is_empty() || !constant_time_eq(sent.as_bytes(), expected.as_bytes()) {
        return Err(AppError::Csrf);
    }
    Ok(req)
}

/// The user and CSRF token of the session behind the cookie, if the session is valid.
async fn session_token(
    state: &AppState,
    cookie: Option<String>,
) -> Result<Option<(i64, String)>, AppError> {
    let Some(cookie) = cookie else {
        return Ok(None);
    };
    let mut conn = state.db.pool.acquire().await?;
    Ok(gongkai_db::auth::session(
        &mut conn,
        &sha256_hex(&cookie),
        &state.config.session_policy,
    )
    .await?
    .map(|s| (s.user_id, s.csrf_token)))
}

/// The token a request sent: the header, else the body field (the body is read and put back).
async fn sent_token(req: Request) -> Result<(Request, Option<String>), AppError> {
    if let Some(v) = req.headers().get(HEADER).and_then(|v| v.to_str().ok()) {
        let v = v.to_string();
        return Ok((req, Some(v)));
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let urlencoded = content_type.starts_with("application/x-www-form-urlencoded");
    let multipart = content_type.starts_with("multipart/form-data");
    if !urlencoded && !multipart {
        return Ok((req, None));
    }
    let (parts, body) = req.into_parts();
    // The body is already limited by the router's `RequestBodyLimitLayer`.
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .map_err(|e| read_error(&e))?;
    let sent = if urlencoded {
        form_urlencoded::parse(&bytes)
            .find(|(k, _)| k == FIELD)
            .map(|(_, v)| v.into_owned())
    } else {
        multipart_token(&parts.headers, bytes.clone()).await
    };
    Ok((Request::from_parts(parts, Body::from(bytes)), sent))
}

/// The `csrf_token` part of a multipart body (the first part in every form of ours).
async fn multipart_token(headers: &axum::http::HeaderMap, bytes: Bytes) -> Option<String> {
    let content_type = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let boundary = multer::parse_boundary(content_type).ok()?;
    let mut form = multer::Multipart::new(Body::from(bytes).into_data_stream(), boundary);
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some(FIELD) {
            return field.text().await.ok();
        }
    }
    None
}

/// A body that could not be read: too large (413, as the handlers answered before) or broken.
fn read_error(e: &axum::Error) -> AppError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if err.is::<http_body_util::LengthLimitError>() {
            return AppError::PayloadTooLarge("上传内容超过大小限制".into());
        }
        source = err.source();
    }
    AppError::BadRequest("提交的内容无法读取，请刷新页面后重新提交".into())
}
