//! Recorded events (press conferences and the like) as evidence for obligations: recorded by the
//! unit over HTTP with Chinese validation, counted by the compliance report, confined to the
//! unit's own organisation, audited.

use crate::support::users::pairs;
use crate::support::{PASSWORD, TestApp};
use gongkai_db::compliance::ComplianceReport;
use gongkai_domain::calendar::NaiveDate;
use gongkai_domain::role::Role;
use reqwest::StatusCode;

async fn plan(app: &TestApp) -> i64 {
    let mut tx = app.db().begin().await.unwrap();
    let id = gongkai_db::plans::import_builtin(&mut tx, &app.actor(), "panjin-2017")
        .await
        .unwrap()
        .plan_id;
    tx.commit().await.unwrap();
    id
}

async fn report(app: &TestApp, plan: i64, as_of: &str) -> ComplianceReport {
    gongkai_db::compliance::report(
        &mut *app.conn().await,
        plan,
        NaiveDate::parse_from_str(as_of, "%Y-%m-%d").unwrap(),
    )
    .await
    .unwrap()
}

/// The obligation of `org` with `cadence` in the report.
fn obligation(r: &ComplianceReport, org: &str, cadence: &str) -> i64 {
    r.obligations
        .iter()
        .find(|o| o.org_name == org && o.cadence == cadence)
        .unwrap_or_else(|| panic!("{org} {cadence}"))
        .id
}

both_backends!(a_press_conference_meets_a_yearly_duty, |app| async move {
    let plan = plan(&app).await;
    let before = report(&app, plan, "2018-03-01").await;
    // 市人力资源社会保障局: 年内解读重要政策措施不少于1次, nothing published in 政策解读.
    let ob = obligation(&before, "市人力资源社会保障局", "at_least_1_per_year");
    let status = |r: &ComplianceReport| {
        r.periods
            .iter()
            .find(|p| p.obligation_id == ob)
            .map(|p| p.status.clone())
            .unwrap()
    };
    assert_eq!(status(&before), "missed");

    let org = app.org_id("市人力资源社会保障局").await;
    app.create_user("rs_editor", Role::Editor, Some(org)).await;
    let client = app.user("rs_editor", PASSWORD).await;
    let page = client
        .get(&format!("/admin/events?plan={plan}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(&format!("<option value=\"{ob}\"")),
        "its obligation is offered"
    );
    let ob_s = ob.to_string();
    let form = |held_on: &str| {
        vec![
            ("plan", plan.to_string()),
            ("obligation_id", ob_s.clone()),
            ("kind", "press_conference".to_string()),
            ("title", "2017年就业创业政策新闻发布会<script>".to_string()),
            ("held_on", held_on.to_string()),
            (
                "url",
                "https://www.panjin.gov.cn/fbh/20170815.html".to_string(),
            ),
        ]
    };
    // A malformed date and a date far outside the plan's year: refused, nothing written.
    let audit = app.audit_count().await;
    let bad = client
        .post("/admin/events", &pairs(&form("2017/08/15")))
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().await.unwrap().contains("请填写举办日期"));
    let far = client
        .post("/admin/events", &pairs(&form("2030-08-15")))
        .await;
    assert_eq!(far.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        far.text()
            .await
            .unwrap()
            .contains("不在2017年度工作安排的期间内")
    );
    assert_eq!(app.count("recorded_events").await, 0);
    assert_eq!(app.audit_count().await, audit);

    let ok = client
        .post("/admin/events", &pairs(&form("2017-08-15")))
        .await;
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.count("recorded_events").await, 1);
    assert_eq!(app.audit_count().await, audit + 1);
    let listed = client
        .get(&format!("/admin/events?plan={plan}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        listed.contains("2017年就业创业政策新闻发布会&lt;script&gt;"),
        "escaped"
    );

    let after = report(&app, plan, "2018-03-01").await;
    assert_eq!(status(&after), "met");
    let p = after
        .periods
        .iter()
        .find(|p| p.obligation_id == ob)
        .unwrap();
    assert_eq!(p.evidence.len(), 1);
    assert_eq!(p.evidence[0].source, "event");
    assert_eq!(
        p.evidence[0].href,
        "https://www.panjin.gov.cn/fbh/20170815.html"
    );
    assert!(p.evidence[0].title.starts_with("新闻发布会："));

    // Another unit's editor may neither record for this obligation nor delete the event.
    let other = app.org_id("市财政局").await;
    app.create_user("cz_editor", Role::Editor, Some(other))
        .await;
    let stranger = app.user("cz_editor", PASSWORD).await;
    let f = form("2017-09-01");
    let refused = stranger.post("/admin/events", &pairs(&f)).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let id: i64 = sqlx::query_scalar("SELECT id FROM recorded_events")
        .fetch_one(&mut *app.conn().await)
        .await
        .unwrap();
    let del = stranger
        .post(
            &format!("/admin/events/{id}/delete"),
            &[("plan", &plan.to_string())],
        )
        .await;
    assert_eq!(del.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.count("recorded_events").await, 1);

    // The unit deletes its own mistaken record: audited, and the period is missed again.
    let del = client
        .post(
            &format!("/admin/events/{id}/delete"),
            &[("plan", &plan.to_string())],
        )
        .await;
    assert_eq!(del.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.count("recorded_events").await, 0);
    assert_eq!(status(&report(&app, plan, "2018-03-01").await), "missed");
});

// An obligation without a column becomes checkable once an event is recorded against it.
both_backends!(
    events_make_an_unbound_obligation_checkable,
    |app| async move {
        let plan = plan(&app).await;
        // The reviewed built-in binds every cadence; unbind one to start without a column.
        let tree = gongkai_db::plans::plan_tree(&mut *app.conn().await, plan)
            .await
            .unwrap();
        let duty = tree
            .tasks
            .iter()
            .flat_map(|t| &t.duties)
            .find(|d| {
                d.obligations
                    .iter()
                    .any(|o| o.org_name == "市国资委" && o.cadence == "yearly")
            })
            .unwrap()
            .id;
        let mut tx = app.db().begin().await.unwrap();
        gongkai_db::plans::set_obligation_column(&mut tx, &app.actor(), plan, duty, "yearly", None)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let before = report(&app, plan, "2018-03-01").await;
        let ob = before
            .obligations
            .iter()
            .find(|o| o.org_name == "市国资委" && o.cadence == "yearly")
            .unwrap();
        assert_eq!(ob.check, "no_column");
        let input = gongkai_domain::event::EventFields {
            obligation_id: ob.id.to_string(),
            kind: "online_interview".into(),
            title: "国资国企改革在线访谈".into(),
            held_on: "2017-11-20".into(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        let mut tx = app.db().begin().await.unwrap();
        gongkai_db::events::record(&mut tx, &app.actor(), &input)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let after = report(&app, plan, "2018-03-01").await;
        let now = after.obligations.iter().find(|o| o.id == ob.id).unwrap();
        assert_eq!(now.check, "checked");
        assert_eq!(now.counts.met, 1);
        let p = after
            .periods
            .iter()
            .find(|p| p.obligation_id == ob.id)
            .unwrap();
        assert_eq!(
            p.evidence[0].href, "",
            "an event without an address links nowhere"
        );
    }
);
