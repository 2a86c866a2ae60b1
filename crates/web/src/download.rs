//! File downloads: one way to answer with a file ([`file`]), one `Content-Disposition`
//! ([`content_disposition`], RFC 6266 with an ASCII fallback and the UTF-8 name for Chinese file
//! names) and one CSV field quoting ([`csv_field`]).

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// `attachment; filename="<ascii>"; filename*=UTF-8''<percent-encoded name>` (RFC 6266, RFC
/// 8187). `ascii` is the name for clients that ignore `filename*`; without one it is derived
/// from `name` ([`ascii_fallback`]).
pub fn content_disposition(name: &str, ascii: Option<&str>) -> HeaderValue {
    let fallback = ascii_fallback(ascii.unwrap_or(name));
    HeaderValue::from_str(&format!(
        "attachment; filename=\"{fallback}\"; filename*=UTF-8''{}",
        crate::portal::percent_encode(name)
    ))
    .unwrap_or(HeaderValue::from_static("attachment"))
}

/// A quoted-string-safe ASCII file name: printable ASCII but `"`, `\`, `/` and `%` kept, runs
/// of anything else become one `_`; `download` plus the extension when no letter or digit is
/// left (`通知.pdf` → `download.pdf`).
pub fn ascii_fallback(name: &str) -> String {
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) if !e.is_empty() && e.bytes().all(|b| b.is_ascii_alphanumeric()) => (s, e),
        _ => (name, ""),
    };
    let mut out = String::with_capacity(stem.len());
    for c in stem.chars() {
        if (c.is_ascii_graphic() || c == ' ') && !matches!(c, '"' | '\\' | '/' | '%') {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let out = out.trim_matches(|c| c == '_' || c == ' ');
    let stem = if out.chars().any(|c| c.is_ascii_alphanumeric()) {
        out
    } else {
        "download"
    };
    if ext.is_empty() {
        stem.to_string()
    } else {
        format!("{stem}.{ext}")
    }
}

/// A file download: its content type, the disposition of [`content_disposition`], `nosniff`
/// and, when given, a `Cache-Control`. An unusable content type is sent as
/// `application/octet-stream`.
pub fn file(
    body: impl IntoResponse,
    content_type: &str,
    name: &str,
    ascii: Option<&str>,
    cache_control: Option<&'static str>,
) -> Response {
    let content_type = HeaderValue::from_str(content_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    let mut res = (
        [
            (header::CONTENT_TYPE, content_type),
            (
                header::CONTENT_DISPOSITION,
                content_disposition(name, ascii),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        body,
    )
        .into_response();
    if let Some(cc) = cache_control {
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(cc));
    }
    res
}

/// One CSV field (RFC 4180 quoting); text a spreadsheet would read as a formula (starting with
/// = + - @) is prefixed with an apostrophe.
pub fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_names_get_an_ascii_fallback_and_the_utf8_name() {
        let v = content_disposition("督查通报.xlsx", Some("notice-3-2026-12-01.xlsx"));
        assert_eq!(
            v.to_str().unwrap(),
            "attachment; filename=\"notice-3-2026-12-01.xlsx\"; \
             filename*=UTF-8''%E7%9D%A3%E6%9F%A5%E9%80%9A%E6%8A%A5.xlsx"
        );
        let v = content_disposition("关于2026年\"重点\"工作.pdf", None);
        assert_eq!(
            v.to_str().unwrap(),
            "attachment; filename=\"2026.pdf\"; filename*=UTF-8''%E5%85%B3%E4%BA%8E2026%E5%B9%B4%22%E9%87%8D%E7%82%B9%22%E5%B7%A5%E4%BD%9C.pdf"
        );
    }

    #[test]
    fn fallbacks_are_safe_in_a_quoted_string() {
        assert_eq!(ascii_fallback("通知.pdf"), "download.pdf");
        assert_eq!(ascii_fallback("附件"), "download");
        assert_eq!(ascii_fallback("a\"b\\c/d%e.docx"), "a_b_c_d_e.docx");
        assert_eq!(ascii_fallback("report 1.csv"), "report 1.csv");
        assert_eq!(ascii_fallback("x.tar.gz"), "x.tar.gz");
        assert_eq!(ascii_fallback("名单\r\n.xls"), "download.xls");
        // A header value that cannot be built never panics.
        let v = content_disposition("a\u{0}b", None);
        assert!(v.to_str().unwrap().starts_with("attachment"));
    }

    #[test]
    fn a_download_carries_its_headers() {
        let res = file(
            b"x".to_vec(),
            "text/csv; charset=utf-8",
            "考核.csv",
            None,
            Some("private, no-cache"),
        );
        let h = res.headers();
        assert_eq!(h[header::CONTENT_TYPE], "text/csv; charset=utf-8");
        assert_eq!(h[header::CACHE_CONTROL], "private, no-cache");
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert!(
            h[header::CONTENT_DISPOSITION]
                .to_str()
                .unwrap()
                .contains("filename*=UTF-8''%E8%80%83%E6%A0%B8.csv")
        );
        let res = file(Vec::<u8>::new(), "bad\nvalue", "a.bin", None, None);
        assert_eq!(
            res.headers()[header::CONTENT_TYPE],
            "application/octet-stream"
        );
        assert!(res.headers().get(header::CACHE_CONTROL).is_none());
    }

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        assert_eq!(csv_field("=1+2"), "'=1+2");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("说\"明\""), "\"说\"\"明\"\"\"");
        assert_eq!(csv_field("盘锦"), "盘锦");
    }
}
