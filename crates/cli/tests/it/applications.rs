//! 依申请公开 over HTTP on both backends: the online form (CSRF, honeypot, duplicates, throttling,
//! oversized and malformed bodies, HTML escaped), the applicant's status page behind the tracking
//! code and phone tail, the handlers' queue and actions with Chinese refusals that write nothing,
//! registration of offline applications with the receipt-date rules, letters as DOCX from
//! overridable templates, and handlers of another organisation refused.

use crate::support::users::{User, pairs};
use crate::support::{PASSWORD, TestApp, html, outcome};
use gongkai_domain::role::Role;
use reqwest::StatusCode;

const HTML_NAME: &str = "<script>alert(1)</script>张三";

fn form(org: i64, description: &str) -> Vec<(&'static str, String)> {
    vec![
        ("website", String::new()),
        ("org_id", org.to_string()),
        ("applicant_type", "natural_person".into()),
        ("name", HTML_NAME.into()),
        ("org_name", String::new()),
        ("id_type", "passport".into()),
        ("id_number", "E1234<b>5678".into()),
        ("phone", "138-0013-8000".into()),
        ("email", "zs@example.com".into()),
        ("address", "<i>盘锦市</i>兴隆台区".into()),
        ("description", description.into()),
        ("purpose", "<img src=x onerror=alert(1)>".into()),
        ("delivery", "online".into()),
    ]
}

fn tracking_code(page: &str) -> String {
    let start = page
        .find("id=\"tracking-code\">")
        .expect("tracking code on the page")
        + 19;
    page[start..start + 12].to_string()
}

async fn lookup(app: &TestApp, code: &str, tail: &str) -> (StatusCode, String) {
    let r = app
        .visitor()
        .post("/ysqgk/cx", &[("code", code), ("tail", tail)])
        .await;
    let s = r.status();
    (s, r.text().await.unwrap())
}

async fn app_id(app: &TestApp, code: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM applications WHERE tracking_code = $1")
        .bind(code)
        .fetch_one(&mut *app.conn().await)
        .await
        .unwrap()
}

async fn handler(app: &TestApp, name: &str, org: i64) -> User {
    app.create_user(name, Role::Handler, Some(org)).await;
    app.user(name, PASSWORD).await
}

/// Where a handler's actions on application `id` are posted.
fn action(id: i64) -> String {
    format!("/admin/applications/{id}/action")
}

fn today() -> String {
    gongkai_db::china_today().to_string()
}

both_backends!(
    an_online_application_is_filed_handled_and_answered,
    |app| async move {
        let org = app.org_id("市财政局").await;
        let other = app.org_id("市统计局").await;
        let c = app.visitor();
        let (s, page) = c
            .submit(
                "/ysqgk",
                &pairs(&form(org, "2017年市级预算执行情况<b>明细</b>")),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{}", html::excerpt(&page));
        let code = tracking_code(&page);
        assert_eq!(app.count("applications").await, 1);
        // The same submission again within minutes: the same code, no second case.
        let (s, again) = c
            .submit(
                "/ysqgk",
                &pairs(&form(org, "2017年市级预算执行情况<b>明细</b>")),
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(tracking_code(&again), code);
        assert!(again.contains("没有重复登记"));
        assert_eq!(app.count("applications").await, 1);

        // The status page needs the code and the phone tail; the same answer for either wrong.
        let (s, wrong) = lookup(&app, &code, "0000").await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert!(wrong.contains("查询码或手机号码后4位不正确"));
        assert!(!wrong.contains("张三"));
        let (s, status) = lookup(&app, &code.to_lowercase(), "8000").await;
        assert_eq!(s, StatusCode::OK, "{}", html::excerpt(&status));
        assert!(
            status.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;张三")
                || status.contains("&lt;script&gt;alert(1)&lt;/script&gt;张三"),
            "{}",
            html::excerpt(&status)
        );
        assert!(!status.contains("<script>alert(1)"));
        assert!(status.contains("办理中"));
        assert!(status.contains("答复期限"));
        // Personal data never on public pages.
        let public = app.get_ok("/ysqgk").await;
        assert!(!public.contains("张三"));

        let id = app_id(&app, &code).await;
        // A handler of another organisation sees nothing and can do nothing.
        let stranger = handler(&app, "tj_handler", other).await;
        let r = stranger.get(&format!("/admin/applications/{id}")).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let queue = stranger
            .get("/admin/applications")
            .await
            .text()
            .await
            .unwrap();
        assert!(!queue.contains(&code));
        let t = today();
        let (s, _) = stranger
            .submit(
                &action(id),
                &[
                    ("action", "consultation_start"),
                    ("on", &t),
                    ("consulted", "third_party"),
                ],
            )
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let r = stranger
            .get(&format!("/admin/applications/{id}/letters/receipt"))
            .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);

        let h = handler(&app, "cz_handler", org).await;
        let queue = h.get("/admin/applications").await.text().await.unwrap();
        assert!(queue.contains(&code), "{}", html::excerpt(&queue));
        let detail = h
            .get(&format!("/admin/applications/{id}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(detail.contains("E1234&lt;B&gt;5678"));
        assert!(detail.contains("计算过程"));

        // Refusals: Chinese, nothing written.
        let events = app.count("application_events").await;
        let audit = app.audit_count().await;
        for (fields, msg) in [
            (
                vec![
                    ("action", "extend"),
                    ("working_days", "10"),
                    ("approver", " "),
                    ("note", "需调取档案"),
                ],
                "批准人",
            ),
            (
                vec![
                    ("action", "extend"),
                    ("working_days", "21"),
                    ("approver", "李主任"),
                    ("note", "x"),
                ],
                "1至20",
            ),
            (vec![("action", "consultation_end")], "没有进行中的征求意见"),
            (vec![("action", "supplement_received")], "没有待补正的告知"),
            (
                vec![("action", "answer"), ("outcome", "unavailable_unclear")],
                "须先发出补正告知",
            ),
            (
                vec![("action", "answer"), ("outcome", "bogus")],
                "请选择办理结果",
            ),
            (
                vec![
                    ("action", "review"),
                    ("review", "reconsideration"),
                    ("result", "pending"),
                ],
                "答复后",
            ),
        ] {
            let mut all = vec![("on", t.as_str())];
            all.extend(fields);
            let (s, body) = h.submit(&action(id), &all).await;
            assert_eq!(
                s,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{msg}: {}",
                html::excerpt(&body)
            );
            assert!(body.contains(msg), "{msg}: {}", html::excerpt(&body));
        }
        // Deliberately a wrong token in the field.
        let r = h
            .post_without_csrf(
                &action(id),
                &[
                    ("csrf_token", "wrong"),
                    ("action", "consultation_end"),
                    ("on", &t),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert_eq!(app.count("application_events").await, events);
        assert_eq!(app.audit_count().await, audit);

        // 补正 → received → consultation → end → extension → answer.
        let due_by = (gongkai_db::china_today() + chrono::Duration::days(15)).to_string();
        for fields in [
            vec![
                ("action", "supplement_request"),
                ("due_by", due_by.as_str()),
                // Ends its own sentence: the letter's 。 after the value must not double it.
                ("note", "请写明年份。"),
            ],
            vec![("action", "supplement_received")],
            vec![
                ("action", "consultation_start"),
                ("consulted", "other_agency"),
                ("note", "征求市发改委意见"),
            ],
            vec![("action", "consultation_end")],
            vec![
                ("action", "extend"),
                ("working_days", "20"),
                ("approver", "李主任"),
                ("note", "需调取档案"),
            ],
        ] {
            let mut all = vec![("on", t.as_str())];
            all.extend(fields.clone());
            let (s, body) = h.submit(&action(id), &all).await;
            assert_eq!(
                s,
                StatusCode::SEE_OTHER,
                "{fields:?}: {}",
                html::excerpt(&body)
            );
        }
        let (s, body) = h
            .submit(
                &action(id),
                &[
                    ("on", &t),
                    ("action", "extend"),
                    ("working_days", "1"),
                    ("approver", "李主任"),
                    ("note", "x"),
                ],
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("已延期一次"));
        assert_eq!(app.count("application_events").await, events + 5);
        assert_eq!(app.audit_count().await, audit + 5);
        let (s, body) = h
            .submit(
                &action(id),
                &[
                    ("on", &t),
                    ("action", "answer"),
                    ("outcome", "partial"),
                    (
                        "note",
                        "现提供预算执行情况表，其中涉及个人信息部分不予公开<script>",
                    ),
                    ("fee_scale", "none"),
                ],
            )
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{}", html::excerpt(&body));
        let (s, status) = lookup(&app, &code, "8000").await;
        assert_eq!(s, StatusCode::OK);
        assert!(status.contains("已答复"));
        assert!(status.contains("部分公开"));
        assert!(status.contains("其中涉及个人信息部分不予公开&lt;script&gt;"));
        assert!(!status.contains("李主任"), "the approver stays internal");
        // Letters: issued by the handler （with the 复议机关 and court set） and then downloaded by
        // the applicant （the answer） and the handler （every letter issued）.
        let (s, _) = h
            .submit(
                "/admin/applications/templates/settings",
                &[
                    ("org_id", org.to_string().as_str()),
                    ("full_name", "盘锦市财政局"),
                    ("review_body", "盘锦市人民政府"),
                    ("court", "盘锦市双台子区人民法院"),
                ],
            )
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        for kind in ["receipt", "supplement", "extension", "answer"] {
            let (s, body) = h
                .submit(
                    &format!("/admin/applications/{id}/letters/{kind}/issue"),
                    &[],
                )
                .await;
            assert_eq!(s, StatusCode::SEE_OTHER, "{kind}: {}", html::excerpt(&body));
        }
        let r = app
            .visitor()
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
        let bytes = r.bytes().await.unwrap();
        assert!(bytes.starts_with(b"PK"));
        let xml = docx_text(&bytes);
        assert!(xml.contains("政府信息公开申请答复书"), "{xml}");
        // 部分公开 rests on 条例第三十七条 （区分处理）.
        assert!(xml.contains("第三十七条的规定"), "{xml}");
        assert!(xml.contains("&lt;script&gt;alert(1)"), "escaped in XML too");
        for kind in ["receipt", "supplement", "extension", "answer"] {
            let r = h
                .get(&format!("/admin/applications/{id}/letters/{kind}"))
                .await;
            assert_eq!(r.status(), StatusCode::OK, "{kind}");
            let bytes = r.bytes().await.unwrap();
            assert!(bytes.starts_with(b"PK"));
            crate::typography::assert_docx_typography(&bytes, kind);
            if kind == "supplement" {
                assert!(docx_text(&bytes).contains("请写明年份\u{3002}"), "{kind}");
            }
        }
        // After the answer: 行政复议 results, the latest kept.
        let (s, _) = h
            .submit(
                &action(id),
                &[
                    ("on", &t),
                    ("action", "review"),
                    ("review", "reconsideration"),
                    ("result", "upheld"),
                ],
            )
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (s, body) = h
            .submit(
                &action(id),
                &[
                    ("on", &t),
                    ("action", "consultation_start"),
                    ("consulted", "third_party"),
                ],
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("已答复办结"));
    }
);

pub(crate) fn docx_text(bytes: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("docx");
    let mut s = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("word/document.xml").expect("document.xml"),
        &mut s,
    )
    .expect("utf-8");
    s
}

both_backends!(
    offline_applications_follow_the_receipt_date_rules,
    |app| async move {
        let org = app.org_id("市财政局").await;
        let h = handler(&app, "cz_registrar", org).await;
        let reg = |channel: &str, submitted: &str, confirmed: &str| {
            vec![
                ("org_id", org.to_string()),
                ("channel", channel.to_string()),
                ("submitted_on", submitted.to_string()),
                ("confirmed_on", confirmed.to_string()),
                ("applicant_type", "commercial".to_string()),
                ("name", "王五".to_string()),
                ("org_name", "盘锦某某商贸有限公司".to_string()),
                ("id_type", "other".to_string()),
                ("id_number", "营业执照X1".to_string()),
                ("phone", "0427-2812345".to_string()),
                ("description", "2024年政府采购合同目录".to_string()),
                ("delivery", "paper".to_string()),
                ("address", "盘锦市双台子区".to_string()),
            ]
        };
        // By post without the signing date: refused, nothing written.
        let r = h
            .post(
                "/admin/applications",
                &pairs(&reg("post", "2024-09-30", "")),
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("邮寄的申请须填写签收日期"));
        assert_eq!(app.count("applications").await, 0);
        // Signed for during 国庆 (2024-10-03): counting starts 10-08, due 2024-11-01.
        let r = h
            .post(
                "/admin/applications",
                &pairs(&reg("post", "2024-09-30", "2024-10-03")),
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let loc = r.headers()["location"].to_str().unwrap().to_string();
        let detail = h.get(&loc).await.text().await.unwrap();
        assert!(
            detail.contains("<strong id=\"due\">2024-11-01</strong>"),
            "{}",
            html::excerpt(&detail)
        );
        assert!(detail.contains("2024-10-03 星期四 不计（受理日，次日起算）"));
        assert!(detail.contains("补正告知最迟发出日：2024-10-15"));
        let id: i64 = loc
            .trim_start_matches("/admin/applications/")
            .split('?')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        // 补正 after 7 working days: refused with the reason.
        let (s, body) = h
            .submit(
                &action(id),
                &[
                    ("on", "2024-10-16"),
                    ("action", "supplement_request"),
                    ("due_by", "2024-10-30"),
                    ("note", "请补充合同年份"),
                ],
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("最迟 2024-10-15"), "{}", html::excerpt(&body));
        // Within: the clock waits, then restarts from the supplement (Saturday 10-12 is a make-up day).
        let (s, _) = h
            .submit(
                &action(id),
                &[
                    ("on", "2024-10-15"),
                    ("action", "supplement_request"),
                    ("due_by", "2024-10-30"),
                    ("note", "请补充合同年份"),
                ],
            )
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (s, _) = h
            .submit(
                &action(id),
                &[("on", "2024-10-18"), ("action", "supplement_received")],
            )
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        // Restart 10-18 (Friday): 10-21 day 1 … 11-15 day 20.
        let due: Option<String> =
            sqlx::query_scalar("SELECT due_on FROM applications WHERE id = $1")
                .bind(id)
                .fetch_one(&mut *app.conn().await)
                .await
                .unwrap();
        assert_eq!(due.as_deref(), Some("2024-11-15"));
        // Long overdue today: flagged in the queue.
        let queue = h.get("/admin/applications").await.text().await.unwrap();
        assert!(queue.contains("已逾期"), "{}", html::excerpt(&queue));
        // E-mail confirmed later than sent; in person ignores a confirmation date.
        let r = h
            .post(
                "/admin/applications",
                &pairs(&reg("email", "2024-09-29", "2024-09-30")),
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let r = h
            .post(
                "/admin/applications",
                &pairs(&reg("in_person", "2024-09-29", "2024-10-09")),
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let dates: Vec<String> =
            sqlx::query_scalar("SELECT received_on FROM applications ORDER BY id")
                .fetch_all(&mut *app.conn().await)
                .await
                .unwrap();
        assert_eq!(dates, ["2024-10-03", "2024-09-30", "2024-09-29"]);
        // The online channel is not registered by staff.
        let r = h
            .post(
                "/admin/applications",
                &pairs(&reg("online", "2024-09-29", "")),
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        // Another organisation's id in the form: refused.
        let mut f = reg("in_person", "2024-09-29", "");
        f[0].1 = app.org_id("市统计局").await.to_string();
        assert_eq!(
            h.post("/admin/applications", &pairs(&f)).await.status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(app.count("applications").await, 3);
    }
);

both_backends!(
    bad_input_and_floods_are_refused_and_lose_nothing,
    |app| async move {
        let org = app.org_id("市财政局").await;
        let c = app.visitor();
        // Without the CSRF cookie: deliberately another visitor's token, sent by a fresh visitor.
        let mut f = form(org, "预算信息一");
        f.insert(0, ("csrf_token", c.csrf().await));
        let (s, _) = outcome(app.visitor().post_without_csrf("/ysqgk", &pairs(&f)).await).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        // Honeypot filled.
        let mut f = form(org, "预算信息一");
        f[0].1 = "http://spam.example".into();
        let (s, body) = c.submit("/ysqgk", &pairs(&f)).await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert!(body.contains("提交被拒绝"));
        // Oversized body (360 KB urlencoded): read to its end and answered 413.
        let (s, body) = c
            .submit("/ysqgk", &pairs(&form(org, &"大".repeat(40_000))))
            .await;
        assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
        assert!(body.contains("提交的内容过大"));
        // A field over its limit but under the body limit: the form again, values kept, escaped.
        let (s, body) = c
            .submit("/ysqgk", &pairs(&form(org, &"长".repeat(4001))))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("所需信息描述不能超过4000个字"));
        assert!(body.contains("&lt;script&gt;alert(1)"));
        assert!(!body.contains("<script>alert(1)"));
        // Malformed body (a raw request: no form builder writes one).
        let r = c
            .client()
            .post(app.url("/ysqgk"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("csrf_token=%zz&&=")
            .send()
            .await
            .unwrap();
        assert!(
            r.status() == StatusCode::BAD_REQUEST || r.status() == StatusCode::FORBIDDEN,
            "{}",
            r.status()
        );
        // Unknown organisation, missing fields.
        let mut f = form(org, "预算信息一");
        f[1].1 = "999999".into();
        f[3].1 = String::new();
        let (s, body) = c.submit("/ysqgk", &pairs(&f)).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("请选择受理申请的机关"));
        assert!(body.contains("请填写姓名"));
        assert_eq!(app.count("applications").await, 0);

        // Five different applications an hour from one address; the sixth is refused.
        let mut codes = Vec::new();
        for i in 0..5 {
            let (s, page) = c
                .submit("/ysqgk", &pairs(&form(org, &format!("预算信息第{i}项"))))
                .await;
            assert_eq!(s, StatusCode::OK);
            codes.push(tracking_code(&page));
        }
        let (s, body) = c
            .submit("/ysqgk", &pairs(&form(org, "预算信息第6项")))
            .await;
        assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
        assert!(body.contains("一小时内最多在线提交5件申请"));
        assert_eq!(app.count("applications").await, 5);
        // Nothing lost: every earlier one still answers.
        for code in &codes {
            assert_eq!(lookup(&app, code, "8000").await.0, StatusCode::OK);
        }
        // Guessing one case's tail: that code is throttled after 10 failures from this address…
        for tail in 0..10 {
            assert_eq!(
                lookup(&app, &codes[1], &format!("{:04}", 1000 + tail))
                    .await
                    .0,
                StatusCode::NOT_FOUND
            );
        }
        let (s, body) = lookup(&app, &codes[1], "8000").await;
        assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "even with the right tail");
        assert!(body.contains("该查询码查询失败次数过多"));
        // …while other applicants behind the same address still look up their own cases.
        assert_eq!(lookup(&app, &codes[0], "8000").await.0, StatusCode::OK);
        for _ in 0..10 {
            assert_eq!(
                lookup(&app, "23456789ABCD", "8000").await.0,
                StatusCode::NOT_FOUND
            );
        }
        assert_eq!(lookup(&app, &codes[2], "8000").await.0, StatusCode::OK);
    }
);

both_backends!(
    letter_templates_are_overridable_per_organisation,
    |app| async move {
        let org = app.org_id("市财政局").await;
        let h = handler(&app, "cz_tpl", org).await;
        let template = |body: &str| {
            vec![
                ("org_id", org.to_string()),
                ("kind", "receipt".to_string()),
                ("body", body.to_string()),
            ]
        };
        let r = h
            .post(
                "/admin/applications/templates",
                &pairs(&template("回执\n\n{{姓名}}:")),
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("未知的占位符"));
        assert_eq!(app.count("application_letter_templates").await, 0);
        let r = h.post("/admin/applications/templates", &pairs(&template("市财政局政府信息公开申请回执\n\n{{申请人}}:\n\n已收到，查询码{{查询码}}。\n\n{{机关名称}}\n{{日期}}"))).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        // A handler of another organisation cannot save for this one.
        let other = app.org_id("市统计局").await;
        let o = handler(&app, "tj_tpl", other).await;
        let r = o
            .post(
                "/admin/applications/templates",
                &[
                    ("org_id", &org.to_string()),
                    ("kind", "receipt"),
                    ("body", "x"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        // The receipt of a new application uses it.
        let c = app.visitor();
        let (_, page) = c.submit("/ysqgk", &pairs(&form(org, "预算信息"))).await;
        let code = tracking_code(&page);
        let id = app_id(&app, &code).await;
        let r = h
            .get(&format!("/admin/applications/{id}/letters/receipt"))
            .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "not issued yet");
        let (s, _) = h
            .submit(
                &format!("/admin/applications/{id}/letters/receipt/issue"),
                &[],
            )
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let r = h
            .get(&format!("/admin/applications/{id}/letters/receipt"))
            .await;
        let xml = docx_text(&r.bytes().await.unwrap());
        assert!(xml.contains("市财政局政府信息公开申请回执"), "{xml}");
        assert!(xml.contains(&format!("已收到，查询码{code}。")));
        // Not yet issued: the answer letter.
        let r = h
            .get(&format!("/admin/applications/{id}/letters/answer"))
            .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
    }
);

both_backends!(
    applications_go_to_agencies_not_to_collective_names,
    |app| async move {
        let collective = app.org_id("各县区政府").await;
        let c = app.visitor();
        let page = app.get_ok("/ysqgk").await;
        assert!(
            !page.contains(&format!("value=\"{collective}\"")),
            "the form does not offer a collective"
        );
        let (s, body) = c
            .submit("/ysqgk", &pairs(&form(collective, "县区预算信息")))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("集合名称不能受理申请"), "{body}");
        assert_eq!(app.count("applications").await, 0);
        // An agency takes it.
        let agency = app.org_id("市财政局").await;
        let (s, _) = c
            .submit("/ysqgk", &pairs(&form(agency, "市级预算信息")))
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(app.count("applications").await, 1);
    }
);
