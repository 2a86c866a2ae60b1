//! Feedback rounds (落实情况反馈): the rules of one round's life, pure.
//!
//! A round is opened when a plan is confirmed (one per feedback date per reporting organisation
//! of a duty). The unit **submits** while the round is open or after it was returned; the
//! supervising office **accepts** or **returns** a submitted round, and a return needs a comment.
//! Accepted is final. Lateness is counted in working days after the round's due date, on the
//! civil date of submission: a submission on the due date or on a day off right after it is on
//! time (0).

use crate::Invalid;
use crate::calendar::Calendar;
use crate::validate::char_len;
use chrono::NaiveDate;
use serde::Serialize;

/// The longest feedback text, in characters.
pub const MAX_TEXT_CHARS: usize = 5000;
/// The longest review comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 2000;
/// At most this many links (published items and addresses together) per submission.
pub const MAX_LINKS: usize = 50;
/// The longest link address, in characters.
pub const MAX_URL_CHARS: usize = 500;

/// Where a round stands (`feedback_rounds.status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundStatus {
    Open,
    Submitted,
    Accepted,
    Returned,
}

impl RoundStatus {
    pub const ALL: &'static [RoundStatus] = &[
        RoundStatus::Open,
        RoundStatus::Submitted,
        RoundStatus::Accepted,
        RoundStatus::Returned,
    ];

    pub fn code(self) -> &'static str {
        match self {
            RoundStatus::Open => "open",
            RoundStatus::Submitted => "submitted",
            RoundStatus::Accepted => "accepted",
            RoundStatus::Returned => "returned",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RoundStatus::Open => "待提交",
            RoundStatus::Submitted => "已提交",
            RoundStatus::Accepted => "已采纳",
            RoundStatus::Returned => "已退回",
        }
    }

    pub fn from_code(code: &str) -> Option<RoundStatus> {
        Self::ALL.iter().copied().find(|s| s.code() == code)
    }

    /// The unit may submit (first time, or again after a return).
    pub fn can_submit(self) -> bool {
        matches!(self, RoundStatus::Open | RoundStatus::Returned)
    }

    /// The supervising office may accept or return.
    pub fn can_review(self) -> bool {
        self == RoundStatus::Submitted
    }
}

/// A submission's own state (`feedback_submissions.status`): set once by its review, never again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SubmissionStatus {
    Submitted,
    Accepted,
    Returned,
}

impl SubmissionStatus {
    pub fn code(self) -> &'static str {
        match self {
            SubmissionStatus::Submitted => "submitted",
            SubmissionStatus::Accepted => "accepted",
            SubmissionStatus::Returned => "returned",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SubmissionStatus::Submitted => "待审核",
            SubmissionStatus::Accepted => "已采纳",
            SubmissionStatus::Returned => "已退回",
        }
    }

    pub fn from_code(code: &str) -> Option<SubmissionStatus> {
        [
            SubmissionStatus::Submitted,
            SubmissionStatus::Accepted,
            SubmissionStatus::Returned,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }
}

/// The supervising office's decision on a submitted round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Accept,
    Return,
}

impl Decision {
    pub fn from_code(code: &str) -> Option<Decision> {
        match code {
            "accept" => Some(Decision::Accept),
            "return" => Some(Decision::Return),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Decision::Accept => "accept",
            Decision::Return => "return",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Decision::Accept => "采纳",
            Decision::Return => "退回",
        }
    }

    /// The state both the round and the reviewed submission take.
    pub fn outcome(self) -> (RoundStatus, SubmissionStatus) {
        match self {
            Decision::Accept => (RoundStatus::Accepted, SubmissionStatus::Accepted),
            Decision::Return => (RoundStatus::Returned, SubmissionStatus::Returned),
        }
    }
}

/// Checks that a unit may submit on a round in `status`; the Chinese reason otherwise.
pub fn check_submit(status: RoundStatus) -> Result<(), Invalid> {
    match status {
        RoundStatus::Open | RoundStatus::Returned => Ok(()),
        RoundStatus::Submitted => Err(Invalid::one(
            "status",
            "本轮反馈已提交，正在等待政务公开办审核，审核前不能再次提交",
        )),
        RoundStatus::Accepted => Err(Invalid::one("status", "本轮反馈已被采纳，不能再次提交")),
    }
}

/// A checked review: the decision and the trimmed comment (empty when accepting without one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub decision: Decision,
    pub comment: String,
}

/// Validates a review of a round in `status`: it must be submitted, the decision known, and a
/// return must say why.
pub fn check_review(status: RoundStatus, decision: &str, comment: &str) -> Result<Review, Invalid> {
    let mut inv = Invalid::default();
    if !status.can_review() {
        inv.push(
            "status",
            match status {
                RoundStatus::Accepted => "本轮反馈已被采纳，不能再次审核",
                RoundStatus::Returned => "本轮反馈已退回，须等单位重新提交后再审核",
                _ => "单位尚未提交反馈，暂不能审核",
            },
        );
    }
    let decision = Decision::from_code(decision.trim());
    if decision.is_none() {
        inv.push("decision", "请选择“采纳”或“退回”");
    }
    let comment = comment.trim().to_string();
    if decision == Some(Decision::Return) && comment.is_empty() {
        inv.push("comment", "退回时请填写退回意见，说明需要补充或修改的内容");
    }
    if char_len(&comment) > MAX_COMMENT_CHARS {
        inv.push(
            "comment",
            format!(
                "审核意见不能超过{MAX_COMMENT_CHARS}字（现有{}字）",
                char_len(&comment)
            ),
        );
    }
    inv.into_result()?;
    Ok(Review {
        decision: decision.unwrap_or(Decision::Accept),
        comment,
    })
}

/// What a unit's submit form carries, as typed.
#[derive(Debug, Clone, Default)]
pub struct SubmissionFields {
    pub text: String,
    /// Ids of the unit's published items, as sent.
    pub item_ids: Vec<String>,
    /// Other addresses, one per line.
    pub urls: String,
}

/// A checked submission: trimmed text, distinct item ids, distinct http(s) addresses.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SubmissionInput {
    pub text: String,
    pub item_ids: Vec<i64>,
    pub urls: Vec<String>,
}

impl SubmissionFields {
    pub fn validate(&self) -> Result<SubmissionInput, Invalid> {
        let mut inv = Invalid::default();
        let text = self.text.trim().to_string();
        if text.is_empty() {
            inv.push("text", "请填写反馈内容");
        } else if char_len(&text) > MAX_TEXT_CHARS {
            inv.push(
                "text",
                format!(
                    "反馈内容不能超过{MAX_TEXT_CHARS}字（现有{}字）",
                    char_len(&text)
                ),
            );
        }
        let mut item_ids = Vec::new();
        for raw in &self.item_ids {
            match raw.trim().parse::<i64>() {
                Ok(id) if id > 0 => {
                    if !item_ids.contains(&id) {
                        item_ids.push(id);
                    }
                }
                _ => inv.push("item_ids", "所选信息无效，请刷新页面后重新选择"),
            }
        }
        let mut urls = Vec::new();
        for line in self.urls.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let lower = line.to_ascii_lowercase();
            if !(lower.starts_with("http://") || lower.starts_with("https://"))
                || line.chars().any(char::is_whitespace)
                || line.len() <= "https://".len()
            {
                inv.push(
                    "urls",
                    format!(
                        "链接“{}”不是有效的网址（应以 http:// 或 https:// 开头）",
                        truncate(line, 60)
                    ),
                );
            } else if char_len(line) > MAX_URL_CHARS {
                inv.push("urls", format!("链接不能超过{MAX_URL_CHARS}个字符"));
            } else if !urls.iter().any(|u| u == line) {
                urls.push(line.to_string());
            }
        }
        if item_ids.len() + urls.len() > MAX_LINKS {
            inv.push("urls", format!("每次反馈最多附{MAX_LINKS}个链接"));
        }
        inv.into_result()?;
        Ok(SubmissionInput {
            text,
            item_ids,
            urls,
        })
    }
}

fn truncate(s: &str, n: usize) -> String {
    if char_len(s) <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n).collect::<String>())
    }
}

/// The day a round is really due: a due date on a day off (the seed's 12月30日 , a Saturday)
/// moves to the next working day, as 《民法典》第二百零三条 provides for the last day of a period.
pub fn effective_due(cal: &Calendar, due: NaiveDate) -> NaiveDate {
    crate::obligation::roll_to_workday(cal, due)
}

/// Working days after the [`effective_due`] date up to and including `submitted_on`; 0 when on
/// time (on or before it, or only days off in between).
pub fn late_working_days(cal: &Calendar, due: NaiveDate, submitted_on: NaiveDate) -> i64 {
    let due = effective_due(cal, due);
    if submitted_on <= due {
        0
    } else {
        cal.workdays_between(due, submitted_on).max(0)
    }
}

/// “按时” or “逾期 N 个工作日”.
pub fn lateness_label(late_working_days: i64) -> String {
    if late_working_days > 0 {
        format!("逾期 {late_working_days} 个工作日")
    } else {
        "按时".to_string()
    }
}

/// How a feedback round stands as of a date, judged by the unit's first submission (a
/// resubmission after a return does not make an on-time answer late).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Timeliness {
    /// 按时反馈: first submitted on or before the due date (or with only days off in between).
    OnTime,
    /// 逾期反馈: first submitted after the due date.
    Late,
    /// 未反馈: nothing submitted and the due date has passed.
    Missing,
    /// 未到期: nothing submitted yet and the due date has not passed.
    Pending,
}

impl Timeliness {
    pub fn code(self) -> &'static str {
        match self {
            Timeliness::OnTime => "on_time",
            Timeliness::Late => "late",
            Timeliness::Missing => "missing",
            Timeliness::Pending => "pending",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Timeliness::OnTime => "按时反馈",
            Timeliness::Late => "逾期反馈",
            Timeliness::Missing => "未反馈",
            Timeliness::Pending => "未到期",
        }
    }
}

/// The first submission of a round: its civil date and working days late.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FirstSubmission {
    pub on: NaiveDate,
    pub late_working_days: i64,
}

/// A round's timeliness as of `as_of`, with a Chinese explanation such as
/// “2017年6月30日反馈落实情况:2017-07-06提交,逾期4个工作日(截止日期2017-06-30)”.
/// A submission after `as_of` is not yet known.
pub fn timeliness(
    label: &str,
    due: NaiveDate,
    first: Option<FirstSubmission>,
    as_of: NaiveDate,
) -> (Timeliness, String) {
    match first.filter(|f| f.on <= as_of) {
        Some(f) if f.late_working_days > 0 => (
            Timeliness::Late,
            format!(
                "{label}：{}提交，逾期{}个工作日（截止日期{due}）",
                f.on, f.late_working_days
            ),
        ),
        Some(f) => (
            Timeliness::OnTime,
            format!("{label}：{}提交，按时（截止日期{due}）", f.on),
        ),
        None if due < as_of => (
            Timeliness::Missing,
            format!("{label}：截至{as_of}未提交（截止日期{due}）"),
        ),
        None => (
            Timeliness::Pending,
            format!("{label}：截止日期{due}，尚未到期"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_round_due_on_a_saturday_is_due_on_the_next_working_day() {
        let cal = Calendar::shipped();
        // 2017-12-30 is a Saturday; 2018-01-01 is 元旦 ; 2018-01-02 the next working day.
        assert_eq!(effective_due(&cal, d("2017-12-30")), d("2018-01-02"));
        assert_eq!(late_working_days(&cal, d("2017-12-30"), d("2018-01-02")), 0);
        assert_eq!(late_working_days(&cal, d("2017-12-30"), d("2018-01-03")), 1);
    }

    #[test]
    fn transitions() {
        assert!(check_submit(RoundStatus::Open).is_ok());
        assert!(check_submit(RoundStatus::Returned).is_ok());
        assert!(check_submit(RoundStatus::Submitted).is_err());
        assert!(check_submit(RoundStatus::Accepted).is_err());
        let r = check_review(RoundStatus::Submitted, "accept", "").unwrap();
        assert_eq!(r.decision.outcome().0, RoundStatus::Accepted);
        let r = check_review(RoundStatus::Submitted, "return", " 请补充数据 ").unwrap();
        assert_eq!(r.comment, "请补充数据");
        assert_eq!(r.decision.outcome().1, SubmissionStatus::Returned);
        let e = check_review(RoundStatus::Submitted, "return", "  ").unwrap_err();
        assert_eq!(
            e.message_for("comment"),
            Some("退回时请填写退回意见，说明需要补充或修改的内容")
        );
        assert!(check_review(RoundStatus::Open, "accept", "").is_err());
        assert!(check_review(RoundStatus::Accepted, "accept", "").is_err());
        assert!(check_review(RoundStatus::Returned, "return", "x").is_err());
        assert!(check_review(RoundStatus::Submitted, "maybe", "").is_err());
    }

    #[test]
    fn labels_round_trip() {
        for s in RoundStatus::ALL {
            assert_eq!(RoundStatus::from_code(s.code()), Some(*s));
        }
        let labels: Vec<_> = RoundStatus::ALL.iter().map(|s| s.label()).collect();
        assert_eq!(labels, ["待提交", "已提交", "已采纳", "已退回"]);
    }

    #[test]
    fn submission_validation() {
        let f = SubmissionFields {
            text: "  ".into(),
            ..Default::default()
        };
        assert_eq!(
            f.validate().unwrap_err().message_for("text"),
            Some("请填写反馈内容")
        );
        let f = SubmissionFields {
            text: "字".repeat(5001),
            ..Default::default()
        };
        assert!(
            f.validate()
                .unwrap_err()
                .message_for("text")
                .unwrap()
                .contains("5000")
        );
        let f = SubmissionFields {
            text: "字".repeat(5000),
            item_ids: vec!["3".into(), "3".into(), "4".into()],
            urls: "https://www.panjin.gov.cn/a.html\n\nhttps://www.panjin.gov.cn/a.html\n".into(),
        };
        let ok = f.validate().unwrap();
        assert_eq!(ok.item_ids, vec![3, 4]);
        assert_eq!(ok.urls.len(), 1);
        let f = SubmissionFields {
            text: "x".into(),
            item_ids: vec!["abc".into()],
            urls: "javascript:alert(1)".into(),
        };
        let e = f.validate().unwrap_err();
        assert!(e.message_for("item_ids").is_some());
        assert!(e.message_for("urls").is_some());
    }

    #[test]
    fn lateness_in_working_days() {
        let cal = Calendar::shipped();
        // Due Friday 2017-06-30.
        assert_eq!(late_working_days(&cal, d("2017-06-30"), d("2017-06-20")), 0);
        assert_eq!(late_working_days(&cal, d("2017-06-30"), d("2017-06-30")), 0);
        assert_eq!(late_working_days(&cal, d("2017-06-30"), d("2017-07-01")), 0);
        assert_eq!(late_working_days(&cal, d("2017-06-30"), d("2017-07-03")), 1);
        assert_eq!(late_working_days(&cal, d("2017-06-30"), d("2017-07-05")), 3);
        // 国庆/中秋 2017: 10-01..10-08 off, 09-30 a make-up workday.
        assert_eq!(late_working_days(&cal, d("2017-09-29"), d("2017-10-09")), 2);
        assert_eq!(lateness_label(3), "逾期 3 个工作日");
        assert_eq!(lateness_label(0), "按时");
    }

    #[test]
    fn timeliness_as_of_a_date() {
        let due = d("2017-06-30");
        let late = Some(FirstSubmission {
            on: d("2017-07-06"),
            late_working_days: 4,
        });
        let (t, why) = timeliness("2017年6月30日反馈落实情况", due, late, d("2017-12-31"));
        assert_eq!(t, Timeliness::Late);
        assert_eq!(
            why,
            "2017年6月30日反馈落实情况：2017-07-06提交，逾期4个工作日（截止日期2017-06-30）"
        );
        // Before the late submission arrived it was simply missing; before the due date, pending.
        assert_eq!(
            timeliness("x", due, late, d("2017-07-03")).0,
            Timeliness::Missing
        );
        assert_eq!(
            timeliness("x", due, late, d("2017-06-30")).0,
            Timeliness::Pending
        );
        let on_time = Some(FirstSubmission {
            on: d("2017-06-29"),
            late_working_days: 0,
        });
        assert_eq!(
            timeliness("x", due, on_time, d("2017-12-31")).0,
            Timeliness::OnTime
        );
        assert_eq!(
            timeliness("x", due, None, d("2017-12-31")).0,
            Timeliness::Missing
        );
    }
}
