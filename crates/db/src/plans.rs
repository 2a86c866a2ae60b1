//! Work plans: imports under review (`plan_imports`) and confirmed plans with their tasks,
//! duties, units, deadlines, obligations and feedback rounds.
//!
//! A draft import is a working document, not a plan: the source text and the parsed
//! [`Plan`] as JSON, edited on the review screen. [`confirm_import`] turns it into the plan tree in
//! the caller's transaction, through the pure `gongkai_domain::planimport::draft`, and refuses
//! while any unit is unresolved and undecided. Every write is audited.

use crate::civil::NullableDate;
use gongkai_domain::CivilDate;
use std::collections::{BTreeMap, HashSet};

use crate::audit::{self, Entry};
use crate::{Actor, DbError, DbResult, now_ms};
use gongkai_domain::Invalid;
use gongkai_domain::plan::Plan;
use gongkai_domain::plan::lint::{self, Finding};
use gongkai_domain::planimport::{self, ImportDecisions, PlanDraft, builtin};
use serde::Serialize;
use sqlx::AnyConnection;

/// Import statuses.
pub const DRAFT: &str = "draft";
pub const CONFIRMED: &str = "confirmed";
pub const DISCARDED: &str = "discarded";

/// An import with its parsed plan.
#[derive(Debug, Clone, Serialize)]
pub struct ImportRow {
    pub id: i64,
    pub source_name: String,
    pub source_text: String,
    pub plan: Plan,
    pub status: String,
    pub plan_id: Option<i64>,
    pub created_by: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl ImportRow {
    pub fn is_draft(&self) -> bool {
        self.status == DRAFT
    }

    pub fn status_label(&self) -> &'static str {
        status_label(&self.status)
    }
}

/// 草稿 / 已确认 / 已放弃
pub fn status_label(status: &str) -> &'static str {
    match status {
        DRAFT => "待审核",
        CONFIRMED => "已确认",
        DISCARDED => "已放弃",
        _ => "未知",
    }
}

#[derive(sqlx::FromRow)]
struct ImportDbRow {
    id: i64,
    source_name: String,
    source_text: String,
    parsed_json: String,
    status: String,
    plan_id: Option<i64>,
    created_by: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

/// A line of the import list (no source text).
#[derive(Debug, Clone, Serialize)]
pub struct ImportListRow {
    pub id: i64,
    pub source_name: String,
    pub title: Option<String>,
    pub tasks: usize,
    pub status: String,
    pub plan_id: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PlanRow {
    pub id: i64,
    pub title: String,
    pub issuer: Option<String>,
    #[sqlx(try_from = "NullableDate")]
    pub issued_on: Option<CivilDate>,
    pub year: i64,
    pub import_id: Option<i64>,
    pub status: String,
    pub created_by: Option<i64>,
    pub created_at: i64,
}

/// Row counts of one plan.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PlanCounts {
    pub tasks: i64,
    pub duties: i64,
    pub units: i64,
    pub deadlines: i64,
    pub obligations: i64,
    /// Feedback rounds (kind `feedback`); filings are counted apart.
    pub feedback_rounds: i64,
    /// Filings (报送事项) opened on the plan's duties.
    pub filings: i64,
}

fn plan_json(plan: &Plan) -> DbResult<String> {
    serde_json::to_string(plan).map_err(|e| DbError::Config(format!("工作安排无法保存为 JSON:{e}")))
}

fn check_plan(plan: &Plan) -> DbResult<()> {
    if plan.tasks.is_empty() {
        return Err(Invalid::one("plan", "工作安排中没有任务\u{FF0C}不能导入").into());
    }
    Ok(())
}

fn import_summary(id: i64, source_name: &str, plan: &Plan, status: &str) -> serde_json::Value {
    serde_json::json!({
        "id": id,
        "source_name": source_name,
        "title": plan.title,
        "year": plan.year,
        "tasks": plan.tasks.len(),
        "duties": plan.tasks.iter().map(|t| t.duties.len()).sum::<usize>(),
        "status": status,
    })
}

/// Stores a parsed document as a draft import. Nothing else is created.
pub async fn create_import(
    conn: &mut AnyConnection,
    actor: &Actor,
    source_name: &str,
    source_text: &str,
    plan: &Plan,
) -> DbResult<i64> {
    check_plan(plan)?;
    let now = now_ms();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO plan_imports (source_name, source_text, parsed_json, status, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, 'draft', $4, $5, $5) RETURNING id",
    )
    .bind(source_name)
    .bind(source_text)
    .bind(plan_json(plan)?)
    .bind(actor.user_id)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    audit::record(
        conn,
        actor,
        Entry {
            action: "plan_import.create",
            entity: "plan_import",
            entity_id: id.to_string(),
            summary: format!(
                "导入工作安排“{}”\u{FF08}待审核\u{FF09}",
                plan.title.as_deref().unwrap_or(source_name)
            ),
            before: None,
            after: Some(import_summary(id, source_name, plan, DRAFT)),
        },
    )
    .await?;
    Ok(id)
}

pub async fn get_import(conn: &mut AnyConnection, id: i64) -> DbResult<ImportRow> {
    let r: ImportDbRow = sqlx::query_as("SELECT * FROM plan_imports WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(DbError::NotFound("导入记录不存在"))?;
    let plan: Plan = serde_json::from_str(&r.parsed_json)
        .map_err(|e| DbError::Config(format!("导入记录 {id} 的解析结果无法读取\u{FF1A}{e}")))?;
    Ok(ImportRow {
        id: r.id,
        source_name: r.source_name,
        source_text: r.source_text,
        plan,
        status: r.status,
        plan_id: r.plan_id,
        created_by: r.created_by,
        created_at: r.created_at,
        updated_at: r.updated_at,
    })
}

/// Every import, newest first.
pub async fn list_imports(conn: &mut AnyConnection) -> DbResult<Vec<ImportListRow>> {
    let rows: Vec<ImportDbRow> = sqlx::query_as(
        "SELECT id, source_name, '' AS source_text, parsed_json, status, plan_id, created_by, created_at, updated_at \
         FROM plan_imports ORDER BY id DESC",
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let plan: Option<Plan> = serde_json::from_str(&r.parsed_json).ok();
            ImportListRow {
                id: r.id,
                source_name: r.source_name,
                title: plan.as_ref().and_then(|p| p.title.clone()),
                tasks: plan.as_ref().map_or(0, |p| p.tasks.len()),
                status: r.status,
                plan_id: r.plan_id,
                created_at: r.created_at,
                updated_at: r.updated_at,
            }
        })
        .collect())
}

async fn require_draft(conn: &mut AnyConnection, id: i64) -> DbResult<ImportRow> {
    let row = get_import(conn, id).await?;
    match row.status.as_str() {
        DRAFT => Ok(row),
        CONFIRMED => Err(Invalid::one(
            "status",
            "该导入已确认生成工作安排\u{FF0C}不能重复确认或再修改",
        )
        .into()),
        _ => Err(Invalid::one("status", "该导入已放弃\u{FF0C}不能再修改或确认").into()),
    }
}

/// Saves the reviewer's edits to a draft import.
pub async fn update_import_plan(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    plan: &Plan,
) -> DbResult<()> {
    check_plan(plan)?;
    let before = require_draft(conn, id).await?;
    sqlx::query("UPDATE plan_imports SET parsed_json = $1, updated_at = $2 WHERE id = $3")
        .bind(plan_json(plan)?)
        .bind(now_ms())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    audit::record(
        conn,
        actor,
        Entry {
            action: "plan_import.update",
            entity: "plan_import",
            entity_id: id.to_string(),
            summary: format!(
                "修改待审核的工作安排“{}”",
                plan.title.as_deref().unwrap_or(&before.source_name)
            ),
            before: serde_json::to_value(&before.plan).ok(),
            after: serde_json::to_value(plan).ok(),
        },
    )
    .await?;
    Ok(())
}

/// Marks a draft import discarded. Nothing was created from it, so nothing else changes.
pub async fn discard_import(conn: &mut AnyConnection, actor: &Actor, id: i64) -> DbResult<()> {
    let before = require_draft(conn, id).await?;
    sqlx::query(
        "UPDATE plan_imports SET status = 'discarded', updated_at = $1 WHERE id = $2 AND status = 'draft'",
    )
    .bind(now_ms())
    .bind(id)
    .execute(&mut *conn)
    .await?;
    audit::record(
        conn,
        actor,
        Entry {
            action: "plan_import.discard",
            entity: "plan_import",
            entity_id: id.to_string(),
            summary: format!("放弃导入“{}”", before.source_name),
            before: Some(import_summary(id, &before.source_name, &before.plan, DRAFT)),
            after: Some(import_summary(
                id,
                &before.source_name,
                &before.plan,
                DISCARDED,
            )),
        },
    )
    .await?;
    Ok(())
}

/// What confirming the import with these decisions would write, and what still stops it (the
/// review screen shows both). Decisions naming organisations or columns that do not exist are
/// problems too.
pub async fn preview(
    conn: &mut AnyConnection,
    plan: &Plan,
    decisions: &ImportDecisions,
) -> DbResult<planimport::Drafted> {
    let registry = crate::orgs::registry(conn).await?;
    let mut drafted = planimport::draft(plan, &registry, decisions);
    let org_ids: HashSet<i64> = sqlx::query_scalar("SELECT id FROM organisations")
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .collect();
    let column_ids: HashSet<i64> = sqlx::query_scalar("SELECT id FROM columns")
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .collect();
    for d in &decisions.unit_map {
        for id in &d.org_ids {
            if !org_ids.contains(id) {
                drafted.problems.push(format!(
                    "单位“{}”对应的机构\u{FF08}编号{id}\u{FF09}不存在",
                    d.name
                ));
            }
        }
    }
    for c in &decisions.columns {
        if let Some(id) = c.column_id
            && !column_ids.contains(&id)
        {
            drafted
                .problems
                .push(format!("所选栏目\u{FF08}编号{id}\u{FF09}不存在"));
        }
    }
    Ok(drafted)
}

/// The lint findings of an import: [`gongkai_domain::plan::lint::lint`] on its parsed plan and
/// source text.
pub fn findings(import: &ImportRow) -> Vec<Finding> {
    lint::lint(&import.plan, &import.source_text)
}

/// A confirmer's explicit decision to confirm despite blocking lint findings
/// (「我已核对以上问题，仍然确认」 and a reason).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LintOverride {
    /// Why the plan is confirmed anyway; required (at most [`MAX_OVERRIDE_REASON`] characters).
    pub reason: String,
    /// The keys ([`Finding::key`]) of the blocking findings the confirmer saw. When given, the
    /// override holds only if they are still exactly the blocking findings (the plan was not
    /// edited in between); `None` (the command line) overrides whatever is found now.
    pub seen: Option<Vec<String>>,
}

pub const MAX_OVERRIDE_REASON: usize = 500;

const ALREADY_CONFIRMED: &str = "该导入已确认生成工作安排\u{FF0C}不能重复确认";

/// Confirms a draft import without overriding anything: see [`confirm_import_with`].
pub async fn confirm_import(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    decisions: &ImportDecisions,
) -> DbResult<i64> {
    confirm_import_with(conn, actor, id, decisions, None).await
}

/// Confirms a draft import: writes the plan, its tasks, duties, units, deadlines, obligations and
/// feedback rounds, and marks the import confirmed. Refuses with [`DbError::Invalid`] carrying
/// the Chinese problems while any remain, and when the import is not a draft.
///
/// Blocking lint findings ([`findings`]) refuse it too (field `lint`: a heading, then one message
/// per finding) unless `lint_override` gives a reason (field `override_reason` when it is empty or
/// too long; field `lint` when the findings changed since the confirmer saw them). An override is
/// written to the audit log (`plan.confirm_override`: the reason and the findings' codes and keys)
/// in the caller's transaction, with the confirmation.
pub async fn confirm_import_with(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    decisions: &ImportDecisions,
    lint_override: Option<&LintOverride>,
) -> DbResult<i64> {
    let import = require_draft(conn, id).await?;
    let drafted = preview(conn, &import.plan, decisions).await?;
    let blocking: Vec<Finding> = findings(&import)
        .into_iter()
        .filter(Finding::is_blocking)
        .collect();
    let mut inv = Invalid::default();
    for p in drafted.problems {
        inv.push("plan", p);
    }
    let overridden = if blocking.is_empty() {
        None
    } else {
        match lint_override {
            None => {
                inv.push(
                    "lint",
                    format!(
                        // 识别结果有 N 个阻止确认的问题，请修改识别结果后再确认；如已逐项核对，可勾选“我已核对以上问题，仍然确认”并填写理由：
                        "识别结果有 {} 个阻止确认的问题\u{FF0C}请修改识别结果后再确认\u{FF1B}如已逐项核对\u{FF0C}可勾选“我已核对以上问题\u{FF0C}仓然确认”并填写理由\u{FF1A}",
                        blocking.len()
                    ),
                );
                for f in &blocking {
                    inv.push("lint", f.message.clone());
                }
                None
            }
            Some(o) => {
                let reason = o.reason.trim();
                if reason.is_empty() {
                    // 勾选“我已核对以上问题，仍然确认”时须填写理由
                    inv.push(
                        "override_reason",
                        "勾选“我已核对以上问题\u{FF0C}仓然确认”时须填写理由",
                    );
                } else if reason.chars().count() > MAX_OVERRIDE_REASON {
                    // 理由不能超过 N 个字
                    inv.push(
                        "override_reason",
                        format!("理由不能超过 {MAX_OVERRIDE_REASON} 个字"),
                    );
                }
                let keys = lint::blocking_keys(&blocking);
                if o.seen.as_ref().is_some_and(|seen| *seen != keys) {
                    // 识别结果在您核对之后有变化，阻止确认的问题已不同，请重新核对后再确认
                    inv.push(
                        "lint",
                        "识别结果在您核对之后有变化\u{FF0C}阻止确认的问题已不同\u{FF0C}请重新核对后再确认",
                    );
                }
                Some((reason.to_string(), keys))
            }
        }
    };
    if !inv.is_empty() {
        return Err(inv.into());
    }
    // Claim the import first: on PostgreSQL this locks the row, so a concurrent confirmation
    // waits and then finds it no longer a draft.
    let now = now_ms();
    let claimed = sqlx::query(
        "UPDATE plan_imports SET status = 'confirmed', updated_at = $1 WHERE id = $2 AND status = 'draft'",
    )
    .bind(now)
    .bind(id)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if claimed != 1 {
        return Err(Invalid::one("status", ALREADY_CONFIRMED).into());
    }
    let plan_id = write_plan(conn, actor, id, &drafted.draft, now).await?;
    sqlx::query("UPDATE plan_imports SET plan_id = $1 WHERE id = $2")
        .bind(plan_id)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    let counts = counts(conn, plan_id).await?;
    audit::record(
        conn,
        actor,
        Entry {
            action: "plan.create",
            entity: "plan",
            entity_id: plan_id.to_string(),
            summary: format!(
                // 确认导入工作安排“X”：N 项任务、N 条职责、N 项公开义务、N 次反馈
                "确认导入工作安排“{}”\u{FF1A}{} 项任务、{} 条职责、{} 项公开义务、{} 次反馈",
                drafted.draft.title,
                counts.tasks,
                counts.duties,
                counts.obligations,
                counts.feedback_rounds
            ),
            before: Some(import_summary(id, &import.source_name, &import.plan, DRAFT)),
            after: Some(serde_json::json!({
                "plan_id": plan_id,
                "import_id": id,
                "title": drafted.draft.title,
                "year": drafted.draft.year,
                "counts": counts,
                "decisions": decisions,
                "lint_override": overridden.is_some(),
            })),
        },
    )
    .await?;
    if let Some((reason, keys)) = overridden {
        let mut codes: Vec<&str> = blocking.iter().map(|f| f.code.code()).collect();
        codes.dedup();
        codes.sort_unstable();
        codes.dedup();
        audit::record(
            conn,
            actor,
            Entry {
                action: "plan.confirm_override",
                entity: "plan",
                entity_id: plan_id.to_string(),
                summary: format!(
                    // 仍然确认工作安排“X”（N 个阻止确认的问题已核对）：理由
                    "仓然确认工作安排“{}”\u{FF08}{} 个阻止确认的问题已核对\u{FF09}\u{FF1A}{reason}",
                    drafted.draft.title,
                    blocking.len()
                ),
                before: None,
                after: Some(serde_json::json!({
                    "plan_id": plan_id,
                    "import_id": id,
                    "reason": reason,
                    "codes": codes,
                    "findings": blocking
                        .iter()
                        .zip(&keys)
                        .map(|(f, k)| serde_json::json!({"code": f.code, "key": k, "message": f.message}))
                        .collect::<Vec<_>>(),
                })),
            },
        )
        .await?;
    }
    Ok(plan_id)
}

async fn write_plan(
    conn: &mut AnyConnection,
    actor: &Actor,
    import_id: i64,
    d: &PlanDraft,
    now: i64,
) -> DbResult<i64> {
    let plan_id: i64 = sqlx::query_scalar(
        "INSERT INTO plans (title, issuer, issued_on, year, import_id, status, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, 'active', $6, $7) RETURNING id",
    )
    .bind(&d.title)
    .bind(&d.issuer)
    .bind(&d.issued_on)
    .bind(i64::from(d.year))
    .bind(import_id)
    .bind(actor.user_id)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    for (ti, task) in d.tasks.iter().enumerate() {
        let task_id: i64 = sqlx::query_scalar(
            "INSERT INTO plan_tasks (plan_id, number, title, section_path_json, sort_order) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(plan_id)
        .bind(i64::from(task.number))
        .bind(&task.title)
        .bind(serde_json::to_string(&task.section_path).unwrap_or_else(|_| "[]".into()))
        .bind(ti as i64)
        .fetch_one(&mut *conn)
        .await?;
        for (di, duty) in task.duties.iter().enumerate() {
            let duty_id: i64 = sqlx::query_scalar(
                "INSERT INTO plan_duties (task_id, text, clause, assessed, sort_order) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(task_id)
            .bind(&duty.text)
            .bind(&duty.clause)
            .bind(i64::from(duty.assessed))
            .bind(di as i64)
            .fetch_one(&mut *conn)
            .await?;
            for u in &duty.units {
                sqlx::query(
                    "INSERT INTO duty_units (duty_id, name_as_written, role, org_id, resolution) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(duty_id)
                .bind(&u.name_as_written)
                .bind(u.role.code())
                .bind(u.org_id)
                .bind(u.resolution)
                .execute(&mut *conn)
                .await?;
            }
            for dl in &duty.deadlines {
                sqlx::query("INSERT INTO duty_deadlines (duty_id, text, date) VALUES ($1, $2, $3)")
                    .bind(duty_id)
                    .bind(&dl.text)
                    .bind(&dl.date)
                    .execute(&mut *conn)
                    .await?;
            }
            for o in &duty.obligations {
                sqlx::query(
                    "INSERT INTO obligations (duty_id, org_id, column_id, cadence, cadence_text, due_rule, \
                     keywords, source, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(duty_id)
                .bind(o.org_id)
                .bind(o.column_id)
                .bind(&o.cadence)
                .bind(&o.cadence_text)
                .bind(&o.due_rule)
                .bind(serde_json::to_string(&o.keywords).unwrap_or_else(|_| "[]".into()))
                .bind(o.source.code())
                .bind(now)
                .execute(&mut *conn)
                .await?;
            }
            for f in &duty.feedback_rounds {
                sqlx::query(
                    "INSERT INTO feedback_rounds (duty_id, org_id, due_date, label, status, created_at) \
                     VALUES ($1, $2, $3, $4, 'open', $5)",
                )
                .bind(duty_id)
                .bind(f.org_id)
                .bind(&f.due_date)
                .bind(&f.label)
                .bind(now)
                .execute(&mut *conn)
                .await?;
            }
        }
    }
    Ok(plan_id)
}

/// Every confirmed plan, newest first.
pub async fn list_plans(conn: &mut AnyConnection) -> DbResult<Vec<PlanRow>> {
    Ok(
        sqlx::query_as("SELECT * FROM plans ORDER BY year DESC, id DESC")
            .fetch_all(conn)
            .await?,
    )
}

pub async fn get_plan(conn: &mut AnyConnection, id: i64) -> DbResult<PlanRow> {
    sqlx::query_as("SELECT * FROM plans WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(DbError::NotFound("工作安排不存在"))
}

pub async fn plan_by_title(conn: &mut AnyConnection, title: &str) -> DbResult<Option<PlanRow>> {
    Ok(
        sqlx::query_as("SELECT * FROM plans WHERE title = $1 ORDER BY id LIMIT 1")
            .bind(title)
            .fetch_optional(conn)
            .await?,
    )
}

pub async fn counts(conn: &mut AnyConnection, plan_id: i64) -> DbResult<PlanCounts> {
    const DUTIES: &str =
        "SELECT d.id FROM plan_duties d JOIN plan_tasks t ON t.id = d.task_id WHERE t.plan_id = $1";
    let mut c = PlanCounts::default();
    for (slot, sql) in [
        (
            &mut c.tasks,
            "SELECT COUNT(*) FROM plan_tasks WHERE plan_id = $1".to_string(),
        ),
        (&mut c.duties, format!("SELECT COUNT(*) FROM ({DUTIES}) x")),
        (
            &mut c.units,
            format!("SELECT COUNT(*) FROM duty_units WHERE duty_id IN ({DUTIES})"),
        ),
        (
            &mut c.deadlines,
            format!("SELECT COUNT(*) FROM duty_deadlines WHERE duty_id IN ({DUTIES})"),
        ),
        (
            &mut c.obligations,
            format!("SELECT COUNT(*) FROM obligations WHERE duty_id IN ({DUTIES})"),
        ),
        (
            &mut c.feedback_rounds,
            format!(
                "SELECT COUNT(*) FROM feedback_rounds WHERE duty_id IN ({DUTIES}) AND kind = 'feedback'"
            ),
        ),
        (
            &mut c.filings,
            format!(
                "SELECT COUNT(*) FROM feedback_rounds WHERE duty_id IN ({DUTIES}) AND kind <> 'feedback'"
            ),
        ),
    ] {
        *slot = sqlx::query_scalar(dyn_sql!("{sql}"))
            .bind(plan_id)
            .fetch_one(&mut *conn)
            .await?;
    }
    Ok(c)
}

/// A plan with everything under it, for the plan screens and supervision.
#[derive(Debug, Clone, Serialize)]
pub struct PlanTree {
    pub plan: PlanRow,
    pub tasks: Vec<TaskNode>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TaskNode {
    pub id: i64,
    pub number: i64,
    pub title: String,
    pub section_path: Vec<String>,
    pub duties: Vec<DutyNode>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DutyNode {
    pub id: i64,
    pub text: String,
    pub clause: Option<String>,
    pub assessed: bool,
    pub units: Vec<DutyUnitRow>,
    pub deadlines: Vec<DeadlineRow>,
    pub obligations: Vec<ObligationRow>,
    pub feedback_rounds: Vec<FeedbackRoundRow>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct DutyUnitRow {
    pub id: i64,
    pub duty_id: i64,
    pub name_as_written: String,
    /// lead / co / responsible
    pub role: String,
    pub org_id: Option<i64>,
    pub org_name: Option<String>,
    /// matched / collective / suspect / unknown / mapped
    pub resolution: String,
}

impl DutyUnitRow {
    /// 牵头 / 配合 / 负责
    pub fn role_label(&self) -> &'static str {
        planimport::Role::from_code(&self.role).map_or("", |r| r.label())
    }
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct DeadlineRow {
    pub id: i64,
    pub duty_id: i64,
    pub text: String,
    #[sqlx(try_from = "NullableDate")]
    pub date: Option<CivilDate>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ObligationRow {
    pub id: i64,
    pub duty_id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub column_id: Option<i64>,
    pub column_name: Option<String>,
    pub cadence: String,
    pub cadence_text: String,
    pub due_rule: Option<String>,
    /// JSON array of title keywords (`[]`: any item).
    pub keywords: String,
    /// `gongkai_domain::compliance::EvidenceSource` code.
    pub source: String,
    pub created_at: i64,
    /// The list page on another website the obligation is bound to (source `external`).
    pub external_list_id: Option<i64>,
    pub external_url: Option<String>,
}

impl ObligationRow {
    pub fn keyword_list(&self) -> Vec<String> {
        serde_json::from_str(&self.keywords).unwrap_or_default()
    }
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct FeedbackRoundRow {
    pub id: i64,
    pub duty_id: i64,
    pub org_id: i64,
    pub org_name: String,
    #[sqlx(try_from = "String")]
    pub due_date: CivilDate,
    pub label: String,
    pub status: String,
    pub created_at: i64,
}

#[derive(sqlx::FromRow)]
struct TaskDbRow {
    id: i64,
    number: i64,
    title: String,
    section_path_json: String,
}

#[derive(sqlx::FromRow)]
struct DutyDbRow {
    id: i64,
    task_id: i64,
    text: String,
    clause: Option<String>,
    assessed: i64,
}

const PLAN_DUTIES: &str =
    "SELECT d.id FROM plan_duties d JOIN plan_tasks t ON t.id = d.task_id WHERE t.plan_id = $1";

fn group<T>(rows: Vec<T>, key: impl Fn(&T) -> i64) -> BTreeMap<i64, Vec<T>> {
    let mut m: BTreeMap<i64, Vec<T>> = BTreeMap::new();
    for r in rows {
        m.entry(key(&r)).or_default().push(r);
    }
    m
}

/// The plan's tasks → duties → units, deadlines, obligations and feedback rounds, in document
/// order, with organisation and column names.
pub async fn plan_tree(conn: &mut AnyConnection, plan_id: i64) -> DbResult<PlanTree> {
    let plan = get_plan(conn, plan_id).await?;
    let tasks: Vec<TaskDbRow> = sqlx::query_as(
        "SELECT id, number, title, section_path_json FROM plan_tasks WHERE plan_id = $1 ORDER BY sort_order, id",
    )
    .bind(plan_id)
    .fetch_all(&mut *conn)
    .await?;
    let duties: Vec<DutyDbRow> = sqlx::query_as(
        "SELECT d.id, d.task_id, d.text, d.clause, d.assessed FROM plan_duties d \
         JOIN plan_tasks t ON t.id = d.task_id WHERE t.plan_id = $1 ORDER BY d.task_id, d.sort_order, d.id",
    )
    .bind(plan_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut units = group(
        sqlx::query_as::<_, DutyUnitRow>(dyn_sql!(
            "SELECT u.id, u.duty_id, u.name_as_written, u.role, u.org_id, o.name AS org_name, u.resolution \
             FROM duty_units u LEFT JOIN organisations o ON o.id = u.org_id \
             WHERE u.duty_id IN ({PLAN_DUTIES}) ORDER BY u.id"
        ))
        .bind(plan_id)
        .fetch_all(&mut *conn)
        .await?,
        |r| r.duty_id,
    );
    let mut deadlines = group(
        sqlx::query_as::<_, DeadlineRow>(dyn_sql!(
            "SELECT id, duty_id, text, date FROM duty_deadlines WHERE duty_id IN ({PLAN_DUTIES}) ORDER BY id"
        ))
        .bind(plan_id)
        .fetch_all(&mut *conn)
        .await?,
        |r| r.duty_id,
    );
    let mut obligations = group(
        sqlx::query_as::<_, ObligationRow>(dyn_sql!(
            "SELECT b.id, b.duty_id, b.org_id, o.name AS org_name, b.column_id, c.name AS column_name, \
             b.cadence, b.cadence_text, b.due_rule, b.keywords, b.source, b.created_at, \
             b.external_list_id, x.url AS external_url \
             FROM obligations b JOIN organisations o ON o.id = b.org_id \
             LEFT JOIN columns c ON c.id = b.column_id \
             LEFT JOIN external_lists x ON x.id = b.external_list_id \
             WHERE b.duty_id IN ({PLAN_DUTIES}) ORDER BY b.id"
        ))
        .bind(plan_id)
        .fetch_all(&mut *conn)
        .await?,
        |r| r.duty_id,
    );
    let mut rounds = group(
        sqlx::query_as::<_, FeedbackRoundRow>(dyn_sql!(
            "SELECT f.id, f.duty_id, f.org_id, o.name AS org_name, f.due_date, f.label, f.status, f.created_at \
             FROM feedback_rounds f JOIN organisations o ON o.id = f.org_id \
             WHERE f.duty_id IN ({PLAN_DUTIES}) AND f.kind = 'feedback' ORDER BY f.id"
        ))
        .bind(plan_id)
        .fetch_all(&mut *conn)
        .await?,
        |r| r.duty_id,
    );
    let mut by_task = group(duties, |d| d.task_id);
    let tasks = tasks
        .into_iter()
        .map(|t| TaskNode {
            duties: by_task
                .remove(&t.id)
                .unwrap_or_default()
                .into_iter()
                .map(|d| DutyNode {
                    units: units.remove(&d.id).unwrap_or_default(),
                    deadlines: deadlines.remove(&d.id).unwrap_or_default(),
                    obligations: obligations.remove(&d.id).unwrap_or_default(),
                    feedback_rounds: rounds.remove(&d.id).unwrap_or_default(),
                    id: d.id,
                    text: d.text,
                    clause: d.clause,
                    assessed: d.assessed != 0,
                })
                .collect(),
            id: t.id,
            number: t.number,
            title: t.title,
            section_path: serde_json::from_str(&t.section_path_json).unwrap_or_default(),
        })
        .collect();
    Ok(PlanTree { plan, tasks })
}

/// The blocking lint findings a person reviewed in a shipped arrangement, with the reason it is
/// confirmed anyway (written to the audit log like any override). A finding not listed here stops
/// the built-in import: it means the parser or the lint changed, and a person must look again.
struct BuiltinOverride {
    key: &'static str,
    /// [`Finding::key`]s
    findings: &'static [&'static str],
    reason: &'static str,
}

const BUILTIN_OVERRIDES: &[BuiltinOverride] = &[BuiltinOverride {
    key: "panjin-2017",
    findings: &[
        "closing_section_as_task@23",
        "closing_section_as_task@24",
        "closing_section_as_task@25",
        "closing_section_as_task@26",
        "closing_section_as_task@27",
        "closing_section_as_task@28",
        "duty_without_units@23.1",
        "duty_without_units@24.1",
        "duty_without_units@25.1",
        "duty_without_units@26.1",
        "duty_without_units@27.1",
        "duty_without_units@28.1",
    ],
    // Reviewed by a person: tasks 23 to 28 are numbered tasks of the part 相关工作要求, addressed to
    // everyone, with no unit named; kept as written (no obligations, no rounds).
    reason: "内置工作安排已人工核对\u{FF1A}原文第二部分“相关工作要求”下的任务23至28是编号连续的具体任务\u{FF0C}面向各地区各部门\u{FF0C}原文没有写明责任单位\u{FF0C}按原文保留为任务\u{FF08}不生成公开义务和反馈\u{FF09}\u{FF1B}任务23要求的实施方案备案和规范性文件月报在计划页面的“报送事项”中开启",
}];

fn builtin_regression(key: &str, blocking: &[Finding]) -> DbError {
    DbError::Config(format!(
        "内置工作安排“{key}”有未经核对的阻止确认的问题\u{FF1A}{}",
        blocking
            .iter()
            .map(|f| format!("{}\u{FF08}{}\u{FF09}", f.message, f.key()))
            .collect::<Vec<_>>()
            .join("\u{FF1B}")
    ))
}

/// The outcome of [`import_builtin`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BuiltinImport {
    pub plan_id: i64,
    /// `None` when a plan with the same title already existed and nothing was imported.
    pub import_id: Option<i64>,
    /// How many blocking lint findings were confirmed anyway with the shipped reason (audited).
    pub overridden: usize,
}

/// Imports and confirms a shipped arrangement (`panjin-2017`) with its shipped decisions, the
/// organisations and columns looked up by name and slug. Idempotent: when a plan with the same
/// title exists, nothing is written and that plan is returned.
pub async fn import_builtin(
    conn: &mut AnyConnection,
    actor: &Actor,
    key: &str,
) -> DbResult<BuiltinImport> {
    let Some(b) = builtin::find(key) else {
        return Err(Invalid::one(
            "builtin",
            format!(
                "没有名为“{key}”的内置工作安排\u{FF08}可用\u{FF1A}{}\u{FF09}",
                builtin::keys().join("、")
            ),
        )
        .into());
    };
    let plan = b
        .plan()
        .map_err(|e| DbError::Config(format!("内置工作安排“{key}”无法解析\u{FF1A}{e}")))?;
    let title = plan.title.clone().unwrap_or_default();
    if let Some(existing) = plan_by_title(conn, &title).await? {
        return Ok(BuiltinImport {
            plan_id: existing.id,
            import_id: None,
            overridden: 0,
        });
    }
    let named = b.named().map_err(DbError::Config)?;
    let orgs = crate::orgs::all(conn).await?;
    let aliases: Vec<(String, i64)> =
        sqlx::query_as("SELECT alias, organisation_id FROM organisation_aliases")
            .fetch_all(&mut *conn)
            .await?;
    let site = crate::columns::default_site(conn).await?;
    let columns = crate::columns::all(conn, site.id).await?;
    let decisions = b
        .decisions(
            &plan,
            |name| {
                orgs.iter()
                    .find(|o| o.name == name)
                    .map(|o| o.id)
                    .or_else(|| aliases.iter().find(|(a, _)| a == name).map(|(_, id)| *id))
            },
            |slug| columns.iter().find(|c| c.slug == slug).map(|c| c.id),
        )
        .map_err(|problems| {
            let mut inv = Invalid::default();
            for p in problems {
                inv.push("builtin", p);
            }
            DbError::Invalid(inv)
        })?;
    let import_id = create_import(conn, actor, &named.source_name, b.text, &plan).await?;
    let blocking: Vec<Finding> = lint::lint(&plan, b.text)
        .into_iter()
        .filter(Finding::is_blocking)
        .collect();
    let lint_override = if blocking.is_empty() {
        None
    } else {
        let Some(known) = BUILTIN_OVERRIDES.iter().find(|o| o.key == key) else {
            return Err(builtin_regression(key, &blocking));
        };
        if !blocking
            .iter()
            .all(|f| known.findings.contains(&f.key().as_str()))
        {
            return Err(builtin_regression(key, &blocking));
        }
        Some(LintOverride {
            reason: known.reason.to_string(),
            seen: None,
        })
    };
    let plan_id =
        confirm_import_with(conn, actor, import_id, &decisions, lint_override.as_ref()).await?;
    Ok(BuiltinImport {
        plan_id,
        import_id: Some(import_id),
        overridden: if lint_override.is_some() {
            blocking.len()
        } else {
            0
        },
    })
}

/// Binds (or, with `None`, unbinds) the column in which a confirmed plan's duty publishes the
/// obligations of one cadence, for every reporting organisation of the duty: the plan edit a
/// supervisor makes after confirmation. The compliance report follows at once (it is recomputed
/// on every call). Refused with a Chinese message, writing nothing, when the duty is not part of
/// the plan, has no obligation of that cadence, or the column does not exist. Returns how many
/// obligations changed.
pub async fn set_obligation_column(
    conn: &mut AnyConnection,
    actor: &Actor,
    plan_id: i64,
    duty_id: i64,
    cadence: &str,
    column_id: Option<i64>,
) -> DbResult<u64> {
    let plan = get_plan(conn, plan_id).await?;
    let before: Vec<(i64, Option<i64>)> = sqlx::query_as(
        "SELECT o.id, o.column_id FROM obligations o JOIN plan_duties d ON d.id = o.duty_id \
         JOIN plan_tasks t ON t.id = d.task_id \
         WHERE t.plan_id = $1 AND o.duty_id = $2 AND o.cadence = $3 ORDER BY o.id",
    )
    .bind(plan_id)
    .bind(duty_id)
    .bind(cadence)
    .fetch_all(&mut *conn)
    .await?;
    if before.is_empty() {
        return Err(
            Invalid::one("cadence", "该职责没有这一公开义务\u{FF0C}请刷新页面后重试").into(),
        );
    }
    let column_name = match column_id {
        None => None,
        Some(c) => Some(
            sqlx::query_scalar::<_, String>("SELECT name FROM columns WHERE id = $1")
                .bind(c)
                .fetch_optional(&mut *conn)
                .await?
                .ok_or_else(|| DbError::from(Invalid::one("column_id", "所选栏目不存在")))?,
        ),
    };
    // A portal column replaces a department website's list (`external_lists::bind`).
    let external: u64 = if column_id.is_some() {
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM obligations WHERE duty_id = $1 AND cadence = $2 \
             AND source = 'external'",
        )
        .bind(duty_id)
        .bind(cadence)
        .fetch_one(&mut *conn)
        .await?
        .try_into()
        .unwrap_or(0)
    } else {
        0
    };
    let changed = (before.iter().filter(|(_, c)| *c != column_id).count() as u64).max(external);
    if changed > 0 {
        sqlx::query(
            "UPDATE obligations SET column_id = $1, external_list_id = NULL, \
             source = CASE WHEN source = 'external' THEN 'items' ELSE source END \
             WHERE duty_id = $2 AND cadence = $3 AND ($1 IS NOT NULL OR source <> 'external')",
        )
        .bind(column_id)
        .bind(duty_id)
        .bind(cadence)
        .execute(&mut *conn)
        .await?;
        audit::record(
            conn,
            actor,
            Entry {
                action: "plan.obligation_column",
                entity: "plan",
                entity_id: plan_id.to_string(),
                summary: format!(
                    "《{}》职责 {duty_id} 的“{cadence}”公开义务{}",
                    plan.title,
                    match &column_name {
                        Some(n) => format!("指定栏目“{n}”"),
                        None => "取消指定栏目".to_string(),
                    }
                ),
                before: Some(serde_json::json!({"obligations": before
                    .iter()
                    .map(|(id, c)| serde_json::json!({"id": id, "column_id": c}))
                    .collect::<Vec<_>>()})),
                after: Some(serde_json::json!({"duty_id": duty_id, "cadence": cadence, "column_id": column_id})),
            },
        )
        .await?;
    }
    Ok(changed)
}

/// Sets where a duty's obligations of a cadence find their evidence (an `EvidenceSource` code:
/// a column's items, or the system's own records such as the service catalogue); audited.
/// Returns how many obligations changed.
pub async fn set_obligation_source(
    conn: &mut AnyConnection,
    actor: &Actor,
    plan_id: i64,
    duty_id: i64,
    cadence: &str,
    source: gongkai_domain::compliance::EvidenceSource,
) -> DbResult<u64> {
    let plan = get_plan(conn, plan_id).await?;
    let before: Vec<(i64, String)> = sqlx::query_as(
        "SELECT o.id, o.source FROM obligations o JOIN plan_duties d ON d.id = o.duty_id \
         JOIN plan_tasks t ON t.id = d.task_id \
         WHERE t.plan_id = $1 AND o.duty_id = $2 AND o.cadence = $3 ORDER BY o.id",
    )
    .bind(plan_id)
    .bind(duty_id)
    .bind(cadence)
    .fetch_all(&mut *conn)
    .await?;
    if before.is_empty() {
        return Err(
            Invalid::one("cadence", "该职责没有这一公开义务\u{FF0C}请刷新页面后重试").into(),
        );
    }
    let changed = before.iter().filter(|(_, s)| s != source.code()).count() as u64;
    if changed > 0 {
        sqlx::query("UPDATE obligations SET source = $1 WHERE duty_id = $2 AND cadence = $3")
            .bind(source.code())
            .bind(duty_id)
            .bind(cadence)
            .execute(&mut *conn)
            .await?;
        audit::record(
            conn,
            actor,
            Entry {
                action: "plan.obligation_source",
                entity: "plan",
                entity_id: plan_id.to_string(),
                summary: format!(
                    "\u{300A}{}\u{300B}职责 {duty_id} 的\u{201C}{cadence}\u{201D}公开义务改为依据{}核查",
                    plan.title,
                    source.label()
                ),
                before: Some(serde_json::json!({"obligations": before
                    .iter()
                    .map(|(id, s)| serde_json::json!({"id": id, "source": s}))
                    .collect::<Vec<_>>()})),
                after: Some(serde_json::json!({"duty_id": duty_id, "cadence": cadence, "source": source.code()})),
            },
        )
        .await?;
    }
    Ok(changed)
}
