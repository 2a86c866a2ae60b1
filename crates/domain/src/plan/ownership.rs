//! Whose a cadence is and when it is due, read from the sentence that states it.
//!
//! A duty's paragraph often gives different units different cadences: seed task 13 has
//! 市住建委网站每月公开…水质状况报告 , 市环保局网站每季度更新…名单 , 每年发布…排名. A cadence belongs to
//! the units named nearest before it in its sentence (the subject of its clause, or of the clause
//! before when its own has none), so the monthly water report is 住建委's and the yearly ranking
//! 环保局's. A cadence in a sentence naming no unit of the duty belongs to the whole duty.
//!
//! From the same sentence: a day-of-month deadline ( 每月15日前 → due on the 15th of the next
//! month) and, for every-N-days cadences, the season ( 收购旺季时每五日 → October to March; an
//! explicit 10月至次年3月 wins over the named season's usual months).

use std::sync::LazyLock;

use regex::Regex;

use super::cadence::located;
use super::text::parse_number;
use super::{Cadence, Deadline};

/// Sentence ends in the parser's canonical text (`;` is a full-width semicolon folded to ASCII).
const SENTENCE_ENDS: [char; 4] = ['\u{3002}', ';', '!', '?'];
/// Clause ends inside a sentence (a comma folded to ASCII).
const CLAUSE_ENDS: [char; 2] = [',', ':'];

/// Named seasons and their usual months in northern China, used when the text names the season
/// without its months. A reviewer confirms them (the lint lists every cadence with a season).
const NAMED_SEASONS: [(&str, &str); 5] = [
    // 秋粮 (rice, maize) purchasing runs from October into the spring.
    ("\u{6536}\u{8D2D}\u{65FA}\u{5B63}", "10-01..03-31"), // 收购旺季
    ("\u{6536}\u{8D2D}\u{671F}", "10-01..03-31"),         // 收购期
    ("\u{6C5B}\u{671F}", "06-01..09-30"),                 // 汛期
    ("\u{4F9B}\u{6696}\u{671F}", "11-01..03-31"),         // 供暖期
    ("\u{91C7}\u{6696}\u{671F}", "11-01..03-31"),         // 采暖期
];

static DAY_OF_MONTH: LazyLock<Regex> = LazyLock::new(|| {
    crate::re::compile(
        r"(?x) (?: 每月 | 次月 | 下月 ) ( \d{1,2} | [一二三四五六七八九十]+ ) (?: 日 | 号 ) (?: 前 | 之前 | 以前 )",
    )
});

static MONTH_RANGE: LazyLock<Regex> = LazyLock::new(|| {
    crate::re::compile(
        r"(?x) (\d{1,2}) 月 (?: (\d{1,2}) 日 )? (?: 至 | 到 | - | ~ | \u{2014} | \u{FF5E} | \u{301C} ) ( 次年 | 翌年 )? (\d{1,2}) 月 (?: (\d{1,2}) 日 )?",
    )
});

/// The cadences of `text` with their units, due rule and season, as the sentence states them.
/// `unit_names` are the duty's unit names as written (lead, co and responsible). Each distinct
/// (norm, units) pair is reported once, with the text of its first occurrence.
pub fn owned_cadences(text: &str, unit_names: &[String]) -> Vec<Cadence> {
    let mut out: Vec<Cadence> = Vec::new();
    for (at, mut c) in located(text) {
        let sentence = sentence_around(text, at);
        let before = &text[sentence.0..at];
        c.units = units_before(before, unit_names);
        let whole = &text[sentence.0..sentence.1];
        if c.norm == "monthly"
            && let Some(day) = DAY_OF_MONTH
                .captures(whole)
                .and_then(|m| parse_number(m.get(1)?.as_str()))
                .filter(|d| (1..=31).contains(d))
        {
            c.due = Some(format!("day_of_next_month:{day}"));
        }
        if c.norm.starts_with("every_")
            && !c.norm.contains('@')
            && let Some(season) = season_in(whole)
        {
            c.norm = format!("{}@{season}", c.norm);
        }
        if !out.iter().any(|x| x.norm == c.norm && x.units == c.units) {
            out.push(c);
        }
    }
    out
}

/// The dated deadlines of a duty (11月底前 , 年底前 ) as one-off cadences (`once_by_2017-11-30`),
/// each belonging to the units its sentence names. Deadlines stated only in the clause (a table's
/// 完成时限 column) belong to the whole duty.
pub fn deadline_cadences(
    text: &str,
    deadlines: &[Deadline],
    unit_names: &[String],
) -> Vec<Cadence> {
    let mut out: Vec<Cadence> = Vec::new();
    for d in deadlines {
        let Some(date) = d.date.as_deref() else {
            continue;
        };
        let units = match text.find(d.text.as_str()) {
            Some(at) => {
                let (start, _) = sentence_around(text, at);
                units_before(&text[start..at], unit_names)
            }
            None => Vec::new(),
        };
        let c = Cadence {
            text: d.text.clone(),
            norm: format!("once_by_{date}"),
            units,
            due: None,
            keywords: Vec::new(),
            source: None,
        };
        if !out.iter().any(|x| x.norm == c.norm && x.units == c.units) {
            out.push(c);
        }
    }
    out
}

/// The byte range of the sentence containing byte `at`.
fn sentence_around(text: &str, at: usize) -> (usize, usize) {
    let start = text[..at]
        .char_indices()
        .rev()
        .find(|(_, ch)| SENTENCE_ENDS.contains(ch))
        .map_or(0, |(i, ch)| i + ch.len_utf8());
    let end = text[at..]
        .find(|ch: char| SENTENCE_ENDS.contains(&ch))
        .map_or(text.len(), |i| at + i);
    (start, end)
}

/// The unit names of the clause nearest before a cadence: find the last unit mentioned in
/// `before`, then every unit mentioned from the start of that mention's clause on.
fn units_before(before: &str, unit_names: &[String]) -> Vec<String> {
    let mentions: Vec<(usize, &String)> = unit_names
        .iter()
        .filter_map(|name| last_mention(before, name).map(|at| (at, name)))
        .collect();
    let Some(&(last, _)) = mentions.iter().max_by_key(|(at, _)| *at) else {
        return Vec::new();
    };
    let clause_start = before[..last]
        .char_indices()
        .rev()
        .find(|(_, ch)| CLAUSE_ENDS.contains(ch))
        .map_or(0, |(i, ch)| i + ch.len_utf8());
    let mut names: Vec<(usize, String)> = mentions
        .into_iter()
        .filter(|(at, _)| *at >= clause_start)
        .map(|(at, n)| (at, n.clone()))
        .collect();
    names.sort();
    let mut out: Vec<String> = Vec::new();
    for (_, n) in names {
        if !out.contains(&n) {
            out.push(n);
        }
    }
    out
}

/// Where `name` is last mentioned in `s`, as written or without its leading 市 ( 住建委网站 names
/// 市住建委 ); a shortened name must keep at least three characters.
fn last_mention(s: &str, name: &str) -> Option<usize> {
    let full = s.rfind(name);
    let short = name
        .strip_prefix('\u{5E02}')
        .filter(|rest| rest.chars().count() >= 3)
        .and_then(|rest| s.rfind(rest));
    full.into_iter().chain(short).max()
}

/// A season stated in a sentence: explicit months, else a named season's usual months.
fn season_in(sentence: &str) -> Option<String> {
    if let Some(m) = MONTH_RANGE.captures(sentence) {
        let num = |i: usize| m.get(i).and_then(|x| x.as_str().parse::<u32>().ok());
        let (from_m, to_m) = (num(1)?, num(4)?);
        let from_d = num(2).unwrap_or(1);
        let to_d = match num(5) {
            Some(d) => d,
            None => last_day_of_month(to_m)?,
        };
        let from = crate::obligation::MonthDay::new(from_m, from_d)?;
        let to = crate::obligation::MonthDay::new(to_m, to_d)?;
        return Some(format!("{from}..{to}"));
    }
    NAMED_SEASONS
        .iter()
        .find(|(name, _)| sentence.contains(name))
        .map(|(_, range)| (*range).to_string())
}

fn last_day_of_month(month: u32) -> Option<u32> {
    // February ends on the 28th: a season ending on 29 February in a leap year loses nothing a
    // plan could check, and `MonthDay` maps 02-29 to 02-28 in common years anyway.
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => Some(31),
        4 | 6 | 9 | 11 => Some(30),
        2 => Some(28),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::text::normalize;

    fn owned(text: &str, units: &[&str]) -> Vec<(String, Vec<String>, Option<String>)> {
        let names: Vec<String> = units.iter().map(|s| s.to_string()).collect();
        owned_cadences(&normalize(text), &names)
            .into_iter()
            .map(|c| (c.norm, c.units, c.due))
            .collect()
    }

    fn v(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn each_cadence_belongs_to_the_unit_its_sentence_names() {
        // Seed task 13, full-width punctuation as in the document.
        let text = "市环保局定期召开新闻发布会\u{FF0C}及时公开环境政策措施\u{3002}\
             市住建委网站每月公开水质状况报告\u{FF0C}\
             市环保局网站每季度更新名单\u{FF0C}每年发布排名\u{3002}";
        let got = owned(text, &["市环保局", "市住建委"]);
        let by_norm = |n: &str| got.iter().find(|c| c.0 == n).map(|c| c.1.clone());
        assert_eq!(by_norm("periodic"), Some(v(&["市环保局"])));
        assert_eq!(by_norm("timely"), Some(v(&["市环保局"])));
        assert_eq!(by_norm("monthly"), Some(v(&["市住建委"])));
        assert_eq!(by_norm("quarterly"), Some(v(&["市环保局"])));
        assert_eq!(by_norm("yearly"), Some(v(&["市环保局"])));
    }

    #[test]
    fn a_sentence_without_a_unit_leaves_the_cadence_to_the_duty() {
        let got = owned("每周发布农产品价格信息\u{3002}", &["市农委", "市人社局"]);
        assert_eq!(got, vec![("weekly".to_string(), Vec::new(), None)]);
    }

    #[test]
    fn a_list_of_units_before_the_cadence_shares_it() {
        let got = owned(
            "市工商局\u{3001}市物价局网站每月公开查处信息\u{3002}",
            &["市工商局", "市物价局"],
        );
        assert_eq!(got[0].1, v(&["市工商局", "市物价局"]));
    }

    #[test]
    fn the_clause_of_the_nearest_unit_wins() {
        // 市商务局网站每季度发布… , 市旅发委… : the quarterly report is 商务局's alone.
        let got = owned(
            "市商务局网站每季度发布消费市场情况报告\u{FF0C}市旅发委\u{3001}市体育局重点公开消费情况信息\u{3002}",
            &["市商务局", "市旅发委", "市体育局"],
        );
        assert_eq!(got[0].1, v(&["市商务局"]));
    }

    #[test]
    fn day_of_month_deadline_is_read() {
        let got = owned(
            "市财政局每月15日前公开上月财政收支情况\u{3002}",
            &["市财政局"],
        );
        assert_eq!(got[0].2.as_deref(), Some("day_of_next_month:15"));
    }

    #[test]
    fn seasons_named_or_explicit() {
        let named = owned("收购旺季时每五日发布主产区收购进度信息\u{3002}", &[]);
        assert_eq!(named[0].0, "every_5_days@10-01..03-31");
        let explicit = owned(
            "11月至次年4月每五日发布收购进度\u{FF0C}其余时间按月发布\u{3002}",
            &[],
        );
        assert_eq!(explicit[0].0, "every_5_days@11-01..04-30");
        assert!(explicit[0].0.parse::<crate::obligation::Cadence>().is_ok());
    }

    #[test]
    fn short_names_match_without_the_city_prefix() {
        let got = owned(
            "住建委网站每月公开水质报告\u{3002}",
            &["市环保局", "市住建委"],
        );
        assert_eq!(got[0].1, v(&["市住建委"]));
    }
}
