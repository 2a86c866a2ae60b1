//! Every expected date was counted by hand on the shipped 2024 calendar: 中秋 9-15…9-17 off with
//! Saturday 9-14 worked; 国庆 10-01…10-07 off with Sunday 9-29 and Saturday 10-12 worked; no other
//! day off until 2025-01-01.

use super::*;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
}

fn cal() -> Calendar {
    Calendar::shipped()
}

fn case(received: &str) -> Case {
    Case::new(d(received), ClockRule::NATIONAL)
}

fn due(c: &Case) -> Option<NaiveDate> {
    c.deadline(&cal()).unwrap().due
}

fn refused(r: Result<(), CaseError>) -> String {
    match r {
        Err(e) => e.to_string(),
        Ok(()) => panic!("expected a refusal"),
    }
}

#[test]
fn applicant_types_and_outcomes_are_the_annual_report_rows() {
    let labels: Vec<_> = ApplicantType::ALL.iter().map(|t| t.label()).collect();
    assert_eq!(
        labels,
        [
            "自然人",
            "商业企业",
            "科研机构",
            "社会公益组织",
            "法律服务机构",
            "其他"
        ]
    );
    assert_eq!(
        ApplicantType::Research.full_label(),
        "法人或其他组织·科研机构"
    );
    let count = |g| Outcome::ALL.iter().filter(|o| o.group() == g).count();
    assert_eq!(count(OutcomeGroup::Disclosed), 1);
    assert_eq!(count(OutcomeGroup::Partial), 1);
    assert_eq!(count(OutcomeGroup::Withheld), 8);
    assert_eq!(count(OutcomeGroup::Unavailable), 3);
    assert_eq!(count(OutcomeGroup::NotHandled), 5);
    assert_eq!(count(OutcomeGroup::Other), 3);
    assert_eq!(
        Outcome::StateSecret.full_label(),
        "不予公开：1.属于国家秘密"
    );
    assert_eq!(
        Outcome::Inquiry.full_label(),
        "不予公开：8.属于行政查询事项"
    );
    assert_eq!(
        Outcome::NotHeld.full_label(),
        "无法提供：1.本机关不掌握相关政府信息"
    );
    assert_eq!(Outcome::Confirm.number(), Some(5));
    assert_eq!(Outcome::OtherOther.full_label(), "其他处理：3.其他");
    assert_eq!(Outcome::Disclosed.full_label(), "予以公开");
    for o in Outcome::ALL {
        assert_eq!(Outcome::from_code(o.code()), Some(*o));
    }
}

#[test]
fn receipt_dates_follow_article_31() {
    let s = d("2024-03-01");
    assert_eq!(
        receipt_date(Channel::InPerson, s, Some(d("2024-03-05"))),
        Ok(s)
    );
    assert!(receipt_date(Channel::Post, s, None).is_err());
    assert_eq!(
        receipt_date(Channel::Post, s, Some(d("2024-03-04"))),
        Ok(d("2024-03-04"))
    );
    assert_eq!(receipt_date(Channel::Online, s, None), Ok(s));
    assert_eq!(
        receipt_date(Channel::Email, s, Some(d("2024-03-02"))),
        Ok(d("2024-03-02"))
    );
    assert!(receipt_date(Channel::Fax, s, Some(d("2024-02-28"))).is_err());
}

#[test]
fn fees_of_the_2020_scale() {
    assert_eq!(fee_per_application(1), 0);
    assert_eq!(fee_per_application(10), 0);
    assert_eq!(fee_per_application(11), 100);
    assert_eq!(fee_per_application(30), 100);
    assert_eq!(fee_per_application(31), 200);
    assert_eq!(fee_per_application(40), 200);
    assert_eq!(fee_per_application(41), 300);
    assert!(fee_per_application(u32::MAX) > 0);
    assert_eq!(fee_per_page(0), 0);
    assert_eq!(fee_per_page(30), 0);
    assert_eq!(fee_per_page(31), 10);
    assert_eq!(fee_per_page(100), 700);
    assert_eq!(fee_per_page(101), 720);
    assert_eq!(fee_per_page(200), 2700);
    assert_eq!(fee_per_page(201), 2740);
    assert!(fee_per_page(u32::MAX) > 0);
    let (fee, why) = fee_explained(FeeScale::PerApplication, 35);
    assert_eq!(fee, 200);
    assert_eq!(
        why,
        "本月第35件申请，按件计收：第31至40件每件200元，计200元"
    );
    assert_eq!(fee_explained(FeeScale::PerPage, 45).0, 150);
}

#[test]
fn tracking_codes() {
    let c = tracking_code_from(&[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 255]);
    assert_eq!(c.len(), TRACKING_CODE_LEN);
    assert_eq!(normalize_tracking_code(&c.to_lowercase()), Some(c.clone()));
    assert_eq!(
        normalize_tracking_code("2345-6789 ABCD"),
        Some("23456789ABCD".into())
    );
    assert_eq!(normalize_tracking_code("O23456789ABC"), None);
    assert_eq!(normalize_tracking_code("<script>"), None);
    assert_eq!(phone_tail("138-0013-8000"), "8000");
    assert_eq!(phone_tail("12"), "12");
}

fn fields() -> ApplicationFields {
    ApplicationFields {
        applicant_type: "natural_person".into(),
        name: "张三".into(),
        id_type: "passport".into(),
        id_number: "E12345678".into(),
        phone: "13800138000".into(),
        description: "2024年城市低保资金发放明细".into(),
        delivery: "online".into(),
        ..Default::default()
    }
}

#[test]
fn application_fields_are_validated() {
    let ok = fields().validate().unwrap();
    assert_eq!(ok.phone_tail(), "8000");
    let mut f = fields();
    f.applicant_type = "commercial".into();
    f.description = "x".repeat(MAX_DESCRIPTION + 1);
    f.phone = "abc".into();
    f.delivery = "email".into();
    f.id_type = "resident_id".into();
    f.id_number = "110101199003070000".into();
    let e = f.validate().unwrap_err();
    let fields: Vec<_> = e.errors.iter().map(|e| e.field).collect();
    for want in ["org_name", "id_number", "phone", "description", "email"] {
        assert!(fields.contains(&want), "{want} in {fields:?}");
    }
    assert!(e.summary().contains("所需信息描述不能超过4000个字"));
    let mut f = fields_with_html();
    f.purpose = "\u{0}控制字符".into();
    let v = f.validate().unwrap();
    assert_eq!(v.purpose, "控制字符");
    assert_eq!(v.name, "<b>张三</b>");
}

fn fields_with_html() -> ApplicationFields {
    let mut f = fields();
    f.name = "<b>张三</b>".into();
    f
}

/// Received on Sunday 2024-09-29, a 调休 make-up workday: the receipt day is not counted; 9-30 is
/// day 1, 10-01…10-07 off, 10-08 day 2, Saturday 10-12 (worked) day 6, … 10-31 day 20.
#[test]
fn received_on_a_make_up_sunday() {
    let c = case("2024-09-29");
    let r = c.deadline(&cal()).unwrap();
    assert_eq!(r.due, Some(d("2024-10-31")));
    let line = |s: &str| r.steps.iter().find(|x| x.date == d(s)).unwrap().line();
    assert_eq!(
        line("2024-09-29"),
        "2024-09-29 星期日 不计（受理日，次日起算）"
    );
    assert_eq!(line("2024-09-30"), "2024-09-30 星期一 第1个工作日");
    assert!(
        line("2024-10-03").contains("不计（国庆节）"),
        "{}",
        line("2024-10-03")
    );
    assert!(line("2024-10-12").starts_with("2024-10-12 星期六 第6个工作日（调休上班"));
    assert!(
        r.summary().ends_with("答复期限 2024-10-31"),
        "{}",
        r.summary()
    );
}

/// Received during 国庆 (Thursday 2024-10-03): counting starts on the next working day, 10-08.
#[test]
fn received_on_a_holiday() {
    let c = case("2024-10-03");
    let r = c.deadline(&cal()).unwrap();
    assert_eq!(r.due, Some(d("2024-11-01")));
    let first = r.steps.iter().find(|s| s.counted == Some(1)).unwrap();
    assert_eq!(first.date, d("2024-10-08"));
    // 补正 notice limit: 7 working days from 10-08: 10-08,09,10,11,12(Sat worked),14,15.
    assert_eq!(c.supplement_notice_limit(&cal()).unwrap(), d("2024-10-15"));
    // A Saturday that is an ordinary day off works the same way.
    assert_eq!(due(&case("2024-11-09")), Some(d("2024-12-06")));
}

/// 补正 restart + consultation pause + extension in one case.
///
/// Received Friday 2024-09-27. 补正 notice limit: 9-29 (worked Sunday) 1, 9-30 2, 10-08 3, 10-09 4,
/// 10-10 5, 10-11 6, 10-12 (worked Saturday) 7 → 2024-10-12; notice sent 10-09. Supplement arrives
/// Monday 10-14: counting restarts, 10-15 day 1 … 10-18 day 4. Third party consulted from Monday
/// 10-21 to Monday 11-04 (10 working days not counted). 11-04 day 5 … 11-25 day 20. Extension of 20
/// working days approved 11-20: 11-26 day 21 … 12-23 day 40.
#[test]
fn supplement_restart_consultation_pause_and_extension_together() {
    let cal = cal();
    let mut c = case("2024-09-27");
    assert_eq!(due(&c), Some(d("2024-10-30")));
    assert_eq!(c.supplement_notice_limit(&cal).unwrap(), d("2024-10-12"));
    c.apply(
        CaseEvent::SupplementRequested {
            on: d("2024-10-09"),
            due_by: d("2024-10-25"),
            note: "请明确所需信息的年份".into(),
        },
        &cal,
    )
    .unwrap();
    assert_eq!(c.status(), Status::AwaitingSupplement);
    assert_eq!(due(&c), None, "unknown while waiting for the supplement");
    assert_eq!(c.flag(&cal, d("2024-11-30")), Flag::Paused);
    c.apply(
        CaseEvent::SupplementReceived {
            on: d("2024-10-14"),
        },
        &cal,
    )
    .unwrap();
    assert_eq!(c.status(), Status::InProgress);
    assert_eq!(due(&c), Some(d("2024-11-11")));
    c.apply(
        CaseEvent::ConsultationStarted {
            on: d("2024-10-21"),
            consulted: Consulted::ThirdParty,
            note: "征求某公司意见".into(),
        },
        &cal,
    )
    .unwrap();
    assert_eq!(c.status(), Status::Consultation);
    assert_eq!(due(&c), None);
    c.apply(
        CaseEvent::ConsultationEnded {
            on: d("2024-11-04"),
        },
        &cal,
    )
    .unwrap();
    assert_eq!(due(&c), Some(d("2024-11-25")));
    c.apply(
        CaseEvent::Extended {
            on: d("2024-11-20"),
            working_days: 20,
            approver: "李主任".into(),
            reason: "需调取档案".into(),
        },
        &cal,
    )
    .unwrap();
    let r = c.deadline(&cal).unwrap();
    assert_eq!(r.due, Some(d("2024-12-23")));
    assert_eq!(r.paused_working_days, 10);
    assert_eq!(r.extension_working_days, 20);
    assert_eq!(r.restarts, 1);
    assert_eq!(
        r.summary(),
        "受理日 2024-09-27；补正后重新起算 2024-10-14；法定期限 20 个工作日；暂停 10 个工作日；延期 20 个工作日；答复期限 2024-12-23"
    );
    let line = |s: &str| r.steps.iter().find(|x| x.date == d(s)).unwrap().line();
    assert!(
        line("2024-10-10").contains("不计（补正前）"),
        "{}",
        line("2024-10-10")
    );
    assert!(
        line("2024-10-22").contains("暂停：征求第三方意见"),
        "{}",
        line("2024-10-22")
    );
    assert!(line("2024-11-04").starts_with("2024-11-04 星期一 第5个工作日"));
    assert!(
        line("2024-12-23").ends_with("=答复期限"),
        "{}",
        line("2024-12-23")
    );
    // Only one extension.
    let again = c.apply(
        CaseEvent::Extended {
            on: d("2024-11-21"),
            working_days: 1,
            approver: "李主任".into(),
            reason: String::new(),
        },
        &cal,
    );
    assert!(refused(again).contains("已延期一次"));
    // Carried over when unanswered at the end of the year of receipt? Answered in time: no.
    assert!(c.carried_over(2024));
    c.apply(
        CaseEvent::Answered {
            on: d("2024-12-20"),
            outcome: Outcome::Partial,
            fee_yuan: 0,
            note: String::new(),
        },
        &cal,
    )
    .unwrap();
    assert!(!c.carried_over(2024));
    assert_eq!(c.flag(&cal, d("2025-01-10")), Flag::Done);
    // Rebuilt from its stored events, the case is the same.
    let rebuilt = Case::from_events(
        d("2024-09-27"),
        ClockRule::NATIONAL,
        c.events().to_vec(),
        &cal,
    )
    .unwrap();
    assert_eq!(rebuilt, c);
}

#[test]
fn supplement_notice_after_seven_working_days_is_refused() {
    let cal = cal();
    let mut c = case("2024-09-27");
    let late = c.apply(
        CaseEvent::SupplementRequested {
            on: d("2024-10-14"),
            due_by: d("2024-10-30"),
            note: "x".into(),
        },
        &cal,
    );
    let msg = refused(late);
    assert!(msg.contains("7个工作日内"), "{msg}");
    assert!(msg.contains("最迟 2024-10-12"), "{msg}");
    assert!(c.events().is_empty(), "nothing applied");
    // Once only.
    let ok = CaseEvent::SupplementRequested {
        on: d("2024-10-12"),
        due_by: d("2024-10-30"),
        note: "x".into(),
    };
    c.apply(ok.clone(), &cal).unwrap();
    c.apply(
        CaseEvent::SupplementReceived {
            on: d("2024-10-14"),
        },
        &cal,
    )
    .unwrap();
    assert!(
        refused(c.apply(
            CaseEvent::SupplementRequested {
                on: d("2024-10-14"),
                due_by: d("2024-10-30"),
                note: "y".into()
            },
            &cal
        ))
        .contains("只能发出一次")
    );
}

#[test]
fn refusals_leave_the_case_unchanged() {
    let cal = cal();
    let mut c = case("2024-09-27");
    let ext = |days: u32, approver: &str, on: &str| CaseEvent::Extended {
        on: d(on),
        working_days: days,
        approver: approver.into(),
        reason: "r".into(),
    };
    assert!(refused(c.apply(ext(5, " ", "2024-10-10"), &cal)).contains("批准人"));
    assert!(refused(c.apply(ext(21, "李", "2024-10-10"), &cal)).contains("1至20"));
    // After the due date (2024-10-30) the clock refuses an extension.
    assert!(refused(c.apply(ext(5, "李", "2024-11-01"), &cal)).contains("已过"));
    assert!(
        refused(c.apply(
            CaseEvent::ConsultationEnded {
                on: d("2024-10-10")
            },
            &cal
        ))
        .contains("没有进行中的征求意见")
    );
    assert!(
        refused(c.apply(
            CaseEvent::Review {
                on: d("2024-10-10"),
                review: ReviewKind::Reconsideration,
                result: ReviewResult::Pending,
                note: String::new()
            },
            &cal
        ))
        .contains("答复后")
    );
    assert!(
        refused(c.apply(
            CaseEvent::Answered {
                on: d("2024-10-10"),
                outcome: Outcome::StillUnclear,
                fee_yuan: 0,
                note: String::new()
            },
            &cal
        ))
        .contains("补正告知")
    );
    assert!(
        refused(c.apply(
            CaseEvent::SupplementReceived {
                on: d("2024-09-26")
            },
            &cal
        ))
        .contains("早于收到申请之日")
    );
    assert!(c.events().is_empty());
    c.apply(
        CaseEvent::ConsultationStarted {
            on: d("2024-10-08"),
            consulted: Consulted::OtherAgency,
            note: String::new(),
        },
        &cal,
    )
    .unwrap();
    assert!(
        refused(c.apply(
            CaseEvent::Answered {
                on: d("2024-10-10"),
                outcome: Outcome::Disclosed,
                fee_yuan: 0,
                note: String::new()
            },
            &cal
        ))
        .contains("征求意见尚未结束")
    );
    assert!(
        refused(c.apply(
            CaseEvent::ConsultationEnded {
                on: d("2024-10-07")
            },
            &cal
        ))
        .contains("先后")
    );
}

#[test]
fn queue_flags() {
    let cal = cal();
    let c = case("2024-09-27");
    // Due 2024-10-30 (9-29 day 1, 9-30 day 2, 10-08 day 3 … 10-30 day 20).
    assert_eq!(due(&c), Some(d("2024-10-30")));
    assert_eq!(c.flag(&cal, d("2024-10-24")), Flag::Normal);
    assert_eq!(c.flag(&cal, d("2024-10-25")), Flag::DueSoon);
    assert_eq!(c.flag(&cal, d("2024-10-30")), Flag::DueSoon);
    assert_eq!(c.flag(&cal, d("2024-10-31")), Flag::Overdue);
}

#[test]
fn reviews_and_carry_over() {
    let cal = cal();
    let mut c = case("2024-12-20");
    assert!(c.carried_over(2024));
    assert!(!c.carried_over(2023));
    c.apply(
        CaseEvent::Answered {
            on: d("2025-01-10"),
            outcome: Outcome::NotHeld,
            fee_yuan: 0,
            note: String::new(),
        },
        &cal,
    )
    .unwrap();
    assert!(c.carried_over(2024), "answered only in the next year");
    assert!(!c.carried_over(2025));
    for result in [ReviewResult::Pending, ReviewResult::Upheld] {
        c.apply(
            CaseEvent::Review {
                on: d("2025-03-01"),
                review: ReviewKind::Reconsideration,
                result,
                note: String::new(),
            },
            &cal,
        )
        .unwrap();
    }
    assert_eq!(
        c.reviews(),
        vec![(ReviewKind::Reconsideration, ReviewResult::Upheld)]
    );
    assert!(
        refused(c.apply(
            CaseEvent::ConsultationEnded {
                on: d("2025-03-02")
            },
            &cal
        ))
        .contains("已答复办结")
    );
}

/// Per 第三十二条 the third party answers within 15 working days. Consultation from Monday
/// 2024-03-11: 3-12 is day 1 … 3-29 day 14, 4-01 day 15 (no day off in between). An end recorded
/// 35 working days later stops the clock no longer than one recorded on 4-01.
#[test]
fn a_consultation_pauses_the_clock_for_at_most_15_working_days() {
    let cal = cal();
    let consulted = |end: &str| {
        let mut c = case("2024-03-01");
        c.apply(
            CaseEvent::ConsultationStarted {
                on: d("2024-03-11"),
                consulted: Consulted::ThirdParty,
                note: "征求某公司意见".into(),
            },
            &cal,
        )
        .unwrap();
        assert_eq!(c.consultation_limit(&cal), Some(d("2024-04-01")));
        c.apply(CaseEvent::ConsultationEnded { on: d(end) }, &cal)
            .unwrap();
        assert_eq!(c.consultation_limit(&cal), None, "closed");
        due(&c)
    };
    let in_time = consulted("2024-04-01");
    assert!(in_time.is_some());
    assert_eq!(consulted("2024-05-06"), in_time, "35 working days later");
    assert!(
        consulted("2024-03-20") < in_time,
        "a shorter pause counts as it was"
    );
}

#[test]
fn no_supplement_is_recorded_only_after_the_supplement_deadline() {
    let cal = cal();
    let mut c = case("2024-09-27");
    c.admit(
        CaseEvent::SupplementRequested {
            on: d("2024-10-09"),
            due_by: d("2024-10-25"),
            note: "请明确所需信息的年份".into(),
        },
        &cal,
    )
    .unwrap();
    let abandon = |on: &str| CaseEvent::Answered {
        on: d(on),
        outcome: Outcome::NoSupplement,
        fee_yuan: 0,
        note: String::new(),
    };
    let msg = refused(c.admit(abandon("2024-10-25"), &cal));
    assert!(msg.contains("补正期限2024-10-25尚未届满"), "{msg}");
    assert!(msg.contains("\u{FF08}条例第三十条\u{FF09}"), "{msg}");
    assert_eq!(c.status(), Status::AwaitingSupplement, "unchanged");
    // A history recorded before the rule is rebuilt as it was accepted.
    let mut old = c.clone();
    old.apply(abandon("2024-10-20"), &cal).unwrap();
    c.admit(abandon("2024-10-28"), &cal).unwrap();
    assert_eq!(c.status(), Status::Answered);
}

#[test]
fn an_answer_in_time_never_reads_as_overdue() {
    let cal = cal();
    let mut c = case("2024-09-27");
    assert_eq!(due(&c), Some(d("2024-10-30")));
    c.admit(
        CaseEvent::Answered {
            on: d("2024-10-10"),
            outcome: Outcome::Disclosed,
            fee_yuan: 0,
            note: String::new(),
        },
        &cal,
    )
    .unwrap();
    let text = c.progress_text(&cal, d("2024-12-20")).unwrap();
    assert!(text.starts_with("已于2024-10-10按期答复"), "{text}");
    assert!(!text.contains("逾期"), "{text}");

    let mut late = case("2024-09-27");
    late.admit(
        CaseEvent::Answered {
            on: d("2024-11-01"),
            outcome: Outcome::Disclosed,
            fee_yuan: 0,
            note: String::new(),
        },
        &cal,
    )
    .unwrap();
    let text = late.progress_text(&cal, d("2024-12-20")).unwrap();
    assert_eq!(text, "已于2024-11-01答复\u{FF0C}逾期2个工作日");
}

/// Filed Monday 2026-12-07 before the 2027 arrangement is published: 12-08 day 1 … 12-31 day 18,
/// 2027-01-01 is 元旦 by law, 01-04 day 19, 01-05 day 20. The date carries the estimate's warning.
#[test]
fn a_due_date_in_a_year_without_data_skips_its_statutory_holidays() {
    let r = case("2026-12-07").deadline(&cal()).unwrap();
    assert_eq!(r.due, Some(d("2027-01-05")));
    assert_eq!(
        r.warnings,
        vec![
            "2027年节假日安排尚未录入\u{FF0C}按法定节假日推算\u{FF0C}如有调休以国务院通知为准"
                .to_string()
        ]
    );
}

/// The 受理回执 of a case received 2024-09-27 promised 2024-10-30; an extension of 20 working days
/// on 10-28 moves the due date to 11-27 but not the receipt's figures.
#[test]
fn a_letter_states_the_figures_of_its_own_day() {
    use letter::LetterKind;
    let cal = cal();
    let mut c = case("2024-09-27");
    let receipt_due = |c: &Case| {
        c.as_issued(LetterKind::Receipt, &cal)
            .and_then(|i| i.deadline(&cal).ok())
            .and_then(|r| r.due)
    };
    assert_eq!(receipt_due(&c), Some(d("2024-10-30")));
    assert!(
        c.as_issued(LetterKind::Extension, &cal).is_none(),
        "not issued"
    );
    c.admit(
        CaseEvent::Extended {
            on: d("2024-10-28"),
            working_days: 20,
            approver: "李主任".into(),
            reason: "需调取档案".into(),
        },
        &cal,
    )
    .unwrap();
    assert_eq!(due(&c), Some(d("2024-11-27")));
    assert_eq!(receipt_due(&c), Some(d("2024-10-30")), "unchanged");
    let ext = c.as_issued(LetterKind::Extension, &cal).unwrap();
    assert_eq!(ext.deadline(&cal).unwrap().due, Some(d("2024-11-27")));
}
