//! Citizen messages on the portal (留言, 政民互动): the list of published messages (question and
//! reply, personal data masked), the form to write to an organisation, the query by code and the
//! writer's satisfaction rating.
//!
//! Abuse: the forms carry the portal's double-submit CSRF token (`portal/form_token.rs`); one address may send [`messages::MAX_PER_IP_PER_HOUR`] messages an hour,
//! refused with 429 and the form re-shown with everything typed; the same message sent again
//! within ten minutes gets the same query code, not a second record; every field is stored as
//! typed and escaped on output (templates auto-escape; nothing is marked safe).

use super::{Chrome, Crumb, Href, PER_PAGE, Pager, Section, hide, page_from_query, parse_id};
use crate::util::{random_hex, sha256_hex};
use crate::{AppError, AppState};
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use gongkai_app::Refusal;
use gongkai_app::messages::{self as app_messages, Submitted};
use gongkai_db::{messages, orgs};
use gongkai_domain::Invalid;
use gongkai_domain::message::{self, MessageFields, MessageStatus, Satisfaction};
use minijinja::value::Serde as S;
use serde::Deserialize;
use serde_json::json;

use super::form_token::{PublicForm, issue as csrf_token};
use crate::util::ClientIp;

fn crumbs(here: Option<&str>) -> Vec<Crumb> {
    let mut c = vec![Crumb {
        name: "政民互动".into(),
        href: "/messages".into(),
    }];
    if let Some(h) = here {
        c.push(Crumb {
            name: h.into(),
            href: Href::default(),
        });
    }
    c
}

/// `/messages`: published messages, newest first, 20 a page.
pub async fn list(
    State(state): State<AppState>,
    RawQuery(q): RawQuery,
) -> Result<Response, AppError> {
    let page = page_from_query(q.as_deref());
    let mut conn = state.db.pool.acquire().await?;
    let chrome = Chrome::load(&state, &mut conn).await?;
    let mut p = messages::list_public(&mut conn, page, PER_PAGE).await?;
    if p.rows.is_empty() && p.page > 1 {
        p = messages::list_public(&mut conn, 1, PER_PAGE).await?;
    }
    let pager = Pager::of(&p, "/messages");
    Ok(state
        .templates
        .render(
            "portal/messages.html",
            minijinja::context! {
                rows => S(&p.rows), pager => S(pager), breadcrumb => S(crumbs(None)),
                ..chrome.ctx(Section::Other, "/messages", "政民互动")
            },
        )?
        .into_response())
}

/// `/messages/{id}`: one published message; anything else is the portal's 404.
pub async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let mut conn = state.db.pool.acquire().await?;
    let chrome = Chrome::load(&state, &mut conn).await?;
    let m = messages::get_public(&mut conn, id).await.map_err(hide)?;
    let here = format!("/messages/{id}");
    Ok(state
        .templates
        .render(
            "portal/message.html",
            minijinja::context! {
                msg => S(&m), breadcrumb => S(crumbs(Some("留言详情"))),
                ..chrome.ctx(Section::Other, &here, &m.public_title)
            },
        )?
        .into_response())
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct NewForm {
    org_id: String,
    name: String,
    phone: String,
    email: String,
    title: String,
    content: String,
}

async fn form_page(
    state: &AppState,
    jar: CookieJar,
    f: &NewForm,
    errors: serde_json::Value,
    status: StatusCode,
) -> Result<Response, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let chrome = Chrome::load(state, &mut conn).await?;
    let all = orgs::all(&mut conn).await?;
    drop(conn);
    let orgs: Vec<_> = all
        .iter()
        .filter(|o| o.kind != "collective")
        .map(|o| json!({"id": o.id, "name": o.name, "selected": f.org_id.trim() == o.id.to_string()}))
        .collect();
    let days = {
        let mut conn = state.db.pool.acquire().await?;
        messages::reply_days(&mut conn).await?
    };
    let (jar, token) = csrf_token(state, jar);
    let html = state.templates.render(
        "portal/message_form.html",
        minijinja::context! {
            csrf_token => token, orgs => S(orgs), errors => S(errors), reply_days => days,
            values => S(json!({"name": f.name, "phone": f.phone, "email": f.email, "title": f.title, "content": f.content})),
            max_content => message::MAX_CONTENT_CHARS, max_title => message::MAX_TITLE_CHARS,
            breadcrumb => S(crumbs(Some("我要留言"))),
            ..chrome.ctx(Section::Other, "/messages/new", "我要留言")
        },
    )?;
    Ok((status, jar, html).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OrgQuery {
    org: String,
}

pub async fn new_form(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(q): Query<OrgQuery>,
) -> Result<Response, AppError> {
    let f = NewForm {
        org_id: q.org,
        ..NewForm::default()
    };
    form_page(&state, jar, &f, json!({}), StatusCode::OK).await
}

fn error_map(inv: &Invalid) -> serde_json::Value {
    let mut m = serde_json::Map::new();
    for e in &inv.errors {
        m.entry(e.field.to_string())
            .or_insert_with(|| serde_json::Value::String(e.message.clone()));
    }
    serde_json::Value::Object(m)
}

pub async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    jar: CookieJar,
    PublicForm(f): PublicForm<NewForm>,
) -> Result<Response, AppError> {
    let fields = MessageFields {
        org_id: f.org_id.clone(),
        name: f.name.clone(),
        phone: f.phone.clone(),
        email: f.email.clone(),
        title: f.title.clone(),
        content: f.content.clone(),
    };
    let input = match fields.validate() {
        Ok(i) => i,
        Err(inv) => {
            return form_page(
                &state,
                jar,
                &f,
                error_map(&inv),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let hash = sha256_hex(
        &serde_json::to_string(&json!([
            input.org_id,
            input.name,
            input.phone,
            input.email,
            input.title,
            input.content
        ]))
        .unwrap_or_default(),
    );
    let code = random_hex(6).to_ascii_uppercase();
    let submission = app_messages::Submission {
        input: &input,
        query_code: &code,
        received_on: gongkai_db::china_today(),
        ip: &ip,
        dedupe_hash: &hash,
        now_ms: gongkai_db::now_ms(),
    };
    let mut tx = state.db.begin_audited().await?;
    match app_messages::submit(&mut tx, &submission).await {
        Ok(Submitted::Stored) => {}
        // The same message again (a double click, a reload): the same query code, nothing new.
        Ok(Submitted::Duplicate(code)) => {
            drop(tx);
            return done_page(&state, jar, &code, true).await;
        }
        Ok(Submitted::TooFrequent) => {
            drop(tx);
            tracing::warn!(%ip, "留言提交过于频繁");
            let errors = json!({"form": format!(
                "同一网络地址每小时最多提交{}条留言，请稍后再试。您填写的内容已保留在下方，可稍后直接提交。",
                messages::MAX_PER_IP_PER_HOUR
            )});
            return form_page(&state, jar, &f, errors, StatusCode::TOO_MANY_REQUESTS).await;
        }
        Err(Refusal::Invalid(inv)) => {
            drop(tx);
            return form_page(
                &state,
                jar,
                &f,
                error_map(&inv),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
        Err(e) => return Err(e.into()),
    }
    tx.commit().await?;
    done_page(&state, jar, &code, false).await
}

async fn done_page(
    state: &AppState,
    jar: CookieJar,
    code: &str,
    duplicate: bool,
) -> Result<Response, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let chrome = Chrome::load(state, &mut conn).await?;
    let m = messages::by_code(&mut conn, code)
        .await?
        .ok_or_else(AppError::not_found)?;
    let html = state.templates.render(
        "portal/message_done.html",
        minijinja::context! {
            code => code, duplicate => duplicate, org_name => &m.org_name, due_on => m.due_on.to_string(),
            received_on => m.received_on.to_string(), reply_days => m.reply_days,
            breadcrumb => S(crumbs(Some("留言已提交"))),
            ..chrome.ctx(Section::Other, "/messages/new", "留言已提交")
        },
    )?;
    Ok((jar, html).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CodeQuery {
    code: String,
    notice: String,
}

async fn query_page(
    state: &AppState,
    jar: CookieJar,
    raw_code: &str,
    error: Option<String>,
    notice: Option<&str>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let chrome = Chrome::load(state, &mut conn).await?;
    let (m, not_found) = if raw_code.trim().is_empty() {
        (None, false)
    } else {
        match message::normalize_code(raw_code) {
            Some(c) => {
                let m = messages::by_code(&mut conn, &c).await?;
                let nf = m.is_none();
                (m, nf)
            }
            None => (None, true),
        }
    };
    let view = m.as_ref().map(|m| {
        let st = m.status();
        let answered = matches!(
            st,
            MessageStatus::Replied | MessageStatus::Published | MessageStatus::Closed
        );
        let reply = if answered { m.reply.clone() } else { None };
        json!({
            "code": m.query_code, "title": m.title, "org_name": m.org_name, "status_label": st.label(),
            "received_on": m.received_on, "due_on": m.due_on,
            "reply": reply,
            "replied_at": m.replied_at, "published": st == MessageStatus::Published, "id": m.id,
            "closed_reason": m.closed_reason,
            "satisfaction_label": m.satisfaction_label(),
            "may_rate": m.reply.is_some() && m.satisfaction.is_none(),
        })
    });
    let (jar, token) = csrf_token(state, jar);
    let ratings: Vec<_> = Satisfaction::ALL
        .iter()
        .map(|s| json!({"code": s.code(), "label": s.label()}))
        .collect();
    let html = state.templates.render(
        "portal/message_query.html",
        minijinja::context! {
            csrf_token => token, msg => S(view), not_found => not_found, code => raw_code.trim(),
            error => error, notice => notice, ratings => S(ratings),
            breadcrumb => S(crumbs(Some("留言查询"))),
            ..chrome.ctx(Section::Other, "/messages/query", "留言查询")
        },
    )?;
    Ok((status, jar, html).into_response())
}

pub async fn query(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(q): Query<CodeQuery>,
) -> Result<Response, AppError> {
    let notice = (q.notice == "rated").then_some("感谢您的评价！");
    let status = if !q.code.trim().is_empty() && message::normalize_code(&q.code).is_none() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    query_page(&state, jar, &q.code, None, notice, status).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RateForm {
    code: String,
    satisfaction: String,
}

pub async fn rate(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    jar: CookieJar,
    PublicForm(f): PublicForm<RateForm>,
) -> Result<Response, AppError> {
    let Some(code) = message::normalize_code(&f.code) else {
        return query_page(
            &state,
            jar,
            &f.code,
            Some("查询码格式不正确".into()),
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let Some(s) = Satisfaction::from_code(f.satisfaction.trim()) else {
        return query_page(
            &state,
            jar,
            &code,
            Some("请选择满意、基本满意或不满意".into()),
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let mut tx = state.db.begin_audited().await?;
    match app_messages::rate(&mut tx, &ip, &code, s).await {
        Ok(()) => {}
        Err(Refusal::NotFound(_)) => {
            drop(tx);
            return query_page(&state, jar, &code, None, None, StatusCode::NOT_FOUND).await;
        }
        Err(Refusal::Invalid(inv)) => {
            drop(tx);
            return query_page(
                &state,
                jar,
                &code,
                Some(inv.summary()),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
        Err(e) => return Err(e.into()),
    }
    tx.commit().await?;
    Ok(
        axum::response::Redirect::to(&format!("/messages/query?code={code}&notice=rated"))
            .into_response(),
    )
}
