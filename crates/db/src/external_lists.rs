//! List pages on departments' own websites (source `external`): binding a duty's obligations to
//! one (audited), the lists the scheduled crawl reads, and what a crawl found. An item's
//! `first_seen_at` is written when the crawler first sees its link on the list and never changed
//! afterwards; the validators (ETag, Last-Modified) of the last full answer are kept per list for
//! the next conditional request.

use crate::audit::{self, Entry};
use crate::civil::NullableDate;
use crate::{Actor, DbError, DbResult, now_ms};
use gongkai_domain::CivilDate;
use gongkai_domain::Invalid;
use gongkai_domain::compliance::EvidenceSource;
use sqlx::AnyConnection;

/// A list page as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct ExternalList {
    pub id: i64,
    pub url: String,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub crawled_at: Option<i64>,
    /// `ok`, `not_modified`, `failed`.
    pub last_outcome: Option<String>,
    pub last_error: Option<String>,
}

/// One item found on a list.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct ExternalItem {
    pub id: i64,
    pub list_id: i64,
    pub link: String,
    pub title: String,
    /// `YYYY-MM-DD`, the date the page gives.
    #[sqlx(try_from = "NullableDate")]
    pub claimed_on: Option<CivilDate>,
    pub first_seen_at: i64,
}

/// An item as the crawl read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found<'a> {
    pub link: &'a str,
    pub title: &'a str,
    pub claimed_on: Option<&'a str>,
}

/// The list with this URL, created when new; its id.
async fn ensure(conn: &mut AnyConnection, url: &str) -> DbResult<i64> {
    if let Some(id) = sqlx::query_scalar::<_, i64>("SELECT id FROM external_lists WHERE url = $1")
        .bind(url)
        .fetch_optional(&mut *conn)
        .await?
    {
        return Ok(id);
    }
    Ok(sqlx::query_scalar(
        "INSERT INTO external_lists (url, created_at) VALUES ($1, $2) RETURNING id",
    )
    .bind(url)
    .bind(now_ms())
    .fetch_one(&mut *conn)
    .await?)
}

/// Binds (or with `None` unbinds) the list page at `url` (already validated by
/// `domain::external_evidence::validate_list_url`) as the evidence of a duty's obligations of a
/// cadence: their source becomes `external` and their portal column is cleared; unbinding makes
/// them `items` again. Obligations checked from the system's own records are refused. Returns
/// how many obligations changed.
pub async fn bind(
    conn: &mut AnyConnection,
    actor: &Actor,
    plan_id: i64,
    duty_id: i64,
    cadence: &str,
    url: Option<&str>,
) -> DbResult<u64> {
    let plan = crate::plans::get_plan(conn, plan_id).await?;
    let before: Vec<(i64, String, Option<i64>, Option<i64>)> = sqlx::query_as(
        "SELECT o.id, o.source, o.column_id, o.external_list_id FROM obligations o \
         JOIN plan_duties d ON d.id = o.duty_id JOIN plan_tasks t ON t.id = d.task_id \
         WHERE t.plan_id = $1 AND o.duty_id = $2 AND o.cadence = $3 ORDER BY o.id",
    )
    .bind(plan_id)
    .bind(duty_id)
    .bind(cadence)
    .fetch_all(&mut *conn)
    .await?;
    if before.is_empty() {
        return Err(
            Invalid::one("cadence", "该职责没有这一公开义务\u{FF0C}请刷新页面后重试").into(),
        );
    }
    let (items, external) = (
        EvidenceSource::Items.code(),
        EvidenceSource::External.code(),
    );
    if before.iter().any(|o| o.1 != items && o.1 != external) {
        return Err(DbError::from(Invalid::one(
            "url",
            "该公开义务依据系统自身的记录核查\u{FF0C}不能绑定部门网站栏目",
        )));
    }
    let list_id = match url {
        Some(u) => Some(ensure(conn, u).await?),
        None => None,
    };
    let changed = before
        .iter()
        .filter(|o| o.3 != list_id || (list_id.is_some() && o.2.is_some()))
        .count() as u64;
    if changed == 0 {
        return Ok(0);
    }
    match list_id {
        Some(id) => {
            sqlx::query(
                "UPDATE obligations SET source = $1, external_list_id = $2, column_id = NULL \
                 WHERE duty_id = $3 AND cadence = $4",
            )
            .bind(external)
            .bind(id)
            .bind(duty_id)
            .bind(cadence)
            .execute(&mut *conn)
            .await?;
        }
        None => {
            sqlx::query(
                "UPDATE obligations SET source = $1, external_list_id = NULL \
                 WHERE duty_id = $2 AND cadence = $3 AND source = $4",
            )
            .bind(items)
            .bind(duty_id)
            .bind(cadence)
            .bind(external)
            .execute(&mut *conn)
            .await?;
        }
    }
    audit::record(
        conn,
        actor,
        Entry {
            action: "plan.obligation_external",
            entity: "plan",
            entity_id: plan_id.to_string(),
            summary: match url {
                Some(u) => format!(
                    "《{}》职责 {duty_id} 的\u{201C}{cadence}\u{201D}公开义务绑定部门网站栏目 {u}",
                    plan.title
                ),
                None => format!(
                    "《{}》职责 {duty_id} 的\u{201C}{cadence}\u{201D}公开义务取消绑定部门网站栏目",
                    plan.title
                ),
            },
            before: Some(serde_json::json!({"obligations": before
                .iter()
                .map(|o| serde_json::json!({"id": o.0, "source": o.1, "column_id": o.2, "external_list_id": o.3}))
                .collect::<Vec<_>>()})),
            after: Some(serde_json::json!({"duty_id": duty_id, "cadence": cadence, "url": url, "external_list_id": list_id})),
        },
    )
    .await?;
    Ok(changed)
}

/// Department list pages by the outcome of their last crawl (`never` before the first), with the
/// oldest last-crawl instant among them, for `/metrics`.
pub async fn crawl_stats(conn: &mut AnyConnection) -> DbResult<Vec<(String, i64, Option<i64>)>> {
    Ok(sqlx::query_as(
        "SELECT COALESCE(last_outcome, 'never'), COUNT(*), MIN(crawled_at) FROM external_lists \
         GROUP BY COALESCE(last_outcome, 'never') ORDER BY 1",
    )
    .fetch_all(&mut *conn)
    .await?)
}

/// The lists some obligation is bound to, in id order.
pub async fn bound(conn: &mut AnyConnection) -> DbResult<Vec<ExternalList>> {
    Ok(sqlx::query_as(
        "SELECT id, url, etag, last_modified, crawled_at, last_outcome, last_error \
         FROM external_lists WHERE id IN (SELECT external_list_id FROM obligations \
         WHERE source = 'external' AND external_list_id IS NOT NULL) ORDER BY id",
    )
    .fetch_all(&mut *conn)
    .await?)
}

pub async fn get(conn: &mut AnyConnection, id: i64) -> DbResult<ExternalList> {
    sqlx::query_as(
        "SELECT id, url, etag, last_modified, crawled_at, last_outcome, last_error \
         FROM external_lists WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(DbError::NotFound("部门网站栏目不存在"))
}

/// The items found on a list, in the order first seen.
pub async fn items(conn: &mut AnyConnection, list_id: i64) -> DbResult<Vec<ExternalItem>> {
    Ok(sqlx::query_as(
        "SELECT id, list_id, link, title, claimed_on, first_seen_at FROM external_list_items \
         WHERE list_id = $1 ORDER BY first_seen_at, id",
    )
    .bind(list_id)
    .fetch_all(&mut *conn)
    .await?)
}

/// Records a crawl that read the list at `at`: items not seen before are added with
/// `first_seen_at = at` (known ones are left as they are), the validators replaced. Audited when
/// new items appear (a crawl that finds nothing new only updates the list's status). Returns the
/// number of new items.
pub async fn record_read(
    conn: &mut AnyConnection,
    actor: &Actor,
    list_id: i64,
    at: i64,
    found: &[Found<'_>],
    etag: Option<&str>,
    last_modified: Option<&str>,
) -> DbResult<u64> {
    let list = get(conn, list_id).await?;
    let mut added = 0u64;
    for f in found {
        let r = sqlx::query(
            "INSERT INTO external_list_items (list_id, link, title, claimed_on, first_seen_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (list_id, link) DO NOTHING",
        )
        .bind(list_id)
        .bind(f.link)
        .bind(f.title)
        .bind(f.claimed_on)
        .bind(at)
        .execute(&mut *conn)
        .await?;
        added += r.rows_affected();
    }
    sqlx::query(
        "UPDATE external_lists SET etag = $1, last_modified = $2, crawled_at = $3, \
         last_outcome = 'ok', last_error = NULL WHERE id = $4",
    )
    .bind(etag)
    .bind(last_modified)
    .bind(at)
    .bind(list_id)
    .execute(&mut *conn)
    .await?;
    if added > 0 {
        audit::record(
            conn,
            actor,
            Entry {
                action: "external.items_found",
                entity: "external_list",
                entity_id: list_id.to_string(),
                summary: format!("部门网站栏目 {} 新发现 {added} 条信息", list.url),
                before: None,
                after: Some(serde_json::json!({"new_items": added, "read": found.len()})),
            },
        )
        .await?;
    }
    Ok(added)
}

/// Records a crawl that changed nothing (`not_modified`: a 304) or failed (`failed`, with the
/// reason): only the list's status changes, never its items or validators.
pub async fn record_status(
    conn: &mut AnyConnection,
    list_id: i64,
    at: i64,
    error: Option<&str>,
) -> DbResult<()> {
    let outcome = if error.is_some() {
        "failed"
    } else {
        "not_modified"
    };
    sqlx::query(
        "UPDATE external_lists SET crawled_at = $1, last_outcome = $2, last_error = $3 \
         WHERE id = $4",
    )
    .bind(at)
    .bind(outcome)
    .bind(error)
    .bind(list_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
