//! The status of one period of an obligation, computed from the publication dates of the evidence
//! found for it. The vocabulary issue 4's compliance engine builds on; the bookkeeping here is
//! deliberately minimal.

use super::schedule::Period;
use super::workdays::{WorkingDays, working_days_between};
use chrono::NaiveDate;
use serde::Serialize;

/// A period is "due soon" when its due date is at most this many working days away.
pub const DUE_SOON_WORKING_DAYS: u32 = 3;

/// Status of one period of an obligation (履行状态).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// 按时完成: the required evidence was published within the window.
    Met,
    /// 逾期完成: published, but after the due date.
    MetLate,
    /// 未完成: past the due date with nothing (or not enough) published.
    Missed,
    /// 即将到期: not yet published, due within [`DUE_SOON_WORKING_DAYS`] working days.
    DueSoon,
    /// 未到期: not yet published, the due date is further away.
    NotYetDue,
    /// 不适用: set by a person (no such information arose in the period, …); never computed.
    NotApplicable,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::Met,
        Status::MetLate,
        Status::Missed,
        Status::DueSoon,
        Status::NotYetDue,
        Status::NotApplicable,
    ];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Status::Met => "met",
            Status::MetLate => "met_late",
            Status::Missed => "missed",
            Status::DueSoon => "due_soon",
            Status::NotYetDue => "not_yet_due",
            Status::NotApplicable => "not_applicable",
        }
    }

    pub fn from_code(code: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Whether the period is still owed, so its reminders are sent: not yet published (due soon
    /// or later) or missed. The stored code of an unknown status is not owed.
    pub fn still_owed(code: &str) -> bool {
        matches!(
            Status::from_code(code),
            Some(Status::DueSoon | Status::NotYetDue | Status::Missed)
        )
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Met => "按时完成",
            Status::MetLate => "逾期完成",
            Status::Missed => "未完成",
            Status::DueSoon => "即将到期",
            Status::NotYetDue => "未到期",
            Status::NotApplicable => "不适用",
        }
    }
}

/// One published item (or recorded event) found for a period: when and under what title.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Evidence<'a> {
    pub published_on: NaiveDate,
    pub title: &'a str,
}

/// A period's status with its explanation in Chinese.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assessment {
    pub status: Status,
    /// 2017年5月:2017-06-12发布《…》,逾期8个工作日(截止日期2017-06-01)
    pub explanation: String,
    /// Evidence counted: published from the window's opening up to today.
    pub counted: u32,
    /// For `met_late` and `missed`: working days after the due date (to the deciding publication,
    /// or to today).
    pub late_working_days: Option<u32>,
}

impl Assessment {
    /// A period a person has marked as not applicable, with their reason.
    pub fn not_applicable(period: &Period, reason: &str) -> Assessment {
        let explanation = if reason.is_empty() {
            format!("{}：不适用", period.label)
        } else {
            format!("{}：不适用（{reason}）", period.label)
        };
        Assessment {
            status: Status::NotApplicable,
            explanation,
            counted: 0,
            late_working_days: None,
        }
    }
}

/// The status of `period` on `today`, given the evidence found for it.
///
/// Evidence published before the window opens or after `today` is not counted. The period is met
/// when its `required`-th publication (in date order) is on or before the due date, met late when
/// it came after; otherwise it is missed once the due date has passed, due soon within
/// [`DUE_SOON_WORKING_DAYS`] working days of it, and not yet due before that.
pub fn assess<W: WorkingDays + ?Sized>(
    period: &Period,
    evidence: &[Evidence<'_>],
    today: NaiveDate,
    cal: &W,
) -> Assessment {
    let due = period.window.due;
    let required = period.required.max(1);
    let mut found: Vec<&Evidence<'_>> = evidence
        .iter()
        .filter(|e| e.published_on >= period.window.opens && e.published_on <= today)
        .collect();
    found.sort_by_key(|e| e.published_on);
    let counted = u32::try_from(found.len()).unwrap_or(u32::MAX);
    let label = &period.label;
    let due_text = format!("截止日期{}", iso(due));

    if let Some(decisive) = found.get(required as usize - 1) {
        let what = if required == 1 {
            format!(
                "{}发布{}",
                iso(decisive.published_on),
                titled(decisive.title)
            )
        } else {
            format!(
                "已发布{counted}次（要求不少于{required}次），第{required}次于{}发布{}",
                iso(decisive.published_on),
                titled(decisive.title)
            )
        };
        return if decisive.published_on <= due {
            Assessment {
                status: Status::Met,
                explanation: format!("{label}：{what}，按时完成（{due_text}）"),
                counted,
                late_working_days: None,
            }
        } else {
            let late = working_days_between(cal, due, decisive.published_on);
            Assessment {
                status: Status::MetLate,
                explanation: format!(
                    "{label}：{what}，逾期{}（{due_text}）",
                    lateness(late, due, decisive.published_on)
                ),
                counted,
                late_working_days: Some(late),
            }
        };
    }

    let published = match (required, counted) {
        (_, 0) => "未发布".to_string(),
        (r, c) => format!("仅发布{c}次（要求不少于{r}次）"),
    };
    if today > due {
        let late = working_days_between(cal, due, today);
        return Assessment {
            status: Status::Missed,
            explanation: format!(
                "{label}：截至{}{published}，已逾期{}（{due_text}）",
                iso(today),
                lateness(late, due, today)
            ),
            counted,
            late_working_days: Some(late),
        };
    }
    let pending = if counted == 0 {
        "尚未发布".to_string()
    } else {
        published
    };
    if today < period.window.opens {
        return Assessment {
            status: Status::NotYetDue,
            explanation: format!("{label}：公开期{}起，{due_text}", iso(period.window.opens)),
            counted,
            late_working_days: None,
        };
    }
    let remaining = working_days_between(cal, today, due);
    if remaining <= DUE_SOON_WORKING_DAYS {
        let when = if today == due {
            "今日到期".to_string()
        } else if remaining == 0 {
            // Only days off lie between today and the due date.
            format!("{}到期", iso(due))
        } else {
            format!("距截止日期{}还有{remaining}个工作日", iso(due))
        };
        return Assessment {
            status: Status::DueSoon,
            explanation: format!("{label}：{pending}，{when}"),
            counted,
            late_working_days: None,
        };
    }
    Assessment {
        status: Status::NotYetDue,
        explanation: format!("{label}：{pending}，{due_text}"),
        counted,
        late_working_days: None,
    }
}

fn iso(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn titled(title: &str) -> String {
    let t = title.trim();
    if t.is_empty() {
        "信息".to_string()
    } else {
        format!("《{t}》")
    }
}

/// "8个工作日", or in calendar days when only days off passed ("1天").
fn lateness(working_days: u32, due: NaiveDate, when: NaiveDate) -> String {
    if working_days > 0 {
        format!("{working_days}个工作日")
    } else {
        format!("{}天", (when - due).num_days())
    }
}
