//! `/sitemap.xml` (sitemaps.org 0.9): the home page, every column, the public accountability page
//! and its public plans, the organisation directory and pages, and every public item with its update time (newest first). Up to [`MAX_URLS`]
//! addresses (the protocol's limit for one file) it is one `urlset`; beyond, it is a
//! `sitemapindex` naming `/sitemap-1.xml`, `/sitemap-2.xml`, … of at most [`MAX_URLS`] each.
//! The limit is a parameter of [`render`], so tests can split with a small one.

use super::{base_url, column_href};
use crate::{AppError, AppState};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use gongkai_db::{columns, orgs, public_plans, sitemap};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};
use std::io;

/// The protocol's limit of addresses in one sitemap file.
pub const MAX_URLS: usize = 50_000;

const NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";

/// One `<url>`: an absolute address and, for items, the last modification as RFC 3339.
pub(crate) struct Entry {
    pub loc: String,
    pub lastmod: Option<String>,
}

fn document(
    root: &str,
    write: impl FnOnce(&mut Writer<Vec<u8>>) -> io::Result<()>,
) -> io::Result<Vec<u8>> {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.create_element(root)
        .with_attribute(("xmlns", NS))
        .write_inner_content(write)?;
    Ok(w.into_inner())
}

/// A `urlset` of `entries`.
pub(crate) fn write(entries: &[Entry]) -> io::Result<Vec<u8>> {
    document("urlset", |w| {
        for e in entries {
            w.create_element("url").write_inner_content(|w| {
                w.create_element("loc")
                    .write_text_content(BytesText::new(&e.loc))?;
                if let Some(m) = &e.lastmod {
                    w.create_element("lastmod")
                        .write_text_content(BytesText::new(m))?;
                }
                Ok(())
            })?;
        }
        Ok(())
    })
}

/// A `sitemapindex` naming `{base}/sitemap-1.xml` … `{base}/sitemap-{parts}.xml`.
pub(crate) fn write_index(base: &str, parts: usize) -> io::Result<Vec<u8>> {
    document("sitemapindex", |w| {
        for n in 1..=parts {
            w.create_element("sitemap").write_inner_content(|w| {
                w.create_element("loc")
                    .write_text_content(BytesText::new(&format!("{base}/sitemap-{n}.xml")))?;
                Ok(())
            })?;
        }
        Ok(())
    })
}

/// How many files `total` addresses need at `limit` a file (at least one).
pub(crate) fn parts(total: usize, limit: usize) -> usize {
    total.div_ceil(limit.max(1)).max(1)
}

/// The sitemap for `base`: `part` `None` is `/sitemap.xml` (a `urlset` when everything fits in
/// `limit` addresses, else the index), `Some(n)` is `/sitemap-{n}.xml`, the n-th `limit`
/// addresses. `None` for a part that does not exist.
pub async fn render(
    state: &AppState,
    base: &str,
    part: Option<usize>,
    limit: usize,
) -> Result<Option<Vec<u8>>, AppError> {
    let limit = limit.max(1);
    let mut conn = state.db.pool.acquire().await?;
    let site = columns::default_site(&mut conn).await?;
    let page = |path: String| Entry {
        loc: format!("{base}{path}"),
        lastmod: None,
    };
    let mut pages = vec![page("/".into())];
    pages.extend(
        columns::all(&mut conn, site.id)
            .await?
            .iter()
            .map(|c| page(column_href(&c.slug))),
    );
    pages.push(page("/zdgz".into()));
    pages.extend(
        public_plans::list(&mut conn)
            .await?
            .iter()
            .map(|p| page(format!("/zdgz/{}", p.id))),
    );
    pages.push(page("/orgs".into()));
    pages.push(page("/wzdt".into()));
    pages.push(page("/lxwm".into()));
    pages.extend(
        orgs::all(&mut conn)
            .await?
            .iter()
            .map(|o| page(format!("/orgs/{}", o.id))),
    );
    let items = sitemap::public_item_count(&mut conn).await?.max(0) as usize;
    let total = pages.len() + items;
    let n_parts = parts(total, limit);
    let (from, to) = match part {
        None if n_parts > 1 => {
            let bytes = write_index(base, n_parts).map_err(write_error)?;
            return Ok(Some(bytes));
        }
        None => (0, total),
        Some(n) if n >= 1 && n <= n_parts => ((n - 1) * limit, (n * limit).min(total)),
        Some(_) => return Ok(None),
    };
    // Addresses [from, to): static pages first, then items.
    let mut entries: Vec<Entry> = pages
        .into_iter()
        .enumerate()
        .filter(|(i, _)| (from..to).contains(i))
        .map(|(_, e)| e)
        .collect();
    let static_count = total - items;
    let item_from = from.max(static_count) - static_count;
    let item_to = to.max(static_count) - static_count;
    if item_to > item_from {
        let rows = sitemap::public_updates_slice(
            &mut conn,
            item_from as i64,
            (item_to - item_from) as i64,
        )
        .await?;
        entries.extend(rows.into_iter().map(|(id, updated_at)| {
            Entry {
                loc: format!("{base}/items/{id}"),
                lastmod: Some(
                    super::feeds::china_time(updated_at)
                        .to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
                ),
            }
        }));
    }
    Ok(Some(write(&entries).map_err(write_error)?))
}

fn write_error(e: io::Error) -> AppError {
    AppError::Internal(format!("写出站点地图失败：{e}"))
}

fn xml(bytes: Vec<u8>) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/xml; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// `/sitemap.xml`.
pub async fn sitemap(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let base = base_url(&state, &headers);
    let bytes = render(&state, &base, None, MAX_URLS)
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok(xml(bytes))
}

/// `/{file}` at the top level: `sitemap-{n}.xml`, anything else not found (the router cannot
/// match a parameter with a suffix, so the file name is parsed here).
pub async fn part(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(file): Path<String>,
) -> Result<Response, AppError> {
    let n = file
        .strip_prefix("sitemap-")
        .and_then(|s| s.strip_suffix(".xml"))
        .filter(|s| !s.is_empty() && s.len() <= 6 && s.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|s| s.parse::<usize>().ok())
        .ok_or_else(AppError::not_found)?;
    let base = base_url(&state, &headers);
    let bytes = render(&state, &base, Some(n), MAX_URLS)
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok(xml(bytes))
}

/// Other methods on `/{file}`: not found, as for any unknown address.
pub async fn not_found() -> AppError {
    AppError::not_found()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_and_the_index() {
        assert_eq!(parts(0, 5), 1);
        assert_eq!(parts(5, 5), 1);
        assert_eq!(parts(6, 5), 2);
        assert_eq!(parts(50_001, MAX_URLS), 2);
        let x = String::from_utf8(write_index("https://gk.example", 2).unwrap()).unwrap();
        assert!(x.contains("<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"));
        assert!(x.contains("<loc>https://gk.example/sitemap-1.xml</loc>"));
        assert!(x.contains("<loc>https://gk.example/sitemap-2.xml</loc>"));
        assert!(!x.contains("sitemap-3"));
    }
}
