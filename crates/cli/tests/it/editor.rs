//! The rich-text editor of the item form (issue 14, item 2): image uploads and who sees them,
//! external images refused on save, and, in the real browser, typing, alignment, a pasted Word
//! table and the no-JavaScript path.

use crate::browser::Browser;
use crate::support::{Backend, TestApp};
use fantoccini::Locator;
use gongkai_domain::role::Role;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use std::time::Duration;

/// A 1×1 PNG.
const PNG: &[u8] = b"\x89\x50\x4e\x47\x0d\x0a\x1a\x0a\x00\x00\x00\x0d\x49\x48\x44\x52\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\x0d\x49\x44\x41\x54\x78\xda\x63\x64\x60\xf8\x5f\x0f\x00\x02\x87\x01\x80\xeb\x47\xba\x92\x00\x00\x00\x00\x49\x45\x4e\x44\xae\x42\x60\x82";

/// Word's clipboard HTML (the shape of the sanitizer's unit-test sample).
const WORD: &str = include_str!("../../../domain/testdata/word-paste.html");

async fn upload(
    app: &TestApp,
    user: &crate::support::users::User,
    bytes: Vec<u8>,
    name: &str,
) -> (StatusCode, serde_json::Value) {
    let form = Form::new().part("file", Part::bytes(bytes).file_name(name.to_string()));
    let resp = user
        .client()
        .post(app.url("/admin/images"))
        .header("X-CSRF-Token", user.csrf().await)
        .multipart(form)
        .send()
        .await
        .expect("POST /admin/images");
    let status = resp.status();
    let body = resp.text().await.unwrap_or_default();
    (
        status,
        serde_json::from_str(&body).unwrap_or(serde_json::Value::String(body)),
    )
}

both_backends!(
    body_images_are_public_only_through_a_public_item,
    |app| async move {
        let admin = app.admin().await;
        let visitor = app.visitor();
        let uploads_before = app.count("body_images").await;

        // Refused: not an image by its bytes (an SVG, a renamed text), empty, too large.
        let (status, answer) = upload(
            &app,
            &admin,
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".to_vec(),
            "a.png",
        )
        .await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert!(
            answer["error"]
                .as_str()
                .unwrap()
                .contains("只能上传 PNG、JPEG、GIF 或 WebP"),
            "{answer}"
        );
        let (status, answer) = upload(&app, &admin, Vec::new(), "a.png").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(
            answer["error"].as_str().unwrap().contains("没有收到图片"),
            "{answer}"
        );
        let mut big = PNG.to_vec();
        big.resize(5 * 1024 * 1024 + 1, 0);
        let (status, answer) = upload(&app, &admin, big, "big.png").await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        assert!(
            answer["error"].as_str().unwrap().contains("大小限制"),
            "{answer}"
        );
        // Without the CSRF header, and anonymously: refused before the handler.
        let resp = admin
            .client()
            .post(app.url("/admin/images"))
            .multipart(Form::new().part("file", Part::bytes(PNG.to_vec()).file_name("a.png")))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::FORBIDDEN);
        // A reviewer writes no items, so uploads none.
        app.create_user(
            "shenhe-img",
            Role::Reviewer,
            Some(app.org_id("市民政局").await),
        )
        .await;
        let reviewer = app.user("shenhe-img", crate::support::PASSWORD).await;
        let (status, answer) = upload(&app, &reviewer, PNG.to_vec(), "a.png").await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
        assert_eq!(
            app.count("body_images").await,
            uploads_before,
            "refusals store nothing"
        );

        // Accepted: a PNG, named by its bytes' type whatever the file is called.
        let (status, answer) = upload(&app, &admin, PNG.to_vec(), "照片.jpg").await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        let url = answer["url"].as_str().unwrap().to_string();
        assert!(url.starts_with("/images/"), "{url}");
        // Not shown by any public item yet: the back office sees it, the public does not.
        let resp = admin.get(&url).await;
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(resp.headers()["content-type"], "image/png");
        assert_eq!(resp.bytes().await.unwrap().as_ref(), PNG);
        assert_eq!(
            reviewer.get(&url).await.status(),
            StatusCode::OK,
            "reviewers see what they review"
        );
        assert_eq!(visitor.get(&url).await.status(), StatusCode::NOT_FOUND);

        // An item shows it: still not public while a draft; public once published; gone when withdrawn.
        let mut fields = app.item("市民政局", "tzgg", "带图片的通知").await;
        fields.body_format = "html".into();
        fields.body = format!(
            "<p style=\"text-align:center;color:red\">居中标题</p><p style=\"text-indent:2em\">首行缩进的段落。</p><p><img src=\"{url}\" alt=\"现场照片\"></p>"
        );
        let id = app.create_item(fields).await;
        assert_eq!(
            visitor.get(&url).await.status(),
            StatusCode::NOT_FOUND,
            "a draft's image is not public"
        );
        app.publish(id).await;
        assert_eq!(visitor.get(&url).await.status(), StatusCode::OK);
        let page = visitor.get_ok(&format!("/items/{id}")).await;
        assert!(
            page.contains(r#"<p style="text-align: center;">居中标题</p>"#),
            "alignment kept, colour gone"
        );
        assert!(page.contains(r#"<p style="text-indent: 2em;">首行缩进的段落。</p>"#));
        assert!(page.contains(&format!(r#"<img src="{url}" alt="现场照片">"#)));
        app.unpublish(id).await;
        assert_eq!(
            visitor.get(&url).await.status(),
            StatusCode::NOT_FOUND,
            "withdrawn: not public"
        );
        assert_eq!(
            visitor.get("/images/999999").await.status(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            visitor.get("/images/abc").await.status(),
            StatusCode::NOT_FOUND
        );
    }
);

both_backends!(
    an_external_image_is_refused_on_save_and_nothing_is_stored,
    |app| async move {
        let admin = app.admin().await;
        let items_before = app.count("items").await;
        let audit_before = app.audit_count().await;
        let form = admin
            .multipart()
            .await
            .text("title", "引用外部图片的通知")
            .text("org_id", app.org_id("市民政局").await.to_string())
            .text("column_ids", app.column_id("tzgg").await.to_string())
            .text("body_format", "html")
            .text(
                "body",
                "<p>正文</p><p><img src=\"https://example.com/a.png\"></p>",
            )
            .text("disclosure", "proactive")
            .text("action", "save");
        let resp = admin.post_multipart("/admin/items", form).await;
        let status = resp.status();
        let page = resp.text().await.unwrap();
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            crate::support::html::excerpt(&page)
        );
        assert!(
            page.contains("正文中有1张图片不在本站"),
            "{}",
            crate::support::html::excerpt(&page)
        );
        assert!(page.contains("https://example.com/a.png"));
        assert_eq!(app.count("items").await, items_before);
        assert_eq!(app.audit_count().await, audit_before);
    }
);

/// Waits until `script` (an expression) is true in the page, at most 20 s.
async fn wait_js(b: &Browser, script: &str) {
    for _ in 0..200 {
        let v = b
            .client
            .execute(&format!("return !!({script});"), vec![])
            .await
            .expect("script");
        if v.as_bool() == Some(true) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let body = b
        .client
        .execute(
            "return document.getElementById('f-body') && document.getElementById('f-body').value;",
            vec![],
        )
        .await
        .unwrap_or_default();
    b.screenshot("editor-failure").await;
    panic!("never true in the browser: {script}\nthe body field holds: {body}");
}

async fn stored_body(app: &TestApp, id: i64) -> (String, String, String) {
    sqlx::query_as("SELECT body_format, body_source, body_html FROM items WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *app.conn().await)
        .await
        .expect("item")
}

async fn fill_item_basics(b: &Browser, app: &TestApp, title: &str) {
    b.fill("#f-title", title).await;
    let org = app.org_id("市民政局").await;
    b.client
        .find(Locator::Css("#f-org_id"))
        .await
        .unwrap()
        .select_by_value(&org.to_string())
        .await
        .unwrap();
    let column = app.column_id("tzgg").await;
    b.click(&format!("input[name=column_ids][value=\"{column}\"]"))
        .await;
}

fn saved_id(url: &str) -> i64 {
    url.split("/admin/items/")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no item id in {url}"))
}

/// Type into the editor, centre a paragraph, paste Word's HTML (a table, alignment and
/// indentation kept; fonts, colours and the local picture gone), save, preview; then the same
/// form without JavaScript still saves a Markdown body.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_editor_keeps_tables_alignment_and_indentation_and_the_textarea_still_works() {
    let app = TestApp::start(Backend::Sqlite).await;
    let b = Browser::start().await;
    b.login(&app).await;
    b.goto(&app.url("/admin/items/new")).await;
    b.wait_for(".w-e-text-container [contenteditable=true]")
        .await;
    // The textarea and the format select give way to the editor, which is labelled.
    wait_js(&b, "document.getElementById('f-body').hidden && document.getElementById('body-format-field').hidden").await;
    let labelled = b
        .client
        .execute("return document.querySelector('.w-e-text-container [contenteditable=true]').getAttribute('aria-labelledby');", vec![])
        .await
        .unwrap();
    assert_eq!(labelled.as_str(), Some("label-body"));
    fill_item_basics(&b, &app, "可视化编辑器测试通知").await;

    // Type a paragraph and centre it with the toolbar.
    b.click(".w-e-text-container [contenteditable=true]").await;
    b.fill(
        ".w-e-text-container [contenteditable=true]",
        "各县区人民政府",
    )
    .await;
    // The toolbar enables its buttons a moment after the editor gets a selection.
    wait_js(&b, "!document.querySelector('button[data-menu-key=justifyCenter]').classList.contains('disabled')").await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    b.click("button[data-menu-key=justifyCenter]").await;
    wait_js(
        &b,
        "document.getElementById('f-body').value.includes('text-align: center')",
    )
    .await;
    // Move to a new paragraph at the end and paste Word's clipboard through the editor's own
    // paste path.
    b.client
        .execute(
            r#"const ed = window.gongkaiEditor; ed.focus(true);
               const dt = new DataTransfer(); dt.setData('text/html', arguments[0]); dt.setData('text/plain', 'x');
               document.querySelector('.w-e-text-container [contenteditable=true]')
                 .dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
               return true;"#,
            vec![serde_json::Value::String(WORD.to_string())],
        )
        .await
        .expect("paste");
    wait_js(
        &b,
        "document.getElementById('f-body').value.includes('<table')",
    )
    .await;
    let status = b.wait_for("#editor-status").await;
    assert!(status.contains("1 张图片不在本站"), "{status}");
    b.screenshot("editor-after-paste").await;

    b.click("button[name=action][value=preview]").await;
    let url = b.wait_for_url("/preview").await;
    let id = saved_id(&url);
    let (format, source, html) = stored_body(&app, id).await;
    assert_eq!(format, "html");
    for kept in [
        "<table",
        "各县区人民政府",
        "关于开展政务公开专项检查的通知",
        "市政府办公室",
        "完成时限",
    ] {
        assert!(html.contains(kept), "{kept} missing in {html}");
    }
    assert!(html.contains(r#"style="text-align: center;""#), "{html}");
    assert!(html.contains("text-indent:"), "{html}");
    assert!(
        html.contains("<p>检查时间为"),
        "Word's list bullet is not pasted: {html}"
    );
    for gone in ["Mso", "mso-", "font-family", "color", "file:", "<o:p"] {
        assert!(
            !source.contains(gone),
            "{gone} in the stored source {source}"
        );
        assert!(!html.contains(gone), "{gone} in {html}");
    }
    // The preview shows what was saved, as the portal will.
    let preview = b.wait_for("article.preview").await;
    assert!(preview.contains("完成时限"), "{preview}");
    let centred = b
        .client
        .execute("return getComputedStyle(document.querySelector('article.preview p[style*=center]')).textAlign;", vec![])
        .await
        .unwrap();
    assert_eq!(
        centred.as_str(),
        Some("center"),
        "the CSP lets the kept alignment apply"
    );

    // Editing it again opens the editor with the saved HTML.
    b.goto(&app.url(&format!("/admin/items/{id}/edit"))).await;
    wait_js(
        &b,
        "window.gongkaiEditor && window.gongkaiEditor.getHtml().includes('<table')",
    )
    .await;
    b.close().await;

    // Without JavaScript: the plain textarea and the format select, as before.
    let b = Browser::start_without_javascript().await;
    b.login(&app).await;
    b.goto(&app.url("/admin/items/new")).await;
    let hidden = b
        .client
        .find(Locator::Css("#f-body"))
        .await
        .unwrap()
        .attr("hidden")
        .await
        .unwrap();
    assert_eq!(hidden, None, "the textarea is shown");
    fill_item_basics(&b, &app, "不用脚本也能保存").await;
    b.fill("#f-body", "# 标题\n\n- 第一项\n- 第二项").await;
    b.click("button[name=action][value=save]").await;
    let url = b.wait_for_url("notice=created").await;
    let (format, source, html) = stored_body(&app, saved_id(&url)).await;
    assert_eq!(format, "markdown");
    assert!(source.starts_with("# 标题"), "{source}");
    assert!(html.contains("<li>第一项</li>"), "{html}");
    b.close().await;
    app.teardown().await;
}
