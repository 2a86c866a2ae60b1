//! Work plans in the back office: import a document (upload or paste), review what the parser
//! found beside the source text, map units and columns, confirm. **Nothing becomes a plan until a
//! person confirms**; a document that cannot be parsed leaves no trace at all.

use super::common::{AdminForm, column_rows, notice_text, org_options, render};

use crate::auth::CurrentUser;
use crate::{AppError, AppState};
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use gongkai_app::plans as app_plans;
use gongkai_db::{columns, orgs, plans};
use gongkai_domain::compliance::EvidenceSource;
use gongkai_domain::orgmatch::{Registry, Resolution};
use gongkai_domain::plan::lint::{self, Finding};
use gongkai_domain::plan::{self, InputFormat, Plan};
use gongkai_domain::planimport::{ColumnChoice, ImportDecisions, UnitDecision};
use serde::Deserialize;
use serde_json::json;

fn require_manage(user: &CurrentUser) -> Result<(), AppError> {
    if user.perms.can_manage_plans() {
        Ok(())
    } else {
        Err(AppError::forbidden())
    }
}

fn import_status_label(status: &str) -> &'static str {
    match status {
        "draft" => "待核对",
        "confirmed" => "已确认",
        "discarded" => "已放弃",
        _ => "未知",
    }
}

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    notice: Option<String>,
}

pub async fn index(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    if !user.perms.can_read_plans() {
        return Err(AppError::forbidden());
    }
    let mut conn = state.db.pool.acquire().await?;
    let mut rows = Vec::new();
    for p in plans::list_plans(&mut conn).await? {
        let counts = plans::counts(&mut conn, p.id).await?;
        rows.push(json!({"id": p.id, "title": p.title, "year": p.year, "issued_on": p.issued_on, "task_count": counts.tasks, "created_at": p.created_at,
                         "archived": p.status == gongkai_db::plan_edits::ARCHIVED}));
    }
    let imports = if user.perms.can_manage_plans() {
        plans::list_imports(&mut conn).await?
    } else {
        Vec::new()
    };
    let imports: Vec<_> = imports
        .iter()
        .map(|i| json!({"id": i.id, "source_name": i.source_name, "status_label": import_status_label(&i.status), "plan_id": i.plan_id, "created_at": i.created_at}))
        .collect();
    Ok(render(
        &state,
        &user,
        "admin/plans.html",
        "plans",
        json!({
            "plans": rows.iter().filter(|r| r["archived"] != json!(true)).collect::<Vec<_>>(),
            "archived_plans": rows.iter().filter(|r| r["archived"] == json!(true)).collect::<Vec<_>>(),
            "imports": imports, "can_manage": user.perms.can_manage_plans(),
            "notice": notice_text(q.notice.as_deref()),
        }),
    )?
    .into_response())
}

fn import_form(
    state: &AppState,
    user: &CurrentUser,
    text: &str,
    error: Option<&str>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let html = render(
        state,
        user,
        "admin/plan_import.html",
        "plans",
        json!({"text": text, "error": error, "errors": {}}),
    )?;
    Ok((status, html).into_response())
}

pub async fn import_new(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, AppError> {
    require_manage(&user)?;
    import_form(&state, &user, "", None, StatusCode::OK)
}

pub async fn import_create(
    State(state): State<AppState>,
    user: CurrentUser,
    mut mp: Multipart,
) -> Result<Response, AppError> {
    require_manage(&user)?;
    let bad = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::PayloadTooLarge("上传的文件过大".into())
        } else {
            AppError::BadRequest(format!(
                "提交的表单无法解析\u{FF0C}请重新提交\u{FF08}{}\u{FF09}",
                e.body_text()
            ))
        }
    };
    let (mut text, mut file): (String, Option<(String, Vec<u8>)>) = (String::new(), None);
    while let Some(field) = mp.next_field().await.map_err(bad)? {
        match field.name().unwrap_or("") {
            "text" => text = field.text().await.map_err(bad)?,
            "file" => {
                let name = field.file_name().unwrap_or("").to_string();
                let bytes = field.bytes().await.map_err(bad)?.to_vec();
                if !name.is_empty() || !bytes.is_empty() {
                    file = Some((name, bytes));
                }
            }
            _ => {}
        }
    }
    let (source_name, extracted) = match file {
        Some((name, bytes)) => {
            let name = super::upload::clean_file_name(&name);
            let name = if name.is_empty() {
                "上传的文件".to_string()
            } else {
                name
            };
            // PDF and workbook reading is CPU work: off the async workers
            let format = InputFormat::from_file_name(&name);
            let extracted =
                tokio::task::spawn_blocking(move || plan::input::extract_text(&bytes, format))
                    .await
                    .map_err(|e| AppError::Internal(format!("文件解析任务异常中止\u{FF1A}{e}")))?;
            (name, extracted)
        }
        None if !text.trim().is_empty() => ("粘贴的正文".to_string(), Ok(text.clone())),
        None => {
            return import_form(
                &state,
                &user,
                &text,
                Some("请上传文件或粘贴正文"),
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    let source_text = match extracted {
        Ok(t) => t,
        Err(e) => {
            return import_form(
                &state,
                &user,
                &text,
                Some(&e.to_string()),
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    let parsed = match plan::parse_text(&source_text) {
        Ok(p) => p,
        Err(e) => {
            return import_form(
                &state,
                &user,
                &text,
                Some(&e.to_string()),
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    let mut tx = state.db.begin_audited().await?;
    let id =
        app_plans::import(&mut tx, &user.caller(), &source_name, &source_text, &parsed).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/admin/plans/imports/{id}")).into_response())
}

/// Every distinct unit name in the plan, with how many duties name it, in order of first appearance.
fn unit_names(plan: &Plan) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = Vec::new();
    for t in &plan.tasks {
        for d in &t.duties {
            for n in d.lead.iter().chain(&d.co).chain(&d.responsible) {
                match out.iter_mut().find(|(x, _)| x == n) {
                    Some((_, c)) => *c += 1,
                    None => out.push((n.clone(), 1)),
                }
            }
        }
    }
    out
}

fn norm_label(norm: &str) -> String {
    norm.parse::<gongkai_domain::obligation::Cadence>()
        .map(|c| c.label())
        .unwrap_or_else(|_| norm.to_string())
}

/// What a re-rendered review screen carries besides the stored import.
#[derive(Default)]
struct ReviewExtras<'a> {
    decisions: Option<&'a ImportDecisions>,
    problems: Vec<String>,
    errors: serde_json::Value,
    plan_json: Option<&'a str>,
    /// The override checkbox and reason as submitted.
    lint_override: bool,
    override_reason: &'a str,
}

/// The review screen's view of the lint findings: counts by kind, the list (each linked to the
/// task or duty it concerns) and the marks shown on each task (`t3`) and duty (`t3d0`).
fn lint_view(
    findings: &[Finding],
) -> (
    serde_json::Value,
    serde_json::Map<String, serde_json::Value>,
) {
    let anchor = |f: &Finding| match (f.task_index, f.duty_index) {
        (Some(t), Some(d)) => format!("task-{t}-duty-{d}"),
        (Some(t), None) => format!("task-{t}"),
        _ => "plan-meta".to_string(),
    };
    let item = |f: &Finding| {
        json!({
            "code": f.code.code(), "label": f.code.label(), "severity": f.severity.code(),
            "severity_label": f.severity.label(), "message": f.message, "anchor": anchor(f),
        })
    };
    let mut marks = serde_json::Map::new();
    for f in findings {
        let key = match (f.task_index, f.duty_index) {
            (Some(t), Some(d)) => format!("t{t}d{d}"),
            (Some(t), None) => format!("t{t}"),
            _ => "plan".to_string(),
        };
        if let serde_json::Value::Array(v) = marks.entry(key).or_insert_with(|| json!([])) {
            v.push(item(f));
        }
    }
    let counts: Vec<_> = lint::counts(findings)
        .into_iter()
        .map(|(c, n)| json!({"code": c.code(), "label": c.label(), "severity": c.severity().code(), "severity_label": c.severity().label(), "n": n}))
        .collect();
    let blocking = findings.iter().filter(|f| f.is_blocking()).count();
    let view = json!({
        "blocking": blocking,
        "warnings": findings.len() - blocking,
        "counts": counts,
        "items": findings.iter().map(item).collect::<Vec<_>>(),
        "seen": lint::blocking_keys(findings).join(","),
    });
    (view, marks)
}

async fn review_page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    extras: ReviewExtras<'_>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let ReviewExtras {
        decisions,
        problems,
        errors,
        plan_json,
        lint_override,
        override_reason,
    } = extras;
    let errors = if errors.is_null() { json!({}) } else { errors };
    let mut conn = state.db.pool.acquire().await?;
    let imp = plans::get_import(&mut conn, id).await?;
    let registry: Registry = orgs::registry(&mut conn).await?;
    let all_orgs = orgs::all(&mut conn).await?;
    let site = columns::default_site(&mut conn).await?;
    let cols = columns::all(&mut conn, site.id).await?;
    drop(conn);
    let (lint, marks) = lint_view(&plans::findings(&imp));
    let name_of = |id: i64| {
        all_orgs
            .iter()
            .find(|o| o.id == id)
            .map(|o| o.name.clone())
            .unwrap_or_default()
    };
    let units: Vec<_> = unit_names(&imp.plan)
        .into_iter()
        .map(|(name, occurrences)| {
            let decided: Vec<i64> = decisions
                .and_then(|d| d.unit_map.iter().find(|u| u.name == name))
                .map(|u| u.org_ids.clone())
                .unwrap_or_default();
            let (status, label, detail, orgs_shown, candidates) = match registry.resolve(&name) {
                Resolution::Matched { org_name, .. } => ("matched", "已匹配", String::new(), vec![org_name], vec![]),
                Resolution::Collective { org_ids, note } => (
                    "collective",
                    "\u{7EDF}\u{79F0}",
                    format!("{note}\u{3002}\u{7EDF}\u{79F0}\u{4E0D}\u{4F1A}\u{81EA}\u{52A8}\u{5C55}\u{5F00}\u{FF1A}\u{8BF7}\u{9009}\u{62E9}\u{5B9E}\u{9645}\u{627F}\u{62C5}\u{7684}\u{5355}\u{4F4D}\u{FF08}\u{4EC5}\u{914D}\u{5408}\u{65F6}\u{4E0D}\u{5FC5}\u{9009}\u{62E9}\u{FF09}"),
                    vec![format!("\u{5171} {} \u{4E2A}\u{5355}\u{4F4D}", org_ids.len())],
                    org_ids.iter().map(|id| json!({"id": id, "name": name_of(*id)})).collect(),
                ),
                Resolution::Suspect { candidates, note } => (
                    "suspect",
                    "疑似笔误",
                    note,
                    vec![],
                    candidates.into_iter().map(|(id, name)| json!({"id": id, "name": name})).collect(),
                ),
                Resolution::Unknown => ("unknown", "未登记", "请选择对应机构\u{FF0C}或先在机构管理中新建".to_string(), vec![], vec![]),
            };
            json!({
                "name": name, "occurrences": occurrences, "status": status, "status_label": label, "detail": detail,
                "orgs": if decided.is_empty() { orgs_shown } else { decided.iter().map(|i| name_of(*i)).collect() },
                "candidates": candidates, "selected": decided,
            })
        })
        .collect();
    let mut cadence_rows = Vec::new();
    let (mut n_duties, mut n_deadlines, mut n_cadences, mut n_feedback) = (0, 0, 0, 0);
    for (ti, t) in imp.plan.tasks.iter().enumerate() {
        n_duties += t.duties.len();
        for (di, d) in t.duties.iter().enumerate() {
            n_deadlines += d.deadlines.len();
            n_cadences += d.cadences.len();
            n_feedback += d.feedback_dates.len();
            for (ci, c) in d.cadences.iter().enumerate() {
                let chosen = decisions.and_then(|x| {
                    x.columns
                        .iter()
                        .find(|cc| {
                            cc.task_index == ti && cc.duty_index == di && cc.cadence_index == ci
                        })
                        .and_then(|cc| cc.column_id)
                });
                cadence_rows.push(json!({
                    "task_index": ti, "duty_index": di, "cadence_index": ci,
                    "task_label": format!("{}. {}", t.number, t.title), "text": c.text, "norm": c.norm,
                    "norm_label": norm_label(&c.norm), "column_id": chosen,
                }));
            }
        }
    }
    let html = render(
        state,
        user,
        "admin/plan_review.html",
        "plans",
        json!({
            "imp": {"id": imp.id, "source_name": imp.source_name, "status": imp.status, "status_label": import_status_label(&imp.status), "plan_id": imp.plan_id},
            "plan": imp.plan, "source_text": imp.source_text,
            "counts": {"tasks": imp.plan.tasks.len(), "duties": n_duties, "deadlines": n_deadlines, "cadences": n_cadences, "feedback_dates": n_feedback},
            "units": units, "cadence_rows": cadence_rows, "problems": problems, "errors": errors,
            "org_options": org_options(&all_orgs, None), "column_options": column_rows(&cols),
            "plan_json": plan_json.map(str::to_string).unwrap_or_else(|| imp.plan.to_json()),
            "editable": imp.status == "draft" && user.perms.can_manage_plans(),
            "lint": lint, "marks": marks,
            "override": {"checked": lint_override, "reason": override_reason},
        }),
    )?;
    Ok((status, html).into_response())
}

pub async fn review(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    require_manage(&user)?;
    review_page(&state, &user, id, ReviewExtras::default(), StatusCode::OK).await
}

pub async fn confirm(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    mut mp: Multipart,
) -> Result<Response, AppError> {
    require_manage(&user)?;
    let bad = |e: axum::extract::multipart::MultipartError| {
        AppError::BadRequest(format!(
            "提交的表单无法解析\u{FF0C}请重新提交\u{FF08}{}\u{FF09}",
            e.body_text()
        ))
    };
    let mut names: Vec<(String, String)> = Vec::new();
    let mut picks: Vec<(String, i64)> = Vec::new();
    let mut columns_chosen = Vec::new();
    let (mut lint_override, mut override_reason, mut lint_seen) =
        (false, String::new(), String::new());
    while let Some(field) = mp.next_field().await.map_err(bad)? {
        let key = field.name().unwrap_or("").to_string();
        let value = field.text().await.map_err(bad)?;
        if key == "lint_override" {
            lint_override = !value.is_empty();
        } else if key == "override_reason" {
            override_reason = value;
        } else if key == "lint_seen" {
            lint_seen = value;
        } else if let Some(idx) = key.strip_prefix("unit_name.") {
            names.push((idx.to_string(), value));
        } else if let Some(idx) = key.strip_prefix("unit.") {
            if let Ok(org) = value.trim().parse::<i64>() {
                picks.push((idx.to_string(), org));
            }
        } else if let Some(rest) = key.strip_prefix("col.") {
            let parts: Vec<usize> = rest.split('.').filter_map(|p| p.parse().ok()).collect();
            if let [task_index, duty_index, cadence_index] = parts[..] {
                let column_id = value.trim().parse::<i64>().ok();
                columns_chosen.push(ColumnChoice {
                    task_index,
                    duty_index,
                    cadence_index,
                    column_id,
                });
            }
        }
    }
    let unit_map: Vec<UnitDecision> = names
        .into_iter()
        .map(|(idx, name)| UnitDecision {
            name,
            org_ids: picks
                .iter()
                .filter(|(i, _)| *i == idx)
                .map(|(_, o)| *o)
                .collect(),
        })
        .filter(|u| !u.org_ids.is_empty())
        .collect();
    let decisions = ImportDecisions {
        unit_map,
        columns: columns_chosen,
    };
    // The override covers the blocking findings the confirmer saw (the form carries their keys).
    let over = lint_override.then(|| plans::LintOverride {
        reason: override_reason.clone(),
        seen: Some(
            lint_seen
                .split(',')
                .filter(|k| !k.is_empty())
                .map(str::to_string)
                .collect(),
        ),
    });
    let mut tx = state.db.begin_audited().await?;
    match app_plans::confirm(&mut tx, &user.caller(), id, &decisions, over.as_ref()).await {
        Ok(plan_id) => {
            tx.commit().await?;
            super::refresh_statistics_soon(&state.db);
            Ok(Redirect::to(&format!("/admin/plans/{plan_id}?notice=created")).into_response())
        }
        Err(gongkai_app::Refusal::Invalid(inv)) => {
            drop(tx);
            let problems = inv.errors.iter().map(|e| e.message.clone()).collect();
            let errors = match inv.message_for("override_reason") {
                Some(m) => json!({"override_reason": m}),
                None => json!({}),
            };
            review_page(
                &state,
                &user,
                id,
                ReviewExtras {
                    decisions: Some(&decisions),
                    problems,
                    errors,
                    lint_override,
                    override_reason: &override_reason,
                    ..Default::default()
                },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EditForm {
    plan_json: String,
}

pub async fn edit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    AdminForm(f): AdminForm<EditForm>,
) -> Result<Response, AppError> {
    require_manage(&user)?;
    let parsed: Plan = match serde_json::from_str(&f.plan_json) {
        Ok(p) => p,
        Err(e) => {
            let msg = format!(
                "JSON 格式有误\u{FF08}第{}行第{}列\u{FF09}\u{FF1A}{}",
                e.line(),
                e.column(),
                e
            );
            return review_page(
                &state,
                &user,
                id,
                ReviewExtras {
                    errors: json!({"plan_json": msg}),
                    plan_json: Some(&f.plan_json),
                    ..Default::default()
                },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let mut tx = state.db.begin_audited().await?;
    match app_plans::correct(&mut tx, &user.caller(), id, &parsed).await {
        Ok(()) => tx.commit().await?,
        Err(gongkai_app::Refusal::Invalid(inv)) if inv.message_for("plan_json").is_some() => {
            drop(tx);
            return review_page(
                &state,
                &user,
                id,
                ReviewExtras {
                    errors: json!({"plan_json": inv.message_for("plan_json")}),
                    plan_json: Some(&f.plan_json),
                    ..Default::default()
                },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
        Err(e) => return Err(e.into()),
    }
    Ok(Redirect::to(&format!("/admin/plans/imports/{id}")).into_response())
}

pub async fn discard(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    require_manage(&user)?;
    let mut tx = state.db.begin_audited().await?;
    app_plans::discard(&mut tx, &user.caller(), id).await?;
    tx.commit().await?;
    Ok(Redirect::to("/admin/plans?notice=deleted").into_response())
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct ObligationColumnForm {
    cadence: String,
    column_id: String,
}

/// Binds the column of one duty's obligations of a cadence in a confirmed plan (supervisors).
pub async fn set_obligation_column(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, duty_id)): Path<(i64, i64)>,
    AdminForm(f): AdminForm<ObligationColumnForm>,
) -> Result<Response, AppError> {
    require_manage(&user)?;
    // The service-item catalogue as the evidence (task 19) instead of a column.
    // Or open data's updates (task 21).
    if let Some(source) = [EvidenceSource::ServiceCatalogue, EvidenceSource::OpenData]
        .into_iter()
        .find(|s| f.column_id.trim() == s.code())
    {
        let mut tx = state.db.begin_audited().await?;
        app_plans::set_obligation_source(
            &mut tx,
            &user.caller(),
            id,
            duty_id,
            f.cadence.trim(),
            source,
        )
        .await?;
        tx.commit().await?;
        return Ok(
            Redirect::to(&format!("/admin/plans/{id}?notice=saved#duty-{duty_id}")).into_response(),
        );
    }
    let column_id = match f.column_id.trim() {
        "" => None,
        s => Some(s.parse::<i64>().map_err(|_| {
            AppError::from(gongkai_db::DbError::from(gongkai_domain::Invalid::one(
                "column_id",
                "所选栏目无效\u{FF0C}请刷新页面后重新选择",
            )))
        })?),
    };
    let mut tx = state.db.begin_audited().await?;
    let caller = user.caller();
    app_plans::set_obligation_column(&mut tx, &caller, id, duty_id, f.cadence.trim(), column_id)
        .await?;
    // Choosing a column again after the catalogue or open data: the column's items are the evidence.
    let from_catalogue = tx_source_is_catalogue(&mut tx, id, duty_id, f.cadence.trim()).await?;
    if from_catalogue {
        app_plans::set_obligation_source(
            &mut tx,
            &caller,
            id,
            duty_id,
            f.cadence.trim(),
            EvidenceSource::Items,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Redirect::to(&format!("/admin/plans/{id}?notice=saved#duty-{duty_id}")).into_response())
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct ObligationExternalForm {
    cadence: String,
    /// The list page's URL on the department's website; empty to unbind.
    url: String,
}

/// Binds a list page on a department's own website as the evidence of one duty's obligations of
/// a cadence (supervisors).
pub async fn set_obligation_external(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, duty_id)): Path<(i64, i64)>,
    AdminForm(f): AdminForm<ObligationExternalForm>,
) -> Result<Response, AppError> {
    require_manage(&user)?;
    let mut tx = state.db.begin_audited().await?;
    app_plans::set_obligation_external(
        &mut tx,
        &user.caller(),
        id,
        duty_id,
        f.cadence.trim(),
        &f.url,
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/admin/plans/{id}?notice=saved#duty-{duty_id}")).into_response())
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct PublicForm {
    /// `1` to publish the plan on `/zdgz`, `0` to withdraw it.
    public: String,
}

/// Publishes a confirmed plan on the public accountability page or withdraws it (supervisors).
pub async fn set_public(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    AdminForm(f): AdminForm<PublicForm>,
) -> Result<Response, AppError> {
    require_manage(&user)?;
    let public = match f.public.trim() {
        "1" => true,
        "0" => false,
        _ => {
            return Err(AppError::from(gongkai_domain::Invalid::one(
                "public",
                "请选择在公开页面发布或取消公开",
            )));
        }
    };
    let mut tx = state.db.begin_audited().await?;
    app_plans::set_public(&mut tx, &user.caller(), id, public).await?;
    tx.commit().await?;
    let notice = if public {
        "plan_public"
    } else {
        "plan_private"
    };
    Ok(Redirect::to(&format!("/admin/plans/{id}?notice={notice}#public")).into_response())
}

/// Groups rows by a key in order of first appearance.
fn group_by<T, K: PartialEq + Clone>(rows: &[T], key: impl Fn(&T) -> K) -> Vec<(K, Vec<&T>)> {
    let mut out: Vec<(K, Vec<&T>)> = Vec::new();
    for r in rows {
        let k = key(r);
        match out.iter_mut().find(|(x, _)| *x == k) {
            Some((_, v)) => v.push(r),
            None => out.push((k, vec![r])),
        }
    }
    out
}

pub async fn view(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    render_view(
        &state,
        &user,
        id,
        None,
        notice_text(q.notice.as_deref()),
        StatusCode::OK,
    )
    .await
}

/// The plan page; `refused` re-shows a refused filings form with its errors.
pub(super) async fn render_view(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    refused: Option<super::filings::Refused<'_>>,
    notice: Option<&str>,
    status: StatusCode,
) -> Result<Response, AppError> {
    if !user.perms.can_read_plans() {
        return Err(AppError::forbidden());
    }
    let mut conn = state.db.pool.acquire().await?;
    let tree = plans::plan_tree(&mut conn, id).await?;
    let counts = plans::counts(&mut conn, id).await?;
    let can_manage = user.perms.can_manage_plans();
    let column_options = if can_manage {
        let site = columns::default_site(&mut conn).await?;
        column_rows(&columns::all(&mut conn, site.id).await?)
    } else {
        Vec::new()
    };
    let filings = super::filings::section(&mut conn, user, id, refused).await?;
    let revisions = gongkai_db::plan_edits::revisions(&mut conn, id).await?;
    let (public, made_public_at) = gongkai_db::public_plans::state(&mut conn, id).await?;
    drop(conn);
    let tasks: Vec<_> = tree
        .tasks
        .iter()
        .map(|t| {
            let duties: Vec<_> = t
                .duties
                .iter()
                .map(|d| {
                    let units: Vec<_> = group_by(&d.units, |u| (u.role.clone(), u.name_as_written.clone()))
                        .into_iter()
                        .map(|((_, name), rows)| {
                            let orgs: Vec<String> = rows.iter().filter_map(|u| u.org_name.clone()).collect();
                            json!({"role_label": rows[0].role_label(), "name": name, "orgs": orgs, "resolution": rows[0].resolution})
                        })
                        .collect();
                    let obligations: Vec<_> = group_by(&d.obligations, |o| (o.cadence.clone(), o.column_name.clone()))
                        .into_iter()
                        .map(|((cadence, column), rows)| {
                            json!({"label": norm_label(&cadence), "text": rows[0].cadence_text, "column": column, "orgs": rows.len(),
                                   "cadence": cadence, "column_id": rows[0].column_id, "duty_id": d.id,
                                   "catalogue": rows[0].source == EvidenceSource::ServiceCatalogue.code(),
                                   "open_data": rows[0].source == EvidenceSource::OpenData.code(),
                                   "external_url": rows[0].external_url, "source": rows[0].source})
                        })
                        .collect();
                    let rounds: Vec<_> = group_by(&d.feedback_rounds, |r| (r.due_date, r.label.clone()))
                        .into_iter()
                        .map(|((date, label), rows)| json!({"date": date, "label": label, "orgs": rows.len()}))
                        .collect();
                    json!({"id": d.id, "text": d.text, "clause": d.clause, "assessed": d.assessed, "units": units,
                           "deadlines": d.deadlines, "obligations": obligations, "rounds": rounds})
                })
                .collect();
            json!({"id": t.id, "number": t.number, "title": t.title, "section_path": t.section_path, "duties": duties})
        })
        .collect();
    let html = render(
        state,
        user,
        "admin/plan_view.html",
        "plans",
        json!({
            "plan": tree.plan, "counts": counts, "tasks": tasks, "notice": notice, "filings": filings,
            "can_manage": can_manage, "column_options": column_options,
            "archived": tree.plan.status == gongkai_db::plan_edits::ARCHIVED,
            "status_label": gongkai_db::plan_edits::plan_status_label(&tree.plan.status),
            "revision": revisions.first().map_or(0, |r| r.revision), "revisions": revisions,
            "public": {"is_public": public, "since": made_public_at},
        }),
    )?;
    Ok((status, html).into_response())
}

/// Whether the duty's obligations of `cadence` are checked from the service catalogue or open
/// data.
async fn tx_source_is_catalogue(
    conn: &mut sqlx::AnyConnection,
    plan_id: i64,
    duty_id: i64,
    cadence: &str,
) -> Result<bool, AppError> {
    let tree = gongkai_db::plans::plan_tree(conn, plan_id).await?;
    Ok(tree
        .tasks
        .iter()
        .flat_map(|t| t.duties.iter())
        .filter(|d| d.id == duty_id)
        .flat_map(|d| d.obligations.iter())
        .any(|o| {
            o.cadence == cadence
                && (o.source == EvidenceSource::ServiceCatalogue.code()
                    || o.source == EvidenceSource::OpenData.code())
        }))
}
