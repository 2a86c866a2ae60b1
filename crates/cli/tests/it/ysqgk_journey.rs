//! Issue 15's whole case in a real browser, as a citizen on the portal lives it, with the handler
//! acting in the back office over HTTP between the steps: the citizen files online (consenting to
//! the disclosure log) → the handler asks for a 补正 → the citizen supplements online → the
//! handler issues a 收费通知 → the citizen sees what to pay and downloads the notice → the payment
//! is recorded → the handler answers with the disclosed document attached → the citizen downloads
//! it → the case is published to the disclosure log, where the citizen's name, ID number and phone
//! never appear.

use crate::browser::Browser;
use crate::support::users::User;
use crate::support::{Backend, PASSWORD, TestApp, html};
use fantoccini::Locator;
use gongkai_domain::role::Role;
use reqwest::StatusCode;
use reqwest::multipart::Part;

/// A valid resident ID number (checksum X).
const ID_NUMBER: &str = "11010519491231002X";
const PHONE: &str = "13912345678";
const NAME: &str = "李四";

async fn act(h: &User, id: i64, form: &[(&str, &str)]) {
    let (s, page) = h
        .submit(&format!("/admin/applications/{id}/action"), form)
        .await;
    assert_eq!(
        s,
        StatusCode::SEE_OTHER,
        "{form:?}: {}",
        html::excerpt(&page)
    );
}

async fn issue(h: &User, id: i64, kind: &str) {
    let (s, page) = h
        .submit(
            &format!("/admin/applications/{id}/letters/{kind}/issue"),
            &[],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{kind}: {}", html::excerpt(&page));
}

async fn select(b: &Browser, css: &str, value: &str) {
    b.client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|_| panic!("{css} on the page"))
        .select_by_value(value)
        .await
        .unwrap_or_else(|_| panic!("{value} in {css}"));
}

/// Fetches `path` with the browser's own cookies: `status:content-disposition`.
async fn fetch(b: &Browser, path: &str) -> String {
    let r = b
        .client
        .execute(
            "return fetch(arguments[0], {credentials: 'same-origin'}).then(r => r.status + ':' + r.headers.get('content-disposition')).catch(e => String(e));",
            vec![serde_json::json!(path)],
        )
        .await
        .expect("fetch through the browser");
    r.as_str().unwrap_or_default().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_files_supplements_pays_and_finds_the_masked_answer_in_the_log() {
    let app = TestApp::start(Backend::Sqlite).await;
    let org = app.org_id("市财政局").await;
    app.create_user("jr_handler", Role::Handler, Some(org))
        .await;
    let h = app.user("jr_handler", PASSWORD).await;
    let (s, page) = h
        .submit(
            "/admin/applications/templates/settings",
            &[
                ("org_id", &org.to_string()),
                ("full_name", "盘锦市财政局"),
                ("doc_prefix", "盘财依申请"),
                ("review_body", "盘锦市人民政府"),
                ("court", "盘锦市双台子区人民法院"),
                (
                    "payment",
                    "持收费通知书到市政务服务中心财政窗口缴纳或通过非税收入缴款平台缴纳",
                ),
                ("phone", "0427-2812345"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{}", html::excerpt(&page));
    let today = gongkai_db::china_today();
    let t = today.to_string();

    // 1. The citizen files online, consenting to the disclosure log.
    let b = Browser::start().await;
    b.goto(&app.url("/ysqgk")).await;
    select(&b, "#f-org_id", &org.to_string()).await;
    select(&b, "#f-applicant_type", "natural_person").await;
    b.fill("#f-name", NAME).await;
    select(&b, "#f-id_type", "resident_id").await;
    b.fill("#f-id_number", ID_NUMBER).await;
    b.fill("#f-phone", PHONE).await;
    b.fill(
        "#f-description",
        &format!("本人（身份证号{ID_NUMBER}）申请公开2025年市级一般公共预算执行情况"),
    )
    .await;
    select(&b, "#f-delivery", "online").await;
    b.click("#f-publish-consent").await;
    b.click("form[action=\"/ysqgk\"] button[type=submit]").await;
    let code_text = b.wait_for("#tracking-code").await;
    let code = code_text
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>();
    let code = code[code.len() - 12..].to_string();
    let id: i64 = sqlx::query_scalar("SELECT id FROM applications WHERE tracking_code = $1")
        .bind(&code)
        .fetch_one(&mut *app.conn().await)
        .await
        .unwrap();
    issue(&h, id, "receipt").await;

    // 2. The handler asks for a 补正.
    let due_by = (today + chrono::Duration::days(15)).to_string();
    act(
        &h,
        id,
        &[
            ("action", "supplement_request"),
            ("on", &t),
            ("due_by", &due_by),
            ("note", "请写明所需的具体报表名称\u{3002}"),
        ],
    )
    .await;
    issue(&h, id, "supplement").await;

    // 3. The citizen looks the case up and supplements online with a file.
    b.goto(&app.url("/ysqgk/cx")).await;
    b.fill("#f-code", &code).await;
    b.fill("#f-tail", &PHONE[PHONE.len() - 4..]).await;
    b.click("form[action=\"/ysqgk/cx\"] button[type=submit]")
        .await;
    let status = b.wait_for("#app-status").await;
    assert!(status.contains("待补正"), "{status}");
    let dir = tempfile::tempdir().unwrap();
    let material = dir.path().join("补正说明.txt");
    std::fs::write(&material, "需要2025年市级一般公共预算收支执行情况表").unwrap();
    b.fill(
        "#f-supplement-text",
        "所需报表为2025年市级一般公共预算收支执行情况表",
    )
    .await;
    b.fill("#f-supplement-files", &material.display().to_string())
        .await;
    b.click("#btn-supplement").await;
    b.wait_for_url("notice=supplemented").await;
    assert!(b.wait_for("#app-status").await.contains("办理中"));

    // 4. The handler issues a 收费通知 for the 12th application this month, 100 元.
    act(
        &h,
        id,
        &[
            ("action", "fee_notice"),
            ("on", &t),
            ("fee_scale", "per_application"),
            ("fee_quantity", "12"),
        ],
    )
    .await;
    issue(&h, id, "fee_notice").await;
    b.goto(&app.url("/ysqgk/my")).await;
    let fee = b.wait_for("#fee-due").await;
    assert!(
        fee.contains("100") && fee.contains("非税收入缴款平台"),
        "{fee}"
    );
    assert!(b.wait_for("#app-status").await.contains("待缴费"));
    let notice = fetch(&b, "/ysqgk/my/letters/fee_notice").await;
    assert!(notice.starts_with("200:"), "{notice}");

    // 5. Paid; 6. answered with the disclosed document attached.
    act(
        &h,
        id,
        &[
            ("action", "fee_paid"),
            ("on", &t),
            ("receipt_no", "辽财非税0098765"),
        ],
    )
    .await;
    let f = h.multipart().await.part(
        "attachments",
        Part::bytes("2025年市级一般公共预算收支执行情况表".as_bytes().to_vec())
            .file_name("预算执行情况表.txt"),
    );
    let (s, page) = h
        .submit_multipart(&format!("/admin/applications/{id}/files"), f)
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{}", html::excerpt(&page));
    act(
        &h,
        id,
        &[
            ("action", "answer"),
            ("on", &t),
            ("outcome", "disclosed"),
            ("note", &format!("经审查\u{FF0C}现向{NAME}提供所申请的预算执行情况表\u{FF0C}联系电话{PHONE}\u{3002}")),
        ],
    )
    .await;
    issue(&h, id, "answer").await;
    let row = gongkai_db::applications::get(&mut *app.conn().await, id)
        .await
        .unwrap();
    assert_eq!((row.status.as_str(), row.fee_yuan), ("answered", 100));
    let docx = h
        .get(&format!("/admin/applications/{id}/letters/answer"))
        .await
        .bytes()
        .await
        .unwrap();
    let text = crate::applications::docx_text(&docx);
    for part in [
        "盘锦市财政局",
        "盘财依申请\u{3014}",
        "盘锦市人民政府",
        "盘锦市双台子区人民法院",
        "100元",
    ] {
        assert!(
            text.contains(part),
            "{part} missing from the 答复书 text {text}"
        );
    }
    // Beside the screenshots, for people to look at.
    if let Ok(dir) = std::env::var("CARGO_TARGET_DIR") {
        let _ = std::fs::write(
            std::path::Path::new(&dir).join("journey-answer.docx"),
            &docx,
        );
    }

    // 7. The citizen reads the answer and downloads the attachment and the 答复书.
    b.goto(&app.url("/ysqgk/my")).await;
    assert!(b.wait_for("#app-outcome").await.contains("予以公开"));
    let link = b
        .client
        .find(Locator::Css("#answer-files a.answer-file"))
        .await
        .expect("the answer attachment offered")
        .attr("href")
        .await
        .unwrap()
        .expect("href");
    assert!(fetch(&b, &link).await.starts_with("200:"));
    assert!(
        fetch(&b, "/ysqgk/my/letters/answer")
            .await
            .starts_with("200:")
    );
    b.screenshot("ysqgk-journey-answered").await;

    // 8. Published to the disclosure log with the document: personal data masked.
    let file_id: i64 = sqlx::query_scalar(
        "SELECT id FROM application_files WHERE application_id = $1 AND purpose = 'answer'",
    )
    .bind(id)
    .fetch_one(&mut *app.conn().await)
    .await
    .unwrap();
    let (s, _) = h
        .submit(
            &format!("/admin/applications/{id}/files/{file_id}/public"),
            &[("value", "1")],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, _) = h
        .submit(
            &format!("/admin/applications/{id}/publish"),
            &[("value", "1")],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    b.goto(&app.url("/ysqgk/gk")).await;
    b.wait_for("#gk-list").await;
    b.click("#gk-list a").await;
    let answer = b.wait_for("#gk-answer").await;
    let page = b.client.source().await.unwrap();
    assert!(answer.contains("预算执行情况表"), "{answer}");
    for secret in [NAME, ID_NUMBER, PHONE, code.as_str()] {
        assert!(!page.contains(secret), "{secret} on the public log");
    }
    assert!(
        page.contains("预算执行情况表.txt"),
        "the public document listed"
    );
    b.screenshot("ysqgk-journey-log").await;
    b.close().await;
    app.teardown().await;
}
