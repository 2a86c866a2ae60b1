//! The annual report's tables 三 and 四 from a year of applications whose figures are known in
//! advance: carried in from the previous year, answered, carried out; the check rule; the 2019
//! format's single （六） row; the Excel export read back; permissions.

use crate::support::{PASSWORD, TestApp};
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

async fn file(app: &TestApp, org: i64, n: u32, applicant: &str, received: &str) -> i64 {
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

        let handler = app.new_client();
        app.create_user("cz_handler", Role::Handler, Some(org))
            .await;
        app.login_as(&handler, "cz_handler", PASSWORD).await;
        let page = handler
            .get(app.url(&format!("/admin/annual-report?org={org}&year=2024")))
            .send()
            .await
            .unwrap()
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
        assert_eq!(row("行政复议"), ["1", "0", "0", "0", "1"]);
        // 2021 format: （六） has three rows; 2019: one.
        assert!(page.contains("申请人逾期未按收费通知要求缴纳费用"));
        let old = handler
            .get(app.url(&format!(
                "/admin/annual-report?org={org}&year=2024&format=2019"
            )))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(old.contains("<th scope=\"row\">（六）其他处理</th>"));
        assert!(!old.contains("申请人逾期未按收费通知要求缴纳费用"));

        // The previous year: A is carried out of 2023.
        let y2023 = handler
            .get(app.url(&format!("/admin/annual-report?org={org}&year=2023")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(y2023.contains("勾稽关系成立"));

        // The Excel file holds the same figures.
        let resp = handler
            .get(app.url(&format!("/admin/annual-report.xlsx?org={org}&year=2024")))
            .send()
            .await
            .unwrap();
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
        let outsider = app.new_client();
        app.create_user("sj_handler", Role::Handler, Some(other))
            .await;
        app.login_as(&outsider, "sj_handler", PASSWORD).await;
        let r = outsider
            .get(app.url(&format!("/admin/annual-report?org={org}&year=2024")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
    }
);
