//! Authentication: argon2 password hashes, database-backed sessions, CSRF tokens, login throttling
//! and API tokens. **Every state-changing form carries a CSRF token checked against the session**
//! (or, for the login form, a double-submit cookie) by the one middleware `crate::csrf::verify`,
//! and cross-site POSTs are refused outright.

use crate::util::{client_ip, random_hex, sha256_hex};
use crate::{AppError, AppState};
use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use gongkai_db::{Actor, auth as db_auth, orgs, users};
use gongkai_domain::role::{Grant, Permissions};

pub const SESSION_COOKIE: &str = "gk_session";
pub const LOGIN_CSRF_COOKIE: &str = "gk_login_csrf";
/// Where a user whose password must be changed is sent (and the only back-office pages, with
/// signing out, such a user may use).
pub const CHANGE_PASSWORD_PATH: &str = "/admin/account/password";
/// Lockout, per account: this many failures since its last success (within a day) lock it for
/// [`LOCK_BASE_MS`], each further failure after a lock doubles that (backoff), up to a day.
pub const MAX_USER_FAILURES: i64 = 5;
pub const LOCK_BASE_MS: i64 = 15 * 60_000;
pub const ACCOUNT_WINDOW_MS: i64 = 24 * 3_600_000;
/// Throttle, per client address: this many failures within the window refuse further attempts
/// from the address until the window has passed. Only a throttle: refused attempts count against
/// no account, so one address cannot lock out the accounts of an office behind it.
pub const MAX_IP_FAILURES: i64 = 30;
pub const ADDRESS_WINDOW_MS: i64 = 15 * 60_000;

/// How long an account with `failures` consecutive failures stays locked after the last one.
pub fn lock_duration(failures: i64) -> Option<i64> {
    let over = failures - MAX_USER_FAILURES;
    (over >= 0).then(|| (LOCK_BASE_MS << over.min(7)).min(ACCOUNT_WINDOW_MS))
}

pub fn hash_password(password: &str) -> Result<String, AppError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(format!("argon2: {e}")))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A hash of a random password, verified against when the user name does not exist so that
/// response time does not reveal which user names exist.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password(&random_hex(16)).unwrap_or_default())
}

/// The signed-in user of a back-office request.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub csrf_token: String,
    pub grants: Vec<Grant>,
    pub perms: Permissions,
    pub ip: String,
    /// Unread in-app notifications, shown in the back-office navigation.
    pub unread_notifications: i64,
    /// The password was generated or set by an administrator, or is past its maximum age: only
    /// [`CHANGE_PASSWORD_PATH`] and signing out are open until it is changed.
    pub must_change_password: bool,
    /// The SHA-256 of this request's session token (empty for API requests).
    pub session_hash: String,
}

impl CurrentUser {
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: Some(self.id),
            name: format!("{}（{}）", self.display_name, self.username),
            ip: self.ip.clone(),
        }
    }

    /// The caller of a use case: this user's audit identity and permissions.
    pub fn caller(&self) -> gongkai_app::Caller<'_> {
        gongkai_app::Caller {
            actor: self.actor(),
            perms: &self.perms,
        }
    }

    /// Refuses (403) unless the permission table allows what is asked.
    pub fn require(&self, allowed: bool) -> Result<(), AppError> {
        if allowed {
            Ok(())
        } else {
            Err(AppError::forbidden())
        }
    }
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Loads permissions for a user: grants plus the organisation tree.
pub async fn load_permissions(
    state: &AppState,
    user_id: i64,
) -> Result<(Vec<Grant>, Permissions), AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let grants: Vec<Grant> = users::grants(&mut conn, user_id)
        .await?
        .iter()
        .filter_map(|g| g.grant())
        .collect();
    let all = orgs::all(&mut conn).await?;
    let perms = Permissions::new(grants.clone(), |id| orgs::subtree(&all, id))
        .with_separation(state.config.separation_of_duties);
    Ok((grants, perms))
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let jar = CookieJar::from_headers(&parts.headers);
        let token = jar
            .get(SESSION_COOKIE)
            .map(|c| c.value().to_string())
            .ok_or(AppError::Unauthenticated)?;
        let session_hash = sha256_hex(&token);
        let mut conn = state.db.pool.acquire().await?;
        let session = db_auth::session(&mut conn, &session_hash, &state.config.session_policy)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let user = users::get(&mut conn, session.user_id).await?;
        let must_change_password = must_change(state, &user);
        if must_change_password {
            let path = parts
                .extensions
                .get::<axum::extract::OriginalUri>()
                .map(|u| u.path().to_string())
                .unwrap_or_else(|| parts.uri.path().to_string());
            if path != CHANGE_PASSWORD_PATH && path != "/admin/logout" {
                return Err(AppError::PasswordChangeRequired);
            }
        }
        crate::refusals::note(&parts.extensions, user.id);
        let unread_notifications =
            gongkai_db::notifications::unread_count(&mut conn, user.id).await?;
        drop(conn);
        let (grants, perms) = load_permissions(state, user.id).await?;
        // The password first (a forced change), then the second factor.
        if state.config.require_totp_for_admins
            && !must_change_password
            && user.totp_enabled == 0
            && grants
                .iter()
                .any(|g| g.role == gongkai_domain::role::Role::SystemAdmin)
        {
            let path = parts
                .extensions
                .get::<axum::extract::OriginalUri>()
                .map(|u| u.path().to_string())
                .unwrap_or_else(|| parts.uri.path().to_string());
            if !path.starts_with(TOTP_PATH) && path != "/admin/logout" {
                return Err(AppError::SecondFactorRequired);
            }
        }
        Ok(CurrentUser {
            unread_notifications,
            must_change_password,
            session_hash,
            id: user.id,
            username: user.username,
            display_name: user.display_name,
            csrf_token: session.csrf_token,
            grants,
            perms,
            ip: client_ip(parts, &state.config),
        })
    }
}

/// Whether `user` must change the password before anything else: it was generated or set by an
/// administrator, or it is past the policy's maximum age.
pub fn must_change(state: &AppState, user: &users::User) -> bool {
    user.must_change_password == 1
        || gongkai_domain::account_policy::password_expired(
            &state.config.password_policy,
            user.password_changed_at,
            gongkai_db::now_ms(),
        )
}

/// Checks a new password for `username` against the password policy and, when `recent` (the
/// hashes of the user's last passwords) is given, the history rule. Adds the broken rules to `inv`.
pub async fn check_new_password(
    state: &AppState,
    inv: &mut gongkai_domain::Invalid,
    field: &'static str,
    username: &str,
    password: &str,
    recent: Vec<String>,
) -> Result<(), AppError> {
    let policy = state.config.password_policy;
    let before = inv.errors.len();
    gongkai_domain::account_policy::check_password(inv, field, &policy, username, password);
    if inv.errors.len() > before || recent.is_empty() {
        return Ok(());
    }
    let pw = password.to_string();
    let reused =
        tokio::task::spawn_blocking(move || recent.iter().any(|h| verify_password(&pw, h)))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
    if reused {
        inv.push(
            field,
            gongkai_domain::account_policy::history_message(policy.history),
        );
    }
    Ok(())
}

/// Refuses state-changing requests that a browser marks as cross-site, before any handler runs.
pub async fn reject_cross_site(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let unsafe_method = !matches!(req.method().as_str(), "GET" | "HEAD" | "OPTIONS");
    let cross = req
        .headers()
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        == Some("cross-site");
    if unsafe_method && cross {
        return AppError::Csrf.into_response();
    }
    next.run(req).await
}

pub fn session_cookie(state: &AppState, token: String) -> Cookie<'static> {
    let mut c = Cookie::new(SESSION_COOKIE, token);
    c.set_http_only(true);
    c.set_same_site(SameSite::Lax);
    c.set_path("/");
    c.set_secure(state.config.secure_cookies);
    c
}

pub fn login_csrf_cookie(state: &AppState, token: String) -> Cookie<'static> {
    let mut c = Cookie::new(LOGIN_CSRF_COOKIE, token);
    c.set_http_only(true);
    c.set_same_site(SameSite::Strict);
    c.set_path("/admin");
    c.set_secure(state.config.secure_cookies);
    c
}

/// What a refused login is refused for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locked {
    /// The account, after repeated failures.
    Account,
    /// The client address, after many failures from it (accounts are not locked).
    Address,
}

pub enum LoginOutcome {
    Success {
        token: String,
        /// The password must be changed first (see [`must_change`]).
        must_change_password: bool,
    },
    /// The password was right and the account has the TOTP second factor: `token` is a sign-in
    /// waiting for the code (see [`complete_second_factor`]).
    SecondFactor {
        token: String,
    },
    Failed,
    /// Refused without checking the password, until the given time (epoch ms).
    Locked {
        what: Locked,
        until: i64,
    },
}

/// Checks credentials with the address throttle and the account lockout. Records every attempt
/// that is checked, and every login, failure, lockout and refusal in the audit log.
pub async fn login(
    state: &AppState,
    username: &str,
    password: &str,
    ip: &str,
) -> Result<LoginOutcome, AppError> {
    let now = gongkai_db::now_ms();
    let mut conn = state.db.pool.acquire().await?;
    let user = users::by_username(&mut conn, username).await?;
    let actor = Actor {
        user_id: user.as_ref().map(|u| u.id),
        name: username.to_owned(),
        ip: ip.to_owned(),
    };
    let (ip_failures, first) =
        db_auth::address_failures(&mut conn, ip, now - ADDRESS_WINDOW_MS).await?;
    if ip_failures >= MAX_IP_FAILURES {
        let until = first.unwrap_or(now) + ADDRESS_WINDOW_MS;
        let summary = format!("来自 {ip} 的登录尝试过多\u{FF0C}已限制该地址登录");
        db_auth::audit_sign_in(&mut conn, &actor, "auth.throttled", username, summary).await?;
        return Ok(LoginOutcome::Locked {
            what: Locked::Address,
            until,
        });
    }
    let (failures, last) =
        db_auth::account_failures(&mut conn, username, now - ACCOUNT_WINDOW_MS).await?;
    if let (Some(d), Some(last)) = (lock_duration(failures), last)
        && last + d > now
    {
        let summary = "账号已锁定\u{FF0C}拒绝登录".to_owned();
        db_auth::audit_sign_in(&mut conn, &actor, "auth.locked", username, summary).await?;
        return Ok(LoginOutcome::Locked {
            what: Locked::Account,
            until: last + d,
        });
    }
    drop(conn);
    let hash = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| dummy_hash().to_string());
    let pw = password.to_string();
    let ok = tokio::task::spawn_blocking(move || verify_password(&pw, &hash))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let mut tx = state.db.begin().await?;
    let outcome = match user {
        Some(u) if ok && u.is_active == 1 && u.totp_enabled == 1 => {
            let token = random_hex(32);
            db_auth::create_pending_session(
                &mut tx,
                &sha256_hex(&token),
                u.id,
                &random_hex(32),
                ip,
            )
            .await?;
            let summary = "密码正确\u{FF0C}等待两步验证码".to_owned();
            db_auth::audit_sign_in(&mut tx, &actor, "auth.second_factor", username, summary)
                .await?;
            LoginOutcome::SecondFactor { token }
        }
        Some(u) if ok && u.is_active == 1 => {
            db_auth::record_attempt(&mut tx, username, ip, true).await?;
            let token = random_hex(32);
            db_auth::audit_sign_in(&mut tx, &actor, "auth.login", username, "登录".into()).await?;
            db_auth::create_session(
                &mut tx,
                &actor,
                &sha256_hex(&token),
                u.id,
                &random_hex(32),
                &state.config.session_policy,
                ip,
            )
            .await?;
            LoginOutcome::Success {
                token,
                must_change_password: must_change(state, &u),
            }
        }
        _ => {
            db_auth::record_attempt(&mut tx, username, ip, false).await?;
            match lock_duration(failures + 1) {
                Some(d) => {
                    let summary = format!(
                        "连续 {} 次登录失败\u{FF0C}账号锁定至 {}",
                        failures + 1,
                        gongkai_domain::china_time::format_minute(now + d)
                    );
                    db_auth::audit_sign_in(&mut tx, &actor, "auth.lockout", username, summary)
                        .await?;
                    LoginOutcome::Locked {
                        what: Locked::Account,
                        until: now + d,
                    }
                }
                None => {
                    let summary = "登录失败\u{FF08}用户名或密码错误\u{FF09}".to_owned();
                    db_auth::audit_sign_in(&mut tx, &actor, "auth.login_failed", username, summary)
                        .await?;
                    LoginOutcome::Failed
                }
            }
        }
    };
    tx.commit().await?;
    Ok(outcome)
}

/// What a second-factor code completed.
pub enum SecondFactorOutcome {
    /// Signed in (the waiting sign-in is now the session).
    Success { must_change_password: bool },
    /// A wrong code: the waiting sign-in is ended (sign in again), counted as a failed attempt.
    Failed,
}

/// Checks the TOTP code of a sign-in waiting for it (`token_hash`); audited as `auth.login` or
/// `auth.login_failed`.
pub async fn complete_second_factor(
    state: &AppState,
    token_hash: &str,
    code: &str,
    ip: &str,
) -> Result<SecondFactorOutcome, AppError> {
    let mut tx = state.db.begin().await?;
    let pending = db_auth::pending_session(&mut tx, token_hash)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let user = users::get(&mut tx, pending.user_id).await?;
    let actor = Actor {
        user_id: Some(user.id),
        name: user.username.clone(),
        ip: ip.to_owned(),
    };
    let secret = user
        .totp_secret
        .as_deref()
        .and_then(gongkai_domain::totp::base32_decode)
        .filter(|_| user.totp_enabled == 1);
    let unix_secs = gongkai_db::now_ms().div_euclid(1000);
    let step =
        secret.and_then(|s| gongkai_domain::totp::verify(&s, code, unix_secs, user.totp_last_step));
    let outcome = match step {
        Some(step) => {
            users::use_totp_step(&mut tx, user.id, step).await?;
            db_auth::record_attempt(&mut tx, &user.username, ip, true).await?;
            db_auth::audit_sign_in(
                &mut tx,
                &actor,
                "auth.login",
                &user.username,
                "登录\u{FF08}密码和两步验证码\u{FF09}".into(),
            )
            .await?;
            db_auth::complete_second_factor(
                &mut tx,
                &actor,
                token_hash,
                user.id,
                &state.config.session_policy,
            )
            .await?;
            SecondFactorOutcome::Success {
                must_change_password: must_change(state, &user),
            }
        }
        None => {
            db_auth::delete_session(&mut tx, token_hash).await?;
            db_auth::record_attempt(&mut tx, &user.username, ip, false).await?;
            db_auth::audit_sign_in(
                &mut tx,
                &actor,
                "auth.login_failed",
                &user.username,
                "登录失败\u{FF08}两步验证码错误\u{FF09}".into(),
            )
            .await?;
            SecondFactorOutcome::Failed
        }
    };
    tx.commit().await?;
    Ok(outcome)
}

/// A new random TOTP secret, base32 (160 bits, as RFC 4226 recommends).
pub fn new_totp_secret() -> Result<String, AppError> {
    let mut buf = [0u8; 20];
    getrandom::fill(&mut buf).map_err(|e| AppError::Internal(format!("random: {e}")))?;
    Ok(gongkai_domain::totp::base32_encode(&buf))
}

/// Where a system administrator without the second factor is sent when the configuration
/// requires it (`require_totp_for_admins`).
pub const TOTP_PATH: &str = "/admin/account/totp";
/// Where a sign-in waits for the second factor's code.
pub const SECOND_FACTOR_PATH: &str = "/admin/login/totp";

/// The message of a refused login: what is locked and until when, in China time.
pub fn locked_message(what: Locked, until: i64, username: &str, ip: &str) -> String {
    let at = gongkai_domain::china_time::format_minute(until);
    match what {
        Locked::Account => format!(
            "登录失败次数过多\u{FF0C}账号\u{201C}{username}\u{201D}已被临时锁定至 {at}\u{FF08}北京时间\u{FF09}\u{FF0C}请届时再试或联系管理员"
        ),
        Locked::Address => format!(
            "来自您所在网络地址\u{FF08}{ip}\u{FF09}的登录失败次数过多\u{FF0C}该地址暂停登录至 {at}\u{FF08}北京时间\u{FF09}\u{FF1B}账号本身未被锁定"
        ),
    }
}

/// The user behind an API request's `Authorization: Bearer <token>`.
#[derive(Debug, Clone)]
pub struct ApiUser(pub CurrentUser);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = crate::error::ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or(AppError::Unauthenticated)?;
        let mut conn = state.db.pool.acquire().await.map_err(AppError::from)?;
        let user_id = db_auth::token_user(&mut conn, &sha256_hex(token))
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let user = users::get(&mut conn, user_id).await?;
        drop(conn);
        crate::refusals::note(&parts.extensions, user.id);
        let (grants, perms) = load_permissions(state, user.id).await?;
        Ok(ApiUser(CurrentUser {
            unread_notifications: 0,
            // API tokens are not bound to the change (docs/decisions.md): a forced change ends
            // them anyway, since every password set revokes the user's tokens.
            must_change_password: false,
            session_hash: String::new(),
            id: user.id,
            username: user.username,
            display_name: user.display_name,
            csrf_token: String::new(),
            grants,
            perms,
            ip: client_ip(parts, &state.config),
        }))
    }
}

/// How long an API token works after it is created. Changing or resetting the password and
/// disabling the account revoke all of a user's tokens before that.
pub const TOKEN_TTL_DAYS: i64 = 90;

/// Creates a new API token of the caller's own; returns the plain token (shown once) and its id.
pub async fn issue_api_token(
    state: &AppState,
    caller: &gongkai_app::Caller<'_>,
    name: &str,
) -> Result<(String, i64), AppError> {
    let token = format!("gk_{}", random_hex(24));
    let expires_at = gongkai_db::now_ms() + TOKEN_TTL_DAYS * 86_400_000;
    let mut tx = state.db.begin_audited().await?;
    let id = gongkai_app::people::issue_own_token(
        &mut tx,
        caller,
        name,
        &sha256_hex(&token),
        expires_at,
    )
    .await?;
    tx.commit().await?;
    Ok((token, id))
}

pub use crate::util::random_hex as new_token;
