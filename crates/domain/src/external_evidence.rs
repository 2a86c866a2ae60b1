//! Evidence from a unit's own website (source `external`): an obligation bound to a list page on
//! another site counts the items the scheduled crawl found there. Each item carries the date the
//! page claims and the date the crawler first saw it, and only the second is beyond the unit's
//! reach. This module holds the two rules: which URLs may be bound, and the date an item counts
//! from.
//!
//! **It cannot be backdated.** The claimed date counts only when the crawler saw the item by the
//! first deadline that date would meet (the earliest period due date on or after it). Seen later,
//! the item counts from the day it was first seen, so it is late whatever the page claims, and a
//! claim more than [`BACKDATE_GRACE_DAYS`] before that day is flagged as backdated.
//!
//! Pure: no clock, no I/O.

use crate::validate::Invalid;
use chrono::NaiveDate;

/// The longest list URL accepted.
pub const MAX_URL_CHARS: usize = 2000;

/// Days between the claimed date and the first sighting that a late crawl may explain (the crawl
/// runs several times a day; one missed day is not an accusation).
pub const BACKDATE_GRACE_DAYS: i64 = 1;

/// Checks a list page's URL as typed: http or https, with a host, no user name or password, at
/// most [`MAX_URL_CHARS`]. Returns it as parsed (normalised), or a Chinese message on `field`.
pub fn validate_list_url(field: &'static str, raw: &str) -> Result<String, Invalid> {
    let raw = raw.trim();
    let bad = |m: &str| Err(Invalid::one(field, m));
    if raw.is_empty() {
        return bad("请填写部门网站栏目列表页的网址");
    }
    if raw.chars().count() > MAX_URL_CHARS {
        return bad("网址过长\u{FF08}不超过 2000 个字符\u{FF09}");
    }
    let Ok(url) = url::Url::parse(raw) else {
        return bad("网址无法识别\u{FF0C}请填写以 http:// 或 https:// 开头的完整网址");
    };
    if !matches!(url.scheme(), "http" | "https") {
        return bad("只支持以 http:// 或 https:// 开头的网址");
    }
    if url.host_str().is_none_or(str::is_empty) {
        return bad("网址缺少域名");
    }
    if !url.username().is_empty() || url.password().is_some() {
        return bad("网址不能包含用户名或密码");
    }
    let mut url = url;
    url.set_fragment(None);
    Ok(url.to_string())
}

/// How one crawled item counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dated {
    /// The date the engine uses.
    pub counts_on: NaiveDate,
    /// The page claims a date well before the crawler first saw the item, and a deadline passed
    /// in between.
    pub backdated: bool,
}

/// The date an item counts from. `dues` are the due dates of the obligation's periods (any
/// order); `claimed` the page's date, if it gave one; `first_seen` the day the crawler first saw
/// the item. A claim later than the first sighting counts from the sighting.
pub fn date_item(claimed: Option<NaiveDate>, first_seen: NaiveDate, dues: &[NaiveDate]) -> Dated {
    let Some(claimed) = claimed.filter(|c| *c <= first_seen) else {
        return Dated {
            counts_on: first_seen,
            backdated: false,
        };
    };
    let deadline = dues.iter().copied().filter(|d| *d >= claimed).min();
    match deadline {
        Some(d) if first_seen > d => Dated {
            counts_on: first_seen,
            backdated: (first_seen - claimed).num_days() > BACKDATE_GRACE_DAYS,
        },
        _ => Dated {
            counts_on: claimed,
            backdated: false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn urls_are_http_or_https_with_a_host() {
        assert_eq!(
            validate_list_url("url", " http://czj.example.gov.cn/tzgg/index.html#top ").unwrap(),
            "http://czj.example.gov.cn/tzgg/index.html"
        );
        assert!(validate_list_url("url", "https://127.0.0.1:8080/list").is_ok());
        for bad in [
            "",
            "ftp://example.gov.cn/",
            "javascript:alert(1)",
            "czj.example.gov.cn/tzgg",
            "http://user:pw@example.gov.cn/",
            "file:///etc/passwd",
        ] {
            let e = validate_list_url("url", bad).unwrap_err();
            assert_eq!(e.errors[0].field, "url", "{bad}");
            assert!(!e.errors[0].message.is_empty());
        }
        let long = format!("http://example.gov.cn/{}", "a".repeat(MAX_URL_CHARS));
        assert!(validate_list_url("url", &long).is_err());
    }

    #[test]
    fn a_claim_counts_when_seen_by_its_deadline() {
        let dues = [d("2026-12-28"), d("2027-01-27")];
        // Claimed 30 November, seen 1 December: November's report, due 28 December, on time.
        let x = date_item(Some(d("2026-11-30")), d("2026-12-01"), &dues);
        assert_eq!(x.counts_on, d("2026-11-30"));
        assert!(!x.backdated);
        // Seen on the deadline itself.
        let x = date_item(Some(d("2026-11-30")), d("2026-12-28"), &dues);
        assert_eq!(x.counts_on, d("2026-11-30"));
    }

    #[test]
    fn a_claim_seen_after_its_deadline_is_late_and_flagged() {
        let dues = [d("2026-12-28"), d("2027-01-27")];
        let x = date_item(Some(d("2026-11-30")), d("2027-01-05"), &dues);
        assert_eq!(x.counts_on, d("2027-01-05"));
        assert!(x.backdated);
        // The day after the deadline, claimed on the deadline: late, within the grace.
        let x = date_item(Some(d("2026-12-28")), d("2026-12-29"), &dues);
        assert_eq!(x.counts_on, d("2026-12-29"));
        assert!(!x.backdated);
    }

    #[test]
    fn no_claim_or_a_future_claim_counts_from_the_sighting() {
        let dues = [d("2026-12-28")];
        for claimed in [None, Some(d("2026-12-20"))] {
            let x = date_item(claimed, d("2026-12-10"), &dues);
            assert_eq!(x.counts_on, d("2026-12-10"));
            assert!(!x.backdated);
        }
        // After every deadline: the claim stands (nothing it could unfairly meet).
        let x = date_item(Some(d("2027-02-01")), d("2027-02-03"), &dues);
        assert_eq!(x.counts_on, d("2027-02-01"));
    }
}
