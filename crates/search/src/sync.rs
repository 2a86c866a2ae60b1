//! Keeping the index derived from the database: apply the outbox, or rebuild from scratch.

use crate::index::{SearchDoc, SearchIndex, SearchResult};
use gongkai_db::search_outbox::{self, OtherRow, SearchRow};
use gongkai_db::{Db, attachments, items, now_ms};
use gongkai_domain::model::SearchKind;
use sqlx::AnyConnection;

/// Rows are applied again until they are this old, because a transaction that committed late can
/// leave an outbox id below one already seen; re-applying is harmless (each row is re-read).
const SETTLE_MS: i64 = 60_000;
/// Outbox rows are kept this long, so a node that was down for less catches up from them.
const KEEP_MS: i64 = 24 * 3_600_000;
const BATCH: i64 = 500;
/// An unchanged mark is written again only this often (its time tells a later sync that pruning
/// has not overtaken the node), so an idle node writes nothing in between (issue 18).
const MARK_REFRESH_MS: i64 = 3_600_000;

async fn to_doc(conn: &mut AnyConnection, row: SearchRow) -> SearchResult<SearchDoc> {
    let column_ids = items::column_ids(conn, row.id).await?;
    let kinds = search_outbox::column_kinds(conn, row.id).await?;
    // Read through PUBLIC_SQL again: attachment text of a non-public item never gets here.
    let attachment_text = attachments::public_texts(conn, row.id).await?.join("\n");
    let columns = search_outbox::column_names(conn, row.id).await?;
    let meta = [&row.keywords, &row.issuing_authority, &row.topic_category]
        .into_iter()
        .flatten()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    Ok(SearchDoc {
        kind: SearchKind::Item,
        column_names: columns,
        meta,
        id: row.id,
        org_id: row.org_id,
        column_ids,
        kinds,
        attachment_text,
        body: strip_html(&row.body_html),
        title: row.title,
        summary: row.summary,
        index_no: row.index_no,
        doc_number: row.doc_number,
        validity: row.validity,
        published_at: row.published_at.unwrap_or(row.updated_at),
    })
}

fn other_doc(kind: SearchKind, row: OtherRow) -> SearchDoc {
    SearchDoc {
        kind,
        id: row.id,
        org_id: row.org_id,
        title: row.title,
        body: row.body,
        published_at: row.published_at,
        ..SearchDoc::default()
    }
}

/// The kinds besides items, each read through what its public page shows.
const OTHER_KINDS: [SearchKind; 6] = [
    SearchKind::Proposal,
    SearchKind::Meeting,
    SearchKind::Message,
    SearchKind::Org,
    SearchKind::Service,
    SearchKind::Dataset,
];

/// Re-reads the `kind` with `id` as the public sees it (an item through `PUBLIC_SQL`) and
/// stages it in (or out of) the index.
async fn apply(
    conn: &mut AnyConnection,
    index: &SearchIndex,
    kind: SearchKind,
    id: i64,
) -> SearchResult<()> {
    if kind == SearchKind::Item {
        return match search_outbox::public_row(conn, id).await? {
            Some(row) => index.upsert(&to_doc(conn, row).await?),
            None => index.delete(id),
        };
    }
    match search_outbox::public_other(conn, kind, id).await? {
        Some(row) => index.upsert(&other_doc(kind, row)),
        None => index.delete_kind(kind, id),
    }
}

/// Applies the outbox rows this node has not applied yet and prunes rows older than a day.
/// A node never seen before (a new index directory), or one that last synced before the oldest
/// kept rows, is rebuilt from scratch instead.
/// Returns how many rows were applied.
pub async fn sync(db: &Db, index: &SearchIndex, node_id: &str) -> SearchResult<usize> {
    let mut conn = db.pool.acquire().await.map_err(gongkai_db::DbError::from)?;
    let (mark, synced_at) = match search_outbox::node_mark(&mut conn, node_id).await? {
        // Last synced before the oldest kept rows: rows it needed may be pruned.
        Some((mark, synced_at)) if synced_at > now_ms() - KEEP_MS + SETTLE_MS => (mark, synced_at),
        _ => {
            drop(conn);
            reindex(db, index, node_id, |_, _| {}).await?;
            return Ok(0);
        }
    };
    let settled_before = now_ms() - SETTLE_MS;
    let (mut cursor, mut new_mark, mut settled, mut applied) = (mark, mark, true, 0);
    loop {
        let rows = search_outbox::pending(&mut conn, cursor, BATCH).await?;
        let Some(last) = rows.last() else { break };
        cursor = last.id;
        for r in &rows {
            match SearchKind::from_code(&r.kind) {
                Some(kind) => apply(&mut conn, index, kind, r.item_id).await?,
                None => tracing::warn!(kind = %r.kind, "search outbox row of an unknown kind"),
            }
            settled &= r.created_at < settled_before;
            if settled {
                new_mark = r.id;
            }
        }
        applied += rows.len();
    }
    if applied > 0 {
        index.commit()?;
    }
    // Written when it moves, and hourly: `updated_at` tells the next sync whether pruning
    // overtook this node. Pruning goes with it (rows are kept a day; an hour late is harmless).
    if new_mark != mark || synced_at < now_ms() - MARK_REFRESH_MS {
        search_outbox::set_node_mark(&mut conn, node_id, new_mark).await?;
        search_outbox::prune(&mut conn, now_ms() - KEEP_MS).await?;
    }
    Ok(applied)
}

/// Rebuilds the index from the database. `progress(done, total)` is called after each batch.
/// The node's mark is set to the outbox head read *before* the scan, so changes made during the
/// rebuild are applied again by the next sync.
pub async fn reindex(
    db: &Db,
    index: &SearchIndex,
    node_id: &str,
    mut progress: impl FnMut(u64, u64),
) -> SearchResult<u64> {
    let mut conn = db.pool.acquire().await.map_err(gongkai_db::DbError::from)?;
    let head = search_outbox::last_id(&mut conn).await?;
    let total = search_outbox::public_count(&mut conn).await? as u64;
    index.clear()?;
    let (mut after, mut done) = (0, 0u64);
    loop {
        let rows = search_outbox::public_batch(&mut conn, after, BATCH).await?;
        let Some(last) = rows.last() else { break };
        after = last.id;
        for row in rows {
            index.upsert(&to_doc(&mut conn, row).await?)?;
            done += 1;
        }
        progress(done, total);
    }
    for kind in OTHER_KINDS {
        let mut after = 0;
        loop {
            let rows = search_outbox::public_others(&mut conn, kind, after, BATCH).await?;
            let Some(last) = rows.last() else { break };
            after = last.id;
            for row in rows {
                index.upsert(&other_doc(kind, row))?;
                done += 1;
            }
        }
    }
    index.commit()?;
    search_outbox::set_node_mark(&mut conn, node_id, head).await?;
    Ok(done)
}

/// Text of an HTML fragment: tags dropped, block ends as spaces, common entities decoded.
pub use gongkai_extract::html::fragment_text as strip_html;
