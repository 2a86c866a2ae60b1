//! 信息处理费 as 国办函〔2020〕109号 describes it, over HTTP on both backends, on the shipped 2024
//! calendar （中秋 9-15…17 off with Saturday 9-14 worked, 国庆 10-01…07 off with 9-29 and 10-12
//! worked): the 收费通知 pauses the reply period until payment, 20 working days to pay from the
//! day after, 逾期未缴费 only after them, the answer states the fee paid and the annual report
//! counts it; the case rules as settings fixed into each event; and the audited adjustments of
//! tables 三 and 四.

use crate::support::users::User;
use crate::support::{PASSWORD, TestApp, html};
use gongkai_db::applications;
use gongkai_domain::calendar::NaiveDate;
use gongkai_domain::role::Role;
use reqwest::StatusCode;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// An application of a natural person received in person on `on`.
async fn received(app: &TestApp, org: i64, n: u32, on: &str) -> i64 {
    crate::annual_report::file(app, org, n, "natural_person", on).await
}

async fn handler(app: &TestApp, name: &str, org: i64) -> User {
    app.create_user(name, Role::Handler, Some(org)).await;
    app.user(name, PASSWORD).await
}

async fn act(u: &User, id: i64, form: &[(&str, &str)]) -> (StatusCode, String) {
    u.submit(&format!("/admin/applications/{id}/action"), form)
        .await
}

/// The handler asks a third party's opinion on case `id` on 2024-09-12.
async fn consult_third_party_on_12_september(h: &User, id: i64) {
    act(
        h,
        id,
        &[
            ("action", "consultation_start"),
            ("on", "2024-09-12"),
            ("consulted", "third_party"),
        ],
    )
    .await;
}

fn assert_page_shows(page: &str, texts: &[&str]) {
    for text in texts {
        assert!(page.contains(text), "{text}: {}", html::excerpt(page));
    }
}

async fn row(app: &TestApp, id: i64) -> applications::ApplicationRow {
    applications::get(&mut *app.conn().await, id).await.unwrap()
}

async fn event_count(app: &TestApp, id: i64) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM application_events WHERE application_id = $1")
        .bind(id)
        .fetch_one(&mut *app.conn().await)
        .await
        .unwrap()
}

both_backends!(
    a_fee_notice_pauses_the_clock_until_payment_and_abandonment_waits_twenty_working_days,
    |app| async move {
        let org = app.org_id("市财政局").await;
        let h = handler(&app, "cz_fee", org).await;
        let id = received(&app, org, 1, "2024-09-10").await;
        assert_eq!(
            row(&app, id).await.due_on.map(|d| d.to_string()).as_deref(),
            Some("2024-10-14")
        );

        // The 12th application of the month: 100 元 by the 按件 scale.
        let (s, page) = act(
            &h,
            id,
            &[
                ("action", "fee_notice"),
                ("on", "2024-09-20"),
                ("fee_scale", "per_application"),
                ("fee_quantity", "12"),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{}", html::excerpt(&page));
        let r = row(&app, id).await;
        assert_eq!(r.status, "awaiting_payment");
        assert_eq!(
            r.due_on, None,
            "the reply period stops while waiting for payment"
        );
        let page = h.get_ok(&format!("/admin/applications/{id}")).await;
        assert!(
            page.contains("待缴信息处理费 100 元，缴费期限 2024-10-23"),
            "{}",
            html::excerpt(&page)
        );

        // Not abandoned before the 20 working days have run; no other answer while waiting.
        let before = event_count(&app, id).await;
        let (s, page) = act(
            &h,
            id,
            &[
                ("action", "answer"),
                ("on", "2024-10-23"),
                ("outcome", "other_no_fee"),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            page.contains("缴费期限2024-10-23尚未届满"),
            "{}",
            html::excerpt(&page)
        );
        let (s, page) = act(
            &h,
            id,
            &[
                ("action", "answer"),
                ("on", "2024-10-08"),
                ("outcome", "disclosed"),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("待缴费期间"), "{}", html::excerpt(&page));
        let (s, _) = act(&h, id, &[("action", "fee_paid"), ("on", "2024-10-09")]).await;
        assert_eq!(
            s,
            StatusCode::UNPROCESSABLE_ENTITY,
            "a payment needs its receipt number"
        );
        assert_eq!(
            event_count(&app, id).await,
            before,
            "refusals write nothing"
        );

        // Paid on 10-09: six working days were counted before the notice, fourteen remain.
        let (s, _) = act(
            &h,
            id,
            &[
                ("action", "fee_paid"),
                ("on", "2024-10-09"),
                ("receipt_no", "辽财票0012345"),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let r = row(&app, id).await;
        assert_eq!(r.status, "in_progress");
        assert_eq!(
            r.due_on.map(|d| d.to_string()).as_deref(),
            Some("2024-10-25")
        );
        let (s, _) = act(
            &h,
            id,
            &[
                ("action", "answer"),
                ("on", "2024-10-10"),
                ("outcome", "disclosed"),
                ("note", "现提供预算执行情况表。"),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let r = row(&app, id).await;
        assert_eq!((r.outcome.as_deref(), r.fee_yuan), (Some("disclosed"), 100));
        assert_eq!(r.fee_scale.as_deref(), Some("per_application"));

        // Not paid: abandoned the day after the 20th working day.
        let late = received(&app, org, 2, "2024-09-10").await;
        act(
            &h,
            late,
            &[
                ("action", "fee_notice"),
                ("on", "2024-09-20"),
                ("fee_scale", "per_page"),
                ("fee_quantity", "40"),
            ],
        )
        .await;
        assert_eq!(row(&app, late).await.status, "awaiting_payment");
        let (s, page) = act(
            &h,
            late,
            &[
                ("action", "fee_paid"),
                ("on", "2024-10-24"),
                ("receipt_no", "1"),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("视为放弃申请"));
        let (s, _) = act(
            &h,
            late,
            &[
                ("action", "answer"),
                ("on", "2024-10-24"),
                ("outcome", "other_no_fee"),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        assert_eq!(
            row(&app, late).await.outcome.as_deref(),
            Some("other_no_fee")
        );

        // The annual report counts the fee paid in 2024.
        app.create_user("cz_report", Role::Editor, Some(org)).await;
        let editor = app.user("cz_report", PASSWORD).await;
        let report = editor
            .get_ok(&format!("/admin/annual-report?org={org}&year=2024"))
            .await;
        assert!(
            report.contains("本年度 100 元"),
            "{}",
            html::excerpt(&report)
        );
    }
);

both_backends!(
    the_case_rules_are_settings_fixed_into_each_event,
    |app| async move {
        let org = app.org_id("市财政局").await;
        let h = handler(&app, "cz_rules", org).await;
        // Only a site administrator sets the rules.
        let r = h.get("/admin/applications/rules").await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let (s, _) = h
            .submit(
                "/admin/applications/rules",
                &[
                    ("consultation_working_days", "10"),
                    ("fee_pauses_clock", "0"),
                ],
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let admin = app.admin().await;
        let (s, page) = admin
            .submit(
                "/admin/applications/rules",
                &[("consultation_working_days", "61")],
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("征求意见期限须为1至60个工作日"));

        // A consultation started under the statutory 15 days keeps them after the change.
        let first = received(&app, org, 3, "2024-09-10").await;
        consult_third_party_on_12_september(&h, first).await;
        let audits = app.audit_count().await;
        let (s, _) = admin
            .submit(
                "/admin/applications/rules",
                &[
                    ("consultation_working_days", "10"),
                    ("fee_pauses_clock", "0"),
                ],
            )
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        assert!(app.audit_count().await > audits, "the change is audited");
        let page = h.get_ok(&format!("/admin/applications/{first}")).await;
        // 15 working days from 9-12: 9-13, 14, 18…20, 23…27, 29, 30, 10-08…10 → 10-10.
        assert_page_shows(
            &page,
            &["15个工作日内提出意见", "征求意见最迟至：2024-10-10"],
        );

        let second = received(&app, org, 4, "2024-09-10").await;
        consult_third_party_on_12_september(&h, second).await;
        let page = h.get_ok(&format!("/admin/applications/{second}")).await;
        assert_page_shows(
            &page,
            &["10个工作日内提出意见", "征求意见最迟至：2024-09-27"],
        );

        // With the pause off, a fee notice leaves the due date where it was.
        let third = received(&app, org, 5, "2024-09-10").await;
        act(
            &h,
            third,
            &[
                ("action", "fee_notice"),
                ("on", "2024-09-20"),
                ("fee_scale", "per_application"),
                ("fee_quantity", "11"),
            ],
        )
        .await;
        let r = row(&app, third).await;
        assert_eq!(
            (
                r.status.as_str(),
                r.due_on.map(|d| d.to_string()).as_deref()
            ),
            ("awaiting_payment", Some("2024-10-14"))
        );
    }
);

both_backends!(
    tables_three_and_four_take_audited_adjustments_and_the_check_runs_on_the_sum,
    |app| async move {
        let org = app.org_id("市财政局").await;
        let other = app.org_id("市统计局").await;
        app.create_user("cz_adj", Role::Editor, Some(org)).await;
        let editor = app.user("cz_adj", PASSWORD).await;
        app.create_user("tj_adj", Role::Editor, Some(other)).await;
        let stranger = app.user("tj_adj", PASSWORD).await;
        let page_url = format!("/admin/annual-report?org={org}&year=2024");
        let o = org.to_string();
        let adjust = |row: &'static str, delta: &'static str| {
            vec![
                ("org", o.clone()),
                ("year", "2024".to_string()),
                ("table", "3".to_string()),
                ("row3", row.to_string()),
                ("col3", "natural_person".to_string()),
                ("delta", delta.to_string()),
                ("reason", "2023年旧系统结转".to_string()),
            ]
        };
        let send = |u: &User, f: Vec<(&'static str, String)>| {
            let u = u.clone();
            async move {
                let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
                u.submit("/admin/annual-report/adjustments", &pairs).await
            }
        };

        // Another organisation's editor may not adjust this one's report.
        let (s, _) = send(&stranger, adjust("carried_in", "2")).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        // A cell never goes below zero; nothing is stored.
        let (s, page) = send(&editor, adjust("new", "-1")).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("将小于0"), "{}", html::excerpt(&page));
        assert_eq!(app.count("report_adjustments").await, 0);

        let audits = app.audit_count().await;
        let (s, _) = send(&editor, adjust("carried_in", "2")).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        assert_eq!(app.audit_count().await, audits + 1);
        let page = editor.get_ok(&page_url).await;
        assert!(page.contains("勾稽关系不成立"), "{}", html::excerpt(&page));
        assert!(page.contains("2023年旧系统结转"));

        send(&editor, adjust("withheld_third_party", "1")).await;
        send(&editor, adjust("carried_out", "+1")).await;
        let page = editor.get_ok(&page_url).await;
        assert!(page.contains("勾稽关系成立"), "{}", html::excerpt(&page));
        assert!(
            page.contains("<tr><th scope=\"row\">二、上年结转政府信息公开申请数量</th><td>2</td>"),
            "{}",
            html::excerpt(&page)
        );

        // Table 四.
        let four = vec![
            ("org", o.clone()),
            ("year", "2024".to_string()),
            ("table", "4".to_string()),
            ("row4", "reconsideration".to_string()),
            ("col4", "upheld".to_string()),
            ("delta", "1".to_string()),
            ("reason", "线下办理".to_string()),
        ];
        let (s, _) = send(&editor, four).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let page = editor.get_ok(&page_url).await;
        assert!(
            page.contains("<tr id=\"t4-row\"><td>1</td><td>0</td><td>0</td><td>0</td><td>1</td>"),
            "{}",
            html::excerpt(&page)
        );

        // Deleting is audited and only for this organisation's adjustments.
        let id: i64 = sqlx::query_scalar("SELECT MIN(id) FROM report_adjustments")
            .fetch_one(&mut *app.conn().await)
            .await
            .unwrap();
        let path = format!("/admin/annual-report/adjustments/{id}/delete");
        let (s, _) = stranger
            .submit(&path, &[("org", &other.to_string()), ("year", "2024")])
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _) = editor.submit(&path, &[("org", &o), ("year", "2024")]).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        assert_eq!(app.count("report_adjustments").await, 3);
    }
);

both_backends!(
    lapsed_applicant_deadlines_and_overdue_cases_reach_the_handler_and_the_office_once,
    |app| async move {
        use crate::reminders::{drain, of_user};
        use gongkai_db::reminders;
        let org = app.org_id("市财政局").await;
        let h = handler(&app, "cz_lapse", org).await;
        let handler_id: i64 =
            sqlx::query_scalar("SELECT id FROM users WHERE username = 'cz_lapse'")
                .fetch_one(&mut *app.conn().await)
                .await
                .unwrap();
        let office = app
            .create_user("u_office_fee", Role::Supervisor, None)
            .await;
        let unpaid = received(&app, org, 6, "2024-09-10").await;
        act(
            &h,
            unpaid,
            &[
                ("action", "fee_notice"),
                ("on", "2024-09-20"),
                ("fee_scale", "per_application"),
                ("fee_quantity", "11"),
            ],
        )
        .await;
        let overdue = received(&app, org, 7, "2024-09-10").await;

        // 10-23 is the last day to pay and 10-14 the due date of the other case: on 10-15 the
        // second is overdue (handler and, once, the office); on 10-24 the fee has lapsed.
        reminders::scan_applications(&mut *app.conn().await, d("2024-10-15"))
            .await
            .unwrap();
        drain(&app).await;
        let to_office = of_user(&app, office).await;
        assert_eq!(to_office.len(), 1, "{to_office:?}");
        assert!(
            to_office[0].title.contains("TESTCODE0007"),
            "{}",
            to_office[0].title
        );
        assert_eq!(to_office[0].link, format!("/admin/applications/{overdue}"));
        reminders::scan_applications(&mut *app.conn().await, d("2024-10-24"))
            .await
            .unwrap();
        drain(&app).await;
        assert_eq!(
            of_user(&app, office).await.len(),
            1,
            "the office hears once"
        );
        let got = of_user(&app, handler_id).await;
        let lapsed: Vec<_> = got
            .iter()
            .filter(|n| n.kind == "application.lapsed")
            .collect();
        assert_eq!(lapsed.len(), 1, "{got:?}");
        assert!(
            lapsed[0].title.contains("缴费期限2024年10月23日已届满"),
            "{}",
            lapsed[0].title
        );
        assert!(
            lapsed[0]
                .body
                .contains("申请人逾期未按收费通知要求缴纳费用")
        );
        assert_eq!(lapsed[0].link, format!("/admin/applications/{unpaid}"));
        reminders::scan_applications(&mut *app.conn().await, d("2024-10-25"))
            .await
            .unwrap();
        drain(&app).await;
        let again = of_user(&app, handler_id).await;
        assert_eq!(
            again
                .iter()
                .filter(|n| n.kind == "application.lapsed")
                .count(),
            1,
            "told once per deadline"
        );
    }
);
