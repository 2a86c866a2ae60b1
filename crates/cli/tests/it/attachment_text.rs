//! Attachment text (issue 5): extracted at upload from DOCX (built here with docx-rs) and PDF
//! (that DOCX converted by LibreOffice), scanned by the content guard with real-format numbers
//! (valid and invalid checksums), indexed for search (a word only in an attachment finds the
//! item; a non-public item's attachment never does), backfilled by `search reindex`; the search
//! API with facets and cursors; the sitemap split into files.

use crate::support::TestApp;
use gongkai_db::attachments::{self, ExtractedText, NewAttachment, TextStatus};
use gongkai_search::Filters;
use reqwest::StatusCode;
use reqwest::multipart::Part;
use std::path::Path;
use std::process::Command;

/// 直接发布 (publish without review) needs a reason since the publishing workflow.
const REASON: &str = "紧急发布，事后补审";

/// GB 11643: check character 3 is right, 4 is wrong.
const VALID_ID: &str = "211102198001011233";
const INVALID_ID: &str = "211102198001011234";
const MOBILE: &str = "13812345678";
/// 1 followed by 2 is no mobile number.
const NOT_MOBILE: &str = "12812345678";
const LANDLINE: &str = "0427-2812345";
/// Luhn-valid and the same with the last digit changed.
const CARD: &str = "6217000123456788";
const BAD_CARD: &str = "6217000123456789";
const DOCX_CT: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// A DOCX of a 低保 list: every number in a sentence of its own, plus a table.
fn numbers_docx() -> Vec<u8> {
    use docx_rs::{Docx, Paragraph, Run, Table, TableCell, TableRow};
    let p = |t: &str| Paragraph::new().add_run(Run::new().add_text(t));
    let cell = |t: &str| TableCell::new().add_paragraph(p(t));
    let mut buf = std::io::Cursor::new(Vec::new());
    Docx::new()
        .add_paragraph(p("城乡低保对象审批名单公示"))
        .add_paragraph(p(&format!("申请人王某，身份证号{VALID_ID}，住址盘锦市。")))
        .add_paragraph(p(&format!(
            "申请人李某，身份证号{INVALID_ID}，校验位不对。"
        )))
        .add_paragraph(p(&format!("联系电话{MOBILE}，另记{NOT_MOBILE}。")))
        .add_paragraph(p(&format!("办公电话{LANDLINE}。")))
        .add_paragraph(p(&format!("收款账号{CARD}，错号{BAD_CARD}。")))
        .add_table(Table::new(vec![
            TableRow::new(vec![cell("姓名"), cell("备注")]),
            TableRow::new(vec![cell("王某"), cell("低保边缘家庭")]),
        ]))
        .build()
        .pack(&mut buf)
        .expect("pack docx");
    buf.into_inner()
}

/// `docx` converted to PDF by LibreOffice (installed by scripts/test).
fn to_pdf(docx: &[u8], work: &Path) -> Vec<u8> {
    let src = work.join("名单.docx");
    std::fs::write(&src, docx).expect("write docx");
    let out = work.join("pdf");
    let status = Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            work.join("lo-profile").display()
        ))
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(&out)
        .arg(&src)
        .env("HOME", work)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "soffice not found ({e}): run scripts/test, which installs libreoffice-writer-nogui"
            )
        });
    assert!(
        status.status.success(),
        "soffice failed: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    std::fs::read(out.join("名单.pdf")).expect("the converted PDF")
}

async fn status_of(app: &TestApp, id: i64) -> String {
    gongkai_db::items::get(&mut *app.conn().await, id)
        .await
        .expect("item")
        .status
}

/// Creates an item in the editor with `files` attached and asks to publish it; returns its id
/// and the redirect.
async fn create_with_files(
    app: &TestApp,
    title: &str,
    body: &str,
    files: Vec<(&str, Vec<u8>)>,
) -> (i64, String) {
    let me = app.signed_in(app.client());
    let mut form = me
        .multipart()
        .await
        .text("title", title.to_string())
        .text("org_id", app.org_id("市民政局").await.to_string())
        .text("column_ids", app.column_id("tzgg").await.to_string())
        .text("body_format", "markdown")
        .text("body", body.to_string())
        .text("disclosure", "proactive")
        .text("action", "publish");
    for (name, bytes) in files {
        form = form.part(
            "attachments",
            Part::bytes(bytes).file_name(name.to_string()),
        );
    }
    let resp = me.post_multipart("/admin/items", form).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let location = resp.headers()["location"]
        .to_str()
        .expect("location")
        .to_string();
    let id = location
        .trim_start_matches("/admin/items/")
        .split('/')
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("item id in {location}"));
    (id, location)
}

both_backends!(
    guard_finds_numbers_in_body_docx_and_pdf_attachments,
    |app| async move {
        app.login_admin().await;
        let work = tempfile::tempdir().unwrap();
        let docx = numbers_docx();
        let pdf = to_pdf(&docx, work.path());
        let body = format!("正文：申请人身份证号{VALID_ID}，另一号码{INVALID_ID}校验位不对。");
        let (id, location) = create_with_files(
            &app,
            "关于城乡低保对象审批名单的公示",
            &body,
            vec![("名单.docx", docx), ("名单.pdf", pdf)],
        )
        .await;
        assert!(location.ends_with("notice=guard_blocked"), "{location}");
        assert_eq!(status_of(&app, id).await, "draft");

        // Both files' text was stored with the rows, Chinese included.
        let texts = attachments::texts_of_item(&mut *app.conn().await, id)
            .await
            .unwrap();
        assert_eq!(texts.len(), 2);
        for t in &texts {
            assert_eq!(
                t.status(),
                TextStatus::Extracted,
                "{}: {}",
                t.file_name,
                t.text_note
            );
            let text = t.extracted_text.as_deref().unwrap_or_default();
            for want in [
                "低保对象审批名单",
                VALID_ID,
                MOBILE,
                LANDLINE,
                CARD,
                "低保边缘家庭",
            ] {
                assert!(
                    text.contains(want),
                    "{} lacks {want}: {text:?}",
                    t.file_name
                );
            }
        }

        // The editor lists every hit in context with the file it is in; invalid checksums and a
        // non-mobile number are not hits. Body: 1; each file: ID, mobile, landline, card.
        let edit = format!("/admin/items/{id}/edit");
        let page = app.get_ok(&edit).await;
        assert!(
            page.contains("发现 9 处个人信息或错误"),
            "{}",
            crate::support::html::excerpt(&page)
        );
        for file in ["名单.docx", "名单.pdf"] {
            assert!(page.contains(&format!("附件“{file}”第")), "{file}");
        }
        for valid in [VALID_ID, MOBILE, LANDLINE, CARD] {
            assert!(page.contains(&format!("<mark>{valid}</mark>")), "{valid}");
        }
        for invalid in [INVALID_ID, NOT_MOBILE, BAD_CARD] {
            assert!(
                !page.contains(&format!("<mark>{invalid}</mark>")),
                "{invalid}"
            );
        }
        assert!(page.contains("无法在线脱敏"));
        assert!(page.contains(&format!("身份证号<mark>{VALID_ID}</mark>，住址盘锦市")));

        // Publishing is refused, naming the attachments; nothing changes.
        let me = app.signed_in(app.client());
        let publish = format!("/admin/items/{id}/publish");
        let (status, page) = me.submit(&publish, &[("reason", REASON)]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("内容安全检查发现9处个人信息或错误，未发布"));
        assert!(page.contains("附件中的内容无法在线脱敏"));
        assert!(page.contains("附件“名单.pdf”第"), "pdf line");
        assert!(page.contains("处发现身份证号：211102********1233"));
        assert_eq!(status_of(&app, id).await, "draft");

        // 一键脱敏 fixes the body only; the files still block.
        let version = crate::support::html::hidden_input(&page, "version").expect("version");
        let (status, location) = me
            .submit(
                &format!("/admin/items/{id}/guard/mask"),
                &[("version", &version)],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
        let (status, page) = me.submit(&publish, &[("reason", REASON)]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            page.contains("内容安全检查发现8处"),
            "{}",
            crate::support::html::excerpt(&page)
        );
        let again = {
            let item = gongkai_db::items::get(&mut *app.conn().await, id)
                .await
                .unwrap();
            item.version.to_string()
        };
        let (_, location) = me
            .submit(
                &format!("/admin/items/{id}/guard/mask"),
                &[("version", &again)],
            )
            .await;
        assert!(
            location.ends_with("notice=guard_attachments_only"),
            "{location}"
        );

        // Removing the files (the remedy for a PDF) unblocks publishing.
        for t in &texts {
            let (status, _) = me
                .submit(
                    &format!("/admin/items/{id}/attachments/{}/delete", t.id),
                    &[("confirm", "1")],
                )
                .await;
            assert_eq!(status, StatusCode::SEE_OTHER);
        }
        let (status, location) = me.submit(&publish, &[("reason", REASON)]).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
        assert_eq!(status_of(&app, id).await, "published");
    }
);

/// Adds `bytes` as an attachment of `item` through the db layer, text extracted as at upload.
async fn attach(app: &TestApp, item: i64, name: &str, ct: &str, bytes: &[u8]) -> i64 {
    let sha = app.state().storage.put(bytes).await.expect("store");
    let text = gongkai_search::extract::extract_guarded(bytes, ct);
    let mut tx = app.db().begin().await.unwrap();
    let id = attachments::add(
        &mut tx,
        &app.actor(),
        &NewAttachment {
            item_id: item,
            file_name: name,
            content_type: ct,
            size_bytes: bytes.len() as i64,
            sha256: &sha,
            text: &text,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

both_backends!(
    attachment_hits_are_overridden_with_a_reason_and_found_by_the_scan,
    |app| async move {
        app.login_admin().await;
        let docx = numbers_docx();
        // Published before the guard read attachments (straight through the db layer).
        let old = app
            .create_item(app.item("市民政局", "tzgg", "往年低保名单").await)
            .await;
        attach(&app, old, "往年名单.docx", DOCX_CT, &docx).await;
        app.publish(old).await;
        let page = app.get_ok("/admin/guard").await;
        assert!(page.contains(&format!("/admin/items/{old}/edit")));
        assert!(
            page.contains("附件“往年名单.docx”第"),
            "{}",
            crate::support::html::excerpt(&page)
        );
        assert!(page.contains(&format!("<mark>{VALID_ID}</mark>")));

        // A draft whose attachment holds an office phone the unit publishes on purpose.
        let mut f = app.item("市民政局", "tzgg", "办事指南").await;
        f.body = "详见附件。".into();
        let id = app.create_item(f).await;
        attach(
            &app,
            id,
            "联系方式.txt",
            "text/plain; charset=utf-8",
            format!("咨询电话{LANDLINE}。").as_bytes(),
        )
        .await;
        let me = app.signed_in(app.client());
        // Released by a reviewer who did not write it (never by the author), then published.
        let org = app.org_id("市民政局").await;
        app.create_user("at_rev", gongkai_domain::role::Role::Reviewer, Some(org))
            .await;
        let rev = app.user("at_rev", crate::support::PASSWORD).await;
        let keys =
            crate::workflow::release_keys(&rev.get_ok(&format!("/admin/items/{id}/edit")).await);
        assert_eq!(keys.len(), 1, "{keys:?}");
        let (status, location) = rev
            .submit(
                &format!("/admin/items/{id}/guard/release"),
                &[
                    (keys[0].0.as_str(), keys[0].1.as_str()),
                    ("override_reason", "附件所列为单位对外公开的办公电话"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
        let (status, location) = me
            .submit(&format!("/admin/items/{id}/publish"), &[("reason", REASON)])
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
        let after: String = sqlx::query_scalar(
            "SELECT after_json FROM audit_log WHERE action = 'item.publish' AND entity_id = $1",
        )
        .bind(id.to_string())
        .fetch_one(&mut *app.conn().await)
        .await
        .expect("publish audit entry");
        let after: serde_json::Value = serde_json::from_str(&after).unwrap();
        let g = &after["guard_override"];
        assert_eq!(g["reason"], "附件所列为单位对外公开的办公电话");
        assert_eq!(g["hits"][0]["kind"], "landline");
        assert_eq!(g["hits"][0]["attachment"]["file_name"], "联系方式.txt");
        assert!(!after.to_string().contains("2812345"), "masked in the log");
    }
);

/// The items (not the other kinds) found for `q`, sorted by id.
fn hit_ids(app: &TestApp, q: &str, f: Filters) -> Vec<i64> {
    let f = Filters {
        search_kind: Some(gongkai_domain::model::SearchKind::Item),
        ..f
    };
    let mut v: Vec<i64> = app
        .state()
        .search
        .index
        .search(q, f, 1)
        .unwrap()
        .hits
        .iter()
        .map(|h| h.id)
        .collect();
    v.sort_unstable();
    v
}

async fn sync(app: &TestApp) {
    app.state().search.catch_up(app.db()).await.expect("sync");
}

both_backends!(
    search_reads_attachments_of_public_items_only,
    |app| async move {
        sync(&app).await;
        let plain = |s: &str| s.as_bytes().to_vec();
        let txt = "text/plain; charset=utf-8";
        // A public item whose attachment alone says 殡葬改革.
        let public = app
            .create_item(
                app.item("市民政局", "tzgg", "关于做好清明节工作的通知")
                    .await,
            )
            .await;
        attach(
            &app,
            public,
            "方案.txt",
            txt,
            &plain("推进殡葬改革，倡导文明祭扫。"),
        )
        .await;
        app.publish(public).await;
        // A draft, a 依申请公开 item and a withdrawn item with the same word in attachments.
        let draft = app
            .create_item(app.item("市民政局", "tzgg", "草稿通知").await)
            .await;
        attach(&app, draft, "草稿.txt", txt, &plain("殡葬改革草稿")).await;
        let mut f = app.item("市民政局", "tzgg", "依申请通知").await;
        f.disclosure = "on_request".into();
        f.disclosure_reason = "涉及个人隐私".into();
        let on_request = app.create_item(f).await;
        attach(&app, on_request, "隐私.txt", txt, &plain("殡葬改革名单")).await;
        app.publish(on_request).await;
        let withdrawn = app
            .create_item(app.item("市民政局", "tzgg", "撤回通知").await)
            .await;
        attach(&app, withdrawn, "撤回.txt", txt, &plain("殡葬改革撤回")).await;
        app.publish(withdrawn).await;
        app.unpublish(withdrawn).await;
        sync(&app).await;

        assert_eq!(hit_ids(&app, "殡葬改革", Filters::default()), vec![public]);
        let r = app
            .state()
            .search
            .index
            .search("殡葬", Filters::default(), 1)
            .unwrap();
        assert_eq!(r.hits.len(), 1);
        assert!(
            r.hits[0].snippet_html.starts_with("附件："),
            "{}",
            r.hits[0].snippet_html
        );
        assert!(r.hits[0].snippet_html.contains("<b>殡葬</b>"));
        for q in ["草稿", "隐私", "名单", "撤回"] {
            assert!(
                hit_ids(&app, q, Filters::default()).is_empty(),
                "{q} leaked"
            );
        }
        // Through the portal page and the API as well.
        let page = app.get_ok("/search?q=%E6%AE%A1%E8%91%AC").await;
        assert!(page.contains(&format!("/items/{public}")));
        assert!(!page.contains(&format!("/items/{draft}\"")));

        // An attachment added to a published item is indexed through the outbox; removing it
        // takes the words out again.
        let a = attach(&app, public, "补充.txt", txt, &plain("节地生态安葬奖补")).await;
        sync(&app).await;
        assert_eq!(hit_ids(&app, "生态安葬", Filters::default()), vec![public]);
        {
            let mut tx = app.db().begin().await.unwrap();
            attachments::remove(&mut tx, &app.actor(), a).await.unwrap();
            tx.commit().await.unwrap();
        }
        sync(&app).await;
        assert!(hit_ids(&app, "生态安葬", Filters::default()).is_empty());

        // A title match ranks above an attachment-only match.
        let titled = app
            .create_item(app.item("市民政局", "tzgg", "殡葬改革实施方案").await)
            .await;
        app.publish(titled).await;
        sync(&app).await;
        let r = app
            .state()
            .search
            .index
            .search("殡葬改革", Filters::default(), 1)
            .unwrap();
        assert_eq!(
            r.hits.iter().map(|h| h.id).collect::<Vec<_>>(),
            vec![titled, public]
        );
    }
);

both_backends!(
    reindex_backfills_text_of_old_attachments,
    |app| async move {
        // An attachment stored before extraction existed: status pending, no text.
        let id = app
            .create_item(app.item("市民政局", "tzgg", "旧附件通知").await)
            .await;
        let docx = numbers_docx();
        let sha = app.state().storage.put(&docx).await.unwrap();
        let damaged = app
            .state()
            .storage
            .put(b"%PDF-1.4\n% broken\n")
            .await
            .unwrap();
        let pending = ExtractedText::pending();
        let mut tx = app.db().begin().await.unwrap();
        for (name, ct, sha) in [
            ("旧名单.docx", DOCX_CT, sha.as_str()),
            ("损坏.pdf", "application/pdf", damaged.as_str()),
        ] {
            attachments::add(
                &mut tx,
                &app.actor(),
                &NewAttachment {
                    item_id: id,
                    file_name: name,
                    content_type: ct,
                    size_bytes: 1,
                    sha256: sha,
                    text: &pending,
                },
            )
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        app.publish(id).await;
        sync(&app).await;
        assert!(hit_ids(&app, "低保边缘家庭", Filters::default()).is_empty());

        let n = gongkai::search_cmd::backfill_text(app.db(), &app.state().storage, false)
            .await
            .unwrap();
        assert_eq!(n, 2);
        let texts = attachments::texts_of_item(&mut *app.conn().await, id)
            .await
            .unwrap();
        assert_eq!(texts[0].status(), TextStatus::Extracted);
        assert_eq!(texts[1].status(), TextStatus::Failed);
        assert!(
            texts[1].text_note.starts_with("无法提取文字"),
            "{}",
            texts[1].text_note
        );
        assert_eq!(
            gongkai::search_cmd::backfill_text(app.db(), &app.state().storage, false)
                .await
                .unwrap(),
            0,
            "nothing left"
        );
        sync(&app).await;
        assert_eq!(hit_ids(&app, "低保边缘家庭", Filters::default()), vec![id]);

        // The editor says which attachment the guard and search could not read.
        app.login_admin().await;
        let page = app.get_ok(&format!("/admin/items/{id}/edit")).await;
        assert!(
            page.contains("无法提取文字\u{FF1A}PDF 文件已损坏或格式不正确"),
            "{}",
            crate::support::html::excerpt(&page)
        );
        assert!(page.contains("内容安全检查和站内搜索未覆盖该附件"));
    }
);

both_backends!(government_terms_are_searched_whole, |app| async move {
    sync(&app).await;
    let publish = |title: &'static str| {
        let app = app.clone();
        async move {
            let id = app
                .create_item(app.item("市政府办公室", "tzgg", title).await)
                .await;
            app.publish(id).await;
            id
        }
    };
    let reform = publish("关于深化放管服改革优化营商环境的实施意见").await;
    let once = publish("全面推行最多跑一次改革").await;
    // Has 最多, 跑 and 一次 as words, which is all a query cut without the dictionary asks for.
    let decoy = publish("群众办事最多跑一趟，跑一次就能办结").await;
    let civil = publish("盘锦市民政局工作动态").await;
    let gov = publish("盘锦市人民政府常务会议").await;
    sync(&app).await;
    let none = Filters::default();
    assert_eq!(hit_ids(&app, "放管服", none), vec![reform]);
    assert_eq!(hit_ids(&app, "营商环境", none), vec![reform]);
    assert_eq!(
        hit_ids(&app, "最多跑一次", none),
        vec![once],
        "not the decoy {decoy}"
    );
    // 民政 inside 人民政府 is found too, after the whole word.
    let items = Filters {
        search_kind: Some(gongkai_domain::model::SearchKind::Item),
        ..none
    };
    let r = app.state().search.index.search("民政", items, 1).unwrap();
    let order: Vec<i64> = r.hits.iter().map(|h| h.id).collect();
    assert_eq!(order, vec![civil, gov]);
    assert_eq!(hit_ids(&app, "人民政府", none), vec![gov]);
});

async fn api_json(app: &TestApp, path: &str) -> (StatusCode, serde_json::Value) {
    let resp = app.client().get(app.url(path)).send().await.expect("GET");
    let status = resp.status();
    (status, resp.json().await.expect("json"))
}

both_backends!(api_search_pages_with_cursors_and_facets, |app| async move {
    sync(&app).await;
    let mut public = Vec::new();
    for n in 1..=25 {
        let org = if n % 5 == 0 {
            "市财政局"
        } else {
            "市民政局"
        };
        let mut f = app
            .item(org, "tzgg", &format!("政务公开工作第{n}号通知<i>"))
            .await;
        if n == 7 {
            f.validity = "repealed".into();
            f.validity_changed_on = "2017-06-01".into();
        }
        let id = app.create_item(f).await;
        app.publish(id).await;
        public.push(id);
    }
    let draft = app
        .create_item(app.item("市民政局", "tzgg", "政务公开草稿").await)
        .await;
    sync(&app).await;

    let q = "/api/v1/search?q=%E6%94%BF%E5%8A%A1%E5%85%AC%E5%BC%80&limit=10";
    let mut seen = Vec::new();
    let mut path = q.to_string();
    let mut pages = 0;
    loop {
        let (status, body) = api_json(&app, &path).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["total"], 25);
        pages += 1;
        for h in body["hits"].as_array().unwrap() {
            seen.push(h["id"].as_i64().unwrap());
            let t = h["title_html"].as_str().unwrap();
            assert!(
                t.contains("<b>政务公开</b>") && t.contains("&lt;i&gt;"),
                "{t}"
            );
            assert!(h["html_url"].as_str().unwrap().starts_with("/items/"));
        }
        match body["next_cursor"].as_str() {
            Some(c) => path = format!("{q}&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    let mut sorted = seen.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), 25, "every hit once");
    assert!(!seen.contains(&draft));

    let (_, body) = api_json(&app, q).await;
    let orgs = body["facets"]["orgs"].as_array().unwrap();
    let civil = app.org_id("市民政局").await;
    assert_eq!(orgs[0]["value"], civil.to_string());
    assert_eq!(orgs[0]["label"], "市民政局");
    assert_eq!(orgs[0]["count"], 20);
    assert_eq!(body["facets"]["validity"][0]["value"], "valid");
    assert_eq!(body["facets"]["validity"][1]["value"], "repealed");
    assert_eq!(body["facets"]["validity"][1]["count"], 1);
    assert_eq!(body["facets"]["doc_types"][0]["value"], "notice");
    assert_eq!(body["facets"]["doc_types"][0]["label"], "通知公告");

    // Filters.
    let finance = app.org_id("市财政局").await;
    let (_, body) = api_json(&app, &format!("{q}&org={finance}")).await;
    assert_eq!(body["total"], 5);
    let (_, body) = api_json(&app, &format!("{q}&validity=repealed")).await;
    assert_eq!(body["total"], 1);
    assert_eq!(body["hits"][0]["id"], public[6]);
    assert_eq!(body["hits"][0]["validity_label"], "已废止");
    let (_, body) = api_json(&app, &format!("{q}&doc_type=policy_document")).await;
    assert_eq!(body["total"], 0);
    assert!(body["next_cursor"].is_null());

    // Refusals, in Chinese, as JSON.
    let (_, first) = api_json(&app, q).await;
    let cursor = first["next_cursor"].as_str().unwrap().to_string();
    for (path, needle) in [
        (format!("{q}&cursor=zz"), "游标"),
        (format!("{q}&cursor={}", "31323a33"), "游标"),
        (
            format!("/api/v1/search?q=%E9%80%9A%E7%9F%A5&cursor={cursor}"),
            "游标",
        ),
        ("/api/v1/search".to_string(), "q 不能为空"),
        (format!("{q}&validity=gone"), "validity"),
        (format!("{q}&year=17x"), "year"),
    ] {
        let (status, body) = api_json(&app, &path).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}");
        assert_eq!(body["code"], "bad_request");
        assert!(
            body["message"].as_str().unwrap().contains(needle),
            "{path}: {body}"
        );
    }
    let (status, body) = api_json(&app, &format!("{q}&org=999999")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");

    let (_, doc) = api_json(&app, "/api/v1/openapi.json").await;
    assert!(doc["paths"]["/search"]["get"].is_object());
    assert!(doc["components"]["schemas"]["SearchResults"].is_object());
});

fn count_tag(xml: &str, tag: &str) -> usize {
    xml.matches(&format!("<{tag}>")).count()
}

both_backends!(
    sitemap_splits_into_files_beyond_the_limit,
    |app| async move {
        let base = "https://gk.example";
        let state = app.state();
        let whole = gongkai_web::render_sitemap(state, base, None, 50_000)
            .await
            .unwrap()
            .unwrap();
        let whole = String::from_utf8(whole).unwrap();
        assert!(whole.contains("<urlset"));
        let pages = count_tag(&whole, "url");
        for n in 1..=6 {
            let id = app
                .create_item(app.item("市民政局", "tzgg", &format!("通知{n}")).await)
                .await;
            app.publish(id).await;
        }
        let hidden = app
            .create_item(app.item("市民政局", "tzgg", "草稿").await)
            .await;
        let total = pages + 6;
        let limit = 5;
        let index = gongkai_web::render_sitemap(state, base, None, limit)
            .await
            .unwrap()
            .unwrap();
        let index = String::from_utf8(index).unwrap();
        let parts = total.div_ceil(limit);
        assert!(index.contains("<sitemapindex"), "{index}");
        assert_eq!(count_tag(&index, "sitemap"), parts);
        let mut locs = Vec::new();
        for n in 1..=parts {
            assert!(index.contains(&format!("<loc>{base}/sitemap-{n}.xml</loc>")));
            let part = gongkai_web::render_sitemap(state, base, Some(n), limit)
                .await
                .unwrap()
                .unwrap();
            let part = String::from_utf8(part).unwrap();
            let urls = count_tag(&part, "url");
            assert!(urls <= limit && urls > 0, "part {n}: {urls}");
            locs.extend(
                part.split("<loc>")
                    .skip(1)
                    .map(|s| s.split("</loc>").next().unwrap().to_string()),
            );
        }
        assert_eq!(locs.len(), total);
        let mut unique = locs.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), total, "no address twice");
        assert!(
            !locs
                .iter()
                .any(|l| l.ends_with(&format!("/items/{hidden}")))
        );
        assert!(
            gongkai_web::render_sitemap(state, base, Some(parts + 1), limit)
                .await
                .unwrap()
                .is_none()
        );

        // Over HTTP with the real limit: one urlset, /sitemap-1.xml the same, other names 404.
        let resp = app.get("/sitemap.xml").await;
        assert_eq!(resp.status(), StatusCode::OK);
        assert!(resp.text().await.unwrap().contains("<urlset"));
        assert_eq!(app.get("/sitemap-1.xml").await.status(), StatusCode::OK);
        for missing in [
            "/sitemap-2.xml",
            "/sitemap-x.xml",
            "/sitemap-0.xml",
            "/nothing-here",
        ] {
            assert_eq!(
                app.get(missing).await.status(),
                StatusCode::NOT_FOUND,
                "{missing}"
            );
        }
        let resp = app
            .client()
            .post(app.url("/nothing-here"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    }
);

// At the real limit: 50,001 public items (inserted in one statement) make two files.
both_backends!(sitemap_at_the_real_limit, |app| async move {
    let site = app.site_id().await;
    let org = app.org_id("市民政局").await;
    {
        let mut conn = app.conn().await;
        sqlx::query(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50001) \
             INSERT INTO items (site_id, org_id, title, body_format, status, disclosure, \
             published_at, created_at, updated_at) \
             SELECT $1, $2, 'bulk', 'markdown', 'published', 'proactive', i, i, i FROM n",
        )
        .bind(site)
        .bind(org)
        .execute(&mut *conn)
        .await
        .expect("bulk insert");
    }
    let resp = app.get("/sitemap.xml").await;
    assert_eq!(resp.status(), StatusCode::OK);
    let index = resp.text().await.unwrap();
    assert!(index.contains("<sitemapindex"));
    assert_eq!(count_tag(&index, "sitemap"), 2);
    let first = app.get_ok("/sitemap-1.xml").await;
    assert_eq!(count_tag(&first, "url"), 50_000);
    let second = app.get_ok("/sitemap-2.xml").await;
    let rest = count_tag(&second, "url");
    assert!((1..100).contains(&rest), "{rest}");
    assert!(second.contains("/orgs/") || first.contains("/orgs/"));
    assert_eq!(
        app.get("/sitemap-3.xml").await.status(),
        StatusCode::NOT_FOUND
    );
});

both_backends!(
    an_unreadable_type3_pdf_needs_a_manual_check_before_publication,
    |app| async move {
        app.login_admin().await;
        // A Type 3 font without ToUnicode, as Chromium's print to PDF writes: no text to read.
        let pdf = gongkai_extract::minimal_pdf::type3_page(14);
        let (id, location) = create_with_files(
            &app,
            "低保对象名单",
            "详见附件。",
            vec![("打印名单.pdf", pdf)],
        )
        .await;
        assert!(location.ends_with("notice=guard_blocked"), "{location}");
        assert_eq!(status_of(&app, id).await, "draft");
        let texts = attachments::texts_of_item(&mut *app.conn().await, id)
            .await
            .unwrap();
        assert_eq!(
            texts[0].status(),
            TextStatus::Failed,
            "{}",
            texts[0].text_note
        );
        assert_eq!(texts[0].text_note, gongkai_extract::file::UNDECODABLE_PDF);
        assert_eq!(texts[0].extracted_text, None);

        // The back office says so, beside the file and as a guard hit.
        let edit = format!("/admin/items/{id}/edit");
        let page = app.get_ok(&edit).await;
        let excerpt = crate::support::html::excerpt(&page);
        assert!(
            page.contains("无法提取文字\u{FF1A}PDF 使用的字体没有文字编码"),
            "{excerpt}"
        );
        assert!(page.contains("发现 1 处个人信息或错误"), "{excerpt}");
        assert!(
            page.contains("附件\u{201C}打印名单.pdf\u{201D}"),
            "{excerpt}"
        );
        assert!(page.contains("无法提取文字的附件"), "{excerpt}");

        // Publishing without a release is refused (422, the item page with why) and changes
        // nothing; so is a release whose reason does not confirm the manual check.
        let me = app.signed_in(app.client());
        let publish = format!("/admin/items/{id}/publish");
        let release = format!("/admin/items/{id}/guard/release");
        let drafts = |app: crate::support::TestApp| async move {
            let n: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM audit_log WHERE action = 'item.publish' AND entity_id = $1",
            )
            .bind(id.to_string())
            .fetch_one(&mut *app.conn().await)
            .await
            .unwrap();
            assert_eq!(n, 0);
        };
        let resp = me.post(&publish, &[("reason", REASON)]).await;
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            resp.text()
                .await
                .unwrap_or_default()
                .contains("内容安全检查发现1处")
        );
        assert_eq!(status_of(&app, id).await, "draft");
        drafts(app.clone()).await;

        // The supervising office (not the author) releases it, only with the manual check.
        app.create_user("ut_office", gongkai_domain::role::Role::Supervisor, None)
            .await;
        let office = app.user("ut_office", crate::support::PASSWORD).await;
        let keys = crate::workflow::release_keys(&office.get_ok(&edit).await);
        assert_eq!(keys.len(), 1, "{keys:?}");
        let (k, v) = (keys[0].0.as_str(), keys[0].1.as_str());
        let (s, page) = office
            .submit(&release, &[(k, v), ("override_reason", "没有问题")])
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            page.contains("确认没有个人信息后在放行理由中写明"),
            "{}",
            crate::support::html::excerpt(&page)
        );
        assert_eq!(status_of(&app, id).await, "draft");
        drafts(app.clone()).await;
        let (s, loc) = office
            .submit(
                &release,
                &[
                    (k, v),
                    (
                        "override_reason",
                        "已人工核对附件内容\u{FF0C}名单不含身份证号",
                    ),
                ],
            )
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{loc}");
        let (status, location) = me.submit(&publish, &[("reason", REASON)]).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
        assert_eq!(status_of(&app, id).await, "published");
        let audited: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE after_json LIKE $1")
                .bind("%已人工核对附件内容%")
                .fetch_one(&mut *app.conn().await)
                .await
                .unwrap();
        assert!(audited >= 1, "the confirmation is in the audit log");
    }
);

/// `html` printed to PDF by Chromium (installed by scripts/test), as a citizen's browser would:
/// its Chinese glyphs come out as Type 3 fonts with a ToUnicode map.
fn chromium_pdf(html: &str, work: &Path) -> Vec<u8> {
    let src = work.join("page.html");
    std::fs::write(&src, html).expect("write html");
    let out = work.join("page.pdf");
    let chrome = std::env::var("CHROME_BIN").unwrap_or_else(|_| "chromium".into());
    let status = Command::new(chrome)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--print-to-pdf={}", out.display()))
        .arg(format!("file://{}", src.display()))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("chromium (installed by scripts/test)");
    assert!(status.success(), "chromium print-to-pdf");
    std::fs::read(out).expect("the printed PDF")
}

both_backends!(
    a_chromium_printed_pdf_is_read_through_its_tounicode_maps,
    |app| async move {
        app.login_admin().await;
        let work = tempfile::tempdir().unwrap();
        let html = format!(
            "<!doctype html><meta charset=\"utf-8\"><body style=\"font-family: 'Noto Sans CJK SC', sans-serif\">\
             <p>低保对象名单</p><p>申请人王某\u{FF0C}证件号{VALID_ID}\u{FF0C}电话{MOBILE}\u{3002}</p></body>"
        );
        let pdf = chromium_pdf(&html, work.path());
        let item = app
            .create_item(app.item("市民政局", "tzgg", "打印的名单").await)
            .await;
        attach(&app, item, "打印名单.pdf", "application/pdf", &pdf).await;
        let texts = attachments::texts_of_item(&mut *app.conn().await, item)
            .await
            .unwrap();
        assert_eq!(
            texts[0].status(),
            TextStatus::Extracted,
            "{}",
            texts[0].text_note
        );
        let text = texts[0].extracted_text.clone().unwrap_or_default();
        for want in [VALID_ID, MOBILE, "名单"] {
            assert!(text.contains(want), "{want}: {text:?}");
        }
        let page = app.get_ok(&format!("/admin/items/{item}/edit")).await;
        assert!(
            page.contains(&format!("<mark>{VALID_ID}</mark>")),
            "{}",
            crate::support::html::excerpt(&page)
        );
    }
);

both_backends!(
    text_stored_before_the_plausibility_check_is_read_again_once,
    |app| async move {
        // An attachment stored by an older version: a Type 3 PDF whose glyph codes were kept as
        // "extracted" text, unusable by search and the guard.
        let pdf = gongkai_extract::minimal_pdf::type3_page(14);
        let id = app
            .create_item(app.item("市民政局", "tzgg", "低保对象名单").await)
            .await;
        let sha = app.state().storage.put(&pdf).await.expect("store");
        let mut tx = app.db().begin().await.unwrap();
        let attachment = attachments::add(
            &mut tx,
            &app.actor(),
            &NewAttachment {
                item_id: id,
                file_name: "打印名单.pdf",
                content_type: "application/pdf",
                size_bytes: pdf.len() as i64,
                sha256: &sha,
                text: &ExtractedText::extracted("\u{1}\u{2}\u{3}ABCD".repeat(20)),
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        assert!(
            gongkai_jobs::attachment_text::queue_text_check(app.db())
                .await
                .unwrap()
        );
        assert!(
            !gongkai_jobs::attachment_text::queue_text_check(app.db())
                .await
                .unwrap(),
            "once per database"
        );
        let cfg = gongkai_jobs::worker::WorkerConfig {
            node_id: "test-node".into(),
            schedule_scans: false,
            storage: Some(app.state().storage.clone()),
            ..Default::default()
        };
        let s = gongkai_jobs::worker::run_once(app.db(), &cfg)
            .await
            .unwrap();
        assert_eq!((s.done, s.failed), (1, 0), "{s:?}");
        let texts = attachments::texts_of_item(&mut *app.conn().await, id)
            .await
            .unwrap();
        assert_eq!(texts[0].id, attachment);
        assert_eq!(texts[0].status(), TextStatus::Failed);
        assert_eq!(texts[0].text_note, gongkai_extract::file::UNDECODABLE_PDF);
        // The guard now asks for the manual check.
        app.login_admin().await;
        let page = app.get_ok(&format!("/admin/items/{id}/edit")).await;
        assert!(
            page.contains("无法提取文字的附件"),
            "{}",
            crate::support::html::excerpt(&page)
        );
        // A second batch changes nothing.
        let again = gongkai_jobs::attachment_text::check_batch(app.db(), &app.state().storage, 0)
            .await
            .unwrap();
        assert_eq!(again.changed, 0);
    }
);
