//! A read-only API compatible with CKAN's action API (`/api/3/action/…`, and `/api/action/…`
//! as `ckanapi` calls it), so CKAN clients and
//! harvesters read the open datasets: `package_list`, `package_show`, `package_search`,
//! `organization_list`, `organization_show`; `package_search` goes through the search index. Answers use CKAN's envelope
//! (`{"help", "success", "result"}`; errors `{"success": false, "error": {"__type", "message"}}`
//! with CKAN's status codes: 404 Not Found Error, 409 Validation Error, 400 Bad Request).
//! **Only public datasets, ever** (`gongkai_db::data::public_*`). GET, and POST with the
//! parameters in the body as CKAN clients send them by default: nothing here changes state, so
//! these routes have a table of their own (`Area::ReadApi`) outside the CSRF layer.

use super::base_url;

route_table! {
    pub(crate) fn router, ROUTES;
    "/api/3/action/{action}" => get(action), post(action_posted);
    "/api/action/{action}" => get(action), post(action_posted);
}
use crate::{AppError, AppState};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use gongkai_db::data::{self, FileRow, ResourceRow};
use gongkai_domain::data::{Resource, ckan_name, parse_ckan_id};
use gongkai_domain::model::SearchKind;
use gongkai_search::Filters;
use serde_json::{Value, json};
use std::collections::HashMap;

/// Rows `package_search` returns when none is asked, and the most it returns (CKAN's defaults).
const DEFAULT_ROWS: usize = 10;
const MAX_ROWS: usize = 1000;

/// CKAN's timestamps: UTC without an offset, microseconds.
fn iso(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.naive_utc().format("%Y-%m-%dT%H:%M:%S%.6f").to_string())
        .unwrap_or_default()
}

fn org_name(id: i64) -> String {
    format!("org-{id}")
}

fn help(base: &str, action: &str) -> String {
    format!("{base}/api/3/action/help_show?name={action}")
}

fn ok(base: &str, action: &str, result: Value) -> Response {
    Json(json!({"help": help(base, action), "success": true, "result": result})).into_response()
}

fn fail(base: &str, action: &str, status: StatusCode, kind: &str, message: Value) -> Response {
    let mut error = json!({"__type": kind});
    match message {
        Value::Object(fields) => {
            for (k, v) in fields {
                error[k] = v;
            }
        }
        m => error["message"] = m,
    }
    (
        status,
        Json(json!({"help": help(base, action), "success": false, "error": error})),
    )
        .into_response()
}

fn not_found(base: &str, action: &str) -> Response {
    fail(
        base,
        action,
        StatusCode::NOT_FOUND,
        "Not Found Error",
        json!("Not found"),
    )
}

fn missing(base: &str, action: &str, field: &str) -> Response {
    let mut m = serde_json::Map::new();
    m.insert(field.to_string(), json!(["Missing value"]));
    fail(
        base,
        action,
        StatusCode::CONFLICT,
        "Validation Error",
        Value::Object(m),
    )
}

fn organization(row: &ResourceRow) -> Value {
    json!({"id": row.org_id.to_string(), "name": org_name(row.org_id), "title": row.org_name,
           "type": "organization", "is_organization": true, "state": "active",
           "description": "", "image_url": ""})
}

/// A dataset as CKAN's `package_show` gives it.
fn package(base: &str, row: &ResourceRow, res: &Resource, files: &[FileRow]) -> Value {
    let id = row.id.to_string();
    let resources: Vec<Value> = files
        .iter()
        .enumerate()
        .map(|(n, f)| {
            json!({"id": f.id.to_string(), "package_id": id, "position": n,
                   "url": format!("{base}/sjkf/{}/files/{}", row.id, f.id),
                   "name": f.file_name, "format": f.format.to_uppercase(),
                   "mimetype": f.content_type, "size": f.size, "description": f.note,
                   "created": iso(f.uploaded_at), "last_modified": iso(f.uploaded_at),
                   "state": "active", "url_type": Value::Null})
        })
        .collect();
    let tags: Vec<Value> = res
        .tags
        .iter()
        .map(|t| json!({"name": t, "display_name": t, "state": "active"}))
        .collect();
    let mut extras = vec![
        json!({"key": "sharing_type", "value": res.sharing.label()}),
        json!({"key": "open_type", "value": res.open_type.label()}),
        json!({"key": "update_frequency",
               "value": gongkai_domain::data::cadence_label(res.cadence().as_ref())}),
    ];
    if !res.code.is_empty() {
        extras.push(json!({"key": "resource_code", "value": res.code}));
    }
    json!({
        "id": id, "name": ckan_name(row.id), "title": res.name, "notes": res.summary,
        "type": "dataset", "state": "active", "private": false,
        "owner_org": row.org_id.to_string(), "organization": organization(row),
        "author": row.org_name, "maintainer": row.org_name,
        "url": format!("{base}/sjkf/{}", row.id),
        "metadata_created": iso(row.published_at.unwrap_or(row.created_at)),
        "metadata_modified": iso(row.modified_ms()),
        "resources": resources, "num_resources": files.len(),
        "tags": tags, "num_tags": res.tags.len(), "extras": extras,
        "groups": [], "license_id": "", "version": Value::Null,
    })
}

/// CKAN's `q` as the portal's search reads it: empty and `*:*` ask for every dataset; Solr
/// field prefixes (`text:`, `title:`, `name:`, `notes:`, `tags:`) are dropped, since the index
/// searches a dataset's name, code, summary, 信息项 and keywords together.
fn search_text(q: &str) -> String {
    let q = q.trim();
    if q.is_empty() || q == "*:*" {
        return String::new();
    }
    q.split_whitespace()
        .map(|w| {
            ["text:", "title:", "name:", "notes:", "tags:"]
                .iter()
                .find_map(|p| w.strip_prefix(p))
                .unwrap_or(w)
        })
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `package_search`: the public datasets matching `q` through the search index (as the
/// portal's search finds them: word order, parts of words, partial matches), ranked by it;
/// with no query every public dataset, newest change first. `count` is every match, `start` and
/// `rows` the page.
async fn search_ids(
    state: &AppState,
    conn: &mut sqlx::AnyConnection,
    q: &str,
    start: usize,
    rows: usize,
) -> Result<(usize, Vec<i64>), AppError> {
    let text = search_text(q);
    if text.is_empty() {
        let mut all = data::public_list(conn).await?;
        all.sort_by(|a, b| b.modified_ms().cmp(&a.modified_ms()).then(a.id.cmp(&b.id)));
        let ids = all.iter().skip(start).take(rows).map(|r| r.id).collect();
        return Ok((all.len(), ids));
    }
    let filters = Filters {
        search_kind: Some(SearchKind::Dataset),
        ..Filters::default()
    };
    let r = state
        .search
        .query(move |i| i.search_range(&text, filters, start, rows.max(1)))
        .await?;
    let ids = if rows == 0 || start >= r.total {
        Vec::new()
    } else {
        r.hits.iter().take(rows).map(|h| h.id).collect()
    };
    Ok((r.total, ids))
}

/// GET /api/3/action/{action}
pub async fn action(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(action): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, AppError> {
    answer(&state, &headers, &action, &params).await
}

/// The most a posted parameter body may hold (CKAN's read actions take a few short values).
const MAX_POSTED_BYTES: usize = 64 * 1024;

/// POST /api/3/action/{action}: how `ckanapi` and most CKAN clients call by default, the
/// parameters as a JSON object (or a urlencoded form) in the body, merged over the query's. Still
/// read-only: the same answers as GET, so no session, no token and no CSRF check apply.
pub async fn action_posted(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(action): Path<String>,
    Query(mut params): Query<HashMap<String, String>>,
    body: axum::body::Bytes,
) -> Result<Response, AppError> {
    let base = base_url(&state, &headers);
    if body.len() > MAX_POSTED_BYTES {
        return Ok(fail(
            &base,
            &action,
            StatusCode::PAYLOAD_TOO_LARGE,
            "Validation Error",
            json!("\u{8BF7}\u{6C42}\u{4F53}\u{8FC7}\u{5927}"),
        ));
    }
    let text = String::from_utf8_lossy(&body);
    let text = text.trim();
    if text.starts_with('{') {
        let Ok(Value::Object(map)) = serde_json::from_str::<Value>(text) else {
            return Ok(fail(
                &base,
                &action,
                StatusCode::BAD_REQUEST,
                "Validation Error",
                json!(
                    "\u{8BF7}\u{6C42}\u{4F53}\u{4E0D}\u{662F}\u{6709}\u{6548}\u{7684} JSON \u{5BF9}\u{8C61}"
                ),
            ));
        };
        for (k, v) in map {
            let v = match v {
                Value::String(s) => s,
                Value::Null => continue,
                other => other.to_string(),
            };
            params.insert(k, v);
        }
    } else if !text.is_empty() {
        for (k, v) in form_urlencoded::parse(text.as_bytes()) {
            params.insert(k.into_owned(), v.into_owned());
        }
    }
    answer(&state, &headers, &action, &params).await
}

async fn answer(
    state: &AppState,
    headers: &HeaderMap,
    action: &str,
    params: &HashMap<String, String>,
) -> Result<Response, AppError> {
    let base = base_url(state, headers);
    let base = base.as_str();
    let mut conn = state.db.pool.acquire().await?;
    let resp = match action {
        "package_list" => {
            let rows = data::public_list(&mut conn).await?;
            let mut names: Vec<String> = rows.iter().map(|r| ckan_name(r.id)).collect();
            names.sort();
            ok(base, action, json!(names))
        }
        "package_show" => {
            let Some(id) = params.get("id").filter(|s| !s.trim().is_empty()) else {
                return Ok(missing(base, action, "id"));
            };
            let Some(id) = parse_ckan_id(id) else {
                return Ok(not_found(base, action));
            };
            let Some(row) = data::public_get(&mut conn, id).await? else {
                return Ok(not_found(base, action));
            };
            let Some(res) = row.resource() else {
                return Ok(not_found(base, action));
            };
            let files = data::files(&mut conn, id).await?;
            ok(base, action, package(base, &row, &res, &files))
        }
        "package_search" => {
            let number = |name: &str, default: usize| -> Result<usize, ()> {
                match params.get(name).map(|s| s.trim()) {
                    None | Some("") => Ok(default),
                    Some(s) => s.parse::<usize>().map_err(|_| ()),
                }
            };
            let Ok(rows_n) = number("rows", DEFAULT_ROWS) else {
                return Ok(fail(
                    base,
                    action,
                    StatusCode::CONFLICT,
                    "Validation Error",
                    json!({"rows": ["Invalid integer"]}),
                ));
            };
            let Ok(start) = number("start", 0) else {
                return Ok(fail(
                    base,
                    action,
                    StatusCode::CONFLICT,
                    "Validation Error",
                    json!({"start": ["Invalid integer"]}),
                ));
            };
            let q = params.get("q").map(String::as_str).unwrap_or("");
            let (count, ids) = search_ids(state, &mut conn, q, start, rows_n.min(MAX_ROWS)).await?;
            let mut results = Vec::new();
            for id in ids {
                // The index follows the database: a dataset withdrawn since is left out.
                let Some(row) = data::public_get(&mut conn, id).await? else {
                    continue;
                };
                let Some(res) = row.resource() else { continue };
                let files = data::files(&mut conn, row.id).await?;
                results.push(package(base, &row, &res, &files));
            }
            ok(
                base,
                action,
                json!({"count": count, "results": results,
                "sort": "score desc, metadata_modified desc", "facets": {}, "search_facets": {}}),
            )
        }
        "organization_list" => {
            let rows = data::public_list(&mut conn).await?;
            let mut ids: Vec<i64> = rows.iter().map(|r| r.org_id).collect();
            ids.sort_unstable();
            ids.dedup();
            let all_fields = params
                .get("all_fields")
                .is_some_and(|v| v == "true" || v == "True");
            let result: Vec<Value> = ids
                .iter()
                .map(|id| {
                    if all_fields {
                        rows.iter()
                            .find(|r| r.org_id == *id)
                            .map(organization)
                            .unwrap_or(Value::Null)
                    } else {
                        json!(org_name(*id))
                    }
                })
                .collect();
            ok(base, action, json!(result))
        }
        "organization_show" => {
            let Some(id) = params.get("id").filter(|s| !s.trim().is_empty()) else {
                return Ok(missing(base, action, "id"));
            };
            let id = id.trim();
            let org_id = id.strip_prefix("org-").unwrap_or(id).parse::<i64>().ok();
            let rows = data::public_list(&mut conn).await?;
            let mine: Vec<&ResourceRow> =
                rows.iter().filter(|r| Some(r.org_id) == org_id).collect();
            match mine.first() {
                None => not_found(base, action),
                Some(first) => {
                    let mut org = organization(first);
                    org["package_count"] = json!(mine.len());
                    ok(base, action, org)
                }
            }
        }
        _ => fail(
            base,
            action,
            StatusCode::BAD_REQUEST,
            "Bad Request",
            json!(format!("Bad request - Action name not known: {action}")),
        ),
    };
    Ok(resp)
}
