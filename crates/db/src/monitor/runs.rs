//! Inspection runs and their findings: each run is kept with the findings it found, so a fault
//! (one `finding_key`) has a history across runs.

use crate::audit::{self, Entry};
use crate::{Actor, DbResult, Page, page_bounds};
use serde::Serialize;
use sqlx::AnyConnection;

/// A finding as stored: the inspector's JSON (`detail_json`) beside its key, kind and page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewFinding {
    pub key: String,
    pub kind: String,
    pub page: String,
    pub detail_json: String,
}

/// A finished run.
#[derive(Debug, Clone, Default)]
pub struct NewRun {
    pub site_id: i64,
    pub as_of: String,
    /// `schedule`, `manual` or `recheck`.
    pub reason: String,
    pub started_at: i64,
    pub finished_at: i64,
    pub pages: i64,
    pub attachments: i64,
    /// Why the run could not inspect the site (then it has no findings and no score).
    pub error: Option<String>,
    pub total: Option<i64>,
    pub verdict: Option<String>,
    pub score_json: Option<String>,
}

/// Stores a run and its findings, audited (`site_run.record`). Returns the run's id.
pub async fn record(
    conn: &mut AnyConnection,
    actor: &Actor,
    run: &NewRun,
    findings: &[NewFinding],
) -> DbResult<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO site_runs (site_id, as_of, reason, started_at, finished_at, pages, attachments, \
         findings, error, total, verdict, score_json) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(run.site_id)
    .bind(&run.as_of)
    .bind(&run.reason)
    .bind(run.started_at)
    .bind(run.finished_at)
    .bind(run.pages)
    .bind(run.attachments)
    .bind(findings.len() as i64)
    .bind(&run.error)
    .bind(run.total)
    .bind(&run.verdict)
    .bind(&run.score_json)
    .fetch_one(&mut *conn)
    .await?;
    for f in findings {
        sqlx::query(
            "INSERT INTO site_findings (run_id, site_id, finding_key, kind, page, detail_json) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(run.site_id)
        .bind(&f.key)
        .bind(&f.kind)
        .bind(&f.page)
        .bind(&f.detail_json)
        .execute(&mut *conn)
        .await?;
    }
    audit::record(
        conn,
        actor,
        Entry {
            action: "site_run.record",
            entity: "monitored_site",
            entity_id: run.site_id.to_string(),
            summary: match &run.error {
                Some(e) => format!("网站检查未完成\u{FF1A}{e}"),
                None => format!(
                    "网站检查\u{FF08}{}\u{FF09}\u{FF1A}{}页\u{FF0C}发现问题{}个",
                    run.as_of,
                    run.pages,
                    findings.len()
                ),
            },
            before: None,
            after: Some(
                serde_json::json!({"run_id": id, "reason": run.reason, "total": run.total}),
            ),
        },
    )
    .await?;
    Ok(id)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct RunRow {
    pub id: i64,
    pub site_id: i64,
    pub as_of: String,
    pub reason: String,
    pub started_at: i64,
    pub finished_at: i64,
    pub pages: i64,
    pub attachments: i64,
    pub findings: i64,
    pub error: Option<String>,
    pub total: Option<i64>,
    pub verdict: Option<String>,
    pub score_json: Option<String>,
}

impl RunRow {
    pub fn reason_label(&self) -> &'static str {
        match self.reason.as_str() {
            "recheck" => "整改复查",
            "manual" => "手动检查",
            _ => "定期检查",
        }
    }
}

/// A site's runs, newest first.
pub async fn list(conn: &mut AnyConnection, site_id: i64, page: i64) -> DbResult<Page<RunRow>> {
    let (page, per_page, offset) = page_bounds(page, 20);
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM site_runs WHERE site_id = $1")
        .bind(site_id)
        .fetch_one(&mut *conn)
        .await?;
    let rows = sqlx::query_as(
        "SELECT * FROM site_runs WHERE site_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3",
    )
    .bind(site_id)
    .bind(per_page)
    .bind(offset)
    .fetch_all(conn)
    .await?;
    Ok(Page {
        rows,
        total,
        page,
        per_page,
    })
}

pub async fn get(conn: &mut AnyConnection, id: i64) -> DbResult<RunRow> {
    sqlx::query_as("SELECT * FROM site_runs WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(crate::DbError::NotFound("检查记录不存在"))
}

/// The latest complete run (no error) of a site at or before `as_of` (`YYYY-MM-DD`).
pub async fn latest_complete(
    conn: &mut AnyConnection,
    site_id: i64,
    from: &str,
    to: &str,
) -> DbResult<Option<RunRow>> {
    Ok(sqlx::query_as(
        "SELECT * FROM site_runs WHERE site_id = $1 AND error IS NULL AND as_of >= $2 AND as_of <= $3 \
         ORDER BY as_of DESC, id DESC LIMIT 1",
    )
    .bind(site_id)
    .bind(from)
    .bind(to)
    .fetch_optional(conn)
    .await?)
}

/// A stored finding with the run that first found its fault.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct FindingRow {
    pub id: i64,
    pub run_id: i64,
    pub finding_key: String,
    pub kind: String,
    pub page: String,
    pub detail_json: String,
    pub first_run_id: i64,
    pub first_as_of: String,
    pub ticket_id: Option<i64>,
}

/// The findings of a run, by kind and page, each with its first sighting and its latest ticket.
pub async fn findings(conn: &mut AnyConnection, run_id: i64) -> DbResult<Vec<FindingRow>> {
    Ok(sqlx::query_as(
        "SELECT f.id, f.run_id, f.finding_key, f.kind, f.page, f.detail_json, \
           (SELECT MIN(g.run_id) FROM site_findings g WHERE g.site_id = f.site_id AND g.finding_key = f.finding_key) AS first_run_id, \
           (SELECT r.as_of FROM site_runs r WHERE r.id = (SELECT MIN(g.run_id) FROM site_findings g \
              WHERE g.site_id = f.site_id AND g.finding_key = f.finding_key)) AS first_as_of, \
           (SELECT MAX(t.id) FROM rectification_tickets t WHERE t.site_id = f.site_id AND t.finding_key = f.finding_key) AS ticket_id \
         FROM site_findings f WHERE f.run_id = $1 ORDER BY f.kind, f.page, f.id",
    )
    .bind(run_id)
    .fetch_all(conn)
    .await?)
}

/// The pages of one run holding one fault (a dead link is one fault on every page linking it):
/// the first `limit` in order, and how many in all.
pub async fn pages_with(
    conn: &mut AnyConnection,
    run_id: i64,
    finding_key: &str,
    limit: i64,
) -> DbResult<(Vec<String>, i64)> {
    let total: i64 = sqlx::query_scalar(
        "SELECT COUNT(DISTINCT page) FROM site_findings WHERE run_id = $1 AND finding_key = $2",
    )
    .bind(run_id)
    .bind(finding_key)
    .fetch_one(&mut *conn)
    .await?;
    let pages = sqlx::query_scalar(
        "SELECT DISTINCT page FROM site_findings WHERE run_id = $1 AND finding_key = $2 ORDER BY page LIMIT $3",
    )
    .bind(run_id)
    .bind(finding_key)
    .bind(limit.clamp(1, 1000))
    .fetch_all(conn)
    .await?;
    Ok((pages, total))
}
