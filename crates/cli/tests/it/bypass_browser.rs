//! Issue 14's editorial bypasses, tried again in a real browser (Chromium without JavaScript, so
//! the plain form is what is driven) as a department editor would: each is refused, and the public
//! page never changes without review.

use crate::browser::Browser;
use crate::support::{Backend, PASSWORD, TestApp};
use fantoccini::Locator;
use gongkai_domain::role::Role;
use std::time::Duration;

/// A valid resident ID number (checksum X).
const ID_NUMBER: &str = "11010519491231002X";

async fn sign_in(b: &Browser, app: &TestApp, user: &str) {
    b.goto(&app.url("/admin/login")).await;
    b.fill("#f-username", user).await;
    b.fill("#f-password", PASSWORD).await;
    b.click("button[type=submit]").await;
    b.client
        .wait()
        .for_element(Locator::Css("nav.sidenav"))
        .await
        .expect("the back office after signing in");
}

/// Waits (at most 20 s) until the page source contains `text`; returns the source.
async fn wait_for_text(b: &Browser, text: &str) -> String {
    for _ in 0..200 {
        let source = b.client.source().await.unwrap_or_default();
        if source.contains(text) {
            return source;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let source = b.client.source().await.unwrap_or_default();
    panic!(
        "the page never showed {text}:\n{}",
        crate::support::html::excerpt(&source)
    );
}

async fn public_page(app: &TestApp, id: i64) -> String {
    app.get_ok(&format!("/items/{id}")).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_editorial_bypass_is_refused_in_the_browser() {
    let app = TestApp::start(Backend::Sqlite).await;
    let org = app.org_id("市民政局").await;
    app.create_user("bp_editor", Role::Editor, Some(org)).await;
    let mut fields = app
        .item("市民政局", "tzgg", "关于调整城乡低保标准的通知")
        .await;
    fields.body = "自2017年7月1日起调整城乡低保标准。".into();
    let id = app.create_item(fields).await;
    app.publish_now(id).await;
    let before = public_page(&app, id).await;
    assert!(before.contains("调整城乡低保标准"));

    let b = Browser::start_without_javascript().await;
    sign_in(&b, &app, "bp_editor").await;
    let edit = app.url(&format!("/admin/items/{id}/edit"));

    // 1. On a published item the reviewed path is the default.
    b.goto(&edit).await;
    let major = b
        .client
        .find(Locator::Css("input[name=change_kind][value=major]"))
        .await
        .expect("the 实质性修改 choice");
    assert_eq!(
        major.prop("checked").await.expect("checked").as_deref(),
        Some("true"),
        "实质性修改 is chosen by default"
    );

    // 2. A 勘误 that adds a paragraph with an ID number is refused with the reason.
    b.click("input[name=change_kind][value=minor]").await;
    b.fill("#f-body", &format!("\n\n补充：联系人身份证号{ID_NUMBER}。"))
        .await;
    b.click("button[name=action][value=save]").await;
    wait_for_text(&b, "勘误不能增加、删除或改动数字").await;
    let now = public_page(&app, id).await;
    assert!(
        !now.contains(ID_NUMBER) && !now.contains("补充"),
        "not live"
    );

    // 3. The same change as a 实质性修改 waits for review; the public text stays.
    b.goto(&edit).await;
    b.fill("#f-body", "\n\n补充：咨询电话见附件。").await;
    b.fill("#f-change_note", "补充咨询方式").await;
    b.click("button[name=action][value=save]").await;
    b.wait_for_url("notice=").await;
    assert!(
        gongkai_db::workflow::pending_revision(&mut *app.conn().await, id)
            .await
            .expect("revision")
            .is_some(),
        "a revision waits for review"
    );
    assert!(!public_page(&app, id).await.contains("咨询电话见附件"));

    // 4. An editor alone cannot release their own personal-data hits by typing reasons.
    b.goto(&app.url("/admin/items/new")).await;
    b.fill("#f-title", "关于公布低保对象名单的公告").await;
    b.click(&format!("#f-org_id option[value=\"{org}\"]")).await;
    let column = app.column_id("tzgg").await;
    b.click(&format!("input[name=column_ids][value=\"{column}\"]"))
        .await;
    b.fill("#f-body", &format!("低保对象张某，身份证号{ID_NUMBER}。"))
        .await;
    b.click("details.publish-now summary").await;
    b.fill("#f-publish_reason", "名单须当日公开，先发后审")
        .await;
    b.click("button[name=action][value=publish]").await;
    let url = b.wait_for_url("notice=guard_blocked").await;
    let draft: i64 = url
        .split("/admin/items/")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no item id in {url}"));
    let source = wait_for_text(&b, "放行须由起草人以外的审核人").await;
    assert!(
        !source.contains("name=\"release_hit_"),
        "the author is offered no release"
    );
    assert_ne!(
        app.get(&format!("/items/{draft}")).await.status(),
        reqwest::StatusCode::OK,
        "not public"
    );

    b.close().await;
    app.teardown().await;
}
