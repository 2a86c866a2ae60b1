//! `/sitemap.xml` (sitemaps.org 0.9): the home page, every column, the public accountability page
//! and its public plans, the organisation directory and pages, and every public item with its update time (newest first). Up to [`MAX_URLS`]
//! addresses (the protocol's limit for one file) it is one `urlset`; beyond, it is a
//! `sitemapindex` naming `/sitemap-1.xml`, `/sitemap-2.xml`, … of at most [`MAX_URLS`] each.
//! The limit is a parameter of [`render`], so tests can split with a small one.

use super::{base_url, column_href};
use crate::{AppError, AppState};
use axum::body::Body;
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

/// The start of a `urlset` (written before its entries as they are read).
fn urlset_head() -> String {
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"{NS}\">")
}

const URLSET_TAIL: &str = "\n</urlset>\n";

/// One `<url>` of a `urlset`, its text escaped.
fn url_xml(e: &Entry) -> String {
    let mut out = format!(
        "\n  <url>\n    <loc>{}</loc>",
        quick_xml::escape::escape(e.loc.as_str())
    );
    if let Some(m) = &e.lastmod {
        out.push_str(&format!(
            "\n    <lastmod>{}</lastmod>",
            quick_xml::escape::escape(m.as_str())
        ));
    }
    out.push_str("\n  </url>");
    out
}

fn item_entry(base: &str, id: i64, updated_at: i64) -> Entry {
    Entry {
        loc: format!("{base}/items/{id}"),
        lastmod: Some(
            super::feeds::china_time(updated_at)
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
        ),
    }
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
/// addresses. `None` for a part that does not exist. The bytes of [`body`], gathered.
pub async fn render(
    state: &AppState,
    base: &str,
    part: Option<usize>,
    limit: usize,
) -> Result<Option<Vec<u8>>, AppError> {
    match body(state, base, part, limit).await? {
        Some(b) => {
            Ok(Some(crate::streamed::collect(b).await.map_err(|e| {
                AppError::Internal(format!("写出站点地图失败：{e}"))
            })?))
        }
        None => Ok(None),
    }
}

/// The sitemap as a body written while the items are read (see [`render`]): the pages other
/// than items are loaded first, then the items stream from the database in index order.
async fn body(
    state: &AppState,
    base: &str,
    part: Option<usize>,
    limit: usize,
) -> Result<Option<Body>, AppError> {
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
            return Ok(Some(Body::from(bytes)));
        }
        None => (0, total),
        Some(n) if n >= 1 && n <= n_parts => ((n - 1) * limit, (n * limit).min(total)),
        Some(_) => return Ok(None),
    };
    // Addresses [from, to): static pages first, then items.
    let mut head = urlset_head();
    for e in pages.iter().take(to).skip(from) {
        head.push_str(&url_xml(e));
    }
    let static_count = total - items;
    let item_from = (from.max(static_count) - static_count) as i64;
    let item_to = (to.max(static_count) - static_count) as i64;
    let base = base.to_string();
    Ok(Some(crate::streamed::body(move |mut out| async move {
        use futures_util::StreamExt;
        if out.write(&head).await.is_err() {
            return;
        }
        if item_to > item_from {
            let mut rows =
                sitemap::public_updates_stream(&mut conn, item_from, item_to - item_from);
            while let Some(row) = rows.next().await {
                match row {
                    Ok((id, updated_at)) => {
                        if out
                            .write(&url_xml(&item_entry(&base, id, updated_at)))
                            .await
                            .is_err()
                        {
                            return;
                        }
                    }
                    Err(e) => return out.fail(e.to_string()).await,
                }
            }
        }
        if out.write(URLSET_TAIL).await.is_ok() {
            out.finish().await;
        }
    })))
}

fn write_error(e: io::Error) -> AppError {
    AppError::Internal(format!("写出站点地图失败：{e}"))
}

fn xml(body: Body) -> Response {
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
        body,
    )
        .into_response()
}

/// `/sitemap.xml`.
pub async fn sitemap(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let base = base_url(&state, &headers);
    let body = body(&state, &base, None, MAX_URLS)
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok(xml(body))
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
    let body = body(&state, &base, Some(n), MAX_URLS)
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok(xml(body))
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
