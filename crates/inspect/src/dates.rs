//! Dates as list pages write them: `2026-11-30`, `[2026-11-30]`, `2026年11月30日`, `2026/11/30`,
//! `2026.11.30`, and split across elements (read as `2026-11 30` or `30 2026-11`).

use chrono::NaiveDate;
use regex::Regex;
use std::sync::LazyLock;

#[allow(clippy::expect_used)]
fn re(p: &str) -> Regex {
    Regex::new(p).expect("a pattern written in the source compiles (unit-tested)")
}

static FULL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:^|[^0-9])((?:19|20)[0-9]{2})\s*[-/.年]\s*([0-9]{1,2})\s*[-/.月]\s*([0-9]{1,2})(?:[^0-9]|$)",
    )
});
static YM_D: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:^|[^0-9])((?:19|20)[0-9]{2})\s*[-/.年]\s*([0-9]{1,2})\x{6708}?\s+([0-9]{1,2})(?:[^0-9]|$)",
    )
});
static D_YM: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:^|[^0-9])([0-9]{1,2})\s+((?:19|20)[0-9]{2})\s*[-/.年]\s*([0-9]{1,2})(?:[^0-9/.\-年月]|$)",
    )
});

fn ymd(y: &str, m: &str, d: &str) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// Every date in `text`, in order of appearance.
pub fn all(text: &str) -> Vec<NaiveDate> {
    let mut found: Vec<(usize, NaiveDate)> = Vec::new();
    for c in FULL.captures_iter(text) {
        if let Some(d) = ymd(&c[1], &c[2], &c[3]) {
            found.push((c.get(1).map_or(0, |m| m.start()), d));
        }
    }
    if found.is_empty() {
        for c in YM_D.captures_iter(text) {
            if let Some(d) = ymd(&c[1], &c[2], &c[3]) {
                found.push((c.get(1).map_or(0, |m| m.start()), d));
            }
        }
        for c in D_YM.captures_iter(text) {
            if let Some(d) = ymd(&c[2], &c[3], &c[1]) {
                found.push((c.get(1).map_or(0, |m| m.start()), d));
            }
        }
    }
    found.sort_by_key(|(at, _)| *at);
    found.into_iter().map(|(_, d)| d).collect()
}

static MONTH_DAY: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?:^|[^0-9/.\-])([0-9]{1,2})[-/.]([0-9]{1,2})(?:[^0-9/.\-]|$)"));

/// A date written without its year (`[11-30]`, `11/30`) at the end of a list row, read as
/// the latest such day not after `as_of`.
pub fn month_day(text: &str, as_of: NaiveDate) -> Option<NaiveDate> {
    use chrono::Datelike;
    let c = MONTH_DAY.captures_iter(text).last()?;
    let (m, d): (u32, u32) = (c[1].parse().ok()?, c[2].parse().ok()?);
    let this = NaiveDate::from_ymd_opt(as_of.year(), m, d)?;
    if this <= as_of {
        Some(this)
    } else {
        NaiveDate::from_ymd_opt(as_of.year() - 1, m, d)
    }
}

/// The first date in `text`.
pub fn first(text: &str) -> Option<NaiveDate> {
    all(text).into_iter().next()
}

/// The first date after `label` in `text` (within 40 characters).
pub fn after_label(text: &str, label: &str) -> Option<NaiveDate> {
    let at = text.find(label)? + label.len();
    let window: String = text[at..].chars().take(40).collect();
    first(&window)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_ways_list_pages_write_dates() {
        for t in [
            "关于开展工作的通知 2026-11-30",
            "关于开展工作的通知 [2026-11-30]",
            "关于开展工作的通知 2026年11月30日",
            "关于开展工作的通知 2026/11/30",
            "关于开展工作的通知 2026.11.30",
            "关于开展工作的通知 2026-11 30",
            "30 2026-11 关于开展工作的通知",
        ] {
            assert_eq!(first(t), Some(d("2026-11-30")), "{t}");
        }
    }

    #[test]
    fn dates_without_a_year() {
        assert_eq!(
            month_day("要闻标题 [11-30]", d("2026-12-05")),
            Some(d("2026-11-30"))
        );
        assert_eq!(
            month_day("要闻标题 12/20", d("2026-12-05")),
            Some(d("2025-12-20"))
        );
        assert_eq!(month_day("0427-2823456", d("2026-12-05")), None);
    }

    #[test]
    fn not_dates() {
        for t in [
            "盘政发\u{3014}2026\u{3015}113号",
            "索引号 11211100MB1234567X/2026-00012",
            "电话 0427-2823456",
            "2026-13-45",
            "120260101123",
        ] {
            assert_eq!(first(t), None, "{t}");
        }
        assert_eq!(
            after_label(
                "留言时间\u{FF1A}2026年3月1日 回复时间\u{FF1A}2026-04-01",
                "回复时间"
            ),
            Some(d("2026-04-01"))
        );
    }
}
