//! The service-item catalogue and its guides (issue 17) over HTTP on both backends: a guide
//! passes the organisation's review levels and the completeness rule before it is public, each
//! publication is a version with its change note （变更记录）， the portal finds it by theme, by
//! department and by search and serves its sample form; an import with bad rows imports
//! nothing; task 19's obligations are met by publishing guides; the inspector reads the portal's
//! guides exactly as the completeness rule does.

use crate::support::users::User;
use crate::support::{PASSWORD, TestApp, html};
use gongkai_domain::role::Role;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};

const ORG: &str = "市卫计委";
const FORM_BYTES: &[u8] = "生育登记申请表\n姓名\u{FF1A}\n身份证号\u{FF1A}\n".as_bytes();

/// The fields of a complete guide; `phone` left out when `with_phone` is false.
fn fields(name: &str, with_phone: bool) -> Vec<(&'static str, String)> {
    let mut f = vec![
        ("level", "city".to_string()),
        ("name", name.to_string()),
        ("code", "11210100MB0000001X".to_string()),
        ("item_type", "public_service".to_string()),
        ("competent_dept", "市卫计委".to_string()),
        ("implementing_org", "市卫计委".to_string()),
        ("basis", "《辽宁省人口与计划生育条例》".to_string()),
        ("audience", "person".to_string()),
        ("themes", "birth".to_string()),
        ("service_object", "本市户籍居民".to_string()),
        ("conditions", "夫妻双方或一方为本市户籍".to_string()),
        ("material_name_0", "居民身份证".to_string()),
        ("material_form_0", "copy".to_string()),
        ("material_copies_0", "2".to_string()),
        ("material_source_0", "申请人自备".to_string()),
        ("material_name_1", "生育登记申请表".to_string()),
        ("material_form_1", "original".to_string()),
        ("material_copies_1", "1".to_string()),
        ("material_source_1", "窗口领取或网上下载".to_string()),
        ("steps", "申请\n受理\u{FF1A}窗口审核材料\n办结".to_string()),
        ("channels", "窗口办理".to_string()),
        ("place", "市政务服务中心二楼".to_string()),
        ("hours", "工作日 9:00-17:00".to_string()),
        ("legal_days", "20".to_string()),
        ("promised_days", "1".to_string()),
        ("fee_kind", "free".to_string()),
        ("result", "生育服务登记卡".to_string()),
        ("delivery", "当场领取".to_string()),
        ("complaint_phone", "0427-12345".to_string()),
        (
            "faq",
            "问\u{FF1A}多久办结\u{FF1F}\n答\u{FF1A}当场办结\u{3002}".to_string(),
        ),
        ("visits", "once".to_string()),
    ];
    if with_phone {
        f.push(("phone", "0427-2800000".to_string()));
    }
    f
}

async fn form(u: &User, f: &[(&'static str, String)], org: Option<i64>, file: bool) -> Form {
    let mut form = u.multipart().await;
    if let Some(o) = org {
        form = form.text("org_id", o.to_string());
    }
    for (k, v) in f {
        form = form.text(*k, v.clone());
    }
    if file {
        form = form.part(
            "material_file_1",
            Part::bytes(FORM_BYTES.to_vec()).file_name("生育登记申请表.txt"),
        );
    }
    form
}

/// Creates a guide as `u`; its id.
async fn create(u: &User, org: i64, f: &[(&'static str, String)]) -> i64 {
    let (s, loc) = u
        .submit_multipart("/admin/services", form(u, f, Some(org), true).await)
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{}", html::excerpt(&loc));
    loc.trim_start_matches("/admin/services/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

async fn act(u: &User, id: i64, action: &str, comment: &str) -> (StatusCode, String) {
    u.submit(
        &format!("/admin/services/{id}/workflow"),
        &[("action", action), ("comment", comment)],
    )
    .await
}

async fn status(app: &TestApp, id: i64) -> (String, i64, i64) {
    sqlx::query_as("SELECT status, review_level, public FROM service_items WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *app.conn().await)
        .await
        .unwrap()
}

async fn people(app: &TestApp, org: i64) -> (User, User, User) {
    app.create_user("wjw_editor", Role::Editor, Some(org)).await;
    app.create_user("wjw_first", Role::Reviewer, Some(org))
        .await;
    app.create_user("wjw_second", Role::Reviewer, Some(org))
        .await;
    (
        app.user("wjw_editor", PASSWORD).await,
        app.user("wjw_first", PASSWORD).await,
        app.user("wjw_second", PASSWORD).await,
    )
}

/// Passes a submitted guide through both review levels and publishes it.
async fn review_and_publish(app: &TestApp, id: i64, editor: &User, first: &User, second: &User) {
    assert_eq!(act(first, id, "approve", "").await.0, StatusCode::SEE_OTHER);
    assert_eq!(status(app, id).await.1, 2);
    assert_eq!(
        act(second, id, "approve", "").await.0,
        StatusCode::SEE_OTHER
    );
    let (s, page) = act(editor, id, "publish", "").await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{}", html::excerpt(&page));
}

async fn two_levels(app: &TestApp, org: i64) {
    let mut conn = app.conn().await;
    gongkai_db::workflow::set_review_levels(&mut conn, &app.actor(), org, 2)
        .await
        .unwrap();
}

both_backends!(
    a_guide_passes_every_review_level_and_completeness_before_it_is_public_in_versions,
    |app| async move {
        let org = app.org_id(ORG).await;
        two_levels(&app, org).await;
        let (editor, first, second) = people(&app, org).await;
        let audit_before: i64 = app.audit_count().await;

        // Without 咨询电话 the guide is saved but cannot be submitted or published.
        let id = create(&editor, org, &fields("生育登记", false)).await;
        let (s, page) = act(&editor, id, "submit", "").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("缺少咨询电话"), "{}", html::excerpt(&page));
        assert_eq!(status(&app, id).await.0, "draft");
        let (s, _) = act(&editor, id, "publish", "").await;
        assert_ne!(s, StatusCode::SEE_OTHER, "never published without review");

        // Completed, kept form file, submitted; the author never reviews it, nor one person both levels.
        let mut f = fields("生育登记", true);
        f.push(("material_keep_1", "1".to_string()));
        f.push(("version", "1".to_string()));
        let (s, loc) = editor
            .submit_multipart(
                &format!("/admin/services/{id}/edit"),
                form(&editor, &f, None, false).await,
            )
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{}", html::excerpt(&loc));
        assert_eq!(
            act(&editor, id, "submit", "").await.0,
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            act(&editor, id, "approve", "").await.0,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            act(&first, id, "approve", "").await.0,
            StatusCode::SEE_OTHER
        );
        assert_ne!(
            act(&first, id, "approve", "").await.0,
            StatusCode::SEE_OTHER
        );
        assert_eq!(app.get(&format!("/bsfw/{id}")).await.status(), 404);
        assert_eq!(
            act(&second, id, "approve", "").await.0,
            StatusCode::SEE_OTHER
        );
        assert_eq!(status(&app, id).await.0, "approved");
        assert_eq!(app.get(&format!("/bsfw/{id}")).await.status(), 404);
        assert_eq!(
            act(&editor, id, "publish", "").await.0,
            StatusCode::SEE_OTHER
        );
        assert_eq!(status(&app, id).await, ("published".into(), 0, 1));

        // The portal: every element under its label, the flowchart, the form to download.
        let page = app.get_ok(&format!("/bsfw/{id}")).await;
        for label in [
            "事项名称",
            "设定依据",
            "申请条件",
            "办理材料",
            "办理流程",
            "办理时限",
            "收费标准",
            "咨询电话",
            "到现场次数",
            "最多跑一次",
            "不收费",
        ] {
            assert!(page.contains(label), "{label}: {}", html::excerpt(&page));
        }
        assert!(page.contains("<svg"), "the flowchart is drawn");
        let href = format!("/bsfw/{id}/forms/1");
        assert!(page.contains(&href));
        let file = app.get(&href).await;
        assert_eq!(file.status(), 200);
        assert_eq!(file.bytes().await.unwrap().as_ref(), FORM_BYTES);
        let by_theme = app.get_ok("/bsfw?theme=birth").await;
        assert!(by_theme.contains(&format!("/bsfw/{id}")));
        let by_dept = app.get_ok(&format!("/bsfw?org={org}")).await;
        assert!(by_dept.contains(&format!("/bsfw/{id}")));
        let searched = app
            .get_ok("/bsfw?q=%E7%94%9F%E8%82%B2%E7%99%BB%E8%AE%B0")
            .await;
        assert!(searched.contains(&format!("/bsfw/{id}")));
        let other = app.get_ok("/bsfw?theme=start_business").await;
        assert!(!other.contains(&format!("/bsfw/{id}")));

        // A new version: its change note is required; the public keeps version 1 until review.
        let mut f = fields("生育登记服务", true);
        f.push(("material_keep_1", "1".to_string()));
        let version: i64 = sqlx::query_scalar("SELECT version FROM service_items WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *app.conn().await)
            .await
            .unwrap();
        f.push(("version", version.to_string()));
        let (s, page) = editor
            .submit_multipart(
                &format!("/admin/services/{id}/edit"),
                form(&editor, &f, None, false).await,
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("请填写变更说明"), "{}", html::excerpt(&page));
        f.push(("change_note", "事项名称按省目录调整".to_string()));
        let (s, _) = editor
            .submit_multipart(
                &format!("/admin/services/{id}/edit"),
                form(&editor, &f, None, false).await,
            )
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let page = app.get_ok(&format!("/bsfw/{id}")).await;
        assert!(page.contains("生育登记办事指南") && !page.contains("生育登记服务办事指南"));
        assert_eq!(
            act(&editor, id, "submit", "").await.0,
            StatusCode::SEE_OTHER
        );
        review_and_publish(&app, id, &editor, &first, &second).await;
        let page = app.get_ok(&format!("/bsfw/{id}")).await;
        assert!(
            page.contains("生育登记服务办事指南"),
            "{}",
            html::excerpt(&page)
        );
        assert!(page.contains("变更记录") && page.contains("首次发布"));
        assert!(page.contains("第 2 版") && page.contains("事项名称按省目录调整"));
        assert!(
            page.contains(&href),
            "the kept form is still offered in the new version"
        );

        // Every change was audited; withdrawal takes the guide off the portal.
        let audited: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_log WHERE entity = 'service_item' AND entity_id = $1",
        )
        .bind(id.to_string())
        .fetch_one(&mut *app.conn().await)
        .await
        .unwrap();
        // create, 2 edits, 2 submissions, 4 approvals, 2 publications; refusals wrote nothing.
        assert_eq!(audited, 11);
        assert!(app.audit_count().await > audit_before);
        let (s, _) = act(&first, id, "withdraw", "").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "a reason is required");
        assert_eq!(
            act(&first, id, "withdraw", "事项已取消").await.0,
            StatusCode::SEE_OTHER
        );
        assert_eq!(app.get(&format!("/bsfw/{id}")).await.status(), 404);
        assert_eq!(app.get(&href).await.status(), 404);
        assert!(
            !app.get_ok("/bsfw?theme=birth")
                .await
                .contains(&format!("/bsfw/{id}"))
        );
    }
);

both_backends!(
    another_organisations_editor_neither_sees_nor_edits_the_guide,
    |app| async move {
        let org = app.org_id(ORG).await;
        let other = app.org_id("市财政局").await;
        let (editor, _, _) = people(&app, org).await;
        let id = create(&editor, org, &fields("生育登记", true)).await;
        app.create_user("cz_editor", Role::Editor, Some(other))
            .await;
        let stranger = app.user("cz_editor", PASSWORD).await;
        assert_eq!(
            stranger
                .get(&format!("/admin/services/{id}"))
                .await
                .status(),
            404
        );
        assert_eq!(
            act(&stranger, id, "submit", "").await.0,
            StatusCode::NOT_FOUND
        );
        let (s, _) = stranger
            .submit_multipart(
                "/admin/services",
                form(&stranger, &fields("冒名", true), Some(org), false).await,
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }
);

/// An XLSX of `rows` under the import's headers.
fn xlsx(rows: &[Vec<&str>]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let headers = [
        "层级",
        "事项名称",
        "事项编码",
        "受理条件",
        "申请材料",
        "办理流程",
        "承诺时限",
        "收费",
        "联系电话",
        "主题",
    ];
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            sheet.write_string(r as u32 + 1, c as u16, *v).unwrap();
        }
    }
    book.save_to_buffer().unwrap()
}

async fn upload(u: &User, org: i64, bytes: Vec<u8>) -> String {
    let form = u
        .multipart()
        .await
        .text("org_id", org.to_string())
        .part("file", Part::bytes(bytes).file_name("目录.xlsx"));
    let (s, loc) = u.submit_multipart("/admin/services/import", form).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{}", html::excerpt(&loc));
    loc
}

both_backends!(
    an_import_with_bad_rows_imports_nothing_and_a_good_one_everything,
    |app| async move {
        let org = app.org_id(ORG).await;
        let (editor, _, _) = people(&app, org).await;
        let good = vec![
            "市级",
            "生育登记",
            "11210100MB0000001X",
            "本市户籍",
            "身份证|复印件|1|自备",
            "申请\n办结",
            "1",
            "不收费",
            "0427-1",
            "生育收养",
        ];
        let bad_level = vec!["省级", "再生育审批", "", "", "", "", "", "", "", ""];
        let bad_days = vec![
            "县\u{FF08}区\u{FF09}级",
            "独生子女证",
            "",
            "",
            "",
            "",
            "三天",
            "",
            "",
            "",
        ];
        let duplicate = vec![
            "市级",
            "生育登记副本",
            "11210100MB0000001X",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ];
        let before = app.count("service_items").await;

        let review = upload(&editor, org, xlsx(&[good.clone(), bad_level, bad_days])).await;
        let page = editor.get_ok(&review).await;
        assert!(
            page.contains("第 3 行") && page.contains("第 4 行"),
            "{}",
            html::excerpt(&page)
        );
        assert!(page.contains("事项层级"), "{}", html::excerpt(&page));
        let (s, page) = editor.submit(&review, &[]).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            page.contains("没有导入任何事项")
                && page.contains("第 3 行")
                && page.contains("第 4 行")
        );
        assert_eq!(
            app.count("service_items").await,
            before,
            "nothing half-imported"
        );

        // A duplicate code within the file is refused by storage, naming its row: still nothing.
        let review = upload(&editor, org, xlsx(&[good.clone(), duplicate])).await;
        let (s, page) = editor.submit(&review, &[]).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("第 3 行"), "{}", html::excerpt(&page));
        assert_eq!(app.count("service_items").await, before);

        // Someone else cannot see or apply another's upload.
        app.create_user("wjw_other", Role::Editor, Some(org)).await;
        let other = app.user("wjw_other", PASSWORD).await;
        assert_eq!(other.get(&review).await.status(), 404);

        let review = upload(&editor, org, xlsx(&[good])).await;
        let (s, loc) = editor.submit(&review, &[]).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{}", html::excerpt(&loc));
        assert_eq!(app.count("service_items").await, before + 1);
        let guide: String =
            sqlx::query_scalar("SELECT draft FROM service_items WHERE name = '生育登记'")
                .fetch_one(&mut *app.conn().await)
                .await
                .unwrap();
        assert!(
            guide.contains("身份证") && guide.contains("birth"),
            "{guide}"
        );

        // Exports: the same columns as the import (it imports again) and JSON.
        let x = editor.get("/admin/services/export.xlsx").await;
        assert_eq!(x.status(), 200);
        let bytes = x.bytes().await.unwrap();
        let rows = gongkai_extract::table::rows(&bytes).unwrap();
        assert_eq!(rows[0][1], "事项名称");
        assert_eq!(rows[1][1], "生育登记");
        let j = editor.get_ok("/admin/services/export.json").await;
        let v: serde_json::Value = serde_json::from_str(&j).unwrap();
        assert_eq!(v["items"][0]["guide"]["name"], "生育登记");
    }
);

/// 放行 of the guide's `hits` (their keys) as `u`, with `reason`.
async fn release(u: &User, id: i64, hits: &[String], reason: &str) -> (StatusCode, String) {
    let mut form: Vec<(String, &str)> = hits
        .iter()
        .enumerate()
        .map(|(i, k)| (format!("release_hit_{i}"), k.as_str()))
        .collect();
    form.push(("override_reason".into(), reason));
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    u.submit(&format!("/admin/services/{id}/guard/release"), &pairs)
        .await
}

/// A resident ID number （GB 11643, valid check digit） used by the guard tests.
const ID_NUMBER: &str = "110101199003074514";

both_backends!(
    the_content_guard_refuses_a_guide_with_an_id_number_until_a_reviewer_releases_it,
    |app| async move {
        let org = app.org_id(ORG).await;
        let (editor, first, _) = people(&app, org).await;
        // An ID number in 办理材料 and a mobile number in the FAQ; 咨询电话 is the office's own.
        let f: Vec<(&'static str, String)> = fields("生育登记", true)
            .into_iter()
            .map(|(k, v)| match k {
                "material_source_0" => (k, format!("样例\u{FF1A}{ID_NUMBER}")),
                "faq" => (
                    k,
                    "问\u{FF1A}找谁咨询\u{FF1F}\n答\u{FF1A}经办人13912345678\u{3002}".to_string(),
                ),
                _ => (k, v),
            })
            .collect();
        let id = create(&editor, org, &f).await;
        assert_eq!(
            act(&editor, id, "submit", "").await.0,
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            act(&first, id, "approve", "").await.0,
            StatusCode::SEE_OTHER
        );
        let audit_before = app.audit_count().await;

        let (s, page) = act(&editor, id, "publish", "").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        let text = html::decode(&page);
        assert!(
            text.contains("内容安全检查发现2处个人信息或错误\u{FF0C}办事指南未发布"),
            "{}",
            html::excerpt(&page)
        );
        // Each hit with its place: the refused page lists them.
        assert!(
            text.contains("<td>办理材料第10字</td><td>身份证号</td>"),
            "{text}"
        );
        assert!(
            text.contains("<td>常见问题第10字</td><td>手机号</td>"),
            "{text}"
        );
        assert!(
            !text.contains("固定电话"),
            "the office's own phone is no hit"
        );
        // Nothing is published and nothing written.
        assert_eq!(status(&app, id).await, ("approved".into(), 0, 0));
        assert_eq!(app.audit_count().await, audit_before);
        assert_eq!(app.get(&format!("/bsfw/{id}")).await.status(), 404);
        let versions: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM service_versions WHERE item_id = $1")
                .bind(id)
                .fetch_one(&mut *app.conn().await)
                .await
                .unwrap();
        assert_eq!(versions, 0);

        // The detail page lists the hits; the author may not release them.
        let detail = editor.get_ok(&format!("/admin/services/{id}")).await;
        assert!(detail.contains("内容安全检查\u{FF1A}发现 2 处个人信息或错误"));
        let keys: Vec<String> = [
            format!("resident_id:{ID_NUMBER}"),
            "mobile:13912345678".into(),
        ]
        .into();
        assert_eq!(
            release(&editor, id, &keys, "样例号码").await.0,
            StatusCode::FORBIDDEN
        );
        // A reviewer releases one hit: the other still blocks.
        let (s, _) = release(&first, id, &keys[..1], "样例号码为虚构的示例").await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (s, page) = act(&editor, id, "publish", "").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            html::decode(&page).contains("内容安全检查发现1处"),
            "{}",
            html::excerpt(&page)
        );
        let (s, _) = release(&first, id, &keys[1..], "").await;
        assert_eq!(
            s,
            StatusCode::UNPROCESSABLE_ENTITY,
            "a release needs its reason"
        );
        let (s, _) = release(&first, id, &keys[1..], "经办人同意公开其工作手机").await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        assert_eq!(
            act(&editor, id, "publish", "").await.0,
            StatusCode::SEE_OTHER
        );
        assert_eq!(status(&app, id).await, ("published".into(), 0, 1));
        let released: Vec<(String, String)> = sqlx::query_as(
            "SELECT kind, actor_name FROM service_guard_releases WHERE item_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&mut *app.conn().await)
        .await
        .unwrap();
        assert_eq!(
            released.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
            ["resident_id", "mobile"]
        );
    }
);

/// A complete guide of `org` published through the workflow by the system (one review level),
/// without `phone` when `with_phone` is false: for pages other tests look at.
pub async fn published_guide(app: &TestApp, org: i64, name: &str, with_phone: bool) -> i64 {
    use gongkai_db::services;
    let pairs = fields(name, with_phone);
    let mut f = gongkai_domain::service::GuideFields::default();
    let by: std::collections::HashMap<&str, &str> =
        pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    f.level = by["level"].into();
    f.name = by["name"].into();
    f.basis = by["basis"].into();
    f.conditions = by["conditions"].into();
    f.themes = vec![by["themes"].into()];
    f.audience = by["audience"].into();
    f.steps = by["steps"].into();
    f.promised_days = by["promised_days"].into();
    f.fee_kind = by["fee_kind"].into();
    f.phone = by.get("phone").copied().unwrap_or_default().into();
    f.materials = vec![gongkai_domain::service::fields::MaterialFields {
        name: by["material_name_0"].into(),
        ..Default::default()
    }];
    let (level, guide) = f.validate().unwrap();
    let actor = gongkai_db::Actor::system();
    let all = gongkai_db::workflow::Rights {
        can_edit: true,
        can_review: true,
        can_withdraw: true,
    };
    let mut tx = app.db().begin().await.unwrap();
    let id = services::create(&mut tx, &actor, org, level, &guide)
        .await
        .unwrap();
    services::submit(&mut tx, &actor, id, all).await.unwrap();
    services::review(&mut tx, &actor, id, all, true, "")
        .await
        .unwrap();
    services::publish(&mut tx, &actor, id, all).await.unwrap();
    tx.commit().await.unwrap();
    id
}

both_backends!(
    task_19_is_met_by_publishing_guides_dated_by_first_publication,
    |app| async move {
        let mut tx = app.db().begin().await.unwrap();
        let plan = gongkai_db::plans::import_builtin(&mut tx, &app.actor(), "panjin-2017")
            .await
            .unwrap()
            .plan_id;
        tx.commit().await.unwrap();
        let owners: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT id, org_id FROM obligations WHERE source = 'service_catalogue' ORDER BY id",
        )
        .fetch_all(&mut *app.conn().await)
        .await
        .unwrap();
        assert!(
            !owners.is_empty(),
            "the seed checks task 19 from the catalogue"
        );
        let as_of = chrono::NaiveDate::from_ymd_opt(2018, 1, 15).unwrap();
        let statuses = |r: &gongkai_db::compliance::ComplianceReport| -> Vec<String> {
            r.periods
                .iter()
                .filter(|p| owners.iter().any(|(o, _)| *o == p.obligation_id))
                .map(|p| p.status.clone())
                .collect()
        };
        let before = gongkai_db::compliance::report(&mut *app.conn().await, plan, as_of)
            .await
            .unwrap();
        let s = statuses(&before);
        assert!(!s.is_empty() && s.iter().all(|s| s == "missed"), "{s:?}");

        // Each owner publishes a guide; the system dates it now, so move its first publication
        // into 2017 as if the guide had been published then (the clock cannot be set back).
        let mut orgs: Vec<i64> = owners.iter().map(|(_, o)| *o).collect();
        orgs.dedup();
        for org in orgs {
            let id = published_guide(&app, org, "生育登记", true).await;
            let nov_20_2017 = gongkai_domain::china_time::start_of_day(
                chrono::NaiveDate::from_ymd_opt(2017, 11, 20).unwrap(),
            );
            sqlx::query("UPDATE service_items SET made_public_at = $1 WHERE id = $2")
                .bind(nov_20_2017)
                .bind(id)
                .execute(&mut *app.conn().await)
                .await
                .unwrap();
        }
        let after = gongkai_db::compliance::report(&mut *app.conn().await, plan, as_of)
            .await
            .unwrap();
        let s = statuses(&after);
        assert!(!s.is_empty() && s.iter().all(|s| s == "met"), "{s:?}");
        let evidence = &after
            .periods
            .iter()
            .find(|p| owners.iter().any(|(o, _)| *o == p.obligation_id))
            .unwrap()
            .evidence;
        assert!(
            evidence.iter().any(|e| e.title.contains("生育登记")),
            "{evidence:?}"
        );

        // Withdrawn guides no longer count.
        sqlx::query("UPDATE service_items SET public = 0")
            .execute(&mut *app.conn().await)
            .await
            .unwrap();
        let withdrawn = gongkai_db::compliance::report(&mut *app.conn().await, plan, as_of)
            .await
            .unwrap();
        assert!(statuses(&withdrawn).iter().all(|s| s == "missed"));
    }
);

both_backends!(
    the_inspector_reads_the_portal_guides_as_the_rule_does,
    |app| async move {
        let org = app.org_id(ORG).await;
        let complete = published_guide(&app, org, "生育登记", true).await;
        // The rule without 咨询电话 lets a guide without a phone be published.
        let mut tx = app.db().begin().await.unwrap();
        let shorter = gongkai_domain::service::Rule::parse(
            "name,basis,conditions,materials,steps,time_limit,fee",
        )
        .unwrap();
        gongkai_db::services::set_rule(&mut tx, &app.actor(), &shorter)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let incomplete = published_guide(&app, org, "独生子女父母光荣证", false).await;

        let mut config = gongkai_inspect::Config::new(&app.url("/bsfw"), gongkai_db::china_today());
        config.max_pages = 300;
        let report = gongkai_inspect::inspect_site(&config).await.unwrap();
        let guides: Vec<(String, Vec<String>)> = report
            .findings
            .iter()
            .filter_map(|f| match f {
                gongkai_inspect::Finding::IncompleteGuide { page, missing } => {
                    Some((page.clone(), missing.clone()))
                }
                _ => None,
            })
            .collect();
        assert_eq!(
            guides,
            vec![(
                app.url(&format!("/bsfw/{incomplete}")),
                vec!["咨询电话".to_string()]
            )],
            "complete guide {complete} is not reported"
        );
    }
);

/// Returns `status:content-disposition` of `path` fetched by the browser.
async fn fetch(b: &crate::browser::Browser, path: &str) -> String {
    let r = b
        .client
        .execute(
            "return fetch(arguments[0]).then(r => r.status + ':' + r.headers.get('content-disposition')).catch(e => String(e));",
            vec![serde_json::json!(path)],
        )
        .await
        .expect("fetch through the browser");
    r.as_str().unwrap_or_default().to_string()
}

/// A citizen finds a guide by theme and by search in a real browser and downloads its form.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_finds_a_guide_by_theme_and_search_and_downloads_its_form() {
    let app = TestApp::start(crate::support::Backend::Sqlite).await;
    let org = app.org_id(ORG).await;
    let (editor, first, _) = people(&app, org).await;
    let id = create(&editor, org, &fields("生育登记", true)).await;
    assert_eq!(
        act(&editor, id, "submit", "").await.0,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        act(&first, id, "approve", "").await.0,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        act(&editor, id, "publish", "").await.0,
        StatusCode::SEE_OTHER
    );
    let guide = format!("/bsfw/{id}");

    let b = crate::browser::Browser::start().await;
    b.goto(&app.url("/")).await;
    b.click("a[href=\"/bsfw\"]").await;
    b.wait_for_url("/bsfw").await;
    b.click("a[href=\"/bsfw?theme=birth\"]").await;
    b.wait_for_url("theme=birth").await;
    b.click(&format!("a[href=\"{guide}\"]")).await;
    b.wait_for_url(&guide).await;
    assert!(b.wait_for("h1").await.contains("生育登记办事指南"));

    b.goto(&app.url("/bsfw")).await;
    b.fill("#bsfw-q", "生育").await;
    b.click("#bsfw-search button[type=submit]").await;
    b.wait_for_url("q=").await;
    b.click(&format!("a[href=\"{guide}\"]")).await;
    b.wait_for_url(&guide).await;
    let link = format!("{guide}/forms/1");
    b.wait_for(&format!("a[href=\"{link}\"]")).await;
    let got = fetch(&b, &link).await;
    assert!(got.starts_with("200:attachment"), "{got}");
    b.close().await;
    app.teardown().await;
}
