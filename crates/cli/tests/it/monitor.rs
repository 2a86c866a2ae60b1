//! Site monitoring (issue 16 items 2 and 3) on both backends, every request to 127.0.0.1:
//! the register, hourly probes with the 15 s rule (shortened here) and the availability veto, a
//! scheduled inspection of the generated fixture site storing exactly its faults, the 19号 score
//! with its vetoes, the scoring table, the ticket loop (fixed → the re-check still finds it →
//! reopened; fixed for real → closed), ticket reminders, and the quarterly report as DOCX and
//! XLSX read back and submitted to a portal column as an item.

use crate::support::users::User;
use crate::support::{PASSWORD, TestApp, html};
use axum::Router;
use axum::response::{Html, IntoResponse};
use gongkai_db::monitor::{self, runs, tickets};
use gongkai_domain::monitor::quarter::Quarter;
use gongkai_domain::monitor::scoring::Score;
use gongkai_domain::role::Role;
use gongkai_inspect::fixture;
use gongkai_jobs::worker::{self, WorkerConfig};
use reqwest::StatusCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Runs queued jobs until none is due (bounded).
async fn drain(app: &TestApp) {
    let cfg = WorkerConfig {
        schedule_scans: false,
        ..WorkerConfig::default()
    };
    for _ in 0..20 {
        let s = worker::run_once(app.db(), &cfg).await.unwrap();
        assert_eq!(s.failed, 0, "a job failed");
        if s.claimed == 0 {
            return;
        }
    }
    panic!("jobs kept coming");
}

pub(crate) async fn register(admin: &User, name: &str, url: &str, org: i64) -> i64 {
    let (s, loc) = admin
        .submit(
            "/admin/sites",
            &[
                ("name", name),
                ("url", url),
                ("org_id", &org.to_string()),
                ("kind", "external"),
                ("bonus", "0"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{}", html::excerpt(&loc));
    loc.trim_start_matches("/admin/sites/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

pub(crate) async fn set(app: &TestApp, key: &str, value: &str) {
    let mut conn = app.conn().await;
    gongkai_db::settings::set(&mut conn, &app.actor(), key, value)
        .await
        .unwrap();
}

async fn inspect(app: &TestApp, site_id: i64, as_of: &str) {
    let mut conn = app.conn().await;
    let p = monitor::InspectPayload {
        site_id,
        reason: "schedule".into(),
        as_of: Some(as_of.into()),
    };
    monitor::enqueue_inspection(&mut conn, &p, None)
        .await
        .unwrap();
    drop(conn);
    drain(app).await;
}

async fn latest_run(app: &TestApp, site_id: i64) -> runs::RunRow {
    let mut conn = app.conn().await;
    let page = runs::list(&mut conn, site_id, 1).await.unwrap();
    page.rows.first().cloned().expect("a run")
}

fn score(run: &runs::RunRow) -> Score {
    serde_json::from_str(run.score_json.as_deref().expect("a score")).unwrap()
}

both_backends!(
    probes_inspection_and_the_score_with_its_vetoes,
    |app| async move {
        let site = fixture::serve().await.unwrap();
        let admin = app.admin().await;
        let org = app.org_id("市财政局").await;
        // The 15 s rule, shortened so the test does not wait: the fixture's /slow answers after 3 s.
        set(&app, monitor::PROBE_TIMEOUT_MS, "700").await;
        let up = register(&admin, "市财政局网站", &site.base, org).await;
        let slow = register(&admin, "市统计局网站", &format!("{}slow", site.base), org).await;

        // Bad input is refused with a Chinese message and stores nothing.
        let before = app.count("monitored_sites").await;
        let (s, page) = admin
            .submit(
                "/admin/sites",
                &[("name", ""), ("url", "ftp://x"), ("kind", "external")],
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            page.contains("网址须以 http:// 或 https:// 开头"),
            "{}",
            html::excerpt(&page)
        );
        assert_eq!(app.count("monitored_sites").await, before);

        // The hourly tick queues one probe per site and one inspection per site due; a second tick
        // in the same hour queues nothing more.
        let now = gongkai_db::now_ms();
        let tick = gongkai_jobs::monitor::MonitorTick { now_ms: Some(now) };
        {
            let mut conn = app.conn().await;
            gongkai_jobs::enqueue(&mut conn, &tick, now, None)
                .await
                .unwrap();
        }
        drain(&app).await;
        let probes: Vec<(i64, i64, Option<String>, i64)> = sqlx::query_as(
            "SELECT site_id, ok, error, elapsed_ms FROM site_probes ORDER BY site_id",
        )
        .fetch_all(&mut *app.conn().await)
        .await
        .unwrap();
        assert_eq!(probes.len(), 2);
        assert_eq!((probes[0].0, probes[0].1), (up, 1));
        assert_eq!((probes[1].0, probes[1].1), (slow, 0));
        assert_eq!(probes[1].2.as_deref(), Some("timeout"));
        assert!(
            probes[1].3 < 3000,
            "the probe gave up at its timeout: {}",
            probes[1].3
        );
        let runs_before = app.count("site_runs").await;
        assert_eq!(runs_before, 2, "the tick inspected both sites");
        {
            let mut conn = app.conn().await;
            gongkai_jobs::enqueue(&mut conn, &tick, now, None)
                .await
                .unwrap();
        }
        drain(&app).await;
        assert_eq!(
            app.count("site_probes").await,
            2,
            "one probe per site and hour"
        );
        assert_eq!(app.count("site_runs").await, 2, "not due again");

        // An inspection as of the fixture's day stores exactly the fixture's faults.
        inspect(&app, up, fixture::AS_OF).await;
        let run = latest_run(&app, up).await;
        assert!(run.error.is_none(), "{:?}", run.error);
        let stored: Vec<serde_json::Value> = runs::findings(&mut *app.conn().await, run.id)
            .await
            .unwrap()
            .iter()
            .map(|f| serde_json::from_str(&f.detail_json).unwrap())
            .collect();
        let mut expected: Vec<serde_json::Value> = site
            .expected()
            .iter()
            .map(|f| serde_json::to_value(f).unwrap())
            .collect();
        let mut got = stored.clone();
        expected.sort_by_key(|v| v.to_string());
        got.sort_by_key(|v| v.to_string());
        assert_eq!(got, expected);
        // A fault keeps its identity across runs: the first sighting is the tick's run.
        let rows = runs::findings(&mut *app.conn().await, run.id)
            .await
            .unwrap();
        let gone = rows
            .iter()
            .find(|f| f.detail_json.contains("/gone.html"))
            .unwrap();
        assert!(gone.first_run_id < run.id, "first seen by the earlier run");
        assert!(gone.ticket_id.is_some(), "a ticket follows the fault");

        // The 19号 score: a message unanswered for over 3 months vetoes; the deductions are kept,
        // each fault once (6 dead-link findings, 5 dead targets: one PDF is linked from two pages).
        let s = score(&run);
        assert_eq!(s.verdict.label(), "不合格");
        let vetoes: Vec<&str> = s.vetoes.iter().map(|v| v.item.as_str()).collect();
        assert_eq!(vetoes, ["互动回应差"]);
        assert!(
            s.deductions
                .iter()
                .any(|d| d.label == "错链断链" && d.count == 5)
        );
        assert_eq!(s.availability.probes, 1);
        // The slow site: every probe failed, so 站点无法访问.
        inspect(&app, slow, fixture::AS_OF).await;
        let slow_run = latest_run(&app, slow).await;
        let slow_score = score(&slow_run);
        assert!(
            slow_score.vetoes.iter().any(|v| v.item == "站点无法访问"),
            "{slow_score:?}"
        );
        let list = admin.get_ok("/admin/sites").await;
        assert!(
            list.contains("0.0%（单项否决）"),
            "{}",
            html::excerpt(&list)
        );
        assert!(list.contains("100.0%"));
        let detail = admin.get_ok(&format!("/admin/sites/{up}")).await;
        assert!(detail.contains("互动回应差"), "{}", html::excerpt(&detail));
        assert!(detail.contains("/gone.html"));

        // The table is the site administrator's: the veto turned off, audited; bad input refused.
        let audit = app.audit_count().await;
        let mut form = vec![
            ("availability_veto_percent", "5"),
            ("stale_columns_veto", "5"),
            ("empty_columns_veto", "5"),
            ("stale_homepage_vetoes", "1"),
            ("pass_mark", "60"),
            ("bonus_threshold", "80"),
            ("bonus_max", "30"),
            ("each_dead_link", "1"),
            ("cap_dead_link", "10"),
            ("ticket_days", "5"),
        ];
        let (s, _) = admin.submit("/admin/monitor/settings", &form).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        assert!(app.audit_count().await > audit);
        inspect(&app, up, fixture::AS_OF).await;
        let relaxed = score(&latest_run(&app, up).await);
        assert!(relaxed.vetoes.is_empty(), "{relaxed:?}");
        form[5].1 = "x";
        let audit = app.audit_count().await;
        let (s, page) = admin.submit("/admin/monitor/settings", &form).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            page.contains("加分线须为非负整数"),
            "{}",
            html::excerpt(&page)
        );
        assert_eq!(app.audit_count().await, audit);
        assert!(
            !site.requests().iter().any(|p| p.starts_with("/private/")),
            "robots.txt is respected"
        );
    }
);

/// A site whose one fault — a link to a missing page, in the footer of both its pages — is
/// repaired when `fixed` is set.
async fn repairable_site() -> (String, Arc<AtomicBool>) {
    let fixed = Arc::new(AtomicBool::new(false));
    let f = fixed.clone();
    let app = Router::new()
        .route(
            "/",
            axum::routing::get(|| async {
                Html("<html><body><h1>某局网站</h1><a href=\"/contact.html\">联系我们</a><a href=\"/about.html\">机构职能</a></body></html>")
            }),
        )
        .route(
            "/contact.html",
            axum::routing::get(|| async {
                Html("<html><body><p>联系我们\u{FF1A}0427-0000000</p><a href=\"/about.html\">机构职能</a></body></html>")
            }),
        )
        .route(
            "/about.html",
            axum::routing::get(move || {
                let f = f.clone();
                async move {
                    if f.load(Ordering::SeqCst) {
                        (StatusCode::OK, Html("<p>机构职能</p>")).into_response()
                    } else {
                        (StatusCode::NOT_FOUND, Html("<p>404</p>")).into_response()
                    }
                }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!(
        "http://127.0.0.1:{}/",
        listener.local_addr().unwrap().port()
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (base, fixed)
}

async fn ticket_of(app: &TestApp, site_id: i64) -> tickets::TicketRow {
    let mut conn = app.conn().await;
    let filter = tickets::Filter {
        site_id: Some(site_id),
        ..Default::default()
    };
    let page = tickets::list(&mut conn, &filter, 1).await.unwrap();
    assert_eq!(
        page.rows.len(),
        1,
        "one ticket for the one fault, though two pages link to it"
    );
    page.rows[0].clone()
}

both_backends!(the_ticket_loop_and_the_quarterly_report, |app| async move {
    let (base, fixed) = repairable_site().await;
    let admin = app.admin().await;
    let org = app.org_id("市财政局").await;
    let other = app.org_id("市统计局").await;
    set(&app, monitor::PROBE_TIMEOUT_MS, "2000").await;
    let site = register(&admin, "市财政局网站", &base, org).await;
    let today = gongkai_db::china_today();
    inspect(&app, site, &today.to_string()).await;
    let t = ticket_of(&app, site).await;
    assert_eq!((t.kind.as_str(), t.state.as_str()), ("dead_link", "open"));
    assert_eq!(t.org_id, org);
    let ticket_page = admin.get_ok(&format!("/admin/tickets/{}", t.id)).await;
    assert!(
        ticket_page.contains("2\u{4E2A}\u{9875}\u{9762}"),
        "the ticket names both pages linking the dead page: {}",
        html::excerpt(&ticket_page)
    );
    let site_page = admin.get_ok(&format!("/admin/sites/{site}")).await;
    assert!(
        site_page.contains("等2个页面"),
        "the fault is one row naming how many pages show it: {}",
        html::excerpt(&site_page)
    );
    let cal = gongkai_db::calendar::load(&mut *app.conn().await)
        .await
        .unwrap();
    let due = gongkai_domain::monitor::ticket::deadline(&cal, today, 5).unwrap();
    assert_eq!(t.due_on, due, "5 working days on the calendar");

    // The unit sees its own tickets; another unit does not.
    app.create_user("cz_editor", Role::Editor, Some(org)).await;
    app.create_user("tj_editor", Role::Editor, Some(other))
        .await;
    let unit = app.user("cz_editor", PASSWORD).await;
    let stranger = app.user("tj_editor", PASSWORD).await;
    let list = unit.get_ok("/admin/tickets").await;
    assert!(list.contains(&format!("/admin/tickets/{}", t.id)));
    assert!(
        !stranger
            .get_ok("/admin/tickets")
            .await
            .contains(&format!("/admin/tickets/{}", t.id))
    );
    assert_eq!(
        stranger
            .get(&format!("/admin/tickets/{}", t.id))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let (s, _) = stranger
        .submit(
            &format!("/admin/tickets/{}/fixed", t.id),
            &[("note", "x"), ("version", "1")],
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Reminders as for other deadlines: on the due day the unit is told, once.
    {
        let mut conn = app.conn().await;
        let scan = gongkai_db::reminders::scan_all(&mut conn, due)
            .await
            .unwrap();
        assert_eq!(scan.tickets.enqueued, 1);
        let again = gongkai_db::reminders::scan_all(&mut conn, due)
            .await
            .unwrap();
        assert_eq!(again.tickets.enqueued, 0);
    }

    // An empty note changes nothing.
    let path = format!("/admin/tickets/{}/fixed", t.id);
    let audit = app.audit_count().await;
    let (s, page) = unit
        .submit(&path, &[("note", " "), ("version", &t.version.to_string())])
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("请填写整改说明"), "{}", html::excerpt(&page));
    assert_eq!(app.audit_count().await, audit);

    // Marked fixed but not fixed: the re-check finds it again and reopens the ticket.
    let (s, _) = unit
        .submit(
            &path,
            &[("note", "已修改链接"), ("version", &t.version.to_string())],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(ticket_of(&app, site).await.state, "fixed");
    drain(&app).await;
    let t = ticket_of(&app, site).await;
    assert_eq!((t.state.as_str(), t.reopen_count), ("open", 1));
    assert!(
        t.recheck_evidence
            .as_deref()
            .unwrap()
            .contains("about.html")
    );
    let page = unit.get_ok(&format!("/admin/tickets/{}", t.id)).await;
    assert!(page.contains("仍发现问题"), "{}", html::excerpt(&page));

    // Fixed for real: the re-check agrees and the ticket closes.
    fixed.store(true, Ordering::SeqCst);
    let (s, _) = unit
        .submit(
            &path,
            &[("note", "已恢复页面"), ("version", &t.version.to_string())],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    drain(&app).await;
    let t = ticket_of(&app, site).await;
    assert_eq!(t.state, "closed");
    assert_eq!(app.count("site_runs").await, 3, "two re-checks ran");

    // The quarterly report: DOCX and XLSX read back, then submitted to a portal column.
    let quarter = Quarter::of(today);
    let title = format!("关于{}政府网站抽查情况的通报", quarter.label());
    let q = format!("quarter={}", quarter.code());
    let page = admin.get_ok(&format!("/admin/monitor/report?{q}")).await;
    assert!(page.contains(&title), "{}", html::excerpt(&page));
    let docx = admin
        .get(&format!("/admin/monitor/report.docx?{q}"))
        .await
        .bytes()
        .await
        .unwrap();
    let text = crate::reports::docx_text(&docx);
    assert!(
        text.contains(&title.replace(' ', "")) || text.contains("政府网站抽查情况的通报"),
        "{text}"
    );
    assert!(text.contains("市财政局网站"), "{text}");
    assert!(
        text.contains("本季度共下发整改单1份\u{FF0C}经复查已整改1份"),
        "{text}"
    );
    let xlsx = admin
        .get(&format!("/admin/monitor/report.xlsx?{q}"))
        .await
        .bytes()
        .await
        .unwrap();
    use calamine::{Data, Reader, Xlsx};
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(xlsx.to_vec())).unwrap();
    assert_eq!(wb.sheet_names(), ["抽查结果", "发现的问题", "整改情况"]);
    let results = wb.worksheet_range("抽查结果").unwrap();
    assert_eq!(
        results.get((1, 2)),
        Some(&Data::String("市财政局网站".into()))
    );
    assert_eq!(
        results.get((1, 5)),
        Some(&Data::Float(100.0)),
        "the latest run found nothing"
    );
    let fixes = wb.worksheet_range("整改情况").unwrap();
    assert_eq!(fixes.get((1, 2)), Some(&Data::Float(1.0)));
    assert_eq!(fixes.get((1, 3)), Some(&Data::Float(1.0)));
    let column = app.column_id("tzgg").await;
    let office = app.org_id("市财政局").await;
    let (s, loc) = admin
        .submit(
            "/admin/monitor/report/publish",
            &[
                ("quarter", &quarter.code()),
                ("column_id", &column.to_string()),
                ("org_id", &office.to_string()),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{}", html::excerpt(&loc));
    let item_id: i64 = loc
        .trim_start_matches("/admin/items/")
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let item = gongkai_db::items::get(&mut *app.conn().await, item_id)
        .await
        .unwrap();
    assert_eq!(item.title, title);
    assert!(item.body_html.contains("市财政局网站"));
    assert_eq!(
        item.status, "submitted",
        "the report goes through review like any item"
    );
});
