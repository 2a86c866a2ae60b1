//! The user's in-app notifications (站内通知): reminders of feedback due dates and other messages,
//! unread first, paginated; marking one or all read (CSRF-checked POSTs). The navigation shows the
//! unread count (loaded with the signed-in user, `CurrentUser::unread_notifications`).

use super::common::render;
use crate::auth::CurrentUser;
use crate::util::page_param;
use crate::{AppError, AppState};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use gongkai_db::notifications;
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    page: String,
    notice: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let page = notifications::list(&mut conn, user.id, page_param(Some(&q.page)), 20).await?;
    let unread = notifications::unread_count(&mut conn, user.id).await?;
    let rows: Vec<_> = page
        .rows
        .iter()
        .map(|n| {
            json!({
                "id": n.id, "title": n.title, "body": n.body, "created_at": n.created_at,
                "unread": n.read_at.is_none(),
                // Only local back-office links are followed.
                "link": if n.link.starts_with("/admin") && !n.link.starts_with("//") { n.link.as_str() } else { "" },
            })
        })
        .collect();
    let notice = match q.notice.as_deref() {
        Some("read") => Some("已标记为已读。"),
        Some("all_read") => Some("全部通知已标记为已读。"),
        _ => None,
    };
    Ok(render(
        &state,
        &user,
        "admin/notifications.html",
        "notifications",
        json!({
            "rows": rows, "total": page.total, "page": page.page, "pages": page.pages(),
            "base_url": "/admin/notifications", "unread": unread, "notice": notice,
        }),
    )?
    .into_response())
}

pub async fn mark_read(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    notifications::mark_read(&mut conn, user.id, id).await?;
    Ok(Redirect::to("/admin/notifications?notice=read").into_response())
}

pub async fn mark_all_read(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    notifications::mark_all_read(&mut conn, user.id).await?;
    Ok(Redirect::to("/admin/notifications?notice=all_read").into_response())
}
