//! Document metadata (title, issuer, date of issue, year) and page chrome.
//!
//! Page chrome is what a web page or a gov.cn information-disclosure page adds around the
//! document: breadcrumbs (当前位置: 首页 > …), the metadata block (索引号, 主题分类, 发文机关, 成文日期,
//! 标题, 发文字号, 发布日期, 主题词), 发布时间 / 浏览次数 lines, print and share links. Chrome lines are
//! removed before segmentation, so they never become tasks or deadlines; the metadata block is read
//! as a fallback for the title, issuer and date.

use std::sync::LazyLock;

use regex::Regex;

use super::text::parse_number;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Meta {
    pub title: Option<String>,
    pub issuer: Option<String>,
    pub issued_on: Option<String>,
    pub year: Option<i32>,
}

const META_LABELS: &[&str] = &[
    "索引号",
    "主题分类",
    "发文机关",
    "发布机构",
    "成文日期",
    "发文日期",
    "标题",
    "名称",
    "发文字号",
    "文号",
    "发布日期",
    "发布时间",
    "主题词",
    "关键词",
    "有效性",
    "生效日期",
    "废止日期",
    "浏览次数",
    "访问次数",
    "点击数",
    "点击次数",
    "阅读次数",
    "浏览量",
    "访问量",
    "点击率",
    "阅读量",
    "来源",
    "信息来源",
    "文章来源",
    "作者",
    "字号",
    "体裁分类",
    "组配分类",
    "服务对象",
    "公开方式",
    "公开范围",
    "公开时限",
    "信息分类",
    "所属机构",
    "内容概述",
];

const CHROME_PREFIXES: &[&str] = &[
    "当前位置",
    "您现在的位置",
    "您当前的位置",
    "您的位置",
    "当前的位置",
    "所在位置",
    "【字体",
    "字体:",
    "【打印",
    "打印本页",
    "【关闭",
    "关闭窗口",
    "分享到",
    "扫一扫",
    "上一篇",
    "下一篇",
    "相关链接",
    "相关文档",
    "附件下载",
    "版权所有",
    "网站标识码",
    "(此件公开发布)",
    "此件公开发布",
    "抄送",
];

fn squash(line: &str) -> String {
    line.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Whether a line is page chrome (see the module documentation).
pub fn is_chrome(line: &str) -> bool {
    let s = squash(line);
    if CHROME_PREFIXES.iter().any(|p| s.starts_with(p)) {
        return true;
    }
    if s.contains("首页>") || s.contains("首页»") || s.contains("首页/") || s.contains("首页〉")
    {
        return true;
    }
    if [
        "ICP备",
        "公网安备",
        "版权所有",
        "技术支持",
        "网站地图",
        "联系我们",
        "网站标识码",
    ]
    .iter()
    .any(|w| s.contains(w))
    {
        return true;
    }
    // 【打印】【关闭】, 字体 大 中 小, 返回顶部 …
    let rest = [
        "打印",
        "关闭",
        "收藏",
        "分享",
        "返回顶部",
        "返回",
        "字体",
        "字号",
        "【",
        "】",
        "[",
        "]",
        "大",
        "中",
        "小",
        ":",
        "|",
    ]
    .iter()
    .fold(s.clone(), |acc, w| acc.replace(w, ""));
    if rest.is_empty() && s.chars().count() >= 2 {
        return true;
    }
    let labelled = META_LABELS
        .iter()
        .any(|l| s.starts_with(&format!("{l}:")) || s.starts_with(&format!("【{l}】")));
    // "标题:" and "名称:" only count as chrome in the metadata block, i.e. with another label on
    // the line or the line being short.
    if labelled {
        let other = META_LABELS
            .iter()
            .filter(|l| s.contains(&format!("{l}:")))
            .count();
        return other >= 2 || s.chars().count() <= 60;
    }
    s == "附件" || ATTACHMENT.is_match(&s)
}

static ATTACHMENT: LazyLock<Regex> = LazyLock::new(|| {
    crate::re::compile(concat!(
        r"^附件\d*[::]?$|^附件\d*[::].{0,40}\.(docx?|pdf|xlsx?|wps)$",
        // page numbers of a converted PDF, the 印发 line at the foot of a 公文
        r"|^[-—–]\d{1,3}[-—–]$|^第\d{1,3}页(共\d{1,3}页)?$",
        r"|^.{0,40}\d{4}年\d{1,2}月\d{1,2}日印发$"
    ))
});

/// `label → value` pairs of a metadata line (`发文机关: 盘锦市政府 成文日期:`).
fn meta_fields(line: &str) -> Vec<(String, String)> {
    let s = squash(line);
    let mut hits: Vec<(usize, &str)> = Vec::new();
    for l in META_LABELS {
        let pat = format!("{l}:");
        let mut from = 0;
        while let Some(i) = s[from..].find(&pat) {
            let at = from + i;
            // prefer the longest label at a position (文号 inside 发文字号)
            if !hits.iter().any(|&(p, h)| p <= at && at < p + h.len() + 3) {
                hits.push((at, l));
            }
            from = at + pat.len();
        }
    }
    hits.sort();
    hits.dedup_by(|b, a| {
        // drop a shorter label found inside a longer one
        b.0 < a.0 + a.1.len() + 3
    });
    let mut out = Vec::new();
    for (k, &(at, l)) in hits.iter().enumerate() {
        let start = at + l.len() + ":".len();
        let end = hits.get(k + 1).map_or(s.len(), |h| h.0);
        if start <= end {
            out.push(((*l).to_owned(), s[start..end].to_owned()));
        }
    }
    out
}

static DATE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    crate::re::compile(
        r"^[((]?((?:20|19)\d{2}|[〇零一二三四五六七八九]{4})\s*年\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*月\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*日[))]?$",
    )
});
static ISO_DATE: LazyLock<Regex> =
    LazyLock::new(|| crate::re::compile(r"((?:20|19)\d{2})[-./年](\d{1,2})[-./月](\d{1,2})"));
static YEAR: LazyLock<Regex> = LazyLock::new(|| crate::re::compile(r"((?:20|19)\d{2})\s*年"));

fn year_digits(s: &str) -> Option<i32> {
    if s.chars().all(|c| c.is_ascii_digit()) {
        return s.parse().ok();
    }
    let digits: String = s
        .chars()
        .map(|c| match c {
            '〇' | '零' => '0',
            c => parse_number(&c.to_string())
                .and_then(|d| char::from_digit(d, 10))
                .unwrap_or('?'),
        })
        .collect();
    digits.parse().ok()
}

/// A line that is only a date (`2017年4月24日`, `二〇一七年四月二十四日`, `(2022年3月1日)`), as ISO.
pub fn date_line(line: &str) -> Option<String> {
    let s = squash(line);
    let c = DATE_LINE.captures(&s)?;
    let y = year_digits(&c[1])?;
    let m = parse_number(&c[2])?;
    let d = parse_number(&c[3])?;
    iso(y, m, d)
}

fn iso(y: i32, m: u32, d: u32) -> Option<String> {
    chrono::NaiveDate::from_ymd_opt(y, m, d).map(|x| x.format("%Y-%m-%d").to_string())
}

fn iso_in(s: &str) -> Option<String> {
    let c = ISO_DATE.captures(s)?;
    iso(c[1].parse().ok()?, c[2].parse().ok()?, c[3].parse().ok()?)
}

const TITLE_WORDS: &[&str] = &[
    "要点", "安排", "方案", "分工", "计划", "任务", "清单", "意见", "通知", "台账",
];

fn is_title_candidate(line: &str) -> bool {
    let n = line.chars().count();
    (4..=90).contains(&n)
        && !line.contains('。')
        && !line.contains('|')
        && !line.contains('\t')
        && TITLE_WORDS.iter().any(|w| line.contains(w))
        && !super::segment::is_heading_line(line)
        // a task table's header cell on a line of its own (`工作任务`)
        && !(n <= 12 && super::table::column_kind(line).is_some())
}

fn looks_like_issuer(line: &str) -> bool {
    let n = line.chars().count();
    (3..=40).contains(&n)
        && !line.contains(['。', ',', ';', ':'])
        && super::units::has_unit_suffix(line)
}

/// Splits metadata and chrome from the body lines.
pub fn extract(lines: &[String]) -> (Meta, Vec<String>) {
    let mut meta = Meta::default();
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut body: Vec<String> = Vec::new();
    for l in lines {
        // A line may hold several `|`-separated cells of a layout table.
        if !l.contains('|') && is_chrome(l) {
            fields.extend(meta_fields(l));
            continue;
        }
        body.push(l.clone());
    }
    let field = |names: &[&str]| -> Option<String> {
        fields
            .iter()
            .find(|(k, v)| names.contains(&k.as_str()) && !v.is_empty())
            .map(|(_, v)| v.clone())
    };

    // Signature at the end: issuer line, date line (in either order), maybe repeated blank chrome.
    let mut end = body.len();
    let mut sig_date = None;
    let mut sig_issuer = None;
    for _ in 0..3 {
        let Some(last) = end.checked_sub(1).map(|i| body[i].as_str()) else {
            break;
        };
        if sig_date.is_none()
            && let Some(d) = date_line(last)
        {
            sig_date = Some(d);
            end -= 1;
        } else if sig_issuer.is_none() && looks_like_issuer(last) && end + 3 >= body.len() {
            sig_issuer = Some(last.to_owned());
            end -= 1;
        } else {
            break;
        }
    }
    if sig_date.is_none() {
        sig_issuer = None;
        end = body.len();
    }
    body.truncate(end);

    // Title: the first title-like line before the first heading; date lines near it are the date
    // of issue.
    let first_heading = body
        .iter()
        .position(|l| super::segment::is_heading_line(l))
        .unwrap_or(body.len());
    let mut title_idx = None;
    let candidates: Vec<usize> = (0..first_heading.min(body.len()))
        .filter(|&i| is_title_candidate(&body[i]))
        .collect();
    if let Some(&i) = candidates
        .iter()
        .find(|&&i| !body[i].contains("通知") && !body[i].starts_with("关于"))
        .or(candidates.first())
    {
        title_idx = Some(i);
    }
    let mut remove = vec![false; body.len()];
    let mut head_date = None;
    if let Some(i) = title_idx {
        let mut t = body[i].clone();
        remove[i] = true;
        // a title broken over two lines
        if i + 1 < first_heading
            && !remove[i + 1]
            && body[i + 1].chars().count() <= 30
            && !body[i + 1].contains(['。', ',', ':'])
            && date_line(&body[i + 1]).is_none()
            && TITLE_WORDS.iter().any(|w| body[i + 1].ends_with(w))
            && !TITLE_WORDS.iter().any(|w| t.ends_with(w))
        {
            t.push_str(&body[i + 1]);
            remove[i + 1] = true;
        }
        meta.title = Some(t.trim_matches(['《', '》']).to_owned());
    }
    let mut head_issuer = None;
    for i in 0..first_heading.min(body.len()) {
        if let Some(d) = date_line(&body[i]) {
            if head_date.is_none() && i > 0 && !remove[i - 1] && looks_like_issuer(&body[i - 1]) {
                head_issuer = Some(body[i - 1].clone());
                remove[i - 1] = true;
            }
            head_date.get_or_insert(d);
            remove[i] = true;
        }
    }
    let body: Vec<String> = body
        .into_iter()
        .zip(remove)
        .filter(|(_, r)| !r)
        .map(|(l, _)| l)
        .collect();

    if meta.title.is_none() {
        meta.title = field(&["标题", "名称"]);
    }
    meta.issuer = sig_issuer
        .or(head_issuer)
        .or_else(|| field(&["发文机关", "发布机构"]))
        .or_else(|| {
            let t = meta.title.as_deref()?;
            let i = t.find("关于")?;
            let who = &t[..i];
            looks_like_issuer(who).then(|| who.to_owned())
        });
    meta.issued_on = sig_date
        .or(head_date)
        .or_else(|| field(&["成文日期", "发文日期"]).and_then(|v| iso_in(&v)))
        .or_else(|| field(&["发布日期", "发布时间"]).and_then(|v| iso_in(&v)));
    meta.year = meta
        .title
        .as_deref()
        .and_then(|t| YEAR.captures(t))
        .and_then(|c| c[1].parse().ok())
        .or_else(|| meta.issued_on.as_deref().and_then(|d| d[..4].parse().ok()))
        .or_else(|| {
            body.iter()
                .find_map(|l| YEAR.captures(l))
                .and_then(|c| c[1].parse().ok())
        });
    (meta, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(s: &str) -> Vec<String> {
        super::super::text::clean_lines(s)
    }

    #[test]
    fn gov_cn_header_block_is_chrome() {
        let (m, body) = extract(&lines(
            "当前位置: 首页 > 政务公开 > 制度\n索 引 号: 主题分类: 制度\n发文机关: 某某市政府 成文日期:\n标  题: 某某市2020年政务公开工作要点\n发文字号: 发布日期: 2020-03-05\n主 题 词:\n某某市2020年政务公开工作要点\n发布时间:2020-03-05 浏览次数:98\n一、任务\n",
        ));
        assert_eq!(body, vec!["一、任务"]);
        assert_eq!(m.title.as_deref(), Some("某某市2020年政务公开工作要点"));
        assert_eq!(m.issuer.as_deref(), Some("某某市政府"));
        assert_eq!(m.issued_on.as_deref(), Some("2020-03-05"));
        assert_eq!(m.year, Some(2020));
    }

    #[test]
    fn signature_gives_issuer_and_date() {
        let (m, body) = extract(&lines(
            "某县2021年政务公开工作要点\n一、任务\n正文。\n某县人民政府办公室\n二〇二一年四月二十四日\n",
        ));
        assert_eq!(body, vec!["一、任务", "正文。"]);
        assert_eq!(m.issuer.as_deref(), Some("某县人民政府办公室"));
        assert_eq!(m.issued_on.as_deref(), Some("2021-04-24"));
    }
}
