//! The public accountability page (政务公开重点工作): each task and duty of a confirmed plan with its
//! responsible units, its periods and the published items counted as evidence, so citizens can
//! compare plan and practice. **Only public facts appear here**: the plan text, unit names, and
//! statuses computed from publicly visible items (`PUBLIC_SQL`); feedback submissions, review
//! comments and drafts never do.

use super::{Chrome, Section};
use crate::{AppError, AppState};
use axum::extract::{Path, State};
use axum::response::Html;
use gongkai_db::{compliance, plans};
use minijinja::value::Serde as S;
use serde_json::json;

const TOPIC_SLUG: &str = "ztzl";

pub async fn latest(State(state): State<AppState>) -> Result<Html<String>, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let id = plans::list_plans(&mut conn).await?.first().map(|p| p.id);
    drop(conn);
    render(&state, id).await
}

pub async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let id = id.parse::<i64>().map_err(|_| AppError::not_found())?;
    render(&state, Some(id)).await
}

async fn render(state: &AppState, plan_id: Option<i64>) -> Result<Html<String>, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let chrome = Chrome::load(&mut conn).await?;
    let section = chrome
        .columns
        .iter()
        .find(|c| c.slug == TOPIC_SLUG)
        .map_or(Section::Other, |c| Section::Column(c.id));
    let Some(plan_id) = plan_id else {
        return state.templates.render(
            "portal/keywork.html",
            minijinja::context! { empty => true, ..chrome.ctx(section, "/zdgz", "政务公开重点工作") },
        );
    };
    let tree = plans::plan_tree(&mut conn, plan_id)
        .await
        .map_err(|_| AppError::not_found())?;
    let today = gongkai_db::china_today();
    let report = compliance::report(&mut conn, plan_id, today).await?;
    drop(conn);
    let tasks: Vec<_> = tree
        .tasks
        .iter()
        .map(|t| {
            let duties: Vec<_> = t
                .duties
                .iter()
                .map(|d| {
                    let mut units: Vec<(String, String)> = Vec::new();
                    for u in &d.units {
                        let entry = (u.role_label().to_string(), u.name_as_written.clone());
                        if !units.contains(&entry) {
                            units.push(entry);
                        }
                    }
                    let obligation_ids: Vec<i64> = d.obligations.iter().map(|o| o.id).collect();
                    let periods: Vec<_> = report
                        .periods
                        .iter()
                        .filter(|p| obligation_ids.contains(&p.obligation_id) && p.status != "not_yet_due")
                        .map(|p| {
                            json!({"org_name": p.org_name, "label": p.label, "due": p.due, "status": p.status,
                                   "status_label": p.status_label, "evidence": p.evidence})
                        })
                        .collect();
                    json!({
                        "text": d.text,
                        "units": units.iter().map(|(r, n)| json!({"role": r, "name": n})).collect::<Vec<_>>(),
                        "deadlines": d.deadlines, "periods": periods,
                    })
                })
                .collect();
            json!({"number": t.number, "title": t.title, "section_path": t.section_path, "duties": duties})
        })
        .collect();
    let title = format!("{}落实情况", tree.plan.title);
    state.templates.render(
        "portal/keywork.html",
        minijinja::context! {
            plan => S(&tree.plan), tasks => S(tasks), as_of => today.to_string(),
            ..chrome.ctx(section, &format!("/zdgz/{plan_id}"), &title)
        },
    )
}
