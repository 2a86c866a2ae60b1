//! The working-day calendar end to end: the shipped days are in the database on both backends,
//! edits in /admin/calendar change deadlines (and the `gongkai calendar` command), bad input and
//! other users write nothing.

use crate::support::{Backend, PASSWORD, TestApp, html, outcome};
use gongkai_domain::calendar::{Calendar, NaiveDate};
use gongkai_domain::role::Role;
use reqwest::StatusCode;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
}

async fn calendar(app: &TestApp) -> Calendar {
    gongkai_db::calendar::load(&mut *app.conn().await)
        .await
        .expect("load the calendar")
}

async fn deadline(app: &TestApp, start: &str, n: u32) -> NaiveDate {
    calendar(app)
        .await
        .add_workdays(d(start), n)
        .expect("add working days")
        .date
}

async fn counts(app: &TestApp) -> (i64, i64) {
    (app.count("calendar_days").await, app.audit_count().await)
}

both_backends!(shipped_days_are_in_the_database, |app| async move {
    assert_eq!(
        app.count("calendar_days").await,
        gongkai_domain::calendar::shipped_overrides().len() as i64
    );
    let years = gongkai_db::calendar::years(&mut *app.conn().await)
        .await
        .unwrap();
    assert_eq!(years, (2017..=2026).collect::<Vec<_>>());
    let cal = calendar(&app).await;
    assert_eq!(
        cal.day(d("2017-09-30")).describe(),
        "2017-09-30 是工作日（调休上班：国庆节、中秋节）"
    );
    assert_eq!(deadline(&app, "2017-09-29", 3).await, d("2017-10-10"));
    assert!(
        !cal.is_workday(d("2020-02-01")),
        "2020 Spring Festival extension"
    );
    let ext = gongkai_db::calendar::get(&mut *app.conn().await, d("2020-02-01"))
        .await
        .unwrap()
        .expect("2020-02-01 is stored");
    assert_eq!(
        (ext.kind.as_str(), ext.name.as_str(), ext.source.as_str()),
        ("holiday", "春节", "国办发明电〔2020〕1号")
    );
    assert!(ext.updated_at > 0);
    assert!(cal.day(d("2027-01-01")).estimated);
    // The rows of a year, in date order.
    let rows = gongkai_db::calendar::list_year(&mut *app.conn().await, 2023)
        .await
        .unwrap();
    assert_eq!(
        rows.first().map(|r| r.date.to_string()),
        Some("2023-01-01".to_string())
    );
    assert!(rows.windows(2).all(|w| w[0].date < w[1].date));
    assert!(rows.iter().all(|r| r.date.to_string().starts_with("2023-")));
});

both_backends!(
    editing_in_the_back_office_changes_deadlines,
    |app| async move {
        app.login_admin().await;
        let page = app.get_ok("/admin/calendar?year=2027").await;
        assert!(
            page.contains("2027年节假日安排尚未录入，按法定节假日推算，如有调休以国务院通知为准"),
            "{}",
            html::excerpt(&page)
        );
        assert!(
            page.contains("href=\"/admin/calendar\""),
            "nav link for administrators"
        );
        // Friday 2027-01-01 is 元旦 by law; + 1 working day: Monday 2027-01-04 under the estimate.
        assert_eq!(deadline(&app, "2027-01-01", 1).await, d("2027-01-04"));
        let before = counts(&app).await;
        let me = app.signed_in(app.client());

        let (status, loc) = me
            .submit(
                "/admin/calendar",
                &[
                    ("date", "2027-01-04"),
                    ("kind", "holiday"),
                    ("name", "元旦"),
                    ("source", "测试通知"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{loc}");
        assert_eq!(loc, "/admin/calendar?year=2027&notice=created");
        assert_eq!(deadline(&app, "2027-01-01", 1).await, d("2027-01-05"));
        let page = app.get_ok(&loc).await;
        assert!(page.contains("已创建"));
        assert!(page.contains("2027-01-04"));
        assert!(!page.contains("尚未录入"), "2027 now has data");

        // A make-up Saturday.
        let (status, loc) = me
            .submit(
                "/admin/calendar",
                &[
                    ("date", "2027-01-09"),
                    ("kind", "workday"),
                    ("name", "元旦"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{loc}");
        assert_eq!(deadline(&app, "2027-01-08", 1).await, d("2027-01-09"));

        // Edit: the Monday is worked after all → make it a named holiday again with another name.
        let edit = app.get_ok("/admin/calendar/2027-01-04").await;
        assert!(edit.contains("编辑 2027-01-04"));
        let (status, loc) = me
            .submit(
                "/admin/calendar/2027-01-04",
                &[("kind", "holiday"), ("name", "元旦补休")],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{loc}");
        assert_eq!(loc, "/admin/calendar?year=2027&notice=saved");
        let day = calendar(&app).await.day(d("2027-01-04"));
        assert_eq!(day.describe(), "2027-01-04 不是工作日（元旦补休）");

        // Delete a shipped make-up Saturday: 2017-09-29 + 3 moves from 10-10 to 10-11.
        let (status, loc) = me.submit("/admin/calendar/2017-09-30/delete", &[]).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{loc}");
        assert_eq!(deadline(&app, "2017-09-29", 3).await, d("2017-10-11"));

        // Two days added and one deleted; four audit entries (create, create, update, delete).
        let after = counts(&app).await;
        assert_eq!(after, (before.0 + 1, before.1 + 4));
        let actions: Vec<String> = sqlx::query_scalar(
            "SELECT action FROM audit_log WHERE entity = 'calendar_day' ORDER BY id",
        )
        .fetch_all(&mut *app.conn().await)
        .await
        .unwrap();
        assert_eq!(
            actions,
            [
                "calendar.create",
                "calendar.create",
                "calendar.update",
                "calendar.delete"
            ]
        );

        // The command line reads the same table.
        if app.backend() == Backend::Sqlite {
            let out = std::process::Command::new(env!("CARGO_BIN_EXE_gongkai"))
                .args(["calendar", "add-workdays", "2017-09-29", "3", "--data-dir"])
                .arg(app.data_dir())
                .env_remove("GONGKAI_DATABASE_URL")
                .env_remove("GONGKAI_CONFIG")
                .output()
                .expect("run gongkai calendar");
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success(),
                "{stdout}{}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(
                stdout.starts_with("2017-09-29 起 3 个工作日（自次日起算）：2017-10-11 星期三\n"),
                "{stdout}"
            );
            assert!(
                stdout.contains("  2017-09-30 星期六 跳过（周末）\n"),
                "{stdout}"
            );
        }
    }
);

both_backends!(bad_input_writes_nothing, |app| async move {
    app.login_admin().await;
    let me = app.signed_in(app.client());
    let before = counts(&app).await;

    let (status, body) = me
        .submit(
            "/admin/calendar",
            &[("date", "2027-02-30"), ("kind", "weekend"), ("name", "  ")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for msg in [
        "日期格式应为 年-月-日，例如 2027-10-01",
        "请选择类型：放假或调休上班",
        "请填写节日名称",
    ] {
        assert!(
            body.contains(msg),
            "{msg} missing:\n{}",
            html::excerpt(&body)
        );
    }
    assert!(
        body.contains("value=\"2027-02-30\""),
        "the form keeps what was typed"
    );

    // A working day cannot be a make-up workday; an existing date is edited, not added twice.
    let (status, body) = me
        .submit(
            "/admin/calendar",
            &[
                ("date", "2027-10-06"),
                ("kind", "workday"),
                ("name", "国庆节"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("调休上班只用于周六或周日"),
        "{}",
        html::excerpt(&body)
    );
    let (status, body) = me
        .submit(
            "/admin/calendar",
            &[("date", "2017-10-01"), ("kind", "workday"), ("name", "改")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("2017-10-01已有安排"),
        "{}",
        html::excerpt(&body)
    );

    // No CSRF token, a bad path date, a missing day.
    let (status, _) = outcome(
        me.post_without_csrf(
            "/admin/calendar",
            &[
                ("date", "2027-01-04"),
                ("kind", "holiday"),
                ("name", "元旦"),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = me.submit("/admin/calendar/2027-99-99/delete", &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = me.submit("/admin/calendar/2027-03-03/delete", &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get("/admin/calendar/2027-03-03").await.status(),
        StatusCode::NOT_FOUND
    );
    // An absurd year in the query falls back to the current year instead of failing.
    app.get_ok("/admin/calendar?year=-5").await;

    assert_eq!(counts(&app).await, before, "nothing written");
    assert_eq!(deadline(&app, "2017-09-29", 3).await, d("2017-10-10"));
});

both_backends!(
    only_system_administrators_manage_the_calendar,
    |app| async move {
        let finance = app.org_id("市财政局").await;
        app.create_user("bianji", Role::Editor, Some(finance)).await;
        let me = app.user("bianji", PASSWORD).await;
        let client = me.client().clone();
        let before = counts(&app).await;

        for path in [
            "/admin/calendar",
            "/admin/calendar?year=2017",
            "/admin/calendar/2017-10-01",
        ] {
            let r = client.get(app.url(path)).send().await.expect("get");
            assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
        }
        let (status, _) = me
            .submit(
                "/admin/calendar",
                &[
                    ("date", "2027-01-04"),
                    ("kind", "holiday"),
                    ("name", "元旦"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = me
            .submit(
                "/admin/calendar/2017-10-01",
                &[("kind", "workday"), ("name", "改")],
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = me.submit("/admin/calendar/2017-09-30/delete", &[]).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let dashboard = client
            .get(app.url("/admin"))
            .send()
            .await
            .expect("get")
            .text()
            .await
            .unwrap_or_default();
        assert!(
            !dashboard.contains("/admin/calendar"),
            "no nav link for editors"
        );
        // Anonymous visitors are sent to the login page.
        let anon = app
            .new_client()
            .get(app.url("/admin/calendar"))
            .send()
            .await
            .expect("get");
        assert_ne!(anon.status(), StatusCode::OK);

        assert_eq!(counts(&app).await, before, "nothing written");
    }
);

#[test]
fn the_command_line_prints_the_answer_and_its_working() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_gongkai"))
            .arg("calendar")
            .args(args)
            .arg("--data-dir")
            .arg(dir.path().join("data"))
            .env_remove("GONGKAI_DATABASE_URL")
            .env_remove("GONGKAI_CONFIG")
            .output()
            .expect("run gongkai calendar");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (ok, out, err) = run(&["is-workday", "2017-09-30"]);
    assert!(ok, "{err}");
    assert_eq!(out, "2017-09-30 是工作日（调休上班：国庆节、中秋节）\n");
    let (ok, out, err) = run(&["add-workdays", "2017-09-29", "3"]);
    assert!(ok, "{err}");
    assert_eq!(
        out,
        "2017-09-29 起 3 个工作日（自次日起算）：2017-10-10 星期二\n\
         \x20 2017-09-30 星期六 第1个工作日（调休上班：国庆节、中秋节）\n\
         \x20 2017-10-01 星期日 跳过（国庆节、中秋节）\n\
         \x20 2017-10-02 星期一 跳过（国庆节、中秋节）\n\
         \x20 2017-10-03 星期二 跳过（国庆节、中秋节）\n\
         \x20 2017-10-04 星期三 跳过（国庆节、中秋节）\n\
         \x20 2017-10-05 星期四 跳过（国庆节、中秋节）\n\
         \x20 2017-10-06 星期五 跳过（国庆节、中秋节）\n\
         \x20 2017-10-07 星期六 跳过（国庆节、中秋节）\n\
         \x20 2017-10-08 星期日 跳过（国庆节、中秋节）\n\
         \x20 2017-10-09 星期一 第2个工作日\n\
         \x20 2017-10-10 星期二 第3个工作日\n"
    );
    let (ok, out, _) = run(&["is-workday", "2027-01-01"]);
    assert!(ok);
    assert_eq!(
        out,
        "2027-01-01 不是工作日（元旦）\n注意：2027年节假日安排尚未录入，按法定节假日推算，如有调休以国务院通知为准\n"
    );
    let (ok, _, err) = run(&["is-workday", "2017-9-3x"]);
    assert!(!ok);
    assert!(err.contains("格式应为 年-月-日"), "{err}");
    let (ok, _, err) = run(&["add-workdays", "+262142-12-30", "5"]);
    assert!(!ok);
    assert!(
        err.contains("日期超出可计算范围") || err.contains("格式应为"),
        "{err}"
    );
}

both_backends!(
    a_pasted_notice_enters_a_year_after_review,
    |app| async move {
        let me = app.admin().await;
        // A test notice in the State Council's form (not the real 2027 arrangement).
        let text = "国务院办公厅关于2027年部分节假日安排的通知\n一、元旦：1月1日（周五）至3日（周日）放假，共3天。\n二、春节：2月5日（除夕、周五）至11日（正月初六、周四）放假调休，共7天。2月14日（周日）上班。";
        let before = counts(&app).await;
        let (s, page) = me
            .submit(
                "/admin/calendar/import",
                &[("year", "2027"), ("text", text)],
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            page.contains("将录入以下 11 天"),
            "{}",
            html::excerpt(&page)
        );
        assert_eq!(
            counts(&app).await,
            before,
            "nothing written before confirmation"
        );
        let (s, loc) = me
            .submit(
                "/admin/calendar/import",
                &[("year", "2027"), ("text", text), ("confirm", "1")],
            )
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{loc}");
        assert_eq!(loc, "/admin/calendar?year=2027&notice=imported");
        let after = counts(&app).await;
        assert_eq!((after.0 - before.0, after.1 - before.1), (11, 11));
        let cal = calendar(&app).await;
        assert!(cal.has_data(2027));
        assert!(cal.is_workday(d("2027-02-14")), "调休上班");
        assert_eq!(deadline(&app, "2026-12-31", 1).await, d("2027-01-04"));
        // Something else is refused in Chinese and writes nothing.
        let (s, page) = me
            .submit(
                "/admin/calendar/import",
                &[("year", "2027"), ("text", "这不是放假通知")],
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("请粘贴通知全文"));
        assert_eq!(counts(&app).await, after);
    }
);
