//! The back-office import of a work plan: upload → review → decide → confirm, over HTTP.
//! Nothing becomes a plan until a person confirms; a document that cannot be parsed leaves no trace.

use crate::support::users::User;
use crate::support::{PASSWORD, TestApp, html};
use gongkai_domain::role::Role;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use std::collections::BTreeSet;

const SEED: &[u8] = include_bytes!("../../../domain/testdata/plan/seed_panjin_2017.txt");

const IMPORT: &str = "/admin/plans/import";

/// The upload form of `/admin/plans/import` with `user`'s token, the pasted text and the file.
async fn upload_form(user: &User, part: Option<(&str, Vec<u8>)>, text: &str) -> Form {
    let mut form = user.multipart().await.text("text", text.to_string());
    if let Some((name, bytes)) = part {
        form = form.part("file", Part::bytes(bytes).file_name(name.to_string()));
    }
    form
}

fn confirm(id: i64) -> String {
    format!("/admin/plans/imports/{id}/confirm")
}

both_backends!(import_review_and_confirm_the_seed_plan, |app| async move {
    app.login_admin().await;
    let me = app.signed_in(app.client());
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
        let resp = me
            .post_multipart(IMPORT, upload_form(&me, part, text).await)
            .await;
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
    let resp = me
        .post_multipart(
            IMPORT,
            upload_form(
                &me,
                Some(("盘锦市2017年政务公开工作安排.txt", gb.to_vec())),
                "",
            )
            .await,
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
        review.contains("任务 28 项\u{FF0C}职责 44 条"),
        "{}",
        html::excerpt(&review)
    );
    // The seed's part 二、相关工作要求 (tasks 23 to 28) names no unit: the checks say so.
    assert!(
        review.contains("识别结果检查\u{FF1A}12 个阻止确认的问题"),
        "{}",
        html::excerpt(&review)
    );
    let seen = html::hidden_input(&review, "lint_seen").expect("the keys of the findings seen");
    assert!(review.contains("市国地税局") && review.contains("疑似笔误"));
    assert_eq!(app.count("plans").await, before.1, "a draft is not a plan");

    // Confirming with the suspected typo undecided is refused and writes nothing.
    let resp = me
        .post_multipart(
            &format!("/admin/plans/imports/{import_id}/confirm"),
            me.multipart().await,
        )
        .await;
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
    let mut form = me
        .multipart()
        .await
        .text(format!("unit_name.{index}"), "市国地税局")
        .text(format!("unit.{index}"), state_tax.to_string())
        .text(format!("unit.{index}"), local_tax.to_string());
    // Collectives are never expanded silently: the reviewer picks the units for each.
    let office = app.org_id("市政府办公室").await;
    let county = app.org_id("盘山县人民政府").await;
    for (name, org) in [
        ("市政府相关部门", office),
        ("各县区政府", county),
        ("市政府各部门", office),
    ] {
        let i = review
            .split("name=\"unit_name.")
            .skip(1)
            .find(|chunk| chunk.contains(&format!("value=\"{name}\"")))
            .and_then(|chunk| chunk.split('"').next())
            .unwrap_or_else(|| panic!("unit field for {name}"))
            .to_string();
        form = form
            .text(format!("unit_name.{i}"), name)
            .text(format!("unit.{i}"), org.to_string());
    }
    let form = form
        .text("col.0.1.0", fiscal.to_string())
        .text("lint_override", "1")
        .text("lint_seen", seen)
        .text(
            "override_reason",
            "任务23至28是编号连续的具体任务\u{FF0C}原文未写责任单位",
        );
    let resp = me
        .post_multipart(&format!("/admin/plans/imports/{import_id}/confirm"), form)
        .await;
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
    let resp = me
        .post_multipart(
            &format!("/admin/plans/imports/{import_id}/confirm"),
            me.multipart().await,
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("plans").await, before.1 + 1);
});

both_backends!(
    only_the_supervising_office_imports_plans,
    |app| async move {
        let finance = app.org_id("市财政局").await;
        app.create_user("bianji", Role::Editor, Some(finance)).await;
        app.create_user("gongkaiban", Role::Supervisor, None).await;
        let editor = app.user("bianji", PASSWORD).await;
        let r = editor.get("/admin/plans/import").await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let supervisor = app.user("gongkaiban", PASSWORD).await;
        let r = supervisor.get("/admin/plans/import").await;
        assert_eq!(r.status(), StatusCode::OK);
    }
);

/// A broken import: the title is the value of a gov.cn metadata line (标  题：…), a duty names no
/// unit and asks for feedback without a date, and the closing 保障措施 section, its numbering
/// carried on from the tasks, comes out as a task. Full-width punctuation throughout.
pub(crate) const BROKEN: &str = "当前位置\u{FF1A}首页 > 政务公开 > 工作要点\n\
索 引 号\u{FF1A}001-2023-0001 主题分类\u{FF1A}政务公开\n\
标  题\u{FF1A}某县2023年政务公开工作要点\n\
一、重点公开工作任务\n\
1.公开财政信息。按月公开财政收支情况。\u{FF08}牵头单位\u{FF1A}市财政局\u{FF1B}配合单位\u{FF1A}市统计局\u{FF09}\n\
2.公开统计信息。按季度公布经济运行情况\u{FF0C}并按时反馈落实情况。\n\
二、保障措施\n\
3.加强组织领导。各部门要高度重视\u{FF0C}明确分管领导。\n";

async fn upload_broken(app: &TestApp, me: &User) -> (i64, String) {
    let resp = me
        .post_multipart(
            IMPORT,
            upload_form(me, Some(("要点.txt", BROKEN.as_bytes().to_vec())), "").await,
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let url = resp.headers()["location"]
        .to_str()
        .expect("location")
        .to_string();
    let id = url
        .rsplit('/')
        .next()
        .and_then(|s| s.parse().ok())
        .expect("import id");
    (id, app.get_ok(&url).await)
}

both_backends!(
    blocking_findings_refuse_confirmation_until_overridden,
    |app| async move {
        app.login_admin().await;
        let me = app.signed_in(app.client());
        let (id, review) = upload_broken(&app, &me).await;
        let import = gongkai_db::plans::get_import(&mut *app.conn().await, id)
            .await
            .expect("import");
        let findings = gongkai_db::plans::findings(&import);
        let codes: BTreeSet<&str> = findings
            .iter()
            .filter(|f| f.is_blocking())
            .map(|f| f.code.code())
            .collect();
        for code in [
            "title_from_metadata",
            "duty_without_units",
            "feedback_without_date",
            "closing_section_as_task",
        ] {
            assert!(codes.contains(code), "{code} in {findings:#?}");
        }
        let blocking = findings.iter().filter(|f| f.is_blocking()).count();

        // The review screen: a summary box with the counts and every message, linked to the task
        // or duty, and a mark with the message on each task and duty concerned.
        assert!(
            review.contains(&format!("识别结果检查\u{FF1A}{blocking} 个阻止确认的问题")),
            "{}",
            html::excerpt(&review)
        );
        assert!(review.contains("标题取自网页信息栏") && review.contains("职责没有责任单位"));
        assert!(review.contains("反馈要求没有日期") && review.contains("文末要求被识别为任务"));
        for f in &findings {
            assert!(review.contains(&f.message), "{}", f.message);
        }
        let feedback = findings
            .iter()
            .find(|f| f.code.code() == "feedback_without_date")
            .unwrap();
        let anchor = format!(
            "task-{}-duty-{}",
            feedback.task_index.unwrap(),
            feedback.duty_index.unwrap()
        );
        assert!(review.contains(&format!("href=\"#{anchor}\"")));
        assert!(review.contains(&format!("<li id=\"{anchor}\" class=\"has-findings\">")));
        assert!(review.contains("class=\"lint-mark lint-blocking\""));
        assert!(review.contains("我已核对以上问题\u{FF0C}仍然确认"));
        let seen = html::hidden_input(&review, "lint_seen").expect("lint_seen");
        let before = (app.count("plans").await, app.audit_count().await);

        // Without the override: refused with the list, nothing confirmed.
        let resp = me.post_multipart(&confirm(id), me.multipart().await).await;
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = resp.text().await.unwrap_or_default();
        assert!(
            body.contains(&format!(
                "识别结果有 {blocking} 个阻止确认的问题\u{FF0C}请修改识别结果后再确认"
            )),
            "{}",
            html::excerpt(&body)
        );
        assert!(body.contains(&feedback.message));
        // A reason alone, without ticking the box, is no override either.
        let resp = me
            .post_multipart(
                &confirm(id),
                me.multipart().await.text("override_reason", "已核对"),
            )
            .await;
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
        // Ticked without a reason: refused, the box stays ticked.
        let resp = me
            .post_multipart(
                &confirm(id),
                me.multipart()
                    .await
                    .text("lint_override", "1")
                    .text("lint_seen", seen.clone())
                    .text("override_reason", "  "),
            )
            .await;
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = resp.text().await.unwrap_or_default();
        assert!(body.contains("时须填写理由"), "{}", html::excerpt(&body));
        assert!(body.contains("aria-invalid=\"true\""));
        // Ticked over findings other than those shown (the plan was edited since): refused.
        let resp = me
            .post_multipart(
                &confirm(id),
                me.multipart()
                    .await
                    .text("lint_override", "1")
                    .text("lint_seen", "duty_without_units@1.1")
                    .text("override_reason", "已核对"),
            )
            .await;
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            resp.text()
                .await
                .unwrap_or_default()
                .contains("请重新核对后再确认")
        );
        assert_eq!((app.count("plans").await, app.audit_count().await), before);
        assert_eq!(
            gongkai_db::plans::get_import(&mut *app.conn().await, id)
                .await
                .unwrap()
                .status,
            "draft"
        );

        // Ticked, with a reason: confirmed, and the override is in the audit log.
        let reason = "已逐项核对\u{FF1A}标题无误\u{FF0C}保障措施按原文保留";
        let resp = me
            .post_multipart(
                &confirm(id),
                me.multipart()
                    .await
                    .text("lint_override", "1")
                    .text("lint_seen", seen)
                    .text("override_reason", reason),
            )
            .await;
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        assert_eq!(app.count("plans").await, before.0 + 1);
        let (summary, after): (String, String) = sqlx::query_as(
            "SELECT summary, after_json FROM audit_log WHERE action = 'plan.confirm_override'",
        )
        .fetch_one(&mut *app.conn().await)
        .await
        .expect("the override is audited");
        assert!(summary.contains(reason), "{summary}");
        let after: serde_json::Value = serde_json::from_str(&after).unwrap();
        assert_eq!(after["reason"], reason);
        assert_eq!(after["import_id"], id);
        let audited: BTreeSet<&str> = after["codes"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|c| c.as_str())
            .collect();
        assert_eq!(audited, codes);
        assert_eq!(after["findings"].as_array().unwrap().len(), blocking);
        let created: String = sqlx::query_scalar(
            "SELECT after_json FROM audit_log WHERE action = 'plan.create' ORDER BY id DESC LIMIT 1",
        )
        .fetch_one(&mut *app.conn().await)
        .await
        .unwrap();
        assert!(created.contains("\"lint_override\":true"), "{created}");
    }
);
