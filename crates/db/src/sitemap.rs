//! What `/sitemap.xml` lists of the items: public items (`PUBLIC_SQL`) by last update, newest
//! first, a slice at a time, so a sitemap split into files of 50,000 addresses never loads more
//! than one file's worth.

use crate::items::PUBLIC_SQL;
use crate::{DbError, DbResult};
use sqlx::AnyConnection;

/// How many items the public may see.
pub async fn public_item_count(conn: &mut AnyConnection) -> DbResult<i64> {
    Ok(
        sqlx::query_scalar(dyn_sql!("SELECT COUNT(*) FROM items i WHERE {PUBLIC_SQL}"))
            .fetch_one(conn)
            .await?,
    )
}

/// `(id, updated_at)` of public items, newest update first (ties by id), from position
/// `offset`, at most `limit`.
pub async fn public_updates_slice(
    conn: &mut AnyConnection,
    offset: i64,
    limit: i64,
) -> DbResult<Vec<(i64, i64)>> {
    let (offset, limit) = (offset.max(0), limit.max(0));
    Ok(sqlx::query_as(dyn_sql!(
        "SELECT i.id, i.updated_at FROM items i WHERE {PUBLIC_SQL} \
         ORDER BY i.updated_at DESC, i.id DESC LIMIT {limit} OFFSET {offset}"
    ))
    .fetch_all(conn)
    .await?)
}

/// [`public_updates_slice`] as a stream read as the sitemap is written, in the order of the
/// index `items_public_updated` (no sort of every item).
pub fn public_updates_stream(
    conn: &mut AnyConnection,
    offset: i64,
    limit: i64,
) -> futures_util::stream::BoxStream<'_, DbResult<(i64, i64)>> {
    use futures_util::{StreamExt, TryStreamExt};
    let (offset, limit) = (offset.max(0), limit.max(0));
    sqlx::query_as(dyn_sql!(
        "SELECT i.id, i.updated_at FROM items i WHERE {PUBLIC_SQL} \
         ORDER BY i.updated_at DESC, i.id DESC LIMIT {limit} OFFSET {offset}"
    ))
    .fetch(conn)
    .map_err(DbError::from)
    .boxed()
}
