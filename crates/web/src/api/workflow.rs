//! The publishing workflow over the API: submit, review, publish (after approval, or at once
//! without review with a reason: 先发后审), schedule and unschedule, withdraw, and the
//! after-the-fact review. The same checks as the back office (`gongkai_db::workflow`): a
//! refusal for lack of rights is `forbidden`, one for the item's state or a missing reason is
//! `invalid_input`, and either changes nothing.

use super::dto::{ErrorBody, ItemDetail, ItemRefusals};
use super::extract::{ApiJson, Id, json_rejection};
use super::write::full;
use crate::auth::{ApiUser, CurrentUser};
use crate::error::ApiError;
use crate::{AppError, AppState};
use axum::Json;
use axum::extract::{FromRequest, Request, State};
use gongkai_app::items::{GuardRelease, Transition, rights};
use gongkai_db::items;
use gongkai_db::workflow::{self, Rights};
use gongkai_db::{DbError, now_ms};
use gongkai_domain::Invalid;
use gongkai_domain::china_time::parse_china_time;
use gongkai_domain::workflow::WithdrawMode;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use sqlx::AnyConnection;
use utoipa::ToSchema;

/// A JSON body that may be left out entirely (then `T::default()`).
pub struct MaybeJson<T>(pub T);

impl<T: DeserializeOwned + Default, S: Send + Sync> FromRequest<S> for MaybeJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let empty = req
            .headers()
            .get(axum::http::header::CONTENT_LENGTH)
            .is_some_and(|v| v == "0")
            || !req.headers().contains_key(axum::http::header::CONTENT_TYPE);
        if empty {
            return Ok(MaybeJson(T::default()));
        }
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(MaybeJson(v)),
            Err(r) => Err(ApiError(json_rejection(&r))),
        }
    }
}

/// `POST /items/{id}/publish`.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct PublishRequest {
    /// Required (at least 5 characters) unless the item is approved: the reason for publishing
    /// without review (先发后审).
    #[serde(default)]
    pub reason: Option<String>,
}

/// `POST /items/{id}/review`.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ReviewRequest {
    /// `approve` (审核通过) or `return` (退回修改).
    pub decision: String,
    /// Required when returning.
    #[serde(default)]
    pub comment: Option<String>,
}

/// `POST /items/{id}/schedule`.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ScheduleRequest {
    /// China time, `YYYY-MM-DD HH:MM` (or `YYYY-MM-DDTHH:MM`); must be in the future.
    #[schema(example = "2026-12-01 09:00")]
    pub publish_at: String,
}

/// `POST /items/{id}/withdraw`.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct WithdrawRequest {
    /// `notice` (the page stays with 「此信息已撤回」, the date and the reason, without body and
    /// attachments) or `gone` (410).
    pub mode: String,
    /// Required; shown publicly with `notice`.
    pub reason: String,
}

/// `POST /items/{id}/post-review`.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct CommentRequest {
    #[serde(default)]
    pub comment: Option<String>,
}

/// The item and the user's rights on it; `forbidden` for items of organisations the user has no
/// role on.
async fn load(
    conn: &mut AnyConnection,
    user: &CurrentUser,
    id: i64,
) -> Result<(items::Item, Rights), AppError> {
    let not_found = || AppError::NotFound("信息不存在".into());
    let item = items::get(conn, id).await.map_err(|e| match e {
        DbError::NotFound(_) => not_found(),
        other => other.into(),
    })?;
    if !user.perms.can_view_items_of(item.org_id) && !user.perms.can_withdraw_items_of(item.org_id)
    {
        // As the other writes: the item exists, the user has no rights on its organisation.
        return Err(AppError::Forbidden(
            "无权操作该信息：您的账号没有该信息所属机构的权限".into(),
        ));
    }
    let r = rights(&user.perms, item.org_id);
    Ok((item, r))
}

#[utoipa::path(
    post, path = "/items/{id}/submit", tag = "发布流程",
    summary = "提交审核",
    description = "Submits a draft (or withdrawn) item for review: it waits for the first of its \
        organisation's review levels（1 编辑初审，2 科室复审，3 领导终审）. Editors of the organisation.",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Item id")),
    responses(
        (status = 200, description = "The submitted item", body = ItemDetail),
        ItemRefusals,
        (status = 422, description = "`invalid_input`: not a draft", body = ErrorBody),
    )
)]
pub async fn item_submit(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
) -> Result<Json<ItemDetail>, ApiError> {
    let mut tx = state.db.begin_audited().await?;
    let (item, _) = load(&mut tx, &user, id).await?;
    gongkai_app::items::transition(&mut tx, &user.caller(), &item, Transition::Submit).await?;
    let out = full(&mut tx, id).await?;
    tx.commit().await?;
    Ok(Json(out))
}

#[utoipa::path(
    post, path = "/items/{id}/review", tag = "发布流程",
    summary = "审核（通过或退回）",
    description = "Approves the current review level (the item moves to the next level, or to \
        approved after the last) or returns it to draft with a required comment. Reviewers and \
        organisation admins of the item's organisation; never someone who wrote or edited it, \
        and never the same person for two levels of one submission. On a published item with a \
        pending 实质性修改 (see `PUT /items/{id}` with `major`), decides that change: approved, it \
        becomes the public version with its change note.",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Item id")),
    request_body(content = ReviewRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The reviewed item", body = ItemDetail),
        (status = 400, description = "`bad_request`: malformed JSON or a wrongly typed field", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: no review right, the author, or a second level", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 422, description = "`invalid_input`: not under review, or no comment when returning", body = ErrorBody),
    )
)]
pub async fn item_review(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
    ApiJson(body): ApiJson<ReviewRequest>,
) -> Result<Json<ItemDetail>, ApiError> {
    let approve = match body.decision.as_str() {
        "approve" => true,
        "return" => false,
        _ => {
            return Err(AppError::Invalid(Invalid::one(
                "decision",
                "decision 须为 approve（审核通过）或 return（退回修改）",
            ))
            .into());
        }
    };
    let mut tx = state.db.begin_audited().await?;
    let (item, _) = load(&mut tx, &user, id).await?;
    let comment = body.comment.unwrap_or_default();
    if item.status == "published" && workflow::pending_revision(&mut tx, id).await?.is_some() {
        gongkai_app::items::decide_revision(&mut tx, &user.caller(), &item, approve, &comment)
            .await?;
    } else {
        let step = Transition::Review { approve, comment };
        gongkai_app::items::transition(&mut tx, &user.caller(), &item, step).await?;
    }
    let out = full(&mut tx, id).await?;
    tx.commit().await?;
    Ok(Json(out))
}

#[utoipa::path(
    post, path = "/items/{id}/publish", tag = "发布流程",
    summary = "发布信息",
    description = "Publishes an approved item; any other unpublished item is published at once \
        without review（直接发布，先发后审）only with a `reason` of at least 5 characters, is \
        counted on the dashboards and waits for a reviewer's after-the-fact review. On first \
        publication the item gets its 索引号. Only 主动公开 items become public. The content \
        guard runs first (no override through the API).",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Item id")),
    request_body(content = PublishRequest, content_type = "application/json", description = "Optional for approved items"),
    responses(
        (status = 200, description = "The published item", body = ItemDetail),
        ItemRefusals,
        (status = 422, description = "`invalid_input`: already published, no reason for publishing \
            without review, or the content guard found personal information or a known error \
            (one message per finding)", body = ErrorBody),
    )
)]
pub async fn item_publish(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
    MaybeJson(body): MaybeJson<PublishRequest>,
) -> Result<Json<ItemDetail>, ApiError> {
    let mut tx = state.db.begin_audited().await?;
    let (item, r) = load(&mut tx, &user, id).await?;
    if !r.can_edit && !r.can_review {
        return Err(AppError::Forbidden(
            "无权修改该信息：您的账号没有该信息所属机构的编辑权限".into(),
        )
        .into());
    }
    // No override of the content guard through the API.
    let reason = body.reason.unwrap_or_default();
    gongkai_app::items::publish(
        &mut tx,
        &user.caller(),
        &item,
        &reason,
        GuardRelease::default(),
    )
    .await?;
    let out = full(&mut tx, id).await?;
    tx.commit().await?;
    Ok(Json(out))
}

#[utoipa::path(
    post, path = "/items/{id}/schedule", tag = "发布流程",
    summary = "定时发布",
    description = "Schedules an approved item for publication at `publish_at` (China time). The \
        job queue publishes it then (a node that was down publishes it when it starts); the \
        content guard runs now and again at publication.",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Item id")),
    request_body(content = ScheduleRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The scheduled item", body = ItemDetail),
        ItemRefusals,
        (status = 422, description = "`invalid_input`: not approved, or the time is missing or past", body = ErrorBody),
    )
)]
pub async fn item_schedule(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
    ApiJson(body): ApiJson<ScheduleRequest>,
) -> Result<Json<ItemDetail>, ApiError> {
    let at = parse_china_time(&body.publish_at).ok_or_else(|| {
        AppError::Invalid(Invalid::one(
            "publish_at",
            "publish_at 须为北京时间“YYYY-MM-DD HH:MM”",
        ))
    })?;
    let mut tx = state.db.begin_audited().await?;
    let (item, _) = load(&mut tx, &user, id).await?;
    let step = Transition::Schedule {
        at_ms: at,
        now_ms: now_ms(),
    };
    gongkai_app::items::transition(&mut tx, &user.caller(), &item, step).await?;
    let out = full(&mut tx, id).await?;
    tx.commit().await?;
    Ok(Json(out))
}

#[utoipa::path(
    post, path = "/items/{id}/unschedule", tag = "发布流程",
    summary = "取消定时发布",
    description = "Cancels a scheduled publication; the item is approved again.",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Item id")),
    responses(
        (status = 200, description = "The approved item", body = ItemDetail),
        ItemRefusals,
        (status = 422, description = "`invalid_input`: not scheduled", body = ErrorBody),
    )
)]
pub async fn item_unschedule(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
) -> Result<Json<ItemDetail>, ApiError> {
    let mut tx = state.db.begin_audited().await?;
    let (item, _) = load(&mut tx, &user, id).await?;
    gongkai_app::items::transition(&mut tx, &user.caller(), &item, Transition::Unschedule).await?;
    let out = full(&mut tx, id).await?;
    tx.commit().await?;
    Ok(Json(out))
}

async fn withdraw(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    body: WithdrawRequest,
) -> Result<Json<ItemDetail>, ApiError> {
    let mut tx = state.db.begin_audited().await?;
    let (item, _) = load(&mut tx, user, id).await?;
    let mode = WithdrawMode::from_code(&body.mode).ok_or_else(|| {
        AppError::Invalid(Invalid::one(
            "mode",
            "mode 须为 notice（保留页面并公告撤回）或 gone（删除页面）",
        ))
    })?;
    let step = Transition::Withdraw {
        mode,
        reason: body.reason,
    };
    gongkai_app::items::transition(&mut tx, &user.caller(), &item, step).await?;
    let out = full(&mut tx, id).await?;
    tx.commit().await?;
    Ok(Json(out))
}

#[utoipa::path(
    post, path = "/items/{id}/withdraw", tag = "发布流程",
    summary = "撤回信息",
    description = "Withdraws a published item with a reason. `notice` keeps `/items/{id}` with the \
        title, the date and the reason and 「此信息已撤回」 (no body, no attachments); `gone` makes \
        it answer 410. Either way it leaves every list, feed, the sitemap, the catalogue, search \
        and this API's reads. Organisation admins and reviewers of the item's organisation, the \
        supervising office, system administrators.",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Item id")),
    request_body(content = WithdrawRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The withdrawn item", body = ItemDetail),
        ItemRefusals,
        (status = 422, description = "`invalid_input`: not published, or no reason or mode", body = ErrorBody),
    )
)]
pub async fn item_withdraw(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
    ApiJson(body): ApiJson<WithdrawRequest>,
) -> Result<Json<ItemDetail>, ApiError> {
    withdraw(&state, &user, id, body).await
}

#[utoipa::path(
    post, path = "/items/{id}/unpublish", tag = "发布流程",
    summary = "撤回信息（旧地址）",
    description = "The same as `POST /items/{id}/withdraw`, kept for existing clients.",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Item id")),
    request_body(content = WithdrawRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The withdrawn item", body = ItemDetail),
        ItemRefusals,
        (status = 422, description = "`invalid_input`", body = ErrorBody),
    )
)]
pub async fn item_unpublish(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
    MaybeJson(body): MaybeJson<WithdrawRequest>,
) -> Result<Json<ItemDetail>, ApiError> {
    withdraw(&state, &user, id, body).await
}

#[utoipa::path(
    post, path = "/items/{id}/post-review", tag = "发布流程",
    summary = "补审通过（先发后审）",
    description = "A reviewer confirms an item that was published without review. To reject it, \
        withdraw it.",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Item id")),
    request_body(content = CommentRequest, content_type = "application/json", description = "Optional"),
    responses(
        (status = 200, description = "The item", body = ItemDetail),
        ItemRefusals,
        (status = 422, description = "`invalid_input`: nothing to review", body = ErrorBody),
    )
)]
pub async fn item_post_review(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
    MaybeJson(body): MaybeJson<CommentRequest>,
) -> Result<Json<ItemDetail>, ApiError> {
    let mut tx = state.db.begin_audited().await?;
    let (item, _) = load(&mut tx, &user, id).await?;
    let comment = body.comment.unwrap_or_default();
    gongkai_app::items::transition(
        &mut tx,
        &user.caller(),
        &item,
        Transition::ConfirmPostReview { comment },
    )
    .await?;
    let out = full(&mut tx, id).await?;
    tx.commit().await?;
    Ok(Json(out))
}
