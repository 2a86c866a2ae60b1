//! Reading the State Council's annual holiday notice （国务院办公厅关于N年部分节假日安排的通知）
//! so that an administrator enters a new year by pasting the notice. Each numbered section
//! （一、元旦： … ）names a festival; in it, every sentence that ends in 上班 lists make-up workdays,
//! and every other sentence lists days off: ranges （2月15日至23日、1月31日至2月6日） and single days
//! （6月2日放假、4月7日补休）. Weekdays in brackets and lunar dates are ignored. Widths of punctuation
//! do not matter （the parser's canonical form, `plan::text::normalize`）.

use super::{DayKind, DayOverride, NaiveDate};
use chrono::Datelike;
use regex::Regex;
use std::sync::LazyLock;

static TITLE_YEAR: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(?x) (\d{4}) \s* 年 (?: 部分 )? 节假日安排").ok());
static SECTION: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(?m)[一二三四五六七八九十]+\s*[、.]\s*([^:\s]{1,12}?)\s*:").ok());
static BRACKETS: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"\([^)]*\)").ok());
static DATE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"(?x) (?: (\d{4}) \s* 年 )? \s* (?: (\d{1,2}) \s* 月 )? \s* (\d{1,2}) \s* 日").ok()
});

/// The most days one notice may set （a guard against pasting something else）.
const MAX_DAYS: usize = 120;

/// The days a notice sets, in date order, each named by its festival; `source` is recorded with
/// each. `year` is the year the notice is for when its title does not say.
pub fn parse_notice(text: &str, year: i32, source: &str) -> Result<Vec<DayOverride>, String> {
    let text = crate::plan::text::normalize(text);
    let (Some(section_re), Some(brackets), Some(date_re)) =
        (SECTION.as_ref(), BRACKETS.as_ref(), DATE.as_ref())
    else {
        return Err("无法读取通知".into());
    };
    let year = TITLE_YEAR
        .as_ref()
        .and_then(|re| re.captures(&text))
        .and_then(|c| c[1].parse().ok())
        .unwrap_or(year);
    let heads: Vec<_> = section_re.captures_iter(&text).collect();
    if heads.is_empty() {
        return Err(
            "没有找到\u{201C}一、元旦\u{FF1A}\u{2026}\u{201D}这样的分节\u{FF0C}请粘贴通知全文"
                .into(),
        );
    }
    let mut out: Vec<DayOverride> = Vec::new();
    for (i, head) in heads.iter().enumerate() {
        let (Some(whole), Some(name)) = (head.get(0), head.get(1)) else {
            continue;
        };
        let name = name.as_str().trim().to_string();
        let end = heads
            .get(i + 1)
            .and_then(|h| h.get(0))
            .map_or(text.len(), |m| m.start());
        let body = brackets.replace_all(&text[whole.end()..end], "");
        for sentence in body.split(['\u{3002}', '\n', ';']) {
            let workday = sentence.contains("上班");
            if !workday
                && !["放假", "补休", "休息", "调休"]
                    .iter()
                    .any(|w| sentence.contains(w))
            {
                continue;
            }
            let kind = if workday {
                DayKind::Workday
            } else {
                DayKind::Holiday
            };
            for date in dates_in(sentence, date_re, year, &name)? {
                out.retain(|o| o.date != date);
                out.push(DayOverride {
                    date,
                    kind,
                    name: name.clone(),
                    source: source.to_string(),
                });
            }
        }
        if out.len() > MAX_DAYS {
            return Err(format!(
                "通知中的日期超过{MAX_DAYS}天\u{FF0C}请检查粘贴的内容"
            ));
        }
    }
    if out.is_empty() {
        return Err("通知中没有找到放假或上班的日期".into());
    }
    out.sort_by_key(|o| o.date);
    Ok(out)
}

/// The dates of one sentence: `A至B` ranges expanded, a month or year carried from the date before.
fn dates_in(
    sentence: &str,
    re: &Regex,
    year: i32,
    festival: &str,
) -> Result<Vec<NaiveDate>, String> {
    let mut found: Vec<(NaiveDate, usize, usize)> = Vec::new();
    let mut month: Option<u32> = None;
    let mut explicit_year: Option<i32> = None;
    for c in re.captures_iter(sentence) {
        let Some(whole) = c.get(0) else { continue };
        let y = c.get(1).and_then(|m| m.as_str().parse().ok());
        if y.is_some() {
            explicit_year = y;
        }
        let m: Option<u32> = c.get(2).and_then(|m| m.as_str().parse().ok()).or(month);
        let Some(m) = m else {
            return Err(format!(
                "{festival}\u{FF1A}\u{201C}{}\u{201D}缺少月份",
                whole.as_str()
            ));
        };
        month = Some(m);
        let d: u32 = c[3].parse().unwrap_or(0);
        // 元旦's days in December belong to the year before （2018年12月30日至2019年1月1日）.
        let y = explicit_year.unwrap_or(if m == 12 && festival.contains("元旦") {
            year - 1
        } else {
            year
        });
        let date = NaiveDate::from_ymd_opt(y, m, d)
            .ok_or_else(|| format!("{festival}\u{FF1A}{y}年{m}月{d}日不是有效日期"))?;
        found.push((date, whole.start(), whole.end()));
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < found.len() {
        let (a, _, a_end) = found[i];
        let ranged = found
            .get(i + 1)
            .filter(|(_, b_start, _)| sentence[a_end..*b_start].trim() == "至");
        match ranged {
            Some((b, _, _)) if *b >= a && (*b - a).num_days() < 31 => {
                out.extend(a.iter_days().take_while(|d| d <= b));
                i += 2;
            }
            Some(_) => return Err(format!("{festival}\u{FF1A}{a}起的日期范围不合理")),
            None => {
                out.push(a);
                i += 1;
            }
        }
    }
    Ok(out)
}

/// The years a parsed notice covers.
pub fn years_of(days: &[DayOverride]) -> Vec<i32> {
    let mut y: Vec<i32> = days.iter().map(|d| d.date.year()).collect();
    y.dedup();
    y
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOTICE_2026: &str = "国务院办公厅关于2026年部分节假日安排的通知\n各省、自治区、直辖市人民政府，国务院各部委、各直属机构：\n经国务院批准，现将2026年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节放假调休日期的具体安排通知如下。\n一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。\n二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。\n三、清明节：4月4日（周六）至6日（周一）放假，共3天。\n四、劳动节：5月1日（周五）至5日（周二）放假调休，共5天。5月9日（周六）上班。\n五、端午节：6月19日（周五）至21日（周日）放假，共3天。\n六、中秋节：9月25日（周五）至27日（周日）放假，共3天。\n七、国庆节：10月1日（周四）至7日（周三）放假调休，共7天。9月20日（周日）、10月10日（周六）上班。\n国务院办公厅\n2025年11月4日";

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_2026_notice_gives_the_shipped_2026_days() {
        let days = parse_notice(NOTICE_2026, 2000, "国办发明电").unwrap();
        let holidays = days.iter().filter(|o| o.kind == DayKind::Holiday).count();
        let workdays: Vec<_> = days
            .iter()
            .filter(|o| o.kind == DayKind::Workday)
            .map(|o| o.date.to_string())
            .collect();
        assert_eq!(holidays, 3 + 9 + 3 + 5 + 3 + 3 + 7);
        assert_eq!(
            workdays,
            [
                "2026-01-04",
                "2026-02-14",
                "2026-02-28",
                "2026-05-09",
                "2026-09-20",
                "2026-10-10"
            ]
        );
        // The same days as the shipped 2026 arrangement.
        let shipped: Vec<_> = super::super::shipped_overrides()
            .into_iter()
            .filter(|o| o.date.year() == 2026)
            .map(|o| (o.date, o.kind))
            .collect();
        let parsed: Vec<_> = days.iter().map(|o| (o.date, o.kind)).collect();
        assert_eq!(parsed, shipped);
        assert!(
            days.iter()
                .any(|o| o.date == d("2026-02-23") && o.name == "春节")
        );
        assert_eq!(years_of(&days), [2026]);
    }

    #[test]
    fn ascii_punctuation_cross_month_ranges_and_single_days() {
        // The full-width notice as some web pages print it: every punctuation mark in ASCII.
        let text = "一、元旦\u{FF1A}2018年12月30日至2019年1月1日放假调休\u{FF0C}共3天。2018年12月29日\u{FF08}星期六\u{FF09}上班。\n二、春节\u{FF1A}1月31日至2月6日放假调休\u{FF0C}共7天。\n三、清明节\u{FF1A}4月5日放假\u{FF0C}4月7日\u{FF08}星期一\u{FF09}补休。\n五、端午节\u{FF1A}6月2日放假\u{FF0C}与周末连休。"
            .replace('\u{FF1A}', ":")
            .replace('\u{FF0C}', ",")
            .replace('\u{FF08}', "(")
            .replace('\u{FF09}', ")");
        assert!(text.contains(':') && !text.contains('\u{FF0C}'));
        let days = parse_notice(&text, 2019, "").unwrap();
        let got: Vec<_> = days
            .iter()
            .map(|o| {
                format!(
                    "{} {}",
                    o.date,
                    if o.kind == DayKind::Workday {
                        "班"
                    } else {
                        "休"
                    }
                )
            })
            .collect();
        assert_eq!(got.first().map(String::as_str), Some("2018-12-29 班"));
        assert!(got.contains(&"2018-12-30 休".to_string()));
        assert!(got.contains(&"2019-01-01 休".to_string()));
        assert!(got.contains(&"2019-02-06 休".to_string()));
        assert!(got.contains(&"2019-04-07 休".to_string()), "补休");
        assert!(got.contains(&"2019-06-02 休".to_string()));
        assert_eq!(days.iter().filter(|o| o.name == "春节").count(), 7);
    }

    #[test]
    fn something_else_is_refused_in_chinese() {
        let e = parse_notice("这不是放假通知", 2027, "").unwrap_err();
        assert!(e.contains("请粘贴通知全文"), "{e}");
        let e = parse_notice("一、元旦：2月30日放假。", 2027, "").unwrap_err();
        assert!(e.contains("不是有效日期"), "{e}");
    }
}
