//! The compliance report on both backends, with the built-in 2017 arrangement and the `--demo`
//! scenario (`gongkai_db::seed_scenario`): 市财政局's monthly 财政收支 report (August's figures late),
//! 市统计局's quarterly report (the third quarter missed); withdrawn, re-dated, descendant-column
//! and other-organisation items; the JSON of `gongkai report compliance`.

use crate::support::TestApp;
use gongkai_db::compliance::{ComplianceReport, PeriodRow, report};
use gongkai_db::{columns, items, plans};
use gongkai_domain::calendar::NaiveDate;
use std::collections::BTreeMap;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// Imports the built-in plan and loads the scenario; returns the plan id.
async fn scenario(app: &TestApp) -> i64 {
    let before = app.count("items").await;
    let plan = scenario_added(app).await;
    let added = app.count("items").await - before;
    assert_eq!(added, gongkai_db::seed_scenario::SCENARIO.len() as i64);
    plan
}

async fn scenario_added(app: &TestApp) -> i64 {
    let mut tx = app.db().begin().await.unwrap();
    let done = plans::import_builtin(&mut tx, &app.actor(), "panjin-2017")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    gongkai_db::seed_scenario::load(app.db()).await.unwrap();
    done.plan_id
}

async fn compute(app: &TestApp, plan: i64, as_of: &str) -> ComplianceReport {
    report(&mut *app.conn().await, plan, d(as_of))
        .await
        .unwrap()
}

/// The obligation of `org` with `cadence` bound to a column.
fn obligation(r: &ComplianceReport, org: &str, cadence: &str) -> i64 {
    let found: Vec<_> = r
        .obligations
        .iter()
        .filter(|o| o.org_name == org && o.cadence == cadence && o.column_id.is_some())
        .collect();
    assert_eq!(found.len(), 1, "{org} {cadence}: {found:?}");
    found[0].id
}

fn periods(r: &ComplianceReport, obligation: i64) -> BTreeMap<String, PeriodRow> {
    r.periods
        .iter()
        .filter(|p| p.obligation_id == obligation)
        .map(|p| (p.key.clone(), p.clone()))
        .collect()
}

fn statuses(r: &ComplianceReport, obligation: i64) -> Vec<(String, String)> {
    periods(r, obligation)
        .into_values()
        .map(|p| (p.key, p.status))
        .collect()
}

fn kv(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

async fn item_titled(app: &TestApp, title: &str) -> items::Item {
    let id: i64 = sqlx::query_scalar("SELECT id FROM items WHERE title = $1")
        .bind(title)
        .fetch_one(&mut *app.conn().await)
        .await
        .unwrap();
    items::get(&mut *app.conn().await, id).await.unwrap()
}

both_backends!(scenario_statuses_as_of_year_end, |app| async move {
    let plan = scenario(&app).await;
    let r = compute(&app, plan, "2017-12-31").await;
    assert_eq!(r.as_of, "2017-12-31");
    assert_eq!(r.plan.starts_on, "2017-04-24");

    let fiscal = obligation(&r, "市财政局", "monthly");
    assert_eq!(
        statuses(&r, fiscal),
        kv(&[
            ("2017-04", "met"),
            ("2017-05", "met"),
            ("2017-06", "met"),
            ("2017-07", "met"),
            ("2017-08", "met_late"),
            ("2017-09", "met"),
            ("2017-10", "met"),
            ("2017-11", "met"),
            ("2017-12", "not_yet_due"),
        ])
    );
    // Due 28 September; published 16 October: 29 and 30 September (a make-up working day), then
    // 9 to 13 and 16 October after the National Day holiday.
    let aug = &periods(&r, fiscal)["2017-08"];
    assert_eq!(aug.due, "2017-09-28");
    assert_eq!(aug.late_working_days, Some(8));
    assert_eq!(aug.status_label, "逾期完成");
    assert!(
        aug.explanation
            .contains("2017-10-16发布《2017年8月全市财政收支情况》，逾期8个工作日"),
        "{}",
        aug.explanation
    );
    assert_eq!(aug.evidence.len(), 1);
    assert_eq!(aug.evidence[0].published_on, "2017-10-16");

    let stats = obligation(&r, "市统计局", "quarterly");
    assert_eq!(
        statuses(&r, stats),
        kv(&[
            ("2017-Q2", "met"),
            ("2017-Q3", "missed"),
            ("2017-Q4", "not_yet_due"),
        ])
    );
    assert!(periods(&r, stats)["2017-Q3"].explanation.contains("未发布"));

    // Units: 市财政局 7 of 8 due periods on time in its monthly duty.
    let fin_row = r.obligations.iter().find(|o| o.id == fiscal).unwrap();
    assert_eq!((fin_row.counts.met, fin_row.counts.met_late), (7, 1));
    assert_eq!(fin_row.on_time_rate, Some(0.875));
    assert!(r.units.iter().any(|u| u.org_name == "市财政局"));
    assert!(
        r.months
            .iter()
            .any(|m| m.month == "2017-08" && m.counts.met_late >= 1)
    );

    // The reviewed built-in plan leaves no 定期 or 及时 unchecked: 27 of its 28 tasks (all but
    // 25, marked 不能自动核查 with a reason) are checked automatically.
    let unchecked: Vec<_> = r
        .obligations
        .iter()
        .filter(|o| o.check != "checked")
        .map(|o| (o.task_number, o.cadence.clone(), o.reason.clone()))
        .collect();
    assert_eq!(unchecked, []);
    assert_eq!((r.totals.tasks, r.totals.checked_tasks), (28, 27));
    assert!(r.totals.checked_share.unwrap() >= 0.8);
    assert_eq!(
        r.totals.checked_obligations + r.totals.unchecked_obligations,
        r.totals.obligations
    );

    // Later: December's figures were never published.
    let later = compute(&app, plan, "2018-02-28").await;
    assert_eq!(periods(&later, fiscal)["2017-12"].status, "missed");
    // Earlier: periods not started are left out; August's report is not yet due.
    let sept = compute(&app, plan, "2017-09-10").await;
    let s = statuses(&sept, fiscal);
    assert_eq!(
        s.last().unwrap(),
        &("2017-09".to_string(), "not_yet_due".to_string())
    );
    assert_eq!(
        s[s.len() - 2],
        ("2017-08".to_string(), "not_yet_due".to_string())
    );

    // Loading the scenario again adds nothing.
    assert_eq!(gongkai_db::seed_scenario::load(app.db()).await.unwrap(), 0);
    assert_eq!(
        app.count("proposals").await,
        2,
        "once, however often it loads"
    );

    // Its 建议提案: one replied and published with the contact masked, one overdue.
    let public = app.get_ok("/jytabl").await;
    assert!(public.contains("关于深化预决算公开的建议"));
    assert!(!public.contains("关于规范政府性债务信息公开的建议"));
    let id: i64 = sqlx::query_scalar("SELECT id FROM proposals WHERE number = '第0017号'")
        .fetch_one(&mut *app.conn().await)
        .await
        .unwrap();
    let reply = app.get_ok(&format!("/jytabl/{id}")).await;
    assert!(reply.contains("按经济分类公开基本支出") && !reply.contains("13900000000"));
});

// With the general demo content too, as `serve --demo` loads it: its May report is the scenario's
// (skipped), its first-quarter statistics predate the plan and count for no quarter.
both_backends!(scenario_on_top_of_the_demo_content, TestApp::builder().demo() => |app| async move {
    let before = app.count("items").await;
    let plan = scenario_added(&app).await;
    assert_eq!(app.count("items").await, before + gongkai_db::seed_scenario::SCENARIO.len() as i64 - 1);
    let r = compute(&app, plan, "2017-12-31").await;
    let fiscal = obligation(&r, "市财政局", "monthly");
    let p = periods(&r, fiscal);
    assert_eq!(p["2017-05"].status, "met");
    assert_eq!(p["2017-05"].evidence.len(), 1);
    assert_eq!(p["2017-08"].status, "met_late");
    let stats = obligation(&r, "市统计局", "quarterly");
    let p = periods(&r, stats);
    assert_eq!(p["2017-Q2"].status, "met");
    assert_eq!(p["2017-Q2"].evidence[0].title, "2017年上半年全市经济运行情况");
    assert_eq!(p["2017-Q3"].status, "missed");
});

both_backends!(
    withdrawn_items_change_the_status_redated_ones_do_not,
    |app| async move {
        let plan = scenario(&app).await;
        let fiscal = obligation(
            &compute(&app, plan, "2017-12-31").await,
            "市财政局",
            "monthly",
        );

        // Withdrawing June's report: June becomes missed.
        let june = item_titled(&app, "2017年6月全市财政收支情况").await;
        app.unpublish(june.id).await;
        let r = compute(&app, plan, "2017-12-31").await;
        let p = periods(&r, fiscal);
        assert_eq!(p["2017-06"].status, "missed");
        assert_eq!(p["2017-07"].status, "met");
        assert!(p["2017-06"].evidence.is_empty());

        // Re-dating April's report after its due date: met late.
        let april = item_titled(&app, "2017年4月全市财政收支情况").await;
        let mut fields = app
            .item("市财政局", "czyjs", "2017年4月全市财政收支情况")
            .await;
        fields.publish_date = "2017-06-20".into();
        let input = fields.validate().unwrap();
        let mut tx = app.db().begin().await.unwrap();
        items::update(&mut tx, &app.actor(), april.id, april.version, &input)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        // The evidence date is the day the system made it public, whatever the form says.
        let r = compute(&app, plan, "2017-12-31").await;
        let p = periods(&r, fiscal);
        assert_eq!(p["2017-04"].status, "met");
        assert_eq!(p["2017-04"].evidence[0].published_on, "2017-05-16");
        assert_eq!(
            p["2017-04"].evidence[0]
                .stated_on
                .map(|d| d.to_string())
                .as_deref(),
            Some("2017-06-20")
        );
        assert!(!p["2017-04"].evidence[0].backfilled);
    }
);

both_backends!(
    descendant_columns_count_other_units_do_not,
    |app| async move {
        let plan = scenario(&app).await;
        let r = compute(&app, plan, "2018-02-28").await;
        let fiscal = obligation(&r, "市财政局", "monthly");
        let stats = obligation(&r, "市统计局", "quarterly");

        // A sub-column of 财政预决算: December's figures published there count.
        let site = app.site_id().await;
        let parent = app.column_id("czyjs").await;
        let input = columns::ColumnFields {
            name: "财政收支月报".into(),
            slug: "czszyb".into(),
            kind: "data_release".into(),
            parent_id: parent.to_string(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        let mut tx = app.db().begin().await.unwrap();
        let child = columns::create(&mut tx, &app.actor(), site, &input)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let mut fields = app
            .item("市财政局", "czyjs", "2017年12月全市财政收支情况")
            .await;
        fields.column_ids = vec![child.to_string()];
        fields.publish_date = "2018-01-16".into();
        let id = app.create_item(fields).await;
        app.publish(id).await;

        // The third quarter's report by another organisation does not count for 市统计局.
        let mut fields = app
            .item("市发展改革委", "tjxx", "2017年三季度全市经济运行情况")
            .await;
        fields.publish_date = "2017-10-20".into();
        let other = app.create_item(fields).await;
        app.publish(other).await;
        // Nor does 市统计局's own report in an unrelated column.
        let mut fields = app
            .item("市统计局", "zwdt", "2017年前三季度全市经济运行情况")
            .await;
        fields.publish_date = "2017-10-20".into();
        let elsewhere = app.create_item(fields).await;
        app.publish(elsewhere).await;
        // Nor a 依申请公开 item in the right column.
        let mut fields = app
            .item("市统计局", "tjxx", "2017年三季度经济运行分析（内部）")
            .await;
        fields.publish_date = "2017-10-20".into();
        fields.disclosure = "on_request".into();
        fields.disclosure_reason = "内部分析材料".into();
        let hidden = app.create_item(fields).await;
        app.publish(hidden).await;

        let r = compute(&app, plan, "2018-02-28").await;
        let dec = &periods(&r, fiscal)["2017-12"];
        assert_eq!(dec.status, "met", "{}", dec.explanation);
        assert_eq!(dec.evidence[0].item_id, id);
        assert_eq!(periods(&r, stats)["2017-Q3"].status, "missed");
    }
);

both_backends!(report_command_prints_the_json, |app| async move {
    let plan = scenario(&app).await;
    let text = gongkai::report_cmd::compliance_json(app.db(), plan, "2017-12-31")
        .await
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["plan"]["id"], plan);
    assert_eq!(v["as_of"], "2017-12-31");
    let fiscal = v["obligations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| {
            o["org_name"] == "市财政局" && o["cadence"] == "monthly" && !o["column_id"].is_null()
        })
        .unwrap()["id"]
        .clone();
    let rows: Vec<&serde_json::Value> = v["periods"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["obligation_id"] == fiscal)
        .collect();
    let status = |key: &str| {
        rows.iter().find(|p| p["key"] == key).unwrap()["status"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(status("2017-04"), "met");
    assert_eq!(status("2017-05"), "met");
    assert_eq!(status("2017-08"), "met_late");
    assert_eq!(status("2017-12"), "not_yet_due");
    let aug = rows.iter().find(|p| p["key"] == "2017-08").unwrap();
    assert_eq!(aug["late_working_days"], 8);
    assert_eq!(aug["evidence"][0]["title"], "2017年8月全市财政收支情况");
    for field in [
        "met",
        "met_late",
        "missed",
        "due_soon",
        "not_yet_due",
        "on_time_rate",
    ] {
        assert!(v["totals"].get(field).is_some(), "totals.{field}");
    }
    assert!(
        v["units"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["org_name"] == "市统计局")
    );

    // Bad input: an unknown plan and a malformed date, in Chinese.
    let e = gongkai::report_cmd::compliance_json(app.db(), 9999, "2017-12-31")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("不存在"), "{e}");
    let e = gongkai::report_cmd::compliance_json(app.db(), plan, "2017/12/31")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("格式"), "{e}");
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_prints_the_report() {
    let app = TestApp::start(crate::support::Backend::Sqlite).await;
    let plan = scenario(&app).await;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(["report", "compliance", "--plan", &plan.to_string()])
        .args(["--as-of", "2017-12-31", "--format", "json"])
        .arg("--data-dir")
        .arg(app.data_dir())
        .env_remove("GONGKAI_DATABASE_URL")
        .env_remove("GONGKAI_CONFIG")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["periods"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["status"] == "met_late" && p["org_name"] == "市财政局")
    );
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args([
            "report",
            "compliance",
            "--plan",
            "1",
            "--as-of",
            "2017-12-31",
        ])
        .args(["--format", "xlsx"])
        .arg("--data-dir")
        .arg(app.data_dir())
        .output()
        .unwrap();
    assert!(!bad.status.success());
    app.teardown().await;
}

/// The round of task 1 due on `due` for `org` in the report.
fn round<'a>(
    r: &'a ComplianceReport,
    org: &str,
    due: &str,
) -> &'a gongkai_db::compliance_feedback::FeedbackRoundRow {
    r.feedback
        .rounds
        .iter()
        .find(|f| f.org_name == org && f.due == due && f.task_number == 1)
        .unwrap_or_else(|| panic!("{org} {due}"))
}

// The scenario's feedback: 市财政局 on time, 市统计局 after 6月30日, 市审计局 never.
both_backends!(scenario_feedback_as_of_dates, |app| async move {
    let plan = scenario(&app).await;
    let r = compute(&app, plan, "2017-12-31").await;
    let fiscal = round(&r, "市财政局", "2017-06-30");
    assert_eq!(fiscal.status, "on_time");
    assert_eq!(
        fiscal.submitted_on.map(|d| d.to_string()).as_deref(),
        Some("2017-06-29")
    );
    assert_eq!(fiscal.review_status, "accepted");
    let stats = round(&r, "市统计局", "2017-06-30");
    assert_eq!(stats.status, "late");
    assert_eq!(stats.status_label, "逾期反馈");
    assert_eq!(stats.late_working_days, Some(4));
    assert!(
        stats
            .explanation
            .contains("2017-07-06提交，逾期4个工作日（截止日期2017-06-30）"),
        "{}",
        stats.explanation
    );
    let audit = round(&r, "市审计局", "2017-06-30");
    assert_eq!(audit.status, "missing");
    assert_eq!(audit.submitted_on, None);
    // The 11月30日 rounds: nobody answered.
    assert_eq!(round(&r, "市财政局", "2017-11-30").status, "missing");
    let unit = r
        .feedback
        .units
        .iter()
        .find(|u| u.org_name == "市统计局")
        .unwrap();
    assert_eq!(unit.counts.late, 1);
    let c = r.feedback.counts;
    assert_eq!(c.rounds, c.on_time + c.late + c.missing + c.pending);
    assert_eq!((c.on_time, c.late), (1, 1));

    // Before the late answer arrived it was missing; before the due date every round is pending.
    let r = compute(&app, plan, "2017-07-03").await;
    assert_eq!(round(&r, "市统计局", "2017-06-30").status, "missing");
    assert_eq!(round(&r, "市统计局", "2017-06-30").late_working_days, None);
    let r = compute(&app, plan, "2017-06-01").await;
    assert!(
        r.feedback
            .rounds
            .iter()
            .filter(|f| f.due.to_string().as_str() >= "2017-06-01")
            .all(|f| f.status == "pending")
    );
    // Loading the scenario again submits nothing twice.
    gongkai_db::seed_scenario::load(app.db()).await.unwrap();
    assert_eq!(app.count("feedback_submissions").await, 2);
});
