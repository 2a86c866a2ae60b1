//! Sign in and out of the back office.

use super::common::{AdminForm, safe_next};
use crate::auth::{self, CurrentUser, LOGIN_CSRF_COOKIE, LoginOutcome};
use crate::util::ClientIp;
use crate::util::{random_hex, sha256_hex};
use crate::{AppError, AppState};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar};
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct NextQuery {
    next: Option<String>,
}

fn login_page(
    state: &AppState,
    jar: CookieJar,
    username: &str,
    next: &str,
    error: Option<&str>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let token = random_hex(32);
    let jar = jar.add(auth::login_csrf_cookie(state, token.clone()));
    let html = state.templates.render(
        "admin/login.html",
        minijinja::context! { csrf_token => token, username => username, next => next, error => error },
    )?;
    Ok((status, jar, html).into_response())
}

pub async fn form(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(q): Query<NextQuery>,
) -> Result<Response, AppError> {
    let next = safe_next(q.next.as_deref());
    login_page(&state, jar, "", &next, None, StatusCode::OK)
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

pub async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    jar: CookieJar,
    AdminForm(f): AdminForm<LoginForm>,
) -> Result<Response, AppError> {
    let next = safe_next(Some(&f.next));
    let username = f.username.trim();
    if username.is_empty() || f.password.is_empty() {
        return login_page(
            &state,
            jar,
            username,
            &next,
            Some("请输入用户名和密码"),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    match auth::login(&state, username, &f.password, &ip).await? {
        LoginOutcome::Success {
            token,
            must_change_password,
        } => {
            tracing::info!(user = username, %ip, "login");
            let jar = jar
                .remove(Cookie::build(LOGIN_CSRF_COOKIE).path("/admin"))
                .add(auth::session_cookie(&state, token));
            let to = if must_change_password {
                auth::CHANGE_PASSWORD_PATH
            } else {
                &next
            };
            Ok((jar, Redirect::to(to)).into_response())
        }
        LoginOutcome::SecondFactor { token } => {
            let jar = jar
                .remove(Cookie::build(LOGIN_CSRF_COOKIE).path("/admin"))
                .add(auth::session_cookie(&state, token));
            Ok((jar, Redirect::to(auth::SECOND_FACTOR_PATH)).into_response())
        }
        LoginOutcome::Failed => login_page(
            &state,
            jar,
            username,
            &next,
            Some("用户名或密码错误"),
            StatusCode::UNAUTHORIZED,
        ),
        LoginOutcome::Locked { what, until } => {
            tracing::warn!(user = username, %ip, ?what, "login refused");
            let message = auth::locked_message(what, until, username, &ip);
            login_page(
                &state,
                jar,
                username,
                &next,
                Some(&message),
                StatusCode::TOO_MANY_REQUESTS,
            )
        }
    }
}

pub async fn logout(
    State(state): State<AppState>,
    // Only a signed-in user signs out (and the CSRF middleware has checked the session's token).
    user: CurrentUser,
    jar: CookieJar,
) -> Result<Response, AppError> {
    if let Some(c) = jar.get(auth::SESSION_COOKIE) {
        let mut tx = state.db.begin().await?;
        gongkai_db::auth::delete_session(&mut tx, &sha256_hex(c.value())).await?;
        gongkai_db::auth::audit_sign_in(
            &mut tx,
            &user.actor(),
            "auth.logout",
            &user.username,
            "退出登录".into(),
        )
        .await?;
        tx.commit().await?;
    }
    let jar = jar.remove(Cookie::build(auth::SESSION_COOKIE).path("/"));
    Ok((jar, Redirect::to("/admin/login")).into_response())
}

/// The second step of a sign-in with the TOTP second factor: the code form.
pub async fn totp_form(
    State(state): State<AppState>,
    jar: CookieJar,
) -> Result<Response, AppError> {
    totp_page(&state, &jar, None, StatusCode::OK).await
}

async fn totp_page(
    state: &AppState,
    jar: &CookieJar,
    error: Option<&str>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let Some(c) = jar.get(auth::SESSION_COOKIE) else {
        return Ok(Redirect::to("/admin/login").into_response());
    };
    let mut conn = state.db.pool.acquire().await?;
    let Some(pending) =
        gongkai_db::auth::pending_session(&mut conn, &sha256_hex(c.value())).await?
    else {
        return Ok(Redirect::to("/admin/login").into_response());
    };
    drop(conn);
    let html = state.templates.render(
        "admin/login_totp.html",
        minijinja::context! { csrf_token => pending.csrf_token, error => error },
    )?;
    Ok((status, html).into_response())
}

#[derive(Deserialize)]
pub struct TotpForm {
    #[serde(default)]
    code: String,
}

pub async fn totp_submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    jar: CookieJar,
    AdminForm(f): AdminForm<TotpForm>,
) -> Result<Response, AppError> {
    let Some(c) = jar.get(auth::SESSION_COOKIE) else {
        return Ok(Redirect::to("/admin/login").into_response());
    };
    let hash = sha256_hex(c.value());
    match auth::complete_second_factor(&state, &hash, &f.code, &ip).await? {
        auth::SecondFactorOutcome::Success {
            must_change_password,
        } => {
            let to = if must_change_password {
                auth::CHANGE_PASSWORD_PATH
            } else {
                "/admin"
            };
            Ok(Redirect::to(to).into_response())
        }
        auth::SecondFactorOutcome::Failed => {
            let jar = jar.remove(Cookie::build(auth::SESSION_COOKIE).path("/"));
            let page = login_page(
                &state,
                jar,
                "",
                "/admin",
                Some("两步验证码不正确\u{FF0C}请重新登录"),
                StatusCode::UNAUTHORIZED,
            )?;
            Ok(page)
        }
    }
}
