//! Assessment (考核) on both backends, with the built-in 2017 arrangement and the demo scenario
//! (`gongkai_db::seed_scenario`: 市财政局's August report 8 working days late, 市统计局's third
//! quarter missed), plus a policy interpretation by 市发展改革委 so one unit has every period on
//! time. Every figure below is worked out by hand from the default scheme: full score 100;
//! 按时公开 50, 落实情况反馈 30, 互动回应 10 and 监测结果 10 (no data source yet, so their 20
//! points are spread over the other two: ×100/80, publication out of 62.5, feedback out of 37.5);
//! a late period earns 0.5; deductions 1 per missed period, 0.5 per late period, 1 per overdue
//! feedback round, capped at 10; openness weighs 4% of the performance assessment.

use crate::support::users::pairs;
use crate::support::{PASSWORD, TestApp, outcome};
use gongkai_db::assessment::{AssessmentReport, compute};
use gongkai_db::{feedback, plans};
use gongkai_domain::assessment::{Component, Ranked};
use gongkai_domain::calendar::NaiveDate;
use gongkai_domain::feedback::SubmissionInput;
use gongkai_domain::role::Role;
use reqwest::StatusCode;

const AS_OF: &str = "2017-12-31";

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// 10:00 in China on `date`, in epoch milliseconds.
fn china_ms(date: &str) -> i64 {
    d(date)
        .and_hms_opt(2, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp_millis()
}

/// Imports the built-in plan, loads the scenario and has 市发展改革委 publish an interpretation
/// (its yearly 政策解读 period met). Returns the plan id.
async fn scenario(app: &TestApp) -> i64 {
    let mut tx = app.db().begin().await.unwrap();
    let done = plans::import_builtin(&mut tx, &app.actor(), "panjin-2017")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    // The figures below were worked out for task 1's checked obligations alone (the four leads'
    // yearly interpretation, 市财政局's monthly and 市统计局's quarterly report); the reviewed
    // built-in checks every task, so the rest are removed to keep the hand count small.
    sqlx::query(
        "DELETE FROM obligations WHERE id NOT IN (SELECT ob.id FROM obligations ob \
         JOIN plan_duties d ON d.id = ob.duty_id JOIN plan_tasks t ON t.id = d.task_id \
         JOIN organisations o ON o.id = ob.org_id WHERE t.number = 1 AND ( \
         (ob.cadence = 'at_least_1_per_year' AND o.name <> '市审计局') \
         OR (ob.cadence = 'monthly' AND o.name = '市财政局') \
         OR (ob.cadence = 'quarterly' AND o.name = '市统计局')))",
    )
    .execute(&mut *app.conn().await)
    .await
    .unwrap();
    gongkai_db::seed_scenario::load(app.db()).await.unwrap();
    let mut f = app
        .item("市发改委", "zcjd", "《盘锦市优化营商环境若干措施》政策解读")
        .await;
    f.publish_date = "2017-05-20".into();
    f.written_on = "2017-05-20".into();
    let id = app.create_item(f).await;
    app.publish(id).await;
    done.plan_id
}

/// The unit's feedback rounds: `(id, due_date)`.
async fn rounds(app: &TestApp, org: &str) -> Vec<(i64, String)> {
    let org = app.org_id(org).await;
    sqlx::query_as(
        "SELECT id, due_date FROM feedback_rounds WHERE org_id = $1 ORDER BY due_date, id",
    )
    .bind(org)
    .fetch_all(&mut *app.conn().await)
    .await
    .unwrap()
}

/// Submits on `on` and accepts the next day, through the db layer (dates injected).
async fn answer(app: &TestApp, round: i64, on: &str) {
    let mut tx = app.db().begin().await.unwrap();
    let input = SubmissionInput {
        text: "已按要求落实，相关信息已在政府网站公开。".into(),
        item_ids: Vec::new(),
        urls: Vec::new(),
    };
    feedback::submit(&mut tx, &app.actor(), round, &input, &[], china_ms(on))
        .await
        .unwrap();
    let next = d(on).succ_opt().unwrap().to_string();
    feedback::review(&mut tx, &app.actor(), round, "accept", "", china_ms(&next))
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

/// Every round of the three units not yet answered by the scenario (which has 市统计局 answer
/// task 1's 6月30日 round 4 working days late) answered on its due date and accepted.
async fn answer_all_on_time(app: &TestApp) {
    for org in ["市发改委", "市财政局", "市统计局"] {
        for (id, due) in rounds(app, org).await {
            let answered: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM feedback_submissions WHERE round_id = $1")
                    .bind(id)
                    .fetch_one(&mut *app.conn().await)
                    .await
                    .unwrap();
            if answered == 0 {
                answer(app, id, &due).await;
            }
        }
    }
}

async fn assess(app: &TestApp, plan: i64) -> AssessmentReport {
    compute(&mut *app.conn().await, plan, d(AS_OF))
        .await
        .unwrap()
}

fn row<'a>(r: &'a AssessmentReport, org: &str) -> &'a Ranked {
    r.rows
        .iter()
        .find(|x| x.score.org_name == org)
        .unwrap_or_else(|| panic!("no row for {org}"))
}

fn points(r: &Ranked, c: Component) -> Option<f64> {
    r.score.component(c).and_then(|x| x.points)
}

both_backends!(
    scores_rank_on_time_above_late_above_missed,
    |app| async move {
        let plan = scenario(&app).await;
        answer_all_on_time(&app).await;
        let r = assess(&app, plan).await;

        // 市发展改革委: its one due period on time, every round on time: 62.5 + 37.5 = 100.
        let ndrc = row(&r, "市发展改革委");
        assert_eq!(points(ndrc, Component::Publication), Some(62.5));
        assert_eq!(points(ndrc, Component::Feedback), Some(37.5));
        assert_eq!(points(ndrc, Component::Interaction), None);
        assert_eq!(points(ndrc, Component::Monitoring), None);
        assert_eq!(ndrc.score.score, Some(100.0));
        assert_eq!(ndrc.score.contribution, Some(4.0));
        assert_eq!(ndrc.rank, Some(1));

        // 市财政局: 7 months on time and August late: (7 + 0.5) / 8 × 62.5 = 58.59375 → 58.59;
        // feedback 37.5; minus 0.5 for the late period: 95.59; × 4% = 3.8236.
        let fin = row(&r, "市财政局");
        assert_eq!(
            (
                fin.score.inputs.publication.met,
                fin.score.inputs.publication.met_late,
                fin.score.inputs.publication.missed
            ),
            (7, 1, 0)
        );
        assert_eq!(points(fin, Component::Publication), Some(58.59));
        assert_eq!(points(fin, Component::Feedback), Some(37.5));
        assert_eq!(fin.score.deductions_total, 0.5);
        assert_eq!(fin.score.score, Some(95.59));
        assert_eq!(fin.score.contribution, Some(3.8236));
        assert_eq!(fin.rank, Some(2));

        // 市统计局 : the half-year on time, the third quarter missed: 1/2 × 62.5 = 31.25; of its 2
        // rounds (task 1.3 only: collectives are not expanded), the 6月30日 one answered 4 working
        // days late (the scenario): (1 + 0.5) / 2 × 37.5 = 28.125 → 28.13; minus 1 for the
        // missed quarter and 1 for the late round: 57.38 (28.125 unrounded: 57.375); × 4% =
        // 2.2952 (of the rounded score).
        let stats = row(&r, "市统计局");
        assert_eq!(points(stats, Component::Publication), Some(31.25));
        assert_eq!(points(stats, Component::Feedback), Some(28.13));
        assert_eq!(stats.score.inputs.feedback.accepted_late, 1);
        assert_eq!(stats.score.deductions_total, 2.0);
        assert_eq!(stats.score.score, Some(57.38));
        assert_eq!(stats.score.contribution, Some(2.2952));
        assert_eq!(stats.rank, Some(3));

        // A unit that answered no round: feedback 0 and capped deductions, ranked below.
        let civil = row(&r, "市民政局");
        assert_eq!(points(civil, Component::Feedback), Some(0.0));
        assert!(civil.rank.unwrap() > 3);
        assert!(
            fin.score
                .explanation
                .iter()
                .any(|l| l.contains("得分率 (7 + 1 × 0.5) ÷ 8 = 93.75%")),
            "{:?}",
            fin.score.explanation
        );

        // The ranking page links each figure to its evidence.
        app.login_admin().await;
        let page = app
            .get_ok(&format!("/admin/assessment?plan={plan}&as_of={AS_OF}"))
            .await;
        let fin_id = app.org_id("市财政局").await;
        assert!(page.contains("<caption>"), "accessible table");
        assert!(page.contains(&format!(
            "/admin/supervision/periods?plan={plan}&amp;as_of={AS_OF}&amp;org={fin_id}\""
        )));
        assert!(page.contains(&format!("/admin/feedback?plan={plan}&amp;org={fin_id}")));
        assert!(page.contains("95.59") && page.contains("3.8236"));
        let unit = app
            .get_ok(&format!(
                "/admin/assessment/units/{fin_id}?plan={plan}&as_of={AS_OF}"
            ))
            .await;
        assert!(
            unit.contains("计入绩效考核：95.59 ÷ 100 × 4% = 3.8236 分"),
            "{unit}"
        );
    }
);

both_backends!(
    feedback_after_the_due_date_lowers_the_score,
    |app| async move {
        let plan = scenario(&app).await;
        let fin_rounds = rounds(&app, "市财政局").await;
        // The scenario answered task 1's 6月30日 round on time; take another one due that day.
        let answered: Vec<i64> = sqlx::query_scalar("SELECT round_id FROM feedback_submissions")
            .fetch_all(&mut *app.conn().await)
            .await
            .unwrap();
        let (late_round, due) = fin_rounds
            .iter()
            .find(|(id, due)| due == "2017-06-30" && !answered.contains(id))
            .cloned()
            .unwrap();
        assert_eq!(due, "2017-06-30");
        // Wednesday 5 July: 3 working days after Friday 30 June.
        answer(&app, late_round, "2017-07-05").await;
        for (id, due) in fin_rounds
            .iter()
            .filter(|(id, _)| *id != late_round && !answered.contains(id))
        {
            answer(&app, *id, due).await;
        }
        let late: i64 = sqlx::query_scalar(
            "SELECT late_working_days FROM feedback_submissions WHERE round_id = $1",
        )
        .bind(late_round)
        .fetch_one(&mut *app.conn().await)
        .await
        .unwrap();
        assert_eq!(late, 3);

        let r = assess(&app, plan).await;
        let fin = row(&r, "市财政局");
        // 市财政局 reports on 13 rounds: the seven duties that name it (2.2 has one date);
        // collectives such as 市政府各部门 are no longer expanded to it.
        assert_eq!(fin_rounds.len(), 13);
        assert_eq!(fin.score.inputs.feedback.accepted_late, 1);
        assert_eq!(fin.score.inputs.feedback.accepted_on_time, 12);
        assert_eq!(fin.score.inputs.feedback.overdue, 1);
        // (12 + 0.5) / 13 × 37.5 = 36.057… → 36.06, below the 37.5 of all on time.
        assert_eq!(points(fin, Component::Feedback), Some(36.06));
        // Deductions: 0.5 for the late period and 1 for the late round.
        assert_eq!(fin.score.deductions_total, 1.5);
        // 58.59 + 36.06 − 1.5 = 93.15; × 4% = 3.726.
        assert_eq!(fin.score.score, Some(93.15));
        assert_eq!(fin.score.contribution, Some(3.726));
        assert!(
            fin.score
                .component(Component::Feedback)
                .unwrap()
                .explanation
                .contains("按时提交并采纳 12 轮、逾期提交后采纳 1 轮（每轮按 0.5 计）")
        );

        // As of 3 July the late round had not been submitted: it is overdue and scores nothing.
        let early = compute(&mut *app.conn().await, plan, d("2017-07-03"))
            .await
            .unwrap();
        let fin = row(&early, "市财政局");
        assert_eq!(fin.score.inputs.feedback.not_submitted, 1);
        assert_eq!(
            early
                .rounds
                .iter()
                .find(|x| x.round_id == late_round)
                .unwrap()
                .outcome_label,
            "逾期未提交"
        );
    }
);

/// The scheme form of `plan`: the defaults, with `overrides`; post it to
/// `/admin/assessment/scheme`.
fn scheme_form(plan: i64, overrides: &[(&str, &str)]) -> Vec<(&'static str, String)> {
    let mut form: Vec<(&'static str, String)> = [
        ("full_score", "100"),
        ("openness_weight", "4"),
        ("publication_weight", "50"),
        ("publication_late_fraction", "0.5"),
        ("feedback_weight", "30"),
        ("feedback_late_fraction", "0.5"),
        ("interaction_weight", "10"),
        ("monitoring_weight", "10"),
        ("missed_period", "1"),
        ("late_period", "0.5"),
        ("overdue_feedback", "1"),
        ("cap", "10"),
    ]
    .iter()
    .map(|(k, v)| {
        let v = overrides
            .iter()
            .find(|(o, _)| o == k)
            .map_or(*v, |(_, ov)| *ov);
        (*k, v.to_string())
    })
    .collect();
    form.push(("plan", plan.to_string()));
    form
}

const SCHEME: &str = "/admin/assessment/scheme";

both_backends!(
    invalid_schemes_are_refused_and_change_nothing,
    |app| async move {
        let plan = scenario(&app).await;
        let me = app.admin().await;
        let audit = app.audit_count().await;
        let (status, body) = me
            .submit(
                SCHEME,
                &pairs(&scheme_form(plan, &[("openness_weight", "3")])),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            body.contains("政务公开在绩效考核中的权重不能低于4%"),
            "{body}"
        );
        // The typed value is shown again.
        assert!(body.contains("value=\"3\""));
        let (status, body) = me
            .submit(
                SCHEME,
                &pairs(&scheme_form(plan, &[("publication_weight", "60")])),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            body.contains("各项权重之和（110分）应等于满分（100分）"),
            "{body}"
        );
        let (status, body) = me
            .submit(
                SCHEME,
                &pairs(&scheme_form(
                    plan,
                    &[("cap", "-1"), ("late_period", "半分")],
                )),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("扣分上限不能为负数"), "{body}");
        assert!(body.contains("每个逾期完成周期扣分必须是数字"), "{body}");
        // No CSRF token: refused.
        let (status, _) = outcome(
            me.post_without_csrf(
                SCHEME,
                &pairs(&scheme_form(plan, &[("openness_weight", "5")])),
            )
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(app.count("assessment_schemes").await, 0);
        assert_eq!(app.audit_count().await, audit);

        // A valid scheme is saved, audited and applied: openness at 5%, 市发展改革委's 100 → 5.
        let (status, location) = me
            .submit(
                SCHEME,
                &pairs(&scheme_form(plan, &[("openness_weight", "5")])),
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
        assert!(location.starts_with("/admin/assessment?plan="));
        assert_eq!(app.count("assessment_schemes").await, 1);
        assert_eq!(app.audit_count().await, audit + 1);
        answer_all_on_time(&app).await;
        let r = assess(&app, plan).await;
        assert_eq!(r.scheme.scheme.openness_weight, 5.0);
        assert_eq!(row(&r, "市发展改革委").score.contribution, Some(5.0));
        assert_eq!(row(&r, "市财政局").score.contribution, Some(4.7795));
    }
);

both_backends!(
    assessors_read_and_export_but_cannot_save,
    |app| async move {
        let plan = scenario(&app).await;
        app.create_user("pinggu", Role::Assessor, None).await;
        let assessor = app.user("pinggu", PASSWORD).await;
        let client = assessor.client().clone();
        let get = |path: String| {
            let client = client.clone();
            let url = app.url(&path);
            async move {
                let resp = client.get(url).send().await.unwrap();
                (resp.status(), resp.text().await.unwrap_or_default())
            }
        };
        let (status, page) = get(format!("/admin/assessment?plan={plan}&as_of={AS_OF}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("市财政局") && page.contains("市统计局"));
        assert!(page.contains("查看评分方案") && !page.contains("修改评分方案"));
        let (status, csv) = get(format!("/admin/assessment.csv?plan={plan}&as_of={AS_OF}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(csv.starts_with('\u{feff}'));
        assert!(csv.contains("市财政局") && csv.contains("市统计局"));
        let stats = app.org_id("市统计局").await;
        let (status, _) = get(format!(
            "/admin/assessment/units/{stats}?plan={plan}&as_of={AS_OF}"
        ))
        .await;
        assert_eq!(status, StatusCode::OK);
        let (status, form) = get(format!("/admin/assessment/scheme?plan={plan}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(form.contains("当前评分方案（只读）") && !form.contains("保存评分方案"));

        let audit = app.audit_count().await;
        let (status, body) = assessor
            .submit(
                SCHEME,
                &pairs(&scheme_form(plan, &[("openness_weight", "6")])),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(
            body.contains("只有政务公开办（监管）可以修改评分方案"),
            "{body}"
        );
        assert_eq!(app.count("assessment_schemes").await, 0);
        assert_eq!(app.audit_count().await, audit);
    }
);

both_backends!(a_unit_sees_only_its_own_row, |app| async move {
    let plan = scenario(&app).await;
    answer_all_on_time(&app).await;
    let fin = app.org_id("市财政局").await;
    let stats = app.org_id("市统计局").await;
    app.create_user("caizheng", Role::Editor, Some(fin)).await;
    let client = app.new_client();
    app.login_as(&client, "caizheng", PASSWORD).await;
    let page = client
        .get(app.url(&format!("/admin/assessment?plan={plan}&as_of={AS_OF}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("市财政局") && page.contains("95.59"),
        "{page}"
    );
    assert!(!page.contains("市统计局") && !page.contains("市发展改革委"));
    assert!(page.contains("仅显示本单位"));
    // Its rank among all units is shown.
    assert!(page.contains("<td>2</td>"), "{page}");
    let resp = client
        .get(app.url(&format!(
            "/admin/assessment/units/{stats}?plan={plan}&as_of={AS_OF}"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    let resp = client
        .get(app.url(&format!(
            "/admin/assessment/units/{fin}?plan={plan}&as_of={AS_OF}"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let csv = client
        .get(app.url(&format!("/admin/assessment.csv?plan={plan}&as_of={AS_OF}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2, "header and its own row: {csv}");
    assert!(lines[1].contains("市财政局"));
});

both_backends!(csv_has_a_bom_and_the_figures, |app| async move {
    let plan = scenario(&app).await;
    answer_all_on_time(&app).await;
    app.login_admin().await;
    let resp = app
        .get(&format!("/admin/assessment.csv?plan={plan}&as_of={AS_OF}"))
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv; charset=utf-8")
    );
    assert!(
        resp.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let bytes = resp.bytes().await.unwrap();
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "UTF-8 byte order mark");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "名次,单位,按时公开（权重50分）,落实情况反馈（权重30分）,互动回应（权重10分）,监测结果（权重10分）,扣分,总分（满分100分）,计入绩效考核（权重4%）"
    );
    assert_eq!(lines[1], "1,市发展改革委,62.5,37.5,不计分,不计分,0,100,4");
    assert_eq!(
        lines[2],
        "2,市财政局,58.59,37.5,不计分,不计分,0.5,95.59,3.8236"
    );
    assert_eq!(
        lines[3],
        [
            "3",
            "市统计局",
            "31.25",
            "28.13",
            "不计分",
            "不计分",
            "2",
            "57.38",
            "2.2952"
        ]
        .join(",")
    );
});

both_backends!(schemes_are_stored_per_plan_and_audited, |app| async move {
    use gongkai_db::assessment::{get_scheme, save_scheme};
    use gongkai_domain::assessment::Scheme;
    let plan = scenario(&app).await;
    let stored = get_scheme(&mut *app.conn().await, plan).await.unwrap();
    assert!(!stored.stored);
    assert_eq!(stored.scheme, Scheme::default());

    // The db layer validates too: an invalid scheme writes nothing, not even an audit entry.
    let audit = app.audit_count().await;
    let bad = Scheme {
        openness_weight: 2.0,
        ..Scheme::default()
    };
    let mut tx = app.db().begin().await.unwrap();
    let err = save_scheme(&mut tx, &app.actor(), plan, &bad, 1)
        .await
        .unwrap_err();
    drop(tx);
    assert!(err.to_string().contains("不能低于4%"), "{err}");
    assert_eq!(app.count("assessment_schemes").await, 0);
    assert_eq!(app.audit_count().await, audit);

    // A plan that does not exist.
    let mut tx = app.db().begin().await.unwrap();
    let err = save_scheme(&mut tx, &app.actor(), plan + 100, &Scheme::default(), 1)
        .await
        .unwrap_err();
    drop(tx);
    assert!(matches!(err, gongkai_db::DbError::NotFound(_)), "{err}");

    // Saved twice: one row, the second replaces the first, each save audited.
    for weight in [6.0, 8.0] {
        let s = Scheme {
            openness_weight: weight,
            ..Scheme::default()
        };
        let mut tx = app.db().begin().await.unwrap();
        save_scheme(&mut tx, &app.actor(), plan, &s, 1)
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    assert_eq!(app.count("assessment_schemes").await, 1);
    assert_eq!(app.audit_count().await, audit + 2);
    let stored = get_scheme(&mut *app.conn().await, plan).await.unwrap();
    assert!(stored.stored);
    assert_eq!(stored.scheme.openness_weight, 8.0);
    let (action, before): (String, Option<String>) =
        sqlx::query_as("SELECT action, before_json FROM audit_log ORDER BY id DESC LIMIT 1")
            .fetch_one(&mut *app.conn().await)
            .await
            .unwrap();
    assert_eq!(action, "assessment.scheme.save");
    assert!(before.unwrap().contains("\"openness_weight\":6.0"));
});
