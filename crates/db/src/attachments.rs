//! Attachment records. The bytes live in content-addressed storage (see `gongkai_infra::storage`);
//! a row names the item, the original file name and the SHA-256 of the content, and carries the
//! text extracted from the file at upload (migration `0013_attachment_text`) for the content guard
//! and full-text search. Adding or removing an attachment queues the item for the search indexes.

use crate::audit::{self, Entry};
use crate::items::PUBLIC_SQL;
use crate::{Actor, DbError, DbResult, now_ms, search_outbox};
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
    /// A [`TextStatus`] code.
    pub text_status: String,
    /// Why there is no text, in Chinese (or that it was cut at [`MAX_TEXT_BYTES`]).
    pub text_note: String,
}

impl Attachment {
    pub fn text_status(&self) -> TextStatus {
        TextStatus::from_code(&self.text_status).unwrap_or(TextStatus::Pending)
    }
}

/// The most extracted text stored per attachment (1 MB); longer text is cut at a character
/// boundary and the note says so.
pub const MAX_TEXT_BYTES: usize = 1024 * 1024;

/// What became of an attachment's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TextStatus {
    /// Uploaded before extraction existed; `gongkai search reindex` extracts it.
    Pending,
    Extracted,
    /// A readable file without text (a scanned PDF, an empty sheet).
    Empty,
    /// A format whose text is not read (images, archives, .doc, .ofd …).
    Unsupported,
    /// 无法提取文字: a damaged, encrypted or too complex file (the note says which).
    Failed,
}

impl TextStatus {
    pub const ALL: [TextStatus; 5] = [
        TextStatus::Pending,
        TextStatus::Extracted,
        TextStatus::Empty,
        TextStatus::Unsupported,
        TextStatus::Failed,
    ];
    pub fn code(self) -> &'static str {
        match self {
            TextStatus::Pending => "pending",
            TextStatus::Extracted => "extracted",
            TextStatus::Empty => "empty",
            TextStatus::Unsupported => "unsupported",
            TextStatus::Failed => "failed",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            TextStatus::Pending => "尚未提取文字",
            TextStatus::Extracted => "已提取文字",
            TextStatus::Empty => "未找到文字",
            TextStatus::Unsupported => "不提取文字的格式",
            TextStatus::Failed => "无法提取文字",
        }
    }
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// An attachment's text as extracted: status, text (empty unless extracted) and a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtractedText {
    pub status: TextStatus,
    pub text: String,
    pub note: String,
}

impl ExtractedText {
    pub fn pending() -> Self {
        Self {
            status: TextStatus::Pending,
            text: String::new(),
            note: String::new(),
        }
    }

    /// Text cut to [`MAX_TEXT_BYTES`] at a character boundary; `Empty` when there is none.
    pub fn extracted(mut text: String) -> Self {
        let mut note = String::new();
        if text.len() > MAX_TEXT_BYTES {
            let mut end = MAX_TEXT_BYTES;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            text.truncate(end);
            note = format!(
                "文字超过{}MB，只保留前{}MB用于检查和检索",
                MAX_TEXT_BYTES / 1024 / 1024,
                MAX_TEXT_BYTES / 1024 / 1024
            );
        }
        if text.trim().is_empty() {
            return Self {
                status: TextStatus::Empty,
                text: String::new(),
                note: "文件中没有可提取的文字（可能是扫描件或图片）".into(),
            };
        }
        Self {
            status: TextStatus::Extracted,
            text,
            note,
        }
    }

    pub fn unsupported(note: impl Into<String>) -> Self {
        Self {
            status: TextStatus::Unsupported,
            text: String::new(),
            note: note.into(),
        }
    }

    pub fn failed(note: impl Into<String>) -> Self {
        Self {
            status: TextStatus::Failed,
            text: String::new(),
            note: note.into(),
        }
    }

    fn stored_text(&self) -> Option<&str> {
        (self.status == TextStatus::Extracted).then_some(self.text.as_str())
    }
}

/// The columns of [`Attachment`] (the extracted text is read only where it is needed).
const COLS: &str = "id, item_id, file_name, content_type, size_bytes, sha256, created_by, created_at, \
     text_status, text_note";
const A_COLS: &str = "a.id, a.item_id, a.file_name, a.content_type, a.size_bytes, a.sha256, \
     a.created_by, a.created_at, a.text_status, a.text_note";

pub struct NewAttachment<'a> {
    pub item_id: i64,
    pub file_name: &'a str,
    pub content_type: &'a str,
    pub size_bytes: i64,
    pub sha256: &'a str,
    pub text: &'a ExtractedText,
}

pub async fn of_item(conn: &mut AnyConnection, item_id: i64) -> DbResult<Vec<Attachment>> {
    Ok(sqlx::query_as(dyn_sql!(
        "SELECT {COLS} FROM attachments WHERE item_id = $1 ORDER BY id"
    ))
    .bind(item_id)
    .fetch_all(conn)
    .await?)
}

pub async fn get(conn: &mut AnyConnection, id: i64) -> DbResult<Attachment> {
    sqlx::query_as(dyn_sql!("SELECT {COLS} FROM attachments WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(DbError::NotFound("附件不存在"))
}

/// An attachment of a public item, or `NotFound`.
pub async fn get_public(conn: &mut AnyConnection, id: i64) -> DbResult<Attachment> {
    sqlx::query_as(dyn_sql!(
        "SELECT {A_COLS} FROM attachments a JOIN items i ON i.id = a.item_id WHERE a.id = $1 AND {PUBLIC_SQL}"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?
    .ok_or(DbError::NotFound("附件不存在或未公开"))
}

pub async fn add(conn: &mut AnyConnection, actor: &Actor, a: &NewAttachment<'_>) -> DbResult<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO attachments (item_id, file_name, content_type, size_bytes, sha256, created_by, created_at, \
         text_status, text_note, extracted_text) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(a.item_id)
    .bind(a.file_name)
    .bind(a.content_type)
    .bind(a.size_bytes)
    .bind(a.sha256)
    .bind(actor.user_id)
    .bind(now_ms())
    .bind(a.text.status.code())
    .bind(&a.text.note)
    .bind(a.text.stored_text())
    .fetch_one(&mut *conn)
    .await?;
    audit::record(conn, actor, Entry {
        action: "attachment.add",
        entity: "item",
        entity_id: a.item_id.to_string(),
        summary: format!("上传附件“{}”（{} 字节）", a.file_name, a.size_bytes),
        before: None,
        after: Some(serde_json::json!({
            "attachment_id": id, "file_name": a.file_name, "sha256": a.sha256, "size_bytes": a.size_bytes,
            "text_status": a.text.status.code(), "text_note": a.text.note,
        })),
    })
    .await?;
    search_outbox::record(conn, a.item_id).await?;
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
    search_outbox::record(conn, a.item_id).await?;
    Ok(a)
}

/// An attachment's text for the content guard.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AttachmentText {
    pub id: i64,
    pub file_name: String,
    pub content_type: String,
    pub text_status: String,
    pub text_note: String,
    pub extracted_text: Option<String>,
}

impl AttachmentText {
    pub fn status(&self) -> TextStatus {
        TextStatus::from_code(&self.text_status).unwrap_or(TextStatus::Pending)
    }
}

/// Every attachment of item `item_id` with its extracted text, in upload order.
pub async fn texts_of_item(
    conn: &mut AnyConnection,
    item_id: i64,
) -> DbResult<Vec<AttachmentText>> {
    Ok(sqlx::query_as(
        "SELECT id, file_name, content_type, text_status, text_note, extracted_text \
         FROM attachments WHERE item_id = $1 ORDER BY id",
    )
    .bind(item_id)
    .fetch_all(conn)
    .await?)
}

/// The extracted texts of the attachments of item `item_id` **if the item is public**; nothing
/// otherwise. What the search index reads.
pub async fn public_texts(conn: &mut AnyConnection, item_id: i64) -> DbResult<Vec<String>> {
    Ok(sqlx::query_scalar(dyn_sql!(
        "SELECT a.extracted_text FROM attachments a JOIN items i ON i.id = a.item_id \
         WHERE a.item_id = $1 AND {PUBLIC_SQL} AND a.text_status = 'extracted' \
         AND a.extracted_text IS NOT NULL ORDER BY a.id"
    ))
    .bind(item_id)
    .fetch_all(conn)
    .await?)
}

/// An attachment still waiting for its text (uploaded before extraction existed).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PendingText {
    pub id: i64,
    pub item_id: i64,
    pub file_name: String,
    pub content_type: String,
    pub sha256: String,
}

/// Attachments with status `pending` and an id above `after_id`, in id order, at most `limit`.
pub async fn pending_text(
    conn: &mut AnyConnection,
    after_id: i64,
    limit: i64,
) -> DbResult<Vec<PendingText>> {
    Ok(sqlx::query_as(
        "SELECT id, item_id, file_name, content_type, sha256 FROM attachments \
         WHERE text_status = 'pending' AND id > $1 ORDER BY id LIMIT $2",
    )
    .bind(after_id)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

/// An attachment whose text the one-off check reads again: pending ones, and PDFs extracted
/// before extraction refused implausible text （Type 3 fonts without ToUnicode were stored as
/// garbled 'extracted' text, which neither search nor the guard could use）.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TextToCheck {
    pub id: i64,
    pub content_type: String,
    pub sha256: String,
    pub text_status: String,
    pub text_note: String,
    pub extracted_text: Option<String>,
}

/// [`TextToCheck`] rows with an id above `after_id`, in id order, at most `limit`.
pub async fn text_to_check(
    conn: &mut AnyConnection,
    after_id: i64,
    limit: i64,
) -> DbResult<Vec<TextToCheck>> {
    Ok(sqlx::query_as(
        "SELECT id, content_type, sha256, text_status, text_note, extracted_text FROM attachments \
         WHERE id > $1 AND (text_status = 'pending' \
           OR (text_status = 'extracted' AND content_type = 'application/pdf')) \
         ORDER BY id LIMIT $2",
    )
    .bind(after_id)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

/// Stores the text of a pending attachment (the backfill of `gongkai search reindex`), audited as
/// `attachment.text` and queued for the search indexes. An attachment no longer pending (another
/// node got there first) is left alone; returns whether it was written.
pub async fn set_text(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    text: &ExtractedText,
) -> DbResult<bool> {
    replace_text(conn, actor, id, TextStatus::Pending, text).await
}

/// Replaces the text of an attachment whose status is still `was` (a re-extraction), audited as
/// `attachment.text` and queued for the search indexes; returns whether it was written.
pub async fn replace_text(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    was: TextStatus,
    text: &ExtractedText,
) -> DbResult<bool> {
    let a = get(conn, id).await?;
    let n = sqlx::query(
        "UPDATE attachments SET text_status = $1, text_note = $2, extracted_text = $3 \
         WHERE id = $4 AND text_status = $5",
    )
    .bind(text.status.code())
    .bind(&text.note)
    .bind(text.stored_text())
    .bind(id)
    .bind(was.code())
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if n == 0 {
        return Ok(false);
    }
    audit::record(
        conn,
        actor,
        Entry {
            action: "attachment.text",
            entity: "item",
            entity_id: a.item_id.to_string(),
            summary: format!("提取附件“{}”的文字：{}", a.file_name, text.status.label()),
            before: None,
            after: Some(serde_json::json!({
                "attachment_id": id, "text_status": text.status.code(), "text_note": text.note,
                "text_chars": text.text.chars().count(),
            })),
        },
    )
    .await?;
    search_outbox::record(conn, a.item_id).await?;
    Ok(true)
}

/// The extracted text of one attachment, with its item.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ItemAttachmentText {
    pub item_id: i64,
    pub id: i64,
    pub file_name: String,
    pub text: String,
}

/// The extracted texts of the attachments of the items `item_ids`, by item then upload order
/// (the content guard's scan of published content reads them a batch of items at a time).
pub async fn extracted_texts_of(
    conn: &mut AnyConnection,
    item_ids: &[i64],
) -> DbResult<Vec<ItemAttachmentText>> {
    if item_ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = item_ids
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    Ok(sqlx::query_as(dyn_sql!(
        "SELECT item_id, id, file_name, extracted_text AS text FROM attachments \
         WHERE item_id IN ({list}) AND text_status = 'extracted' AND extracted_text IS NOT NULL \
         ORDER BY item_id, id"
    ))
    .fetch_all(conn)
    .await?)
}
