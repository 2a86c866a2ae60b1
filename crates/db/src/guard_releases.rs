//! The content guard's releases （放行）， hit by hit: a released hit (its kind and text) no longer
//! blocks publishing the item (or the service guide: [`of_service`], [`release_service`]); any
//! other hit still does. Who may release is asked of `gongkai_domain::role::Permissions` by the
//! caller.

use crate::audit::{self, Entry};
use crate::{Actor, DbResult, now_ms};
use serde_json::json;
use sqlx::AnyConnection;

/// One released hit of an item.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Release {
    pub kind: String,
    pub matched: String,
    pub reason: String,
    pub actor_name: String,
}

/// What was released: an item's hits, or a service guide's.
#[derive(Debug, Clone, Copy)]
enum Subject {
    Item,
    Service,
}

impl Subject {
    fn table(self) -> &'static str {
        match self {
            Subject::Item => "item_guard_releases",
            Subject::Service => "service_guard_releases",
        }
    }
}

async fn of(conn: &mut AnyConnection, subject: Subject, id: i64) -> DbResult<Vec<Release>> {
    let table = subject.table();
    Ok(sqlx::query_as(dyn_sql!(
        "SELECT kind, matched, reason, actor_name FROM {table} WHERE item_id = $1 ORDER BY id"
    ))
    .bind(id)
    .fetch_all(conn)
    .await?)
}

/// The released hits of an item.
pub async fn of_item(conn: &mut AnyConnection, item_id: i64) -> DbResult<Vec<Release>> {
    of(conn, Subject::Item, item_id).await
}

/// The released hits of a service guide.
pub async fn of_service(conn: &mut AnyConnection, service_id: i64) -> DbResult<Vec<Release>> {
    of(conn, Subject::Service, service_id).await
}

/// Records the release of `hits` (kind code, text) of an item with the reason; `record` is the
/// audit entry's detail (the hits masked). A hit released before keeps its first release.
pub async fn release(
    conn: &mut AnyConnection,
    actor: &Actor,
    item_id: i64,
    hits: &[(String, String)],
    reason: &str,
    record: serde_json::Value,
) -> DbResult<()> {
    insert(conn, actor, Subject::Item, item_id, hits, reason, record).await
}

/// Records the release of `hits` of a service guide, as [`release`] does for an item.
pub async fn release_service(
    conn: &mut AnyConnection,
    actor: &Actor,
    service_id: i64,
    hits: &[(String, String)],
    reason: &str,
    record: serde_json::Value,
) -> DbResult<()> {
    insert(
        conn,
        actor,
        Subject::Service,
        service_id,
        hits,
        reason,
        record,
    )
    .await
}

async fn insert(
    conn: &mut AnyConnection,
    actor: &Actor,
    subject: Subject,
    id: i64,
    hits: &[(String, String)],
    reason: &str,
    record: serde_json::Value,
) -> DbResult<()> {
    let table = subject.table();
    for (kind, matched) in hits {
        sqlx::query(dyn_sql!(
            "INSERT INTO {table} (item_id, kind, matched, reason, released_by, actor_name, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (item_id, kind, matched) DO NOTHING"
        ))
        .bind(id)
        .bind(kind)
        .bind(matched)
        .bind(reason)
        .bind(actor.user_id)
        .bind(&actor.name)
        .bind(now_ms())
        .execute(&mut *conn)
        .await?;
    }
    audit::record(
        conn,
        actor,
        Entry {
            action: match subject {
                Subject::Item => "item.guard_release",
                Subject::Service => "service.guard_release",
            },
            entity: match subject {
                Subject::Item => "item",
                Subject::Service => "service_item",
            },
            entity_id: id.to_string(),
            summary: format!(
                "\u{653E}\u{884C}\u{5185}\u{5BB9}\u{5B89}\u{5168}\u{68C0}\u{67E5}\u{53D1}\u{73B0}\u{7684}{}\u{5904}\u{5185}\u{5BB9}\u{FF1A}{reason}",
                hits.len()
            ),
            before: None,
            after: Some(json!({"guard_release": record})),
        },
    )
    .await
}
