//! What the public page of an item shows, in two statements (issue 18: each statement is a
//! round trip to the database's connection thread): the item with its organisation's name, then
//! everything linked to it in one `UNION ALL` — its columns, attachments, the public document
//! that replaces it, the public policy it interprets, its public interpretations and its public
//! record of changes.

use crate::items::{Item, PUBLIC_SQL};
use crate::{DbError, DbResult};
use sqlx::AnyConnection;

/// A public item and the name of its organisation.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PublicItem {
    #[sqlx(flatten)]
    pub item: Item,
    pub org_name: String,
}

/// A public item, or `NotFound` when it does not exist or is not public (both look the same).
pub async fn get_public(conn: &mut AnyConnection, id: i64) -> DbResult<PublicItem> {
    sqlx::query_as(dyn_sql!(
        "SELECT i.*, o.name AS org_name FROM items i JOIN organisations o ON o.id = i.org_id \
         WHERE i.id = $1 AND {PUBLIC_SQL}"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?
    .ok_or(DbError::NotFound("信息不存在或未公开"))
}

/// A linked document as the page links it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub id: i64,
    pub title: String,
    pub org_name: String,
}

/// An attachment as the page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentLine {
    pub id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
}

/// Everything the page links to, each list in its page order.
#[derive(Debug, Clone, Default)]
pub struct Related {
    pub column_ids: Vec<i64>,
    pub attachments: Vec<AttachmentLine>,
    /// The public document replacing this one (whatever the validity; the page decides).
    pub replaced_by: Option<Link>,
    /// The public policy this item interprets.
    pub interprets: Option<Link>,
    /// Public interpretations of this item, oldest first.
    pub interpretations: Vec<Link>,
    /// `(created_at, change_note)` of the major changes, oldest first.
    pub changes: Vec<(i64, String)>,
}

/// One row of the union: `kind` says which list, `n` and `ord` are per kind.
#[derive(sqlx::FromRow)]
struct Row {
    kind: String,
    id: i64,
    label: String,
    detail: String,
    n: i64,
}

/// What the page of the public item `id` links to (ask only for a public item).
pub async fn related(conn: &mut AnyConnection, id: i64) -> DbResult<Related> {
    let rows: Vec<Row> = sqlx::query_as(dyn_sql!(
        "SELECT 'a_column' AS kind, CAST(column_id AS BIGINT) AS id, '' AS label, '' AS detail, \
                CAST(0 AS BIGINT) AS n, CAST(column_id AS BIGINT) AS ord1, CAST(0 AS BIGINT) AS ord2 \
           FROM item_columns WHERE item_id = $1 \
         UNION ALL \
         SELECT 'b_attachment', id, file_name, content_type, size_bytes, id, 0 \
           FROM attachments WHERE item_id = $1 \
         UNION ALL \
         SELECT 'c_replaced_by', i.id, i.title, '', 0, 0, 0 FROM items i \
           WHERE i.id = (SELECT replaced_by_item_id FROM items WHERE id = $1) AND {PUBLIC_SQL} \
         UNION ALL \
         SELECT 'd_interprets', i.id, i.title, o.name, 0, 0, 0 \
           FROM items i JOIN organisations o ON o.id = i.org_id \
           WHERE i.id = (SELECT interprets_item_id FROM items WHERE id = $1) AND {PUBLIC_SQL} \
         UNION ALL \
         SELECT 'e_interpretation', i.id, i.title, o.name, 0, COALESCE(i.published_at, 0), i.id \
           FROM items i JOIN organisations o ON o.id = i.org_id \
           WHERE i.interprets_item_id = $1 AND {PUBLIC_SQL} \
         UNION ALL \
         SELECT 'f_change', 0, change_note, '', created_at, number, 0 FROM item_versions \
           WHERE item_id = $1 AND major = 1 AND change_note <> '' \
         ORDER BY kind, ord1, ord2"
    ))
    .bind(id)
    .fetch_all(conn)
    .await?;
    let mut out = Related::default();
    for mut r in rows {
        let kind = std::mem::take(&mut r.kind);
        let link = |r: Row| Link {
            id: r.id,
            title: r.label,
            org_name: r.detail,
        };
        match kind.as_str() {
            "a_column" => out.column_ids.push(r.id),
            "b_attachment" => out.attachments.push(AttachmentLine {
                id: r.id,
                file_name: r.label,
                content_type: r.detail,
                size_bytes: r.n,
            }),
            "c_replaced_by" => out.replaced_by = Some(link(r)),
            "d_interprets" => out.interprets = Some(link(r)),
            "e_interpretation" => out.interpretations.push(link(r)),
            _ => out.changes.push((r.n, r.label)),
        }
    }
    Ok(out)
}
