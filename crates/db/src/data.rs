//! The data-resource catalogue and open datasets (`data_resources`, `data_files`): create, edit
//! (optimistic locking by `version`), publish and unpublish, a dataset file's upload (each one a
//! dated update), and the public reads. **Every write takes the caller's transaction and an
//! `Actor` and writes its audit entry there**; an edit and (un)publication queue the search
//! outbox (`SearchKind::Dataset`) and keep the stated cadence's terms (`data_cadence::follow`)
//! in the same transaction. Public means published and not 不予开放 :
//! [`PUBLIC_SQL`] is in every public query.

use crate::audit::{self, Entry};
use crate::{Actor, DbError, DbResult, now_ms, search_outbox};
use gongkai_domain::Invalid;
use gongkai_domain::data::{OpenType, Resource};
use gongkai_domain::model::SearchKind;
use serde_json::json;
use sqlx::AnyConnection;

/// The condition of a public dataset (alias `r`).
pub const PUBLIC_SQL: &str = "r.published = 1 AND r.open_type <> 'closed'";

const COLS: &str = "r.id, r.org_id, o.name AS org_name, r.name, r.code, r.sharing, r.open_type, \
     r.body, r.published, r.published_at, r.version, r.created_at, r.updated_at, \
     (SELECT MAX(f.uploaded_at) FROM data_files f WHERE f.resource_id = r.id) AS last_upload";

/// A resource as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ResourceRow {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub name: String,
    pub code: String,
    pub sharing: String,
    pub open_type: String,
    pub body: String,
    pub published: i64,
    pub published_at: Option<i64>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
    /// When the newest file was uploaded.
    pub last_upload: Option<i64>,
}

impl ResourceRow {
    /// The catalogue entry; `None` only if the stored JSON were unreadable.
    pub fn resource(&self) -> Option<Resource> {
        serde_json::from_str(&self.body).ok()
    }

    pub fn is_published(&self) -> bool {
        self.published == 1
    }

    /// Published and not 不予开放.
    pub fn is_public(&self) -> bool {
        self.is_published() && self.open_type != OpenType::Closed.code()
    }

    /// The entry as the catalogue is exported (XLSX, JSON); `None` only if the stored JSON were
    /// unreadable.
    pub fn catalogue_entry(&self) -> Option<gongkai_domain::data::CatalogueEntry> {
        Some(gongkai_domain::data::CatalogueEntry::new(
            self.id,
            (self.org_id, &self.org_name),
            &self.resource()?,
            self.is_published(),
            self.last_upload
                .map(gongkai_domain::china_time::format_minute),
        ))
    }

    /// The last change of the dataset: its newest file, else its publication or edit.
    pub fn modified_ms(&self) -> i64 {
        self.last_upload
            .unwrap_or(0)
            .max(self.published_at.unwrap_or(0))
            .max(self.updated_at)
    }
}

/// A dataset file: one dated update.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FileRow {
    pub id: i64,
    pub resource_id: i64,
    pub file_name: String,
    pub format: String,
    pub content_type: String,
    pub sha256: String,
    pub size: i64,
    pub note: String,
    pub uploaded_at: i64,
}

/// A stored file to record.
pub struct NewFile<'a> {
    pub file_name: &'a str,
    pub format: &'a str,
    pub content_type: &'a str,
    pub sha256: &'a str,
    pub size: i64,
    pub note: &'a str,
}

/// What the search index reads of a resource: its name, code, summary, 信息项 and keywords.
fn search_text(r: &Resource) -> String {
    let items: Vec<&str> = r.items.iter().map(|i| i.name.as_str()).collect();
    format!(
        "{} {} {} {} {}",
        r.name,
        r.code,
        r.summary,
        items.join(" "),
        r.tags.join(" ")
    )
}

fn to_json(r: &Resource) -> DbResult<String> {
    serde_json::to_string(r).map_err(|e| DbError::Invalid(Invalid::one("body", e.to_string())))
}

pub async fn get(conn: &mut AnyConnection, id: i64) -> DbResult<ResourceRow> {
    sqlx::query_as(dyn_sql!(
        "SELECT {COLS} FROM data_resources r JOIN organisations o ON o.id = r.org_id WHERE r.id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?
    .ok_or(DbError::NotFound("数据资源不存在"))
}

/// Resources of `orgs` (`None`: all), by organisation then name.
pub async fn list(conn: &mut AnyConnection, orgs: Option<&[i64]>) -> DbResult<Vec<ResourceRow>> {
    let rows: Vec<ResourceRow> = sqlx::query_as(dyn_sql!(
        "SELECT {COLS} FROM data_resources r JOIN organisations o ON o.id = r.org_id \
         ORDER BY o.sort_order, o.id, r.name, r.id"
    ))
    .fetch_all(conn)
    .await?;
    Ok(match orgs {
        None => rows,
        Some(ids) => rows
            .into_iter()
            .filter(|r| ids.contains(&r.org_id))
            .collect(),
    })
}

/// Public datasets, by organisation then name.
pub async fn public_list(conn: &mut AnyConnection) -> DbResult<Vec<ResourceRow>> {
    Ok(sqlx::query_as(dyn_sql!(
        "SELECT {COLS} FROM data_resources r JOIN organisations o ON o.id = r.org_id \
         WHERE {PUBLIC_SQL} ORDER BY o.sort_order, o.id, r.name, r.id"
    ))
    .fetch_all(conn)
    .await?)
}

/// A public dataset, or `None`.
pub async fn public_get(conn: &mut AnyConnection, id: i64) -> DbResult<Option<ResourceRow>> {
    Ok(sqlx::query_as(dyn_sql!(
        "SELECT {COLS} FROM data_resources r JOIN organisations o ON o.id = r.org_id \
         WHERE r.id = $1 AND {PUBLIC_SQL}"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

/// The files of a resource, newest first.
pub async fn files(conn: &mut AnyConnection, resource_id: i64) -> DbResult<Vec<FileRow>> {
    Ok(sqlx::query_as(
        "SELECT id, resource_id, file_name, format, content_type, sha256, size, note, uploaded_at \
         FROM data_files WHERE resource_id = $1 ORDER BY uploaded_at DESC, id DESC",
    )
    .bind(resource_id)
    .fetch_all(conn)
    .await?)
}

/// A file of a resource, or `None`.
pub async fn file(
    conn: &mut AnyConnection,
    resource_id: i64,
    file_id: i64,
) -> DbResult<Option<FileRow>> {
    Ok(sqlx::query_as(
        "SELECT id, resource_id, file_name, format, content_type, sha256, size, note, uploaded_at \
         FROM data_files WHERE resource_id = $1 AND id = $2",
    )
    .bind(resource_id)
    .bind(file_id)
    .fetch_optional(conn)
    .await?)
}

async fn check_code(
    conn: &mut AnyConnection,
    org_id: i64,
    code: &str,
    except: i64,
) -> DbResult<()> {
    if code.is_empty() {
        return Ok(());
    }
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM data_resources WHERE org_id = $1 AND code = $2 AND id <> $3",
    )
    .bind(org_id)
    .bind(code)
    .bind(except)
    .fetch_one(conn)
    .await?;
    if n > 0 {
        return Err(Invalid::one("code", format!("本机构已有资源代码为 {code} 的数据资源")).into());
    }
    Ok(())
}

async fn log(
    conn: &mut AnyConnection,
    actor: &Actor,
    action: &'static str,
    id: i64,
    summary: String,
    after: serde_json::Value,
) -> DbResult<()> {
    audit::record(
        conn,
        actor,
        Entry {
            action,
            entity: "data_resource",
            entity_id: id.to_string(),
            summary,
            before: None,
            after: Some(after),
        },
    )
    .await
}

/// Creates an unpublished resource.
pub async fn create(
    conn: &mut AnyConnection,
    actor: &Actor,
    org_id: i64,
    r: &Resource,
) -> DbResult<i64> {
    check_code(conn, org_id, &r.code, 0).await?;
    let now = now_ms();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO data_resources (org_id, name, code, sharing, open_type, body, search_text, \
         created_by, updated_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $9) RETURNING id",
    )
    .bind(org_id)
    .bind(&r.name)
    .bind(&r.code)
    .bind(r.sharing.code())
    .bind(r.open_type.code())
    .bind(to_json(r)?)
    .bind(search_text(r))
    .bind(actor.user_id)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    log(
        conn,
        actor,
        "data.create",
        id,
        format!("新建数据资源\u{300A}{}\u{300B}", r.name),
        json!({"org_id": org_id, "resource": r}),
    )
    .await?;
    Ok(id)
}

/// Saves an edit of the catalogue entry (optimistic locking by `version`); a published
/// resource stays published with the new entry.
pub async fn update(
    conn: &mut AnyConnection,
    actor: &Actor,
    row: &ResourceRow,
    expected_version: i64,
    r: &Resource,
) -> DbResult<()> {
    check_code(conn, row.org_id, &r.code, row.id).await?;
    let n = sqlx::query(
        "UPDATE data_resources SET name = $1, code = $2, sharing = $3, open_type = $4, body = $5, \
         search_text = $6, updated_by = $7, updated_at = $8, version = version + 1 \
         WHERE id = $9 AND version = $10",
    )
    .bind(&r.name)
    .bind(&r.code)
    .bind(r.sharing.code())
    .bind(r.open_type.code())
    .bind(to_json(r)?)
    .bind(search_text(r))
    .bind(actor.user_id)
    .bind(now_ms())
    .bind(row.id)
    .bind(expected_version)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(DbError::Stale);
    }
    let owed = (row.is_published() && r.is_open())
        .then(|| r.cadence())
        .flatten();
    crate::data_cadence::follow(conn, row.id, owed, crate::china_today()).await?;
    search_outbox::record_kind(conn, SearchKind::Dataset, row.id).await?;
    log(
        conn,
        actor,
        "data.update",
        row.id,
        format!("修改数据资源\u{300A}{}\u{300B}", r.name),
        json!({"resource": r, "before": row.resource()}),
    )
    .await
}

/// Publishes (`true`) or unpublishes the resource's catalogue entry.
pub async fn set_published(
    conn: &mut AnyConnection,
    actor: &Actor,
    row: &ResourceRow,
    published: bool,
) -> DbResult<()> {
    let now = now_ms();
    sqlx::query(
        "UPDATE data_resources SET published = $1, \
         published_at = CASE WHEN $1 = 1 THEN $2 ELSE published_at END, \
         updated_by = $3, updated_at = $2, version = version + 1 WHERE id = $4",
    )
    .bind(published as i64)
    .bind(now)
    .bind(actor.user_id)
    .bind(row.id)
    .execute(&mut *conn)
    .await?;
    let owed = row
        .resource()
        .filter(|r| published && r.is_open())
        .and_then(|r| r.cadence());
    crate::data_cadence::follow(conn, row.id, owed, crate::china_today()).await?;
    search_outbox::record_kind(conn, SearchKind::Dataset, row.id).await?;
    let (action, verb) = if published {
        ("data.publish", "发布")
    } else {
        ("data.unpublish", "撤回")
    };
    log(
        conn,
        actor,
        action,
        row.id,
        format!("{verb}数据资源\u{300A}{}\u{300B}", row.name),
        json!({"published": published}),
    )
    .await
}

/// Records an uploaded file (already stored): one update of the dataset.
pub async fn add_file(
    conn: &mut AnyConnection,
    actor: &Actor,
    row: &ResourceRow,
    f: &NewFile<'_>,
) -> DbResult<i64> {
    let now = now_ms();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO data_files (resource_id, file_name, format, content_type, sha256, size, note, \
         uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(row.id)
    .bind(f.file_name)
    .bind(f.format)
    .bind(f.content_type)
    .bind(f.sha256)
    .bind(f.size)
    .bind(f.note)
    .bind(actor.user_id)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    log(
        conn,
        actor,
        "data.file",
        row.id,
        format!(
            "更新数据集\u{300A}{}\u{300B}\u{FF1A}{}",
            row.name, f.file_name
        ),
        json!({"file_id": id, "file_name": f.file_name, "sha256": f.sha256, "size": f.size,
               "note": f.note}),
    )
    .await?;
    Ok(id)
}
