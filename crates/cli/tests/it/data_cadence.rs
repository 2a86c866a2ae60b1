//! Open datasets' stated 更新周期 as checkable obligations, the catalogue's exports and
//! `package_search` through the search index (issue 17 item 6) on both backends. The system
//! dates terms and uploads by today's clock, so each test moves them into 2017 (the seed plan's
//! year) with SQL, as if the dataset had been published and updated then.

use crate::data::{CSV, ORG, create, editor, fields, publish, upload, with};
use crate::support::TestApp;
use chrono::NaiveDate;
use gongkai_db::data_cadence::{self, OpenDataReport};
use gongkai_domain::obligation::PlanYear;
use reqwest::StatusCode;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// A weekly (or `cadence`) dataset of `ORG` published by its editor; the resource's id.
async fn published(app: &TestApp, name: &str, cadence: &str) -> (i64, crate::support::users::User) {
    let org = app.org_id(ORG).await;
    let ed = editor(app, &format!("ed_{}", app.count("users").await), ORG).await;
    let f = with(&with(&fields(name), "cadence", cadence), "code", "");
    let id = create(&ed, org, &f).await;
    assert_eq!(publish(&ed, id, "publish").await.0, StatusCode::SEE_OTHER);
    (id, ed)
}

/// Moves the dataset's terms: the open one (or the one numbered `nth`) starts / ends on a day.
async fn set_term(app: &TestApp, id: i64, nth: usize, starts_on: &str, ends_on: Option<&str>) {
    let ids: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM data_cadence_terms WHERE resource_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(&mut *app.conn().await)
            .await
            .unwrap();
    sqlx::query("UPDATE data_cadence_terms SET starts_on = $1, ends_on = $2 WHERE id = $3")
        .bind(starts_on)
        .bind(ends_on)
        .bind(ids[nth])
        .execute(&mut *app.conn().await)
        .await
        .unwrap();
}

/// Uploads a file as the editor and dates it `on` (10:00 China time).
async fn update_on(app: &TestApp, ed: &crate::support::users::User, id: i64, on: &str) {
    let (s, _) = upload(ed, id, &format!("{on}.csv"), CSV.as_bytes(), "").await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let at = gongkai_domain::china_time::start_of_day(d(on)) + 10 * 3600 * 1000;
    sqlx::query(
        "UPDATE data_files SET uploaded_at = $1 WHERE id = (SELECT MAX(id) FROM data_files WHERE resource_id = $2)",
    )
    .bind(at)
    .bind(id)
    .execute(&mut *app.conn().await)
    .await
    .unwrap();
}

async fn report_2017(app: &TestApp, as_of: &str) -> OpenDataReport {
    data_cadence::report(
        &mut *app.conn().await,
        None,
        PlanYear::calendar_year(2017).unwrap(),
        d(as_of),
    )
    .await
    .unwrap()
}

fn keys_and_statuses(r: &OpenDataReport, id: i64) -> Vec<(String, String)> {
    r.dataset(id)
        .map(|d| {
            d.periods
                .iter()
                .map(|p| (p.key.clone(), p.status.clone()))
                .collect()
        })
        .unwrap_or_default()
}

both_backends!(
    a_weekly_dataset_is_met_met_missed_in_the_report_the_back_office_and_reminders,
    |app| async move {
        let (id, ed) = published(&app, "农产品价格周报", "weekly").await;
        // Published on Monday 8 May 2017; updated in weeks 1 and 2, not in week 3.
        set_term(&app, id, 0, "2017-05-08", None).await;
        update_on(&app, &ed, id, "2017-05-09").await;
        update_on(&app, &ed, id, "2017-05-17").await;
        // Week 3 (22–28 May) was due two working days after it, on the working calendar:
        // 29–30 May 2017 were the 端午 holiday, so 1 June.
        let r = report_2017(&app, "2017-06-07").await;
        let s = keys_and_statuses(&r, id);
        assert_eq!(
            &s[..3],
            &[
                ("2017-W19".to_string(), "met".to_string()),
                ("2017-W20".to_string(), "met".to_string()),
                ("2017-W21".to_string(), "missed".to_string()),
            ],
            "{s:?}"
        );
        let row = r.dataset(id).unwrap();
        assert_eq!(row.periods[2].due.to_string(), "2017-06-01");
        assert_eq!(row.standing, "overdue");
        assert_eq!(r.units.len(), 1);
        assert_eq!(r.units[0].overdue_datasets, 1);

        // The plan's compliance report carries the same section.
        let mut tx = app.db().begin().await.unwrap();
        let plan = gongkai_db::plans::import_builtin(&mut tx, &app.actor(), "panjin-2017")
            .await
            .unwrap()
            .plan_id;
        tx.commit().await.unwrap();
        let report = gongkai_db::compliance::report(&mut *app.conn().await, plan, d("2017-06-07"))
            .await
            .unwrap();
        assert_eq!(keys_and_statuses(&report.open_data, id), s);
        let page = app
            .admin()
            .await
            .get_ok(&format!("/admin/supervision?plan={plan}&as_of=2017-06-07"))
            .await;
        assert!(page.contains("开放数据更新") && page.contains("农产品价格周报"));

        // The back office: the dataset and its organisation are 逾期未更新 (nothing since 2017).
        let list = ed.get_ok("/admin/data").await;
        assert!(
            list.contains("逾期未更新"),
            "{}",
            crate::support::html::excerpt(&list)
        );
        assert!(list.contains("各单位按期更新情况"));
        let detail = ed.get_ok(&format!("/admin/data/{id}")).await;
        assert!(detail.contains("按期更新核查") && detail.contains("未完成"));

        // The provider's editors are told when week 3 lapses (its first overdue reminder, the
        // working day after the due date), once however often the scan runs.
        let mut pooled = app.conn().await;
        let conn = &mut *pooled;
        let first = data_cadence::scan_reminders(conn, d("2017-06-02"))
            .await
            .unwrap();
        assert!(first.enqueued >= 1, "{first:?}");
        let again = data_cadence::scan_reminders(conn, d("2017-06-02"))
            .await
            .unwrap();
        assert_eq!(again.enqueued, 0);
        let payloads: Vec<String> =
            sqlx::query_scalar("SELECT payload FROM jobs WHERE kind = 'notify' ORDER BY id")
                .fetch_all(&mut *conn)
                .await
                .unwrap();
        let lapsed = payloads
            .iter()
            .map(|p| serde_json::from_str::<serde_json::Value>(p).unwrap())
            .find(|p| {
                p["key"]
                    .as_str()
                    .unwrap()
                    .starts_with(&format!("reminder:dataset:{id}:2017-W21:"))
            })
            .expect("week 3's reminder");
        assert_eq!(lapsed["kind"], "dataset.overdue");
        assert_eq!(lapsed["org_id"], app.org_id(ORG).await);
        assert_eq!(lapsed["audience"], "unit");
        assert!(lapsed["title"].as_str().unwrap().contains("农产品价格周报"));
    }
);

both_backends!(
    a_dataset_withdrawn_stops_owing_and_irregular_ones_are_not_checked,
    |app| async move {
        let (id, ed) = published(&app, "企业登记信息", "weekly").await;
        set_term(&app, id, 0, "2017-05-08", None).await;
        update_on(&app, &ed, id, "2017-05-09").await;
        assert_eq!(publish(&ed, id, "unpublish").await.0, StatusCode::SEE_OTHER);
        // Withdrawn on Wednesday 17 May: week 2 was under way and is not owed.
        set_term(&app, id, 0, "2017-05-08", Some("2017-05-17")).await;
        let r = report_2017(&app, "2017-08-01").await;
        assert_eq!(
            keys_and_statuses(&r, id),
            [("2017-W19".to_string(), "met".to_string())]
        );
        // 不予开放 ends a term as withdrawal does; a dataset 不定期 opens none.
        let (closed, ed2) = published(&app, "内部统计", "monthly").await;
        let f = with(
            &with(
                &with(&fields("内部统计"), "cadence", "monthly"),
                "open_type",
                "closed",
            ),
            "code",
            "",
        );
        let mut form: Vec<(&str, &str)> = crate::data::pairs(&f);
        form.push(("version", "2"));
        let (s, loc) = ed2
            .submit(&format!("/admin/data/{closed}/edit"), &form)
            .await;
        assert_eq!(
            s,
            StatusCode::SEE_OTHER,
            "{}",
            crate::support::html::excerpt(&loc)
        );
        let open_terms: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM data_cadence_terms WHERE resource_id = $1 AND ends_on IS NULL",
        )
        .bind(closed)
        .fetch_one(&mut *app.conn().await)
        .await
        .unwrap();
        assert_eq!(open_terms, 0);
        let (irregular, _) = published(&app, "不定期公告数据", "").await;
        let terms: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM data_cadence_terms WHERE resource_id = $1")
                .bind(irregular)
                .fetch_one(&mut *app.conn().await)
                .await
                .unwrap();
        assert_eq!(terms, 0, "不定期 is not checked");
        let list = ed.get_ok("/admin/data").await;
        assert!(
            list.contains("不定期"),
            "{}",
            crate::support::html::excerpt(&list)
        );
    }
);

both_backends!(
    changing_the_cadence_changes_the_periods_from_then,
    |app| async move {
        let (id, ed) = published(&app, "空气质量数据", "weekly").await;
        let f = with(
            &with(&fields("空气质量数据"), "cadence", "monthly"),
            "code",
            "",
        );
        let mut form: Vec<(&str, &str)> = crate::data::pairs(&f);
        form.push(("version", "2"));
        let (s, loc) = ed.submit(&format!("/admin/data/{id}/edit"), &form).await;
        assert_eq!(
            s,
            StatusCode::SEE_OTHER,
            "{}",
            crate::support::html::excerpt(&loc)
        );
        // The change ended the weekly term today and opened a monthly one from today. Date
        // them: weekly from 8 May, monthly from Wednesday 17 May.
        set_term(&app, id, 0, "2017-05-08", Some("2017-05-17")).await;
        set_term(&app, id, 1, "2017-05-17", None).await;
        let cadences: Vec<String> = sqlx::query_scalar(
            "SELECT cadence FROM data_cadence_terms WHERE resource_id = $1 AND ends_on IS NULL",
        )
        .bind(id)
        .fetch_all(&mut *app.conn().await)
        .await
        .unwrap();
        assert_eq!(cadences, ["monthly"]);
        update_on(&app, &ed, id, "2017-05-10").await;
        update_on(&app, &ed, id, "2017-05-20").await;
        let r = report_2017(&app, "2017-07-20").await;
        let s = keys_and_statuses(&r, id);
        let keys: Vec<&str> = s.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["2017-W19", "2017-05", "2017-06", "2017-07"], "{s:?}");
        assert_eq!(s[0].1, "met");
        assert_eq!(s[1].1, "met", "May from the 17th: the update of the 20th");
        assert_eq!(
            s[2].1, "not_yet_due",
            "June is due 20 working days after it"
        );
        let row = r.dataset(id).unwrap();
        assert_eq!(row.periods[0].cadence_label, "每周");
        assert_eq!(row.periods[1].cadence_label, "每月");
    }
);

both_backends!(
    the_catalogue_exports_as_xlsx_and_json_and_the_public_list_as_json,
    |app| async move {
        use calamine::{Reader, Xlsx};
        let (public, ed) = published(&app, "医疗机构名录", "monthly").await;
        let draft = create(
            &ed,
            app.org_id(ORG).await,
            &with(&fields("未发布的数据"), "code", "wjw-009"),
        )
        .await;
        let resp = ed.get("/admin/data/export.xlsx").await;
        assert_eq!(resp.status(), 200);
        let bytes = resp.bytes().await.unwrap();
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
        let sheet = book.worksheet_range("信息资源目录").unwrap();
        let rows: Vec<Vec<String>> = sheet
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect();
        assert_eq!(rows[0], gongkai_domain::data::EXPORT_COLUMNS);
        assert_eq!(rows.len(), 3, "both resources of the organisation");
        let row = rows.iter().find(|r| r[0] == "医疗机构名录").unwrap();
        assert_eq!(row[2], ORG);
        assert_eq!(row[5], "无条件共享");
        assert_eq!(row[9], "每月");
        assert_eq!(row[10], "CSV\u{3001}JSON");
        assert!(row[4].starts_with("医院名称|字符型|机构全称"));
        assert_eq!(row[11], "https://data.example.gov.cn/api/hospitals");

        let json: serde_json::Value = ed
            .get("/admin/data/export.json")
            .await
            .json()
            .await
            .unwrap();
        let all = json["datasets"].as_array().unwrap();
        assert_eq!(all.len(), 2);
        let e = all.iter().find(|e| e["id"] == public).unwrap();
        assert_eq!(e["provider"], ORG);
        assert_eq!(e["cadence"], "monthly");
        assert_eq!(e["cadence_label"], "每月");
        assert_eq!(e["items"][0]["name"], "医院名称");
        assert_eq!(e["status"], "published");
        assert_eq!(e["interface"]["method"], "get");

        // The public list: public datasets only, each with its page; nobody signs in.
        let resp = app.get("/sjkf.json").await;
        assert_eq!(resp.status(), 200);
        let open: serde_json::Value = resp.json().await.unwrap();
        let open = open["datasets"].as_array().unwrap();
        assert_eq!(open.len(), 1);
        assert_eq!(open[0]["id"], public);
        assert!(
            open[0]["url"]
                .as_str()
                .unwrap()
                .ends_with(&format!("/sjkf/{public}"))
        );
        assert!(!open.iter().any(|e| e["id"] == draft));
        // Another organisation's editor exports nothing of this one.
        let other = editor(&app, "czj_export", "市财政局").await;
        let theirs: serde_json::Value = other
            .get("/admin/data/export.json")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(theirs["datasets"], serde_json::json!([]));
        assert_eq!(
            app.visitor().get("/admin/data/export.xlsx").await.status(),
            303
        );
    }
);

both_backends!(
    package_search_finds_datasets_through_the_search_index,
    |app| async move {
        let (id, _) = published(&app, "医疗机构名录", "monthly").await;
        let org = app.org_id(ORG).await;
        let ed = editor(&app, "hbj_search", ORG).await;
        let mut air = with(&fields("空气质量监测数据"), "code", "");
        for (k, v) in [
            ("summary", "全市空气质量监测站点的小时数据"),
            ("items", "站点名称|字符型\nPM2.5|数值型"),
            ("tags", "环境 空气"),
        ] {
            air = with(&air, k, v);
        }
        let other = create(&ed, org, &air).await;
        assert_eq!(
            publish(&ed, other, "publish").await.0,
            StatusCode::SEE_OTHER
        );
        app.state().search.catch_up(app.db()).await.expect("sync");
        let search = |q: &str| {
            let app = &app;
            let q = q.to_string();
            async move {
                let url = format!("/api/3/action/package_search?q={}&rows=5", encode(&q));
                let v: serde_json::Value = app.get(&url).await.json().await.unwrap();
                assert_eq!(v["success"], true, "{v}");
                v["result"].clone()
            }
        };
        // The words in another order, and a query only partly in the dataset, find it as the
        // portal's search does; a substring match would have found neither.
        for q in ["名录医疗", "医疗机构名单", "text:\u{673A}\u{6784}"] {
            let r = search(q).await;
            assert!(
                r["results"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|p| p["name"] == format!("gk-{id}")),
                "{q}: {r}"
            );
            assert!(
                !r["results"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|p| p["name"] == format!("gk-{other}")),
                "{q}: {r}"
            );
        }
        // `count` is every match; `rows` and `start` page through them.
        let all = search("*:*").await;
        assert_eq!(all["count"], 2);
        let v: serde_json::Value = app
            .get("/api/3/action/package_search?q=%E6%95%B0%E6%8D%AE&rows=0")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(v["result"]["results"], serde_json::json!([]));
        assert!(v["result"]["count"].as_u64().unwrap() >= 1, "{v}");
    }
);

/// Percent-encodes a query value (RFC 3986 unreserved characters kept).
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
