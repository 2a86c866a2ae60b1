//! Editing plans without JSON: a draft import corrected form by form (refusals change nothing,
//! only the supervising office may, every form needs its CSRF token), unit decisions remembered as
//! aliases, a confirmed plan revised in place with its revision list, archiving, and a reviewer doing it
//! all in a real browser.

use crate::browser::Browser;
use crate::support::users::User;
use crate::support::{Backend, PASSWORD, TestApp, html};
use fantoccini::Locator;
use gongkai_db::plans;
use gongkai_domain::orgmatch::Resolution;
use gongkai_domain::role::Role;
use reqwest::StatusCode;
use reqwest::multipart::Part;

const SEED: &[u8] = include_bytes!("../../../domain/testdata/plan/seed_panjin_2017.txt");

async fn upload_seed(me: &User) -> i64 {
    let form = me.multipart().await.part(
        "file",
        Part::bytes(SEED.to_vec()).file_name("盘锦市2017年政务公开工作安排.txt"),
    );
    let resp = me.post_multipart("/admin/plans/import", form).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    resp.headers()["location"]
        .to_str()
        .expect("location")
        .rsplit('/')
        .next()
        .and_then(|s| s.parse().ok())
        .expect("import id")
}

async fn stored(app: &TestApp, id: i64) -> gongkai_domain::plan::Plan {
    plans::get_import(&mut *app.conn().await, id)
        .await
        .expect("import")
        .plan
}

fn edits(id: i64) -> String {
    format!("/admin/plans/imports/{id}/edits")
}

both_backends!(a_draft_import_is_corrected_without_json, |app| async move {
    let me = app.admin().await;
    let id = upload_seed(&me).await;
    let url = edits(id);
    let page = me
        .get_ok(&format!("/admin/plans/imports/{id}/tasks/5"))
        .await;
    assert!(page.contains("市政府相关部门") && page.contains("集合单位"));

    // Refused edits: a date that does not exist, a deletion not confirmed, a season on a monthly
    // cadence. Each answers with a Chinese message and changes nothing, not even the audit log.
    let before = (stored(&app, id).await, app.audit_count().await);
    for (form, expected) in [
        (
            vec![
                ("op", "feedback_add"),
                ("task", "0"),
                ("duty", "0"),
                ("date", "2018-02-30"),
            ],
            "反馈日期\u{201C}2018-02-30\u{201D}不存在\u{FF1A}2018年2月没有30日",
        ),
        (
            vec![
                ("op", "deadline_add"),
                ("task", "0"),
                ("duty", "0"),
                ("text", "年底前"),
                ("date", "2021-12-31"),
            ],
            "时限日期应在工作安排年度\u{FF08}2017年\u{FF09}或前后一年内",
        ),
        (
            vec![("op", "task_delete"), ("task", "27")],
            "请勾选\u{201C}确认删除\u{201D}",
        ),
        (
            vec![
                ("op", "cadence"),
                ("task", "0"),
                ("duty", "1"),
                ("cadence", "0"),
                ("kind", "monthly"),
                ("season_from", "10"),
                ("season_to", "3"),
                ("due", "default"),
            ],
            "只有\u{201C}每N天\u{201D}可以设置季节",
        ),
        (
            vec![
                ("op", "unchecked"),
                ("task", "0"),
                ("duty", "3"),
                ("reason", " "),
            ],
            "请填写不能自动核查的理由",
        ),
    ] {
        let (status, body) = me.submit(&url, &form).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{form:?}");
        assert!(
            body.contains(expected),
            "{form:?}: {}",
            html::excerpt(&body)
        );
    }
    assert_eq!((stored(&app, id).await, app.audit_count().await), before);

    // Without its CSRF token, and by a department's editor: refused, nothing changes.
    let form = [("op", "task_delete"), ("task", "27"), ("confirm", "1")];
    let resp = me.post_without_csrf(&url, &form).await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let finance = app.org_id("市财政局").await;
    app.create_user("bianji", Role::Editor, Some(finance)).await;
    let editor = app.user("bianji", PASSWORD).await;
    assert_eq!(
        editor.post(&url, &form).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        editor
            .get(&format!("/admin/plans/imports/{id}/tasks/0"))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(stored(&app, id).await, before.0);

    // Accepted edits, each one audited.
    let audit = app.audit_count().await;
    for form in [
        vec![("op", "task_delete"), ("task", "27"), ("confirm", "1")],
        vec![
            ("op", "unit_remove"),
            ("task", "5"),
            ("duty", "0"),
            ("name", "市政府相关部门"),
        ],
        vec![
            ("op", "unit_set"),
            ("task", "5"),
            ("duty", "0"),
            ("name", "市发展改革委"),
            ("role", "responsible"),
        ],
        vec![
            ("op", "unit_set"),
            ("task", "5"),
            ("duty", "0"),
            ("name", "市商务局"),
            ("role", "responsible"),
        ],
        vec![
            ("op", "unit_set"),
            ("task", "1"),
            ("duty", "1"),
            ("name", "市物价局"),
            ("role", "lead"),
        ],
        vec![
            ("op", "unit_set"),
            ("task", "1"),
            ("duty", "1"),
            ("name", "x"),
            ("name_text", "市网络安全和信息化办公室"),
            ("role", "responsible"),
        ],
        vec![
            ("op", "cadence"),
            ("task", "7"),
            ("duty", "0"),
            ("cadence", "1"),
            ("kind", "every_n_days"),
            ("n", "5"),
            ("season_from", "10"),
            ("season_to", "3"),
            ("units", "市农委"),
            ("due", "default"),
        ],
        vec![
            ("op", "cadence"),
            ("task", "0"),
            ("duty", "1"),
            ("cadence", "0"),
            ("kind", "monthly"),
            ("due", "day_of_next_month"),
            ("due_n", "15"),
            ("keywords", "财政收支"),
        ],
        vec![
            ("op", "cadence"),
            ("task", "0"),
            ("duty", "3"),
            ("cadence", ""),
            ("kind", "once_by"),
            ("date", "2017-11-30"),
            ("due", "default"),
        ],
        vec![
            ("op", "unchecked"),
            ("task", "3"),
            ("duty", "0"),
            ("reason", "线下工作\u{FF0C}无公开载体"),
        ],
        vec![
            ("op", "feedback_add"),
            ("task", "0"),
            ("duty", "0"),
            ("date", "2017-12-29"),
        ],
        vec![
            ("op", "deadline_add"),
            ("task", "0"),
            ("duty", "0"),
            ("text", "11月底前"),
            ("date", "2017-11-30"),
        ],
        vec![
            ("op", "task_split"),
            ("task", "0"),
            ("after_duty", "2"),
            ("title", "公开审计信息"),
        ],
        vec![("op", "task_merge"), ("task", "1")],
        vec![
            ("op", "task"),
            ("task", "0"),
            ("number", "1"),
            ("title", "公开预期引导和政策解读信息"),
        ],
    ] {
        let (status, location) = me.submit(&url, &form).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{form:?}: {location}");
        assert!(location.contains("notice=saved"), "{location}");
    }
    assert_eq!(app.audit_count().await, audit + 15);
    let p = stored(&app, id).await;
    assert_eq!(
        p.tasks.len(),
        27,
        "task 28 deleted; a split and a merge cancel out"
    );
    assert_eq!(p.tasks[0].title, "公开预期引导和政策解读信息");
    assert_eq!(p.tasks[0].duties.len(), 4);
    let d = &p.tasks[5].duties[0];
    assert_eq!(d.responsible, ["市发展改革委", "市商务局"]);
    let d = &p.tasks[1].duties[1];
    assert_eq!(
        (d.lead.as_slice(), d.co.is_empty()),
        (&["市财政局".to_string(), "市物价局".to_string()][..], true)
    );
    let c = &p.tasks[7].duties[0].cadences[1];
    assert_eq!(
        (c.norm.as_str(), c.units.as_slice()),
        ("every_5_days@10-01..03-31", &["市农委".to_string()][..])
    );
    let c = &p.tasks[0].duties[1].cadences[0];
    assert_eq!(
        (c.due.as_deref(), c.keywords.as_slice()),
        (Some("day_of_next_month:15"), &["财政收支".to_string()][..])
    );
    assert_eq!(p.tasks[0].duties[3].cadences[0].norm, "once_by_2017-11-30");
    assert_eq!(
        p.tasks[3].duties[0].unchecked_reason.as_deref(),
        Some("线下工作\u{FF0C}无公开载体")
    );
    assert!(
        p.tasks[0].duties[0]
            .feedback_dates
            .contains(&"2017-12-29".to_string())
    );

    // The unit picker searches organisations on the server (names and aliases).
    let found = me
        .get_ok(&format!(
            "/admin/plans/imports/{id}/tasks/5?duty=0&q=%E5%95%86%E5%8A%A1"
        ))
        .await;
    assert!(
        found.contains("找到 1 个机构") && found.contains("<option value=\"市商务局\">"),
        "{}",
        html::excerpt(&found)
    );

    // Confirming: a name mapped to exactly one organisation is remembered as its alias (audited);
    // a name mapped to two is not.
    let review = me.get_ok(&format!("/admin/plans/imports/{id}")).await;
    let seen = html::hidden_input(&review, "lint_seen").expect("lint keys");
    let index_of = |name: &str| {
        review
            .split("name=\"unit_name.")
            .skip(1)
            .find(|chunk| chunk.contains(&format!("value=\"{name}\"")))
            .and_then(|chunk| chunk.split('"').next())
            .unwrap_or_else(|| panic!("unit field for {name}"))
            .to_string()
    };
    let (typo, new_name) = (index_of("市国地税局"), index_of("市网络安全和信息化办公室"));
    let general_office = app.org_id("市政府办公室").await;
    let form = me
        .multipart()
        .await
        .text(format!("unit_name.{typo}"), "市国地税局")
        .text(
            format!("unit.{typo}"),
            app.org_id("市国税局").await.to_string(),
        )
        .text(
            format!("unit.{typo}"),
            app.org_id("市地税局").await.to_string(),
        )
        .text(format!("unit_name.{new_name}"), "市网络安全和信息化办公室")
        .text(format!("unit.{new_name}"), general_office.to_string())
        .text("lint_override", "1")
        .text("lint_seen", seen)
        .text("override_reason", "任务23至27按原文保留");
    // Collectives that still must report are mapped explicitly (never expanded silently).
    let mut form = form;
    for name in ["市政府相关部门", "各县区政府", "市政府各部门"] {
        let field = review
            .split("name=\"unit_name.")
            .skip(1)
            .find(|chunk| chunk.contains(&format!("value=\"{name}\"")))
            .and_then(|chunk| chunk.split('"').next())
            .map(str::to_string);
        if let Some(i) = field {
            form = form
                .text(format!("unit_name.{i}"), name)
                .text(format!("unit.{i}"), general_office.to_string());
        }
    }
    let (status, location) = me
        .submit_multipart(&format!("/admin/plans/imports/{id}/confirm"), form)
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    let mut conn = app.conn().await;
    let registry = gongkai_db::orgs::registry(&mut conn).await.unwrap();
    assert!(matches!(
        registry.resolve("市网络安全和信息化办公室"),
        Resolution::Matched { org_id, .. } if org_id == general_office
    ));
    assert!(
        gongkai_db::orgs::find_by_name(&mut conn, "市国地税局")
            .await
            .unwrap()
            .is_none()
    );
    drop(conn);
    let plan_id = plans::get_import(&mut *app.conn().await, id)
        .await
        .unwrap()
        .plan_id
        .expect("plan");
    let tree = plans::plan_tree(&mut *app.conn().await, plan_id)
        .await
        .unwrap();
    assert_eq!(tree.tasks.len(), 27);
    let names: Vec<&str> = tree.tasks[5].duties[0]
        .units
        .iter()
        .map(|u| u.name_as_written.as_str())
        .collect();
    assert!(
        names.contains(&"市商务局") && !names.contains(&"市政府相关部门"),
        "{names:?}"
    );
    // A confirmed import cannot be edited any more.
    let (status, body) = me
        .submit(
            &url,
            &[("op", "task_delete"), ("task", "0"), ("confirm", "1")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("不能再修改"));
});

both_backends!(
    a_confirmed_plan_is_revised_in_place_and_archived,
    |app| async move {
        let mut tx = app.db().begin().await.unwrap();
        let plan_id = plans::import_builtin(&mut tx, &app.actor(), "panjin-2017")
            .await
            .unwrap()
            .plan_id;
        tx.commit().await.unwrap();
        let me = app.admin().await;
        let tree = plans::plan_tree(&mut *app.conn().await, plan_id)
            .await
            .unwrap();
        let duty = &tree.tasks[0].duties[1];
        let ob = duty
            .obligations
            .first()
            .expect("the monthly fiscal obligation");
        let (ob_id, duty_id, org) = (ob.id, duty.id, ob.org_id.to_string());
        let column = app.column_id("czyjs").await.to_string();
        let page = me
            .get_ok(&format!("/admin/plans/{plan_id}/duties/{duty_id}"))
            .await;
        assert!(page.contains("公开义务（") && page.contains("新增公开义务"));
        let url = format!("/admin/plans/{plan_id}/obligations/{ob_id}");

        // A refused revision changes nothing.
        let before = (app.count("plan_revisions").await, app.audit_count().await);
        let (status, body) = me
            .submit(
                &url,
                &[
                    ("org_id", &org),
                    ("kind", "monthly"),
                    ("due", "day_of_next_month"),
                    ("due_n", "40"),
                    ("column_id", &column),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            body.contains("N 应为 1 到 31 之间的整数"),
            "{}",
            html::excerpt(&body)
        );
        assert_eq!(
            (app.count("plan_revisions").await, app.audit_count().await),
            before
        );
        let finance = app.org_id("市财政局").await;
        app.create_user("bianji", Role::Editor, Some(finance)).await;
        let editor = app.user("bianji", PASSWORD).await;
        let form = [
            ("org_id", org.as_str()),
            ("kind", "monthly"),
            ("due", "default"),
        ];
        assert_eq!(
            editor.post(&url, &form).await.status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            me.post_without_csrf(&url, &form).await.status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(app.count("plan_revisions").await, before.0);

        // Revisions: due rule and column of an obligation, one added, one removed, a task's title.
        let (status, _) = me
            .submit(
                &url,
                &[
                    ("org_id", &org),
                    ("text", "按月"),
                    ("kind", "monthly"),
                    ("due", "day_of_next_month"),
                    ("due_n", "15"),
                    (
                        "keywords",
                        "\u{8D22}\u{653F}\u{6536}\u{652F}\u{3001}\u{9884}\u{7B97}",
                    ),
                    ("column_id", &column),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let stats = app.org_id("市统计局").await.to_string();
        let (status, _) = me
            .submit(
                &format!("/admin/plans/{plan_id}/duties/{duty_id}/obligations"),
                &[
                    ("org_id", &stats),
                    ("kind", "quarterly"),
                    ("due", "working_days_after_end"),
                    ("due_n", "10"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let tree = plans::plan_tree(&mut *app.conn().await, plan_id)
            .await
            .unwrap();
        let obs = &tree.tasks[0].duties[1].obligations;
        let revised = obs.iter().find(|o| o.id == ob_id).unwrap();
        assert_eq!(
            (revised.due_rule.as_deref(), revised.column_id),
            (Some("day_of_next_month:15"), Some(column.parse().unwrap()))
        );
        assert_eq!(revised.keyword_list(), ["财政收支", "预算"]);
        let added = obs
            .iter()
            .find(|o| o.cadence == "quarterly")
            .expect("the added obligation");
        assert_eq!(added.due_rule.as_deref(), Some("working_days_after_end:10"));
        let (status, _) = me
            .submit(
                &format!("/admin/plans/{plan_id}/obligations/{}/delete", added.id),
                &[],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let task_id = tree.tasks[1].id;
        let (status, _) = me
            .submit(
                &format!("/admin/plans/{plan_id}/tasks/{task_id}/title"),
                &[("title", "公开减税降费信息")],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(app.count("plan_revisions").await, before.0 + 4);
        let view = me.get_ok(&format!("/admin/plans/{plan_id}")).await;
        assert!(
            view.contains("修订记录") && view.contains("第4次修订"),
            "{}",
            html::excerpt(&view)
        );
        assert!(
            view.contains("期限由\u{201C}期满后20个工作日内\u{201D}改为\u{201C}次月15日前\u{201D}"),
            "{}",
            html::excerpt(&view)
        );
        assert!(view.contains("任务2名称由"));
        // The compliance report follows: the revised obligation is now due on the 15th.
        let report = gongkai_db::compliance::report(
            &mut *app.conn().await,
            plan_id,
            chrono::NaiveDate::from_ymd_opt(2017, 12, 31).unwrap(),
        )
        .await
        .unwrap();
        let row = report
            .obligations
            .iter()
            .find(|o| o.id == ob_id)
            .expect("the revised obligation");
        assert_eq!(
            (row.due_rule.as_deref(), row.check.as_str()),
            (Some("day_of_next_month:15"), "checked")
        );
        let dues: Vec<String> = report
            .periods
            .iter()
            .filter(|p| p.obligation_id == ob_id)
            .map(|p| p.due.to_string())
            .collect();
        assert!(
            dues.contains(&"2017-06-15".to_string()),
            "the May period is due on 15 June: {dues:?}"
        );

        // Archived: out of the active list, still readable, not editable until restored.
        let (status, _) = me
            .submit(
                &format!("/admin/plans/{plan_id}/archive"),
                &[("archived", "1")],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let list = me.get_ok("/admin/plans").await;
        assert!(
            list.contains("已归档的工作计划") && list.contains("没有执行中的工作计划"),
            "{}",
            html::excerpt(&list)
        );
        assert!(
            me.get_ok(&format!("/admin/plans/{plan_id}"))
                .await
                .contains("已归档")
        );
        let (status, body) = me.submit(&url, &form).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("已归档"));
        let (status, _) = me
            .submit(
                &format!("/admin/plans/{plan_id}/archive"),
                &[("archived", "0")],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(app.count("plan_revisions").await, before.0 + 6);
    }
);

/// A reviewer corrects the import of the seed arrangement in a real browser, without JSON and
/// without JavaScript-only controls, then confirms it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reviewer_corrects_an_import_in_the_browser_without_json() {
    let app = TestApp::start(Backend::Sqlite).await;
    let b = Browser::start().await;
    b.login(&app).await;
    let seed = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../domain/testdata/plan/seed_panjin_2017.txt")
        .canonicalize()
        .expect("seed file")
        .display()
        .to_string();
    b.goto(&app.url("/admin/plans/import")).await;
    b.fill("#f-file", &seed).await;
    b.click("form[action='/admin/plans/import'] button[type=submit]")
        .await;
    let review = b.wait_for_url("/admin/plans/imports/").await;
    let id: i64 = review
        .rsplit('/')
        .next()
        .and_then(|s| s.split(['?', '#']).next())
        .and_then(|s| s.parse().ok())
        .expect("import id");

    // Delete task 28, from its button on the review page.
    b.click("a[href$='/tasks/27']").await;
    b.wait_for("#task-form-title").await;
    b.click("form.task-delete input[name=confirm]").await;
    b.click("form.task-delete button[type=submit]").await;
    b.wait_for_url("#tasks-title").await;

    // Task 6: replace the collective 市政府相关部门 by two units picked by search.
    let task6 = format!("/admin/plans/imports/{id}/tasks/5");
    b.goto(&app.url(&task6)).await;
    b.click("#duty-0 tr.unit-collective form.unit-remove button")
        .await;
    b.wait_for_url("notice=saved").await;
    for (query, name) in [("发展改革", "市发展改革委"), ("商务", "市商务局")] {
        b.fill("#d0-q", query).await;
        b.click("#duty-0 form.unit-search button[type=submit]")
            .await;
        b.wait_for_url("q=").await;
        b.click(&format!("#d0-pick option[value='{name}']")).await;
        b.click("#duty-0 form.unit-add button[type=submit]").await;
        b.wait_for_url("notice=saved").await;
    }

    // Task 8: the weekly cadence goes to 市农委 only; the 5-day one runs in 收购旺季 (October to
    // March).
    let task8 = app.url(&format!("/admin/plans/imports/{id}/tasks/7"));
    b.goto(&task8).await;
    b.click("#cadence-0-0 input[name=units][value='市农委']")
        .await;
    b.click("#cadence-0-0 button[type=submit]").await;
    b.wait_for_url("notice=saved").await;
    b.goto(&task8).await;
    b.click("#c0-1-sf option[value='10']").await;
    b.click("#c0-1-st option[value='3']").await;
    b.click("#cadence-0-1 button[type=submit]").await;
    b.wait_for_url("notice=saved").await;

    // Task 1: the monthly fiscal figures are due on the 15th of the next month, as 每月15日前 says.
    b.goto(&app.url(&format!("/admin/plans/imports/{id}/tasks/0")))
        .await;
    b.click("#c1-0-due option[value='day_of_next_month']").await;
    b.fill("#c1-0-due_n", "15").await;
    b.click("#cadence-1-0 button[type=submit]").await;
    b.wait_for_url("notice=saved").await;
    b.screenshot("plan-task-edit").await;

    // Confirm: the typo 市国地税局 gets its suggestion, the remaining findings are overridden.
    b.goto(&app.url(&format!("/admin/plans/imports/{id}")))
        .await;
    let select = b
        .client
        .find(Locator::XPath(
            "//tr[th[normalize-space()='市国地税局']]//select",
        ))
        .await
        .expect("the select for 市国地税局");
    select
        .find(Locator::Css("option"))
        .await
        .expect("a suggestion")
        .click()
        .await
        .expect("choose");
    // Collectives still named in other duties are mapped explicitly (never expanded silently).
    let options = b
        .client
        .find_all(Locator::XPath(
            "//tr[contains(@class, 'unit-collective')]//select/option[1]",
        ))
        .await
        .expect("collective options");
    for o in options {
        o.click().await.expect("choose");
    }
    b.click("input[name=lint_override]").await;
    b.fill("#f-override_reason", "任务23至27按原文保留").await;
    b.click("form[action$='/confirm'] button[type=submit]")
        .await;
    b.wait_for_url("notice=created").await;
    b.close().await;

    // The stored plan reflects each edit.
    let p = stored(&app, id).await;
    assert_eq!(p.tasks.len(), 27);
    assert!(p.tasks.iter().all(|t| t.number != 28));
    assert_eq!(
        p.tasks[5].duties[0].responsible,
        ["市发展改革委", "市商务局"]
    );
    let farm = &p.tasks[7].duties[0].cadences;
    assert_eq!(
        (farm[0].norm.as_str(), farm[0].units.as_slice()),
        ("weekly", &["市农委".to_string()][..])
    );
    assert_eq!(farm[1].norm, "every_5_days@10-01..03-31");
    assert_eq!(
        p.tasks[0].duties[1].cadences[0].due.as_deref(),
        Some("day_of_next_month:15")
    );
    let plan_id = plans::get_import(&mut *app.conn().await, id)
        .await
        .unwrap()
        .plan_id
        .expect("confirmed");
    let tree = plans::plan_tree(&mut *app.conn().await, plan_id)
        .await
        .unwrap();
    assert_eq!(tree.tasks.len(), 27);
    let units: Vec<(&str, Option<&str>)> = tree.tasks[5].duties[0]
        .units
        .iter()
        .map(|u| (u.name_as_written.as_str(), u.org_name.as_deref()))
        .collect();
    assert!(
        units.contains(&("市发展改革委", Some("市发展改革委")))
            && units.contains(&("市商务局", Some("市商务局"))),
        "{units:?}"
    );
    assert!(
        units.iter().all(|(n, _)| *n != "市政府相关部门"),
        "{units:?}"
    );
    assert!(
        tree.tasks[7].duties[0]
            .obligations
            .iter()
            .any(|o| o.cadence == "every_5_days@10-01..03-31")
    );
    app.teardown().await;
}
