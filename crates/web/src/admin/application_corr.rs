//! Correspondence on a case in the back office (`/admin/applications/{id}/…`): messages to the
//! applicant, the answer's attachments (the disclosed documents; downloaded by the applicant
//! through the tracking page only), which of them the disclosure log shows, publishing the case
//! to the log （申请公开目录） and 转为主动公开 （条例第四十四条）. Handlers act for their
//! organisations through `gongkai_app::correspondence`; another organisation's case is 404.

use super::applications::detail_page;
use super::common::AdminForm;
use super::visible::Visible;
use crate::auth::CurrentUser;
use crate::upload::{self, Upload};
use crate::{AppError, AppState};
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use gongkai_app::Refusal;
use gongkai_app::applications as app_applications;
use gongkai_app::correspondence as corr;
use gongkai_db::applications::ApplicationRow;
use gongkai_db::correspondence::{self as db_corr, NewFile};
use gongkai_domain::Invalid;
use gongkai_domain::application::correspondence::FilePurpose;
use serde::Deserialize;
use serde_json::{Value, json};

/// What the case page shows of the correspondence.
pub(super) async fn context(
    conn: &mut sqlx::AnyConnection,
    row: &ApplicationRow,
) -> Result<Value, AppError> {
    let messages = db_corr::messages(conn, row.id).await?;
    let files = db_corr::files(conn, row.id).await?;
    let site = gongkai_db::columns::default_site(conn).await?;
    let columns: Vec<_> = gongkai_db::columns::all(conn, site.id)
        .await?
        .into_iter()
        .map(|c| json!({"id": c.id, "name": c.name}))
        .collect();
    let file_json = |f: &db_corr::FileRow| {
        json!({"id": f.id, "name": f.file_name, "size": f.size_bytes, "public": f.public == 1,
               "purpose": f.purpose, "at": gongkai_domain::china_time::format_minute(f.created_at)})
    };
    let title: String = row
        .description
        .lines()
        .next()
        .unwrap_or_default()
        .chars()
        .take(100)
        .collect();
    Ok(json!({
        "messages": messages.iter().map(|m| json!({
            "sender": m.sender, "sender_label": m.sender_label(), "kind_label": m.kind_label(),
            "body": m.body, "author": m.author_name,
            "at": gongkai_domain::china_time::format_minute(m.created_at),
            "files": files.iter().filter(|f| f.message_id == Some(m.id)).map(file_json).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "answer_files": files.iter().filter(|f| f.purpose == FilePurpose::Answer.code()).map(file_json).collect::<Vec<_>>(),
        "consent": row.publish_consent == 1,
        "published": row.published_at.is_some(),
        "art44_item_id": row.art44_item_id,
        "columns": columns,
        "proactive_title": title,
        "allowed_extensions": upload::allowed_extensions(),
    }))
}

/// Commits on success and goes back to the case with `notice`; an `Invalid` refusal re-renders
/// the case page with the message (the transaction is dropped, nothing written).
async fn finish<T>(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    tx: gongkai_db::AuditedTx,
    result: Result<T, Refusal>,
    notice: &str,
) -> Result<Response, AppError> {
    match result {
        Ok(_) => {
            tx.commit().await?;
            Ok(Redirect::to(&format!("/admin/applications/{id}?notice={notice}")).into_response())
        }
        Err(Refusal::Invalid(inv)) => {
            drop(tx);
            detail_page(state, user, id, Some(inv.summary()), None).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MessageForm {
    body: String,
}

/// POST `/admin/applications/{id}/messages`: a message to the applicant.
pub async fn message(
    State(state): State<AppState>,
    Visible { user, record: row }: Visible<ApplicationRow>,
    AdminForm(f): AdminForm<MessageForm>,
) -> Result<Response, AppError> {
    let id = row.id;
    let mut tx = state.db.begin_audited().await?;
    let r = corr::handler_message(&mut tx, &user.caller(), &row, &f.body).await;
    finish(&state, &user, id, tx, r, "message_sent").await
}

/// POST `/admin/applications/{id}/files` (multipart `attachments`): the answer's attachments.
pub async fn upload_files(
    State(state): State<AppState>,
    Visible { user, record: row }: Visible<ApplicationRow>,
    mut mp: Multipart,
) -> Result<Response, AppError> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::PayloadTooLarge("上传内容超过大小限制".into())
        } else {
            AppError::BadRequest("提交的表单无法解析\u{FF0C}请重新提交".into())
        }
    };
    let mut raw = Vec::new();
    while let Some(field) = mp.next_field().await.map_err(bad)? {
        if field.name() == Some("attachments") {
            let name = field.file_name().unwrap_or("").to_string();
            let bytes = field.bytes().await.map_err(bad)?;
            if !name.is_empty() || !bytes.is_empty() {
                raw.push((name, bytes.to_vec()));
            }
        }
    }
    let id = row.id;
    app_applications::handles(&user.caller(), row.org_id)?;
    let mut inv = Invalid::default();
    let uploads: Vec<Upload> = raw
        .into_iter()
        .filter_map(|(n, b)| upload::check(&n, b, state.config.max_upload_bytes, &mut inv))
        .collect();
    if !inv.is_empty() {
        return detail_page(&state, &user, id, Some(inv.summary()), None).await;
    }
    let files = store(&state, &uploads).await?;
    let mut tx = state.db.begin_audited().await?;
    let row = corr::reload(&mut tx, row.id).await?;
    let r = corr::attach_answer_files(&mut tx, &user.caller(), &row, &files).await;
    finish(&state, &user, id, tx, r, "files_added").await
}

async fn store(state: &AppState, uploads: &[Upload]) -> Result<Vec<NewFile>, AppError> {
    let mut out = Vec::new();
    for u in uploads {
        out.push(NewFile {
            file_name: u.file_name.clone(),
            content_type: u.content_type.to_string(),
            size_bytes: i64::try_from(u.bytes.len()).unwrap_or(i64::MAX),
            sha256: state.storage.put(&u.bytes).await?,
        });
    }
    Ok(out)
}

/// GET `/admin/applications/{id}/files/{file_id}`: a file of the case, to its handlers.
pub async fn download(
    State(state): State<AppState>,
    Visible { record: row, .. }: Visible<ApplicationRow>,
    Path((_, file_id)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let f = db_corr::file(&mut conn, row.id, file_id)
        .await
        .map_err(|_| AppError::not_found())?;
    drop(conn);
    let bytes = state.storage.get(&f.sha256).await?;
    Ok(crate::download::file(
        bytes,
        &f.content_type,
        &f.file_name,
        None,
        Some("private, no-store"),
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FlagForm {
    value: String,
}

impl FlagForm {
    fn on(&self) -> bool {
        self.value.trim() == "1"
    }
}

/// POST `/admin/applications/{id}/files/{file_id}/public` (`value` 1 or 0).
pub async fn file_public(
    State(state): State<AppState>,
    Visible { user, record: row }: Visible<ApplicationRow>,
    Path((id, file_id)): Path<(i64, i64)>,
    AdminForm(f): AdminForm<FlagForm>,
) -> Result<Response, AppError> {
    let mut tx = state.db.begin_audited().await?;
    let r = corr::set_file_public(&mut tx, &user.caller(), &row, file_id, f.on()).await;
    finish(&state, &user, id, tx, r, "recorded").await
}

/// POST `/admin/applications/{id}/publish` (`value` 1: publish to the log, 0: withdraw).
pub async fn publish(
    State(state): State<AppState>,
    Visible { user, record: row }: Visible<ApplicationRow>,
    AdminForm(f): AdminForm<FlagForm>,
) -> Result<Response, AppError> {
    let id = row.id;
    let mut tx = state.db.begin_audited().await?;
    let r = corr::set_published(&mut tx, &user.caller(), &row, f.on()).await;
    finish(
        &state,
        &user,
        id,
        tx,
        r,
        if f.on() { "published" } else { "unpublished" },
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ProactiveForm {
    column_id: String,
    title: String,
}

/// POST `/admin/applications/{id}/proactive`: 转为主动公开 （条例第四十四条）： a draft item.
pub async fn proactive(
    State(state): State<AppState>,
    Visible { user, record: row }: Visible<ApplicationRow>,
    AdminForm(f): AdminForm<ProactiveForm>,
) -> Result<Response, AppError> {
    let id = row.id;
    let Ok(column_id) = f.column_id.trim().parse::<i64>() else {
        return detail_page(&state, &user, id, Some("请选择栏目".into()), None).await;
    };
    let mut conn = state.db.pool.acquire().await?;
    let files = db_corr::files(&mut conn, row.id).await?;
    drop(conn);
    let mut with_text = Vec::new();
    for f in files
        .into_iter()
        .filter(|f| f.purpose == FilePurpose::Answer.code())
    {
        let bytes = state.storage.get(&f.sha256).await?;
        let ctype = f.content_type.clone();
        let text = tokio::task::spawn_blocking(move || {
            gongkai_search::extract::extract_blocking(&bytes, &ctype)
        })
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
        with_text.push((f, text));
    }
    let mut tx = state.db.begin_audited().await?;
    let row = corr::reload(&mut tx, row.id).await?;
    match corr::to_proactive(
        &mut tx,
        &user.caller(),
        &row,
        column_id,
        &f.title,
        &with_text,
    )
    .await
    {
        Ok(item_id) => {
            tx.commit().await?;
            Ok(
                Redirect::to(&format!("/admin/items/{item_id}/edit?notice=created"))
                    .into_response(),
            )
        }
        Err(Refusal::Invalid(inv)) => {
            drop(tx);
            detail_page(&state, &user, id, Some(inv.summary()), None).await
        }
        Err(e) => Err(e.into()),
    }
}
