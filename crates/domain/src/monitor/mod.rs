//! Site monitoring （网站监测， issue 16 items 2 and 3）： the registry's vocabulary, reachability
//! and availability （可用率）， a finding's stable key, the 19号 scoring (`scoring.rs`), the
//! rectification ticket （整改单， `ticket.rs`） and the quarter of the spot-check report
//! （季度抽查， `quarter.rs`）. Pure: the caller passes probes, findings and dates in.

pub mod quarter;
pub mod scoring;
pub mod ticket;

use crate::validate::Invalid;
use serde::{Deserialize, Serialize};

/// Whose site it is: the portal this system serves, or an organisation's site elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SiteKind {
    /// The portal of this system: columns, dates and messages are read from the database.
    Own,
    /// A site on another system, read by crawling.
    External,
}

impl SiteKind {
    pub const ALL: [SiteKind; 2] = [SiteKind::Own, SiteKind::External];

    pub fn code(self) -> &'static str {
        match self {
            SiteKind::Own => "own",
            SiteKind::External => "external",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SiteKind::Own => "本平台门户",
            SiteKind::External => "外部网站",
        }
    }

    pub fn from_code(code: &str) -> Option<SiteKind> {
        SiteKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// A finding's kind: the inspector's codes (`gongkai_inspect::Finding::kind`) with their label and
/// the 19号 indicator each counts against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    DeadLink,
    StaleHomepage,
    StaleColumn,
    EmptyColumn,
    PersonalInfo,
    KnownError,
    UnansweredMessage,
    IncompleteGuide,
}

impl FindingKind {
    pub const ALL: [FindingKind; 8] = [
        FindingKind::DeadLink,
        FindingKind::StaleHomepage,
        FindingKind::StaleColumn,
        FindingKind::EmptyColumn,
        FindingKind::PersonalInfo,
        FindingKind::KnownError,
        FindingKind::UnansweredMessage,
        FindingKind::IncompleteGuide,
    ];

    pub fn code(self) -> &'static str {
        match self {
            FindingKind::DeadLink => "dead_link",
            FindingKind::StaleHomepage => "stale_homepage",
            FindingKind::StaleColumn => "stale_column",
            FindingKind::EmptyColumn => "empty_column",
            FindingKind::PersonalInfo => "personal_info",
            FindingKind::KnownError => "known_error",
            FindingKind::UnansweredMessage => "unanswered_message",
            FindingKind::IncompleteGuide => "incomplete_guide",
        }
    }

    pub fn from_code(code: &str) -> Option<FindingKind> {
        FindingKind::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            FindingKind::DeadLink => "错链断链",
            FindingKind::StaleHomepage => "首页长期未更新",
            FindingKind::StaleColumn => "栏目不更新",
            FindingKind::EmptyColumn => "空白栏目",
            FindingKind::PersonalInfo => "泄露个人信息",
            FindingKind::KnownError => "表述错误",
            FindingKind::UnansweredMessage => "留言超过3个月未回复",
            FindingKind::IncompleteGuide => "办事指南要素缺失",
        }
    }

    /// The 19号 indicator （国办秘函〔2019〕19号《政府网站与政务新媒体检查指标》） the kind counts
    /// against: a 单项否决 item (by its number) or a deduction group.
    pub fn indicator(self) -> &'static str {
        match self {
            FindingKind::StaleHomepage => "单项否决3\u{FF1A}首页栏目长期未更新",
            FindingKind::StaleColumn => {
                "单项否决4\u{FF1A}栏目不更新\u{FF08}未达否决数量时扣分\u{FF1A}发布解读\u{FF09}"
            }
            FindingKind::EmptyColumn => {
                "单项否决4\u{FF1A}空白栏目\u{FF08}未达否决数量时扣分\u{FF1A}发布解读\u{FF09}"
            }
            FindingKind::UnansweredMessage => "单项否决5\u{FF1A}互动回应差",
            FindingKind::DeadLink => "扣分\u{FF1A}功能设计\u{00B7}网站可用性",
            FindingKind::PersonalInfo => "扣分\u{FF1A}发布解读\u{00B7}信息安全",
            FindingKind::KnownError => "扣分\u{FF1A}发布解读\u{00B7}内容准确",
            FindingKind::IncompleteGuide => "扣分\u{FF1A}办事服务\u{00B7}办事指南",
        }
    }
}

/// The stable identity of a finding across runs: its kind, page and what on the page it is about
/// (the column, the kind of personal information, the wrong text, the day the message was
/// asked). Values that change while the fault stays — a column's latest date, the missing
/// elements of a guide — are not part of it, so history and tickets follow one fault. A dead
/// link is one fault wherever it is linked from (a footer link is on every page): its key is
/// the target alone, so it opens one ticket, not one per page.
pub fn finding_key(kind: FindingKind, page: &str, subject: &str) -> String {
    if kind == FindingKind::DeadLink {
        format!("{}|{subject}", kind.code())
    } else if subject.is_empty() {
        format!("{}|{page}", kind.code())
    } else {
        format!("{}|{page}|{subject}", kind.code())
    }
}

/// The 15 s rule: a site not answering within this is unreachable for that visit.
pub const PROBE_TIMEOUT_MS: u64 = 15_000;
/// Availability is judged over the last 7 days.
pub const AVAILABILITY_DAYS: i64 = 7;

/// Reachability over a window: visits and failed visits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Availability {
    pub probes: u32,
    pub failures: u32,
}

impl Availability {
    /// Counts probe outcomes (`true`: answered in time with a status below 400).
    pub fn of(outcomes: impl IntoIterator<Item = bool>) -> Availability {
        let mut a = Availability::default();
        for ok in outcomes {
            a.probes += 1;
            if !ok {
                a.failures += 1;
            }
        }
        a
    }

    /// 可用率 in per mille （0–1000）； `None` without probes.
    pub fn per_mille(&self) -> Option<u32> {
        (self.probes > 0).then(|| (self.probes - self.failures) * 1000 / self.probes)
    }

    /// `99.5%`, or `无探测` without probes.
    pub fn label(&self) -> String {
        match self.per_mille() {
            Some(p) => format!("{}.{}%", p / 10, p % 10),
            None => "无探测".into(),
        }
    }

    /// Whether failures reach `veto_percent` of the visits (19号： 5%). No probes is no veto.
    pub fn vetoed(&self, veto_percent: u32) -> bool {
        self.probes > 0
            && u64::from(self.failures) * 100 >= u64::from(veto_percent) * u64::from(self.probes)
    }
}

/// A site as entered in the registry, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteInput {
    pub name: String,
    pub url: String,
    pub org_id: i64,
    pub kind: SiteKind,
    /// The bonus points the inspector awarded by hand （加分项）.
    pub bonus: u32,
}

/// Checks a site's fields: a name, an http(s) URL with a host, a kind; bonus within `bonus_max`.
pub fn validate_site(
    name: &str,
    url: &str,
    org_id: Option<i64>,
    kind: &str,
    bonus: &str,
    bonus_max: u32,
) -> Result<SiteInput, Invalid> {
    let mut errors = Invalid::default();
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        errors.push("name", "请填写网站名称\u{FF08}不超过100字\u{FF09}");
    }
    let url = url.trim();
    let host_ok = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
        .is_some_and(|rest| {
            let host = rest.split(['/', '?', '#']).next().unwrap_or("");
            !host.is_empty() && !host.contains(char::is_whitespace)
        });
    if !host_ok || url.len() > 500 {
        errors.push("url", "网址须以 http:// 或 https:// 开头并包含主机名");
    }
    if org_id.is_none() {
        errors.push("org_id", "请选择网站所属单位");
    }
    let kind_parsed = SiteKind::from_code(kind.trim());
    if kind_parsed.is_none() {
        errors.push("kind", "请选择网站类型");
    }
    let bonus_parsed = match bonus.trim() {
        "" => Some(0),
        b => b.parse::<u32>().ok().filter(|b| *b <= bonus_max),
    };
    if bonus_parsed.is_none() {
        errors.push("bonus", format!("加分须为0到{bonus_max}之间的整数"));
    }
    match (org_id, kind_parsed, bonus_parsed) {
        (Some(org_id), Some(kind), Some(bonus)) if errors.is_empty() => Ok(SiteInput {
            name: name.to_string(),
            url: url.to_string(),
            org_id,
            kind,
            bonus,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn availability_vetoes_at_five_percent_of_visits() {
        let a = Availability::of((0..20).map(|i| i != 0));
        assert_eq!((a.probes, a.failures), (20, 1));
        assert!(a.vetoed(5), "1 of 20 is 5%");
        assert_eq!(a.label(), "95.0%");
        let b = Availability::of((0..21).map(|i| i != 0));
        assert!(!b.vetoed(5), "1 of 21 is under 5%");
        assert!(!Availability::default().vetoed(5));
        assert_eq!(Availability::default().label(), "无探测");
    }

    #[test]
    fn a_key_ignores_what_changes_while_the_fault_stays() {
        assert_eq!(
            finding_key(FindingKind::StaleColumn, "http://a/notice/", "通知公告"),
            "stale_column|http://a/notice/|通知公告"
        );
        assert_eq!(
            finding_key(FindingKind::IncompleteGuide, "http://a/g/1", ""),
            "incomplete_guide|http://a/g/1"
        );
        let footer = "http://other.example/gone";
        assert_eq!(
            finding_key(FindingKind::DeadLink, "http://a/1.html", footer),
            finding_key(FindingKind::DeadLink, "http://a/2.html", footer),
            "a dead link is one fault on every page that holds it"
        );
        for k in FindingKind::ALL {
            assert_eq!(FindingKind::from_code(k.code()), Some(k));
            assert!(!k.indicator().is_empty());
        }
    }

    #[test]
    fn a_site_needs_a_name_an_http_url_an_organisation_and_a_kind() {
        let ok = validate_site(
            " 市财政局 ",
            "https://czj.example.gov.cn/",
            Some(3),
            "external",
            "",
            30,
        )
        .unwrap();
        assert_eq!(
            (ok.name.as_str(), ok.bonus, ok.kind),
            ("市财政局", 0, SiteKind::External)
        );
        let bad = validate_site("", "ftp://x", None, "x", "31", 30).unwrap_err();
        let fields: Vec<_> = bad.errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["name", "url", "org_id", "kind", "bonus"]);
        assert!(validate_site("a", "http:///x", Some(1), "own", "0", 30).is_err());
    }
}
