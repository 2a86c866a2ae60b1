//! Public reads: organisations, columns and items. **Only published 主动公开 items are ever
//! returned** (every item query is one of `gongkai_db::items`' public queries), and a non-public
//! item answers exactly like a missing one.

use super::cursor;
use super::dto::*;
use super::extract::{ApiQuery, Id, parse_id};
use crate::error::ApiError;
use crate::{AppError, AppState};
use axum::Json;
use axum::extract::State;
use gongkai_db::items::{self, Item, PublicQuery};
use gongkai_db::{DbError, attachments, columns, orgs};
use sqlx::AnyConnection;

/// Items per page when `limit` is not given, and the most a client may ask for.
pub const DEFAULT_LIMIT: i64 = 20;
pub const MAX_LIMIT: i64 = 50;

/// A database "not found" with the API's wording; other errors pass through.
fn not_found(e: DbError, message: &str) -> AppError {
    match e {
        DbError::NotFound(_) => AppError::NotFound(message.into()),
        other => other.into(),
    }
}

#[utoipa::path(
    get, path = "/orgs", tag = "机构",
    summary = "机构列表",
    description = "Every organisation, in tree order (`sort_order`, `id`); `parent_id` links the tree.",
    responses(
        (status = 200, description = "All organisations", body = OrgList),
        (status = 500, description = "`internal`", body = ErrorBody),
    )
)]
pub async fn org_list(State(state): State<AppState>) -> Result<Json<OrgList>, ApiError> {
    let mut conn = state.db.pool.acquire().await?;
    let all = orgs::all(&mut conn).await?;
    Ok(Json(OrgList {
        orgs: all.iter().map(OrgDto::from).collect(),
    }))
}

#[utoipa::path(
    get, path = "/orgs/{id}", tag = "机构",
    summary = "机构详情",
    params(("id" = i64, Path, description = "Organisation id")),
    responses(
        (status = 200, description = "The organisation", body = OrgDetail),
        (status = 404, description = "`not_found`: no such organisation", body = ErrorBody),
    )
)]
pub async fn org_get(
    State(state): State<AppState>,
    Id(id): Id,
) -> Result<Json<OrgDetail>, ApiError> {
    let mut conn = state.db.pool.acquire().await?;
    let all = orgs::all(&mut conn).await?;
    let org = all
        .iter()
        .find(|o| o.id == id)
        .ok_or_else(|| AppError::NotFound("机构不存在".into()))?;
    let aliases = orgs::aliases_of(&mut conn, id).await?;
    Ok(Json(OrgDetail {
        org: OrgDto::from(org),
        description: org.description.clone(),
        aliases,
        children: all
            .iter()
            .filter(|o| o.parent_id == Some(id))
            .map(|o| o.id)
            .collect(),
    }))
}

#[utoipa::path(
    get, path = "/columns", tag = "栏目",
    summary = "栏目列表",
    description = "Every column of the site as a flat list in tree order; `parent_id` links the tree.",
    responses(
        (status = 200, description = "All columns", body = ColumnList),
        (status = 500, description = "`internal`", body = ErrorBody),
    )
)]
pub async fn column_list(State(state): State<AppState>) -> Result<Json<ColumnList>, ApiError> {
    let mut conn = state.db.pool.acquire().await?;
    let all = site_columns(&mut conn).await?;
    Ok(Json(ColumnList {
        columns: tree_order(&all).into_iter().map(ColumnDto::from).collect(),
    }))
}

#[utoipa::path(
    get, path = "/columns/{id}", tag = "栏目",
    summary = "栏目详情",
    params(("id" = i64, Path, description = "Column id")),
    responses(
        (status = 200, description = "The column", body = ColumnDetail),
        (status = 404, description = "`not_found`: no such column", body = ErrorBody),
    )
)]
pub async fn column_get(
    State(state): State<AppState>,
    Id(id): Id,
) -> Result<Json<ColumnDetail>, ApiError> {
    let mut conn = state.db.pool.acquire().await?;
    let all = site_columns(&mut conn).await?;
    let column = all
        .iter()
        .find(|c| c.id == id)
        .ok_or_else(|| AppError::NotFound("栏目不存在".into()))?;
    Ok(Json(ColumnDetail {
        column: ColumnDto::from(column),
        path: columns::path(&all, id).iter().map(|c| c.id).collect(),
        children: all
            .iter()
            .filter(|c| c.parent_id == Some(id))
            .map(|c| c.id)
            .collect(),
    }))
}

async fn site_columns(conn: &mut AnyConnection) -> Result<Vec<columns::Column>, AppError> {
    let site = columns::default_site(conn).await?;
    Ok(columns::all(conn, site.id).await?)
}

/// Depth-first order: each column followed by its descendants, siblings by (`sort_order`, `id`)
/// as loaded. Columns whose parent is missing (should not happen) come last.
fn tree_order(all: &[columns::Column]) -> Vec<&columns::Column> {
    fn visit<'a>(
        all: &'a [columns::Column],
        parent: Option<i64>,
        out: &mut Vec<&'a columns::Column>,
    ) {
        for c in all.iter().filter(|c| c.parent_id == parent) {
            if out.iter().any(|o| o.id == c.id) {
                continue;
            }
            out.push(c);
            visit(all, Some(c.id), out);
        }
    }
    let mut out = Vec::with_capacity(all.len());
    visit(all, None, &mut out);
    for c in all {
        if !out.iter().any(|o| o.id == c.id) {
            out.push(c);
        }
    }
    out
}

/// Reads an optional positive integer query parameter.
fn int_param(value: Option<&str>, name: &str) -> Result<Option<i64>, AppError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => parse_id(v)
            .map(Some)
            .ok_or_else(|| AppError::BadRequest(format!("查询参数 {name} 须为正整数，收到“{v}”"))),
    }
}

/// Reads the optional `limit` parameter: 1 to `max`, as the document says. A larger page is
/// refused (`bad_request`), not silently cut.
pub(crate) fn limit_param(value: Option<&str>, max: i64) -> Result<Option<i64>, AppError> {
    match int_param(value, "limit")? {
        Some(n) if n > max => Err(AppError::BadRequest(format!(
            "查询参数 limit 须在 1 到 {max} 之间，收到 {n}"
        ))),
        other => Ok(other),
    }
}

/// Reads the optional `year` parameter: a year from 1949 to 9999.
fn year_param(value: Option<&str>) -> Result<Option<i32>, AppError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => v
            .parse::<i32>()
            .ok()
            .filter(|y| (1949..=9999).contains(y))
            .map(Some)
            .ok_or_else(|| {
                AppError::BadRequest(format!("查询参数 year 须为年份（如 2017），收到“{v}”"))
            }),
    }
}

/// Reads the optional `q` parameter: trimmed, at most [`MAX_Q_CHARS`] characters.
fn title_param(value: Option<&str>) -> Result<Option<String>, AppError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) if v.chars().count() > MAX_Q_CHARS => Err(AppError::BadRequest(format!(
            "查询参数 q 不能超过 {MAX_Q_CHARS} 个字符"
        ))),
        Some(v) => Ok(Some(v.to_string())),
    }
}

/// The longest title search accepted.
const MAX_Q_CHARS: usize = 100;

#[utoipa::path(
    get, path = "/items", tag = "信息",
    summary = "公开信息列表",
    description = "Published 主动公开 items, newest first (by publication time, then id), one page \
        at a time. Follow `next_cursor` until it is `null`. The cursor is opaque; it names the last \
        item of the page, so pages stay consistent while new items are published. Filters (`column`, \
        `org`, `year`, `q`) combine; repeat them with the cursor.",
    params(ItemListQuery),
    responses(
        (status = 200, description = "One page of items", body = ItemList),
        (status = 400, description = "`bad_request`: a malformed parameter or cursor", body = ErrorBody),
        (status = 404, description = "`not_found`: the column or organisation does not exist", body = ErrorBody),
    )
)]
pub async fn item_list(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ItemListQuery>,
) -> Result<Json<ItemList>, ApiError> {
    let column = int_param(q.column.as_deref(), "column")?;
    let org = int_param(q.org.as_deref(), "org")?;
    let year = year_param(q.year.as_deref())?;
    let title_contains = title_param(q.q.as_deref())?;
    let limit = limit_param(q.limit.as_deref(), MAX_LIMIT)?.unwrap_or(DEFAULT_LIMIT);
    let after = match q.cursor.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(c) => Some(cursor::decode(c)?),
    };
    let mut conn = state.db.pool.acquire().await?;
    let column_ids = match column {
        None => None,
        Some(id) => {
            let all = site_columns(&mut conn).await?;
            if !all.iter().any(|c| c.id == id) {
                return Err(AppError::NotFound("栏目不存在".into()).into());
            }
            Some(columns::subtree(&all, id))
        }
    };
    if let Some(id) = org {
        orgs::get(&mut conn, id)
            .await
            .map_err(|e| not_found(e, "机构不存在"))?;
    }
    // One more than asked tells whether there is a next page.
    let mut rows = items::public_list(
        &mut conn,
        &PublicQuery {
            column_ids,
            org_id: org,
            year,
            title_contains,
            after,
            limit: limit + 1,
        },
    )
    .await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = match rows.last() {
        Some(last) if more => Some(cursor::encode(last.published_at.unwrap_or(0), last.id)),
        _ => None,
    };
    Ok(Json(ItemList {
        items: rows.iter().map(ItemSummaryDto::from).collect(),
        next_cursor,
    }))
}

#[utoipa::path(
    get, path = "/items/{id}", tag = "信息",
    summary = "公开信息详情",
    description = "A published 主动公开 item with its metadata, body and attachments. Drafts, \
        withdrawn items and items marked 依申请公开 or 不予公开 answer `not_found` exactly like ids \
        that do not exist.",
    params(("id" = i64, Path, description = "Item id")),
    responses(
        (status = 200, description = "The item", body = ItemDetail),
        (status = 404, description = "`not_found`: missing or not public", body = ErrorBody),
    )
)]
pub async fn item_get(
    State(state): State<AppState>,
    Id(id): Id,
) -> Result<Json<ItemDetail>, ApiError> {
    let mut conn = state.db.pool.acquire().await?;
    let item = items::get_public(&mut conn, id)
        .await
        .map_err(|e| not_found(e, "信息不存在或未公开"))?;
    Ok(Json(detail(&mut conn, &item, false).await?))
}

/// The full view of an item: organisation name, columns and attachments.
pub(crate) async fn detail(
    conn: &mut AnyConnection,
    item: &Item,
    with_source: bool,
) -> Result<ItemDetail, AppError> {
    let org_name = orgs::get(conn, item.org_id).await?.name;
    let mut cols = Vec::new();
    for cid in items::column_ids(conn, item.id).await? {
        let c = columns::get(conn, cid).await?;
        cols.push(ColumnRef {
            id: c.id,
            name: c.name,
            slug: c.slug,
        });
    }
    let atts = attachments::of_item(conn, item.id).await?;
    Ok(ItemDetail::new(item, org_name, cols, &atts, with_source))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(id: i64, parent_id: Option<i64>) -> columns::Column {
        columns::Column {
            id,
            site_id: 1,
            parent_id,
            name: format!("栏目{id}"),
            slug: format!("c{id}"),
            kind: "news".into(),
            description: String::new(),
            sort_order: 0,
            on_home: 0,
            created_at: 0,
            updated_at: 0,
        }
    }

    #[test]
    fn columns_are_listed_depth_first() {
        let all = vec![col(1, None), col(2, None), col(3, Some(1)), col(4, Some(3))];
        let ids: Vec<i64> = tree_order(&all).iter().map(|c| c.id).collect();
        assert_eq!(ids, vec![1, 3, 4, 2]);
    }

    #[test]
    fn orphans_are_not_lost() {
        let all = vec![col(1, None), col(5, Some(99))];
        assert_eq!(tree_order(&all).len(), 2);
    }

    #[test]
    fn integer_parameters() {
        assert_eq!(int_param(None, "org").unwrap(), None);
        assert_eq!(int_param(Some(" "), "org").unwrap(), None);
        assert_eq!(int_param(Some("7"), "org").unwrap(), Some(7));
        let e = int_param(Some("x"), "limit").unwrap_err();
        assert_eq!(e.code(), "bad_request");
        assert!(e.to_string().contains("limit"));
        assert!(int_param(Some("0"), "limit").is_err());
    }

    #[test]
    fn year_and_title_parameters() {
        assert_eq!(year_param(None).unwrap(), None);
        assert_eq!(year_param(Some("2017")).unwrap(), Some(2017));
        for bad in ["17x", "1800", "99999"] {
            assert_eq!(
                year_param(Some(bad)).unwrap_err().code(),
                "bad_request",
                "{bad}"
            );
        }
        assert_eq!(title_param(Some("  ")).unwrap(), None);
        assert_eq!(
            title_param(Some(" 规划 ")).unwrap().as_deref(),
            Some("规划")
        );
        assert!(title_param(Some(&"长".repeat(101))).is_err());
    }
}
