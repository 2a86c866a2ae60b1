//! The search outbox: a row per change that may alter what the public can find, written in the
//! same transaction as the change, so each node's search index can catch up after a crash.
//! Nodes keep a high-water mark each (`search_nodes`) rather than deleting rows, because every
//! node must apply every row to its own index.

use crate::items::PUBLIC_SQL;
use crate::{DbResult, now_ms};
use sqlx::AnyConnection;

/// Queues `item_id` for the search indexes. Call inside the transaction of the change.
pub async fn record(conn: &mut AnyConnection, item_id: i64) -> DbResult<()> {
    sqlx::query("INSERT INTO search_outbox (item_id, created_at) VALUES ($1, $2)")
        .bind(item_id)
        .bind(now_ms())
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutboxRow {
    pub id: i64,
    pub item_id: i64,
    pub created_at: i64,
}

/// Outbox rows after `after_id`, oldest first, at most `limit`.
pub async fn pending(
    conn: &mut AnyConnection,
    after_id: i64,
    limit: i64,
) -> DbResult<Vec<OutboxRow>> {
    Ok(sqlx::query_as(
        "SELECT id, item_id, created_at FROM search_outbox WHERE id > $1 ORDER BY id LIMIT $2",
    )
    .bind(after_id)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

/// The last outbox id `node_id` has applied and when it last synced; `None` for a node never seen.
pub async fn node_mark(conn: &mut AnyConnection, node_id: &str) -> DbResult<Option<(i64, i64)>> {
    Ok(
        sqlx::query_as("SELECT last_outbox_id, updated_at FROM search_nodes WHERE node_id = $1")
            .bind(node_id)
            .fetch_optional(conn)
            .await?,
    )
}

pub async fn set_node_mark(conn: &mut AnyConnection, node_id: &str, last: i64) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO search_nodes (node_id, last_outbox_id, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (node_id) DO UPDATE SET last_outbox_id = $2, updated_at = $3",
    )
    .bind(node_id)
    .bind(last)
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(())
}

/// The highest outbox id (0 when empty): a full rebuild starts from here.
pub async fn last_id(conn: &mut AnyConnection) -> DbResult<i64> {
    Ok(
        sqlx::query_scalar::<_, Option<i64>>("SELECT MAX(id) FROM search_outbox")
            .fetch_one(conn)
            .await?
            .unwrap_or(0),
    )
}

/// Deletes rows created before `before_ms`; returns how many.
pub async fn prune(conn: &mut AnyConnection, before_ms: i64) -> DbResult<u64> {
    Ok(
        sqlx::query("DELETE FROM search_outbox WHERE created_at < $1")
            .bind(before_ms)
            .execute(conn)
            .await?
            .rows_affected(),
    )
}

/// What the index needs of a public item.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SearchRow {
    pub id: i64,
    pub org_id: i64,
    pub title: String,
    pub summary: String,
    pub body_html: String,
    pub index_no: Option<String>,
    pub doc_number: Option<String>,
    pub validity: String,
    pub published_at: Option<i64>,
    pub updated_at: i64,
    pub keywords: Option<String>,
    pub issuing_authority: Option<String>,
    pub topic_category: Option<String>,
}

const SEARCH_COLS: &str = "i.id, i.org_id, i.title, i.summary, i.body_html, i.index_no, \
     i.doc_number, i.validity, i.published_at, i.updated_at, i.keywords, i.issuing_authority, \
     i.topic_category";

/// The item as the public may see it, or `None` when it is not public (or gone).
pub async fn public_row(conn: &mut AnyConnection, id: i64) -> DbResult<Option<SearchRow>> {
    Ok(sqlx::query_as(dyn_sql!(
        "SELECT {SEARCH_COLS} FROM items i WHERE i.id = $1 AND {PUBLIC_SQL}"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

/// Public items with an id above `after_id`, in id order, at most `limit` (for a rebuild).
pub async fn public_batch(
    conn: &mut AnyConnection,
    after_id: i64,
    limit: i64,
) -> DbResult<Vec<SearchRow>> {
    Ok(sqlx::query_as(dyn_sql!(
        "SELECT {SEARCH_COLS} FROM items i WHERE {PUBLIC_SQL} AND i.id > $1 ORDER BY i.id LIMIT $2"
    ))
    .bind(after_id)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

pub async fn public_count(conn: &mut AnyConnection) -> DbResult<i64> {
    Ok(
        sqlx::query_scalar(dyn_sql!("SELECT COUNT(*) FROM items i WHERE {PUBLIC_SQL}"))
            .fetch_one(conn)
            .await?,
    )
}

/// The kinds (`ColumnKind` codes) of the columns item `item_id` is in: its document types.
pub async fn column_kinds(conn: &mut AnyConnection, item_id: i64) -> DbResult<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT c.kind FROM item_columns ic JOIN columns c ON c.id = ic.column_id \
         WHERE ic.item_id = $1 ORDER BY c.kind",
    )
    .bind(item_id)
    .fetch_all(conn)
    .await?)
}
