//! Edits of plans without rebuilding them: a reviewer's edit of a draft import's parsed plan (one
//! form at a time), and a supervisor's edits of a confirmed plan's rows in place, each recorded as
//! a numbered revision (`plan_revisions`, the revision list) and in the audit log; archiving a plan.
//!
//! A confirmed plan's tree is never rebuilt: its duties, obligations and feedback rounds are
//! referenced by feedback submissions and recorded events.

use crate::audit::{self, Entry};
use crate::{Actor, DbError, DbResult, now_ms};
use gongkai_domain::Invalid;
use gongkai_domain::plan::Plan;
use serde::Serialize;
use sqlx::{Any, AnyConnection, Database, Row};

type AnyQuery<'q> = sqlx::query::Query<'q, Any, <Any as Database>::Arguments>;

/// Plan statuses.
pub const ACTIVE: &str = "active";
pub const ARCHIVED: &str = "archived";

/// 执行中 / 已归档
pub fn plan_status_label(status: &str) -> &'static str {
    match status {
        ARCHIVED => "\u{5DF2}\u{5F52}\u{6863}",
        _ => "\u{6267}\u{884C}\u{4E2D}",
    }
}

/// Saves a reviewer's edit of a draft import's parsed plan; `summary` says what changed (Chinese).
/// Refused, writing nothing, when the import is not a draft.
pub async fn save_import_edit(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    before: &Plan,
    after: &Plan,
    summary: &str,
) -> DbResult<()> {
    let json = serde_json::to_string(after).map_err(|e| {
        DbError::Config(format!(
            "\u{5DE5}\u{4F5C}\u{5B89}\u{6392}\u{65E0}\u{6CD5}\u{4FDD}\u{5B58}\u{FF1A}{e}"
        ))
    })?;
    let changed = sqlx::query(
        "UPDATE plan_imports SET parsed_json = $1, updated_at = $2 WHERE id = $3 AND status = 'draft'",
    )
    .bind(json)
    .bind(now_ms())
    .bind(id)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if changed != 1 {
        // 该导入已确认或已放弃，不能再修改
        return Err(Invalid::one(
            "status",
            "\u{8BE5}\u{5BFC}\u{5165}\u{5DF2}\u{786E}\u{8BA4}\u{6216}\u{5DF2}\u{653E}\u{5F03}\u{FF0C}\u{4E0D}\u{80FD}\u{518D}\u{4FEE}\u{6539}",
        )
        .into());
    }
    audit::record(
        conn,
        actor,
        Entry {
            action: "plan_import.edit",
            entity: "plan_import",
            entity_id: id.to_string(),
            summary: summary.to_string(),
            before: serde_json::to_value(before).ok(),
            after: serde_json::to_value(after).ok(),
        },
    )
    .await?;
    Ok(())
}

/// One line of a plan's 修订记录.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct RevisionRow {
    pub id: i64,
    pub plan_id: i64,
    pub revision: i64,
    pub summary: String,
    pub changes_json: String,
    pub created_by: Option<i64>,
    pub actor_name: String,
    pub created_at: i64,
}

/// A plan's revisions, newest first.
pub async fn revisions(conn: &mut AnyConnection, plan_id: i64) -> DbResult<Vec<RevisionRow>> {
    Ok(
        sqlx::query_as("SELECT * FROM plan_revisions WHERE plan_id = $1 ORDER BY revision DESC")
            .bind(plan_id)
            .fetch_all(conn)
            .await?,
    )
}

/// The plan's current revision number (0: as confirmed).
pub async fn current_revision(conn: &mut AnyConnection, plan_id: i64) -> DbResult<i64> {
    Ok(sqlx::query_scalar::<_, Option<i64>>(
        "SELECT MAX(revision) FROM plan_revisions WHERE plan_id = $1",
    )
    .bind(plan_id)
    .fetch_one(conn)
    .await?
    .unwrap_or(0))
}

/// Records one revision of a confirmed plan (the next number) and its audit entry, in the
/// caller's transaction; returns the revision number.
pub async fn record_revision(
    conn: &mut AnyConnection,
    actor: &Actor,
    plan_id: i64,
    summary: &str,
    changes: serde_json::Value,
) -> DbResult<i64> {
    let revision = current_revision(conn, plan_id).await? + 1;
    sqlx::query(
        "INSERT INTO plan_revisions (plan_id, revision, summary, changes_json, created_by, actor_name, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(plan_id)
    .bind(revision)
    .bind(summary)
    .bind(changes.to_string())
    .bind(actor.user_id)
    .bind(&actor.name)
    .bind(now_ms())
    .execute(&mut *conn)
    .await
    .map_err(|e| match e {
        // Two edits at once: the unique (plan_id, revision) refuses the second.
        sqlx::Error::Database(d) if d.is_unique_violation() => DbError::Stale,
        other => other.into(),
    })?;
    audit::record(
        conn,
        actor,
        Entry {
            action: "plan.revise",
            entity: "plan",
            entity_id: plan_id.to_string(),
            // 第N次修订：…
            summary: format!("\u{7B2C}{revision}\u{6B21}\u{4FEE}\u{8BA2}\u{FF1A}{summary}"),
            before: None,
            after: Some(serde_json::json!({"revision": revision, "changes": changes})),
        },
    )
    .await?;
    Ok(revision)
}

/// An obligation of a confirmed plan with what its edit form shows.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PlanObligation {
    pub id: i64,
    pub duty_id: i64,
    pub task_number: i64,
    pub org_id: i64,
    pub org_name: String,
    pub column_id: Option<i64>,
    pub column_name: Option<String>,
    pub cadence: String,
    pub cadence_text: String,
    pub due_rule: Option<String>,
    /// JSON array of evidence keywords.
    pub keywords: String,
}

/// An obligation of the plan; `NotFound` when it is not one of the plan's.
pub async fn obligation(
    conn: &mut AnyConnection,
    plan_id: i64,
    obligation_id: i64,
) -> DbResult<PlanObligation> {
    sqlx::query_as(
        "SELECT b.id, b.duty_id, t.number AS task_number, b.org_id, o.name AS org_name, b.column_id, \
                c.name AS column_name, b.cadence, b.cadence_text, b.due_rule, b.keywords \
         FROM obligations b JOIN plan_duties d ON d.id = b.duty_id JOIN plan_tasks t ON t.id = d.task_id \
         JOIN organisations o ON o.id = b.org_id LEFT JOIN columns c ON c.id = b.column_id \
         WHERE t.plan_id = $1 AND b.id = $2",
    )
    .bind(plan_id)
    .bind(obligation_id)
    .fetch_optional(conn)
    .await?
    // 该公开义务不存在或不属于这份工作安排
    .ok_or(DbError::NotFound(
        "\u{8BE5}\u{516C}\u{5F00}\u{4E49}\u{52A1}\u{4E0D}\u{5B58}\u{5728}\u{6216}\u{4E0D}\u{5C5E}\u{4E8E}\u{8FD9}\u{4EFD}\u{5DE5}\u{4F5C}\u{5B89}\u{6392}",
    ))
}

/// The task number of a duty of the plan; `NotFound` when the duty is not the plan's.
pub async fn duty_task_number(
    conn: &mut AnyConnection,
    plan_id: i64,
    duty_id: i64,
) -> DbResult<i64> {
    sqlx::query_scalar(
        "SELECT t.number FROM plan_duties d JOIN plan_tasks t ON t.id = d.task_id WHERE t.plan_id = $1 AND d.id = $2",
    )
    .bind(plan_id)
    .bind(duty_id)
    .fetch_optional(conn)
    .await?
    // 该职责不属于这份工作安排
    .ok_or(DbError::NotFound(
        "\u{8BE5}\u{804C}\u{8D23}\u{4E0D}\u{5C5E}\u{4E8E}\u{8FD9}\u{4EFD}\u{5DE5}\u{4F5C}\u{5B89}\u{6392}",
    ))
}

/// What an obligation becomes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ObligationValues {
    pub org_id: i64,
    pub column_id: Option<i64>,
    pub cadence: String,
    pub cadence_text: String,
    pub due_rule: Option<String>,
    /// Evidence keywords (`[]`: any item).
    pub keywords: Vec<String>,
}

impl ObligationValues {
    fn keywords_json(&self) -> String {
        serde_json::to_string(&self.keywords).unwrap_or_else(|_| "[]".into())
    }

    /// Binds the values as `$1`…`$6` (organisation, column, cadence, its text, due rule, keywords).
    fn bind_first<'q>(&self, query: AnyQuery<'q>) -> AnyQuery<'q> {
        query
            .bind(self.org_id)
            .bind(self.column_id)
            .bind(&self.cadence)
            .bind(&self.cadence_text)
            .bind(&self.due_rule)
            .bind(self.keywords_json())
    }
}

async fn check_refs(conn: &mut AnyConnection, v: &ObligationValues) -> DbResult<()> {
    let mut inv = Invalid::default();
    let org: Option<i64> = sqlx::query_scalar("SELECT id FROM organisations WHERE id = $1")
        .bind(v.org_id)
        .fetch_optional(&mut *conn)
        .await?;
    if org.is_none() {
        // 所选单位不存在
        inv.push(
            "org_id",
            "\u{6240}\u{9009}\u{5355}\u{4F4D}\u{4E0D}\u{5B58}\u{5728}",
        );
    }
    if let Some(c) = v.column_id {
        let col: Option<i64> = sqlx::query_scalar("SELECT id FROM columns WHERE id = $1")
            .bind(c)
            .fetch_optional(&mut *conn)
            .await?;
        if col.is_none() {
            // 所选栏目不存在
            inv.push(
                "column_id",
                "\u{6240}\u{9009}\u{680F}\u{76EE}\u{4E0D}\u{5B58}\u{5728}",
            );
        }
    }
    Ok(inv.into_result()?)
}

/// Changes an obligation in place; `Ok(false)` when nothing differs (no revision).
pub async fn update_obligation(
    conn: &mut AnyConnection,
    actor: &Actor,
    plan_id: i64,
    obligation_id: i64,
    v: &ObligationValues,
    summary: &str,
) -> DbResult<bool> {
    let before = obligation(conn, plan_id, obligation_id).await?;
    check_refs(conn, v).await?;
    let same = before.org_id == v.org_id
        && before.column_id == v.column_id
        && before.cadence == v.cadence
        && before.cadence_text == v.cadence_text
        && before.due_rule == v.due_rule
        && serde_json::from_str::<Vec<String>>(&before.keywords).unwrap_or_default() == v.keywords;
    if same {
        return Ok(false);
    }
    v.bind_first(sqlx::query(
        "UPDATE obligations SET org_id = $1, column_id = $2, cadence = $3, cadence_text = $4, due_rule = $5, \
         keywords = $6 WHERE id = $7",
    ))
    .bind(obligation_id)
    .execute(&mut *conn)
    .await?;
    record_revision(
        conn,
        actor,
        plan_id,
        summary,
        serde_json::json!({"obligation_id": obligation_id, "before": before, "after": v}),
    )
    .await?;
    Ok(true)
}

/// Adds an obligation to a duty of the plan; returns its id.
pub async fn add_obligation(
    conn: &mut AnyConnection,
    actor: &Actor,
    plan_id: i64,
    duty_id: i64,
    v: &ObligationValues,
    summary: &str,
) -> DbResult<i64> {
    duty_task_number(conn, plan_id, duty_id).await?;
    check_refs(conn, v).await?;
    let id: i64 = v
        .bind_first(sqlx::query(
            "INSERT INTO obligations (org_id, column_id, cadence, cadence_text, due_rule, keywords, duty_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        ))
        .bind(duty_id)
        .bind(now_ms())
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
    record_revision(
        conn,
        actor,
        plan_id,
        summary,
        serde_json::json!({"obligation_id": id, "duty_id": duty_id, "after": v}),
    )
    .await?;
    Ok(id)
}

/// Removes an obligation of the plan. Refused while events are recorded against it (they would be
/// lost with it).
pub async fn remove_obligation(
    conn: &mut AnyConnection,
    actor: &Actor,
    plan_id: i64,
    obligation_id: i64,
    summary: &str,
) -> DbResult<()> {
    let before = obligation(conn, plan_id, obligation_id).await?;
    let events: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM recorded_events WHERE obligation_id = $1")
            .bind(obligation_id)
            .fetch_one(&mut *conn)
            .await?;
    if events > 0 {
        // 该公开义务已登记 N 个事件，不能删除；可以修改它的频次、栏目或单位
        return Err(Invalid::one(
            "obligation",
            format!(
                "\u{8BE5}\u{516C}\u{5F00}\u{4E49}\u{52A1}\u{5DF2}\u{767B}\u{8BB0} {events} \u{4E2A}\u{4E8B}\u{4EF6}\u{FF0C}\u{4E0D}\u{80FD}\u{5220}\u{9664}\u{FF1B}\u{53EF}\u{4EE5}\u{4FEE}\u{6539}\u{5B83}\u{7684}\u{9891}\u{6B21}\u{3001}\u{680F}\u{76EE}\u{6216}\u{5355}\u{4F4D}"
            ),
        )
        .into());
    }
    sqlx::query("DELETE FROM obligations WHERE id = $1")
        .bind(obligation_id)
        .execute(&mut *conn)
        .await?;
    record_revision(
        conn,
        actor,
        plan_id,
        summary,
        serde_json::json!({"obligation_id": obligation_id, "before": before}),
    )
    .await?;
    Ok(())
}

/// A task of the plan: its number and title; `NotFound` when it is not the plan's.
pub async fn task(conn: &mut AnyConnection, plan_id: i64, task_id: i64) -> DbResult<(i64, String)> {
    sqlx::query_as("SELECT number, title FROM plan_tasks WHERE plan_id = $1 AND id = $2")
        .bind(plan_id)
        .bind(task_id)
        .fetch_optional(conn)
        .await?
        // 该任务不属于这份工作安排
        .ok_or(DbError::NotFound(
            "\u{8BE5}\u{4EFB}\u{52A1}\u{4E0D}\u{5C5E}\u{4E8E}\u{8FD9}\u{4EFD}\u{5DE5}\u{4F5C}\u{5B89}\u{6392}",
        ))
}

/// Renames a task of the plan; `Ok(false)` when the title is unchanged.
pub async fn set_task_title(
    conn: &mut AnyConnection,
    actor: &Actor,
    plan_id: i64,
    task_id: i64,
    title: &str,
    summary: &str,
) -> DbResult<bool> {
    let (_, before) = task(conn, plan_id, task_id).await?;
    if before == title {
        return Ok(false);
    }
    sqlx::query("UPDATE plan_tasks SET title = $1 WHERE id = $2")
        .bind(title)
        .bind(task_id)
        .execute(&mut *conn)
        .await?;
    record_revision(
        conn,
        actor,
        plan_id,
        summary,
        serde_json::json!({"task_id": task_id, "before": before, "after": title}),
    )
    .await?;
    Ok(true)
}

/// Archives or restores a plan; `Ok(false)` when it already has that status.
pub async fn set_status(
    conn: &mut AnyConnection,
    actor: &Actor,
    plan_id: i64,
    status: &str,
    summary: &str,
) -> DbResult<bool> {
    let before: String = sqlx::query_scalar("SELECT status FROM plans WHERE id = $1")
        .bind(plan_id)
        .fetch_optional(&mut *conn)
        .await?
        // 工作安排不存在
        .ok_or(DbError::NotFound(
            "\u{5DE5}\u{4F5C}\u{5B89}\u{6392}\u{4E0D}\u{5B58}\u{5728}",
        ))?;
    if before == status {
        return Ok(false);
    }
    sqlx::query("UPDATE plans SET status = $1 WHERE id = $2")
        .bind(status)
        .bind(plan_id)
        .execute(&mut *conn)
        .await?;
    record_revision(
        conn,
        actor,
        plan_id,
        summary,
        serde_json::json!({"status": {"before": before, "after": status}}),
    )
    .await?;
    Ok(true)
}

/// The plans not archived, newest first (the active lists).
pub async fn active_plans(conn: &mut AnyConnection) -> DbResult<Vec<crate::plans::PlanRow>> {
    Ok(
        sqlx::query_as(
            "SELECT * FROM plans WHERE status <> 'archived' ORDER BY year DESC, id DESC",
        )
        .fetch_all(conn)
        .await?,
    )
}
