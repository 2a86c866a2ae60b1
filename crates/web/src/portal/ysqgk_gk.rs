//! `/ysqgk/gk`: the public disclosure log （申请公开目录）. Answered applications whose applicant
//! consented and whose handler published them (`gongkai_db::correspondence::public_log`):
//! organisation, received and answered dates, the request, the outcome, the answer and the
//! answer's attachments the handler marked public. The applicant's name is never shown; the
//! request and the answer pass through `correspondence::public_text`, which hides the
//! applicant's names and the personal numbers the content guard detects. Any other case is 404.

use super::{Chrome, Crumb, Href, Pager, Section};
use crate::{AppError, AppState};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use gongkai_db::applications::ApplicationRow;
use gongkai_db::correspondence as db_corr;
use gongkai_domain::application::correspondence::{FilePurpose, public_text};
use minijinja::value::Serde as S;
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    org: String,
    page: String,
}

fn masked(row: &ApplicationRow, text: &str) -> String {
    public_text(text, &[&row.name, &row.org_name_applicant])
}

fn summary(row: &ApplicationRow) -> Value {
    let description = masked(row, &row.description);
    let mut title: String = description.chars().take(60).collect();
    if description.chars().count() > 60 {
        title.push('\u{2026}');
    }
    json!({"title": title,
        "id": row.id, "org_name": row.org_name, "received_on": row.received_on,
        "answered_on": row.answered_on, "outcome": row.outcome_label(),
        "description": description,
    })
}

/// GET `/ysqgk/gk`: the log, newest answer first, 20 a page, optionally of one organisation.
pub async fn list(
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let org: Option<i64> = q.org.trim().parse().ok();
    let page = q.page.trim().parse().unwrap_or(1);
    let mut conn = state.db.pool.acquire().await?;
    let chrome = Chrome::load(&state, &mut conn).await?;
    let mut p = db_corr::public_log(&mut conn, org, page).await?;
    if p.rows.is_empty() && p.page > 1 {
        p = db_corr::public_log(&mut conn, org, 1).await?;
    }
    let orgs: Vec<_> = db_corr::public_log_orgs(&mut conn)
        .await?
        .into_iter()
        .map(
            |(id, name, n)| json!({"id": id, "name": name, "count": n, "current": Some(id) == org}),
        )
        .collect();
    drop(conn);
    let base = match org {
        Some(o) => format!("/ysqgk/gk?org={o}"),
        None => "/ysqgk/gk".to_string(),
    };
    let pager = Pager::of(&p, &base);
    let rows: Vec<_> = p.rows.iter().map(summary).collect();
    Ok(state
        .templates
        .render(
            "portal/ysqgk_gk.html",
            minijinja::context! {
                rows => S(rows), orgs => S(orgs), pager => S(pager), org => org,
                breadcrumb => S(vec![Crumb { name: "依申请公开".into(), href: "/ysqgk".into() },
                                     Crumb { name: "申请公开目录".into(), href: Href::default() }]),
                ..chrome.ctx(Section::Other, "/ysqgk/gk", "申请公开目录")
            },
        )?
        .into_response())
}

/// GET `/ysqgk/gk/{id}`: one published case.
pub async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::not_found())?;
    let mut conn = state.db.pool.acquire().await?;
    let row = db_corr::public_case(&mut conn, id)
        .await
        .map_err(|_| AppError::not_found())?;
    let files: Vec<_> = db_corr::files(&mut conn, id)
        .await?
        .into_iter()
        .filter(|f| f.public == 1 && f.purpose == FilePurpose::Answer.code())
        .map(|f| json!({"id": f.id, "name": f.file_name, "size": f.size_bytes}))
        .collect();
    let chrome = Chrome::load(&state, &mut conn).await?;
    drop(conn);
    let mut case = summary(&row);
    case["answer_text"] = json!(masked(&row, &row.answer_text));
    Ok(state
        .templates
        .render(
            "portal/ysqgk_gk_case.html",
            minijinja::context! {
                case => S(case), files => S(files),
                breadcrumb => S(vec![Crumb { name: "依申请公开".into(), href: "/ysqgk".into() },
                                     Crumb { name: "申请公开目录".into(), href: "/ysqgk/gk".into() },
                                     Crumb { name: "公开记录".into(), href: Href::default() }]),
                ..chrome.ctx(Section::Other, "/ysqgk/gk", "申请公开目录")
            },
        )?
        .into_response())
}

/// GET `/ysqgk/gk/{id}/files/{file_id}`: an answer attachment marked public of a published case.
pub async fn file(
    State(state): State<AppState>,
    Path((id, file_id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (Ok(id), Ok(file_id)) = (id.parse::<i64>(), file_id.parse::<i64>()) else {
        return Err(AppError::not_found());
    };
    let mut conn = state.db.pool.acquire().await?;
    db_corr::public_case(&mut conn, id)
        .await
        .map_err(|_| AppError::not_found())?;
    let f = db_corr::file(&mut conn, id, file_id)
        .await
        .map_err(|_| AppError::not_found())?;
    if f.public != 1 || f.purpose != FilePurpose::Answer.code() {
        return Err(AppError::not_found());
    }
    drop(conn);
    let bytes = state.storage.get(&f.sha256).await?;
    Ok(crate::download::file(
        bytes,
        &f.content_type,
        &f.file_name,
        None,
        None,
    ))
}
