//! Every expected date here was counted by hand on the shipped 2017 calendar: 2017-09-30 (a
//! Saturday) worked, 2017-10-01 … 10-08 off (国庆节、中秋节), no other day off until 2017-12-30.

use super::*;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
}

fn cal() -> Calendar {
    Calendar::shipped()
}

fn national(received: &str) -> Clock {
    Clock::new(d(received), ClockRule::NATIONAL)
}

fn line_of(r: &ClockResult, date: &str) -> String {
    r.steps
        .iter()
        .find(|s| s.date == d(date))
        .map(ClockStep::line)
        .unwrap_or_else(|| panic!("no step for {date}"))
}

fn counted_days(r: &ClockResult) -> usize {
    r.steps.iter().filter(|s| s.counted.is_some()).count()
}

#[test]
fn national_rule_is_20_plus_20_from_the_next_working_day() {
    assert_eq!(ClockRule::default(), ClockRule::NATIONAL);
    assert_eq!(ClockRule::NATIONAL.limit_working_days, 20);
    assert_eq!(ClockRule::NATIONAL.max_extension_working_days, 20);
    assert_eq!(ClockRule::NATIONAL.count_from, CountFrom::NextWorkingDay);
}

/// Friday 2017-09-29: 9-30 (worked Saturday) is day 1, 10-01 … 10-08 off, 10-09 day 2, …,
/// 11-02 day 20.
#[test]
fn twenty_working_days_from_a_friday_before_national_day() {
    let r = national("2017-09-29").deadline(&cal()).unwrap();
    assert_eq!(r.due, Some(d("2017-11-02")));
    assert_eq!(r.steps.first().unwrap().date, d("2017-09-29"));
    assert_eq!(r.steps.last().unwrap().date, d("2017-11-02"));
    assert_eq!(r.steps.len(), 35);
    assert_eq!(counted_days(&r), 20);
    assert!(r.warnings.is_empty());
    assert_eq!(
        line_of(&r, "2017-09-29"),
        "2017-09-29 星期五 不计（受理日，次日起算）"
    );
    assert_eq!(
        line_of(&r, "2017-09-30"),
        "2017-09-30 星期六 第1个工作日（调休上班：国庆节、中秋节）"
    );
    assert_eq!(
        line_of(&r, "2017-10-01"),
        "2017-10-01 星期日 不计（国庆节、中秋节）"
    );
    assert_eq!(line_of(&r, "2017-10-09"), "2017-10-09 星期一 第2个工作日");
    assert_eq!(line_of(&r, "2017-10-14"), "2017-10-14 星期六 不计（周末）");
    assert_eq!(
        line_of(&r, "2017-11-02"),
        "2017-11-02 星期四 第20个工作日 =答复期限"
    );
    assert_eq!(
        r.summary(),
        "受理日 2017-09-29；法定期限 20 个工作日；答复期限 2017-11-02"
    );
    // The calendar's own arithmetic agrees.
    assert_eq!(
        cal().add_workdays(d("2017-09-29"), 20).unwrap().date,
        d("2017-11-02")
    );
}

/// Paused Thursday 10-12 (day 5 would have been), third party answers Tuesday 10-17: 10-12, 10-13
/// and 10-16 are not counted, the weekend between stays 周末, 10-17 is day 5; due 11-07.
#[test]
fn a_pause_spanning_a_weekend() {
    let mut c = national("2017-09-29");
    c.pause(d("2017-10-12"), PauseReason::ThirdParty)
        .unwrap()
        .resume(d("2017-10-17"))
        .unwrap();
    let r = c.deadline(&cal()).unwrap();
    assert_eq!(r.due, Some(d("2017-11-07")));
    assert_eq!(r.paused_working_days, 3);
    assert_eq!(counted_days(&r), 20);
    assert_eq!(
        line_of(&r, "2017-10-12"),
        "2017-10-12 星期四 不计（暂停：征求第三方意见） 【暂停计时：征求第三方意见】"
    );
    assert_eq!(
        line_of(&r, "2017-10-13"),
        "2017-10-13 星期五 不计（暂停：征求第三方意见）"
    );
    assert_eq!(line_of(&r, "2017-10-14"), "2017-10-14 星期六 不计（周末）");
    assert_eq!(line_of(&r, "2017-10-15"), "2017-10-15 星期日 不计（周末）");
    assert_eq!(
        line_of(&r, "2017-10-16"),
        "2017-10-16 星期一 不计（暂停：征求第三方意见）"
    );
    assert_eq!(
        line_of(&r, "2017-10-17"),
        "2017-10-17 星期二 第5个工作日 【恢复计时】"
    );
    assert_eq!(
        r.summary(),
        "受理日 2017-09-29；法定期限 20 个工作日；暂停 3 个工作日；答复期限 2017-11-07"
    );
    // Resumed the same day it paused: nothing is lost.
    let mut c = national("2017-09-29");
    c.pause(d("2017-10-12"), PauseReason::OtherAgency).unwrap();
    c.resume(d("2017-10-12")).unwrap();
    assert_eq!(c.deadline(&cal()).unwrap().due, Some(d("2017-11-02")));
}

#[test]
fn a_pause_still_open_has_no_due_date_and_says_so() {
    let mut c = national("2017-09-29");
    c.pause(d("2017-10-12"), PauseReason::ThirdParty).unwrap();
    assert_eq!(c.open_pause().map(|(d, _)| d), Some(d("2017-10-12")));
    let r = c.deadline(&cal()).unwrap();
    assert_eq!(r.due, None);
    assert_eq!(r.counted_working_days, 4);
    assert_eq!(r.steps.last().unwrap().date, d("2017-10-12"));
    assert_eq!(
        r.summary(),
        "受理日 2017-09-29；法定期限 20 个工作日；答复期限 待定（自 2017-10-12 起暂停计时：\
         征求第三方意见，已计 4 个工作日，恢复计时后确定）"
    );
    let p = r.as_of(&cal(), d("2017-10-20"));
    assert_eq!((p.counted, p.remaining, p.paused), (4, 16, true));
    assert_eq!(
        p.describe(),
        "截至2017-10-20已计4个工作日，剩余16个工作日（暂停计时中）"
    );
    let p = r.as_of(&cal(), d("2017-10-10"));
    assert_eq!((p.counted, p.remaining, p.paused), (3, 17, false));
}

/// Extended on the due date itself by 20: 11-03 is day 21, …, 11-30 day 40.
#[test]
fn an_extension_of_20_within_the_limit() {
    let mut c = national("2017-09-29");
    c.extend(
        d("2017-11-02"),
        20,
        "需征求多个部门意见，经公开工作机构负责人同意",
    )
    .unwrap();
    let r = c.deadline(&cal()).unwrap();
    assert_eq!(r.due, Some(d("2017-11-30")));
    assert_eq!(r.extension_working_days, 20);
    assert_eq!(r.total_working_days(), 40);
    assert_eq!(counted_days(&r), 40);
    assert_eq!(
        line_of(&r, "2017-11-02"),
        "2017-11-02 星期四 第20个工作日 【延期20个工作日：需征求多个部门意见，经公开工作机构负责人同意】"
    );
    assert_eq!(
        r.summary(),
        "受理日 2017-09-29；法定期限 20 个工作日；延期 20 个工作日；答复期限 2017-11-30"
    );
    // Two extensions adding up to 20 are fine too.
    let mut c = national("2017-09-29");
    c.extend(d("2017-10-20"), 15, "").unwrap();
    c.extend(d("2017-11-20"), 5, "").unwrap();
    assert_eq!(c.deadline(&cal()).unwrap().due, Some(d("2017-11-30")));
}

#[test]
fn an_extension_beyond_the_maximum_or_after_the_deadline_is_refused() {
    let mut c = national("2017-09-29");
    let e = c.extend(d("2017-10-20"), 21, "").unwrap_err();
    assert_eq!(
        e,
        ClockError::ExtensionTooLong {
            requested: 21,
            used: 0,
            max: 20
        }
    );
    assert_eq!(
        e.to_string(),
        "延期21个工作日超出上限：已延期0个工作日，合计最多延期20个工作日"
    );
    c.extend(d("2017-10-20"), 15, "").unwrap();
    let e = c.extend(d("2017-10-25"), 10, "").unwrap_err();
    assert_eq!(
        e,
        ClockError::ExtensionTooLong {
            requested: 10,
            used: 15,
            max: 20
        }
    );
    // The refused extension left the clock as it was.
    assert_eq!(c.events().len(), 1);
    assert_eq!(c.extension_used(), 15);
    assert_eq!(
        c.extend(d("2017-10-25"), u32::MAX, "").unwrap_err(),
        ClockError::ExtensionTooLong {
            requested: u32::MAX,
            used: 15,
            max: 20
        }
    );
    assert_eq!(
        c.extend(d("2017-10-25"), 0, "").unwrap_err(),
        ClockError::EmptyExtension
    );

    // The day after the due date (11-02) is too late; the refusal comes from `deadline`, which
    // knows the calendar.
    let mut c = national("2017-09-29");
    c.extend(d("2017-11-03"), 10, "").unwrap();
    let e = c.deadline(&cal()).unwrap_err();
    assert_eq!(
        e,
        ClockError::ExtensionAfterDeadline {
            on: d("2017-11-03"),
            due: d("2017-11-02")
        }
    );
    assert_eq!(
        e.to_string(),
        "答复期限2017-11-02已过，不能在2017-11-03延期"
    );
    // Likewise a pause that starts after the due date.
    let mut c = national("2017-09-29");
    c.pause(d("2017-11-04"), PauseReason::FeePayment).unwrap();
    assert_eq!(
        c.deadline(&cal()).unwrap_err().to_string(),
        "答复期限2017-11-02已过，不能在2017-11-04暂停计时"
    );
}

/// Pause, extension and all together: the brief's example. 20 days to 11-02, +3 paused → 11-07,
/// +20 extension → 12-05.
#[test]
fn pause_and_extension_together() {
    let mut c = national("2017-09-29");
    c.pause(d("2017-10-12"), PauseReason::ThirdParty).unwrap();
    c.resume(d("2017-10-17")).unwrap();
    c.extend(d("2017-11-01"), 20, "案情复杂").unwrap();
    let r = c.deadline(&cal()).unwrap();
    assert_eq!(r.due, Some(d("2017-12-05")));
    assert_eq!(
        r.summary(),
        "受理日 2017-09-29；法定期限 20 个工作日；暂停 3 个工作日；延期 20 个工作日；答复期限 2017-12-05"
    );
    assert_eq!(counted_days(&r), 40);
    let text = r.to_string();
    assert!(text.starts_with(&format!("{}\n  2017-09-29 星期五", r.summary())));
    assert!(text.ends_with("  2017-12-05 星期二 第40个工作日 =答复期限\n"));
}

/// The supplemented application arrives Monday 10-16: the days before no longer count, 10-16 is
/// the new receipt day, 10-17 day 1, …, 11-13 day 20. An extension granted before the restart
/// is gone with the old count.
#[test]
fn a_supplement_restarts_the_clock() {
    let mut c = national("2017-09-29");
    c.extend(d("2017-10-10"), 15, "").unwrap();
    c.restart(d("2017-10-16"), "申请人已补正").unwrap();
    assert_eq!(c.extension_used(), 0);
    let r = c.deadline(&cal()).unwrap();
    assert_eq!(r.due, Some(d("2017-11-13")));
    assert_eq!(r.started_on, d("2017-10-16"));
    assert_eq!(r.restarts, 1);
    assert_eq!(r.extension_working_days, 0);
    assert_eq!(counted_days(&r), 20);
    assert_eq!(
        line_of(&r, "2017-09-29"),
        "2017-09-29 星期五 不计（补正前） 【受理】"
    );
    assert_eq!(
        line_of(&r, "2017-10-09"),
        "2017-10-09 星期一 不计（补正前）"
    );
    assert_eq!(
        line_of(&r, "2017-10-10"),
        "2017-10-10 星期二 不计（补正前） 【延期15个工作日】"
    );
    assert_eq!(
        line_of(&r, "2017-10-16"),
        "2017-10-16 星期一 不计（收到补正材料，次日重新起算） 【补正后重新起算：申请人已补正】"
    );
    assert_eq!(line_of(&r, "2017-10-17"), "2017-10-17 星期二 第1个工作日");
    assert_eq!(
        r.summary(),
        "受理日 2017-09-29；补正后重新起算 2017-10-16；法定期限 20 个工作日；答复期限 2017-11-13"
    );
    let p = r.as_of(&cal(), d("2017-10-16"));
    assert_eq!((p.counted, p.remaining), (0, 20));
    // The full extension is available again after the restart.
    c.extend(d("2017-11-10"), 20, "").unwrap();
    assert_eq!(c.deadline(&cal()).unwrap().extension_working_days, 20);

    // A second restart keeps a single 受理 mark on the receipt day.
    let mut c2 = national("2017-09-29");
    c2.restart(d("2017-10-09"), "").unwrap();
    c2.restart(d("2017-10-16"), "").unwrap();
    let r2 = c2.deadline(&cal()).unwrap();
    assert_eq!((r2.due, r2.restarts), (Some(d("2017-11-13")), 2));
    assert_eq!(
        line_of(&r2, "2017-09-29"),
        "2017-09-29 星期五 不计（补正前） 【受理】"
    );
    assert_eq!(
        line_of(&r2, "2017-10-09"),
        "2017-10-09 星期一 不计（补正前） 【补正后重新起算】"
    );

    // A supplement arriving after the original due date (11-02) starts a new count too:
    // 11-06 received, 11-07 day 1, …, 12-04 day 20.
    let mut c = national("2017-09-29");
    c.restart(d("2017-11-06"), "").unwrap();
    let r = c.deadline(&cal()).unwrap();
    assert_eq!(r.due, Some(d("2017-12-04")));
    assert_eq!(
        line_of(&r, "2017-11-03"),
        "2017-11-03 星期五 不计（补正前）"
    );
    assert_eq!(counted_days(&r), 20);
}

/// Counting the receipt day: Friday 9-29 is day 1, 9-30 day 2, 10-09 day 3, …, 11-01 day 20.
#[test]
fn same_day_counting_configured() {
    let rule = ClockRule {
        count_from: CountFrom::SameDay,
        ..ClockRule::NATIONAL
    };
    let r = Clock::new(d("2017-09-29"), rule).deadline(&cal()).unwrap();
    assert_eq!(r.due, Some(d("2017-11-01")));
    assert_eq!(line_of(&r, "2017-09-29"), "2017-09-29 星期五 第1个工作日");
    assert!(r.summary().starts_with("受理日 2017-09-29（自当日起算）；"));
    // Received on a holiday: the same under both rules, 10-09 is day 1 and 11-03 day 20.
    let r = Clock::new(d("2017-10-03"), rule).deadline(&cal()).unwrap();
    assert_eq!(r.due, Some(d("2017-11-03")));
    assert_eq!(
        line_of(&r, "2017-10-03"),
        "2017-10-03 星期二 不计（国庆节、中秋节）"
    );
    let r = national("2017-10-03").deadline(&cal()).unwrap();
    assert_eq!(r.due, Some(d("2017-11-03")));
    // A restart under same-day counting counts its own day.
    let mut c = Clock::new(d("2017-09-29"), rule);
    c.restart(d("2017-10-16"), "").unwrap();
    let r = c.deadline(&cal()).unwrap();
    assert_eq!(
        line_of(&r, "2017-10-16"),
        "2017-10-16 星期一 第1个工作日 【补正后重新起算】"
    );
    assert_eq!(r.due, Some(d("2017-11-10")));
    // A locality's own limits.
    let rule = ClockRule {
        limit_working_days: 15,
        max_extension_working_days: 15,
        ..ClockRule::NATIONAL
    };
    assert_eq!(rule, ClockRule::NATIONAL_2008);
    let mut c = Clock::new(d("2017-09-29"), rule);
    assert!(c.extend(d("2017-10-09"), 16, "").is_err());
    c.extend(d("2017-10-09"), 15, "").unwrap();
    // 20 + 10 working days: 11-02 day 20, 11-16 day 30.
    assert_eq!(c.deadline(&cal()).unwrap().due, Some(d("2017-11-16")));
}

#[test]
fn a_year_without_data_shows_the_fallback_warning() {
    // Monday 2027-03-01: Monday–Friday only, 3-29 day 20.
    let r = national("2027-03-01").deadline(&cal()).unwrap();
    assert_eq!(r.due, Some(d("2027-03-29")));
    assert_eq!(
        r.warnings,
        vec!["2027年节假日安排尚未录入，按法定节假日推算，如有调休以国务院通知为准".to_string()]
    );
    let lines = r.lines();
    assert_eq!(
        lines[1],
        "注意：2027年节假日安排尚未录入，按法定节假日推算，如有调休以国务院通知为准"
    );
    assert_eq!(
        lines[2],
        "  2027-03-01 星期一 不计（受理日，次日起算） [节假日安排未录入，系推算]"
    );
    // Crossing from a year with data into one without.
    let r = national("2026-12-21").deadline(&cal()).unwrap();
    assert_eq!(
        r.warnings,
        vec!["2027年节假日安排尚未录入，按法定节假日推算，如有调休以国务院通知为准".to_string()]
    );
    // Wholly inside the shipped years: no warning.
    assert!(
        national("2026-06-01")
            .deadline(&cal())
            .unwrap()
            .warnings
            .is_empty()
    );
}

#[test]
fn progress_as_of_a_date_goes_negative_when_overdue() {
    let r = national("2017-09-29").deadline(&cal()).unwrap();
    let at = |s: &str| r.as_of(&cal(), d(s));
    assert_eq!(
        (at("2017-09-20").counted, at("2017-09-20").remaining),
        (0, 20)
    );
    assert_eq!(
        (at("2017-09-29").counted, at("2017-09-29").remaining),
        (0, 20)
    );
    assert_eq!(
        (at("2017-10-08").counted, at("2017-10-08").remaining),
        (1, 19)
    );
    assert_eq!(
        (at("2017-11-02").counted, at("2017-11-02").remaining),
        (20, 0)
    );
    assert!(!at("2017-11-02").overdue());
    let p = at("2017-11-07");
    assert_eq!((p.counted, p.remaining), (23, -3));
    assert!(p.overdue());
    assert_eq!(
        p.describe(),
        "截至2017-11-07已计23个工作日，已逾期3个工作日"
    );
    assert_eq!(
        at("2017-10-20").describe(),
        "截至2017-10-20已计11个工作日，剩余9个工作日"
    );
}

#[test]
fn events_out_of_order_or_overlapping_are_refused_in_chinese() {
    let mut c = national("2017-09-29");
    assert_eq!(
        c.pause(d("2017-09-28"), PauseReason::ThirdParty)
            .unwrap_err()
            .to_string(),
        "2017-09-28早于受理日2017-09-29，不能作为计时事件"
    );
    c.pause(d("2017-10-12"), PauseReason::ThirdParty).unwrap();
    assert_eq!(
        c.resume(d("2017-10-11")).unwrap_err().to_string(),
        "计时事件须按日期先后录入：2017-10-11早于上一事件的日期2017-10-12"
    );
    assert_eq!(
        c.pause(d("2017-10-13"), PauseReason::OtherAgency)
            .unwrap_err()
            .to_string(),
        "计时已于2017-10-12暂停（征求第三方意见），尚未恢复，不能再次暂停（暂停时段不能重叠）"
    );
    assert_eq!(
        c.restart(d("2017-10-13"), "").unwrap_err().to_string(),
        "计时自2017-10-12起暂停（征求第三方意见），须先恢复计时才能在2017-10-13补正后重新起算"
    );
    c.resume(d("2017-10-17")).unwrap();
    assert_eq!(
        c.resume(d("2017-10-18")).unwrap_err().to_string(),
        "2017-10-18恢复计时，但计时并未暂停"
    );
    assert_eq!(c.events().len(), 2);
    // Same-day events are applied in the order given.
    c.pause(d("2017-10-18"), PauseReason::Other("等待申请人缴费".into()))
        .unwrap();
    c.resume(d("2017-10-18")).unwrap();
    assert_eq!(c.deadline(&cal()).unwrap().due, Some(d("2017-11-07")));

    let bad = Clock::new(
        d("2017-09-29"),
        ClockRule {
            limit_working_days: 0,
            ..ClockRule::NATIONAL
        },
    );
    assert_eq!(
        bad.deadline(&cal()).unwrap_err().to_string(),
        "计时规则无效：法定期限至少为1个工作日"
    );
}

#[test]
fn stored_events_round_trip() {
    let mut c = national("2017-09-29");
    c.pause(d("2017-10-12"), PauseReason::ThirdParty).unwrap();
    c.resume(d("2017-10-17")).unwrap();
    c.extend(d("2017-11-01"), 20, "案情复杂").unwrap();
    let json = serde_json::to_string(c.events()).unwrap();
    let events: Vec<ClockEvent> = serde_json::from_str(&json).unwrap();
    let back = Clock::from_events(d("2017-09-29"), ClockRule::NATIONAL, events).unwrap();
    assert_eq!(back, c);
    let rule_json = serde_json::to_string(&ClockRule::NATIONAL).unwrap();
    assert_eq!(
        rule_json,
        r#"{"limit_working_days":20,"count_from":"next_working_day","max_extension_working_days":20}"#
    );
    let rule: ClockRule = serde_json::from_str(&rule_json).unwrap();
    assert_eq!(rule, ClockRule::NATIONAL);
    // Stored events are checked like new ones.
    let e = Clock::from_events(
        d("2017-09-29"),
        ClockRule::NATIONAL,
        [ClockEvent::Resume {
            on: d("2017-10-01"),
        }],
    )
    .unwrap_err();
    assert_eq!(
        e,
        ClockError::NotPaused {
            on: d("2017-10-01")
        }
    );
}

#[test]
fn nothing_panics_at_chronos_limits() {
    let c = Clock::new(NaiveDate::MAX, ClockRule::NATIONAL);
    assert_eq!(c.deadline(&cal()).unwrap_err(), ClockError::OutOfRange);
    let near = NaiveDate::MAX - chrono::Days::new(10);
    assert_eq!(
        Clock::new(near, ClockRule::NATIONAL)
            .deadline(&cal())
            .unwrap_err(),
        ClockError::OutOfRange
    );
    // An open pause on the last representable day is fine: nothing to walk after it.
    let mut c = Clock::new(NaiveDate::MAX, ClockRule::NATIONAL);
    c.pause(NaiveDate::MAX, PauseReason::ThirdParty).unwrap();
    assert_eq!(c.deadline(&cal()).unwrap().due, None);
    // The first representable day works like any other.
    let r = Clock::new(NaiveDate::MIN, ClockRule::NATIONAL)
        .deadline(&cal())
        .unwrap();
    assert_eq!(counted_days(&r), 20);
    // Far-apart events and huge limits are refused, not walked.
    let mut c = national("2017-09-29");
    c.restart(d("2217-09-29"), "").unwrap();
    assert_eq!(c.deadline(&cal()).unwrap_err(), ClockError::TooLong);
    let huge = ClockRule {
        limit_working_days: u32::MAX,
        max_extension_working_days: u32::MAX,
        ..ClockRule::NATIONAL
    };
    assert_eq!(
        Clock::new(d("2017-09-29"), huge)
            .deadline(&cal())
            .unwrap_err(),
        ClockError::TooLong
    );
    let mut c = Clock::new(d("2017-09-29"), huge);
    c.extend(d("2017-10-09"), u32::MAX, "").unwrap();
    assert_eq!(c.deadline(&cal()).unwrap_err(), ClockError::OutOfRange);
}

fn every_day(from: &str, to: &str) -> impl Iterator<Item = NaiveDate> {
    let (from, to) = (d(from), d(to));
    from.iter_days().take_while(move |x| *x <= to)
}

/// Every receipt date 2017–2026, under both counting rules: the due date is on or after the
/// receipt, a working day, exactly 20 counted days away, and agrees with the calendar.
#[test]
fn every_receipt_date_2017_to_2026() {
    let shipped = cal();
    for count_from in [CountFrom::NextWorkingDay, CountFrom::SameDay] {
        let rule = ClockRule {
            count_from,
            ..ClockRule::NATIONAL
        };
        let c = shipped.clone().with_count_from(count_from);
        for received in every_day("2017-01-01", "2026-12-31") {
            let r = Clock::new(received, rule).deadline(&shipped).unwrap();
            let due = r.due.expect("no pause, so a due date");
            assert!(due >= received, "{received}");
            if count_from == CountFrom::NextWorkingDay {
                assert!(due > received, "{received}");
            }
            assert!(shipped.is_workday(due), "{received}: {due}");
            assert_eq!(counted_days(&r), 20, "{received}");
            assert_eq!(r.counted_working_days, 20, "{received}");
            assert_eq!(
                due,
                c.add_workdays(received, 20).unwrap().date,
                "{received}"
            );
            assert_eq!(r.steps.last().map(|s| s.date), Some(due));
            assert!(r.steps.last().is_some_and(|s| s.due));
            // Every step is one day after the one before.
            assert!(
                r.steps
                    .windows(2)
                    .all(|w| w[0].date.succ_opt() == Some(w[1].date)),
                "{received}"
            );
            let p = r.as_of(&shipped, due);
            assert_eq!((p.counted, p.remaining), (20, 0), "{received}");
        }
    }
}
