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
            party: String::new(),
            note: "征求某公司意见".into(),
            limit_working_days: None,
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
            party: String::new(),
            note: String::new(),
            limit_working_days: None,
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
                party: String::new(),
                note: "征求某公司意见".into(),
                limit_working_days: None,
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

fn fee_notice(on: &str, quantity: u32) -> CaseEvent {
    CaseEvent::FeeNoticed {
        on: d(on),
        scale: FeeScale::PerApplication,
        quantity,
        amount_yuan: fee_per_application(quantity),
        pauses_clock: true,
        note: String::new(),
    }
}

fn answered(on: &str, outcome: Outcome, fee_yuan: u64) -> CaseEvent {
    CaseEvent::Answered {
        on: d(on),
        outcome,
        fee_yuan,
        note: String::new(),
    }
}

/// Received Tuesday 2024-09-10: counting starts 9-11, due 2024-10-14 (20 working days across
/// 中秋 and 国庆 with both make-up days). A 收费通知 on 9-20 stops the clock until payment on 10-09:
/// 9-20 (the notice day) to 10-08 are not counted, so the due date moves by the working days
/// paused.
#[test]
fn a_fee_notice_pauses_the_clock_until_payment_and_the_answer_states_the_fee_paid() {
    let cal = cal();
    let mut c = case("2024-09-10");
    let before = due(&c).unwrap();
    assert_eq!(before, d("2024-10-14"));
    c.admit(fee_notice("2024-09-20", 12), &cal).unwrap();
    assert_eq!(c.status(), Status::AwaitingPayment);
    let fee = c.fee_due().unwrap();
    assert_eq!(fee.amount_yuan, 100);
    // 20 working days from the day after 9-20: 9-23..9-27 (5), 9-29 (make-up, 6), 9-30 (7),
    // 10-08..10-11 (11), 10-12 (make-up, 12), 10-14..10-18 (17), 10-21..10-23 (20).
    assert_eq!(fee.pay_by, d("2024-10-23"));
    assert_eq!(due(&c), None, "paused while waiting for payment");
    // No other answer, no extension and no second notice while waiting.
    assert!(
        refused(c.admit(answered("2024-09-25", Outcome::Disclosed, 0), &cal)).contains("待缴费")
    );
    assert!(refused(c.admit(fee_notice("2024-09-21", 12), &cal)).contains("不能发出收费通知"));
    // Paid on 10-09: counted days before the notice were 9-11..9-19 (7 working days: 9-11, 12,
    // 13, 14 make-up Saturday, 18, 19 and 9-20 is the notice day, not counted). 13 remain from
    // 10-10: 10-10, 11, 12, 14..18, 21..25 → 10-25.
    assert!(
        refused(c.admit(
            CaseEvent::FeePaid {
                on: d("2024-10-09"),
                receipt_no: " ".into()
            },
            &cal
        ))
        .contains("票据号")
    );
    c.admit(
        CaseEvent::FeePaid {
            on: d("2024-10-09"),
            receipt_no: "No.0012345".into(),
        },
        &cal,
    )
    .unwrap();
    assert_eq!(c.status(), Status::InProgress);
    assert_eq!(c.fee_paid(), Some((d("2024-10-09"), 100)));
    // Counted before the notice: 9-11, 12, 13, 14 (make-up), 18, 19; the notice day 9-20 is
    // paused. 14 remain from the payment day 10-09: 10-09..10-12 (4 with the make-up Saturday),
    // 10-14..18 (9), 10-21..25 (14).
    assert_eq!(due(&c), Some(d("2024-10-25")));
    // The answer states the fee paid, nothing else.
    assert!(
        refused(c.admit(answered("2024-10-10", Outcome::Disclosed, 0), &cal))
            .contains("已缴纳100元")
    );
    c.admit(answered("2024-10-10", Outcome::Disclosed, 100), &cal)
        .unwrap();
    assert_eq!(c.answer().unwrap().2, 100);
}

#[test]
fn a_fee_not_paid_in_twenty_working_days_is_abandonment_and_not_before() {
    let cal = cal();
    let mut c = case("2024-09-10");
    c.admit(fee_notice("2024-09-20", 31), &cal).unwrap();
    assert_eq!(c.fee_due().unwrap().amount_yuan, 200);
    let early = refused(c.admit(answered("2024-10-23", Outcome::NoFee, 0), &cal));
    assert!(early.contains("缴费期限2024-10-23尚未届满"), "{early}");
    let late = refused(c.admit(
        CaseEvent::FeePaid {
            on: d("2024-10-24"),
            receipt_no: "1".into(),
        },
        &cal,
    ));
    assert!(late.contains("视为放弃申请"), "{late}");
    c.admit(answered("2024-10-24", Outcome::NoFee, 0), &cal)
        .unwrap();
    assert_eq!(c.answer().unwrap().1, Outcome::NoFee);
    // 逾期未缴费 applies only to a notice waiting for payment.
    let mut other = case("2024-09-10");
    assert!(
        refused(other.admit(answered("2024-10-08", Outcome::NoFee, 0), &cal)).contains("仅适用于")
    );
    // A fee without a notice is refused; a free quantity needs no notice.
    assert!(
        refused(other.admit(answered("2024-10-08", Outcome::Disclosed, 100), &cal))
            .contains("收费通知")
    );
    assert!(refused(other.admit(fee_notice("2024-09-20", 3), &cal)).contains("不收费"));
    let wrong = CaseEvent::FeeNoticed {
        on: d("2024-09-20"),
        scale: FeeScale::PerPage,
        quantity: 40,
        amount_yuan: 50,
        pauses_clock: true,
        note: String::new(),
    };
    assert!(refused(other.admit(wrong, &cal)).contains("应为100元"));
}

#[test]
fn without_the_pause_setting_the_clock_runs_while_waiting_for_payment() {
    let cal = cal();
    let mut c = case("2024-09-10");
    let mut notice = fee_notice("2024-09-20", 12);
    if let CaseEvent::FeeNoticed { pauses_clock, .. } = &mut notice {
        *pauses_clock = false;
    }
    c.admit(notice, &cal).unwrap();
    assert_eq!(due(&c), Some(d("2024-10-14")));
    c.admit(
        CaseEvent::FeePaid {
            on: d("2024-10-09"),
            receipt_no: "7".into(),
        },
        &cal,
    )
    .unwrap();
    assert_eq!(due(&c), Some(d("2024-10-14")));
}

#[test]
fn a_fee_notice_after_the_reply_period_is_refused() {
    let cal = cal();
    let mut c = case("2024-09-10");
    let r = refused(c.admit(fee_notice("2024-10-16", 12), &cal));
    assert!(r.contains("收费通知须在答复期限内发出"), "{r}");
}

#[test]
fn a_withdrawn_case_is_closed_and_reported_as_other() {
    let cal = cal();
    let mut c = case("2024-09-10");
    c.admit(
        CaseEvent::Withdrawn {
            on: d("2024-09-12"),
            note: "已自行获取".into(),
        },
        &cal,
    )
    .unwrap();
    assert_eq!(c.status(), Status::Withdrawn);
    assert!(c.is_closed());
    assert_eq!(c.flag(&cal, d("2024-12-01")), Flag::Done);
    assert_eq!(c.answer(), Some((d("2024-09-12"), Outcome::OtherOther, 0)));
    assert!(refused(c.admit(answered("2024-09-13", Outcome::Disclosed, 0), &cal)).contains("撤回"));
    assert_eq!(
        c.progress_text(&cal, d("2024-12-01")).unwrap(),
        "申请人已于2024-09-12撤回申请"
    );
    let mut done = case("2024-09-10");
    done.admit(answered("2024-09-12", Outcome::Disclosed, 0), &cal)
        .unwrap();
    assert!(
        refused(done.admit(
            CaseEvent::Withdrawn {
                on: d("2024-09-13"),
                note: String::new()
            },
            &cal
        ))
        .contains("已答复办结")
    );
}

#[test]
fn the_consultation_limit_is_the_one_fixed_when_it_started() {
    let cal = cal();
    let mut c = case("2024-09-10");
    c.admit(
        CaseEvent::ConsultationStarted {
            on: d("2024-09-12"),
            consulted: Consulted::ThirdParty,
            party: String::new(),
            note: String::new(),
            limit_working_days: Some(10),
        },
        &cal,
    )
    .unwrap();
    // 10 working days from 9-12: 9-13, 9-14 (make-up), 9-18..9-20, 9-23..9-27 → 9-27.
    assert_eq!(c.consultation_limit(&cal), Some(d("2024-09-27")));
    let old: CaseEvent = serde_json::from_str(
        r#"{"kind":"consultation_started","on":"2024-09-12","consulted":"third_party","note":""}"#,
    )
    .unwrap();
    let mut legacy = case("2024-09-10");
    legacy.admit(old, &cal).unwrap();
    assert_eq!(
        legacy.consultation_limit(&cal),
        cal.add_workdays(d("2024-09-12"), 15).ok().map(|x| x.date)
    );
}

#[test]
fn a_fee_counts_in_the_year_it_was_paid() {
    let cal = cal();
    let mut c = case("2024-12-02");
    c.admit(fee_notice("2024-12-05", 15), &cal).unwrap();
    c.admit(
        CaseEvent::FeePaid {
            on: d("2024-12-20"),
            receipt_no: "2024-88".into(),
        },
        &cal,
    )
    .unwrap();
    c.admit(answered("2025-01-06", Outcome::Disclosed, 100), &cal)
        .unwrap();
    assert_eq!(report::fees_in_year(2024, &[&c]), 100);
    assert_eq!(report::fees_in_year(2025, &[&c]), 0);
}
