//! `/admin/applications/rules`: the configurable rules of 依申请公开 cases (site administrators):
//! the working days a consulted third party or agency has to reply （条例第三十二条， default 15）
//! and whether a 收费通知 pauses the reply period until payment (default on). Each event fixes
//! the rule in force when it is recorded, so a change binds only what is recorded afterwards.

use super::common::{AdminForm, render};
use crate::auth::CurrentUser;
use crate::{AppError, AppState};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use gongkai_app::Refusal;
use gongkai_app::applications as app_applications;
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RulesQuery {
    notice: String,
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    error: Option<String>,
    notice: Option<&str>,
) -> Result<Response, AppError> {
    if !user.perms.can_manage_site() {
        return Err(AppError::forbidden());
    }
    let mut conn = state.db.pool.acquire().await?;
    let rules = gongkai_db::settings::case_settings(&mut conn).await?;
    drop(conn);
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let html = render(
        state,
        user,
        "admin/application_rules.html",
        "applications",
        json!({"rules": rules, "error": error, "notice": notice,
               "statutory": gongkai_domain::application::CONSULTATION_WORKING_DAYS}),
    )?;
    Ok((status, html).into_response())
}

/// GET `/admin/applications/rules`.
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<RulesQuery>,
) -> Result<Response, AppError> {
    let notice = (q.notice == "saved").then_some("办理规则已保存，此后登记的事项按新规则计算。");
    page(&state, &user, None, notice).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RulesForm {
    consultation_working_days: String,
    fee_pauses_clock: String,
}

/// POST `/admin/applications/rules`.
pub async fn save(
    State(state): State<AppState>,
    user: CurrentUser,
    AdminForm(f): AdminForm<RulesForm>,
) -> Result<Response, AppError> {
    let Ok(days) = f.consultation_working_days.trim().parse::<u32>() else {
        return page(
            &state,
            &user,
            Some("征求意见期限须为1至60的整数".into()),
            None,
        )
        .await;
    };
    let mut tx = state.db.begin_audited().await?;
    match app_applications::set_case_settings(
        &mut tx,
        &user.caller(),
        days,
        f.fee_pauses_clock == "1",
    )
    .await
    {
        Ok(()) => {}
        Err(Refusal::Invalid(inv)) => {
            drop(tx);
            return page(&state, &user, Some(inv.summary()), None).await;
        }
        Err(e) => return Err(e.into()),
    }
    tx.commit().await?;
    Ok(Redirect::to("/admin/applications/rules?notice=saved").into_response())
}
