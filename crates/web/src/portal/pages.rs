//! Home page, column pages and the 政府信息公开 platform page.

use super::keyset::{KeysetPager, cursor_from_query};
use super::{Chrome, ColumnView, PER_PAGE, Section, column_href};
use crate::{AppError, AppState};
use axum::extract::{Path, RawQuery, State};
use axum::response::Html;
use gongkai_db::columns::{self, Column};
use gongkai_db::items::ItemSummary;
use gongkai_db::public_lists::{self, Cursor};
use gongkai_domain::seed::OPEN_GOV_ROOT;
use minijinja::value::Serde as S;
use serde::Serialize;
use sqlx::AnyConnection;

/// Items per column block on the home page.
const HOME_ITEMS: i64 = 6;
/// Items listed in a section of the 政府信息公开 page that has no sub-columns.
const SECTION_ITEMS: i64 = 5;

/// A column block of the home page: `column`, its latest public `items`, and `more` (whether
/// it holds more than are shown).
#[derive(Serialize)]
struct HomeBlock {
    column: ColumnView,
    items: Vec<ItemSummary>,
    more: bool,
}

/// `portal/home.html`: `blocks` (see [`HomeBlock`]), `xxgk` (the 政府信息公开 column or none) and
/// `xxgk_children` (its child columns).
/// The newest public plans for the links to `/zdgz` on the home page and `/xxgk`.
async fn keywork_links(conn: &mut sqlx::AnyConnection) -> Result<Vec<serde_json::Value>, AppError> {
    Ok(gongkai_db::public_plans::list(conn)
        .await?
        .iter()
        .take(3)
        .map(|p| serde_json::json!({"id": p.id, "title": p.title, "year": p.year}))
        .collect())
}

pub async fn home(State(state): State<AppState>) -> Result<Html<String>, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let chrome = Chrome::load(&state, &mut conn).await?;
    let mut blocks = Vec::new();
    for c in chrome.columns.iter().filter(|c| c.on_home != 0) {
        let ids = columns::subtree(&chrome.columns, c.id);
        let page =
            public_lists::public_in_columns(&mut conn, &ids, Cursor::First, HOME_ITEMS).await?;
        blocks.push(HomeBlock {
            column: ColumnView::of(c),
            more: page.older.is_some(),
            items: page.rows,
        });
    }
    let xxgk = chrome.columns.iter().find(|c| c.slug == OPEN_GOV_ROOT);
    let xxgk_children: Vec<ColumnView> = match xxgk {
        Some(root) => chrome
            .columns
            .iter()
            .filter(|c| c.parent_id == Some(root.id))
            .map(ColumnView::of)
            .collect(),
        None => Vec::new(),
    };
    let keywork = keywork_links(&mut conn).await?;
    state.templates.render(
        "portal/home.html",
        minijinja::context! {
            keywork => S(keywork),
            blocks => S(blocks),
            xxgk => S(xxgk.map(ColumnView::of)),
            xxgk_children => S(xxgk_children),
            ..chrome.ctx(Section::Home, "/", "")
        },
    )
}

/// `portal/column.html`: `column`, `breadcrumb` (ancestors and the column itself), `sidebar`,
/// `children` (child columns), `items` (this page of public items of the column and its
/// descendants) and `pager`.
pub async fn column(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Html<String>, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let chrome = Chrome::load(&state, &mut conn).await?;
    let col = chrome
        .columns
        .iter()
        .find(|c| c.slug == slug)
        .ok_or_else(AppError::not_found)?;
    let children: Vec<ColumnView> = chrome
        .columns
        .iter()
        .filter(|c| c.parent_id == Some(col.id))
        .map(ColumnView::of)
        .collect();
    let ids = columns::subtree(&chrome.columns, col.id);
    let cursor = cursor_from_query(query.as_deref());
    let page = public_lists::public_in_columns(&mut conn, &ids, cursor, PER_PAGE).await?;
    let here = column_href(&col.slug);
    let pager = KeysetPager::of(&page, &format!("/columns/{}", col.slug));
    let section = chrome
        .top_of(col.id)
        .map_or(Section::Other, Section::Column);
    state.templates.render(
        "portal/column.html",
        minijinja::context! {
            column => S(ColumnView::of(col)),
            breadcrumb => S(chrome.breadcrumb(col.id)),
            sidebar => S(chrome.sidebar(col.id)),
            children => S(children),
            items => S(page.rows),
            pager => S(pager),
            ..chrome.ctx(section, &here, &col.name)
        },
    )
}

/// A column of the 政府信息公开 tree with the number of public items in it and below it.
#[derive(Serialize)]
struct TreeNode {
    column: ColumnView,
    count: i64,
    children: Vec<TreeNode>,
    /// Latest public items; filled only for the sections of the platform that have no
    /// sub-columns (指南, 制度, 年报).
    items: Vec<ItemSummary>,
}

fn build_tree(
    all: &[Column],
    col: &Column,
    counts: &std::collections::HashMap<i64, i64>,
    depth: usize,
) -> TreeNode {
    TreeNode {
        column: ColumnView::of(col),
        count: counts.get(&col.id).copied().unwrap_or(0),
        children: if depth < 8 {
            all.iter()
                .filter(|c| c.parent_id == Some(col.id))
                .map(|c| build_tree(all, c, counts, depth + 1))
                .collect()
        } else {
            Vec::new()
        },
        items: Vec::new(),
    }
}

/// The number of public items under every column of `root`'s tree, in one statement.
async fn subtree_counts(
    conn: &mut AnyConnection,
    all: &[Column],
    root: &Column,
) -> Result<std::collections::HashMap<i64, i64>, AppError> {
    let subtrees: Vec<(i64, Vec<i64>)> = columns::subtree(all, root.id)
        .into_iter()
        .map(|id| (id, columns::subtree(all, id)))
        .collect();
    Ok(public_lists::public_counts_in_subtrees(conn, &subtrees)
        .await?
        .into_iter()
        .collect())
}

/// `portal/xxgk.html`: `root` (a tree node: `column`, `count`, `children` of the same shape, and
/// `items`, for the 政府信息公开 column and every descendant) and `latest` (latest public items
/// in it).
pub async fn xxgk(State(state): State<AppState>) -> Result<Html<String>, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let chrome = Chrome::load(&state, &mut conn).await?;
    let root = chrome
        .columns
        .iter()
        .find(|c| c.slug == OPEN_GOV_ROOT)
        .ok_or_else(AppError::not_found)?;
    let counts = subtree_counts(&mut conn, &chrome.columns, root).await?;
    let mut tree = build_tree(&chrome.columns, root, &counts, 0);
    for sec in tree.children.iter_mut().filter(|s| s.children.is_empty()) {
        sec.items = public_lists::public_in_columns(
            &mut conn,
            &[sec.column.id],
            Cursor::First,
            SECTION_ITEMS,
        )
        .await?
        .rows;
    }
    let ids = columns::subtree(&chrome.columns, root.id);
    let latest = public_lists::public_in_columns(&mut conn, &ids, Cursor::First, 10)
        .await?
        .rows;
    let keywork = keywork_links(&mut conn).await?;
    state.templates.render(
        "portal/xxgk.html",
        minijinja::context! {
            keywork => S(keywork),
            root => S(tree),
            latest => S(latest),
            ..chrome.ctx(Section::Column(root.id), "/xxgk", &root.name)
        },
    )
}
