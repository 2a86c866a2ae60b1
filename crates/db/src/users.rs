//! Users and their role grants. Password hashing happens in the web layer; this module stores hashes.

use crate::audit::{self, Entry};
use crate::error::OnUnique;
use crate::{Actor, DbError, DbResult, now_ms};
use gongkai_domain::role::{Grant, Role};
use serde::Serialize;
use sqlx::AnyConnection;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    #[serde(skip)]
    pub password_hash: String,
    pub is_active: i64,
    pub created_at: i64,
    pub updated_at: i64,
    /// For reminders by e-mail (only when SMTP is configured).
    pub email: Option<String>,
    /// 1 when the password was generated or set by someone else: the user must change it
    /// before doing anything else in the back office.
    pub must_change_password: i64,
    /// When the password was last set (epoch ms), for the maximum age.
    pub password_changed_at: i64,
    /// The TOTP secret (base32), set while enrolling and once enrolled.
    #[serde(skip)]
    pub totp_secret: Option<String>,
    /// 1 once the user confirmed a code: sign-in then asks for one.
    pub totp_enabled: i64,
    /// The last TOTP step used (a code works once).
    #[serde(skip)]
    pub totp_last_step: i64,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct GrantRow {
    pub id: i64,
    pub user_id: i64,
    pub role: String,
    pub org_id: Option<i64>,
}

impl GrantRow {
    pub fn grant(&self) -> Option<Grant> {
        Role::from_code(&self.role).map(|role| Grant {
            role,
            org_id: self.org_id,
        })
    }
}

pub async fn count(conn: &mut AnyConnection) -> DbResult<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(conn)
        .await?)
}

pub async fn all(conn: &mut AnyConnection) -> DbResult<Vec<User>> {
    Ok(sqlx::query_as("SELECT * FROM users ORDER BY id")
        .fetch_all(conn)
        .await?)
}

pub async fn get(conn: &mut AnyConnection, id: i64) -> DbResult<User> {
    sqlx::query_as("SELECT * FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(DbError::NotFound("用户不存在"))
}

pub async fn by_username(conn: &mut AnyConnection, username: &str) -> DbResult<Option<User>> {
    Ok(sqlx::query_as("SELECT * FROM users WHERE username = $1")
        .bind(username)
        .fetch_optional(conn)
        .await?)
}

pub async fn grants(conn: &mut AnyConnection, user_id: i64) -> DbResult<Vec<GrantRow>> {
    Ok(
        sqlx::query_as("SELECT * FROM user_roles WHERE user_id = $1 ORDER BY id")
            .bind(user_id)
            .fetch_all(conn)
            .await?,
    )
}

/// How many active users hold `role` (its code).
pub async fn active_holders(conn: &mut AnyConnection, role: &str) -> DbResult<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM user_roles r JOIN users u ON u.id = r.user_id \
         WHERE r.role = $1 AND u.is_active = 1",
    )
    .bind(role)
    .fetch_one(conn)
    .await?)
}

pub async fn all_grants(conn: &mut AnyConnection) -> DbResult<Vec<GrantRow>> {
    Ok(
        sqlx::query_as("SELECT * FROM user_roles ORDER BY user_id, id")
            .fetch_all(conn)
            .await?,
    )
}

pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub grants: &'a [Grant],
    /// The password was generated or chosen by an administrator: the user must change it at
    /// the first sign-in.
    pub must_change_password: bool,
}

pub async fn create(conn: &mut AnyConnection, actor: &Actor, u: &NewUser<'_>) -> DbResult<i64> {
    let now = now_ms();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO users (username, display_name, password_hash, is_active, created_at, updated_at, \
         password_changed_at, must_change_password) VALUES ($1, $2, $3, 1, $4, $4, $4, $5) RETURNING id",
    )
    .bind(u.username)
    .bind(u.display_name)
    .bind(u.password_hash)
    .bind(now)
    .bind(i64::from(u.must_change_password))
    .fetch_one(&mut *conn)
    .await
    .on_unique("username", &format!("登录名“{}”已被使用", u.username))?;
    for g in u.grants {
        add_grant_row(conn, id, g).await?;
    }
    audit::record(conn, actor, Entry {
        action: "user.create",
        entity: "user",
        entity_id: id.to_string(),
        summary: format!("新建用户 {}（{}）", u.username, u.display_name),
        before: None,
        after: Some(serde_json::json!({"username": u.username, "display_name": u.display_name, "grants": u.grants})),
    })
    .await?;
    Ok(id)
}

async fn add_grant_row(conn: &mut AnyConnection, user_id: i64, g: &Grant) -> DbResult<()> {
    sqlx::query("INSERT INTO user_roles (user_id, role, org_id) VALUES ($1, $2, $3)")
        .bind(user_id)
        .bind(g.role.code())
        .bind(g.org_id)
        .execute(&mut *conn)
        .await
        .on_unique("role", "该用户已有此角色")?;
    // Notices kept because nobody could act on them yet are delivered to the new holder.
    crate::notifications::redeliver_pending(conn).await?;
    Ok(())
}

pub async fn add_grant(
    conn: &mut AnyConnection,
    actor: &Actor,
    user_id: i64,
    g: &Grant,
) -> DbResult<()> {
    let user = get(conn, user_id).await?;
    add_grant_row(conn, user_id, g).await?;
    audit::record(
        conn,
        actor,
        Entry {
            action: "user.grant",
            entity: "user",
            entity_id: user_id.to_string(),
            summary: format!("为 {} 授予角色 {}", user.username, g.role.label()),
            before: None,
            after: serde_json::to_value(g).ok(),
        },
    )
    .await
}

pub async fn remove_grant(
    conn: &mut AnyConnection,
    actor: &Actor,
    grant_id: i64,
) -> DbResult<GrantRow> {
    let row: GrantRow = sqlx::query_as("SELECT * FROM user_roles WHERE id = $1")
        .bind(grant_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(DbError::NotFound("角色授权不存在"))?;
    sqlx::query("DELETE FROM user_roles WHERE id = $1")
        .bind(grant_id)
        .execute(&mut *conn)
        .await?;
    audit::record(
        conn,
        actor,
        Entry {
            action: "user.revoke",
            entity: "user",
            entity_id: row.user_id.to_string(),
            summary: format!("撤销角色 {}", row.role),
            before: serde_json::to_value(&row).ok(),
            after: None,
        },
    )
    .await?;
    Ok(row)
}

pub async fn set_active(
    conn: &mut AnyConnection,
    actor: &Actor,
    user_id: i64,
    active: bool,
) -> DbResult<()> {
    let user = get(conn, user_id).await?;
    sqlx::query("UPDATE users SET is_active = $1, updated_at = $2 WHERE id = $3")
        .bind(i64::from(active))
        .bind(now_ms())
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    let mut revoked = 0;
    if !active {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *conn)
            .await?;
        revoked = crate::auth::revoke_all_tokens(conn, user_id).await?;
    }
    audit::record(
        conn,
        actor,
        Entry {
            action: if active {
                "user.enable"
            } else {
                "user.disable"
            },
            entity: "user",
            entity_id: user_id.to_string(),
            summary: format!(
                "{}用户 {}",
                if active { "启用" } else { "停用" },
                user.username
            ),
            before: Some(serde_json::json!({"is_active": user.is_active})),
            after: Some(
                serde_json::json!({"is_active": i64::from(active), "tokens_revoked": revoked}),
            ),
        },
    )
    .await
}

/// Replaces the password hash and ends the user's other sessions.
/// Sets or clears a user's e-mail address (already validated), audited.
pub async fn set_email(
    conn: &mut AnyConnection,
    actor: &Actor,
    user_id: i64,
    email: Option<&str>,
) -> DbResult<()> {
    let user = get(conn, user_id).await?;
    sqlx::query("UPDATE users SET email = $1, updated_at = $2 WHERE id = $3")
        .bind(email)
        .bind(now_ms())
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    audit::record(
        conn,
        actor,
        Entry {
            action: "user.email",
            entity: "user",
            entity_id: user_id.to_string(),
            summary: match email {
                Some(_) => format!("设置用户 {} 的通知邮箱", user.username),
                None => format!("清除用户 {} 的通知邮箱", user.username),
            },
            before: Some(serde_json::json!({"email": user.email})),
            after: Some(serde_json::json!({"email": email})),
        },
    )
    .await
}

/// Who set a password: the user (who knew the old one), or someone else or the program (the
/// user must change it at the next sign-in).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordSetBy {
    Owner,
    Assigned,
}

/// Sets a user's password: the old hash goes to the history (the last
/// [`gongkai_domain::account_policy::HISTORY_KEPT`] are kept), every session ends and every API
/// token is revoked.
pub async fn set_password(
    conn: &mut AnyConnection,
    actor: &Actor,
    user_id: i64,
    hash: &str,
    by: PasswordSetBy,
) -> DbResult<()> {
    let user = get(conn, user_id).await?;
    let now = now_ms();
    sqlx::query(
        "INSERT INTO password_history (user_id, password_hash, created_at) VALUES ($1, $2, $3)",
    )
    .bind(user_id)
    .bind(&user.password_hash)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    let keep = i64::try_from(gongkai_domain::account_policy::HISTORY_KEPT).unwrap_or(24);
    sqlx::query(
        "DELETE FROM password_history WHERE user_id = $1 AND id NOT IN \
         (SELECT id FROM password_history WHERE user_id = $1 ORDER BY id DESC LIMIT $2)",
    )
    .bind(user_id)
    .bind(keep)
    .execute(&mut *conn)
    .await?;
    let must_change = i64::from(by == PasswordSetBy::Assigned);
    if by == PasswordSetBy::Assigned {
        // The way back in for someone who lost the authenticator: the new password alone.
        sqlx::query("UPDATE users SET totp_secret = NULL, totp_enabled = 0 WHERE id = $1")
            .bind(user_id)
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query(
        "UPDATE users SET password_hash = $1, updated_at = $2, password_changed_at = $2, \
         must_change_password = $3 WHERE id = $4",
    )
    .bind(hash)
    .bind(now)
    .bind(must_change)
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    let revoked = crate::auth::revoke_all_tokens(conn, user_id).await?;
    audit::record(
        conn,
        actor,
        Entry {
            action: "user.password",
            entity: "user",
            entity_id: user_id.to_string(),
            summary: match by {
                PasswordSetBy::Owner => format!("用户 {} 修改了自己的密码", user.username),
                PasswordSetBy::Assigned => {
                    format!(
                        "重置用户 {} 的密码\u{FF08}首次登录须修改\u{FF09}",
                        user.username
                    )
                }
            },
            before: None,
            after: Some(serde_json::json!({
                "tokens_revoked": revoked,
                "must_change_password": must_change == 1,
                "totp_cleared": must_change == 1 && user.totp_secret.is_some(),
            })),
        },
    )
    .await
}

/// The hashes a new password may not match: the current one and the `n - 1` before it (`n` = 0:
/// none).
pub async fn recent_password_hashes(
    conn: &mut AnyConnection,
    user_id: i64,
    n: usize,
) -> DbResult<Vec<String>> {
    if n == 0 {
        return Ok(Vec::new());
    }
    let current = get(conn, user_id).await?.password_hash;
    let older: Vec<String> = sqlx::query_scalar(
        "SELECT password_hash FROM password_history WHERE user_id = $1 ORDER BY id DESC LIMIT $2",
    )
    .bind(user_id)
    .bind(i64::try_from(n - 1).unwrap_or(0))
    .fetch_all(conn)
    .await?;
    Ok(std::iter::once(current).chain(older).collect())
}

/// Records a user's TOTP state: `secret` with `enabled` false starts enrolment (a new secret
/// replaces any earlier one), with `enabled` true completes it at `step`; `None` turns the
/// second factor off. Audited as `user.totp`.
pub async fn set_totp(
    conn: &mut AnyConnection,
    actor: &Actor,
    user_id: i64,
    secret: Option<&str>,
    enabled: bool,
    step: i64,
) -> DbResult<()> {
    let user = get(conn, user_id).await?;
    sqlx::query(
        "UPDATE users SET totp_secret = $1, totp_enabled = $2, totp_last_step = $3, updated_at = $4 WHERE id = $5",
    )
    .bind(secret)
    .bind(i64::from(enabled && secret.is_some()))
    .bind(step)
    .bind(now_ms())
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    let summary = match (secret.is_some(), enabled) {
        (true, false) => format!("用户 {} 开始设置两步验证", user.username),
        (true, true) => format!("用户 {} 启用了两步验证", user.username),
        (false, _) => format!("用户 {} 关闭了两步验证", user.username),
    };
    audit::record(
        conn,
        actor,
        Entry {
            action: "user.totp",
            entity: "user",
            entity_id: user_id.to_string(),
            summary,
            before: Some(serde_json::json!({"enabled": user.totp_enabled == 1})),
            after: Some(serde_json::json!({"enabled": enabled && secret.is_some()})),
        },
    )
    .await
}

/// Records the TOTP step a sign-in used (the sign-in's own audit entry covers it).
pub async fn use_totp_step(conn: &mut AnyConnection, user_id: i64, step: i64) -> DbResult<()> {
    sqlx::query("UPDATE users SET totp_last_step = $1 WHERE id = $2")
        .bind(step)
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}
