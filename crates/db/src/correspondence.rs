//! Correspondence with the applicant of a case (migration `0030_correspondence`): applicant
//! sessions (`applicant_sessions`, token stored hashed), messages both ways
//! (`application_messages`), the case's files (`application_files`: 补正 material and the
//! disclosed documents of the answer), the public disclosure log (`applications.published_at`)
//! and the link to the item made under 条例第四十四条 (`applications.art44_item_id`).
//! Every write but a session is audited in the caller's transaction.

use crate::applications::{ApplicationRow, SELECT};
use crate::audit::{self, Entry};
use crate::notifications::{Audience, EMAIL_JOB, EmailPayload, NotifyPayload, enqueue};
use crate::{Actor, DbError, DbResult, Page, now_ms, page_bounds};
use gongkai_domain::application::correspondence::{FilePurpose, MessageKind, Sender};
use serde::Serialize;
use sqlx::AnyConnection;

// --- applicant sessions -------------------------------------------------------------------------

/// Opens a session on application `id` for the token whose SHA-256 is `token_hash`; expired
/// sessions are pruned.
pub async fn open_session(
    conn: &mut AnyConnection,
    id: i64,
    token_hash: &str,
    expires_at: i64,
) -> DbResult<()> {
    sqlx::query("DELETE FROM applicant_sessions WHERE expires_at < $1")
        .bind(now_ms())
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO applicant_sessions (token_hash, application_id, expires_at, created_at) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(token_hash)
    .bind(id)
    .bind(expires_at)
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(())
}

/// The application of a live session, if any.
pub async fn session_application(
    conn: &mut AnyConnection,
    token_hash: &str,
    now: i64,
) -> DbResult<Option<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT application_id FROM applicant_sessions WHERE token_hash = $1 AND expires_at > $2",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(conn)
    .await?)
}

/// Ends a session.
pub async fn close_session(conn: &mut AnyConnection, token_hash: &str) -> DbResult<()> {
    sqlx::query("DELETE FROM applicant_sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(conn)
        .await?;
    Ok(())
}

// --- messages -----------------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct MessageRow {
    pub id: i64,
    pub application_id: i64,
    pub sender: String,
    pub kind: String,
    pub body: String,
    pub author_name: String,
    pub created_at: i64,
}

impl MessageRow {
    pub fn sender_label(&self) -> &'static str {
        Sender::from_code(&self.sender).map_or("未知", Sender::label)
    }
    pub fn kind_label(&self) -> &'static str {
        MessageKind::from_code(&self.kind).map_or("留言", MessageKind::label)
    }
}

/// Stores a message on the case; its id.
pub async fn add_message(
    conn: &mut AnyConnection,
    actor: &Actor,
    row: &ApplicationRow,
    sender: Sender,
    kind: MessageKind,
    body: &str,
) -> DbResult<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO application_messages (application_id, sender, kind, body, author_id, author_name, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(row.id)
    .bind(sender.code())
    .bind(kind.code())
    .bind(body)
    .bind(actor.user_id)
    .bind(&actor.name)
    .bind(now_ms())
    .fetch_one(&mut *conn)
    .await?;
    audit::record(
        conn,
        actor,
        Entry {
            action: "application.message",
            entity: "application",
            entity_id: row.id.to_string(),
            summary: format!(
                "申请 {}\u{FF1A}{}的{}",
                row.tracking_code,
                sender.label(),
                kind.label()
            ),
            before: None,
            after: Some(
                serde_json::json!({"message_id": id, "sender": sender.code(), "kind": kind.code(),
                                           "chars": body.chars().count()}),
            ),
        },
    )
    .await?;
    Ok(id)
}

/// Messages the applicant sent on case `id` since `since_ms`.
pub async fn applicant_messages_since(
    conn: &mut AnyConnection,
    id: i64,
    since_ms: i64,
) -> DbResult<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM application_messages \
         WHERE application_id = $1 AND sender = 'applicant' AND created_at >= $2",
    )
    .bind(id)
    .bind(since_ms)
    .fetch_one(conn)
    .await?)
}

pub async fn messages(conn: &mut AnyConnection, id: i64) -> DbResult<Vec<MessageRow>> {
    Ok(sqlx::query_as(
        "SELECT id, application_id, sender, kind, body, author_name, created_at \
         FROM application_messages WHERE application_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(conn)
    .await?)
}

// --- files --------------------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct FileRow {
    pub id: i64,
    pub application_id: i64,
    pub message_id: Option<i64>,
    pub purpose: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub public: i64,
    pub created_at: i64,
}

const FILE_COLS: &str = "id, application_id, message_id, purpose, file_name, content_type, size_bytes, \
     sha256, public, created_at";

/// A file whose bytes are already in storage.
#[derive(Debug, Clone)]
pub struct NewFile {
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
}

/// Records files of the case; their ids.
pub async fn add_files(
    conn: &mut AnyConnection,
    actor: &Actor,
    row: &ApplicationRow,
    purpose: FilePurpose,
    message_id: Option<i64>,
    files: &[NewFile],
) -> DbResult<Vec<i64>> {
    let mut ids = Vec::new();
    for f in files {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO application_files (application_id, message_id, purpose, file_name, content_type, \
             size_bytes, sha256, public, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $9) RETURNING id",
        )
        .bind(row.id)
        .bind(message_id)
        .bind(purpose.code())
        .bind(&f.file_name)
        .bind(&f.content_type)
        .bind(f.size_bytes)
        .bind(&f.sha256)
        .bind(actor.user_id)
        .bind(now_ms())
        .fetch_one(&mut *conn)
        .await?;
        ids.push(id);
    }
    if !files.is_empty() {
        audit::record(
            conn,
            actor,
            Entry {
                action: "application.files",
                entity: "application",
                entity_id: row.id.to_string(),
                summary: format!(
                    "申请 {}\u{FF1A}上传{}{}个",
                    row.tracking_code,
                    purpose.label(),
                    files.len()
                ),
                before: None,
                after: Some(serde_json::json!({"file_ids": ids, "purpose": purpose.code(),
                    "files": files.iter().map(|f| serde_json::json!({"name": f.file_name, "sha256": f.sha256})).collect::<Vec<_>>()})),
            },
        )
        .await?;
    }
    Ok(ids)
}

pub async fn files(conn: &mut AnyConnection, id: i64) -> DbResult<Vec<FileRow>> {
    Ok(sqlx::query_as(dyn_sql!(
        "SELECT {FILE_COLS} FROM application_files WHERE application_id = $1 ORDER BY id"
    ))
    .bind(id)
    .fetch_all(conn)
    .await?)
}

/// File `file_id` of application `id`; another case's file is missing.
pub async fn file(conn: &mut AnyConnection, id: i64, file_id: i64) -> DbResult<FileRow> {
    sqlx::query_as(dyn_sql!(
        "SELECT {FILE_COLS} FROM application_files WHERE application_id = $1 AND id = $2"
    ))
    .bind(id)
    .bind(file_id)
    .fetch_optional(conn)
    .await?
    .ok_or(DbError::NotFound("文件不存在"))
}

/// Marks an answer file as shown on the disclosure log, or not.
pub async fn set_file_public(
    conn: &mut AnyConnection,
    actor: &Actor,
    row: &ApplicationRow,
    f: &FileRow,
    public: bool,
) -> DbResult<()> {
    sqlx::query("UPDATE application_files SET public = $1 WHERE id = $2")
        .bind(i64::from(public))
        .bind(f.id)
        .execute(&mut *conn)
        .await?;
    audit::record(
        conn,
        actor,
        Entry {
            action: "application.file_public",
            entity: "application",
            entity_id: row.id.to_string(),
            summary: format!(
                "申请 {}\u{FF1A}答复附件\u{201C}{}\u{201D}{}",
                row.tracking_code,
                f.file_name,
                if public {
                    "在公开目录中公开"
                } else {
                    "不在公开目录中公开"
                }
            ),
            before: Some(serde_json::json!({"file_id": f.id, "public": f.public == 1})),
            after: Some(serde_json::json!({"file_id": f.id, "public": public})),
        },
    )
    .await?;
    Ok(())
}

// --- the disclosure log -------------------------------------------------------------------------

/// Publishes the case to the disclosure log (`true`) or withdraws it.
pub async fn set_published(
    conn: &mut AnyConnection,
    actor: &Actor,
    row: &ApplicationRow,
    published: bool,
) -> DbResult<()> {
    let at = published.then(now_ms);
    sqlx::query("UPDATE applications SET published_at = $1 WHERE id = $2")
        .bind(at)
        .bind(row.id)
        .execute(&mut *conn)
        .await?;
    audit::record(
        conn,
        actor,
        Entry {
            action: if published {
                "application.publish"
            } else {
                "application.unpublish"
            },
            entity: "application",
            entity_id: row.id.to_string(),
            summary: format!(
                "申请 {}\u{FF1A}{}申请公开目录",
                row.tracking_code,
                if published { "公开到" } else { "撤出" }
            ),
            before: Some(serde_json::json!({"published_at": row.published_at})),
            after: Some(serde_json::json!({"published_at": at})),
        },
    )
    .await?;
    Ok(())
}

/// The only condition under which a case is on the public log.
const PUBLIC_LOG: &str =
    "a.published_at IS NOT NULL AND a.publish_consent = 1 AND a.status = 'answered'";

/// Published cases, newest first, of `org_id` or all.
pub async fn public_log(
    conn: &mut AnyConnection,
    org_id: Option<i64>,
    page: i64,
) -> DbResult<Page<ApplicationRow>> {
    let (page, per_page, offset) = page_bounds(page, 20);
    let filter = match org_id {
        Some(o) => format!(" AND a.org_id = {o}"),
        None => String::new(),
    };
    let total: i64 = sqlx::query_scalar(dyn_sql!(
        "SELECT COUNT(*) FROM applications a WHERE {PUBLIC_LOG}{filter}"
    ))
    .fetch_one(&mut *conn)
    .await?;
    let rows = sqlx::query_as(dyn_sql!(
        "{SELECT} WHERE {PUBLIC_LOG}{filter} ORDER BY a.answered_on DESC, a.id DESC \
         LIMIT {per_page} OFFSET {offset}"
    ))
    .fetch_all(conn)
    .await?;
    Ok(Page {
        rows,
        total,
        page,
        per_page,
    })
}

/// The organisations with published cases: id, name, count.
pub async fn public_log_orgs(conn: &mut AnyConnection) -> DbResult<Vec<(i64, String, i64)>> {
    Ok(sqlx::query_as(dyn_sql!(
        "SELECT o.id, o.name, COUNT(*) FROM applications a JOIN organisations o ON o.id = a.org_id \
         WHERE {PUBLIC_LOG} GROUP BY o.id, o.name ORDER BY o.name"
    ))
    .fetch_all(conn)
    .await?)
}

/// A published case; an unpublished or non-consented one is missing.
pub async fn public_case(conn: &mut AnyConnection, id: i64) -> DbResult<ApplicationRow> {
    sqlx::query_as(dyn_sql!("{SELECT} WHERE a.id = $1 AND {PUBLIC_LOG}"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(DbError::NotFound("未找到该公开记录"))
}

// --- 条例第四十四条 ----------------------------------------------------------------------------

/// Links the case to the draft item made from its answer.
pub async fn set_art44_item(
    conn: &mut AnyConnection,
    actor: &Actor,
    row: &ApplicationRow,
    item_id: i64,
) -> DbResult<()> {
    sqlx::query("UPDATE applications SET art44_item_id = $1 WHERE id = $2")
        .bind(item_id)
        .bind(row.id)
        .execute(&mut *conn)
        .await?;
    audit::record(
        conn,
        actor,
        Entry {
            action: "application.art44",
            entity: "application",
            entity_id: row.id.to_string(),
            summary: format!(
                "申请 {}\u{FF1A}答复的信息转为主动公开\u{FF08}信息草稿 {item_id}\u{FF09}",
                row.tracking_code
            ),
            before: Some(serde_json::json!({"art44_item_id": row.art44_item_id})),
            after: Some(serde_json::json!({"art44_item_id": item_id})),
        },
    )
    .await?;
    Ok(())
}

// --- notices ------------------------------------------------------------------------------------

/// Tells the case's handlers (in-app, and by e-mail where set up) about the applicant's `what`;
/// keyed by `key` so it is told once.
pub async fn notify_handlers(
    conn: &mut AnyConnection,
    row: &ApplicationRow,
    kind: &str,
    what: &str,
    key: &str,
) -> DbResult<bool> {
    let p = NotifyPayload {
        org_id: row.org_id,
        audience: Audience::Handler.code().into(),
        kind: kind.into(),
        title: format!(
            "政府信息公开申请\u{FF08}查询码 {}\u{FF09}\u{FF1A}{what}",
            row.tracking_code
        ),
        body: format!(
            "{}收到的政府信息公开申请\u{FF08}查询码 {}\u{FF09}\u{FF1A}{what}\u{3002}",
            row.org_name, row.tracking_code
        ),
        link: format!("/admin/applications/{}", row.id),
        key: key.into(),
        ..Default::default()
    };
    enqueue(conn, &p).await
}

/// Queues an e-mail to the applicant (when the application has an address); the link is the
/// tracking page, never the content: the message is read after a look-up.
pub async fn email_applicant(
    conn: &mut AnyConnection,
    row: &ApplicationRow,
    subject: &str,
    key: &str,
) -> DbResult<bool> {
    let to = row.email.trim();
    if to.is_empty() {
        return Ok(false);
    }
    let payload = EmailPayload {
        to: to.to_string(),
        subject: subject.to_string(),
        body: format!(
            "您向{}提出的政府信息公开申请\u{FF08}查询码 {}\u{FF09}有新的消息\u{3002}请凭查询码和手机号码后4位登录办理进度查询页面查看\u{3002}",
            row.org_name, row.tracking_code
        ),
        link: "/ysqgk/cx".into(),
        key: key.into(),
    };
    let payload = serde_json::to_value(&payload).unwrap_or_default();
    Ok(
        crate::jobs::enqueue(conn, EMAIL_JOB, &payload, now_ms(), Some(key))
            .await?
            .is_some(),
    )
}
