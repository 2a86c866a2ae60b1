//! The back-office import of a work plan: upload → review → decide → confirm, over HTTP.
//! Nothing becomes a plan until a person confirms; a document that cannot be parsed leaves no trace.

use crate::support::{PASSWORD, TestApp, html};
use gongkai_domain::role::Role;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};

const SEED: &[u8] = include_bytes!("../../../domain/testdata/plan/seed_panjin_2017.txt");

async fn upload(
    app: &TestApp,
    csrf: &str,
    part: Option<(&str, Vec<u8>)>,
    text: &str,
) -> reqwest::Response {
    let mut form = Form::new()
        .text("csrf_token", csrf.to_string())
        .text("text", text.to_string());
    if let Some((name, bytes)) = part {
        form = form.part("file", Part::bytes(bytes).file_name(name.to_string()));
    }
    app.client()
        .post(app.url("/admin/plans/import"))
        .multipart(form)
        .send()
        .await
        .expect("upload")
}

both_backends!(import_review_and_confirm_the_seed_plan, |app| async move {
    app.login_admin().await;
    let csrf = app.csrf_token("/admin/plans/import").await;
    let before = (app.count("plan_imports").await, app.count("plans").await);

    // Bad documents are refused with a reason and leave nothing behind.
    for (name, bytes, text, expected) in [
        ("空.txt", Vec::new(), "", "请上传文件或粘贴正文"),
        ("图片.txt", vec![0u8, 1, 2, 3, 0, 255, 254, 0], "", "二进制"),
        (
            "通知.txt",
            "关于召开会议的通知。请准时参加。".as_bytes().to_vec(),
            "",
            "没有找到工作任务",
        ),
        (
            "安排.doc",
            crate::plans::refusals::ole_word(),
            "",
            "另存为 .docx",
        ),
        (
            "扫描件.pdf",
            crate::plans::refusals::pdf_without_text(),
            "",
            "此PDF没有可提取的文字\u{FF0C}可能是扫描件",
        ),
        (
            "安排.docx",
            crate::plans::refusals::zip_bomb_docx(),
            "",
            "已拒绝读取",
        ),
    ] {
        let part = if bytes.is_empty() {
            None
        } else {
            Some((name, bytes))
        };
        let resp = upload(&app, &csrf, part, text).await;
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        assert!(
            resp.text().await.unwrap_or_default().contains(expected),
            "{name}"
        );
    }
    assert_eq!(
        (app.count("plan_imports").await, app.count("plans").await),
        before
    );

    // The seed, as GB18030 bytes: decoded, parsed, stored as a draft for review.
    let (gb, _, _) = encoding_rs::GB18030.encode(std::str::from_utf8(SEED).expect("utf-8 seed"));
    let resp = upload(
        &app,
        &csrf,
        Some(("盘锦市2017年政务公开工作安排.txt", gb.to_vec())),
        "",
    )
    .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let review_url = resp.headers()["location"]
        .to_str()
        .expect("location")
        .to_string();
    let import_id: i64 = review_url
        .rsplit('/')
        .next()
        .and_then(|s| s.parse().ok())
        .expect("import id");
    let review = app.get_ok(&review_url).await;
    assert!(
        review.contains("任务 28 项,职责 44 条"),
        "{}",
        html::excerpt(&review)
    );
    assert!(review.contains("市国地税局") && review.contains("疑似笔误"));
    assert_eq!(app.count("plans").await, before.1, "a draft is not a plan");

    // Confirming with the suspected typo undecided is refused and writes nothing.
    let resp = app
        .client()
        .post(app.url(&format!("/admin/plans/imports/{import_id}/confirm")))
        .multipart(Form::new().text("csrf_token", csrf.clone()))
        .send()
        .await
        .expect("confirm");
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        resp.text()
            .await
            .unwrap_or_default()
            .contains("单位“市国地税局”尚未对应到机构")
    );
    assert_eq!(app.count("plans").await, before.1);

    // A person maps it to both tax bureaus and picks a column for the monthly fiscal figures.
    let index = review
        .split("name=\"unit_name.")
        .skip(1)
        .find(|chunk| chunk.contains("value=\"市国地税局\""))
        .and_then(|chunk| chunk.split('"').next())
        .expect("unit field for 市国地税局")
        .to_string();
    let state_tax = app.org_id("市国税局").await;
    let local_tax = app.org_id("市地税局").await;
    let fiscal = app.column_id("czyjs").await;
    let form = Form::new()
        .text("csrf_token", csrf.clone())
        .text(format!("unit_name.{index}"), "市国地税局")
        .text(format!("unit.{index}"), state_tax.to_string())
        .text(format!("unit.{index}"), local_tax.to_string())
        .text("col.0.1.0", fiscal.to_string());
    let resp = app
        .client()
        .post(app.url(&format!("/admin/plans/imports/{import_id}/confirm")))
        .multipart(form)
        .send()
        .await
        .expect("confirm");
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let plan_url = resp.headers()["location"]
        .to_str()
        .expect("location")
        .split('?')
        .next()
        .expect("path")
        .to_string();
    let page = app.get_ok(&plan_url).await;
    assert!(page.contains("公开预期引导信息"));
    assert!(
        page.contains("栏目 财政预决算"),
        "the chosen column is bound"
    );
    assert_eq!(app.count("plans").await, before.1 + 1);
    assert_eq!(app.count("plan_tasks").await, 28);
    assert_eq!(app.count("plan_duties").await, 44);

    // Confirming again is refused.
    let resp = app
        .client()
        .post(app.url(&format!("/admin/plans/imports/{import_id}/confirm")))
        .multipart(Form::new().text("csrf_token", csrf.clone()))
        .send()
        .await
        .expect("confirm");
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("plans").await, before.1 + 1);
});

both_backends!(
    only_the_supervising_office_imports_plans,
    |app| async move {
        let finance = app.org_id("市财政局").await;
        app.create_user("bianji", Role::Editor, Some(finance)).await;
        app.create_user("gongkaiban", Role::Supervisor, None).await;
        let editor = app.new_client();
        app.login_as(&editor, "bianji", PASSWORD).await;
        let r = editor
            .get(app.url("/admin/plans/import"))
            .send()
            .await
            .expect("get");
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let supervisor = app.new_client();
        app.login_as(&supervisor, "gongkaiban", PASSWORD).await;
        let r = supervisor
            .get(app.url("/admin/plans/import"))
            .send()
            .await
            .expect("get");
        assert_eq!(r.status(), StatusCode::OK);
    }
);
