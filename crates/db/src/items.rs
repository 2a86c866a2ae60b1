//! Items (信息): the records published on the portal, with the government-document metadata.

use crate::audit::{self, Entry};
use crate::civil::NullableDate;
use crate::error::OnUnique;
use crate::search_outbox;
use crate::{Actor, DbError, DbResult, Page, now_ms, page_bounds};
use gongkai_domain::CivilDate;
use gongkai_domain::Invalid;
use gongkai_domain::content;
use gongkai_domain::index_no::{IndexInputs, IndexPattern};
use gongkai_domain::interpretation;
use gongkai_domain::item::{ItemFields, ItemInput};
use gongkai_domain::model::{Disclosure, ItemStatus};
use serde::Serialize;
use sqlx::AnyConnection;

/// **The public-visibility rule in SQL** (see `gongkai_domain::model::is_publicly_visible`).
/// Every query that feeds a public channel includes it.
pub const PUBLIC_SQL: &str = "i.status = 'published' AND i.disclosure = 'proactive'";

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Item {
    pub id: i64,
    pub site_id: i64,
    pub org_id: i64,
    pub title: String,
    pub summary: String,
    pub body_format: String,
    pub body_source: String,
    pub body_html: String,
    pub status: String,
    pub disclosure: String,
    pub disclosure_reason: Option<String>,
    pub index_no: Option<String>,
    pub topic_category: Option<String>,
    pub issuing_authority: Option<String>,
    #[sqlx(try_from = "NullableDate")]
    pub written_on: Option<CivilDate>,
    pub doc_number: Option<String>,
    pub keywords: Option<String>,
    pub validity: String,
    pub published_at: Option<i64>,
    pub created_by: Option<i64>,
    pub updated_by: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
    pub interprets_item_id: Option<i64>,
    #[sqlx(try_from = "NullableDate")]
    pub validity_changed_on: Option<CivilDate>,
    pub replaced_by_item_id: Option<i64>,
    /// Submissions so far (workflow; see `crate::workflow`).
    pub review_round: i64,
    /// The review level awaited while `submitted`, else 0.
    pub review_level: i64,
    /// When a `scheduled` item is to be published (epoch ms).
    pub publish_at: Option<i64>,
    /// Why the scheduled publication was not carried out (the content guard found something).
    pub schedule_error: Option<String>,
    /// Published without review (先发后审) with this reason.
    pub publish_now_reason: Option<String>,
    /// `pending` until reviewed after a publication without review, then `done`.
    pub post_review: Option<String>,
    /// `notice` or `gone` for items withdrawn through the workflow.
    pub withdraw_mode: Option<String>,
    pub withdraw_reason: Option<String>,
    pub withdrawn_at: Option<i64>,
    /// `rule` (规章) or `normative` (行政规范性文件): counted in the annual report's table 二.
    pub legal_form: Option<String>,
}

/// A form's text of an optional date (empty when none).
fn date_text(d: Option<CivilDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

impl Item {
    /// The item as the editor's form shows it (the form fields of `gongkai_domain::item`).
    pub fn fields(&self, column_ids: &[i64]) -> ItemFields {
        ItemFields {
            title: self.title.clone(),
            summary: self.summary.clone(),
            body_format: self.body_format.clone(),
            body: self.body_source.clone(),
            org_id: self.org_id.to_string(),
            column_ids: column_ids.iter().map(i64::to_string).collect(),
            disclosure: self.disclosure.clone(),
            disclosure_reason: self.disclosure_reason.clone().unwrap_or_default(),
            topic_category: self.topic_category.clone().unwrap_or_default(),
            issuing_authority: self.issuing_authority.clone().unwrap_or_default(),
            written_on: date_text(self.written_on),
            doc_number: self.doc_number.clone().unwrap_or_default(),
            keywords: self.keywords.clone().unwrap_or_default(),
            validity: self.validity.clone(),
            publish_date: String::new(),
            interprets_item_id: id_text(self.interprets_item_id),
            cross_org_interpretation: String::new(),
            validity_changed_on: date_text(self.validity_changed_on),
            replaced_by_item_id: id_text(self.replaced_by_item_id),
            legal_form: self.legal_form.clone().unwrap_or_default(),
        }
    }

    pub fn status(&self) -> ItemStatus {
        ItemStatus::from_code(&self.status).unwrap_or(ItemStatus::Draft)
    }

    pub fn disclosure(&self) -> Disclosure {
        Disclosure::from_code(&self.disclosure).unwrap_or(Disclosure::NotDisclosed)
    }

    pub fn is_public(&self) -> bool {
        gongkai_domain::model::is_publicly_visible(self.status(), self.disclosure())
    }
}

/// A list row: what lists and feeds show.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ItemSummary {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub title: String,
    pub summary: String,
    pub status: String,
    pub disclosure: String,
    pub index_no: Option<String>,
    pub doc_number: Option<String>,
    pub validity: String,
    pub published_at: Option<i64>,
    pub updated_at: i64,
}

pub(crate) const SUMMARY_COLS: &str = "i.id, i.org_id, o.name AS org_name, i.title, i.summary, i.status, i.disclosure, \
     i.index_no, i.doc_number, i.validity, i.published_at, i.updated_at";

/// Integer ids inlined into SQL (no array binds on SQLite); `NULL` keeps an empty list valid.
pub(crate) fn id_list(ids: &[i64]) -> String {
    if ids.is_empty() {
        "NULL".into()
    } else {
        ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
    }
}

/// Start of a civil date in China (UTC+8, no daylight saving since 1991), as epoch milliseconds.
pub fn china_date_start_ms(d: chrono::NaiveDate) -> i64 {
    gongkai_domain::china_time::start_of_day(d)
}

pub async fn get(conn: &mut AnyConnection, id: i64) -> DbResult<Item> {
    sqlx::query_as("SELECT * FROM items WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(DbError::NotFound("信息不存在"))
}

/// A public item, or `NotFound` when it does not exist or is not public: both look the same.
pub async fn get_public(conn: &mut AnyConnection, id: i64) -> DbResult<Item> {
    sqlx::query_as(dyn_sql!(
        "SELECT i.* FROM items i WHERE i.id = $1 AND {PUBLIC_SQL}"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?
    .ok_or(DbError::NotFound("信息不存在或未公开"))
}

pub async fn column_ids(conn: &mut AnyConnection, id: i64) -> DbResult<Vec<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT column_id FROM item_columns WHERE item_id = $1 ORDER BY column_id",
    )
    .bind(id)
    .fetch_all(conn)
    .await?)
}

/// Filter for the public API listing with keyset pagination on (published_at, id).
#[derive(Debug, Clone, Default)]
pub struct PublicQuery {
    pub column_ids: Option<Vec<i64>>,
    pub org_id: Option<i64>,
    /// Civil year of publication in China.
    pub year: Option<i32>,
    /// A substring of the title (`%` and `_` match themselves).
    pub title_contains: Option<String>,
    /// Continue after this (published_at, id).
    pub after: Option<(i64, i64)>,
    pub limit: i64,
}

/// `[start, end)` of a civil year in China as epoch milliseconds; `None` outside chrono's range.
fn year_range_ms(year: i32) -> Option<(i64, i64)> {
    let start = chrono::NaiveDate::from_ymd_opt(year, 1, 1)?;
    let end = chrono::NaiveDate::from_ymd_opt(year.checked_add(1)?, 1, 1)?;
    Some((china_date_start_ms(start), china_date_start_ms(end)))
}

/// The condition on `i.published_at` for a year (`FALSE` for a year no item can have).
fn year_sql(year: i32) -> String {
    match year_range_ms(year) {
        Some((s, e)) => format!(" AND i.published_at >= {s} AND i.published_at < {e}"),
        None => " AND 1 = 0".into(),
    }
}

/// A `LIKE … ESCAPE '\'` pattern matching `text` anywhere, its wildcards taken literally.
fn contains_pattern(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

pub async fn public_list(conn: &mut AnyConnection, q: &PublicQuery) -> DbResult<Vec<ItemSummary>> {
    let mut cond = PUBLIC_SQL.to_string();
    if let Some(cols) = &q.column_ids {
        cond.push_str(&format!(
            " AND i.id IN (SELECT item_id FROM item_columns WHERE column_id IN ({}))",
            id_list(cols)
        ));
    }
    if let Some(o) = q.org_id {
        cond.push_str(&format!(" AND i.org_id = {o}"));
    }
    if let Some(y) = q.year {
        cond.push_str(&year_sql(y));
    }
    if q.title_contains.is_some() {
        cond.push_str(" AND i.title LIKE $1 ESCAPE '\\'");
    }
    if let Some((p, id)) = q.after {
        cond.push_str(&format!(
            " AND (i.published_at < {p} OR (i.published_at = {p} AND i.id < {id}))"
        ));
    }
    let limit = q.limit.clamp(1, 100);
    let sql = dyn_sql!(
        "SELECT {SUMMARY_COLS} FROM items i JOIN organisations o ON o.id = i.org_id WHERE {cond} \
         ORDER BY i.published_at DESC, i.id DESC LIMIT {limit}"
    );
    let query = sqlx::query_as(sql);
    let query = match &q.title_contains {
        Some(t) => query.bind(contains_pattern(t)),
        None => query,
    };
    Ok(query.fetch_all(conn).await?)
}

/// Back-office listing. `orgs`: `None` means every organisation.
#[derive(Debug, Clone, Default)]
pub struct AdminQuery {
    pub orgs: Option<Vec<i64>>,
    pub status: Option<ItemStatus>,
    pub title_contains: Option<String>,
    pub column_id: Option<i64>,
}

pub async fn admin_list(
    conn: &mut AnyConnection,
    q: &AdminQuery,
    page: i64,
    per_page: i64,
) -> DbResult<Page<ItemSummary>> {
    let (page, per_page, offset) = page_bounds(page, per_page);
    let mut cond =
        String::from("($1 IS NULL OR i.status = $1) AND ($2 IS NULL OR i.title LIKE $2)");
    if let Some(orgs) = &q.orgs {
        cond.push_str(&format!(" AND i.org_id IN ({})", id_list(orgs)));
    }
    if let Some(c) = q.column_id {
        cond.push_str(&format!(
            " AND i.id IN (SELECT item_id FROM item_columns WHERE column_id = {c})"
        ));
    }
    let status = q.status.map(|s| s.code().to_string());
    let like = q
        .title_contains
        .as_ref()
        .map(|t| format!("%{}%", t.replace(['%', '_'], "")));
    let total: i64 = sqlx::query_scalar(dyn_sql!("SELECT COUNT(*) FROM items i WHERE {cond}"))
        .bind(status.clone())
        .bind(like.clone())
        .fetch_one(&mut *conn)
        .await?;
    let rows = sqlx::query_as(dyn_sql!(
        "SELECT {SUMMARY_COLS} FROM items i JOIN organisations o ON o.id = i.org_id WHERE {cond} \
         ORDER BY i.updated_at DESC, i.id DESC LIMIT {per_page} OFFSET {offset}"
    ))
    .bind(status)
    .bind(like)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Page {
        rows,
        total,
        page,
        per_page,
    })
}

async fn check_refs(
    conn: &mut AnyConnection,
    site_id: i64,
    input: &ItemInput,
    current: Option<&Item>,
) -> DbResult<()> {
    let self_id = current.map(|c| c.id);
    // A link already stored for the same organisation was checked (or overridden) when made;
    // editing the interpretation later does not ask for the override again.
    let link_kept = current.is_some_and(|c| {
        c.interprets_item_id == input.interprets_item_id && c.org_id == input.org_id
    });
    let mut inv = Invalid::default();
    let org: Option<String> = sqlx::query_scalar("SELECT name FROM organisations WHERE id = $1")
        .bind(input.org_id)
        .fetch_optional(&mut *conn)
        .await?;
    if org.is_none() {
        inv.push("org_id", "发布机构不存在");
    }
    let found: i64 = sqlx::query_scalar(dyn_sql!(
        "SELECT COUNT(*) FROM columns WHERE site_id = $1 AND id IN ({})",
        id_list(&input.column_ids)
    ))
    .bind(site_id)
    .fetch_one(&mut *conn)
    .await?;
    if found != input.column_ids.len() as i64 {
        inv.push("column_ids", "所选栏目不存在");
    }
    if let Some(pid) = input.interprets_item_id {
        let policy: Option<(i64, String, String)> = sqlx::query_as(
            "SELECT i.org_id, o.name, i.status FROM items i JOIN organisations o ON o.id = i.org_id WHERE i.id = $1",
        )
        .bind(pid)
        .fetch_optional(&mut *conn)
        .await?;
        match policy {
            _ if Some(pid) == self_id => inv.push("interprets_item_id", "信息不能解读它自己"),
            Some((porg, pname, status)) if status == ItemStatus::Published.code() => {
                let own = (input.org_id, org.as_deref().unwrap_or_default());
                let rule = interpretation::check_drafter(
                    (porg, &pname),
                    own,
                    input.cross_org_interpretation || link_kept,
                );
                if let Err(e) = rule {
                    inv.errors.extend(e.errors);
                }
            }
            _ => inv.push("interprets_item_id", "所解读的政策文件不存在或尚未发布"),
        }
    }
    if let Some(rid) = input.replaced_by_item_id {
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM items WHERE id = $1")
            .bind(rid)
            .fetch_optional(&mut *conn)
            .await?;
        if exists.is_none() || Some(rid) == self_id {
            inv.push("replaced_by_item_id", "修改或替代文件不存在");
        }
    }
    Ok(inv.into_result()?)
}

fn summary_of(input: &ItemInput, body_html: &str) -> String {
    if input.summary.is_empty() {
        content::summarize(&content::plain_text(body_html), 120)
    } else {
        input.summary.clone()
    }
}

async fn write_columns(conn: &mut AnyConnection, id: i64, column_ids: &[i64]) -> DbResult<()> {
    sqlx::query("DELETE FROM item_columns WHERE item_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for c in column_ids {
        sqlx::query("INSERT INTO item_columns (item_id, column_id) VALUES ($1, $2)")
            .bind(id)
            .bind(c)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// A snapshot for the audit log: the row plus its columns.
async fn snapshot(conn: &mut AnyConnection, id: i64) -> DbResult<serde_json::Value> {
    let item = get(conn, id).await?;
    let cols = column_ids(conn, id).await?;
    let mut v = serde_json::to_value(item).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        o.remove("body_html");
        o.insert("column_ids".into(), serde_json::json!(cols));
    }
    Ok(v)
}

/// Records in the audit snapshot that 谁起草、谁解读 was overridden on purpose.
fn note_cross_org(after: &mut serde_json::Value, input: &ItemInput) {
    if input.cross_org_interpretation
        && let Some(o) = after.as_object_mut()
    {
        o.insert("cross_org_interpretation".into(), serde_json::json!(true));
    }
}

/// Creates a draft.
pub async fn create(
    conn: &mut AnyConnection,
    actor: &Actor,
    site_id: i64,
    input: &ItemInput,
) -> DbResult<i64> {
    check_refs(conn, site_id, input, None).await?;
    let body_html = content::render_body(input.body_format, &input.body_source);
    let now = now_ms();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO items (site_id, org_id, title, summary, body_format, body_source, body_html, status, disclosure, \
         disclosure_reason, topic_category, issuing_authority, written_on, doc_number, keywords, validity, published_at, \
         created_by, updated_by, created_at, updated_at, version, interprets_item_id, validity_changed_on, replaced_by_item_id, legal_form) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'draft', $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17, $18, $18, 1, $19, $20, $21, $22) RETURNING id",
    )
    .bind(site_id)
    .bind(input.org_id)
    .bind(&input.title)
    .bind(summary_of(input, &body_html))
    .bind(input.body_format.code())
    .bind(&input.body_source)
    .bind(&body_html)
    .bind(input.disclosure.code())
    .bind(&input.disclosure_reason)
    .bind(&input.topic_category)
    .bind(&input.issuing_authority)
    .bind(input.written_on.map(|d| d.to_string()))
    .bind(&input.doc_number)
    .bind(&input.keywords)
    .bind(input.validity.code())
    .bind(input.publish_date.map(china_date_start_ms))
    .bind(actor.user_id)
    .bind(now)
    .bind(input.interprets_item_id)
    .bind(input.validity_changed_on.map(|d| d.to_string()))
    .bind(input.replaced_by_item_id)
    .bind(input.legal_form.map(|f| f.code()))
    .fetch_one(&mut *conn)
    .await?;
    write_columns(conn, id, &input.column_ids).await?;
    crate::body_images::link_item(conn, id, &body_html).await?;
    add_author(conn, id, actor).await?;
    let mut after = snapshot(conn, id).await?;
    note_cross_org(&mut after, input);
    audit::record(
        conn,
        actor,
        Entry {
            action: "item.create",
            entity: "item",
            entity_id: id.to_string(),
            summary: format!("新建信息《{}》", input.title),
            before: None,
            after: Some(after),
        },
    )
    .await?;
    Ok(id)
}

/// Records `actor` as an author of item `id` (authors never review it).
pub(crate) async fn add_author(conn: &mut AnyConnection, id: i64, actor: &Actor) -> DbResult<()> {
    if let Some(u) = actor.user_id {
        sqlx::query(
            "INSERT INTO item_authors (item_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(id)
        .bind(u)
        .execute(conn)
        .await?;
    }
    Ok(())
}

/// How a change to a published item is recorded: 勘误 (minor) or 实质性修改 (major, with a
/// public 修改说明).
#[derive(Debug, Clone, Default)]
pub struct ChangeNote {
    pub major: bool,
    pub note: String,
}

/// Saves an edit. `expected_version` guards against overwriting someone else's change.
/// A change to a published item is a minor one (勘误); see [`update_noting`].
pub async fn update(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    expected_version: i64,
    input: &ItemInput,
) -> DbResult<()> {
    update_noting(
        conn,
        actor,
        id,
        expected_version,
        input,
        &ChangeNote::default(),
    )
    .await
}

/// [`update`], saying whether a change to a published item is major (with its public note).
/// Editing an item under review, approved or scheduled takes it back to draft: what was
/// reviewed is no longer what would be published. A change to a published item stores a version.
pub async fn update_noting(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    expected_version: i64,
    input: &ItemInput,
    change: &ChangeNote,
) -> DbResult<()> {
    let current = get(conn, id).await?;
    if change.major && current.status() == ItemStatus::Published && change.note.trim().is_empty() {
        return Err(Invalid::one("change_note", "实质性修改须填写公开的修改说明").into());
    }
    check_refs(conn, current.site_id, input, Some(&current)).await?;
    let before = snapshot(conn, id).await?;
    let body_html = content::render_body(input.body_format, &input.body_source);
    // A hand-given 发布日期 wins; otherwise a published item keeps its time.
    let published_at = input
        .publish_date
        .map(china_date_start_ms)
        .or(current.published_at);
    let n = sqlx::query(
        "UPDATE items SET org_id = $1, title = $2, summary = $3, body_format = $4, body_source = $5, body_html = $6, \
         disclosure = $7, disclosure_reason = $8, topic_category = $9, issuing_authority = $10, written_on = $11, \
         doc_number = $12, keywords = $13, validity = $14, published_at = $15, updated_by = $16, updated_at = $17, \
         interprets_item_id = $20, validity_changed_on = $21, replaced_by_item_id = $22, \
         legal_form = $23, version = version + 1 WHERE id = $18 AND version = $19",
    )
    .bind(input.org_id)
    .bind(&input.title)
    .bind(summary_of(input, &body_html))
    .bind(input.body_format.code())
    .bind(&input.body_source)
    .bind(&body_html)
    .bind(input.disclosure.code())
    .bind(&input.disclosure_reason)
    .bind(&input.topic_category)
    .bind(&input.issuing_authority)
    .bind(input.written_on.map(|d| d.to_string()))
    .bind(&input.doc_number)
    .bind(&input.keywords)
    .bind(input.validity.code())
    .bind(published_at)
    .bind(actor.user_id)
    .bind(now_ms())
    .bind(id)
    .bind(expected_version)
    .bind(input.interprets_item_id)
    .bind(input.validity_changed_on.map(|d| d.to_string()))
    .bind(input.replaced_by_item_id)
    .bind(input.legal_form.map(|f| f.code()))
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(DbError::Stale);
    }
    write_columns(conn, id, &input.column_ids).await?;
    crate::body_images::link_item(conn, id, &body_html).await?;
    add_author(conn, id, actor).await?;
    let back_to_draft = matches!(
        current.status(),
        ItemStatus::Submitted | ItemStatus::Approved | ItemStatus::Scheduled
    );
    if back_to_draft {
        sqlx::query(
            "UPDATE items SET status = 'draft', review_level = 0, publish_at = NULL, schedule_error = NULL WHERE id = $1",
        )
        .bind(id)
        .execute(&mut *conn)
        .await?;
    }
    if current.status() == ItemStatus::Published {
        search_outbox::record(conn, id).await?;
        crate::workflow::record_version(conn, actor, id, change.major, change.note.trim()).await?;
    }
    let mut after = snapshot(conn, id).await?;
    note_cross_org(&mut after, input);
    audit::record(
        conn,
        actor,
        Entry {
            action: "item.update",
            entity: "item",
            entity_id: id.to_string(),
            summary: if back_to_draft {
                format!("修改信息《{}》（退回草稿，须重新提交审核）", input.title)
            } else if change.major && current.status() == ItemStatus::Published {
                format!(
                    "实质性修改已发布信息《{}》：{}",
                    input.title,
                    change.note.trim()
                )
            } else {
                format!("修改信息《{}》", input.title)
            },
            before: Some(before),
            after: Some(after),
        },
    )
    .await?;
    Ok(())
}

/// Publishes an item: gives it a 索引号 on first publication and a 发布日期 if it has none.
pub async fn publish(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    pattern: &IndexPattern,
) -> DbResult<()> {
    publish_noting(conn, actor, id, pattern, None).await
}

/// [`publish`], recording `guard_override` (the reason and the content guard's hits a person
/// chose to publish with) in the audit entry of the publication.
pub async fn publish_noting(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    pattern: &IndexPattern,
    guard_override: Option<serde_json::Value>,
) -> DbResult<()> {
    publish_inner(
        conn,
        actor,
        id,
        pattern,
        guard_override,
        "",
        serde_json::Map::new(),
    )
    .await
}

/// [`publish_noting`] with a text appended to the audit summary and fields added to the audit
/// entry's `after` (the workflow's publication paths).
pub(crate) async fn publish_inner(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    pattern: &IndexPattern,
    guard_override: Option<serde_json::Value>,
    summary_suffix: &str,
    extra: serde_json::Map<String, serde_json::Value>,
) -> DbResult<()> {
    let item = get(conn, id).await?;
    if item.status() == ItemStatus::Published {
        return Err(Invalid::one("status", "该信息已发布").into());
    }
    let before = snapshot(conn, id).await?;
    let published_at = item.published_at.unwrap_or_else(now_ms);
    let index_no = match item.index_no.clone() {
        Some(n) => n,
        None => next_index_no(conn, item.org_id, published_at, pattern).await?,
    };
    sqlx::query(
        "UPDATE items SET status = 'published', published_at = $1, index_no = $2, updated_by = $3, updated_at = $4, \
         version = version + 1, review_level = 0, publish_at = NULL, schedule_error = NULL, \
         withdraw_mode = NULL, withdraw_reason = NULL, withdrawn_at = NULL, \
         made_public_at = COALESCE(made_public_at, $4) WHERE id = $5",
    )
    .bind(published_at)
    .bind(&index_no)
    .bind(actor.user_id)
    .bind(now_ms())
    .bind(id)
    .execute(&mut *conn)
    .await
    .on_unique("index_no", "生成的索引号与已有信息重复，请检查索引号规则")?;
    search_outbox::record(conn, id).await?;
    crate::workflow::record_version(conn, actor, id, false, "").await?;
    let mut after = snapshot(conn, id).await?;
    let mut summary = format!("发布信息《{}》，索引号 {index_no}", item.title);
    if let Some(g) = guard_override {
        summary.push_str("，内容安全检查发现问题，经说明理由后发布");
        if let Some(o) = after.as_object_mut() {
            o.insert("guard_override".into(), g);
        }
    }
    summary.push_str(summary_suffix);
    if let Some(o) = after.as_object_mut() {
        o.extend(extra);
    }
    audit::record(
        conn,
        actor,
        Entry {
            action: "item.publish",
            entity: "item",
            entity_id: id.to_string(),
            summary,
            before: Some(before),
            after: Some(after),
        },
    )
    .await?;
    Ok(())
}

pub async fn unpublish(conn: &mut AnyConnection, actor: &Actor, id: i64) -> DbResult<()> {
    let item = get(conn, id).await?;
    if item.status() != ItemStatus::Published {
        return Err(Invalid::one("status", "只有已发布的信息可以撤回").into());
    }
    let before = snapshot(conn, id).await?;
    sqlx::query("UPDATE items SET status = 'unpublished', updated_by = $1, updated_at = $2, version = version + 1 WHERE id = $3")
        .bind(actor.user_id)
        .bind(now_ms())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    search_outbox::record(conn, id).await?;
    let after = snapshot(conn, id).await?;
    audit::record(
        conn,
        actor,
        Entry {
            action: "item.unpublish",
            entity: "item",
            entity_id: id.to_string(),
            summary: format!("撤回信息《{}》", item.title),
            before: Some(before),
            after: Some(after),
        },
    )
    .await?;
    Ok(())
}

async fn next_index_no(
    conn: &mut AnyConnection,
    org_id: i64,
    at_ms: i64,
    pattern: &IndexPattern,
) -> DbResult<String> {
    use chrono::Datelike;
    let (code, credit): (String, Option<String>) =
        sqlx::query_as("SELECT code, credit_code FROM organisations WHERE id = $1")
            .bind(org_id)
            .fetch_one(&mut *conn)
            .await?;
    let local = gongkai_domain::china_time::local(at_ms).unwrap_or_default();
    let inputs = IndexInputs {
        credit_code: credit.as_deref(),
        org_code: &code,
        year: local.year(),
        month: local.month(),
    };
    let scope = pattern.scope(&inputs)?;
    sqlx::query(
        "INSERT INTO index_counters (scope, last) VALUES ($1, 0) ON CONFLICT (scope) DO NOTHING",
    )
    .bind(&scope)
    .execute(&mut *conn)
    .await?;
    let seq: i64 = sqlx::query_scalar(
        "UPDATE index_counters SET last = last + 1 WHERE scope = $1 RETURNING last",
    )
    .bind(&scope)
    .fetch_one(&mut *conn)
    .await?;
    Ok(pattern.render(&inputs, seq as u64)?)
}

pub async fn count_by_status(
    conn: &mut AnyConnection,
    orgs: Option<&[i64]>,
) -> DbResult<Vec<(String, i64)>> {
    let cond = match orgs {
        Some(o) => format!("WHERE org_id IN ({})", id_list(o)),
        None => String::new(),
    };
    Ok(sqlx::query_as(dyn_sql!(
        "SELECT status, COUNT(*) FROM items {cond} GROUP BY status"
    ))
    .fetch_all(conn)
    .await?)
}

/// `(org_id, number of public items)` for every organisation that has public items.
pub async fn public_counts_by_org(conn: &mut AnyConnection) -> DbResult<Vec<(i64, i64)>> {
    Ok(sqlx::query_as(dyn_sql!(
        "SELECT i.org_id, COUNT(*) FROM items i WHERE {PUBLIC_SQL} GROUP BY i.org_id"
    ))
    .fetch_all(conn)
    .await?)
}

/// A row of the 政府信息公开目录 (the catalogue of public government information).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct CatalogueRow {
    pub id: i64,
    pub index_no: Option<String>,
    pub title: String,
    /// The issuing authority as written on the document, else the publishing organisation.
    pub issuer: String,
    pub doc_number: Option<String>,
    #[sqlx(try_from = "NullableDate")]
    pub written_on: Option<CivilDate>,
    pub published_at: Option<i64>,
    pub topic_category: Option<String>,
    pub validity: String,
}

/// Filter for [`public_catalogue`]: `year` is the civil year of publication in China.
#[derive(Debug, Clone, Copy, Default)]
pub struct CatalogueQuery {
    pub org_id: Option<i64>,
    pub year: Option<i32>,
}

/// The catalogue's statement: public items, newest first, at most `limit`.
fn catalogue_sql(q: CatalogueQuery, limit: i64) -> sqlx::AssertSqlSafe<String> {
    let mut cond = PUBLIC_SQL.to_string();
    if let Some(o) = q.org_id {
        cond.push_str(&format!(" AND i.org_id = {o}"));
    }
    if let Some(y) = q.year {
        cond.push_str(&year_sql(y));
    }
    let limit = limit.max(0);
    dyn_sql!(
        "SELECT i.id, i.index_no, i.title, \
         COALESCE(NULLIF(i.issuing_authority, ''), o.name) AS issuer, i.doc_number, i.written_on, \
         i.published_at, i.topic_category, i.validity \
         FROM items i JOIN organisations o ON o.id = i.org_id WHERE {cond} \
         ORDER BY i.published_at DESC, i.id DESC LIMIT {limit}"
    )
}

/// Public items for the catalogue, newest first, at most `limit`.
pub async fn public_catalogue(
    conn: &mut AnyConnection,
    q: CatalogueQuery,
    limit: i64,
) -> DbResult<Vec<CatalogueRow>> {
    Ok(sqlx::query_as(catalogue_sql(q, limit))
        .fetch_all(conn)
        .await?)
}

/// [`public_catalogue`] as a stream of rows read from the database as the consumer takes them
/// (the CSV download writes each as it comes: memory stays bounded at any size). The order is
/// served by the indexes `items_public` and `items_org_public`, never by a sort of every row.
pub fn public_catalogue_stream(
    conn: &mut AnyConnection,
    q: CatalogueQuery,
    limit: i64,
) -> futures_util::stream::BoxStream<'_, DbResult<CatalogueRow>> {
    use futures_util::{StreamExt, TryStreamExt};
    sqlx::query_as(catalogue_sql(q, limit))
        .fetch(conn)
        .map_err(DbError::from)
        .boxed()
}

/// `(id, updated_at)` of public items, most recently updated first, at most `limit` (for the
/// sitemap).
pub async fn public_updates(conn: &mut AnyConnection, limit: i64) -> DbResult<Vec<(i64, i64)>> {
    let limit = limit.max(0);
    Ok(sqlx::query_as(dyn_sql!(
        "SELECT i.id, i.updated_at FROM items i WHERE {PUBLIC_SQL} \
         ORDER BY i.updated_at DESC, i.id DESC LIMIT {limit}"
    ))
    .fetch_all(conn)
    .await?)
}

/// A published item's text for the content guard's scan over published content.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GuardRow {
    pub id: i64,
    pub org_name: String,
    pub title: String,
    pub summary: String,
    pub body_source: String,
    pub published_at: Option<i64>,
}

/// Published items (of `orgs`; `None` = all) with an id above `after_id`, in id order, at most
/// `limit`: the scan walks them in batches rather than loading every body at once.
pub async fn published_batch(
    conn: &mut AnyConnection,
    orgs: Option<&[i64]>,
    after_id: i64,
    limit: i64,
) -> DbResult<Vec<GuardRow>> {
    let mut cond = String::from("i.status = 'published' AND i.id > $1");
    if let Some(orgs) = orgs {
        cond.push_str(&format!(" AND i.org_id IN ({})", id_list(orgs)));
    }
    let limit = limit.clamp(1, 1000);
    Ok(sqlx::query_as(dyn_sql!(
        "SELECT i.id, o.name AS org_name, i.title, i.summary, i.body_source, i.published_at \
         FROM items i JOIN organisations o ON o.id = i.org_id WHERE {cond} ORDER BY i.id LIMIT {limit}"
    ))
    .bind(after_id)
    .fetch_all(conn)
    .await?)
}

fn id_text(id: Option<i64>) -> String {
    id.map(|i| i.to_string()).unwrap_or_default()
}

/// Records that a published item became public at its stated 发布日期 instead of now. Only for
/// replaying a past year (the demo scenario and tests that simulate one): no route or use case
/// calls it, since it is exactly the backdating the evidence date exists to prevent.
pub async fn replay_made_public_at_stated_date(conn: &mut AnyConnection, id: i64) -> DbResult<()> {
    sqlx::query(
        "UPDATE items SET made_public_at = published_at WHERE id = $1 AND status = 'published'",
    )
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
