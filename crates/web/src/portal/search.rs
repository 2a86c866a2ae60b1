//! `/search`: full-text search over this node's index. The index only holds public items
//! (`gongkai_search` re-reads every change through `PUBLIC_SQL`), so a hit is always showable.

use super::{Chrome, Crumb, Href, Pager, Section, page_window, percent_encode};
use crate::{AppError, AppState};
use axum::extract::{Query, State};
use axum::response::Html;
use gongkai_db::{columns, orgs};
use gongkai_search::{Filters, PER_PAGE};
use minijinja::value::Serde as S;
use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Deserialize)]
pub struct SearchParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    org: String,
    #[serde(default)]
    column: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    page: String,
}

#[derive(Serialize)]
struct HitView {
    href: Href,
    title_html: String,
    snippet_html: String,
    doc_number: Option<String>,
    published_at: i64,
}

#[derive(Serialize)]
struct FacetLink {
    name: String,
    count: u64,
    href: Href,
    current: bool,
}

#[derive(Serialize)]
struct FacetGroup {
    label: &'static str,
    /// Link that drops this filter, when it is set.
    clear: Option<Href>,
    links: Vec<FacetLink>,
}

/// Query-string pieces in a fixed order, percent-encoded.
fn href(q: &str, org: Option<i64>, column: Option<i64>, year: Option<i32>) -> Href {
    let mut s = format!("/search?q={}", percent_encode(q));
    if let Some(o) = org {
        s.push_str(&format!("&org={o}"));
    }
    if let Some(c) = column {
        s.push_str(&format!("&column={c}"));
    }
    if let Some(y) = year {
        s.push_str(&format!("&year={y}"));
    }
    Href(s)
}

/// `portal/search.html`: `q`, `hits` (`href`, `title_html`, `snippet_html` — already escaped
/// with `<b>` marks —, `doc_number`, `published_at`), `exact`, `total`, `facets` (`label`,
/// `clear`, `links` of `name`, `count`, `href`, `current`) and `pager`.
pub async fn search(
    State(state): State<AppState>,
    Query(p): Query<SearchParams>,
) -> Result<Html<String>, AppError> {
    let q: String = p.q.trim().chars().take(100).collect();
    let f = Filters {
        org: p.org.parse().ok().filter(|n| *n > 0),
        column: p.column.parse().ok().filter(|n| *n > 0),
        year: p.year.parse().ok().filter(|y| (1949..=9999).contains(y)),
    };
    let page: usize = p
        .page
        .parse()
        .ok()
        .filter(|n| (1..=500).contains(n))
        .unwrap_or(1);
    let mut conn = state.db.pool.acquire().await?;
    let chrome = Chrome::load(&mut conn).await?;
    let all_orgs = orgs::all(&mut conn).await?;
    let all_columns = columns::all(&mut conn, chrome.site.id).await?;
    let r = state.search.index.search(&q, f, page)?;

    let here = href(&q, f.org, f.column, f.year);
    let org_name = |id: i64| all_orgs.iter().find(|o| o.id == id).map(|o| o.name.clone());
    let column_name = |id: i64| {
        all_columns
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.name.clone())
    };
    let mut facets = Vec::new();
    if !r.orgs.is_empty() || f.org.is_some() {
        facets.push(FacetGroup {
            label: "发布机构",
            clear: f.org.map(|_| href(&q, None, f.column, f.year)),
            links: r
                .orgs
                .iter()
                .filter_map(|(id, n)| {
                    Some(FacetLink {
                        name: org_name(*id)?,
                        count: *n,
                        href: href(&q, Some(*id), f.column, f.year),
                        current: f.org == Some(*id),
                    })
                })
                .collect(),
        });
    }
    if !r.columns.is_empty() || f.column.is_some() {
        facets.push(FacetGroup {
            label: "所属栏目",
            clear: f.column.map(|_| href(&q, f.org, None, f.year)),
            links: r
                .columns
                .iter()
                .filter_map(|(id, n)| {
                    Some(FacetLink {
                        name: column_name(*id)?,
                        count: *n,
                        href: href(&q, f.org, Some(*id), f.year),
                        current: f.column == Some(*id),
                    })
                })
                .collect(),
        });
    }
    if !r.years.is_empty() || f.year.is_some() {
        facets.push(FacetGroup {
            label: "发布年份",
            clear: f.year.map(|_| href(&q, f.org, f.column, None)),
            links: r
                .years
                .iter()
                .map(|(y, n)| FacetLink {
                    name: format!("{y}年"),
                    count: *n,
                    href: href(&q, f.org, f.column, Some(*y)),
                    current: f.year == Some(*y),
                })
                .collect(),
        });
    }
    let total = r.total as i64;
    let pages = (total + PER_PAGE as i64 - 1) / PER_PAGE as i64;
    let page = page as i64;
    let pager = Pager {
        page,
        pages,
        total,
        base: here.0.clone(),
        prev: (page > 1).then(|| page - 1),
        next: (page < pages).then(|| page + 1),
        window: page_window(page, pages),
    };
    let hits: Vec<HitView> = r
        .hits
        .into_iter()
        .map(|h| HitView {
            href: format!("/items/{}", h.id).into(),
            title_html: h.title_html,
            snippet_html: h.snippet_html,
            doc_number: h.doc_number,
            published_at: h.published_at,
        })
        .collect();
    let title = if q.is_empty() {
        "站内搜索".to_string()
    } else {
        format!("“{q}”的搜索结果")
    };
    state.templates.render(
        "portal/search.html",
        minijinja::context! {
            q => q,
            hits => S(hits),
            exact => r.exact,
            total => total,
            facets => S(facets),
            pager => S(pager),
            breadcrumb => S(vec![Crumb { name: "站内搜索".into(), href: Href::default() }]),
            ..chrome.ctx(Section::Other, "/search", &title)
        },
    )
}
