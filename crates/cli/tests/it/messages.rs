//! Citizen messages (留言) and public-opinion events (政务舆情): the public form with its abuse
//! defences, the responder's queue, reply and publication with personal data masked, the rating,
//! the deadline and 3-month reminders, the opinion clocks and their alarms, and permissions.

use crate::support::users::pairs;
use crate::support::{PASSWORD, TestApp, html};
use gongkai_db::notifications::NOTIFY_JOB;
use gongkai_db::{jobs, messages, now_ms};
use gongkai_domain::calendar::NaiveDate;
use gongkai_domain::message::MessageFields;
use gongkai_domain::opinion::parse_china;
use gongkai_domain::role::Role;
use gongkai_jobs::worker::{self, WorkerConfig};
use reqwest::StatusCode;

/// A valid resident ID number (GB 11643 check character) and its masked form.
pub const ID_NUMBER: &str = "211102198506151231";
pub const ID_MASKED: &str = "211102********1231";
pub const PHONE: &str = "13812345678";
pub const PHONE_MASKED: &str = "138****5678";

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// The public form as a list of fields.
fn message_form(org: i64, content: &str) -> Vec<(&'static str, String)> {
    vec![
        ("org_id", org.to_string()),
        ("name", "张三<script>".to_string()),
        ("phone", PHONE.to_string()),
        ("email", String::new()),
        (
            "title",
            "<img src=x onerror=alert(1)>小区路灯不亮".to_string(),
        ),
        ("content", content.to_string()),
    ]
}

fn code_of(page: &str) -> String {
    let start = page
        .find("id=\"query-code\">")
        .expect("query code on the page")
        + 16;
    page[start..].split('<').next().unwrap().trim().to_string()
}

async fn run_jobs(app: &TestApp) {
    let cfg = WorkerConfig {
        schedule_scans: false,
        ..WorkerConfig::default()
    };
    for _ in 0..10 {
        let s = worker::run_once(app.db(), &cfg).await.unwrap();
        assert_eq!(s.failed, 0);
        if s.claimed == 0 {
            break;
        }
    }
}

both_backends!(
    a_message_is_answered_and_published_masked,
    |app| async move {
        let org = app.org_id("市住建委").await;
        let other = app.org_id("市财政局").await;

        // Empty state.
        let page = app.get_ok("/messages").await;
        assert!(page.contains("暂无公开的留言"), "{}", html::excerpt(&page));

        let client = app.visitor();
        let content = format!(
            "小区路灯坏了一个月。<script>alert(1)</script>我的身份证号{ID_NUMBER}，电话{PHONE}。"
        );
        let form = message_form(org, &content);
        let audit = app.audit_count().await;
        let resp = client.post("/messages/new", &pairs(&form)).await;
        assert_eq!(resp.status(), StatusCode::OK);
        let done = resp.text().await.unwrap();
        let code = code_of(&done);
        assert_eq!(code.len(), 12, "{code}");
        assert_eq!(app.count("messages").await, 1);
        assert_eq!(app.audit_count().await, audit + 1);
        // The audit entry does not repeat the writer's contact details.
        let after: String =
            sqlx::query_scalar("SELECT after_json FROM audit_log WHERE action = 'message.submit'")
                .fetch_one(&mut *app.conn().await)
                .await
                .unwrap();
        assert!(
            !after.contains(PHONE) && !after.contains(ID_NUMBER),
            "{after}"
        );

        // The same message again (a reload): the same code, nothing new.
        let again = client
            .post("/messages/new", &pairs(&form))
            .await
            .text()
            .await
            .unwrap();
        assert_eq!(code_of(&again), code);
        assert!(again.contains("此前已收到相同的留言"));
        assert_eq!(app.count("messages").await, 1);

        // The writer's query page.
        let q = app
            .get_ok(&format!("/messages/query?code={}", code.to_lowercase()))
            .await;
        assert!(
            q.contains("已受理（待分配）"),
            "{}",
            &q[q.find("<main").unwrap_or(0)..]
        );
        assert!(
            q.contains("&lt;img src=x onerror=alert(1)&gt;小区路灯不亮"),
            "escaped"
        );
        assert!(!q.contains("<img src=x"));
        let unknown = app.get_ok("/messages/query?code=ABCDEF123456").await;
        assert!(unknown.contains("未找到该查询码对应的留言"));

        // The organisation's handler sees it in the queue; another unit's handler does not.
        let handler = app
            .create_user("zj_handler", Role::Handler, Some(org))
            .await;
        app.create_user("cz_handler", Role::Handler, Some(other))
            .await;
        app.create_user("zj_editor", Role::Editor, Some(org)).await;
        let h = app.user("zj_handler", PASSWORD).await;
        let queue = h.get("/admin/messages").await.text().await.unwrap();
        assert!(queue.contains("小区路灯不亮"), "{}", html::excerpt(&queue));
        let id: i64 = sqlx::query_scalar("SELECT id FROM messages")
            .fetch_one(&mut *app.conn().await)
            .await
            .unwrap();

        let stranger = app.user("cz_handler", PASSWORD).await;
        let s_queue = stranger.get("/admin/messages").await.text().await.unwrap();
        assert!(!s_queue.contains("小区路灯不亮"));
        let r = stranger.get(&format!("/admin/messages/{id}")).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let r = stranger
            .post(
                &format!("/admin/messages/{id}/reply"),
                &[("reply", "越权答复")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        // An editor of the same organisation is not a responder.
        let ed = app.user("zj_editor", PASSWORD).await;
        let r = ed.get("/admin/messages").await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);

        // Assign, then a reply with personal information is refused by the guard, nothing saved.
        let r = h
            .post(
                &format!("/admin/messages/{id}/assign"),
                &[("responder_id", &handler.to_string())],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let audit = app.audit_count().await;
        let r = h
            .post(
                &format!("/admin/messages/{id}/reply"),
                &[("reply", "已联系您，电话13912345678。")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = r.text().await.unwrap();
        assert!(
            body.contains("内容安全检查发现"),
            "{}",
            html::excerpt(&body)
        );
        assert!(
            body.contains("已联系您，电话13912345678。"),
            "the typed reply is kept"
        );
        assert_eq!(app.audit_count().await, audit);
        // Publishing before a reply is refused.
        let r = h.post(&format!("/admin/messages/{id}/publish"), &[]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

        let reply = "已安排维修人员于本周内修复<b>路灯</b>。";
        let r = h
            .post(&format!("/admin/messages/{id}/reply"), &[("reply", reply)])
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let detail = h
            .get(&format!("/admin/messages/{id}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(detail.contains("公开预览"), "{}", html::excerpt(&detail));
        assert!(detail.contains(ID_MASKED) && detail.contains(PHONE_MASKED));
        let r = h.post(&format!("/admin/messages/{id}/publish"), &[]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);

        // The public pages show question and reply, masked and escaped.
        let list = app.get_ok("/messages").await;
        assert!(list.contains("小区路灯不亮"));
        let page = app.get_ok(&format!("/messages/{id}")).await;
        assert!(page.contains(ID_MASKED), "{}", html::excerpt(&page));
        assert!(page.contains(PHONE_MASKED));
        assert!(!page.contains(ID_NUMBER) && !page.contains(PHONE));
        assert!(page.contains("张**"));
        assert!(!page.contains("张三"));
        assert!(
            page.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;")
                || page.contains("&lt;script&gt;alert(1)&lt;/script&gt;")
        );
        assert!(!page.contains("<script>alert(1)"));
        assert!(page.contains("&lt;b&gt;路灯&lt;"));
        // Unpublished ids and junk are the portal's 404.
        assert_eq!(
            app.get("/messages/999999").await.status(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.get("/messages/abc").await.status(),
            StatusCode::NOT_FOUND
        );

        // The writer rates once.
        let q = client
            .get(&format!("/messages/query?code={code}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(q.contains("对本次答复是否满意"));
        let r = client
            .post(
                "/messages/rate",
                &[("code", code.as_str()), ("satisfaction", "satisfied")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let r = client
            .post(
                "/messages/rate",
                &[("code", code.as_str()), ("satisfaction", "unsatisfied")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let s: String = sqlx::query_scalar("SELECT satisfaction FROM messages")
            .fetch_one(&mut *app.conn().await)
            .await
            .unwrap();
        assert_eq!(s, "satisfied");
        let actions: Vec<String> =
            sqlx::query_scalar("SELECT action FROM audit_log WHERE entity = 'message' ORDER BY id")
                .fetch_all(&mut *app.conn().await)
                .await
                .unwrap();
        assert_eq!(
            actions,
            [
                "message.submit",
                "message.assign",
                "message.reply",
                "message.publish",
                "message.rate"
            ]
        );
    }
);

both_backends!(bad_input_duplicates_and_floods, |app| async move {
    let org = app.org_id("市住建委").await;
    let client = app.visitor();
    // No CSRF token, or deliberately another one: refused.
    let mut f = message_form(org, "内容");
    assert_eq!(
        client
            .post_without_csrf("/messages/new", &pairs(&f))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    f.insert(0, ("csrf_token", "0".repeat(64)));
    assert_eq!(
        client
            .post_without_csrf("/messages/new", &pairs(&f))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    // A malformed body (a field twice), sent raw: the token must be in it.
    let token = client.csrf().await;
    let r = client
        .client()
        .post(app.url("/messages/new"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("csrf_token={token}&org_id=1&org_id=2"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("提交的内容无法识别"));
    // Oversized content and missing fields: 422, everything typed comes back.
    let long = format!("{}<b>尾</b>", "很长的留言".repeat(700));
    let mut f = message_form(org, &long);
    f[2].1 = String::new();
    let r = client.post("/messages/new", &pairs(&f)).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(
        body.contains("留言内容不能超过3000个字"),
        "{}",
        html::excerpt(&body)
    );
    assert!(body.contains("请至少填写联系电话或电子邮箱"));
    assert!(
        body.contains("很长的留言很长的留言") && body.contains("&lt;b&gt;尾&lt;&#x2f;b&gt;")
            || body.contains("&lt;b&gt;尾&lt;/b&gt;")
    );
    let r = client
        .post("/messages/new", &pairs(&message_form(999_999, "内容")))
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("所选受理单位不存在"));
    assert_eq!(app.count("messages").await, 0);

    // Five different messages in an hour are fine; the sixth from the same address is throttled
    // with everything kept; a duplicate of an earlier one still gets its code.
    let mut codes = Vec::new();
    for n in 0..5 {
        let r = client
            .post(
                "/messages/new",
                &pairs(&message_form(org, &format!("第{n}条留言"))),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        codes.push(code_of(&r.text().await.unwrap()));
    }
    let r = client
        .post(
            "/messages/new",
            &pairs(&message_form(org, "第6条留言，内容保留")),
        )
        .await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let body = r.text().await.unwrap();
    assert!(
        body.contains("每小时最多提交5条留言"),
        "{}",
        html::excerpt(&body)
    );
    assert!(body.contains("第6条留言，内容保留"));
    assert_eq!(app.count("messages").await, 5);
    let r = client
        .post("/messages/new", &pairs(&message_form(org, "第2条留言")))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(code_of(&r.text().await.unwrap()), codes[2]);
    assert_eq!(app.count("messages").await, 5);
    // A malformed query code is refused plainly.
    let r = app.get("/messages/query?code=%3Cscript%3E").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!r.text().await.unwrap().contains("<script>"));
});

async fn store(app: &TestApp, org: i64, received: &str, title: &str) -> i64 {
    let input = MessageFields {
        org_id: org.to_string(),
        name: "李四".into(),
        phone: "13900001111".into(),
        email: String::new(),
        title: title.into(),
        content: "内容".into(),
    }
    .validate()
    .unwrap();
    let mut tx = app.db().begin().await.unwrap();
    let hash = title
        .bytes()
        .fold(7u64, |a, b| a.wrapping_mul(131).wrapping_add(u64::from(b)));
    let code = format!("T{:011X}", hash % 0xFFF_FFFF_FFFF);
    let id = messages::submit(
        &mut tx,
        &app.actor(),
        &input,
        &messages::Receipt {
            query_code: &code,
            received_on: d(received),
            ip: "10.0.0.1",
            dedupe_hash: title,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

both_backends!(deadlines_follow_the_calendar_and_remind, |app| async move {
    let org = app.org_id("市住建委").await;
    app.create_user("zj_handler", Role::Handler, Some(org))
        .await;
    // Received Friday 29 September 2017: Saturday 30 September is a make-up workday, 1–8 October
    // the National Day holiday; 5 working days end on Thursday 12 October.
    let a = store(&app, org, "2017-09-29", "国庆前的留言").await;
    let m = messages::get(&mut *app.conn().await, a).await.unwrap();
    assert_eq!(m.due_on, "2017-10-12");
    // Received on a holiday: counted from Monday 9 October.
    let b = store(&app, org, "2017-10-03", "假期中的留言").await;
    assert_eq!(
        messages::get(&mut *app.conn().await, b)
            .await
            .unwrap()
            .due_on,
        "2017-10-13"
    );

    // The configured limit applies to later messages.
    let mut tx = app.db().begin().await.unwrap();
    gongkai_db::settings::set(&mut tx, &app.actor(), messages::REPLY_DAYS_SETTING, "10")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let c = store(&app, org, "2017-09-29", "十个工作日").await;
    assert_eq!(
        messages::get(&mut *app.conn().await, c)
            .await
            .unwrap()
            .due_on,
        "2017-10-19"
    );

    // On 12 October the first is due today: one reminder, once.
    for _ in 0..2 {
        messages::scan_reminders(&mut *app.conn().await, d("2017-10-12"))
            .await
            .unwrap();
    }
    run_jobs(&app).await;
    let n = gongkai_db::notifications::by_key_prefix(
        &mut *app.conn().await,
        &format!("reminder:message:{a}:"),
    )
    .await
    .unwrap();
    assert_eq!(n.len(), 1, "{n:?}");
    assert!(n[0].title.contains("国庆前的留言"), "{}", n[0].title);
    assert_eq!(n[0].link, format!("/admin/messages/{a}"));

    // The 3-month rule: at 2 months, 2.5 months and past 3 months, each once.
    for day in [
        "2017-11-29",
        "2017-11-30",
        "2017-12-14",
        "2017-12-30",
        "2017-12-31",
    ] {
        messages::scan_reminders(&mut *app.conn().await, d(day))
            .await
            .unwrap();
    }
    run_jobs(&app).await;
    let age = gongkai_db::notifications::by_key_prefix(
        &mut *app.conn().await,
        &format!("reminder:message_age:{a}:"),
    )
    .await
    .unwrap();
    let mut kinds: Vec<&str> = age.iter().map(|n| n.kind.as_str()).collect();
    kinds.sort_unstable();
    assert_eq!(
        kinds,
        [
            "message.age.over_three_months",
            "message.age.two_and_half_months",
            "message.age.two_months",
        ]
    );
    assert!(age.iter().any(|n| n.title.contains("单项否决")), "{age:?}");
    let counts = messages::counts(&mut *app.conn().await, None, d("2017-12-30"))
        .await
        .unwrap();
    assert_eq!(counts.awaiting, 3);
    assert_eq!(counts.overdue, 3);
    assert_eq!(counts.over_three_months, 2, "both messages of 29 September");
    // A replied message is no longer reminded.
    let mut tx = app.db().begin().await.unwrap();
    messages::reply(&mut tx, &app.actor(), b, "已答复")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let before = jobs::by_kind(&mut *app.conn().await, NOTIFY_JOB)
        .await
        .unwrap()
        .len();
    messages::scan_reminders(&mut *app.conn().await, d("2018-01-20"))
        .await
        .unwrap();
    let after = jobs::by_kind(&mut *app.conn().await, NOTIFY_JOB)
        .await
        .unwrap();
    assert!(after.iter().skip(before).all(|j| {
        !j.dedupe_key
            .as_deref()
            .unwrap_or("")
            .contains(&format!(":{b}:"))
    }));
});

both_backends!(the_reply_limit_is_a_supervised_setting, |app| async move {
    app.create_user("gkb", Role::Supervisor, None).await;
    let org = app.org_id("市住建委").await;
    app.create_user("zj_admin", Role::OrgAdmin, Some(org)).await;
    let s = app.user("gkb", PASSWORD).await;
    let audit = app.audit_count().await;
    let r = s
        .post("/admin/messages/settings", &[("reply_working_days", "0")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("答复期限应为1至60之间的整数")
    );
    assert_eq!(app.audit_count().await, audit);
    let r = s
        .post("/admin/messages/settings", &[("reply_working_days", "7")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.audit_count().await, audit + 1);
    assert_eq!(
        messages::reply_days(&mut *app.conn().await).await.unwrap(),
        7
    );
    // A unit's administrator answers messages but does not set the limit.
    let u = app.user("zj_admin", PASSWORD).await;
    let r = u
        .post("/admin/messages/settings", &[("reply_working_days", "3")])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        messages::reply_days(&mut *app.conn().await).await.unwrap(),
        7
    );
});

both_backends!(opinion_clocks_and_alarms, |app| async move {
    let org = app.org_id("市安全生产监管局").await;
    let other = app.org_id("市财政局").await;
    app.create_user("gkb", Role::Supervisor, None).await;
    app.create_user("yj_handler", Role::Handler, Some(org))
        .await;
    app.create_user("cz_editor", Role::Editor, Some(other))
        .await;
    let org_s = org.to_string();
    let s = app.user("gkb", PASSWORD).await;
    let empty = s.get("/admin/opinion").await.text().await.unwrap();
    assert!(empty.contains("尚未登记舆情事件"));

    // Bad input: refused, nothing written.
    let audit = app.audit_count().await;
    let r = s
        .post(
            "/admin/opinion",
            &[
                ("title", "<script>x</script>"),
                ("source", "微博"),
                ("detected_at", "2099-01-01T00:00"),
                ("level", "huge"),
                ("lead_org_id", org_s.as_str()),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(body.contains("发现时间不能晚于当前时间") && body.contains("请选择舆情级别"));
    assert!(body.contains("&lt;script&gt;x"), "escaped");
    assert_eq!(app.count("opinion_events").await, 0);
    assert_eq!(app.audit_count().await, audit);

    // A major event detected the evening before National Day 2017.
    let r = s
        .post(
            "/admin/opinion",
            &[
                ("title", "某化工厂火灾<script>"),
                ("source", "微博"),
                ("detected_at", "2017-09-30T22:00"),
                ("level", "major"),
                ("lead_org_id", org_s.as_str()),
                ("summary", ""),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let id: i64 = sqlx::query_scalar("SELECT id FROM opinion_events")
        .fetch_one(&mut *app.conn().await)
        .await
        .unwrap();
    let page = s
        .get(&format!("/admin/opinion/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("2017-10-01 03:00"),
        "5-hour deadline through the holiday night"
    );
    assert!(
        page.contains("2017-10-01 22:00"),
        "24-hour deadline on the holiday"
    );
    assert!(page.contains("已超时"));
    assert!(page.contains("某化工厂火灾&lt;script&gt;"));

    // The clock scan as of 02:30 on 1 October: the 5-hour clock is due soon; at 04:00 overdue.
    for (at, n) in [
        ("2017-10-01T02:30", 1),
        ("2017-10-01T02:40", 1),
        ("2017-10-01T04:00", 2),
    ] {
        jobs::enqueue(
            &mut *app.conn().await,
            gongkai_jobs::kinds::OPINION_SCAN_JOB,
            &serde_json::json!({"now_ms": parse_china(at).unwrap()}),
            now_ms(),
            None,
        )
        .await
        .unwrap();
        run_jobs(&app).await;
        let notes = gongkai_db::notifications::by_key_prefix(
            &mut *app.conn().await,
            &format!("opinion:{id}:authoritative:"),
        )
        .await
        .unwrap();
        assert_eq!(notes.len(), n, "{at}: {notes:?}");
    }
    let notes =
        gongkai_db::notifications::by_key_prefix(&mut *app.conn().await, &format!("opinion:{id}:"))
            .await
            .unwrap();
    assert!(notes.iter().all(|n| n.org_id == Some(org)));
    assert!(
        notes
            .iter()
            .any(|n| n.kind == "opinion.overdue" && n.title.contains("5小时内发布权威信息"))
    );

    // Releases: before detection refused; a press conference at 20:00 on 1 October meets the
    // 24-hour clock and (late) the 5-hour one.
    let rel = |at: &str, url: &str| {
        vec![
            ("kind", "press_conference".to_string()),
            ("released_at", at.to_string()),
            ("url", url.to_string()),
            ("title", "新闻发布会".to_string()),
        ]
    };
    let r = s
        .post(
            &format!("/admin/opinion/{id}/releases"),
            &pairs(&rel(
                "2017-09-30T21:00",
                "https://yjj.example.gov.cn/1.html",
            )),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("发布时间不能早于舆情发现时间")
    );
    let r = s
        .post(
            &format!("/admin/opinion/{id}/releases"),
            &pairs(&rel("2017-10-01T20:00", "javascript:alert(1)")),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("opinion_releases").await, 0);
    let r = s
        .post(
            &format!("/admin/opinion/{id}/releases"),
            &pairs(&rel(
                "2017-10-01T20:00",
                "https://yjj.example.gov.cn/fbh.html",
            )),
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = s
        .get(&format!("/admin/opinion/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("逾期完成") && page.contains("按时完成"),
        "{}",
        html::excerpt(&page)
    );
    assert!(page.contains("https://yjj.example.gov.cn/fbh.html"));

    // Another unit may neither see nor record.
    let c = app.user("cz_editor", PASSWORD).await;
    assert_eq!(
        c.get(&format!("/admin/opinion/{id}")).await.status(),
        StatusCode::NOT_FOUND
    );
    let f = rel("2017-10-01T21:00", "https://x.example.gov.cn/");
    assert_eq!(
        c.post(&format!("/admin/opinion/{id}/releases"), &pairs(&f))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let r = c
        .post(
            "/admin/opinion",
            &[
                ("title", "越权登记"),
                ("source", "微博"),
                ("detected_at", "2017-10-01T08:00"),
                ("level", "general"),
                ("lead_org_id", org_s.as_str()),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.count("opinion_events").await, 1);

    // A general event without a release is overdue after 48 hours; the supervision board counts it.
    let mut tx = app.db().begin().await.unwrap();
    let input = gongkai_domain::opinion::EventFields {
        title: "一般舆情".into(),
        source: "网站留言".into(),
        detected_at: "2017-10-02T08:00".into(),
        level: "general".into(),
        lead_org_id: org.to_string(),
        summary: String::new(),
    }
    .validate(now_ms())
    .unwrap();
    gongkai_db::opinion::register(&mut tx, &app.actor(), &input)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let c = gongkai_db::opinion::counts(&mut *app.conn().await, None, now_ms())
        .await
        .unwrap();
    assert_eq!(c.events, 2);
    assert_eq!(c.overdue_clocks, 1);
    assert_eq!(c.late_clocks, 1);
    let board = s.get("/admin/supervision").await.text().await.unwrap();
    assert!(
        board.contains("id=\"overdue-opinion\">1<"),
        "{}",
        html::excerpt(&board)
    );
});

/// The real browser: a citizen writes a message with a phone number and an ID number, the
/// organisation's handler replies and publishes it in the back office, and the public page shows
/// question and reply with the personal data masked.
mod browser {
    use super::*;
    use crate::browser::Browser;
    use crate::support::{Backend, PASSWORD};
    use std::time::Duration;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn citizen_message_is_answered_and_published_masked() {
        let app = TestApp::start(Backend::Sqlite).await;
        let org = app.org_id("市住建委").await;
        app.create_user("zj_handler", Role::Handler, Some(org))
            .await;
        let b = Browser::start().await;

        // The citizen writes.
        b.goto(&app.url("/messages/new")).await;
        b.click(&format!("#f-org_id option[value=\"{org}\"]")).await;
        b.fill("#f-name", "王小明").await;
        b.fill("#f-phone", PHONE).await;
        b.fill("#f-title", "小区门前道路积水").await;
        b.fill(
            "#f-content",
            &format!("雨后道路积水严重。我的身份证号{ID_NUMBER}，手机{PHONE}，请联系我。"),
        )
        .await;
        b.screenshot("message-form").await;
        b.click(".public-form button[type=submit]").await;
        let code = b.wait_for("#query-code").await;
        assert_eq!(code.trim().len(), 12, "{code}");
        let id: i64 = sqlx::query_scalar("SELECT id FROM messages")
            .fetch_one(&mut *app.conn().await)
            .await
            .unwrap();

        // The handler replies and publishes.
        b.goto(&app.url("/admin/login")).await;
        b.fill("#f-username", "zj_handler").await;
        b.fill("#f-password", PASSWORD).await;
        b.click("button[type=submit]").await;
        b.wait_for("nav.sidenav").await;
        b.goto(&app.url(&format!("/admin/messages/{id}"))).await;
        b.fill("#f-reply", "已通知市政部门于三日内疏通排水。").await;
        b.click("form[action$=\"/reply\"] button[type=submit]")
            .await;
        b.wait_for("#publish").await;
        let preview = b.wait_for("#preview-content").await;
        assert!(preview.contains(ID_MASKED), "{preview}");
        b.click("#publish").await;
        for _ in 0..200 {
            let url = b.client.current_url().await.expect("url").to_string();
            if url.contains("notice=published") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let status = b.wait_for("#msg-status").await;
        assert_eq!(status.trim(), "已答复并公开");

        // The public page.
        b.goto(&app.url(&format!("/messages/{id}"))).await;
        let q = b.wait_for(".msg-question").await;
        let reply = b.wait_for(".msg-reply").await;
        let name = b.wait_for(".msg-name").await;
        b.screenshot("message-public").await;
        let source = b.client.source().await.expect("source");
        assert!(
            q.contains(ID_MASKED) && q.contains(PHONE_MASKED),
            "{q} / {reply} / {name}: {}",
            &source[source.find("<main").unwrap_or(0)..]
        );
        assert!(!q.contains(ID_NUMBER) && !q.contains(PHONE), "{q}");
        assert!(reply.contains("三日内疏通排水"), "{reply}");
        assert_eq!(name.trim(), "王**");
        assert!(!source.contains(ID_NUMBER) && !source.contains("王小明"));
        let _ = b.client.clone().close().await;
        drop(b);
        app.teardown().await;
    }
}

both_backends!(
    a_writers_phone_is_masked_for_who_does_not_handle_it,
    |app| async move {
        let org = app.org_id("市住建委").await;
        let id = store(&app, org, "2026-03-02", "个人信息隐藏").await;
        let path = format!("/admin/messages/{id}");

        // The handler calls the writer back: the number as given.
        app.create_user("zj_caller", Role::Handler, Some(org)).await;
        let page = app.user("zj_caller", PASSWORD).await.get_ok(&path).await;
        assert!(
            page.contains("13900001111") && !page.contains("已部分隐藏"),
            "{page}"
        );

        // The supervising office and assessors read the message, not the number.
        for (name, role) in [("gkb_mask", Role::Supervisor), ("pg_mask", Role::Assessor)] {
            app.create_user(name, role, None).await;
            let page = app.user(name, PASSWORD).await.get_ok(&path).await;
            assert!(page.contains("139****1111"), "{role:?}: {page}");
            assert!(
                !page.contains("13900001111") && page.contains("已部分隐藏"),
                "{role:?}"
            );
        }
    }
);
