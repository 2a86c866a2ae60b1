//! The working-day calendar (工作日历) for system administrators: a year's holidays and 调休
//! make-up workdays, added, edited and deleted one day at a time. Deadlines computed anywhere read
//! the stored table, so an edit here changes them.

use super::common::{AdminForm, error_map, notice_text, render};
use crate::auth::CurrentUser;
use crate::{AppError, AppState};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Datelike, NaiveDate};
use gongkai_db::calendar::{self as cal, DayFields};
use gongkai_domain::Invalid;
use gongkai_domain::calendar::{DayKind, NOTICES, fallback_warning};
use serde::Deserialize;
use serde_json::json;

/// The current year in China (UTC+8, no daylight saving).
fn this_year() -> i32 {
    gongkai_db::china_today().year()
}

fn parse_year(s: Option<&str>) -> i32 {
    s.and_then(|y| y.trim().parse::<i32>().ok())
        .filter(|y| (cal::YEARS.0..=cal::YEARS.1).contains(y))
        .unwrap_or_else(this_year)
}

fn parse_path_date(s: &str) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| AppError::not_found())
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    year: Option<String>,
    notice: Option<String>,
}

/// The pasted notice （批量录入）.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ImportForm {
    year: String,
    text: String,
    source: String,
    confirm: String,
}

/// What the import shows on the page: the text and, before confirmation, the parsed days.
#[derive(Default)]
struct ImportView {
    text: String,
    source: String,
    preview: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
pub struct DaySubmit {
    #[serde(flatten)]
    fields: DayFields,
}

/// What the page's form is doing.
enum Mode {
    Add,
    Edit(NaiveDate),
}

/// Renders the year's list with the add or edit form.
#[allow(clippy::too_many_arguments)]
async fn page(
    state: &AppState,
    user: &CurrentUser,
    year: i32,
    mode: Mode,
    f: &DayFields,
    errors: Option<&Invalid>,
    notice: Option<&'static str>,
    status: StatusCode,
) -> Result<Response, AppError> {
    page_with(
        state,
        user,
        year,
        mode,
        f,
        errors,
        notice,
        status,
        ImportView::default(),
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn page_with(
    state: &AppState,
    user: &CurrentUser,
    year: i32,
    mode: Mode,
    f: &DayFields,
    errors: Option<&Invalid>,
    notice: Option<&'static str>,
    status: StatusCode,
    import: ImportView,
) -> Result<Response, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let rows = cal::list_year(&mut conn, year).await?;
    let data_years = cal::years(&mut conn).await?;
    drop(conn);
    let current = this_year();
    let mut years: Vec<i32> = data_years.clone();
    years.extend([current - 1, current, current + 1, current + 2, year]);
    years.sort_unstable();
    years.dedup();
    let has_data = data_years.contains(&year);
    let notices: Vec<_> = NOTICES
        .iter()
        .filter(|n| n.year == year)
        .map(|n| json!({"number": n.number, "title": n.title, "url": n.url}))
        .collect();
    let rows: Vec<_> = rows
        .iter()
        .map(|r| {
            json!({
                "date": r.date, "weekday": r.weekday_label(), "kind": r.kind,
                "kind_label": r.kind_label(), "name": r.name, "source": r.source,
            })
        })
        .collect();
    let (editing, action) = match mode {
        Mode::Add => (None, "/admin/calendar".to_string()),
        Mode::Edit(d) => (Some(d.to_string()), format!("/admin/calendar/{d}")),
    };
    let html = render(
        state,
        user,
        "admin/calendar.html",
        "calendar",
        json!({
            "year": year, "years": years, "rows": rows, "has_data": has_data,
            "warning": (!has_data).then(|| fallback_warning(year)),
            "notices": notices, "f": f, "editing": editing, "action": action,
            "errors": errors.map(error_map).unwrap_or(json!({})), "notice": notice,
            "kinds": DayKind::ALL.iter().map(|k| json!({"code": k.code(), "label": k.label()})).collect::<Vec<_>>(),
            "import_text": import.text, "import_source": import.source, "preview": import.preview,
        }),
    )?;
    Ok((status, html).into_response())
}

pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    user.require(user.perms.can_manage_site())?;
    let year = parse_year(q.year.as_deref());
    let f = DayFields {
        kind: DayKind::Holiday.code().into(),
        ..Default::default()
    };
    page(
        &state,
        &user,
        year,
        Mode::Add,
        &f,
        None,
        notice_text(q.notice.as_deref()),
        StatusCode::OK,
    )
    .await
}

pub async fn edit_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(date): Path<String>,
) -> Result<Response, AppError> {
    user.require(user.perms.can_manage_site())?;
    let date = parse_path_date(&date)?;
    let mut conn = state.db.pool.acquire().await?;
    let day = cal::get(&mut conn, date)
        .await?
        .ok_or_else(|| AppError::NotFound("该日期没有节假日安排".into()))?;
    drop(conn);
    page(
        &state,
        &user,
        date.year(),
        Mode::Edit(date),
        &DayFields::from(&day),
        None,
        None,
        StatusCode::OK,
    )
    .await
}

pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    AdminForm(s): AdminForm<DaySubmit>,
) -> Result<Response, AppError> {
    save(state, user, None, s).await
}

pub async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(date): Path<String>,
    AdminForm(mut s): AdminForm<DaySubmit>,
) -> Result<Response, AppError> {
    let date = parse_path_date(&date)?;
    // The date is the record's key: an edit changes kind, name and source, never the date.
    s.fields.date = date.to_string();
    save(state, user, Some(date), s).await
}

async fn save(
    state: AppState,
    user: CurrentUser,
    editing: Option<NaiveDate>,
    s: DaySubmit,
) -> Result<Response, AppError> {
    user.require(user.perms.can_manage_site())?;
    let mode = || match editing {
        Some(d) => Mode::Edit(d),
        None => Mode::Add,
    };
    // The year shown with errors: the submitted date's, if it has one.
    let shown_year = editing
        .map(|d| d.year())
        .unwrap_or_else(|| parse_year(s.fields.date.trim().get(..4)));
    let input = match s.fields.validate() {
        Ok(i) => i,
        Err(e) => {
            return page(
                &state,
                &user,
                shown_year,
                mode(),
                &s.fields,
                Some(&e),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let mut tx = state.db.begin_audited().await?;
    let result =
        gongkai_app::calendar::save_day(&mut tx, &user.caller(), &input, editing.is_some()).await;
    match result {
        Ok(()) => {
            tx.commit().await?;
            Ok(Redirect::to(&format!(
                "/admin/calendar?year={}&notice={}",
                input.date.year(),
                if editing.is_some() {
                    "saved"
                } else {
                    "created"
                }
            ))
            .into_response())
        }
        Err(gongkai_app::Refusal::Invalid(e)) => {
            drop(tx);
            page(
                &state,
                &user,
                shown_year,
                mode(),
                &s.fields,
                Some(&e),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn delete(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(date): Path<String>,
) -> Result<Response, AppError> {
    user.require(user.perms.can_manage_site())?;
    let date = parse_path_date(&date)?;
    let mut tx = state.db.begin_audited().await?;
    gongkai_app::calendar::delete_day(&mut tx, &user.caller(), date).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!(
        "/admin/calendar?year={}&notice=deleted",
        date.year()
    ))
    .into_response())
}

/// POST `/admin/calendar/import`: a pasted State Council notice; first the days it sets are shown,
/// then, confirmed, entered all at once.
pub async fn import(
    State(state): State<AppState>,
    user: CurrentUser,
    AdminForm(f): AdminForm<ImportForm>,
) -> Result<Response, AppError> {
    user.require(user.perms.can_manage_site())?;
    let year = parse_year(Some(&f.year));
    let source = if f.source.trim().is_empty() {
        format!("国务院办公厅关于{year}年部分节假日安排的通知")
    } else {
        f.source.trim().chars().take(200).collect()
    };
    let blank = DayFields {
        kind: DayKind::Holiday.code().into(),
        ..Default::default()
    };
    let view = |preview| ImportView {
        text: f.text.clone(),
        source: source.clone(),
        preview,
    };
    let text: String = f.text.chars().take(20_000).collect();
    let days = match gongkai_domain::calendar::notice::parse_notice(&text, year, &source) {
        Ok(days) => days,
        Err(message) => {
            let inv = Invalid::one("notice_text", message);
            return page_with(
                &state,
                &user,
                year,
                Mode::Add,
                &blank,
                Some(&inv),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
                view(Vec::new()),
            )
            .await;
        }
    };
    let shown = days.first().map_or(year, |d| d.date.year());
    if f.confirm != "1" {
        let preview = days
            .iter()
            .map(|d| {
                json!({"date": d.date.to_string(), "weekday": gongkai_domain::calendar::weekday_zh(d.date),
                       "kind_label": d.kind.label(), "name": d.name})
            })
            .collect();
        return page_with(
            &state,
            &user,
            shown,
            Mode::Add,
            &blank,
            None,
            None,
            StatusCode::OK,
            view(preview),
        )
        .await;
    }
    let caller = user.caller();
    let mut tx = state.db.begin_audited().await?;
    gongkai_app::calendar::import_days(&mut tx, &caller, &days).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/admin/calendar?year={shown}&notice=imported")).into_response())
}
