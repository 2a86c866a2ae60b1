//! Citizen messages in the back office (`/admin/messages`): the queue of an organisation's
//! messages sorted by reply deadline with 即将到期 / 已逾期 flags and the 3-month-rule warnings,
//! assignment of a responder, the reply (guard-scanned: a reply with personal information or a
//! known error is refused), publication with the masked question, closing without publication,
//! and the reply-limit setting.
//!
//! Who: the organisation's 单位管理员 and 办理人 (and those of an organisation above it) handle
//! its messages; system administrators handle any; the supervising office and assessors read
//! every message; the supervising office and system administrators set the reply limit. Messages
//! of an organisation the user may not see answer 404.

use super::common::{AdminForm, error_map, render};
use super::visible::Visible;
use crate::auth::CurrentUser;
use crate::util::page_param;
use crate::{AppError, AppState};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use gongkai_app::Refusal;
use gongkai_app::messages as app_messages;
use gongkai_db::messages::{self, Filter, MessageRow};
use gongkai_domain::Invalid;
use gongkai_domain::calendar::Calendar;
use gongkai_domain::message::{self, AgeFlag, MessageStatus, Urgency};
use serde::Deserialize;
use serde_json::json;

fn flags(cal: &Calendar, m: &MessageRow, today: chrono::NaiveDate) -> serde_json::Value {
    let st = m.status();
    let (urgency, age) = match (st.awaiting_reply(), m.due(), m.received()) {
        (true, Some(due), Some(rec)) => (
            Some(message::urgency(cal, due, today)),
            message::age_flag(rec, today),
        ),
        _ => (None, AgeFlag::None),
    };
    json!({
        "urgency": urgency.map(Urgency::code), "urgency_label": urgency.map(Urgency::label),
        "age": age.code(), "age_label": age.label(),
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    status: String,
    page: Option<String>,
    notice: String,
}

pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    list_page(&state, &user, &q, None, StatusCode::OK).await
}

async fn list_page(
    state: &AppState,
    user: &CurrentUser,
    q: &ListQuery,
    setting_error: Option<(&str, &Invalid)>,
    status: StatusCode,
) -> Result<Response, AppError> {
    if !user.perms.can_open_messages() {
        return Err(AppError::forbidden());
    }
    let today = gongkai_db::china_today();
    let filter = Filter {
        orgs: user.perms.message_orgs(),
        status: MessageStatus::from_code(q.status.trim()),
    };
    let mut conn = state.db.pool.acquire().await?;
    let cal = gongkai_db::calendar::load(&mut conn).await?;
    let page = messages::list(&mut conn, &filter, page_param(q.page.as_deref()), 20).await?;
    let counts = messages::counts(&mut conn, filter.orgs.as_deref(), today).await?;
    let days = messages::reply_days(&mut conn).await?;
    drop(conn);
    let rows: Vec<_> = page
        .rows
        .iter()
        .map(|m| {
            json!({"id": m.id, "title": m.title, "org_name": m.org_name, "status_label": m.status().label(),
                   "received_on": m.received_on, "due_on": m.due_on, "responder_name": m.responder_name,
                   "satisfaction": m.satisfaction_label(), "flags": flags(&cal, m, today)})
        })
        .collect();
    let statuses: Vec<_> = MessageStatus::ALL
        .iter()
        .map(|s| json!({"code": s.code(), "label": s.label(), "selected": q.status == s.code()}))
        .collect();
    let notice = match q.notice.as_str() {
        "limit" => Some("答复期限已保存，此后收到的留言按新期限计算。"),
        _ => None,
    };
    let (limit_value, limit_errors) = match setting_error {
        Some((v, inv)) => (v.to_string(), error_map(inv)),
        None => (days.to_string(), json!({})),
    };
    let base = if q.status.is_empty() {
        "/admin/messages".to_string()
    } else {
        format!(
            "/admin/messages?status={}",
            filter.status.map_or("", MessageStatus::code)
        )
    };
    let html = render(
        state,
        user,
        "admin/messages.html",
        "messages",
        json!({
            "rows": rows, "statuses": statuses, "counts": counts, "today": today.to_string(),
            "page": page.page, "pages": page.pages(), "total": page.total, "base": base,
            "may_set_limit": user.perms.can_set_message_limits(), "limit_value": limit_value,
            "limit_errors": limit_errors, "notice": notice,
        }),
    )?;
    Ok((status, html).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LimitForm {
    reply_working_days: String,
}

pub async fn save_limit(
    State(state): State<AppState>,
    user: CurrentUser,
    AdminForm(f): AdminForm<LimitForm>,
) -> Result<Response, AppError> {
    let caller = user.caller();
    let mut tx = state.db.begin_audited().await?;
    match app_messages::set_reply_limit(&mut tx, &caller, &f.reply_working_days).await {
        Ok(_) => {}
        Err(Refusal::Invalid(inv)) => {
            drop(tx);
            return list_page(
                &state,
                &user,
                &ListQuery::default(),
                Some((&f.reply_working_days, &inv)),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
        Err(e) => return Err(e.into()),
    }
    tx.commit().await?;
    Ok(Redirect::to("/admin/messages?notice=limit").into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DetailQuery {
    notice: String,
}

async fn detail_page(
    state: &AppState,
    user: &CurrentUser,
    m: &MessageRow,
    errors: serde_json::Value,
    values: serde_json::Value,
    notice: Option<&str>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let today = gongkai_db::china_today();
    let mut conn = state.db.pool.acquire().await?;
    let cal = gongkai_db::calendar::load(&mut conn).await?;
    let responders = messages::responders(&mut conn, m.org_id).await?;
    drop(conn);
    let st = m.status();
    let handle = user.perms.can_handle_cases_of(m.org_id);
    let preview = (st == MessageStatus::Replied).then(|| {
        message::public_copy(
            &m.name,
            &m.title,
            &m.content,
            m.reply.as_deref().unwrap_or(""),
        )
    });
    let explain = m
        .received()
        .and_then(|r| {
            message::reply_due(&cal, r, u32::try_from(m.reply_days).unwrap_or(5)).ok()?;
            cal.clone()
                .with_count_from(gongkai_domain::calendar::CountFrom::NextWorkingDay)
                .explain(r, u32::try_from(m.reply_days).unwrap_or(5))
                .ok()
        })
        .map(|e| e.steps.iter().map(|s| s.line()).collect::<Vec<_>>())
        .unwrap_or_default();
    let responders: Vec<_> = responders
        .iter()
        .map(|(id, name)| json!({"id": id, "name": name, "selected": m.responder_id == Some(*id)}))
        .collect();
    let shown = crate::util::PersonalData::for_case(user, m.org_id);
    let mut m_shown = m.clone();
    m_shown.phone = m.phone.as_deref().map(|v| shown.field(v));
    m_shown.email = m.email.as_deref().map(|v| shown.field(v));
    let html = render(
        state,
        user,
        "admin/message.html",
        "messages",
        json!({
            "m": m_shown, "personal_masked": shown.masked(), "status_label": st.label(), "flags": flags(&cal, m, today),
            "may_assign": handle && st.check(message::Action::Assign).is_ok(),
            "may_reply": handle && st.check(message::Action::Reply).is_ok(),
            "may_publish": handle && st.check(message::Action::Publish).is_ok(),
            "may_close": handle && st.check(message::Action::Close).is_ok(),
            "responders": responders, "preview": preview, "explain": explain,
            "errors": errors, "values": values, "notice": notice,
        }),
    )?;
    Ok((status, html).into_response())
}

pub async fn detail(
    State(state): State<AppState>,
    Visible { user, record: m }: Visible<MessageRow>,
    Query(q): Query<DetailQuery>,
) -> Result<Response, AppError> {
    let notice = match q.notice.as_str() {
        "assigned" => Some("已分配办理人。"),
        "replied" => Some("答复已保存。核对下方公开预览（个人信息已脱敏）后可公开。"),
        "published" => Some("留言及答复已公开，公众可在“政民互动”中看到（个人信息已脱敏）。"),
        "closed" => Some("留言已办结。"),
        _ => None,
    };
    detail_page(
        &state,
        &user,
        &m,
        json!({}),
        json!({}),
        notice,
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ActionForm {
    responder_id: String,
    reply: String,
    reason: String,
}

enum Act {
    Assign,
    Reply,
    Publish,
    Close,
}

async fn act(
    state: AppState,
    Visible { user, record: m }: Visible<MessageRow>,
    f: ActionForm,
    which: Act,
) -> Result<Response, AppError> {
    let caller = user.caller();
    let id = m.id;
    let values = json!({"reply": f.reply, "reason": f.reason});
    let refuse = |inv: Invalid| {
        let state = state.clone();
        let user = user.clone();
        let values = values.clone();
        let m = m.clone();
        async move {
            detail_page(
                &state,
                &user,
                &m,
                error_map(&inv),
                values,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    };
    let mut tx = state.db.begin_audited().await?;
    let (result, notice) = match which {
        Act::Assign => {
            let rid = f.responder_id.trim().parse::<i64>().ok();
            (
                app_messages::assign(&mut tx, &caller, &m, rid).await,
                "assigned",
            )
        }
        Act::Reply => (
            app_messages::reply(&mut tx, &caller, &m, &f.reply).await,
            "replied",
        ),
        Act::Publish => (
            app_messages::publish(&mut tx, &caller, &m).await,
            "published",
        ),
        Act::Close => (
            app_messages::close(&mut tx, &caller, &m, &f.reason).await,
            "closed",
        ),
    };
    match result {
        Ok(()) => {}
        Err(Refusal::Invalid(inv)) => {
            drop(tx);
            return refuse(inv).await;
        }
        Err(e) => return Err(e.into()),
    }
    tx.commit().await?;
    Ok(Redirect::to(&format!("/admin/messages/{id}?notice={notice}")).into_response())
}

pub async fn assign(
    State(state): State<AppState>,
    visible: Visible<MessageRow>,
    AdminForm(f): AdminForm<ActionForm>,
) -> Result<Response, AppError> {
    act(state, visible, f, Act::Assign).await
}

pub async fn reply(
    State(state): State<AppState>,
    visible: Visible<MessageRow>,
    AdminForm(f): AdminForm<ActionForm>,
) -> Result<Response, AppError> {
    act(state, visible, f, Act::Reply).await
}

pub async fn publish(
    State(state): State<AppState>,
    visible: Visible<MessageRow>,
    AdminForm(f): AdminForm<ActionForm>,
) -> Result<Response, AppError> {
    act(state, visible, f, Act::Publish).await
}

pub async fn close(
    State(state): State<AppState>,
    visible: Visible<MessageRow>,
    AdminForm(f): AdminForm<ActionForm>,
) -> Result<Response, AppError> {
    act(state, visible, f, Act::Close).await
}
