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
}

pub async fn create(conn: &mut AnyConnection, actor: &Actor, u: &NewUser<'_>) -> DbResult<i64> {
    let now = now_ms();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO users (username, display_name, password_hash, is_active, created_at, updated_at) \
         VALUES ($1, $2, $3, 1, $4, $4) RETURNING id",
    )
    .bind(u.username)
    .bind(u.display_name)
    .bind(u.password_hash)
    .bind(now)
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

pub async fn set_password(
    conn: &mut AnyConnection,
    actor: &Actor,
    user_id: i64,
    hash: &str,
) -> DbResult<()> {
    let user = get(conn, user_id).await?;
    sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
        .bind(hash)
        .bind(now_ms())
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
            summary: format!("重置用户 {} 的密码", user.username),
            before: None,
            after: Some(serde_json::json!({"tokens_revoked": revoked})),
        },
    )
    .await
}
