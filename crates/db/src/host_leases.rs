//! One crawl of a host at a time across every node (issue 16 item 5): a job that reads a site
//! takes the host's lease first; another node's job for that host waits in the queue
//! ([`crate::jobs::defer`]) until the lease is released or runs out. The lease is renewed with
//! the holder job's own lease ([`crate::jobs::renew`]), so a dead node's lease runs out with its
//! job's. Bookkeeping of the program's own work, not audited (as the job queue).

use crate::{DbResult, now_ms};
use sqlx::AnyConnection;

/// Takes the lease of `host` for `holder` until `until`: `true` when it was free, ran out, or is
/// already the holder's. One statement, so two nodes never both get it.
pub async fn acquire(
    conn: &mut AnyConnection,
    host: &str,
    holder: &str,
    until: i64,
) -> DbResult<bool> {
    let n = sqlx::query(
        "INSERT INTO host_leases (host, holder, until_ms) VALUES ($1, $2, $3) \
         ON CONFLICT (host) DO UPDATE SET holder = excluded.holder, until_ms = excluded.until_ms \
         WHERE host_leases.until_ms < $4 OR host_leases.holder = excluded.holder",
    )
    .bind(host)
    .bind(holder)
    .bind(until)
    .bind(now_ms())
    .execute(conn)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// Gives the lease of `host` back (only the holder's).
pub async fn release(conn: &mut AnyConnection, host: &str, holder: &str) -> DbResult<()> {
    sqlx::query("DELETE FROM host_leases WHERE host = $1 AND holder = $2")
        .bind(host)
        .bind(holder)
        .execute(conn)
        .await?;
    Ok(())
}

/// Extends every lease `holder` has until `until`.
pub async fn extend(conn: &mut AnyConnection, holder: &str, until: i64) -> DbResult<()> {
    sqlx::query("UPDATE host_leases SET until_ms = $1 WHERE holder = $2")
        .bind(until)
        .bind(holder)
        .execute(conn)
        .await?;
    Ok(())
}

/// Who holds `host` now, if anyone.
pub async fn holder_of(conn: &mut AnyConnection, host: &str) -> DbResult<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT holder FROM host_leases WHERE host = $1 AND until_ms >= $2")
            .bind(host)
            .bind(now_ms())
            .fetch_optional(conn)
            .await?,
    )
}
