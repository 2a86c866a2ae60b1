//! Recorded events (活动记录) in the back office: a unit records a press conference, policy
//! briefing, online interview or public meeting against one of its obligations, and supervision
//! counts it as evidence (`gongkai_db::compliance`). Units (organisation administrators, editors)
//! record and delete their own organisation's events; the supervising office may record for any
//! unit; assessors read. Events of organisations the user may not see answer 404.

use super::common::{AdminForm, chosen_plan, error_map, plan_options, render};
use crate::auth::CurrentUser;
use crate::{AppError, AppState};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use gongkai_db::{events, plans};
use gongkai_domain::Invalid;
use gongkai_domain::event::{EventFields, EventKind};
use gongkai_domain::obligation::Cadence;
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EventsQuery {
    plan: String,
    notice: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EventForm {
    plan: String,
    obligation_id: String,
    kind: String,
    title: String,
    held_on: String,
    url: String,
    note: String,
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    plan: &str,
    form: Option<(&EventForm, &Invalid)>,
    notice: Option<&str>,
) -> Result<Response, AppError> {
    if !user.perms.can_read_plans() {
        return Err(AppError::forbidden());
    }
    let mut conn = state.db.pool.acquire().await?;
    let all = plans::list_plans(&mut conn).await?;
    let Some(plan_id) = chosen_plan(&all, plan) else {
        return Ok(render(
            state,
            user,
            "admin/events.html",
            "events",
            json!({"empty": true}),
        )?
        .into_response());
    };
    let scope = user.perms.viewable_orgs();
    let rows = events::list_for_plan(&mut conn, plan_id, scope.as_deref()).await?;
    let tree = plans::plan_tree(&mut conn, plan_id).await?;
    drop(conn);
    let options: Vec<_> = tree
        .tasks
        .iter()
        .flat_map(|t| t.duties.iter().map(move |d| (t, d)))
        .flat_map(|(t, d)| d.obligations.iter().map(move |o| (t, o)))
        .filter(|(_, o)| user.perms.can_record_events_of(o.org_id))
        .filter(|(_, o)| {
            o.cadence
                .parse::<Cadence>()
                .is_ok_and(|c| c.kind() == gongkai_domain::obligation::CadenceKind::Periodic)
        })
        .map(|(t, o)| {
            let label = o.cadence.parse::<Cadence>().map(|c| c.label()).unwrap_or_default();
            json!({"id": o.id, "label": format!("第{}项 {} · {} · {}（{}）", t.number, t.title, o.org_name, label, o.cadence_text),
                   "selected": form.is_some_and(|(f, _)| f.obligation_id == o.id.to_string())})
        })
        .collect();
    let rows: Vec<_> = rows
        .iter()
        .map(|r| json!({"id": r.id, "org_name": r.org_name, "kind_label": r.kind_label(), "title": r.title,
                        "held_on": r.held_on, "url": r.url, "task_number": r.task_number,
                        "may_delete": user.perms.can_record_events_of(r.org_id)}))
        .collect();
    let kinds: Vec<_> = EventKind::ALL
        .iter()
        .map(|k| {
            json!({"code": k.code(), "label": k.label(),
                        "selected": form.is_some_and(|(f, _)| f.kind == k.code())})
        })
        .collect();
    let plans_json = plan_options(&all, plan_id);
    let (values, errors) = match form {
        Some((f, inv)) => (
            json!({"title": f.title, "held_on": f.held_on, "url": f.url, "note": f.note}),
            error_map(inv),
        ),
        None => (json!({}), json!({})),
    };
    let status = if form.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let html = render(
        state,
        user,
        "admin/events.html",
        "events",
        json!({
            "plan_id": plan_id, "plans": plans_json, "rows": rows, "options": options, "kinds": kinds,
            "values": values, "errors": errors, "notice": notice,
        }),
    )?;
    Ok((status, html).into_response())
}

pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<EventsQuery>,
) -> Result<Response, AppError> {
    let notice = match q.notice.as_str() {
        "recorded" => Some("活动已记录，督查统计已同步更新。"),
        "deleted" => Some("活动记录已删除。"),
        _ => None,
    };
    page(&state, &user, &q.plan, None, notice).await
}

pub async fn record(
    State(state): State<AppState>,
    user: CurrentUser,
    AdminForm(f): AdminForm<EventForm>,
) -> Result<Response, AppError> {
    let fields = EventFields {
        obligation_id: f.obligation_id.clone(),
        kind: f.kind.clone(),
        title: f.title.clone(),
        held_on: f.held_on.clone(),
        url: f.url.clone(),
        note: f.note.clone(),
    };
    let input = match fields.validate() {
        Ok(i) => i,
        Err(inv) => return page(&state, &user, &f.plan, Some((&f, &inv)), None).await,
    };
    let mut tx = state.db.begin_audited().await?;
    let plan_id = match gongkai_app::events::record(&mut tx, &user.caller(), &input).await {
        Ok(recorded) => recorded.plan_id,
        Err(gongkai_app::Refusal::Invalid(inv)) => {
            drop(tx);
            return page(&state, &user, &f.plan, Some((&f, &inv)), None).await;
        }
        Err(e) => return Err(e.into()),
    };
    tx.commit().await?;
    Ok(Redirect::to(&format!("/admin/events?plan={plan_id}&notice=recorded")).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DeleteForm {
    plan: String,
}

pub async fn delete(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    AdminForm(f): AdminForm<DeleteForm>,
) -> Result<Response, AppError> {
    let mut tx = state.db.begin_audited().await?;
    gongkai_app::events::delete(&mut tx, &user.caller(), id).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!(
        "/admin/events?plan={}&notice=deleted",
        f.plan.trim()
    ))
    .into_response())
}
