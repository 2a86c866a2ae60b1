//! `/sitemap.xml` (sitemaps.org 0.9): the home page, every column, the organisation directory and
//! pages, and every public item with its update time, at most 50,000 addresses (the protocol's
//! limit for one file).

use super::{base_url, column_href};
use crate::{AppError, AppState};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use gongkai_db::{columns, items, orgs};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};
use std::io;

/// The protocol's limit of addresses in one sitemap file.
pub(crate) const MAX_URLS: usize = 50_000;

/// One `<url>`: an absolute address and, for items, the last modification as RFC 3339.
pub(crate) struct Entry {
    pub loc: String,
    pub lastmod: Option<String>,
}

pub(crate) fn write(entries: &[Entry]) -> io::Result<Vec<u8>> {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.create_element("urlset")
        .with_attribute(("xmlns", "http://www.sitemaps.org/schemas/sitemap/0.9"))
        .write_inner_content(|w| {
            for e in entries.iter().take(MAX_URLS) {
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
        })?;
    Ok(w.into_inner())
}

pub async fn sitemap(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let base = base_url(&state, &headers);
    let mut conn = state.db.pool.acquire().await?;
    let site = columns::default_site(&mut conn).await?;
    let page = |path: String| Entry {
        loc: format!("{base}{path}"),
        lastmod: None,
    };
    let mut entries = vec![page("/".into())];
    entries.extend(
        columns::all(&mut conn, site.id)
            .await?
            .iter()
            .map(|c| page(column_href(&c.slug))),
    );
    entries.push(page("/orgs".into()));
    entries.extend(
        orgs::all(&mut conn)
            .await?
            .iter()
            .map(|o| page(format!("/orgs/{}", o.id))),
    );
    entries.truncate(MAX_URLS);
    let room = (MAX_URLS - entries.len()) as i64;
    entries.extend(
        items::public_updates(&mut conn, room)
            .await?
            .into_iter()
            .map(|(id, updated_at)| Entry {
                loc: format!("{base}/items/{id}"),
                lastmod: Some(
                    super::feeds::china_time(updated_at)
                        .to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
                ),
            }),
    );
    let bytes = write(&entries).map_err(|e| AppError::Internal(format!("写出站点地图失败:{e}")))?;
    Ok((
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
        .into_response())
}
