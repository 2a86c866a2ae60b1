use super::*;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn cal() -> Calendar {
    Calendar::shipped()
}

fn dl(assigned: &str, dates: CaseDates) -> Deadlines {
    deadlines(&cal(), &ProposalRules::default(), d(assigned), dates)
}

#[test]
fn three_months_ending_on_a_rest_day_moves_to_the_make_up_sunday() {
    // 2024-09-28 is a Saturday off; 2024-09-29 (Sunday) is a make-up working day before 国庆.
    let x = dl("2024-06-28", CaseDates::default());
    assert_eq!(x.reply.date, d("2024-09-29"));
    assert!(
        x.reply.working.contains("顺延至2024年9月29日"),
        "{}",
        x.reply.working
    );
}

#[test]
fn three_months_ending_in_national_day_moves_past_the_holiday() {
    let x = dl("2024-07-01", CaseDates::default());
    assert_eq!(x.reply.date, d("2024-10-08"));
    let complex = dl(
        "2024-04-01",
        CaseDates {
            complex: true,
            ..Default::default()
        },
    );
    assert_eq!(complex.reply.date, d("2024-10-08"));
    assert!(complex.reply.working.contains("复杂事项"));
    assert!(complex.reply.working.contains("6个月"));
}

#[test]
fn month_arithmetic_clamps_to_the_last_day_of_a_short_month() {
    // 2023-11-30 + 3 months = 2024-02-29 (leap year, a Thursday after 春节).
    assert_eq!(
        dl("2023-11-30", CaseDates::default()).reply.date,
        d("2024-02-29")
    );
    // 2024-08-31 + 1 month = 2024-09-30 (Monday, a working day).
    assert_eq!(
        dl("2024-08-31", CaseDates::default()).co_views.date,
        d("2024-09-30")
    );
}

#[test]
fn signing_for_counts_working_days_across_national_day_and_make_up_days() {
    // Assigned Friday 2024-09-27: 9/29 (make-up Sunday) 1, 9/30 2, 10/1–10/7 off, 10/8 3, 10/9 4, 10/10 5.
    let x = dl("2024-09-27", CaseDates::default());
    assert_eq!(x.sign.date, d("2024-10-10"));
    assert!(x.sign.working.contains("5个工作日"));
}

#[test]
fn publication_is_due_twenty_working_days_after_the_reply() {
    // Replied 2024-09-30: Oct 8–11 (4), Sat Oct 12 make-up (5), 14–18 (10), 21–25 (15),
    // 28–31 (19), Nov 1 (20).
    let x = dl(
        "2024-06-03",
        CaseDates {
            replied_on: Some(d("2024-09-30")),
            ..Default::default()
        },
    );
    assert_eq!(x.publish.unwrap().date, d("2024-11-01"));
    assert!(x.rehandle.is_none());
}

#[test]
fn re_handling_runs_one_month_from_the_dissatisfied_feedback() {
    let x = dl(
        "2024-03-01",
        CaseDates {
            replied_on: Some(d("2024-05-20")),
            dissatisfied_on: Some(d("2024-05-31")),
            ..Default::default()
        },
    );
    // 2024-06-30 is a Sunday → Monday 2024-07-01.
    assert_eq!(x.rehandle.unwrap().date, d("2024-07-01"));
}

#[test]
fn standing_of_a_deadline() {
    let due = d("2024-10-08");
    assert_eq!(
        Standing::of(due, Some(d("2024-10-08")), d("2024-11-01"), 7),
        Standing::Met
    );
    assert_eq!(
        Standing::of(due, Some(d("2024-10-09")), d("2024-11-01"), 7),
        Standing::MetLate
    );
    assert_eq!(
        Standing::of(due, None, d("2024-10-09"), 7),
        Standing::Overdue
    );
    assert_eq!(
        Standing::of(due, None, d("2024-10-01"), 7),
        Standing::DueSoon
    );
    assert_eq!(Standing::of(due, None, d("2024-09-01"), 7), Standing::Open);
}

fn assign_fields() -> AssignFields {
    AssignFields {
        kind: "npc_suggestion".into(),
        year: "2024".into(),
        number: "第0123号".into(),
        title: "关于加强农村饮水安全保障的建议".into(),
        proposer: "王代表".into(),
        proposer_contact: "13812345678".into(),
        content: "建议加大投入。".into(),
        assigned_on: "2024-03-15".into(),
        lead_org_id: "3".into(),
        co_org_ids: vec!["4".into(), "4".into(), "".into()],
        complex: "".into(),
        key_item: "".into(),
        key_leader: "".into(),
    }
}

#[test]
fn assignment_form_validates_and_normalises() {
    let ok = assign_fields().validate().unwrap();
    assert_eq!(ok.co_org_ids, vec![4]);
    assert_eq!(ok.kind, ProposalKind::NpcSuggestion);
    assert!(!ok.key_item);

    let mut f = assign_fields();
    f.key_item = "1".into();
    f.co_org_ids = vec!["3".into()];
    f.kind = "x".into();
    f.assigned_on = "2024/03/15".into();
    let err = f.validate().unwrap_err();
    assert!(
        err.message_for("key_leader")
            .unwrap()
            .contains("主要负责同志")
    );
    assert!(
        err.message_for("co_org_ids")
            .unwrap()
            .contains("不能与主办单位相同")
    );
    assert!(err.message_for("kind").is_some());
    assert!(err.message_for("assigned_on").unwrap().contains("格式"));

    let mut f = assign_fields();
    f.title = "长".repeat(TITLE_MAX + 1);
    f.assigned_on = String::new();
    let err = f.validate().unwrap_err();
    assert!(
        err.message_for("title")
            .unwrap()
            .contains("不能超过200个字")
    );
    assert!(
        err.message_for("assigned_on")
            .unwrap()
            .contains("请填写交办日期")
    );
}

#[test]
fn reply_needs_contact_with_the_deputy_and_ordered_dates() {
    let assigned = d("2024-03-15");
    let f = ReplyFields {
        contacted_on: "2024-04-01".into(),
        contact_note: "电话沟通".into(),
        replied_on: "2024-05-10".into(),
        grade: "b".into(),
        signed_by: "李局长".into(),
        reply_text: "王代表：您提出的建议收悉……".into(),
    };
    let ok = f.validate(assigned).unwrap();
    assert_eq!(ok.grade, Grade::B);

    let mut bad = f.clone();
    bad.contacted_on = String::new();
    bad.grade = "e".into();
    let err = bad.validate(assigned).unwrap_err();
    assert!(err.message_for("contacted_on").unwrap().contains("沟通"));
    assert!(err.message_for("grade").is_some());

    let mut bad = f;
    bad.contacted_on = "2024-05-20".into();
    bad.replied_on = "2024-03-01".into();
    let err = bad.validate(assigned).unwrap_err();
    assert!(
        err.message_for("replied_on")
            .unwrap()
            .contains("不能早于交办日期")
    );
}

#[test]
fn actions_follow_the_stages() {
    assert!(Action::SignFor.allowed_in(Stage::Assigned, false).is_ok());
    assert!(Action::Reply.allowed_in(Stage::Assigned, false).is_err());
    assert!(Action::Reply.allowed_in(Stage::Handling, false).is_ok());
    assert!(Action::Reply.allowed_in(Stage::Rehandling, false).is_ok());
    assert!(
        Action::RecordFeedback
            .allowed_in(Stage::Replied, false)
            .is_ok()
    );
    assert!(Action::Publish.allowed_in(Stage::Replied, true).is_err());
    assert!(Action::Return.allowed_in(Stage::Handling, false).is_err());
    assert_eq!(
        stage_after_feedback(Satisfaction::Dissatisfied, false),
        Stage::Rehandling
    );
    assert_eq!(
        stage_after_feedback(Satisfaction::Dissatisfied, true),
        Stage::Closed
    );
    assert_eq!(
        stage_after_feedback(Satisfaction::Basic, false),
        Stage::Closed
    );
}

#[test]
fn yearly_statistics_balance() {
    let row = |stage, grade, sat, on_time, published| StatRow {
        kind: ProposalKind::CppccProposal,
        stage,
        key_item: false,
        grade,
        satisfaction: sat,
        replied_on_time: on_time,
        published,
        published_on_time: published.then_some(true),
    };
    let rows = vec![
        row(
            Stage::Closed,
            Some(Grade::A),
            Some(Satisfaction::Satisfied),
            Some(true),
            true,
        ),
        row(
            Stage::Closed,
            Some(Grade::C),
            Some(Satisfaction::Dissatisfied),
            Some(false),
            false,
        ),
        row(Stage::Replied, Some(Grade::B), None, Some(true), true),
        row(Stage::Handling, None, None, None, false),
        row(Stage::Returned, None, None, None, false),
    ];
    let s = YearStats::of(&rows, ProposalKind::CppccProposal);
    assert_eq!((s.total, s.returned, s.replied, s.open), (5, 1, 3, 1));
    assert_eq!(s.replied_on_time, 2);
    assert_eq!(s.grades, [1, 1, 1, 0]);
    assert_eq!(s.published, 2);
    assert!(s.balanced());
    assert_eq!(s.satisfaction_rate(), Some(50.0));
    assert_eq!(YearStats::of(&rows, ProposalKind::NpcSuggestion).total, 0);
}

#[test]
fn published_reply_hides_contact_details() {
    let text = "王代表（电话13812345678，身份证11010519491231002X）：您的建议收悉。";
    let out = public_text(text, Some("13812345678"));
    assert!(!out.contains("13812345678"));
    assert!(!out.contains("11010519491231002X"));
    assert!(out.contains("联系方式已隐去"));
    assert!(out.contains("您的建议收悉"));
}
