//! Citizen messages (留言, 网络回应人): the public writes to an organisation, a responder is
//! assigned, a reply is due within N working days (default 5, configurable), and the reply is
//! published with the question, personal data masked.
//!
//! **Reply deadline rule**: N working days on the working-day calendar after the civil date (in
//! China) the message was received; the day of receipt is not counted, so counting starts on the
//! next working day after it — a message received on a day off (weekend, holiday) counts from the
//! first working day after it. 调休 make-up Saturdays count as working days.
//!
//! **The 3-month rule** (《政府网站与政务新媒体检查指标》, 国办秘函〔2019〕19号, single-veto item 5:
//! within the last year a consultation column left a valid message unanswered for more than 3
//! months): flagged long before it bites — at 2 months (self-check deductions count replies stale
//! for 2 months), at 2.5 months, and as a veto once more than 3 calendar months have passed.

use crate::Invalid;
use crate::calendar::{Calendar, CalendarError, Deadline};
use crate::guard::{self, HitKind, Lists};
use crate::model::coded_enum;
use crate::validate::{char_len, optional_email};
use chrono::{Days, Months, NaiveDate};
use serde::Serialize;

/// Default reply limit in working days.
pub const DEFAULT_REPLY_WORKING_DAYS: u32 = 5;
/// The most working days a locality may configure.
pub const MAX_REPLY_WORKING_DAYS: u32 = 60;
/// Working days before the due date from which a message is 即将到期.
pub const DUE_SOON_WORKING_DAYS: i64 = 2;

pub const MAX_NAME_CHARS: usize = 50;
pub const MAX_TITLE_CHARS: usize = 100;
pub const MAX_CONTENT_CHARS: usize = 3000;
pub const MAX_REPLY_CHARS: usize = 5000;
pub const MAX_PHONE_CHARS: usize = 20;

/// Where a message is in its handling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageStatus {
    /// Received, no responder yet.
    Received,
    /// A responder is handling it.
    Assigned,
    /// Replied, not yet published.
    Replied,
    /// Question and reply are public (masked).
    Published,
    /// Finished without publication (not a valid message, or replied privately).
    Closed,
}

impl MessageStatus {
    pub const ALL: [MessageStatus; 5] = [
        MessageStatus::Received,
        MessageStatus::Assigned,
        MessageStatus::Replied,
        MessageStatus::Published,
        MessageStatus::Closed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            MessageStatus::Received => "received",
            MessageStatus::Assigned => "assigned",
            MessageStatus::Replied => "replied",
            MessageStatus::Published => "published",
            MessageStatus::Closed => "closed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            MessageStatus::Received => "已受理（待分配）",
            MessageStatus::Assigned => "办理中",
            MessageStatus::Replied => "已答复（待公开）",
            MessageStatus::Published => "已答复并公开",
            MessageStatus::Closed => "已办结",
        }
    }

    pub fn from_code(code: &str) -> Option<MessageStatus> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Still waiting for a reply: the deadline and the 3-month rule run.
    pub fn awaiting_reply(self) -> bool {
        matches!(self, MessageStatus::Received | MessageStatus::Assigned)
    }

    /// Whether `action` is allowed from this status; a refusal says why in Chinese.
    pub fn check(self, action: Action) -> Result<(), String> {
        use MessageStatus as S;
        let ok = match action {
            Action::Assign | Action::Reply => self.awaiting_reply(),
            Action::Publish => self == S::Replied,
            Action::Close => matches!(self, S::Received | S::Assigned | S::Replied),
        };
        if ok {
            Ok(())
        } else {
            Err(format!(
                "该留言当前状态为“{}”，不能{}",
                self.label(),
                action.label()
            ))
        }
    }
}

/// What a responder does to a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Assign,
    Reply,
    Publish,
    Close,
}

impl Action {
    pub fn label(self) -> &'static str {
        match self {
            Action::Assign => "分配办理人",
            Action::Reply => "答复",
            Action::Publish => "公开",
            Action::Close => "办结",
        }
    }
}

/// The reply due date: `n` working days after `received_on` (receipt day not counted; a message
/// received on a day off counts from the next working day).
pub fn reply_due(
    cal: &Calendar,
    received_on: NaiveDate,
    n: u32,
) -> Result<Deadline, CalendarError> {
    cal.clone()
        .with_count_from(crate::calendar::CountFrom::NextWorkingDay)
        .add_workdays(received_on, n)
}

/// Parses the reply-limit setting (1–60 working days).
pub fn parse_reply_days(s: &str) -> Result<u32, Invalid> {
    match s.trim().parse::<u32>() {
        Ok(n) if (1..=MAX_REPLY_WORKING_DAYS).contains(&n) => Ok(n),
        _ => Err(Invalid::one(
            "reply_working_days",
            format!("答复期限应为1至{MAX_REPLY_WORKING_DAYS}之间的整数（工作日）"),
        )),
    }
}

/// How close a message awaiting reply is to its due date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    NotDue,
    /// Within [`DUE_SOON_WORKING_DAYS`] working days of the due date (or due today).
    DueSoon,
    /// Past the due date: working days late.
    Overdue(i64),
}

impl Urgency {
    pub fn label(self) -> String {
        match self {
            Urgency::NotDue => "未到期".into(),
            Urgency::DueSoon => "即将到期".into(),
            Urgency::Overdue(n) => format!("已逾期{n}个工作日"),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Urgency::NotDue => "not_due",
            Urgency::DueSoon => "due_soon",
            Urgency::Overdue(_) => "overdue",
        }
    }
}

/// The urgency of a message awaiting reply due on `due`, as of `today`.
pub fn urgency(cal: &Calendar, due: NaiveDate, today: NaiveDate) -> Urgency {
    if today > due {
        // Working days after the due date up to today; at least 1 (a day off after the due
        // date is still late).
        Urgency::Overdue(cal.workdays_between(due, today).max(1))
    } else if cal.workdays_between(today, due) <= DUE_SOON_WORKING_DAYS {
        Urgency::DueSoon
    } else {
        Urgency::NotDue
    }
}

/// How long a message has waited, against the 3-month rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AgeFlag {
    None,
    /// 2 months unanswered: the self-check deduction for stale replies.
    TwoMonths,
    /// 2.5 months: half a month left before the veto.
    TwoAndHalfMonths,
    /// More than 3 months: the single-veto finding (单项否决).
    OverThreeMonths,
}

impl AgeFlag {
    pub fn code(self) -> &'static str {
        match self {
            AgeFlag::None => "none",
            AgeFlag::TwoMonths => "two_months",
            AgeFlag::TwoAndHalfMonths => "two_and_half_months",
            AgeFlag::OverThreeMonths => "over_three_months",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AgeFlag::None => "",
            AgeFlag::TwoMonths => "已超过2个月未答复",
            AgeFlag::TwoAndHalfMonths => "已超过2个半月未答复，距“3个月未回应”单项否决不足半个月",
            AgeFlag::OverThreeMonths => {
                "超过3个月未答复：触及检查指标单项否决项（有效留言超过3个月未回应）"
            }
        }
    }
}

/// The dates the flags begin: 2 months, 2 months + 15 days, and the first day past 3 months.
pub fn age_thresholds(received_on: NaiveDate) -> Option<[NaiveDate; 3]> {
    let two = received_on.checked_add_months(Months::new(2))?;
    let half = two.checked_add_days(Days::new(15))?;
    let three = received_on
        .checked_add_months(Months::new(3))?
        .checked_add_days(Days::new(1))?;
    Some([two, half, three])
}

/// The 3-month flag of a message received on `received_on` and still unanswered on `today`
/// (calendar months: holidays do not stop the inspection rule).
pub fn age_flag(received_on: NaiveDate, today: NaiveDate) -> AgeFlag {
    let Some([two, half, three]) = age_thresholds(received_on) else {
        return AgeFlag::None;
    };
    if today >= three {
        AgeFlag::OverThreeMonths
    } else if today >= half {
        AgeFlag::TwoAndHalfMonths
    } else if today >= two {
        AgeFlag::TwoMonths
    } else {
        AgeFlag::None
    }
}

coded_enum!(
    /// Satisfaction rating by the writer once replied.
    Satisfaction {
        Satisfied = "satisfied": "满意",
        Basic = "basic": "基本满意",
        Unsatisfied = "unsatisfied": "不满意",
    }
);

/// Masks the personal information the content guard recognises (ID numbers, bank cards, mobile
/// and landline numbers, e-mail addresses) in text to be published.
pub fn mask_personal(text: &str) -> String {
    let empty = Lists {
        sensitive_words: Vec::new(),
        known_errors: Vec::new(),
    };
    let hits: Vec<_> = guard::scan(text, &empty)
        .into_iter()
        .filter(|h| {
            matches!(
                h.kind,
                HitKind::ResidentId
                    | HitKind::BankCard
                    | HitKind::Mobile
                    | HitKind::Landline
                    | HitKind::Email
            )
        })
        .collect();
    guard::mask(text, &hits)
}

/// The writer's name as published: the first character and `**` (张三 → 张**), so neither the
/// given name nor its length shows. Empty stays empty.
pub fn mask_name(name: &str) -> String {
    match name.trim().chars().next() {
        Some(c) => format!("{c}**"),
        None => String::new(),
    }
}

/// A query code as typed: trimmed, upper-cased; `None` unless 8–32 ASCII letters, digits or `-`.
pub fn normalize_code(s: &str) -> Option<String> {
    let v = s.trim().to_ascii_uppercase();
    ((8..=32).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        .then_some(v)
}

/// What the public form carries, as typed.
#[derive(Debug, Clone, Default)]
pub struct MessageFields {
    pub org_id: String,
    pub name: String,
    pub phone: String,
    pub email: String,
    pub title: String,
    pub content: String,
}

/// A checked message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageInput {
    pub org_id: i64,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub title: String,
    pub content: String,
}

fn has_control(s: &str) -> bool {
    s.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
}

fn text_field(
    inv: &mut Invalid,
    field: &'static str,
    label: &str,
    value: &str,
    max: usize,
) -> String {
    let v = value.trim().replace("\r\n", "\n");
    if v.is_empty() {
        inv.push(field, format!("请填写{label}"));
    } else if char_len(&v) > max {
        inv.push(
            field,
            format!("{label}不能超过{max}个字（当前{}个字）", char_len(&v)),
        );
    } else if has_control(&v) {
        inv.push(field, format!("{label}含有无法识别的控制字符"));
    }
    v
}

impl MessageFields {
    /// Checks every field at once; Chinese messages.
    pub fn validate(&self) -> Result<MessageInput, Invalid> {
        let mut inv = Invalid::default();
        let org_id = match self.org_id.trim().parse::<i64>() {
            Ok(id) if id > 0 => id,
            _ => {
                inv.push("org_id", "请选择留言对象（受理单位）");
                0
            }
        };
        let name = text_field(&mut inv, "name", "姓名", &self.name, MAX_NAME_CHARS);
        let phone = self.phone.trim();
        let phone = if phone.is_empty() {
            None
        } else {
            let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
            let ok_chars = phone
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '-' | ' ' | '+' | '(' | ')'));
            if !ok_chars || !(7..=15).contains(&digits.len()) || phone.len() > MAX_PHONE_CHARS {
                inv.push(
                    "phone",
                    "联系电话应为7至15位数字，例如 13812345678 或 0427-2812345",
                );
            }
            Some(phone.to_string())
        };
        let email = optional_email(&mut inv, "email", &self.email);
        if phone.is_none() && email.is_none() && inv.message_for("email").is_none() {
            inv.push("phone", "请至少填写联系电话或电子邮箱中的一项，以便答复");
        }
        let title = text_field(&mut inv, "title", "标题", &self.title, MAX_TITLE_CHARS);
        if title.contains('\n') {
            inv.push("title", "标题不能换行");
        }
        let content = text_field(
            &mut inv,
            "content",
            "留言内容",
            &self.content,
            MAX_CONTENT_CHARS,
        );
        inv.into_result()?;
        Ok(MessageInput {
            org_id,
            name,
            phone,
            email,
            title,
            content,
        })
    }
}

/// Checks a reply text (required, at most [`MAX_REPLY_CHARS`]).
pub fn validate_reply(reply: &str) -> Result<String, Invalid> {
    let mut inv = Invalid::default();
    let r = text_field(&mut inv, "reply", "答复内容", reply, MAX_REPLY_CHARS);
    inv.into_result().map(|_| r)
}

/// The public copy of a message: what the portal shows, masked once when it is published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicCopy {
    pub name: String,
    pub title: String,
    pub content: String,
    pub reply: String,
}

/// Masks a message for publication: the name to 张**, personal data in title, content and reply.
pub fn public_copy(name: &str, title: &str, content: &str, reply: &str) -> PublicCopy {
    PublicCopy {
        name: mask_name(name),
        title: mask_personal(title),
        content: mask_personal(content),
        reply: mask_personal(reply),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn due(received: &str, n: u32) -> NaiveDate {
        reply_due(&Calendar::shipped(), d(received), n)
            .unwrap()
            .date
    }

    #[test]
    fn five_working_days_from_the_next_working_day() {
        // Monday 2017-06-05: Tue..Fri (4) + Mon 12th (5).
        assert_eq!(due("2017-06-05", 5), d("2017-06-12"));
        // Received on a Saturday: counts from Monday; the 5th working day is Friday.
        assert_eq!(due("2017-06-10", 5), d("2017-06-16"));
        assert_eq!(due("2017-06-11", 5), d("2017-06-16"));
    }

    #[test]
    fn national_day_and_its_make_up_saturday() {
        // 2017: 国庆节、中秋节 1–8 October off; Saturday 30 September is a make-up workday.
        // Received Friday 29 September: Sat 30 Sep (1, 调休上班), then 9, 10, 11, 12 October.
        assert_eq!(due("2017-09-29", 5), d("2017-10-12"));
        // Received on 1 October (a holiday): counting starts on Monday 9 October.
        assert_eq!(due("2017-10-01", 5), d("2017-10-13"));
        // Received on the make-up Saturday itself (a working day): the day is not counted.
        assert_eq!(due("2017-09-30", 5), d("2017-10-13"));
        // Received Thursday 28 September: Fri 29 (1), Sat 30 (2), then 9, 10, 11.
        assert_eq!(due("2017-09-28", 5), d("2017-10-11"));
    }

    #[test]
    fn spring_festival_2018_with_two_make_up_days() {
        // 2018 春节: 15–21 February off; Sunday 11 and Saturday 24 February worked.
        // Received Friday 9 February: Sun 11 (1), Mon 12 (2), Tue 13 (3), Wed 14 (4), Thu 22 (5).
        assert_eq!(due("2018-02-09", 5), d("2018-02-22"));
        // Received Tuesday 20 February (holiday): Thu 22, Fri 23, Sat 24 (调休), Mon 26, Tue 27.
        assert_eq!(due("2018-02-20", 5), d("2018-02-27"));
    }

    #[test]
    fn configurable_limit() {
        assert_eq!(due("2017-06-05", 1), d("2017-06-06"));
        assert_eq!(due("2017-06-05", 10), d("2017-06-19"));
        assert_eq!(parse_reply_days(" 7 ").unwrap(), 7);
        for bad in ["0", "61", "-1", "五", "", "3.5"] {
            assert!(parse_reply_days(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn urgency_counts_working_days() {
        let cal = Calendar::shipped();
        let due = d("2017-10-12");
        assert_eq!(urgency(&cal, due, d("2017-09-29")), Urgency::NotDue);
        // 30 Sep (make-up) to 12 Oct: 9, 10, 11, 12 = 4 working days left.
        assert_eq!(urgency(&cal, due, d("2017-10-01")), Urgency::NotDue);
        assert_eq!(urgency(&cal, due, d("2017-10-10")), Urgency::DueSoon);
        assert_eq!(urgency(&cal, due, d("2017-10-12")), Urgency::DueSoon);
        assert_eq!(urgency(&cal, due, d("2017-10-13")), Urgency::Overdue(1));
        // Saturday after: still one working day late.
        assert_eq!(urgency(&cal, due, d("2017-10-14")), Urgency::Overdue(1));
        assert_eq!(urgency(&cal, due, d("2017-10-16")), Urgency::Overdue(2));
        assert_eq!(Urgency::Overdue(2).label(), "已逾期2个工作日");
    }

    #[test]
    fn three_month_rule_is_flagged_early() {
        let r = d("2017-09-29");
        assert_eq!(age_flag(r, d("2017-11-28")), AgeFlag::None);
        assert_eq!(age_flag(r, d("2017-11-29")), AgeFlag::TwoMonths);
        assert_eq!(age_flag(r, d("2017-12-13")), AgeFlag::TwoMonths);
        assert_eq!(age_flag(r, d("2017-12-14")), AgeFlag::TwoAndHalfMonths);
        // Exactly 3 months is not yet "more than 3 months".
        assert_eq!(age_flag(r, d("2017-12-29")), AgeFlag::TwoAndHalfMonths);
        assert_eq!(age_flag(r, d("2017-12-30")), AgeFlag::OverThreeMonths);
        // Month ends: 30 November + 3 months = 28 February (clamped).
        let r = d("2017-11-30");
        assert_eq!(age_flag(r, d("2018-01-30")), AgeFlag::TwoMonths);
        assert_eq!(age_flag(r, d("2018-02-28")), AgeFlag::TwoAndHalfMonths);
        assert_eq!(age_flag(r, d("2018-03-01")), AgeFlag::OverThreeMonths);
        assert!(AgeFlag::OverThreeMonths > AgeFlag::TwoMonths);
        // Near chrono's limit: no panic.
        assert_eq!(age_flag(NaiveDate::MAX, NaiveDate::MAX), AgeFlag::None);
    }

    #[test]
    fn transitions() {
        use MessageStatus as S;
        assert!(S::Received.check(Action::Assign).is_ok());
        assert!(S::Assigned.check(Action::Assign).is_ok());
        assert!(S::Assigned.check(Action::Reply).is_ok());
        assert!(S::Received.check(Action::Reply).is_ok());
        assert!(S::Replied.check(Action::Publish).is_ok());
        assert!(S::Replied.check(Action::Close).is_ok());
        let e = S::Published.check(Action::Reply).unwrap_err();
        assert_eq!(e, "该留言当前状态为“已答复并公开”，不能答复");
        assert!(S::Assigned.check(Action::Publish).is_err());
        assert!(S::Closed.check(Action::Close).is_err());
        assert!(S::Published.check(Action::Close).is_err());
        for s in MessageStatus::ALL {
            assert_eq!(MessageStatus::from_code(s.code()), Some(s));
        }
    }

    #[test]
    fn personal_data_is_masked() {
        let text = "我叫张三，身份证号110101199003071234，电话13812345678，邮箱zhang@example.com。文号盘政办发〔2017〕12号。";
        // 110101199003071234: is it a valid ID? Use the guard's own check.
        let masked = mask_personal(text);
        assert!(!masked.contains("13812345678"), "{masked}");
        assert!(masked.contains("138****5678"), "{masked}");
        assert!(!masked.contains("zhang@example.com"), "{masked}");
        assert!(masked.contains("盘政办发〔2017〕12号"), "{masked}");
        if guard::is_resident_id("110101199003071234") {
            assert!(masked.contains("110101********1234"), "{masked}");
        }
        // Sensitive words are not "personal data": left alone.
        assert_eq!(mask_personal("内部资料"), "内部资料");
        assert_eq!(mask_name("张三"), "张**");
        assert_eq!(mask_name(" 欧阳娜娜 "), "欧**");
        assert_eq!(mask_name(""), "");
        let c = public_copy("李四", "电话13912345678", "x", "已联系13912345678");
        assert_eq!(c.name, "李**");
        assert_eq!(c.title, "电话139****5678");
        assert_eq!(c.reply, "已联系139****5678");
    }

    #[test]
    fn fields_are_checked_together() {
        let ok = MessageFields {
            org_id: "3".into(),
            name: " 张三 ".into(),
            phone: "138 1234 5678".into(),
            email: String::new(),
            title: "<b>路灯</b>不亮".into(),
            content: "小区路灯\r\n不亮<script>alert(1)</script>".into(),
        };
        let m = ok.validate().unwrap();
        assert_eq!(m.name, "张三");
        assert_eq!(m.content, "小区路灯\n不亮<script>alert(1)</script>");
        assert_eq!(m.title, "<b>路灯</b>不亮");

        let bad = MessageFields {
            org_id: "x".into(),
            name: String::new(),
            phone: String::new(),
            email: String::new(),
            title: "a".repeat(101),
            content: "字".repeat(3001),
        }
        .validate()
        .unwrap_err();
        for f in ["org_id", "name", "phone", "title", "content"] {
            assert!(bad.message_for(f).is_some(), "{f}: {bad:?}");
        }
        assert_eq!(
            bad.message_for("content"),
            Some("留言内容不能超过3000个字（当前3001个字）")
        );
        let bad = MessageFields {
            email: "not-an-email".into(),
            phone: "12ab".into(),
            name: "x\u{0}".into(),
            ..ok.clone()
        }
        .validate()
        .unwrap_err();
        assert!(bad.message_for("email").is_some());
        assert!(bad.message_for("phone").is_some());
        assert!(bad.message_for("name").is_some());
        let with_email = MessageFields {
            phone: String::new(),
            email: "a@b.cn".into(),
            ..ok
        };
        assert!(with_email.validate().is_ok());
        assert!(validate_reply("  ").is_err());
        assert!(validate_reply(&"字".repeat(5001)).is_err());
        assert_eq!(validate_reply(" 已处理 ").unwrap(), "已处理");
    }

    #[test]
    fn codes() {
        assert_eq!(
            normalize_code(" ab12cd34ef56 "),
            Some("AB12CD34EF56".into())
        );
        assert_eq!(normalize_code("short"), None);
        assert_eq!(normalize_code("AB12CD34EF56'"), None);
        for s in Satisfaction::ALL {
            assert_eq!(Satisfaction::from_code(s.code()), Some(*s));
        }
    }
}
