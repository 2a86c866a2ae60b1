//! Sites and their column trees (栏目).

use crate::audit::{self, Entry};
use crate::error::OnUnique;
use crate::{Actor, DbError, DbResult, now_ms};
use gongkai_domain::model::ColumnKind;
use gongkai_domain::{Invalid, validate};
use serde::Serialize;
use sqlx::AnyConnection;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Site {
    pub id: i64,
    pub name: String,
    pub slug: String,
    pub owner_org_id: Option<i64>,
    pub created_at: i64,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Column {
    pub id: i64,
    pub site_id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    pub slug: String,
    pub kind: String,
    pub description: String,
    pub sort_order: i64,
    pub on_home: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Column {
    pub fn kind_label(&self) -> &'static str {
        ColumnKind::from_code(&self.kind)
            .map(|k| k.label())
            .unwrap_or("未知")
    }
}

pub async fn default_site(conn: &mut AnyConnection) -> DbResult<Site> {
    sqlx::query_as("SELECT * FROM sites ORDER BY id LIMIT 1")
        .fetch_optional(conn)
        .await?
        .ok_or(DbError::NotFound("站点尚未初始化"))
}

pub async fn all(conn: &mut AnyConnection, site_id: i64) -> DbResult<Vec<Column>> {
    Ok(
        sqlx::query_as("SELECT * FROM columns WHERE site_id = $1 ORDER BY sort_order, id")
            .bind(site_id)
            .fetch_all(conn)
            .await?,
    )
}

pub async fn get(conn: &mut AnyConnection, id: i64) -> DbResult<Column> {
    sqlx::query_as("SELECT * FROM columns WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(DbError::NotFound("栏目不存在"))
}

pub async fn by_slug(conn: &mut AnyConnection, site_id: i64, slug: &str) -> DbResult<Column> {
    sqlx::query_as("SELECT * FROM columns WHERE site_id = $1 AND slug = $2")
        .bind(site_id)
        .bind(slug)
        .fetch_optional(conn)
        .await?
        .ok_or(DbError::NotFound("栏目不存在"))
}

/// The column and its descendants, from an already loaded list.
pub fn subtree(all: &[Column], root: i64) -> Vec<i64> {
    crate::tree::subtree(all, root)
}

/// Ancestors from the root down to (and including) `id`, for breadcrumbs.
pub fn path(all: &[Column], id: i64) -> Vec<Column> {
    crate::tree::path(all, id)
}

impl crate::tree::Node for Column {
    fn id(&self) -> i64 {
        self.id
    }
    fn parent_id(&self) -> Option<i64> {
        self.parent_id
    }
}

#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct ColumnFields {
    pub name: String,
    pub slug: String,
    pub kind: String,
    pub parent_id: String,
    pub description: String,
    pub sort_order: String,
    pub on_home: String,
}

pub struct ColumnInput {
    pub name: String,
    pub slug: String,
    pub kind: ColumnKind,
    pub parent_id: Option<i64>,
    pub description: String,
    pub sort_order: i64,
    pub on_home: bool,
}

impl ColumnFields {
    pub fn validate(&self) -> Result<ColumnInput, Invalid> {
        let mut inv = Invalid::default();
        let name = validate::required_text(&mut inv, "name", "栏目名称", &self.name, 40);
        let slug = validate::slug(&mut inv, "slug", &self.slug);
        let kind = ColumnKind::from_code(self.kind.trim()).unwrap_or_else(|| {
            inv.push("kind", "请选择栏目类型");
            ColumnKind::News
        });
        let parent_id = match self.parent_id.trim() {
            "" => None,
            p => match p.parse::<i64>() {
                Ok(id) if id > 0 => Some(id),
                _ => {
                    inv.push("parent_id", "上级栏目无效");
                    None
                }
            },
        };
        let sort_order = match self.sort_order.trim() {
            "" => 0,
            s => s.parse::<i64>().unwrap_or_else(|_| {
                inv.push("sort_order", "排序号须为整数");
                0
            }),
        };
        let description =
            validate::optional_text(&mut inv, "description", "栏目说明", &self.description, 500)
                .unwrap_or_default();
        inv.into_result()?;
        Ok(ColumnInput {
            name,
            slug,
            kind,
            parent_id,
            description,
            sort_order,
            on_home: matches!(self.on_home.as_str(), "1" | "on" | "true"),
        })
    }
}

async fn check_parent(
    conn: &mut AnyConnection,
    site_id: i64,
    id: Option<i64>,
    parent: Option<i64>,
) -> DbResult<()> {
    let all = all(conn, site_id).await?;
    Ok(crate::tree::check_parent(&all, id, parent, "栏目")?)
}

pub async fn create(
    conn: &mut AnyConnection,
    actor: &Actor,
    site_id: i64,
    input: &ColumnInput,
) -> DbResult<i64> {
    check_parent(conn, site_id, None, input.parent_id).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO columns (site_id, parent_id, name, slug, kind, description, sort_order, on_home, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
    )
    .bind(site_id)
    .bind(input.parent_id)
    .bind(&input.name)
    .bind(&input.slug)
    .bind(input.kind.code())
    .bind(&input.description)
    .bind(input.sort_order)
    .bind(i64::from(input.on_home))
    .bind(now_ms())
    .fetch_one(&mut *conn)
    .await
    .on_unique("slug", "路径名已被其他栏目使用")?;
    let after = serde_json::to_value(get(conn, id).await?).ok();
    let summary = format!("新建栏目“{}”", input.name);
    audit::record(
        conn,
        actor,
        Entry::created("column.create", "column", id, summary, after),
    )
    .await?;
    Ok(id)
}

pub async fn update(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    input: &ColumnInput,
) -> DbResult<()> {
    let before = get(conn, id).await?;
    check_parent(conn, before.site_id, Some(id), input.parent_id).await?;
    sqlx::query(
        "UPDATE columns SET parent_id = $1, name = $2, slug = $3, kind = $4, description = $5, sort_order = $6, \
         on_home = $7, updated_at = $8 WHERE id = $9",
    )
    .bind(input.parent_id)
    .bind(&input.name)
    .bind(&input.slug)
    .bind(input.kind.code())
    .bind(&input.description)
    .bind(input.sort_order)
    .bind(i64::from(input.on_home))
    .bind(now_ms())
    .bind(id)
    .execute(&mut *conn)
    .await
    .on_unique("slug", "路径名已被其他栏目使用")?;
    let after = get(conn, id).await?;
    audit::record(
        conn,
        actor,
        Entry {
            action: "column.update",
            entity: "column",
            entity_id: id.to_string(),
            summary: format!("修改栏目“{}”", after.name),
            before: serde_json::to_value(before).ok(),
            after: serde_json::to_value(after).ok(),
        },
    )
    .await?;
    Ok(())
}
