//! A supervised year on both backends, with the reviewed built-in 2017 arrangement: units publish
//! on time, late across National Day and its make-up Saturday, backdated ( 补录 ), and an item that
//! fits two obligations; a feedback round falls due on a Saturday; the reminder scan notifies
//! exactly once. Every status below is worked out by hand on the shipped 2017 calendar.

use crate::support::TestApp;
use gongkai_db::compliance::{ComplianceReport, PeriodRow, report};
use gongkai_db::{feedback, notifications, reminders};
use gongkai_domain::calendar::NaiveDate;
use gongkai_domain::feedback::SubmissionInput;
use gongkai_domain::role::Role;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

async fn compute(app: &TestApp, plan: i64, as_of: &str) -> ComplianceReport {
    report(&mut *app.conn().await, plan, d(as_of))
        .await
        .unwrap()
}

fn period<'a>(r: &'a ComplianceReport, org: &str, cadence: &str, key: &str) -> &'a PeriodRow {
    let ob = r
        .obligations
        .iter()
        .find(|o| o.org_name == org && o.cadence == cadence)
        .unwrap_or_else(|| panic!("no {cadence} obligation of {org}"));
    r.periods
        .iter()
        .find(|p| p.obligation_id == ob.id && p.key == key)
        .unwrap_or_else(|| panic!("no period {key} of {org} {cadence}"))
}

/// Publishes an item of 市财政局 in 财政预决算 dated `on`, made public that day.
async fn fiscal(app: &TestApp, title: &str, on: &str) -> i64 {
    let mut f = app.item("市财政局", "czyjs", title).await;
    f.publish_date = on.into();
    f.written_on = on.into();
    let id = app.create_item(f).await;
    app.publish(id).await;
    id
}

both_backends!(a_supervised_year, |app| async move {
    let mut tx = app.db().begin().await.unwrap();
    let plan = gongkai_db::plans::import_builtin(&mut tx, &app.actor(), "panjin-2017")
        .await
        .unwrap()
        .plan_id;
    tx.commit().await.unwrap();

    // On time: May's figures on 12 June (due 20 working days after 31 May: 28 June).
    fiscal(&app, "2017年5月全市财政收支情况", "2017-06-12").await;
    // Late across National Day: August's figures due 28 September; published 16 October, after
    // 29 September, the make-up Saturday 30 September and 9 to 13 and 16 October.
    fiscal(&app, "2017年8月全市财政收支情况", "2017-10-16").await;
    // One item fitting two obligations (monthly 财政收支 and half-yearly 债务 , both 市财政局's in
    // 财政预决算 ): it counts for one only, the first in the plan.
    let both = fiscal(&app, "2017年6月全市财政收支及政府债务情况", "2017-07-10").await;
    // Backdated: September's figures entered now with a stated 发布日期 of 20 October ( 补录 ).
    let mut f = app
        .item("市财政局", "czyjs", "2017年9月全市财政收支情况")
        .await;
    f.publish_date = "2017-10-20".into();
    f.written_on = "2017-10-20".into();
    let backdated = app.create_item(f).await;
    app.publish_now(backdated).await;

    let r = compute(&app, plan, "2017-12-31").await;
    let may = period(&r, "市财政局", "monthly", "2017-05");
    assert_eq!(
        (may.due.to_string().as_str(), may.status.as_str()),
        ("2017-06-28", "met")
    );
    let aug = period(&r, "市财政局", "monthly", "2017-08");
    assert_eq!(aug.due, "2017-09-28");
    assert_eq!(aug.status, "met_late");
    assert_eq!(aug.late_working_days, Some(8));
    let june = period(&r, "市财政局", "monthly", "2017-06");
    assert_eq!(june.status, "met");
    assert_eq!(june.evidence[0].item_id, both);
    let debt = period(&r, "市财政局", "half_yearly", "2017-H1");
    assert_eq!(debt.status, "missed", "{}", debt.explanation);
    assert!(debt.evidence.is_empty());
    // The unit links the item to both obligations ( 落实… ): now it counts for both.
    let ids: Vec<i64> = r
        .obligations
        .iter()
        .filter(|o| {
            o.org_name == "市财政局" && (o.cadence == "monthly" || o.cadence == "half_yearly")
        })
        .map(|o| o.id)
        .collect();
    assert_eq!(ids.len(), 2);
    let fin_org = app.org_id("市财政局").await;
    let mut tx = app.db().begin().await.unwrap();
    assert!(
        gongkai_db::obligation_links::set(&mut tx, &app.actor(), both, fin_org, &ids)
            .await
            .unwrap()
    );
    // An obligation of another unit cannot be linked, and nothing changes.
    let other: i64 = r
        .obligations
        .iter()
        .find(|o| o.org_name == "市统计局")
        .unwrap()
        .id;
    assert!(
        gongkai_db::obligation_links::set(&mut tx, &app.actor(), both, fin_org, &[other])
            .await
            .is_err()
    );
    tx.commit().await.unwrap();
    let linked = compute(&app, plan, "2017-12-31").await;
    assert_eq!(
        period(&linked, "市财政局", "half_yearly", "2017-H1").status,
        "met"
    );
    assert_eq!(
        period(&linked, "市财政局", "monthly", "2017-06").status,
        "met"
    );
    let mut tx = app.db().begin().await.unwrap();
    gongkai_db::obligation_links::set(&mut tx, &app.actor(), both, fin_org, &[])
        .await
        .unwrap();
    tx.commit().await.unwrap();

    // Months nobody published are missed; July's 20 working days end on 25 August.
    assert_eq!(
        period(&r, "市财政局", "monthly", "2017-07").status,
        "missed"
    );
    // The backdated item is not on-time evidence: as of the year's end the system has not
    // made it public yet (it became public today, years later).
    let sept = period(&r, "市财政局", "monthly", "2017-09");
    assert_eq!(sept.status, "missed", "{}", sept.explanation);
    // Today, it counts late, flagged 补录 with both dates.
    let today = gongkai_db::china_today();
    let now = compute(&app, plan, &today.to_string()).await;
    let sept = period(&now, "市财政局", "monthly", "2017-09");
    assert_eq!(sept.status, "met_late");
    let e = &sept.evidence[0];
    assert!(e.backfilled && !e.accepted);
    assert_eq!(
        e.stated_on.map(|d| d.to_string()).as_deref(),
        Some("2017-10-20")
    );
    assert_eq!(
        e.made_public_on.map(|d| d.to_string()).as_deref(),
        Some(today.to_string().as_str())
    );
    assert_eq!(e.published_on, today);

    // The office accepts it: from then on it counts from its stated date, on time (September's
    // figures are due 20 working days after 30 September, past the National Day week).
    app.create_user("year_office", Role::Supervisor, None).await;
    let office = app.user("year_office", crate::support::PASSWORD).await;
    let page = office
        .get_ok(&format!(
            "/admin/supervision/periods?plan={plan}&as_of={today}"
        ))
        .await;
    assert!(
        page.contains("补录")
            && page.contains(&format!("/admin/supervision/backfill/{backdated}/accept"))
    );
    // A unit's editor may not accept it.
    let fin = app.org_id("市财政局").await;
    app.create_user("year_fin", Role::Editor, Some(fin)).await;
    let unit = app.user("year_fin", crate::support::PASSWORD).await;
    let path = format!("/admin/supervision/backfill/{backdated}/accept");
    let refused = unit.post(&path, &[("note", "自行认可")]).await;
    assert_eq!(refused.status(), reqwest::StatusCode::FORBIDDEN);
    let accepted = office
        .post(
            &path,
            &[
                ("note", "原系统迁移的历史信息"),
                ("plan", &plan.to_string()),
            ],
        )
        .await;
    assert_eq!(accepted.status(), reqwest::StatusCode::SEE_OTHER);
    let r = compute(&app, plan, "2017-12-31").await;
    let sept = period(&r, "市财政局", "monthly", "2017-09");
    assert_eq!(sept.status, "met", "{}", sept.explanation);
    assert!(sept.evidence[0].backfilled && sept.evidence[0].accepted);
    assert_eq!(sept.evidence[0].published_on, "2017-10-20");
    let audited: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'backfill.accept'")
            .fetch_one(&mut *app.conn().await)
            .await
            .unwrap();
    assert_eq!(audited, 1);

    // A feedback round due on Saturday 30 December (task 19's 12月30日 ) answered on Tuesday
    // 2 January, the next working day after 元旦 , is on time.
    let (round, org): (i64, i64) = sqlx::query_as(
        "SELECT f.id, f.org_id FROM feedback_rounds f WHERE f.due_date = '2017-12-30' \
         ORDER BY f.id LIMIT 1",
    )
    .fetch_one(&mut *app.conn().await)
    .await
    .unwrap();
    let at = d("2018-01-02")
        .and_hms_opt(2, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp_millis();
    let mut tx = app.db().begin().await.unwrap();
    let input = SubmissionInput {
        text: "已完成政务服务事项目录编制并公开。".into(),
        ..Default::default()
    };
    feedback::submit(&mut tx, &app.actor(), round, &input, &[], at)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let r = compute(&app, plan, "2018-01-05").await;
    let row = r
        .feedback
        .rounds
        .iter()
        .find(|x| x.round_id == round)
        .unwrap();
    assert_eq!(row.status, "on_time", "{}", row.explanation);
    let _ = org;

    // Notifications: 市财政局's editor is told once that July's figures are overdue, naming
    // the plan and the duty; a second scan sends nothing new.
    let editor: i64 = sqlx::query_scalar("SELECT id FROM users WHERE username = 'year_fin'")
        .fetch_one(&mut *app.conn().await)
        .await
        .unwrap();
    let first = reminders::scan_all(&mut *app.conn().await, d("2017-08-28"))
        .await
        .unwrap();
    assert!(first.periods.enqueued >= 1, "{first:?}");
    crate::reminders::drain(&app).await;
    let mine = notifications::list(&mut *app.conn().await, editor, 1, 500)
        .await
        .unwrap()
        .rows;
    let july: Vec<_> = mine
        .iter()
        .filter(|n| n.body.contains("2017年7月"))
        .collect();
    assert_eq!(july.len(), 1, "{mine:?}");
    assert!(
        july[0]
            .body
            .contains("\u{300A}盘锦市2017年政务公开工作安排\u{300B}")
    );
    let count = app.count("notifications").await;
    let again = reminders::scan_all(&mut *app.conn().await, d("2017-08-28"))
        .await
        .unwrap();
    assert_eq!(again.enqueued(), 0);
    crate::reminders::drain(&app).await;
    assert_eq!(app.count("notifications").await, count);
});
