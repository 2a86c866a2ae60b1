//! Feedback rounds: a unit submits on its own rounds only (others answer 404), lateness in working
//! days, the supervising office returns (comment required) and accepts, history is kept, assessors
//! only read, and refused input (no CSRF, a malformed upload, an empty text) writes nothing.

use crate::support::{PASSWORD, TestApp};
use gongkai_db::feedback;
use gongkai_domain::feedback::SubmissionInput;
use gongkai_domain::role::Role;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};

async fn import_seed_plan(app: &TestApp) {
    let mut tx = app.db().begin().await.expect("begin");
    gongkai_db::plans::import_builtin(&mut tx, &app.actor(), "panjin-2017")
        .await
        .expect("import the seed plan");
    tx.commit().await.expect("commit");
}

/// Rounds of `org` due on `due`, in id order.
async fn rounds_of(app: &TestApp, org: i64, due: &str) -> Vec<i64> {
    sqlx::query_scalar(
        "SELECT id FROM feedback_rounds WHERE org_id = $1 AND due_date = $2 ORDER BY id",
    )
    .bind(org)
    .bind(due)
    .fetch_all(&mut *app.conn().await)
    .await
    .expect("rounds")
}

async fn round_status(app: &TestApp, id: i64) -> String {
    sqlx::query_scalar("SELECT status FROM feedback_rounds WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *app.conn().await)
        .await
        .expect("round status")
}

/// (submissions, attachments, audit entries): what a refused request must leave unchanged.
async fn written(app: &TestApp) -> (i64, i64, i64) {
    (
        app.count("feedback_submissions").await,
        app.count("feedback_attachments").await,
        app.audit_count().await,
    )
}

both_backends!(a_unit_submits_and_the_office_reviews, |app| async move {
    import_seed_plan(&app).await;
    let finance = app.org_id("市财政局").await;
    let civil = app.org_id("市民政局").await;
    let mine = rounds_of(&app, finance, "2017-06-30").await;
    assert!(!mine.is_empty(), "市财政局 has rounds due 2017-06-30");
    let round = mine[0];
    let other: i64 =
        sqlx::query_scalar("SELECT id FROM feedback_rounds WHERE org_id <> $1 ORDER BY id LIMIT 1")
            .bind(finance)
            .fetch_one(&mut *app.conn().await)
            .await
            .expect("another unit's round");
    // A published item of 市财政局 to link to, and one of another unit that may not be linked.
    let item = app
        .create_item(
            app.item("市财政局", "czyjs", "2017年上半年财政预算执行情况")
                .await,
        )
        .await;
    app.publish(item).await;
    let foreign = app
        .create_item(app.item("市民政局", "tzgg", "民政局的通知").await)
        .await;
    app.publish(foreign).await;
    let _ = civil;

    app.create_user("caizheng", Role::Editor, Some(finance))
        .await;
    app.create_user("gongkaiban", Role::Supervisor, None).await;
    app.create_user("pinggu", Role::Assessor, None).await;
    let unit = app.user("caizheng", PASSWORD).await;
    let office = app.user("gongkaiban", PASSWORD).await;
    let assessor = app.user("pinggu", PASSWORD).await;

    // The unit's list holds only its own rounds; another unit's round does not exist for it.
    let list = unit
        .get("/admin/feedback?status=open")
        .await
        .text()
        .await
        .expect("body");
    assert!(list.contains("反馈管理"), "nav and title");
    let scoped = feedback::list_rounds(
        &mut *app.conn().await,
        &feedback::RoundFilter {
            orgs: Some(vec![finance]),
            ..Default::default()
        },
        1,
        100,
    )
    .await
    .expect("list rounds");
    assert!(scoped.total >= mine.len() as i64);
    assert!(scoped.rows.iter().all(|r| r.org_id == finance));
    for id in list
        .split("href=\"/admin/feedback/")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .filter_map(|s| s.parse::<i64>().ok())
    {
        assert!(
            scoped.rows.iter().any(|r| r.id == id),
            "round {id} is 市财政局's"
        );
    }
    let r = unit.get(&format!("/admin/feedback/{other}")).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let page = unit.get(&format!("/admin/feedback/{round}")).await;
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.expect("body");
    assert!(page.contains("待提交") && page.contains("提交反馈"));
    assert!(
        page.contains("2017年上半年财政预算执行情况"),
        "own published items to link"
    );
    assert!(!page.contains("民政局的通知"));
    let path = format!("/admin/feedback/{round}/submit");
    let before = written(&app).await;

    // Refused, writing nothing: no CSRF token; a renamed executable; an empty text; a foreign item.
    // (a form without the token: `Form::new()` rather than `unit.multipart()`)
    let (s, _) = unit
        .submit_multipart(&path, Form::new().text("text", "落实情况"))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, body) = unit
        .submit_multipart(
            &path,
            unit.multipart().await.text("text", "落实情况").part(
                "attachments",
                Part::bytes(b"MZ\x90\x00".to_vec()).file_name("报告.pdf"),
            ),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("不符"), "{body}");
    let (s, body) = unit
        .submit_multipart(&path, unit.multipart().await.text("text", "  "))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("请填写反馈内容"));
    let (s, body) = unit
        .submit_multipart(
            &path,
            unit.multipart()
                .await
                .text("text", "落实情况")
                .text("item_ids", foreign.to_string()),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("只能关联本单位已发布的信息"));
    assert_eq!(written(&app).await, before);
    assert_eq!(round_status(&app, round).await, "open");

    // Submitted (late: today is long after 2017-06-30) with a link and an attachment.
    let (s, loc) = unit
        .submit_multipart(
            &path,
            unit.multipart()
                .await
                .text("text", "已按要求公开预算执行情况。\n详见链接。")
                .text("item_ids", item.to_string())
                .text("urls", "https://www.panjin.gov.cn/czj/2017.html")
                .part(
                    "attachments",
                    Part::bytes(b"%PDF-1.4\n% fb\n".to_vec()).file_name("落实情况.pdf"),
                ),
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{loc}");
    assert_eq!(round_status(&app, round).await, "submitted");
    assert_eq!(written(&app).await.0, before.0 + 1);
    assert_eq!(written(&app).await.1, before.1 + 1);
    let subs = feedback::submissions(&mut *app.conn().await, round)
        .await
        .expect("submissions");
    assert!(subs[0].late_working_days > 0, "late submission recorded");
    let page = unit.get_ok(&format!("/admin/feedback/{round}")).await;
    assert!(page.contains("逾期") && page.contains("落实情况.pdf"));
    assert!(
        !page.contains("name=\"text\""),
        "no second submission while it is under review"
    );
    let atts = feedback::attachments_of_round(&mut *app.conn().await, round)
        .await
        .expect("attachments");
    let r = unit
        .get(&format!(
            "/admin/feedback/{round}/attachments/{}",
            atts[0].id
        ))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.bytes().await.expect("bytes").as_ref(),
        b"%PDF-1.4\n% fb\n"
    );

    // Assessors read, never review; the unit cannot review its own feedback.
    assert_eq!(
        assessor
            .submit(
                &format!("/admin/feedback/{round}/review"),
                &[("decision", "accept"), ("comment", "")]
            )
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        unit.submit(
            &format!("/admin/feedback/{round}/review"),
            &[("decision", "accept"), ("comment", "")]
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );

    // The office: a return without a comment is refused in Chinese and writes nothing; no CSRF
    // token is refused; with a comment it returns.
    let before = written(&app).await;
    let (s, body) = office
        .submit(
            &format!("/admin/feedback/{round}/review"),
            &[("decision", "return"), ("comment", "  ")],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("退回时请填写退回意见"), "{body}");
    let r = office
        .post_without_csrf(
            &format!("/admin/feedback/{round}/review"),
            &[("decision", "return"), ("comment", "补充")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(written(&app).await, before);
    assert_eq!(round_status(&app, round).await, "submitted");
    assert_eq!(
        office
            .submit(
                &format!("/admin/feedback/{round}/review"),
                &[("decision", "return"), ("comment", "请补充下半年计划")]
            )
            .await
            .0,
        StatusCode::SEE_OTHER
    );
    assert_eq!(round_status(&app, round).await, "returned");

    // The unit sees the comment and resubmits; the office accepts.
    let page = unit.get_ok(&format!("/admin/feedback/{round}")).await;
    assert!(page.contains("请补充下半年计划") && page.contains("重新提交反馈"));
    let (s, _) = unit
        .submit_multipart(
            &path,
            unit.multipart().await.text("text", "已补充下半年计划。"),
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(round_status(&app, round).await, "submitted");
    assert_eq!(
        office
            .submit(
                &format!("/admin/feedback/{round}/review"),
                &[("decision", "accept"), ("comment", "")]
            )
            .await
            .0,
        StatusCode::SEE_OTHER
    );
    assert_eq!(round_status(&app, round).await, "accepted");

    // Accepted is final.
    let (s, _) = unit
        .submit_multipart(&path, unit.multipart().await.text("text", "再交一次"))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);

    // History: both submissions kept, each with its own review.
    let subs = feedback::submissions(&mut *app.conn().await, round)
        .await
        .expect("submissions");
    assert_eq!(subs.len(), 2);
    assert_eq!((subs[0].sequence, subs[0].status.as_str()), (1, "returned"));
    assert_eq!(subs[0].review_comment.as_deref(), Some("请补充下半年计划"));
    assert_eq!(subs[0].text, "已按要求公开预算执行情况。\n详见链接。");
    assert_eq!((subs[1].sequence, subs[1].status.as_str()), (2, "accepted"));
    let page = assessor.get_ok(&format!("/admin/feedback/{round}")).await;
    assert!(page.contains("第 1 次提交") && page.contains("第 2 次提交"));
    assert!(page.contains("已采纳") && !page.contains("name=\"decision\""));
    let audited: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE entity = 'feedback_round' AND entity_id = $1",
    )
    .bind(round.to_string())
    .fetch_one(&mut *app.conn().await)
    .await
    .expect("audit");
    assert_eq!(audited, 4, "two submissions, a return, an acceptance");

    // The office's list filters by organisation and status.
    let list = office
        .get_ok(&format!("/admin/feedback?org={finance}&status=accepted"))
        .await;
    assert!(list.contains(&format!("/admin/feedback/{round}\"")));
    assert!(!list.contains(&format!("/admin/feedback/{other}\"")));
});

/// Noon in China on 2017-06-30 plus `days` calendar days (epoch ms).
fn at(days: i64) -> i64 {
    // 2017-06-30T00:00:00+08:00
    const JUNE_30_2017_CST: i64 = 1_498_752_000_000;
    JUNE_30_2017_CST + days * 86_400_000 + 12 * 3_600_000
}

both_backends!(lateness_is_counted_in_working_days, |app| async move {
    import_seed_plan(&app).await;
    let finance = app.org_id("市财政局").await;
    let rounds = rounds_of(&app, finance, "2017-06-30").await;
    assert!(rounds.len() >= 2, "two rounds of 市财政局 due 2017-06-30");
    let input = SubmissionInput {
        text: "落实情况".into(),
        ..Default::default()
    };
    let mut tx = app.db().begin().await.expect("begin");
    let on_time = feedback::submit(&mut tx, &app.actor(), rounds[0], &input, &[], at(0))
        .await
        .expect("submit on time");
    let late = feedback::submit(&mut tx, &app.actor(), rounds[1], &input, &[], at(5))
        .await
        .expect("submit late");
    // A second submission while the first is under review is refused.
    let again = feedback::submit(&mut tx, &app.actor(), rounds[1], &input, &[], at(6)).await;
    assert!(matches!(again, Err(gongkai_db::DbError::Invalid(_))));
    tx.commit().await.expect("commit");
    let days: Vec<(i64, i64, String)> = sqlx::query_as(
        "SELECT id, late_working_days, submitted_on FROM feedback_submissions ORDER BY id",
    )
    .fetch_all(&mut *app.conn().await)
    .await
    .expect("rows");
    assert_eq!(days[0], (on_time, 0, "2017-06-30".into()));
    assert_eq!(
        days[1],
        (late, 3, "2017-07-05".into()),
        "07-03, 07-04, 07-05"
    );

    // The office's late-only filter finds the late one and not the on-time one.
    let page = feedback::list_rounds(
        &mut *app.conn().await,
        &feedback::RoundFilter {
            org_id: Some(finance),
            late_only: true,
            today: "2017-06-01".into(),
            ..Default::default()
        },
        1,
        100,
    )
    .await
    .expect("late rounds");
    assert!(page.rows.iter().any(|r| r.id == rounds[1]));
    assert!(!page.rows.iter().any(|r| r.id == rounds[0]));
    let row = page.rows.iter().find(|r| r.id == rounds[1]).expect("row");
    assert_eq!(row.late_working_days, Some(3));

    // A review with an empty return comment writes nothing.
    let audit = app.audit_count().await;
    let mut tx = app.db().begin().await.expect("begin");
    let r = feedback::review(&mut tx, &app.actor(), rounds[1], "return", "", at(6)).await;
    let Err(gongkai_db::DbError::Invalid(inv)) = r else {
        panic!("an empty return comment must be refused: {r:?}");
    };
    assert!(inv.summary().contains("退回时请填写退回意见"));
    drop(tx);
    assert_eq!(app.audit_count().await, audit);
});
