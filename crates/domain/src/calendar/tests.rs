use super::*;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
}

fn cal() -> Calendar {
    Calendar::shipped()
}

#[track_caller]
fn assert_day(c: &Calendar, date: &str, workday: bool, reason: Reason) {
    let info = c.day(d(date));
    assert_eq!(info.reason, reason, "{date}");
    assert_eq!(info.is_workday(), workday, "{date}");
    assert_eq!(c.is_workday(d(date)), workday, "{date}");
    assert!(!info.estimated, "{date} should have data");
}

fn hol(n: &str) -> Reason {
    Reason::Holiday(n.into())
}
fn makeup(n: &str) -> Reason {
    Reason::MakeupWorkday(n.into())
}

// ---- the shipped table ----

#[test]
fn every_festival_date_is_valid_and_ranges_are_ordered() {
    for f in FESTIVALS {
        let (from, to) = (ymd(f.off_from), ymd(f.off_to));
        assert!(from.is_some() && to.is_some(), "{f:?}");
        assert!(from <= to, "{f:?}");
        for w in f.workdays {
            assert!(ymd(*w).is_some(), "{f:?}");
        }
        assert!(NOTICES.contains(f.notice), "{f:?}");
    }
}

#[test]
fn every_makeup_workday_is_a_weekend_day_and_no_date_is_both() {
    let all = shipped_overrides();
    for o in &all {
        if o.kind == DayKind::Workday {
            assert!(
                is_weekend(o.date),
                "{} is a make-up workday on a weekday",
                o.date
            );
        }
    }
    let mut dates: Vec<_> = all.iter().map(|o| o.date).collect();
    dates.dedup();
    assert_eq!(dates.len(), all.len());
}

/// Days off and weekend days worked per arrangement, as counted independently from the notices
/// (the 2019 arrangement's December 2018 days counted with 2019, the 2023 one's 2022-12-31 with
/// 2023; 2020 after the extension).
#[test]
fn days_off_and_days_worked_per_arrangement_match_the_notices() {
    let expected: [(i32, usize, usize); 10] = [
        (2017, 24, 5),
        (2018, 23, 6),
        (2019, 24, 7),
        (2020, 30, 6),
        (2021, 31, 7),
        (2022, 31, 7),
        (2023, 27, 7),
        (2024, 28, 8),
        (2025, 28, 5),
        (2026, 33, 6),
    ];
    let all = shipped_overrides();
    for (year, off, worked) in expected {
        let numbers: Vec<&str> = NOTICES
            .iter()
            .filter(|n| n.year == year)
            .map(|n| n.number)
            .collect();
        let of_year = |k: DayKind| {
            all.iter()
                .filter(|o| o.kind == k && numbers.contains(&o.source.as_str()))
                .count()
        };
        assert_eq!(of_year(DayKind::Holiday), off, "days off in {year}");
        assert_eq!(of_year(DayKind::Workday), worked, "days worked in {year}");
    }
}

#[test]
fn shipped_years_have_data_and_their_neighbours_do_not() {
    let c = cal();
    for y in SHIPPED_YEARS.0..=SHIPPED_YEARS.1 {
        assert!(c.has_data(y), "{y}");
    }
    assert!(!c.has_data(2016));
    assert!(!c.has_data(2027));
}

#[test]
fn every_override_cites_a_notice() {
    for o in shipped_overrides() {
        assert!(
            NOTICES.iter().any(|n| n.number == o.source),
            "{} cites {}",
            o.date,
            o.source
        );
    }
}

// ---- known dates ----

#[test]
fn national_day_2017_merged_with_mid_autumn() {
    let c = cal();
    let n = "国庆节、中秋节";
    assert_day(&c, "2017-09-29", true, Reason::Weekday);
    assert_day(&c, "2017-09-30", true, makeup(n)); // a Saturday worked
    for day in 1..=8 {
        assert_day(&c, &format!("2017-10-{day:02}"), false, hol(n));
    }
    assert_day(&c, "2017-10-09", true, Reason::Weekday);
    assert_eq!(
        c.day(d("2017-09-30")).describe(),
        "2017-09-30 是工作日（调休上班：国庆节、中秋节）"
    );
    assert_eq!(
        c.day(d("2017-10-02")).describe(),
        "2017-10-02 不是工作日（国庆节、中秋节）"
    );
    assert_eq!(c.day(d("2017-09-28")).describe(), "2017-09-28 是工作日");
    assert_eq!(
        c.day(d("2017-09-24")).describe(),
        "2017-09-24 不是工作日（周末）"
    );
}

#[test]
fn friday_2017_09_29_plus_3_working_days_is_2017_10_10() {
    // By hand: 9-30 (Sat, 调休上班) is the 1st; 10-1 … 10-8 are 国庆节、中秋节; 10-9 (Mon) is the
    // 2nd; 10-10 (Tue) the 3rd.
    let c = cal();
    let r = c.add_workdays(d("2017-09-29"), 3).unwrap();
    assert_eq!(r.date, d("2017-10-10"));
    assert!(r.warnings.is_empty());
    let e = c.explain(d("2017-09-29"), 3).unwrap();
    assert_eq!(e.deadline, r);
    assert_eq!(e.steps.len(), 11);
    assert_eq!(e.steps[0].counted, Some(1));
    assert_eq!(e.steps[0].reason, makeup("国庆节、中秋节"));
    assert_eq!(e.skipped().count(), 8);
    assert!(e.skipped().all(|s| s.reason == hol("国庆节、中秋节")));
    assert_eq!(
        e.steps[0].line(),
        "2017-09-30 星期六 第1个工作日（调休上班：国庆节、中秋节）"
    );
    assert_eq!(
        e.steps[1].line(),
        "2017-10-01 星期日 跳过（国庆节、中秋节）"
    );
    assert_eq!(e.steps[10].line(), "2017-10-10 星期二 第3个工作日");
    let text = e.to_string();
    assert!(text.starts_with("2017-09-29 起 3 个工作日（自次日起算）：2017-10-10 星期二\n"));
}

#[test]
fn makeup_sundays_and_saturdays() {
    let c = cal();
    assert_day(&c, "2017-01-22", true, makeup("春节")); // Sunday
    assert_day(&c, "2017-02-04", true, makeup("春节")); // Saturday
    assert_day(&c, "2018-02-11", true, makeup("春节"));
    assert_day(&c, "2018-12-29", true, makeup("元旦")); // 2019 arrangement, in 2018
    assert_day(&c, "2019-04-28", true, makeup("劳动节"));
    assert_day(&c, "2019-05-05", true, makeup("劳动节"));
    assert_day(&c, "2022-10-08", true, makeup("国庆节"));
    assert_day(&c, "2022-10-09", true, makeup("国庆节"));
    assert_day(&c, "2024-02-18", true, makeup("春节"));
    assert_day(&c, "2026-01-04", true, makeup("元旦"));
    assert_day(&c, "2026-02-28", true, makeup("春节"));
    assert_day(&c, "2026-09-20", true, makeup("国庆节"));
    // An ordinary weekend is not worked.
    assert_day(&c, "2026-03-07", false, Reason::Weekend);
}

#[test]
fn spring_festival_2020_extension() {
    let c = cal();
    assert_day(&c, "2020-01-19", true, makeup("春节"));
    assert_day(&c, "2020-01-24", false, hol("春节"));
    assert_day(&c, "2020-01-31", false, hol("春节")); // Friday: extension
    assert_day(&c, "2020-02-01", false, hol("春节")); // was a make-up Saturday, cancelled
    assert_day(&c, "2020-02-02", false, hol("春节"));
    assert_day(&c, "2020-02-03", true, Reason::Weekday);
    let ext = shipped_overrides()
        .into_iter()
        .find(|o| o.date == d("2020-02-01"))
        .unwrap();
    assert_eq!(ext.source, "国办发明电〔2020〕1号");
    // Received Thursday 23 January: the first working day is Monday 3 February.
    assert_eq!(
        c.add_workdays(d("2020-01-23"), 1).unwrap().date,
        d("2020-02-03")
    );
}

#[test]
fn merged_mid_autumn_and_national_day_2020_2023_2025() {
    let c = cal();
    let n = "国庆节、中秋节";
    assert_day(&c, "2020-09-27", true, makeup(n));
    assert_day(&c, "2020-10-01", false, hol(n));
    assert_day(&c, "2020-10-08", false, hol(n));
    assert_day(&c, "2020-10-09", true, Reason::Weekday);
    assert_day(&c, "2020-10-10", true, makeup(n));
    assert_day(&c, "2023-09-29", false, hol(n)); // a Friday
    assert_day(&c, "2023-10-06", false, hol(n));
    assert_day(&c, "2023-10-07", true, makeup(n));
    assert_day(&c, "2023-10-08", true, makeup(n));
    assert_day(&c, "2025-09-28", true, makeup(n));
    assert_day(&c, "2025-10-08", false, hol(n));
    assert_day(&c, "2025-10-11", true, makeup(n));
    // Separate years: 中秋节 on its own.
    assert_day(&c, "2018-09-24", false, hol("中秋节"));
    assert_day(&c, "2021-09-18", true, makeup("中秋节"));
    assert_day(&c, "2024-09-16", false, hol("中秋节"));
}

#[test]
fn new_year_across_year_ends() {
    let c = cal();
    assert_day(&c, "2018-12-30", false, hol("元旦"));
    assert_day(&c, "2018-12-31", false, hol("元旦")); // Monday
    assert_day(&c, "2019-01-01", false, hol("元旦"));
    assert_day(&c, "2022-12-31", false, hol("元旦"));
    assert_day(&c, "2023-01-02", false, hol("元旦")); // Monday
    assert_day(&c, "2017-01-02", false, hol("元旦")); // 补休 Monday
}

#[test]
fn labour_day_2019_follows_the_revision() {
    let c = cal();
    for day in 1..=4 {
        assert_day(&c, &format!("2019-05-{day:02}"), false, hol("劳动节"));
    }
    let o = shipped_overrides()
        .into_iter()
        .find(|o| o.date == d("2019-05-02"))
        .unwrap();
    assert_eq!(o.source, "国办发明电〔2019〕3号");
}

#[test]
fn deadlines_of_20_working_days() {
    let c = cal();
    // Received Monday 2017-09-25: 1 … 5 are 9-26 … 9-30 (9-30 worked), then 10-9 … 10-27.
    assert_eq!(
        c.add_workdays(d("2017-09-25"), 20).unwrap().date,
        d("2017-10-27")
    );
    // Received Friday 2024-02-02: 2-4 (Sun) worked, 2-5 … 2-9, then 春节 2-10 … 2-17, 2-18 (Sun)
    // worked.
    assert_eq!(
        c.add_workdays(d("2024-02-02"), 7).unwrap().date,
        d("2024-02-18")
    );
}

// ---- fallback and limits ----

#[test]
fn a_year_without_data_keeps_its_statutory_holidays_with_a_warning() {
    let c = cal();
    // Friday 2027-01-01 is 元旦 by law, published notice or not.
    let fri = c.day(d("2027-01-01"));
    assert!(!fri.is_workday());
    assert_eq!(fri.reason, Reason::Holiday("元旦".into()));
    assert!(fri.estimated);
    assert_eq!(
        fri.warning().as_deref(),
        Some("2027年节假日安排尚未录入\u{FF0C}按法定节假日推算\u{FF0C}如有调休以国务院通知为准")
    );
    assert!(!c.is_workday(d("2027-01-02")));
    assert!(c.is_workday(d("2027-01-04")));
    assert!(!c.is_workday(d("2027-02-08")), "初三");
    // Filed on 2026-12-30: 12-31 day 1, 01-01 元旦 off, 01-04 day 2, 01-05 day 3.
    let r = c.add_workdays(d("2026-12-30"), 3).unwrap();
    assert_eq!(r.date, d("2027-01-05"));
    assert_eq!(
        r.warnings,
        vec![
            "2027年节假日安排尚未录入\u{FF0C}按法定节假日推算\u{FF0C}如有调休以国务院通知为准"
                .to_string()
        ]
    );
    // Beyond the statutory table only Monday to Friday is known.
    assert_eq!(
        fallback_warning(2041),
        "2041年节假日安排尚未录入\u{FF0C}按周一至周五计算"
    );
    // Entered data replaces the estimate: a year with any override is taken as entered.
    let entered = Calendar::new([DayOverride {
        date: d("2027-01-04"),
        kind: DayKind::Holiday,
        name: "测试".into(),
        source: String::new(),
    }]);
    assert!(entered.has_data(2027));
    assert!(
        entered.is_workday(d("2027-01-01")),
        "the entered arrangement, not the estimate"
    );
    assert!(!entered.day(d("2027-01-04")).estimated);
    // Inside shipped years: no warning.
    assert!(
        c.add_workdays(d("2026-12-01"), 3)
            .unwrap()
            .warnings
            .is_empty()
    );
    // An empty calendar: everything estimated, runs merged.
    let empty = Calendar::default();
    let r = empty.add_workdays(d("2027-12-30"), 800).unwrap();
    assert_eq!(
        r.warnings,
        vec!["2027\u{2014}2031年节假日安排尚未录入\u{FF0C}按法定节假日推算\u{FF0C}如有调休以国务院通知为准".to_string()]
    );
    assert_eq!(empty.workdays_between(d("2027-12-30"), r.date), 800);
}

#[test]
fn nothing_panics_at_chronos_limits() {
    let c = cal();
    let max = NaiveDate::MAX;
    let min = NaiveDate::MIN;
    assert_eq!(c.add_workdays(max, 1), Err(CalendarError::OutOfRange));
    assert_eq!(c.add_workdays(max, 0).unwrap().date, max);
    let near = max - chrono::Days::new(10);
    assert_eq!(c.add_workdays(near, 30), Err(CalendarError::OutOfRange));
    assert!(c.explain(near, 30).is_err());
    assert_eq!(
        c.clone()
            .with_count_from(CountFrom::SameDay)
            .add_workdays(max, 1)
            .map(|r| r.date),
        if c.is_workday(max) {
            Ok(max)
        } else {
            Err(CalendarError::OutOfRange)
        }
    );
    let _ = cal().is_workday(min);
    let _ = cal().day(max).describe();
    assert!(c.add_workdays(min, 5).is_ok());
    let span = c.workdays_between(min, max);
    assert!(span > 0);
    assert_eq!(c.workdays_between(max, min), -span);
    assert_eq!(
        c.add_workdays(min, MAX_WORKDAYS + 1),
        Err(CalendarError::TooManyDays)
    );
    assert!(c.add_workdays(d("2020-01-01"), MAX_WORKDAYS).is_ok());
    assert!(c.warnings(min, max).len() >= 2);
    assert!(c.overrides_in(i32::MAX).is_empty());
}

#[test]
fn count_from_same_day() {
    let c = cal().with_count_from(CountFrom::SameDay);
    // A working day counts itself.
    assert_eq!(
        c.add_workdays(d("2017-09-29"), 1).unwrap().date,
        d("2017-09-29")
    );
    assert_eq!(
        c.add_workdays(d("2017-09-29"), 3).unwrap().date,
        d("2017-10-09")
    );
    // A day off does not.
    assert_eq!(
        c.add_workdays(d("2017-10-01"), 1).unwrap().date,
        d("2017-10-09")
    );
}

// ---- properties, exhaustively over 2017–2026 ----

fn all_days(from: &str, to: &str) -> impl Iterator<Item = NaiveDate> {
    let (from, to) = (d(from), d(to));
    from.iter_days().take_while(move |x| *x <= to)
}

#[test]
fn adding_working_days_is_monotone_lands_on_working_days_and_inverts_workdays_between() {
    let c = cal();
    let same_day = cal().with_count_from(CountFrom::SameDay);
    for start in all_days("2017-01-01", "2026-12-31") {
        let mut previous = start;
        for n in 0..=30u32 {
            let r = c.add_workdays(start, n).unwrap().date;
            if n == 0 {
                assert_eq!(r, start);
            } else {
                assert!(c.is_workday(r), "{start} + {n} = {r} is a day off");
                assert!(r > previous, "{start} + {n}: {r} not after {previous}");
            }
            assert_eq!(
                c.workdays_between(start, r),
                i64::from(n),
                "{start} + {n} = {r}"
            );
            assert_eq!(c.workdays_between(r, start), -i64::from(n));
            if n > 0 {
                // Counting from the day itself is counting from the day before.
                let prev = start.pred_opt().unwrap();
                assert_eq!(
                    same_day.add_workdays(start, n).unwrap().date,
                    c.add_workdays(prev, n).unwrap().date
                );
            }
            previous = r;
        }
    }
}

#[test]
fn the_explanation_accounts_for_every_day() {
    let c = cal();
    for start in all_days("2016-12-01", "2027-01-31").step_by(3) {
        for n in [1u32, 3, 7, 15, 20] {
            let e = c.explain(start, n).unwrap();
            assert_eq!(e.steps.first().map(|s| s.date), start.succ_opt());
            assert_eq!(e.steps.last().map(|s| s.date), Some(e.deadline.date));
            assert_eq!(e.steps.last().and_then(|s| s.counted), Some(n));
            for (i, s) in e.steps.iter().enumerate() {
                assert_eq!(s.counted.is_some(), c.is_workday(s.date));
                assert_eq!(s.counted.is_some(), s.reason.is_workday());
                if i > 0 {
                    assert_eq!(e.steps[i - 1].date.succ_opt(), Some(s.date));
                }
            }
            let warned = !e.deadline.warnings.is_empty();
            assert_eq!(warned, e.steps.iter().any(|s| s.estimated));
        }
    }
}

#[test]
fn workdays_between_agrees_with_counting_day_by_day() {
    let c = cal();
    for a in all_days("2016-11-01", "2027-03-01").step_by(5) {
        let mut count = 0i64;
        let mut b = a;
        for _ in 0..70 {
            b = b.succ_opt().unwrap();
            if c.is_workday(b) {
                count += 1;
            }
            assert_eq!(c.workdays_between(a, b), count, "({a}, {b}]");
        }
    }
}

#[test]
fn a_later_override_wins_and_workday_on_a_weekday_changes_nothing() {
    let o = |date: &str, kind, name: &str| DayOverride {
        date: d(date),
        kind,
        name: name.into(),
        source: String::new(),
    };
    let c = Calendar::new([
        o("2030-10-01", DayKind::Holiday, "国庆节"),
        o("2030-10-01", DayKind::Workday, "更正"),
        o("2030-10-02", DayKind::Workday, "上班"),
    ]);
    assert!(c.has_data(2030));
    assert!(c.is_workday(d("2030-10-01")));
    assert_eq!(
        c.day(d("2030-10-02")).reason,
        Reason::NamedWorkday("上班".into())
    );
    assert_eq!(c.workdays_between(d("2030-09-30"), d("2030-10-02")), 2);
    assert_eq!(c.overrides_in(2030).len(), 2);
}

#[test]
fn kinds_round_trip() {
    for k in DayKind::ALL {
        assert_eq!(DayKind::from_code(k.code()), Some(k));
    }
    assert_eq!(DayKind::from_code("weekend"), None);
}
