//! The letters of 依申请公开 on both backends, read back from the DOCX the applicant and the
//! handler download: the organisation's full name, the named 复议机关 and court, the 文号 in
//! sequence, 您 for a person and 贵单位 for an organisation, official punctuation checked code
//! point by code point, figures fixed at issue （a later extension leaves the 受理回执 as it was）
//! the 收费通知 with amount, basis, pay-by date and how to pay, and no fee sentence without a fee.
//! A letter not issued yet is previewed, never downloaded.

use crate::support::users::{User, pairs};
use crate::support::{PASSWORD, TestApp, html};
use crate::typography::{docx_paragraphs, is_cjk};
use chrono::Datelike;
use gongkai_domain::application::letter::zh_date;
use gongkai_domain::role::Role;
use reqwest::StatusCode;

const FULL_NAME: &str = "盘锦市财政局";
const REVIEW: &str = "盘锦市人民政府";
const COURT: &str = "盘锦市双台子区人民法院";
const PAYMENT: &str = "请通过银行转账缴入盘锦市财政局非税收入汇缴结算户";

fn apply_form(org: i64, natural_person: bool) -> Vec<(&'static str, String)> {
    vec![
        ("website", String::new()),
        ("org_id", org.to_string()),
        (
            "applicant_type",
            if natural_person {
                "natural_person"
            } else {
                "commercial"
            }
            .into(),
        ),
        ("name", "张三".into()),
        (
            "org_name",
            if natural_person {
                String::new()
            } else {
                "盘锦某某建设有限公司".into()
            },
        ),
        ("id_type", "passport".into()),
        ("id_number", "E12345678".into()),
        ("phone", "138-0013-8000".into()),
        ("email", "zs@example.com".into()),
        ("address", "盘锦市兴隆台区".into()),
        // ASCII punctuation between Chinese characters and a closing full stop, as typed.
        (
            "description",
            "2025\u{5E74}\u{5E02}\u{7EA7}\u{9884}\u{7B97}(\u{4E00}\u{822C}\u{516C}\u{5171}\u{9884}\u{7B97})\u{6267}\u{884C}\u{60C5}\u{51B5},\u{542B}\u{660E}\u{7EC6}.".into(),
        ),
        ("purpose", "研究".into()),
        ("delivery", "online".into()),
    ]
}

async fn file(app: &TestApp, org: i64, natural_person: bool) -> (i64, String) {
    file_about(app, org, natural_person, "").await
}

async fn file_about(app: &TestApp, org: i64, natural_person: bool, more: &str) -> (i64, String) {
    let mut form = apply_form(org, natural_person);
    form[10].1.push_str(more);
    let (s, page) = app.visitor().submit("/ysqgk", &pairs(&form)).await;
    assert_eq!(s, StatusCode::OK, "{}", html::excerpt(&page));
    let start = page.find("id=\"tracking-code\">").expect("tracking code") + 19;
    let code = page[start..start + 12].to_string();
    let id: i64 = sqlx::query_scalar("SELECT id FROM applications WHERE tracking_code = $1")
        .bind(&code)
        .fetch_one(&mut *app.conn().await)
        .await
        .unwrap();
    (id, code)
}

fn settings(org: i64, payment: &str) -> Vec<(&'static str, String)> {
    vec![
        ("org_id", org.to_string()),
        ("full_name", FULL_NAME.into()),
        ("doc_prefix", "盘财依申请".into()),
        ("review_body", REVIEW.into()),
        ("court", COURT.into()),
        ("payment", payment.into()),
        ("phone", "0427-2822000".into()),
    ]
}

fn today() -> String {
    gongkai_db::china_today().to_string()
}

fn number(n: i64) -> String {
    format!(
        "盘财依申请\u{3014}{}\u{3015}{n}号",
        gongkai_db::china_today().year()
    )
}

async fn act(h: &User, id: i64, fields: &[(&str, &str)]) {
    let t = today();
    let mut all = vec![("on", t.as_str())];
    all.extend_from_slice(fields);
    let (s, body) = h
        .submit(&format!("/admin/applications/{id}/action"), &all)
        .await;
    assert_eq!(
        s,
        StatusCode::SEE_OTHER,
        "{fields:?}: {}",
        html::excerpt(&body)
    );
}

async fn issue(h: &User, id: i64, kind: &str) -> (StatusCode, String) {
    h.submit(
        &format!("/admin/applications/{id}/letters/{kind}/issue"),
        &[],
    )
    .await
}

async fn docx(h: &User, id: i64, kind: &str) -> Vec<String> {
    let r = h
        .get(&format!("/admin/applications/{id}/letters/{kind}"))
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{kind}");
    let bytes = r.bytes().await.unwrap();
    let paragraphs = docx_paragraphs(&bytes);
    assert_official(&paragraphs, kind);
    paragraphs
}

/// No ASCII `, : ; ( ) ? !` next to a Chinese character and no doubled full stop, code point by code
/// point.
fn assert_official(paragraphs: &[String], what: &str) {
    for p in paragraphs {
        let chars: Vec<char> = p.chars().collect();
        for (i, c) in chars.iter().enumerate() {
            if matches!(c, ',' | ':' | ';' | '(' | ')' | '?' | '!') {
                let prev = i > 0 && is_cjk(chars[i - 1]);
                let next = chars.get(i + 1).is_some_and(|n| is_cjk(*n));
                assert!(
                    !prev && !next,
                    "{what}: ASCII {c:?} (U+{:04X}) in {p}",
                    *c as u32
                );
            }
        }
        assert!(
            !p.contains("\u{3002}\u{3002}"),
            "{what}: doubled full stop in {p}"
        );
    }
}

fn has(paragraphs: &[String], needle: &str) -> bool {
    paragraphs.iter().any(|p| p.contains(needle))
}

async fn handler(app: &TestApp, name: &str, org: i64) -> User {
    app.create_user(name, Role::Handler, Some(org)).await;
    app.user(name, PASSWORD).await
}

both_backends!(
    letters_are_previewed_issued_numbered_and_never_change,
    |app| async move {
        let org = app.org_id("市财政局").await;
        let h = handler(&app, "cz_letters", org).await;
        // Settings: checked, audited, only by the organisation's handlers.
        let audit = app.audit_count().await;
        let mut bad = settings(org, PAYMENT);
        bad[2].1 = "盘财依申请\u{3014}2026\u{3015}".into();
        let (s, body) = h
            .submit("/admin/applications/templates/settings", &pairs(&bad))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            body.contains("机关代字只填代字本身"),
            "{}",
            html::excerpt(&body)
        );
        assert_eq!(app.count("application_letter_settings").await, 0);
        assert_eq!(app.audit_count().await, audit);
        let other = handler(&app, "tj_letters", app.org_id("市统计局").await).await;
        let r = other
            .post(
                "/admin/applications/templates/settings",
                &pairs(&settings(org, PAYMENT)),
            )
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert_eq!(app.count("application_letter_settings").await, 0);
        let audit = app.audit_count().await;
        let (s, _) = h
            .submit(
                "/admin/applications/templates/settings",
                &pairs(&settings(org, PAYMENT)),
            )
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        assert_eq!(app.audit_count().await, audit + 1);

        let (id, code) = file(&app, org, true).await;
        // Not issued: previewed with the 文号 it will take, never downloaded.
        let r = h
            .get(&format!("/admin/applications/{id}/letters/receipt"))
            .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let preview = h
            .get(&format!("/admin/applications/{id}/letters/receipt/preview"))
            .await
            .text()
            .await
            .unwrap();
        assert!(preview.contains(&number(1)), "{}", html::excerpt(&preview));
        assert!(preview.contains("出具时编排"));
        let r = other
            .get(&format!("/admin/applications/{id}/letters/receipt/preview"))
            .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let (s, _) = issue(&other, id, "receipt").await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert_eq!(app.count("application_letters").await, 0);
        // The answer is not due yet.
        let (s, _) = issue(&h, id, "answer").await;
        assert_eq!(s, StatusCode::NOT_FOUND);

        let (s, body) = issue(&h, id, "receipt").await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{}", html::excerpt(&body));
        let audit = app.audit_count().await;
        let (s, body) = issue(&h, id, "receipt").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("已出具"), "{}", html::excerpt(&body));
        assert_eq!(app.count("application_letters").await, 1);
        assert_eq!(app.audit_count().await, audit);

        let receipt = docx(&h, id, "receipt").await;
        assert!(has(&receipt, &number(1)), "{receipt:?}");
        assert_eq!(receipt[0], "政府信息公开申请受理回执");
        assert!(has(&receipt, "张三\u{FF1A}"), "{receipt:?}");
        assert!(has(&receipt, "收到您提交的政府信息公开申请"), "{receipt:?}");
        assert!(!has(&receipt, "贵单位") && !has(&receipt, "\u{FF08}单位\u{FF09}"));
        assert!(
            has(
                &receipt,
                "一般公共预算\u{FF09}执行情况\u{FF0C}含明细\u{3002}根据"
            ) || has(&receipt, "\u{FF0C}含明细\u{3002}"),
            "{receipt:?}"
        );
        assert!(has(&receipt, FULL_NAME));
        assert!(
            !receipt.iter().any(|p| p == "市财政局"),
            "the full name signs"
        );

        // A later extension: its own letter and 文号 while the receipt stays as it was.
        act(
            &h,
            id,
            &[
                ("action", "extend"),
                ("working_days", "15"),
                ("approver", "李主任"),
                ("note", "需调取档案"),
            ],
        )
        .await;
        assert_eq!(issue(&h, id, "extension").await.0, StatusCode::SEE_OTHER);
        assert_eq!(
            docx(&h, id, "receipt").await,
            receipt,
            "unchanged after the extension"
        );
        let ext = docx(&h, id, "extension").await;
        assert!(has(&ext, &number(2)), "{ext:?}");
        assert!(has(&ext, "因需调取档案\u{FF0C}"), "{ext:?}");
        assert!(has(&ext, "答复期限延长15个工作日"), "{ext:?}");
        // Editing the template afterwards changes no issued letter.
        let (s, _) = h
            .submit(
                "/admin/applications/templates",
                &[
                    ("org_id", org.to_string().as_str()),
                    ("kind", "receipt"),
                    (
                        "body",
                        "回执\n\n{{申请人}}\u{FF1A}\n\n新模板\u{3002}\n\n{{机关名称}}\n{{日期}}",
                    ),
                ],
            )
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        assert_eq!(
            docx(&h, id, "receipt").await,
            receipt,
            "the template is for new letters"
        );

        // The answer: its reason and article, the named 复议机关 and court, no fee sentence.
        act(
            &h,
            id,
            &[
                ("action", "answer"),
                ("outcome", "withheld_third_party"),
                ("note", "该信息涉及第三方商业秘密."),
                ("fee_scale", "none"),
            ],
        )
        .await;
        assert_eq!(issue(&h, id, "answer").await.0, StatusCode::SEE_OTHER);
        let answer = docx(&h, id, "answer").await;
        assert!(has(&answer, &number(3)), "{answer:?}");
        assert!(
            has(&answer, "第十五条的规定\u{FF0C}本机关决定不予公开\u{3002}"),
            "{answer:?}"
        );
        assert!(
            has(&answer, &format!("六十日内向{REVIEW}申请行政复议")),
            "{answer:?}"
        );
        assert!(
            has(&answer, &format!("六个月内向{COURT}提起行政诉讼")),
            "{answer:?}"
        );
        assert!(
            !has(&answer, "信息处理费"),
            "no fee, no fee sentence: {answer:?}"
        );
        assert!(has(&answer, "如对本答复不服\u{FF0C}您可以"), "{answer:?}");

        // The applicant sees the issued letters on the tracking page and downloads them.
        let c = app.visitor();
        let page = c
            .post("/ysqgk/cx", &[("code", code.as_str()), ("tail", "8000")])
            .await
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("id=\"letter-answer\""),
            "{}",
            html::excerpt(&page)
        );
        assert!(page.contains("id=\"letter-extension\""));
        let r = c
            .post(
                "/ysqgk/cx",
                &[
                    ("code", code.as_str()),
                    ("tail", "8000"),
                    ("letter", "answer"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(docx_paragraphs(&r.bytes().await.unwrap()), answer);
        // What the tracking page will link: the issued letters in order, each as stored.
        let mut conn = app.conn().await;
        let issued = gongkai_web::applications::issued_letters(&mut conn, id)
            .await
            .unwrap();
        let kinds: Vec<_> = issued.iter().map(|l| l.kind.as_str()).collect();
        assert_eq!(kinds, ["receipt", "extension", "answer"]);
        let (bytes, kind) =
            gongkai_web::applications::issued_letter_docx(&mut conn, id, issued[0].id)
                .await
                .unwrap();
        assert_eq!(kind.code(), "receipt");
        assert_eq!(docx_paragraphs(&bytes), receipt);
        assert!(
            gongkai_web::applications::issued_letter_docx(&mut conn, id + 1000, issued[0].id)
                .await
                .is_err(),
            "a letter only through its own application"
        );
        drop(conn);

        // An organisation is 贵单位 and addressed by its name. The 文号 goes on. A new letter takes
        // the organisation's template of the day.
        let (id2, _) = file(&app, org, false).await;
        assert_eq!(issue(&h, id2, "receipt").await.0, StatusCode::SEE_OTHER);
        let r2 = docx(&h, id2, "receipt").await;
        assert_eq!(r2[0], "回执", "{r2:?}");
        assert!(has(&r2, "新模板\u{3002}"), "{r2:?}");
        let (s, _) = h
            .submit(
                "/admin/applications/templates",
                &[
                    ("org_id", org.to_string().as_str()),
                    ("kind", "receipt"),
                    ("body", ""),
                    ("reset", "1"),
                ],
            )
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (id2, _) = file_about(&app, org, false, "另一件").await;
        assert_eq!(issue(&h, id2, "receipt").await.0, StatusCode::SEE_OTHER);
        let r2 = docx(&h, id2, "receipt").await;
        assert!(has(&r2, &number(5)), "{r2:?}");
        assert!(has(&r2, "盘锦某某建设有限公司\u{FF1A}"), "{r2:?}");
        assert!(has(&r2, "收到贵单位提交的"), "{r2:?}");
        assert!(!r2.iter().any(|p| p.contains('您')), "{r2:?}");
    }
);

both_backends!(
    the_fee_notice_states_amount_basis_pay_by_and_how_to_pay,
    |app| async move {
        let org = app.org_id("市财政局").await;
        let h = handler(&app, "cz_fee_letters", org).await;
        let (s, _) = h
            .submit(
                "/admin/applications/templates/settings",
                &pairs(&settings(org, "")),
            )
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (id, _) = file(&app, org, true).await;
        act(
            &h,
            id,
            &[
                ("action", "fee_notice"),
                ("fee_scale", "per_page"),
                ("fee_quantity", "45"),
            ],
        )
        .await;
        // Without payment instructions the notice is not issued.
        let preview = h
            .get(&format!(
                "/admin/applications/{id}/letters/fee_notice/preview"
            ))
            .await
            .text()
            .await
            .unwrap();
        assert!(
            preview.contains("id=\"letter-missing\""),
            "{}",
            html::excerpt(&preview)
        );
        let (s, body) = issue(&h, id, "fee_notice").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("缴费方式"), "{}", html::excerpt(&body));
        assert_eq!(app.count("application_letters").await, 0);
        let (s, _) = h
            .submit(
                "/admin/applications/templates/settings",
                &pairs(&settings(org, PAYMENT)),
            )
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        assert_eq!(issue(&h, id, "fee_notice").await.0, StatusCode::SEE_OTHER);
        let notice = docx(&h, id, "fee_notice").await;
        let mut conn = app.conn().await;
        let cal = gongkai_db::calendar::load(&mut conn).await.unwrap();
        drop(conn);
        let pay_by =
            gongkai_domain::application::fee_payment_deadline(gongkai_db::china_today(), &cal)
                .unwrap();
        assert!(
            has(&notice, "国办函\u{3014}2020\u{3015}109号"),
            "{notice:?}"
        );
        assert!(has(&notice, "31至100页每页10元"), "{notice:?}");
        // 45 pages: 15 pages over 30 at 10 元.
        assert!(has(&notice, "应缴纳信息处理费150元"), "{notice:?}");
        assert!(
            has(&notice, &format!("缴纳方式\u{FF1A}{PAYMENT}")),
            "{notice:?}"
        );
        assert!(
            has(&notice, &format!("请于{}前", zh_date(pay_by))),
            "{notice:?}"
        );
        assert!(has(&notice, &number(1)), "{notice:?}");
        // Paid, then answered: the answer states the fee.
        act(&h, id, &[("action", "fee_paid"), ("receipt_no", "NO.0001")]).await;
        act(
            &h,
            id,
            &[
                ("action", "answer"),
                ("outcome", "disclosed"),
                ("note", "现提供执行情况表"),
            ],
        )
        .await;
        assert_eq!(issue(&h, id, "answer").await.0, StatusCode::SEE_OTHER);
        let answer = docx(&h, id, "answer").await;
        assert!(
            has(&answer, "您已缴纳信息处理费150元\u{3002}"),
            "{answer:?}"
        );
        assert!(has(&answer, "第三十六条第二项"), "{answer:?}");
    }
);

both_backends!(
    the_consultation_letter_goes_to_the_consulted_party,
    |app| async move {
        let org = app.org_id("市财政局").await;
        let h = handler(&app, "cz_cons_letters", org).await;
        let (id, code) = file(&app, org, true).await;
        act(
            &h,
            id,
            &[
                ("action", "consultation_start"),
                ("consulted", "third_party"),
                ("party", "盘锦某某房地产开发有限公司"),
            ],
        )
        .await;
        assert_eq!(issue(&h, id, "consultation").await.0, StatusCode::SEE_OTHER);
        let letter = docx(&h, id, "consultation").await;
        assert_eq!(letter[0], "政府信息公开征求意见函");
        assert!(
            has(&letter, "盘锦某某房地产开发有限公司\u{FF1A}"),
            "{letter:?}"
        );
        assert!(has(&letter, "第三十二条"), "{letter:?}");
        assert!(
            !has(&letter, "张三"),
            "the applicant stays unnamed: {letter:?}"
        );
        // Not the applicant's letter: neither listed nor downloadable on the tracking page.
        let c = app.visitor();
        let page = c
            .post("/ysqgk/cx", &[("code", code.as_str()), ("tail", "8000")])
            .await
            .text()
            .await
            .unwrap();
        assert!(!page.contains("letter-consultation"));
        let r = c
            .post(
                "/ysqgk/cx",
                &[
                    ("code", code.as_str()),
                    ("tail", "8000"),
                    ("letter", "consultation"),
                ],
            )
            .await;
        assert_ne!(
            r.headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or(""),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        );
    }
);
