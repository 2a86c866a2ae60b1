//! `POST /admin/images`: the rich-text editor's image upload. The editor posts one file (field
//! `file`, with the `X-CSRF-Token` header); the type is sniffed from the bytes (PNG, JPEG, GIF,
//! WebP; never SVG), the size is limited, and the answer is JSON: `{"url": "/images/12"}` or
//! `{"error": "…"}` in Chinese with a 4xx status. Who owns the image is `gongkai_db::body_images`'.

use crate::auth::CurrentUser;
use crate::{AppError, AppState};
use axum::Json;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// The largest image accepted from the editor (5 MB), or the attachment limit when smaller.
pub const MAX_IMAGE_BYTES: usize = 5 * 1024 * 1024;

fn refuse(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({ "error": message.into() }))).into_response()
}

pub async fn upload(
    State(state): State<AppState>,
    user: CurrentUser,
    mut mp: Multipart,
) -> Result<Response, AppError> {
    let max = MAX_IMAGE_BYTES.min(state.config.max_upload_bytes);
    let too_big = || {
        refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("图片超过{}MB的大小限制，请压缩后再上传", max / 1024 / 1024),
        )
    };
    let mut bytes = None;
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Ok(too_big()),
            Err(_) => {
                return Ok(refuse(
                    StatusCode::BAD_REQUEST,
                    "上传的内容无法解析，请重新上传",
                ));
            }
        };
        if field.name() == Some("file") {
            match field.bytes().await {
                Ok(b) => bytes = Some(b),
                Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Ok(too_big()),
                Err(_) => {
                    return Ok(refuse(
                        StatusCode::BAD_REQUEST,
                        "上传的内容无法解析，请重新上传",
                    ));
                }
            }
        }
    }
    let Some(bytes) = bytes.filter(|b| !b.is_empty()) else {
        return Ok(refuse(
            StatusCode::BAD_REQUEST,
            "没有收到图片文件，请选择一张图片",
        ));
    };
    if bytes.len() > max {
        return Ok(too_big());
    }
    let Some(content_type) = gongkai_extract::sniff::image_type(&bytes) else {
        return Ok(refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "只能上传 PNG、JPEG、GIF 或 WebP 格式的图片；该文件的内容不是这几种图片",
        ));
    };
    if !user.perms.can_upload_body_images() {
        return Ok(refuse(
            StatusCode::FORBIDDEN,
            "无权上传正文图片：您的账号没有任何机构的信息编辑权限",
        ));
    }
    let sha = state.storage.put(&bytes).await?;
    let mut tx = state.db.begin_audited().await?;
    let id = gongkai_app::body_images::upload(
        &mut tx,
        &user.caller(),
        &sha,
        content_type,
        bytes.len() as i64,
    )
    .await?;
    tx.commit().await?;
    Ok(Json(json!({ "url": format!("/images/{id}") })).into_response())
}
