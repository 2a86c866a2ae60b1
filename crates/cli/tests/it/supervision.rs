//! Supervision screens and the public accountability page over HTTP: figures come from what was
//! actually published, units see only themselves, and nothing internal reaches the public page.

use crate::support::users::pairs;
use crate::support::{PASSWORD, TestApp};
use gongkai_domain::role::Role;
use reqwest::StatusCode;

async fn import_seed_plan(app: &TestApp) -> i64 {
    let mut tx = app.db().begin().await.expect("begin");
    let done = gongkai_db::plans::import_builtin(&mut tx, &app.actor(), "panjin-2017")
        .await
        .expect("builtin plan");
    tx.commit().await.expect("commit");
    done.plan_id
}

/// Imports the seed plan and makes it public on /zdgz, as the office would.
async fn public_seed_plan(app: &TestApp) -> i64 {
    let plan = import_seed_plan(app).await;
    let mut tx = app.db().begin().await.expect("begin");
    gongkai_db::public_plans::set_public(&mut tx, &app.actor(), plan, true)
        .await
        .expect("made public");
    tx.commit().await.expect("commit");
    plan
}

both_backends!(
    the_public_page_shows_plan_against_practice,
    |app| async move {
        let plan = public_seed_plan(&app).await;
        let mut on_time = app
            .item("市财政局", "czyjs", "2017年5月全市财政收支情况")
            .await;
        on_time.publish_date = "2017-06-12".into();
        let on_time = app.create_item(on_time).await;
        app.publish(on_time).await;
        let mut draft = app
            .item("市财政局", "czyjs", "2017年6月全市财政收支情况（未发布）")
            .await;
        draft.publish_date = "2017-07-10".into();
        app.create_item(draft).await;

        let page = app.get_ok(&format!("/zdgz/{plan}")).await;
        assert!(page.contains("公开预期引导信息"), "tasks are listed");
        assert!(
            page.contains("牵头：市财政局"),
            "responsible units are listed"
        );
        assert!(
            page.contains(&format!("/items/{on_time}")),
            "published evidence is linked"
        );
        assert!(
            !page.contains("未发布"),
            "a draft never counts and never shows"
        );
        assert!(
            page.contains("未完成"),
            "months without a publication show as missed"
        );
        assert!(
            app.get_ok("/zdgz")
                .await
                .contains(&format!("href=\"/zdgz/{plan}\"")),
            "/zdgz lists the public plan"
        );
        assert_eq!(
            app.get("/zdgz/999999").await.status(),
            StatusCode::NOT_FOUND
        );
    }
);

both_backends!(
    supervision_dashboard_links_figures_to_evidence,
    |app| async move {
        let plan = import_seed_plan(&app).await;
        let mut late = app
            .item("市财政局", "czyjs", "2017年5月全市财政收支情况")
            .await;
        late.publish_date = "2017-07-20".into();
        let late = app.create_item(late).await;
        app.publish(late).await;

        app.login_admin().await;
        let board = app
            .get_ok(&format!("/admin/supervision?plan={plan}&as_of=2017-12-31"))
            .await;
        assert!(board.contains("按时公开率") && board.contains("<svg"));
        assert!(board.contains("逾期完成"));
        let periods = app
            .get_ok(&format!(
                "/admin/supervision/periods?plan={plan}&as_of=2017-12-31&status=met_late"
            ))
            .await;
        assert!(
            periods.contains(&format!("/items/{late}")),
            "the late period links to its evidence"
        );
        assert!(periods.contains("逾期"), "with its explanation");
        let bad = app
            .get_ok(&format!("/admin/supervision?plan={plan}&as_of=not-a-date"))
            .await;
        assert!(bad.contains("核查日期格式应为"));

        // A unit sees its own figures only; editors of other units do not appear.
        let stats = app.org_id("市统计局").await;
        app.create_user("tongji", Role::Editor, Some(stats)).await;
        let unit = app.new_client();
        app.login_as(&unit, "tongji", PASSWORD).await;
        let own = unit
            .get(app.url(&format!(
                "/admin/supervision/periods?plan={plan}&as_of=2017-12-31"
            )))
            .send()
            .await
            .expect("get")
            .text()
            .await
            .expect("text");
        assert!(own.contains("市统计局"));
        assert!(
            !own.contains("市财政局"),
            "another unit's periods are not shown to a unit"
        );
    }
);

both_backends!(
    dashboard_shows_late_feedback_and_the_heat_map,
    |app| async move {
        let plan = import_seed_plan(&app).await;
        gongkai_db::seed_scenario::load(app.db())
            .await
            .expect("scenario");
        app.login_admin().await;
        let board = app
            .get_ok(&format!("/admin/supervision?plan={plan}&as_of=2017-12-31"))
            .await;
        assert!(board.contains("反馈与报送情况"));
        assert!(
            board.contains("2017-07-06提交，逾期4个工作日（截止日期2017-06-30）"),
            "市统计局's late feedback is listed with its explanation"
        );
        assert!(board.contains("已过截止日期仍未反馈"));
        assert!(board.contains("2017年各单位公开期次日历"));
        assert!(
            board.contains("市财政局 8月：逾期完成1"),
            "the August cell of 市财政局 says its period was met late"
        );
        assert!(
            board.contains("class=\"h-missed\""),
            "a missed quarter is marked"
        );
    }
);

both_backends!(the_plan_tree_counts_every_node, |app| async move {
    let plan = import_seed_plan(&app).await;
    gongkai_db::seed_scenario::load(app.db())
        .await
        .expect("scenario");
    app.login_admin().await;
    let tree = app
        .get_ok(&format!(
            "/admin/supervision/tree?plan={plan}&as_of=2017-12-31"
        ))
        .await;
    assert!(tree.contains("计划落实情况树"));
    assert!(tree.contains("一、重点公开工作任务"), "sections are shown");
    assert!(tree.contains("1. 公开预期引导信息"), "tasks are shown");
    let fiscal = app.org_id("市财政局").await;
    let task1: i64 =
        sqlx::query_scalar("SELECT id FROM plan_tasks WHERE plan_id = $1 AND number = 1")
            .bind(plan)
            .fetch_one(&mut *app.conn().await)
            .await
            .unwrap();
    assert!(
        tree.contains(&format!("task={task1}&amp;org={fiscal}"))
            || tree.contains(&format!("task={task1}&org={fiscal}")),
        "a unit links to its periods of the task"
    );
    assert!(
        tree.contains("逾期完成 1"),
        "市财政局's late August report is counted"
    );

    // A unit sees its own rows only.
    let stats = app.org_id("市统计局").await;
    app.create_user("tj", gongkai_domain::role::Role::Editor, Some(stats))
        .await;
    let unit = app.new_client();
    app.login_as(&unit, "tj", PASSWORD).await;
    let own = unit
        .get(app.url(&format!(
            "/admin/supervision/tree?plan={plan}&as_of=2017-12-31"
        )))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(own.contains("市统计局"));
    assert!(!own.contains("市财政局"), "another unit is not shown");
});

both_backends!(
    the_office_decides_which_plans_are_public,
    |app| async move {
        let plan = import_seed_plan(&app).await;
        let link = format!("href=\"/zdgz/{plan}\"");
        let visitor = app.visitor();
        let sitemap_entry = format!("/zdgz/{plan}</loc>");

        // A confirmed plan is not public: not listed, not found, not in the sitemap.
        let list = visitor.get_ok("/zdgz").await;
        assert!(
            !list.contains(&link),
            "a plan that is not public is not listed"
        );
        assert!(list.contains("暂无公开的工作安排"), "the empty state");
        assert_eq!(
            visitor.get(&format!("/zdgz/{plan}")).await.status(),
            StatusCode::NOT_FOUND
        );
        assert!(
            !visitor
                .get_ok("/sitemap.xml")
                .await
                .contains(&sitemap_entry)
        );
        for page in ["/", "/xxgk"] {
            let body = visitor.get_ok(page).await;
            assert!(body.contains("href=\"/zdgz\""), "{page} links to /zdgz");
            assert!(
                !body.contains(&link),
                "{page} does not link a plan that is not public"
            );
        }

        // Only the supervising office decides; a refused request changes nothing.
        let publish = [("public", "1".to_string())];
        let path = format!("/admin/plans/{plan}/public");
        app.create_user("pinggu", gongkai_domain::role::Role::Assessor, None)
            .await;
        let assessor = app.user("pinggu", PASSWORD).await;
        let audit_before = app.audit_count().await;
        assert_eq!(
            assessor.post(&path, &pairs(&publish)).await.status(),
            StatusCode::FORBIDDEN
        );
        let admin = app.admin().await;
        let resp = admin.post_without_csrf(&path, &pairs(&publish)).await;
        assert_ne!(
            resp.status(),
            StatusCode::SEE_OTHER,
            "no CSRF token: refused"
        );
        assert_eq!(app.audit_count().await, audit_before, "nothing written");
        assert_eq!(
            visitor.get(&format!("/zdgz/{plan}")).await.status(),
            StatusCode::NOT_FOUND
        );

        // The office publishes it: listed under its year, linked from /, /xxgk and the sitemap.
        let plan_page = admin.get_ok(&format!("/admin/plans/{plan}")).await;
        assert!(plan_page.contains("在公开页面发布"));
        let (status, location) = admin.submit(&path, &pairs(&publish)).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(location.contains("notice=plan_public"), "{location}");
        assert_eq!(app.audit_count().await, audit_before + 1, "audited");
        let list = visitor.get_ok("/zdgz").await;
        let year = list.find("2017年").expect("the plan's year");
        let at = list.find(&link).expect("the plan is listed");
        assert!(year < at, "listed under its year");
        assert!(!list.contains("暂无公开的工作安排"));
        visitor.get_ok(&format!("/zdgz/{plan}")).await;
        for page in ["/", "/xxgk"] {
            assert!(
                visitor.get_ok(page).await.contains(&link),
                "{page} links the plan"
            );
        }
        assert!(
            visitor
                .get_ok("/sitemap.xml")
                .await
                .contains(&sitemap_entry)
        );
        assert!(
            admin
                .get_ok(&format!("/admin/plans/{plan}"))
                .await
                .contains("取消公开")
        );

        // And withdraws it: gone again.
        let (status, _) = admin
            .submit(&path, &pairs(&[("public", "0".to_string())]))
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(
            visitor.get(&format!("/zdgz/{plan}")).await.status(),
            StatusCode::NOT_FOUND
        );
        assert!(
            !visitor
                .get_ok("/sitemap.xml")
                .await
                .contains(&sitemap_entry)
        );
    }
);
