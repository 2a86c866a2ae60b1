//! The public accountability page — 政务公开重点工作 — `/zdgz` lists the plans the supervising office
//! has made public (`gongkai_db::public_plans`), by year, newest first; `/zdgz/{id}` shows each
//! task and duty of one of them with its responsible units, its periods and the published items
//! counted as evidence, so citizens can compare plan and practice. A plan that is not public is
//! not found, like one that does not exist. **Only public facts appear here**: the plan text, unit
//! names, and statuses computed from publicly visible items (`PUBLIC_SQL`); feedback submissions,
//! review comments and drafts never do. Evidence published with an earlier stated date than the
//! moment the system made it public is marked 补录 with both dates.

use super::{Chrome, Section};
use crate::{AppError, AppState};
use axum::extract::{Path, State};
use axum::response::Html;
use gongkai_db::{compliance, plans, public_plans};
use minijinja::value::Serde as S;
use serde_json::json;

const TOPIC_SLUG: &str = "ztzl";

fn section(chrome: &Chrome) -> Section {
    chrome
        .columns
        .iter()
        .find(|c| c.slug == TOPIC_SLUG)
        .map_or(Section::Other, |c| Section::Column(c.id))
}

/// `/zdgz`: the public plans grouped by year, newest year first.
pub async fn index(State(state): State<AppState>) -> Result<Html<String>, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let chrome = Chrome::load(&state, &mut conn).await?;
    let public = public_plans::list(&mut conn).await?;
    drop(conn);
    let mut years: Vec<serde_json::Value> = Vec::new();
    for p in &public {
        let entry =
            json!({"id": p.id, "title": p.title, "issuer": p.issuer, "issued_on": p.issued_on});
        match years.last_mut() {
            Some(y) if y["year"] == json!(p.year) => {
                if let Some(list) = y["plans"].as_array_mut() {
                    list.push(entry);
                }
            }
            _ => years.push(json!({"year": p.year, "plans": [entry]})),
        }
    }
    let section = section(&chrome);
    state.templates.render(
        "portal/keywork_list.html",
        minijinja::context! {
            years => S(years),
            ..chrome.ctx(section, "/zdgz", "政务公开重点工作")
        },
    )
}

/// `/zdgz/{id}`: one public plan against practice; not found unless the office made it public.
pub async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let id = id.parse::<i64>().map_err(|_| AppError::not_found())?;
    render(&state, id).await
}

async fn render(state: &AppState, plan_id: i64) -> Result<Html<String>, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    if public_plans::get(&mut conn, plan_id).await?.is_none() {
        return Err(AppError::not_found());
    }
    let chrome = Chrome::load(state, &mut conn).await?;
    let section = section(&chrome);
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    fn page(evidence: serde_json::Value) -> String {
        let t = crate::templates::Templates::new(None).expect("templates");
        let ctx = json!({
            "site": {"id": 1, "name": "盘锦市人民政府", "slug": "main"}, "owner_name": "", "nav": [],
            "page_title": "落实情况", "as_of": "2018-12-31",
            "plan": {"id": 1, "title": "盘锦市2018年政务公开工作安排", "issuer": "盘锦市政府办公室"},
            "tasks": [{"number": 1, "title": "公开财政信息", "duties": [{"text": "按月公开", "units": [],
                "deadlines": [], "periods": [{"org_name": "市财政局", "label": "2018年7月",
                "due": "2018-08-28", "status": "met", "status_label": "按时完成", "evidence": [evidence]}]}]}],
        });
        t.render(
            "portal/keywork.html",
            minijinja::Value::from(minijinja::value::Serde(&ctx)),
        )
        .expect("renders")
        .0
    }

    /// 补录 evidence is marked with both dates, and whether the office accepted it.
    #[test]
    fn backfilled_evidence_is_marked_with_both_dates() {
        let plain = json!({"item_id": 7, "title": "2018年7月财政收支", "published_on": "2018-08-10",
                           "source": "item", "href": "/items/7", "backfilled": false,
                           "stated_on": "2018-08-10", "made_public_on": "2018-08-10", "accepted": false});
        assert!(!page(plain.clone()).contains("补录"));
        let mut backfilled = plain;
        backfilled["published_on"] = json!("2018-11-20");
        backfilled["made_public_on"] = json!("2018-11-20");
        backfilled["backfilled"] = json!(true);
        backfilled["stated_on"] = json!("2018-08-10");
        let html = page(backfilled.clone());
        assert!(
            html.contains("补录\u{FF1A}标注发布日期2018-08-10\u{FF0C}系统公开于2018-11-20"),
            "{html}"
        );
        assert!(html.contains("按系统公开日期计入"));
        backfilled["accepted"] = json!(true);
        let html = page(backfilled);
        assert!(html.contains("补录") && html.contains("按标注日期计入"));
    }
}
