//! Assessment (考核) in the back office: the ranking of a plan's units as of a date, each unit's
//! breakdown, the scoring-scheme editor and the CSV export. Scores come from
//! `gongkai_db::assessment::compute` (rules in `gongkai_domain::assessment`); every figure links
//! to its evidence (the supervision periods page, the feedback rounds).
//!
//! Permissions: the supervising office (`can_manage_plans`) edits the scheme; it and assessors
//! (第三方评估) see and export every unit; a unit sees and exports only its own row (and the
//! organisations under it); another unit's breakdown answers 404.

use super::common::{AdminForm, as_of_or_today, chosen_plan, error_map, plan_options, render};
use crate::auth::CurrentUser;
use crate::{AppError, AppState};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use gongkai_db::assessment::{self, AssessmentReport};
use gongkai_db::plans;
use gongkai_domain::Invalid;
use gongkai_domain::assessment::{
    Component, ComponentState, Ranked, Scheme, SchemeFields, fmt_num,
};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AssessQuery {
    plan: String,
    as_of: String,
    notice: String,
}

fn in_scope(scope: &Option<Vec<i64>>, org: i64) -> bool {
    scope.as_ref().is_none_or(|s| s.contains(&org))
}

struct Loaded {
    report: AssessmentReport,
    plan_options: Vec<serde_json::Value>,
    as_of: String,
    error: Option<String>,
    scope: Option<Vec<i64>>,
}

impl Loaded {
    fn base(&self) -> String {
        format!("plan={}&as_of={}", self.report.plan.id, self.as_of)
    }

    fn rows(&self) -> impl Iterator<Item = &Ranked> {
        self.report
            .rows
            .iter()
            .filter(|r| in_scope(&self.scope, r.score.org_id))
    }
}

/// The plan asked for (else the latest), or `None` when no plan exists.
async fn pick_plan(
    state: &AppState,
    raw: &str,
) -> Result<Option<(i64, Vec<serde_json::Value>)>, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let plans = plans::list_plans(&mut conn).await?;
    Ok(chosen_plan(&plans, raw).map(|id| (id, plan_options(&plans, id))))
}

async fn load(
    state: &AppState,
    user: &CurrentUser,
    q: &AssessQuery,
) -> Result<Option<Loaded>, AppError> {
    if !user.perms.can_read_plans() {
        return Err(AppError::forbidden());
    }
    let Some((plan_id, plan_options)) = pick_plan(state, &q.plan).await? else {
        return Ok(None);
    };
    let (as_of, error) = as_of_or_today(&q.as_of, "考核日期");
    let mut conn = state.db.pool.acquire().await?;
    let report = assessment::compute(&mut conn, plan_id, as_of).await?;
    Ok(Some(Loaded {
        report,
        plan_options,
        as_of: as_of.to_string(),
        error,
        scope: user.perms.assessment_orgs(),
    }))
}

/// Where a component's figure comes from.
fn evidence_href(base: &str, plan_id: i64, org: i64, c: Component) -> Option<String> {
    match c {
        Component::Publication => Some(format!("/admin/supervision/periods?{base}&org={org}")),
        Component::Feedback => Some(format!("/admin/feedback?plan={plan_id}&org={org}")),
        Component::Interaction | Component::Monitoring => None,
    }
}

fn score_text(v: Option<f64>) -> String {
    v.map(fmt_num).unwrap_or_else(|| "—".into())
}

fn row_json(l: &Loaded, r: &Ranked) -> serde_json::Value {
    let s = &r.score;
    let base = l.base();
    let plan_id = l.report.plan.id;
    let components: Vec<_> = s
        .components
        .iter()
        .map(|c| {
            json!({
                "label": c.label, "state": c.state, "scored": c.state == ComponentState::Scored,
                "points": score_text(c.points), "effective_weight": fmt_num(c.effective_weight),
                "href": evidence_href(&base, plan_id, s.org_id, c.component),
                "title": c.explanation,
            })
        })
        .collect();
    let deductions: Vec<_> = s
        .deductions
        .iter()
        .filter(|d| d.count > 0)
        .map(|d| {
            let href = match d.code {
                "missed_period" => format!(
                    "/admin/supervision/periods?{base}&org={}&status=missed",
                    s.org_id
                ),
                "late_period" => format!(
                    "/admin/supervision/periods?{base}&org={}&status=met_late",
                    s.org_id
                ),
                _ => format!("/admin/feedback?plan={plan_id}&org={}&late=1", s.org_id),
            };
            json!({"label": d.label, "count": d.count, "per": fmt_num(d.per), "points": fmt_num(d.points), "href": href})
        })
        .collect();
    json!({
        "rank": r.rank, "org_id": s.org_id, "org_name": s.org_name,
        "components": components, "deductions": deductions,
        "deductions_total": fmt_num(s.deductions_total), "capped": s.capped,
        "score": score_text(s.score), "contribution": score_text(s.contribution),
        "scored": s.score.is_some(), "explanation": s.explanation,
        "href": format!("/admin/assessment/units/{}?{base}", s.org_id),
    })
}

fn scheme_json(s: &Scheme) -> serde_json::Value {
    let components: Vec<_> = Component::ALL
        .iter()
        .map(|&c| {
            let r = s.rule(c);
            json!({"label": c.label(), "weight": fmt_num(r.weight), "has_source": c.has_source(),
                   "late_fraction": c.has_source().then(|| fmt_num(r.late_fraction))})
        })
        .collect();
    json!({
        "full_score": fmt_num(s.full_score), "openness_weight": fmt_num(s.openness_weight),
        "components": components,
        "missed_period": fmt_num(s.deductions.missed_period), "late_period": fmt_num(s.deductions.late_period),
        "overdue_feedback": fmt_num(s.deductions.overdue_feedback), "cap": fmt_num(s.deductions.cap),
    })
}

fn notice(code: &str) -> Option<&'static str> {
    match code {
        "saved" => Some("评分方案已保存，考核结果已按新方案重新计算。"),
        _ => None,
    }
}

pub async fn ranking(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<AssessQuery>,
) -> Result<Response, AppError> {
    let Some(l) = load(&state, &user, &q).await? else {
        return Ok(render(
            &state,
            &user,
            "admin/assessment.html",
            "assessment",
            json!({"empty": true}),
        )?
        .into_response());
    };
    let rows: Vec<_> = l.rows().map(|r| row_json(&l, r)).collect();
    let headers: Vec<_> = Component::ALL
        .iter()
        .map(|&c| json!({"label": c.label(), "weight": fmt_num(l.report.scheme.scheme.rule(c).weight), "has_source": c.has_source()}))
        .collect();
    Ok(render(
        &state,
        &user,
        "admin/assessment.html",
        "assessment",
        json!({
            "plan": l.report.plan, "plans": l.plan_options, "as_of": l.as_of, "error": l.error,
            "base": l.base(), "rows": rows, "headers": headers, "scoped": l.scope.is_some(),
            "scheme": scheme_json(&l.report.scheme.scheme), "scheme_stored": l.report.scheme.stored,
            "can_edit": user.perms.can_manage_plans(), "units_total": l.report.rows.len(),
            "notice": notice(&q.notice),
        }),
    )?
    .into_response())
}

pub async fn unit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(org_id): Path<i64>,
    Query(q): Query<AssessQuery>,
) -> Result<Response, AppError> {
    let Some(l) = load(&state, &user, &q).await? else {
        return Err(AppError::not_found());
    };
    if !in_scope(&l.scope, org_id) {
        return Err(AppError::not_found());
    }
    let Some(r) = l.report.row(org_id) else {
        return Err(AppError::not_found());
    };
    let base = l.base();
    let plan_id = l.report.plan.id;
    let components: Vec<_> = r
        .score
        .components
        .iter()
        .map(|c| {
            json!({
                "label": c.label, "weight": fmt_num(c.weight), "scored": c.state == ComponentState::Scored,
                "effective_weight": fmt_num(c.effective_weight),
                "rate": c.rate.map(|v| format!("{}%", fmt_num(v * 100.0))),
                "points": score_text(c.points), "explanation": c.explanation,
                "href": evidence_href(&base, plan_id, org_id, c.component),
            })
        })
        .collect();
    let rounds: Vec<_> = l
        .report
        .rounds
        .iter()
        .filter(|x| x.org_id == org_id)
        .map(|x| json!({"id": x.round_id, "label": x.label, "due_date": x.due_date, "outcome": x.outcome_label, "overdue": x.overdue}))
        .collect();
    let p = &r.score.inputs.publication;
    Ok(render(
        &state,
        &user,
        "admin/assessment_unit.html",
        "assessment",
        json!({
            "plan": l.report.plan, "as_of": l.as_of, "base": base, "row": row_json(&l, r),
            "components": components, "rounds": rounds,
            "publication": {"met": p.met, "met_late": p.met_late, "missed": p.missed},
            "deductions_raw": fmt_num(r.score.deductions_raw),
            "cap": fmt_num(l.report.scheme.scheme.deductions.cap),
            "openness_weight": fmt_num(l.report.scheme.scheme.openness_weight),
            "full_score": fmt_num(l.report.scheme.scheme.full_score),
        }),
    )?
    .into_response())
}

use crate::download::csv_field;

pub async fn csv(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<AssessQuery>,
) -> Result<Response, AppError> {
    let Some(l) = load(&state, &user, &q).await? else {
        return Err(AppError::NotFound("尚无已确认的工作计划".into()));
    };
    let scheme = &l.report.scheme.scheme;
    let mut header: Vec<String> = vec!["名次".into(), "单位".into()];
    header.extend(
        Component::ALL
            .iter()
            .map(|&c| format!("{}（权重{}分）", c.label(), fmt_num(scheme.rule(c).weight))),
    );
    header.extend([
        "扣分".into(),
        format!("总分（满分{}分）", fmt_num(scheme.full_score)),
        format!("计入绩效考核（权重{}%）", fmt_num(scheme.openness_weight)),
    ]);
    // The BOM tells Excel the file is UTF-8, so Chinese opens correctly.
    let mut out = String::from("\u{feff}");
    let line = |cells: Vec<String>| {
        cells
            .iter()
            .map(|c| csv_field(c))
            .collect::<Vec<_>>()
            .join(",")
            + "\r\n"
    };
    out.push_str(&line(header));
    for r in l.rows() {
        let s = &r.score;
        let mut cells = vec![
            r.rank.map(|n| n.to_string()).unwrap_or_else(|| "—".into()),
            s.org_name.clone(),
        ];
        cells.extend(s.components.iter().map(|c| match c.points {
            Some(p) => fmt_num(p),
            None => "不计分".into(),
        }));
        cells.push(fmt_num(s.deductions_total));
        cells.push(
            s.score
                .map(fmt_num)
                .unwrap_or_else(|| "暂无可计分内容".into()),
        );
        cells.push(score_text(s.contribution));
        out.push_str(&line(cells));
    }
    let name = format!("考核评分_{}_{}.csv", l.report.plan.id, l.as_of);
    Ok(crate::download::file(
        out,
        "text/csv; charset=utf-8",
        &name,
        Some("assessment.csv"),
        Some("private, no-cache"),
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SchemeQuery {
    plan: String,
}

async fn render_scheme(
    state: &AppState,
    user: &CurrentUser,
    plan_id: i64,
    plan_options: Vec<serde_json::Value>,
    fields: &SchemeFields,
    errors: Option<&Invalid>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let stored = assessment::get_scheme(&mut conn, plan_id).await?;
    let plan = plans::get_plan(&mut conn, plan_id).await?;
    drop(conn);
    let html = render(
        state,
        user,
        "admin/assessment_scheme.html",
        "assessment",
        json!({
            "plan": {"id": plan.id, "title": plan.title}, "plans": plan_options,
            "f": fields, "errors": errors.map(error_map).unwrap_or(json!({})),
            "scheme": scheme_json(&stored.scheme), "stored": stored.stored,
            "updated_by": stored.updated_by_name, "updated_at": stored.updated_at,
            "can_edit": user.perms.can_manage_plans(),
            "defaults": scheme_json(&Scheme::default()),
        }),
    )?;
    Ok((status, html).into_response())
}

pub async fn scheme_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<SchemeQuery>,
) -> Result<Response, AppError> {
    if !user.perms.can_read_plans() {
        return Err(AppError::forbidden());
    }
    let Some((plan_id, options)) = pick_plan(&state, &q.plan).await? else {
        return Err(AppError::NotFound("尚无已确认的工作计划".into()));
    };
    let stored = {
        let mut conn = state.db.pool.acquire().await?;
        assessment::get_scheme(&mut conn, plan_id).await?
    };
    render_scheme(
        &state,
        &user,
        plan_id,
        options,
        &SchemeFields::from_scheme(&stored.scheme),
        None,
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize)]
pub struct SchemeForm {
    #[serde(default)]
    plan: String,
    #[serde(flatten)]
    fields: SchemeFields,
}

pub async fn scheme_save(
    State(state): State<AppState>,
    user: CurrentUser,
    AdminForm(f): AdminForm<SchemeForm>,
) -> Result<Response, AppError> {
    if !user.perms.can_manage_plans() {
        return Err(gongkai_app::assessment::scheme_refusal().into());
    }
    let plan_id = f
        .plan
        .trim()
        .parse::<i64>()
        .map_err(|_| AppError::BadRequest("未指定工作安排，请从考核页面进入评分方案".into()))?;
    let Some((_, options)) = pick_plan(&state, &plan_id.to_string()).await? else {
        return Err(AppError::NotFound("尚无已确认的工作计划".into()));
    };
    let refuse = |inv: Invalid| {
        let state = state.clone();
        let user = &user;
        let fields = &f.fields;
        let options = options.clone();
        async move {
            render_scheme(
                &state,
                user,
                plan_id,
                options,
                fields,
                Some(&inv),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    };
    let scheme = match f.fields.parse() {
        Ok(s) => s,
        Err(inv) => return refuse(inv).await,
    };
    let mut tx = state.db.begin_audited().await?;
    match gongkai_app::assessment::save_scheme(
        &mut tx,
        &user.caller(),
        plan_id,
        &scheme,
        gongkai_db::now_ms(),
    )
    .await
    {
        Ok(()) => {
            tx.commit().await?;
            Ok(
                Redirect::to(&format!("/admin/assessment?plan={plan_id}&notice=saved"))
                    .into_response(),
            )
        }
        Err(gongkai_app::Refusal::Invalid(inv)) => {
            drop(tx);
            refuse(inv).await
        }
        Err(e) => Err(e.into()),
    }
}
