//! Correspondence with the applicant on both backends (issue 15, item 4): the applicant session
//! opened by a look-up (bound to one application, expiring, ended by logout), the online 补正
//! only while the case waits for one, 撤回 with its confirmation, messages both ways with their
//! notices, the answer's attachments downloaded through the session only, the public disclosure
//! log (consent, the handler's decision, masking, 404 otherwise) and 转为主动公开 （条例第四十四条）
//! as a draft item. Every refusal writes nothing.

use crate::support::users::{User, pairs};
use crate::support::{PASSWORD, TestApp, html};
use gongkai_domain::role::Role;
use reqwest::StatusCode;
use reqwest::multipart::Part;

const ID_NUMBER: &str = "110101199003074514";

fn form(org: i64, name: &str, phone: &str, consent: bool) -> Vec<(&'static str, String)> {
    let mut f = vec![
        ("website", String::new()),
        ("org_id", org.to_string()),
        ("applicant_type", "natural_person".into()),
        ("name", name.into()),
        ("org_name", String::new()),
        ("id_type", "resident_id".into()),
        ("id_number", ID_NUMBER.into()),
        ("phone", phone.into()),
        ("email", "zs@example.com".into()),
        ("address", String::new()),
        (
            "description",
            format!(
                "本人{name}\u{FF08}身份证{ID_NUMBER}\u{FF0C}电话{phone}\u{FF09}申请公开2025年市级预算执行情况"
            ),
        ),
        ("purpose", String::new()),
        ("delivery", "online".into()),
    ];
    if consent {
        f.push(("publish_consent", "1".into()));
    }
    f
}

/// Files an application as `c`; its tracking code and id.
async fn file(
    app: &TestApp,
    c: &User,
    org: i64,
    name: &str,
    phone: &str,
    consent: bool,
) -> (String, i64) {
    let (s, page) = c
        .submit("/ysqgk", &pairs(&form(org, name, phone, consent)))
        .await;
    assert_eq!(s, StatusCode::OK, "{}", html::excerpt(&page));
    let start = page.find("id=\"tracking-code\">").expect("code") + 19;
    let code = page[start..start + 12].to_string();
    let id = sqlx::query_scalar("SELECT id FROM applications WHERE tracking_code = $1")
        .bind(&code)
        .fetch_one(&mut *app.conn().await)
        .await
        .unwrap();
    (code, id)
}

async fn look_up(c: &User, code: &str, tail: &str) -> String {
    let r = c.post("/ysqgk/cx", &[("code", code), ("tail", tail)]).await;
    assert_eq!(r.status(), StatusCode::OK);
    let set_cookie = r
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("gk_applicant="))
        .expect("the session cookie")
        .to_string();
    assert!(
        set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Strict"),
        "{set_cookie}"
    );
    r.text().await.unwrap()
}

async fn status(app: &TestApp, id: i64) -> String {
    sqlx::query_scalar("SELECT status FROM applications WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *app.conn().await)
        .await
        .unwrap()
}

async fn jobs_like(app: &TestApp, key: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE dedupe_key LIKE $1")
        .bind(key)
        .fetch_one(&mut *app.conn().await)
        .await
        .unwrap()
}

async fn user(app: &TestApp, name: &str, role: Role, org: i64) -> User {
    app.create_user(name, role, Some(org)).await;
    app.user(name, PASSWORD).await
}

fn today() -> String {
    gongkai_db::china_today().to_string()
}

/// Row counts that a refused request must leave unchanged.
async fn counts(app: &TestApp) -> Vec<i64> {
    vec![
        app.count("application_events").await,
        app.count("application_messages").await,
        app.count("application_files").await,
        app.audit_count().await,
    ]
}

both_backends!(
    the_applicant_supplements_writes_and_withdraws_through_the_session,
    |app| async move {
        let org = app.org_id("市财政局").await;
        let c = app.visitor();
        let (code, id) = file(&app, &c, org, "张三", "13800138000", false).await;
        let h = user(&app, "cz_handler", Role::Handler, org).await;

        // No session: the page asks for a look-up, writes are refused.
        let stranger = app.visitor();
        assert_eq!(
            stranger.get("/ysqgk/my").await.status(),
            StatusCode::UNAUTHORIZED
        );
        let before = counts(&app).await;
        let r = stranger
            .post("/ysqgk/my/messages", &[("body", "你好")])
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert_eq!(counts(&app).await, before);

        let page = look_up(&c, &code, "8000").await;
        assert!(page.contains(&code) && page.contains("办理中"));
        assert!(
            !page.contains("在线补正"),
            "no 补正 form before one is asked"
        );
        let page = c.get_ok("/ysqgk/my").await;
        assert!(page.contains(&code));

        // Refused outside 待补正， with a Chinese message; nothing stored.
        let f = c
            .multipart()
            .await
            .text("text", "补充说明")
            .part("attachments", Part::bytes(b"x".to_vec()).file_name("a.txt"));
        let r = c.post_multipart("/ysqgk/my/supplement", f).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("不处于待补正状态"));
        assert_eq!(counts(&app).await, before);

        // The handler asks for a 补正.
        let t = today();
        let due_by = (gongkai_db::china_today() + chrono::Duration::days(15)).to_string();
        let (s, body) = h
            .submit(
                &format!("/admin/applications/{id}/action"),
                &[
                    ("action", "supplement_request"),
                    ("on", &t),
                    ("due_by", &due_by),
                    ("note", "请写明年份\u{3002}"),
                ],
            )
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{}", html::excerpt(&body));
        let page = c.get_ok("/ysqgk/my").await;
        assert!(page.contains("在线补正") && page.contains("待补正"));

        // Six files, an HTML file and a missing CSRF token: refused, nothing written.
        let before = counts(&app).await;
        let mut six = c.multipart().await.text("text", "说明");
        for i in 0..6 {
            six = six.part(
                "attachments",
                Part::bytes(b"abc".to_vec()).file_name(format!("{i}.txt")),
            );
        }
        let r = c.post_multipart("/ysqgk/my/supplement", six).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("最多上传5个文件"));
        let bad = c.multipart().await.part(
            "attachments",
            Part::bytes(b"<html><script>x</script>".to_vec()).file_name("a.html"),
        );
        let r = c.post_multipart("/ysqgk/my/supplement", bad).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("类型不允许上传"));
        let svg = c.multipart().await.part(
            "attachments",
            Part::bytes(b"<svg onload=alert(1)>".to_vec()).file_name("a.svg"),
        );
        assert_eq!(
            c.post_multipart("/ysqgk/my/supplement", svg).await.status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        let no_csrf = reqwest::multipart::Form::new().text("text", "x");
        let r = c
            .client()
            .post(app.url("/ysqgk/my/supplement"))
            .multipart(no_csrf)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert_eq!(counts(&app).await, before);

        // The online 补正： SupplementReceived today, the material stored, the handlers told.
        let f = c.multipart().await.text("text", "年份为2025年<b>").part(
            "attachments",
            Part::bytes("补正材料内容".as_bytes().to_vec()).file_name("补正说明.txt"),
        );
        let (s, loc) = c.submit_multipart("/ysqgk/my/supplement", f).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{}", html::excerpt(&loc));
        assert_eq!(loc, "/ysqgk/my?notice=supplemented");
        assert_eq!(status(&app, id).await, "in_progress");
        let (kind, on): (String, String) = sqlx::query_as(
            "SELECT kind, on_date FROM application_events WHERE application_id = $1 ORDER BY id DESC LIMIT 1",
        )
        .bind(id)
        .fetch_one(&mut *app.conn().await)
        .await
        .unwrap();
        assert_eq!(
            (kind.as_str(), on.as_str()),
            ("supplement_received", t.as_str())
        );
        assert_eq!(app.count("application_files").await, 1);
        assert_eq!(
            jobs_like(&app, &format!("application:{id}:supplement:%")).await,
            1
        );
        let case = h.get_ok(&format!("/admin/applications/{id}")).await;
        assert!(
            case.contains("补正说明.txt") && case.contains("年份为2025年&lt;b&gt;"),
            "{}",
            html::excerpt(&case)
        );
        let fid: i64 =
            sqlx::query_scalar("SELECT id FROM application_files WHERE application_id = $1")
                .bind(id)
                .fetch_one(&mut *app.conn().await)
                .await
                .unwrap();
        let r = h
            .get(&format!("/admin/applications/{id}/files/{fid}"))
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.bytes().await.unwrap().as_ref(), "补正材料内容".as_bytes());
        // A second 补正 is refused now that none is awaited.
        let again = c.multipart().await.text("text", "再次补正");
        assert_eq!(
            c.post_multipart("/ysqgk/my/supplement", again)
                .await
                .status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );

        // Messages both ways: escaped, limited, each side told.
        let (s, _) = c
            .submit(
                "/ysqgk/my/messages",
                &[("body", "请问 <b>bold</b> 何时答复")],
            )
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        assert_eq!(
            jobs_like(&app, &format!("application:{id}:message:%")).await,
            1
        );
        let long = "字".repeat(2001);
        let before = counts(&app).await;
        let r = c.post("/ysqgk/my/messages", &[("body", &long)]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("不能超过2000字"));
        assert_eq!(counts(&app).await, before);
        let case = h.get_ok(&format!("/admin/applications/{id}")).await;
        assert!(case.contains("&lt;b&gt;bold") && !case.contains("<b>bold"));
        let (s, _) = h
            .submit(
                &format!("/admin/applications/{id}/messages"),
                &[("body", "预计下周答复")],
            )
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        assert_eq!(
            jobs_like(&app, &format!("email:application:{id}:message:%")).await,
            1
        );
        let page = c.get_ok("/ysqgk/my").await;
        assert!(page.contains("预计下周答复") && page.contains("补正说明.txt"));

        // A flood is cut at 20 messages a day per case.
        for _ in 0..19 {
            sqlx::query(
                "INSERT INTO application_messages (application_id, sender, kind, body, author_name, created_at) \
                 VALUES ($1, 'applicant', 'message', 'x', 'x', $2)",
            )
            .bind(id)
            .bind(gongkai_db::now_ms())
            .execute(&mut *app.conn().await)
            .await
            .unwrap();
        }
        let before = counts(&app).await;
        let r = c.post("/ysqgk/my/messages", &[("body", "再问一次")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("留言过于频繁"));
        assert_eq!(counts(&app).await, before);

        // Another applicant's session never reaches this case's files.
        let d = app.visitor();
        let (code2, _) = file(&app, &d, org, "李四", "13900139000", false).await;
        look_up(&d, &code2, "9000").await;
        assert_eq!(
            d.get(&format!("/ysqgk/my/files/{fid}")).await.status(),
            StatusCode::NOT_FOUND
        );
        assert!(!d.get_ok("/ysqgk/my").await.contains("预计下周答复"));
        // A handler of another organisation cannot write to the case.
        let other = user(
            &app,
            "tj_handler",
            Role::Handler,
            app.org_id("市统计局").await,
        )
        .await;
        let r = other
            .post(
                &format!("/admin/applications/{id}/messages"),
                &[("body", "x")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);

        // An expired session: refused, nothing written.
        sqlx::query("UPDATE applicant_sessions SET expires_at = 0 WHERE application_id = $1")
            .bind(id)
            .execute(&mut *app.conn().await)
            .await
            .unwrap();
        assert_eq!(c.get("/ysqgk/my").await.status(), StatusCode::UNAUTHORIZED);
        let before = counts(&app).await;
        assert_eq!(
            c.post("/ysqgk/my/messages", &[("body", "过期")])
                .await
                .status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            c.post("/ysqgk/my/withdraw", &[("confirm", "1")])
                .await
                .status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(counts(&app).await, before);

        // 撤回： a confirmation step, then the event; the handlers are told.
        look_up(&c, &code, "8000").await;
        assert!(
            c.get_ok("/ysqgk/my/withdraw")
                .await
                .contains("我确认撤回该申请")
        );
        let (s, loc) = c
            .submit("/ysqgk/my/withdraw", &[("note", "已自行获取")])
            .await;
        assert_eq!(
            (s, loc.as_str()),
            (StatusCode::SEE_OTHER, "/ysqgk/my/withdraw")
        );
        assert_eq!(status(&app, id).await, "in_progress");
        let (s, loc) = c
            .submit(
                "/ysqgk/my/withdraw",
                &[("confirm", "1"), ("note", "已自行获取")],
            )
            .await;
        assert_eq!(
            (s, loc.as_str()),
            (StatusCode::SEE_OTHER, "/ysqgk/my?notice=withdrawn")
        );
        assert_eq!(status(&app, id).await, "withdrawn");
        assert_eq!(
            jobs_like(&app, &format!("application:{id}:withdrawn")).await,
            1
        );
        let before = counts(&app).await;
        let r = c.post("/ysqgk/my/withdraw", &[("confirm", "1")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(counts(&app).await, before);

        // Logout ends the session.
        let (s, _) = c.submit("/ysqgk/my/logout", &[]).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        assert_eq!(c.get("/ysqgk/my").await.status(), StatusCode::UNAUTHORIZED);
    }
);

/// Answers the case `id` as handler `h` with `text`.
async fn answer(h: &User, id: i64, text: &str) {
    let t = today();
    let (s, body) = h
        .submit(
            &format!("/admin/applications/{id}/action"),
            &[
                ("action", "answer"),
                ("on", &t),
                ("outcome", "disclosed"),
                ("note", text),
                ("fee_scale", "none"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{}", html::excerpt(&body));
}

both_backends!(
    answer_attachments_the_disclosure_log_and_article_44,
    |app| async move {
        let org = app.org_id("市财政局").await;
        let c = app.visitor();
        let (code, id) = file(&app, &c, org, "王小明", "13700137000", true).await;
        let (_, private_id) = file(&app, &app.visitor(), org, "赵六", "13600136000", false).await;
        let h = user(&app, "cz_handler", Role::Handler, org).await;
        let admin = user(&app, "cz_admin", Role::OrgAdmin, org).await;

        // Not answered yet: not publishable, and the log does not know it.
        let before = counts(&app).await;
        let r = h
            .post(
                &format!("/admin/applications/{id}/publish"),
                &[("value", "1")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("只有已答复的申请"));
        assert_eq!(counts(&app).await, before);

        // The handler attaches the disclosed document, then answers.
        let f = h.multipart().await.part(
            "attachments",
            Part::bytes("2025年预算执行情况表".as_bytes().to_vec()).file_name("预算执行情况.txt"),
        );
        let (s, loc) = h
            .submit_multipart(&format!("/admin/applications/{id}/files"), f)
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{}", html::excerpt(&loc));
        answer(
            &h,
            id,
            "现提供预算执行情况表\u{3002}如有疑问请致电13700137000联系王小明",
        )
        .await;
        answer(&h, private_id, "现提供相关信息").await;
        let fid: i64 =
            sqlx::query_scalar("SELECT id FROM application_files WHERE application_id = $1")
                .bind(id)
                .fetch_one(&mut *app.conn().await)
                .await
                .unwrap();

        // The applicant downloads it through the session; nobody else does.
        look_up(&c, &code, "7000").await;
        let page = c.get_ok("/ysqgk/my").await;
        assert!(page.contains("预算执行情况.txt"));
        let r = c.get(&format!("/ysqgk/my/files/{fid}")).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(
            r.bytes().await.unwrap().as_ref(),
            "2025年预算执行情况表".as_bytes()
        );
        assert_eq!(
            app.visitor()
                .get(&format!("/ysqgk/my/files/{fid}"))
                .await
                .status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.visitor().get(&format!("/ysqgk/gk/{id}")).await.status(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.visitor()
                .get(&format!("/ysqgk/gk/{id}/files/{fid}"))
                .await
                .status(),
            StatusCode::NOT_FOUND
        );

        // No consent: refused, and never on the log.
        let before = counts(&app).await;
        let r = h
            .post(
                &format!("/admin/applications/{private_id}/publish"),
                &[("value", "1")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("申请人未同意"));
        assert_eq!(counts(&app).await, before);
        // Another organisation's handler: the case does not exist for them.
        let other = user(
            &app,
            "tj_handler",
            Role::Handler,
            app.org_id("市统计局").await,
        )
        .await;
        assert_eq!(
            other
                .post(
                    &format!("/admin/applications/{id}/publish"),
                    &[("value", "1")]
                )
                .await
                .status(),
            StatusCode::NOT_FOUND
        );

        // Published: masked, without the name, the ID number or the phone.
        let audit = app.audit_count().await;
        let (s, _) = h
            .submit(
                &format!("/admin/applications/{id}/publish"),
                &[("value", "1")],
            )
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        assert_eq!(app.audit_count().await, audit + 1);
        let list = app.visitor().get_ok("/ysqgk/gk").await;
        assert!(list.contains(&format!("/ysqgk/gk/{id}")));
        assert!(!list.contains(&format!("/ysqgk/gk/{private_id}")));
        assert_eq!(
            app.visitor()
                .get(&format!("/ysqgk/gk/{private_id}"))
                .await
                .status(),
            StatusCode::NOT_FOUND
        );
        let by_org = app.visitor().get_ok(&format!("/ysqgk/gk?org={org}")).await;
        assert!(by_org.contains(&format!("/ysqgk/gk/{id}")));
        let public = app.visitor().get_ok(&format!("/ysqgk/gk/{id}")).await;
        for secret in ["王小明", ID_NUMBER, "13700137000", "zs@example.com", &code] {
            assert!(
                !public.contains(secret),
                "{secret} leaked: {}",
                html::excerpt(&public)
            );
            assert!(!list.contains(secret), "{secret} leaked on the list");
        }
        assert!(
            public.contains("2025年市级预算执行情况") && public.contains("现提供预算执行情况表")
        );
        assert!(public.contains("市财政局") && public.contains("予以公开"));
        // The attachment only once marked public.
        assert!(!public.contains("预算执行情况.txt"));
        assert_eq!(
            app.visitor()
                .get(&format!("/ysqgk/gk/{id}/files/{fid}"))
                .await
                .status(),
            StatusCode::NOT_FOUND
        );
        let (s, _) = h
            .submit(
                &format!("/admin/applications/{id}/files/{fid}/public"),
                &[("value", "1")],
            )
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        assert!(
            app.visitor()
                .get_ok(&format!("/ysqgk/gk/{id}"))
                .await
                .contains("预算执行情况.txt")
        );
        let r = app
            .visitor()
            .get(&format!("/ysqgk/gk/{id}/files/{fid}"))
            .await;
        assert_eq!(r.status(), StatusCode::OK);

        // Withdrawn from the log: 404 again.
        let (s, _) = h
            .submit(
                &format!("/admin/applications/{id}/publish"),
                &[("value", "0")],
            )
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        assert_eq!(
            app.visitor().get(&format!("/ysqgk/gk/{id}")).await.status(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.visitor()
                .get(&format!("/ysqgk/gk/{id}/files/{fid}"))
                .await
                .status(),
            StatusCode::NOT_FOUND
        );

        // 条例第四十四条： a handler without editor rights is refused; an organisation admin makes
        // a draft with the document attached, linked from the case, not public.
        let column: i64 = sqlx::query_scalar("SELECT id FROM columns WHERE slug = 'czyjs'")
            .fetch_one(&mut *app.conn().await)
            .await
            .unwrap();
        let col = column.to_string();
        let before = app.count("items").await;
        let r = h
            .post(
                &format!("/admin/applications/{id}/proactive"),
                &[("column_id", &col), ("title", "2025年市级预算执行情况")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert_eq!(app.count("items").await, before);
        let (s, loc) = admin
            .submit(
                &format!("/admin/applications/{id}/proactive"),
                &[("column_id", &col), ("title", "2025年市级预算执行情况")],
            )
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{}", html::excerpt(&loc));
        let (item_id, title, st): (i64, String, String) =
            sqlx::query_as("SELECT id, title, status FROM items ORDER BY id DESC LIMIT 1")
                .fetch_one(&mut *app.conn().await)
                .await
                .unwrap();
        assert_eq!(loc, format!("/admin/items/{item_id}/edit?notice=created"));
        assert_eq!(
            (title.as_str(), st.as_str()),
            ("2025年市级预算执行情况", "draft")
        );
        let names: Vec<String> =
            sqlx::query_scalar("SELECT file_name FROM attachments WHERE item_id = $1")
                .bind(item_id)
                .fetch_all(&mut *app.conn().await)
                .await
                .unwrap();
        assert_eq!(names, vec!["预算执行情况.txt".to_string()]);
        let linked: Option<i64> =
            sqlx::query_scalar("SELECT art44_item_id FROM applications WHERE id = $1")
                .bind(id)
                .fetch_one(&mut *app.conn().await)
                .await
                .unwrap();
        assert_eq!(linked, Some(item_id));
        assert_eq!(
            app.visitor()
                .get(&format!("/items/{item_id}"))
                .await
                .status(),
            StatusCode::NOT_FOUND
        );
        assert!(
            admin
                .get_ok(&format!("/admin/applications/{id}"))
                .await
                .contains(&format!("/admin/items/{item_id}/edit"))
        );
        // Once is enough.
        let r = admin
            .post(
                &format!("/admin/applications/{id}/proactive"),
                &[("column_id", &col), ("title", "again")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
);

/// In a real browser: the citizen looks up the case, supplements it online with a file, reads
/// the handler's message and downloads the answer's attachment through the session.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn citizen_supplements_online_reads_messages_and_downloads_the_answer_in_a_browser() {
    use crate::browser::Browser;
    use fantoccini::Locator;
    let app = TestApp::start(crate::support::Backend::Sqlite).await;
    let org = app.org_id("市财政局").await;
    let (code, id) = file(&app, &app.visitor(), org, "张三", "13800138000", true).await;
    let h = user(&app, "cz_handler", Role::Handler, org).await;
    let t = today();
    let due_by = (gongkai_db::china_today() + chrono::Duration::days(15)).to_string();
    let (s, _) = h
        .submit(
            &format!("/admin/applications/{id}/action"),
            &[
                ("action", "supplement_request"),
                ("on", &t),
                ("due_by", &due_by),
                ("note", "请写明年份\u{3002}"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);

    let dir = tempfile::tempdir().unwrap();
    let material = dir.path().join("补正说明.txt");
    std::fs::write(&material, "年份为2025年").unwrap();
    let b = Browser::start().await;
    b.goto(&app.url("/ysqgk/cx")).await;
    b.fill("#f-code", &code).await;
    b.fill("#f-tail", "8000").await;
    b.click("form[action=\"/ysqgk/cx\"] button[type=submit]")
        .await;
    b.wait_for("#f-supplement-text").await;
    b.fill("#f-supplement-text", "年份为2025年").await;
    b.fill("#f-supplement-files", &material.display().to_string())
        .await;
    b.click("#btn-supplement").await;
    b.wait_for_url("notice=supplemented").await;
    let status = b.wait_for("#app-status").await;
    assert!(status.contains("办理中"), "{status}");
    let events: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM application_events WHERE application_id = $1 AND kind = 'supplement_received'",
    )
    .bind(id)
    .fetch_one(&mut *app.conn().await)
    .await
    .unwrap();
    assert_eq!(events, 1);

    // The handler writes, attaches the disclosed document and answers.
    let (s, _) = h
        .submit(
            &format!("/admin/applications/{id}/messages"),
            &[("body", "材料已收到\u{FF0C}正在办理")],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let f = h.multipart().await.part(
        "attachments",
        Part::bytes("预算执行情况表".as_bytes().to_vec()).file_name("预算执行情况.txt"),
    );
    assert_eq!(
        h.submit_multipart(&format!("/admin/applications/{id}/files"), f)
            .await
            .0,
        StatusCode::SEE_OTHER
    );
    answer(&h, id, "现提供预算执行情况表\u{3002}").await;

    b.goto(&app.url("/ysqgk/my")).await;
    let messages = b.wait_for("#case-messages").await;
    assert!(
        messages.contains("材料已收到") && messages.contains("年份为2025年"),
        "{messages}"
    );
    b.wait_for("#app-outcome").await;
    let link = b
        .client
        .find(Locator::Css("#answer-files a.answer-file"))
        .await
        .expect("the answer attachment offered")
        .attr("href")
        .await
        .unwrap()
        .expect("href");
    let text = b
        .client
        .execute(
            "return fetch(arguments[0], {credentials: 'same-origin'}).then(r => r.status + ':' + r.headers.get('content-disposition')).catch(e => String(e));",
            vec![serde_json::json!(link)],
        )
        .await
        .expect("fetch through the session");
    let text = text.as_str().unwrap_or_default().to_string();
    assert!(text.starts_with("200:"), "{text}");
    b.screenshot("ysqgk-correspondence").await;
    b.close().await;
    // Without the session the same link is refused.
    assert_eq!(
        app.visitor().get(&link).await.status(),
        StatusCode::FORBIDDEN
    );
    app.teardown().await;
}

both_backends!(
    consent_is_off_by_default_and_taken_on_both_forms,
    |app| async move {
        let org = app.org_id("市财政局").await;
        // Both forms offer the box, unticked.
        let portal = app.visitor().get_ok("/ysqgk").await;
        let admin = app.admin().await;
        let back = admin.get_ok("/admin/applications/new").await;
        for page in [&portal, &back] {
            let at = page
                .find("id=\"f-publish-consent\"")
                .expect("the consent box");
            let tag = &page[at..at + page[at..].find('>').expect("the tag's end")];
            assert!(!tag.contains("checked"), "{tag}");
            assert!(page.contains("同意在答复后将申请内容和答复结果（隐去个人信息）公开"));
        }
        let (_, online) = file(&app, &app.visitor(), org, "张三", "13800138000", false).await;
        let t = today();
        let (s, loc) = admin
            .submit(
                "/admin/applications",
                &[
                    ("org_id", &org.to_string()),
                    ("channel", "in_person"),
                    ("submitted_on", &t),
                    ("confirmed_on", ""),
                    ("applicant_type", "natural_person"),
                    ("name", "王五"),
                    ("id_type", "passport"),
                    ("id_number", "E1234567"),
                    ("phone", "13700001111"),
                    ("description", "2024年政府采购合同目录"),
                    ("delivery", "online"),
                    ("publish_consent", "1"),
                ],
            )
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{}", html::excerpt(&loc));
        let rows: Vec<(i64, i64)> =
            sqlx::query_as("SELECT id, publish_consent FROM applications ORDER BY id")
                .fetch_all(&mut *app.conn().await)
                .await
                .unwrap();
        assert_eq!(rows[0], (online, 0));
        assert_eq!(rows[1].1, 1);
    }
);
