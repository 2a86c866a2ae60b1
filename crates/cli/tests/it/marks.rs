//! Policy interpretations (政策解读) and validity marks: links both ways on the portal,
//! 谁起草、谁解读 in the editor, the repeal banner, late and missing interpretations on the
//! supervision page, and no attachment of a non-public item served to the public.

use crate::support::users::User;
use crate::support::{PASSWORD, TestApp};
use gongkai_db::{attachments, interpretations, items, settings};
use gongkai_domain::role::Role;
use reqwest::StatusCode;
use reqwest::multipart::Form;

/// A published 政策文件 of `org` with 发布日期 `date`.
async fn policy(app: &TestApp, org: &str, title: &str, date: &str) -> i64 {
    let mut f = app.item(org, "zcwj", title).await;
    f.publish_date = date.into();
    let id = app.create_item(f).await;
    app.publish(id).await;
    id
}

/// A published 政策解读 of `policy_id` by `org` with 发布日期 `date`.
async fn interpretation(app: &TestApp, org: &str, policy_id: i64, title: &str, date: &str) -> i64 {
    let mut f = app.item(org, "zcjd", title).await;
    f.publish_date = date.into();
    f.interprets_item_id = policy_id.to_string();
    let id = app.create_item(f).await;
    app.publish(id).await;
    id
}

/// The new-item form of an interpretation of `policy_id` by `org`, with `user`'s CSRF token; send
/// it to `/admin/items`.
async fn interpretation_form(
    app: &TestApp,
    user: &User,
    org: &str,
    policy_id: i64,
    override_drafter: bool,
) -> Form {
    let mut form = user
        .multipart()
        .await
        .text("title", "《关于支持创业创新的若干政策》解读")
        .text("org_id", app.org_id(org).await.to_string())
        .text("column_ids", app.column_id("zcjd").await.to_string())
        .text("body_format", "markdown")
        .text("body", "解读正文。")
        .text("disclosure", "proactive")
        .text("interprets_item_id", policy_id.to_string());
    if override_drafter {
        form = form.text("cross_org_interpretation", "1");
    }
    form
}

both_backends!(interpretation_links_both_ways, |app| async move {
    let p = policy(&app, "市财政局", "关于支持创业创新的若干政策", "2017-06-09").await;
    let i = interpretation(
        &app,
        "市财政局",
        p,
        "图解：支持创业创新的若干政策",
        "2017-06-12",
    )
    .await;
    // A draft interpretation is not listed on the policy page.
    let mut f = app.item("市财政局", "zcjd", "未发布的解读草稿").await;
    f.interprets_item_id = p.to_string();
    app.create_item(f).await;

    let policy_page = app.get_ok(&format!("/items/{p}")).await;
    assert!(
        policy_page.contains("政策解读"),
        "section on the policy page"
    );
    assert!(policy_page.contains(&format!("href=\"/items/{i}\"")));
    assert!(policy_page.contains("图解：支持创业创新的若干政策"));
    assert!(!policy_page.contains("未发布的解读草稿"));
    assert!(policy_page.contains("【此件公开发布】"));

    let interp_page = app.get_ok(&format!("/items/{i}")).await;
    assert!(interp_page.contains(&format!("href=\"/items/{p}\"")));
    assert!(interp_page.contains("的政策解读"));

    // Once the policy is withdrawn, the interpretation no longer links to it.
    app.unpublish(p).await;
    let interp_page = app.get_ok(&format!("/items/{i}")).await;
    assert!(!interp_page.contains(&format!("href=\"/items/{p}\"")));
});

both_backends!(
    another_organisations_interpretation_needs_the_override,
    |app| async move {
        let p = policy(&app, "市财政局", "关于支持创业创新的若干政策", "2017-06-09").await;
        let edu = app.org_id("市教育局").await;
        app.create_user("jiaoyu", Role::Editor, Some(edu)).await;
        let editor = app.user("jiaoyu", PASSWORD).await;
        // The editor's select offers the public policy, not another unit's 依申请公开 one.
        let mut f = app.item("市财政局", "zcwj", "依申请公开的内部政策").await;
        f.disclosure = "on_request".into();
        f.disclosure_reason = "内部管理信息".into();
        let hidden = app.create_item(f).await;
        app.publish(hidden).await;
        let form = editor
            .get("/admin/items/new")
            .await
            .text()
            .await
            .unwrap_or_default();
        assert!(
            form.contains(&format!("<option value=\"{p}\"")),
            "policy offered"
        );
        assert!(!form.contains("依申请公开的内部政策"));
        let before = app.count("items").await;
        let audits = app.audit_count().await;

        let (status, body) = editor
            .submit_multipart(
                "/admin/items",
                interpretation_form(&app, &editor, "市教育局", p, false).await,
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.contains("谁起草、谁解读"), "{body}");
        // An editor cannot tick the override.
        let (status, body) = editor
            .submit_multipart(
                "/admin/items",
                interpretation_form(&app, &editor, "市教育局", p, true).await,
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            body.contains("只有政务公开办（监管）或系统管理员可以确认跨机构解读"),
            "{body}"
        );
        assert_eq!(app.count("items").await, before, "nothing saved");
        assert_eq!(app.audit_count().await, audits, "nothing audited");

        // The drafting organisation may; a system administrator may override on purpose.
        let fin = app.org_id("市财政局").await;
        app.create_user("caizheng", Role::Editor, Some(fin)).await;
        let own = app.user("caizheng", PASSWORD).await;
        let (status, location) = own
            .submit_multipart(
                "/admin/items",
                interpretation_form(&app, &own, "市财政局", p, false).await,
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
        let admin = app.admin().await;
        let (status, location) = admin
            .submit_multipart(
                "/admin/items",
                interpretation_form(&app, &admin, "市教育局", p, false).await,
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{location}");
        let (status, location) = admin
            .submit_multipart(
                "/admin/items",
                interpretation_form(&app, &admin, "市教育局", p, true).await,
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
        let id: i64 = location
            .trim_start_matches("/admin/items/")
            .split('/')
            .next()
            .and_then(|s| s.parse().ok())
            .expect("new item id");
        let stored = items::get(&mut *app.conn().await, id).await.expect("item");
        assert_eq!(stored.interprets_item_id, Some(p));
        assert_eq!(app.count("items").await, before + 2);
        // Later edits of the approved interpretation need no new override.
        let mut f = app
            .item(
                "市教育局",
                "zcjd",
                "《关于支持创业创新的若干政策》解读（修订）",
            )
            .await;
        f.interprets_item_id = p.to_string();
        let input = f.validate().expect("valid");
        let mut tx = app.db().begin().await.expect("begin");
        items::update(&mut tx, &app.actor(), id, stored.version, &input)
            .await
            .expect("edit keeps the approved link");
        tx.commit().await.expect("commit");
    }
);

both_backends!(
    a_repealed_document_shows_the_banner_and_its_replacement,
    |app| async move {
        let old = policy(&app, "市政府办公室", "盘锦市政务公开工作规定", "2016-05-10").await;
        let new = policy(
            &app,
            "市政府办公室",
            "盘锦市政务公开工作规定（2018年修订）",
            "2018-03-01",
        )
        .await;
        let mut conn = app.conn().await;
        let stored = items::get(&mut conn, old).await.expect("item");
        let cols = items::column_ids(&mut conn, old).await.expect("columns");
        drop(conn);
        let mut f = app.item("市政府办公室", "zcwj", &stored.title).await;
        f.column_ids = cols.iter().map(i64::to_string).collect();
        f.validity = "repealed".into();
        // Without its date the change is refused.
        assert!(f.validate().is_err());
        f.validity_changed_on = "2018-03-01".into();
        f.replaced_by_item_id = new.to_string();
        let input = f.validate().expect("valid");
        let mut tx = app.db().begin().await.expect("begin");
        items::update(&mut tx, &app.actor(), old, stored.version, &input)
            .await
            .expect("update");
        tx.commit().await.expect("commit");

        let page = app.get_ok(&format!("/items/{old}")).await;
        assert!(page.contains("本文件已于2018-03-01废止"), "banner");
        assert!(page.contains("替代文件见《"));
        assert!(page.contains(&format!("href=\"/items/{new}\"")));
        assert!(page.contains("已废止"));
        let api = app.get_ok(&format!("/api/v1/items/{old}")).await;
        assert!(
            api.contains("\"validity_changed_on\":\"2018-03-01\""),
            "{api}"
        );
        // The replacement withdrawn: the banner stays, the link goes.
        app.unpublish(new).await;
        let page = app.get_ok(&format!("/items/{old}")).await;
        assert!(page.contains("本文件已于2018-03-01废止"));
        assert!(!page.contains(&format!("href=\"/items/{new}\"")));
    }
);

both_backends!(
    late_and_missing_interpretations_are_listed,
    |app| async move {
        // Friday 2017-06-09: five working days later (across the weekend) is Friday 06-16.
        let late = policy(&app, "市财政局", "迟解读的政策", "2017-06-09").await;
        let i_late = interpretation(&app, "市财政局", late, "迟到的解读", "2017-06-16").await;
        let timely = policy(&app, "市财政局", "按时解读的政策", "2017-06-09").await;
        interpretation(&app, "市财政局", timely, "按时的解读", "2017-06-14").await;
        let missing = policy(&app, "市财政局", "尚无解读的政策", "2017-06-09").await;

        let mut conn = app.conn().await;
        let cal = gongkai_db::calendar::load(&mut conn)
            .await
            .expect("calendar");
        let r = interpretations::report(&mut conn, None, 3, &cal)
            .await
            .expect("report");
        drop(conn);
        assert_eq!(r.late.len(), 1, "{r:?}");
        assert_eq!(r.late[0].policy.id, late);
        assert_eq!(r.late[0].interpretation.id, i_late);
        assert_eq!(r.late[0].timeliness.working_days, 5);
        let without: Vec<i64> = r.without.iter().map(|p| p.id).collect();
        assert_eq!(without, vec![missing]);

        app.login_admin().await;
        let page = app.get_ok("/admin/supervision/interpretations").await;
        assert!(
            page.contains("迟到的解读") && page.contains("5 个工作日"),
            "late row"
        );
        assert!(!page.contains("按时的解读"), "on time is not listed");
        assert!(page.contains("尚无解读的政策"));
        let board = app.get_ok("/admin/supervision").await;
        assert!(board.contains("/admin/supervision/interpretations"));

        // The limit is a setting: at 5 working days nothing is late.
        let me = app.signed_in(app.client());
        let resp = me
            .post(
                "/admin/settings",
                &[
                    ("index_pattern", gongkai_domain::index_no::DEFAULT_PATTERN),
                    ("interpretation_limit", "5"),
                ],
            )
            .await;
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        let mut conn = app.conn().await;
        assert_eq!(settings::interpretation_limit(&mut conn).await.unwrap(), 5);
        drop(conn);
        let page = app.get_ok("/admin/supervision/interpretations").await;
        assert!(!page.contains("迟到的解读"));
        // A bad limit is refused and changes nothing.
        let resp = me
            .post(
                "/admin/settings",
                &[
                    ("index_pattern", gongkai_domain::index_no::DEFAULT_PATTERN),
                    ("interpretation_limit", "三天"),
                ],
            )
            .await;
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let mut conn = app.conn().await;
        assert_eq!(settings::interpretation_limit(&mut conn).await.unwrap(), 5);
    }
);

both_backends!(
    attachments_of_non_public_items_are_not_served,
    |app| async move {
        let sha = app
            .state()
            .storage
            .put(b"%PDF-1.4\n% marks\n")
            .await
            .expect("store");
        let cases = [
            ("draft", "proactive", false),
            ("published", "on_request", false),
            ("published", "not_disclosed", false),
            ("published", "proactive", true),
        ];
        for (status, disclosure, public) in cases {
            let mut f = app
                .item(
                    "市财政局",
                    "zcwj",
                    &format!("附件检查：{status}·{disclosure}"),
                )
                .await;
            f.disclosure = disclosure.into();
            if disclosure != "proactive" {
                f.disclosure_reason = "涉及第三方合法权益".into();
            }
            let id = app.create_item(f).await;
            if status == "published" {
                app.publish(id).await;
            }
            let mut tx = app.db().begin().await.expect("begin");
            let att = attachments::add(
                &mut tx,
                &app.actor(),
                &attachments::NewAttachment {
                    item_id: id,
                    file_name: "附件.pdf",
                    content_type: "application/pdf",
                    size_bytes: 17,
                    sha256: &sha,
                    text: &attachments::ExtractedText::pending(),
                },
            )
            .await
            .expect("attachment");
            tx.commit().await.expect("commit");
            let resp = app
                .new_client()
                .get(app.url(&format!("/attachments/{att}/x")))
                .send()
                .await
                .expect("get");
            let expected = if public {
                StatusCode::OK
            } else {
                StatusCode::NOT_FOUND
            };
            assert_eq!(resp.status(), expected, "{status} {disclosure}");
        }
    }
);
