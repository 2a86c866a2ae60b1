//! Filings (报送事项): opening the implementation-plan and monthly normative-document filings of
//! the built-in plan (due dates on the stored calendar, the default units, idempotence), a unit
//! filing late and the compliance report showing it with its kind, other units' filings answering
//! 404, refused input writing nothing, and the supervisor's form over HTTP.

use crate::support::{PASSWORD, TestApp};
use gongkai_db::compliance_feedback;
use gongkai_db::feedback;
use gongkai_db::filings::{self, FilingSpec};
use gongkai_domain::calendar::NaiveDate;
use gongkai_domain::feedback::SubmissionInput;
use gongkai_domain::filing::{DueRule, FilingKind};
use gongkai_domain::role::Role;
use reqwest::StatusCode;
use reqwest::multipart::Form;

async fn import_seed_plan(app: &TestApp) -> i64 {
    let mut tx = app.db().begin().await.expect("begin");
    let b = gongkai_db::plans::import_builtin(&mut tx, &app.actor(), "panjin-2017")
        .await
        .expect("import the seed plan");
    tx.commit().await.expect("commit");
    b.plan_id
}

async fn open(
    app: &TestApp,
    plan: i64,
    spec: &FilingSpec,
) -> Result<filings::Opened, gongkai_db::DbError> {
    let mut tx = app.db().begin().await.expect("begin");
    let r = filings::open_filings(&mut tx, &app.actor(), plan, spec).await;
    if r.is_ok() {
        tx.commit().await.expect("commit");
    }
    r
}

fn default_spec(kind: FilingKind) -> FilingSpec {
    FilingSpec {
        kind,
        org_ids: None,
        rule: None,
    }
}

/// `(org_id, due_date, label)` of the filings of a kind, ordered.
async fn filings_of(app: &TestApp, kind: FilingKind) -> Vec<(i64, String, String)> {
    sqlx::query_as(
        "SELECT org_id, due_date, label FROM feedback_rounds WHERE kind = $1 \
         ORDER BY org_id, due_date, label",
    )
    .bind(kind.code())
    .fetch_all(&mut *app.conn().await)
    .await
    .expect("filings")
}

/// (rounds, audit entries): what a refused request must leave unchanged.
async fn written(app: &TestApp) -> (i64, i64) {
    (app.count("feedback_rounds").await, app.audit_count().await)
}

/// The first error of a refused open, in Chinese.
fn message(e: gongkai_db::DbError) -> String {
    match e {
        gongkai_db::DbError::Invalid(inv) => inv.errors[0].message.clone(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

both_backends!(opening_filings_for_the_seed_plan, |app| async move {
    let plan = import_seed_plan(&app).await;
    let feedback_before = app.count("feedback_rounds").await;
    let units = filings::default_orgs(&mut *app.conn().await)
        .await
        .expect("default units");
    let finance = app.org_id("市财政局").await;
    assert!(units.contains(&finance), "市财政局 is one of 市政府各部门");
    let county = app.org_id("盘山县人民政府").await;
    assert!(units.contains(&county), "各县区政府 includes 盘山县");

    let audit_before = app.audit_count().await;
    let ip = open(&app, plan, &default_spec(FilingKind::ImplementationPlan))
        .await
        .expect("open implementation plans");
    assert_eq!(ip.created, units.len());
    assert_eq!(ip.existing, 0);
    let rows = filings_of(&app, FilingKind::ImplementationPlan).await;
    assert_eq!(rows.len(), units.len(), "one per unit");
    for (_, due, label) in &rows {
        assert_eq!(due, "2017-05-31", "the closing paragraph's 5月31日");
        assert_eq!(label, "2017年政务公开实施方案备案");
    }
    assert_eq!(app.audit_count().await, audit_before + 1, "one audit entry");

    let nr = open(&app, plan, &default_spec(FilingKind::NormativeReport))
        .await
        .expect("open monthly reports");
    // Issued 2017-04-24: April to December.
    assert_eq!(nr.created, units.len() * 9);
    let mine: Vec<(String, String)> = filings_of(&app, FilingKind::NormativeReport)
        .await
        .into_iter()
        .filter(|(o, _, _)| *o == finance)
        .map(|(_, d, l)| (l, d))
        .collect();
    assert_eq!(mine.len(), 9);
    // The 5th working day of the following month on the stored calendar.
    let cal = gongkai_db::calendar::load(&mut *app.conn().await)
        .await
        .expect("calendar");
    let sept = mine
        .iter()
        .find(|(l, _)| l == "2017年9月规范性文件报送")
        .expect("September's report");
    assert_eq!(sept.1, "2017-10-13", "after the National Day holiday");
    let oct13 = NaiveDate::from_ymd_opt(2017, 10, 13).unwrap();
    let workdays_before: usize = (1..13)
        .filter_map(|d| NaiveDate::from_ymd_opt(2017, 10, d))
        .filter(|d| cal.is_workday(*d))
        .count();
    assert!(cal.is_workday(oct13));
    assert_eq!(
        workdays_before, 4,
        "four working days before it in October 2017"
    );
    let april = mine
        .iter()
        .find(|(l, _)| l == "2017年4月规范性文件报送")
        .expect("April's report");
    assert_eq!(april.1, "2017-05-08", "劳动节 on 1 May");
    assert!(
        mine.iter()
            .any(|(l, d)| l == "2017年12月规范性文件报送" && d.starts_with("2018-01-")),
        "December is reported in January"
    );

    // Opening again, even with another rule, adds nothing and writes no audit entry.
    let before = written(&app).await;
    let again = open(&app, plan, &default_spec(FilingKind::ImplementationPlan))
        .await
        .expect("open again");
    assert_eq!((again.created, again.existing), (0, units.len()));
    let again = open(
        &app,
        plan,
        &FilingSpec {
            kind: FilingKind::NormativeReport,
            org_ids: None,
            rule: Some(DueRule::FixedDay { day: 10 }),
        },
    )
    .await
    .expect("open again with a fixed day");
    assert_eq!(again.created, 0);
    assert_eq!(written(&app).await, before);

    // Filings are counted apart from feedback and do not change the plan's feedback.
    let counts = gongkai_db::plans::counts(&mut *app.conn().await, plan)
        .await
        .expect("counts");
    assert_eq!(counts.feedback_rounds, feedback_before);
    assert_eq!(counts.filings, (units.len() * 10) as i64);
    let tree = gongkai_db::plans::plan_tree(&mut *app.conn().await, plan)
        .await
        .expect("tree");
    let tree_rounds: usize = tree
        .tasks
        .iter()
        .flat_map(|t| &t.duties)
        .map(|d| d.feedback_rounds.len())
        .sum();
    assert_eq!(tree_rounds as i64, feedback_before);

    // Tied to task 23, which asks for both.
    let task: i64 = sqlx::query_scalar(
        "SELECT DISTINCT t.number FROM feedback_rounds f JOIN plan_duties d ON d.id = f.duty_id \
         JOIN plan_tasks t ON t.id = d.task_id WHERE f.kind <> 'feedback'",
    )
    .fetch_one(&mut *app.conn().await)
    .await
    .expect("one task");
    assert_eq!(task, 23);

    // The feedback list filters by kind.
    let page = feedback::list_rounds(
        &mut *app.conn().await,
        &feedback::RoundFilter {
            org_id: Some(finance),
            kind: Some(FilingKind::NormativeReport),
            ..Default::default()
        },
        1,
        100,
    )
    .await
    .expect("list");
    assert_eq!(page.total, 9);
    assert!(page.rows.iter().all(|r| r.kind == "normative_report"));
    let page = feedback::list_rounds(
        &mut *app.conn().await,
        &feedback::RoundFilter {
            org_id: Some(finance),
            kind: Some(FilingKind::Feedback),
            ..Default::default()
        },
        1,
        100,
    )
    .await
    .expect("list");
    assert!(page.total > 0);
    assert!(page.rows.iter().all(|r| r.kind == "feedback"));
});

both_backends!(bad_input_is_refused_and_writes_nothing, |app| async move {
    let plan = import_seed_plan(&app).await;
    let before = written(&app).await;
    let finance = app.org_id("市财政局").await;
    let cases = [
        (
            FilingSpec {
                kind: FilingKind::ImplementationPlan,
                org_ids: Some(vec![]),
                rule: None,
            },
            "请至少选择一个报送单位",
        ),
        (
            FilingSpec {
                kind: FilingKind::ImplementationPlan,
                org_ids: Some(vec![finance]),
                rule: Some(DueRule::Once {
                    date: NaiveDate::from_ymd_opt(2018, 5, 31).unwrap(),
                }),
            },
            "实施方案备案的截止日期须在2017年内",
        ),
        (
            FilingSpec {
                kind: FilingKind::NormativeReport,
                org_ids: Some(vec![finance]),
                rule: Some(DueRule::NthWorkingDay { n: 0 }),
            },
            "工作日序号须为1至15",
        ),
        (
            FilingSpec {
                kind: FilingKind::NormativeReport,
                org_ids: Some(vec![finance, 987_654]),
                rule: None,
            },
            "所选单位不存在",
        ),
        (
            FilingSpec {
                kind: FilingKind::Feedback,
                org_ids: None,
                rule: None,
            },
            "反馈轮次在确认工作安排时按反馈时点生成",
        ),
    ];
    for (spec, expected) in cases {
        let e = open(&app, plan, &spec).await.expect_err("refused");
        let m = message(e);
        assert!(m.contains(expected), "{m:?} should contain {expected:?}");
    }
    let collective = app.org_id("各县区政府").await;
    let e = open(
        &app,
        plan,
        &FilingSpec {
            kind: FilingKind::ImplementationPlan,
            org_ids: Some(vec![collective]),
            rule: None,
        },
    )
    .await
    .expect_err("a collective is no unit");
    assert!(message(e).contains("是统称"));
    assert!(matches!(
        open(&app, 999_999, &default_spec(FilingKind::ImplementationPlan)).await,
        Err(gongkai_db::DbError::NotFound(_))
    ));
    assert_eq!(written(&app).await, before);
});

/// Noon in China on a 2017 date (epoch ms).
fn noon(date: &str) -> i64 {
    let d = NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap();
    d.and_hms_opt(4, 0, 0).unwrap().and_utc().timestamp_millis()
}

both_backends!(
    a_late_implementation_plan_in_the_compliance_report,
    |app| async move {
        let plan = import_seed_plan(&app).await;
        let finance = app.org_id("市财政局").await;
        let civil = app.org_id("市民政局").await;
        open(
            &app,
            plan,
            &FilingSpec {
                kind: FilingKind::ImplementationPlan,
                org_ids: Some(vec![finance, civil]),
                rule: None,
            },
        )
        .await
        .expect("open");
        let ids: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT org_id, id FROM feedback_rounds WHERE kind = 'implementation_plan' ORDER BY org_id",
    )
    .fetch_all(&mut *app.conn().await)
    .await
    .expect("rounds");
        let round_of = |org: i64| {
            ids.iter()
                .find(|(o, _)| *o == org)
                .map(|(_, id)| *id)
                .unwrap()
        };
        let (mine, theirs) = (round_of(finance), round_of(civil));

        // The reminder scan treats filings as rounds: on the due date both units are reminded, by kind.
        let scan = gongkai_db::notifications::scan_feedback_reminders(
            &mut *app.conn().await,
            NaiveDate::from_ymd_opt(2017, 5, 31).unwrap(),
        )
        .await
        .expect("scan");
        assert!(scan.enqueued >= 2);
        let payloads: Vec<String> = gongkai_db::jobs::by_kind(&mut *app.conn().await, "notify")
            .await
            .expect("jobs")
            .into_iter()
            .map(|j| j.payload)
            .filter(|p| p.contains("实施方案备案“2017年政务公开实施方案备案”"))
            .collect();
        assert_eq!(payloads.len(), 2, "one reminder per unit, naming the kind");

        // 市财政局 files on Monday 5 June: 3 working days after Wednesday 31 May (1, 2, 5 June).
        let mut tx = app.db().begin().await.expect("begin");
        feedback::submit(
            &mut tx,
            &app.actor(),
            mine,
            &SubmissionInput {
                text: "本单位2017年政务公开实施方案见附件。".into(),
                ..Default::default()
            },
            &[],
            noon("2017-06-05"),
        )
        .await
        .expect("file late");
        tx.commit().await.expect("commit");

        let r = compliance_feedback::report(
            &mut *app.conn().await,
            plan,
            NaiveDate::from_ymd_opt(2017, 12, 31).unwrap(),
        )
        .await
        .expect("report");
        let row = r
            .rounds
            .iter()
            .find(|x| x.round_id == mine)
            .expect("the filing is in the report");
        assert_eq!(row.kind, "implementation_plan");
        assert_eq!(row.kind_label, "实施方案备案");
        assert_eq!(row.status, "late");
        assert_eq!(row.status_label, "逾期反馈");
        assert_eq!(row.late_working_days, Some(3));
        assert_eq!(row.task_number, 23);
        let missing = r.rounds.iter().find(|x| x.round_id == theirs).unwrap();
        assert_eq!(missing.status_label, "未反馈");
        assert!(
            r.rounds
                .iter()
                .filter(|x| x.kind == "feedback")
                .all(|x| x.kind_label == "反馈")
        );
        // The compliance report's JSON carries the kind.
        let json = serde_json::to_value(&r).expect("json");
        assert!(
            json["rounds"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x["kind"] == "implementation_plan" && x["status"] == "late")
        );

        // Over HTTP: 市民政局's editor sees its own filing and not 市财政局's.
        app.create_user("minzheng", Role::Editor, Some(civil)).await;
        let unit = app.user("minzheng", PASSWORD).await;
        let r = unit.get(&format!("/admin/feedback/{mine}")).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let page = unit
            .get(&format!("/admin/feedback/{theirs}"))
            .await
            .text()
            .await
            .expect("body");
        assert!(page.contains("<dt>类型</dt><dd>实施方案备案</dd>"));
        assert!(
            page.contains("2017年政务公开实施方案备案")
                && page.contains("请在附件中上传本单位的实施方案")
        );
        let before = app.count("feedback_submissions").await;
        let r = unit
            .post_multipart(
                &format!("/admin/feedback/{mine}/submit"),
                unit.multipart().await.text("text", "冒名报送"),
            )
            .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        assert_eq!(app.count("feedback_submissions").await, before);
        let list = unit
            .get("/admin/feedback?kind=implementation_plan")
            .await
            .text()
            .await
            .expect("body");
        assert!(list.contains(&format!("/admin/feedback/{theirs}\"")));
        assert!(!list.contains(&format!("/admin/feedback/{mine}\"")));
        // It files as feedback, attachments and all.
        let r = unit
            .post_multipart(
                &format!("/admin/feedback/{theirs}/submit"),
                unit.multipart()
                    .await
                    .text("text", "实施方案见附件。")
                    .part(
                        "attachments",
                        reqwest::multipart::Part::bytes(b"%PDF-1.4\n%test\n".to_vec())
                            .file_name("实施方案.pdf")
                            .mime_str("application/pdf")
                            .unwrap(),
                    ),
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(app.count("feedback_submissions").await, before + 1);
        assert_eq!(app.count("feedback_attachments").await, 1);
    }
);

both_backends!(the_supervisor_opens_filings_over_http, |app| async move {
    let plan = import_seed_plan(&app).await;
    app.create_user("gongkaiban", Role::Supervisor, None).await;
    let office = app.user("gongkaiban", PASSWORD).await;
    let page = office
        .get(&format!("/admin/plans/{plan}"))
        .await
        .text()
        .await
        .expect("body");
    assert!(page.contains("开启实施方案备案") && page.contains("开启规范性文件月报"));
    assert!(
        page.contains("value=\"2017-05-31\""),
        "the closing's date as default"
    );
    let finance = app.org_id("市财政局").await;
    let county = app.org_id("盘山县人民政府").await;
    let general = app.org_id("盘锦市人民政府").await;
    // The units default to the collectives' members: selected, the city government itself not.
    assert!(page.contains(&format!("value=\"{finance}\" selected")));
    assert!(page.contains(&format!("value=\"{county}\" selected")));
    assert!(page.contains(&format!("value=\"{general}\">")));
    let path = format!("/admin/plans/{plan}/filings");
    // The monthly filing's fields after `start` (the user's `multipart()`, with its token).
    let monthly = |start: Form| {
        start
            .text("kind", "normative_report")
            .text("rule", "fixed")
            .text("day", "10")
            .text("org_ids", finance.to_string())
            .text("org_ids", county.to_string())
    };

    // Refused, writing nothing: no CSRF token; a bad day; no units; a date outside the year.
    let before = written(&app).await;
    // (a form without the token: `Form::new()` rather than `office.multipart()`)
    let (status, _) = office.submit_multipart(&path, monthly(Form::new())).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = office
        .submit_multipart(
            &path,
            office
                .multipart()
                .await
                .text("kind", "normative_report")
                .text("rule", "fixed")
                .text("day", "四十")
                .text("org_ids", finance.to_string()),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("error-summary") && body.contains("每月报送日须为1至31的整数"));
    assert!(body.contains("aria-invalid=\"true\""));
    let (status, body) = office
        .submit_multipart(
            &path,
            office
                .multipart()
                .await
                .text("kind", "implementation_plan")
                .text("due_date", "2017-05-31"),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("请至少选择一个报送单位"));
    let (status, body) = office
        .submit_multipart(
            &path,
            office
                .multipart()
                .await
                .text("kind", "implementation_plan")
                .text("due_date", "2016-12-30")
                .text("org_ids", finance.to_string()),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("实施方案备案的截止日期须在2017年内"));
    assert!(
        body.contains("value=\"2016-12-30\""),
        "the refused value is shown again"
    );
    assert_eq!(written(&app).await, before);

    // Accepted: 9 months × 2 units, due on the 10th of the following month (a working day in October 2017).
    let (status, loc) = office
        .submit_multipart(&path, monthly(office.multipart().await))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(loc, format!("/admin/plans/{plan}?notice=filings_opened"));
    let rows = filings_of(&app, FilingKind::NormativeReport).await;
    assert_eq!(rows.len(), 18);
    assert!(
        rows.iter()
            .any(|(o, d, l)| *o == county && d == "2017-10-10" && l == "2017年9月规范性文件报送")
    );
    // 10 June 2017 is a Saturday: May's report rolls to Monday the 12th.
    assert!(
        rows.iter()
            .any(|(_, d, l)| d == "2017-06-12" && l == "2017年5月规范性文件报送")
    );
    let (status, loc) = office
        .submit_multipart(&path, monthly(office.multipart().await))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(loc, format!("/admin/plans/{plan}?notice=filings_unchanged"));
    assert_eq!(
        filings_of(&app, FilingKind::NormativeReport).await.len(),
        18
    );
    let page = office
        .get(&format!("/admin/plans/{plan}?notice=filings_opened"))
        .await
        .text()
        .await
        .expect("body");
    assert!(page.contains("已开启报送事项"));
    assert!(page.contains("2017年9月规范性文件报送"));
    let list = office
        .get("/admin/feedback?kind=normative_report")
        .await
        .text()
        .await
        .expect("body");
    assert!(list.contains("规范性文件月报") && list.contains("2017年4月规范性文件报送"));
    assert!(!list.contains("6月30日反馈落实情况"));

    // A unit cannot open filings.
    app.create_user("caizheng", Role::Editor, Some(finance))
        .await;
    let unit = app.user("caizheng", PASSWORD).await;
    let r = unit
        .post_multipart(&path, monthly(unit.multipart().await))
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        filings_of(&app, FilingKind::NormativeReport).await.len(),
        18
    );
});
