//! Editing plans without JSON and without JavaScript.
//!
//! - A draft import, one task at a time (`/admin/plans/imports/{id}/tasks/{ti}`): the task, each
//!   duty's text, units and roles (with a unit picker searched on the server), the not-checked mark,
//!   cadences, deadlines and feedback dates. Every form posts to one route with an `op` field,
//!   through `gongkai_app::plan_edit`.
//! - A confirmed plan, one duty at a time (`/admin/plans/{id}/duties/{duty_id}`): its obligations
//!   edited in place, added and removed; a task's title; archiving. Each save is a revision.

use super::common::{AdminForm, column_rows, notice_text, render};

use crate::auth::CurrentUser;
use crate::{AppError, AppState};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use gongkai_app::Refusal;
use gongkai_app::plan_edit as app;
use gongkai_db::{columns, orgs, plan_edits, plans};
use gongkai_domain::Invalid;
use gongkai_domain::orgmatch::Resolution;
use gongkai_domain::plan::Deadline;
use gongkai_domain::planimport::Role;
use gongkai_domain::planimport::edit::{
    CADENCE_KINDS, CadenceForm, DUE_KINDS, Edit, cadence_parts, due_parts,
};
use serde::Deserialize;
use serde_json::json;

fn require_manage(user: &CurrentUser) -> Result<(), AppError> {
    if user.perms.can_manage_plans() {
        Ok(())
    } else {
        Err(AppError::forbidden())
    }
}

/// The fields of a posted form, repeated names kept.
struct Fields(Vec<(String, String)>);

impl Fields {
    fn get(&self, key: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map_or("", |(_, v)| v.as_str())
    }

    fn all(&self, key: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .collect()
    }

    fn index(&self, key: &str) -> Result<usize, AppError> {
        self.get(key).trim().parse().map_err(|_| {
            // 表单内容不完整，请刷新页面后重新提交
            AppError::BadRequest(
                "\u{8868}\u{5355}\u{5185}\u{5BB9}\u{4E0D}\u{5B8C}\u{6574}\u{FF0C}\u{8BF7}\u{5237}\u{65B0}\u{9875}\u{9762}\u{540E}\u{91CD}\u{65B0}\u{63D0}\u{4EA4}".into(),
            )
        })
    }

    fn cadence_form(&self) -> CadenceForm {
        CadenceForm {
            text: self.get("text").to_string(),
            kind: self.get("kind").to_string(),
            n: self.get("n").to_string(),
            date: self.get("date").to_string(),
            season_from: self.get("season_from").to_string(),
            season_to: self.get("season_to").to_string(),
            units: self.all("units"),
            due: self.get("due").to_string(),
            due_n: self.get("due_n").to_string(),
            keywords: self.get("keywords").to_string(),
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TaskQuery {
    notice: Option<String>,
    /// The duty whose unit picker was searched.
    duty: Option<usize>,
    q: String,
}

fn kinds_json() -> serde_json::Value {
    let roles: Vec<_> = [Role::Lead, Role::Responsible, Role::Co]
        .iter()
        .map(|r| json!({"code": r.code(), "label": r.label()}))
        .collect();
    json!({
        "cadence": CADENCE_KINDS.iter().map(|(c, l, n)| json!({"code": c, "label": l, "takes_n": n})).collect::<Vec<_>>(),
        "due": DUE_KINDS.iter().map(|(c, l, n)| json!({"code": c, "label": l, "takes_n": n})).collect::<Vec<_>>(),
        "roles": roles,
        "months": (1..=12).collect::<Vec<u32>>(),
    })
}

fn cadence_json(c: &gongkai_domain::plan::Cadence, duty_units: &[String]) -> serde_json::Value {
    let p = cadence_parts(&c.norm);
    let (due, due_n) = due_parts(c.due.as_deref());
    let label = c
        .norm
        .parse::<gongkai_domain::obligation::Cadence>()
        .map(|x| x.label())
        .unwrap_or_else(|_| c.norm.clone());
    json!({
        "text": c.text, "norm": c.norm, "label": label, "kind": p.kind, "n": p.n, "date": p.date,
        "season_from": p.season.map(|s| s.0), "season_to": p.season.map(|s| s.1),
        "due": due, "due_n": due_n, "keywords": c.keywords.join("\u{3001}"),
        "units": duty_units.iter().map(|u| json!({"name": u, "checked": c.units.contains(u)})).collect::<Vec<_>>(),
        "units_label": if c.units.is_empty() { String::new() } else { c.units.join("\u{3001}") },
    })
}

/// The task page of a draft import; `errors` re-shows a refused edit (with the duty it concerns).
async fn task_page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    ti: usize,
    query: &TaskQuery,
    errors: Option<(&Invalid, Option<usize>)>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let imp = plans::get_import(&mut conn, id).await?;
    let Some(task) = imp.plan.tasks.get(ti) else {
        // 该任务不存在，可能已被删除或合并
        return Err(AppError::NotFound(
            "\u{8BE5}\u{4EFB}\u{52A1}\u{4E0D}\u{5B58}\u{5728}\u{FF0C}\u{53EF}\u{80FD}\u{5DF2}\u{88AB}\u{5220}\u{9664}\u{6216}\u{5408}\u{5E76}".into(),
        ));
    };
    let registry = orgs::registry(&mut conn).await?;
    let all_orgs = orgs::all(&mut conn).await?;
    let q = query.q.trim();
    let found = if q.is_empty() {
        None
    } else {
        Some(orgs::search(&mut conn, q).await?)
    };
    drop(conn);
    let option = |o: &orgs::Org| json!({"id": o.id, "name": o.name});
    let all_options: Vec<_> = all_orgs.iter().map(option).collect();
    let duties: Vec<_> = task
        .duties
        .iter()
        .enumerate()
        .map(|(di, d)| {
            let mut units = Vec::new();
            for (role, names) in [
                (Role::Lead, &d.lead),
                (Role::Responsible, &d.responsible),
                (Role::Co, &d.co),
            ] {
                for n in names {
                    let (status, label) = match registry.resolve(n) {
                        Resolution::Matched { .. } => ("matched", "\u{5DF2}\u{5339}\u{914D}"),
                        Resolution::Collective { .. } => {
                            ("collective", "\u{96C6}\u{5408}\u{5355}\u{4F4D}")
                        }
                        Resolution::Suspect { .. } => ("suspect", "\u{7591}\u{4F3C}\u{7B14}\u{8BEF}"),
                        Resolution::Unknown => ("unknown", "\u{672A}\u{767B}\u{8BB0}"),
                    };
                    units.push(json!({"name": n, "role": role.code(), "role_label": role.label(), "status": status, "status_label": label}));
                }
            }
            let names: Vec<String> = d.lead.iter().chain(&d.responsible).chain(&d.co).cloned().collect();
            let searched = query.duty == Some(di) && found.is_some();
            let picker: Vec<_> = match (&found, searched) {
                (Some(f), true) => f.iter().map(option).collect(),
                _ => all_options.clone(),
            };
            let error = errors.and_then(|(inv, d)| (d == Some(di)).then(|| inv.summary()));
            json!({
                "index": di, "text": d.text, "clause": d.clause, "unchecked_reason": d.unchecked_reason,
                "units": units, "cadences": d.cadences.iter().map(|c| cadence_json(c, &names)).collect::<Vec<_>>(),
                "new_cadence": cadence_json(&gongkai_domain::plan::Cadence { norm: "monthly".into(), ..Default::default() }, &names),
                "deadlines": d.deadlines, "feedback_dates": d.feedback_dates,
                "picker": picker, "searched": searched, "q": if query.duty == Some(di) { q } else { "" },
                "error": error,
            })
        })
        .collect();
    let html = render(
        state,
        user,
        "admin/plan_task_edit.html",
        "plans",
        json!({
            "imp": {"id": imp.id, "source_name": imp.source_name, "editable": imp.is_draft()},
            "plan": {"title": imp.plan.title, "year": imp.plan.year},
            "task": {"index": ti, "number": task.number, "title": task.title, "section_path": task.section_path},
            "duties": duties, "task_count": imp.plan.tasks.len(),
            "prev": ti.checked_sub(1), "next": (ti + 1 < imp.plan.tasks.len()).then_some(ti + 1),
            "kinds": kinds_json(),
            "errors": errors.map(|(inv, _)| inv.errors.iter().map(|e| e.message.clone()).collect::<Vec<_>>()),
            "notice": notice_text(query.notice.as_deref()),
        }),
    )?;
    Ok((status, html).into_response())
}

pub async fn task(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, ti)): Path<(i64, usize)>,
    Query(q): Query<TaskQuery>,
) -> Result<Response, AppError> {
    require_manage(&user)?;
    task_page(&state, &user, id, ti, &q, None, StatusCode::OK).await
}

/// One edit of a draft import (the `op` field names it); back to the task page.
pub async fn edit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    AdminForm(pairs): AdminForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    require_manage(&user)?;
    let f = Fields(pairs);
    let op = f.get("op").to_string();
    let task = f.index("task")?;
    let duty = || f.index("duty");
    let caller = user.caller();
    let mut tx = state.db.begin_audited().await?;
    // Where to go afterwards: the review page when the task is gone, else the task (and duty).
    let (result, back_to_review, duty_anchor) = match op.as_str() {
        "cadence" => {
            let d = duty()?;
            let cadence = match f.get("cadence").trim() {
                "" => None,
                _ => Some(f.index("cadence")?),
            };
            (
                app::edit_cadence(&mut tx, &caller, id, task, d, cadence, &f.cadence_form()).await,
                false,
                Some(d),
            )
        }
        "task_delete" if f.get("confirm") != "1" => (
            // 请勾选“确认删除”后再删除任务
            Err(Refusal::Invalid(Invalid::one(
                "confirm",
                "\u{8BF7}\u{52FE}\u{9009}\u{201C}\u{786E}\u{8BA4}\u{5220}\u{9664}\u{201D}\u{540E}\u{518D}\u{5220}\u{9664}\u{4EFB}\u{52A1}",
            ))),
            false,
            None,
        ),
        _ => {
            let (e, review, anchor) = match op.as_str() {
                "task" => {
                    let number = f.get("number").trim().parse::<u32>().unwrap_or(0);
                    (
                        Edit::Task {
                            task,
                            number,
                            title: f.get("title").to_string(),
                        },
                        false,
                        None,
                    )
                }
                "task_delete" => (Edit::DeleteTask { task }, true, None),
                "task_merge" => (Edit::MergeTask { task }, true, None),
                "task_split" => (
                    Edit::SplitTask {
                        task,
                        after_duty: f.index("after_duty")?,
                        title: f.get("title").to_string(),
                    },
                    false,
                    None,
                ),
                "duty_text" => (
                    Edit::DutyText {
                        task,
                        duty: duty()?,
                        text: f.get("text").to_string(),
                    },
                    false,
                    Some(duty()?),
                ),
                "unit_set" => {
                    let typed = f.get("name_text").trim();
                    let name = if typed.is_empty() {
                        f.get("name").to_string()
                    } else {
                        typed.to_string()
                    };
                    let role = Role::from_code(f.get("role")).unwrap_or(Role::Responsible);
                    (
                        Edit::SetUnit {
                            task,
                            duty: duty()?,
                            name,
                            role,
                        },
                        false,
                        Some(duty()?),
                    )
                }
                "unit_remove" => (
                    Edit::RemoveUnit {
                        task,
                        duty: duty()?,
                        name: f.get("name").to_string(),
                    },
                    false,
                    Some(duty()?),
                ),
                "unchecked" => (
                    Edit::Unchecked {
                        task,
                        duty: duty()?,
                        reason: Some(f.get("reason").to_string()),
                    },
                    false,
                    Some(duty()?),
                ),
                "unchecked_clear" => (
                    Edit::Unchecked {
                        task,
                        duty: duty()?,
                        reason: None,
                    },
                    false,
                    Some(duty()?),
                ),
                "cadence_delete" => (
                    Edit::DeleteCadence {
                        task,
                        duty: duty()?,
                        cadence: f.index("cadence")?,
                    },
                    false,
                    Some(duty()?),
                ),
                "deadline_add" => {
                    let date = f.get("date").trim();
                    (
                        Edit::AddDeadline {
                            task,
                            duty: duty()?,
                            deadline: Deadline {
                                text: f.get("text").to_string(),
                                date: (!date.is_empty()).then(|| date.to_string()),
                            },
                        },
                        false,
                        Some(duty()?),
                    )
                }
                "deadline_remove" => (
                    Edit::RemoveDeadline {
                        task,
                        duty: duty()?,
                        index: f.index("index")?,
                    },
                    false,
                    Some(duty()?),
                ),
                "feedback_add" => (
                    Edit::AddFeedback {
                        task,
                        duty: duty()?,
                        date: f.get("date").to_string(),
                    },
                    false,
                    Some(duty()?),
                ),
                "feedback_remove" => (
                    Edit::RemoveFeedback {
                        task,
                        duty: duty()?,
                        index: f.index("index")?,
                    },
                    false,
                    Some(duty()?),
                ),
                _ => {
                    // 未知的修改操作
                    return Err(AppError::BadRequest(
                        "\u{672A}\u{77E5}\u{7684}\u{4FEE}\u{6539}\u{64CD}\u{4F5C}".into(),
                    ));
                }
            };
            (
                app::edit_import(&mut tx, &caller, id, e).await,
                review,
                anchor,
            )
        }
    };
    match result {
        Ok(()) => {
            tx.commit().await?;
            let to = if back_to_review {
                format!("/admin/plans/imports/{id}?notice=saved#tasks-title")
            } else {
                let anchor =
                    duty_anchor.map_or_else(|| "task".to_string(), |d| format!("duty-{d}"));
                format!("/admin/plans/imports/{id}/tasks/{task}?notice=saved#{anchor}")
            };
            Ok(Redirect::to(&to).into_response())
        }
        Err(Refusal::Invalid(inv)) => {
            drop(tx);
            task_page(
                &state,
                &user,
                id,
                task,
                &TaskQuery::default(),
                Some((&inv, duty_anchor)),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

// ---- a confirmed plan ----

/// The duty page of a confirmed plan: its obligations, each editable, and a form to add one.
async fn duty_page(
    state: &AppState,
    user: &CurrentUser,
    plan_id: i64,
    duty_id: i64,
    errors: Option<&Invalid>,
    notice: Option<&str>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let tree = plans::plan_tree(&mut conn, plan_id).await?;
    let all_orgs = orgs::all(&mut conn).await?;
    let site = columns::default_site(&mut conn).await?;
    let cols = column_rows(&columns::all(&mut conn, site.id).await?);
    drop(conn);
    let found = tree
        .tasks
        .iter()
        .find_map(|t| t.duties.iter().find(|d| d.id == duty_id).map(|d| (t, d)));
    let Some((task, duty)) = found else {
        // 该职责不属于这份工作安排
        return Err(AppError::NotFound(
            "\u{8BE5}\u{804C}\u{8D23}\u{4E0D}\u{5C5E}\u{4E8E}\u{8FD9}\u{4EFD}\u{5DE5}\u{4F5C}\u{5B89}\u{6392}".into(),
        ));
    };
    let obligation = |norm: &str, text: &str, due: Option<&str>, keywords: Vec<String>| {
        // A stored rule equal to the cadence's default shows as the default.
        let default = norm
            .parse::<gongkai_domain::obligation::Cadence>()
            .ok()
            .and_then(gongkai_domain::planimport::default_due_rule)
            .map(gongkai_domain::planimport::due_rule_code);
        let c = gongkai_domain::plan::Cadence {
            text: text.to_string(),
            norm: norm.to_string(),
            due: due
                .filter(|d| Some(d.to_string()) != default)
                .map(str::to_string),
            keywords,
            ..Default::default()
        };
        cadence_json(&c, &[])
    };
    let obligations: Vec<_> = duty
        .obligations
        .iter()
        .map(|o| {
            let mut v = obligation(
                &o.cadence,
                &o.cadence_text,
                o.due_rule.as_deref(),
                o.keyword_list(),
            );
            if let Some(m) = v.as_object_mut() {
                m.insert("id".into(), json!(o.id));
                m.insert("org_id".into(), json!(o.org_id));
                m.insert("org_name".into(), json!(o.org_name));
                m.insert("column_id".into(), json!(o.column_id));
                m.insert("column_name".into(), json!(o.column_name));
            }
            v
        })
        .collect();
    let html = render(
        state,
        user,
        "admin/plan_duty_edit.html",
        "plans",
        json!({
            "plan": tree.plan, "archived": tree.plan.status == plan_edits::ARCHIVED,
            "task": {"id": task.id, "number": task.number, "title": task.title},
            "duty": {"id": duty.id, "text": duty.text},
            "obligations": obligations, "new": obligation("monthly", "", None, Vec::new()),
            "org_options": all_orgs.iter().map(|o| json!({"id": o.id, "name": o.name})).collect::<Vec<_>>(),
            "column_options": cols, "kinds": kinds_json(),
            "errors": errors.map(|inv| inv.errors.iter().map(|e| e.message.clone()).collect::<Vec<_>>()),
            "notice": notice,
        }),
    )?;
    Ok((status, html).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NoticeQuery {
    notice: Option<String>,
}

pub async fn duty(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, duty_id)): Path<(i64, i64)>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    require_manage(&user)?;
    duty_page(
        &state,
        &user,
        id,
        duty_id,
        None,
        notice_text(q.notice.as_deref()),
        StatusCode::OK,
    )
    .await
}

fn obligation_form(f: &Fields) -> app::ObligationForm {
    app::ObligationForm {
        cadence: f.cadence_form(),
        org_id: f.get("org_id").to_string(),
        column_id: f.get("column_id").to_string(),
    }
}

/// Ends a confirmed-plan edit: back to the duty page, or the page again with the refusal.
async fn finish<T>(
    state: &AppState,
    user: &CurrentUser,
    tx: gongkai_db::audited::AuditedTx,
    result: Result<T, Refusal>,
    plan_id: i64,
    duty_id: i64,
) -> Result<Response, AppError> {
    match result {
        Ok(_) => {
            tx.commit().await?;
            Ok(Redirect::to(&format!(
                "/admin/plans/{plan_id}/duties/{duty_id}?notice=saved"
            ))
            .into_response())
        }
        Err(Refusal::Invalid(inv)) => {
            drop(tx);
            duty_page(
                state,
                user,
                plan_id,
                duty_id,
                Some(&inv),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn obligation_save(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, obligation_id)): Path<(i64, i64)>,
    AdminForm(pairs): AdminForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    require_manage(&user)?;
    let f = Fields(pairs);
    let mut conn = state.db.pool.acquire().await?;
    let duty_id = plan_edits::obligation(&mut conn, id, obligation_id)
        .await?
        .duty_id;
    drop(conn);
    let mut tx = state.db.begin_audited().await?;
    let r = app::revise_obligation(
        &mut tx,
        &user.caller(),
        id,
        obligation_id,
        &obligation_form(&f),
    )
    .await;
    // Nothing changed: nothing to commit (and no audit entry).
    if matches!(r, Ok(false)) {
        drop(tx);
        return Ok(
            Redirect::to(&format!("/admin/plans/{id}/duties/{duty_id}?notice=saved"))
                .into_response(),
        );
    }
    finish(&state, &user, tx, r, id, duty_id).await
}

pub async fn obligation_delete(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, obligation_id)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    require_manage(&user)?;
    let mut conn = state.db.pool.acquire().await?;
    let duty_id = plan_edits::obligation(&mut conn, id, obligation_id)
        .await?
        .duty_id;
    drop(conn);
    let mut tx = state.db.begin_audited().await?;
    let r = app::remove_obligation(&mut tx, &user.caller(), id, obligation_id).await;
    finish(&state, &user, tx, r, id, duty_id).await
}

pub async fn obligation_add(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, duty_id)): Path<(i64, i64)>,
    AdminForm(pairs): AdminForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    require_manage(&user)?;
    let f = Fields(pairs);
    let mut tx = state.db.begin_audited().await?;
    let r = app::add_obligation(&mut tx, &user.caller(), id, duty_id, &obligation_form(&f)).await;
    finish(&state, &user, tx, r, id, duty_id).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TitleForm {
    title: String,
}

pub async fn task_title(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, task_id)): Path<(i64, i64)>,
    AdminForm(f): AdminForm<TitleForm>,
) -> Result<Response, AppError> {
    require_manage(&user)?;
    let mut tx = state.db.begin_audited().await?;
    if app::retitle_task(&mut tx, &user.caller(), id, task_id, &f.title).await? {
        tx.commit().await?;
    }
    Ok(Redirect::to(&format!("/admin/plans/{id}?notice=saved#task-{task_id}")).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ArchiveForm {
    archived: String,
}

pub async fn archive(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    AdminForm(f): AdminForm<ArchiveForm>,
) -> Result<Response, AppError> {
    require_manage(&user)?;
    let mut tx = state.db.begin_audited().await?;
    if app::archive(&mut tx, &user.caller(), id, f.archived == "1").await? {
        tx.commit().await?;
    }
    Ok(Redirect::to(&format!("/admin/plans/{id}?notice=saved")).into_response())
}
