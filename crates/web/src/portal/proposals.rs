//! 建议提案办理结果公开: the full text of published replies to NPC suggestions and CPPCC
//! proposals, with the deputies' contact details masked (frozen at publication in
//! `proposals.public_text`). Unpublished cases answer 404.

use super::{Chrome, Crumb, Href, PER_PAGE, Pager, Section, hide, page_from_query, parse_id};
use crate::{AppError, AppState};
use axum::extract::{Path, RawQuery, State};
use axum::response::Html;
use gongkai_db::proposals;
use minijinja::value::Serde as S;
use serde_json::json;

const TITLE: &str = "建议提案办理结果";

pub async fn list(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Html<String>, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let chrome = Chrome::load(&state, &mut conn).await?;
    let page_no = page_from_query(query.as_deref());
    let page = proposals::published(&mut conn, page_no, PER_PAGE).await?;
    drop(conn);
    let pager = Pager::of(&page, "/jytabl");
    let rows: Vec<_> = page
        .rows
        .iter()
        .map(|p| {
            json!({"href": format!("/jytabl/{}", p.id), "title": p.title, "number": p.number,
                   "kind": p.kind().label(), "org": p.lead_org_name, "published_on": p.published_on})
        })
        .collect();
    state.templates.render(
        "portal/proposals.html",
        minijinja::context! {
            rows => S(rows),
            pager => S(pager),
            breadcrumb => S(vec![Crumb { name: TITLE.into(), href: Href::default() }]),
            ..chrome.ctx(Section::Other, "/jytabl", TITLE)
        },
    )
}

pub async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let id = parse_id(&id)?;
    let mut conn = state.db.pool.acquire().await?;
    let p = proposals::get_published(&mut conn, id)
        .await
        .map_err(hide)?;
    let chrome = Chrome::load(&state, &mut conn).await?;
    drop(conn);
    let case = json!({"title": p.title, "number": p.number, "kind": p.kind().label(), "year": p.year,
        "org": p.lead_org_name, "replied_on": p.replied_on, "published_on": p.published_on,
        "grade": p.grade().map(|g| g.label()), "text": p.public_text});
    let here = format!("/jytabl/{id}");
    state.templates.render(
        "portal/proposal.html",
        minijinja::context! {
            p => S(case),
            breadcrumb => S(vec![
                Crumb { name: TITLE.into(), href: "/jytabl".into() },
                Crumb { name: p.title.clone(), href: Href::default() },
            ]),
            ..chrome.ctx(Section::Other, &here, &p.title)
        },
    )
}
