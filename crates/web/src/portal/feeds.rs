//! RSS 2.0 and Atom 1.0 feeds of a column (with its sub-columns) and of an organisation: the
//! latest public items, from the same `PUBLIC_SQL` queries as the pages. Every value goes
//! through quick-xml's escaping writer.

use super::{Chrome, base_url, column_href, hide, parse_id};
use crate::{AppError, AppState};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, FixedOffset};
use gongkai_db::columns;
use gongkai_db::items::ItemSummary;
use gongkai_db::orgs;
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};
use std::io;

/// Items in a feed.
pub(crate) const FEED_ITEMS: i64 = 50;

const RSS_TYPE: &str = "application/rss+xml; charset=utf-8";
const ATOM_TYPE: &str = "application/atom+xml; charset=utf-8";

#[derive(Clone, Copy)]
enum Format {
    Rss,
    Atom,
}

/// What a feed describes: titles and absolute addresses, then its items.
pub(crate) struct Feed {
    pub title: String,
    pub description: String,
    /// The HTML page the feed mirrors.
    pub page_url: String,
    /// The feed's own address.
    pub self_url: String,
    /// Prefix of item links (`{base}/items/{id}`).
    pub base: String,
    pub items: Vec<ItemSummary>,
    /// Used as the feed's update time when it has no items.
    pub now_ms: i64,
}

/// Times in China's civil offset, as the portal shows them.
pub(crate) fn china_time(ms: i64) -> DateTime<FixedOffset> {
    use gongkai_domain::china_time;
    china_time::at(ms)
        .unwrap_or_else(|| DateTime::<chrono::Utc>::default().with_timezone(&china_time::OFFSET))
}

fn text<W: io::Write>(w: &mut Writer<W>, name: &str, value: &str) -> io::Result<()> {
    w.create_element(name)
        .write_text_content(BytesText::new(value))?;
    Ok(())
}

impl Feed {
    fn item_url(&self, id: i64) -> String {
        format!("{}/items/{id}", self.base)
    }

    fn updated_ms(&self) -> i64 {
        self.items
            .iter()
            .map(|i| i.updated_at.max(i.published_at.unwrap_or(0)))
            .max()
            .unwrap_or(self.now_ms)
    }

    pub fn rss(&self) -> io::Result<Vec<u8>> {
        let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
        w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        w.create_element("rss")
            .with_attribute(("version", "2.0"))
            .with_attribute(("xmlns:atom", "http://www.w3.org/2005/Atom"))
            .write_inner_content(|w| {
                w.create_element("channel").write_inner_content(|w| {
                    text(w, "title", &self.title)?;
                    text(w, "link", &self.page_url)?;
                    text(w, "description", &self.description)?;
                    text(w, "language", "zh-CN")?;
                    text(
                        w,
                        "lastBuildDate",
                        &china_time(self.updated_ms()).to_rfc2822(),
                    )?;
                    w.create_element("atom:link")
                        .with_attribute(("href", self.self_url.as_str()))
                        .with_attribute(("rel", "self"))
                        .with_attribute(("type", "application/rss+xml"))
                        .write_empty()?;
                    for i in &self.items {
                        let url = self.item_url(i.id);
                        w.create_element("item").write_inner_content(|w| {
                            text(w, "title", &i.title)?;
                            text(w, "link", &url)?;
                            w.create_element("guid")
                                .with_attribute(("isPermaLink", "true"))
                                .write_text_content(BytesText::new(&url))?;
                            if let Some(p) = i.published_at {
                                text(w, "pubDate", &china_time(p).to_rfc2822())?;
                            }
                            text(w, "category", &i.org_name)?;
                            text(w, "description", &i.summary)?;
                            Ok(())
                        })?;
                    }
                    Ok(())
                })?;
                Ok(())
            })?;
        Ok(w.into_inner())
    }

    pub fn atom(&self) -> io::Result<Vec<u8>> {
        let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
        w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        w.create_element("feed")
            .with_attribute(("xmlns", "http://www.w3.org/2005/Atom"))
            .with_attribute(("xml:lang", "zh-CN"))
            .write_inner_content(|w| {
                text(w, "title", &self.title)?;
                text(w, "subtitle", &self.description)?;
                text(w, "id", &self.self_url)?;
                w.create_element("link")
                    .with_attribute(("rel", "self"))
                    .with_attribute(("type", "application/atom+xml"))
                    .with_attribute(("href", self.self_url.as_str()))
                    .write_empty()?;
                w.create_element("link")
                    .with_attribute(("rel", "alternate"))
                    .with_attribute(("type", "text/html"))
                    .with_attribute(("href", self.page_url.as_str()))
                    .write_empty()?;
                text(w, "updated", &china_time(self.updated_ms()).to_rfc3339())?;
                for i in &self.items {
                    let url = self.item_url(i.id);
                    w.create_element("entry").write_inner_content(|w| {
                        text(w, "title", &i.title)?;
                        text(w, "id", &url)?;
                        w.create_element("link")
                            .with_attribute(("rel", "alternate"))
                            .with_attribute(("type", "text/html"))
                            .with_attribute(("href", url.as_str()))
                            .write_empty()?;
                        if let Some(p) = i.published_at {
                            text(w, "published", &china_time(p).to_rfc3339())?;
                        }
                        text(
                            w,
                            "updated",
                            &china_time(i.updated_at.max(i.published_at.unwrap_or(0))).to_rfc3339(),
                        )?;
                        w.create_element("author").write_inner_content(|w| {
                            text(w, "name", &i.org_name)?;
                            Ok(())
                        })?;
                        text(w, "summary", &i.summary)?;
                        Ok(())
                    })?;
                }
                Ok(())
            })?;
        Ok(w.into_inner())
    }
}

fn respond(feed: &Feed, format: Format) -> Result<Response, AppError> {
    let (bytes, ct) = match format {
        Format::Rss => (feed.rss(), RSS_TYPE),
        Format::Atom => (feed.atom(), ATOM_TYPE),
    };
    let bytes = bytes.map_err(|e| AppError::Internal(format!("写出订阅源失败：{e}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(ct)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=300"),
            ),
        ],
        bytes,
    )
        .into_response())
}

fn feed_path(page: &str, format: Format) -> String {
    let page = if page == "/" { "" } else { page };
    match format {
        Format::Rss => format!("{page}/rss.xml"),
        Format::Atom => format!("{page}/atom.xml"),
    }
}

async fn column_feed(
    state: &AppState,
    headers: &HeaderMap,
    slug: &str,
    format: Format,
) -> Result<Response, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let chrome = Chrome::load(state, &mut conn).await?;
    let col = chrome
        .columns
        .iter()
        .find(|c| c.slug == slug)
        .ok_or_else(AppError::not_found)?;
    let ids = columns::subtree(&chrome.columns, col.id);
    let page = gongkai_db::public_lists::public_in_columns(
        &mut conn,
        &ids,
        gongkai_db::public_lists::Cursor::First,
        FEED_ITEMS,
    )
    .await?;
    let base = base_url(state, headers);
    let feed = Feed {
        title: format!("{} - {}", col.name, chrome.site.name),
        description: format!("{}“{}”栏目最新公开信息", chrome.site.name, col.name),
        page_url: format!("{base}{}", column_href(&col.slug)),
        self_url: format!(
            "{base}{}",
            feed_path(&format!("/columns/{}", col.slug), format)
        ),
        base,
        items: page.rows,
        now_ms: gongkai_db::now_ms(),
    };
    respond(&feed, format)
}

async fn org_feed(
    state: &AppState,
    headers: &HeaderMap,
    id: &str,
    format: Format,
) -> Result<Response, AppError> {
    let id = parse_id(id)?;
    let mut conn = state.db.pool.acquire().await?;
    let org = orgs::get(&mut conn, id).await.map_err(hide)?;
    let site = columns::default_site(&mut conn).await?;
    let page = gongkai_db::public_lists::public_by_org(
        &mut conn,
        id,
        gongkai_db::public_lists::Cursor::First,
        FEED_ITEMS,
    )
    .await?;
    let base = base_url(state, headers);
    let here = format!("/orgs/{id}");
    let feed = Feed {
        title: format!("{} - {}", org.name, site.name),
        description: format!("{}发布的最新公开信息", org.name),
        page_url: format!("{base}{here}"),
        self_url: format!("{base}{}", feed_path(&here, format)),
        base,
        items: page.rows,
        now_ms: gongkai_db::now_ms(),
    };
    respond(&feed, format)
}

pub async fn column_rss(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    column_feed(&state, &headers, &slug, Format::Rss).await
}

pub async fn column_atom(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    column_feed(&state, &headers, &slug, Format::Atom).await
}

pub async fn org_rss(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    org_feed(&state, &headers, &id, Format::Rss).await
}

pub async fn org_atom(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    org_feed(&state, &headers, &id, Format::Atom).await
}
