//! Sessions, login attempts and API tokens. Tokens are stored only as SHA-256 hashes, computed by
//! the caller; a leaked database does not yield usable session cookies or API tokens.

use crate::audit::{self, Entry};
use crate::{Actor, DbResult, now_ms};
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
}

pub async fn create_session(
    conn: &mut AnyConnection,
    token_hash: &str,
    user_id: i64,
    csrf_token: &str,
    ttl_ms: i64,
    ip: &str,
) -> DbResult<()> {
    let now = now_ms();
    sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
        .bind(now)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at, ip) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(csrf_token)
    .bind(now)
    .bind(now + ttl_ms)
    .bind(ip)
    .execute(conn)
    .await?;
    Ok(())
}

/// A live session for an active user.
pub async fn session(conn: &mut AnyConnection, token_hash: &str) -> DbResult<Option<Session>> {
    Ok(sqlx::query_as(
        "SELECT s.* FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.is_active = 1",
    )
    .bind(token_hash)
    .bind(now_ms())
    .fetch_optional(conn)
    .await?)
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
