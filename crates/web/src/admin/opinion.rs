//! Public-opinion events (政务舆情) in the back office (`/admin/opinion`): register an event
//! (source, time detected, level, lead organisation), record every release (权威信息 / 新闻发布会 /
//! 回应) with its time and link, and see each event's clocks (5 h / 24 h for 特别重大 and 重大,
//! 48 h for the others; elapsed hours, holidays included) with overdue alarms.
//!
//! Who: the supervising office and system administrators register and record for any
//! organisation; a unit's 单位管理员, 编辑 and 办理人 for events their organisation leads; whoever
//! may see an organisation's records reads its events. Other events answer 404.

use super::common::{AdminForm, error_map, org_options, render};
use super::visible::Visible;
use crate::auth::CurrentUser;
use crate::{AppError, AppState};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use gongkai_app::Refusal;
use gongkai_app::opinion as app_opinion;
use gongkai_db::opinion::{self, EventRow, EventView};
use gongkai_db::orgs;
use gongkai_domain::Invalid;
use gongkai_domain::opinion::{
    ClockStatus, EventFields, Level, ReleaseFields, ReleaseKind, format_china, remaining_label,
};
use gongkai_domain::role::Permissions;
use serde::Deserialize;
use serde_json::json;

/// Orgs the user may register events for (`None`: all).
fn actable(p: &Permissions, all: &[orgs::Org]) -> Option<Vec<i64>> {
    if p.can_manage_plans() {
        return None;
    }
    Some(
        all.iter()
            .filter(|o| p.can_act_on_opinion_of(o.id))
            .map(|o| o.id)
            .collect(),
    )
}

fn status_class(s: ClockStatus) -> &'static str {
    match s {
        ClockStatus::Overdue => "overdue",
        ClockStatus::DueSoon => "due-soon",
        ClockStatus::Late => "late",
        ClockStatus::Met => "met",
        ClockStatus::Pending => "pending",
    }
}

fn view_json(v: &EventView, now: i64) -> serde_json::Value {
    let clocks: Vec<_> = v
        .clocks
        .iter()
        .map(|c| {
            json!({
                "label": c.kind.label(), "basis": c.kind.basis(), "deadline": format_china(c.deadline_ms),
                "status": c.status.code(), "status_label": c.status.label(), "class": status_class(c.status),
                "remaining": match c.status { ClockStatus::Pending | ClockStatus::DueSoon | ClockStatus::Overdue => remaining_label(c.deadline_ms, now), _ => String::new() },
                "release": c.release_ms.map(format_china),
            })
        })
        .collect();
    let releases: Vec<_> = v
        .releases
        .iter()
        .map(|r| json!({"kind_label": r.kind().label(), "at": format_china(r.released_at), "url": r.url, "title": r.title}))
        .collect();
    json!({
        "id": v.event.id, "title": v.event.title, "source": v.event.source,
        "detected": format_china(v.event.detected_at), "level_label": v.event.level().label(),
        "org_name": v.event.org_name, "summary": v.event.summary, "clocks": clocks, "releases": releases,
        "alarm": v.clocks.iter().any(|c| c.status == ClockStatus::Overdue),
        "warn": v.clocks.iter().any(|c| c.status == ClockStatus::DueSoon),
    })
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct EventForm {
    title: String,
    source: String,
    detected_at: String,
    level: String,
    lead_org_id: String,
    summary: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    notice: String,
}

async fn list_page(
    state: &AppState,
    user: &CurrentUser,
    form: Option<(&EventForm, &Invalid)>,
    notice: Option<&str>,
) -> Result<Response, AppError> {
    if !user.perms.sees_any_org() {
        return Err(AppError::forbidden());
    }
    let now = gongkai_db::now_ms();
    let scope = user.perms.viewable_orgs();
    let mut conn = state.db.pool.acquire().await?;
    let views = opinion::list(&mut conn, scope.as_deref(), now).await?;
    let all = orgs::all(&mut conn).await?;
    drop(conn);
    let allowed = actable(&user.perms, &all);
    let org_opts = org_options(&all, allowed.as_deref());
    let levels: Vec<_> = Level::ALL
        .iter()
        .map(|l| json!({"code": l.code(), "label": l.label(), "selected": form.is_some_and(|(f, _)| f.level == l.code())}))
        .collect();
    let rows: Vec<_> = views.iter().map(|v| view_json(v, now)).collect();
    let overdue = views
        .iter()
        .flat_map(|v| &v.clocks)
        .filter(|c| c.status == ClockStatus::Overdue)
        .count();
    let (values, errors) = match form {
        Some((f, inv)) => (
            json!({"title": f.title, "source": f.source, "detected_at": f.detected_at, "summary": f.summary, "lead_org_id": f.lead_org_id}),
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
        "admin/opinion.html",
        "opinion",
        json!({
            "rows": rows, "overdue": overdue, "orgs": org_opts, "levels": levels,
            "may_register": allowed.as_ref().is_none_or(|a| !a.is_empty()),
            "values": values, "errors": errors, "notice": notice,
        }),
    )?;
    Ok((status, html).into_response())
}

pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let notice = (q.notice == "registered").then_some("舆情事件已登记，回应时限开始计算。");
    list_page(&state, &user, None, notice).await
}

pub async fn register(
    State(state): State<AppState>,
    user: CurrentUser,
    AdminForm(f): AdminForm<EventForm>,
) -> Result<Response, AppError> {
    let fields = EventFields {
        title: f.title.clone(),
        source: f.source.clone(),
        detected_at: f.detected_at.clone(),
        level: f.level.clone(),
        lead_org_id: f.lead_org_id.clone(),
        summary: f.summary.clone(),
    };
    let input = match fields.validate(gongkai_db::now_ms()) {
        Ok(i) => i,
        Err(inv) => return list_page(&state, &user, Some((&f, &inv)), None).await,
    };
    let mut tx = state.db.begin_audited().await?;
    let id = match app_opinion::register(&mut tx, &user.caller(), &input).await {
        Ok(id) => id,
        Err(Refusal::Invalid(inv)) => {
            drop(tx);
            return list_page(&state, &user, Some((&f, &inv)), None).await;
        }
        Err(e) => return Err(e.into()),
    };
    tx.commit().await?;
    Ok(Redirect::to(&format!("/admin/opinion/{id}?notice=registered")).into_response())
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ReleaseForm {
    kind: String,
    released_at: String,
    url: String,
    title: String,
}

async fn detail_page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    form: Option<(&ReleaseForm, &Invalid)>,
    notice: Option<&str>,
) -> Result<Response, AppError> {
    let now = gongkai_db::now_ms();
    let mut conn = state.db.pool.acquire().await?;
    let v = app_opinion::visible_view(&mut conn, &user.caller(), id, now).await?;
    drop(conn);
    let kinds: Vec<_> = ReleaseKind::ALL
        .iter()
        .map(|k| json!({"code": k.code(), "label": k.label(), "selected": form.is_some_and(|(f, _)| f.kind == k.code())}))
        .collect();
    let (values, errors) = match form {
        Some((f, inv)) => (
            json!({"released_at": f.released_at, "url": f.url, "title": f.title}),
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
        "admin/opinion_event.html",
        "opinion",
        json!({
            "e": view_json(&v, now), "kinds": kinds, "may_record": user.perms.can_act_on_opinion_of(v.event.lead_org_id),
            "values": values, "errors": errors, "notice": notice,
        }),
    )?;
    Ok((status, html).into_response())
}

pub async fn detail(
    State(state): State<AppState>,
    Visible { user, record }: Visible<EventRow>,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let id = record.id;
    let notice = match q.notice.as_str() {
        "registered" => Some("舆情事件已登记，回应时限开始计算。"),
        "released" => Some("发布记录已保存，时限状态已更新。"),
        _ => None,
    };
    detail_page(&state, &user, id, None, notice).await
}

pub async fn record_release(
    State(state): State<AppState>,
    Visible { user, record }: Visible<EventRow>,
    AdminForm(f): AdminForm<ReleaseForm>,
) -> Result<Response, AppError> {
    let id = record.id;
    let caller = user.caller();
    let mut tx = state.db.begin_audited().await?;
    let e = app_opinion::visible(&mut tx, &caller, id).await?;
    let fields = ReleaseFields {
        kind: f.kind.clone(),
        released_at: f.released_at.clone(),
        url: f.url.clone(),
        title: f.title.clone(),
    };
    match app_opinion::record_release(&mut tx, &caller, &e, &fields, gongkai_db::now_ms()).await {
        Ok(_) => {}
        Err(Refusal::Invalid(inv)) => {
            drop(tx);
            return detail_page(&state, &user, id, Some((&f, &inv)), None).await;
        }
        Err(e) => return Err(e.into()),
    }
    tx.commit().await?;
    Ok(Redirect::to(&format!("/admin/opinion/{id}?notice=released")).into_response())
}
