//! 会议公开 on the portal: announced meetings with agenda, live link and, once held, the minutes;
//! while applications are open, a form to apply to attend (列席). Applicants' personal data never
//! appears here: the page shows only how many were approved. One address may apply
//! [`APPLICATIONS_PER_HOUR`] times an hour; the same phone once per meeting.

use super::{
    Chrome, Crumb, Href, PER_PAGE, Pager, Section, form_token, hide, page_from_query, parse_id,
};
use crate::util::ClientIp;
use crate::{AppError, AppState};
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use gongkai_app::Refusal;
use gongkai_app::meetings as app_meetings;
use gongkai_db::meetings;
use gongkai_domain::Invalid;
use gongkai_domain::meeting::{AttendFields, AttendeeKind, Decision, open_for_applications};
use minijinja::value::Serde as S;
use serde::Deserialize;
use serde_json::json;

const TITLE: &str = "会议公开";
pub const APPLICATIONS_PER_HOUR: i64 = 5;

pub async fn list(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let chrome = Chrome::load(&state, &mut conn).await?;
    let page =
        meetings::public_page(&mut conn, page_from_query(query.as_deref()), PER_PAGE).await?;
    drop(conn);
    let today = gongkai_db::china_today();
    let pager = Pager::of(&page, "/hygk");
    let rows: Vec<_> = page
        .rows
        .iter()
        .map(|m| {
            json!({"href": format!("/hygk/{}", m.id), "title": m.title, "org": m.org_name, "held_at": m.held_at,
                   "kind": m.kind_label(), "held": m.held != 0,
                   "open": m.held == 0 && open_for_applications(m.seats(), m.apply_by_date(), today)})
        })
        .collect();
    let html = state.templates.render(
        "portal/meetings.html",
        minijinja::context! {
            rows => S(rows), pager => S(pager),
            breadcrumb => S(vec![Crumb { name: TITLE.into(), href: Href::default() }]),
            ..chrome.ctx(Section::Other, "/hygk", TITLE)
        },
    )?;
    Ok(html.into_response())
}

async fn page(
    state: &AppState,
    jar: CookieJar,
    id: i64,
    form: Option<(&AttendFields, &Invalid)>,
    applied: bool,
) -> Result<Response, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let m = meetings::get(&mut conn, id).await.map_err(hide)?;
    let chrome = Chrome::load(state, &mut conn).await?;
    let approved = meetings::attendance(&mut conn, id)
        .await?
        .iter()
        .filter(|a| a.decision() == Decision::Approved)
        .count();
    drop(conn);
    let today = gongkai_db::china_today();
    let open = m.held == 0 && open_for_applications(m.seats(), m.apply_by_date(), today);
    let (jar, token) = super::form_token::issue(state, jar);
    let kinds: Vec<_> = AttendeeKind::ALL
        .iter()
        .map(|k| json!({"code": k.code(), "label": k.label()}))
        .collect();
    let (values, errors) = match form {
        Some((f, inv)) => (
            json!({"name": f.name, "kind": f.kind, "phone": f.phone, "workplace": f.workplace, "reason": f.reason}),
            crate::error::error_map(inv),
        ),
        None => (json!({}), json!({})),
    };
    let here = format!("/hygk/{id}");
    let meeting = json!({"id": m.id, "title": m.title, "org": m.org_name, "kind": m.kind_label(), "held_at": m.held_at,
        "place": m.place, "agenda": m.agenda, "seats": m.seats, "apply_by": m.apply_by, "live_url": m.live_url,
        "held": m.held != 0, "minutes": m.minutes});
    let html = state.templates.render(
        "portal/meeting.html",
        minijinja::context! {
            m => S(meeting), approved => approved, open => open, kinds => S(kinds), csrf_token => token,
            values => S(values), errors => S(errors), applied => applied,
            breadcrumb => S(vec![
                Crumb { name: TITLE.into(), href: "/hygk".into() },
                Crumb { name: m.title.clone(), href: Href::default() },
            ]),
            ..chrome.ctx(Section::Other, &here, &m.title)
        },
    )?;
    let status = if form.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, jar, html).into_response())
}

pub async fn show(
    State(state): State<AppState>,
    jar: CookieJar,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let applied = query.as_deref() == Some("applied=1");
    page(&state, jar, id, None, applied).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ApplyForm {
    website: String,
    #[serde(flatten)]
    fields: AttendFields,
}

pub async fn apply(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    jar: CookieJar,
    Path(id): Path<String>,
    form_token::PublicForm(f): form_token::PublicForm<ApplyForm>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let mut tx = state.db.begin_audited().await?;
    let m = meetings::get(&mut tx, id).await.map_err(hide)?;
    let today = gongkai_db::china_today();
    if let Err(Refusal::Invalid(inv)) = app_meetings::open_to_applications(&m, today) {
        drop(tx);
        return page(&state, jar, id, Some((&f.fields, &inv)), false).await;
    }
    // A filled honeypot is a robot: answer as if accepted, store nothing.
    if !f.website.trim().is_empty() {
        return Ok(Redirect::to(&format!("/hygk/{id}?applied=1")).into_response());
    }
    let input = match f.fields.validate() {
        Ok(i) => i,
        Err(inv) => {
            drop(tx);
            return page(&state, jar, id, Some((&f.fields, &inv)), false).await;
        }
    };
    let hour_ago = gongkai_db::now_ms() - 3_600_000;
    if meetings::recent_from(&mut tx, &ip, hour_ago).await? >= APPLICATIONS_PER_HOUR {
        return Err(AppError::Locked(
            "同一网络地址提交过于频繁，请一小时后再试".into(),
        ));
    }
    match app_meetings::apply_to_attend(&mut tx, &m, &input, &ip, today).await {
        Ok(_) => {
            tx.commit().await?;
            Ok(Redirect::to(&format!("/hygk/{id}?applied=1")).into_response())
        }
        Err(Refusal::Invalid(inv)) => {
            drop(tx);
            page(&state, jar, id, Some((&f.fields, &inv)), false).await
        }
        Err(e) => Err(e.into()),
    }
}
