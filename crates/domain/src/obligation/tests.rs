use super::*;
use crate::calendar::Calendar;
use chrono::{Datelike, NaiveDate};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn t(s: &str) -> chrono::NaiveDateTime {
    chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
}

fn c(s: &str) -> Cadence {
    s.parse().unwrap()
}

/// The plan of the seed arrangement: issued 2017-06-05, in force to the end of 2017.
fn seed_plan() -> PlanYear {
    PlanYear::for_year(2017, Some(d("2017-06-05"))).unwrap()
}

fn year(y: i32) -> PlanYear {
    PlanYear::calendar_year(y).unwrap()
}

/// (key, label, start, end, opens, due, partial)
fn rows(ps: &[Period]) -> Vec<(String, String, String, String, String, String, bool)> {
    ps.iter()
        .map(|p| {
            (
                p.key.clone(),
                p.label.clone(),
                p.start.to_string(),
                p.end.to_string(),
                p.window.opens.to_string(),
                p.window.due.to_string(),
                p.partial,
            )
        })
        .collect()
}

fn row(
    key: &str,
    label: &str,
    start: &str,
    end: &str,
    opens: &str,
    due: &str,
    partial: bool,
) -> (String, String, String, String, String, String, bool) {
    (
        key.into(),
        label.into(),
        start.into(),
        end.into(),
        opens.into(),
        due.into(),
        partial,
    )
}

// ---------------------------------------------------------------- cadence vocabulary

#[test]
fn cadence_vocabulary_round_trips_with_chinese_labels() {
    let cases = [
        ("weekly", "每周", CadenceKind::Periodic),
        ("monthly", "每月", CadenceKind::Periodic),
        ("quarterly", "每季度", CadenceKind::Periodic),
        ("half_yearly", "每半年", CadenceKind::Periodic),
        ("yearly", "每年", CadenceKind::Periodic),
        ("every_5_days", "每5天", CadenceKind::Periodic),
        (
            "every_5_days@10-01..03-31",
            "10月1日至次年3月31日每5天",
            CadenceKind::Periodic,
        ),
        (
            "every_7_days@06-01..08-31",
            "6月1日至8月31日每7天",
            CadenceKind::Periodic,
        ),
        (
            "at_least_5_per_year",
            "每年不少于5次",
            CadenceKind::Periodic,
        ),
        (
            "within_3_working_days",
            "3个工作日内",
            CadenceKind::EventTriggered,
        ),
        ("within_30_days", "30日内", CadenceKind::EventTriggered),
        ("within_5_hours", "5小时内", CadenceKind::EventTriggered),
        ("within_24_hours", "24小时内", CadenceKind::EventTriggered),
        ("periodic", "定期", CadenceKind::NotSchedulable),
        ("timely", "及时", CadenceKind::NotSchedulable),
        (
            "once_by_2017-06-30",
            "2017年6月30日前",
            CadenceKind::Periodic,
        ),
    ];
    for (norm, label, kind) in cases {
        let cad: Cadence = norm.parse().unwrap_or_else(|e| panic!("{norm}: {e}"));
        assert_eq!(cad.to_string(), norm);
        assert_eq!(cad.label(), label, "{norm}");
        assert_eq!(cad.kind(), kind, "{norm}");
    }
    for cad in Cadence::SIMPLE {
        assert_eq!(cad.to_string().parse::<Cadence>().unwrap(), cad);
    }
    assert_eq!(
        c("within_3_working_days"),
        Cadence::WithinWorkingDays(3),
        "working days are not read as days"
    );
    assert_eq!(c("within_3_days"), Cadence::WithinDays(3));
}

#[test]
fn cadence_rejects_what_is_not_in_the_vocabulary() {
    for bad in [
        "",
        "Monthly",
        "monthly ",
        "every_0_days",
        "every_05_days",
        "every_+5_days",
        "every_N_days",
        "every_5_day",
        "every_5_days@",
        "every_5_days@13-01..03-31",
        "every_5_days@02-30..03-31",
        "every_5_days@10-01",
        "at_least_0_per_year",
        "at_least_5_per_month",
        "within_0_hours",
        "within_-1_days",
        "within_3_weeks",
        "within_99999999999_days",
        "once_by_2017-6-30",
        "once_by_2017-02-29",
        "once_by_",
        "定期",
    ] {
        let e = bad.parse::<Cadence>().unwrap_err();
        assert_eq!(e.to_string(), format!("无法识别的周期“{bad}”"));
    }
}

#[test]
fn cadence_deserializes_from_its_norm_string() {
    use serde::Deserialize;
    use serde::de::IntoDeserializer;
    use serde::de::value::{Error, StrDeserializer};
    let de: StrDeserializer<'_, Error> = "every_5_days@10-01..03-31".into_deserializer();
    let cad = Cadence::deserialize(de).unwrap();
    assert_eq!(cad.to_string(), "every_5_days@10-01..03-31");
    let de: StrDeserializer<'_, Error> = "fortnightly".into_deserializer();
    assert!(Cadence::deserialize(de).is_err());
}

#[test]
fn season_with_29_february() {
    let s: Season = "02-01..02-29".parse().unwrap();
    assert_eq!(s.occurrence(2020), Some((d("2020-02-01"), d("2020-02-29"))));
    assert_eq!(s.occurrence(2019), Some((d("2019-02-01"), d("2019-02-28"))));
    let s: Season = "02-29..03-10".parse().unwrap();
    assert_eq!(s.occurrence(2019), Some((d("2019-03-01"), d("2019-03-10"))));
    assert_eq!(s.occurrence(2020), Some((d("2020-02-29"), d("2020-03-10"))));
    let wrap: Season = "12-01..02-29".parse().unwrap();
    assert!(wrap.wraps());
    assert_eq!(
        wrap.occurrence(2019),
        Some((d("2019-12-01"), d("2020-02-29")))
    );
    assert_eq!(
        wrap.occurrence(2020),
        Some((d("2020-12-01"), d("2021-02-28")))
    );
}

// ---------------------------------------------------------------- plan bounds

#[test]
fn plan_year_bounds() {
    let p = seed_plan();
    assert_eq!(
        (p.start(), p.end(), p.year()),
        (d("2017-06-05"), d("2017-12-31"), 2017)
    );
    // Issued the year before: in force from 1 January.
    let p = PlanYear::for_year(2017, Some(d("2016-12-20"))).unwrap();
    assert_eq!(p.start(), d("2017-01-01"));
    let p = PlanYear::for_year(2017, None).unwrap();
    assert_eq!(p, year(2017));
    let p = year(2017).with_end(d("2018-01-31")).unwrap();
    assert_eq!(p.end(), d("2018-01-31"));
    assert!(p.contains(d("2018-01-31")) && !p.contains(d("2018-02-01")));
    let e = PlanYear::new(d("2017-06-05"), d("2017-06-04")).unwrap_err();
    assert!(matches!(e, ScheduleError::BadPlanBounds { .. }));
    assert!(e.to_string().contains("计划起止日期无效"));
    assert!(PlanYear::new(d("2017-01-01"), d("2030-01-01")).is_err());
    assert!(PlanYear::new(d("2017-06-05"), d("2017-06-05")).is_ok());
}

// ---------------------------------------------------------------- periods

#[test]
fn monthly_plan_issued_2017_06_05_starts_with_june() {
    let ob = Obligation::new(Cadence::Monthly, seed_plan());
    let ps = ob.periods(&MondayToFriday).unwrap();
    assert_eq!(
        rows(&ps),
        vec![
            row(
                "2017-06",
                "2017年6月",
                "2017-06-01",
                "2017-06-30",
                "2017-06-05",
                "2017-07-28",
                true
            ),
            row(
                "2017-07",
                "2017年7月",
                "2017-07-01",
                "2017-07-31",
                "2017-07-01",
                "2017-08-28",
                false
            ),
            row(
                "2017-08",
                "2017年8月",
                "2017-08-01",
                "2017-08-31",
                "2017-08-01",
                "2017-09-28",
                false
            ),
            row(
                "2017-09",
                "2017年9月",
                "2017-09-01",
                "2017-09-30",
                "2017-09-01",
                "2017-10-27",
                false
            ),
            row(
                "2017-10",
                "2017年10月",
                "2017-10-01",
                "2017-10-31",
                "2017-10-01",
                "2017-11-28",
                false
            ),
            row(
                "2017-11",
                "2017年11月",
                "2017-11-01",
                "2017-11-30",
                "2017-11-01",
                "2017-12-28",
                false
            ),
            row(
                "2017-12",
                "2017年12月",
                "2017-12-01",
                "2017-12-31",
                "2017-12-01",
                "2018-01-26",
                false
            ),
        ]
    );
    assert!(ps.iter().all(|p| p.required == 1));
}

#[test]
fn monthly_due_dates_on_the_statutory_calendar() {
    // 2017: 国庆 and 中秋 merged, 10月1日–8日 off, 9月30日 (Saturday) worked; 2018-01-01 元旦.
    let cal = Calendar::shipped();
    let ob = Obligation::new(Cadence::Monthly, seed_plan());
    let due: Vec<String> = ob
        .periods(&cal)
        .unwrap()
        .iter()
        .map(|p| format!("{} {}", p.key, p.window.due))
        .collect();
    assert_eq!(
        due,
        [
            "2017-06 2017-07-28",
            "2017-07 2017-08-28",
            "2017-08 2017-09-28",
            // Sep 30 is a make-up Saturday but is the period's last day, not counted; Oct 1–8 off.
            "2017-09 2017-11-03",
            "2017-10 2017-11-28",
            "2017-11 2017-12-28",
            "2017-12 2018-01-29",
        ]
    );
}

#[test]
fn quarterly_and_half_yearly_of_the_seed_plan() {
    let ob = Obligation::new(Cadence::Quarterly, seed_plan());
    assert_eq!(
        rows(&ob.periods(&MondayToFriday).unwrap()),
        vec![
            row(
                "2017-Q2",
                "2017年第2季度",
                "2017-04-01",
                "2017-06-30",
                "2017-06-05",
                "2017-07-28",
                true
            ),
            row(
                "2017-Q3",
                "2017年第3季度",
                "2017-07-01",
                "2017-09-30",
                "2017-07-01",
                "2017-10-27",
                false
            ),
            row(
                "2017-Q4",
                "2017年第4季度",
                "2017-10-01",
                "2017-12-31",
                "2017-10-01",
                "2018-01-26",
                false
            ),
        ]
    );
    let ob = Obligation::new(Cadence::HalfYearly, seed_plan());
    assert_eq!(
        rows(&ob.periods(&MondayToFriday).unwrap()),
        vec![
            row(
                "2017-H1",
                "2017年上半年",
                "2017-01-01",
                "2017-06-30",
                "2017-06-05",
                "2017-07-28",
                true
            ),
            row(
                "2017-H2",
                "2017年下半年",
                "2017-07-01",
                "2017-12-31",
                "2017-07-01",
                "2018-01-26",
                false
            ),
        ]
    );
    let full = Obligation::new(Cadence::Quarterly, year(2017));
    let labels: Vec<String> = full
        .periods(&MondayToFriday)
        .unwrap()
        .into_iter()
        .map(|p| format!("{} {}..{}", p.label, p.start, p.end))
        .collect();
    assert_eq!(
        labels,
        [
            "2017年第1季度 2017-01-01..2017-03-31",
            "2017年第2季度 2017-04-01..2017-06-30",
            "2017年第3季度 2017-07-01..2017-09-30",
            "2017年第4季度 2017-10-01..2017-12-31",
        ]
    );
}

#[test]
fn yearly_and_at_least_n_per_year() {
    let ob = Obligation::new(Cadence::Yearly, seed_plan());
    assert_eq!(
        rows(&ob.periods(&MondayToFriday).unwrap()),
        vec![row(
            "2017",
            "2017年度",
            "2017-01-01",
            "2017-12-31",
            "2017-06-05",
            "2018-01-26",
            true
        )]
    );
    let ob = Obligation::new(c("at_least_5_per_year"), seed_plan());
    let ps = ob.periods(&MondayToFriday).unwrap();
    assert_eq!(ps.len(), 1);
    assert_eq!((ps[0].label.as_str(), ps[0].required), ("2017年度", 5));
    assert_eq!(ps[0].window.opens, d("2017-06-05"));
    // A plan running into the next year has a second yearly period.
    let ob = Obligation::new(
        Cadence::Yearly,
        year(2017).with_end(d("2018-03-31")).unwrap(),
    );
    let keys: Vec<String> = ob
        .periods(&MondayToFriday)
        .unwrap()
        .into_iter()
        .map(|p| format!("{} {}", p.key, p.partial))
        .collect();
    assert_eq!(keys, ["2017 false", "2018 true"]);
}

#[test]
fn weekly_iso_weeks_and_year_boundaries() {
    // The seed plan starts on a Monday: its first week is exactly ISO week 23.
    let ob = Obligation::new(Cadence::Weekly, seed_plan());
    let ps = ob.periods(&MondayToFriday).unwrap();
    assert_eq!(
        rows(&ps[..1]),
        vec![row(
            "2017-W23",
            "2017年第23周",
            "2017-06-05",
            "2017-06-11",
            "2017-06-05",
            "2017-07-07",
            false
        )]
    );
    assert_eq!(ps.last().unwrap().key, "2017-W52");
    assert_eq!(ps.len(), 30);

    // 2017-01-01 is a Sunday: the plan's first week is ISO 2016-W52, of which one day is in 2017.
    let ps = Obligation::new(Cadence::Weekly, year(2017))
        .periods(&MondayToFriday)
        .unwrap();
    assert_eq!(
        rows(&ps[..1]),
        vec![row(
            "2016-W52",
            "2016年第52周",
            "2016-12-26",
            "2017-01-01",
            "2017-01-01",
            "2017-01-27",
            true
        )]
    );
    assert_eq!(ps[1].key, "2017-W01");
    assert_eq!(ps[1].start, d("2017-01-02"));
    assert_eq!(ps.len(), 53);

    // Years with an ISO week 53.
    for (y, first, last, n) in [
        (2015, "2015-W01", "2015-W53", 53),
        (2020, "2020-W01", "2020-W53", 53),
        (2021, "2020-W53", "2021-W52", 53),
        (2026, "2026-W01", "2026-W53", 53),
        (2027, "2026-W53", "2027-W52", 53),
    ] {
        let ps = Obligation::new(Cadence::Weekly, year(y))
            .periods(&MondayToFriday)
            .unwrap();
        assert_eq!(ps.first().unwrap().key, first, "{y}");
        assert_eq!(ps.last().unwrap().key, last, "{y}");
        assert_eq!(ps.len(), n, "{y}");
    }
    let w53 = Obligation::new(Cadence::Weekly, year(2020))
        .period_at(d("2020-12-31"), &MondayToFriday)
        .unwrap()
        .unwrap();
    assert_eq!(
        (w53.label.as_str(), w53.start, w53.end, w53.partial),
        ("2020年第53周", d("2020-12-28"), d("2021-01-03"), true)
    );
}

#[test]
fn leap_years() {
    let ob = Obligation::new(Cadence::Monthly, year(2020));
    let feb = ob
        .period_at(d("2020-02-15"), &MondayToFriday)
        .unwrap()
        .unwrap();
    assert_eq!((feb.start, feb.end), (d("2020-02-01"), d("2020-02-29")));
    let ob = Obligation::new(Cadence::Monthly, year(2019));
    let feb = ob
        .period_at(d("2019-02-15"), &MondayToFriday)
        .unwrap()
        .unwrap();
    assert_eq!(feb.end, d("2019-02-28"));
    // 2100 is not a leap year.
    let ob = Obligation::new(Cadence::Monthly, year(2100));
    let feb = ob
        .period_at(d("2100-02-15"), &MondayToFriday)
        .unwrap()
        .unwrap();
    assert_eq!(feb.end, d("2100-02-28"));

    // 15 days after 29 February 2020 is Sunday 15 March: moved to Monday.
    let ob = Obligation::new(Cadence::Monthly, year(2020)).with_due(DueRule::DaysAfterEnd(15));
    let feb = ob
        .period_at(d("2020-02-01"), &MondayToFriday)
        .unwrap()
        .unwrap();
    assert_eq!(feb.window.due, d("2020-03-16"));
    let ob = Obligation::new(Cadence::Monthly, year(2019)).with_due(DueRule::DaysAfterEnd(15));
    let feb = ob
        .period_at(d("2019-02-01"), &MondayToFriday)
        .unwrap()
        .unwrap();
    assert_eq!(feb.window.due, d("2019-03-15"));

    // Every 10 days across 29 February.
    let spans = |y: i32| -> Vec<String> {
        Obligation::new(c("every_10_days"), year(y))
            .periods(&MondayToFriday)
            .unwrap()
            .into_iter()
            .filter(|p| p.start.month() == 2)
            .map(|p| format!("{}..{}", p.start, p.end))
            .collect()
    };
    assert_eq!(
        spans(2020),
        ["2020-02-10..2020-02-19", "2020-02-20..2020-02-29"]
    );
    assert_eq!(
        spans(2019),
        ["2019-02-10..2019-02-19", "2019-02-20..2019-03-01"]
    );
    let q1 = Obligation::new(Cadence::Quarterly, year(2024))
        .periods(&MondayToFriday)
        .unwrap();
    assert_eq!((q1[0].end - q1[0].start).num_days() + 1, 91);
}

#[test]
fn every_n_days_from_the_plan_start() {
    let ob = Obligation::new(c("every_5_days"), seed_plan());
    let ps = ob.periods(&MondayToFriday).unwrap();
    assert_eq!(ps[0].label, "2017年6月5日至6月9日");
    assert_eq!(ps[0].key, "2017-06-05");
    assert_eq!((ps[1].start, ps[1].end), (d("2017-06-10"), d("2017-06-14")));
    // 210 days from June 5 to December 31: 42 runs of 5, the last ending on Dec 31.
    assert_eq!(ps.len(), 42);
    assert_eq!(ps.last().unwrap().end, d("2017-12-31"));
    assert!(ps.iter().all(|p| !p.partial));
    // A last run cut short by the plan's end.
    let ps = Obligation::new(c("every_7_days"), seed_plan())
        .periods(&MondayToFriday)
        .unwrap();
    let last = ps.last().unwrap();
    assert_eq!((last.start, last.end), (d("2017-12-25"), d("2017-12-31")));
    let ps = Obligation::new(c("every_4_days"), seed_plan())
        .periods(&MondayToFriday)
        .unwrap();
    let last = ps.last().unwrap();
    assert_eq!((last.start, last.end), (d("2017-12-30"), d("2017-12-31")));
    assert_eq!(last.label, "2017年12月30日至12月31日");
    let ps = Obligation::new(c("every_11_days"), seed_plan())
        .periods(&MondayToFriday)
        .unwrap();
    let last = ps.last().unwrap();
    assert_eq!((last.start, last.end), (d("2017-12-31"), d("2017-12-31")));
    assert_eq!(last.label, "2017年12月31日");
}

#[test]
fn every_n_days_in_a_season_running_into_the_next_year() {
    // 收购旺季 October to March, every 5 days.
    let ob = Obligation::new(c("every_5_days@10-01..03-31"), year(2017));
    let ps = ob.periods(&MondayToFriday).unwrap();
    let first = &ps[0];
    assert_eq!(first.label, "2016年12月30日至2017年1月3日");
    assert_eq!((first.start, first.end), (d("2016-12-30"), d("2017-01-03")));
    assert!(first.partial);
    assert_eq!(first.window.opens, d("2017-01-01"));
    // The season's last run is cut at 31 March.
    let march: Vec<&Period> = ps.iter().filter(|p| p.start.month() == 3).collect();
    let last = march.last().unwrap();
    assert_eq!((last.start, last.end), (d("2017-03-30"), d("2017-03-31")));
    // Nothing out of season.
    assert!(
        ps.iter()
            .all(|p| p.end <= d("2017-03-31") || p.start >= d("2017-10-01"))
    );
    assert_eq!(
        ob.period_at(d("2017-06-15"), &MondayToFriday).unwrap(),
        None
    );
    // The autumn season starts afresh on 1 October; its run over New Year is partial.
    let oct = ob
        .period_at(d("2017-10-01"), &MondayToFriday)
        .unwrap()
        .unwrap();
    assert_eq!((oct.start, oct.end), (d("2017-10-01"), d("2017-10-05")));
    let last = ps.last().unwrap();
    assert_eq!((last.start, last.end), (d("2017-12-30"), d("2018-01-03")));
    assert!(last.partial);
    assert_eq!(last.label, "2017年12月30日至2018年1月3日");
    // A season within the year.
    let ob = Obligation::new(c("every_7_days@06-01..08-31"), seed_plan());
    let ps = ob.periods(&MondayToFriday).unwrap();
    assert_eq!((ps[0].start, ps[0].end), (d("2017-06-01"), d("2017-06-07")));
    assert_eq!(ps[0].window.opens, d("2017-06-05"));
    assert!(ps[0].partial);
    let last = ps.last().unwrap();
    assert_eq!((last.start, last.end), (d("2017-08-31"), d("2017-08-31")));
    assert_eq!(ps.len(), 14);
}

#[test]
fn once_by_a_date() {
    let ob = Obligation::new(c("once_by_2017-11-30"), seed_plan());
    assert_eq!(
        rows(&ob.periods(&MondayToFriday).unwrap()),
        vec![row(
            "by-2017-11-30",
            "2017年11月30日前",
            "2017-06-05",
            "2017-11-30",
            "2017-06-05",
            "2017-11-30",
            false
        )]
    );
    // The document's date is kept even when it is a Sunday.
    let ob = Obligation::new(c("once_by_2017-12-31"), seed_plan());
    assert_eq!(
        ob.periods(&MondayToFriday).unwrap()[0].window.due,
        d("2017-12-31")
    );
}

#[test]
fn due_dates_on_days_off_move_to_the_next_working_day() {
    // Calendar days after the period end, landing on a weekend.
    let ob = Obligation::new(Cadence::Monthly, year(2017)).with_due(DueRule::DaysAfterEnd(15));
    let due = |ob: &Obligation, on: &str, cal: &dyn WorkingDays| {
        ob.period_at(d(on), &cal).unwrap().unwrap().window.due
    };
    assert_eq!(due(&ob, "2017-03-10", &MondayToFriday), d("2017-04-17")); // Apr 15 is a Saturday
    assert_eq!(due(&ob, "2017-09-10", &MondayToFriday), d("2017-10-16")); // Oct 15 is a Sunday
    assert_eq!(due(&ob, "2017-04-10", &MondayToFriday), d("2017-05-15")); // a Monday already
    let no_roll = ob.with_roll_to_workday(false);
    assert_eq!(
        due(&no_roll, "2017-03-10", &MondayToFriday),
        d("2017-04-15")
    );
    // Onto a statutory holiday: 1 day after 30 September 2017 is in the National Day break.
    let cal = Calendar::shipped();
    let ob1 = ob.with_due(DueRule::DaysAfterEnd(1));
    assert_eq!(due(&ob1, "2017-09-10", &MondayToFriday), d("2017-10-02"));
    assert_eq!(due(&ob1, "2017-09-10", &cal), d("2017-10-09"));
    // Due on the period end: December 2017 ends on a Sunday.
    let ob0 = ob.with_due(DueRule::DaysAfterEnd(0));
    assert_eq!(due(&ob0, "2017-12-10", &cal), d("2018-01-02"));
    let ob0 = ob.with_due(DueRule::WorkingDaysAfterEnd(0));
    assert_eq!(due(&ob0, "2017-05-10", &cal), d("2017-05-31"));
    // Working days skip the holidays: 5 working days after 30 April 2017 (劳动节 1 May).
    let ob5 = ob.with_due(DueRule::WorkingDaysAfterEnd(5));
    assert_eq!(due(&ob5, "2017-04-10", &MondayToFriday), d("2017-05-05"));
    assert_eq!(due(&ob5, "2017-04-10", &cal), d("2017-05-08"));
    assert_eq!(DueRule::default(), DueRule::WorkingDaysAfterEnd(20));
    assert_eq!(DueRule::default().label(), "期满后20个工作日内");
    assert_eq!(DueRule::DaysAfterEnd(15).label(), "期满后15日内");
}

#[test]
fn current_period_and_open_windows() {
    let ob = Obligation::new(Cadence::Monthly, seed_plan());
    let cal = MondayToFriday;
    let at = |s: &str| ob.period_at(d(s), &cal).unwrap().map(|p| p.label);
    assert_eq!(at("2017-06-05").as_deref(), Some("2017年6月"));
    assert_eq!(at("2017-06-02").as_deref(), Some("2017年6月"));
    assert_eq!(at("2017-05-31"), None);
    assert_eq!(at("2017-12-31").as_deref(), Some("2017年12月"));
    assert_eq!(at("2018-01-05"), None);
    let open: Vec<String> = ob
        .periods_open_on(d("2017-07-10"), &cal)
        .unwrap()
        .into_iter()
        .map(|p| p.label)
        .collect();
    assert_eq!(open, ["2017年6月", "2017年7月"]);
    let open: Vec<String> = ob
        .periods_open_on(d("2018-01-10"), &cal)
        .unwrap()
        .into_iter()
        .map(|p| p.label)
        .collect();
    assert_eq!(open, ["2017年12月"]);
    assert!(
        ob.periods_open_on(d("2017-06-01"), &cal)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn event_triggered_cadences_have_no_periods_but_a_due_date() {
    let plan = seed_plan();
    let cal = Calendar::shipped();
    let ob = Obligation::new(c("within_3_working_days"), plan);
    assert_eq!(
        ob.periods(&cal).unwrap_err(),
        ScheduleError::EventTriggered {
            cadence: Cadence::WithinWorkingDays(3)
        }
    );
    assert_eq!(
        ob.periods(&cal).unwrap_err().to_string(),
        "“3个工作日内”自事件发生时起算，没有固定周期"
    );
    // 2017-09-30 (Saturday) is a make-up workday, 10月1日–8日 off.
    assert_eq!(
        ob.due_after_event(t("2017-09-29 10:00"), &cal).unwrap(),
        EventDue::Date(d("2017-10-10"))
    );
    assert_eq!(
        ob.due_after_event(t("2017-09-29 10:00"), &MondayToFriday)
            .unwrap(),
        EventDue::Date(d("2017-10-04"))
    );
    // An event on a day off: counting starts on the next working day all the same.
    assert_eq!(
        ob.due_after_event(t("2017-10-01 09:00"), &cal).unwrap(),
        EventDue::Date(d("2017-10-11"))
    );
    let ob = Obligation::new(c("within_30_days"), plan);
    // 30 days after 1 June 2017 is Saturday 1 July.
    assert_eq!(
        ob.due_after_event(t("2017-06-01 16:00"), &cal).unwrap(),
        EventDue::Date(d("2017-07-03"))
    );
    assert_eq!(
        ob.with_roll_to_workday(false)
            .due_after_event(t("2017-06-01 16:00"), &cal)
            .unwrap(),
        EventDue::Date(d("2017-07-01"))
    );
    let ob = Obligation::new(c("within_5_hours"), plan);
    let due = ob.due_after_event(t("2017-12-31 22:30"), &cal).unwrap();
    assert_eq!(due, EventDue::Instant(t("2018-01-01 03:30")));
    assert_eq!(due.to_string(), "2018-01-01 03:30");
    assert_eq!(due.date(), d("2018-01-01"));
    let ob = Obligation::new(c("within_24_hours"), plan);
    assert_eq!(
        ob.due_after_event(t("2020-02-28 08:00"), &cal).unwrap(),
        EventDue::Instant(t("2020-02-29 08:00"))
    );
    match ob.schedule(&cal) {
        Schedule::EventTriggered(r) => assert_eq!(r.label(), "事件发生后24小时内"),
        other => panic!("{other:?}"),
    }
    // A periodic cadence has no event rule.
    let monthly = Obligation::new(Cadence::Monthly, plan);
    assert_eq!(
        monthly
            .due_after_event(t("2017-06-01 08:00"), &cal)
            .unwrap_err(),
        ScheduleError::NotEventTriggered {
            cadence: Cadence::Monthly
        }
    );
}

#[test]
fn periodic_and_timely_are_never_scheduled() {
    for (norm, word) in [("periodic", "定期"), ("timely", "及时")] {
        let ob = Obligation::new(c(norm), seed_plan());
        let e = ob.periods(&MondayToFriday).unwrap_err();
        match &e {
            ScheduleError::NotSchedulable { cadence, reason } => {
                assert_eq!(*cadence, c(norm));
                assert!(reason.contains(word), "{reason}");
                assert!(reason.contains("无法计算"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            ob.period_at(d("2017-07-01"), &MondayToFriday),
            Err(ScheduleError::NotSchedulable { .. })
        ));
        assert!(matches!(
            ob.due_after_event(t("2017-07-01 08:00"), &MondayToFriday),
            Err(ScheduleError::NotSchedulable { .. })
        ));
        match ob.schedule(&MondayToFriday) {
            Schedule::NotSchedulable { reason } => assert!(reason.contains(word)),
            other => panic!("{other:?}"),
        }
    }
}

/// Every periodic cadence over many plan years: periods in order, without gaps or overlaps for
/// the calendar cadences, covering every day of the plan, windows inside sensible bounds and due
/// dates on working days.
#[test]
fn exhaustive_period_invariants() {
    let cal = Calendar::shipped();
    let cadences = [
        "weekly",
        "monthly",
        "quarterly",
        "half_yearly",
        "yearly",
        "at_least_3_per_year",
        "every_1_days",
        "every_3_days",
        "every_10_days",
        "every_30_days",
        "every_5_days@10-01..03-31",
        "every_7_days@02-29..03-31",
        "once_by_2020-06-30",
    ];
    let mut plans = Vec::new();
    for y in 2015..=2028 {
        plans.push(year(y));
        for issued in ["01-01", "02-29", "03-01", "06-05", "12-31"] {
            if let Ok(day) = NaiveDate::parse_from_str(&format!("{y}-{issued}"), "%Y-%m-%d") {
                plans.push(PlanYear::for_year(y, Some(day)).unwrap());
            }
        }
    }
    for norm in cadences {
        let cad = c(norm);
        let natural = !matches!(cad, Cadence::EveryNDays { .. } | Cadence::OnceBy(_));
        let seasonal = matches!(
            cad,
            Cadence::EveryNDays {
                season: Some(_),
                ..
            }
        );
        for &plan in &plans {
            for due in [
                DueRule::STATUTORY,
                DueRule::WorkingDaysAfterEnd(1),
                DueRule::DaysAfterEnd(10),
            ] {
                let ob = Obligation::new(cad, plan).with_due(due);
                let ps = ob.periods(&cal).unwrap();
                let ctx = format!("{norm} {plan:?} {due:?}");
                if !seasonal {
                    assert!(!ps.is_empty(), "{ctx}");
                }
                let mut keys = std::collections::HashSet::new();
                for (i, p) in ps.iter().enumerate() {
                    assert!(p.start <= p.end, "{ctx} {p:?}");
                    assert!(p.start <= plan.end(), "{ctx} {p:?}");
                    let once = matches!(cad, Cadence::OnceBy(_));
                    assert!(p.end >= plan.start() || once, "{ctx} {p:?}");
                    assert!(p.window.opens <= p.window.due, "{ctx} {p:?}");
                    assert!(
                        p.window.opens >= plan.start() || p.window.due < plan.start(),
                        "{ctx} {p:?}"
                    );
                    if !matches!(cad, Cadence::OnceBy(_)) {
                        assert!(p.window.due >= p.end, "{ctx} {p:?}");
                        assert!(cal.is_workday(p.window.due), "{ctx} {p:?}");
                        assert_eq!(
                            p.partial,
                            p.start < plan.start() || p.end > plan.end(),
                            "{ctx} {p:?}"
                        );
                    }
                    assert!(keys.insert(p.key.clone()), "{ctx}: duplicate {}", p.key);
                    if i > 0 {
                        let prev = &ps[i - 1];
                        assert!(prev.end < p.start, "{ctx}: overlap {prev:?} {p:?}");
                        if natural || !seasonal {
                            assert_eq!(prev.end.succ_opt(), Some(p.start), "{ctx}: gap");
                        }
                    }
                    if let Cadence::EveryNDays { n, .. } = cad {
                        assert!((p.end - p.start).num_days() < i64::from(n), "{ctx} {p:?}");
                    }
                }
                // Every day of the plan lies in exactly one period (not for seasons or once_by).
                if !seasonal && !matches!(cad, Cadence::OnceBy(_)) {
                    assert_eq!(
                        ps.first().unwrap().start.max(plan.start()),
                        plan.start(),
                        "{ctx}"
                    );
                    assert!(ps.first().unwrap().contains(plan.start()), "{ctx}");
                    assert!(ps.last().unwrap().contains(plan.end()), "{ctx}");
                }
            }
        }
    }
}

#[test]
fn period_at_agrees_with_periods_for_every_day() {
    let cal = MondayToFriday;
    for norm in [
        "weekly",
        "monthly",
        "quarterly",
        "half_yearly",
        "every_9_days",
    ] {
        let ob = Obligation::new(
            c(norm),
            PlanYear::for_year(2020, Some(d("2020-02-29"))).unwrap(),
        );
        let ps = ob.periods(&cal).unwrap();
        let mut day = d("2020-02-29");
        while day <= d("2020-12-31") {
            let p = ob.period_at(day, &cal).unwrap().unwrap();
            assert!(p.contains(day));
            assert_eq!(ps.iter().filter(|q| q.contains(day)).count(), 1);
            day = day.succ_opt().unwrap();
        }
    }
}

// ---------------------------------------------------------------- working days

#[test]
fn working_day_helpers() {
    let m = MondayToFriday;
    assert_eq!(m.add_working_days(d("2017-06-02"), 0), d("2017-06-02"));
    assert_eq!(m.add_working_days(d("2017-06-02"), 1), d("2017-06-05"));
    assert_eq!(m.add_working_days(d("2017-06-03"), 1), d("2017-06-05"));
    assert_eq!(m.add_working_days(d("2017-06-05"), 5), d("2017-06-12"));
    assert_eq!(roll_to_workday(&m, d("2017-06-03")), d("2017-06-05"));
    assert_eq!(roll_to_workday(&m, d("2017-06-05")), d("2017-06-05"));
    assert_eq!(
        working_days_between(&m, d("2017-05-31"), d("2017-06-12")),
        8
    );
    assert_eq!(
        working_days_between(&m, d("2017-06-12"), d("2017-05-31")),
        0
    );
    assert_eq!(
        working_days_between(&m, d("2017-06-30"), d("2017-07-02")),
        0
    );
    // Never hangs or panics on a calendar with no working day, or at chrono's limits.
    struct NeverWork;
    impl WorkingDays for NeverWork {
        fn is_workday(&self, _: NaiveDate) -> bool {
            false
        }
    }
    let far = NeverWork.add_working_days(d("2017-01-01"), 2);
    assert!(far > d("2017-01-01"));
    assert_eq!(m.add_working_days(NaiveDate::MAX, 3), NaiveDate::MAX);
    // The statutory calendar through the trait.
    let cal = Calendar::shipped();
    assert_eq!(
        WorkingDays::add_working_days(&cal, d("2017-09-29"), 3),
        d("2017-10-10")
    );
    assert!(WorkingDays::is_workday(&cal, d("2017-09-30")));
    assert!(!WorkingDays::is_workday(&cal, d("2017-10-02")));
    assert_eq!(
        walk_working_days(&cal, d("2017-09-29"), 3),
        d("2017-10-10"),
        "the calendar's arithmetic and the plain walk agree"
    );
}

#[test]
fn adding_working_days_is_monotone_and_lands_on_working_days() {
    let cal = Calendar::shipped();
    let mut day = d("2016-12-01");
    while day <= d("2027-01-31") {
        let mut prev = day;
        for n in 1..=25 {
            let r = WorkingDays::add_working_days(&cal, day, n);
            assert!(r > prev, "{day} + {n}");
            assert!(WorkingDays::is_workday(&cal, r), "{day} + {n} = {r}");
            assert_eq!(working_days_between(&cal, day, r), n, "{day} + {n}");
            assert_eq!(count_working_days(&cal, day, r), n, "{day} + {n}");
            assert_eq!(working_days_between(&cal, r, day), 0);
            prev = r;
        }
        day = day.checked_add_days(chrono::Days::new(3)).unwrap();
    }
}

// ---------------------------------------------------------------- status

fn may_2017(due: DueRule) -> Period {
    Obligation::new(Cadence::Monthly, year(2017))
        .with_due(due)
        .period_at(d("2017-05-15"), &MondayToFriday)
        .unwrap()
        .unwrap()
}

#[test]
fn status_vocabulary() {
    let expected = [
        ("met", "按时完成"),
        ("met_late", "逾期完成"),
        ("missed", "未完成"),
        ("due_soon", "即将到期"),
        ("not_yet_due", "未到期"),
        ("not_applicable", "不适用"),
    ];
    for (s, (code, label)) in Status::ALL.into_iter().zip(expected) {
        assert_eq!((s.code(), s.label()), (code, label));
        assert_eq!(Status::from_code(code), Some(s));
    }
    assert_eq!(Status::from_code("done"), None);
}

#[test]
fn the_example_of_the_brief() {
    // Monthly fiscal figures due by the end of the month, published on 12 June: 8 working days late.
    let p = may_2017(DueRule::DaysAfterEnd(0));
    let title = "2017年5月财政收支情况";
    let a = assess(
        &p,
        &[Evidence {
            published_on: d("2017-06-12"),
            title,
        }],
        d("2017-07-01"),
        &Calendar::shipped(),
    );
    assert_eq!(a.status, Status::MetLate);
    assert_eq!(
        a.explanation,
        "2017年5月：2017-06-12发布《2017年5月财政收支情况》，逾期8个工作日（截止日期2017-05-31）"
    );
    assert_eq!(a.late_working_days, Some(8));
}

#[test]
fn status_table() {
    // May 2017 under the statutory rule: due 2017-06-28 (Wednesday).
    let p = may_2017(DueRule::STATUTORY);
    assert_eq!(p.window.due, d("2017-06-28"));
    let ev = |s: &str, title: &'static str| Evidence {
        published_on: d(s),
        title,
    };
    struct Case {
        name: &'static str,
        evidence: Vec<Evidence<'static>>,
        today: &'static str,
        status: Status,
        late: Option<u32>,
        explanation: &'static str,
    }
    let cases = [
        Case {
            name: "on time",
            evidence: vec![ev("2017-06-05", "5月财政收支")],
            today: "2017-07-10",
            status: Status::Met,
            late: None,
            explanation: "2017年5月：2017-06-05发布《5月财政收支》，按时完成（截止日期2017-06-28）",
        },
        Case {
            name: "on the due date",
            evidence: vec![ev("2017-06-28", "5月财政收支")],
            today: "2017-06-28",
            status: Status::Met,
            late: None,
            explanation: "2017年5月：2017-06-28发布《5月财政收支》，按时完成（截止日期2017-06-28）",
        },
        Case {
            name: "the earliest publication decides",
            evidence: vec![ev("2017-07-03", "更正"), ev("2017-06-20", "5月财政收支")],
            today: "2017-07-10",
            status: Status::Met,
            late: None,
            explanation: "2017年5月：2017-06-20发布《5月财政收支》，按时完成（截止日期2017-06-28）",
        },
        Case {
            name: "late by working days",
            evidence: vec![ev("2017-07-10", "5月财政收支")],
            today: "2017-07-12",
            status: Status::MetLate,
            late: Some(8),
            explanation: "2017年5月：2017-07-10发布《5月财政收支》，逾期8个工作日（截止日期2017-06-28）",
        },
        Case {
            name: "late by one working day",
            evidence: vec![ev("2017-06-29", "")],
            today: "2017-06-29",
            status: Status::MetLate,
            late: Some(1),
            explanation: "2017年5月：2017-06-29发布信息，逾期1个工作日（截止日期2017-06-28）",
        },
        Case {
            name: "missed",
            evidence: vec![],
            today: "2017-07-10",
            status: Status::Missed,
            late: Some(8),
            explanation: "2017年5月：截至2017-07-10未发布，已逾期8个工作日（截止日期2017-06-28）",
        },
        Case {
            name: "published before the window opens does not count",
            evidence: vec![ev("2017-04-28", "4月财政收支")],
            today: "2017-06-29",
            status: Status::Missed,
            late: Some(1),
            explanation: "2017年5月：截至2017-06-29未发布，已逾期1个工作日（截止日期2017-06-28）",
        },
        Case {
            name: "due soon: 3 working days left",
            evidence: vec![],
            today: "2017-06-23",
            status: Status::DueSoon,
            late: None,
            explanation: "2017年5月：尚未发布，距截止日期2017-06-28还有3个工作日",
        },
        Case {
            name: "due soon: the weekend does not count",
            evidence: vec![],
            today: "2017-06-24",
            status: Status::DueSoon,
            late: None,
            explanation: "2017年5月：尚未发布，距截止日期2017-06-28还有3个工作日",
        },
        Case {
            name: "due today",
            evidence: vec![],
            today: "2017-06-28",
            status: Status::DueSoon,
            late: None,
            explanation: "2017年5月：尚未发布，今日到期",
        },
        Case {
            name: "not yet due: 4 working days left",
            evidence: vec![],
            today: "2017-06-22",
            status: Status::NotYetDue,
            late: None,
            explanation: "2017年5月：尚未发布，截止日期2017-06-28",
        },
        Case {
            name: "not yet due: the period has not begun",
            evidence: vec![],
            today: "2017-04-20",
            status: Status::NotYetDue,
            late: None,
            explanation: "2017年5月：公开期2017-05-01起，截止日期2017-06-28",
        },
        Case {
            name: "publication after today is not counted",
            evidence: vec![ev("2017-06-27", "5月财政收支")],
            today: "2017-06-01",
            status: Status::NotYetDue,
            late: None,
            explanation: "2017年5月：尚未发布，截止日期2017-06-28",
        },
    ];
    for case in cases {
        let a = assess(&p, &case.evidence, d(case.today), &MondayToFriday);
        assert_eq!(a.status, case.status, "{}", case.name);
        assert_eq!(a.late_working_days, case.late, "{}", case.name);
        assert_eq!(a.explanation, case.explanation, "{}", case.name);
    }
}

#[test]
fn status_late_over_a_weekend_only() {
    // June 2017 due on its last day, Friday 30 June; published Saturday 1 July.
    let p = Obligation::new(Cadence::Monthly, year(2017))
        .with_due(DueRule::DaysAfterEnd(0))
        .period_at(d("2017-06-15"), &MondayToFriday)
        .unwrap()
        .unwrap();
    let a = assess(
        &p,
        &[Evidence {
            published_on: d("2017-07-01"),
            title: "6月财政收支",
        }],
        d("2017-07-01"),
        &MondayToFriday,
    );
    assert_eq!(a.status, Status::MetLate);
    assert_eq!(a.late_working_days, Some(0));
    assert!(
        a.explanation.ends_with("逾期1天（截止日期2017-06-30）"),
        "{}",
        a.explanation
    );
    // Missed, seen on Sunday.
    let a = assess(&p, &[], d("2017-07-02"), &MondayToFriday);
    assert_eq!(a.status, Status::Missed);
    assert!(a.explanation.contains("已逾期2天"), "{}", a.explanation);
    // Due soon seen on the Saturday before a Monday due date with only days off in between.
    let p = Obligation::new(Cadence::Monthly, year(2017))
        .with_due(DueRule::DaysAfterEnd(2))
        .period_at(d("2017-04-15"), &MondayToFriday)
        .unwrap()
        .unwrap();
    assert_eq!(p.window.due, d("2017-05-02"));
    let a = assess(&p, &[], d("2017-05-01"), &MondayToFriday);
    assert_eq!(a.status, Status::DueSoon);
    assert_eq!(
        a.explanation,
        "2017年4月：尚未发布，距截止日期2017-05-02还有1个工作日"
    );
}

#[test]
fn status_at_least_n_per_year() {
    let cal = Calendar::shipped();
    let p = Obligation::new(c("at_least_3_per_year"), seed_plan())
        .with_due(DueRule::DaysAfterEnd(0))
        .periods(&cal)
        .unwrap()
        .remove(0);
    assert_eq!(p.window.due, d("2018-01-02")); // 31 Dec 2017 is a Sunday, 1 Jan 2018 元旦
    let ev = |s: &str| Evidence {
        published_on: d(s),
        title: "政府常务会议",
    };
    let on_time = [ev("2017-07-01"), ev("2017-09-01"), ev("2017-12-28")];
    let a = assess(&p, &on_time, d("2018-02-01"), &cal);
    assert_eq!(a.status, Status::Met);
    assert_eq!(
        a.explanation,
        "2017年度：已发布3次（要求不少于3次），第3次于2017-12-28发布《政府常务会议》，按时完成（截止日期2018-01-02）"
    );
    // Before the plan was issued does not count.
    let early = [ev("2017-03-01"), ev("2017-09-01"), ev("2017-12-28")];
    let a = assess(&p, &early, d("2018-02-01"), &cal);
    assert_eq!(a.status, Status::Missed);
    assert_eq!(
        a.explanation,
        "2017年度：截至2018-02-01仅发布2次（要求不少于3次），已逾期22个工作日（截止日期2018-01-02）"
    );
    let late = [ev("2017-07-01"), ev("2017-09-01"), ev("2018-01-04")];
    let a = assess(&p, &late, d("2018-02-01"), &cal);
    assert_eq!(a.status, Status::MetLate);
    assert_eq!(a.late_working_days, Some(2));
    let a = assess(&p, &on_time[..2], d("2017-12-29"), &cal);
    assert_eq!(a.status, Status::DueSoon);
    assert_eq!(
        a.explanation,
        "2017年度：仅发布2次（要求不少于3次），距截止日期2018-01-02还有1个工作日"
    );
    assert_eq!(a.counted, 2);
}

#[test]
fn not_applicable_is_set_by_a_person() {
    let p = may_2017(DueRule::STATUTORY);
    let a = Assessment::not_applicable(&p, "本月无此类信息");
    assert_eq!(a.status, Status::NotApplicable);
    assert_eq!(a.explanation, "2017年5月：不适用（本月无此类信息）");
    assert_eq!(
        Assessment::not_applicable(&p, "").explanation,
        "2017年5月：不适用"
    );
}

#[test]
fn a_period_is_still_owed_until_published_or_set_aside() {
    let owed: Vec<&str> = Status::ALL
        .into_iter()
        .map(Status::code)
        .filter(|c| Status::still_owed(c))
        .collect();
    assert_eq!(owed, ["missed", "due_soon", "not_yet_due"]);
    assert!(!Status::still_owed("unknown"));
}
