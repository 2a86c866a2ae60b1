//! `/admin/supervision/interpretations`: public policy documents without a public interpretation
//! and interpretations published later than the limit (setting `interpretation_limit_working_days`),
//! on the stored working-day calendar. Supervisors and assessors see every unit; a unit its own.

use super::common::render;
use crate::auth::CurrentUser;
use crate::{AppError, AppState};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use gongkai_db::{calendar, interpretations, settings};
use gongkai_domain::obligation::WorkingDays;
use serde_json::json;

pub async fn page(State(state): State<AppState>, user: CurrentUser) -> Result<Response, AppError> {
    if !user.perms.can_read_plans() {
        return Err(AppError::forbidden());
    }
    let scope = user.perms.viewable_orgs();
    let mut conn = state.db.pool.acquire().await?;
    let limit = settings::interpretation_limit(&mut conn).await?;
    let cal = calendar::load(&mut conn).await?;
    let report = interpretations::report(&mut conn, scope.as_deref(), limit, &cal).await?;
    drop(conn);
    let today = gongkai_db::china_today();
    let without: Vec<_> = report
        .without
        .iter()
        .map(|p| {
            let elapsed = cal.working_days_between(p.published_on.naive(), today);
            json!({"id": p.id, "org_name": p.org_name, "title": p.title, "published_on": p.published_on, "elapsed": elapsed})
        })
        .collect();
    Ok(render(
        &state,
        &user,
        "admin/supervision_interpretations.html",
        "supervision",
        json!({"limit": report.limit, "late": report.late, "without": without, "scoped": scope.is_some()}),
    )?
    .into_response())
}
