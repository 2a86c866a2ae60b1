//! Images in item bodies, uploaded from the rich-text editor (migration `0025_body_images`). The
//! bytes live in the attachment storage, named by SHA-256; a row records the upload.
//!
//! **Ownership.** An image belongs to the items whose body shows it: [`link_item`] rewrites an
//! item's links from its sanitized body every time the body is written, so the links follow the
//! body an item really has (a pending revision's body is not the item's until it is approved).
//! The public gets an image only through a public item that shows it ([`get_public`]); an upload
//! for an item never saved stays visible only to back-office users.

use crate::audit::{self, Entry};
use crate::items::PUBLIC_SQL;
use crate::{Actor, DbError, DbResult, now_ms};
use serde::Serialize;
use sqlx::AnyConnection;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct BodyImage {
    pub id: i64,
    pub sha256: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub uploaded_by: Option<i64>,
    pub created_at: i64,
}

const COLS: &str = "b.id, b.sha256, b.content_type, b.size_bytes, b.uploaded_by, b.created_at";

/// Records an uploaded image (its bytes already stored) and audits the upload.
pub async fn add(
    conn: &mut AnyConnection,
    actor: &Actor,
    sha256: &str,
    content_type: &str,
    size_bytes: i64,
) -> DbResult<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO body_images (sha256, content_type, size_bytes, uploaded_by, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(sha256)
    .bind(content_type)
    .bind(size_bytes)
    .bind(actor.user_id)
    .bind(now_ms())
    .fetch_one(&mut *conn)
    .await?;
    audit::record(
        conn,
        actor,
        Entry {
            action: "body_image.upload",
            entity: "body_image",
            entity_id: id.to_string(),
            summary: format!("上传正文图片（{size_bytes} 字节）"),
            before: None,
            after: Some(serde_json::json!({
                "sha256": sha256, "content_type": content_type, "size_bytes": size_bytes,
            })),
        },
    )
    .await?;
    Ok(id)
}

/// An image, public or not (for back-office users).
pub async fn get(conn: &mut AnyConnection, id: i64) -> DbResult<BodyImage> {
    sqlx::query_as(dyn_sql!("SELECT {COLS} FROM body_images b WHERE b.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(DbError::NotFound("图片不存在"))
}

/// An image that a public item's body shows, or `NotFound`.
pub async fn get_public(conn: &mut AnyConnection, id: i64) -> DbResult<BodyImage> {
    sqlx::query_as(dyn_sql!(
        "SELECT {COLS} FROM body_images b WHERE b.id = $1 AND EXISTS (\
         SELECT 1 FROM item_body_images l JOIN items i ON i.id = l.item_id \
         WHERE l.image_id = b.id AND {PUBLIC_SQL})"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?
    .ok_or(DbError::NotFound("图片不存在或未公开"))
}

/// Rewrites which images item `item_id` shows, from its sanitized body. Ids that name no image
/// are ignored. Part of the item's own audited write.
pub async fn link_item(conn: &mut AnyConnection, item_id: i64, body_html: &str) -> DbResult<()> {
    sqlx::query("DELETE FROM item_body_images WHERE item_id = $1")
        .bind(item_id)
        .execute(&mut *conn)
        .await?;
    for image_id in gongkai_domain::content::body_image_ids(body_html) {
        sqlx::query(
            "INSERT INTO item_body_images (item_id, image_id) \
             SELECT $1, id FROM body_images WHERE id = $2",
        )
        .bind(item_id)
        .bind(image_id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The ids of the images item `item_id` shows.
pub async fn of_item(conn: &mut AnyConnection, item_id: i64) -> DbResult<Vec<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT image_id FROM item_body_images WHERE item_id = $1 ORDER BY image_id",
    )
    .bind(item_id)
    .fetch_all(conn)
    .await?)
}
