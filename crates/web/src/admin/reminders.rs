//! The reminder-rule editor （提醒规则） of the supervising office: one form per kind of subject
//! （公开任务期限，反馈，依申请公开，留言，建议提案）. A refused form is shown again with its
//! Chinese messages and changes nothing; a saved one is audited by the use case.

use super::common::{AdminForm, render};
use crate::auth::CurrentUser;
use crate::{AppError, AppState};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use gongkai_app::reminders as app_reminders;
use gongkai_domain::Invalid;
use gongkai_domain::reminder::{
    MAX_DAYS_BEFORE, MAX_OVERDUE_EVERY, MAX_OVERDUE_TIMES, OverdueMode, RuleFields, SubjectKind,
};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize, Default)]
pub struct PageQuery {
    saved: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<PageQuery>,
) -> Result<Response, AppError> {
    let saved = q.saved.as_deref().and_then(SubjectKind::from_code);
    render_page(&state, &user, None, saved).await
}

async fn render_page(
    state: &AppState,
    user: &CurrentUser,
    refused: Option<(SubjectKind, RuleFields, Invalid)>,
    saved: Option<SubjectKind>,
) -> Result<Response, AppError> {
    if !user.perms.can_edit_reminder_rules() {
        return Err(app_reminders::refusal().into());
    }
    let mut conn = state.db.pool.acquire().await?;
    let mut kinds: Vec<Value> = Vec::new();
    for kind in SubjectKind::ALL {
        let stored = gongkai_db::notifications::kind_rules(&mut conn, kind).await?;
        let (fields, errors) = match &refused {
            Some((k, f, inv)) if *k == kind => (f.clone(), Some(inv)),
            _ => (RuleFields::of(&stored), None),
        };
        let err = |field: &str| {
            errors
                .and_then(|e| e.message_for(field))
                .map(str::to_string)
        };
        kinds.push(json!({
            "code": kind.code(), "label": kind.label(),
            "days_before": fields.days_before, "on_day": fields.on_day.is_some(),
            "overdue": fields.overdue, "overdue_every": fields.overdue_every,
            "overdue_max": fields.overdue_max,
            "errors": errors.map(|e| e.errors.iter().map(|x| x.message.clone()).collect::<Vec<_>>()),
            "err_days_before": err("days_before"), "err_overdue": err("overdue"),
            "err_overdue_every": err("overdue_every"), "err_overdue_max": err("overdue_max"),
            "saved": saved == Some(kind),
        }));
    }
    let modes: Vec<Value> = OverdueMode::ALL
        .iter()
        .map(|m| json!({"code": m.code(), "label": m.label()}))
        .collect();
    let html = render(
        state,
        user,
        "admin/reminders.html",
        "reminders",
        json!({
            "kinds": kinds, "modes": modes,
            "max_days_before": MAX_DAYS_BEFORE, "max_overdue_every": MAX_OVERDUE_EVERY,
            "max_overdue_times": MAX_OVERDUE_TIMES,
        }),
    )?;
    let status = if refused.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, html).into_response())
}

pub async fn save(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(kind): Path<String>,
    AdminForm(f): AdminForm<RuleFields>,
) -> Result<Response, AppError> {
    if !user.perms.can_edit_reminder_rules() {
        return Err(app_reminders::refusal().into());
    }
    let Some(kind) = SubjectKind::from_code(&kind) else {
        return Err(AppError::not_found());
    };
    if let Err(inv) = f.validate() {
        return render_page(&state, &user, Some((kind, f, inv)), None).await;
    }
    let mut tx = state.db.begin_audited().await?;
    app_reminders::set_rules(&mut tx, &user.caller(), kind, &f).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!(
        "/admin/reminders?saved={}#rules-{}",
        kind.code(),
        kind.code()
    ))
    .into_response())
}
