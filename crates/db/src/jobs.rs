//! The background job queue (`jobs`), shared by every `serve` node.
//!
//! - [`enqueue`] is idempotent on its `dedupe_key` (`ON CONFLICT DO NOTHING`): enqueueing the same
//!   reminder from two nodes or two scans gives one job.
//! - [`claim`] marks up to `limit` due jobs `running` for one node with a lease (`locked_until`).
//!   On PostgreSQL the candidates are selected `FOR UPDATE SKIP LOCKED`, so concurrent claimers
//!   never block on or take each other's jobs; on SQLite the claim runs inside [`Db::begin`]
//!   (`BEGIN IMMEDIATE`), which serialises claimers on the write lock.
//! - A job whose lease ran out (its node died or hung) is due again: nothing is lost on a crash,
//!   so **handlers must be idempotent** (notifications carry a deduplication key).
//! - [`complete`] and [`fail`] only touch a job still leased to the calling node; [`fail`] retries
//!   with exponential backoff until `max_attempts`, then the job is `failed`.
//!
//! Queue bookkeeping is not audited: it records the program's own work, not a change to the
//! government's records (see docs/decisions.md).

use crate::{Backend, Db, DbResult, now_ms};
use serde::Serialize;
use sqlx::AnyConnection;

pub const DEFAULT_MAX_ATTEMPTS: i64 = 5;
/// First retry delay; doubled on every further failure.
pub const BACKOFF_BASE_MS: i64 = 60_000;
/// Longest retry delay (6 hours).
pub const BACKOFF_CAP_MS: i64 = 6 * 3600 * 1000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    /// JSON text.
    pub payload: String,
    pub run_at: i64,
    /// Claims so far (incremented by [`claim`]).
    pub attempts: i64,
    pub max_attempts: i64,
    /// `queued`, `running`, `done` or `failed`.
    pub status: String,
    pub locked_by: Option<String>,
    pub locked_until: Option<i64>,
    pub last_error: Option<String>,
    pub dedupe_key: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    /// Units of work done so far while running (an inspection's pages), from [`renew`].
    pub progress: Option<i64>,
}

/// The delay before the retry that follows failed attempt number `attempts` (1-based):
/// 1 min, 2 min, 4 min, … capped at [`BACKOFF_CAP_MS`].
pub fn backoff_ms(attempts: i64) -> i64 {
    let exp = (attempts.max(1) - 1).min(30) as u32;
    BACKOFF_BASE_MS
        .saturating_mul(1i64 << exp)
        .min(BACKOFF_CAP_MS)
}

/// Adds a job; `None` when `dedupe_key` is already taken (the job exists, whatever its status).
pub async fn enqueue(
    conn: &mut AnyConnection,
    kind: &str,
    payload: &serde_json::Value,
    run_at: i64,
    dedupe_key: Option<&str>,
) -> DbResult<Option<i64>> {
    enqueue_with(
        conn,
        kind,
        payload,
        run_at,
        dedupe_key,
        DEFAULT_MAX_ATTEMPTS,
    )
    .await
}

/// [`enqueue`] with a chosen number of attempts.
pub async fn enqueue_with(
    conn: &mut AnyConnection,
    kind: &str,
    payload: &serde_json::Value,
    run_at: i64,
    dedupe_key: Option<&str>,
    max_attempts: i64,
) -> DbResult<Option<i64>> {
    let now = now_ms();
    // A key already queued is found by reading: the insert below would change nothing, but on
    // PostgreSQL it would still draw an id from the sequence, and the worker asks every poll.
    if let Some(key) = dedupe_key {
        let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM jobs WHERE dedupe_key = $1")
            .bind(key)
            .fetch_optional(&mut *conn)
            .await?;
        if taken.is_some() {
            return Ok(None);
        }
    }
    Ok(sqlx::query_scalar(
        "INSERT INTO jobs (kind, payload, run_at, attempts, max_attempts, status, dedupe_key, created_at, updated_at) \
         VALUES ($1, $2, $3, 0, $4, 'queued', $5, $6, $6) \
         ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
    )
    .bind(kind)
    .bind(payload.to_string())
    .bind(run_at)
    .bind(max_attempts.max(1))
    .bind(dedupe_key)
    .bind(now)
    .fetch_optional(conn)
    .await?)
}

/// Claims up to `limit` jobs due at `now` for `node_id`, leased for `lease_ms`: queued jobs whose
/// `run_at` has come and running jobs whose lease has expired, oldest `run_at` first. A job whose
/// lease expired after its last allowed attempt is marked `failed` instead.
pub async fn claim_at(
    db: &Db,
    node_id: &str,
    lease_ms: i64,
    limit: i64,
    now: i64,
) -> DbResult<Vec<Job>> {
    // Read first: an idle queue costs one read, never a write transaction (issue 18: an idle
    // node wrote to the database every poll).
    let due: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM jobs WHERE (status = 'queued' AND run_at <= $1) \
         OR (status = 'running' AND locked_until < $1) LIMIT 1",
    )
    .bind(now)
    .fetch_optional(&db.pool)
    .await?;
    if due.is_none() {
        return Ok(Vec::new());
    }
    let mut tx = db.begin().await?;
    sqlx::query(
        "UPDATE jobs SET status = 'failed', locked_by = NULL, locked_until = NULL, \
         last_error = COALESCE(last_error, '') || '租约过期且已达最大尝试次数', updated_at = $1 \
         WHERE status = 'running' AND locked_until < $1 AND attempts >= max_attempts",
    )
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let lock = match db.backend {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let mut jobs: Vec<Job> = sqlx::query_as(dyn_sql!(
        "UPDATE jobs SET status = 'running', locked_by = $1, locked_until = $2, \
         attempts = attempts + 1, updated_at = $3 \
         WHERE id IN (SELECT id FROM jobs \
           WHERE (status = 'queued' AND run_at <= $3) OR (status = 'running' AND locked_until < $3) \
           ORDER BY run_at, id LIMIT {limit}{lock}) \
         RETURNING *",
        limit = limit.clamp(1, 1000),
    ))
    .bind(node_id)
    .bind(now.saturating_add(lease_ms))
    .bind(now)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    jobs.sort_by_key(|j| (j.run_at, j.id));
    Ok(jobs)
}

/// [`claim_at`] now.
pub async fn claim(db: &Db, node_id: &str, lease_ms: i64, limit: i64) -> DbResult<Vec<Job>> {
    claim_at(db, node_id, lease_ms, limit, now_ms()).await
}

/// Marks a job done. `false` when it is no longer leased to `node_id` (its lease expired and
/// another node took it over).
pub async fn complete(conn: &mut AnyConnection, id: i64, node_id: &str) -> DbResult<bool> {
    let n = sqlx::query(
        "UPDATE jobs SET status = 'done', locked_by = NULL, locked_until = NULL, updated_at = $1 \
         WHERE id = $2 AND status = 'running' AND locked_by = $3",
    )
    .bind(now_ms())
    .bind(id)
    .bind(node_id)
    .execute(conn)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// Extends the lease of a job still leased to `node_id` until `until` and records its progress;
/// the host leases the job holds ([`crate::host_leases`]) are extended with it. `false` when the
/// job is no longer this node's (it must stop).
pub async fn renew(
    conn: &mut AnyConnection,
    id: i64,
    node_id: &str,
    until: i64,
    progress: Option<i64>,
) -> DbResult<bool> {
    let n = sqlx::query(
        "UPDATE jobs SET locked_until = $1, progress = COALESCE($2, progress), updated_at = $3 \
         WHERE id = $4 AND status = 'running' AND locked_by = $5",
    )
    .bind(until)
    .bind(progress)
    .bind(now_ms())
    .bind(id)
    .bind(node_id)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if n == 1 {
        crate::host_leases::extend(conn, &holder(id, node_id), until).await?;
    }
    Ok(n == 1)
}

/// Who holds a host lease for a job: the node and the job.
pub fn holder(id: i64, node_id: &str) -> String {
    format!("{node_id}:{id}")
}

/// Puts a running job back in the queue until `run_at` without counting the attempt (it did not
/// run: the host it needs is busy). `false` when the job is no longer leased to `node_id`.
pub async fn defer(
    conn: &mut AnyConnection,
    id: i64,
    node_id: &str,
    run_at: i64,
    why: &str,
) -> DbResult<bool> {
    let why: String = why.chars().take(2000).collect();
    let n = sqlx::query(
        "UPDATE jobs SET status = 'queued', run_at = $1, attempts = attempts - 1, \
           locked_by = NULL, locked_until = NULL, last_error = $2, updated_at = $3 \
         WHERE id = $4 AND status = 'running' AND locked_by = $5",
    )
    .bind(run_at)
    .bind(why)
    .bind(now_ms())
    .bind(id)
    .bind(node_id)
    .execute(conn)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// Jobs of one kind waiting or running, oldest first (the back office's progress view).
pub async fn pending_of_kind(conn: &mut AnyConnection, kind: &str) -> DbResult<Vec<Job>> {
    Ok(sqlx::query_as(
        "SELECT * FROM jobs WHERE kind = $1 AND status IN ('queued', 'running') ORDER BY run_at, id LIMIT 500",
    )
    .bind(kind)
    .fetch_all(conn)
    .await?)
}

/// Records a failed attempt: back to `queued` with [`backoff_ms`], or `failed` after the last
/// attempt. `false` when the job is no longer leased to `node_id`.
pub async fn fail_at(
    conn: &mut AnyConnection,
    id: i64,
    node_id: &str,
    error: &str,
    now: i64,
) -> DbResult<bool> {
    let attempts: Option<i64> = sqlx::query_scalar(
        "SELECT attempts FROM jobs WHERE id = $1 AND status = 'running' AND locked_by = $2",
    )
    .bind(id)
    .bind(node_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(attempts) = attempts else {
        return Ok(false);
    };
    let error: String = error.chars().take(2000).collect();
    let n = sqlx::query(
        "UPDATE jobs SET \
           status = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END, \
           run_at = CASE WHEN attempts >= max_attempts THEN run_at ELSE $1 END, \
           locked_by = NULL, locked_until = NULL, last_error = $2, updated_at = $3 \
         WHERE id = $4 AND status = 'running' AND locked_by = $5",
    )
    .bind(now.saturating_add(backoff_ms(attempts)))
    .bind(error)
    .bind(now)
    .bind(id)
    .bind(node_id)
    .execute(conn)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// [`fail_at`] now.
pub async fn fail(conn: &mut AnyConnection, id: i64, node_id: &str, error: &str) -> DbResult<bool> {
    fail_at(conn, id, node_id, error, now_ms()).await
}

pub async fn get(conn: &mut AnyConnection, id: i64) -> DbResult<Option<Job>> {
    Ok(sqlx::query_as("SELECT * FROM jobs WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?)
}

/// Jobs of one kind, oldest first (for tests and diagnostics).
pub async fn by_kind(conn: &mut AnyConnection, kind: &str) -> DbResult<Vec<Job>> {
    Ok(
        sqlx::query_as("SELECT * FROM jobs WHERE kind = $1 ORDER BY id")
            .bind(kind)
            .fetch_all(conn)
            .await?,
    )
}

/// The queue's depth for `/metrics`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueStats {
    /// Queued and due at `now` (waiting for a worker).
    pub due: i64,
    /// Queued for later.
    pub scheduled: i64,
    pub running: i64,
    pub failed: i64,
    /// The run time of the oldest due job.
    pub oldest_due_run_at: Option<i64>,
}

/// The five aggregates of [`queue_stats`]'s query (sums are NULL on an empty queue).
type QueueRow = (
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

pub async fn queue_stats(conn: &mut AnyConnection, now: i64) -> DbResult<QueueStats> {
    let (due, scheduled, running, failed, oldest): QueueRow = sqlx::query_as(
        "SELECT \
           SUM(CASE WHEN status = 'queued' AND run_at <= $1 THEN 1 ELSE 0 END), \
           SUM(CASE WHEN status = 'queued' AND run_at > $1 THEN 1 ELSE 0 END), \
           SUM(CASE WHEN status = 'running' THEN 1 ELSE 0 END), \
           SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), \
           MIN(CASE WHEN status = 'queued' AND run_at <= $1 THEN run_at END) \
         FROM jobs",
    )
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(QueueStats {
        due: due.unwrap_or(0),
        scheduled: scheduled.unwrap_or(0),
        running: running.unwrap_or(0),
        failed: failed.unwrap_or(0),
        oldest_due_run_at: oldest,
    })
}

/// Number of jobs per status.
pub async fn count_by_status(conn: &mut AnyConnection) -> DbResult<Vec<(String, i64)>> {
    Ok(
        sqlx::query_as("SELECT status, COUNT(*) FROM jobs GROUP BY status ORDER BY status")
            .fetch_all(conn)
            .await?,
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(super::backoff_ms(1), 60_000);
        assert_eq!(super::backoff_ms(2), 120_000);
        assert_eq!(super::backoff_ms(3), 240_000);
        assert_eq!(super::backoff_ms(40), super::BACKOFF_CAP_MS);
        assert_eq!(super::backoff_ms(0), 60_000);
    }
}
