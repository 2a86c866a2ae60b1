//! The portal and back office over HTTP: publish → public view, authorisation between
//! organisations, CSRF, login lockout, and refused bad input that writes nothing.

use crate::support::PASSWORD;
use crate::support::users::pairs;
use gongkai_domain::role::Role;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};

/// The item editor's form with the fields a person fills in, after the parts of `start` (the
/// user's [`User::multipart`], which holds its CSRF token).
fn item_form(start: Form, title: &str, org_id: i64, column_id: i64, action: &str) -> Form {
    start
        .text("title", title.to_string())
        .text("org_id", org_id.to_string())
        .text("column_ids", column_id.to_string())
        .text("body_format", "markdown")
        .text("body", format!("{title}的正文。\n\n- 第一项\n- 第二项"))
        .text("disclosure", "proactive")
        .text("doc_number", "盘政办发〔2017〕99号")
        .text("action", action.to_string())
        .text("publish_reason", "测试：直接发布（先发后审）")
}

/// `/admin/items/13/edit?notice=…` → 13
fn item_id_from(location: &str) -> i64 {
    location
        .trim_start_matches("/admin/items/")
        .split('/')
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no item id in {location}"))
}

both_backends!(publish_via_back_office_then_public_view, |app| async move {
    app.login_admin().await;
    let me = app.signed_in(app.client());
    let org = app.org_id("市财政局").await;
    let column = app.column_id("czyjs").await;
    let form = item_form(
        me.multipart().await,
        "2017年5月全市财政收支情况（测试）",
        org,
        column,
        "publish",
    )
    .part(
        "attachments",
        // A PDF with a text layer: a file the guard cannot read needs a manual check.
        Part::bytes(gongkai_extract::minimal_pdf::text_page("2017 budget"))
            .file_name("收支明细表.pdf"),
    );
    let (status, location) = me.submit_multipart("/admin/items", form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    let id = item_id_from(&location);

    let page = app.get_ok(&format!("/items/{id}")).await;
    assert!(page.contains("2017年5月全市财政收支情况（测试）"));
    assert!(
        page.contains("PJ0008/"),
        "索引号 of 市财政局 on the item page"
    );
    assert!(page.contains("盘政办发〔2017〕99号"));
    assert!(page.contains("<li>第一项</li>"), "Markdown rendered");
    assert!(page.contains("收支明细表.pdf"));

    let column_page = app.get_ok("/columns/czyjs").await;
    assert!(column_page.contains(&format!("/items/{id}")));
    let org_page = app.get_ok(&format!("/orgs/{org}")).await;
    assert!(org_page.contains(&format!("/items/{id}")));

    let mut conn = app.conn().await;
    let att = gongkai_db::attachments::of_item(&mut conn, id)
        .await
        .expect("attachments");
    drop(conn);
    assert_eq!(att.len(), 1);
    let resp = app.get(&format!("/attachments/{}/x", att[0].id)).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        resp.bytes().await.expect("body").as_ref(),
        gongkai_extract::minimal_pdf::text_page("2017 budget")
    );
});

both_backends!(
    non_public_items_never_reach_public_pages,
    |app| async move {
        let column = "tzgg";
        let draft = app
            .create_item(app.item("市民政局", column, "草稿不应公开").await)
            .await;
        let mut on_request = app.item("市民政局", column, "依申请公开不应公开").await;
        on_request.disclosure = "on_request".into();
        on_request.disclosure_reason = "涉及第三方".into();
        let on_request = app.create_item(on_request).await;
        app.publish(on_request).await;
        let mut secret = app.item("市民政局", column, "不予公开不应公开").await;
        secret.disclosure = "not_disclosed".into();
        secret.disclosure_reason = "涉及个人隐私".into();
        let secret = app.create_item(secret).await;
        app.publish(secret).await;
        let withdrawn = app
            .create_item(app.item("市民政局", column, "撤回后不应公开").await)
            .await;
        app.publish(withdrawn).await;
        app.unpublish(withdrawn).await;
        let public = app
            .create_item(app.item("市民政局", column, "这条应当公开").await)
            .await;
        app.publish(public).await;

        for id in [draft, on_request, secret, withdrawn] {
            assert_eq!(
                app.get(&format!("/items/{id}")).await.status(),
                StatusCode::NOT_FOUND,
                "item {id}"
            );
        }
        app.get_ok(&format!("/items/{public}")).await;
        let org = app.org_id("市民政局").await;
        for path in [
            "/".to_string(),
            format!("/columns/{column}"),
            format!("/orgs/{org}"),
            "/xxgk".to_string(),
        ] {
            let body = app.get_ok(&path).await;
            for hidden in [
                "草稿不应公开",
                "依申请公开不应公开",
                "不予公开不应公开",
                "撤回后不应公开",
            ] {
                assert!(!body.contains(hidden), "{hidden} leaked on {path}");
            }
        }
        assert!(
            app.get_ok(&format!("/columns/{column}"))
                .await
                .contains("这条应当公开")
        );
    }
);

both_backends!(
    editors_are_confined_to_their_organisation,
    |app| async move {
        let finance = app.org_id("市财政局").await;
        let stats = app.org_id("市统计局").await;
        app.create_user("caizheng", Role::Editor, Some(finance))
            .await;
        app.create_user("tongji", Role::Editor, Some(stats)).await;
        let column = app.column_id("tzgg").await;

        let a = app.user("caizheng", PASSWORD).await;
        let (status, location) = a
            .submit_multipart(
                "/admin/items",
                item_form(a.multipart().await, "财政局的草稿", finance, column, "save"),
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
        let draft = item_id_from(&location);

        // The editor of the statistics bureau neither sees nor touches it.
        let b = app.user("tongji", PASSWORD).await;
        let list = b.get("/admin/items").await.text().await.expect("text");
        assert!(!list.contains("财政局的草稿"));
        let edit = b.get(&format!("/admin/items/{draft}/edit")).await;
        assert_eq!(edit.status(), StatusCode::NOT_FOUND);
        let before = (app.count("items").await, app.audit_count().await);
        let publish = b.post(&format!("/admin/items/{draft}/publish"), &[]).await;
        assert_eq!(publish.status(), StatusCode::NOT_FOUND);
        let update = b
            .post_multipart(
                &format!("/admin/items/{draft}/edit"),
                item_form(b.multipart().await, "改写别人的草稿", stats, column, "save")
                    .text("version", "1"),
            )
            .await;
        assert_eq!(update.status(), StatusCode::NOT_FOUND);
        // Nor may it publish in the name of another organisation.
        let (status, _) = b
            .submit_multipart(
                "/admin/items",
                item_form(
                    b.multipart().await,
                    "冒用财政局名义",
                    finance,
                    column,
                    "publish",
                ),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(
            (app.count("items").await, app.audit_count().await),
            before,
            "nothing written"
        );

        // Site administration is not for editors.
        for path in [
            "/admin/users",
            "/admin/columns",
            "/admin/orgs",
            "/admin/settings",
            "/admin/audit",
        ] {
            let r = b.get(path).await;
            assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
        }
        // The draft is still a draft, and still not public.
        assert_eq!(
            app.get(&format!("/items/{draft}")).await.status(),
            StatusCode::NOT_FOUND
        );
    }
);

both_backends!(
    forms_without_a_valid_csrf_token_are_refused,
    |app| async move {
        app.login_admin().await;
        let me = app.signed_in(app.client());
        let org = app.org_id("市财政局").await;
        let column = app.column_id("tzgg").await;
        let before = (app.count("items").await, app.audit_count().await);
        for token in ["", "forged-token"] {
            // Deliberately the wrong token in the field: what this test is about.
            let forged = Form::new().text("csrf_token", token);
            let (status, _) = me
                .submit_multipart(
                    "/admin/items",
                    item_form(forged, "伪造的提交", org, column, "publish"),
                )
                .await;
            assert_eq!(status, StatusCode::FORBIDDEN, "token {token:?}");
        }
        // A real token, but the browser says the request came from another site (a raw request:
        // the header is what this test is about).
        let csrf = me.csrf().await;
        let resp = me
            .client()
            .post(app.url("/admin/settings"))
            .header("sec-fetch-site", "cross-site")
            .form(&[
                ("csrf_token", csrf.as_str()),
                ("index_pattern", "{year}-{seq}"),
            ])
            .send()
            .await
            .expect("post");
        assert_eq!(resp.status(), StatusCode::FORBIDDEN);
        assert_eq!((app.count("items").await, app.audit_count().await), before);

        // The login form is protected too: a post with a token that is not the login cookie's
        // (deliberately "x") is refused.
        let fresh = app.new_client();
        let resp = fresh
            .post(app.url("/admin/login"))
            .form(&[
                ("username", "admin"),
                ("password", crate::support::ADMIN_PASSWORD),
                ("csrf_token", "x"),
            ])
            .send()
            .await
            .expect("post");
        assert_eq!(resp.status(), StatusCode::FORBIDDEN);
        // Signed out, the back office sends people to the login page.
        let resp = fresh
            .get(app.url("/admin/items"))
            .send()
            .await
            .expect("get");
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        assert_eq!(resp.headers()["location"], "/admin/login");
    }
);

both_backends!(repeated_failures_lock_the_account, |app| async move {
    app.create_user("bianji", Role::Editor, Some(app.org_id("市财政局").await))
        .await;
    app.create_user("other", Role::Editor, Some(app.org_id("市统计局").await))
        .await;
    for i in 0..4 {
        let r = app.try_login("bianji", &format!("wrong-{i}")).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert!(
            r.text()
                .await
                .unwrap_or_default()
                .contains("用户名或密码错误")
        );
    }
    let fifth = app.try_login("bianji", "wrong-4").await;
    assert_eq!(fifth.status(), StatusCode::TOO_MANY_REQUESTS);
    // Locked: even the right password is refused now.
    let right = app.try_login("bianji", PASSWORD).await;
    assert_eq!(right.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(right.text().await.unwrap_or_default().contains("临时锁定"));
    // Another account is not affected.
    app.login_as(&app.new_client(), "other", PASSWORD).await;
    // An unknown user name fails like a wrong password.
    assert_eq!(
        app.try_login("nobody", "x1234567890").await.status(),
        StatusCode::UNAUTHORIZED
    );
});

both_backends!(
    bad_input_is_refused_in_chinese_and_writes_nothing,
    |app| async move {
        app.login_admin().await;
        let org = app.org_id("市财政局").await;
        let column = app.column_id("tzgg").await;
        let tables = [
            "items",
            "attachments",
            "users",
            "user_roles",
            "settings",
            "audit_log",
        ];
        let mut before = Vec::new();
        for t in tables {
            before.push(app.count(t).await);
        }
        let me = app.signed_in(app.client());

        let (status, body) = me
            .submit_multipart(
                "/admin/items",
                item_form(
                    me.multipart().await,
                    &"长".repeat(201),
                    org,
                    column,
                    "publish",
                ),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            body.contains("标题不能超过200个字"),
            "{}",
            crate::support::html::excerpt(&body)
        );

        let (status, body) = me
            .submit_multipart(
                "/admin/items",
                item_form(me.multipart().await, "", org, column, "save"),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("请填写标题"));

        let renamed_exe = item_form(me.multipart().await, "带附件的通知", org, column, "publish")
            .part(
                "attachments",
                Part::bytes(b"MZ\x90\x00\x03".to_vec()).file_name("通知.pdf"),
            );
        let (status, body) = me.submit_multipart("/admin/items", renamed_exe).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("内容与其扩展名 .pdf 不符"));
        let exe = item_form(me.multipart().await, "带附件的通知", org, column, "publish").part(
            "attachments",
            Part::bytes(b"MZ".to_vec()).file_name("setup.exe"),
        );
        let (status, body) = me.submit_multipart("/admin/items", exe).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("类型不允许上传"));
        // A raw body (no multipart builder writes a broken one): the token first, as the editor
        // sends it; then a body cut short.
        let csrf = me.csrf().await;
        let broken = me
            .client()
            .post(app.url("/admin/items"))
            .header("content-type", "multipart/form-data; boundary=XYZ")
            .body(format!(
                "--XYZ\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{csrf}\r\n\
                 --XYZ\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\n半截"
            ))
            .send()
            .await
            .expect("post");
        assert_eq!(broken.status(), StatusCode::BAD_REQUEST);
        assert!(broken.text().await.unwrap_or_default().contains("无法解析"));

        let resp = me
            .post(
                "/admin/settings",
                &[("index_pattern", "{credit_code}/{year}-{sequence}")],
            )
            .await;
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            resp.text()
                .await
                .unwrap_or_default()
                .contains("无法识别的项 {sequence}")
        );

        let new_user = |name: &'static str| {
            vec![
                ("username", name.to_string()),
                ("display_name", "重复的人".to_string()),
                ("password", "Kx7-Lantern-Hill".to_string()),
                ("role", "editor".to_string()),
                ("org_id", org.to_string()),
            ]
        };
        let resp = me.post("/admin/users", &pairs(&new_user("admin"))).await;
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            resp.text()
                .await
                .unwrap_or_default()
                .contains("登录名“admin”已被使用")
        );

        for (t, n) in tables.iter().zip(before) {
            assert_eq!(app.count(t).await, n, "table {t} changed");
        }

        // And a good submission still works afterwards.
        let resp = me.post("/admin/users", &pairs(&new_user("zhangsan"))).await;
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    }
);

both_backends!(index_pattern_setting_drives_new_numbers, |app| async move {
    app.login_admin().await;
    let resp = app
        .signed_in(app.client())
        .post(
            "/admin/settings",
            &[("index_pattern", "PJ-{org_code}-{year}{month}-{seq:03}")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let mut fields = app.item("市统计局", "tjxx", "2017年一季度经济运行").await;
    fields.publish_date = "2017-04-25".into();
    let id = app.create_item(fields).await;
    app.publish(id).await;
    let page = app.get_ok(&format!("/items/{id}")).await;
    assert!(
        page.contains("PJ-PJ0026-201704-001"),
        "{}",
        crate::support::html::excerpt(&page)
    );
    let audit = app.get_ok("/admin/audit?action=setting.update").await;
    assert!(audit.contains("index_no_pattern"));
});

// 落实 : on the item form a unit links its item to obligations of its own organisation; another
// unit's obligation is refused with a Chinese message and nothing is saved.
both_backends!(
    an_item_is_linked_to_the_obligations_it_discharges,
    |app| async move {
        let mut tx = app.db().begin().await.unwrap();
        gongkai_db::plans::import_builtin(&mut tx, &app.actor(), "panjin-2017")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        app.login_admin().await;
        let me = app.signed_in(app.client());
        let org = app.org_id("市财政局").await;
        let column = app.column_id("czyjs").await;
        let ob = |name: &'static str, cadence: &'static str| {
            let app = app.clone();
            async move {
                sqlx::query_scalar::<_, i64>(
                    "SELECT ob.id FROM obligations ob JOIN organisations o ON o.id = ob.org_id \
                 WHERE o.name = $1 AND ob.cadence = $2 ORDER BY ob.id LIMIT 1",
                )
                .bind(name)
                .bind(cadence)
                .fetch_one(&mut *app.conn().await)
                .await
                .unwrap()
            }
        };
        let (monthly, debt) = (
            ob("市财政局", "monthly").await,
            ob("市财政局", "half_yearly").await,
        );
        let foreign = ob("市统计局", "quarterly").await;

        let form = item_form(
            me.multipart().await,
            "上半年财政收支及债务情况",
            org,
            column,
            "save",
        )
        .text("links_shown", "1")
        .text("obligation_ids", monthly.to_string())
        .text("obligation_ids", debt.to_string());
        let (status, location) = me.submit_multipart("/admin/items", form).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
        let id = item_id_from(&location);
        let linked: Vec<i64> = gongkai_db::obligation_links::of_item(&mut *app.conn().await, id)
            .await
            .unwrap();
        assert_eq!(linked.len(), 2);
        let page = me.get_ok(&format!("/admin/items/{id}/edit")).await;
        assert!(page.contains(&format!("<option value=\"{debt}\" selected>")));

        let before = app.count("audit_log").await;
        let form = item_form(
            me.multipart().await,
            "上半年财政收支及债务情况",
            org,
            column,
            "save",
        )
        .text("version", "1")
        .text("links_shown", "1")
        .text("obligation_ids", foreign.to_string());
        let (status, body) = me
            .submit_multipart(&format!("/admin/items/{id}/edit"), form)
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            body.contains("\u{4E0D}\u{5C5E}\u{4E8E}\u{672C}\u{5355}\u{4F4D}"),
            "{body}"
        );
        assert_eq!(app.count("audit_log").await, before);
        assert_eq!(
            gongkai_db::obligation_links::of_item(&mut *app.conn().await, id)
                .await
                .unwrap()
                .len(),
            2
        );
    }
);

// The portal's 404 is in its layout, with a search box and the ways on; the back office and the
// API keep their own.
both_backends!(
    the_portal_404_is_in_the_layout_with_search,
    |app| async move {
        for path in ["/no-such-page", "/items/999999", "/zdgz/424242"] {
            let resp = app.client().get(app.url(path)).send().await.unwrap();
            assert_eq!(resp.status(), StatusCode::NOT_FOUND, "{path}");
            let body = resp.text().await.unwrap();
            assert!(body.contains("页面不存在"), "{path}");
            assert!(body.contains("action=\"/search\""), "{path}: search box");
            assert!(body.contains("href=\"/ysqgk\""), "{path}: 依申请公开");
            assert!(
                body.contains("class=\"site-header") || body.contains("<header"),
                "{path}: layout"
            );
        }
        let api = app
            .client()
            .get(app.url("/api/v1/nope"))
            .send()
            .await
            .unwrap();
        assert_eq!(api.status(), StatusCode::NOT_FOUND);
        assert!(api.text().await.unwrap().starts_with('{'));
        let xxgk = app.get_ok("/xxgk").await;
        assert!(xxgk.contains("href=\"/ysqgk\"") && xxgk.contains("href=\"/ysqgk/cx\""));
    }
);

// 适老化 mode: a header link switches it on, the cookie keeps it, the page is rendered for it, and
// the switch only ever returns to a page of this site.
both_backends!(
    the_elderly_friendly_mode_switches_and_persists,
    |app| async move {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let home = app.get_ok("/").await;
        assert!(home.contains("href=\"/care?on=1&amp;back=%2F\"") || home.contains("/care?on=1"));
        assert!(!home.contains("class=\"portal care\""));
        let resp = client
            .get(app.url("/care?on=1&back=%2Fxxgk"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        assert_eq!(resp.headers()["location"], "/xxgk");
        let cookie = resp.headers()["set-cookie"].to_str().unwrap().to_string();
        assert!(cookie.starts_with("gk_care=1") && cookie.contains("Max-Age=31536000"));
        let page = client
            .get(app.url("/xxgk"))
            .header("cookie", "gk_care=1")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("class=\"portal care\""));
        assert!(page.contains("退出适老化模式"));
        let off = client
            .get(app.url("/care?on=0&back=https%3A%2F%2Fevil.example%2F"))
            .send()
            .await
            .unwrap();
        assert_eq!(off.headers()["location"], "/");
        assert!(
            off.headers()["set-cookie"]
                .to_str()
                .unwrap()
                .contains("Max-Age=0")
        );
    }
);
