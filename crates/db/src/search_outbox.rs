//! The search outbox: a row per change that may alter what the public can find, written in the
//! same transaction as the change, so each node's search index can catch up after a crash.
//! Nodes keep a high-water mark each (`search_nodes`) rather than deleting rows, because every
//! node must apply every row to its own index.

use crate::items::PUBLIC_SQL;
use crate::{DbResult, now_ms};
use gongkai_domain::model::SearchKind;
use sqlx::AnyConnection;

/// Queues `item_id` for the search indexes. Call inside the transaction of the change.
pub async fn record(conn: &mut AnyConnection, item_id: i64) -> DbResult<()> {
    record_kind(conn, SearchKind::Item, item_id).await
}

/// Queues the `kind` with `id` (a proposal, meeting, message or organisation) for the search
/// indexes. Call inside the transaction of the change.
pub async fn record_kind(conn: &mut AnyConnection, kind: SearchKind, id: i64) -> DbResult<()> {
    sqlx::query("INSERT INTO search_outbox (item_id, kind, created_at) VALUES ($1, $2, $3)")
        .bind(id)
        .bind(kind.code())
        .bind(now_ms())
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutboxRow {
    pub id: i64,
    /// The id within `kind`.
    pub item_id: i64,
    /// A `SearchKind` code.
    pub kind: String,
    pub created_at: i64,
}

/// Outbox rows after `after_id`, oldest first, at most `limit`.
pub async fn pending(
    conn: &mut AnyConnection,
    after_id: i64,
    limit: i64,
) -> DbResult<Vec<OutboxRow>> {
    Ok(sqlx::query_as(
        "SELECT id, item_id, kind, created_at FROM search_outbox WHERE id > $1 ORDER BY id LIMIT $2",
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

/// When the oldest change after `mark` was recorded (`None`: nothing pending), for `/metrics`.
pub async fn oldest_after(conn: &mut AnyConnection, mark: i64) -> DbResult<Option<i64>> {
    Ok(sqlx::query_scalar::<_, Option<i64>>(
        "SELECT MIN(created_at) FROM search_outbox WHERE id > $1",
    )
    .bind(mark)
    .fetch_one(conn)
    .await?)
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

/// The names of the columns item `item_id` is in（财政预决算 finds the items filed there).
pub async fn column_names(conn: &mut AnyConnection, item_id: i64) -> DbResult<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT c.name FROM item_columns ic JOIN columns c ON c.id = ic.column_id \
         WHERE ic.item_id = $1 ORDER BY c.id",
    )
    .bind(item_id)
    .fetch_all(conn)
    .await?)
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

/// A public thing other than an item, as the index needs it: what its public page shows.
#[derive(Debug, Clone)]
pub struct OtherRow {
    pub id: i64,
    pub org_id: i64,
    pub title: String,
    pub body: String,
    /// Epoch milliseconds: when it was made public (a date's start in China time).
    pub published_at: i64,
}

#[derive(sqlx::FromRow)]
struct RawOther {
    id: i64,
    org_id: i64,
    title: String,
    body: String,
    on_date: String,
    at: i64,
}

/// What each kind shows the public, and when it became public: a published proposal reply (its
/// masked public text), a held meeting (place, agenda and the minutes its page shows), a
/// published message (the masked public copy and reply), an organisation (name, description).
/// `on_date` is a date text (its first ten characters) or empty, then `at` counts.
fn other_sql(kind: SearchKind) -> Option<&'static str> {
    Some(match kind {
        SearchKind::Item => return None,
        SearchKind::Proposal => {
            "SELECT p.id, p.lead_org_id AS org_id, p.title, COALESCE(p.public_text, '') AS body, \
             p.published_on AS on_date, p.updated_at AS at FROM proposals p \
             WHERE p.published_on IS NOT NULL AND p.public_text IS NOT NULL"
        }
        SearchKind::Meeting => {
            "SELECT m.id, m.org_id, m.title, \
             m.place || ' ' || m.agenda || ' ' || COALESCE(m.minutes, '') AS body, \
             m.held_at AS on_date, m.updated_at AS at FROM meetings m WHERE m.held = 1"
        }
        SearchKind::Message => {
            "SELECT m.id, m.org_id, m.public_title AS title, \
             COALESCE(m.public_content, '') || ' ' || COALESCE(m.public_reply, '') AS body, \
             '' AS on_date, COALESCE(m.published_at, m.updated_at) AS at FROM messages m \
             WHERE m.status = 'published' AND m.public_title IS NOT NULL"
        }
        SearchKind::Org => {
            "SELECT o.id, o.id AS org_id, o.name AS title, o.description AS body, \
             '' AS on_date, o.created_at AS at FROM organisations o WHERE 1 = 1"
        }
        SearchKind::Service => {
            "SELECT s.id, s.org_id, s.live_name AS title, s.live_text AS body, \
             '' AS on_date, COALESCE(s.published_at, s.updated_at) AS at FROM service_items s \
             WHERE s.public = 1 AND s.live IS NOT NULL"
        }
        SearchKind::Dataset => {
            "SELECT r.id, r.org_id, r.name AS title, r.search_text AS body, \
             '' AS on_date, COALESCE(r.published_at, r.updated_at) AS at FROM data_resources r \
             WHERE r.published = 1 AND r.open_type <> 'closed'"
        }
    })
}

fn to_other(r: RawOther) -> OtherRow {
    let published_at = r
        .on_date
        .get(..10)
        .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .map_or(r.at, gongkai_domain::china_time::start_of_day);
    OtherRow {
        id: r.id,
        org_id: r.org_id,
        title: r.title,
        body: r.body,
        published_at,
    }
}

/// The `kind` with `id` as the public sees it, or `None` when it is not public (or gone).
pub async fn public_other(
    conn: &mut AnyConnection,
    kind: SearchKind,
    id: i64,
) -> DbResult<Option<OtherRow>> {
    let Some(sql) = other_sql(kind) else {
        return Ok(None);
    };
    let alias = sql_alias(kind);
    let row: Option<RawOther> = sqlx::query_as(dyn_sql!("{sql} AND {alias}.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(to_other))
}

/// Every public thing of `kind` with an id above `after_id`, in id order, at most `limit` (for
/// a rebuild).
pub async fn public_others(
    conn: &mut AnyConnection,
    kind: SearchKind,
    after_id: i64,
    limit: i64,
) -> DbResult<Vec<OtherRow>> {
    let Some(sql) = other_sql(kind) else {
        return Ok(Vec::new());
    };
    let alias = sql_alias(kind);
    let rows: Vec<RawOther> = sqlx::query_as(dyn_sql!(
        "{sql} AND {alias}.id > $1 ORDER BY {alias}.id LIMIT $2"
    ))
    .bind(after_id)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(to_other).collect())
}

fn sql_alias(kind: SearchKind) -> &'static str {
    match kind {
        SearchKind::Item => "i",
        SearchKind::Proposal => "p",
        SearchKind::Meeting | SearchKind::Message => "m",
        SearchKind::Org => "o",
        SearchKind::Service => "s",
        SearchKind::Dataset => "r",
    }
}

/// Counts one more search for `query` (the public's text, already trimmed and shortened).
pub async fn count_query(conn: &mut AnyConnection, query: &str) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO search_queries (query, times, updated_at) VALUES ($1, 1, $2) \
         ON CONFLICT (query) DO UPDATE SET times = search_queries.times + 1, updated_at = $2",
    )
    .bind(query)
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(())
}

/// The most searched queries, most first, at most `limit`.
pub async fn hot_queries(conn: &mut AnyConnection, limit: i64) -> DbResult<Vec<(String, i64)>> {
    Ok(sqlx::query_as(
        "SELECT query, times FROM search_queries ORDER BY times DESC, updated_at DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(conn)
    .await?)
}
