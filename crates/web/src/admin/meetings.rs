//! 会议公开 in the back office: a unit announces a government meeting (agenda, seats for public
//! attendance, application deadline, live-broadcast link, the obligation it fulfils), decides
//! the citizens' applications to attend within the seats, and records the meeting as held with
//! its minutes — which publishes them and, with an obligation, records the `open_meeting` event
//! that supervision counts. Units act for their own organisations (like `/admin/events`); the
//! supervising office for any; others' meetings answer 404.

use super::common::{AdminForm, error_map, org_options, render};
use super::visible::Visible;
use crate::auth::CurrentUser;
use crate::{AppError, AppState};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use gongkai_app::Refusal;
use gongkai_app::meetings as app_meetings;
use gongkai_db::meetings::{self, Meeting};
use gongkai_db::{orgs, plans};
use gongkai_domain::Invalid;
use gongkai_domain::meeting::{AttendeeKind, Decision, MeetingFields, MeetingKind};
use gongkai_domain::obligation::{Cadence, CadenceKind};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    notice: String,
}

async fn list_page(
    state: &AppState,
    user: &CurrentUser,
    form: Option<(&MeetingFields, &Invalid)>,
    notice: Option<&str>,
) -> Result<Response, AppError> {
    if !user.perms.can_read_plans() {
        return Err(AppError::forbidden());
    }
    let mut conn = state.db.pool.acquire().await?;
    let scope = user.perms.viewable_orgs();
    let rows = meetings::list(&mut conn, scope.as_deref()).await?;
    let all_orgs = orgs::all(&mut conn).await?;
    // Obligations of the newest confirmed plan the user may record for.
    let plan = plans::list_plans(&mut conn).await?.first().map(|p| p.id);
    let tree = match plan {
        Some(id) => Some(plans::plan_tree(&mut conn, id).await?),
        None => None,
    };
    drop(conn);
    let editable: Vec<i64> = all_orgs
        .iter()
        .map(|o| o.id)
        .filter(|id| user.perms.can_record_events_of(*id))
        .collect();
    let org_list = org_options(&all_orgs, Some(&editable));
    let chosen_ob = form
        .map(|(f, _)| f.obligation_id.clone())
        .unwrap_or_default();
    let obligations: Vec<Value> = tree
        .iter()
        .flat_map(|t| t.tasks.iter())
        .flat_map(|t| t.duties.iter().map(move |d| (t, d)))
        .flat_map(|(t, d)| d.obligations.iter().map(move |o| (t, o)))
        .filter(|(_, o)| editable.contains(&o.org_id))
        .filter(|(_, o)| {
            o.cadence
                .parse::<Cadence>()
                .is_ok_and(|c| c.kind() == CadenceKind::Periodic)
        })
        .map(|(t, o)| {
            json!({"id": o.id, "label": format!("第{}项 {} · {}（{}）", t.number, t.title, o.org_name, o.cadence_text),
                   "selected": chosen_ob == o.id.to_string()})
        })
        .collect();
    let kinds: Vec<Value> = MeetingKind::ALL
        .iter()
        .map(|k| json!({"code": k.code(), "label": k.label()}))
        .collect();
    let rows: Vec<Value> = rows
        .iter()
        .map(|m| {
            json!({"id": m.id, "title": m.title, "org": m.org_name, "kind": m.kind_label(), "held_at": m.held_at,
                   "seats": m.seats, "held": m.held != 0, "counted": m.event_id.is_some()})
        })
        .collect();
    let (values, errors) = match form {
        Some((f, inv)) => (
            serde_json::to_value(FieldsView::of(f)).unwrap_or_default(),
            error_map(inv),
        ),
        None => (json!({"seats": "0"}), json!({})),
    };
    let html = render(
        state,
        user,
        "admin/meetings.html",
        "meetings",
        json!({"rows": rows, "orgs": org_list, "obligations": obligations, "kinds": kinds,
               "may_create": !editable.is_empty(), "values": values, "errors": errors, "notice": notice}),
    )?;
    let status = if form.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, html).into_response())
}

#[derive(serde::Serialize)]
struct FieldsView<'a> {
    org_id: &'a str,
    kind: &'a str,
    title: &'a str,
    held_at: &'a str,
    place: &'a str,
    agenda: &'a str,
    seats: &'a str,
    apply_by: &'a str,
    live_url: &'a str,
}

impl<'a> FieldsView<'a> {
    fn of(f: &'a MeetingFields) -> Self {
        FieldsView {
            org_id: &f.org_id,
            kind: &f.kind,
            title: &f.title,
            held_at: &f.held_at,
            place: &f.place,
            agenda: &f.agenda,
            seats: &f.seats,
            apply_by: &f.apply_by,
            live_url: &f.live_url,
        }
    }
}

pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let notice = match q.notice.as_str() {
        "created" => Some("会议预告已发布，公众可在“会议公开”栏目查看并报名列席。"),
        _ => None,
    };
    list_page(&state, &user, None, notice).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CreateForm {
    #[serde(flatten)]
    fields: MeetingFields,
}

pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    AdminForm(f): AdminForm<CreateForm>,
) -> Result<Response, AppError> {
    let input = match f.fields.validate() {
        Ok(i) => i,
        Err(inv) => return list_page(&state, &user, Some((&f.fields, &inv)), None).await,
    };
    let mut tx = state.db.begin_audited().await?;
    let id = match app_meetings::create(&mut tx, &user.caller(), &input).await {
        Ok(id) => id,
        Err(Refusal::Invalid(inv)) => {
            drop(tx);
            return list_page(&state, &user, Some((&f.fields, &inv)), None).await;
        }
        Err(e) => return Err(e.into()),
    };
    tx.commit().await?;
    Ok(Redirect::to(&format!("/admin/meetings/{id}?notice=created")).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DetailQuery {
    notice: String,
}

async fn detail_page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    notice: Option<&str>,
    failed: Option<(&Invalid, Value)>,
) -> Result<Response, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let m = app_meetings::visible(&mut conn, &user.caller(), id).await?;
    let apps = meetings::attendance(&mut conn, id).await?;
    drop(conn);
    let approved = apps
        .iter()
        .filter(|a| a.decision() == Decision::Approved)
        .count();
    // Who decides on a request to attend calls the person; others see the phone masked.
    let shown = crate::util::PersonalData::full_if(
        user.perms.can_record_events_of(m.org_id) || user.perms.can_see_personal_data_of(m.org_id),
    );
    let apps: Vec<Value> = apps
        .iter()
        .map(|a| {
            json!({"id": a.id, "name": a.name, "kind": AttendeeKind::from_code(&a.kind).map_or("", AttendeeKind::label),
                   "phone": shown.field(&a.phone), "workplace": a.workplace, "reason": a.reason, "decision": a.decision().label(),
                   "pending": a.decision() == Decision::Pending, "decision_reason": a.decision_reason})
        })
        .collect();
    let is_failed = failed.is_some();
    let (errors, values) = match failed {
        Some((inv, v)) => (error_map(inv), v),
        None => (json!({}), json!({})),
    };
    let html = render(
        state,
        user,
        "admin/meeting.html",
        "meetings",
        json!({"m": m, "kind": m.kind_label(), "apps": apps, "approved": approved,
               "may_act": user.perms.can_record_events_of(m.org_id), "notice": notice, "errors": errors, "values": values}),
    )?;
    let status = if is_failed {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, html).into_response())
}

pub async fn detail(
    State(state): State<AppState>,
    Visible { user, record }: Visible<Meeting>,
    Query(q): Query<DetailQuery>,
) -> Result<Response, AppError> {
    let id = record.id;
    let notice = match q.notice.as_str() {
        "created" => Some("会议预告已发布。"),
        "held" => Some("会议情况已公开；关联公开义务的，已计入公开督查。"),
        "decided" => Some("已审核列席申请。"),
        _ => None,
    };
    detail_page(&state, &user, id, notice, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct HeldForm {
    minutes: String,
    live_url: String,
}

pub async fn held(
    State(state): State<AppState>,
    Visible { user, record }: Visible<Meeting>,
    AdminForm(f): AdminForm<HeldForm>,
) -> Result<Response, AppError> {
    let id = record.id;
    let caller = user.caller();
    let mut tx = state.db.begin_audited().await?;
    let m = app_meetings::visible(&mut tx, &caller, id).await?;
    let result = app_meetings::mark_held(&mut tx, &caller, &m, &f.minutes, &f.live_url).await;
    match result {
        Ok(()) => {
            tx.commit().await?;
            Ok(Redirect::to(&format!("/admin/meetings/{id}?notice=held")).into_response())
        }
        Err(Refusal::Invalid(inv)) => {
            drop(tx);
            let values = json!({"minutes": f.minutes, "live_url": f.live_url});
            detail_page(&state, &user, id, None, Some((&inv, values))).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DecideForm {
    decision: String,
    reason: String,
}

pub async fn decide(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(application_id): Path<i64>,
    AdminForm(f): AdminForm<DecideForm>,
) -> Result<Response, AppError> {
    let caller = user.caller();
    let mut tx = state.db.begin_audited().await?;
    let m = app_meetings::meeting_of_application(&mut tx, &caller, application_id).await?;
    let meeting_id = m.id;
    let decision = Decision::from_code(f.decision.trim()).unwrap_or(Decision::Pending);
    match app_meetings::decide(&mut tx, &caller, &m, application_id, decision, &f.reason).await {
        Ok(_) => {
            tx.commit().await?;
            Ok(
                Redirect::to(&format!("/admin/meetings/{meeting_id}?notice=decided"))
                    .into_response(),
            )
        }
        Err(Refusal::Invalid(inv)) => {
            drop(tx);
            detail_page(&state, &user, meeting_id, None, Some((&inv, json!({})))).await
        }
        Err(e) => Err(e.into()),
    }
}
