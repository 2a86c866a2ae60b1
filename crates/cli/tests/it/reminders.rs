//! Notices for everyone who must act (issue 13, item 6), on both backends: the reminder scan over
//! a fixed day sends each notice once and nothing when run again; the reviewers of the first
//! level hear of a submitted item; a returned feedback report reaches the unit with its reason;
//! an application reaches its handler, or waits for one; the office's weekly digest comes once a
//! week; the rule editor validates and audits; the 工作台 lists my deadlines.

use crate::support::{PASSWORD, TestApp};
use gongkai_db::notifications::{self, Notification};
use gongkai_db::reminders;
use gongkai_domain::calendar::NaiveDate;
use gongkai_domain::obligation::WorkingDays;
use gongkai_domain::reminder::SubjectKind;
use gongkai_domain::role::Role;
use gongkai_jobs::worker::{self, WorkerConfig};
use reqwest::StatusCode;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// Runs the queue until nothing is due.
pub(crate) async fn drain(app: &TestApp) {
    let cfg = WorkerConfig {
        node_id: "test-node".into(),
        batch: 50,
        schedule_scans: false,
        ..WorkerConfig::default()
    };
    loop {
        let s = worker::run_once(app.db(), &cfg).await.unwrap();
        assert_eq!(s.failed, 0);
        if s.claimed == 0 {
            break;
        }
    }
}

pub(crate) async fn of_user(app: &TestApp, user: i64) -> Vec<Notification> {
    notifications::list(&mut *app.conn().await, user, 1, 500)
        .await
        .unwrap()
        .rows
}

async fn import_seed(app: &TestApp) -> i64 {
    let mut tx = app.db().begin().await.unwrap();
    let plan = gongkai_db::plans::import_builtin(&mut tx, &app.actor(), "panjin-2017")
        .await
        .unwrap()
        .plan_id;
    tx.commit().await.unwrap();
    plan
}

/// No ASCII punctuation next to a Chinese character.
fn full_width(s: &str) -> bool {
    let cs: Vec<char> = s.chars().collect();
    let cjk = |c: char| ('\u{4e00}'..='\u{9fff}').contains(&c);
    !cs.windows(2)
        .any(|w| (cjk(w[0]) && ",:;()?!".contains(w[1])) || (",:;()?!".contains(w[0]) && cjk(w[1])))
}

both_backends!(
    a_scan_notifies_each_once_and_again_nothing,
    |app| async move {
        import_seed(&app).await;
        let org: i64 = sqlx::query_scalar(
            "SELECT MIN(org_id) FROM feedback_rounds WHERE due_date = '2017-06-30'",
        )
        .fetch_one(&mut *app.conn().await)
        .await
        .unwrap();
        let editor = app.create_user("u_editor", Role::Editor, Some(org)).await;
        let office = app.create_user("u_office", Role::Supervisor, None).await;
        let day = d("2017-06-27");
        let first = reminders::scan_all(&mut *app.conn().await, day)
            .await
            .unwrap();
        assert!(first.feedback.enqueued >= 1, "{first:?}");
        drain(&app).await;
        let mine = of_user(&app, editor).await;
        let rounds: Vec<&Notification> = mine
            .iter()
            .filter(|n| n.dedupe_key.starts_with("reminder:feedback_round:"))
            .collect();
        assert!(!rounds.is_empty());
        for n in &rounds {
            assert!(
                n.body.contains("\u{300A}") && n.body.contains("项任务"),
                "{}",
                n.body
            );
            assert!(
                n.body
                    .contains("应于2017年6月30日前报送\u{FF0C}尚未报送\u{3002}"),
                "{}",
                n.body
            );
            assert!(
                full_width(&n.body) && full_width(&n.title),
                "{} / {}",
                n.title,
                n.body
            );
        }
        // The office gets the weekly digest of what is overdue by then, once.
        let digest: Vec<Notification> = of_user(&app, office)
            .await
            .into_iter()
            .filter(|n| n.kind == "digest.overdue")
            .collect();
        assert!(digest.len() <= 1);

        let count = app.count("notifications").await;
        let again = reminders::scan_all(&mut *app.conn().await, day)
            .await
            .unwrap();
        assert_eq!(again.enqueued(), 0, "{again:?}");
        drain(&app).await;
        assert_eq!(app.count("notifications").await, count);
        // A notice delivered again (as after a crash) creates nothing either.
        let keys: Vec<(String, String)> =
            sqlx::query_as("SELECT kind, payload FROM jobs WHERE kind = 'notify' ORDER BY id")
                .fetch_all(&mut *app.conn().await)
                .await
                .unwrap();
        for (_, payload) in keys {
            let p: notifications::NotifyPayload = serde_json::from_str(&payload).unwrap();
            assert_eq!(
                notifications::deliver(&mut *app.conn().await, &p, false)
                    .await
                    .unwrap(),
                0
            );
        }
        assert_eq!(app.count("notifications").await, count);
    }
);

both_backends!(the_weekly_digest_comes_once_a_week, |app| async move {
    import_seed(&app).await;
    let office = app.create_user("u_office", Role::Supervisor, None).await;
    // Rounds due 2017-06-30 are overdue from 2017-07-03; nobody answered them.
    for day in ["2017-07-10", "2017-07-12", "2017-07-14"] {
        reminders::scan_all(&mut *app.conn().await, d(day))
            .await
            .unwrap();
    }
    drain(&app).await;
    let digests = |app: TestApp| async move {
        of_user(&app, office)
            .await
            .into_iter()
            .filter(|n| n.kind == "digest.overdue")
            .collect::<Vec<_>>()
    };
    let got = digests(app.clone()).await;
    assert_eq!(got.len(), 1, "one digest in week 28");
    assert!(got[0].title.contains("2017-W28"), "{}", got[0].title);
    assert!(got[0].body.contains("项任务反馈"), "{}", got[0].body);
    assert!(full_width(&got[0].body), "{}", got[0].body);
    reminders::scan_all(&mut *app.conn().await, d("2017-07-17"))
        .await
        .unwrap();
    drain(&app).await;
    assert_eq!(digests(app.clone()).await.len(), 2, "and one in week 29");
});

both_backends!(
    submitting_an_item_tells_the_first_level_reviewers,
    |app| async move {
        let org = app.org_id("市财政局").await;
        let editor = app.create_user("cz_editor", Role::Editor, Some(org)).await;
        let reviewer = app
            .create_user("cz_reviewer", Role::Reviewer, Some(org))
            .await;
        let elsewhere = app
            .create_user(
                "mz_reviewer",
                Role::Reviewer,
                Some(app.org_id("市民政局").await),
            )
            .await;
        let id = app
            .create_item(app.item("市财政局", "czyjs", "财政收支月报").await)
            .await;
        let e = app.user("cz_editor", PASSWORD).await;
        let r = e
            .post(
                &format!("/admin/items/{id}/workflow"),
                &[("action", "submit")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        drain(&app).await;
        let got = of_user(&app, reviewer).await;
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(got[0].title.contains("财政收支月报") && got[0].title.contains("编辑初审"));
        assert_eq!(got[0].link, "/admin/reviews");
        assert!(of_user(&app, elsewhere).await.is_empty());
        assert!(
            of_user(&app, editor).await.is_empty(),
            "the author is not asked"
        );
    }
);

both_backends!(a_returned_report_tells_the_unit_why, |app| async move {
    import_seed(&app).await;
    let org = app.org_id("市财政局").await;
    let unit = app.create_user("cz_unit", Role::Editor, Some(org)).await;
    let office = app.create_user("u_office", Role::Supervisor, None).await;
    let round: i64 = sqlx::query_scalar(
        "SELECT MIN(id) FROM feedback_rounds WHERE org_id = $1 AND status = 'open'",
    )
    .bind(org)
    .fetch_one(&mut *app.conn().await)
    .await
    .unwrap();
    let u = app.user("cz_unit", PASSWORD).await;
    let form = u.multipart().await.text("text", "已按要求公开财政收支情况");
    let (s, _) = u
        .submit_multipart(&format!("/admin/feedback/{round}/submit"), form)
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    drain(&app).await;
    let waiting = of_user(&app, office).await;
    assert_eq!(
        waiting.len(),
        1,
        "the office hears a report waits: {waiting:?}"
    );
    assert_eq!(waiting[0].kind, "feedback.submitted");
    let o = app.user("u_office", PASSWORD).await;
    let (s, _) = o
        .submit(
            &format!("/admin/feedback/{round}/review"),
            &[("decision", "return"), ("comment", "未附公开链接")],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    drain(&app).await;
    let got: Vec<Notification> = of_user(&app, unit)
        .await
        .into_iter()
        .filter(|n| n.kind == "feedback.returned")
        .collect();
    assert_eq!(got.len(), 1);
    assert!(
        got[0].body.contains("退回理由\u{FF1A}未附公开链接"),
        "{}",
        got[0].body
    );
    assert!(
        got[0].body.contains("\u{300A}"),
        "names the plan: {}",
        got[0].body
    );
    assert!(full_width(&got[0].body), "{}", got[0].body);
});

both_backends!(
    an_application_reaches_its_handler_or_waits_for_one,
    |app| async move {
        let with = app.org_id("市财政局").await;
        let without = app.org_id("市民政局").await;
        let handler = app
            .create_user("cz_handler", Role::Handler, Some(with))
            .await;
        let admin = app.admin().await;
        for org in [with, without] {
            let r = admin
                .post(
                    "/admin/applications",
                    &[
                        ("org_id", org.to_string().as_str()),
                        ("channel", "in_person"),
                        ("submitted_on", "2017-06-01"),
                        ("confirmed_on", ""),
                        ("applicant_type", "natural_person"),
                        ("name", "王五"),
                        ("org_name", ""),
                        ("id_type", "other"),
                        ("id_number", "X1"),
                        ("phone", "0427-2812345"),
                        ("description", "2017年政府采购合同目录"),
                        ("delivery", "paper"),
                        ("address", "盘锦市双台子区"),
                    ],
                )
                .await;
            assert_eq!(
                r.status(),
                StatusCode::SEE_OTHER,
                "{}",
                r.text().await.unwrap()
            );
        }
        let due: String = sqlx::query_scalar("SELECT due_on FROM applications WHERE org_id = $1")
            .bind(with)
            .fetch_one(&mut *app.conn().await)
            .await
            .unwrap();
        let due = d(&due);
        let cal = gongkai_db::calendar::load(&mut *app.conn().await)
            .await
            .unwrap();
        let soon = gongkai_domain::reminder::working_days_before(&cal, due, 3).unwrap();
        let out = reminders::scan_applications(&mut *app.conn().await, soon)
            .await
            .unwrap();
        assert_eq!(out.enqueued, 2);
        drain(&app).await;
        let got = of_user(&app, handler).await;
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(
            got[0].title.contains("政府信息公开申请") && got[0].title.contains("即将到期")
                || got[0].title.contains("还有 3 个工作日"),
            "{}",
            got[0].title
        );
        assert_eq!(
            notifications::pending_count(&mut *app.conn().await)
                .await
                .unwrap(),
            1,
            "市民政局 has no handler: kept"
        );
        // Once 市民政局 has a handler, the kept notice reaches them, once.
        let late = app
            .create_user("mz_handler", Role::Handler, Some(without))
            .await;
        drain(&app).await;
        let got = of_user(&app, late).await;
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(got[0].link.starts_with("/admin/applications/"));
        assert_eq!(
            notifications::pending_count(&mut *app.conn().await)
                .await
                .unwrap(),
            0
        );
        reminders::scan_all(&mut *app.conn().await, soon)
            .await
            .unwrap();
        drain(&app).await;
        assert_eq!(of_user(&app, late).await.len(), 1);
        // Overdue is another occasion.
        let after = cal.add_working_days(due, 1);
        reminders::scan_applications(&mut *app.conn().await, after)
            .await
            .unwrap();
        drain(&app).await;
        let got = of_user(&app, handler).await;
        assert_eq!(got.len(), 2);
        assert!(
            got.iter().any(|n| n.kind == "application.overdue"),
            "{got:?}"
        );
    }
);

both_backends!(reminder_rules_are_validated_and_audited, |app| async move {
    app.create_user("u_office", Role::Supervisor, None).await;
    let org = app.org_id("市财政局").await;
    app.create_user("cz_editor", Role::Editor, Some(org)).await;
    let o = app.user("u_office", PASSWORD).await;
    let page = o.get("/admin/reminders").await;
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    assert!(page.contains("依申请公开") && page.contains("逾期提醒一次"));
    let audit = app.audit_count().await;
    let (s, body) = o
        .submit(
            "/admin/reminders/application",
            &[
                ("days_before", "99"),
                ("overdue", "repeat"),
                ("overdue_every", "0"),
                ("overdue_max", "3"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("到期前提醒的工作日数须为 0 至 60 之间的整数"),
        "{body}"
    );
    assert!(body.contains("逾期提醒的间隔工作日数须为 1 至 60 之间的整数"));
    assert_eq!(
        app.audit_count().await,
        audit,
        "a refused form changes nothing"
    );
    let (s, _) = o
        .submit(
            "/admin/reminders/application",
            &[
                ("days_before", "5"),
                ("on_day", "1"),
                ("overdue", "repeat"),
                ("overdue_every", "5"),
                ("overdue_max", "4"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(app.audit_count().await, audit + 1);
    let rules = notifications::kind_rules(&mut *app.conn().await, SubjectKind::Application)
        .await
        .unwrap();
    assert_eq!(
        (
            rules.days_before,
            rules.on_day,
            rules.overdue_every,
            rules.overdue_max
        ),
        (5, true, 5, 4)
    );
    // A unit may not edit them, and an unknown kind does not exist.
    let e = app.user("cz_editor", PASSWORD).await;
    let (s, _) = e
        .submit(
            "/admin/reminders/application",
            &[("days_before", "1"), ("overdue", "off")],
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = o
        .submit(
            "/admin/reminders/nothing",
            &[("days_before", "1"), ("overdue", "off")],
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(app.audit_count().await, audit + 1);
});

both_backends!(the_dashboard_lists_my_deadlines, |app| async move {
    import_seed(&app).await;
    let org = app.org_id("市财政局").await;
    app.create_user("cz_editor", Role::Editor, Some(org)).await;
    let e = app.user("cz_editor", PASSWORD).await;
    let page = e.get("/admin").await.text().await.unwrap();
    assert!(page.contains("我的待办期限"), "{page}");
    // The 2017 plan's rounds are long overdue today, each with a link to act.
    assert!(page.contains("id=\"my-deadlines\""));
    assert!(page.contains("已逾期") && page.contains("/admin/feedback/"));
    let listed = reminders::my_deadlines(
        &mut *app.conn().await,
        &[org],
        gongkai_db::china_today(),
        100,
    )
    .await
    .unwrap();
    assert!(!listed.is_empty());
    assert!(
        listed.windows(2).all(|w| w[0].due <= w[1].due),
        "sorted by due date"
    );
    // Another unit's editor does not see 市财政局's.
    let other = app.org_id("市民政局").await;
    let theirs = reminders::my_deadlines(
        &mut *app.conn().await,
        &[other],
        gongkai_db::china_today(),
        100,
    )
    .await
    .unwrap();
    assert!(theirs.iter().all(|x| x.org_name != "市财政局"));
});
