//! The content guard (内容安全检查) over HTTP: publishing is refused while the title, summary or
//! body holds personal information, until it is masked or overridden with a recorded reason; the
//! scan of published content lists what slipped through.

use crate::support::{PASSWORD, TestApp, outcome};
use gongkai_db::items;
use gongkai_domain::role::Role;
use reqwest::StatusCode;

/// A valid resident ID number (GB 11643 check character 3) and the same with a wrong check digit.
const VALID_ID: &str = "211102198001011233";
const INVALID_ID: &str = "211102198001011234";

async fn status_of(app: &TestApp, id: i64) -> String {
    items::get(&mut *app.conn().await, id)
        .await
        .expect("item")
        .status
}

both_backends!(
    an_id_number_blocks_publishing_until_masked,
    |app| async move {
        app.login_admin().await;
        let me = app.signed_in(app.client());
        let body = format!(
            "申请人王某，身份证号{VALID_ID}，现住盘锦市。\n\n另一号码{INVALID_ID}校验位不对。"
        );
        // 保存并发布 in the editor: the draft is saved, publishing refused.
        let form = me
            .multipart()
            .await
            .text("title", "关于王某政府信息公开申请的答复")
            .text("org_id", app.org_id("市财政局").await.to_string())
            .text("column_ids", app.column_id("tzgg").await.to_string())
            .text("body_format", "markdown")
            .text("body", body)
            .text("disclosure", "proactive")
            .text("action", "publish");
        let resp = me.post_multipart("/admin/items", form).await;
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        let location = resp.headers()["location"]
            .to_str()
            .expect("location")
            .to_string();
        assert!(location.ends_with("notice=guard_blocked"), "{location}");
        let id: i64 = location
            .trim_start_matches("/admin/items/")
            .split('/')
            .next()
            .and_then(|s| s.parse().ok())
            .expect("item id");
        assert_eq!(status_of(&app, id).await, "draft");

        // The direct publish is refused with the hit in context; the invalid number is no hit.
        let edit = format!("/admin/items/{id}/edit");
        let page = app.get_ok(&edit).await;
        assert!(page.contains("发现 1 处个人信息或错误"), "one hit only");
        let (status, page) = me.submit(&format!("/admin/items/{id}/publish"), &[]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("内容安全检查发现1处个人信息或错误，未发布"));
        assert!(page.contains("正文第11字处发现身份证号：211102********1233"));
        assert!(page.contains(&format!("身份证号<mark>{VALID_ID}</mark>，现住盘锦市")));
        assert_eq!(status_of(&app, id).await, "draft");

        // 一键脱敏 saves a new version through the audited update path.
        let version = crate::support::html::hidden_input(&page, "version").expect("version");
        let updates_before = app.count("audit_log").await;
        let (status, location) = me
            .submit(
                &format!("/admin/items/{id}/guard/mask"),
                &[("version", &version)],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
        assert!(location.ends_with("notice=masked"));
        assert_eq!(app.count("audit_log").await, updates_before + 1);
        let item = items::get(&mut *app.conn().await, id).await.expect("item");
        assert!(item.body_source.contains("身份证号211102********1233"));
        assert!(
            item.body_source.contains(INVALID_ID),
            "not a hit, not masked"
        );
        assert_eq!(item.version, version.parse::<i64>().expect("int") + 1);

        let (status, location) = me
            .submit(
                &format!("/admin/items/{id}/publish"),
                &[("reason", "脱敏后直接发布（先发后审）")],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
        assert_eq!(status_of(&app, id).await, "published");
        let public = app.get_ok(&format!("/items/{id}")).await;
        assert!(public.contains("211102********1233"));
        assert!(!public.contains(VALID_ID));
    }
);

both_backends!(
    an_override_needs_a_reason_which_is_audited,
    |app| async move {
        app.login_admin().await;
        let mut f = app.item("市民政局", "tzgg", "值班安排").await;
        f.body = "节日期间值班电话：13812345678，卡号6217 0001 2345 6788。".into();
        let id = app.create_item(f).await;
        let me = app.signed_in(app.client());
        let path = format!("/admin/items/{id}/publish");

        // Two reasons release nothing: each hit is released on its own, by a reviewer who did
        // not write the item (an author's own release is refused: see workflow.rs).
        let (status, page) = me
            .submit(
                &path,
                &[
                    ("guard_override", "1"),
                    ("override_reason", "值班电话需公开"),
                    ("reason", "节日值班安排须当日公开"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("请勾选要放行的内容"));
        assert_eq!(status_of(&app, id).await, "draft");

        // A reviewer of the unit who did not write it releases, with a reason.
        let org = app.org_id("市民政局").await;
        app.create_user("gd_rev", Role::Reviewer, Some(org)).await;
        let rev = app.user("gd_rev", PASSWORD).await;
        let keys =
            crate::workflow::release_keys(&rev.get_ok(&format!("/admin/items/{id}/edit")).await);
        assert_eq!(keys.len(), 2, "{keys:?}");
        let release = format!("/admin/items/{id}/guard/release");
        let mut form: Vec<(&str, &str)> =
            keys.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        form.push(("override_reason", "  "));
        let (status, page) = rev.submit(&release, &form).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("放行须填写理由"));
        form.pop();
        form.push(("override_reason", "值班电话需向公众公开"));

        // Without the CSRF token nothing happens either.
        let (status, _) = outcome(rev.post_without_csrf(&release, &form).await).await;
        assert_ne!(status, StatusCode::SEE_OTHER);
        let (status, _) = me
            .submit(&path, &[("reason", "节日值班安排须当日公开")])
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "not released yet");

        let (status, location) = rev.submit(&release, &form).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
        let (status, location) = me
            .submit(&path, &[("reason", "节日值班安排须当日公开")])
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
        assert_eq!(status_of(&app, id).await, "published");
        let after: String = sqlx::query_scalar(
            "SELECT after_json FROM audit_log WHERE action = 'item.publish' AND entity_id = $1",
        )
        .bind(id.to_string())
        .fetch_one(&mut *app.conn().await)
        .await
        .expect("publish audit entry");
        let after: serde_json::Value = serde_json::from_str(&after).expect("json");
        let g = &after["guard_override"];
        assert_eq!(g["reason"], "值班电话需向公众公开");
        let kinds: Vec<&str> = g["hits"]
            .as_array()
            .expect("hits")
            .iter()
            .map(|h| h["kind"].as_str().expect("kind"))
            .collect();
        assert_eq!(kinds, ["mobile", "bank_card"]);
        assert_eq!(g["hits"][0]["masked"], "138****5678");
    }
);

both_backends!(the_scan_of_published_content_lists_hits, |app| async move {
    // Published before the guard existed (straight through the db layer).
    let mut f = app.item("市财政局", "tzgg", "联系方式公告").await;
    f.body = "咨询电话13912345678，地址盘锦市兴隆台区。".into();
    let with_phone = app.create_item(f).await;
    app.publish(with_phone).await;
    let clean = app
        .create_item(app.item("市财政局", "tzgg", "干净的公告").await)
        .await;
    app.publish(clean).await;

    app.login_admin().await;
    let page = app.get_ok("/admin/guard").await;
    assert!(page.contains(&format!("/admin/items/{with_phone}/edit")));
    assert!(page.contains("联系方式公告"));
    assert!(page.contains("手机号"));
    assert!(page.contains("<mark>13912345678</mark>"));
    assert!(!page.contains("干净的公告"));

    // An editor of a unit does not run the site-wide scan.
    let org = app.org_id("市财政局").await;
    app.create_user("bianji", Role::Editor, Some(org)).await;
    let editor = app.new_client();
    app.login_as(&editor, "bianji", PASSWORD).await;
    let resp = editor
        .get(app.url("/admin/guard"))
        .send()
        .await
        .expect("GET /admin/guard");
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
});

both_backends!(
    the_lists_are_configurable_and_bad_lines_change_nothing,
    |app| async move {
        app.login_admin().await;
        let me = app.signed_in(app.client());
        let audit_before = app.audit_count().await;
        let (status, page) = me
            .submit(
                "/admin/guard/lists",
                &[
                    ("sensitive_words", "试点名单"),
                    ("known_errors", "盘锦市政府办公厅"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("严重错误第1行应写作“错误写法 =&gt; 正确写法”"));
        assert_eq!(app.audit_count().await, audit_before);

        let (status, location) = me
            .submit(
                "/admin/guard/lists",
                &[
                    ("sensitive_words", "试点名单"),
                    ("known_errors", "盘锦市政府办公厅 => 盘锦市人民政府办公室"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
        assert_eq!(app.audit_count().await, audit_before + 2);

        let mut f = app.item("市民政局", "tzgg", "试点通知").await;
        f.body = "经盘锦市政府办公厅同意，公布试点名单。".into();
        let id = app.create_item(f).await;
        let page = app.get_ok(&format!("/admin/items/{id}/edit")).await;
        assert!(page.contains("发现 2 处个人信息或错误"));
        assert!(page.contains("盘锦市人民政府办公室"), "the correction");
        let version = crate::support::html::hidden_input(&page, "version").expect("version");
        let (status, _) = me
            .submit(
                &format!("/admin/items/{id}/guard/mask"),
                &[("version", &version)],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let item = items::get(&mut *app.conn().await, id).await.expect("item");
        assert_eq!(item.body_source, "经盘锦市人民政府办公室同意，公布****。");
    }
);

both_backends!(api_publish_is_refused_with_hits, |app| async move {
    let org = app.org_id("市财政局").await;
    let user = app.create_user("api_editor", Role::Editor, Some(org)).await;
    let api = app.api_user(user).await;
    let mut f = app.item("市财政局", "tzgg", "接口发布").await;
    f.body = "联系邮箱 zhangsan@example.com".into();
    let id = app.create_item(f).await;
    let resp = api
        .request(
            reqwest::Method::POST,
            &format!("/api/v1/items/{id}/publish"),
        )
        .send()
        .await
        .expect("POST publish");
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = resp.text().await.expect("body");
    assert!(body.contains("invalid_input"), "{body}");
    assert!(body.contains("z***@example.com"), "{body}");
    assert_eq!(status_of(&app, id).await, "draft");
});
