//! The annual report's tables 三 and 四 from a year of applications whose figures are known in
//! advance: carried in from the previous year, answered, carried out; the check rule; the 2019
//! format's single （六） row; the Excel export read back; permissions.

use crate::support::{PASSWORD, TestApp, outcome};
use gongkai_db::applications::{self, AnswerExtra, NewApplication};
use gongkai_domain::application::{
    ApplicationFields, CaseEvent, Channel, Outcome, ReviewKind, ReviewResult,
};
use gongkai_domain::calendar::NaiveDate;
use gongkai_domain::role::Role;
use reqwest::StatusCode;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// An application received in person on `received`, tracking code `TESTCODE<n>`.
pub(crate) async fn file(app: &TestApp, org: i64, n: u32, applicant: &str, received: &str) -> i64 {
    let fields = ApplicationFields {
        applicant_type: applicant.into(),
        name: format!("申请人{n}"),
        org_name: if applicant == "natural_person" {
            String::new()
        } else {
            format!("某单位{n}")
        },
        id_type: "passport".into(),
        id_number: format!("E765432{n}"),
        phone: format!("1390000123{n}"),
        email: String::new(),
        address: String::new(),
        description: format!("第{n}项申请的信息"),
        purpose: String::new(),
        delivery: "online".into(),
        ..Default::default()
    };
    let input = fields.validate().expect("valid application");
    let mut tx = app.db().begin().await.unwrap();
    let cal = gongkai_db::calendar::load(&mut tx).await.unwrap();
    let id = applications::create(
        &mut tx,
        &app.actor(),
        &NewApplication {
            org_id: org,
            channel: Channel::InPerson,
            input,
            submitted_on: d(received),
            received_on: d(received),
            tracking_code: format!("TESTCODE{n:04}"),
            fingerprint: format!("fp{n}"),
            submit_ip: String::new(),
        },
        &cal,
    )
    .await
    .expect("create");
    tx.commit().await.unwrap();
    id
}

async fn event(app: &TestApp, id: i64, e: CaseEvent) {
    let answer = matches!(e, CaseEvent::Answered { .. }).then(|| AnswerExtra {
        text: "答复内容".into(),
        fee_scale: None,
        fee_quantity: 0,
    });
    let mut tx = app.db().begin().await.unwrap();
    let cal = gongkai_db::calendar::load(&mut tx).await.unwrap();
    applications::record_event(&mut tx, &app.actor(), id, e, answer.as_ref(), &cal)
        .await
        .expect("event");
    tx.commit().await.unwrap();
}

async fn answer(app: &TestApp, id: i64, on: &str, outcome: Outcome) {
    event(
        app,
        id,
        CaseEvent::Answered {
            on: d(on),
            outcome,
            fee_yuan: 0,
            note: String::new(),
        },
    )
    .await;
}

both_backends!(
    a_year_of_applications_gives_known_tables,
    |app| async move {
        let org = app.org_id("市财政局").await;
        // A: received in 2023, answered in 2024 → 二 and （一）.
        let a = file(&app, org, 1, "natural_person", "2023-12-20").await;
        answer(&app, a, "2024-01-10", Outcome::Disclosed).await;
        // B: a company, answered 部分公开.
        let b = file(&app, org, 2, "commercial", "2024-03-04").await;
        answer(&app, b, "2024-03-20", Outcome::Partial).await;
        // C: 本机关不掌握.
        let c = file(&app, org, 3, "natural_person", "2024-05-06").await;
        answer(&app, c, "2024-05-20", Outcome::NotHeld).await;
        // D: received on Christmas, still open at year end → 四.
        file(&app, org, 4, "natural_person", "2024-12-25").await;
        // E: a research body refused to protect a third party, then 行政复议 upheld.
        let e = file(&app, org, 5, "research", "2024-06-03").await;
        answer(&app, e, "2024-06-12", Outcome::ThirdParty).await;
        event(
            &app,
            e,
            CaseEvent::Review {
                on: d("2024-08-01"),
                review: ReviewKind::Reconsideration,
                result: ReviewResult::Upheld,
                note: String::new(),
            },
        )
        .await;
        // Another organisation's application counts nowhere here.
        let other = app.org_id("市审计局").await;
        file(&app, other, 6, "natural_person", "2024-04-01").await;

        app.create_user("cz_handler", Role::Handler, Some(org))
            .await;
        let handler = app.user("cz_handler", PASSWORD).await;
        let page = handler
            .get(&format!("/admin/annual-report?org={org}&year=2024"))
            .await
            .text()
            .await
            .unwrap();
        let row = |label: &str| -> Vec<String> {
            let th = format!("<th scope=\"row\">{label}</th>");
            let at = page.find(&th).unwrap_or_else(|| panic!("row {label}"));
            let tr_end = page[at..].find("</tr>").unwrap() + at;
            page[at..tr_end]
                .split("<td>")
                .skip(1)
                .map(|c| c.split("</td>").next().unwrap().to_string())
                .collect()
        };
        // 自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他, 总计
        assert_eq!(
            row("一、本年新收政府信息公开申请数量"),
            ["2", "1", "1", "0", "0", "0", "4"]
        );
        assert_eq!(
            row("二、上年结转政府信息公开申请数量"),
            ["1", "0", "0", "0", "0", "0", "1"]
        );
        assert_eq!(row("（七）总计"), ["2", "1", "1", "0", "0", "0", "4"]);
        assert_eq!(
            row("四、结转下年度继续办理"),
            ["1", "0", "0", "0", "0", "0", "1"]
        );
        assert_eq!(
            row(&Outcome::ThirdParty.full_label()),
            ["0", "0", "1", "0", "0", "0", "1"]
        );
        assert!(page.contains("勾稽关系成立"));
        assert!(page.contains("2025年1月31日前"), "a department's deadline");
        // Table 四 as the national form: one row, 行政复议 then the two kinds of 行政诉讼.
        let t4 = page.split("<tr id=\"t4-row\">").nth(1).unwrap();
        let t4: Vec<&str> = t4
            .split("</tr>")
            .next()
            .unwrap()
            .split("<td>")
            .skip(1)
            .map(|c| c.split("</td>").next().unwrap())
            .collect();
        assert_eq!(
            t4,
            [
                "1", "0", "0", "0", "1", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0"
            ]
        );
        // 2021 format: （六） has three rows; 2019: one.
        assert!(page.contains("申请人逾期未按收费通知要求缴纳费用"));
        let old = handler
            .get(&format!(
                "/admin/annual-report?org={org}&year=2024&format=2019"
            ))
            .await
            .text()
            .await
            .unwrap();
        // The tables, not the adjustment form below them (which names every 2021 row).
        let tables = &old[..old.find("id=\"adjustments\"").expect("adjustments section")];
        assert!(tables.contains("<th scope=\"row\">（六）其他处理</th>"));
        assert!(!tables.contains("申请人逾期未按收费通知要求缴纳费用"));

        // The previous year: A is carried out of 2023.
        let y2023 = handler
            .get(&format!("/admin/annual-report?org={org}&year=2023"))
            .await
            .text()
            .await
            .unwrap();
        assert!(y2023.contains("勾稽关系成立"));

        // The Excel file holds the same figures.
        let resp = handler
            .get(&format!("/admin/annual-report.xlsx?org={org}&year=2024"))
            .await;
        assert_eq!(resp.status(), StatusCode::OK);
        let bytes = resp.bytes().await.unwrap().to_vec();
        use calamine::{Reader, Xlsx};
        let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let sheet = wb.worksheet_range("三、收到和处理申请情况").unwrap();
        let first_new = sheet
            .rows()
            .find(|r| r[0].to_string().starts_with("一、"))
            .unwrap();
        assert_eq!(first_new[7].to_string(), "4");

        // Another organisation's handler may not read these figures.
        app.create_user("sj_handler", Role::Handler, Some(other))
            .await;
        let outsider = app.user("sj_handler", PASSWORD).await;
        let r = outsider
            .get(&format!("/admin/annual-report?org={org}&year=2024"))
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
    }
);

/// A published policy document of 市财政局 with a legal form, published on `published`.
async fn formal_doc(
    app: &TestApp,
    title: &str,
    legal_form: &str,
    written: &str,
    published: &str,
    ended: Option<(&str, &str)>,
) -> i64 {
    let mut f = app.item("市财政局", "fgwj", title).await;
    f.legal_form = legal_form.into();
    f.written_on = written.into();
    f.publish_date = published.into();
    if let Some((validity, on)) = ended {
        f.validity = validity.into();
        f.validity_changed_on = on.into();
    }
    let id = app.create_item(f).await;
    app.publish(id).await;
    id
}

both_backends!(table_two_sections_word_and_publication, |app| async move {
    let org = app.org_id("市财政局").await;
    // 2024: two 规范性文件 issued (one written in 2023 counts for 2023), one repealed in 2024,
    // one amended (still in force), one 规章; an untagged document counts nowhere.
    formal_doc(
        &app,
        "规范性文件甲",
        "normative",
        "2024-03-01",
        "2024-03-05",
        None,
    )
    .await;
    formal_doc(
        &app,
        "规范性文件乙",
        "normative",
        "2023-12-28",
        "2024-01-05",
        None,
    )
    .await;
    formal_doc(
        &app,
        "规范性文件丙",
        "normative",
        "2019-01-01",
        "2019-01-02",
        Some(("repealed", "2024-09-30")),
    )
    .await;
    formal_doc(
        &app,
        "规范性文件丁",
        "normative",
        "2020-05-01",
        "2020-05-06",
        Some(("amended", "2024-06-01")),
    )
    .await;
    formal_doc(&app, "财政规章", "rule", "2024-07-01", "2024-07-02", None).await;
    let mut plain = app.item("市财政局", "fgwj", "普通通知").await;
    plain.publish_date = "2024-02-02".into();
    let plain = app.create_item(plain).await;
    app.publish(plain).await;

    app.create_user("cz_admin", Role::OrgAdmin, Some(org)).await;
    let admin = app.user("cz_admin", PASSWORD).await;
    let path = format!("/admin/annual-report?org={org}&year=2024");
    let page = admin.get(&path).await.text().await.unwrap();
    assert!(page.contains("系统统计：1"), "norm_issued");
    assert!(page.contains("系统统计：3"), "norm_valid: 甲, 乙, 丁");
    assert!(page.contains("id=\"f-licensing_decisions\""));
    let org_s = org.to_string();

    // Bad input: every problem reported in Chinese, nothing stored.
    let audit_before = app.audit_count().await;
    let long = "字".repeat(20_001);
    let (s, body) = admin
        .submit(
            "/admin/annual-report",
            &[
                ("org", &org_s),
                ("year", "2024"),
                ("version", "0"),
                ("overview", &long),
                ("penalty_decisions", "-1"),
                ("fees_wan", "12.345678"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("一、总体情况不能超过20000个字"));
    assert!(body.contains("行政处罚·本年处理决定数量：应为0至1亿之间的整数"));
    assert!(body.contains("最多保留四位小数"));
    assert!(body.contains("value=\"-1\""), "typed values shown again");
    assert_eq!(app.count("annual_reports").await, 0);
    assert_eq!(app.audit_count().await, audit_before);
    // Without the CSRF token: refused.
    let (s, _) = outcome(
        admin
            .post_without_csrf(
                "/admin/annual-report",
                &[("org", &org_s), ("year", "2024"), ("overview", "x")],
            )
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // A valid save; HTML in the text stays text.
    let good = [
        ("org", org_s.as_str()),
        ("year", "2024"),
        ("version", "0"),
        (
            "overview",
            "2024年，市财政局坚持以公开为常态。\n\n<script>alert(1)</script>全年主动公开信息。",
        ),
        ("problems", "一是解读形式单一。\n二是更新不够及时。"),
        ("other", "无其他需要报告的事项。"),
        ("licensing_decisions", "1234"),
        ("penalty_decisions", "56"),
        ("fees_wan", "12.50"),
        ("norm_valid", "40"),
    ];
    let (s, location) = admin.submit("/admin/annual-report", &good).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(location.contains("notice=saved"));
    assert_eq!(app.count("annual_reports").await, 1);
    assert_eq!(app.audit_count().await, audit_before + 1);
    let page = admin.get(&location).await.text().await.unwrap();
    assert!(page.contains("年度报告已保存"));
    assert!(page.contains("value=\"1234\""));
    assert!(page.contains("系统统计：3；报表用填写的 40"));
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!page.contains("<script>alert(1)"));
    // Saving again over an older version is refused (someone else saved in between).
    let (s, _) = admin.submit("/admin/annual-report", &good).await;
    assert_eq!(s, StatusCode::CONFLICT);

    // Word: the six sections with the figures.
    let r = admin
        .get(&format!("/admin/annual-report.docx?org={org}&year=2024"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("wordprocessingml")
    );
    let xml = crate::applications::docx_text(&r.bytes().await.unwrap());
    for needle in [
        "市财政局2024年政府信息公开工作年度报告",
        "一、总体情况",
        "坚持以公开为常态",
        "二、主动公开政府信息情况",
        "第二十条第（一）项",
        "行政规范性文件",
        "1234",
        "12.5",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "二是更新不够及时",
        "本年度未收取信息处理费",
        "无其他需要报告的事项",
    ] {
        assert!(xml.contains(needle), "word has {needle}");
    }
    // Excel: table 二 on its own sheet.
    let bytes = admin
        .get(&format!("/admin/annual-report.xlsx?org={org}&year=2024"))
        .await
        .bytes()
        .await
        .unwrap()
        .to_vec();
    use calamine::{Reader, Xlsx};
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let sheet = wb.worksheet_range("二、主动公开政府信息情况").unwrap();
    let licensing = sheet.rows().find(|r| r[0] == "行政许可").unwrap();
    assert_eq!(licensing[1].to_string(), "1234");
    let norms = sheet.rows().find(|r| r[0] == "行政规范性文件").unwrap();
    assert_eq!(
        [
            norms[1].to_string(),
            norms[2].to_string(),
            norms[3].to_string()
        ],
        ["1", "1", "40"]
    );

    // A handler may write the text but not publish (publishing makes an item).
    app.create_user("cz_handler2", Role::Handler, Some(org))
        .await;
    let handler = app.user("cz_handler2", PASSWORD).await;
    let form = [("org", org_s.as_str()), ("year", "2024")];
    let (s, _) = handler.submit("/admin/annual-report/publish", &form).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // Another organisation's administrator may not write it.
    let other = app.org_id("市审计局").await;
    app.create_user("sj_admin", Role::OrgAdmin, Some(other))
        .await;
    let outsider = app.user("sj_admin", PASSWORD).await;
    let (s, _) = outsider
        .submit(
            "/admin/annual-report",
            &[
                ("org", org_s.as_str()),
                ("year", "2024"),
                ("overview", "篡改"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // A year with nothing written cannot be published.
    let (s, body) = admin
        .submit(
            "/admin/annual-report/publish",
            &[("org", &org_s), ("year", "2023")],
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(body.contains("请先填写并保存"));

    // Publication: an item in 政府信息公开年报, submitted for review, not yet public.
    let form = [("org", org_s.as_str()), ("year", "2024")];
    let (s, location) = admin.submit("/admin/annual-report/publish", &form).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "publish");
    assert!(location.contains("notice=submitted"));
    let (item_id, status, title): (i64, String, String) = sqlx::query_as(
        "SELECT i.id, i.status, i.title FROM items i JOIN annual_reports r ON r.item_id = i.id",
    )
    .fetch_one(&mut *app.conn().await)
    .await
    .unwrap();
    assert_eq!(status, "submitted");
    assert_eq!(title, "市财政局2024年政府信息公开工作年度报告");
    let in_column: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM item_columns WHERE item_id = $1 AND column_id = $2",
    )
    .bind(item_id)
    .bind(app.column_id("xxgknb").await)
    .fetch_one(&mut *app.conn().await)
    .await
    .unwrap();
    assert_eq!(in_column, 1);
    let public = app.new_client();
    let r = public
        .get(app.url(&format!("/items/{item_id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::NOT_FOUND,
        "not public before review"
    );
    // Sent again before review: the same item, rewritten and resubmitted.
    let (s, _) = admin.submit("/admin/annual-report/publish", &form).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let reports: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM items WHERE title = '市财政局2024年政府信息公开工作年度报告'",
    )
    .fetch_one(&mut *app.conn().await)
    .await
    .unwrap();
    assert_eq!(reports, 1);

    // Once published, the portal shows the whole report with the text escaped.
    app.publish(item_id).await;
    let r = public
        .get(app.url(&format!("/items/{item_id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("二、主动公开政府信息情况"));
    assert!(html.contains("1234"));
    assert!(html.contains("结转下年度继续办理"));
    assert!(!html.contains("<script>alert(1)"));
    let page = admin.get(&path).await.text().await.unwrap();
    assert!(page.contains("栏目发布"), "page says published");
    let (s, body) = admin.submit("/admin/annual-report/publish", &form).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(body.contains("年度报告已发布"));
});

both_backends!(
    supervision_board_shows_reports_not_published_on_time,
    |app| async move {
        use gongkai_domain::annual_report::{PublicationState, publication_due};
        let today = gongkai_db::china_today();
        let year = chrono::Datelike::year(&today) - 1;
        let year_s = year.to_string();
        let org = app.org_id("市财政局").await;
        let org_s = org.to_string();
        app.login_admin().await;
        let board = app.get_ok("/admin/supervision").await;
        let link = format!("/admin/annual-report?org={org}&amp;year={year}");
        assert!(board.contains(&format!("{year}年度政府信息公开工作年度报告公布情况")));
        let due = publication_due(false, year).unwrap();
        let before = PublicationState::of(due, None, today).label();
        let row_of = |page: &str| -> Option<String> {
            let at = page.find(&link)?;
            let end = page[at..].find("</tr>")? + at;
            Some(page[at..end].to_string())
        };
        let row = row_of(&board).expect("市财政局 listed before publication");
        assert!(row.contains(before), "{row}");

        // Write and publish last year's report; the board follows.
        let me = app.signed_in(app.client());
        let r = me
            .post(
                "/admin/annual-report",
                &[
                    ("org", org_s.as_str()),
                    ("year", year_s.as_str()),
                    ("version", "0"),
                    ("overview", "总体情况。"),
                    ("problems", "存在问题。"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let r = me
            .post(
                "/admin/annual-report/publish",
                &[("org", org_s.as_str()), ("year", year_s.as_str())],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let board = app.get_ok("/admin/supervision").await;
        let row = row_of(&board).expect("still listed while waiting for review");
        assert!(row.contains("已提交，待审核发布"), "{row}");
        let item: i64 = sqlx::query_scalar("SELECT item_id FROM annual_reports")
            .fetch_one(&mut *app.conn().await)
            .await
            .unwrap();
        app.publish(item).await;
        let board = app.get_ok("/admin/supervision").await;
        match PublicationState::of(due, Some(today), today) {
            PublicationState::OnTime => assert!(row_of(&board).is_none()),
            state => assert!(row_of(&board).unwrap().contains(state.label())),
        }
    }
);
