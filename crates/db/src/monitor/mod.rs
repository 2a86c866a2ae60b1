//! Site monitoring (migration `0033_site_monitor`; rules in `domain::monitor`): the register of
//! sites (`monitored_sites`), reachability probes, inspection runs with their findings
//! (`runs.rs`) and rectification tickets (`tickets.rs`). The monitoring settings are rows of
//! `settings`. Writes of the register, runs, tickets and settings are audited in the caller's
//! transaction; a probe is a measurement, written without an audit entry (hourly per site).

pub mod runs;
pub mod tickets;

use crate::audit::{self, Entry};
use crate::{Actor, DbError, DbResult, now_ms};
use gongkai_domain::monitor::scoring::ScoringTable;
use gongkai_domain::monitor::{Availability, SiteInput, SiteKind, ticket};
use serde::Serialize;
use sqlx::AnyConnection;

pub const SCORING_TABLE: &str = "monitor_scoring_table";
pub const TICKET_DAYS: &str = "monitor_ticket_working_days";
pub const PROBE_TIMEOUT_MS: &str = "monitor_probe_timeout_ms";
pub const INSPECT_EVERY_DAYS: &str = "monitor_inspect_every_days";
pub const MAX_PAGES: &str = "monitor_max_pages";

/// Job kind of one reachability probe (payload [`ProbePayload`]).
pub const PROBE_JOB: &str = "site.probe";
/// Job kind of one full inspection (payload [`InspectPayload`]); a re-check is one too.
pub const INSPECT_JOB: &str = "site.inspect";
/// Job kind of the hourly monitoring tick: queues the probes of the hour and the inspections due.
pub const TICK_JOB: &str = "monitor.tick";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ProbePayload {
    pub site_id: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct InspectPayload {
    pub site_id: i64,
    /// `schedule`, `manual` or `recheck`.
    pub reason: String,
    /// The civil date inspected as of; today in China when absent.
    #[serde(default)]
    pub as_of: Option<String>,
}

/// An inspection of a site waiting in the job queue or running, for the back office's progress
/// line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InspectionInHand {
    pub job_id: i64,
    pub reason: String,
    /// `queued` or `running`.
    pub status: String,
    pub run_at: i64,
    /// The node running it.
    pub node: Option<String>,
    /// URLs of the site fetched so far (updated every third of the job's lease).
    pub fetched: Option<i64>,
    /// Why it waits: another job is reading the same host, or the last attempt's error.
    pub waiting: Option<String>,
}

/// The inspections of `site_id` queued or running, oldest first.
pub async fn inspections_in_hand(
    conn: &mut AnyConnection,
    site_id: i64,
) -> DbResult<Vec<InspectionInHand>> {
    let jobs = crate::jobs::pending_of_kind(conn, INSPECT_JOB).await?;
    Ok(jobs
        .into_iter()
        .filter_map(|j| {
            let p: InspectPayload = serde_json::from_str(&j.payload).ok()?;
            (p.site_id == site_id).then(|| InspectionInHand {
                job_id: j.id,
                reason: p.reason,
                waiting: (j.status == "queued").then_some(j.last_error).flatten(),
                status: j.status,
                run_at: j.run_at,
                node: j.locked_by,
                fetched: j.progress,
            })
        })
        .collect())
}

/// Queues an inspection of a site now (in the caller's transaction, so a re-check is queued
/// exactly when the ticket is marked fixed). `None` when `dedupe_key` is taken.
pub async fn enqueue_inspection(
    conn: &mut AnyConnection,
    payload: &InspectPayload,
    dedupe_key: Option<&str>,
) -> DbResult<Option<i64>> {
    let value = serde_json::to_value(payload).map_err(|e| DbError::Config(e.to_string()))?;
    crate::jobs::enqueue(conn, INSPECT_JOB, &value, now_ms(), dedupe_key).await
}

/// The monitoring settings, each its default when unset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MonitorSettings {
    pub table: ScoringTable,
    /// Working days a unit has to fix a finding.
    pub ticket_days: u32,
    /// The probe's (and the inspector's link) timeout: 15 000 by the rule.
    pub probe_timeout_ms: u64,
    /// Days between two scheduled full inspections of a site.
    pub inspect_every_days: u32,
    /// The most URLs one inspection fetches.
    pub max_pages: u32,
}

async fn number<T: std::str::FromStr>(conn: &mut AnyConnection, key: &str) -> DbResult<Option<T>> {
    Ok(crate::settings::get(conn, key)
        .await?
        .and_then(|v| v.trim().parse().ok()))
}

pub async fn settings(conn: &mut AnyConnection) -> DbResult<MonitorSettings> {
    let table = crate::settings::get(conn, SCORING_TABLE)
        .await?
        .and_then(|t| serde_json::from_str::<ScoringTable>(&t).ok())
        .filter(|t| t.validate().is_ok())
        .unwrap_or_default();
    Ok(MonitorSettings {
        table,
        ticket_days: number::<u32>(conn, TICKET_DAYS)
            .await?
            .filter(|d| (1..=60).contains(d))
            .unwrap_or(ticket::DEFAULT_DAYS),
        probe_timeout_ms: number::<u64>(conn, PROBE_TIMEOUT_MS)
            .await?
            .filter(|d| (100..=60_000).contains(d))
            .unwrap_or(gongkai_domain::monitor::PROBE_TIMEOUT_MS),
        inspect_every_days: number::<u32>(conn, INSPECT_EVERY_DAYS)
            .await?
            .filter(|d| (1..=92).contains(d))
            .unwrap_or(7),
        max_pages: number::<u32>(conn, MAX_PAGES)
            .await?
            .filter(|d| (1..=100_000).contains(d))
            .unwrap_or(2000),
    })
}

/// Saves the scoring table (validated by the caller) and the ticket period, audited as settings.
pub async fn save_settings(
    conn: &mut AnyConnection,
    actor: &Actor,
    table: &ScoringTable,
    ticket_days: u32,
) -> DbResult<()> {
    let json = serde_json::to_string(table).map_err(|e| DbError::Config(e.to_string()))?;
    crate::settings::set(conn, actor, SCORING_TABLE, &json).await?;
    crate::settings::set(conn, actor, TICKET_DAYS, &ticket_days.to_string()).await
}

/// A registered site with its latest run.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct SiteRow {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub name: String,
    pub url: String,
    pub kind: String,
    pub bonus: i64,
    pub active: i64,
    pub version: i64,
    pub last_run_id: Option<i64>,
    pub last_as_of: Option<String>,
    pub last_total: Option<i64>,
    pub last_verdict: Option<String>,
    pub last_findings: Option<i64>,
    pub last_error: Option<String>,
}

impl SiteRow {
    pub fn kind(&self) -> SiteKind {
        SiteKind::from_code(&self.kind).unwrap_or(SiteKind::External)
    }
}

const SELECT_SITE: &str = "SELECT s.id, s.org_id, o.name AS org_name, s.name, s.url, s.kind, s.bonus, \
     s.active, s.version, r.id AS last_run_id, r.as_of AS last_as_of, r.total AS last_total, \
     r.verdict AS last_verdict, r.findings AS last_findings, r.error AS last_error \
     FROM monitored_sites s JOIN organisations o ON o.id = s.org_id \
     LEFT JOIN site_runs r ON r.id = (SELECT MAX(id) FROM site_runs WHERE site_id = s.id)";

/// Sites of `orgs` (`None`: all), active first, by name.
pub async fn list(conn: &mut AnyConnection, orgs: Option<&[i64]>) -> DbResult<Vec<SiteRow>> {
    let mut rows: Vec<SiteRow> = sqlx::query_as(dyn_sql!(
        "{SELECT_SITE} ORDER BY s.active DESC, s.name, s.id"
    ))
    .fetch_all(conn)
    .await?;
    if let Some(orgs) = orgs {
        rows.retain(|r| orgs.contains(&r.org_id));
    }
    Ok(rows)
}

pub async fn get(conn: &mut AnyConnection, id: i64) -> DbResult<SiteRow> {
    sqlx::query_as(dyn_sql!("{SELECT_SITE} WHERE s.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(DbError::NotFound("监测网站不存在"))
}

/// Active sites whose latest run started before `before_ms` (or that have none): due for a
/// scheduled inspection.
pub async fn due_for_inspection(conn: &mut AnyConnection, before_ms: i64) -> DbResult<Vec<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT s.id FROM monitored_sites s WHERE s.active = 1 AND NOT EXISTS \
         (SELECT 1 FROM site_runs r WHERE r.site_id = s.id AND r.started_at >= $1) ORDER BY s.id",
    )
    .bind(before_ms)
    .fetch_all(conn)
    .await?)
}

pub async fn active_ids(conn: &mut AnyConnection) -> DbResult<Vec<i64>> {
    Ok(
        sqlx::query_scalar("SELECT id FROM monitored_sites WHERE active = 1 ORDER BY id")
            .fetch_all(conn)
            .await?,
    )
}

fn site_json(s: &SiteInput, active: bool) -> serde_json::Value {
    serde_json::json!({
        "name": s.name, "url": s.url, "org_id": s.org_id, "kind": s.kind.code(),
        "bonus": s.bonus, "active": active,
    })
}

pub async fn create(conn: &mut AnyConnection, actor: &Actor, s: &SiteInput) -> DbResult<i64> {
    crate::orgs::get(conn, s.org_id).await?;
    let now = now_ms();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO monitored_sites (org_id, name, url, kind, bonus, active, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 1, $6, $6) RETURNING id",
    )
    .bind(s.org_id)
    .bind(&s.name)
    .bind(&s.url)
    .bind(s.kind.code())
    .bind(i64::from(s.bonus))
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    audit::record(
        conn,
        actor,
        Entry {
            action: "monitored_site.create",
            entity: "monitored_site",
            entity_id: id.to_string(),
            summary: format!("登记监测网站\u{201C}{}\u{201D}{}", s.name, s.url),
            before: None,
            after: Some(site_json(s, true)),
        },
    )
    .await?;
    Ok(id)
}

/// Updates a site, refusing a stale `version` (optimistic locking).
pub async fn update(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    version: i64,
    s: &SiteInput,
    active: bool,
) -> DbResult<()> {
    let before = get(conn, id).await?;
    crate::orgs::get(conn, s.org_id).await?;
    let n = sqlx::query(
        "UPDATE monitored_sites SET org_id = $1, name = $2, url = $3, kind = $4, bonus = $5, \
         active = $6, updated_at = $7, version = version + 1 WHERE id = $8 AND version = $9",
    )
    .bind(s.org_id)
    .bind(&s.name)
    .bind(&s.url)
    .bind(s.kind.code())
    .bind(i64::from(s.bonus))
    .bind(i64::from(active))
    .bind(now_ms())
    .bind(id)
    .bind(version)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(DbError::Stale);
    }
    audit::record(
        conn,
        actor,
        Entry {
            action: "monitored_site.update",
            entity: "monitored_site",
            entity_id: id.to_string(),
            summary: format!("修改监测网站\u{201C}{}\u{201D}", s.name),
            before: Some(serde_json::json!({
                "name": before.name, "url": before.url, "org_id": before.org_id,
                "kind": before.kind, "bonus": before.bonus, "active": before.active == 1,
            })),
            after: Some(site_json(s, active)),
        },
    )
    .await
}

/// Records one probe (a measurement: not audited).
pub async fn record_probe(
    conn: &mut AnyConnection,
    site_id: i64,
    at: i64,
    status: Option<u16>,
    error: Option<&str>,
    elapsed_ms: i64,
) -> DbResult<bool> {
    let ok = error.is_none() && status.is_some_and(|s| s < 400);
    sqlx::query(
        "INSERT INTO site_probes (site_id, at, ok, status, error, elapsed_ms) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(site_id)
    .bind(at)
    .bind(i64::from(ok))
    .bind(status.map(i64::from))
    .bind(error)
    .bind(elapsed_ms)
    .execute(conn)
    .await?;
    Ok(ok)
}

/// Availability over `[from_ms, to_ms)`.
pub async fn availability(
    conn: &mut AnyConnection,
    site_id: i64,
    from_ms: i64,
    to_ms: i64,
) -> DbResult<Availability> {
    let oks: Vec<i64> = sqlx::query_scalar(
        "SELECT ok FROM site_probes WHERE site_id = $1 AND at >= $2 AND at < $3",
    )
    .bind(site_id)
    .bind(from_ms)
    .bind(to_ms)
    .fetch_all(conn)
    .await?;
    Ok(Availability::of(oks.into_iter().map(|ok| ok == 1)))
}

/// A probe as listed.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ProbeRow {
    pub at: i64,
    pub ok: i64,
    pub status: Option<i64>,
    pub error: Option<String>,
    pub elapsed_ms: i64,
}

/// The latest probes of a site, newest first.
pub async fn recent_probes(
    conn: &mut AnyConnection,
    site_id: i64,
    limit: i64,
) -> DbResult<Vec<ProbeRow>> {
    Ok(sqlx::query_as(
        "SELECT at, ok, status, error, elapsed_ms FROM site_probes WHERE site_id = $1 \
         ORDER BY at DESC, id DESC LIMIT $2",
    )
    .bind(site_id)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

/// A column of this portal with its public items, for the own-site checks.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OwnColumn {
    pub id: i64,
    pub name: String,
    pub slug: String,
    pub kind: String,
    /// Public items in the column.
    pub items: i64,
    /// The latest `made_public_at` of its public items.
    pub latest_ms: Option<i64>,
}

/// The portal's leaf columns (columns without children) with their public items' count and the
/// latest time one was made public.
pub async fn own_columns(conn: &mut AnyConnection) -> DbResult<Vec<OwnColumn>> {
    let site = crate::columns::default_site(conn).await?;
    Ok(sqlx::query_as(dyn_sql!(
        "SELECT c.id, c.name, c.slug, c.kind, \
           (SELECT COUNT(*) FROM items i JOIN item_columns ic ON ic.item_id = i.id \
             WHERE ic.column_id = c.id AND {p}) AS items, \
           (SELECT MAX(i.made_public_at) FROM items i JOIN item_columns ic ON ic.item_id = i.id \
             WHERE ic.column_id = c.id AND {p}) AS latest_ms \
         FROM columns c WHERE c.site_id = $1 \
           AND NOT EXISTS (SELECT 1 FROM columns ch WHERE ch.parent_id = c.id) \
         ORDER BY c.sort_order, c.id",
        p = crate::items::PUBLIC_SQL
    ))
    .bind(site.id)
    .fetch_all(conn)
    .await?)
}

/// The latest time any item of the portal was made public.
pub async fn own_latest_public(conn: &mut AnyConnection) -> DbResult<Option<i64>> {
    Ok(sqlx::query_scalar(dyn_sql!(
        "SELECT MAX(i.made_public_at) FROM items i WHERE {}",
        crate::items::PUBLIC_SQL
    ))
    .fetch_one(conn)
    .await?)
}

/// Messages of the portal still without a reply, received before `before` (`YYYY-MM-DD`):
/// (id, received_on).
pub async fn own_unanswered_messages(
    conn: &mut AnyConnection,
    before: &str,
) -> DbResult<Vec<(i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT id, received_on FROM messages WHERE status IN ('received', 'assigned') \
         AND replied_at IS NULL AND received_on < $1 ORDER BY received_on, id",
    )
    .bind(before)
    .fetch_all(conn)
    .await?)
}
