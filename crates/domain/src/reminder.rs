//! Reminder rules (提醒规则): when a unit is reminded of a due date — N working days before it, on
//! the day, and when overdue (then every M working days, at most K times).
//!
//! Pure: the caller passes today and the working-day calendar. Every reminder has a *nominal
//! date* (the day it is scheduled for); [`due_on`] picks the one to send today, catching up a few
//! working days after a missed scan (a node was down) but never flooding a long-past due date
//! with its whole history. The nominal date goes into the reminder's deduplication key, so each
//! reminder is created once however often the scan runs.

use crate::Invalid;
use crate::obligation::WorkingDays;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// How many working days after its nominal date a missed reminder is still sent.
pub const CATCH_UP_WORKING_DAYS: u32 = 2;

/// The rules of one plan; [`ReminderRules::default`] when the plan sets none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReminderRules {
    /// Remind this many working days before the due date (0: no advance reminder).
    pub days_before: u32,
    /// Remind on the due date itself.
    pub on_day: bool,
    /// When overdue, remind on the first working day after the due date and then every this many
    /// working days…
    pub overdue_every: u32,
    /// …at most this many times (0: no overdue reminder).
    pub overdue_max: u32,
}

impl Default for ReminderRules {
    fn default() -> Self {
        Self {
            days_before: 3,
            on_day: true,
            overdue_every: 5,
            overdue_max: 3,
        }
    }
}

/// Limits an administrator may set.
pub const MAX_DAYS_BEFORE: u32 = 60;
pub const MAX_OVERDUE_EVERY: u32 = 60;
pub const MAX_OVERDUE_TIMES: u32 = 20;

impl ReminderRules {
    /// Clamps stored values into the supported ranges (`overdue_every` at least 1).
    pub fn clamped(self) -> Self {
        Self {
            days_before: self.days_before.min(MAX_DAYS_BEFORE),
            on_day: self.on_day,
            overdue_every: self.overdue_every.clamp(1, MAX_OVERDUE_EVERY),
            overdue_max: self.overdue_max.min(MAX_OVERDUE_TIMES),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum ReminderKind {
    /// 即将到期.
    Before,
    /// 今日到期.
    OnDay,
    /// 已逾期.
    Overdue,
}

impl ReminderKind {
    pub fn code(self) -> &'static str {
        match self {
            ReminderKind::Before => "before",
            ReminderKind::OnDay => "on_day",
            ReminderKind::Overdue => "overdue",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ReminderKind::Before => "即将到期",
            ReminderKind::OnDay => "今日到期",
            ReminderKind::Overdue => "已逾期",
        }
    }
}

/// One scheduled reminder of a due date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reminder {
    pub kind: ReminderKind,
    /// 1 for `Before` and `OnDay`; the k-th overdue reminder.
    pub seq: u32,
    /// The day the reminder is scheduled for.
    pub date: NaiveDate,
}

impl Reminder {
    /// Stable part of a deduplication key: `before:2017-06-27`, `overdue2:2017-07-10`.
    pub fn key(&self) -> String {
        match self.kind {
            ReminderKind::Overdue => format!("overdue{}:{}", self.seq, self.date),
            k => format!("{}:{}", k.code(), self.date),
        }
    }
}

/// The working day `n` working days before `due`: the day `t` with exactly `n` working days in
/// `(t, due]`, moved back to a working day. `None` at chrono's limits.
pub fn working_days_before(cal: &impl WorkingDays, due: NaiveDate, n: u32) -> Option<NaiveDate> {
    let mut d = due;
    let mut k = 0;
    let mut steps = 0u32;
    let limit = n.saturating_mul(30).saturating_add(400);
    while k < n {
        if cal.is_workday(d) {
            k += 1;
        }
        d = d.pred_opt()?;
        steps += 1;
        if steps > limit {
            return None;
        }
    }
    while !cal.is_workday(d) {
        d = d.pred_opt()?;
        steps += 1;
        if steps > limit {
            return None;
        }
    }
    Some(d)
}

/// Every reminder of `due` under `rules`, in date order.
pub fn schedule(rules: &ReminderRules, cal: &impl WorkingDays, due: NaiveDate) -> Vec<Reminder> {
    let rules = rules.clamped();
    let mut out = Vec::new();
    if rules.days_before > 0
        && let Some(date) = working_days_before(cal, due, rules.days_before)
        && date < due
    {
        out.push(Reminder {
            kind: ReminderKind::Before,
            seq: 1,
            date,
        });
    }
    if rules.on_day {
        out.push(Reminder {
            kind: ReminderKind::OnDay,
            seq: 1,
            date: due,
        });
    }
    for k in 1..=rules.overdue_max {
        let n = 1 + (k - 1) * rules.overdue_every;
        let date = cal.add_working_days(due, n);
        if date <= due || out.last().is_some_and(|r| r.date >= date) {
            break; // saturated at chrono's limit
        }
        out.push(Reminder {
            kind: ReminderKind::Overdue,
            seq: k,
            date,
        });
    }
    out
}

/// The reminder to send on `today`: the latest scheduled one on or before today, if today is at
/// most [`CATCH_UP_WORKING_DAYS`] working days after it.
pub fn due_on(
    rules: &ReminderRules,
    cal: &impl WorkingDays,
    due: NaiveDate,
    today: NaiveDate,
) -> Option<Reminder> {
    let latest = schedule(rules, cal, due)
        .into_iter()
        .rfind(|r| r.date <= today)?;
    (cal.working_days_between(latest.date, today) <= CATCH_UP_WORKING_DAYS).then_some(latest)
}

/// The Chinese title of a reminder about `what` (e.g. 反馈“6月30日前报送落实情况”).
pub fn title(
    cal: &impl WorkingDays,
    r: &Reminder,
    what: &str,
    due: NaiveDate,
    today: NaiveDate,
) -> String {
    match r.kind {
        ReminderKind::Before => {
            let left = cal.working_days_between(today, due);
            format!("{what}将于 {due} 到期（还有 {left} 个工作日）")
        }
        ReminderKind::OnDay => format!("{what}今日（{due}）到期"),
        ReminderKind::Overdue => {
            let late = cal.working_days_between(due, today);
            format!("{what}已逾期 {late} 个工作日（期限 {due}）")
        }
    }
}

// --- subject kinds, the rule editor and deadline standing ----------------------------------------

/// What a deadline belongs to. Each kind has its own rules, set by the office in the back office
/// (a plan's own rules still take precedence for its periods and rounds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    /// A publication period of an obligation （公开任务期限）.
    Obligation,
    /// A feedback round or a filing （反馈）.
    FeedbackRound,
    /// An application for disclosure （依申请公开）.
    Application,
    /// A message from the public （留言）.
    Message,
    /// An NPC suggestion or CPPCC proposal （建议提案）.
    Proposal,
    /// A website rectification ticket （整改单）.
    RectificationTicket,
}

impl SubjectKind {
    pub const ALL: [SubjectKind; 6] = [
        SubjectKind::Obligation,
        SubjectKind::FeedbackRound,
        SubjectKind::Application,
        SubjectKind::Message,
        SubjectKind::Proposal,
        SubjectKind::RectificationTicket,
    ];

    pub fn code(self) -> &'static str {
        match self {
            SubjectKind::Obligation => "obligation",
            SubjectKind::FeedbackRound => "feedback_round",
            SubjectKind::Application => "application",
            SubjectKind::Message => "message",
            SubjectKind::Proposal => "proposal",
            SubjectKind::RectificationTicket => "rectification_ticket",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SubjectKind::Obligation => "公开任务期限",
            SubjectKind::FeedbackRound => "落实情况反馈",
            SubjectKind::Application => "依申请公开",
            SubjectKind::Message => "留言办理",
            SubjectKind::Proposal => "建议提案办理",
            SubjectKind::RectificationTicket => "网站整改",
        }
    }

    pub fn from_code(code: &str) -> Option<SubjectKind> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// How often an overdue deadline is reminded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OverdueMode {
    /// 逾期不提醒.
    Off,
    /// 逾期提醒一次.
    Once,
    /// 逾期后定期提醒 (every `overdue_every` working days, at most `overdue_max` times).
    Repeat,
}

impl OverdueMode {
    pub const ALL: [OverdueMode; 3] = [OverdueMode::Off, OverdueMode::Once, OverdueMode::Repeat];

    pub fn code(self) -> &'static str {
        match self {
            OverdueMode::Off => "off",
            OverdueMode::Once => "once",
            OverdueMode::Repeat => "repeat",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            OverdueMode::Off => "逾期不提醒",
            OverdueMode::Once => "逾期提醒一次",
            OverdueMode::Repeat => "逾期后定期提醒",
        }
    }

    pub fn from_code(code: &str) -> Option<OverdueMode> {
        Self::ALL.into_iter().find(|m| m.code() == code)
    }
}

impl ReminderRules {
    /// The overdue mode these rules amount to.
    pub fn overdue_mode(&self) -> OverdueMode {
        match self.overdue_max {
            0 => OverdueMode::Off,
            1 => OverdueMode::Once,
            _ => OverdueMode::Repeat,
        }
    }
}

/// The rule editor's form, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct RuleFields {
    pub days_before: String,
    /// A checkbox: present (any value) when ticked.
    pub on_day: Option<String>,
    pub overdue: String,
    pub overdue_every: String,
    pub overdue_max: String,
}

fn whole_number(
    inv: &mut Invalid,
    field: &'static str,
    name: &str,
    raw: &str,
    min: u32,
    max: u32,
) -> u32 {
    match raw.trim().parse::<u32>() {
        Ok(n) if (min..=max).contains(&n) => n,
        _ => {
            inv.push(field, format!("{name}须为 {min} 至 {max} 之间的整数"));
            min
        }
    }
}

impl RuleFields {
    /// The form of stored rules.
    pub fn of(rules: &ReminderRules) -> RuleFields {
        RuleFields {
            days_before: rules.days_before.to_string(),
            on_day: rules.on_day.then(|| "1".to_string()),
            overdue: rules.overdue_mode().code().to_string(),
            overdue_every: rules.overdue_every.to_string(),
            overdue_max: rules.overdue_max.max(2).to_string(),
        }
    }

    /// Checks the form; every problem is reported with a Chinese message.
    pub fn validate(&self) -> Result<ReminderRules, Invalid> {
        let mut inv = Invalid::default();
        let days_before = whole_number(
            &mut inv,
            "days_before",
            "到期前提醒的工作日数",
            &self.days_before,
            0,
            MAX_DAYS_BEFORE,
        );
        let mode = OverdueMode::from_code(self.overdue.trim());
        if mode.is_none() {
            inv.push("overdue", "请选择逾期后如何提醒");
        }
        let (overdue_every, overdue_max) = match mode {
            Some(OverdueMode::Repeat) => (
                whole_number(
                    &mut inv,
                    "overdue_every",
                    "逾期提醒的间隔工作日数",
                    &self.overdue_every,
                    1,
                    MAX_OVERDUE_EVERY,
                ),
                whole_number(
                    &mut inv,
                    "overdue_max",
                    "逾期提醒的最多次数",
                    &self.overdue_max,
                    2,
                    MAX_OVERDUE_TIMES,
                ),
            ),
            Some(OverdueMode::Once) => (ReminderRules::default().overdue_every, 1),
            _ => (ReminderRules::default().overdue_every, 0),
        };
        inv.into_result()?;
        Ok(ReminderRules {
            days_before,
            on_day: self.on_day.is_some(),
            overdue_every,
            overdue_max,
        })
    }
}

/// Where an open deadline stands on a day, for lists of what to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// 已逾期.
    Overdue,
    /// 即将到期： within the rules' advance days (at least one working day) of the due date.
    DueSoon,
}

impl Standing {
    pub fn code(self) -> &'static str {
        match self {
            Standing::Overdue => "overdue",
            Standing::DueSoon => "due_soon",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Standing::Overdue => "已逾期",
            Standing::DueSoon => "即将到期",
        }
    }
}

/// How an open deadline `due` stands on `today` under `rules`; `None` when it is further away.
/// The due date itself comes from the subject's own engine; this only compares.
pub fn standing(
    rules: &ReminderRules,
    cal: &impl WorkingDays,
    due: NaiveDate,
    today: NaiveDate,
) -> Option<Standing> {
    if today > due {
        return Some(Standing::Overdue);
    }
    let n = rules.clamped().days_before.max(1);
    let from = working_days_before(cal, due, n).unwrap_or(due);
    (today >= from).then_some(Standing::DueSoon)
}

/// The ISO week of a day, as the weekly digest's occasion: `2017-W26`.
pub fn iso_week(day: NaiveDate) -> String {
    let w = chrono::Datelike::iso_week(&day);
    format!("{}-W{:02}", w.year(), w.week())
}

/// A date as Chinese text: 2017年6月28日.
pub fn chinese_date(day: NaiveDate) -> String {
    day.format("%Y年%-m月%-d日").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Calendar;
    use crate::obligation::MondayToFriday;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn three_working_days_before_june_30_2017_is_june_27() {
        let cal = Calendar::shipped();
        assert_eq!(
            working_days_before(&cal, d("2017-06-30"), 3),
            Some(d("2017-06-27"))
        );
        // A due date on a Sunday: one working day before is the Thursday (Friday counts).
        assert_eq!(
            working_days_before(&MondayToFriday, d("2017-07-02"), 1),
            Some(d("2017-06-29"))
        );
    }

    #[test]
    fn holidays_are_skipped() {
        // 2017 国庆中秋 1–8 October; 30 September (Saturday) is a make-up workday.
        let cal = Calendar::shipped();
        assert_eq!(
            working_days_before(&cal, d("2017-10-09"), 1),
            Some(d("2017-09-30"))
        );
    }

    #[test]
    fn default_schedule() {
        let cal = Calendar::shipped();
        let s = schedule(&ReminderRules::default(), &cal, d("2017-06-30"));
        let keys: Vec<String> = s.iter().map(Reminder::key).collect();
        assert_eq!(
            keys,
            [
                "before:2017-06-27",
                "on_day:2017-06-30",
                "overdue1:2017-07-03",
                "overdue2:2017-07-10",
                "overdue3:2017-07-17"
            ]
        );
    }

    #[test]
    fn due_on_picks_today_and_catches_up_briefly() {
        let cal = Calendar::shipped();
        let rules = ReminderRules::default();
        let due = d("2017-06-30");
        assert_eq!(due_on(&rules, &cal, due, d("2017-06-26")), None);
        let r = due_on(&rules, &cal, due, d("2017-06-27")).unwrap();
        assert_eq!(r.kind, ReminderKind::Before);
        // A missed day is caught up with the same reminder (same key).
        assert_eq!(due_on(&rules, &cal, due, d("2017-06-28")), Some(r));
        assert_eq!(
            due_on(&rules, &cal, due, d("2017-06-30")).unwrap().kind,
            ReminderKind::OnDay
        );
        let late = due_on(&rules, &cal, due, d("2017-07-11")).unwrap();
        assert_eq!((late.kind, late.seq), (ReminderKind::Overdue, 2));
        // Long after the last reminder: nothing.
        assert_eq!(due_on(&rules, &cal, due, d("2018-01-10")), None);
    }

    #[test]
    fn rules_can_switch_reminders_off() {
        let rules = ReminderRules {
            days_before: 0,
            on_day: false,
            overdue_every: 0,
            overdue_max: 0,
        };
        assert!(schedule(&rules, &MondayToFriday, d("2017-06-30")).is_empty());
        let only_overdue = ReminderRules {
            overdue_every: 1,
            overdue_max: 2,
            ..rules
        };
        let s = schedule(&only_overdue, &MondayToFriday, d("2017-06-30"));
        assert_eq!(
            s.iter().map(|r| r.date).collect::<Vec<_>>(),
            [d("2017-07-03"), d("2017-07-04")]
        );
    }

    #[test]
    fn titles_are_chinese() {
        let cal = Calendar::shipped();
        let r = due_on(
            &ReminderRules::default(),
            &cal,
            d("2017-06-30"),
            d("2017-06-27"),
        )
        .unwrap();
        assert_eq!(
            title(&cal, &r, "反馈“落实情况”", d("2017-06-30"), d("2017-06-27")),
            "反馈“落实情况”将于 2017-06-30 到期（还有 3 个工作日）"
        );
    }

    #[test]
    fn never_panics_at_the_limits() {
        let rules = ReminderRules::default();
        let _ = schedule(&rules, &MondayToFriday, NaiveDate::MIN);
        let _ = schedule(&rules, &MondayToFriday, NaiveDate::MAX);
        let _ = due_on(&rules, &MondayToFriday, NaiveDate::MAX, NaiveDate::MAX);
    }

    #[test]
    fn subject_kinds_and_modes_round_trip() {
        for k in SubjectKind::ALL {
            assert_eq!(SubjectKind::from_code(k.code()), Some(k));
        }
        for m in OverdueMode::ALL {
            assert_eq!(OverdueMode::from_code(m.code()), Some(m));
        }
        assert_eq!(ReminderRules::default().overdue_mode(), OverdueMode::Repeat);
    }

    #[test]
    fn the_rule_form_validates_with_chinese_messages() {
        let ok = RuleFields {
            days_before: "3".into(),
            on_day: None,
            overdue: "once".into(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert_eq!((ok.days_before, ok.on_day, ok.overdue_max), (3, false, 1));
        let weekly = RuleFields {
            days_before: "5".into(),
            on_day: Some("1".into()),
            overdue: "repeat".into(),
            overdue_every: "5".into(),
            overdue_max: "4".into(),
        }
        .validate()
        .unwrap();
        assert_eq!(RuleFields::of(&weekly).validate().unwrap(), weekly);
        let bad = RuleFields {
            days_before: "-1".into(),
            overdue: "repeat".into(),
            overdue_every: "0".into(),
            overdue_max: "x".into(),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(bad.errors.len(), 3, "{bad}");
        assert!(
            bad.summary()
                .contains("到期前提醒的工作日数须为 0 至 60 之间的整数")
        );
        let none = RuleFields::default().validate().unwrap_err();
        assert!(none.message_for("overdue").is_some());
    }

    #[test]
    fn standing_is_due_soon_within_the_advance_days_then_overdue() {
        let cal = Calendar::shipped();
        let rules = ReminderRules::default();
        let due = d("2017-06-30");
        assert_eq!(standing(&rules, &cal, due, d("2017-06-26")), None);
        assert_eq!(
            standing(&rules, &cal, due, d("2017-06-27")),
            Some(Standing::DueSoon)
        );
        assert_eq!(standing(&rules, &cal, due, due), Some(Standing::DueSoon));
        assert_eq!(
            standing(&rules, &cal, due, d("2017-07-01")),
            Some(Standing::Overdue)
        );
    }

    #[test]
    fn weeks_and_dates() {
        assert_eq!(iso_week(d("2017-06-27")), "2017-W26");
        assert_eq!(iso_week(d("2018-01-01")), "2018-W01");
        assert_eq!(iso_week(d("2016-01-01")), "2015-W53");
        assert_eq!(chinese_date(d("2017-06-08")), "2017年6月8日");
    }
}
