//! `GET /search`: full-text search over this node's index, which holds **only public things**
//! (published 主动公开 items, published proposal replies, held meetings, published messages and
//! organisations; see `gongkai_search`), with facet counts and cursor pagination. The search
//! DTOs live here beside their one handler.
//!
//! Results are ranked by relevance, so the cursor is a position in the ranking rather than a key:
//! the hex of `"s1:{offset}:{fingerprint}"`, where the fingerprint is a hash of the query and its
//! filters, so a cursor replayed with other parameters is refused. Pages fetched while the index
//! changes may repeat or skip a hit; the ranking is collected at most [`gongkai_search::MAX_DEPTH`]
//! deep.

use super::dto::{ErrorBody, instant};
use super::extract::{ApiQuery, parse_id};
use crate::error::ApiError;
use crate::{AppError, AppState};
use axum::Json;
use axum::extract::State;
use gongkai_db::{columns, orgs};
use gongkai_domain::model::{ColumnKind, SearchKind, Validity};
use gongkai_search::{Filters, MAX_DEPTH};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};

const DEFAULT_LIMIT: usize = 20;
const MAX_LIMIT: usize = 50;
const MAX_Q_CHARS: usize = 100;

/// Query of `GET /search`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Words to find (title, summary, body, metadata and attachment text), or a 文号 / 索引号
    /// for an exact lookup. Required, at most 100 characters.
    #[param(
        required = true,
        min_length = 1,
        max_length = 100,
        pattern = r"\S",
        example = "政府信息公开"
    )]
    pub q: Option<String>,
    /// Only items published by this organisation.
    #[param(value_type = Option<i64>, minimum = 1)]
    pub org: Option<String>,
    /// Only items in this column.
    #[param(value_type = Option<i64>, minimum = 1)]
    pub column: Option<String>,
    /// Only items published in this year (civil year in China).
    #[param(value_type = Option<i32>, minimum = 1949, maximum = 9999)]
    pub year: Option<String>,
    /// Only items of this validity: `valid` 有效, `amended` 已修改, `repealed` 已废止,
    /// `expired` 已失效.
    #[param(schema_with = validity_schema)]
    pub validity: Option<String>,
    /// Only items of this document type: the kind of a column the item is in
    /// (`policy_document` 政策文件, `interpretation` 政策解读, `notice` 通知公告, …; the codes of
    /// `GET /columns`' `kind`).
    #[param(schema_with = doc_type_schema)]
    pub doc_type: Option<String>,
    /// Only hits of this kind: `item` 政府信息， `proposal` 建议提案答复， `meeting` 会议公开，
    /// `message` 留言答复， `org` 机构 (default: all).
    #[param(schema_with = kind_schema)]
    pub kind: Option<String>,
    /// Hits per page, 1 to 50 (default 20); any other value is a `bad_request`.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 50)]
    pub limit: Option<String>,
    /// The `next_cursor` of the previous page (with the same other parameters).
    pub cursor: Option<String>,
}

/// A code parameter's schema: one of `codes`, or empty (no filter).
fn codes_schema(codes: impl Iterator<Item = &'static str>) -> utoipa::openapi::schema::Object {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(std::iter::once("").chain(codes)))
        .build()
}

fn validity_schema() -> utoipa::openapi::schema::Object {
    codes_schema(Validity::ALL.iter().map(|v| v.code()))
}

fn doc_type_schema() -> utoipa::openapi::schema::Object {
    codes_schema(ColumnKind::ALL.iter().map(|k| k.code()))
}

fn kind_schema() -> utoipa::openapi::schema::Object {
    codes_schema(SearchKind::ALL.iter().map(|k| k.code()))
}

/// One search hit.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchHitDto {
    /// The id within its `kind`.
    pub id: i64,
    /// What the hit is: `item`, `proposal`, `meeting`, `message` or `org`.
    #[schema(example = "item")]
    pub kind: String,
    /// The kind in Chinese（政府信息、建议提案答复、会议公开、留言答复、机构）.
    pub kind_label: String,
    pub title: String,
    /// The title HTML-escaped, with `<b>…</b>` around the matched words; no other markup.
    #[schema(example = "关于推进<b>政府信息公开</b>的通知")]
    pub title_html: String,
    /// A passage of the body (else the summary, else the attachments, then prefixed 附件:),
    /// HTML-escaped, with `<b>…</b>` around the matched words; no other markup.
    pub snippet_html: String,
    pub org_id: i64,
    pub org_name: String,
    /// 发文字号.
    pub doc_number: Option<String>,
    /// 索引号.
    pub index_no: Option<String>,
    /// `valid`, `amended`, `repealed` or `expired`; empty for anything but an item.
    pub validity: String,
    pub validity_label: String,
    /// Publication time, RFC 3339 in China time.
    #[schema(example = "2017-06-05T09:30:00+08:00")]
    pub published_at: Option<String>,
    /// The API resource (items and organisations); for the other kinds, which have none, the
    /// portal page.
    pub url: String,
    pub html_url: String,
}

/// A facet value with the number of hits that have it.
#[derive(Debug, Serialize, ToSchema)]
pub struct FacetCountDto {
    /// The value to pass back as the filter (an id, a year or a code).
    #[schema(example = "7")]
    pub value: String,
    /// Its name in Chinese.
    #[schema(example = "市民政局")]
    pub label: String,
    pub count: u64,
}

/// Counts of all hits (not only this page) by organisation, column, year, validity and
/// document type.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchFacets {
    pub orgs: Vec<FacetCountDto>,
    pub columns: Vec<FacetCountDto>,
    pub years: Vec<FacetCountDto>,
    pub validity: Vec<FacetCountDto>,
    pub doc_types: Vec<FacetCountDto>,
    /// What the hits are (`item`, `proposal`, `meeting`, `message`, `org`).
    pub kinds: Vec<FacetCountDto>,
}

/// One page of search results.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResults {
    pub query: String,
    /// Hits in all pages.
    pub total: u64,
    /// True when `q` was a 文号 or 索引号 found exactly.
    pub exact: bool,
    /// True when nothing contained every part of `q`: the hits contain some of its words,
    /// ranked by how many and how well.
    pub partial: bool,
    pub hits: Vec<SearchHitDto>,
    pub facets: SearchFacets,
    /// Pass as `cursor` (with the same other parameters) for the next page; `null` on the last.
    pub next_cursor: Option<String>,
}

fn bad(message: impl Into<String>) -> AppError {
    AppError::BadRequest(message.into())
}

fn id_param(value: Option<&str>, name: &str) -> Result<Option<i64>, AppError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => parse_id(v)
            .map(Some)
            .ok_or_else(|| bad(format!("查询参数 {name} 须为正整数，收到“{v}”"))),
    }
}

fn code_param<T: Copy>(
    value: Option<&str>,
    name: &str,
    all: &[T],
    code: fn(T) -> &'static str,
) -> Result<Option<T>, AppError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => all
            .iter()
            .copied()
            .find(|t| code(*t) == v)
            .map(Some)
            .ok_or_else(|| {
                let codes: Vec<&str> = all.iter().map(|t| code(*t)).collect();
                bad(format!(
                    "查询参数 {name} 须为 {} 之一，收到“{v}”",
                    codes.join("、")
                ))
            }),
    }
}

/// The parsed request.
#[derive(Debug, Clone)]
struct Request {
    q: String,
    filters: Filters,
    limit: usize,
}

impl Request {
    fn parse(p: &SearchQuery) -> Result<Self, AppError> {
        let q = p.q.as_deref().map(str::trim).unwrap_or("");
        if q.is_empty() {
            return Err(bad("查询参数 q 不能为空：请给出要搜索的词、文号或索引号"));
        }
        if q.chars().count() > MAX_Q_CHARS {
            return Err(bad(format!("查询参数 q 不能超过 {MAX_Q_CHARS} 个字符")));
        }
        let year = match p.year.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(v) => Some(
                v.parse::<i32>()
                    .ok()
                    .filter(|y| (1949..=9999).contains(y))
                    .ok_or_else(|| bad(format!("查询参数 year 须为年份（如 2017），收到“{v}”")))?,
            ),
        };
        let limit = super::read::limit_param(p.limit.as_deref(), MAX_LIMIT as i64)?
            .map_or(DEFAULT_LIMIT, |n| n as usize);
        Ok(Self {
            q: q.to_string(),
            filters: Filters {
                org: id_param(p.org.as_deref(), "org")?,
                column: id_param(p.column.as_deref(), "column")?,
                year,
                validity: code_param(
                    p.validity.as_deref(),
                    "validity",
                    Validity::ALL,
                    Validity::code,
                )?,
                kind: code_param(
                    p.doc_type.as_deref(),
                    "doc_type",
                    ColumnKind::ALL,
                    ColumnKind::code,
                )?,
                search_kind: code_param(
                    p.kind.as_deref(),
                    "kind",
                    SearchKind::ALL,
                    SearchKind::code,
                )?,
            },
            limit,
        })
    }

    /// A hash of the query and its filters (not the page size), tying a cursor to them.
    fn fingerprint(&self) -> String {
        let f = &self.filters;
        let text = format!(
            "{}\u{1f}{:?}\u{1f}{:?}\u{1f}{:?}\u{1f}{:?}\u{1f}{:?}\u{1f}{:?}",
            self.q,
            f.org,
            f.column,
            f.year,
            f.validity.map(Validity::code),
            f.kind.map(ColumnKind::code),
            f.search_kind.map(SearchKind::code)
        );
        hex::encode(&Sha256::digest(text.as_bytes())[..8])
    }
}

/// The cursor of the position `offset` in the ranking of `req`.
fn encode_cursor(req: &Request, offset: usize) -> String {
    hex::encode(format!("s1:{offset}:{}", req.fingerprint()))
}

/// The offset a cursor names; a cursor that is malformed, from another query or beyond the
/// deepest page is a `bad_request`.
fn decode_cursor(req: &Request, cursor: &str) -> Result<usize, AppError> {
    let invalid =
        || bad("分页游标 cursor 无效：请原样使用上一页返回的 next_cursor，并保持其他查询参数不变");
    let bytes = hex::decode(cursor.trim()).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let mut parts = text.split(':');
    let (Some("s1"), Some(offset), Some(fp), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(invalid());
    };
    let offset: usize = offset.parse().map_err(|_| invalid())?;
    if fp != req.fingerprint() || offset == 0 || offset >= MAX_DEPTH {
        return Err(invalid());
    }
    Ok(offset)
}

#[utoipa::path(
    get, path = "/search", tag = "搜索",
    summary = "全文检索",
    description = "Chinese full-text search of published 主动公开 items (titles, summaries, bodies, \
        metadata, 文号 and the text of attachments: PDF, DOCX, XLSX, plain text), published \
        proposal replies, held meetings, published messages and organisations (`kind`). Every \
        hit contains each part of the query as written (any substring is found); whole words \
        rank above matches inside longer words, a title match counts most, an attachment match \
        least, newer first among equals. When nothing contains it all, hits with some of its \
        words are ranked instead (`partial: true`). A query that is a 文号 or 索引号 is answered \
        by exact lookup (`exact: true`). Filters combine; `facets` count all hits by \
        organisation, column, year, validity, document type and kind. Follow `next_cursor` (with the same other parameters) until it is `null`; results \
        are served at most 10 000 deep. Drafts, withdrawn items, 依申请公开 and 不予公开 items and \
        their attachments are never found.",
    params(SearchQuery),
    responses(
        (status = 200, description = "One page of hits with facet counts", body = SearchResults),
        (status = 400, description = "`bad_request`: missing `q`, a malformed parameter, or a cursor that is invalid or from another query", body = ErrorBody),
        (status = 404, description = "`not_found`: the column or organisation does not exist", body = ErrorBody),
    )
)]
pub async fn search(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<SearchQuery>,
) -> Result<Json<SearchResults>, ApiError> {
    let req = Request::parse(&p)?;
    let offset = match p.cursor.as_deref().map(str::trim) {
        None | Some("") => 0,
        Some(c) => decode_cursor(&req, c)?,
    };
    let mut conn = state.db.pool.acquire().await?;
    let all_orgs = orgs::all(&mut conn).await?;
    let site = columns::default_site(&mut conn).await?;
    let all_columns = columns::all(&mut conn, site.id).await?;
    drop(conn);
    if let Some(o) = req.filters.org
        && !all_orgs.iter().any(|x| x.id == o)
    {
        return Err(AppError::NotFound("机构不存在".into()).into());
    }
    if let Some(c) = req.filters.column
        && !all_columns.iter().any(|x| x.id == c)
    {
        return Err(AppError::NotFound("栏目不存在".into()).into());
    }
    let limit = req.limit.min(MAX_DEPTH - offset);
    let r = {
        let (q, filters) = (req.q.clone(), req.filters);
        state
            .search
            .query(move |i| i.search_range(&q, filters, offset, limit))
            .await
            .map_err(AppError::from)?
    };
    let org_name = |id: i64| {
        all_orgs
            .iter()
            .find(|o| o.id == id)
            .map(|o| o.name.clone())
            .unwrap_or_default()
    };
    let column_name = |id: i64| {
        all_columns
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.name.clone())
    };
    let end = offset + r.hits.len();
    let next_cursor = (r.hits.len() == limit && end < r.total && end < MAX_DEPTH)
        .then(|| encode_cursor(&req, end));
    let validity_label = |code: &str| match code {
        "" => String::new(),
        code => Validity::from_code(code)
            .map(Validity::label)
            .unwrap_or("未知")
            .to_string(),
    };
    let hits = r
        .hits
        .into_iter()
        .map(|h| SearchHitDto {
            url: match h.kind {
                SearchKind::Item => format!("/api/v1/items/{}", h.id),
                SearchKind::Org => format!("/api/v1/orgs/{}", h.id),
                _ => crate::portal::search::hit_href(h.kind, h.id),
            },
            html_url: crate::portal::search::hit_href(h.kind, h.id),
            kind: h.kind.code().into(),
            kind_label: h.kind.label().into(),
            id: h.id,
            org_name: org_name(h.org_id),
            org_id: h.org_id,
            title: h.title,
            title_html: h.title_html,
            snippet_html: h.snippet_html,
            doc_number: h.doc_number,
            index_no: h.index_no,
            validity_label: validity_label(&h.validity),
            validity: h.validity,
            published_at: instant(h.published_at),
        })
        .collect();
    let facet = |value: String, label: String, count: u64| FacetCountDto {
        value,
        label,
        count,
    };
    let facets = SearchFacets {
        orgs: r
            .orgs
            .iter()
            .map(|(id, n)| facet(id.to_string(), org_name(*id), *n))
            .collect(),
        columns: r
            .columns
            .iter()
            .filter_map(|(id, n)| Some(facet(id.to_string(), column_name(*id)?, *n)))
            .collect(),
        years: r
            .years
            .iter()
            .map(|(y, n)| facet(y.to_string(), format!("{y}年"), *n))
            .collect(),
        validity: r
            .validities
            .iter()
            .map(|(v, n)| facet(v.code().into(), v.label().into(), *n))
            .collect(),
        doc_types: r
            .kinds
            .iter()
            .map(|(k, n)| facet(k.code().into(), k.label().into(), *n))
            .collect(),
        kinds: r
            .search_kinds
            .iter()
            .map(|(k, n)| facet(k.code().into(), k.label().into(), *n))
            .collect(),
    };
    Ok(Json(SearchResults {
        query: req.q,
        total: r.total as u64,
        exact: r.exact,
        partial: r.partial,
        hits,
        facets,
        next_cursor,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(q: &str) -> Request {
        Request::parse(&SearchQuery {
            q: Some(q.into()),
            ..Default::default()
        })
        .unwrap()
    }

    #[test]
    fn cursors_round_trip_and_are_tied_to_the_query() {
        let a = req("政务公开");
        let c = encode_cursor(&a, 20);
        assert!(c.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(decode_cursor(&a, &c).unwrap(), 20);
        let b = req("放管服");
        let e = decode_cursor(&b, &c).unwrap_err();
        assert_eq!(e.code(), "bad_request");
        assert!(e.to_string().contains("游标"), "{e}");
        for bad in [
            "",
            "zz",
            &hex::encode("s1:20"),
            &hex::encode("s1:x:abc"),
            &hex::encode("s2:20:abc"),
            &hex::encode(format!("s1:0:{}", a.fingerprint())),
            &hex::encode(format!("s1:{MAX_DEPTH}:{}", a.fingerprint())),
        ] {
            assert_eq!(decode_cursor(&a, bad).unwrap_err().code(), "bad_request");
        }
    }

    #[test]
    fn parameters_are_checked_in_chinese() {
        let parse = |q: SearchQuery| Request::parse(&q).unwrap_err().to_string();
        assert!(parse(SearchQuery::default()).contains("q 不能为空"));
        assert!(
            parse(SearchQuery {
                q: Some("长".repeat(101)),
                ..Default::default()
            })
            .contains("不能超过")
        );
        let e = parse(SearchQuery {
            q: Some("规划".into()),
            validity: Some("gone".into()),
            ..Default::default()
        });
        assert!(e.contains("valid、amended、repealed、expired"), "{e}");
        let e = parse(SearchQuery {
            q: Some("规划".into()),
            doc_type: Some("x".into()),
            ..Default::default()
        });
        assert!(e.contains("policy_document"), "{e}");
        let ok = Request::parse(&SearchQuery {
            q: Some(" 规划 ".into()),
            validity: Some("repealed".into()),
            doc_type: Some("policy_document".into()),
            limit: Some("50".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(ok.q, "规划");
        assert_eq!(ok.limit, MAX_LIMIT);
        let e = parse(SearchQuery {
            q: Some("规划".into()),
            limit: Some("51".into()),
            ..Default::default()
        });
        assert!(e.contains("1 到 50"), "{e}");
        assert_eq!(ok.filters.validity, Some(Validity::Repealed));
        assert_eq!(ok.filters.kind, Some(ColumnKind::PolicyDocument));
    }
}
