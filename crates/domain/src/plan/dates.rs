//! Deadlines and feedback dates, resolved against the plan's year.
//!
//! `11月底前` → YYYY-11-30, `12月20日前` → YYYY-12-20, `年底前` → YYYY-12-31, `2022年6月底前` →
//! 2022-06-30, `第三季度末` → YYYY-09-30, `上半年` → YYYY-06-30 (only with 前 or in a 完成时限 value).
//! A date followed by 反馈 (`6月30日反馈落实情况`, `5月26日前反馈`) is a feedback date, not a
//! deadline. Relative limits (`3个工作日内`, `最迟在5小时内`, `30日内`) are deadlines with no date.

use std::sync::LazyLock;

use regex::Regex;

use super::Deadline;
use super::text::parse_number;

fn last_day(y: i32, m: u32) -> Option<u32> {
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    chrono::NaiveDate::from_ymd_opt(ny, nm, 1)
        .and_then(|d| d.pred_opt())
        .map(|d| chrono::Datelike::day(&d))
}

fn iso(y: i32, m: u32, d: u32) -> Option<String> {
    chrono::NaiveDate::from_ymd_opt(y, m, d).map(|x| x.format("%Y-%m-%d").to_string())
}

static FEEDBACK: LazyLock<Regex> = LazyLock::new(|| {
    crate::re::compile(
        r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2}日|底|末)(?:前|之前|以前)?[^,。;,、()]{0,12}?(?:反馈|(?:报送|上报)[^,。;]{0,10}?(?:情况|总结|进展))",
    )
});

/// Dates on which units report back (`6月30日反馈落实情况`).
/// A list of dates before one 反馈 / 报送 (`分别于5月29日、12月10日前报送`).
static FEEDBACK_LIST: LazyLock<Regex> = LazyLock::new(|| {
    crate::re::compile(
        r"(?:\d{1,2}月\d{1,2}日(?:前|之前)?[、和及与])+\d{1,2}月\d{1,2}日(?:前|之前|以前)?[^,。;,、()]{0,12}?(?:反馈|(?:报送|上报)[^,。;]{0,10}?(?:情况|总结|进展))",
    )
});

static MONTH_DAY: LazyLock<Regex> = LazyLock::new(|| crate::re::compile(r"(\d{1,2})月(\d{1,2})日"));

pub fn feedback_dates(s: &str, year: Option<i32>) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(y) = year {
        for list in FEEDBACK_LIST.find_iter(s) {
            for c in MONTH_DAY.captures_iter(list.as_str()) {
                let (Ok(m), Ok(d)) = (c[1].parse::<u32>(), c[2].parse::<u32>()) else {
                    continue;
                };
                if let Some(date) = iso(y, m, d)
                    && !out.contains(&date)
                {
                    out.push(date);
                }
            }
        }
    }
    for c in FEEDBACK.captures_iter(s) {
        let y = c.get(1).and_then(|m| m.as_str().parse().ok()).or(year);
        let Some(y) = y else { continue };
        let Some(m) = c[2].parse::<u32>().ok() else {
            continue;
        };
        let d = match c[3].trim_end_matches('日').parse::<u32>() {
            Ok(d) => Some(d),
            Err(_) => last_day(y, m),
        };
        if let Some(date) = d.and_then(|d| iso(y, m, d))
            && !out.contains(&date)
        {
            out.push(date);
        }
    }
    out
}

const NUM: &str = r"(\d+|[一二三四五六七八九十两]+)";

static ABSOLUTE: LazyLock<Regex> = LazyLock::new(|| {
    crate::re::compile(concat!(
        r"(?P<ey>\d{4})年(?:底|末)(?:前|之前|以前)?",
        r"|(?:(?P<y>\d{4})年)?(?:",
        r"(?P<m1>\d{1,2})月(?P<d1>\d{1,2})日(?:前|之前|以前)",
        r"|(?P<m3>\d{1,2})月(?P<xun>上旬|中旬|下旬)(?:前|之前|以前)?",
        r"|(?P<m2>\d{1,2})月(?:底|末|份前|前)(?:前|之前|以前)?",
        r"|(?P<ye>年底|年末)(?:前|之前|以前)",
        r"|第?(?P<q>[一二三四1-4])季度(?:(?:末|底)(?:前|之前|以前)?|前|之前|以前)",
        r"|(?P<h>上半年|年中)(?:前|之前|以前)",
        r")"
    ))
});

static RELATIVE: LazyLock<Regex> = LazyLock::new(|| {
    crate::re::compile(&format!(
        r"(?:最迟|最长|不超过|最多)?在?{NUM}个?(工作日|小时|自然日|日|天|周|个月)(?:以内|内)"
    ))
});

fn resolve(c: &regex::Captures, year: Option<i32>) -> Option<String> {
    let num = |k: &str| c.name(k).and_then(|m| m.as_str().parse::<u32>().ok());
    if let Some(y) = c.name("ey").and_then(|m| m.as_str().parse().ok()) {
        return iso(y, 12, 31);
    }
    let y = c.name("y").and_then(|m| m.as_str().parse().ok()).or(year)?;
    if let (Some(m), Some(d)) = (num("m1"), num("d1")) {
        return iso(y, m, d);
    }
    if let Some(m) = num("m3") {
        let d = match c.name("xun").map(|x| x.as_str()) {
            Some("上旬") => 10,
            Some("中旬") => 20,
            _ => last_day(y, m)?,
        };
        return iso(y, m, d);
    }
    if let Some(m) = num("m2") {
        return iso(y, m, last_day(y, m)?);
    }
    if c.name("ye").is_some() {
        return iso(y, 12, 31);
    }
    if let Some(q) = c.name("q") {
        let m = parse_number(q.as_str())? * 3;
        return iso(y, m, last_day(y, m)?);
    }
    if c.name("h").is_some() {
        return iso(y, 6, 30);
    }
    None
}

/// Deadlines in a text, in order of appearance (feedback dates excluded).
pub fn deadlines(s: &str, year: Option<i32>) -> Vec<Deadline> {
    let feedback: Vec<(usize, usize)> = FEEDBACK
        .find_iter(s)
        .map(|m| (m.start(), m.end()))
        .collect();
    let inside_feedback = |a: usize| feedback.iter().any(|&(s, e)| a >= s && a < e);
    let mut found: Vec<(usize, Deadline)> = Vec::new();
    for c in ABSOLUTE.captures_iter(s) {
        let Some(m) = c.get(0) else { continue };
        if inside_feedback(m.start()) {
            continue;
        }
        found.push((
            m.start(),
            Deadline {
                text: m.as_str().to_owned(),
                date: resolve(&c, year),
            },
        ));
    }
    for m in RELATIVE.find_iter(s) {
        // `6月30日内` is a date, not a relative limit
        if s[..m.start()].ends_with('月') {
            continue;
        }
        found.push((
            m.start(),
            Deadline {
                text: m.as_str().to_owned(),
                date: None,
            },
        ));
    }
    found.sort_by_key(|(p, _)| *p);
    let mut out: Vec<Deadline> = Vec::new();
    for (_, d) in found {
        if !out.iter().any(|x| x.text == d.text) {
            out.push(d);
        }
    }
    out
}

static LOOSE_YM: LazyLock<Regex> =
    LazyLock::new(|| crate::re::compile(r"^(?:(\d{4})年)?(\d{1,2})月(?:(\d{1,2})日)?"));

/// A 完成时限 value (label or table column): whatever [`deadlines`] finds in it, else the whole
/// value with a date when it names one (`2022年12月`, `2022年`, `全年`, `上半年`), else no date
/// (`长期坚持`, `持续推进`).
pub fn deadline_value(value: &str, year: Option<i32>) -> Vec<Deadline> {
    let v = value.trim();
    if v.is_empty() {
        return Vec::new();
    }
    let found = deadlines(v, year);
    if !found.is_empty() {
        return found;
    }
    let y_explicit: Option<i32> = Regex::new(r"(\d{4})年")
        .ok()
        .and_then(|r| r.captures(v))
        .and_then(|c| c[1].parse().ok());
    let y = y_explicit.or(year);
    let date = if let Some(c) = LOOSE_YM.captures(v) {
        let y = c.get(1).and_then(|m| m.as_str().parse().ok()).or(year);
        match (y, c[2].parse::<u32>().ok()) {
            (Some(y), Some(m)) => match c.get(3).and_then(|d| d.as_str().parse().ok()) {
                Some(d) => iso(y, m, d),
                None => last_day(y, m).and_then(|d| iso(y, m, d)),
            },
            _ => None,
        }
    } else if v.contains("上半年") {
        y.and_then(|y| iso(y, 6, 30))
    } else if v.contains("下半年")
        || v.contains("全年")
        || v.contains("年内")
        || v.contains("年底")
        || (y_explicit.is_some() && v.trim_end_matches(['前', '底', '内']).ends_with('年'))
    {
        y.and_then(|y| iso(y, 12, 31))
    } else {
        None
    };
    vec![Deadline {
        text: v.to_owned(),
        date,
    }]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Vec<(String, Option<String>)> {
        deadlines(s, Some(2017))
            .into_iter()
            .map(|d| (d.text, d.date))
            .collect()
    }

    #[test]
    fn absolute() {
        assert_eq!(
            d("11月底前完成,12月底前公开,年底前建成,2022年6月底前,12月20日前报送"),
            vec![
                ("11月底前".into(), Some("2017-11-30".into())),
                ("12月底前".into(), Some("2017-12-31".into())),
                ("年底前".into(), Some("2017-12-31".into())),
                ("2022年6月底前".into(), Some("2022-06-30".into())),
                ("12月20日前".into(), Some("2017-12-20".into())),
            ]
        );
        assert_eq!(d("第三季度末前完成")[0].1.as_deref(), Some("2017-09-30"));
        assert!(d("年底纳入绩效考核").is_empty());
        assert_eq!(
            d("2022年底前完成,三季度末完成,12月中旬前上线"),
            vec![
                ("2022年底前".into(), Some("2022-12-31".into())),
                ("三季度末".into(), Some("2017-09-30".into())),
                ("12月中旬前".into(), Some("2017-12-20".into())),
            ]
        );
    }

    #[test]
    fn relative_keep_no_date() {
        assert_eq!(
            d("印发后30日内对接,3个工作日内发布,最迟在5小时内发布,在24小时内举行"),
            vec![
                ("30日内".into(), None),
                ("3个工作日内".into(), None),
                ("最迟在5小时内".into(), None),
                ("在24小时内".into(), None),
            ]
        );
    }

    #[test]
    fn feedback_is_not_a_deadline() {
        let s = "市财政局牵头落实。6月30日反馈落实情况,11月30日反馈全年情况,5月26日前反馈";
        assert!(d(s).is_empty());
        assert_eq!(
            feedback_dates(s, Some(2017)),
            vec!["2017-06-30", "2017-11-30", "2017-05-26"]
        );
    }

    #[test]
    fn values() {
        let v = |s: &str| deadline_value(s, Some(2022)).remove(0).date;
        assert_eq!(v("2022年12月"), Some("2022-12-31".into()));
        assert_eq!(v("长期坚持"), None);
        assert_eq!(v("上半年"), Some("2022-06-30".into()));
        assert_eq!(v("2022年6月底前"), Some("2022-06-30".into()));
    }
}
