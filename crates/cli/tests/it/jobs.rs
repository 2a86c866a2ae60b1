//! The job queue and reminders on both backends: enqueue deduplication, claim and complete,
//! retries with backoff and final failure, a lease that expires when its node is "killed", the
//! reminder scan with the seed plan as of 2017-06-27 run repeatedly and by two concurrent workers
//! (on PostgreSQL this exercises `FOR UPDATE SKIP LOCKED`) giving exactly one notification per
//! (user, round, reminder), the worker task itself, and the back-office notifications page.

use crate::support::{PASSWORD, TestApp};
use gongkai_db::jobs::{self, Job};
use gongkai_db::notifications::{self, NOTIFY_JOB, SCAN_JOB};
use gongkai_db::now_ms;
use gongkai_domain::calendar::NaiveDate;
use gongkai_domain::role::Role;
use gongkai_jobs::worker::{self, WorkerConfig};
use reqwest::StatusCode;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

async fn enqueue(app: &TestApp, kind: &str, run_at: i64, key: Option<&str>) -> Option<i64> {
    jobs::enqueue(&mut *app.conn().await, kind, &json!({"n": 1}), run_at, key)
        .await
        .unwrap()
}

async fn job(app: &TestApp, id: i64) -> Job {
    jobs::get(&mut *app.conn().await, id)
        .await
        .unwrap()
        .unwrap()
}

both_backends!(enqueue_is_idempotent_on_its_key, |app| async move {
    let now = now_ms();
    let a = enqueue(&app, "test", now, Some("k1")).await;
    assert!(a.is_some());
    assert_eq!(enqueue(&app, "test", now, Some("k1")).await, None);
    // Without a key nothing is deduplicated.
    assert!(enqueue(&app, "test", now, None).await.is_some());
    assert!(enqueue(&app, "test", now, None).await.is_some());
    assert_eq!(app.count("jobs").await, 3);
    let j = job(&app, a.unwrap()).await;
    assert_eq!((j.status.as_str(), j.attempts), ("queued", 0));
    // A finished job still holds its key.
    let c = jobs::claim(app.db(), "n1", 60_000, 10).await.unwrap();
    assert_eq!(c.len(), 3);
    for j in &c {
        assert!(
            jobs::complete(&mut *app.conn().await, j.id, "n1")
                .await
                .unwrap()
        );
    }
    assert_eq!(enqueue(&app, "test", now, Some("k1")).await, None);
    // The hourly scan is queued once per hour, whichever node asks.
    let day = NaiveDate::from_ymd_opt(2017, 6, 27).unwrap();
    assert!(worker::schedule_scan(app.db(), now, day).await.unwrap());
    assert!(!worker::schedule_scan(app.db(), now + 1, day).await.unwrap());
});

both_backends!(claim_then_complete, |app| async move {
    let now = now_ms();
    let due = enqueue(&app, "test", now - 1000, None).await.unwrap();
    let later = enqueue(&app, "test", now + 3_600_000, None).await.unwrap();
    let c = jobs::claim_at(app.db(), "node-a", 60_000, 10, now)
        .await
        .unwrap();
    assert_eq!(c.iter().map(|j| j.id).collect::<Vec<_>>(), [due]);
    assert_eq!(c[0].status, "running");
    assert_eq!(c[0].locked_by.as_deref(), Some("node-a"));
    assert_eq!(c[0].locked_until, Some(now + 60_000));
    assert_eq!(c[0].attempts, 1);
    // Nothing else is due; a running job under lease is not claimed again.
    assert!(
        jobs::claim_at(app.db(), "node-b", 60_000, 10, now + 1)
            .await
            .unwrap()
            .is_empty()
    );
    // Only the node holding the lease completes it.
    assert!(
        !jobs::complete(&mut *app.conn().await, due, "node-b")
            .await
            .unwrap()
    );
    assert!(
        jobs::complete(&mut *app.conn().await, due, "node-a")
            .await
            .unwrap()
    );
    let j = job(&app, due).await;
    assert_eq!(j.status, "done");
    assert_eq!(j.locked_by, None);
    assert_eq!(job(&app, later).await.status, "queued");
});

both_backends!(failures_back_off_then_fail, |app| async move {
    let now = now_ms();
    let id = jobs::enqueue_with(&mut *app.conn().await, "test", &json!({}), now, None, 3)
        .await
        .unwrap()
        .unwrap();
    let mut t = now;
    for attempt in 1..=3i64 {
        let c = jobs::claim_at(app.db(), "n", 60_000, 10, t).await.unwrap();
        assert_eq!(c.len(), 1, "attempt {attempt}");
        assert_eq!(c[0].attempts, attempt);
        assert!(
            jobs::fail_at(
                &mut *app.conn().await,
                id,
                "n",
                &format!("错误{attempt}"),
                t
            )
            .await
            .unwrap()
        );
        let j = job(&app, id).await;
        assert_eq!(
            j.last_error.as_deref(),
            Some(format!("错误{attempt}").as_str())
        );
        if attempt < 3 {
            assert_eq!(j.status, "queued");
            // 1 min, then 2 min.
            assert_eq!(j.run_at, t + jobs::backoff_ms(attempt));
            assert_eq!(jobs::backoff_ms(attempt), 60_000 << (attempt - 1));
            // Not due before the backoff has passed.
            assert!(
                jobs::claim_at(app.db(), "n", 60_000, 10, j.run_at - 1)
                    .await
                    .unwrap()
                    .is_empty()
            );
            t = j.run_at;
        } else {
            assert_eq!(j.status, "failed");
        }
    }
    assert!(
        jobs::claim_at(app.db(), "n", 60_000, 10, t + 86_400_000)
            .await
            .unwrap()
            .is_empty()
    );
});

both_backends!(expired_lease_is_claimed_again, |app| async move {
    let now = now_ms();
    let id = enqueue(&app, "test", now, None).await.unwrap();
    let a = jobs::claim_at(app.db(), "killed", 1000, 10, now)
        .await
        .unwrap();
    assert_eq!(a.len(), 1);
    // Node "killed" dies here. Within its lease the job stays with it…
    assert!(
        jobs::claim_at(app.db(), "survivor", 1000, 10, now + 500)
            .await
            .unwrap()
            .is_empty()
    );
    // …after it, the surviving node takes it over.
    let b = jobs::claim_at(app.db(), "survivor", 1000, 10, now + 1001)
        .await
        .unwrap();
    assert_eq!(b.len(), 1);
    assert_eq!((b[0].id, b[0].attempts), (id, 2));
    assert_eq!(b[0].locked_by.as_deref(), Some("survivor"));
    // The dead node's late completion or failure is ignored.
    assert!(
        !jobs::complete(&mut *app.conn().await, id, "killed")
            .await
            .unwrap()
    );
    assert!(
        !jobs::fail(&mut *app.conn().await, id, "killed", "x")
            .await
            .unwrap()
    );
    assert!(
        jobs::complete(&mut *app.conn().await, id, "survivor")
            .await
            .unwrap()
    );
    // A job whose last allowed attempt lost its lease ends failed, not retried forever.
    let id2 = jobs::enqueue_with(&mut *app.conn().await, "test", &json!({}), now, None, 1)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        jobs::claim_at(app.db(), "killed", 1000, 10, now)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        jobs::claim_at(app.db(), "survivor", 1000, 10, now + 5000)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(job(&app, id2).await.status, "failed");
});

both_backends!(unknown_kinds_fail_with_a_reason, |app| async move {
    let id = enqueue(&app, "no.such.kind", now_ms(), None).await.unwrap();
    let cfg = WorkerConfig {
        schedule_scans: false,
        ..WorkerConfig::default()
    };
    let s = worker::run_once(app.db(), &cfg).await.unwrap();
    assert_eq!((s.claimed, s.failed), (1, 1));
    let j = job(&app, id).await;
    assert_eq!(j.status, "queued");
    assert!(j.last_error.unwrap().contains("未知的任务类型"));
});

/// The seed plan, and recipients: two on an organisation with a round due 2017-06-30, one
/// handler elsewhere, one reviewer (not a recipient). Returns (org with rounds, user ids).
async fn reminder_fixture(app: &TestApp) -> (i64, Vec<i64>) {
    let mut tx = app.db().begin().await.unwrap();
    gongkai_db::plans::import_builtin(&mut tx, &app.actor(), "panjin-2017")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let orgs: Vec<i64> = sqlx::query_scalar(
        "SELECT DISTINCT org_id FROM feedback_rounds WHERE due_date = '2017-06-30' ORDER BY org_id",
    )
    .fetch_all(&mut *app.conn().await)
    .await
    .unwrap();
    assert!(
        orgs.len() >= 2,
        "the seed plan has rounds for several units"
    );
    let a = app
        .create_user("u_admin", Role::OrgAdmin, Some(orgs[0]))
        .await;
    let e = app
        .create_user("u_editor", Role::Editor, Some(orgs[0]))
        .await;
    let h = app
        .create_user("u_handler", Role::Handler, Some(orgs[1]))
        .await;
    let _r = app
        .create_user("u_reviewer", Role::Reviewer, Some(orgs[0]))
        .await;
    (orgs[0], vec![a, e, h])
}

fn scan_payload() -> serde_json::Value {
    json!({"date": "2017-06-27"})
}

/// Runs workers on `n` concurrent tasks until the queue has nothing due.
async fn drain(app: &TestApp, n: usize) {
    let mut tasks = Vec::new();
    for i in 0..n {
        let db = app.db().clone();
        tasks.push(tokio::spawn(async move {
            let cfg = WorkerConfig {
                node_id: format!("node-{i}"),
                batch: 3,
                schedule_scans: false,
                ..WorkerConfig::default()
            };
            let mut idle = 0;
            while idle < 3 {
                let s = worker::run_once(&db, &cfg).await.unwrap();
                assert_eq!(s.failed, 0);
                if s.claimed == 0 {
                    idle += 1;
                    tokio::time::sleep(Duration::from_millis(20)).await;
                } else {
                    idle = 0;
                }
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
}

both_backends!(reminders_are_created_exactly_once, |app| async move {
    let (org, users) = reminder_fixture(&app).await;
    let rounds_due: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM feedback_rounds WHERE due_date = '2017-06-30' AND status = 'open'",
    )
    .fetch_one(&mut *app.conn().await)
    .await
    .unwrap();
    let rounds_of = |org: i64| {
        let app = app.clone();
        async move {
            sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM feedback_rounds WHERE due_date = '2017-06-30' AND org_id = $1",
            )
            .bind(org)
            .fetch_one(&mut *app.conn().await)
            .await
            .unwrap()
        }
    };
    // Two scans for the same day, queued separately (as two nodes' hourly scans would be).
    for key in ["scan-a", "scan-b"] {
        jobs::enqueue(
            &mut *app.conn().await,
            SCAN_JOB,
            &scan_payload(),
            now_ms(),
            Some(key),
        )
        .await
        .unwrap()
        .unwrap();
    }
    drain(&app, 2).await;

    // One notify job per round due 2017-06-30, none for 2017-11-30 (the same scan also reminds
    // publication periods: `period_reminders_skip_met_periods`).
    let notify: Vec<Job> = jobs::by_kind(&mut *app.conn().await, NOTIFY_JOB)
        .await
        .unwrap()
        .into_iter()
        .filter(|j| {
            j.dedupe_key
                .as_deref()
                .is_some_and(|k| k.starts_with("reminder:feedback_round:"))
        })
        .collect();
    assert_eq!(notify.len() as i64, rounds_due);
    assert!(notify.iter().all(|j| j.status == "done"));
    let keys: BTreeSet<_> = notify.iter().filter_map(|j| j.dedupe_key.clone()).collect();
    assert_eq!(keys.len(), notify.len());
    assert!(
        keys.iter().all(|k| k.ends_with(":before:2017-06-27")),
        "{keys:?}"
    );

    // One notification per (user, round): the two users of `org` get one per round of theirs.
    let all = notifications::by_key_prefix(&mut *app.conn().await, "reminder:feedback_round:")
        .await
        .unwrap();
    let mut per_user: BTreeMap<i64, usize> = BTreeMap::new();
    for n in &all {
        *per_user.entry(n.user_id).or_default() += 1;
    }
    let org_rounds = rounds_of(org).await as usize;
    assert!(org_rounds >= 1);
    assert_eq!(per_user.get(&users[0]), Some(&org_rounds));
    assert_eq!(per_user.get(&users[1]), Some(&org_rounds));
    assert!(per_user.get(&users[2]).is_some_and(|n| *n >= 1));
    assert_eq!(per_user.len(), 3, "the reviewer gets none");
    let distinct: BTreeSet<_> = all.iter().map(|n| n.dedupe_key.clone()).collect();
    assert_eq!(distinct.len(), all.len());
    let n = &all[0];
    assert!(
        n.title.contains("将于 2017-06-30 到期（还有 3 个工作日）"),
        "{}",
        n.title
    );
    assert!(n.link.starts_with("/admin/plans/"));

    // A third scan, and a notify job run again (as after a crash before completing): nothing new.
    let before = app.count("notifications").await;
    let out = notifications::scan_feedback_reminders(
        &mut *app.conn().await,
        NaiveDate::from_ymd_opt(2017, 6, 27).unwrap(),
    )
    .await
    .unwrap();
    assert_eq!((out.due as i64, out.enqueued), (rounds_due, 0));
    let p: notifications::NotifyPayload = serde_json::from_str(&notify[0].payload).unwrap();
    assert_eq!(
        notifications::deliver(&mut *app.conn().await, &p, false)
            .await
            .unwrap(),
        0
    );
    assert_eq!(app.count("notifications").await, before);

    // The next day is a catch-up of the same reminder: same keys, nothing new.
    let out = notifications::scan_feedback_reminders(
        &mut *app.conn().await,
        NaiveDate::from_ymd_opt(2017, 6, 28).unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(out.enqueued, 0);
    // On the day itself a new reminder is due.
    let out = notifications::scan_feedback_reminders(
        &mut *app.conn().await,
        NaiveDate::from_ymd_opt(2017, 6, 30).unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(out.enqueued as i64, rounds_due);
});

both_backends!(plan_rules_change_the_schedule, |app| async move {
    reminder_fixture(&app).await;
    let plan_id: i64 = sqlx::query_scalar("SELECT id FROM plans")
        .fetch_one(&mut *app.conn().await)
        .await
        .unwrap();
    let mut conn = app.conn().await;
    let rules = gongkai_domain::reminder::ReminderRules {
        days_before: 5,
        ..Default::default()
    };
    notifications::set_rules(&mut conn, plan_id, &rules)
        .await
        .unwrap();
    assert_eq!(
        notifications::rules(&mut conn, plan_id).await.unwrap(),
        rules
    );
    let day = |d: u32| NaiveDate::from_ymd_opt(2017, 6, d).unwrap();
    // Five working days before 2017-06-30 is 2017-06-23; 06-28 is beyond the catch-up of two
    // working days.
    let out = notifications::scan_feedback_reminders(&mut conn, day(28))
        .await
        .unwrap();
    assert_eq!(out.due, 0);
    let out = notifications::scan_feedback_reminders(&mut conn, day(23))
        .await
        .unwrap();
    assert!(out.enqueued > 0);
});

both_backends!(the_worker_task_runs_and_stops, |app| async move {
    reminder_fixture(&app).await;
    let w = worker::Worker::spawn(
        app.db().clone(),
        WorkerConfig {
            poll: Duration::from_millis(50),
            schedule_scans: false,
            ..WorkerConfig::default()
        },
    );
    jobs::enqueue(
        &mut *app.conn().await,
        SCAN_JOB,
        &scan_payload(),
        now_ms(),
        None,
    )
    .await
    .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let queued: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE status IN ('queued', 'running')")
                .fetch_one(&mut *app.conn().await)
                .await
                .unwrap();
        if queued == 0 && app.count("notifications").await > 0 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the worker did not run the jobs"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    w.stop().await;
});

both_backends!(notifications_page_lists_and_marks_read, |app| async move {
    let org = app.org_id("市财政局").await;
    let me = app.create_user("reader", Role::Editor, Some(org)).await;
    let other = app.create_user("other", Role::Editor, Some(org)).await;
    let mut conn = app.conn().await;
    for (i, user) in [(1, me), (2, me), (3, other)] {
        notifications::create(
            &mut conn,
            user,
            Some(org),
            "test",
            &format!("提醒标题{i}"),
            "正文",
            "/admin/plans/1",
            &format!("t:{i}"),
        )
        .await
        .unwrap();
    }
    drop(conn);
    app.login("reader", PASSWORD).await;
    let page = app.get_ok("/admin/notifications").await;
    assert!(page.contains("提醒标题1") && page.contains("提醒标题2"));
    assert!(
        !page.contains("提醒标题3"),
        "another user's notification leaked"
    );
    assert!(
        page.contains("站内通知 <span class=\"badge\">2"),
        "unread count in the nav"
    );

    let mine = notifications::list(&mut *app.conn().await, me, 1, 20)
        .await
        .unwrap();
    let id = mine.rows[0].id;
    // Without the CSRF token (deliberately a wrong one) nothing changes.
    let reader = app.signed_in(app.client());
    let resp = reader
        .post_without_csrf(
            &format!("/admin/notifications/{id}/read"),
            &[("csrf_token", "wrong")],
        )
        .await;
    assert_ne!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        notifications::unread_count(&mut *app.conn().await, me)
            .await
            .unwrap(),
        2
    );
    let resp = reader
        .post(&format!("/admin/notifications/{id}/read"), &[])
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        notifications::unread_count(&mut *app.conn().await, me)
            .await
            .unwrap(),
        1
    );
    // Someone else's notification cannot be marked.
    let theirs = notifications::list(&mut *app.conn().await, other, 1, 20)
        .await
        .unwrap()
        .rows[0]
        .id;
    reader
        .post(&format!("/admin/notifications/{theirs}/read"), &[])
        .await;
    assert_eq!(
        notifications::unread_count(&mut *app.conn().await, other)
            .await
            .unwrap(),
        1
    );
    // Unread first.
    let page = app.get_ok("/admin/notifications").await;
    let unread_pos = page.find("提醒标题").unwrap();
    assert!(page[unread_pos..].starts_with(&format!(
        "提醒标题{}",
        if mine.rows[0].title.ends_with('1') {
            2
        } else {
            1
        }
    )));
    let resp = reader.post("/admin/notifications/read-all", &[]).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        notifications::unread_count(&mut *app.conn().await, me)
            .await
            .unwrap(),
        0
    );
});

// Publication periods are reminded too, unless their publication is already out: 市统计局's
// third quarter (nothing published) on its due date; 市财政局's October, published early, never.
both_backends!(period_reminders_skip_met_periods, |app| async move {
    let mut tx = app.db().begin().await.unwrap();
    let plan = gongkai_db::plans::import_builtin(&mut tx, &app.actor(), "panjin-2017")
        .await
        .unwrap()
        .plan_id;
    tx.commit().await.unwrap();
    gongkai_db::seed_scenario::load(app.db()).await.unwrap();
    let stats = app.org_id("市统计局").await;
    let editor = app
        .create_user("tj_editor", Role::Editor, Some(stats))
        .await;
    let report = gongkai_db::compliance::report(
        &mut *app.conn().await,
        plan,
        NaiveDate::from_ymd_opt(2017, 12, 31).unwrap(),
    )
    .await
    .unwrap();
    let q3 = report
        .periods
        .iter()
        .find(|p| p.org_id == stats && p.key == "2017-Q3")
        .expect("市统计局's third quarter");
    let due = q3.due.naive();
    let out = notifications::scan_period_reminders(&mut *app.conn().await, due)
        .await
        .unwrap();
    assert!(out.enqueued >= 1);
    let again = notifications::scan_period_reminders(&mut *app.conn().await, due)
        .await
        .unwrap();
    assert_eq!(
        (again.due, again.enqueued),
        (out.due, 0),
        "once per reminder"
    );
    drain(&app, 2).await;
    let key = format!("reminder:period:{}:2017-Q3:on_day:{due}", q3.obligation_id);
    let got = notifications::by_key_prefix(&mut *app.conn().await, &key)
        .await
        .unwrap();
    assert_eq!(got.len(), 1, "one notification for the one editor");
    assert_eq!(got[0].user_id, editor);
    assert!(got[0].title.contains("2017年第3季度"), "{}", got[0].title);
    assert!(got[0].link.contains(&format!("org={stats}")));

    // 市财政局's October figures came out on 2017-11-15, before any reminder of that period.
    let fiscal = report
        .periods
        .iter()
        .find(|p| p.org_name == "市财政局" && p.key == "2017-10")
        .expect("市财政局's October");
    let oct_due = fiscal.due.naive();
    let mut day = oct_due;
    for _ in 0..=5 {
        notifications::scan_period_reminders(&mut *app.conn().await, day)
            .await
            .unwrap();
        day = day.pred_opt().unwrap();
    }
    let jobs_for_october: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE dedupe_key LIKE $1")
            .bind(format!(
                "reminder:period:{}:2017-10:%",
                fiscal.obligation_id
            ))
            .fetch_one(&mut *app.conn().await)
            .await
            .unwrap();
    assert_eq!(jobs_for_october, 0);
});
