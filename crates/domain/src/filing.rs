//! Filings (报送事项): submissions a plan asks of units on set dates besides feedback — the
//! implementation plan filed once (实施方案备案) and the monthly normative-document report
//! (规范性文件月报). They are answered and reviewed as feedback rounds are (`feedback`); this
//! module holds what is their own: the kinds, the due-date rules and the labels, pure.

use crate::Invalid;
use crate::calendar::Calendar;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// What a round asks for (`feedback_rounds.kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FilingKind {
    /// 反馈: progress on a duty, opened when the plan is confirmed.
    Feedback,
    /// 实施方案备案: the unit's own implementation plan, filed once.
    ImplementationPlan,
    /// 规范性文件月报: the unit's normative documents of a month.
    NormativeReport,
}

impl FilingKind {
    pub const ALL: &'static [FilingKind] = &[
        FilingKind::Feedback,
        FilingKind::ImplementationPlan,
        FilingKind::NormativeReport,
    ];

    /// The kinds a supervisor opens by hand (feedback comes with the plan).
    pub const OPENED: &'static [FilingKind] =
        &[FilingKind::ImplementationPlan, FilingKind::NormativeReport];

    pub fn code(self) -> &'static str {
        match self {
            FilingKind::Feedback => "feedback",
            FilingKind::ImplementationPlan => "implementation_plan",
            FilingKind::NormativeReport => "normative_report",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            FilingKind::Feedback => "反馈",
            FilingKind::ImplementationPlan => "实施方案备案",
            FilingKind::NormativeReport => "规范性文件月报",
        }
    }

    pub fn from_code(code: &str) -> Option<FilingKind> {
        Self::ALL.iter().copied().find(|k| k.code() == code)
    }

    /// Words of the duty text that ask for this filing, most specific first; the filing is tied
    /// to the first duty of the plan containing one of them.
    pub fn duty_keywords(self) -> &'static [&'static str] {
        match self {
            FilingKind::Feedback => &[],
            FilingKind::ImplementationPlan => &["实施方案"],
            FilingKind::NormativeReport => &["报送规范性文件", "规范性文件"],
        }
    }
}

/// The longest allowed "N-th working day" of a month.
pub const MAX_NTH_WORKING_DAY: u32 = 15;
/// The default: the 5th working day of the following month.
pub const DEFAULT_NTH_WORKING_DAY: u32 = 5;

/// When a filing is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum DueRule {
    /// Once, on this date (the implementation plan).
    Once { date: NaiveDate },
    /// Monthly: the N-th working day of the following month (stored calendar).
    NthWorkingDay { n: u32 },
    /// Monthly: this day of the following month (the last day in a shorter month); a day off
    /// rolls to the next working day, as calendar-day deadlines do (民法典 Art. 203).
    FixedDay { day: u32 },
}

impl DueRule {
    /// “2017-05-31”, “次月第5个工作日”, “次月10日(遇节假日顺延)”.
    pub fn label(&self) -> String {
        match self {
            DueRule::Once { date } => date.to_string(),
            DueRule::NthWorkingDay { n } => format!("次月第{n}个工作日"),
            DueRule::FixedDay { day } => format!("次月{day}日（遇节假日顺延）"),
        }
    }
}

/// One round to open: the period it covers (`2017-05`; `None` for a single filing), its label
/// and due date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FilingDue {
    pub period: Option<String>,
    pub label: String,
    pub due: NaiveDate,
}

/// “2017年政务公开实施方案备案”.
pub fn implementation_plan_label(year: i32) -> String {
    format!("{year}年政务公开实施方案备案")
}

/// “2017年5月规范性文件报送”.
pub fn normative_report_label(year: i32, month: u32) -> String {
    format!("{year}年{month}月规范性文件报送")
}

/// The N-th working day (1-based) of a month; `None` when `n` is 0 or the walk leaves chrono's range.
pub fn nth_working_day(cal: &Calendar, year: i32, month: u32, n: u32) -> Option<NaiveDate> {
    if n == 0 {
        return None;
    }
    let mut d = NaiveDate::from_ymd_opt(year, month, 1)?;
    let mut counted = 0;
    // A month has at most 31 days; `n` is bounded by the callers, the loop by the walk itself.
    for _ in 0..(31 * 3) {
        if cal.is_workday(d) {
            counted += 1;
            if counted == n {
                return Some(d);
            }
        }
        d = d.succ_opt()?;
    }
    None
}

/// Day `day` of a month (the month's last day when shorter), rolled to the next working day.
pub fn fixed_day(cal: &Calendar, year: i32, month: u32, day: u32) -> Option<NaiveDate> {
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    let last = first
        .checked_add_months(chrono::Months::new(1))?
        .pred_opt()?
        .day();
    let mut d = NaiveDate::from_ymd_opt(year, month, day.clamp(1, last))?;
    for _ in 0..60 {
        if cal.is_workday(d) {
            return Some(d);
        }
        d = d.succ_opt()?;
    }
    None
}

/// The month after (`year`, `month`).
fn next_month(year: i32, month: u32) -> (i32, u32) {
    if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    }
}

/// The default due date of the implementation plan: the date the plan's closing paragraph
/// sets (“…制定具体实施方案或工作安排,并于5月31日前报市政府办公室备案”), else 31 May.
pub fn default_implementation_plan_due(source_text: &str, year: i32) -> Option<NaiveDate> {
    closing_due(source_text, year).or_else(|| NaiveDate::from_ymd_opt(year, 5, 31))
}

/// The “M月D日前” of the first sentence naming both 实施方案 and 备案.
pub fn closing_due(text: &str, year: i32) -> Option<NaiveDate> {
    text.split(['。', '\n', ';', ';'])
        .filter(|s| s.contains("实施方案") && s.contains("备案"))
        .find_map(|s| month_day_before(s, year))
}

/// The first “M月D日前” (ASCII or full-width digits) in a sentence.
fn month_day_before(s: &str, year: i32) -> Option<NaiveDate> {
    let chars: Vec<char> = s
        .chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32(c as u32 - '0' as u32 + '0' as u32).unwrap_or(c),
            _ => c,
        })
        .collect();
    for i in 0..chars.len() {
        if i > 0 && chars[i - 1].is_ascii_digit() {
            continue;
        }
        let Some((month, j)) = number(&chars, i) else {
            continue;
        };
        if chars.get(j) != Some(&'月') {
            continue;
        }
        let Some((day, k)) = number(&chars, j + 1) else {
            continue;
        };
        if chars.get(k) == Some(&'日')
            && chars.get(k + 1) == Some(&'前')
            && let Some(d) = NaiveDate::from_ymd_opt(year, month, day)
        {
            return Some(d);
        }
    }
    None
}

/// The number of at most two digits written at `at`, and the index after it.
fn number(chars: &[char], at: usize) -> Option<(u32, usize)> {
    let mut end = at;
    while end < chars.len() && chars[end].is_ascii_digit() {
        end += 1;
    }
    if end == at || end - at > 2 {
        return None;
    }
    let v = chars[at..end].iter().collect::<String>().parse().ok()?;
    Some((v, end))
}

/// The plan a filing belongs to, as the rules see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanYear {
    pub year: i32,
    /// The issue date, when known: monthly reports start with its month.
    pub issued_on: Option<NaiveDate>,
}

impl PlanYear {
    /// The first month reported: the issue month when the plan was issued in its year, else January.
    pub fn first_month(&self) -> u32 {
        self.issued_on
            .filter(|d| d.year() == self.year)
            .map(|d| d.month())
            .unwrap_or(1)
    }
}

/// The rounds a filing of `kind` under `rule` opens for each unit, or the Chinese reasons it
/// cannot. Monthly reports cover every month from the plan's first month to December, each due
/// in the following month (December's in January of the next year).
pub fn schedule(
    cal: &Calendar,
    plan: PlanYear,
    kind: FilingKind,
    rule: DueRule,
) -> Result<Vec<FilingDue>, Invalid> {
    match (kind, rule) {
        (FilingKind::Feedback, _) => Err(Invalid::one(
            "kind",
            "反馈轮次在确认工作安排时按反馈时点生成，不能在此开启",
        )),
        (FilingKind::ImplementationPlan, DueRule::Once { date }) => {
            if date.year() != plan.year {
                return Err(Invalid::one(
                    "due_date",
                    format!("实施方案备案的截止日期须在{}年内（现为{date}）", plan.year),
                ));
            }
            Ok(vec![FilingDue {
                period: None,
                label: implementation_plan_label(plan.year),
                due: date,
            }])
        }
        (FilingKind::ImplementationPlan, _) => Err(Invalid::one(
            "rule",
            "实施方案只报送一次，请填写一个截止日期",
        )),
        (FilingKind::NormativeReport, DueRule::Once { .. }) => Err(Invalid::one(
            "rule",
            "规范性文件按月报送，请选择“次月第N个工作日”或“次月固定日期”",
        )),
        (FilingKind::NormativeReport, rule) => {
            match rule {
                DueRule::NthWorkingDay { n } if !(1..=MAX_NTH_WORKING_DAY).contains(&n) => {
                    return Err(Invalid::one(
                        "nth",
                        format!("工作日序号须为1至{MAX_NTH_WORKING_DAY}"),
                    ));
                }
                DueRule::FixedDay { day } if !(1..=31).contains(&day) => {
                    return Err(Invalid::one("day", "每月报送日须为1至31日"));
                }
                _ => {}
            }
            let mut out = Vec::new();
            for month in plan.first_month()..=12 {
                let (y, m) = next_month(plan.year, month);
                let due = match rule {
                    DueRule::NthWorkingDay { n } => nth_working_day(cal, y, m, n),
                    DueRule::FixedDay { day } => fixed_day(cal, y, m, day),
                    DueRule::Once { .. } => None,
                }
                .ok_or_else(|| Invalid::one("rule", format!("{y}年{m}月的报送日期无法计算")))?;
                out.push(FilingDue {
                    period: Some(format!("{}-{month:02}", plan.year)),
                    label: normative_report_label(plan.year, month),
                    due,
                });
            }
            Ok(out)
        }
    }
}

/// What the supervisor's form carries, as typed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FilingFields {
    pub kind: String,
    /// `nth` (次月第N个工作日) or `fixed` (次月固定日期), for monthly reports.
    pub rule: String,
    /// `YYYY-MM-DD`, for the implementation plan.
    pub due_date: String,
    pub nth: String,
    pub day: String,
    pub org_ids: Vec<String>,
}

/// A checked form: the kind, the rule and the chosen organisations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilingChoice {
    pub kind: FilingKind,
    pub rule: DueRule,
    pub org_ids: Vec<i64>,
}

impl FilingFields {
    /// Checks the form's shape (the plan year and the organisations' existence are checked
    /// when the filings are opened).
    pub fn validate(&self) -> Result<FilingChoice, Invalid> {
        let mut inv = Invalid::default();
        let kind = FilingKind::from_code(self.kind.trim()).filter(|k| Self::opened(*k));
        if kind.is_none() {
            inv.push(
                "kind",
                "请选择报送事项的类型（实施方案备案或规范性文件月报）",
            );
        }
        let small = |s: &str| s.trim().parse::<u32>().ok();
        let rule = match kind {
            Some(FilingKind::ImplementationPlan) => {
                match NaiveDate::parse_from_str(self.due_date.trim(), "%Y-%m-%d") {
                    Ok(date) => Some(DueRule::Once { date }),
                    Err(_) => {
                        inv.push("due_date", "请填写有效的截止日期（如 2017-05-31）");
                        None
                    }
                }
            }
            Some(_) => match self.rule.trim() {
                "nth" => match small(&self.nth) {
                    Some(n) => Some(DueRule::NthWorkingDay { n }),
                    None => {
                        inv.push(
                            "nth",
                            format!("工作日序号须为1至{MAX_NTH_WORKING_DAY}的整数"),
                        );
                        None
                    }
                },
                "fixed" => match small(&self.day) {
                    Some(day) => Some(DueRule::FixedDay { day }),
                    None => {
                        inv.push("day", "每月报送日须为1至31的整数");
                        None
                    }
                },
                _ => {
                    inv.push("rule", "请选择每月的报送期限规则");
                    None
                }
            },
            None => None,
        };
        let mut org_ids = Vec::new();
        for raw in &self.org_ids {
            match raw.trim().parse::<i64>() {
                Ok(id) if id > 0 => {
                    if !org_ids.contains(&id) {
                        org_ids.push(id);
                    }
                }
                _ => inv.push("org_ids", "所选单位无效，请刷新页面后重新选择"),
            }
        }
        if self.org_ids.is_empty() {
            inv.push("org_ids", "请至少选择一个报送单位");
        }
        inv.into_result()?;
        match (kind, rule) {
            (Some(kind), Some(rule)) => Ok(FilingChoice {
                kind,
                rule,
                org_ids,
            }),
            _ => Err(Invalid::one("kind", "请选择报送事项的类型")),
        }
    }

    fn opened(k: FilingKind) -> bool {
        FilingKind::OPENED.contains(&k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    const PLAN: PlanYear = PlanYear {
        year: 2017,
        issued_on: NaiveDate::from_ymd_opt(2017, 4, 24),
    };

    #[test]
    fn fifth_working_day_skips_national_day() {
        let cal = Calendar::shipped();
        // 1–8 October 2017 are off; the 5th working day is Friday the 13th.
        assert_eq!(nth_working_day(&cal, 2017, 10, 5), Some(d("2017-10-13")));
        // May 2017: 1 May is 劳动节, so the 5th working day is the 8th.
        assert_eq!(nth_working_day(&cal, 2017, 5, 5), Some(d("2017-05-08")));
        assert_eq!(nth_working_day(&cal, 2017, 5, 0), None);
    }

    #[test]
    fn fixed_day_clamps_and_rolls() {
        let cal = Calendar::shipped();
        assert_eq!(fixed_day(&cal, 2017, 2, 31), Some(d("2017-02-28")));
        // 1 October 2017 is a holiday: roll to the 9th.
        assert_eq!(fixed_day(&cal, 2017, 10, 1), Some(d("2017-10-09")));
    }

    #[test]
    fn monthly_schedule_from_issue_month() {
        let cal = Calendar::shipped();
        let s = schedule(
            &cal,
            PLAN,
            FilingKind::NormativeReport,
            DueRule::NthWorkingDay { n: 5 },
        )
        .unwrap();
        assert_eq!(s.len(), 9, "April to December");
        assert_eq!(s[0].label, "2017年4月规范性文件报送");
        assert_eq!(s[0].period.as_deref(), Some("2017-04"));
        let sept = s
            .iter()
            .find(|f| f.label == "2017年9月规范性文件报送")
            .unwrap();
        assert_eq!(sept.due, d("2017-10-13"));
        assert_eq!(s[8].due.year(), 2018, "December is reported in January");
    }

    #[test]
    fn implementation_plan_once_in_the_year() {
        let cal = Calendar::shipped();
        let s = schedule(
            &cal,
            PLAN,
            FilingKind::ImplementationPlan,
            DueRule::Once {
                date: d("2017-05-31"),
            },
        )
        .unwrap();
        assert_eq!(s[0].label, "2017年政务公开实施方案备案");
        let e = schedule(
            &cal,
            PLAN,
            FilingKind::ImplementationPlan,
            DueRule::Once {
                date: d("2018-01-05"),
            },
        )
        .unwrap_err();
        assert!(e.message_for("due_date").unwrap().contains("2017年内"));
        assert!(
            schedule(
                &cal,
                PLAN,
                FilingKind::Feedback,
                DueRule::NthWorkingDay { n: 5 }
            )
            .is_err()
        );
        assert!(
            schedule(
                &cal,
                PLAN,
                FilingKind::NormativeReport,
                DueRule::NthWorkingDay { n: 0 }
            )
            .is_err()
        );
        assert!(
            schedule(
                &cal,
                PLAN,
                FilingKind::NormativeReport,
                DueRule::FixedDay { day: 32 }
            )
            .is_err()
        );
    }

    #[test]
    fn closing_paragraph_sets_the_due_date() {
        let text = "一、…\n各地区各部门要结合实际，制定具体实施方案或工作安排，并于5月31日前报市政府办公室备案。加强督查评估。";
        assert_eq!(closing_due(text, 2017), Some(d("2017-05-31")));
        assert_eq!(
            closing_due("于6月15日前报送备案实施方案", 2017),
            Some(d("2017-06-15"))
        );
        assert_eq!(closing_due("制定实施方案。于6月15日前报送。", 2017), None);
        assert_eq!(
            default_implementation_plan_due("无相关内容", 2018),
            Some(d("2018-05-31"))
        );
    }

    #[test]
    fn form_validation() {
        let f = FilingFields {
            kind: "normative_report".into(),
            rule: "nth".into(),
            nth: "五".into(),
            ..Default::default()
        };
        let e = f.validate().unwrap_err();
        assert!(e.message_for("nth").is_some());
        assert_eq!(e.message_for("org_ids"), Some("请至少选择一个报送单位"));
        let f = FilingFields {
            kind: "feedback".into(),
            org_ids: vec!["3".into()],
            ..Default::default()
        };
        assert!(f.validate().unwrap_err().message_for("kind").is_some());
        let f = FilingFields {
            kind: "implementation_plan".into(),
            due_date: "2017-05-31".into(),
            org_ids: vec!["3".into(), "3".into(), "4".into()],
            ..Default::default()
        };
        let c = f.validate().unwrap();
        assert_eq!(c.org_ids, vec![3, 4]);
        assert_eq!(
            c.rule,
            DueRule::Once {
                date: d("2017-05-31")
            }
        );
    }

    #[test]
    fn codes_round_trip() {
        for k in FilingKind::ALL {
            assert_eq!(FilingKind::from_code(k.code()), Some(*k));
        }
    }
}
