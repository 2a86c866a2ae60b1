//! 数据开放 on the portal (`/sjkf`): the public catalogue of open data resources （信息资源目录） ,
//! each dataset's page with its 信息项 , files to download, the last update and a preview of
//! the newest file (the first rows of a CSV/XLSX through `gongkai_extract::table`, a JSON file
//! pretty-printed and capped), and an RSS 2.0 feed of its updates. Only public datasets
//! (`gongkai_db::data::public_*`: published, not 不予开放 ) are shown; a missing and a
//! non-public id give the same 404.

use super::feeds::china_time;
use super::{Chrome, Crumb, Href, Section, base_url, parse_id};
use crate::{AppError, AppState};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use gongkai_db::data::{self, FileRow, ResourceRow};
use gongkai_domain::data::{OpenType, Resource, Sharing, cadence_label};
use minijinja::value::Serde as S;
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};
use serde::Deserialize;
use serde_json::{Value, json};

const TITLE: &str = "数据开放";
/// Rows of a table file shown in the preview (the header included).
pub const PREVIEW_ROWS: usize = 11;
const PREVIEW_COLS: usize = 30;
const PREVIEW_CELL: usize = 200;
/// Characters of a JSON file shown in the preview.
pub const PREVIEW_JSON_CHARS: usize = 4000;
/// Updates in a dataset's feed.
const FEED_UPDATES: usize = 50;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Filter {
    q: String,
    org: String,
}

fn date(ms: i64) -> String {
    gongkai_domain::china_time::format_date(ms)
}

fn summary_json(r: &ResourceRow, res: &Resource) -> Value {
    json!({"href": format!("/sjkf/{}", r.id), "name": res.name, "org": r.org_name,
           "summary": res.summary.chars().take(120).collect::<String>(),
           "open": res.open_type.label(), "formats": res.formats.iter().map(|f| f.label()).collect::<Vec<_>>(),
           "updated": date(r.modified_ms())})
}

/// GET /sjkf: the open data catalogue, by provider, with a search box.
pub async fn index(
    State(state): State<AppState>,
    Query(f): Query<Filter>,
) -> Result<Response, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let chrome = Chrome::load(&state, &mut conn).await?;
    let rows = data::public_list(&mut conn).await?;
    drop(conn);
    let q: String = f.q.trim().chars().take(50).collect();
    let org = f.org.trim().parse::<i64>().ok();
    let mut providers: Vec<(i64, String, usize)> = Vec::new();
    let mut found = Vec::new();
    for r in &rows {
        let Some(res) = r.resource() else { continue };
        match providers.iter_mut().find(|p| p.0 == r.org_id) {
            Some(p) => p.2 += 1,
            None => providers.push((r.org_id, r.org_name.clone(), 1)),
        }
        if res.matches(&q) && org.is_none_or(|o| o == r.org_id) {
            found.push(summary_json(r, &res));
        }
    }
    let providers: Vec<Value> = providers
        .iter()
        .map(|(id, name, n)| json!({"href": format!("/sjkf?org={id}"), "name": name, "count": n}))
        .collect();
    let html = state.templates.render(
        "portal/sjkf.html",
        minijinja::context! {
            q => q, found => S(found), providers => S(providers), total => rows.len(),
            breadcrumb => S(vec![Crumb { name: TITLE.into(), href: Href::default() }]),
            ..chrome.ctx(Section::Other, "/sjkf", TITLE)
        },
    )?;
    Ok(html.into_response())
}

/// The preview of a stored file: table rows, or pretty JSON (capped), or nothing readable.
pub(crate) fn preview(format: &str, bytes: &[u8]) -> Value {
    match format {
        "csv" | "xlsx" => match gongkai_extract::table::rows(bytes) {
            Ok(rows) => {
                let total = rows
                    .iter()
                    .filter(|r| r.iter().any(|c| !c.is_empty()))
                    .count();
                let shown: Vec<Vec<String>> = rows
                    .into_iter()
                    .filter(|r| r.iter().any(|c| !c.is_empty()))
                    .take(PREVIEW_ROWS)
                    .map(|r| {
                        r.into_iter()
                            .take(PREVIEW_COLS)
                            .map(|c| c.chars().take(PREVIEW_CELL).collect())
                            .collect()
                    })
                    .collect();
                let (head, body) = match shown.split_first() {
                    Some((h, b)) => (h.clone(), b.to_vec()),
                    None => (Vec::new(), Vec::new()),
                };
                json!({"kind": "table", "head": head, "rows": body, "total": total.saturating_sub(1)})
            }
            Err(_) => json!({"kind": "none"}),
        },
        "json" => match serde_json::from_slice::<Value>(bytes) {
            Ok(v) => {
                let text = serde_json::to_string_pretty(&v).unwrap_or_default();
                let cut = text.chars().count() > PREVIEW_JSON_CHARS;
                let shown: String = text.chars().take(PREVIEW_JSON_CHARS).collect();
                json!({"kind": "json", "text": shown, "cut": cut})
            }
            Err(_) => json!({"kind": "none"}),
        },
        _ => json!({"kind": "none"}),
    }
}

async fn public(
    state: &AppState,
    id: &str,
) -> Result<(ResourceRow, Resource, Vec<FileRow>), AppError> {
    let id = parse_id(id)?;
    let mut conn = state.db.pool.acquire().await?;
    let row = data::public_get(&mut conn, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let files = data::files(&mut conn, id).await?;
    drop(conn);
    let res = row.resource().ok_or_else(AppError::not_found)?;
    Ok((row, res, files))
}

/// GET /sjkf/{id}: a public dataset.
pub async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (row, res, files) = public(&state, &id).await?;
    let id = row.id;
    let preview = match files.first() {
        Some(f) => {
            let bytes = state.storage.get(&f.sha256).await?;
            json!({"file": f.file_name, "data": preview(&f.format, &bytes)})
        }
        None => Value::Null,
    };
    let files_json: Vec<Value> = files
        .iter()
        .map(|f| {
            json!({"href": format!("/sjkf/{id}/files/{}", f.id), "name": f.file_name,
                   "format": f.format.to_uppercase(), "size": f.size, "note": f.note,
                   "date": date(f.uploaded_at)})
        })
        .collect();
    let sharing = Sharing::label(res.sharing);
    let open = if res.open_type == OpenType::Conditional {
        format!(
            "{}\u{FF08}{}\u{FF09}",
            res.open_type.label(),
            res.open_conditions
        )
    } else {
        res.open_type.label().to_string()
    };
    let mut conn = state.db.pool.acquire().await?;
    let chrome = Chrome::load(&state, &mut conn).await?;
    drop(conn);
    let html = state.templates.render(
        "portal/sjkf_dataset.html",
        minijinja::context! {
            d => S(json!({"id": id, "name": res.name, "code": res.code, "org": row.org_name,
                          "summary": res.summary, "sharing": sharing, "open": open,
                          "cadence": cadence_label(res.cadence().as_ref()),
                          "formats": res.formats.iter().map(|f| f.label()).collect::<Vec<_>>(),
                          "tags": res.tags, "updated": date(row.modified_ms()),
                          "items": res.items.iter().map(|i| json!({"name": i.name, "type": i.data_type.label(), "description": i.description})).collect::<Vec<_>>(),
                          "interface": res.interface.as_ref().map(|i| json!({"url": i.url, "method": i.method.label(), "parameters": i.parameters}))})),
            files => S(files_json), preview => S(preview),
            rss => format!("/sjkf/{id}/rss.xml"),
            breadcrumb => S(vec![
                Crumb { name: TITLE.into(), href: "/sjkf".to_string().into() },
                Crumb { name: res.name.clone(), href: Href::default() },
            ]),
            ..chrome.ctx(Section::Other, &format!("/sjkf/{id}"), &res.name)
        },
    )?;
    Ok(html.into_response())
}

/// GET /sjkf/{id}/files/{file_id}: a file of a public dataset.
pub async fn file(
    State(state): State<AppState>,
    Path((id, file_id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let file_id = parse_id(&file_id)?;
    let mut conn = state.db.pool.acquire().await?;
    data::public_get(&mut conn, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let f = data::file(&mut conn, id, file_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    drop(conn);
    let bytes = state.storage.get(&f.sha256).await?;
    Ok(crate::download::file(
        bytes,
        &f.content_type,
        &f.file_name,
        None,
        Some("public, max-age=300"),
    ))
}

fn text<W: std::io::Write>(w: &mut Writer<W>, name: &str, value: &str) -> std::io::Result<()> {
    w.create_element(name)
        .write_text_content(BytesText::new(value))?;
    Ok(())
}

/// The RSS 2.0 feed of a dataset's updates: one entry per uploaded file, newest first.
pub(crate) fn rss(
    base: &str,
    row: &ResourceRow,
    res: &Resource,
    files: &[FileRow],
) -> std::io::Result<Vec<u8>> {
    let page = format!("{base}/sjkf/{}", row.id);
    let self_url = format!("{page}/rss.xml");
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.create_element("rss")
        .with_attribute(("version", "2.0"))
        .with_attribute(("xmlns:atom", "http://www.w3.org/2005/Atom"))
        .write_inner_content(|w| {
            w.create_element("channel").write_inner_content(|w| {
                text(w, "title", &format!("{}\u{FF1A}数据更新", res.name))?;
                text(w, "link", &page)?;
                text(w, "description", &res.summary)?;
                text(w, "language", "zh-CN")?;
                text(
                    w,
                    "lastBuildDate",
                    &china_time(row.modified_ms()).to_rfc2822(),
                )?;
                w.create_element("atom:link")
                    .with_attribute(("href", self_url.as_str()))
                    .with_attribute(("rel", "self"))
                    .with_attribute(("type", "application/rss+xml"))
                    .write_empty()?;
                for f in files.iter().take(FEED_UPDATES) {
                    let url = format!("{page}/files/{}", f.id);
                    w.create_element("item").write_inner_content(|w| {
                        text(w, "title", &format!("{}\u{FF1A}{}", res.name, f.file_name))?;
                        text(w, "link", &url)?;
                        w.create_element("guid")
                            .with_attribute(("isPermaLink", "true"))
                            .write_text_content(BytesText::new(&url))?;
                        text(w, "pubDate", &china_time(f.uploaded_at).to_rfc2822())?;
                        text(w, "category", &row.org_name)?;
                        let desc = if f.note.is_empty() {
                            format!("更新数据文件 {}", f.file_name)
                        } else {
                            f.note.clone()
                        };
                        text(w, "description", &desc)?;
                        Ok(())
                    })?;
                }
                Ok(())
            })?;
            Ok(())
        })?;
    Ok(w.into_inner())
}

/// GET /sjkf/{id}/rss.xml
pub async fn feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = id.strip_suffix(".xml").unwrap_or(&id).to_string();
    let (row, res, files) = public(&state, &id).await?;
    let base = base_url(&state, &headers);
    let body =
        rss(&base, &row, &res, &files).map_err(|e| AppError::Internal(format!("RSS: {e}")))?;
    let mut resp = body.into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/rss+xml; charset=utf-8"),
    );
    Ok(resp)
}

/// GET /sjkf.json: the public open-dataset list as JSON, each dataset under the catalogue's base
/// elements (`gongkai_domain::data::CatalogueEntry`, documented in
/// `docs/data-catalogue-export.md`) with its page.
pub async fn catalogue_json(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let rows = data::public_list(&mut conn).await?;
    drop(conn);
    let base = base_url(&state, &headers);
    let datasets: Vec<Value> = rows
        .iter()
        .filter_map(|r| {
            let mut v = serde_json::to_value(r.catalogue_entry()?).ok()?;
            v["url"] = json!(format!("{base}/sjkf/{}", r.id));
            Some(v)
        })
        .collect();
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        )],
        serde_json::to_string_pretty(&json!({"version": 1, "datasets": datasets}))
            .unwrap_or_default(),
    )
        .into_response())
}
