//! The append-only audit log: who changed what, when, with the record before and after.

use crate::{Actor, DbResult, Page, now_ms, page_bounds};
use serde::Serialize;
use sqlx::AnyConnection;

pub struct Entry<'a> {
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: String,
    pub summary: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

impl<'a> Entry<'a> {
    /// The creation of `entity` `id`, with the record as written.
    pub fn created(
        action: &'a str,
        entity: &'a str,
        id: i64,
        summary: String,
        after: Option<serde_json::Value>,
    ) -> Self {
        Entry {
            action,
            entity,
            entity_id: id.to_string(),
            summary,
            before: None,
            after,
        }
    }
}

pub async fn record(conn: &mut AnyConnection, actor: &Actor, e: Entry<'_>) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor_id, actor_name, action, entity, entity_id, summary, before_json, after_json, ip) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(now_ms())
    .bind(actor.user_id)
    .bind(&actor.name)
    .bind(e.action)
    .bind(e.entity)
    .bind(e.entity_id)
    .bind(e.summary)
    .bind(e.before.map(|v| v.to_string()))
    .bind(e.after.map(|v| v.to_string()))
    .bind(&actor.ip)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AuditRow {
    pub id: i64,
    pub at: i64,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub summary: String,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub ip: String,
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    /// Actions starting with this (`auth.` for sign-in and session events).
    pub action_prefix: Option<String>,
}

/// The most rows one CSV export holds (narrow the filter for more).
pub const EXPORT_LIMIT: i64 = 50_000;

/// Unused filters bind NULL and drop out of the predicate.
/// The actor matches by the whole name or by the user name in a back-office actor's
/// `显示名（用户名）`.
const FILTER: &str = "WHERE ($1 IS NULL OR actor_name = $1 OR actor_name LIKE '%\u{FF08}' || $1 || '\u{FF09}') AND ($2 IS NULL OR action = $2) \
                  AND ($3 IS NULL OR entity = $3) AND ($4 IS NULL OR entity_id = $4) \
                  AND ($5 IS NULL OR at >= $5) AND ($6 IS NULL OR at < $6) \
                  AND ($7 IS NULL OR substr(action, 1, length($7)) = $7)";

pub async fn list(
    conn: &mut AnyConnection,
    f: &AuditFilter,
    page: i64,
    per_page: i64,
) -> DbResult<Page<AuditRow>> {
    let (page, per_page, offset) = page_bounds(page, per_page);
    let filter = FILTER;
    macro_rules! binds {
        ($q:expr) => {
            $q.bind(f.actor.clone())
                .bind(f.action.clone())
                .bind(f.entity.clone())
                .bind(f.entity_id.clone())
                .bind(f.from_ms)
                .bind(f.to_ms)
                .bind(f.action_prefix.clone())
        };
    }
    let total: i64 = binds!(sqlx::query_scalar(dyn_sql!(
        "SELECT COUNT(*) FROM audit_log {filter}"
    )))
    .fetch_one(&mut *conn)
    .await?;
    let rows = binds!(sqlx::query_as::<_, AuditRow>(dyn_sql!(
        "SELECT * FROM audit_log {filter} ORDER BY id DESC LIMIT {per_page} OFFSET {offset}"
    )))
    .fetch_all(&mut *conn)
    .await?;
    Ok(Page {
        rows,
        total,
        page,
        per_page,
    })
}

/// The rows of a filter, newest first, at most [`EXPORT_LIMIT`] (the CSV export).
pub async fn export(conn: &mut AnyConnection, f: &AuditFilter) -> DbResult<Vec<AuditRow>> {
    let filter = FILTER;
    Ok(sqlx::query_as::<_, AuditRow>(dyn_sql!(
        "SELECT * FROM audit_log {filter} ORDER BY id DESC LIMIT {EXPORT_LIMIT}"
    ))
    .bind(f.actor.clone())
    .bind(f.action.clone())
    .bind(f.entity.clone())
    .bind(f.entity_id.clone())
    .bind(f.from_ms)
    .bind(f.to_ms)
    .bind(f.action_prefix.clone())
    .fetch_all(conn)
    .await?)
}

/// Distinct actions recorded, for the filter drop-down.
pub async fn actions(conn: &mut AnyConnection) -> DbResult<Vec<String>> {
    Ok(
        sqlx::query_scalar("SELECT DISTINCT action FROM audit_log ORDER BY action")
            .fetch_all(conn)
            .await?,
    )
}
