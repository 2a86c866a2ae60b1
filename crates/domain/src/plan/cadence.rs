//! Publishing cadences in the `norm` vocabulary:
//!
//! | norm | written as |
//! |---|---|
//! | `weekly` | 每周, 按周, 逐周 |
//! | `monthly` | 每月, 按月, 逐月 |
//! | `quarterly` | 每季度, 按季度, 季度抽查 |
//! | `half_yearly` | 每半年, 按半年, 半年度 |
//! | `yearly` | 每年, 按年, 按年度, 逐年, 年度报告 |
//! | `every_N_days` | 每五日, 每3天, 每日 (N = 1), 每两周 (N = 14) |
//! | `at_least_N_per_year` | 年内…不少于1次, 每年至少5次, 每季度不少于1次 (N = 4) |
//! | `within_N_working_days` | 3个工作日内 |
//! | `within_N_days` | 30日内, 7天内 |
//! | `within_N_hours` | 5小时内 |
//! | `periodic` | 定期 |
//! | `timely` | 及时, 适时 |
//!
//! Each norm is reported once per duty, with the text of its first occurrence; a longer match wins
//! over a shorter one it overlaps (`每年不少于5次` is `at_least_5_per_year`, not `yearly`).

use std::sync::LazyLock;

use regex::Regex;

use super::Cadence;
use super::text::parse_number;

const N: &str = r"(\d+|[一二三四五六七八九十两]+)";

struct Rule {
    re: Regex,
    norm: fn(&regex::Captures) -> Option<String>,
}

fn n(c: &regex::Captures, i: usize) -> Option<u32> {
    parse_number(c.get(i)?.as_str())
}

static RULES: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    let r = |p: &str| crate::re::compile(p);
    vec![
        Rule {
            re: r(&format!(
                r"(年内|每年|全年|一年|年度内|每季度?|每月|每半年)[^。;,]{{0,30}}?(?:不少于|至少|不低于|最少){N}(?:次|场|期|篇|条|批|轮)"
            )),
            norm: |c| {
                let k = n(c, 2)?;
                let per = match c.get(1)?.as_str() {
                    "每季" | "每季度" => 4,
                    "每月" => 12,
                    "每半年" => 2,
                    _ => 1,
                };
                Some(format!("at_least_{}_per_year", k * per))
            },
        },
        Rule {
            re: r(&format!(r"(?:不少于|至少|不低于){N}次")),
            norm: |c| Some(format!("at_least_{}_per_year", n(c, 1)?)),
        },
        Rule {
            re: r(&format!(r"{N}个?工作日(?:以内|内)")),
            norm: |c| Some(format!("within_{}_working_days", n(c, 1)?)),
        },
        Rule {
            re: r(&format!(r"{N}个?小时(?:以内|内)")),
            norm: |c| Some(format!("within_{}_hours", n(c, 1)?)),
        },
        Rule {
            re: r(&format!(r"{N}个?(?:自然日|日|天)(?:以内|内)")),
            norm: |c| Some(format!("within_{}_days", n(c, 1)?)),
        },
        Rule {
            re: r(&format!(r"每(?:隔)?{N}(日|天|周)")),
            norm: |c| {
                let k = n(c, 1)?;
                let mult = if c.get(2)?.as_str() == "周" { 7 } else { 1 };
                Some(format!("every_{}_days", k * mult))
            },
        },
        Rule {
            re: r(r"每日|每天"),
            norm: |_| Some("every_1_days".into()),
        },
        Rule {
            re: r(r"每半年|按半年|半年度|每六个月|每6个月"),
            norm: |_| Some("half_yearly".into()),
        },
        Rule {
            re: r(r"每个?季度?|按季度?|逐季度?|季度"),
            norm: |_| Some("quarterly".into()),
        },
        Rule {
            re: r(r"每个?月|按月|逐月|月度"),
            norm: |_| Some("monthly".into()),
        },
        Rule {
            re: r(r"每周|按周|逐周|每星期"),
            norm: |_| Some("weekly".into()),
        },
        Rule {
            re: r(r"每年|按年度?|逐年|每一年|年度报告"),
            norm: |_| Some("yearly".into()),
        },
        Rule {
            re: r(r"定期"),
            norm: |_| Some("periodic".into()),
        },
        Rule {
            re: r(r"及时|适时"),
            norm: |_| Some("timely".into()),
        },
    ]
});

/// Cadences mentioned in a duty's text, each norm once with the text of its first occurrence.
pub fn cadences(s: &str) -> Vec<Cadence> {
    let mut out: Vec<Cadence> = Vec::new();
    for (_, c) in located(s) {
        if !out.iter().any(|x| x.norm == c.norm) {
            out.push(c);
        }
    }
    out
}

/// Every cadence occurrence in `s` with its byte offset, in text order (a norm may repeat).
pub fn located(s: &str) -> Vec<(usize, Cadence)> {
    let mut taken: Vec<(usize, usize)> = Vec::new();
    let mut found: Vec<(usize, Cadence)> = Vec::new();
    for rule in RULES.iter() {
        for c in rule.re.captures_iter(s) {
            let Some(m) = c.get(0) else { continue };
            let (a, b) = (m.start(), m.end());
            if taken.iter().any(|&(x, y)| a < y && x < b) {
                continue;
            }
            let before = &s[..a];
            let text = m.as_str();
            // 第三季度 is a date; 6月30日内 is a date; 工作日内 has its own rule
            if text.contains('季')
                && (before.ends_with('第')
                    || before.ends_with(['一', '二', '三', '四', '1', '2', '3', '4']))
            {
                continue;
            }
            if text.starts_with(|ch: char| ch.is_ascii_digit()) && before.ends_with('月') {
                continue;
            }
            let Some(norm) = (rule.norm)(&c) else {
                continue;
            };
            taken.push((a, b));
            found.push((
                a,
                Cadence {
                    text: text.to_owned(),
                    norm,
                    units: Vec::new(),
                    due: None,
                    keywords: Vec::new(),
                    source: None,
                },
            ));
        }
    }
    found.sort_by_key(|(p, _)| *p);
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norms(s: &str) -> Vec<String> {
        cadences(s).into_iter().map(|c| c.norm).collect()
    }

    #[test]
    fn vocabulary() {
        assert_eq!(
            norms("每周发布价格,收购旺季时每五日发布进度,每年适时发布平衡表"),
            vec!["weekly", "every_5_days", "yearly", "timely"]
        );
        assert_eq!(
            norms("按月公开,按季度公布,每半年,定期召开,及时回应"),
            vec!["monthly", "quarterly", "half_yearly", "periodic", "timely"]
        );
        assert_eq!(
            norms("年内解读重要政策措施不少于1次"),
            vec!["at_least_1_per_year"]
        );
        assert_eq!(norms("年内不少于5次"), vec!["at_least_5_per_year"]);
        assert_eq!(norms("每季度不少于1次"), vec!["at_least_4_per_year"]);
        assert_eq!(
            norms("文件公开3个工作日内发布,最迟在5小时内发布,30日内对接"),
            vec!["within_3_working_days", "within_5_hours", "within_30_days"]
        );
        assert_eq!(norms("第三季度完成,6月30日内"), Vec::<String>::new());
    }
}
