//! The 政府信息公开目录 (catalogue of public government information) as open data:
//! `/xxgk/catalogue.csv` and `/xxgk/catalogue.xlsx`, one row per public item, optionally limited to
//! one organisation (`org`) and one year of publication (`year`).

use super::base_url;
use crate::{AppError, AppState};
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use gongkai_db::items::{self, CatalogueQuery, CatalogueRow};
use gongkai_domain::model::Validity;
use rust_xlsxwriter::{Format, FormatBorder, Workbook};
use serde::Deserialize;

/// Rows in one download; far above any real catalogue, it bounds memory.
const MAX_ROWS: i64 = 100_000;

pub(crate) const HEADER: [&str; 9] = [
    "索引号",
    "标题",
    "发布机构",
    "发文字号",
    "成文日期",
    "发布日期",
    "主题分类",
    "有效性",
    "链接",
];

/// Column widths in the workbook, in characters (a CJK character counts about two).
const WIDTHS: [f64; 9] = [26.0, 60.0, 24.0, 22.0, 12.0, 12.0, 14.0, 8.0, 40.0];

#[derive(Debug, Default, Deserialize)]
pub struct CatalogueParams {
    pub org: Option<String>,
    pub year: Option<String>,
}

impl CatalogueParams {
    fn parse(&self) -> Result<CatalogueQuery, AppError> {
        let blank = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let org_id = match blank(&self.org) {
            None => None,
            Some(s) => Some(
                s.parse::<i64>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| AppError::BadRequest("参数 org 应为机构编号".into()))?,
            ),
        };
        let year = match blank(&self.year) {
            None => None,
            Some(s) => Some(
                s.parse::<i32>()
                    .ok()
                    .filter(|y| (1949..=9999).contains(y))
                    .ok_or_else(|| {
                        AppError::BadRequest("参数 year 应为四位年份，如 2017".into())
                    })?,
            ),
        };
        Ok(CatalogueQuery { org_id, year })
    }
}

/// The cells of one row as text, in the order of [`HEADER`].
pub(crate) fn cells(r: &CatalogueRow, base: &str) -> [String; 9] {
    let date = |ms: Option<i64>| {
        ms.map(|m| super::feeds::china_time(m).format("%Y-%m-%d").to_string())
            .unwrap_or_default()
    };
    [
        r.index_no.clone().unwrap_or_default(),
        r.title.clone(),
        r.issuer.clone(),
        r.doc_number.clone().unwrap_or_default(),
        r.written_on.map(|d| d.to_string()).unwrap_or_default(),
        date(r.published_at),
        r.topic_category.clone().unwrap_or_default(),
        Validity::from_code(&r.validity)
            .map(|v| v.label().to_string())
            .unwrap_or_default(),
        format!("{base}/items/{}", r.id),
    ]
}

pub(crate) use crate::download::csv_field;

/// One CSV line (RFC 4180 quoting, CRLF).
fn csv_line(cells: &[String]) -> String {
    cells
        .iter()
        .map(|c| csv_field(c))
        .collect::<Vec<_>>()
        .join(",")
        + "\r\n"
}

/// The start of the CSV file: a BOM (so Excel reads UTF-8) and the header.
fn csv_head() -> String {
    format!("\u{feff}{}", csv_line(&HEADER.map(String::from)))
}

pub(crate) fn to_xlsx(rows: &[[String; 9]]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut wb = Workbook::new();
    let header = Format::new()
        .set_bold()
        .set_background_color("#E8EEF4")
        .set_border_bottom(FormatBorder::Thin);
    let ws = wb.add_worksheet();
    ws.set_name("政府信息公开目录")?;
    for (c, (h, w)) in HEADER.iter().zip(WIDTHS).enumerate() {
        let c = c as u16;
        ws.write_string_with_format(0, c, *h, &header)?;
        ws.set_column_width(c, w)?;
    }
    ws.set_freeze_panes(1, 0)?;
    for (r, row) in rows.iter().enumerate() {
        let r = u32::try_from(r + 1).unwrap_or(u32::MAX);
        for (c, v) in row.iter().enumerate() {
            // Strings are stored as text, never as formulas, so no prefix is needed here.
            ws.write_string(r, c as u16, v)?;
        }
    }
    wb.save_to_buffer()
}

async fn rows(
    state: &AppState,
    headers: &HeaderMap,
    params: &CatalogueParams,
) -> Result<(Vec<[String; 9]>, CatalogueQuery), AppError> {
    let q = params.parse()?;
    let mut conn = state.db.pool.acquire().await?;
    let base = base_url(state, headers);
    let rows = items::public_catalogue(&mut conn, q, MAX_ROWS).await?;
    Ok((rows.iter().map(|r| cells(r, &base)).collect(), q))
}

fn download(
    q: CatalogueQuery,
    ext: &str,
    content_type: &'static str,
    body: impl axum::response::IntoResponse,
) -> Response {
    let mut stem = String::from("政府信息公开目录");
    let mut ascii = String::from("catalogue");
    if let Some(o) = q.org_id {
        stem.push_str(&format!("_机构{o}"));
        ascii.push_str(&format!("-org{o}"));
    }
    if let Some(y) = q.year {
        stem.push_str(&format!("_{y}年"));
        ascii.push_str(&format!("-{y}"));
    }
    crate::download::file(
        body,
        content_type,
        &format!("{stem}.{ext}"),
        Some(&format!("{ascii}.{ext}")),
        Some("public, max-age=300"),
    )
}

/// `/xxgk/catalogue.csv`: streamed from the database a row at a time (bounded memory at any
/// size; see `crate::streamed`).
pub async fn csv(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<CatalogueParams>,
) -> Result<Response, AppError> {
    let q = params.parse()?;
    let base = base_url(&state, &headers);
    // Acquired here, so a database that does not answer is an error page, not a broken file.
    let mut conn = state.db.pool.acquire().await?;
    let body = crate::streamed::body(move |mut out| async move {
        use futures_util::StreamExt;
        if out.write(&csv_head()).await.is_err() {
            return;
        }
        let mut rows = items::public_catalogue_stream(&mut conn, q, MAX_ROWS);
        while let Some(row) = rows.next().await {
            match row {
                Ok(r) => {
                    if out.write(&csv_line(&cells(&r, &base))).await.is_err() {
                        return;
                    }
                }
                Err(e) => return out.fail(e.to_string()).await,
            }
        }
        out.finish().await;
    });
    Ok(download(q, "csv", "text/csv; charset=utf-8", body))
}

pub async fn xlsx(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<CatalogueParams>,
) -> Result<Response, AppError> {
    let (rows, q) = rows(&state, &headers, &params).await?;
    let bytes = to_xlsx(&rows).map_err(|e| AppError::Internal(format!("生成工作簿失败：{e}")))?;
    Ok(download(
        q,
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        bytes,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_quoting_follows_rfc_4180() {
        assert_eq!(csv_field("=1+2"), "'=1+2");
        assert_eq!(csv_field("+86"), "'+86");
        assert_eq!(csv_field("-x"), "'-x");
        assert_eq!(csv_field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("说\"明\""), "\"说\"\"明\"\"\"");
        assert_eq!(csv_field("盘锦市"), "盘锦市");
    }

    #[test]
    fn bad_filters_are_refused() {
        let p = |org: &str, year: &str| CatalogueParams {
            org: Some(org.into()),
            year: Some(year.into()),
        };
        assert!(p("", "").parse().is_ok());
        assert_eq!(p("3", "2017").parse().ok().and_then(|q| q.year), Some(2017));
        assert!(p("x", "").parse().is_err());
        assert!(p("", "17x").parse().is_err());
        assert!(p("0", "").parse().is_err());
    }
}
