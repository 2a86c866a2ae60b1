//! Attachment records. The bytes live in content-addressed storage (see `gongkai_web::storage`);
//! a row names the item, the original file name and the SHA-256 of the content.

use crate::audit::{self, Entry};
use crate::items::PUBLIC_SQL;
use crate::{Actor, DbError, DbResult, now_ms};
use serde::Serialize;
use sqlx::AnyConnection;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Attachment {
    pub id: i64,
    pub item_id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub created_by: Option<i64>,
    pub created_at: i64,
}

pub struct NewAttachment<'a> {
    pub item_id: i64,
    pub file_name: &'a str,
    pub content_type: &'a str,
    pub size_bytes: i64,
    pub sha256: &'a str,
}

pub async fn of_item(conn: &mut AnyConnection, item_id: i64) -> DbResult<Vec<Attachment>> {
    Ok(
        sqlx::query_as("SELECT * FROM attachments WHERE item_id = $1 ORDER BY id")
            .bind(item_id)
            .fetch_all(conn)
            .await?,
    )
}

pub async fn get(conn: &mut AnyConnection, id: i64) -> DbResult<Attachment> {
    sqlx::query_as("SELECT * FROM attachments WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(DbError::NotFound("附件不存在"))
}

/// An attachment of a public item, or `NotFound`.
pub async fn get_public(conn: &mut AnyConnection, id: i64) -> DbResult<Attachment> {
    sqlx::query_as(dyn_sql!(
        "SELECT a.* FROM attachments a JOIN items i ON i.id = a.item_id WHERE a.id = $1 AND {PUBLIC_SQL}"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?
    .ok_or(DbError::NotFound("附件不存在或未公开"))
}

pub async fn add(conn: &mut AnyConnection, actor: &Actor, a: &NewAttachment<'_>) -> DbResult<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO attachments (item_id, file_name, content_type, size_bytes, sha256, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(a.item_id)
    .bind(a.file_name)
    .bind(a.content_type)
    .bind(a.size_bytes)
    .bind(a.sha256)
    .bind(actor.user_id)
    .bind(now_ms())
    .fetch_one(&mut *conn)
    .await?;
    audit::record(conn, actor, Entry {
        action: "attachment.add",
        entity: "item",
        entity_id: a.item_id.to_string(),
        summary: format!("上传附件“{}”({} 字节)", a.file_name, a.size_bytes),
        before: None,
        after: Some(serde_json::json!({"attachment_id": id, "file_name": a.file_name, "sha256": a.sha256, "size_bytes": a.size_bytes})),
    })
    .await?;
    Ok(id)
}

pub async fn remove(conn: &mut AnyConnection, actor: &Actor, id: i64) -> DbResult<Attachment> {
    let a = get(conn, id).await?;
    sqlx::query("DELETE FROM attachments WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    audit::record(
        conn,
        actor,
        Entry {
            action: "attachment.remove",
            entity: "item",
            entity_id: a.item_id.to_string(),
            summary: format!("删除附件“{}”", a.file_name),
            before: serde_json::to_value(&a).ok(),
            after: None,
        },
    )
    .await?;
    Ok(a)
}
