//! `/search`: full-text search over this node's index. The index only holds public things
//! (`gongkai_search` re-reads every change through what the public may see), so a hit is always
//! showable. A page with no hits offers corrected spellings from the index's terms, the hot
//! queries (counted, text only) and the 依申请公开 and 留言 entrances.

use super::{Chrome, Crumb, Href, Pager, Section, page_window, percent_encode};
use crate::{AppError, AppState};
use axum::extract::{Query, State};
use axum::response::Html;
use gongkai_db::{columns, orgs, search_outbox};
use gongkai_domain::model::{ColumnKind, SearchKind, Validity};
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
    validity: String,
    #[serde(default)]
    doc_type: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    page: String,
}

#[derive(Serialize)]
struct HitView {
    href: Href,
    /// What the hit is, for anything but an item（建议提案答复、会议公开， …).
    kind_label: Option<&'static str>,
    title_html: String,
    snippet_html: String,
    doc_number: Option<String>,
    published_at: i64,
    /// 已修改 / 已废止 / 已失效; nothing for a valid document.
    validity_label: Option<&'static str>,
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
fn href(q: &str, f: &Filters) -> Href {
    let mut s = format!("/search?q={}", percent_encode(q));
    if let Some(o) = f.org {
        s.push_str(&format!("&org={o}"));
    }
    if let Some(c) = f.column {
        s.push_str(&format!("&column={c}"));
    }
    if let Some(y) = f.year {
        s.push_str(&format!("&year={y}"));
    }
    if let Some(v) = f.validity {
        s.push_str(&format!("&validity={}", v.code()));
    }
    if let Some(k) = f.kind {
        s.push_str(&format!("&doc_type={}", k.code()));
    }
    if let Some(k) = f.search_kind {
        s.push_str(&format!("&kind={}", k.code()));
    }
    Href(s)
}

/// A facet: a link for each value `name` can show, with its count, leading to the search
/// filtered by that value; when the filter is set, the link that drops it.
fn facet<T: Copy + PartialEq>(
    label: &'static str,
    counts: &[(T, u64)],
    current: Option<T>,
    name: impl Fn(T) -> Option<String>,
    filtered_by: impl Fn(Option<T>) -> Href,
) -> FacetGroup {
    FacetGroup {
        label,
        clear: current.map(|_| filtered_by(None)),
        links: counts
            .iter()
            .filter_map(|&(value, count)| {
                Some(FacetLink {
                    name: name(value)?,
                    count,
                    href: filtered_by(Some(value)),
                    current: current == Some(value),
                })
            })
            .collect(),
    }
}

/// The portal page of a hit.
pub fn hit_href(kind: SearchKind, id: i64) -> String {
    match kind {
        SearchKind::Item => format!("/items/{id}"),
        SearchKind::Proposal => format!("/jytabl/{id}"),
        SearchKind::Meeting => format!("/hygk/{id}"),
        SearchKind::Message => format!("/messages/{id}"),
        SearchKind::Org => format!("/orgs/{id}"),
        SearchKind::Service => format!("/bsfw/{id}"),
        SearchKind::Dataset => format!("/sjkf/{id}"),
    }
}

/// Hot queries offered on an empty page.
const HOT: i64 = 10;
/// Corrected spellings offered when nothing is found.
const SUGGESTIONS: usize = 5;

#[derive(Serialize)]
struct QueryLink {
    text: String,
    href: Href,
}

/// `portal/search.html`: `q`, `hits` (`href`, `title_html`, `snippet_html` — already escaped
/// with `<b>` marks —, `doc_number`, `published_at`, `validity_label`), `exact`, `total`,
/// `facets` (发布机构, 所属栏目, 发布年份, 文件类型, 有效性: `label`,
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
        validity: Validity::from_code(p.validity.trim()),
        kind: ColumnKind::from_code(p.doc_type.trim()),
        search_kind: SearchKind::from_code(p.kind.trim()),
    };
    let page: usize = match crate::util::page_param(Some(&p.page)) {
        n @ 1..=500 => n as usize,
        _ => 1,
    };
    let mut conn = state.db.pool.acquire().await?;
    let chrome = Chrome::load(&state, &mut conn).await?;
    let all_orgs = orgs::all(&mut conn).await?;
    let all_columns = columns::all(&mut conn, chrome.site.id).await?;
    let r = {
        let q = q.clone();
        state.search.query(move |i| i.search(&q, f, page)).await?
    };

    let here = href(&q, &f);
    let org_name = |id: i64| all_orgs.iter().find(|o| o.id == id).map(|o| o.name.clone());
    let column_name = |id: i64| {
        all_columns
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.name.clone())
    };
    let label = |name: &str| Some(name.to_string());
    let mut facets = Vec::new();
    if r.search_kinds.len() > 1 || f.search_kind.is_some() {
        facets.push(facet(
            "内容类别",
            &r.search_kinds,
            f.search_kind,
            |k| label(k.label()),
            |k| {
                href(
                    &q,
                    &Filters {
                        search_kind: k,
                        ..f
                    },
                )
            },
        ));
    }
    if !r.orgs.is_empty() || f.org.is_some() {
        facets.push(facet("发布机构", &r.orgs, f.org, org_name, |o| {
            href(&q, &Filters { org: o, ..f })
        }));
    }
    if !r.columns.is_empty() || f.column.is_some() {
        facets.push(facet(
            "所属栏目",
            &r.columns,
            f.column,
            column_name,
            |c| href(&q, &Filters { column: c, ..f }),
        ));
    }
    if !r.years.is_empty() || f.year.is_some() {
        facets.push(facet(
            "发布年份",
            &r.years,
            f.year,
            |y| Some(format!("{y}年")),
            |y| href(&q, &Filters { year: y, ..f }),
        ));
    }
    if !r.kinds.is_empty() || f.kind.is_some() {
        facets.push(facet(
            "文件类型",
            &r.kinds,
            f.kind,
            |k| label(k.label()),
            |k| href(&q, &Filters { kind: k, ..f }),
        ));
    }
    if !r.validities.is_empty() || f.validity.is_some() {
        facets.push(facet(
            "有效性",
            &r.validities,
            f.validity,
            |v| label(v.label()),
            |v| href(&q, &Filters { validity: v, ..f }),
        ));
    }
    let total = r.total as i64;
    let pages = gongkai_db::page_count(total, PER_PAGE as i64);
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
            href: hit_href(h.kind, h.id).into(),
            kind_label: (h.kind != SearchKind::Item).then(|| h.kind.label()),
            title_html: h.title_html,
            snippet_html: h.snippet_html,
            doc_number: h.doc_number,
            published_at: h.published_at,
            validity_label: Validity::from_code(&h.validity)
                .filter(|v| *v != Validity::Valid)
                .map(Validity::label),
        })
        .collect();
    // What the public searched, counted when it found something (so the list offers only
    // queries that lead somewhere); text only. A failed count never fails the page.
    if !q.is_empty()
        && total > 0
        && page == 1
        && q.chars().count() <= 30
        && let Err(e) = search_outbox::count_query(&mut conn, &q).await
    {
        tracing::warn!(error = %e, "counting a search query");
    }
    let link = |text: String| QueryLink {
        href: Href(format!("/search?q={}", percent_encode(&text))),
        text,
    };
    // Spellings when nothing, or only part of the query, was found; hot queries when nothing was.
    let suggestions: Vec<QueryLink> = if !q.is_empty() && (total == 0 || r.partial) {
        let q = q.clone();
        state
            .search
            .query(move |i| i.suggest(&q, SUGGESTIONS))
            .await?
            .into_iter()
            .map(link)
            .collect()
    } else {
        Vec::new()
    };
    let hot: Vec<QueryLink> = if total == 0 || q.is_empty() {
        search_outbox::hot_queries(&mut conn, HOT)
            .await?
            .into_iter()
            .map(|(text, _)| link(text))
            .collect()
    } else {
        Vec::new()
    };
    let filtered = [
        f.org.is_some(),
        f.column.is_some(),
        f.year.is_some(),
        f.validity.is_some(),
        f.kind.is_some(),
        f.search_kind.is_some(),
    ]
    .into_iter()
    .filter(|set| *set)
    .count();
    let unfiltered = href(&q, &Filters::default());
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
            partial => r.partial,
            filtered => filtered,
            unfiltered => S(unfiltered),

            suggestions => S(suggestions),
            hot => S(hot),
            total => total,
            facets => S(facets),
            pager => S(pager),
            breadcrumb => S(vec![Crumb { name: "站内搜索".into(), href: Href::default() }]),
            ..chrome.ctx(Section::Other, "/search", &title)
        },
    )
}
