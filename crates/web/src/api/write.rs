//! Writes with an API token: create, update, publish and unpublish items, and read an item in
//! any state. **Every write checks `can_edit_items_of` for the item's current organisation and
//! for the organisation it is being filed under**, and runs in one transaction with its audit
//! entry, so a refused or invalid request changes nothing.

use super::dto::*;
use super::extract::{ApiJson, Id};
use super::read::detail;
use crate::auth::ApiUser;
use crate::error::ApiError;
use crate::{AppError, AppState};
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use gongkai_db::DbError;
use gongkai_db::items::{self};
use gongkai_domain::Invalid;
use sqlx::AnyConnection;

/// Loads an item for writing: `not_found` if it does not exist, `forbidden` if the user may not
/// edit items of its organisation.
pub(super) async fn full(conn: &mut AnyConnection, id: i64) -> Result<ItemDetail, AppError> {
    let item = items::get(conn, id).await?;
    detail(conn, &item, true).await
}

#[utoipa::path(
    post, path = "/items", tag = "信息",
    summary = "新建信息（草稿）",
    description = "Creates a draft. The token's user must be allowed to edit items of `org_id`.",
    security(("bearer" = [])),
    request_body(content = ItemWrite, content_type = "application/json"),
    responses(
        (status = 201, description = "The new draft", body = ItemDetail,
            headers(("Location" = String, description = "Address of the draft"))),
        (status = 400, description = "`bad_request`: malformed JSON", body = ErrorBody),
        (status = 401, description = "`unauthenticated`: missing or invalid token", body = ErrorBody),
        (status = 403, description = "`forbidden`: no editing rights for `org_id`", body = ErrorBody),
        (status = 422, description = "`invalid_input`: see `errors`", body = ErrorBody),
    )
)]
pub async fn item_create(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<ItemWrite>,
) -> Result<
    (
        StatusCode,
        [(header::HeaderName, String); 1],
        Json<ItemDetail>,
    ),
    ApiError,
> {
    let input = body.fields().validate()?;
    let mut tx = state.db.begin_audited().await?;
    let id = gongkai_app::items::create(&mut tx, &user.caller(), &input).await?;
    let out = full(&mut tx, id).await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, format!("/api/v1/items/{id}/draft"))],
        Json(out),
    ))
}

#[utoipa::path(
    put, path = "/items/{id}", tag = "信息",
    summary = "修改信息",
    description = "Replaces the content of an item (fields left out become empty). `version` must \
        be the item's current version; otherwise someone changed it meanwhile and the answer is \
        `conflict`. The user must be allowed to edit items of both the item's organisation and \
        the new `org_id`. A published item stays published. With `major: true` a change to a \
        published item is a 实质性修改 and waits for a reviewer (`POST /items/{id}/review`), the \
        published text staying live meanwhile, and the answer is the unchanged item.",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Item id")),
    request_body(content = ItemUpdate, content_type = "application/json"),
    responses(
        (status = 200, description = "The saved item", body = ItemDetail),
        ItemRefusals,
        (status = 409, description = "`conflict`: stale `version`", body = ErrorBody),
        (status = 422, description = "`invalid_input`: see `errors`", body = ErrorBody),
    )
)]
pub async fn item_update(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
    ApiJson(body): ApiJson<ItemUpdate>,
) -> Result<Json<ItemDetail>, ApiError> {
    let mut tx = state.db.begin_audited().await?;
    let item = gongkai_app::items::editable(&mut tx, &user.caller(), id).await?;
    let fields = body.item.fields();
    let (version, input) = match (body.version, fields.validate()) {
        (Some(v), Ok(input)) => (v, input),
        (version, result) => {
            let mut inv = Invalid::default();
            if version.is_none() {
                inv.push(
                    "version",
                    "请提供 version（上次读取时的版本号），以免覆盖他人的修改",
                );
            }
            if let Err(e) = result {
                inv.errors.extend(e.errors);
            }
            return Err(AppError::Invalid(inv).into());
        }
    };
    let edit = gongkai_app::items::Edit {
        version,
        fields: &fields,
        input: &input,
        change: items::ChangeNote {
            major: body.major,
            note: body.change_note.clone().unwrap_or_default(),
        },
        adds_attachments: false,
    };
    gongkai_app::items::edit(&mut tx, &user.caller(), &item, edit).await?;
    let out = full(&mut tx, id).await?;
    tx.commit().await?;
    Ok(Json(out))
}

#[utoipa::path(
    get, path = "/items/{id}/draft", tag = "信息",
    summary = "读取信息（任意状态）",
    description = "An item in any state (draft, published, withdrawn; any disclosure), with its \
        body as written and its `version`, for users who may see items of its organisation. \
        Items of other organisations answer `not_found`.",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Item id")),
    responses(
        (status = 200, description = "The item", body = ItemDetail),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
    )
)]
pub async fn item_draft(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
) -> Result<Json<ItemDetail>, ApiError> {
    let mut conn = state.db.pool.acquire().await?;
    let not_found = || AppError::NotFound("信息不存在".into());
    let item = items::get(&mut conn, id).await.map_err(|e| match e {
        DbError::NotFound(_) => not_found(),
        other => other.into(),
    })?;
    if !user.perms.can_view_items_of(item.org_id) {
        return Err(not_found().into());
    }
    Ok(Json(detail(&mut conn, &item, true).await?))
}
