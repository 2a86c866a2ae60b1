//! The finding rules as pure functions: column limits, staleness, service-guide elements,
//! message replies, and what the content guard finds.

use chrono::{Months, NaiveDate};
use gongkai_domain::guard::{self, HitKind, Lists};

/// Days after which a column is stale, by its name. News — 动态 要闻 新闻 — 14; 通知公告 and
/// 政策文件 183; 人事 and 规划计划 365; any other column 365 (a yearly update is the least any
/// column of the national indicators asks).
pub fn column_limit(name: &str) -> i64 {
    if name.contains("人事") || name.contains("规划") || name.contains("计划") {
        365
    } else if ["动态", "要闻", "新闻"].iter().any(|k| name.contains(k)) {
        14
    } else if ["通知", "公告", "政策文件", "文件"]
        .iter()
        .any(|k| name.contains(k))
    {
        183
    } else {
        365
    }
}

/// Whether `latest` is more than `limit_days` before `as_of`.
pub fn stale(latest: NaiveDate, as_of: NaiveDate, limit_days: i64) -> bool {
    (as_of - latest).num_days() > limit_days
}

/// The elements a service guide — 办事指南 — must have.
pub const GUIDE_ELEMENTS: [&str; 8] = [
    "事项名称",
    "设定依据",
    "申请条件",
    "办理材料",
    "办理流程",
    "办理时限",
    "收费标准",
    "咨询电话",
];

/// When `text` (titled `title`) is a service guide, the elements it lacks (empty when complete);
/// `None` when it is not a guide. A guide is a page titled 办事指南 or 服务指南 (title, heading or
/// breadcrumb) or one that names at least five of the elements (an article naming a few is not).
pub fn guide_missing(title: &str, text: &str) -> Option<Vec<String>> {
    // Tables often space labels out to align them: 收 费 标 准.
    let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let present: Vec<bool> = GUIDE_ELEMENTS.iter().map(|e| text.contains(e)).collect();
    let count = present.iter().filter(|p| **p).count();
    let titled = ["办事指南", "服务指南"].iter().any(|k| title.contains(k));
    if count < 5 && !(titled && count >= 1) {
        return None;
    }
    Some(
        GUIDE_ELEMENTS
            .iter()
            .zip(present)
            .filter(|(_, p)| !p)
            .map(|(e, _)| e.to_string())
            .collect(),
    )
}

const ASKED_LABELS: [&str; 12] = [
    "留言时间",
    "提问时间",
    "来信时间",
    "咨询时间",
    "提交时间",
    "写信时间",
    "留言日期",
    "提问日期",
    "来信日期",
    "咨询日期",
    "写信日期",
    "提交日期",
];
const NO_REPLY: [&str; 8] = [
    "暂无回复",
    "未回复",
    "待回复",
    "尚未回复",
    "暂未回复",
    "未答复",
    "待答复",
    "暂无答复",
];

/// When `text` is a message — 留言 — page: the date asked and whether it has a reply.
pub fn message(text: &str) -> Option<(NaiveDate, bool)> {
    let asked = ASKED_LABELS
        .iter()
        .find_map(|l| crate::dates::after_label(text, l))?;
    let no_reply = NO_REPLY.iter().any(|k| text.contains(k));
    let dated_reply = ["回复时间", "答复时间", "回复日期", "答复日期"]
        .iter()
        .any(|l| crate::dates::after_label(text, l).is_some());
    let content_reply = ["回复内容", "答复内容", "回复意见", "答复意见"]
        .iter()
        .any(|l| {
            text.find(l).is_some_and(|at| {
                let line = text[at + l.len()..].lines().next().unwrap_or("");
                line.trim_matches(|c: char| c.is_whitespace() || c == ':' || c == '\u{FF1A}')
                    .chars()
                    .next()
                    .is_some()
            })
        });
    let replied = !no_reply && (dated_reply || content_reply);
    Some((asked, replied))
}

/// Whether a message asked on `asked` and unanswered is overdue on `as_of` (more than three
/// months).
pub fn message_overdue(asked: NaiveDate, as_of: NaiveDate) -> bool {
    as_of
        .checked_sub_months(Months::new(3))
        .is_some_and(|limit| asked < limit)
}

/// Whether a list row's text says the message has no reply.
pub fn row_unanswered(text: &str) -> bool {
    NO_REPLY.iter().any(|k| text.contains(k))
}

/// Personal information kinds (`id_number`, `mobile`, `bank_card`) and known errors (wrong,
/// right) the content guard finds in `text`, each once.
pub fn guard_findings(text: &str, lists: &Lists) -> (Vec<&'static str>, Vec<(String, String)>) {
    let mut info = Vec::new();
    let mut errors: Vec<(String, String)> = Vec::new();
    for h in guard::scan(text, lists) {
        let kind = match h.kind {
            HitKind::ResidentId => "id_number",
            HitKind::Mobile => "mobile",
            HitKind::BankCard => "bank_card",
            HitKind::KnownError => {
                let pair = (h.matched.clone(), h.correction.clone().unwrap_or_default());
                if !errors.contains(&pair) {
                    errors.push(pair);
                }
                continue;
            }
            _ => continue,
        };
        if !info.contains(&kind) {
            info.push(kind);
        }
    }
    (info, errors)
}

/// The known-error list from a file of `wrong<TAB>right` lines (blank lines and `#` comments
/// skipped).
pub fn known_errors_file(text: &str) -> Result<Lists, String> {
    let mut known_errors = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        match line.split_once('\t') {
            Some((w, r)) if !w.trim().is_empty() && !r.trim().is_empty() => {
                known_errors.push((w.trim().to_string(), r.trim().to_string()))
            }
            _ => return Err(format!("line {}: expected wrong<TAB>right", n + 1)),
        }
    }
    Ok(Lists {
        sensitive_words: Vec::new(),
        known_errors,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn limits_and_staleness() {
        assert_eq!(column_limit("工作动态"), 14);
        assert_eq!(column_limit("通知公告"), 183);
        assert_eq!(column_limit("政策文件"), 183);
        assert_eq!(column_limit("人事信息"), 365);
        assert_eq!(column_limit("规划计划"), 365);
        assert_eq!(column_limit("财政预决算"), 365);
        assert!(stale(d("2026-11-15"), d("2026-11-30"), 14));
        assert!(!stale(d("2026-11-16"), d("2026-11-30"), 14));
    }

    #[test]
    fn guides() {
        let all = GUIDE_ELEMENTS.join("\u{FF1A}x ");
        assert_eq!(guide_missing("办事指南", &all), Some(vec![]));
        let some = "事项名称\u{FF1A}a 设定依据\u{FF1A}b 申请条件\u{FF1A}c 咨询电话 0427-1234567";
        assert_eq!(guide_missing("x", some), None);
        assert_eq!(
            guide_missing("户籍办事指南", some).unwrap(),
            vec!["办理材料", "办理流程", "办理时限", "收费标准"]
        );
        assert_eq!(guide_missing("新闻", "本局优化事项名称"), None);
        let spaced = all.replace("收费标准", "收 费 标 准");
        assert_eq!(guide_missing("办事指南", &spaced), Some(vec![]));
    }

    #[test]
    fn messages() {
        let (asked, replied) = message("留言时间\u{FF1A}2026-06-01 内容 回复内容\u{FF1A}").unwrap();
        assert_eq!((asked, replied), (d("2026-06-01"), false));
        let (_, replied) = message(
            "留言时间\u{FF1A}2026-06-01 回复内容\u{FF1A}已转交办理 回复时间\u{FF1A}2026-06-05",
        )
        .unwrap();
        assert!(replied);
        assert!(
            !message("留言时间\u{FF1A}2026-06-01 状态\u{FF1A}未回复")
                .unwrap()
                .1
        );
        assert!(message_overdue(d("2026-08-29"), d("2026-11-30")));
        assert!(!message_overdue(d("2026-08-30"), d("2026-11-30")));
    }

    #[test]
    fn guard_decoys_and_faults() {
        let lists = Lists::default();
        // A 文号 or a landline, credit code, an ID number with a wrong check digit: nothing.
        let decoys = "盘政发\u{3014}2026\u{3015}12号 电话 0427-2823456 统一社会信用代码 11211100MB1234567X 身份证 211102199001011235";
        assert_eq!(guard_findings(decoys, &lists), (vec![], vec![]));
        let faults =
            "身份证 211102199001011234 手机 13812345678 卡号 6222020200112233445 国务院办公室";
        let (info, errs) = guard_findings(faults, &lists);
        assert!(info.contains(&"mobile"), "{info:?}");
        assert_eq!(
            errs,
            vec![("国务院办公室".to_string(), "国务院办公厅".to_string())]
        );
        assert_eq!(
            known_errors_file("甲\t乙\n").unwrap().known_errors,
            vec![("甲".into(), "乙".into())]
        );
    }
}
