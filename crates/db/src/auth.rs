//! Sessions, login attempts and API tokens. Tokens are stored only as SHA-256 hashes, computed by
//! the caller; a leaked database does not yield usable session cookies or API tokens.

use crate::audit::{self, Entry};
use crate::{Actor, DbResult, now_ms};
use gongkai_domain::account_policy::SessionPolicy;
use serde::Serialize;
use sqlx::AnyConnection;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Session {
    pub token_hash: String,
    pub user_id: i64,
    pub csrf_token: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub ip: String,
    /// The last request seen on it (written at most every [`SessionPolicy::touch_interval_ms`]).
    pub last_seen_at: i64,
    /// 1 while it waits for the second factor's code: it grants nothing until then.
    pub pending_second_factor: i64,
}

/// How long a password-checked sign-in waits for the second factor's code.
pub const SECOND_FACTOR_WAIT_MS: i64 = 5 * 60_000;

/// Starts a session (its end is `policy.lifetime_ms` away) and, when the user then has more than
/// `policy.max_sessions`, ends the oldest, each audited as `auth.session_ended` by `actor`.
/// Returns how many were ended.
pub async fn create_session(
    conn: &mut AnyConnection,
    actor: &Actor,
    token_hash: &str,
    user_id: i64,
    csrf_token: &str,
    policy: &SessionPolicy,
    ip: &str,
) -> DbResult<usize> {
    let now = now_ms();
    sqlx::query("DELETE FROM sessions WHERE expires_at < $1 OR last_seen_at < $2")
        .bind(now)
        .bind(now - policy.idle_timeout_ms)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at, ip, last_seen_at) VALUES ($1, $2, $3, $4, $5, $6, $4)",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(csrf_token)
    .bind(now)
    .bind(now + policy.lifetime_ms)
    .bind(ip)
    .execute(&mut *conn)
    .await?;
    end_excess_sessions(conn, actor, user_id, token_hash, policy).await
}

/// Ends the oldest of the user's sessions beyond `policy.max_sessions` (never `keep`), each
/// audited as `auth.session_ended`; how many.
async fn end_excess_sessions(
    conn: &mut AnyConnection,
    actor: &Actor,
    user_id: i64,
    token_hash: &str,
    policy: &SessionPolicy,
) -> DbResult<usize> {
    let mine = sessions_of(conn, user_id).await?;
    let excess = mine.len().saturating_sub(policy.max_sessions.max(1));
    // Newest first: the oldest are at the end (never the one just created).
    let ended: Vec<&Session> = mine
        .iter()
        .rev()
        .filter(|s| s.token_hash != token_hash)
        .take(excess)
        .collect();
    for s in &ended {
        delete_session(conn, &s.token_hash).await?;
        audit::record(
            conn,
            actor,
            Entry {
                action: "auth.session_ended",
                entity: "user",
                entity_id: user_id.to_string(),
                summary: format!(
                    "同时在线会话超过 {} 个\u{FF0C}结束最早的会话\u{FF08}{} 登录\u{FF09}",
                    policy.max_sessions,
                    gongkai_domain::china_time::format_minute(s.created_at)
                ),
                before: Some(serde_json::json!({"ip": s.ip, "created_at": s.created_at})),
                after: None,
            },
        )
        .await?;
    }
    Ok(ended.len())
}

/// A live session for an active user: not past its end and used within the idle timeout. Records
/// the use when the last record is older than the policy's touch interval.
pub async fn session(
    conn: &mut AnyConnection,
    token_hash: &str,
    policy: &SessionPolicy,
) -> DbResult<Option<Session>> {
    let now = now_ms();
    let found: Option<Session> = sqlx::query_as(
        "SELECT s.* FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3 AND u.is_active = 1 \
         AND s.pending_second_factor = 0",
    )
    .bind(token_hash)
    .bind(now)
    .bind(now - policy.idle_timeout_ms)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(s) = found else {
        return Ok(None);
    };
    if !policy.is_live(s.created_at, s.last_seen_at, now) {
        return Ok(None);
    }
    if now - s.last_seen_at >= policy.touch_interval_ms() {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
            .bind(now)
            .bind(token_hash)
            .execute(conn)
            .await?;
    }
    Ok(Some(s))
}

/// Starts a sign-in that waits for the second factor (for [`SECOND_FACTOR_WAIT_MS`]).
pub async fn create_pending_session(
    conn: &mut AnyConnection,
    token_hash: &str,
    user_id: i64,
    csrf_token: &str,
    ip: &str,
) -> DbResult<()> {
    let now = now_ms();
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at, ip, last_seen_at, pending_second_factor) \
         VALUES ($1, $2, $3, $4, $5, $6, $4, 1)",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(csrf_token)
    .bind(now)
    .bind(now + SECOND_FACTOR_WAIT_MS)
    .bind(ip)
    .execute(conn)
    .await?;
    Ok(())
}

/// A sign-in waiting for the second factor, not yet expired, of an active user.
pub async fn pending_session(
    conn: &mut AnyConnection,
    token_hash: &str,
) -> DbResult<Option<Session>> {
    Ok(sqlx::query_as(
        "SELECT s.* FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.is_active = 1 AND s.pending_second_factor = 1",
    )
    .bind(token_hash)
    .bind(now_ms())
    .fetch_optional(conn)
    .await?)
}

/// The second factor was given: the waiting sign-in becomes a session (the lifetime counts from
/// now) and the concurrent limit applies. Returns how many older sessions were ended.
pub async fn complete_second_factor(
    conn: &mut AnyConnection,
    actor: &Actor,
    token_hash: &str,
    user_id: i64,
    policy: &SessionPolicy,
) -> DbResult<usize> {
    let now = now_ms();
    sqlx::query(
        "UPDATE sessions SET pending_second_factor = 0, created_at = $1, last_seen_at = $1, expires_at = $2 \
         WHERE token_hash = $3 AND pending_second_factor = 1",
    )
    .bind(now)
    .bind(now + policy.lifetime_ms)
    .bind(token_hash)
    .execute(&mut *conn)
    .await?;
    end_excess_sessions(conn, actor, user_id, token_hash, policy).await
}

/// A user's sessions, newest first.
pub async fn sessions_of(conn: &mut AnyConnection, user_id: i64) -> DbResult<Vec<Session>> {
    Ok(sqlx::query_as(
        "SELECT * FROM sessions WHERE user_id = $1 AND pending_second_factor = 0 \
         ORDER BY created_at DESC, token_hash",
    )
    .bind(user_id)
    .fetch_all(conn)
    .await?)
}

/// Ends one of the user's own sessions (not checked against the caller: the caller passes its
/// own id); audited as `auth.session_ended`. Whether one was ended.
pub async fn end_own_session(
    conn: &mut AnyConnection,
    actor: &Actor,
    user_id: i64,
    token_hash: &str,
) -> DbResult<bool> {
    let n = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash = $2")
        .bind(user_id)
        .bind(token_hash)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    if n > 0 {
        audit::record(
            conn,
            actor,
            Entry {
                action: "auth.session_ended",
                entity: "user",
                entity_id: user_id.to_string(),
                summary: "用户结束了自己的另一个会话".into(),
                before: None,
                after: None,
            },
        )
        .await?;
    }
    Ok(n > 0)
}

pub async fn delete_session(conn: &mut AnyConnection, token_hash: &str) -> DbResult<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(conn)
        .await?;
    Ok(())
}

/// Login attempts are kept this long (for the lockout rule and for security review).
pub const ATTEMPT_RETENTION_MS: i64 = 30 * 24 * 3_600_000;

pub async fn record_attempt(
    conn: &mut AnyConnection,
    username: &str,
    ip: &str,
    success: bool,
) -> DbResult<()> {
    sqlx::query("DELETE FROM login_attempts WHERE username = $1 AND at < $2")
        .bind(username)
        .bind(now_ms() - ATTEMPT_RETENTION_MS)
        .execute(&mut *conn)
        .await?;
    sqlx::query("INSERT INTO login_attempts (username, ip, at, success) VALUES ($1, $2, $3, $4)")
        .bind(username)
        .bind(ip)
        .bind(now_ms())
        .bind(i64::from(success))
        .execute(conn)
        .await?;
    Ok(())
}

/// Failures for this user name since its last success and since `since_ms`, and the time of
/// the latest: the per-account lockout rule.
pub async fn account_failures(
    conn: &mut AnyConnection,
    username: &str,
    since_ms: i64,
) -> DbResult<(i64, Option<i64>)> {
    let last_success: Option<i64> = sqlx::query_scalar(
        "SELECT MAX(at) FROM login_attempts WHERE username = $1 AND success = 1",
    )
    .bind(username)
    .fetch_one(&mut *conn)
    .await?;
    let from = since_ms.max(last_success.unwrap_or(0) + 1);
    Ok(sqlx::query_as(
        "SELECT COUNT(*), MAX(at) FROM login_attempts WHERE username = $1 AND success = 0 AND at >= $2",
    )
    .bind(username)
    .bind(from)
    .fetch_one(conn)
    .await?)
}

/// Failures from this address since `since_ms`, and the time of the earliest of them: the
/// per-address throttle.
pub async fn address_failures(
    conn: &mut AnyConnection,
    ip: &str,
    since_ms: i64,
) -> DbResult<(i64, Option<i64>)> {
    Ok(sqlx::query_as(
        "SELECT COUNT(*), MIN(at) FROM login_attempts WHERE ip = $1 AND success = 0 AND at >= $2",
    )
    .bind(ip)
    .bind(since_ms)
    .fetch_one(conn)
    .await?)
}

/// Records a sign-in event (`auth.login`, `auth.login_failed`, `auth.lockout`, `auth.locked`,
/// `auth.throttled`, `auth.logout`) in the audit log.
pub async fn audit_sign_in(
    conn: &mut AnyConnection,
    actor: &Actor,
    action: &str,
    username: &str,
    summary: String,
) -> DbResult<()> {
    audit::record(
        conn,
        actor,
        Entry {
            action,
            entity: "user",
            entity_id: username.to_owned(),
            summary,
            before: None,
            after: None,
        },
    )
    .await
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ApiToken {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    #[serde(skip)]
    pub token_hash: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
    /// After this the token no longer works (`None` only in rows no migration could date).
    pub expires_at: Option<i64>,
}

pub async fn create_token(
    conn: &mut AnyConnection,
    actor: &Actor,
    user_id: i64,
    name: &str,
    token_hash: &str,
    expires_at: i64,
) -> DbResult<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO api_tokens (user_id, name, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(user_id)
    .bind(name)
    .bind(token_hash)
    .bind(now_ms())
    .bind(expires_at)
    .fetch_one(&mut *conn)
    .await?;
    audit::record(
        conn,
        actor,
        Entry {
            action: "token.create",
            entity: "api_token",
            entity_id: id.to_string(),
            summary: format!("创建接口令牌“{name}”"),
            before: None,
            after: Some(
                serde_json::json!({"name": name, "user_id": user_id, "expires_at": expires_at}),
            ),
        },
    )
    .await?;
    Ok(id)
}

pub async fn tokens_of(conn: &mut AnyConnection, user_id: i64) -> DbResult<Vec<ApiToken>> {
    Ok(
        sqlx::query_as("SELECT * FROM api_tokens WHERE user_id = $1 ORDER BY id DESC")
            .bind(user_id)
            .fetch_all(conn)
            .await?,
    )
}

pub async fn revoke_token(
    conn: &mut AnyConnection,
    actor: &Actor,
    user_id: i64,
    id: i64,
) -> DbResult<bool> {
    let n = sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL")
        .bind(now_ms())
        .bind(id)
        .bind(user_id)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    if n > 0 {
        audit::record(
            conn,
            actor,
            Entry {
                action: "token.revoke",
                entity: "api_token",
                entity_id: id.to_string(),
                summary: "吊销接口令牌".into(),
                before: None,
                after: None,
            },
        )
        .await?;
    }
    Ok(n > 0)
}

/// Revokes every live token of a user (the password changed, or the account was disabled);
/// the caller's audit entry says why. Returns how many were revoked.
pub async fn revoke_all_tokens(conn: &mut AnyConnection, user_id: i64) -> DbResult<u64> {
    Ok(sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
    )
    .bind(now_ms())
    .bind(user_id)
    .execute(conn)
    .await?
    .rows_affected())
}

/// The user behind a live (not revoked, not expired) token; records its use.
pub async fn token_user(conn: &mut AnyConnection, token_hash: &str) -> DbResult<Option<i64>> {
    let user: Option<i64> = sqlx::query_scalar(
        "SELECT t.user_id FROM api_tokens t JOIN users u ON u.id = t.user_id \
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > $2 AND u.is_active = 1",
    )
    .bind(token_hash)
    .bind(now_ms())
    .fetch_optional(&mut *conn)
    .await?;
    if user.is_some() {
        sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2")
            .bind(now_ms())
            .bind(token_hash)
            .execute(conn)
            .await?;
    }
    Ok(user)
}
