//! Recorded events (`recorded_events`, migration `0009_events`; rules in `domain::event`): a unit
//! records a press conference, policy briefing, online interview or public meeting against one of
//! its obligations, and the compliance report counts it as evidence beside published items.
//! Writes are audited in the caller's transaction.

use crate::audit::{self, Entry};
use crate::{Actor, DbError, DbResult, now_ms};
use gongkai_domain::CivilDate;
use gongkai_domain::Invalid;
use gongkai_domain::event::{EventInput, EventKind};
use serde::Serialize;
use sqlx::AnyConnection;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct EventRow {
    pub id: i64,
    pub obligation_id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub kind: String,
    pub title: String,
    #[sqlx(try_from = "String")]
    pub held_on: CivilDate,
    pub url: Option<String>,
    pub note: String,
    pub created_at: i64,
    pub plan_id: i64,
    pub task_number: i64,
    pub cadence: String,
}

impl EventRow {
    pub fn kind_label(&self) -> &'static str {
        EventKind::from_code(&self.kind).map_or("其他活动", EventKind::label)
    }
}

const SELECT: &str = "SELECT e.id, e.obligation_id, e.org_id, o.name AS org_name, e.kind, e.title, \
     e.held_on, e.url, e.note, e.created_at, t.plan_id, t.number AS task_number, ob.cadence \
     FROM recorded_events e \
     JOIN organisations o ON o.id = e.org_id \
     JOIN obligations ob ON ob.id = e.obligation_id \
     JOIN plan_duties d ON d.id = ob.duty_id \
     JOIN plan_tasks t ON t.id = d.task_id";

/// Events of a plan, newest first; `orgs` limits them to those organisations (`None`: all).
pub async fn list_for_plan(
    conn: &mut AnyConnection,
    plan_id: i64,
    orgs: Option<&[i64]>,
) -> DbResult<Vec<EventRow>> {
    let mut rows: Vec<EventRow> = sqlx::query_as(dyn_sql!(
        "{SELECT} WHERE t.plan_id = $1 ORDER BY e.held_on DESC, e.id DESC"
    ))
    .bind(plan_id)
    .fetch_all(conn)
    .await?;
    if let Some(orgs) = orgs {
        rows.retain(|r| orgs.contains(&r.org_id));
    }
    Ok(rows)
}

/// The organisation an obligation reports for, and its plan; `NotFound` when there is none.
pub async fn obligation_owner(
    conn: &mut AnyConnection,
    obligation_id: i64,
) -> DbResult<(i64, i64)> {
    sqlx::query_as(
        "SELECT ob.org_id, t.plan_id FROM obligations ob JOIN plan_duties d ON d.id = ob.duty_id \
         JOIN plan_tasks t ON t.id = d.task_id WHERE ob.id = $1",
    )
    .bind(obligation_id)
    .fetch_optional(conn)
    .await?
    .ok_or(DbError::NotFound("公开义务不存在"))
}

/// Records an event for its obligation's organisation. The caller has checked that the actor may
/// act for that organisation. Refused in Chinese, writing nothing, for a date outside the plan's
/// year (± one year for reports filed late).
pub async fn record(conn: &mut AnyConnection, actor: &Actor, input: &EventInput) -> DbResult<i64> {
    let (org_id, plan_id) = obligation_owner(conn, input.obligation_id).await?;
    let year: i64 = sqlx::query_scalar("SELECT year FROM plans WHERE id = $1")
        .bind(plan_id)
        .fetch_one(&mut *conn)
        .await?;
    let held_year = i64::from(chrono::Datelike::year(&input.held_on));
    if (held_year - year).abs() > 1 {
        return Err(Invalid::one(
            "held_on",
            format!("举办日期 {} 不在{year}年度工作安排的期间内", input.held_on),
        )
        .into());
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO recorded_events (obligation_id, org_id, kind, title, held_on, url, note, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(input.obligation_id)
    .bind(org_id)
    .bind(input.kind.code())
    .bind(&input.title)
    .bind(input.held_on.to_string())
    .bind(&input.url)
    .bind(&input.note)
    .bind(actor.user_id)
    .bind(now_ms())
    .fetch_one(&mut *conn)
    .await?;
    let summary = format!(
        "记录{}“{}”（{}）",
        input.kind.label(),
        input.title,
        input.held_on
    );
    let after = serde_json::json!({
        "obligation_id": input.obligation_id, "org_id": org_id, "kind": input.kind.code(),
        "title": input.title, "held_on": input.held_on.to_string(), "url": input.url,
    });
    audit::record(
        conn,
        actor,
        Entry::created("event.record", "recorded_event", id, summary, Some(after)),
    )
    .await?;
    Ok(id)
}

/// Deletes an event (a mistaken record), audited with what it was. Returns its organisation.
pub async fn delete(conn: &mut AnyConnection, actor: &Actor, id: i64) -> DbResult<i64> {
    let row: EventRow = sqlx::query_as(dyn_sql!("{SELECT} WHERE e.id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(DbError::NotFound("活动记录不存在"))?;
    sqlx::query("DELETE FROM recorded_events WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    audit::record(
        conn,
        actor,
        Entry {
            action: "event.delete",
            entity: "recorded_event",
            entity_id: id.to_string(),
            summary: format!("删除{}“{}”", row.kind_label(), row.title),
            before: Some(serde_json::to_value(&row).unwrap_or_default()),
            after: None,
        },
    )
    .await?;
    Ok(row.org_id)
}

/// The organisation of a recorded event, if it exists.
pub async fn org_of(conn: &mut AnyConnection, id: i64) -> DbResult<Option<i64>> {
    Ok(
        sqlx::query_scalar("SELECT org_id FROM recorded_events WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?,
    )
}
