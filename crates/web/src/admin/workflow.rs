//! The publishing workflow in the back office: one form handler for every transition
//! (`POST /admin/items/{id}/workflow`, field `action`), the reviewer's queues (`/admin/reviews`:
//! 待我审核 and 待补审(先发后审)) and the workflow panel of the item page (state, the buttons the
//! user may press, review history, versions with a diff). **The buttons are only a hint: every
//! transition is checked again by `gongkai_db::workflow` against the user's rights on the
//! item's organisation.**

use super::common::{AdminForm, render};
use crate::auth::CurrentUser;
use crate::util::page_param;
use crate::{AppError, AppState};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use gongkai_app::Refusal;
use gongkai_app::items::{self as app_items, GuardRelease, Transition};
use gongkai_db::items::Item;
use gongkai_db::now_ms;
use gongkai_db::workflow::{self, Queue};
use gongkai_domain::Invalid;
use gongkai_domain::china_time::parse_china_time;
use gongkai_domain::workflow::{self as wf, Action, WithdrawMode};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize, Default)]
pub struct WorkflowForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    comment: String,
    #[serde(default)]
    reason: String,
    /// `YYYY-MM-DDTHH:MM` (datetime-local) or `YYYY-MM-DD HH:MM`, China time.
    #[serde(default)]
    publish_at: String,
    #[serde(default)]
    mode: String,
    #[serde(default)]
    guard_override: String,
    #[serde(default)]
    override_reason: String,
}

pub async fn act(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    AdminForm(f): AdminForm<WorkflowForm>,
) -> Result<Response, AppError> {
    let caller = user.caller();
    let item = {
        let mut conn = state.db.pool.acquire().await?;
        app_items::visible(&mut conn, &caller, id).await?
    };
    let step = match transition_of(&f) {
        Ok(step) => step,
        Err(AppError::Invalid(inv)) => {
            return super::items::refused(&state, &user, &item, inv).await;
        }
        Err(e) => return Err(e),
    };
    let notice = notice_of(&f.action);
    let mut tx = state.db.begin_audited().await?;
    match app_items::transition(&mut tx, &caller, &item, step).await {
        Ok(()) => {
            // An approval below the last level passes the change on; it is not public yet.
            let notice = if f.action == "approve_revision"
                && workflow::pending_revision(&mut tx, id).await?.is_some()
            {
                "wf_revision_next"
            } else {
                notice
            };
            tx.commit().await?;
            Ok(Redirect::to(&format!("/admin/items/{id}/edit?notice={notice}")).into_response())
        }
        Err(Refusal::Invalid(inv)) => {
            drop(tx);
            super::items::refused(&state, &user, &item, inv).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The transition a workflow form asks for.
fn transition_of(f: &WorkflowForm) -> Result<Transition, AppError> {
    let guard = GuardRelease {
        release: !f.guard_override.is_empty(),
        reason: f.override_reason.clone(),
        hits: Vec::new(),
    };
    Ok(match f.action.as_str() {
        "submit" => Transition::Submit,
        "approve" | "return" => Transition::Review {
            approve: f.action == "approve",
            comment: f.comment.clone(),
        },
        "publish" => Transition::PublishApproved { guard },
        "publish_now" => Transition::PublishNow {
            reason: f.reason.clone(),
            guard,
        },
        "schedule" => {
            let at_ms = parse_china_time(&f.publish_at).ok_or_else(|| {
                AppError::Invalid(Invalid::one(
                    "publish_at",
                    "请填写定时发布的日期和时间（北京时间），例如 2026-12-01 09:00",
                ))
            })?;
            Transition::Schedule {
                at_ms,
                now_ms: now_ms(),
            }
        }
        "unschedule" => Transition::Unschedule,
        "withdraw" => Transition::Withdraw {
            mode: WithdrawMode::from_code(&f.mode)
                .ok_or_else(|| AppError::Invalid(Invalid::one("mode", "请选择撤回方式")))?,
            reason: f.reason.clone(),
        },
        "confirm_post_review" => Transition::ConfirmPostReview {
            comment: f.comment.clone(),
        },
        "approve_revision" | "return_revision" => Transition::DecideRevision {
            approve: f.action == "approve_revision",
            comment: f.comment.clone(),
        },
        _ => return Err(AppError::BadRequest("未知的操作".into())),
    })
}

/// The notice shown after a transition succeeded.
fn notice_of(action: &str) -> &'static str {
    match action {
        "submit" => "wf_submitted",
        "approve" => "wf_approved",
        "return" => "wf_returned",
        "publish" => "published",
        "publish_now" => "wf_published_now",
        "schedule" => "wf_scheduled",
        "unschedule" => "wf_unscheduled",
        "withdraw" => "unpublished",
        "confirm_post_review" => "wf_post_reviewed",
        "approve_revision" => "wf_revision_approved",
        _ => "wf_revision_returned",
    }
}

/// What the item page shows of the workflow (`workflow` in `admin/item_form.html`).
pub(crate) async fn panel(
    conn: &mut sqlx::AnyConnection,
    user: &CurrentUser,
    item: &Item,
) -> Result<serde_json::Value, AppError> {
    let r = app_items::rights(&user.perms, item.org_id);
    let facts = workflow::facts(conn, item, user.actor().user_id, r).await?;
    let state = workflow::state_of(item);
    let actions: Vec<&str> = wf::allowed(state, &facts)
        .into_iter()
        .map(Action::code)
        .collect();
    let reviews: Vec<_> = workflow::reviews_of(conn, item.id)
        .await?
        .into_iter()
        .map(|rv| {
            let what = match rv.decision.as_str() {
                "approve" => format!("{}通过", wf::level_label(rv.level as u8)),
                "return" => format!("{}退回修改", wf::level_label(rv.level as u8)),
                "post_review" => "补审通过（先发后审）".into(),
                "post_withdraw" => "补审不通过，已撤回".into(),
                "revision_approve" => "实质性修改审核通过".into(),
                "revision_return" => "实质性修改退回".into(),
                other => other.to_string(),
            };
            json!({"round": rv.round, "what": what, "reviewer": rv.reviewer_name,
                   "comment": rv.comment, "at": rv.created_at, "decision": rv.decision})
        })
        .collect();
    let versions = workflow::versions_of(conn, item.id).await?;
    let version_rows: Vec<_> = versions
        .iter()
        .enumerate()
        .map(|(i, v)| {
            // Newest first: the previous version is the next row.
            let prev = versions.get(i + 1);
            let title_changed = prev.is_some_and(|p| p.title != v.title);
            let diff = prev.map(|p| {
                wf::line_diff(&p.body_source, &v.body_source)
                    .into_iter()
                    .filter(|l| l.kind != "same")
                    .collect::<Vec<_>>()
            });
            json!({"number": v.number, "major": v.major == 1, "note": v.change_note,
                   "by": v.actor_name, "at": v.created_at, "title": v.title,
                   "prev_title": prev.map(|p| p.title.clone()), "title_changed": title_changed,
                   "diff": diff})
        })
        .collect();
    let levels = workflow::review_levels(conn, item.org_id).await?;
    let revision = match workflow::pending_revision(conn, item.id).await? {
        Some(rev) => {
            let f: gongkai_domain::item::ItemFields =
                serde_json::from_str(&rev.fields).unwrap_or_default();
            let uid = user.actor().user_id;
            let own = uid.is_some() && rev.author_id == uid;
            Some(json!({
                "note": rev.change_note, "by": rev.author_name, "at": rev.created_at,
                "title": f.title, "title_changed": f.title != item.title,
                "diff": wf::line_diff(&item.body_source, &f.body).into_iter().filter(|l| l.kind != "same").collect::<Vec<_>>(),
                "can_decide": r.can_review && !facts.is_author && !own,
                "level_label": wf::level_label(rev.review_level.clamp(1, 3) as u8),
                "level": rev.review_level, "levels": levels,
            }))
        }
        None => None,
    };
    Ok(json!({
        "revision": revision,
        "state_label": state.label(),
        "actions": actions,
        "levels": levels,
        "level_labels": (1..=levels).map(wf::level_label).collect::<Vec<_>>(),
        "round": item.review_round,
        "reviews": reviews,
        "versions": version_rows,
        "is_author": facts.is_author,
        "publish_at": item.publish_at.map(workflow::china_time),
        "schedule_error": item.schedule_error,
        "publish_now_reason": item.publish_now_reason,
        "post_review": item.post_review,
        "withdraw_mode": item.withdraw_mode.as_deref().and_then(WithdrawMode::from_code).map(|m| m.label()),
        "withdraw_reason": item.withdraw_reason,
        "withdrawn_at": item.withdrawn_at,
    }))
}

#[derive(Deserialize, Default)]
pub struct QueueQuery {
    queue: Option<String>,
    page: Option<String>,
}

/// `/admin/reviews`: 待我审核 (default) or `?queue=post` 待补审(先发后审).
pub async fn queue_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<QueueQuery>,
) -> Result<Response, AppError> {
    let orgs = user.perms.reviewable_orgs();
    if orgs.as_ref().is_some_and(|o| o.is_empty()) {
        return Err(AppError::Forbidden(
            "无权查看审核队列：您的账号没有任何机构的审核权限".into(),
        ));
    }
    let post = q.queue.as_deref() == Some("post");
    let which = if post {
        Queue::PostReview
    } else {
        Queue::Review
    };
    let mut conn = state.db.pool.acquire().await?;
    let page = workflow::queue(
        &mut conn,
        which,
        orgs.as_deref(),
        user.actor().user_id,
        page_param(q.page.as_deref()),
        20,
    )
    .await?;
    let rows: Vec<_> = page
        .rows
        .iter()
        .map(|r| {
            json!({"id": r.id, "title": r.title, "org_name": r.org_name,
                   "level_label": wf::level_label(r.review_level as u8), "round": r.review_round,
                   "updated_at": r.updated_at, "published_at": r.published_at,
                   "reason": r.publish_now_reason})
        })
        .collect();
    let html = render(
        &state,
        &user,
        "admin/reviews.html",
        "reviews",
        json!({
            "post": post, "rows": rows, "total": page.total, "page": page.page,
            "pages": page.pages(),
            "base_url": if post { "/admin/reviews?queue=post" } else { "/admin/reviews?queue=review" },
        }),
    )?;
    Ok(html.into_response())
}

/// `/admin/review-levels`: the review levels of the organisations the user administers
/// (organisation admins for theirs, system administrators for all).
pub async fn levels_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<LevelsQuery>,
) -> Result<Response, AppError> {
    levels_render(&state, &user, None, q.notice.as_deref() == Some("saved")).await
}

#[derive(Deserialize, Default)]
pub struct LevelsQuery {
    notice: Option<String>,
}

async fn levels_render(
    state: &AppState,
    user: &CurrentUser,
    error: Option<(i64, String)>,
    saved: bool,
) -> Result<Response, AppError> {
    if !user.perms.can_manage_users() {
        return Err(AppError::Forbidden(
            "无权设置审核级数：须为单位管理员或系统管理员".into(),
        ));
    }
    let mut conn = state.db.pool.acquire().await?;
    let all = gongkai_db::orgs::all(&mut conn).await?;
    let levels = workflow::all_review_levels(&mut conn).await?;
    let rows: Vec<_> = levels
        .iter()
        .filter(|(id, _)| user.perms.can_manage_users_of(*id))
        .filter_map(|(id, n)| {
            let o = all.iter().find(|o| o.id == *id)?;
            Some(json!({"id": id, "name": o.name, "levels": n,
                        "error": error.as_ref().filter(|(e, _)| e == id).map(|(_, m)| m)}))
        })
        .collect();
    let html = render(
        state,
        user,
        "admin/review_levels.html",
        "reviews",
        json!({"rows": rows, "saved": saved,
               "options": (1..=wf::MAX_LEVELS).map(|n| json!({"n": n, "label": (1..=n).map(wf::level_label).collect::<Vec<_>>().join(" → ")})).collect::<Vec<_>>()}),
    )?;
    let status = if error.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    Ok((status, html).into_response())
}

#[derive(Deserialize, Default)]
pub struct LevelsForm {
    #[serde(default)]
    review_levels: String,
}

pub async fn levels_save(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(org_id): Path<i64>,
    AdminForm(f): AdminForm<LevelsForm>,
) -> Result<Response, AppError> {
    if !user.perms.can_manage_users_of(org_id) {
        // Refused before the form is read; the use case checks it again.
        return Err(app_items::review_levels_refusal().into());
    }
    let n = match wf::review_levels(&f.review_levels) {
        Ok(n) => n,
        Err(m) => return levels_render(&state, &user, Some((org_id, m)), false).await,
    };
    let mut tx = state.db.begin_audited().await?;
    app_items::set_review_levels(&mut tx, &user.caller(), org_id, n).await?;
    tx.commit().await?;
    Ok(Redirect::to("/admin/review-levels?notice=saved").into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn china_time_is_utc_plus_8() {
        let ms = parse_china_time("2026-12-01T09:00").expect("parses");
        assert_eq!(workflow::china_time(ms), "2026-12-01 09:00");
    }
}
