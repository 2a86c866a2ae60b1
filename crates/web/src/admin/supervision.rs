//! Supervision dashboards: compliance computed from what was actually published (see
//! `gongkai_db::compliance`), per unit, per task and per month, with SVG charts; every figure links
//! to the periods and the evidence behind it. Supervisors and assessors see every unit; a unit sees
//! its own.

use super::common::{AdminForm, as_of_or_today, chosen_plan, plan_options, render};
use crate::auth::CurrentUser;
use crate::charts::{Bar, rate_bars, trend_bars};
use crate::{AppError, AppState};
use axum::extract::{Path, Query, State};
use axum::response::Redirect;
use axum::response::{IntoResponse, Response};
use gongkai_db::compliance::{self, ComplianceReport, PeriodRow};
use gongkai_db::plans;
use gongkai_domain::compliance::Counts;
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct BoardQuery {
    plan: String,
    as_of: String,
    org: String,
    task: String,
    status: String,
    notice: String,
}

struct Loaded {
    report: ComplianceReport,
    plan_options: Vec<serde_json::Value>,
    as_of: String,
    error: Option<String>,
    /// `None`: every unit; else the organisations this user may see.
    scope: Option<Vec<i64>>,
}

async fn load(
    state: &AppState,
    user: &CurrentUser,
    q: &BoardQuery,
) -> Result<Option<Loaded>, AppError> {
    if !user.perms.can_read_plans() {
        return Err(AppError::forbidden());
    }
    let mut conn = state.db.pool.acquire().await?;
    let plans = plans::list_plans(&mut conn).await?;
    let Some(plan_id) = chosen_plan(&plans, &q.plan) else {
        return Ok(None);
    };
    let (as_of, error) = as_of_or_today(&q.as_of, "核查日期");
    let report = compliance::report(&mut conn, plan_id, as_of).await?;
    let plan_options = plan_options(&plans, plan_id);
    Ok(Some(Loaded {
        report,
        plan_options,
        as_of: as_of.to_string(),
        error,
        scope: user.perms.viewable_orgs(),
    }))
}

fn in_scope(scope: &Option<Vec<i64>>, org: i64) -> bool {
    scope.as_ref().is_none_or(|s| s.contains(&org))
}

fn counts_json(c: &Counts) -> serde_json::Value {
    json!({"met": c.met, "met_late": c.met_late, "missed": c.missed, "due_soon": c.due_soon, "not_yet_due": c.not_yet_due,
           "rate": c.on_time_rate().map(|r| format!("{:.0}%", r * 100.0))})
}

fn period_json(p: &PeriodRow) -> serde_json::Value {
    json!({"org_name": p.org_name, "org_id": p.org_id, "label": p.label, "due": p.due, "status": p.status,
           "status_label": p.status_label, "explanation": p.explanation, "evidence": p.evidence, "column_name": p.column_name,
           "task_id": p.task_id})
}

pub async fn board(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<BoardQuery>,
) -> Result<Response, AppError> {
    let response = response_counts(&state, &user).await?;
    let annual = annual_report_status(&state, &user).await?;
    let Some(l) = load(&state, &user, &q).await? else {
        return Ok(render(
            &state,
            &user,
            "admin/supervision.html",
            "supervision",
            json!({"empty": true, "response": response, "annual": annual}),
        )?
        .into_response());
    };
    let r = &l.report;
    let base = format!("plan={}&as_of={}", r.plan.id, l.as_of);
    let units: Vec<_> = r
        .units
        .iter()
        .filter(|u| in_scope(&l.scope, u.org_id))
        .collect();
    let mut totals = Counts::default();
    for u in &units {
        totals.add(&u.counts);
    }
    let mut ranked: Vec<_> = units
        .iter()
        .filter(|u| u.counts.on_time_rate().is_some())
        .collect();
    ranked.sort_by(|a, b| {
        a.counts
            .on_time_rate()
            .partial_cmp(&b.counts.on_time_rate())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let unit_chart = (!ranked.is_empty()).then(|| {
        rate_bars(
            "各单位按时公开率（由低到高）",
            &ranked
                .iter()
                .take(20)
                .map(|u| Bar {
                    label: u.org_name.clone(),
                    value: u.counts.on_time_rate(),
                    href: Some(format!(
                        "/admin/supervision/periods?{base}&org={}",
                        u.org_id
                    )),
                })
                .collect::<Vec<_>>(),
        )
    });
    // The monthly trend is only meaningful for the whole plan; a unit sees its own periods instead.
    let trend_chart =
        if l.scope.is_none() && r.months.iter().any(|m| m.counts.on_time_rate().is_some()) {
            Some(trend_bars(
                "按月按时公开率",
                &r.months
                    .iter()
                    .map(|m| Bar {
                        label: crate::charts::month_label(&m.month, r.plan.year),
                        value: m.counts.on_time_rate(),
                        href: None,
                    })
                    .collect::<Vec<_>>(),
            ))
        } else {
            None
        };
    let periods: Vec<&PeriodRow> = r
        .periods
        .iter()
        .filter(|p| in_scope(&l.scope, p.org_id))
        .collect();
    let pick = |status: &str| -> Vec<serde_json::Value> {
        periods
            .iter()
            .filter(|p| p.status == status)
            .take(50)
            .map(|p| period_json(p))
            .collect()
    };
    let tasks: Vec<_> = r
        .tasks
        .iter()
        .map(|t| json!({"id": t.task_id, "number": t.number, "title": t.title, "obligations": t.obligations, "unchecked": t.unchecked_obligations, "c": counts_json(&t.counts)}))
        .collect();
    let unit_rows: Vec<_> = units
        .iter()
        .map(|u| json!({"org_id": u.org_id, "org_name": u.org_name, "obligations": u.obligations, "unchecked": u.unchecked_obligations, "c": counts_json(&u.counts)}))
        .collect();
    let fb = &r.feedback;
    let mut fb_counts = gongkai_db::compliance_feedback::FeedbackCounts::default();
    for u in fb.units.iter().filter(|u| in_scope(&l.scope, u.org_id)) {
        fb_counts.rounds += u.counts.rounds;
        fb_counts.on_time += u.counts.on_time;
        fb_counts.late += u.counts.late;
        fb_counts.missing += u.counts.missing;
        fb_counts.pending += u.counts.pending;
    }
    let fb_rows = |status: &str| -> Vec<&gongkai_db::compliance_feedback::FeedbackRoundRow> {
        fb.rounds
            .iter()
            .filter(|f| in_scope(&l.scope, f.org_id) && f.status == status)
            .take(50)
            .collect()
    };
    let heat = heat_map(&periods, r.plan.year);
    let post_review = {
        let mut conn = state.db.pool.acquire().await?;
        gongkai_db::workflow::post_review_counts(&mut conn, l.scope.as_deref()).await?
    };
    Ok(render(&state, &user, "admin/supervision.html", "supervision", json!({
        "post_review": post_review,
        "feedback": {"counts": fb_counts, "late": fb_rows("late"), "missing": fb_rows("missing")},
        "open_data": r.open_data.datasets.iter().filter(|d| in_scope(&l.scope, d.org_id))
            .map(|d| json!({"resource_id": d.resource_id, "name": d.name, "org_name": d.org_name,
                            "cadence_label": d.cadence_label, "due": d.due, "met": d.counts.met,
                            "met_late": d.counts.met_late, "missed": d.counts.missed,
                            "standing_label": d.standing_label}))
            .collect::<Vec<_>>(),
        "heat": heat,
        "plan": r.plan, "plans": l.plan_options, "as_of": l.as_of, "error": l.error, "base": base,
        "totals": counts_json(&totals), "units": unit_rows, "tasks": if l.scope.is_none() { tasks } else { Vec::new() },
        "missed": pick("missed"), "late": pick("met_late"), "due_soon": pick("due_soon"),
        "unit_chart": unit_chart, "trend_chart": trend_chart, "scoped": l.scope.is_some(),
        "unchecked_total": r.totals.unchecked_obligations, "obligations_total": r.totals.obligations,
        "response": response, "annual": annual,
    }))?
    .into_response())
}

/// Messages awaiting a reply past their due date or flagged by the 3-month rule, and opinion
/// clocks overdue, within the user's organisations (every unit for supervisors and assessors).
async fn response_counts(
    state: &AppState,
    user: &CurrentUser,
) -> Result<serde_json::Value, AppError> {
    let scope = user.perms.viewable_orgs();
    let mut conn = state.db.pool.acquire().await?;
    let m = gongkai_db::messages::counts(&mut conn, scope.as_deref(), gongkai_db::china_today())
        .await?;
    let o = gongkai_db::opinion::counts(&mut conn, scope.as_deref(), gongkai_db::now_ms()).await?;
    Ok(json!({"messages": m, "opinion": o}))
}

/// Last year's 政府信息公开工作年度报告, due this year (部门 by 31 January, 人民政府 by 31 March;
/// 条例第四十九条、第五十条): per organisation in the user's scope, published on time, late, not yet,
/// or overdue; the organisations not on time listed with their report's page.
async fn annual_report_status(
    state: &AppState,
    user: &CurrentUser,
) -> Result<serde_json::Value, AppError> {
    use gongkai_domain::annual_report::{PublicationState, publication_due};
    use gongkai_domain::model::OrgKind;
    let today = gongkai_db::china_today();
    let year = chrono::Datelike::year(&today) - 1;
    let scope = user.perms.viewable_orgs();
    let mut conn = state.db.pool.acquire().await?;
    let rows = gongkai_db::annual_reports::publication_rows(&mut conn, year).await?;
    drop(conn);
    let (mut on_time, mut late, mut open, mut overdue) = (0, 0, 0, 0);
    let mut listed = Vec::new();
    for r in rows.iter().filter(|r| in_scope(&scope, r.org_id)) {
        let government = matches!(
            OrgKind::from_code(&r.org_kind),
            Some(OrgKind::Government | OrgKind::CountyGovernment)
        );
        let Some(due) = publication_due(government, year) else {
            continue;
        };
        let published_on = r.published_at.and_then(gongkai_db::feedback::china_date);
        let state = PublicationState::of(due, published_on, today);
        match state {
            PublicationState::OnTime => on_time += 1,
            PublicationState::Late => late += 1,
            PublicationState::Open => open += 1,
            PublicationState::Overdue => overdue += 1,
        }
        if state != PublicationState::OnTime && listed.len() < 100 {
            listed.push(
                json!({"org_id": r.org_id, "org_name": r.org_name, "due": due.to_string(),
                "state": state.label(), "overdue": state == PublicationState::Overdue,
                "pending": published_on.is_none() && r.item_status.is_some()}),
            );
        }
    }
    Ok(
        json!({"year": year, "on_time": on_time, "late": late, "open": open, "overdue": overdue,
              "rows": listed}),
    )
}

/// The calendar heat map: one row per unit, one cell per month of the plan year, each cell the
/// periods ending that month by status, coloured by the worst of them (missed, late, due soon,
/// met), linked to those periods.
fn heat_map(periods: &[&PeriodRow], year: i64) -> serde_json::Value {
    use std::collections::BTreeMap;
    let mut by_unit: BTreeMap<(String, i64), BTreeMap<u32, Counts>> = BTreeMap::new();
    for p in periods {
        let end = p.end.naive();
        if i64::from(chrono::Datelike::year(&end)) != year {
            continue;
        }
        let month = chrono::Datelike::month(&end);
        let status = gongkai_domain::obligation::Status::from_code(&p.status);
        if let Some(status) = status {
            by_unit
                .entry((p.org_name.clone(), p.org_id))
                .or_default()
                .entry(month)
                .or_default()
                .add_status(status);
        }
    }
    let rows: Vec<_> = by_unit
        .into_iter()
        .map(|((name, org_id), months)| {
            let cells: Vec<_> = (1..=12)
                .map(|m| match months.get(&m) {
                    None => json!({"month": m, "class": "none", "title": format!("{m}月：无到期期次")}),
                    Some(c) => {
                        let class = if c.missed > 0 {
                            "missed"
                        } else if c.met_late > 0 {
                            "late"
                        } else if c.due_soon > 0 {
                            "soon"
                        } else if c.met > 0 {
                            "met"
                        } else {
                            "pending"
                        };
                        let mut parts = Vec::new();
                        for (n, label) in [(c.met, "按时"), (c.met_late, "逾期完成"), (c.missed, "未完成"), (c.due_soon, "即将到期"), (c.not_yet_due, "未到期")] {
                            if n > 0 {
                                parts.push(format!("{label}{n}"));
                            }
                        }
                        json!({"month": m, "class": class, "count": c.periods(),
                               "title": format!("{name} {m}月：{}", parts.join("，")), "org_id": org_id})
                    }
                })
                .collect();
            json!({"org_id": org_id, "org_name": name, "cells": cells})
        })
        .collect();
    json!({"year": year, "rows": rows})
}

/// The plan tree (section → task → duty → unit) with the status counts of every node, each unit
/// linked to its periods of that task; units see only their own rows.
pub async fn tree(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<BoardQuery>,
) -> Result<Response, AppError> {
    let Some(l) = load(&state, &user, &q).await? else {
        return Err(AppError::NotFound("尚无已确认的工作计划".into()));
    };
    let r = &l.report;
    let mut conn = state.db.pool.acquire().await?;
    let plan_tree = plans::plan_tree(&mut conn, r.plan.id).await?;
    drop(conn);
    let base = format!("plan={}&as_of={}", r.plan.id, l.as_of);
    // Sections in order of first appearance, each with its tasks.
    let mut sections: Vec<(String, Vec<serde_json::Value>, Counts)> = Vec::new();
    for task in &plan_tree.tasks {
        let mut task_counts = Counts::default();
        let mut duties = Vec::new();
        for (i, duty) in task.duties.iter().enumerate() {
            let mut duty_counts = Counts::default();
            let mut units: Vec<(String, i64, Counts, u32, u32)> = Vec::new();
            for o in r
                .obligations
                .iter()
                .filter(|o| o.duty_id == duty.id && in_scope(&l.scope, o.org_id))
            {
                duty_counts.add(&o.counts);
                let unchecked = u32::from(o.check != "checked");
                match units.iter_mut().find(|u| u.1 == o.org_id) {
                    Some(u) => {
                        u.2.add(&o.counts);
                        u.3 += 1;
                        u.4 += unchecked;
                    }
                    None => units.push((o.org_name.clone(), o.org_id, o.counts, 1, unchecked)),
                }
            }
            if units.is_empty() && l.scope.is_some() {
                continue;
            }
            task_counts.add(&duty_counts);
            let units: Vec<_> = units
                .into_iter()
                .map(|(name, org_id, c, n, unchecked)| {
                    json!({"org_name": name, "org_id": org_id, "obligations": n, "unchecked": unchecked, "c": counts_json(&c)})
                })
                .collect();
            duties.push(json!({"n": i + 1, "text": duty.text, "c": counts_json(&duty_counts), "units": units}));
        }
        if duties.is_empty() {
            continue;
        }
        let section = task.section_path.join(" › ");
        let t = json!({"id": task.id, "number": task.number, "title": task.title, "c": counts_json(&task_counts), "duties": duties});
        match sections.iter_mut().find(|s| s.0 == section) {
            Some(s) => {
                s.1.push(t);
                s.2.add(&task_counts);
            }
            None => sections.push((section, vec![t], task_counts)),
        }
    }
    let sections: Vec<_> = sections
        .into_iter()
        .map(|(title, tasks, c)| json!({"title": title, "tasks": tasks, "c": counts_json(&c)}))
        .collect();
    Ok(render(&state, &user, "admin/supervision_tree.html", "supervision", json!({
        "plan": r.plan, "as_of": l.as_of, "base": base, "sections": sections, "scoped": l.scope.is_some(),
    }))?
    .into_response())
}

pub async fn periods(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<BoardQuery>,
) -> Result<Response, AppError> {
    let Some(l) = load(&state, &user, &q).await? else {
        return Err(AppError::NotFound("尚无已确认的工作计划".into()));
    };
    let org = q.org.trim().parse::<i64>().ok();
    let task = q.task.trim().parse::<i64>().ok();
    let status = q.status.trim();
    let rows: Vec<_> = l
        .report
        .periods
        .iter()
        .filter(|p| in_scope(&l.scope, p.org_id))
        .filter(|p| org.is_none_or(|o| p.org_id == o))
        .filter(|p| task.is_none_or(|t| p.task_id == t))
        .filter(|p| status.is_empty() || p.status == status)
        .map(period_json)
        .collect();
    Ok(render(&state, &user, "admin/supervision_periods.html", "supervision", json!({
        "plan": l.report.plan, "as_of": l.as_of, "rows": rows, "base": format!("plan={}&as_of={}", l.report.plan.id, l.as_of),
        "filter": {"org": org, "task": task, "status": status},
        "may_accept_backfill": user.perms.can_manage_plans(),
        "notice": q.notice,
    }))?
    .into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AcceptBackfillForm {
    note: String,
    plan: String,
    as_of: String,
}

/// 认可补录 : the office accepts a backfilled item as on-time evidence, then returns to the list.
pub async fn accept_backfill(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(item_id): Path<i64>,
    AdminForm(f): AdminForm<AcceptBackfillForm>,
) -> Result<Response, AppError> {
    let mut tx = state.db.begin_audited().await?;
    let changed =
        gongkai_app::events::accept_backfill(&mut tx, &user.caller(), item_id, &f.note).await?;
    if changed {
        tx.commit().await?;
    }
    let plan = f.plan.trim().parse::<i64>().unwrap_or_default();
    let as_of = gongkai_domain::CivilDate::parse(f.as_of.trim())
        .map(|d| d.naive().to_string())
        .unwrap_or_default();
    Ok(Redirect::to(&format!(
        "/admin/supervision/periods?plan={plan}&as_of={as_of}&notice=backfill_accepted"
    ))
    .into_response())
}
